"""A send or save tap reads what the text fields hold at that moment: under load a tap can be handled before the last
keystrokes' change events, and the view-model must not validate or send an older value."""

import json
from typing import Any

import flet as ft
import httpx

from mobile.views.frame import app_view
from tests.unit.mobile_fakes import (
    COLLEGE,
    DetailBackend,
    FakeBackend,
    RequestBackend,
    WorkBackend,
    button_named,
    find,
)
from tests.unit.mobile_screens import click, fill_valid, open_detail, open_form, signed_in, technician_job


def field(tree: ft.Control, label: str) -> Any:
    (found,) = find(tree, ft.TextField, lambda f: f.label == label)
    return found


def typed_without_change_event(tree: ft.Control, label: str, value: str) -> None:
    """The client has the new text; its change event has not reached the view-model yet."""
    field(tree, label).value = value


async def test_the_send_tap_reads_the_fields() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    tree = app_view(app)
    typed_without_change_event(tree, "ของที่จะซ่อม", "พัดลมตั้งพื้น")
    typed_without_change_event(tree, "อาการเสีย", "ใบพัดไม่หมุน มีเสียงดัง")
    await click(tree, "ส่งคำขอซ่อม")
    assert form.item == "พัดลมตั้งพื้น" and form.description == "ใบพัดไม่หมุน มีเสียงดัง"
    assert form.created is not None


async def test_an_emptied_field_is_refused_at_the_send_tap() -> None:
    app, form = await open_form(RequestBackend())
    fill_valid(form)
    tree = app_view(app)
    typed_without_change_event(tree, "ของที่จะซ่อม", "")
    await click(tree, "ส่งคำขอซ่อม")
    assert form.created is None and "item" in form.errors


async def test_the_save_report_tap_reads_hours_notes_and_parts() -> None:
    backend, app, job = await technician_job("repairing")
    job.add_part()
    tree = app_view(app)
    typed_without_change_event(tree, "จำนวนชั่วโมงที่ทำงาน", "3")
    typed_without_change_event(tree, "ชื่ออะไหล่ 1", "ฟิวส์")
    typed_without_change_event(tree, "จำนวน", "2")
    typed_without_change_event(tree, "ราคา/ชิ้น (บาท)", "15")
    save: Any = button_named(tree, "บันทึกรายงาน")
    await save.on_click()
    assert backend.bodies[-1] == {"hours": 3.0, "notes": "", "parts": [{"name": "ฟิวส์", "qty": 2, "cost_baht": 15.0}]}


async def test_the_step_confirm_tap_reads_the_note() -> None:
    """A teacher's rework note (required) or a student's step note typed quickly and confirmed at once."""
    backend, app, _ = await technician_job("accepted")
    await click(app_view(app), "เริ่มตรวจเช็ก")
    tree = app_view(app)
    typed_without_change_event(tree, "หมายเหตุ (ไม่บังคับ)", "เปิดฝาดูแล้ว สายไฟขาด")
    await click(tree, "ยืนยัน")
    assert backend.bodies[-1]["note"] == "เปิดฝาดูแล้ว สายไฟขาด"


async def test_the_cancel_confirm_tap_reads_the_note() -> None:
    backend = DetailBackend()
    app, _ = await open_detail(backend)
    await click(app_view(app), "ยกเลิกคำขอ")
    tree = app_view(app)
    typed_without_change_event(tree, "หมายเหตุ (ไม่บังคับ)", "ซื้อใหม่แล้ว")
    await click(tree, "ยืนยันยกเลิก")
    (sent,) = backend.calls("POST", f"/requests/{backend.my_requests[0]['id']}/cancel")
    assert json.loads(sent.content) == {"note": "ซื้อใหม่แล้ว"}


async def test_the_save_name_tap_reads_the_name() -> None:
    """The name prompt on a home: the name typed and saved at once."""
    backend = FakeBackend()
    backend.display_names["citizen"] = ""
    app = await signed_in("citizen", backend)
    tree = app_view(app)
    typed_without_change_event(tree, "ชื่อที่แสดง", "สมศรี")
    await click(tree, "บันทึกชื่อ")
    assert backend.display_names["citizen"] == "สมศรี"


async def test_the_add_student_tap_reads_phone_and_name() -> None:
    backend = WorkBackend()
    added: list[dict[str, Any]] = []

    def add(request: httpx.Request) -> httpx.Response:
        added.append(json.loads(request.content))
        return httpx.Response(201, json={"phone": "+66812345678", "role": "technician",
                                         "college_id": COLLEGE["id"], "existing_account": False})

    backend.overrides[("POST", f"/colleges/{COLLEGE['id']}/students")] = add
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    tree = app_view(app)
    typed_without_change_event(tree, "เบอร์โทรของนักศึกษา", "081-234-5678")
    typed_without_change_event(tree, "ชื่อนักศึกษา (ไม่บังคับ)", "สมศักดิ์")
    await click(tree, "เพิ่มนักศึกษา")
    assert added == [{"phone": "+66812345678", "display_name": "สมศักดิ์", "skills": {}}]
