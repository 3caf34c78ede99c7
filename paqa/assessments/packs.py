"""Loading rating scales and frameworks from their YAML packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from paqa.assessments.models import Criterion, Framework, RatingLevel, RatingScale, Standard

PACK_DIR = Path(__file__).resolve().parent / "packs"
SCALES_PACK = PACK_DIR / "scales.yaml"
SECTION_11_PACK = PACK_DIR / "section-11.yaml"


class PackError(ValueError):
    pass


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PackError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise PackError(f"{path}: expected a mapping at the top")
    return data


@transaction.atomic
def scales_load(path: Path = SCALES_PACK) -> list[RatingScale]:
    loaded = []
    for entry in _read(path).get("scales", []):
        scale, _ = RatingScale.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"]}
        )
        for level in entry["levels"]:
            RatingLevel.objects.update_or_create(
                scale=scale,
                code=level["code"],
                defaults={
                    "label": level["label"],
                    "meaning": level["meaning"],
                    "rank": level["rank"],
                    "tag_colour": level.get("tag_colour", "grey"),
                    "requires_example": bool(level.get("requires_example", False)),
                    "counts_as_met": bool(level.get("counts_as_met", False)),
                },
            )
        loaded.append(scale)
    return loaded


@transaction.atomic
def framework_load(path: Path = SECTION_11_PACK) -> Framework:
    """Load a framework version; loading the same version again changes nothing."""
    pack = _read(path)
    for key in ("code", "version", "name", "scale", "standards", "variants"):
        if not pack.get(key):
            raise PackError(f"{path}: missing {key}")
    existing = Framework.objects.filter(code=pack["code"], version=str(pack["version"])).first()
    if existing is not None:
        return existing
    scale = RatingScale.objects.filter(code=pack["scale"]).first() or None
    if scale is None:
        scales_load()
        scale = RatingScale.objects.filter(code=pack["scale"]).first()
    if scale is None:
        raise PackError(f"{path}: unknown rating scale '{pack['scale']}'")
    framework = Framework.objects.create(
        code=pack["code"],
        version=str(pack["version"]),
        name=pack["name"],
        description=pack.get("description", ""),
        scale=scale,
        variants=pack["variants"],
    )
    variant_codes = set(pack["variants"])
    for entry in pack["standards"]:
        standard = Standard.objects.create(
            framework=framework,
            number=entry["number"],
            code=entry["code"],
            title=entry["title"],
            description=entry["description"],
            themes=entry.get("themes", []),
        )
        for order, criterion in enumerate(entry.get("criteria", []), start=1):
            Criterion.objects.create(
                standard=standard,
                variant="",
                order=order,
                text=criterion["text"],
                guidance=criterion.get("guidance", ""),
            )
        for variant in variant_codes:
            for order, criterion in enumerate(entry.get(variant, []), start=1):
                Criterion.objects.create(
                    standard=standard,
                    variant=variant,
                    order=order,
                    text=criterion["text"],
                    guidance=criterion.get("guidance", ""),
                )
    return framework
