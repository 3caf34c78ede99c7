from django.urls import path

from paqa.themes import views

app_name = "themes"

urlpatterns = [
    path("themes/", views.overview_current, name="overview-current"),
    path("themes/<str:year>/", views.overview, name="overview"),
    path("themes/<str:year>/key-messages/new/", views.key_message_add, name="key-message-add"),
    path("themes/<str:year>/<slug:theme>/", views.theme_detail, name="theme"),
]
