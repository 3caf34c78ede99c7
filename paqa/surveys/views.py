from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paqa.core.access import Capability, access_for
from paqa.surveys import selectors


def home(request: HttpRequest) -> HttpResponse:
    surveys = selectors.survey_list(user=request.user)
    access = access_for(request.user)
    return render(
        request,
        "surveys/home.html",
        {
            "surveys": surveys,
            "can_manage": access.can(Capability.MANAGE_SURVEYS),
            "can_code": access.can(Capability.CODE_FREE_TEXT),
        },
    )
