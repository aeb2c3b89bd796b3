"""The API as `serve` runs it (uvicorn workers, no access log), started for a bench and stopped after it; or another
ASGI app on the same server stack (bench.http_floor); or either under granian instead, to compare the two servers
(`--server granian`: same workers, no access log, uvloop)."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
# What `serve` runs (backend/cli.py): head and body of a response in one write, on httptools and uvloop.
SERVE_HTTP = "backend.http_protocol:FixitHttpProtocol"
Server = Literal["uvicorn", "granian"]
SERVERS: tuple[Server, ...] = ("uvicorn", "granian")


def server_command(server: Server, app: str, port: int, workers: int) -> list[str]:
    """The command line that serves `app` on 127.0.0.1:`port`. granian gets what uvicorn has here: the ASGI interface
    (its default is its own RSGI), uvloop (what uvicorn's "auto" picks when installed), one runtime thread per
    worker (its default), no access log; granian has no pluggable HTTP protocol, and writes a response its own way."""
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--loop", "uvloop", "--no-access-log", "--log-level", "warning", app]
    return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning", "--http", SERVE_HTTP, "--loop", "auto"]


CLOCK_APART_SECONDS = 24 * 3600  # the served copies' SLA clock period in the benches: beyond any bench's length


@contextmanager
def served_api(port: int, workers: int, env: dict[str, str], app: str = "backend.asgi:app",
               server: Server = "uvicorn") -> Iterator[subprocess.Popen[bytes]]:
    """Yields the server process once `/health` answers; exits the bench if it never does. Stopped with SIGINT
    (open streams get the server's graceful shutdown), killed after 15 s."""
    process = subprocess.Popen(server_command(server, app, port, workers), cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                sys.exit(f"the API did not start under {server}")
            time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
