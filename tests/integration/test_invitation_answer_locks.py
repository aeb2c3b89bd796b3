"""An invitation's answer against its renewal at the same moment (audit 11): both take the person's profile first,
then the invitation (FOR NO KEY UPDATE on the profile, so the answer's notification, whose about_id names the
person, never waits for a profile lock)."""

import asyncio

import httpx
import psycopg

from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area
from tests.integration.lock_waits import until_waiting


async def test_a_decline_and_a_renewal_at_once_wait_for_each_other(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """decline_invitation locked only the invitation, then wrote a notification whose about_id foreign key takes
    FOR KEY SHARE on the person's profile; a renewal (register_staff) locked that profile FOR UPDATE by phone, then
    the invitation: opposite orders, a deadlock. The holder stands for the delivery worker's short claim of the
    "invited" notification (for update skip locked), which widens the window. Now the decline answers 204 and the
    renewal, which waited for it, is refused 409 invitation_declined."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        cur = await holder.execute(
            "select id from public.notifications where recipient_id = %s and kind = 'invited' for update",
            [citizen["id"]])
        assert await cur.fetchone() is not None
        declining = asyncio.create_task(answer_invitation(api, token, "decline"))
        await until_waiting(database_url, 1, declining)
        renewing = asyncio.create_task(api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                                                headers=bearer(teacher)))
        await until_waiting(database_url, 2, declining, renewing)
        await holder.rollback()
        declined, renewed = await declining, await renewing
    assert (declined.status_code, renewed.status_code) == (204, 409), (declined.text, renewed.text)
    assert renewed.json()["error"]["code"] == "invitation_declined"
