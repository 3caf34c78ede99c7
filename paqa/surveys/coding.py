"""Coding free-text answers with themes: the helpers that need no database. Reads (the
answers, counts, quotes) are in `selectors`; writes (the codebook, coding answers, marking
quotes) in `services`. Only submitted responses are coded, counted or quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
