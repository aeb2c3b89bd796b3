"""What the PDFs' Thai word breaks and text shaping cost (backend.services.pdf_text, pdf_fonts).

Run: .venv/bin/python -m bench.pdf
1. PyThaiNLP, in a fresh interpreter: its import, and its first newmm call (which loads the dictionary), in ms and
   in MB of peak resident memory added.
2. A training-hours ledger of 40 Thai rows (median of 15 builds, after one to warm up): as printed (Thai unshaped),
   with a Burmese display name (its line shaped), and with every line shaped (what shaping the whole document
   would cost).
The last line is machine-readable: ``pdf: thainlp_import_ms=.. thainlp_first_ms=.. thainlp_mb=.. thai_ms=..
burmese_ms=.. all_shaped_ms=..``.
"""

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import backend.services.ledger_pdf as ledger_pdf_module
from backend.services.pdf_fonts import TypedTextPDF
from shared.text import Locale

_PROBE = """
import time
from pathlib import Path
def rss():  # peak resident MB of this process (ru_maxrss would carry the parent's peak over fork)
    return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
r0, t0 = rss(), time.perf_counter()
from pythainlp.tokenize import word_tokenize
t1 = time.perf_counter()
word_tokenize("วิทยาลัยการอาชีพนครศรีธรรมราช", engine="newmm", keep_whitespace=True)
t2 = time.perf_counter()
print(f"{(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f} {rss() - r0:.0f}")
"""

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
JOBS = [{"reference": f"FX-69{i:04d}", "approved_at": NOW, "category_name_th": "เครื่องใช้ไฟฟ้า",
         "category_name_en": "Appliances", "item": "เครื่องซักผ้าฝาหน้าระบายน้ำไม่ออกและมีน้ำรั่วซึม", "hours": 2.0}
        for i in range(40)]


class _AllShaped(TypedTextPDF):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_text_shaping(True)


def _median_ms(name: str, runs: int = 15) -> float:
    def build() -> None:
        ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": name, "jobs": JOBS}, NOW, Locale.TH)

    build()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True).stdout.split()
    import_ms, first_ms, mb = (float(v) for v in out)
    print(f"pythainlp: import {import_ms:.0f} ms, first newmm call {first_ms:.0f} ms, +{mb:.0f} MB peak RSS")
    thai = _median_ms("สมชาย ใจดี")
    burmese = _median_ms("မောင် ကျော်")
    setattr(ledger_pdf_module, "TypedTextPDF", _AllShaped)  # noqa: B010  # the module's name, not an export
    try:
        all_shaped = _median_ms("สมชาย ใจดี")
    finally:
        setattr(ledger_pdf_module, "TypedTextPDF", TypedTextPDF)  # noqa: B010
    print(f"ledger, {len(JOBS)} rows: Thai {thai:.0f} ms, with a Burmese name {burmese:.0f} ms, "
          f"every line shaped {all_shaped:.0f} ms")
    print(f"pdf: thainlp_import_ms={import_ms:.0f} thainlp_first_ms={first_ms:.0f} thainlp_mb={mb:.0f} "
          f"thai_ms={thai:.1f} burmese_ms={burmese:.1f} all_shaped_ms={all_shaped:.1f}")


if __name__ == "__main__":
    main()
