"""The administrator's desk: requests that no college could take, sent on by hand."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from backend.deps import AdminDep, IdentityDep, NowDep, PolicyDep, PoolDep, ReaderLocaleDep, UserConn, acting
from backend.errors import ApiError
from backend.paging import (
    PAGE_HEADERS,
    After,
    PageAfter,
    PageLimit,
    PageOffset,
    after_sql,
    keyset_params,
    page_headers,
    parse_after,
    split_page,
)
from backend.schemas import ROW_ID_MAX, AuditEvent, ErrorResponse
from backend.services import dispatch
from backend.services.request_detail import read_detail
from backend.services.transitions import Note, lock_status, log_event
from shared.credit import presence_categories
from shared.credit_wire import Teacher
from shared.paging import LIST_PAGE
from shared.reference import PREFIX
from shared.roles import Actor, AppRole
from shared.statuses import RequestStatus
from shared.wire import CollegeFit, DispatchBody, RequestDetail, UndecidedJob, WaitingRequest

router = APIRouter(tags=["admin"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})


def _waiting_place(row: dict[str, Any]) -> After:
    return After(row["created_at"], row["id"])


def _undecided_place(row: dict[str, Any]) -> After:
    return After(row["updated_at"], row["id"])


# Both admin lists count their total one way: a count of the whole list joined to the page, in the page's statement
# (the count and the page from one snapshot; a page past the end still has its count row), where /admin/undecided
# counted with a window over the page's rows and, on a page past the end, with a second statement.


@router.get("/admin/waiting", response_model=list[WaitingRequest],
            responses={200: {"headers": PAGE_HEADERS}, 400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
async def waiting(_: AdminDep, conn: UserConn, response: Response, limit: PageLimit = LIST_PAGE,
                  after: PageAfter = None, offset: PageOffset = 0) -> list[WaitingRequest]:
    """Requests in "no centre in range": no college near them has a student with a fitting skill. Oldest first (the
    one waiting longest is sent on first), a page at a time: `X-Total-Count` says how many wait in all; the next
    page is the rows after X-Next-Cursor's (`after`: a request sent on meanwhile moves no other). One statement on
    the partial index of the waiting ones (migration 0069), from the cursor's place, however many the country left
    waiting. `owner_suspended`: its citizen's account is suspended, why it waits and cannot be sent on now
    (review18a #2; one probe of the owner's profile by primary key per row of the page). With what the citizen wrote
    and how many before photos they sent (one probe of the photos' unique key per row): the admin reads the request
    before sending it on."""
    place = parse_after(after, offset)
    cur = await conn.execute(
        f"""with page as (
                select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code, cat.name_th as category_name_th,
                       cat.name_en as category_name_en, cat.icon as category_icon, r.item, r.status, r.created_at,
                       r.updated_at, null as college_name_th, null as college_name_en, r.lat, r.lon, r.province,
                       r.district, r.description,
                       (select count(*) from public.request_photos ph
                        where ph.request_id = r.id and ph.kind = 'before')::int as photo_count,
                       not exists (select 1 from public.profiles o where o.id = r.citizen_id and o.is_active)
                           as owner_suspended
                from public.repair_requests r join public.categories cat on cat.code = r.category_code
                where r.status = 'no_centre' and {after_sql('r.created_at', 'r.id', newest_first=False)}
                order by r.created_at, r.id
                limit %(peek)s offset %(offset)s)
            select n.total, p.* from (select count(*) as total from public.repair_requests c
                                      where c.status = 'no_centre') n
            left join page p on true
            order by p.created_at, p.id""",
        {"offset": offset, **keyset_params(place, limit)},
    )
    rows = await cur.fetchall()
    page, next_cursor = split_page([r for r in rows if r["id"] is not None], limit, _waiting_place)
    page_headers(response, int(rows[0]["total"]) if rows else 0, next_cursor)
    return [WaitingRequest.model_validate(r) for r in page]


@router.get("/admin/waiting/{request_id}/colleges", response_model=list[CollegeFit],
            responses={404: {"model": ErrorResponse}})
async def college_fit(request_id: uuid.UUID, identity: IdentityDep, pool: PoolDep) -> list[CollegeFit]:
    """For a request waiting for a college (no_centre): each active college, how many of its students fit the job
    (a skill of its category at the level it needs, as dispatch asks: `technician_skills.dispatch_college_id` is set
    only while the student is an active technician there; never the request's owner), whether the job needs a
    teacher present and whether the college has one. The send-on picker says it before the admin confirms, where
    the send-on answered 409 no_fitting_student / no_teacher_at_college after. Admins only; one statement, an index
    probe per college and needed skill. 404 when the request is not waiting (sent on meanwhile, or none such)."""
    async with acting(pool, identity, AppRole.ADMIN) as (owner, _):
        rows = await dispatch.college_fit(owner, request_id)
    if not rows:
        raise ApiError(404, "not_found")
    return [CollegeFit.model_validate(r) for r in rows]


@router.get("/admin/undecided", response_model=list[UndecidedJob],
            responses={200: {"headers": PAGE_HEADERS}, 400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
async def undecided(
    _: AdminDep, conn: UserConn, response: Response,
    limit: PageLimit = LIST_PAGE, after: PageAfter = None, offset: PageOffset = 0,
) -> list[UndecidedJob]:
    """Jobs waiting on a college's decision (its check, an unrepairable item's hand back, a job held by a suspended
    student) that nobody at the college can make now: it has no active teacher, its only teacher asked for the
    repair (migration 0071), or its only teachers worked on the job they would check (0074); and the high-risk jobs
    in a student's hands at a college with no active teacher, whose next step needs one present (`teacher_needed`,
    0088: an admin's take back sends it on). Longest waiting first,
    a page at a time: `X-Total-Count` says how many wait in all; the next page is the rows after X-Next-Cursor's
    (`after`: a job decided meanwhile moves no other). The function's rows are read once, for the count and the
    page."""
    place = parse_after(after, offset)
    cur = await conn.execute(
        f"""with u as materialized (select * from public.admin_undecided_jobs(%(presence)s::text[])),
            page as (
                select * from u where {after_sql('u.updated_at', 'u.id', newest_first=False)}
                order by u.updated_at, u.id limit %(peek)s offset %(offset)s)
            select n.total, p.id, '{PREFIX}' || p.ref_no as reference, p.category_code, p.category_name_th,
                   p.category_name_en, p.category_icon, p.item, p.status, p.created_at, p.updated_at, p.college_id,
                   p.college_name_th, p.college_name_en, p.why, p.holder_suspended
            from (select count(*) as total from u) n
            left join page p on true
            order by p.updated_at, p.id""",
        {"offset": offset, "presence": presence_categories(), **keyset_params(place, limit)},
    )
    rows = await cur.fetchall()
    page, next_cursor = split_page([r for r in rows if r["id"] is not None], limit, _undecided_place)
    page_headers(response, int(rows[0]["total"]) if rows else 0, next_cursor)
    return [UndecidedJob.model_validate(r) for r in page]


@router.get("/admin/requests/{request_id}/teachers", response_model=list[Teacher],
            responses={404: {"model": ErrorResponse}})
async def job_college_teachers(request_id: uuid.UUID, _: AdminDep, conn: UserConn) -> list[Teacher]:
    """The active teachers of the job's college, for an admin to name one present at a high-risk step they make (the
    send-back for rework of a check the admins decide: `teacher_present_id`), by the rule that step's check asks
    (backend/services/transitions.py `_RECORD_FACTS`; both ask `private.active_teachers`, 0121), so the picker
    offers exactly whom the move accepts; empty when the college has none (the move would answer 409
    presence_no_teacher). Read as the admin (row level security: an admin reads every request and profile); only ids
    and names go out. 404 when there is no such request."""
    rows = await (await conn.execute(
        """select p.id, p.display_name
           from public.repair_requests r
           left join lateral private.active_teachers(r.college_id) t(id) on true
           left join public.profiles p on p.id = t.id
           where r.id = %s
           order by p.display_name, p.id""", [request_id])).fetchall()
    if not rows:
        raise ApiError(404, "not_found")
    return [Teacher.model_validate(r) for r in rows if r["id"] is not None]


@router.get("/admin/audit", response_model=list[AuditEvent])
async def audit_trail(
    _: AdminDep, conn: UserConn,
    target_id: uuid.UUID | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEvent]:
    """Who changed a role, a college, a student's skills, a job's status or assignment: when and from where, newest
    first; page with `before_id` (the last id seen); `target_id` narrows to one person, college or request."""
    cur = await conn.execute(
        """select id, at, actor_id, actor, host(client_ip) as client_ip, action, target_table, target_id, before,
                  after
           from public.audit_events
           where (%(target)s::uuid is null or target_id = %(target)s)
             and (%(before)s::bigint is null or id < %(before)s)
           order by id desc limit %(limit)s""",
        {"target": target_id, "before": before_id, "limit": limit},
    )
    return [AuditEvent.model_validate(r) for r in await cur.fetchall()]


@router.post("/requests/{request_id}/dispatch", response_model=RequestDetail,
             responses={409: {"model": ErrorResponse}})
async def send_on(
    request_id: uuid.UUID, body: DispatchBody, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep,
    locale: ReaderLocaleDep,
) -> RequestDetail:
    """Send a waiting request to a chosen college (whatever the distance), or run dispatch again (e.g. after new
    colleges were imported). At a chosen college, its fitting students whose offer of it lapsed or who declined it
    are asked again. 409 `no_fitting_student` when nobody there fits, `no_teacher_at_college` for a high-risk job
    at a college with no active teacher (its steps need one present), `owner_suspended` while its citizen's account
    is suspended (review18a #2: nobody may answer for it; the clock offers it again once the account is restored)."""
    async with acting(pool, identity, AppRole.ADMIN) as (owner, caller):
        # The owner's profile shared before the request (dispatch.py's lock order): a suspension under way is
        # waited for and read, or waits for this send-on and then ends the offers it made.
        active = await dispatch.owner_active(owner, request_id)
        status = await lock_status(owner, request_id, check_visible=False)
        if status != RequestStatus.NO_CENTRE:
            raise ApiError(409, "illegal_transition", from_status=status, to_status=RequestStatus.OFFERED)
        if not active:
            raise ApiError(409, "owner_suspended")
        result = await dispatch.dispatch(owner, request_id, now, policy, only_college=body.college_id,
                                         only_from=(RequestStatus.NO_CENTRE,), again=True)
        if result.status != RequestStatus.OFFERED:
            if body.college_id is not None and await dispatch.teacher_missing(owner, request_id, body.college_id):
                raise ApiError(409, "no_teacher_at_college")
            raise ApiError(409, "no_fitting_student")
        await log_event(owner, request_id, RequestStatus.OFFERED, Actor.ADMIN, caller.user_id,
                        Note(code="sent_on_by_admin"))
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))
