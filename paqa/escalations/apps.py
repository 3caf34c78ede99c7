from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "paqa.escalations"
    label = "escalations"
    verbose_name = "Escalated issues"
