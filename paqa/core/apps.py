from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paqa.core"
    label = "core"
    verbose_name = "PAQA core"
