"""Audit 12: a hostile review of the parts not yet attacked. Each test here proves a defect that is still open: it
is marked `xfail(strict=True)`, so it fails (as expected) today and turns the suite red once the fix lands, when
the marker goes."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
import respx
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import SecretStr

from backend.app import create_app
from backend.dispatch_ticks import tick
from backend.settings import PROJECT_ROOT, AuthMode, Settings
from shared.statuses import WORK_IN_HAND
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit

SUPABASE = "https://abcdefgh.supabase.co"


def _request_row(database_url: str, request_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select status, technician_id, college_id from public.repair_requests where id = %s",
                           [request_id]).fetchone()
    assert row is not None
    return row


# --- 1. A student's account deletion strands the job they were offered -----------------------------------------

@pytest.mark.xfail(strict=True, reason="audit12: deleting an offered student's account cascades their pending "
                                       "offers away; the request stays `offered` with no offer and the SLA clock "
                                       "(which looks for pending offers) never hands it on")
async def test_a_deleted_students_offer_is_handed_on_by_the_clock(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """The plumber is the only student near HOME who fits a plumbing job, so the request is offered to them alone.
    They delete their account (PDPA, or the operator's delete-person) before answering. A suspension or a
    switch-off ends such an offer so that the SLA clock hands the job on (staff.end_open_offers); a deletion
    removes the offer row with the profile (offers.technician_id ON DELETE CASCADE), and the clock, which finds
    its work through pending offers, never sees the request again: it waits as `offered` for ever."""
    api, clock = app_and_clock
    _, created = await submit(api, category_code="plumbing", item="ก๊อกน้ำ", description="น้ำรั่วตลอดเวลา")
    request_id = created["id"]
    offers = offers_of(database_url, request_id)
    plumber_id, plumber_phone = area.students["plumber"]
    assert [o["technician_id"] for o in offers] == [plumber_id] and offers[0]["status"] == "pending"

    plumber, _ = await sign_in(api, plumber_phone)
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(plumber))
    assert deleted.status_code == 204, deleted.text

    late = clock.now + timedelta(minutes=settings.dispatch_sla_minutes) + timedelta(minutes=1)
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, late)  # type: ignore[arg-type]
    pending = [o for o in offers_of(database_url, request_id) if o["status"] == "pending"]
    status = _request_row(database_url, request_id)["status"]
    # Handed on: to another college's fitting student (an offer), or waiting for an admin (`no_centre`).
    assert status != "offered" or pending, f"stranded: {status} with {len(pending)} pending offers"


# --- 2. With Supabase Auth, nothing limits the codes sent to one phone --------------------------------------------

@pytest.mark.xfail(strict=True, reason="audit12: in Supabase mode /auth/otp/request counts per address and overall "
                                       "only; the per-phone limit (5 per 15 min) exists only in the local issuer")
async def test_supabase_mode_limits_codes_per_phone(database_url: str) -> None:
    """README: "sign-in codes: 5 per phone per 15 min" in both modes. In Supabase mode the route spends the address
    and overall buckets and calls GoTrue, which only spaces sends to one phone (its SMS max frequency, 60 s by
    default): a stranger's phone can be texted every minute, 15 per 15 min instead of 5 (each SMS is paid), from
    one address up to its 10 per 10 min and without end from several. Here every request for the same phone
    reaches Supabase's /otp (the fake does not space them)."""
    settings = Settings(
        database_url=database_url, auth_mode=AuthMode.SUPABASE, jwt_secret=SecretStr(secrets.token_urlsafe(48)),
        supabase_url=SUPABASE, supabase_anon_key=SecretStr("anon-key"), dispatch_tick_seconds=3600.0,
        notify_worker_seconds=0.0,
        # Generous address and overall allowances: the attacker's addresses are many; the phone is one.
        otp_requests_per_address=100_000, otp_requests_overall=100_000,
    )
    app = create_app(settings)
    phone = fresh_phone()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as api, respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        sms = fake.post("/otp").respond(200, json={})
        answers = [(await api.post("/auth/otp/request", json={"phone": phone})).status_code
                   for _ in range(settings.otp_max_sends_per_window + 1)]
    assert answers[:-1] == [200] * settings.otp_max_sends_per_window
    assert answers[-1] == 429, answers
    assert sms.call_count == settings.otp_max_sends_per_window


# --- 4. A college the admin closed still takes the jobs it was offered ---------------------------------------------

@pytest.mark.xfail(strict=True, reason="audit12: closing a college (PATCH /admin/colleges/{id} is_active=false) "
                                       "leaves its students' pending offers open; one is accepted after the close")
async def test_a_closed_colleges_pending_offers_cannot_be_accepted(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Dispatch offers only active colleges' students, and an invitation to a closed college cannot be accepted
    (409 invitation_college_inactive); yet the offers its students already hold stay open when an admin closes it,
    and an accept after the close gives the job to the closed college (whose teachers then run it). A switch-off or
    a move ends a student's open offers (staff.end_open_offers) so the SLA clock hands the job on; a college's
    close does nothing of the kind."""
    api, _ = app_and_clock
    admin, _ = await sign_in(api, "0844444444")
    _, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    assert offer["status"] == "pending" and offer["college_id"] == area.near

    closed = await api.patch(f"/admin/colleges/{area.near}", json={"is_active": False}, headers=bearer(admin))
    assert closed.status_code == 200 and closed.json()["is_active"] is False, closed.text

    ace, _ = await sign_in(api, ace_phone)
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    row = _request_row(database_url, created["id"])
    assert accepted.status_code == 409, (accepted.status_code, row)
    assert row["college_id"] != area.near or row["status"] != "accepted"


# --- 5. A student's account deletion leaves the job in their hands with nobody on it --------------------------------

@pytest.mark.xfail(strict=True, reason="audit12: deleting the account of a student holding a job sets its "
                                       "technician to null and leaves it accepted/under way, nobody on it or told")
async def test_a_deleted_students_job_in_hand_is_not_left_without_a_student(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A switch-off, a move or a promotion of a student holding jobs is refused (409 student_has_jobs): "the
    teacher reassigns them or the student finishes first". Their account's deletion is not: the job keeps its
    status (accepted here; diagnosing, repairing alike) with technician_id set null by the foreign key and the
    team rows gone: only the student on the job steps it, so it stands still until a teacher happens to reassign
    it, and nothing on the timeline says why nor is any teacher told. Whatever the fix (refuse until reassigned,
    or hand the job back to the college's other students), no job may stay in hand with no student."""
    api, _ = app_and_clock
    _, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    ace, _ = await sign_in(api, ace_phone)
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert accepted.status_code == 200, accepted.text

    await api.delete("/me", params={"confirm": "true"}, headers=bearer(ace))
    row = _request_row(database_url, created["id"])
    in_hand = {s.value for s in WORK_IN_HAND}
    assert not (row["status"] in in_hand and row["technician_id"] is None), row


# --- 6. The per-address sign-in limit counts each IPv6 address on its own --------------------------------------------

@pytest.mark.xfail(strict=True, reason="audit12: otp:addr buckets key the full client address; one IPv6 /64 (one "
                                       "subscriber) has 2^64 of them, so the per-address limit never bites")
async def test_sign_in_codes_are_limited_per_ipv6_network(settings: Settings) -> None:
    """10 codes per client address per 10 min is what stops one machine from spending the 300 overall (an SMS
    each with Supabase Auth, and then nobody in the country can sign in until the window turns). A home or mobile
    IPv6 subscriber is given a whole /64 and may use any address in it; the bucket is `otp:addr:<full address>`,
    so every new address starts from zero. Here four requests from one /64 with a limit of three all get codes."""
    tight = settings.model_copy(update={"otp_requests_per_address": 3})
    answers = []
    app = create_app(tight)
    async with app.router.lifespan_context(app):
        for host in range(1, 5):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(f"2001:db8:a12:7::{host:x}", 40000)),
                base_url="http://fixit.test",
            ) as api:
                answers.append((await api.post("/auth/otp/request", json={"phone": fresh_phone()})).status_code)
    assert answers == [200, 200, 200, 429], answers


# --- 7. `uvicorn backend.asgi:app` starts in production with the demo accounts in the database -----------------------

@pytest.mark.xfail(strict=True, reason="audit12: only `fixit-backend serve` refuses a database holding the demo "
                                       "accounts; backend.asgi (uvicorn/gunicorn by hand) checks settings only")
def test_the_asgi_entry_refuses_the_demo_accounts_too(database_url: str) -> None:
    """README: "`serve` (and `uvicorn backend.asgi:app`) refuses to start" in production mode, and the demo
    accounts are a development convenience ("anyone knows their phone numbers": with Supabase Auth an SMS to
    084-444-4444 goes to whoever really holds that number, who then signs in as the demo admin). backend/asgi.py
    runs `production_problems()` only, the settings; the demo check lives in cli.serve. Here a production
    configuration on a database with the demo accounts imports backend.asgi without complaint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXIT_", "SUPABASE_"))}
    env.update({"DATABASE_URL": database_url, "FIXIT_AUTH_MODE": "supabase", "SUPABASE_URL": SUPABASE,
                "SUPABASE_ANON_KEY": "anon-key"})
    done = subprocess.run([sys.executable, "-c", "import backend.asgi"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0, "backend.asgi started on a database with the demo accounts"
    assert "demo accounts" in done.stdout + done.stderr
