"""Suggestions that speed up coding free text, worked out here and now (no external service).

Two helpers, both only ever *suggest*: the person coding decides.

- Keyword rules: a code's keywords (words or phrases) found as whole words in an answer.
- Similarity: answers as TF-IDF vectors (plain Python, sparse dictionaries), compared by cosine.
  Similar answers not yet coded are grouped so a group can be coded at once, and an answer is
  offered the codes of the already-coded answers most like it.

Everything is deterministic: the same texts in the same order give the same groups.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache
from typing import Generic, Protocol, TypeVar

#: How alike two answers must be (cosine of their TF-IDF vectors) to count as similar.
DEFAULT_THRESHOLD = 0.35

#: Common English words that say nothing about an answer's theme.
_STOP_WORDS = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each etc few for from
    further get got had has have having he her here hers him his how i if in into is it its
    itself just let me more most much my myself no nor not now of off on once only or other our
    ours out over own please really same she should so some such than that the their theirs
    them then there these they this those through thing things think to too under until up us
    very was we were what when where which while who whom why will with would you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

Vector = dict[str, float]


def tokens(text: str) -> list[str]:
    """The words of a text that carry meaning: lower case, no stop words, no single letters."""
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    return [
        word
        for word in _TOKEN.findall(lowered)
        if len(word) > 1 and word not in STOP_WORDS and not word.isdigit()
    ]


# TF-IDF ---------------------------------------------------------------------------------------


def _idf(document_frequency: int, documents: int) -> float:
    """Smoothed inverse document frequency: a word in every answer still counts a little."""
    return math.log((1 + documents) / (1 + document_frequency)) + 1.0


def _normalised(weights: dict[str, float]) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    if not norm:
        return {}
    return {term: weight / norm for term, weight in weights.items()}


def _weigh(counts: Counter[str], idf: dict[str, float], unseen_idf: float) -> Vector:
    # Sublinear term frequency, so a word said three times does not swamp the rest.
    return _normalised(
        {
            term: (1.0 + math.log(count)) * idf.get(term, unseen_idf)
            for term, count in counts.items()
        }
    )


def tfidf_vectors(texts: Sequence[str]) -> list[Vector]:
    """One unit-length TF-IDF vector (term → weight) per text. An empty text gives {}."""
    counted = [Counter(tokens(text)) for text in texts]
    frequency: Counter[str] = Counter()
    for counts in counted:
        frequency.update(counts.keys())
    documents = len(texts)
    idf = {term: _idf(df, documents) for term, df in frequency.items()}
    unseen = _idf(0, documents)
    return [_weigh(counts, idf, unseen) for counts in counted]


def cosine(first: Vector, second: Vector) -> float:
    """Cosine similarity of two unit-length vectors."""
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(term, 0.0) for term, weight in first.items())


# Grouping similar answers ---------------------------------------------------------------------


def group_similar(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of similar texts, as lists of their positions in `texts`.

    Single pass, in order: each text joins the group whose centre (the sum of its members'
    vectors) it is most like, if at least `threshold` alike, else starts a group of its own.
    An inverted index means a text is only compared with groups sharing a word with it, so a
    thousand short answers take a few milliseconds. Every text is in exactly one group; texts
    with no meaningful words are each a group of one. Groups are listed largest first, then by
    their first member; members in their original order.
    """
    vectors = tfidf_vectors(texts)
    centre: list[dict[str, float]] = []  # per group: term → summed weight
    centre_norm_squared: list[float] = []
    members: list[list[int]] = []
    groups_with_term: defaultdict[str, list[int]] = defaultdict(list)

    for position, vector in enumerate(vectors):
        best_group, best_score = -1, 0.0
        if vector:
            dots: defaultdict[int, float] = defaultdict(float)
            for term, weight in vector.items():
                for group in groups_with_term.get(term, ()):
                    dots[group] += weight * centre[group][term]
            for group in sorted(dots):
                norm = math.sqrt(centre_norm_squared[group])
                score = dots[group] / norm if norm else 0.0
                if score > best_score + 1e-12:
                    best_group, best_score = group, score
        if best_group >= 0 and best_score >= threshold:
            group = best_group
            # |c + v|² = |c|² + 2 c·v + |v|², with c·v = score·|c| and |v| = 1.
            dot = best_score * math.sqrt(centre_norm_squared[group])
            centre_norm_squared[group] += 2 * dot + 1.0
            members[group].append(position)
        else:
            group = len(members)
            centre.append({})
            centre_norm_squared.append(1.0 if vector else 0.0)
            members.append([position])
        for term, weight in vector.items():
            if term not in centre[group]:
                centre[group][term] = 0.0
                groups_with_term[term].append(group)
            centre[group][term] += weight
    return sorted(members, key=lambda group: (-len(group), group[0]))


# Suggestions ----------------------------------------------------------------------------------


class HasKeywords(Protocol):
    @property
    def keywords(self) -> object: ...


CodeT = TypeVar("CodeT", bound=HasKeywords)
Label = TypeVar("Label", bound=Hashable)


@lru_cache(maxsize=2048)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    words = keyword.lower().replace("’", "'").split()
    if not words:
        return None
    phrase = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){phrase}(?!\w)")


def _keywords_of(code: HasKeywords) -> list[str]:
    keywords = code.keywords
    if isinstance(keywords, str):
        return [keywords]
    if isinstance(keywords, Iterable):
        return [str(keyword) for keyword in keywords]
    return []


def keyword_suggestions(text: str, codes: Iterable[CodeT]) -> list[CodeT]:
    """The codes (in the order given) one of whose keywords appears in the text as whole words,
    ignoring case: "train" does not match "training", "joint working" matches "Joint  working"."""
    lowered = text.lower().replace("’", "'")
    found = []
    for code in codes:
        for keyword in _keywords_of(code):
            pattern = _keyword_pattern(keyword)
            if pattern is not None and pattern.search(lowered):
                found.append(code)
                break
    return found


class CodedIndex(Generic[Label]):
    """Already-coded answers, ready to be compared with uncoded ones (built once per page)."""

    def __init__(self, coded_examples: Sequence[tuple[str, Sequence[Label]]]) -> None:
        self._labels = [list(labels) for _, labels in coded_examples]
        counted = [Counter(tokens(text)) for text, _ in coded_examples]
        frequency: Counter[str] = Counter()
        for counts in counted:
            frequency.update(counts.keys())
        documents = len(coded_examples) + 1  # counting the answer being compared
        self._idf = {term: _idf(df, documents) for term, df in frequency.items()}
        self._unseen = _idf(0, documents)
        self._postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, counts in enumerate(counted):
            for term, weight in _weigh(counts, self._idf, self._unseen).items():
                self._postings[term].append((position, weight))

    def neighbours(
        self, text: str, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
    ) -> list[tuple[int, float]]:
        """The positions of the coded answers most like `text` (≥ threshold), most alike first."""
        vector = _weigh(Counter(tokens(text)), self._idf, self._unseen)
        scores: defaultdict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            for position, other in self._postings.get(term, ()):
                scores[position] += weight * other
        close = [(position, score) for position, score in scores.items() if score >= threshold]
        close.sort(key=lambda item: (-item[1], item[0]))
        return close[:limit]

    def suggest(
        self, text: str, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
    ) -> list[Label]:
        """The codes of the nearest coded answers, those backed by the most similarity first."""
        weight: dict[Label, float] = {}
        for position, score in self.neighbours(text, threshold=threshold, limit=limit):
            for label in self._labels[position]:
                weight[label] = weight.get(label, 0.0) + score
        order = {label: index for index, label in enumerate(weight)}
        return sorted(weight, key=lambda label: (-weight[label], order[label]))


def suggest_from_coded(
    uncoded_text: str,
    coded_examples: Sequence[tuple[str, Sequence[Label]]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
) -> list[Label]:
    """The codes given to the already-coded answers most like this one (nearest neighbours by
    cosine ≥ threshold, at most `limit` of them). To compare many answers, build a CodedIndex
    once and call its `suggest`."""
    return CodedIndex(coded_examples).suggest(uncoded_text, threshold=threshold, limit=limit)
