"""Technician and supervisor screens: offers, the job (steps, after photos, report), dashboard, students, ledger."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
import pytest

from mobile.api_client import ApiClient
from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.views.frame import app_view
from mobile.views.supervisor_tools import skills_dialog
from shared.roles import Actor
from shared.statuses import RequestStatus
from shared.text import Locale
from tests.unit.mobile_fakes import BASE_URL, NOW, STUDENT, WorkBackend, find, jpeg_with_exif, texts, toggles
from tests.unit.mobile_screens import assert_accessible, signed_in, technician_job


async def test_accept_offer_opens_the_job_with_contact() -> None:
    backend = WorkBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    home.clock = lambda: NOW
    tree = app_view(app)
    assert "รับงาน" in texts(tree) and "ปฏิเสธ" in texts(tree)
    assert "เหลือเวลา 20 ชม. 0 นาที" in texts(tree)
    await home.accept(UUID(str(backend.offers[0]["offer_id"])))
    assert app.screen == Screen.JOB and app.job is not None
    assert app.job.call_url == "tel:+66812345678"
    assert app.job.route_url == "https://www.google.com/maps/dir/?api=1&destination=18.790000,98.980000"
    tree = app_view(app)
    assert "โทรหาเจ้าของ" in texts(tree) and "เปิดเส้นทาง" in texts(tree)
    assert_accessible(tree)


@pytest.mark.parametrize("status", ["handed_back", "cancelled"])
async def test_a_job_that_is_over_offers_the_student_no_call_or_route(status: str) -> None:
    # The backend sends a student no contact once the job is over, and only its area (0.1 degree): nothing to call,
    # nowhere to drive to (migration 0060).
    backend = WorkBackend()
    backend.job.update(status=status, contact_phone="", address="", lat=18.8, lon=99.0)
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None and app.job.detail is not None
    assert app.job.call_url is None and app.job.route_url is None
    tree = app_view(app)
    assert "โทรหาเจ้าของ" not in texts(tree) and "เปิดเส้นทาง" not in texts(tree)


async def test_offer_taken_by_someone_else_says_so_and_reloads() -> None:
    backend = WorkBackend()
    backend.offer_taken = True
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    before = len(backend.calls("GET", "/technician/offers"))
    await home.accept(UUID(str(backend.offers[0]["offer_id"])))
    assert app.screen == Screen.HOME
    assert home.notice is not None and "มีช่างรับไปแล้ว" in home.notice and home.notice_is_error
    assert len(backend.calls("GET", "/technician/offers")) == before + 1


@pytest.mark.parametrize(
    ("status", "actor", "labels"),
    [
        ("accepted", Actor.TECHNICIAN, ["เริ่มตรวจเช็ก"]),
        ("diagnosing", Actor.TECHNICIAN, ["เริ่มซ่อม", "ซ่อมไม่ได้"]),
        ("repairing", Actor.TECHNICIAN, ["ส่งให้ครูตรวจ", "ซ่อมไม่ได้"]),
        ("quality_check", Actor.TECHNICIAN, []),
        ("quality_check", Actor.SUPERVISOR, ["กำลังซ่อม", "อนุมัติ"]),
        ("done", Actor.SUPERVISOR, ["ส่งคืนเจ้าของ"]),
        ("unrepairable", Actor.SUPERVISOR, ["ส่งคืนเจ้าของ"]),
    ],
)
async def test_steps_per_status_and_role(status: str, actor: Actor, labels: list[str]) -> None:
    backend = WorkBackend()
    backend.job["status"] = status
    app = await signed_in("supervisor" if actor == Actor.SUPERVISOR else "technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None
    shown = [s.label.th for s in app.job.steps]
    expected = ["ส่งกลับแก้ไข" if x == "กำลังซ่อม" else x for x in labels]
    assert sorted(shown) == sorted(expected)
    assert_accessible(app_view(app))


async def test_unrepairable_needs_a_reason() -> None:
    backend, app, job = await technician_job("diagnosing")
    job.start_step(RequestStatus.UNREPAIRABLE)
    tree = app_view(app)
    assert "เหตุผลที่ซ่อมไม่ได้" in texts(tree)
    await job.confirm_step()
    assert job.step_error == "กรุณาเลือกเหตุผลที่ซ่อมไม่ได้"
    assert not backend.calls("POST", f"/requests/{backend.job['id']}/status")
    job.set_reason("no_parts")
    await job.confirm_step()
    assert backend.bodies[-1] == {"to_status": "unrepairable", "note": "", "reason": "no_parts"}
    assert job.status == RequestStatus.UNREPAIRABLE and job.open_step is None


async def test_rework_needs_a_note() -> None:
    backend = WorkBackend()
    backend.job["status"] = "quality_check"
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    job.start_step(RequestStatus.REPAIRING)
    await job.confirm_step()
    assert job.step_error == "กรุณาบอกนักศึกษาว่าต้องแก้ไขอะไร"
    job.set_note("  ขันน็อตให้แน่น ")
    await job.confirm_step()
    assert backend.bodies[-1] == {"to_status": "repairing", "note": "ขันน็อตให้แน่น"}


async def test_report_total_validation_and_save() -> None:
    backend, app, job = await technician_job("repairing")
    job.set_hours("abc")
    job.add_part()
    assert len(job.check_report()) == 2
    job.set_hours("2,5")
    job.set_part(0, name="ฟิวส์", qty="2", cost="15.5")
    job.add_part()
    job.set_part(1, name="สายไฟ", qty="1", cost="40")
    assert job.parts_total == 71.0 and job.parts_total_text == "รวมค่าอะไหล่ 71.00 บาท"
    tree = app_view(app)
    assert "รวมค่าอะไหล่ 71.00 บาท" in texts(tree)
    assert_accessible(tree)
    await job.save_report()
    assert backend.bodies[-1] == {"hours": 2.5, "notes": "", "parts": [
        {"name": "ฟิวส์", "qty": 2, "cost_baht": 15.5}, {"name": "สายไฟ", "qty": 1, "cost_baht": 40.0}]}
    assert job.notice == "บันทึกรายงานแล้ว" and job.report_errors == []
    invalid = ["อะไหล่แต่ละรายการต้องมีชื่อ จำนวน 1–100 และราคาต่อชิ้น 0–100,000 บาท"]
    for qty, cost in (("0", "40"), ("101", "40"), ("1", "100000.01")):  # the shared part limits, as the backend's
        job.set_part(1, qty=qty, cost=cost)
        await job.save_report()
        assert job.report_errors == invalid, (qty, cost)


async def test_after_photo_is_processed_then_uploaded() -> None:
    backend, app, job = await technician_job("repairing")
    original = jpeg_with_exif()
    await job.add_after_photos([("a.jpg", original), ("bad.jpg", b"not an image")])
    ((idx, body),) = backend.uploads
    assert idx == 0 and original not in body  # re-encoded on the device, EXIF gone
    assert [p.idx for p in job.photos("after")] == [0] and job.photo_error is not None
    assert "รูปหลังซ่อม (ไม่เกิน 5 รูป)" in texts(app_view(app))


async def test_dashboard_chart_data_and_review_opens() -> None:
    backend = WorkBackend()
    backend.weekly = [
        {"week_start": "2026-11-23", "category_code": "appliance", "n": 4},
        {"week_start": "2026-11-16", "category_code": "appliance", "n": 2},
        {"week_start": "2026-11-16", "category_code": "bike", "n": 1},
    ]
    app = await signed_in("supervisor", backend)
    home = app.home
    assert isinstance(home, SupervisorHome)
    chart = home.chart()
    assert [str(w.week_start) for w in chart] == ["2026-11-16", "2026-11-23"]
    assert [(b.label, b.n, b.fraction) for b in chart[0].bars] == [("เครื่องใช้ไฟฟ้า", 2, 0.5), ("bike", 1, 0.25)]
    tree = app_view(app)
    assert "นักศึกษา" in texts(tree) and "สมุดบันทึกชั่วโมงฝึก" in texts(tree)
    await home.open_job(home.quality_check[0].id)
    assert app.screen == Screen.JOB and app.job is not None and app.job.is_supervisor


async def test_assign_lists_only_active_students() -> None:
    backend = WorkBackend()
    backend.job["status"] = "offered"
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.can_assign
    await job.open_assign()
    assert [x.display_name for x in job.technicians] == ["วิชัย"]
    assert_accessible(app_view(app))
    job.pick_technician(STUDENT)
    await job.confirm_assign()
    assert backend.bodies[-1] == {"technician_id": STUDENT} and job.notice == "มอบหมายงานแล้ว"


SUSPENDED = str(uuid4())
# As the roster sends a student the operator suspended: off (is_active), and why (suspended).
SUSPENDED_STUDENT: dict[str, Any] = {"id": SUSPENDED, "display_name": "มานะ", "phone": None, "is_active": False,
                                     "suspended": True, "open_jobs": 0, "skills": {}}


@pytest.mark.parametrize("locale", [Locale.TH, Locale.EN])
async def test_a_suspended_student_says_so_and_the_switch_is_disabled(locale: Locale) -> None:
    backend = WorkBackend()
    backend.students.append(SUSPENDED_STUDENT)
    app = await signed_in("supervisor", backend, locale)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    tree = app_view(app)
    label = {Locale.TH: "บัญชีถูกระงับโดยผู้ดูแลระบบ", Locale.EN: "Account suspended by the Fixit administrators"}[locale]
    assert texts(tree).count(label) == 1  # on the suspended student's row only
    row = find(tree, ft.Container, lambda c: c.key == SUSPENDED)[0]
    assert label in texts(row)
    # The disabled switch's own name (what a screen reader reads with it) carries the reason.
    ((name, switch),) = toggles(row, ft.Switch)
    assert switch.disabled and switch.value is False
    assert "มานะ" in name and label.lower() in name.lower()
    # The other students' switches stay usable and say nothing of a suspension.
    others = [(n, s) for n, s in toggles(tree, ft.Switch) if s is not switch]
    assert others and not any(s.disabled for _, s in others) and not any(label in n for n, _ in others)
    assert_accessible(tree)
    sent = len(backend.requests)
    await screen.toggle_active(UUID(SUSPENDED), True)  # nothing is sent for a switch-on
    assert len(backend.requests) == sent and not backend.bodies


async def test_a_suspended_student_keeps_the_keys_of_the_rows_controls() -> None:
    backend = WorkBackend()
    backend.students.append(SUSPENDED_STUDENT)
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    row = find(app_view(app), ft.Container, lambda c: c.key == SUSPENDED)[0]
    # The suspended line is keyed, and so is the switch's row below it: positions do not pair them with another's.
    keyed_rows = [c.key for c in find(row, ft.Row) if c.key is not None]
    assert f"suspended-{SUSPENDED}" in keyed_rows and f"controls-{SUSPENDED}" in keyed_rows


async def test_assign_never_offers_a_suspended_student() -> None:
    backend = WorkBackend()
    backend.students.append(SUSPENDED_STUDENT)
    backend.job["status"] = "offered"
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    await job.open_assign()
    assert [x.display_name for x in job.technicians] == ["วิชัย"]
    job.pick_technician(SUSPENDED)
    assert job.assign_to is None


async def test_technician_edit_payload() -> None:
    backend = WorkBackend()
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None and [s.code for s in screen.skills] == ["electrical"]
    tree = app_view(app)
    # One row per student: the skills in words, a named switch and a named button (levels are in a dialog).
    for expected in ("ไฟฟ้า 2", "วิชัย พร้อมรับงาน", "ทักษะของ วิชัย", "ยังไม่มีทักษะ"):
        assert expected in texts(tree), expected
    assert_accessible(tree)
    student = UUID(STUDENT)
    screen.open_skills(student)
    dialog = skills_dialog(screen, Locale.TH)
    assert dialog is not None and "ไฟฟ้า (ระดับ 1–5)" in texts(dialog.content)
    screen.set_skill(student, "electrical", 4)
    await screen.save_skills()
    assert backend.bodies[-1] == {"is_active": True, "skills": {"electrical": 4}}
    assert screen.editing is None and screen.notice == "บันทึกข้อมูล วิชัย แล้ว"
    await screen.toggle_active(student, False)  # the switch saves at once
    assert backend.bodies[-1]["is_active"] is False
    screen.open_skills(student)
    screen.set_skill(student, "electrical", 1)
    screen.close_skills()  # cancelled: nothing sent, the saved level back
    assert screen.rows[0].skills == screen.rows[0].item.skills and len(backend.bodies) == 2


async def test_ledger_table_and_csv_fallback() -> None:
    backend = WorkBackend()
    app = await signed_in("supervisor", backend)
    await app.open_ledger()
    ledger = app.ledger
    assert ledger is not None and ledger.categories_text(ledger.rows[0]) == "เครื่องใช้ไฟฟ้า"
    tree = app_view(app)
    for expected in ("ดาวน์โหลด CSV งานซ่อม", "ดาวน์โหลด CSV ชั่วโมงฝึก", "วิชัย"):
        assert expected in texts(tree), expected
    assert any("ชั่วโมงทำงาน: 7.5" in line for line in texts(tree))  # a card per student, each figure named
    assert_accessible(tree)
    await ledger.download("ledger")  # no way to save a file here: the text to copy instead
    assert ledger.csv_text == "ชื่อ,ชั่วโมง\r\nวิชัย,7.5\r\n"
    saved: list[tuple[str, bytes]] = []

    async def save(name: str, data: bytes) -> bool:
        saved.append((name, data))
        return True

    ledger._save_file = save
    await ledger.download("jobs")
    assert saved[0][0] == "fixit-jobs.csv" and saved[0][1].startswith(b"\xef\xbb\xbf")
    assert ledger.notice == "บันทึกไฟล์ fixit-jobs.csv แล้ว" and ledger.csv_text is None


class SlowAssignBackend(WorkBackend):
    """WorkBackend whose assign answers only once `release` is set (a slow line while the teacher taps again)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.asked = asyncio.Event()

    def client(self) -> ApiClient:
        return ApiClient(BASE_URL, transport=httpx.MockTransport(self._answer))

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/assign"):
            self.asked.set()
            await self.release.wait()
        return self.handle(request)


async def test_a_second_tap_on_assign_while_it_is_sent_says_nothing_wrong() -> None:
    """A student is picked and "assign" sent; a second tap while it is on its way must not say "pick a student"
    (one was picked), and the assignment goes once."""
    backend = SlowAssignBackend()
    backend.job["status"] = "offered"
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    await job.open_assign()
    job.pick_technician(STUDENT)
    first = asyncio.ensure_future(job.confirm_assign())
    await backend.asked.wait()
    await job.confirm_assign()
    assert job.assign_error is None
    backend.release.set()
    await first
    assert job.notice == "มอบหมายงานแล้ว" and job.assign_error is None
    assert len(backend.calls("POST", f"/requests/{backend.job['id']}/assign")) == 1
