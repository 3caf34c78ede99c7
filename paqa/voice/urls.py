from django.urls import path

from paqa.voice import views

app_name = "voice"

urlpatterns = [
    path("voice/", views.voice_list, name="list"),
    path("voice/new/", views.voice_create, name="create"),
    path("voice/<int:pk>/", views.voice_detail, name="detail"),
    path("voice/<int:pk>/edit/", views.voice_edit, name="edit"),
    path("voice/<int:pk>/we-did/", views.you_said_we_did_add, name="we-did"),
]
