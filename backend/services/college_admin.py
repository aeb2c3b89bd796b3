"""A supervisor's view of their college: dashboard, students, job export and the training-hours ledger.

Reads run as the supervisor (RLS limits them to their college), but for the ledger's (read as the owner for the
college's supervisor: its hours stay with the college they were approved for); writes run as the owner after
checking the student belongs to that college."""

import uuid
from datetime import datetime
from typing import Any

from psycopg import sql

from backend.db import Conn
from backend.errors import ApiError
from backend.paging import After, after_sql, keyset_params, split_page
from backend.services.college_counts import status_counts
from backend.services.credit import ROUND_BEGAN_SQL, WORK_BEGAN_SQL
from backend.services.dispatch import DispatchPolicy
from backend.services.staff import end_open_offers, jobs_in_hand
from shared.categories import MAX_LEVEL, MIN_LEVEL, level_valid
from shared.reference import PREFIX, parse_reference
from shared.statuses import REASSIGNABLE, STATUS_GROUPS, WORK_IN_HAND, RequestStatus, StatusGroup, group_of
from shared.visible_text import normal_form
from shared.work import supervisor_actions


async def students(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        # is_active: takes this college's jobs now - on the roster (takes_jobs, the teacher's switch) and an account
        # the operator has not suspended (is_active): the job screen's assign list offers only these. suspended: the
        # operator's suspend-person (the account is not usable), so the app says why such a student is off.
        """select p.id, p.display_name, p.phone, p.is_active and p.takes_jobs as is_active,
                  not p.is_active as suspended,
                  (select count(*)::int from public.repair_requests r
                   where r.technician_id = p.id and r.status = any(%s::public.request_status[])) as open_jobs,
                  coalesce((select jsonb_object_agg(ts.skill_code, ts.level) from public.technician_skills ts
                            where ts.technician_id = p.id), '{}'::jsonb) as skills
           from public.profiles p
           where p.college_id = %s and p.role = 'technician'
           order by p.is_active and p.takes_jobs desc, p.display_name""",
        [[s.value for s in WORK_IN_HAND], college_id],
    )
    return await cur.fetchall()


async def update_student(
    owner: Conn, college_id: uuid.UUID, student_id: uuid.UUID, is_active: bool | None, skills: dict[str, int] | None,
    now: datetime, policy: DispatchPolicy,
) -> None:
    # No key update: the columns guarded here are no key, and an accept's foreign-key check (FOR KEY SHARE, setting
    # repair_requests.technician_id under its request lock) must not wait for it - FOR UPDATE made the two deadlock
    # (dispatch.py's note on the lock order).
    row = await (
        await owner.execute(
            "select college_id, is_active from public.profiles where id = %s and role = 'technician'"
            " for no key update",
            [student_id],
        )
    ).fetchone()
    if row is None or row["college_id"] != college_id:
        raise ApiError(404, "not_found")
    if is_active is True and not row["is_active"]:
        # The operator suspended the account (suspend-person): a teacher's switch-on would set takes_jobs yet the
        # student would still show off and take nothing; refused before anything changes, skills included.
        raise ApiError(409, "student_suspended")
    if skills is not None:
        known = {r["code"] for r in await (await owner.execute("select code from public.skills")).fetchall()}
        if any(code not in known or not level_valid(level) for code, level in skills.items()):
            raise ApiError(400, "validation_failed",
                           detail=f"skills: known skill codes with levels {MIN_LEVEL}–{MAX_LEVEL}")
        await owner.execute("delete from public.technician_skills where technician_id = %s", [student_id])
        for code, level in skills.items():
            await owner.execute("insert into public.technician_skills values (%s, %s, %s)", [student_id, code, level])
    if is_active is False:
        # Offers first (their requests locked: an accept under way counts below); switched off, the student could
        # not finish jobs in hand and nobody would see them stuck: staff.py says why a refusal, not a hand-over.
        await end_open_offers(owner, student_id, now, policy)
        if count := await jobs_in_hand(owner, student_id):
            raise ApiError(409, "student_has_jobs", count=count)
    if is_active is not None:
        # The roster, not the account (migration 0035): switched off, the student still signs in to what is theirs.
        await owner.execute("update public.profiles set takes_jobs = %s where id = %s", [is_active, student_id])


async def ledger(owner: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    """Per student: the jobs whose hours a teacher approved for them (issue 14's job_team: as lead or helper, every
    approved round of a reopened job), those approved hours, and the jobs' categories. A job marked done whose hours
    are not approved yet is not training time yet, and the hours a student reported are not what is credited.

    Hours count at the college they were approved for (job_team.college_id, migration 0046), not at the request's
    college now nor the student's: a reopened job gone on to another college, or a student an admin moved away,
    keeps what was credited here. Read as the owner, as the routes' supervisor of `college_id` (such a job or
    student is no longer theirs to see under RLS)."""
    cur = await owner.execute(
        """
        with credited as (
            select t.technician_id, t.request_id, r.category_code, sum(t.approved_hours) as hours
            from public.job_team t
            join public.repair_requests r on r.id = t.request_id
            where t.college_id = %(college)s and t.approved_at is not null
            group by t.technician_id, t.request_id, r.category_code
        )
        select p.id as technician_id, p.display_name, count(c.request_id)::int as approved_jobs,
               coalesce(sum(c.hours), 0)::float as hours,
               coalesce(array_agg(distinct c.category_code) filter (where c.category_code is not null), '{}')
                   as categories
        from public.profiles p
        left join credited c on c.technician_id = p.id
        where (p.college_id = %(college)s and p.role = 'technician')
           or p.id in (select technician_id from credited)
        group by p.id order by approved_jobs desc, p.display_name
        """,
        {"college": college_id},
    )
    return await cur.fetchall()


async def jobs(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"""select r.id, '{PREFIX}' || r.ref_no as reference, r.created_at, r.category_code,
                  cat.name_th as category_name_th, cat.name_en as category_name_en, r.item, r.brand, r.status,
                  r.province, r.district, p.display_name as technician,
                  -- the report of the work the job's record now evidences (credit.WORK_BEGAN_SQL): a reopened
                  -- job's earlier report is of the earlier repair, and one written before a take back or a
                  -- reassign is the former student's (their hours stay theirs on the team, not the holder's)
                  case when j.work_event is not distinct from {WORK_BEGAN_SQL.format(rid='r.id')}
                       then j.hours::float end as hours, r.rating,
                  -- the parts the owner approved: the report's own priced list is a working note (audit13)
                  (select sum(jp.qty * jp.price_baht)::float from public.job_parts jp
                   where jp.request_id = r.id and jp.status = 'approved') as parts_approved_total,
                  -- the check of the job's current round: a reopened job's earlier approval may be another
                  -- college's (one that moved on here), never this college's to show as its own (credit13)
                  (select max(e.created_at) from public.status_events e
                   where e.request_id = r.id and e.to_status = 'done'
                     and e.id > coalesce({ROUND_BEGAN_SQL.format(rid='r.id')}, 0)) as approved_at,
                  (select private.event_actor_first_name(e.id) from public.status_events e
                   where e.request_id = r.id and e.to_status = 'done'
                     and e.id > coalesce({ROUND_BEGAN_SQL.format(rid='r.id')}, 0)
                   order by e.id desc limit 1) as approved_by
           from public.repair_requests r
           join public.categories cat on cat.code = r.category_code
           left join public.profiles p on p.id = r.technician_id
           left join public.job_reports j on j.request_id = r.id
           where r.college_id = %s order by r.created_at desc, r.id desc""",
        [college_id],
    )
    return await cur.fetchall()


async def student_ledger(owner: Conn, college_id: uuid.UUID, student_id: uuid.UUID) -> dict[str, Any]:
    """One student's training record: the jobs whose hours a teacher approved for them at the college, with those
    hours (as `ledger`: keyed by the college the hours were approved for, read as the owner). A student of the
    college, or one moved away who has hours credited there."""
    student = await (
        await owner.execute(
            """select p.id, p.display_name from public.profiles p
               where p.id = %(student)s
                 and ((p.college_id = %(college)s and p.role = 'technician')
                      or exists (select 1 from public.job_team t where t.technician_id = p.id
                                 and t.college_id = %(college)s and t.approved_at is not null))""",
            {"student": student_id, "college": college_id},
        )
    ).fetchone()
    if student is None:
        raise ApiError(404, "not_found")
    cur = await owner.execute(
        f"""
        select '{PREFIX}' || r.ref_no as reference, r.item, cat.name_th as category_name_th,
               cat.name_en as category_name_en, sum(t.approved_hours)::float as hours,
               max(t.approved_at) as approved_at
        from public.job_team t
        join public.repair_requests r on r.id = t.request_id
        join public.categories cat on cat.code = r.category_code
        where t.college_id = %s and t.technician_id = %s and t.approved_at is not null
        group by r.id, cat.code order by approved_at, r.ref_no
        """,
        [college_id, student_id],
    )
    return {**student, "jobs": await cur.fetchall()}


async def category_names(conn: Conn) -> dict[str, tuple[str, str]]:
    rows = await (await conn.execute("select code, name_th, name_en from public.categories")).fetchall()
    return {r["code"]: (r["name_th"], r["name_en"]) for r in rows}


# A job still in the hands of a student the operator suspended waits for the teacher (migration 0071): marked.
_REASSIGNABLE = ", ".join(f"'{s.value}'" for s in sorted(REASSIGNABLE))
_JOB_ROW = f"""
    select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code, cat.name_th as category_name_th,
           cat.name_en as category_name_en, cat.icon as category_icon, r.item, r.brand, r.status, r.created_at,
           r.updated_at, r.province, r.district, r.service_place, r.technician_id, p.display_name as technician_name,
           coalesce(not p.is_active and r.status in ({_REASSIGNABLE}), false) as technician_suspended
    from public.repair_requests r
    join public.categories cat on cat.code = r.category_code
    left join public.profiles p on p.id = r.technician_id
"""


# The jobs after the cursor's place in the teacher's list (newest first, the id descending the tie-break).
_AFTER_JOB = after_sql("r.created_at", "r.id", newest_first=True, id_desc=True)


def _like(text: str) -> str:
    """A substring pattern for ILIKE with the user's % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def college_jobs(
    conn: Conn, college_id: uuid.UUID, groups: list[StatusGroup], search: str, limit: int, offset: int,
    after: After | None = None,
) -> dict[str, Any]:
    """The teacher's job list: the college's jobs in the chosen status groups (all when none), matching a
    reference number (FX-690001), the item or the student's name; newest first; one page (after the cursor's
    place, keyset: a job that leaves a filtered list meanwhile moves no other; or from an older app's `offset`), the
    total and the next page's cursor."""
    where: list[sql.Composable] = [sql.SQL("r.college_id = %(college)s")]
    params: dict[str, Any] = {"college": college_id, "limit": limit, "offset": offset,
                              **keyset_params(after, limit)}
    if groups:
        where.append(sql.SQL("r.status = any(%(statuses)s::public.request_status[])"))
        params["statuses"] = sorted({s.value for g in groups for s in STATUS_GROUPS[g]})
    search = normal_form(search.strip())  # as items and names are stored: "น้ำ" typed as four characters too
    if search:
        # Items and names stored before normal_form kept a SARA AM typed as two characters (NIKHAHIT and SARA AA,
        # the tone mark before or between them), in any word and mixed with the one-character form: both sides are
        # compared in their search form (migration 0086's private.search_form, normal_form in SQL), which the
        # item's trigram index is built on. Since 0089 that form is NFC too: a row stored in NFD or mixed (before
        # the NFC hardening, or written by SQL or Supabase's dashboard) is found as well.
        params["pattern"] = _like(search)
        matches: list[sql.Composable] = [
            sql.SQL("private.search_form(r.item) ilike private.search_form(%(pattern)s)"),
            sql.SQL("r.technician_id in (select s.id from public.profiles s where s.college_id = %(college)s and "
                    "s.role = 'technician' and private.search_form(s.display_name) ilike "
                    "private.search_form(%(pattern)s))"),
        ]
        if (number := parse_reference(search)) is not None:
            matches.insert(0, sql.SQL("r.ref_no = %(ref_no)s"))
            params["ref_no"] = number
        where.append(sql.SQL("({})").format(sql.SQL(" or ").join(matches)))
    condition = sql.SQL(" and ").join(where)
    count = sql.SQL("select count(*)::int as n from public.repair_requests r where {}").format(condition)
    total = await (await conn.execute(count, params)).fetchone()
    page = await conn.execute(
        sql.SQL(_JOB_ROW) + sql.SQL(" where {} and " + _AFTER_JOB
                                    + " order by r.created_at desc, r.id desc limit %(peek)s offset %(offset)s")
        .format(condition),
        params,
    )
    counts: dict[str, int] = dict.fromkeys((g.value for g in StatusGroup), 0)
    for status, n in (await status_counts(conn, college_id)).items():
        if (group := group_of(RequestStatus(status))) is not None:
            counts[group.value] += n
    rows, next_after = split_page(await page.fetchall(), limit, lambda row: After(row["created_at"], row["id"]))
    jobs = [{**row, "actions": supervisor_actions(RequestStatus(row["status"]))} for row in rows]
    return {"total": total["n"] if total else 0, "limit": limit, "offset": offset, "next_after": next_after,
            "counts": counts, "jobs": jobs}
