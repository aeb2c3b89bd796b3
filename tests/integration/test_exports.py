"""The college's exports in Thai (and English): CSV for Excel, and a student's training record as a PDF."""

import csv
import io
import re

import psycopg
import pypdf

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, record_work, submit

BE_DATE = re.compile(r"^[0-3][0-9]/[01][0-9]/25[6-9][0-9] [0-2][0-9]:[0-5][0-9]$")  # 15/03/2569 14:05
CE_DATE = re.compile(r"^20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]$")


async def test_csv_exports_in_thai_and_english(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]}, headers=bearer(teacher))
    ace, _ = await sign_in(api, area.students["ace"][1])
    await record_work(api, ace, rid, hours=2.5)
    for to in ("diagnosing", "repairing", "quality_check"):
        assert (await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(ace))).is_success
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))).is_success
    with psycopg.connect(database_url, autocommit=True) as conn:  # in hand for 3 hours: the hours fit its timeline
        conn.execute("update public.status_events set created_at = created_at - interval '3 hours' "
                     "where request_id = %s and to_status = 'accepted'", [rid])
    # The training-hours ledger counts the hours the teacher approved (issue 14).
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).is_success

    thai = await api.get("/supervisor/jobs.csv", headers=bearer(teacher))
    assert thai.status_code == 200 and thai.headers["content-type"].startswith("text/csv")
    assert thai.content.startswith("\ufeff".encode())  # the BOM Excel needs for Thai
    rows = list(csv.DictReader(io.StringIO(thai.content.decode("utf-8").lstrip("\ufeff"))))
    row = next(r for r in rows if r["เลขที่อ้างอิง"] == request["reference"])
    assert row["สถานะ"] == "ซ่อมเสร็จแล้ว" and row["ประเภทงาน"] == "เครื่องใช้ไฟฟ้า"
    assert BE_DATE.match(row["วันที่แจ้ง"]) and BE_DATE.match(row["วันที่อนุมัติ"]), row
    assert (row["นักศึกษาช่าง"], row["ชั่วโมงทำงาน"], row["ผู้อนุมัติ"]) == ("เอ เก่งมาก", "2.5", "ครู")
    assert "done" not in thai.content.decode("utf-8") and "appliance" not in thai.content.decode("utf-8")

    english = await api.get("/supervisor/jobs.csv", params={"lang": "en"}, headers=bearer(teacher))
    en_rows = list(csv.DictReader(io.StringIO(english.content.decode("utf-8-sig"))))
    en_row = next(r for r in en_rows if r["Reference"] == request["reference"])
    assert (en_row["Status"], en_row["Category"]) == ("Repaired", "Household appliances")
    assert CE_DATE.match(en_row["Requested on"]), en_row

    ledger = await api.get("/supervisor/ledger.csv", headers=bearer(teacher))
    ledger_rows = list(csv.DictReader(io.StringIO(ledger.content.decode("utf-8-sig"))))
    ace_row = next(r for r in ledger_rows if r["นักศึกษา"] == "เอ เก่งมาก")
    assert (ace_row["งานที่ผ่านการตรวจ"], ace_row["ชั่วโมงทำงาน"], ace_row["ประเภทงาน"]) == ("1", "2.5",
                                                                                          "เครื่องใช้ไฟฟ้า")
    en_ledger = await api.get("/supervisor/ledger.csv", params={"lang": "en"}, headers=bearer(teacher))
    assert en_ledger.content.decode("utf-8-sig").splitlines()[0] == "Student,Approved jobs,Hours worked,Categories"
    bad = await api.get("/supervisor/jobs.csv", params={"lang": "fr"}, headers=bearer(teacher))
    assert bad.status_code == 422 and bad.json()["error"]["message_th"]

    # The student's record as a PDF: the Thai font embedded, their Thai name, the job and the hours in its text.
    pdf = await api.get(f"/supervisor/ledger/{area.students['ace'][0]}.pdf", headers=bearer(teacher))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "เอ เก่งมาก" in text and request["reference"] in text
    assert "รวม 1 งาน 2.5 ชั่วโมง" in text and "วิทยาลัยทดสอบใกล้" in text
    assert b"NotoSansThai" in pdf.content and b"/FontFile2" in pdf.content  # the font's subset is embedded
    english_pdf = await api.get(f"/supervisor/ledger/{area.students['ace'][0]}.pdf", params={"lang": "en"},
                                headers=bearer(teacher))
    english_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(english_pdf.content)).pages)
    assert "Total: 1 job, 2.5 hours" in english_text


async def test_a_ledger_pdf_only_for_the_teachers_own_students(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    other_college = await api.get(f"/supervisor/ledger/{area.students['far1'][0]}.pdf", headers=bearer(teacher))
    assert other_college.status_code == 404 and other_college.json()["error"]["code"] == "not_found"
    not_a_student = await api.get(f"/supervisor/ledger/{area.students['teacher'][0]}.pdf", headers=bearer(teacher))
    assert not_a_student.status_code == 404
    malformed = await api.get("/supervisor/ledger/not-a-uuid.pdf", headers=bearer(teacher))
    assert malformed.status_code == 422
    empty = await api.get(f"/supervisor/ledger/{area.students['dan'][0]}.pdf", headers=bearer(teacher))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(empty.content)).pages)
    assert "ดี เริ่มต้น" in text and "ยังไม่มีงานที่ผ่านการตรวจ" in text
    ace, _ = await sign_in(api, area.students["ace"][1])
    assert (await api.get(f"/supervisor/ledger/{area.students['ace'][0]}.pdf",
                          headers=bearer(ace))).status_code == 403
