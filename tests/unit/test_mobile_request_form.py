"""The repair request form: checks before sending, the POST + photo PUTs, retries with one key, and the screen."""

import io
import json
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
import msgpack  # type: ignore[import-untyped]  # flet's own wire format; ships no stubs
from flet.controls.base_control import BaseControl
from flet.messaging.protocol import configure_encode_object_for_msgpack
from PIL import Image

from mobile.device import LocationDenied
from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_form import CategoriesState, FormState, LocationSource, RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import Locale, error_text
from tests.unit.fake_photos import PickedFiles
from tests.unit.mobile_fakes import (
    CHIANG_MAI,
    RequestBackend,
    button_named,
    error_response,
    find,
    icon_button_named,
    jpeg_with_exif,
    texts,
    toggles,
    walk,
)
from tests.unit.mobile_screens import assert_accessible, click, fill_valid, open_form, sign_in, signed_in

NETWORK_TH = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต"
def state_of(form: RequestFormViewModel) -> FormState:
    return form.state


# --- checks before sending ---------------------------------------------------------------------------


async def test_form_opens_with_categories_and_the_profile_phone() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    assert [c.code for c in form.categories] == ["appliance"]
    assert form.contact_phone == "081-111-1111"
    assert form.service_place == "centre"
    assert isinstance(form.idempotency_key, UUID)


async def test_invalid_draft_shows_thai_errors_per_field_and_sends_nothing() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    form.set_contact_phone("12345")
    await form.submit()
    assert backend.calls("POST", "/requests") == []
    assert form.errors == {
        "category_code": "กรุณาเลือกประเภทงานซ่อม",
        "item": error_text("request_item_invalid").th,
        "description": "กรุณาอธิบายอาการเสีย 5–2000 ตัวอักษร",
        "location": "กรุณาระบุตำแหน่ง (GPS หรือปักหมุดบนแผนที่)",
        "contact_phone": error_text("invalid_phone").th,
        "pdpa_consent": error_text("request_consent_required").th,
    }
    # The fields to fix by their labels, in the form's order: not "the ones in red".
    assert form.form_error == ("ยังส่งไม่ได้ กรุณาแก้ไข: ประเภทงานซ่อม, ของที่จะซ่อม, อาการเสีย, ตำแหน่ง, "
                               "เบอร์โทรติดต่อ, ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม")
    assert state_of(form) == FormState.EDITING
    # Fixing a choice clears its message, and its name leaves the list.
    form.set_category("appliance")
    assert "category_code" not in form.errors
    assert form.form_error is not None and not form.form_error.startswith("ยังส่งไม่ได้ กรุณาแก้ไข: ประเภทงานซ่อม")
    assert form.form_error.startswith("ยังส่งไม่ได้ กรุณาแก้ไข: ของที่จะซ่อม, ")


async def test_errors_follow_the_language() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    await form.submit()
    await app.toggle_locale()
    assert form.errors["category_code"] == "Choose what kind of repair it is"


async def test_location_outside_thailand_is_refused_before_sending() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    fill_valid(form)
    form.set_location(35.68, 139.69, LocationSource.GPS)  # Tokyo
    await form.submit()
    assert backend.calls("POST", "/requests") == []
    assert form.errors == {"location": error_text("request_location_outside_thailand").th}


# --- sending -----------------------------------------------------------------------------------------


async def test_valid_submit_posts_normalized_json_then_puts_processed_photos() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    originals = [jpeg_with_exif((200, 80, 40)), jpeg_with_exif((20, 90, 200), (300, 500))]
    form.add_photos([("a.jpg", originals[0]), ("b.jpg", originals[1])])
    assert len(form.photos) == 2 and form.photo_error is None
    key = form.idempotency_key

    await form.submit()

    (body,) = backend.posts()
    assert body == {
        "idempotency_key": str(key),
        "category_code": "appliance",
        "item": "หม้อหุงข้าว ไฟฟ้า",
        "brand": "Sharp KS-11E",
        "description": "เปิดไม่ติด ไฟไม่เข้า",
        "lat": CHIANG_MAI[0],
        "lon": CHIANG_MAI[1],
        "address": "12 ถ.นิมมานเหมินท์",
        "province": "",
        "district": "",
        "sub_district": "",
        "service_place": "home",
        "preferred_days": ["mon", "sat"],  # week order, not tap order
        "contact_phone": "+66812345678",
        "pdpa_consent": True,
        "location_approximate": False,  # a pin from the map: exact
    }
    created = form.created
    assert created is not None
    puts = backend.calls("PUT", f"/requests/{created.id}/photos/0") + backend.calls(
        "PUT", f"/requests/{created.id}/photos/1"
    )
    assert len(puts) == 2
    assert backend.paths().index("POST /requests") < backend.paths().index(f"PUT {puts[0].url.path}")
    for idx, original in enumerate(originals):
        uploaded = backend.photos[(str(created.id), idx)]
        assert uploaded == form.photos[idx].image
        assert uploaded != original
        with Image.open(io.BytesIO(uploaded)) as im:
            assert im.format == "JPEG"
            assert not im.getexif()
            assert b"SecretCamera" not in uploaded
        assert b"SecretCamera" in original
    assert [p[0] for p in backend.photo_parts] == ["file", "file"]
    assert [p[1:] for p in backend.photo_parts] == [("0.jpg", "image/jpeg"), ("1.jpg", "image/jpeg")]

    # Back on the home, reloaded, with the new request on top.
    assert app.screen == Screen.HOME and app.request_form is None
    assert isinstance(app.home, CitizenHome)
    assert app.home.requests[0].item == "หม้อหุงข้าว ไฟฟ้า"
    assert backend.paths()[-1] == "GET /requests/mine"


async def test_network_failure_saves_the_draft_to_the_outbox_and_it_is_sent_once_later() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    backend.offline = True
    await form.submit()
    # The form closes; the home says the draft is kept and shows it on top as "waiting to send".
    assert app.screen == Screen.HOME and app.request_form is None
    assert app.outbox is not None
    (item,) = app.outbox.items
    assert item.key == str(form.idempotency_key)
    assert item.item == "หม้อหุงข้าว ไฟฟ้า" and len(item.photos) == 1
    assert item.photos[0].image == form.photos[0].image
    tree = app_view(app)
    shown = texts(tree)
    assert "บันทึกไว้แล้ว จะส่งให้อัตโนมัติเมื่อเชื่อมต่อได้" in shown
    assert "รอส่ง" in shown
    assert shown.index("หม้อหุงข้าว ไฟฟ้า") < shown.index("หม้อหุงข้าว")  # the waiting draft comes first

    backend.offline = False
    await app.outbox.flush()
    offline_post, online_post = backend.calls("POST", "/requests")
    assert json.loads(offline_post.content)["idempotency_key"] == json.loads(online_post.content)["idempotency_key"]
    assert json.loads(online_post.content)["idempotency_key"] == str(form.idempotency_key)
    assert len(backend.created) == 1 and len(backend.photos) == 1
    assert app.outbox.items == []
    assert isinstance(app.home, CitizenHome)
    assert app.home.requests[0].item == "หม้อหุงข้าว ไฟฟ้า"  # the home reloaded
    assert "รอส่ง" not in texts(app_view(app))


async def test_photo_upload_dropped_after_the_post_resumes_only_the_photo() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    form.add_photo("b.jpg", jpeg_with_exif((1, 2, 3)))
    backend.fail_photo_once = {1}
    await form.submit()
    assert app.screen == Screen.HOME
    assert app.outbox is not None
    (item,) = app.outbox.items
    assert item.request_id is not None and item.uploaded == [0]
    await app.outbox.flush()
    assert len(backend.calls("POST", "/requests")) == 1  # the request was not sent twice
    created = next(iter(backend.created.values()))
    assert sorted(idx for (_, idx) in backend.photos) == [0, 1]
    assert all(rid == created["id"] for (rid, _) in backend.photos)
    puts = [r for r in backend.requests if r.method == "PUT"]
    # Photo 0 once; photo 1 dropped once, then resumed: nothing sent twice that had arrived.
    assert [r.url.path.rsplit("/", 1)[1] for r in puts] == ["0", "1", "1"]
    assert app.outbox.items == []


async def test_backend_field_errors_go_next_to_their_fields() -> None:
    backend = RequestBackend()

    def refuse(request: httpx.Request) -> httpx.Response:
        item = error_text("request_item_invalid")
        return httpx.Response(
            400,
            json={
                "error": {
                    "code": "validation_failed",
                    "message_th": "ข้อมูลไม่ถูกต้อง",
                    "message_en": "Invalid input",
                    "fields": {
                        "item": {"code": "request_item_invalid", "message_th": item.th, "message_en": item.en},
                        "location": {"code": "request_location_outside_thailand", "message_th": "นอกเขต",
                                     "message_en": "Outside"},
                    },
                }
            },
        )

    backend.overrides[("POST", "/requests")] = refuse
    app, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    assert form.errors == {"item": error_text("request_item_invalid").th, "location": "นอกเขต"}
    assert state_of(form) == FormState.EDITING
    assert form.created is None
    tree = app_view(app)
    (item_field,) = find(tree, ft.TextField, lambda f: f.label == "ของที่จะซ่อม")
    assert item_field.error == error_text("request_item_invalid").th
    assert "นอกเขต" in texts(tree)


async def test_server_error_is_shown_with_retry() -> None:
    backend = RequestBackend()
    backend.overrides[("POST", "/requests")] = lambda r: error_response(503, "database_unavailable")
    _, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    assert form.form_error == error_text("database_unavailable").th
    assert form.can_retry


async def test_lost_session_while_sending_goes_to_login() -> None:
    backend = RequestBackend()
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    app, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    assert app.screen == Screen.LOGIN
    assert app.request_form is None


class SamePersonBackend(RequestBackend):
    """RequestBackend in which each role is one person across sign-ins (the base gives a new id per profile)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}

    def profile(self, role: str) -> dict[str, Any]:
        return {**super().profile(role), "id": self.ids.setdefault(role, str(uuid4()))}


async def test_a_form_sent_as_the_session_ends_is_kept_for_its_owner() -> None:
    """The sign-in ran out while a long form was being sent: back at the login, and the draft must not be lost.
    It is held in this person's outbox: signed in again, nothing sends it until they choose to."""
    backend = SamePersonBackend()
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    app, form = await open_form(backend)
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    key = str(form.idempotency_key)
    await form.submit()
    assert app.screen == Screen.LOGIN and app.login.notice == error_text("token_invalid").th
    del backend.overrides[("POST", "/requests")]
    await sign_in(app, "citizen")
    assert app.outbox is not None
    (kept,) = app.outbox.items
    assert kept.key == key and kept.item == "หม้อหุงข้าว ไฟฟ้า" and len(kept.photos) == 1
    posts_before = len(backend.posts())
    await app.outbox.flush()
    assert [i.key for i in app.outbox.items] == [key] and len(backend.posts()) == posts_before


# --- photos and location -----------------------------------------------------------------------------


async def test_non_image_photo_is_refused_in_thai() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    assert not form.add_photo("notes.txt", b"this is not a picture at all")
    assert form.photos == []
    assert form.photo_error == "ไฟล์นี้ไม่ใช่รูปภาพ กรุณาเลือกรูปถ่าย"


async def test_sixth_photo_is_refused() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    photo = jpeg_with_exif(size=(64, 48))
    form.add_photos([(f"{i}.jpg", photo) for i in range(6)])
    assert len(form.photos) == 5
    assert form.photo_error == "ส่งรูปได้ไม่เกิน 5 รูปต่อครั้ง"
    assert not form.can_add_photo
    form.remove_photo(0)
    assert len(form.photos) == 4 and form.photo_error is None and form.can_add_photo


async def test_gps_denied_explains_and_the_map_pin_still_works() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)

    class DeniedDevice(PickedFiles):
        async def current_position(self) -> tuple[float, float]:
            raise LocationDenied("Location permission denied: User denied Geolocation.")

        async def launch_url(self, url: str) -> None:
            raise AssertionError(url)

        async def save_file(self, name: str, data: bytes) -> bool:
            return False

    device = DeniedDevice([("a.jpg", jpeg_with_exif())])
    tree = app_view(app, device)
    await click(tree, "ใช้ตำแหน่งปัจจุบัน")
    assert form.location_notice == "ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง แตะบนแผนที่เพื่อปักหมุดแทนได้"
    assert form.lat is None
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    assert form.location_notice is None
    assert (form.lat, form.lon) == CHIANG_MAI
    tree = app_view(app, device)
    assert any("18.78830" in text and "หมุดบนแผนที่" in text for text in texts(tree))

    await click(tree, "เพิ่มรูปภาพ")
    assert len(form.photos) == 1


# --- the screen --------------------------------------------------------------------------------------


async def test_citizen_home_has_the_request_button() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    tree = app_view(app)
    await click(tree, "แจ้งซ่อม")
    assert app.screen == Screen.REQUEST_FORM


async def test_form_view_builds_with_labelled_controls() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    tree = app_view(app)
    assert_accessible(tree)
    button_named(tree, "ส่งคำขอซ่อม")
    icon_button_named(tree, "ย้อนกลับ")  # the app bar's back arrow, the form's one back
    button_named(tree, "เพิ่มรูปภาพ")
    button_named(tree, "ใช้ตำแหน่งปัจจุบัน")
    labels = [f.label for f in find(tree, ft.TextField)]
    assert labels == ["ของที่จะซ่อม", "ยี่ห้อ/รุ่น", "อาการเสีย", "ที่อยู่ (ไม่บังคับ)", "เบอร์โทรติดต่อ"]
    dropdown, province, district, sub_district = find(tree, ft.Dropdown)
    assert dropdown.label == "ประเภทงานซ่อม"
    assert [o.text for o in dropdown.options] == ["เครื่องใช้ไฟฟ้า"]
    assert [province.label, district.label, sub_district.label] == ["จังหวัด", "อำเภอ/เขต", "ตำบล/แขวง"]
    # Each dropdown is named in the semantics tree by its label (Flutter gives the bare button no name).
    named = {s.label: s.content for s in find(tree, ft.Semantics) if isinstance(s.content, ft.Dropdown)}
    assert named == {"ประเภทงานซ่อม": dropdown, "จังหวัด": province, "อำเภอ/เขต": district, "ตำบล/แขวง": sub_district}
    (description,) = find(tree, ft.TextField, lambda f: f.label == "อาการเสีย")
    assert description.multiline
    assert [label for label, _ in toggles(tree, ft.Checkbox)] == ["ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม"]
    assert [r.label for r in find(tree, ft.Radio)] == ["ที่ศูนย์ซ่อม", "ที่บ้าน"]
    assert len(find(tree, ft.Chip)) == 7
    all_text = " ".join(texts(tree))
    assert "ครูผู้ควบคุม" in all_text and "ขอลบข้อมูล" in all_text  # who sees it, how to delete
    assert next(f.value for f in find(tree, ft.TextField) if f.label == "เบอร์โทรติดต่อ") == "081-111-1111"

    # Errors show next to the fields after a refused send; photos show as labelled thumbnails.
    form.add_photo("a.jpg", jpeg_with_exif())
    await form.submit()
    tree = app_view(app)
    (item_field,) = find(tree, ft.TextField, lambda f: f.label == "ของที่จะซ่อม")
    assert item_field.error == error_text("request_item_invalid").th
    assert dropdown.label and find(tree, ft.Dropdown)[0].error_text == "กรุณาเลือกประเภทงานซ่อม"
    assert find(tree, ft.Checkbox)[0].error
    (thumb,) = find(tree, ft.Image)
    assert thumb.semantics_label == "รูปที่ 1"
    assert_accessible(tree)
    assert any(isinstance(c, ft.IconButton) and c.tooltip == "ลบรูปที่ 1" for c in walk(tree))


async def test_form_view_in_english_and_back_returns_home() -> None:
    backend = RequestBackend()
    app, _ = await open_form(backend, Locale.EN)
    tree = app_view(app)
    button_named(tree, "Send repair request")
    await icon_button_named(tree, "Back").on_click()  # the app bar's back arrow
    assert app.screen == Screen.HOME and app.request_form is None


async def test_form_tree_passes_flet_validation_and_encodes() -> None:
    """What Flet does before sending a tree to the client: property checks, then the wire encoding."""
    backend = RequestBackend()
    app, form = await open_form(backend)
    form.add_photo("a.jpg", jpeg_with_exif())
    await form.submit()  # with errors shown
    fill_valid(form)
    tree = app_view(app)
    for control in walk(tree):
        control._before_update_safe()  # type: ignore[no-untyped-call]
    encoder = configure_encode_object_for_msgpack(BaseControl)  # type: ignore[no-untyped-call]
    encoded = msgpack.packb(tree, default=encoder)
    assert isinstance(encoded, bytes) and encoded


async def test_a_red_field_clears_as_soon_as_it_is_right_and_only_then_redraws() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    await form.submit()
    assert {"description", "item", "location", "pdpa_consent"} <= set(form.errors)
    redraws: list[int] = []
    form.on_change.append(lambda: redraws.append(1))

    form.set_description("เสีย")  # still too short: the same line stays, nothing redrawn per keystroke
    assert form.errors["description"] == "กรุณาอธิบายอาการเสีย 5–2000 ตัวอักษร" and redraws == []
    form.set_description("เปิดไม่ติด")  # right now: the line goes at once, not at the next send
    assert "description" not in form.errors and len(redraws) == 1
    (description,) = find(app_view(app), ft.TextField, lambda f: f.label == "อาการเสีย")
    assert description.error is None
    form.set_description("เปิดไม่ติดเลย")  # nothing shown any more: no redraw per keystroke
    assert len(redraws) == 1

    form.set_brand("x" * 200)  # a field with nothing shown stays quiet until the send
    assert "brand" not in form.errors
    form.set_location(35.68, 139.69, LocationSource.MAP)  # still wrong, differently: the line says what now
    assert form.errors["location"] == error_text("request_location_outside_thailand").th
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    assert "location" not in form.errors

    form.set_brand("Sharp")
    form.set_item("หม้อหุงข้าว")
    form.set_category("appliance")
    form.set_pdpa_consent(True)
    assert form.errors == {} and form.form_error is None  # the "fix the red fields" line goes with the last one
    tree = app_view(app)
    assert not [f for f in find(tree, ft.TextField) if f.error] and not find(tree, ft.Checkbox)[0].error


async def test_the_fields_stay_where_they_are_when_the_categories_arrive() -> None:
    """Issue 9: a loading row above the picker vanished when the categories came, and a tap aimed at the item field
    landed on what moved under it. The picker itself says it is loading, disabled, and nothing moves."""
    app, form = await open_form(RequestBackend())

    def place_of_item() -> int:
        return next(i for i, c in enumerate(walk(app_view(app))) if isinstance(c, ft.TextField) and c.key == "item")

    form.categories_state = CategoriesState.LOADING
    loading_at = place_of_item()
    picker = find(app_view(app), ft.Dropdown)[0]  # the first: the category (the area pickers follow)
    assert picker.disabled and picker.hint_text == "กำลังโหลด…"
    form.categories_state = CategoriesState.READY
    assert place_of_item() == loading_at
    picker = find(app_view(app), ft.Dropdown)[0]
    assert not picker.disabled and picker.options


class PhotoFaultBackend(RequestBackend):
    """RequestBackend whose photo uploads fail with a server fault (not a lost connection: the form stays)."""

    down = True

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.method == "PUT" and "/photos/" in request.url.path:
            self.requests.append(request)
            return error_response(503, "database_unavailable")
        return super().handle(request)


async def test_once_the_request_exists_its_fields_no_longer_take_changes() -> None:
    """The request went in, a photo did not: only the photos are left to send, so a field changed now would be
    dropped without a word. The fields are read-only then; the retry button sends the photos."""
    backend = PhotoFaultBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    await form.submit()
    assert form.created is not None and form.state == FormState.FAILED
    tree = app_view(app)
    (item,) = find(tree, ft.TextField, lambda f: f.label == "ของที่จะซ่อม")
    assert item.read_only
    assert all(d.disabled for d in find(tree, ft.Dropdown))
    assert all(f.read_only for f in find(tree, ft.TextField))
    await form.locate(13.75, 100.5, LocationSource.MAP)  # a tap on the map: the place was sent already
    assert (form.lat, form.lon) == CHIANG_MAI
    backend.down = False
    await click(tree, "ลองใหม่")  # the photos go once the server is back
    assert state_of(form) == FormState.SENT and len(backend.photos) == 1
