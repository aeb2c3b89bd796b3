"""A teacher who asked for a repair themselves is offered none of the college's decisions about it: the job screen
hides approve and send back, the other steps, assigning and the team's helper, and says another teacher handles and
checks it (the backend refuses them anyway, 403 own_request_check / own_request_staff)."""

from uuid import UUID

from mobile.views.frame import app_view
from shared.text import Locale
from tests.unit.mobile_fakes import WorkBackend, texts
from tests.unit.mobile_screens import assert_accessible, signed_in

NOTE_TH = "คุณเป็นผู้ขอซ่อมงานนี้ ครูท่านอื่นของวิทยาลัยจะดูแลและตรวจงานนี้"
NOTE_EN = "You asked for this repair: another teacher of the college handles and checks it"


async def test_a_teachers_own_request_in_the_check_offers_no_approve_or_send_back() -> None:
    backend = WorkBackend()
    backend.job.update(status="quality_check", is_mine=True)
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.teachers_own_request
    assert job.steps == []
    tree = app_view(app)
    shown = texts(tree)
    assert NOTE_TH in shown and "อนุมัติ" not in shown and "ส่งกลับแก้ไข" not in shown
    assert_accessible(tree)
    await app.toggle_locale()
    assert app.locale == Locale.EN and NOTE_EN in texts(app_view(app))


async def test_a_colleagues_request_in_the_check_is_theirs_to_approve_or_send_back() -> None:
    backend = WorkBackend()
    backend.job.update(status="quality_check", is_mine=False)
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and not job.teachers_own_request and job.own_request_note is None
    assert sorted(s.label.th for s in job.steps) == ["ส่งกลับแก้ไข", "อนุมัติ"]
    assert NOTE_TH not in texts(app_view(app))


async def test_their_own_request_past_the_check_offers_no_hand_back_or_assign_either() -> None:
    # Every decision of the college about the teacher's own repair is another teacher's (403 own_request_staff):
    # a done job of their own is not handed back by them, nor is an offered one assigned.
    for status in ("done", "offered"):
        backend = WorkBackend()
        backend.job.update(status=status, is_mine=True)
        app = await signed_in("supervisor", backend)
        await app.open_job(UUID(backend.job["id"]))
        job = app.job
        assert job is not None and job.steps == [] and not job.can_assign, status
        shown = texts(app_view(app))
        assert NOTE_TH in shown and "ส่งคืนเจ้าของ" not in shown, status


async def test_a_colleagues_done_job_is_still_theirs_to_hand_back() -> None:
    backend = WorkBackend()
    backend.job.update(status="done", is_mine=False)
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None and [s.label.th for s in app.job.steps] == ["ส่งคืนเจ้าของ"]
    assert NOTE_TH not in texts(app_view(app))
