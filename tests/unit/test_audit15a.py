"""audit15a: privacy findings provable without a database. Each test fails today (a strict xfail until fixed)."""

import os
import stat
from pathlib import Path

import pytest

from backend.photo_store import DiskPhotoStore


@pytest.mark.xfail(strict=True, reason="audit15a: photos on disk (the default store, production too) are "
                                       "readable by every account on the machine (0644 files, 0755 folders)")
async def test_photos_on_disk_are_readable_by_the_service_alone(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    store = DiskPhotoStore(root)
    before = os.umask(0o022)  # the usual umask of a service account: what the store gets unless it says otherwise
    try:
        await store.put("requests/7f1c/before-0-abc.jpg", b"\xff\xd8 a citizen's home \xff\xd9", "image/jpeg")
    finally:
        os.umask(before)
    photo = root / "requests/7f1c/before-0-abc.jpg"
    folders = [root, root / "requests", root / "requests/7f1c"]
    # Another account reads the photo when every folder down to it lets them through and the file lets them read.
    passable = all(folder.stat().st_mode & 0o011 for folder in folders)
    readable = bool(photo.stat().st_mode & 0o044)
    modes = {str(p.relative_to(tmp_path)): stat.filemode(p.stat().st_mode) for p in [*folders, photo]}
    assert not (passable and readable), modes
