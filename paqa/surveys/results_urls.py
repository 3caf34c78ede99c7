from django.urls import URLPattern, path

from paqa.surveys import results_views

urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/results/", results_views.survey_results, name="results"),
    path(
        "surveys/<int:pk>/results/responses.<str:fmt>",
        results_views.responses_export,
        name="results-responses",
    ),
    path(
        "surveys/<int:pk>/results/themes.<str:fmt>",
        results_views.themes_export,
        name="results-themes",
    ),
]
