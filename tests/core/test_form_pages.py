"""The one form page every part shows its single forms on (paqa.core.form_pages)."""

import re

import pytest
from django import forms
from django.test import RequestFactory

from paqa.core.form_pages import form_page
from paqa.core.forms import GovUKForm

pytestmark = pytest.mark.django_db


class NoteForm(GovUKForm):
    page_title = "Add a note"
    submit_label = "Save note"

    note = forms.CharField(label="Note", error_messages={"required": "Enter a note"})


class UploadForm(GovUKForm):
    page_title = "Attach a document"

    file = forms.FileField(label="Document")


def _request(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    request.session = {}
    return request


def _page(response) -> str:
    return response.content.decode()


def test_the_page_shows_caption_heading_intro_fields_button_and_cancel(cast):
    response = form_page(
        _request(cast.admin),
        NoteForm(),
        caption="Thames Valley Police",
        cancel_url="/organisations/7/",
        intro="Notes are kept with the record.",
    )
    page = _page(response)
    assert response.status_code == 200
    assert re.search(r"<title>\s*Add a note – ", page)
    assert '<span class="govuk-caption-l">Thames Valley Police</span>' in page
    assert '<h1 class="govuk-heading-l">Add a note</h1>' in page
    assert '<p class="govuk-body">Notes are kept with the record.</p>' in page
    assert '<label class="govuk-label" for="id_note">' in page
    assert ">Save note</button>" in page
    assert '<a class="govuk-link" href="/organisations/7/">Cancel</a>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "govuk-error-summary" not in page
    assert "enctype" not in page


def test_without_caption_intro_or_cancel_none_is_shown(cast):
    page = _page(form_page(_request(cast.admin), NoteForm()))
    assert "govuk-caption-l" not in page
    assert ">Cancel</a>" not in page
    assert '<p class="govuk-body">' not in page.split("<main")[1].split("<form")[0]


def test_a_form_with_errors_has_the_summary_linking_to_its_field_and_the_status_asked(cast):
    form = NoteForm({"note": ""})
    response = form_page(_request(cast.admin), form, status=400)
    page = _page(response)
    assert response.status_code == 400
    assert re.search(r"<title>\s*Error: Add a note – ", page)
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert '<li><a href="#id_note">Enter a note</a></li>' in page


def test_title_and_button_can_be_given_by_the_view(cast):
    page = _page(
        form_page(
            _request(cast.admin), NoteForm(), title="Change the note", submit_label="Save changes"
        )
    )
    assert '<h1 class="govuk-heading-l">Change the note</h1>' in page
    assert re.search(r"<title>\s*Change the note – ", page)
    assert ">Save changes</button>" in page
    assert "Add a note" not in page


def test_a_form_with_a_file_field_is_sent_as_multipart(cast):
    page = _page(form_page(_request(cast.admin), UploadForm()))
    assert '<form method="post" novalidate enctype="multipart/form-data">' in page
