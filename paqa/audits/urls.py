from django.urls import path

app_name = "audits"

urlpatterns: list = []  # filled in below by views as they are written
