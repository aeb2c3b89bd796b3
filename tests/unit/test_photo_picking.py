"""Picking photos on the device: the size rule before a byte is read, the pixel rules (JPEGs decoded at reduced
scale may be larger on the device than the backend takes them; PNGs may not), and the one picking path the form and
the job screen share: progress texts, the picked order kept, every refusal a message."""

import io
import struct
import time

import pytest
from PIL import Image

from mobile.device import PickedFile
from mobile.photo_picking import PhotoPicker, PickOutcome
from shared.photos import (
    MAX_INPUT_BYTES,
    MAX_PICKED_BYTES,
    MAX_PIXELS,
    PhotoRejected,
    check_picked_size,
    process_photo,
    process_picked_photo,
)
from shared.text import Bilingual, Locale
from tests.unit.fake_photos import PickedFiles
from tests.unit.mobile_fakes import RequestBackend, jpeg_with_exif
from tests.unit.mobile_screens import open_form, technician_job

MB = 1024 * 1024


def code_of(data: bytes, *, picked: bool) -> str:
    try:
        (process_picked_photo if picked else process_photo)(data)
    except PhotoRejected as exc:
        return exc.code
    return "processed"


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims another size: only a check made from the header can answer it."""
    out = io.BytesIO()
    Image.new("L", (16, 16), 128).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# --- the rules -----------------------------------------------------------------------------------------------------


def test_the_picked_size_limit_is_checked_from_the_size_alone() -> None:
    check_picked_size(MAX_PICKED_BYTES)
    with pytest.raises(PhotoRejected) as refused:
        check_picked_size(MAX_PICKED_BYTES + 1)
    assert refused.value.code == "photo_file_too_large"
    assert "40 MB" in refused.value.message_th and "40 MB" in refused.value.message_en


def test_the_device_shrinks_a_file_larger_than_the_backend_takes() -> None:
    # A phone's JPEG of 21 MB (trailing bytes after the image, which decoders ignore, stand in for detail).
    data = jpeg_with_exif(size=(2400, 1800)) + bytes(MAX_INPUT_BYTES + MB)
    assert code_of(data, picked=False) == "photo_too_large"
    shrunk = process_picked_photo(data)
    assert (shrunk.width, shrunk.height) == (1600, 1200) and len(shrunk.image) < MAX_INPUT_BYTES
    # And what leaves the device passes the backend's own check.
    assert process_photo(shrunk.image).width == 1600
    with pytest.raises(PhotoRejected) as refused:
        process_picked_photo(data + bytes(MAX_PICKED_BYTES))
    assert refused.value.code == "photo_file_too_large"


def test_pixel_limits_from_the_header() -> None:
    sixty_mp = jpeg_claiming(10_000, 6_000)
    assert MAX_PIXELS < 10_000 * 6_000
    # The backend refuses it from the header; the device lets it through to a reduced decode.
    assert code_of(sixty_mp, picked=False) == "photo_too_many_pixels"
    assert code_of(sixty_mp, picked=True) != "photo_too_many_pixels"
    # Past Pillow's own decompression-bomb threshold even a JPEG is refused on the device.
    assert code_of(jpeg_claiming(10_000, 9_000), picked=True) == "photo_too_many_pixels"


def test_a_60_megapixel_jpeg_is_shrunk_on_the_device_at_reduced_scale() -> None:
    out = io.BytesIO()
    Image.new("L", (10_000, 6_000), 90).save(out, "JPEG", quality=80)
    started = time.monotonic()
    shrunk = process_picked_photo(out.getvalue())
    assert (shrunk.width, shrunk.height) == (1600, 960)
    # Decoded at 1/4 scale (2500×1500), not at 60 MP: well under a second even on a busy machine.
    assert time.monotonic() - started < 5


def test_a_60_megapixel_png_is_refused_on_the_device_too() -> None:
    out = io.BytesIO()
    Image.new("L", (10_000, 6_000), 90).save(out, "PNG", compress_level=1)
    with pytest.raises(PhotoRejected) as refused:
        process_picked_photo(out.getvalue())
    assert refused.value.code == "photo_too_many_pixels" and "ความละเอียดสูงเกินไป" in refused.value.message_th


# --- the picking path ------------------------------------------------------------------------------------------------


async def pick_with(device: PickedFiles, room: int = 5) -> tuple[PickOutcome, list[str | None]]:
    shown: list[str | None] = []

    def show(text: Bilingual | None) -> None:
        shown.append(None if text is None else text.in_(Locale.TH))

    return await PhotoPicker(device)(room, show), shown


async def test_picking_keeps_the_picked_order_and_shows_progress() -> None:
    device = PickedFiles([("a.jpg", jpeg_with_exif((255, 0, 0))), ("b.jpg", jpeg_with_exif((0, 0, 255)))])
    outcome, shown = await pick_with(device)
    assert device.read == ["b.jpg", "a.jpg"]  # read last first, as the browser uploads them
    assert [p.name for p in outcome.photos] == ["a.jpg", "b.jpg"] and outcome.problem is None
    assert shown == [
        "กำลังอ่านรูป 1/2… 0%", "กำลังอ่านรูป 1/2… 100%", "กำลังเตรียมรูป 1/2…",
        "กำลังอ่านรูป 2/2… 0%", "กำลังอ่านรูป 2/2… 100%", "กำลังเตรียมรูป 2/2…",
        None,
    ]


async def test_an_over_size_file_is_refused_by_name_without_being_read() -> None:
    device = PickedFiles([("huge.jpg", b"never read"), ("ok.jpg", jpeg_with_exif())],
                         sizes={"huge.jpg": 45 * MB})
    outcome, _ = await pick_with(device)
    assert device.read == ["ok.jpg"] and [p.name for p in outcome.photos] == ["ok.jpg"]
    assert outcome.problem is not None
    assert outcome.problem.th == "รูป huge.jpg ใหญ่เกินไป (45 MB) เลือกรูปที่ไม่เกิน 40 MB"


async def test_unreadable_bad_and_too_many_files_each_get_a_message() -> None:
    outcome, shown = await pick_with(PickedFiles([("lost.jpg", None)]))
    assert outcome.photos == [] and outcome.problem is not None
    assert outcome.problem.th == "อ่านรูป lost.jpg ไม่ได้ ลองเลือกใหม่อีกครั้ง" and shown[-1] is None
    outcome, _ = await pick_with(PickedFiles([("notes.jpg", b"not a picture")]))
    assert outcome.photos == [] and outcome.problem is not None and "ไม่ใช่รูปภาพ" in outcome.problem.th
    outcome, _ = await pick_with(PickedFiles([(f"{i}.jpg", jpeg_with_exif()) for i in range(3)]), room=2)
    assert [p.name for p in outcome.photos] == ["0.jpg", "1.jpg"]
    assert outcome.problem is not None and "5 รูป" in outcome.problem.th


async def test_a_picker_that_fails_leaves_a_message_not_an_exception() -> None:
    class Broken(PickedFiles):
        async def pick_image_files(self) -> list[PickedFile]:
            raise RuntimeError("Timeout waiting for invoke method listener for FilePicker(10).pick_files")

    outcome, _ = await pick_with(Broken())
    assert outcome.photos == [] and outcome.problem is not None and "ลองเลือกใหม่" in outcome.problem.th


async def test_the_form_picks_with_progress_and_then_can_pick_again() -> None:
    _app, form = await open_form(RequestBackend())
    device = PickedFiles([("a.jpg", jpeg_with_exif())])
    seen: list[tuple[bool, str | None]] = []
    form.on_change.append(lambda: seen.append((form.picking, form.photo_progress)))
    await form.pick_photos(PhotoPicker(device))
    assert (True, "กำลังเตรียมรูป 1/1…") in seen
    assert len(form.photos) == 1 and not form.picking and form.photo_progress is None and form.can_add_photo
    device.files = [("b.jpg", jpeg_with_exif((1, 2, 3)))]
    await form.pick_photos(PhotoPicker(device))
    assert [p.name for p in form.photos] == ["a.jpg", "b.jpg"] and form.photo_error is None


async def test_the_job_screen_picks_then_uploads_with_the_same_path() -> None:
    backend, _app, job = await technician_job("repairing")
    seen: list[str | None] = []
    job.on_change.append(lambda: seen.append(job.photo_progress))
    await job.pick_after_photos(PhotoPicker(PickedFiles([("after.jpg", jpeg_with_exif())])))
    assert "กำลังเตรียมรูป 1/1…" in seen
    ((idx, _body),) = backend.uploads
    assert idx == 0 and [p.idx for p in job.photos("after")] == [0]
    assert not job.uploading and job.photo_progress is None and job.can_add_after_photo
