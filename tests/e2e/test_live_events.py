"""Server-Sent Events over real HTTP from the running backend (uvicorn, as `./fixit run` starts it)."""

import threading
import time
import uuid

import httpx

from tests.e2e.conftest import RunningSystem, api_session


def test_a_citizen_hears_their_request_move(system: RunningSystem) -> None:
    token = api_session(system.api_url, "0655500002")["access_token"]
    body = {"idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": "เตารีด",
            "description": "ไม่ร้อนเลย", "lat": 13.9133, "lon": 100.5895, "contact_phone": "0655500002",
            "pdpa_consent": True}

    answers: list[int] = []

    def submit_soon() -> None:
        time.sleep(0.5)
        answers.append(httpx.post(f"{system.api_url}/requests", json=body,
                                  headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code)

    events: list[str] = []
    with httpx.stream("GET", f"{system.api_url}/events", headers={"Authorization": f"Bearer {token}"},
                      timeout=httpx.Timeout(10, read=10)) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        submitter = threading.Thread(target=submit_soon, daemon=True)
        submitter.start()
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(line)
            if len(events) == 2:
                break
    submitter.join(timeout=30)
    assert answers == [201]
    assert '"status": "submitted"' in events[0] and '"status": "offered"' in events[1]
    assert httpx.get(f"{system.api_url}/health", timeout=10).json()["live_events"] is True
