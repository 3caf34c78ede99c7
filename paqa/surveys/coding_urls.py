from django.urls import URLPattern, path

from paqa.surveys import coding_views

urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/coding/", coding_views.survey_coding, name="coding-survey"),
    path(
        "surveys/<int:pk>/coding/<int:question_pk>/",
        coding_views.question_coding,
        name="coding-question",
    ),
    path(
        "surveys/<int:pk>/coding/<int:question_pk>/themes/",
        coding_views.question_themes,
        name="coding-themes",
    ),
    path(
        "surveys/<int:pk>/coding/<int:question_pk>/quotes/<int:answer_code_pk>/",
        coding_views.quote_mark,
        name="coding-quote",
    ),
]
