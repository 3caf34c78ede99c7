from django.urls import path

from paqa.escalations import views

app_name = "escalations"

urlpatterns = [
    path("escalations/", views.register, name="register"),
    path("escalations/new/", views.raise_escalation, name="raise"),
    path("escalations/reminders/", views.remind, name="remind"),
    path("escalations/<int:pk>/", views.detail, name="detail"),
    path("escalations/<int:pk>/update/", views.update, name="update"),
    path("escalations/<int:pk>/respond/", views.respond, name="respond"),
    path("escalations/<int:pk>/assure/", views.assure, name="assure"),
    path("escalations/<int:pk>/close/", views.close, name="close"),
    path("escalations/<int:pk>/re-escalate/", views.reescalate, name="reescalate"),
    path("escalations/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path(
        "escalations/<int:pk>/evidence/<int:link_pk>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path("escalations/<int:pk>/actions/new/", views.action_add, name="action-add"),
]
