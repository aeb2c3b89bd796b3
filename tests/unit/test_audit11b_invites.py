"""Audit 11b (app): the teacher's list offers Withdraw on invitations the backend will always refuse them."""

from mobile.views.supervisor_tools import technicians_view
from tests.unit.mobile_fakes import WorkBackend, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_invitation import pending


async def test_a_teacher_is_offered_withdraw_on_a_teacher_invitation_the_backend_refuses() -> None:
    """GET /colleges/{id}/invites lists every role's invitations to a supervisor (an admin's teacher invitation
    too), and WithdrawsInvites.can_withdraw looks only at `declined_at`: the teacher gets a Withdraw button and a
    confirmation for an invitation whose DELETE always answers 403 forbidden_role ("Your role may not do this")."""
    backend = WorkBackend()
    backend.invites = [pending("+66812345678", "ครูใหม่", role="supervisor")]
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    assert "ยกเลิกคำเชิญของ ครูใหม่" in texts(technicians_view(screen, app.session.locale))  # DEFECT: offered
