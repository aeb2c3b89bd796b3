"""The student's home, the teacher's check and the words of ux21's walk through every screen on a 360×640 phone
(/tmp/p21/ux21-findings.md 4, 5, 7, 8 and the smaller things), app side: what each screen puts first and what it
says, driven through the view-models and views without a browser."""

import re
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
import pytest

from mobile.viewmodels.home import IN_HAND_ORDER, TechnicianHome
from mobile.views.credit import college_credit_view
from mobile.views.frame import app_view
from mobile.views.technician import technician_home_view
from shared.notifications import Kind, render
from shared.statuses import CONTACT_OPEN, RequestStatus
from shared.text import Locale, t
from tests.unit.mobile_fakes import NOW, DetailBackend, FakeBackend, find, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, open_detail, signed_in, technician_job
from tests.unit.test_mobile_credit import CreditBackend, lead_and_helper

TH, EN = Locale.TH, Locale.EN


# --- 4: the student's home ------------------------------------------------------------------------------------------

def _job(item: str, status: str, days_ago: int) -> dict[str, Any]:
    return request_summary(item, status, days_ago=days_ago)


async def _student_home(jobs: list[dict[str, Any]]) -> TechnicianHome:
    backend = FakeBackend()
    backend.jobs = jobs
    app = await signed_in("technician", backend)
    assert isinstance(app.home, TechnicianHome)
    return app.home


def test_the_jobs_in_hand_are_those_the_student_keeps_the_owners_contact_for() -> None:
    """The home's "in hand" order names every status in which the job is still theirs (shared CONTACT_OPEN: from
    accepting it until the item is back with its owner), each once: a status added there is placed here too."""
    assert len(IN_HAND_ORDER) == len(set(IN_HAND_ORDER)) and set(IN_HAND_ORDER) == CONTACT_OPEN


async def test_the_students_jobs_in_hand_come_first_those_waiting_for_them_on_top() -> None:
    # As the backend lists them: newest change first (a done job, the newest, used to come first).
    home = await _student_home([
        _job("พัดลม เสร็จแล้ว", "done", 0), _job("วิทยุ คืนแล้ว", "handed_back", 1), _job("เตารีด ซ่อมอยู่", "repairing", 2),
        _job("หม้อหุงข้าว รอครูตรวจ", "quality_check", 3), _job("ทีวี เพิ่งรับ", "accepted", 4),
        _job("ไดร์ ยกเลิก", "cancelled", 5), _job("กาต้มน้ำ ตรวจเช็ก", "diagnosing", 6)])
    assert [j.item for j in home.jobs_in_hand] == ["ทีวี เพิ่งรับ", "กาต้มน้ำ ตรวจเช็ก", "เตารีด ซ่อมอยู่",
                                                  "หม้อหุงข้าว รอครูตรวจ", "พัดลม เสร็จแล้ว"]
    assert [j.item for j in home.jobs_finished] == ["วิทยุ คืนแล้ว", "ไดร์ ยกเลิก"]  # newest change first

    tree = technician_home_view(home, TH)
    shown = texts(tree)
    order = [shown.index(text) for text in (
        t("technician_jobs", TH), "ทีวี เพิ่งรับ", "พัดลม เสร็จแล้ว", t("technician_offers", TH), "ตู้เย็นไม่เย็น",
        t("technician_jobs_finished", TH), "วิทยุ คืนแล้ว", "ไดร์ ยกเลิก")]
    assert order == sorted(order), shown
    # Each card keeps its job's key wherever it shows: one that moves from the hands to the finished keeps its id.
    keys = [c.key for c in find(tree, ft.Control) if isinstance(c.key, str) and c.key.startswith("job-")]
    assert len(keys) == 7 == len(set(keys))
    assert_accessible(tree)


async def test_within_a_stage_the_jobs_they_lead_come_before_those_they_help_on() -> None:
    helping = {**_job("ช่วยซ่อม", "repairing", 0), "helping": True}
    home = await _student_home([helping, _job("ซ่อมเอง", "repairing", 1)])
    assert [j.item for j in home.jobs_in_hand] == ["ซ่อมเอง", "ช่วยซ่อม"]


async def test_a_student_with_only_finished_jobs_reads_that_none_is_in_hand_not_that_they_never_took_one() -> None:
    home = await _student_home([_job("วิทยุ คืนแล้ว", "handed_back", 1)])
    shown = texts(technician_home_view(home, TH))
    assert t("technician_no_jobs_in_hand", TH) in shown and t("technician_empty_jobs", TH) not in shown
    assert shown.index(t("technician_no_jobs_in_hand", TH)) < shown.index(t("technician_offers", TH))
    assert shown.index(t("technician_offers", TH)) < shown.index("วิทยุ คืนแล้ว")

    nothing = await _student_home([])
    shown = texts(technician_home_view(nothing, TH))
    assert t("technician_empty_jobs", TH) in shown and t("technician_jobs_finished", TH) not in shown


# --- 5 and 8: the words -------------------------------------------------------------------------------------------

def test_the_owners_waiting_job_is_called_their_request_as_on_their_home() -> None:
    """The inbox kind of a repair of theirs that waits for a teacher (sent to its owner) calls it what their home
    does: คำขอซ่อมของฉัน / my repair requests, not งานซ่อมของฉัน ("my repair jobs", a student's work)."""
    kind = t("kind_job_waits_for_teacher", TH), t("kind_job_waits_for_teacher", EN)
    assert kind[0].startswith(t("my_repairs_entry", TH)) and kind[1].startswith(t("my_repairs_entry", EN))
    assert t("my_repairs_entry", TH) == t("citizen_home_title", TH)
    assert t("my_repairs_entry_count", TH, count=2) == "คำขอซ่อมของฉัน (2)"


@pytest.mark.parametrize("locale", [TH, EN])
def test_the_technician_accepted_message_starts_with_the_item_as_the_citizens_other_messages_do(
        locale: Locale) -> None:
    # The params as the status trigger writes them (migration 0074: base = {item}, then technician and college).
    params = {"item": "พัดลมตั้งพื้น", "technician": "ณัฐวุฒิ", "college_th": "วิทยาลัยเทคนิคดอนเมือง",
              "college_en": "Donmuang Technical College"}
    said = render(Kind.ACCEPTED, params, locale, NOW, 690018, str(uuid4()))
    college = params["college_th" if locale == TH else "college_en"]
    assert said.body.startswith("พัดลมตั้งพื้น: ณัฐวุฒิ") and college in said.body
    ready = render(Kind.READY, {**params, "place": "centre"}, locale, NOW, 690018, str(uuid4()))
    assert ready.body.startswith("พัดลมตั้งพื้น: ")  # the way every other message to the citizen begins


# --- 7: the teacher's check ---------------------------------------------------------------------------------------

class CheckBackend(CreditBackend):
    """A job in quality_check with what its student did: before and after photos, a report with a part and hours,
    and the team's reported hours on the record."""

    def __init__(self) -> None:
        super().__init__("quality_check")
        self.team = lead_and_helper()
        self.part("คาปาซิเตอร์", "approved", approval="owner_app", qty=1, price_baht=45.0)
        self.job["photos"] = [
            {"id": str(uuid4()), "kind": kind, "idx": 0, "content_type": "image/jpeg", "width": 16, "height": 16,
             "bytes": 10} for kind in ("before", "after")]
        self.job["report"] = {"hours": 2.5, "notes": "เปลี่ยนคาปาซิเตอร์ ทดสอบเปิด 30 นาที",
                              "parts": [{"name": "คาปาซิเตอร์", "qty": 1, "cost_baht": 45.0}],
                              "parts_total_baht": 45.0, "updated_at": NOW.isoformat()}
        self.job["timeline"] = [{"id": 1, "actor": "technician", "actor_name": "มานพ", "from_status": "repairing",
                                 "to_status": "quality_check", "note": "", "created_at": NOW.isoformat()}]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if re.match(r"^/requests/[0-9a-f-]{36}/photos/(before|after)/\d+$", request.url.path):
            self.requests.append(request)
            return httpx.Response(200, content=b"thumb", headers={"content-type": "image/jpeg"})
        return super().handle(request)


async def test_the_teachers_decision_on_a_check_comes_after_what_the_student_did() -> None:
    backend = CheckBackend()
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None and app.record is not None and app.record.record is not None
    tree = app_view(app)
    shown = texts(tree)
    decision = [shown.index(label) for label in (t("steps_title", TH), "ส่งกลับแก้ไข", "อนุมัติ")]
    evidence = [shown.index(text) for text in (
        t("photos_before", TH), t("photos_after", TH), t("report_title", TH), "ทำงาน 2.5 ชั่วโมง",
        "เปลี่ยนคาปาซิเตอร์ ทดสอบเปิด 30 นาที", "คาปาซิเตอร์ × 1 = 45.00 บาท", "มานพ · หัวหน้างาน · 2 ชม.")]
    assert max(evidence) < min(decision), shown
    # Nothing waits between them and the history: the decision closes what the teacher went through.
    assert max(decision) < shown.index(t("timeline_title", TH))
    assert_accessible(tree)

    # Opened ("อนุมัติ"), its panel is where the button was: under the evidence.
    app.job.start_step(RequestStatus.DONE)
    shown = texts(app_view(app))
    assert shown.index(t("step_confirm", TH)) > shown.index("มานพ · หัวหน้างาน · 2 ชม.")


async def test_a_students_steps_stay_above_the_work_they_add_to() -> None:
    """Not a check: the student's "send for the check" is at the top as before, above the photos and report form
    it is about (their screen is where they add them)."""
    _backend, app, job = await technician_job("repairing")
    shown = texts(app_view(app))
    assert shown.index(t("step_quality_check", TH)) < shown.index(t("report_title", TH))
    assert job.is_supervisor is False


# --- smaller things -----------------------------------------------------------------------------------------------

def _with_college(summary: dict[str, Any]) -> dict[str, Any]:
    return {**summary, "college_phone": "+6625551234", "college_lat": 13.91, "college_lon": 100.6}


@pytest.mark.parametrize(("status", "offered"), [("repairing", True), ("done", True), ("unrepairable", True),
                                                 ("cancelled", False), ("handed_back", False)])
async def test_the_college_is_offered_to_call_or_find_while_something_is_left_to_arrange(
        status: str, offered: bool) -> None:
    backend = DetailBackend()
    backend.actions = []
    backend.my_requests = [_with_college(request_summary("หม้อหุงข้าว", status))]
    app, detail = await open_detail(backend)
    assert detail.college_call_url is not None and detail.college_map_url is not None  # the detail has them
    shown = texts(app_view(app))
    assert (t("college_contact_title", TH) in shown) is offered
    assert (t("college_map", TH) in shown) is offered
    assert any(s.startswith("โทรหาวิทยาลัย") for s in shown) is offered


@pytest.mark.parametrize("role", ["supervisor", "technician", "citizen"])
async def test_the_greeting_has_a_line_of_its_own_beside_nothing(role: str) -> None:
    """ux21: "สวัสดี ครูสมศรี รักงาน" wrapped beside the sign-out button on a 360 px phone: the hello has the
    whole width, and sign out sits beside the role and phone lines."""
    backend = FakeBackend()
    backend.display_names[role] = "สมศรี รักงานมากที่สุดในวิทยาลัยเทคนิค"
    app = await signed_in(role, backend)
    home = app.home
    assert home is not None
    tree = app_view(app)
    greeting = home.greeting
    assert greeting in texts(tree)
    beside_sign_out = [row for row in find(tree, ft.Row)
                       if any(b.content == t("sign_out", TH) for b in find(row, ft.TextButton))]
    assert beside_sign_out and all(greeting not in texts(row) for row in beside_sign_out)
    assert all(home.role_text in texts(row) for row in beside_sign_out)


@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_credit_view_says_the_students_listed_have_no_approved_work_this_term(locale: Locale) -> None:
    """The list is of the students with no hours a teacher approved this term (backend/services/credit.py), not of
    students without jobs: one holding three jobs under way is on it, and the heading said "ยังไม่มีงาน"."""
    app = await signed_in("supervisor", CreditBackend(), locale)
    await app.open_college_credit()
    assert app.college_credit is not None
    shown = texts(college_credit_view(app.college_credit, locale))
    heading = t("credit_without_jobs", locale)
    assert heading in shown and shown[shown.index(heading) + 1] == "ดวงใจ"
    assert ("อนุมัติ" in heading and "ภาคเรียนนี้" in heading) if locale == TH else (
        "approved" in heading and "this term" in heading)
