"""flow25: workflow leftovers a real user would hit (session 24's note, "Left from before"), each written as the
behaviour the project's own rules promise (README, the migrations' and modules' docstrings). Real PostgreSQL."""

from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.builders import college_inviting
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    by_operator,
    handed_back_job,
    last_notification,
    offers_of,
    owner_of,
    request_status,
    step,
    submit,
    told_since,
)
from tests.integration.test_a_teacher_at_every_hand_over import Colleges, colleges  # noqa: F401 (fixture)
from tests.integration.test_app_contract import app  # noqa: F401  (the fixture)
from tests.integration.test_the_teacher_present_at_a_rework import REWORK, _in_the_check

DAY = timedelta(days=1)


def _set_takes_jobs(database_url: str, students: list[str], takes: bool) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set takes_jobs = %s where id = any(%s::uuid[])", [takes, students])


# --- 1. A request the restore could not offer ("no student") that the clock offers days later -----------------------
async def test_a_restored_request_nobody_could_take_that_the_clock_offers_days_later_says_it_was_sent_again(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The restore found nobody to take it: its timeline and its citizen said so ("no student", an administrator
    will send it on). Days later a fitting student is back on the roster and the clock's revival offers it: that
    move is a student coming into range (`sent_again`), not the account's restore, which was told days ago. The
    citizen hears of it once, and not "your account is restored" again."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    everyone = [student for student, _ in area.students.values()]
    await by_operator(pool, owner, suspend=True, now=clock.now)
    _set_takes_jobs(database_url, everyone, False)
    await by_operator(pool, owner, suspend=False, now=clock.now)
    assert request_status(database_url, rid) == "no_centre"
    before = last_notification(database_url)

    # Three days later the near college's students take jobs again; the clock's turn offers the request.
    _set_takes_jobs(database_url, everyone, True)
    later = clock.now + 3 * DAY
    await tick(pool, settings, later)
    assert request_status(database_url, rid) == "offered"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert [(e["to_status"], e["note_code"]) for e in detail["timeline"][-2:]] == [
        ("no_centre", "no_taker"), ("offered", "sent_again")]
    assert told_since(database_url, rid, str(owner), before) == [("sent_again", None)]


def _last_audit(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select coalesce(max(id), 0) from public.audit_events").fetchone()
    assert row is not None
    return int(row[0])


def _audits_since(database_url: str, since: int) -> list[tuple[str, str | None]]:
    """Every audit row written after `since`: (action, target id)."""
    with psycopg.connect(database_url) as conn:
        return [(str(a), None if t is None else str(t)) for a, t in conn.execute(
            "select action, target_id from public.audit_events where id > %s order by id", [since]).fetchall()]


# --- 2. An account deletion wrote a "skill.remove" audit row per skill of the deleted student ------------------------
async def test_a_students_account_deletion_is_one_account_delete_row_in_the_audit_trail(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """A student with skills and a finished job deletes their account: the trail keeps that it happened (one
    `account.delete` row, their role and college), not one `skill.remove` per skill they held, as if someone had
    taken each skill away (the skills went with the person, and the rows repeated what they could do)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    await handed_back_job(api, area)
    bee_id, bee_phone = area.students["bee"]
    with psycopg.connect(database_url) as conn:
        skills = conn.execute("select count(*) from public.technician_skills where technician_id = %s",
                              [bee_id]).fetchone()
    assert skills is not None and skills[0] >= 1
    bee, _ = await sign_in(api, bee_phone)
    before = _last_audit(database_url)
    gone = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
    assert gone.status_code == 204, gone.text
    assert _audits_since(database_url, before) == [("account.delete", bee_id)]


async def test_a_skill_a_teacher_takes_from_a_student_who_stays_is_still_audited(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The other side of #2: a skill taken from a student whose account stays is a person's act, audited as one
    `skill.remove` naming the skill and its level (0008)."""
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    dan = area.students["dan"][0]
    before = _last_audit(database_url)
    changed = await api.put(f"/supervisor/technicians/{dan}", headers=bearer(teacher),
                            json={"is_active": True, "skills": {"plumbing": 2}})
    assert changed.status_code == 200, changed.text
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        removed = conn.execute("select target_id::text as target, before from public.audit_events "
                               "where id > %s and action = 'skill.remove'", [before]).fetchall()
    assert removed == [{"target": dan, "before": {"skill": "electrical_appliance", "level": 1}}]


# --- 3. A college deleted (by SQL: no app path deletes one) -------------------------------------------------------
def _invited_cards(database_url: str, person: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select n.params ->> 'closed' as closed, n.read_at is not null as read, "
            "       array(select d.status from private.notification_deliveries d where d.notification_id = n.id "
            "             order by d.id) as deliveries "
            "from public.notifications n where n.recipient_id = %s and n.kind = 'invited' order by n.id",
            [person]).fetchall()


async def test_a_college_deleted_with_an_invitation_waiting_closes_the_invited_persons_card(
        app_and_clock: AppClock, database_url: str) -> None:
    """The invitation goes with the college (private.staff_invites, on delete cascade); the invited person's card
    kept asking "accept or decline" about a college that is gone (their accept answered 404), and the trail said
    nothing of the invitation. Now the card says it was withdrawn, as an admin's withdrawal does (read, nothing
    more pushed), once, and the trail records the withdrawal about the person."""
    api, _ = app_and_clock
    _, college, _, citizen, person = await college_inviting(api)
    assert [c["closed"] for c in _invited_cards(database_url, person)] == [None]
    with psycopg.connect(database_url, autocommit=True) as conn:
        before = _last_audit(database_url)
        conn.execute("delete from public.colleges where id = %s", [college])
    [card] = _invited_cards(database_url, person)
    assert card["closed"] == "withdrawn" and card["read"] is True
    assert "pending" not in card["deliveries"]
    assert (await api.get("/me/invitation", headers=bearer(citizen))).json() is None
    assert _audits_since(database_url, before) == [("staff.invite_withdraw", person), ("college.delete", college)]


async def test_a_college_with_requests_or_staff_cannot_be_deleted_and_nothing_changes(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """What a college deletion may never do: leave a request, an offer or a job record pointing at a college that
    is gone, or staff at none. The schema refuses it (repair_requests, offers and job_team name their college with
    no cascade; `staff_belong_to_a_college`), whole: an admin closes such a college instead (PATCH is_active=false:
    its offers end and the clock sends the jobs on)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    assert request_status(database_url, rid) == "offered"
    with psycopg.connect(database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.IntegrityError):  # its staff and its requests both hold it
            conn.execute("delete from public.colleges where id = %s", [str(area.near)])
        college_only = conn.execute(
            "insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon) "
            "values ('FLOW25-STAFF', 'ว', 'C', 'จ', 'P', 'south', 6.6, 101.2) returning id").fetchone()
        assert college_only is not None
        conn.execute("update public.profiles set college_id = %s where id = %s",
                     [college_only[0], area.students["plumber"][0]])
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("delete from public.colleges where id = %s", [college_only[0]])
    assert request_status(database_url, rid) == "offered"


# --- 4. A high-risk job in the check at a college with no active teacher --------------------------------------------
async def test_an_admin_takes_a_high_risk_job_back_from_the_check_at_a_college_with_no_teacher(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """The college's last teacher left while its air-conditioning job waited for the check: the admins decide it
    (private.deciders). Its rework needs a teacher present, whom nobody can name there (409 presence_no_teacher,
    nothing written: the safety rule). The admin takes it back from the check as a teacher takes a job back from a
    student (`taken_back`, the student off it and kept on its team, offered again), and it goes on to the nearest
    college whose teacher can be present at its rework."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        admin, _ = await sign_in(api, ADMIN_PHONE)
        rid = await _in_the_check(api, colleges, database_url)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = false where id = %s",
                         [colleges.people["teacher"][0]])
        rework = await step(api, admin, rid, "repairing", note=REWORK)
        assert (rework.status_code, rework.json()["error"]["code"]) == (409, "presence_no_teacher")
        taken = await step(api, admin, rid, "offered", note="ครูของวิทยาลัยไม่อยู่แล้ว")
        assert taken.status_code == 200, taken.text
        detail = taken.json()
    assert detail["status"] == "offered"
    assert [(e["from_status"], e["to_status"], e["note_code"]) for e in detail["timeline"]
            if e["from_status"] == "quality_check"] == [("quality_check", "offered", "taken_back")]
    pending = [(o["technician_id"], str(o["college_id"])) for o in offers_of(database_url, rid)
               if o["status"] == "pending"]
    assert pending == [(colleges.people["far_student"][0], str(colleges.far))]
    with psycopg.connect(database_url) as conn:
        team = conn.execute("select technician_id::text from public.job_team where request_id = %s",
                            [rid]).fetchall()
        lead = conn.execute("select technician_id from public.repair_requests where id = %s", [rid]).fetchone()
    assert (colleges.people["student"][0],) in team and lead == (None,)
    # Its citizen hears of the take back once, as of one from a student's hands; its student that it left them.
    with psycopg.connect(database_url) as conn:
        told = conn.execute(
            "select n.kind::text, n.recipient_id = r.citizen_id from public.notifications n "
            "join public.repair_requests r on r.id = n.request_id "
            "where n.request_id = %s and n.kind in ('job_taken_back', 'lead_left', 'no_taker') order by n.id",
            [rid]).fetchall()
    assert ("job_taken_back", True) in told and [k for k, _ in told].count("job_taken_back") == 1
