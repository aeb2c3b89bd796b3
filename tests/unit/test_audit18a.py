"""Audit 18a: a hostile review of what people type, at the rules in shared/ and the app's parsing. Each test shows a
defect that is still there (xfail strict): the fixer removes the mark with the fix."""

import httpx
import pytest

from shared.credit_wire import total_count_from_header
from shared.display_names import clean_display_name
from shared.visible_text import is_blank, visible_length
from shared.wire import unread_count_from_header
from tests.unit.mobile_fakes import FakeBackend


@pytest.mark.xfail(strict=True, reason="audit18a: Hangul fillers and the blank Braille pattern count as visible")
@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"])
def test_characters_that_show_nothing_are_blank(blank: str) -> None:
    assert is_blank(blank * 3)
    assert visible_length("ab" + blank * 3) == 2
    assert clean_display_name(blank) is None


@pytest.mark.xfail(strict=True, reason="audit18a: a tone mark with no letter under it counts as a visible character")
def test_marks_with_no_letter_under_them_are_not_visible_characters() -> None:
    assert clean_display_name("\u0e48") is None  # ไม้เอก alone
    assert visible_length("\u0e48\u0e49\u0e4a\u0e4b\u0e48") == 0
    assert visible_length("\u0e01\u0e48") == 1  # ก่: one letter with its mark, as the reader counts it


@pytest.mark.xfail(strict=True, reason="audit18a: sara am typed as nikhahit + sara aa is kept as two characters")
def test_a_name_typed_with_the_two_character_sara_am_is_the_usual_name() -> None:
    assert clean_display_name("สมชาย ค\u0e4d\u0e32ดี") == "สมชาย คำดี"


# --- Count headers with digits int() cannot read -----------------------------------------------------------------
# shared.wire.unread_count_from_header and shared.credit_wire.total_count_from_header test str.isdigit(), which is
# true for superscripts and circled digits ("²", "⑤") that int() refuses: a header such a middlebox (or a Latin-1
# byte 0xB2) gives raises ValueError from ApiClient's every call that reads it, instead of "no count".
@pytest.mark.xfail(strict=True, reason="audit18a: a count header of '²' raises ValueError in the app")
@pytest.mark.parametrize("value", ["²", "⑤", "1²"])
def test_a_count_header_int_cannot_read_is_no_count(value: str) -> None:
    assert unread_count_from_header(value) is None
    assert total_count_from_header(value) is None


@pytest.mark.xfail(strict=True, reason="audit18a: a count header of '²' raises ValueError in the app")
async def test_the_own_list_survives_an_unreadable_unread_count_header() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    counted: list[int] = []
    api.on_unread_count = counted.append
    backend.overrides[("GET", "/requests/mine")] = lambda _: httpx.Response(
        200, json=[], headers={b"X-Unread-Count": b"\xb2"})
    assert (await api.my_requests()).rows == []
    assert counted == []
