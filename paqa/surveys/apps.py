from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "paqa.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem("Surveys", "surveys:home", Capability.VIEW_SURVEY_RESULTS, 25)
        )

        from paqa.surveys import evidence, worklist

        evidence.register()
        worklist.register()
