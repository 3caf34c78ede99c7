"""The minimised records of one child, as stored in ReturnChild.records (JSON) and read back.

SSDA903: {"episodes": [...], "missing": [...]}; CIN census: {"referrals": [...]}. Dates are ISO
strings. Only the fields of paqa.returns.records are written, so nothing the parsers dropped can
come back through here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import date
from typing import Any

from paqa.returns.records import (
    Assessment,
    CareEpisode,
    ChildInNeed,
    MissingEpisode,
    ProtectionPlan,
    Referral,
    Section47,
)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# SSDA903 -----------------------------------------------------------------------------------------


def children_903(
    episodes: Iterable[CareEpisode], missing: Iterable[MissingEpisode]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(pseudonym, birth month, records) for each child in a parsed SSDA903 return."""
    by_child: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {"episodes": [], "missing": []}
    )
    births: dict[str, str] = {}
    for episode in episodes:
        values = _plain(asdict(episode))
        del values["child"]
        births[episode.child] = values.pop("birth_month") or births.get(episode.child, "")
        by_child[episode.child]["episodes"].append(values)
    for incident in missing:
        values = _plain(asdict(incident))
        del values["child"]
        by_child[incident.child]["missing"].append(values)
    for child in sorted(by_child):
        yield child, births.get(child, ""), by_child[child]


def episodes_from(child: str, birth_month: str, records: dict[str, Any]) -> list[CareEpisode]:
    return [
        CareEpisode(
            child=child,
            birth_month=birth_month,
            start=date.fromisoformat(item["start"]),
            reason_new_episode=item["reason_new_episode"],
            legal_status=item["legal_status"],
            need_code=item["need_code"],
            placement=item["placement"],
            end=_day(item["end"]),
            reason_ended=item["reason_ended"],
            home_district=item["home_district"],
            placement_district=item["placement_district"],
        )
        for item in records.get("episodes", [])
    ]


def missing_from(child: str, records: dict[str, Any]) -> list[MissingEpisode]:
    return [
        MissingEpisode(
            child=child,
            kind=item["kind"],
            start=date.fromisoformat(item["start"]),
            end=_day(item["end"]),
        )
        for item in records.get("missing", [])
    ]


# CIN census ---------------------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def child_in_need_records(child: ChildInNeed) -> dict[str, Any]:
    # Written out rather than dataclasses.asdict: asdict deep-copies every value, a third of
    # the time of loading a 100,000-child census. test_storage checks the two agree.
    return {
        "referrals": [
            {
                "referral_date": referral.referral_date.isoformat(),
                "source": referral.source,
                "need_code": referral.need_code,
                "closure_date": _iso(referral.closure_date),
                "closure_reason": referral.closure_reason,
                "initial_conference": _iso(referral.initial_conference),
                "no_further_action": referral.no_further_action,
                "assessments": [
                    {"start": _iso(a.start), "authorised": _iso(a.authorised)}
                    for a in referral.assessments
                ],
                "enquiries": [
                    {
                        "start": _iso(e.start),
                        "conference_target": _iso(e.conference_target),
                        "conference": _iso(e.conference),
                        "conference_not_required": e.conference_not_required,
                    }
                    for e in referral.enquiries
                ],
                "plans": [
                    {
                        "start": p.start.isoformat(),
                        "end": _iso(p.end),
                        "initial_category": p.initial_category,
                        "latest_category": p.latest_category,
                        "previous_plans": p.previous_plans,
                    }
                    for p in referral.plans
                ],
            }
            for referral in child.referrals
        ]
    }


def child_in_need_from(child: str, birth_month: str, records: dict[str, Any]) -> ChildInNeed:
    return ChildInNeed(
        child=child,
        birth_month=birth_month,
        referrals=[_referral(item) for item in records.get("referrals", [])],
    )


def _referral(item: dict[str, Any]) -> Referral:
    return Referral(
        referral_date=date.fromisoformat(item["referral_date"]),
        source=item["source"],
        need_code=item["need_code"],
        closure_date=_day(item["closure_date"]),
        closure_reason=item["closure_reason"],
        initial_conference=_day(item["initial_conference"]),
        no_further_action=bool(item["no_further_action"]),
        assessments=[
            Assessment(start=_day(a["start"]), authorised=_day(a["authorised"]))
            for a in item["assessments"]
        ],
        enquiries=[
            Section47(
                start=_day(e["start"]),
                conference_target=_day(e["conference_target"]),
                conference=_day(e["conference"]),
                conference_not_required=bool(e["conference_not_required"]),
            )
            for e in item["enquiries"]
        ],
        plans=[
            ProtectionPlan(
                start=date.fromisoformat(p["start"]),
                end=_day(p["end"]),
                initial_category=p["initial_category"],
                latest_category=p["latest_category"],
                previous_plans=p["previous_plans"],
            )
            for p in item["plans"]
        ],
    )
