"""While the app works, a screen reader hears what it is doing (audit16a, findings 9 and 10): the sign-in's code
request, a confirm panel's send (the request's cancel) and the request form's send say so in words, in a live region
over the progress bar (mobile/views/common.py::working), not only with a moving bar."""

import flet as ft
import httpx

from mobile.viewmodels.app import AppViewModel
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import (
    DEV_CODE,
    PHONES,
    DetailBackend,
    MemoryStore,
    button_named,
    find,
    jpeg_with_exif,
    texts,
    walk,
)
from tests.unit.mobile_screens import fill_valid, open_detail, open_form


def _progress_said(idle: ft.Control, busy: ft.Control) -> list[str]:
    """What a screen reader is told while the app works: the progress indicators' own labels, and the words of live
    regions that were not there before the tap."""
    said = [c.semantics_label for c in walk(busy)
            if isinstance(c, ft.ProgressBar | ft.ProgressRing) and c.semantics_label]

    def live(tree: ft.Control) -> list[str]:
        return [w for s in find(tree, ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s) if w]

    return said + [w for w in live(busy) if w not in live(idle)]


async def test_a_screen_reader_hears_that_the_app_is_working() -> None:
    """Login (citizen taps "ขอรหัสยืนยัน" on a slow line) and request detail ("ยืนยันการยกเลิก"): the button turns
    disabled and a bare ProgressBar appears (mobile/views/login.py, common.py::confirm_panel). No label, no live
    region: TalkBack says nothing, and the older citizen taps again or leaves, thinking nothing happened."""
    backend = DetailBackend()
    app = AppViewModel(backend.client(), MemoryStore())
    await app.start()
    idle = app_view(app)
    app.login.set_phone_input(PHONES["citizen"])
    busy: list[ft.Control] = []

    def otp(request: httpx.Request) -> httpx.Response:
        busy.append(app_view(app))
        return httpx.Response(200, json={"phone": "+66811111111", "expires_in": 300, "dev_code": DEV_CODE})

    backend.overrides[("POST", "/auth/otp/request")] = otp
    await app.login.request_code()
    (while_asking,) = busy
    assert find(while_asking, ft.ProgressBar)
    login_said = _progress_said(idle, while_asking)

    backend = DetailBackend()
    app, detail = await open_detail(backend)
    await button_named(app_view(app), t("action_cancel", Locale.TH)).on_click()  # type: ignore[attr-defined]
    idle = app_view(app)
    path = f"/requests/{detail.request_id}/cancel"
    sending: list[ft.Control] = []

    def cancel(request: httpx.Request) -> httpx.Response:
        sending.append(app_view(app))
        del backend.overrides[("POST", path)]
        return backend.handle(request)

    backend.overrides[("POST", path)] = cancel
    await button_named(idle, t("confirm_cancel", Locale.TH)).on_click()  # type: ignore[attr-defined]
    assert detail.detail is not None and detail.detail.status == "cancelled"
    (while_cancelling,) = sending
    assert find(while_cancelling, ft.ProgressBar)
    assert login_said and _progress_said(idle, while_cancelling), "nothing is said while the app works"
    assert login_said == [t("requesting_code", Locale.TH)]
    assert _progress_said(idle, while_cancelling) == [t("sending", Locale.TH)]



async def test_a_screen_reader_hears_that_the_request_is_being_sent() -> None:
    """Request form (citizen) → "ส่งคำขอ" on a slow line with photos: the button goes grey, a ProgressBar and the words
    "กำลังส่ง…" then "กำลังส่งรูปภาพ 1/1…" appear below it, as a plain Text (mobile/views/request_form.py::_send),
    not a live region as the photo-picking progress above it is. TalkBack says nothing for as long as the upload
    takes; the citizen taps again, or leaves the screen."""
    backend = DetailBackend()
    app, form = await open_form(backend)
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    idle = app_view(app)
    sending: list[ft.Control] = []

    def create(request: httpx.Request) -> httpx.Response:
        sending.append(app_view(app))
        del backend.overrides[("POST", "/requests")]
        return backend.handle(request)

    backend.overrides[("POST", "/requests")] = create
    await form.submit()
    assert backend.posts()
    (while_sending,) = sending
    assert t("sending", Locale.TH) in texts(while_sending)
    assert _progress_said(idle, while_sending), "nothing is said while the request is sent"
    assert t("sending", Locale.TH) in _progress_said(idle, while_sending)

