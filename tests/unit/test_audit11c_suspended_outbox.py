"""Audit 11c: a suspended person's drafts on the device.

A send that meets 403 account_suspended is held in the person's outbox (request_form._failed: is_auth_lost) and the
app moves to the suspended screen, which shows no home, so the held draft (its photos with their GPS, the address,
the phone) can be neither seen nor discarded there. "Delete my account" from that screen then erases the account
at the backend and signs out, and the draft stays in device storage for good, under the id of an account that no
longer exists (nobody can ever sign in to discard it). Right behaviour: deleting the account also drops the
person's own drafts from the device (and the suspended screen says they exist, or offers to discard them)."""

import httpx

from mobile.outbox import MemoryOutboxStorage, decode_items
from mobile.viewmodels.app import Screen
from tests.unit.mobile_fakes import OnePersonPerPhone, error_response
from tests.unit.test_mobile_held_draft import _app, _filled_form


async def test_deleting_a_suspended_account_leaves_no_draft_of_it_on_the_device() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = await _app(backend, storage)
    form = await _filled_form(app)
    backend.overrides[("POST", "/requests")] = lambda r: error_response(403, "account_suspended")
    await form.submit()
    assert app.screen == Screen.SUSPENDED
    (held,) = decode_items(await storage.load())
    assert held.photos  # kept, with its photo, for an owner who now has no screen to see it on

    backend.overrides[("DELETE", "/me")] = lambda r: httpx.Response(204)
    assert app.account is not None
    await app.account.delete_account()
    assert app.screen == Screen.LOGIN
    left = [item for item in decode_items(await storage.load()) if item.owner_id == held.owner_id]
    assert left == [], f"the deleted account's draft stays on the device: {[i.body.get('item') for i in left]}"
