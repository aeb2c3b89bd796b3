"""Notifications: delivery throughput per worker, and the outbox's cost on a status change.

Run: .venv/bin/python -m bench.notifications [--count 100000] [--workers 1,2,4] [--changes 2000]
On a throwaway embedded PostgreSQL (deleted at exit): enqueues `--count` notifications for 1,000 people and lets
1, 2, 4 … delivery workers (`backend.notifications.worker.deliver_once`, each with its own connection) deliver
them all through a fake channel that does no I/O; then times `--changes` status changes (repairing ⇄
quality_check, each its own committed transaction, as the API makes them) with the outbox triggers on and off.
The last line is machine-readable:
``notifications: per_worker_per_s=X best_total_per_s=Y scaling=S change_ms_with=A change_ms_without=B overhead=R``
"""

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from rich.console import Console
from rich.table import Table

from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.notifications.channels import Channel, Message, Target
from backend.notifications.worker import WorkerConfig, deliver_once
from backend.seed import _seed_categories
from shared.notifications import Pref

REPO = Path(__file__).resolve().parents[1]
console = Console()
NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok
Conn = psycopg.Connection[dict[str, Any]]


class NullChannel:
    """A channel that costs nothing: what is measured is the outbox and the workers, not a service."""

    name = "null"
    pref = Pref.PUSH
    addresses = "person"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        self.sent += 1

    async def aclose(self) -> None:
        return None


_phones = itertools.count(1)


def _person(conn: Conn, role: str = "citizen", college: uuid.UUID | None = None) -> uuid.UUID:
    user_id = uuid.uuid4()
    conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, f"6687{next(_phones):07d}"])
    if role != "citizen":
        conn.execute("update public.profiles set role = %s, college_id = %s where id = %s", [role, college, user_id])
    return user_id


def enqueue(conn: Conn, people: list[uuid.UUID], count: int) -> None:
    conn.execute("truncate private.notification_deliveries")
    conn.execute("delete from public.notifications")
    conn.execute(
        """insert into public.notifications (recipient_id, kind, params)
           select (%s::uuid[])[1 + i %% %s], 'ready',
                  '{"item": "พัดลม", "place": "centre", "college_th": "วิทยาลัยทดสอบ"}'::jsonb
           from generate_series(1, %s) i""",
        [people, len(people), count],
    )
    conn.execute("analyze public.notifications")


async def drain(url: str, workers: int, count: int) -> float:
    """Seconds until `workers` concurrent workers have delivered every notification."""
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        url, min_size=workers, max_size=workers, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=AsyncConnection[DictRow], open=False)
    await pool.open(wait=True)
    channel = NullChannel()
    channels: dict[str, Channel] = {"null": channel}
    config = WorkerConfig(batch_size=500, link_base="https://app.example")

    async def worker() -> None:
        # Turns at noon (outside quiet hours) until one finds nothing new to plan and nothing due to send.
        while (turn := await deliver_once(pool, channels, config, NOON)).planned or turn.attempted:
            pass

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - started
    await pool.close()
    assert channel.sent == count, (channel.sent, count)
    return elapsed


def status_changes(conn: Conn, requests: list[uuid.UUID], rounds: int) -> list[float]:
    """Milliseconds per status change, each its own transaction: repairing → quality_check → repairing …"""
    times = []
    for i in range(rounds):
        request = requests[i % len(requests)]
        to = "quality_check" if (i // len(requests)) % 2 == 0 else "repairing"
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("select set_config('fixit.actor', 'technician', true)")
            conn.execute("update public.repair_requests set status = %s where id = %s", [to, request])
        times.append((time.perf_counter() - started) * 1000)
    return times


def setup_jobs(conn: Conn, n: int) -> list[uuid.UUID]:
    _seed_categories(conn, REPO / "assets" / "seed" / "categories.json")  # type: ignore[arg-type]
    college = conn.execute(
        """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon)
           values ('BENCH-1', 'วิทยาลัยทดสอบ', 'Bench College', 'กรุงเทพฯ', 'Bangkok', 'central', 13.9, 100.6)
           returning id""").fetchone()
    assert college is not None
    student = _person(conn, "technician", college["id"])
    for _ in range(2):
        _person(conn, "supervisor", college["id"])
    citizen = _person(conn)
    category = conn.execute("select code from public.categories order by code limit 1").fetchone()
    assert category is not None
    rows = conn.execute(
        """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description, lat,
                                              lon, contact_phone, pdpa_consent_at, status, college_id, technician_id)
           select %s, gen_random_uuid(), %s, 'พัดลม', 'ไม่หมุน', 13.9, 100.6, '+66812345678', now(), 'repairing', %s, %s
           from generate_series(1, %s) returning id""",
        [citizen, category["code"], college["id"], student, n]).fetchall()
    return [r["id"] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--changes", type=int, default=2000)
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    with console.status("starting a throwaway PostgreSQL…"):
        local = LocalPostgres(Path(tempfile.mkdtemp(prefix="fixit-bench-")) / "pg", database="postgres",
                              delete_on_exit=True)
        url = local.url_for("bench_notifications")
        migrate(url)
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        people = [_person(conn) for _ in range(1000)]
        throughput: dict[int, float] = {}
        for workers in worker_counts:
            enqueue(conn, people, args.count)
            with console.status(f"{workers} worker(s) delivering {args.count:,}…"):
                seconds = asyncio.run(drain(url, workers, args.count))
            throughput[workers] = args.count / seconds

        requests = setup_jobs(conn, 200)
        status_changes(conn, requests, 200)  # warm-up
        timed: dict[str, list[float]] = {"with": [], "without": []}
        block = 200
        for _ in range(max(1, args.changes // block)):  # interleaved blocks, so drift hits both alike
            for variant in ("with", "without"):
                action = "enable" if variant == "with" else "disable"
                conn.execute(f"alter table public.status_events {action} trigger status_events_notify")
                conn.execute(f"alter table public.notifications {action} trigger notifications_announce")
                timed[variant] += status_changes(conn, requests, block)
        conn.execute("alter table public.status_events enable trigger status_events_notify")
        conn.execute("alter table public.notifications enable trigger notifications_announce")

    table = Table(title=f"delivery of {args.count:,} notifications through a no-I/O channel")
    for column in ("workers", "seconds", "delivered/s", "per worker/s", "vs 1 worker"):
        table.add_column(column, justify="right")
    base = throughput[worker_counts[0]]
    for workers, rate in throughput.items():
        table.add_row(str(workers), f"{args.count / rate:.1f}", f"{rate:,.0f}", f"{rate / workers:,.0f}",
                      f"{rate / base:.2f}×")
    console.print(table)
    changes = Table(title="one status change (its own transaction), outbox triggers on vs off")
    for column in ("triggers", "median ms", "p99 ms"):
        changes.add_column(column, justify="right")
    stats = {}
    for variant, values in timed.items():
        values.sort()
        stats[variant] = (statistics.median(values), values[int(len(values) * 0.99) - 1])
        changes.add_row(variant, f"{stats[variant][0]:.3f}", f"{stats[variant][1]:.3f}")
    console.print(changes)
    best = max(throughput.values())
    ratio = stats["with"][0] / stats["without"][0]
    print(f"notifications: per_worker_per_s={throughput[worker_counts[0]] / worker_counts[0]:.0f} "
          f"best_total_per_s={best:.0f} scaling={best / base:.2f} change_ms_with={stats['with'][0]:.3f} "
          f"change_ms_without={stats['without'][0]:.3f} overhead={ratio:.2f}")


if __name__ == "__main__":
    main()
