from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "paqa.actions"
    label = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Actions", "actions:list", Capability.VIEW_ACTIONS, order=60)
        )

        from paqa.actions import worklist

        worklist.register()
