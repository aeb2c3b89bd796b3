"""Numbers typed in the app read one way everywhere (shared.typed_numbers, audit18a): Thai's "1,500" baht is 1,500
baht on the work report as on the part proposal; hours typed "1,5" are one and a half, never 15; a college's
latitude typed "nan" is the field's error, never a "system fault"."""

from uuid import UUID

import httpx
import pytest

from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.colleges_admin import CollegesAdminViewModel
from mobile.viewmodels.job import PartRow
from shared.typed_numbers import parse_amount, parse_coordinate, parse_hours
from tests.unit.mobile_fakes import FakeBackend, MemoryStore
from tests.unit.mobile_screens import sign_in as screen_sign_in
from tests.unit.test_mobile_credit import HELPER, LEAD, helping_on_a_repair, sent, teacher_at_the_teams_hours


@pytest.mark.parametrize(("typed", "baht"), [("1,500", 1500.0), ("12,000", 12000.0), ("1,250.50", 1250.5)])
def test_a_part_cost_with_a_thousands_comma_is_read_as_thai_writes_it(typed: str, baht: float) -> None:
    assert parse_amount(typed) == baht  # the part proposal's parser
    assert PartRow(name="คอมเพรสเซอร์", qty="1", cost=typed).cost_value() == baht


@pytest.mark.parametrize(("typed", "value"), [
    ("1500", 1500.0), (" 2 ", 2.0), ("0.5", 0.5), (".5", 0.5), ("1,000,000", 1e6), ("๑,๕๐๐", 1500.0),
    ("１,５００", 1500.0), ("-3", -3.0),
    # No amount: a comma that groups no thousands (1.50 or 150?), an exponent, nothing finite, blank, odd digits.
    ("1,5", None), ("1,50", None), ("12,00.5", None), ("1,5000", None), ("1.500,50", None), ("1e3", None),
    ("nan", None), ("inf", None), ("1e999", None), ("9" * 400, None), ("", None), ("  ", None), ("²", None),
    ("1 500", None), ("1,,500", None),
])
def test_an_amount_is_read_with_commas_for_thousands_only(typed: str, value: float | None) -> None:
    assert parse_amount(typed) == value


@pytest.mark.parametrize(("typed", "value"), [
    ("1.5", 1.5), ("1,5", 1.5), ("1,25", 1.25), ("๑,๕", 1.5), ("2", 2.0), ("1,500", 1500.0),
    ("1,5,0", None), ("nan", None), ("", None), ("1.5.0", None),
])
def test_hours_read_a_comma_that_groups_no_thousands_as_the_decimal_comma(typed: str, value: float | None) -> None:
    assert parse_hours(typed) == value


@pytest.mark.parametrize(("typed", "value"), [
    ("18.29", 18.29), ("18,29", 18.29), ("99,490", 99.49), (" 30 ", 30.0),
    ("nan", None), ("inf", None), ("-inf", None), ("1e999", None), ("NaN", None), ("", None), ("18.2.9", None),
])
def test_a_coordinate_reads_a_comma_as_the_decimal_mark(typed: str, value: float | None) -> None:
    assert parse_coordinate(typed) == value


async def test_a_teacher_correcting_hours_to_1_comma_5_approves_one_and_a_half() -> None:
    backend, panel = await teacher_at_the_teams_hours()
    await panel.approve_hours({HELPER: "1,5", LEAD: "2"})
    assert sent(backend, "/credit/approve") == [{"hours": {str(HELPER): 1.5, str(LEAD): 2.0}}]


async def test_a_helper_reporting_1_comma_5_hours_reports_one_and_a_half() -> None:
    backend, job, folio = await helping_on_a_repair("ทดสอบวงจร")
    await folio.save_my_hours(UUID(job["request_id"]), "1,5", "ทดสอบวงจร")
    assert sent(backend, "/team/me") == [{"hours": 1.5, "task": "ทดสอบวงจร"}]


async def _college_form_saved_with(lat: str) -> tuple[FakeBackend, CollegesAdminViewModel]:
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
                        "province_en": "Lampang", "lat": lat, "lon": "99.49", "service_radius_km": "25"}.items():
        screen.set_value(name, value)
    await screen.save()
    return backend, screen


@pytest.mark.parametrize("typed", ["nan", "inf", "1e999"])
async def test_a_college_latitude_that_is_no_finite_number_is_a_field_error(typed: str) -> None:
    backend, screen = await _college_form_saved_with(typed)
    assert backend.calls("POST", "/admin/colleges") == []
    assert screen.field_error("lat") == "กรุณาใส่ตัวเลข"
    assert screen.form_error is None
