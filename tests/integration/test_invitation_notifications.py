"""An invitation reaches the person with the app closed, and the teacher hears the answer: the notifications are
written in the same transaction as the invitation and the answer, listed in the inbox with links that open the
right screens, delivered on the person's channels (the console here) after their quiet hours, and deleted with the
account of the person they name (PDPA)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx
from backend.notifications.channels.console import ConsoleChannel
from backend.notifications.invitations import close_expired, close_invited, notify_answer, notify_invited
from backend.notifications.worker import WorkerConfig, deliver_once
from backend.services.staff import register_staff, withdraw_invite
from shared.notifications import HOME_LINK, STAFF_ADMIN_LINK, STUDENTS_LINK, InvitedClosed
from shared.roles import AppRole
from tests.conftest import MigratedDatabases
from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area
from tests.integration.wall_clock import wall

SEED_ADMIN = "084-444-4444"


def notes_of(database_url: str, person: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select kind, params, request_id, about_id::text as about from public.notifications "
            "where recipient_id = %s order by id", [person]).fetchall()


async def inbox(api: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    page = await api.get("/me/notifications", headers=bearer(token))
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_the_invited_person_is_told_once_a_day_and_the_teacher_hears_the_yes(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    teacher_token, teacher = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    url = f"/colleges/{area.near}/students"
    assert (await api.post(url, json={"phone": phone, "display_name": "นาย ชวนมา"},
                           headers=bearer(teacher_token))).status_code == 201
    # The teacher presses "register" again while it waits: the invitation is updated, the person not told twice.
    assert (await api.post(url, json={"phone": phone, "display_name": "นาย ชวนมา", "skills": {"plumbing": 2}},
                           headers=bearer(teacher_token))).status_code == 201
    notes = notes_of(database_url, citizen["id"])
    assert [(n["kind"], n["request_id"], n["params"]["role"]) for n in notes] == [("invited", None, "technician")]
    assert notes[0]["params"]["college_th"] == "วิทยาลัยทดสอบใกล้"

    listed = await inbox(api, token)
    assert [(i["kind"], i["link"], i["request_id"]) for i in listed] == [("invited", HOME_LINK, None)]
    assert listed[0]["title"] == "วิทยาลัยทดสอบใกล้ เชิญคุณเป็นนักศึกษาช่าง" and "FX-" not in listed[0]["title"]
    # The person chooses its channels on their account screen like any other kind (never SMS: it costs).
    citizen_prefs = (await api.get("/me/notification-settings", headers=bearer(token))).json()
    assert citizen_prefs["allowed"]["invited"] == ["push", "line"]

    # A day later, a re-invite tells them again (the card alone has not brought them to the app).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.notifications set created_at = created_at - interval '25 hours' "
                     "where recipient_id = %s", [citizen["id"]])
    assert (await api.post(url, json={"phone": phone, "display_name": "นาย ชวนมา"},
                           headers=bearer(teacher_token))).status_code == 201
    assert [n["kind"] for n in notes_of(database_url, citizen["id"])] == ["invited", "invited"]

    before = len(notes_of(database_url, teacher["id"]))
    assert (await answer_invitation(api, token, "accept")).status_code == 200
    answers = notes_of(database_url, teacher["id"])[before:]
    assert [(n["kind"], n["request_id"], n["about"]) for n in answers] == [
        ("invite_accepted", None, citizen["id"])]
    # Named by display name only: no phone anywhere in what the teacher gets.
    assert answers[0]["params"]["person"] == "นาย ชวนมา"
    assert phone[1:] not in str(answers[0]["params"]) and "+66" not in str(answers[0]["params"])
    heard = [i for i in await inbox(api, teacher_token) if i["kind"] == "invite_accepted"]
    assert heard[0]["title"] == "นาย ชวนมา ตอบรับคำเชิญแล้ว" and heard[0]["link"] == STUDENTS_LINK
    assert heard[0]["body"] == "ตอนนี้เป็นนักศึกษาช่างของวิทยาลัยทดสอบใกล้"
    # Each person chooses the channels of these kinds on their account screen like any other.
    teacher_prefs = (await api.get("/me/notification-settings", headers=bearer(teacher_token))).json()
    assert teacher_prefs["allowed"]["invite_accepted"] == teacher_prefs["allowed"]["invite_declined"] == [
        "push", "line"]


async def test_the_admin_hears_the_no_and_deleting_the_account_takes_what_names_the_person(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    admin_token, admin = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    assert (await api.patch("/me", json={"display_name": "ครู ไม่สะดวก"}, headers=bearer(token))).status_code == 200
    invited = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                             headers=bearer(admin_token))
    assert invited.status_code == 201, invited.text
    assert [n["params"]["role"] for n in notes_of(database_url, citizen["id"])] == ["supervisor"]

    assert (await answer_invitation(api, token, "decline")).status_code == 204
    heard = [i for i in await inbox(api, admin_token) if i["kind"] == "invite_declined" and "ไม่สะดวก" in i["title"]]
    assert len(heard) == 1 and heard[0]["title"] == "ครู ไม่สะดวก ปฏิเสธคำเชิญ"
    assert heard[0]["link"] == STAFF_ADMIN_LINK and "30 วัน" in heard[0]["body"]

    # PDPA: the export lists the person's notifications and the ones naming them elsewhere…
    exported = (await api.get("/me/export", headers=bearer(token))).json()
    assert {(n["kind"], n["about_you"]) for n in exported["notifications"]} == {
        ("invited", False), ("invite_declined", True)}
    # …and deleting the account deletes both: theirs, and the admin's that names them.
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))).status_code == 204
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        left = conn.execute("select count(*) as n from public.notifications where about_id = %s "
                            "or recipient_id = %s", [citizen["id"], citizen["id"]]).fetchone()
    assert left is not None and left["n"] == 0
    assert [i for i in await inbox(api, admin_token) if "ไม่สะดวก" in i["title"]] == []
    assert admin["id"] != citizen["id"]


async def test_nothing_is_written_when_the_invitation_is_refused(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """The notification is in the invitation's transaction: a refused invite (a "no" still holding) writes none."""
    teacher_token, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    url = f"/colleges/{area.near}/students"
    assert (await api.post(url, json={"phone": phone}, headers=bearer(teacher_token))).status_code == 201
    assert (await answer_invitation(api, token, "decline")).status_code == 204
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.notifications set created_at = created_at - interval '2 days' "
                     "where recipient_id = %s", [citizen["id"]])
    assert (await api.post(url, json={"phone": phone}, headers=bearer(teacher_token))).status_code == 409
    assert [n["kind"] for n in notes_of(database_url, citizen["id"])] == ["invited"]


async def test_an_invitation_no_longer_open_stops_asking_in_the_inbox(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """Once the person answered, or the invitation was replaced, its "invited" notification is no open question:
    read (the bell stops counting it) and saying what became of it, in place of "accept or decline in the app"."""
    teacher_token, _ = await sign_in(api, area.students["teacher"][1])
    admin_token, _ = await sign_in(api, SEED_ADMIN)
    answering: dict[str, str] = {}
    for answer in ("accept", "decline"):
        phone = fresh_phone()
        token, _ = await sign_in(api, phone)
        assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                               headers=bearer(teacher_token))).status_code == 201
        [asked] = await inbox(api, token)
        assert not asked["read"] and asked["body"].startswith("ตอบรับหรือปฏิเสธได้ในแอป")
        assert (await answer_invitation(api, token, answer)).status_code in (200, 204)
        answering[answer] = token
    for answer, body in (("accept", "คุณตอบรับคำเชิญนี้แล้ว"), ("decline", "คุณปฏิเสธคำเชิญนี้แล้ว")):
        [closed] = [i for i in await inbox(api, answering[answer]) if i["kind"] == "invited"]
        assert closed["read"] and closed["body"] == body, closed
        assert closed["title"] == "วิทยาลัยทดสอบใกล้ เชิญคุณเป็นนักศึกษาช่าง"  # which invitation it was
    count = await api.get("/me/notifications/unread-count", headers=bearer(answering["decline"]))
    assert count.json()["unread_count"] == 0

    # Replaced by an admin (another college and role): the old one says it is gone, the new one asks.
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher_token))).status_code == 201
    assert (await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin_token))).status_code == 201
    await api.patch("/me", json={"locale": "en"}, headers=bearer(token))
    new, old = await inbox(api, token)
    assert (old["read"], old["body"]) == (True, "This invitation is no longer open: it was replaced or withdrawn")
    assert not new["read"] and new["body"].startswith("Accept or decline in the app")
    # The admin puts the first place back the same day: it asks again (a closed one does not count as told).
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(admin_token))).status_code == 201
    kinds = [(n["params"]["role"], n["params"].get("closed")) for n in notes_of(database_url, citizen["id"])]
    assert kinds == [("technician", "gone"), ("supervisor", "gone"), ("technician", None)]
    assert (await api.get("/me/notifications/unread-count", headers=bearer(token))).json()["unread_count"] == 1
    # The operator's own change (the CLI's register-staff) ends the invitation still waiting: nothing asks now, and
    # the person, made a teacher at once, is told so.
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn, \
            conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await register_staff(conn, phone, AppRole.SUPERVISOR, area.far, now=wall()[0], policy=wall()[1])
    notes = notes_of(database_url, citizen["id"])
    assert [(n["kind"], n["params"].get("closed")) for n in notes] == [("invited", "gone")] * 3 + [("moved", None)]
    assert (await api.get("/me/notifications/unread-count", headers=bearer(token))).json()["unread_count"] == 1


# --- delivery, on a database of its own (the app the other tests run delivers in the background) ------------------

DB = "fixit_invite_notify_test"
NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok
NIGHT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 23:00 in Bangkok
CONFIG = WorkerConfig(batch_size=50, max_attempts=3, retry_base_seconds=30, link_base="https://app.example")


@pytest.fixture(scope="module")
def own_db(migrated_database: MigratedDatabases) -> str:
    return migrated_database(DB)


@pytest.fixture
async def pool(own_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        own_db, min_size=1, max_size=4, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def db(own_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(own_db, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("delete from public.notifications")
        yield conn


def person(db: psycopg.Connection[dict[str, Any]], name: str, locale: str) -> uuid.UUID:
    user_id = uuid.uuid4()
    db.execute("select private.create_phone_user(%s, %s, true)", [user_id, f"6689{user_id.int % 10**7:07d}"])
    db.execute("update public.profiles set locale = %s, display_name = %s where id = %s", [locale, name, user_id])
    return user_id


async def test_delivered_through_the_console_in_each_readers_language_after_quiet_hours(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    admin = person(db, "แอดมิน", "en")
    db.execute("update public.profiles set role = 'admin' where id = %s", [admin])
    invited = person(db, "สมหญิง\u202e\n\nใจดี", "th")  # typed by the person: reaches the admin as one line
    db.execute("insert into private.staff_invites (phone, role, invited_by, profile_id) "
               "select phone, 'admin', %s, id from public.profiles where id = %s", [admin, invited])
    async with service_tx(pool) as owner:
        assert await notify_invited(owner, invited) is True
        assert await notify_invited(owner, invited) is False  # the same invitation again the same day
    console = ConsoleChannel()
    # 23:00 in Bangkok: planned, but held until the person's quiet hours end.
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT)
    assert console.sent == []
    due = db.execute("select d.next_attempt_at, d.status from private.notification_deliveries d "
                     "join public.notifications n on n.id = d.notification_id where n.recipient_id = %s",
                     [invited]).fetchall()
    assert [(d["status"], d["next_attempt_at"]) for d in due] == [("pending", NIGHT + timedelta(hours=8))]
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT + timedelta(hours=8))
    assert [(m.title, m.link, m.request_id) for m, _ in console.sent] == [
        ("Fixit เชิญคุณเป็นผู้ดูแลระบบ", "https://app.example" + HOME_LINK, None)]

    # The answer: to the inviter, in their language, at noon at once.
    async with service_tx(pool) as owner:
        assert await notify_answer(owner, invited, accepted=True) is True
    await deliver_once(pool, {"console": console}, CONFIG, now=NOON + timedelta(days=1))
    assert [(m.kind.value, m.title, m.link) for m, _ in console.sent[1:]] == [
        ("invite_accepted", "สมหญิง ใจดี accepted your invitation", "https://app.example" + STAFF_ADMIN_LINK)]
    # Someone who invited themselves (the operator's own account) or whose inviter is gone hears nothing.
    db.execute("update private.staff_invites set invited_by = null where profile_id = %s", [invited])
    async with service_tx(pool) as owner:
        assert await notify_answer(owner, invited, accepted=False) is False


async def test_an_invitation_answered_in_the_night_is_not_pushed_in_the_morning(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """Told at 23:00, held for the quiet hours; the person answers on the web meanwhile: nothing reaches the phone
    at 07:00 asking a question already answered (the delivery is skipped), and one not yet planned never is."""
    invited = person(db, "ดึก", "th")
    db.execute("insert into private.staff_invites (phone, role, profile_id) "
               "select phone, 'admin', id from public.profiles where id = %s", [invited])
    async with service_tx(pool) as owner:
        assert await notify_invited(owner, invited) is True
    console = ConsoleChannel()
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT)
    db.execute("delete from private.staff_invites where profile_id = %s", [invited])
    async with service_tx(pool) as owner:
        assert await close_invited(owner, invited, (InvitedClosed.ACCEPTED, "admin", None)) == 1
        assert await close_invited(owner, invited) == 0  # closed once
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT + timedelta(hours=8))
    assert console.sent == []
    [row] = db.execute("select d.status, n.read_at is not null as read, n.params ->> 'closed' as closed "
                       "from private.notification_deliveries d join public.notifications n on n.id = d.notification_id "
                       "where n.recipient_id = %s", [invited]).fetchall()
    assert (row["status"], row["read"], row["closed"]) == ("skipped", True, "accepted")


async def test_a_withdrawn_invitation_held_for_the_night_is_not_pushed_in_the_morning(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """A teacher invites at 23:00 (the push held for the person's quiet hours) and takes it back before morning:
    the held push is skipped, and the notification says it was withdrawn."""
    college = db.execute(
        """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon)
           values (%s, 'วิทยาลัยถอน', 'Withdraw College', 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', 19.3, 97.97)
           returning id""", [f"T-{uuid.uuid4().hex[:10].upper()}"]).fetchone()
    assert college is not None
    invited = person(db, "ถอน", "th")
    phone = db.execute("select phone from public.profiles where id = %s", [invited]).fetchone()
    assert phone is not None
    async with service_tx(pool) as owner:
        done = await register_staff(owner, phone["phone"], AppRole.TECHNICIAN, college["id"], by=AppRole.SUPERVISOR,
                                    now=wall()[0], policy=wall()[1])
        assert done.awaiting_acceptance
    console = ConsoleChannel()
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT)
    [held] = db.execute("select d.status from private.notification_deliveries d join public.notifications n "
                        "on n.id = d.notification_id where n.recipient_id = %s", [invited]).fetchall()
    assert held["status"] == "pending"
    invite = db.execute("select id from private.staff_invites where profile_id = %s", [invited]).fetchone()
    assert invite is not None
    async with service_tx(pool) as owner:
        await withdraw_invite(owner, college["id"], invite["id"], by=AppRole.SUPERVISOR)
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT + timedelta(hours=8))
    assert console.sent == []
    [row] = db.execute("select d.status, n.read_at is not null as read, n.params ->> 'closed' as closed "
                       "from private.notification_deliveries d join public.notifications n on n.id = d.notification_id "
                       "where n.recipient_id = %s", [invited]).fetchall()
    assert (row["status"], row["read"], row["closed"]) == ("skipped", True, "withdrawn")


async def test_an_invitation_that_runs_out_stops_asking_and_its_held_push_is_not_sent(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """Told at 23:00 (held for the quiet hours), and the invitation's time runs out before morning: the clock
    closes its notification as expired and the push is skipped; one still open is left asking."""
    lapsing, open_one = person(db, "หมดเวลา", "th"), person(db, "ยังรอ", "th")
    for invited in (lapsing, open_one):
        db.execute("insert into private.staff_invites (phone, role, profile_id) "
                   "select phone, 'admin', id from public.profiles where id = %s", [invited])
        async with service_tx(pool) as owner:
            assert await notify_invited(owner, invited) is True
    console = ConsoleChannel()
    await deliver_once(pool, {"console": console}, CONFIG, now=NIGHT)
    db.execute("update private.staff_invites set expires_at = now() - interval '1 minute' where profile_id = %s",
               [lapsing])
    async with service_tx(pool) as owner:
        assert await close_expired(owner) == 1
        assert await close_expired(owner) == 0  # closed once
    rows = db.execute("select n.recipient_id, d.status, n.read_at is not null as read, n.params ->> 'closed' as closed "
                      "from private.notification_deliveries d join public.notifications n on n.id = d.notification_id "
                      "where n.recipient_id = any(%s)", [[lapsing, open_one]]).fetchall()
    assert {r["recipient_id"]: (r["status"], r["read"], r["closed"]) for r in rows} == {
        lapsing: ("skipped", True, "expired"), open_one: ("pending", False, None)}


async def test_a_student_the_admin_moves_is_told_where_they_are_now(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """An admin's move of a staff account happens at once (no invitation to answer): the person's screens change
    under them, so they hear of it, in the inbox and with the app closed; registering them again where they already
    are tells them nothing."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    student_id, student_phone = area.students["bee"]
    token, _ = await sign_in(api, student_phone)
    again = await api.post(f"/colleges/{area.near}/students", json={"phone": student_phone}, headers=bearer(admin))
    assert again.status_code == 201, again.text
    assert [n["kind"] for n in notes_of(database_url, student_id)] == []

    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": student_phone}, headers=bearer(admin))
    assert moved.status_code == 201 and moved.json()["awaiting_acceptance"] is False, moved.text
    [note] = notes_of(database_url, student_id)
    assert (note["kind"], note["request_id"], note["params"]["role"], note["params"]["college_id"]) == (
        "moved", None, "technician", str(area.far))
    [listed] = await inbox(api, token)
    assert (listed["kind"], listed["link"]) == ("moved", HOME_LINK)
    assert listed["title"] == "ตอนนี้คุณเป็นนักศึกษาช่างของวิทยาลัยทดสอบไกล", listed["title"]

    # Made a teacher of the near college: told again, with the new role.
    promoted = await api.post(f"/admin/colleges/{area.near}/supervisors", json={"phone": student_phone},
                              headers=bearer(admin))
    assert promoted.status_code == 201, promoted.text
    assert [(n["kind"], n["params"]["role"], n["params"]["college_id"])
            for n in notes_of(database_url, student_id)] == [
        ("moved", "technician", str(area.far)), ("moved", "supervisor", str(area.near))]
    # No role's settings list it: being told of a move is not switched off from the old role's screen.
    prefs = (await api.get("/me/notification-settings", headers=bearer(token))).json()
    assert "moved" not in prefs["allowed"]
