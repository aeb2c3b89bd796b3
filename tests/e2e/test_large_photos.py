"""Photos of any size in the browser (issue 9): a 30 MB JPEG, a 60-megapixel PNG and a file over the app's limit
are picked with the browser's file chooser; each ends in a shrunk photo on the form or a Thai refusal on screen,
never a crash, and a normal photo can still be added after them. The files travel over HTTP to Flet's upload
endpoint, not over the app's websocket (which a ~17 MiB photo used to stall)."""

import os
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from shared.photos import MAX_PICKED_BYTES
from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, RunningSystem, open_screen, sign_in

MB = 1024 * 1024


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("large-photos")
    # Noise, so that the files keep their size: a camera's detail compresses about as badly.
    big_jpeg = folder / "big.jpg"
    Image.frombytes("RGB", (6000, 4500), os.urandom(6000 * 4500 * 3)).save(big_jpeg, "JPEG", quality=95)
    # 60 MP of grey noise drawn in 4-pixel runs: under the app's file limit, so it is uploaded and refused for its
    # pixels (PNG has no reduced decode; decoding it whole would take ~360 MB).
    runs = Image.frombytes("L", (2500, 6000), os.urandom(2500 * 6000))
    many_pixels = folder / "many-pixels.png"
    runs.resize((10_000, 6000), Image.Resampling.NEAREST).save(many_pixels, "PNG", compress_level=1)
    # Over the limit by its size alone: refused before a byte of it is read (any content will do).
    too_big = folder / "too-big.jpg"
    too_big.write_bytes(b"\xff\xd8\xff" + os.urandom(MAX_PICKED_BYTES + MB))
    normal = folder / "normal.jpg"
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(normal, "JPEG", quality=85)
    return {"big": big_jpeg, "many_pixels": many_pixels, "too_big": too_big, "normal": normal}


def pick(page: Page, photo: Path) -> None:
    add = page.get_by_role("button", name="เพิ่มรูปภาพ")
    expect(add).to_be_enabled(timeout=TIMEOUT)
    with page.expect_file_chooser(timeout=TIMEOUT) as chooser:
        add.click()
    chooser.value.set_files(str(photo))


def test_large_photos_are_shrunk_or_refused_and_the_form_keeps_working(
    system: RunningSystem, phone_page: Page, photos: dict[str, Path]
) -> None:
    assert photos["big"].stat().st_size > 30 * MB
    with Image.open(photos["many_pixels"]) as png:
        assert png.width * png.height == 60_000_000
    page = phone_page
    sign_in(page, system.app_url, "0655500031", "คำขอซ่อมของฉัน")
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")

    started = time.monotonic()
    pick(page, photos["big"])
    expect(page.get_by_role("button", name="ลบรูปที่ 1")).to_be_attached(timeout=3 * TIMEOUT)
    big_seconds = time.monotonic() - started

    pick(page, photos["many_pixels"])
    expect(page.get_by_text("ความละเอียดสูงเกินไป", exact=False).first).to_be_attached(timeout=3 * TIMEOUT)

    pick(page, photos["too_big"])
    expect(page.get_by_text("too-big.jpg ใหญ่เกินไป", exact=False).first).to_be_attached(timeout=TIMEOUT)

    # The app keeps working: the next photo joins the form.
    pick(page, photos["normal"])
    expect(page.get_by_role("button", name="ลบรูปที่ 2")).to_be_attached(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="ลบรูปที่ 3")).to_have_count(0)
    expect(page.get_by_text("Error running app", exact=False)).to_have_count(0)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "large-photos.png"))
    print(f"30 MB JPEG picked to thumbnail in {big_seconds:.1f} s")
