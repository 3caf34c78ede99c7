"""Pages where partnership admins make and revoke the API keys of an organisation's systems."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paqa.accounts.signin import acting_user
from paqa.core.form_pages import form_page
from paqa.core.forms import GovUKForm, apply_validation_error, posted
from paqa.partnership import selectors
from paqa.partnership.api_token_selectors import api_token_get
from paqa.partnership.api_tokens import api_token_create, api_token_revoke
from paqa.partnership.views import _confirm


class ApiTokenForm(GovUKForm):
    page_title = "Make an API key"
    submit_label = "Make key"

    name = forms.CharField(
        label="What will use this key?",
        help_text="For example, CAMHS data warehouse. People will see this name beside the key.",
        max_length=100,
        error_messages={"required": "Enter what will use this key"},
    )


@require_http_methods(["GET", "POST"])
def api_token_create_page(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:organisation-detail", args=[pk])
    form = ApiTokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            # Shown on this response only: the key is not kept, so it cannot be shown again.
            return render(
                request,
                "partnership/api_token_created.html",
                {
                    "organisation": organisation,
                    "token": token,
                    "key": key,
                    "back_url": back,
                    "observations_url": request.build_absolute_uri(reverse("api:observations")),
                    "schema_url": request.build_absolute_uri(reverse("api:schema")),
                },
            )
    return form_page(
        request,
        form,
        caption=organisation.name,
        cancel_url=back,
        intro=f"The key lets a system send {organisation.name}’s figures to PAQA. It can "
        "send figures only for the indicators this organisation is the source of.",
    )


@require_http_methods(["GET", "POST"])
def api_token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_token_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:organisation-detail", args=[token.organisation_id])
    if token.revoked_at is not None:
        messages.info(request, f"The key {token.name} was already revoked.")
        return redirect(back)
    if request.method == "POST":
        api_token_revoke(token=token, actor=acting_user(request))
        messages.success(request, f"The key {token.name} has been revoked. It no longer works.")
        return redirect(back)
    return _confirm(
        request,
        title=f"Revoke the key {token.name}?",
        body=f"The key starting {token.prefix} stops working at once: the system using it can "
        f"no longer send {token.organisation.name}’s figures. This cannot be undone; make a new "
        "key if the system needs one.",
        button="Revoke key",
        cancel_url=back,
        warning=True,
    )
