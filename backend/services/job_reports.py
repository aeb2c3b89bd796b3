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


async def load_report(conn: Conn, request_id: uuid.UUID) -> dict[str, Any] | None:
    row = await (
        await conn.execute(
            "select hours::float as hours, notes, parts, updated_at from public.job_reports where request_id = %s",
            [request_id],
        )
    ).fetchone()
    return {**row, "parts_total_baht": parts_total(row["parts"])} if row else None
