"""The teacher's weekly chart counts a request in its week in Thailand, whatever the database session's TimeZone:
between Monday 00:00 in Bangkok and Monday 00:00 UTC (Sunday 17:00–24:00 UTC) the two calendars disagree."""

from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, submit


async def test_a_request_made_early_on_a_thai_monday_counts_in_that_week(api: httpx.AsyncClient, area: Area,
                                                                         database_url: str) -> None:
    now = datetime.now(UTC)
    # The last Sunday 18:00 UTC before now: 01:00 on Monday in Bangkok, still Sunday in UTC.
    sunday = (now - timedelta(days=(now.weekday() + 1) % 7)).replace(hour=18, minute=0, second=0, microsecond=0)
    if sunday > now:
        sunday -= timedelta(weeks=1)
    _, request = await submit(api)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.repair_requests set created_at = %s where id = %s", [sunday, request["id"]])
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    board = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert board.status_code == 200, board.text
    weeks = {w["week_start"] for w in board.json()["weekly"]}
    assert weeks == {(sunday + timedelta(days=1)).date().isoformat()}, board.json()["weekly"]
