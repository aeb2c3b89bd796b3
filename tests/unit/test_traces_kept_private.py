"""What the backend leaves on the machine (photo files) and in its production log holds nothing another account or
a log reader may not have: photos readable by the service alone, no whole phone number, no exact place (audit15a)."""

import os
import stat
from pathlib import Path

from backend.photo_store import DiskPhotoStore


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
    # The service itself still reads it back (GET /requests/{id}/photos/... serves it through the store).
    assert await store.get("requests/7f1c/before-0-abc.jpg") == b"\xff\xd8 a citizen's home \xff\xd9"


async def test_a_photo_store_left_open_by_an_earlier_version_is_closed_at_the_next_photo(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    (root / "requests/old").mkdir(parents=True, mode=0o755)
    root.chmod(0o755)
    (root / "requests/old/before-0-x.jpg").write_bytes(b"old")
    (root / "requests/old/before-0-x.jpg").chmod(0o644)
    await DiskPhotoStore(root).put("requests/new/before-0-y.jpg", b"new", "image/jpeg")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700  # nobody else passes the root: the old photos are shut too
    assert stat.S_IMODE((root / "requests/new/before-0-y.jpg").stat().st_mode) == 0o600
