"""flow25: workflow leftovers a real user would hit (session 24's note, "Left from before"), each written as the
behaviour the project's own rules promise (README, the migrations' and modules' docstrings). Real PostgreSQL."""

from datetime import timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    by_operator,
    handed_back_job,
    last_notification,
    owner_of,
    request_status,
    submit,
)

DAY = timedelta(days=1)


def _told(database_url: str, rid: str, person: str, since: int) -> list[tuple[str, Any]]:
    """What `person` was told about the request after notification `since`: (kind, params' `restored`)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "select kind::text as kind, params from public.notifications "
            "where request_id = %s and recipient_id = %s and id > %s order by id", [rid, person, since]).fetchall()
    return [(r["kind"], r["params"].get("restored")) for r in rows]


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
    assert _told(database_url, rid, str(owner), before) == [("sent_again", None)]


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
