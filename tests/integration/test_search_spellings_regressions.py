"""The teacher's search finds an item stored before normal_form with SARA AM in any spelling normal_form joins: the
tone mark before NIKHAHIT (keyboards) or after it (text copied out of Thai PDFs) (review18b finding 3)."""

import psycopg

from shared.visible_text import normal_form
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit

# SARA AM typed as two characters with the tone mark after NIKHAHIT (U+0E4D U+0E49 U+0E32): the order text copied
# out of Thai PDFs gives, and one normal_form joins ("น้ำ"), as test_typed_text_regressions' description has it.
KETTLE_NIKHAHIT_FIRST = "กระติกน\u0e4d\u0e49\u0e32ร้อน"
KETTLE_TONE_FIRST = "กระติกน\u0e49\u0e4d\u0e32ร้อน"


def test_every_spelling_normal_form_joins_has_one_search_form(database_url: str) -> None:
    """The search compares search forms (migration 0086's private.search_form, normal_form's SARA AM rule in SQL):
    both two-character spellings of the kettle are the usual word there, as in normal_form."""
    with psycopg.connect(database_url) as conn:
        for spelling in (KETTLE_NIKHAHIT_FIRST, KETTLE_TONE_FIRST, "กระติกน้ำร้อน"):
            assert normal_form(spelling) == "กระติกน้ำร้อน"
            assert conn.execute("select private.search_form(%s::text)", [spelling]).fetchone() == ("กระติกน้ำร้อน",)


async def test_an_old_item_with_nikhahit_before_the_tone_mark_is_found(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    assert normal_form(KETTLE_NIKHAHIT_FIRST) == "กระติกน้ำร้อน"  # the project's own rule: the same word
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, kettle = await submit(api, item="กระติกน้ำร้อน")
    _, other = await submit(api, item="กระติกน้ำร้อน")
    with psycopg.connect(database_url) as conn:  # stored as typed before normal_form (fix18a1)
        conn.execute("update public.repair_requests set item = %s where id = %s",
                     [KETTLE_NIKHAHIT_FIRST, kettle["id"]])
        conn.execute("update public.repair_requests set item = %s where id = %s", [KETTLE_TONE_FIRST, other["id"]])
    found = await api.get("/supervisor/jobs", params={"q": "กระติกน้ำ"}, headers=bearer(teacher))
    assert found.status_code == 200, found.text
    assert {job["id"] for job in found.json()["jobs"]} == {kettle["id"], other["id"]}
    assert found.json()["total"] == 2
