"""GET /supervisor/dashboard's role check and board in one statement (issue 15: supervisor_dashboard_json): the same
board as the role check followed by college_dashboard_json, and the same refusals in the same order as the route's
`as_caller(SUPERVISOR)` gave: account_suspended, profile_missing, forbidden_role (another role; a supervisor always
has a college, `staff_belong_to_a_college`). Whoever is refused, the statement wrote no board."""

import json
import uuid
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row

from backend.services import requests as reads
from backend.services.profiles import require_role
from shared.roles import AppRole
from shared.wire import CollegeRef
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area, accepted_job, work_to_quality_check

Conn = AsyncConnection[DictRow]


async def _as(database_url: str, user_id: str, now: Any) -> tuple[dict[str, Any] | None, bytes | None, bytes | None]:
    """The one statement's profile and board, and the two statements' board (None where the role check refuses), in
    one transaction as this user, the session's clock in Bangkok."""
    async with (await AsyncConnection.connect(database_url, row_factory=dict_row, autocommit=True) as conn,
                conn.transaction(force_rollback=True)):
        await conn.execute(
            "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true), "
            "set_config('TimeZone', 'Asia/Bangkok', true)",
            [json.dumps({"sub": user_id, "role": "authenticated"})],
        )
        profile, body = await reads.supervisor_dashboard_json(conn, uuid.UUID(user_id), now)
        old = None
        if profile is not None and profile["role"] == "supervisor" and profile["college"] is not None:
            checked = await require_role(conn, uuid.UUID(user_id), AppRole.SUPERVISOR)
            old = await reads.college_dashboard_json(conn, CollegeRef.model_validate(checked["college"]), now)
        return profile, body, old


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == code


async def test_the_board_and_every_refusal_as_before(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, clock = app_and_clock
    _, student, waiting = await accepted_job(api, area)
    await work_to_quality_check(api, student, waiting)
    teacher_id, teacher_phone = area.students["teacher"]
    teacher, _ = await sign_in(api, teacher_phone)

    response = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    profile, body, old = await _as(database_url, teacher_id, clock.now)
    assert response.content == body == old  # the same board, whatever the session's TimeZone
    assert profile is not None and profile["role"] == "supervisor"
    assert profile["college"]["id"] == str(area.near)
    assert waiting in [q["id"] for q in response.json()["quality_check"]]

    # Another role: a student, a citizen, an admin.
    ace_id, ace_phone = area.students["ace"]
    ace, _ = await sign_in(api, ace_phone)
    citizen, citizen_profile = await sign_in(api, fresh_phone())
    admin_id, admin_phone = str(uuid.uuid4()), fresh_phone()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select private.create_phone_user(%s, %s, true)", [admin_id, "66" + admin_phone[1:]])
        conn.execute("update public.profiles set role = 'admin' where id = %s", [admin_id])
    admin, _ = await sign_in(api, admin_phone)
    for token, user_id in ((ace, ace_id), (citizen, citizen_profile["id"]), (admin, admin_id)):
        _refused(await api.get("/supervisor/dashboard", headers=bearer(token)), "forbidden_role")
        profile, body, _ = await _as(database_url, user_id, clock.now)
        assert profile is not None and body is None  # no board written for them

    # The teacher suspended (RLS shows them no profile), then deleted while their token lives.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [teacher_id])
    _refused(await api.get("/supervisor/dashboard", headers=bearer(teacher)), "account_suspended")
    assert (await _as(database_url, teacher_id, clock.now))[:2] == (None, None)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = true where id = %s", [teacher_id])
        conn.execute("delete from auth.users where id = %s", [admin_id])
    _refused(await api.get("/supervisor/dashboard", headers=bearer(admin)), "profile_missing")
    assert (await api.get("/supervisor/dashboard", headers=bearer(teacher))).status_code == 200
