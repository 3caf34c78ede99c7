"""Audits on people's worklists: case sections due from an auditor or an organisation, agencies'
own audit returns still to send, and for audit leads the returns to review and the audits ready
for (or at) their meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format

from paqa.audits.agency_selectors import agency_audits_visible
from paqa.audits.models import AgencyAudit, Audit, CaseSection
from paqa.audits.selectors import audit_list, sections_visible
from paqa.core.access import Access, Capability, Role
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source


def sections_due(user: Any, access: Access, today: date) -> QuerySet[CaseSection]:
    """Draft sections of audits still collecting that are the user's to complete: assigned to
    them, or (for an agency lead) their organisation's that nobody has been assigned to."""
    led = [g.organisation_id for g in access.grants if g.role == Role.AGENCY_LEAD]
    mine = Q(auditors=user.pk) | Q(organisation_id__in=led, auditors__isnull=True)
    return (
        sections_visible(user=user)
        .filter(mine, status=CaseSection.Status.DRAFT, case__audit__status=Audit.Status.COLLECTING)
        .distinct()
        .select_related("case__audit", "organisation")
        .order_by("case__audit__sections_due", "case__reference", "pk")
    )


def agency_returns_due(user: Any, access: Access, today: date) -> QuerySet[AgencyAudit]:
    own = access.organisation_ids(Capability.SUBMIT_AGENCY_AUDITS)
    drafts = agency_audits_visible(user=user).filter(status=AgencyAudit.Status.DRAFT)
    if own is not None:
        drafts = drafts.filter(organisation_id__in=own)
    return drafts.order_by("-year", "organisation__name", "topic", "pk")


def agency_returns_to_review(user: Any, access: Access, today: date) -> QuerySet[AgencyAudit]:
    led = access.organisation_ids(Capability.LEAD_AUDITS)
    submitted = agency_audits_visible(user=user).filter(status=AgencyAudit.Status.SUBMITTED)
    if led is not None:
        submitted = submitted.filter(organisation_id__in=led)
    return submitted.order_by("submitted_at", "pk")


def audits_for_meeting(user: Any, access: Access, today: date) -> QuerySet[Audit]:
    """Audits at their meeting, and audits still collecting whose every section is in."""
    unsubmitted = CaseSection.objects.filter(
        case__audit=OuterRef("pk"), status=CaseSection.Status.DRAFT
    )
    collected = Q(status=Audit.Status.COLLECTING) & ~Exists(unsubmitted)
    return (
        audit_list(user=user)
        .prefetch_related(None)  # the list's organisations: not needed here, and one more query
        .annotate(cases_count=Count("cases", distinct=True))
        .filter(collected | Q(status=Audit.Status.MEETING), cases_count__gt=0)
        .order_by("sections_due", "title", "pk")
    )


def _section_item(section: CaseSection, today: date) -> WorkItem:
    audit = section.case.audit
    return WorkItem(
        kind="Audit section",
        title=f"{audit.title}: case {section.case.reference} ({section.organisation.name})",
        url=reverse("audits:section", args=[section.pk]),
        year=audit.year,
        due=audit.sections_due,
        status=section.get_status_display(),
    )


def _agency_item(agency_audit: AgencyAudit, today: date) -> WorkItem:
    submitted = agency_audit.submitted_at
    return WorkItem(
        kind="Agency audit return",
        title=f"{agency_audit.organisation.name}: {agency_audit.topic}",
        url=reverse("audits:agency-detail", args=[agency_audit.pk]),
        year=agency_audit.year,
        status=agency_audit.get_status_display(),
        detail=f"Submitted on {date_format(submitted, 'j F Y')}" if submitted else "",
    )


def _review_item(agency_audit: AgencyAudit, today: date) -> WorkItem:
    item = _agency_item(agency_audit, today)
    return replace(item, status="Submitted: review it")


def _meeting_item(audit: Audit, today: date) -> WorkItem:
    at_meeting = audit.status == Audit.Status.MEETING
    status = "At the meeting: record grades" if at_meeting else "Every section in: hold the meeting"
    return WorkItem(
        kind="Multi-agency audit",
        title=audit.title,
        url=reverse("audits:audit", args=[audit.pk]),
        year=audit.year,
        status=status,
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="audits.sections-due",
            section=Section.DUE,
            heading="Audit sections",
            capabilities=(Capability.COMPLETE_AUDIT_SECTIONS,),
            items=sections_due,
            item=_section_item,
            list_url=lambda: reverse("audits:home"),
            navigation="audits:home",
            order=20,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="audits.agency-returns-due",
            section=Section.DUE,
            heading="Agency audit returns",
            capabilities=(Capability.SUBMIT_AGENCY_AUDITS,),
            items=agency_returns_due,
            item=_agency_item,
            list_url=lambda: reverse("audits:agency-list"),
            navigation="audits:home",
            order=30,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="audits.agency-returns-to-review",
            section=Section.WAITING,
            heading="Agency audits to review",
            capabilities=(Capability.LEAD_AUDITS,),
            items=agency_returns_to_review,
            item=_review_item,
            list_url=lambda: reverse("audits:agency-list"),
            navigation="audits:home",
            order=20,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="audits.for-meeting",
            section=Section.WAITING,
            heading="Audits ready for their meeting",
            capabilities=(Capability.LEAD_AUDITS,),
            items=audits_for_meeting,
            item=_meeting_item,
            list_url=lambda: reverse("audits:home"),
            navigation="audits:home",
            order=30,
        )
    )
