"""ux26 #3 on a real PostgreSQL (migration 0114): the deciders' "waiting for your check" messages (`qc_waiting`) stop
asking once their job leaves the check, by any way (approved, sent back for rework, taken back by an admin): each
stays in its reader's inbox (history), read and closed with how the job left, and a push still held about it is not
sent. A later round's check asks again."""

from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.migrate import MIGRATIONS_DIR as MIGRATIONS
from shared.notifications import QcClosed
from shared.text import bilingual
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, _student, step
from tests.integration.test_a_teacher_at_every_hand_over import Colleges, colleges  # noqa: F401 (fixture)
from tests.integration.test_app_contract import app  # noqa: F401  (app: the fixture)
from tests.integration.test_the_teacher_present_at_a_rework import REWORK, _in_the_check

TH = {"Accept-Language": "th"}


def _qc_messages(database_url: str, rid: str) -> dict[str, list[tuple[bool, str | None]]]:
    """Each reader's `qc_waiting` messages about the job, oldest first: (read, params.closed)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            """select recipient_id::text as who, read_at is not null as read, params ->> 'closed' as closed
               from public.notifications where request_id = %s and kind = 'qc_waiting' order by id""", [rid])
        found: dict[str, list[tuple[bool, str | None]]] = {}
        for r in rows:
            found.setdefault(r["who"], []).append((r["read"], r["closed"]))
        return found


def _hold_a_push(database_url: str, rid: str) -> list[int]:
    """A push of each message still to go (as a worker plans one held for the quiet hours): their delivery ids."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            """insert into private.notification_deliveries (notification_id, channel)
               select id, 'console' from public.notifications where request_id = %s and kind = 'qc_waiting'
               returning id""", [rid])]


def _deliveries(database_url: str, ids: list[int]) -> list[tuple[str, str | None]]:
    with psycopg.connect(database_url) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "select status, last_error from private.notification_deliveries where id = any(%s) order by id", [ids])]


async def _inbox_item(api: httpx.AsyncClient, token: str, rid: str) -> dict[str, Any]:
    page = (await api.get("/me/notifications", headers={**bearer(token), **TH})).json()
    [item] = [i for i in page["items"] if i["kind"] == "qc_waiting" and i["request_id"] == rid]
    return {**item, "unread_count": page["unread_count"]}


async def test_an_approval_closes_every_deciders_message_and_skips_what_was_still_to_push(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        second_id, second_phone = _student(conn, colleges.near, "ครูสอง แอร์ใกล้", {}, role="supervisor")
    teacher_id = colleges.people["teacher"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        assert _qc_messages(database_url, rid) == {teacher_id: [(False, None)], second_id: [(False, None)]}
        held = _hold_a_push(database_url, rid)
        second, _ = await sign_in(api, second_phone)
        before = await _inbox_item(api, second, rid)
        assert not before["read"]

        teacher, _ = await sign_in(api, colleges.people["teacher"][1])
        approved = await step(api, teacher, rid, "done")
        assert approved.status_code == 200, approved.text

        closed = [(True, QcClosed.APPROVED.value)]
        assert _qc_messages(database_url, rid) == {teacher_id: closed, second_id: closed}
        assert _deliveries(database_url, held) == [("skipped", "the decision moved on")] * 2
        # The other teacher's inbox keeps it, read, saying it was checked, and it counts no more as unread.
        after = await _inbox_item(api, second, rid)
        assert after["read"] and after["id"] == before["id"] and after["title"] == before["title"]
        assert after["body"].endswith(bilingual("qc_closed_done").th.split(": ", 1)[1])
        assert after["unread_count"] == before["unread_count"] - 1


async def test_a_rework_closes_the_check_and_the_next_round_asks_again(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    teacher_id = colleges.people["teacher"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        teacher, _ = await sign_in(api, colleges.people["teacher"][1])
        assert (await step(api, teacher, rid, "repairing", note=REWORK)).status_code == 200
        assert _qc_messages(database_url, rid) == {teacher_id: [(True, QcClosed.REWORK.value)]}
        item = await _inbox_item(api, teacher, rid)
        assert item["read"] and "ส่งกลับแก้ไขแล้ว" in item["body"]

        student, _ = await sign_in(api, colleges.people["student"][1])
        assert (await step(api, student, rid, "quality_check")).status_code == 200
        # The new round's check is work to do again; the earlier round's message stays closed.
        assert _qc_messages(database_url, rid) == {teacher_id: [(True, QcClosed.REWORK.value), (False, None)]}


async def test_an_admins_take_back_from_the_check_closes_it_for_the_teachers(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    teacher_id = colleges.people["teacher"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        admin, _ = await sign_in(api, ADMIN_PHONE)
        taken = await step(api, admin, rid, "offered")
        assert taken.status_code == 200, taken.text
        assert _qc_messages(database_url, rid) == {teacher_id: [(True, QcClosed.TAKEN_BACK.value)]}
        teacher, _ = await sign_in(api, colleges.people["teacher"][1])
        item = await _inbox_item(api, teacher, rid)
        assert item["read"] and "นำกลับไปเสนองานใหม่แล้ว" in item["body"]


async def test_the_messages_left_asking_before_0114_are_closed_by_the_move_that_ended_their_check(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """0114's own pass over the messages written before it: one about a check that is over is closed as its move
    said, read at that move; one whose job is in the check now keeps asking. Run again here on rows made to look
    as they were before (its statement is the file's last, read from the file)."""
    teacher_id = colleges.people["teacher"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        over = await _in_the_check(api, colleges, database_url)
        teacher, _ = await sign_in(api, colleges.people["teacher"][1])
        assert (await step(api, teacher, over, "done")).status_code == 200
        waiting = await _in_the_check(api, colleges, database_url)
    held = _hold_a_push(database_url, over)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""update public.notifications set read_at = null, planned_at = null, params = params - 'closed'
                        where request_id = %s and kind = 'qc_waiting'""", [over])
        assert _qc_messages(database_url, over) == {teacher_id: [(False, None)]}
        migration = (MIGRATIONS / "0114_a_check_that_left_asks_nobody.sql").read_text()
        conn.execute(migration[migration.index("with over as ("):])
        moved_at = conn.execute("""select created_at from public.status_events
                                   where request_id = %s and to_status = 'done'""", [over]).fetchone()
        read_at = conn.execute("""select read_at from public.notifications
                                  where request_id = %s and kind = 'qc_waiting'""", [over]).fetchone()
    assert moved_at is not None and read_at is not None and read_at[0] == moved_at[0]
    assert _qc_messages(database_url, over) == {teacher_id: [(True, QcClosed.APPROVED.value)]}
    assert _qc_messages(database_url, waiting) == {teacher_id: [(False, None)]}
    assert _deliveries(database_url, held) == [("skipped", "the job left the check")]
