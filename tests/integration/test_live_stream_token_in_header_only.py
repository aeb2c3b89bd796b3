"""The live stream (GET /events) reads the access token from the Authorization header only (audit18b).

A bearer token in a URL is written down by everything between the browser and the API that logs URLs (a load
balancer's or CDN's access log, a proxy, the browser's history), none of which Fixit's log redaction reaches; on
Supabase the same token is valid against the project's own REST API for its whole hour. The app sends the header
(mobile/live.py), so `?access_token=` was an open door no client needed."""

import uuid

import httpx

from backend.auth.tokens import issue_token
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone


async def test_the_live_stream_takes_no_token_from_the_query_string(api: httpx.AsyncClient, settings: Settings) -> None:
    # A good token of an account with no profile: let in, the stream answers 403 profile_missing before it opens
    # (an account with a profile would open a stream that never ends).
    token = issue_token(settings, uuid.uuid4(), "+66" + fresh_phone()[1:])
    in_header = await api.get("/events", headers=bearer(token))
    assert (in_header.status_code, in_header.json()["error"]["code"]) == (403, "profile_missing"), in_header.text
    # The same token in the URL, no header: not signed in.
    in_url = await api.get("/events", params={"access_token": token})
    assert (in_url.status_code, in_url.json()["error"]["code"]) == (401, "not_authenticated"), in_url.text
    assert in_url.json()["error"]["message_th"] and in_url.json()["error"]["message_en"]
    # And the API's description offers no such parameter.
    described = await api.get("/openapi.json")
    assert described.status_code == 200
    parameters = described.json()["paths"]["/events"]["get"].get("parameters", [])
    assert not [p for p in parameters if p["name"] == "access_token"], parameters
