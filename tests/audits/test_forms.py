"""The audits' forms use the one date pattern (core's GOV.UK date input) and the one theme
taxonomy (paqa.core.taxonomy): no date typed as free text, no theme label of their own."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from paqa.audits import agency_selectors, agency_services, selectors
from paqa.audits.agency_forms import AgencyActionForm, AgencyAuditForm
from paqa.audits.forms import AuditForm, FindingActionForm, FindingForm
from paqa.audits.models import Audit, AuditTool, Domain
from paqa.core import taxonomy
from paqa.core.forms import DateField
from paqa.partnership.models import Organisation, Service

pytestmark = pytest.mark.django_db


def _forms(tool: AuditTool) -> list[forms.Form]:
    return [
        AuditForm(),
        FindingForm(domains=Domain.objects.filter(tool=tool)),
        FindingActionForm(organisations=Organisation.objects.all()),
        AgencyAuditForm(
            levels=list(tool.scale.levels.all()),
            services=Service.objects.all(),
            organisations=Organisation.objects.all(),
        ),
        AgencyActionForm(),
    ]


def test_every_date_in_the_audits_forms_is_the_govuk_date_input(tool):
    dates = {}
    for form in _forms(tool):
        for name, field in form.fields.items():
            assert not isinstance(field, forms.DateField), f"{type(form).__name__}.{name}"
            if isinstance(field, DateField):
                dates[f"{type(form).__name__}.{name}"] = field
    assert set(dates) == {
        "AuditForm.period_start",
        "AuditForm.period_end",
        "AuditForm.sections_due",
        "FindingActionForm.due_date",
        "AgencyAuditForm.audit_date",
        "AgencyActionForm.due_date",
    }


def test_every_theme_choice_is_the_shared_taxonomy(tool):
    themed = [form for form in _forms(tool) if "themes" in form.fields]
    assert len(themed) == 3
    for form in themed:
        assert list(form.fields["themes"].choices) == taxonomy.theme_choices()
    # The audits keep no labels of their own: every name comes from the taxonomy.
    assert agency_services.THEMES is taxonomy.THEMES
    assert not hasattr(selectors, "THEME_LABELS")
    for slug, label in taxonomy.THEMES.items():
        assert selectors.theme_label(slug=slug) == label
        assert agency_selectors.theme_labels(themes=[slug]) == [label]
    assert agency_selectors.theme_labels(themes=["exploitation-and-missing"]) == [
        "Exploitation and missing"
    ]


def test_the_audit_is_set_up_with_dates_typed_as_day_month_and_year(cast, client_for, tool):
    organisations = [cast.agency.pk, cast.other_agency.pk]
    data = {
        "title": "Neglect",
        "theme": "neglect",
        "year": "2019-20",
        "terms_of_reference": "To learn",
        "key_lines_of_enquiry": "Was neglect seen?",
        "period_start_0": "1",
        "period_start_1": "4",
        "period_start_2": "2019",
        "period_end_0": "31",
        "period_end_1": "13",
        "period_end_2": "2020",
        "tool": tool.pk,
        "organisations": organisations,
        "themes": ["neglect"],
    }
    client = client_for(cast.paqa_member)
    refused = client.post(reverse("audits:audit-create"), data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "The end of the period must be a real date" in page
    assert 'href="#id_period_end"' in page
    assert not Audit.objects.exists()

    data |= {"period_end_1": "3", "sections_due_0": "30", "sections_due_1": "6"}
    refused = client.post(reverse("audits:audit-create"), data)
    assert "The date sections are due by must include a year" in refused.content.decode()

    data |= {"sections_due_2": "2019"}
    assert client.post(reverse("audits:audit-create"), data).status_code == 302
    audit = Audit.objects.get()
    assert (audit.period_start, audit.period_end) == (date(2019, 4, 1), date(2020, 3, 31))
    assert audit.sections_due == date(2019, 6, 30)
    assert audit.themes == ["neglect"]
