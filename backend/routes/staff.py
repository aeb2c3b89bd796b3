"""Staff onboarding without SQL: an admin creates and edits colleges and names their supervisors; a supervisor (or an
admin) adds students to a college one by one or from a CSV. Reads check the role in the caller's own transaction;
writes run in one owner transaction acting for the caller, so the audit trail names them."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, UploadFile
from fastapi.responses import JSONResponse

from backend.db import Conn, service_tx, user_tx
from backend.deps import (
    AdminDep,
    Caller,
    IdentityDep,
    NowDep,
    PolicyDep,
    PoolDep,
    acting,
    caller_in,
    supervisor_college,
)
from backend.errors import ApiError, error_body
from backend.schemas import (
    CollegeCreate,
    CollegeUpdate,
    CsvErrorResponse,
    ErrorResponse,
    InvitationSeen,
    StaffRegister,
    StudentRegister,
)
from backend.services import staff
from backend.services.profiles import load_profile
from backend.services.staff import Registered, StaffError, StudentImportError
from shared.roles import AppRole
from shared.wire import CollegeAdmin, PendingInvite, Profile, StaffInvitation, StaffRegistered, StudentImportReport

router = APIRouter(tags=["staff"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})

CollegeStaffDep = Annotated[Caller, Depends(caller_in(AppRole.ADMIN, AppRole.SUPERVISOR))]
_BAD: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (400, 404, 409)}


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except StaffError as exc:
        raise ApiError(exc.status, exc.code, None, **exc.values) from None


def _registered(done: Registered) -> StaffRegistered:
    return StaffRegistered(phone=done.phone, role=done.role, college_id=done.college_id,
                           existing_account=done.existing_account, awaiting_acceptance=done.awaiting_acceptance)


def _check_college_of(caller: Caller, college_id: uuid.UUID) -> None:
    """Admins act on any college, a supervisor on their own only."""
    if caller.role == AppRole.SUPERVISOR and supervisor_college(caller).id != college_id:
        raise ApiError(403, "not_your_college_staff")


@asynccontextmanager
async def _college_staff(pool: PoolDep, identity: IdentityDep, college_id: uuid.UUID) -> AsyncIterator[
        tuple[Conn, Caller]]:
    async with acting(pool, identity, AppRole.ADMIN, AppRole.SUPERVISOR) as (owner, caller):
        _check_college_of(caller, college_id)
        yield owner, caller


# --- colleges (admins) -------------------------------------------------------------------------------------------


async def _college_out(pool: PoolDep, college_id: uuid.UUID) -> CollegeAdmin:
    async with service_tx(pool) as owner:
        rows = await staff.colleges_for_admin(owner)
    return CollegeAdmin.model_validate(next(r for r in rows if r["id"] == college_id))


@router.get("/admin/colleges", response_model=list[CollegeAdmin])
async def list_colleges(_: AdminDep, pool: PoolDep) -> list[CollegeAdmin]:
    """Every college, inactive ones too, with its supervisors, active students and unused invites."""
    async with service_tx(pool) as owner:  # invites are an owner read; the role was checked by AdminDep
        return [CollegeAdmin.model_validate(r) for r in await staff.colleges_for_admin(owner)]


@router.post("/admin/colleges", response_model=CollegeAdmin, status_code=201, responses=_BAD)
async def create_college(body: CollegeCreate, identity: IdentityDep, pool: PoolDep) -> CollegeAdmin:
    """A new college (audited as `college.insert`). 409 `college_code_taken` when the code exists."""
    async with acting(pool, identity, AppRole.ADMIN) as (owner, _), _refusals_async():
        college_id = await staff.create_college(owner, body.model_dump())
    return await _college_out(pool, college_id)


@router.patch("/admin/colleges/{college_id}", response_model=CollegeAdmin, responses=_BAD)
async def update_college(college_id: uuid.UUID, body: CollegeUpdate, identity: IdentityDep,
                         pool: PoolDep) -> CollegeAdmin:
    """Change some fields (names, place, service radius, active); audited as `college.update` with before/after.
    Closing a college (is_active false) ends the offers its students still hold: the SLA clock offers those jobs at
    the next college, and an accept after the close is refused (409 college_closed)."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None]
    if nulls:
        raise ApiError(422, "validation_failed", fields={k: "invalid_value" for k in nulls},
                       detail=", ".join(f"{k}: may not be null" for k in nulls))
    async with acting(pool, identity, AppRole.ADMIN) as (owner, _), _refusals_async():
        await staff.update_college(owner, college_id, changes)
    return await _college_out(pool, college_id)


@router.post("/admin/colleges/{college_id}/supervisors", response_model=StaffRegistered, status_code=201,
             responses=_BAD)
async def name_supervisor(college_id: uuid.UUID, body: StaffRegister, identity: IdentityDep,
                          pool: PoolDep, now: NowDep, policy: PolicyDep) -> StaffRegistered:
    """Make the owner of this phone a supervisor of the college: an existing account changes at once, anyone else
    lands in the role at their first sign-in."""
    async with acting(pool, identity, AppRole.ADMIN) as (owner, _), _refusals_async():
        # a student made a teacher: their offers handed on by the route's clock and the deployment's policy
        done = await staff.register_staff(owner, body.phone, AppRole.SUPERVISOR, college_id, body.display_name,
                                          by=AppRole.ADMIN, now=now, policy=policy)
    return _registered(done)


# --- students (a college's supervisor, or an admin) --------------------------------------------------------------


@router.post("/colleges/{college_id}/students", response_model=StaffRegistered, status_code=201, responses=_BAD)
async def add_student(college_id: uuid.UUID, body: StudentRegister, identity: IdentityDep,
                      pool: PoolDep, now: NowDep, policy: PolicyDep) -> StaffRegistered:
    """Add one student (phone, name, skills with levels 1–5). A supervisor adds to their own college only."""
    async with _college_staff(pool, identity, college_id) as (owner, caller), _refusals_async():
        done = await staff.register_staff(owner, body.phone, AppRole.TECHNICIAN, college_id, body.display_name,
                                          body.skills, by=caller.role, now=now, policy=policy)
    return _registered(done)


@router.post("/colleges/{college_id}/students/import", response_model=StudentImportReport,
             responses={**_BAD, 400: {"model": CsvErrorResponse,
                                      "description": "nothing imported: every bad line with its reason"}})
async def import_students(college_id: uuid.UUID, file: UploadFile, identity: IdentityDep,
                          pool: PoolDep, now: NowDep, policy: PolicyDep) -> StudentImportReport | JSONResponse:
    """Students from a CSV upload (UTF-8; columns `phone`, `name`, optional `skills` like
    `electrical_appliance:3 plumbing:2`): all rows or none. A bad file answers 400 `csv_invalid` with `lines`: each
    bad line's number and reason."""
    data = await file.read()
    try:
        async with _college_staff(pool, identity, college_id) as (owner, caller), _refusals_async():
            rows = staff.parse_students_csv(data, await staff.known_skills(owner))
            report = await staff.import_students(owner, college_id, rows, by=caller.role, at=now, policy=policy)
    except StudentImportError as exc:
        body = error_body("csv_invalid", count=len(exc.errors))
        body["error"]["lines"] = [{"line": e.line, "code": e.code, "message_th": e.text.th,
                                   "message_en": e.text.en} for e in exc.errors]
        return JSONResponse(body, status_code=400)
    return StudentImportReport(imported=report.total, changed_now=report.changed_now, invited=report.invited,
                               awaiting_acceptance=report.awaiting_acceptance)


@router.get("/colleges/{college_id}/invites", response_model=list[PendingInvite])
async def invites(college_id: uuid.UUID, caller: CollegeStaffDep, pool: PoolDep) -> list[PendingInvite]:
    """People registered at this college by phone who have not signed in yet, and citizens invited who have not
    accepted (`awaiting_acceptance`; `declined_at` once they said no)."""
    _check_college_of(caller, college_id)
    async with service_tx(pool) as owner:
        return [PendingInvite.model_validate(r) for r in await staff.pending_invites(owner, college_id)]


@router.delete("/colleges/{college_id}/invites/{invite_id}", status_code=204, response_class=Response,
               responses=_BAD)
async def withdraw_invite(college_id: uuid.UUID, invite_id: uuid.UUID, identity: IdentityDep,
                          pool: PoolDep) -> Response:
    """Take back an invitation still waiting (expired ones too): a supervisor their own college's student
    invitations (403 `forbidden_role` for a supervisor's), an admin any. The person no longer sees it and their
    "invited" notifications say it was withdrawn; audited as `staff.invite_withdraw`. 404 `invitation_unknown`
    (not this college's, or sent again since: reload the list); 409 `invitation_answered` once accepted or
    declined, `invitation_lapsed` when the person's first sign-in found it expired and dropped it."""
    async with _college_staff(pool, identity, college_id) as (owner, caller), _refusals_async():
        await staff.withdraw_invite(owner, college_id, invite_id, by=caller.role)
    return Response(status_code=204)


@router.get("/admin/invites", response_model=list[PendingInvite])
async def admin_invites(_: AdminDep, pool: PoolDep) -> list[PendingInvite]:
    """Invitations at no college: to be an admin (`role` admin; sent by the operator's `register-staff --role
    admin` to a phone not signed in yet), listed as a college's are, so an admin sees and may withdraw them."""
    async with service_tx(pool) as owner:  # invites are an owner read; the role was checked by AdminDep
        return [PendingInvite.model_validate(r) for r in await staff.pending_invites(owner, None)]


@router.delete("/admin/invites/{invite_id}", status_code=204, response_class=Response, responses=_BAD)
async def withdraw_admin_invite(invite_id: uuid.UUID, identity: IdentityDep, pool: PoolDep) -> Response:
    """Take back an invitation to be an admin, as a college's (DELETE /colleges/{id}/invites/{invite_id}): 204,
    audited as `staff.invite_withdraw`; 404 `invitation_unknown`, 409 `invitation_answered`, `invitation_lapsed`."""
    async with acting(pool, identity, AppRole.ADMIN) as (owner, _), _refusals_async():
        await staff.withdraw_invite(owner, None, invite_id, by=AppRole.ADMIN)
    return Response(status_code=204)


# --- the invited person's answer ------------------------------------------------------------------------------

_ANYONE = tuple(AppRole)  # the role is checked by the invitation itself: only a citizen has one to answer


@router.get("/me/invitation", response_model=StaffInvitation | None)
async def my_invitation(identity: IdentityDep, pool: PoolDep) -> StaffInvitation | None:
    """A college's invitation waiting for the caller's answer, or null."""
    async with service_tx(pool) as owner:  # invites are an owner read, here by the caller's own id only
        await load_profile(owner, identity.user_id)
        row = await staff.my_invitation(owner, identity.user_id)
    return None if row is None else StaffInvitation.model_validate(row)


@router.post("/me/invitation/accept", response_model=Profile, responses=_BAD)
async def accept_invitation(identity: IdentityDep, pool: PoolDep, seen: InvitationSeen | None = None) -> Profile:
    """Say yes: the role, college and skills of the invitation apply now (audited as the person's own doing).
    `seen`: the role and college the person was shown (required: 400 `invitation_seen_required` without it).
    404 `invitation_none`; 409 `invitation_college_inactive` when the college closed since, `invitation_changed`
    when it was replaced, `invitation_expired` when its time ran out, `invitation_withdrawn` when whoever sent it
    took it back."""
    shown = _shown(seen)
    async with acting(pool, identity, *_ANYONE) as (owner, _), _refusals_async():
        await staff.accept_invitation(owner, identity.user_id, shown)
    async with user_tx(pool, identity.claims) as conn:
        return Profile.model_validate(await load_profile(conn, identity.user_id))


@router.post("/me/invitation/decline", status_code=204, response_class=Response, responses=_BAD)
async def decline_invitation(identity: IdentityDep, pool: PoolDep, seen: InvitationSeen | None = None) -> Response:
    """Say no: nothing about the account changes, and nobody may invite the person again for a while. `seen` as
    for accepting (400 `invitation_seen_required`, 409 `invitation_changed`, `invitation_expired`,
    `invitation_withdrawn`)."""
    shown = _shown(seen)
    async with acting(pool, identity, *_ANYONE) as (owner, _), _refusals_async():
        await staff.decline_invitation(owner, identity.user_id, shown)
    return Response(status_code=204)


def _shown(seen: InvitationSeen | None) -> tuple[AppRole, uuid.UUID | None]:
    """An answer names the invitation it answers: one without (no body, or JSON null) would be a yes or a no to
    whatever an admin put in its place meanwhile. A body of the wrong shape is FastAPI's 422 per field."""
    if seen is None:
        raise ApiError(400, "invitation_seen_required")
    return seen.role, seen.college_id


@asynccontextmanager
async def _refusals_async() -> AsyncIterator[None]:
    with _refusals():
        yield
