"""End-to-end: the README's run command (`fixit-backend dev`) as the system under test, in Debian Chromium."""

import inspect
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, Route, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from backend.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 60_000
OUTPUT_DIR = PROJECT_ROOT / "test-output"
# Every browser in these tests signs in from 127.0.0.1: the per-address limit is tested at the integration level.
E2E_LIMITS = {"FIXIT_OTP_REQUESTS_PER_ADDRESS": "100000", "FIXIT_OTP_REQUESTS_OVERALL": "100000"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningSystem:
    app_url: str
    api_url: str
    log_path: Path
    process: subprocess.Popen[bytes]


def _ctrl_c_as_in_a_terminal() -> None:
    # A shell starts background jobs with Ctrl-C ignored, and a child inherits that: the test suite launched that
    # way would send its Ctrl-C into nothing. In a terminal it reaches the run command: so here too.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def run_system(data_dir: Path, log_name: str) -> Iterator[RunningSystem]:
    """`fixit-backend dev`, exactly what `./fixit run` starts, on free ports; Ctrl-C (SIGINT) at the end."""
    backend_port, app_port = free_port(), free_port()
    OUTPUT_DIR.mkdir(exist_ok=True)
    log_path = OUTPUT_DIR / log_name
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"FIXIT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **E2E_LIMITS})
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "dev", "--backend-port", str(backend_port),
             "--app-port", str(app_port), "--no-open-browser"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
        system = RunningSystem(f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{backend_port}", log_path, proc)
        try:
            wait_ready(proc, f"{system.api_url}/health", system.app_url, log_path=log_path)
            yield system
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # what Ctrl-C does
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture(scope="session")
def system() -> Iterator[RunningSystem]:
    data_dir = Path(tempfile.mkdtemp(prefix="fixit-e2e-"))
    with run_system(data_dir, "e2e-system.log") as running:
        yield running
    shutil.rmtree(data_dir, ignore_errors=True)


def wait_ready(proc: subprocess.Popen[bytes], *urls: str, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the run command exited ({proc.returncode}):\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    if pending:
        raise TimeoutError(f"{pending[0]} not ready:\n{log_path.read_text()[-4000:]}")


# What each page's app said last in the browser console (Flutter reports its exceptions there), its uncaught errors
# and whether its renderer crashed: printed with a failed test's snapshot, since a page that stops answering (seen
# under load: a screenshot that never comes) leaves nothing else behind.
_CONSOLE_LINES = 30
_console: dict[Page, deque[str]] = {}
# What each page asked of other hosts: there is no network here (nor on a phone on a bad one), so such a request is
# refused at once instead of waiting on a name lookup, and listed with a failed test's snapshot, by host. The map's
# tile host is the one seen so far (25 tiles a map).
_NOT_LOCAL = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])")
_outside: dict[Page, Counter[str]] = {}


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def _listen(page: Page) -> None:
    lines: deque[str] = deque(maxlen=_CONSOLE_LINES)
    _console[page] = lines
    page.on("console", lambda message: lines.append(f"{_stamp()} {message.type}: {message.text[:300]}"))
    page.on("pageerror", lambda error: lines.append(f"{_stamp()} uncaught: {str(error)[:300]}"))
    page.on("crash", lambda _: lines.append(f"{_stamp()} the renderer crashed"))
    outside: Counter[str] = Counter()
    _outside[page] = outside

    def refuse(route: Route) -> None:
        outside[urlsplit(route.request.url).netloc or route.request.url[:60]] += 1
        route.abort("internetdisconnected")

    page.route(_NOT_LOCAL, refuse)

    def forget(closed: Page) -> None:
        _console.pop(closed, None)
        _outside.pop(closed, None)

    page.on("close", forget)


_new_context = Browser.new_context


def _new_context_listened(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
    context = _new_context(self, *args, **kwargs)
    context.on("page", _listen)
    return context


Browser.new_context = _new_context_listened  # type: ignore[method-assign]


def snapshot_pages(pages: list[Page], why: str) -> None:
    """What each open screen showed when a test failed (a screenshot and the accessibility tree as text, in
    test-output/): a stall on a loaded machine is otherwise a guess. A crashed or hung renderer is said instead."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
    for n, page in enumerate(pages):
        stem = OUTPUT_DIR / f"failed-{test}-{why}-{n}"
        try:
            page.screenshot(path=f"{stem}.png", timeout=10_000)
            seen = f"{page.url}\n{page.locator('body').aria_snapshot(timeout=10_000)}"
        except PlaywrightError as error:
            seen = f"{page.url}\nno snapshot: {error}"
        said = "\n".join(_console.get(page, ["(no console lines)"]))
        asked = dict(_outside.get(page, {}))
        said += f"\n--- requests to other hosts (refused), by host ---\n{asked or 'none'}"
        stem.with_suffix(".txt").write_text(f"{seen}\n--- console ---\n{said}")
        # Also in the run's output, which is all a CI log keeps.
        print(f"\n--- {stem.name} ---\n" + "\n".join(seen.splitlines()[:40]) + f"\n--- console ---\n{said}",
              file=sys.stderr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if call.when == "call" and call.excinfo is not None and isinstance(browser, Browser):
        snapshot_pages([page for context in browser.contexts for page in context.pages], "open")
    return report


_close_context = BrowserContext.close


def _close_after_snapshot(self: BrowserContext, reason: str | None = None) -> None:
    # A test that makes its own phones closes them in a `finally`, before the failure is reported: look first.
    if sys.exc_info()[0] is not None:
        snapshot_pages(self.pages, "closing")
    _close_context(self, reason=reason)


BrowserContext.close = _close_after_snapshot  # type: ignore[method-assign]


class _SharedChromium:
    """One Playwright driver and one Chromium for a run of browser modules: starting both took 3-5 s a module on a
    loaded machine. Started when a module first asks; a module's contexts are its own and close with it."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():  # a crashed Chromium is not handed on
            self.stop()
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        try:
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
        finally:
            self._browser = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None


def _chromium_wanted_next(module: pytest.Module, items: list[pytest.Item]) -> bool:
    """Whether a later module wants the browser with nothing in between that needs asyncio: while Playwright's sync
    driver runs, asyncio takes its loop as running, and an asyncio test (or fixture) would fail. So the driver stays
    up only across browser-free e2e modules (all sync), and stops after the last browser module."""
    mine = [n for n, item in enumerate(items) if item.getparent(pytest.Module) is module]
    if not mine:
        return False
    here = Path(__file__).parent
    for item in items[mine[-1] + 1:]:
        if "browser" in getattr(item, "fixturenames", ()):
            return True
        if here not in item.path.parents or inspect.iscoroutinefunction(getattr(item, "obj", None)):
            return False
    return False


@pytest.fixture(scope="session")
def _shared_chromium() -> Iterator[_SharedChromium]:
    shared = _SharedChromium()
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest, _shared_chromium: _SharedChromium) -> Iterator[Browser]:
    """Chromium for this module. The process is shared with the modules next to it; what a module opened in it
    (contexts, pages) is closed when the module ends, as closing a browser of its own did."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: ./fixit test installs it (apt-get install chromium)")
    browser = _shared_chromium.get()
    try:
        yield browser
    finally:
        try:
            if browser.is_connected():
                for context in list(browser.contexts):
                    context.close()
        finally:
            if not (browser.is_connected() and isinstance(request.node, pytest.Module)
                    and _chromium_wanted_next(request.node, request.session.items)):
                _shared_chromium.stop()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A fresh 360×640 phone-sized browser context (its own storage: nobody is signed in)."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
    page = context.new_page()
    yield page
    context.close()


def open_app(page: Page, url: str | None = None, *, at_sign_in: bool = False) -> None:
    """Load the app (or reload it) and wait until its Thai font has arrived — until then Thai is drawn as boxes,
    and Flutter lays every text out again when it comes, which can swallow a tap made meanwhile — then switch
    on the accessibility tree. `at_sign_in`: the page opens on the sign-in screen, where text will be typed."""
    with page.expect_response(lambda r: r.url.endswith("NotoSansThai.ttf"), timeout=TIMEOUT) as font:
        if url is None:
            page.reload()
        else:
            page.goto(url)
    assert font.value.ok
    # Every page runs the renderer real users get: single-threaded skwasm, as the page is not cross-origin isolated
    # (mobile/server.py::SingleThreadedRenderer; the multi-threaded one froze pages of this suite).
    assert page.evaluate("window.crossOriginIsolated") is False, "the app page is cross-origin isolated"
    if at_sign_in:
        # Flutter's web engine picks how a page edits text once, when the first field takes the keyboard: through
        # a hidden input of its own placed over the field (`.flt-text-editing`) while the accessibility tree is
        # off, else through the tree's own input of the field. The second, when the phone field takes the keyboard
        # by itself (autofocus), lost the typed number in 5 of 9 sign-ins here, and `type_into` waits for the
        # hidden input: a page on which the tree came first failed later, under load, with its focus on the
        # field's own input and no hidden input anywhere. So, as a person's browser does, the phone field gets
        # the keyboard first.
        try:
            page.wait_for_selector("input.flt-text-editing", state="attached", timeout=3 * TIMEOUT)
        except PlaywrightError as error:
            raise AssertionError(
                "the sign-in screen's phone field never took the keyboard by itself (its autofocus), which this "
                f"harness waits for before switching the accessibility tree on: {error}") from None
    enable_semantics(page)


def enable_semantics(page: Page) -> None:
    """Flutter draws on a canvas: switch on its accessibility tree so controls can be found by role/name."""
    # Booting Flutter's engine is the slowest thing here: with three apps starting on two cores it has taken over a
    # minute from a fresh clone. It is still the right thing to wait for, so the wait is long.
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=3 * TIMEOUT)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")



def ask_for_code(page: Page, phone: str) -> str:
    """On the open login screen: type the phone, ask for a code, return the one the dev hint shows."""
    field = page.get_by_role("textbox", name="เบอร์โทรศัพท์")
    expect(field).to_be_visible(timeout=TIMEOUT)
    field.click()
    page.keyboard.type(phone)
    # What the person sees before tapping: the number the code will go to, i.e. the app has the whole number.
    shown = phone if len(phone) != 10 else f"{phone[:3]}-{phone[3:6]}-{phone[6:]}"
    expect(page.get_by_text(f"รหัสจะส่งไปที่ {shown}")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="ขอรหัสยืนยัน").click()
    hint = page.get_by_text("โหมดทดสอบ: รหัสคือ", exact=False).first
    expect(hint).to_be_visible(timeout=TIMEOUT)
    return hint.inner_text().split()[-1]


def open_screen(page: Page, button: Locator, covered: str | re.Pattern[str]) -> None:
    """Tap what opens another screen and wait until it has slid in over the one with the text `covered` (Flutter
    takes the covered screen out of the accessibility tree then). Taps during the slide go nowhere."""
    # `covered` must be a text the screen shows (a field's label or a button's name is not one): a text that was
    # never there is "gone" at once, and the test then went on while the old screen still showed. A job list's
    # "take back" found the list's own card (its name lists what can be done) and tapped it a second time.
    covered_text = page.get_by_text(covered, exact=False)
    expect(covered_text, f"{covered!r} is not a text on the screen open_screen leaves").not_to_have_count(
        0, timeout=TIMEOUT)
    button.click()
    expect(covered_text).to_have_count(0, timeout=TIMEOUT)
    # And until it has loaded what it shows (the fields below a loading row move up when it goes), as a person
    # waits before tapping.
    expect(page.get_by_text("กำลังโหลด", exact=False)).to_have_count(0, timeout=TIMEOUT)


# Below Flutter's app bar (56 px): a control under it is on the page but not where a tap reaches it.
APP_BAR_HEIGHT = 56


def settled(page: Page, target: Locator) -> Locator:
    """Scroll the control into the screen with the mouse wheel, as a person would, and wait until it stays put for
    two looks: a tap made while the page still scrolls lands where the control was. Flutter scrolls its view for the
    wheel; Playwright's scroll-into-view moves only the accessibility tree, which then places the control where the
    screen does not show it (a tap there hit other controls)."""
    size = page.viewport_size or {"width": 390, "height": 844}
    width, height = size["width"], size["height"]
    last: list[object] = [None]
    seen: list[object] = ["never found"]

    def still_and_inside() -> bool:
        try:  # a redraw can replace the control's node: then look again
            box = target.bounding_box(timeout=TIMEOUT / 10)
        except PlaywrightError:
            box = None
        seen[0] = box
        if box is None:
            last[0] = None
            return False
        if box["y"] < APP_BAR_HEIGHT or box["y"] + box["height"] > height:
            page.mouse.move(width / 2, height / 2)
            page.mouse.wheel(0, box["y"] + box["height"] / 2 - height / 2)  # its middle to the screen's middle
            last[0] = None
            return False
        steady = box == last[0]
        last[0] = box
        return steady

    try:
        wait_until(still_and_inside, "the control to settle in view")
    except AssertionError:
        # What the screen showed and where the control was: a settle that never came is otherwise a guess.
        OUTPUT_DIR.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT_DIR / "settle-failed.png")
        raise AssertionError(f"{target} never settled in view: last box {seen[0]} in {width}x{height} "
                             "(screen in test-output/settle-failed.png)") from None
    return target


def type_into(page: Page, label: str, text: str) -> None:
    """Tap a field, wait until a text input has the focus, type, and check what the field holds."""
    field = settled(page, page.get_by_role("textbox", name=label))
    field.click()
    # Flutter types into its own hidden text input, which it puts over the tapped field and focuses: wait until
    # the focused input sits on this field (not on the one tapped before), then type.
    editing = page.locator("input.flt-text-editing:focus, textarea.flt-text-editing:focus")
    try:
        wait_until(lambda: _centre_inside(editing, field), f"the text input to move onto {label!r}")
    except AssertionError as error:
        where = page.evaluate(_WHERE_FOCUS_IS)
        raise AssertionError(f"{error}; the field at {field.bounding_box()}, {where}") from None
    page.keyboard.type(text)
    expect(editing).to_have_value(text, timeout=TIMEOUT)


# Which element has the keyboard, and every text input Flutter made: when the focus never reaches a field.
_WHERE_FOCUS_IS = """() => {
  const say = e => e ? `${e.tagName}.${e.className} id=${e.id} role=${e.dataset.semanticsRole} ` +
                       `at ${JSON.stringify(e.getBoundingClientRect())}` : 'none';
  return `focused: ${say(document.activeElement)}, page focused: ${document.hasFocus()}, text inputs: ` +
    Array.from(document.querySelectorAll('.flt-text-editing'), say).join('; ');
}"""


def _centre_inside(inner: Locator, outer: Locator) -> bool:
    if inner.count() != 1:
        return False
    a, b = inner.bounding_box(), outer.bounding_box()
    if a is None or b is None:
        return False
    x, y = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
    return b["x"] <= x <= b["x"] + b["width"] and b["y"] <= y <= b["y"] + b["height"]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT / 1000) -> None:
    """Poll a condition on what the page shows (for what no expect() assertion exists) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def enter_code(page: Page, code: str) -> None:
    page.get_by_role("textbox", name="รหัสยืนยัน 6 หลัก").click()
    page.keyboard.type(code)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def sign_in(page: Page, app_url: str, phone: str, home_heading: str | None = None) -> None:
    """Open the app at `app_url` (a link works too), sign in with the dev code, and, when given, wait for the home's
    heading."""
    open_app(page, app_url, at_sign_in=True)
    enter_code(page, ask_for_code(page, phone))
    if home_heading is not None:
        expect(page.get_by_role("heading", name=home_heading).first).to_be_visible(timeout=TIMEOUT)


def api_session(api_url: str, phone: str) -> dict[str, Any]:
    """Sign in over the API with the code dev mode answers: tokens and profile, for checks behind the app's back."""
    code = httpx.post(f"{api_url}/auth/otp/request", json={"phone": phone}, timeout=10).json()["dev_code"]
    verified = httpx.post(f"{api_url}/auth/otp/verify", json={"phone": phone, "code": code}, timeout=10)
    assert verified.status_code == 200, verified.text
    body: dict[str, Any] = verified.json()
    return body


@pytest.fixture
def back_in_thai() -> Iterator[Callable[[str, str], None]]:
    """For a test that switches the app of a person other tests sign in too (a seeded phone) to English: the choice
    is stored on their profile (the app tells the backend, which writes to them in their language), and the next test
    to sign them in on a fresh phone found the app in English (tests/e2e/test_request_form.py after
    test_sign_in.py). Each phone named here, `back_in_thai(api_url, phone)`, is set back to Thai when the test ends,
    passed or failed, so no test depends on which ran before it."""
    switched: list[tuple[str, str]] = []
    yield lambda api_url, phone: switched.append((api_url, phone))
    for api_url, phone in switched:
        token = api_session(api_url, phone)["access_token"]
        thai = httpx.patch(f"{api_url}/me", headers={"Authorization": f"Bearer {token}"}, json={"locale": "th"},
                           timeout=10)
        assert thai.status_code == 200, thai.text


def requests_named(api_url: str, phone: str, item: str) -> list[dict[str, Any]]:
    """The citizen's stored requests for `item`, as the API has them."""
    token = api_session(api_url, phone)["access_token"]
    mine = httpx.get(f"{api_url}/requests/mine", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return [r for r in mine.json() if r["item"] == item]


@dataclass
class SplitSystem:
    """The backend and the app as separate processes, so a test can take the backend away and bring it back
    (a phone losing its connection) while the app keeps running."""

    app_url: str
    api_url: str
    backend_port: int
    env: dict[str, str]
    log_path: Path
    app: subprocess.Popen[bytes]
    backend: subprocess.Popen[bytes] | None = None
    # The environment both processes started with: a module that changes `env` (and restarts the backend with it)
    # changes it for itself only (`as_started`).
    started_env: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.started_env:
            self.started_env = dict(self.env)

    def start_backend(self) -> None:
        with self.log_path.open("ab") as log:
            self.backend = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "backend.asgi:app", "--host", "127.0.0.1",
                 "--port", str(self.backend_port), "--http", "backend.http_protocol:FixitHttpProtocol"],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        wait_ready(self.backend, f"{self.api_url}/health", log_path=self.log_path)

    def stop_backend(self) -> None:
        """Gone at once, as in an outage: killed, not shut down politely."""
        if self.backend is not None and self.backend.poll() is None:
            self.backend.kill()
            self.backend.wait(timeout=15)
        self.backend = None

    def start_app(self) -> None:
        with self.log_path.open("ab") as log:
            self.app = subprocess.Popen([sys.executable, "-m", "mobile"], cwd=PROJECT_ROOT, env=self.started_env,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop_app(self) -> None:
        if self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.app.kill()

    def as_started(self) -> None:
        """Both processes up, the backend with the environment the system started with: what a module finds. The
        processes are not started again when nothing changed (starting the pair took 5-10 s on a loaded machine)."""
        if self.env != self.started_env:
            self.stop_backend()
            self.env.clear()
            self.env.update(self.started_env)
        if self.app.poll() is not None:
            self.start_app()
            wait_ready(self.app, self.app_url, log_path=self.log_path)
        if self.backend is None or self.backend.poll() is not None:
            self.start_backend()


@pytest.fixture(scope="session")
def _split_processes(database_url: str) -> Iterator[SplitSystem]:
    backend_port, app_port = free_port(), free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="fixit-split-"))
    api_url = f"http://127.0.0.1:{backend_port}"
    env = {**os.environ, "DATABASE_URL": database_url, "FIXIT_JWT_SECRET": "e2e-" + "s" * 40,
           "FIXIT_DEV_MODE": "true", **E2E_LIMITS,
           "FIXIT_DATA_DIR": str(data_dir), "FIXIT_APP_BACKEND_URL": api_url, "FIXIT_APP_PORT": str(app_port),
           "PYTHONUNBUFFERED": "1"}
    OUTPUT_DIR.mkdir(exist_ok=True)
    log_path = OUTPUT_DIR / "e2e-split.log"
    log_path.write_bytes(b"")
    with log_path.open("ab") as log:
        app = subprocess.Popen([sys.executable, "-m", "mobile"], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    system = SplitSystem(f"http://127.0.0.1:{app_port}/", api_url, backend_port, env, log_path, app,
                         started_env=dict(env))
    try:
        system.start_backend()
        wait_ready(app, system.app_url, log_path=log_path)
        yield system
    finally:
        try:
            system.stop_backend()
        finally:  # never leave an app process behind, whatever happened to the backend
            system.stop_app()
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def split_system(request: pytest.FixtureRequest, _split_processes: SplitSystem) -> SplitSystem:
    """The backend and the app for this module, as freshly started ones would be: running, with the environment
    they started with (a module's own changes, such as a shorter token life, end with it). The processes themselves
    live for the session, on the session's database."""
    _split_processes.as_started()
    with _split_processes.log_path.open("ab") as log:  # where each module's lines begin in the shared log
        log.write(f"--- {_stamp()} {request.node.nodeid} ---\n".encode())
    return _split_processes


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ordinary JPEG (a fan), as a phone would pick it."""
    path = tmp_path_factory.mktemp("photos") / "fan.jpg"
    image = Image.new("RGB", (1200, 900), (30, 90, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return path


def on_screen(page: Page, text: str) -> Locator:
    """A text as it shows on the screen: Flutter also copies a changed live region's text into an off-screen
    announcement for screen readers, which a plain text locator would find a second time."""
    not_announced = page.locator(":not(flt-announcement-polite):not(flt-announcement-assertive)")
    return page.get_by_text(text, exact=False).and_(not_announced)
