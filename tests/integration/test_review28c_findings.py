"""review28c: what session 28's merges (import28, offers28, speed28) left, each proved here on the real database.

#1 (fixed, 0130): import28 #3 puts a delivery whose phone is held elsewhere HELD_ELSEWHERE_WAIT later; a newer
message to that same phone, due before it, was then picked first: the phone got the newer message before the older.
#2 (fixed): import28 #2 asks whether the import's college is open once, before its rows (each row asked before):
a college closed while a teacher's file is being imported (the import waiting at a row) still got the whole file:
students and invitations of a college that takes nobody any more."""

import asyncio
from datetime import timedelta

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.notifications.worker import HELD_ELSEWHERE_WAIT, WorkerConfig, deliver_once
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, _student
from tests.integration.lock_waits import until_waiting
from tests.integration.test_edges27_findings import (
    DAY,
    HeldPhone,
    _first_persons_phone,
    push_db,  # noqa: F401 (the fixture: a database of its own)
    worker_pool,
)
from tests.integration.test_held_deliveries_reach_their_recipient import _ready


async def test_a_phone_held_for_a_moment_gets_its_messages_in_order(push_db: str) -> None:  # noqa: F811
    """The first person's message is due while their phone is held (a registration, another copy's send); it is put
    HELD_ELSEWHERE_WAIT on. A second message for them comes a second later, the phone free again: the phone must
    still get the first message first."""
    first, _, token = _first_persons_phone(push_db)
    phone = HeldPhone()
    phone.sending.set()  # every send answered at once
    config = WorkerConfig()
    async with worker_pool(push_db) as pool:
        with psycopg.connect(push_db) as holder:  # the phone held, as a registration's upsert holds it
            holder.execute("select 1 from private.notification_devices where token = %s for no key update", [token])
            assert (await deliver_once(pool, {phone.name: phone}, config, DAY)).attempted == 0
        with psycopg.connect(push_db, autocommit=True) as db:
            _ready(db, first)  # the newer message, the phone free now
        at = DAY + timedelta(seconds=1)
        while at <= DAY + 4 * HELD_ELSEWHERE_WAIT:
            await deliver_once(pool, {phone.name: phone}, config, at)
            at += timedelta(seconds=1)
    with psycopg.connect(push_db) as db:
        sent = db.execute("""select n.id, d.status, d.sent_at from private.notification_deliveries d
                             join public.notifications n on n.id = d.notification_id
                             where n.recipient_id = %s order by n.id""", [first]).fetchall()
    assert [row[1] for row in sent] == ["sent", "sent"]
    assert sent[0][2] <= sent[1][2], f"the older message went at {sent[0][2]}, the newer at {sent[1][2]}"


async def test_a_college_closed_while_its_file_is_imported_gets_none_of_it(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """A teacher's file: one of their students (A, whose skills a teacher's edit holds a moment, so the import
    waits at A's row) and a new phone after A. The admin closes the college while the import waits; once A's row
    goes on, the import must be refused (college_inactive) and store nothing, as the rows after a close were refused
    when each row asked."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        a, a_phone = _student(conn, area.near, "เอ ปิดวิทยาลัย", {"electrical_appliance": 1})
    new_phone = fresh_phone()
    while new_phone <= a_phone:  # the rows go in phone order: the new phone's row comes after A's
        new_phone = fresh_phone()
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    data = ("phone,name,skills\n"
            f"{a_phone},เอ ปิดวิทยาลัย,electrical_appliance:2\n{new_phone},ใหม่ ปิดวิทยาลัย,electrical_appliance:1\n")
    try:
        async with await psycopg.AsyncConnection.connect(database_url) as holder:
            await holder.execute("select 1 from public.technician_skills where technician_id = %s for update", [a])
            importing = asyncio.create_task(api.post(
                f"/colleges/{area.near}/students/import", headers=bearer(teacher),
                files={"file": ("students.csv", data.encode(), "text/csv")}))
            try:
                await until_waiting(database_url, 1, importing)  # under way, at A's row
                with psycopg.connect(database_url, autocommit=True) as admin:  # the admin closes the college
                    admin.execute("update public.colleges set is_active = false where id = %s", [area.near])
            finally:
                await holder.rollback()
                answer = await importing
        with psycopg.connect(database_url) as conn:
            stored = conn.execute("select count(*) from private.staff_invites where phone = %s",
                                  ["+66" + new_phone[1:]]).fetchone()
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("update public.colleges set is_active = true where id = %s", [area.near])
    assert stored == (0,)
    assert answer.status_code == 400, answer.text
    assert {line["code"] for line in answer.json()["error"]["lines"]} == {"college_inactive"}
