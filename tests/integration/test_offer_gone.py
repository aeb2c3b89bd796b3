"""A student offered a job who opens it once the offer is no longer theirs (another student took it, or it ended) is
told so (410 with shared.statuses.OfferGone's code and its Thai and English words), not "not found". Only the
student the offer was made to: anyone else still reads a 404 as for an id that does not exist, and the answer says
nothing of the job or its owner (migration 0058). Real PostgreSQL."""

import uuid
from typing import Any

import httpx
import pytest

from mobile.api_client import ApiError
from shared.statuses import OfferGone
from shared.text import error_text
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, Area, offers_of, submit
from tests.integration.test_app_contract import Recorder, app, signed_in  # noqa: F401  (app: the fixture)


def _names(area: Area) -> dict[str, str]:
    return {uid: name for name, (uid, _) in area.students.items()}


async def _offered(api: httpx.AsyncClient, area: Area, database_url: str, rid: str) -> list[tuple[str, str, str]]:
    """The students the job is offered to: (offer id, user id, token), in rank order."""
    students = []
    for offer in offers_of(database_url, rid):
        token, _ = await sign_in(api, area.students[_names(area)[offer["technician_id"]]][1])
        students.append((str(offer["id"]), offer["technician_id"], token))
    return students


def _told(answer: httpx.Response, gone: OfferGone) -> None:
    assert answer.status_code == 410, answer.text
    text = error_text(gone.value)
    # Only the error: nothing of the job or its owner (no item, no address, no phone).
    assert answer.json() == {"error": {"code": gone.value, "message_th": text.th, "message_en": text.en}}


async def test_a_student_whose_offer_another_student_took_is_told_so(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, request = await submit(api)
    rid = request["id"]
    offered = await _offered(api, area, database_url, rid)
    assert len(offered) >= 2, offered
    (taker_offer, _, taker), (_, _, late) = offered[:2]
    # While the offer is open the card is theirs to read (the request stays hidden: unchanged).
    assert (await api.get(f"/requests/{rid}", headers=bearer(late))).json()["error"]["code"] == "not_found"
    assert (await api.post(f"/offers/{taker_offer}/accept", headers=bearer(taker))).status_code == 200

    _told(await api.get(f"/requests/{rid}", headers=bearer(late)), OfferGone.TAKEN)
    assert (await api.get(f"/requests/{rid}", headers=bearer(taker))).status_code == 200
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).status_code == 200
    # Nobody else learns that the id exists: a student of the college never offered it, the far college's student,
    # another citizen; nor does the late student of an id that does not exist.
    never = {area.students[n][0] for n in ("plumber", "far1")} - {uid for _, uid, _ in offered}
    stranger, _ = await submit(api)
    tokens = [(await sign_in(api, area.students[_names(area)[uid]][1]))[0] for uid in never] + [stranger]
    for token in tokens:
        hidden = await api.get(f"/requests/{rid}", headers=bearer(token))
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found", hidden.text
    assert (await api.get(f"/requests/{uuid.uuid4()}", headers=bearer(late))).status_code == 404


async def test_a_student_whose_offer_ended_with_nobody_on_the_job_is_told_it_is_no_longer_offered(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, request = await submit(api)
    rid = request["id"]
    offered = await _offered(api, area, database_url, rid)
    (declined_offer, _, decliner), (_, _, waiting) = offered[:2]
    assert (await api.post(f"/offers/{declined_offer}/decline", headers=bearer(decliner))).status_code == 204
    _told(await api.get(f"/requests/{rid}", headers=bearer(decliner)), OfferGone.ENDED)
    # The owner cancels: every offer still waiting is withdrawn, and nobody has the job.
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": ""}, headers=bearer(citizen))
    assert cancelled.status_code == 200, cancelled.text
    _told(await api.get(f"/requests/{rid}", headers=bearer(waiting)), OfferGone.ENDED)


async def test_the_app_reads_the_answer_as_the_job_screen_needs_it(
    app: Any, area: Area, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    """The contract: the app's client raises the answer as ApiError(410, code) with the words (what the job screen
    closes with: mobile/viewmodels/job.py)."""
    recorder = Recorder()
    citizen = await signed_in(recorder, app, fresh_phone())
    created = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    offered = [o["technician_id"] for o in offers_of(database_url, str(created.id))]
    phones = {uid: phone for uid, phone in area.students.values()}
    taker, late = [await signed_in(recorder, app, phones[uid]) for uid in offered[:2]]
    mine = next(o for o in (await taker.technician_offers()).offers if o.request_id == created.id)
    await taker.accept_offer(mine.offer_id)
    with pytest.raises(ApiError) as gone:
        await late.work_detail(created.id)
    text = error_text(OfferGone.TAKEN.value)
    assert (gone.value.status, gone.value.code, gone.value.text) == (410, OfferGone.TAKEN.value, text)
