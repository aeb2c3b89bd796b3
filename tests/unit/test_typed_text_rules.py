"""What a typed text may hold and how it is counted (audit18a findings 2, 4, 8, 11, 12 and 15): one rule in shared/
for the backend and the app. A character counts when a reader sees it (not a filler, not a mark alone); no typed
text holds a direction control or a stack of marks; SARA AM typed as two characters is the usual one; a code typed
in Thai digits is the code."""

import json
from dataclasses import replace

import pytest

from backend.services.staff import StudentImportError, parse_students_csv
from shared.display_names import clean_display_name
from shared.otp import is_well_formed, typed_code, typed_digits
from shared.request_rules import ITEM_MAX, RequestDraft, check_draft
from shared.text import ERRORS
from shared.visible_text import (
    MARKS_PER_CLUSTER_MAX,
    is_blank,
    is_plain_name,
    most_marks,
    normal_form,
    typed_text_problem,
    visible_length,
)
from tests.unit.mobile_fakes import FakeBackend
from tests.unit.test_mobile_login import make_login

GOOD = RequestDraft(
    category_code="appliance", item="พัดลม", brand="Hatari", description="เปิดไม่ติดเลย", lat=13.75, lon=100.5,
    address="", service_place="centre", preferred_days=["sat"], contact_phone="081-234-5678", pdpa_consent=True,
)


@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"])
def test_characters_that_show_nothing_are_blank(blank: str) -> None:
    assert is_blank(blank * 3)
    assert visible_length("ab" + blank * 3) == 2
    assert clean_display_name(blank) is None


def test_marks_with_no_letter_under_them_are_not_visible_characters() -> None:
    assert clean_display_name("\u0e48") is None  # ไม้เอก alone
    assert visible_length("\u0e48\u0e49\u0e4a\u0e4b\u0e48") == 0
    assert visible_length("\u0e01\u0e48") == 2  # ก่: a letter and its mark, as the writer typed them


def test_a_name_typed_with_the_two_character_sara_am_is_the_usual_name() -> None:
    assert clean_display_name("สมชาย ค\u0e4d\u0e32ดี") == "สมชาย คำดี"


def test_the_two_character_sara_am_is_joined_with_its_tone_mark_on_either_side() -> None:
    assert normal_form("น\u0e49\u0e4d\u0e32") == "น้ำ"  # tone, nikhahit, sara aa
    assert normal_form("น\u0e4d\u0e49\u0e32") == "น้ำ"  # nikhahit, tone, sara aa
    assert normal_form("ກ\u0ecd\u0eb2") == "ກຳ"  # Lao
    assert normal_form("สงฺฆํ") == "สงฺฆํ"  # a nikhahit of its own (Pali) stays


@pytest.mark.parametrize("text", ["\u202eนายสมชาย", "ชื่อ\u2066ซ่อน\u2069", "a\u202ab\u202c"])
def test_a_direction_control_is_refused_in_names_items_and_every_field(text: str) -> None:
    assert typed_text_problem(text) == "text_direction_invalid"
    assert clean_display_name(text) is None
    assert not is_plain_name(text)
    problems = check_draft(replace(GOOD, item=text, brand=text, description=text + " เปิดไม่ติด", address=text),
                           {"appliance"}).by_field
    assert problems == {name: "text_direction_invalid" for name in ("item", "brand", "description", "address")}
    assert "text_direction_invalid" in ERRORS and "text_marks_stacked" in ERRORS


def test_ordinary_thai_and_emoji_are_no_stack_of_marks() -> None:
    for text in ["น้ำ", "กี่", "ปั้น", "ญี่ปุ่น", "👍🏽", "1️⃣", "❤️", "Nguyễn", "ก\u200bข", "ฤๅษี", "\u200e081"]:
        assert typed_text_problem(text) is None, text
        assert most_marks(text) <= MARKS_PER_CLUSTER_MAX


def test_more_marks_on_a_letter_than_a_syllable_needs_are_refused() -> None:
    stacked = "ก" + "\u0e49" * (MARKS_PER_CLUSTER_MAX + 1)
    assert typed_text_problem(stacked) == "text_marks_stacked"
    assert typed_text_problem("ก" + "\u0e49" * MARKS_PER_CLUSTER_MAX) is None
    assert clean_display_name("สมชาย " + stacked) is None
    assert check_draft(replace(GOOD, description="เปิดไม่ติด " + stacked), {"appliance"}).by_field == {
        "description": "text_marks_stacked"}
    assert check_draft(replace(GOOD, item="พัดลม " + stacked), {"appliance"}).by_field == {
        "item": "text_marks_stacked"}


def test_a_description_of_marks_or_fillers_is_too_short() -> None:
    for description in ["\u0e48\u0e49\u0e4a\u0e4b\u0e48", "\u3164" * 8, "\u2800" * 10]:
        assert check_draft(replace(GOOD, description=description), {"appliance"}).by_field == {
            "description": "request_description_invalid"}
    assert is_blank("\u0e48\u0e49")
    assert visible_length("ทีวีเสีย") == 8  # as typed: the marks on letters count


@pytest.mark.parametrize("description", ["จอดับ", "ไม่ติด", "ไฟไม่เข้า"])
def test_a_short_real_thai_complaint_meets_the_minimum(description: str) -> None:
    # Counting a letter with its marks once made "ไม่ติด" four characters, under the minimum of five.
    assert check_draft(replace(GOOD, description=description), {"appliance"}).ok


def test_an_item_may_be_as_long_as_the_item_limit_not_a_names() -> None:
    item = "ก" * ITEM_MAX
    assert check_draft(replace(GOOD, item=item), {"appliance"}).ok
    assert check_draft(replace(GOOD, item=item + "ก"), {"appliance"}).by_field == {"item": "request_item_invalid"}


@pytest.mark.parametrize(("typed", "digits"), [("๑๒๓๔๕๖", "123456"), (" ١٢٣٤٥٦ ", "123456"),
                                               ("１２３４５６", "123456"), ("รหัส ๐๙", "รหัส 09")])


def test_digits_typed_on_a_thai_or_other_keyboard_are_ascii_digits(typed: str, digits: str) -> None:
    assert typed_digits(typed.strip()) == digits
    assert typed_code(typed) == digits


def test_digits_that_are_no_decimal_digits_stay_refused() -> None:
    assert typed_digits("²⑤") == "²⑤"
    assert not is_well_formed(typed_code("¹²³⁴⁵⁶"))
    assert is_well_formed(typed_code("๑๒๓๔๕๖"))


async def test_the_app_sends_a_sign_in_code_typed_in_thai_digits_as_the_code() -> None:
    """The app checks the code with the backend's own reading before sending: ๑๒๓๔๕๖ was "not a code" there."""
    backend = FakeBackend()
    vm, signed, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    vm.set_code_input("๑๒๓๔๕๖")
    await vm.verify()
    (call,) = backend.calls("POST", "/auth/otp/verify")
    assert json.loads(call.content) == {"phone": "+66811111111", "code": "123456"}
    assert vm.code_error is None and len(signed) == 1


def test_a_student_csv_refuses_the_names_a_form_refuses_and_joins_sara_am() -> None:
    csv_text = ("phone,name,skills\n"
                "0811111111,\u202eสมชาย ใจดี,\n"  # line 2: a direction override
                "0811111112,\u3164,\n"  # line 3: a filler that shows nothing
                "0811111113,มานะ ก" + "\u0e49" * 5 + ",\n"  # line 4: stacked marks
                "0811111114,สมหญิง ค\u0e4d\u0e32ดี,\n")  # line 5: fine, with SARA AM typed as two characters
    with pytest.raises(StudentImportError) as refused:
        parse_students_csv(csv_text, set())
    assert [(e.line, e.code) for e in refused.value.errors] == [
        (2, "display_name_invalid"), (3, "display_name_invalid"), (4, "display_name_invalid")]
    (row,) = parse_students_csv("phone,name\n0811111114,สมหญิง ค\u0e4d\u0e32ดี\n", set())
    assert row.name == "สมหญิง คำดี"
