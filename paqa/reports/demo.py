"""The demonstration partnership's 2018-19 report: its commentary is the reference report's own
words (figures left out: they are drafted from the evidence), and it is published as version 1.

The reference report has no separate statements of impact on children and families, so those
here are made up, and each says so.
"""

from __future__ import annotations

from django.db import transaction

from paqa.accounts.models import User
from paqa.reports.models import Report
from paqa.reports.sections import SectionKey
from paqa.reports.services import report_create, report_publish, section_update

YEAR = "2018-19"
ILLUSTRATIVE = "Illustrative, not in the 2018-19 report: "

NARRATIVE: dict[str, str] = {
    SectionKey.INTRODUCTION: (
        "PAQA takes a system-wide view on safeguarding work through multi-agency audits and an "
        "annual impact assessment. Agencies' self-assessments and self-audits then enable PAQA "
        "to drill down to how well things are working at practitioner level within individual "
        "services. Views are drawn from both practitioners as well as families and children."
    ),
    SectionKey.AUDITS: (
        "Findings were specific to each area of work but there are cross-cutting quality "
        "assurance themes reflected across the system: the need for partner agencies to fully "
        "understand their safeguarding duties within Working Together 2018, in particular the "
        "key partner agencies, so that they can have sustained long term impact, and the "
        "benefits of sharing information through multi-agency chronologies which can shine a "
        "light on what it really means to be a child in that family.\n\n"
        "A strategy meeting is normally held following an initial assessment which indicates "
        "that a child has suffered or is likely to suffer significant harm."
    ),
    SectionKey.AGENCY_AUDITS: (
        "Collectively the audits showed that agencies are focussed on getting core "
        "safeguarding business right. Many noted the need to ‘think family’ as well as the need "
        "to improve how children's views were captured to inform decisions: they were captured "
        "in many cases but most agencies stated that they wanted to be able to better evidence "
        "it in all cases. Whilst highlighting much good practice the themes of multi-agency "
        "chronologies, good sharing of information and co-ordinated work were noted as "
        "consistent themes for development."
    ),
    SectionKey.IMPACT_ASSESSMENT: (
        "Organisations identified the key financial and organisational pressures in relation to "
        "safeguarding children and their families and adults with care and support needs as "
        "recruitment and retention as well as increasing demand for services. District councils "
        "and housing organisations also noted homelessness as placing increased pressure on "
        "services. Partners identified as areas for improvement good information sharing, "
        "working agreements and communication, and commitment to and engagement with "
        "multi-agency work, for example attendance at safeguarding meetings, co-ordination and "
        "shared financial responsibility to address complex issues."
    ),
    SectionKey.SELF_ASSESSMENT: (
        "Information provided assurance that board member agencies across Oxfordshire have "
        "policies and procedures in place to safeguard children and adults with care and "
        "support needs and are compliant with the standards. The majority of partners are "
        "committed to ensuring safeguarding practice is embedded into their daily work, "
        "including training and ongoing reflection and support for staff around safeguarding "
        "practices."
    ),
    SectionKey.PRACTITIONERS: (
        "Practitioners completed an online questionnaire for the OSCB. Most have had recent "
        "training and can discuss safeguarding within their organisation; what they would "
        "change is about working together, training and how safeguarding work is seen."
    ),
    SectionKey.CHILDREN: (
        "Authors of serious case reviews have spoken with children and young people who have "
        "been at risk of serious harm and neglect. Children have told us that at times they "
        "‘felt like they were missing’ or simply ‘not seen’ by professionals. They also told us "
        "how small gestures of kindness and being noticed by professionals made a big "
        "difference."
    ),
    SectionKey.DATA: (
        "The data shows that the local context is one of continued increasing demand on "
        "services and higher rates of escalation into child protection and care.\n\n"
        "There is some indication that the early help work is beginning to increase and have "
        "impact: early help assessments have increased significantly; the number of troubled "
        "families worked with has risen and the timeliness of referrals through the "
        "Multi-agency Safeguarding Hub is high. However, early help data does not indicate that "
        "neglect is being identified early enough to prevent it being the main reason for "
        "children becoming subject to child protection plans.\n\n"
        "The increase in children looked after is largely due to younger children coming in to "
        "the system with increasingly complex needs and elevated risk profiles, particularly "
        "autism, mental health issues and risk of exploitation. The data raises concern about "
        "adverse childhood experiences and the potential for child exploitation, and about "
        "vulnerable groups of children who are out of education on reduced timetables, "
        "excluded or educated at home. The timeliness of Child and Adolescent Mental Health "
        "Services continues to be a cause for concern while demand stays high."
    ),
    SectionKey.ESCALATIONS: (
        "PAQA's review of safeguarding data and intelligence led to the escalation of these "
        "matters: domestic abuse; safeguarding in education; working together and case "
        "conferences; and the sufficiency of placements for children with complex mental "
        "health needs, which meant a delay in discharging them when they come in to hospital."
    ),
    SectionKey.CONCLUSIONS: (
        "Alongside the growth in the child population there has been increased demand for "
        "services, particularly towards the high end of the continuum of need. The workload is "
        "not straightforward: audits and feedback emphasise that the complexity of cases and "
        "the capacity of colleagues to deal with them makes it a challenging work environment."
    ),
}

IMPACT: dict[str, str] = {
    SectionKey.AUDITS: "Multi-agency chronologies are now started at the first strategy meeting "
    "for a child, so the history of what has happened to them is seen by every agency.",
    SectionKey.AGENCY_AUDITS: "Agencies now record in each case what the child said and how it "
    "changed the plan, so children can see that their views counted.",
    SectionKey.IMPACT_ASSESSMENT: "Vacancies delay visits and assessments for families; the "
    "partnership's recruitment work is aimed at keeping the same worker with a family.",
    SectionKey.SELF_ASSESSMENT: "Staff know how to raise a concern about a child and are "
    "supported to do it, which the self-assessments evidence with examples from practice.",
    SectionKey.PRACTITIONERS: "Shorter training based on real cases is planned, so families meet "
    "practitioners who recognise risk sooner.",
    SectionKey.CHILDREN: "Children in child protection conferences are now asked before the "
    "meeting what they want said, and told afterwards what was decided.",
    SectionKey.DATA: "More families are offered early help before problems grow; the next step "
    "is spotting neglect early enough to avoid child protection plans.",
    SectionKey.ESCALATIONS: "Police now record the child's voice at domestic abuse incidents, so "
    "schools hear through Operation Encompass how a child is before the school day starts.",
}


@transaction.atomic
def demo_report_load() -> Report | None:
    """Start the 2018-19 report with the reference report's words, and publish it as version 1.
    Running it again changes nothing."""
    if Report.objects.filter(year=YEAR).exists():
        return None
    author = User.objects.filter(email="paqa@demo.example").first()
    if author is None:
        return None
    report = report_create(year=YEAR, actor=author)
    for section in report.sections.all():
        impact = IMPACT.get(section.key, "")
        section_update(
            section=section,
            narrative=NARRATIVE.get(section.key, ""),
            impact=f"{ILLUSTRATIVE}{impact}" if impact else "",
            revision=section.revision,
            actor=author,
        )
    report_publish(report=report, actor=author, note="First published version.")
    return report
