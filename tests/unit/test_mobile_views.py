"""Each screen built once from real view-model state: the texts, labels and buttons people and tests rely on."""

import flet as ft
import pytest

from mobile.viewmodels.home import AdminHome, CitizenHome
from mobile.viewmodels.loadable import LoadState
from mobile.views.frame import app_view
from mobile.views.login import login_view
from mobile.views.status import STATUS_COLOURS
from shared.statuses import RequestStatus
from shared.text import Locale
from tests.unit.mobile_fakes import COLLEGE, PHONES, FakeBackend, button_named, find, request_summary, texts
from tests.unit.mobile_screens import app_at_login, assert_accessible, signed_in


async def test_login_phone_step() -> None:
    vm = await app_at_login()
    tree = app_view(vm)
    (field,) = find(tree, ft.TextField)
    assert field.label == "เบอร์โทรศัพท์"
    assert field.keyboard_type == ft.KeyboardType.PHONE
    button_named(tree, "ขอรหัสยืนยัน")
    button_named(tree, "English")  # the language switch is on every screen
    assert "ช่างพันธุ์ R อาชีวะซ่อมทั่วไทย" in texts(tree)
    assert_accessible(tree)


async def test_login_phone_error_is_on_the_field() -> None:
    vm = await app_at_login()
    vm.login.set_phone_input("12")
    await vm.login.request_code()
    (field,) = find(login_view(vm.login, Locale.TH), ft.TextField)
    assert field.error == "เบอร์โทรศัพท์ไม่ถูกต้อง กรุณากรอกเบอร์ไทย 9–10 หลัก เช่น 0812345678"
    assert field.value == "12"


async def test_login_code_step_shows_dev_hint_and_code_field() -> None:
    vm = await app_at_login()
    vm.login.set_phone_input(PHONES["citizen"])
    await vm.login.request_code()
    tree = app_view(vm)
    (field,) = find(tree, ft.TextField)
    assert field.label == "รหัสยืนยัน 6 หลัก"
    assert "โหมดทดสอบ: รหัสคือ 123456" in texts(tree)
    button_named(tree, "เข้าสู่ระบบ")
    button_named(tree, "เปลี่ยนเบอร์")
    assert_accessible(tree)


async def test_network_error_on_login_offers_retry() -> None:
    backend = FakeBackend()
    backend.offline = True
    vm = await app_at_login(backend)
    vm.login.set_phone_input(PHONES["citizen"])
    await vm.login.request_code()
    tree = app_view(vm)
    assert "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต" in texts(tree)
    button_named(tree, "ลองใหม่")


async def test_login_in_english() -> None:
    vm = await app_at_login(locale=Locale.EN)
    tree = app_view(vm)
    assert find(tree, ft.TextField)[0].label == "Phone number"
    button_named(tree, "Send me a code")
    button_named(tree, "ภาษาไทย")


async def test_citizen_home() -> None:
    vm = await signed_in("citizen")
    tree = app_view(vm)
    shown = texts(tree)
    for expected in ("สวัสดี สมชาย ใจดี", "ประชาชน", "คำขอซ่อมของฉัน", "หม้อหุงข้าว", "กำลังซ่อม", "กำลังหาช่าง"):
        assert expected in shown, expected
    assert "ส่งเมื่อ 24 พ.ย. 2569" in shown
    button_named(tree, "ออกจากระบบ")
    button_named(tree, "English")
    assert ft.Icons.KITCHEN in [i.icon for i in find(tree, ft.Icon)]
    assert_accessible(tree)


async def test_citizen_home_in_english_after_toggle() -> None:
    vm = await signed_in("citizen")
    await vm.toggle_locale()
    shown = texts(app_view(vm))
    for expected in ("Hello สมชาย ใจดี", "Citizen", "My repair requests", "Repairing", "Requested on 24 Nov 2026"):
        assert expected in shown, expected
    assert "คำขอซ่อมของฉัน" not in shown


async def test_status_chip_uses_the_status_colour() -> None:
    vm = await signed_in("citizen")
    tree = app_view(vm)
    (label,) = find(tree, ft.Text, lambda t: t.value == "กำลังซ่อม")
    background, foreground = STATUS_COLOURS[RequestStatus.REPAIRING]
    assert label.color == foreground
    assert background in [c.bgcolor for c in find(tree, ft.Container)]


async def test_empty_citizen_home() -> None:
    backend = FakeBackend()
    backend.my_requests = []
    vm = await signed_in("citizen", backend)
    assert "ยังไม่มีคำขอซ่อม เมื่อส่งคำขอแล้วจะแสดงที่นี่" in texts(app_view(vm))


async def test_loading_and_error_states() -> None:
    backend = FakeBackend()
    vm = await signed_in("citizen", backend)
    home = vm.home
    assert isinstance(home, CitizenHome)
    home.state, home.has_loaded = LoadState.LOADING, False  # its first load (a reload keeps the list)
    assert "กำลังโหลด…" in texts(app_view(vm))
    home.state = LoadState.READY
    backend.offline = True
    await home.load()
    tree = app_view(vm)
    assert "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต" in texts(tree)
    retry = button_named(tree, "ลองใหม่")
    assert isinstance(retry, ft.OutlinedButton) and retry.on_click == home.retry


async def test_technician_home() -> None:
    vm = await signed_in("technician")
    tree = app_view(vm)
    shown = texts(tree)
    for expected in ("งานที่เสนอให้ฉัน", "งานที่รับแล้ว", "ตู้เย็นไม่เย็น", "โทรทัศน์", "รอตอบรับ", "กำลังตรวจเช็ก"):
        assert expected in shown, expected
    assert "3.2 กม. · เมืองเชียงใหม่, เชียงใหม่" in shown
    assert "เครื่องใช้ไฟฟ้า" in shown  # the offer's category name, looked up from /categories
    assert_accessible(tree)


async def test_technician_home_empty_sections() -> None:
    backend = FakeBackend()
    backend.offers, backend.jobs = [], []
    vm = await signed_in("technician", backend)
    shown = texts(app_view(vm))
    assert "ยังไม่มีงานเสนอเข้ามา" in shown and "ยังไม่มีงานที่รับ" in shown


async def test_supervisor_home() -> None:
    vm = await signed_in("supervisor")
    tree = app_view(vm)
    shown = texts(tree)
    for expected in ("สวัสดี ครูสมศรี", "ครูผู้ควบคุม", "วิทยาลัยเทคนิคเชียงใหม่", "ภาพรวมวิทยาลัย",
                     "กำลังหาช่าง 1", "กำลังซ่อม 1", "งานที่รอครู", "เตารีด", "เครื่องใช้ไฟฟ้า 4 งาน"):
        assert expected in shown, expected
    assert "ซ่อมเสร็จแล้ว 0" not in shown  # zero counts are left out
    assert_accessible(tree)


async def test_admin_home() -> None:
    vm = await signed_in("admin")
    tree = app_view(vm)
    shown = texts(tree)
    for expected in ("รอวิทยาลัยรับงาน", "ไม่มีคำขอที่รอวิทยาลัยรับงาน", "ภาพรวมระบบ", "ผู้ดูแลระบบ",
                     "วิทยาลัยในระบบ 1 แห่ง", "ทุกวิทยาลัยมีตำแหน่งที่ตั้งแน่นอน", "ดูและค้นหาวิทยาลัยทั้งหมด"):
        assert expected in shown, expected
    # The overview counts the colleges; the colleges screen lists them (ux21 finding 3).
    assert "วิทยาลัยเทคนิคเชียงใหม่" not in shown
    assert_accessible(tree)


@pytest.mark.parametrize("role", ["citizen", "technician", "supervisor", "admin"])
async def test_every_home_has_refresh_sign_out_and_language_switch(role: str) -> None:
    vm = await signed_in(role)
    tree = app_view(vm)
    button_named(tree, "ออกจากระบบ")
    button_named(tree, "English")
    refresh = find(tree, ft.IconButton, lambda b: b.tooltip == "รีเฟรช")
    assert len(refresh) == 1


async def test_supervisor_queue_marks_a_job_held_by_a_suspended_student() -> None:
    """The dashboard's queue (migration 0071) lists what waits for the teacher: a check, an unrepairable item to
    hand back, and a job whose student the operator suspended, which its card says and what to do about it."""
    backend = FakeBackend()
    held = {**request_summary("พัดลม", "diagnosing"), "holder_suspended": True}
    backend.quality_check = [request_summary("เตารีด", "quality_check"),
                             request_summary("หม้อหุงข้าว", "unrepairable"), held]
    vm = await signed_in("supervisor", backend)
    tree = app_view(vm)
    shown = texts(tree)
    for expected in ("งานที่รอครู", "เตารีด", "หม้อหุงข้าว", "พัดลม",
                     "นักศึกษาถูกระงับบัญชี: มอบให้คนอื่นหรือรับงานคืน"):
        assert expected in shown, expected
    assert shown.count("นักศึกษาถูกระงับบัญชี: มอบให้คนอื่นหรือรับงานคืน") == 1  # on the held job's card alone
    assert_accessible(tree)


async def test_admin_home_lists_the_jobs_no_teacher_can_decide() -> None:
    """The admin's list of jobs waiting on a college with nobody to decide them: each says why, opens as a job."""
    backend = FakeBackend()
    job = {**request_summary("ตู้เย็น", "quality_check"), "college_id": COLLEGE["id"], "why": "no_teacher",
           "holder_suspended": False}
    backend.undecided = [job]
    app = await signed_in("admin", backend)
    tree = app_view(app)
    shown = texts(tree)
    for expected in ("งานที่ไม่มีครูตัดสินใจ", "ตู้เย็น", f"{COLLEGE['name_th']} ไม่มีครูที่ใช้งานอยู่"):
        assert expected in shown, expected
    assert "ไม่มีงานที่รอโดยไม่มีครูดูแล" not in shown
    home = app.home
    assert isinstance(home, AdminHome) and home.on_open_job == app.open_job  # a tap opens the job to decide it
    assert_accessible(tree)
