from pathlib import Path

import pytest

from tests.indicators.conftest import areas, pack  # noqa: F401  (fixtures used here too)

SAMPLES = Path(__file__).parent / "samples"
SSDA903_CSV = sorted((SAMPLES / "ssda903-fake-2017-18").glob("*.csv"))
CIN_SAMPLE = SAMPLES / "cin-census-fixtures" / "fake_CIN_data.xml"


@pytest.fixture
def open_files():
    """Open paths as (name, binary stream) pairs, closed after the test."""
    opened = []

    def open_all(paths):
        files = [(path.name, path.open("rb")) for path in paths]
        opened.extend(stream for _, stream in files)
        return files

    yield open_all
    for stream in opened:
        stream.close()
