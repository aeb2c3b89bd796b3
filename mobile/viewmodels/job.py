"""One job as the student technician works it, or as the supervisor reviews it.

The step buttons come from shared.statuses.next_statuses(status, actor): the same table the backend
checks, so the app never offers a move the server would refuse. A step opens a small confirm panel;
"unrepairable" needs a reason from shared.work, a supervisor's send-back needs a note.
"""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Unpack
from urllib.parse import quote
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import PhotoRef, Teacher, TechnicianItem, WorkDetail
from mobile.photo_picking import PickedPhoto, PickOutcome, PickPhotos, prepare, rejection_text
from mobile.viewmodels.busy import answered
from mobile.viewmodels.loadable import Done, ScreenWiring, kept_on_screen
from mobile.viewmodels.local_ids import local_id
from mobile.viewmodels.request_screen import RequestScreen
from mobile.viewmodels.session import Session
from shared.credit import PART_PRICE_MAX, PART_QTY_MAX, format_baht, needs_teacher_present, present_by_moving
from shared.notifications import LeadLeft, lead_left_text_key
from shared.photos import PhotoRejected, free_after_slots
from shared.roles import Actor
from shared.statuses import CONTACT_OPEN, REASSIGNABLE, WORK_EDITABLE, RequestStatus, next_statuses
from shared.text import Bilingual, Locale, bilingual, error_text
from shared.typed_numbers import parse_amount, parse_hours
from shared.work import MAX_HOURS, MAX_PARTS, UNREPAIRABLE_REASONS, supervisor_actions
from shared.work import NOTES_MAX as MAX_NOTES
from shared.work import STEP_NOTE_MAX as MAX_STEP_NOTE

S = RequestStatus
MAPS_DIRECTIONS = "https://www.google.com/maps/dir/?api=1&destination={lat},{lon}"
# The button for a move to a status, per who makes it (a supervisor's quality_check -> repairing is "rework").
STEP_LABEL_KEYS: dict[str, str] = {
    "diagnosing": "step_diagnosing",
    "repairing": "step_repairing",
    "quality_check": "step_quality_check",
    "unrepairable": "step_unrepairable",
    "done": "step_done",
    "handed_back": "step_handed_back",
    "offered": "step_offered",
}


# A job under way: a teacher's (or admin's) move from here takes the job out of its student's hands.
UNDER_WAY: frozenset[RequestStatus] = frozenset({RequestStatus.DIAGNOSING, RequestStatus.REPAIRING})
# The refusals of a send-back whose teacher present is no longer one (they left, or the college has none now): the
# panel's list of teachers is read again.
PRESENCE_REFUSALS = frozenset({"presence_no_teacher", "teacher_presence_required"})


@dataclass(frozen=True)
class Step:
    to_status: RequestStatus
    label: Bilingual
    needs_reason: bool = False
    needs_note: bool = False  # a supervisor sending work back must say what to fix
    primary: bool = True
    # The note's own label (issue 14: a teacher's reason for a hand back the owner did not confirm).
    note_label: Bilingual | None = None
    # What the move does, said on its panel before it is confirmed (a teacher ending a student's hold on a job under
    # way: audit17a).
    hint: Bilingual | None = None
    # An admin's send-back of a high-risk check: the panel asks which teacher of the college is present (ux26).
    needs_teacher: bool = False


@dataclass
class PartRow:
    """One row of the parts table as typed: texts, so a half-typed number is not lost."""

    name: str = ""
    qty: str = "1"
    cost: str = "0"
    # Which row this is on the screen (the row's controls are keyed by it): the report's parts have no id of
    # their own, and keyed by place, removing row 1 would hand row 2's controls row 1's ids.
    local_id: int = field(default_factory=local_id, compare=False)

    def qty_value(self) -> int | None:
        try:
            value = int(self.qty.strip())
        except ValueError:
            return None
        return value if 1 <= value <= PART_QTY_MAX else None

    def cost_value(self) -> float | None:
        value = parse_amount(self.cost)
        return value if value is not None and 0 <= value <= PART_PRICE_MAX else None

    def total(self) -> float:
        qty, cost = self.qty_value(), self.cost_value()
        return qty * cost if qty is not None and cost is not None else 0.0


@dataclass
class ReportForm:
    hours: str = ""
    notes: str = ""
    parts: list[PartRow] = field(default_factory=list)


def tel_url(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


class JobViewModel(RequestScreen[WorkDetail]):
    def __init__(
        self, api: ApiClient, session: Session, request_id: UUID, actor: Actor, *,
        on_job_changed: Done | None = None, **wiring: Unpack[ScreenWiring],
    ) -> None:
        super().__init__(api, session, request_id, **wiring)
        self.actor = actor
        self._on_job_changed = on_job_changed
        # Set by the app: the job left this person's sight (taken back and sent on to another college).
        self.on_gone: Done | None = None
        # The open step panel.
        self.open_step: Step | None = None
        self.note = ""
        self.reason: str | None = None
        self._step_error: Bilingual | None = None
        # What the backend said the record lacks when it refused a move (409 quality_check_incomplete).
        self._step_missing: list[Bilingual] = []
        self._step_gone = False
        # ux26: an admin's send-back for rework of a high-risk check names a teacher of the job's college present
        # (shared.credit.teacher_named_present). The college's active teachers, read with the detail while that
        # send-back is the admin's to make (None: not asked), and the one picked.
        self.present_teachers: list[Teacher] | None = None
        self.present_teacher: UUID | None = None
        self._teachers_stale = False
        # The job closed to this student: they helped on it and, read again (a live event told them their place on
        # the team changed, 0053), it is not theirs to read any more (taken off the team, handed off, or the owner
        # reopened it for a new round), or they led it and it left them (0056: taken back, given to another student),
        # or it was offered to them and is no more (0058: another student took it, or the offer ended). Said in words
        # instead of a bare "not found", the job no longer shown.
        self._closed: Bilingual | None = None
        # After photos and the report.
        self.uploading = False
        self._photo_error: Bilingual | None = None
        self._unsent_after: list[PickedPhoto] = []  # after photos a failed upload kept (`send_after_again`)
        # While picked photos are read and shrunk ("กำลังเตรียมรูป 1/2…"); then `uploading` while they are sent.
        self._photo_progress: Bilingual | None = None
        self.report = ReportForm()
        self._report_errors: list[Bilingual] = []
        self._report_loaded = False
        # Assigning (supervisor).
        self.assign_open = False
        self.technicians: list[TechnicianItem] = []
        self.assign_to: UUID | None = None
        self._assign_error: Bilingual | None = None

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def is_supervisor(self) -> bool:
        return self.actor in (Actor.SUPERVISOR, Actor.ADMIN)

    @property
    def helping(self) -> bool:
        """A student reading a job they help on (another student leads it): read-only, the lead acts on it (the
        backend refuses a helper's moves, report, photos and parts with 403 not_assigned)."""
        return self.actor == Actor.TECHNICIAN and self.detail is not None and self._session.helps_on(self.detail)

    @property
    def helping_note(self) -> str | None:
        return bilingual("job_helping_note").in_(self.locale) if self.helping else None

    @property
    def closed_text(self) -> str | None:
        return self._in_locale(self._closed)

    @property
    def step_error(self) -> str | None:
        return self._in_locale(self._step_error)

    @property
    def step_missing(self) -> list[str]:
        return [m.in_(self.locale) for m in self._step_missing]

    @property
    def qc_missing(self) -> list[str]:
        """What the record still lacks before the teacher's check, while it matters (the student repairing it,
        the teacher checking it); the backend refuses the move until it is complete."""
        detail = self.detail
        if detail is None or detail.status not in (S.REPAIRING, S.QUALITY_CHECK):
            return []
        # The server's list as loaded, less what was added on this screen since (a photo, a saved report); in a
        # later round only the round's own count, as on the server.
        report = detail.report if self.report_is_this_rounds else None
        done = {
            "after_photo": bool(self.after_photos_in_round),
            "hours": report is not None and report.hours > 0,
            "report": report is not None and bool(report.notes.strip()),
        }
        return [m.message(self.locale) for m in detail.quality_check_missing if not done.get(m.code, False)]

    # --- a reopened job's later round: reported and evidenced again --------------------------------------

    @property
    def work_round(self) -> int:
        return 1 if self.detail is None else self.detail.work_round

    @property
    def later_round(self) -> bool:
        return self.work_round > 1

    @property
    def report_is_this_rounds(self) -> bool:
        """The saved report describes this round's repair (in the first round any saved report does)."""
        detail = self.detail
        return detail is not None and detail.report is not None and (not self.later_round or detail.report_in_round)

    @property
    def after_photos_in_round(self) -> list[int]:
        """Indices of the after photos that count for the work now on the job, as the backend judges them (the
        detail's `after_photos_in_round`, credit.WORK_BEGAN_SQL): this round's, and since a take back or a reassign
        only the student's now on it (the former student's stay on the record)."""
        if self.detail is None:
            return []
        return sorted(set(self.detail.after_photos_in_round))

    @property
    def earlier_round_after_photos(self) -> list[int]:
        """Indices of the after photos that show an earlier round's repair (none in the first round)."""
        if not self.later_round:
            return []
        counted = set(self.after_photos_in_round)
        return [p.idx for p in self.photos("after") if p.idx not in counted]

    @property
    def report_round_note(self) -> str | None:
        """Above the report form (prefilled from the last round's report) while this round has none saved."""
        if not (self.later_round and self.can_edit_work and not self.report_is_this_rounds):
            return None
        return bilingual("round_report_needed", round=self.work_round).in_(self.locale)

    @property
    def after_photo_round_note(self) -> str | None:
        """At the after photos while this round has none: the earlier round's show the earlier repair."""
        if not (self.later_round and self.can_edit_work and not self.after_photos_in_round):
            return None
        return bilingual("round_after_photo_needed", round=self.work_round).in_(self.locale)

    @property
    def photo_error(self) -> str | None:
        return self._in_locale(self._photo_error)

    @property
    def photo_progress(self) -> str | None:
        return self._in_locale(self._photo_progress)

    @property
    def assign_error(self) -> str | None:
        return self._in_locale(self._assign_error)

    @property
    def report_errors(self) -> list[str]:
        return [e.in_(self.locale) for e in self._report_errors]

    @property
    def status(self) -> RequestStatus | None:
        return None if self.detail is None else self.detail.status

    @property
    def teachers_own_request(self) -> bool:
        """A teacher looking at a repair they asked for themselves: its check and every decision of the college
        about it (assign, take back, hand back, team) are another teacher's (the backend refuses them, 403
        own_request_check / own_request_staff), so none is offered."""
        return self.is_supervisor and self.detail is not None and self.detail.is_mine

    @property
    def own_request_note(self) -> str | None:
        return bilingual("own_request_check_note").in_(self.locale) if self.teachers_own_request else None

    @property
    def teacher_needed_note(self) -> str | None:
        """A high-risk job in hand at a college with no teacher left (the detail's `teacher_needed`, as the backend
        judges it): why its next hands-on step cannot be taken, said on the screen instead of a step the backend
        would refuse (409 teacher_presence_required); to its student, and to the staff who may move it on."""
        detail = self.detail
        if detail is None or not detail.teacher_needed:
            return None
        key = "teacher_needed_student" if self.actor == Actor.TECHNICIAN else "teacher_needed_staff"
        return bilingual(key).in_(self.locale)

    @property
    def steps(self) -> list[Step]:
        """The moves this person may make now, from the shared state machine."""
        if self.detail is None or self.teachers_own_request or self.helping:
            return []
        steps: list[Step] = []
        for to in next_statuses(self.detail.status, self.actor):
            # Issue 14: a student hands back with the owner's code and names the teacher present at a high-risk
            # step on the record panel under the steps; a teacher's hand back without the owner's confirmation
            # says why (the step's note). The server decides: the owner may have confirmed since this loaded.
            if self.actor == Actor.TECHNICIAN and (
                    to == S.HANDED_BACK or needs_teacher_present(self.detail.category_code, to)):
                continue
            if to == S.HANDED_BACK and not self.detail.handover_confirmed:
                steps.append(Step(to, bilingual(STEP_LABEL_KEYS[to.value]), note_label=bilingual("hand_back_reason")))
                continue
            under_way = self.actor != Actor.TECHNICIAN and self.detail.status in UNDER_WAY
            if self.is_supervisor and self.detail.status == S.QUALITY_CHECK and to == S.REPAIRING:
                # A teacher sending a high-risk job back is the teacher present for the rework (the shared rule,
                # shared.credit.teacher_named_present): said on the panel, nobody to name. An admin names one of the
                # college's teachers on the panel (ux26); with none to name it is not offered, and
                # `rework_no_teacher_note` says why and what they can do instead.
                if self.actor == Actor.ADMIN and needs_teacher_present(self.detail.category_code, to):
                    if self.present_teachers:
                        steps.append(Step(to, bilingual("step_rework"), needs_note=True, primary=False,
                                          hint=bilingual("rework_admin_teacher_hint"), needs_teacher=True))
                    continue
                present = present_by_moving(self.detail.category_code, to, self.actor)
                steps.append(Step(to, bilingual("step_rework"), needs_note=True, primary=False,
                                  hint=bilingual("rework_teacher_present_hint") if present else None))
            elif to == S.UNREPAIRABLE:
                steps.append(Step(to, bilingual("step_unrepairable"), needs_reason=True, primary=False,
                                  hint=bilingual("unrepairable_under_way_hint") if under_way else None))
            elif to.value in STEP_LABEL_KEYS:
                hint = bilingual("take_back_under_way_hint") if under_way and to == S.OFFERED else None
                if to == S.OFFERED and self.detail.status == S.QUALITY_CHECK:
                    # An admin's take back from the check (flow25 #4): where it goes next, said before it is sent.
                    hint = bilingual("take_back_from_check_hint")
                steps.append(Step(to, bilingual(STEP_LABEL_KEYS[to.value]), primary=to != S.OFFERED, hint=hint))
        return steps

    @property
    def names_teacher_at_rework(self) -> bool:
        """An admin at a high-risk job's check: their send-back for rework names a teacher of its college present."""
        detail = self.detail
        return (self.actor == Actor.ADMIN and detail is not None and detail.status == S.QUALITY_CHECK
                and not detail.is_mine and S.REPAIRING in next_statuses(detail.status, self.actor)
                and needs_teacher_present(detail.category_code, S.REPAIRING))

    @property
    def rework_no_teacher_note(self) -> str | None:
        """Why an admin at a high-risk check is offered no send-back (its college has no active teacher to be present:
        the backend would answer 409 presence_no_teacher), and what they can do instead."""
        if not self.names_teacher_at_rework or self.present_teachers is None or self.present_teachers:
            return None
        return bilingual("rework_no_teacher_admin").in_(self.locale)

    async def _read_present_teachers(self) -> None:
        """The job college's active teachers, while the admin's send-back needs one named; the pick kept while that
        teacher is still listed, the only one picked at once."""
        self._teachers_stale = False
        if not self.names_teacher_at_rework:
            self.present_teachers, self.present_teacher = None, None
            return
        try:
            teachers = await self._api.job_college_teachers(self.request_id)
        except ApiError as exc:
            if exc.is_auth_lost:
                raise
            # The job itself was read: it shows, with the moves that name nobody (approve, take back). Only the
            # send-back waits for a list it can name a teacher from (none read yet: not offered, and no note that
            # the college has none, which is not known); the next load asks again (audit27 F2: this read's
            # failure failed the whole screen).
            return
        self.present_teachers = teachers
        if self.present_teacher not in {t.id for t in teachers}:
            self.present_teacher = teachers[0].id if len(teachers) == 1 else None

    def pick_present_teacher(self, teacher_id: str) -> None:
        self.present_teacher = next((t.id for t in self.present_teachers or [] if str(t.id) == teacher_id), None)
        self._step_error = None
        self._changed()

    def reasons(self) -> list[tuple[str, str]]:
        index = 0 if self.locale == Locale.TH else 1
        return [(code, labels[index]) for code, labels in UNREPAIRABLE_REASONS.items()]

    @property
    def can_assign(self) -> bool:
        """A supervisor may (re)assign a job nobody has checked yet (the backend's own list of actions)."""
        return self.is_supervisor and self.detail is not None and not self.detail.is_mine and bool(
            {"assign", "reassign"} & set(supervisor_actions(self.detail.status)))

    @property
    def is_reassign(self) -> bool:
        return self.detail is not None and self.detail.status in REASSIGNABLE

    @property
    def can_edit_work(self) -> bool:
        return (self.actor == Actor.TECHNICIAN and self.detail is not None and not self.helping
                and self.detail.status in WORK_EDITABLE)

    @property
    def call_url(self) -> str | None:
        if self.detail is None or not self.detail.contact_phone or self.helping:
            return None  # the lead calls the owner
        return tel_url(self.detail.contact_phone)

    @property
    def route_url(self) -> str | None:
        if self.detail is None or self.detail.lat is None or self.detail.lon is None:
            return None
        if self.actor == Actor.TECHNICIAN and self.detail.status not in CONTACT_OPEN:
            return None  # the job is over: the backend gives the student only its area, nowhere to drive to
        return MAPS_DIRECTIONS.format(lat=quote(f"{self.detail.lat:.6f}"), lon=quote(f"{self.detail.lon:.6f}"))

    @property
    def can_add_after_photo(self) -> bool:
        return self.can_edit_work and not self.uploading and len(self._after_slots()) > len(self._unsent_after)

    @property
    def unsent_after_count(self) -> int:
        """After photos whose upload the network or the server failed: kept to be sent again (`send_after_again`)."""
        return len(self._unsent_after)

    def _after_slots(self) -> list[int]:
        """Where new after photos go, in order: the free indices the backend takes them at, as many as this work may
        still add (shared.photos.free_after_slots, the rule the backend's check follows), from the detail: which
        photos are on the record and which of them are this work's (`after_photos_in_round`). An earlier round's or
        a former student's photos are that work's evidence and are never replaced (the backend refuses: 409
        photo_earlier_work); the record grows past them, so they never block the work now on the job."""
        own = set(self.after_photos_in_round)
        earlier = {p.idx for p in self.photos("after")} - own
        return free_after_slots(earlier, own)

    @property
    def parts_total(self) -> float:
        return sum(p.total() for p in self.report.parts)

    @property
    def parts_total_text(self) -> str:
        return bilingual("parts_total", total=format_baht(self.parts_total)).in_(self.locale)

    # --- loading -------------------------------------------------------------------------------------

    def lead_left(self, how: LeadLeft, *, kept: bool) -> None:
        """The live event that ends this student's hold on the job they led (0056): a teacher took it back or gave
        it to another student. The job leaves the screen (it is not theirs to read: a former lead kept on the team
        is handed off, 0048) and the screen says how, and whether they stay on its team with their hours."""
        self._close(bilingual(lead_left_text_key(how, kept)))

    def _close(self, why: Bilingual) -> None:
        self.detail, self.open_step = None, None  # nothing of it stays on the screen
        self._notice = None
        self._closed = why
        # After photos kept from a failed upload are the work's they were taken in: given back to this student
        # later, the job is a new work, whose honest QC counts only its own photos (audit26 F4).
        self._unsent_after, self._photo_error = [], None

    async def _fetch(self) -> None:
        try:
            detail = await self._api.work_detail(self.request_id)
        except ApiError as exc:
            # Hidden from them: not found, or (0058) a job once offered to them whose offer is no more.
            offer_gone = exc.is_offer_gone
            hidden = exc.status == 404 or offer_gone
            if hidden and self._closed is not None:
                self._close(self._closed)  # still closed: the words that closed it stay
                return
            if hidden and self.helping:
                self._close(bilingual("job_helper_left"))
                return
            if hidden and self.actor == Actor.TECHNICIAN and self.detail is not None:
                # The job they led, gone from them unheard (no live stream: polling): not a bare "not found".
                self._close(bilingual("job_lead_left"))
                return
            if offer_gone:
                # A job offered to them, opened (a notification, a link) once the offer was no longer theirs:
                # another student took it, or the offer ended. Said so, not "not found".
                self._close(error_text(exc.code))
                return
            raise
        self._closed = None  # on the team again: the job shows again
        self._set_detail(detail)
        await self._read_present_teachers()

    def _set_detail(self, detail: WorkDetail) -> None:
        self.detail = detail
        # The report form starts from the saved report once; later reloads keep what is being typed.
        if not self._report_loaded and detail.report is not None:
            saved = detail.report
            self.report = ReportForm(
                hours=_number_text(saved.hours),
                notes=saved.notes,
                parts=[PartRow(p.name, str(p.qty), _number_text(p.cost_baht)) for p in saved.parts],
            )
            self._report_loaded = True

    # --- status steps --------------------------------------------------------------------------------

    def start_step(self, to_status: RequestStatus) -> None:
        step = next((s for s in self.steps if s.to_status == to_status), None)
        if step is None:
            return
        self.open_step = step
        self.note, self.reason = "", None
        self._step_error = None
        self._step_missing = []
        self._notice = None
        self._changed()

    def dismiss_step(self) -> None:
        self.open_step = None
        self._step_error = None
        self._step_missing = []
        self._changed()

    def set_note(self, value: str) -> None:
        self.note = value

    def set_reason(self, code: str) -> None:
        self.reason = code if code in UNREPAIRABLE_REASONS else None
        self._step_error = None
        self._changed()

    def check_step(self) -> Bilingual | None:
        step = self.open_step
        if step is None:
            return None
        if step.needs_reason and self.reason is None:
            return error_text("reason_required")
        if step.needs_note and not self.note.strip():
            return bilingual("rework_note_required")
        if step.needs_teacher and self.present_teacher is None:
            return bilingual("rework_teacher_required")
        return None

    async def confirm_step(self) -> None:
        step = self.open_step
        if step is None or self.sending:
            return
        problem = self.check_step()
        if problem is not None:
            self._step_error = problem
            self._changed()
            return
        self._step_error = None
        self._step_missing = []
        note = self.note.strip()[:MAX_STEP_NOTE]
        if step.needs_teacher:
            change = self._api.move_job(self.request_id, step.to_status.value, note=note,
                                        teacher_present_id=self.present_teacher)
        else:
            change = self._api.change_status(self.request_id, step.to_status.value, note,
                                             self.reason if step.needs_reason else None)
        if await self._send_change(change, bilingual("step_saved"), self._step_refused):
            self.open_step = None
            self._changed()
            await self._job_changed()
        elif step.needs_teacher and self._teachers_stale:
            # The teacher named left meanwhile (or the college has none now): the refusal says so, and the list
            # shows who can be named now (none: the panel's send cannot succeed, the note under the steps says why).
            with suppress(ApiError):  # the refusal is already said; unread, the list stays as it was
                await self._read_present_teachers()
            self._changed()
        elif step.to_status == S.OFFERED and self._step_gone and self.on_gone is not None:
            # Taken back with no other student of the college left to offer it to: it went on to the next
            # college, so this teacher no longer sees it. The move happened; say so on the list.
            self.open_step = None
            await self._job_changed()
            await self.on_gone()

    def _step_refused(self, error: ApiError) -> None:
        self._step_error = kept_on_screen(error)  # the step's panel stays open with its note and reason
        self._step_gone = error.status == 404
        self._teachers_stale = error.code in PRESENCE_REFUSALS
        # quality_check_incomplete / approval_incomplete: one line per missing thing, in the backend's words.
        self._step_missing = list(error.fields.values())

    # --- after photos --------------------------------------------------------------------------------

    async def pick_after_photos(self, pick: PickPhotos) -> None:
        """Pick, read and shrink photos on the device with progress on the screen, then upload each."""
        if not self.can_add_after_photo:
            return
        self.uploading = True
        self._photo_error = None
        self._changed()

        def show(text: Bilingual | None) -> None:
            self._photo_progress = text
            self._changed()

        try:
            room = len(self._after_slots()) - len(self._unsent_after)  # the kept ones take their places first
            outcome = await answered(pick(room, show), self._uploaded, self._changed)
        except ApiError:  # the picker failed in a way it did not say itself: said as it says its own failures
            outcome = PickOutcome(problem=bilingual("photo_pick_failed"))
        finally:
            self._photo_progress = None
        await self._upload_after(outcome.photos, outcome.problem)

    async def add_after_photos(self, files: list[tuple[str, bytes]]) -> None:
        """Shrink each file already in memory on the device, then upload it at the next free index."""
        if not self.can_edit_work or self.uploading:
            return
        self.uploading = True
        self._photo_error = None
        self._changed()
        prepared: list[PickedPhoto] = []
        problem: Bilingual | None = None
        for name, data in files:
            try:
                prepared.append(prepare(name, data))
            except PhotoRejected as exc:
                problem = rejection_text(exc)
        await self._upload_after(prepared, problem)

    async def send_after_again(self) -> None:
        """"ส่งรูปอีกครั้ง": the after photos kept from a failed upload, sent again at the free indices."""
        if not self._unsent_after or not self.can_edit_work or self.uploading:
            return
        self.uploading = True
        self._photo_error = None
        self._changed()
        await self._upload_after([], None)

    async def _upload_after(self, prepared: list[PickedPhoto], problem: Bilingual | None) -> None:
        """Each shrunk photo at the next free index, those kept from a failed upload first; `uploading` is on when
        this is called and off after."""
        waiting = [*self._unsent_after, *prepared]
        self._unsent_after = []
        slots = self._after_slots()
        self._photo_error = problem
        try:
            while waiting:
                if not slots:
                    self._photo_error = error_text("photo_too_many")
                    break
                processed = waiting[0].photo
                idx = slots.pop(0)
                uploaded = await answered(self._api.upload_after_photo(
                    self.request_id, idx, processed.image, processed.content_type
                ), self._uploaded, self._changed)
                waiting.pop(0)
                self.thumbnails.put(self.request_id, "after", idx, processed.thumbnail, uploaded.id)
                self._add_photo_ref(uploaded)  # the upload's answer is the photo as the request lists it
        except ApiError as exc:
            if exc.is_auth_lost:
                self._uploaded()
                await self._on_auth_lost(exc)
                return
            if exc.is_retryable:
                # The network or the server failed it: this photo and the ones after it stay on the device, to be
                # sent again with one tap (picked again, a photo taken on the spot may be gone: resil25 3).
                self._unsent_after = waiting
                self._photo_error = kept_on_screen(exc, bilingual("after_photos_unsent", count=len(waiting)))
            else:
                self._photo_error = exc.text
        self._uploaded()
        self._changed()

    def _uploaded(self) -> None:
        self.uploading = False

    def _add_photo_ref(self, photo: PhotoRef) -> None:
        if self.detail is None:
            return
        kept = [p for p in self.detail.photos if not (p.kind == photo.kind and p.idx == photo.idx)]
        update: dict[str, Any] = {"photos": [*kept, photo]}
        if photo.kind == "after":  # just uploaded: this round's
            update["after_photos_in_round"] = sorted({*self.detail.after_photos_in_round, photo.idx})
        self.detail = self.detail.model_copy(update=update)
        self._changed()

    # --- the work report -----------------------------------------------------------------------------

    def set_hours(self, value: str) -> None:
        self.report.hours = value

    def set_notes(self, value: str) -> None:
        self.report.notes = value

    def add_part(self) -> None:
        if len(self.report.parts) < MAX_PARTS:
            self.report.parts.append(PartRow())
            self._changed()

    def remove_part(self, index: int) -> None:
        if 0 <= index < len(self.report.parts):
            del self.report.parts[index]
            self._changed()

    def set_part(self, index: int, *, name: str | None = None, qty: str | None = None, cost: str | None = None) -> None:
        """Stored as typed, without a re-render (which would take the focus); refresh_total() shows the sum."""
        if not 0 <= index < len(self.report.parts):
            return
        row = self.report.parts[index]
        if name is not None:
            row.name = name
        if qty is not None:
            row.qty = qty
        if cost is not None:
            row.cost = cost

    def refresh_total(self) -> None:
        """A quantity or cost field was left: show the new running total."""
        self._changed()

    def check_report(self) -> list[Bilingual]:
        problems: list[Bilingual] = []
        hours = parse_hours(self.report.hours)
        if hours is None or not 0 <= hours <= MAX_HOURS:
            problems.append(bilingual("report_hours_invalid"))
        if len(self.report.notes.strip()) > MAX_NOTES:
            problems.append(bilingual("report_notes_too_long"))
        if len(self.report.parts) > MAX_PARTS:
            problems.append(bilingual("report_too_many_parts"))
        if any(not p.name.strip() or p.qty_value() is None or p.cost_value() is None for p in self.report.parts):
            problems.append(bilingual("report_part_invalid"))
        return problems

    def report_body(self) -> dict[str, Any]:
        """The PUT /requests/{id}/report body (call after check_report() found nothing)."""
        return {
            "hours": parse_hours(self.report.hours) or 0.0,
            "notes": self.report.notes.strip(),
            "parts": [
                {"name": p.name.strip(), "qty": p.qty_value() or 1, "cost_baht": p.cost_value() or 0.0}
                for p in self.report.parts
            ],
        }

    async def save_report(self) -> None:
        if self.sending or not self.can_edit_work:
            return
        self._report_errors = self.check_report()
        self._notice = None
        if self._report_errors:
            self._changed()
            return
        saved = await self._send(self._api.save_report(self.request_id, self.report_body()), self._report_refused)
        if saved is None:
            return
        if self.detail is not None:
            self.detail = self.detail.model_copy(update={"report": saved, "report_in_round": True})
        self._report_loaded = True
        self._notice = bilingual("report_saved")
        self._changed()

    def _report_refused(self, error: ApiError) -> None:
        self._report_errors = [kept_on_screen(error)]  # the report's fields keep what was typed

    # --- assigning (supervisor) ----------------------------------------------------------------------

    async def open_assign(self) -> None:
        if not self.can_assign:
            return
        self.assign_open = True
        self._assign_error = None
        self._changed()
        try:
            everyone = await self._api.supervisor_technicians()
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            self._assign_error = exc.text
            self._changed()
            return
        # On the roster with a usable account only: a suspended student is never offered (is_active already says
        # so; suspended is checked too, whatever an older backend meant by is_active).
        self.technicians = [t for t in everyone if t.is_active and not t.suspended]
        self.assign_to = None
        self._changed()

    def close_assign(self) -> None:
        self.assign_open = False
        self._assign_error = None
        self._changed()

    def pick_technician(self, technician_id: str) -> None:
        self.assign_to = next((t.id for t in self.technicians if str(t.id) == technician_id), None)
        self._assign_error = None
        self._changed()

    async def confirm_assign(self) -> None:
        if self.sending:
            return  # a second tap while the first is on its way (a student was picked: no "pick one" here)
        if self.assign_to is None:
            self._assign_error = bilingual("assign_pick")
            self._changed()
            return
        if await self._send_change(self._api.assign(self.request_id, self.assign_to), bilingual("assigned"),
                                   self._assign_refused):
            self.assign_open = False
            self._changed()
            await self._job_changed()

    def _assign_refused(self, error: ApiError) -> None:
        self._assign_error = error.text

    async def _send_change(
        self, send: Awaitable[WorkDetail], done: Bilingual, refused: Callable[[ApiError], None]
    ) -> bool:
        """Send a change of the job (a step, an assignment); True when it went through and the detail is new.

        A refusal goes to refused() (the open panel's error line); a lost sign-in leaves for the login.
        """
        detail = await self._send(send, refused)
        if detail is None:
            return False
        self._set_detail(detail)
        self._notice = done
        return True

    async def _job_changed(self) -> None:
        if self._on_job_changed is not None:
            await self._on_job_changed()


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
