from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "paqa.themes"
    label = "themes"
    verbose_name = "Themes and the system-wide view"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Themes", "themes:overview-current", Capability.VIEW_THEMES, 50)
        )
