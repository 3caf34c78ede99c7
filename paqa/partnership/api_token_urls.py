from django.urls import path

from paqa.partnership import api_token_views

app_name = "api-tokens"

urlpatterns = [
    path(
        "organisations/<int:pk>/api-keys/new/",
        api_token_views.api_token_create_page,
        name="create",
    ),
    path("api-keys/<int:pk>/revoke/", api_token_views.api_token_revoke_page, name="revoke"),
]
