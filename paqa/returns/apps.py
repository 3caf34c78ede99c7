from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "paqa.returns"
    label = "returns"
    verbose_name = "Statutory returns: the data set computed from the SSDA903 and CIN census"
