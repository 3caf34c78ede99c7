"""Spotting personal identifiers that must never be stored in audit records.

A case is known only by the reference PAQA gives it. Dates of birth, NHS numbers and Unique
Pupil Numbers identify a child outside PAQA, so any text that looks like one is refused.
"""

from __future__ import annotations

import re

_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE_PATTERNS = [
    re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})\b"),  # 12/03/2010, 12-3-10
    re.compile(r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b"),  # 2010-03-12
    re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)?\s+({_MONTHS})\.?\s+\d{{2,4}}\b", re.IGNORECASE),
    re.compile(rf"\b({_MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE),
    re.compile(r"\b(d\.?o\.?b\.?|date of birth|born on)\b", re.IGNORECASE),
]
_NHS_CANDIDATE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_UPN = re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b", re.IGNORECASE)


def _valid_nhs_number(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def personal_identifier_in(text: str) -> str | None:
    """What kind of identifier the text seems to hold, or None."""
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        if pattern.search(text):
            return "a date of birth"
    for match in _NHS_CANDIDATE.finditer(text):
        if _valid_nhs_number("".join(match.groups())):
            return "an NHS number"
    if _UPN.search(text):
        return "a Unique Pupil Number (UPN)"
    return None


def identifier_message(label: str, kind: str) -> str:
    return (
        f"{label} looks like it contains {kind}. Audit records must not identify a child: "
        "use the case reference and the age band instead"
    )
