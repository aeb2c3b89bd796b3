"""Audit 11c: the token a suspended person now gets at sign-in still reads their rows through RLS.

suspended11 issues a session to a suspended account (for GET /me/export and DELETE /me) and makes every backend
route answer 403 account_suspended. But the project's threat model (migrations 0007, 0014, 0025) counts Supabase's
Data API: PostgREST runs the same token as `authenticated` with its claims, and the row level security policies that
show a person their own rows (requests, notifications, offers, their profile with its role) never look at
`profiles.is_active` - only `private.my_role()` does. Right behaviour: a suspended account's token reads nothing."""

import httpx

from backend.auth.tokens import verify_token
from backend.db import user_tx
from backend.settings import Settings
from tests.helpers import fresh_phone, session_for
from tests.integration.builders import citizen_with_a_photo, draft
from tests.integration.test_suspended_account import suspended, with_a_notification


async def test_a_suspended_token_reads_nothing_as_authenticated(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    _, user_id, request_id = await citizen_with_a_photo(api)
    with_a_notification(database_url, user_id, request_id)
    app = api._transport.app  # type: ignore[attr-defined]
    with suspended(database_url, user_id):
        async with user_tx(app.state.pool, {"sub": user_id, "role": "authenticated"}) as conn:
            seen = await (await conn.execute(
                """select (select count(*) from public.repair_requests) as requests,
                          (select count(*) from public.notifications) as notifications,
                          (select count(*) from public.request_photos) as photos,
                          (select count(*) from public.status_events) as timeline,
                          (select count(*) from public.profiles) as profiles""")).fetchone()
    assert seen is not None and dict(seen) == {"requests": 0, "notifications": 0, "photos": 0, "timeline": 0,
                                               "profiles": 0}, dict(seen)


async def test_the_sign_in_of_a_suspended_account_hands_out_such_a_token(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    """The claims above are the ones the sign-in gives: the same reads with the real token."""
    phone = fresh_phone()
    first = await session_for(api, phone)
    user_id = first["profile"]["id"]
    created = await api.post("/requests", json=draft(contact_phone=phone), headers={"Authorization": f"Bearer {first['access_token']}"})
    assert created.status_code == 201, created.text
    app = api._transport.app  # type: ignore[attr-defined]
    with suspended(database_url, user_id):
        session = await session_for(api, phone)
        assert session["suspended"] is True
        claims = verify_token(settings, session["access_token"]).claims
        async with user_tx(app.state.pool, claims) as conn:
            row = await (await conn.execute(
                "select count(*) as n, max(item) as item from public.repair_requests")).fetchone()
            me = await (await conn.execute("select role from public.profiles where id = %s", [user_id])).fetchone()
    assert row is not None and row["n"] == 0, f"the suspended token reads its requests: {dict(row)}"
    assert me is None, f"the suspended token reads its own profile: {me}"
