"""Coding free-text answers with themes: the helpers that need no database. Reads (the
answers, counts, quotes) are in `selectors`; writes (the codebook, coding answers, marking
quotes) in `services`. Only submitted responses are coded, counted or quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paqa.surveys.models import Code, Question

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}

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


def answer_text(value: Any) -> str:
    """The text of a free-text answer (stored as JSON, so normally a string already)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """Keywords in lower case with single spaces, each once, in the order given."""
    cleaned: list[str] = []
    for keyword in keywords:
        words = " ".join(str(keyword).split()).lower()
        if words and words not in cleaned:
            cleaned.append(words)
    return cleaned


@dataclass(frozen=True)
class CodingProgress:
    answers: int
    coded: int

    @property
    def uncoded(self) -> int:
        return self.answers - self.coded


def _listed(labels: list[str]) -> str:
    return "; ".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))


def top_three_text(
    question: Question, ranked: Sequence[tuple[Code, int]], asked_about: str = ""
) -> str:
    """The report's sentence on the most common themes, from codes ranked with their counts,
    e.g. "When asked what they would change, the top three responses were: 1. Better joint
    working between partners; 2. Better training; 3. A more positive profile of safeguarding
    work." `asked_about` words the question ("what they would change"); without it the
    question is quoted. Empty when nothing is coded."""
    labels = [code.label.strip().rstrip(".") for code, count in list(ranked)[:3] if count]
    if not labels:
        return ""
    asked = asked_about.strip() or f"“{question.text.strip()}”"
    if len(labels) == 1:
        return f"When asked {asked}, the most common response was: {labels[0]}."
    number = _NUMBER_WORDS[len(labels)]
    return f"When asked {asked}, the top {number} responses were: {_listed(labels)}."


# The coding page's form -------------------------------------------------------------------------

#: The most answers one post may name (a page shows at most a hundred; a group of similar
#: answers can be larger, but not without end).
MAX_POSTED_ANSWERS = 5000


def shown_value(shown: Iterable[tuple[int, Iterable[int]]]) -> str:
    """The codes each answer had when the page was shown, for the form's hidden field:
    "12:3,5 13: 14:5" (answer 12 had codes 3 and 5, answer 13 none, answer 14 code 5)."""
    return " ".join(
        f"{answer_id}:{','.join(str(code_id) for code_id in sorted(code_ids))}"
        for answer_id, code_ids in shown
    )


def parse_shown(value: str) -> dict[int, frozenset[int]]:
    """The hidden field back again: answer id → the ids of the codes it was shown with.
    ValueError when it is not in that shape."""
    shown: dict[int, frozenset[int]] = {}
    for part in value.split():
        answer, _, codes = part.partition(":")
        if not _ or not answer.isdigit() or int(answer) in shown:
            raise ValueError(f"Not an answer and its codes: {part!r}")
        shown[int(answer)] = frozenset(int(code) for code in codes.split(",") if code)
        if len(shown) > MAX_POSTED_ANSWERS:
            raise ValueError("Too many answers")
    return shown


def parse_ids(value: str | Iterable[str]) -> list[int]:
    """Ids posted as "1,2,3" (one field) or as several fields, each once, in the order given.
    ValueError when one is not a whole number."""
    parts = value.split(",") if isinstance(value, str) else value
    ids = list(dict.fromkeys(int(part) for part in parts if str(part).strip()))
    if len(ids) > MAX_POSTED_ANSWERS:
        raise ValueError("Too many ids")
    return ids


@dataclass(frozen=True)
class CodesChange:
    """The codes to add to one answer and to take off it."""

    add: frozenset[int]
    remove: frozenset[int]


def page_changes(
    shown: Mapping[int, frozenset[int]],
    ticked: Mapping[int, Iterable[int]],
    *,
    selected: Iterable[int] = (),
    apply: int | None = None,
    remove: int | None = None,
) -> dict[int, CodesChange]:
    """What a post of the coding page changes, answer by answer (only answers that change).

    Each answer's ticked codes are compared with the codes it was shown with, so only what the
    person changed is written: a code another coder gave it meanwhile is neither removed nor
    given twice. Then the code to `apply` is added to every `selected` answer, or the code to
    `remove` taken off them, whatever their boxes said."""
    changes: dict[int, CodesChange] = {}
    chosen = set(selected)
    for answer_id, before in shown.items():
        after = set(ticked.get(answer_id, ()))
        if answer_id in chosen:
            if apply is not None:
                after.add(apply)
            if remove is not None:
                after.discard(remove)
        add = frozenset(after - before)
        # Removing a code that was not shown (the selected answers' code) takes it off all the
        # same, in case another coder gave it meanwhile.
        taken = (before - after) | (
            {remove} if remove is not None and answer_id in chosen else set()
        )
        if add or taken:
            changes[answer_id] = CodesChange(add=add, remove=frozenset(taken))
    return changes
