from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration partnership: on the top floor, since it loads every part's demo data."""

    name = "paqa.demo"
    label = "demo"
    verbose_name = "Demonstration data"
