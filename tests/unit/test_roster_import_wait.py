"""A roster import is all lines or none, in one transaction: a full file took 5-9 s on a loaded server (import28).
The app gave every call its client's 10 s, so a teacher whose file took longer read "no connection" for a file the
backend then stored whole. The import's call waits for its answer longer than any other."""

import uuid

import httpx

from mobile.api_client import ROSTER_IMPORT_READ_SECONDS, ApiClient
from mobile.settings import AppSettings


async def test_the_app_waits_for_a_roster_import_longer_than_for_any_other_call() -> None:
    college = uuid.uuid4()
    waits: dict[str, float | None] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        waits[request.url.path] = request.extensions["timeout"]["read"]
        if request.url.path.endswith("/students/import"):
            assert b"0812345678" in request.content
            return httpx.Response(200, json={"imported": 1, "changed_now": 0, "invited": 1, "awaiting_acceptance": 0})
        return httpx.Response(200, json=[])

    app = AppSettings()
    api = ApiClient("http://backend.test", timeout_seconds=app.request_timeout_seconds,
                    transport=httpx.MockTransport(answer), token="t")
    try:
        report = await api.import_students(college, b"phone,name\n0812345678,Somchai\n")
        await api.my_requests()
    finally:
        await api.aclose()
    assert report.imported == 1 and report.invited == 1
    imported = waits[f"/colleges/{college}/students/import"]
    assert imported is not None and imported >= ROSTER_IMPORT_READ_SECONDS > app.request_timeout_seconds, waits
    # The other calls keep the client's own limit: only the import waits longer.
    assert waits["/requests/mine"] == app.request_timeout_seconds, waits
