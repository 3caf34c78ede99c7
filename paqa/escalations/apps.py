from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "paqa.escalations"
    label = "escalations"
    verbose_name = "Escalated issues"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem(
                "Escalations", "escalations:register", Capability.VIEW_ESCALATIONS, order=40
            )
        )

        from paqa.escalations import evidence, worklist

        evidence.register()
        worklist.register()
