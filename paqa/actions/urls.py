from django.urls import path

from paqa.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list, name="list"),
    path("actions/<int:pk>/", views.action_detail, name="detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="edit"),
    path("actions/<int:pk>/progress/", views.action_progress, name="progress"),
    path("actions/<int:pk>/done/", views.action_complete, name="complete"),
    path("actions/<int:pk>/cancel/", views.action_cancel, name="cancel"),
]
