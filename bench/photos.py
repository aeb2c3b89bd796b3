"""Photo pipeline vs the naive Pillow path on phone-sized photos, all in memory.

Run: .venv/bin/python -m bench.photos [--count N] [--repeat R] [--baseline OLD_PHOTOS_PY]
The last line is machine-readable:
``photos: speedup=X bytes_median=Y size_ratio=Z floor_ms=F floor_ratio=R cpu_floor_ms=C cpu_floor_ratio=Q`` (R: the
pipeline's median wall time over that of decoding the same JPEG at the reduced DCT scale, the least work any pipeline
must do; Q the same in CPU time of all the process's threads, which a busy shared machine disturbs less).
"""

import argparse
import importlib.util
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


def load_baseline(path: str) -> Callable[[bytes], int]:
    """process_photo of another version of shared/photos.py (e.g. `git show HEAD~1:shared/photos.py > old.py`)."""
    spec = importlib.util.spec_from_file_location("bench_photos_baseline", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    process: Callable[[bytes], Any] = module.process_photo
    return lambda data: len(process(data).image)


@dataclass
class Timings:
    """Wall and CPU (all threads of this process) seconds per run of one path on one photo."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    size: int = 0

    def run(self, fn: Callable[[bytes], int], data: bytes) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.size = fn(data)
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)


def median_time(fn: Callable[[bytes], int], data: bytes, repeat: int) -> tuple[float, int]:
    timings = Timings()
    for _ in range(repeat):
        timings.run(fn, data)
    return statistics.median(timings.wall), timings.size


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=12, help="photos to generate (default 12)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per photo and path (default 3)")
    parser.add_argument("--baseline", help="a copy of an older shared/photos.py to time alternately with this one")
    args = parser.parse_args()
    baseline = load_baseline(args.baseline) if args.baseline else None

    print(
        f"{'#':>2} {'input':>9} {'naive ms':>9} {'naive out':>10} {'floor ms':>9} {'ours ms':>8} {'cpu ms':>7} "
        f"{'ours out':>9} {'ratio':>6}" + (f" {'base ms':>8} {'cpu ms':>7} {'base out':>9}" if baseline else "")
    )
    naive_times, our_bytes, ratios, base_bytes = [], [], [], []
    # Per photo, the median of its runs; the summary is the median over photos.
    floor_wall, floor_cpu, our_wall, our_cpu, base_wall, base_cpu = [], [], [], [], [], []
    for i in range(args.count):
        data = make_photo(i)
        naive_t, naive_size = median_time(naive, data, args.repeat)
        floor_t, ours, base = Timings(), Timings(), Timings()
        # Interleaved run by run, so a neighbour's load on the shared machine falls on every path alike.
        for _ in range(args.repeat):
            floor_t.run(floor, data)
            ours.run(pipeline, data)
            if baseline:
                base.run(baseline, data)
        naive_times.append(naive_t)
        floor_wall.append(statistics.median(floor_t.wall))
        floor_cpu.append(statistics.median(floor_t.cpu))
        our_wall.append(statistics.median(ours.wall))
        our_cpu.append(statistics.median(ours.cpu))
        our_bytes.append(ours.size)
        ratios.append(ours.size / len(data))
        line = (
            f"{i:>2} {len(data):>9} {ms(naive_t):>9} {naive_size:>10} {ms(floor_wall[-1]):>9} {ms(our_wall[-1]):>8} "
            f"{ms(our_cpu[-1]):>7} {ours.size:>9} {ours.size / len(data):>6.3f}"
        )
        if baseline:
            base_wall.append(statistics.median(base.wall))
            base_cpu.append(statistics.median(base.cpu))
            base_bytes.append(base.size)
            line += f" {ms(base_wall[-1]):>8} {ms(base_cpu[-1]):>7} {base.size:>9}"
        print(line)
    naive_median, our_median = statistics.median(naive_times), statistics.median(our_wall)
    floor_median, floor_cpu_median = statistics.median(floor_wall), statistics.median(floor_cpu)
    print(
        f"median: naive {ms(naive_median)} ms, pipeline {ms(our_median)} ms wall / "
        f"{ms(statistics.median(our_cpu))} ms CPU, floor (draft decode) {ms(floor_median)} ms wall / "
        f"{ms(floor_cpu_median)} ms CPU"
    )
    if baseline:
        print(
            f"baseline: floor_ratio={statistics.median(base_wall) / floor_median:.2f} "
            f"cpu_floor_ratio={statistics.median(base_cpu) / floor_cpu_median:.2f} "
            f"bytes_median={int(statistics.median(base_bytes))}"
        )
    speedup = naive_median / our_median
    bytes_median, size_ratio = int(statistics.median(our_bytes)), statistics.median(ratios)
    print(
        f"photos: speedup={speedup:.2f} bytes_median={bytes_median} size_ratio={size_ratio:.3f} "
        f"floor_ms={ms(floor_median)} floor_ratio={our_median / floor_median:.2f} "
        f"cpu_floor_ms={ms(floor_cpu_median)} cpu_floor_ratio={statistics.median(our_cpu) / floor_cpu_median:.2f}"
    )


if __name__ == "__main__":
    main()
