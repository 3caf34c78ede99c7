"""The made-up words of `paqa demo --scale`: names, audit themes and findings, escalations, what
children said, actions. Each is plausible for a safeguarding partnership, names no real person
or place, and the records built from them say they are demonstration data.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO = "Demonstration: "

# The demo's seven agencies, in the order of paqa.partnership.demo.DEMO_AGENCIES: each copy has
# one of each kind, named so nobody takes it for a real organisation.
AGENCY_NAMES: list[tuple[str, str]] = [
    ("Demonstration council {copy} children's services", "childrens-services"),
    ("Demonstration police force {copy}", "police"),
    ("Demonstration health trust {copy}", "health"),
    ("Demonstration hospitals trust {copy}", "hospitals"),
    ("Demonstration commissioning group {copy}", "commissioning"),
    ("Demonstration district council {copy}", "district"),
    ("Demonstration council {copy} education", "education"),
]


@dataclass(frozen=True)
class AuditTheme:
    title: str
    theme: str
    findings: list[tuple[str, str, list[str]]]  # (kind, text, theme slugs)


AUDIT_THEMES: list[AuditTheme] = [
    AuditTheme(
        "Children living with neglect",
        "children living with neglect",
        [
            (
                "strength",
                "Practitioners used the neglect toolkit to describe the child's daily life.",
                ["neglect"],
            ),
            (
                "development",
                "Neglect that went on for years was recognised late, and plans drifted before "
                "anyone escalated.",
                ["neglect", "multi-agency-chronologies"],
            ),
            (
                "development",
                "Missed health appointments and poor school attendance were known to one agency "
                "but not shared with the others.",
                ["information-sharing", "education"],
            ),
            (
                "development",
                "Plans for brothers and sisters were made separately, so the family's whole story "
                "was missed.",
                ["think-family"],
            ),
        ],
    ),
    AuditTheme(
        "Children at risk of exploitation who go missing",
        "children at risk of exploitation who go missing",
        [
            (
                "strength",
                "Return home interviews were offered promptly and most children took them up.",
                ["exploitation"],
            ),
            (
                "development",
                "What was known about places and adults of concern was not shared between "
                "police, schools and children's social care.",
                ["information-sharing", "exploitation"],
            ),
            (
                "development",
                "Plans did not say who would do what when a child went missing again.",
                ["co-ordinated-work"],
            ),
            (
                "development",
                "Children's own accounts of why they went missing were rarely written down.",
                ["voice-of-the-child"],
            ),
        ],
    ),
    AuditTheme(
        "Children living with domestic abuse",
        "children living with domestic abuse",
        [
            (
                "strength",
                "Schools heard of incidents at home by the next morning and offered support.",
                ["domestic-abuse", "information-sharing"],
            ),
            (
                "development",
                "What the child saw and felt during incidents was not recorded.",
                ["voice-of-the-child", "domestic-abuse"],
            ),
            (
                "development",
                "Partners who harm were rarely seen or included in plans for the family.",
                ["think-family"],
            ),
            (
                "development",
                "Risk assessments were not updated after a new incident was reported.",
                ["co-ordinated-work", "domestic-abuse"],
            ),
        ],
    ),
    AuditTheme(
        "Children with emotional and mental health needs",
        "children with emotional and mental health needs",
        [
            (
                "strength",
                "School nurses and counsellors supported children while they waited for help.",
                ["mental-health"],
            ),
            (
                "development",
                "Long waits for specialist help were not matched by a plan for the meantime.",
                ["mental-health", "co-ordinated-work"],
            ),
            (
                "development",
                "Risk assessments were not shared with the other agencies working with the child.",
                ["information-sharing"],
            ),
            (
                "development",
                "Children were not asked what help they wanted while they waited.",
                ["voice-of-the-child", "mental-health"],
            ),
        ],
    ),
    AuditTheme(
        "Children missing education or on reduced timetables",
        "children missing education or on reduced timetables",
        [
            (
                "strength",
                "Education welfare staff knew the children well and followed up absences.",
                ["education"],
            ),
            (
                "development",
                "Reduced timetables went on for months without a review date.",
                ["education"],
            ),
            (
                "development",
                "Other agencies did not always know a child was out of school.",
                ["information-sharing", "working-together"],
            ),
            (
                "development",
                "Nobody brought together the school's and social care's records of the child's "
                "absences.",
                ["multi-agency-chronologies", "education"],
            ),
        ],
    ),
    AuditTheme(
        "Contributions to initial child protection conferences",
        "agencies' contributions to initial child protection conferences",
        [
            (
                "strength",
                "Reports were shared with families before the conference in most cases.",
                ["attendance-at-conferences"],
            ),
            (
                "development",
                "Fathers were not invited, or not helped to attend.",
                ["attendance-at-conferences", "think-family"],
            ),
            (
                "development",
                "Some agencies sent no report and no one to the conference.",
                ["working-together", "attendance-at-conferences"],
            ),
            (
                "development",
                "The child's own views were not put before the conference.",
                ["voice-of-the-child"],
            ),
        ],
    ),
    AuditTheme(
        "Early help before statutory services",
        "early help offered before children's social care became involved",
        [
            (
                "strength",
                "Families said early help workers listened and were easy to reach.",
                ["co-ordinated-work"],
            ),
            (
                "development",
                "No lead professional was named, so nobody held the whole picture.",
                ["co-ordinated-work", "multi-agency-chronologies"],
            ),
            (
                "development",
                "Brothers' and sisters' needs were not considered alongside the child's.",
                ["think-family"],
            ),
            (
                "development",
                "Step-down from social care to early help was not planned with the family.",
                ["co-ordinated-work"],
            ),
        ],
    ),
    AuditTheme(
        "Young people moving to adult services",
        "young people moving from children's to adult services",
        [
            (
                "strength",
                "Young people helped write their own transition plans.",
                ["voice-of-the-child"],
            ),
            (
                "development",
                "Planning started too late for adult services to be ready at eighteen.",
                ["co-ordinated-work"],
            ),
            (
                "development",
                "Mental health support stopped at eighteen without a handover.",
                ["mental-health", "information-sharing"],
            ),
            (
                "development",
                "Adult services did not receive the young person's history before they turned "
                "eighteen.",
                ["information-sharing", "multi-agency-chronologies"],
            ),
        ],
    ),
]

CASE_SUMMARIES = [
    "Our agency's records of this case were reviewed against the audit tool.",
    "Our records show the child was seen regularly; the plan was not always shared.",
    "Practice was timely, but the child's views were not written down in their own words.",
    "We acted on the referral promptly; information from other agencies arrived late.",
]
CASE_TEXT_ANSWERS = [
    "The risks were known to two agencies but were not brought together.",
    "The child was seen alone at most visits.",
    "The plan named who would do what, and by when.",
    "Records did not show what the child said.",
]

ACTION_TITLES: dict[str, str] = {
    "information-sharing": "Agree with partners how and when information is shared for cases "
    "like these",
    "multi-agency-chronologies": "Start a multi-agency chronology for every child on a plan",
    "co-ordinated-work": "Name a lead professional for every case held by more than one agency",
    "think-family": "Add fathers and partners to the assessment template",
    "voice-of-the-child": "Record the child's own words at every visit",
    "working-together": "Brief managers on their duties under Working Together 2018",
    "neglect": "Use the neglect toolkit at every review of a child in need plan",
    "attendance-at-conferences": "Report attendance at conferences by agency every quarter",
    "exploitation": "Share what is known about places and adults of concern every week",
    "mental-health": "Offer support while children wait for specialist help",
    "education": "Set a review date for every reduced timetable",
    "domestic-abuse": "Train response officers to record what children say at incidents",
}
ACTION_DONE = "The change is in place; the next audit will check it."
ACTION_PROGRESS = "Work has started; the first review is booked with the partnership."


@dataclass(frozen=True)
class Concern:
    title: str
    finding: str
    themes: list[str]
    indicator: str  # the evidence it links to, an indicator's code


CONCERNS: list[Concern] = [
    Concern(
        "Return home interviews after children go missing",
        "Return home interviews were not offered within 72 hours to many children who had gone "
        "missing.",
        ["exploitation"],
        "missing-three-times",
    ),
    Concern(
        "Children on reduced timetables",
        "More children were on reduced timetables, with no agreed review of each arrangement.",
        ["education"],
        "reduced-timetables",
    ),
    Concern(
        "Waiting times for children's mental health services",
        "Fewer children were seen within 12 weeks of referral to mental health services.",
        ["mental-health"],
        "camhs-seen-12-weeks",
    ),
    Concern(
        "Health professionals at strategy discussions",
        "Health professionals were not invited to, or did not join, strategy discussions.",
        ["working-together", "information-sharing"],
        "conference-attendance-health",
    ),
    Concern(
        "Domestic abuse notifications to schools",
        "Schools were not told of domestic abuse incidents in time to support the child.",
        ["domestic-abuse", "information-sharing"],
        "domestic-abuse-involving-children",
    ),
    Concern(
        "Re-referrals to children's social care",
        "One in five referrals was a re-referral within 12 months.",
        ["co-ordinated-work"],
        "re-referrals-12-months",
    ),
    Concern(
        "Permanent exclusions of children known to social care",
        "Permanent exclusions rose, including of children on child in need plans.",
        ["education"],
        "permanent-exclusions",
    ),
    Concern(
        "Fathers at child protection conferences",
        "Fewer than half of fathers attended initial child protection conferences.",
        ["think-family", "attendance-at-conferences"],
        "conference-attendance-fathers",
    ),
]
ESCALATION_NOTE = (
    "\n\nDemonstration: this concern, its dates, response and rating are made up by "
    "paqa demo --scale."
)
ESCALATION_STEPS: dict[str, str] = {
    "update": "The owner organisation has set up a task and finish group and will report "
    "progress to the PAQA subgroup.",
    "response": "The owner organisation has agreed an action plan with named leads and dates, "
    "and will report the figures each quarter.",
    "assure": "The figures reported since show the change the response promised; the subgroup "
    "is assured.",
    "close": "Closed: the measure is now part of the partnership's data set and reported every "
    "quarter.",
    "re-escalate": "The response set no date for the change, and the figures have not moved.",
}


@dataclass(frozen=True)
class Voice:
    source: str  # VoiceRecord.Source value
    title: str  # where it came from, before the copy's label
    who: str  # VoiceRecord.Who value
    age_band: str
    quote: str
    is_summary: bool
    themes: list[str]


VOICES: list[Voice] = [
    Voice(
        "case_review",
        "Case review: Child D",
        "child",
        "10-15",
        "Nobody asked me what I wanted. They just told me what was going to happen.",
        False,
        ["voice-of-the-child"],
    ),
    Voice(
        "case_review",
        "Case review: Young person E",
        "young_person",
        "16-17",
        "I had to tell my story again to every new worker.",
        False,
        ["information-sharing", "voice-of-the-child"],
    ),
    Voice(
        "participation",
        "Children in care council",
        "young_person",
        "16-17",
        "Young people said they want the same worker for longer, and to be told when a worker "
        "leaves.",
        True,
        ["workload", "voice-of-the-child"],
    ),
    Voice(
        "participation",
        "Primary school listening event",
        "child",
        "5-9",
        "My teacher helps me when I am sad. I like that she remembers.",
        False,
        ["voice-of-the-child"],
    ),
    Voice(
        "audit",
        "Multi-agency audit: family feedback",
        "parent_carer",
        "",
        "Parents said meetings were easier when they had the reports a few days before.",
        True,
        ["attendance-at-conferences", "think-family"],
    ),
    Voice(
        "audit",
        "Multi-agency audit: family feedback",
        "parent_carer",
        "",
        "Nobody explained why the school had called social services.",
        False,
        ["think-family", "information-sharing"],
    ),
    Voice(
        "survey",
        "Young people's safety survey",
        "young_person",
        "10-15",
        "Young people said they feel less safe online than on the street, and do not know who "
        "to tell.",
        True,
        ["exploitation"],
    ),
    Voice(
        "complaint",
        "Complaint about a child protection plan",
        "parent_carer",
        "",
        "A parent said the plan changed three times and nobody told them why.",
        True,
        ["co-ordinated-work", "think-family"],
    ),
    Voice(
        "case_review",
        "Case review: Child F",
        "child",
        "10-15",
        "When I went missing nobody asked me why when I came back.",
        False,
        ["exploitation", "voice-of-the-child"],
    ),
    Voice(
        "participation",
        "Young carers' group",
        "young_person",
        "10-15",
        "Teachers did not know I look after my mum, so I got into trouble for being late.",
        False,
        ["think-family", "education"],
    ),
]
WE_DID = [
    "Workers now introduce the next worker before they leave, and children are told in person.",
    "Families now get the reports at least three working days before every conference.",
    "Schools ask about caring at home when a child is often late, and refer to the young "
    "carers' service.",
    "Return home interviews now ask every child why they went missing, in their own words.",
]
