"""The student's work report on a job."""

import json
import uuid
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from backend.services.photo_intake import require_work_in_progress
from shared.work import check_report, parts_total


async def save_report(
    owner: Conn, technician_id: uuid.UUID, request_id: uuid.UUID, hours: float, notes: str,
    parts: list[dict[str, Any]],
) -> dict[str, Any]:
    problem = check_report(hours, notes, parts)
    if problem:
        raise ApiError(400, problem)
    await require_work_in_progress(owner, technician_id, request_id)
    clean = [{"name": p["name"].strip(), "qty": p["qty"], "cost_baht": float(p["cost_baht"])} for p in parts]
    saved = await (
        await owner.execute(
            """insert into public.job_reports (request_id, technician_id, hours, notes, parts)
               values (%s, %s, %s, %s, %s)
               on conflict (request_id) do update set technician_id = excluded.technician_id,
                   hours = excluded.hours, notes = excluded.notes, parts = excluded.parts
               returning hours::float as hours, notes, parts, updated_at""",
            [request_id, technician_id, hours, notes.strip(), json.dumps(clean, ensure_ascii=False)],
        )
    ).fetchone()
    assert saved is not None
    return {**saved, "parts_total_baht": parts_total(saved["parts"])}


# The parts the owner said yes to (in the app or by phone: POST /requests/{id}/parts), as a report's parts read.
APPROVED_PARTS_SQL = """
    select name, qty, price_baht::float as cost_baht from public.job_parts
    where request_id = %s and status = 'approved' order by proposed_at, id"""


async def owners_report(conn: Conn, request_id: uuid.UUID, report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The report as its owner reads it: the student's hours and notes, and as parts only those the owner approved.
    The report's own list (what the student wrote down, with costs nobody agreed to) stays the student's and the
    teacher's working note: shown to the owner it read as a bill they never approved. Stored reports stay as they
    are."""
    if report is None:
        return None
    parts = await (await conn.execute(APPROVED_PARTS_SQL, [request_id])).fetchall()
    return {**report, "parts": parts, "parts_total_baht": parts_total(parts)}


async def load_report(conn: Conn, request_id: uuid.UUID) -> dict[str, Any] | None:
    """The report as the caller (RLS) reads it; its own parts list through `private.report_parts` (0107: the Data
    API gives nobody the column), empty for the request's owner, whom `owners_report` shows the approved parts."""
    row = await (
        await conn.execute(
            "select hours::float as hours, notes, coalesce(private.report_parts(request_id), '[]'::jsonb) as parts, "
            "updated_at from public.job_reports where request_id = %s",
            [request_id],
        )
    ).fetchone()
    return {**row, "parts_total_baht": parts_total(row["parts"])} if row else None
