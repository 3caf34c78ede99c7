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
