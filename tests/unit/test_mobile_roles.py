"""Every role's day (issue 12), app side: the teacher's job list, the photo viewer, what QC lacks, the citizen's
full record, offers that are still open."""

import asyncio
import json
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx

from mobile.live import ServerEvent
from mobile.viewmodels.app import COLLEGE_JOBS_ROUTE, Screen
from mobile.viewmodels.college_jobs import PAGE_SIZE
from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.views.frame import app_view, app_views
from shared.statuses import StatusGroup
from tests.unit.mobile_fakes import COLLEGE, NOW, WorkBackend, error_response, find, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, signed_in

JPEG = {"content-type": "image/jpeg"}


def college_job(item: str, status: str, actions: list[str], reference: str) -> dict[str, Any]:
    summary = request_summary(item, status)
    return {**summary, "reference": reference, "brand": "", "province": "เชียงใหม่", "district": "เมือง",
            "service_place": "centre", "technician_id": None, "technician_name": "วิชัย ใจดี", "actions": actions}


class RolesBackend(WorkBackend):
    def __init__(self) -> None:
        super().__init__()
        self.college_jobs = [college_job(f"งาน {n}", "done", ["handed_back"], f"FX-69{n:04d}") for n in range(25)]
        self.college_jobs[0] = {**self.college_jobs[0], "id": self.job["id"]}

    def handle(self, request: httpx.Request) -> httpx.Response:
        override = self.overrides.get((request.method, request.url.path))
        if override is not None:
            self.requests.append(request)
            return override(request)
        if request.url.path == "/supervisor/jobs":
            self.requests.append(request)
            params = request.url.params
            rows = [j for j in self.college_jobs if params.get("q", "") in j["reference"] + j["item"]]
            assert "offset" not in params
            ids = [j["id"] for j in rows]
            start = ids.index(params["after"]) + 1 if "after" in params else 0
            limit = int(params["limit"])
            more = start + limit < len(rows)
            return httpx.Response(200, json={"total": len(rows), "limit": limit,
                                             "next_after": ids[start + limit - 1] if more else None,
                                             "counts": {"done": len(self.college_jobs)},
                                             "jobs": rows[start:start + limit]})
        return super().handle(request)


async def teacher_on_job_list() -> tuple[RolesBackend, Any]:
    backend = RolesBackend()
    app = await signed_in("supervisor", backend)
    assert isinstance(app.home, SupervisorHome)
    await app.home.open_college_jobs()
    assert app.screen == Screen.COLLEGE_JOBS and app.route == COLLEGE_JOBS_ROUTE
    return backend, app


async def test_the_job_list_filters_searches_and_pages() -> None:
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    assert len(jobs.jobs) == PAGE_SIZE and jobs.has_more
    tree = app_view(app)
    assert "ซ่อมเสร็จแล้ว 25" in [c.content for c in find(tree, ft.OutlinedButton)]
    assert "ทำได้: ส่งคืนเจ้าของ" in texts(tree) and "FX-690001" in texts(tree)
    assert_accessible(tree)

    await jobs.load_more()
    assert len(jobs.jobs) == 25 and not jobs.has_more
    assert backend.calls("GET", "/supervisor/jobs")[-1].url.params["after"] == str(jobs.jobs[PAGE_SIZE - 1].id)

    await jobs.toggle_group(StatusGroup.DONE)
    await jobs.toggle_group(StatusGroup.QUALITY_CHECK)
    assert backend.calls("GET", "/supervisor/jobs")[-1].url.params.get_list("status") == ["quality_check", "done"]
    await jobs.search("FX-690007")
    assert [j.reference for j in jobs.jobs] == ["FX-690007"]
    assert backend.calls("GET", "/supervisor/jobs")[-1].url.params["q"] == "FX-690007"


async def test_a_job_opened_from_the_list_goes_back_to_it() -> None:
    backend, app = await teacher_on_job_list()
    backend.job["status"] = "done"
    await app.college_jobs.open_job(UUID(backend.job["id"]))
    assert app.screen == Screen.JOB and app.job is not None
    # The list stays under the job (it keeps its place); the job offers what the teacher may do.
    assert [v.route for v in app_views(app)] == ["/", COLLEGE_JOBS_ROUTE, f"/jobs/{backend.job['id']}"]
    assert [s.to_status.value for s in app.job.steps] == ["handed_back"]
    await app.job.back()
    assert app.screen == Screen.COLLEGE_JOBS and app.college_jobs is not None


async def test_the_student_sees_what_qc_lacks_before_and_after_trying() -> None:
    backend = RolesBackend()
    backend.job.update(status="repairing", quality_check_missing=[
        {"code": "after_photo", "message_th": "ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป", "message_en": "Add an after photo"}])
    refusal = error_response(409, "quality_check_incomplete", missing_th="รูปหลังซ่อม", missing_en="an after photo")
    body = refusal.json()
    body["error"]["fields"] = {"after_photo": {"code": "qc_missing_after_photo",
                                               "message_th": "ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป", "message_en": "x"}}
    backend.overrides[("POST", f"/requests/{backend.job['id']}/status")] = lambda _: httpx.Response(409, json=body)
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    assert job.qc_missing == ["ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป"]
    assert "ก่อนส่งให้ครูตรวจ ยังขาด:" in texts(app_view(app))
    job.start_step(next(s.to_status for s in job.steps if s.to_status.value == "quality_check"))
    await job.confirm_step()
    assert job.open_step is not None and job.step_missing == ["ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป"]
    tree = texts(app_view(app))
    assert "ยังส่งให้ครูตรวจไม่ได้ ยังขาด: รูปหลังซ่อม" in tree and "• ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป" in tree


async def test_a_photo_opens_full_screen_and_pages() -> None:
    backend = RolesBackend()
    photos = [{"id": str(uuid4()), "kind": kind, "idx": 0, "content_type": "image/jpeg", "width": 8, "height": 8,
               "bytes": 10} for kind in ("before", "after")]
    backend.job.update(photos=photos)
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None
    await app.job.open_photo("after", 0)
    viewer = app.photo_viewer
    assert viewer.is_open and viewer.index == 1 and viewer.image == b"thumb" and not viewer.has_next
    top = app_views(app)[-1]
    assert top.key == "photo-viewer" and find(top, ft.InteractiveViewer)
    assert backend.calls("GET", f"/requests/{backend.job['id']}/photos/after/0")[-1].url.params.get("thumb") is None
    await viewer.previous()
    assert viewer.current == (UUID(backend.job["id"]), "before", 0)
    await app.go_back()  # the phone's back closes the photo, not the job
    assert not viewer.is_open and app.screen == Screen.JOB


async def test_only_open_offers_show_with_the_citizens_words() -> None:
    backend = RolesBackend()
    backend.offers[0]["description"] = "เปิดไม่ติด มีเสียงดัง"
    backend.offers.append({**backend.offers[0], "offer_id": str(uuid4()), "offer_status": "accepted",
                           "item": "รับไปแล้ว"})
    app = await signed_in("technician", backend)
    assert isinstance(app.home, TechnicianHome)
    assert [o.item for o in app.home.offers] == ["ตู้เย็นไม่เย็น"]
    assert "อาการ: เปิดไม่ติด มีเสียงดัง" in texts(app_view(app))


async def test_the_citizen_sees_the_whole_record() -> None:
    backend = RolesBackend()
    rid = backend.job["id"]
    backend.job.update(
        status="handed_back", reference="FX-690042", description="เปิดแล้วไม่หมุน", service_place="home",
        preferred_days=["sun", "mon"], college_phone="+6653217777", college_lat=18.79, college_lon=98.98,
        next_step="ได้รับของคืนแล้ว", expected_wait=None, technician_first_name="วิชัย",
        report={"hours": 2, "notes": "เปลี่ยนมอเตอร์", "parts": [{"name": "มอเตอร์", "qty": 1, "cost_baht": 350}],
                "parts_total_baht": 350, "updated_at": NOW.isoformat()},
        timeline=[{"id": 1, "actor": "citizen", "from_status": "handed_back", "to_status": "submitted",
                   "note": "", "created_at": NOW.isoformat()}])
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(rid))
    tree = app_view(app)
    shown = texts(tree)
    for line in ("เลขที่อ้างอิง FX-690042", "อาการเสีย: เปิดแล้วไม่หมุน", "สถานที่ซ่อม: ที่บ้าน",
                 "วันที่สะดวก: วันจันทร์, วันอาทิตย์", "รวมค่าอะไหล่ 350.00 บาท", "ได้รับของคืนแล้ว",
                 "ช่างผู้รับงาน: วิชัย", "ยังไม่หาย"):
        assert line in shown, line
    assert "ได้รับคำขอแล้ว" not in shown  # the reopen step reads "still broken"
    # Back with its owner, nothing is left to arrange with the college: no call or map under the record (ux21).
    assert not any("โทรหาวิทยาลัย" in s for s in shown) and "ดูตำแหน่งวิทยาลัยบนแผนที่" not in shown
    assert app.request_detail is not None and app.request_detail.college_call_url == "tel:+6653217777"
    assert_accessible(tree)


async def test_the_teacher_adds_a_student_and_imports_a_list() -> None:
    backend = RolesBackend()
    students = f"/colleges/{COLLEGE['id']}/students"
    added: list[dict[str, Any]] = []

    def add(request: httpx.Request) -> httpx.Response:
        added.append(json.loads(request.content))
        return httpx.Response(201, json={"phone": "+66812345678", "role": "technician",
                                         "college_id": COLLEGE["id"], "existing_account": False})

    refusal = error_response(400, "csv_invalid", count=1).json()
    refusal["error"]["lines"] = [{"line": 3, "code": "invalid_phone", "message_th": "เบอร์ไม่ถูกต้อง",
                                  "message_en": "Bad phone"}]
    answers = iter([httpx.Response(400, json=refusal),
                    httpx.Response(200, json={"imported": 2, "changed_now": 1, "invited": 1})])
    backend.overrides[("POST", students)] = add
    backend.overrides[("POST", f"{students}/import")] = lambda _: next(answers)
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    screen.set_phone_input("12")
    await screen.add_student()
    assert screen.add_error is not None and not added  # checked here first, nothing sent
    screen.set_phone_input("081-234-5678")
    screen.set_name_input("สมศักดิ์")
    await screen.add_student()
    assert added == [{"phone": "+66812345678", "display_name": "สมศักดิ์", "skills": {}}]
    assert screen.notice == "บันทึก 081-234-5678 แล้ว จะเป็นนักศึกษาของวิทยาลัยเมื่อเข้าสู่ระบบครั้งแรก"
    assert screen.phone_input == ""

    await screen.import_csv([("students.csv", b"phone,name\n0812345678,a\nbad,b\n")])
    assert screen.import_lines == ["บรรทัด 3: เบอร์ไม่ถูกต้อง"] and screen.import_error is not None
    tree = app_view(app)
    assert "บรรทัด 3: เบอร์ไม่ถูกต้อง" in texts(tree)
    assert_accessible(tree)
    await screen.import_csv([("students.csv", b"phone,name\n0812345678,a\n0812345679,b\n")])
    assert screen.import_lines == [] and screen.notice is not None and "นำเข้า 2 คนแล้ว" in screen.notice


async def test_a_new_offer_shows_live_on_the_students_home() -> None:
    backend = RolesBackend()
    app = await signed_in("technician", backend)
    assert isinstance(app.home, TechnicianHome)
    backend.offers.append({**backend.offers[0], "offer_id": str(uuid4()), "item": "เปิดใหม่อีกครั้ง"})
    await app.live_event(ServerEvent(event="offer", data=json.dumps({"offer_id": backend.offers[-1]["offer_id"]})))
    assert "เปิดใหม่อีกครั้ง" in [o.item for o in app.home.offers]


async def test_back_from_a_job_far_down_the_list_keeps_the_pages_loaded() -> None:
    """The teacher paged on and opened a job low on the list: back (and a live event meanwhile) must keep the rows
    they had, not drop them to the first page with the job they came from gone from under them."""
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    await jobs.load_more()
    assert len(jobs.jobs) == 25
    last = jobs.jobs[-1]
    backend.job["id"] = str(last.id)
    await jobs.open_job(last.id)
    await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": "offered"})))
    before = len(backend.calls("GET", "/supervisor/jobs"))
    await app.job.back()
    assert app.screen == Screen.COLLEGE_JOBS
    assert len(jobs.jobs) == 25 and last.id in [j.id for j in jobs.jobs] and not jobs.has_more
    # The rows shown, in one call (up to the backend's page cap, shared.work.JOB_PAGE_MAX), not page by page.
    reloads = backend.calls("GET", "/supervisor/jobs")[before:]
    assert [(r.url.params["limit"], r.url.params.get("after")) for r in reloads] == [("25", None)]
    assert "FX-690024" in texts(app_view(app))
    await jobs.search("FX-6900")
    assert len(jobs.jobs) == PAGE_SIZE  # a new search starts at its first page


async def test_a_photo_replaced_since_it_was_last_opened_shows_as_it_is_now() -> None:
    """A later round's after photo goes in at an earlier round's index: opened full screen again, it must show the
    new photo, not the one this app fetched before (the viewer kept every full image for the whole session)."""
    backend = RolesBackend()
    photo = {"id": str(uuid4()), "kind": "after", "idx": 0, "content_type": "image/jpeg", "width": 8, "height": 8,
             "bytes": 10}
    backend.job.update(status="repairing", photos=[photo])
    served = [b"first repair"]
    path = f"/requests/{backend.job['id']}/photos/after/0"
    backend.overrides[("GET", path)] = lambda r: httpx.Response(200, content=served[0], headers=JPEG)
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None
    await app.job.open_photo("after", 0)
    assert app.photo_viewer.image == b"first repair"
    await app.go_back()
    served[0] = b"second repair"
    await app.job.open_photo("after", 0)
    assert app.photo_viewer.image == b"second repair"


async def test_a_thumbnail_follows_its_photo_replaced_while_the_screen_shows() -> None:
    """The teacher has the job open; the student puts a later round's after photo in at index 0. The live reload
    lists a new photo there: its thumbnail must be fetched again (the old one stayed, fetched once per index)."""
    backend = RolesBackend()
    photo = {"id": str(uuid4()), "kind": "after", "idx": 0, "content_type": "image/jpeg", "width": 8, "height": 8,
             "bytes": 10}
    backend.job.update(status="quality_check", photos=[photo])
    served = [b"first repair"]
    backend.overrides[("GET", f"/requests/{backend.job['id']}/photos/after/0")] = \
        lambda r: httpx.Response(200, content=served[0], headers=JPEG)
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.thumbnail("after", 0) == b"first repair"
    served[0] = b"second repair"
    backend.job["photos"] = [{**photo, "id": str(uuid4())}]
    await app.live_event(ServerEvent("request", json.dumps({"request_id": backend.job["id"], "status": "repairing"})))
    assert job.thumbnail("after", 0) == b"second repair"
    await app.live_event(ServerEvent("request", json.dumps({"request_id": backend.job["id"], "status": "repairing"})))
    thumbs = [r for r in backend.calls("GET", f"/requests/{backend.job['id']}/photos/after/0")
              if r.url.params.get("thumb") == "true"]
    assert len(thumbs) == 2  # the same photo again: not fetched again


async def test_a_filter_tapped_while_the_list_loads_is_what_the_list_shows() -> None:
    """A search is on its way when the teacher taps a stage chip: the list must end up matching the chips (the
    tap's own load was dropped, and the list showed the search's answer under the new chip)."""
    backend = RolesBackend()
    backend.college_jobs[3] = {**backend.college_jobs[3], "status": "quality_check"}
    app = await signed_in("supervisor", backend)
    assert isinstance(app.home, SupervisorHome)
    await app.home.open_college_jobs()
    jobs = app.college_jobs
    assert jobs is not None
    backend.hold_next("/supervisor/jobs")
    search = asyncio.ensure_future(jobs.search("FX-69"))
    await backend.held.wait()
    await jobs.toggle_group(StatusGroup.DONE)
    backend.release.set()
    await search
    assert backend.calls("GET", "/supervisor/jobs")[-1].url.params.get_list("status") == ["done"]


async def test_the_job_lists_more_is_the_next_page_of_the_rows_shown_not_of_a_search_typed_since() -> None:
    """The teacher types a search and has not sent it yet: "more" appends the next page of the list shown (the
    search runs on submit), where the list's own copy of the paging asked for the typed search's page instead."""
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    jobs.set_query("FX-690007")
    await jobs.load_more()
    assert len(jobs.jobs) == 25 and not jobs.has_more
    assert "q" not in backend.calls("GET", "/supervisor/jobs")[-1].url.params
