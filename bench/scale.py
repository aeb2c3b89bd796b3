"""Feed and dashboard queries at 20,000 and at 200,000 requests, against a primary-key lookup, as the RLS user.

Run: .venv/bin/python -m bench.scale [--small 20000] [--large 200000] [--repeat 7] [--queue 40] [--explain ROUTE]
Builds the same throwaway database as bench.api (demo seed, 2,000 citizens, `--small` requests; the dashboard's
college with `--queue` jobs waiting for QC at both sizes, spread over its history), records the SQL
each read route's service functions send (the role check included), and runs every statement under
`explain (analyze, buffers)` in a transaction as that route's caller (role `authenticated` with their claims, so RLS
applies), `--repeat` times, taking the median. Then it adds requests up to `--large` (older ones, over the same
people) and measures again. Per route: rows returned, shared buffers touched, execution ms, and both as a ratio to a
primary-key lookup of one request as its citizen. The last line is machine-readable:
``scale: <route>_buffers_ratio=X <route>_per_row=P <route>_ms_ratio=Y <route>_growth=G ...`` at the large size: X
and Y against the primary-key lookup, P the buffers per returned row over the lookup's (a list of 200 rows cannot
cost less than about 200 lookups), G the route's buffer growth (large over small) divided by the growth of the rows
it returns (1.0: grows as fast as what it returns). Targets: P ≤ 5, G ≤ 1. `--explain ROUTE` also prints that
route's plans at both sizes, with the plans inside the functions it calls.
"""

import argparse
import asyncio
import atexit
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.rows import DictRow, dict_row

from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import seed
from backend.services import requests as request_reads
from backend.services.profiles import require_role
from backend.settings import PROJECT_ROOT
from bench.api import People, add_requests, build
from shared.roles import AppRole
from shared.wire import CollegeRef

Conn = AsyncConnection[DictRow]


class Recorder:
    """Stands in for a connection: keeps each statement and its parameters, and runs it for real."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.statements: list[tuple[str, Any]] = []

    async def execute(self, query: str, params: Any = None, binary: bool = False) -> Any:
        self.statements.append((query, params))
        return await self.conn.execute(query, params, binary=binary)


@dataclass(frozen=True)
class Route:
    name: str
    who: uuid.UUID
    work: Callable[[Any], Awaitable[int]]  # runs the route's reads, returns how many rows the route returns


def routes(people: People, now: datetime) -> list[Route]:
    citizen, student, supervisor = people.citizen[0], people.student[0], people.supervisor[0]

    async def pk(conn: Any) -> int:
        await conn.execute("select * from public.repair_requests where id = %s", [people.request_id])
        return 1

    async def mine(conn: Any) -> int:
        await require_role(conn, citizen, AppRole.CITIZEN, AppRole.ADMIN)
        return len(json.loads(await request_reads.citizen_requests_json(conn, citizen)))

    async def offers(conn: Any) -> int:
        await require_role(conn, student, AppRole.TECHNICIAN)
        return len(json.loads(await request_reads.technician_offers_json(conn)))

    async def jobs(conn: Any) -> int:
        await require_role(conn, student, AppRole.TECHNICIAN)
        return len((await request_reads.technician_jobs(conn))[0])

    async def dashboard(conn: Any) -> int:
        await require_role(conn, supervisor, AppRole.SUPERVISOR)
        college = CollegeRef(id=people.college_id, code="bench", name_th="วิทยาลัย", name_en="College")
        board = json.loads(await request_reads.college_dashboard_json(conn, college, now))
        return len(board["counts"]) + len(board["weekly"]) + len(board["quality_check"])

    return [Route("pk", citizen, pk), Route("mine", citizen, mine), Route("offers", student, offers),
            Route("jobs", student, jobs), Route("dashboard", supervisor, dashboard)]


async def _as_user(conn: Conn, who: uuid.UUID) -> None:
    claims = {"sub": str(who), "role": "authenticated", "aud": "authenticated"}
    await conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                       [json.dumps(claims)])


def _buffers(plan: dict[str, Any]) -> int:
    top = plan["Plan"]
    return int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))


async def measure(url: str, route: Route, repeat: int) -> tuple[int, int, float]:
    """(rows the route returns, buffers, execution ms), the last two summed over its statements, medians."""
    async with await AsyncConnection.connect(url, row_factory=dict_row, autocommit=True) as conn:
        async with conn.transaction(force_rollback=True):
            await _as_user(conn, route.who)
            recorder = Recorder(conn)
            rows = await route.work(recorder)
            statements = recorder.statements
        runs: list[tuple[int, float]] = []
        for _ in range(repeat):
            buffers, ms = 0, 0.0
            async with conn.transaction(force_rollback=True):
                await _as_user(conn, route.who)
                cur = AsyncClientCursor(conn, row_factory=dict_row)
                for query, params in statements:
                    await cur.execute("explain (analyze, buffers, format json) " + query, params)
                    row = await cur.fetchone()
                    assert row is not None
                    plan = next(iter(row.values()))[0]
                    buffers += _buffers(plan)
                    ms += float(plan["Execution Time"])
            runs.append((buffers, ms))
    return (rows, int(statistics.median(r[0] for r in runs)), statistics.median(r[1] for r in runs))


async def measure_all(url: str, people: People, repeat: int) -> dict[str, tuple[int, int, float]]:
    now = datetime.now(UTC)
    return {route.name: await measure(url, route, repeat) for route in routes(people, now)}


def keep_quality_check_queue(url: str, college_id: uuid.UUID, size: int, keep: list[uuid.UUID] | None = None
                             ) -> list[uuid.UUID]:
    """The dashboard college's quality-check queue: `size` jobs spread evenly over its history (so most are older
    than its 200 latest requests, which a "latest 200" queue lost: issue 15, correctness 2), or the `keep` jobs
    again; every other job of that college waiting for QC is moved to `done`. The generated data puts a sixth of
    every college's history in QC, a queue no college has: a fixed queue makes the two sizes differ in history
    only."""
    with psycopg.connect(url, autocommit=True) as conn:
        if keep is None:
            keep = [row[0] for row in conn.execute(
                """select id from (
                       select id, row_number() over (order by created_at desc) as n, count(*) over () as total
                       from public.repair_requests where college_id = %s) r
                   where (n - 1) %% greatest(total / %s, 1) = 0 order by n limit %s""",
                [college_id, size, size]).fetchall()]
        conn.execute("update public.repair_requests set status = 'done' "
                     "where college_id = %s and status = 'quality_check' and id <> all(%s)", [college_id, keep])
        conn.execute("update public.repair_requests set status = 'quality_check' "
                     "where id = any(%s) and status <> 'quality_check'", [keep])
        conn.execute("select private.fold_college_status_deltas()")  # as the API's tick does within seconds
        # The fold deletes the deltas of the status changes above: autovacuum clears them within a minute in use (a
        # table of no live rows), but not before this bench reads them, and the dashboard's counts then scanned
        # their dead pages (1 buffer at 20,000 requests, 24 at 200,000: the dashboard's growth 1.33-1.58, session 12).
        conn.execute("vacuum analyze public.repair_requests, private.college_status_deltas")
    return keep


async def explain(url: str, route: Route) -> list[str]:
    """The plans of a route's statements (analyze, buffers), as text, each followed by the plans of the statements
    run inside the functions it calls (auto_explain, nested), which a plain EXPLAIN shows as one Function Scan."""
    conn = await AsyncConnection.connect(url, row_factory=dict_row, autocommit=True)
    lines: list[str] = []
    nested: list[str] = []
    conn.add_notice_handler(lambda notice: nested.append(notice.message_primary or ""))
    async with conn, conn.transaction(force_rollback=True):
        await conn.execute("load 'auto_explain'")  # the bench connects as the superuser that owns the database
        for setting in ("log_min_duration = 0", "log_analyze = on", "log_buffers = on", "log_timing = off",
                        "log_nested_statements = on"):
            await conn.execute(f"set local auto_explain.{setting}")
        await _as_user(conn, route.who)
        recorder = Recorder(conn)
        await route.work(recorder)
        cur = AsyncClientCursor(conn, row_factory=dict_row)
        await cur.execute("set local client_min_messages = log")
        for query, params in recorder.statements:
            nested.clear()
            await cur.execute("explain (analyze, buffers, costs off, timing off) " + query, params)
            lines += [next(iter(row.values())) for row in await cur.fetchall()]
            lines += ["", *(f"  nested: {line}" for text in nested if "Query Text: explain" not in text
                            for line in text.splitlines()), ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--queue", type=int, default=40, help="jobs waiting for QC at the dashboard's college")
    parser.add_argument("--explain", action="append", default=[], metavar="ROUTE",
                        help="also print this route's plans at both sizes (repeatable)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fixit-scale-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
    migrate(pg.url)
    seed(pg.url, PROJECT_ROOT / "assets" / "seed", demo=True)
    started = time.perf_counter()
    people = build(pg.url, args.small)
    print(f"built {args.small:,} requests in {time.perf_counter() - started:.0f} s")
    queue = keep_quality_check_queue(pg.url, people.college_id, args.queue)
    small = asyncio.run(measure_all(pg.url, people, args.repeat))
    _print_plans(pg.url, people, args.explain, args.small)
    started = time.perf_counter()
    with psycopg.connect(pg.url, autocommit=True) as conn:
        add_requests(conn, args.large - args.small, offset=args.small)
        conn.execute("vacuum analyze")
    keep_quality_check_queue(pg.url, people.college_id, args.queue, queue)
    print(f"added up to {args.large:,} requests in {time.perf_counter() - started:.0f} s")
    large = asyncio.run(measure_all(pg.url, people, args.repeat))
    _print_plans(pg.url, people, args.explain, args.large)

    header = (f"{'route':>10} {'size':>8} {'rows':>6} {'buffers':>8} {'ms':>7} {'buf/pk':>7} {'ms/pk':>6} "
              f"{'buf/row/pk':>10}")
    print(header)
    summary = []
    for name in small:
        for size, figures in ((args.small, small), (args.large, large)):
            rows, buffers, ms = figures[name]
            pk_buffers, pk_ms = figures["pk"][1], figures["pk"][2]
            print(f"{name:>10} {size:>8,} {rows:>6} {buffers:>8} {ms:>7.3f} {buffers / pk_buffers:>7.1f} "
                  f"{ms / pk_ms:>6.1f} {buffers / max(rows, 1) / pk_buffers:>10.2f}")
        if name == "pk":
            continue
        rows_growth = max(large[name][0], 1) / max(small[name][0], 1)
        buffer_growth = large[name][1] / max(small[name][1], 1)
        per_row = large[name][1] / max(large[name][0], 1) / large["pk"][1]
        summary.append(f"{name}_buffers_ratio={large[name][1] / large['pk'][1]:.1f} {name}_per_row={per_row:.2f} "
                       f"{name}_ms_ratio={large[name][2] / large['pk'][2]:.1f} "
                       f"{name}_growth={buffer_growth / rows_growth:.2f}")
    print("scale: " + " ".join(summary))


def _print_plans(url: str, people: People, names: list[str], size: int) -> None:
    for route in routes(people, datetime.now(UTC)):
        if route.name in names:
            print(f"--- {route.name} at {size:,} requests")
            print("\n".join(asyncio.run(explain(url, route))))


if __name__ == "__main__":
    main()
