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
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from itertools import islice

from PIL import ExifTags, Image, ImageFile, features

MAX_PHOTOS_PER_REQUEST = 5
# The after photos a job's record holds: each student's work on it (a take back, a reassign or a reopen starts new
# work, backend credit.WORK_BEGAN_SQL) adds at most MAX_PHOTOS_PER_REQUEST beside the earlier work's, which are never
# replaced (known18be): they are that work's evidence (the timeline, the teacher's approval of the round's hours, each
# student's portfolio). The record opens indices 0..AFTER_PHOTO_SLOTS-1 (five students' sets), and grows past them
# when earlier work fills them (`after_photo_span`, review18a): the work now on the job always has room for a full set
# of its own, and no earlier photo is ever given up for it. Growth is bounded by people's deliberate acts (each new
# work is a teacher's take back or reassign, or the owner's reopen of a repaired job, all on the timeline) and costs
# at most MAX_PHOTOS_PER_REQUEST stored photos each; AFTER_PHOTO_INDEX_MAX is only the column's type (smallint).
AFTER_PHOTO_SLOTS = 5 * MAX_PHOTOS_PER_REQUEST
AFTER_PHOTO_INDEX_MAX = 32_767
MAX_INPUT_BYTES = 20 * 1024 * 1024
# Photos one person may upload (before or after photos, a replacement too) in an hour, counted before decoding
# (attack26 #3): each may take a decode of up to MAX_PIXELS, and a process decodes two at once, so one account
# re-sending photo 0 over and over kept every backend copy's decoders busy for everyone. A citizen's most (20
# requests an hour, five photos each) fits, and a student's five after photos of several jobs.
PHOTO_UPLOADS_PER_PERSON_PER_HOUR = 100
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
# least work any pipeline does) and the owner's two targets for issue 15: ≤ 2× that floor, ≤ 300 KB a photo.
# Baseline JPEG, because only it reaches 2×: libjpeg-turbo encodes 1600×1200 in ~4.5 ms of CPU, libwebp (method 0,
# its fastest) in ~30 ms, of the ~45 ms that 2× leaves beside the floor (~43 ms) once the shrink (~24) and the
# rotation (~3) are paid. The bench's 12 photos, 2026-11-30 (session 13), encode alone in CPU ms, then whole
# pipeline over the floor in CPU (wall) from alternating bench runs at load 3-7:
#   WebP q75 method 0 (before)   30.0 ms  2.40-2.43× (2.53-2.73×)   110 KB median, 180 KB largest
#   JPEG q78 baseline             4.8 ms                            261 KB median, 305 KB largest (over the cap)
#   JPEG q72 optimize            10.6 ms  1.90× (1.86×)             201 KB median, 245 KB largest
#   JPEG q72 baseline (now)       4.4 ms  1.74-1.80× (1.84-1.99×)   220 KB median, 262 KB largest
# Optimized Huffman tables save ~9 % of the bytes for ~0.14× of the floor, which a loaded machine's wall time would
# push over 2×. The price of JPEG: 2× WebP's bytes (+110 KB a photo, ~0.9 s at 1 Mbit/s, on upload and every view),
# within the owner's cap. Chroma is Pillow's default 4:2:0. MAX_PHOTO_BYTES is kept for every photo, not as a median: an
# encode over it is done again at JPEG_RETRY_QUALITIES, then smaller (never on the bench's photos or on grainy
# night shots; on dense fine texture and full-frame text, and on noise; see bench/README.md).
# The thumbnail is JPEG too: WebP would save ~3 KB of its ~8 KB but take 1.25 ms instead of 0.2, and a photo's row
# has one content type for both of its files. Photos stored as WebP before keep their rows' type and are served so.
JPEG_QUALITY = 72
JPEG_RETRY_QUALITIES = (64, 56, 48, 40)
# The most one stored photo (the 1600 px image) may weigh: every view of it costs a citizen's mobile data.
MAX_PHOTO_BYTES = 300_000
# Past the last retry quality the image is shrunk (at least this much a side each time) until it fits.
_SHRINK_STEP = 0.9
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
    "photo_earlier_work": (
        "รูปนี้เป็นงานของนักศึกษาคนก่อน (หรือรอบก่อน) จึงแทนที่ไม่ได้ กรุณาเพิ่มรูปของคุณเป็นรูปใหม่",
        "This photo is an earlier student's (or round's) work and cannot be replaced: add yours as a new photo.",
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


def after_photo_span(earlier: int) -> int:
    """How many after-photo indices (0..span-1) the record opens to the work now on the job when `earlier` of its
    photos are earlier work's: AFTER_PHOTO_SLOTS, or more once earlier work leaves fewer than a full set of them free.
    Capped only by the column's type (AFTER_PHOTO_INDEX_MAX), some 6,500 changes of hands away."""
    return min(max(AFTER_PHOTO_SLOTS, earlier + MAX_PHOTOS_PER_REQUEST), AFTER_PHOTO_INDEX_MAX + 1)


def free_after_slots(earlier: Collection[int], own: Collection[int]) -> list[int]:
    """Where the work now on the job adds its next after photos, lowest first, as many as it may still add: the
    indices within `after_photo_span` holding no photo. `earlier`: the indices holding earlier work's photos (taken
    before the work now on the job began); `own`: those holding its own. The backend takes a photo at any of them
    (`after_slot_refusal`); the app uploads at these, in order."""
    room = MAX_PHOTOS_PER_REQUEST - len(set(own))
    if room <= 0:
        return []
    taken = {*earlier, *own}
    free = (i for i in range(after_photo_span(len(set(earlier)))) if i not in taken)
    return list(islice(free, room))


def after_slot_refusal(idx: int, earlier: Collection[int], own: Collection[int]) -> str | None:
    """Why the work now on the job may not store an after photo at `idx` (a PHOTO_ERRORS code), or None: an earlier
    work's photo is never replaced (`photo_earlier_work`); its own it replaces; a new one goes within
    `after_photo_span`, at most MAX_PHOTOS_PER_REQUEST of its own (`photo_too_many`)."""
    if idx in earlier:
        return "photo_earlier_work"
    if idx in own:
        return None
    if not 0 <= idx < after_photo_span(len(set(earlier))) or len(set(own)) >= MAX_PHOTOS_PER_REQUEST:
        return "photo_too_many"
    return None


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
        # 16-bit greyscale PNG: a plain convert("L") clips at 255 and turns most photos white. Scaled first (point()
        # on an "I" image returns "I" whatever mode it is asked for, which JPEG cannot store), then made 8-bit.
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
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


def _flatten(im: Image.Image) -> Image.Image:
    """Opaque RGB or L for JPEG: a transparent photo (a screenshot, a cut-out) lands on white, not on black."""
    if im.mode == "LA":
        im = im.convert("RGBA")
    if im.mode != "RGBA":
        return im
    alpha_min, _ = im.getchannel("A").getextrema()
    if alpha_min == 255:
        return im.convert("RGB")  # opaque after all
    background = Image.new("RGB", im.size, (255, 255, 255))
    background.paste(im, mask=im.getchannel("A"))
    return background


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # Baseline, standard Huffman tables, Pillow's 4:2:0: the fastest libjpeg encode (see the constants above).
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _encode(im: Image.Image) -> tuple[bytes, Image.Image]:
    """A fresh JPEG of `im` of at most MAX_PHOTO_BYTES, and the image it holds: at JPEG_QUALITY, else at each of
    JPEG_RETRY_QUALITIES, else shrunk at the last of them until it fits (only pure noise has needed that)."""
    # A fresh Image.info: JPEG's encoder would otherwise copy the input's COM comment (or EXIF, ICC) from it.
    im.info = {}
    for quality in (JPEG_QUALITY, *JPEG_RETRY_QUALITIES):
        data = _jpeg(im, quality)
        if len(data) <= MAX_PHOTO_BYTES:
            return data, im
    while len(data) > MAX_PHOTO_BYTES and im.size != (1, 1):
        # Bytes grow about with the pixel count: aim at the cap by area, and always shrink by at least a step.
        scale = min(_SHRINK_STEP, (MAX_PHOTO_BYTES / len(data)) ** 0.5)
        im = im.resize((max(1, int(im.width * scale)), max(1, int(im.height * scale))), RESAMPLE)
        data = _jpeg(im, JPEG_RETRY_QUALITIES[-1])
    return data, im


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
    if fmt == "WEBP" and not features.check("webp"):
        raise PhotoRejected("photo_unsupported_format")  # a Pillow built without libwebp cannot read it either

    im, orientation, icc = _decode(data, fmt, max_side, max_jpeg_pixels if fmt == "JPEG" else MAX_PIXELS)
    source_format = im.format or fmt
    im = _resizable(im)
    target = _fit(im.size, max_side)
    if target != im.size:
        # reducing_gap lets Pillow box-reduce by an integer factor first (PNG/WebP have no draft).
        im = im.resize(target, RESAMPLE, reducing_gap=3.0)
    im = _to_srgb(im, icc)
    im = _flatten(im)
    if orientation in _TRANSPOSE:
        # After the shrink, the rotation moves a fraction of the pixels a rotation of the original would.
        im = im.transpose(_TRANSPOSE[orientation])

    thumb = im.resize(_fit(im.size, thumb_side), THUMB_RESAMPLE, reducing_gap=THUMB_REDUCING_GAP)
    image, im = _encode(im)
    thumbnail, thumb = _encode(thumb)
    return ProcessedPhoto(
        image=image,
        thumbnail=thumbnail,
        content_type="image/jpeg",
        width=im.width,
        height=im.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        source_format=source_format,
    )
