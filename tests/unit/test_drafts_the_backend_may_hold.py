"""The photos and waits of a draft the backend may already hold (found by review15 in edge15's code): a photo the
backend has, or may have, is never taken out on the app alone; a huge or stale Retry-After never crashes the client
nor holds the drafts back past the cap."""

import httpx

from mobile.outbox import ItemState, OutboxItem, Outcome
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from shared.wire import RETRY_AFTER_MAX_SECONDS
from tests.unit.mobile_fakes import PHOTO_PATH, RequestBackend, error_response, jpeg_with_exif
from tests.unit.mobile_screens import fill_valid, open_form, signed_in
from tests.unit.test_app_network_last_edges import (
    T0,
    client_answering,
    draft_body,
    error_of,
    outbox_over,
    photo,
    state_of,
)


async def test_a_refused_draft_whose_request_exists_keeps_its_photos_on_the_server_when_edited() -> None:
    """mobile/viewmodels/request_form.py `_restore` drops the item's `request_id` and `uploaded`. The outbox turns a
    draft whose photo a proxy refused (413, after the request was stored and photo 1 arrived) "failed", saying
    "remove it and send fewer photos"; "edit and resend" opens it in the form as if nothing had been sent: any photo
    can be removed, also the one the backend has (edge15's `can_remove_photo` rule is for `created` only), every
    photo is sent again from index 0, and edited fields go nowhere (the same idempotency key answers the stored
    request). Remove the first photo and the big one, and the backend keeps photo 1 at index 0 and again at 1."""
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    created = backend.client()
    created.token = backend.issue_token("citizen")
    body = draft_body()
    stored = await created.create_request(body)
    refused = OutboxItem(body=body, photos=[photo((1, 2, 3)), photo((4, 5, 6)), photo((7, 8, 9))],
                         request_id=str(stored.id), uploaded=[0, 1], state=ItemState.FAILED)
    await app.outbox.add(refused)
    await app.edit_outbox_item(refused.key)
    form = app.request_form
    assert isinstance(form, RequestFormViewModel)
    # The photos the backend has (0 and 1) stay; the refused one (2) can be taken out.
    assert form.can_remove_photo(2)
    assert not form.can_remove_photo(0) and not form.can_remove_photo(1)
    # The request exists: an edit would go nowhere, so the fields take none (as in the form that created it).
    assert form.fields_locked


async def test_a_retry_after_too_long_for_int_is_capped_not_a_crash() -> None:
    """shared/wire.py `retry_after_seconds` reads digits with int(): Python refuses to convert more than 4300 digits
    (ValueError "Exceeds the limit"), which nothing catches. A proxy's "Retry-After: 999…9" (the "huge" case the
    cap RETRY_AFTER_MAX_SECONDS is for) makes every call through ApiClient raise a bare ValueError instead of its
    ApiError: the outbox's flush (which catches ApiError only) and every screen get an exception they do not
    expect. Any run of digits is at least the cap."""
    refused = error_response(429, "too_many_requests", seconds=60)
    refused.headers["Retry-After"] = "9" * 5000
    error = await error_of(client_answering(refused))
    assert (error.status, error.retry_after) == (429, RETRY_AFTER_MAX_SECONDS)


async def test_a_kept_wait_longer_than_the_cap_does_not_hold_the_drafts_back() -> None:
    """mobile/outbox.py keeps `not_before` as a wall-clock time across restarts and trusts it as kept. A 429 that came
    while the phone's clock was ahead (a month, after a wrong manual date or a bad network time) leaves a
    not_before a month away once the clock is put right: the draft, and every draft after it (flush stops at it),
    waits that month, far past RETRY_AFTER_MAX_SECONDS, the longest wait the app means to honour; the home says
    "will be sent again at HH:MM" with no date. A kept wait should be at most the cap from now."""
    now = T0.timestamp()
    backend = RequestBackend()
    outbox = outbox_over(backend, clock=lambda: now)
    await outbox.add(OutboxItem(body=draft_body(), not_before=now + 30 * 24 * 3600))
    await outbox.add(OutboxItem(body=draft_body("ตู้เย็น")))
    assert await outbox.flush() == Outcome.RETRY_LATER
    assert outbox.resume_at is not None and outbox.resume_at <= now + RETRY_AFTER_MAX_SECONDS


class ProxyTimesOut(RequestBackend):
    """A reverse proxy that gives up waiting (504) on the photo at `slow` once, while the backend goes on and
    stores it: the app cannot tell that photo from one never sent."""

    def __init__(self, slow: int) -> None:
        super().__init__()
        self.slow: int | None = slow

    def handle(self, request: httpx.Request) -> httpx.Response:
        match = PHOTO_PATH.match(request.url.path)
        if request.method == "PUT" and match and int(match.group(2)) == self.slow:
            self.slow = None
            super().handle(request)  # stored by the backend ...
            return httpx.Response(504, text="<html>504 Gateway Time-out</html>",  # ... but the proxy answers
                                  headers={"content-type": "text/html"})
        return super().handle(request)


async def test_a_photo_whose_send_ended_in_a_server_fault_is_not_removed_on_the_app_only() -> None:
    """mobile/viewmodels/request_form.py `can_remove_photo` (edge15) lets a photo be taken out once the request
    exists when it is not in `uploaded`, read as "not sent yet". A 5xx (a proxy's 504 timeout, a 502 after the
    backend stored it) does not say the photo did not arrive: the form is FAILED (retryable), the person removes
    the photo and sends, and the form says sent, while the backend keeps the photo they removed, shown to the
    students and the teacher (before edge15 no photo could be removed once the request existed). What the backend
    keeps must be what the person kept."""
    backend = ProxyTimesOut(slow=1)
    _, form = await open_form(backend)
    fill_valid(form)
    form.add_photos([("a.jpg", jpeg_with_exif()), ("b.jpg", jpeg_with_exif((9, 90, 200)))])
    await form.submit()
    assert form.state == FormState.FAILED and form.can_retry
    form.remove_photo(1)  # "that photo was a mistake anyway"
    await form.submit()
    assert state_of(form) == FormState.SENT
    assert sorted(idx for (_, idx) in backend.photos) == list(range(len(form.photos)))
