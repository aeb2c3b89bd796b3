"""The full-screen photo viewer every role opens from a thumbnail: one request's photos, next and previous,
each full-size image fetched once per opening (the thumbnail shows while it loads)."""

import contextlib
from collections.abc import Awaitable, Callable

from mobile.api_client import ApiClient, ApiError
from mobile.viewmodels.busy import answered
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.thumbnails import PhotoKey, Thumbnails

# Opens the viewer on these photos (in order) at this index.
OpenPhotos = Callable[[list[PhotoKey], int, Thumbnails | None], Awaitable[None]]


class PhotoViewer(Observable):
    def __init__(self, api: ApiClient) -> None:
        super().__init__()
        self._api = api
        self.photos: list[PhotoKey] = []
        self.index = 0
        self.is_open = False
        self._images: dict[PhotoKey, bytes] = {}
        self._failed: set[PhotoKey] = set()
        self._thumbnails: Thumbnails | None = None
        # How many steps the zoom buttons or a double tap enlarged the current photo (a double tap on an enlarged
        # photo shows it whole again); each photo opens whole. A pinch is the viewer's own, not counted here.
        self.zoom_steps = 0

    @property
    def current(self) -> PhotoKey | None:
        return self.photos[self.index] if self.is_open and 0 <= self.index < len(self.photos) else None

    @property
    def image(self) -> bytes | None:
        """The full-size image; None while it loads (see `placeholder`) or when it failed."""
        key = self.current
        return None if key is None else self._images.get(key)

    @property
    def placeholder(self) -> bytes | None:
        """The thumbnail the screen already had, shown (blurry) until the full image arrives."""
        key = self.current
        if key is None or self._thumbnails is None:
            return None
        return self._thumbnails.get(*key)

    @property
    def failed(self) -> bool:
        return self.current in self._failed

    @property
    def has_next(self) -> bool:
        return self.index + 1 < len(self.photos)

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    async def open(self, photos: list[PhotoKey], index: int, thumbnails: Thumbnails | None = None) -> None:
        if not photos or not 0 <= index < len(photos):
            return
        self.photos, self.index, self.is_open, self._thumbnails = list(photos), index, True, thumbnails
        self.zoom_steps = 0
        # Each opening fetches afresh: a photo may have been replaced at its index since (a later round's after
        # photo), and full images kept for the whole session filled a cheap phone's memory.
        self._images, self._failed = {}, set()
        self._changed()
        await self._fetch_current()

    async def next(self) -> None:
        if self.has_next:
            self.index += 1
            self.zoom_steps = 0
            self._changed()
            await self._fetch_current()

    async def previous(self) -> None:
        if self.has_previous:
            self.index -= 1
            self.zoom_steps = 0
            self._changed()
            await self._fetch_current()

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            self._changed()

    async def _fetch_current(self) -> None:
        key = self.current
        if key is None or key in self._images:
            return
        self._failed.discard(key)
        # A photo that cannot be fetched, whatever failed, says so in the viewer (not "loading" for good); the screen
        # under it is unaffected.
        with contextlib.suppress(ApiError):
            self._images[key] = await answered(self._api.request_photo(*key, thumb=False), _nothing_to_lower,
                                               self._changed)
        if key not in self._images:
            self._failed.add(key)
        self._changed()


def _nothing_to_lower() -> None:
    """The viewer's "loading" is no flag: the photo neither fetched nor failed."""
