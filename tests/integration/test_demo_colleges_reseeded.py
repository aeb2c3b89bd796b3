"""A demo seed in development brings the demo colleges already in `.data` to the demo list's current data, except
what an admin corrected (known17be). Since the seed stopped upserting colleges (audit16b, right for production and
for real colleges), a re-seed left a development database with last session's demo colleges: an old name, radius
or town-level point stayed, whatever assets/seed/colleges.csv now says. Real PostgreSQL, a database of its own."""

import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.seed import DEMO_ACCOUNTS, seed
from tests.conftest import MigratedDatabases
from tests.integration.production_operator import new_production_database

SEED_DIR = Path(__file__).resolve().parents[2] / "assets" / "seed"
DB = "fixit_demo_colleges_reseeded"
CODE = "TC-LAMPANG"
DEMO = {"name_en": "Lampang Technical College", "region": "north", "lat": 18.2888, "lon": 99.4909,
        "service_radius_km": Decimal("45"), "coordinates_approximate": True}
FIELDS = ", ".join(DEMO)


@pytest.fixture
def dev_db(migrated_database: MigratedDatabases) -> str:
    url = new_production_database(migrated_database, DB)
    seed(url, SEED_DIR, demo=True)
    return url


def _college(url: str) -> dict[str, object]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        row = conn.execute(f"select {FIELDS}, is_active from public.colleges where code = %s", [CODE]).fetchone()
    assert row is not None
    return dict(row)


STALE = {"name_en": "Lampang Tech (old demo)", "region": "central", "lat": 18.30, "lon": 99.50,
         "service_radius_km": Decimal("60")}


def _last_session_s_demo_data(url: str, fields: tuple[str, ...] = tuple(STALE)) -> None:
    """The college as an older demo list (or an operator's import) left it: no person behind the change."""
    sets = ", ".join(f"{k} = %({k})s" for k in fields)
    with psycopg.connect(url) as conn:
        conn.execute(f"update public.colleges set {sets} where code = %(code)s",
                     {**{k: STALE[k] for k in fields}, "code": CODE})


def _admin_corrects(url: str, changes: dict[str, object]) -> None:
    """As PATCH /admin/colleges/{id} writes it: in the admin's transaction (their claims), audited with their id."""
    admin = next(a for a in DEMO_ACCOUNTS if a.role == "admin")
    sets = ", ".join(f"{k} = %({k})s" for k in changes)
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     [json.dumps({"sub": str(admin.user_id), "role": "authenticated"})])
        conn.execute(f"update public.colleges set {sets} where code = %(code)s", {**changes, "code": CODE})


def test_a_demo_seed_brings_a_demo_college_to_the_current_demo_data(dev_db: str) -> None:
    _last_session_s_demo_data(dev_db)
    report = seed(dev_db, SEED_DIR, demo=True)
    assert {k: v for k, v in _college(dev_db).items() if k in DEMO} == DEMO
    assert report.colleges_refreshed == 1
    assert seed(dev_db, SEED_DIR, demo=True).colleges_refreshed == 0  # nothing left to bring: nothing written


def test_what_an_admin_corrected_stays_and_the_rest_follows_the_demo_data(dev_db: str) -> None:
    corrected = {"name_en": "Lampang Technical College (main campus)", "lat": 18.2901, "lon": 99.4899,
                 "coordinates_approximate": False, "is_active": False}
    _admin_corrects(dev_db, corrected)
    _last_session_s_demo_data(dev_db, ("region", "service_radius_km"))  # fields the admin did not touch
    seed(dev_db, SEED_DIR, demo=True)
    # The admin's name, place (its point and that it is exact) and closing stay; the rest is the demo list's again.
    assert _college(dev_db) == {**DEMO, **corrected}


def test_a_seed_without_the_demo_keeps_every_college_as_it_is(dev_db: str) -> None:
    """Production's `seed --no-demo` (and the official colleges) stay as audit16b left them: nothing refreshed."""
    with psycopg.connect(dev_db) as conn:
        conn.execute("update public.colleges set service_radius_km = 33 where code = 'TC-DONMUANG'")
    report = seed(dev_db, SEED_DIR, demo=False)
    assert report.colleges_refreshed == 0
    with psycopg.connect(dev_db) as conn:
        assert conn.execute("select service_radius_km from public.colleges "
                            "where code = 'TC-DONMUANG'").fetchone() == (Decimal("33"),)
