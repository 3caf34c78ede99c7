"""The CIN census (children in need, child protection), an XML Message, streamed one Child at a
time into the minimised records of paqa.returns.records (docs/statutory-returns.md §2.2).

A problem's row is the Child's position in the return (the first is 1; the Header is row 0) and
its field says where below the Child: "CPPstartDate (CINdetails 1, ChildProtectionPlans 2)".
A part with a problem is left out of the records, at the smallest level that holds it: a plan
without a start date drops that plan, a referral without a referral date drops that referral
(and what hangs from it), a Child without an LAchildID drops the Child. A birth date that is
not a date leaves the birth month unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from lxml import etree

from paqa.returns.parsing.common import (
    MAX_PROBLEMS,
    Check,
    Problems,
    Pseudonyms,
    code_list,
    forget,
    local_name,
    read_head,
    refusal,
    safe_iterparse,
    split,
    syntax_message,
    values_of,
    xml_root,
)
from paqa.returns.records import (
    Assessment,
    ChildInNeed,
    ProtectionPlan,
    Referral,
    ReturnProblem,
    Section47,
)

TABLE = "CIN census"

# Code lists (the CIN census XSD enumerations).
REFERRAL_SOURCE = code_list("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10")
PRIMARY_NEED = code_list(f"N{n}" for n in range(10))
CLOSURE_REASON = code_list(f"RC{n}" for n in range(1, 10))
ABUSE_CATEGORY = code_list("NEG PHY SAB EMO MUL")


@dataclass
class ParsedCIN:
    children: list[ChildInNeed] = field(default_factory=list)
    problems: list[ReturnProblem] = field(default_factory=list)
    collection_year: int | None = None  # Header/CollectionDetails/Year
    reference_date: date | None = None  # Header/CollectionDetails/ReferenceDate


class _Reader:
    def __init__(self, key: bytes, max_problems: int) -> None:
        self.names = Pseudonyms(key)
        self.problems = Problems(max_problems)
        self.result = ParsedCIN()
        self.positions: dict[str, int] = {}  # child → position where first seen
        self.had_header = False

    def header(self, element: Any) -> bool:
        """Read the Header; False when it shows the file is another collection's."""
        self.had_header = True
        details = split(element)[1].get("CollectionDetails")
        values = values_of(details[0]) if details else {}
        check = Check(self.problems, TABLE, 0, values)
        collection = check.text("Collection")
        if collection and collection.upper() != "CIN":
            check.problem("Collection", f"the return is a '{collection}' collection, not CIN")
            return False
        self.result.collection_year = check.count("Year")
        self.result.reference_date = check.iso("ReferenceDate", required=True)
        return True

    def child(self, element: Any, position: int) -> None:
        groups = split(element)[1]
        identifiers = groups.get("ChildIdentifiers")
        values = values_of(identifiers[0]) if identifiers else {}
        check = Check(self.problems, TABLE, position, values)
        child_id = check.text("LAchildID", required=True)
        born = check.iso("PersonBirthDate", identifying=True)
        referrals = [
            referral
            for number, details in enumerate(groups.get("CINdetails", ()), start=1)
            if (referral := self.referral(details, position, f"CINdetails {number}"))
        ]
        if not child_id:
            return
        child = self.names.child(child_id)
        first = self.positions.setdefault(child, position)
        if first != position:
            check.problem("LAchildID", f"the child is in the return more than once (child {first})")
        self.result.children.append(ChildInNeed(child, self.names.month(born), referrals))

    def referral(self, element: Any, position: int, where: str) -> Referral | None:
        values, groups = split(element)
        check = Check(self.problems, TABLE, position, values, where=where)
        referred = check.iso("CINreferralDate", required=True)
        source = check.code("ReferralSource", REFERRAL_SOURCE)
        need = check.code("PrimaryNeedCode", PRIMARY_NEED)
        closed = check.iso("CINclosureDate")
        reason = check.code("ReasonForClosure", CLOSURE_REASON)
        conference = check.iso("DateOfInitialCPC")
        no_further_action = check.flag("ReferralNFA")
        check.not_before("CINclosureDate", closed, "CINreferralDate", referred)

        def parts(name: str, read: Any) -> list[Any]:
            found = (
                read(part, position, f"{where}, {name} {number}")
                for number, part in enumerate(groups.get(name, ()), start=1)
            )
            return [part for part in found if part is not None]

        assessments: list[Assessment] = parts("Assessments", self.assessment)
        enquiries: list[Section47] = parts("Section47", self.enquiry)
        plans: list[ProtectionPlan] = parts("ChildProtectionPlans", self.plan)
        if not check.ok or referred is None:
            return None
        return Referral(
            referral_date=referred,
            source=source,
            need_code=need,
            closure_date=closed,
            closure_reason=reason,
            initial_conference=conference,
            no_further_action=no_further_action,
            assessments=assessments,
            enquiries=enquiries,
            plans=plans,
        )

    def assessment(self, element: Any, position: int, where: str) -> Assessment | None:
        check = Check(self.problems, TABLE, position, values_of(element), where=where)
        start = check.iso("AssessmentActualStartDate")
        authorised = check.iso("AssessmentAuthorisationDate")
        check.not_before(
            "AssessmentAuthorisationDate", authorised, "AssessmentActualStartDate", start
        )
        return Assessment(start, authorised) if check.ok else None

    def enquiry(self, element: Any, position: int, where: str) -> Section47 | None:
        check = Check(self.problems, TABLE, position, values_of(element), where=where)
        start = check.iso("S47ActualStartDate")
        target = check.iso("InitialCPCtarget")
        conference = check.iso("DateOfInitialCPC")
        not_required = check.flag("ICPCnotRequired")
        return Section47(start, target, conference, not_required) if check.ok else None

    def plan(self, element: Any, position: int, where: str) -> ProtectionPlan | None:
        check = Check(self.problems, TABLE, position, values_of(element), where=where)
        start = check.iso("CPPstartDate", required=True)
        end = check.iso("CPPendDate")
        initial = check.code("InitialCategoryOfAbuse", ABUSE_CATEGORY)
        latest = check.code("LatestCategoryOfAbuse", ABUSE_CATEGORY)
        previous = check.count("NumberOfPreviousCPP")
        check.not_before("CPPendDate", end, "CPPstartDate", start)
        if not check.ok or start is None:
            return None
        return ProtectionPlan(start, end, initial, latest, previous)

    def done(self) -> ParsedCIN:
        self.result.problems = self.problems.result()
        return self.result


def parse_cin_xml(stream: BinaryIO, key: bytes, *, max_problems: int = MAX_PROBLEMS) -> ParsedCIN:
    """Read a CIN census return (Message / Header, Children / Child*), one Child at a time; the
    stream is read but not closed. `key` is the installation's pseudonym key."""
    reader = _Reader(key, max_problems)
    head = read_head(stream)
    root, why = xml_root(head)
    if not why and root != "Message":
        why = f"the root element is {root}, not Message: this is not a CIN census return"
    if why:
        reader.problems.add(TABLE, 0, "", why)
        return reader.done()
    position = 0
    looked = False  # at the document as the parser sees it
    try:
        for event, element in safe_iterparse(head, stream, ("Message", "Header", "Child")):
            if not looked:
                looked, why = True, refusal(element, "Message")
                if why:
                    reader.problems.add(TABLE, 0, "", why)
                    return reader.done()
            if event == "start":
                continue
            parent = element.getparent()
            if parent is None:
                continue
            name = local_name(element.tag)
            if name == "Child" and local_name(parent.tag) == "Children":
                position += 1
                reader.child(element, position)
                forget(element)
            elif name == "Header" and parent.getparent() is None:
                if not reader.header(element):
                    return reader.done()
                forget(element)
    except etree.XMLSyntaxError as error:
        reader.problems.add(TABLE, position + 1, "", syntax_message(error))
        return reader.done()
    if not reader.had_header:
        reader.problems.add(TABLE, 0, "Header", "the return has no Header")
    if position == 0:
        reader.problems.add(TABLE, 0, "Child", "the return holds no Child")
    return reader.done()
