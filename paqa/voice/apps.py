from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "paqa.voice"
    label = "voice"
    verbose_name = "Children's and families' views"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Children's views", "voice:list", Capability.VIEW_VOICE, order=30)
        )

        from paqa.voice import evidence

        evidence.register()
