"""How many database checks a `/health` answer costs, by how many callers ask at once (backend/health_check.py).

Run: .venv/bin/python -m bench.health_checks [--seconds 5] [--clients 1,10,50] [--workers 2]
Needs wrk. Serves the API (as bench.api does: `serve`'s protocol, the SLA clock apart) on an empty migrated embedded
PostgreSQL and, for each number of clients, runs wrk against `/health` and counts the transactions PostgreSQL
committed meanwhile (each check is one; the copies' background work adds a handful). PostgreSQL publishes a
backend's counts once it has been idle a while (up to 10 s), so each level waits for them: the run is slow by design.
The last line is machine-readable: ``health_checks: c1_per_answer=X c10_per_answer=Y ...``.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from rich.console import Console

from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from bench.api import run_wrk, served_env
from bench.api_server import served_api

STATS_PUBLISHED_SECONDS = 12  # PGSTAT_IDLE_INTERVAL (10 s) and a margin: an idle backend's counts are out by then


def committed(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("select xact_commit from pg_stat_database where datname = current_database()").fetchone()
    assert row is not None
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench.health_checks needs wrk: apt-get install wrk")
    console = Console()
    tmp = Path(tempfile.mkdtemp(prefix="fixit-health-"))
    with console.status("embedded PostgreSQL and migrations …"):
        pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
        migrate(pg.url)
    summary = []
    with served_api(args.port, args.workers, served_env(pg.url, tmp / "data")):
        with console.status("the copies' start-up counted out …"):
            time.sleep(STATS_PUBLISHED_SECONDS)
        for clients in (int(level) for level in args.clients.split(",")):
            before = committed(pg.url)
            rps, p50, p99, answers, _ = run_wrk(f"http://127.0.0.1:{args.port}/health", None, args.seconds, clients)
            with console.status(f"{clients} clients: waiting for PostgreSQL's counts …"):
                time.sleep(STATS_PUBLISHED_SECONDS)
            checks = committed(pg.url) - before - 1  # less the `committed` read of `before` itself
            console.print(f"{clients:>3} clients: {answers:,} answers, {rps:,.0f}/s, p50 {p50:.2f} ms, "
                          f"p99 {p99:.2f} ms, {checks:,} transactions: {checks / answers:.3f} an answer")
            summary.append(f"c{clients}_per_answer={checks / answers:.3f} c{clients}_rps={rps:.0f}")
    shutil.rmtree(tmp, ignore_errors=True)
    print("health_checks: " + " ".join(summary))


if __name__ == "__main__":
    main()
