"""Two backend processes on one database, as behind a load balancer: a request submitted through one is heard
live by a user connected to the other (LISTEN/NOTIFY carries it between them)."""

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.settings import PROJECT_ROOT
from tests.e2e.conftest import E2E_LIMITS, OUTPUT_DIR, api_session, free_port, wait_ready


@pytest.fixture(scope="module")
def two_backends(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = {**os.environ, "DATABASE_URL": database_url, "FIXIT_JWT_SECRET": "multi-" + "s" * 40,
           "FIXIT_DEV_MODE": "true", **E2E_LIMITS,
           "FIXIT_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    OUTPUT_DIR.mkdir(exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log: Path = OUTPUT_DIR / f"e2e-backend-{name}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "backend.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
                    cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )
            procs.append(proc)
            url = f"http://127.0.0.1:{port}"
            wait_ready(proc, f"{url}/health", log_path=log)
            urls.append(url)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)


def test_an_event_crosses_processes(two_backends: tuple[str, str]) -> None:
    a, b = two_backends
    phone = "0655500041"
    # Signed in through A, listening on B: the backend keeps no session, any copy accepts the token.
    token = api_session(a, phone)["access_token"]
    body = {"idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": "กาต้มน้ำ",
            "description": "น้ำไม่เดือด", "lat": 13.9133, "lon": 100.5895, "contact_phone": phone,
            "pdpa_consent": True}

    answers: list[int] = []

    def submit_through_a() -> None:
        time.sleep(0.5)
        answers.append(httpx.post(f"{a}/requests", json=body, headers={"Authorization": f"Bearer {token}"},
                                  timeout=10).status_code)

    statuses = []
    with httpx.stream("GET", f"{b}/events", headers={"Authorization": f"Bearer {token}"},
                      timeout=httpx.Timeout(10, read=10)) as stream:
        submitter = threading.Thread(target=submit_through_a, daemon=True)
        submitter.start()
        for line in stream.iter_lines():
            if line.startswith("data: "):
                statuses.append(line)
            if len(statuses) == 2:
                break
    submitter.join(timeout=30)
    assert answers == [201]
    assert '"submitted"' in statuses[0] and '"offered"' in statuses[1]
