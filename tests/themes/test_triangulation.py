"""The system-wide view: evidence from every source on a theme, and where sources disagree."""

import pytest
from django.urls import reverse

from paqa.accounts.models import User
from paqa.themes.triangulation import theme_view, year_overview

pytestmark = pytest.mark.django_db


def _paqa() -> User:
    return User.objects.get(email="paqa@demo.example")


def test_information_sharing_has_evidence_from_at_least_five_sources(demo):
    view = theme_view(user=_paqa(), theme="information-sharing", year="2018-19")
    sources = {source.source for source in view.sources_with_evidence}
    assert len(sources) >= 5, sources
    assert {
        "The data",
        "Audits",
        "Agencies' self-assessment",
        "Practitioners",
        "Agencies' impact assessment",
    } <= sources


def test_a_self_rating_that_audits_contradict_is_reported(demo):
    view = theme_view(user=_paqa(), theme="information-sharing", year="2018-19")
    assert any(
        text.startswith("Agencies rated ‘8. Information sharing’ as met") and "audits found" in text
        for text in view.disagreements
    ), view.disagreements


def test_the_year_overview_ranks_themes_by_weight_of_evidence(demo):
    views = year_overview(user=_paqa(), year="2018-19")
    counts = [len(view.sources_with_evidence) for view in views]
    assert counts == sorted(counts, reverse=True)
    assert views[0].theme in {"information-sharing", "voice-of-the-child", "think-family"}


def test_the_theme_page_and_key_messages(demo, client_for):
    client = client_for(User.objects.get(email="board@demo.example"))
    page = client.get(reverse("themes:theme", args=["2018-19", "information-sharing"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The sources disagree" in html
    overview = client.get(reverse("themes:overview", args=["2018-19"])).content.decode()
    assert "We need to Think Family." in overview
    assert "We need to listen to children." in overview


def test_board_members_cannot_write_key_messages(demo, client_for):
    client = client_for(User.objects.get(email="board@demo.example"))
    assert client.get(reverse("themes:key-message-add", args=["2018-19"])).status_code == 403


def test_unknown_theme_is_a_404(demo, client_for):
    client = client_for(_paqa())
    assert client.get(reverse("themes:theme", args=["2018-19", "no-such-theme"])).status_code == 404


def test_survey_questions_carry_themes_into_the_theme_page(demo):
    view = theme_view(user=_paqa(), theme="training", year="2018-19")
    practitioners = next(s for s in view.sources if s.source == "Practitioners")
    assert any(
        "96% of respondents said yes to ‘Have you had safeguarding training in the last three "
        "years?’" in item.text
        for item in practitioners.items
    ), practitioners.items


def test_a_year_that_is_no_reporting_year_is_a_404(demo, client_for):
    client = client_for(_paqa())
    assert client.get(reverse("themes:overview", args=["sample"])).status_code == 404
    assert client.get(reverse("themes:theme", args=["sample", "neglect"])).status_code == 404
