"""The fixed cast every test can use: one person per role, and a lead from another agency."""

from dataclasses import dataclass

import pytest
from django.test import Client

from paqa.accounts.models import User
from paqa.accounts.signin import LAST_SEEN, MFA_VERIFIED
from paqa.core.access import Role
from paqa.partnership.models import Organisation, Partnership
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, UserFactory


def _delete_rather_than_truncate() -> None:
    """Emptying the database after each test that commits (browser journeys, backups, workers)
    with DELETE rather than PostgreSQL's TRUNCATE of every table: TRUNCATE makes new files for
    all ~130 tables (0.7 s each time, even when they are empty), DELETE takes a few ms on what a
    test leaves behind. Foreign keys are deferred to the end of the flush's transaction, as
    Django creates them, so the order does not matter. Sequences are reset the usual way."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),  # noqa: S608
        ]

    DatabaseOperations.sql_flush = sql_flush


_delete_rather_than_truncate()


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
    """The whole demonstration partnership, there for the module that asks for it and removed
    after it (each test's own changes are rolled back as usual). The loader runs once per test
    process; later modules get its rows copied back in (tests/demo_snapshot.py)."""
    from django.core.management import call_command

    from tests.demo_snapshot import demo_into_database

    with django_db_blocker.unblock():
        demo_into_database()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_chart_cache():
    """Every test draws its own charts: a picture cached by an earlier test proves nothing."""
    from django.core.cache import caches

    caches["charts"].clear()


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """With `--nomigrations` (the suite's default, `pyproject.toml`) the test database's tables
    are made straight from the models, which `makemigrations --check` proves match the
    migrations; every migration is then recorded as applied, as `migrate` leaves a database, for
    the code that reads the record (backups name the migrations they were made at). The
    production-guide test still runs every real migration, on both databases."""
    if request.config.getoption("nomigrations", default=False):
        from django.db import connections
        from django.db.migrations.loader import MigrationLoader
        from django.db.migrations.recorder import MigrationRecorder

        with django_db_blocker.unblock():
            for connection in connections.all():
                recorder = MigrationRecorder(connection)
                recorder.ensure_schema()
                applied = recorder.applied_migrations()
                for migration in MigrationLoader(connection, ignore_no_migrations=True).graph.nodes:
                    if migration not in applied:
                        recorder.record_applied(*migration)
