"""Each child's minimised records survive storing as JSON and reading back unchanged, and the
hand-written conversion of a CIN child writes exactly its record's fields."""

import io
from dataclasses import asdict

from paqa.returns import storage
from paqa.returns.parsing import parse_903_csv, parse_cin_xml
from paqa.returns.synthetic import generate_903, generate_cin

KEY = b"test-key"


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def test_a_census_child_is_stored_with_exactly_its_fields_and_read_back_the_same(tmp_path):
    path = tmp_path / "cin.xml"
    generate_cin(path, children=120, year_ends=2019, seed=7)
    with path.open("rb") as stream:
        children = parse_cin_xml(stream, KEY).children
    assert children
    for child in children:
        records = storage.child_in_need_records(child)
        assert records == {"referrals": _plain(asdict(child))["referrals"]}
        assert storage.child_in_need_from(child.child, child.birth_month, records) == child


def test_a_looked_after_child_is_read_back_the_same(tmp_path):
    generate_903(tmp_path, children=80, year_ends=2019, seed=7)
    files = [(p.name, io.BytesIO(p.read_bytes())) for p in sorted(tmp_path.glob("*.csv"))]
    parsed = parse_903_csv(files, KEY)
    episodes, missing = [], []
    for child, born, records in storage.children_903(parsed.episodes, parsed.missing):
        episodes += storage.episodes_from(child, born, records)
        missing += storage.missing_from(child, records)
    assert sorted(episodes, key=repr) == sorted(parsed.episodes, key=repr)
    assert sorted(missing, key=repr) == sorted(parsed.missing, key=repr)
