"""The student's and the teacher's screens on a 360x640 phone (session 22, from ux21's walk: /tmp/p21/ux21-findings.md
6, 9, 10, 11 and the smaller things), app side: which list of parts is whose, the ledger as cards, the job list's
chips in one row with the teacher's check first, the portfolio's terms picked, the roster's skill codes, days left
on an offer, the student's jobs in one order across pages. Driven through the view-models and views, no browser."""

from datetime import timedelta
from uuid import UUID

import flet as ft
import httpx
import pytest

from mobile.viewmodels.home import TechnicianHome
from mobile.views.college_jobs import college_jobs_view
from mobile.views.credit import portfolio_view, record_panel
from mobile.views.job import job_view
from mobile.views.supervisor_tools import ledger_view, technicians_view
from mobile.views.technician import technician_home_view
from shared.paging import LIST_PAGE
from shared.statuses import RequestStatus, StatusGroup
from shared.text import STATUS_LABELS, Locale, t
from shared.visible_text import visible_length
from tests.unit.mobile_fakes import NOW, FakeBackend, WorkBackend, find, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_credit import CreditBackend
from tests.unit.test_mobile_roles import college_job, teacher_on_job_list

TH, EN = Locale.TH, Locale.EN


# --- 1: two lists of parts, each saying whose it is ---------------------------------------------------------------

@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_students_two_lists_of_parts_each_say_who_sees_them_and_who_pays(locale: Locale) -> None:
    """The report's "parts used" is the student's note for the teacher (the owner's detail never shows it:
    backend owners_report); the card of parts to approve is what the owner sees, approves and pays. Each says so,
    in the screen's language, beside its own heading."""
    backend = CreditBackend("repairing")
    app = await signed_in("technician", backend, locale)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None and app.record is not None
    tree = job_view(app.job, locale, record=app.record)
    assert_accessible(tree)
    shown = texts(tree)
    report_parts, report_who = t("report_parts", locale), t("report_parts_who", locale)
    parts_title, parts_who = t("parts_title", locale), t("parts_who", locale)
    assert shown.index(report_who) == shown.index(report_parts) + 1
    assert shown.index(parts_who) == shown.index(parts_title) + 1
    if locale == TH:
        assert "เจ้าของไม่เห็น" in report_who and "ไม่ต้องจ่าย" in report_who and parts_title in report_who
        assert "เจ้าของเห็น" in parts_who and "ผู้จ่าย" in parts_who
    else:
        assert "does not see" in report_who and "pays nothing" in report_who and parts_title in report_who
        assert "sees" in parts_who and "pays" in parts_who
    assert report_parts != parts_title


async def test_the_owner_reads_the_parts_they_approved_with_their_prices_then_the_total() -> None:
    backend = CreditBackend("repairing")
    backend.part("คาปาซิเตอร์")  # waiting for them
    backend.part("ฟิวส์", "approved", approval="owner_app", qty=1, price_baht=10.0)
    backend.part("มอเตอร์", "declined", qty=1, price_baht=400.0)
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(backend.job["id"]))
    assert app.record is not None
    tree = ft.Column(record_panel(app.record, TH))
    assert_accessible(tree)
    shown = texts(tree)
    order = [shown.index(text) for text in (
        t("parts_waiting_title", TH), "คาปาซิเตอร์ × 2 = 70.00 บาท", t("parts_approved_title", TH),
        "ฟิวส์ × 1 = 10.00 บาท", "ค่าอะไหล่ที่อนุมัติแล้ว 10.00 บาท")]
    assert order == sorted(order), shown
    assert not [line for line in shown if "มอเตอร์" in line]  # declined: not theirs to pay


async def test_once_the_report_lists_the_approved_parts_the_owners_card_does_not_list_them_again() -> None:
    """The owner's repair record (their report: only the parts they approved, with the total) lists them once the
    student's report is in; the card keeps the total, never a second list that would read as a second bill."""
    backend = CreditBackend("quality_check")
    backend.part("ฟิวส์", "approved", approval="owner_app", qty=1, price_baht=10.0)
    backend.job["report"] = {"hours": 1.5, "notes": "เปลี่ยนฟิวส์", "parts_total_baht": 10.0,
                             "parts": [{"name": "ฟิวส์", "qty": 1, "cost_baht": 10.0}], "updated_at": NOW.isoformat()}
    app = await signed_in("citizen", backend)
    await app.open_request(UUID(backend.job["id"]))
    assert app.record is not None and app.request_detail is not None
    card = texts(ft.Column(record_panel(app.record, TH)))
    assert t("parts_approved_title", TH) not in card and "ฟิวส์ × 1 = 10.00 บาท" not in card
    assert "ค่าอะไหล่ที่อนุมัติแล้ว 10.00 บาท" in card


# --- 2: the ledger, a card per student ----------------------------------------------------------------------------

@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_ledger_is_a_card_per_student_each_figure_named(locale: Locale) -> None:
    """A four-column table was cut at 360 px (the hours out of sight behind a sideways scroll): each student is a
    card that wraps in the screen's width, each figure with its own label."""
    app = await signed_in("supervisor", WorkBackend(), locale)
    await app.open_ledger()
    assert app.ledger is not None
    tree = ledger_view(app.ledger, locale)
    assert_accessible(tree)
    assert not find(tree, ft.DataTable) and not [row for row in find(tree, ft.Row) if row.scroll is not None]
    (card,) = [c for c in find(tree, ft.Container) if str(c.key).startswith("student-")]
    assert texts(card) == [
        "วิชัย",
        f"{t('ledger_jobs', locale)}: 3 · {t('ledger_hours', locale)}: 7.5",
        f"{t('ledger_categories', locale)}: {app.ledger.categories_text(app.ledger.rows[0])}",
    ]


# --- 3: the teacher's job list --------------------------------------------------------------------------------------

def stage_row(tree: ft.Control) -> ft.Row:
    (row,) = [r for r in find(tree, ft.Row) if any(str(c.key).startswith("group-") for c in r.controls)]
    assert isinstance(row, ft.Row)
    return row


async def test_the_job_lists_chips_are_one_row_that_scrolls_and_all_comes_first_once_a_stage_is_chosen() -> None:
    _, app = await teacher_on_job_list()
    jobs = app.college_jobs
    tree = college_jobs_view(jobs, TH)
    row = stage_row(tree)
    assert not row.wrap and row.scroll is not None and len(find(row, ft.OutlinedButton)) == len(StatusGroup)
    assert not find(row, ft.TextButton)
    await jobs.toggle_group(StatusGroup.DONE)
    row = stage_row(college_jobs_view(jobs, TH))
    assert isinstance(row.controls[0], ft.TextButton) and row.controls[0].content == t("college_jobs_all", TH)


async def test_a_stage_chip_is_a_button_that_measures_its_whole_label_again_and_says_it_is_chosen() -> None:
    """uxf23 #1: opened straight by its address in English, "Finding a technician 1" was drawn as "Finding a
    technicia…", its count lost: an ft.Chip in this sideways-scrolling row kept the label width measured in the
    engine's Roboto before the bundled font arrived, then drew Noto Sans Thai's wider Latin inside it, faded. The
    stages are buttons now (which measure again when the font comes, seen in Chromium); each keeps its key and type
    whether chosen or not (one control id, its look changes), and says "selected" as a Chip did."""
    _, app = await teacher_on_job_list()
    jobs = app.college_jobs
    row = stage_row(college_jobs_view(jobs, EN))
    assert not find(row, ft.Chip)
    stages = [c for c in row.controls if str(c.key).startswith("group-")]
    assert [c.key for c in stages] == [f"group-{g.value}" for g in StatusGroup]
    assert all(isinstance(c, ft.Semantics) and c.selected is False for c in stages)
    labels = [c.content.content for c in stages if isinstance(c, ft.Semantics) and isinstance(c.content,
                                                                                            ft.OutlinedButton)]
    assert labels == [jobs.group_label(g) for g in StatusGroup]  # the whole label with its count, in one string
    await jobs.toggle_group(StatusGroup.DONE)
    chosen = {str(c.key): c for c in stage_row(college_jobs_view(jobs, EN)).controls}
    done = chosen[f"group-{StatusGroup.DONE.value}"]
    assert isinstance(done, ft.Semantics) and done.selected is True
    assert isinstance(done.content, ft.OutlinedButton) and done.content.icon == ft.Icons.CHECK
    assert all(isinstance(c, ft.Semantics) and c.selected is False for k, c in chosen.items()
               if k.startswith("group-") and k != f"group-{StatusGroup.DONE.value}")


async def test_the_job_waiting_for_this_teachers_check_comes_first_in_the_order_the_backend_pages() -> None:
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    # Newest first from the backend: the check (and one checked by another teacher, nothing for this one to do)
    # further down.
    backend.college_jobs[7] = college_job("ตู้เย็น รอตรวจ", "quality_check", ["done", "repairing"], "FX-690777")
    backend.college_jobs[3] = college_job("พัดลม รอครูอื่น", "quality_check", [], "FX-690333")
    await jobs.load()
    assert [j.item for j in jobs.jobs_shown][:2] == ["ตู้เย็น รอตรวจ", "งาน 0"]
    assert jobs.jobs[7].item == "ตู้เย็น รอตรวจ"  # the pages stay the backend's: "more" reads after the last
    cards = find(college_jobs_view(jobs, TH), ft.Card)
    assert "ตู้เย็น รอตรวจ" in texts(cards[0])
    assert sorted(j.reference for j in jobs.jobs_shown) == sorted(j.reference for j in jobs.jobs)


def test_the_job_lists_stage_is_named_as_the_dashboard_names_it_and_its_search_fits_one_line() -> None:
    label = t("group_in_progress", EN, n=4)
    assert label == f"{STATUS_LABELS[RequestStatus.REPAIRING].en} 4" == "Repairing 4"
    assert t("group_in_progress", TH, n=4) == "กำลังซ่อม 4"
    # The field's label on one line beside the search button at 360 px (it was 40 characters and wrapped).
    assert visible_length(t("college_jobs_search", TH)) <= 26 and len(t("college_jobs_search", EN)) <= 26


# --- 4: the portfolio's terms, picked -----------------------------------------------------------------------------

class TermsBackend(CreditBackend):
    """GET /portfolio/{id} with the student's terms, as the backend lists them (newest first, the current one)."""

    terms = ("2569-2", "2569-1", "2568-2")

    def handle(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle(request)
        if request.url.path.startswith("/portfolio/") and not request.url.path.endswith("/pdf"):
            return httpx.Response(200, json={**answer.json(), "terms": list(self.terms)})
        return answer


async def test_the_portfolios_term_is_picked_from_the_students_terms_the_current_one_chosen() -> None:
    backend = TermsBackend("done")
    app = await signed_in("technician", backend)
    await app.open_portfolio()
    folio = app.portfolio
    assert folio is not None
    tree = portfolio_view(folio, TH)
    assert_accessible(tree)
    assert not [f for f in find(tree, ft.TextField) if f.label == t("portfolio_term", TH)]  # nothing to type
    (picker,) = find(tree, ft.Dropdown)
    assert picker.value == "2569-2"
    assert [o.text for o in picker.options] == ["2569-2 (ภาคเรียนนี้)", "2569-1", "2568-2"]
    assert picker.on_select is not None

    picker.value = "2569-1"
    await picker.on_select(ft.Event(name="select", control=picker))
    asked = [r for r in backend.requests if r.url.path.startswith("/portfolio/")]
    assert asked[-1].url.params["term"] == "2569-1" and folio.term == "2569-1"
    (picker,) = find(portfolio_view(folio, TH), ft.Dropdown)
    assert picker.value == "2569-1" and picker.options[0].text == "2569-2 (ภาคเรียนนี้)"


async def test_a_backend_that_lists_no_terms_still_shows_the_term_shown() -> None:
    backend = CreditBackend("done")
    app = await signed_in("technician", backend)
    await app.open_portfolio()
    assert app.portfolio is not None
    (picker,) = find(portfolio_view(app.portfolio, TH), ft.Dropdown)
    assert picker.value == "2569-2" and [o.key for o in picker.options] == ["2569-2"]


# --- 5: the roster's CSV hint names the skill codes ---------------------------------------------------------------

@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_roster_lists_the_skill_codes_a_csv_may_name_each_with_its_name(locale: Locale) -> None:
    backend = WorkBackend()
    app = await signed_in("supervisor", backend, locale)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None

    async def pick_csv() -> list[tuple[str, bytes]]:
        return []

    shown = texts(technicians_view(screen, locale, pick_csv))
    assert t("import_students_hint", locale) in shown and "electrical_appliance:3" in t("import_students_hint", locale)
    # The catalogue's name of the skill (GET /categories) beside the code a CSV writes.
    line = "electrical คือ ไฟฟ้า" if locale == TH else "electrical = Electrical"
    assert line not in shown  # a tap away: 13 lines would push the roster down
    toggle = t("import_students_codes_show", locale, n=1)
    assert toggle in shown
    screen.toggle_codes()
    tree = technicians_view(screen, locale, pick_csv)
    assert_accessible(tree)
    shown = texts(tree)
    assert line in shown and t("import_students_codes_hide", locale) in shown
    assert shown.index(line) < shown.index(t("import_students", locale))


# --- 7: an offer's time left past a day -------------------------------------------------------------------------

async def test_an_offers_time_left_past_a_day_reads_in_days_and_hours() -> None:
    app = await signed_in("technician", FakeBackend())
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    offer = home.offers[0]

    def left(delta: timedelta, locale: Locale = TH) -> str:
        home.clock = lambda: offer.expires_at - delta
        app.session.locale = locale
        return home.time_left(offer)

    assert left(timedelta(hours=167, minutes=51)) == "เหลือเวลา 6 วัน 23 ชม."
    assert left(timedelta(hours=167, minutes=51), EN) == "6 days 23 h left"
    assert left(timedelta(days=1), EN) == "1 day 0 h left"
    assert left(timedelta(hours=23, minutes=59)) == "เหลือเวลา 23 ชม. 59 นาที"
    assert left(timedelta(minutes=20)) == "เหลือเวลา 20 นาที"


# --- 8: the student's jobs, one order over every page read -------------------------------------------------------

async def test_the_students_jobs_keep_one_order_over_the_pages_read_not_per_page() -> None:
    """The backend pages the jobs by last change; the app orders those in hand over every row read so far (a page
    read later joins the same order, rather than each page sorted on its own): an accepted job on the second page
    comes above a job under repair on the first."""
    backend = FakeBackend()
    first_page = [request_summary(f"คืนแล้ว {n}", "handed_back", days_ago=n + 1) for n in range(LIST_PAGE - 1)]
    repairing = request_summary("เตารีด ซ่อมอยู่", "repairing", days_ago=0)
    accepted = request_summary("ทีวี เพิ่งรับ", "accepted", days_ago=LIST_PAGE + 5)
    backend.jobs = [repairing, *first_page, accepted]
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert [j.item for j in home.jobs_in_hand] == ["เตารีด ซ่อมอยู่"] and home.job_pages.has_more
    await home.load_more_jobs()
    assert [j.item for j in home.jobs_in_hand] == ["ทีวี เพิ่งรับ", "เตารีด ซ่อมอยู่"]
    assert [j.item for j in home.jobs_finished] == [j["item"] for j in first_page]  # the backend's order
    shown = texts(technician_home_view(home, TH))
    assert shown.index("ทีวี เพิ่งรับ") < shown.index("เตารีด ซ่อมอยู่") < shown.index(t("technician_offers", TH))

