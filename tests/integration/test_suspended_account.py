"""An account an operator suspended (`profiles.is_active` cleared) keeps the person's PDPA rights: they still sign in,
download their data (the same file as before the suspension) and delete their account (the same deletion, the same
audit). Everything else answers 403 `account_suspended`, which tells them nothing but that, whom to ask and what
they can still do; `profile_missing` stays for a token whose person has no profile at all."""

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row
from starlette.requests import Request

from backend.app import create_app
from backend.auth.tokens import Identity, verify_token
from backend.db import user_tx
from backend.routes.events import events
from backend.settings import Settings
from mobile.api_client import ApiClient, ApiError
from shared.text import error_text
from tests.helpers import bearer, fresh_phone, session_for, sign_in
from tests.integration.builders import citizen_with_a_photo, draft, jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, accepted_job, set_active

# What a suspended person may still call: signing in and out, their data rights, and the public pages.
ALLOWED = {
    ("GET", "/health"), ("GET", "/categories"), ("GET", "/colleges"), ("GET", "/verify/{code}"),
    ("POST", "/auth/otp/request"), ("POST", "/auth/otp/verify"), ("POST", "/auth/refresh"),
    ("POST", "/auth/sign-out"), ("POST", "/line/webhook"),
    ("GET", "/me/export"), ("DELETE", "/me"),
    # Only take something of the person's away (the sign-out drops its device): erasure, never a read.
    ("DELETE", "/me/devices/{token}"), ("DELETE", "/me/line"),
}


@contextmanager
def suspended(database_url: str, user_id: str) -> Iterator[None]:
    set_active(database_url, user_id, False)
    try:
        yield
    finally:
        set_active(database_url, user_id, True)


def with_a_notification(database_url: str, user_id: str, request_id: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into public.notifications (recipient_id, kind, params, request_id) "
                     "values (%s, 'accepted', '{}', %s)", [user_id, request_id])


def assert_suspended(answer: httpx.Response, what: str = "") -> None:
    assert answer.status_code == 403, (what, answer.status_code, answer.text)
    error = answer.json()["error"]
    expected = error_text("account_suspended")
    assert (error["code"], error["message_th"], error["message_en"]) == ("account_suspended", expected.th,
                                                                        expected.en), what
    assert set(answer.json()) == {"error"}, what  # nothing else rides along


async def test_a_suspended_person_signs_in_and_is_told_only_that(api: httpx.AsyncClient, database_url: str) -> None:
    phone = fresh_phone()
    token, profile = await sign_in(api, phone)
    created = await api.post("/requests", json=draft(contact_phone=phone), headers=bearer(token))
    assert created.status_code == 201, created.text
    with suspended(database_url, profile["id"]):
        session = await session_for(api, phone)
        assert session["suspended"] is True and session["profile"] is None and session["access_token"]
        refreshed = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["suspended"] is True and refreshed.json()["profile"] is None
        me = await api.get("/me", headers=bearer(refreshed.json()["access_token"]))
        assert_suspended(me, "GET /me")
        assert "citizen" not in me.text and created.json()["id"] not in me.text
        assert "ดาวน์โหลดข้อมูล" in me.json()["error"]["message_th"]
        assert "download your data" in me.json()["error"]["message_en"]
        assert "Fixit administrators" in me.json()["error"]["message_en"]
    session = await session_for(api, phone)
    assert session["suspended"] is False and session["profile"]["id"] == profile["id"]


async def test_a_token_without_a_profile_is_still_profile_missing(api: httpx.AsyncClient,
                                                                 database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    with psycopg.connect(database_url, autocommit=True) as conn:  # the account deleted, its token still signed
        conn.execute("delete from auth.users where id = %s", [profile["id"]])
    gone = await api.get("/me", headers=bearer(token))
    assert gone.status_code == 403 and gone.json()["error"]["code"] == "profile_missing"


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The export without what a suspension itself changes: the flag and the profile's last change, and the audit
    trail (checked apart)."""
    rest = {k: v for k, v in data.items() if k != "audit"}
    rest["profile"] = {k: v for k, v in data["profile"].items() if k not in ("is_active", "updated_at")}
    return rest


async def test_the_export_of_a_suspended_person_is_complete(api: httpx.AsyncClient, database_url: str) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with_a_notification(database_url, user_id, request_id)
    before = await api.get("/me/export", headers=bearer(token))
    assert before.status_code == 200, before.text
    with suspended(database_url, user_id):
        after = await api.get("/me/export", headers=bearer(token))
        assert after.status_code == 200, after.text
        assert "attachment" in after.headers["content-disposition"]
    was, now = before.json(), after.json()
    assert was["requests"] and was["requests"][0]["photos"] and was["notifications"] and was["sessions"]
    assert _comparable(now) == _comparable(was)
    assert was["profile"]["is_active"] is True and now["profile"]["is_active"] is False
    assert now["audit"][:len(was["audit"])] == was["audit"]  # the trail only grew: the suspension, the exports
    with psycopg.connect(database_url) as conn:
        audited = conn.execute("select actor, actor_id from public.audit_events where action = 'account.export' "
                               "and target_id = %s order by id", [user_id]).fetchall()
    assert [(actor, str(actor_id)) for actor, actor_id in audited] == [("citizen", user_id)] * 2


async def test_a_suspended_person_deletes_their_account(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with_a_notification(database_url, user_id, request_id)
    with psycopg.connect(database_url) as conn:
        paths = [p for row in conn.execute("select storage_path, thumb_path from public.request_photos "
                                           "where request_id = %s", [request_id]).fetchall() for p in row]
    assert paths and all((settings.photos_dir / p).exists() for p in paths)
    set_active(database_url, user_id, False)

    unconfirmed = await api.delete("/me", headers=bearer(token))
    assert unconfirmed.status_code == 400 and unconfirmed.json()["error"]["code"] == "confirmation_required"
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))
    assert deleted.status_code == 204, deleted.text

    assert not any((settings.photos_dir / p).exists() for p in paths)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select * from public.repair_requests where id = %s", [request_id]).fetchone()
        users = conn.execute("select count(*) as n from auth.users where id = %s", [user_id]).fetchone()
        left = conn.execute(
            """select (select count(*) from public.profiles where id = %(me)s)
                      + (select count(*) from public.notifications where recipient_id = %(me)s)
                      + (select count(*) from public.request_photos where request_id = %(req)s) as n""",
            {"me": user_id, "req": request_id}).fetchone()
        audit = conn.execute("select actor, actor_id from public.audit_events where action = 'account.delete' "
                             "and target_id = %s", [user_id]).fetchall()
    assert row is not None and row["citizen_id"] is None and row["contact_phone"] is None and row["address"] == ""
    assert users == {"n": 0} and left == {"n": 0}
    assert [(a["actor"], str(a["actor_id"])) for a in audit] == [("citizen", user_id)]


def _url(path: str, ids: dict[str, str]) -> str:
    """The path with the person's own ids; any other id (a route added since) a fresh UUID."""
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), path)


async def test_every_other_route_answers_account_suspended(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    """Each route of the API, called by a suspended citizen with their own ids where a route takes one (their
    request, its photo, their notification, themselves as a student): 403 `account_suspended`, and nothing
    changed. A route whose body is checked before it runs may answer 400/422 for an empty body (nothing reached)."""
    token, user_id, request_id = await citizen_with_a_photo(api)
    with_a_notification(database_url, user_id, request_id)
    with psycopg.connect(database_url) as conn:
        notification = conn.execute("select id from public.notifications where recipient_id = %s",
                                    [user_id]).fetchone()
        college = conn.execute("select id from public.colleges limit 1").fetchone()
    assert notification is not None and college is not None
    before = _state(database_url, user_id, request_id)
    ids = {"request_id": request_id, "student_id": user_id, "college_id": str(college[0]),
           "notification_id": str(notification[0]), "offer_id": str(uuid.uuid4()), "part_id": str(uuid.uuid4()),
           "proposal_id": str(uuid.uuid4()), "kind": "before", "idx": "0"}
    query = {"/requests/duplicates": {"category_code": "appliance", "lat": "13.7563", "lon": "100.5018"}}
    routes = [(method.upper(), path, op) for path, ops in create_app(settings).openapi()["paths"].items()
              for method, op in ops.items()]
    assert len(routes) > 80
    checked, body_first = [], []
    with suspended(database_url, user_id):
        for method, path, op in routes:
            if (method, path) in ALLOWED:
                continue
            answer = await api.request(method, _url(path, ids), params=query.get(path), headers=bearer(token),
                                       json={} if "requestBody" in op else None)
            if answer.status_code in (400, 422) and "requestBody" in op:
                body_first.append((method, path))
                continue
            assert_suspended(answer, f"{method} {path}")
            checked.append((method, path))
        # Those bodies, valid: refused as well.
        for method, path, body in (
            ("POST", "/requests", draft()), ("PATCH", "/me", {"display_name": "ใหม่"}),
            ("PUT", "/me/notification-settings", {"quiet_hours": False}),
            ("POST", "/requests/{request_id}/cancel", {}), ("POST", "/requests/{request_id}/reopen", {}),
            ("POST", "/requests/{request_id}/rate", {"rating": 5}),
            ("POST", "/me/devices", {"token": str(uuid.uuid4()), "platform": "android"}),
        ):
            assert_suspended(await api.request(method, _url(path, ids), json=body, headers=bearer(token)), path)
        photo = {"file": ("b.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
        assert_suspended(await api.put(f"/requests/{request_id}/photos/1", files=photo, headers=bearer(token)))
    assert len(checked) > 45 and ("GET", "/requests/{request_id}") in checked, (len(checked), body_first)
    assert _state(database_url, user_id, request_id) == before


def _state(database_url: str, user_id: str, request_id: str) -> tuple[Any, ...]:
    """What a refused call must not have changed: the request, the name, the inbox, the photos, the devices."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """select r.status, r.updated_at, p.display_name, p.locale,
                      (select count(*) from public.repair_requests where citizen_id = %(me)s),
                      (select array_agg(read_at) from public.notifications where recipient_id = %(me)s),
                      (select count(*) from public.request_photos where request_id = %(req)s),
                      (select count(*) from private.notification_devices where user_id = %(me)s)
               from public.repair_requests r, public.profiles p where r.id = %(req)s and p.id = %(me)s""",
            {"me": user_id, "req": request_id}).fetchone()
    assert row is not None
    return tuple(row)


async def test_an_account_the_operator_restores_works_again(api: httpx.AsyncClient, database_url: str) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with suspended(database_url, user_id):
        assert_suspended(await api.get("/requests/mine", headers=bearer(token)))
    mine = await api.get("/requests/mine", headers=bearer(token))
    assert mine.status_code == 200 and [r["id"] for r in mine.json()] == [request_id]
    me = await api.get("/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["id"] == user_id and me.json()["role"] == "citizen"
    detail = await api.get(f"/requests/{request_id}", headers=bearer(token))
    assert detail.status_code == 200


async def test_the_app_client_reads_a_suspended_sign_in_and_keeps_its_rights(
    api: httpx.AsyncClient, database_url: str
) -> None:
    """The app's own client against the real backend: the sign-in parses (no profile), GET /me is the app's
    `is_suspended`, the export and the refresh work, and delete_account ends it."""
    phone = fresh_phone()
    _, profile = await sign_in(api, phone)
    set_active(database_url, profile["id"], False)
    client = ApiClient("http://fixit.test", transport=api._transport)
    try:
        sent = await client.request_otp(phone)
        assert sent.dev_code is not None
        signed = await client.verify_otp(phone, sent.dev_code)
        assert signed.suspended and signed.profile is None
        try:
            await client.me()
            raise AssertionError("GET /me answered")
        except ApiError as exc:
            assert exc.is_suspended and exc.is_auth_lost and exc.status == 403
        refreshed = await client.refresh_session()
        assert refreshed.suspended and client.token == refreshed.access_token
        data = await client.export_my_data()
        assert profile["id"] in data.decode()
        await client.delete_account()
        assert client.token is None
    finally:
        await client.aclose()


# --- Supabase's Data API: a suspended account's token reads nothing (audit 11c, migration 0040) -------------------
# A suspended person holds a token (for their data rights), and PostgREST runs it as `authenticated` with its claims:
# the policies that show a person their own rows ask only auth.uid(), so 0040 adds a restrictive one (a usable
# account) and the security definer feeds ask it too.

_CITIZEN_READS = """select (select count(*) from public.repair_requests) as requests,
                           (select count(*) from public.notifications) as notifications,
                           (select count(*) from public.request_photos) as photos,
                           (select count(*) from public.status_events) as timeline,
                           (select count(*) from public.profiles) as profiles"""


async def _reads(api: httpx.AsyncClient, claims: dict[str, Any], sql: str) -> dict[str, Any]:
    app = api._transport.app  # type: ignore[attr-defined]
    async with user_tx(app.state.pool, claims) as conn:
        row = await (await conn.execute(sql)).fetchone()
    assert row is not None
    return dict(row)


async def test_a_suspended_token_reads_nothing_of_its_own_through_rls(
    api: httpx.AsyncClient, database_url: str
) -> None:
    _, user_id, request_id = await citizen_with_a_photo(api)
    with_a_notification(database_url, user_id, request_id)
    claims: dict[str, Any] = {"sub": user_id, "role": "authenticated"}
    active = await _reads(api, claims, _CITIZEN_READS)
    assert all(n > 0 for n in active.values()), active  # what the same token reads while the account is usable
    with suspended(database_url, user_id):
        seen = await _reads(api, claims, _CITIZEN_READS)
    assert seen == {"requests": 0, "notifications": 0, "photos": 0, "timeline": 0, "profiles": 0}, seen


async def test_the_token_a_suspended_sign_in_hands_out_reads_nothing(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    phone = fresh_phone()
    first = await session_for(api, phone)
    user_id = first["profile"]["id"]
    created = await api.post("/requests", json=draft(contact_phone=phone), headers=bearer(first["access_token"]))
    assert created.status_code == 201, created.text
    with suspended(database_url, user_id):
        session = await session_for(api, phone)
        assert session["suspended"] is True
        claims = verify_token(settings, session["access_token"]).claims
        seen = await _reads(api, claims, "select (select count(*) from public.repair_requests) as requests, "
                                         "(select count(*) from public.profiles) as profiles")
    assert seen == {"requests": 0, "profiles": 0}, seen


async def test_a_suspended_students_token_reads_no_offer_job_or_skill(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    await accepted_job(api, area)
    ace = area.students["ace"][0]
    claims: dict[str, Any] = {"sub": ace, "role": "authenticated"}
    sql = """select (select count(*) from public.offers) as offers,
                    (select count(*) from public.my_offer_cards(false)) as offer_history,
                    (select count(*) from public.my_jobs()) as jobs,
                    (select count(*) from public.repair_requests) as requests,
                    (select count(*) from public.technician_skills) as skills"""
    active = await _reads(api, claims, sql)
    assert all(n > 0 for n in active.values()), active
    with suspended(database_url, ace):
        seen = await _reads(api, claims, sql)
    assert seen == {"offers": 0, "offer_history": 0, "jobs": 0, "requests": 0, "skills": 0}, seen


# --- a live stream opened before the suspension (audit 11c) ------------------------------------------------------


async def _next_chunk(chunks: Any, seconds: float) -> bytes | None:
    try:
        return bytes(await asyncio.wait_for(anext(chunks), seconds))
    except (StopAsyncIteration, TimeoutError):
        return None


async def test_an_open_stream_ends_when_the_account_is_suspended(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    """GET /events checked the profile once, when the stream opened: a suspended person kept hearing which of
    their requests moved. The suspension is announced to every backend copy, which ends that person's streams."""
    token, user_id, request_id = await citizen_with_a_photo(api)
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # the client never leaves
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                       "app": app}, receive)
    response = await events(request, verify_token(settings, token), app.state.pool)
    chunks = response.body_iterator
    assert await _next_chunk(chunks, 5) == b": connected\n\n"
    try:
        with suspended(database_url, user_id):
            with_a_notification(database_url, user_id, request_id)  # NOTIFY fixit_events, kind notification
            # The stream ends (the announcement comes first) rather than carrying the notification.
            assert await _next_chunk(chunks, 30) is None
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


async def test_an_open_stream_ends_at_its_tokens_expiry(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    """The token is checked when the stream opens; at the first keep-alive past its `exp` the stream ends (the app
    reconnects with its refreshed token, which is checked again)."""
    token, _, _ = await citizen_with_a_photo(api)
    app = api._transport.app  # type: ignore[attr-defined]
    identity = verify_token(settings, token)
    fast = SimpleNamespace(state=SimpleNamespace(hub=app.state.hub,
                                                 settings=settings.model_copy(update={"sse_ping_seconds": 0.05})))

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    for exp, after_connected in ((time.time() + 3600, b": ping\n\n"), (time.time() - 1, None)):
        request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                           "app": fast}, receive)
        live = Identity(identity.user_id, {**identity.claims, "exp": exp})
        chunks = (await events(request, live, app.state.pool)).body_iterator
        try:
            assert await _next_chunk(chunks, 5) == b": connected\n\n"
            assert await _next_chunk(chunks, 5) == after_connected, exp
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]
