"""The teacher's search finds a row whatever Unicode form it was stored in (migration 0089): rows stored before the
NFC hardening, or written by SQL or Supabase's dashboard, may be NFD or mixed ("café" as e + U+0301, a Thai tone
mark typed before the vowel below its letter, which NFC puts after it). They look the same as the NFC text and are
found by an NFC query and an NFD one, through the API and by a reader that searches in SQL the way the teacher's
search does (on the item's trigram index). Real PostgreSQL; the rows are written straight by SQL."""

import json
import unicodedata
from typing import Any

import psycopg
import pytest

from shared.visible_text import normal_form
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Thai has no decomposition: its non-NFC form is its marks out of canonical order. "ตู้เย็น" with the tone mark
# (U+0E49, combining class 107) typed before SARA UU (U+0E39, class 103): NFC puts SARA UU first.
FRIDGE = "ตู้เย็นช่างเย็นดี"
FRIDGE_TONE_FIRST = "ต\u0e49\u0e39เย็นช่างเย็นดี"
# Latin with combining marks: decomposed by NFD (ở is o + horn + hook above), mixed with Thai in one item.
COFFEE = "เครื่องชงกาแฟ Café Phở"
COFFEE_NFD = nfd(COFFEE)
NAME = "Nguyễn Văn Đức"


def test_the_stored_forms_differ_and_normal_form_joins_them() -> None:
    """The rows below are truly stored in another form than what the API stores (else the tests prove nothing)."""
    for stored, typed in ((FRIDGE_TONE_FIRST, FRIDGE), (COFFEE_NFD, COFFEE), (nfd(NAME), NAME)):
        assert stored != typed and normal_form(stored) == typed


@pytest.mark.parametrize("text", [FRIDGE_TONE_FIRST, COFFEE_NFD, nfd(NAME), "ก\u0e48\u0e38", nfd("น้ำ"),
                                  "น\u0e49\u0e4d\u0e32", nfd("ẹ́"), "e\u0301\u0323"])
def test_the_search_form_of_any_form_is_normal_form(database_url: str, text: str) -> None:
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select private.search_form(%s::text)", [text]).fetchone() == (normal_form(text),)


async def search(api: Any, teacher: str, q: str) -> set[str]:
    found = await api.get("/supervisor/jobs", params={"q": q}, headers=bearer(teacher))
    assert found.status_code == 200, found.text
    assert found.json()["total"] == len(found.json()["jobs"])
    return {job["id"] for job in found.json()["jobs"]}


async def test_items_stored_in_nfd_are_found_by_nfc_and_nfd_queries(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, fridge = await submit(api, item="ตู้เย็น")
    _, coffee = await submit(api, item="กาแฟ")
    with psycopg.connect(database_url) as conn:  # written by SQL, as the dashboard or an old release left them
        conn.execute("update public.repair_requests set item = %s where id = %s", [FRIDGE_TONE_FIRST, fridge["id"]])
        conn.execute("update public.repair_requests set item = %s where id = %s", [COFFEE_NFD, coffee["id"]])
        assert conn.execute("select item from public.repair_requests where id = %s",
                            [coffee["id"]]).fetchone() == (COFFEE_NFD,)
    for q in ("ตู้เย็น", "ต\u0e49\u0e39เย็น"):
        assert await search(api, teacher, q) == {fridge["id"]}, ascii(q)
    for q in ("Café", nfd("Café"), "phở", nfd("phở"), "กาแฟ café"):
        assert await search(api, teacher, q) == {coffee["id"]}, ascii(q)
    assert await search(api, teacher, "cafe") == set()  # an accent is still a letter of its own


async def test_a_students_name_stored_in_nfd_is_found(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, fan = await submit(api, item="พัดลมตั้งพื้น")
    student = area.students["ace"][0]
    with psycopg.connect(database_url) as conn:
        conn.execute("update public.profiles set display_name = %s where id = %s", [nfd(NAME), student])
        conn.execute("update public.repair_requests set technician_id = %s where id = %s", [student, fan["id"]])
    for q in ("Nguyễn", nfd("Nguyễn"), "văn đức"):
        assert await search(api, teacher, q) == {fan["id"]}, ascii(q)


def test_an_nfd_query_in_sql_finds_an_nfc_row_on_the_trigram_index(database_url: str, area: Area) -> None:
    """A reader without RLS (the operator's tools, the service role) passing an NFD pattern straight to SQL: the
    query side is NFC'd by the same function, and the item's trigram index (computed again by 0089) serves it."""
    search = ("select r.id from public.repair_requests r "
              "where private.search_form(r.item) ilike private.search_form(%s)")
    with psycopg.connect(database_url) as conn:
        row = conn.execute("update public.repair_requests set item = %s where id = (select id from "
                           "public.repair_requests order by created_at limit 1) returning id", [COFFEE_NFD]).fetchone()
        assert row is not None
        assert (row[0],) in conn.execute(search, [f"%{nfd('Phở')}%"]).fetchall()
        assert (row[0],) in conn.execute(search, ["%Phở%"]).fetchall()
        conn.execute("set local enable_seqscan = off")
        plan = conn.execute("explain (format json) " + search, [f"%{nfd('Phở')}%"]).fetchone()
        assert plan is not None and "repair_requests_item_search_trgm" in json.dumps(plan[0]), plan
        conn.rollback()  # the row as it was
