"""Coding free-text answers with themes: the codebook, who coded what, counts, quotes.

Writes (`code_create`, `answer_code_set`, `quote_mark`) are given the acting person and record
it in the history; views check the capability first. Reads are given the user and check it
themselves. Only submitted responses are coded, counted or quoted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from paqa.accounts.models import User
from paqa.core.access import Capability, access_for, require
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response, Survey

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def answer_text(value: Any) -> str:
    """The text of a free-text answer (stored as JSON, so normally a string already)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


# Codebook -------------------------------------------------------------------------------------


def _clean_keywords(keywords: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for keyword in keywords:
        words = " ".join(str(keyword).split()).lower()
        if words and words not in cleaned:
            cleaned.append(words)
    return cleaned


@transaction.atomic
def code_create(
    *,
    survey: Survey,
    label: str,
    theme: str = "",
    keywords: Sequence[str] = (),
    actor: User | None,
) -> Code:
    """Add a code to the survey's codebook. `theme` is the slug of the shared theme it belongs
    to (blank for a code of this survey only); `keywords` suggest it for answers using them."""
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter a name for the code"})
    if len(label) > 200:
        raise ValidationError({"label": "The name must be 200 characters or fewer"})
    slug = slugify(label)[:60].strip("-")
    if not slug:
        raise ValidationError({"label": "The name must include letters or numbers"})
    existing = Code.objects.filter(survey=survey, slug=slug).first()
    if existing is not None:
        raise ValidationError({"label": f"There is already a code called ‘{existing.label}’"})
    code = Code(
        survey=survey,
        slug=slug,
        label=label,
        theme=slugify(theme)[:60],
        keywords=_clean_keywords(keywords),
    )
    code._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as clash:
        raise ValidationError({"label": f"There is already a code called ‘{label}’"}) from clash
    return code


# Coding answers -------------------------------------------------------------------------------


def _check_codable(answer: Answer, codes: Iterable[Code]) -> Survey:
    question = answer.question
    if question.kind != Question.Kind.TEXT:
        raise ValidationError("Only free-text answers are coded")
    survey = question.page.survey
    if answer.response.status != Response.Status.SUBMITTED:
        raise ValidationError("Only answers from submitted responses are coded")
    if any(code.survey_id != survey.pk for code in codes):
        raise ValidationError("A code from another survey’s codebook cannot be used")
    return survey


@transaction.atomic
def answer_code_set(*, answer: Answer, codes: Sequence[Code], actor: User) -> list[AnswerCode]:
    """Make `codes` the answer's codes. Codes kept keep who coded them and when; new ones are
    recorded as coded by `actor` now; dropped ones are deleted, the deletion kept in history."""
    answer = Answer.objects.select_related("question__page__survey", "response").get(pk=answer.pk)
    _check_codable(answer, codes)
    wanted = {code.pk: code for code in codes}
    current = {
        row.code_id: row for row in AnswerCode.objects.select_for_update().filter(answer=answer)
    }
    for code_id, row in current.items():
        if code_id not in wanted:
            row._history_user = actor  # type: ignore[attr-defined]
            row.delete()
    now = timezone.now()
    for code_id, code in wanted.items():
        if code_id not in current:
            row = AnswerCode(answer=answer, code=code, coded_by=actor, coded_at=now)
            row._history_user = actor  # type: ignore[attr-defined]
            row.save()
    return list(
        AnswerCode.objects.filter(answer=answer)
        .select_related("code", "coded_by")
        .order_by("code__label")
    )


@transaction.atomic
def answers_code_add(*, answers: Sequence[Answer], codes: Sequence[Code], actor: User) -> int:
    """Add `codes` to each answer (a group of similar answers coded at once), keeping the codes
    they already have. Returns how many answers were coded."""
    rows = Answer.objects.filter(pk__in=[answer.pk for answer in answers]).prefetch_related(
        "codes__code"
    )
    done = 0
    for answer in rows:
        existing = [row.code for row in answer.codes.all()]
        answer_code_set(
            answer=answer, codes=existing + [c for c in codes if c not in existing], actor=actor
        )
        done += 1
    return done


def quote_mark(*, answer_code: AnswerCode, representative: bool, actor: User) -> AnswerCode:
    """Mark (or unmark) a coded answer as a quote that speaks for its theme."""
    if answer_code.representative != representative:
        answer_code.representative = representative
        answer_code._history_user = actor  # type: ignore[attr-defined]
        answer_code.save(update_fields=["representative"])
    return answer_code


# Selectors ------------------------------------------------------------------------------------


def free_text_questions(survey: Survey) -> QuerySet[Question]:
    """The survey's free-text questions, in the order they are asked."""
    return Question.objects.filter(page__survey=survey, kind=Question.Kind.TEXT).order_by(
        "page__order", "order"
    )


def question_for_coding(
    *, user: Any, survey_pk: Any, question_pk: Any, for_change: bool = False
) -> Question:
    """A free-text question of a survey: 403 without the capability, 404 if there is none."""
    require(user, Capability.CODE_FREE_TEXT if for_change else Capability.VIEW_SURVEY_RESULTS)
    try:
        return Question.objects.select_related("page__survey").get(
            pk=question_pk, page__survey_id=survey_pk, kind=Question.Kind.TEXT
        )
    except (Question.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such free-text question.") from missing


def _answers(user: Any, question: Question) -> QuerySet[Answer]:
    """Submitted answers to the question that the user may read."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    answers = Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
    reached = access_for(user).organisation_ids(Capability.VIEW_SURVEY_RESULTS)
    if reached is not None:
        answers = answers.filter(
            Q(response__organisation__isnull=True) | Q(response__organisation__in=reached)
        )
    return answers


def _coded_rows(user: Any, question: Question) -> QuerySet[AnswerCode]:
    return AnswerCode.objects.filter(answer__in=_answers(user, question))


def answers_to_code(
    *, user: Any, question: Question, only_uncoded: bool = False
) -> QuerySet[Answer]:
    """Submitted answers to a free-text question, oldest first, each with its codes (and who
    coded them) prefetched."""
    answers = _answers(user, question)
    if only_uncoded:
        answers = answers.filter(codes__isnull=True)
    return answers.order_by("pk").prefetch_related(
        Prefetch(
            "codes",
            queryset=AnswerCode.objects.select_related("code", "coded_by").order_by("code__label"),
        )
    )


@dataclass(frozen=True)
class CodingProgress:
    answers: int
    coded: int

    @property
    def uncoded(self) -> int:
        return self.answers - self.coded


def coding_progress(*, user: Any, question: Question) -> CodingProgress:
    totals = _answers(user, question).aggregate(
        answers=Count("pk", distinct=True),
        coded=Count("pk", filter=Q(codes__isnull=False), distinct=True),
    )
    return CodingProgress(answers=totals["answers"], coded=totals["coded"])


def answer_rows(*, user: Any, question: Question) -> list[tuple[int, str, list[int]]]:
    """Every submitted answer as (answer id, text, ids of its codes), oldest first: what the
    suggestions work from. Two queries, however many answers."""
    codes_of: defaultdict[int, list[int]] = defaultdict(list)
    for answer_id, code_id in _coded_rows(user, question).values_list("answer_id", "code_id"):
        codes_of[answer_id].append(code_id)
    return [
        (answer_id, answer_text(value), codes_of.get(answer_id, []))
        for answer_id, value in _answers(user, question).order_by("pk").values_list("pk", "value")
    ]


def theme_counts(*, user: Any, question: Question) -> list[tuple[Code, int]]:
    """The codes given to answers to this question, with how many answers each was given to:
    most first, then by name."""
    codes = (
        Code.objects.filter(answer_codes__in=_coded_rows(user, question))
        .annotate(answers=Count("answer_codes__answer", distinct=True))
        .order_by("-answers", "label", "pk")
    )
    return [(code, code.answers) for code in codes]


def _listed(labels: list[str]) -> str:
    return "; ".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))


def top_three_sentence(
    *,
    user: Any,
    question: Question,
    asked_about: str = "",
    counts: Sequence[tuple[Code, int]] | None = None,
) -> str:
    """The report's sentence on the most common themes, e.g. "When asked what they would change,
    the top three responses were: 1. Better joint working between partners; 2. Better training;
    3. A more positive profile of safeguarding work." `asked_about` words the question ("what
    they would change"); without it the question is quoted. Empty when nothing is coded."""
    ranked = list(counts) if counts is not None else theme_counts(user=user, question=question)
    labels = [code.label.strip().rstrip(".") for code, count in ranked[:3] if count]
    if not labels:
        return ""
    asked = asked_about.strip() or f"“{question.text.strip()}”"
    if len(labels) == 1:
        return f"When asked {asked}, the most common response was: {labels[0]}."
    number = _NUMBER_WORDS[len(labels)]
    return f"When asked {asked}, the top {number} responses were: {_listed(labels)}."


def quotes(*, user: Any, question: Question, code: Code) -> list[AnswerCode]:
    """Answers to the question coded with `code`: representative quotes first, then in the
    order they were given."""
    return list(
        _coded_rows(user, question)
        .filter(code=code)
        .select_related("answer", "code", "coded_by")
        .order_by("-representative", "answer_id")
    )


def quotes_by_code(*, user: Any, question: Question) -> dict[int, list[AnswerCode]]:
    """`quotes` for every code at once (one query): code id → its coded answers."""
    grouped: defaultdict[int, list[AnswerCode]] = defaultdict(list)
    rows = (
        _coded_rows(user, question)
        .select_related("answer", "code", "coded_by")
        .order_by("-representative", "answer_id")
    )
    for row in rows:
        grouped[row.code_id].append(row)
    return dict(grouped)


def answer_code_for_change(*, user: Any, question: Question, pk: Any) -> AnswerCode:
    """One coding of an answer to this question, for someone who codes free text."""
    if not access_for(user).can(Capability.CODE_FREE_TEXT):
        raise PermissionDenied("Your role does not allow this.")
    try:
        return _coded_rows(user, question).select_related("answer", "code").get(pk=pk)
    except (AnswerCode.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such coded answer.") from missing


def export_rows(*, user: Any, question: Question) -> list[list[Any]]:
    """Every submitted answer with its codes, for CSV and XLSX."""
    rows = []
    answers = answers_to_code(user=user, question=question).select_related("response__organisation")
    for answer in answers:
        coded = list(answer.codes.all())
        last_coded = max((row.coded_at for row in coded), default=None)
        organisation = answer.response.organisation
        rows.append(
            [
                answer.pk,
                organisation.name if organisation else "",
                answer_text(answer.value),
                "; ".join(row.code.label for row in coded),
                "; ".join(sorted({row.code.theme for row in coded if row.code.theme})),
                "; ".join(row.code.label for row in coded if row.representative),
                "; ".join(sorted({row.coded_by.full_name or row.coded_by.email for row in coded})),
                timezone.localtime(last_coded).date() if last_coded else None,
            ]
        )
    return rows


EXPORT_HEADER = [
    "Answer",
    "Organisation",
    "Text",
    "Codes",
    "Shared themes",
    "Representative quote for",
    "Coded by",
    "Last coded",
]
