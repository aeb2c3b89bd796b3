"""Photos of a request: decoded and cleaned again on the server (never trust the client), a few at a time, and
stored so that no failure, at any step, loses the photo a committed row points at.

Every upload writes its objects under new, unique names; the database row is switched to them in one transaction,
and the objects it pointed at before are deleted only after that commit. Objects that may exist without a row are
recorded in `private.photo_uploads` first (migration 0009), so a crash leaves a record, never a silent orphan:
`sweep_orphan_photos` deletes what such records left behind.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from fastapi import UploadFile
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx
from backend.errors import ApiError
from backend.photo_store import PhotoStore
from backend.services import rate_limits
from backend.services.credit import WORK_BEGAN_SQL
from backend.services.rate_limits import Limit
from shared.photos import (
    AFTER_PHOTO_INDEX_MAX,
    MAX_INPUT_BYTES,
    MAX_PHOTOS_PER_REQUEST,
    PhotoRejected,
    ProcessedPhoto,
    after_slot_refusal,
    process_photo,
)
from shared.statuses import OPEN_STATUSES, WORK_EDITABLE, RequestStatus

log = logging.getLogger("fixit.photos")


# Photos decoded at once per process. Each may take up to shared.photos.MAX_DECODE_BYTES at its peak, so this bounds
# a process's photo memory whatever the number of uploads in flight; the rest wait their turn.
PHOTO_DECODE_CONCURRENCY = 2
# How old an unswitched upload record must be before the sweep deletes its objects: far longer than any upload
# takes, so the sweep never races an upload still under way (and if it does, that upload fails, see save_photo).
ORPHAN_PHOTO_GRACE = timedelta(hours=1)
# Orphans cost only storage, so a sweep now and then is plenty; every backend copy may run one.
PHOTO_SWEEP_SECONDS = 600.0
_SWEEP_BATCH = 200

_STATUS_FOR = {
    "photo_too_large": 413,
    "photo_too_many_pixels": 413,
    "photo_too_big_to_process": 413,
    "photo_metadata_too_large": 415,
    "photo_not_image": 415,
    "photo_unsupported_format": 415,
    "photo_heic_unsupported": 415,
}

# The route's own check again, inside the transaction that stores the photo, with the request's row locked: the
# upload was checked when it began, but decoding and writing it took a while with no connection held, and meanwhile
# the job may have moved on or changed hands, or its owner deleted their account.
Recheck = Callable[[Conn], Awaitable[None]]

# One limit per event loop (one loop per process in production): an asyncio.Semaphore must not be shared by loops.
_decode_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def _slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _decode_slots.get(loop)
    if slots is None:
        slots = _decode_slots[loop] = asyncio.Semaphore(PHOTO_DECODE_CONCURRENCY)
    return slots


class Readable(Protocol):
    """What an upload is read through (FastAPI's UploadFile): its file spooled to disk past 1 MB by Starlette."""

    async def read(self, size: int = -1) -> bytes: ...


async def clean_photo(data: bytes | Readable) -> ProcessedPhoto:
    """A photo decoded and cleaned in one of the process's decode slots. Given an upload, its bytes are read (at
    most one byte past the limit, so an oversize one is refused as such) only once the slot is taken (attack26 #7):
    an upload waiting for a slot keeps its file where Starlette spooled it (on disk past 1 MB), not up to 20 MB in
    memory per upload in the queue."""
    slots = _slots()
    await slots.acquire()
    try:
        if not isinstance(data, bytes):
            data = await data.read(MAX_INPUT_BYTES + 1)
        # Decoding is CPU work: off the event loop so one big photo does not stall every other request.
        work = asyncio.get_running_loop().run_in_executor(None, process_photo, data)
    except BaseException:
        slots.release()
        raise

    def done(finished: "asyncio.Future[ProcessedPhoto] | Future[ProcessedPhoto]") -> None:
        slots.release()
        if not finished.cancelled():
            finished.exception()  # retrieved: a caller that hung up must not leave "never retrieved" noise

    # The slot is freed when the thread is done, not when the caller stops waiting: a client that hangs up must not
    # let another decode start beside a thread that is still decoding.
    work.add_done_callback(done)
    try:
        return await asyncio.shield(work)
    except PhotoRejected as exc:
        raise ApiError(_STATUS_FOR.get(exc.code, 400), exc.code) from exc


async def check_citizen_may_add(conn: Conn, citizen_id: uuid.UUID, request_id: uuid.UUID, idx: int,
                                lock: bool = False) -> None:
    """As the citizen (RLS): their own request, still open, and an index within the limit. `lock` (owner
    transactions only, the recheck before the photo is stored) keeps the row locked until commit."""
    if not 0 <= idx < MAX_PHOTOS_PER_REQUEST:
        raise ApiError(400, "photo_too_many")
    query = "select citizen_id, status from public.repair_requests where id = %s"
    row = await (await conn.execute(query + (" for update" if lock else ""), [request_id])).fetchone()
    if row is None or row["citizen_id"] != citizen_id:
        raise ApiError(404, "not_found")
    if RequestStatus(row["status"]) not in OPEN_STATUSES:
        raise ApiError(409, "request_closed", request_status=RequestStatus(row["status"]))


def _new_paths(request_id: uuid.UUID, kind: str, idx: int, photo: ProcessedPhoto) -> tuple[str, str]:
    """Names no other upload ever used: writing them cannot touch an object some row points at."""
    ext = "webp" if photo.content_type == "image/webp" else "jpg"
    stem = f"requests/{request_id}/{kind}-{idx}-{uuid.uuid4().hex}"
    return f"{stem}.{ext}", f"{stem}-thumb.{ext}"


async def _remember(owner: Conn, request_id: uuid.UUID, paths: list[str]) -> None:
    """Record objects that may be (or soon be) in the store with no row pointing at them."""
    if paths:
        await owner.execute(
            "insert into private.photo_uploads (path, request_id) select unnest(%s::text[]), %s "
            "on conflict (path) do nothing",
            [paths, request_id],
        )


async def _switch_row(
    owner: Conn, request_id: uuid.UUID, kind: str, idx: int, uploader: uuid.UUID, photo: ProcessedPhoto,
    paths: tuple[str, str],
) -> tuple[dict[str, Any], list[str]]:
    """Point the (request, kind, idx) row at `paths`; return it and the paths it pointed at before."""
    values = {"request_id": request_id, "kind": kind, "idx": idx, "path": paths[0], "thumb": paths[1],
              "content_type": photo.content_type, "width": photo.width, "height": photo.height,
              "bytes": len(photo.image), "uploaded_by": uploader}
    # Locking the current row (or inserting it) first tells us for sure which objects this switch replaces, even
    # with two uploads to the same index at once; the second pass covers an insert that lost a race.
    for _ in range(2):
        current = await (
            await owner.execute(
                "select storage_path, thumb_path from public.request_photos "
                "where request_id = %(request_id)s and kind = %(kind)s and idx = %(idx)s for update",
                values,
            )
        ).fetchone()
        if current is not None:
            row = await (
                await owner.execute(
                    """
                    update public.request_photos set
                        storage_path = %(path)s, thumb_path = %(thumb)s, content_type = %(content_type)s,
                        width = %(width)s, height = %(height)s, bytes = %(bytes)s, uploaded_by = %(uploaded_by)s,
                        -- A replaced photo is a new photo (its work, `work_event`, is stamped anew by the
                        -- trigger of migration 0092: the work now on the job, the request being locked).
                        created_at = now()
                    where request_id = %(request_id)s and kind = %(kind)s and idx = %(idx)s
                    returning id, kind, idx, content_type, width, height, bytes
                    """,
                    values,
                )
            ).fetchone()
            assert row is not None
            replaced = {current["storage_path"], current["thumb_path"]} - set(paths)
            return row, sorted(replaced)
        row = await (
            await owner.execute(
                """
                insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type,
                                                   width, height, bytes, uploaded_by)
                values (%(request_id)s, %(kind)s, %(idx)s, %(path)s, %(thumb)s, %(content_type)s,
                        %(width)s, %(height)s, %(bytes)s, %(uploaded_by)s)
                on conflict (request_id, kind, idx) do nothing
                returning id, kind, idx, content_type, width, height, bytes
                """,
                values,
            )
        ).fetchone()
        if row is not None:
            return row, []
    raise RuntimeError("request_photos row neither found nor inserted")  # a committed insert is seen on pass two


async def spend_upload(pool: AsyncConnectionPool[Conn], uploader: uuid.UUID, per_hour: int, now: datetime) -> None:
    """Count one photo upload of this person, committed before the photo is decoded (attack26 #3): a photo that
    is refused later (not an image, too many pixels) cost its decode all the same. 429
    `photo_uploads_rate_limited` past shared.photos.PHOTO_UPLOADS_PER_PERSON_PER_HOUR (the setting)."""
    async with service_tx(pool) as owner:
        await rate_limits.spend(owner, Limit(f"photos:{uploader}", per_hour, timedelta(hours=1)), now,
                                code="photo_uploads_rate_limited")


async def take_photo(
    pool: AsyncConnectionPool[Conn], store: PhotoStore, request_id: uuid.UUID, idx: int, uploader: uuid.UUID,
    upload: UploadFile, kind: str = "before", recheck: Recheck | None = None, *, per_hour: int, now: datetime,
) -> dict[str, Any]:
    """An uploaded photo, counted against its uploader's hourly allowance (`per_hour`, `spend_upload`), read (at
    most one byte past the limit, so an oversize one is refused as such), cleaned with no database connection held,
    and saved: what both photo routes do after their own checks (`recheck`: those checks again, where the photo is
    stored)."""
    await spend_upload(pool, uploader, per_hour, now)
    photo = await clean_photo(upload)
    return await save_photo(pool, store, request_id, idx, uploader, photo, kind, recheck)


async def save_photo(
    pool: AsyncConnectionPool[Conn], store: PhotoStore, request_id: uuid.UUID, idx: int, uploader: uuid.UUID,
    photo: ProcessedPhoto, kind: str = "before", recheck: Recheck | None = None,
) -> dict[str, Any]:
    """Store a cleaned photo at (request, kind, idx), replacing the one there; returns the row. `recheck` runs
    first in the transaction that switches the row (request row first, as on every path); if it refuses, nothing
    is stored and the objects just written are deleted.

    Runs its own transactions (do not call it inside one): the record of the new objects commits before they are
    written, the row switch commits before the replaced objects are deleted. A failure or a kill at any point
    leaves the committed row pointing at complete objects, and at most some records for the sweep.
    """
    new = _new_paths(request_id, kind, idx, photo)
    async with service_tx(pool) as owner:
        await _remember(owner, request_id, list(new))
    try:
        await store.put(new[0], photo.image, photo.content_type)
        await store.put(new[1], photo.thumbnail, photo.content_type)
        async with service_tx(pool) as owner:
            if recheck is not None:
                await recheck(owner)
            # Rows read back, not rowcount: in pipeline mode a count is only known once the result is fetched.
            claimed = await (await owner.execute(
                "delete from private.photo_uploads where path = any(%s) returning path", [list(new)])).fetchall()
            if len(claimed) != len(new):
                # Only after ORPHAN_PHOTO_GRACE: the sweep has deleted (or is deleting) these objects.
                raise RuntimeError(f"photo upload outlived its grace period: {new[0]}")
            row, replaced = await _switch_row(owner, request_id, kind, idx, uploader, photo, new)
            await _remember(owner, request_id, replaced)
    except Exception:
        # Deletes only what is still recorded and unreferenced: if the commit went through after all, nothing.
        await _reap_quietly(pool, store, list(new))
        raise
    await _reap_quietly(pool, store, replaced)
    return row


async def store_photo(
    owner: Conn, store: PhotoStore, request_id: uuid.UUID, idx: int, uploader: uuid.UUID, photo: ProcessedPhoto,
    kind: str = "before",
) -> dict[str, Any]:
    """Inside the caller's transaction: prefer save_photo. The replaced objects are left to the sweep (this cannot
    know when the caller commits), and a kill between the writes and that commit leaves unrecorded objects."""
    new = _new_paths(request_id, kind, idx, photo)
    try:
        await store.put(new[0], photo.image, photo.content_type)
        await store.put(new[1], photo.thumbnail, photo.content_type)
        row, replaced = await _switch_row(owner, request_id, kind, idx, uploader, photo, new)
        await _remember(owner, request_id, replaced)
    except Exception:
        await store.delete(list(new))  # this attempt's own names: no committed row can point at them
        raise
    return row


# Claims recorded objects (skipping those another transaction holds) and tells whether a row still points at them.
_CLAIM = """
    select u.path, exists (select 1 from public.request_photos p
                           where p.request_id = u.request_id and u.path in (p.storage_path, p.thumb_path))
                   as referenced
    from private.photo_uploads u
"""
_CLAIM_PATHS = _CLAIM + "where u.path = any(%(paths)s) for update of u skip locked"
_CLAIM_STALE = _CLAIM + (
    "where u.created_at < %(before)s order by u.created_at limit %(limit)s for update of u skip locked"
)


async def _reap(pool: AsyncConnectionPool[Conn], store: PhotoStore, claim: str, params: dict[str, Any]
                ) -> tuple[int, int]:
    """Delete the claimed records' objects that no row points at, then the records; return (claimed, deleted).

    The objects go while the records are locked, so an upload cannot switch a row to them meanwhile (it must delete
    its records first, and finds them gone); if deleting fails, the records stay and the next sweep tries again.
    """
    async with service_tx(pool) as owner:
        claimed = await (await owner.execute(claim, params)).fetchall()
        orphans = [r["path"] for r in claimed if not r["referenced"]]
        if orphans:
            await store.delete(orphans)
        if claimed:
            await owner.execute("delete from private.photo_uploads where path = any(%s)",
                                [[r["path"] for r in claimed]])
    return len(claimed), len(orphans)


async def _reap_quietly(pool: AsyncConnectionPool[Conn], store: PhotoStore, paths: list[str]) -> None:
    if not paths:
        return
    try:
        await _reap(pool, store, _CLAIM_PATHS, {"paths": paths})
    except Exception as exc:  # the photo itself is safe; the records stay for the sweep
        log.warning("could not delete photo objects %s yet: %s", paths, exc)


async def sweep_orphan_photos(pool: AsyncConnectionPool[Conn], store: PhotoStore, now: datetime,
                              grace: timedelta = ORPHAN_PHOTO_GRACE) -> int:
    """Delete photo objects that a failed, killed or replaced upload left with no row pointing at them, once their
    record is older than `grace`; return how many objects were deleted. Safe to run from every backend copy."""
    deleted = 0
    while True:
        claimed, removed = await _reap(pool, store, _CLAIM_STALE, {"before": now - grace, "limit": _SWEEP_BATCH})
        deleted += removed
        if claimed < _SWEEP_BATCH:
            return deleted


# A student whose only claim on the request is an offer sees its photos while the offer runs by the app's clock
# (gaps25 #1): the policy (`request_photos_read`, 0107) asks the same rule at the database's clock, which in production
# is the same and in tests (the app's clock moved forward) later; an offer past its expiry still pending (the clock
# has not turned yet) shows nothing, as the accept refuses it (transitions' `offer_open`); so does one at a college
# its student has left since (gaps26 #1, 0115: the accept asks the offer's college too).
_PHOTO_LOCATION = """
    select p.storage_path, p.thumb_path, p.content_type from public.request_photos p
    where p.request_id = %(req)s and p.kind = %(kind)s and p.idx = %(idx)s
      and (private.can_see_record(p.request_id) or private.holds_offer_open_at(p.request_id, %(now)s))
"""


async def photo_location(conn: Conn, request_id: uuid.UUID, kind: str, idx: int, thumb: bool,
                         now: datetime) -> tuple[str, str]:
    """As the viewer (RLS decides, and for an offer the app's clock `now`): the stored path and content type, or
    404."""
    row = await (await conn.execute(_PHOTO_LOCATION,
                                    {"req": request_id, "kind": kind, "idx": idx, "now": now})).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    return (row["thumb_path"] if thumb else row["storage_path"]), row["content_type"]


async def check_technician_may_add(conn: Conn, technician_id: uuid.UUID, request_id: uuid.UUID, idx: int) -> None:
    """After photos: only the student on the job, while the work is under way. `conn` is the caller's (RLS applies):
    the row is read as the detail reads it, `private.request_as_read` (0060), which shows the student on the job and
    its helpers the job whatever its status, so a job closed to them (cancelled, handed back) is refused as closed
    (409 `work_closed`, as the report's save answers) rather than unknown; anyone else reads nothing (404)."""
    if not 0 <= idx <= AFTER_PHOTO_INDEX_MAX:
        raise ApiError(400, "photo_too_many")
    row = await (await conn.execute("select technician_id, status from private.request_as_read(%s)",
                                    [request_id])).fetchone()
    _judge_work(row, technician_id)


async def require_work_in_progress(owner: Conn, technician_id: uuid.UUID, request_id: uuid.UUID) -> None:
    """The caller is the student on this job and the work is under way. `owner` is an owner transaction: the row
    stays locked until commit so the status cannot move meanwhile."""
    row = await (await owner.execute("select technician_id, status from public.repair_requests where id = %s "
                                     "for update", [request_id])).fetchone()
    _judge_work(row, technician_id)


# The after photos on the record as the work they would join sees them, under the request's lock: the indices
# holding photos of an earlier work than the one the record must now evidence (credit.WORK_BEGAN_SQL: the round's
# start, or a take back or reassign since: an earlier student's or round's), and those holding this work's own. Each
# photo carries the work it was stored in (`work_event`, stamped under this lock: migration 0092), so a photo the
# former student stored while a reassign waited for a lock stays theirs, whatever the two transactions' start times.
_AFTER_PHOTOS_BY_WORK = """
    select array(select p.idx from public.request_photos p
                 where p.request_id = %(id)s and p.kind = 'after'
                   and p.work_event is distinct from began.event) as earlier,
           array(select p.idx from public.request_photos p
                 where p.request_id = %(id)s and p.kind = 'after'
                   and p.work_event is not distinct from began.event) as own
    from (select {began} as event) began
"""


async def require_own_work_slot(owner: Conn, request_id: uuid.UUID, idx: int) -> None:
    """An after photo goes beside the earlier work's, never over it: a take back's, a reassign's or a reopen's former
    work keeps its photos on the record (the timeline, the student's portfolio), and the student on the job now adds
    theirs at other indices (409 photo_earlier_work), at most MAX_PHOTOS_PER_REQUEST of their work's (400
    photo_too_many), within the record's span, which grows past the earlier work's so that there is always room for
    them (shared.photos.after_slot_refusal, the rule the app's free_after_slots follows); their own they replace. Run
    where the photo is stored, the request locked (`recheck`)."""
    row = await (await owner.execute(_AFTER_PHOTOS_BY_WORK.format(began=WORK_BEGAN_SQL.format(rid="%(id)s")),
                                     {"id": request_id})).fetchone()
    assert row is not None
    refusal = after_slot_refusal(idx, row["earlier"], row["own"])
    if refusal is not None:
        raise ApiError(409 if refusal == "photo_earlier_work" else 400, refusal)


def _judge_work(row: DictRow | None, technician_id: uuid.UUID) -> None:
    if row is None:
        raise ApiError(404, "not_found")
    if row["technician_id"] != technician_id:
        raise ApiError(403, "not_assigned")
    if RequestStatus(row["status"]) not in WORK_EDITABLE:
        raise ApiError(409, "work_closed", request_status=RequestStatus(row["status"]))


async def photo_sweeps(pool: AsyncConnectionPool[Conn], store: PhotoStore,
                       every_seconds: float = PHOTO_SWEEP_SECONDS) -> None:
    """The background task that runs sweep_orphan_photos for ever (start it in the app's lifespan)."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            deleted = await sweep_orphan_photos(pool, store, datetime.now(UTC))
            if deleted:
                log.info("deleted %d photo object(s) no row points at", deleted)
        except Exception as exc:  # storage or database down for a while: the records wait for the next sweep
            log.warning("photo sweep failed: %s", exc)
