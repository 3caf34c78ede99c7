from django.urls import URLPattern, path

from paqa.surveys import builder_views

urlpatterns: list[URLPattern] = [
    path("surveys/new/", builder_views.survey_create, name="create"),
    path("surveys/<int:pk>/manage/", builder_views.manage, name="manage"),
]
