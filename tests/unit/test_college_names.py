"""A college's and a province's names from the colleges CSV (`fixit import-colleges`) follow the API's rule for
them (shared.visible_text.is_plain_name): each bad one is a numbered line error, before anything is written."""

import pytest

from backend.colleges_import import COLUMNS, parse_colleges_csv

_ROW = {"code": "AUD13", "name_th": "วิทยาลัยเทคนิคทดสอบ", "name_en": "Test Technical College",
        "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": "18.79",
        "lon": "98.98", "service_radius_km": "20"}


def _csv(**changes: str) -> str:
    row = {**_ROW, **changes}
    return ",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n"


@pytest.mark.parametrize("name", ["วิทยาลัย\x00ทดสอบ", "วิทยาลัย\x1b[2Jทดสอบ", "\u202eวิทยาลัยทดสอบ"])
def test_a_college_name_with_control_characters_is_a_line_error(name: str) -> None:
    """`fixit import-colleges` checks every row before writing, to report a bad line by number; but a name was any
    string: NUL passed the check and then broke the upsert with a raw psycopg error mid-transaction, and escape
    sequences or a right-to-left override went into every citizen's college list, the verify page and the PDFs.
    (audit13, finding 10)"""
    parsed = parse_colleges_csv(_csv(name_th=name))
    assert parsed.errors and not parsed.rows
    assert parsed.errors[0].line == 2 and parsed.errors[0].message.startswith("name_th:")


@pytest.mark.parametrize("field", ["name_en", "province_th", "province_en"])
def test_every_name_of_a_row_follows_the_rule(field: str) -> None:
    parsed = parse_colleges_csv(_csv(**{field: "ab\u2066cd"}))
    assert [e.message.split(":")[0] for e in parsed.errors] == [field] and not parsed.rows


def test_thai_with_its_zero_width_spaces_is_a_name() -> None:
    """Thai puts a zero-width space between words: that is ordinary text, not a control character."""
    parsed = parse_colleges_csv(_csv(name_th="วิทยาลัย\u200bเทคนิค\u200bทดสอบ"))
    assert not parsed.errors and parsed.rows[0].name_th == "วิทยาลัย\u200bเทคนิค\u200bทดสอบ"
