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

    def get(self, request_id: UUID, kind: str, idx: int) -> bytes | None:
        return self._data.get((request_id, kind, idx))

    def put(self, request_id: UUID, kind: str, idx: int, data: bytes) -> None:
        """A thumbnail made on this device (a photo just uploaded): no need to fetch it back."""
        self._data[(request_id, kind, idx)] = data

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
