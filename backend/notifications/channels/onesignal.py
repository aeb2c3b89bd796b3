"""Phone push through OneSignal's REST API (https://documentation.onesignal.com/reference/create-message):
`POST {api}/notifications?c=push` with `Authorization: Key <App API key>` and a JSON body naming the app, the
device (`include_subscription_ids`: the push subscription id the app registered after sign-in), the texts per
language and `data` for the app. OneSignal then delivers through FCM (Android) and APNs (iOS), whose keys live in
its dashboard, not here. Our idempotency key is OneSignal's `idempotency_key` (a UUID it remembers 30 days): a
retry after a lost answer is not sent twice.

A deleted person's subscriptions are deleted at OneSignal too
(https://documentation.onesignal.com/reference/delete-subscription: `DELETE {api}/apps/{app_id}/subscriptions/{id}`),
and so is their OneSignal user, keyed by their Fixit id (the app's `login(user_id)`; Delete user,
https://documentation.onesignal.com/reference/delete-user: `DELETE {api}/apps/{app_id}/users/by/external_id/{id}`),
by the delivery worker from the queue their deletion filled (migrations 0066, 0067)."""

from typing import Any
from urllib.parse import quote

import httpx

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref


def onesignal_body(app_id: str, message: Message, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
    # The text is already in the person's chosen language; OneSignal requires "en" and picks by the phone's
    # language, so the same text goes under both keys and the person's choice wins over the phone's.
    return {
        "app_id": app_id,
        "target_channel": "push",
        "include_subscription_ids": [subscription_id],
        "headings": {"en": message.title, "th": message.title},
        "contents": {"en": message.body, "th": message.body},
        # The app opens `link` itself (no `url`: that would open a browser instead of the app's screen).
        "data": {"link": message.link, "kind": message.kind.value, "notification_id": message.notification_id},
        "idempotency_key": idempotency_key,
    }


KEY_REFUSED = "the App API key was refused"  # in KeyRefused's reason, so the worker can say it once a turn


class KeyRefused(DeliveryError):
    """OneSignal refused the App API key (401/403): every request fails alike until the key is fixed."""


class OneSignalChannel:
    name = "onesignal"
    pref = Pref.PUSH
    addresses = "onesignal"

    def __init__(self, app_id: str, api_key: str, api_url: str = "https://api.onesignal.com",
                 client: httpx.AsyncClient | None = None) -> None:
        self._app_id = app_id
        self._key = api_key
        self._url = api_url.rstrip("/") + "/notifications"
        self._apps = api_url.rstrip("/") + "/apps/"
        self._client = client or httpx.AsyncClient(timeout=10.0)

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        try:
            response = await self._client.post(
                self._url, params={"c": "push"},
                headers={"Authorization": f"Key {self._key}", "Accept": "application/json"},
                json=onesignal_body(self._app_id, message, target.address, idempotency_key),
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"OneSignal: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 200:
            body = response.json()
            if body.get("id"):
                return
            # 200 without an id: nothing was sent; `errors` says why (the subscription is gone or unsubscribed,
            # "All included players are not subscribed"): that device does not come back.
            raise DeliveryError(f"OneSignal: not sent: {body.get('errors')}"[:500], permanent=True)
        # 400: a body OneSignal cannot take; 403: a wrong key (fixed in the settings, then retried by hand);
        # 429 and 5xx: busy, retried with backoff.
        raise DeliveryError(f"OneSignal {response.status_code}: {response.text[:300]}",
                            permanent=response.status_code == 400)

    async def delete_subscription(self, subscription_id: str) -> None:
        """Ask OneSignal to delete one push subscription. Returns once it is gone: deleted now, or 404 (deleted
        before, or never known there). Raises `DeliveryError` (see `_delete`)."""
        await self._delete("/subscriptions/" + quote(subscription_id, safe=""))

    async def delete_user(self, external_id: str) -> None:
        """Ask OneSignal to delete the user whose external_id (the id the app signs in with) is `external_id`, with
        every subscription, alias and property (https://documentation.onesignal.com/reference/delete-user). Returns
        once it is gone: deleted now, or 404 (never known there). Raises `DeliveryError` (see `_delete`)."""
        await self._delete("/users/by/external_id/" + quote(external_id, safe=""))

    async def _delete(self, path: str) -> None:
        """DELETE {api}/apps/{app_id}{path}. Raises `DeliveryError`, `permanent` only when OneSignal says the request
        itself is wrong (400, 422: a malformed id), and `KeyRefused` for 401/403: a wrong or rotated App API key is
        the deployment's to fix (as a send's 401/403 is retried), not a reason to give the erasure up. The reason
        never holds the id (nor OneSignal's answer, which may repeat it): it is logged."""
        try:
            response = await self._client.delete(
                self._apps + quote(self._app_id, safe="") + path,
                headers={"Authorization": f"Key {self._key}", "Accept": "application/json"},
            )
        except httpx.HTTPError as exc:  # its text may name the address, and so the id: the kind only
            raise DeliveryError(f"OneSignal: {type(exc).__name__}") from exc
        if response.status_code in (200, 202, 204, 404):
            return
        if response.status_code in (401, 403):
            raise KeyRefused(f"OneSignal {response.status_code}: {KEY_REFUSED}")
        # 429, 5xx and any other answer: busy, down or unexpected, asked again later (until ERASE_TRIED_FOR).
        raise DeliveryError(f"OneSignal {response.status_code}", permanent=response.status_code in (400, 422))

    async def aclose(self) -> None:
        await self._client.aclose()
