"""What people type reaches other people's lock screens, LINE chats and SMS only as one clean line.

The audit's item: a right-to-left override, two line breaks, markup and 500 more letters. The database writes it
into a notification's parameters as it is (its triggers copy the request's item, a teacher's note, a student's
name); the delivery worker renders it for each channel. Every real channel adapter here (the console, LINE,
ThaiBulkSMS, OneSignal, each against a local fake of its API) must carry it as one line within the limit, in Thai
and in English. A database of its own: the app the other tests run has a delivery worker of its own."""

import json
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import psycopg
import pytest
import respx
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.notifications.channels import Channel, Message
from backend.notifications.channels.console import ConsoleChannel
from backend.notifications.channels.line import LineChannel
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.channels.sms import ThaiBulkSmsChannel
from backend.notifications.worker import WorkerConfig, deliver_once
from shared.quoted_text import ELLIPSIS, QUOTE_MAX, QUOTE_NOTE_MAX
from tests.conftest import MigratedDatabases

DB = "fixit_notify_quote_test"
NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
EVIL = "พัดลม\u202e\n\n<b>ฟรี!</b>" + "ก" * 500
CONFIG = WorkerConfig(batch_size=50, max_attempts=5, retry_base_seconds=30, link_base="https://app.example")
# Every kind that quotes typed text, with what the database's triggers put in its parameters.
KINDS: dict[str, dict[str, Any]] = {
    "accepted": {"item": EVIL, "technician": "สม\nชาย\u202e" * 50, "college_th": EVIL, "college_en": EVIL},
    "ready": {"item": EVIL, "place": "centre", "college_th": EVIL, "college_en": EVIL},
    "rate": {"item": EVIL},
    "part_proposed": {"item": EVIL, "part": EVIL, "price": "350"},
    "unrepairable": {"item": EVIL, "reason": "no_parts"},
}
BAD = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _clean_line(text: str) -> bool:
    return all(unicodedata.category(ch) not in BAD for ch in text) and "  " not in text


@pytest.fixture(scope="module")
def quote_db(migrated_database: MigratedDatabases) -> str:
    return migrated_database(DB)


@pytest.fixture
async def pool(quote_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        quote_db, min_size=1, max_size=4, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def db(quote_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(quote_db, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("delete from public.notifications")
        yield conn


def _citizen(db: psycopg.Connection[dict[str, Any]], locale: str) -> tuple[uuid.UUID, str, str]:
    """A person with a LINE link and a OneSignal device, choosing push, LINE and SMS for everything."""
    user_id = uuid.uuid4()
    db.execute("select private.create_phone_user(%s, %s, true)", [user_id, f"6689{uuid.uuid4().int % 10**7:07d}"])
    db.execute("update public.profiles set locale = %s where id = %s", [locale, user_id])
    line_user, device = "U" + uuid.uuid4().hex, str(uuid.uuid4())
    db.execute("insert into private.line_links (user_id, line_user_id) values (%s, %s)", [user_id, line_user])
    db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
               "values (%s, %s, 'onesignal', 'android')", [device, user_id])
    db.execute("insert into private.notification_preferences (user_id, channels) values (%s, %s)",
               [user_id, Jsonb({kind: ["push", "line", "sms"] for kind in KINDS})])
    return user_id, line_user, device


@respx.mock
@pytest.mark.parametrize("locale", ["th", "en"])
async def test_typed_text_reaches_every_channel_as_one_clean_line_within_the_limit(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]], locale: str) -> None:
    citizen, line_user, device = _citizen(db, locale)
    for kind, params in KINDS.items():
        db.execute("insert into public.notifications (recipient_id, kind, params) values (%s, %s, %s)",
                   [citizen, kind, Jsonb(params)])
    line_api = respx.post("https://api.line.me/v2/bot/message/push").mock(return_value=httpx.Response(200))
    sms_api = respx.post("https://sms.example/sms").mock(return_value=httpx.Response(
        201, json={"phone_number_list": [{"message_id": "m1"}], "bad_phone_number_list": []}))
    onesignal_api = respx.post("https://api.onesignal.com/notifications").mock(
        return_value=httpx.Response(200, json={"id": str(uuid.uuid4())}))
    console = ConsoleChannel()
    channels: dict[str, Channel] = {
        "console": console, "line": LineChannel("token"), "onesignal": OneSignalChannel("app", "key"),
        "sms": ThaiBulkSmsChannel("key", "secret", api_url="https://sms.example/sms")}
    await deliver_once(pool, channels, CONFIG, NOON)

    # The worker's messages, as every channel got them.
    messages: list[Message] = [m for m, _ in console.sent]
    assert sorted(m.kind.value for m in messages) == sorted(KINDS)
    for message in messages:
        for line in (message.title, message.body):
            assert _clean_line(line), (message.kind, line)
            assert "\u202e" not in line and "\n" not in line
        assert len(message.body) <= 3 * QUOTE_MAX + 60, message.body
        assert ELLIPSIS in message.body and "พัดลม <b>ฟรี!</b>ก" in message.body
    # LINE: our title, body and link on three lines of our own; nothing typed adds a fourth.
    line_texts = [json.loads(c.request.content)["messages"][0]["text"] for c in line_api.calls]
    assert len(line_texts) == len(KINDS)
    assert all(json.loads(c.request.content)["to"] == line_user for c in line_api.calls)
    for text in line_texts:
        title, body, link = text.split("\n")
        assert _clean_line(title) and _clean_line(body) and link.startswith("https://app.example/")
    # SMS (only the kinds that may use it): one line.
    sms_texts = [parse_qs(c.request.content.decode())["message"][0] for c in sms_api.calls]
    assert len(sms_texts) == 2
    assert all(_clean_line(text) and len(text) <= 4 * QUOTE_MAX + 80 for text in sms_texts), sms_texts
    # OneSignal: the heading and the contents under both language keys.
    for call in onesignal_api.calls:
        body = json.loads(call.request.content)
        assert body["include_subscription_ids"] == [device]
        for text in (*body["headings"].values(), *body["contents"].values()):
            assert _clean_line(text)
    assert len(onesignal_api.calls) == len(KINDS)


async def test_a_teacher_note_of_many_lines_reaches_the_student_as_one(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    student = uuid.uuid4()
    db.execute("select private.create_phone_user(%s, %s, true)", [student, f"6689{uuid.uuid4().int % 10**7:07d}"])
    note = "1. เปลี่ยนฟิวส์\n2. ถ่ายรูปใหม่\u2028\u2066ให้ชัด\u2069\n" * 20
    db.execute("insert into public.notifications (recipient_id, kind, params) values (%s, 'rework', %s)",
               [student, Jsonb({"item": "\u200b\u200d\n", "note": note})])
    console = ConsoleChannel()
    await deliver_once(pool, {"console": console}, CONFIG, NOON)
    ((message, _),) = console.sent
    assert message.body.startswith("(ไม่ระบุ): 1. เปลี่ยนฟิวส์ 2. ถ่ายรูปใหม่ ให้ชัด 1. เปลี่ยนฟิวส์")
    assert _clean_line(message.body) and message.body.endswith(ELLIPSIS)
    assert len(message.body) <= len("(ไม่ระบุ): ") + QUOTE_NOTE_MAX
