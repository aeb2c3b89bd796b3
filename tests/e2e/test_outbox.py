"""End-to-end: a request sent while the backend is down waits in the outbox and arrives once it is back.

SKIPPED for now: the harness cannot stop the backend while the app keeps running. `run_system` starts
`fixit-backend dev`, which runs the backend and the Flet app in one process tree with one lifetime, and the
app's Python (which makes the HTTP calls, server side) points at that backend's URL. What this test needs
from the harness is one of:
  * a `--backend-url URL` option on `fixit-backend dev` (or FIXIT_BACKEND_URL honoured by the app there) so
    the app can be pointed at a TCP proxy the test controls and can cut and restore; or
  * a `run_system(..., backend_separately=True)` variant returning handles to stop/start the backend alone
    on the same port and database.
With either, the steps below run as written (labels are the app's real ones).
"""

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skip(
        reason="needs the harness to stop/start the backend while the app runs (e.g. `dev --backend-url` "
        "to a test-controlled proxy); see the module docstring"
    ),
]


def test_request_sent_offline_waits_in_the_outbox_and_arrives_once() -> None:
    """Planned steps (with a proxy `cut()` / `restore()` between the app and the backend):

    1. phone_page → app_url; enable_semantics; sign in as the demo citizen (ask_for_code / enter_code).
    2. Tap "แจ้งซ่อม"; fill the form (category, item, map tap, consent).
    3. cut(); tap "ส่งคำขอซ่อม" → the home shows "บันทึกไว้แล้ว จะส่งให้อัตโนมัติเมื่อเชื่อมต่อได้" and a card
       with the item and the chip "รอส่ง".
    4. page.reload() → still signed in, the card with "รอส่ง" is still there (ft.SharedPreferences "fixit.outbox").
    5. restore(); tap "รีเฟรช" (or wait ≤ 30 s) → "รอส่ง" disappears, the request shows with its status.
    6. Check through the API (GET /requests/mine with the citizen's token) that exactly one request exists.
    """
