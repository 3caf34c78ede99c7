from django.urls import URLPattern

app_name = "themes"

urlpatterns: list[URLPattern] = []
