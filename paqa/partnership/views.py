from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.models import User, normalise_email
from paqa.accounts.services import (
    mfa_reset,
    user_deactivate,
    user_reactivate,
    user_update_details,
)
from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.partnership import selectors, services
from paqa.partnership.api_token_selectors import api_token_list
from paqa.partnership.context_processors import DEFAULT_COLOUR
from paqa.partnership.forms import (
    AcceptInvitationForm,
    ConfirmForm,
    InvitationForm,
    MembershipCreateForm,
    MembershipRoleForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
    ServiceForm,
)
from paqa.partnership.models import Partnership

MANAGE = Capability.MANAGE_DIRECTORY


def _actor(request: HttpRequest) -> User:
    return acting_user(request)


@login_not_required
@require_GET
@cache_control(max_age=300, public=True)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The partnership's colour, as a stylesheet (so pages need no inline styles)."""
    current = selectors.partnership_current()
    colour = current.brand_colour if current else DEFAULT_COLOUR
    css = (
        f":root {{ --paqa-brand-colour: {colour}; }}\n"
        ".paqa-header { background-color: var(--paqa-brand-colour); }\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


# Organisations ------------------------------------------------------------------------------


def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_DIRECTORY)
    show_archived = request.GET.get("archived") == "1" and access_for(request.user).can(MANAGE)
    organisations = selectors.organisation_list(user=request.user, include_archived=show_archived)
    return render(
        request,
        "partnership/organisation_list.html",
        {
            "organisations": organisations,
            "show_archived": show_archived,
            "can_manage": access_for(request.user).can_everywhere(MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE)
    partnership = selectors.partnership_current()
    if partnership is None:
        partnership = Partnership.objects.create(name="Safeguarding Children Partnership")
    form = OrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                partnership=partnership, actor=_actor(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, _name_clash(error))
        else:
            messages.success(request, f"{organisation.name} has been added.")
            return redirect("partnership:organisation-detail", pk=organisation.pk)
    return form_page(request, form, cancel_url=reverse("partnership:organisation-list"))


def _name_clash(error: ValidationError) -> ValidationError:
    if hasattr(error, "error_dict") and "__all__" in error.error_dict:
        return ValidationError(
            {"name": "There is already an organisation or service with this name"}
        )
    return error


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    access = access_for(request.user)
    return render(
        request,
        "partnership/organisation_detail.html",
        {
            "organisation": organisation,
            "services": selectors.service_list(organisation=organisation),
            "memberships": selectors.membership_list(user=request.user, organisation=organisation),
            "invitations": selectors.invitation_list(user=request.user, organisation=organisation),
            "can_manage": access.can(MANAGE, organisation.pk),
            "can_view_history": access.can(Capability.VIEW_HISTORY),
            "api_tokens": api_token_list(user=request.user, organisation=organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    initial = {"name": organisation.name, "kind": organisation.kind}
    form = OrganisationForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, actor=_actor(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, _name_clash(error))
        else:
            messages.success(request, "The organisation has been updated.")
            return redirect("partnership:organisation-detail", pk=organisation.pk)
    return form_page(
        request,
        form,
        title=f"Change {organisation.name}",
        cancel_url=reverse("partnership:organisation-detail", args=[pk]),
    )


def _confirm(
    request: HttpRequest, *, title: str, body: str, button: str, cancel_url: str, warning: bool
) -> HttpResponse:
    return render(
        request,
        "partnership/confirm.html",
        {
            "form": ConfirmForm(),
            "title": title,
            "body": body,
            "button": button,
            "cancel_url": cancel_url,
            "warning": warning,
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_archive(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    if request.method == "POST":
        services.organisation_archive(organisation=organisation, actor=_actor(request))
        messages.success(request, f"{organisation.name} has been archived.")
        return redirect("partnership:organisation-list")
    return _confirm(
        request,
        title=f"Archive {organisation.name}?",
        body="Its services and everyone's roles in it will be archived too. People lose access "
        "through this organisation at once. Nothing is deleted: the history is kept and the "
        "organisation can be restored.",
        button="Archive organisation",
        cancel_url=reverse("partnership:organisation-detail", args=[pk]),
        warning=True,
    )


@require_POST
def organisation_restore(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE)
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    services.organisation_restore(organisation=organisation, actor=_actor(request))
    messages.success(
        request, f"{organisation.name} has been restored. Add its services and people again."
    )
    return redirect("partnership:organisation-detail", pk=pk)


# Services -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    form = ServiceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.service_create(
                organisation=organisation, actor=_actor(request), name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_validation_error(form, _name_clash(error))
        else:
            messages.success(request, "The service has been added.")
            return redirect("partnership:organisation-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=organisation.name,
        cancel_url=reverse("partnership:organisation-detail", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(user=request.user, pk=pk, for_change=True)
    form = ServiceForm(posted(request), initial={"name": service.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                service=service, actor=_actor(request), name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_validation_error(form, _name_clash(error))
        else:
            messages.success(request, "The service has been updated.")
            return redirect("partnership:organisation-detail", pk=service.organisation_id)
    return form_page(
        request,
        form,
        title="Change service",
        caption=service.organisation.name,
        cancel_url=reverse("partnership:organisation-detail", args=[service.organisation_id]),
    )


@require_http_methods(["GET", "POST"])
def service_archive(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:organisation-detail", args=[service.organisation_id])
    if request.method == "POST":
        services.service_archive(service=service, actor=_actor(request))
        messages.success(request, f"{service.name} has been archived.")
        return redirect(back)
    return _confirm(
        request,
        title=f"Archive {service.name}?",
        body="It will no longer be offered in new returns and audits. Its history is kept.",
        button="Archive service",
        cancel_url=back,
        warning=False,
    )


# Memberships and invitations ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    form = InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                organisation=organisation,
                actor=_actor(request),
                accept_url_for=lambda token: request.build_absolute_uri(
                    reverse("partnership:invitation-accept", args=[token])
                ),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"An invitation has been sent to {invitation.email}.")
            return redirect("partnership:organisation-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=organisation.name,
        cancel_url=reverse("partnership:organisation-detail", args=[pk]),
    )


@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    services.invitation_withdraw(invitation=invitation, actor=_actor(request))
    messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
    return redirect("partnership:organisation-detail", pk=invitation.organisation_id)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "partnership/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"], request=request
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your account has been created. Sign in to continue.")
            return redirect("accounts:sign-in")
    return render(
        request,
        "partnership/invitation_accept.html",
        {"form": form, "invitation": invitation},
    )


@require_http_methods(["GET", "POST"])
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, for_change=True)
    form = MembershipCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(email=normalise_email(form.cleaned_data["email"])).first()
        if person is None:
            form.add_error("email", "Nobody has an account with this email address; invite them")
        else:
            try:
                services.membership_create(
                    user=person,
                    organisation=organisation,
                    role=form.cleaned_data["role"],
                    actor=_actor(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"{person} now has a role in {organisation.name}.")
                return redirect("partnership:organisation-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=organisation.name,
        cancel_url=reverse("partnership:organisation-detail", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, pk=pk, for_change=True)
    form = MembershipRoleForm(posted(request), initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        services.membership_change_role(
            membership=membership, actor=_actor(request), role=form.cleaned_data["role"]
        )
        messages.success(request, f"{membership.user}’s role has been changed.")
        return redirect("partnership:organisation-detail", pk=membership.organisation_id)
    return form_page(
        request,
        form,
        title=f"Change {membership.user}’s role",
        caption=membership.organisation.name,
        cancel_url=reverse("partnership:organisation-detail", args=[membership.organisation_id]),
    )


@require_http_methods(["GET", "POST"])
def membership_archive(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:organisation-detail", args=[membership.organisation_id])
    if request.method == "POST":
        services.membership_archive(membership=membership, actor=_actor(request))
        messages.success(
            request, f"{membership.user} no longer has a role in {membership.organisation}."
        )
        return redirect(back)
    return _confirm(
        request,
        title=f"Remove {membership.user}’s role in {membership.organisation}?",
        body="They lose access through this organisation at once. Their account stays, with "
        "any other roles they have.",
        button="Remove role",
        cancel_url=back,
        warning=True,
    )


# People -------------------------------------------------------------------------------------


def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_DIRECTORY)
    can_manage = access_for(request.user).can_everywhere(MANAGE)
    show_deactivated = can_manage and request.GET.get("deactivated") == "1"
    return render(
        request,
        "partnership/person_list.html",
        {
            "people": selectors.person_list(
                user=request.user, include_deactivated=show_deactivated
            ),
            "show_deactivated": show_deactivated,
            "can_manage": can_manage,
        },
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    access = access_for(request.user)
    return render(
        request,
        "partnership/person_detail.html",
        {
            "person": person,
            "can_manage": access.can_everywhere(MANAGE),
            "can_view_history": access.can(Capability.VIEW_HISTORY),
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, for_change=True)
    form = PersonForm(
        posted(request), initial={"full_name": person.full_name, "job_title": person.job_title}
    )
    if request.method == "POST" and form.is_valid():
        user_update_details(user=person, actor=_actor(request), **form.cleaned_data)
        messages.success(request, "Their details have been updated.")
        return redirect("partnership:person-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=str(person),
        cancel_url=reverse("partnership:person-detail", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:person-detail", args=[pk])
    if person.pk == request.user.pk:
        messages.error(request, "You cannot deactivate your own account.")
        return redirect(back)
    if request.method == "POST":
        user_deactivate(user=person, actor=_actor(request))
        messages.success(request, f"{person} can no longer sign in. Any open session has ended.")
        return redirect(back)
    return _confirm(
        request,
        title=f"Deactivate {person}?",
        body="They will be signed out at once and cannot sign in again until reactivated. "
        "Everything they recorded is kept.",
        button="Deactivate",
        cancel_url=back,
        warning=True,
    )


@require_http_methods(["GET", "POST"])
def person_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, for_change=True)
    back = reverse("partnership:person-detail", args=[pk])
    if request.method == "POST":
        mfa_reset(user=person, actor=_actor(request), request=request)
        messages.success(
            request,
            f"{person}’s two-factor authentication has been reset. They will set up a new "
            "authenticator app the next time they sign in.",
        )
        return redirect(back)
    return _confirm(
        request,
        title=f"Reset {person}’s two-factor authentication?",
        body="Do this only when they have lost both their authenticator app and their recovery "
        "codes, and you have confirmed who they are. Their current authenticator and recovery "
        "codes stop working, and any session they have open ends.",
        button="Reset two-factor authentication",
        cancel_url=back,
        warning=True,
    )


@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, for_change=True)
    user_reactivate(user=person, actor=_actor(request))
    messages.success(request, f"{person} can sign in again.")
    return redirect("partnership:person-detail", pk=pk)


# Partnership settings ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def partnership_settings(request: HttpRequest) -> HttpResponse:
    if not access_for(request.user).can_everywhere(MANAGE):
        raise PermissionDenied("Only the partnership's admins change its settings.")
    partnership = selectors.partnership_current()
    if partnership is None:
        partnership = Partnership.objects.create(name="Safeguarding Children Partnership")
    form = PartnershipForm(
        posted(request),
        initial={
            "name": partnership.name,
            "short_name": partnership.short_name,
            "brand_colour": partnership.brand_colour,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.partnership_update(
            partnership=partnership, actor=_actor(request), **form.cleaned_data
        )
        messages.success(request, "The partnership settings have been saved.")
        return redirect("partnership:organisation-list")
    return form_page(request, form, cancel_url=reverse("partnership:organisation-list"))
