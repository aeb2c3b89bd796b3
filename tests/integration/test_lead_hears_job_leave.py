"""The lead a job leaves hears, live, the one change that ends their hold (migration 0056): a teacher takes it back
(offered again, no lead) or gives it to another student. The event says how, and whether they stay on its team as a
helper with the hours they reported (`keep_former_student`), and names nobody; after it they hear nothing more of the
job. Real PostgreSQL, real streams (`GET /events` as the app opens it), each read up to the listener's own
notification sent after the changes (no sleeps). As in test_helper_hears_job.py, `area` comes before `api`."""

from typing import Any

import httpx

from backend.settings import Settings
from mobile.live import parse_stream
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, assigned_to_bee, record_work, step, submit
from tests.integration.test_helper_hears_job import Listener, listening, of


def told(listener: Listener, rid: str) -> list[dict[str, Any]]:
    """Every `request` event of the job the listener heard so far, as the app reads it."""
    return [e.json() for e in parse_stream(listener.wire.decode())
            if e.event == "request" and e.json()["request_id"] == rid]


async def test_a_lead_whose_job_is_given_to_another_student_hears_it_and_nothing_after(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """Before 0056 bee's stream heard nothing of the reassign (the event named cat, the new lead): bee's open job
    screen stood still, and showed a bare "not found" on its next reload. bee reported nothing: not kept."""
    _, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    (bee_id, _), (cat_id, cat_phone) = area.students["bee"], area.students["cat"]
    cat, _ = await sign_in(api, cat_phone)
    async with listening(api, settings, database_url, bee, bee_id) as former, \
            listening(api, settings, database_url, cat, cat_id) as new_lead:
        assert (await step(api, bee, rid, "diagnosing")).status_code == 200
        given = await api.post(f"/requests/{rid}/assign", json={"technician_id": cat_id}, headers=bearer(teacher))
        assert given.status_code == 200, given.text
        assert of(await former.heard(), rid) == ["diagnosing", None]
        assert told(former, rid)[-1] | {"at": None} == {
            "kind": "request", "request_id": rid, "lead_left": "reassigned", "kept": False, "at": None}
        # Closed to bee: the job she was given is another student's now (0058: told only that).
        gone = await api.get(f"/requests/{rid}", headers=bearer(bee))
        assert (gone.status_code, gone.json()["error"]["code"]) == (410, "offer_taken"), gone.text
        # Who has it now, or anyone else on it, never goes over the wire; the new lead hears no such event.
        assert cat_id.encode() not in former.wire and b"former_technician_id" not in former.wire
        await new_lead.heard()
        assert all("lead_left" not in e for e in told(new_lead, rid))

        assert (await step(api, cat, rid, "repairing")).status_code == 200
        assert of(await former.heard(), rid) == []  # the job is cat's: bee hears no more of it
        assert of(await new_lead.heard(), rid) == ["repairing"]


async def test_a_lead_whose_job_the_teacher_takes_back_hears_they_stay_on_its_team_with_their_hours(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """bee reported hours, so the take back keeps them on the round's team as a helper (handed off, 0048): the
    event says so. The team row is written after the lead changes, in the same transaction: the event is made at
    the commit, so it reads it."""
    _, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    bee_id = area.students["bee"][0]
    async with listening(api, settings, database_url, bee, bee_id) as former:
        await record_work(api, bee, rid)  # accepted, not started: a teacher may still take it back
        taken = await step(api, teacher, rid, "offered")
        assert taken.status_code == 200, taken.text
        assert of(await former.heard(), rid) == [None]
        last = told(former, rid)[-1]
        assert (last["lead_left"], last["kept"], "status" in last) == ("taken_back", True, False)
        assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 404


async def test_a_reopen_that_clears_the_lead_is_not_told_as_a_job_taken_from_them(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """The owner's reopen of a handed-back job clears its lead too, but takes nothing from them: no `lead_left`."""
    from tests.integration.dispatch_area import confirm_handover, work_to_quality_check

    citizen, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    bee_id = area.students["bee"][0]
    async with listening(api, settings, database_url, bee, bee_id) as former:
        await work_to_quality_check(api, bee, rid)
        assert (await step(api, teacher, rid, "done")).status_code == 200
        await confirm_handover(api, citizen, rid)
        assert (await step(api, teacher, rid, "handed_back")).status_code == 200
        reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
        assert reopened.status_code == 200, reopened.text
        await former.heard()
        assert all("lead_left" not in e for e in told(former, rid))
