"""A colleges CSV the csv module cannot read (an unclosed quote swallowing the rest of a long file) is a line error
of parse_colleges_csv, as the students' import has it (csv_unreadable), never a traceback of `import-colleges`
(audit18a)."""

from backend.colleges_import import COLUMNS, parse_colleges_csv
from shared.text import error_text

GOOD = "TC-{n},วิทยาลัยเทคนิคที่ {n},Technical College {n},ลำปาง,Lampang,north,18.29,99.49,30\n"


def _long_list(first: int) -> str:
    return "".join(GOOD.format(n=n) for n in range(first, 2000))


def test_an_unclosed_quote_in_a_long_colleges_csv_is_a_line_error() -> None:
    text = (",".join(COLUMNS) + "\n" + 'TC-1,"วิทยาลัย ABC,ABC College,ลำปาง,Lampang,north,18.29,99.49,30\n'
            + _long_list(2))
    assert len(text.encode()) > 131072
    parsed = parse_colleges_csv(text.encode())
    assert parsed.rows == [] and parsed.errors and parsed.errors[0].line >= 2


def test_the_unreadable_line_is_where_its_record_starts_and_says_so() -> None:
    text = (",".join(COLUMNS) + "\n" + GOOD.format(n=1) + GOOD.format(n=2)
            + 'TC-3,"วิทยาลัย ABC,ABC College,ลำปาง,Lampang,north,18.29,99.49,30\n' + _long_list(4))
    parsed = parse_colleges_csv(text)
    assert [e.line for e in parsed.errors] == [4]
    words = error_text("csv_unreadable")
    assert str(parsed.errors[0]) == f"แถว/line 4: {words.th} / {words.en}"


def test_an_unclosed_quote_in_the_header_of_a_long_file_is_a_line_error() -> None:
    text = '"' + ",".join(COLUMNS) + "\n" + _long_list(1)
    parsed = parse_colleges_csv(text)
    assert parsed.rows == [] and [e.line for e in parsed.errors] == [1]
