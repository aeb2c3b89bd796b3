"""What a person on a 360×640 phone ran into (session 21's look at every screen at that size, in Thai and English):
each test says what the screen should do. They were written as strict expected failures and each fix of the session
removed its mark (findings 1 uxa21, 2 uxb21, 4, 5 and 8 uxc21); the file stays as their regression tests."""

import flet as ft

from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import TechnicianHome
from mobile.views.admin import admin_home_view
from mobile.views.technician import technician_home_view
from shared.notifications import TEXTS, Kind
from shared.text import Locale, t
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, find, texts
from tests.unit.mobile_screens import sign_in, signed_in
from tests.unit.test_mobile_admin import AdminBackend, admin_home

TH = Locale.TH


async def test_an_app_opened_in_thai_tells_the_backend_when_the_profile_says_english() -> None:
    backend = FakeBackend()
    store = MemoryStore(locale=TH)
    first = AppViewModel(backend.client(), store)
    await first.start()
    await sign_in(first, "citizen")
    assert first.session.signed_in and backend.locales.get("citizen", "th") == "th"
    backend.locales["citizen"] = "en"  # the person switched to English on their other phone

    reopened = AppViewModel(backend.client(), store)  # this phone's app opened again: still Thai on screen
    await reopened.start()
    assert reopened.locale == TH
    # The backend writes next steps, timeline notes and notifications in the profile's language: it must be told.
    assert backend.locales["citizen"] == "th"


async def test_the_admins_tap_on_a_college_asks_before_it_sends_the_request() -> None:
    backend = AdminBackend()
    _app, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    open_picker = [b for b in find(admin_home_view(home, TH), ft.FilledButton) if b.content == "ส่งให้วิทยาลัย"][1]
    await open_picker.on_click()
    tree = admin_home_view(home, TH)
    nearest = [b for b in find(tree, ft.OutlinedButton) if str(b.content).startswith("วิทยาลัยเทคนิคลำพูน")]
    assert len(nearest) == 1
    await nearest[0].on_click()
    assert backend.calls("POST", f"/requests/{pump.id}/dispatch") == []


async def test_a_students_jobs_in_hand_come_before_the_offers() -> None:
    app = await signed_in("technician", FakeBackend())
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers and home.jobs
    shown = texts(technician_home_view(home, TH))
    assert shown.index(t("technician_jobs", TH)) < shown.index(t("technician_offers", TH))


def test_own_requests_are_called_requests_in_thai_as_on_the_citizens_home() -> None:
    assert t("my_repairs_entry", TH) == "คำขอซ่อมของฉัน"


def test_the_accepted_message_names_the_item() -> None:
    _title, body = TEXTS[Kind.ACCEPTED]
    assert "{item}" in body.in_(Locale.TH) and "{item}" in body.in_(Locale.EN)
