"""The rules a survey's structure must keep, checked the same way for the question builder and
for an imported YAML file, and the plain-English summary of each branching rule.

Needs no database: the builder and the importer each describe the survey as `PageSpec`s and
`QuestionSpec`s (the importer with the line each came from), and get back every problem at once,
each naming the page, the question (and the line) it is about.

A branching rule (`show_if`) shows a page or a question only for given answers to an earlier
question: `{"question": code, "in": [answers]}` (or `"equals": answer`). It may only look back,
which is also what makes a loop impossible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = {
    "yes_no": "Yes or no",
    "single": "One choice",
    "multiple": "Several choices",
    "likert": "Agreement scale",
    "number": "Number",
    "text": "Free text",
}
#: Kinds whose answers are picked from a list, so a rule can depend on them.
BRANCHABLE = {"yes_no", "single", "multiple", "likert"}
#: Kinds whose choices the builder asks for (the others have fixed or no choices).
NEEDS_CHOICES = {"single", "multiple"}
YES_NO = ["Yes", "No"]
LIKERT = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    text: str
    choices: Sequence[str] = ()
    show_if: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class PageSpec:
    title: str
    questions: Sequence[QuestionSpec] = ()
    show_if: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None


def answers_offered(kind: str, choices: Sequence[str]) -> list[str]:
    if kind == "yes_no":
        return list(YES_NO)
    if kind == "likert":
        return list(choices) or list(LIKERT)
    return list(choices)


def rule_values(show_if: Mapping[str, Any]) -> list[Any]:
    if not show_if:
        return []
    if "in" in show_if:
        values = show_if["in"]
        return list(values) if isinstance(values, list | tuple) else [values]
    return [show_if.get("equals")]


def _where(line: int | None, text: str) -> str:
    return f"Line {line}: {text}" if line else text


def _page_name(number: int, page: PageSpec) -> str:
    return f"Page {number} ‘{page.title}’" if page.title else f"Page {number}"


def _rule_problems(
    show_if: Mapping[str, Any],
    *,
    subject: str,
    line: int | None,
    earlier: Mapping[str, QuestionSpec],
    everywhere: Mapping[str, QuestionSpec],
) -> list[str]:
    if not show_if:
        return []
    if not isinstance(show_if, Mapping) or "question" not in show_if:
        return [_where(line, f"{subject}: a rule needs the question it depends on")]
    target = str(show_if.get("question") or "")
    if target not in everywhere:
        return [
            _where(
                line,
                f"{subject}: its rule depends on ‘{target}’, which is not a question in this "
                "survey",
            )
        ]
    if target not in earlier:
        return [
            _where(
                line,
                f"{subject}: its rule depends on ‘{target}’, which does not come before it. A "
                "rule can only depend on an earlier question (a rule that points forwards or at "
                "itself would make a loop)",
            )
        ]
    question = earlier[target]
    if question.kind not in BRANCHABLE:
        return [
            _where(
                line,
                f"{subject}: its rule depends on ‘{target}’, a {KINDS.get(question.kind, '')} "
                "question. A rule can only depend on a question answered from a list",
            )
        ]
    values = rule_values(show_if)
    if not values:
        return [_where(line, f"{subject}: its rule must name at least one answer")]
    offered = answers_offered(question.kind, question.choices)
    unknown = [str(value) for value in values if value not in offered]
    if unknown:
        return [
            _where(
                line,
                f"{subject}: its rule uses {', '.join(f'‘{v}’' for v in unknown)}, which "
                f"{'is' if len(unknown) == 1 else 'are'} not an answer to ‘{target}’ "
                f"({', '.join(offered)})",
            )
        ]
    return []


def structure_problems(pages: Sequence[PageSpec]) -> list[str]:
    """Every problem with a survey's pages, questions and rules, in the order they appear."""
    problems: list[str] = []
    if not pages or not any(page.questions for page in pages):
        problems.append("The survey has no questions: add at least one question")
    everywhere: dict[str, QuestionSpec] = {}
    for page in pages:
        for question in page.questions:
            everywhere.setdefault(question.code, question)
    earlier: dict[str, QuestionSpec] = {}
    seen: set[str] = set()
    for number, page in enumerate(pages, start=1):
        name = _page_name(number, page)
        if not page.title.strip():
            problems.append(_where(page.line, f"Page {number} needs a title"))
        problems += _rule_problems(
            page.show_if, subject=name, line=page.line, earlier=earlier, everywhere=everywhere
        )
        for position, question in enumerate(page.questions, start=1):
            subject = f"Question ‘{question.code}’ (page {number}, question {position})"
            if not question.code:
                problems.append(_where(question.line, f"{subject} needs a code"))
            elif question.code in seen:
                problems.append(
                    _where(question.line, f"Question code ‘{question.code}’ is used twice")
                )
            if question.kind not in KINDS:
                problems.append(
                    _where(
                        question.line,
                        f"{subject}: ‘{question.kind}’ is not a question type. Use one of "
                        f"{', '.join(KINDS)}",
                    )
                )
            if not str(question.text).strip():
                problems.append(_where(question.line, f"{subject} needs its wording"))
            if question.kind in NEEDS_CHOICES and len(question.choices) < 2:
                problems.append(_where(question.line, f"{subject} needs at least two answers"))
            if len(set(question.choices)) != len(question.choices):
                problems.append(_where(question.line, f"{subject} has the same answer twice"))
            problems += _rule_problems(
                question.show_if,
                subject=subject,
                line=question.line,
                earlier=earlier,
                everywhere=everywhere,
            )
            seen.add(question.code)
            earlier.setdefault(question.code, question)
    return problems


def dates_problem(opens_at: datetime, closes_at: datetime) -> str:
    if closes_at <= opens_at:
        return "The closing date and time must be after the opening date and time"
    return ""


def rule_summary(show_if: Mapping[str, Any], questions: Mapping[str, Any]) -> str:
    """ "Only for people who answered ‘Yes’ to ‘Have you had safeguarding training…?’"; empty
    for no rule. `questions` maps codes to anything with a `text`."""
    if not show_if:
        return ""
    code = str(show_if.get("question", ""))
    question = questions.get(code)
    wording = getattr(question, "text", "") or code
    values = [f"‘{value}’" for value in rule_values(show_if)]
    answers = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
    return f"Only for people who answered {answers} to ‘{wording}’"
