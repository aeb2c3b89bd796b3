"""Supervisor (teacher) screens: dashboard, students, exports, training-hours ledger."""

import uuid

from fastapi import APIRouter, Response

from backend.db import service_tx
from backend.deps import NowDep, PoolDep, SupervisorDep, UserConn, supervisor_college
from backend.schemas import Dashboard, ErrorResponse, LedgerRow, StudentOut, StudentUpdate
from backend.services import college_admin, requests
from backend.services.transitions import act_as
from shared.roles import Actor

router = APIRouter(prefix="/supervisor", tags=["supervisor"],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})

JOB_COLUMNS = ["id", "created_at", "category_code", "item", "brand", "status", "province", "district", "technician",
               "hours", "rating", "approved_at", "approved_by"]
LEDGER_COLUMNS = ["technician_id", "display_name", "approved_jobs", "hours", "categories"]


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(caller: SupervisorDep, conn: UserConn, now: NowDep) -> Dashboard:
    college = supervisor_college(caller)
    figures = await requests.college_dashboard(conn, college.id, now)
    return Dashboard.model_validate({"college": college, **figures})


@router.get("/technicians", response_model=list[StudentOut])
async def technicians(caller: SupervisorDep, conn: UserConn) -> list[StudentOut]:
    college = supervisor_college(caller)
    return [StudentOut.model_validate(r) for r in await college_admin.students(conn, college.id)]


@router.put("/technicians/{student_id}", response_model=StudentOut, responses={404: {"model": ErrorResponse}})
async def update_technician(
    student_id: uuid.UUID, body: StudentUpdate, caller: SupervisorDep, conn: UserConn, pool: PoolDep
) -> StudentOut:
    """Activate/deactivate a student or set their skills (replaces them; levels 1–5)."""
    college = supervisor_college(caller)
    async with service_tx(pool) as owner:
        await act_as(owner, Actor.SUPERVISOR, caller.claims)  # the audit trail names who changed the student
        await college_admin.update_student(owner, college.id, student_id, body.is_active, body.skills)
    rows = await college_admin.students(conn, college.id)
    return StudentOut.model_validate(next(r for r in rows if r["id"] == student_id))


@router.get("/ledger", response_model=list[LedgerRow])
async def ledger(caller: SupervisorDep, conn: UserConn) -> list[LedgerRow]:
    """Training hours per student: evidence of work experience for the credit bank record."""
    college = supervisor_college(caller)
    return [LedgerRow.model_validate(r) for r in await college_admin.ledger(conn, college.id)]


@router.get("/ledger.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def ledger_csv(caller: SupervisorDep, conn: UserConn) -> Response:
    college = supervisor_college(caller)
    data = college_admin.to_csv(await college_admin.ledger(conn, college.id), LEDGER_COLUMNS)
    return _csv(data, f"training-hours-{college.code}.csv")


@router.get("/jobs.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def jobs_csv(caller: SupervisorDep, conn: UserConn) -> Response:
    college = supervisor_college(caller)
    data = college_admin.to_csv(await college_admin.jobs(conn, college.id), JOB_COLUMNS)
    return _csv(data, f"jobs-{college.code}.csv")


def _csv(data: bytes, filename: str) -> Response:
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
