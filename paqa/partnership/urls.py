from django.urls import path

from paqa.partnership import views

app_name = "partnership"

urlpatterns = [
    path("brand.css", views.brand_css, name="brand-css"),
    path("partnership/settings/", views.partnership_settings, name="settings"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path(
        "organisations/<int:pk>/archive/", views.organisation_archive, name="organisation-archive"
    ),
    path(
        "organisations/<int:pk>/restore/", views.organisation_restore, name="organisation-restore"
    ),
    path("organisations/<int:pk>/services/new/", views.service_create, name="service-create"),
    path("organisations/<int:pk>/invite/", views.invitation_create, name="invitation-create"),
    path("organisations/<int:pk>/people/add/", views.membership_create, name="membership-create"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
    path("services/<int:pk>/archive/", views.service_archive, name="service-archive"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership-edit"),
    path("memberships/<int:pk>/archive/", views.membership_archive, name="membership-archive"),
    path("invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation-withdraw"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person-reactivate"),
    path("people/<int:pk>/reset-two-factor/", views.person_mfa_reset, name="person-mfa-reset"),
]
