"""A round its owner reopened before the teacher approved its hours, in the app (audit 13, finding 2): the teacher's
job screen shows that round's team and hours to approve, whatever the job's status now, and the approval clears it."""

import json
from typing import Any
from uuid import UUID

import flet as ft
import httpx

from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import NOW, find, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import HELPER, LEAD, RECORD, CreditBackend, click, panel_tree, sent

TH = Locale.TH


class ReopenedBackend(CreditBackend):
    """The job is back in round 2 (offered again); round 1's hours (the lead's 1.5 h) wait for the approval."""

    def __init__(self) -> None:
        super().__init__("offered")
        self.round = 2
        self.ended_round: dict[str, Any] | None = {"round": 1, "team": [
            {"technician_id": str(LEAD), "display_name": "มานพ", "role": "lead", "task": "", "hours": 1.5,
             "approved_hours": None, "approved_at": None, "round": 1}]}

    def record(self) -> dict[str, Any]:
        return {**super().record(), "waiting_round": self.ended_round}

    def handle(self, request: httpx.Request) -> httpx.Response:
        match = RECORD.match(request.url.path)
        if match and match.group(2) == "/credit/approve" and self.ended_round is not None:
            self.requests.append(request)
            body = json.loads(request.content) if request.content else {}
            self.bodies.append(("/credit/approve", body))
            team = self.ended_round["team"]
            for member in team:
                member["approved_hours"] = body["hours"].get(member["technician_id"], member["hours"])
                member["approved_at"] = NOW.isoformat()
            self.earlier_hours, self.ended_round = sum(m["approved_hours"] for m in team), None
            return httpx.Response(200, json=team)
        return super().handle(request)


async def test_the_teacher_approves_the_hours_of_a_round_reopened_before_its_approval() -> None:
    backend = ReopenedBackend()
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    panel = app.record
    assert panel is not None and panel.can_approve_waiting and not panel.can_approve_hours
    shown = texts(panel_tree(panel))
    assert t("waiting_round_title", TH, round=1) in shown and "มานพ · หัวหน้างาน · 1.5 ชม." in shown
    [field] = [f for f in find(panel_tree(panel), ft.TextField) if f.label == t("approve_hours_for", TH, name="มานพ")]
    assert field.value == "1.5"  # the round's reported figure, to approve as it is or corrected
    await click(panel_tree(panel), t("approve_hours", TH))  # the waiting card's button: the round it shows
    assert sent(backend, "/credit/approve") == [{"hours": {str(LEAD): 1.5}}]
    assert [r.url.params.get("round") for r in backend.requests if r.url.path.endswith("/credit/approve")] == ["1"]
    after = texts(panel_tree(panel))
    assert panel.waiting_round is None and t("waiting_round_title", TH, round=1) not in after
    assert "ซ่อมซ้ำ รอบที่ 2: รอบก่อนอนุมัติแล้ว 1.5 ชม." in after


async def test_the_owner_and_the_student_are_not_shown_a_round_to_approve() -> None:
    for role in ("citizen", "technician"):
        backend = ReopenedBackend()
        backend.job["technician_id"] = str(LEAD)
        app = await signed_in(role, backend)
        await app.open_job(UUID(backend.job["id"]))
        panel = app.record
        assert panel is not None, role
        assert panel.waiting_round is None and not panel.can_approve_waiting
        assert t("waiting_round_title", TH, round=1) not in texts(panel_tree(panel))


async def test_a_helper_of_the_waiting_round_who_leads_the_next_one_may_be_given_0() -> None:
    """Round 1's helper (who did not help) took the job in round 2 and leads it now. 0 is their "did not help" in
    round 1, where they are a helper: the app judged who is a lead by the current round's team and refused it
    (hours_lead_zero), so the teacher could approve round 1 only by crediting them hours they did not work. The
    round's own lead given 0 is refused by the app as the backend would (review13)."""
    backend = ReopenedBackend()
    assert backend.ended_round is not None
    backend.ended_round["team"].append(
        {"technician_id": str(HELPER), "display_name": "ดวงใจ", "role": "helper", "task": "", "hours": 0.5,
         "approved_hours": None, "approved_at": None, "round": 1})
    backend.team = [{"technician_id": str(HELPER), "display_name": "ดวงใจ", "role": "lead", "task": "",
                     "hours": None, "approved_hours": None, "approved_at": None, "round": 2}]
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    panel = app.record
    assert panel is not None and panel.can_approve_waiting
    await panel.approve_hours({LEAD: "0"}, round_=1)  # round 1's lead: never 0, refused before anything is sent
    assert sent(backend, "/credit/approve") == [] and panel.action_error == error_text("hours_lead_zero").th
    panel.hours_edits.clear()
    await panel.approve_hours({HELPER: "0"}, round_=1)
    assert sent(backend, "/credit/approve") == [{"hours": {str(HELPER): 0.0}}], panel.action_error


async def test_the_waiting_rounds_helper_field_says_0_is_not_credited() -> None:
    """The current round's form tells the teacher what 0 does for a helper (approve_hours_for_helper); the waiting
    round's card labelled every field as a lead's, so the teacher was not told a helper who did not help takes 0."""
    backend = ReopenedBackend()
    assert backend.ended_round is not None
    backend.ended_round["team"].append(
        {"technician_id": str(HELPER), "display_name": "ดวงใจ", "role": "helper", "task": "", "hours": 0.5,
         "approved_hours": None, "approved_at": None, "round": 1})
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.record is not None
    labels = [f.label for f in find(panel_tree(app.record), ft.TextField)]
    assert t("approve_hours_for", TH, name="มานพ") in labels
    assert t("approve_hours_for_helper", TH, name="ดวงใจ") in labels
