"""The outbox: repair requests that could not be sent yet, kept on the device and sent when the network is back.

Nothing lost on a weak network: a draft whose POST /requests (or a photo PUT) failed for lack of network goes
here with everything needed to finish it — the body with its idempotency key, the processed photos, the request
id once the POST got through and which photos already arrived. A background sender retries with exponential
backoff; each retry reuses the key (the backend stores the request at most once) and skips uploaded photos.
A server that answers with a Retry-After (429 too many requests, 503) is not asked again before it says, even when
the sender is woken meanwhile. A refusal by the server (a 4xx that sending it again cannot cure: a photo too large
for a proxy, a draft it refuses) is never dropped silently nor sent again: the item turns "failed" with the server's
message and waits for the person to edit or discard it. A draft whose send found the sign-in gone is "held": after the
sign-in it waits for its writer to choose send, edit or discard, and nothing sends it before they do (they may
have signed in hours later, or no longer want it).

No Flet here: storage, the clock's sleep and the API client are injected, so tests drive it step by step.
"""

import asyncio
import base64
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import RequestDetail
from shared.text import Bilingual
from shared.wire import IDEMPOTENCY_KEY_REUSED, RETRY_AFTER_MAX_SECONDS

OUTBOX_KEY = "fixit.outbox"
FIRST_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 30.0
# How long a write to device storage may take before the sender goes on without its answer. In the browser the
# write is a message to the page: one made while the page reloads (Flet keeps the session and drops what it
# would send meanwhile) is never answered, and waiting for it stopped the sender for good, with the draft
# "waiting to send" forever. Each save writes the whole list, so the next one puts storage right again.
SAVE_TIMEOUT_SECONDS = 10.0
# How many of its last waits the sender (and the live stream) keeps, for tests and diagnostics: a day without the
# network is thousands of them, and a list of every one grew for as long as the app stayed open.
RECENT_WAITS = 20

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
Listener = Callable[[], None]
Sent = Callable[["OutboxItem"], Awaitable[None]]


class StorageRefused(Exception):
    """The device did not keep what was written: in the browser the site's storage is full (Chromium keeps about 5
    million characters a site, and the outbox is one value holding every draft's photos as base64)."""


class OutboxStorage(Protocol):
    """One string slot on the device (ft.SharedPreferences in the app; a dict in tests)."""

    async def load(self) -> str | None: ...

    async def save(self, raw: str) -> None:
        """Keep `raw` in the slot; raises StorageRefused when the device does not (the slot keeps what it had)."""
        ...


class MemoryOutboxStorage:
    def __init__(self, raw: str | None = None) -> None:
        self.raw = raw

    async def load(self) -> str | None:
        return self.raw

    async def save(self, raw: str) -> None:
        self.raw = raw


class ItemState(StrEnum):
    PENDING = "pending"  # waiting for the network; the sender keeps trying
    FAILED = "failed"  # the server refused it: the person must edit or discard it
    HELD = "held"  # the sign-in ran out while sending: kept for its writer, sent only when they say so


class Outcome(StrEnum):
    DONE = "done"  # nothing pending is left
    RETRY_LATER = "retry_later"  # network or server trouble: back off and try again


@dataclass
class OutboxPhoto:
    image: bytes
    thumbnail: bytes
    content_type: str
    width: int
    height: int
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "image": base64.b64encode(self.image).decode(),
            "thumbnail": base64.b64encode(self.thumbnail).decode(),
            "content_type": self.content_type,
            "width": self.width,
            "height": self.height,
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "OutboxPhoto":
        return cls(
            image=base64.b64decode(data["image"]),
            thumbnail=base64.b64decode(data.get("thumbnail") or data["image"]),
            content_type=str(data["content_type"]),
            width=int(data.get("width", 0)),
            height=int(data.get("height", 0)),
            name=str(data.get("name", "")),
        )


@dataclass
class OutboxItem:
    body: dict[str, Any]  # the POST /requests body, idempotency_key included
    photos: list[OutboxPhoto] = field(default_factory=list)
    owner_id: str = ""  # whose draft it is: a shared phone must not send one person's request as another's
    request_id: str | None = None  # set once the POST got through
    uploaded: list[int] = field(default_factory=list)  # photo indexes the backend already has
    state: ItemState = ItemState.PENDING
    error_th: str = ""
    error_en: str = ""
    # The refusal's code: the form reopened from it knows what the refusal allows (idempotency_key_reused: the key's
    # request was stored with other details, so these go as a new request or not at all).
    error_code: str = ""
    attempts: int = 0
    saved_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    # The category's name as the form showed it: the home lists a kept draft without the categories loaded.
    category_th: str = ""
    category_en: str = ""
    # Unix time before which the server asked not to be sent this again (its Retry-After); 0: no such wish.
    not_before: float = 0.0
    # The sub-district (geothai code) whose middle the pin is, when it came from "pin the chosen sub-district" (an
    # approximate place); "": a pin from GPS or the map, or none. The reopened form keeps it as such.
    pinned_area: str = ""

    @property
    def key(self) -> str:
        return str(self.body["idempotency_key"])

    @property
    def from_an_area_pin_unmarked(self) -> bool:
        """A draft kept by an app older than the approximate pin (0068): it kept `pinned_area` (its pin is a
        sub-district's middle) but its body, written then, says nothing of it, which the backend reads as an exact
        pin. Not yet received: a stored request's details are final."""
        return (self.request_id is None and bool(self.pinned_area) and "location_approximate" not in self.body
                and self.body.get("lat") is not None)

    @property
    def received(self) -> bool:
        """The backend stored its request (the POST got through): only photos are left, its details are final."""
        return self.request_id is not None

    @property
    def item(self) -> str:
        return str(self.body.get("item", ""))

    @property
    def category(self) -> Bilingual:
        code = str(self.body.get("category_code", ""))
        return Bilingual(self.category_th or code, self.category_en or code)

    @property
    def error(self) -> Bilingual | None:
        return Bilingual(self.error_th, self.error_en) if self.state == ItemState.FAILED else None

    def to_json(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "photos": [p.to_json() for p in self.photos],
            "owner_id": self.owner_id,
            "request_id": self.request_id,
            "uploaded": sorted(self.uploaded),
            "state": self.state.value,
            "error_th": self.error_th,
            "error_en": self.error_en,
            "error_code": self.error_code,
            "attempts": self.attempts,
            "saved_at": self.saved_at,
            "category_th": self.category_th,
            "category_en": self.category_en,
            "not_before": self.not_before,
            "pinned_area": self.pinned_area,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "OutboxItem":
        return cls(
            body=dict(data["body"]),
            photos=[OutboxPhoto.from_json(p) for p in data.get("photos", [])],
            owner_id=str(data.get("owner_id", "")),
            request_id=data.get("request_id"),
            uploaded=[int(i) for i in data.get("uploaded", [])],
            state=ItemState(data.get("state", ItemState.PENDING.value)),
            error_th=str(data.get("error_th", "")),
            error_en=str(data.get("error_en", "")),
            error_code=str(data.get("error_code", "")),
            attempts=int(data.get("attempts", 0)),
            saved_at=str(data.get("saved_at", "")),
            category_th=str(data.get("category_th", "")),
            category_en=str(data.get("category_en", "")),
            not_before=float(data.get("not_before") or 0.0),
            pinned_area=str(data.get("pinned_area") or ""),
        )


def decode_items(raw: str | None) -> list[OutboxItem]:
    """Unreadable entries are skipped one by one: one broken item must not lose the others."""
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except ValueError:
        return []
    items: list[OutboxItem] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            items.append(OutboxItem.from_json(entry))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return items


def encode_items(items: list[OutboxItem]) -> str:
    return json.dumps([item.to_json() for item in items], ensure_ascii=False)


def backoff_delay(failures: int) -> float:
    """2 s, 4 s, 8 s, … capped at 30 s, after the 1st, 2nd, 3rd … failure in a row. The doubling stops once past
    the cap: 2 ** 1024 does not fit a float, and at the 1,025th failure in a row (8½ hours offline at 30 s) the
    OverflowError ended the outbox's sender for good."""
    doublings = min(max(failures - 1, 0), _DOUBLINGS_PAST_THE_CAP)
    return float(min(FIRST_DELAY_SECONDS * 2 ** doublings, MAX_DELAY_SECONDS))


# 2 s doubled this often is far past MAX_DELAY_SECONDS: more failures change nothing.
_DOUBLINGS_PAST_THE_CAP = 16


class Outbox:
    def __init__(
        self,
        api: ApiClient,
        storage: OutboxStorage,
        *,
        owner_id: str = "",
        sleep: Sleep = asyncio.sleep,
        on_sent: Sent | None = None,
        save_timeout: float = SAVE_TIMEOUT_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        self._api = api
        self._storage = storage
        self._save_timeout = save_timeout
        self._clock = clock
        # While a pending item waits for its Retry-After: when that ends (the sender sleeps at least until then).
        self.resume_at: float | None = None
        self._owner_id = owner_id
        self._sleep = sleep
        self._on_sent = on_sent
        self._all: list[OutboxItem] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.failures = 0  # network failures in a row: sets the next delay
        self._delays: deque[float] = deque(maxlen=RECENT_WAITS)
        self.on_change: list[Listener] = []

    @property
    def delays(self) -> list[float]:
        """The last backoffs waited (at most RECENT_WAITS), oldest first: for tests and diagnostics."""
        return list(self._delays)

    # --- reading -----------------------------------------------------------------------------------

    @property
    def items(self) -> list[OutboxItem]:
        """This person's items, oldest first."""
        return [i for i in self._all if i.owner_id == self._owner_id]

    @property
    def pending(self) -> list[OutboxItem]:
        return [i for i in self.items if i.state == ItemState.PENDING]

    def get(self, key: str) -> OutboxItem | None:
        return next((i for i in self.items if i.key == key), None)

    # --- changing ------------------------------------------------------------------------------------

    async def load(self) -> None:
        self._all = decode_items(await self._storage.load())
        self._changed()

    async def add(self, item: OutboxItem) -> None:
        """Keep a draft (replacing one with the same key) and wake the sender. The draft is its writer's: this
        outbox's person's unless `item.owner_id` names another (a send that gave up after its writer signed out),
        whose draft is kept for them and neither listed nor sent here.

        Raises StorageRefused when the device would not keep it (the browser's storage is full): the outbox is then
        as it was, on the device as here, and the caller still holds the draft (the open form) and says so. Only a
        draft kept on the device is listed as waiting to send: one that would vanish at the next reload is not."""
        item.owner_id = item.owner_id or self._owner_id
        before = self._all
        self._all = [i for i in self._all if i.key != item.key] + [item]
        try:
            await self._write()
        except StorageRefused:
            self._all = before
            raise
        finally:
            self._changed()
        self.wake()

    async def discard(self, key: str) -> OutboxItem | None:
        item = self.get(key)
        if item is not None:
            self._all.remove(item)
            await self._save()
        return item

    async def discard_all(self) -> None:
        """This person's drafts, photos and all, gone from the device (their account was deleted)."""
        if self.items:
            self._all = [i for i in self._all if i.owner_id != self._owner_id]
            await self._save()

    async def release(self, key: str) -> bool:
        """The writer chose to send a held draft: it waits for the sender like any other, which tries at once."""
        item = self.get(key)
        if item is None or item.state != ItemState.HELD:
            return False
        item.state = ItemState.PENDING
        item.attempts = 0
        await self._save()
        self.wake()
        return True

    def wake(self) -> None:
        """Try now: on app start, on "refresh", when a new item arrives."""
        self._wake.set()

    # --- sending -------------------------------------------------------------------------------------

    async def flush(self) -> Outcome:
        """Send every pending item once, oldest first; stop at the first network failure, and at an item the server
        asked to wait for (its Retry-After), which holds back the ones after it too."""
        async with self._lock:
            self.resume_at = None
            for item in list(self.pending):
                # A kept wait is honoured at most RETRY_AFTER_MAX_SECONDS from now: one stored while the phone's
                # clock ran ahead must not hold this draft and every one after it back for longer.
                item.not_before = min(item.not_before, self._clock() + RETRY_AFTER_MAX_SECONDS)
                if item.not_before > self._clock():
                    self.resume_at = item.not_before
                    return Outcome.RETRY_LATER
                item.not_before = 0.0  # its wait is over (kept with the item's next save)
                try:
                    await self._send(item)
                except ApiError as exc:
                    if exc.is_auth_lost:
                        # The session ended under the sender: what waits is held, to be sent only when its writer,
                        # signed in again, says so.
                        # A request already stored only has photos to follow: it stays pending.
                        for waiting in self.pending:
                            if waiting.request_id is None:
                                waiting.state = ItemState.HELD
                        await self._save()
                        return Outcome.DONE
                    if exc.is_retryable:
                        item.attempts += 1
                        if exc.retry_after is not None:
                            item.not_before = self._clock() + exc.retry_after
                            self.resume_at = item.not_before
                        await self._save()
                        return Outcome.RETRY_LATER
                    # Refused: sending it again would be refused again. It waits for its writer to change it.
                    item.state = ItemState.FAILED
                    item.error_th, item.error_en, item.error_code = exc.message_th, exc.message_en, exc.code
                    await self._save()
                    continue
                self._all.remove(item)
                await self._save()
                if self._on_sent is not None:
                    await self._on_sent(item)
            return Outcome.DONE

    async def run(self) -> None:
        """The background sender: runs until cancelled (sign-out, app closed)."""
        await self.load()
        while True:
            self._wake.clear()
            outcome = await self.flush()
            if outcome == Outcome.RETRY_LATER:
                self.failures += 1
                delay = backoff_delay(self.failures)
                if self.resume_at is not None:  # not before the server's Retry-After
                    delay = max(delay, self.resume_at - self._clock())
                self._delays.append(delay)
                await self._wait(delay)
            else:
                self.failures = 0
                await self._wait(None)

    async def _send(self, item: OutboxItem) -> None:
        if item.request_id is None:
            created = await self._create(item)
            item.request_id = str(created.id)
            # Kept at once: after a restart the photos go to this request, and the POST is not even retried.
            await self._save()
        for idx, photo in enumerate(item.photos):
            if idx in item.uploaded:
                continue
            await self._api.upload_request_photo(UUID(item.request_id), idx, photo.image, photo.content_type)
            item.uploaded.append(idx)
            await self._save()

    async def _create(self, item: OutboxItem) -> RequestDetail:
        """POST the draft's request. One an older app kept with an area pin goes out marked approximate (its body
        is left as kept, and marked again at each send, so a resend is the same request). If the key is refused
        as used with other details, the older app's own send of it was stored, unmarked, before the update (its
        answer lost in the reload): sent again as that app sent it, it is that request, not a draft refused."""
        if not item.from_an_area_pin_unmarked:
            return await self._api.create_request(item.body)
        try:
            return await self._api.create_request({**item.body, "location_approximate": True})
        except ApiError as exc:
            if exc.code != IDEMPOTENCY_KEY_REUSED:
                raise
        return await self._api.create_request(item.body)

    async def _wait(self, delay: float | None) -> None:
        """Sleep for the delay (or until woken, with no delay); a wake cuts the sleep short."""
        if self._wake.is_set():
            return
        waiter = asyncio.ensure_future(self._wake.wait())
        tasks: set[asyncio.Future[Any]] = {waiter}
        if delay is not None:
            tasks.add(asyncio.ensure_future(self._sleep(delay)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    async def _save(self) -> None:
        """Every change but a new draft (sending, a discard, a release): what is here is right whatever storage says,
        so a refused write does not stop the sender; it is logged, and the next save writes the whole list."""
        try:
            await self._write()
        except StorageRefused as exc:
            log.warning("the device did not keep the outbox (%s): going on, the next save writes it all", exc)
        self._changed()

    async def _write(self) -> None:
        # asyncio.wait, not wait_for: wait_for can swallow a cancel that lands as the save finishes, and the
        # sender then never stops. An unanswered save is left to itself; the next save writes the whole list.
        save = asyncio.ensure_future(self._storage.save(encode_items(self._all)))
        done, _ = await asyncio.wait({save}, timeout=self._save_timeout)
        if save in done:
            save.result()
        else:
            log.warning("the outbox's storage did not answer within %.0f s: going on, the next save writes it all",
                        self._save_timeout)

    def _changed(self) -> None:
        for listener in list(self.on_change):
            listener()
