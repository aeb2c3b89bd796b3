"""review28b on a real PostgreSQL: notify28's merge (migration 0127) read as a skeptic.

2. 0127's holder-change trigger closes the deciders' `holder_suspended` ask as 'left' when the job's holder is set
   to nobody with its status kept (the SQL editor, Supabase's dashboard, seed.remove_demo_accounts): the job is then
   in hand with no student on it, and listed nowhere (`private.undecided_jobs` and the college's queue look for a
   suspended holder), so the closed ask ("the job has moved on, nothing left to do") was the last thing that pointed
   the teacher at it. Before 0127 the ask stayed open. Nobody took it on: the decision still waits; fixed by 0129
   (only a new holder closes it)."""

import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.services import account
from shared.roles import AppRole
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher
from tests.integration.wall_clock import wall


async def _suspend(pool: AsyncConnectionPool[Any], person: str) -> None:
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(person), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())


async def test_a_job_left_with_no_holder_still_asks_its_deciders(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    rid = (await assigned_by_teacher(api, area, "ace"))[3]
    await _suspend(pool, area.students["ace"][0])
    with psycopg.connect(database_url, autocommit=True) as editor:
        editor.execute("update public.repair_requests set technician_id = null where id = %s", [rid])
        status = editor.execute("select status from public.repair_requests where id = %s", [rid]).fetchone()
        asks = editor.execute("""select recipient_id, params ->> 'closed' from public.notifications
                                 where request_id = %s and kind = 'holder_suspended'""", [rid]).fetchall()
    assert status == ("accepted",)  # in hand, nobody on it
    assert asks == [(uuid.UUID(area.students["teacher"][0]), None)]
    with psycopg.connect(database_url, autocommit=True) as editor:  # then given to bee: that ends the ask
        editor.execute("update public.repair_requests set technician_id = %s where id = %s",
                       [area.students["bee"][0], rid])
        asks = editor.execute("""select params ->> 'closed' from public.notifications
                                 where request_id = %s and kind = 'holder_suspended'""", [rid]).fetchall()
    assert asks == [("reassigned",)]
