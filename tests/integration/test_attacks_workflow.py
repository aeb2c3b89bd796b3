"""Attacks on the job workflow, reproduced over the real API on a real PostgreSQL (issue: hardening, load).

Each test failed before its fix: a student stepping a job they only hold an offer for, a retried submit that
re-dispatched, a request stranded by a crash between storing and dispatching, a deadlock between accepting and
the SLA tick, and a quality-check queue that lost old jobs."""

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.routes import requests as request_routes
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, AppClock, Area, _student, offers_of, submit


def _row(database_url: str, request_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute(
            "select status, technician_id, college_id, (select count(*) from public.status_events e "
            "where e.request_id = r.id) as events from public.repair_requests r where id = %s",
            [request_id],
        ).fetchone()
    assert row is not None
    return row


async def test_a_student_holding_only_an_offer_cannot_move_the_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    before = _row(database_url, rid)
    bee, _ = await sign_in(api, area.students["bee"][1])  # offered, has not accepted
    answers = [await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(bee))
               for to in ("accepted", "diagnosing", "repairing", "quality_check")]
    assert [a.status_code for a in answers] == [409, 409, 409, 409]
    assert answers[0].json()["error"]["code"] == "accept_through_offer"
    assert {a.json()["error"]["code"] for a in answers[1:]} == {"illegal_transition"}
    # Nothing was committed: same status, no technician, no timeline entry, every offer still pending.
    assert _row(database_url, rid) == before and before["status"] == "offered" and before["technician_id"] is None
    assert {o["status"] for o in offers_of(database_url, rid)} == {"pending"}

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    by_step = await api.post(f"/requests/{rid}/status", json={"to_status": "accepted"}, headers=bearer(teacher))
    assert by_step.status_code == 409 and _row(database_url, rid) == before

    # A teacher of another college may not act on it at all.
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        _, other_phone = _student(conn, area.far, "ครู ไกล", {}, role="supervisor")
    other, _ = await sign_in(api, other_phone)
    foreign = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                             headers=bearer(other))
    assert foreign.status_code == 404 and _row(database_url, rid) == before

    # The proper paths still work: the offer is accepted, then the work steps are the student's.
    offer_id = next(o["id"] for o in offers_of(database_url, rid) if o["technician_id"] == area.students["bee"][0])
    accepted = await api.post(f"/offers/{offer_id}/accept", headers=bearer(bee))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    ace, _ = await sign_in(api, area.students["ace"][1])  # offered too, but lost the race
    late = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert late.status_code == 404 and _row(database_url, rid)["status"] == "accepted"
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"},
                           headers=bearer(bee))).status_code == 200


async def test_a_supervisor_assigns_a_named_student_only_through_assign(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{request['id']}/assign", json={"technician_id": area.students["cat"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    row = _row(database_url, request["id"])
    assert row["status"] == "accepted" and str(row["technician_id"]) == area.students["cat"][0]
    assert sorted(o["status"] for o in offers_of(database_url, request["id"])) == \
        ["accepted", "withdrawn", "withdrawn"]


async def test_retried_submits_are_a_pure_read(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1])
    first = await api.post("/requests", json=body, headers=bearer(token))
    assert first.status_code == 201 and first.json()["status"] == "offered"
    offers_before = offers_of(database_url, first.json()["id"])
    retries = await asyncio.gather(*[api.post("/requests", json=body, headers=bearer(token)) for _ in range(20)])
    assert {r.status_code for r in retries} == {200}
    assert {r.json()["id"] for r in retries} == {first.json()["id"]}
    assert offers_of(database_url, first.json()["id"]) == offers_before  # no new college, no new offers
    detail = retries[-1].json()
    assert detail["status"] == "offered" and detail["college_name_en"] == "Test ใกล้"
    assert not [e for e in detail["timeline"] if (e["note"] or "").startswith("escalated")]
    assert len(detail["timeline"]) == 2


async def test_a_request_stranded_by_a_crash_is_dispatched_by_the_tick(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, clock = app_and_clock
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1])

    async def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("the process died between storing and dispatching")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):  # in-process, the crash reaches the caller
        patch.setattr(request_routes, "dispatch_submitted", crash)
        await api.post("/requests", json=body, headers=bearer(token))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        stored = conn.execute("select id, status from public.repair_requests where idempotency_key = %s",
                              [body["idempotency_key"]]).fetchone()
    assert stored is not None and stored["status"] == "submitted"

    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, clock.now)  # type: ignore[arg-type]
    assert _row(database_url, str(stored["id"]))["status"] == "offered"
    assert len(offers_of(database_url, str(stored["id"]))) == 3
    retry = await api.post("/requests", json=body, headers=bearer(token))
    assert retry.status_code == 200 and retry.json()["status"] == "offered"
    assert len(offers_of(database_url, str(stored["id"]))) == 3


async def test_accepts_and_the_sla_tick_never_deadlock(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """Students accept while the tick expires the same offers, many times over: no deadlock (which PostgreSQL
    would report as an error here), and every request ends in one consistent state."""
    api, clock = app_and_clock
    ace, _ = await sign_in(api, area.students["ace"][1])
    sla = timedelta(minutes=settings.dispatch_sla_minutes)
    request_ids: list[str] = []
    async with AsyncConnectionPool(database_url, min_size=4, max_size=4,
                                   kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        for _round in range(6):
            batch = [(await submit(api))[1]["id"] for _ in range(4)]
            request_ids += batch
            offer_ids = [next(o["id"] for o in offers_of(database_url, rid)
                              if o["technician_id"] == area.students["ace"][0]) for rid in batch]
            late = clock.now + sla + timedelta(seconds=1)
            results = await asyncio.gather(
                *[api.post(f"/offers/{oid}/accept", headers=bearer(ace)) for oid in offer_ids],
                *[tick(pool, settings, late) for _ in range(3)],  # type: ignore[arg-type]
                return_exceptions=True,
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            assert errors == []
            assert {r.status_code for r in results[:4] if isinstance(r, httpx.Response)} <= {200, 409}
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        for rid in request_ids:
            row = conn.execute("select status, technician_id from public.repair_requests where id = %s",
                               [rid]).fetchone()
            assert row is not None
            offers = conn.execute("select status, technician_id from public.offers where request_id = %s",
                                  [rid]).fetchall()
            accepted = [o for o in offers if o["status"] == "accepted"]
            if row["status"] == "accepted":
                assert len(accepted) == 1 and accepted[0]["technician_id"] == row["technician_id"]
                assert not [o for o in offers if o["status"] == "pending"]
            else:  # escalated: the near college's offers expired, the far college's are out
                assert row["status"] == "offered" and row["technician_id"] is None and not accepted
                assert [o for o in offers if o["status"] == "pending"]


async def test_the_quality_check_queue_keeps_old_jobs(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, waiting = await submit(api)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        # The old job waits for QC; then 230 newer requests of the college are touched after it.
        conn.execute("alter table public.repair_requests disable trigger repair_requests_touch")
        try:
            conn.execute("update public.repair_requests set status = 'quality_check', technician_id = %s, "
                         "updated_at = now() - interval '30 days' where id = %s",
                         [area.students["ace"][0], waiting["id"]])
            citizen = conn.execute("select citizen_id from public.repair_requests where id = %s",
                                   [waiting["id"]]).fetchone()
            assert citizen is not None
            conn.execute(
                """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                       lat, lon, contact_phone, pdpa_consent_at, status, college_id, updated_at)
                   select %s, gen_random_uuid(), 'appliance', 'พัดลม ' || g, 'ไม่หมุน', %s, %s, '+66812345678',
                          now(), 'offered', %s, now() - interval '1 day' + g * interval '1 second'
                   from generate_series(1, 230) g""",
                [citizen["citizen_id"], HOME[0], HOME[1], area.near],
            )
        finally:
            conn.execute("alter table public.repair_requests enable trigger repair_requests_touch")
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    dashboard = (await api.get("/supervisor/dashboard", headers=bearer(teacher))).json()
    assert [r["id"] for r in dashboard["quality_check"]] == [waiting["id"]]
    assert dashboard["counts"]["quality_check"] == 1 and dashboard["counts"]["offered"] >= 230


# --- The Data API (PostgREST) path: `authenticated` with GoTrue-shaped claims can write nothing ------------------

def _gotrue_claims(user_id: str, phone: str) -> dict[str, Any]:
    return {
        "iss": "https://project-ref.supabase.co/auth/v1", "sub": user_id, "aud": "authenticated",
        "exp": 4102444800, "iat": 1767225600, "email": "", "phone": phone,
        "app_metadata": {"provider": "phone", "providers": ["phone"]}, "user_metadata": {},
        "role": "authenticated", "aal": "aal1", "amr": [{"method": "otp", "timestamp": 1767225600}],
        "session_id": str(uuid.uuid4()), "is_anonymous": False,
    }


async def test_the_data_api_cannot_write_anything(api: httpx.AsyncClient, database_url: str) -> None:
    _, citizen = await sign_in(api, fresh_phone())
    claims = _gotrue_claims(citizen["id"], citizen["phone"].removeprefix("+"))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        tables = [r["name"] for r in conn.execute(
            """select format('%I.%I', n.nspname, c.relname) as name from pg_class c
               join pg_namespace n on n.oid = c.relnamespace
               where c.relkind = 'r' and n.nspname in ('public', 'private') order by 1""").fetchall()]
        functions = conn.execute(
            """select p.oid::regprocedure::text as name, p.provolatile as volatility
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'public'
                 and has_function_privilege('authenticated', p.oid, 'execute')""").fetchall()
    assert len(tables) >= 12
    refused: dict[str, list[str]] = {}
    for table in tables:
        for statement in (f"insert into {table} default values", f"update {table} set ctid = ctid",
                          f"delete from {table}"):
            with psycopg.connect(database_url) as conn:
                conn.execute("select set_config('role', 'authenticated', true), "
                             "set_config('request.jwt.claims', %s, true)", [json.dumps(claims)])
                try:
                    conn.execute(statement)
                except (psycopg.errors.InsufficientPrivilege, psycopg.errors.SyntaxError,
                        psycopg.errors.FeatureNotSupported):
                    refused.setdefault(table, []).append(statement.split()[0])
                conn.rollback()
    assert {t: len(v) for t, v in refused.items()} == dict.fromkeys(tables, 3)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        writable = conn.execute(
            """select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where c.relkind = 'r' and n.nspname in ('public', 'private')
                 and (has_any_column_privilege('authenticated', c.oid, 'insert')
                      or has_any_column_privilege('authenticated', c.oid, 'update')
                      or has_table_privilege('authenticated', c.oid, 'delete'))""").fetchall()
    assert writable == []
    # The attack that worked: a citizen's own, well-formed request inserted directly, skipping dispatch.
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select set_config('role', 'authenticated', true), "
                     "set_config('request.jwt.claims', %s, true)", [json.dumps(claims)])
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at)
               values (%s, gen_random_uuid(), 'appliance', 'พัดลม', 'ไม่หมุน', 13.75, 100.5, '+66812345678', now())""",
            [citizen["id"]],
        )
    # The only functions a user may call through the API read; none writes.
    assert functions and all(f["volatility"] in ("s", "i") for f in functions), functions


def test_private_helpers_reveal_nobody_else(database_url: str) -> None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        people = conn.execute("select id from public.profiles where display_name <> '' limit 2").fetchall()
        stranger = str(uuid.uuid4())
        conn.execute("insert into auth.users (id, phone) values (%s, %s)", [stranger, "6601" + stranger[:6]])
        conn.execute("select set_config('role', 'authenticated', true), "
                     "set_config('request.jwt.claims', %s, true)", [json.dumps({"sub": stranger})])
        names = [conn.execute("select private.first_name(%s) as n", [p["id"]]).fetchone() for p in people]
        assert [n["n"] if n else None for n in names] == [None, None]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select private.college_of(%s)", [people[0]["id"]])
        conn.rollback()
        # Nobody but the owner's triggers announces live events (a forged one would be a hint to re-read). On
        # Supabase `postgres` does not own pg_notify and cannot revoke it (0007 says so): checked where it can.
        me = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()
        if me is not None and me["rolsuper"]:
            conn.execute("select set_config('role', 'authenticated', true)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select pg_notify('fixit_events', '{}')")
            conn.rollback()


# --- The audit trail ---------------------------------------------------------------------------------------------

async def test_the_audit_trail_names_who_changed_what_from_where(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    teacher, teacher_profile = await sign_in(api, area.students["teacher"][1])
    student_id = area.students["dan"][0]
    changed = await api.put(f"/supervisor/technicians/{student_id}", headers=bearer(teacher),
                            json={"is_active": True, "skills": {"electrical_appliance": 2}})
    assert changed.status_code == 200, changed.text
    assigned = await api.post(f"/requests/{request['id']}/assign", json={"technician_id": student_id},
                              headers=bearer(teacher))
    assert assigned.status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:  # an operator in the SQL editor
        conn.execute("update public.profiles set role = 'supervisor' where id = %s", [student_id])
        conn.execute("update public.profiles set role = 'technician' where id = %s", [student_id])

    admin, _ = await sign_in(api, "084-444-4444")
    trail = await api.get("/admin/audit", params={"target_id": student_id}, headers=bearer(admin))
    assert trail.status_code == 200
    actions = [(e["action"], e["actor"], e["actor_id"]) for e in trail.json()]
    assert ("skill.level", "supervisor", teacher_profile["id"]) in actions \
        or ("skill.add", "supervisor", teacher_profile["id"]) in actions
    roles = [e for e in trail.json() if e["action"] == "profile.role"]
    assert [(e["before"], e["after"], e["actor"]) for e in roles[:2]] == [
        ({"role": "supervisor"}, {"role": "technician"}, "operator"),
        ({"role": "technician"}, {"role": "supervisor"}, "operator")]
    job = (await api.get("/admin/audit", params={"target_id": request["id"]}, headers=bearer(admin))).json()
    moves = {(e["action"], e["actor"]) for e in job}
    assert ("request.status", "supervisor") in moves and ("request.assignment", "supervisor") in moves
    by_teacher = [e for e in job if e["actor"] == "supervisor"]
    assert by_teacher and all(e["actor_id"] == teacher_profile["id"] and e["client_ip"] for e in by_teacher)
    # Only admins read it, through the API and through SQL.
    assert (await api.get("/admin/audit", headers=bearer(teacher))).status_code == 403
    from tests.integration.builders import as_user
    with as_user(database_url, teacher_profile["id"]) as conn:
        assert conn.execute("select count(*) as n from public.audit_events").fetchone() == {"n": 0}
