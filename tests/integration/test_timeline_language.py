"""System notes on a timeline are codes rendered in the reader's language: a Thai reader meets no English note."""

import re

from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, handed_back_job, submit

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


async def test_a_reopened_and_a_no_centre_request_read_in_thai_and_in_english(
    app_and_clock: AppClock, area: Area
) -> None:
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": ""}, headers=bearer(citizen))
    assert reopened.status_code == 200
    _, waiting = await submit(api, category_code="computer")  # nobody in the area repairs computers
    assert waiting["status"] == "no_centre"

    for detail in (reopened.json(), waiting):
        notes = [e["note"] for e in detail["timeline"] if e["note"]]
        assert notes and not [n for n in notes if LATIN_WORD.search(n)], notes
    codes = [e["note_code"] for e in reopened.json()["timeline"]]
    assert {"assigned", "still_broken", "reopened"} <= set(codes)
    assert waiting["timeline"][-1]["note_code"] == "no_centre"

    # The same timeline for a reader who chose English.
    assert (await api.patch("/me", json={"locale": "en"}, headers=bearer(citizen))).status_code == 200
    english = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    by_code = {e["note_code"]: e["note"] for e in english["timeline"] if e["note_code"]}
    assert by_code["reopened"] == "Reported still broken: back to the same college"
    assert by_code["still_broken"] == "Still broken"
