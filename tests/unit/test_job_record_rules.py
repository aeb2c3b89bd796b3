"""Issue #12's shared rules: honest QC, the teacher's actions and status groups, reference numbers, texts, exports."""

from datetime import UTC, datetime

import pytest

from backend.colleges_import import parse_colleges_csv
from backend.services.exports import local_time, number, to_csv
from shared.reference import format_reference, parse_reference
from shared.statuses import STATUS_GROUPS, RequestStatus, StatusGroup, group_of
from shared.text import ERRORS, NEXT_STEPS, QC_MISSING, QC_MISSING_IN_ROUND, Locale, missing_list, qc_missing_key
from shared.work import QC_REQUIREMENTS, missing_for_quality_check, of_the_work, supervisor_actions

S = RequestStatus


def test_missing_for_quality_check() -> None:
    assert missing_for_quality_check(0, None, None) == ["after_photo", "hours", "report"]
    assert missing_for_quality_check(1, 0.0, "  \n") == ["hours", "report"]
    assert missing_for_quality_check(2, 0.5, "เปลี่ยนฟิวส์") == []
    # A later round: a report saved before the round began is the earlier repair's, so it counts as none.
    assert missing_for_quality_check(1, 1.5, "เปลี่ยนฟิวส์", report_in_round=False) == ["hours", "report"]


def test_what_belongs_to_the_work_now_on_the_job() -> None:
    """By the work a row was written in (the id of the timeline event that began it, stamped under the request's
    lock), never by times: audit20 #5."""
    assert of_the_work(None, None)  # the first work of the first round: everything written in it
    assert of_the_work(41, 41)
    assert not of_the_work(None, 41)  # written before the work now on the job began
    assert not of_the_work(17, 41)  # an earlier work's (a take back, a reassign or a reopen since)


def test_every_missing_item_has_its_texts() -> None:
    for code in QC_REQUIREMENTS:
        assert QC_MISSING[code].th and QC_MISSING[code].en
        assert ERRORS[f"qc_missing_{code}"].th and ERRORS[f"qc_missing_{code}"].en
    assert missing_list(["after_photo", "hours"]).en == "an after photo, hours worked"
    for code in QC_REQUIREMENTS:  # a later round's words for the same codes
        assert QC_MISSING_IN_ROUND[code].th and QC_MISSING_IN_ROUND[code].en
        assert qc_missing_key(code, later_round=True) in ERRORS
    assert missing_list(["report"], later_round=True).th == "รายงานของรอบนี้"


def test_the_teachers_actions_follow_the_state_machine() -> None:
    assert supervisor_actions(S.OFFERED) == ["assign"]
    assert supervisor_actions(S.ACCEPTED) == ["reassign", "offered"]  # reassign or take back
    # a job under way whose student cannot go on: reassign, take back, or end it as unrepairable (audit17a)
    assert supervisor_actions(S.REPAIRING) == ["reassign", "offered", "unrepairable"]
    assert supervisor_actions(S.QUALITY_CHECK) == ["repairing", "done"]
    assert supervisor_actions(S.DONE) == ["handed_back"]
    assert supervisor_actions(S.UNREPAIRABLE) == ["handed_back"]
    assert supervisor_actions(S.HANDED_BACK) == supervisor_actions(S.CANCELLED) == []


def test_status_groups_do_not_overlap() -> None:
    members = [s for group in STATUS_GROUPS.values() for s in group]
    assert len(members) == len(set(members))
    assert set(STATUS_GROUPS) == set(StatusGroup)
    assert group_of(S.DIAGNOSING) == group_of(S.REPAIRING) == StatusGroup.IN_PROGRESS
    assert group_of(S.SUBMITTED) is None and group_of(S.NO_CENTRE) is None


@pytest.mark.parametrize(("text", "number"), [("FX-690001", 690001), ("fx 690001", 690001), ("690001", 690001),
                                              (" FX690002 ", 690002), ("หม้อ", None), ("FX-", None), ("", None)])
def test_reference_numbers(text: str, number: int | None) -> None:
    assert parse_reference(text) == number
    assert format_reference(690001) == "FX-690001"


def test_every_status_says_what_happens_next() -> None:
    assert set(NEXT_STEPS) == set(RequestStatus)
    for step, wait in NEXT_STEPS.values():
        assert step.th and step.en and (wait is None or (wait.th and wait.en))


def test_export_dates_numbers_and_bom() -> None:
    moment = datetime(2026, 3, 15, 7, 5, tzinfo=UTC)  # 14:05 in Bangkok
    assert local_time(moment, Locale.TH) == "15/03/2569 14:05"
    assert local_time(moment, Locale.EN) == "2026-03-15 14:05"
    assert local_time(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), Locale.TH) == "01/01/2570 03:00"  # the new year
    assert (number(3.0), number(2.5), number(1.25), number(None)) == ("3", "2.5", "1.25", "")
    data = to_csv(("reference", "status"), [["FX-1", "ซ่อมเสร็จแล้ว"]], Locale.TH)
    assert data.decode("utf-8") == "\ufeffเลขที่อ้างอิง,สถานะ\r\nFX-1,ซ่อมเสร็จแล้ว\r\n"


def test_the_colleges_csv_may_carry_a_phone() -> None:
    header = "code,name_th,name_en,province_th,province_en,region,lat,lon,service_radius_km"
    row = "TC-X,วิทยาลัยเทคนิคเอ็กซ์,X Technical College,เชียงใหม่,Chiang Mai,north,18.79,98.98,30"
    without = parse_colleges_csv(f"{header}\n{row}\n")
    assert not without.errors and without.rows[0].phone is None
    with_phone = parse_colleges_csv(f"{header},phone\n{row},053-123-456\n{row.replace('TC-X', 'TC-Y')},\n")
    assert not with_phone.errors and [r.phone for r in with_phone.rows] == ["+6653123456", None]
    bad = parse_colleges_csv(f"{header},phone\n{row},12345\n")
    assert bad.errors and "phone" in bad.errors[0].message
