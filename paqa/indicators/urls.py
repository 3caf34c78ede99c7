from django.urls import path

from paqa.indicators import views

app_name = "indicators"

urlpatterns = [
    path("data/", views.dashboard, name="dashboard"),
    path("data/exceptions/", views.exception_list, name="exceptions"),
    path("data/import/", views.import_upload, name="import"),
    path("data/import/<int:pk>/", views.import_detail, name="import-detail"),
    path("data/import/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("data/indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("data/indicators/<slug:code>/edit/", views.indicator_edit, name="indicator-edit"),
    path("data/indicators/<slug:code>/commentary/", views.commentary_edit, name="commentary"),
]
