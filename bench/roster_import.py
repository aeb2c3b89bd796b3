"""What a teacher's roster import of a full file costs (staff.import_students, the route's work without HTTP).

Run: .venv/bin/python -m bench.roster_import [--existing 500] [--new 499] [--runs 5]
An embedded PostgreSQL, migrated; one college with `--existing` students; a file naming those students (their skill
raised) and `--new` phones without an account: STUDENT_CSV_MAX_ROWS - 1 rows by default, the size session 27
measured at 3.3 s through the API on a busy machine. Each run is the import in one pipelined owner transaction as
the route runs it (backend.db's service transaction), rolled back after, so every run imports the same file. Prints
each run's time and statements sent, then the median; the last line is machine-readable:
``roster_import: rows=.. median_ms=.. statements=.. ms_per_row=..``.
"""

import argparse
import asyncio
import atexit
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.db import _pipelined_tx
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.services import staff
from backend.services.dispatch import DispatchPolicy
from shared.roles import AppRole


def _setup(url: str, existing: int, new: int) -> tuple[uuid.UUID, list[staff.StudentRow]]:
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        row = conn.execute(
            """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                            service_radius_km)
               values ('BENCH-IMPORT', 'วิทยาลัยทดสอบ', 'Bench College', 'แม่ฮ่องสอน', 'Mae Hong Son', 'north',
                       19.3, 97.96, 30) returning id""").fetchone()
        assert row is not None
        college = uuid.UUID(str(row["id"]))
        conn.execute("insert into public.skills values ('electrical_appliance', 'เครื่องใช้ไฟฟ้า', 'Appliances') "
                     "on conflict do nothing")
        skill = {"code": "electrical_appliance"}
        rows: list[staff.StudentRow] = []
        for i in range(existing + new):
            phone = f"06{i:08d}"
            if i < existing:
                user_id = uuid.uuid4()
                conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, "+66" + phone[1:]])
                conn.execute("update public.profiles set role = 'technician', college_id = %s, display_name = %s "
                             "where id = %s", [college, f"นักศึกษา {i}", user_id])
                conn.execute("insert into public.technician_skills values (%s, %s, 1)", [user_id, skill["code"]])
            rows.append(staff.StudentRow(i + 2, staff.clean_phone(phone), f"นักศึกษา {i}", {skill["code"]: 2}))
    return college, rows


class _Counting:
    """The connection, with the statements it is sent counted (the round trips' upper bound)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.statements = 0

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        self.statements += 1
        return await self._conn.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class _Rollback(Exception):
    pass


async def _runs(url: str, college: uuid.UUID, rows: list[staff.StudentRow], runs: int) -> list[tuple[float, int]]:
    results = []
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        for _ in range(runs + 1):  # the first warms the caches and is not counted
            counting = _Counting(conn)
            start = time.perf_counter()
            try:
                async with _pipelined_tx(conn):
                    report = await staff.import_students(counting, college, rows,  # type: ignore[arg-type]
                                                         by=AppRole.SUPERVISOR, at=datetime.now(UTC),
                                                         policy=DispatchPolicy())
                    elapsed = time.perf_counter() - start
                    assert report.total == len(rows), report
                    raise _Rollback
            except _Rollback:
                pass
            results.append((elapsed, counting.statements))
    return results[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--existing", type=int, default=500, help="the college's students the file names")
    parser.add_argument("--new", type=int, default=499, help="phones without an account the file names")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fixit-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
    migrate(pg.url)
    college, rows = _setup(pg.url, args.existing, args.new)
    results = asyncio.run(_runs(pg.url, college, rows, args.runs))
    for elapsed, statements in results:
        print(f"{len(rows)} rows: {elapsed * 1000:.0f} ms, {statements} statements")
    median_ms = statistics.median(e for e, _ in results) * 1000
    print(f"roster_import: rows={len(rows)} median_ms={median_ms:.0f} statements={results[-1][1]} "
          f"ms_per_row={median_ms / len(rows):.2f}")


if __name__ == "__main__":
    main()
