"""Read endpoints under load: `serve`-like uvicorn workers vs the same SQL run directly from Python.

Run: .venv/bin/python -m bench.api [--requests 20000] [--seconds 8] [--rounds 2] [--clients 10] [--workers 2]
[--server uvicorn] [--only health,mine]
Needs wrk (Debian: `apt-get install wrk`). Builds a throwaway embedded PostgreSQL with the demo seed plus
--requests repair requests of 2,000 citizens spread over the demo colleges, starts uvicorn with --workers
processes, and for each endpoint runs wrk (--clients connections) and then the same database work in-process
(the route's service functions, each call one transaction as the caller, --clients at once), --rounds times in
turn, each figure the mean of its rounds: one 8-second window apart, PostgreSQL's CPU a request spread about 15 %
from window to window on the quiet machine (session 23), enough to move a ratio across 0.8. The last line is
machine-readable: ``api: <endpoint>_rps=X <endpoint>_ratio=R ...`` (R: the API's throughput over the direct SQL's).

With `--http-floor` (the default) each endpoint is also served by bench.http_floor, a bare ASGI app on the same
uvicorn stack doing the same SQL and nothing else: ``<endpoint>_floor_sql_ratio`` is that floor's throughput over the
direct SQL's (what a Python HTTP server costs by itself), ``<endpoint>_floor_ratio`` the API's over the floor's.

Beside each side's own CPU a request, the bench reads PostgreSQL's (its server processes, from /proc) and wrk's (the
load generator runs on the same cores): ``<endpoint>_pg_cpu_ms``, ``<endpoint>_wrk_cpu_ms``,
``<endpoint>_direct_pg_cpu_ms`` and, for the floor, ``<endpoint>_floor_pg_cpu_ms`` and ``<endpoint>_floor_wrk_cpu_ms``.
``<endpoint>_cpu_bound_ratio`` is the direct side's whole CPU a call (Python and PostgreSQL) over the API's whole CPU
a request (its workers, PostgreSQL and wrk), ``<endpoint>_floor_cpu_bound_ratio`` the same against the floor: the
throughput ratio a machine whose cores are the bound tends to, whatever else runs beside the bench.

The served copies' SLA clock (backend/dispatch_ticks.py, a turn every 30 s in each copy) does not turn while the bench
measures (`served_env`): a turn is background work on the whole database, not a request's, and one landing in an
endpoint's 8-second window was counted as that endpoint's PostgreSQL CPU (session 23 found much of the dashboard's
"extra half millisecond" a request to be turns: pg_stat_statements showed the clock's statements in whichever
window, the API's or the floor's, had the extra CPU, 0.1-0.3 ms a request of it). The clock is timed on its own
instead, on the same data before the servers start: ``clock_turn_ms`` (a turn's wall time, the median of three)
and ``clock_turn_pg_cpu_ms`` (PostgreSQL's CPU a turn).

With `--server granian` the API and the floor run under granian (ASGI, same workers, uvloop, no access log) instead of
uvicorn with `serve`'s protocol, to compare the two servers; the last line then starts with ``server=granian``.
"""

import argparse
import asyncio
import atexit
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any, NamedTuple, TypeVar

import httpx
import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from backend.auth.tokens import issue_token, verify_token
from backend.db import make_pool
from backend.dispatch_ticks import tick
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import seed
from backend.services import requests as request_reads
from backend.services.profiles import role_checked
from backend.services.request_detail import read_detail_json
from backend.settings import PROJECT_ROOT, Settings
from bench.api_server import CLOCK_APART_SECONDS, SERVERS, served_api
from shared.roles import AppRole

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]
SECRET = "bench-" + "s" * 40


@dataclass(frozen=True)
class People:
    citizen: tuple[uuid.UUID, str]
    request_id: uuid.UUID
    student: tuple[uuid.UUID, str]
    supervisor: tuple[uuid.UUID, str]
    college_id: uuid.UUID


# How bench.api hands its people to bench.http_floor's server processes.
PEOPLE_VARIABLE = "FIXIT_BENCH_PEOPLE"


def people_to_json(people: People) -> str:
    return json.dumps({"citizen": [str(people.citizen[0]), people.citizen[1]], "request_id": str(people.request_id),
                       "student": [str(people.student[0]), people.student[1]],
                       "supervisor": [str(people.supervisor[0]), people.supervisor[1]],
                       "college_id": str(people.college_id)})


def people_from_json(text: str) -> People:
    raw = json.loads(text)

    def who(value: list[str]) -> tuple[uuid.UUID, str]:
        return uuid.UUID(value[0]), value[1]

    return People(citizen=who(raw["citizen"]), request_id=uuid.UUID(raw["request_id"]), student=who(raw["student"]),
                  supervisor=who(raw["supervisor"]), college_id=uuid.UUID(raw["college_id"]))


def add_requests(conn: psycopg.Connection[Any], count: int, offset: int = 0) -> None:
    """`count` more requests (numbered after `offset`, each five minutes older than the last) over the 2,000
    citizens and the demo colleges, with their technicians and offers. Five minutes apart, 20,000 requests already
    span ten weeks: the dashboard's 8-week chart is full at that size, and a larger set adds only older history."""
    conn.execute(
        """
        with citizens as (select array_agg(id) as ids from public.profiles where role = 'citizen'),
         colleges as (select array_agg(id) as ids from public.colleges c
                  where exists (select 1 from public.profiles p where p.college_id = c.id))
        insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
        lat, lon, contact_phone, pdpa_consent_at, status, college_id, created_at)
        select citizens.ids[1 + (g * 7919) %% cardinality(citizens.ids)], gen_random_uuid(), 'appliance',
           'พัดลม ' || g, 'เปิดแล้วไม่หมุน', 13.9, 100.6, '+66812345678', now(),
           (array['offered', 'accepted', 'repairing', 'quality_check', 'done', 'handed_back'])[1 + g %% 6]
               ::public.request_status,
           colleges.ids[1 + (g * 31) %% cardinality(colleges.ids)], now() - g * interval '5 minutes'
        from generate_series(%s::int, %s::int) g, citizens, colleges
        """,
        [offset + 1, offset + count],
    )
    conn.execute(
        """update public.repair_requests r set technician_id = (
           select p.id from public.profiles p where p.college_id = r.college_id and p.role = 'technician'
           order by p.id offset (abs(hashtext(r.id::text)) % 4) limit 1)
           where r.status not in ('offered', 'submitted') and r.technician_id is null"""
    )
    conn.execute(
        """insert into public.offers (request_id, technician_id, college_id, rank, distance_km, created_at,
                      expires_at, status)
           select r.id, p.id, r.college_id, 1, 3.2, r.created_at, now() + interval '1 day',
              case when r.status = 'offered' then 'pending' else 'accepted' end::public.offer_status
           from public.repair_requests r
           join lateral (select p.id from public.profiles p where p.college_id = r.college_id
                 and p.role = 'technician' order by p.id limit 1) p on true
           where r.technician_id is null or r.technician_id = p.id
           on conflict do nothing"""
    )
    # The seeding's status-log triggers queued a notification per request: a backlog of ~20,000 no deployment
    # gets at once, which every API worker's delivery task would otherwise plan in batches of 500 during the
    # timing (11 % of a worker's CPU, py-spy) while the direct side pays nothing. Marked planned, as that task
    # does when no channel is configured (as here).
    conn.execute("update public.notifications set planned_at = now() where planned_at is null")
    # The status counts' changes folded into their totals, as every API copy's tick does within seconds.
    conn.execute("select private.fold_college_status_deltas()")


def build(url: str, count: int) -> People:
    """2,000 citizens and `count` requests over the demo colleges, in SQL: the status-log trigger writes each
    request's first timeline event as it would in use."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """select private.create_phone_user('6670' || lpad(g::text, 6, '0'), true)
               from generate_series(1, 2000) g"""
        )
        add_requests(conn, count)
        conn.execute("vacuum analyze")
        busiest = conn.execute(
            """select r.citizen_id, r.id, r.college_id from public.repair_requests r
               group by r.citizen_id, r.id, r.college_id order by r.created_at desc limit 1"""
        ).fetchone()
        assert busiest is not None
        citizen_id, request_id, college_id = busiest
        student = conn.execute(
            """select p.id, p.phone from public.profiles p join public.offers o on o.technician_id = p.id
               where p.college_id = %s group by p.id order by count(*) desc limit 1""",
            [college_id],
        ).fetchone()
        supervisor = conn.execute(
            "select id, phone from public.profiles where role = 'supervisor' and college_id = %s limit 1",
            [college_id],
        ).fetchone()
        if supervisor is None:  # the demo supervisor works at one college: give this one its own
            sup_id = conn.execute("select private.create_phone_user('66799999999', true)").fetchone()
            assert sup_id is not None
            conn.execute("update public.profiles set role = 'supervisor', college_id = %s where id = %s",
                         [college_id, sup_id[0]])
            supervisor = (sup_id[0], "+66799999999")
        citizen_phone = conn.execute("select phone from public.profiles where id = %s", [citizen_id]).fetchone()
        assert student is not None and citizen_phone is not None
    return People((citizen_id, citizen_phone[0] or ""), request_id, (student[0], student[1] or ""),
                  (supervisor[0], supervisor[1] or ""), college_id)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    token: str | None
    direct: Callable[[Pool], Awaitable[Any]]


def endpoints(settings: Settings, people: People) -> list[Endpoint]:
    tokens = {who: issue_token(settings, who[0], who[1]) for who in (people.citizen, people.student, people.supervisor)}

    def token(who: tuple[uuid.UUID, str]) -> str:
        return tokens[who]

    def claims(who: tuple[uuid.UUID, str]) -> dict[str, Any]:
        # The claims of the very token the API is sent, which the route hands to PostgreSQL whole (RLS reads them
        # with auth.uid() and auth.jwt()): the direct side and the floor run the route's SQL with the same settings.
        # Until session 12 they sent only sub, role and aud (3 keys against the token's 13), a cheaper statement.
        return dict(verify_token(settings, tokens[who]).claims)

    citizen, student, supervisor = claims(people.citizen), claims(people.student), claims(people.supervisor)
    now = datetime.now(UTC)

    # Each returns what its route answers (a row, or the JSON body PostgreSQL built): bench.http_floor sends it.
    async def health(pool: Pool) -> Any:
        async with pool.connection() as conn:
            return await (await conn.execute("select count(*) as n from private.schema_migrations")).fetchone()

    async def mine(pool: Pool) -> bytes:  # the role check, a page, its total and the bell's count: one statement
        body, _total, _next, _unread = await request_reads.citizen_home_json(pool, citizen, people.citizen[0])
        return body

    async def detail(pool: Pool) -> bytes:  # one statement: BEGIN … COMMIT in one wait (`read_one`), as the route
        return await read_detail_json(pool, citizen, people.request_id, now)

    async def offers(pool: Pool) -> bytes:  # the role check and the offers: one statement (`read_one`), as the route
        body, _takes_jobs = await request_reads.technician_home_json(pool, student, people.student[0])
        return body

    async def dashboard(pool: Pool) -> bytes:  # the role check and the board: one statement (`read_one`), as the route
        profile, body = await request_reads.read_supervisor_dashboard_json(pool, supervisor, people.supervisor[0], now)
        assert profile is not None
        role_checked(profile, AppRole.SUPERVISOR)
        assert body is not None
        return body

    return [
        Endpoint("health", "/health", None, health),
        Endpoint("mine", "/requests/mine", token(people.citizen), mine),
        Endpoint("detail", f"/requests/{people.request_id}", token(people.citizen), detail),
        Endpoint("offers", "/technician/offers", token(people.student), offers),
        Endpoint("dashboard", "/supervisor/dashboard", token(people.supervisor), dashboard),
    ]


ENDPOINT_NAMES = ("health", "mine", "detail", "offers", "dashboard")  # as `endpoints` names them (checked in main)


def served_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment a bench serves the API in: dev mode on the bench's database and secret, warnings only, and the
    SLA clock's turn set beyond any bench's length (its work is the database's, not a request's: timed apart by
    `clock_turn`)."""
    return {**os.environ, "DATABASE_URL": database_url, "FIXIT_JWT_SECRET": SECRET, "FIXIT_DEV_MODE": "true",
            "FIXIT_LOG_LEVEL": "WARNING", "FIXIT_DATA_DIR": str(data_dir),
            "FIXIT_DISPATCH_TICK_SECONDS": str(CLOCK_APART_SECONDS)}


class ClockTurn(NamedTuple):
    wall_ms: float  # the median of the turns
    pg_cpu_ms: float  # PostgreSQL's CPU a turn, over all of them


async def clock_turn(settings: Settings, postmaster: int | None, turns: int = 3) -> ClockTurn:
    """A turn of the SLA clock (`dispatch_ticks.tick`) on the bench's data, in this process: what every served copy
    does every `dispatch_tick_seconds`. The first turn does what the data's backlog asks (offers run out, reminders
    written); later turns find it done and show a turn's standing cost."""
    pool = make_pool(settings)
    await pool.open()
    try:
        walls = []
        pg_before = postgres_cpu(postmaster)
        for _ in range(turns):
            start = time.perf_counter()
            await tick(pool, settings)
            walls.append((time.perf_counter() - start) * 1000)
        pg_cpu = cpu_since(pg_before, postgres_cpu(postmaster))
    finally:
        await pool.close()
    return ClockTurn(sorted(walls)[len(walls) // 2], pg_cpu * 1000 / turns)


def process_tree(pid: int) -> list[int]:
    """The process and its children (uvicorn's workers), from /proc."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    return pids


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _autovacuum(pid: int) -> bool:
    try:
        return b"autovacuum worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def postgres_cpu(postmaster: int | None) -> dict[int, float]:
    """CPU seconds each of the PostgreSQL server's processes has used (the postmaster and its children: the backends,
    and the I/O workers that read for them; not an autovacuum worker, which may happen to run); none without a
    postmaster to watch. Read before a pool closes: a backend's CPU leaves /proc with it."""
    if postmaster is None:
        return {}
    return {pid: cpu_seconds([pid]) for pid in process_tree(postmaster) if not _autovacuum(pid)}


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU the processes alive at the end used since `before` (a process started since counts whole). One gone by
    then is left out: the backends of a pool closed just before (the direct side's) end while the next run starts."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used: unlike throughput, barely moved by other load on the machine."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_wrk(url: str, token: str | None, seconds: int, clients: int) -> tuple[float, float, float, int, float]:
    """(requests/s, p50 ms, p99 ms, requests, wrk's own CPU seconds) from wrk --latency."""
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    cpu = _children_cpu()  # wrk is the one child waited for here (the servers are waited for at their end)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wrk_cpu = _children_cpu() - cpu
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(pct: str) -> float:
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, ms("50"), ms("99"), done, wrk_cpu


class Direct(NamedTuple):
    rps: float
    cpu_ms: float  # this process's CPU a call
    pg_cpu_ms: float  # PostgreSQL's a call (0 without a postmaster to watch)


async def run_direct(url: str, work: Callable[[Pool], Awaitable[Any]], seconds: int, clients: int,
                     postmaster: int | None = None) -> Direct:
    """Calls/s and the CPU a call of this process and (given its postmaster) of PostgreSQL."""
    pool: Pool = AsyncConnectionPool(url, min_size=clients, max_size=clients,
                                     kwargs={"row_factory": dict_row, "autocommit": True},
                                     connection_class=AsyncConnection[DictRow], open=False, name="bench-direct")
    done = 0
    async with pool:
        await pool.wait()
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await work(pool)
                done += 1

        pg_before = postgres_cpu(postmaster)
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*[client() for _ in range(clients)])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        pg_cpu = cpu_since(pg_before, postgres_cpu(postmaster))
    calls = max(done, 1)
    return Direct(done / elapsed, cpu * 1000 / calls, pg_cpu * 1000 / calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2,
                        help="windows of each side per endpoint, in turn; the figures are their means")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--http-floor", action=argparse.BooleanOptionalAction, default=True,
                        help="also serve each endpoint's SQL from a bare ASGI app (bench.http_floor) on --port + 1")
    parser.add_argument("--server", choices=SERVERS, default="uvicorn",
                        help="the HTTP server of the API and the floor: uvicorn as `serve` runs it, or granian")
    parser.add_argument("--only", default="", help="comma-separated endpoint names (default: all): "
                        + ", ".join(ENDPOINT_NAMES))
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]
    if unknown := set(only) - set(ENDPOINT_NAMES):
        sys.exit(f"--only: no endpoint {', '.join(sorted(unknown))} (there are {', '.join(ENDPOINT_NAMES)})")
    console = Console(width=200)  # the table's 15 columns, unabridged in a log
    if shutil.which("wrk") is None:
        sys.exit("bench.api needs wrk: apt-get install wrk")
    if args.server == "granian" and importlib.util.find_spec("granian") is None:
        sys.exit("--server granian needs granian in the venv: .venv/bin/pip install granian (not a project dependency)")

    tmp = Path(tempfile.mkdtemp(prefix="fixit-api-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    with console.status("embedded PostgreSQL, migrations, demo seed, data …"):
        pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
        migrate(pg.url)
        seed(pg.url, PROJECT_ROOT / "assets" / "seed", demo=True)
        people = build(pg.url, args.requests)
    settings = Settings(jwt_secret=SecretStr(SECRET), database_url=pg.url)
    with psycopg.connect(pg.url) as conn:  # PostgreSQL's processes: a backend's parent and its children
        backend = conn.execute("select pg_backend_pid()").fetchone()
        assert backend is not None
        postmaster = parent_of(backend[0])  # while the backend lives
    with console.status("the SLA clock's turns on the data …"):
        turn = asyncio.run(clock_turn(settings, postmaster))
    console.print(f"a turn of the SLA clock: {turn.wall_ms:.0f} ms, PostgreSQL's CPU {turn.pg_cpu_ms:.0f} ms "
                  f"(every copy turns it every {settings.dispatch_tick_seconds:.0f} s; not while the bench measures)")
    env = served_env(pg.url, tmp / "data")
    base = f"http://127.0.0.1:{args.port}"
    floor_base = f"http://127.0.0.1:{args.port + 1}"
    floor_env = {**env, PEOPLE_VARIABLE: people_to_json(people)}
    with ExitStack() as stack:
        server = stack.enter_context(served_api(args.port, args.workers, env, server=args.server))
        floor = (stack.enter_context(served_api(args.port + 1, args.workers, floor_env, app="bench.http_floor:app",
                                                server=args.server))
                 if args.http_floor else None)
        table = Table(title=f"read endpoints, {args.clients} clients, {args.workers} API workers on {args.server}, "
                            f"{args.requests:,} requests in the database")
        api_pids = process_tree(server.pid)
        columns = ["endpoint", "API req/s", "p50 ms", "p99 ms", "direct SQL req/s", "API / SQL",
                   "API CPU ms/req", "direct CPU ms/call", "all CPU: API+PG+wrk", "all CPU: direct+PG"]
        if floor is not None:
            columns += ["HTTP floor req/s", "floor / SQL", "API / floor", "floor CPU ms/req", "all CPU: floor"]
        for column in columns:
            table.add_column(column, justify="right")
        summary = []
        measured = endpoints(settings, people)
        assert tuple(endpoint.name for endpoint in measured) == ENDPOINT_NAMES, "ENDPOINT_NAMES is out of date"
        for endpoint in measured:
            if only and endpoint.name not in only:
                continue
            check = httpx.get(base + endpoint.path, timeout=10,
                              headers={"Authorization": f"Bearer {endpoint.token}"} if endpoint.token else {})
            check.raise_for_status()
            apis: list[Measured] = []
            sqls: list[Direct] = []
            bares: list[Measured] = []
            for _ in range(args.rounds):  # the API, its SQL and the floor in turn: a drift reaches the three alike
                apis.append(measure(api_pids, base + endpoint.path, endpoint.token, args, postmaster))
                sqls.append(asyncio.run(run_direct(pg.url, endpoint.direct, args.seconds, args.clients, postmaster)))
                if floor is not None:
                    bares.append(measure(process_tree(floor.pid), floor_base + endpoint.path, None, args, postmaster))
            api, sql = mean_of(apis), mean_of(sqls)
            rps, direct = api.rps, sql.rps
            # The whole machine's CPU a request: the served app, PostgreSQL and wrk (on the same cores) against the
            # direct side and PostgreSQL. Where the cores are the bound, API / SQL tends to `cpu_bound_ratio`.
            api_all, direct_all = api.cpu_ms + api.pg_cpu_ms + api.wrk_cpu_ms, sql.cpu_ms + sql.pg_cpu_ms
            row = [endpoint.name, f"{rps:,.0f}", f"{api.p50:.2f}", f"{api.p99:.2f}", f"{direct:,.0f}",
                   f"{rps / direct:.2f}", f"{api.cpu_ms:.2f}", f"{sql.cpu_ms:.2f}", f"{api_all:.2f}",
                   f"{direct_all:.2f}"]
            summary.append(f"{endpoint.name}_rps={rps:.0f} {endpoint.name}_ratio={rps / direct:.2f} "
                           f"{endpoint.name}_cpu_ms={api.cpu_ms:.2f} {endpoint.name}_direct_cpu_ms={sql.cpu_ms:.2f} "
                           f"{endpoint.name}_pg_cpu_ms={api.pg_cpu_ms:.2f} "
                           f"{endpoint.name}_wrk_cpu_ms={api.wrk_cpu_ms:.2f} "
                           f"{endpoint.name}_direct_pg_cpu_ms={sql.pg_cpu_ms:.2f} "
                           f"{endpoint.name}_cpu_bound_ratio={direct_all / api_all:.2f}")
            if bares:
                bare = mean_of(bares)
                floor_rps, floor_all = bare.rps, bare.cpu_ms + bare.pg_cpu_ms + bare.wrk_cpu_ms
                row += [f"{floor_rps:,.0f}", f"{floor_rps / direct:.2f}", f"{rps / floor_rps:.2f}",
                        f"{bare.cpu_ms:.2f}", f"{floor_all:.2f}"]
                summary.append(f"{endpoint.name}_floor_rps={floor_rps:.0f} "
                               f"{endpoint.name}_floor_sql_ratio={floor_rps / direct:.2f} "
                               f"{endpoint.name}_floor_ratio={rps / floor_rps:.2f} "
                               f"{endpoint.name}_floor_cpu_ms={bare.cpu_ms:.2f} "
                               f"{endpoint.name}_floor_pg_cpu_ms={bare.pg_cpu_ms:.2f} "
                               f"{endpoint.name}_floor_wrk_cpu_ms={bare.wrk_cpu_ms:.2f} "
                               f"{endpoint.name}_floor_cpu_bound_ratio={direct_all / floor_all:.2f}")
            table.add_row(*row)
        console.print(table)
        print(f"api: server={args.server} rounds={args.rounds} " + " ".join(summary)
              + f" clock_turn_ms={turn.wall_ms:.0f} clock_turn_pg_cpu_ms={turn.pg_cpu_ms:.0f}")


class Measured(NamedTuple):
    rps: float
    p50: float
    p99: float
    cpu_ms: float  # the served app's processes, a request
    pg_cpu_ms: float  # PostgreSQL's processes, a request (0 without a postmaster to watch)
    wrk_cpu_ms: float  # the load generator's, a request: on the same cores as the rest


Round = TypeVar("Round", "Measured", Direct)


def mean_of(rounds: list[Round]) -> Round:
    """Each figure's mean over the rounds (windows of equal length)."""
    return type(rounds[0])(*(fmean(values) for values in zip(*rounds, strict=True)))


def measure(pids: list[int], url: str, token: str | None, args: argparse.Namespace,
            postmaster: int | None = None) -> Measured:
    """Throughput, latency and the CPU a request of one wrk run against a served app."""
    cpu, pg_before = cpu_seconds(pids), postgres_cpu(postmaster)
    rps, p50, p99, requests, wrk_cpu = run_wrk(url, token, args.seconds, args.clients)
    per = 1000 / max(requests, 1)
    return Measured(rps, p50, p99, (cpu_seconds(pids) - cpu) * per,
                    cpu_since(pg_before, postgres_cpu(postmaster)) * per, wrk_cpu * per)


if __name__ == "__main__":
    main()
