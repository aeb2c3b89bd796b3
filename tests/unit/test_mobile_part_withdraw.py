"""A part proposed by mistake, withdrawn in the app while it waits for the owner (known18be): "ถอนรายการ /
Withdraw" on a waiting part of the student who proposed it (or for the job's teacher), asking first; its busy flag
comes down whatever the answer (busy.answered); a refusal shows in the question; an answered part has no such
action. The view-model is driven as the screen drives it, without a browser."""

from typing import Any
from uuid import UUID, uuid4

import httpx

from mobile.viewmodels.credit import RecordPanel
from shared.text import error_text
from tests.unit.mobile_fakes import error_response, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import CreditBackend, button, click, panel_tree


class WithdrawBackend(CreditBackend):
    """The record's backend, with POST /requests/{id}/parts/{part_id}/withdraw as the backend answers it."""

    def __init__(self, status: str = "repairing") -> None:
        super().__init__(status)
        self.withdrawals: list[str] = []
        self.refuse: str | None = None  # the code the next withdrawal is refused with
        self.unforeseen = False  # the next withdrawal fails in a way the app does not name

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/withdraw"):
            self.requests.append(request)
            part = next(p for p in self.parts if path == f"/requests/{self.job['id']}/parts/{p['id']}/withdraw")
            self.withdrawals.append(part["id"])
            if self.unforeseen:
                self.unforeseen = False
                return httpx.Response(500, text="oops")
            if self.refuse is not None or part["status"] != "proposed":
                code, self.refuse = self.refuse or "part_answered", None
                return error_response(409, code)
            part.update(status="withdrawn", withdrawn_by_hand=True)
            return httpx.Response(200, json=part)
        return super().handle(request)


async def _student_panel(backend: WithdrawBackend) -> tuple[RecordPanel, dict[str, Any], dict[str, Any]]:
    """The student on the job, with one waiting part of their own and one another student proposed before."""
    vm = await signed_in("technician", backend)
    assert vm.session.profile is not None
    mine = backend.part("สายไฟผิดรุ่น", proposed_by=str(vm.session.profile.id))
    theirs = backend.part("มอเตอร์", proposed_by=str(uuid4()))
    await vm.open_job(UUID(backend.job["id"]))
    panel = vm.record
    assert panel is not None
    return panel, mine, theirs


async def test_the_student_withdraws_their_part_after_saying_yes_to_the_question() -> None:
    backend = WithdrawBackend()
    panel, mine, theirs = await _student_panel(backend)
    tree = panel_tree(panel)
    assert [b for b in texts(tree) if b == "ถอนรายการ"] == ["ถอนรายการ"]  # their own part only
    assert not panel.can_withdraw(next(p for p in panel.parts if str(p.id) == theirs["id"]))

    await click(tree, "ถอนรายการ")
    assert backend.withdrawals == []  # one tap asks first, naming the part and its price
    asked = panel_tree(panel)
    assert "ถอนรายการ สายไฟผิดรุ่น (70.00 บาท) ใช่ไหม" in texts(asked)
    await click(asked, "ยืนยันถอนรายการ")
    assert backend.withdrawals == [mine["id"]]
    assert not panel.sending and panel.withdraw_asked is None
    shown = texts(panel_tree(panel))
    assert "ถอนรายการอะไหล่ สายไฟผิดรุ่น แล้ว" in shown and "ถอนรายการแล้ว (เสนอผิด)" in shown
    assert "ถอนรายการ" not in shown  # withdrawn: nothing more to withdraw


async def test_a_refused_or_failed_withdrawal_brings_the_busy_flag_down_and_says_why() -> None:
    """The owner answered meanwhile (409 part_answered): the question shows the refusal in the person's language
    and the panel is not left busy; an answer the app does not name leaves it usable too."""
    backend = WithdrawBackend()
    panel, mine, _ = await _student_panel(backend)
    part_id = UUID(mine["id"])
    backend.refuse = "part_answered"
    await panel.withdraw_part(part_id)  # asks first
    await panel.withdraw_part(part_id)
    assert backend.withdrawals == [mine["id"]]
    assert not panel.sending
    assert panel.action_error == error_text("part_answered").th
    assert "เจ้าของตอบรายการอะไหล่นี้แล้ว จึงถอนรายการไม่ได้" in texts(panel_tree(panel))

    backend.unforeseen = True
    panel.ask_withdraw(part_id)
    await panel.withdraw_part(part_id)
    assert len(backend.withdrawals) == 2 and not panel.sending and panel.action_error
    button(panel_tree(panel), "ยืนยันถอนรายการ")  # still asked, and usable again


async def test_the_jobs_teacher_may_withdraw_a_waiting_part_the_owner_may_not() -> None:
    backend = WithdrawBackend()
    backend.part("สายไฟผิดรุ่น", proposed_by=str(uuid4()))
    backend.part("ฟิวส์", "approved", approval="owner_app", proposed_by=str(uuid4()))
    for role, expected in (("supervisor", ["ถอนรายการ"]), ("citizen", [])):
        vm = await signed_in(role, backend)
        if role == "citizen":
            await vm.open_request(UUID(backend.job["id"]))
        else:
            await vm.open_job(UUID(backend.job["id"]))
        panel = vm.record
        assert panel is not None
        assert [b for b in texts(panel_tree(panel)) if b == "ถอนรายการ"] == expected, role
