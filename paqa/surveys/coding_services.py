"""Coding many free-text answers at once: a page of answers saved together, a code applied to
(or removed from) the answers chosen, a group of similar answers coded in one go.

The writes are in bulk, so coding 500 answers takes a fixed handful of statements, not
several per answer; and every coding added or removed still gets its own row in the history,
with who made the change and when, the same rows simple-history writes when answers are coded
one at a time (`services`): "+" for each coding added, "-" for each removed. The rows go to
the database together (`paqa.core.bulk.insert_rows`: executemany, or COPY on PostgreSQL);
removed codings are deleted with one statement (a queryset delete would send a signal, and so
write a history row, per row).

As in `services`, only answers to free-text questions from submitted responses are coded,
and only with codes from their own survey's codebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.core.bulk import insert_rows
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response

#: Rows per DELETE statement (within SQLite's limit on parameters since 3.32: 32,766).
DELETE_BATCH = 5000

NOT_FOUND = "Some of these answers no longer exist: reload the page and try again"
NOT_TEXT = "Only free-text answers are coded"
NOT_SUBMITTED = "Only answers from submitted responses are coded"
FOREIGN_CODE = "A code from another survey’s codebook cannot be used"
CLASH = (
    "Someone else coded some of these answers at the same moment, so nothing was saved. "
    "Reload the page and try again."
)


@dataclass(frozen=True)
class AnswerChange:
    """Codes to add to one answer and codes to take off it. A code in both is added."""

    answer: Answer
    add: Sequence[Code] = ()
    remove: Sequence[Code] = ()


@dataclass(frozen=True)
class Coded:
    """What a bulk change did: how many answers' codes changed, codings added and removed."""

    answers: int = 0
    added: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _check_codable(changes: Sequence[AnswerChange]) -> None:
    """Every answer exists, is a free-text answer of a submitted response, and every code
    comes from its survey's codebook. The answers are locked until the change is done, so two
    bulk changes to the same answers take turns."""
    wanted = sorted({change.answer.pk for change in changes})
    found = {
        pk: (kind, survey_id, status)
        for pk, kind, survey_id, status in Answer.objects.filter(pk__in=wanted)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "question__kind", "question__page__survey_id", "response__status")
    }
    if len(found) != len(wanted):
        raise ValidationError(NOT_FOUND)
    for change in changes:
        kind, survey_id, status = found[change.answer.pk]
        if kind != Question.Kind.TEXT:
            raise ValidationError(NOT_TEXT)
        if status != Response.Status.SUBMITTED:
            raise ValidationError(NOT_SUBMITTED)
        if any(code.survey_id != survey_id for code in (*change.add, *change.remove)):
            raise ValidationError(FOREIGN_CODE)


def _wanted(changes: Sequence[AnswerChange]) -> dict[tuple[int, int], bool]:
    """(answer id, code id) → whether the answer should have the code, for each pair named;
    later changes win over earlier ones, and within a change adding wins over removing."""
    wanted: dict[tuple[int, int], bool] = {}
    for change in changes:
        for code in change.remove:
            wanted[(change.answer.pk, code.pk)] = False
        for code in change.add:
            wanted[(change.answer.pk, code.pk)] = True
    return wanted


def _history_rows(
    rows: Sequence[AnswerCode], kind: str, *, actor: User, when: datetime, reason: str
) -> list[tuple[Any, ...]]:
    """The history rows simple-history writes for these rows, one by one, as they are saved
    ("+") or deleted ("-"), in the order of `_HISTORY_COLUMNS`."""
    return [
        (
            *(getattr(row, field.attname) for field in _tracked()),
            when,
            actor.pk,
            kind,
            reason or None,
        )
        for row in rows
    ]


def _tracked() -> list[Any]:
    return list(AnswerCode.history.model.tracked_fields)


def _history_columns() -> list[str]:
    return [
        *(field.name for field in _tracked()),
        "history_date",
        "history_user",
        "history_type",
        "history_change_reason",
    ]


def _delete(rows: Sequence[AnswerCode]) -> None:
    """One statement (a queryset delete would send a signal, and write history, per row)."""
    quote = connection.ops.quote_name
    table, key = quote(AnswerCode._meta.db_table), quote(AnswerCode._meta.pk.column)
    ids = [row.pk for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), DELETE_BATCH):
            chunk = ids[start : start + DELETE_BATCH]
            # Only model metadata goes into the statement (quoted); the ids are parameters.
            cursor.execute(
                f"DELETE FROM {table} WHERE {key} IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )


def _insert(pairs: Sequence[tuple[int, int]], *, actor: User, when: datetime) -> list[AnswerCode]:
    """Insert the codings (answer id, code id), coded by `actor` now; return them as saved."""
    insert_rows(
        AnswerCode,
        ["answer", "code", "coded_by", "coded_at", "representative"],
        [(answer_id, code_id, actor.pk, when, False) for answer_id, code_id in pairs],
    )
    wanted = set(pairs)
    return [
        row
        for row in AnswerCode.objects.filter(
            answer_id__in={answer_id for answer_id, _ in pairs},
            code_id__in={code_id for _, code_id in pairs},
        )
        if (row.answer_id, row.code_id) in wanted
    ]


@transaction.atomic
def answers_codes_change(
    *, changes: Sequence[AnswerChange], actor: User, reason: str = ""
) -> Coded:
    """Add and remove codes on many answers at once. Only real changes are written: adding a
    code an answer has, or removing one it has not, does nothing (so what another coder did
    meanwhile to other codes or other answers is kept). Codes kept keep who coded them and
    when; new ones are recorded as coded by `actor` now; removed ones are deleted, each
    deletion kept in history. `reason` is recorded in the history of every change.

    A fixed number of statements whatever the number of answers: the answers checked and
    locked, their codings read, the removed ones deleted and the new ones inserted (the rows
    given to the database together: executemany, or COPY on PostgreSQL), the history of both.
    """
    changes = [change for change in changes if change.add or change.remove]
    if not changes:
        return Coded()
    _check_codable(changes)
    wanted = _wanted(changes)
    answer_ids = {answer_id for answer_id, _ in wanted}
    code_ids = {code_id for _, code_id in wanted}
    current = {
        (row.answer_id, row.code_id): row
        for row in AnswerCode.objects.filter(answer_id__in=answer_ids, code_id__in=code_ids)
    }
    removed = [row for pair, row in current.items() if wanted.get(pair) is False]
    new = [pair for pair, keep in wanted.items() if keep and pair not in current]
    now = timezone.now()
    history: list[tuple[Any, ...]] = []
    if removed:
        _delete(removed)
        history += _history_rows(removed, "-", actor=actor, when=now, reason=reason)
    added: list[AnswerCode] = []
    if new:
        try:
            with transaction.atomic():
                added = _insert(new, actor=actor, when=now)
        # COPY's errors come from the driver itself, not wrapped as Django's.
        except (IntegrityError, connection.Database.IntegrityError) as clash:  # type: ignore[attr-defined]
            raise ValidationError(CLASH) from clash
        history += _history_rows(added, "+", actor=actor, when=now, reason=reason)
    if history:
        insert_rows(AnswerCode.history.model, _history_columns(), history)
    return Coded(
        answers=len({row.answer_id for row in removed} | {answer_id for answer_id, _ in new}),
        added=len(added),
        removed=len(removed),
    )


def answers_code_apply(
    *, answers: Sequence[Answer], codes: Sequence[Code], actor: User, reason: str = ""
) -> Coded:
    """Give each answer these codes, keeping the codes it has (the answers chosen on the
    coding page, or a group of similar answers)."""
    return answers_codes_change(
        changes=[AnswerChange(answer=answer, add=codes) for answer in answers],
        actor=actor,
        reason=reason,
    )


def answers_code_remove(
    *, answers: Sequence[Answer], codes: Sequence[Code], actor: User, reason: str = ""
) -> Coded:
    """Take these codes off each answer that has them, keeping its other codes."""
    return answers_codes_change(
        changes=[AnswerChange(answer=answer, remove=codes) for answer in answers],
        actor=actor,
        reason=reason,
    )
