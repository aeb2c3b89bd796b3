"""Reading repair requests for each role's home. RLS already limits rows; the filters say what each list is.

The citizen's list, the offers feed and the dashboard come in two forms over the same SQL: rows, and the response
body as PostgreSQL writes it (`*_json`, what the routes send and what bench.scale measures, issue 15). The row
forms are the reference tests/integration/test_json_reads.py checks the bodies against, through the response
models."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, read_one
from backend.paging import After, after_sql, keyset_params, split_page
from backend.services.college_counts import status_counts
from backend.services.json_sql import as_body, json_object
from backend.services.profiles import profile_sql, read_checked
from shared.paging import LIST_PAGE
from shared.reference import PREFIX
from shared.roles import AppRole
from shared.thai_time import bangkok_week_start
from shared.wire import CollegeRef, Offer, QueueItem, RequestSummary

_SUMMARY = f"""
    select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code,
           cat.name_th as category_name_th, cat.name_en as category_name_en,
           cat.icon as category_icon, r.item, r.status, r.created_at, r.updated_at,
           col.name_th as college_name_th, col.name_en as college_name_en
    from public.repair_requests r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
"""


def _mine(citizen: str) -> str:
    """A page of the requests of the citizen whose id is the expression `citizen`, newest first (`%(peek)s` of them:
    a page and one more, after the cursor's place (keyset, backend.paging) or from `%(offset)s` on (an older app);
    the id breaks a tie, so the pages neither repeat nor skip one): a walk of the index repair_requests_citizen
    (citizen_id, created_at desc) from the cursor's time on."""
    return _SUMMARY + (f" where r.citizen_id = {citizen} and "
                       f"{after_sql('r.created_at', 'r.id', newest_first=True)} order by r.created_at desc, r.id "
                       "limit %(peek)s offset %(offset)s")


_MINE = _mine("%(user)s")
# How many requests the citizen has in all (the X-Total-Count header): counted on the same index, without its rows.
_MINE_TOTAL = "select count(*) from public.repair_requests c where c.citizen_id = %(user)s"


def _page(user: uuid.UUID, limit: int, offset: int, after: After | None = None) -> dict[str, Any]:
    return {"user": user, "limit": limit, "offset": offset, **keyset_params(after, limit)}


async def citizen_requests(conn: Conn, citizen_id: uuid.UUID, limit: int = LIST_PAGE, offset: int = 0,
                           after: After | None = None) -> list[dict[str, Any]]:
    """A page of the citizen's requests, newest first."""
    cur = await conn.execute(_MINE, _page(citizen_id, limit, offset, after))
    return (await cur.fetchall())[:limit]


async def _body(conn: Conn, query: str, params: Any) -> bytes:
    """The one value of a statement that builds a response body: fetched in binary as bytea (`convert_to`), so
    neither psycopg decodes it into a str nor the route encodes it back (the offers feed's is ~100 KB of Thai)."""
    row = await (await conn.execute(query, params, binary=True)).fetchone()
    assert row is not None  # an aggregate without group by: always one row
    body: bytes = row["body"]
    return body


# The page (the rows `_MINE` read but the extra one), with where its last row is: the next page's cursor when
# `more` (the extra row came).
_NUMBERED = f"select s.*, row_number() over (order by s.created_at desc, s.id) as n from ({_MINE}) s"
_MINE_LIST = (f"coalesce(json_agg({json_object(RequestSummary, 's')} order by s.created_at desc, s.id) "
              "filter (where s.n <= %(limit)s), '[]')")
_MINE_LAST = ("(array_agg(s.created_at order by s.n desc) filter (where s.n <= %(limit)s))[1] as last_at, "
              "(array_agg(s.id order by s.n desc) filter (where s.n <= %(limit)s))[1] as last_id, "
              "count(*) > %(limit)s as more")
_MINE_JSON = f"select {as_body(_MINE_LIST)}, {_MINE_LAST} from ({_NUMBERED}) s"


def _next_cursor(row: Mapping[str, Any]) -> str | None:
    return After(row["last_at"], row["last_id"]).cursor() if row["more"] else None


async def citizen_requests_json(conn: Conn, citizen_id: uuid.UUID, limit: int = LIST_PAGE, offset: int = 0,
                                after: After | None = None) -> bytes:
    """`citizen_requests`' page as the response body (a JSON array of RequestSummary), built by PostgreSQL."""
    return await _body(conn, _MINE_JSON, _page(citizen_id, limit, offset, after))


# GET /requests/mine in one statement: the caller's profile as the owner's role check reads it (`load_profile`: any
# active role; enums as text, fetched in binary), and for an active one a page of their list
# (`citizen_requests_json`'s, with the next page's cursor), how many requests they have in all (X-Total-Count,
# audit 17b: an index-only count on repair_requests_citizen) and their unread notifications (the bell's number, read
# under the caller's own row-level security: their notifications only; notifications_unread is a partial index on
# it). No row: RLS shows no profile (suspended, or none).
_OWNER_HOME_JSON = f"""
    select me.role::text as role, me.is_active, page.body, page.last_at, page.last_id, page.more,
           case when me.is_active then ({_MINE_TOTAL}) end as total,
           case when me.is_active then (select count(*) from public.notifications n
                                        where n.recipient_id = %(user)s and n.read_at is null) end as unread
    from public.profiles me
    left join lateral ({_MINE_JSON}) page on me.is_active
    where me.id = %(user)s
"""


async def citizen_home_json(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any], user_id: uuid.UUID,
                            limit: int = LIST_PAGE, offset: int = 0, after: After | None = None
                            ) -> tuple[bytes, int, str | None, int]:
    """GET /requests/mine's read under these claims: the owner's role check (any active role; its refusals), a page
    of their list as the response body, how many requests they have in all (the X-Total-Count header), the next
    page's cursor (X-Next-Cursor; None on the last page) and their unread notification count (the X-Unread-Count
    header), one statement in a transaction of its own with one wait for PostgreSQL (`read_one`), where the check,
    the list and COMMIT were three (issue 15)."""
    row = await read_checked(pool, claims, _OWNER_HOME_JSON, _page(user_id, limit, offset, after), *AppRole)
    body: bytes = row["body"]
    return body, int(row["total"]), _next_cursor(row), int(row["unread"])


# my_jobs_after (migration 0077) reads a page after the cursor's place on each branch's index; my_jobs (0069) from
# an older app's `offset`.
_MY_JOBS = f"""
    select n.total, j.id, '{PREFIX}' || j.ref_no as reference, j.category_code, j.category_name_th,
           j.category_name_en, j.category_icon, j.item, j.status, j.created_at, j.updated_at, j.college_name_th,
           j.college_name_en, j.helping
    from (select public.my_jobs_count() as total) n
    left join {{jobs}} j on true
    order by j.updated_at desc, j.id
"""
_MY_JOBS_AFTER = _MY_JOBS.format(jobs="public.my_jobs_after(%(peek)s, %(after_at)s, %(after_id)s)")
_MY_JOBS_FROM = _MY_JOBS.format(jobs="public.my_jobs(%(peek)s, %(offset)s)")


def job_place(row: Mapping[str, Any]) -> After:
    """A job's place in a student's list, newest change first (the cursor of the next page after it)."""
    return After(row["updated_at"], row["id"])


async def technician_jobs(conn: Conn, limit: int = LIST_PAGE, offset: int = 0, after: After | None = None
                          ) -> tuple[list[dict[str, Any]], int, str | None]:
    """A page of the caller's jobs (by the claims), newest change first, how many they have in all and the next
    page's cursor (None on the last page): one statement. `my_jobs_after()` filters by auth.uid() and limits inside
    (migration 0019): with the filter under row-level security the planner sorted all of a student's jobs before
    the limit. It lists the jobs they help on too (`helping`, migration 0050), `limit` of them after the cursor's
    place (migration 0077) or from an older app's `offset` (0069; `my_jobs_count()` counts them)."""
    rows = await (await conn.execute(_MY_JOBS_FROM if offset else _MY_JOBS_AFTER,
                                     {"offset": offset, **keyset_params(after, limit)})).fetchall()
    total = int(rows[0]["total"]) if rows else 0
    jobs, next_cursor = split_page([{k: v for k, v in row.items() if k != "total"} for row in rows
                                    if row["id"] is not None], limit, job_place)
    return jobs, total, next_cursor


async def technician_offers(conn: Conn, open_only: bool = True) -> list[dict[str, Any]]:
    """Offers a student can still answer (pending, not expired), newest first: taken, declined and expired ones
    are history, and an accepted job is on the student's job list instead. Every field of a card, the citizen's
    description included (while the offer is pending), is on the offer row (migration 0025): no read of the
    request per card."""
    cur = await conn.execute(
        "select offer_id, request_id, offer_status, category_code, item, province, district, "
        "distance_km::float as distance_km, created_at, expires_at, photo_count, description, location_approximate "
        "from public.my_offer_cards(%s, 200)",
        [open_only],
    )
    return await cur.fetchall()


_OFFER_CARD = json_object(Offer, "c", distance_km="c.distance_km::float8")
_OFFERS_LIST = f"coalesce(json_agg({_OFFER_CARD} order by c.ordinality), '[]')"
_OFFERS_JSON = f"select {as_body(_OFFERS_LIST)} from public.my_offer_cards(%s, 200) with ordinality c"


async def technician_offers_json(conn: Conn, open_only: bool = True) -> bytes:
    """`technician_offers` as the response body (a JSON array of Offer, in the function's order), built by
    PostgreSQL."""
    return await _body(conn, _OFFERS_JSON, [open_only])


# GET /technician/offers in one statement: the caller's profile as the technician's role check reads it, and for an
# active technician their open offers (`technician_offers_json`'s body). No row: RLS shows no profile.
_TECHNICIAN_HOME_JSON = f"""
    select me.role::text as role, me.is_active, me.takes_jobs,
           case when me.role = '{AppRole.TECHNICIAN.value}' and me.is_active then (
               select {as_body(_OFFERS_LIST)} from public.my_offer_cards(true, 200) with ordinality c) end as body
    from public.profiles me
    where me.id = %(user)s
"""


async def technician_home_json(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any],
                               user_id: uuid.UUID) -> tuple[bytes, bool]:
    """GET /technician/offers' read under these claims: the technician's role check (its refusals), their open
    offers as the response body and whether their college lets them take jobs (the X-Takes-Jobs header), one
    statement in a transaction of its own with one wait for PostgreSQL (`read_one`), where the check, the offers and
    COMMIT were three (issue 15)."""
    row = await read_checked(pool, claims, _TECHNICIAN_HOME_JSON, {"user": user_id}, AppRole.TECHNICIAN)
    body: bytes = row["body"]
    return body, bool(row["takes_jobs"])


async def college_queue(conn: Conn, college_id: uuid.UUID) -> tuple[dict[str, int], list[dict[str, Any]]]:
    counts = await status_counts(conn, college_id)
    cur = await conn.execute(
        _SUMMARY + " where r.college_id = %s order by r.updated_at desc limit 200", [college_id]
    )
    return counts, await cur.fetchall()


def chart_since(now: datetime, weeks: int) -> datetime:
    """Where the weekly chart starts: Monday 00:00 in Bangkok `weeks - 1` weeks before this week's, so it shows
    `weeks` whole Bangkok weeks (its buckets, migration 0033), the oldest with every request of its seven days."""
    return bangkok_week_start(now, weeks_back=weeks - 1)


async def college_dashboard(conn: Conn, college_id: uuid.UUID, now: datetime, weeks: int = 8) -> dict[str, Any]:
    """Counts by status, jobs per category per week and the whole quality-check queue (longest-waiting first) in
    one statement: one round trip. The counts and the weekly chart come from `public.college_figures` (the counts
    from running totals, migration 0027; the chart an index-only scan of its weeks as the owner, where RLS would
    fetch every row of the college), the queue from
    `public.college_quality_check_queue` (migration 0026: one index walk over the waiting jobs; read by primary key
    per job, its cost grew with the whole table). Both answer only an admin or a supervisor of that college."""
    row = await (await conn.execute(_DASHBOARD, {"college": college_id, "since": chart_since(now, weeks)})
                 ).fetchone()
    assert row is not None
    return dict(row)


async def college_dashboard_json(conn: Conn, college: CollegeRef, now: datetime, weeks: int = 8) -> bytes:
    """`college_dashboard` with the college as the response body (a Dashboard), built by PostgreSQL in the same one
    statement."""
    return await _body(
        conn, _DASHBOARD_JSON,
        {"college": college.id, "code": college.code, "name_th": college.name_th, "name_en": college.name_en,
         "since": chart_since(now, weeks)},
    )


def _quality_check(college: str) -> str:
    """The dashboard's queue: what waits for the college's decision (migration 0071 `college_decision_queue`: the
    check, unrepairable items to hand back, jobs held by a suspended student), under its old name `quality_check`."""
    return f"""
    select q.id, '{PREFIX}' || q.ref_no as reference, q.category_code, q.category_name_th, q.category_name_en,
           q.category_icon, q.item, q.status, q.created_at, q.updated_at, q.college_name_th, q.college_name_en,
           q.holder_suspended
    from public.college_decision_queue({college}) q
"""


def _figures(college: str) -> str:
    return f"""
    from (select 1) one
    left join public.college_figures({college}, %(since)s) f on true
"""


_DASHBOARD = f"""
    select coalesce(f.counts, '{{}}'::jsonb) as counts, coalesce(f.weekly, '[]'::jsonb) as weekly,
      (select coalesce(jsonb_agg(q order by q.updated_at, q.id), '[]'::jsonb) from ({_quality_check("%(college)s")}) q)
        as quality_check
    {_figures("%(college)s")}
"""
_QUEUE_ITEM = json_object(QueueItem, "q")


def _board(college: str, college_json: str) -> str:
    """A Dashboard as PostgreSQL writes it, for the college whose id is the expression `college`."""
    return f"""json_build_object(
      'college', {college_json},
      'counts', coalesce(f.counts, '{{}}'::jsonb), 'weekly', coalesce(f.weekly, '[]'::jsonb),
      'quality_check', (select coalesce(json_agg({_QUEUE_ITEM} order by q.updated_at, q.id), '[]')
                        from ({_quality_check(college)}) q))"""


_COLLEGE_JSON = json_object(CollegeRef, "", id="%(college)s::uuid", code="%(code)s::text",
                            name_th="%(name_th)s::text", name_en="%(name_en)s::text")
_DASHBOARD_JSON = f"select {as_body(_board('%(college)s', _COLLEGE_JSON))} {_figures('%(college)s')}"
# GET /supervisor/dashboard in one statement: the caller's profile as `load_profile` reads it (enums as text: fetched
# in binary), and the board of their college when they are a supervisor with one (the profile's `college` is the
# CollegeRef the board names, written the same way); the route checks the role on the profile.
_SUPERVISOR_DASHBOARD_JSON = f"""
    select me.id, me.role::text as role, me.display_name, me.phone, me.locale::text as locale, me.is_active,
           me.takes_jobs, me.college,
           case when me.role = 'supervisor' and me.is_active and mc.id is not null then (
               select {as_body(_board("mc.id", "me.college"))} {_figures("mc.id")}) end as body
    from ({profile_sql("%(user)s")}) me
    cross join lateral (select (me.college ->> 'id')::uuid as id) mc
"""


async def supervisor_dashboard_json(conn: Conn, user_id: uuid.UUID, now: datetime,
                                    weeks: int = 8) -> tuple[dict[str, Any] | None, bytes | None]:
    """The caller's profile (None: RLS shows none) and, when they are an active supervisor with a college, that
    college's `college_dashboard_json` body: one statement, one round trip, where the role check and the board were
    two. The caller checks the role on the profile (`checked_profile`)."""
    return _profile_and_board(await (await conn.execute(
        _SUPERVISOR_DASHBOARD_JSON, _supervisor_params(user_id, now, weeks), binary=True)).fetchone())


async def read_supervisor_dashboard_json(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any],
                                         user_id: uuid.UUID, now: datetime,
                                         weeks: int = 8) -> tuple[dict[str, Any] | None, bytes | None]:
    """`supervisor_dashboard_json` as a transaction of its own under these claims, the statement and COMMIT in one
    wait (`read_one`)."""
    return _profile_and_board(await read_one(pool, claims, _SUPERVISOR_DASHBOARD_JSON,
                                             _supervisor_params(user_id, now, weeks), binary=True))


def _supervisor_params(user_id: uuid.UUID, now: datetime, weeks: int) -> dict[str, Any]:
    return {"user": user_id, "since": chart_since(now, weeks)}


def _profile_and_board(row: dict[str, Any] | None) -> tuple[dict[str, Any] | None, bytes | None]:
    if row is None:
        return None, None
    body: bytes | None = row.pop("body")
    return row, body
