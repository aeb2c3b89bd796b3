"""Supervisor (teacher) screens: dashboard, the college's job list, students, exports, training-hours ledger."""

import asyncio
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from backend.db import service_tx
from backend.deps import Caller, IdentityDep, NowDep, PolicyDep, PoolDep, SupervisorDep, UserConn, supervisor_college
from backend.paging import PageAfter, PageOffset, parse_after
from backend.schemas import Dashboard, ErrorResponse, StudentUpdate
from backend.services import college_admin, exports, requests
from backend.services.ledger_pdf import ledger_pdf
from backend.services.profiles import absent_profile, role_checked, suspended_as
from backend.services.transitions import act_as
from shared.roles import Actor, AppRole
from shared.statuses import StatusGroup
from shared.text import Locale
from shared.wire import CollegeJobPage, LedgerRow, Student
from shared.work import JOB_PAGE_MAX, JOB_SEARCH_MAX

router = APIRouter(prefix="/supervisor", tags=["supervisor"],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})

Lang = Annotated[Literal["th", "en"], Query(description="th (default): Thai names, Buddhist-era dates; en: English")]


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(identity: IdentityDep, pool: PoolDep, now: NowDep) -> Response:
    # One statement in a transaction of its own, no generator dependency (issue 15: per-request CPU), the statement
    # and COMMIT in one wait (`read_one`); the body is PostgreSQL's JSON passed through, response_model kept for the
    # OpenAPI document. The role check and the board are that statement (its profile checked here as `as_caller`
    # checks it; when none is visible, whether the account is suspended is asked then).
    profile, body = await requests.read_supervisor_dashboard_json(pool, identity.claims, identity.user_id, now)
    if profile is None:
        raise absent_profile(await suspended_as(pool, identity.claims))
    caller = Caller(identity, role_checked(profile, AppRole.SUPERVISOR))
    if body is None:  # written for every active supervisor with a college
        supervisor_college(caller)  # one with none: its 403, as before
        raise RuntimeError("the statement wrote no board for a supervisor with a college")
    return Response(body, media_type="application/json")


@router.get("/jobs", response_model=CollegeJobPage, responses={400: {"model": ErrorResponse},
                                                                422: {"model": ErrorResponse}})
async def college_jobs(
    caller: SupervisorDep, conn: UserConn,
    status: Annotated[list[StatusGroup] | None, Query(description="status groups; repeat for several; none: all")]
    = None,
    q: Annotated[str, Query(max_length=JOB_SEARCH_MAX, description="reference (FX-690001), item or student name")] = "",
    limit: Annotated[int, Query(ge=1, le=JOB_PAGE_MAX)] = 30,
    after: PageAfter = None,
    offset: PageOffset = 0,
) -> CollegeJobPage:
    """The college's jobs, newest first, with what the teacher may do with each now (`actions`); the next page is
    the jobs after the body's `next_after` (sent as `after` with the same filters and search)."""
    college = supervisor_college(caller)
    place = parse_after(after, offset)
    page = await college_admin.college_jobs(conn, college.id, status or [], q, limit, offset, place)
    return CollegeJobPage.model_validate(page)


@router.get("/technicians", response_model=list[Student])
async def technicians(caller: SupervisorDep, conn: UserConn) -> list[Student]:
    college = supervisor_college(caller)
    return [Student.model_validate(r) for r in await college_admin.students(conn, college.id)]


@router.put("/technicians/{student_id}", response_model=Student,
            responses={404: {"model": ErrorResponse},
                       409: {"model": ErrorResponse, "description": "student_has_jobs, student_suspended"}})
async def update_technician(
    student_id: uuid.UUID, body: StudentUpdate, caller: SupervisorDep, conn: UserConn, pool: PoolDep, now: NowDep,
    policy: PolicyDep,
) -> Student:
    """Activate/deactivate a student or set their skills (replaces them; levels 1–5)."""
    college = supervisor_college(caller)
    async with service_tx(pool) as owner:
        await act_as(owner, Actor.SUPERVISOR, caller.claims)  # the audit trail names who changed the student
        await college_admin.update_student(owner, college.id, student_id, body.is_active, body.skills, now, policy)
    rows = await college_admin.students(conn, college.id)
    return Student.model_validate(next(r for r in rows if r["id"] == student_id))


@router.get("/ledger", response_model=list[LedgerRow])
async def ledger(caller: SupervisorDep, pool: PoolDep) -> list[LedgerRow]:
    """Training hours per student: evidence of work experience for the credit bank record (the hours approved for
    the caller's college, read as the owner: a job gone on elsewhere or a student moved away keeps them here)."""
    college = supervisor_college(caller)
    async with service_tx(pool) as owner:
        return [LedgerRow.model_validate(r) for r in await college_admin.ledger(owner, college.id)]


@router.get("/ledger.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def ledger_csv(caller: SupervisorDep, conn: UserConn, pool: PoolDep, lang: Lang = "th") -> Response:
    college = supervisor_college(caller)
    locale = Locale(lang)
    async with service_tx(pool) as owner:
        credited = await college_admin.ledger(owner, college.id)
    rows = exports.ledger_rows(credited, await college_admin.category_names(conn), locale)
    return _csv(exports.to_csv(exports.LEDGER_COLUMNS, rows, locale), f"training-hours-{college.code}.csv")


@router.get("/jobs.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def jobs_csv(caller: SupervisorDep, conn: UserConn, lang: Lang = "th") -> Response:
    college = supervisor_college(caller)
    locale = Locale(lang)
    rows = exports.job_rows(await college_admin.jobs(conn, college.id), locale)
    return _csv(exports.to_csv(exports.JOB_COLUMNS, rows, locale), f"jobs-{college.code}.csv")


@router.get("/ledger/{student_id}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 404: {"model": ErrorResponse}})
async def student_ledger_pdf(
    student_id: uuid.UUID, caller: SupervisorDep, pool: PoolDep, now: NowDep, lang: Lang = "th"
) -> Response:
    """One student's approved jobs and hours at the caller's college, to print and sign (A4, the Thai font
    embedded)."""
    college = supervisor_college(caller)
    locale = Locale(lang)
    async with service_tx(pool) as owner:
        record = await college_admin.student_ledger(owner, college.id, student_id)
    name = college.name_th if locale == Locale.TH else college.name_en
    data = await asyncio.to_thread(ledger_pdf, name, record, now, locale)  # fonts and layout: off the event loop
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="training-hours-{student_id}.pdf"'})


def _csv(data: bytes, filename: str) -> Response:
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
