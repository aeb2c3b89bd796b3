"""How often the 300 KB cap makes the photo pipeline encode again, on the bench's photos and on harder ones.

Run: .venv/bin/python -m bench.photo_cap
Per input: its size, the 1600 px image's bytes at JPEG_QUALITY (what the first encode gives), and what
process_photo stored (bytes, size, CPU ms). Inputs, all 12 MP JPEGs at quality 92 made in memory: bench.photos'
photos; the same scenes under full-frame sensor grain (night shots); under texture a few pixels across (gravel,
foliage, a brick wall); a page of dense printed text; uniform noise. The last line is machine-readable:
``photo_cap: inputs=N over=K largest=B`` (K inputs needed a second encode; B the largest stored image).
"""

import io
import random
import time
from collections.abc import Callable
from functools import partial

from PIL import Image, ImageDraw, ImageFont

from bench.photos import HEIGHT, WIDTH, make_photo
from shared import photos
from shared.photos import JPEG_QUALITY, MAX_PHOTO_BYTES, process_photo


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _scene(seed: int) -> Image.Image:
    return Image.open(io.BytesIO(make_photo(seed))).convert("RGB")


def grainy(seed: int, sigma: float) -> bytes:
    """A bench scene half covered by full-frame grain of `sigma` (a high-ISO night shot), not a tiled one."""
    grain = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), sigma) for _ in range(3)])
    return _jpeg(Image.blend(_scene(seed), grain, 0.5))


def textured(seed: int, scale: int) -> bytes:
    """A bench scene half covered by texture `scale` pixels across, which the shrink to 1600 px keeps."""
    texture = Image.merge("RGB", [Image.effect_noise((WIDTH // scale, HEIGHT // scale), 60) for _ in range(3)])
    return _jpeg(Image.blend(_scene(seed), texture.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC), 0.5))


def text_page(seed: int, size: int) -> bytes:
    """A frame full of printed text, `size` px high (Thai and English), on off-white paper with light grain."""
    rng = random.Random(seed)
    page = Image.new("RGB", (WIDTH, HEIGHT), (235, 232, 222))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size)
    words = ["repair", "ซ่อม", "water", "pipe", "leak", "electric", "วิทยาลัย", "request", "12345", "Fixit"]
    for y in range(60, HEIGHT - size, int(size * 1.4)):
        draw.text((60, y), " ".join(rng.choice(words) for _ in range(60)), fill=(20, 20, 25), font=font)
    grain = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), 20) for _ in range(3)])
    return _jpeg(Image.blend(page, grain, 0.08))


def noise(seed: int) -> bytes:
    return _jpeg(Image.frombytes("RGB", (WIDTH, HEIGHT), random.Random(seed).randbytes(WIDTH * HEIGHT * 3)))


def first_encode(data: bytes) -> int:
    """The bytes of the 1600 px image at JPEG_QUALITY, before any retry (the pipeline's own steps)."""
    im = photos._decode(data, "JPEG", 1600, photos.MAX_PIXELS)[0]
    im = im.resize(photos._fit(im.size, 1600), photos.RESAMPLE, reducing_gap=3.0)
    return len(photos._jpeg(im, JPEG_QUALITY))


def main() -> None:
    inputs: list[tuple[str, Callable[[], bytes]]] = [(f"bench {i}", partial(make_photo, i)) for i in range(12)]
    inputs += [(f"grain σ{s} #{i}", partial(grainy, i, s)) for s in (15, 30, 50) for i in range(3)]
    inputs += [(f"texture {k} px #{i}", partial(textured, i, k)) for k in (1, 2, 3) for i in range(2)]
    inputs += [(f"text {px} px #{i}", partial(text_page, i, px)) for px in (16, 24, 40) for i in range(2)]
    inputs += [("noise", partial(noise, 0))]
    print(f"{'input':16} {'bytes in':>9} {f'q{JPEG_QUALITY}':>8} {'stored':>8} {'size':>10} {'cpu ms':>7}")
    over, largest = 0, 0
    for name, make in inputs:
        data = make()
        first = first_encode(data)
        cpu = time.process_time()
        result = process_photo(data)
        cpu = time.process_time() - cpu
        over += first > MAX_PHOTO_BYTES
        largest = max(largest, len(result.image))
        flag = " over" if first > MAX_PHOTO_BYTES else ""
        print(f"{name:16} {len(data):>9} {first:>8} {len(result.image):>8} "
              f"{f'{result.width}x{result.height}':>10} {cpu * 1000:>7.1f}{flag}", flush=True)
    print(f"photo_cap: inputs={len(inputs)} over={over} largest={largest}")


if __name__ == "__main__":
    main()
