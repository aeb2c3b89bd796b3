"""resil25 3: the app's writes under a dropped connection (a rating, a teacher's check, a report, after photos, an
accept). What the person entered stays on the screen, and the screen says so in Thai and English: a bare "cannot
reach the server" leaves them to guess whether it was saved and whether to type it all again."""

from typing import Any
from uuid import UUID

import flet as ft
import httpx
import pytest

from mobile.viewmodels.home import CitizenHome, TechnicianHome
from mobile.views.frame import app_view
from shared.statuses import RequestStatus
from shared.text import Locale, bilingual, error_text
from shared.wire import RequestAction
from tests.unit.mobile_fakes import DetailBackend, WorkBackend, button_named, find, jpeg_with_exif, texts
from tests.unit.mobile_screens import assert_accessible, signed_in, technician_job

NO_CONNECTION = error_text("network_unreachable")


def drop_writes(backend: Any) -> list[httpx.Request]:
    """Every write fails as a dropped connection does (reads still answer); returns the writes that were tried."""
    inner, tried = backend.handle, []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            tried.append(request)
            raise httpx.ConnectError("connection reset", request=request)
        answer: httpx.Response = inner(request)
        return answer

    backend.handle = handle
    return tried


def restore(backend: Any) -> None:
    del backend.handle  # the class's own again


def field_values(app: Any) -> list[str]:
    return [str(f.value) for f in find(app_view(app), ft.TextField)]


@pytest.mark.parametrize("locale", [Locale.TH, Locale.EN])
async def test_a_rating_a_check_and_a_report_not_sent_say_what_was_entered_is_kept(locale: Locale) -> None:
    kept = bilingual("entries_kept").in_(locale)
    # The citizen's rating.
    detail_backend = DetailBackend()
    detail_backend.actions = ["rate"]
    detail_backend.my_requests[0]["status"] = "handed_back"
    app = await signed_in("citizen", detail_backend, locale)
    assert isinstance(app.home, CitizenHome)
    await app.home.open_request(app.home.requests[0].id)
    detail = app.request_detail
    assert detail is not None
    detail.start_action(RequestAction.RATE)
    detail.set_rating(4)
    detail.set_comment("ซ่อมเร็วมาก")
    drop_writes(detail_backend)
    await detail.confirm()
    assert detail.open_action == RequestAction.RATE and detail.rating == 4
    assert "ซ่อมเร็วมาก" in field_values(app)
    assert detail.action_error is not None
    assert NO_CONNECTION.in_(locale) in detail.action_error and kept in detail.action_error
    # The teacher's check, sent back with a note.
    work = WorkBackend()
    work.job["status"] = "quality_check"
    teacher = await signed_in("supervisor", work, locale)
    await teacher.open_job(UUID(work.job["id"]))
    job = teacher.job
    assert job is not None
    job.start_step(RequestStatus.REPAIRING)
    job.set_note("ขันน็อตฝาหลังให้แน่น")
    drop_writes(work)
    await job.confirm_step()
    assert job.open_step is not None and "ขันน็อตฝาหลังให้แน่น" in field_values(teacher)
    assert job.step_error is not None and kept in job.step_error
    # The student's report.
    work, student, job = await technician_job("repairing", locale)
    job.set_hours("2")
    job.set_notes("เปลี่ยนฟิวส์")
    drop_writes(work)
    await job.save_report()
    assert {"2", "เปลี่ยนฟิวส์"} <= set(field_values(student))
    assert any(kept in e for e in job.report_errors)


async def test_after_photos_not_sent_are_kept_and_sent_again() -> None:
    work, student, job = await technician_job("repairing")
    tried = drop_writes(work)
    await job.add_after_photos([("a.jpg", jpeg_with_exif()), ("b.jpg", jpeg_with_exif((10, 200, 10)))])
    assert len(tried) == 1 and job.photos("after") == []  # the first failed; nothing stored
    assert job.photo_error is not None and NO_CONNECTION.th in job.photo_error
    assert bilingual("after_photos_unsent", count=2).th in job.photo_error
    assert_accessible(app_view(student))
    restore(work)
    await button_named(app_view(student), bilingual("after_photos_send_again").th).on_click()  # type: ignore[attr-defined]
    assert [idx for idx, _ in work.uploads] == [0, 1]
    assert [p.idx for p in job.photos("after")] == [0, 1] and job.photo_error is None
    assert bilingual("after_photos_send_again").th not in texts(app_view(student))


async def test_an_accept_not_sent_keeps_the_offer_and_says_why() -> None:
    """Nothing typed to keep: the offer stays on the list with its buttons, and the home says the connection failed."""
    work = WorkBackend()
    student = await signed_in("technician", work)
    home = student.home
    assert isinstance(home, TechnicianHome)
    offer_id = UUID(str(work.offers[0]["offer_id"]))
    drop_writes(work)
    await home.accept(offer_id)
    assert home.notice == NO_CONNECTION.th and home.notice_is_error
    assert [o.offer_id for o in home.offers] == [offer_id] and home.busy_offer is None
    assert "รับงาน" in texts(app_view(student))
