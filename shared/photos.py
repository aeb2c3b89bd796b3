"""One photo pipeline for the app (before upload) and the backend (on receipt): bytes in, bytes out.

The app runs it to spare a citizen's mobile data; the backend runs it again because a client can
send anything. The output is a fresh encode of the pixels only, so no EXIF (GPS!), XMP, comment or
text chunk of the input can survive it.

Accepted: JPEG, PNG, WebP (first frame when animated), and HEIC/HEIF only when the optional
``pillow_heif`` is installed. GIF, BMP, TIFF, AVIF and friends are refused as
``photo_unsupported_format``: phones do not take photos in them, and each extra decoder is attack
surface on a server that decodes strangers' files.
"""

import io
import warnings
import zlib
from dataclasses import dataclass
from functools import cache

from PIL import ExifTags, Image, ImageFile, features

MAX_PHOTOS_PER_REQUEST = 5
MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
# What decoding and cleaning one photo may take, bounded from the header before any pixel is decoded. Pixel count
# alone is not enough: a 49 MP 16-bit PNG of 381 KB took 542 MB. 256 MB still lets through 42 MP of 8-bit RGB and
# 25 MP of RGBA or 16-bit grey; phones' JPEGs are decoded at reduced size and never come near it.
MAX_DECODE_BYTES = 256 * 1024 * 1024
# What the app accepts from its own file picker, judged by the file's size before a byte of it is read. Larger than
# what the backend takes (MAX_INPUT_BYTES): the original never leaves the device (or the app's server, in the
# browser), only the shrunk copy does. Phones' 50-200 MP cameras write JPEGs of 10-40 MB.
MAX_PICKED_BYTES = 40 * 1024 * 1024
# A picked JPEG is decoded at reduced DCT scale (1/2..1/8), so its decoded size, bounded by MAX_DECODE_BYTES, is
# what costs memory, not its full pixel count; Pillow's own decompression-bomb threshold (~89 MP) is the limit.
# PNG and WebP have no reduced decode: MAX_PIXELS stays their limit everywhere.
MAX_PICKED_JPEG_PIXELS = 89_000_000

# Encoder settings, chosen against bench/photos.py's floor (decoding the same 12 MP JPEG at reduced DCT scale, the
# least work any pipeline does) and the 300 KB a photo may cost a citizen's mobile data. Measured in CPU time (the
# machine was shared), 6 photos × 3 runs, median, 2026-11-29:
#   WebP q80 method 1 (before)       2.87× floor   165 KB median, 237 KB largest
#   WebP q75 method 0 (now)          2.50× floor   110 KB median, 178 KB largest
#   JPEG q82 optimize+progressive    2.45× floor   277 KB median, 324 KB largest (over the limit)
#   JPEG q78 optimize (fallback now) 2.03× floor   246 KB median, 289 KB largest
#   JPEG q78 baseline                1.87× floor   261 KB median, 302 KB largest (at the limit)
# Only baseline JPEG reaches 2×: the floor is ~45 ms and a 1600 px WebP encode alone takes 30-45 ms of the ~45 ms
# left (plus ~25 ms resize, ~8 ms thumbnail, ~5 ms rotation). We keep WebP: JPEG would save ~27 ms of CPU once per
# photo but send 2.4× the bytes (+150 KB, over a second at 1 Mbit/s mobile upload, and again on every view of it).
# q75 is cwebp's own default and costs a third fewer bytes than q80; method 0 vs 1 is ~8 ms faster for ~1 % more
# bytes (methods 3-4 take ~3× as long for under 1 % fewer). Progressive JPEG cost 20-40 ms for ~2 % fewer bytes.
# Where the time goes (issue 15, session 5; CPU ms on one 12 MP bench photo, median of 9, machine at load ~9):
#   floor: decode at 1/2 DCT scale to 2000×1500       43-46
#   shrink 2000 -> 1600, bilinear                     23.6
#   turn by 90° / 270° (180°: 0.7)                     3.1
#   WebP 1600×1200 q75 method 0                       29-34 (q70 28.8, q80 33.4; Pillow's ARGB copy is inside)
#   thumbnail: reduce 5×5 + WebP                       2.8  (was 6.1 + 1.5-2 with bicubic from 800 px)
#   _to_srgb (no or sRGB profile), _flatten (RGB)     < 0.1
# So floor + shrink + encode alone are ≈ 2.2× the floor: 2× in CPU time would take a resample twice as fast with the
# same smoothing (SIMD, as in Pillow-SIMD) or a WebP encoder fed the YUV libjpeg decoded; Pillow offers neither, and
# its WebP save has no other speed knob (`exact`, `alpha_quality` do nothing for opaque photos; RGB and RGBA take one
# path). Tried and not kept: the shrink cut into bands of rows on one thread per core, with the thumbnail encoded
# beside the big image (Pillow and libwebp let go of the GIL): the calling thread's CPU fell to 2.02-2.11× floor
# (1.93× with four cores), but total CPU did not fall, the server's workers would pay 1.3-4 ms more per photo for
# the threads, and the wall-time gain showed on this shared machine only when a core happened to be free.
WEBP_QUALITY = 75
WEBP_METHOD = 0
JPEG_QUALITY = 78
JPEG_PROGRESSIVE = False
# After JPEG's DCT scaling the remaining shrink is under 2x, where bilinear is indistinguishable from
# bicubic/Lanczos by eye on text and edges yet 1.5-2x faster (bench/photos.py); still antialiased,
# since Pillow widens the filter by the scale factor. Box (area average) would take 17 ms instead of 24 but keeps the
# sensor grain that bilinear softens: +35-45 % WebP bytes on the bench's photos.
RESAMPLE = Image.Resampling.BILINEAR
# The thumbnail is averaged from the 1600 px image in whole blocks (Pillow's reduce(), 1600 -> 320 is exactly 5x5
# pixels a thumbnail pixel), bicubic only for what is left of a non-integral factor: 1.3 ms instead of 6.1 ms for a
# reduce(2) and bicubic 800 -> 320. Against a Lanczos shrink of the full-size original the thumbnail scores 42.8-44.2
# dB PSNR / SSIM 0.986-0.990 (was 47.6-48.5 dB / 0.994-0.995) and stays within 44.5-46.0 dB / 0.989-0.992 of the old
# thumbnail: no difference to see at 320 px, and the WebP bytes are the same (5.2-5.8 KB).
THUMB_RESAMPLE = Image.Resampling.BICUBIC
THUMB_REDUCING_GAP = 1.0

_MB = 1024 * 1024

PHOTO_ERRORS: dict[str, tuple[str, str]] = {
    "photo_not_image": (
        "ไฟล์นี้ไม่ใช่รูปภาพ กรุณาเลือกรูปถ่าย",
        "This file is not an image. Please choose a photo.",
    ),
    "photo_truncated": (
        "ไฟล์รูปภาพนี้เสียหายหรือไม่สมบูรณ์ กรุณาถ่ายหรือเลือกรูปใหม่อีกครั้ง",
        "This photo is damaged or incomplete. Please take or choose it again.",
    ),
    "photo_too_large": (
        f"รูปภาพมีขนาดใหญ่เกิน {MAX_INPUT_BYTES // _MB} MB กรุณาเลือกรูปที่เล็กกว่านี้",
        f"This photo is larger than {MAX_INPUT_BYTES // _MB} MB. Please choose a smaller one.",
    ),
    "photo_too_many_pixels": (
        f"รูปภาพมีความละเอียดสูงเกินไป (เกิน {MAX_PIXELS // 1_000_000} ล้านพิกเซล) กรุณาเลือกรูปที่เล็กกว่านี้",
        f"This photo has too many pixels (over {MAX_PIXELS // 1_000_000} megapixels). Please choose a smaller one.",
    ),
    "photo_too_big_to_process": (
        "รูปภาพนี้มีความละเอียดสูงเกินกว่าจะประมวลผลได้ (เช่น ไฟล์ PNG สี 16 บิตหรือพื้นโปร่งใส) "
        "กรุณาย่อรูปหรือส่งเป็น JPEG",
        "This photo is too big to process at its resolution (for example a 16-bit or transparent PNG). "
        "Please send a smaller photo or a JPEG.",
    ),
    "photo_metadata_too_large": (
        "ข้อมูลที่แนบมากับรูปภาพนี้ (ข้อความหรือโปรไฟล์สี) มีขนาดใหญ่เกินไป กรุณาบันทึกรูปใหม่เป็น JPEG แล้วส่งอีกครั้ง",
        "This photo carries too much embedded data (text or a colour profile). "
        "Please save it again as a JPEG and send that.",
    ),
    "photo_heic_unsupported": (
        "ยังไม่รองรับรูปภาพแบบ HEIC กรุณาส่งเป็น JPEG หรือตั้งค่ากล้องเป็น “เข้ากันได้มากที่สุด”",
        "HEIC photos are not supported yet. Please send a JPEG, or set the camera to “Most Compatible”.",
    ),
    "photo_unsupported_format": (
        "ไม่รองรับไฟล์รูปภาพประเภทนี้ กรุณาส่งรูปแบบ JPEG, PNG หรือ WebP",
        "This image format is not supported. Please send a JPEG, PNG or WebP photo.",
    ),
    "photo_file_too_large": (
        f"ไฟล์รูปภาพใหญ่เกิน {MAX_PICKED_BYTES // _MB} MB กรุณาเลือกรูปที่เล็กกว่านี้",
        f"This photo file is larger than {MAX_PICKED_BYTES // _MB} MB. Please choose a smaller one.",
    ),
    "photo_too_many": (
        f"ส่งรูปได้ไม่เกิน {MAX_PHOTOS_PER_REQUEST} รูปต่อครั้ง",
        f"You can send up to {MAX_PHOTOS_PER_REQUEST} photos at a time.",
    ),
}


class PhotoRejected(ValueError):
    """A photo we will not store; `code` is a key of PHOTO_ERRORS, safe to show to the sender."""

    def __init__(self, code: str) -> None:
        if code not in PHOTO_ERRORS:
            raise KeyError(f"unknown photo error code: {code!r}")
        super().__init__(code)
        self.code = code

    @property
    def message_th(self) -> str:
        return PHOTO_ERRORS[self.code][0]

    @property
    def message_en(self) -> str:
        return PHOTO_ERRORS[self.code][1]


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    content_type: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    source_format: str


def check_photo_count(n: int) -> None:
    if n > MAX_PHOTOS_PER_REQUEST:
        raise PhotoRejected("photo_too_many")


def check_picked_size(size: int) -> None:
    """The app's check of a picked file from its size alone, before it is read or sent anywhere."""
    if size > MAX_PICKED_BYTES:
        raise PhotoRejected("photo_file_too_large")


# ftyp brands (ISO base media file format) that mean HEIF stills; "mif1"/"msf1" are generic HEIF
# brands that AVIF files also carry, so those are told apart by their compatible brands.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})

# Images we recognise but refuse: worth a better answer than "this is not an image".
_OTHER_IMAGE_MAGIC = (
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF (and camera raw files built on it)
    b"MM\x00*",
    b"II+\x00",  # BigTIFF
    b"MM\x00+",
    b"\x00\x00\x01\x00",  # ICO
    b"8BPS",  # Photoshop
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    b"\xff\x4f\xff\x51",  # JPEG 2000 codestream
    b"\xff\x0a",  # JPEG XL codestream
    b"\x00\x00\x00\x0cJXL \r\n\x87\n",  # JPEG XL container
    b"qoif",
)
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


def _ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]] | None:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(head[0:4], "big"), len(head))
    compatible = [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    return head[8:12], compatible


def _sniff(head: bytes) -> str:
    """The Pillow format name to decode with, judged by content alone (names and MIME types lie)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[0:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    brands = _ftyp_brands(head)
    if brands is not None:
        major, compatible = brands
        every = {major, *compatible}
        if major in _AVIF_BRANDS:
            raise PhotoRejected("photo_unsupported_format")
        if every & _HEIF_BRANDS:
            return "HEIF"
        if major in _GENERIC_HEIF_BRANDS:
            if every & _AVIF_BRANDS:
                raise PhotoRejected("photo_unsupported_format")
            return "HEIF"
        raise PhotoRejected("photo_not_image")  # MP4, MOV, 3GP: a video is not a photo
    if head.startswith(_OTHER_IMAGE_MAGIC):
        raise PhotoRejected("photo_unsupported_format")
    # "BM" alone would also match text that starts with those letters; the DIB header size pins it.
    if head.startswith(b"BM") and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        raise PhotoRejected("photo_unsupported_format")
    raise PhotoRejected("photo_not_image")


@cache
def _heif_available() -> bool:
    # Imported lazily: pillow-heif is an optional native wheel that not every platform (or the
    # app bundle) has, and registering it changes global Pillow state only when it is present.
    try:
        import pillow_heif  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _fit(size: tuple[int, int], limit: int) -> tuple[int, int]:
    width, height = size
    longest = max(width, height)
    if longest <= limit:
        return size
    scale = limit / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)


def _resizable(im: Image.Image) -> Image.Image:
    """Bring modes that resize badly (nearest-neighbour only) or not at all to 8-bit L/RGB/RGBA."""
    if im.mode in ("P", "PA"):
        return im.convert("RGBA" if _has_alpha(im) else "RGB")
    if im.mode == "1":
        return im.convert("L")
    if im.mode.startswith("I;16") or im.mode == "I":
        # 16-bit greyscale PNG: a plain convert("L") clips at 255 and turns most photos white.
        return im.convert("I").point(lambda v: v * (1 / 256), "L")
    if im.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return im.convert("RGBA" if _has_alpha(im) else "RGB")
    return im


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Colour-convert by the embedded ICC profile (the profile itself is then dropped with the rest)."""
    out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
    if icc and im.mode in ("RGB", "RGBA", "CMYK") and features.check("littlecms2"):
        from PIL import ImageCms

        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            # An sRGB profile is the output's assumed space already: converting would only cost time.
            if im.mode != "CMYK" and "srgb" in ImageCms.getProfileDescription(src).lower():
                return im
            converted = ImageCms.profileToProfile(
                im, src, ImageCms.createProfile("sRGB"), outputMode=out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if converted is not None:
            return converted
    # Without a usable profile, phones' pixels are sRGB by convention; CMYK gets Pillow's naive formula.
    return im.convert(out_mode) if im.mode in ("CMYK",) else im


_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a mangled EXIF block must not cost the citizen their photo
        return 1
    return value if isinstance(value, int) else 1


def _flatten(im: Image.Image, *, keep_alpha: bool) -> Image.Image:
    if im.mode == "LA":
        im = im.convert("RGBA")
    if im.mode != "RGBA":
        return im
    alpha_min, _ = im.getchannel("A").getextrema()
    if alpha_min == 255:
        return im.convert("RGB")  # opaque after all: an alpha plane would only add bytes
    if keep_alpha:
        return im
    background = Image.new("RGB", im.size, (255, 255, 255))
    background.paste(im, mask=im.getchannel("A"))
    return background


def _encode(im: Image.Image, webp: bool) -> bytes:
    buf = io.BytesIO()
    # A fresh Image.info: JPEG's encoder would otherwise copy the input's COM comment from it.
    im.info = {}
    if webp:
        im.save(buf, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    else:
        im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=JPEG_PROGRESSIVE)
    return buf.getvalue()


# Peak bytes per decoded pixel through process_photo, by the mode Pillow opens a file in: the decoded image (Pillow
# keeps RGB and LA in 4 bytes a pixel) plus the copies conversion and resizing make. Measured with ru_maxrss on
# 20 MP PNGs (L 1.4, 1 2.0, RGB and P 5.7, RGBA and LA 9.7, I;16 10.0) and rounded up; modes not listed get the
# largest figure.
_WORKING_BYTES_PER_PIXEL: dict[str, int] = {
    "1": 2, "L": 2, "P": 6, "RGB": 6, "YCbCr": 6, "RGBA": 10, "LA": 10, "PA": 10, "CMYK": 10,
    "I;16": 10, "I;16B": 10, "I;16L": 10, "I;16N": 10, "I": 10, "F": 10,
}
_MOST_BYTES_PER_PIXEL = max(_WORKING_BYTES_PER_PIXEL.values())


def working_bytes(mode: str, size: tuple[int, int]) -> int:
    """What cleaning an image of this mode and decoded size costs in memory at its peak (estimate)."""
    return size[0] * size[1] * _WORKING_BYTES_PER_PIXEL.get(mode, _MOST_BYTES_PER_PIXEL)


_PNG_COMPRESSED_METADATA = frozenset({b"zTXt", b"iTXt", b"iCCP"})


def _png_metadata_too_large(data: bytes) -> bool:
    """Whether a PNG that Pillow refused carries text or an ICC profile beyond Pillow's limits, rather than being
    damaged. Only asked after a failure, to say which it was; it stops at the first chunk over a limit."""
    from PIL import PngImagePlugin

    pos, text_bytes = 8, 0
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IEND" or len(body) < length:
            break
        if kind == b"tEXt":
            text_bytes += length
        elif kind in _PNG_COMPRESSED_METADATA:
            name_end = body.find(b"\0")
            if name_end < 0:
                continue
            if kind == b"iTXt":
                # keyword \0 flag method language \0 translated keyword \0 text; a set flag with method 0 is zlib
                flags = body[name_end + 1 : name_end + 3]
                if len(flags) < 2 or flags[0] == 0 or flags[1] != 0:
                    continue
                rest = body[name_end + 3 :].split(b"\0", 2)
                compressed = rest[2] if len(rest) == 3 else b""
            else:
                compressed = body[name_end + 2 :]
            inflater = zlib.decompressobj()
            try:
                plain = inflater.decompress(compressed, PngImagePlugin.MAX_TEXT_CHUNK)
            except zlib.error:
                continue
            if inflater.unconsumed_tail:
                return True
            if kind != b"iCCP":
                text_bytes += len(plain)
        if text_bytes > PngImagePlugin.MAX_TEXT_MEMORY:
            return True
    return False


def _unreadable(fmt: str, data: bytes) -> PhotoRejected:
    """The magic bytes said image, so a file Pillow cannot read is damaged, unless it only carries more metadata
    than Pillow agrees to unpack: then say that, since taking the photo again will not help."""
    if fmt == "PNG" and _png_metadata_too_large(data):
        return PhotoRejected("photo_metadata_too_large")
    return PhotoRejected("photo_truncated")


def _decode(data: bytes, fmt: str, max_side: int, max_pixels: int) -> tuple[Image.Image, int, bytes | None]:
    """Decode at the smallest size still >= the target; also return EXIF orientation and ICC profile."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Process-wide switch we must not flip back behind other code's back; with it on, half an
        # upload decodes "fine" with a grey bottom half, so fail loudly instead.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: photos cannot be checked for truncation")
    # Pillow only warns between its own limit (~89 MP) and twice that; as an error it becomes our
    # refusal. The warnings filter is process-wide (racy across threads), which is acceptable only
    # because the stricter MAX_PIXELS check right after is what actually protects us.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=[fmt])  # reads the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected("photo_too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError) as exc:
            raise _unreadable(fmt, data) from exc
    width, height = im.size
    if width * height > max_pixels:
        raise PhotoRejected("photo_too_many_pixels")
    if fmt == "JPEG":
        target = _fit(im.size, max_side)
        if target != im.size:
            # DCT scaling: libjpeg decodes straight to 1/2, 1/4 or 1/8 size, never below target.
            im.draft("RGB", target)
    # After draft(), which shrinks the size (and may change the mode) that load() will decode to.
    if working_bytes(im.mode, im.size) > MAX_DECODE_BYTES:
        raise PhotoRejected("photo_too_big_to_process")
    try:
        im.load()
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError) as exc:
        raise _unreadable(fmt, data) from exc
    # Read after load(): a PNG may keep its eXIf chunk behind the pixel data.
    icc = im.info.get("icc_profile")
    return im, _orientation(im), icc if isinstance(icc, bytes) else None


def process_picked_photo(data: bytes) -> ProcessedPhoto:
    """The app's shrink of a photo its own picker gave it: larger files and JPEGs accepted than the backend takes,
    since what leaves the device is the result (which the backend then checks again with its own limits)."""
    check_picked_size(len(data))
    return process_photo(data, max_input_bytes=MAX_PICKED_BYTES, max_jpeg_pixels=MAX_PICKED_JPEG_PIXELS)


def process_photo(
    data: bytes,
    *,
    max_side: int = 1600,
    thumb_side: int = 320,
    max_input_bytes: int = MAX_INPUT_BYTES,
    max_jpeg_pixels: int = MAX_PIXELS,
) -> ProcessedPhoto:
    """Check, orient, shrink and re-encode a photo; raises PhotoRejected with a PHOTO_ERRORS code."""
    if max_side < 1 or thumb_side < 1:
        raise ValueError("max_side and thumb_side must be positive")
    # Before anything touches the bytes: a size limit that needs decoding first protects nothing.
    if len(data) > max_input_bytes:
        raise PhotoRejected("photo_too_large")
    fmt = _sniff(bytes(data[:64]))
    if fmt == "HEIF" and not _heif_available():
        raise PhotoRejected("photo_heic_unsupported")
    webp = bool(features.check("webp"))
    if fmt == "WEBP" and not webp:
        raise PhotoRejected("photo_unsupported_format")  # a Pillow built without libwebp cannot read it either

    im, orientation, icc = _decode(data, fmt, max_side, max_jpeg_pixels if fmt == "JPEG" else MAX_PIXELS)
    source_format = im.format or fmt
    im = _resizable(im)
    target = _fit(im.size, max_side)
    if target != im.size:
        # reducing_gap lets Pillow box-reduce by an integer factor first (PNG/WebP have no draft).
        im = im.resize(target, RESAMPLE, reducing_gap=3.0)
    im = _to_srgb(im, icc)
    im = _flatten(im, keep_alpha=webp)
    if orientation in _TRANSPOSE:
        # After the shrink, the rotation moves a fraction of the pixels a rotation of the original would.
        im = im.transpose(_TRANSPOSE[orientation])

    thumb = im.resize(_fit(im.size, thumb_side), THUMB_RESAMPLE, reducing_gap=THUMB_REDUCING_GAP)
    return ProcessedPhoto(
        image=_encode(im, webp),
        thumbnail=_encode(thumb, webp),
        content_type="image/webp" if webp else "image/jpeg",
        width=im.width,
        height=im.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        source_format=source_format,
    )
