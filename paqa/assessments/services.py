"""Writes for Section 11 (and similar) self-assessment: cycles, returns, challenge."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.actions.services import actions_copy_open
from paqa.assessments.models import (
    Answer,
    Attachment,
    Cycle,
    DraftConflict,
    Framework,
    RatingLevel,
    Reminder,
    Return,
)
from paqa.core.access import Role
from paqa.core.history import stamp_actor
from paqa.core.uploads import check_upload
from paqa.partnership.models import Membership, Organisation

Status = Return.Status


def _levels(framework: Framework) -> dict[str, RatingLevel]:
    return {level.code: level for level in framework.scale.levels.all()}


def answer_label(answer: Answer) -> str:
    return (
        f"{answer.assessment_return.cycle.framework.name} {answer.assessment_return.cycle.year}, "
        f"{answer.assessment_return.organisation.name}, standard {answer.standard}"
    )


# Cycles -----------------------------------------------------------------------------------


def _previous_return(framework: Framework, organisation: Organisation, year: str) -> Return | None:
    return (
        Return.objects.filter(
            cycle__framework__code=framework.code, organisation=organisation, cycle__year__lt=year
        )
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )


@transaction.atomic
def cycle_create(
    *,
    framework: Framework,
    year: str,
    deadline: date,
    organisations: list[Organisation],
    actor: User | None,
) -> Cycle:
    """Open a cycle; each organisation's return starts from its last one (update, don't restart)."""
    if Cycle.objects.filter(framework=framework, year=year).exists():
        raise ValidationError({"year": f"There is already a {framework.name} cycle for {year}"})
    cycle = Cycle(framework=framework, year=year, deadline=deadline, created_by=actor)
    stamp_actor(cycle, actor)
    cycle.save()
    for organisation in organisations:
        return_open(cycle=cycle, organisation=organisation, actor=actor)
    return cycle


@transaction.atomic
def return_open(*, cycle: Cycle, organisation: Organisation, actor: User | None) -> Return:
    framework = cycle.framework
    previous = _previous_return(framework, organisation, cycle.year)
    assessment_return = Return(
        cycle=cycle,
        organisation=organisation,
        variant=framework.variant_for(organisation.kind),
        deadline=cycle.deadline,
        carried_from=previous,
    )
    stamp_actor(assessment_return, actor)
    assessment_return.save()
    earlier = (
        {answer.standard.code: answer for answer in previous.answers.select_related("standard")}
        if previous
        else {}
    )
    for standard in framework.standards.all():
        before = earlier.get(standard.code)
        answer = Answer(
            assessment_return=assessment_return,
            standard=standard,
            rating=before.rating if before else "",
            evidence=before.evidence if before else "",
            example=before.example if before else "",
        )
        stamp_actor(answer, actor)
        answer.save()
        if before is not None:
            actions_copy_open(
                source_key_from=before.action_source_key,
                source_key_to=answer.action_source_key,
                source_label=answer_label(answer),
                source_url=f"/self-assessment/returns/{assessment_return.pk}/standards/{standard.number}/",
                actor=actor,
            )
    return assessment_return


@transaction.atomic
def return_extend_deadline(*, assessment_return: Return, actor: User, deadline: date) -> Return:
    if deadline < assessment_return.cycle.deadline:
        raise ValidationError({"deadline": "An extension must be on or after the cycle's deadline"})
    assessment_return.deadline = deadline
    stamp_actor(assessment_return, actor)
    assessment_return.save()
    return assessment_return


def _agency_lead_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation=organisation,
            role=Role.AGENCY_LEAD,
            archived_at__isnull=True,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


@transaction.atomic
def reminders_send(*, cycle: Cycle, actor: User) -> list[Reminder]:
    """Remind every organisation that has not submitted; each reminder is logged."""
    sent = []
    for assessment_return in cycle.returns.filter(submitted_at__isnull=True).select_related(
        "organisation"
    ):
        recipients = _agency_lead_emails(assessment_return.organisation)
        if not recipients:
            continue
        reminder = Reminder.objects.create(
            assessment_return=assessment_return, sent_by=actor, recipients=", ".join(recipients)
        )
        sent.append(reminder)
        subject = (
            f"Reminder: your {cycle} self-assessment is due {assessment_return.deadline:%-d %B %Y}"
        )
        body = (
            f"{assessment_return.organisation.name}'s {cycle} self-assessment has not been "
            f"submitted yet. It is due on {assessment_return.deadline:%-d %B %Y}.\n\n"
            "Sign in to PAQA to update last year's answers, sign off and submit.\n"
        )
        transaction.on_commit(partial(send_mail, subject, body, None, recipients))
    return sent


# Answering --------------------------------------------------------------------------------


class AnswerConflict(Exception):
    """Someone saved this answer since the form was opened; the newer save was kept aside."""

    def __init__(self, conflict: DraftConflict) -> None:
        super().__init__("This answer was changed by someone else while you were editing it")
        self.conflict = conflict


def _check_editable(assessment_return: Return) -> None:
    if assessment_return.is_locked:
        raise ValidationError(
            "This return has been submitted, so it cannot be changed. "
            "Ask the partnership's business unit if something needs correcting."
        )


def rating_problem(
    answer_rating: str, evidence: str, example: str, level: RatingLevel | None
) -> str:
    """What stops an answer being complete, in the words shown to the organisation."""
    if not answer_rating:
        return "Choose a rating"
    if level is None:
        return f"'{answer_rating}' is not a rating on this scale"
    if not evidence.strip():
        return f"Describe the evidence for rating this standard {level.label}"
    if level.requires_example and not example.strip():
        return (
            f"Give a best-practice example to rate this standard {level.label}, "
            "or choose a lower rating"
        )
    return ""


def answer_save(
    *,
    answer: Answer,
    actor: User,
    rating: str,
    evidence: str,
    example: str,
    based_on_version: int,
) -> Answer:
    """Save a draft answer. A stale save is kept as a conflict and raises AnswerConflict."""
    with transaction.atomic():
        locked = (
            Answer.objects.select_for_update()
            .select_related("assessment_return__cycle__framework__scale")
            .get(pk=answer.pk)
        )
        assessment_return = locked.assessment_return
        _check_editable(assessment_return)
        if locked.version == based_on_version:
            return _answer_write(locked, actor, rating=rating, evidence=evidence, example=example)
    # Kept outside the transaction above, so the stale text is stored even though the save is not.
    conflict = DraftConflict.objects.create(
        answer=locked,
        author=actor,
        based_on_version=based_on_version,
        data={"rating": rating, "evidence": evidence, "example": example},
    )
    raise AnswerConflict(conflict)


def _answer_write(
    locked: Answer, actor: User, *, rating: str, evidence: str, example: str
) -> Answer:
    assessment_return = locked.assessment_return
    levels = _levels(assessment_return.cycle.framework)
    level = levels.get(rating) if rating else None
    if rating and level is None:
        raise ValidationError({"rating": "Choose a rating from the scale"})
    if level is not None and level.requires_example and not example.strip():
        raise ValidationError(
            {
                "example": f"Give a best-practice example to rate this standard {level.label}, "
                "or choose a lower rating"
            }
        )
    locked.rating = rating
    locked.evidence = evidence.strip()
    locked.example = example.strip()
    locked.version += 1
    locked.updated_by = actor
    stamp_actor(locked, actor)
    locked.save()
    if assessment_return.status == Status.SIGNED_OFF:
        # A change after sign-off needs signing off again.
        assessment_return.status = Status.DRAFT
        assessment_return.signed_off_at = None
        assessment_return.signed_off_by = None
        stamp_actor(assessment_return, actor)
        assessment_return.save()
    return locked


def return_problems(assessment_return: Return) -> list[tuple[Answer, str]]:
    levels = _levels(assessment_return.cycle.framework)
    problems = []
    for answer in assessment_return.answers.select_related("standard"):
        message = rating_problem(
            answer.rating, answer.evidence, answer.example, levels.get(answer.rating)
        )
        if message:
            problems.append((answer, message))
    return problems


def _raise_problems(assessment_return: Return, doing: str) -> None:
    problems = return_problems(assessment_return)
    if problems:
        raise ValidationError(
            [f"Standard {answer.standard.number}: {message}" for answer, message in problems]
            + [f"Complete every standard before you {doing}"]
        )


def _is_agency_lead(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Role.AGENCY_LEAD, archived_at__isnull=True
    ).exists()


@transaction.atomic
def return_sign_off(*, assessment_return: Return, actor: User, role_title: str) -> Return:
    """A named senior lead of the organisation confirms the return before it is submitted."""
    locked = Return.objects.select_for_update().get(pk=assessment_return.pk)
    _check_editable(locked)
    if not _is_agency_lead(actor, locked.organisation):
        raise ValidationError(
            f"Only an agency lead of {locked.organisation.name} can sign off its return"
        )
    if not role_title.strip():
        raise ValidationError({"role_title": "Enter your job title"})
    _raise_problems(locked, "sign off")
    locked.status = Status.SIGNED_OFF
    locked.signed_off_by = actor
    locked.signed_off_role = role_title.strip()
    locked.signed_off_at = timezone.now()
    stamp_actor(locked, actor)
    locked.save()
    return locked


@transaction.atomic
def return_submit(*, assessment_return: Return, actor: User) -> Return:
    locked = Return.objects.select_for_update().get(pk=assessment_return.pk)
    _check_editable(locked)
    if locked.status != Status.SIGNED_OFF:
        raise ValidationError("A senior lead must sign off the return before it is submitted")
    _raise_problems(locked, "submit")
    locked.status = Status.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    stamp_actor(locked, actor)
    locked.save()
    return locked


# Challenge and moderation ------------------------------------------------------------------


@transaction.atomic
def answer_challenge(
    *, answer: Answer, actor: User, challenge: str, moderated_rating: str
) -> Answer:
    """Record the partnership's challenge on a standard and its moderated rating."""
    locked = (
        Answer.objects.select_for_update()
        .select_related("assessment_return__cycle__framework__scale")
        .get(pk=answer.pk)
    )
    assessment_return = locked.assessment_return
    if assessment_return.status not in (Status.SUBMITTED, Status.CHALLENGED):
        raise ValidationError("Only a submitted return can be challenged")
    if moderated_rating and moderated_rating not in _levels(assessment_return.cycle.framework):
        raise ValidationError({"moderated_rating": "Choose a rating from the scale"})
    if not challenge.strip() and not moderated_rating:
        raise ValidationError("Write the challenge or choose a moderated rating")
    locked.challenge = challenge.strip()
    locked.moderated_rating = moderated_rating
    locked.challenged_by = actor
    locked.challenged_at = timezone.now()
    stamp_actor(locked, actor)
    locked.save()
    if assessment_return.status == Status.SUBMITTED:
        assessment_return.status = Status.CHALLENGED
        stamp_actor(assessment_return, actor)
        assessment_return.save()
    return locked


@transaction.atomic
def answer_respond(*, answer: Answer, actor: User, response: str) -> Answer:
    """The organisation's answer to a challenge."""
    if answer.assessment_return.status != Status.CHALLENGED or not answer.challenge:
        raise ValidationError("There is no challenge on this standard to respond to")
    if not response.strip():
        raise ValidationError({"response": "Enter your response to the challenge"})
    answer.response = response.strip()
    stamp_actor(answer, actor)
    answer.save()
    return answer


@transaction.atomic
def return_accept(*, assessment_return: Return, actor: User) -> Return:
    if assessment_return.status not in (Status.SUBMITTED, Status.CHALLENGED):
        raise ValidationError("Only a submitted return can be accepted")
    assessment_return.status = Status.ACCEPTED
    assessment_return.accepted_at = timezone.now()
    stamp_actor(assessment_return, actor)
    assessment_return.save()
    return assessment_return


# Attachments -------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, assessment_return: Return, standard_id: int | None, upload: UploadedFile, actor: User
) -> Attachment:
    """Check the file (size, real type, archive bombs) before anything is stored."""
    _check_editable(assessment_return)
    checked = check_upload(upload)  # raises UploadRejected with the reason
    attachment = Attachment(
        assessment_return=assessment_return,
        standard_id=standard_id,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    attachment.file.save(checked.name, upload, save=False)
    stamp_actor(attachment, actor)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_archive(*, attachment: Attachment, actor: User) -> Attachment:
    _check_editable(attachment.assessment_return)
    attachment.archived_at = timezone.now()
    attachment.archived_by = actor
    stamp_actor(attachment, actor)
    attachment.save()
    return attachment
