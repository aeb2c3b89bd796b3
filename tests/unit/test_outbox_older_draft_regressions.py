"""A draft kept on the device by an app older than the approximate pin (0068), sent by this one after the update (a
web app's reload is the update): its area pin goes out marked approximate, and a send the older app made of it
before the update is not refused as another request (review17a finding 7)."""

import json
from uuid import uuid4

from mobile.outbox import MemoryOutboxStorage, Outbox, Outcome
from tests.unit.mobile_fakes import RequestBackend


def older_item(key: str) -> dict[str, object]:
    """An item as the app before 0068 wrote it: the pin is the middle of sub-district 500101 (pinned_area), its body
    has no `location_approximate`."""
    return {
        "body": {"idempotency_key": key, "category_code": "appliance", "item": "พัดลม", "brand": "",
                 "description": "ไม่หมุน", "lat": 18.7953, "lon": 98.9621, "address": "",
                 "province": "เชียงใหม่", "district": "เมืองเชียงใหม่", "sub_district": "ศรีภูมิ",
                 "service_place": "centre", "preferred_days": [], "contact_phone": "+66812345678",
                 "pdpa_consent": True},
        "photos": [], "owner_id": "owner-1", "request_id": None, "uploaded": [], "state": "pending",
        "attempts": 0, "pinned_area": "500101",
    }


async def outbox_of(backend: RequestBackend, *items: dict[str, object]) -> Outbox:
    api = backend.client()
    api.token = backend.issue_token("citizen")
    outbox = Outbox(api, MemoryOutboxStorage(json.dumps(list(items))), owner_id="owner-1")
    await outbox.load()
    return outbox


async def test_an_older_apps_area_pinned_draft_goes_out_as_approximate() -> None:
    """The outbox kept drafts' area pins before this session (`OutboxItem.pinned_area`, there at a77495b), but their
    bodies, written by the older app, carry no `location_approximate`. Waiting offline across the update, such a
    draft, never sent yet, went out as stored and the backend read it as an exact pin: the very request known17be
    meant to mark, the student driving to a sub-district's middle."""
    backend = RequestBackend()
    key = str(uuid4())
    outbox = await outbox_of(backend, older_item(key))
    assert await outbox.flush() == Outcome.DONE
    assert backend.bodies[key].get("location_approximate") is True, backend.bodies[key]


async def test_an_older_apps_draft_sent_again_after_its_marked_send_was_stored_is_that_request() -> None:
    """This app's marked send got through but its answer was lost (the network): the resend is the same details
    (the mark is added the same way each time), so the backend answers the stored request, not a 409."""
    backend = RequestBackend()
    key = str(uuid4())
    body = older_item(key)["body"]
    assert isinstance(body, dict)
    api = backend.client()
    api.token = backend.issue_token("citizen")
    await api.create_request({**body, "location_approximate": True})  # stored; the app never heard
    outbox = await outbox_of(backend, older_item(key))
    assert await outbox.flush() == Outcome.DONE
    assert outbox.items == [] and len(backend.created) == 1


async def test_an_older_apps_send_stored_before_the_update_is_not_refused() -> None:
    """The older app's own POST of the draft was stored, unmarked, as the app reloaded into the update (its answer
    lost): the marked send is refused as the key used with other details. The draft is that stored request, so it
    goes on (its photos follow), not left failed with "sent before with other details" for its writer to send as
    a second request."""
    backend = RequestBackend()
    key = str(uuid4())
    body = older_item(key)["body"]
    assert isinstance(body, dict)
    api = backend.client()
    api.token = backend.issue_token("citizen")
    stored = await api.create_request(body)  # the older app's send, answered into a reload
    outbox = await outbox_of(backend, older_item(key))
    assert await outbox.flush() == Outcome.DONE
    assert outbox.items == [] and len(backend.created) == 1
    assert str(backend.created[key]["id"]) == str(stored.id)
