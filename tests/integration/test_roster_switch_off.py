"""A teacher's "switch off" takes a student off the college's roster; it does not lock the person out.

It used to set `profiles.is_active = false`, which is also what makes an account usable at all: the student could
no longer sign in, so not reach their own repair requests, their training record, their data (PDPA) or their
notifications, exactly when a graduate or a student on leave wants their portfolio. Now it clears
`profiles.takes_jobs` (migration 0035): no offers, no assignment, no team, not counted among the college's
students; everything that is theirs stays theirs."""

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from typer.testing import CliRunner

from backend.cli import app as backend_cli
from backend.local_postgres import LocalPostgres
from backend.migrate import discover, migrate
from backend.settings import get_settings
from tests.helpers import bearer, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import AppClock, Area, handed_back_job, offers_of, submit

SEED_ADMIN = "084-444-4444"


async def _students_counted(api: httpx.AsyncClient, area: Area) -> int:
    admin, _ = await sign_in(api, SEED_ADMIN)
    colleges = (await api.get("/admin/colleges", headers=bearer(admin))).json()
    return int(next(c for c in colleges if c["id"] == str(area.near))["students"])


async def _switch(api: httpx.AsyncClient, teacher: str, student: str, on: bool) -> dict[str, Any]:
    answer = await api.put(f"/supervisor/technicians/{student}", json={"is_active": on}, headers=bearer(teacher))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_switched_off_student_keeps_their_account_and_gets_no_jobs(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, done_job = await handed_back_job(api, area)  # bee's past job, in their record
    bee_id, bee_phone = area.students["bee"]
    bee, _ = await sign_in(api, bee_phone)
    own = await api.post("/requests", json=draft(), headers=bearer(bee))  # a student may ask for a repair too
    assert own.status_code == 201, own.text
    own_id = own.json()["id"]
    counted = await _students_counted(api, area)

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await _switch(api, teacher, bee_id, False))["is_active"] is False
    roster = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
    assert roster[-1]["id"] == bee_id and not roster[-1]["is_active"]  # listed after the others, as before
    assert await _students_counted(api, area) == counted - 1

    # Signed in afresh: the account is theirs as before.
    bee, profile = await sign_in(api, bee_phone)
    assert profile["role"] == "technician" and profile["takes_jobs"] is False
    me = await api.get("/me", headers=bearer(bee))
    assert me.status_code == 200 and me.json()["takes_jobs"] is False
    mine = await api.get("/requests/mine", headers=bearer(bee))
    assert mine.status_code == 200 and own_id in {r["id"] for r in mine.json()}
    assert (await api.get(f"/requests/{own_id}", headers=bearer(bee))).status_code == 200
    cancelled = await api.post(f"/requests/{own_id}/cancel", json={}, headers=bearer(bee))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text
    again = await api.post("/requests", json=draft(), headers=bearer(bee))
    assert again.status_code == 201, again.text
    jobs = await api.get("/technician/jobs", headers=bearer(bee))
    assert jobs.status_code == 200 and done_job in {j["id"] for j in jobs.json()}
    folio = await api.get(f"/portfolio/{bee_id}", headers=bearer(bee))
    assert folio.status_code == 200 and folio.json()["technician_id"] == bee_id, folio.text
    assert (await api.get("/me/team-jobs", headers=bearer(bee))).status_code == 200
    exported = await api.get("/me/export", headers=bearer(bee))
    assert exported.status_code == 200 and exported.json()["profile"]["id"] == bee_id
    assert (await api.get("/me/notifications", headers=bearer(bee))).status_code == 200

    # Off the roster: a fitting job goes to the others, the teacher cannot hand it to them, nor add them to a team.
    _, request = await submit(api)
    offered = {o["technician_id"] for o in offers_of(database_url, request["id"])}
    assert offered and bee_id not in offered
    feed = await api.get("/technician/offers", headers=bearer(bee))
    assert feed.json() == [] and feed.headers["x-takes-jobs"] == "false"  # the home says why, without GET /me
    assigned = await api.post(f"/requests/{request['id']}/assign", json={"technician_id": bee_id},
                              headers=bearer(teacher))
    assert assigned.status_code == 400 and assigned.json()["error"]["code"] == "technician_not_in_college"
    ace = (await sign_in(api, area.students["ace"][1]))[0]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == area.students["ace"][0])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))).status_code == 200
    helper = await api.post(f"/requests/{request['id']}/team", json={"technician_id": bee_id}, headers=bearer(ace))
    assert helper.status_code == 400 and helper.json()["error"]["code"] == "team_member_invalid", helper.text

    # Switched back on: offers come back.
    assert (await _switch(api, teacher, bee_id, True))["is_active"] is True
    assert (await api.get("/me", headers=bearer(bee))).json()["takes_jobs"] is True
    assert await _students_counted(api, area) == counted
    _, request = await submit(api)
    assert bee_id in {o["technician_id"] for o in offers_of(database_url, request["id"])}
    feed = await api.get("/technician/offers", headers=bearer(bee))
    assert request["id"] in {o["request_id"] for o in feed.json()} and feed.headers["x-takes-jobs"] == "true"


async def test_an_operator_suspension_still_locks_the_account(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The other meaning of `is_active` stays: an account the operator suspended signs in to nothing but its data
    rights (download, delete: test_suspended_account.py)."""
    api, _ = app_and_clock
    bee_id, bee_phone = area.students["bee"]
    bee, _ = await sign_in(api, bee_phone)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [bee_id])
    try:
        me = await api.get("/me", headers=bearer(bee))
        assert me.status_code == 403 and me.json()["error"]["code"] == "account_suspended"
        _, request = await submit(api)
        assert bee_id not in {o["technician_id"] for o in offers_of(database_url, request["id"])}
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = true where id = %s", [bee_id])


def test_a_switch_off_is_one_colleges_roster(area: Area, database_url: str) -> None:
    """Moved to another college (or made staff), a student starts on its roster: nobody there switched them off."""
    bee, ace = area.students["bee"][0], area.students["ace"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set takes_jobs = false where id = any(%s::uuid[])", [[bee, ace]])
        conn.execute("update public.profiles set college_id = %s where id = %s", [area.far, bee])
        conn.execute("update public.profiles set display_name = 'เอ' where id = %s", [ace])
        rows: dict[str, bool] = dict(conn.execute(
            "select id::text, takes_jobs from public.profiles where id = any(%s::uuid[])", [[bee, ace]]).fetchall())
        offered_for = conn.execute("select dispatch_college_id from public.technician_skills "
                                   "where technician_id = %s", [bee]).fetchone()
    assert rows == {bee: True, ace: False} and offered_for == (area.far,)


def test_the_migration_gives_students_switched_off_before_it_their_account_back(
    local_pg: LocalPostgres, tmp_path: Path
) -> None:
    """0035 on a database where students were switched off the old way: their account is usable again and they
    are off the roster; one the operator suspended (outside the app) stays suspended."""
    database = "fixit_roster_migration_test"
    local_pg.drop_database(database)
    url = local_pg.url_for(database)
    before = tmp_path / "migrations"
    before.mkdir()
    for migration in discover():
        if migration.version < "0035":
            shutil.copy(migration.path, before)
    migrate(url, before)
    people = {name: uuid.uuid4() for name in ("teacher_switched_off", "operator_suspended", "on_roster")}
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        college = conn.execute(
            """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon)
               values ('T-ROSTER', 'วิทยาลัยทดสอบ', 'Test', 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', 19.3, 97.97)
               returning id""").fetchone()
        assert college is not None
        conn.execute("insert into public.skills values ('electrical_appliance', 'ไฟฟ้า', 'Electrical')")
        for n, person in enumerate(people.values()):
            conn.execute("select private.create_phone_user(%s, %s, true)", [person, f"6606{n:07d}"])
            conn.execute("update public.profiles set role = 'technician', college_id = %s where id = %s",
                         [college["id"], person])
            conn.execute("insert into public.technician_skills values (%s, 'electrical_appliance', 3)", [person])
        with conn.transaction():  # the old switch-off, as the backend made it: the audit trail names a teacher
            conn.execute("select set_config('fixit.actor', 'supervisor', true)")
            conn.execute("update public.profiles set is_active = false where id = %s",
                         [people["teacher_switched_off"]])
        conn.execute("update public.profiles set is_active = false where id = %s", [people["operator_suspended"]])

    assert migrate(url).applied[0].startswith("0035")
    with psycopg.connect(url, row_factory=dict_row) as conn:
        rows = {r["id"]: r for r in conn.execute(
            """select p.id, p.is_active, p.takes_jobs,
                      (select ts.dispatch_college_id from public.technician_skills ts where ts.technician_id = p.id)
                          as offered_for
               from public.profiles p where p.id = any(%s)""", [list(people.values())]).fetchall()}
    got = {name: (rows[person]["is_active"], rows[person]["takes_jobs"], rows[person]["offered_for"] is not None)
           for name, person in people.items()}
    assert got == {"teacher_switched_off": (True, False, False), "operator_suspended": (False, True, False),
                   "on_roster": (True, True, True)}
    local_pg.drop_database(database)


async def test_a_suspended_student_is_not_listed_as_taking_jobs(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """The teacher's roster answered `takes_jobs as is_active` (audit 11): an account the operator suspended
    (is_active false, takes_jobs still true) showed as taking jobs there and in the job screen's assign list, whose
    assign was then refused. `is_active` on the roster is now both: a usable account on the roster."""
    bee_id, _ = area.students["bee"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [bee_id])
    try:
        roster = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
        bee = next(s for s in roster if s["id"] == bee_id)
        assert bee["is_active"] is False, bee
        assert roster[-1]["id"] == bee_id  # listed after the students taking jobs, as a switched-off one
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = true where id = %s", [bee_id])


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The operator's fixit-backend, on the test database (as test_person_cli.py runs it)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _roster_state(database_url: str, student: str) -> tuple[bool, dict[str, int]]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select takes_jobs from public.profiles where id = %s", [student]).fetchone()
        skills: dict[str, int] = dict(conn.execute(
            "select skill_code, level from public.technician_skills where technician_id = %s", [student]).fetchall())
    assert row is not None
    return bool(row[0]), skills


async def test_the_roster_says_a_student_is_suspended_and_refuses_switching_them_on(
    api: httpx.AsyncClient, area: Area, database_url: str, cli: CliRunner
) -> None:
    """Suspended by the operator (suspend-person), a student showed on the roster as merely switched off, and the
    teacher's switch-on set takes_jobs yet left them off. The roster now says `suspended` (is_active keeps its
    meaning) and a switch-on is refused 409 student_suspended, nothing changed (the skills sent with it neither)."""
    bee_id, bee_phone = area.students["bee"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    roster = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
    assert all(s["suspended"] is False for s in roster)
    assert (await _switch(api, teacher, bee_id, False))["is_active"] is False  # the teacher's switch-off first
    suspended = cli.invoke(backend_cli, ["suspend-person", bee_phone, "--reason", "abuse", "--yes"])
    assert suspended.exit_code == 0, suspended.output
    try:
        roster = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
        bee = next(s for s in roster if s["id"] == bee_id)
        assert bee["suspended"] is True and bee["is_active"] is False, bee
        assert [s["id"] for s in roster if s["suspended"]] == [bee_id]
        before = _roster_state(database_url, bee_id)
        refused = await api.put(f"/supervisor/technicians/{bee_id}",
                                json={"is_active": True, "skills": {"electrical_appliance": 1}},
                                headers=bearer(teacher))
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "student_suspended" and "ระงับ" in error["message_th"]
        assert "suspended" in error["message_en"]
        assert _roster_state(database_url, bee_id) == before == (False, {"electrical_appliance": 4})
        # A skills change alone (the switch staying off) is still the teacher's to make.
        skills = await api.put(f"/supervisor/technicians/{bee_id}", json={"skills": {"electrical_appliance": 3}},
                               headers=bearer(teacher))
        assert skills.status_code == 200 and skills.json()["suspended"] is True, skills.text
    finally:
        assert cli.invoke(backend_cli, ["restore-person", bee_phone]).exit_code == 0
    # Restored, they are a student the teacher switched off: no longer suspended, and the switch works again.
    bee = next(s for s in (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
               if s["id"] == bee_id)
    assert bee["suspended"] is False and bee["is_active"] is False
    switched = await _switch(api, teacher, bee_id, True)
    assert switched["is_active"] is True and switched["suspended"] is False
    assert _roster_state(database_url, bee_id) == (True, {"electrical_appliance": 3})
