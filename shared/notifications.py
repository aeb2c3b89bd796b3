"""Notifications: the kinds of message, who hears them, how they read (Thai first), where they lead, when they may
wake someone (quiet hours) and which channels each may use. No I/O: the backend renders and delivers with this,
the app may show the same texts.

The database writes a notification as a kind and its parameters in the same transaction as the change that causes
it (backend/migrations/0016_notification_outbox.sql); the text is made here, at delivery, in the reader's language.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from shared.credit import format_baht
from shared.invitations import DECLINED_WAIT_DAYS
from shared.quoted_text import QUOTE_MAX, QUOTE_NOTE_MAX, one_line
from shared.roles import REQUESTER_ROLES, AppRole
from shared.statuses import RequestStatus
from shared.text import NEXT_STEPS, OFFERED_WAIT_IN_QUIET_HOURS, Bilingual, Locale, bilingual, t
from shared.thai_address import area_text
from shared.thai_time import BANGKOK
from shared.work import UNREPAIRABLE_REASONS

B = Bilingual


class Kind(StrEnum):
    # student technician
    OFFER_NEW = "offer_new"
    OFFER_WITHDRAWN = "offer_withdrawn"
    REWORK = "rework"
    APPROVED = "approved"
    # issue 14's team hours: a job the teacher gave another student keeps its former student on the team as a helper
    # with the hours they reported; a helper the teacher credited no hours (0: did not work on it) is off the team
    HELPER_KEPT = "helper_kept"
    NOT_CREDITED = "not_credited"
    # a helper whose lead the job was taken from leaves with them (review14): they no longer read it, their hours stay
    HELPER_LEFT = "helper_left"
    # a job in their hands past the days its step was promised to take (shared.reminders.IN_HAND_DUE), said once
    WORK_OVERDUE = "work_overdue"
    # a high-risk job in their hands whose college's last teacher left: its next hands-on step needs one present
    # (stranded19), said once per step
    TEACHER_LEFT = "teacher_left"
    # supervisor (teacher)
    QC_WAITING = "qc_waiting"
    OFFER_EXPIRING = "offer_expiring"
    REOPENED = "reopened"
    # audit17a: decisions only the college (a teacher, else an admin) can make, sent to whoever can make them now
    # (migration 0071 `private.deciders`): an unrepairable item to hand back, a job held by a suspended student
    HANDBACK_WAITING = "handback_waiting"
    HOLDER_SUSPENDED = "holder_suspended"
    # the clock (shared.reminders), to whoever decides for the college: a job in hand still not moving after its
    # student's reminder; a repaired item its owner has not collected
    WORK_STALLED = "work_stalled"
    UNCOLLECTED = "uncollected"
    # the clock, to whoever decides for the college (its teachers, else the admins): a high-risk job in a student's
    # hands at a college with no active teacher needs one present, or another college (stranded19)
    TEACHER_NEEDED = "teacher_needed"
    # citizen
    ACCEPTED = "accepted"
    READY = "ready"
    UNREPAIRABLE = "unrepairable"
    RATE = "rate"
    PART_PROPOSED = "part_proposed"  # issue 14: a part waits for the owner's approval before it is bought
    PART_WITHDRAWN = "part_withdrawn"  # a part that waited was withdrawn by its student or the teacher (known18be)
    # a job under way (diagnosing, repairing) the college took back from its student, to offer again (audit17a)
    JOB_TAKEN_BACK = "job_taken_back"
    # no college left to try after students were offered it: it waits for an administrator (audit17a)
    NO_TAKER = "no_taker"
    # the clock tried a `no_centre` request again when a fitting student came into range (shared.reminders)
    SENT_AGAIN = "sent_again"
    # a repaired item waiting for its owner to collect it (shared.reminders.COLLECT_REMIND_AFTER)
    COLLECT_REMINDER = "collect_reminder"
    # a high-risk job of theirs in a student's hands whose college's last teacher left: it waits for a teacher of the
    # college or an administrator's move to another college (stranded20), said once per step
    JOB_WAITS_FOR_TEACHER = "job_waits_for_teacher"
    # administrator
    NO_CENTRE = "no_centre"
    # about a person's account, not a request (no reference number, no request): a college's invitation to the
    # invited person, and their answer to the teacher or admin who invited them
    INVITED = "invited"
    INVITE_ACCEPTED = "invite_accepted"
    INVITE_DECLINED = "invite_declined"
    # a staff account an admin (or the operator) moved to another role or college at once: the person's screens
    # change under them (the app follows the move), so they are told why, with the app closed too
    MOVED = "moved"


class Pref(StrEnum):
    """What a person chooses per kind: channels as people see them (the in-app inbox always has everything)."""

    PUSH = "push"  # the phone app (FCM/OneSignal) and the browser (Web Push); the console in development
    LINE = "line"
    SMS = "sms"


_PREF_VALUES = frozenset(p.value for p in Pref)
_KIND_VALUES = frozenset(k.value for k in Kind)


def is_kind(value: str) -> bool:
    return value in _KIND_VALUES


AUDIENCE: dict[Kind, str] = {
    Kind.OFFER_NEW: "technician", Kind.OFFER_WITHDRAWN: "technician", Kind.REWORK: "technician",
    Kind.APPROVED: "technician", Kind.HELPER_KEPT: "technician", Kind.NOT_CREDITED: "technician",
    Kind.HELPER_LEFT: "technician", Kind.WORK_OVERDUE: "technician", Kind.TEACHER_LEFT: "technician",
    Kind.WORK_STALLED: "supervisor", Kind.UNCOLLECTED: "supervisor", Kind.TEACHER_NEEDED: "supervisor",
    Kind.QC_WAITING: "supervisor", Kind.OFFER_EXPIRING: "supervisor",
    Kind.REOPENED: "supervisor", Kind.HANDBACK_WAITING: "supervisor", Kind.HOLDER_SUSPENDED: "supervisor",
    Kind.ACCEPTED: "citizen", Kind.READY: "citizen", Kind.UNREPAIRABLE: "citizen",
    Kind.RATE: "citizen", Kind.NO_CENTRE: "admin", Kind.PART_PROPOSED: "citizen",
    Kind.JOB_TAKEN_BACK: "citizen", Kind.NO_TAKER: "citizen", Kind.SENT_AGAIN: "citizen",
    Kind.COLLECT_REMINDER: "citizen", Kind.PART_WITHDRAWN: "citizen", Kind.JOB_WAITS_FOR_TEACHER: "citizen",
    # An admin who invited someone hears the answer too, on the default channels: their settings list the kinds of
    # their own role, and one inviter's settings are the teachers', who invite nearly everyone.
    Kind.INVITED: "citizen", Kind.INVITE_ACCEPTED: "supervisor", Kind.INVITE_DECLINED: "supervisor",
    # Anyone on staff may be moved, and being told must not be switched off where the old role's screen listed it:
    # no role's settings list it; it goes on the default channels.
    Kind.MOVED: "staff",
}


class Topic(StrEnum):
    """What the account screen groups a person's kinds under, each under a short heading (session 22's note: a
    citizen's 12 kinds were one list in the backend's order). Declared in the order the screen shows them: a role's
    own work first, then its own requests, then its account; a kind this app does not know yet comes last, under
    OTHER."""

    OFFERS = "offers"  # student: jobs offered to them
    MY_JOBS = "my_jobs"  # student: the jobs in their hands, as the teacher checks them
    TEAM = "team"  # student: their place and hours on a job's team
    DECISIONS = "decisions"  # teacher (else an admin): what waits for the college's decision
    COLLEGE_JOBS = "college_jobs"  # teacher: the college's jobs that need looking at
    ADMIN = "admin"  # admin: requests no college has taken
    MY_REQUESTS = "my_requests"  # citizen: their requests, from accepted to collected
    PARTS = "parts"  # citizen: parts waiting for their approval, or withdrawn
    ACCOUNT = "account"  # anyone: invitations, their answers, a staff account moved
    OTHER = "other"


# Each kind's topic, and within a topic the order the screen lists them in: the order things happen.
TOPICS: dict[Topic, tuple[Kind, ...]] = {
    Topic.OFFERS: (Kind.OFFER_NEW, Kind.OFFER_WITHDRAWN),
    Topic.MY_JOBS: (Kind.WORK_OVERDUE, Kind.TEACHER_LEFT, Kind.REWORK, Kind.APPROVED),
    Topic.TEAM: (Kind.HELPER_KEPT, Kind.HELPER_LEFT, Kind.NOT_CREDITED),
    Topic.DECISIONS: (Kind.QC_WAITING, Kind.HANDBACK_WAITING, Kind.HOLDER_SUSPENDED, Kind.TEACHER_NEEDED,
                      Kind.REOPENED),
    Topic.COLLEGE_JOBS: (Kind.OFFER_EXPIRING, Kind.WORK_STALLED, Kind.UNCOLLECTED),
    Topic.ADMIN: (Kind.NO_CENTRE,),
    Topic.MY_REQUESTS: (Kind.NO_TAKER, Kind.SENT_AGAIN, Kind.ACCEPTED, Kind.JOB_TAKEN_BACK, Kind.JOB_WAITS_FOR_TEACHER,
                        Kind.UNREPAIRABLE, Kind.READY, Kind.COLLECT_REMINDER, Kind.RATE),
    Topic.PARTS: (Kind.PART_PROPOSED, Kind.PART_WITHDRAWN),
    Topic.ACCOUNT: (Kind.INVITED, Kind.INVITE_ACCEPTED, Kind.INVITE_DECLINED, Kind.MOVED),
}


def by_topic(kinds: Iterable[str]) -> list[tuple[Topic, list[str]]]:
    """The kinds a person's settings list (the backend's, `settings_kinds`), grouped by topic in the screen's order,
    each topic's kinds in its order; topics with none of them left out. A kind this app does not know (a newer
    backend's) goes under OTHER, in the order given."""
    listed = list(kinds)
    groups: list[tuple[Topic, list[str]]] = [
        (topic, [str(k.value) for k in members if k.value in listed]) for topic, members in TOPICS.items()]
    known = {k.value for members in TOPICS.values() for k in members}
    groups.append((Topic.OTHER, [k for k in listed if k not in known]))
    return [(topic, members) for topic, members in groups if members]


# Kinds about an account rather than a request: written with no request id, their titles carry no reference
# (FX-…), and deleting the person they name deletes them (public.notifications.about_id, migration 0032).
ACCOUNT_KINDS: frozenset[Kind] = frozenset({Kind.INVITED, Kind.INVITE_ACCEPTED, Kind.INVITE_DECLINED, Kind.MOVED})


# The refusal of a kind `settings_kinds` does not list for the person's role (PUT /me/notification-settings): the app
# reads its switches again when it meets it (its screen was read under an earlier role).
KIND_NOT_YOURS = "notification_kind_not_yours"


def kind_label(kind: str) -> Bilingual:
    """A kind of notification by its name in the settings (the `kind_<x>` texts), never its code: the settings'
    headings, and the refusal of a kind that is not the account's (ux26). A kind with no name here (a newer
    backend's, read by an older app) gets the general one naming its code, so nothing raises while a screen draws."""
    try:
        return bilingual(f"kind_{kind}")
    except KeyError:
        return bilingual("kind_other", kind=kind)


def settings_kinds(role: AppRole) -> list[Kind]:
    """The kinds a person's notification settings list: their role's (AUDIENCE), and for a student or a teacher,
    who ask for repairs of their own too (shared.roles.REQUESTER_ROLES), the kinds about a request they asked for:
    their fan's "accepted" and "ready" reached them with no way to choose SMS or turn it off (uxf23's note). Not
    the citizens' account kinds: an invitation is written to a citizen."""
    asks = role in REQUESTER_ROLES and role != AppRole.CITIZEN
    return [k for k in Kind
            if AUDIENCE[k] == role or (asks and AUDIENCE[k] == AppRole.CITIZEN and k not in ACCOUNT_KINDS)]


class InvitedClosed(StrEnum):
    """Why an "invited" notification no longer asks (its `params.closed`, set by the backend when the invitation
    it names stops being open): the person's answer, the invitation withdrawn by whoever sent it, run out, or
    replaced or ended meanwhile."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    GONE = "gone"
    WITHDRAWN = "withdrawn"  # the teacher or admin who sent it took it back
    EXPIRED = "expired"  # its time ran out unanswered (shared.invitations.INVITATION_OPEN_DAYS)


INVITED_CLOSED_KEY = "closed"
# What an "invited" notification says once closed, in place of "accept or decline in the app".
INVITED_CLOSED_TEXT = {InvitedClosed.ACCEPTED: "invited_closed_accepted",
                       InvitedClosed.DECLINED: "invited_closed_declined", InvitedClosed.GONE: "invited_closed_gone",
                       InvitedClosed.WITHDRAWN: "invited_closed_withdrawn",
                       InvitedClosed.EXPIRED: "invited_closed_expired"}


class QcClosed(StrEnum):
    """How the job a "waiting for your check" message (`qc_waiting`) is about left the check, its `params.closed`
    (migration 0114 `private.qc_closed_as`, set in the move's transaction): the message then says so in place of
    asking, read, in every decider's inbox (ux26). The check approved, sent back for rework, taken back to offer
    again (an admin's, flow25 #4), or left some other way."""

    APPROVED = "approved"
    REWORK = "rework"
    TAKEN_BACK = "taken_back"
    LEFT = "left"


QC_CLOSED_TEXT = {QcClosed.APPROVED: "qc_closed_done", QcClosed.REWORK: "qc_closed_rework",
                  QcClosed.TAKEN_BACK: "qc_closed_taken_back", QcClosed.LEFT: "qc_closed_left"}
# The deciders' other asks of a college decision (a hand back, a suspended student's job) once the job moved on
# (migration 0120 `private.close_what_a_move_ended`: handed back, taken back, reassigned, the student restored...):
# any `params.closed` says so in place of asking (close27 #1).
DECISION_CLOSED_KINDS = frozenset({Kind.HANDBACK_WAITING, Kind.HOLDER_SUSPENDED})
DECISION_CLOSED_TEXT = "decision_closed"
# A teacher re-sending an invitation that still waits does not send the person a second one within this long.
INVITED_RENOTIFY = timedelta(days=1)

# SMS costs money per message: only what a citizen must not miss, and only these may ever go by SMS.
SMS_KINDS: frozenset[Kind] = frozenset({Kind.ACCEPTED, Kind.READY})
DEFAULT_PREFS: tuple[Pref, ...] = (Pref.PUSH, Pref.LINE)


def allowed_prefs(kind: Kind) -> tuple[Pref, ...]:
    return (Pref.PUSH, Pref.LINE, Pref.SMS) if kind in SMS_KINDS else (Pref.PUSH, Pref.LINE)


def chosen_prefs(kind: Kind, choices: Mapping[str, Any]) -> frozenset[Pref]:
    """The person's channels for a kind (their stored choice, else the defaults), never SMS where it is not allowed."""
    stored = choices.get(kind.value)
    picked = DEFAULT_PREFS if not isinstance(stored, list) else tuple(Pref(p) for p in stored if p in _PREF_VALUES)
    return frozenset(p for p in picked if p in allowed_prefs(kind))


# --- Quiet hours --------------------------------------------------------------------------------------------------

DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(7, 0)
# What the account screen offers for the start and the end (Bangkok time): whole and half hours. The backend takes
# any HH:MM (a time of its own), and refuses a start equal to the end.
QUIET_TIME_CHOICES: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))


@dataclass(frozen=True)
class QuietHours:
    enabled: bool = True
    start: time = DEFAULT_QUIET_START
    end: time = DEFAULT_QUIET_END
    offers_exempt: bool = False  # a student who opted in gets new offers at night too


def quiet_until(now: datetime, quiet: QuietHours, kind: Kind) -> datetime | None:
    """When a message of this kind may go out if `now` (aware) falls in the person's quiet hours (Bangkok time);
    None when it may go now."""
    if not quiet.enabled or quiet.start == quiet.end:
        return None
    if kind == Kind.OFFER_NEW and quiet.offers_exempt:
        return None
    local = now.astimezone(BANGKOK)
    t = local.time().replace(tzinfo=None)
    overnight = quiet.start > quiet.end
    inside = (t >= quiet.start or t < quiet.end) if overnight else (quiet.start <= t < quiet.end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if overnight and t >= quiet.start else local.date()
    return datetime.combine(end_day, quiet.end, tzinfo=BANGKOK)


def offer_heard_at(now: datetime) -> datetime:
    """When a college's students hear of an offer made at `now`: at once, or, made in the (default) quiet hours, at
    their end (07:00 in Bangkok), when the "new job" message held for them goes out."""
    return quiet_until(now, QuietHours(), Kind.OFFER_NEW) or now


def offer_expires_at(now: datetime, sla: timedelta) -> datetime:
    """When an offer made at `now` runs out: the SLA counts from when its students hear of it (`offer_heard_at`), so
    a request made at 23:30 waits for its nearest college's students until 07:30, rather than leaving at midnight
    before any of them was told (a held offer message is not sent once its offer ran out). The default quiet hours
    set the college's clock: a student's own (earlier or later) quiet hours only move when they are told."""
    return offer_heard_at(now) + sla


def expected_wait(status: RequestStatus, now: datetime) -> Bilingual | None:
    """How long the citizen usually waits from `status` (shared.text.NEXT_STEPS), told at `now`: an offered request
    in the quiet hours waits for its students to hear of it (`offer_heard_at`), as the offer's own time does."""
    wait = NEXT_STEPS[status][1]
    if status == RequestStatus.OFFERED:
        heard = offer_heard_at(now)
        if heard > now:
            return OFFERED_WAIT_IN_QUIET_HOURS.format(time=heard.astimezone(BANGKOK).strftime("%H:%M"))
    return wait


# Kinds that ask for an answer to an offer before it runs out: once it is answered, withdrawn or past its time they
# ask for nothing, and a delivery held since (quiet hours, a retry's backoff) is not sent ("answer within 0 min").
OFFER_KINDS: frozenset[Kind] = frozenset({Kind.OFFER_NEW, Kind.OFFER_EXPIRING})


def offer_still_open(kind: Kind, params: Mapping[str, Any], now: datetime, offer_open: bool | None = None) -> bool:
    """Whether a notification of `kind` still asks for something at `now`: any kind but an offer's always does; an
    offer's while its time (`params["expires_at"]`) has not passed and, when the database could tell
    (`offer_open`: the offer, or for offer_expiring any offer of the job, still pending), it still waits."""
    if kind not in OFFER_KINDS:
        return True
    if offer_open is False:
        return False
    try:
        expires = datetime.fromisoformat(str(params.get("expires_at")))
    except ValueError:
        return True  # no time to go by: the offer's own state decided above
    return expires.tzinfo is None or expires > now


# --- Texts and links ---------------------------------------------------------------------------------------------

# Title and body per kind; {ref} is the request's reference number, other fields come from the params.
TEXTS: dict[Kind, tuple[Bilingual, Bilingual]] = {
    Kind.OFFER_NEW: (B("งานใหม่ {ref}", "New job {ref}"),
                     B("{item}: ตอบรับภายใน {minutes} นาที", "{item}: answer within {minutes} min")),
    Kind.OFFER_WITHDRAWN: (B("ถอนข้อเสนอ {ref}", "Offer withdrawn {ref}"),
                           B("{item}: งานนี้ไม่ได้รอคุณแล้ว", "{item}: this job no longer waits for you")),
    Kind.REWORK: (B("ครูส่งงานกลับให้แก้ {ref}", "Sent back for rework {ref}"),
                  B("{item}: {note}", "{item}: {note}")),
    Kind.APPROVED: (B("ครูอนุมัติงานแล้ว {ref}", "Job approved {ref}"),
                    B("{item}: เยี่ยมมาก!", "{item}: well done!")),
    Kind.HELPER_KEPT: (B("คุณเป็นผู้ช่วยในงาน {ref} แล้ว", "You are a helper on {ref} now"),
                       B("{item}: ครูให้นักศึกษาคนอื่นทำงานต่อ ชั่วโมงที่คุณรายงานไว้ยังเป็นของคุณ รอครูอนุมัติ",
                         "{item}: another student carries on; the hours you reported stay yours for the teacher "
                         "to approve")),
    Kind.HELPER_LEFT: (B("คุณไม่ได้อยู่ในทีมงาน {ref} แล้ว", "You are no longer on the team of {ref}"),
                       B("{item}: ครูนำงานออกจากนักศึกษาที่ชวนคุณมาช่วย ชั่วโมงที่คุณรายงานไว้ยังเป็นของคุณ รอครูอนุมัติ",
                         "{item}: the teacher took the job from the student you helped; the hours you reported stay "
                         "yours for the teacher to approve")),
    Kind.NOT_CREDITED: (B("ไม่ได้นับชั่วโมงของคุณในงาน {ref}", "No hours credited to you on {ref}"),
                        B("{item}: ครูอนุมัติชั่วโมงของทีมโดยไม่นับคุณเป็นผู้ช่วยในงานนี้",
                          "{item}: the teacher approved the team's hours without you as a helper on it")),
    Kind.QC_WAITING: (B("งานรอตรวจ {ref}", "Waiting for your check {ref}"),
                      B("{item} โดย {technician}", "{item} by {technician}")),
    Kind.OFFER_EXPIRING: (B("ยังไม่มีผู้รับงาน {ref}", "Nobody has accepted {ref}"),
                          B("{item}: ข้อเสนอหมดเวลาใน {minutes} นาที", "{item}: the offer expires in {minutes} min")),
    Kind.REOPENED: (B("แจ้งว่ายังไม่หาย {ref}", "Reported still broken {ref}"),
                    B("{item}: กลับมาที่วิทยาลัย", "{item}: back at your college")),
    Kind.HANDBACK_WAITING: (B("ซ่อมไม่ได้ รอส่งคืน {ref}", "Unrepairable, to hand back {ref}"),
                            B("{item}: {reason} นัดเจ้าของรับของคืนแล้วบันทึกการส่งคืนในแอป",
                              "{item}: {reason}; arrange its return with the owner, then record the hand back "
                              "in the app")),
    Kind.HOLDER_SUSPENDED: (B("นักศึกษาถูกระงับบัญชี {ref}", "Student suspended on {ref}"),
                            B("{item}: {technician} ทำงานนี้ต่อไม่ได้ มอบให้นักศึกษาคนอื่นหรือรับงานคืน",
                              "{item}: {technician} can no longer work on it; give it to another student or take "
                              "it back")),
    Kind.ACCEPTED: (B("ช่างรับงานแล้ว {ref}", "Technician accepted {ref}"),
                    B("{item}: {technician} จาก{college} จะโทรหาคุณเร็วๆ นี้",
                      "{item}: {technician} of {college} will call you soon")),
    Kind.READY: (B("ซ่อมเสร็จแล้ว {ref}", "Repaired {ref}"),
                 B("{item}: {where}", "{item}: {where}")),
    Kind.UNREPAIRABLE: (B("ซ่อมไม่ได้ {ref}", "Cannot be repaired {ref}"),
                        B("{item}: {reason}", "{item}: {reason}")),
    Kind.RATE: (B("ให้คะแนนงานซ่อม {ref}", "Rate the repair {ref}"),
                B("{item}: งานนี้เป็นอย่างไรบ้าง", "{item}: how did it go?")),
    Kind.PART_PROPOSED: (B("ขออนุมัติอะไหล่ {ref}", "A part needs your approval {ref}"),
                         B("{item}: {part} {price} บาท อนุมัติหรือไม่อนุมัติในแอป",
                           "{item}: {part}, {price} baht: approve or decline in the app")),
    # Who withdrew it is said by `PART_WITHDRAWN_BY` (`params.by`); this neutral body is for a message without it.
    Kind.PART_WITHDRAWN: (B("ถอนรายการอะไหล่แล้ว {ref}", "A part was withdrawn {ref}"),
                          B("{item}: รายการ {part} ที่เสนอไว้ถูกถอนแล้ว ไม่ต้องอนุมัติและไม่มีค่าใช้จ่ายสำหรับรายการนี้",
                            "{item}: {part} was withdrawn; there is nothing to approve or pay for it")),
    Kind.JOB_TAKEN_BACK: (B("รับงานคืนจากนักศึกษาแล้ว {ref}", "{ref} was taken back from its student"),
                          B("{item}: กำลังหานักศึกษาคนอื่นมาทำต่อ งานที่ทำไว้ รูป และอะไหล่ที่คุณอนุมัติแล้วยังอยู่ครบ "
                            "สอบถามได้ที่{college}",
                            "{item}: another student is being found to carry on; the work so far, its photos and "
                            "the parts you approved stay with it. Questions: {college}")),
    Kind.NO_TAKER: (B("ยังไม่มีนักศึกษารับงาน {ref}", "No student has taken {ref} yet"),
                    B("{item}: ผู้ดูแลระบบจะช่วยส่งต่อให้วิทยาลัย หรือยกเลิกคำขอได้ในแอป",
                      "{item}: an administrator will send it on to a college; you may also cancel it in the app")),
    Kind.SENT_AGAIN: (B("ส่งคำขอให้นักศึกษาช่างอีกครั้ง {ref}", "{ref} is offered to students again"),
                      B("{item}: ตอนนี้{college}มีนักศึกษาช่างที่ทักษะตรงกับงานนี้ กำลังเสนองานให้ จะแจ้งเมื่อมีผู้รับงาน",
                        "{item}: {college} now has a student technician who fits it, and is offering it to them; "
                        "you will hear when someone takes it")),
    Kind.COLLECT_REMINDER: (B("ของที่ซ่อมเสร็จรอคุณอยู่ {ref}", "Your repaired item is waiting for you {ref}"),
                            B("{item}: {where} ติดต่อ{college}เพื่อนัดรับคืน",
                              "{item}: {where}; contact {college} to arrange getting it back")),
    # Nothing of the student or the teachers: the item, and the college the job waits at.
    Kind.JOB_WAITS_FOR_TEACHER: (B("งานซ่อม {ref} หยุดรอครูควบคุม", "{ref} waits for a teacher to be present"),
                                 B("{item}: ขั้นตอนต่อไปต้องมีครูของ{college}อยู่ควบคุม ตอนนี้ไม่มีครู "
                                   "ผู้ดูแลระบบจะส่งต่อหรือรอครูใหม่",
                                   "{item}: its next step needs a teacher of {college}, and there is none now; "
                                   "the admins will send it on or wait for one")),
    Kind.WORK_OVERDUE: (B("งาน {ref} เกินเวลาที่แจ้งเจ้าของไว้", "{ref} is past the time its owner was told"),
                        B("{item}: อัปเดตงานในแอป หรือบอกครูถ้าทำต่อไม่ได้",
                          "{item}: move it on in the app, or tell your teacher if you cannot go on")),
    Kind.WORK_STALLED: (B("งาน {ref} ไม่คืบหน้า", "{ref} is not moving"),
                        B("{item}: {technician} ยังไม่ได้ทำงานนี้ต่อเกินเวลาที่แจ้งเจ้าของไว้ ติดต่อนักศึกษา "
                          "มอบให้คนอื่น หรือรับงานคืน",
                          "{item}: {technician} has not moved it on past the time its owner was told; contact "
                          "them, give it to another student or take it back")),
    Kind.UNCOLLECTED: (B("ยังไม่ได้ส่งคืนของ {ref}", "{ref} is not handed back yet"),
                       B("{item}: ซ่อมเสร็จมา {days} วันแล้ว โทรหาเจ้าของเพื่อนัดส่งคืน หรือบันทึกการส่งคืนในแอปถ้าส่งคืนแล้ว",
                         "{item}: repaired {days} days ago; call the owner to arrange its return, or record the "
                         "hand back in the app if it is back")),
    Kind.TEACHER_LEFT: (B("งาน {ref} ต้องมีครูควบคุม แต่วิทยาลัยไม่มีครูแล้ว",
                          "{ref} needs a teacher present, and your college has none now"),
                        B("{item}: ขั้นตอนต่อไปต้องมีครูอยู่ควบคุม หยุดงานไว้ก่อน ผู้ดูแลระบบได้รับแจ้งแล้ว",
                          "{item}: its next step needs a teacher present. Stop for now: the admins were told")),
    Kind.TEACHER_NEEDED: (B("งาน {ref} ต้องมีครูควบคุม", "{ref} needs a teacher present"),
                          B("{item}: {technician} ต้องมีครูของ{college}อยู่ควบคุม หรือรับงานคืนเพื่อส่งต่อให้วิทยาลัยที่มีครู",
                            "{item}: {technician} needs a teacher of {college} present, or take it back to send "
                            "it on")),
    Kind.NO_CENTRE: (B("ไม่มีวิทยาลัยรับงาน {ref}", "No college can take {ref}"),
                     B("{item} ({place}) รอการส่งต่อ", "{item} ({place}) waits to be sent on")),
    Kind.INVITED: (B("{college} เชิญคุณเป็น{role}", "{college} invites you to join as {role}"),
                   B("ตอบรับหรือปฏิเสธได้ในแอป บัญชีของคุณยังไม่เปลี่ยนจนกว่าคุณจะตอบรับ",
                     "Accept or decline in the app: your account stays as it is unless you accept")),
    Kind.INVITE_ACCEPTED: (B("{person} ตอบรับคำเชิญแล้ว", "{person} accepted your invitation"),
                           B("ตอนนี้เป็น{role}ของ{college}", "now {role} at {college}")),
    Kind.INVITE_DECLINED: (B("{person} ปฏิเสธคำเชิญ", "{person} declined your invitation"),
                           B("คำเชิญเป็น{role}ของ{college} เชิญใหม่ได้หลัง {days} วัน",
                             "to join {college} as {role}: you may ask again in {days} days")),
    Kind.MOVED: (B("ตอนนี้คุณเป็น{role}ของ{college}", "You are now {role} at {college}"),
                 B("ผู้ดูแลระบบเปลี่ยนบัญชีของคุณ เปิดแอปเพื่อดูหน้าจอใหม่",
                   "An administrator changed your account: open the app for your new screens")),
}
# The role an invitation offers, as the messages name it.
INVITED_ROLES: dict[str, Bilingual] = {
    "technician": B("นักศึกษาช่าง", "a student technician"),
    "supervisor": B("ครูผู้ควบคุม", "a supervisor"),
    "admin": B("ผู้ดูแลระบบ", "an administrator"),
}
# An administrator's invitation names no college.
NO_COLLEGE = B("Fixit", "Fixit")
WHERE_CENTRE = B("มารับได้ที่{college}", "collect it at {college}")
WHERE_HOME = B("ช่างจะนัดวันส่งคืนที่บ้าน", "the technician will arrange bringing it home")
NO_NOTE = B("ดูรายละเอียดในแอป", "see the details in the app")
# Said to an admin told of a college's decision because no teacher of the college can make it now (migration 0071:
# none left, or the only one asked for the repair): `params.nobody_at_college`.
NOBODY_AT_COLLEGE = B("ไม่มีครูของ{college}ที่ตัดสินใจเรื่องนี้ได้ในตอนนี้", "no teacher of {college} can decide it now")

# A job taken back from its student (migration 0073), told in its one message (`job_taken_back`): when nobody else
# took it in the same move and it waits for an administrator (`params.nobody_took`: instead of a second message,
# `no_taker`), this title and body; and the parts the former student proposed that were waiting for the citizen's
# answer, withdrawn by the take back (`params.parts_withdrawn`, how many), said after either.
# An item judged unrepairable waits to be handed back as a repaired one does (shared.credit.HANDOVER_FROM): its
# owner's reminder and the college's word of it (`params.unrepairable`) say so, not "repaired".
COLLECT_UNREPAIRABLE = (
    B("ของที่ซ่อมไม่ได้รอคุณรับคืน {ref}", "Your item that could not be repaired is waiting for you {ref}"),
    B("{item}: ซ่อมไม่ได้ {where} ติดต่อ{college}เพื่อนัดรับคืน",
      "{item}: it could not be repaired; {where}; contact {college} to arrange getting it back"))
UNCOLLECTED_UNREPAIRABLE = (
    B("ยังไม่ได้ส่งคืนของ {ref}", "{ref} is not handed back yet"),
    B("{item}: ซ่อมไม่ได้มา {days} วันแล้ว โทรหาเจ้าของเพื่อนัดส่งคืน หรือบันทึกการส่งคืนในแอปถ้าส่งคืนแล้ว",
      "{item}: judged unrepairable {days} days ago; call the owner to arrange its return, or record the hand back "
      "in the app if it is back"))

TAKEN_BACK_NOBODY_TOOK = (
    B("รับงานคืนจากนักศึกษาแล้ว และยังไม่มีนักศึกษารับงาน {ref}",
      "{ref} was taken back from its student, and no student has taken it yet"),
    B("{item}: รับงานคืนจากนักศึกษาคนเดิมแล้ว แต่ยังไม่มีนักศึกษารับงานต่อ ผู้ดูแลระบบจะช่วยส่งต่อให้วิทยาลัย "
      "หรือยกเลิกคำขอได้ในแอป งานที่ทำไว้ รูป และอะไหล่ที่คุณอนุมัติแล้วยังอยู่ครบ สอบถามได้ที่{college}",
      "{item}: it was taken back from its student, and no other student has taken it yet. An administrator "
      "will send it on to a college; you may also cancel it in the app. The work so far, its photos and the parts "
      "you approved stay with it. Questions: {college}"))
# The clock's revival of a request parked while its owner's account was suspended, once restored (migration 0094,
# `params.restored`): a student coming into range is not why it goes on (reinstate21).
SENT_AGAIN_RESTORED = (
    B("ส่งคำขอให้นักศึกษาช่างอีกครั้ง {ref}", "{ref} is offered to students again"),
    B("{item}: บัญชีของคุณกลับมาใช้งานได้แล้ว {college}กำลังเสนองานนี้ให้นักศึกษาช่างอีกครั้ง จะแจ้งเมื่อมีผู้รับงาน",
      "{item}: your account is restored, and {college} is offering it to its student technicians again; you will "
      "hear when someone takes it"))
PARTS_WITHDRAWN = B("อะไหล่ที่นักศึกษาคนเดิมเสนอไว้และยังรอคุณตอบ {count} รายการถูกถอนแล้ว คุณไม่ต้องจ่ายค่าอะไหล่นั้น",
                    "The {count} {count|part|parts} the former student proposed that awaited your answer "
                    "{count|was|were} withdrawn: you will not pay for {count|it|them}.")


class PartWithdrawnBy(StrEnum):
    """Who withdrew a part that waited for the owner's answer (`part_withdrawn`'s `params.by`): its student, the
    job's teacher or an admin by hand (backend credit.withdraw_part); or a reassign of the job to another student
    (migration 0083), or a take back before the work began (from `accepted`, migration 0090; one under way says it in
    `job_taken_back`): every waiting part of the former student at once, `params.count` of them."""

    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"
    REASSIGNED = "reassigned"
    TAKEN_BACK = "taken_back"


_NOTHING_TO_PAY = B("ไม่ต้องอนุมัติและไม่มีค่าใช้จ่ายสำหรับรายการนี้", "there is nothing to approve or pay for it")
PART_WITHDRAWN_BY: dict[PartWithdrawnBy, tuple[Bilingual, Bilingual]] = {
    PartWithdrawnBy.STUDENT: (
        B("นักศึกษาถอนรายการอะไหล่ {ref}", "The student withdrew a part {ref}"),
        B(f"{{item}}: นักศึกษาถอนรายการ {{part}} ที่เสนอไว้ {_NOTHING_TO_PAY.th}",
          f"{{item}}: the student withdrew {{part}}; {_NOTHING_TO_PAY.en}")),
    PartWithdrawnBy.TEACHER: (
        B("ครูผู้ควบคุมถอนรายการอะไหล่ {ref}", "The teacher withdrew a part {ref}"),
        B(f"{{item}}: ครูผู้ควบคุมถอนรายการ {{part}} ที่นักศึกษาเสนอไว้ {_NOTHING_TO_PAY.th}",
          f"{{item}}: the supervising teacher withdrew {{part}}, which the student had proposed; "
          f"{_NOTHING_TO_PAY.en}")),
    PartWithdrawnBy.ADMIN: (
        B("ผู้ดูแลระบบถอนรายการอะไหล่ {ref}", "An administrator withdrew a part {ref}"),
        B(f"{{item}}: ผู้ดูแลระบบถอนรายการ {{part}} ที่นักศึกษาเสนอไว้ {_NOTHING_TO_PAY.th}",
          f"{{item}}: an administrator withdrew {{part}}, which the student had proposed; {_NOTHING_TO_PAY.en}")),
    PartWithdrawnBy.REASSIGNED: (
        B("งานมีนักศึกษาคนใหม่ ถอนอะไหล่ที่รอคุณตอบแล้ว {ref}",
          "{ref} has a new student: the parts awaiting your answer were withdrawn"),
        B("{item}: ครูมอบงานนี้ให้นักศึกษาคนใหม่ทำต่อ อะไหล่ที่นักศึกษาคนเดิมเสนอไว้และยังรอคุณตอบ {count} รายการ"
          "ถูกถอนแล้ว คุณไม่ต้องจ่ายค่าอะไหล่นั้น นักศึกษาคนใหม่จะเสนออะไหล่ที่จำเป็นอีกครั้ง",
          "{item}: the teacher gave this job to another student. The {count} {count|part|parts} the former student "
          "proposed that awaited your answer {count|was|were} withdrawn: you will not pay for {count|it|them}; the "
          "new student will propose what is needed.")),
    PartWithdrawnBy.TAKEN_BACK: (
        B("วิทยาลัยรับงานคืน ถอนอะไหล่ที่รอคุณตอบแล้ว {ref}",
          "{ref} was taken back: the parts awaiting your answer were withdrawn"),
        B("{item}: วิทยาลัยรับงานนี้คืนจากนักศึกษาเพื่อหานักศึกษาคนอื่นมาทำ อะไหล่ที่นักศึกษาคนเดิมเสนอไว้และยังรอคุณตอบ "
          "{count} รายการถูกถอนแล้ว คุณไม่ต้องจ่ายค่าอะไหล่นั้น นักศึกษาคนใหม่จะเสนออะไหล่ที่จำเป็นอีกครั้ง",
          "{item}: the college took this job back from its student to find another. The {count} {count|part|parts} "
          "the former student proposed that awaited your answer {count|was|were} withdrawn: you will not pay for "
          "{count|it|them}; the next student will propose what is needed.")),
}

REFERENCE_PREFIX = "FX-"


def reference_text(ref_no: int | None, request_id: str | None) -> str:
    """The request's reference number (FX-690001); before numbers existed, the first characters of its id."""
    if ref_no is not None:
        return f"{REFERENCE_PREFIX}{ref_no}"
    return f"#{request_id[:8].upper()}" if request_id else ""


# Where an answer to an invitation leads the inviter: a teacher's students; an admin's colleges (the place they
# register teachers and admins from).
STUDENTS_LINK = "/college/technicians"
STAFF_ADMIN_LINK = "/admin/colleges"
HOME_LINK = "/"
# A new or withdrawn offer: the student's offers, on their home (the notification's request_id names its job).
OFFERS_LINK = "/offers"
# A job a student no longer holds or helps on is on their portfolio screen (its record is no longer theirs to read).
PORTFOLIO_LINK = "/me/portfolio"


def link(kind: Kind, request_id: str | None, params: Mapping[str, Any] | None = None) -> str:
    """The app's route for the screen a notification opens."""
    if kind in (Kind.INVITED, Kind.MOVED):
        return HOME_LINK  # the citizen home, where the invitation's card is; the new role's home
    if kind in (Kind.INVITE_ACCEPTED, Kind.INVITE_DECLINED):
        return STAFF_ADMIN_LINK if (params or {}).get("by") == "admin" else STUDENTS_LINK
    if kind in (Kind.HELPER_KEPT, Kind.NOT_CREDITED, Kind.HELPER_LEFT):
        return PORTFOLIO_LINK
    if request_id is None:
        return "/notifications"
    if kind in (Kind.OFFER_NEW, Kind.OFFER_WITHDRAWN):
        return OFFERS_LINK
    if AUDIENCE[kind] in ("technician", "supervisor"):
        return f"/jobs/{request_id}"
    return f"/requests/{request_id}"


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str


def _minutes_until(value: Any, now: datetime) -> int:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return 0
    return max(0, int((at - now).total_seconds() // 60))


def _quoted(key: str, value: Any, locale: Locale) -> Any:
    """A parameter as the message quotes it: text (typed by someone: an item, a name, a note) as one clean line
    within its limit; numbers and times as they are. An empty note is left empty: the kind says what stands in."""
    if not isinstance(value, str):
        return value
    if key == "note":
        return one_line(value, QUOTE_NOTE_MAX)
    return one_line(value, QUOTE_MAX, t("notify_unnamed", locale))


def _baht(stored: Any, quoted: Any) -> Any:
    """A price as the app's screens write it (format_baht: 12,500.00), from the amount the database wrote
    (to_char: 12500.00); anything that is not an amount stays as quoted."""
    try:
        amount = Decimal(str(stored))
    except (InvalidOperation, ValueError):
        return quoted
    return format_baht(amount) if amount.is_finite() else quoted


def render(kind: Kind, params: Mapping[str, Any], locale: Locale, now: datetime, ref_no: int | None = None,
           request_id: str | None = None) -> Rendered:
    """The message for one reader, at the moment it goes out (an offer's time left is counted from `now`)."""
    th = locale == Locale.TH
    values: dict[str, Any] = {"item": "", "technician": "", "note": "", "reason": "", "place": "", "minutes": 0,
                              "part": "", "price": "", "person": "", "role": "", "days": DECLINED_WAIT_DAYS}
    values.update({k: _quoted(k, v, locale) for k, v in params.items() if v is not None})
    values["ref"] = reference_text(ref_no, request_id)
    college = one_line(params.get("college_th" if th else "college_en"), QUOTE_MAX, t("notify_unnamed", locale))
    if kind in ACCOUNT_KINDS:
        if not params.get("college_th"):
            college = NO_COLLEGE.in_(locale)
        role = INVITED_ROLES.get(str(params.get("role", "")))
        values["role"] = role.in_(locale) if role else t("notify_unnamed", locale)
        values["person"] = one_line(params.get("person"), QUOTE_MAX, t("notify_unnamed", locale))
    values["college"] = college
    if kind in (Kind.OFFER_NEW, Kind.OFFER_EXPIRING):
        values["minutes"] = _minutes_until(params.get("expires_at"), now)
    if kind in (Kind.READY, Kind.COLLECT_REMINDER):
        where = WHERE_HOME if params.get("place") == "home" else WHERE_CENTRE
        values["where"] = where.format(college=college).in_(locale)
    if kind in (Kind.UNREPAIRABLE, Kind.HANDBACK_WAITING):
        labels = UNREPAIRABLE_REASONS.get(str(params.get("reason", "")))
        values["reason"] = (labels[0] if th else labels[1]) if labels else NO_NOTE.in_(locale)
    if kind == Kind.REWORK and not values["note"]:
        values["note"] = NO_NOTE.in_(locale)
    if kind == Kind.PART_PROPOSED:
        values["price"] = _baht(params.get("price"), values["price"])
    if kind == Kind.NO_CENTRE:
        values["place"] = one_line(area_text(locale, str(params.get("province") or ""),
                                             str(params.get("district") or "")), QUOTE_MAX, t("notify_unnamed", locale))
    title, body = TEXTS[kind]
    if kind == Kind.JOB_TAKEN_BACK and params.get("nobody_took") is True:
        title, body = TAKEN_BACK_NOBODY_TOOK
    if kind == Kind.SENT_AGAIN and params.get("restored") is True:
        title, body = SENT_AGAIN_RESTORED
    if params.get("unrepairable") is True and kind in (Kind.COLLECT_REMINDER, Kind.UNCOLLECTED):
        title, body = COLLECT_UNREPAIRABLE if kind == Kind.COLLECT_REMINDER else UNCOLLECTED_UNREPAIRABLE
    by = params.get("by") if kind == Kind.PART_WITHDRAWN else None
    if isinstance(by, str) and by in set(PartWithdrawnBy):
        title, body = PART_WITHDRAWN_BY[PartWithdrawnBy(by)]
        if by in (PartWithdrawnBy.REASSIGNED, PartWithdrawnBy.TAKEN_BACK):  # all the former student's at once
            count = params.get("count")
            values["count"] = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
    closed = params.get(INVITED_CLOSED_KEY) if kind == Kind.INVITED else None
    if isinstance(closed, str) and closed in set(InvitedClosed):
        body = bilingual(INVITED_CLOSED_TEXT[InvitedClosed(closed)])  # answered or gone: no longer a question
    checked = params.get(INVITED_CLOSED_KEY) if kind == Kind.QC_WAITING else None
    if isinstance(checked, str) and checked in set(QcClosed):
        body = bilingual(QC_CLOSED_TEXT[QcClosed(checked)])  # the job left the check: nothing left to do (0114)
    if kind in DECISION_CLOSED_KINDS and isinstance(params.get(INVITED_CLOSED_KEY), str):
        body = bilingual(DECISION_CLOSED_TEXT)  # the job moved on: nothing left to decide (0120)
    said = body.format(**values).in_(locale).strip()
    if params.get("nobody_at_college") is True:
        said = f"{said} ({NOBODY_AT_COLLEGE.format(college=college).in_(locale)})"
    withdrawn = params.get("parts_withdrawn") if kind == Kind.JOB_TAKEN_BACK else None
    if isinstance(withdrawn, int) and not isinstance(withdrawn, bool) and withdrawn > 0:
        said = f"{said} {PARTS_WITHDRAWN.format(count=withdrawn).in_(locale)}"
    return Rendered(title.format(**values).in_(locale).strip(), said, link(kind, request_id, params))


# --- Web Push: where a browser's subscription may point ----------------------------------------------------------

# The push services browsers hand out endpoints of (Chrome and the Chromium family, Firefox, Edge on Windows,
# Safari). The backend POSTs every notification to the endpoint a person registered, so anything else would let
# them aim it at a host of their choosing, inside the network too.
WEB_PUSH_HOSTS: frozenset[str] = frozenset({
    "fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com"})
WEB_PUSH_HOST_SUFFIXES: tuple[str, ...] = (".notify.windows.com", ".push.apple.com")


def is_push_service_url(url: str) -> bool:
    """An https address on the standard port of a browser's push service, with no user name in it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username is not None or port not in (None, 443):
        return False
    return host in WEB_PUSH_HOSTS or host.endswith(WEB_PUSH_HOST_SUFFIXES)


# Codes a LINE user may send to link their LINE in an hour: a person mistyping retries a few times; someone
# guessing six digits until one matches a code another person just asked for runs out long before. Codes sent while
# linking is paused for everyone (below) are not looked at, so they spend none of these (gaps26 #2).
LINE_LINK_TRIES_PER_HOUR = 10
# Wrong codes all LINE users together may send in a window as long as a code lives (10 minutes), gaps25 #2: one
# person with many LINE accounts has 10 tries an hour on each. Past it no code is looked at until the next window (a
# right one neither: nobody's code is consumed, and its person may send it again then), and asking for a code says
# so (429 `line_link_paused`). At most 180 wrong guesses looked at an hour whatever the number of accounts
# (deliveries take turns at the count: audit26 F3): with L codes live at once, a chance of about
# 180 L / 10^6 an hour that one matches, where N accounts had 10 N L / 10^6. Only wrong codes count: a person
# rarely mistypes six digits, and a right code links and is spent.
LINE_LINK_WRONG_CODES_OVERALL = 30
LINE_LINK_WRONG_CODES_WINDOW = timedelta(minutes=10)

# Devices (phones, browsers) a person keeps registered for push: every one gets every notification, so an unbounded
# list would let one account turn each notification into any number of pushes. The least recently seen go first.
DEVICES_PER_PERSON_MAX = 10
# Live streams (GET /events) one person holds open on one backend copy: a phone and a few browser tabs, with room for
# the streams of a phone that changed networks and whose dead sockets the server has not noticed yet. Opening one
# more ends their oldest (its app, if still there, reconnects), so a token opening stream after stream holds no more
# memory, tasks or sockets than this, and a person on a flaky network is never refused.
LIVE_STREAMS_PER_PERSON = 8
# A live stream's keep-alive: the server sends ": ping" after this many seconds without an event (proxies close a
# quiet connection). The app counts on it: a stream silent for a few of these is dead (a phone that changed networks
# keeps a half-open socket that delivers nothing and raises nothing), so it reconnects (mobile/live.py). A backend
# may ping more often (the `sse_ping_seconds` setting), never less.
LIVE_PING_SECONDS = 15.0


class LeadLeft(StrEnum):
    """How a job left its lead, as the live event that ends their hold says it (`lead_left`, migration 0056): a
    teacher took it back (offered again, no lead) or gave it to another student (a teacher's, an admin's or the
    operator's reassign). With it, `kept`: they stay on the round's team as a helper with the hours they reported
    (`keep_former_student`). Their open job screen closes in these words (APP_UI `job_lead_<value>[_kept]`)."""
    TAKEN_BACK = "taken_back"
    REASSIGNED = "reassigned"


def lead_left_text_key(how: LeadLeft, kept: bool) -> str:
    return f"job_lead_{how.value}{'_kept' if kept else ''}"
