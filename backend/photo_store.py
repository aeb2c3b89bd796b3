"""Where photo bytes live: a folder on disk locally, a Supabase Storage bucket in production.

Both keep the same object paths (`requests/<request id>/before-0-<unique>.jpg`; `.webp` for photos stored before
session 13, whose rows keep `image/webp`), so the database rows do not care which store wrote them. An object is
never rewritten under its name: each upload gets new names (see backend/services/photo_intake.py), which is what
makes replacing a photo safe.
"""

import asyncio
import logging
import os
from pathlib import Path
from typing import Protocol

from backend.settings import Settings

log = logging.getLogger(__name__)

# Photos of people's homes and things: on disk, readable by the service's own account alone, whatever its umask.
# Only the backend reads them (GET /requests/{id}/photos/... through `get`), so nothing else needs to.
_FILE_MODE = 0o600
_FOLDER_MODE = 0o700


class PhotoStore(Protocol):
    async def put(self, path: str, data: bytes, content_type: str) -> None: ...
    async def get(self, path: str) -> bytes | None: ...
    async def delete(self, paths: list[str]) -> None: ...


class DiskPhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folders(self, folder: Path) -> None:
        """The store's root and every folder down to `folder`, each made 0700. A root left 0755 by an earlier
        version is narrowed too: that alone shuts other accounts out of everything stored under it."""
        root = self.root
        if not root.exists():
            root.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
        if root.stat().st_mode & 0o077:
            try:
                root.chmod(_FOLDER_MODE)
            except OSError as exc:  # not the owner of a folder the operator made: say so, store anyway
                log.warning("photo store %s stays readable by other accounts: %s", root, exc)
        current = root.resolve()
        for part in folder.relative_to(current).parts:
            current = current / part
            if not current.exists():
                current.mkdir(mode=_FOLDER_MODE, exist_ok=True)

    def _file(self, path: str) -> Path:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"photo path escapes the store: {path}")
        return target

    async def put(self, path: str, data: bytes, content_type: str) -> None:
        target = self._file(path)

        def write() -> None:
            self._folders(target.parent)
            tmp = target.with_suffix(target.suffix + ".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), _FILE_MODE)  # a stale .part of another mode keeps its mode on open
                out.write(data)
            tmp.replace(target)  # a reader never sees half a photo

        await asyncio.to_thread(write)

    async def get(self, path: str) -> bytes | None:
        target = self._file(path)
        return await asyncio.to_thread(lambda: target.read_bytes() if target.exists() else None)

    async def delete(self, paths: list[str]) -> None:
        for path in paths:
            self._file(path).unlink(missing_ok=True)


def make_photo_store(settings: Settings) -> PhotoStore:
    """Supabase Storage when the service-role key is set (what every copy shares), unless FIXIT_PHOTOS_ON_DISK names
    the disk; otherwise the disk (development; production refuses to start with neither named)."""
    key = settings.supabase_service_role_key.get_secret_value()
    if settings.supabase_url and key and not settings.photos_on_disk:
        # Imported only when configured: a local or test backend never loads the Supabase client.
        from backend.supabase_photos import SupabasePhotoStore

        return SupabasePhotoStore(settings.supabase_url, key, settings.photos_bucket)
    return DiskPhotoStore(settings.photos_dir)
