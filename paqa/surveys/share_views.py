"""Giving out a survey (its public link and QR code, live counts), and moving it as YAML."""

from django.http import Http404, HttpRequest, HttpResponse


def survey_import(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet")


def share(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("Not built yet")


def qr_code(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    raise Http404("Not built yet")


def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("Not built yet")
