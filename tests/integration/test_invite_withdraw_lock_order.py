"""A withdraw of an invitation, a phone change that addresses it to an account, and that account's deletion at once
(staff.withdraw_invite, migrations 0055 and 0045): they wait for each other, never deadlock.

The withdraw named the profile to lock from an unlocked read of the invitation. One waiting for a number's first
sign-up has no account (`profile_id` null), so it locked no profile; an account moving to that number meanwhile is
given the invitation (0055's address_phone_invite, under that account's profile lock), and the withdraw, once it had
the invitation, closed the account's "invited" notification without holding the profile. The account's deletion,
which locks the profile and then cascades to the notifications and to the invitation, could then hold the
notification the withdraw wanted while waiting for the invitation the withdraw held: PostgreSQL's deadlock detector
killed one of them. Explicit locks in the test's own transactions force that order; no sleeps."""

import asyncio

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area
from tests.integration.lock_waits import until_waiting


async def test_a_withdraw_a_phone_change_and_the_accounts_deletion_wait_for_each_other(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, person = await sign_in(api, fresh_phone())  # a citizen's account, under another number
    number = fresh_phone()  # invited before anyone signed up with it: the invitation waits for the number
    sent = await api.post(f"/colleges/{area.near}/students", json={"phone": number}, headers=bearer(teacher))
    assert sent.status_code == 201, sent.text
    with psycopg.connect(database_url) as conn:
        invite = conn.execute("select id from private.staff_invites where phone = %s and profile_id is null",
                              ["+66" + number[1:]]).fetchone()
    assert invite is not None

    async with (await psycopg.AsyncConnection.connect(database_url) as phone_change,
                await psycopg.AsyncConnection.connect(database_url) as holder,
                await psycopg.AsyncConnection.connect(database_url) as deletion):
        # The account moves to the invited number (Supabase Auth's phone change): the invitation is addressed to it
        # and it is told (0055), not committed yet.
        await phone_change.execute("update auth.users set phone = %s, phone_confirmed_at = now() where id = %s",
                                   ["66" + number[1:], person["id"]])
        addressed = await (await phone_change.execute(
            "select profile_id::text from private.staff_invites where id = %s", [invite[0]])).fetchone()
        assert addressed == (person["id"],)
        # The teacher withdraws it: the withdraw waits for the phone change's hold on the invitation.
        withdrawing = asyncio.create_task(
            api.delete(f"/colleges/{area.near}/invites/{invite[0]}", headers=bearer(teacher)))
        await until_waiting(database_url, 1, withdrawing)
        # The holder stands for anything that keeps the withdraw from the notifications a moment (the delivery
        # worker's claim of a delivery): the withdraw then holds the invitation and waits to close the notification.
        await holder.execute("lock table private.notification_deliveries in share mode")
        await phone_change.commit()
        await until_waiting(database_url, 1, withdrawing)
        # The account is deleted meanwhile (the operator's command, Supabase's dashboard): it waits too.
        deleting = asyncio.create_task(deletion.execute("delete from auth.users where id = %s", [person["id"]]))
        await until_waiting(database_url, 2, withdrawing, deleting)
        await holder.rollback()
        withdrawn = await withdrawing
        await deleting
        await deletion.commit()

    assert withdrawn.status_code == 204, withdrawn.text
    with psycopg.connect(database_url) as conn:
        left = conn.execute(
            "select (select count(*) from private.staff_invites where id = %s), "
            "(select count(*) from public.profiles where id = %s), "
            "(select count(*) from public.notifications where recipient_id = %s)",
            [invite[0], person["id"], person["id"]]).fetchone()
    assert left == (0, 0, 0)
