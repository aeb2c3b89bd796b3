"""Audit 8: linking a LINE account is a 6-digit code the person sends to Fixit's LINE official account. Nothing
limited how many codes one LINE user could send, so anyone could keep sending guesses until one matched a code
someone else had just asked for, and receive that person's notifications on their own LINE. Each LINE user now
has a few tries an hour; a guess past them links nothing, even the right code."""

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
from backend.settings import Settings
from shared.notifications import LINE_LINK_TRIES_PER_HOUR
from tests.helpers import bearer, fresh_phone, sign_in

SECRET = "line-channel-secret-for-tests"
ATTACKER, OWNER = "U" + "a" * 32, "U" + "0123456789abcdef" * 2  # LINE user ids


@pytest.fixture
async def line_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(SECRET)}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client


async def _send(api: httpx.AsyncClient, line_user: str, *codes: str) -> int:
    """What LINE posts when `line_user` sends these messages to the official account; how many got linked."""
    body = json.dumps({"events": [{"type": "message", "message": {"type": "text", "text": code},
                                   "source": {"userId": line_user}} for code in codes]}).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    answer = await api.post("/line/webhook", content=body, headers={"X-Line-Signature": signature,
                                                                     "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    linked: int = answer.json()["linked"]
    return linked


def _linked_to(database_url: str, user_id: str) -> str | None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select line_user_id from private.line_links where user_id = %s", [user_id]).fetchone()
    return row[0] if row else None


async def test_a_line_user_guessing_link_codes_runs_out_of_tries(line_api: httpx.AsyncClient,
                                                                 database_url: str) -> None:
    token, victim = await sign_in(line_api, fresh_phone())
    code = (await line_api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, LINE_LINK_TRIES_PER_HOUR + 1)]
    assert await _send(line_api, ATTACKER, *wrong) == 0
    assert await _send(line_api, ATTACKER, code) == 0  # the right code, but after the tries ran out
    assert _linked_to(database_url, victim["id"]) is None
    # The person who asked for the code links their own LINE with it as usual.
    assert await _send(line_api, OWNER, code) == 1
    assert _linked_to(database_url, victim["id"]) == OWNER
