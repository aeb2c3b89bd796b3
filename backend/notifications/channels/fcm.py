"""Phone push through Firebase Cloud Messaging's HTTP v1 API
(https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send):
`POST {api}/v1/projects/{project_id}/messages:send` with an OAuth 2.0 access token, which a service account gets
by posting a signed JWT (RS256, scope firebase.messaging) to its `token_uri` (RFC 7523). No Google SDK needed:
pyjwt signs, httpx posts. FCM has no idempotency key; ours travels in `data` so the app can drop a repeat."""

import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from backend.notifications.channels import DeliveryError, Message, Target
from shared.notifications import Pref

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


class FcmChannel:
    name = "fcm"
    pref = Pref.PUSH
    addresses = "fcm"

    def __init__(self, service_account: dict[str, Any], api_url: str = "https://fcm.googleapis.com",
                 client: httpx.AsyncClient | None = None) -> None:
        self._account = service_account
        self._url = f"{api_url.rstrip('/')}/v1/projects/{service_account['project_id']}/messages:send"
        self._client = client or httpx.AsyncClient(timeout=10.0)
        self._token: tuple[str, float] | None = None  # (access token, expires at)

    @classmethod
    def from_file(cls, path: Path, api_url: str = "https://fcm.googleapis.com") -> "FcmChannel":
        return cls(json.loads(path.read_text()), api_url)

    async def _access_token(self) -> str:
        if self._token and self._token[1] > time.time() + 60:
            return self._token[0]
        now = int(time.time())
        token_uri = self._account.get("token_uri", "https://oauth2.googleapis.com/token")
        assertion = jwt.encode({"iss": self._account["client_email"], "scope": SCOPE, "aud": token_uri,
                                "iat": now, "exp": now + 3600}, self._account["private_key"], algorithm="RS256",
                               headers={"kid": self._account.get("private_key_id", "")})
        response = await self._client.post(token_uri, data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
        if response.status_code != 200:
            raise DeliveryError(f"FCM token {response.status_code}: {response.text[:300]}")
        body = response.json()
        self._token = (body["access_token"], time.time() + float(body.get("expires_in", 3600)))
        return self._token[0]

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        body = {"message": {
            "token": target.address,
            "notification": {"title": message.title, "body": message.body},
            "data": {"link": message.link, "kind": message.kind.value,
                     "notification_id": str(message.notification_id), "idempotency_key": idempotency_key},
            "android": {"priority": "high", "collapse_key": idempotency_key[:32]},
            "apns": {"headers": {"apns-collapse-id": idempotency_key[:64]}},
        }}
        try:
            token = await self._access_token()
            response = await self._client.post(self._url, json=body,
                                               headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"FCM: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 200:
            return
        if response.status_code == 401:
            self._token = None  # fetch a new access token next time
        # 404 UNREGISTERED: the app was uninstalled; 400 INVALID_ARGUMENT: not a token. Neither comes back.
        raise DeliveryError(f"FCM {response.status_code}: {response.text[:300]}",
                            permanent=response.status_code in (400, 404))

    async def aclose(self) -> None:
        await self._client.aclose()
