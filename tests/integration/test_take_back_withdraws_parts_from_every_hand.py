"""A take back from any status in which a part can be proposed (shared.statuses.WORK_EDITABLE) withdraws the former
student's parts that wait for the citizen's answer (audit20 #3, migration 0090): taken back from `accepted`, before
the work began, as from a job under way (0073). The citizen is told once, with how many; a part already answered
keeps its answer. Real PostgreSQL, through the app's routes (the take back's own case: test_audit20_findings)."""

from datetime import UTC, datetime

import httpx
import psycopg
from psycopg.rows import dict_row

from shared.notifications import Kind, render
from shared.statuses import WORK_EDITABLE, RequestStatus
from shared.text import Locale
from tests.helpers import bearer
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    kinds_told,
    last_notification,
    request_status,
    step,
)


def test_the_databases_work_editable_is_shareds(database_url: str) -> None:
    """The take back's withdrawal is the database's (a trigger), so the set is written in SQL too: kept equal here."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.work_editable()::text[]").fetchone()
    assert row is not None
    assert {RequestStatus(s) for s in row[0]} == WORK_EDITABLE and len(row[0]) == len(WORK_EDITABLE)


async def _propose(api: httpx.AsyncClient, student: str, rid: str, name: str) -> str:
    proposed = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 1, "price_baht": 120},
                                 headers=bearer(student))
    assert proposed.status_code == 201, proposed.text
    return str(proposed.json()["id"])


async def test_a_take_back_from_accepted_withdraws_every_waiting_part_in_one_message_and_keeps_an_answered_one(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee proposes three parts before starting; the citizen approves one. The teacher takes the job back from
    `accepted`: the two waiting are withdrawn, the approved one stays approved, and the citizen reads one message
    saying two were withdrawn (the text of shared.notifications.PartWithdrawnBy.TAKEN_BACK, in both languages)."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    parts = [await _propose(api, bee, rid, name) for name in ("ฟิวส์", "สายไฟ", "ปลั๊ก")]
    approved = await api.post(f"/requests/{rid}/parts/{parts[0]}/decision", json={"approve": True},
                              headers=bearer(citizen))
    assert approved.status_code == 200, approved.text
    before = last_notification(database_url)
    assert (await step(api, teacher, rid, "offered", note="บีไม่ว่าง")).status_code == 200

    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        statuses = conn.execute("select id::text, status::text from public.job_parts where request_id = %s",
                                [rid]).fetchall()
        told = conn.execute("select n.kind::text as kind, n.params from public.notifications n "
                            "join public.repair_requests r on r.id = n.request_id and n.recipient_id = r.citizen_id "
                            "where n.request_id = %s and n.id > %s order by n.id", [rid, before]).fetchall()
    assert {s["id"]: s["status"] for s in statuses} == {
        parts[0]: "approved", parts[1]: "withdrawn", parts[2]: "withdrawn"}
    assert [(t["kind"], t["params"]["by"], t["params"]["count"]) for t in told] == [("part_withdrawn", "taken_back", 2)]
    now = datetime.now(UTC)
    th = render(Kind.PART_WITHDRAWN, told[0]["params"], Locale.TH, now, 690001)
    en = render(Kind.PART_WITHDRAWN, told[0]["params"], Locale.EN, now, 690001)
    assert "2 รายการ" in th.body and "FX-690001" in th.title and "{" not in th.body + th.title
    assert "The 2 parts the former student proposed" in en.body and "were withdrawn" in en.body, en.body


async def test_a_take_back_from_accepted_with_no_waiting_part_tells_the_citizen_nothing_new(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Nothing was done and nothing waits for the citizen: the take back from `accepted` tells them nothing (as
    before 0090; a take back of a job under way tells them `job_taken_back`)."""
    api, _ = app_and_clock
    _, teacher, _, rid = await assigned_by_teacher(api, area, "bee")
    before = last_notification(database_url)
    assert (await step(api, teacher, rid, "offered", note="บีไม่ว่าง")).status_code == 200
    assert request_status(database_url, rid) in ("offered", "no_centre")
    assert "part_withdrawn" not in kinds_told(database_url, rid, role="citizen", since_id=before)
    assert "job_taken_back" not in kinds_told(database_url, rid, role="citizen", since_id=before)


async def test_a_take_back_from_diagnosing_still_says_it_in_the_take_backs_message(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """0073's case unchanged: under way, the one message is `job_taken_back` with the count of parts withdrawn."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    part = await _propose(api, bee, rid, "ฟิวส์")
    before = last_notification(database_url)
    assert (await step(api, teacher, rid, "offered", note="บีไม่ว่าง")).status_code == 200
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text from public.job_parts where id = %s", [part]).fetchone()
        params = conn.execute("select n.params from public.notifications n where n.request_id = %s and n.id > %s "
                              "and n.kind = 'job_taken_back'", [rid, before]).fetchall()
    assert row == ("withdrawn",)
    assert [p[0]["parts_withdrawn"] for p in params] == [1]
    assert "part_withdrawn" not in kinds_told(database_url, rid, role="citizen", since_id=before)
