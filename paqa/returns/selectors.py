"""Reads for the statutory-return pages, given the acting user. Loads and their figures are
for those who manage the data set; the children behind a figure only for analysts (a 404 for
everyone else, as for any record outside their reach)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404

from paqa.core.access import Capability, access_for, require
from paqa.indicators.selectors import observation_statuses
from paqa.partnership.selectors import partnership_current
from paqa.returns import storage
from paqa.returns.figures import BY_CODE, FigureDefinition
from paqa.returns.models import ComputedFigure, ReturnChild, StatutoryReturn

CHILDREN_PER_PAGE = 50


def return_list(*, user: Any) -> list[StatutoryReturn]:
    require(user, Capability.MANAGE_DATA)
    return list(StatutoryReturn.objects.select_related("loaded_by")[:200])


def return_get(*, user: Any, pk: int) -> StatutoryReturn:
    require(user, Capability.MANAGE_DATA)
    try:
        return StatutoryReturn.objects.select_related("loaded_by", "confirmed_by").get(pk=pk)
    except StatutoryReturn.DoesNotExist:
        raise Http404("No such return.") from None


def may_see_children(*, user: Any) -> bool:
    return access_for(user).can_anywhere(Capability.VIEW_CHILD_RECORDS)


@dataclass
class FigureRow:
    definition: FigureDefinition
    figure: ComputedFigure
    observation_status: str  # "" when not in the data set

    @property
    def shown(self) -> str:
        if self.definition.unit == "count":
            return f"{self.figure.value:,.0f}"
        if not self.figure.denominator:
            return "None to count"
        return f"{self.figure.value:.1f}%"

    @property
    def out_of(self) -> str:
        if self.figure.denominator is None:
            return ""
        return f"{self.figure.numerator:,} of {self.figure.denominator:,}"


def figure_rows(*, statutory_return: StatutoryReturn) -> list[FigureRow]:
    figures = list(statutory_return.figures.all())
    partnership = partnership_current()
    statuses: dict[tuple[str, str], str] = {}
    if partnership and partnership.home_area_id:
        statuses = observation_statuses(
            area_id=partnership.home_area_id, keys={(f.code, f.period) for f in figures}
        )
    return [
        FigureRow(BY_CODE[f.code], f, statuses.get((f.code, f.period), ""))
        for f in figures
        if f.code in BY_CODE
    ]


@dataclass
class ChildRow:
    pseudonym: str
    birth_month: str
    records: dict[str, Any]
    # The same child's referrals in the earlier censuses a figure looks back into, by year.
    earlier: list[tuple[str, list[Any]]] = field(default_factory=list)

    @property
    def born(self) -> str:
        """ "2008-05" as "May 2008"."""
        try:
            return date.fromisoformat(f"{self.birth_month}-01").strftime("%B %Y")
        except ValueError:
            return ""


def figure_children(
    *, user: Any, statutory_return: StatutoryReturn, code: str, page: Any
) -> tuple[ComputedFigure, Page[Any], list[ChildRow]]:
    """One page of the children behind a figure, with their minimised records."""
    if not may_see_children(user=user):
        raise Http404("No such record in your reach.")
    try:
        figure = statutory_return.figures.get(code=code)
    except ComputedFigure.DoesNotExist:
        raise Http404("No such figure.") from None
    paginator = Paginator(figure.children, CHILDREN_PER_PAGE)
    shown = paginator.get_page(page)
    stored = {
        row.child: row
        for row in ReturnChild.objects.filter(
            statutory_return=statutory_return, child__in=list(shown.object_list)
        )
    }
    rows = [
        ChildRow(child, stored[child].birth_month, _readable(statutory_return, stored[child]))
        for child in shown.object_list
        if child in stored
    ]
    if statutory_return.kind == StatutoryReturn.Kind.CIN_CENSUS:
        _add_earlier_censuses(statutory_return, rows)
    return figure, shown, rows


def _add_earlier_censuses(statutory_return: StatutoryReturn, rows: list[ChildRow]) -> None:
    by_child = {row.pseudonym: row for row in rows}
    earlier = (
        ReturnChild.objects.filter(
            statutory_return__kind=StatutoryReturn.Kind.CIN_CENSUS,
            statutory_return__state=StatutoryReturn.State.CURRENT,
            statutory_return__collection_year__in=[
                statutory_return.collection_year - 1,
                statutory_return.collection_year - 2,
            ],
            child__in=list(by_child),
        )
        .select_related("statutory_return")
        .order_by("-statutory_return__collection_year")
    )
    for row in earlier:
        readable = storage.child_in_need_from(row.child, row.birth_month, row.records)
        by_child[row.child].earlier.append((row.statutory_return.year_label, readable.referrals))


def _readable(statutory_return: StatutoryReturn, row: ReturnChild) -> dict[str, Any]:
    if statutory_return.kind == StatutoryReturn.Kind.SSDA903:
        return {
            "episodes": storage.episodes_from(row.child, row.birth_month, row.records),
            "missing": storage.missing_from(row.child, row.records),
        }
    return {
        "referrals": storage.child_in_need_from(row.child, row.birth_month, row.records).referrals
    }
