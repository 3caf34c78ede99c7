"""The parts talk through core's registries and each other's selectors and services, never
through each other's models (docs/design.md §1 and §4): this builds the import graph of every module
and fails on an arrow from one part into another part's models, or from a floor up."""

import ast
from pathlib import Path

import pytest

PAQA = Path(__file__).resolve().parents[2] / "paqa"

# The parts: each holds its own records and reads others only through core, selectors and
# services. Floors below them (core, accounts, partnership) hold what every part shares.
PARTS = {
    "indicators",
    "returns",
    "assessments",
    "audits",
    "surveys",
    "voice",
    "escalations",
    "actions",
    "themes",
    "reports",
}
FLOOR = {
    "core": 0,
    "accounts": 1,
    "partnership": 1,
    **{part: 2 for part in PARTS - {"themes", "reports"}},
    "themes": 3,
    "reports": 3,
}
# Tools that compose every part on purpose, above them all: the demonstration loader (and its
# scale generator) and operations (export-all, backup, retention read every table).
ABOVE_ALL = {"demo", "operations"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every paqa module a file imports (at any depth: top, functions, TYPE_CHECKING), with
    the line it is imported on."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module.count(".") == 1:  # `from paqa.audits import models` names the module
                found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("paqa.")]


def _graph() -> list[tuple[str, str, str, int]]:
    """(importing app, file, imported module, line) for every import between apps."""
    arrows = []
    for path in sorted(PAQA.rglob("*.py")):
        relative = path.relative_to(PAQA)
        if len(relative.parts) < 2 or relative.parts[1] == "migrations":
            continue
        app = relative.parts[0]
        for module, line in _imports(path):
            target = module.split(".")[1]
            if target != app:
                arrows.append((app, str(relative), module, line))
    return arrows


def _is_models(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[2] == "models"


def test_the_graph_is_read_from_every_part():
    importing = {app for app, *_ in _graph()}
    assert importing | {"actions"} >= PARTS, PARTS - importing
    assert any(module == "paqa.core.evidence" for _, _, module, _ in _graph())


def test_no_part_imports_another_parts_models():
    crossing = [
        f"{file}:{line} imports {module}"
        for app, file, module, line in _graph()
        if app in PARTS and module.split(".")[1] in PARTS and _is_models(module)
    ]
    assert crossing == [], "\n".join(crossing)


def test_imports_point_down_the_floors_only():
    upward = [
        f"{file}:{line} imports {module}"
        for app, file, module, line in _graph()
        if app in FLOOR
        and module.split(".")[1] in FLOOR
        and FLOOR[module.split(".")[1]] > FLOOR[app]
    ]
    assert upward == [], "\n".join(upward)


def test_nothing_but_the_composing_tools_imports_them():
    into_tools = [
        f"{file}:{line} imports {module}"
        for app, file, module, line in _graph()
        if module.split(".")[1] in ABOVE_ALL and app not in ABOVE_ALL and app != "settings"
    ]
    assert into_tools == [], "\n".join(into_tools)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from paqa.audits.models import Finding\n", True),
        ("def f():\n    from paqa.audits import models\n", True),
        ("import paqa.audits.models\n", True),
        ("from paqa.audits.selectors import audit_list\n", False),
    ],
)
def test_the_check_would_catch_an_arrow_into_models(tmp_path, source, caught):
    module = tmp_path / "example.py"
    module.write_text(source)
    assert any(_is_models(name) for name, _ in _imports(module)) is caught
