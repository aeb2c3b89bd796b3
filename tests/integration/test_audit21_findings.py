"""audit21: findings of a fresh-eyes read of session 20's code (git diff 2909265 cbdd4f5), each written as the
behaviour the project's own rules promise (README, the migrations' and modules' docstrings) and marked
`xfail(strict=True)` while the bug is there: a fix turns its test green and then its mark must go. The findings, most
severe first, with file:line and a suggested fix: /tmp/p21/audit21-findings.md (the session's report)."""

import pytest

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, record_work, step

# --- Whose work the report is (audit20 #5, migration 0092) ---------------------------------------------------------

@pytest.mark.xfail(strict=True, reason=(
    "audit21 #1: job_reports_stamp_the_work (0092) fires `before insert or update` on every update of the row, the "
    "foreign key's ON DELETE SET NULL of technician_id included: the former student's account deletion restamps "
    "their report with the work now on the job, which then passes the new student's check"))
async def test_a_former_students_deletion_does_not_make_their_report_the_new_students(
        app_and_clock: AppClock, area: Area) -> None:
    """bee repaired the job and saved a report; the teacher reassigned it to ace, who uploaded an after photo and
    wrote no report yet. The report on the record is bee's, of an earlier work (0092: `work_event` is the work it was
    written in), and ace may not send the job for its check on it. bee then deletes their account (DELETE /me): the
    report stays (0012: "the student's report and hours stay"), and it is still bee's earlier work, not ace's."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดมอเตอร์ออกมาตรวจ ขดลวดไหม้")
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(ace))
    assert uploaded.status_code == 201, uploaded.text
    photo_only = await api.get(f"/requests/{rid}", headers=bearer(ace))
    assert photo_only.json()["report_in_round"] is False  # bee's report: not ace's work

    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
    assert deleted.status_code == 204, deleted.text

    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    checked = await step(api, ace, rid, "quality_check")
    # Today: {'report_in_round': True, 'check': 200}: the deletion's `set technician_id = null` restamped bee's
    # report with the reassign's event, and ace's job went to its check on bee's hours and notes.
    assert {"report_in_round": detail["report_in_round"], "check": checked.status_code} == {
        "report_in_round": False, "check": 409}, checked.text
