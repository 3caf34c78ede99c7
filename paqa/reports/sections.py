"""The report's sections, in the order of the reference report (2018-19), with the question
each asks of the people who write it."""

from dataclasses import dataclass

from django.db import models


class SectionKey(models.TextChoices):
    INTRODUCTION = "introduction", "Introduction"
    AUDITS = "audits", "Quality assurance audits on working together"
    AGENCY_AUDITS = "agency-audits", "Safeguarding work within agencies"
    IMPACT_ASSESSMENT = "impact-assessment", "Impact assessment by agencies"
    SELF_ASSESSMENT = "self-assessment", "Self-assessment by agencies"
    PRACTITIONERS = "practitioners", "Practitioner views"
    CHILDREN = "children", "Children and young people's views"
    DATA = "data", "The local safeguarding data"
    ESCALATIONS = "escalations", "Escalated issues"
    CONCLUSIONS = "conclusions", "Conclusions and key messages"


@dataclass(frozen=True)
class SectionGuide:
    key: SectionKey
    narrative_hint: str
    impact_hint: str = ""  # empty: the section does not ask for impact

    @property
    def asks_for_impact(self) -> bool:
        return bool(self.impact_hint)


_IMPACT = "What difference did this make for children and families? Not only what was done."

GUIDES: list[SectionGuide] = [
    SectionGuide(
        SectionKey.INTRODUCTION,
        "How PAQA looks at the safeguarding system: audits, assessments, surveys and views.",
    ),
    SectionGuide(
        SectionKey.AUDITS,
        "What the multi-agency audits found, and the themes they share.",
        "What changed for the children whose cases were audited, or for children like them?",
    ),
    SectionGuide(
        SectionKey.AGENCY_AUDITS,
        "What agencies' own audits showed: good practice and themes for development.",
        _IMPACT,
    ),
    SectionGuide(
        SectionKey.IMPACT_ASSESSMENT,
        "The pressures agencies named, and the areas for improvement they identified.",
        "How do these pressures reach children and families, and what is being done?",
    ),
    SectionGuide(
        SectionKey.SELF_ASSESSMENT,
        "What agencies' self-assessments and peer challenge gave assurance on, and the gaps.",
        _IMPACT,
    ),
    SectionGuide(
        SectionKey.PRACTITIONERS,
        "What practitioners told us, and what they would change.",
        "What will children and families notice from what practitioners asked for?",
    ),
    SectionGuide(
        SectionKey.CHILDREN,
        "What children, young people and families told us, in their words.",
        "What did we do about what they said (you said, we did)?",
    ),
    SectionGuide(
        SectionKey.DATA,
        "What the data says about demand, early help, protection and care.",
        "What do the figures mean for children's lives, not only for services?",
    ),
    SectionGuide(
        SectionKey.ESCALATIONS,
        "Why PAQA escalated each matter, and where each now stands.",
        "What changed for children because each matter was escalated?",
    ),
    SectionGuide(
        SectionKey.CONCLUSIONS,
        "The local context, and what the evidence together says.",
    ),
]

GUIDE_BY_KEY: dict[str, SectionGuide] = {guide.key.value: guide for guide in GUIDES}
