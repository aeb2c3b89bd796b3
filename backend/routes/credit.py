"""The job record and the student's credit (issue 14): outcome, parts approval, handover confirmation, team hours,
the teacher's approval, skill progression, portfolios (JSON and PDF with a verification code), the public verify
page, the college view and environmental totals."""

import asyncio
import html
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from backend.db import anon_tx, service_tx
from backend.deps import (
    AdminDep,
    Caller,
    IdentityDep,
    NowDep,
    PhotoStoreDep,
    PoolDep,
    SettingsDep,
    SupervisorDep,
    TechnicianDep,
    UserConn,
    acting,
    acting_as_owner,
    caller_in,
    supervisor_college,
)
from backend.errors import ApiError
from backend.paging import PAGE_HEADERS, PageAfter, PageLimit, PageOffset, page_headers, parse_after
from backend.schemas import ROW_ID_MAX, VISIBLE_LINE_PATTERN, ErrorResponse, Finite, Line, Text, Whole, rule
from backend.services import credit, rate_limits
from backend.services.portfolio_pdf import portfolio_pdf
from backend.services.profiles import load_profile, suspended_told
from backend.services.rate_limits import Limit
from shared import credit_wire as cw
from shared.credit import (
    DISPLACEMENT,
    FAULT_MAX,
    HOURS_MAX,
    HOURS_TARGET_MAX,
    HOURS_TARGET_MIN,
    HOURS_WAITING_PAGE,
    OUTCOME_LABELS,
    OUTCOME_REASONS,
    PART_NAME_MAX,
    PART_NOTE_MAX,
    PART_PRICE_MAX,
    PART_QTY_MAX,
    PHONE_NOTE_MIN,
    PORTFOLIO_TEXTS,
    PROGRESSION_JOBS_MAX,
    PROGRESSION_JOBS_MIN,
    TASK_MAX,
    TERM_RE,
    Outcome,
    check_progression_jobs,
    is_verify_code,
    term_bounds,
    term_of,
)
from shared.display_names import first_word
from shared.paging import LIST_PAGE
from shared.roles import AppRole
from shared.text import Bilingual, Locale, date_text, error_text
from shared.thai_time import bangkok_day
from shared.visible_text import is_blank, visible_length

router = APIRouter(tags=["credit"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
})

# The rules of shared.credit stated in the document (backend.schemas.rule): refused with the service's own code.
_term_rule = rule("term_invalid", lambda v: term_bounds(v) is not None, pattern=TERM_RE.pattern)
Term = Annotated[Annotated[str, *_term_rule] | None,
                 Query(description="academic term, e.g. 2569-1 (default: the current)")]
_outcome = rule("outcome_invalid", lambda v: v in Outcome.__members__.values(), enum=[o.value for o in Outcome])
_outcome_reason = rule("outcome_reason_invalid", lambda v: v in OUTCOME_REASONS, enum=list(OUTCOME_REASONS))
_fault = rule("outcome_fault_too_long", lambda v: len(v) <= FAULT_MAX, maxLength=FAULT_MAX)
_part_name = rule("part_invalid", lambda v: not is_blank(v) and len(v) <= PART_NAME_MAX, minLength=1,
                  maxLength=PART_NAME_MAX, pattern=VISIBLE_LINE_PATTERN)
_part_qty = rule("part_invalid", lambda v: 1 <= v <= PART_QTY_MAX, minimum=1, maximum=PART_QTY_MAX)
_part_price = rule("part_invalid", lambda v: 0 <= v <= PART_PRICE_MAX, minimum=0, maximum=PART_PRICE_MAX)
_phone_note_min = rule("part_phone_note_required", lambda v: visible_length(v) >= PHONE_NOTE_MIN,
                       minLength=PHONE_NOTE_MIN)
_phone_note_max = rule("part_note_too_long", lambda v: len(v) <= PART_NOTE_MAX, maxLength=PART_NOTE_MAX)
# The service measures a task without its outer spaces; the document's maxLength is the plain length (stricter).
_task = rule("team_task_too_long", lambda v: len(v.strip()) <= TASK_MAX, maxLength=TASK_MAX)
_progression = rule("progression_jobs_invalid", lambda v: check_progression_jobs(v) is None,
                    minimum=PROGRESSION_JOBS_MIN, maximum=PROGRESSION_JOBS_MAX)
Lang = Annotated[Literal["th", "en"], Query()]


class OutcomeIn(BaseModel):
    outcome: Annotated[Line, *_outcome]
    reason: Annotated[Line, *_outcome_reason] | None = Field(
        None, description="required unless the outcome is a repair (shared.credit.check_outcome)")
    fault_found: Annotated[Text, *_fault] = ""


class PartProposal(BaseModel):
    name: Annotated[Line, *_part_name]
    qty: Annotated[Whole, *_part_qty]
    price_baht: Annotated[Finite, *_part_price]
    idempotency_key: uuid.UUID | None = Field(
        default=None, description="the same key again (a retry) answers the part it proposed, stored once")


class PhoneApproval(BaseModel):
    approve: bool = Field(True, strict=True)
    note: Annotated[Text, *_phone_note_min, *_phone_note_max] = Field(
        description="who approved by phone, and when (visible characters, at least the minimum)")


class MemberIn(BaseModel):
    technician_id: uuid.UUID
    task: Annotated[Line, *_task] = ""


class MemberHours(BaseModel):
    hours: float = Field(gt=0, le=HOURS_MAX, allow_inf_nan=False, strict=True)
    task: Annotated[Line, *_task] | None = None


class HoursApproval(BaseModel):
    hours: dict[uuid.UUID, Annotated[float, Field(ge=0, le=HOURS_MAX, allow_inf_nan=False, strict=True)]] = Field(
        default_factory=dict, description="corrected hours per member; members not listed: as they reported; 0 for a "
        "helper: not credited (they did not work on it: taken off the round's team, and told); never 0 for the lead")


class CreditSettings(BaseModel):
    progression_jobs: Annotated[Whole, *_progression] | None = None
    hours_target: float | None = Field(None, ge=HOURS_TARGET_MIN, le=HOURS_TARGET_MAX, allow_inf_nan=False,
                                       strict=True)


def _term(term: str | None, now: Any) -> str:
    return term or term_of(now)


# --- The job record -------------------------------------------------------------------------------------------------

@router.get("/requests/{request_id}/record", response_model=cw.JobRecord)
async def job_record(request_id: uuid.UUID, conn: UserConn, pool: PoolDep, identity: IdentityDep
                     ) -> dict[str, Any]:
    """Outcome, parts with their approvals and the approved total, handover, team and the environmental estimate."""
    async with suspended_told(conn):
        record = await credit.job_record(conn, request_id)
    members = [*record["team"], *(record["waiting_round"] or {}).get("team", [])]
    if members:
        async with service_tx(pool) as owner:
            await credit.name_team(owner, members)
            me = await load_profile(owner, identity.user_id)
            mine = await (await owner.execute("select citizen_id = %s as mine from public.repair_requests "
                                              "where id = %s", [identity.user_id, request_id])).fetchone()
        # The owner (whatever their role) knows the students by first name only, as on the timeline.
        if me["role"] == AppRole.CITIZEN or (mine is not None and mine["mine"]):
            for member in members:
                member["display_name"] = first_word(member["display_name"]) or ""
    return record


@router.put("/requests/{request_id}/outcome", response_model=cw.JobOutcome, responses={400: {"model": ErrorResponse}})
async def record_outcome(request_id: uuid.UUID, body: OutcomeIn, identity: IdentityDep, pool: PoolDep
                         ) -> dict[str, Any]:
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        return await credit.record_outcome(owner, request_id, caller.user_id, body.outcome, body.reason,
                                           body.fault_found)


@router.post("/requests/{request_id}/parts", status_code=201, response_model=cw.JobPart,
             responses={400: {"model": ErrorResponse}})
async def propose_part(request_id: uuid.UUID, body: PartProposal, identity: IdentityDep, pool: PoolDep
                       ) -> dict[str, Any]:
    """The student proposes a part and its price; it is bought only once the owner approves."""
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        return await credit.propose_part(owner, request_id, caller.user_id, body.name, body.qty, body.price_baht,
                                         body.idempotency_key)


@router.post("/requests/{request_id}/parts/{part_id}/decision", response_model=cw.JobPart)
async def decide_part(request_id: uuid.UUID, part_id: uuid.UUID, body: cw.PartDecision, identity: IdentityDep,
                      pool: PoolDep) -> dict[str, Any]:
    """The owner approves or declines a proposed part in the app."""
    async with acting_as_owner(pool, identity) as (owner, caller):
        return await credit.decide_part(owner, request_id, part_id, caller.user_id, approve=body.approve)


@router.post("/requests/{request_id}/parts/{part_id}/withdraw", response_model=cw.JobPart, responses={
    403: {"model": ErrorResponse, "description": "not_assigned: neither the student who proposed it (on the job) "
                                                  "nor the job's teacher"},
    404: {"model": ErrorResponse, "description": "part_not_found"},
    409: {"model": ErrorResponse, "description": "part_answered: the owner answered it already (it stays as "
                                                  "answered); parts_decision_closed"}})
async def withdraw_part(request_id: uuid.UUID, part_id: uuid.UUID, identity: IdentityDep, pool: PoolDep
                        ) -> dict[str, Any]:
    """A part proposed by mistake, withdrawn while it waits for the owner's answer (by the student who proposed it,
    or the job's teacher); the owner is told. Sent again after it went through, the part as it is."""
    async with acting(pool, identity, AppRole.TECHNICIAN, AppRole.SUPERVISOR, AppRole.ADMIN) as (owner, caller):
        return await credit.withdraw_part(owner, request_id, part_id, caller.user_id)


@router.post("/requests/{request_id}/parts/{part_id}/phone-approval", response_model=cw.JobPart,
             responses={400: {"model": ErrorResponse}})
async def phone_approval(request_id: uuid.UUID, part_id: uuid.UUID, body: PhoneApproval, identity: IdentityDep,
                         pool: PoolDep) -> dict[str, Any]:
    """The student records the owner's answer given by phone: stored as a phone approval with its note."""
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        return await credit.decide_part(owner, request_id, part_id, caller.user_id, approve=body.approve,
                                        phone_note=body.note)


@router.post("/requests/{request_id}/handover-code", response_model=cw.HandoverCode)
async def handover_code(request_id: uuid.UUID, identity: IdentityDep, pool: PoolDep) -> dict[str, str]:
    """A one-time code for the owner to tell the student at hand back (a new one replaces the last)."""
    async with acting_as_owner(pool, identity) as (owner, caller):
        return {"code": await credit.handover_code(owner, request_id, caller.user_id)}


@router.post("/requests/{request_id}/handover/confirm", status_code=204)
async def confirm_handover(request_id: uuid.UUID, identity: IdentityDep, pool: PoolDep) -> Response:
    """The owner confirms in the app that they have the item back; the job may then be closed as handed back."""
    async with acting_as_owner(pool, identity) as (owner, caller):
        await credit.confirm_handover(owner, request_id, caller.user_id)
    return Response(status_code=204)


# --- Team and hours -------------------------------------------------------------------------------------------------

@router.post("/requests/{request_id}/team", status_code=204, responses={400: {"model": ErrorResponse}})
async def add_member(request_id: uuid.UUID, body: MemberIn, identity: IdentityDep, pool: PoolDep) -> Response:
    """The lead (or a teacher of the college) adds a helper of the same college. 409 `team_no_teacher`: a high-risk
    job with work ahead at a college whose last teacher left (nobody could be present for the helper either)."""
    async with acting(pool, identity, AppRole.TECHNICIAN, AppRole.SUPERVISOR) as (owner, caller):
        await credit.add_member(owner, request_id, caller.user_id, body.technician_id, body.task)
    return Response(status_code=204)


@router.put("/requests/{request_id}/team/me", status_code=204, responses={
    403: {"model": ErrorResponse, "description": "team_not_member, team_member_left"},
    409: {"model": ErrorResponse,
          "description": "team_not_member (the lead), team_not_now, team_handed_on, team_hours_closed"}})
async def my_hours(request_id: uuid.UUID, body: MemberHours, identity: IdentityDep, pool: PoolDep) -> Response:
    """A helper on the job's team reports their own hours (the lead's are their work report's), from the job's
    acceptance until the teacher approves them (shared.credit.helper_hours_refusal)."""
    async with acting(pool, identity, AppRole.TECHNICIAN) as (owner, caller):
        await credit.report_member_hours(owner, request_id, caller.user_id, body.hours, body.task)
    return Response(status_code=204)


@router.post("/requests/{request_id}/credit/approve", response_model=list[cw.TeamMember])
async def approve_hours(request_id: uuid.UUID, body: HoursApproval, identity: IdentityDep, pool: PoolDep,
                        round_: Annotated[int | None, Query(alias="round", ge=1, le=100, description=(
                            "the round whose hours are approved; none: the current round once the job is checked, "
                            "else a round its owner reopened before its approval (the record's waiting_round)"))
                        ] = None) -> list[dict[str, Any]]:
    """The teacher approves each member's hours once the job is checked; nothing is credited before."""
    async with acting(pool, identity, AppRole.SUPERVISOR, AppRole.ADMIN) as (owner, caller):
        return await credit.approve_hours(owner, request_id, caller.user_id, body.hours, round_)


@router.get("/supervisor/hours-waiting", response_model=list[cw.HoursWaiting],
            responses={200: {"headers": {cw.TOTAL_COUNT_HEADER: {
                "description": "how many rounds wait from the page's start on: all of them on the first page, "
                               "those after `after_ref`/`after_round` on the next (the body is one page of them)",
                "schema": {"type": "integer"}}}}, 400: {"model": ErrorResponse}})
async def hours_waiting(
    caller: SupervisorDep, pool: PoolDep, response: Response,
    limit: Annotated[int, Query(ge=1, le=HOURS_WAITING_PAGE)] = HOURS_WAITING_PAGE,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    after_ref: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    after_round: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> list[dict[str, Any]]:
    """The rounds of work done for the teacher's college whose hours wait for their approval, with each team's
    hours: a checked job's current round, and a round its owner reopened before the approval, also when the job has
    moved on to another college since (read as the owner: that job's record is no longer the teacher's to see).
    Oldest job first (its ref_no, then the round), a page at a time: the next page is the rounds after the last one
    listed (`after_ref` its job's ref_no and `after_round` its round, both or neither: a round approved meanwhile
    skips none; `offset` is not read then), or from `offset` (an older app's pages). `X-Total-Count` says how many
    wait from the page's start on: all of them on the first page, those after the round given on the next ones."""
    if (after_ref is None) != (after_round is None):
        raise ApiError(400, "hours_waiting_after_incomplete")
    after = (after_ref, after_round) if after_ref is not None and after_round is not None else None
    async with service_tx(pool) as owner:
        rounds, total = await credit.hours_waiting(owner, supervisor_college(caller).id, limit, offset, after)
    response.headers[cw.TOTAL_COUNT_HEADER] = str(total)
    return rounds


@router.get("/college/teachers", response_model=list[cw.Teacher])
async def college_teachers(
    caller: Annotated[Caller, Depends(caller_in(AppRole.TECHNICIAN, AppRole.SUPERVISOR))], pool: PoolDep
) -> list[dict[str, Any]]:
    """The active teachers of the caller's college: the student names one present at a high-risk step. Read as the
    owner: a student's RLS does not show other profiles; only ids and names of the college's teachers go out."""
    return await _college_people(pool, caller, AppRole.SUPERVISOR)


@router.get("/college/students", response_model=list[cw.StudentRef])
async def college_students(
    caller: Annotated[Caller, Depends(caller_in(AppRole.TECHNICIAN, AppRole.SUPERVISOR))], pool: PoolDep
) -> list[dict[str, Any]]:
    """The other active students of the caller's college: the lead picks helpers from them. Read as the owner (a
    student's RLS does not show other profiles); only ids and names go out."""
    return await _college_people(pool, caller, AppRole.TECHNICIAN)


async def _college_people(pool: PoolDep, caller: Caller, role: AppRole) -> list[dict[str, Any]]:
    """Ids and names of the active people of a role at the caller's college, the caller left out (students: those
    on the roster, whom a lead may add as helpers); read as the owner because a student's RLS shows no other
    profiles."""
    college = caller.profile.get("college")
    if college is None:
        return []
    async with service_tx(pool) as owner:
        return await (await owner.execute(
            "select id, display_name from public.profiles where college_id = %s and role = %s "
            "and is_active and takes_jobs and id <> %s order by display_name",
            [college["id"], role.value, caller.user_id])
        ).fetchall()


@router.get("/me/team-jobs", response_model=list[cw.TeamJob],
            responses={200: {"headers": PAGE_HEADERS}, 400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
async def team_jobs(caller: TechnicianDep, pool: PoolDep, response: Response, limit: PageLimit = LIST_PAGE,
                    after: PageAfter = None, offset: PageOffset = 0) -> list[dict[str, Any]]:
    """The jobs the student helps on (their current round), with the hours they reported and what was approved:
    those waiting for approval first, newest first, a page at a time (`X-Total-Count`: how many in all; the next
    page: the rows after X-Next-Cursor's, `after`)."""
    place = parse_after(after, offset)
    async with service_tx(pool) as owner:
        jobs, total, next_cursor = await credit.helper_jobs(owner, caller.user_id, limit, offset, place)
    page_headers(response, total, next_cursor)
    return jobs


# --- Progression and the college's settings -------------------------------------------------------------------------

@router.get("/supervisor/skill-proposals", response_model=list[cw.SkillProposal])
async def proposals(caller: SupervisorDep, conn: UserConn) -> list[dict[str, Any]]:
    return await credit.proposals(conn, supervisor_college(caller).id)


@router.post("/supervisor/skill-proposals/{proposal_id}", response_model=cw.ProposalDecided)
async def decide_proposal(proposal_id: uuid.UUID, body: cw.ProposalDecision, identity: IdentityDep, pool: PoolDep
                          ) -> dict[str, Any]:
    async with acting(pool, identity, AppRole.SUPERVISOR) as (owner, caller):
        return await credit.decide_proposal(owner, proposal_id, supervisor_college(caller).id, caller.user_id,
                                            body.confirm)


@router.get("/technicians/{student_id}/levels", response_model=list[cw.LevelChange])
async def levels(student_id: uuid.UUID, identity: IdentityDep, conn: UserConn) -> list[dict[str, Any]]:
    """A student's level history (themselves, their college's teachers, admins: RLS)."""
    await load_profile(conn, identity.user_id)
    return await credit.level_history(conn, student_id)


@router.put("/supervisor/credit-settings", response_model=cw.CreditSettingsSaved,
            responses={400: {"model": ErrorResponse}})
async def settings(body: CreditSettings, identity: IdentityDep, pool: PoolDep) -> dict[str, Any]:
    if body.progression_jobs is not None and (code := check_progression_jobs(body.progression_jobs)):
        raise ApiError(400, code)
    async with acting(pool, identity, AppRole.SUPERVISOR) as (owner, caller):
        return await credit.set_settings(owner, supervisor_college(caller).id, body.progression_jobs,
                                         body.hours_target)


@router.get("/supervisor/credit", response_model=cw.CollegeCredit)
async def college_view(caller: SupervisorDep, conn: UserConn, pool: PoolDep, now: NowDep, term: Term = None
                       ) -> dict[str, Any]:
    """Hours per student in the term against the target, students without jobs, skills lacking for the demand."""
    async with service_tx(pool) as owner:
        return await credit.college_view(conn, owner, supervisor_college(caller).id, _term(term, now))


@router.get("/admin/environment")
async def environment(caller: AdminDep, conn: UserConn) -> dict[str, Any]:
    """Kg kept out of landfill and CO2e avoided (shared/credit.py's factors), per college and per province."""
    colleges = await credit.environment_totals(conn)
    return {"colleges": colleges, "provinces": credit.by_province(colleges), "factors": credit.factor_table(),
            "displacement": DISPLACEMENT}


# --- Portfolio ------------------------------------------------------------------------------------------------------

async def _portfolio(pool: PoolDep, identity: IdentityDep, student_id: uuid.UUID, term: str,
                     terms_up_to: str | None = None) -> dict[str, Any]:
    """Read as the owner (a helper cannot see the request rows under RLS) after checking who asks: the student,
    a teacher of their college or an admin. With `terms_up_to` (the current term), also the terms to choose from
    (the app's picker; a term typed as "2569-2" was a round trip per typo): after the check, so nobody learns
    another student's terms, and in the same transaction."""
    async with service_tx(pool) as owner:
        me = await load_profile(owner, identity.user_id)
        rows = {r["id"]: r for r in await (await owner.execute(
            "select id, college_id from public.profiles where id = any(%s)", [[student_id, identity.user_id]]
        )).fetchall()}
        student, mine = rows.get(student_id), rows[identity.user_id]
        allowed = student is not None and (
            identity.user_id == student_id or me["role"] == AppRole.ADMIN
            or (me["role"] == AppRole.SUPERVISOR and mine["college_id"] == student["college_id"]))
        if not allowed:
            raise ApiError(404, "not_found")
        folio = await credit.portfolio(owner, student_id, term)
        if terms_up_to is not None:
            folio["terms"] = await credit.portfolio_terms(owner, student_id, terms_up_to)
        return folio


@router.get("/portfolio/{student_id}", response_model=cw.Portfolio)
async def portfolio(student_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, now: NowDep, term: Term = None
                    ) -> dict[str, Any]:
    return await _portfolio(pool, identity, student_id, _term(term, now), terms_up_to=term_of(now))


@router.get("/portfolio/{student_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 429: {"model": ErrorResponse}})
async def portfolio_pdf_route(student_id: uuid.UUID, request: Request, identity: IdentityDep, pool: PoolDep,
                              store: PhotoStoreDep, settings: SettingsDep, now: NowDep, term: Term = None,
                              lang: Lang = "th") -> Response:
    """The portfolio to print (Thai font embedded) with each job's before/after photos, a verification code and a
    QR to the public verify page, at the configured public address (never the caller's `Host`). A term with no
    approved job has nothing to verify: 409 `portfolio_empty`, no code stored. Renders are rate-limited per person
    (429 `portfolio_pdf_rate_limited`); a refused one stores no code."""
    folio = await _portfolio(pool, identity, student_id, _term(term, now))
    if not folio["jobs"]:
        raise ApiError(409, "portfolio_empty")
    async with service_tx(pool) as owner:
        await rate_limits.spend(owner, Limit(f"portfolio-pdf:{identity.user_id}",
                                             settings.portfolio_pdfs_per_person_per_hour, timedelta(hours=1)),
                                now, code="portfolio_pdf_rate_limited")
        code = await credit.issue_code(owner, student_id, folio["term"], credit.public_summary(folio))
        paths = await credit.portfolio_photo_paths(owner, [j["request_id"] for j in folio["jobs"]], student_id)
    photos = await credit.load_photos(store, paths)
    verify_url = settings.public_base + request.app.url_path_for("verify_page", code=code)
    data = await asyncio.to_thread(portfolio_pdf, folio, code, verify_url, now, Locale(lang), photos)
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="portfolio-{folio["term"]}-{code}.pdf"',
        "X-Verification-Code": code})


@router.get("/verify/{code}", response_class=HTMLResponse, name="verify_page")
async def verify_page(code: str, pool: PoolDep) -> HTMLResponse:
    """Public: what a portfolio with this code said when it was printed. No citizen's data; the student's first
    name only."""
    found = None
    if is_verify_code(code.upper()):
        async with anon_tx(pool) as conn:
            found = await credit.verify(conn, code.upper())
    return HTMLResponse(_verify_html(code, found), status_code=200 if found else 404)


def _verify_html(code: str, found: dict[str, Any] | None) -> str:
    """The page in Thai, then in English (each part marked with its language for a screen reader), in the words of
    the printed portfolio (shared.credit.PORTFOLIO_TEXTS) and of the API's errors."""
    e = html.escape

    def said(key: str, locale: Locale, **values: object) -> str:
        return e(Bilingual(*PORTFOLIO_TEXTS[key]).format(**values).in_(locale))

    def part(locale: Locale) -> str:
        if found is None:
            return (f"<h1>{e(error_text('verify_code_unknown').in_(locale))}</h1>"
                    f"<p>{said('verify_code', locale, code=code)}</p>")
        s = found["summary"]
        # The Thai day: the session's TimeZone (UTC on Supabase) would say Sunday for a Monday morning in Bangkok.
        issued = date_text(bangkok_day(found["issued_at"]), locale)
        outcomes = "".join(
            f"<li>{e(OUTCOME_LABELS[Outcome(k)][0 if locale == Locale.TH else 1])}: {int(v)}</li>"
            for k, v in sorted(s.get("outcomes", {}).items()) if k in Outcome.__members__.values())
        college = s["college_th"] if locale == Locale.TH else s["college_en"]
        lines = [said("verify_code", locale, code=code.upper()), said("student", locale, name=s["first_name"]),
                 said("college", locale, college=college), said("term", locale, term=s["term"]),
                 said("total", locale, jobs=int(s["jobs"]), hours=f"{float(s['hours']):g}")]
        return (f"<h1>{said('verify_issued_by', locale)}</h1>" + "".join(f"<p>{line}</p>" for line in lines)
                + f"<ul>{outcomes}</ul><p>{said('verify_issued', locale, day=issued)}</p>")

    title = " / ".join(said("verify_title", locale) for locale in Locale)
    return ("<!doctype html><html lang=\"th\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title></head><body><main><section lang=\"th\">{part(Locale.TH)}</section><hr>"
            f"<section lang=\"en\">{part(Locale.EN)}</section></main></body></html>")
