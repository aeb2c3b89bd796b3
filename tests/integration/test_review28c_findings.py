"""review28c: what session 28's merges (import28, offers28, speed28) left, each proved here on the real database.

#1 (fixed, 0130): import28 #3 puts a delivery whose phone is held elsewhere HELD_ELSEWHERE_WAIT later; a newer message to that
same phone, due before it, was then picked first: the phone got the newer message before the older one."""

from datetime import timedelta

import psycopg

from backend.notifications.worker import HELD_ELSEWHERE_WAIT, WorkerConfig, deliver_once
from tests.integration.test_edges27_findings import (
    DAY,
    HeldPhone,
    _first_persons_phone,
    push_db,  # noqa: F401 (the fixture: a database of its own)
    worker_pool,
)
from tests.integration.test_held_deliveries_reach_their_recipient import _ready


async def test_a_phone_held_for_a_moment_gets_its_messages_in_order(push_db: str) -> None:  # noqa: F811
    """The first person's message is due while their phone is held (a registration, another copy's send); it is put
    HELD_ELSEWHERE_WAIT on. A second message for them comes a second later, the phone free again: the phone must
    still get the first message first."""
    first, _, token = _first_persons_phone(push_db)
    phone = HeldPhone()
    phone.sending.set()  # every send answered at once
    config = WorkerConfig()
    async with worker_pool(push_db) as pool:
        with psycopg.connect(push_db) as holder:  # the phone held, as a registration's upsert holds it
            holder.execute("select 1 from private.notification_devices where token = %s for no key update", [token])
            assert (await deliver_once(pool, {phone.name: phone}, config, DAY)).attempted == 0
        with psycopg.connect(push_db, autocommit=True) as db:
            _ready(db, first)  # the newer message, the phone free now
        at = DAY + timedelta(seconds=1)
        while at <= DAY + 4 * HELD_ELSEWHERE_WAIT:
            await deliver_once(pool, {phone.name: phone}, config, at)
            at += timedelta(seconds=1)
    with psycopg.connect(push_db) as db:
        sent = db.execute("""select n.id, d.status, d.sent_at from private.notification_deliveries d
                             join public.notifications n on n.id = d.notification_id
                             where n.recipient_id = %s order by n.id""", [first]).fetchall()
    assert [row[1] for row in sent] == ["sent", "sent"]
    assert sent[0][2] <= sent[1][2], f"the older message went at {sent[0][2]}, the newer at {sent[1][2]}"
