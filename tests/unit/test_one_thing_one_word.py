"""One person, role, place or action is called by one word across the app's screens, notifications and errors, in
Thai and in English (found by audit18d: a Thai reader met two names for the same student, teacher and citizen)."""

import re
from datetime import UTC, datetime

from shared.notifications import INVITED_ROLES, TEXTS, Kind, render
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import EVENT_NOTES, ROLE_LABELS, STATUS_LABELS, Locale, bilingual, error_text
from tests.unit.catalog_texts import every_text


def test_the_student_technician_has_one_thai_name() -> None:
    """The account screen and the invites list (ROLE_LABELS) name the role as the invitation, the notifications,
    the errors and the exports do: นักศึกษาช่าง, never ช่างนักศึกษา."""
    spellings: dict[str, list[str]] = {"ช่างนักศึกษา": [], "นักศึกษาช่าง": []}
    for where, text in every_text().items():
        for spelling, places in spellings.items():
            if spelling in text.th:
                places.append(where)
    assert ROLE_LABELS[AppRole.TECHNICIAN].th == INVITED_ROLES["technician"].th
    used = [spelling for spelling, places in spellings.items() if places]
    assert used == ["นักศึกษาช่าง"], spellings


def test_the_teacher_is_called_kru_everywhere() -> None:
    """The off-roster texts (offer_off_roster, technician_off_roster) say ครู, as every other text and the role's
    name (ครูผู้ควบคุม) do, never อาจารย์."""
    texts = every_text()
    kru = [where for where, text in texts.items() if "ครู" in text.th]
    assert len(kru) > 50  # the word the app uses for the supervisor
    assert [where for where, text in texts.items() if "อาจารย์" in text.th] == []


def test_english_says_teacher_where_thai_says_kru() -> None:
    """Where Thai says ครู, English says "teacher", and where one does not, neither does the other: the citizen's
    timeline (EVENT_NOTES taken_back) and the notification of the same take back say it alike (since an admin may
    take a job back from the check, review25 F3, neither names who did). "Supervisor" is only the role's name,
    ครูผู้ควบคุม."""
    for taken_back in (TEXTS[Kind.JOB_TAKEN_BACK][0], EVENT_NOTES["taken_back"]):
        assert ("teacher" in taken_back.en.lower()) == ("ครู" in taken_back.th)
        assert "ครู" not in taken_back.th  # an admin's take back is one too
    # Word joiners (invisible; they keep ครูผู้ควบคุม on one line, college_row_counts) do not part the word.
    mixed = {where: text.en for where, text in every_text().items()
             if "ครู" in text.th and "ครูผู้ควบคุม" not in text.th.replace("\u2060", "")
             and "supervisor" in text.en.lower()}
    assert mixed == {}


def test_the_citizen_is_the_owner_on_the_job_screen_never_a_customer() -> None:
    """The student's job screen calls the person whose item it is เจ้าของ / owner in its parts, hand back and steps:
    its contact card and call button say so too (they said ลูกค้า / customer, and the repair is free)."""
    texts = every_text()
    owner = [key for key in ("parts_title", "hand_back_title", "step_handed_back", "part_status_proposed")
             if "เจ้าของ" in texts[f"text.APP_UI[{key}]"].th and "owner" in texts[f"text.APP_UI[{key}]"].en]
    assert len(owner) == 4  # the same screen's word for the person
    assert [where for where, text in texts.items() if "ลูกค้า" in text.th or "customer" in text.en.lower()] == []
    assert "เจ้าของ" in texts["text.APP_UI[contact_title]"].th and "เจ้าของ" in texts["text.APP_UI[call_owner]"].th


def test_an_admin_invitation_names_fixit_as_every_thai_text_does() -> None:
    """An administrator's invitation (no college: NO_COLLEGE) writes the brand Fixit, as account_suspended,
    captive_portal and the other Thai texts do (it said ฟิกซ์อิท)."""
    thai_fixit = [where for where, text in every_text().items() if "Fixit" in text.th]
    assert len(thai_fixit) >= 5
    said = render(Kind.INVITED, {"role": "admin"}, Locale.TH, datetime(2026, 11, 30, tzinfo=UTC))
    assert said.title == "Fixit เชิญคุณเป็นผู้ดูแลระบบ", said.title
    assert [where for where, text in every_text().items() if "ฟิกซ์อิท" in text.th] == []


ASSIGN_PANEL = ("assign_title", "assign_pick", "assign_none", "reassign_title", "job_action_assign")


def test_the_assign_panel_names_the_student_with_one_word() -> None:
    """The teacher's assign panel (mobile/views/job.py _assign), its job-list action and its reassign twin name the
    person นักศึกษา / student, as its picker and the timeline (EVENT_NOTES assigned) do: its heading and confirm
    button said มอบหมายช่าง / Assign a technician over เลือกนักศึกษา / Choose a student."""
    panel = [bilingual(key) for key in ASSIGN_PANEL]
    assert all("นักศึกษา" in text.th for text in panel if "ช่าง" in text.th or "นักศึกษา" in text.th)
    assert all("student" in text.en.lower() for text in panel if re.search(r"student|technician", text.en, re.I))
    assert not [text for text in panel if "ช่าง" in text.th.replace("นักศึกษาช่าง", "")], panel


def test_the_admins_queue_and_its_notification_name_the_place_alike() -> None:
    """The admin's waiting list (waiting_title, waiting_empty) and its settings label (kind_no_centre) say the same
    place as the no_centre notification that sends the admin there, and as each waiting request's status chip
    (STATUS_LABELS[no_centre]): วิทยาลัย / college (they said ศูนย์ / centre above a chip saying วิทยาลัย / college,
    look22 #6)."""
    title = TEXTS[Kind.NO_CENTRE][0]
    screen = [bilingual(key) for key in ("waiting_title", "waiting_empty", "kind_no_centre")]
    for text in [*screen, title, STATUS_LABELS[RequestStatus.NO_CENTRE]]:
        assert "วิทยาลัย" in text.th and "college" in text.en and "ศูนย์" not in text.th, text
        assert "centre" not in text.en, text


CITIZEN_STATUS_KINDS = {
    Kind.ACCEPTED: RequestStatus.ACCEPTED,
    Kind.READY: RequestStatus.DONE,
    Kind.UNREPAIRABLE: RequestStatus.UNREPAIRABLE,
}


def test_a_citizens_status_reads_alike_in_the_notification_and_on_the_list() -> None:
    """Thai tells the citizen the status's own words in the notification and on the list and timeline
    (ช่างรับงานแล้ว, ซ่อมเสร็จแล้ว); English does too (it said "A technician took your job" / "Repaired" in the
    notification, "Accepted" / "Done" on the list), and so does the notification's settings label (kind_accepted
    said "A student took my request")."""
    differ = {}
    for kind, status in CITIZEN_STATUS_KINDS.items():
        title = TEXTS[kind][0]
        label = STATUS_LABELS[status]
        assert title.th.replace("{ref}", "").strip() == label.th  # Thai: the status's own words
        if title.en.replace("{ref}", "").strip() != label.en:
            differ[kind.value] = (title.en, label.en)
    assert differ == {}
    assert bilingual("kind_accepted") == STATUS_LABELS[RequestStatus.ACCEPTED]


def test_a_network_error_never_calls_the_action_a_request() -> None:
    """request_refused and session_ended name the tap just made ทำรายการ / action, as too_many_requests does:
    everywhere a citizen reads คำขอ / request it is their repair request (ยกเลิกคำขอ, ได้รับคำขอแล้ว), so a refused
    rating read as a refused repair request."""
    as_repair_request = [where for where, text in every_text().items() if "คำขอ" in text.th]
    assert len(as_repair_request) > 30
    assert "ทำรายการ" in error_text("too_many_requests").th  # how the catalog already says "an action"
    for code in ("request_refused", "session_ended"):
        said = error_text(code, status=400)
        assert "คำขอ" not in said.th and "ทำรายการ" in said.th, (code, said.th)
        assert "request" not in said.en.lower(), (code, said.en)


def test_the_collector_sees_the_whole_catalog() -> None:
    # The one-word tests above are only as good as the collector: it must reach every table of texts.
    texts = every_text()
    assert len(texts) > 600
    assert "text.ROLE_LABELS[technician]" in texts and "notifications.INVITED_ROLES[technician]" in texts
    assert "credit.OUTCOME_REASONS[parts_unavailable]" in texts and "work.UNREPAIRABLE_REASONS[no_parts]" in texts
