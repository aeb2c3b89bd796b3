"""Audit 11c: the lock order written in backend/services/dispatch.py says a path that locks a request and only then
meets a person (the foreign-key checks' FOR KEY SHARE on `profiles`) conflicts with no profile lock. An account
deletion is such a lock: `delete from auth.users` cascades to `profiles`, whose BEFORE DELETE trigger
(private.forget_person, migration 0012) runs with the profile row already locked exclusively and then updates the
person's requests. A student's accept holds the request (step 2) and writes the citizen's `accepted` notification
(recipient_id -> profiles: FOR KEY SHARE on the citizen) while the citizen's deletion holds the citizen's profile and
waits for that request: PostgreSQL aborts one of them (deadlock detected). Right behaviour: both finish, one after
the other."""

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.services.dispatch import accept_offer, roster_college
from backend.services.transitions import lock_status
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit
from tests.integration.dispatch_area import app_and_clock, area  # noqa: F401


async def test_an_accept_and_the_citizens_account_deletion_do_not_deadlock(
    app_and_clock: AppClock, area: Area, database_url: str  # noqa: F811
) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    request_id = uuid.UUID(request["id"])
    ace_id = uuid.UUID(area.students["ace"][0])
    offer = next(o for o in offers_of(database_url, str(request_id)) if o["technician_id"] == str(ace_id))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        citizen = conn.execute("select citizen_id from public.repair_requests where id = %s",
                               [request_id]).fetchone()
    assert citizen is not None
    citizen_id = citizen["citizen_id"]

    errors: list[BaseException] = []

    def delete_citizen() -> None:  # what DELETE /me runs for the citizen (account.delete)
        try:
            with psycopg.connect(database_url, autocommit=True) as other:
                other.execute("delete from auth.users where id = %s", [citizen_id])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    deleter = threading.Thread(target=delete_citizen, daemon=True)
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        claims: dict[str, Any] = {"sub": str(ace_id), "role": "authenticated"}
        try:
            async with conn.transaction():
                # accept_offer's own first steps: the student's profile, then the request (the written order).
                await roster_college(conn, ace_id)
                await lock_status(conn, request_id, check_visible=False)
                deleter.start()
                await asyncio.sleep(0.5)  # the deletion holds the citizen's profile and waits for the request
                await accept_offer(conn, offer["id"], ace_id, claims, datetime.now(UTC))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    deleter.join(timeout=30)
    assert not errors, f"the accept and the deletion: {[type(e).__name__ + ': ' + str(e)[:120] for e in errors]}"
