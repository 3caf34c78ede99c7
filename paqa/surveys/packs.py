"""Creating a year's survey from a shipped pack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from paqa.accounts.models import User
from paqa.surveys.models import Survey
from paqa.surveys.services import survey_from_yaml

PACK_DIR = Path(__file__).resolve().parent / "packs"
PRACTITIONER_PACK = PACK_DIR / "practitioner-survey.yaml"


def survey_from_pack(
    *, path: Path, year: str, opens_on: date, closes_on: date, actor: User | None = None
) -> Survey:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        public_slug=f"{data['series']}-{year}",
    )
    return survey_from_yaml(yaml.safe_dump(data, sort_keys=False), actor=actor)
