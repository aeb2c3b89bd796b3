"""The API as `serve` runs it (uvicorn workers, no access log), started for a bench and stopped after it; or another
ASGI app on the same server stack (bench.http_floor)."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
# What `serve` runs (backend/cli.py): head and body of a response in one write, on httptools and uvloop.
SERVE_HTTP = "backend.http_protocol:FixitHttpProtocol"


@contextmanager
def served_api(port: int, workers: int, env: dict[str, str],
               app: str = "backend.asgi:app") -> Iterator[subprocess.Popen[bytes]]:
    """Yields the server process once `/health` answers; exits the bench if it never does. Stopped with SIGINT
    (open streams get uvicorn's graceful shutdown), killed after 15 s."""
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--log-level", "warning", "--http", SERVE_HTTP, "--loop", "auto"],
        cwd=PROJECT_ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the API did not start")
            time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
