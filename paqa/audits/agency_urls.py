"""Single-agency audit returns. Included in the audits app's URLs (namespace "audits")."""

from django.urls import path

from paqa.audits import agency_views as views

urlpatterns = [
    path("audits/agency-returns/", views.agency_list, name="agency-list"),
    path("audits/agency-returns/new/", views.agency_create, name="agency-create"),
    path("audits/agency-returns/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("audits/agency-returns/<int:pk>/change/", views.agency_edit, name="agency-edit"),
    path("audits/agency-returns/<int:pk>/check/", views.agency_check, name="agency-check"),
    path("audits/agency-returns/<int:pk>/submit/", views.agency_submit, name="agency-submit"),
    path("audits/agency-returns/<int:pk>/review/", views.agency_review, name="agency-review"),
    path(
        "audits/agency-returns/<int:pk>/actions/",
        views.agency_action_add,
        name="agency-action-add",
    ),
]
