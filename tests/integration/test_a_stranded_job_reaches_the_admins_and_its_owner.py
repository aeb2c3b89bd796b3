"""A high-risk job in a student's hands whose college's last teacher left (stranded19) waits on the admins and on
nobody else (stranded20): it is on the admins' list of jobs no teacher can decide (GET /admin/undecided), paged and
counted with the others, in their order, until a teacher is back or the job moved; its owner is told once per step
that it waits and why, and their request screen says so, with nothing of the student or the teachers; the clock asks
whether the college has a teacher once per job in hand. Real PostgreSQL, the app's own API client."""

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.notifications.outbox import _STRANDED
from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.models import UndecidedJob
from shared.credit import presence_categories
from shared.text import TEACHER_NEEDED_NEXT_STEP, Locale
from tests.helpers import bearer, sign_in
from tests.integration import test_a_teacher_at_every_hand_over as hand_over
from tests.integration.builders import as_user
from tests.integration.dispatch_area import ADMIN_PHONE, AppClock, _student, record_work, set_active, step
from tests.integration.test_a_job_in_hand_when_the_last_teacher_leaves import _in_hand, _tick
from tests.integration.test_a_teacher_at_every_hand_over import Colleges, _told

colleges = hand_over.colleges  # the fixture: a near and a far college, each with a teacher and a fitting student


def _client(api: Any, token: str) -> ApiClient:
    return ApiClient("http://fixit.test", transport=api._transport, token=token)


async def _whole_list(admin: ApiClient) -> tuple[list[UndecidedJob], set[int]]:
    """The admins' undecided list read a row at a time by the client's cursor: its rows, and the totals each page
    said."""
    rows: list[UndecidedJob] = []
    totals: set[int] = set()
    after: str | None = None
    while True:
        page = await admin.admin_undecided(after, 1)
        rows += page.rows
        totals.add(page.total)
        if page.after is None:
            return rows, totals
        after = page.after


def _set_teacher_active(database_url: str, colleges: Colleges, active: bool) -> None:
    """The near college's only teacher suspended (or restored) by a path that does nothing else."""
    set_active(database_url, colleges.people["teacher"][0], active)


async def test_a_stranded_job_is_on_the_admins_list_among_the_others_a_page_at_a_time(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """Two air-conditioning jobs of the near college's student: one repairing, one accepted. Its only teacher is
    suspended; the student sends the repaired one for its check (a check nobody at the college can make: 0071's
    `no_teacher`), the accepted one cannot go on (`teacher_needed`). Both are on the admins' list, in its order
    (longest waiting first: the accepted one was last changed before the check), every page counting the whole
    list, each row with its reason in the admin's words."""
    api, _ = app_and_clock
    _, token, checked = await _in_hand(api, database_url, colleges, "repairing")
    _, _, stranded = await _in_hand(api, database_url, colleges, "accepted")
    admin = _client(api, (await sign_in(api, ADMIN_PHONE))[0])
    before, _ = await _whole_list(admin)
    assert not {str(j.id) for j in before} & {checked, stranded}  # a teacher is there: nothing waits on the admins
    _set_teacher_active(database_url, colleges, False)
    await record_work(api, token, checked)
    assert (await step(api, token, checked, "quality_check")).status_code == 200

    rows, totals = await _whole_list(admin)
    ids = [str(j.id) for j in rows]
    assert totals == {len(rows)} and len(rows) == len(before) + 2  # every page counted the whole list
    assert len(set(ids)) == len(ids)  # none twice, none skipped
    assert ids.index(stranded) < ids.index(checked)  # the list's order: the longest waiting first
    why = {str(j.id): j for j in rows}
    assert (why[stranded].why, why[stranded].holder_suspended) == ("teacher_needed", False)
    assert why[checked].why == "no_teacher"
    assert why[stranded].college_id == colleges.near
    said = why[stranded].why_text(Locale.TH)
    assert "ต้องมีครูของ" in said and "รับงานคืน" in said
    assert "take it back" in why[stranded].why_text(Locale.EN)


@pytest.mark.parametrize("how", ["teacher_back", "teacher_joins", "taken_back"])
async def test_the_stranded_job_leaves_the_list_when_a_teacher_is_back_or_it_moved(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, how: str) -> None:
    """On the list while it waits; off it as soon as the college has an active teacher again (the one who left
    restored, or a new one) or an admin's take back moved it (on to the far college, whose teacher can be
    present)."""
    api, _ = app_and_clock
    _, _, rid = await _in_hand(api, database_url, colleges, "diagnosing")
    admin_token, _ = await sign_in(api, ADMIN_PHONE)
    admin = _client(api, admin_token)
    _set_teacher_active(database_url, colleges, False)
    assert rid in [str(j.id) for j in (await _whole_list(admin))[0]]
    if how == "teacher_back":
        _set_teacher_active(database_url, colleges, True)
    elif how == "teacher_joins":
        with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
            _student(conn, colleges.near, "ครู มาใหม่", {}, role="supervisor")
    else:
        moved = await step(api, admin_token, rid, "offered", note="ไม่มีครูที่วิทยาลัย")
        assert moved.status_code == 200, moved.text
    rows, totals = await _whole_list(admin)
    assert rid not in [str(j.id) for j in rows] and totals == {len(rows)}


async def test_only_an_admin_reads_the_list(app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """The job's owner and its student are refused the route (403) and read nothing of the list's function; an
    anonymous caller may not call it at all."""
    api, _ = app_and_clock
    citizen, student, rid = await _in_hand(api, database_url, colleges, "accepted")
    _set_teacher_active(database_url, colleges, False)
    for token in (citizen, student):
        refused = await api.get("/admin/undecided", headers=bearer(token))
        assert refused.status_code == 403, refused.text
    listed = "select id::text from public.admin_undecided_jobs(%s::text[])"
    with as_user(database_url, _admin_id(database_url)) as conn:  # the admin reads it, by the same function
        assert rid in [r["id"] for r in conn.execute(listed, [presence_categories()])]
    for person in (colleges.people["student"][0], _owner(database_url, rid)):
        with as_user(database_url, person) as conn:
            assert conn.execute(listed, [presence_categories()]).fetchall() == []
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(listed, [presence_categories()])


def _admin_id(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select id::text from public.profiles where role = 'admin' and is_active "
                           "order by created_at limit 1").fetchone()
    assert row is not None
    return str(row[0])


def _owner(database_url: str, rid: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select citizen_id::text from public.repair_requests where id = %s", [rid]).fetchone()
    assert row is not None
    return str(row[0])


async def test_the_owner_is_told_once_per_step_and_their_screen_says_why(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings) -> None:
    """The job stops at `accepted`: its owner is told once however many turns the clock takes, with the item and
    the college and nothing of the student or the teachers; their request screen's next step says why it waits,
    with no usual wait. A teacher comes back, the job goes on to `diagnosing`, the teacher leaves again: a new step,
    told once more."""
    api, clock = app_and_clock
    citizen, student, rid = await _in_hand(api, database_url, colleges, "accepted")
    owner = _owner(database_url, rid)
    app = _client(api, citizen)
    detail = await app.request_detail(uuid.UUID(rid))
    assert not detail.teacher_needed and detail.next_step != TEACHER_NEEDED_NEXT_STEP.th
    _set_teacher_active(database_url, colleges, False)
    for _ in range(2):
        await _tick(database_url, settings, clock)
    assert _told(database_url, rid, owner).count("job_waits_for_teacher") == 1
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        message = conn.execute(
            "select params, about_id from public.notifications where request_id = %s and recipient_id = %s "
            "and kind = 'job_waits_for_teacher'", [rid, owner]).fetchone()
    assert message is not None and message["about_id"] is None
    assert set(message["params"]) == {"item", "college_th", "college_en"}  # nobody's name, phone or id
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = next(n for n in inbox if n["request_id"] == rid and n["kind"] == "job_waits_for_teacher")
    assert told["link"] == f"/requests/{rid}" and "ครูใกล้" in told["body"], told
    assert "ช่าง" not in told["body"] and "ช่าง" not in told["title"]  # the student's first name is not in it

    detail = await app.request_detail(uuid.UUID(rid))
    assert detail.teacher_needed and detail.next_step == TEACHER_NEEDED_NEXT_STEP.th
    assert detail.expected_wait is None
    # The row form (a write's answer) says the same: the citizen's rating or cancel answers with it.
    raw = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert raw["teacher_needed"] is True and raw["next_step"] == TEACHER_NEEDED_NEXT_STEP.th

    _set_teacher_active(database_url, colleges, True)
    moved = await step(api, student, rid, "diagnosing", teacher_present_id=colleges.people["teacher"][0])
    assert moved.status_code == 200, moved.text
    assert (await app.request_detail(uuid.UUID(rid))).next_step != TEACHER_NEEDED_NEXT_STEP.th
    _set_teacher_active(database_url, colleges, False)
    for _ in range(2):
        await _tick(database_url, settings, clock)
    assert _told(database_url, rid, owner).count("job_waits_for_teacher") == 2


async def test_the_clock_asks_whether_a_college_has_a_teacher_once_per_job_in_hand(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, superuser_url: str) -> None:
    """`_STRANDED` runs on every turn of the clock over every high-risk job in hand: `private.college_has_teacher`
    is called once per such job (it was twice for each job at a college without one: in the select list and in the
    filter), counted by PostgreSQL's own per-transaction function statistics; the messages it writes are the same."""
    api, _ = app_and_clock
    _, _, stranded = await _in_hand(api, database_url, colleges, "diagnosing")
    _set_teacher_active(database_url, colleges, False)
    with psycopg.connect(superuser_url, row_factory=dict_row) as conn:
        conn.execute("set local track_functions = 'all'")
        in_hand = conn.execute(
            """select count(*) as n from public.repair_requests r
               join public.colleges c on c.id = r.college_id
               join public.profiles s on s.id = r.technician_id and s.is_active
               where r.status in ('accepted', 'diagnosing', 'repairing') and r.category_code = any(%s::text[])""",
            [presence_categories()]).fetchone()
        written = conn.execute(_STRANDED, {"presence": presence_categories()}).fetchall()
        calls = conn.execute(
            "select coalesce(pg_stat_get_xact_function_calls("
            "'private.college_has_teacher(uuid)'::regprocedure), 0) as n").fetchone()
        told = conn.execute("select kind::text from public.notifications where request_id = %s "
                            "and dedupe_key like 'stranded:%%' order by kind", [stranded]).fetchall()
        conn.rollback()
    assert in_hand is not None and calls is not None and in_hand["n"] >= 1
    assert calls["n"] == in_hand["n"]
    assert written and [r["kind"] for r in told] == sorted(
        ["job_waits_for_teacher", "teacher_left"] + ["teacher_needed"] * _admins(database_url))


def _admins(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.profiles where role = 'admin' and is_active").fetchone()
    assert row is not None
    return int(row[0])
