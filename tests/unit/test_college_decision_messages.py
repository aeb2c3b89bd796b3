"""The messages of a college's decision (migration 0071): a teacher hears what to do; an admin hears it because no
teacher of the college can decide it now, and reads that in their message, in Thai and English."""

from datetime import UTC, datetime

from shared.notifications import AUDIENCE, Kind, link, render
from shared.text import Locale, t

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
COLLEGE = {"college_th": "วิทยาลัยเทคนิคลำพูน", "college_en": "Lamphun Technical College"}


def test_a_teacher_is_told_what_to_do_with_an_unrepairable_item_and_a_suspended_students_job() -> None:
    handback = render(Kind.HANDBACK_WAITING, {"item": "พัดลม", "reason": "no_parts", **COLLEGE}, Locale.TH, NOW,
                      ref_no=690001, request_id="r1")
    assert handback.title == "ซ่อมไม่ได้ รอส่งคืน FX-690001" and handback.link == "/jobs/r1"
    assert handback.body.startswith("พัดลม: ") and "ส่งคืน" in handback.body and "ไม่มีครู" not in handback.body
    held = render(Kind.HOLDER_SUSPENDED, {"item": "fan", "technician": "Ace", **COLLEGE}, Locale.EN, NOW,
                  ref_no=690002, request_id="r2")
    assert held.title == "Student suspended on FX-690002"
    assert held.body == "fan: Ace can no longer work on it; give it to another student or take it back"


def test_an_admin_reads_that_no_teacher_of_the_college_can_decide() -> None:
    params = {"item": "fan", "technician": "Ace", "nobody_at_college": True, **COLLEGE}
    en = render(Kind.QC_WAITING, params, Locale.EN, NOW, ref_no=690003, request_id="r3")
    assert en.body == "fan by Ace (no teacher of Lamphun Technical College can decide it now)"
    th = render(Kind.QC_WAITING, params, Locale.TH, NOW, ref_no=690003, request_id="r3")
    assert th.body.endswith("(ไม่มีครูของวิทยาลัยเทคนิคลำพูนที่ตัดสินใจเรื่องนี้ได้ในตอนนี้)")
    assert link(Kind.QC_WAITING, "r3") == "/jobs/r3"  # an admin's job screen, where they decide it


def test_the_new_kinds_are_a_teachers_and_named_in_the_settings() -> None:
    for kind in (Kind.HANDBACK_WAITING, Kind.HOLDER_SUSPENDED):
        assert AUDIENCE[kind] == "supervisor"
        assert t(f"kind_{kind.value}", Locale.TH) != t("kind_other", Locale.TH, kind=kind.value)
