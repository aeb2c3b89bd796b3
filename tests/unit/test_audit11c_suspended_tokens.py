"""Audit 11c: the stored session of an account suspended while the app was open does not follow its refreshes.

On the suspended screen `session.profile` is None, so `AppViewModel._tokens_changed` returns before saving the
rotated tokens (app.py:311-317): the device keeps the pre-suspension refresh token, already used. The next app start
presents it: a reused refresh token revokes the whole session (backend/auth/sessions.py:84-85, GoTrue likewise), so
the person is sent to the login with "session ended" and must sign in by SMS again to reach their data rights.
Right behaviour: the stored tokens follow every rotation (or the stored session is dropped on the suspended screen;
either way no used refresh token is kept)."""

from mobile.models import SessionTokens
from mobile.viewmodels.app import Screen
from tests.unit.mobile_fakes import FakeBackend
from tests.unit.mobile_screens import signed_in


async def test_the_stored_refresh_token_follows_a_rotation_on_the_suspended_screen() -> None:
    backend = FakeBackend()
    vm = await signed_in("citizen", backend)
    before = await vm._store.load()
    assert before is not None
    backend.suspended.add("citizen")
    await vm.poll()
    assert vm.screen == Screen.SUSPENDED
    rotated = SessionTokens(access_token="access-2", refresh_token="refresh-2", expires_at=2e9)
    assert vm._api.on_tokens_changed is not None
    await vm._api.on_tokens_changed(rotated)  # what ApiClient reports after it refreshed (e.g. for the export)
    stored = await vm._store.load()
    assert stored is None or (stored.token, stored.refresh_token) == ("access-2", "refresh-2"), (
        f"the device keeps the old tokens {(stored.token, stored.refresh_token)!r}")
