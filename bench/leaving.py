"""A student leaving while they hold many offers: how long the switch-off holds its locks (review27c #4, offers28 #1).

Run: .venv/bin/python -m bench.leaving [--offers 1,10,30,60] [--rounds 3]
A teacher's switch-off (college_admin.update_student, the route's one transaction) withdraws every offer the student
still has pending and hands each job on (dispatch.hand_on_from_leaving: one `_refill` per job, the next fitting
student), all under the student's profile and every one of those jobs' request locks, so other students' accepts of
those jobs wait for it. This builds a throwaway embedded PostgreSQL with one college, the leaving student and 20
others fitting the jobs, gives the leaving student N pending offers whose jobs wait for nobody else (the worst case:
each needs a hand-on), then times the switch-off's whole transaction, committed. The last lines are machine-readable:
``leaving: offers=N switch_off_ms=X per_job_ms=Y`` (medians of --rounds).
"""

import argparse
import asyncio
import shutil
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

from backend.db import service_tx
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import _seed_categories
from backend.services import college_admin
from backend.services.dispatch import DispatchPolicy, dispatch_submitted
from backend.services.transitions import act_as
from shared.roles import Actor

REPO = Path(__file__).resolve().parents[1]
CATEGORIES_JSON = REPO / "assets" / "seed" / "categories.json"
HOME = (19.3050, 97.9650)  # Mae Hong Son, the integration tests' near college

Conn = psycopg.Connection[dict[str, Any]]


def _person(conn: Conn, role: str, college: uuid.UUID | None, level: int | None) -> uuid.UUID:
    person = uuid.uuid4()
    conn.execute("select private.create_phone_user(%s, %s, true)", [person, f"669{person.int % 10**8:08d}"])
    conn.execute("update public.profiles set role = %s, college_id = %s, display_name = 'ทดสอบ บุคคล' where id = %s",
                 [role, college, person])
    if level is not None:
        conn.execute("insert into public.technician_skills values (%s, 'electrical_appliance', %s)", [person, level])
    return person


def setup(conn: Conn) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The college, the leaving student (the best fitting one) and a citizen."""
    row = conn.execute(
        """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                        service_radius_km)
           values ('B-LEAVING', 'วิทยาลัยทดสอบ', 'Bench college', 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', %s, %s, 30)
           returning id""", list(HOME)).fetchone()
    assert row is not None
    college: uuid.UUID = row["id"]
    leaving = _person(conn, "technician", college, 5)
    for _ in range(20):
        _person(conn, "technician", college, 3)
    return college, leaving, _person(conn, "citizen", None, None)


def offered_to(conn: Conn, url: str, student: uuid.UUID, citizen: uuid.UUID, n: int) -> None:
    """`n` new jobs, each dispatched as a submit is, then offered to `student` alone (the others' offers declined)."""
    ids = [uuid.uuid4() for _ in range(n)]
    with conn.cursor() as cur:
        cur.executemany(
            """insert into public.repair_requests
                   (id, citizen_id, idempotency_key, category_code, item, description, lat, lon, province,
                    sub_district, contact_phone, pdpa_consent_at)
               values (%s, %s, %s, 'appliance', 'พัดลม', 'ใช้งานไม่ได้', %s, %s, 'แม่ฮ่องสอน', 'จองคำ',
                       '+66812345678', now())""",
            [(i, citizen, uuid.uuid4(), *HOME) for i in ids])

    async def dispatch_all() -> None:
        async with await AsyncConnection[DictRow].connect(url, row_factory=dict_row, autocommit=True) as a:
            for i in ids:
                async with a.transaction():
                    await dispatch_submitted(a, i, datetime.now(UTC), DispatchPolicy())
    asyncio.run(dispatch_all())
    conn.execute(
        """insert into public.offers (request_id, technician_id, college_id, status, expires_at, rank, distance_km,
                                      category_code, item, province, district, description)
           select o.request_id, %(s)s, o.college_id, 'pending', o.expires_at, 99, o.distance_km, o.category_code,
                  o.item, o.province, o.district, o.description
           from public.offers o
           where o.request_id = any(%(ids)s) and o.rank = 1
             and not exists (select 1 from public.offers x where x.request_id = o.request_id
                             and x.technician_id = %(s)s)""", {"s": student, "ids": ids})
    conn.execute("""update public.offers set status = 'declined', responded_at = now()
                    where request_id = any(%s) and technician_id <> %s and status = 'pending'""", [ids, student])


async def switch_off(url: str, college: uuid.UUID, student: uuid.UUID) -> float:
    """The teacher's switch-off as the route runs it (one owner transaction, committed): seconds."""
    async with AsyncConnectionPool(url, min_size=1, max_size=1, open=False,
                                   kwargs={"row_factory": dict_row, "autocommit": True},
                                   connection_class=AsyncConnection[DictRow]) as pool:
        await pool.wait()
        start = time.perf_counter()
        async with service_tx(pool) as owner:
            await act_as(owner, Actor.SUPERVISOR, None)
            await college_admin.update_student(owner, college, student, False, None, datetime.now(UTC),
                                               DispatchPolicy())
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", default="1,10,30,60")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fixit-bench-"))
    try:
        pg = LocalPostgres(tmp / "pg", database="fixit_bench", delete_on_exit=True)
        migrate(pg.url)
        with psycopg.connect(pg.url, autocommit=True) as plain:
            _seed_categories(plain, CATEGORIES_JSON)
        with psycopg.connect(pg.url, autocommit=True, row_factory=dict_row) as conn:
            college, leaving, citizen = setup(conn)
            for n in (int(x) for x in args.offers.split(",")):
                took = []
                for _ in range(args.rounds):
                    offered_to(conn, pg.url, leaving, citizen, n)
                    held = conn.execute("select count(*) as n from public.offers where technician_id = %s"
                                        " and status = 'pending'", [leaving]).fetchone()
                    assert held is not None and held["n"] == n, held
                    took.append(asyncio.run(switch_off(pg.url, college, leaving)))
                    conn.execute("update public.profiles set takes_jobs = true where id = %s", [leaving])
                median_ms = statistics.median(took) * 1000
                print(f"leaving: offers={n} switch_off_ms={median_ms:.1f} per_job_ms={median_ms / n:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
