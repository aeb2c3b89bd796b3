"""Small helpers the integration and e2e tests share."""

import itertools
import os
from typing import Any

import httpx

_phones = itertools.count(1)


def fresh_phone() -> str:
    """A Thai mobile number (06 + pid + counter) that neither the seed (08x, 09x) nor another test uses."""
    return f"06{os.getpid() % 10000:04d}{next(_phones):04d}"


async def sign_in(api: httpx.AsyncClient, phone: str) -> tuple[str, dict[str, Any]]:
    sent = await api.post("/auth/otp/request", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    code = sent.json()["dev_code"]
    verified = await api.post("/auth/otp/verify", json={"phone": phone, "code": code})
    assert verified.status_code == 200, verified.text
    body = verified.json()
    return body["access_token"], body["profile"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
