from django.urls import URLPattern, path

from paqa.surveys import share_views

urlpatterns: list[URLPattern] = [
    path("surveys/import/", share_views.survey_import, name="import"),
    path("surveys/<int:pk>/share/", share_views.share, name="share"),
    path("surveys/<int:pk>/share/qr.<str:fmt>", share_views.qr_code, name="qr"),
    path("surveys/<int:pk>/export.yaml", share_views.survey_export, name="export"),
]
