from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "paqa.assessments"
    label = "assessments"
    verbose_name = "Self-assessment (Section 11)"

    def ready(self) -> None:
        from paqa.core.access import Capability
        from paqa.core.navigation import NavigationItem, register_navigation

        register_navigation(
            NavigationItem(
                "Self-assessment", "assessments:home", Capability.VIEW_ASSESSMENT_SUMMARY, 20
            )
        )

        from paqa.assessments import evidence, worklist

        evidence.register()
        worklist.register()
