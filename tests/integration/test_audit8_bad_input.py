"""Audit 8: odd input that reached PostgreSQL unchecked and came back as a 500 instead of a clear 4xx."""

import httpx
import psycopg
import pytest

from tests.helpers import bearer, fresh_phone, sign_in

BEYOND_BIGINT = str(2**63)


async def test_a_page_cursor_beyond_bigint_is_a_422_not_a_500(api: httpx.AsyncClient, database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    answer = await api.get(f"/me/notifications?before_id={BEYOND_BIGINT}", headers=bearer(token))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["fields"]["before_id"]["message_th"]
    assert (await api.get(f"/me/notifications?before_id={2**63 - 1}", headers=bearer(token))).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set role = 'admin' where id = %s", [profile["id"]])
    try:
        audit = await api.get(f"/admin/audit?before_id={BEYOND_BIGINT}", headers=bearer(token))
        assert audit.status_code == 422, audit.text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set role = 'citizen' where id = %s", [profile["id"]])


@pytest.mark.parametrize("notification_id", [BEYOND_BIGINT, "-1"])
async def test_marking_an_impossible_notification_read_is_a_404(api: httpx.AsyncClient, notification_id: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.post(f"/me/notifications/{notification_id}/read", headers=bearer(token))
    assert answer.status_code == 404, answer.text
