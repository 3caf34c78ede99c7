from datetime import date, timedelta

import pytest

from paqa.actions import services
from paqa.actions.models import Action


@pytest.fixture
def make_action(cast):
    """Raise an action for an organisation (the cast's agency unless told), due in a week."""

    def make(organisation=None, **details) -> Action:
        values = {
            "owner_organisation": organisation or cast.agency,
            "title": "Train every call handler in recognising neglect",
            "owner_name": "Jo Smith",
            "due_date": date.today() + timedelta(days=7),
            "source_key": "assessments.answer:1",
            "source_label": "Section 11 2018-19, Police Agency, standard 5: Training",
            "source_url": "/assessments/answers/1/",
            "actor": cast.admin,
            **details,
        }
        return services.action_create(**values)

    return make
