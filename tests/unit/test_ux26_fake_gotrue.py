"""ux26 #4: the tests' fake Supabase Auth answers a used refresh token as GoTrue's RefreshTokenGrant does (legacy
tokens; supabase/auth internal/tokens/service.go), not stricter: the parent of the session's active token gets that
active token at any time, any other used token a new one within the reuse interval of its revocation, and past it
the refusal that ends the session's tokens."""

import uuid
from typing import Any

from shared.wire import REFRESH_TOKEN_REUSE_SECONDS
from tests.helpers import FakeGoTrue


def _refresh(fake: FakeGoTrue, token: str) -> tuple[int, dict[str, Any]]:
    return fake._refresh(token)  # what the fake's POST /auth/v1/token?grant_type=refresh_token answers


def _signed_in(fake: FakeGoTrue) -> str:
    return str(fake._session(uuid.uuid4(), "66812345678", str(uuid.uuid4()))["refresh_token"])


def test_the_parent_of_the_active_token_gets_the_active_token_at_any_time() -> None:
    with FakeGoTrue() as fake:
        first = _signed_in(fake)
        status, answer = _refresh(fake, first)
        assert status == 200
        active = answer["refresh_token"]
        fake.later = 10 * REFRESH_TOKEN_REUSE_SECONDS  # long past the interval: still the lost answer's repeat
        for _ in range(2):
            status, again = _refresh(fake, first)
            assert (status, again["refresh_token"]) == (200, active) and again["access_token"]
        assert len(fake.refresh_tokens) == 2  # no token made for it


def test_a_grandparent_is_answered_within_the_interval_and_refused_past_it() -> None:
    with FakeGoTrue() as fake:
        _grandparents(fake)


def _grandparents(fake: FakeGoTrue) -> None:
    first = _signed_in(fake)
    second = _refresh(fake, first)[1]["refresh_token"]
    third = _refresh(fake, second)[1]["refresh_token"]
    status, answer = _refresh(fake, first)  # a grandparent at once: GoTrue's reuse interval forgives it
    assert status == 200 and answer["refresh_token"] not in (first, second, third)

    other = _signed_in(fake)
    older = _refresh(fake, _refresh(fake, other)[1]["refresh_token"])[1]["refresh_token"]
    fake.later = REFRESH_TOKEN_REUSE_SECONDS + 1
    status, refused = _refresh(fake, other)
    assert (status, refused["error_code"]) == (400, "refresh_token_already_used")
    # The session's tokens went with it: its active token too, once past the interval of that revocation.
    fake.later = 2 * REFRESH_TOKEN_REUSE_SECONDS + 2
    assert _refresh(fake, older)[0] == 400
    # Another session is untouched.
    assert _refresh(fake, third)[0] == 200
