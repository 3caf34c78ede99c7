"""The demonstration partnership of `paqa demo`.

The partnership is the one whose 2018-19 PAQA report is the reference report (docs/design.md): seven
agencies with ten services between them. The report does not name the agencies or services;
the names below are illustrative, and every person is made up (job titles say so).
"""

from dataclasses import dataclass

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.partnership import services
from paqa.partnership.models import Organisation, Partnership, Service

DEMO_PARTNERSHIP_NAME = "Oxfordshire Safeguarding Children Board"
DEMO_PASSWORD = "paqa-demonstration-2019"  # noqa: S105 - printed on screen; demo only
BUSINESS_UNIT = "OSCB Business Unit"

Kind = Organisation.Kind

# (agency, type, its services) — seven agencies, ten services.
DEMO_AGENCIES: list[tuple[str, str, list[str]]] = [
    (
        "Oxfordshire County Council Children's Services",
        Kind.CHILDRENS_SERVICES,
        ["Children's social care", "Early help (locality and community support)"],
    ),
    (
        "Thames Valley Police",
        Kind.POLICE,
        ["Protecting vulnerable people", "Child exploitation (Kingfisher team)"],
    ),
    (
        "Oxford Health NHS Foundation Trust",
        Kind.HEALTH_PROVIDER,
        [
            "Child and Adolescent Mental Health Services (CAMHS)",
            "Health visiting and school health nursing",
        ],
    ),
    (
        "Oxford University Hospitals NHS Foundation Trust",
        Kind.HEALTH_PROVIDER,
        ["Children's hospital and emergency department"],
    ),
    (
        "Oxfordshire Clinical Commissioning Group",
        Kind.INTEGRATED_CARE_BOARD,
        ["Designated safeguarding professionals"],
    ),
    ("Cherwell District Council", Kind.DISTRICT_COUNCIL, ["Housing and homelessness"]),
    (
        "Oxfordshire County Council Education",
        Kind.EDUCATION,
        ["Education safeguarding team"],
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    organisation: str


DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson("admin@demo.example", "Alex Admin", Role.PARTNERSHIP_ADMIN, BUSINESS_UNIT),
    DemoPerson("paqa@demo.example", "Pat Paqa", Role.PAQA_MEMBER, BUSINESS_UNIT),
    DemoPerson("lead.police@demo.example", "Lee Lead", Role.AGENCY_LEAD, "Thames Valley Police"),
    DemoPerson(
        "lead.health@demo.example",
        "Hana Health",
        Role.AGENCY_LEAD,
        "Oxford Health NHS Foundation Trust",
    ),
    DemoPerson(
        "auditor@demo.example", "Ade Auditor", Role.AUDITOR, "Oxford Health NHS Foundation Trust"
    ),
    DemoPerson(
        "analyst@demo.example",
        "Ana Analyst",
        Role.ANALYST,
        "Oxfordshire County Council Children's Services",
    ),
    DemoPerson("board@demo.example", "Bo Board", Role.BOARD_MEMBER, BUSINESS_UNIT),
]


@transaction.atomic
def demo_load(*, password: str = DEMO_PASSWORD) -> Partnership:
    """Create the demonstration partnership. Safe to run again: it adds only what is missing."""
    partnership, _ = Partnership.objects.get_or_create(
        name=DEMO_PARTNERSHIP_NAME, defaults={"short_name": "OSCB", "brand_colour": "#005a70"}
    )
    organisations = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
    if BUSINESS_UNIT not in organisations:
        organisations[BUSINESS_UNIT] = services.organisation_create(
            partnership=partnership, actor=None, name=BUSINESS_UNIT, kind=Kind.OTHER
        )
    new_services: list[Service] = []
    for name, kind, service_names in DEMO_AGENCIES:
        if name not in organisations:
            organisations[name] = services.organisation_create(
                partnership=partnership, actor=None, name=name, kind=kind
            )
        existing = set(organisations[name].services.values_list("name", flat=True))
        new_services.extend(
            Service(organisation=organisations[name], name=service)
            for service in service_names
            if service not in existing
        )
    if new_services:
        bulk_create_with_history(
            new_services, Service, default_change_reason="Demonstration data loaded"
        )
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=password,
                full_name=person.full_name,
                job_title="Demonstration user",
            )
        organisation = organisations[person.organisation]
        if not user.memberships.filter(organisation=organisation).exists():
            services.membership_create(
                user=user, organisation=organisation, role=person.role, actor=None
            )
    return partnership
