"""Access-token verification against a Supabase project's signing keys, served by a real local HTTP server."""

import time
import uuid
from collections.abc import Iterator

import jwt
import pytest
from pydantic import SecretStr

from backend.auth import tokens
from backend.auth.tokens import (
    InvalidToken,
    NotAPhoneAccount,
    issue_token,
    known_identity,
    verify_token,
    verify_token_cached,
)
from backend.errors import ApiError
from backend.settings import AuthMode, Settings
from tests.helpers import FakeGoTrue

SECRET = "s" * 40


@pytest.fixture
def gotrue() -> Iterator[FakeGoTrue]:
    with FakeGoTrue() as fake:
        yield fake


def supabase_settings(fake: FakeGoTrue, **overrides: object) -> Settings:
    values: dict[str, object] = {"auth_mode": AuthMode.SUPABASE, "supabase_url": fake.url,
                                 "supabase_anon_key": SecretStr("anon-key"), "jwks_refresh_cooldown_seconds": 0.0}
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_gotrue_es256_token_verifies_with_the_published_key(gotrue: FakeGoTrue) -> None:
    user = uuid.uuid4()
    identity = verify_token(supabase_settings(gotrue), gotrue.token_for(user))
    assert identity.user_id == user and identity.claims["amr"][0]["method"] == "otp"


def test_rs256_keys_work_too(gotrue: FakeGoTrue) -> None:
    kid = gotrue.add_key("RS256")
    user = uuid.uuid4()
    token = gotrue.sign(gotrue.claims(user, "66600000001"), kid)
    assert verify_token(supabase_settings(gotrue), token).user_id == user


def test_keys_are_cached_and_fetched_again_for_a_new_kid(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue)
    for _ in range(3):
        verify_token(settings, gotrue.token_for(uuid.uuid4()))
    assert gotrue.jwks_hits == 1
    rotated = gotrue.add_key("ES256")  # the project rotates its key: the new kid is fetched once
    verify_token(settings, gotrue.sign(gotrue.claims(uuid.uuid4(), "66600000002"), rotated))
    verify_token(settings, gotrue.sign(gotrue.claims(uuid.uuid4(), "66600000002"), rotated))
    assert gotrue.jwks_hits == 2


def test_unknown_kids_cannot_hammer_the_jwks_endpoint(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue, jwks_refresh_cooldown_seconds=60.0)
    verify_token(settings, gotrue.token_for(uuid.uuid4()))
    unpublished = gotrue.add_key("ES256", publish=False)
    for _ in range(5):
        with pytest.raises(InvalidToken, match="no signing key"):
            verify_token(settings, gotrue.sign(gotrue.claims(uuid.uuid4(), "66600000003"), unpublished))
    assert gotrue.jwks_hits == 1


def test_bad_tokens_are_invalid(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue)
    user = uuid.uuid4()
    claims = gotrue.claims(user, "66600000004")
    # Signed by a key the project never published.
    unknown = gotrue.add_key("ES256", publish=False)
    cases = {"unknown kid": gotrue.sign(claims, unknown)}
    # Signed by another key under the published kid.
    cases["wrong key"] = jwt.encode(claims, gotrue.keys[unknown], algorithm="ES256", headers={"kid": gotrue.kid})
    cases["HS256 without a secret"] = jwt.encode(claims, SECRET, algorithm="HS256")
    cases["alg none"] = jwt.encode(claims, "", algorithm="none")
    cases["no kid"] = jwt.encode(claims, gotrue.keys[gotrue.kid], algorithm="ES256")
    cases["expired"] = gotrue.sign({**claims, "exp": int(time.time()) - 5})
    cases["other issuer"] = gotrue.sign({**claims, "iss": "https://other.supabase.co/auth/v1"})
    cases["other audience"] = gotrue.sign({**claims, "aud": "anon"})
    cases["service role"] = gotrue.sign({**claims, "role": "service_role"})
    cases["sub not a uuid"] = gotrue.sign({**claims, "sub": "admin"})
    cases["no exp"] = gotrue.sign({k: v for k, v in claims.items() if k != "exp"})
    cases["garbage"] = "not.a.jwt"
    for name, token in cases.items():
        with pytest.raises(InvalidToken):
            verify_token(settings, token)
            pytest.fail(name)


def test_only_a_phone_sign_in_with_a_code_is_a_fixit_account(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue)
    user = uuid.uuid4()
    now = int(time.time())
    claims = gotrue.claims(user, "66600000006", now=now)
    assert verify_token(settings, gotrue.sign(claims)).user_id == user
    # A session's later access tokens keep the sign-in's `amr` (GoTrue adds the refresh to it).
    refreshed = {**claims, "amr": [{"method": "otp", "timestamp": now}, {"method": "token_refresh", "timestamp": now}]}
    assert verify_token(settings, gotrue.sign(refreshed)).user_id == user
    # Good tokens of the same project, for accounts made or signed in another way.
    others = {
        "e-mail and password": {**claims, "phone": "", "email": "a@example.com",
                                "amr": [{"method": "password", "timestamp": now}]},
        "e-mail code, no phone": {**claims, "phone": "", "email": "a@example.com"},
        "anonymous": {**claims, "phone": "", "is_anonymous": True, "amr": [{"method": "anonymous", "timestamp": now}]},
        "password of a phone": {**claims, "amr": [{"method": "password", "timestamp": now}]},
        "no phone claim": {k: v for k, v in claims.items() if k != "phone"},
        "no amr": {k: v for k, v in claims.items() if k != "amr"},
        "amr not a list": {**claims, "amr": "otp"},
    }
    for name, other in others.items():
        with pytest.raises(NotAPhoneAccount):
            verify_token(settings, gotrue.sign(other))
            pytest.fail(name)
    # The local issuer signs phone sign-ins only; its tokens are not asked (tests' own claims stay as they are).
    local = Settings(jwt_secret=SecretStr(SECRET))
    bare = jwt.encode({**claims, "iss": "fixit-local", "phone": "", "amr": []}, SECRET, algorithm="HS256")
    assert verify_token(local, bare).user_id == user


def test_the_legacy_secret_still_verifies_when_set(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue, jwt_secret=SecretStr(SECRET))
    user = uuid.uuid4()
    legacy = jwt.encode(gotrue.claims(user, "66600000005"), SECRET, algorithm="HS256")
    assert verify_token(settings, legacy).user_id == user
    assert verify_token(settings, gotrue.token_for(user)).user_id == user  # and the new keys too


def test_no_reachable_keys_is_a_503_not_a_401(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue)
    gotrue.fail["/auth/v1/.well-known/jwks.json"] = (500, {"msg": "down"})
    with pytest.raises(ApiError) as caught:
        verify_token(settings, gotrue.token_for(uuid.uuid4()))
    assert caught.value.status == 503 and caught.value.code == "auth_keys_unavailable"


def test_keys_fetched_before_an_outage_keep_working(gotrue: FakeGoTrue) -> None:
    settings = supabase_settings(gotrue, jwks_cache_seconds=1)
    verify_token(settings, gotrue.token_for(uuid.uuid4()))
    gotrue.fail["/auth/v1/.well-known/jwks.json"] = (503, {"msg": "down"})
    time.sleep(1.1)  # the cache is due: the fetch fails, the known key stays usable
    assert verify_token(settings, gotrue.token_for(uuid.uuid4()))


def test_the_local_issuer_signs_and_checks_its_own_issuer() -> None:
    local = Settings(jwt_secret=SecretStr(SECRET))
    user = uuid.uuid4()
    token = issue_token(local, user, "+66811111111")
    assert verify_token(local, token).claims["iss"] == "fixit-local"
    # An ES256 token means nothing to the local issuer, which has no project to take keys from.
    with FakeGoTrue() as fake, pytest.raises(InvalidToken):
        verify_token(local, fake.token_for(user, iss="fixit-local"))
    with pytest.raises(ApiError) as caught:  # no secret: a clear 503, never a crash
        issue_token(Settings(jwt_secret=SecretStr("")), user, None)
    assert caught.value.code == "auth_not_configured"


def test_start_up_names_what_is_missing() -> None:
    problems = Settings(auth_mode=AuthMode.SUPABASE, supabase_url="", jwt_secret=SecretStr("short"),
                        supabase_anon_key=SecretStr("")).production_problems()
    text = "\n".join(problems)
    assert "SUPABASE_URL" in text and "SUPABASE_ANON_KEY" in text and "SUPABASE_JWT_SECRET" in text
    fine = Settings(auth_mode=AuthMode.SUPABASE, supabase_url="https://abc.supabase.co",
                    supabase_anon_key=SecretStr("anon"), jwt_secret=SecretStr(""), public_url="https://api.fixit.th",
                    database_url="postgresql://db.abc.supabase.co/postgres",
                    supabase_service_role_key=SecretStr("service-role"))
    assert fine.production_problems() == []  # signing keys need no secret
    assert "FIXIT_JWT_SECRET" in "\n".join(Settings(jwt_secret=SecretStr("")).configuration_problems())


def test_production_needs_the_public_https_address_printed_on_portfolios() -> None:
    """The portfolio PDF's verify link and QR name FIXIT_PUBLIC_URL (never the caller's Host header): production
    refuses to start without it, or with plain http; development prints the local address."""
    fine = {"auth_mode": AuthMode.SUPABASE, "supabase_url": "https://abc.supabase.co",
            "supabase_anon_key": SecretStr("anon")}
    for missing in ("", "http://api.fixit.th"):
        problems = Settings(**fine, public_url=missing).production_problems()  # type: ignore[arg-type]
        assert any("FIXIT_PUBLIC_URL" in p for p in problems), problems
    assert Settings(**fine, public_url="https://api.fixit.th/").public_base == "https://api.fixit.th"  # type: ignore[arg-type]
    assert Settings(dev_mode=True).public_base == "http://127.0.0.1:8000"
    with pytest.raises(ValueError):
        Settings(public_url="api.fixit.th")


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(jwt_secret=SecretStr(SECRET))
    user = uuid.uuid4()
    issued = time.time()
    token = issue_token(settings, user, "66600000009", now=issued)
    checks: list[str] = []
    real_verify = tokens.verify_token

    def counting(settings: Settings, token: str) -> tokens.Identity:
        checks.append(token)
        return real_verify(settings, token)

    monkeypatch.setattr(tokens, "verify_token", counting)
    assert verify_token_cached(settings, token).user_id == user
    assert verify_token_cached(settings, token).user_id == user
    assert len(checks) == 1  # the second request paid no signature check
    # Another configuration (another secret) never sees this one's tokens as verified.
    with pytest.raises(InvalidToken):
        verify_token_cached(Settings(jwt_secret=SecretStr("t" * 40)), token)
    assert len(checks) == 2
    # From `exp` on (PyJWT's leeway is 0) the remembered identity is gone: the token goes through the real check.
    expiry = int(issued) + settings.jwt_ttl_seconds
    monkeypatch.setattr(time, "time", lambda: expiry - 0.001)
    assert known_identity(settings, token) is not None
    monkeypatch.setattr(time, "time", lambda: float(expiry))
    assert known_identity(settings, token) is None
    verify_token_cached(settings, token)
    assert len(checks) == 3
    # Failures are not remembered.
    assert known_identity(settings, "not.a.jwt") is None
    with pytest.raises(InvalidToken):
        verify_token_cached(settings, "not.a.jwt")
    assert known_identity(settings, "not.a.jwt") is None
