from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "paqa.themes"
    label = "themes"
    verbose_name = "Themes and the system-wide view"
