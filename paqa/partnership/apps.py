from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "paqa.partnership"
    label = "partnership"
    verbose_name = "Partnership"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem(
                "Organisations", "partnership:organisation-list", Capability.VIEW_DIRECTORY, 80
            )
        )
        register_navigation(
            NavigationItem("People", "partnership:person-list", Capability.VIEW_DIRECTORY, 85)
        )
