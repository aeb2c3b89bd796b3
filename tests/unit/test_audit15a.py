"""audit15a: privacy findings provable without a database. Each test fails today (a strict xfail until fixed)."""

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from backend.logs import JsonFormatter, _Policy
from backend.notifications.channels import DeliveryError, Message, Target
from backend.notifications.channels.sms import ThaiBulkSmsChannel
from backend.photo_store import DiskPhotoStore
from shared.notifications import Kind


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


@pytest.fixture
def production_masking() -> Iterator[None]:
    """Production mode's log policy: phone numbers masked (backend.logs.configure_logging without dev mode)."""
    before = _Policy.mask_phones
    _Policy.mask_phones = True
    yield
    _Policy.mask_phones = before


@pytest.mark.xfail(strict=True, reason="audit15a: an SMS the gateway refuses writes the citizen's whole phone number "
                                       "(national form 08x) into the production log: only +66 numbers are masked")
@respx.mock
async def test_a_refused_sms_logs_no_whole_phone_number(production_masking: None) -> None:
    # ThaiBulkSMS answers a number it refuses in its documented form (tests/unit/test_notifications_channels.py).
    respx.post("https://api-v2.thaibulksms.com/sms").mock(return_value=httpx.Response(201, json={
        "phone_number_list": [], "bad_phone_number_list": [{"number": "0812345678",
                                                            "message": "Invalid phone number"}]}))
    message = Message(kind=Kind.READY, title="ซ่อมเสร็จแล้ว", body="พัดลม รับได้ที่วิทยาลัย", link="https://app.fixit.example/r/1",
                      notification_id=1)
    with pytest.raises(DeliveryError) as refused:
        await ThaiBulkSmsChannel("key", "secret").send(message, Target("+66812345678"), "k-1")
    # The worker's own line for a delivery that failed for good (backend/notifications/worker.py), as production
    # writes it.
    record = logging.getLogger("fixit.notifications").makeRecord(
        "fixit.notifications", logging.WARNING, __file__, 1, "notification delivery %s failed after %d attempt(s): %s",
        (42, 1, refused.value.reason), None)
    line = JsonFormatter().format(record)
    assert "bad number" in line
    assert "0812345678" not in line, line


@pytest.mark.xfail(strict=True, reason="audit15a: with the production access log on (FIXIT_ACCESS_LOG=true) the "
                                       "duplicate hint's query writes the citizen's exact pin into the log")
def test_the_access_log_holds_no_exact_place(production_masking: None) -> None:
    # The request form asks GET /requests/duplicates with the pin of the citizen's home (a home visit) as it is.
    path = "/requests/duplicates?category_code=appliance&lat=13.7563312&lon=100.5017651"
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5555", "GET", path, "1.1", 200), None)
    line = JsonFormatter().format(record)
    assert "/requests/duplicates" in line
    assert "13.7563312" not in line and "100.5017651" not in line, line
