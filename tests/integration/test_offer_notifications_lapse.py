"""An offer's notification held for the night (quiet hours) or for a retry is not sent once the offer asks for
nothing: answered, withdrawn or past its time (backend.notifications.worker._send_one, shared.notifications.
offer_still_open). It is skipped with its reason, as the worker skips other moot deliveries; the inbox keeps it."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.notifications.worker import deliver_once
from tests.integration.test_notifications_delivery import (
    CONFIG,
    NIGHT,
    FakeChannel,
    notify_db,  # noqa: F401 (its own database, a fixture)
    person,
)

MORNING = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 07:00 in Bangkok, the end of the default quiet hours


@pytest.fixture
async def notify_pool(notify_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:  # noqa: F811
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        notify_db, min_size=1, max_size=4, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def notify_rows(notify_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:  # noqa: F811
    with psycopg.connect(notify_db, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("delete from public.notifications")
        yield conn


def _skipped(rows: psycopg.Connection[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["status"], r["last_error"]) for r in rows.execute(
        "select status, last_error from private.notification_deliveries d "
        "join public.notifications n on n.id = d.notification_id where n.kind = 'offer_new' order by d.id")]


async def test_an_offer_held_for_the_night_is_not_sent_after_it_expired(
        notify_pool: AsyncConnectionPool[Conn], notify_rows: psycopg.Connection[dict[str, Any]]) -> None:
    """A new offer at 23:00 to a student with the default quiet hours (21:00-07:00, offers not exempt) is held to
    07:00, while the offer itself runs out in 30 minutes. At 07:00 the worker sent it anyway: "งานใหม่ ...: ตอบรับ
    ภายใน 0 นาที" (answer within 0 min) for a job that went to someone else eight hours before; nothing at send
    time asked whether the offer (notifications.offer_id, params.expires_at) was still open. (audit13, finding 8)"""
    student = person(notify_rows)
    notify_rows.execute("insert into public.notifications (recipient_id, kind, params) values (%s, 'offer_new', %s)",
               [student, Jsonb({"item": "พัดลม", "expires_at": (NIGHT + timedelta(minutes=30)).isoformat(),
                                "distance_km": 3.2})])
    fake = FakeChannel()
    await deliver_once(notify_pool, {"fake": fake}, CONFIG, NIGHT)
    assert fake.sent == []  # held for the night
    await deliver_once(notify_pool, {"fake": fake}, CONFIG, MORNING)
    assert [(m.kind.value, m.body) for m, _, _ in fake.sent] == [], "an expired offer announced in the morning"
    assert [status for status, _ in _skipped(notify_rows)] == ["skipped"]


def _offer(rows: psycopg.Connection[dict[str, Any]], student: uuid.UUID, expires_at: datetime) -> uuid.UUID:
    """A real offer (its trigger writes the offer_new notification, with offer_id) of a job of a new college."""
    code = f"LP-{uuid.uuid4().hex[:8].upper()}"
    rows.execute("insert into public.categories (code, name_th, name_en) values ('appliance', 'เครื่องใช้ไฟฟ้า', "
                 "'Appliances') on conflict do nothing")
    college = rows.execute(
        "insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon) "
        "values (%s, 'วิทยาลัยทดสอบ', 'Test College', 'ยะลา', 'Yala', 'south', 6.55, 101.25) returning id",
        [code]).fetchone()
    request = rows.execute(
        "insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description, lat, "
        "lon, contact_phone, pdpa_consent_at, status, college_id) values (%s, gen_random_uuid(), "
        "'appliance', 'พัดลม', 'ไม่หมุนเลย', 6.55, 101.25, "
        "'+66812345678', now(), 'offered', %s) returning id", [person(rows), college and college["id"]]).fetchone()
    assert college is not None and request is not None
    offer = rows.execute(
        "insert into public.offers (request_id, technician_id, college_id, rank, distance_km, expires_at) "
        "values (%s, %s, %s, 1, 3.2, %s) returning id", [request["id"], student, college["id"], expires_at]
    ).fetchone()
    assert offer is not None
    return uuid.UUID(str(offer["id"]))


async def test_an_offer_answered_during_the_night_is_not_sent_in_the_morning(
        notify_pool: AsyncConnectionPool[Conn], notify_rows: psycopg.Connection[dict[str, Any]]) -> None:
    """Its time has not run out, but the offer no longer waits (another student took the job: this one is
    withdrawn); the offer still pending beside it goes out as before."""
    answered, waiting = person(notify_rows), person(notify_rows)
    withdrawn = _offer(notify_rows, answered, MORNING + timedelta(hours=1))
    _offer(notify_rows, waiting, MORNING + timedelta(hours=1))
    fake = FakeChannel()
    await deliver_once(notify_pool, {"fake": fake}, CONFIG, NIGHT)
    assert fake.sent == []  # both held for the night
    notify_rows.execute("update public.offers set status = 'withdrawn', responded_at = now() where id = %s",
                        [withdrawn])
    await deliver_once(notify_pool, {"fake": fake}, CONFIG, MORNING)
    sent = [(m.kind.value, m.body) for m, _, _ in fake.sent]
    # The withdrawn one's student hears only that it no longer waits for them; the other is asked as before.
    assert sorted(sent) == [("offer_new", "พัดลม: ตอบรับภายใน 60 นาที"),
                            ("offer_withdrawn", "พัดลม: งานนี้ไม่ได้รอคุณแล้ว")]
    assert sorted(status for status, _ in _skipped(notify_rows)) == ["sent", "skipped"]
