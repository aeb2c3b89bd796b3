"""The database's own definitions agree with the Python ones in `shared/`: every enum, and every bound a check
constraint puts on a column the app or backend also limits. Migrations restate these numbers (an applied migration
never changes); this test is what keeps the two from drifting."""

import re
from typing import Any, get_args

import psycopg
import pytest

from shared.aftercare import COMMENT_MAX, RATING_MAX, RATING_MIN
from shared.categories import MAX_LEVEL, MIN_LEVEL
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.invitations import INVITATION_OPEN_DAYS
from shared.photos import AFTER_PHOTO_INDEX_MAX, MAX_PHOTOS_PER_REQUEST
from shared.request_rules import ADDRESS_MAX, BRAND_MAX, DESCRIPTION_MAX, ITEM_MAX, ServicePlace
from shared.roles import Actor, AppRole
from shared.statuses import OfferStatus, RequestStatus
from shared.text import OFFER_STATUS_LABELS
from shared.wire import Offer, PhotoKind
from shared.work import MAX_HOURS, NOTES_MAX, STEP_NOTE_MAX

ENUMS: dict[str, set[str]] = {
    "request_status": {s.value for s in RequestStatus},
    "app_role": {r.value for r in AppRole},
    "event_actor": {a.value for a in Actor},
    "service_place": {p.value for p in ServicePlace},
    "offer_status": {s.value for s in OfferStatus},
}

# (table, column) → the most the column may hold, as shared/ says.
LENGTH_MAX: dict[tuple[str, str], int] = {
    ("repair_requests", "item"): ITEM_MAX,
    ("repair_requests", "brand"): BRAND_MAX,
    ("repair_requests", "description"): DESCRIPTION_MAX,
    ("repair_requests", "address"): ADDRESS_MAX,
    ("repair_requests", "rating_comment"): COMMENT_MAX,
    ("status_events", "note"): STEP_NOTE_MAX,
    ("job_reports", "notes"): NOTES_MAX,
    ("profiles", "display_name"): DISPLAY_NAME_MAX,
}

# (table, column) → (least, most) a numeric column may hold.
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("repair_requests", "rating"): (RATING_MIN, RATING_MAX),
    ("request_photos", "idx"): (0, AFTER_PHOTO_INDEX_MAX),  # the citizen's before photos: test_before_photos_keep_five
    ("job_reports", "hours"): (0, MAX_HOURS),
    ("technician_skills", "level"): (MIN_LEVEL, MAX_LEVEL),
}


def column_checks(conn: psycopg.Connection[Any], table: str, column: str) -> list[str]:
    """The definitions of the check constraints on `public.table` that mention only `column`."""
    rows = conn.execute(
        """select pg_get_constraintdef(c.oid)
             from pg_constraint c
             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
            where c.conrelid = %s::regclass and c.contype = 'c' and a.attname = %s
              and cardinality(c.conkey) = 1""",
        [f"public.{table}", column],
    ).fetchall()
    return [str(r[0]) for r in rows]


@pytest.mark.parametrize("enum", sorted(ENUMS))
def test_enums_match(database_url: str, enum: str) -> None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"select enum_range(null::public.{enum})::text[]").fetchone()
    assert row is not None
    assert set(row[0]) == ENUMS[enum]


def test_the_api_and_the_labels_use_the_one_offer_status() -> None:
    assert Offer.model_fields["offer_status"].annotation is OfferStatus
    assert set(OFFER_STATUS_LABELS) == set(OfferStatus)


@pytest.mark.parametrize(("table", "column"), sorted(LENGTH_MAX))
def test_length_limits_match(database_url: str, table: str, column: str) -> None:
    with psycopg.connect(database_url) as conn:
        checks = column_checks(conn, table, column)
    most = [int(m) for check in checks for m in re.findall(rf"length\({column}\) <= (\d+)", check)]
    assert most == [LENGTH_MAX[(table, column)]], checks


@pytest.mark.parametrize(("table", "column"), sorted(RANGES))
def test_numeric_ranges_match(database_url: str, table: str, column: str) -> None:
    with psycopg.connect(database_url) as conn:
        checks = " ".join(column_checks(conn, table, column))
    least = [float(m) for m in re.findall(rf"\b{column} >= \(?'?(-?[\d.]+)", checks)]
    most = [float(m) for m in re.findall(rf"\b{column} <= \(?'?(-?[\d.]+)", checks)]
    assert (least, most) == ([RANGES[(table, column)][0]], [RANGES[(table, column)][1]]), checks


def test_before_photos_keep_five(database_url: str) -> None:
    """An after photo's index runs over every student's work on a job (shared.photos.after_photo_span); a before
    photo's, the citizen's one set, stays within MAX_PHOTOS_PER_REQUEST."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select pg_get_constraintdef(oid) from pg_constraint "
                           "where conname = 'request_photos_before_idx_check'").fetchone()
    assert row is not None
    assert re.findall(r"\bidx <= (\d+)", row[0]) == [str(MAX_PHOTOS_PER_REQUEST - 1)], row[0]


def test_photo_kinds_match(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        checks = " ".join(column_checks(conn, "request_photos", "kind"))
    assert set(re.findall(r"'(\w+)'::text", checks)) == set(get_args(PhotoKind)), checks


def test_an_invitations_default_window_matches(database_url: str) -> None:
    """The backend writes every invitation's expiry from INVITATION_OPEN_DAYS; the column's default (a row written
    by hand or by SQL) gives the same window."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d
               join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
               where d.adrelid = 'private.staff_invites'::regclass and a.attname = 'expires_at'""").fetchone()
    assert row is not None
    assert re.findall(r"'(\d+) days'::interval", row[0]) == [str(INVITATION_OPEN_DAYS)], row[0]
