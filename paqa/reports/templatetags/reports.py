"""Filters for the report's templates."""

from datetime import date

from django import template

from paqa.core.net import is_site_path

register = template.Library()


@register.filter
def site_path(url: str) -> str:
    """A link inside the site ("/data/…"), or "" for anything else: a stored link is only ever
    followed to a page of this site, whatever a tampered copy says."""
    text = str(url or "")
    return text if is_site_path(text) else ""


@register.filter
def slice_at(items: list[object], index: int) -> object:
    """The item at `index`, or "" past the end (short lists mean "nothing for the rest")."""
    try:
        return items[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def iso_date(value: str) -> str:
    """An ISO date ("2019-06-12", or a date and time) as "12 June 2019"; other text as it is."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"
