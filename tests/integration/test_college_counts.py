"""The dashboard's counts by status come from running totals (migration 0027), not from the college's whole history:
they must equal what the requests say after every kind of change, folded into the totals or not, and two folds at
once (two backend copies' ticks) must neither deadlock nor count a change twice."""

import asyncio
import uuid
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.integration.builders import as_user
from tests.integration.dispatch_area import AppClock, Area, submit

_FOLD = "select private.fold_college_status_deltas()"


def truth(owner: psycopg.Connection[dict[str, object]], college: uuid.UUID) -> dict[str, int]:
    rows = owner.execute("select status::text as status, count(*)::int as n from public.repair_requests "
                         "where college_id = %s group by status", [college]).fetchall()
    return {str(r["status"]): int(str(r["n"])) for r in rows}


def shown(database_url: str, teacher: str, college: uuid.UUID) -> dict[str, int] | None:
    """The counts as the dashboard reads them, as the college's teacher (None: no figures for her)."""
    with as_user(database_url, teacher) as conn:
        row = conn.execute("select counts from public.college_figures(%s, %s)", [college, datetime.now(UTC)]).fetchone()
        return None if row is None else {str(k): int(v) for k, v in dict(row["counts"]).items()}


async def test_counts_follow_every_change_folded_or_not(app_and_clock: AppClock, area: Area,
                                                        database_url: str) -> None:
    api, _ = app_and_clock
    teacher = area.students["teacher"][0]
    ids = [(await submit(api))[1]["id"] for _ in range(4)]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as owner:
        assert shown(database_url, teacher, area.near) == truth(owner, area.near) != {}
        owner.execute(_FOLD)
        assert shown(database_url, teacher, area.near) == truth(owner, area.near)
        # Status moves, a move to another college, a change that is neither, and a deletion: each before a fold.
        owner.execute("update public.repair_requests set status = 'quality_check', college_id = %s where id = %s",
                      [area.near, ids[0]])
        owner.execute("update public.repair_requests set college_id = %s where id = %s", [area.far, ids[1]])
        owner.execute("update public.repair_requests set item = item || ' (แก้)' where id = %s", [ids[2]])
        before = truth(owner, area.near)
        assert shown(database_url, teacher, area.near) == before
        owner.execute(_FOLD)
        owner.execute("delete from public.repair_requests where id = %s", [ids[3]])
        after = truth(owner, area.near)
        assert sum(after.values()) == sum(before.values()) - 1
        assert shown(database_url, teacher, area.near) == after
        # Several requests in one statement (the statement trigger counts them all).
        owner.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, college_id)
               select citizen_id, gen_random_uuid(), category_code, item, description, lat, lon, contact_phone,
                   now(), 'done', %s
               from public.repair_requests where id = any(%s::uuid[])""",
            [area.near, ids[:3]],
        )
        owner.execute(_FOLD)
        assert shown(database_url, teacher, area.near) == truth(owner, area.near)
        assert shown(database_url, teacher, area.far) is None  # not her college: no figures at all
        # Folded completely: nothing is left to add up on a read.
        assert owner.execute("select count(*) as n from private.college_status_deltas").fetchone() == {"n": 0}


async def test_two_folds_at_once_while_jobs_move(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher = area.students["teacher"][0]
    ids = [(await submit(api))[1]["id"] for _ in range(6)]

    async def mover(rounds: int) -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            for i in range(rounds):
                status = "repairing" if i % 2 else "quality_check"
                await conn.execute("update public.repair_requests set status = %s, college_id = %s "
                                   "where id = any(%s::uuid[])", [status, area.near, ids])

    async def folder(rounds: int) -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            for _ in range(rounds):
                await conn.execute(_FOLD)

    await asyncio.gather(mover(40), folder(40), folder(40))  # a deadlock would raise here
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as owner:
        assert shown(database_url, teacher, area.near) == truth(owner, area.near)
        owner.execute(_FOLD)
        assert shown(database_url, teacher, area.near) == truth(owner, area.near)


async def test_the_tick_folds_the_changes(app_and_clock: AppClock, area: Area, database_url: str,
                                          settings: Settings) -> None:
    api, clock = app_and_clock
    await submit(api)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as owner:
        assert owner.execute("select count(*) as n from private.college_status_deltas").fetchone() != {"n": 0}
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, clock.now)  # type: ignore[arg-type]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as owner:
        assert owner.execute("select count(*) as n from private.college_status_deltas").fetchone() == {"n": 0}
        assert shown(database_url, area.students["teacher"][0], area.near) == truth(owner, area.near)
