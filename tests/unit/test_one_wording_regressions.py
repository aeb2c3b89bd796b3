"""One thing, one wording (audit18d's findings 2, 4, 12, 13, 18): where two places of the app name the same stage,
reason or column, both take the words from the same entry of shared/, so they cannot drift apart."""

from typing import Any

import pytest

import shared.credit
import shared.work
from backend.services.exports import LEDGER_COLUMNS
from mobile.viewmodels.college_jobs import GROUP_LABEL_KEYS
from mobile.views.frame import app_view
from shared.statuses import STATUS_GROUPS, RequestStatus, StatusGroup
from shared.text import EXPORT_TEXTS, Locale, bilingual, next_step, status_label
from tests.unit.mobile_fakes import DetailBackend, texts
from tests.unit.mobile_screens import open_detail

# The teacher's ledger screen (mobile/views/supervisor_tools.py ledger_view) and the CSV its button downloads
# (backend/services/exports.py LEDGER_COLUMNS, headed with EXPORT_TEXTS), column by column.
LEDGER_SCREEN_TO_CSV = dict(zip(("ledger_student", "ledger_jobs", "ledger_hours", "ledger_categories"),
                                LEDGER_COLUMNS, strict=True))


def test_an_unrepairable_reason_reads_the_same_as_the_outcome_reason_it_is_recorded_as() -> None:
    """The unrepairable step's reason is stored as an outcome reason (backend/services/credit.py): the citizen's
    notification and the timeline said ไม่มีอะไหล่ / ค่าซ่อมสูงกว่ามูลค่าของ, the job record's outcome dropdown
    หาอะไหล่ไม่ได้ / ค่าซ่อมไม่คุ้มกับมูลค่าของ for the same reason."""
    assert set(shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON) == set(shared.work.UNREPAIRABLE_REASONS)
    differ = {
        (step, outcome): (shared.work.UNREPAIRABLE_REASONS[step], shared.credit.OUTCOME_REASONS[outcome])
        for step, outcome in shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON.items()
        if shared.work.UNREPAIRABLE_REASONS[step] != shared.credit.OUTCOME_REASONS[outcome]
    }
    assert differ == {}


def test_the_ledger_screen_and_its_csv_name_the_columns_alike() -> None:
    """The ledger screen headed its columns 'งานที่ผ่าน / Approved' and 'ชั่วโมง / Hours' (its empty line
    'ยังไม่มีงานที่อนุมัติ'); its CSV and PDF say 'งานที่ผ่านการตรวจ / Approved jobs', 'ชั่วโมงทำงาน / Hours worked'
    ('ยังไม่มีงานที่ผ่านการตรวจ')."""
    differ = {screen: (bilingual(screen), EXPORT_TEXTS[column])
              for screen, column in LEDGER_SCREEN_TO_CSV.items() if bilingual(screen) != EXPORT_TEXTS[column]}
    assert differ == {}
    assert bilingual("ledger_empty") == EXPORT_TEXTS["ledger_none"]


def _chip_words(group: StatusGroup, locale: Locale) -> str:
    """The filter chip's words without its number (CollegeJobsViewModel.group_label, the count 0 taken off)."""
    return bilingual(GROUP_LABEL_KEYS[group], n=0).in_(locale).removesuffix("0").strip()


@pytest.mark.parametrize("locale", list(Locale))
def test_a_stage_reads_the_same_on_its_filter_and_on_its_jobs(locale: Locale) -> None:
    """/college/jobs filter chips (APP_UI group_*) named a stage otherwise than the status chip on each job under it
    and the dashboard's count chips (STATUS_LABELS): เสนองาน / กำลังหาช่าง, รอตรวจ / ครูกำลังตรวจงาน, To check /
    Quality check, ..."""
    differ = {}
    for group, members in STATUS_GROUPS.items():
        if len(members) == 1:  # a one-status filter: the jobs under it show exactly that status's chip
            (status,) = members
            chip, shown = _chip_words(group, locale), status_label(status, locale)
            if chip != shown:
                differ[group.value] = (chip, shown)
    assert differ == {}


class _NoCentreBackend(DetailBackend):
    """A request no college in range could take (no_centre, no college): the backend's next step as it sends it."""

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        said = next_step(RequestStatus.NO_CENTRE, "no_centre")
        return {**super().detail(summary), "next_step": said.th, "expected_wait": None}


async def test_a_request_with_no_centre_says_it_once() -> None:
    """The no_centre detail showed APP_UI no_centre_text 'ยังไม่มีศูนย์ซ่อมในระยะให้บริการ ผู้ดูแลระบบจะช่วยหาศูนย์ให้'
    and, under it, the next step '... ผู้ดูแลระบบจะช่วยหาวิทยาลัยให้': one sentence typed twice, drifted."""
    backend = _NoCentreBackend()
    backend.my_requests[0].update(status="no_centre", college_name_th=None, college_name_en=None)
    app, _ = await open_detail(backend)
    shown = [line for line in texts(app_view(app)) if isinstance(line, str)]
    assert next_step(RequestStatus.NO_CENTRE, "no_centre").th in shown  # the backend's sentence is on the screen
    saying = [line for line in shown if "ยังไม่มีศูนย์ซ่อมในระยะให้บริการ" in line]
    assert len(saying) == 1, saying


class _NobodyTookBackend(DetailBackend):
    """A request students of a college near it were offered, none took (audit17a's no_taker): the backend's next
    step says so (shared.text.next_step), the request keeps the college it was last offered at."""

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        said = next_step(RequestStatus.NO_CENTRE, "no_taker")
        return {**super().detail(summary), "next_step": said.th, "expected_wait": None}


async def test_a_request_nobody_took_does_not_say_no_centre_is_in_range() -> None:
    """STATUS_LABELS[no_centre] 'ยังไม่มีศูนย์ในพื้นที่ / No centre in range' was the chip of a request whose next step
    says students of the colleges near it did not take it (no_taker): the screen contradicted itself. The label
    now holds for every no_centre request: none in range, none took it, or the clock offering it again."""
    backend = _NobodyTookBackend()
    backend.my_requests[0].update(status="no_centre")
    app, _ = await open_detail(backend)
    shown = texts(app_view(app))
    assert next_step(RequestStatus.NO_CENTRE, "no_taker").th in shown  # the true sentence is on the screen
    assert status_label(RequestStatus.NO_CENTRE, Locale.TH) in shown
    assert [line for line in shown if isinstance(line, str) and ("ในพื้นที่" in line or "ในระยะ" in line)] == []
    for locale in Locale:
        assert "centre" not in status_label(RequestStatus.NO_CENTRE, locale).lower()
