"""SMS through ThaiBulkSMS's HTTP API v2 (https://developer.thaibulksms.com): `POST /sms` with HTTP Basic auth
(API key and secret), form fields msisdn, message, sender, force (standard | corporate); 201 with
phone_number_list / bad_phone_number_list. The gateway has no idempotency key: ours is logged with the message id.
Only the kinds in shared.notifications.SMS_KINDS ever reach this channel (cost)."""

import logging

import httpx

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref

log = logging.getLogger("fixit.notifications")


def national_number(e164: str) -> str:
    """+66812345678 → 0812345678, the form Thai gateways take."""
    return "0" + e164.removeprefix("+66") if e164.startswith("+66") else e164


def sms_text(message: Message) -> str:
    return f"{message.title}: {message.body} {message.link}"


class ThaiBulkSmsChannel:
    name = "sms"
    pref = Pref.SMS
    addresses = "phone"

    def __init__(self, api_key: str, api_secret: str, sender: str = "", force: str = "standard",
                 api_url: str = "https://api-v2.thaibulksms.com/sms", client: httpx.AsyncClient | None = None) -> None:
        self._auth = httpx.BasicAuth(api_key, api_secret)
        self._sender = sender
        self._force = force
        self._url = api_url
        self._client = client or httpx.AsyncClient(timeout=15.0)

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        form = {"msisdn": national_number(target.address), "message": sms_text(message), "force": self._force}
        if self._sender:
            form["sender"] = self._sender
        try:
            response = await self._client.post(self._url, data=form, auth=self._auth,
                                               headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS: {type(exc).__name__}: {exc}") from exc
        if response.status_code in (200, 201):
            body = response.json()
            if body.get("bad_phone_number_list"):
                raise DeliveryError(f"SMS: bad number: {body['bad_phone_number_list']}"[:500], permanent=True)
            ids = [p.get("message_id") for p in body.get("phone_number_list", [])]
            log.info("SMS sent: message %s, key %s, credit left %s", ids, idempotency_key,
                     body.get("remaining_credit"))
            return
        raise DeliveryError(f"SMS {response.status_code}: {response.text[:300]}",
                            permanent=response.status_code in (400, 401, 403))

    async def aclose(self) -> None:
        await self._client.aclose()
