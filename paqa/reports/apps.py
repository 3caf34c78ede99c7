from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "paqa.reports"
    label = "reports"
    verbose_name = "The annual report"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Annual report", "reports:home", Capability.VIEW_PUBLISHED_REPORTS, 55)
        )

        from paqa.reports import worklist

        worklist.register()
