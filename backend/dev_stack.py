"""`./fixit run`: the whole system on one machine — embedded database, demo data, backend and web app."""

import os
import secrets
import signal
import subprocess
import sys
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import httpx

from backend.settings import Settings


def dev_jwt_secret(data_dir: Path) -> str:
    """A per-checkout secret kept under .data/, so tokens survive restarts but never leave the machine."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@dataclass
class DevProcesses:
    backend: subprocess.Popen[bytes]
    app: subprocess.Popen[bytes]

    def all(self) -> list[subprocess.Popen[bytes]]:
        return [self.backend, self.app]

    def stop(self) -> None:
        for proc in self.all():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.all():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()


def start_processes(settings: Settings, database_url: str, jwt_secret: str, backend_port: int, app_port: int,
                    host: str = "127.0.0.1") -> DevProcesses:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FIXIT_JWT_SECRET": jwt_secret,
        "FIXIT_AUTH_MODE": settings.auth_mode.value,
        # The one place development mode is switched on: code hints, codes in the log, readable log lines.
        "FIXIT_DEV_MODE": "true",
        "FIXIT_LOG_FORMAT": "text",
        "FIXIT_APP_BACKEND_URL": f"http://{host}:{backend_port}",
        "FIXIT_PUBLIC_URL": f"http://{host}:{backend_port}",  # the portfolio PDF's verify link
        "FIXIT_APP_HOST": host,
        "FIXIT_APP_PORT": str(app_port),
        "PYTHONUNBUFFERED": "1",
    }
    backend = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "backend.asgi:app", "--host", host, "--port", str(backend_port),
         "--no-access-log", "--timeout-graceful-shutdown", "5",  # open SSE streams must not block Ctrl-C
         "--http", "backend.http_protocol:FixitHttpProtocol"],  # as `serve` runs it
        env=env,
    )
    app = subprocess.Popen([sys.executable, "-m", "mobile"], env=env)
    return DevProcesses(backend=backend, app=app)


def wait_until_up(url: str, procs: DevProcesses, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs.all():
            if proc.poll() is not None:
                raise RuntimeError(f"a process exited early ({proc.args!r}, code {proc.returncode})")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def open_browser(url: str) -> None:
    # Only where a person could see it: CI and SSH sessions have no display.
    if os.environ.get("DISPLAY") or sys.platform in ("darwin", "win32"):
        webbrowser.open(url)
