from django.urls import include, path

urlpatterns = [
    path("", include("paqa.core.urls")),
    path("", include("paqa.accounts.urls")),
    path("", include("paqa.partnership.urls")),
    path("", include("paqa.indicators.urls")),
    path("", include("paqa.returns.urls")),
    path("", include("paqa.assessments.urls")),
    path("", include("paqa.audits.urls")),
    path("", include("paqa.surveys.urls")),
    path("", include("paqa.voice.urls")),
    path("", include("paqa.escalations.urls")),
    path("", include("paqa.themes.urls")),
    path("", include("paqa.reports.urls")),
    path("", include("paqa.actions.urls")),
    path("", include("paqa.partnership.api_token_urls")),
    path("api/v1/", include("paqa.api_urls")),
]

handler403 = "paqa.core.views.permission_denied"
handler404 = "paqa.core.views.page_not_found"
handler500 = "paqa.core.views.server_error"
