"""What people type for others to read, through the real app and database (audit18a findings 2, 4, 8, 11 and 12):
no direction control and no stack of marks in any typed field, nothing that shows nothing passes "required", and
SARA AM typed as two characters is stored, and found, as the usual one. The rules are shared.visible_text's."""

import re

import httpx
import psycopg
import pytest

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key
from tests.integration.dispatch_area import AppClock, Area, submit

# --- Direction overrides in text other people see --------------------------------------------------------------
# shared.visible_text.DIRECTION_CONTROLS are refused in college and province names only (PlaceName). A person's
# display name, which teachers see in their queue and citizens on their job, takes U+202E: "\u202e" + "abc" shows
# "cba", and everything after it on the line is reversed too.
SPOOFED = "\u202eนายสมชาย ใจดี"


async def test_a_display_name_with_a_direction_override_is_refused(api: httpx.AsyncClient,
                                                                   database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": SPOOFED}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select display_name from public.profiles where id = %s", [profile["id"]]).fetchone()
    assert row is not None and row[0] != SPOOFED


async def test_an_item_with_a_direction_override_is_refused(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(item="\u202eพัดลม ตั้งโต๊ะ")
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, refused.text
    assert set(refused.json()["error"]["fields"]) == {"item"}
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


# --- Characters that show nothing but are neither white space nor format characters ----------------------------
# shared.visible_text.visible_length counts every character that is not white space and not Cf. The Hangul fillers
# (U+3164, U+115F, U+1160, U+FFA0: letters, Lo) and the blank Braille pattern (U+2800, So) show nothing at all: a
# display name, an item or a description made of them passes "required" as empty as the zero-width ones did.
BLANK_LOOKING = ["\u3164", "\u2800\u2800", "\u115f\u1160", "\uffa0"]


@pytest.mark.parametrize("blank", BLANK_LOOKING)
async def test_a_name_of_characters_that_show_nothing_is_refused(api: httpx.AsyncClient, blank: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": blank}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"


async def test_an_item_and_a_description_that_show_nothing_are_refused(api: httpx.AsyncClient,
                                                                        database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    for field, body in {"item": draft(item="\u3164"), "description": draft(description="\u3164" * 8)}.items():
        refused = await api.post("/requests", json=body, headers=bearer(token))
        assert refused.status_code == 400, (field, refused.text)
        assert set(refused.json()["error"]["fields"]) == {field}
        assert rows_with_key(database_url, body["idempotency_key"]) == 0


# --- Marks with no letter under them ----------------------------------------------------------------------------
# visible_length counts a Thai tone or vowel mark (Mn) as a character of its own: a display name that is only
# ไม้เอก ("\u0e48") is a name, and five tone marks are the five "visible characters" a description needs
# (DESCRIPTION_MIN). On screen they are a floating mark or a dotted circle, above nothing.
MARKS_ONLY = "\u0e48\u0e49\u0e4a\u0e4b\u0e48"


async def test_a_name_or_a_description_of_tone_marks_alone_is_refused(api: httpx.AsyncClient,
                                                                       database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": "\u0e48"}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"
    body = draft(description=MARKS_ONLY)
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, refused.text
    assert set(refused.json()["error"]["fields"]) == {"description"}
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


# --- Sara am typed as two characters ----------------------------------------------------------------------------
# "ำ" (U+0E33) and nikhahit + sara aa ("\u0e4d\u0e32") look the same and many keyboards and copied texts give the
# second; NFC (schemas.clean_text) does not join them (only NFKC does). Stored as typed, the same word is two
# strings: the teacher who searches the job list for "กระติกน้ำ" does not find the kettle its owner typed with the
# two characters (and two students' "equal" names differ the same way).
KETTLE_TYPED = "กระติกน\u0e49\u0e4d\u0e32ร้อน"


async def test_a_word_typed_with_the_two_character_sara_am_is_found_by_its_usual_spelling(
        app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, kettle = await submit(api, item=KETTLE_TYPED)
    found = await api.get("/supervisor/jobs", params={"q": "กระติกน้ำ"}, headers=bearer(teacher))
    assert found.status_code == 200, found.text
    assert [job["id"] for job in found.json()["jobs"]] == [kettle["id"]]


async def test_the_usual_spelling_is_found(app_and_clock: AppClock, area: Area) -> None:
    """The search works for a kettle typed with "ำ" itself: only the two-character sara am goes unfound."""
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, kettle = await submit(api, item="กระติกน้ำร้อน")
    found = await api.get("/supervisor/jobs", params={"q": "กระติกน้ำ"}, headers=bearer(teacher))
    assert [job["id"] for job in found.json()["jobs"]] == [kettle["id"]]


# --- Stacked marks -----------------------------------------------------------------------------------------------
# shared.quoted_text cuts a character's marks to MARKS_PER_CLUSTER_MAX in notifications ("Zalgo" text drawing over
# the lines above and below), but what is stored and shown in the app, the PDFs and the exports keeps them all: a
# display name of one letter under thirty tone marks is taken, and the teacher's queue shows a column of marks.
async def test_a_name_or_item_with_stacked_marks_is_refused(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    stacked = "สมชาย ก" + "\u0e49" * 30
    renamed = await api.patch("/me", json={"display_name": stacked}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"
    body = draft(item="พัดลม " + "\u0e48" * 30)
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, refused.text
    assert set(refused.json()["error"]["fields"]) == {"item"}
    assert rows_with_key(database_url, body["idempotency_key"]) == 0



# --- The same rule in every typed field ---------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value", "code"), [
    ("brand", "Hatari\u202e", "text_direction_invalid"),
    ("description", "เปิดไม่ติด\n\u2067ซ่อน\u2069", "text_direction_invalid"),
    ("address", "12/3 ถนน\u202dพระราม 1", "text_direction_invalid"),
    ("description", "เปิดไม่ติด ก" + "\u0e49" * 8, "text_marks_stacked"),
])
async def test_every_typed_field_refuses_a_direction_control_or_a_stack_of_marks(
        api: httpx.AsyncClient, database_url: str, field: str, value: str, code: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(**{field: value})
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == code and set(error["fields"]) == {field}
    assert error["fields"][field]["message_th"] and error["fields"][field]["message_en"]
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


async def test_an_item_typed_with_the_two_character_sara_am_is_stored_as_the_usual_word(
        api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(item=KETTLE_TYPED, description="ต้มน\u0e4d\u0e49\u0e32ไม่ร้อน")
    created = await api.post("/requests", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select item, description from public.repair_requests where id = %s",
                           [created.json()["id"]]).fetchone()
    assert row == ("กระติกน้ำร้อน", "ต้มน้ำไม่ร้อน")


async def test_an_ordinary_thai_name_and_item_are_taken_as_typed(api: httpx.AsyncClient) -> None:
    """The companion: Thai with its vowel signs and tone marks, and an emoji, pass every new rule."""
    token, _ = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": "ญาณี ปั้นน้ำ 👍🏽"}, headers=bearer(token))
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "ญาณี ปั้นน้ำ 👍🏽"
    created = await api.post("/requests", json=draft(item="ตู้เย็น ญี่ปุ่น", description="ไม่เย็น น้ำแข็งไม่จับ"),
                             headers=bearer(token))
    assert created.status_code == 201, created.text


async def test_the_document_states_that_no_typed_text_holds_a_direction_control(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    request = spec["components"]["schemas"]["RequestCreate"]["properties"]
    for field in ("item", "brand", "description", "address"):
        pattern = re.compile(request[field]["pattern"])
        assert pattern.match("พัดลม ตั้งโต๊ะ") and not pattern.match("พัดลม\u202e"), field


async def test_an_item_stored_before_the_rule_with_the_two_character_sara_am_is_found(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """A kettle stored as typed before normal_form (the two characters) is found by the usual spelling too."""
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, kettle = await submit(api, item="กระติกน้ำร้อน")
    with psycopg.connect(database_url) as conn:
        conn.execute("update public.repair_requests set item = %s where id = %s", [KETTLE_TYPED, kettle["id"]])
    found = await api.get("/supervisor/jobs", params={"q": "กระติกน้ำ"}, headers=bearer(teacher))
    assert found.status_code == 200, found.text
    assert [job["id"] for job in found.json()["jobs"]] == [kettle["id"]]
