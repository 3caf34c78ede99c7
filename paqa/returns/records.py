"""What PAQA keeps from a statutory return, child by child: only what the indicators need, with
the child known by a keyed pseudonym, the date of birth cut to its month and postcodes to their
district. The parsers (paqa.returns.parsing) produce these; nothing else of a return is kept.

Dates are `datetime.date`. A pseudonym is the HMAC-SHA256 (hex) of the local authority's child
identifier under the installation's secret key (`pseudonym`), so the same child links across
years' returns without the identifier being stored anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date


def pseudonym(child_id: str, key: bytes) -> str:
    """The keyed pseudonym of a child identifier (whitespace trimmed, case kept)."""
    return hmac.new(key, child_id.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def birth_month(born: date | None) -> str:
    """A date of birth cut to "YYYY-MM" ("" when unknown)."""
    return f"{born:%Y-%m}" if born else ""


def postcode_district(postcode: str) -> str:
    """A postcode cut to its district, the outward code: "OX1 2JD" and "OX12JD" give "OX1"."""
    text = "".join(postcode.split()).upper()
    return text[:-3] if len(text) > 3 else ""


# SSDA903: children looked after -----------------------------------------------------------------


@dataclass(frozen=True)
class CareEpisode:
    child: str  # pseudonym
    birth_month: str
    start: date  # DECOM
    reason_new_episode: str  # RNE
    legal_status: str  # LS (V3/V4: agreed short breaks)
    need_code: str  # CIN
    placement: str  # PLACE
    end: date | None  # DEC
    reason_ended: str  # REC
    home_district: str  # HOME_POST, cut to its district
    placement_district: str  # PL_POST, cut to its district


@dataclass(frozen=True)
class MissingEpisode:
    child: str
    kind: str  # "M" missing, "A" away from placement without authorisation
    start: date
    end: date | None


# CIN census: children in need, child protection -------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    start: date | None  # AssessmentActualStartDate
    authorised: date | None  # AssessmentAuthorisationDate


@dataclass(frozen=True)
class Section47:
    start: date | None  # S47ActualStartDate
    conference_target: date | None  # InitialCPCtarget
    conference: date | None  # DateOfInitialCPC
    conference_not_required: bool  # ICPCnotRequired


@dataclass(frozen=True)
class ProtectionPlan:
    start: date  # CPPstartDate
    end: date | None  # CPPendDate
    initial_category: str  # NEG PHY SAB EMO MUL
    latest_category: str
    previous_plans: int | None  # NumberOfPreviousCPP


@dataclass(frozen=True)
class Referral:
    """One CINdetails: a referral and what followed it."""

    referral_date: date
    source: str
    need_code: str
    closure_date: date | None
    closure_reason: str
    initial_conference: date | None  # DateOfInitialCPC on the CINdetails
    no_further_action: bool  # ReferralNFA
    assessments: list[Assessment] = field(default_factory=list)
    enquiries: list[Section47] = field(default_factory=list)
    plans: list[ProtectionPlan] = field(default_factory=list)


@dataclass(frozen=True)
class ChildInNeed:
    child: str  # pseudonym
    birth_month: str
    referrals: list[Referral] = field(default_factory=list)


@dataclass(frozen=True)
class ReturnProblem:
    """One thing wrong with a return: where (table or element, row number) and why."""

    table: str  # e.g. "Episodes" or "CIN census"
    row: int  # the CSV row (header is row 1) or the XML child's position (1-based)
    field: str
    message: str

    def __str__(self) -> str:
        where = [self.table, *([f"row {self.row}"] if self.row else []), self.field]
        return f"{', '.join(part for part in where if part)}: {self.message}"
