"""Web Push for the browser app (RFC 8030/8291/8292) with pywebpush: the payload encrypted to the subscription's
keys (aes128gcm), a VAPID `Authorization: vapid t=…, k=…` header, `TTL`, `Urgency`, and our idempotency key as
the `Topic` (a push service keeps one undelivered message per topic, so a repeat replaces rather than doubles)."""

import asyncio
import base64
import binascii
import json

from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref

# RFC 8291 §3.1-3.2: a subscription's `p256dh` is a P-256 public key as an uncompressed point (65 bytes), its `auth`
# secret 16 bytes, both base64url (padding optional) as `PushSubscription.getKey()` gives them.
P256DH_BYTES = 65
AUTH_SECRET_BYTES = 16


def _b64url(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        return None


def keys_are_a_browsers(p256dh: str, auth: str) -> bool:
    """Whether these could be a browser's subscription keys (attack26 #5): keys nobody can encrypt to failed every
    delivery to them, retried each time and listed as failures in the admins' delivery report."""
    point, secret = _b64url(p256dh), _b64url(auth)
    if point is None or secret is None or len(point) != P256DH_BYTES or len(secret) != AUTH_SECRET_BYTES:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True


def make_vapid_keys() -> tuple[str, str]:
    """(private, public) as base64url: the private key's 32 raw bytes, the public key's uncompressed point (what
    the browser's `pushManager.subscribe({applicationServerKey})` takes)."""
    from cryptography.hazmat.primitives import serialization

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return b64(private), b64(public)


class WebPushChannel:
    name = "webpush"
    pref = Pref.PUSH
    addresses = "webpush"

    def __init__(self, private_key: str, subject: str, ttl_seconds: int = 24 * 3600) -> None:
        self._private_key = private_key
        self._subject = subject
        self._ttl = ttl_seconds

    def _send(self, message: Message, target: Target, idempotency_key: str) -> None:
        payload = {"title": message.title, "body": message.body, "url": message.link,
                   "notification_id": message.notification_id, "kind": message.kind.value}
        try:
            webpush(
                subscription_info={"endpoint": target.address, "keys": dict(target.extra)},
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=self._private_key,
                vapid_claims={"sub": self._subject},
                ttl=self._ttl,
                headers={"Topic": idempotency_key.replace("-", ""), "Urgency": "high"},
                timeout=10,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            # 404/410: the subscription is gone (the browser unsubscribed); 400/403: ours is wrong, no retry helps.
            # With no answer at all pywebpush refused the subscription itself (its keys, attack26 #5): nor does one.
            raise DeliveryError(f"Web Push {status}: {exc.message}"[:500],
                                permanent=status is None or status in (400, 403, 404, 410)) from exc
        except ValueError as exc:
            # Keys nobody can encrypt to (stored before registration checked them, attack26 #5): no retry helps.
            raise DeliveryError(f"Web Push: {type(exc).__name__}: {exc}"[:500], permanent=True) from exc
        except Exception as exc:
            raise DeliveryError(f"Web Push: {type(exc).__name__}: {exc}") from exc

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        await asyncio.to_thread(self._send, message, target, idempotency_key)

    async def aclose(self) -> None:
        return None
