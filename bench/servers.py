"""uvicorn (as `serve` runs it) against granian, side by side on one database, runs interleaved.

Run: .venv/bin/python -m bench.servers [--rounds 3] [--seconds 4] [--clients 10] [--workers 2] [--requests 20000]
Needs wrk and granian in the venv (`.venv/bin/pip install granian`: not a project dependency). The same database and
endpoints as bench.api; the API and bench.http_floor are each started under both servers at once (four servers of
--workers processes), and for every endpoint each round runs wrk against the four and the direct SQL, one after the
other, the two servers' order swapped every round. On a shared machine the load moves between whole bench.api runs
by more than the difference between the servers; interleaved runs of a few seconds see the same load. The table shows
per endpoint and server the median over the rounds of requests/s, the ratio to the direct SQL measured in the same
round, the ratio to the same server's floor, and the CPU ms a request of the API's and the floor's processes. The last
line is ``servers: <endpoint>_<server>_cpu_ms=C <endpoint>_<server>_ratio=R <endpoint>_<server>_floor_cpu_ms=F …``.
"""

import argparse
import asyncio
import atexit
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import seed
from backend.settings import PROJECT_ROOT, Settings
from bench.api import (
    PEOPLE_VARIABLE,
    SECRET,
    build,
    endpoints,
    measure,
    people_to_json,
    process_tree,
    run_direct,
    served_env,
)
from bench.api_server import SERVERS, served_api


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8775, help="the four servers take this port and the next three")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench.servers needs wrk: apt-get install wrk")
    if importlib.util.find_spec("granian") is None:
        sys.exit("bench.servers needs granian in the venv: .venv/bin/pip install granian")
    console = Console(width=150)
    tmp = Path(tempfile.mkdtemp(prefix="fixit-servers-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    with console.status("embedded PostgreSQL, migrations, demo seed, data …"):
        pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
        migrate(pg.url)
        seed(pg.url, PROJECT_ROOT / "assets" / "seed", demo=True)
        people = build(pg.url, args.requests)
    settings = Settings(jwt_secret=SecretStr(SECRET), database_url=pg.url)
    env = served_env(pg.url, tmp / "data")
    floor_env = {**env, PEOPLE_VARIABLE: people_to_json(people)}
    # (server, "api" | "floor") -> (port, pids)
    served: dict[tuple[str, str], tuple[int, list[int]]] = {}
    with ExitStack() as stack:
        for i, server in enumerate(SERVERS):
            api_port, floor_port = args.port + 2 * i, args.port + 2 * i + 1
            api = stack.enter_context(served_api(api_port, args.workers, env, server=server))
            floor = stack.enter_context(served_api(floor_port, args.workers, floor_env, app="bench.http_floor:app",
                                                   server=server))
            served[server, "api"] = api_port, process_tree(api.pid)
            served[server, "floor"] = floor_port, process_tree(floor.pid)
        # (endpoint, server, what) -> one value per round
        rps: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        cpu: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        ratio: dict[tuple[str, str], list[float]] = defaultdict(list)
        floor_ratio: dict[tuple[str, str], list[float]] = defaultdict(list)
        loads: list[float] = []
        for endpoint in endpoints(settings, people):
            for round_ in range(args.rounds):
                order = SERVERS if round_ % 2 == 0 else tuple(reversed(SERVERS))
                loads.append(os.getloadavg()[0])
                got: dict[tuple[str, str], float] = {}
                for what in ("api", "floor"):
                    for server in order:
                        port, pids = served[server, what]
                        token = endpoint.token if what == "api" else None
                        r, _, _, c, *_ = measure(pids, f"http://127.0.0.1:{port}{endpoint.path}", token, args)
                        rps[endpoint.name, server, what].append(r)
                        cpu[endpoint.name, server, what].append(c)
                        got[server, what] = r
                direct = asyncio.run(run_direct(pg.url, endpoint.direct, args.seconds, args.clients)).rps
                for server in SERVERS:
                    ratio[endpoint.name, server].append(got[server, "api"] / direct)
                    floor_ratio[endpoint.name, server].append(got[server, "api"] / got[server, "floor"])

    table = Table(title=f"uvicorn vs granian, {args.rounds} interleaved rounds of {args.seconds} s, "
                        f"{args.clients} clients, {args.workers} workers each, load {min(loads):.1f}-{max(loads):.1f}")
    for column in ("endpoint", "server", "API req/s", "API / SQL", "API / floor", "API CPU ms/req",
                   "floor req/s", "floor CPU ms/req"):
        table.add_column(column, justify="right")
    summary = []
    for endpoint in endpoints(settings, people):
        for server in SERVERS:
            e = endpoint.name
            row = (statistics.median(rps[e, server, "api"]), statistics.median(ratio[e, server]),
                   statistics.median(floor_ratio[e, server]), statistics.median(cpu[e, server, "api"]),
                   statistics.median(rps[e, server, "floor"]), statistics.median(cpu[e, server, "floor"]))
            table.add_row(e, server, f"{row[0]:,.0f}", f"{row[1]:.2f}", f"{row[2]:.2f}", f"{row[3]:.3f}",
                          f"{row[4]:,.0f}", f"{row[5]:.3f}")
            summary.append(f"{e}_{server}_rps={row[0]:.0f} {e}_{server}_ratio={row[1]:.2f} "
                           f"{e}_{server}_floor_ratio={row[2]:.2f} {e}_{server}_cpu_ms={row[3]:.3f} "
                           f"{e}_{server}_floor_cpu_ms={row[5]:.3f}")
    console.print(table)
    print(f"servers: load_min={min(loads):.1f} load_max={max(loads):.1f} " + " ".join(summary))


if __name__ == "__main__":
    main()
