""""Edit and resend" never drops an edit without a word: a draft whose request the backend stored already opens
with its details final and only its photos left to send; an edited draft whose request was stored unbeknown to the
app (its answer lost) is refused in words by the backend (409 idempotency_key_reused), keeps what was typed, and may
go as a new request."""

import json
from uuid import UUID

import flet as ft
import httpx

from mobile.outbox import ItemState, OutboxItem, OutboxPhoto, decode_items
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import (
    PHOTO_PATH,
    RequestBackend,
    button_named,
    error_response,
    find,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_outbox import body


class RefusesPhotos(RequestBackend):
    """The photos at `refused` are refused as too large (413), the others stored."""

    def __init__(self, refused: set[int]) -> None:
        super().__init__()
        self.refused = refused

    def handle(self, request: httpx.Request) -> httpx.Response:
        match = PHOTO_PATH.match(request.url.path)
        if request.method == "PUT" and match and int(match.group(2)) in self.refused:
            self.requests.append(request)
            return error_response(413, "photo_upload_too_large", n=int(match.group(2)) + 1)
        return super().handle(request)


def photo(colour: tuple[int, int, int]) -> OutboxPhoto:
    data = jpeg_with_exif(colour, (32, 32))
    return OutboxPhoto(data, data, "image/jpeg", 32, 32, "a.jpg")


def form_of(app: AppViewModel) -> RequestFormViewModel:
    assert app.screen == Screen.REQUEST_FORM and app.request_form is not None
    return app.request_form


def screen_of(app: AppViewModel) -> Screen:
    return app.screen  # read through a call: mypy keeps an attribute narrowed across awaits


def state_of(form: RequestFormViewModel) -> FormState:
    return form.state


def item_field(app: AppViewModel) -> ft.TextField:
    (field,) = find(app_view(app), ft.TextField, lambda f: f.label == t("item_label", Locale.TH))
    assert isinstance(field, ft.TextField)
    return field


async def stored_request(backend: RequestBackend, draft: dict[str, object]) -> None:
    """The POST of `draft` reached the backend, but its answer never reached the app."""
    api = backend.client()
    api.token = backend.issue_token("citizen")
    await api.create_request(draft)


async def test_a_stored_draft_opens_with_its_details_final_and_sends_only_its_photos() -> None:
    backend = RefusesPhotos(refused={1})
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    await app.outbox.add(OutboxItem(body=body("พัดลม"), photos=[photo((1, 2, 3)), photo((4, 5, 6)), photo((7, 8, 9))]))
    await app.outbox.flush()
    (item,) = app.outbox.items
    assert item.state == ItemState.FAILED and item.request_id is not None and item.uploaded == [0]

    # The card says the request arrived and offers what is left: its photos, not its details.
    tree = app_view(app)
    shown = texts(tree)
    assert t("outbox_received", Locale.TH) in shown and error_text("photo_upload_too_large", n=2).th in shown
    assert t("outbox_edit", Locale.TH) not in shown
    await button_named(tree, t("outbox_edit_photos", Locale.TH)).on_click()  # type: ignore[attr-defined]

    form = form_of(app)
    assert_accessible(app_view(app))
    assert form.request_id == UUID(item.request_id) and form.item == "พัดลม"
    assert form.fields_locked and item_field(app).read_only
    shown = texts(app_view(app))
    assert t("request_already_received", Locale.TH) in shown and t("send_remaining_photos", Locale.TH) in shown
    assert t("submit_request", Locale.TH) not in shown
    # The photo the backend has stays; the refused one goes, and a smaller one may take its place.
    assert not form.can_remove_photo(0) and form.can_remove_photo(1) and form.can_remove_photo(2)
    assert not app.has_unsent_changes
    form.remove_photo(1)
    assert app.has_unsent_changes  # leaving now would lose the photo change: the form asks first
    assert form.can_add_photo and form.add_photo("small.jpg", jpeg_with_exif((0, 0, 255), (64, 48)))
    backend.refused = set()
    await form.submit()

    assert screen_of(app) == Screen.HOME and app.outbox.items == []
    assert len(backend.calls("POST", "/requests")) == 1  # the request was not sent again
    assert sorted(idx for (_, idx) in backend.photos) == [0, 1, 2]
    (stored,) = backend.created.values()
    assert stored["item"] == "พัดลม" and stored["id"] == item.request_id


async def test_an_edit_of_a_request_stored_unbeknown_is_refused_in_words_and_kept() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    first = body("พัดลม")
    await stored_request(backend, first)
    # Its answer lost, then the sign-in: kept for its writer, who chooses to edit it.
    await app.outbox.add(OutboxItem(body=first, state=ItemState.HELD))
    await button_named(app_view(app), t("outbox_edit_held", Locale.TH)).on_click()  # type: ignore[attr-defined]
    form = form_of(app)
    assert not form.fields_locked
    form.set_item("ตู้เย็น")
    await form.submit()

    refused = error_text("idempotency_key_reused")
    assert screen_of(app) == Screen.REQUEST_FORM and state_of(form) == FormState.EDITING
    assert form.form_error == refused.th and form.item == "ตู้เย็น"  # nothing typed is lost
    tree = app_view(app)
    assert_accessible(tree)
    shown = texts(tree)
    assert refused.th in shown and t("retry", Locale.TH) not in shown
    assert [i.key for i in app.outbox.items] == [first["idempotency_key"]]
    (stored,) = backend.created.values()
    assert stored["item"] == "พัดลม"

    # The person chooses: the new details as a request of their own; the draft it came from is done with.
    await button_named(app_view(app), t("send_as_new_request", Locale.TH)).on_click()  # type: ignore[attr-defined]
    assert screen_of(app) == Screen.HOME and app.outbox.items == []
    assert sorted(d["item"] for d in backend.created.values()) == ["ตู้เย็น", "พัดลม"]


async def test_an_unchanged_draft_stored_unbeknown_still_gets_its_request_back() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    first = body("พัดลม")
    await stored_request(backend, first)
    await app.outbox.add(OutboxItem(body=first, state=ItemState.HELD))
    await button_named(app_view(app), t("outbox_edit_held", Locale.TH)).on_click()  # type: ignore[attr-defined]
    await form_of(app).submit()
    assert screen_of(app) == Screen.HOME and app.outbox.items == []
    posts = backend.calls("POST", "/requests")
    assert len(posts) == 2 and len(backend.created) == 1
    assert {json.loads(p.content)["idempotency_key"] for p in posts} == {first["idempotency_key"]}


async def test_the_outboxs_refusal_of_an_edit_is_kept_with_its_code_and_may_go_as_new() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    first = body("พัดลม")
    await stored_request(backend, first)
    await app.outbox.add(OutboxItem(body={**first, "description": "เปิดไม่ติดเลย"}))  # an edit kept offline
    await app.outbox.flush()
    (item,) = app.outbox.items
    assert item.state == ItemState.FAILED and item.error_code == "idempotency_key_reused"
    assert decode_items(json.dumps([item.to_json()]))[0].error_code == "idempotency_key_reused"
    assert error_text("idempotency_key_reused").th in texts(app_view(app))

    await button_named(app_view(app), t("outbox_edit", Locale.TH)).on_click()  # type: ignore[attr-defined]
    form = form_of(app)
    assert form.can_send_as_new and form.description == "เปิดไม่ติดเลย"
    # Offline now: the new request waits in the outbox in place of the refused draft, not beside it.
    backend.offline = True
    await form.send_as_new()
    (waiting,) = app.outbox.items
    assert waiting.key != first["idempotency_key"] and waiting.state == ItemState.PENDING
    assert waiting.body["description"] == "เปิดไม่ติดเลย"
