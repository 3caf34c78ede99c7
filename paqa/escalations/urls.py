from django.urls import URLPattern

app_name = "escalations"

urlpatterns: list[URLPattern] = []
