"""review27c #3: a roster import that moves students hands their offers' jobs on row by row; its request locks must
come in the one order the rule in backend/services/dispatch.py names (the profiles, then the requests by id), or a
writer taking the same requests by id (a citizen's suspension: their profile, then their open requests by id) and
the import each hold one and wait for the other. Real PostgreSQL, the import through its route; the waits are seen
in pg_stat_activity, no sleeps."""

import asyncio
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.services import account
from shared.roles import AppRole
from tests.helpers import bearer, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, AppClock, Area, offers_of, submit
from tests.integration.lock_waits import until_waiting
from tests.integration.wall_clock import wall

SEED_ADMIN = "084-444-4444"


async def test_an_import_moving_students_and_their_citizens_suspension_do_not_deadlock(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """One citizen's two jobs, LOW and HIGH (by id), each waiting for one student's answer: the student first in the
    file's phone order holds HIGH's offer, the next LOW's. An admin's import moves both to the far college. A third
    writer holds HIGH a moment, so the import waits there; the citizen's suspension then takes LOW and waits for
    HIGH. Once let go, an import that locks row by row takes HIGH and then wants LOW (a deadlock, one of the two
    refused); one that locks every offered job by id first holds LOW already and the suspension waits for it."""
    api, _ = app_and_clock
    token, first = await submit(api)
    second = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert second.status_code == 201, second.text
    low, high = sorted([first["id"], second.json()["id"]], key=uuid.UUID)
    offered = {row["technician_id"] for row in offers_of(database_url, low) if row["status"] == "pending"}
    offered &= {row["technician_id"] for row in offers_of(database_url, high) if row["status"] == "pending"}
    names = sorted((name for name, (sid, _) in area.students.items() if uuid.UUID(str(sid)) in
                    {uuid.UUID(str(o)) for o in offered}), key=lambda name: area.students[name][1])
    assert len(names) >= 2, names
    first_in_file, next_in_file = names[0], names[1]
    keep = {high: area.students[first_in_file][0], low: area.students[next_in_file][0]}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for rid, student in keep.items():
            conn.execute("""update public.offers set status = 'declined', responded_at = now()
                            where request_id = %s and status = 'pending' and technician_id <> %s""", [rid, student])
        citizen = conn.execute("select citizen_id from public.repair_requests where id = %s", [low]).fetchone()
    assert citizen is not None
    admin, _ = await sign_in(api, SEED_ADMIN)
    csv = "phone,name,skills\n" + "".join(
        f"{area.students[name][1]},{name.title()},electrical_appliance:3\n" for name in (next_in_file, first_in_file))

    async def suspend_citizen() -> account.Suspended:
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("select set_config('fixit.actor', 'operator', true)")
            return await account.suspend(conn, citizen[0], AppRole.CITIZEN, "ทดสอบ", *wall())

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [high])
        importing = asyncio.create_task(api.post(
            f"/colleges/{area.far}/students/import", headers=bearer(admin),
            files={"file": ("students.csv", csv.encode(), "text/csv")}))
        await until_waiting(database_url, 1, importing)
        suspending = asyncio.create_task(suspend_citizen())
        await until_waiting(database_url, 2, importing, suspending)
        await holder.rollback()
        imported = await importing
        suspended = (await asyncio.gather(suspending, return_exceptions=True))[0]
    assert imported.status_code == 200, imported.text
    assert not isinstance(suspended, BaseException), repr(suspended)
    with psycopg.connect(database_url) as conn:
        moved = conn.execute("select count(*) from public.profiles where id = any(%s) and college_id = %s",
                             [list(keep.values()), area.far]).fetchone()
    assert moved is not None and moved[0] == 2
