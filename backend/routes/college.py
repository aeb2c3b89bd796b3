"""Supervisor (teacher) screens: dashboard, students, exports, training-hours ledger."""

import uuid
from typing import Any

from fastapi import APIRouter, Response

from backend.db import service_tx
from backend.deps import IdentityDep, NowDep, PoolDep, UserConn
from backend.errors import ApiError
from backend.schemas import CollegeRef, Dashboard, ErrorResponse, LedgerRow, StudentOut, StudentUpdate
from backend.services import college_admin, requests
from backend.services.profiles import require_role
from backend.services.transitions import act_as
from shared.roles import Actor, AppRole

router = APIRouter(prefix="/supervisor", tags=["supervisor"],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})

JOB_COLUMNS = ["id", "created_at", "category_code", "item", "brand", "status", "province", "district", "technician",
               "hours", "rating", "approved_at", "approved_by"]
LEDGER_COLUMNS = ["technician_id", "display_name", "approved_jobs", "hours", "categories"]


async def _college(conn: UserConn, identity: IdentityDep) -> CollegeRef:
    profile: dict[str, Any] = await require_role(conn, identity.user_id, AppRole.SUPERVISOR)
    if profile["college"] is None:
        raise ApiError(403, "forbidden_role")
    return CollegeRef.model_validate(profile["college"])


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(identity: IdentityDep, conn: UserConn, now: NowDep) -> Dashboard:
    college = await _college(conn, identity)
    figures = await requests.college_dashboard(conn, college.id, now)
    return Dashboard.model_validate({"college": college, **figures})


@router.get("/technicians", response_model=list[StudentOut])
async def technicians(identity: IdentityDep, conn: UserConn) -> list[StudentOut]:
    college = await _college(conn, identity)
    return [StudentOut.model_validate(r) for r in await college_admin.students(conn, college.id)]


@router.put("/technicians/{student_id}", response_model=StudentOut, responses={404: {"model": ErrorResponse}})
async def update_technician(
    student_id: uuid.UUID, body: StudentUpdate, identity: IdentityDep, conn: UserConn, pool: PoolDep
) -> StudentOut:
    """Activate/deactivate a student or set their skills (replaces them; levels 1–5)."""
    college = await _college(conn, identity)
    async with service_tx(pool) as owner:
        await act_as(owner, Actor.SUPERVISOR, identity.claims)  # the audit trail names who changed the student
        await college_admin.update_student(owner, college.id, student_id, body.is_active, body.skills)
    rows = await college_admin.students(conn, college.id)
    return StudentOut.model_validate(next(r for r in rows if r["id"] == student_id))


@router.get("/ledger", response_model=list[LedgerRow])
async def ledger(identity: IdentityDep, conn: UserConn) -> list[LedgerRow]:
    """Training hours per student: evidence of work experience for the credit bank record."""
    college = await _college(conn, identity)
    return [LedgerRow.model_validate(r) for r in await college_admin.ledger(conn, college.id)]


@router.get("/ledger.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def ledger_csv(identity: IdentityDep, conn: UserConn) -> Response:
    college = await _college(conn, identity)
    data = college_admin.to_csv(await college_admin.ledger(conn, college.id), LEDGER_COLUMNS)
    return _csv(data, f"training-hours-{college.code}.csv")


@router.get("/jobs.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def jobs_csv(identity: IdentityDep, conn: UserConn) -> Response:
    college = await _college(conn, identity)
    data = college_admin.to_csv(await college_admin.jobs(conn, college.id), JOB_COLUMNS)
    return _csv(data, f"jobs-{college.code}.csv")


def _csv(data: bytes, filename: str) -> Response:
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
