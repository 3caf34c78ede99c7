"""The JSON API, under /api/v1/. Every route has its own authentication (an organisation's API
key, or none for the schema), so every route is marked login_not_required for the site's
LoginRequiredMiddleware."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from paqa.indicators.api import IndicatorListView, ObservationSubmitView

app_name = "api"

urlpatterns = [
    path(
        "schema/",
        login_not_required(
            SpectacularAPIView.as_view(
                permission_classes=[AllowAny],
                authentication_classes=[],
                renderer_classes=[OpenApiJsonRenderer],
            )
        ),
        name="schema",
    ),
    path("indicators/", login_not_required(IndicatorListView.as_view()), name="indicators"),
    path("observations/", login_not_required(ObservationSubmitView.as_view()), name="observations"),
]
