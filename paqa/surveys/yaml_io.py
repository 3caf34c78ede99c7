"""A survey as a YAML file: reading one, checked whole with every problem naming its line, and
writing one (the same format, so an export imports again as the same survey).

Needs no database. `read_survey` turns the text into a `SurveyData` and a list of `Problem`s;
the structure rules (pages, questions, branching) are `rules.structure_problems`, the same rules
the question builder keeps. What only the database can tell (a series and year already run) is
checked by `services.survey_from_yaml`, which adds its problems to these before writing anything.

The file is read as YAML 1.2 reads it, not as PyYAML's YAML 1.1 would: an unquoted `Yes`, `No`,
`on` or `off` stays a word (only `true` and `false` are yes-or-no), and an unquoted time like
`10:30` stays a time instead of becoming the number 630. Aliases (`*name`) are refused: no
survey needs them, and they are how a small file asks for a huge amount of memory. So are tags
(`!!python/...`, `!thing`) other than YAML's own, nesting deeper than a survey goes, and
characters YAML does not allow even when they are written as escapes (`"\\0"`). A value that
cannot be read as what it looks like (a number of 5,000 digits) stays a word, and is then
refused as text or kept as text, as any other word.

The format::

    series: practitioner-survey          # a slug; surveys of one series are compared by year
    year: 2018-19
    title: Practitioner survey
    kind: anonymous                      # or organisation (one return per organisation)
    introduction: ...                    # optional
    opens_on: 2018-09-01
    opens_time: "09:00"                  # optional, 00:00 if left out
    closes_on: 2018-10-31
    closes_time: "17:00"                 # optional, 23:59 if left out
    public_slug: practitioner-survey-2018-19   # optional: the public link's /s/<slug>/
    pages:
      - title: Training
        show_if: {question: works-with-children, equals: "Yes"}     # optional
        questions:
          - code: trained
            kind: yes_no                 # yes_no, single, multiple, likert, number or text
            text: Have you had safeguarding training?
            help_text: ...               # optional
            required: true               # optional
            choices: [A, B]              # single and multiple (likert: optional)
            show_if: {question: role, in: [Practitioner, Team manager]}   # optional
            themes: [training]           # optional, from the shared taxonomy
            breakdown: role              # optional: organisation or role
    codes:                               # optional: the codebook for free-text answers
      - slug: joint-working
        label: Better joint working between partners
        theme: working-together          # optional, from the shared taxonomy
        keywords: [joint working, partners]   # optional
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import yaml

from paqa.core.taxonomy import THEMES
from paqa.surveys import rules
from paqa.surveys.coding import clean_keywords
from paqa.surveys.models import Code, Page, Question, Survey

SURVEY_KEYS = (
    "series",
    "year",
    "title",
    "kind",
    "introduction",
    "opens_on",
    "opens_time",
    "closes_on",
    "closes_time",
    "public_slug",
    "pages",
    "codes",
)
REQUIRED_SURVEY_KEYS = ("series", "year", "title", "kind", "opens_on", "closes_on", "pages")
PAGE_KEYS = ("title", "show_if", "questions")
QUESTION_KEYS = (
    "code",
    "kind",
    "text",
    "help_text",
    "required",
    "choices",
    "show_if",
    "themes",
    "breakdown",
)
CODE_KEYS = ("slug", "label", "theme", "keywords")
RULE_KEYS = ("question", "equals", "in")
BREAKDOWNS = ("organisation", "role")
DEFAULT_OPENS_TIME = time(0, 0)
DEFAULT_CLOSES_TIME = time(23, 59)
# A survey nests seven deep (the file, pages, a page, questions, a question, its rule, the
# rule's answers); anything much deeper is not a survey, and is refused before it is read.
MAX_DEPTH = 20

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_LINE = re.compile(r"^Line (\d+): ")
_DATE_AND_TIME = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}[ tT]+\d")


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


# Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, and the line it is on (None: the file as a whole)."""

    text: str
    line: int | None = None

    def __str__(self) -> str:
        return f"Line {self.line}: {self.text}" if self.line else self.text

    @classmethod
    def from_rules(cls, message: str) -> Problem:
        """A message from `rules`, which puts the line in front ("Line 12: ...")."""
        found = _LINE.match(message)
        if found is None:
            return cls(message)
        return cls(message[found.end() :], int(found.group(1)))


def in_file_order(problems: Sequence[Problem]) -> list[str]:
    """The problems as sentences, the file's own first and then by line (stable)."""
    ordered = sorted(problems, key=lambda problem: problem.line or 0)
    return [str(problem) for problem in dict.fromkeys(ordered)]


# Reading -------------------------------------------------------------------------------------


class Located(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Refused(yaml.MarkedYAMLError):
    """What makes a file unreadable as a survey though PyYAML could read it, said as it is."""

    def __init__(self, text: str, mark: Any) -> None:
        super().__init__(problem=text, problem_mark=mark)
        self.text = text


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading plain words and times as YAML 1.2 does, refusing aliases
    and deep nesting, and keeping the line of every mapping and key (and any key given
    twice)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[Problem] = []
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed: write the value out in full",
                event.start_mark,
            )
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                f"The file is nested more than {MAX_DEPTH} deep, far deeper than a survey goes",
                self.peek_event().start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[Located]:
    data = Located()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    data.update((str(key), value) for key, value in loader.construct_mapping(node).items())
    for key_node, _value in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in data.key_lines:
            loader.repeated.append(Problem(f"‘{key}’ is given twice", line))
        else:
            data.key_lines[key] = line


#: Characters no database keeps (NUL) or no encoder writes (lone surrogates). Other control
#: characters written as escapes ("\x01") are kept, as the builder's forms keep them, so a survey
#: PAQA exported always imports again.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    found = _UNSTORABLE.search(text)
    if found:  # written as an escape in quotes ("\0", "\ud800"): nothing can keep it
        raise _Refused(
            f"The file has a character that is not allowed in YAML (#x{ord(found.group()):04x})",
            node.start_mark,
        )
    return text


def _refuse_tag(loader: _Loader, node: yaml.Node) -> Any:
    """Any tag but YAML's own (`!!python/object/apply:…`, `!thing`), named as it is written."""
    tag = re.sub(r"^tag:yaml\.org,2002:", "!!", str(node.tag))
    raise _Refused(
        f"The file has the tag ‘{tag}’, which is not allowed: a survey needs no tags",
        node.start_mark,
    )


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool | str:
    word = str(loader.construct_scalar(node))
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    return word  # Yes, No, on, off: words, as YAML 1.2 reads them


def _construct_number(
    standard: Callable[[Any, Any], Any],
) -> Callable[[_Loader, yaml.ScalarNode], Any]:
    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        word = str(loader.construct_scalar(node))
        if ":" in word:
            return word  # 10:30 is a time, not YAML 1.1's base-60 number 630
        try:
            return standard(loader, node)
        except (ValueError, IndexError, OverflowError):
            return word  # 5,000 digits, or `!!int x`: a word, checked as any other

    return construct


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, AttributeError, OverflowError):  # AttributeError: `!!timestamp x`
        return str(loader.construct_scalar(node))  # 2026-02-30: refused as a date, with its line


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_text)
_Loader.add_constructor(None, _refuse_tag)
_Loader.add_constructor(
    "tag:yaml.org,2002:int", _construct_number(yaml.SafeLoader.construct_yaml_int)
)
_Loader.add_constructor(
    "tag:yaml.org,2002:float", _construct_number(yaml.SafeLoader.construct_yaml_float)
)


def _parse_problem(error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, _Refused):
        return Problem(error.text, error.problem_mark.line + 1 if error.problem_mark else None)
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        what = "; ".join(part for part in (error.context, error.problem) if part)
        return Problem(
            f"The file is not valid YAML: {what or 'it cannot be read'}",
            mark.line + 1 if mark else None,
        )
    if isinstance(error, yaml.reader.ReaderError):
        line = text[: max(0, error.position)].count("\n") + 1
        return Problem(
            "The file has a character that is not allowed in YAML "
            f"(#x{error.character if isinstance(error.character, int) else 0:04x})",
            line,
        )
    return Problem(f"The file is not valid YAML: {error}")


def load(text: str) -> tuple[Any, list[Problem]]:
    """The YAML document in `text` (mappings as `Located`), or the problem that stops reading
    it, with its line."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as error:  # a character YAML does not allow, found before parsing
        return None, [_parse_problem(error, text)]
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        return None, [_parse_problem(error, text)]
    except (ValueError, OverflowError):  # "\U00110000" in quotes names no character, and the
        return None, [  # scanner fails on it with Python's own error, not a YAML one
            Problem(
                "The file has an escape in quotes (like \\U0001F600) that is not a character",
                loader.get_mark().line + 1,
            )
        ]
    finally:
        loader.dispose()
    return data, list(loader.repeated)


# The survey ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    code: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    choices: list[str] = field(default_factory=list)
    show_if: dict[str, Any] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    breakdown: str = ""
    line: int | None = None


@dataclass(frozen=True)
class PageData:
    title: str
    questions: list[QuestionData] = field(default_factory=list)
    show_if: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class CodeData:
    slug: str
    label: str
    theme: str = ""
    keywords: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass(frozen=True)
class SurveyData:
    """What a file describes, as far as it could be read. Use it only when there are no
    problems."""

    series: str = ""
    year: str = ""
    title: str = ""
    kind: str = ""
    introduction: str = ""
    opens_on: date | None = None
    opens_time: time = DEFAULT_OPENS_TIME
    closes_on: date | None = None
    closes_time: time = DEFAULT_CLOSES_TIME
    public_slug: str = ""
    pages: list[PageData] = field(default_factory=list)
    codes: list[CodeData] = field(default_factory=list)
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class _Reader:
    """Reads the values of a file's mappings, noting every problem (with its line) on the way."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, line: int | None, text: str) -> None:
        self.problems.append(Problem(text, line))

    def mapping(self, value: Any, line: int | None, what: str) -> Located | None:
        if isinstance(value, Located):
            return value
        self.problem(line, f"{what} must be a set of keys and values (like title: …)")
        return None

    def unknown_keys(self, data: Located, known: Sequence[str], what: str) -> None:
        for key in data:
            if str(key) not in known:
                self.problem(
                    data.line_of(str(key)),
                    f"‘{key}’ is not something {what} can have. Use "
                    f"{', '.join(known[:-1])} or {known[-1]}",
                )

    def text(
        self,
        data: Located,
        key: str,
        what: str,
        *,
        max_length: int | None = None,
        required: bool = False,
    ) -> str:
        if key not in data or data[key] is None:
            if required:
                self.problem(data.line, f"{what} needs ‘{key}’")
            return ""
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(data.line_of(key), f"{what}: ‘{key}’ must be text")
            return ""
        words = str(value).strip()
        if required and not words:
            self.problem(data.line_of(key), f"{what}: ‘{key}’ is empty")
        if max_length is not None and len(words) > max_length:
            self.problem(
                data.line_of(key),
                f"{what}: ‘{key}’ must be {max_length} characters or fewer (it is {len(words)})",
            )
        return words

    def slug(
        self, data: Located, key: str, what: str, *, max_length: int, required: bool = True
    ) -> str:
        value = self.text(data, key, what, max_length=max_length, required=required)
        if value and not _SLUG.match(value):
            self.problem(
                data.line_of(key),
                f"{what}: ‘{key}’ must use only letters, numbers, hyphens and underscores, "
                f"like ‘practitioner-survey’ (not ‘{value}’)",
            )
        return value

    def day(self, data: Located, key: str, what: str) -> date | None:
        if key not in data or data[key] is None:
            self.problem(data.line, f"{what} needs ‘{key}’ (a date like 2019-04-01)")
            return None
        value = data[key]
        if isinstance(value, datetime) or _DATE_AND_TIME.match(str(value)):
            time_key = key.replace("_on", "_time")
            self.problem(
                data.line_of(key),
                f"‘{key}’ must be a date alone, like 2019-04-01 (give the time as ‘{time_key}’)",
            )
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(
                data.line_of(key), f"‘{key}’ must be a real date, like 2019-04-01 (not ‘{value}’)"
            )
            return None

    def clock(self, data: Located, key: str, default: time) -> time:
        if key not in data or data[key] is None:
            return default
        found = _TIME.match(str(data[key]).strip())
        if isinstance(data[key], str) and found:
            hours, minutes, seconds = found.groups()
            return time(int(hours), int(minutes), int(seconds or 0))
        self.problem(
            data.line_of(key),
            f'‘{key}’ must be a time on the 24-hour clock, like "09:30" (not ‘{data[key]}’)',
        )
        return default

    def flag(self, data: Located, key: str, what: str) -> bool:
        value = data.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("yes", "no"):
            return value.lower() == "yes"
        self.problem(data.line_of(key), f"{what}: ‘{key}’ must be true or false")
        return False

    def words(self, data: Located, key: str, what: str) -> list[str]:
        """A list of short texts (choices, keywords, theme slugs)."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or any(
            isinstance(item, bool | list | dict) or item is None for item in value
        ):
            self.problem(data.line_of(key), f"{what}: ‘{key}’ must be a list, like [A, B]")
            return []
        return [str(item).strip() for item in value]

    def themes(self, slugs: list[str], line: int | None, what: str) -> list[str]:
        unknown = [slug for slug in slugs if slug not in THEMES]
        if unknown:
            self.problem(
                line,
                f"{what}: {', '.join(f'‘{slug}’' for slug in unknown)} "
                f"{'is not a theme' if len(unknown) == 1 else 'are not themes'} of the shared "
                f"list. Use {', '.join(THEMES)}",
            )
        return slugs

    def rule(self, data: Located, what: str) -> dict[str, Any]:
        value = data.get("show_if")
        if value in (None, {}):
            return {}
        rule = self.mapping(value, data.line_of("show_if"), f"{what}: ‘show_if’")
        if rule is None:
            return {}
        self.unknown_keys(rule, RULE_KEYS, "a rule (show_if)")
        if "equals" in rule and "in" in rule:
            self.problem(
                rule.line_of("in"),
                f"{what}: a rule gives either ‘equals’ (one answer) or ‘in’ (a list), not both",
            )
        kept = dict(rule)
        if kept.get("question") is not None:
            kept["question"] = str(kept["question"]).strip()  # text, as question codes are
        return kept


def _question(reader: _Reader, value: Any, line: int | None, where: str) -> QuestionData | None:
    data = reader.mapping(value, line, f"{where}: each question")
    if data is None:
        return None
    code = str(data.get("code") or "").strip()
    what = f"Question ‘{code}’" if code else f"A question ({where.lower()})"
    reader.unknown_keys(data, QUESTION_KEYS, "a question")
    if code:
        reader.slug(data, "code", what, max_length=_max_length(Question, "code"))
    kind = str(data.get("kind") or "").strip()
    if "kind" not in data:
        reader.problem(data.line, f"{what} needs ‘kind’: one of {', '.join(rules.KINDS)}")
        kind = "yes_no"  # counted once, here, not again by the structure rules
    breakdown = reader.text(data, "breakdown", what)
    if breakdown and breakdown not in BREAKDOWNS:
        reader.problem(
            data.line_of("breakdown"),
            f"{what}: ‘breakdown’ must be organisation or role (not ‘{breakdown}’)",
        )
    return QuestionData(
        code=code,
        kind=kind,
        text=reader.text(data, "text", what, max_length=_max_length(Question, "text")),
        help_text=reader.text(
            data, "help_text", what, max_length=_max_length(Question, "help_text")
        ),
        required=reader.flag(data, "required", what),
        choices=reader.words(data, "choices", what),
        show_if=reader.rule(data, what),
        themes=reader.themes(reader.words(data, "themes", what), data.line_of("themes"), what),
        breakdown=breakdown,
        line=data.line,
    )


def _page(reader: _Reader, value: Any, line: int | None, number: int) -> PageData | None:
    where = f"Page {number}"
    data = reader.mapping(value, line, where)
    if data is None:
        return None
    reader.unknown_keys(data, PAGE_KEYS, "a page")
    title = reader.text(data, "title", where, max_length=_max_length(Page, "title"))
    questions = data.get("questions")
    if questions is None:
        questions = []
    if not isinstance(questions, list):
        reader.problem(data.line_of("questions"), f"{where}: ‘questions’ must be a list")
        questions = []
    return PageData(
        title=title,
        questions=[
            question
            for item in questions
            if (question := _question(reader, item, data.line_of("questions"), where))
        ],
        show_if=reader.rule(data, where),
        line=data.line,
    )


def _codes(reader: _Reader, data: Located) -> list[CodeData]:
    value = data.get("codes")
    if value is None:
        return []
    if not isinstance(value, list):
        reader.problem(data.line_of("codes"), "‘codes’ (the codebook) must be a list")
        return []
    codes: list[CodeData] = []
    seen: set[str] = set()
    for item in value:
        entry = reader.mapping(item, data.line_of("codes"), "Each code in the codebook")
        if entry is None:
            continue
        reader.unknown_keys(entry, CODE_KEYS, "a code")
        slug = reader.slug(entry, "slug", "A code", max_length=_max_length(Code, "slug"))
        what = f"Code ‘{slug}’" if slug else "A code"
        if slug in seen:
            reader.problem(entry.line_of("slug"), f"Code ‘{slug}’ is in the codebook twice")
        seen.add(slug)
        label = reader.text(
            entry, "label", what, max_length=_max_length(Code, "label"), required=True
        )
        theme = reader.text(entry, "theme", what)
        if theme:
            reader.themes([theme], entry.line_of("theme"), what)
        codes.append(
            CodeData(
                slug=slug,
                label=label,
                theme=theme,
                keywords=clean_keywords(reader.words(entry, "keywords", what)),
                line=entry.line,
            )
        )
    return codes


def specs(pages: Sequence[PageData]) -> list[rules.PageSpec]:
    """The pages as the structure rules read them."""
    return [
        rules.PageSpec(
            title=page.title,
            show_if=page.show_if,
            line=page.line,
            questions=[
                rules.QuestionSpec(
                    code=question.code,
                    kind=question.kind,
                    text=question.text,
                    choices=question.choices,
                    show_if=question.show_if,
                    line=question.line,
                )
                for question in page.questions
            ],
        )
        for page in pages
    ]


def read_survey(text: str) -> tuple[SurveyData, list[Problem]]:
    """The survey a YAML file describes and every problem with it, each with its line."""
    if not text.strip():
        return SurveyData(), [Problem("The file is empty")]
    loaded, problems = load(text)
    if problems and loaded is None:
        return SurveyData(), problems
    reader = _Reader()
    reader.problems = problems
    data = reader.mapping(loaded, 1, "The file is not a survey: it")
    if data is None:
        return SurveyData(), reader.problems
    reader.unknown_keys(data, SURVEY_KEYS, "a survey")
    for key in REQUIRED_SURVEY_KEYS:
        if key not in data:
            reader.problem(data.line, f"The survey needs ‘{key}’")
    what = "The survey"
    kind = reader.text(data, "kind", what)
    if "kind" in data and kind not in Survey.Kind.values:
        reader.problem(
            data.line_of("kind"),
            "‘kind’ must be anonymous (answered through a public link) or organisation (one "
            f"return per organisation), not ‘{kind}’",
        )
    opens_on = reader.day(data, "opens_on", what) if "opens_on" in data else None
    closes_on = reader.day(data, "closes_on", what) if "closes_on" in data else None
    opens_time = reader.clock(data, "opens_time", DEFAULT_OPENS_TIME)
    closes_time = reader.clock(data, "closes_time", DEFAULT_CLOSES_TIME)
    if opens_on and closes_on:
        wrong_order = rules.dates_problem(
            datetime.combine(opens_on, opens_time), datetime.combine(closes_on, closes_time)
        )
        if wrong_order:
            reader.problem(data.line_of("closes_on"), wrong_order)
    pages_value = data.get("pages")
    pages: list[PageData] = []
    if "pages" in data and not isinstance(pages_value, list):
        reader.problem(data.line_of("pages"), "‘pages’ must be a list of pages")
    elif isinstance(pages_value, list):
        pages = [
            page
            for number, item in enumerate(pages_value, start=1)
            if (page := _page(reader, item, data.line_of("pages"), number))
        ]
    survey = SurveyData(
        series=reader.slug(
            data, "series", what, max_length=_max_length(Survey, "series"), required=False
        ),
        year=reader.text(data, "year", what, max_length=_max_length(Survey, "year")),
        title=reader.text(data, "title", what, max_length=_max_length(Survey, "title")),
        kind=kind,
        introduction=reader.text(data, "introduction", what),
        opens_on=opens_on,
        opens_time=opens_time,
        closes_on=closes_on,
        closes_time=closes_time,
        public_slug=reader.slug(
            data,
            "public_slug",
            what,
            max_length=_max_length(Survey, "public_slug"),
            required=False,
        ),
        pages=pages,
        codes=_codes(reader, data),
        line=data.line,
        key_lines=dict(data.key_lines),
    )
    for key in ("series", "year", "title"):
        if key in data and not getattr(survey, key):
            reader.problem(data.line_of(key), f"The survey’s ‘{key}’ is empty")
    structure = [Problem.from_rules(message) for message in rules.structure_problems(specs(pages))]
    return survey, reader.problems + structure


# Writing -------------------------------------------------------------------------------------


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


HEADER = (
    "# A PAQA survey. Import it from Surveys > Import a survey: it comes in as a draft.\n"
    "# Dates are YYYY-MM-DD and times 24-hour in quotes; question kinds are "
    f"{', '.join(rules.KINDS)}.\n"
)


def dump(data: Mapping[str, Any]) -> str:
    """A survey's description (as `survey_to_yaml` gathers it) as the text of a YAML file."""
    plain = dict(data)
    for key in ("opens_time", "closes_time"):
        if isinstance(plain.get(key), time):
            plain[key] = _clock(plain[key])
    return HEADER + yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
