from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "paqa.voice"
    label = "voice"
    verbose_name = "Children's and families' views"
