"""The owner's confirm steps on the record panel (a part's answer, "I have it back") when what they ask about is
settled elsewhere while they are open: the question closes with the reload that shows it, says why in the panel's
read-out notice, and leaves the panel's refusals and progress showing again (review16a finding 3)."""

import asyncio
from uuid import UUID

import flet as ft
import httpx

from mobile.viewmodels.credit import RecordPanel
from shared.text import Locale, t
from tests.unit.mobile_fakes import NOW, error_response, find, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import CreditBackend, panel_tree
from tests.unit.test_mobile_credit import click as credit_click


class CodeRefused(CreditBackend):
    """GET a handover code: the server is down (503)."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/handover-code"):
            self.requests.append(request)
            return error_response(503, "database_unavailable")
        return super().handle(request)


def _read_out(panel: RecordPanel) -> list[str]:
    """The words of the panel's live regions (what a screen reader says as they change)."""
    return [w for s in find(panel_tree(panel), ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s)]


async def _owner_panel(backend: CreditBackend) -> RecordPanel:
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    assert vm.record is not None
    return vm.record


async def test_a_question_about_a_part_decided_elsewhere_goes_with_it() -> None:
    """Request detail (owner), status done: a part waits, "อนุมัติ" tapped, the question is open. The other parent's
    phone approves it; the live event reloads the record: the part leaves the waiting list (its question is no longer
    drawn) but `part_asked` stayed, so `asking` stayed True. The owner taps "ขอรหัสคืนของ", the server answers 503:
    the refusal was set and never shown (record_panel hides action_error while asking), nor was any progress."""
    backend = CodeRefused("done")
    part = backend.part("คาปาซิเตอร์")
    panel = await _owner_panel(backend)
    await credit_click(panel_tree(panel), t("part_approve", Locale.TH))
    assert panel.part_asked is not None
    part["status"] = "approved"  # decided on another device
    await panel.load()
    assert not panel.parts_waiting
    await credit_click(panel_tree(panel), "ขอรหัสคืนของ")
    assert panel.action_error is not None
    assert panel.action_error in texts(panel_tree(panel)), "the refusal is not shown"


async def test_the_closed_part_question_says_what_was_answered() -> None:
    """The question goes, and the panel says (read out) that the part was answered meanwhile, and how: the owner,
    whose finger was on "ยืนยันอนุมัติ", is not left wondering where the question went."""
    backend = CreditBackend("done")
    part = backend.part("คาปาซิเตอร์")
    vm = await signed_in("citizen", backend)
    await vm.open_request(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    await credit_click(panel_tree(panel), t("part_decline", Locale.TH))
    assert t("part_decline_confirm", Locale.TH) in texts(panel_tree(panel))
    part.update(status="approved", approval="phone", approval_note="โทรคุยกับแม่")  # the student's phone approval
    await panel.load()
    assert panel.part_asked is None and not panel.asking
    assert t("part_decline_confirm", Locale.TH) not in texts(panel_tree(panel))
    said = "ระหว่างนี้ อะไหล่ คาปาซิเตอร์ ได้รับคำตอบแล้ว (อนุมัติทางโทรศัพท์: โทรคุยกับแม่) จึงไม่ต้องตอบอีก"
    assert said in _read_out(panel)
    vm.session.set_locale(Locale.EN)
    assert ("Meanwhile คาปาซิเตอร์ was answered (approved by phone: โทรคุยกับแม่): nothing more to answer"
            in _read_out(panel))


async def test_a_handover_question_closes_when_the_handover_was_confirmed_meanwhile() -> None:
    """"ได้รับของคืนแล้ว" tapped, the question open; the student hands back with the code told at the counter: the
    reload shows the handover confirmed, the question goes, the panel says so, and a later refusal shows."""
    backend = CodeRefused("done")
    panel = await _owner_panel(backend)
    await credit_click(panel_tree(panel), t("handover_confirm", Locale.TH))
    assert panel.handover_asked and panel.asking
    backend.handover = {"method": "owner_code", "reason": "", "confirmed_at": NOW.isoformat()}
    await panel.load()
    assert not panel.handover_asked and not panel.asking
    assert t("handover_confirm_yes", Locale.TH) not in texts(panel_tree(panel))
    assert t("handover_confirmed_meanwhile", Locale.TH) in _read_out(panel)


async def test_an_answer_sent_from_the_question_says_only_what_it_did() -> None:
    """The owner's own answer closes its question as before, with its own words, not "answered meanwhile"."""
    backend = CreditBackend("done")
    backend.part("คาปาซิเตอร์")
    panel = await _owner_panel(backend)
    await credit_click(panel_tree(panel), t("part_approve", Locale.TH))
    await credit_click(panel_tree(panel), t("part_approve_confirm", Locale.TH))
    assert panel.part_asked is None
    assert panel.notice == t("part_approved", Locale.TH, name="คาปาซิเตอร์")


class SlowDecision(CreditBackend):
    """The owner's answer on a part is stored at once, but its answer reaches the phone only once `let_go` is set."""

    def __init__(self) -> None:
        super().__init__("done")
        self.stored, self.let_go = asyncio.Event(), asyncio.Event()

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        response = await super()._answer(request)
        if request.method == "POST" and request.url.path.endswith("/decision"):
            self.stored.set()
            await self.let_go.wait()
        return response


async def test_a_reload_while_the_owners_own_answer_is_on_its_way_does_not_call_it_answered_meanwhile() -> None:
    """The owner's own "ยืนยันอนุมัติ" is stored; a reload (the live event it caused) lands before the answer: the
    question is the owner's own, on its way, so it is not said to be "answered meanwhile"; the answer says what it
    did."""
    backend = SlowDecision()
    backend.part("คาปาซิเตอร์")
    panel = await _owner_panel(backend)
    await credit_click(panel_tree(panel), t("part_approve", Locale.TH))
    answer = asyncio.ensure_future(credit_click(panel_tree(panel), t("part_approve_confirm", Locale.TH)))
    await asyncio.wait_for(backend.stored.wait(), 30)
    await panel.load()  # the live event's reload, landing first
    assert t("part_answered_meanwhile", Locale.TH, name="คาปาซิเตอร์", state="อนุมัติในแอป") not in _read_out(panel)
    backend.let_go.set()
    await asyncio.wait_for(answer, 30)
    assert panel.part_asked is None and not panel.asking
    assert panel.notice == t("part_approved", Locale.TH, name="คาปาซิเตอร์")
