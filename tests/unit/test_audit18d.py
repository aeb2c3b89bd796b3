"""audit18d: a hostile read of every word a Thai citizen, student and teacher (and their English readers) see.

Each test here proves one finding and is marked xfail(strict=True) until the fixer makes it pass: the words are
collected from the one catalog (shared/text.py and its neighbours), from what the views draw, and from what the
backend answers, and each test says what a reader reads today and what one thing should read as one word."""

import ast
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import shared.credit
import shared.notifications
import shared.photos
import shared.text
import shared.work
from backend.app import create_app
from backend.routes.credit import _verify_html
from backend.services.exports import LEDGER_COLUMNS
from backend.services.exports import local_time as pdf_time  # what portfolio_pdf and ledger_pdf print
from backend.settings import Settings
from mobile.formatting import format_datetime
from mobile.viewmodels.college_jobs import GROUP_LABEL_KEYS
from mobile.views.frame import app_view
from shared.statuses import STATUS_GROUPS, RequestStatus, StatusGroup
from shared.text import (
    EXPORT_TEXTS,
    Bilingual,
    Locale,
    bilingual,
    date_text,
    error_text,
    next_step,
    status_label,
)
from shared.thai_time import bangkok_day
from tests.unit.mobile_fakes import DetailBackend, texts
from tests.unit.mobile_screens import open_detail

THAI = re.compile(r"[\u0e00-\u0e7f]")


def _walk(name: str, value: object) -> Iterator[tuple[str, Bilingual]]:
    if isinstance(value, Bilingual):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}[{key}]", item)
    elif isinstance(value, tuple):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and THAI.search(value[0]):
            yield name, Bilingual(value[0], value[1])  # the (th, en) pairs of shared.credit / work / photos
        else:
            for i, item in enumerate(value):
                yield from _walk(f"{name}[{i}]", item)


def every_text() -> dict[str, Bilingual]:
    """Every user-facing sentence the catalog and its neighbours hold, by where it is (module.TABLE[key])."""
    found: dict[str, Bilingual] = {}
    for module in (shared.text, shared.notifications, shared.credit, shared.work, shared.photos):
        short = module.__name__.split(".")[-1]
        for attr in dir(module):
            if attr.isupper():
                for name, text in _walk(f"{short}.{attr}", getattr(module, attr)):
                    found.setdefault(name, text)
    return found


def test_the_collector_sees_the_whole_catalog() -> None:
    texts = every_text()
    assert len(texts) > 600
    assert "text.ROLE_LABELS[technician]" in texts and "notifications.INVITED_ROLES[technician]" in texts
    assert "credit.OUTCOME_REASONS[parts_unavailable]" in texts and "work.UNREPAIRABLE_REASONS[no_parts]" in texts


# --- Finding 3: the teacher's job list names a stage one way on its filter chip, another on the job under it -------

def _chip_words(group: StatusGroup, locale: Locale) -> str:
    """The filter chip's words without its number (CollegeJobsViewModel.group_label, the count 0 taken off)."""
    return bilingual(GROUP_LABEL_KEYS[group], n=0).in_(locale).removesuffix("0").strip()


@pytest.mark.xfail(strict=True, reason="audit18d: /college/jobs filter chips (APP_UI group_*) and the status chip on "
                                       "each job (and the dashboard's count chips, STATUS_LABELS) name the same "
                                       "stage differently: เสนองาน/กำลังหาช่าง, รอตรวจ/ครูกำลังตรวจงาน, ...")
@pytest.mark.parametrize("locale", list(Locale))
def test_a_stage_reads_the_same_on_its_filter_and_on_its_jobs(locale: Locale) -> None:
    differ = {}
    for group, members in STATUS_GROUPS.items():
        if len(members) == 1:  # a one-status filter: the jobs under it show exactly that status's chip
            (status,) = members
            chip, shown = _chip_words(group, locale), status_label(status, locale)
            if chip != shown:
                differ[group.value] = (chip, shown)
    assert differ == {}


# --- Finding 4: one reason a job cannot be repaired, typed twice in two wordings ----------------------------------

@pytest.mark.xfail(strict=True, reason="audit18d: shared.work.UNREPAIRABLE_REASONS and shared.credit.OUTCOME_REASONS "
                                       "word the same reason twice (ไม่มีอะไหล่ / หาอะไหล่ไม่ได้, "
                                       "ค่าซ่อมสูงกว่ามูลค่าของ / ค่าซ่อมไม่คุ้มกับมูลค่าของ)")
def test_an_unrepairable_reason_reads_the_same_as_the_outcome_reason_it_is_recorded_as() -> None:
    # The unrepairable step's reason is stored as this outcome reason (backend/services/credit.py): the citizen's
    # notification and the timeline say the first wording, the job record's outcome dropdown the second.
    differ = {
        (step, outcome): (shared.work.UNREPAIRABLE_REASONS[step], shared.credit.OUTCOME_REASONS[outcome])
        for step, outcome in shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON.items()
        if shared.work.UNREPAIRABLE_REASONS[step] != shared.credit.OUTCOME_REASONS[outcome]
    }
    assert differ == {}


# --- Finding 6: a refused body's Thai message carries pydantic's English -----------------------------------------

ENGLISH_WORDS = re.compile(r"[A-Za-z]+:? [A-Za-z]+")


@pytest.mark.xfail(strict=True, reason="audit18d: validation_failed's Thai text is 'ข้อมูลไม่ถูกต้อง: {detail}' and "
                                       "{detail} is pydantic's English ('phone: Field required'): a Thai reader "
                                       "reads English internals")
@pytest.mark.parametrize("body", [{}, {"phone": 5}], ids=["missing", "not_text"])
async def test_a_refused_body_says_it_in_thai_to_a_thai_reader(body: dict[str, object]) -> None:
    app = create_app(Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none"))
    app.state.pool = object()  # refused before any route reads the database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post("/auth/otp/request", json=body)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "validation_failed")
    assert THAI.search(error["message_th"])
    assert not ENGLISH_WORDS.search(error["message_th"]), error["message_th"]


# --- Finding 7: a request nobody took still reads "no centre in range" on its status chip ---------------------------

class _NobodyTookBackend(DetailBackend):
    """A request students of a college near it were offered, none took (audit17a's no_taker): the backend's next
    step says so (shared.text.next_step), the request keeps the college it was last offered at."""

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        said = next_step(RequestStatus.NO_CENTRE, "no_taker")
        return {**super().detail(summary), "next_step": said.th, "expected_wait": None}


@pytest.mark.xfail(strict=True, reason="audit18d: STATUS_LABELS[no_centre] 'ยังไม่มีศูนย์ในพื้นที่ / No centre in "
                                       "range' is the chip of a request whose next step says students of the "
                                       "colleges near it did not take it (no_taker): the screen contradicts itself")
async def test_a_request_nobody_took_does_not_say_no_centre_is_in_range() -> None:
    backend = _NobodyTookBackend()
    backend.my_requests[0].update(status="no_centre")
    app, _ = await open_detail(backend)
    shown = texts(app_view(app))
    assert next_step(RequestStatus.NO_CENTRE, "no_taker").th in shown  # the true sentence is on the screen
    assert [line for line in shown if isinstance(line, str) and ("ในพื้นที่" in line or "ในระยะ" in line)] == []


# --- Finding 10: the public verify page's words are typed in the route, not taken from shared/ -------------------

def _thai_literals(folder: str) -> list[str]:
    """Thai string constants in the code under `folder` (docstrings left out): words typed outside shared/."""
    found = []
    for path in sorted(Path(folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
                and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        found += [f"{path}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                  and THAI.search(node.value)]
    return found


@pytest.mark.xfail(strict=True, reason="audit18d: GET /verify/{code} (backend/routes/credit.py _verify_html) types "
                                       "its Thai and English in the route, re-wording verify_code_unknown and the "
                                       "portfolio's labels, with an English-only <title>")
def test_the_verify_page_takes_its_words_from_shared() -> None:
    assert _thai_literals("backend/routes") == []
    unknown = error_text("verify_code_unknown")
    page = _verify_html("ABCD2345", None)
    assert unknown.th in page and unknown.en in page, page


# --- Finding 11: the CSV error's example skill is a skill no college has ---------------------------------------

SKILL_EXAMPLE = re.compile(r"\b([a-z_]+):\d\b")


@pytest.mark.xfail(strict=True, reason="audit18d: ERRORS skill_format_invalid says 'เช่น electrical:3 / e.g. "
                                       "electrical:3'; electrical is no skill code (electrical_appliance is, as "
                                       "import_students_hint says): the teacher who copies it gets skill_unknown")
def test_every_skill_example_names_a_real_skill() -> None:
    seeded = json.loads(Path("assets/seed/categories.json").read_text(encoding="utf-8"))
    skills = {skill["code"] for skill in seeded["skills"]}
    examples = {where: code for where, text in every_text().items() for side in (text.th, text.en)
                for code in SKILL_EXAMPLE.findall(side)}
    assert "text.APP_UI[import_students_hint]" in examples  # the scan sees the examples
    assert {where: code for where, code in examples.items() if code not in skills} == {}


# --- Finding 12: "too long" / "too many" refusals that do not say the limit the rule in shared/ has --------------

LIMITS: dict[str, int] = {
    "parts_too_many": shared.credit.PARTS_PER_JOB_MAX,  # a 31st proposed part: the app does not count them first
    "outcome_fault_too_long": shared.credit.FAULT_MAX,
    "part_note_too_long": shared.credit.PART_NOTE_MAX,
}


@pytest.mark.xfail(strict=True, reason="audit18d: parts_too_many 'มีรายการอะไหล่มากเกินไป', outcome_fault_too_long, "
                                       "part_note_too_long refuse without the number (30, 500, 300) that "
                                       "report_too_long, comment_too_long and team_task_too_long each say")
@pytest.mark.parametrize("code", sorted(LIMITS))
def test_a_limit_refusal_says_the_limit(code: str) -> None:
    said = error_text(code)
    assert str(LIMITS[code]) in said.th and str(LIMITS[code]) in said.en, said


# --- Finding 13: the printed portfolio and ledger date a day otherwise than the app and the verify page ------------

@pytest.mark.xfail(strict=True, reason="audit18d: the PDFs (portfolio_pdf, ledger_pdf: exports.local_time) print "
                                       "30/11/2569 14:05 and 2026-11-30 14:05; the app (format_datetime) and the "
                                       "portfolio's own verify page (date_text) say 30 พ.ย. 2569 / 30 Nov 2026")
@pytest.mark.parametrize("locale", list(Locale))
def test_the_printed_portfolio_dates_a_day_as_the_app_does(locale: Locale) -> None:
    moment = datetime(2026, 11, 30, 7, 5, tzinfo=UTC)  # 14:05 in Bangkok
    app_says = format_datetime(moment, locale).replace("\u00a0", " ")
    assert app_says.startswith(date_text(bangkok_day(moment), locale))
    assert pdf_time(moment, locale) == app_says


# --- Finding 15: a request with no centre says so twice on its screen, once "a centre", once "a college" ----------

class _NoCentreBackend(DetailBackend):
    """A request no college in range could take (no_centre, no college): the backend's next step as it sends it."""

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        said = next_step(RequestStatus.NO_CENTRE, "no_centre")
        return {**super().detail(summary), "next_step": said.th, "expected_wait": None}


@pytest.mark.xfail(strict=True, reason="audit18d: the no_centre detail shows APP_UI no_centre_text 'ยังไม่มีศูนย์ซ่อม"
                                       "ในระยะให้บริการ ผู้ดูแลระบบจะช่วยหาศูนย์ให้' and, under it, NEXT_STEPS' "
                                       "'... ผู้ดูแลระบบจะช่วยหาวิทยาลัยให้': one sentence typed twice, drifted")
async def test_a_request_with_no_centre_says_it_once() -> None:
    backend = _NoCentreBackend()
    backend.my_requests[0].update(status="no_centre", college_name_th=None, college_name_en=None)
    app, _ = await open_detail(backend)
    shown = [line for line in texts(app_view(app)) if isinstance(line, str)]
    saying = [line for line in shown if "ยังไม่มีศูนย์ซ่อมในระยะให้บริการ" in line]
    assert len(saying) == 1, saying


# --- Finding 19: the ledger's columns read one way on the screen, another in its CSV -----------------------------

# The teacher's ledger screen (mobile/views/supervisor_tools.py ledger_view) and the CSV its button downloads
# (backend/services/exports.py LEDGER_COLUMNS, headed with EXPORT_TEXTS), column by column.
LEDGER_SCREEN_TO_CSV = dict(zip(("ledger_student", "ledger_jobs", "ledger_hours", "ledger_categories"),
                                LEDGER_COLUMNS, strict=True))


@pytest.mark.xfail(strict=True, reason="audit18d: the ledger screen heads its columns 'งานที่ผ่าน / Approved' and "
                                       "'ชั่วโมง / Hours' (its empty line: 'ยังไม่มีงานที่อนุมัติ'); its CSV heads the "
                                       "same columns 'งานที่ผ่านการตรวจ / Approved jobs' and 'ชั่วโมงทำงาน / Hours "
                                       "worked'")
def test_the_ledger_screen_and_its_csv_name_the_columns_alike() -> None:
    differ = {screen: (bilingual(screen), EXPORT_TEXTS[column])
              for screen, column in LEDGER_SCREEN_TO_CSV.items() if bilingual(screen) != EXPORT_TEXTS[column]}
    assert differ == {}
