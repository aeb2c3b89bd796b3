"""One thing, one wording (audit18d's findings 2, 4, 12, 13, 18): where two places of the app name the same stage,
reason or column, both take the words from the same entry of shared/, so they cannot drift apart."""

import pytest

import shared.credit
import shared.work
from backend.services.exports import LEDGER_COLUMNS
from mobile.viewmodels.college_jobs import GROUP_LABEL_KEYS
from shared.statuses import STATUS_GROUPS, StatusGroup
from shared.text import EXPORT_TEXTS, Locale, bilingual, status_label

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
