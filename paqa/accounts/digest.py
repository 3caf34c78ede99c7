"""The weekly email of a person's work: off unless they turn it on, at most one in a calendar
week, and never sent to someone with nothing due from them and nothing waiting for them."""

from __future__ import annotations

import logging
from datetime import date

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from paqa.accounts.models import User
from paqa.core.history import stamp_actor
from paqa.core.worklist import Section, ShownItem, Worklist, worklist_for

logger = logging.getLogger(__name__)


@transaction.atomic
def digest_preference_set(*, user: User, weekly: bool) -> User:
    user.digest_weekly = weekly
    stamp_actor(user, user)
    user.save(update_fields=["digest_weekly"])
    return user


def _same_week(first: date, second: date) -> bool:
    return first.isocalendar()[:2] == second.isocalendar()[:2]


def digest_due(user: User, today: date) -> bool:
    """Has this person asked for the email, and not had one this calendar week?"""
    sent = user.digest_sent_on
    return user.is_active and user.digest_weekly and (sent is None or not _same_week(sent, today))


def _lines(shown_items: list[ShownItem], base_url: str) -> list[str]:
    lines = []
    for shown in shown_items:
        timing = f" ({shown.timing})" if shown.timing else ""
        lines.append(f"- {shown.item.title}{timing}")
        lines.append(f"  {shown.hint}")
        lines.append(f"  {base_url}{shown.item.url}")
    return lines


def _more(worklist: Worklist, section: Section) -> list[str]:
    return [
        f"- and {group.more} more {group.source.heading.lower()}"
        for group in worklist.more(section)
    ]


def digest_message(*, user: User, worklist: Worklist, base_url: str = "") -> tuple[str, str]:
    """The email's subject and plain-text body."""
    base = base_url.rstrip("/")
    due, waiting = worklist.total(Section.DUE), worklist.total(Section.WAITING)
    late = worklist.late
    counts = [f"{due} due" if due else "", f"{waiting} waiting for you" if waiting else ""]
    subject = "Your work in PAQA this week: " + ", ".join(part for part in counts if part)
    if late:
        subject += f" ({late} late)"
    today = worklist.today
    body = [
        f"Hello {user.full_name},",
        "",
        f"Your work in PAQA on {today:%A} {today.day} {today:%B %Y}.",
    ]
    if due:
        body += ["", "Due from you or your organisation:"]
        body += _lines(worklist.due, base) + _more(worklist, Section.DUE)
    if waiting:
        body += ["", "Waiting for you:"]
        body += _lines(worklist.waiting, base) + _more(worklist, Section.WAITING)
    body += [
        "",
        f"Sign in to PAQA to see all of it: {base}{reverse('core:home')}",
        "",
        "You get this email because you asked for a weekly email of your work. To stop it, "
        f"change your choice here: {base}{reverse('accounts:digest')}",
    ]
    return subject, "\n".join(body) + "\n"


def digests_send(*, today: date | None = None, base_url: str = "") -> list[User]:
    """Email each person who asked for it and has something due or waiting; returns them.
    Each person's email is its own transaction, so one failure stops no one else's."""
    day = today or timezone.localdate()
    sent = []
    people = User.objects.filter(is_active=True, digest_weekly=True).order_by("pk")
    for person in people:
        if not digest_due(person, day):
            continue
        worklist = worklist_for(person, today=day, sections=(Section.DUE, Section.WAITING))
        if not worklist.total(Section.DUE, Section.WAITING):
            continue
        subject, body = digest_message(user=person, worklist=worklist, base_url=base_url)
        try:
            with transaction.atomic():
                User.objects.filter(pk=person.pk).update(digest_sent_on=day)
                send_mail(subject, body, None, [person.email])
        except Exception:  # one bad address or a mail server hiccup must not stop the rest
            logger.exception("The weekly email to person %s could not be sent", person.pk)
            continue
        sent.append(person)
    return sent
