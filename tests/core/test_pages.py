"""Layout, error pages, branding and the access policy's own rules."""

import pytest
from django.test import Client
from django.urls import reverse

from paqa.core.access import Capability, Role, access_for

pytestmark = pytest.mark.django_db


def test_layout_has_skip_link_partnership_name_and_no_crown(cast, client_for):
    page = client_for(cast.admin).get(reverse("core:home")).content.decode()
    assert 'class="govuk-skip-link"' in page
    assert cast.partnership.name in page
    assert "govuk-header__crown" not in page
    assert "GOV.UK" not in page
    assert reverse("core:accessibility") in page
    assert reverse("core:cookies") in page


def test_navigation_offers_only_what_the_role_can_use(cast, client_for):
    admin_page = client_for(cast.admin).get(reverse("core:home")).content.decode()
    board_page = client_for(cast.board_member).get(reverse("core:home")).content.decode()
    assert "Change history" in admin_page
    assert "Change history" not in board_page
    assert "Organisations" in board_page


def test_brand_colour_comes_from_the_partnership(cast):
    cast.partnership.brand_colour = "#005a70"
    cast.partnership.save()
    css = Client().get(reverse("partnership:brand-css")).content.decode()
    assert "--paqa-brand-colour: #005a70" in css


def test_brand_colour_too_light_for_white_text_is_refused(cast, client_for):
    response = client_for(cast.admin).post(
        reverse("partnership:settings"),
        {"name": "P", "short_name": "", "brand_colour": "#ffdd00"},
    )
    assert response.status_code == 200
    assert "choose a darker colour" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/no-such-page/", 404, "Page not found"), ("/organisations/999999/", 404, "Page not found")],
)
def test_styled_error_pages(cast, client_for, path, status, heading):
    response = client_for(cast.admin).get(path)
    assert response.status_code == status
    assert heading in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_styled_403_page(cast, client_for):
    response = client_for(cast.board_member).get(reverse("partnership:organisation-create"))
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_styled_500_page_needs_no_database():
    from django.test import RequestFactory

    from paqa.core.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_user_text_is_escaped(cast, client_for):
    cast.agency.name = '<script>alert("x")</script>'
    cast.agency.save()
    page = client_for(cast.admin).get(reverse("partnership:organisation-list")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_access_policy_reach_by_role(cast):
    admin = access_for(cast.admin)
    lead = access_for(cast.agency_lead)
    board = access_for(cast.board_member)
    assert admin.organisation_ids(Capability.MANAGE_DIRECTORY) is None
    assert lead.organisation_ids(Capability.VIEW_DIRECTORY) == {cast.agency.pk}
    assert lead.organisation_ids(Capability.MANAGE_DIRECTORY) == frozenset()
    assert board.organisation_ids(Capability.VIEW_DIRECTORY) is None
    assert not board.can(Capability.MANAGE_DIRECTORY, cast.agency.pk)
    assert lead.roles == {Role.AGENCY_LEAD}


def test_access_is_loaded_once_per_request(cast, django_assert_num_queries):
    access_for(cast.agency_lead)
    with django_assert_num_queries(0):
        access_for(cast.agency_lead).can(Capability.VIEW_DIRECTORY, cast.agency.pk)


def test_anonymous_and_deactivated_people_reach_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    cast.admin.is_active = False
    assert access_for(AnonymousUser()).grants == frozenset()
    assert not access_for(cast.admin).can(Capability.VIEW_DIRECTORY)


@pytest.mark.parametrize("url_name", ["partnership:organisation-list", "partnership:person-list"])
def test_directory_lists_use_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries, url_name
):
    from tests.factories import MembershipFactory, OrganisationFactory, ServiceFactory

    client = client_for(cast.admin)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(20) as first:
        client.get(reverse(url_name))
    baseline = len(first)  # read now: each request clears Django's query log
    for _ in range(10):
        organisation = OrganisationFactory(partnership=cast.partnership)
        ServiceFactory(organisation=organisation)
        MembershipFactory(organisation=organisation)
    with django_assert_max_num_queries(baseline):
        client.get(reverse(url_name))
