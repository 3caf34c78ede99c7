from django.urls import path

from paqa.returns import views

app_name = "returns"

urlpatterns = [
    path("data/returns/", views.return_list, name="list"),
    path("data/returns/<int:pk>/", views.return_detail, name="detail"),
    path("data/returns/<int:pk>/confirm/", views.return_confirm, name="confirm"),
    path("data/returns/<int:pk>/delete-records/", views.return_records_delete, name="delete"),
    path("data/returns/<int:pk>/figures/<slug:code>/", views.figure_children, name="children"),
]
