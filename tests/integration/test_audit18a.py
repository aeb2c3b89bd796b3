"""Audit 18a: a hostile review of what people type, through the real app and database. Each test shows a defect
that is still there (xfail strict): the fixer removes the mark with the fix."""

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


@pytest.mark.xfail(strict=True, reason="audit18a: a display name with a direction override (U+202E) is stored")
async def test_a_display_name_with_a_direction_override_is_refused(api: httpx.AsyncClient,
                                                                   database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": SPOOFED}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select display_name from public.profiles where id = %s", [profile["id"]]).fetchone()
    assert row is not None and row[0] != SPOOFED


@pytest.mark.xfail(strict=True, reason="audit18a: a request's item with a direction override (U+202E) is stored")
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


@pytest.mark.xfail(strict=True, reason="audit18a: Hangul fillers and the blank Braille pattern count as visible")
@pytest.mark.parametrize("blank", BLANK_LOOKING)
async def test_a_name_of_characters_that_show_nothing_is_refused(api: httpx.AsyncClient, blank: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": blank}, headers=bearer(token))
    assert renamed.status_code == 400, renamed.text
    assert renamed.json()["error"]["code"] == "display_name_invalid"


@pytest.mark.xfail(strict=True, reason="audit18a: Hangul fillers and the blank Braille pattern count as visible")
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


@pytest.mark.xfail(strict=True, reason="audit18a: a name or a description of tone marks alone is accepted")
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


@pytest.mark.xfail(strict=True, reason="audit18a: sara am typed as nikhahit + sara aa is stored as typed, unmatched")
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
@pytest.mark.xfail(strict=True, reason="audit18a: a display name or item with thirty stacked marks is stored")
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


# --- Pins outside Thailand inside its bounding box ---------------------------------------------------------------
# shared.geo.in_thailand is the box 5.5-20.5 N, 97.3-105.7 E: it holds Vientiane, Phnom Penh, Mawlamyine and
# Kota Bharu, and the open sea of the Gulf. A request pinned in Vientiane is taken and offered to the Thai college
# across the Mekong (Nong Khai is within a usual service radius); one in the sea is taken as a place to visit.
@pytest.mark.xfail(strict=True, reason="audit18a: a pin in Vientiane, Phnom Penh or the Gulf is 'in Thailand'")
@pytest.mark.parametrize(("place", "lat", "lon"), [("Vientiane", 17.9757, 102.6331),
                                                   ("Phnom Penh", 11.5564, 104.9282),
                                                   ("Mawlamyine", 16.4905, 97.6283),
                                                   ("Gulf of Thailand", 10.0, 101.5)])
async def test_a_pin_outside_thailand_inside_its_box_is_refused(api: httpx.AsyncClient, database_url: str,
                                                                 place: str, lat: float, lon: float) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=lat, lon=lon)
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, (place, refused.text)
    assert refused.json()["error"]["fields"]["location"]["code"] == "request_location_outside_thailand"
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


async def test_a_pin_outside_the_box_is_refused_as_outside_thailand(api: httpx.AsyncClient) -> None:
    """The companion: outside the box (Hanoi, and 0,0) the refusal is the one the test above expects."""
    token, _ = await sign_in(api, fresh_phone())
    for lat, lon in [(21.0278, 105.8342), (0.0, 0.0)]:
        refused = await api.post("/requests", json=draft(lat=lat, lon=lon), headers=bearer(token))
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["fields"]["location"]["code"] == "request_location_outside_thailand"

