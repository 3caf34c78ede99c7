from django.urls import path

from paqa.audits import views
from paqa.audits.agency_urls import urlpatterns as agency_urlpatterns

app_name = "audits"

urlpatterns = [
    path("audits/", views.home, name="home"),
    path("audits/new/", views.audit_create, name="audit-create"),
    path("audits/themes/<str:year>/", views.themes_for_year, name="themes"),
    path("audits/<int:pk>/", views.audit_detail, name="audit"),
    path("audits/<int:pk>/change/", views.audit_edit, name="audit-edit"),
    path("audits/<int:pk>/advance/", views.audit_advance, name="advance"),
    path("audits/<int:pk>/cases/new/", views.case_add, name="case-add"),
    path("audits/<int:pk>/cases/select/", views.case_select, name="case-select"),
    path("audits/<int:pk>/cases/key/<str:token>/", views.case_key, name="case-key"),
    path(
        "audits/<int:pk>/cases/key/<str:token>/download/",
        views.case_key_download,
        name="case-key-download",
    ),
    path("audits/<int:pk>/cases/<int:case_pk>/", views.case_detail, name="case"),
    path("audits/<int:pk>/cases/<int:case_pk>/grades/", views.case_grades, name="grades"),
    path("audits/<int:pk>/cases/<int:case_pk>/unsafe/", views.case_unsafe, name="unsafe"),
    path(
        "audits/<int:pk>/cases/<int:case_pk>/unsafe/<int:flag_pk>/resolve/",
        views.flag_resolve,
        name="resolve",
    ),
    path("audits/<int:pk>/cases/<int:case_pk>/feedback/", views.case_feedback, name="feedback"),
    path("audits/<int:pk>/findings/new/", views.finding_add, name="finding-add"),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/action/",
        views.finding_action,
        name="finding-action",
    ),
    path("audits/<int:pk>/learning-brief.pdf", views.learning_brief_pdf, name="brief-pdf"),
    path("audits/<int:pk>/learning-brief.docx", views.learning_brief_docx, name="brief-docx"),
    path("audits/sections/<int:pk>/", views.section_edit, name="section"),
    path("audits/sections/<int:pk>/check/", views.section_check, name="section-check"),
    path("audits/sections/<int:pk>/submit/", views.section_submit, name="section-submit"),
    path("audits/sections/<int:pk>/auditors/", views.section_assign, name="assign"),
    *agency_urlpatterns,
]
