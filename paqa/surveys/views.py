from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paqa.core.access import Capability, access_for, require
from paqa.surveys.models import Survey


def home(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_SURVEY_RESULTS)
    access = access_for(request.user)
    return render(
        request,
        "surveys/home.html",
        {
            "surveys": Survey.objects.order_by("series", "-year"),
            "can_manage": access.can(Capability.MANAGE_SURVEYS),
            "can_code": access.can(Capability.CODE_FREE_TEXT),
        },
    )
