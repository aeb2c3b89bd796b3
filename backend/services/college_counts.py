"""The colleges' running counts of requests by status (migration 0027): what the dashboard shows without reading
a college's whole history."""

import uuid

from backend.db import Conn


async def status_counts(conn: Conn, college_id: uuid.UUID) -> dict[str, int]:
    """The college's requests by status, from its running totals, as the caller: only its supervisors and admins
    get figures (an empty answer for anyone else). Counted from the requests under RLS they cost a heap fetch per
    request of the college's whole history."""
    row = await (await conn.execute("select public.college_status_counts(%s) as counts", [college_id])).fetchone()
    return {str(status): int(n) for status, n in ((row and row["counts"]) or {}).items()}


async def fold_status_deltas(owner: Conn) -> int:
    """Fold the status changes since the last fold into the totals; returns how many totals moved. Reads are exact
    whether or not this has run: it keeps the list of changes a read adds up short."""
    row = await (await owner.execute("select private.fold_college_status_deltas() as n")).fetchone()
    return int(row["n"]) if row else 0
