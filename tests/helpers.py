"""Small helpers the integration and e2e tests share."""

import itertools
import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from shared.paging import NEXT_CURSOR_HEADER
from shared.wire import REFRESH_TOKEN_REUSE_SECONDS

_phones = itertools.count(1)


def fresh_phone() -> str:
    """A Thai mobile number (06 + pid + counter) that neither the seed (08x, 09x) nor another test uses."""
    return f"06{os.getpid() % 10000:04d}{next(_phones):04d}"


async def session_for(api: httpx.AsyncClient, phone: str, code: str | None = None) -> dict[str, Any]:
    """The whole sign-in answer (tokens, expiry, profile). Without `code`, the dev-mode code the backend answers."""
    sent = await api.post("/auth/otp/request", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    verified = await api.post("/auth/otp/verify", json={"phone": phone, "code": code or sent.json()["dev_code"]})
    assert verified.status_code == 200, verified.text
    body: dict[str, Any] = verified.json()
    return body


async def sign_in(api: httpx.AsyncClient, phone: str) -> tuple[str, dict[str, Any]]:
    body = await session_for(api, phone)
    return body["access_token"], body["profile"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- A local fake of a Supabase project's Auth API (GoTrue), on a real HTTP server ------------------------------


@dataclass
class FakeRefreshToken:
    """One of GoTrue's (legacy, random) refresh tokens: auth.refresh_tokens' row as RefreshTokenGrant reads it."""

    user_id: uuid.UUID
    phone: str
    session_id: str
    seq: int  # its id: the session's active token is its latest one not revoked
    parent: str | None = None  # the token it was swapped for
    revoked_at: float | None = None  # when it was revoked (its updated_at then); None: not revoked


class FakeGoTrue:
    """Supabase Auth's HTTP API as far as Fixit uses it, on 127.0.0.1: the JWKS, /otp, /verify, /token
    (refresh_token grant, rotating) and /logout, signing access tokens with GoTrue's claims and an ES256 (or RS256)
    key served at /auth/v1/.well-known/jwks.json. `on_new_user(phone)` makes the auth user (GoTrue's insert, the
    user unconfirmed); `on_verified(user_id)` confirms its phone at every right code (GoTrue's ConfirmPhone).

    A used refresh token is answered as GoTrue's RefreshTokenGrant answers it (supabase/auth
    internal/tokens/service.go, legacy tokens; read for ux26): the parent of the session's active token is answered
    with that active token (the client did not store the last answer); any other revoked token within
    `reuse_seconds` of its revocation (`RefreshTokenReuseInterval`, a hosted project's 10 s) gets a new token; past
    it the whole session's tokens are revoked (RevokeTokenFamily) and it is 400 refresh_token_already_used.
    `later` moves the reuse check's clock forward (a test past the interval without sleeping).

    Use as a context manager; `url` is what SUPABASE_URL would be."""

    def __init__(self, on_new_user: Callable[[str], uuid.UUID] | None = None, *, code: str = "123456",
                 access_ttl: int = 3600, on_verified: Callable[[uuid.UUID], None] | None = None) -> None:
        self.code = code
        self.access_ttl = access_ttl
        self.on_new_user = on_new_user
        self.on_verified = on_verified
        self.keys: dict[str, Any] = {}  # kid -> private key
        self.published: list[str] = []  # kids served in the JWKS
        self.jwks_hits = 0
        self.users: dict[str, uuid.UUID] = {}  # phone digits -> id
        self.refresh_tokens: dict[str, FakeRefreshToken] = {}
        self.reuse_seconds = float(REFRESH_TOKEN_REUSE_SECONDS)
        self.later = 0.0  # seconds the reuse check's clock runs ahead of time.time()
        self._seq = itertools.count(1)
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # (method, path, JSON body)
        self.fail: dict[str, tuple[int, dict[str, Any]]] = {}  # path -> the answer to give instead
        self._server: ThreadingHTTPServer | None = None
        self.kid = self.add_key("ES256")

    # --- keys -----------------------------------------------------------------------------------------------

    def add_key(self, alg: str = "ES256", *, publish: bool = True) -> str:
        kid = f"{alg.lower()}-{len(self.keys) + 1}"
        self.keys[kid] = (ec.generate_private_key(ec.SECP256R1()) if alg == "ES256"
                          else rsa.generate_private_key(public_exponent=65537, key_size=2048))
        if publish:
            self.published.append(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            private = self.keys[kid]
            algorithm = ECAlgorithm(ECAlgorithm.SHA256) if isinstance(private, ec.EllipticCurvePrivateKey) \
                else RSAAlgorithm(RSAAlgorithm.SHA256)
            jwk = json.loads(algorithm.to_jwk(private.public_key()))
            alg = "ES256" if isinstance(private, ec.EllipticCurvePrivateKey) else "RS256"
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig", "key_ops": ["verify"]})
        return {"keys": keys}

    def claims(self, user_id: uuid.UUID, phone: str, session_id: str | None = None,
               now: int | None = None) -> dict[str, Any]:
        issued = int(time.time()) if now is None else now
        return {"iss": f"{self.url}/auth/v1", "sub": str(user_id), "aud": "authenticated", "role": "authenticated",
                "exp": issued + self.access_ttl, "iat": issued, "email": "", "phone": phone,
                "app_metadata": {"provider": "phone", "providers": ["phone"]}, "user_metadata": {},
                "aal": "aal1", "amr": [{"method": "otp", "timestamp": issued}],
                "session_id": session_id or str(uuid.uuid4()), "is_anonymous": False}

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        kid = kid or self.kid
        private = self.keys[kid]
        alg = "ES256" if isinstance(private, ec.EllipticCurvePrivateKey) else "RS256"
        return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})

    def token_for(self, user_id: uuid.UUID, phone: str = "66600000000", **overrides: Any) -> str:
        return self.sign({**self.claims(user_id, phone), **overrides})

    # --- sessions -------------------------------------------------------------------------------------------

    def _session(self, user_id: uuid.UUID, phone: str, session_id: str, *, parent: str | None = None,
                 active: str | None = None) -> dict[str, Any]:
        """A new access token, with a new refresh token (the child of `parent`), or the session's `active` one."""
        refresh_token = active
        if refresh_token is None:
            refresh_token = secrets.token_urlsafe(16)
            self.refresh_tokens[refresh_token] = FakeRefreshToken(user_id, phone, session_id,
                                                                  seq=next(self._seq), parent=parent)
        now = int(time.time())
        return {"access_token": self.sign(self.claims(user_id, phone, session_id, now)), "token_type": "bearer",
                "expires_in": self.access_ttl, "expires_at": now + self.access_ttl,
                "refresh_token": refresh_token, "user": {"id": str(user_id), "phone": phone}}

    def _answer(self, method: str, path: str, body: dict[str, Any], headers: Mapping[str, str],
                ) -> tuple[int, dict[str, Any] | None]:
        self.calls.append((method, path, body))
        route = path.split("?")[0]
        if route in self.fail:
            return self.fail[route]
        if route == "/auth/v1/.well-known/jwks.json":
            self.jwks_hits += 1
            return 200, self.jwks()
        if headers.get("apikey") != "anon-key":
            return 401, {"message": "Invalid API key"}
        if route == "/auth/v1/otp":
            phone = str(body["phone"]).removeprefix("+")
            if phone not in self.users and self.on_new_user is not None:
                self.users[phone] = self.on_new_user(phone)
            return 200, {}
        if route == "/auth/v1/verify":
            phone = str(body["phone"]).removeprefix("+")
            if body.get("token") != self.code or phone not in self.users:
                return 403, {"code": 403, "error_code": "otp_expired", "msg": "Token has expired or is invalid"}
            if self.on_verified is not None:
                self.on_verified(self.users[phone])
            return 200, self._session(self.users[phone], phone, str(uuid.uuid4()))
        if route == "/auth/v1/token" and "grant_type=refresh_token" in path:
            return self._refresh(str(body.get("refresh_token")))
        if route == "/auth/v1/logout":
            token = headers.get("authorization", "").removeprefix("Bearer ")
            try:
                session_id = jwt.decode(token, options={"verify_signature": False})["session_id"]
            except jwt.PyJWTError:
                return 403, {"code": 403, "error_code": "bad_jwt", "msg": "invalid JWT"}
            self.refresh_tokens = {t: v for t, v in self.refresh_tokens.items() if v.session_id != session_id}
            return 204, None
        return 404, {"code": 404, "msg": "not found"}

    def _refresh(self, token: str) -> tuple[int, dict[str, Any]]:
        """RefreshTokenGrant's legacy-token rules (the class's docstring)."""
        found = self.refresh_tokens.get(token)
        if found is None:
            return 400, {"code": 400, "error_code": "refresh_token_not_found",
                         "msg": "Invalid Refresh Token: Refresh Token Not Found"}
        now = time.time() + self.later
        if found.revoked_at is not None:
            family = [(t, v) for t, v in self.refresh_tokens.items() if v.session_id == found.session_id]
            live = [(v.seq, t) for t, v in family if v.revoked_at is None]
            active = max(live)[1] if live else None
            if active is not None and self.refresh_tokens[active].parent == token:
                return 200, self._session(found.user_id, found.phone, found.session_id, active=active)
            if now > found.revoked_at + self.reuse_seconds:
                for _, revoked in family:  # the session's tokens still live are revoked now
                    revoked.revoked_at = now if revoked.revoked_at is None else revoked.revoked_at
                return 400, {"code": 400, "error_code": "refresh_token_already_used",
                             "msg": "Invalid Refresh Token: Already Used"}
        else:
            found.revoked_at = now
        return 200, self._session(found.user_id, found.phone, found.session_id, parent=token)

    # --- the server -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "use FakeGoTrue as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeGoTrue":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = fake._answer(method, self.path, body, headers)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # serve_forever looks for shutdown() every poll_interval: its default 0.5 s was each test's teardown.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True,
                         name="fake-gotrue").start()
        return self

    def __exit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


async def answer_invitation(api: httpx.AsyncClient, token: str, answer: str = "accept") -> httpx.Response:
    """POST /me/invitation/{answer} naming the invitation GET /me/invitation shows, as the app does (an answer must
    name one). With none shown it names a student's place at no college: the backend's 404 comes first."""
    shown = (await api.get("/me/invitation", headers=bearer(token))).json()
    seen = {"role": "technician", "college_id": None} if shown is None else {
        "role": shown["role"], "college_id": shown["college"]["id"] if shown["college"] else None}
    return await api.post(f"/me/invitation/{answer}", json=seen, headers=bearer(token))


async def every_page(api: httpx.AsyncClient, path: str, token: str) -> list[dict[str, Any]]:
    """What the app can reach of a list: its first answer, and the next pages while the answer's X-Next-Cursor
    says one follows (shared.paging: `after`, the last page's cursor)."""
    first = await api.get(path, headers=bearer(token))
    assert first.status_code == 200, first.text
    listed: list[dict[str, Any]] = first.json()
    after = first.headers.get(NEXT_CURSOR_HEADER)
    while after is not None:
        page = await api.get(path, params={"after": after}, headers=bearer(token))
        assert page.status_code == 200, page.text
        assert page.json(), "a page said to follow came back empty"
        listed += page.json()
        after = page.headers.get(NEXT_CURSOR_HEADER)
    return listed


def browser_push_keys() -> dict[str, str]:
    """A browser's Web Push subscription keys as `PushSubscription.getKey()` gives them (base64url): a P-256 point
    and a 16-byte auth secret, which registering a web device now checks (attack26 #5)."""
    import base64

    from cryptography.hazmat.primitives import serialization

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return {"p256dh": b64(point), "auth": b64(secrets.token_bytes(16))}
