"""Where photo bytes live: a folder on disk locally, a Supabase Storage bucket in production.

Both keep the same object paths (`requests/<request id>/before-0-<unique>.jpg`; `.webp` for photos stored before
session 13, whose rows keep `image/webp`), so the database rows do not care which store wrote them. An object is
never rewritten under its name: each upload gets new names (see backend/services/photo_intake.py), which is what
makes replacing a photo safe.
"""

import asyncio
from pathlib import Path
from typing import Protocol

from backend.settings import Settings


class PhotoStore(Protocol):
    async def put(self, path: str, data: bytes, content_type: str) -> None: ...
    async def get(self, path: str) -> bytes | None: ...
    async def delete(self, paths: list[str]) -> None: ...


class DiskPhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _file(self, path: str) -> Path:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"photo path escapes the store: {path}")
        return target

    async def put(self, path: str, data: bytes, content_type: str) -> None:
        target = self._file(path)

        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(target)  # a reader never sees half a photo

        await asyncio.to_thread(write)

    async def get(self, path: str) -> bytes | None:
        target = self._file(path)
        return await asyncio.to_thread(lambda: target.read_bytes() if target.exists() else None)

    async def delete(self, paths: list[str]) -> None:
        for path in paths:
            self._file(path).unlink(missing_ok=True)


def make_photo_store(settings: Settings) -> PhotoStore:
    key = settings.supabase_service_role_key.get_secret_value()
    if settings.supabase_url and key:
        # Imported only when configured: a local or test backend never loads the Supabase client.
        from backend.supabase_photos import SupabasePhotoStore

        return SupabasePhotoStore(settings.supabase_url, key, settings.photos_bucket)
    return DiskPhotoStore(settings.photos_dir)
