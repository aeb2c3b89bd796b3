"""One request as its viewer may see it, with its timeline.

Two forms over the same SQL: `request_detail` (rows, for the write routes' answers through the response model) and
`request_detail_json` (GET /requests/{id}'s body: one statement, the data fields written by PostgreSQL, issue 15).
Both take what `shared/` decides (the timeline notes in the reader's language, the citizen's actions, the next step,
the QC checklist, the round's report and photos) from `_shaped`, so a rule is applied in one place. The reader's
language is the one their screen shows when the call names it (`Accept-Language`), the profile's otherwise."""

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, read_one, user_tx
from backend.errors import ApiError
from backend.services.credit import ROUND_SQL, WORK_BEGAN_SQL
from backend.services.handover_rule import HANDED_OVER_SQL
from backend.services.job_reports import load_report, owners_report
from backend.services.json_sql import as_body, json_object
from backend.services.profiles import suspended_told
from shared.aftercare import RATEABLE, may_reopen
from shared.credit import presence_categories
from shared.notifications import expected_wait
from shared.reference import PREFIX
from shared.roles import Actor
from shared.statuses import WORK_EDITABLE, OfferGone, RequestStatus, can_transition
from shared.text import OWNERS_NOTES_FOR_OTHERS, Locale, error_text, event_note, next_step, qc_missing_key
from shared.wire import Photo, RequestDetail, StatusEvent, WorkReport
from shared.work import missing_for_quality_check, of_the_work, parts_total

# The request's own row, as the caller sees it (`private.request_as_read`, migration 0060: whom the row's policy shows
# it to, and the student on the job whatever its status, without the owner's phone and address once the job no
# longer needs them): the fields of the answer that are data, and what `_shaped` decides from (reader_locale,
# handed_back_at, work_began and report_work: the work now on the job and the one its report was saved in).
_DETAIL_ROW = f"""
    select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code,
           cat.name_th as category_name_th, cat.name_en as category_name_en,
           cat.icon as category_icon, r.item, r.brand, r.description, r.status, r.created_at, r.updated_at,
           col.name_th as college_name_th, col.name_en as college_name_en, col.phone as college_phone,
           col.lat as college_lat, col.lon as college_lon,
           col.coordinates_approximate as college_coordinates_approximate, r.lat, r.lon,
           r.location_approximate, r.address,
           r.province, r.district, r.sub_district, r.service_place, r.preferred_days,
           coalesce(r.contact_phone, '') as contact_phone,
           r.technician_id, private.technician_first_name(r.id) as technician_first_name,
           r.rating, r.rating_comment,
           coalesce(r.citizen_id = auth.uid(), false) as is_mine,
           -- whom the timeline tells why the request waited for its owner's account (audit22 #3, `_note_code`)
           coalesce(r.citizen_id = auth.uid() or (select private.my_role()) = 'admin', false) as told_why,
           (select p.locale from public.profiles p where p.id = auth.uid()) as reader_locale,
           (select max(e.created_at) from public.status_events e
            where e.request_id = r.id and e.to_status = 'handed_back') as handed_back_at,
           (select coalesce(sum(jp.qty * jp.price_baht), 0)::float from public.job_parts jp
            where jp.request_id = r.id and jp.status = 'approved') as parts_approved_total_baht,
           (select count(*)::int from public.job_parts jp
            where jp.request_id = r.id and jp.status = 'proposed') as parts_waiting,
           {HANDED_OVER_SQL} as handover_confirmed,
           {ROUND_SQL.format(rid="r.id")} as work_round, {WORK_BEGAN_SQL.format(rid="r.id")} as work_began,
           (select jr.work_event from public.job_reports jr where jr.request_id = r.id) as report_work,
           -- a high-risk job in hand at a college with no teacher left (stranded19, migration 0087)
           (r.status::text = any('{{{",".join(sorted(WORK_EDITABLE))}}}'::text[])
            and r.category_code = any('{{{",".join(presence_categories())}}}'::text[])
            and not private.college_has_teacher(r.college_id)) as teacher_needed
    from private.request_as_read(%s) r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
"""
_EVENTS = """
    select e.id, e.actor, n.actor_name, e.from_status, e.to_status, coalesce(t.note, '') as note,
           t.note_code, e.note_params, e.created_at,
           case when e.teacher_present_id is not null then private.first_name(e.teacher_present_id) end
               as teacher_present_name
    from public.status_events e
    left join private.timeline_actor_names({rid}) n on n.event_id = e.id
    -- the codes, worded by `_note_code`, and what people typed at a step, as the owner reads them (`authenticated`
    -- reads neither column: migrations 0102, 0104), for the detail's readers
    left join private.timeline_texts({rid}) t on t.event_id = e.id
    where e.request_id = {rid}
"""
_PHOTOS = """
    select p.id, p.kind, p.idx, p.content_type, p.width, p.height, p.bytes, p.work_event
    from public.request_photos p where p.request_id = {rid}
"""
_PHOTO_ORDER = "p.kind desc, p.idx"
# What `_shaped` adds to the row: not written by PostgreSQL in the JSON form.
_SHAPED = frozenset({"timeline", "actions", "report", "next_step", "expected_wait", "quality_check_missing",
                     "report_in_round", "after_photos_in_round"})


async def request_detail(conn: Conn, request_id: uuid.UUID, now: datetime,
                         asked: Locale | None = None) -> dict[str, Any]:
    """Runs as the caller: a request they may not see is simply not found (no hint that it exists). Its worded
    parts in `asked` (the language the caller's screen shows), else in the caller's profile's."""
    row = await (await conn.execute(_DETAIL_ROW, [request_id])).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    events = await conn.execute(_EVENTS.format(rid="%(rid)s") + " order by e.id", {"rid": request_id})
    photos = await conn.execute(_PHOTOS.format(rid="%s") + f" order by {_PHOTO_ORDER}", [request_id])
    locale = _locale(row["reader_locale"], asked)
    event_rows = await events.fetchall()
    why = bool(row.pop("told_why"))
    event_rows = [{**e, "note_code": _note_code(e["note_code"], why)} for e in event_rows]
    timeline = [{**e, "note": event_note(e["note_code"], e["note_params"], e["note"], locale)} for e in event_rows]
    all_photos = await photos.fetchall()
    photo_rows = [{k: v for k, v in p.items() if k != "work_event"} for p in all_photos]
    after = [(p["idx"], p["work_event"]) for p in all_photos if p["kind"] == "after"]
    report = await load_report(conn, request_id)
    shaped = _shaped(row, locale, report, after, now, event_rows[-1]["note_code"] if event_rows else None)
    # The owner is shown the parts they approved, never the report's own priced list (audit13).
    shaped["report"] = await owners_report(conn, request_id, report) if row["is_mine"] else report
    row.pop("work_began")
    row.pop("report_work")
    return {**row, "timeline": timeline, "photos": photo_rows, **shaped}


# The JSON form: the row above, its timeline, photos and report in one statement. The answer's data fields are one
# JSON object written by PostgreSQL (keys from the response models, shared/wire.py); the timeline beside it, with
# the events' note codes when any has one (their text is the reader's language, from shared/text.py); and the few
# values `_shaped` decides from. Enums as text: binary results of an unregistered type would come back as bytes.
_DETAIL_JSON = f"""
    select {as_body(json_object(RequestDetail, "d", omit=_SHAPED, photos="ph.photos"))},
           convert_to(t.timeline::text, 'UTF8') as timeline, t.notes,
           d.status::text as status, d.is_mine, d.told_why, d.teacher_needed, d.reader_locale::text as reader_locale,
           d.handed_back_at, d.work_round, d.work_began, d.report_work, ph.after_idx, ph.after_work,
           jr.request_id is not null as has_report, jr.hours::float8 as report_hours, jr.notes as report_notes,
           -- the report's own list for the record's readers but its owner (`private.report_parts`, 0107: the
           -- Data API gives nobody the column); the owner's is `approved_parts`
           case when jr.request_id is not null and not d.is_mine
                then coalesce(private.report_parts(d.id), '[]'::jsonb) else '[]'::jsonb end as report_parts,
           jr.updated_at as report_updated_at,
           -- the owner reads as parts only those they approved (job_reports.APPROVED_PARTS_SQL's rows, audit13)
           case when d.is_mine and jr.request_id is not null then (
               select coalesce(jsonb_agg(jsonb_build_object('name', jp.name, 'qty', jp.qty,
                                                            'cost_baht', jp.price_baht::float8)
                                         order by jp.proposed_at, jp.id), '[]'::jsonb)
               from public.job_parts jp where jp.request_id = d.id and jp.status = 'approved') end as approved_parts
    from ({_DETAIL_ROW}) d
    cross join lateral (
        select coalesce(json_agg({json_object(StatusEvent, "e")} order by e.id), '[]') as timeline,
               case when bool_or(e.note_code is not null)
                    then json_agg(json_build_array(e.note_code, e.note_params, e.note) order by e.id) end as notes
        from ({_EVENTS.format(rid="d.id")}) e) t
    cross join lateral (
        select coalesce(json_agg({json_object(Photo, "p")} order by {_PHOTO_ORDER}), '[]')
                 as photos,
               coalesce(array_agg(p.idx order by p.idx) filter (where p.kind = 'after'), '{{}}') as after_idx,
               coalesce(array_agg(p.work_event order by p.idx) filter (where p.kind = 'after'), '{{}}')
                 as after_work
        from ({_PHOTOS.format(rid="d.id")}) p) ph
    left join public.job_reports jr on jr.request_id = d.id
"""


async def request_detail_json(conn: Conn, request_id: uuid.UUID, now: datetime,
                              asked: Locale | None = None) -> bytes:
    """`request_detail` as the response body (a RequestDetail), in one statement: what PostgreSQL writes is passed
    through, the rest added beside it."""
    row = await (await conn.execute(_DETAIL_JSON, [request_id], binary=True)).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    return _detail_body(row, now, asked)


async def read_detail_json(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any], request_id: uuid.UUID,
                           now: datetime, asked: Locale | None = None) -> bytes:
    """`request_detail_json` as a transaction of its own under these claims, the statement and COMMIT in one wait
    (`read_one`): GET /requests/{id}. What RLS hides is 404, or 403 `account_suspended` (as `suspended_told`)."""
    row = await read_one(pool, claims, _DETAIL_JSON, [request_id], binary=True)
    if row is None:
        raise await _why_not_found(pool, claims, request_id)
    return _detail_body(row, now, asked)


async def _why_not_found(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any],
                         request_id: uuid.UUID) -> ApiError:
    """What a request RLS hid is told, in one transaction as the caller (asked only then): 403 `account_suspended`;
    410 with the code of shared.statuses.OfferGone to the student who had an offer of it and has it no more (another
    student took it, or the offer ended: migration 0058); 404 to anyone else, as for an id that does not exist."""
    async with user_tx(pool, claims) as conn:
        row = await (await conn.execute(
            "select private.my_account_suspended() as suspended, private.offer_gone(%s) as gone",
            [request_id])).fetchone()
    if row is not None and row["suspended"]:
        return ApiError(403, "account_suspended")
    if row is not None and row["gone"] is not None:
        return ApiError(410, OfferGone(row["gone"]).value)
    return ApiError(404, "not_found")


def _detail_body(row: dict[str, Any], now: datetime, asked: Locale | None) -> bytes:
    locale = _locale(row["reader_locale"], asked)
    timeline: bytes = row["timeline"]
    notes = [(_note_code(code, row["told_why"]), params, free_text)
             for code, params, free_text in row["notes"]] if row["notes"] is not None else None
    if notes is not None:  # a system note: its text in the reader's language
        events = json.loads(timeline)
        for event, (code, params, free_text) in zip(events, notes, strict=True):
            event["note_code"], event["note"] = code, event_note(code, params, free_text, locale)
        timeline = json.dumps(events, ensure_ascii=False).encode()
    report = None
    if row["has_report"]:
        report = {"hours": row["report_hours"], "notes": row["report_notes"], "parts": row["report_parts"],
                  "updated_at": row["report_updated_at"], "parts_total_baht": parts_total(row["report_parts"])}
    last_note_code = notes[-1][0] if notes else None
    shaped = _shaped(row, locale, report, list(zip(row["after_idx"], row["after_work"], strict=True)), now,
                     last_note_code)
    if report is not None:  # its time in UTC ("Z") as PostgreSQL writes the rest, whatever the session's TimeZone
        if row["is_mine"]:  # the owner is shown the parts they approved, never the report's own priced list
            report = {**report, "parts": row["approved_parts"], "parts_total_baht": parts_total(row["approved_parts"])}
        shaped["report"] = WorkReport.model_validate(
            {**report, "updated_at": report["updated_at"].astimezone(UTC)}).model_dump(mode="json")
    body: bytes = row["body"]
    # Both objects: PostgreSQL's without its closing brace, then the timeline, then the rest without the opening one.
    return b"".join((body[:-1], b', "timeline" : ', timeline, b", ",
                     json.dumps(shaped, ensure_ascii=False).encode()[1:]))


def _note_code(code: str | None, told_why: bool) -> str | None:
    """A timeline note's code as this reader reads it: the notes naming the owner's suspension (reinstate21) are the
    owner's and the admins' (`told_why`); anyone else reads that it was on hold and goes on again (audit22 #3,
    shared.text.OWNERS_NOTES_FOR_OTHERS), and a next step that does not speak to the owner."""
    if told_why or code is None:
        return code
    return OWNERS_NOTES_FOR_OTHERS.get(code, code)


def _locale(reader_locale: str | None, asked: Locale | None) -> Locale:
    """The language of the sentences worded here: the one the caller's screen shows, when the call says
    (`Accept-Language`, backend.deps.ReaderLocaleDep); else the profile's, which is whatever the person's last device
    chose (ux21 finding 1: English sentences in the Thai app of a person with two devices)."""
    if asked is not None:
        return asked
    return Locale.EN if reader_locale == Locale.EN.value else Locale.TH


def _shaped(row: Mapping[str, Any], locale: Locale, report: dict[str, Any] | None,
            after_photos: Sequence[tuple[int, int | None]], now: datetime,
            last_note_code: str | None = None) -> dict[str, Any]:
    """What `shared/` decides about the request for this reader: `row` has its status, is_mine, teacher_needed,
    handed_back_at, work_round, work_began (credit.WORK_BEGAN_SQL) and report_work (the work the report was saved
    in); `after_photos` are the after photos' (index, the work it was stored in: `work_event`, migration 0092), by
    index; `last_note_code` is the latest timeline event's system note (a no_centre request students were offered)."""
    status = RequestStatus(row["status"])
    # A high-risk job in hand whose college has no teacher now: its owner reads why it waits, and no usual wait.
    teacher_needed = bool(row["teacher_needed"])
    step = next_step(status, last_note_code, teacher_needed)
    wait = None if teacher_needed else expected_wait(status, now)
    # A reopened job's later round is reported and evidenced again: the screen shows what is this round's.
    # So is a job taken back from a student under way: its next student's own (credit.WORK_BEGAN_SQL).
    # Each judged by the work it was written in, stamped under the request's lock (shared.work.of_the_work).
    work_round, work_began = row["work_round"], row["work_began"]
    round_after = [idx for idx, work in after_photos if of_the_work(work, work_began)]
    report_in_round = report is not None and of_the_work(row["report_work"], work_began)
    return {"actions": citizen_actions(row, now), "report": report,
            "next_step": step.in_(locale), "expected_wait": wait.in_(locale) if wait else None,
            "report_in_round": report_in_round, "after_photos_in_round": round_after,
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


def citizen_actions(row: Mapping[str, Any], now: datetime) -> list[str]:
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
                      now: datetime, asked: Locale | None = None) -> dict[str, Any]:
    """The detail as the caller sees it after a write: its own transaction as the caller, so RLS decides. A
    suspension of the caller that committed between their write and this read (a submit's dispatch waits for one
    under way, audit21 #2; any other write commits first and the suspension then) hides the request from them: they
    are told why, 403 `account_suspended` as their token answers from then on, not 404 as if what they did had
    vanished (it stays done). Asked only on the 404 (`suspended_told`), in the same transaction (suspend22 #2)."""
    async with user_tx(pool, claims) as conn, suspended_told(conn):
        return await request_detail(conn, request_id, now, asked)
