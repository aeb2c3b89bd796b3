"""A screen that loads its data from the backend: the load state, the error in the person's language, retry."""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypedDict, TypeVar

from mobile.api_client import ApiClient, ApiError
from mobile.viewmodels.busy import answered
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.retry_wait import RetryWait
from mobile.viewmodels.session import Session
from shared.text import Bilingual, Locale, bilingual

AuthLost = Callable[[ApiError], Awaitable[None]]
Done = Callable[[], Awaitable[None]]
Refused = Callable[[ApiError], None]
Busy = Callable[[bool], None]  # raises (True) and lowers (False) one action's busy flag
T = TypeVar("T")
# Offers the bytes to the person as a file (FilePicker.save_file); False when the platform cannot.
SaveFile = Callable[[str, bytes], Awaitable[bool]]


async def _through(call: Awaitable[object]) -> bool:
    await call
    return True


async def saved_as(save_file: SaveFile | None, name: str, data: bytes) -> bool:
    """Offer the bytes as a file; False when there is no save dialog here or it failed (the screen then shows the
    text to copy, or the code to quote)."""
    if save_file is None:
        return False
    try:
        return await save_file(name, data)
    except Exception:  # the platform's save dialog failed: the caller falls back
        return False


async def fetched_and_saved(call: Awaitable[bytes], save_file: SaveFile | None, name: str) -> tuple[bytes, bool]:
    """A download's bytes, and whether the person saved them as a file: one awaitable, so the screen's busy flag
    (`_send`'s) stays up while the save dialog is open."""
    data = await call
    return data, await saved_as(save_file, name, data)


class LoadState(StrEnum):
    IDLE = "idle"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class Loadable(Observable, ABC):
    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost) -> None:
        super().__init__()
        self._api = api
        self._session = session
        self._on_auth_lost = on_auth_lost
        self.state = LoadState.IDLE
        # A failure's retry waits for its Retry-After (a 429's, a 503's), and comes back with a redraw by itself.
        self.retry_wait = RetryWait(self._changed)
        self._failure: ApiError | None = None
        self.sending = False  # one action's call is on its way: its buttons wait
        # A load was asked for while one was on its way: that one's answer may predate what asked (an accepted
        # offer, a live event), so it fetches once more before it shows.
        self._load_again = False
        # The load on its way, done once it has shown its data or its failure: what `load_fresh` waits for.
        self._landing: asyncio.Future[None] | None = None
        self.has_loaded = False  # its data came at least once: a reload keeps showing it meanwhile
        # The app let go of the screen (`close`): an answer landing later changes nothing anyone sees.
        self.is_closed = False

    @property
    def locale(self) -> Locale:
        return self._session.locale

    @property
    def _error(self) -> ApiError | None:
        """The failure the screen shows (with its retry); setting it starts (or ends) the retry's wait."""
        return self._failure

    @_error.setter
    def _error(self, failure: ApiError | None) -> None:
        self._failure = failure
        self.retry_wait.after(failure)

    @property
    def error(self) -> str | None:
        return None if self._error is None else self._error.message(self.locale)

    @property
    def retry_at(self) -> str | None:
        """While the server asked to wait (Retry-After): when the retry may go ("10:25"); None: it may go now."""
        return self.retry_wait.until(self.locale)

    def _in_locale(self, text: Bilingual | None) -> str | None:
        """A message kept in both languages (so a language switch re-renders it), in the current one."""
        return None if text is None else text.in_(self.locale)

    async def load(self) -> None:
        """Fetch; a lost sign-in goes back to the login, any other failure shows with a retry.

        While the server asked to wait (the last load's Retry-After) nothing is fetched, whoever asks: the poll, a
        live event, a language switch, an action's reload, the header's refresh. Sent, it would only be refused
        again, and each refusal pushes the wait later (the limiter counts it). The failure stays on the screen with
        its disabled retry saying when; at that time the retry comes back by itself, and the next poll goes.

        A closed screen (`close`) loads nothing; one closed while its load was on its way takes the answer in
        silently: no redraw of the app, and no after-load work (thumbnails) for a screen nobody sees."""
        if self.is_closed or self.retry_wait.waiting:
            return
        if self.state == LoadState.LOADING:
            self._load_again = True
            return
        self.state = LoadState.LOADING
        self._error = None
        landing = self._landing = asyncio.get_running_loop().create_future()
        try:
            self._changed()
            self._load_again = True
            while self._load_again:
                self._load_again = False
                # Any failure is said like a refusal, and a cancelled load is not LOADING any more (a screen left
                # LOADING never loaded again: each load after it only asked the one "on its way" to go once more).
                await answered(self._fetch(), self._not_loading, self._changed)
            self.state = LoadState.READY
            self.has_loaded = True
        except ApiError as exc:
            if exc.is_auth_lost:
                self.state = LoadState.IDLE
                self._landed(landing)
                await self._on_auth_lost(exc)
                return
            self._error = exc
            self.state = LoadState.FAILED
            self._changed()
            return
        finally:
            self._landed(landing)  # also when the fetch raised something else, or the load was cancelled
        if self.is_closed:
            return
        self._changed()
        await self._loaded()

    def _not_loading(self) -> None:
        self.state = LoadState.READY if self.has_loaded else LoadState.IDLE

    async def load_fresh(self) -> None:
        """`load`, returning only once what the screen shows was fetched after this call (or the load failed): a
        load already on its way fetches once more (as `load` asks it to) and this waits for it. `load` itself
        returns at once then, so a caller that reads the data next (a tapped notification looking for its offer)
        would read the list as it was, or none."""
        landing = self._landing
        if self.state != LoadState.LOADING or landing is None:
            await self.load()
            return
        self._load_again = True
        await asyncio.shield(landing)  # a caller cancelled does not cancel the load it waited for

    def _landed(self, landing: asyncio.Future[None]) -> None:
        if not landing.done():
            landing.set_result(None)
        if self._landing is landing:
            self._landing = None

    def close(self) -> None:
        """The screen is gone (the app let go of it: `mobile/viewmodels/app.py::Shown`): nothing of it runs on to
        redraw the app later: not its retry's wait for a Retry-After, not a load or an action whose answer lands
        after it closed (`_changed` calls no listener any more; `load` neither redraws nor runs `_loaded`). What
        an action answered late does beyond its own screen is the app's to decide (a job sent on:
        `AppViewModel._job_gone`)."""
        self.is_closed = True
        self.retry_wait.close()

    def _changed(self) -> None:
        if not self.is_closed:
            super()._changed()

    async def retry(self) -> None:
        await self.load()  # not during the server's wait (load() sends nothing then): the button says when

    @abstractmethod
    async def _fetch(self) -> None:
        """Fetch this screen's data into attributes; raise ApiError on failure."""

    async def _loaded(self) -> None:
        """After the data shows: what may come in later (thumbnails), without holding the screen back."""

    async def _lost_sign_in(self, exc: ApiError) -> bool:
        """True (and the app is on its way to the login) when exc says the sign-in is gone."""
        if exc.is_auth_lost:
            await self._on_auth_lost(exc)
            return True
        return False

    async def _send(self, call: Awaitable[T], refused: Refused, busy: Busy | None = None) -> T | None:
        """An action's one call to the backend, with its busy flag up while it runs (`busy`; by default `sending`):
        its answer, or None when it was refused (`refused` puts the refusal on the screen, which then redraws) or
        the sign-in is gone (the app leaves for the login). The caller says what it did when it went through. Any
        other failure is refused as `busy.unforeseen()`; whatever happens, the flag comes down (`busy.answered`)."""
        mark = self._mark_sending if busy is None else busy
        mark(True)
        self._changed()
        try:
            answer = await answered(call, lambda: mark(False), self._changed)
        except ApiError as exc:
            if not await self._lost_sign_in(exc):
                refused(exc)
                self._changed()
            return None
        mark(False)
        return answer

    async def _sent(self, call: Awaitable[object], refused: Refused, busy: Busy | None = None) -> bool:
        """`_send` for a call whose answer the screen does not keep: True when it went through."""
        return await self._send(_through(call), refused, busy) is not None

    def _mark_sending(self, on: bool) -> None:
        self.sending = on


def kept_on_screen(error: ApiError, kept: Bilingual | None = None) -> Bilingual:
    """A write's failure as said on the form it came from. When the network or the server failed it
    (`is_retryable`), what the person entered is still there, and the line says so (`kept`: by default
    "entries_kept"), so nobody is left to guess whether it was saved and whether to type it all again (resil25 3)."""
    if not error.is_retryable:
        return error.text
    kept = kept or bilingual("entries_kept")
    stop = "" if error.text.en.endswith((".", "!", "?")) else "."
    return Bilingual(f"{error.text.th} {kept.th}", f"{error.text.en}{stop} {kept.en}")


class ScreenWiring(TypedDict):
    """What the app hands every sub-screen (a subclass takes it as `**wiring: Unpack[ScreenWiring]`)."""

    on_back: Done
    on_auth_lost: AuthLost


class SubScreen(Loadable):
    """A screen opened from a home: it goes back, and says what it just did ("บันทึกรายงานแล้ว")."""

    def __init__(self, api: ApiClient, session: Session, *, on_back: Done, on_auth_lost: AuthLost) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost)
        self._on_back = on_back
        self._notice: Bilingual | None = None

    @property
    def notice(self) -> str | None:
        return self._in_locale(self._notice)

    async def back(self) -> None:
        await self._on_back()

    def _refused_notice(self, exc: ApiError) -> None:
        """A refusal said as the screen's notice (what `_send` takes as `refused`)."""
        self._notice = exc.text
