from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "paqa.indicators"
    label = "indicators"
    verbose_name = "Local safeguarding data"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Data", "indicators:dashboard", Capability.VIEW_DATA, order=10)
        )

        from paqa.indicators import evidence, worklist

        evidence.register()
        worklist.register()
