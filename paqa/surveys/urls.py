from django.urls import path

from paqa.surveys import public_views, views
from paqa.surveys.builder_urls import urlpatterns as builder_urlpatterns
from paqa.surveys.coding_urls import urlpatterns as coding_urlpatterns
from paqa.surveys.impact_urls import urlpatterns as impact_urlpatterns
from paqa.surveys.results_urls import urlpatterns as results_urlpatterns
from paqa.surveys.share_urls import urlpatterns as share_urlpatterns

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.home, name="home"),
    path("s/<slug:slug>/", public_views.start, name="public-start"),
    path("s/<slug:slug>/thank-you/", public_views.done, name="public-done"),
    path("s/<slug:slug>/r/<str:key>/check/", public_views.check, name="public-check"),
    path("s/<slug:slug>/r/<str:key>/<int:number>/", public_views.page, name="public-page"),
    *builder_urlpatterns,
    *share_urlpatterns,
    *results_urlpatterns,
    *coding_urlpatterns,
    *impact_urlpatterns,
]
