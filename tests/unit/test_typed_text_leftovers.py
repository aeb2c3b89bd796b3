"""What people type, the leftovers of session 18's rules (text19): an emoji counts once toward a minimum length however
many code points make it, while a Thai mark on a letter still counts, in the backend's rules and the app's form alike;
and the app and the colleges CSV read a phone typed in Thai digits as the backend does (shared.phone)."""

import json

import pytest

from backend.colleges_import import COLUMNS, parse_colleges_csv
from mobile.viewmodels.app import AppViewModel
from shared.credit import check_phone_approval
from shared.request_rules import DESCRIPTION_MIN, RequestDraft, check_draft
from shared.visible_text import is_blank, visible_length
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, RequestBackend
from tests.unit.mobile_screens import open_form

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # four people joined by three ZWJ: one emoji


@pytest.mark.parametrize(("text", "seen"), [
    (FAMILY, 1),
    ("🇹🇭", 1),  # a flag: two regional indicators
    ("🇹🇭🇯🇵🇹", 3),  # two flags and a letter still waiting for its pair
    ("👍🏽", 1),  # a skin tone
    ("❤️", 1),  # a presentation selector
    ("1️⃣", 1),  # a keycap
    ("🏳️\u200d🌈", 1),  # ZWJ after a presentation selector
    ("🧑🏽\u200d🔧", 1),  # ZWJ after a skin tone
    ("🏴\U000e0074\U000e0068\U000e007f", 1),  # a tag sequence (its tags are format characters)
    ("👍\u200da", 2),  # a ZWJ joins pictographs only
    ("a\u200db", 2),
    ("ซ่อม 👨‍🔧", 5),
])
def test_an_emoji_counts_once(text: str, seen: int) -> None:
    assert visible_length(text) == seen


@pytest.mark.parametrize(("text", "seen"), [
    ("ไม่ติด", 6), ("จอดับ", 5), ("น้ำ", 3), ("ทีวีเสีย", 8), ("ก\u0e48", 2), ("ก\u200d\u0e48", 1),
])
def test_a_thai_mark_on_a_letter_still_counts(text: str, seen: int) -> None:
    assert visible_length(text) == seen


def test_what_draws_nothing_alone_is_still_blank() -> None:
    for text in ("\ufe0f", "\u20e3", "\U0001f3fd", "\u200d", "\u200d\ufe0f"):
        assert is_blank(text), repr(text)


def draft(description: str) -> RequestDraft:
    return RequestDraft(category_code="appliance", item="พัดลม", brand="", description=description, lat=13.75,
                        lon=100.5, address="", service_place="centre", preferred_days=[],
                        contact_phone="0812345678", pdpa_consent=True)


def test_a_description_of_two_emoji_families_is_too_short() -> None:
    """Eight code points a person sees as two: under the minimum of five (before, each part counted: eight)."""
    assert DESCRIPTION_MIN == 5
    assert check_draft(draft(FAMILY * 2)).by_field.get("description") == "request_description_invalid"
    assert check_draft(draft("🇹🇭🇹🇭🇹🇭🇹🇭")).by_field.get("description") == "request_description_invalid"
    assert "description" not in check_draft(draft("ไม่ติด")).by_field
    assert "description" not in check_draft(draft("พัง 👍🏽👍🏽")).by_field  # 3 + 2
    assert check_phone_approval("👍🏽👍🏽👍🏽👍🏽") == "part_phone_note_required"
    assert check_phone_approval("โทร 9 โมง") is None


async def test_the_app_counts_the_same_before_sending() -> None:
    """The app's form reads the description with shared.visible_text: two families are too short there too."""
    _, form = await open_form(RequestBackend())
    form.set_description(FAMILY * 2)
    await form.submit()
    assert "description" in form.errors
    form.set_description("ไม่ติด")
    assert "description" not in form.errors


async def test_the_app_signs_in_with_a_phone_typed_in_thai_digits() -> None:
    """The app reads the number with shared.phone, as the backend does: the preview shows it, the code goes to it."""
    backend = FakeBackend()
    app = AppViewModel(backend.client(), MemoryStore())
    await app.start()
    app.login.set_phone_input("๐๘๑-๒๓๔-๕๖๗๘")
    assert app.login.phone_preview == "081-234-5678"
    await app.login.request_code()
    [sent] = backend.calls("POST", "/auth/otp/request")
    assert json.loads(sent.content)["phone"] == "+66812345678"


def test_a_colleges_csv_takes_the_colleges_phone_in_thai_digits() -> None:
    """The admin's colleges CSV reads the college's phone with shared.phone too: ๐๕๓-๑๒๓-๔๕๖ is +6653123456."""
    header = ",".join((*COLUMNS, "phone"))
    line = "AUD86,วิทยาลัยเทคนิคทดสอบ,Test Technical College,เชียงใหม่,Chiang Mai,north,18.79,98.98,20,๐๕๓-๑๒๓-๔๕๖"
    parsed = parse_colleges_csv(f"{header}\n{line}\n")
    assert not parsed.errors and parsed.rows[0].phone == "+6653123456"
