"""audit18d: a hostile read of every word a Thai citizen, student and teacher (and their English readers) see.

Each test here proves one finding and is marked xfail(strict=True) until the fixer makes it pass: the words are
collected from the one catalog (shared/text.py and its neighbours), from what the views draw, and from what the
backend answers, and each test says what a reader reads today and what one thing should read as one word."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

import shared.credit
import shared.notifications
import shared.photos
import shared.text
import shared.work
from backend.settings import Settings
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import (
    ROLE_LABELS,
    Bilingual,
    Locale,
    bilingual,
    error_text,
    t,
)

THAI = re.compile(r"[\u0e00-\u0e7f]")


def _walk(name: str, value: object) -> Iterator[tuple[str, Bilingual]]:
    if isinstance(value, Bilingual):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}[{key}]", item)
    elif isinstance(value, tuple):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and THAI.search(value[0]):
            yield name, Bilingual(value[0], value[1])  # the (th, en) pairs of shared.credit / work / photos
        else:
            for i, item in enumerate(value):
                yield from _walk(f"{name}[{i}]", item)


def every_text() -> dict[str, Bilingual]:
    """Every user-facing sentence the catalog and its neighbours hold, by where it is (module.TABLE[key])."""
    found: dict[str, Bilingual] = {}
    for module in (shared.text, shared.notifications, shared.credit, shared.work, shared.photos):
        short = module.__name__.split(".")[-1]
        for attr in dir(module):
            if attr.isupper():
                for name, text in _walk(f"{short}.{attr}", getattr(module, attr)):
                    found.setdefault(name, text)
    return found


def test_the_collector_sees_the_whole_catalog() -> None:
    texts = every_text()
    assert len(texts) > 600
    assert "text.ROLE_LABELS[technician]" in texts and "notifications.INVITED_ROLES[technician]" in texts
    assert "credit.OUTCOME_REASONS[parts_unavailable]" in texts and "work.UNREPAIRABLE_REASONS[no_parts]" in texts


# --- Finding 1: the student technician's role has two Thai names ---------------------------------------------

@pytest.mark.xfail(strict=True, reason="audit18d: the role is ช่างนักศึกษา on the account screen and the invites "
                                       "list (ROLE_LABELS) but นักศึกษาช่าง in the invitation and every other text")
def test_the_student_technician_has_one_thai_name() -> None:
    spellings: dict[str, list[str]] = {"ช่างนักศึกษา": [], "นักศึกษาช่าง": []}
    for where, text in every_text().items():
        for spelling, places in spellings.items():
            if spelling in text.th:
                places.append(where)
    assert ROLE_LABELS[AppRole.TECHNICIAN].th == shared.notifications.INVITED_ROLES["technician"].th
    used = [spelling for spelling, places in spellings.items() if places]
    assert len(used) == 1, spellings


# --- Finding 2: the teacher is ครู everywhere but in the off-roster texts, which say อาจารย์ -----------------------

@pytest.mark.xfail(strict=True, reason="audit18d: offer_off_roster and technician_off_roster call the teacher อาจารย์; "
                                       "every other text (and ROLE_LABELS: ครูผู้ควบคุม) says ครู")
def test_the_teacher_is_called_kru_everywhere() -> None:
    texts = every_text()
    kru = [where for where, text in texts.items() if "ครู" in text.th]
    assert len(kru) > 50  # the word the app uses for the supervisor
    assert [where for where, text in texts.items() if "อาจารย์" in text.th] == []


# --- Finding 5: English counts written "job(s)" where the catalog has its plural rule ------------------------------

COUNT_THEN_S = re.compile(r"\{(\w+)\}[^{}.:;]*?\w\(s\)")


@pytest.mark.xfail(strict=True, reason="audit18d: English texts with a count say '1 star(s)', '{n} open job(s)', "
                                       "'{count} photo(s)' ... instead of the catalog's {n|star|stars} form "
                                       "(shared.text.plural_en)")
def test_english_counts_use_the_plural_rule_not_s_in_brackets() -> None:
    found = {where: text.en for where, text in every_text().items() if COUNT_THEN_S.search(text.en)}
    assert found == {}


# --- Finding 8: the student's job screen calls the citizen ลูกค้า (customer) and เจ้าของ (owner) -------------------

@pytest.mark.xfail(strict=True, reason="audit18d: contact_title/call_customer say ลูกค้า / customer on the job screen "
                                       "whose parts, hand back and steps call the same person เจ้าของ / owner "
                                       "(and the repair is free: no one is a customer)")
def test_the_citizen_is_the_owner_on_the_job_screen_never_a_customer() -> None:
    texts_ = every_text()
    owner = [key for key in ("parts_title", "hand_back_title", "step_handed_back", "part_status_proposed")
             if "เจ้าของ" in texts_[f"text.APP_UI[{key}]"].th and "owner" in texts_[f"text.APP_UI[{key}]"].en]
    assert len(owner) == 4  # the same screen's word for the person
    assert [where for where, text in texts_.items() if "ลูกค้า" in text.th or "customer" in text.en.lower()] == []


# --- Finding 9: English calls the same teacher "the supervisor" and "the teacher", even for one event --------------

@pytest.mark.xfail(strict=True, reason="audit18d: where Thai says ครู, English says 'supervisor' in 8 texts and "
                                       "'teacher' in the rest: the citizen's timeline says 'Taken back by the "
                                       "supervisor', the notification of that same take back 'The teacher took'")
def test_english_says_teacher_where_thai_says_kru() -> None:
    taken_back = shared.notifications.TEXTS[shared.notifications.Kind.JOB_TAKEN_BACK][0]
    assert "teacher" in taken_back.en.lower() and "ครู" in taken_back.th
    mixed = {where: text.en for where, text in every_text().items()
             if "ครู" in text.th and "ครูผู้ควบคุม" not in text.th and "supervisor" in text.en.lower()}
    assert mixed == {}


# --- Finding 14: the brand is "Fixit" in every Thai text but one, which spells it ฟิกซ์อิท -------------------------

@pytest.mark.xfail(strict=True, reason="audit18d: notifications.NO_COLLEGE writes the brand in Thai letters "
                                       "(ฟิกซ์อิท เชิญคุณเป็นผู้ดูแลระบบ); account_suspended, captive_portal, "
                                       "student_suspended ... write Fixit")
def test_an_admin_invitation_names_fixit_as_every_thai_text_does() -> None:
    thai_fixit = [where for where, text in every_text().items() if "Fixit" in text.th]
    assert len(thai_fixit) >= 5
    said = shared.notifications.render(shared.notifications.Kind.INVITED, {"role": "admin"}, Locale.TH,
                                       datetime(2026, 11, 30, tzinfo=UTC))
    assert said.title.startswith("Fixit "), said.title


# --- Finding 16: the Thai line of a start refusal joins the missing settings with the English "and" --------------

@pytest.mark.xfail(strict=True, reason="audit18d: START_REFUSALS start_notify_missing gets missing=' and '.join(...) "
                                       "from backend/settings.py for both lines: the Thai reads 'ถ้าไม่มี "
                                       "FIXIT_LINE_CHANNEL_ACCESS_TOKEN and FIXIT_LINE_CHANNEL_SECRET'")
def test_the_thai_start_refusal_joins_settings_in_thai() -> None:
    settings = Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none",
                        notify_channels=["line"])
    (line_refusal,) = [p for p in settings._notify_problems() if "'line'" in p]
    thai = line_refusal.splitlines()[0]
    assert "FIXIT_LINE_CHANNEL_SECRET" in thai
    assert " and " not in thai, thai


# --- Finding 17: English counts audit15b's plural rule missed: "1 students", "Showing 1 of 1 jobs", "(1 requests)" -

# The values the views pass (mobile/views/admin.py, viewmodels/college_jobs.py, views/credit.py), the count at 1.
COUNTS_OF_ONE: dict[str, dict[str, object]] = {
    "college_people": {"students": 1, "invites": 0},  # the admin's college card
    "jobs_shown": {"shown": 1, "total": 1},  # the teacher's job list under a search that finds one job
    "credit_lacking_line": {"category": "Fans", "requests": 1, "skills": "Electronics ≥ 2"},  # the college view
}


@pytest.mark.xfail(strict=True, reason="audit18d: college_people '{students} students', jobs_shown 'Showing {shown} "
                                       "of {total} jobs' and credit_lacking_line '({requests} requests)' have no "
                                       "{n|x|xs} form: '1 students', 'Showing 1 of 1 jobs', '(1 requests)'")
@pytest.mark.parametrize("key", sorted(COUNTS_OF_ONE))
def test_more_english_counts_of_one_are_singular(key: str) -> None:
    said = t(key, Locale.EN, **COUNTS_OF_ONE[key])
    assert not re.search(r"\b1 (students|jobs|requests)\b", said), said


# --- Finding 18: the teacher's assign panel calls the same person ช่าง in its title and นักศึกษา in its picker -----

ASSIGN_PANEL = ("assign_title", "assign_pick", "assign_none", "reassign_title", "job_action_assign")


@pytest.mark.xfail(strict=True, reason="audit18d: the assign panel (mobile/views/job.py _assign) is headed and "
                                       "confirmed 'มอบหมายช่าง / Assign a technician' over 'เลือกนักศึกษา / Choose "
                                       "a student'; its reassign twin and the timeline (EVENT_NOTES assigned) say "
                                       "นักศึกษา / student")
def test_the_assign_panel_names_the_student_with_one_word() -> None:
    panel = [bilingual(key) for key in ASSIGN_PANEL]
    assert all("นักศึกษา" in text.th for text in panel if "ช่าง" in text.th or "นักศึกษา" in text.th)
    assert all("student" in text.en.lower() for text in panel if re.search(r"student|technician", text.en, re.I))
    assert not [text for text in panel if "ช่าง" in text.th.replace("นักศึกษาช่าง", "")], panel


# --- Finding 20: the admin's queue says "centre", the notification that feeds it says "college" --------------------

@pytest.mark.xfail(strict=True, reason="audit18d: the admin's waiting list (waiting_title 'รอศูนย์รับงาน / Waiting "
                                       "for a centre', waiting_empty) and its settings label (kind_no_centre) say "
                                       "ศูนย์ / centre; the no_centre notification that sends them there says "
                                       "'ไม่มีวิทยาลัยรับงาน / No college can take'")
def test_the_admins_queue_and_its_notification_name_the_place_alike() -> None:
    title = shared.notifications.TEXTS[shared.notifications.Kind.NO_CENTRE][0]
    screen = [bilingual(key) for key in ("waiting_title", "waiting_empty", "kind_no_centre")]
    assert all("ศูนย์" in text.th and "centre" in text.en for text in screen)
    assert "ศูนย์" in title.th and "centre" in title.en, title


# --- Finding 21: where the Thai notification title is the status's own words, the English one is other words -----

CITIZEN_STATUS_KINDS = {
    shared.notifications.Kind.ACCEPTED: RequestStatus.ACCEPTED,
    shared.notifications.Kind.READY: RequestStatus.DONE,
    shared.notifications.Kind.UNREPAIRABLE: RequestStatus.UNREPAIRABLE,
}


@pytest.mark.xfail(strict=True, reason="audit18d: Thai tells the citizen the same words in the notification and on "
                                       "the list (ช่างรับงานแล้ว, ซ่อมเสร็จแล้ว); English says 'A technician took "
                                       "your job' / 'Repaired' in the notification and 'Accepted' / 'Done' on the "
                                       "list and the timeline")
def test_a_citizens_status_reads_alike_in_the_notification_and_on_the_list() -> None:
    differ = {}
    for kind, status in CITIZEN_STATUS_KINDS.items():
        title = shared.notifications.TEXTS[kind][0]
        label = shared.text.STATUS_LABELS[status]
        assert title.th.replace("{ref}", "").strip() == label.th  # Thai: the status's own words
        if title.en.replace("{ref}", "").strip() != label.en:
            differ[kind.value] = (title.en, label.en)
    assert differ == {}


# --- Finding 22: two network errors call the person's last action คำขอ, the word for their repair request ---------

@pytest.mark.xfail(strict=True, reason="audit18d: ERRORS request_refused 'เซิร์ฟเวอร์ไม่รับคำขอนี้ (HTTP …) / The server "
                                       "refused this request' and session_ended 'คำขอนี้จึงไม่ได้ดำเนินการต่อ' mean the "
                                       "tap just made; everywhere a citizen reads it, คำขอ / request is their repair "
                                       "request (ยกเลิกคำขอ, ได้รับคำขอแล้ว): a refused rating reads as a refused "
                                       "repair request")
def test_a_network_error_never_calls_the_action_a_request() -> None:
    as_repair_request = [where for where, text in every_text().items() if "คำขอ" in text.th]
    assert len(as_repair_request) > 30
    assert "ทำรายการ" in error_text("too_many_requests").th  # how the catalog already says "an action"
    for code in ("request_refused", "session_ended"):
        said = error_text(code, status=400)
        assert "คำขอ" not in said.th, (code, said.th)
    assert "request" not in error_text("request_refused", status=400).en.lower()
