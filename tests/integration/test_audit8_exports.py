"""Audit 8: the college's CSV exports carry text that citizens and students typed. A cell that begins with `=`,
`+`, `-` or `@` is a formula to Excel, which colleges open the files with (a `=HYPERLINK(…)` in an item's name
became a live link in the teacher's sheet; DDE payloads run programs). Such text goes out as text, with Excel's
own text prefix `'`; numbers stay numbers."""

import csv
import io

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit

LINK = '=HYPERLINK("http://evil.example/x","ดูรูปงาน")'


async def test_text_that_excel_would_run_as_a_formula_goes_out_as_text(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api, item=LINK, brand="@SUM(1+1)", district="+1-2")
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{request['id']}/assign", json={"technician_id": area.students["ace"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    assert (await api.patch("/me", json={"display_name": "-2+3 เอ"}, headers=bearer(ace))).status_code == 200

    jobs = await api.get("/supervisor/jobs.csv", params={"lang": "en"}, headers=bearer(teacher))
    assert jobs.status_code == 200, jobs.text
    rows = list(csv.DictReader(io.StringIO(jobs.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["Reference"] == request["reference"])
    assert [row["Item"], row["Brand/model"], row["District"], row["Student technician"]] == [
        "'" + LINK, "'@SUM(1+1)", "'+1-2", "'-2+3 เอ"], row
    ledger = await api.get("/supervisor/ledger.csv", params={"lang": "en"}, headers=bearer(teacher))
    students = {r["Student"]: r for r in csv.DictReader(io.StringIO(ledger.content.decode("utf-8-sig")))}
    assert students["'-2+3 เอ"]["Approved jobs"] == "0"  # a number stays a number
