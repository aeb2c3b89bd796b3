"""The server's words in the screen's language (ux21 finding 1), the app on the real backend.

A citizen's Thai phone is signed in; their other phone switches the profile to English. The sentences the backend
words for the Thai phone's screens (the request's next step and expected wait, its timeline's system notes, the
inbox) still come in Thai: the app sends its language with every call (`Accept-Language`, mobile/api_client.py)
and the backend words them in it (backend/services/request_detail.py, backend/routes/notifications.py). A call
that names no language of ours gets the profile's, as before. Real PostgreSQL, the app's own view-model and API
client; the calls it sends written down on the way out. As in test_one_read_per_change.py, `area` comes before
`api`."""

import uuid
from typing import Any

import httpx

from mobile.api_client import ApiClient
from mobile.viewmodels.app import AppViewModel, Screen
from shared.statuses import RequestStatus
from shared.text import Locale, next_step
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, Area, assigned_to_bee
from tests.unit.mobile_fakes import MemoryStore

TH, EN = Locale.TH, Locale.EN


class Written(httpx.AsyncBaseTransport):
    """The in-process backend, each request the app sends kept first."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)


def worded(detail: dict[str, Any]) -> tuple[Any, ...]:
    """What the backend words in the reader's language, of a request's detail."""
    return detail["next_step"], detail["expected_wait"], [e["note"] for e in detail["timeline"]]


def screen_of(app: AppViewModel) -> Screen:
    return app.screen  # read anew: mypy keeps what an earlier assert narrowed it to


def inbox_words(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["title"], n["body"]) for n in page["items"]]


async def test_a_thai_screen_reads_thai_whatever_language_the_profile_holds(area: Area, api: httpx.AsyncClient) -> None:
    phone = fresh_phone()
    other_phone, _ = await sign_in(api, phone)  # the person's second device: its own session
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(other_phone))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    await assigned_to_bee(api, area, rid)  # a timeline with the system's notes, and "accepted" in their inbox

    # What Thai reads as, and English: the profile's language and no header, as every call was worded before.
    thai = (await api.get(f"/requests/{rid}", headers=bearer(other_phone))).json()
    thai_inbox = (await api.get("/me/notifications", headers=bearer(other_phone))).json()
    assert (await api.patch("/me", json={"locale": "en"}, headers=bearer(other_phone))).status_code == 200
    english = (await api.get(f"/requests/{rid}", headers=bearer(other_phone))).json()
    english_inbox = (await api.get("/me/notifications", headers=bearer(other_phone))).json()
    assert thai["next_step"] == next_step(RequestStatus.ACCEPTED).in_(TH)
    assert english["next_step"] == next_step(RequestStatus.ACCEPTED).in_(EN)
    assert thai["expected_wait"] and english["expected_wait"] and thai["expected_wait"] != english["expected_wait"]
    system_notes = [i for i, (a, b) in enumerate(zip(worded(thai)[2], worded(english)[2], strict=True)) if a != b]
    assert system_notes, worded(thai)  # the proof needs a note the system words
    assert inbox_words(thai_inbox) and inbox_words(thai_inbox) != inbox_words(english_inbox)

    # This phone's app, in Thai: its sign-in tells the profile Thai (the language the device chose) ...
    transport = Written(api._transport)
    app = AppViewModel(ApiClient("http://fixit.test", transport=transport), MemoryStore(locale=TH))
    await app.start()
    app.login.set_phone_input(phone)
    await app.login.request_code()
    assert app.login.dev_code is not None
    app.login.set_code_input(app.login.dev_code)
    await app.login.verify()
    assert app.screen == Screen.HOME
    # ... and the other phone switches it back to English: the last device's choice is the profile's.
    assert (await api.patch("/me", json={"locale": "en"}, headers=bearer(other_phone))).status_code == 200

    await app.open_request(uuid.UUID(rid))
    shown = app.request_detail.detail if app.request_detail is not None else None
    assert screen_of(app) == Screen.REQUEST_DETAIL and shown is not None
    assert (shown.next_step, shown.expected_wait, [e.note for e in shown.timeline]) == worded(thai)
    await app.open_inbox()
    assert app.inbox is not None
    assert [(n.title, n.body) for n in app.inbox.items] == inbox_words(thai_inbox)
    assert {r.headers.get("accept-language") for r in transport.sent} == {"th"}  # every call said so

    # Switched to English on this phone: the same screens in English.
    await app.toggle_locale()
    assert app.inbox is not None and [(n.title, n.body) for n in app.inbox.items] == inbox_words(english_inbox)
    await app.open_request(uuid.UUID(rid))
    shown = app.request_detail.detail if app.request_detail is not None else None
    assert shown is not None and (shown.next_step, shown.expected_wait, [e.note for e in shown.timeline]) == worded(
        english)
    app.stop()


async def test_every_answer_that_words_a_request_reads_the_header(area: Area, api: httpx.AsyncClient) -> None:
    """The detail is answered on two paths (backend/direct_reads.py past FastAPI, and FastAPI's own for a GET with
    a query) and by every write that answers with it (a cancel here): each words it in the language asked for."""
    citizen, _ = await sign_in(api, fresh_phone())
    assert (await api.patch("/me", json={"locale": "en"}, headers=bearer(citizen))).status_code == 200
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]),
                          headers={**bearer(citizen), "Accept-Language": "th"})
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    offered = made.json()["status"]
    assert made.json()["next_step"] == next_step(RequestStatus(offered)).in_(TH)

    for path in (f"/requests/{rid}", f"/requests/{rid}?via=fastapi"):
        for header, locale in (("th", TH), ("th-TH,th;q=0.9,en;q=0.5", TH), ("en", EN), ("fr", EN), (None, EN)):
            headers = {**bearer(citizen), **({"Accept-Language": header} if header is not None else {})}
            read = await api.get(path, headers=headers)
            assert read.status_code == 200, read.text
            assert read.json()["next_step"] == next_step(RequestStatus(offered)).in_(locale), (path, header)

    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": ""},
                               headers={**bearer(citizen), "Accept-Language": "th"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["next_step"] == next_step(RequestStatus.CANCELLED).in_(TH)
    # The profile keeps its language: the header words this answer, it changes nobody's setting.
    assert (await api.get("/me", headers=bearer(citizen))).json()["locale"] == "en"


async def test_the_document_says_which_answers_depend_on_the_screens_language(api: httpx.AsyncClient) -> None:
    """A client written from the OpenAPI document (not the app) learns that these answers are worded for
    `Accept-Language`: every operation that reads it declares it, and no other does."""
    spec = (await api.get("/openapi.json")).json()
    declaring = {(method, path) for path, item in spec["paths"].items() for method, operation in item.items()
                 if any(p["in"] == "header" and p["name"] == "Accept-Language"
                        for p in operation.get("parameters", []))}
    assert {("get", "/requests/{request_id}"), ("post", "/requests"), ("post", "/requests/{request_id}/cancel"),
            ("get", "/me/notifications")} <= declaring
    assert ("get", "/health") not in declaring and ("get", "/me") not in declaring
