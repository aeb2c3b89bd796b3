"""Each channel against a local fake of its service, checking the request the real service expects (endpoint,
headers, body as documented): LINE push, ThaiBulkSMS, FCM HTTP v1 (with its OAuth token exchange) through respx;
Web Push against a real HTTP server on 127.0.0.1 that verifies the VAPID signature and decrypts the payload."""

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import http_ece  # type: ignore[import-untyped]
import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from backend.notifications.channels import DeliveryError, Message, Target
from backend.notifications.channels.fcm import SCOPE, FcmChannel
from backend.notifications.channels.line import LineChannel, verify_signature
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.channels.sms import ThaiBulkSmsChannel, national_number
from backend.notifications.channels.webpush import WebPushChannel, make_vapid_keys
from shared.notifications import (
    ACCOUNT_KINDS,
    AUDIENCE,
    REFERENCE_PREFIX,
    TEXTS,
    Kind,
    Pref,
    QuietHours,
    allowed_prefs,
    chosen_prefs,
    quiet_until,
    render,
)
from shared.quoted_text import QUOTE_MAX
from shared.text import Locale

MESSAGE = Message(Kind.READY, "ซ่อมเสร็จแล้ว FX-690001", "พัดลม: มารับได้ที่วิทยาลัยเทคนิคดอนเมือง",
                  "https://app.example/requests/r1", 42, "r1")
KEY = "123e4567-e89b-12d3-a456-426614174000"
LINE_USER = "U" + "0" * 32


@respx.mock
async def test_line_push_as_documented() -> None:
    route = respx.post("https://api.line.me/v2/bot/message/push").mock(return_value=httpx.Response(200, json={}))
    await LineChannel("token-abc").send(MESSAGE, Target(LINE_USER), KEY)
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer token-abc"
    assert request.headers["x-line-retry-key"] == KEY
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.content)
    assert body == {"to": LINE_USER, "messages": [{"type": "text", "text": f"{MESSAGE.title}\n{MESSAGE.body}\n"
                                                                           f"{MESSAGE.link}"}]}


@respx.mock
async def test_line_answers() -> None:
    route = respx.post("https://api.line.me/v2/bot/message/push")
    route.mock(return_value=httpx.Response(409, json={"message": "The retry key is already accepted"}))
    await LineChannel("t").send(MESSAGE, Target(LINE_USER), KEY)  # sent before with this key: done
    route.mock(return_value=httpx.Response(400, json={"message": "The property, 'to', in the request body is invalid"}))
    with pytest.raises(DeliveryError) as bad:
        await LineChannel("t").send(MESSAGE, Target(LINE_USER), KEY)
    assert bad.value.permanent
    route.mock(return_value=httpx.Response(500))
    with pytest.raises(DeliveryError) as busy:
        await LineChannel("t").send(MESSAGE, Target(LINE_USER), KEY)
    assert not busy.value.permanent


def test_line_webhook_signature() -> None:
    body = b'{"events":[]}'
    good = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
    assert verify_signature("secret", body, good)
    assert not verify_signature("secret", body + b" ", good)
    assert not verify_signature("", body, good) and not verify_signature("secret", body, "")


@respx.mock
async def test_thaibulksms_as_documented() -> None:
    route = respx.post("https://api-v2.thaibulksms.com/sms").mock(return_value=httpx.Response(201, json={
        "remaining_credit": 99, "total_use_credit": 1, "credit_type": "standard",
        "phone_number_list": [{"number": "0812345678", "message_id": "m1", "used_credit": 1}],
        "bad_phone_number_list": []}))
    await ThaiBulkSmsChannel("key", "secret", sender="FIXIT").send(MESSAGE, Target("+66812345678"), KEY)
    request = route.calls.last.request
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"key:secret").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {"msisdn": "0812345678", "sender": "FIXIT", "force": "standard",
                    "message": f"{MESSAGE.title}: {MESSAGE.body} {MESSAGE.link}"}
    route.mock(return_value=httpx.Response(201, json={"phone_number_list": [], "bad_phone_number_list": [
        {"number": "0812345678", "message": "Invalid phone number"}]}))
    with pytest.raises(DeliveryError) as bad:
        await ThaiBulkSmsChannel("key", "secret").send(MESSAGE, Target("+66812345678"), KEY)
    assert bad.value.permanent
    assert national_number("+66812345678") == "0812345678"


@respx.mock
async def test_fcm_v1_with_its_oauth_token() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    account = {"project_id": "fixit-th", "client_email": "push@fixit-th.iam.gserviceaccount.com",
               "private_key": pem, "private_key_id": "k1", "token_uri": "https://oauth2.googleapis.com/token"}
    token = respx.post("https://oauth2.googleapis.com/token").mock(
        return_value=httpx.Response(200, json={"access_token": "ya29.x", "expires_in": 3599, "token_type": "Bearer"}))
    send = respx.post("https://fcm.googleapis.com/v1/projects/fixit-th/messages:send").mock(
        return_value=httpx.Response(200, json={"name": "projects/fixit-th/messages/1"}))
    channel = FcmChannel(account)
    await channel.send(MESSAGE, Target("device-token-1"), KEY)
    await channel.send(MESSAGE, Target("device-token-2"), KEY)
    assert token.call_count == 1  # the access token is kept until it nearly expires
    form = {k: v[0] for k, v in parse_qs(token.calls.last.request.content.decode()).items()}
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(form["assertion"], private.public_key(), algorithms=["RS256"],
                        audience="https://oauth2.googleapis.com/token")
    assert (claims["iss"], claims["scope"]) == (account["client_email"], SCOPE)
    request = send.calls.last.request
    assert request.headers["authorization"] == "Bearer ya29.x"
    message = json.loads(request.content)["message"]
    assert message["token"] == "device-token-2"
    assert message["notification"] == {"title": MESSAGE.title, "body": MESSAGE.body}
    assert message["data"]["link"] == MESSAGE.link and message["data"]["idempotency_key"] == KEY
    assert all(isinstance(v, str) for v in message["data"].values())  # FCM data values must be strings
    send.mock(return_value=httpx.Response(404, json={"error": {"status": "NOT_FOUND", "details": [
        {"errorCode": "UNREGISTERED"}]}}))
    with pytest.raises(DeliveryError) as gone:
        await channel.send(MESSAGE, Target("device-token-1"), KEY)
    assert gone.value.permanent


ONESIGNAL_APP = "5eb5a37e-b458-11e3-ac11-000c2940e62c"
SUBSCRIPTION = "1dd608f2-c6a1-11e3-851d-000c2940e62c"


@respx.mock
async def test_onesignal_push_as_documented() -> None:
    route = respx.post("https://api.onesignal.com/notifications").mock(
        return_value=httpx.Response(200, json={"id": "b98881cc-1e94-4366-bbd9-db8f3429292b", "external_id": None}))
    channel = OneSignalChannel(ONESIGNAL_APP, "os_v2_app_key")
    await channel.send(MESSAGE, Target(SUBSCRIPTION), KEY)
    request = route.calls.last.request
    assert request.url.params["c"] == "push"
    assert request.headers["authorization"] == "Key os_v2_app_key"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "app_id": ONESIGNAL_APP, "target_channel": "push", "include_subscription_ids": [SUBSCRIPTION],
        "headings": {"en": MESSAGE.title, "th": MESSAGE.title}, "contents": {"en": MESSAGE.body, "th": MESSAGE.body},
        "data": {"link": MESSAGE.link, "kind": "ready", "notification_id": 42}, "idempotency_key": KEY}


@respx.mock
async def test_onesignal_answers() -> None:
    route = respx.post("https://api.onesignal.com/notifications")
    channel = OneSignalChannel(ONESIGNAL_APP, "k")
    # 200 with no id: nothing went, and this subscription will not take any (the device is dropped).
    route.mock(return_value=httpx.Response(200, json={"id": "", "errors": ["All included players are not subscribed"]}))
    with pytest.raises(DeliveryError) as gone:
        await channel.send(MESSAGE, Target(SUBSCRIPTION), KEY)
    assert gone.value.permanent and "not subscribed" in gone.value.reason
    route.mock(return_value=httpx.Response(400, json={
        "errors": ["Message Notifications must have English language content"]}))
    with pytest.raises(DeliveryError) as bad:
        await channel.send(MESSAGE, Target(SUBSCRIPTION), KEY)
    assert bad.value.permanent
    for busy_status in (429, 503):
        route.mock(return_value=httpx.Response(busy_status))
        with pytest.raises(DeliveryError) as busy:
            await channel.send(MESSAGE, Target(SUBSCRIPTION), KEY)
        assert not busy.value.permanent


class PushService:
    """A browser vendor's push service on 127.0.0.1 (RFC 8030): keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(fake.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.server.shutdown()
    service.server.server_close()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_web_push_vapid_and_encrypted_payload(push_service: PushService) -> None:
    private, public = make_vapid_keys()
    browser = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    keys = {"p256dh": _b64(browser.public_key().public_bytes(serialization.Encoding.X962,
                                                             serialization.PublicFormat.UncompressedPoint)),
            "auth": _b64(auth)}
    endpoint = f"{push_service.origin}/push/abc"
    await WebPushChannel(private, "mailto:ops@fixit.example").send(MESSAGE, Target(endpoint, keys), KEY)
    path, headers, body = push_service.received[-1]
    assert path == "/push/abc"
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    assert headers["topic"] == KEY.replace("-", "") and headers["urgency"] == "high"
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == public
    raw_public = base64.urlsafe_b64decode(public + "==")
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_public)
    claims = jwt.decode(fields["t"], verifier, algorithms=["ES256"], audience=push_service.origin)
    assert claims["sub"] == "mailto:ops@fixit.example"
    plain = http_ece.decrypt(body, private_key=browser, auth_secret=auth, version="aes128gcm")
    assert json.loads(plain) == {"title": MESSAGE.title, "body": MESSAGE.body, "url": MESSAGE.link,
                                 "notification_id": 42, "kind": "ready"}
    push_service.status = 410  # the browser unsubscribed
    with pytest.raises(DeliveryError) as gone:
        await WebPushChannel(private, "mailto:ops@fixit.example").send(MESSAGE, Target(endpoint, keys), KEY)
    assert gone.value.permanent


async def test_web_push_carries_typed_text_as_one_clean_line(push_service: PushService) -> None:
    """The audit's item in a real render, through the real Web Push encryption: what the browser decrypts and shows
    on the lock screen is one line, within the limit, and the payload has no field of its own for markup."""
    private, _ = make_vapid_keys()
    browser = ec.generate_private_key(ec.SECP256R1())
    auth = b"fedcba9876543210"
    keys = {"p256dh": _b64(browser.public_key().public_bytes(serialization.Encoding.X962,
                                                             serialization.PublicFormat.UncompressedPoint)),
            "auth": _b64(auth)}
    evil = "พัดลม\u202e\n\n<b>ฟรี!</b>" + "ก" * 500
    rendered = render(Kind.RATE, {"item": evil}, Locale.TH, datetime(2026, 3, 2, 5, 0, tzinfo=UTC), 690001)
    message = Message(Kind.RATE, rendered.title, rendered.body, "https://app.example" + rendered.link, 7)
    await WebPushChannel(private, "mailto:ops@fixit.example").send(
        message, Target(f"{push_service.origin}/push/evil", keys), KEY)
    payload = json.loads(http_ece.decrypt(push_service.received[-1][2], private_key=browser, auth_secret=auth,
                                          version="aes128gcm"))
    assert set(payload) == {"title", "body", "url", "notification_id", "kind"}
    body = payload["body"]
    assert "\n" not in body and "\u202e" not in body and body.startswith("พัดลม <b>ฟรี!</b>ก")
    assert len(body) <= QUOTE_MAX + len(": งานนี้เป็นอย่างไรบ้าง") and body.endswith("…: งานนี้เป็นอย่างไรบ้าง")


# --- the rules in shared/notifications.py --------------------------------------------------------------------------


def test_every_kind_has_texts_an_audience_and_renders_in_both_languages() -> None:
    """A kind about a request names it (FX-…) in its title; a kind about an account (ACCOUNT_KINDS: an invitation
    and its answer) has no request, so its title has no reference to carry, whatever it is given."""
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    for kind in Kind:
        assert kind in TEXTS and kind in AUDIENCE
        for locale in Locale:
            if kind in ACCOUNT_KINDS:
                shown = render(kind, {"person": "สมชาย", "role": "technician", "college_th": "วท.ดอนเมือง",
                                      "college_en": "Don Mueang TC"}, locale, now)
                assert "{ref}" not in TEXTS[kind][0].th + TEXTS[kind][0].en
                assert render(kind, {}, locale, now, 690001, "abc").title.count("FX-") == 0
                assert "#" not in shown.title and REFERENCE_PREFIX not in shown.title
            else:
                shown = render(kind, {"item": "พัดลม"}, locale, now, 690001, "abc")
                assert "FX-690001" in shown.title
            assert shown.title and shown.body and "{" not in shown.title + shown.body


def test_offer_time_left_is_counted_at_delivery() -> None:
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    params = {"item": "พัดลม", "expires_at": "2026-03-02T05:30:00+00:00"}
    assert render(Kind.OFFER_NEW, params, Locale.TH, now).body == "พัดลม: ตอบรับภายใน 30 นาที"
    later = datetime(2026, 3, 2, 5, 20, tzinfo=UTC)
    assert render(Kind.OFFER_NEW, params, Locale.EN, later).body == "พัดลม: answer within 10 min"


def test_quiet_hours_bangkok() -> None:
    quiet = QuietHours()
    assert quiet_until(datetime(2026, 3, 2, 5, 0, tzinfo=UTC), quiet, Kind.READY) is None  # 12:00
    at_night = quiet_until(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), quiet, Kind.READY)  # 21:00
    assert at_night == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    early = quiet_until(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), quiet, Kind.READY)  # 06:30 the next day
    assert early == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), QuietHours(offers_exempt=True),
                       Kind.OFFER_NEW) is None
    assert quiet_until(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), QuietHours(enabled=False), Kind.READY) is None
    day_shift = QuietHours(start=time(12), end=time(13))
    assert quiet_until(datetime(2026, 3, 2, 5, 30, tzinfo=UTC), day_shift, Kind.RATE) == datetime(
        2026, 3, 2, 6, 0, tzinfo=UTC)


def test_sms_only_where_it_is_needed() -> None:
    assert Pref.SMS in allowed_prefs(Kind.ACCEPTED) and Pref.SMS in allowed_prefs(Kind.READY)
    assert all(Pref.SMS not in allowed_prefs(k) for k in Kind if k not in (Kind.ACCEPTED, Kind.READY))
    assert chosen_prefs(Kind.RATE, {"rate": ["sms", "line"]}) == {Pref.LINE}
    assert chosen_prefs(Kind.READY, {}) == {Pref.PUSH, Pref.LINE}
