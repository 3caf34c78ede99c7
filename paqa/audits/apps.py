from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "paqa.audits"
    label = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(NavigationItem("Audits", "audits:home", Capability.VIEW_AUDITS, 15))

        from paqa.audits import evidence, worklist

        evidence.register()
        worklist.register()
