"""The web app's server names no visitor in its log (audit18b).

The API writes no access log unless FIXIT_ACCESS_LOG=true, "it would name every caller's address" (backend/
settings.py, README's logs row). The web app's server (mobile/server.py::web_server) was uvicorn with its default
access log on and none of the API's log set-up: every page load, asset and websocket of every citizen was a line with
their IP address and port, kept wherever the operator keeps the app's output (personal data under the PDPA, kept
with no purpose). The served app as the operator runs it (`python -m mobile`), on a real socket: a page load and an
app session's websocket, then everything the process wrote."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from websockets.sync.client import connect

LISTENING = "fixit-test-listening"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _visit(tmp_path: Path, **env: str) -> tuple[str, list[str]]:
    """Starts the web app, loads its page and opens an app session's websocket as a browser does, stops it as
    an operator does: (everything the process wrote, the visitors' addresses)."""
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FIXIT_", "FLET_"))}
    clean.update(FIXIT_APP_HOST="127.0.0.1", FIXIT_APP_PORT=str(port), FLET_DISPLAY_URL_PREFIX=LISTENING,
                 FLET_SECRET_KEY="unit-" + "k" * 32, PYTHONUNBUFFERED="1", TMPDIR=str(tmp_path), **env)
    written: list[str] = []
    visitors: list[str] = []
    with subprocess.Popen([sys.executable, "-m", "mobile"], cwd=tmp_path, env=clean, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as server:
        assert server.stdout is not None
        try:
            while not (line := server.stdout.readline()).startswith(LISTENING):  # the socket is listening
                assert line, f"the web app ended before it listened: {''.join(written)}"
                written.append(line)
            with httpx.Client() as browser:
                page = browser.get(f"http://127.0.0.1:{port}/")
                assert page.status_code == 200
                visitors.append(f"127.0.0.1:{page.extensions['network_stream'].get_extra_info('client_addr')[1]}")
            with connect(f"ws://127.0.0.1:{port}/ws") as session:
                visitors.append(f"127.0.0.1:{session.local_address[1]}")
        finally:
            server.terminate()
            # Then uvicorn waits for the ended session's background task (tests/e2e/conftest.py's stop_app gives it
            # 15 s, then kills it): everything it wrote for the visits is out by then.
            while (line := server.stdout.readline()) and "Waiting for background tasks" not in line:
                written.append(line)
            written.append(line)
            server.kill()
            written.append(server.stdout.read())
    return "".join(written), visitors


def test_the_web_app_server_names_no_visitors_address_in_its_log(tmp_path: Path) -> None:
    log, visitors = _visit(tmp_path)
    assert "startup complete" in log, log  # what the server wrote was read
    assert not [v for v in visitors if v in log], log
    assert "GET / " not in log and "WebSocket" not in log, log  # no access log unless asked


def test_an_access_log_asked_for_is_the_apis_and_names_nobody(tmp_path: Path) -> None:
    log, visitors = _visit(tmp_path, FIXIT_ACCESS_LOG="true")
    assert not [v for v in visitors if v in log], log
    # The API's JSON lines (FIXIT_LOG_FORMAT's default), the access line without the address.
    assert '"logger": "uvicorn.access"' in log and '"msg": "GET / 200"' in log, log
    assert 'WebSocket /ws\\" [accepted]' in log, log  # the session's line too, its address left out
