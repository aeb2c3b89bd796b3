"""Web Push for the browser app (RFC 8030/8291/8292) with pywebpush: the payload encrypted to the subscription's
keys (aes128gcm), a VAPID `Authorization: vapid t=…, k=…` header, `TTL`, `Urgency`, and our idempotency key as
the `Topic` (a push service keeps one undelivered message per topic, so a repeat replaces rather than doubles)."""

import asyncio
import json

from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref


def make_vapid_keys() -> tuple[str, str]:
    """(private, public) as base64url: the private key's 32 raw bytes, the public key's uncompressed point (what
    the browser's `pushManager.subscribe({applicationServerKey})` takes)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

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
            raise DeliveryError(f"Web Push {status}: {exc.message}"[:500],
                                permanent=status in (400, 403, 404, 410)) from exc
        except Exception as exc:
            raise DeliveryError(f"Web Push: {type(exc).__name__}: {exc}") from exc

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        await asyncio.to_thread(self._send, message, target, idempotency_key)

    async def aclose(self) -> None:
        return None
