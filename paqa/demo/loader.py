from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

from paqa.assessments.demo import demo_assessments_load
from paqa.audits.demo import demo_audits_load
from paqa.escalations.demo import demo_escalations_load
from paqa.indicators.demo import demo_indicators_load
from paqa.partnership.demo import demo_load
from paqa.partnership.models import Partnership
from paqa.reports.demo import demo_report_load
from paqa.surveys.demo import demo_surveys_load
from paqa.themes.demo import demo_key_messages_load
from paqa.voice.demo import demo_voice_load


@transaction.atomic
def demo_everything_load() -> Partnership:
    """Every part's demonstration data, in floor order. Safe to run again."""
    partnership = demo_load()
    demo_indicators_load(partnership=partnership)
    demo_assessments_load(partnership=partnership)
    demo_audits_load(partnership=partnership)
    demo_surveys_load()
    demo_voice_load()
    demo_escalations_load(partnership=partnership)
    demo_key_messages_load()
    demo_report_load()
    return partnership


# 2020-21, with the census of 2019-20 before it: after the reference report's year, so loading
# them adds provisional figures beside the report's and changes none of them.
DEMO_RETURNS_YEAR = 2021
DEMO_RETURNS_CHILDREN = 1500
DEMO_RETURNS_SEED = 2019


def demo_returns_write(directory: Path) -> Path:
    """Fake SSDA903 and CIN census returns (with the census of the year before) for people to
    try loading, and the figures they must give. Not loaded: the demo's own figures stay the
    reference report's. Written once; safe to run again."""
    answers = directory / "known-answers.txt"
    if answers.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    out = StringIO()
    call_command(
        "generate-returns",
        str(directory),
        "--children",
        str(DEMO_RETURNS_CHILDREN),
        "--year",
        str(DEMO_RETURNS_YEAR),
        "--seed",
        str(DEMO_RETURNS_SEED),
        "--kind",
        "both",
        "--with-previous-year",
        stdout=out,
    )
    answers.write_text(out.getvalue(), encoding="utf-8")
    return directory
