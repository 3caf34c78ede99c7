"""The README and everything under docs/ stand on their own in a clone of this repository: no
pointer to a folder beside the checkout (`../shared`), no absolute path of a machine, and every
relative Markdown link leads to a file or folder that exists in the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _markdown_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for folder in ("bench", "paqa", "tests"):
        files += sorted((ROOT / folder).rglob("*.md"))
    return files


DOCS = _markdown_files()

# Things a reader's clone does not have: the folder beside the checkout the project was started
# from, its notes by their old names, and paths on the machine it was written on.
OUTSIDE = re.compile(
    r"\.\./shared|(?<![\w/.-])shared/(?:DESIGN|GLOSSARY|STYLE|STATUTORY-RETURNS|"
    r"OFFICIAL-STATISTICS)|(?<![\w/-])(?:DESIGN|GLOSSARY|STYLE|STATUTORY-RETURNS|"
    r"OFFICIAL-STATISTICS)\.md|reference/paqa-annual-report|(?<![\w.])/work/"
)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target "title") — the text may hold one level of brackets, as in [`docs/adr/`](...).
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)  # http:, mailto:, anchors


def link_targets(text: str) -> list[str]:
    """The targets of the Markdown links in `text`, outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)


def broken_links(text: str, folder: Path) -> list[str]:
    """The relative links in `text`, a document in `folder`, that lead nowhere or out of the
    repository."""
    broken = []
    for target in link_targets(text):
        if not target or EXTERNAL.match(target):
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (ROOT / path.lstrip("/")) if path.startswith("/") else folder / path
        resolved = resolved.resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    return broken


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_readme_and_the_design_documents_are_checked():
    names = {_name(path) for path in DOCS}
    assert {"README.md", "docs/design.md", "docs/glossary.md", "docs/production.md"} <= names
    assert any(name.startswith("docs/adr/") for name in names)


@pytest.mark.parametrize("document", DOCS, ids=_name)
def test_no_document_points_outside_the_repository(document):
    lines = document.read_text(encoding="utf-8").splitlines()
    outside = [
        f"line {n}: {line.strip()}" for n, line in enumerate(lines, 1) if OUTSIDE.search(line)
    ]
    assert outside == []


@pytest.mark.parametrize("document", DOCS, ids=_name)
def test_every_relative_link_leads_to_a_file_in_the_repository(document):
    assert broken_links(document.read_text(encoding="utf-8"), document.parent) == []


def test_the_checks_find_what_they_are_for():
    """The link parser and the patterns catch a broken link, a link out of the repository and a
    pointer beside the checkout, and leave alone web links, anchors, code and good links."""
    text = "\n".join(
        [
            "See [the design](design.md#3-who-may-do-what), [ADRs](adr/), [`README`](../README.md)",
            "and [production](/docs/production.md).",
            "[web](https://example.org/x.md), [mail](mailto:a@b.example), [here](#top).",
            "[gone](no-such-file.md) and ![picture](img/missing.png 'title')",
            "[out](../../elsewhere.md)",
            "[ref]: ../shared/DESIGN.md",
            "`[code](not-a-link.md)`",
            "```",
            "[fenced](not-a-link-either.md)",
            "```",
        ]
    )
    targets = link_targets(text)
    assert "design.md#3-who-may-do-what" in targets
    assert "adr/" in targets
    assert "not-a-link.md" not in targets
    assert "not-a-link-either.md" not in targets
    assert broken_links(text, ROOT / "docs") == [
        "no-such-file.md",
        "img/missing.png",
        "../../elsewhere.md",
        "../shared/DESIGN.md",
    ]
    for line in ["see ../shared/DESIGN.md", "in DESIGN.md §4", "/work/main/README.md"]:
        assert OUTSIDE.search(line), line
    for line in ["docs/design.md §4", "sharedStrings.xml", "the shared kernel", "network/work/"]:
        assert not OUTSIDE.search(line), line
