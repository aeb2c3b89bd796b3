"""A tap is not lost when something appears above what it was aimed at (as tests/unit/test_tap_identity.py, which
explains Flet's diff), on the screens keyed after the homes and the job: the request form, the account screen, the
job report's parts rows, the teacher's job list, the college admin screen, the portfolio and the college credit view,
the students' screen and the ledger."""

import json
from typing import Any

import flet as ft
import httpx

from mobile.strings import pref_label
from mobile.viewmodels.account import AccountViewModel
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from mobile.views.account import account_view
from mobile.views.frame import app_views
from mobile.views.job import job_view
from mobile.views.request_form import request_form_view
from shared.text import WEEKDAY_LABELS, Locale, t
from tests.unit.mobile_fakes import (
    CHIANG_MAI,
    DetailBackend,
    FakeBackend,
    error_response,
    jpeg_with_exif,
    texts,
    walk,
)
from tests.unit.mobile_screens import open_form, signed_in, technician_job
from tests.unit.test_tap_identity import by_button, by_label, ids, kept, siblings_keyed_once

TH = Locale.TH


def named(kind: type[ft.BaseControl], label: str) -> Any:
    """The one control of a kind whose label (a switch, a checkbox) is `label`."""
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        (found,) = [c for c in walk(tree) if isinstance(c, kind) and getattr(c, "label", None) == label]
        return found
    return find_it


def day_chip(day: str) -> Any:
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        label = WEEKDAY_LABELS[day].in_(TH)
        (chip,) = [c for c in walk(tree) if isinstance(c, ft.Chip) and isinstance(c.label, ft.Text)
                   and c.label.value == label]
        return chip
    return find_it


# --- the request form ----------------------------------------------------------------------------------------------

async def loaded_form(backend: DetailBackend | None = None) -> RequestFormViewModel:
    _app, form = await open_form(backend or DetailBackend())
    await form.load()
    return form


def form_view(form: RequestFormViewModel) -> ft.Control:
    return request_form_view(form, TH)


# What sits below the parts of the form that come and go: send, a day, the province, the map, the phone field.
BELOW = (by_button(t("submit_request", TH)), day_chip("sat"), by_label(t("province_label", TH)),
         by_label(t("map_label", TH)))


async def test_form_send_and_fields_keep_their_ids_when_the_duplicates_hint_appears_above_them() -> None:
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 2, "capped": False, "radius_m": 150.0, "days": 7}
    form = await loaded_form(backend)
    form.set_category("appliance")
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    before = form_view(form)
    await form.refresh_duplicates()
    after = form_view(form)
    assert form.duplicates is not None and any(s.startswith("มีคำขอซ่อมประเภทเดียวกันใกล้คุณ 2") for s in texts(after))
    assert kept(before, after, *BELOW)


async def test_form_add_photo_and_send_keep_their_ids_when_the_first_photo_appears_above_them() -> None:
    form = await loaded_form()
    before = form_view(form)
    assert form.add_photo("a.jpg", jpeg_with_exif())
    after = form_view(form)
    assert t("remove_photo", TH, n=1) in [c.tooltip for c in walk(after) if isinstance(c, ft.IconButton)]
    assert kept(before, after, by_button(t("add_photo", TH)), *BELOW)


def photo_of(thumbnail: bytes) -> Any:
    """A photo's thumbnail with its remove button, found by its picture (its number changes as others go)."""
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        (stack,) = [c for c in walk(tree) if isinstance(c, ft.Stack)
                    and any(isinstance(i, ft.Image) and i.src == thumbnail for i in c.controls)]
        return stack
    return find_it


def remove_button_of(thumbnail: bytes) -> Any:
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        (button,) = [c for c in walk(photo_of(thumbnail)(tree)) if isinstance(c, ft.IconButton)]
        return button
    return find_it


async def test_a_photo_keeps_its_ids_when_the_one_before_it_is_removed() -> None:
    # Paired by place, the second photo would take over the first one's ids: a tap on "remove photo 1" that
    # arrives as the first goes would remove the second.
    form = await loaded_form()
    assert form.add_photo("a.jpg", jpeg_with_exif((200, 80, 40)))
    assert form.add_photo("b.jpg", jpeg_with_exif((20, 90, 200)))
    first, second = (p.thumbnail for p in form.photos)
    assert first != second
    before = form_view(form)
    (first_remove,) = ids(before, remove_button_of(first))
    form.remove_photo(0)
    after = form_view(form)
    assert [p.thumbnail for p in form.photos] == [second]
    assert kept(before, after, photo_of(second), remove_button_of(second), by_button(t("add_photo", TH)))
    assert ids(after, remove_button_of(second)) != [first_remove]


async def test_form_send_keeps_its_id_when_the_errors_appear_above_it() -> None:
    form = await loaded_form()
    before = form_view(form)
    await form.submit()  # nothing filled in: every field's problem, and the form's own banner above send
    after = form_view(form)
    assert form.form_error is not None and form.form_error in texts(after)
    assert kept(before, after, *BELOW, by_button(t("use_gps", TH)))


async def test_form_map_and_send_keep_their_ids_when_the_gps_refusal_appears_above_them() -> None:
    form = await loaded_form()
    before = form_view(form)
    form.location_unavailable(denied=True)
    after = form_view(form)
    assert form.location_notice is not None and form.location_notice in texts(after)
    assert kept(before, after, *BELOW)


# --- the account screen --------------------------------------------------------------------------------------------

SETTINGS: dict[str, Any] = {
    "channels": {"accepted": ["line", "push"], "rate": ["push"]},
    "quiet_hours": False, "quiet_start": "21:00", "quiet_end": "07:00", "offers_in_quiet_hours": False,
    "sms_fallback": True,
    "allowed": {"accepted": ["push", "line", "sms"], "rate": ["push", "line"]},
}


async def account_screen(role: str = "citizen") -> tuple[FakeBackend, AppViewModel, AccountViewModel]:
    backend = FakeBackend()
    current = json.loads(json.dumps(SETTINGS))

    def put(request: httpx.Request) -> httpx.Response:
        current.update(json.loads(request.content))
        return httpx.Response(200, json=current)

    backend.overrides[("GET", "/me/notification-settings")] = lambda _: httpx.Response(200, json=current)
    backend.overrides[("PUT", "/me/notification-settings")] = put
    backend.overrides[("GET", "/me/export")] = lambda _: httpx.Response(200, content=b'{"profile": {}}')
    app = await signed_in(role, backend)
    await app.open_account()
    account = app.account
    assert account is not None and account.settings is not None
    return backend, app, account


ACCOUNT_BELOW = (by_button(t("sign_out", TH)), by_button(t("delete_account", TH)),
                 named(ft.Switch, t("prefs_sms_fallback", TH)))


async def test_account_buttons_keep_their_ids_when_the_saved_notice_appears_above_them() -> None:
    _, _app, account = await account_screen()
    before = account_view(account, TH)
    await account.set_channel("accepted", "sms", True)
    after = account_view(account, TH)
    assert t("prefs_saved", TH) in texts(after)
    assert kept(before, after, by_button(t("download_my_data", TH)), *ACCOUNT_BELOW,
                named(ft.Checkbox, pref_label("sms", TH)))


async def test_account_buttons_keep_their_ids_when_my_data_opens_above_them() -> None:
    _, _app, account = await account_screen()
    before = account_view(account, TH)
    await account.download_data()  # no file saving here: the data is shown to copy
    opened = account_view(account, TH)
    assert account.data_text is not None
    assert kept(before, opened, *ACCOUNT_BELOW, named(ft.Switch, t("prefs_quiet_hours", TH, start="21:00",
                                                                    end="07:00")))
    account.close_data()
    closed = account_view(account, TH)
    assert kept(opened, closed, *ACCOUNT_BELOW)


async def test_account_switches_keep_their_ids_when_the_quiet_times_appear_above_them() -> None:
    _, _app, account = await account_screen()
    before = account_view(account, TH)
    await account.set_quiet_hours(True)
    after = account_view(account, TH)
    assert by_label(t("prefs_quiet_start", TH))(after) is not None
    assert kept(before, after, *ACCOUNT_BELOW)


async def test_account_buttons_keep_their_ids_when_a_failed_reload_shows_above_them() -> None:
    backend, _app, account = await account_screen()
    before = account_view(account, TH)
    backend.overrides[("GET", "/me")] = lambda _: error_response(503, "unavailable")
    await account.load()
    after = account_view(account, TH)
    assert t("retry", TH) in texts(after)
    assert kept(before, after, by_button(t("download_my_data", TH)), *ACCOUNT_BELOW)


# --- the job report's parts rows -----------------------------------------------------------------------------------

def part_field(name: str) -> Any:
    """A parts row's name field, found by what was typed in it (its label's number changes as rows go)."""
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        (field,) = [c for c in walk(tree) if isinstance(c, ft.TextField) and c.value == name]
        return field
    return find_it


def part_remove(name: str) -> Any:
    def find_it(tree: ft.BaseControl) -> ft.BaseControl:
        (row,) = [c for c in walk(tree) if isinstance(c, ft.Row)
                  and any(isinstance(f, ft.TextField) and f.value == name for f in c.controls)]
        (button,) = [c for c in walk(row) if isinstance(c, ft.IconButton)]
        return button
    return find_it


async def test_a_parts_row_keeps_its_ids_when_the_row_above_it_is_removed() -> None:
    # Keyed by place, row 2 would take over row 1's ids: a tap on "remove part 1" arriving as row 1 goes would
    # remove row 2, and the focus in row 1's name field would land in row 2's.
    _, _app, job = await technician_job()
    for name in ("ฟิวส์", "สายไฟ", "ปลั๊ก"):
        job.add_part()
        job.set_part(len(job.report.parts) - 1, name=name)
    before = job_view(job, TH)
    (first_remove,) = ids(before, part_remove("ฟิวส์"))
    job.remove_part(0)
    after = job_view(job, TH)
    assert [p.name for p in job.report.parts] == ["สายไฟ", "ปลั๊ก"]
    assert kept(before, after, part_field("สายไฟ"), part_remove("สายไฟ"), part_field("ปลั๊ก"),
                by_button(t("save_report", TH)))
    assert ids(after, part_remove("สายไฟ")) != [first_remove]


async def test_every_parts_row_has_its_own_id_even_when_two_are_typed_alike() -> None:
    _, _app, job = await technician_job()
    job.add_part()
    job.add_part()
    first, second = job.report.parts
    assert first == second and first.local_id != second.local_id  # alike, yet two rows
    siblings_keyed_once(job_view(job, TH))


# --- every screen --------------------------------------------------------------------------------------------------

async def test_no_two_siblings_share_a_key_on_the_form_and_the_account_screen() -> None:
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 2, "capped": False, "radius_m": 150.0, "days": 7}
    form = await loaded_form(backend)
    form.add_photo("a.jpg", jpeg_with_exif())
    form.add_photo("b.jpg", jpeg_with_exif())  # the same picture twice: two photos, two keys
    form.set_category("appliance")
    await form.locate(*CHIANG_MAI, LocationSource.MAP)
    await form.submit()
    form.location_unavailable(denied=False)
    siblings_keyed_once(form_view(form))
    _, app, account = await account_screen()
    await account.set_quiet_hours(True)
    await account.download_data()
    for view in app_views(app):
        siblings_keyed_once(view)

