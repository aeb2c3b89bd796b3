"""What a screen's refresh asks of the backend, counted: a phone on mobile data pays for each request (latency,
battery) and for each body. The catalogue comes once and is then revalidated with its ETag (a 304 without a body),
the account screen asks for its two parts at once, and a poll of the owner's request skips the job record while
nothing of it can have changed."""

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.viewmodels.loadable import LoadState
from mobile.views.account import account_view
from tests.unit.mobile_fakes import NOW, FakeBackend, error_response, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import CreditBackend

# --- the catalogue: once a session, then a conditional GET ---------------------------------------------------------


async def test_the_catalogue_comes_once_then_each_refresh_gets_a_304_without_a_body() -> None:
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    (first,) = backend.calls("GET", "/categories")
    assert "if-none-match" not in first.headers and backend.catalogue_statuses == [200]

    await home.load()
    await home.load()
    again = backend.calls("GET", "/categories")[1:]
    assert [c.headers.get("if-none-match") for c in again] == [backend.catalogue_etag()] * 2
    assert backend.catalogue_statuses == [200, 304, 304]
    assert home.state == LoadState.READY and home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"  # the kept copy


@pytest.mark.parametrize("role", ["technician", "supervisor"])
async def test_an_administrator_s_edit_of_a_category_shows_at_the_next_refresh(role: str) -> None:
    backend = FakeBackend()
    app = await signed_in(role, backend)
    home = app.home
    assert isinstance(home, TechnicianHome | SupervisorHome)
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"

    backend.categories = [{**backend.categories[0], "name_th": "เครื่องใช้ไฟฟ้าในบ้าน"}]
    await home.load()
    assert backend.catalogue_statuses == [200, 200]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้าในบ้าน"
    await home.load()  # the new copy is kept in its turn
    assert backend.catalogue_statuses == [200, 200, 304]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้าในบ้าน"


async def test_a_backend_without_an_etag_still_gives_the_catalogue_each_time() -> None:
    """An older backend (no ETag): nothing kept, no If-None-Match sent, every answer read."""
    backend = FakeBackend()
    backend.overrides[("GET", "/categories")] = lambda _: httpx.Response(200, json=backend.categories)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    await home.load()
    assert [c.headers.get("if-none-match") for c in backend.calls("GET", "/categories")] == [None, None]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"


# --- the account screen: its two loads at once ---------------------------------------------------------------------

PREFERENCES: dict[str, Any] = {
    "channels": {"accepted": ["push"]}, "allowed": {"accepted": ["push", "line"]}, "quiet_hours": False,
    "quiet_start": "21:00", "quiet_end": "07:00", "offers_in_quiet_hours": False, "sms_fallback": True,
    "line_linked": False, "devices": 0, "web_push_public_key": ""}


async def test_the_account_screen_asks_for_the_profile_and_the_preferences_at_once() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)

    def preferences(_: httpx.Request) -> httpx.Response:
        backend.release.set()  # GET /me's answer comes only once the preferences were asked for beside it
        return httpx.Response(200, json=PREFERENCES)

    backend.overrides[("GET", "/me/notification-settings")] = preferences
    backend.hold_next("/me")
    await asyncio.wait_for(app.open_account(), 5)  # one after the other, GET /me would wait for ever
    account = app.account
    assert account is not None and account.state == LoadState.READY
    assert account.profile is not None and account.profile.display_name == "สมชาย ใจดี"
    assert account.settings is not None and account.settings.quiet_start == "21:00"


async def test_preferences_that_fail_leave_the_account_shown_without_them() -> None:
    backend = FakeBackend()
    backend.overrides[("GET", "/me/notification-settings")] = lambda _: error_response(500, "internal_error")
    app = await signed_in("citizen", backend)
    await app.open_account()
    account = app.account
    assert account is not None and account.state == LoadState.READY and account.settings is None
    assert "081-111-1111" in texts(account_view(account, app.locale))


async def test_a_profile_that_fails_shows_the_error_with_a_retry() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)
    backend.overrides[("GET", "/me/notification-settings")] = lambda _: httpx.Response(200, json=PREFERENCES)
    backend.overrides[("GET", "/me")] = lambda _: error_response(500, "internal_error")
    await app.open_account()
    account = app.account
    assert account is not None and account.state == LoadState.FAILED
    assert account.error is not None and account.error in texts(account_view(account, app.locale))


async def test_preferences_refused_for_a_lost_sign_in_go_to_the_login() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)
    backend.overrides[("GET", "/me/notification-settings")] = lambda _: error_response(401, "token_invalid")
    await app.open_account()
    assert app.screen == Screen.LOGIN


# --- polling the owner's request: the record only when it may have changed -----------------------------------------


def record_calls(backend: FakeBackend, request_id: str) -> int:
    return len(backend.calls("GET", f"/requests/{request_id}/record"))


def moved(backend: CreditBackend, status: str, minutes: int) -> None:
    """The request moves on at the backend (its updated_at with it, as the database's trigger does)."""
    backend.job["status"] = status
    backend.job["updated_at"] = (NOW + timedelta(minutes=minutes)).isoformat()


async def test_a_poll_of_a_request_waiting_for_a_college_asks_for_the_request_alone() -> None:
    backend = CreditBackend("offered")
    request_id = backend.job["id"]
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(request_id))
    assert app.record is not None and app.record.record is not None and record_calls(backend, request_id) == 1

    await app.poll()
    await app.poll()
    assert len(backend.calls("GET", f"/requests/{request_id}")) == 3 and record_calls(backend, request_id) == 1

    moved(backend, "accepted", 1)  # a student took it: parts may be proposed from now on
    backend.part("คาปาซิเตอร์")
    await app.poll()
    assert record_calls(backend, request_id) == 2 and [p.name for p in app.record.parts_waiting] == ["คาปาซิเตอร์"]
    await app.poll()
    assert record_calls(backend, request_id) == 3  # while the work is open, every poll


async def test_a_request_that_moved_away_and_back_between_two_polls_fetches_its_record() -> None:
    """Offered, accepted (a part proposed), taken back to offered: the same status, yet the record changed."""
    backend = CreditBackend("offered")
    request_id = backend.job["id"]
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(request_id))
    moved(backend, "accepted", 1)
    backend.part("ฟิวส์")
    moved(backend, "offered", 2)
    await app.poll()
    assert record_calls(backend, request_id) == 2
    assert app.record is not None and [p.name for p in app.record.parts] == ["ฟิวส์"]


@pytest.mark.parametrize("status", ["done", "unrepairable", "repairing"])
async def test_where_the_owner_s_record_can_change_every_poll_fetches_it(status: str) -> None:
    backend = CreditBackend(status)
    request_id = backend.job["id"]
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(request_id))
    await app.poll()
    await app.poll()
    assert record_calls(backend, request_id) == 3


@pytest.mark.parametrize(("approved", "fetches"), [(False, 3), (True, 1)])
async def test_a_staff_poll_skips_the_record_only_once_the_round_s_hours_are_approved(approved: bool,
                                                                                       fetches: int) -> None:
    """A helper's hours may change in any status until the teacher approves them: the job screen keeps asking till
    then. A handed back job whose hours are approved (a teacher looking at last term's jobs) is settled."""
    backend = CreditBackend("handed_back")
    backend.team = [{"technician_id": str(uuid4()), "display_name": "มานพ", "role": "lead", "task": "", "hours": 2.0,
                     "approved_hours": 2.0 if approved else None, "approved_at": NOW.isoformat() if approved else None}]
    request_id = backend.job["id"]
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(request_id))
    await app.poll()
    await app.poll()
    assert app.screen == Screen.JOB and record_calls(backend, request_id) == fetches
    assert len(backend.calls("GET", f"/requests/{request_id}")) == 3  # the job itself, every poll

    moved(backend, "submitted", 1)  # its owner reopened it: a new round
    await app.poll()
    assert record_calls(backend, request_id) == fetches + 1
