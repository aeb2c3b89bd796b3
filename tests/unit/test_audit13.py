"""audit13 findings that need no database (xfail strict until fixed)."""

import pytest

from backend.colleges_import import COLUMNS, parse_colleges_csv

_ROW = {"code": "AUD13", "name_th": "วิทยาลัยเทคนิคทดสอบ", "name_en": "Test Technical College",
        "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": "18.79",
        "lon": "98.98", "service_radius_km": "20"}


def _csv(**changes: str) -> str:
    row = {**_ROW, **changes}
    return ",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n"


@pytest.mark.xfail(strict=True, reason="audit13: the colleges CSV takes names with control characters")
@pytest.mark.parametrize("name", ["วิทยาลัย\x00ทดสอบ", "วิทยาลัย\x1b[2Jทดสอบ", "\u202eวิทยาลัยทดสอบ"])
def test_a_college_name_with_control_characters_is_a_line_error(name: str) -> None:
    """`fixit import-colleges` checks every row before writing, to report a bad line by number; but a name is any
    string: NUL passes the check and then breaks the upsert with a raw psycopg error mid-transaction, and escape
    sequences or a right-to-left override go into every citizen's college list, the verify page and the PDFs.
    The API's own text fields refuse these (backend.schemas Line, VISIBLE_LINE_PATTERN)."""
    parsed = parse_colleges_csv(_csv(name_th=name))
    assert parsed.errors and not parsed.rows
