"""One request as its viewer may see it, with its timeline."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, user_tx
from backend.errors import ApiError
from backend.services.credit import ROUND_BEGAN_SQL, ROUND_SQL
from backend.services.handover_rule import HANDED_OVER_SQL
from backend.services.job_reports import load_report, owners_report
from shared.aftercare import RATEABLE, may_reopen
from shared.reference import PREFIX
from shared.roles import Actor
from shared.statuses import RequestStatus, can_transition
from shared.text import NEXT_STEPS, Locale, error_text, event_note, qc_missing_key
from shared.work import in_round, missing_for_quality_check


async def request_detail(conn: Conn, request_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """Runs as the caller: a request they may not see is simply not found (no hint that it exists)."""
    row = await (
        await conn.execute(
            f"""
            select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code,
                   cat.name_th as category_name_th, cat.name_en as category_name_en,
                   cat.icon as category_icon, r.item, r.brand, r.description, r.status, r.created_at, r.updated_at,
                   col.name_th as college_name_th, col.name_en as college_name_en, col.phone as college_phone,
                   col.lat as college_lat, col.lon as college_lon,
                   col.coordinates_approximate as college_coordinates_approximate, r.lat, r.lon, r.address,
                   r.province, r.district, r.sub_district, r.service_place, r.preferred_days,
                   coalesce(r.contact_phone, '') as contact_phone,
                   r.technician_id, private.first_name(r.technician_id) as technician_first_name,
                   r.rating, r.rating_comment,
                   coalesce(r.citizen_id = auth.uid(), false) as is_mine,
                   (select p.locale from public.profiles p where p.id = auth.uid()) as reader_locale,
                   (select max(e.created_at) from public.status_events e
                    where e.request_id = r.id and e.to_status = 'handed_back') as handed_back_at,
                   (select coalesce(sum(jp.qty * jp.price_baht), 0)::float from public.job_parts jp
                    where jp.request_id = r.id and jp.status = 'approved') as parts_approved_total_baht,
                   (select count(*)::int from public.job_parts jp
                    where jp.request_id = r.id and jp.status = 'proposed') as parts_waiting,
                   {HANDED_OVER_SQL} as handover_confirmed,
                   {ROUND_SQL.format(rid="r.id")} as work_round, {ROUND_BEGAN_SQL.format(rid="r.id")} as round_began
            from public.repair_requests r
            join public.categories cat on cat.code = r.category_code
            left join public.colleges col on col.id = r.college_id
            where r.id = %s
            """,
            [request_id],
        )
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    events = await conn.execute(
        """select e.id, e.actor, private.first_name(e.actor_id) as actor_name, e.from_status, e.to_status, e.note,
                  e.note_code, e.note_params, e.created_at,
                  private.first_name(e.teacher_present_id) as teacher_present_name
           from public.status_events e where e.request_id = %s order by e.id""",
        [request_id],
    )
    photos = await conn.execute(
        "select id, kind, idx, content_type, width, height, bytes, created_at from public.request_photos "
        "where request_id = %s order by kind desc, idx",
        [request_id],
    )
    locale = Locale.EN if row["reader_locale"] == Locale.EN.value else Locale.TH
    timeline = [{**e, "note": event_note(e["note_code"], e["note_params"], e["note"], locale)}
                for e in await events.fetchall()]
    all_photos = await photos.fetchall()
    photo_rows = [{k: v for k, v in p.items() if k != "created_at"} for p in all_photos]
    report = await load_report(conn, request_id)
    # The owner is shown the parts they approved, never the report's own priced list (audit13).
    shown = await owners_report(conn, request_id, report) if row["is_mine"] else report
    status = RequestStatus(row["status"])
    step, wait = NEXT_STEPS[status]
    # A reopened job's later round is reported and evidenced again: the screen shows what is this round's.
    work_round, round_began = row["work_round"], row.pop("round_began")
    round_after = [p["idx"] for p in all_photos if p["kind"] == "after" and in_round(p["created_at"], round_began)]
    report_in_round = report is not None and in_round(report["updated_at"], round_began)
    return {**row, "timeline": timeline, "photos": photo_rows,
            "actions": citizen_actions(row, now), "report": shown,
            "next_step": step.in_(locale), "expected_wait": wait.in_(locale) if wait else None,
            "work_round": work_round, "report_in_round": report_in_round, "after_photos_in_round": round_after,
            "quality_check_missing": [] if row["is_mine"] else quality_check_missing(
                status, len(round_after), report, report_in_round=report_in_round, later_round=work_round > 1)}


def quality_check_missing(status: RequestStatus, after_photos: int, report: dict[str, Any] | None, *,
                          report_in_round: bool, later_round: bool) -> list[dict[str, str]]:
    """For the student and the teacher while the work is under way or checked: what the record still lacks (in a
    later round: what it lacks of the round's own; `after_photos` counts the round's)."""
    if status not in (RequestStatus.DIAGNOSING, RequestStatus.REPAIRING, RequestStatus.QUALITY_CHECK):
        return []
    codes = missing_for_quality_check(after_photos, report["hours"] if report else None,
                                      report["notes"] if report else None, report_in_round=report_in_round)
    texts = {c: error_text(qc_missing_key(c, later_round)) for c in codes}
    return [{"code": c, "message_th": text.th, "message_en": text.en} for c, text in texts.items()]


def citizen_actions(row: dict[str, Any], now: datetime) -> list[str]:
    """What the app may offer the citizen now; the endpoints check the same rules again."""
    if not row["is_mine"]:
        return []
    status = RequestStatus(row["status"])
    actions = []
    if can_transition(status, RequestStatus.CANCELLED, Actor.CITIZEN):
        actions.append("cancel")
    if status in RATEABLE:
        actions.append("rate")
    if status == RequestStatus.HANDED_BACK and may_reopen(row["handed_back_at"], now):
        actions.append("reopen")
    return actions


async def read_detail(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any], request_id: uuid.UUID,
                      now: datetime) -> dict[str, Any]:
    """The detail as the caller sees it after a write: its own transaction as the caller, so RLS decides."""
    async with user_tx(pool, claims) as conn:
        return await request_detail(conn, request_id, now)
