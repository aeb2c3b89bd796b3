"""The app's view-models brought to a screen for unit tests: signed in as a role, at the request form, at a request's
detail, at a job; plus the accessibility check every screen's tree must pass."""

from typing import Any
from uuid import UUID

import flet as ft

from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.job import JobViewModel
from mobile.viewmodels.request_detail import RequestDetailViewModel
from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from shared.text import Locale
from tests.unit.mobile_fakes import (
    CHIANG_MAI,
    DEV_CODE,
    PHONES,
    DetailBackend,
    FakeBackend,
    MemoryStore,
    RequestBackend,
    WorkBackend,
    button_named,
    error_response,
    walk,
)


async def app_at_login(backend: FakeBackend | None = None, locale: Locale | None = None) -> AppViewModel:
    vm = AppViewModel((backend or FakeBackend()).client(), MemoryStore(locale=locale))
    await vm.start()
    return vm


async def sign_in(vm: AppViewModel, role: str) -> None:
    """The sign-in as a person does it: the role's phone, the code the fake backend sends, verify."""
    vm.login.set_phone_input(PHONES[role])
    await vm.login.request_code()
    vm.login.set_code_input(DEV_CODE)
    await vm.login.verify()


async def signed_in(role: str, backend: FakeBackend | None = None, locale: Locale | None = None) -> AppViewModel:
    """A fresh app signed in as `role`, at its home."""
    vm = await app_at_login(backend, locale)
    await sign_in(vm, role)
    assert vm.screen == Screen.HOME
    return vm


def assert_accessible(tree: ft.Control) -> None:
    """Every field has a label, every icon button a tooltip and a labelled icon, every button words."""
    for control in walk(tree):
        if isinstance(control, ft.TextField):
            assert control.label, control
        elif isinstance(control, ft.IconButton):
            assert control.tooltip, control
            assert isinstance(control.icon, ft.Icon) and control.icon.semantics_label == control.tooltip
        elif isinstance(control, ft.Button | ft.TextButton | ft.OutlinedButton):
            assert isinstance(control.content, str) and control.content, control


async def open_form(backend: RequestBackend, locale: Locale | None = None) -> tuple[AppViewModel, RequestFormViewModel]:
    app = await signed_in("citizen", backend, locale)
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    assert app.screen == Screen.REQUEST_FORM
    form = app.request_form
    assert form is not None
    return app, form


# The item fill_valid types, as the form cleans it.
FILLED_ITEM = "หม้อหุงข้าว ไฟฟ้า"


def current_screen(app: AppViewModel) -> Screen:
    """A function, so mypy does not keep the screen narrowed by an earlier assert across the awaits that change it."""
    return app.screen


def fill_valid(form: RequestFormViewModel) -> None:
    form.set_category("appliance")
    form.set_item("  หม้อหุงข้าว   ไฟฟ้า ")
    form.set_brand(" Sharp KS-11E ")
    form.set_description("  เปิดไม่ติด ไฟไม่เข้า  ")
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    form.set_address("12 ถ.นิมมานเหมินท์")
    form.set_service_place("home")
    form.toggle_day("sat")
    form.toggle_day("mon")
    form.set_contact_phone("081-234-5678")
    form.set_pdpa_consent(True)


async def held_as_the_session_ends(app: AppViewModel, backend: FakeBackend) -> RequestFormViewModel:
    """The citizen (signed in on `app`) fills the request form and sends it; the backend says the sign-in is gone, so
    the app keeps the draft held and shows the sign-in again."""
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    del backend.overrides[("POST", "/requests")]
    assert current_screen(app) == Screen.LOGIN
    return form


async def click(tree: ft.Control, name: str) -> None:
    """What a tap on the button does (handlers here take no event)."""
    button: Any = button_named(tree, name)
    await button.on_click()


async def open_detail(backend: DetailBackend) -> tuple[AppViewModel, RequestDetailViewModel]:
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    await home.open_request(home.requests[0].id)
    assert app.screen == Screen.REQUEST_DETAIL and app.request_detail is not None
    return app, app.request_detail


async def technician_job(status: str = "accepted", locale: Locale | None = None
                        ) -> tuple[WorkBackend, Any, JobViewModel]:
    """The student holding a job at `status`, on its screen: (the fake backend, the app, the job screen)."""
    backend = WorkBackend()
    backend.job["status"] = status
    app = await signed_in("technician", backend, locale)
    await app.open_job(UUID(backend.job["id"]))
    assert app.screen == Screen.JOB and app.job is not None
    return backend, app, app.job
