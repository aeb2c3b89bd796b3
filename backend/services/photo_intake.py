"""A citizen's photos of their request: decoded and cleaned again on the server (never trust the client),
stored before the database row points to them, idempotent per (request, index)."""

import asyncio
import uuid
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from backend.photo_store import PhotoStore
from shared.photos import MAX_PHOTOS_PER_REQUEST, PhotoRejected, ProcessedPhoto, process_photo
from shared.statuses import OPEN_STATUSES, RequestStatus

WORK_STATUSES = frozenset({RequestStatus.ACCEPTED, RequestStatus.DIAGNOSING, RequestStatus.REPAIRING,
                           RequestStatus.QUALITY_CHECK, RequestStatus.UNREPAIRABLE})

_STATUS_FOR = {
    "photo_too_large": 413,
    "photo_too_many_pixels": 413,
    "photo_not_image": 415,
    "photo_unsupported_format": 415,
    "photo_heic_unsupported": 415,
}


async def clean_photo(data: bytes) -> ProcessedPhoto:
    try:
        # Decoding is CPU work: off the event loop so one big photo does not stall every other request.
        return await asyncio.to_thread(process_photo, data)
    except PhotoRejected as exc:
        raise ApiError(_STATUS_FOR.get(exc.code, 400), exc.code) from exc


async def check_citizen_may_add(conn: Conn, citizen_id: uuid.UUID, request_id: uuid.UUID, idx: int) -> None:
    """As the citizen (RLS): their own request, still open, and an index within the limit."""
    if not 0 <= idx < MAX_PHOTOS_PER_REQUEST:
        raise ApiError(400, "photo_too_many")
    row = await (
        await conn.execute("select citizen_id, status from public.repair_requests where id = %s", [request_id])
    ).fetchone()
    if row is None or row["citizen_id"] != citizen_id:
        raise ApiError(404, "not_found")
    if RequestStatus(row["status"]) not in OPEN_STATUSES:
        raise ApiError(409, "illegal_transition", from_status=row["status"], to_status=row["status"])


async def store_photo(
    owner: Conn, store: PhotoStore, request_id: uuid.UUID, idx: int, uploader: uuid.UUID, photo: ProcessedPhoto,
    kind: str = "before",
) -> dict[str, Any]:
    ext = "webp" if photo.content_type == "image/webp" else "jpg"
    path = f"requests/{request_id}/{kind}-{idx}.{ext}"
    thumb = f"requests/{request_id}/{kind}-{idx}-thumb.{ext}"
    await store.put(path, photo.image, photo.content_type)
    await store.put(thumb, photo.thumbnail, photo.content_type)
    try:
        row = await (
            await owner.execute(
                """
                insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type,
                                                   width, height, bytes, uploaded_by)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                on conflict (request_id, kind, idx) do update set
                    storage_path = excluded.storage_path, thumb_path = excluded.thumb_path,
                    content_type = excluded.content_type, width = excluded.width, height = excluded.height,
                    bytes = excluded.bytes, uploaded_by = excluded.uploaded_by
                returning id, kind, idx, content_type, width, height, bytes
                """,
                [request_id, kind, idx, path, thumb, photo.content_type, photo.width, photo.height,
                 len(photo.image), uploader],
            )
        ).fetchone()
    except Exception:
        await store.delete([path, thumb])  # no orphan files when the row could not be written
        raise
    assert row is not None
    return row


async def photo_location(conn: Conn, request_id: uuid.UUID, kind: str, idx: int, thumb: bool) -> tuple[str, str]:
    """As the viewer (RLS decides): the stored path and content type, or 404."""
    row = await (
        await conn.execute(
            "select storage_path, thumb_path, content_type from public.request_photos "
            "where request_id = %s and kind = %s and idx = %s",
            [request_id, kind, idx],
        )
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    return (row["thumb_path"] if thumb else row["storage_path"]), row["content_type"]


async def check_technician_may_add(conn: Conn, technician_id: uuid.UUID, request_id: uuid.UUID, idx: int) -> None:
    """After photos: only the student on the job, while the work is under way."""
    if not 0 <= idx < MAX_PHOTOS_PER_REQUEST:
        raise ApiError(400, "photo_too_many")
    await require_work_in_progress(conn, technician_id, request_id, lock=False)


async def require_work_in_progress(conn: Conn, technician_id: uuid.UUID, request_id: uuid.UUID,
                                   lock: bool = True) -> None:
    """The caller is the student on this job and the work is under way. `lock` (owner transactions only) keeps
    the row locked until commit so the status cannot move meanwhile."""
    query = "select technician_id, status from public.repair_requests where id = %s"
    row = await (await conn.execute(query + (" for update" if lock else ""), [request_id])).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    if row["technician_id"] != technician_id:
        raise ApiError(403, "not_assigned")
    if RequestStatus(row["status"]) not in WORK_STATUSES:
        raise ApiError(409, "illegal_transition", from_status=row["status"], to_status=row["status"])
