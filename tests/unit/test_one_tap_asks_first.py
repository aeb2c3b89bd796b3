"""What cannot be taken back asks first, in the app's one confirm step (mobile/views/common.py::confirm_panel, as the
cancel of a request does): throwing away a request kept on the phone, the owner's answer on a part, "I have it back",
and a student's decline of an offer (audit16a findings 2, 7, 8 and 12)."""

from uuid import UUID

import flet as ft
import httpx

from mobile.outbox import ItemState, MemoryOutboxStorage, decode_items
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.credit import RecordPanel
from mobile.viewmodels.home import CitizenHome, TechnicianHome
from mobile.views.credit import record_panel
from mobile.views.frame import app_view
from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import (
    MemoryStore,
    OnePersonPerPhone,
    WorkBackend,
    error_response,
    find,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import click, fill_valid, sign_in, signed_in
from tests.unit.test_mobile_credit import CreditBackend, panel_tree
from tests.unit.test_mobile_credit import click as credit_click


def announced(tree: ft.Control) -> list[str]:
    """The words of the live regions: what a screen reader reads out as it appears."""
    return [w for s in find(tree, ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s) if w]


# --- a request kept on the phone ----------------------------------------------------------------------------------


async def test_discarding_a_kept_request_asks_first() -> None:
    """Citizen home, a request kept on the phone ("ส่งคำขอนี้" / "แก้ไข" / "ทิ้ง" side by side in one wrapping row):
    one tap on "ทิ้ง", a thumb slipping from "แก้ไข", and the item, description, address and photos an older citizen
    typed are gone from the phone for good. Nothing asks, nothing offers to undo."""
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    del backend.overrides[("POST", "/requests")]
    await sign_in(app, "citizen")
    assert app.outbox is not None and [i.state for i in app.outbox.items] == [ItemState.HELD]
    await click(app_view(app), "ทิ้ง")
    # After the one tap the request must still be on the phone (a question or an undo is showing).
    assert [i.state for i in app.outbox.items] == [ItemState.HELD], "one tap threw the whole request away"
    assert decode_items(storage.raw), "one tap threw the whole request away"


async def _held(backend: OnePersonPerPhone, storage: MemoryOutboxStorage) -> AppViewModel:
    """A citizen's request kept on the phone when the sign-in ran out as it was sent, and the citizen back on the
    home."""
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    del backend.overrides[("POST", "/requests")]
    await sign_in(app, "citizen")
    assert app.outbox is not None and [i.state for i in app.outbox.items] == [ItemState.HELD]
    return app


async def test_the_kept_request_asks_then_keeps_or_discards_it_and_says_so() -> None:
    """"ทิ้ง" turns the card into the question, read out ("ทิ้งคำขอซ่อม หม้อหุงข้าว ใช่ไหม") with what it does;
    "ไม่ทิ้ง" brings the card back as it was; "ยืนยันทิ้ง" deletes it and the home says it did."""
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = await _held(backend, storage)
    assert app.outbox is not None
    item = app.outbox.items[0].item
    await click(app_view(app), "ทิ้ง")
    tree = app_view(app)
    assert f"ทิ้งคำขอซ่อม {item} ใช่ไหม" in announced(tree)
    assert "ข้อมูลที่คุณกรอกและรูปภาพของคำขอนี้จะถูกลบออกจากเครื่อง และนำกลับคืนไม่ได้" in texts(tree)
    assert "ส่งคำขอนี้" not in texts(tree)  # one question at a time on the card
    await click(tree, "ไม่ทิ้ง")
    tree = app_view(app)
    assert "ส่งคำขอนี้" in texts(tree) and "ยืนยันทิ้ง" not in texts(tree)
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    await click(tree, "ทิ้ง")
    await click(app_view(app), "ยืนยันทิ้ง")
    assert app.outbox.items == [] and decode_items(storage.raw) == []
    assert f"ทิ้งคำขอซ่อม {item} แล้ว" in announced(app_view(app))


# --- the owner's answers on parts and the handover -------------------------------------------------------------


async def test_approving_a_part_asks_first() -> None:
    """Request detail (citizen) → "อะไหล่ที่รอคุณอนุมัติ": "คาปาซิเตอร์ × 2 = 70.00 บาท", then "อนุมัติ" and
    "ไม่อนุมัติ" side by side (the two words differ only by "ไม่"). One tap, or a thumb landing on the wrong one,
    and the decision is sent; the backend refuses any change of it (409 part_already_decided). An older citizen
    agrees to pay, or stops the repair, by a slip."""
    backend = CreditBackend("repairing")
    waiting = backend.part("คาปาซิเตอร์")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.record is not None
    await credit_click(ft.Column(record_panel(vm.record, Locale.TH)), t("part_approve", Locale.TH))
    assert not [path for path, _ in backend.bodies if path == f"/parts/{waiting['id']}/decision"], \
        "one tap sent a final decision"


async def test_confirming_the_handover_asks_first() -> None:
    """Request detail (citizen), the job done: "ได้รับของคืนแล้ว" next to "ขอรหัสคืนของ". One tap records that the
    owner has the item back (backend/services/credit.py::confirm_handover; nothing in the app takes it back), and the
    student may then close the job as handed back, whether or not the owner holds it yet."""
    backend = CreditBackend("done")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.record is not None and vm.record.can_confirm_handover
    await credit_click(ft.Column(record_panel(vm.record, Locale.TH)), t("handover_confirm", Locale.TH))
    assert not backend.calls("POST", f"/requests/{backend.job['id']}/handover/confirm"), "one tap confirmed"


async def test_a_parts_answer_asks_naming_the_part_and_its_price_and_go_back_sends_nothing() -> None:
    """Either answer asks, naming the part and its price, read out; "กลับไปดูก่อน" brings the two buttons back."""
    backend = CreditBackend("repairing")
    waiting = backend.part("คาปาซิเตอร์")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    for answer, asked, yes in (("part_decline", "ไม่อนุมัติ คาปาซิเตอร์ (70.00 บาท) ใช่ไหม", "ยืนยันไม่อนุมัติ"),
                               ("part_approve", "อนุมัติ คาปาซิเตอร์ รวม 70.00 บาท ใช่ไหม", "ยืนยันอนุมัติ")):
        await credit_click(panel_tree(panel), t(answer, Locale.TH))
        tree = panel_tree(panel)
        assert asked in announced(tree) and yes in texts(tree)
        assert t("part_approve", Locale.TH) not in texts(tree)  # the question stands in for the two buttons
        await credit_click(tree, "กลับไปดูก่อน")
        assert t("part_approve", Locale.TH) in texts(panel_tree(panel)) and asked not in texts(panel_tree(panel))
    assert not [path for path, _ in backend.bodies if path == f"/parts/{waiting['id']}/decision"]
    # Said yes: sent, said so, and the question gone with the part.
    await credit_click(panel_tree(panel), t("part_decline", Locale.TH))
    await credit_click(panel_tree(panel), "ยืนยันไม่อนุมัติ")
    assert [body for path, body in backend.bodies if path == f"/parts/{waiting['id']}/decision"] == [
        {"approve": False}]
    tree = panel_tree(panel)
    assert "ไม่อนุมัติอะไหล่ คาปาซิเตอร์" in announced(tree) and "ยืนยันไม่อนุมัติ" not in texts(tree)


class ClosedToParts(CreditBackend):
    """Refuses every answer on a part: the job moved on since the screen loaded."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/decision"):
            self.requests.append(request)
            return error_response(409, "parts_decision_closed")
        return super().handle(request)


async def test_a_refused_answer_shows_in_the_question_which_stays_open() -> None:
    """The backend refuses (the job moved on: 409 parts_decision_closed): the refusal shows inside the open
    question, once, and the owner can go back."""
    backend = ClosedToParts("repairing")
    backend.part("คาปาซิเตอร์")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    await credit_click(panel_tree(panel), t("part_approve", Locale.TH))
    await credit_click(panel_tree(panel), "ยืนยันอนุมัติ")
    tree = panel_tree(panel)
    refusal = error_text("parts_decision_closed").th
    assert texts(tree).count(refusal) == 1 and "ยืนยันอนุมัติ" in texts(tree)
    await credit_click(tree, "กลับไปดูก่อน")
    assert refusal not in texts(panel_tree(panel))


class SeenWhileSending(CreditBackend):
    """Keeps what the record panel shows while the handover's confirmation is on its way."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.panel: RecordPanel | None = None
        self.seen: list[ft.Control] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/handover/confirm") and self.panel is not None:
            self.seen.append(panel_tree(self.panel))
        return super().handle(request)


async def test_the_handover_question_says_it_is_sending_then_what_was_done() -> None:
    backend = SeenWhileSending("done")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.record is not None
    backend.panel = vm.record
    await credit_click(panel_tree(vm.record), "ได้รับของคืนแล้ว")
    await credit_click(panel_tree(vm.record), "ใช่ ได้รับของแล้ว")
    (while_sending,) = backend.seen
    assert "กำลังส่ง…" in announced(while_sending)
    tree = panel_tree(vm.record)
    assert "ยืนยันรับของคืนแล้ว" in announced(tree) and "ใช่ ได้รับของแล้ว" not in texts(tree)


async def test_the_handover_asks_and_not_yet_sends_nothing() -> None:
    backend = CreditBackend("done")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    await credit_click(panel_tree(panel), "ได้รับของคืนแล้ว")
    tree = panel_tree(panel)
    assert "ได้รับของคืนแล้วใช่ไหม" in announced(tree)
    assert "ขอรหัสคืนของ" not in texts(tree)  # the question stands in for both buttons
    await credit_click(tree, "ยังไม่ได้รับ")
    assert "ได้รับของคืนแล้ว" in texts(panel_tree(panel))
    assert not backend.calls("POST", f"/requests/{backend.job['id']}/handover/confirm")


# --- a student's decline of an offer -----------------------------------------------------------------------------


async def test_declining_an_offer_asks_first() -> None:
    """Student home, an offer card: "รับงาน" and "ปฏิเสธ" side by side in a wrapping row, under the photos a student
    taps to look at. A slip on "ปฏิเสธ" sends the decline: the offer moves to the next student and this one cannot
    take it back. Taking a job opens its screen; losing one says only "ปฏิเสธงานแล้ว"."""
    backend = WorkBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    await click(app_view(app), t("decline_offer", Locale.TH))
    assert not [r for r in backend.requests if r.url.path.endswith("/decline")], "one tap declined the offer"


async def test_a_decline_asks_naming_the_job_and_goes_only_on_yes() -> None:
    """"ปฏิเสธ" turns the card's buttons into the question, read out with the job's item; "กลับไปดูก่อน" brings
    "รับงาน" and "ปฏิเสธ" back; "ยืนยันปฏิเสธ" sends the decline and the home says so."""
    backend = WorkBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    item = home.offers[0].item
    await click(app_view(app), t("decline_offer", Locale.TH))
    tree = app_view(app)
    assert f"ปฏิเสธงาน {item} ใช่ไหม" in announced(tree)
    assert t("accept_offer", Locale.TH) not in texts(tree)  # the question stands in for both buttons
    await click(tree, "กลับไปดูก่อน")
    assert t("accept_offer", Locale.TH) in texts(app_view(app))
    assert not [r for r in backend.requests if r.url.path.endswith("/decline")]
    await click(app_view(app), t("decline_offer", Locale.TH))
    await click(app_view(app), "ยืนยันปฏิเสธ")
    assert [r.url.path for r in backend.requests if r.url.path.endswith("/decline")] == [
        f"/offers/{home.offers[0].offer_id}/decline"]
    assert "ปฏิเสธงานแล้ว" in announced(app_view(app))


async def test_a_question_about_an_offer_that_is_gone_goes_with_it() -> None:
    """Asked about an offer that then leaves the list (another student took it, it expired): the question goes too,
    and a later offer's card shows its two buttons."""
    backend = WorkBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and home.offers
    await click(app_view(app), t("decline_offer", Locale.TH))
    assert home.decline_asked is not None
    gone, backend.offers = backend.offers, []
    await home.load()
    assert home.decline_asked is None
    backend.offers = gone
    await home.load()
    assert t("accept_offer", Locale.TH) in texts(app_view(app)) and "ยืนยันปฏิเสธ" not in texts(app_view(app))
