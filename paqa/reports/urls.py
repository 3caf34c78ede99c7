from django.urls import path

from paqa.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.home, name="home"),
    path("reports/<str:year>/", views.report_latest, name="report"),
    path("reports/<str:year>/draft/", views.draft, name="draft"),
    path("reports/<str:year>/sections/<slug:key>/", views.section_edit, name="section"),
    path("reports/<str:year>/charts/", views.charts, name="charts"),
    path("reports/<str:year>/publish/", views.publish, name="publish"),
    path("reports/<str:year>/versions/<int:number>/", views.version, name="version"),
    path("reports/<str:year>/exports/", views.export_start, name="export-start"),
    path("reports/<str:year>/exports/<int:pk>/", views.export_detail, name="export"),
    path(
        "reports/<str:year>/exports/<int:pk>/download/",
        views.export_download,
        name="export-download",
    ),
]
