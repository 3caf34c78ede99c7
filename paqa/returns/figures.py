"""Which figures a return gives, how each is worked out (in words, shown beside the figure),
and the computation itself: parsed or stored records in, one Figure per indicator code out.

The codes are those of the core indicator pack, so each figure becomes an observation of that
indicator. Rates per 10,000 are not computed here: the data set derives them from the count and
the population, as it does for imported counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from paqa.returns import compute
from paqa.returns.compute import CATEGORIES, Figure, Year
from paqa.returns.records import CareEpisode, ChildInNeed, MissingEpisode

SSDA903 = "ssda903"
CIN_CENSUS = "cin_census"
SNAPSHOT = "snapshot"  # at 31 March
FINANCIAL_YEAR = "financial_year"  # 1 April to 31 March

ASSESSMENT_STARTS = {
    "assessment": "the assessment's start (AssessmentActualStartDate)",
    "referral": "the referral (CINreferralDate), as Working Together measures it",
}


@dataclass(frozen=True)
class FigureDefinition:
    code: str
    name: str
    source: str
    period_kind: str
    unit: str  # "count" or "percent"
    definition: str


_CATEGORY_CODES = {
    "NEG": "neglect",
    "PHY": "physical",
    "SAB": "sexual",
    "EMO": "emotional",
    "MUL": "multiple",
}

DEFINITIONS: tuple[FigureDefinition, ...] = (
    FigureDefinition(
        "cla",
        "Children looked after at 31 March",
        SSDA903,
        SNAPSHOT,
        "count",
        "Distinct children with an episode that started on or before 31 March and ended after "
        "it or is still open (Episodes: DECOM, DEC). Episodes under an agreed series of "
        "short-term placements (legal status V3 or V4) do not count.",
    ),
    FigureDefinition(
        "cla-missing",
        "Children looked after who went missing",
        SSDA903,
        FINANCIAL_YEAR,
        "count",
        "Distinct children with at least one missing incident (Missing: MISSING = M, whereabouts "
        "unknown) starting in the year (MIS_START from 1 April to 31 March).",
    ),
    FigureDefinition(
        "cla-away",
        "Children looked after away from placement without authorisation",
        SSDA903,
        FINANCIAL_YEAR,
        "count",
        "Distinct children with at least one incident of being away from placement without "
        "authorisation (MISSING = A, whereabouts known) starting in the year. Counted apart "
        "from missing.",
    ),
    FigureDefinition(
        "cla-missing-three-times",
        "Children looked after missing three or more times",
        SSDA903,
        FINANCIAL_YEAR,
        "count",
        "Distinct children with three or more missing incidents (MISSING = M) starting in the "
        "year. Away without authorisation (A) does not count.",
    ),
    FigureDefinition(
        "cp-plans",
        "Children subject to a child protection plan at 31 March",
        CIN_CENSUS,
        SNAPSHOT,
        "count",
        "Distinct children with a plan that started on or before 31 March (CPPstartDate) and "
        "ended after it (CPPendDate) or is still open. Unborn children count.",
    ),
    *(
        FigureDefinition(
            f"cp-plans-{name}",
            f"Child protection plans at 31 March: initial category {label}",
            CIN_CENSUS,
            SNAPSHOT,
            "percent",
            f"Of children on a plan at 31 March (one plan a child: the latest started), those "
            f"whose initial category of abuse (InitialCategoryOfAbuse) is {code}, {label}. This "
            f"is the DfE's headline.",
        )
        for code, name in _CATEGORY_CODES.items()
        for label in [CATEGORIES[code]]
    ),
    *(
        FigureDefinition(
            f"cp-plans-latest-{name}",
            f"Child protection plans at 31 March: latest category {label}",
            CIN_CENSUS,
            SNAPSHOT,
            "percent",
            f"Of children on a plan at 31 March, those whose latest category of abuse "
            f"(LatestCategoryOfAbuse) is {code}, {label}.",
        )
        for code, name in _CATEGORY_CODES.items()
        for label in [CATEGORIES[code]]
    ),
    FigureDefinition(
        "cp-second-or-subsequent",
        "Second or subsequent child protection plans",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of children who became subject to a plan in the year, those who had been on a plan "
        "before, however long ago (the DfE's definition): NumberOfPreviousCPP above 0, or an "
        "earlier plan in this or an earlier year's loaded census.",
    ),
    FigureDefinition(
        "cp-second-within-two-years",
        "Second or subsequent plans within two years of the last",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of children who became subject to a plan in the year, those whose previous plan had "
        "ended within two years before the new one started. A local measure, not the DfE's: it "
        "needs the earlier years' censuses loaded, or it counts too few.",
    ),
    FigureDefinition(
        "cp-plans-two-years",
        "Plans ended that lasted two years or more",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of plans ending in the year (CPPendDate from 1 April to 31 March), those that had lasted "
        "two calendar years or more from CPPstartDate (CIN table D7).",
    ),
    FigureDefinition(
        "re-referrals-12-months",
        "Re-referrals within 12 months",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of referrals in the year (CINreferralDate), those for a child referred before within "
        "the previous 12 months. Looks back into the previous year's census when it is loaded.",
    ),
    FigureDefinition(
        "assessments-45-days",
        "Assessments completed within 45 working days",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of assessments authorised in the year (AssessmentAuthorisationDate), those completed "
        "within 45 working days of their start point, leaving out weekends and England and "
        "Wales bank holidays (CIN table C2).",
    ),
    FigureDefinition(
        "s47-enquiries",
        "Section 47 enquiries",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "count",
        "Section 47 enquiries starting in the year (S47ActualStartDate).",
    ),
    FigureDefinition(
        "icpc-within-15-days",
        "Initial child protection conferences within 15 working days",
        CIN_CENSUS,
        FINANCIAL_YEAR,
        "percent",
        "Of initial child protection conferences held in the year (DateOfInitialCPC), those "
        "within 15 working days of the start of their section 47 enquiry (S47ActualStartDate), "
        "leaving out weekends and England and Wales bank holidays.",
    ),
)
BY_CODE = {definition.code: definition for definition in DEFINITIONS}


def definitions_for(source: str) -> list[FigureDefinition]:
    return [definition for definition in DEFINITIONS if definition.source == source]


def period_code(definition: FigureDefinition, year: Year) -> str:
    return year.end.isoformat() if definition.period_kind == SNAPSHOT else year.code


def figures_903(
    episodes: Sequence[CareEpisode], missing: Sequence[MissingEpisode], year: Year
) -> dict[str, Figure]:
    return {
        "cla": compute.looked_after_at(episodes, year.end),
        "cla-missing": compute.missing(missing, year, kind="M"),
        "cla-away": compute.missing(missing, year, kind="A"),
        "cla-missing-three-times": compute.missing(missing, year, kind="M", at_least=3),
    }


def figures_cin(
    children: Sequence[ChildInNeed],
    year: Year,
    *,
    history: Sequence[ChildInNeed] = (),
    assessment_start: str = "assessment",
) -> dict[str, Figure]:
    if assessment_start not in ASSESSMENT_STARTS:
        raise ValueError(f"Unknown assessment start point {assessment_start!r}")
    ever, within_two_years = compute.second_or_subsequent(children, year, history=history)
    enquiries, conferences = compute.conferences_on_time(children, year)
    figures = {"cp-plans": compute.on_plan_at(children, year.end)}
    for latest, prefix in ((False, "cp-plans-"), (True, "cp-plans-latest-")):
        by_category = compute.plans_by_category(children, year.end, latest=latest)
        for code, name in _CATEGORY_CODES.items():
            figures[prefix + name] = by_category[code]
    figures.update(
        {
            "cp-second-or-subsequent": ever,
            "cp-second-within-two-years": within_two_years,
            "cp-plans-two-years": compute.plans_ended_lasting_two_years(children, year),
            "re-referrals-12-months": compute.re_referrals(children, year, history=history),
            "assessments-45-days": compute.assessments_on_time(
                children, year, from_referral=assessment_start == "referral"
            ),
            "s47-enquiries": enquiries,
            "icpc-within-15-days": conferences,
        }
    )
    return figures


def year_of(day: date) -> int:
    """The collection year (by the year it ends in) that holds `day`."""
    return day.year + 1 if day.month >= 4 else day.year
