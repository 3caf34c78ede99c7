from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.models import User
from paqa.accounts.signin import acting_user
from paqa.actions.selectors import action_list, actions_for_source
from paqa.audits import case_keys, checking, selectors, services
from paqa.audits.forms import (
    AdvanceForm,
    AssignForm,
    AuditEditForm,
    AuditForm,
    CaseForm,
    FeedbackForm,
    FindingActionForm,
    FindingForm,
    GradesForm,
    ResolveForm,
    SectionForm,
    SelectionForm,
    UnsafeForm,
)
from paqa.audits.models import Audit, CaseSection, DomainGrade, UnsafeFlag
from paqa.core.access import Capability, Role, access_for, require
from paqa.core.charts import ChartSeries, bar_chart, describe_bars
from paqa.core.documents import PdfUnavailable, pdf_response, render_pdf
from paqa.core.exports import csv_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.word import DocxBuilder, docx_response

# Audits ---------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    audits = selectors.audit_list(user=request.user)
    years = sorted({audit.year for audit in audits}, reverse=True)
    return render(
        request,
        "audits/home.html",
        {
            "audits": audits,
            "years": years,
            "can_lead": access_for(request.user).can(Capability.LEAD_AUDITS),
            "my_sections": _my_sections(request),
        },
    )


def _my_sections(request: HttpRequest) -> list[CaseSection]:
    user = request.user
    return list(
        selectors.sections_visible(user=user)
        .filter(status=CaseSection.Status.DRAFT)
        .filter(
            Q(auditors=user)
            | Q(
                organisation__memberships__user=user,
                organisation__memberships__role=Role.AGENCY_LEAD,
                organisation__memberships__archived_at__isnull=True,
            )
        )
        .select_related("case__audit", "organisation")
        .distinct()[:50]
    )


@require_http_methods(["GET", "POST"])
def audit_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.LEAD_AUDITS)
    form = AuditForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_create(
                lead=acting_user(request), actor=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The audit ‘{audit.title}’ has been set up.")
            return redirect("audits:audit", pk=audit.pk)
    return form_page(request, form, cancel_url=reverse("audits:home"))


@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    form = AuditEditForm(
        posted(request),
        initial={
            "title": audit.title,
            "theme": audit.theme,
            "year": audit.year,
            "terms_of_reference": audit.terms_of_reference,
            "key_lines_of_enquiry": audit.key_lines_of_enquiry,
            "period_start": audit.period_start,
            "period_end": audit.period_end,
            "sections_due": audit.sections_due,
            "themes": audit.themes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_update(audit=audit, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your changes to the audit have been saved.")
            return redirect("audits:audit", pk=pk)
    return form_page(
        request, form, caption=audit.title, cancel_url=reverse("audits:audit", args=[pk])
    )


def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    chart, table_rows, levels = _distribution_chart(audit)
    findings = list(audit.findings.select_related("domain").prefetch_related("cases"))
    actions = {
        finding.pk: actions_for_source(user=request.user, source_key=finding.action_source_key)
        for finding in findings
    }
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "cohort": selectors.cohort(user=request.user, audit=audit),
            "organisations": audit.organisations.all(),
            "chart": chart,
            "levels": levels,
            "table_rows": table_rows,
            "findings": [
                (
                    finding,
                    actions[finding.pk],
                    [selectors.theme_label(slug=t) for t in finding.themes],
                )
                for finding in findings
            ],
            "can_lead": access_for(request.user).can(Capability.LEAD_AUDITS),
            "next_status": services.NEXT_STATUS.get(Audit.Status(audit.status)),
            "missing_at_meeting": services.missing_sections_text(audit.meeting_missing_sections)
            if audit.meeting_missing_sections
            else "",
        },
    )


def _distribution_chart(audit: Audit) -> tuple[Any, list[tuple[str, list[int], int]], list[Any]]:
    """Overall grades for this audit and any earlier audit on the same theme, side by side."""
    levels = selectors.levels_of(audit=audit)
    distributions = [
        selectors.grade_distribution(audit=a)
        for a in [*selectors.earlier_audits_on_theme(audit=audit), audit]
    ]
    distributions = [d for d in distributions if d.total]
    rows = [
        (d.label, [d.counts.get(level.code, 0) for level in levels], d.total) for d in distributions
    ]
    if not distributions:
        return None, rows, levels
    categories = [level.label for level in levels]
    series = [
        ChartSeries(
            name=d.label,
            points=[(level.label, float(d.counts.get(level.code, 0))) for level in levels],
        )
        for d in distributions
    ]
    chart = bar_chart(
        title=f"Overall grades: {audit.theme}",
        description=describe_bars(categories, series),
        y_title="Cases",
        categories=categories,
        series=series,
    )
    return chart, rows, levels


@require_http_methods(["GET", "POST"])
def audit_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the audit on a stage. Before the meeting: which organisations' sections are still
    to come, and (only then) why the meeting goes ahead without them."""
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    following = services.NEXT_STATUS.get(Audit.Status(audit.status))
    if following is None:
        messages.error(request, "This audit is complete")
        return redirect("audits:audit", pk=pk)
    outstanding = (
        selectors.outstanding_sections(audit=audit) if following == Audit.Status.MEETING else []
    )
    form = AdvanceForm(posted(request), asks_reason=bool(outstanding))
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_advance(
                audit=audit,
                actor=acting_user(request),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"The audit is now at the stage: {audit.get_status_display()}."
            )
            return redirect("audits:audit", pk=pk)
    return form_page(
        request,
        form,
        caption=audit.title,
        title=f"Move the audit to: {following.label}",
        submit_label=f"Move to: {following.label}",
        cancel_url=reverse("audits:audit", args=[pk]),
        summary_template="audits/_advance_summary.html",
        context={
            "audit": audit,
            "following": following,
            "outstanding": outstanding,
            "outstanding_total": sum(item.sections for item in outstanding),
        },
    )


# The cohort -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_add(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    form = CaseForm(posted(request), organisations=audit.organisations.all())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lead = data.pop("lead_organisation")
        try:
            case = services.case_add(
                audit=audit, actor=acting_user(request), lead_organisation=lead, **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Case {case.reference} has been added.")
            return redirect("audits:audit", pk=pk)
    return form_page(
        request,
        form,
        caption=audit.title,
        cancel_url=reverse("audits:audit", args=[pk]),
        intro="Cases are known in PAQA only by the reference it gives them. "
        "Do not enter names, dates of birth, NHS numbers or UPNs.",
    )


@require_http_methods(["GET", "POST"])
def case_select(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    form = SelectionForm(posted(request))
    selection = None
    if request.method == "POST" and form.is_valid():
        try:
            selection = services.cases_select(
                references=form.cleaned_data["references"].splitlines(),
                count=form.cleaned_data["count"],
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if request.POST.get("confirm") == "yes" and selection.chosen:
                added = services.cases_add_selected(
                    audit=audit, actor=acting_user(request), references=selection.chosen
                )
                token = case_keys.case_key_keep(
                    audit=audit,
                    user=request.user,
                    pairs=[(reference, case.reference) for reference, case in added],
                )
                messages.success(request, f"{len(added)} cases have been added.")
                return redirect("audits:case-key", pk=pk, token=token)
    return render(
        request, "audits/case_select.html", {"form": form, "audit": audit, "selection": selection}
    )


def _case_key_gone(request: HttpRequest, audit: Audit) -> HttpResponse:
    return render(request, "audits/case_key.html", {"audit": audit, "gone": True}, status=404)


@never_cache
@require_GET
def case_key(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The one chance to download which of the lead's references is which PAQA reference."""
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    cases = case_keys.case_key_waiting(audit=audit, user=request.user, token=token)
    if cases is None:
        return _case_key_gone(request, audit)
    return render(
        request,
        "audits/case_key.html",
        {
            "audit": audit,
            "cases": cases,
            "token": token,
            "minutes": case_keys.KEY_SECONDS // 60,
        },
    )


@never_cache
@require_POST
def case_key_download(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The key as CSV, once: downloading it removes it from PAQA."""
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    key = case_keys.case_key_take(audit=audit, user=request.user, token=token)
    if key is None:
        return _case_key_gone(request, audit)
    response = csv_response(
        f"case-key-{audit.reference_prefix}-{audit.year}",
        ["Your case reference", "PAQA reference"],
        key.pairs,
    )
    response["Cache-Control"] = "no-store"
    return response


def case_detail(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    case = selectors.case_get(user=request.user, audit=audit, pk=case_pk)
    visible = selectors.sections_visible(user=request.user).filter(case=case)
    can_lead = access_for(request.user).can(Capability.LEAD_AUDITS)
    grading_open = audit.status == Audit.Status.MEETING
    domains = list(audit.tool.domains.all())
    grades = {grade.domain_id: grade for grade in DomainGrade.objects.filter(case=case)}
    levels = {level.code: level for level in selectors.levels_of(audit=audit)}
    return render(
        request,
        "audits/case_detail.html",
        {
            "audit": audit,
            "case": case,
            "sections": [
                {
                    "section": section,
                    "visible": visible.filter(pk=section.pk).exists(),
                    "can_edit": selectors.can_edit_section(user=request.user, section=section),
                }
                for section in case.sections.select_related("organisation").prefetch_related(
                    "auditors"
                )
            ],
            "grades": [
                (
                    domain,
                    grades.get(domain.pk),
                    levels.get(grades[domain.pk].grade) if domain.pk in grades else None,
                )
                for domain in domains
            ],
            "flags": case.unsafe_flags.select_related("raised_by", "resolved_by"),
            "feedback": case.feedback.all() if can_lead else [],
            "can_lead": can_lead,
            "can_grade": can_lead and grading_open,
            "can_flag": access_for(request.user).can(Capability.VIEW_AUDIT_SECTIONS),
        },
    )


@require_http_methods(["GET", "POST"])
def case_grades(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    case = selectors.case_get(user=request.user, audit=audit, pk=case_pk)
    try:
        services.grading_open(audit=audit)
    except ValidationError as closed:
        # Grading is not offered outside the meeting; a grade sent anyway is refused.
        return render(
            request,
            "audits/grades_closed.html",
            {
                "audit": audit,
                "case": case,
                "problems": closed.messages if request.method == "POST" else [],
                "reason": closed.messages[0],
            },
        )
    domains = list(audit.tool.domains.all())
    existing = {grade.domain_id: grade for grade in DomainGrade.objects.filter(case=case)}
    initial: dict[str, Any] = {f"grade_{d}": g.grade for d, g in existing.items()}
    if existing:
        first = next(iter(existing.values()))
        initial |= {"moderation_notes": first.moderation_notes, "dissent": first.dissent}
    form = GradesForm(
        posted(request), initial=initial, domains=domains, levels=selectors.levels_of(audit=audit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            for domain in domains:
                grade = form.cleaned_data.get(f"grade_{domain.pk}")
                if grade:
                    services.grade_record(
                        case=case,
                        domain=domain,
                        grade=grade,
                        actor=acting_user(request),
                        moderation_notes=form.cleaned_data["moderation_notes"],
                        dissent=form.cleaned_data["dissent"],
                    )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The grades for {case.reference} have been saved.")
            return redirect("audits:case", pk=pk, case_pk=case_pk)
    return form_page(
        request,
        form,
        caption=f"{audit.title}: {case.reference}",
        cancel_url=reverse("audits:case", args=[pk, case_pk]),
    )


@require_http_methods(["GET", "POST"])
def case_unsafe(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    require(request.user, Capability.VIEW_AUDIT_SECTIONS)
    audit = selectors.audit_get(user=request.user, pk=pk)
    case = selectors.case_get(user=request.user, audit=audit, pk=case_pk)
    form = UnsafeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.unsafe_flag_raise(
                case=case, actor=acting_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"Case {case.reference} is flagged as unsafe. Told: {flag.notified}."
            )
            return redirect("audits:case", pk=pk, case_pk=case_pk)
    return form_page(
        request, form, caption=case.reference, cancel_url=reverse("audits:case", args=[pk, case_pk])
    )


@require_http_methods(["GET", "POST"])
def flag_resolve(request: HttpRequest, pk: int, case_pk: int, flag_pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    case = selectors.case_get(user=request.user, audit=audit, pk=case_pk)
    flag = UnsafeFlag.objects.filter(case=case, pk=flag_pk).first()
    if flag is None:
        raise Http404("No such flag.")
    form = ResolveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.unsafe_flag_resolve(
                flag=flag, actor=acting_user(request), resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The unsafe flag is resolved; it stays on the case's record.")
            return redirect("audits:case", pk=pk, case_pk=case_pk)
    return form_page(
        request,
        form,
        caption=case.reference,
        intro=flag.reason,
        cancel_url=reverse("audits:case", args=[pk, case_pk]),
    )


@require_http_methods(["GET", "POST"])
def case_feedback(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    case = selectors.case_get(user=request.user, audit=audit, pk=case_pk)
    form = FeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_add(case=case, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The feedback has been recorded with the case.")
            return redirect("audits:case", pk=pk, case_pk=case_pk)
    return form_page(
        request, form, caption=case.reference, cancel_url=reverse("audits:case", args=[pk, case_pk])
    )


# Sections ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    can_edit = selectors.can_edit_section(user=request.user, section=section)
    audit = section.case.audit
    domains = list(audit.tool.domains.prefetch_related("questions"))
    questions = [question for domain in domains for question in domain.questions.all()]
    if request.method == "POST":
        section = selectors.section_get(user=request.user, pk=pk, for_edit=True)
        form = SectionForm(request.POST, questions=questions)
        if form.is_valid():
            answers = {
                key: str(value)
                for key, value in form.cleaned_data.items()
                if key.startswith("q") and value
            }
            try:
                section = services.section_save(
                    section=section,
                    actor=acting_user(request),
                    answers=answers,
                    summary=form.cleaned_data["summary"],
                    based_on_version=form.cleaned_data["version"],
                )
            except services.SectionConflict:
                messages.error(
                    request,
                    "Someone else saved this section while you were editing it. "
                    "Their version is below; your changes were not saved over it.",
                )
                return redirect("audits:section", pk=pk)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if request.POST.get("submit") == "yes":
                    return redirect("audits:section-check", pk=section.pk)
                messages.success(request, "Your section has been saved.")
                return redirect("audits:case", pk=audit.pk, case_pk=section.case_id)
    else:
        form = SectionForm(
            initial={"version": section.version, "summary": section.summary, **section.answers},
            questions=questions,
        )
    return render(
        request,
        "audits/section_edit.html",
        {
            "section": section,
            "audit": audit,
            "form": form,
            "can_edit": can_edit,
            "domains": [
                (domain, [form[f"q{q.pk}"] for q in domain.questions.all()]) for domain in domains
            ],
            "answers": [
                (domain, [(q, section.answers.get(f"q{q.pk}", "")) for q in domain.questions.all()])
                for domain in domains
            ],
        },
    )


def _section_for_submitting(request: HttpRequest, pk: int) -> CaseSection | HttpResponse:
    """The section, if the user may submit it; a submitted one sends them to read it."""
    section = selectors.section_get(user=request.user, pk=pk)
    if section.status != CaseSection.Status.DRAFT:
        messages.error(request, "This section has already been submitted")
        return redirect("audits:section", pk=pk)
    return selectors.section_get(user=request.user, pk=pk, for_edit=True)


def _section_check_page(
    request: HttpRequest, section: CaseSection, errors: list[str] | None = None
) -> HttpResponse:
    audit = section.case.audit
    domains = list(audit.tool.domains.prefetch_related("questions"))
    edit_url = reverse("audits:section", args=[section.pk])
    rows = [
        (
            domain,
            [
                {
                    "question": question,
                    "answer": section.answers.get(f"q{question.pk}", ""),
                    "change_url": f"{edit_url}#id_q{question.pk}"
                    + ("" if question.answer_type == "text" else "_0"),
                }
                for question in domain.questions.all()
            ],
        )
        for domain in domains
    ]
    problems = []
    if not section.summary.strip():
        problems.append(
            (
                "Write the summary of your agency's practice before submitting",
                f"{edit_url}#id_summary",
            )
        )
    return render(
        request,
        "audits/section_check.html",
        {
            "section": section,
            "audit": audit,
            "rows": rows,
            "edit_url": edit_url,
            "problems": problems,
            "errors": errors or [],
            "token": checking.section_check_token(section=section, user=request.user),
        },
    )


@never_cache
@require_GET
def section_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers: everything the section will send, before it is submitted."""
    section = _section_for_submitting(request, pk)
    if isinstance(section, HttpResponse):
        return section
    return _section_check_page(request, section)


@require_POST
def section_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit only what the check page showed: without its token, or once the section has
    changed since, nothing is sent and the person checks again."""
    section = _section_for_submitting(request, pk)
    if isinstance(section, HttpResponse):
        return section
    try:
        checked, section = checking.section_submit_checked(
            section=section, actor=acting_user(request), token=request.POST.get("check_token")
        )
    except ValidationError as error:
        return _section_check_page(request, section, errors=error.messages)
    if checked is not checking.Checked.VALID:
        messages.error(request, checking.MESSAGES[checking.SECTION][checked])
        return redirect("audits:section-check", pk=pk)
    messages.success(
        request,
        f"Your section of case {section.case.reference} has been submitted. "
        "The organisations taking part in the audit can now read it.",
    )
    return redirect("audits:case", pk=section.case.audit_id, case_pk=section.case_id)


@require_http_methods(["GET", "POST"])
def section_assign(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    require(request.user, Capability.SUBMIT_AGENCY_AUDITS, section.organisation_id)  # agency leads
    candidates = User.objects.filter(
        memberships__organisation=section.organisation,
        memberships__role__in=[Role.AUDITOR, Role.AGENCY_LEAD],
        memberships__archived_at__isnull=True,
        is_active=True,
    ).distinct()
    form = AssignForm(
        posted(request), initial={"auditors": section.auditors.all()}, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.section_assign(
                section=section,
                auditors=list(form.cleaned_data["auditors"]),
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The auditors have been assigned.")
            return redirect("audits:case", pk=section.case.audit_id, case_pk=section.case_id)
    return form_page(
        request,
        form,
        caption=str(section),
        cancel_url=reverse("audits:case", args=[section.case.audit_id, section.case_id]),
    )


# Findings and the learning brief -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    form = FindingForm(posted(request), domains=audit.tool.domains.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_add(audit=audit, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The finding has been added.")
            return redirect("audits:audit", pk=pk)
    return form_page(
        request, form, caption=audit.title, cancel_url=reverse("audits:audit", args=[pk])
    )


@require_http_methods(["GET", "POST"])
def finding_action(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk, for_change=True)
    finding = audit.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise Http404("No such finding.")
    form = FindingActionForm(posted(request), organisations=audit.organisations.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_action(
                finding=finding, actor=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been added to the action plan.")
            return redirect("audits:audit", pk=pk)
    return form_page(
        request, form, caption=finding.text[:100], cancel_url=reverse("audits:audit", args=[pk])
    )


def _brief(audit: Audit, user: Any) -> dict[str, Any]:
    findings = list(audit.findings.select_related("domain"))
    chart, rows, levels = _distribution_chart(audit)
    return {
        "audit": audit,
        "strengths": [f for f in findings if f.kind == "strength"],
        "developments": [f for f in findings if f.kind == "development"],
        "cases": audit.cases.count(),
        "organisations": list(audit.organisations.all()),
        "chart": chart,
        "levels": levels,
        "table_rows": rows,
        "actions": list(
            action_list(user=user).filter(source_key__in=[f.action_source_key for f in findings])
        ),
    }


def learning_brief_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    try:
        pdf = render_pdf(
            template="audits/learning_brief_pdf.html",
            context=_brief(audit, request.user),
            title=f"Learning brief: {audit.title}",
        )
    except PdfUnavailable as unavailable:
        messages.error(request, str(unavailable))
        return redirect("audits:audit", pk=pk)
    return pdf_response(pdf, f"learning-brief-{audit.title}")


def learning_brief_docx(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.audit_get(user=request.user, pk=pk)
    brief = _brief(audit, request.user)
    document = DocxBuilder(title=f"Learning brief: {audit.title}")
    document.heading("What we looked at", 1)
    document.paragraph(audit.terms_of_reference)
    document.paragraph(
        f"{brief['cases']} cases, audited by {', '.join(o.name for o in brief['organisations'])}, "
        f"looking at work from {audit.period_start:%-d %B %Y} to {audit.period_end:%-d %B %Y}."
    )
    document.heading("What we found", 1)
    if brief["strengths"]:
        document.heading("Strengths", 2)
        document.bullets([f.text for f in brief["strengths"]])
    if brief["developments"]:
        document.heading("Areas for development", 2)
        document.bullets([f.text for f in brief["developments"]])
    if brief["chart"]:
        document.image(
            brief["chart"].png(), alt_text=f"{brief['chart'].title}. {brief['chart'].description}"
        )
        document.table(
            ["Audit", *[level.label for level in brief["levels"]], "Cases"],
            [
                [label, *[str(c) for c in counts], str(total)]
                for label, counts, total in brief["table_rows"]
            ],
            caption="Overall grades",
        )
    document.heading("What will change", 1)
    if brief["actions"]:
        document.table(
            ["Action", "Organisation", "Due"],
            [
                [a.title, a.owner_organisation.name, f"{a.due_date:%-d %B %Y}"]
                for a in brief["actions"]
            ],
        )
    else:
        document.paragraph("Actions are being agreed.")
    return docx_response(document.to_bytes(), f"learning-brief-{audit.title}")


def themes_for_year(request: HttpRequest, year: str) -> HttpResponse:
    themes = selectors.cross_cutting_themes(user=request.user, year=year)
    overdue = (
        action_list(user=request.user, overdue_only=True, source_prefix="audits.")
        .values("owner_organisation__name")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    return render(
        request,
        "audits/themes.html",
        {
            "year": year,
            "themes": themes,
            "sentences": selectors.year_sentences(user=request.user, year=year),
            "overdue": overdue,
            "today": timezone.localdate(),
        },
    )
