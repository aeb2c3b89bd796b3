"""The job record and the student's credit in the app (issue 14).

`RecordPanel` sits on a request's screen (the owner's detail, the student's job, the teacher's review) and loads the
record itself, so a screen includes it in one line: the owner approves parts and confirms the handover; the student
proposes parts, records a phone approval and the outcome, names the teacher present at a high-risk step and hands
back with the owner's code; the teacher hands back with a reason and approves the team's hours.
`PortfolioViewModel` is the student's portfolio per term with its PDF; `CollegeCreditViewModel` the teacher's view
of the college's hours, students without jobs, skills lacking and the level-up proposals.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Unpack
from uuid import UUID, uuid4

from mobile.api_client import ApiClient, ApiError
from mobile.formatting import format_date
from mobile.models import (
    Category,
    CollegeCredit,
    HoursWaiting,
    JobPart,
    JobRecord,
    Portfolio,
    PortfolioPdf,
    RequestDetail,
    SkillProposal,
    Teacher,
    TeamMember,
    TechnicianItem,
    WorkDetail,
)
from mobile.viewmodels.loadable import (
    AuthLost,
    Busy,
    Done,
    Loadable,
    LoadState,
    SaveFile,
    ScreenWiring,
    SubScreen,
    saved_as,
)
from mobile.viewmodels.paging import PagedList
from mobile.viewmodels.session import Session
from shared.credit import (
    HANDOVER_FROM,
    HOURS_MAX,
    HOURS_WAITING_PAGE,
    OUTCOME_LABELS,
    OUTCOME_REASONS,
    OWNER_RECORD_OPEN,
    PARTS_PER_JOB_MAX,
    PRESENCE_STEPS,
    REPAIRED_OUTCOMES,
    TEAM_MAX,
    TEAM_OPEN,
    TEAM_ROLE_LABELS,
    Outcome,
    PartApproval,
    PartStatus,
    TeamRole,
    check_outcome,
    check_part,
    check_phone_approval,
    check_progression_jobs,
    helper_hours_refusal,
    is_handover_code,
    needs_teacher_present,
    term_bounds,
)
from shared.credit_wire import LevelChange, TeamJob, WaitingRound, on_team
from shared.otp import typed_code as otp_typed_code
from shared.roles import Actor
from shared.statuses import RequestStatus, next_statuses
from shared.text import Bilingual, Locale, bilingual, error_text, status_label
from shared.typed_numbers import parse_amount, parse_hours

S = RequestStatus


def outcome_label(code: str | None, locale: Locale) -> str:
    if code is None:
        return ""
    try:
        return Bilingual(*OUTCOME_LABELS[Outcome(code)]).in_(locale)
    except ValueError:
        return code


def role_label(code: str, locale: Locale) -> str:
    try:
        return Bilingual(*TEAM_ROLE_LABELS[TeamRole(code)]).in_(locale)
    except ValueError:
        return code


def hours_text(hours: float | None) -> str:
    return "-" if hours is None else f"{hours:g}"


def skill_label(categories: dict[str, Category], code: str, locale: Locale) -> str:
    for category in categories.values():
        for skill in category.skills:
            if skill.skill == code:
                return skill.name_th if locale == Locale.TH else skill.name_en
    return code


def level_lines(history: list[LevelChange], categories: dict[str, Category], locale: Locale) -> list[str]:
    """A student's level history, newest first, one line per change."""
    lines = []
    for change in reversed(history):
        when, skill = format_date(change.changed_at, locale), skill_label(categories, change.skill_code, locale)
        if change.level is None:
            lines.append(bilingual("level_removed", when=when, skill=skill).in_(locale))
        else:
            lines.append(bilingual("level_line", when=when, skill=skill, level=change.level).in_(locale))
    return lines


def part_state(part: JobPart) -> Bilingual:
    """A part's answer in words: "อนุมัติในแอป", "ไม่อนุมัติ", "รอเจ้าของอนุมัติ"."""
    if part.status == PartStatus.APPROVED:
        if part.approval == PartApproval.PHONE:
            return bilingual("part_status_approved_phone", note=part.approval_note)
        return bilingual("part_status_approved_app")
    if part.status == PartStatus.WITHDRAWN:
        return bilingual("part_status_withdrawn_by_hand" if part.withdrawn_by_hand else "part_status_withdrawn")
    return bilingual("part_status_declined" if part.status == PartStatus.DECLINED else "part_status_proposed")


class RecordPanel(Loadable):
    def __init__(
        self,
        api: ApiClient,
        session: Session,
        request_id: UUID,
        actor: Actor,
        *,
        detail: Callable[[], RequestDetail | None],
        on_auth_lost: AuthLost,
        on_moved: Done | None = None,
    ) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost)
        self.request_id = request_id
        self.actor = actor
        # The request as the screen around the panel loaded it (status, category): read, never fetched twice.
        self._detail = detail
        self._on_moved = on_moved
        self.record: JobRecord | None = None
        # The request as it stood (status, last change) when the record was last fetched: see `refresh`.
        self._fetched_at: tuple[RequestStatus, datetime] | None = None
        self.teachers: list[Teacher] = []
        self._notice: Bilingual | None = None
        self._action_error: Bilingual | None = None
        self.handover_code: str | None = None  # the owner's one-time code, shown to tell the student
        # The owner's final answers ask first: the part and the answer tapped, or "I have it back" tapped.
        self.part_asked: tuple[UUID, bool] | None = None
        self.handover_asked = False
        # A waiting part its student (or the job's teacher) tapped "ถอนรายการ" on: withdrawing asks first.
        self.withdraw_asked: UUID | None = None
        # What is typed, per section.
        self.part_name = ""
        self.part_qty = "1"
        self.part_price = ""
        # The proposal last sent, and its key: sent again unchanged, it goes with the same key.
        self._part_attempt: tuple[tuple[str, int, float], UUID] | None = None
        self.phone_notes: dict[UUID, str] = {}
        self.outcome: str | None = None
        self.outcome_reason: str | None = None
        self.fault = ""
        self.hand_back_code = ""
        self.hand_back_reason = ""
        self.teacher_id: UUID | None = None
        self.hours_edits: dict[UUID, str] = {}
        # The lead or the teacher adds a helper from the college's active students.
        self.students: list[TechnicianItem] = []
        self.helper_id: UUID | None = None
        self.helper_task = ""
        self.helper_open = False  # the add-a-helper form opens on demand (it holds a second student picker)

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def notice(self) -> str | None:
        return self._in_locale(self._notice)

    @property
    def action_error(self) -> str | None:
        return self._in_locale(self._action_error)

    @property
    def detail(self) -> RequestDetail | None:
        return self._detail()

    @property
    def status(self) -> RequestStatus | None:
        return None if self.detail is None else RequestStatus(self.detail.status)

    @property
    def is_owner(self) -> bool:
        return self.actor == Actor.CITIZEN

    @property
    def is_student(self) -> bool:
        """The student on the job (its lead): a student reading a job they help on acts on nothing here."""
        detail = self.detail
        return self.actor == Actor.TECHNICIAN and not (detail is not None and self._session.helps_on(detail))

    @property
    def is_teacher(self) -> bool:
        return self.actor in (Actor.SUPERVISOR, Actor.ADMIN)

    @property
    def parts(self) -> list[JobPart]:
        return [] if self.record is None else self.record.parts

    @property
    def parts_waiting(self) -> list[JobPart]:
        return [p for p in self.parts if p.status == PartStatus.PROPOSED]

    @property
    def parts_approved(self) -> list[JobPart]:
        """The parts the owner approved (in the app or by phone), what they pay for, for the owner's card: listed
        there until the student's report is in, whose repair record on the same screen lists them (the backend
        gives the owner's report only these parts) with their total; twice would read as two bills."""
        detail = self.detail
        if detail is not None and detail.report is not None and detail.report.parts:
            return []
        return [p for p in self.parts if p.status == PartStatus.APPROVED]

    @property
    def parts_total(self) -> float:
        return 0.0 if self.record is None else self.record.parts_approved_total_baht

    @property
    def handover_confirmed(self) -> bool:
        return self.record is not None and self.record.handover is not None

    @property
    def ready_to_hand_back(self) -> bool:
        return self.status in HANDOVER_FROM

    @property
    def can_confirm_handover(self) -> bool:
        """The owner's "I have it back": when the job is ready to hand back and nobody confirmed yet."""
        return self.is_owner and self.ready_to_hand_back and not self.handover_confirmed

    @property
    def can_edit_parts(self) -> bool:
        return self.is_student and self.status in (S.ACCEPTED, S.DIAGNOSING, S.REPAIRING)

    def can_withdraw(self, part: JobPart) -> bool:
        """A part still waiting for the owner: its student withdraws it while the job is theirs, the job's teacher
        while the work is under way (the backend decides again: 403 not_assigned, 409 part_answered)."""
        if part.status != PartStatus.PROPOSED or self.status not in (S.ACCEPTED, S.DIAGNOSING, S.REPAIRING):
            return False
        me = self._session.profile
        return self.is_teacher or (self.is_student and me is not None and part.proposed_by == me.id)

    @property
    def can_record_outcome(self) -> bool:
        return self.is_student and self.status in (S.ACCEPTED, S.DIAGNOSING, S.REPAIRING)

    @property
    def can_hand_back(self) -> bool:
        """The student's hand back with the owner's code (a teacher's is the job screen's step, with a reason)."""
        status = self.status
        return status is not None and self.is_student and S.HANDED_BACK in next_statuses(status, self.actor)

    @property
    def presence_steps(self) -> list[RequestStatus]:
        """The student's next hands-on steps that need a teacher named present (high-risk categories)."""
        status = self.status
        if not self.is_student or status is None or self.detail is None or self.detail.teacher_needed:
            return []  # no teacher of the college can be present now: the job screen says why (teacher_needed_note)
        return [to for to in next_statuses(status, self.actor)
                if to in PRESENCE_STEPS and needs_teacher_present(self.detail.category_code, to)]

    @property
    def can_approve_hours(self) -> bool:
        """The current round's hours (a round ended by a reopen before its approval goes first: can_approve_waiting)."""
        if not self.is_teacher or self.record is None or not self.record.team or self.waiting_round is not None:
            return False
        if self.detail is not None and self.detail.is_mine:
            return False  # a teacher's own request: another teacher approves its hours (403 own_request_check)
        return (self.status in (S.DONE, S.HANDED_BACK, S.UNREPAIRABLE)
                and all(m.approved_at is None for m in self.record.team))

    @property
    def waiting_round(self) -> WaitingRound | None:
        """For the teacher: a round its owner reopened before its hours were approved, still to approve."""
        record = self.record
        if not self.is_teacher or record is None or record.waiting_round is None or not record.waiting_round.team:
            return None
        return record.waiting_round

    @property
    def can_approve_waiting(self) -> bool:
        """The ended round's hours are approved whatever the job's status now (the approval takes that round first)."""
        return self.waiting_round is not None and not (self.detail is not None and self.detail.is_mine)

    @property
    def can_add_helper(self) -> bool:
        """The teacher, or the lead on their own job screen (only the student on the job opens it; a helper sees
        the job in their portfolio's list, not here)."""
        record = self.record
        if self.is_teacher and self.detail is not None and self.detail.is_mine:
            return False  # a teacher's own request: its team is another teacher's to change (403 own_request_staff)
        return ((self.is_teacher or self.is_student) and record is not None and self.status in TEAM_OPEN
                and all(m.approved_at is None for m in record.team) and len(on_team(record.team)) < TEAM_MAX)

    @property
    def round_note(self) -> str | None:
        """On a reopened job repaired again: which round this is and what earlier rounds were credited."""
        record = self.record
        if record is None or record.round <= 1:
            return None
        if not record.earlier_rounds_hours:  # nothing was credited before the reopen: no "0 h approved"
            return bilingual("record_round_bare", round=record.round).in_(self.locale)
        return bilingual("record_round", round=record.round,
                         hours=hours_text(record.earlier_rounds_hours)).in_(self.locale)

    @property
    def helper_choices(self) -> list[TechnicianItem]:
        """Active students of the college not on the team (one handed off with a former lead may be added again),
        nor on the job as its lead."""
        taken = {m.technician_id for m in on_team(self.record.team if self.record else [])}
        lead = self.detail.technician_id if isinstance(self.detail, WorkDetail) else None
        return [s for s in self.students if s.is_active and s.id not in taken and s.id != lead]

    def reported_hours(self, member: TeamMember) -> float | None:
        """A helper's own report; the lead's hours are their work report's (the approval reads them from there). On a
        reopened job the report may be the last round's, already credited: only the backend's figure counts then.
        Only the lead's own screen falls back to the job's report: a job given to another student may still carry
        the former student's report, whose hours are theirs (the backend's record names whose they are), so a
        teacher sees and approves the backend's figure only."""
        if member.hours is not None or member.role != TeamRole.LEAD or not self.is_student:
            return member.hours
        if self.record is not None and self.record.round > 1:
            return None
        report = self.detail.report if isinstance(self.detail, WorkDetail) else None
        return report.hours if report is not None and report.hours else None

    @property
    def outcome_needs_reason(self) -> bool:
        # The outcome may be one a newer backend recorded that this app does not know: no reason asked for here (the
        # backend checks), and the screen still draws.
        return self.outcome is not None and self.outcome in set(Outcome) - set(REPAIRED_OUTCOMES)

    def outcomes(self) -> list[tuple[str, str]]:
        return [(o.value, Bilingual(*OUTCOME_LABELS[o]).in_(self.locale)) for o in Outcome]

    def reasons(self) -> list[tuple[str, str]]:
        return [(code, Bilingual(*label).in_(self.locale)) for code, label in OUTCOME_REASONS.items()]

    # --- loading -------------------------------------------------------------------------------------

    @property
    def first_loading(self) -> bool:
        """Not loaded yet (a reload keeps the last record on the screen)."""
        return self.record is None and self.state in (LoadState.IDLE, LoadState.LOADING)

    async def refresh(self) -> None:
        """A poll's reload (the live stream is down), after the screen's own: skipped while the record is settled. A
        request waiting for a college, or finished, then costs its screen one request a poll, not two."""
        if not self._settled():
            await self.load()

    def _settled(self) -> bool:
        """Nothing this screen shows of the record can have changed since it was fetched: the request has not moved
        since (its status and last change), and sits where the record changes only with a move. For the owner that is
        outside OWNER_RECORD_OPEN. Staff see the team too, whose helpers may report hours in any status until the
        teacher approves the round: for them only once the current round's hours are approved as well (a reopen,
        which starts a new round, is a move)."""
        record, fetched_at = self.record, self._fetched_at
        if record is None or fetched_at is None or fetched_at != self._request_state():
            return False
        if fetched_at[0] in OWNER_RECORD_OPEN:
            return False
        return self.is_owner or any(m.approved_at is not None for m in record.team)

    def _request_state(self) -> tuple[RequestStatus, datetime] | None:
        detail = self.detail
        return None if detail is None else (RequestStatus(detail.status), detail.updated_at)

    async def _fetch(self) -> None:
        state = self._request_state()  # before the fetch: the record read is at least as new as this
        self.record = await self._api.job_record(self.request_id)
        self._fetched_at = state
        self._close_settled_questions()
        if self.is_owner:
            return
        if self.can_add_helper and not self.students:
            self.students = await (self._api.supervisor_technicians() if self.is_teacher
                                   else self._api.college_students())
        if self.presence_steps and not self.teachers:
            self.teachers = await self._api.college_teachers()
            if len(self.teachers) == 1:
                self.teacher_id = self.teachers[0].id
        if self.record.outcome is not None and self.outcome is None:
            self.outcome = self.record.outcome.outcome
            self.outcome_reason = self.record.outcome.reason
            self.fault = self.record.outcome.fault_found

    async def _act(self, work: Callable[[], Awaitable[object]], done: Bilingual, *, moved: bool = False) -> bool:
        """Send one action; a refusal shows on the panel in the person's language, then the record reloads."""
        if self.sending:
            return False
        self._action_error, self._notice = None, None
        if not await self._sent(work(), self._action_refused):
            return False  # an open question stays open, with the refusal in it
        self._notice = done
        self.part_asked, self.handover_asked, self.withdraw_asked = None, False, None
        await self.load()
        if moved and self._on_moved is not None:
            await self._on_moved()
        return True

    def _action_refused(self, exc: ApiError) -> None:
        self._action_error = exc.text

    def _refuse(self, text: Bilingual) -> None:
        self._action_error, self._notice = text, None
        self._changed()

    # --- the owner -----------------------------------------------------------------------------------

    @property
    def asking(self) -> bool:
        """A question of the owner's is open on the screen (its refusal and its progress show in it, not above or
        below the record): only while what it asks about still waits for the answer, as the view draws it."""
        return self._part_question_open or self._handover_question_open or self._withdraw_question_open

    @property
    def _withdraw_question_open(self) -> bool:
        asked = self.withdraw_asked
        return asked is not None and any(p.id == asked and self.can_withdraw(p) for p in self.parts)

    @property
    def _part_question_open(self) -> bool:
        asked = self.part_asked
        return asked is not None and any(p.id == asked[0] for p in self.parts_waiting)

    @property
    def _handover_question_open(self) -> bool:
        return self.handover_asked and self.can_confirm_handover

    def _close_settled_questions(self) -> None:
        """After a reload: a question whose subject was settled meanwhile (the part answered on the other parent's
        phone or approved by phone through the student, the handover confirmed with the code, the job moved on)
        closes, and the panel says why in its read-out notice, instead of a question that is not drawn any more
        holding the panel's refusals and progress back (`asking`). While the owner's own answer is on its way, `_act`
        closes its question and says what it did (a reload landing meanwhile would say "answered meanwhile" first)."""
        if self.sending:
            return
        if self.part_asked is not None and not self._part_question_open:
            part = next((p for p in self.parts if p.id == self.part_asked[0]), None)
            self.part_asked, self._action_error = None, None
            if part is not None:
                said, state = bilingual("part_answered_meanwhile"), part_state(part)
                self._notice = Bilingual(said.th.format(name=part.name, state=state.th),
                                         said.en.format(name=part.name, state=state.en))
        if self.withdraw_asked is not None and not self._withdraw_question_open:
            part = next((p for p in self.parts if p.id == self.withdraw_asked), None)
            self.withdraw_asked, self._action_error = None, None
            if part is not None:
                said, state = bilingual("part_answered_meanwhile"), part_state(part)
                self._notice = Bilingual(said.th.format(name=part.name, state=state.th),
                                         said.en.format(name=part.name, state=state.en))
        if self.handover_asked and not self._handover_question_open:
            self.handover_asked, self._action_error = False, None
            self._notice = bilingual("handover_confirmed_meanwhile" if self.handover_confirmed
                                     else "handover_not_now")

    def ask_part(self, part_id: UUID, approve: bool) -> None:
        """"อนุมัติ" / "ไม่อนุมัติ" tapped: the answer is final (409 part_already_decided), so the part's line asks
        first, naming the part and its price."""
        if self.sending:
            return
        self.part_asked, self.handover_asked, self.withdraw_asked = (part_id, approve), False, None
        self._action_error, self._notice = None, None
        self._changed()

    def ask_handover(self) -> None:
        """"ได้รับของคืนแล้ว" tapped: recorded for good (the student may then close the job), so it asks first."""
        if self.sending:
            return
        self.handover_asked, self.part_asked, self.withdraw_asked = True, None, None
        self._action_error, self._notice = None, None
        self._changed()

    def dismiss_question(self) -> None:
        if self.sending:
            return
        self.part_asked, self.handover_asked, self.withdraw_asked = None, False, None
        self._action_error = None
        self._changed()

    async def decide_part(self, part_id: UUID, approve: bool) -> None:
        """The answer sent: only the one the owner was asked about and said yes to (anything else asks first)."""
        part = next((p for p in self.parts if p.id == part_id), None)
        if part is None:
            return
        if self.part_asked != (part_id, approve):
            self.ask_part(part_id, approve)
            return
        done = bilingual("part_approved" if approve else "part_declined", name=part.name)
        await self._act(lambda: self._api.decide_part(self.request_id, part_id, approve), done)

    async def confirm_handover(self) -> None:
        """Sent once the owner said yes to the question (a call without it asks first)."""
        if not self.handover_asked:
            self.ask_handover()
            return
        await self._act(lambda: self._api.confirm_handover(self.request_id), bilingual("handover_confirmed"),
                        moved=True)

    async def show_handover_code(self) -> None:
        """A fresh one-time code to tell the student at the counter (a new one replaces the last)."""
        if self.sending:
            return
        self._action_error = None
        code = await self._send(self._api.handover_code(self.request_id), self._action_refused)
        if code is None:
            return
        self.handover_code = code
        self._notice = bilingual("handover_code_is", code=code)
        self._changed()

    # --- the student ---------------------------------------------------------------------------------

    def set_part_name(self, value: str) -> None:
        self.part_name = value

    def set_part_qty(self, value: str) -> None:
        self.part_qty = value

    def set_part_price(self, value: str) -> None:
        self.part_price = value

    async def propose_part(self, name: str | None = None, qty: str | None = None, price: str | None = None) -> None:
        """The fields as they read at the tap (under load a tap can arrive before the last keystrokes' changes)."""
        if name is not None:
            self.part_name = name
        if qty is not None:
            self.part_qty = qty
        if price is not None:
            self.part_price = price
        if len(self.parts) >= PARTS_PER_JOB_MAX:  # as the server counts them: every part proposed on the job
            self._refuse(error_text("parts_too_many"))
            return
        count, cost = parse_amount(self.part_qty), parse_amount(self.part_price)
        if count is None or cost is None or count != int(count) or check_part(self.part_name, int(count), cost):
            self._refuse(error_text("part_invalid"))
            return
        part_name = self.part_name.strip()
        # One key per part as typed: sent again unchanged (after a lost answer) it is the same part on the server,
        # never a second one for the owner to approve; changed, it is another proposal.
        typed = (part_name, int(count), cost)
        if self._part_attempt is None or self._part_attempt[0] != typed:
            self._part_attempt = (typed, uuid4())
        key = self._part_attempt[1]
        done = bilingual("part_proposed", name=part_name)
        if await self._act(lambda: self._api.propose_part(self.request_id, part_name, int(count), cost, key), done):
            self.part_name, self.part_qty, self.part_price = "", "1", ""
            self._part_attempt = None
            self._changed()

    def ask_withdraw(self, part_id: UUID) -> None:
        """"ถอนรายการ" tapped on a waiting part: withdrawn for good (the owner is told), so the part's line asks
        first, naming the part and its price."""
        if self.sending:
            return
        self.withdraw_asked, self.part_asked, self.handover_asked = part_id, None, False
        self._action_error, self._notice = None, None
        self._changed()

    async def withdraw_part(self, part_id: UUID) -> None:
        """Sent once the question about this part was answered yes (a call without it asks first). The busy flag
        goes through `busy.answered` (`_act`): a refusal (409 part_answered: the owner answered meanwhile) shows in
        the question, and the record reloads."""
        part = next((p for p in self.parts if p.id == part_id), None)
        if part is None or not self.can_withdraw(part):
            return
        if self.withdraw_asked != part_id:
            self.ask_withdraw(part_id)
            return
        await self._act(lambda: self._api.withdraw_part(self.request_id, part_id),
                        bilingual("part_withdrawn_done", name=part.name))

    def set_phone_note(self, part_id: UUID, value: str) -> None:
        self.phone_notes[part_id] = value

    async def record_phone_approval(self, part_id: UUID, note: str | None = None) -> None:
        if note is not None:
            self.phone_notes[part_id] = note
        text = self.phone_notes.get(part_id, "")
        code = check_phone_approval(text)
        if code:
            self._refuse(error_text(code))
            return
        if await self._act(lambda: self._api.record_phone_approval(self.request_id, part_id, text.strip()),
                           bilingual("phone_recorded")):
            self.phone_notes.pop(part_id, None)

    def set_outcome(self, code: str) -> None:
        self.outcome = code or None
        if not self.outcome_needs_reason:
            self.outcome_reason = None
        self._changed()

    def set_outcome_reason(self, code: str) -> None:
        self.outcome_reason = code or None
        self._changed()

    def set_fault(self, value: str) -> None:
        self.fault = value

    async def save_outcome(self, fault: str | None = None) -> None:
        if fault is not None:
            self.fault = fault
        outcome, reason = self.outcome or "", self.outcome_reason if self.outcome_needs_reason else None
        code = check_outcome(outcome, reason, self.fault)
        if code:
            self._refuse(error_text(code))
            return
        await self._act(lambda: self._api.record_outcome(self.request_id, outcome, reason, self.fault.strip()),
                        bilingual("outcome_saved"))

    def pick_teacher(self, value: str) -> None:
        self.teacher_id = next((t.id for t in self.teachers if str(t.id) == value), None)
        self._changed()

    async def step_with_teacher(self, to_status: RequestStatus) -> None:
        if self.teacher_id is None:
            self._refuse(error_text("teacher_presence_required"))
            return
        teacher = self.teacher_id
        await self._act(lambda: self._api.move_job(self.request_id, to_status.value, teacher_present_id=teacher),
                        bilingual("record_step_done"), moved=True)

    # --- hand back (the student with the owner's code; the teacher with a code or a reason) -------------

    def set_hand_back_code(self, value: str) -> None:
        self.hand_back_code = value

    def set_hand_back_reason(self, value: str) -> None:
        self.hand_back_reason = value

    async def hand_back(self, code: str | None = None, reason: str | None = None) -> None:
        if code is not None:
            self.hand_back_code = code
        if reason is not None:
            self.hand_back_reason = reason
        typed_code = otp_typed_code(self.hand_back_code)  # Thai digits are the same code
        note = self.hand_back_reason.strip() if self.is_teacher else ""
        # Without a code or a reason the server still decides: the owner may have confirmed since this loaded.
        if typed_code and not is_handover_code(typed_code):
            self._refuse(error_text("handover_code_invalid"))
            return
        await self._act(lambda: self._api.move_job(self.request_id, S.HANDED_BACK.value, note=note,
                                                   handover_code=typed_code or None),
                        bilingual("handed_back"), moved=True)

    # --- the teacher's team and approval of hours ---

    def open_helper(self) -> None:
        self.helper_open = True
        self._changed()

    def close_helper(self) -> None:
        self.helper_open, self.helper_id, self.helper_task = False, None, ""
        self._changed()

    def pick_helper(self, value: str) -> None:
        self.helper_id = next((s.id for s in self.helper_choices if str(s.id) == value), None)
        self._changed()

    def set_helper_task(self, value: str) -> None:
        self.helper_task = value

    async def add_helper(self, task: str | None = None) -> None:
        if task is not None:
            self.helper_task = task
        helper = self.helper_id
        if helper is None:
            return
        name = next((s.display_name for s in self.students if s.id == helper), "")
        done = bilingual("helper_added", name=name)
        if await self._act(lambda: self._api.add_team_member(self.request_id, helper, self.helper_task.strip()),
                           done):
            self.helper_id, self.helper_task, self.helper_open = None, "", False
            self._changed()

    # --- (approval) ----------------------------------------------------------------

    def set_hours_edit(self, technician_id: UUID, value: str) -> None:
        self.hours_edits[technician_id] = value

    async def approve_hours(self, edits: dict[UUID, str] | None = None, round_: int | None = None) -> None:
        """The current round's hours, or `round_`'s (the round waiting since a reopen: waiting_round)."""
        self.hours_edits.update(edits or {})
        corrected: dict[UUID, float] = {}
        # Who leads the round approved: a waiting round's team is its own (its helper may lead the next round).
        waiting = self.record.waiting_round if self.record else None
        team = waiting.team if waiting is not None and round_ == waiting.round else (
            self.record.team if self.record and round_ is None else [])
        leads = {m.technician_id for m in team if m.role == TeamRole.LEAD}
        for member, text in self.hours_edits.items():
            if not text.strip():
                continue
            value = parse_hours(text)
            if value is None or value < 0:
                self._refuse(bilingual("number_invalid"))
                return
            if value == 0 and member in leads:  # 0 is a helper's "did not help", never the lead's
                self._refuse(error_text("hours_lead_zero"))
                return
            corrected[member] = value
        if await self._act(lambda: self._api.approve_hours(self.request_id, corrected, round_),
                           bilingual("hours_approved")):
            self.hours_edits.clear()  # an ended round approved: the next round's fields start from its own figures


def team_job_status(job: TeamJob) -> RequestStatus | None:
    """GET /me/team-jobs sends the request's status as a string (the backend always has it); None when this app
    cannot read it (missing, or a status newer than the app): the page still draws, the hours form is not offered."""
    try:
        return RequestStatus(job.status)
    except ValueError:
        return None


def _team_job_key(job: TeamJob) -> tuple[UUID, int]:
    return job.request_id, job.round


def _waiting_key(waiting: HoursWaiting) -> tuple[UUID, int]:
    return waiting.request_id, waiting.round


class PortfolioViewModel(SubScreen):
    """The student's approved jobs in a term (hours, role, outcome, approving teacher) and the PDF to keep."""

    def __init__(
        self, api: ApiClient, session: Session, student_id: UUID, *, save_file: SaveFile | None = None,
        **wiring: Unpack[ScreenWiring],
    ) -> None:
        super().__init__(api, session, **wiring)
        self.student_id = student_id
        self._save_file = save_file
        self.term: str | None = None  # None: the current term (the server's clock decides)
        self.term_input = ""
        # The term the backend answered when asked for none: the current one, marked so in the picker.
        self.current_term: str | None = None
        self.portfolio: Portfolio | None = None
        self.downloading = False
        self.verification_code: str | None = None
        # The student's own page also holds the jobs they help on (each with their own hours; those waiting for
        # approval first, a page at a time: each one's hours reported here) and their levels.
        self.team_pages: PagedList[TeamJob] = PagedList(
            lambda after, n: self._api.my_team_jobs(after, n), _team_job_key, changed=self._changed,
            lost_sign_in=self._lost_sign_in)
        self.levels: list[LevelChange] = []
        self.categories: dict[str, Category] = {}
        self.hours_inputs: dict[UUID, str] = {}
        self.task_inputs: dict[UUID, str] = {}
        self.saving_hours: UUID | None = None

    @property
    def team_jobs(self) -> list[TeamJob]:
        return self.team_pages.rows

    async def load_more_team_jobs(self) -> None:
        await self.team_pages.load_more()

    async def _fetch(self) -> None:
        portfolio, team_jobs, levels = await asyncio.gather(
            self._api.portfolio(self.student_id, self.term), self.team_pages.fetch(),
            self._api.level_history(self.student_id))
        if levels and not self.categories:
            self.categories = {c.code: c for c in await self._api.categories()}
        self.portfolio, self.levels = portfolio, levels
        self.team_pages.show(team_jobs)
        # The term asked for follows the term shown unless another one was set and not shown yet (a reload after
        # saving one's hours must not put the shown term back over it). The screen picks terms from `terms` now;
        # `term_input`/`show_term` stay the way a term is asked for and checked.
        if self.term_input.strip() in ("", self.term or "", portfolio.term):
            self.term_input = portfolio.term
        if self.term is None:
            self.current_term = portfolio.term
        self.term = portfolio.term

    @property
    def terms(self) -> list[str]:
        """The terms to pick from: those the backend lists (the student's terms with approved work and the current
        one, newest first), and the one shown if it is not among them (a backend that lists none: only it)."""
        listed = list(self.portfolio.terms) if self.portfolio is not None else []
        if self.term is not None and self.term not in listed:
            listed.append(self.term)
        return listed

    def term_text(self, term: str) -> str:
        """A term as the picker names it: "2569-2 (ภาคเรียนนี้)" for the current one."""
        return bilingual("portfolio_term_current", term=term).in_(self.locale) if term == self.current_term else term

    def level_lines(self) -> list[str]:
        return level_lines(self.levels, self.categories, self.locale)

    def hours_refusal(self, job: TeamJob) -> Bilingual | None:
        """Why the backend would refuse the helper's hours on this job now (they left its team, it takes no hours),
        in words, or None: the form is offered only then (shared.credit.helper_hours_refusal, the backend's rule)."""
        status = team_job_status(job)
        code = helper_hours_refusal(status, approved=job.approved_at is not None, handed_on=job.handed_on)
        return error_text(code, request_status=status) if code else None

    def status_text(self, job: TeamJob) -> str:
        """The job's status in words; one this app cannot read as it came ("-" when missing), never a failed page."""
        status = team_job_status(job)
        return status_label(status, self.locale) if status is not None else (job.status or "-")

    def hours_input(self, job: TeamJob) -> str:
        return self.hours_inputs.get(job.request_id, "" if job.hours is None else hours_text(job.hours))

    def task_input(self, job: TeamJob) -> str:
        return self.task_inputs.get(job.request_id, job.task)

    def set_hours_input(self, request_id: UUID, value: str) -> None:
        self.hours_inputs[request_id] = value

    def set_task_input(self, request_id: UUID, value: str) -> None:
        self.task_inputs[request_id] = value

    async def save_my_hours(self, request_id: UUID, hours: str | None = None, task: str | None = None) -> None:
        """A helper's own hours (and what they did) on a job; the teacher approves them with the job."""
        if self.saving_hours is not None:
            return
        job = next((j for j in self.team_jobs if j.request_id == request_id), None)
        if job is None:
            return
        if (closed := self.hours_refusal(job)) is not None:  # the form is not offered then: the backend would refuse
            self._notice = closed
            self._changed()
            return
        if hours is not None:
            self.hours_inputs[request_id] = hours
        if task is not None:
            self.task_inputs[request_id] = task
        value = parse_hours(self.hours_input(job))
        if value is None or not 0 < value <= HOURS_MAX:
            self._notice = bilingual("number_invalid")
            self._changed()
            return
        self._notice = None
        changed: list[bool] = []

        def refused(exc: ApiError) -> None:
            self._refused_notice(exc)
            changed.append(exc.status == 409)  # the job or the team changed since the page loaded

        if not await self._sent(self._api.report_my_hours(request_id, value, self.task_input(job).strip()),
                                refused, self._saving_hours_of(request_id)):
            if any(changed):  # shown as the backend has it now: the form goes where it refuses (the notice stays)
                await self.load()
            return
        self.hours_inputs.pop(request_id, None)
        self.task_inputs.pop(request_id, None)
        self._notice = bilingual("my_hours_saved")
        await self.load()

    def _saving_hours_of(self, request_id: UUID) -> Busy:
        def mark(on: bool) -> None:
            self.saving_hours = request_id if on else None
        return mark

    def set_term_input(self, value: str) -> None:
        self.term_input = value

    async def show_term(self, value: str | None = None) -> None:
        if value is not None:
            self.term_input = value
        term = self.term_input.strip()
        if term_bounds(term) is None:
            self._notice = error_text("term_invalid")
            self._changed()
            return
        self.term, self._notice = term, None
        await self.load()

    async def download_pdf(self) -> None:
        if self.downloading:
            return
        self._notice = None
        got = await self._send(self._pdf_saved(), self._refused_notice, self._mark_downloading)
        if got is None:
            return
        pdf, saved = got
        self.verification_code = pdf.code  # not saved: the code still shows, to quote
        key = "portfolio_pdf_saved" if saved else "portfolio_pdf_not_saved"
        self._notice = bilingual(key, name=pdf.filename, code=pdf.code)
        self._changed()

    async def _pdf_saved(self) -> tuple[PortfolioPdf, bool]:
        pdf = await self._api.portfolio_pdf(self.student_id, self.term, self.locale)
        return pdf, await saved_as(self._save_file, pdf.filename, pdf.data)

    def _mark_downloading(self, on: bool) -> None:
        self.downloading = on


class StudentLevelsScreen(SubScreen):
    """A teacher's screen listing students, each row able to show (or hide) the student's level history under it,
    one student at a time: the college view and the students page (`categories` name the skills; a subclass's
    `_fetch` fills it)."""

    def __init__(self, api: ApiClient, session: Session, **wiring: Unpack[ScreenWiring]) -> None:
        super().__init__(api, session, **wiring)
        self.categories: dict[str, Category] = {}
        self.levels_of: UUID | None = None
        self.levels: list[LevelChange] = []

    async def toggle_levels(self, student_id: UUID) -> None:
        """Show (or hide) a student's level history under their row."""
        if self.levels_of == student_id:
            self.levels_of, self.levels = None, []
            self._changed()
            return
        levels = await self._send(self._api.level_history(student_id), self._refused_notice)
        if levels is None:
            return
        self.levels_of, self.levels = student_id, levels
        self._changed()

    def level_lines(self) -> list[str]:
        return level_lines(self.levels, self.categories, self.locale)


class CollegeCreditViewModel(StudentLevelsScreen):
    """The teacher's view of the college in a term, and the level-up proposals to confirm or decline."""

    def __init__(self, api: ApiClient, session: Session, **wiring: Unpack[ScreenWiring]) -> None:
        super().__init__(api, session, **wiring)
        self.view: CollegeCredit | None = None
        self.proposals: list[SkillProposal] = []
        self.deciding: UUID | None = None
        # The rounds of the college whose hours wait for the teacher's approval (a job that moved on to another
        # college too: its record is no longer the teacher's to open), and the one being approved. A long list as the
        # others (PagedList): a page at a time (shared.credit.HOURS_WAITING_PAGE), oldest job first, each after the
        # last round listed (by its sort key: a round approved meanwhile skips none), and each page says how many
        # wait from its start on; a "more" answered after a reload (an approval, a decided proposal) is dropped.
        self.hours_pages: PagedList[HoursWaiting] = PagedList(
            lambda after, n: self._api.hours_waiting(after, n), _waiting_key, changed=self._changed,
            lost_sign_in=self._lost_sign_in, page=HOURS_WAITING_PAGE, page_max=HOURS_WAITING_PAGE,
            more_key="hours_waiting_more")
        self.approving: tuple[UUID, int] | None = None
        self.jobs_input = ""
        self.target_input = ""
        self.saving = False
        # The settings as last loaded: a reload (after a decided proposal) replaces the fields only while they still
        # hold these, never numbers typed and not yet saved.
        self._settings_loaded: tuple[str, str] | None = None

    async def _fetch(self) -> None:
        view, proposals, categories, waiting = await asyncio.gather(
            self._api.college_credit(), self._api.skill_proposals(), self._api.categories(),
            self.hours_pages.fetch())
        self.view = view
        self.hours_pages.show(waiting)
        loaded = (str(view.progression_jobs), f"{view.hours_target:g}")
        if self._settings_loaded in (None, (self.jobs_input, self.target_input)):
            self.jobs_input, self.target_input = loaded
        self._settings_loaded = loaded
        self.proposals = [p for p in proposals if p.status == "proposed"]
        self.categories = {c.code: c for c in categories}

    def category_name(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name(self.locale) if category is not None else code

    def skill_name(self, code: str) -> str:
        for category in self.categories.values():
            for skill in category.skills:
                if skill.skill == code:
                    return skill.name_th if self.locale == Locale.TH else skill.name_en
        return code

    async def decide(self, proposal_id: UUID, confirm: bool) -> None:
        if self.deciding is not None:
            return
        self._notice = None
        if await self._send(self._api.decide_proposal(proposal_id, confirm), self._refused_notice,
                            self._deciding_on(proposal_id)) is None:
            return
        self._notice = bilingual("proposal_confirmed" if confirm else "proposal_declined")
        await self.load()

    @property
    def hours_waiting(self) -> list[HoursWaiting]:
        return self.hours_pages.rows

    @property
    def hours_waiting_more(self) -> int:
        """How many rounds wait beyond those listed (each page counts those from its start on)."""
        return self.hours_pages.more_count or 0

    @property
    def hours_waiting_total(self) -> int:
        """The rounds listed and those waiting beyond them (the next page is `load_more_hours_waiting`)."""
        return self.hours_pages.total

    async def load_more_hours_waiting(self) -> None:
        """The next page of rounds waiting: those after the last one listed (by its place in the list's order, not
        by how many are listed: a round approved meanwhile by another teacher shifts nothing; a round listed
        already is not listed twice). A failure says why under the list."""
        await self.hours_pages.load_more()

    async def approve_waiting(self, request_id: UUID, round_: int) -> None:
        """A waiting round's hours, as its team reported them (POST .../credit/approve?round=N); a refusal (the
        hours do not fit the round's timeline, the teacher worked on it) is told, and the round stays listed."""
        if self.approving is not None or self.deciding is not None:
            return
        self._notice = None
        if not await self._sent(self._api.approve_hours(request_id, round_=round_), self._refused_notice,
                                self._approving_on(request_id, round_)):
            return
        self._notice = bilingual("hours_approved")
        await self.load()

    def _approving_on(self, request_id: UUID, round_: int) -> Busy:
        def mark(on: bool) -> None:
            self.approving = (request_id, round_) if on else None
        return mark

    def _deciding_on(self, proposal_id: UUID) -> Busy:
        def mark(on: bool) -> None:
            self.deciding = proposal_id if on else None
        return mark

    def _mark_saving(self, on: bool) -> None:
        self.saving = on

    def set_jobs_input(self, value: str) -> None:
        self.jobs_input = value

    def set_target_input(self, value: str) -> None:
        self.target_input = value

    async def save_settings(self, jobs: str | None = None, target: str | None = None) -> None:
        """The college's N approved jobs before a level-up proposal, and its hours target per term."""
        if jobs is not None:
            self.jobs_input = jobs
        if target is not None:
            self.target_input = target
        n, hours = parse_amount(self.jobs_input), parse_amount(self.target_input)
        if n is None or n != int(n) or check_progression_jobs(int(n)):
            self._notice = error_text("progression_jobs_invalid")
            self._changed()
            return
        if hours is None or hours <= 0:
            self._notice = bilingual("number_invalid")
            self._changed()
            return
        self._notice = None
        if not await self._sent(self._api.set_credit_settings(int(n), hours), self._refused_notice,
                                self._mark_saving):
            return
        self._notice = bilingual("settings_saved")
        self._settings_loaded = None  # saved: the fields show the server's numbers again
        await self.load()
