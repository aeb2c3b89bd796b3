"""An action's busy flag comes down on every way out of its call, not only on an answer or a refusal (ApiError): a
network error the API client raises otherwise, an answer it could not read, a cancelled task. Before, each such way
out left the flag up: every offer's buttons stayed disabled ("กำลังส่ง…") until the app restarted, and so did the
sign-in's, the form's send (and its back button), a screen's load (each later load only asked the one "on its way"
to go again), and the other actions below. A failure is said where the action's refusals are said, as the client
says a failure it cannot name (internal_error)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest

from mobile.api_client import ApiClient
from mobile.photo_picking import PickOutcome
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.busy import unforeseen
from mobile.viewmodels.colleges_admin import CollegesAdminViewModel
from mobile.viewmodels.home import AdminHome, CitizenHome, TechnicianHome
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.photo_viewer import PhotoViewer
from mobile.viewmodels.request_form import CategoriesState, FormState
from mobile.viewmodels.supervisor import TechniciansViewModel
from shared.text import Bilingual, Locale, bilingual
from tests.unit.mobile_fakes import DEV_CODE, PHONES, FakeBackend, RequestBackend, WorkBackend, jpeg_with_exif
from tests.unit.mobile_screens import app_at_login, fill_valid, open_form, signed_in, technician_job
from tests.unit.test_mobile_admin import AdminBackend
from tests.unit.test_mobile_invitation import INVITATION
from tests.unit.test_mobile_roles import teacher_on_job_list

TH = Locale.TH
SAID = unforeseen().text.th  # "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง"


def api_of(app: AppViewModel) -> ApiClient:
    return app._api


@dataclass
class Action:
    """One action of a screen: the ApiClient method its call goes through, the tap, its busy flag, where its failure
    is said, and the screen's listeners (told when it is to be redrawn)."""

    api: ApiClient
    method: str
    act: Callable[[], Awaitable[object]]
    busy: Callable[[], bool]
    said: Callable[[], str | None]
    on_change: list[Callable[[], None]]

    def redraws(self) -> list[bool]:
        """Whether the flag was up at each redraw from now on."""
        seen: list[bool] = []
        self.on_change.append(lambda: seen.append(self.busy()))
        return seen


class Broken:
    """The action's call fails: a network error the client does not turn into an ApiError, an answer it could not
    read (a parse error of its own), or it hangs until its task is cancelled."""

    def __init__(self, action: Action, kind: str) -> None:
        self.called = asyncio.Event()

        async def call(*_args: Any, **_kwargs: Any) -> Any:
            self.called.set()
            if kind == "network":
                raise ConnectionResetError(104, "Connection reset by peer")
            if kind == "parse":
                raise KeyError("id")
            await asyncio.Event().wait()  # never answered: the task is cancelled

        setattr(action.api, action.method, call)


def text(value: Bilingual | None) -> str | None:
    return None if value is None else value.th


async def offer_accepted() -> Action:
    app = await signed_in("technician")
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    offer = home.offers[0].offer_id
    return Action(api_of(app), "accept_offer", lambda: home.accept(offer), lambda: home.busy_offer is not None,
                  lambda: home.notice, home.on_change)


async def offer_declined() -> Action:
    app = await signed_in("technician")
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    offer = home.offers[0].offer_id
    home.ask_decline(offer)
    return Action(api_of(app), "decline_offer", lambda: home.decline(offer), lambda: home.busy_offer is not None,
                  lambda: home.notice, home.on_change)


async def name_saved() -> Action:
    app = await signed_in("citizen")
    home = app.home
    assert home is not None
    home.set_name_input("สมชาย")
    return Action(api_of(app), "update_me", home.save_name, lambda: home.name_busy,
                  lambda: home.name_error, home.on_change)


async def dispatched() -> Action:
    app = await signed_in("admin", AdminBackend())
    home = app.home
    assert isinstance(home, AdminHome) and home.waiting
    request = home.waiting[0].id
    return Action(api_of(app), "dispatch", lambda: home.dispatch(request, None), lambda: home.busy is not None,
                  lambda: home.notice, home.on_change)


async def more_jobs() -> Action:
    _backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    assert jobs is not None and jobs.has_more
    return Action(api_of(app), "supervisor_jobs", jobs.load_more, lambda: jobs.loading_more,
                  lambda: jobs.more_error, jobs.on_change)


async def college_saved() -> Action:
    app = await signed_in("admin")
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert isinstance(screen, CollegesAdminViewModel)
    screen.start_new()
    for name, value in {"code": "new-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College", "province_th": "ลำปาง",
                        "province_en": "Lampang", "lat": "18.29", "lon": "99.49", "service_radius_km": "25"}.items():
        screen.set_value(name, value)
    screen.set_region("north")
    form = screen.form
    assert form is not None
    return Action(api_of(app), "create_college", screen.save, lambda: form.saving,
                  lambda: screen.form_error, screen.on_change)


async def supervisor_named() -> Action:
    app = await signed_in("admin")
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert isinstance(screen, CollegesAdminViewModel)
    screen.start_naming(uuid4())
    screen.set_supervisor_phone("089-123-4567")
    return Action(api_of(app), "name_supervisor", screen.name_supervisor, lambda: screen.naming,
                  lambda: screen.naming_error, screen.on_change)


async def student_saved() -> Action:
    app = await signed_in("supervisor", WorkBackend())
    await app.open_technicians()
    screen = app.technicians
    assert isinstance(screen, TechniciansViewModel) and screen.rows
    row = screen.rows[0]
    return Action(api_of(app), "update_technician", lambda: screen.save(row.item.id), lambda: row.saving,
                  lambda: text(row.error), screen.on_change)


async def invitation_accepted() -> Action:
    backend = FakeBackend()
    backend.invitation = INVITATION
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome) and home.invitation.visible
    card = home.invitation
    return Action(api_of(app), "accept_invitation", card.accept, lambda: card.busy,
                  lambda: card.error(TH), home.on_change)


async def after_photo_uploaded() -> Action:
    _backend, app, job = await technician_job("repairing")
    photo = jpeg_with_exif()

    def said() -> str | None:
        # The failure, then that the photo is kept to be sent again (resil25 3: test_resil25_bad_network.py).
        error, kept = job.photo_error, " " + bilingual("after_photos_unsent", count=1).th
        return error.removesuffix(kept) if error is not None and error.endswith(kept) else error

    return Action(api_of(app), "upload_after_photo", lambda: job.add_after_photos([("a.jpg", photo)]),
                  lambda: job.uploading, said, job.on_change)


async def form_sent() -> Action:
    app, form = await open_form(RequestBackend())
    fill_valid(form)
    return Action(api_of(app), "create_request", form.submit, lambda: form.state == FormState.SENDING,
                  lambda: form.form_error, form.on_change)


async def categories_loaded() -> Action:
    app, form = await open_form(RequestBackend())
    return Action(api_of(app), "categories", form.load, lambda: form.categories_state == CategoriesState.LOADING,
                  lambda: form.form_error, form.on_change)


async def code_asked() -> Action:
    app = await app_at_login(RequestBackend())
    login = app.login
    login.set_phone_input(PHONES["citizen"])
    return Action(api_of(app), "request_otp", login.request_code, lambda: login.busy,
                  lambda: login.error, login.on_change)


async def new_code_asked() -> Action:
    app = await app_at_login(RequestBackend())
    login = app.login
    login.set_phone_input(PHONES["citizen"])
    await login.request_code()
    return Action(api_of(app), "request_otp", login.resend_code, lambda: login.busy,
                  lambda: login.error, login.on_change)


async def code_verified() -> Action:
    app = await app_at_login(RequestBackend())
    login = app.login
    login.set_phone_input(PHONES["citizen"])
    await login.request_code()
    login.set_code_input(DEV_CODE)
    return Action(api_of(app), "verify_otp", login.verify, lambda: login.busy, lambda: login.error, login.on_change)


async def all_read() -> Action:
    """Loadable._send, which every screen's actions go through (here the inbox's "mark all read")."""
    app = await signed_in("citizen")
    await app.open_inbox()
    inbox = app.inbox
    assert inbox is not None and app.screen == Screen.INBOX
    return Action(api_of(app), "mark_all_notifications_read", inbox.mark_all_read, lambda: inbox.busy,
                  lambda: inbox.error, inbox.on_change)


async def home_loaded() -> Action:
    """Loadable.load, every screen's load (here the citizen's home): LOADING is its busy flag."""
    app = await signed_in("citizen")
    home = app.home
    assert home is not None
    return Action(api_of(app), "my_requests", home.load, lambda: home.state == LoadState.LOADING,
                  lambda: home.error, home.on_change)


ACTIONS = [offer_accepted, offer_declined, name_saved, dispatched, more_jobs, college_saved, supervisor_named,
           student_saved, invitation_accepted, after_photo_uploaded, form_sent, categories_loaded, code_asked,
           new_code_asked, code_verified, all_read, home_loaded]


@pytest.mark.parametrize("kind", ["network", "parse"])
@pytest.mark.parametrize("ready", ACTIONS, ids=[a.__name__ for a in ACTIONS])
async def test_a_failure_that_is_no_api_error_brings_the_flag_down_and_is_said(
        ready: Callable[[], Awaitable[Action]], kind: str) -> None:
    action = await ready()
    broken = Broken(action, kind)
    redrawn = action.redraws()
    await action.act()
    assert broken.called.is_set()
    assert not action.busy(), "the busy flag stayed up"
    assert action.said() == SAID
    assert redrawn and redrawn[-1] is False, "the screen was not redrawn with the flag down"


@pytest.mark.parametrize("ready", ACTIONS, ids=[a.__name__ for a in ACTIONS])
async def test_a_cancelled_call_brings_the_flag_down(ready: Callable[[], Awaitable[Action]]) -> None:
    action = await ready()
    broken = Broken(action, "cancelled")

    async def tapped() -> None:
        await action.act()

    going = asyncio.create_task(tapped())
    await broken.called.wait()
    assert action.busy()
    redrawn = action.redraws()
    going.cancel()
    with pytest.raises(asyncio.CancelledError):
        await going
    assert not action.busy(), "the busy flag stayed up"
    assert redrawn == [False], "the screen was not redrawn with its buttons back"


async def test_the_busy_offer_buttons_come_back_for_the_next_offer() -> None:
    """The defect as a student met it: one accept fails with a network error the client raises otherwise, and
    the offer can be accepted again (its buttons are not "กำลังส่ง…" for good)."""
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    offer = home.offers[0].offer_id
    accept = api_of(app).accept_offer
    Broken(Action(api_of(app), "accept_offer", home.load, lambda: False, lambda: None, []), "network")
    await home.accept(offer)
    assert home.busy_offer is None and home.notice == SAID
    api_of(app).accept_offer = accept  # type: ignore[method-assign]
    await home.accept(offer)
    assert backend.calls("POST", f"/offers/{offer}/accept"), "the second tap sent nothing"


@pytest.mark.parametrize("kind", ["failed", "cancelled"])
async def test_a_pick_of_after_photos_that_fails_brings_the_flag_down(kind: str) -> None:
    """The job's after photos: a picker that fails in a way it does not say itself (or is cancelled) leaves the
    job's photo buttons usable."""
    _backend, _app, job = await technician_job("repairing")
    picking = asyncio.Event()

    async def pick(_room: int, _show: Callable[[Bilingual | None], None]) -> PickOutcome:
        picking.set()
        if kind == "failed":
            raise OSError("the file picker went away")
        await asyncio.Event().wait()
        return PickOutcome()

    going = asyncio.create_task(job.pick_after_photos(pick))
    if kind == "failed":
        await going
        assert picking.is_set() and job.photo_error == bilingual("photo_pick_failed").th
    else:
        await picking.wait()
        assert job.uploading
        going.cancel()
        with pytest.raises(asyncio.CancelledError):
            await going
    assert not job.uploading


async def test_a_full_size_photo_that_fails_otherwise_is_said_not_loading_for_good() -> None:
    """The photo viewer: a photo whose fetch fails in a way that is no ApiError says it could not be shown, as for
    a refusal, instead of the blurry thumbnail "loading" for as long as the viewer is open."""
    api = FakeBackend().client()
    viewer = PhotoViewer(api)
    Broken(Action(api, "request_photo", viewer.next, lambda: False, lambda: None, []), "network")
    await viewer.open([(uuid4(), "before", 0)], 0)
    assert viewer.failed and viewer.image is None
