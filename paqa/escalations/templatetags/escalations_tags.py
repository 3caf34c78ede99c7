"""Template helpers other parts use to offer escalation links, e.g. the exceptions page's
"Raise an escalation" link, shown only to those who may raise one."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from paqa.core.access import Capability, access_for

register = template.Library()


@register.filter
def can_raise_escalations(user: Any) -> bool:
    return access_for(user).can(Capability.MANAGE_ESCALATIONS)


@register.simple_tag
def raise_escalation_url(evidence_key: str) -> str:
    """The raise page with one piece of evidence to link, like indicators.indicator:cla."""
    return reverse("escalations:raise") + "?" + urlencode({"evidence": evidence_key})
