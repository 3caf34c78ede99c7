"""Loading audit tools and grading scales from their YAML packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from paqa.audits.models import AuditTool, Domain, GradeLevel, GradeScale, Question

PACK_DIR = Path(__file__).resolve().parent / "packs"
CASE_AUDIT_PACK = PACK_DIR / "multi-agency-case-audit.yaml"


class PackError(ValueError):
    pass


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PackError(f"{path}: {error}") from error
    if not isinstance(data, dict) or "tool" not in data or "scale" not in data:
        raise PackError(f"{path}: needs a 'scale' and a 'tool'")
    return data


@transaction.atomic
def audit_tool_load(path: Path = CASE_AUDIT_PACK) -> AuditTool:
    """Load the pack's scale and tool version; loading the same version again changes nothing."""
    pack = _read(path)
    scale_entry = pack["scale"]
    scale, _ = GradeScale.objects.get_or_create(
        code=scale_entry["code"], defaults={"name": scale_entry["name"]}
    )
    for level in scale_entry["levels"]:
        GradeLevel.objects.update_or_create(
            scale=scale,
            code=level["code"],
            defaults={
                "label": level["label"],
                "rank": level["rank"],
                "tag_colour": level["tag_colour"],
            },
        )
    entry = pack["tool"]
    existing = AuditTool.objects.filter(code=entry["code"], version=str(entry["version"])).first()
    if existing is not None:
        return existing
    tool = AuditTool.objects.create(
        code=entry["code"], version=str(entry["version"]), name=entry["name"], scale=scale
    )
    for order, domain_entry in enumerate(entry["domains"], start=1):
        domain = Domain.objects.create(
            tool=tool,
            order=order,
            code=domain_entry["code"],
            title=domain_entry["title"],
            themes=domain_entry.get("themes", []),
        )
        for position, question in enumerate(domain_entry.get("questions", []), start=1):
            if question["answer_type"] not in Question.AnswerType.values:
                raise PackError(f"{path}: question '{question['text']}' has an unknown answer_type")
            Question.objects.create(
                domain=domain,
                order=position,
                text=question["text"],
                answer_type=question["answer_type"],
                help_text=question.get("help_text", ""),
            )
    return tool
