"""import28: the roster import's locks and the push worker's pick (session 27's leftovers), each proved here on the
real database before its fix.

#1: a teacher's roster import locked every account its file names for the import's whole length, the people it
will refuse too (another college's student, a teacher, and every active admin when a row names an admin): their own
work (an accept shares the student's profile; an admin's writes take their own) waited behind a file that could
never change them.
#3: while one backend copy sends to a phone (holding its device, edges27 #2), another copy's turns kept picking the
deliveries to that same phone first (the oldest due), left them, and sent nothing else until the send ended."""

import asyncio
import uuid
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.notifications.worker import WorkerConfig, deliver_once
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, _student
from tests.integration.lock_waits import until_waiting, until_waiting_or_done
from tests.integration.test_edges27_findings import (
    DAY,
    REGISTER,
    HeldPhone,
    _first_persons_phone,
    push_db,  # noqa: F401 (the fixture: a database of its own)
    worker_pool,
)
from tests.integration.test_held_deliveries_reach_their_recipient import _ready

SEED_ADMIN = "084-444-4444"


def _csv(*rows: tuple[str, str]) -> bytes:
    lines = "".join(f"{phone},{name},electrical_appliance:2\n" for phone, name in rows)
    return ("phone,name,skills\n" + lines).encode()


def _free(database_url: str, profile_id: Any, lock: str) -> bool:
    """Whether another writer could take `profile_id`'s profile with `lock` right now (NOWAIT: no waiting, no
    timing: free or held)."""
    with psycopg.connect(database_url) as conn:
        try:
            conn.execute(f"select 1 from public.profiles where id = %s for {lock} nowait", [profile_id])
        except psycopg.errors.LockNotAvailable:
            return False
        return True


# --- 1. A teacher's import locks people it will refuse ------------------------------------------------------------

async def test_a_teachers_import_leaves_the_people_it_refuses_free(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """A teacher's file names one of their students (A), another college's student and an admin: the last two rows
    are refused (phone_is_staff), so the import changes neither of them. While it runs (held at A's skills a
    moment, as a teacher's edit of them holds them), the other college's student can still accept an offer (their
    profile shared) and the admin write their own profile."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        a, a_phone = _student(conn, area.near, "เอ นำเข้า", {"electrical_appliance": 1})
        admin = conn.execute("select id from public.profiles where phone = %s",
                             ["+66" + SEED_ADMIN.replace("-", "")[1:]]).fetchone()
    assert admin is not None
    far_id, far_phone = area.students["far1"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    data = _csv((a_phone, "เอ นำเข้า"), (far_phone, "ฟาร์ หนึ่ง"), (SEED_ADMIN, "แอดมิน"))
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.technician_skills where technician_id = %s for update", [a])
        importing = asyncio.create_task(api.post(f"/colleges/{area.near}/students/import", headers=bearer(teacher),
                                                 files={"file": ("students.csv", data, "text/csv")}))
        try:
            await until_waiting(database_url, 1, importing)  # under way, at A's row
            far_free = _free(database_url, far_id, "share")  # what an accept of theirs takes
            admin_free = _free(database_url, admin["id"], "no key update")  # an admin's own profile write
        finally:
            await holder.rollback()
            answer = await importing
    assert answer.status_code == 400, answer.text
    assert [(line["line"], line["code"]) for line in answer.json()["error"]["lines"]] == [
        (3, "phone_is_staff"), (4, "phone_is_staff")]
    assert far_free and admin_free


async def test_a_row_made_staff_while_the_import_waits_is_still_refused(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """The refusal is decided on the locked row: a citizen the import reads as one (and so may invite) is made
    another college's teacher while the import waits for their profile; once that commits, the row is refused and
    nothing of the file is stored."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        citizen, citizen_phone = _student(conn, area.near, "ซี ประชาชน", {}, role="citizen")
        conn.execute("update public.profiles set college_id = null where id = %s", [citizen])
        _, other_phone = _student(conn, area.near, "โอ นำเข้า", {"electrical_appliance": 1})
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    data = _csv((citizen_phone, "ซี ประชาชน"), (other_phone, "โอ นำเข้า"))
    async with await psycopg.AsyncConnection.connect(database_url) as promoter:
        await promoter.execute("update public.profiles set role = 'supervisor', college_id = %s where id = %s",
                               [area.far, citizen])
        importing = asyncio.create_task(api.post(f"/colleges/{area.near}/students/import", headers=bearer(teacher),
                                                 files={"file": ("students.csv", data, "text/csv")}))
        try:
            await until_waiting(database_url, 1, importing)  # waiting for the citizen's profile
        finally:
            await promoter.commit()
            answer = await importing
    assert answer.status_code == 400, answer.text
    assert [(line["line"], line["code"]) for line in answer.json()["error"]["lines"]] == [(2, "phone_is_staff")]
    with psycopg.connect(database_url) as conn:
        invites = conn.execute("select count(*) from private.staff_invites where profile_id = %s",
                               [citizen]).fetchone()
    assert invites == (0,)


# --- 3. Two backend copies: one sending to a phone, the other picking the same phone's deliveries first ----------

async def test_a_copy_sends_other_phones_messages_while_another_copy_holds_a_phone(push_db: str) -> None:  # noqa: F811
    """Two messages for the first person's phone (the oldest) and then one for a second person's phone. Copy one
    sends the first message and holds the phone; copy two's first turn finds the phone's second message held and
    leaves it; its next turn must send the second person's message, not pick the held phone's again."""
    first, second, _ = _first_persons_phone(push_db)
    with psycopg.connect(push_db, autocommit=True) as db:
        _ready(db, first)  # a second message for the first phone
        db.execute(REGISTER, [f"fcm-{uuid.uuid4().hex}", second])
        _ready(db, second)  # the newest: the second person's phone, free
    phone = HeldPhone()
    one_each = WorkerConfig(batch_size=1)
    async with worker_pool(push_db) as pool, worker_pool(push_db) as other_pool:
        turn = asyncio.create_task(deliver_once(pool, {phone.name: phone}, one_each, DAY))
        await phone.sending.wait()  # copy one is sending the first message to the first phone, holding it
        try:
            turns = []
            for _ in range(2):
                other = asyncio.create_task(deliver_once(other_pool, {phone.name: phone}, one_each, DAY))
                await until_waiting_or_done(push_db, other)
                turns.append(await other)
        finally:
            phone.go.set()
            await asyncio.gather(turn, return_exceptions=True)
    assert turns[0].attempted == 0  # the held phone's second message, left for later
    assert turns[1].attempted == 1  # the second person's message went meanwhile
    with psycopg.connect(push_db) as db:
        sent = db.execute("""select n.recipient_id from private.notification_deliveries d
                             join public.notifications n on n.id = d.notification_id
                             where d.status = 'sent' order by d.sent_at, d.id""").fetchall()
    assert (second,) in sent
