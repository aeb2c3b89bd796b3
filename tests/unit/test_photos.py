"""The photo pipeline: metadata stripped, orientation applied, sizes bounded, bad files refused.

Every input is drawn here with Pillow, so there are no binary fixtures to trust or to update.
"""

import importlib.util
import io
import random
import re
import warnings
from collections.abc import Iterator

import pytest
from PIL import Image, ImageFile, features

from shared.photos import (
    JPEG_QUALITY,
    MAX_INPUT_BYTES,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_REQUEST,
    PHOTO_ERRORS,
    PhotoRejected,
    ProcessedPhoto,
    check_photo_count,
    process_photo,
)

HEIF_INSTALLED = importlib.util.find_spec("pillow_heif") is not None
THAI = re.compile(r"[\u0E00-\u0E7F]")
# Keys Pillow's own decoders put into .info for any file of the format: not carried metadata.
DECODER_KEYS = {
    "image/webp": {"loop", "background", "duration", "timestamp"},
    "image/jpeg": {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"},
}
SECRET = "FixitSecretCam"


@pytest.fixture(params=["with libwebp", "without libwebp"])
def pillow_build(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with a Pillow that has WebP and one built without it: the output is JPEG either way."""
    real_check = features.check

    def check(feature: str) -> bool | None:
        return False if feature == "webp" and request.param == "without libwebp" else real_check(feature)

    monkeypatch.setattr(features, "check", check)
    yield request.param


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def noisy(size: tuple[int, int]) -> Image.Image:
    """Texture makes JPEG data big enough that cutting it leaves real scan data on both sides."""
    # Noise drawn at a quarter size and blown up: full-size noise costs seconds at 12 MP.
    small = (max(1, size[0] // 4), max(1, size[1] // 4))
    return Image.merge("RGB", [Image.effect_noise(small, 40) for _ in range(3)]).resize(size)


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x0112] = orientation
    exif[0x0131] = "GPS Logger 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (13.0, 45.0, 22.5)
    gps[3], gps[4] = "E", (100.0, 30.0, 5.1)
    gps[27] = "ASCII\x00\x00\x00GPS"  # GPSProcessingMethod
    return exif


def opened(out: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(out))
    im.load()
    return im


def assert_no_metadata(out: bytes, content_type: str) -> None:
    for marker in (b"GPS", b"Exif", b"EXIF", b"XMP", b"ICCP", b"iTXt", b"tEXt", SECRET.encode()):
        assert marker not in out, marker
    im = opened(out)
    assert set(im.info) <= DECODER_KEYS[content_type], im.info
    assert not im.getexif()
    assert im.getexif().get_ifd(0x8825) == {}


def rejected(data: bytes) -> str:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data)
    return caught.value.code


# --- metadata and orientation ---------------------------------------------------------------------


def test_exif_gps_xmp_and_comment_are_stripped(pillow_build: str) -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="13,45N"/></x:xmpmeta>'
    data = encode(noisy((640, 480)), "JPEG", exif=gps_exif(), xmp=xmp, comment=SECRET.encode())
    # The input really carries what must go, or this test would prove nothing.
    for marker in (b"Exif", b"GPS", SECRET.encode(), b"xmpmeta"):
        assert marker in data
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)

    result = process_photo(data)

    assert result.content_type == "image/jpeg"
    assert_no_metadata(result.image, result.content_type)
    assert_no_metadata(result.thumbnail, result.content_type)
    assert b"xmpmeta" not in result.image


def test_png_text_chunks_are_stripped() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    info.add_itxt("XML:com.adobe.xmp", "GPS here", zip=False)
    data = encode(Image.new("RGB", (64, 48), "teal"), "PNG", pnginfo=info, exif=gps_exif())
    assert SECRET.encode() in data

    result = process_photo(data)

    assert_no_metadata(result.image, result.content_type)


@pytest.mark.parametrize("icc", [b"not a colour profile", None])
def test_colour_profiles_are_applied_or_dropped_never_carried(icc: bytes | None) -> None:
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (300, 200), (200, 30, 30)), "JPEG", icc_profile=icc or srgb)

    result = process_photo(data)

    assert "icc_profile" not in opened(result.image).info
    pixel = opened(result.image).convert("RGB").getpixel((150, 100))
    assert isinstance(pixel, tuple) and pixel[0] > 170 and pixel[1] < 60, pixel


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_a_mangled_exif_block_does_not_cost_the_photo() -> None:
    data = encode(Image.new("RGB", (300, 200), "plum"), "JPEG", exif=b"Exif\x00\x00MM\x00*\xff\xff\xff\xff garbage")

    result = process_photo(data)

    assert (result.width, result.height) == (300, 200)
    assert b"garbage" not in result.image


def test_orientation_6_turns_a_landscape_into_portrait(pillow_build: str) -> None:
    # Stored 400×200, red in the top-left quadrant; tag 6 means "rotate 90° clockwise to view".
    stored = Image.new("RGB", (400, 200), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 200, 100))
    data = encode(stored, "JPEG", quality=95, exif=gps_exif(orientation=6))

    result = process_photo(data)

    assert (result.width, result.height) == (200, 400)
    shown = opened(result.image).convert("RGB")
    assert shown.size == (200, 400)
    # A clockwise quarter turn carries the stored top-left corner to the top-right.
    red, blue = shown.getpixel((150, 50)), shown.getpixel((50, 50))
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 200 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue
    assert (result.thumb_width, result.thumb_height) == (160, 320)


def test_orientation_survives_jpeg_draft_decoding() -> None:
    # Big enough that DCT scaling kicks in: the tag must still apply to the smaller decode.
    data = encode(Image.new("RGB", (4000, 3000), "white"), "JPEG", exif=gps_exif(orientation=8))

    result = process_photo(data)

    assert (result.width, result.height) == (1200, 1600)


# --- sizes ----------------------------------------------------------------------------------------


def test_12_megapixels_come_out_at_1600_with_a_320_thumbnail(pillow_build: str) -> None:
    # Texture at a photo's contrast: full-contrast noise is what the cap shrinks (the tests of the cap, below).
    data = encode(Image.blend(Image.new("RGB", (4000, 3000), "grey"), noisy((4000, 3000)), 0.3), "JPEG", quality=85)

    result = process_photo(data)

    assert isinstance(result, ProcessedPhoto)
    assert (result.width, result.height) == (1600, 1200)
    assert opened(result.image).size == (1600, 1200)
    assert max(result.thumb_width, result.thumb_height) <= 320
    assert opened(result.thumbnail).size == (result.thumb_width, result.thumb_height) == (320, 240)
    assert result.source_format == "JPEG"
    assert len(result.image) < len(data)
    assert opened(result.image).format == opened(result.thumbnail).format == "JPEG"


def test_big_jpegs_are_decoded_at_reduced_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pipeline's speed comes from libjpeg's DCT scaling; losing it would only show in the bench.
    from PIL import JpegImagePlugin

    decoded_sizes: list[tuple[int, int]] = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def spy_load(self: JpegImagePlugin.JpegImageFile) -> object:
        result = real_load(self)
        decoded_sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy_load)
    process_photo(encode(Image.new("RGB", (4000, 3000), "white"), "JPEG"))

    assert decoded_sizes and decoded_sizes[0] == (2000, 1500)


def test_the_thumbnail_is_averaged_from_the_image_in_whole_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1600 -> 320 is exactly 5x5 pixels a thumbnail pixel: a box average, no bicubic pass over 800 px (bench/photos.py).
    factors: list[object] = []
    real_reduce = Image.Image.reduce

    def spy_reduce(self: Image.Image, factor: int | tuple[int, int], box: object = None) -> Image.Image:
        factors.append(factor)
        return real_reduce(self, factor, box)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "reduce", spy_reduce)
    result = process_photo(encode(noisy((4000, 3000)), "JPEG", quality=85))

    assert factors == [(5, 5)]
    assert (result.thumb_width, result.thumb_height) == (320, 240)


def test_a_thumbnail_of_an_uneven_size_keeps_its_shape_and_sides() -> None:
    # 1600x1067 does not divide by 5: the block average leaves a sliver that a resample takes in.
    stored = Image.new("RGB", (1600, 1067), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 800, 1067))

    result = process_photo(encode(stored, "PNG"))

    thumb = opened(result.thumbnail).convert("RGB")
    assert thumb.size == (result.thumb_width, result.thumb_height) == (320, 213)
    red, blue = thumb.getpixel((40, 200)), thumb.getpixel((280, 10))
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 200 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue


def test_custom_limits_are_respected() -> None:
    data = encode(Image.new("RGB", (1000, 500), "olive"), "PNG")

    result = process_photo(data, max_side=300, thumb_side=100)

    assert (result.width, result.height) == (300, 150)
    assert (result.thumb_width, result.thumb_height) == (100, 50)


def test_a_small_photo_is_never_upscaled() -> None:
    data = encode(Image.new("RGB", (300, 200), "orange"), "JPEG")

    result = process_photo(data)

    assert (result.width, result.height) == (300, 200)
    assert opened(result.image).size == (300, 200)
    assert (result.thumb_width, result.thumb_height) == (300, 200)


def fine_texture() -> Image.Image:
    """Gravel, foliage, a dense wall at 1600x1200: detail a few pixels across that JPEG must spend bytes on."""
    texture = Image.merge("RGB", [Image.effect_noise((400, 300), 50) for _ in range(3)])
    gradient = Image.merge("RGB", [Image.linear_gradient("L").resize((1600, 1200))] * 3)
    return Image.blend(gradient, texture.resize((1600, 1200), Image.Resampling.BICUBIC), 0.6)


def test_a_photo_over_the_cap_is_encoded_again_at_a_lower_quality_not_smaller(pillow_build: str) -> None:
    source = fine_texture()
    # The usual quality really is over the cap for these pixels, or this test would prove nothing.
    assert len(encode(source, "JPEG", quality=JPEG_QUALITY)) > MAX_PHOTO_BYTES

    result = process_photo(encode(source, "JPEG", quality=95, exif=gps_exif()))

    assert len(result.image) <= MAX_PHOTO_BYTES
    assert opened(result.image).format == "JPEG" and result.content_type == "image/jpeg"
    assert opened(result.image).size == (result.width, result.height) == (1600, 1200)
    assert_no_metadata(result.image, result.content_type)


def test_noise_that_no_quality_holds_under_the_cap_is_shrunk_until_it_fits() -> None:
    rng = random.Random(7)
    noise = Image.frombytes("RGB", (1600, 1200), rng.randbytes(1600 * 1200 * 3))

    result = process_photo(encode(noise, "JPEG", quality=95))

    assert len(result.image) <= MAX_PHOTO_BYTES
    width, height = opened(result.image).size
    assert (width, height) == (result.width, result.height)
    assert 800 < width < 1600 and abs(width / height - 4 / 3) < 0.01  # smaller, same shape
    assert opened(result.thumbnail).size == (result.thumb_width, result.thumb_height) == (320, 240)


def test_png_with_alpha_lands_on_white(pillow_build: str) -> None:
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    im.paste((0, 128, 0, 255), (100, 0, 200, 100))

    result = process_photo(encode(im, "PNG"))

    assert result.source_format == "PNG"
    out = opened(result.image)
    assert out.size == (200, 100)
    clear, green = out.convert("RGBA").getpixel((20, 50)), out.convert("RGBA").getpixel((180, 50))
    assert isinstance(clear, tuple) and isinstance(green, tuple)
    assert out.mode == "RGB" and min(clear[:3]) > 240  # flattened on white, not on black
    assert green[1] > 100 and green[0] < 40 and green[3] == 255


@pytest.mark.parametrize(
    ("mode", "colour"),
    [("CMYK", (0, 255, 255, 0)), ("L", 90), ("P", 3), ("1", 1), ("I;16", 40000), ("LA", (90, 255))],
)
def test_other_modes_become_rgb_or_grey(mode: str, colour: int | tuple[int, ...]) -> None:
    fmt = "JPEG" if mode in ("CMYK", "L") else "PNG"
    result = process_photo(encode(Image.new(mode, (64, 32), colour), fmt))

    assert opened(result.image).mode in ("RGB", "RGBA", "L")
    assert (result.width, result.height) == (64, 32)


def test_webp_input_is_accepted() -> None:
    result = process_photo(encode(Image.new("RGB", (2000, 1000), "navy"), "WEBP"))

    assert result.source_format == "WEBP"
    assert (result.width, result.height) == (1600, 800)


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",  # a PDF named IMG_0001.jpg
        "ตู้เย็นเสีย ช่วยด้วย / my fridge is broken".encode(),  # a text file named photo.jpg
        b"",
        b"BMW service notes",  # starts like a BMP, is not one
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(64),  # a phone video
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_what_is_not_an_image_is_refused_whatever_its_name(data: bytes) -> None:
    assert rejected(data) == "photo_not_image"


def test_webp_is_unsupported_where_pillow_cannot_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(Image.new("RGB", (32, 32), "red"), "WEBP")
    monkeypatch.setattr(features, "check", lambda feature: feature != "webp")

    assert rejected(data) == "photo_unsupported_format"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused_as_unsupported(fmt: str) -> None:
    assert rejected(encode(Image.new("RGB", (32, 32), "red"), fmt)) == "photo_unsupported_format"


@pytest.mark.parametrize(("size", "fmt"), [((640, 480), "JPEG"), ((4000, 3000), "JPEG"), ((640, 480), "PNG")])
def test_a_photo_cut_in_half_is_truncated(size: tuple[int, int], fmt: str) -> None:
    data = encode(noisy(size), fmt)

    assert rejected(data[: len(data) // 2]) == "photo_truncated"


def test_a_header_with_nothing_behind_it_is_truncated() -> None:
    assert rejected(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "photo_truncated"


def test_truncation_check_refuses_to_run_when_pillow_is_told_to_ignore_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(encode(Image.new("RGB", (8, 8)), "PNG"))


def test_more_than_20_mb_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(*_args: object, **_kwargs: object) -> Image.Image:
        raise AssertionError("decoded a file that was too large to look at")

    monkeypatch.setattr(Image, "open", no_decoding)
    data = b"\xff\xd8\xff\xe0" + bytes(21 * 1024 * 1024)
    assert len(data) > MAX_INPUT_BYTES

    assert rejected(data) == "photo_too_large"


@pytest.mark.parametrize(
    "size",
    [
        (10000, 6000),  # 60 MP: over our limit, under Pillow's own warning
        (10000, 10000),  # 100 MP: Pillow warns (DecompressionBombWarning)
        (20000, 10000),  # 200 MP: Pillow refuses (DecompressionBombError)
    ],
)
def test_a_decompression_bomb_is_refused_from_its_header(size: tuple[int, int]) -> None:
    data = encode(Image.new("1", size), "PNG")
    assert len(data) < 100_000  # tiny on the wire: the danger is only in decoding it

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak out as a warning either
        assert rejected(data) == "photo_too_many_pixels"


def test_a_jpeg_header_claiming_60_megapixels_is_refused() -> None:
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (6000).to_bytes(2, "big") + (10000).to_bytes(2, "big")  # height, width

    assert rejected(bytes(data)) == "photo_too_many_pixels"


@pytest.mark.skipif(HEIF_INSTALLED, reason="pillow-heif is installed, so HEIC is accepted")
@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"hevc"])
def test_heic_is_refused_clearly_without_pillow_heif(brand: bytes) -> None:
    ftyp = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1heic"
    assert rejected(ftyp + bytes(200)) == "photo_heic_unsupported"


def test_avif_is_not_mistaken_for_heic() -> None:
    ftyp = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf"
    assert rejected(ftyp + bytes(200)) == "photo_unsupported_format"


def test_more_than_five_photos_are_refused() -> None:
    check_photo_count(0)
    check_photo_count(MAX_PHOTOS_PER_REQUEST)
    with pytest.raises(PhotoRejected) as caught:
        check_photo_count(6)
    assert caught.value.code == "photo_too_many"
    assert isinstance(caught.value, ValueError)


def test_bad_limits_are_a_programming_error_not_a_rejection() -> None:
    with pytest.raises(ValueError, match="positive") as caught:
        process_photo(encode(Image.new("RGB", (8, 8)), "PNG"), max_side=0)
    assert not isinstance(caught.value, PhotoRejected)


# --- messages -------------------------------------------------------------------------------------


def test_every_code_has_thai_and_english_text() -> None:
    expected = {
        "photo_not_image",
        "photo_truncated",
        "photo_too_large",
        "photo_file_too_large",
        "photo_too_many_pixels",
        "photo_too_big_to_process",
        "photo_metadata_too_large",
        "photo_heic_unsupported",
        "photo_unsupported_format",
        "photo_too_many",
        "photo_earlier_work",
    }
    assert set(PHOTO_ERRORS) == expected
    for code, (thai, english) in PHOTO_ERRORS.items():
        assert THAI.search(thai), code
        assert re.search(r"[A-Za-z]{3}", english), code
        assert not THAI.search(english), code
        error = PhotoRejected(code)
        assert (error.message_th, error.message_en) == (thai, english)


def test_an_unknown_code_cannot_be_raised() -> None:
    with pytest.raises(KeyError):
        PhotoRejected("photo_typo")
