"""The student's job screen in a reopened job's later round: the report form comes prefilled from the last report but
marked as needing this round's, the after photos ask for a new one, and a refused "send to QC" says why."""

from typing import Any
from uuid import UUID, uuid4

import httpx

from mobile.views.frame import app_view
from shared.statuses import RequestStatus
from shared.text import ERRORS, QC_MISSING_IN_ROUND, missing_list, qc_missing_key
from tests.unit.mobile_fakes import NOW, WorkBackend, error_response, jpeg_with_exif, texts
from tests.unit.mobile_screens import assert_accessible, signed_in

ROUND_REPORT = "รอบที่ 2: บันทึกรายงานของรอบนี้"
ROUND_PHOTO = "รอบที่ 2: ถ่ายรูปหลังซ่อมใหม่ของรอบนี้"
EARLIER_PHOTO = "เปิดดูรูปหลังซ่อมที่ 1 (รอบก่อน)"


def _missing(*codes: str) -> list[dict[str, str]]:
    texts_of = {c: ERRORS[qc_missing_key(c, later_round=True)] for c in codes}
    return [{"code": c, "message_th": text.th, "message_en": text.en} for c, text in texts_of.items()]


class RoundBackend(WorkBackend):
    """A job in round 2: the first round's report and after photo (index 0) are there, none of this round's."""

    def __init__(self) -> None:
        super().__init__()
        self.job.update(
            status="repairing", work_round=2, report_in_round=False, after_photos_in_round=[],
            report={"hours": 1.5, "notes": "เปลี่ยนฟิวส์", "parts": [], "parts_total_baht": 0.0,
                    "updated_at": NOW.isoformat()},
            photos=[{"id": str(uuid4()), "kind": "after", "idx": 0, "content_type": "image/jpeg", "width": 8,
                     "height": 8, "bytes": 10}],
            quality_check_missing=_missing("after_photo", "hours", "report"))
        self.refuse_qc: httpx.Response | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.refuse_qc is not None and request.method == "POST" and request.url.path.endswith("/status"):
            self.requests.append(request)
            return self.refuse_qc
        return super().handle(request)


async def _round_two_job() -> tuple[RoundBackend, Any]:
    backend = RoundBackend()
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None
    return backend, app


async def test_a_later_round_asks_for_its_own_report_and_after_photo() -> None:
    backend, app = await _round_two_job()
    job = app.job
    # The form starts from the last report, marked as not yet this round's.
    assert (job.report.hours, job.report.notes) == ("1.5", "เปลี่ยนฟิวส์")
    assert job.work_round == 2 and not job.report_is_this_rounds and job.after_photos_in_round == []
    assert job.report_round_note is not None and job.report_round_note.startswith(ROUND_REPORT)
    assert job.after_photo_round_note is not None and job.after_photo_round_note.startswith(ROUND_PHOTO)
    shown = texts(app_view(app))
    assert any(x.startswith(ROUND_REPORT) for x in shown) and any(x.startswith(ROUND_PHOTO) for x in shown)
    assert len(job.qc_missing) == 3 and job.qc_missing[0].startswith("ถ่ายรูปหลังซ่อมใหม่ของรอบนี้")
    assert_accessible(app_view(app))

    # The first round's photo stays on the record, said to be the earlier round's.
    assert job.earlier_round_after_photos == [0]
    assert EARLIER_PHOTO in texts(app_view(app))

    # A new photo goes to a free index (the first round's stays), and counts for this round.
    await job.add_after_photos([("a.jpg", jpeg_with_exif())])
    assert [idx for idx, _ in backend.uploads] == [1]
    assert job.after_photos_in_round == [1] and job.after_photo_round_note is None
    assert job.earlier_round_after_photos == [0]
    shown = texts(app_view(app))
    assert EARLIER_PHOTO in shown and "เปิดดูรูปหลังซ่อมที่ 2" in shown  # the new one is this round's
    assert len(job.qc_missing) == 2  # hours and report still this round's to save

    await job.save_report()
    assert backend.bodies[-1]["notes"] == "เปลี่ยนฟิวส์"  # saved again as this round's (edited or not)
    assert job.report_is_this_rounds and job.report_round_note is None
    assert job.qc_missing == []
    shown = texts(app_view(app))
    assert not any(x.startswith((ROUND_REPORT, ROUND_PHOTO)) for x in shown)


async def test_a_full_set_of_earlier_photos_is_kept_and_not_a_dead_end() -> None:
    """The first round's five stay (that repair's evidence: the backend refuses to replace them, 409
    photo_earlier_work, known18be); this round's go beside them, at the record's next free index."""
    backend = RoundBackend()
    backend.job["photos"] = [{**backend.job["photos"][0], "id": str(uuid4()), "idx": i} for i in range(5)]
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.can_add_after_photo  # the five are the first round's
    await job.add_after_photos([("a.jpg", jpeg_with_exif())])
    assert [idx for idx, _ in backend.uploads] == [5] and job.after_photos_in_round == [5]


async def test_the_first_round_is_unchanged() -> None:
    backend = WorkBackend()
    backend.job.update(status="repairing", photos=[{"id": str(uuid4()), "kind": "after", "idx": 0,
                                                    "content_type": "image/jpeg", "width": 8, "height": 8,
                                                    "bytes": 10}],
                       after_photos_in_round=[0])  # as the backend sends it: the app judges no photo itself
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.work_round == 1
    assert job.after_photos_in_round == [0]  # every photo counts in the first round
    assert job.earlier_round_after_photos == [] and "เปิดดูรูปหลังซ่อมที่ 1" in texts(app_view(app))
    assert job.report_round_note is None and job.after_photo_round_note is None


async def test_a_refused_send_to_qc_says_what_this_round_lacks() -> None:
    backend, app = await _round_two_job()
    job = app.job
    names = missing_list(["hours", "report"], later_round=True)
    refusal = error_response(409, "quality_check_incomplete", missing_th=names.th, missing_en=names.en).json()
    refusal["error"]["fields"] = {m["code"]: {**m, "code": qc_missing_key(m["code"], later_round=True)}
                                  for m in _missing("hours", "report")}
    backend.refuse_qc = httpx.Response(409, json=refusal)
    job.start_step(RequestStatus.QUALITY_CHECK)
    await job.confirm_step()
    assert job.open_step is not None
    assert job.step_error is not None and QC_MISSING_IN_ROUND["report"].th in job.step_error
    assert job.step_missing == [ERRORS["qc_missing_hours_in_round"].th, ERRORS["qc_missing_report_in_round"].th]
    shown = texts(app_view(app))
    assert f"• {ERRORS['qc_missing_report_in_round'].th}" in shown
