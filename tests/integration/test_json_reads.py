"""The read routes whose bodies PostgreSQL builds (issue 15: backend/services/json_sql.py) against the pydantic path
they replaced: on real data, the bytes a route sends validate against its response model, carry every field (null,
not missing), parse to the same values as the models built from the old row reads in the same transaction, and parse
in the app. Both paths run with the session's TimeZone set to Bangkok: the timestamps must not depend on it. RLS
still decides what the JSON holds."""

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from pydantic import BaseModel, TypeAdapter

from backend.app import create_app
from backend.schemas import Dashboard
from backend.services import requests as reads
from backend.services.json_sql import json_object
from backend.services.profiles import require_role
from backend.settings import Settings
from mobile import models
from shared.roles import AppRole
from shared.wire import CollegeRef, Offer, QueueItem, RequestSummary
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import HOME, Area, Clock, accepted_job, work_to_quality_check

T = TypeVar("T")
Conn = AsyncConnection[DictRow]
# Quotes, a backslash and Thai: what JSON must escape (or, for Thai, must not).
AWKWARD = 'พัดลม "ตัวเก่า" \\ ชั้น 2'


async def as_caller(database_url: str, user_id: str, read: Callable[[Conn], Awaitable[T]]) -> T:
    """`read` in one transaction as this user, the session's clock in Bangkok (UTC+7)."""
    async with (await AsyncConnection.connect(database_url, row_factory=dict_row, autocommit=True) as conn,
                conn.transaction(force_rollback=True)):
        await conn.execute(
            "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true), "
            "set_config('TimeZone', 'Asia/Bangkok', true)",
            [json.dumps({"sub": user_id, "role": "authenticated"})],
        )
        return await read(conn)


def dumped(items: list[BaseModel]) -> list[dict[str, Any]]:
    return [m.model_dump() for m in items]


def every_field(item: dict[str, Any], model: type[BaseModel]) -> None:
    assert set(item) == set(model.model_fields), set(item) ^ set(model.model_fields)


async def test_my_requests_offers_and_dashboard_as_postgresql_writes_them(
    app_and_clock: tuple[httpx.AsyncClient, Clock], area: Area, database_url: str
) -> None:
    api, clock = app_and_clock
    citizen_phone = fresh_phone()
    citizen, profile = await sign_in(api, citizen_phone)
    created = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1], item=AWKWARD), headers=bearer(citizen))
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    photo = {"file": ("before.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{request_id}/photos/0", files=photo, headers=bearer(citizen))).status_code == 201
    with psycopg.connect(database_url, autocommit=True) as conn:
        # No college (null names) and a timestamp on a whole second (pydantic writes no fraction for it).
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
               lat, lon, contact_phone, pdpa_consent_at, status, created_at)
               values (%s, gen_random_uuid(), 'appliance', 'หม้อหุงข้าว', 'ไม่ร้อน', 13.9, 100.6, '+66812345678',
                       now(), 'submitted', '2026-01-01 07:00:00+07')""",
            [profile["id"]],
        )

    # The citizen's list.
    response = await api.get("/requests/mine", headers=bearer(citizen))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    old_rows, new_body = await as_caller(database_url, profile["id"], lambda c: _both(
        reads.citizen_requests(c, uuid.UUID(profile["id"])), reads.citizen_requests_json(c, uuid.UUID(profile["id"]))))
    assert response.content == new_body  # the same bytes whatever the session's TimeZone
    assert AWKWARD.encode() not in response.content and "พัดลม".encode() in response.content  # escaped; Thai as is
    sent = TypeAdapter(list[RequestSummary]).validate_json(response.content)
    assert dumped(list(sent)) == dumped([RequestSummary.model_validate(r) for r in old_rows])
    assert [s.item for s in sent] == [AWKWARD, "หม้อหุงข้าว"]
    assert sent[1].college_name_th is None and sent[1].created_at.microsecond == 0
    for item in response.json():
        every_field(item, RequestSummary)
    assert [r.item for r in TypeAdapter(list[models.RequestSummary]).validate_python(response.json())] == [
        AWKWARD, "หม้อหุงข้าว"]

    # RLS, not the filter, keeps another citizen's list out of reach.
    _, stranger = await sign_in(api, fresh_phone())
    assert await as_caller(database_url, stranger["id"],
                           lambda c: reads.citizen_requests_json(c, uuid.UUID(profile["id"]))) == b"[]"

    # The student's offers: the new request, its description and photo count, a numeric distance.
    ace_id, ace_phone = area.students["ace"]
    ace, _ = await sign_in(api, ace_phone)
    response = await api.get("/technician/offers", headers=bearer(ace))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    old_cards, new_body = await as_caller(database_url, ace_id, lambda c: _both(
        reads.technician_offers(c), reads.technician_offers_json(c)))
    assert response.content == new_body
    cards = TypeAdapter(list[Offer]).validate_json(response.content)
    assert dumped(list(cards)) == dumped([Offer.model_validate(c) for c in old_cards])
    mine = next(c for c in cards if str(c.request_id) == request_id)
    assert mine.item == AWKWARD and mine.photo_count == 1 and mine.description == draft()["description"]
    assert mine.distance_km > 0 and mine.expires_at > mine.created_at
    for item in response.json():
        every_field(item, Offer)
    assert len(TypeAdapter(list[models.Offer]).validate_python(response.json())) == len(cards)

    # The teacher's dashboard, with a job waiting for the check.
    _, student, waiting = await accepted_job(api, area)
    await work_to_quality_check(api, student, waiting)
    teacher_id, teacher_phone = area.students["teacher"]
    teacher, _ = await sign_in(api, teacher_phone)
    response = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"

    async def dashboard_both(conn: Conn) -> tuple[Dashboard, bytes]:
        college = CollegeRef.model_validate((await require_role(conn, uuid.UUID(teacher_id),
                                                                AppRole.SUPERVISOR))["college"])
        old = await reads.college_dashboard(conn, college.id, clock.now)
        return (Dashboard.model_validate({"college": college, **old}),
                await reads.college_dashboard_json(conn, college, clock.now))

    old_board, new_body = await as_caller(database_url, teacher_id, dashboard_both)
    assert response.content == new_body
    board = Dashboard.model_validate_json(response.content)
    assert board.model_dump() == old_board.model_dump()
    assert board.college.id == area.near and [str(q.id) for q in board.quality_check] == [waiting]
    assert board.counts["quality_check"] == 1 and sum(w.n for w in board.weekly) >= 2
    every_field(response.json(), Dashboard)
    for item in response.json()["quality_check"]:
        every_field(item, QueueItem)
    app_board = TypeAdapter(models.SupervisorDashboard).validate_python(response.json())
    assert [str(q.id) for q in app_board.quality_check] == [waiting]

    # A student asking for the college's figures gets none (the functions' gate), as before.
    empty = await as_caller(database_url, ace_id, lambda c: reads.college_dashboard_json(c, board.college, clock.now))
    assert Dashboard.model_validate_json(empty).model_dump() == {
        "college": board.college.model_dump(), "counts": {}, "weekly": [], "quality_check": []}


async def _both(old: Awaitable[T], new: Awaitable[bytes]) -> tuple[T, bytes]:
    return await old, await new


def test_the_routes_still_document_their_response_models(settings: Settings) -> None:
    # The routes return a Response; their response_model is what the OpenAPI document (and so the app's contract)
    # still says they send.
    paths = create_app(settings).openapi()["paths"]

    def schema(path: str) -> Any:
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert schema("/requests/mine") == {"type": "array", "items": {"$ref": "#/components/schemas/RequestSummary"},
                                        "title": "Response My Requests Requests Mine Get"}
    assert schema("/technician/offers")["items"] == {"$ref": "#/components/schemas/Offer"}
    takes_jobs = paths["/technician/offers"]["get"]["responses"]["200"]["headers"]["X-Takes-Jobs"]
    assert takes_jobs["required"] and takes_jobs["schema"] == {"type": "string", "enum": ["true", "false"]}
    unread = paths["/requests/mine"]["get"]["responses"]["200"]["headers"]["X-Unread-Count"]
    assert unread["required"] and unread["schema"] == {"type": "string", "pattern": "^[0-9]+$"}
    assert schema("/supervisor/dashboard") == {"$ref": "#/components/schemas/Dashboard"}


def test_json_object_names_every_field_once_and_refuses_unknown_ones() -> None:
    sql = json_object(Offer, "c", distance_km="c.distance_km::float8")
    assert all(sql.count(f"'{name}', ") == 1 for name in Offer.model_fields)
    assert "to_char((c.created_at) at time zone 'UTC'" in sql and "'distance_km', c.distance_km::float8" in sql
    try:
        json_object(Offer, "c", distance="1")
    except ValueError as exc:
        assert "distance" in str(exc)
    else:
        raise AssertionError("an unknown field was accepted")
