"""Audit 18a: a hostile review of what people type, at the rules in shared/ and the app's parsing. Each test shows a
defect that is still there (xfail strict): the fixer removes the mark with the fix."""

import io
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from fpdf import FPDF
from pypdf import PdfReader

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from backend.colleges_import import COLUMNS, parse_colleges_csv
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.colleges_admin import CollegesAdminViewModel
from mobile.viewmodels.credit import parse_amount
from mobile.viewmodels.job import PartRow
from shared.credit_wire import total_count_from_header
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.text import Locale
from shared.wire import unread_count_from_header
from tests.unit.mobile_fakes import FakeBackend, MemoryStore


# --- Count headers with digits int() cannot read -----------------------------------------------------------------
# shared.wire.unread_count_from_header and shared.credit_wire.total_count_from_header test str.isdigit(), which is
# true for superscripts and circled digits ("²", "⑤") that int() refuses: a header such a middlebox (or a Latin-1
# byte 0xB2) gives raises ValueError from ApiClient's every call that reads it, instead of "no count".
@pytest.mark.xfail(strict=True, reason="audit18a: a count header of '²' raises ValueError in the app")
@pytest.mark.parametrize("value", ["²", "⑤", "1²"])
def test_a_count_header_int_cannot_read_is_no_count(value: str) -> None:
    assert unread_count_from_header(value) is None
    assert total_count_from_header(value) is None


@pytest.mark.xfail(strict=True, reason="audit18a: a count header of '²' raises ValueError in the app")
async def test_the_own_list_survives_an_unreadable_unread_count_header() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    counted: list[int] = []
    api.on_unread_count = counted.append
    backend.overrides[("GET", "/requests/mine")] = lambda _: httpx.Response(
        200, json=[], headers={b"X-Unread-Count": b"\xb2"})
    assert (await api.my_requests()).rows == []
    assert counted == []


# --- Names wider than the PDF's page -----------------------------------------------------------------------------
# The training-hours record (backend/services/ledger_pdf.py) writes the college's and the student's names with
# FPDF.cell(0, ...): one line, never wrapped. A display name at its limit (80 characters) or a college name at its
# (200, backend.schemas.CollegeCreate) is far wider than the page's 180 mm, so the printed record, the one a
# teacher signs, runs off the right edge and loses the end of the name.
class _WidthRecorder(FPDF):
    """The real FPDF, noting every single-line cell whose text ends past the right margin."""

    overflows: ClassVar[list[str]] = []

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any,
             **kwargs: Any) -> Any:
        right = self.w - self.r_margin if not w else self.x + w
        if self.x + self.get_string_width(text) > right + 0.01:
            _WidthRecorder.overflows.append(text)
        return super().cell(w, h, text, *args, **kwargs)


@pytest.mark.xfail(strict=True, reason="audit18a: a long name runs off the ledger PDF's page (cell, no wrap)")
def test_names_at_their_limits_stay_on_the_ledger_pdfs_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    student = "สมชาย " + "ณ" * (DISPLAY_NAME_MAX - 6)
    college = "วิทยาลัยเทคนิค" * (200 // len("วิทยาลัยเทคนิค"))
    data = ledger_pdf_module.ledger_pdf(college, {"display_name": student, "jobs": []},
                                        datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert data.startswith(b"%PDF")
    assert _WidthRecorder.overflows == []


def test_the_width_recorder_finds_nothing_on_an_ordinary_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder above on ordinary names: nothing past the margin (it measures, it does not cry wolf)."""
    monkeypatch.setattr(ledger_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": "สมชาย ใจดี", "jobs": []},
                                 datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []


# --- "nan" typed as a college's latitude -------------------------------------------------------------------------
# The admin's college form (mobile/viewmodels/colleges_admin.py CollegeForm.payload) takes whatever float() reads:
# "nan", "inf" and "1e999" are numbers to it. httpx will not put NaN or infinity in JSON (ValueError "Out of range
# float values are not JSON compliant") while building the request: busy.answered turns it into internal_error, and
# the admin reads "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง" (a system fault, try again: the same fault again) instead of the
# latitude's "กรุณาใส่ตัวเลข".
@pytest.mark.xfail(strict=True, reason="audit18a: a latitude typed 'nan' is a system fault, not a field error")
@pytest.mark.parametrize("typed", ["nan", "inf", "1e999"])
async def test_a_college_latitude_that_is_no_finite_number_is_a_field_error(typed: str) -> None:
    from tests.unit.mobile_screens import sign_in as screen_sign_in

    backend = FakeBackend()
    backend.overrides[("GET", "/admin/colleges")] = lambda r: httpx.Response(200, json=[])
    vm = AppViewModel(backend.client(), MemoryStore())
    await vm.start()
    await screen_sign_in(vm, "admin")
    await vm.open_route("/admin/colleges")
    screen = vm.colleges_admin
    assert isinstance(screen, CollegesAdminViewModel)
    screen.start_new()
    for name, value in {"code": "new-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College", "province_th": "ลำปาง",
                        "province_en": "Lampang", "lat": typed, "lon": "99.49", "service_radius_km": "25"}.items():
        screen.set_value(name, value)
    await screen.save()
    assert backend.calls("POST", "/admin/colleges") == []
    assert screen.field_error("lat") == "กรุณาใส่ตัวเลข"
    assert screen.form_error is None


async def test_what_a_nan_latitude_shows_today() -> None:
    """The companion of the test above, what happens now: nothing reaches the backend, and the form says the
    system failed."""
    from tests.unit.mobile_screens import sign_in as screen_sign_in

    backend = FakeBackend()
    backend.overrides[("GET", "/admin/colleges")] = lambda r: httpx.Response(200, json=[])
    vm = AppViewModel(backend.client(), MemoryStore())
    await vm.start()
    await screen_sign_in(vm, "admin")
    await vm.open_route("/admin/colleges")
    screen = vm.colleges_admin
    assert isinstance(screen, CollegesAdminViewModel)
    screen.start_new()
    for name, value in {"code": "new-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College", "province_th": "ลำปาง",
                        "province_en": "Lampang", "lat": "nan", "lon": "99.49", "service_radius_km": "25"}.items():
        screen.set_value(name, value)
    await screen.save()
    assert backend.calls("POST", "/admin/colleges") == []
    assert screen.field_error("lat") is None and screen.form_error == "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง"


# --- Names in scripts the PDF font does not have -----------------------------------------------------------------
# The PDFs embed NotoSansThai only (Thai and Latin). fpdf2 drops what the font has no glyph for, with a log warning:
# a student whose display name (any script: the API takes it) is written in Lao, Burmese, Chinese or Cyrillic has
# an empty name on the training-hours record a teacher signs, and a Vietnamese name loses letters.
@pytest.mark.xfail(strict=True, reason="audit18a: a name in a script NotoSansThai lacks vanishes from the PDF")
@pytest.mark.parametrize("name", ["ສົມໃຈ ແກ້ວ", "မောင် အောင်", "王小明", "Алексей", "Nguyễn Văn An"])
def test_a_name_in_another_script_is_printed_on_the_ledger_pdf(name: str) -> None:
    data = ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": name, "jobs": []},
                                        datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert name.split()[0] in text


def test_a_thai_or_latin_name_is_printed_on_the_ledger_pdf() -> None:
    """The companion: what the font has is printed, and the text is read back from the PDF as written."""
    for name in ["สมชาย ใจดี", "Łukasz Żółć"]:
        data = ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": name, "jobs": []},
                                            datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
        assert name in PdfReader(io.BytesIO(data)).pages[0].extract_text()


# --- A colleges CSV that the csv module cannot read --------------------------------------------------------------
# backend/colleges_import.parse_colleges_csv lets csv.Error out (the students' import catches it: csv_unreadable).
# A name that opens a quote and never closes it ("วิทยาลัย ABC) makes the rest of the file one field; in a list as
# long as OVEC's (hundreds of colleges, over 128 KiB) that field passes the csv module's limit, and
# `import-colleges` ends in a traceback instead of the line and its reason.
@pytest.mark.xfail(strict=True, reason="audit18a: an unclosed quote in a long colleges CSV raises csv.Error")
def test_an_unclosed_quote_in_a_long_colleges_csv_is_a_line_error() -> None:
    good = "TC-{n},วิทยาลัยเทคนิคที่ {n},Technical College {n},ลำปาง,Lampang,north,18.29,99.49,30\n"
    text = (",".join(COLUMNS) + "\n" + 'TC-1,"วิทยาลัย ABC,ABC College,ลำปาง,Lampang,north,18.29,99.49,30\n'
            + "".join(good.format(n=n) for n in range(2, 2000)))
    assert len(text.encode()) > 131072
    parsed = parse_colleges_csv(text.encode())
    assert parsed.rows == [] and parsed.errors and parsed.errors[0].line >= 2


# The portfolio (backend/services/portfolio_pdf.py) writes the student's and the college's names with
# FPDF.cell(140, ...) beside the QR code: a college name at its limit, or a student's at theirs, runs over the QR
# code and off the page the same way.
def _folio(display_name: str, college: str) -> dict[str, Any]:
    return {"first_name": display_name.split(" ")[0], "display_name": display_name, "college_th": college,
            "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [], "job_count": 0, "hours": 0}


@pytest.mark.xfail(strict=True, reason="audit18a: a long name runs over the portfolio PDF's QR code and page edge")
def test_names_at_their_limits_stay_in_the_portfolio_pdfs_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    folio = _folio("สมชาย " + "ณ" * (DISPLAY_NAME_MAX - 6), "วิทยาลัยเทคนิค" * (200 // len("วิทยาลัยเทคนิค")))
    portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345",
                                       datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []


def test_the_width_recorder_finds_nothing_on_an_ordinary_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    portfolio_pdf_module.portfolio_pdf(_folio("สมชาย ใจดี", "วิทยาลัยเทคนิคลำปาง"), "ABCD2345",
                                       "https://fixit.example/verify/ABCD2345",
                                       datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []


# --- "1,500" baht --------------------------------------------------------------------------------------------------
# Thai writes 1,500 บาท with a comma for thousands (mobile/viewmodels/credit.parse_amount says so and drops it), but
# the work report's part cost (mobile/viewmodels/job.parse_number, PartRow.cost_value) reads the comma as a decimal
# point: a part typed "1,500" is sent and stored as 1.50 baht, and "12,000" as 12 baht. Two parsers of typed
# amounts in one app, reading the same text 1000 times apart.
@pytest.mark.xfail(strict=True, reason="audit18a: the work report reads a part cost of '1,500' as 1.5 baht")
@pytest.mark.parametrize(("typed", "baht"), [("1,500", 1500.0), ("12,000", 12000.0), ("1,250.50", 1250.5)])
def test_a_part_cost_with_a_thousands_comma_is_read_as_thai_writes_it(typed: str, baht: float) -> None:
    assert parse_amount(typed) == baht  # the part proposal's parser
    assert PartRow(name="คอมเพรสเซอร์", qty="1", cost=typed).cost_value() == baht
