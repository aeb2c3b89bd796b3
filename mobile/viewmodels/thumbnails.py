"""Photo thumbnails fetched from the backend once each; a failed one stays missing and shows as a placeholder."""

import asyncio
import contextlib
from collections.abc import Iterable
from uuid import UUID

from mobile.api_client import ApiClient, ApiError

# (request, "before" or "after", index): one photo of one request.
PhotoKey = tuple[UUID, str, int]


class Thumbnails:
    def __init__(self, api: ApiClient) -> None:
        self._api = api
        self._data: dict[PhotoKey, bytes] = {}
        # Which photo each thumbnail shows (its id): a photo replaced at its index (a later round's after photo)
        # is a new one there, and its thumbnail is fetched again.
        self._photo_of: dict[PhotoKey, object] = {}

    def get(self, request_id: UUID, kind: str, idx: int) -> bytes | None:
        return self._data.get((request_id, kind, idx))

    def put(self, request_id: UUID, kind: str, idx: int, data: bytes, photo: object = None) -> None:
        """A thumbnail made on this device (a photo just uploaded, `photo` its id): no need to fetch it back."""
        self._data[(request_id, kind, idx)] = data
        if photo is not None:
            self._photo_of[(request_id, kind, idx)] = photo

    def follow(self, photos: Iterable[tuple[PhotoKey, object]]) -> None:
        """The photos a screen lists now, with their ids: a thumbnail of a photo since replaced is dropped (and
        fetched again by the next `fetch`)."""
        for key, photo in photos:
            if self._photo_of.get(key, photo) != photo:
                self._data.pop(key, None)
            self._photo_of[key] = photo

    def keep_only(self, wanted: Iterable[PhotoKey]) -> None:
        """Drop the thumbnails of photos the screen no longer lists. A screen open all day (a student's offers come
        and go) would otherwise hold every photo it ever showed; on the web that memory is the app server's, per
        session."""
        keep = set(wanted)
        self._data = {key: data for key, data in self._data.items() if key in keep}
        self._photo_of = {key: photo for key, photo in self._photo_of.items() if key in keep}

    async def fetch(self, wanted: Iterable[PhotoKey]) -> bool:
        """Fetch those not here yet, all at once; True when anything was asked for (the screen may change)."""
        missing = [key for key in dict.fromkeys(wanted) if key not in self._data]
        if not missing:
            return False

        async def one(key: PhotoKey) -> None:
            # A missing thumbnail shows as a placeholder; the rest of the screen is what matters.
            with contextlib.suppress(ApiError):
                self._data[key] = await self._api.request_photo(*key, thumb=True)

        await asyncio.gather(*(one(key) for key in missing))
        return True
