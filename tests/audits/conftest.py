from datetime import date

import pytest

from paqa.audits.models import Audit, Case
from paqa.audits.packs import audit_tool_load
from paqa.audits.services import audit_create, case_add


@pytest.fixture
def tool(db):
    return audit_tool_load()


@pytest.fixture
def audit(cast, tool) -> Audit:
    """An audit of the police (cast.agency) and health (cast.other_agency) agencies, led by the
    PAQA member."""
    return audit_create(
        title="Strategy meetings",
        theme="strategy meetings",
        year="2019-20",
        terms_of_reference="To learn how well strategy meetings work",
        key_lines_of_enquiry="Was risk shared?",
        period_start=date(2019, 4, 1),
        period_end=date(2020, 3, 31),
        tool=tool,
        lead=cast.paqa_member,
        organisations=[cast.agency, cast.other_agency],
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )


@pytest.fixture
def case(cast, audit) -> Case:
    return case_add(
        audit=audit, actor=cast.paqa_member, age_band="5-9", lead_organisation=cast.agency
    )
