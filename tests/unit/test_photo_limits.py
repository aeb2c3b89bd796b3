"""What one photo may cost before any pixel is decoded, how many are decoded at once, and PNGs whose metadata is
too big to unpack being told apart from damaged ones."""

import asyncio
import io
import struct
import threading
import time
import zlib

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from backend.errors import ApiError
from backend.services import photo_intake
from backend.services.photo_intake import PHOTO_DECODE_CONCURRENCY, clean_photo
from shared.photos import MAX_DECODE_BYTES, MAX_PIXELS, PhotoRejected, ProcessedPhoto, process_photo, working_bytes
from shared.text import ERRORS


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int, bit_depth: int, colour_type: int) -> bytes:
    """A PNG whose header claims a size, with one IDAT of almost nothing: decoding it would fail, so only a check
    made from the header can refuse it before decoding starts."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


class Decoded(Exception):
    """Raised instead of decoding pixels: proof that the checks let the file through to load()."""


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(self: ImageFile.ImageFile) -> None:
        raise Decoded(self.mode, self.size)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def outcome(data: bytes) -> str:
    try:
        process_photo(data)
    except PhotoRejected as exc:
        return exc.code
    except Decoded:
        return "decoded"
    return "processed"


# --- memory bound from the header -----------------------------------------------------------------


@pytest.mark.usefixtures("no_decoding")
@pytest.mark.parametrize(
    ("size", "bit_depth", "colour_type", "expected"),
    [
        ((7000, 7000), 16, 0, "photo_too_big_to_process"),  # the 49 MP 16-bit grey PNG that took 542 MB
        ((7000, 7000), 16, 2, "photo_too_big_to_process"),  # 16-bit RGB: Pillow keeps it as 8-bit RGB, 49 MP
        ((6000, 5000), 8, 6, "photo_too_big_to_process"),  # 30 MP RGBA
        ((4000, 3000), 16, 6, "decoded"),  # a 12 MP 16-bit RGBA PNG is fine
        ((4000, 3000), 16, 0, "decoded"),  # and so is 12 MP of 16-bit grey
        ((6000, 5000), 8, 2, "decoded"),  # 30 MP of 8-bit RGB fits
        ((7000, 7000), 8, 0, "decoded"),  # 49 MP of 8-bit grey fits: the budget is in bytes, not pixels
        ((8000, 7000), 8, 0, "photo_too_many_pixels"),  # the pixel limit still holds on its own
    ],
)
def test_memory_is_bounded_from_the_header_before_decoding(
    size: tuple[int, int], bit_depth: int, colour_type: int, expected: str
) -> None:
    data = png_header(*size, bit_depth, colour_type)
    assert len(data) < 1000

    assert outcome(data) == expected


@pytest.mark.usefixtures("no_decoding")
def test_a_48_megapixel_phone_jpeg_is_judged_at_its_reduced_decode_size() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (6000).to_bytes(2, "big") + (8000).to_bytes(2, "big")  # height, width
    assert working_bytes("RGB", (8000, 6000)) > MAX_DECODE_BYTES  # at full size it would not fit

    with pytest.raises(Decoded) as caught:
        process_photo(bytes(data))
    assert caught.value.args == ("RGB", (2000, 1500))  # libjpeg's 1/4 scale


def test_only_8_bit_grey_may_reach_the_pixel_limit_within_the_budget() -> None:
    side = int(MAX_PIXELS**0.5)
    assert working_bytes("L", (side, side)) <= MAX_DECODE_BYTES
    for mode in ("RGBA", "LA", "I;16", "P", "RGB", "CMYK", "some future mode"):
        assert working_bytes(mode, (side, side)) > MAX_DECODE_BYTES, mode


def test_refusals_have_thai_and_english_text_and_http_status() -> None:
    for code, status in (("photo_too_big_to_process", 413), ("photo_metadata_too_large", 415)):
        assert code in ERRORS
        assert photo_intake._STATUS_FOR[code] == status


# --- metadata beyond Pillow's limits --------------------------------------------------------------


def small_png(**params: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buf, "PNG", **params)
    return buf.getvalue()


def with_chunks_before_iend(png: bytes, *chunks: bytes) -> bytes:
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + b"".join(chunks) + png[iend:]


BIG = PngImagePlugin.MAX_TEXT_CHUNK + 1024


def ztxt(key: bytes, text: bytes) -> bytes:
    return chunk(b"zTXt", key + b"\x00\x00" + zlib.compress(text, 9))


def big_ztxt() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "x" * BIG, zip=True)
    return small_png(pnginfo=info)


def big_itxt() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", "x" * BIG, zip=True)
    return small_png(pnginfo=info)


def big_icc_profile() -> bytes:
    return small_png(icc_profile=b"\x00" * BIG)


def big_ztxt_after_the_pixels() -> bytes:
    # Read by load(), not open(): the other place Pillow can refuse it.
    return with_chunks_before_iend(small_png(), ztxt(b"Comment", b"x" * BIG))


def many_texts_over_pillows_total() -> bytes:
    each = b"y" * (PngImagePlugin.MAX_TEXT_CHUNK - 1)
    count = PngImagePlugin.MAX_TEXT_MEMORY // len(each) + 2
    return with_chunks_before_iend(small_png(), *(ztxt(f"k{i}".encode(), each) for i in range(count)))


@pytest.mark.parametrize(
    "make", [big_ztxt, big_itxt, big_icc_profile, big_ztxt_after_the_pixels, many_texts_over_pillows_total]
)
def test_a_png_with_too_much_metadata_says_so_not_truncated(make: object) -> None:
    assert callable(make)
    data = make()
    assert len(data) < 300_000  # compressed, it is small on the wire

    assert outcome(data) == "photo_metadata_too_large"


def test_metadata_within_pillows_limits_is_accepted_and_dropped() -> None:
    data = with_chunks_before_iend(small_png(), ztxt(b"Comment", b"FixitSecret" * 1000))

    result = process_photo(data)

    assert b"FixitSecret" not in result.image


def test_a_damaged_png_with_small_metadata_is_still_truncated() -> None:
    data = with_chunks_before_iend(small_png(), ztxt(b"Comment", b"short"))
    idat = data.index(b"IDAT")
    broken = data[: idat + 4] + bytes(b ^ 0xFF for b in data[idat + 4 : idat + 20]) + data[idat + 20 :]

    assert outcome(broken) == "photo_truncated"


# --- a few decodes at a time ----------------------------------------------------------------------


async def test_no_more_than_the_limit_decode_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running = peak = 0

    def slow_process(data: bytes) -> ProcessedPhoto:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        if data == b"bad":
            raise PhotoRejected("photo_not_image")
        return ProcessedPhoto(b"i", b"t", "image/webp", 1, 1, 1, 1, "PNG")

    monkeypatch.setattr(photo_intake, "process_photo", slow_process)
    uploads = [clean_photo(b"bad" if i % 3 == 0 else b"ok") for i in range(9)]

    results = await asyncio.gather(*uploads, return_exceptions=True)

    assert peak == PHOTO_DECODE_CONCURRENCY == 2
    assert sum(isinstance(r, ApiError) for r in results) == 3  # refusals free their slot too
    assert sum(isinstance(r, ProcessedPhoto) for r in results) == 6


async def test_a_caller_that_hangs_up_keeps_its_slot_until_its_decode_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running = peak = 0
    release = threading.Event()

    def blocking_process(data: bytes) -> ProcessedPhoto:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        release.wait(5)
        with lock:
            running -= 1
        return ProcessedPhoto(b"i", b"t", "image/webp", 1, 1, 1, 1, "PNG")

    monkeypatch.setattr(photo_intake, "process_photo", blocking_process)
    first = [asyncio.create_task(clean_photo(b"x")) for _ in range(PHOTO_DECODE_CONCURRENCY)]
    await asyncio.sleep(0.05)
    for task in first:
        task.cancel()  # the clients hang up; their threads decode on
    later = [asyncio.create_task(clean_photo(b"x")) for _ in range(PHOTO_DECODE_CONCURRENCY)]
    await asyncio.sleep(0.05)
    assert running == PHOTO_DECODE_CONCURRENCY  # the later ones wait for a thread to finish, not for a caller
    release.set()

    assert all(isinstance(r, ProcessedPhoto) for r in await asyncio.gather(*later))
    assert peak == PHOTO_DECODE_CONCURRENCY
    assert all(task.cancelled() for task in first)
