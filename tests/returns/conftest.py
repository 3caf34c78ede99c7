from pathlib import Path

import pytest

from tests.indicators.conftest import areas, pack  # noqa: F401  (fixtures used here too)

SAMPLES = Path(__file__).parent / "samples"
SSDA903_CSV = sorted((SAMPLES / "ssda903-fake-2017-18").glob("*.csv"))
CIN_SAMPLE = SAMPLES / "cin-census-fixtures" / "fake_CIN_data.xml"


@pytest.fixture
def open_files():
    """Open paths as (name, binary stream) pairs, closed after the test."""
    opened = []

    def open_all(paths):
        files = [(path.name, path.open("rb")) for path in paths]
        opened.extend(stream for _, stream in files)
        return files

    yield open_all
    for stream in opened:
        stream.close()


def tiny_census(year: int, children: dict[str, list[dict[str, str]]]) -> bytes:
    """A CIN census XML: for each child identifier, its referrals, each a dict with
    `referral` (date) and optionally a plan's `plan_start`, `plan_end`, `previous` and
    `category`."""
    parts = [
        "<Message><Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate>"
        "</CollectionDetails></Header><Children>"
    ]
    for child, referrals in children.items():
        parts.append(
            f"<Child><ChildIdentifiers><LAchildID>{child}</LAchildID>"
            "<PersonBirthDate>2012-05-17</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>"
        )
        for referral in referrals:
            parts.append(
                f"<CINdetails><CINreferralDate>{referral['referral']}</CINreferralDate>"
                "<ReferralSource>6</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
                "<ReferralNFA>0</ReferralNFA>"
            )
            if "plan_start" in referral:
                end = referral.get("plan_end", "")
                parts.append(
                    f"<ChildProtectionPlans><CPPstartDate>{referral['plan_start']}</CPPstartDate>"
                    + (f"<CPPendDate>{end}</CPPendDate>" if end else "")
                    + f"<InitialCategoryOfAbuse>{referral.get('category', 'NEG')}"
                    "</InitialCategoryOfAbuse>"
                    f"<LatestCategoryOfAbuse>{referral.get('category', 'NEG')}"
                    "</LatestCategoryOfAbuse>"
                    f"<NumberOfPreviousCPP>{referral.get('previous', '0')}</NumberOfPreviousCPP>"
                    "</ChildProtectionPlans>"
                )
            parts.append("</CINdetails>")
        parts.append("</Child>")
    parts.append("</Children></Message>")
    return "".join(parts).encode()
