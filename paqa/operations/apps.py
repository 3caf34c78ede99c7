from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "paqa.operations"
    label = "operations"
    verbose_name = "Operations: export, backup, restore, retention"
