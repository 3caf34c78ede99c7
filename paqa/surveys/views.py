from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paqa.core.access import Capability, access_for
from paqa.surveys import builder_selectors


def home(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    can_manage = access.can(Capability.MANAGE_SURVEYS)
    return render(
        request,
        "surveys/home.html",
        {
            "surveys": builder_selectors.surveys_listed(user=request.user, can_manage=can_manage),
            "can_manage": can_manage,
            "can_code": access.can(Capability.CODE_FREE_TEXT),
        },
    )
