from datetime import date, timedelta

import pytest

from paqa.escalations import services
from paqa.escalations.models import Escalation


@pytest.fixture
def make_escalation(cast):
    """Raise an escalation owned by the cast's police agency, raised by the PAQA member, with
    its response due in a fortnight (unless told otherwise)."""

    def make(**details) -> Escalation:
        today = date.today()
        values = {
            "year": "2018-19",
            "title": "Police recording of children's voice at domestic abuse incidents",
            "finding": "Officers rarely recorded what the children present said.",
            "escalated_to": "Chair of the Safeguarding Children Board",
            "escalated_on": today - timedelta(days=14),
            "owner_organisation": cast.agency,
            "response_due": today + timedelta(days=14),
            "rag": Escalation.Rag.RED,
            "themes": ["domestic-abuse", "voice-of-the-child"],
            "actor": cast.paqa_member,
            **details,
        }
        return services.escalation_raise(**values)

    return make
