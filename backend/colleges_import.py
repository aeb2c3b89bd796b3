"""Reads a colleges CSV (the demo list or the official OVEC list) and upserts it by college code.

Every row is checked before anything is written: one bad row stops the import, and its line and reason are
reported, so a partial list never reaches the database by accident.
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from psycopg import sql
from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.geo import SERVICE_RADIUS_MAX_KM, SERVICE_RADIUS_MIN_KM, in_thailand
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.text import error_text
from shared.visible_text import is_plain_name

COLUMNS = ("code", "name_th", "name_en", "province_th", "province_en", "region", "lat", "lon", "service_radius_km")
# Optional: the college's phone for citizens (any Thai form: 053-123-456, +66 53 123 456); empty keeps the stored one.
OPTIONAL_COLUMNS = ("phone",)
REGIONS = ("north", "northeast", "central", "east", "west", "south")


class CollegeRow(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    province_th: str = Field(min_length=1, max_length=100)
    province_en: str = Field(min_length=1, max_length=100)
    region: str
    lat: float
    lon: float
    service_radius_km: Decimal = Field(ge=Decimal(str(SERVICE_RADIUS_MIN_KM)), le=Decimal(str(SERVICE_RADIUS_MAX_KM)))
    phone: str | None = None

    @field_validator("code", "name_th", "name_en", "province_th", "province_en", "region", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("name_th", "name_en", "province_th", "province_en")
    @classmethod
    def _plain(cls, value: str) -> str:
        # The API's college form keeps the same rule (backend.schemas.PlaceName): a NUL here failed the upsert with
        # a raw database error; escape sequences and direction overrides went into every list that shows colleges.
        if not is_plain_name(value):
            raise ValueError("control characters, a text-direction override or nothing visible: not a name")
        return unicodedata.normalize("NFC", value)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return normalize_thai_phone(str(value))
        except InvalidPhone:
            raise ValueError("not a Thai phone number (e.g. 053-123-456)") from None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if value not in REGIONS:
            raise ValueError(f"must be one of {', '.join(REGIONS)}")
        return value

    def check_location(self) -> str | None:
        return None if in_thailand(self.lat, self.lon) else "lat/lon: the point is outside Thailand"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"แถว/line {self.line}: {self.message}"


@dataclass(frozen=True)
class ParsedColleges:
    rows: list[CollegeRow]
    errors: list[RowError]


def _unreadable(line: int) -> RowError:
    words = error_text("csv_unreadable")
    return RowError(line, f"{words.th} / {words.en}")


def parse_colleges_csv(data: bytes | str) -> ParsedColleges:
    """Every row checked; a file's bytes must be UTF-8, with or without the BOM Excel's "CSV UTF-8" writes (Thai
    Excel's plain "CSV" saves Windows-874: refused on the line of its first such byte, nothing read)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            words = error_text("csv_not_utf8")
            return ParsedColleges([], [RowError(data[:exc.start].count(b"\n") + 1, f"{words.th} / {words.en}")])
    else:
        text = data
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error:
        return ParsedColleges([], [_unreadable(1)])
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        return ParsedColleges([], [RowError(1, f"missing columns: {', '.join(missing)}")])
    rows: list[CollegeRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    while True:
        # The csv module's own refusals (a quote opened and never closed makes the rest of the file one field, past
        # its field size limit in a list as long as OVEC's) are the line where the unreadable record starts, as the
        # students' import reports them: never a traceback.
        starts = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(_unreadable(starts))
            break
        line = reader.line_num
        try:
            row = CollegeRow.model_validate({c: record.get(c) for c in COLUMNS + OPTIONAL_COLUMNS})
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"])
                errors.append(RowError(line, f"{field}: {err['msg']}"))
            continue
        if (problem := row.check_location()) is not None:
            errors.append(RowError(line, problem))
            continue
        if row.code in seen:
            errors.append(RowError(line, f"code {row.code} repeats line {seen[row.code]}"))
            continue
        seen[row.code] = line
        rows.append(row)
    return ParsedColleges(rows, errors)


_UPSERT = """
    insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                 service_radius_km, coordinates_approximate, phone)
    values (%(code)s, %(name_th)s, %(name_en)s, %(province_th)s, %(province_en)s, %(region)s, %(lat)s, %(lon)s,
            %(service_radius_km)s, %(approximate)s, %(phone)s)
    on conflict (code) do update set
        name_th = excluded.name_th, name_en = excluded.name_en, province_th = excluded.province_th,
        province_en = excluded.province_en, region = excluded.region, lat = excluded.lat, lon = excluded.lon,
        service_radius_km = excluded.service_radius_km, coordinates_approximate = excluded.coordinates_approximate,
        phone = coalesce(excluded.phone, public.colleges.phone)
"""


def upsert_colleges(
    conn: psycopg.Connection[tuple[object, ...]],
    rows: Iterable[CollegeRow],
    approximate: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Upsert inside one transaction: all rows or none."""
    count = 0
    with conn.transaction(), conn.cursor() as cur:
        for row in rows:
            cur.execute(_UPSERT, {**row.model_dump(), "approximate": approximate})
            count += 1
            if progress is not None:
                progress(1)
    return count


# A code an admin renamed away (the audit trail keeps the old one: colleges are never deleted) is not missing: the
# college is there under its new code.
_ADD_MISSING = """
    insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                 service_radius_km, coordinates_approximate, phone)
    values (%(code)s, %(name_th)s, %(name_en)s, %(province_th)s, %(province_en)s, %(region)s, %(lat)s, %(lon)s,
            %(service_radius_km)s, %(approximate)s, %(phone)s)
    on conflict (code) do nothing
    returning id
"""
# The codes an admin renamed away (colleges are never deleted; the audit trail keeps each rename), read once.
_RENAMED_AWAY = """
    select distinct a.before ->> 'code' from public.audit_events a
    where a.action = 'college.update' and a.target_table = 'colleges'
      and a.after ->> 'code' is distinct from a.before ->> 'code'
"""


def add_missing_colleges(
    conn: psycopg.Connection[tuple[object, ...]], rows: Iterable[CollegeRow], approximate: bool
) -> int:
    """Adds the colleges whose code is not there yet (nor renamed away), in one transaction; a college already
    there is left exactly as it is (what an admin corrected, an official import's place, a closing). Returns how
    many were added."""
    added = 0
    with conn.transaction(), conn.cursor() as cur:
        renamed = {code for (code,) in cur.execute(_RENAMED_AWAY).fetchall()}
        for row in rows:
            if row.code in renamed:
                continue
            cur.execute(_ADD_MISSING, {**row.model_dump(), "approximate": approximate})
            added += cur.fetchone() is not None
    return added


# The fields of a college the demo list gives, each group kept or refreshed whole: a place is its point and whether
# the point is a guess.
_DEMO_FIELD_GROUPS = (("name_th",), ("name_en",), ("province_th",), ("province_en",), ("region",),
                      ("lat", "lon", "coordinates_approximate"), ("service_radius_km",), ("phone",))
# The fields an admin changed on each college (PATCH /admin/colleges: a `college.update` with a person behind it,
# actor_id; the operator's import and earlier seeds have none).
_ADMIN_CORRECTED = """
    select c.code, e.key
    from public.colleges c
    join public.audit_events a on a.target_id = c.id and a.target_table = 'colleges' and a.action = 'college.update'
    cross join lateral jsonb_each(a.after) e(key, value)
    where c.code = any(%s) and a.actor_id is not null and a.before -> e.key is distinct from e.value
"""


def refresh_demo_colleges(conn: psycopg.Connection[tuple[object, ...]], rows: Iterable[CollegeRow]) -> int:
    """A demo seed (development only) brings the demo colleges already in the database to the demo list's current
    data, field by field, except what an admin corrected (any field a person changed through the app, a place as a
    whole: its point and whether it is approximate). Which colleges: the list's codes (a code an admin renamed away
    is no longer there under it). Whether a college is open is not the list's: it stays. In one transaction; returns
    how many colleges changed."""
    rows = list(rows)
    changed = 0
    with conn.transaction(), conn.cursor() as cur:
        corrected: dict[str, set[str]] = {}
        for code, key in cur.execute(_ADMIN_CORRECTED, [[r.code for r in rows]]).fetchall():
            corrected.setdefault(str(code), set()).add(str(key))
        for row in rows:
            values: dict[str, object] = {**row.model_dump(), "coordinates_approximate": True}
            if values["phone"] is None:
                values.pop("phone")  # the list says nothing of this college's phone
            kept = corrected.get(row.code, set())
            fields = [f for group in _DEMO_FIELD_GROUPS if not kept & set(group) for f in group if f in values]
            if not fields:
                continue
            columns = sql.SQL(", ").join(sql.Identifier(f) for f in fields)
            placeholders = sql.SQL(", ").join(sql.Placeholder(f) for f in fields)
            cur.execute(
                sql.SQL("update public.colleges set ({c}) = row({p}) where code = %(code)s "
                        "and ({c}) is distinct from ({p})").format(c=columns, p=placeholders),
                {**values, "code": row.code},
            )
            changed += cur.rowcount
    return changed
