"""Browser soak: how often the Flutter web engine traps or stalls in headless Chromium, per renderer mode.

`.venv/bin/python -m bench.browser_soak [--pages 20] [--parallel 3] [--mode as-served|multi-threaded|single-threaded]
[--chromium shared|per-round] [--steps load|sign-in|form|churn] [--extra-arg=--chromium-flag ...]`

Starts `fixit-backend dev` as the browser tests do (tests/e2e/conftest.py::run_system), then opens `--pages` pages
in rounds of `--parallel` (each page in its own context, as the tests' phones are), in one Chromium for the whole
run (`shared`, as the suite does) or a new one per round. Each page loads the app and waits for its first screen
with the Thai font in and the accessibility tree on; `sign-in` also signs a fresh citizen in; `form` then fills the
repair form (map, photo picker, upload: what test_every_role starts with); `churn` instead types into the form and
scrolls it for a while (text laid out while frames rasterise: what breaks the multi-threaded renderer upstream).
A page counts as bad when its console shows `memory access out of bounds` or a `RuntimeError`, its renderer
crashes, a step fails, or it does not answer a screenshot and a page function within 10 s after its steps.

The suite's conftest (imported here) refuses every request to another host at once, as there is no network here;
the failed requests are counted by reason and host, so what a page fetches from outside is visible.

`--mode`: `as-served` leaves the page's headers as the server sends them (since stall12 without
Cross-Origin-Embedder-Policy: single-threaded skwasm); `multi-threaded` adds `Cross-Origin-Embedder-Policy:
require-corp` to the page, as Flet's own server sent it before, so the page is cross-origin isolated and Flutter
loads its multi-threaded skwasm renderer; `single-threaded` takes the header off. The last line is
`browser_soak: pages=N bad=B traps=T stalls=S crashes=C step_failures=F mode=... renderer=...`.
"""

import argparse
import contextlib
import io
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT,
    ask_for_code,
    enable_semantics,
    enter_code,
    open_screen,
    run_system,
    type_into,
)
from tests.e2e.steps import fill_form
from tests.helpers import fresh_phone

TRAPS = ("memory access out of bounds", "RuntimeError", "unreachable")
ANSWER_MS = 10_000


@dataclass
class PageRecord:
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    crashed: bool = False
    step_error: str = ""
    stalled: str = ""
    renderer: str = "?"

    @property
    def trapped(self) -> bool:
        return any(t in line for line in self.console for t in TRAPS)

    @property
    def bad(self) -> bool:
        return self.trapped or self.crashed or bool(self.step_error) or bool(self.stalled)


def photo(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return path


def watched_context(browser: Browser, mode: str) -> BrowserContext:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH",
                                  geolocation={"latitude": 13.9126, "longitude": 100.6068}, permissions=["geolocation"])

    def route(route: Route) -> None:
        if mode != "as-served" and route.request.resource_type == "document":
            response = route.fetch()
            headers = {k: v for k, v in response.headers.items() if k.lower() != "cross-origin-embedder-policy"}
            if mode == "multi-threaded":
                headers["cross-origin-embedder-policy"] = "require-corp"
            route.fulfill(response=response, headers=headers)
        else:
            route.fallback()

    context.route("**/*", route)
    return context


def watch(page: Page, record: PageRecord) -> None:
    page.on("console", lambda m: record.console.append(f"{m.type}: {m.text[:200]}"))
    page.on("pageerror", lambda e: record.console.append(f"uncaught: {str(e)[:200]}"))
    page.on("crash", lambda _: setattr(record, "crashed", True))
    page.on("requestfailed", lambda r: record.failed.append(f"{r.url[:120]} {r.failure}"))


def open_app(page: Page, app_url: str, *, at_sign_in: bool) -> None:
    """The suite's `open_app` without its check that the page is not cross-origin isolated (`--mode` varies it)."""
    with page.expect_response(lambda r: r.url.endswith("NotoSansThai.ttf"), timeout=TIMEOUT):
        page.goto(app_url)
    if at_sign_in:
        page.wait_for_selector("input.flt-text-editing", state="attached", timeout=3 * TIMEOUT)
    enable_semantics(page)


def run_steps(page: Page, app_url: str, steps: str, picture: Path) -> None:
    open_app(page, app_url, at_sign_in=steps != "load")
    if steps == "load":
        return
    enter_code(page, ask_for_code(page, fresh_phone()))
    page.get_by_role("heading", name="คำขอซ่อมของฉัน").first.wait_for(timeout=TIMEOUT)
    if steps == "form":
        fill_form(page, f"พัดลม-{uuid.uuid4().hex[:6]}", picture)
    if steps == "churn":
        churn(page)


def churn(page: Page, rounds: int = 6) -> None:
    """Text laid out anew on every frame while frames rasterise: type Thai and Latin into the form's description
    (each key lays the field out again) and scroll the form up and down with the wheel between the bursts."""
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
    type_into(page, "อาการเสีย", "เริ่ม")
    for n in range(rounds):
        page.keyboard.type(f" เปิดแล้วไม่ติด มีกลิ่นไหม้ round {n} ทดสอบ", delay=5)
        for dy in (400, -400, 300, -300):
            page.mouse.move(195, 420)
            page.mouse.wheel(0, dy)
        page.get_by_role("textbox", name="อาการเสีย").click()


def still_answers(page: Page, record: PageRecord) -> None:
    try:
        page.screenshot(timeout=ANSWER_MS)
        page.wait_for_function("() => true", timeout=ANSWER_MS)
    except PlaywrightError as error:
        record.stalled = str(error).splitlines()[0][:160]


def renderer_of(page: Page) -> str:
    try:
        return str(page.evaluate(
            "() => window.flutterCanvasKit ? 'canvaskit' : (window.crossOriginIsolated ? 'skwasm-mt' : 'skwasm-st')"))
    except PlaywrightError:
        return "?"


def soak(args: argparse.Namespace) -> list[PageRecord]:
    records: list[PageRecord] = []
    work = Path(tempfile.mkdtemp(prefix="fixit-soak-"))
    picture = photo(work / "fan.jpg")
    with run_system(work / "data", "browser-soak.log") as system, sync_playwright() as playwright:
        browser: Browser | None = None
        for start in range(0, args.pages, args.parallel):
            if browser is None or args.chromium == "per-round":
                if browser is not None:
                    browser.close()
                # A document the route fulfils has no local address space to Chromium, which then blocks its
                # websocket to 127.0.0.1 (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS) unless told not to.
                rewritten = [] if args.mode == "as-served" else ["--disable-features=LocalNetworkAccessChecks"]
                browser = launch(playwright, rewritten + args.extra_arg)
            contexts, pages, round_records = [], [], []
            for _ in range(min(args.parallel, args.pages - start)):
                context = watched_context(browser, args.mode)
                page = context.new_page()
                record = PageRecord()
                watch(page, record)
                contexts.append(context)
                pages.append(page)
                round_records.append(record)
            # One page after the other, the earlier ones staying open, as a test's three phones do.
            for page, record in zip(pages, round_records, strict=True):
                try:
                    run_steps(page, system.app_url, args.steps, picture)
                except (PlaywrightError, AssertionError) as error:
                    record.step_error = str(error).splitlines()[0][:160]
            for page, record in zip(pages, round_records, strict=True):
                if not record.crashed:
                    still_answers(page, record)
                record.renderer = renderer_of(page)
                n = len(records) + 1
                verdict = "BAD" if record.bad else "ok"
                print(f"{time.strftime('%H:%M:%S')} page {n:3d} {record.renderer} {verdict}"
                      + (f" trap={[c for c in record.console if any(t in c for t in TRAPS)][:1]}"
                         if record.trapped else "")
                      + (" crashed" if record.crashed else "")
                      + (f" step={record.step_error}" if record.step_error else "")
                      + (f" stalled={record.stalled}" if record.stalled else ""), flush=True)
                if record.bad:
                    print("    last console: " + " | ".join(record.console[-6:]), flush=True)
                records.append(record)
            for context in contexts:
                with contextlib.suppress(PlaywrightError):
                    context.close()
        if browser is not None:
            browser.close()
    failed = Counter(f"{f.split(' ', 1)[1]} {f.split('/')[2]}" for r in records for f in r.failed)
    print("failed requests (those to other hosts refused by the suite's conftest), by reason and host:",
          dict(failed) or "none")
    return records


def launch(playwright: Playwright, extra: list[str]) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--mode", choices=("as-served", "multi-threaded", "single-threaded"), default="as-served")
    parser.add_argument("--chromium", choices=("shared", "per-round"), default="shared")
    parser.add_argument("--steps", choices=("load", "sign-in", "form", "churn"), default="sign-in")
    parser.add_argument("--extra-arg", action="append", default=[], help="another Chromium flag (repeatable)")
    args = parser.parse_args()
    records = soak(args)
    renderers = ",".join(sorted({r.renderer for r in records}))
    print(f"browser_soak: pages={len(records)} bad={sum(r.bad for r in records)} "
          f"traps={sum(r.trapped for r in records)} stalls={sum(bool(r.stalled) for r in records)} "
          f"crashes={sum(r.crashed for r in records)} step_failures={sum(bool(r.step_error) for r in records)} "
          f"mode={args.mode} chromium={args.chromium} steps={args.steps} renderer={renderers}")
    sys.exit(0)


if __name__ == "__main__":
    main()
