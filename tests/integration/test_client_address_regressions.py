"""The caller's address in the audit trail: whatever a trusted proxy forwards, an audited change goes through
(audit18a finding 1). backend/deps.py keeps only an address Python's ipaddress accepts; migration 0081's
private.audit casts the setting inside a block that catches what is no address."""

import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import psycopg
import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend.app import create_app
from backend.deps import checked_address
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft


# --- A forwarded address that is not an address -----------------------------------------------------------------
# `fixit-backend serve` runs uvicorn with proxy_headers (backend/cli.py): behind a proxy it trusts (FORWARDED_ALLOW_IPS,
# "*" where the platform's proxy address is not known; or a client on 127.0.0.1, uvicorn's default) the caller's
# address is taken from X-Forwarded-For as written, unchecked. backend/deps.py hands it to the audit trigger
# (migration 0008), whose only check is the pattern '^[0-9a-fA-F:.]+$': "dead", "1.2.3" or "::::" pass it, the
# ::inet cast fails, and every audited change of that caller (a status, an assignment, a role) is a 500. Now
# it is kept only when it is an IP address.
@pytest.fixture
async def behind_a_trusting_proxy(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    # What uvicorn.run(proxy_headers=True) wraps the app in, with FORWARDED_ALLOW_IPS=* (the ASGI types of uvicorn
    # and httpx differ in name only).
    proxied = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts="*")
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cast(Any, proxied), raise_app_exceptions=False),
            base_url="http://fixit.test") as client:
        yield client


@pytest.mark.parametrize("forwarded", ["dead", "1.2.3", "::::"])
async def test_a_forwarded_address_that_is_no_address_does_not_break_audited_changes(
        behind_a_trusting_proxy: httpx.AsyncClient, database_url: str, forwarded: str) -> None:
    api = behind_a_trusting_proxy
    token, _ = await sign_in(api, fresh_phone())
    created = await api.post("/requests", json=draft(), headers=bearer(token))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": ""},
                               headers={**bearer(token), "X-Forwarded-For": forwarded})
    assert cancelled.status_code == 200, cancelled.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select client_ip from public.audit_events where target_id = %s "
                           "and action = 'request.status' order by id desc limit 1", [rid]).fetchone()
    assert row == (None,)  # no address rather than a made-up one

async def test_a_real_forwarded_address_is_audited(behind_a_trusting_proxy: httpx.AsyncClient,
                                                   database_url: str) -> None:
    """The companion: the same change with a real address goes through and is audited from it."""
    api = behind_a_trusting_proxy
    token, _ = await sign_in(api, fresh_phone())
    rid = (await api.post("/requests", json=draft(), headers=bearer(token))).json()["id"]
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": ""},
                               headers={**bearer(token), "X-Forwarded-For": "203.0.113.5"})
    assert cancelled.status_code == 200, cancelled.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select host(client_ip) from public.audit_events where target_id = %s "
                           "and action = 'request.status' order by id desc limit 1", [rid]).fetchone()
    assert row == ("203.0.113.5",)


@pytest.mark.parametrize("setting", ["dead", "1.2.3", "::::", "fe80::1%eth0", "203.0.113.5/99"])
def test_the_audit_trail_takes_no_address_from_a_setting_that_is_none(database_url: str, setting: str) -> None:
    """The database's own side: a copy of the backend that sets any text as `fixit.client_ip` (an older one, or an
    operator's session) gets its change audited without an address, not refused."""
    target = uuid.uuid4()
    with psycopg.connect(database_url) as conn:
        conn.execute("select set_config('fixit.client_ip', %s, true)", [setting])
        conn.execute("select private.audit('test.address', 'profiles', %s, null, null)", [target])
        row = conn.execute("select client_ip from public.audit_events where target_id = %s", [target]).fetchone()
        conn.rollback()
    assert row == (None,)


@pytest.mark.parametrize(("host", "kept"), [("203.0.113.5", "203.0.113.5"), ("2001:DB8::1", "2001:db8::1"),
                                            ("dead", None), ("1.2.3", None), ("::::", None), ("", None),
                                            (None, None), ("fe80::1%eth0", None), ("๑.๒.๓.๔", None)])
def test_only_an_ip_address_is_kept_as_the_callers_address(host: str | None, kept: str | None) -> None:
    assert checked_address(host) == kept
