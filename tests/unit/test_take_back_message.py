"""The one message a citizen gets when a job under way is taken back from its student (migration 0073): what the
take back withdrew, and, when nobody took the job on in the same move, that it waits for an administrator."""

from datetime import UTC, datetime

from shared.notifications import Kind, render
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PARAMS = {"item": "พัดลม", "college_th": "วิทยาลัยใกล้", "college_en": "Near College"}


def test_a_take_back_says_which_waiting_parts_were_withdrawn() -> None:
    plain = render(Kind.JOB_TAKEN_BACK, {**PARAMS, "parts_withdrawn": 0}, Locale.EN, NOW, 690001)
    assert "withdrawn" not in plain.body
    told = render(Kind.JOB_TAKEN_BACK, {**PARAMS, "parts_withdrawn": 2}, Locale.EN, NOW, 690001)
    assert told.body.startswith(plain.body)
    assert "The 2 parts the former student proposed that awaited your answer were withdrawn" in told.body
    thai = render(Kind.JOB_TAKEN_BACK, {**PARAMS, "parts_withdrawn": 2}, Locale.TH, NOW, 690001)
    assert "2 รายการถูกถอนแล้ว" in thai.body


def test_a_take_back_nobody_took_says_both_in_one_message() -> None:
    told = render(Kind.JOB_TAKEN_BACK, {**PARAMS, "parts_withdrawn": 0, "nobody_took": True}, Locale.EN, NOW,
                  690001)
    assert told.title == "FX-690001 was taken back from its student, and no student has taken it yet"
    assert "An administrator will send it on" in told.body and "Near College" in told.body
    thai = render(Kind.JOB_TAKEN_BACK, {**PARAMS, "nobody_took": True}, Locale.TH, NOW, 690001)
    assert thai.title.startswith("รับงานคืนจากนักศึกษาแล้ว และยังไม่มีนักศึกษารับงาน")
    assert "วิทยาลัยใกล้" in thai.body
