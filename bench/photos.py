"""Photo pipeline vs the naive Pillow path on phone-sized photos, all in memory.

Run: .venv/bin/python -m bench.photos [--count N] [--repeat R]
The last line is machine-readable:
``photos: speedup=X bytes_median=Y size_ratio=Z floor_ms=F floor_ratio=R`` (R: the pipeline's median over decoding
the same JPEG at the reduced DCT scale, the least work any pipeline must do).
"""

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageOps

from shared.photos import process_photo

WIDTH, HEIGHT = 4000, 3000  # 12 MP, what most phones shoot
_TILE = 1024


def _noise_tile(rng: random.Random) -> Image.Image:
    # Gaussian noise is what makes JPEG sizes realistic (sensor grain, texture); a tile of it is
    # enough, since JPEG cannot exploit a repeat 1024 px away, and full-frame noise costs seconds.
    channels = [Image.effect_noise((_TILE, _TILE), rng.uniform(30, 45)) for _ in range(3)]
    return Image.merge("RGB", channels)


def make_photo(seed: int) -> bytes:
    """A 4000×3000 JPEG at quality 92 (3-6 MB) with EXIF: GPS, camera make and orientation."""
    rng = random.Random(seed)
    horizontal = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    radial = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    flipped = horizontal.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    channels = [horizontal, radial, flipped]
    rng.shuffle(channels)
    base = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x0, y0 = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        box = (x0, y0, x0 + rng.randrange(50, 1200), y0 + rng.randrange(50, 900))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    tile = _noise_tile(rng)
    noise = Image.new("RGB", (WIDTH, HEIGHT))
    for x in range(0, WIDTH, _TILE):
        for y in range(0, HEIGHT, _TILE):
            noise.paste(tile, (x, y))
    # Grain alone vanishes in a 2.5x shrink; real scenes also have texture at a few pixels' scale.
    texture = Image.merge("RGB", [Image.effect_noise((WIDTH // 4, HEIGHT // 4), 50) for _ in range(3)])
    texture = texture.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    photo = Image.blend(Image.blend(base, texture, rng.uniform(0.18, 0.3)), noise, rng.uniform(0.12, 0.2))

    exif = Image.Exif()
    exif[0x010F] = "Fixit Bench Phone"  # Make
    exif[0x0110] = "FB-12"  # Model
    exif[0x0112] = rng.choice([1, 6, 8, 3])  # Orientation: phones rotate by tag, not by pixels
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (13.0, 45.0, 22.5)  # Bangkok
    gps[3], gps[4] = "E", (100.0, 30.0, 5.1)
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def naive(data: bytes) -> int:
    """What a first version would write: decode everything, rotate, shrink, save twice."""
    with Image.open(io.BytesIO(data)) as opened:
        im = ImageOps.exif_transpose(opened)
    im.thumbnail((1600, 1600))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    thumb = im.copy()
    thumb.thumbnail((320, 320))
    thumb.save(io.BytesIO(), "JPEG", quality=85)
    return len(out.getvalue())


def floor(data: bytes) -> int:
    """The least work any pipeline must do: decode the JPEG at the reduced DCT scale that still covers 1600 px."""
    with Image.open(io.BytesIO(data)) as im:
        scale = max(im.width, im.height) / 1600
        if scale > 1:
            im.draft("RGB", (int(im.width / scale), int(im.height / scale)))
        im.load()
        return im.width * im.height


def pipeline(data: bytes) -> int:
    return len(process_photo(data).image)


def median_time(fn: Callable[[bytes], int], data: bytes, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = fn(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=12, help="photos to generate (default 12)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per photo and path (default 3)")
    args = parser.parse_args()

    print(f"{'#':>2} {'input':>9} {'naive ms':>9} {'naive out':>10} {'ours ms':>8} {'ours out':>9} {'ratio':>6}")
    naive_times, our_times, our_bytes, ratios, floor_times = [], [], [], [], []
    for i in range(args.count):
        data = make_photo(i)
        naive_t, naive_size = median_time(naive, data, args.repeat)
        our_t, our_size = median_time(pipeline, data, args.repeat)
        floor_times.append(median_time(floor, data, args.repeat)[0])
        naive_times.append(naive_t)
        our_times.append(our_t)
        our_bytes.append(our_size)
        ratios.append(our_size / len(data))
        print(
            f"{i:>2} {len(data):>9} {naive_t * 1000:>9.1f} {naive_size:>10} "
            f"{our_t * 1000:>8.1f} {our_size:>9} {our_size / len(data):>6.3f}"
        )
    naive_median, our_median = statistics.median(naive_times), statistics.median(our_times)
    floor_median = statistics.median(floor_times)
    print(f"median: naive {naive_median * 1000:.1f} ms, pipeline {our_median * 1000:.1f} ms, "
          f"floor (draft decode) {floor_median * 1000:.1f} ms")
    speedup = naive_median / our_median
    bytes_median, size_ratio = int(statistics.median(our_bytes)), statistics.median(ratios)
    print(f"photos: speedup={speedup:.2f} bytes_median={bytes_median} size_ratio={size_ratio:.3f} "
          f"floor_ms={floor_median * 1000:.1f} floor_ratio={our_median / floor_median:.2f}")


if __name__ == "__main__":
    main()
