"""Counting a survey's submitted answers in the database, for the selectors (which check who
may read them: nothing here does). Drafts never count.

The database groups the answers by their stored value and counts each group, so what reaches
Python is one row per distinct answer (a handful per question: "Yes" and "No", or each
combination of several choices people gave), not one per response. Each distinct answer is
then read once, in Python, with the same rules as ever:

- an answer with choices is the list of options it names (a text is a list of one); empty
  texts and nulls in it are not options, and an option counts once per response however often
  a list repeats it; an answer naming no option is not an answer;
- a number question's answers are the ones that read as numbers.

Grouping by the whole stored JSON value works the same on SQLite (JSON as text) and on
PostgreSQL (jsonb), so there is no database-specific SQL, and options that are not texts
(a number or true stored as a choice) are read exactly as before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet

from paqa.surveys.models import Answer, Response, Survey
from paqa.surveys.results import as_number, is_given, options_in

#: The organisation that sent a response, as a breakdown source (no question has id 0).
BY_ORGANISATION = 0


def _submitted(survey: Survey) -> QuerySet[Answer]:
    return Answer.objects.filter(
        response__survey=survey, response__status=Response.Status.SUBMITTED
    )


Answered = tuple[Any, int]  # a distinct stored answer, and how many responses gave it


def _grouped(answers: QuerySet[Answer], *fields: str) -> Iterable[tuple[Any, ...]]:
    """(*fields, number of answers) for each distinct combination of the fields."""
    return answers.order_by().values_list(*fields).annotate(answers=Count("pk"))


def distinct_answers(survey: Survey, question_ids: Sequence[int]) -> dict[int, list[Answered]]:
    """For each question: each distinct answer given, with how many responses gave it. One
    query. For questions whose answers repeat (choices, numbers); free text would bring back
    every answer."""
    found: defaultdict[int, list[Answered]] = defaultdict(list)
    if question_ids:
        answers = _submitted(survey).filter(question_id__in=question_ids)
        for question_id, value, number in _grouped(answers, "question_id", "value"):
            found[question_id].append((value, number))
    return dict(found)


@dataclass
class ChoiceCount:
    answered: int = 0  # responses naming at least one option
    options: Counter[str] = field(default_factory=Counter)  # responses naming each option


def choice_count(answered: Iterable[Answered]) -> ChoiceCount:
    """How many responses named at least one option, and how many named each."""
    count = ChoiceCount()
    for value, number in answered:
        named = options_in(value)
        if named:
            count.answered += number
            for option in named:
                count.options[option] += number
    return count


def numbers_in(answered: Iterable[Answered]) -> list[float]:
    """Every answer that reads as a number (a mean and a median need them all)."""
    found: list[float] = []
    for value, number in answered:
        read = as_number(value) if is_given(value) else None
        if read is not None:
            found.extend([read] * number)
    return found


def given_counts(survey: Survey, question_ids: Sequence[int]) -> dict[int, int]:
    """For each question: how many responses gave an answer that is not empty (not null, not
    an empty text, not an empty list). One query; for free text, whose answers all differ."""
    if not question_ids:
        return {}
    answers = (
        _submitted(survey)
        .filter(question_id__in=question_ids)
        .exclude(Q(value=None) | Q(value="") | Q(value=[]))
    )
    return dict(answers.order_by().values_list("question_id").annotate(answered=Count("pk")))


@dataclass
class CrossTab:
    """One question by one source: per group, the responses in it that answered the question
    (its size) and how many of them named each option."""

    sizes: Counter[str] = field(default_factory=Counter)
    counts: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, groups: set[str], named: set[str], number: int) -> None:
        for group in groups:
            self.sizes[group] += number
            for option in named:
                self.counts[group][option] += number


@dataclass
class ChoiceTable:
    """Questions with choices, counted with each response's groups beside its answer."""

    answers: defaultdict[int, list[Answered]] = field(default_factory=lambda: defaultdict(list))
    crosstabs: defaultdict[tuple[int, int], CrossTab] = field(
        default_factory=lambda: defaultdict(CrossTab)
    )


def choice_table(
    survey: Survey,
    question_ids: Sequence[int],
    *,
    by_questions: Sequence[int] = (),
    by_organisation: bool = False,
) -> ChoiceTable:
    """The questions' distinct answers with their counts, and each question broken down by
    each source: a question with choices (by its id), whose options are the groups, or
    `BY_ORGANISATION`, the name of the responding organisation. One query: each answer is
    grouped with the response's answers to every breakdown question at once (a column each),
    so adding a source adds columns, not rows."""
    table = ChoiceTable()
    if not question_ids:
        return table
    answers = _submitted(survey).filter(question_id__in=question_ids)
    columns = []
    for number, source in enumerate(by_questions):
        alias = f"by_{number}"
        answers = answers.annotate(
            **{
                alias: FilteredRelation(
                    "response__answers", condition=Q(response__answers__question_id=source)
                )
            }
        )
        columns.append(f"{alias}__value")
    if by_organisation:
        columns.append("response__organisation__name")
    for *groups, question_id, value, number in _grouped(answers, *columns, "question_id", "value"):
        table.answers[question_id].append((value, number))
        named = options_in(value)
        if not named:
            continue
        for source, group in zip(by_questions, groups, strict=False):
            table.crosstabs[(source, question_id)].add(options_in(group), named, number)
        if by_organisation and groups[-1]:
            table.crosstabs[(BY_ORGANISATION, question_id)].add({groups[-1]}, named, number)
    return table


def respondents_with_answers(survey: Survey) -> int:
    """Submitted responses with at least one answer stored."""
    return (
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .filter(Exists(Answer.objects.filter(response=OuterRef("pk"))))
        .count()
    )
