"""A replay of POST /requests: the same key with the same body is the stored request again (200); the same key with
a changed body is refused (409 idempotency_key_reused), never answered with the stored request as if the change
had been taken."""

import httpx
import psycopg
import pytest

from backend.app import create_app
from backend.settings import Settings
from mobile.api_client import ApiClient, ApiError
from shared.text import error_text
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key


def stored(database_url: str, key: str) -> tuple[str, str, str, float]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select item, description, address, lat from public.repair_requests "
                           "where idempotency_key = %s", [key]).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


async def test_a_replay_with_changed_fields_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, database_url: str
) -> None:
    token, _ = await sign_in(api, fresh_phone())
    first = draft()
    created = await api.post("/requests", json=first, headers=bearer(token))
    assert created.status_code == 201, created.text
    before = stored(database_url, first["idempotency_key"])
    changes: list[dict[str, object]] = [
        {"item": "ตู้เย็น"}, {"description": "เปิดไม่ติดเลย ไม่มีไฟเข้า"}, {"address": "99 ถนนสุขุมวิท"}, {"lat": 13.76},
        {"preferred_days": ["mon"]}, {"contact_phone": "089-999-9999"}, {"service_place": "home"}, {"brand": "Hitachi"},
        {"province": "เชียงใหม่"}, {"category_code": "electronics"}]
    for change in changes:
        replay = await api.post("/requests", json={**first, **change}, headers=bearer(token))
        assert replay.status_code == 409, (change, replay.text)
        error = replay.json()["error"]
        text = error_text("idempotency_key_reused")
        assert (error["code"], error["message_th"], error["message_en"]) == ("idempotency_key_reused", text.th,
                                                                               text.en)
    assert stored(database_url, first["idempotency_key"]) == before
    assert rows_with_key(database_url, first["idempotency_key"]) == 1


async def test_an_unchanged_replay_still_answers_the_stored_request(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    first = draft()
    created = await api.post("/requests", json=first, headers=bearer(token))
    assert created.status_code == 201, created.text
    refused = await api.post("/requests", json={**first, "item": "ตู้เย็น"}, headers=bearer(token))
    assert refused.status_code == 409
    # The same draft again, as the app's retry sends it (spaces and the phone as typed: the stored values are the
    # cleaned ones, and the comparison is of what would be stored).
    again = await api.post("/requests", json=first, headers=bearer(token))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == created.json()["id"] and again.json()["item"] == "พัดลม ตั้งโต๊ะ"
    tidied = {**first, "item": " พัดลม ตั้งโต๊ะ ", "contact_phone": "+66812345678",
              "preferred_days": list(reversed(first["preferred_days"]))}
    same = await api.post("/requests", json=tidied, headers=bearer(token))
    assert same.status_code == 200, same.text
    assert same.json()["id"] == created.json()["id"]


async def test_the_apps_client_reads_the_refusal_as_final(settings: Settings) -> None:
    """What the app's outbox and form get: a refusal with its words, not worth sending again, not a request."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        client = ApiClient("http://fixit.test", transport=httpx.ASGITransport(app=app))
        phone = fresh_phone()
        sent = await client.request_otp(phone)
        assert sent.dev_code is not None
        await client.verify_otp(phone, sent.dev_code)
        first = draft()
        created = await client.create_request(first)
        with pytest.raises(ApiError) as refused:
            await client.create_request({**first, "description": "เปิดไม่ติดเลย ไม่มีไฟเข้า"})
        error = refused.value
        assert (error.status, error.code) == (409, "idempotency_key_reused")
        assert not error.is_retryable and not error.is_network and not error.is_auth_lost
        assert error.text == error_text("idempotency_key_reused")
        again = await client.create_request(first)
        assert again.id == created.id and again.description == "เปิดแล้วไม่หมุน มีกลิ่นไหม้"
