"""The teacher's search finds a row whatever mix of SARA AM's spellings it holds (migration 0086): rows stored before
shared.visible_text.normal_form may hold NIKHAHIT + SARA AA (U+0E4D U+0E32, a tone mark before or between them) in
any word, beside the one-character SARA AM in another. The search compares `private.search_form` of both sides,
normal_form in SQL, on the item's trigram index. Real PostgreSQL."""

import itertools
import json
from typing import Any

import psycopg
import pytest

from shared.visible_text import normal_form
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit

# The three ways "น้ำ" is stored: one character, NIKHAHIT + SARA AA after the tone mark (keyboards), before it
# (text copied out of Thai PDFs).
WATER = ("น้ำ", "น\u0e49\u0e4d\u0e32", "น\u0e4d\u0e49\u0e32")
DO = ("ทำ", "ท\u0e4d\u0e32")  # no tone mark
# A water heater stored with a different spelling of SARA AM in each of its words.
MIXED_ITEM = f"เครื่อง{DO[1]}{WATER[0]}อุ่น"  # "เครื่องทำน้ำอุ่น": two-character ทำ, one-character น้ำ
MIXED_NAME = f"{DO[0]}{WATER[2]} ใจดี"  # "ทำน้ำ ใจดี"


@pytest.mark.parametrize("text", [
    *(a + b for a, b in itertools.product(DO, WATER)),
    *WATER, *DO, MIXED_ITEM, MIXED_NAME,
    "ກ\u0ecd\u0eb2", "ກ\u0ec8\u0ecd\u0eb2", "ກ\u0ecd\u0ec8\u0eb2",  # Lao, with and without its tone mark
    "สงฺฆํ", "\u0e4d\u0e32",  # a nikhahit of its own (Pali) stays; one with no letter is still joined, as in Python
    "ก\u0e4d\u0eb2", "ກ\u0ecd\u0e32",  # a Thai NIKHAHIT makes the Thai SARA AM, a Lao one the Lao
    "café", "kettle", "",
])
def test_the_search_form_is_normal_form(database_url: str, text: str) -> None:
    """The same text as normal_form (NFC too since migration 0089: tests/integration/test_search_any_unicode_form.py
    has the NFD spellings)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.search_form(%s::text)", [text]).fetchone()
    assert row == (normal_form(text),)


async def search(api: Any, teacher: str, q: str) -> set[str]:
    found = await api.get("/supervisor/jobs", params={"q": q}, headers=bearer(teacher))
    assert found.status_code == 200, found.text
    assert found.json()["total"] == len(found.json()["jobs"])
    return {job["id"] for job in found.json()["jobs"]}


async def test_an_item_mixing_the_spellings_is_found_by_any_spelling(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, heater = await submit(api, item="เครื่องทำน้ำอุ่น")
    with psycopg.connect(database_url) as conn:  # stored as typed before normal_form
        conn.execute("update public.repair_requests set item = %s where id = %s", [MIXED_ITEM, heater["id"]])
    for do, water in itertools.product(DO, WATER):
        assert await search(api, teacher, f"{do}{water}อุ่น") == {heater["id"]}, (do, water)
    assert await search(api, teacher, "เครื่องทำน้ำ") == {heater["id"]}
    assert await search(api, teacher, f"{water}ร้อน") == set()


async def test_a_students_name_mixing_the_spellings_is_found(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, fan = await submit(api, item="พัดลมตั้งพื้น")
    student = area.students["ace"][0]
    with psycopg.connect(database_url) as conn:  # a name stored before normal_form, a job in their hands
        conn.execute("update public.profiles set display_name = %s where id = %s", [MIXED_NAME, student])
        conn.execute("update public.repair_requests set technician_id = %s where id = %s", [student, fan["id"]])
    assert await search(api, teacher, "ทำน้ำ") == {fan["id"]}
    assert await search(api, teacher, f"{DO[1]}{WATER[1]}") == {fan["id"]}


def plan(conn: psycopg.Connection[Any], query: str, params: list[Any]) -> str:
    row = conn.execute("explain (format json) " + query, params).fetchone()
    assert row is not None
    return json.dumps(row[0])


def test_the_search_reads_one_colleges_jobs_and_the_index_matches_its_expression(
        database_url: str, area: Area) -> None:
    """As the teacher (RLS: ILIKE, not leakproof, is kept out of every index scan below the policy) the plan reads
    the college's jobs on the college's index and filters them: bounded by one college's list. The item's trigram
    index is built on the search's own expression (the function inlined on both sides): a reader without RLS uses
    it (sequential scans off, so the table's few rows do not hide the choice)."""
    search = ("select r.id from public.repair_requests r where r.college_id = %s "
              "and private.search_form(r.item) ilike private.search_form(%s)")
    with psycopg.connect(database_url) as conn:
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     [json.dumps({"sub": area.students["teacher"][0], "role": "authenticated"})])
        conn.execute("set local enable_seqscan = off")
        as_teacher = plan(conn, search, [area.near, f"%{WATER[1]}%"])
    assert "repair_requests_college_created" in as_teacher and "Seq Scan" not in as_teacher, as_teacher
    assert "repair_requests_item_search_trgm" not in as_teacher  # RLS: why the college's index, not this one
    with psycopg.connect(database_url) as conn:
        conn.execute("set local enable_seqscan = off")
        owner = plan(conn, "select r.id from public.repair_requests r "
                           "where private.search_form(r.item) ilike private.search_form(%s)", [f"%{WATER[1]}%"])
    assert "repair_requests_item_search_trgm" in owner, owner
