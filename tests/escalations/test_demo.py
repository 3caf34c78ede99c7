"""The demonstration escalations: the reference report's four for 2018-19."""

import pytest

from paqa.core.evidence import resolve_evidence as resolve
from paqa.core.taxonomy import THEMES
from paqa.escalations.demo import demo_escalations_load
from paqa.escalations.models import Escalation
from paqa.escalations.selectors import evidence_for
from paqa.indicators.demo import demo_indicators_load
from paqa.partnership.demo import demo_load

pytestmark = pytest.mark.django_db


def test_the_four_escalations_load_once_with_statuses_updates_and_evidence():
    partnership = demo_load()
    demo_indicators_load(partnership=partnership)
    loaded = demo_escalations_load(partnership=partnership)
    assert demo_escalations_load(partnership=partnership) == loaded  # idempotent
    assert Escalation.objects.count() == 4
    by_owner = {e.owner_organisation.name: e for e in Escalation.objects.all()}
    assert set(by_owner) == {
        "Thames Valley Police",
        "Oxfordshire County Council Education",
        "Oxfordshire County Council Children's Services",
        "Oxfordshire Clinical Commissioning Group",
    }
    police = by_owner["Thames Valley Police"]
    assert "Operation Encompass" in police.finding
    assert "MARAC" in police.finding
    assert police.status == Escalation.Status.RESPONSE_RECEIVED
    education = by_owner["Oxfordshire County Council Education"]
    assert "kept safe in school and out of school" in education.finding
    assert education.status == Escalation.Status.CLOSED
    assert education.outcome.startswith("Demonstration: ")
    conferences = by_owner["Oxfordshire County Council Children's Services"]
    assert conferences.status == Escalation.Status.OPEN
    assert conferences.is_overdue
    placements = by_owner["Oxfordshire Clinical Commissioning Group"]
    assert "delays their discharge from hospital" in placements.finding
    assert placements.status == Escalation.Status.RE_ESCALATED
    assert placements.escalated_to == "Chair of the Oxfordshire Health and Wellbeing Board"

    for escalation in loaded:
        assert escalation.year == "2018-19"
        assert escalation.themes
        assert set(escalation.themes) <= set(THEMES)
        assert "Demonstration:" in escalation.finding
        assert all(u.text.startswith("Demonstration: ") for u in escalation.updates.all())
        assert escalation.updates.count() >= 1

    board = (
        partnership.organisations.get(name="OSCB Business Unit")
        .memberships.get(role="board_member")
        .user
    )
    assert list(conferences.evidence.values_list("key", flat=True)) == [
        "indicators.indicator:conference-attendance-fathers"
    ]
    camhs = evidence_for(user=board, escalation=placements)
    assert camhs.hidden == 0
    assert [item.resolved.label for item in camhs.items] == ["CAMHS referrals seen within 12 weeks"]
    assert resolve(board, "indicators.indicator:conference-attendance-fathers") is not None
