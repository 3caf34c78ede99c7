"""Streaming parsers for the statutory returns a local authority makes to the DfE: the SSDA903
(children looked after; CSV tables or XML) and the CIN census (XML). Each reads its file row by
row or child by child and keeps only the minimised records of paqa.returns.records, with every
problem found (ReturnProblem: table, row, field, why) rather than an exception.

    sniff_return(name, head)    "903-csv", "903-xml", "cin-xml" or "" from a file's first bytes
    identify_903_table(header)  which SSDA903 table a CSV header row is, by its set of columns
    parse_903_csv(files, key)   -> Parsed903 (episodes, missing, problems, tables)
    parse_903_xml(stream, key)  -> Parsed903
    parse_cin_xml(stream, key)  -> ParsedCIN (children, problems, collection_year, reference_date)
"""

from __future__ import annotations

import csv

from paqa.returns.parsing.cin import ParsedCIN, parse_cin_xml
from paqa.returns.parsing.common import head_text, xml_root
from paqa.returns.parsing.ssda903 import (
    TABLES_903,
    Parsed903,
    explain_903_header,
    identify_903_table,
    parse_903_csv,
    parse_903_xml,
)

__all__ = [
    "TABLES_903",
    "Parsed903",
    "ParsedCIN",
    "explain_903_header",
    "identify_903_table",
    "parse_903_csv",
    "parse_903_xml",
    "parse_cin_xml",
    "sniff_return",
]

_XML_ROOTS = {"EXPSSDA903": "903-xml", "Message": "cin-xml"}


def sniff_return(name: str, head: bytes) -> str:
    """What kind of return a file is, from its first bytes (a few kilobytes are enough): the XML
    root element's name, or a CSV first row that is an SSDA903 table's header. The file's name
    is not trusted and does not decide; "" when the content is none of the three."""
    text = head_text(head).lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        root, why = xml_root(head)
        return "" if why else _XML_ROOTS.get(root, "")
    first_line = text.splitlines()[0] if text else ""
    header = next(csv.reader([first_line]), [])
    while header and not header[-1].strip():
        header.pop()
    return "903-csv" if header and identify_903_table(header) else ""
