"""The app's last network-edge rough spots (edge15): a refusal that resending cannot cure offers no retry and leaves
the outbox; a captive portal's page is a network failure, not an internal error; Retry-After is kept, waited for and
said."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from mobile.api_client import ApiClient, ApiError
from mobile.live import LiveEvents, ServerEvent
from mobile.outbox import ItemState, MemoryOutboxStorage, Outbox, OutboxItem, OutboxPhoto, Outcome, backoff_delay
from mobile.viewmodels.app import Screen
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import error_text, t
from shared.wire import CAPTIVE_PORTAL, RETRY_AFTER_MAX_SECONDS, StaffInvitation, retry_after_seconds
from tests.unit.mobile_fakes import (
    COLLEGE,
    PHOTO_PATH,
    RequestBackend,
    error_response,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import FILLED_ITEM, fill_valid, open_form, signed_in

NGINX_413 = ("<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity "
             "Too Large</h1></center><hr><center>nginx</center></body></html>")
PORTAL_PAGE = ("<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body><form action=\"/login\">"
               "Room number <input name=\"room\"></form></body></html>")
T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def state_of(form: RequestFormViewModel) -> FormState:
    # Read through a call: mypy keeps an attribute narrowed across the awaits that change it.
    return form.state


class ProxyPhotoLimit(RequestBackend):
    """A reverse proxy with its own body limit before the backend: the photos at `too_large` are answered 413 with
    its HTML page, never reaching the backend."""

    def __init__(self, too_large: set[int]) -> None:
        super().__init__()
        self.too_large = too_large

    def handle(self, request: httpx.Request) -> httpx.Response:
        match = PHOTO_PATH.match(request.url.path)
        if request.method == "PUT" and match and int(match.group(2)) in self.too_large:
            self.requests.append(request)
            return httpx.Response(413, text=NGINX_413, headers={"content-type": "text/html"})
        return super().handle(request)

    def photo_puts(self, idx: int) -> int:
        return sum(1 for r in self.requests if r.method == "PUT" and r.url.path.endswith(f"/{idx}"))


class Portal(RequestBackend):
    """While `portal` is set, the phone is on a hotel's Wi-Fi that answers every address with its sign-in page."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        super().__init__()
        self.portal = False
        self.answer = answer or portal_page

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.portal:
            self.requests.append(request)
            return self.answer(request)
        return super().handle(request)


def portal_page(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=PORTAL_PAGE, headers={"content-type": "text/html; charset=utf-8"})


def draft_body(item: str = "พัดลม") -> dict[str, object]:
    return {"idempotency_key": str(uuid4()), "category_code": "appliance", "item": item, "brand": "",
            "description": "ไม่หมุน", "lat": 18.79, "lon": 98.98, "address": "", "province": "", "district": "",
            "sub_district": "", "service_place": "centre", "preferred_days": [], "contact_phone": "+66812345678",
            "pdpa_consent": True}


def photo(colour: tuple[int, int, int]) -> OutboxPhoto:
    data = jpeg_with_exif(colour, (32, 32))
    return OutboxPhoto(data, data, "image/jpeg", 32, 32, "a.jpg")


def outbox_over(backend: RequestBackend, **kw: Any) -> Outbox:
    api = backend.client()
    api.token = backend.issue_token("citizen")
    return Outbox(api, MemoryOutboxStorage(), owner_id="owner-1", **kw)


# --- 1. a refusal that sending again cannot cure ----------------------------------------------------------------


async def test_a_photo_a_proxy_refuses_as_too_large_offers_no_retry_and_says_what_to_change() -> None:
    """mobile/viewmodels/request_form.py `_failed`: every failure but a lost sign-in, the network and per-field
    problems left the form FAILED with its "ลองใหม่" button, also a proxy's 413 on a photo, whose own text says that
    sending it again will not help: each tap sent the same photo to the same refusal. Now the form names the photo and
    what to do (remove it: fewer, or a smaller one), offers no retry, and sends the rest once it is taken out."""
    backend = ProxyPhotoLimit(too_large={1})
    app, form = await open_form(backend)
    fill_valid(form)
    form.add_photos([("a.jpg", jpeg_with_exif()), ("b.jpg", jpeg_with_exif((9, 90, 200)))])
    await form.submit()

    refused = error_text("photo_upload_too_large", n=2)
    assert "2" in refused.th and "ลบ" in refused.th and "smaller" in refused.en
    assert (form.photo_error, form.form_error) == (refused.th, refused.th)
    assert not form.can_retry and form.state == FormState.EDITING
    shown = texts(app_view(app))
    assert t("retry", form.locale) not in shown and refused.th in shown
    assert " ".join(form.item.split()) == FILLED_ITEM and len(form.photos) == 2  # nothing typed or picked is lost
    # The photo the backend has stays; the refused one can be taken out, and the request goes without it.
    assert not form.can_remove_photo(0) and form.can_remove_photo(1)
    form.remove_photo(0)
    assert len(form.photos) == 2
    form.remove_photo(1)
    assert len(form.photos) == 1 and form.form_error is None and form.photo_error is None
    await form.submit()
    assert state_of(form) == FormState.SENT and app.screen == Screen.HOME
    assert len(backend.calls("POST", "/requests")) == 1 and backend.photo_puts(1) == 1
    assert [idx for (_, idx) in backend.photos] == [0]


@pytest.mark.parametrize("answer", [
    lambda r: httpx.Response(413, text=NGINX_413, headers={"content-type": "text/html"}),
    lambda r: error_response(403, "forbidden_role"),
    lambda r: error_response(409, "some_refusal_this_app_does_not_know"),
], ids=["proxy-413", "403", "unknown-409"])
async def test_a_refused_draft_offers_no_retry_and_keeps_what_was_typed(
        answer: Callable[[httpx.Request], httpx.Response]) -> None:
    """A 4xx other than 408/429 on POST /requests refuses what was sent: the form keeps everything, editable, with
    the message, and offers send (after a change), not "retry"."""
    backend = RequestBackend()
    backend.overrides[("POST", "/requests")] = answer
    app, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    assert not form.can_retry and form.state == FormState.EDITING and not form.fields_locked
    assert form.form_error is not None and " ".join(form.item.split()) == FILLED_ITEM
    assert t("retry", form.locale) not in texts(app_view(app))


async def test_the_outbox_sends_a_photo_refused_as_too_large_no_more() -> None:
    """The outbox's draft whose photo a proxy refuses (413) turns "failed" with words that say which photo and what
    to do, and is not sent again by itself; the photos before it arrived."""
    backend = ProxyPhotoLimit(too_large={1})
    outbox = outbox_over(backend)
    await outbox.add(OutboxItem(body=draft_body(), photos=[photo((1, 2, 3)), photo((4, 5, 6))]))
    assert await outbox.flush() == Outcome.DONE
    (item,) = outbox.items
    assert item.state == ItemState.FAILED and item.error == error_text("photo_upload_too_large", n=2)
    assert outbox.pending == []
    before = len(backend.requests)
    outbox.wake()
    assert await outbox.flush() == Outcome.DONE and len(backend.requests) == before


# --- 2. a captive portal -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "bodiless_calls_too"), [
    (portal_page, True),
    # A redirect to its sign-in page; RFC 6585's "Network Authentication Required".
    (lambda r: httpx.Response(302, headers={"location": "http://wifi.hotel.example/login"}), True),
    (lambda r: httpx.Response(511, text=PORTAL_PAGE, headers={"content-type": "text/html"}), True),
    # A portal that sends its page with no type at all: no answer of the backend's has a body without one.
    (lambda r: httpx.Response(200, content=PORTAL_PAGE.encode()), True),
    # A portal that calls its page JSON: told where a body is read.
    (lambda r: httpx.Response(200, text=PORTAL_PAGE, headers={"content-type": "application/json"}), False),
], ids=["200-html", "302", "511", "200-no-type", "200-json-type"])
async def test_a_captive_portals_answer_is_a_network_failure_not_an_internal_error(
        answer: Callable[[httpx.Request], httpx.Response], bodiless_calls_too: bool) -> None:
    """mobile/api_client.py `_json`: a success whose body was not JSON raised `internal_error` ("ระบบขัดข้อง"), and a
    call that reads no body (declining an invitation) took the hotel's page for the backend's "done". Neither
    reached Fixit: the person is told the Wi-Fi wants a sign-in, and it is kept and sent again like no connection."""
    api = ApiClient("http://backend.test", transport=httpx.MockTransport(answer))
    seen = StaffInvitation.model_validate({"role": "technician", "college": COLLEGE, "skills": {},
                                           "invited_at": T0.isoformat(), "expires_at": T0.isoformat()})
    calls = [api.my_requests(), *([api.decline_invitation(seen)] if bodiless_calls_too else [])]
    try:
        for call in calls:
            with pytest.raises(ApiError) as raised:
                await call
            error = raised.value
            assert (error.code, error.text) == (CAPTIVE_PORTAL, error_text(CAPTIVE_PORTAL))
            assert error.is_network and error.is_retryable and not error.is_auth_lost
    finally:
        await api.aclose()
    assert "Wi-Fi" in error_text(CAPTIVE_PORTAL).th and "sign in" in error_text(CAPTIVE_PORTAL).en


ByteCall = Callable[[ApiClient], Awaitable[object]]
Answer = Callable[[], httpx.Response]
REQUEST_ID, STUDENT_ID = uuid4(), uuid4()
# Every call that reads bytes or sends a file, with the answer the backend gives it.
BYTE_CALLS: dict[str, tuple[ByteCall, Answer]] = {
    "export": (lambda api: api.export_my_data(),
               lambda: httpx.Response(200, content=b'{"profile": {}}', headers={"content-type": "application/json"})),
    "photo": (lambda api: api.request_photo(REQUEST_ID, "before", 0),
              lambda: httpx.Response(200, content=b"\xff\xd8jpeg", headers={"content-type": "image/jpeg"})),
    "portfolio-pdf": (lambda api: api.portfolio_pdf(STUDENT_ID),
                      lambda: httpx.Response(200, content=b"%PDF-1.4", headers={"content-type": "application/pdf",
                                                                              "x-verification-code": "ABCD"})),
    "csv": (lambda api: api.supervisor_csv("jobs"),
            lambda: httpx.Response(200, content="\ufeffชื่อ\r\n".encode(),
                                   headers={"content-type": "text/csv; charset=utf-8"})),
    "photo-upload": (lambda api: api.upload_request_photo(REQUEST_ID, 0, b"jpeg", "image/jpeg"),
                     lambda: httpx.Response(200, json={"id": str(uuid4()), "idx": 0})),
    "after-photo-upload": (lambda api: api.upload_after_photo(REQUEST_ID, 0, b"jpeg", "image/jpeg"),
                           lambda: httpx.Response(200, json={"id": str(uuid4()), "kind": "after", "idx": 0})),
    "students-csv": (lambda api: api.import_students(uuid4(), b"phone\r\n0812345678\r\n"),
                     lambda: httpx.Response(200, json={"imported": 1})),
}
PORTAL_ANSWERS: dict[str, Answer] = {
    "200-html": lambda: httpx.Response(200, text=PORTAL_PAGE, headers={"content-type": "text/html; charset=utf-8"}),
    "200-no-type": lambda: httpx.Response(200, content=PORTAL_PAGE.encode()),
    # A page that names a type the call does not expect: a PDF's download gets the portal's plain text.
    "200-text": lambda: httpx.Response(200, text="Please sign in to the hotel Wi-Fi",
                                       headers={"content-type": "text/plain"}),
}


def client_of(answer: Answer) -> ApiClient:
    return ApiClient("http://backend.test", token="t", transport=httpx.MockTransport(lambda r: answer()))


@pytest.mark.parametrize("portal", list(PORTAL_ANSWERS))
@pytest.mark.parametrize("call", list(BYTE_CALLS))
async def test_a_call_that_reads_bytes_or_sends_a_file_takes_a_portals_page_for_a_network_failure(
        call: str, portal: str) -> None:
    """mobile/api_client.py caught a portal's page with no type only where a body was read as JSON: the PDF, a
    photo, a CSV export and the data download took the hotel's page for their bytes (a "PDF" that would not open,
    a broken photo). Every call goes through the one check (`_send`, the types it expects): none of them does."""
    make, _ = BYTE_CALLS[call]
    api = client_of(PORTAL_ANSWERS[portal])
    try:
        with pytest.raises(ApiError) as raised:
            await make(api)
    finally:
        await api.aclose()
    assert (raised.value.code, raised.value.status, raised.value.is_network) == (CAPTIVE_PORTAL, 0, True)


@pytest.mark.parametrize("call", list(BYTE_CALLS))
async def test_the_backends_own_bytes_still_arrive(call: str) -> None:
    make, answer = BYTE_CALLS[call]
    api = client_of(answer)
    try:
        assert await make(api)
    finally:
        await api.aclose()


@pytest.mark.parametrize("portal", list(PORTAL_ANSWERS))
async def test_the_live_events_stream_takes_a_portals_page_for_a_failed_connection(portal: str) -> None:
    """mobile/live.py took a portal's page on GET /events (200, any type) for a stream the server had ended, and
    connected again at once, over and over while the hotel's page answered (each time telling the app its access may
    have changed). It is a failed connection now: tried again with backoff, then polling."""
    ended: list[int] = []
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:
            raise asyncio.CancelledError

    async def on_event(_: ServerEvent) -> None:
        raise AssertionError("a portal's page is no event")

    async def on_ended() -> None:
        ended.append(1)

    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        assert len(calls) <= 2, "connected again at once, with no wait"
        return PORTAL_ANSWERS[portal]()

    live = LiveEvents("http://backend.test", lambda: "t", on_event, on_ended=on_ended, sleep=sleep,
                      transport=httpx.MockTransport(answer))
    with pytest.raises(asyncio.CancelledError):
        await live.run()
    assert (len(calls), live.failures, live.connections, ended) == (2, 2, 0, [])
    assert delays == [backoff_delay(1), backoff_delay(2)]


async def test_a_form_sent_behind_a_captive_portal_waits_in_the_outbox_and_goes_once_signed_in() -> None:
    backend = Portal()
    app, form = await open_form(backend)
    fill_valid(form)
    backend.portal = True
    await form.submit()
    assert app.screen == Screen.HOME and app.outbox is not None, form.form_error
    (item,) = app.outbox.items
    assert item.state == ItemState.PENDING and item.item == FILLED_ITEM
    assert await app.outbox.flush() == Outcome.RETRY_LATER and app.outbox.items[0].state == ItemState.PENDING
    backend.portal = False  # signed in to the Wi-Fi
    assert await app.outbox.flush() == Outcome.DONE and app.outbox.items == []
    assert len(backend.created) == 1


# --- 3. Retry-After ------------------------------------------------------------------------------------------


def client_answering(response: httpx.Response, now: datetime = T0) -> ApiClient:
    return ApiClient("http://backend.test", transport=httpx.MockTransport(lambda r: response),
                     clock=lambda: now.timestamp())


async def error_of(api: ApiClient) -> ApiError:
    try:
        with pytest.raises(ApiError) as raised:
            await api.my_requests()
    finally:
        await api.aclose()
    return raised.value


async def test_retry_after_is_kept_on_the_error_and_said_in_its_words() -> None:
    """mobile/api_client.py read no Retry-After: the backend's own 429 (3599 s left of its hour) read "try again in
    3599 seconds", a proxy's 429 or 503 "wait a moment", and nothing kept when; now the error carries it and says
    it in minutes (or seconds), from seconds or an HTTP date."""
    limited = error_response(429, "too_many_requests", seconds=3599)
    limited.headers["Retry-After"] = "3599"
    error = await error_of(client_answering(limited))
    assert (error.status, error.code, error.retry_after) == (429, "too_many_requests", 3599)
    assert error.message_th == "ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก 60 นาที"
    assert error.message_en == "Too many actions in a short time: try again in 60 min"

    proxy = httpx.Response(503, text="<html>busy</html>", headers={"content-type": "text/html",
                                                                    "Retry-After": format_datetime(
                                                                        T0 + timedelta(seconds=90), usegmt=True)})
    error = await error_of(client_answering(proxy))
    assert (error.code, error.retry_after) == ("server_unavailable", 90)
    assert "ลองใหม่ในอีก 2 นาที" in error.message_th and error.message_en.endswith("try again in 2 min")

    other = error_response(503, "maintenance_window")
    other.headers["Retry-After"] = "45"
    error = await error_of(client_answering(other))
    assert error.retry_after == 45 and error.message_th.endswith("ลองใหม่ในอีก 45 วินาที")
    assert error.message_en.endswith("Try again in 45 seconds.")

    unsaid = error_response(429, "too_many_requests", seconds=12)
    error = await error_of(client_answering(unsaid))
    assert error.retry_after is None and error.message_en == error_text("too_many_requests", seconds=12).en


async def test_the_outbox_sends_nothing_before_the_servers_retry_after() -> None:
    """mobile/outbox.py retried a 429 after its own backoff (2 s, 4 s, … 30 s) and at every wake (the home's refresh):
    a person over the backend's hourly limit had their draft sent some 120 times in the hour, each refused. Now it
    waits as long as the server said, through wakes and restarts, and the home says until when."""
    now = [T0.timestamp()]
    backend = RequestBackend()

    def limited(request: httpx.Request) -> httpx.Response:
        refused = error_response(429, "too_many_requests", seconds=600)
        refused.headers["Retry-After"] = "600"
        return refused

    backend.overrides[("POST", "/requests")] = limited
    outbox = outbox_over(backend, clock=lambda: now[0])
    await outbox.add(OutboxItem(body=draft_body()))
    assert await outbox.flush() == Outcome.RETRY_LATER
    (item,) = outbox.items
    assert item.state == ItemState.PENDING and item.not_before == now[0] + 600 and outbox.resume_at == item.not_before
    assert OutboxItem.from_json(json.loads(json.dumps(item.to_json()))).not_before == item.not_before
    posts = len(backend.calls("POST", "/requests"))
    now[0] += 599
    outbox.wake()  # "refresh" on the home
    assert await outbox.flush() == Outcome.RETRY_LATER
    assert len(backend.calls("POST", "/requests")) == posts, "sent again before the server's Retry-After"

    del backend.overrides[("POST", "/requests")]
    now[0] += 2
    assert await outbox.flush() == Outcome.DONE and outbox.items == [] and len(backend.created) == 1


async def test_the_background_sender_sleeps_until_the_retry_after() -> None:
    now = T0.timestamp()
    backend = RequestBackend()

    def limited(request: httpx.Request) -> httpx.Response:
        refused = error_response(429, "too_many_requests", seconds=600)
        refused.headers["Retry-After"] = "600"
        return refused

    backend.overrides[("POST", "/requests")] = limited
    never = asyncio.Event()

    async def sleep(_: float) -> None:
        await never.wait()

    outbox = outbox_over(backend, clock=lambda: now, sleep=sleep)
    await outbox.add(OutboxItem(body=draft_body()))
    task = asyncio.ensure_future(outbox.run())
    for _ in range(100):
        await asyncio.sleep(0)
        if outbox.delays:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert outbox.delays == [600]


async def test_the_home_says_until_when_a_draft_waits_for_the_server() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    # Far ahead, so the app's own sender (on the real clock) keeps it: 10:10 in Bangkok.
    waiting = OutboxItem(body=draft_body("ตู้เย็น"), not_before=datetime(2099, 1, 1, 3, 10, tzinfo=UTC).timestamp())
    await app.outbox.add(waiting)
    shown = texts(app_view(app))
    assert t("outbox_waiting_until", app.session.locale, time="10:10") in shown


async def test_the_form_says_when_to_try_again() -> None:
    backend = RequestBackend()

    def limited(request: httpx.Request) -> httpx.Response:
        refused = error_response(429, "too_many_requests", seconds=1500)
        refused.headers["Retry-After"] = "1500"
        return refused

    backend.overrides[("POST", "/requests")] = limited
    _, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    assert form.form_error == "ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก 25 นาที" and form.can_retry


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), (" 7 ", 7.0), ("0", 0.0),
    (format_datetime(T0 + timedelta(minutes=5), usegmt=True), 300.0),
    (format_datetime(T0 - timedelta(minutes=5), usegmt=True), 0.0),  # a date already past: no wait
    ("99999999", float(RETRY_AFTER_MAX_SECONDS)),  # a proxy's nonsense holds nothing back for years
    ("-5", None), ("1.5", None), ("soon", None), ("", None), (None, None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, T0) == seconds


async def test_a_retry_after_on_a_refusal_promises_nothing() -> None:
    """A 413 may carry a Retry-After (RFC 9110 allows it): sending the same again is still refused, so the error
    neither waits for it nor tells the person to try again then."""
    refused = httpx.Response(413, text=NGINX_413, headers={"content-type": "text/html", "Retry-After": "60"})
    error = await error_of(client_answering(refused))
    assert (error.code, error.retry_after, error.is_retryable) == ("upload_too_large", None, False)
    assert error.text == error_text("upload_too_large", status=413)
