"""What reaches the notification routes from outside: LINE's public webhook and a person's notification settings
(audit18a findings 9, 10 and 15). A malformed header or key is refused with a 4xx, never a 500; a code typed in
Thai digits is the code."""

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from backend.app import create_app
from backend.notifications.channels.line import verify_signature
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in

# --- A LINE link code in Thai digits ----------------------------------------------------------------------------
# The webhook keeps the characters of the message for which str.isdigit() is true: Thai digits (๐-๙, on every Thai
# keyboard) are among them, so "๑๒๓๔๕๖" is a 6-digit code, spends one of the LINE user's tries and matches no
# stored code (stored in ASCII digits). The person who types their own code in Thai digits is never linked.
LINE_SECRET = "line-channel-secret-for-audit18a"
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.fixture


async def line_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(LINE_SECRET)}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client


async def _line_says(api: httpx.AsyncClient, line_user: str, text: str) -> int:
    """What LINE posts when `line_user` sends `text` to the official account; how many accounts got linked."""
    body = json.dumps({"events": [{"type": "message", "message": {"type": "text", "text": text},
                                   "source": {"userId": line_user}}]}).encode()
    signature = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    answer = await api.post("/line/webhook", content=body, headers={"X-Line-Signature": signature,
                                                                     "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    linked: int = answer.json()["linked"]
    return linked


async def test_a_line_link_code_sent_in_thai_digits_links_the_account(line_api: httpx.AsyncClient,
                                                                      database_url: str) -> None:
    token, person = await sign_in(line_api, fresh_phone())
    code = (await line_api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    line_user = "U" + "7" * 32
    assert await _line_says(line_api, line_user, code.translate(THAI_DIGITS)) == 1
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select line_user_id from private.line_links where user_id = %s",
                           [person["id"]]).fetchone()
    assert row == (line_user,)


# --- A LINE signature that is not ASCII --------------------------------------------------------------------------
# backend/notifications/channels/line.verify_signature compares the header with hmac.compare_digest on str, which
# raises TypeError for a string with a non-ASCII character: anyone posting to the public webhook with the header
# byte 0xE9 (Latin-1 "é", how Starlette reads header bytes) gets a 500 instead of the 401 a wrong signature gets.
async def test_a_line_signature_that_is_not_ascii_is_a_401(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(LINE_SECRET)}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://fixit.test") as api:
        wrong = await api.post("/line/webhook", content=b'{"events": []}',
                               headers={"X-Line-Signature": "bm90IHRoZSBzaWduYXR1cmU=",
                                        "Content-Type": "application/json"})
        assert wrong.status_code == 401, wrong.text  # an ASCII wrong signature: refused as it should be
        odd = await api.post("/line/webhook", content=b'{"events": []}',
                             headers={b"X-Line-Signature": b"\xe9t\xe9", b"Content-Type": b"application/json"})
        assert odd.status_code == 401, odd.text
        assert odd.json()["error"]["code"] == "not_authenticated"


# --- A notification kind that is a lone surrogate ----------------------------------------------------------------
# NotificationSettingsIn.channels is keyed by KindName, a plain str (not Line): a JSON key "\ud800" (a lone
# surrogate, valid JSON) reaches PUT /me/notification-settings, which answers "unknown kind " + the key. The error
# body cannot be encoded as UTF-8 (UnicodeEncodeError in Starlette's JSONResponse): a 500 instead of the 400, and
# the caller's key echoed where backend.schemas.validation_problems never echoes a dictionary key.
async def test_a_lone_surrogate_notification_kind_is_a_400(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://fixit.test") as api:
        token, _ = await sign_in(api, fresh_phone())
        headers = {**bearer(token), "Content-Type": "application/json"}
        unknown = await api.put("/me/notification-settings", content=b'{"channels": {"no_such_kind": ["push"]}}',
                                headers=headers)
        assert unknown.status_code == 400, unknown.text  # an unknown kind in plain letters: the 400 it should be
        surrogate = await api.put("/me/notification-settings", content=b'{"channels": {"\\ud800": ["push"]}}',
                                  headers=headers)
        assert surrogate.status_code in (400, 422), surrogate.text


async def test_a_sign_in_code_typed_in_thai_digits_signs_in(api: httpx.AsyncClient) -> None:
    """The same rule for the sign-in code (shared.otp.typed_code): before, ๑๒๓๔๕๖ was "not a code" (400)."""
    phone = fresh_phone()
    sent = await api.post("/auth/otp/request", json={"phone": phone})
    thai = sent.json()["dev_code"].translate(THAI_DIGITS)
    verified = await api.post("/auth/otp/verify", json={"phone": phone, "code": thai})
    assert verified.status_code == 200, verified.text
    assert verified.json()["profile"]["phone"] == "+66" + phone[1:]


def test_a_signature_that_is_not_ascii_is_no_signature() -> None:
    body = b'{"events": []}'
    good = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert verify_signature(LINE_SECRET, body, good)
    assert not verify_signature(LINE_SECRET, body, "\xe9t\xe9")
    assert not verify_signature(LINE_SECRET, body, good[:-1] + "\u0e51")
