"""Pages for building and running a survey."""

from django.http import Http404, HttpRequest, HttpResponse


def survey_create(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet")


def manage(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("Not built yet")
