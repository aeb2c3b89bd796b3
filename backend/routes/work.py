"""The students' and supervisors' side of a job: answer offers, move the work along, assign."""

import uuid

from fastapi import APIRouter, Response, UploadFile

from backend.db import Conn
from backend.deps import (
    IdentityDep,
    NowDep,
    PhotoStoreDep,
    PolicyDep,
    PoolDep,
    ReaderLocaleDep,
    SettingsDep,
    acting,
    as_caller,
)
from backend.errors import ApiError
from backend.schemas import AfterPhotoIndex, ErrorResponse, JobReportIn, StatusChange
from backend.services import credit, dispatch, job_reports
from backend.services.credit import ROUND_SQL, WORK_BEGAN_SQL
from backend.services.photo_intake import (
    check_technician_may_add,
    require_own_work_slot,
    require_work_in_progress,
    take_photo,
)
from backend.services.request_detail import read_detail
from backend.services.transitions import Note, lock_teacher_present, transition
from shared.otp import typed_code
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import missing_list, qc_missing_key
from shared.wire import AssignBody, Photo, RequestDetail, WorkReport
from shared.work import UNREPAIRABLE_REASONS, missing_for_quality_check, of_the_work

router = APIRouter(tags=["work"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
})


@router.post("/offers/{offer_id}/accept", response_model=RequestDetail)
async def accept_offer(offer_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, now: NowDep,
                       locale: ReaderLocaleDep) -> RequestDetail:
    """First accept wins; everyone else gets 409 `offer_not_open`. The winner now sees the citizen's contact. A
    student their college switched off taking jobs gets 409 `offer_off_roster` (an offer made as it happened), one
    whose college an admin closed 409 `college_closed` (the close ended its offers; the clock offers the job on), one
    of a high-risk job whose college has no active teacher any more 409 `offer_no_teacher` (the clock offers the job
    on, to a college with a teacher)."""
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        request_id = await dispatch.accept_offer(owner, offer_id, caller.user_id, caller.claims, now)
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


@router.post("/offers/{offer_id}/decline", status_code=204)
async def decline_offer(
    offer_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep
) -> Response:
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        await dispatch.decline_offer(owner, offer_id, caller.user_id, now, policy)
    return Response(status_code=204)


@router.post("/requests/{request_id}/status", response_model=RequestDetail)
async def change_status(
    request_id: uuid.UUID, body: StatusChange, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep,
    locale: ReaderLocaleDep,
) -> RequestDetail:
    """Work steps (student: diagnosing → repairing → quality check, or unrepairable with a reason) and checks
    (supervisor: done, back to repairing for rework, handed back). The shared state machine decides; 409 if not.
    A high-risk hands-on step names the teacher present (`teacher_present_id`; a teacher's send-back names them
    unless they name another): 409 `teacher_presence_required` when that is no active teacher of the job's college,
    `presence_no_teacher` to an admin where the college has none."""
    note = Note(body.note.strip())
    if body.to_status == RequestStatus.UNREPAIRABLE:
        if body.reason not in UNREPAIRABLE_REASONS:
            raise ApiError(400, "reason_required")
        note = Note(note.text, code="unrepairable", params={"reason": body.reason})
    code_ok = False
    if body.to_status == RequestStatus.HANDED_BACK and body.handover_code:
        # Its own transaction: a wrong guess is counted even though the move below is then refused.
        async with acting(pool, identity, AppRole.TECHNICIAN, AppRole.SUPERVISOR, AppRole.ADMIN) as (owner, caller):
            code_ok = await credit.check_handover_code(owner, request_id, caller.user_id,
                                                     typed_code(body.handover_code))
        if not code_ok:
            raise ApiError(409, "handover_code_invalid")
    async with acting(pool, identity, AppRole.TECHNICIAN, AppRole.SUPERVISOR, AppRole.ADMIN) as (owner, caller):
        if body.to_status == RequestStatus.OFFERED:
            # Taken back from the student: offered again to the college's other students. What the student did (a
            # report's hours) stays theirs on the team, never the next student's.
            former = await credit.holder(owner, request_id)
            await transition(owner, caller.actor, request_id, body.to_status, claims=caller.claims,
                             note=Note(note.text, code="taken_back"), set_columns={"technician_id": None})
            await credit.keep_former_student(owner, request_id, former)
            await dispatch.reoffer_at_same_college(owner, request_id, now, policy)
        else:
            if body.to_status == RequestStatus.HANDED_BACK:
                # A code the owner gave, or a teacher's reason (their note), recorded before the transition checks
                # (under the same row lock) that the handover is settled.
                await credit.settle_handover_for_move(owner, request_id, caller.user_id, code_ok=code_ok,
                                                      teacher_reason=note.text)
            # A high-risk hands-on step's teacher present (the one named, or the teacher sending the job back for
            # rework), their profile locked before the request (the lock order's 1 then 2) and checked as locked.
            present = await lock_teacher_present(owner, request_id, body.to_status, caller.actor, caller.user_id,
                                                 body.teacher_present_id)
            # For `done` the event's actor is the approving teacher: the training ledger reads it from there.
            await transition(owner, caller.actor, request_id, body.to_status, claims=caller.claims, note=note,
                             teacher_present_id=present)
            if body.to_status in (RequestStatus.QUALITY_CHECK, RequestStatus.DONE):
                # The state machine allowed the move (and holds the row); an incomplete record undoes it.
                await _require_complete_record(owner, request_id, body.to_status)
                await credit.require_parts_answered(owner, request_id)
            await credit.outcome_after_move(owner, request_id, body.to_status, body.reason, caller.user_id)
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


async def _require_complete_record(owner: Conn, request_id: uuid.UUID, to_status: RequestStatus) -> None:
    """Honest QC: no check (and no approval) without an after photo, hours worked and a report (shared.work). In a
    later round (a reopened job repaired again) only a report saved and after photos uploaded since the round
    began count: the earlier round's evidence is of the earlier repair (`shared.work.of_the_work`, as on the detail).
    So for a job taken back from a student under way: its next student's own, since the take back
    (credit.WORK_BEGAN_SQL; each stamped with its work under the request's lock, migration 0092)."""
    row = await (
        await owner.execute(
            f"""select {ROUND_SQL.format(rid="%(id)s")} as round, {WORK_BEGAN_SQL.format(rid="%(id)s")} as began,
                      array(select p.work_event from public.request_photos p
                            where p.request_id = %(id)s and p.kind = 'after') as after_photos_work,
                      j.hours::float as hours, j.notes, j.work_event as report_work
               from (select 1) one left join public.job_reports j on j.request_id = %(id)s""",
            {"id": request_id},
        )
    ).fetchone()
    assert row is not None
    began = row["began"]
    after_photos = sum(1 for work in row["after_photos_work"] if of_the_work(work, began))
    missing = missing_for_quality_check(after_photos, row["hours"], row["notes"],
                                        report_in_round=of_the_work(row["report_work"], began))
    if missing:
        later = row["round"] > 1
        names = missing_list(missing, later_round=later)
        code = "quality_check_incomplete" if to_status == RequestStatus.QUALITY_CHECK else "approval_incomplete"
        raise ApiError(409, code, fields={c: qc_missing_key(c, later) for c in missing},
                       missing_th=names.th, missing_en=names.en)


@router.post("/requests/{request_id}/assign", response_model=RequestDetail)
async def assign(
    request_id: uuid.UUID, body: AssignBody, identity: IdentityDep, pool: PoolDep, now: NowDep,
    locale: ReaderLocaleDep,
) -> RequestDetail:
    """A supervisor gives (or moves) the job to one of the college's students. An admin's, of a high-risk job at a
    college with no active teacher: 409 `no_teacher_at_college`."""
    async with acting(pool, identity, AppRole.SUPERVISOR, AppRole.ADMIN) as (owner, caller):
        former = await dispatch.assign(owner, request_id, body.technician_id, caller.claims, caller.actor, now)
        await credit.keep_former_student(owner, request_id, former)
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


@router.put("/requests/{request_id}/report", response_model=WorkReport, responses={400: {"model": ErrorResponse}})
async def save_report(request_id: uuid.UUID, body: JobReportIn, identity: IdentityDep, pool: PoolDep) -> WorkReport:
    """Hours worked, parts used with their cost, notes: saved again and again while the job is under way."""
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        saved = await job_reports.save_report(owner, caller.user_id, request_id, body.hours, body.notes,
                                              [p.model_dump() for p in body.parts])
    return WorkReport.model_validate(saved)


@router.put("/requests/{request_id}/after-photos/{idx}", response_model=Photo, status_code=201,
            responses={400: {"model": ErrorResponse,
                             "description": "photo_too_many: five of this work's already, or an index past the "
                                            "record's span (shared.photos.after_photo_span)"},
                       409: {"model": ErrorResponse, "description": "photo_earlier_work: the index holds an earlier "
                                                                     "student's (or round's) photo"},
                       413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 429: {"model": ErrorResponse}})
async def upload_after_photo(
    request_id: uuid.UUID, idx: AfterPhotoIndex, file: UploadFile, identity: IdentityDep, pool: PoolDep,
    store: PhotoStoreDep, settings: SettingsDep, now: NowDep,
) -> Photo:
    """An 'after' photo by the student on the job: at most five of their work's (the same index again replaces
    their own), at a free index beside the earlier work's photos (after a take back, a reassign or a reopen),
    which are never replaced: the record grows past them so there is always room (shared.photos.after_photo_span;
    the app uploads at shared.photos.free_after_slots)."""
    async with as_caller(pool, identity, AppRole.TECHNICIAN) as (conn, caller):
        await check_technician_may_add(conn, caller.user_id, request_id, idx)

    async def recheck(owner: Conn) -> None:
        await require_work_in_progress(owner, caller.user_id, request_id)
        await require_own_work_slot(owner, request_id, idx)

    return Photo.model_validate(await take_photo(pool, store, request_id, idx, caller.user_id, file, "after",
                                                 recheck=recheck, per_hour=settings.photo_uploads_per_person_per_hour,
                                                 now=now))
