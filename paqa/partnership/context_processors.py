from typing import Any

from django.http import HttpRequest

from paqa.partnership.selectors import partnership_current

DEFAULT_NAME = "Safeguarding Children Partnership"
DEFAULT_COLOUR = "#1d70b8"


def partnership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "_paqa_partnership", None)
    if current is None:
        current = partnership_current()
        request._paqa_partnership = current  # type: ignore[attr-defined]
    return {
        "partnership": current,
        "partnership_name": current.name if current else DEFAULT_NAME,
        "partnership_brand_colour": current.brand_colour if current else DEFAULT_COLOUR,
    }
