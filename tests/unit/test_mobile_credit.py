"""Issue 14 in the app: the record panel (owner's parts and handover; student's parts, phone approval, outcome,
teacher present, hand back with a code; teacher's reason and approval of hours), the portfolio and the college view.
View-models against the fake backend, views built from their real state."""

import inspect
import json
import re
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
from flet.controls.object_patch import ObjectPatch

from mobile.live import ServerEvent
from mobile.viewmodels.app import COLLEGE_CREDIT_ROUTE, PORTFOLIO_ROUTE, Screen
from mobile.viewmodels.credit import PortfolioViewModel, RecordPanel
from mobile.viewmodels.home import TechnicianHome
from mobile.views.credit import college_credit_view, portfolio_view, record_panel
from mobile.views.frame import app_views
from mobile.views.job import job_view
from shared.credit import HOURS_WAITING_PAGE, PARTS_PER_JOB_MAX, TEAM_MAX
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.statuses import RequestStatus
from shared.text import APP_UI, Locale, error_text, status_label
from tests.unit.mobile_fakes import (
    NOW,
    FakeBackend,
    button_named,
    error_response,
    find,
    paged_response,
    request_summary,
    texts,
)
from tests.unit.mobile_screens import assert_accessible, signed_in

RECORD = re.compile(r"^/requests/([0-9a-f-]{36})(/.*)?$")
LEAD, HELPER, TEACHER = uuid4(), uuid4(), uuid4()


class CreditBackend(FakeBackend):
    def __init__(self, status: str = "done", category: str = "appliance") -> None:
        super().__init__()
        self.job = {**request_summary("พัดลม", status), "category_code": category, "timeline": [], "photos": [],
                    "report": None}
        self.parts: list[dict[str, Any]] = []
        self.handover: dict[str, Any] | None = None
        self.team: list[dict[str, Any]] = []
        self.outcome: dict[str, Any] | None = None
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.proposals = [{"id": str(uuid4()), "technician_id": str(LEAD), "display_name": "มานพ",
                           "skill_code": "electrical", "from_level": 2, "to_level": 3, "jobs": 3,
                           "status": "proposed", "created_at": NOW.isoformat()}]
        self.team_jobs: list[dict[str, Any]] = []
        self.levels: list[dict[str, Any]] = []
        self.round, self.earlier_hours = 1, 0.0
        self.hours_waiting: list[dict[str, Any]] = []  # GET /supervisor/hours-waiting
        self.refuse_waiting: str | None = None  # the code an approval of a waiting round is refused with
        self.refuse_my_hours: str | None = None  # the code a helper's own hours are refused with (PUT .../team/me)
        self.network_down = self.lose_next_answer = False  # for /parts

    def part(self, name: str, status: str = "proposed", **extra: Any) -> dict[str, Any]:
        part = {"id": str(uuid4()), "name": name, "qty": 2, "price_baht": 35.0, "status": status,
                "approval": None, "approval_note": "", "proposed_at": NOW.isoformat(), **extra}
        self.parts.append(part)
        return part

    def record(self) -> dict[str, Any]:
        total = sum(p["qty"] * p["price_baht"] for p in self.parts if p["status"] == "approved")
        return {"request_id": self.job["id"], "safety_level_needed": 1, "outcome": self.outcome, "parts": self.parts,
                "parts_approved_total_baht": total, "handover": self.handover, "team": self.team,
                "kg_diverted": 0, "kg_co2e_avoided": 0, "round": self.round,
                "earlier_rounds_hours": self.earlier_hours}

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else {}
        if path == "/college/teachers":
            self.requests.append(request)
            return httpx.Response(200, json=[{"id": str(TEACHER), "display_name": "ครูสมศรี"}])
        if path == "/college/students":
            self.requests.append(request)
            return httpx.Response(200, json=[{"id": str(HELPER), "display_name": "ดวงใจ"}])
        if path == "/me/team-jobs":
            self.requests.append(request)
            return paged_response(request, self.team_jobs)
        if path.startswith("/technicians/") and path.endswith("/levels"):
            self.requests.append(request)
            return httpx.Response(200, json=self.levels)
        if path.endswith("/team/me") and method == "PUT":
            self.requests.append(request)
            self.bodies.append(("/team/me", body))
            job = next(j for j in self.team_jobs if path == f"/requests/{j['request_id']}/team/me")
            if self.refuse_my_hours:
                return error_response(409, self.refuse_my_hours, request_status=RequestStatus(job["status"]))
            job["hours"], job["task"] = body["hours"], body.get("task", job["task"])
            return httpx.Response(204)
        if path.startswith("/portfolio/"):
            self.requests.append(request)
            if path.endswith("/pdf"):
                return httpx.Response(200, content=b"%PDF-1.4 fake", headers={
                    "content-type": "application/pdf", "x-verification-code": "ABCDEFGH23",
                    "content-disposition": 'attachment; filename="portfolio-2569-2-ABCDEFGH23.pdf"'})
            return httpx.Response(200, json={
                "technician_id": path.split("/")[2], "display_name": "มานพ ขยัน", "college_th": "วท.", "college_en": "C",
                "term": request.url.params.get("term") or "2569-2", "job_count": 1, "hours": 2.0, "outcomes": {},
                "jobs": [{"request_id": self.job["id"], "ref_no": 690001, "category_code": "appliance",
                          "category_th": "เครื่องใช้ไฟฟ้า", "category_en": "Appliances", "item": "พัดลม",
                          "outcome": "fixed", "role": "helper", "hours": 2.0, "approved_at": NOW.isoformat(),
                          "approved_by": "ครูสมศรี", "photos": [], "round": n}
                         for n in range(1, self.round + 1)]})
        if path == "/supervisor/credit":
            self.requests.append(request)
            return httpx.Response(200, json={
                "term": "2569-2", "hours_target": 40, "progression_jobs": 3,
                "students": [{"id": str(LEAD), "display_name": "มานพ", "is_active": True, "hours": 12.5, "jobs": 4,
                              "target": 40, "meets_target": False}],
                "students_without_jobs": [{"id": str(HELPER), "display_name": "ดวงใจ"}],
                "skills_lacking": [{"category_code": "appliance", "requests": 5,
                                    "skills": [{"skill_code": "electrical", "level": 3}]}],
                "environment": None})
        if path == "/supervisor/hours-waiting":  # the rounds after `after_ref`/`after_round` (all without), oldest
            self.requests.append(request)   # job first: a page of them, and how many there are in the header
            params = request.url.params
            after = (int(params["after_ref"]), int(params["after_round"])) if "after_ref" in params else None
            onward = sorted((w for w in self.hours_waiting if after is None or (w["ref_no"], w["round"]) > after),
                            key=lambda w: (w["ref_no"], w["round"]))
            limit = int(params.get("limit", str(HOURS_WAITING_PAGE)))
            assert 1 <= limit <= HOURS_WAITING_PAGE, limit  # the backend's bound (422 beyond)
            return httpx.Response(200, json=onward[:limit],
                                  headers={TOTAL_COUNT_HEADER: str(len(onward))})
        waiting = next((w for w in self.hours_waiting
                        if path == f"/requests/{w['request_id']}/credit/approve" and method == "POST"
                        and request.url.params.get("round") == str(w["round"])), None)
        if waiting is not None:
            self.requests.append(request)
            self.bodies.append((path, body))
            if self.refuse_waiting:
                return error_response(409, self.refuse_waiting)
            self.hours_waiting.remove(waiting)
            return httpx.Response(200, json=[{**m, "approved_hours": m["hours"], "approved_at": NOW.isoformat()}
                                             for m in waiting["team"]])
        if path == "/supervisor/credit-settings":
            self.requests.append(request)
            return httpx.Response(200, json=body)
        if path == "/supervisor/skill-proposals":
            self.requests.append(request)
            return httpx.Response(200, json=self.proposals)
        if path.startswith("/supervisor/skill-proposals/"):
            self.requests.append(request)
            self.bodies.append((path, body))
            self.proposals[0]["status"] = "confirmed" if body["confirm"] else "declined"
            return httpx.Response(200, json={"id": self.proposals[0]["id"], "status": self.proposals[0]["status"]})
        match = RECORD.match(path)
        if match is None or match.group(1) != self.job["id"]:
            return super().handle(request)
        self.requests.append(request)
        rest = match.group(2) or ""
        if method != "GET":
            self.bodies.append((rest, body))
        if rest == "":
            return httpx.Response(200, json=self.job)
        if rest == "/record":
            return httpx.Response(200, json=self.record())
        if rest.endswith("/decision") or rest.endswith("/phone-approval"):
            part = next(p for p in self.parts if rest.startswith(f"/parts/{p['id']}"))
            part["status"] = "approved" if body["approve"] else "declined"
            part["approval"] = "phone" if rest.endswith("phone-approval") else "owner_app"
            part["approval_note"] = body.get("note", "")
            return httpx.Response(200, json=part)
        if rest == "/parts":  # as the backend: a key seen before answers the part it proposed
            if self.network_down:
                raise httpx.ConnectError("connection refused", request=request)
            key = body.get("idempotency_key")
            known = next((p for p in self.parts if key is not None and p.get("key") == key), None)
            answer = httpx.Response(201, json=known or self.part(body["name"], qty=body["qty"],
                                                                 price_baht=body["price_baht"], key=key))
            if self.lose_next_answer:  # stored, but the answer never reaches the phone
                self.lose_next_answer = False
                raise httpx.ReadError("connection reset", request=request)
            return answer
        if rest == "/handover/confirm":
            self.handover = {"method": "owner_app", "reason": "", "confirmed_at": NOW.isoformat()}
            return httpx.Response(204)
        if rest == "/handover-code":
            return httpx.Response(200, json={"code": "482913"})
        if rest == "/outcome":
            self.outcome = {**body, "recorded_at": NOW.isoformat()}
            return httpx.Response(200, json=self.outcome)
        if rest == "/status":
            if body["to_status"] == "handed_back" and self.handover is None and not (
                    body.get("handover_code") or body.get("note")):
                return error_response(409, "handover_unconfirmed")
            self.job["status"] = body["to_status"]
            return httpx.Response(200, json=self.job)
        if rest == "/team":
            self.team.append({"technician_id": body["technician_id"], "display_name": "ดวงใจ", "role": "helper",
                              "task": body["task"], "hours": None, "approved_hours": None, "approved_at": None})
            return httpx.Response(204)
        if rest == "/credit/approve":
            for member in self.team:
                member["approved_hours"] = body["hours"].get(member["technician_id"], member["hours"])
                member["approved_at"] = NOW.isoformat()
            return httpx.Response(200, json=self.team)
        return error_response(404, "not_found")


def button(tree: ft.Control, name: str) -> Any:
    return button_named(tree, name)


async def click(tree: ft.Control, name: str) -> None:
    """Tap a button as Flet does: the event goes to a handler that takes one, none to one that does not."""
    handler = button(tree, name).on_click
    result = handler(None) if inspect.signature(handler).parameters else handler()
    if inspect.isawaitable(result):
        await result


def panel_tree(panel: RecordPanel, locale: Locale = Locale.TH) -> ft.Control:
    tree = ft.Column(record_panel(panel, locale))
    assert_accessible(tree)
    return tree


def sent(backend: CreditBackend, rest: str) -> list[dict[str, Any]]:
    return [body for path, body in backend.bodies if path == rest]


async def test_the_owner_approves_a_part_and_confirms_the_handover() -> None:
    backend = CreditBackend("done")
    waiting = backend.part("คาปาซิเตอร์")
    backend.part("ฟิวส์", "approved", approval="phone", approval_note="โทรคุยกับเจ้าของ", qty=1, price_baht=10.0)
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.screen == Screen.REQUEST_DETAIL and vm.record is not None
    shown = texts(panel_tree(vm.record))
    assert "อะไหล่ที่รอคุณอนุมัติ" in shown and "คาปาซิเตอร์ × 2 = 70.00 บาท" in shown
    assert "ค่าอะไหล่ที่อนุมัติแล้ว 10.00 บาท" in shown

    await click(panel_tree(vm.record), "อนุมัติ")  # a final answer about money: asked first (fixtaps16)
    assert "อนุมัติ คาปาซิเตอร์ รวม 70.00 บาท ใช่ไหม" in texts(panel_tree(vm.record))
    assert not sent(backend, f"/parts/{waiting['id']}/decision")
    await click(panel_tree(vm.record), "ยืนยันอนุมัติ")
    assert sent(backend, f"/parts/{waiting['id']}/decision") == [{"approve": True}]
    shown = texts(panel_tree(vm.record))
    assert "อนุมัติอะไหล่ คาปาซิเตอร์ แล้ว" in shown and "ค่าอะไหล่ที่อนุมัติแล้ว 80.00 บาท" in shown

    await click(panel_tree(vm.record), "ขอรหัสคืนของ")
    assert "482913" in texts(panel_tree(vm.record))
    await click(panel_tree(vm.record), "ได้รับของคืนแล้ว")  # recorded for good: asked first (fixtaps16)
    assert not backend.calls("POST", f"/requests/{backend.job['id']}/handover/confirm")
    await click(panel_tree(vm.record), "ใช่ ได้รับของแล้ว")
    assert backend.calls("POST", f"/requests/{backend.job['id']}/handover/confirm")
    shown = texts(panel_tree(vm.record))
    assert "ยืนยันรับของคืนแล้ว" in shown and "ได้รับของคืนแล้ว" not in shown
    assert "Handover confirmed" in texts(panel_tree(vm.record, Locale.EN))


async def test_no_handover_button_before_the_job_is_ready() -> None:
    backend = CreditBackend("repairing")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.record is not None and not vm.record.can_confirm_handover
    assert "ได้รับของคืนแล้ว" not in texts(panel_tree(vm.record))


async def test_the_student_proposes_parts_records_a_phone_approval_and_the_outcome() -> None:
    backend = CreditBackend("repairing")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.can_edit_parts and panel.presence_steps == []
    await panel.propose_part("ฟิวส์ 5A", "abc", "10")  # the fields as they read at the tap
    assert panel.action_error == "ข้อมูลอะไหล่ไม่ถูกต้อง (ชื่อ จำนวน และราคา)" and not sent(backend, "/parts")
    await panel.propose_part("ฟิวส์ 5A", "2", "1,250.50")
    proposed = sent(backend, "/parts")
    assert [{k: v for k, v in b.items() if k != "idempotency_key"} for b in proposed] == [
        {"name": "ฟิวส์ 5A", "qty": 2, "price_baht": 1250.5}]
    assert UUID(proposed[0]["idempotency_key"])
    assert "เสนออะไหล่ ฟิวส์ 5A แล้ว รอเจ้าของอนุมัติ" in texts(panel_tree(panel))
    part_id = UUID(backend.parts[0]["id"])
    await panel.record_phone_approval(part_id, "ok")
    assert panel.action_error and "ใครอนุมัติ" in panel.action_error
    await panel.record_phone_approval(part_id, "คุณสมชายอนุมัติทางโทรศัพท์ 10:30")
    assert sent(backend, f"/parts/{part_id}/phone-approval") == [
        {"approve": True, "note": "คุณสมชายอนุมัติทางโทรศัพท์ 10:30"}]
    assert "อนุมัติทางโทรศัพท์: คุณสมชายอนุมัติทางโทรศัพท์ 10:30" in texts(panel_tree(panel))

    panel.set_outcome("not_repaired")
    assert panel.outcome_needs_reason
    await panel.save_outcome("")
    assert panel.action_error == "กรุณาเลือกเหตุผลที่ไม่ได้ซ่อม" and not sent(backend, "/outcome")
    panel.set_outcome("fixed")
    await panel.save_outcome("มอเตอร์ไหม้")
    assert sent(backend, "/outcome") == [{"outcome": "fixed", "reason": None, "fault_found": "มอเตอร์ไหม้"}]


async def test_the_app_stops_a_part_past_the_jobs_limit_before_sending_it() -> None:
    """audit18d: the app sent a 31st part for the server to refuse; it now says the limit (PARTS_PER_JOB_MAX) at the
    tap, declined parts counted as the server counts them, and the typed part stays for the student."""
    backend = CreditBackend("repairing")
    for n in range(PARTS_PER_JOB_MAX):
        backend.part(f"ฟิวส์ {n}", "declined" if n % 2 else "proposed")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and len(panel.parts) == PARTS_PER_JOB_MAX
    await panel.propose_part("ฟิวส์ 5A", "2", "15")
    assert not sent(backend, "/parts")
    assert panel.action_error == error_text("parts_too_many").th and str(PARTS_PER_JOB_MAX) in panel.action_error
    assert panel.part_name == "ฟิวส์ 5A"


async def test_a_high_risk_step_names_the_teacher_present() -> None:
    backend = CreditBackend("accepted", category="air_conditioning")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and [s.value for s in panel.presence_steps] == ["diagnosing"]
    tree = panel_tree(panel)
    assert "งานความเสี่ยงสูง: ครูที่อยู่ควบคุม" in texts(tree)
    # The only teacher of the college is picked already; the step carries their id.
    assert panel.teacher_id == TEACHER
    await click(tree, f"ไปขั้นตอน: {status_label(RequestStatus.DIAGNOSING, Locale.TH)}")
    assert sent(backend, "/status") == [{"to_status": "diagnosing", "note": "", "teacher_present_id": str(TEACHER)}]


async def test_a_high_risk_job_whose_college_has_no_teacher_says_why_instead_of_a_step() -> None:
    """stranded19: the detail says no teacher of the college can be present now (`teacher_needed`, as the backend
    judges it): the student is told why and offered no step the backend would refuse (409
    teacher_presence_required); the teacher or admin on the job screen reads the staff's words."""
    backend = CreditBackend("accepted", category="air_conditioning")
    backend.job["teacher_needed"] = True
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel, job = vm.record, vm.job
    assert panel is not None and job is not None and panel.presence_steps == []
    shown = texts(job_view(job, Locale.TH, record=panel))
    assert APP_UI["teacher_needed_student"].th in shown
    assert not [s for s in shown if s.startswith("ไปขั้นตอน:")]
    staff = await signed_in("supervisor", backend)
    await staff.open_job(UUID(backend.job["id"]))
    assert staff.job is not None and APP_UI["teacher_needed_staff"].th in texts(job_view(staff.job, Locale.TH))


async def test_hand_back_needs_the_owners_code_or_the_teachers_reason() -> None:
    backend = CreditBackend("done")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.can_hand_back
    assert [f.label for f in _fields(panel_tree(panel))] == ["รหัสคืนของจากเจ้าของ (6 หลัก)"]  # no reason
    await panel.hand_back("", "")  # the server says what is missing (the owner may have confirmed meanwhile)
    assert panel.action_error and panel.action_error.startswith("ยังคืนของไม่ได้") and panel.status == "done"
    await panel.hand_back("12ab", None)
    assert panel.action_error == "รหัสคืนของไม่ถูกต้อง" and len(sent(backend, "/status")) == 1
    await panel.hand_back("482913", "ignored for a student")
    assert sent(backend, "/status")[1:] == [{"to_status": "handed_back", "note": "", "handover_code": "482913"}]
    assert "คืนของให้เจ้าของแล้ว" in texts(panel_tree(panel))

    # The teacher's hand back is the job's own step: without the owner's confirmation its note is the reason.
    backend = CreditBackend("unrepairable")
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    assert vm.record is not None and not vm.record.can_hand_back and vm.job is not None
    (step,) = vm.job.steps
    assert step.to_status == RequestStatus.HANDED_BACK and step.note_label is not None
    vm.job.start_step(step.to_status)
    assert "เหตุผลที่ไม่มีการยืนยันจากเจ้าของ (ครู)" in [f.label for f in _fields(job_view(vm.job, Locale.TH))]
    await vm.job.confirm_step()  # the server says what is missing
    assert vm.job.step_error and vm.job.step_error.startswith("ยังคืนของไม่ได้") and vm.job.status == "unrepairable"
    vm.job.set_note("เจ้าของมารับเองที่ศูนย์ ไม่มีโทรศัพท์")
    await vm.job.confirm_step()
    assert sent(backend, "/status")[-1] == {"to_status": "handed_back", "note": "เจ้าของมารับเองที่ศูนย์ ไม่มีโทรศัพท์"}
    assert vm.job.status == "handed_back"
    backend.job.update(status="done", handover_confirmed=True)  # confirmed by the owner: the usual note
    await vm.job.load()
    assert [(s.to_status, s.note_label) for s in vm.job.steps] == [(RequestStatus.HANDED_BACK, None)]


def _fields(tree: ft.Control) -> list[ft.TextField]:
    return find(tree, ft.TextField)


def lead_and_helper(*, lead_hours: float | None = 2.0, helper_hours: float | None = 1.0,
                    helper_task: str = "ทดสอบ") -> list[dict[str, Any]]:
    """A two-person team as GET .../record sends it: the lead มานพ and the helper ดวงใจ with the hours they
    reported, none approved yet."""
    return [
        {"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": lead_hours,
         "approved_hours": None, "approved_at": None},
        {"technician_id": str(HELPER), "display_name": "ดวงใจ", "role": "helper", "task": helper_task,
         "hours": helper_hours, "approved_hours": None, "approved_at": None},
    ]


async def helping_on_a_repair(task: str) -> tuple[CreditBackend, dict[str, Any], PortfolioViewModel]:
    """A student at their portfolio, helping มานพ on a job under repair (`task`) as GET /me/team-jobs lists it,
    their hours not yet reported: (the backend, the listed job, the portfolio)."""
    backend = CreditBackend("repairing")
    job: dict[str, Any] = {
        "request_id": backend.job["id"], "ref_no": 690001, "item": "พัดลม", "status": "repairing",
        "category_code": "appliance", "category_th": "เครื่องใช้ไฟฟ้า", "category_en": "Appliances",
        "lead_name": "มานพ", "task": task, "hours": None, "approved_hours": None, "approved_at": None, "round": 1}
    backend.team_jobs = [job]
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.portfolio is not None
    return backend, job, vm.portfolio


async def teacher_at_the_teams_hours(team: list[dict[str, Any]] | None = None
                                     ) -> tuple[CreditBackend, RecordPanel]:
    """A teacher at a done job's record panel, its team's hours (`team`, else lead_and_helper()'s) to approve."""
    backend = CreditBackend("done")
    backend.team = lead_and_helper() if team is None else team
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.can_approve_hours
    return backend, panel


async def test_the_teacher_approves_the_teams_hours_with_a_correction() -> None:
    backend, panel = await teacher_at_the_teams_hours()
    shown = texts(panel_tree(panel))
    assert "มานพ · หัวหน้างาน · 2 ชม." in shown and "ดวงใจ · ผู้ช่วย · 1 ชม." in shown
    await panel.approve_hours({HELPER: "0.75", LEAD: "2"})
    assert sent(backend, "/credit/approve") == [{"hours": {str(HELPER): 0.75, str(LEAD): 2.0}}]
    assert "ดวงใจ · ผู้ช่วย · อนุมัติ 0.75 ชม." in texts(panel_tree(panel)) and not panel.can_approve_hours
    await panel.approve_hours({HELPER: "x"})
    assert panel.action_error == "กรุณากรอกตัวเลข"


async def test_the_teacher_leaves_a_helper_who_did_nothing_uncredited_with_0() -> None:
    """audit13 finding 3 in the app: a helper's field says 0 means "not credited", and 0 is sent (it was refused as
    no number at all); the lead's 0 is refused on the screen with the backend's own text, nothing sent."""
    backend, panel = await teacher_at_the_teams_hours(lead_and_helper(helper_hours=None, helper_task=""))
    labels = [f.label for f in _fields(panel_tree(panel))]
    assert "ชั่วโมงของ ดวงใจ (ใส่ 0 = ไม่นับ ไม่ได้ช่วยงานนี้)" in labels and "ชั่วโมงของ มานพ" in labels
    await panel.approve_hours({LEAD: "0"})
    assert panel.action_error == "ชั่วโมงของหัวหน้างานต้องมากกว่า 0 (ใส่ 0 ได้เฉพาะผู้ช่วยที่ไม่ได้ช่วยงานนี้)"
    assert sent(backend, "/credit/approve") == []
    await panel.approve_hours({LEAD: "2", HELPER: "0"})
    assert sent(backend, "/credit/approve") == [{"hours": {str(LEAD): 2.0, str(HELPER): 0.0}}]


async def test_the_teacher_is_not_offered_another_students_report_as_the_leads_hours() -> None:
    """audit13 finding 1 in the app: a job given to another student may still carry the former student's report.
    The backend's record says the new lead reported nothing; the teacher's field must not fill in the report's
    hours (an approval would send them as the lead's)."""
    backend = CreditBackend("done")
    backend.job["report"] = {"hours": 1.5, "notes": "งานของนักศึกษาคนก่อน", "parts": [], "parts_total_baht": 0}
    backend.team = lead_and_helper(lead_hours=None, helper_hours=1.5, helper_task="")
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.reported_hours(_lead(panel)) is None
    assert "มานพ · หัวหน้างาน · ยังไม่รายงาน" in texts(panel_tree(panel))
    lead_field = next(f for f in _fields(panel_tree(panel)) if f.label == "ชั่วโมงของ มานพ")
    assert not lead_field.value


async def test_the_portfolio_shows_the_terms_jobs_and_saves_the_pdf() -> None:
    backend = CreditBackend("done")
    saved: list[tuple[str, bytes]] = []

    async def save(name: str, data: bytes) -> bool:
        saved.append((name, data))
        return True

    vm = await signed_in("technician", backend)
    vm._save_file = save
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.screen == Screen.PORTFOLIO and vm.route == PORTFOLIO_ROUTE and vm.portfolio is not None
    tree = portfolio_view(vm.portfolio, Locale.TH)
    assert_accessible(tree)
    shown = texts(tree)
    assert "แฟ้มผลงาน" in shown and "ผู้ช่วย · 2 ชม. · ซ่อมได้" in shown
    assert "ครูผู้อนุมัติ: ครูสมศรี" in shown
    await vm.portfolio.show_term("2569")
    assert vm.portfolio.notice == "ภาคเรียนต้องเขียนแบบ 2569-1"
    await vm.portfolio.show_term("2569-1")
    asked = [r for r in backend.requests if r.url.path.startswith("/portfolio/")]
    assert asked[-1].url.params["term"] == "2569-1"
    await click(portfolio_view(vm.portfolio, Locale.TH), "ดาวน์โหลด PDF")
    assert saved == [("portfolio-2569-2-ABCDEFGH23.pdf", b"%PDF-1.4 fake")]
    assert vm.portfolio.notice == "บันทึก portfolio-2569-2-ABCDEFGH23.pdf แล้ว รหัสตรวจสอบ ABCDEFGH23"


async def test_a_term_with_no_approved_job_offers_no_pdf() -> None:
    """Nothing to print or verify (the backend answers 409 portfolio_empty and stores no code): no PDF button, the
    screen says why."""
    backend = CreditBackend("done")
    backend.round = 0  # no approved round: the term's portfolio is empty
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.portfolio is not None and vm.portfolio.portfolio is not None and not vm.portfolio.portfolio.jobs
    shown = texts(portfolio_view(vm.portfolio, Locale.TH))
    assert "ยังไม่มีงานที่ครูอนุมัติในภาคเรียนนี้" in shown and "ดาวน์โหลด PDF" not in shown


async def test_the_college_view_and_a_level_up_proposal() -> None:
    backend = CreditBackend("done")
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    assert vm.screen == Screen.COLLEGE_CREDIT and vm.college_credit is not None
    tree = college_credit_view(vm.college_credit, Locale.TH)
    assert_accessible(tree)
    shown = texts(tree)
    assert "มานพ: 12.5/40 ชม. (4 งาน) · ยังไม่ครบเป้า" in shown
    assert "ดวงใจ" in shown and any(s.startswith("เครื่องใช้ไฟฟ้า (5 งาน)") for s in shown)
    assert any("ระดับ 2 → 3 (3 งาน)" in s for s in shown)
    await click(tree, "ยืนยัน")
    assert backend.bodies[-1][1] == {"confirm": True}
    assert vm.college_credit.notice == "เลื่อนระดับแล้ว" and vm.college_credit.proposals == []
    assert "ไม่มีข้อเสนอรอพิจารณา" in texts(college_credit_view(vm.college_credit, Locale.TH))
    assert (vm.college_credit.jobs_input, vm.college_credit.target_input) == ("3", "40")
    await vm.college_credit.save_settings("0", "40")
    assert vm.college_credit.notice == "จำนวนงานสำหรับเลื่อนระดับต้องเป็น 1–50"
    assert not backend.calls("PUT", "/supervisor/credit-settings")
    await vm.college_credit.save_settings("2", "60.5")
    assert [json.loads(r.content) for r in backend.calls("PUT", "/supervisor/credit-settings")] == [
        {"progression_jobs": 2, "hours_target": 60.5}]
    assert vm.college_credit.notice == "บันทึกเกณฑ์แล้ว"


async def test_a_student_has_no_college_view_and_a_citizen_no_portfolio() -> None:
    backend = CreditBackend()
    vm = await signed_in("technician", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    assert vm.screen == Screen.HOME
    vm = await signed_in("citizen", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.screen == Screen.HOME


async def test_the_homes_lead_to_the_portfolio_and_the_college_view() -> None:
    backend = CreditBackend()
    vm = await signed_in("technician", backend)
    views = app_views(vm)
    assert_accessible(views[0])
    await click(views[0], "แฟ้มผลงานของฉัน")
    assert vm.screen == Screen.PORTFOLIO
    assert "แฟ้มผลงาน" in texts(app_views(vm)[-1])
    vm = await signed_in("supervisor", backend)
    await click(app_views(vm)[0], "ชั่วโมงฝึกและการเลื่อนระดับ")
    assert vm.screen == Screen.COLLEGE_CREDIT
    assert "ข้อเสนอเลื่อนระดับ" in texts(app_views(vm)[-1])
    vm = await signed_in("citizen", backend)
    assert "แฟ้มผลงานของฉัน" not in texts(app_views(vm)[0])


async def test_the_teacher_adds_a_helper_from_the_colleges_students() -> None:
    backend = CreditBackend("repairing")
    lead_id, helper_id = str(uuid4()), str(uuid4())
    backend.job["technician_id"] = lead_id

    def students(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[
            {"id": lead_id, "display_name": "มานพ", "is_active": True, "open_jobs": 1, "skills": {}},
            {"id": helper_id, "display_name": "ดวงใจ", "is_active": True, "open_jobs": 0, "skills": {}},
            {"id": str(uuid4()), "display_name": "พักอยู่", "is_active": False, "open_jobs": 0, "skills": {}}])

    backend.overrides[("GET", "/supervisor/technicians")] = students
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.can_add_helper
    assert [s.display_name for s in panel.helper_choices] == ["ดวงใจ"]  # not the lead, not an inactive student
    assert "นักศึกษาผู้ช่วย" not in [d.label for d in find(panel_tree(panel), ft.Dropdown)]  # until asked for
    await click(panel_tree(panel), "เพิ่มผู้ช่วย")
    panel.pick_helper(helper_id)
    panel.set_helper_task("ทดสอบวงจร")
    await click(panel_tree(panel), "เพิ่มเป็นผู้ช่วย")
    assert sent(backend, "/team") == [{"technician_id": helper_id, "task": "ทดสอบวงจร"}]
    shown = texts(panel_tree(panel))
    assert "เพิ่ม ดวงใจ เป็นผู้ช่วยแล้ว" in shown and "ดวงใจ · ผู้ช่วย · ยังไม่รายงาน" in shown
    assert panel.helper_choices == []


async def test_helpers_who_left_with_a_former_lead_leave_room_on_the_team_and_may_be_added_again() -> None:
    """The backend's team counts who is on it (not `handed_on`: gone with a lead the job was taken from, their row
    kept for the hours): TEAM_MAX rows of whom most left is not a full team, and one who left is a choice again."""
    backend = CreditBackend("repairing")
    lead_id, left_id = str(uuid4()), str(uuid4())
    backend.job["technician_id"] = lead_id

    def member(who: str, name: str, role: str = "helper", handed_on: bool = False) -> dict[str, Any]:
        return {"technician_id": who, "display_name": name, "role": role, "task": "", "hours": None,
                "handed_on": handed_on}

    backend.team = [member(lead_id, "มานพ", "lead"), member(left_id, "ดวงใจ", handed_on=True),
                    *(member(str(uuid4()), f"เก่า {n}", handed_on=True) for n in range(TEAM_MAX - 2))]

    def students(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[
            {"id": lead_id, "display_name": "มานพ", "is_active": True, "open_jobs": 1, "skills": {}},
            {"id": left_id, "display_name": "ดวงใจ", "is_active": True, "open_jobs": 0, "skills": {}}])

    backend.overrides[("GET", "/supervisor/technicians")] = students
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.record is not None and len(panel.record.team) == TEAM_MAX
    assert panel.can_add_helper and [s.display_name for s in panel.helper_choices] == ["ดวงใจ"]
    assert "เพิ่มผู้ช่วย" in texts(panel_tree(panel))

    # TEAM_MAX on it: full, whoever else left.
    backend.team = [member(lead_id, "มานพ", "lead"), member(left_id, "ดวงใจ", handed_on=True),
                    *(member(str(uuid4()), f"ใหม่ {n}") for n in range(TEAM_MAX - 1))]
    await panel.load()
    assert not panel.can_add_helper and "เพิ่มผู้ช่วย" not in texts(panel_tree(panel))


async def test_the_lead_student_adds_a_helper_from_the_colleges_students() -> None:
    backend = CreditBackend("repairing")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.can_add_helper
    assert backend.calls("GET", "/college/students") and not backend.calls("GET", "/supervisor/technicians")
    await click(panel_tree(panel), "เพิ่มผู้ช่วย")
    panel.pick_helper(str(HELPER))
    await click(panel_tree(panel), "เพิ่มเป็นผู้ช่วย")
    assert sent(backend, "/team") == [{"technician_id": str(HELPER), "task": ""}]
    assert "ดวงใจ · ผู้ช่วย · ยังไม่รายงาน" in texts(panel_tree(panel))


async def test_a_helper_reports_their_own_hours_on_their_page() -> None:
    backend, job, folio = await helping_on_a_repair("ทดสอบวงจร")
    tree = portfolio_view(folio, Locale.TH)
    assert_accessible(tree)
    assert "งานที่ฉันเป็นผู้ช่วย" in texts(tree) and "หัวหน้างาน: มานพ · กำลังซ่อม" in texts(tree)
    await folio.save_my_hours(UUID(job["request_id"]), "abc", None)
    assert folio.notice == "กรุณากรอกตัวเลข" and not sent(backend, "/team/me")
    await folio.save_my_hours(UUID(job["request_id"]), "1.5", "ทดสอบวงจรและเปลี่ยนสาย")
    assert sent(backend, "/team/me") == [{"hours": 1.5, "task": "ทดสอบวงจรและเปลี่ยนสาย"}]
    assert folio.notice == "บันทึกชั่วโมงของคุณแล้ว รอครูอนุมัติ"
    assert folio.hours_input(folio.team_jobs[0]) == "1.5"  # reloaded from the backend
    job["approved_hours"], job["approved_at"] = 1.5, NOW.isoformat()
    await folio.load()
    shown = texts(portfolio_view(folio, Locale.TH))
    assert "ครูอนุมัติ 1.5 ชม. แล้ว" in shown and "บันทึกชั่วโมงของฉัน" not in shown


async def test_a_helper_is_offered_the_hours_form_only_where_the_backend_takes_the_hours() -> None:
    """A helper who left the team (`handed_on`), or of a job that takes no hours (out on offer again), is shown why
    and what they reported, with no form; the form of a job on which the backend refuses anyway (the helper left
    while the page was open) shows the backend's words."""
    backend = CreditBackend("repairing")
    fields: dict[str, Any] = {
        "ref_no": 690001, "item": "พัดลม", "category_code": "appliance", "category_th": "เครื่องใช้ไฟฟ้า",
        "category_en": "Appliances", "lead_name": "มานพ", "task": "ถอดฝา", "approved_hours": None, "approved_at": None,
        "round": 1}
    left = {**fields, "request_id": str(uuid4()), "status": "repairing", "hours": 1.0, "handed_on": True}
    offered = {**fields, "request_id": str(uuid4()), "status": "offered", "hours": None, "handed_on": False}
    on_team = {**fields, "request_id": str(uuid4()), "status": "quality_check", "hours": None, "handed_on": False}
    backend.team_jobs = [left, offered, on_team]
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    folio = vm.portfolio
    assert folio is not None
    tree = portfolio_view(folio, Locale.TH)
    assert_accessible(tree)
    shown = texts(tree)
    assert "ชั่วโมงที่รายงานไว้ 1 ชม." in shown
    assert error_text("team_handed_on").th in shown
    assert error_text("team_hours_closed", request_status=RequestStatus.OFFERED).th in shown
    assert texts(tree).count("บันทึกชั่วโมงของฉัน") == 1  # the form of the job still on the team alone
    assert error_text("team_hours_closed", request_status=RequestStatus.OFFERED).en \
        == 'This job is at "Finding a technician": no hours can be reported on it'
    assert error_text("team_hours_closed", request_status=RequestStatus.OFFERED).en \
        in texts(portfolio_view(folio, Locale.EN))
    await folio.save_my_hours(UUID(left["request_id"]), "2", None)
    assert not sent(backend, "/team/me") and folio.notice == error_text("team_handed_on").th

    # The helper left the team while the page was open: the backend's words, and the page as it is now.
    backend.refuse_my_hours = "team_handed_on"
    on_team["handed_on"] = True
    await folio.save_my_hours(UUID(on_team["request_id"]), "2", None)
    assert sent(backend, "/team/me") == [{"hours": 2.0, "task": "ถอดฝา"}]
    assert folio.notice == error_text("team_handed_on").th
    shown = texts(portfolio_view(folio, Locale.TH))
    assert "บันทึกชั่วโมงของฉัน" not in shown and folio.notice in shown


async def test_level_history_on_the_students_page_and_the_teachers_view() -> None:
    backend = CreditBackend("done")
    backend.levels = [
        {"skill_code": "electrical", "level": 2, "changed_at": "2026-06-01T03:00:00+00:00"},
        {"skill_code": "electrical", "level": 3, "changed_at": "2026-11-20T03:00:00+00:00"},
    ]
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.portfolio is not None
    shown = texts(portfolio_view(vm.portfolio, Locale.TH))
    assert "ประวัติระดับทักษะ" in shown
    newest = [s for s in shown if "ระดับ 3" in s or "ระดับ 2" in s]
    assert len(newest) == 2 and "20 พ.ย. 2569" in newest[0] and "ระดับ 3" in newest[0]  # newest first

    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    credit = vm.college_credit
    assert credit is not None
    await click(college_credit_view(credit, Locale.TH), "ประวัติระดับของ มานพ")
    assert backend.calls("GET", f"/technicians/{LEAD}/levels")
    tree = college_credit_view(credit, Locale.TH)
    assert_accessible(tree)
    assert any("ระดับ 3" in s for s in texts(tree))
    await click(tree, "ซ่อนประวัติระดับ")
    assert not any("ระดับ 3" in s for s in texts(college_credit_view(credit, Locale.TH)))


async def test_a_reopened_jobs_record_says_its_round() -> None:
    backend = CreditBackend("done")
    backend.round, backend.earlier_hours = 2, 2.5
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    assert vm.record is not None
    assert "ซ่อมซ้ำ รอบที่ 2: รอบก่อนอนุมัติแล้ว 2.5 ชม." in texts(panel_tree(vm.record))
    backend.earlier_hours = 0.0
    await vm.record.load()
    assert "ซ่อมซ้ำ รอบที่ 2" in texts(panel_tree(vm.record))
    # The student's portfolio: a row per approved round, the later one says so.
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.portfolio is not None
    shown = texts(portfolio_view(vm.portfolio, Locale.TH))
    assert shown.count("ผู้ช่วย · 2 ชม. · ซ่อมได้") == 2 and shown.count("ซ่อมซ้ำ รอบที่ 2") == 1


async def test_a_reopened_job_does_not_offer_the_last_rounds_report_as_the_leads_hours() -> None:
    backend = CreditBackend("done")
    backend.job["report"] = {"hours": 3.0, "notes": "รอบแรก", "parts": [], "parts_total_baht": 0}
    backend.team = [{"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": None,
                     "approved_hours": None, "approved_at": None}]
    vm = await signed_in("technician", backend)  # the lead's own screen (a teacher sees the backend's figure only)
    await vm.open_job(UUID(backend.job["id"]))
    assert vm.record is not None and vm.record.reported_hours(_lead(vm.record)) == 3.0
    backend.round = 2
    await vm.record.load()
    assert vm.record.reported_hours(_lead(vm.record)) is None  # the 3 hours were the first round's
    assert "มานพ · หัวหน้างาน · ยังไม่รายงาน" in texts(panel_tree(vm.record))


def _lead(panel: RecordPanel) -> Any:
    assert panel.record is not None
    return next(m for m in panel.record.team if m.role == "lead")


async def test_settings_typed_but_not_saved_survive_a_decided_proposal() -> None:
    """The teacher types a new target, then confirms a proposal before saving it: the screen reloads, and the
    typed numbers must still be there (they came back as the server's old ones). Saved ones show as saved."""
    backend = CreditBackend("done")
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None and (screen.jobs_input, screen.target_input) == ("3", "40")
    screen.set_jobs_input("5")
    screen.set_target_input("60")
    await screen.decide(screen.proposals[0].id, True)
    assert screen.notice == "เลื่อนระดับแล้ว"
    assert (screen.jobs_input, screen.target_input) == ("5", "60")
    await screen.save_settings()
    assert [json.loads(r.content) for r in backend.calls("PUT", "/supervisor/credit-settings")] == [
        {"progression_jobs": 5, "hours_target": 60}]


async def test_an_outcome_this_app_does_not_know_still_draws_the_record() -> None:
    """A newer backend recorded an outcome this installed app has no name for: the student's job screen must still
    draw (reading it as an Outcome raised inside the render, which froze the screen), showing it as it came."""
    backend = CreditBackend("repairing")
    backend.outcome = {"outcome": "some_future_outcome", "reason": None, "fault_found": "", "recorded_at":
                       NOW.isoformat()}
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.outcome == "some_future_outcome"
    assert not panel.outcome_needs_reason
    assert "บันทึกผลการซ่อม" in texts(panel_tree(panel))


async def test_a_term_typed_but_not_shown_survives_saving_my_hours() -> None:
    """The student types another term, then saves their hours on a job before tapping "show": the page reloads,
    and the term typed must still be in its field (it went back to the term shown)."""
    backend, _, folio = await helping_on_a_repair("")
    assert folio.term_input == "2569-2"
    folio.set_term_input("2569-1")
    await folio.save_my_hours(UUID(backend.job["id"]), "2", "ทดสอบ")
    assert folio.notice == "บันทึกชั่วโมงของคุณแล้ว รอครูอนุมัติ"
    assert folio.term == "2569-2" and folio.term_input == "2569-1"
    await folio.show_term()
    assert folio.term == "2569-1" and folio.term_input == "2569-1"


async def test_a_part_sent_again_is_the_same_part_and_a_changed_or_next_one_is_not() -> None:
    """The same part sent again (after a failed send, or a lost answer) carries the same key, so the backend answers
    the part it stored instead of asking the owner twice; a changed part, or the next one, gets a key of its own."""
    backend = CreditBackend("repairing")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    backend.network_down = True
    await panel.propose_part("ฟิวส์ 5A", "2", "15")
    assert panel.action_error and backend.parts == []
    backend.network_down, backend.lose_next_answer = False, True
    await panel.propose_part("ฟิวส์ 5A", "2", "15")  # stored this time, but the answer is lost on the way
    assert panel.action_error and len(backend.parts) == 1
    await panel.propose_part("ฟิวส์ 5A", "2", "15")  # sent again: the same part answers
    assert not panel.action_error and len(backend.parts) == 1
    await panel.propose_part("ฟิวส์ 5A", "2", "15")  # the next part, typed the same: a part of its own
    await panel.propose_part("ฟิวส์ 10A", "1", "20")
    keys = [b["idempotency_key"] for b in sent(backend, "/parts")]
    assert len(keys) == 5 and keys[0] == keys[1] == keys[2] and len(set(keys)) == 3
    assert [p["name"] for p in backend.parts] == ["ฟิวส์ 5A", "ฟิวส์ 5A", "ฟิวส์ 10A"]


async def test_a_part_withdrawn_when_the_job_could_not_be_repaired_says_so() -> None:
    backend = CreditBackend("unrepairable")
    backend.part("มอเตอร์", "withdrawn")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    assert vm.record is not None
    shown = texts(panel_tree(vm.record))
    assert "ยกเลิก (งานซ่อมไม่ได้)" in shown and "รอเจ้าของอนุมัติ" not in shown
    assert "withdrawn (the job could not be repaired)" in texts(panel_tree(vm.record, Locale.EN))


async def test_a_teacher_does_not_approve_the_hours_of_a_repair_they_asked_for() -> None:
    # Another teacher approves them (the backend refuses the owner, 403 own_request_check).
    backend = CreditBackend("done")
    backend.job["is_mine"] = True
    backend.team = [{"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": 2.0,
                     "approved_hours": None, "approved_at": None}]
    vm = await signed_in("supervisor", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None and panel.record is not None and not panel.can_approve_hours
    shown = texts(panel_tree(panel))
    assert "มานพ · หัวหน้างาน · 2 ชม." in shown and "อนุมัติชั่วโมงของทีม" not in shown


async def test_a_teacher_adds_no_helper_to_a_repair_they_asked_for() -> None:
    # Its team is another teacher's to change (the backend refuses the owner, 403 own_request_staff); a colleague's
    # job under way still takes one.
    for mine in (False, True):
        backend = CreditBackend("repairing")
        backend.job["is_mine"] = mine
        vm = await signed_in("supervisor", backend)
        await vm.open_job(UUID(backend.job["id"]))
        assert vm.record is not None and vm.record.can_add_helper is (not mine), mine


async def test_the_records_buttons_keep_their_ids_when_a_part_and_the_notice_appear_above_them() -> None:
    # Flet pairs a re-render's unkeyed controls with the old ones by place: the notice on top and the new part's
    # lines would shift "propose" and "save outcome" onto other controls' ids, and the server drops a tap on an
    # id that is gone. The diff the session runs gives each paired control its predecessor's id.
    backend = CreditBackend("repairing")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    before = panel_tree(panel)
    names = ("เสนออะไหล่", "บันทึกผลการซ่อม")
    old = [button(before, name)._i for name in names]
    await panel.propose_part("ฟิวส์ 5A", "2", "10")
    after = panel_tree(panel)
    assert "เสนออะไหล่ ฟิวส์ 5A แล้ว รอเจ้าของอนุมัติ" in texts(after)
    ObjectPatch.from_diff(before, after, control_cls=ft.BaseControl, frozen=True)
    assert [button(after, name)._i for name in names] == old


def _waiting_round(round_: int = 1, *, moved_on: bool = True) -> dict[str, Any]:
    return {"request_id": str(uuid4()), "ref_no": 690042, "item": "หม้อหุงข้าว", "category_th": "เครื่องใช้ไฟฟ้า",
            "category_en": "Appliances", "status": "submitted", "round": round_, "ended": True, "moved_on": moved_on,
            "team": [{"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": 1.5,
                      "approved_hours": None, "approved_at": None, "round": round_}]}


async def test_the_teacher_approves_a_waiting_round_of_a_job_that_moved_on_from_the_college_view() -> None:
    """credit13: a round its owner reopened before the approval, the job gone on to another college since, could be
    approved only through the API (its record is that college's now). The teacher's college view lists the rounds
    waiting for their approval with each team's hours; approved there (POST .../credit/approve?round=N, as
    reported), it leaves the list."""
    backend = CreditBackend("done")
    waiting = _waiting_round(1)
    backend.hours_waiting = [waiting]
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None and [w.request_id for w in screen.hours_waiting] == [UUID(waiting["request_id"])]
    tree = college_credit_view(screen, Locale.TH)
    assert_accessible(tree)
    shown = texts(tree)
    assert "FX-690042 หม้อหุงข้าว · รอบที่ 1" in shown and "มานพ · หัวหน้างาน · 1.5 ชม." in shown
    assert any(s.startswith("งานนี้ไปอยู่กับวิทยาลัยอื่นแล้ว") for s in shown)
    await click(tree, "อนุมัติชั่วโมงของทีม")
    approvals = backend.calls("POST", f"/requests/{waiting['request_id']}/credit/approve")
    assert [(r.url.params.get("round"), json.loads(r.content)) for r in approvals] == [("1", {"hours": {}})]
    assert screen.notice == "อนุมัติชั่วโมงแล้ว" and screen.hours_waiting == []
    assert "ไม่มีชั่วโมงรออนุมัติ" in texts(college_credit_view(screen, Locale.TH))


async def test_a_refused_approval_of_a_waiting_round_is_told_and_the_round_stays() -> None:
    """The backend refuses (the hours do not fit the round's timeline): the teacher reads why, the round stays
    listed to approve again, and the button is usable again."""
    backend = CreditBackend("done")
    backend.hours_waiting = [_waiting_round(2, moved_on=False)]
    backend.refuse_waiting = "hours_exceed_timeline"
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None
    tree = college_credit_view(screen, Locale.TH)
    assert "เจ้าของแจ้งว่ายังไม่หายหลังรอบนี้" in texts(tree)
    await click(tree, "อนุมัติชั่วโมงของทีม")
    assert screen.notice and screen.approving is None and len(screen.hours_waiting) == 1
    assert not button(college_credit_view(screen, Locale.TH), "อนุมัติชั่วโมงของทีม").disabled


async def test_a_job_the_student_helps_on_opens_from_their_jobs_read_only() -> None:
    """GET /technician/jobs lists the jobs a student helps on (`helping`); opened, the job screen shows it and
    offers no lead action: no step, no report or after photo, no parts, outcome, hand back or helper to add, no call
    to the owner. The lead, on the same job, has them."""
    backend = CreditBackend("repairing")
    backend.job.update(technician_id=str(LEAD), technician_first_name="มานพ", contact_phone="+66812345678",
                       lat=18.79, lon=98.98, address="12 ถ.ห้วยแก้ว")
    backend.jobs = [{k: v for k, v in backend.job.items() if k in request_summary("x", "y")} | {"helping": True}]
    backend.team = [{"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": None},
                    {"technician_id": str(HELPER), "display_name": "ดวงใจ", "role": "helper", "task": "ถอดฝา",
                     "hours": 1.0}]
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome) and [j.helping for j in home.jobs] == [True]
    assert "ผู้ช่วยในงานนี้" in texts(app_views(vm)[-1])
    await home.open_job(home.jobs[0].id)
    job, panel = vm.job, vm.record
    assert vm.screen == Screen.JOB and job is not None and panel is not None and job.helping
    assert job.steps == [] and not job.can_edit_work and not job.can_add_after_photo and job.call_url is None
    assert not (panel.can_edit_parts or panel.can_record_outcome or panel.can_hand_back or panel.can_add_helper)
    assert panel.presence_steps == []
    tree = job_view(job, Locale.TH, record=panel)
    assert_accessible(tree)
    shown = texts(tree)
    assert job.helping_note in shown and "พัดลม" in shown and "ดวงใจ · ผู้ช่วย · 1 ชม." in shown
    lead_only = {"ส่งให้ครูตรวจ", "ซ่อมไม่ได้", "โทรหาเจ้าของ"}
    assert not lead_only & set(shown)
    assert not find(tree, ft.TextField)  # nothing to type: no report, parts, outcome or helper form

    # The lead on the same job: its steps and forms.
    profile = vm.session.profile
    assert profile is not None
    backend.job["technician_id"] = str(profile.id)
    await job.load()
    assert not job.helping and job.can_edit_work and job.call_url is not None and job.helping_note is None
    assert panel.can_edit_parts and panel.can_add_helper
    shown = texts(job_view(job, Locale.TH, record=panel))
    assert lead_only <= set(shown)


class OffTheTeamBackend(CreditBackend):
    """A job the signed-in student helps on (LEAD leads it) until `off_team`: then it is not theirs to read (404),
    as the backend answers a helper taken off the team, handed off, or left on a round the owner ended."""

    def __init__(self) -> None:
        super().__init__("repairing")
        self.off_team = False
        self.job.update(technician_id=str(LEAD), technician_first_name="มานพ")
        self.jobs = [{k: v for k, v in self.job.items() if k in request_summary("x", "y")} | {"helping": True}]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.off_team and request.url.path.startswith(f"/requests/{self.job['id']}"):
            self.requests.append(request)
            return error_response(404, "not_found")
        return super().handle(request)


async def test_a_helper_taken_off_the_team_sees_their_open_job_close_in_words() -> None:
    """The live event that tells a helper their place on the team changed (0053) makes the open job screen read the
    job again, and it is not theirs any more (404). It showed "ไม่พบข้อมูลที่ต้องการ" with a retry above the job it
    kept showing; now the job leaves the screen and the screen says why, in Thai and English; a refresh keeps it
    so, their jobs list no longer has it, and added to the team again they see it again."""
    backend = OffTheTeamBackend()
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome)
    await home.open_job(home.jobs[0].id)
    job = vm.job
    assert job is not None and job.helping and job.closed_text is None

    backend.off_team, backend.jobs = True, []
    read = len(backend.calls("GET", f"/requests/{backend.job['id']}"))
    await vm.live_event(ServerEvent("request", json.dumps({"kind": "request", "request_id": backend.job["id"],
                                                           "at": NOW.isoformat()})))
    assert len(backend.calls("GET", f"/requests/{backend.job['id']}")) == read + 1  # read again, once
    assert vm.screen == Screen.JOB and job.detail is None and job.error is None and not job.helping
    assert job.closed_text is not None and job.closed_text.startswith("คุณไม่ได้อยู่ในทีมของงานนี้แล้ว")
    tree = job_view(job, Locale.TH, record=vm.record)
    assert_accessible(tree)
    shown = texts(tree)
    assert job.closed_text in shown
    assert not {"ไม่พบข้อมูลที่ต้องการ", "ลองใหม่", "พัดลม", "กำลังโหลด…"} & set(shown), shown
    assert home.jobs == []  # the list of their jobs followed the same event
    vm.session.set_locale(Locale.EN)
    shown = texts(job_view(job, Locale.EN, record=vm.record))
    assert any(s.startswith("You are no longer on this job's team") for s in shown), shown
    assert "Not found" not in shown
    vm.session.set_locale(Locale.TH)

    await job.load()  # the screen's refresh: still closed, not a bare "not found"
    assert job.detail is None and job.error is None and job.closed_text is not None

    backend.off_team = False  # the lead adds them again
    await job.load()
    assert job.detail is not None and job.helping and job.closed_text is None
    assert "พัดลม" in texts(job_view(job, Locale.TH, record=vm.record))


async def test_a_job_found_gone_on_first_opening_still_says_not_found() -> None:
    """The closing words are for a job the student was shown as a helper: one that was never theirs to read (a
    stale link) answers as before."""
    backend = OffTheTeamBackend()
    backend.off_team = True
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    job = vm.job
    assert job is not None and job.closed_text is None and job.error == "ไม่พบข้อมูลที่ต้องการ"


async def test_the_rounds_waiting_come_a_page_at_a_time_and_say_how_many_more_wait() -> None:
    """GET /supervisor/hours-waiting answers a page (HOURS_WAITING_PAGE rounds) and how many wait from its start on:
    the college view says how many more wait and shows them on a tap (the page after the last one listed), each
    once."""
    backend = CreditBackend("done")
    backend.hours_waiting = [{**_waiting_round(1, moved_on=False), "ref_no": 690000 + n}
                             for n in range(HOURS_WAITING_PAGE + 3)]
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None and len(screen.hours_waiting) == HOURS_WAITING_PAGE
    assert (screen.hours_waiting_total, screen.hours_waiting_more) == (HOURS_WAITING_PAGE + 3, 3)
    tree = college_credit_view(screen, Locale.TH)
    assert_accessible(tree)
    assert "ยังมีอีก 3 รอบรออนุมัติ" in texts(tree)
    assert "3 more rounds waiting" in texts(college_credit_view(screen, Locale.EN))
    await click(tree, "แสดงเพิ่ม")
    asked = backend.calls("GET", "/supervisor/hours-waiting")
    # The next page: after the last round listed, by its sort key (the job's reference number, then the round).
    assert [(r.url.params.get("after_ref"), r.url.params.get("after_round")) for r in asked] == [
        (None, None), (str(690000 + HOURS_WAITING_PAGE - 1), "1")]
    assert [w.ref_no for w in screen.hours_waiting] == [690000 + n for n in range(HOURS_WAITING_PAGE + 3)]
    assert screen.hours_waiting_more == 0
    tree = college_credit_view(screen, Locale.TH)
    assert "แสดงเพิ่ม" not in texts(tree) and not any(s.startswith("ยังมีอีก") for s in texts(tree))
