"""Offer cards read from the offer row alone (migration 0025): the copy of the request's fields on each offer must
stay what the request says, the before-photo count what the photos table holds, and the citizen's description must
be on an offer only while a student may read it (their offer is pending)."""

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit

_CARD_MISMATCHES = """
    select o.id, o.status, o.item, r.item as request_item, o.photo_count, photos.n as photos
    from public.offers o join public.repair_requests r on r.id = o.request_id
    cross join lateral (select count(*) as n from public.request_photos p
                        where p.request_id = r.id and p.kind = 'before') photos
    where ((o.category_code, o.item, o.province, o.district)
              is distinct from (r.category_code, r.item, r.province, r.district)
           or o.description <> case when o.status = 'pending' then r.description else '' end
           or o.photo_count <> photos.n)
"""


def _card(database_url: str, student: str, request_id: str) -> dict[str, Any] | None:
    with as_user(database_url, student) as conn:
        cards = conn.execute("select * from public.my_offer_cards(true, 500)").fetchall()
    return next((c for c in cards if str(c["request_id"]) == request_id), None)


async def test_a_card_is_its_request_and_photos_and_forgets_the_words_once_answered(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api, item="ตู้เย็น 2 ประตู", description="ไม่เย็น น้ำแข็งไม่เกาะ",
                                    province="เชียงใหม่", district="แม่ริม")
    rid = request["id"]
    ace_id, ace_phone = area.students["ace"]
    card = _card(database_url, ace_id, rid)
    assert card is not None
    assert (card["category_code"], card["item"], card["province"], card["district"], card["description"],
            card["photo_count"]) == ("appliance", "ตู้เย็น 2 ประตู", "เชียงใหม่", "แม่ริม", "ไม่เย็น น้ำแข็งไม่เกาะ", 0)

    # Photos come after the submit (and its dispatch): the cards already made count them.
    for idx in (0, 1):
        photo = {"file": ("a.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
        response = await api.put(f"/requests/{rid}/photos/{idx}", files=photo, headers=bearer(citizen))
        assert response.status_code == 201
    ace, _ = await sign_in(api, ace_phone)
    served = next(o for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                  if o["request_id"] == rid)
    assert served["photo_count"] == 2 and served["description"] == "ไม่เย็น น้ำแข็งไม่เกาะ"
    assert served["item"] == "ตู้เย็น 2 ประตู" and served["district"] == "แม่ริม"

    # Declined: the offer keeps what the job was, not the citizen's words, which the student may no longer read.
    offer_id = str(card["offer_id"])
    assert (await api.post(f"/offers/{offer_id}/decline", headers=bearer(ace))).status_code == 204
    assert _card(database_url, ace_id, rid) is None
    with as_user(database_url, ace_id) as conn:
        row = conn.execute("select status, item, description from public.offers where id = %s",
                           [offer_id]).fetchone()
        assert row == {"status": "declined", "item": "ตู้เย็น 2 ประตู", "description": ""}
        assert conn.execute("select description from public.repair_requests where id = %s", [rid]).fetchall() == []
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        assert conn.execute(_CARD_MISMATCHES + " and r.id = %s", [rid]).fetchall() == []
        assert len([o for o in offers_of(database_url, rid) if o["status"] == "pending"]) >= 1


def test_a_changed_request_or_a_removed_photo_reaches_its_cards(database_url: str) -> None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        offer = conn.execute(
            "select o.id, o.request_id from public.offers o where o.status = 'pending' and not exists ("
            "select 1 from public.request_photos p where p.request_id = o.request_id and p.idx = 4) limit 1"
        ).fetchone()
        assert offer is not None, "the demo seed has pending offers"
        rid = offer["request_id"]
        conn.execute("update public.repair_requests set item = 'เตารีด', description = 'ไม่ร้อน', district = 'บางเขน' "
                     "where id = %s", [rid])
        conn.execute(
            "insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type, "
            "width, height, bytes) values (%s, 'before', 4, 'x.webp', 'x-thumb.webp', 'image/webp', 1, 1, 1), "
            "(%s, 'after', 4, 'y.webp', 'y-thumb.webp', 'image/webp', 1, 1, 1)", [rid, rid])
        row = conn.execute("select item, description, district, photo_count from public.offers where id = %s",
                           [offer["id"]]).fetchone()
        assert row is not None and (row["item"], row["description"], row["district"]) == ("เตารีด", "ไม่ร้อน", "บางเขน")
        with_photo = row["photo_count"]
        conn.execute("delete from public.request_photos where request_id = %s and idx = 4", [rid])
        row = conn.execute("select photo_count from public.offers where id = %s", [offer["id"]]).fetchone()
        assert row is not None and row["photo_count"] == with_photo - 1  # the after photo is no card's business
        assert conn.execute(_CARD_MISMATCHES).fetchall() == []
        conn.rollback()


def _wait_until_blocked(database_url: str, pid: int) -> None:
    """Until `pid` waits for a lock (what the other transaction is meant to run into), at most 30 s."""
    with psycopg.connect(database_url, autocommit=True) as watcher:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = watcher.execute("select wait_event_type from pg_stat_activity where pid = %s", [pid]).fetchone()
            if row is not None and row[0] == "Lock":
                return
            time.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


def test_an_offer_and_a_photo_made_at_once_are_both_counted(area: Area, database_url: str) -> None:
    """Dispatch inserts offers while it holds the request FOR UPDATE; a photo's count takes the request FOR KEY
    SHARE: in either order, whichever commits second sees the other's rows."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        found = conn.execute(
            "select r.id from public.repair_requests r where r.status = 'offered' and not exists ("
            "select 1 from public.request_photos p where p.request_id = r.id and p.idx in (2, 3)) limit 1").fetchone()
        assert found is not None
    request_id: uuid.UUID = found["id"]
    first_student, second_student = area.students["plumber"][0], area.students["far1"][0]

    def offer(conn: psycopg.Connection[Any], student: str) -> None:
        conn.execute("select 1 from public.repair_requests where id = %s for update", [request_id])
        conn.execute("insert into public.offers (request_id, technician_id, college_id, rank, distance_km, "
                     "expires_at) values (%s, %s, %s, 9, 1, now() + interval '1 hour')",
                     [request_id, student, area.near])

    def photo(conn: psycopg.Connection[Any], idx: int) -> None:
        conn.execute(
            "insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type, "
            "width, height, bytes) values (%s, 'before', %s, %s, %s, 'image/webp', 1, 1, 1)",
            [request_id, idx, f"race-{idx}.webp", f"race-{idx}-thumb.webp"])

    def in_a_thread(work: Callable[[psycopg.Connection[Any]], None], started: threading.Event, pid: list[int],
                    errors: list[BaseException]) -> None:
        try:
            with psycopg.connect(database_url) as conn:  # commits at the end of the block
                pid.append(conn.info.backend_pid)
                started.set()
                work(conn)
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)
            started.set()

    rounds: list[tuple[Callable[[psycopg.Connection[Any]], None], Callable[[psycopg.Connection[Any]], None]]] = [
        (lambda c: offer(c, first_student), lambda c: photo(c, 2)),
        (lambda c: photo(c, 3), lambda c: offer(c, second_student)),
    ]
    try:
        for first_work, second_work in rounds:
            started = threading.Event()
            pid: list[int] = []
            errors: list[BaseException] = []
            thread = threading.Thread(target=in_a_thread, args=(second_work, started, pid, errors))
            with psycopg.connect(database_url) as first:
                first_work(first)
                thread.start()
                assert started.wait(30) and pid, errors
                _wait_until_blocked(database_url, pid[0])
            thread.join(60)
            assert not thread.is_alive() and errors == []
            with psycopg.connect(database_url, row_factory=dict_row) as conn:
                assert conn.execute(_CARD_MISMATCHES + " and r.id = %s", [request_id]).fetchall() == []
                counts = conn.execute("select photo_count from public.offers where request_id = %s "
                                      "and technician_id = any(%s)",
                                      [request_id, [first_student, second_student]]).fetchall()
                assert counts and {c["photo_count"] for c in counts} == {counts[0]["photo_count"]}
    finally:
        with psycopg.connect(database_url, autocommit=True) as owner:
            owner.execute("delete from public.offers where request_id = %s and technician_id = any(%s)",
                          [request_id, [first_student, second_student]])
            owner.execute("delete from public.request_photos where request_id = %s and storage_path like 'race-%%'",
                          [request_id])


def test_every_offer_card_matches_its_request(database_url: str) -> None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        offers = conn.execute("select count(*) as n from public.offers").fetchone()
        assert offers is not None and offers["n"] > 0
        assert conn.execute(_CARD_MISMATCHES).fetchall() == []


def test_an_offer_for_no_request_is_still_the_foreign_key_error(area: Area, database_url: str) -> None:
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("insert into public.offers (request_id, technician_id, college_id, rank, distance_km, "
                     "expires_at) values (gen_random_uuid(), %s, %s, 1, 1, now())",
                     [area.students["ace"][0], area.near])
