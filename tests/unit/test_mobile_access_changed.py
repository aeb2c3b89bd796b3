"""The backend ends a person's live stream when an admin changes their role or college (0043 `access_changed`):
the app reads GET /me once and, if the role or the college changed, opens that role's home, as after a sign-in.
Nothing visible happens when neither changed, nor when the network (not the server) dropped the stream."""

from collections.abc import AsyncIterator
from typing import Any

import httpx

from mobile.live import LiveEvents
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome, SupervisorHome, TechnicianHome
from tests.unit.mobile_fakes import BASE_URL, COLLEGE, FakeBackend, MemoryStore
from tests.unit.mobile_screens import current_screen, sign_in
from tests.unit.test_mobile_account_inbox import Spawned


async def _dropped() -> AsyncIterator[bytes]:
    yield b": connected\n\n"
    raise httpx.ReadError("connection reset")


class App:
    """An app signed in as `role`, its live stream served by the fake backend; background work kept in `spawned`."""

    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend
        self.spawned = Spawned()
        self.lives: list[LiveEvents] = []
        self.drop = False  # the next stream is cut by the network instead of ended by the server
        self.redraws = 0
        backend.overrides[("GET", "/events")] = self._events
        self.vm = AppViewModel(backend.client(), MemoryStore(), spawn=self.spawned, live_factory=self._factory)
        self.vm.on_change.append(self._redrawn)

    def _redrawn(self) -> None:
        self.redraws += 1

    def _events(self, request: httpx.Request) -> httpx.Response:
        if self.drop:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_dropped())
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b": connected\n\n")

    def _factory(self, token: Any, on_event: Any, on_poll: Any, on_refused: Any) -> LiveEvents:
        self.lives.append(LiveEvents(BASE_URL, token, on_event, on_poll=on_poll, on_refused=on_refused,
                                     transport=httpx.MockTransport(self.backend.handle)))
        return self.lives[-1]

    async def start(self, role: str) -> "App":
        await self.vm.start()
        await sign_in(self.vm, role)
        assert current_screen(self.vm) == Screen.HOME
        return self

    async def stream_ended(self) -> None:
        """The live stream opens and ends as the backend ends it (or the network cuts it); the app's background
        work it started runs then."""
        waiting = len(self.spawned.work)
        ended = await self.lives[-1].stream_once()
        assert ended is not self.drop
        for work in self.spawned.work[waiting:]:
            if getattr(work, "__name__", "") == "reread":
                await work()

    def asked_me(self, since: int) -> int:
        return self.backend.paths()[since:].count("GET /me")


async def test_a_citizen_made_a_student_gets_the_students_home_when_the_server_ends_the_stream() -> None:
    app = await App(FakeBackend()).start("citizen")
    vm = app.vm
    assert isinstance(vm.home, CitizenHome) and vm.session.token is not None
    app.backend.tokens[vm.session.token] = "technician"  # an admin enrolled them at a college as a student
    asked = len(app.backend.requests)
    await app.stream_ended()
    assert current_screen(vm) == Screen.HOME and isinstance(vm.home, TechnicianHome)
    assert vm.session.profile is not None and vm.session.profile.role == "technician"
    assert app.asked_me(asked) == 1
    assert "GET /technician/offers" in app.backend.paths()[asked:]  # the new home loaded its own lists
    stored = await vm._store.load()
    assert stored is not None and stored.profile == vm.session.profile  # a restart opens the same home
    assert len(app.lives) == 2  # the live stream restarted, scoped to the new role


async def test_a_teacher_moved_to_another_college_gets_that_colleges_home() -> None:
    backend = FakeBackend()
    app = await App(backend).start("supervisor")
    vm = app.vm
    before = vm.home
    other = {**COLLEGE, "id": "00000000-0000-4000-8000-000000000043", "code": "9999"}

    def me(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**backend.profile("supervisor"), "college": other})

    backend.overrides[("GET", "/me")] = me
    await app.stream_ended()
    assert isinstance(vm.home, SupervisorHome) and vm.home is not before
    assert vm.session.profile is not None and vm.session.profile.college is not None
    assert str(vm.session.profile.college.id) == other["id"]


async def test_the_same_role_and_college_change_nothing_that_shows() -> None:
    app = await App(FakeBackend()).start("technician")
    vm = app.vm
    home, lives, redraws, asked = vm.home, len(app.lives), app.redraws, len(app.backend.requests)
    await app.stream_ended()  # e.g. the backend's listener came back after a loss and ended every stream
    assert app.asked_me(asked) == 1
    assert vm.home is home and current_screen(vm) == Screen.HOME and app.redraws == redraws
    assert len(app.lives) == lives and app.backend.paths()[asked:] == ["GET /events", "GET /me"]


async def test_a_stream_the_network_dropped_does_not_ask_again() -> None:
    app = await App(FakeBackend()).start("citizen")
    vm = app.vm
    assert vm.session.token is not None
    app.backend.tokens[vm.session.token] = "technician"
    app.drop = True
    asked = len(app.backend.requests)
    await app.stream_ended()
    assert app.asked_me(asked) == 0 and isinstance(vm.home, CitizenHome)


async def test_a_half_written_form_is_held_on_the_new_home_not_lost() -> None:
    from mobile.outbox import ItemState
    from tests.unit.mobile_screens import fill_valid

    app = await App(FakeBackend()).start("citizen")
    vm = app.vm
    await vm.open_request_form()
    assert vm.request_form is not None and vm.session.token is not None
    fill_valid(vm.request_form)
    backend, person = app.backend, vm.session.profile
    assert person is not None
    backend.tokens[vm.session.token] = "technician"
    # The same person (the fake's GET /me makes up a new id each time; the outbox is kept per person).
    backend.overrides[("GET", "/me")] = lambda r: httpx.Response(
        200, json={**backend.profile("technician"), "id": str(person.id)})
    await app.stream_ended()
    assert current_screen(vm) == Screen.HOME and isinstance(vm.home, TechnicianHome)
    assert vm.outbox is not None and [i.state for i in vm.outbox.items] == [ItemState.HELD]
    assert vm.outbox.items[0].body["item"] == "หม้อหุงข้าว ไฟฟ้า"
