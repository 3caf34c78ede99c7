"""The fixed cast every test can use: one person per role, and a lead from another agency."""

from dataclasses import dataclass

import pytest
from django.test import Client

from paqa.accounts.models import User
from paqa.accounts.signin import LAST_SEEN, MFA_VERIFIED
from paqa.core.access import Role
from paqa.partnership.models import Organisation, Partnership
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, UserFactory


@dataclass
class Cast:
    partnership: Partnership
    business_unit: Organisation
    agency: Organisation
    other_agency: Organisation
    admin: User
    paqa_member: User
    agency_lead: User
    auditor: User
    analyst: User
    board_member: User
    other_agency_lead: User

    def by_role(self) -> dict[str, User]:
        return {
            Role.PARTNERSHIP_ADMIN: self.admin,
            Role.PAQA_MEMBER: self.paqa_member,
            Role.AGENCY_LEAD: self.agency_lead,
            Role.AUDITOR: self.auditor,
            Role.ANALYST: self.analyst,
            Role.BOARD_MEMBER: self.board_member,
        }


def make_cast() -> Cast:
    """One person per role, and a lead from another agency (needs database access)."""
    partnership = PartnershipFactory()
    business_unit = OrganisationFactory(
        partnership=partnership, name="Business Unit", kind=Organisation.Kind.OTHER
    )
    agency = OrganisationFactory(
        partnership=partnership, name="Police Agency", kind=Organisation.Kind.POLICE
    )
    other_agency = OrganisationFactory(
        partnership=partnership, name="Health Agency", kind=Organisation.Kind.HEALTH_PROVIDER
    )

    def person(email: str, role: str, organisation: Organisation) -> User:
        user = UserFactory(email=email, full_name=email.split("@")[0].replace(".", " ").title())
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return Cast(
        partnership=partnership,
        business_unit=business_unit,
        agency=agency,
        other_agency=other_agency,
        admin=person("admin@example.org", Role.PARTNERSHIP_ADMIN, business_unit),
        paqa_member=person("paqa@example.org", Role.PAQA_MEMBER, business_unit),
        agency_lead=person("lead@example.org", Role.AGENCY_LEAD, agency),
        auditor=person("auditor@example.org", Role.AUDITOR, agency),
        analyst=person("analyst@example.org", Role.ANALYST, agency),
        board_member=person("board@example.org", Role.BOARD_MEMBER, business_unit),
        other_agency_lead=person("other.lead@example.org", Role.AGENCY_LEAD, other_agency),
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def signed_in_client(user: User) -> Client:
    """A client with a full session, as if the person passed password and security code."""
    import time

    client = Client()
    client.force_login(user)
    session = client.session
    session[MFA_VERIFIED] = True
    session[LAST_SEEN] = time.time()
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in_client


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demonstration partnership, loaded once for the module that asks for it and
    removed after it (each test's own changes are rolled back as usual)."""
    from django.core.management import call_command

    from paqa.demo.loader import demo_everything_load

    with django_db_blocker.unblock():
        demo_everything_load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_chart_cache():
    """Every test draws its own charts: a picture cached by an earlier test proves nothing."""
    from django.core.cache import caches

    caches["charts"].clear()
