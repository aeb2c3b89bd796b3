"""A test area of its own for dispatch: two colleges in Mae Hong Son with known students, and a clock tests move."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.app import create_app
from backend.deps import get_now
from backend.services import account
from backend.services.dispatch import DispatchPolicy
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, failing_writes, jpeg_with_gps

# Mae Hong Son: no seeded college serves it, so these tests own the area.
HOME = (19.3000, 97.9700)
ADMIN_PHONE = "084-444-4444"  # the seed's administrator


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def to_plain_hours(self) -> None:
        """10:00 in Bangkok (03:00 UTC), today's or, once that has passed, tomorrow's: an offer made now runs the
        plain SLA, not the quiet hours' (21:00-07:00 Bangkok, shared/sla), whenever the suite happens to run. Forward
        only, as time runs: the Data API's policies read the database's clock (an offer's expiry, 0107), which must
        not be ahead of the app's."""
        plain = self.now.replace(hour=3, minute=0, second=0, microsecond=0)
        self.now = plain if plain >= self.now else plain + timedelta(days=1)


AppClock = tuple[httpx.AsyncClient, Clock]


@dataclass
class Area:
    near: uuid.UUID  # ~1 km from HOME
    far: uuid.UUID  # ~22 km from HOME
    students: dict[str, tuple[str, str]]  # name -> (user id, phone)


# The app app_and_clock serves, one per settings object. Building one (its ~90 routes' models) took 0.2 s on a
# quiet machine and 0.45 s on a loaded one, for every test: the app holds nothing of a test's own (the pool, the
# live events and the background tasks come with each test's own lifespan, the clock with its own override).
_apps: dict[int, tuple[Settings, FastAPI]] = {}


def _app_for(settings: Settings) -> FastAPI:
    made = _apps.get(id(settings))
    if made is None or made[0] is not settings:
        made = _apps[id(settings)] = (settings, create_app(settings))
    return made[1]


@pytest.fixture
async def app_and_clock(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    """The app, started and stopped for this test alone (its own pool, live events and background tasks), with a
    clock the test moves."""
    clock = Clock()
    app = _app_for(settings)
    app.dependency_overrides.clear()
    app.dependency_overrides[get_now] = clock
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
        ) as client:
            yield client, clock
    finally:
        app.dependency_overrides.clear()


def _college(conn: psycopg.Connection[dict[str, Any]], name: str, lat: float, lon: float,
             radius: int = 40) -> uuid.UUID:
    """A college of Mae Hong Son at (lat, lon), taking jobs within `radius` km."""
    row = conn.execute(
        """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                        service_radius_km)
           values (%s, %s, %s, 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', %s, %s, %s) returning id""",
        [f"T-{uuid.uuid4().hex[:10].upper()}", f"วิทยาลัยทดสอบ{name}", f"Test {name}", lat, lon, radius],
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row["id"]))


def _student(conn: psycopg.Connection[dict[str, Any]], college: uuid.UUID, name: str, skills: dict[str, int],
             role: str = "technician", *, prefix: str = "") -> tuple[str, str]:
    """A student (or, by `role`, a teacher) of `college` with `skills` (skill -> level): (user id, phone).
    `prefix` fixes the start of their id (dispatch breaks ties by id)."""
    user_id = uuid.UUID(prefix + uuid.uuid4().hex[len(prefix):]) if prefix else uuid.uuid4()
    phone = fresh_phone()
    conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, "66" + phone[1:]])
    conn.execute("update public.profiles set role = %s, college_id = %s, display_name = %s where id = %s",
                 [role, college, name, user_id])
    for skill, level in skills.items():
        conn.execute("insert into public.technician_skills values (%s, %s, %s)", [user_id, skill, level])
    return str(user_id), phone


@pytest.fixture
def area(database_url: str) -> Iterator[Area]:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        near = _college(conn, "ใกล้", 19.3050, 97.9650, 30)
        far = _college(conn, "ไกล", 19.1000, 97.9700, 40)
        students = {
            "ace": _student(conn, near, "เอ เก่งมาก", {"electrical_appliance": 5}),
            "bee": _student(conn, near, "บี เก่ง", {"electrical_appliance": 4}),
            "cat": _student(conn, near, "ซี พอได้", {"electrical_appliance": 3}),
            "dan": _student(conn, near, "ดี เริ่มต้น", {"electrical_appliance": 1}),
            "plumber": _student(conn, near, "ช่าง ประปา", {"plumbing": 5}),
            "far1": _student(conn, far, "ฟาร์ หนึ่ง", {"electrical_appliance": 2}),
            "teacher": _student(conn, near, "ครู ใกล้", {}, role="supervisor"),
        }
        yield Area(near, far, students)
        _leave_empty(conn, near, far)


def _leave_empty(conn: psycopg.Connection[dict[str, Any]], near: uuid.UUID, far: uuid.UUID) -> None:
    """Leave the area empty for the next test: its colleges closed, and the requests this test left waiting in it
    (offered, or `no_centre`) cancelled as their owner would, their offers withdrawn. Otherwise every later test's
    new students in the same place are students those requests were never offered: the clock (at the moved times
    the clock tests turn it to) offers each of them again, expires those offers and hands them on, a thousand
    hand-ons a turn by the end of the suite (session 19: 30 s of the integration suite's 220 s, twice a run)."""
    with conn.transaction():
        conn.execute("select set_config('fixit.actor', 'system', true), "
                     "set_config('fixit.note', 'the test area was left', true)")
        waiting = [row["id"] for row in conn.execute(
            """select r.id from public.repair_requests r
               where r.status in ('submitted', 'offered', 'no_centre')
                 and (r.college_id in (%(near)s, %(far)s)
                      or exists (select 1 from public.offers o
                                 where o.request_id = r.id and o.college_id in (%(near)s, %(far)s))
                      or (abs(r.lat - %(lat)s) < 1 and abs(r.lon - %(lon)s) < 1))
               order by r.id for update""",
            {"near": near, "far": far, "lat": HOME[0], "lon": HOME[1]}).fetchall()]
        conn.execute("update public.offers set status = 'withdrawn', responded_at = now() "
                     "where request_id = any(%s) and status = 'pending'", [waiting])
        conn.execute("update public.repair_requests set status = 'cancelled' where id = any(%s)", [waiting])
        conn.execute("update public.colleges set is_active = false where id in (%s, %s)", [near, far])


def close_the_area(database_url: str, area: Area) -> None:
    """Both colleges of the area stop taking jobs (an administrator closed them): nobody can take a request here."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.colleges set is_active = false where id in (%s, %s)", [area.near, area.far])


def offers_of(database_url: str, request_id: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select id, technician_id::text as technician_id, college_id, status, rank from public.offers "
            "where request_id = %s order by created_at, rank",
            [request_id],
        ).fetchall()


async def submit(api: httpx.AsyncClient, **overrides: Any) -> tuple[str, dict[str, Any]]:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1], **overrides)
    response = await api.post("/requests", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return token, response.json()


async def record_work(api: httpx.AsyncClient, token: str, request_id: str, *, hours: float = 1.5,
                      notes: str = "เปลี่ยนฟิวส์ ทดสอบเปิดเครื่องแล้วใช้งานได้", idx: int = 0) -> None:
    """What the student on the job records before sending it for the teacher's check (honest QC): an after photo
    (at `idx`: a student after a take back, a reassign or a reopen adds theirs beside the earlier work's), the hours
    worked and a report."""
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{request_id}/after-photos/{idx}", files=photo, headers=bearer(token))
    assert uploaded.status_code == 201, uploaded.text
    saved = await api.put(f"/requests/{request_id}/report", json={"hours": hours, "notes": notes, "parts": []},
                          headers=bearer(token))
    assert saved.status_code == 200, saved.text


async def work_to_quality_check(api: httpx.AsyncClient, token: str, request_id: str, *, idx: int = 0) -> None:
    """An accepted job through diagnosing and repairing, its work recorded (its after photo at `idx`: a later
    round's beside the earlier round's), to the teacher's check."""
    for to in ("diagnosing", "repairing"):
        moved = await api.post(f"/requests/{request_id}/status", json={"to_status": to}, headers=bearer(token))
        assert moved.status_code == 200, moved.text
    await record_work(api, token, request_id, idx=idx)
    moved = await api.post(f"/requests/{request_id}/status", json={"to_status": "quality_check"},
                           headers=bearer(token))
    assert moved.status_code == 200, moved.text



async def assigned_to_bee(api: httpx.AsyncClient, area: Area, request_id: str) -> tuple[str, str]:
    """The near college's teacher gives the request to bee: (the teacher's token, bee's token)."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{request_id}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    return teacher, bee


async def handed_back_job(api: httpx.AsyncClient, area: Area) -> tuple[str, str]:
    """A job taken all the way: submitted, assigned by the teacher to bee, worked and recorded, approved and handed
    back. Returns (the citizen's token, the request id)."""
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    await work_to_quality_check(api, bee, rid)
    await approve_and_hand_back(api, citizen, teacher, rid)
    return citizen, rid


async def approve_and_hand_back(api: httpx.AsyncClient, citizen: str, teacher: str, request_id: str) -> None:
    """The teacher approves a job in the check (done) and, its owner having confirmed they have the item back,
    records the hand back."""
    for to in ("done", "handed_back"):
        if to == "handed_back":
            await confirm_handover(api, citizen, request_id)
        moved = await step(api, teacher, request_id, to)
        assert moved.status_code == 200, moved.text


async def accepted_job(api: httpx.AsyncClient, area: Area, student: str = "ace") -> tuple[str, str, str]:
    citizen, request = await submit(api)
    token, _ = await sign_in(api, area.students[student][1])
    offers = (await api.get("/technician/offers", headers=bearer(token))).json()
    offer_id = next(o["offer_id"] for o in offers if o["request_id"] == request["id"])
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(token))).status_code == 200
    return citizen, token, request["id"]


async def confirm_handover(api: httpx.AsyncClient, citizen: str, request_id: str) -> None:
    """The owner confirms in the app that they have the item back (issue 14: no hand back without it)."""
    confirmed = await api.post(f"/requests/{request_id}/handover/confirm", headers=bearer(citizen))
    assert confirmed.status_code == 204, confirmed.text


async def step(api: httpx.AsyncClient, token: str, rid: str, to: str, **extra: Any) -> httpx.Response:
    """POST /requests/{rid}/status as `token`: one move of the job, its answer unchecked."""
    return await api.post(f"/requests/{rid}/status", json={"to_status": to, **extra}, headers=bearer(token))


async def assigned_by_teacher(api: httpx.AsyncClient, area: Area, student: str = "bee", **request: Any
                              ) -> tuple[str, str, str, str]:
    """A job of the near college assigned by its teacher: (citizen, teacher, student tokens, request id)."""
    citizen, created = await submit(api, **request)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{created['id']}/assign",
                              json={"technician_id": area.students[student][0]}, headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    token, _ = await sign_in(api, area.students[student][1])
    return citizen, teacher, token, created["id"]


async def repaired_job(api: httpx.AsyncClient, area: Area, student: str = "bee") -> tuple[str, str, str, str]:
    """A job of the near college assigned by its teacher to `student`, worked and approved: done, its item waiting
    to be collected. (citizen, teacher, student tokens, request id)."""
    citizen, teacher, token, rid = await assigned_by_teacher(api, area, student)
    await work_to_quality_check(api, token, rid)
    approved = await step(api, teacher, rid, "done")
    assert approved.status_code == 200, approved.text
    return citizen, teacher, token, rid


def backdate_acceptance(database_url: str, rid: str, hours: float) -> None:
    """The job was in hand for `hours` (a test cannot wait hours for a real timeline)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - make_interval(secs => %s) "
                     "where request_id = %s and to_status = 'accepted'", [hours * 3600, rid])


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    """A pool as the backend's own (dict rows, autocommit), for driving the clock's `tick` directly."""
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as made:
        yield made


def request_status(database_url: str, request_id: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return str(row[0])


def kinds_told(database_url: str, request_id: str, *, role: str, since_id: int = 0) -> list[str]:
    """The kinds of notification about `request_id` written to active people of `role` (after notification
    `since_id`)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select n.kind::text from public.notifications n join public.profiles p on p.id = n.recipient_id "
            "where n.request_id = %s and p.role = %s and p.is_active and n.id > %s order by n.id",
            [request_id, role, since_id]).fetchall()
    return [str(r[0]) for r in rows]


def last_notification(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select coalesce(max(id), 0) from public.notifications").fetchone()
    assert row is not None
    return int(row[0])


def told_since(database_url: str, rid: str, person: str | uuid.UUID, since: int) -> list[tuple[str, Any]]:
    """What `person` was told about the request after notification `since` (`last_notification`): (kind, params'
    `restored`), in order."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "select kind::text as kind, params from public.notifications "
            "where request_id = %s and recipient_id = %s and id > %s order by id", [rid, person, since]).fetchall()
    return [(r["kind"], r["params"].get("restored")) for r in rows]


def last_note_code(database_url: str, rid: str) -> str | None:
    """The note code of the request's latest timeline event (a move or a note), None when it has none."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select note_code from public.status_events where request_id = %s "
                           "order by id desc limit 1", [rid]).fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


def failing_status_change(database_url: str, request_id: str) -> AbstractContextManager[None]:
    """A request whose status change fails every time."""
    return failing_writes(database_url, "update of status", "repair_requests", "id", request_id,
                          "a request that fails every time")


def set_active(database_url: str, person: str | uuid.UUID, active: bool) -> None:
    """`person` suspended (or restored) by a path that does nothing else, as an operator's SQL or dashboard might:
    account.suspend also ends a citizen's offers and parks their requests, so a test of this holds its rule where
    whatever stood at the suspension (offers, a job in hand) still stands."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = %s where id = %s", [active, person])


def owner_of(database_url: str, request_id: str) -> uuid.UUID:
    """The citizen who asked for `request_id`."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select citizen_id from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


async def by_operator(pool: AsyncConnectionPool[Any], person: uuid.UUID, *, suspend: bool,
                      now: datetime | None = None) -> None:
    """The operator's suspension (or restore) of `person`, as `fixit-backend suspend-person` / `restore-person` run
    it; at the test's clock when `now` is given (the restore's offers run their SLA from it)."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        if suspend:
            await account.suspend(conn, person, AppRole.CITIZEN, "แจ้งเหตุเท็จซ้ำหลายครั้ง", now or datetime.now(UTC),
                                  DispatchPolicy())
        else:
            await account.restore(conn, person, now or datetime.now(UTC), DispatchPolicy())


def set_owner_active(database_url: str, request_id: str, active: bool) -> None:
    """The citizen who asked for `request_id` suspended (or restored) as `set_active` does."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = %s "
                     "where id = (select citizen_id from public.repair_requests where id = %s)", [active, request_id])


async def every_asked_declines(api: httpx.AsyncClient, area: Area, request_id: str, asked: set[str]) -> None:
    """Each of the area's students in `asked` (the ids its offers went to) declines their offer of `request_id`, as
    the app does: the offer found in their feed."""
    for student, phone in area.students.values():
        if student in asked:
            token, _ = await sign_in(api, phone)
            offer = next(o for o in (await api.get("/technician/offers", headers=bearer(token))).json()
                         if o["request_id"] == request_id)
            declined = await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))
            assert declined.status_code == 204, declined.text
