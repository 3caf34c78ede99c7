from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.actions.selectors import actions_for_source
from paqa.actions.services import action_create
from paqa.assessments import checking, selectors, services
from paqa.assessments.forms import (
    ActionForm,
    AnswerForm,
    AttachmentForm,
    ChallengeForm,
    CycleForm,
    ExtensionForm,
    ResponseForm,
    SignOffForm,
)
from paqa.assessments.models import Answer, Attachment, Return
from paqa.core.access import Capability, access_for, require
from paqa.core.documents import PdfUnavailable, pdf_response, render_pdf
from paqa.core.exports import table_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.uploads import UploadRejected

EXPORT_FORMATS = {"csv", "xlsx"}


# Home and cycles --------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    cycles = selectors.cycle_list(user=request.user)
    access = access_for(request.user)
    own = access.organisation_ids(Capability.EDIT_RETURNS)
    own_returns = (
        selectors.returns_visible(user=request.user).filter(organisation_id__in=own) if own else []
    )
    return render(
        request,
        "assessments/home.html",
        {
            "cycles": cycles,
            "own_returns": own_returns,
            "can_manage": access.can_everywhere(Capability.MANAGE_CYCLES),
        },
    )


@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_CYCLES)
    form = CycleForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(
                framework=form.cleaned_data["framework"],
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                organisations=list(form.cleaned_data["organisations"]),
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The {cycle} cycle is open.")
            return redirect("assessments:cycle", pk=cycle.pk)
    return form_page(request, form)


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    summary = selectors.cycle_summary(user=request.user, cycle=cycle)
    access = access_for(request.user)
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        header = ["Organisation"]
        for standard in summary.standards:
            header += [
                f"{standard.number}. {standard.title} (self)",
                f"{standard.number} (moderated)",
            ]
        rows = [
            [row.assessment_return.organisation.name]
            + [
                value
                for cell in row.cells
                for value in (
                    cell.self_rating.label if cell.self_rating else "",
                    cell.moderated.label if cell.moderated else "",
                )
            ]
            for row in summary.rows
        ]
        return table_response(fmt, f"self-assessment-{cycle.year}", header, rows)
    # A link only to the returns the person may open: an agency lead sees the heat map of every
    # organisation, but may open only their own organisation's return.
    openable = set(
        selectors.returns_visible(user=request.user)
        .filter(cycle=cycle)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "assessments/cycle_detail.html",
        {
            "cycle": cycle,
            "summary": summary,
            "participation": cycle.returns.select_related("organisation").prefetch_related(
                "reminders"
            )
            if access.can(Capability.VIEW_RETURNS)
            else None,
            "openable": openable,
            "can_manage": access.can_everywhere(Capability.MANAGE_CYCLES),
            "levels": list(summary.levels.values()),
        },
    )


def cycle_year_on_year(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    before, changes = selectors.year_on_year(user=request.user, cycle=cycle)
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        return table_response(
            fmt,
            f"year-on-year-{cycle.year}",
            ["Organisation", "Standard", before.year if before else "Before", cycle.year, "Change"],
            [
                [
                    c.organisation,
                    str(c.standard),
                    c.before.label if c.before else "",
                    c.now.label if c.now else "",
                    c.change,
                ]
                for c in changes
            ],
        )
    return render(
        request,
        "assessments/year_on_year.html",
        {"cycle": cycle, "before": before, "changes": changes},
    )


def cycle_action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    keys = [
        f"assessments.answer:{pk}"
        for pk in Answer.objects.filter(assessment_return__cycle=cycle).values_list("pk", flat=True)
    ]
    from paqa.actions.selectors import action_list

    actions = action_list(user=request.user).filter(source_key__in=keys)
    return render(request, "assessments/action_plan.html", {"cycle": cycle, "actions": actions})


@require_POST
def cycle_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_CYCLES)
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    sent = services.reminders_send(cycle=cycle, actor=acting_user(request))
    messages.success(
        request,
        f"Reminders sent to {len(sent)} organisation{'s' if len(sent) != 1 else ''} "
        "that have not returned.",
    )
    return redirect("assessments:cycle", pk=pk)


# One return ---------------------------------------------------------------------------------


def _answer_rows(assessment_return: Return) -> list[dict[str, Any]]:
    levels = selectors.levels_of(cycle=assessment_return.cycle)
    rows = []
    for answer in assessment_return.answers.select_related("standard"):
        problem = services.rating_problem(
            answer.rating, answer.evidence, answer.example, levels.get(answer.rating)
        )
        rows.append(
            {
                "answer": answer,
                "level": levels.get(answer.rating),
                "moderated": levels.get(answer.moderated_rating),
                "problem": problem,
            }
        )
    return rows


def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    access = access_for(request.user)
    can_edit = access.can(Capability.EDIT_RETURNS, assessment_return.organisation_id)
    rows = _answer_rows(assessment_return)
    return render(
        request,
        "assessments/return_detail.html",
        {
            "assessment_return": assessment_return,
            "rows": rows,
            "complete": not any(row["problem"] for row in rows),
            "can_edit": can_edit and not assessment_return.is_locked,
            "can_respond": can_edit and assessment_return.status == Return.Status.CHALLENGED,
            "can_challenge": access.can(Capability.CHALLENGE_RETURNS)
            and assessment_return.status in (Return.Status.SUBMITTED, Return.Status.CHALLENGED),
            "can_manage": access.can_everywhere(Capability.MANAGE_CYCLES),
            "attachments": assessment_return.attachments.filter(archived_at__isnull=True),
            "variant_name": assessment_return.cycle.framework.variant_name(
                assessment_return.variant
            ),
        },
    )


def _criteria(answer: Answer, variant: str) -> list[Any]:
    criteria = list(answer.standard.criteria.filter(variant=variant))
    return criteria or list(answer.standard.criteria.filter(variant=""))


@require_http_methods(["GET", "POST"])
def answer_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    answer = selectors.answer_get(
        user=request.user, assessment_return=assessment_return, number=number
    )
    can_edit = (
        access_for(request.user).can(Capability.EDIT_RETURNS, assessment_return.organisation_id)
        and not assessment_return.is_locked
    )
    levels = list(assessment_return.cycle.framework.scale.levels.all())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("This return cannot be changed by you.")
        form = AnswerForm(request.POST, levels=levels)
        if form.is_valid():
            try:
                services.answer_save(
                    answer=answer,
                    actor=acting_user(request),
                    rating=form.cleaned_data["rating"],
                    evidence=form.cleaned_data["evidence"],
                    example=form.cleaned_data["example"],
                    based_on_version=form.cleaned_data["version"],
                )
            except services.AnswerConflict as clash:
                answer.refresh_from_db()
                return render(
                    request,
                    "assessments/conflict.html",
                    {
                        "assessment_return": assessment_return,
                        "answer": answer,
                        "yours": clash.conflict.data,
                        "levels": {level.code: level for level in levels},
                    },
                    status=409,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"Standard {answer.standard.number} has been saved.")
                return redirect("assessments:return", pk=pk)
    else:
        form = AnswerForm(
            initial={
                "version": answer.version,
                "rating": answer.rating,
                "evidence": answer.evidence,
                "example": answer.example,
            },
            levels=levels,
        )
    previous = None
    if assessment_return.carried_from_id:
        previous = (
            Answer.objects.filter(
                assessment_return_id=assessment_return.carried_from_id,
                standard__code=answer.standard.code,
            )
            .select_related("assessment_return__cycle")
            .first()
        )
    return render(
        request,
        "assessments/answer_edit.html",
        {
            "assessment_return": assessment_return,
            "answer": answer,
            "form": form,
            "can_edit": can_edit,
            "criteria": _criteria(answer, assessment_return.variant),
            "previous": previous,
            "attachments": assessment_return.attachments.filter(
                archived_at__isnull=True, standard=answer.standard
            ),
            "attachment_form": AttachmentForm(),
            "actions": actions_for_source(user=request.user, source_key=answer.action_source_key),
            "action_form": ActionForm(),
            "levels": {level.code: level for level in levels},
        },
    )


@require_POST
def attachment_upload(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    answer = selectors.answer_get(
        user=request.user, assessment_return=assessment_return, number=number
    )
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                assessment_return=assessment_return,
                standard_id=answer.standard_id,
                upload=form.cleaned_data["file"],
                actor=acting_user(request),
            )
        except UploadRejected as rejected:
            form.add_error("file", str(rejected))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{attachment.name} has been attached.")
            return redirect("assessments:answer", pk=pk, number=number)
    return form_page(
        request,
        form,
        caption=str(answer.standard),
        cancel_url=reverse("assessments:answer", args=[pk, number]),
        status=400,
    )


def _attachment_get(request: HttpRequest, pk: int) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("assessment_return").get(
            pk=pk, archived_at__isnull=True
        )
    except Attachment.DoesNotExist as missing:
        raise Http404("No such document.") from missing
    # Reachable only through a return the user may see.
    selectors.return_get(user=request.user, pk=attachment.assessment_return_id)
    return attachment


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment_get(request, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment_get(request, pk)
    selectors.return_get(user=request.user, pk=attachment.assessment_return_id, for_edit=True)
    try:
        services.attachment_archive(attachment=attachment, actor=acting_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{attachment.name} has been removed.")
    return redirect("assessments:return", pk=attachment.assessment_return_id)


@require_POST
def action_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    answer = selectors.answer_get(
        user=request.user, assessment_return=assessment_return, number=number
    )
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            action_create(
                owner_organisation=assessment_return.organisation,
                title=form.cleaned_data["title"],
                owner_name=form.cleaned_data["owner_name"],
                due_date=form.cleaned_data["due_date"],
                source_key=answer.action_source_key,
                source_label=services.answer_label(answer),
                source_url=reverse("assessments:answer", args=[pk, number]),
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been added to the action plan.")
            return redirect("assessments:answer", pk=pk, number=number)
    return form_page(
        request,
        form,
        caption=str(answer.standard),
        cancel_url=reverse("assessments:answer", args=[pk, number]),
        status=400,
    )


@require_http_methods(["GET", "POST"])
def return_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    user = acting_user(request)
    form = SignOffForm(posted(request), initial={"role_title": user.job_title})
    if request.method == "POST" and form.is_valid():
        try:
            services.return_sign_off(
                assessment_return=assessment_return,
                actor=user,
                role_title=form.cleaned_data["role_title"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The return is signed off. You can now submit it.")
            return redirect("assessments:return", pk=pk)
    return form_page(
        request,
        form,
        caption=str(assessment_return),
        intro=f"You are signing off as {user.full_name}.",
        cancel_url=reverse("assessments:return", args=[pk]),
    )


def _check_page(
    request: HttpRequest, assessment_return: Return, errors: list[str] | None = None
) -> HttpResponse:
    """Check your answers: everything the submission sends, each with a way back to change it."""
    rows = _answer_rows(assessment_return)
    documents: dict[int | None, list[Attachment]] = {}
    for attachment in assessment_return.attachments.filter(archived_at__isnull=True):
        documents.setdefault(attachment.standard_id, []).append(attachment)
    for row in rows:
        row["documents"] = documents.get(row["answer"].standard_id, [])
    pk = assessment_return.pk
    problems = [
        (
            f"Standard {row['answer'].standard.number}: {row['problem']}",
            reverse("assessments:answer", args=[pk, row["answer"].standard.number]),
        )
        for row in rows
        if row["problem"]
    ]
    if assessment_return.status != Return.Status.SIGNED_OFF:
        problems.append(
            (
                "A senior lead must sign off the return before it is submitted",
                reverse("assessments:sign-off", args=[pk]),
            )
        )
    return render(
        request,
        "assessments/return_check.html",
        {
            "assessment_return": assessment_return,
            "rows": rows,
            "unfiled": documents.get(None, []),
            "problems": problems,
            "errors": errors or [],
            "token": checking.check_token(assessment_return=assessment_return, user=request.user),
            "variant_name": assessment_return.cycle.framework.variant_name(
                assessment_return.variant
            ),
        },
    )


@never_cache
@require_GET
def return_check(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    if assessment_return.is_locked:
        return redirect("assessments:return", pk=pk)
    return _check_page(request, assessment_return)


@require_POST
def return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit only what the check page showed: without its token, or once the return has
    changed since, nothing is sent and the answers are checked again."""
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    if assessment_return.is_locked:
        return redirect("assessments:submitted", pk=pk)
    try:
        checked = checking.return_submit_checked(
            assessment_return=assessment_return,
            actor=acting_user(request),
            token=request.POST.get("check_token"),
        )
    except ValidationError as error:
        return _check_page(request, assessment_return, errors=error.messages)
    if checked is not checking.Checked.VALID:
        messages.error(request, checking.MESSAGES[checked])
        return redirect("assessments:check", pk=pk)
    return redirect("assessments:submitted", pk=pk)


@require_GET
def return_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation, once the return is submitted."""
    assessment_return = selectors.return_get(user=request.user, pk=pk, for_edit=True)
    if not assessment_return.is_locked:
        return redirect("assessments:return", pk=pk)
    return render(
        request, "assessments/return_submitted.html", {"assessment_return": assessment_return}
    )


@require_http_methods(["GET", "POST"])
def answer_challenge(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    require(request.user, Capability.CHALLENGE_RETURNS)
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    answer = selectors.answer_get(
        user=request.user, assessment_return=assessment_return, number=number
    )
    levels = list(assessment_return.cycle.framework.scale.levels.all())
    form = ChallengeForm(
        posted(request),
        initial={"challenge": answer.challenge, "moderated_rating": answer.moderated_rating},
        levels=levels,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_challenge(
                answer=answer,
                actor=acting_user(request),
                challenge=form.cleaned_data["challenge"],
                moderated_rating=form.cleaned_data["moderated_rating"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The challenge on standard {number} has been saved.")
            return redirect("assessments:return", pk=pk)
    return render(
        request,
        "assessments/challenge.html",
        {
            "form": form,
            "answer": answer,
            "assessment_return": assessment_return,
            "level": {lv.code: lv for lv in levels}.get(answer.rating),
        },
    )


@require_http_methods(["GET", "POST"])
def answer_respond(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    require(request.user, Capability.EDIT_RETURNS, assessment_return.organisation_id)
    answer = selectors.answer_get(
        user=request.user, assessment_return=assessment_return, number=number
    )
    form = ResponseForm(posted(request), initial={"response": answer.response})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_respond(
                answer=answer, actor=acting_user(request), response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your response has been saved.")
            return redirect("assessments:return", pk=pk)
    return form_page(
        request,
        form,
        caption=str(answer.standard),
        intro=answer.challenge,
        cancel_url=reverse("assessments:return", args=[pk]),
    )


@require_POST
def return_accept(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.CHALLENGE_RETURNS)
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    try:
        services.return_accept(assessment_return=assessment_return, actor=acting_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "The return has been accepted.")
    return redirect("assessments:return", pk=pk)


@require_http_methods(["GET", "POST"])
def return_extend(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_CYCLES)
    # Admins set deadlines for every return, drafts included; the form shows no answers.
    assessment_return = Return.objects.select_related("cycle", "organisation").filter(pk=pk).first()
    if assessment_return is None:
        raise Http404("No such return.")
    form = ExtensionForm(posted(request), initial={"deadline": assessment_return.deadline})
    if request.method == "POST" and form.is_valid():
        try:
            services.return_extend_deadline(
                assessment_return=assessment_return,
                actor=acting_user(request),
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{assessment_return.organisation}'s deadline has been extended."
            )
            return redirect("assessments:cycle", pk=assessment_return.cycle_id)
    return form_page(
        request,
        form,
        caption=str(assessment_return),
        cancel_url=reverse("assessments:cycle", args=[assessment_return.cycle_id]),
    )


def return_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_return = selectors.return_get(user=request.user, pk=pk)
    if not assessment_return.is_locked:
        raise Http404("The PDF is available once the return is submitted.")
    try:
        pdf = render_pdf(
            template="assessments/return_pdf.html",
            context={
                "assessment_return": assessment_return,
                "rows": _answer_rows(assessment_return),
            },
            title=str(assessment_return),
        )
    except PdfUnavailable as unavailable:
        messages.error(request, str(unavailable))
        return redirect("assessments:return", pk=pk)
    return pdf_response(
        pdf, f"{assessment_return.organisation.name} {assessment_return.cycle}".replace(" ", "-")
    )
