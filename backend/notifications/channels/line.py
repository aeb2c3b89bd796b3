"""LINE Messaging API push (https://developers.line.biz/en/reference/messaging-api/#send-push-message), plain
httpx: `POST {api}/v2/bot/message/push` with the channel access token, a text message and `X-Line-Retry-Key`
(our idempotency key: LINE runs a request with the same key once and answers 409 to a repeat)."""

import base64
import hashlib
import hmac

import httpx

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref


def verify_signature(channel_secret: str, body: bytes, signature: str) -> bool:
    """The webhook's `X-Line-Signature`: base64 of HMAC-SHA256 of the raw body with the channel secret. Compared as
    bytes: compare_digest on a str with a non-ASCII character (a header byte 0xE9 reads as "é") raises TypeError,
    which was a 500 on the public webhook instead of the wrong signature's 401."""
    if not channel_secret or not signature or not signature.isascii():
        return False
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode("ascii"))


def line_text(message: Message) -> str:
    return f"{message.title}\n{message.body}\n{message.link}"[:5000]


class LineChannel:
    name = "line"
    pref = Pref.LINE
    addresses = "line"

    def __init__(self, access_token: str, api_url: str = "https://api.line.me",
                 client: httpx.AsyncClient | None = None) -> None:
        self._token = access_token
        self._url = api_url.rstrip("/") + "/v2/bot/message/push"
        self._client = client or httpx.AsyncClient(timeout=10.0)

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        try:
            response = await self._client.post(
                self._url,
                headers={"Authorization": f"Bearer {self._token}", "X-Line-Retry-Key": idempotency_key},
                json={"to": target.address, "messages": [{"type": "text", "text": line_text(message)}]},
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"LINE: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 200:
            return
        if response.status_code == 409:  # this retry key was accepted before: it went, once
            return
        reason = f"LINE {response.status_code}: {response.text[:300]}"
        raise DeliveryError(reason, permanent=response.status_code in (400, 403, 404))

    async def aclose(self) -> None:
        await self._client.aclose()
