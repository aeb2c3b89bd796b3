"""audit27: a fresh-eyes audit of session 26's code. Each finding is proved here first (a strict xfail until it is
fixed); /tmp/p27/audit27-findings.md describes them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import respx
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.otp import SENDS_PER_PHONE_PER_DAY
from tests.helpers import fresh_phone
from tests.integration.app_at import client_at, with_supabase_auth
from tests.integration.dispatch_area import AppClock, Area, offers_of, request_status, submit

SUPABASE = "https://audit27.supabase.co"


def supabase_settings(settings: Settings) -> Settings:
    return with_supabase_auth(settings, SUPABASE, otp_requests_per_address=1000)


# --- F1: a code GoTrue did send, answered too late, was given back -----------------------------------------------


async def test_sms_sent_but_answered_late_still_count_towards_the_phones_day(settings: Settings) -> None:
    """A stranger keeps asking codes for someone's phone while Supabase Auth's SMS side is slow: GoTrue sends each
    SMS but answers after the backend's 15 s (a ReadTimeout: the request had gone out). The refund of review26b #1
    gave the phone's counts back for every such answer as if nothing had been sent, so the day's cap (attack26 #6,
    10 SMS a phone) never held: every SMS paid for, the phone's owner woken all day. A code that may have been sent
    counts; only an answer that says nothing was sent is given back."""
    sb = supabase_settings(settings)
    phone = fresh_phone()
    day = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    sent: list[str] = []

    def gotrue_sends_then_is_late(request: httpx.Request) -> httpx.Response:
        sent.append(phone)  # GoTrue handed the code to the SMS provider
        raise httpx.ReadTimeout("the answer came after the client's timeout", request=request)

    statuses: list[int] = []
    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/otp").mock(side_effect=gotrue_sends_then_is_late)
        for window in range(3):  # three 15-minute windows, five asks in each
            now = day + timedelta(seconds=sb.otp_window_seconds * window)
            async with client_at(sb, "198.51.100.91", now) as api:
                for _ in range(sb.otp_max_sends_per_window):
                    statuses.append((await api.post("/auth/otp/request", json={"phone": phone})).status_code)
    assert len(sent) <= SENDS_PER_PHONE_PER_DAY, statuses
    assert statuses.count(429) >= 3 * sb.otp_max_sends_per_window - SENDS_PER_PHONE_PER_DAY


async def test_asks_that_never_reached_gotrue_are_still_given_back(settings: Settings) -> None:
    """The other side of F1's fix: a request that never reached Supabase Auth (the connection refused) sent nothing,
    and the phone's day is given back for it as review26b #1 asked."""
    sb = supabase_settings(settings)
    phone = fresh_phone()
    day = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    statuses: list[int] = []
    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        otp = fake.post("/otp")
        otp.mock(side_effect=unreachable)
        for window in range(3):
            async with client_at(sb, "198.51.100.92", day + timedelta(seconds=sb.otp_window_seconds * window)) as api:
                for _ in range(sb.otp_max_sends_per_window):
                    statuses.append((await api.post("/auth/otp/request", json={"phone": phone})).status_code)
        otp.mock(side_effect=None, return_value=httpx.Response(200, json={}))
        async with client_at(sb, "198.51.100.92", day + timedelta(seconds=sb.otp_window_seconds * 3)) as api:
            answer = await api.post("/auth/otp/request", json={"phone": phone})
    assert statuses == [503] * (3 * sb.otp_max_sends_per_window)
    assert answer.status_code == 200, answer.text


# --- F3: offers of students taken off the roster outside the app's own path hold the job --------------------------


@pytest.mark.parametrize("taken_off", ["takes_jobs = false", "is_active = false"])
async def test_offers_of_students_taken_off_the_roster_end_and_the_next_student_is_asked(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], taken_off: str) -> None:
    """The accept asks the student's place on the roster (`roster_teacher_and_owner`: active, taking jobs, at the
    offer's college: 409 offer_off_roster otherwise). The teacher's switch-off and the admins' suspension end the
    student's waiting offers themselves (staff.end_open_offers), but one done outside the app (Supabase's dashboard,
    the SQL editor), or a dispatch that read the roster just before the switch-off committed, leaves them pending:
    the job held from the college's other students for 30 minutes, or all night for an offer made in the quiet
    hours. The clock's turn withdraws them as it does for a student who moved away."""
    api, clock = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    offered = [area.students[name][0] for name in ("ace", "bee", "cat")]
    assert sorted(o["technician_id"] for o in offers_of(database_url, rid) if o["status"] == "pending") \
        == sorted(offered)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"update public.profiles set {taken_off} where id = any(%s)", [offered])
    await tick(pool, settings, clock.now + timedelta(minutes=1))
    offers = {o["technician_id"]: (o["status"], o["college_id"]) for o in offers_of(database_url, rid)}
    assert all(offers[s][0] == "withdrawn" for s in offered)  # before the fix: pending until they ran out
    assert offers[area.students["dan"][0]] == ("pending", area.near)  # the college's next fitting student
    assert request_status(database_url, rid) == "offered"
