"""Replacing a photo can fail or be killed at any step without losing the photo a committed row points at, and
what such a failure leaves behind is swept. Real PostgreSQL, real disk store; failures are injected at the store
(a wrapper) and in the database (a trigger), never by mocking our own code."""

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from PIL import Image
from psycopg_pool import AsyncConnectionPool

from backend.app import create_app
from backend.db import Conn, make_pool
from backend.photo_store import DiskPhotoStore
from backend.services.photo_intake import ORPHAN_PHOTO_GRACE, photo_sweeps, save_photo, sweep_orphan_photos
from backend.settings import Settings
from shared.photos import ProcessedPhoto, process_photo
from tests.helpers import bearer
from tests.integration.builders import failing_writes, new_request


class Killed(BaseException):
    """Stands in for kill -9: no `except Exception` cleanup runs, exactly as when the process dies."""


class WatchedStore:
    """The disk store, plus failures on demand and a check that runs on every delete: no committed row may point at
    an object being deleted (read on a separate connection, so only committed rows count)."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.disk = DiskPhotoStore(root)
        self.database_url = database_url
        self.fail_put_number: int | None = None  # 1-based, counted from arm()
        self.failure: BaseException = OSError("storage went away")
        self.puts = 0
        self.deleted_while_referenced: list[str] = []

    def arm(self, put_number: int, failure: BaseException | None = None) -> None:
        self.puts, self.fail_put_number = 0, put_number
        self.failure = failure or OSError("storage went away")

    async def put(self, path: str, data: bytes, content_type: str) -> None:
        self.puts += 1
        if self.puts == self.fail_put_number:
            self.fail_put_number = None
            raise self.failure
        await self.disk.put(path, data, content_type)

    async def get(self, path: str) -> bytes | None:
        return await self.disk.get(path)

    async def delete(self, paths: list[str]) -> None:
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "select storage_path, thumb_path from public.request_photos "
                "where storage_path = any(%s) or thumb_path = any(%s)", [paths, paths]
            ).fetchall()
        self.deleted_while_referenced += [p for row in rows for p in row if p in paths]
        await self.disk.delete(paths)


@pytest.fixture
def store(settings: Settings, database_url: str) -> Iterator[WatchedStore]:
    watched = WatchedStore(settings.photos_dir, database_url)
    yield watched
    assert watched.deleted_while_referenced == [], "deleted an object a committed row points at"


@pytest.fixture
async def client(settings: Settings, store: WatchedStore) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, with the watched store; a 500 comes back as a response instead of an exception."""
    # Sign-in limits are not under test here, and every test in the session signs in from the same address.
    app = create_app(settings.model_copy(update={"otp_requests_per_address": 100_000,
                                                 "otp_requests_overall": 100_000}))
    app.state.photo_store = store
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://fixit.test"
    ) as http:
        yield http


@pytest.fixture(scope="module")
async def pool(settings: Settings) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    opened = make_pool(settings)
    await opened.open()
    yield opened
    await opened.close()


def photo_bytes(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buf, "PNG")
    return buf.getvalue()


def cleaned(colour: tuple[int, int, int]) -> ProcessedPhoto:
    return process_photo(photo_bytes(colour))


def files_of(settings: Settings, request_id: str) -> set[str]:
    folder = settings.photos_dir / "requests" / request_id
    return {f"requests/{request_id}/{p.name}" for p in folder.iterdir()} if folder.exists() else set()


def row_paths(database_url: str, request_id: str, kind: str = "before", idx: int = 0) -> set[str]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select storage_path, thumb_path from public.request_photos where request_id = %s and kind = %s "
            "and idx = %s", [request_id, kind, idx]
        ).fetchone()
    return set(row) if row else set()


def pending_records(database_url: str, request_id: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select path from private.photo_uploads where request_id = %s", [request_id])
        return {path for (path,) in rows.fetchall()}


async def upload(http: httpx.AsyncClient, token: str, request_id: str, colour: tuple[int, int, int]
                 ) -> httpx.Response:
    files = {"file": ("p.png", photo_bytes(colour), "image/png")}
    return await http.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))


async def served(http: httpx.AsyncClient, token: str, request_id: str) -> tuple[bytes, bytes]:
    image = await http.get(f"/requests/{request_id}/photos/before/0", headers=bearer(token))
    thumb = await http.get(f"/requests/{request_id}/photos/before/0?thumb=true", headers=bearer(token))
    assert image.status_code == thumb.status_code == 200, (image.text, thumb.text)
    return image.content, thumb.content


# --- through the API: whatever the upload route calls ---------------------------------------------


async def test_a_failed_row_switch_keeps_the_stored_photo_byte_identical(
    client: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    token, request_id = await new_request(client)
    assert (await upload(client, token, request_id, (200, 30, 30))).status_code == 201
    before = await served(client, token, request_id)
    kept = row_paths(database_url, request_id)

    # The database refuses the switch after the new objects are written: a real failure at the real step.
    with failing_writes(database_url, "insert or update", "request_photos", "request_id", request_id,
                        "simulated failure"):
        failed = await upload(client, token, request_id, (30, 30, 200))

    assert failed.status_code == 500
    assert await served(client, token, request_id) == before
    assert row_paths(database_url, request_id) == kept
    assert files_of(settings, request_id) == kept  # and the failed upload's objects are gone


async def test_a_storage_failure_between_the_two_objects_keeps_the_stored_photo(
    client: httpx.AsyncClient, store: WatchedStore, database_url: str, settings: Settings
) -> None:
    token, request_id = await new_request(client)
    assert (await upload(client, token, request_id, (200, 30, 30))).status_code == 201
    before = await served(client, token, request_id)
    kept = row_paths(database_url, request_id)

    store.arm(put_number=2)  # the photo is written, its thumbnail is not
    failed = await upload(client, token, request_id, (30, 30, 200))

    assert failed.status_code == 500
    assert await served(client, token, request_id) == before
    assert files_of(settings, request_id) == kept


async def test_replacing_through_the_api_never_rewrites_a_stored_object(
    client: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    token, request_id = await new_request(client)
    assert (await upload(client, token, request_id, (200, 30, 30))).status_code == 201
    first = row_paths(database_url, request_id)
    first_bytes = {p: (settings.photos_dir / p).read_bytes() for p in first}

    again = await upload(client, token, request_id, (30, 30, 200))

    assert again.status_code == 201
    second = row_paths(database_url, request_id)
    assert second.isdisjoint(first)  # new names: the old objects were never written over
    for path, content in first_bytes.items():
        # Deleted, or (until the old objects are swept) still exactly what they were.
        assert not (settings.photos_dir / path).exists() or (settings.photos_dir / path).read_bytes() == content
    image = next(p for p in second if "-thumb." not in p)
    assert (await served(client, token, request_id))[0] == (settings.photos_dir / image).read_bytes()


# --- save_photo and the sweep -----------------------------------------------------------------------


async def test_a_replaced_photos_old_objects_are_deleted_after_commit(
    client: httpx.AsyncClient, pool: AsyncConnectionPool[Conn], store: WatchedStore, database_url: str,
    settings: Settings,
) -> None:
    token, request_id = await new_request(client)
    citizen = await citizen_of(database_url, request_id)
    first = await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((200, 30, 30)))
    old = row_paths(database_url, request_id)
    assert files_of(settings, request_id) == old

    second = await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((30, 30, 200)))

    new = row_paths(database_url, request_id)
    assert second["id"] == first["id"] and new.isdisjoint(old)
    assert files_of(settings, request_id) == new  # the old objects are gone, right away
    assert pending_records(database_url, request_id) == set()  # nothing left for the sweep
    image, _ = await served(client, token, request_id)
    assert Image.open(io.BytesIO(image)).convert("RGB").getpixel((10, 10))[2] > 150  # type: ignore[index]


async def test_two_uploads_to_one_index_at_once_leave_one_photo_and_no_orphans(
    client: httpx.AsyncClient, pool: AsyncConnectionPool[Conn], store: WatchedStore, database_url: str,
    settings: Settings,
) -> None:
    _, request_id = await new_request(client)
    citizen = await citizen_of(database_url, request_id)

    await asyncio.gather(*(save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned(colour))
                           for colour in ((200, 30, 30), (30, 200, 30), (30, 30, 200))))

    assert files_of(settings, request_id) == row_paths(database_url, request_id)
    assert pending_records(database_url, request_id) == set()


async def test_the_sweep_deletes_what_a_killed_upload_left_and_keeps_referenced_objects(
    client: httpx.AsyncClient, pool: AsyncConnectionPool[Conn], store: WatchedStore, database_url: str,
    settings: Settings,
) -> None:
    token, request_id = await new_request(client)
    citizen = await citizen_of(database_url, request_id)
    await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((200, 30, 30)))
    kept = row_paths(database_url, request_id)
    before = await served(client, token, request_id)

    store.arm(put_number=2, failure=Killed())  # dies with the photo written, before its thumbnail and the switch
    with pytest.raises(Killed):
        await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((30, 30, 200)))
    orphans = files_of(settings, request_id) - kept
    assert len(orphans) == 1 and pending_records(database_url, request_id) >= orphans
    # A stale record may also name an object a row points at (say, a commit whose answer was lost): kept.
    with psycopg.connect(database_url) as conn:
        conn.execute("insert into private.photo_uploads (path, request_id, created_at) "
                     "select storage_path, request_id, now() - interval '1 day' from public.request_photos "
                     "where request_id = %s and kind = 'before' and idx = 0", [request_id])

    now = datetime.now(UTC)
    await sweep_orphan_photos(pool, store, now)
    assert files_of(settings, request_id) == kept | orphans  # too fresh to judge: the upload may be under way

    swept = await sweep_orphan_photos(pool, store, now + ORPHAN_PHOTO_GRACE + timedelta(minutes=1))

    assert swept >= 2  # this upload's photo and never-written thumbnail, and maybe other tests' leftovers
    assert files_of(settings, request_id) == kept
    assert pending_records(database_url, request_id) == set()
    assert await served(client, token, request_id) == before


async def test_an_upload_the_sweep_gave_up_on_fails_instead_of_pointing_at_deleted_objects(
    client: httpx.AsyncClient, pool: AsyncConnectionPool[Conn], store: WatchedStore, database_url: str,
    settings: Settings,
) -> None:
    token, request_id = await new_request(client)
    citizen = await citizen_of(database_url, request_id)
    await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((200, 30, 30)))
    kept = row_paths(database_url, request_id)
    before = await served(client, token, request_id)

    real_put = store.put

    async def put_slower_than_the_grace(path: str, data: bytes, content_type: str) -> None:
        await real_put(path, data, content_type)
        if path.endswith("-thumb.webp") or path.endswith("-thumb.jpg"):
            await sweep_orphan_photos(pool, store, datetime.now(UTC) + ORPHAN_PHOTO_GRACE + timedelta(minutes=1))

    store.put = put_slower_than_the_grace  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="grace"):
        await save_photo(pool, store, uuid.UUID(request_id), 0, citizen, cleaned((30, 30, 200)))

    assert row_paths(database_url, request_id) == kept
    assert files_of(settings, request_id) == kept
    assert await served(client, token, request_id) == before


async def test_the_background_sweeps_keep_going_after_a_failure(
    client: httpx.AsyncClient, pool: AsyncConnectionPool[Conn], store: WatchedStore, database_url: str,
    settings: Settings,
) -> None:
    _, request_id = await new_request(client)
    orphan = f"requests/{request_id}/before-1-left-by-a-crash.webp"
    await store.put(orphan, b"RIFF....WEBP", "image/webp")
    with psycopg.connect(database_url) as conn:
        conn.execute("insert into private.photo_uploads (path, request_id, created_at) "
                     "values (%s, %s, now() - interval '1 day')", [orphan, request_id])
    real_delete, failures = store.delete, [OSError("storage went away")]

    async def delete_failing_once(paths: list[str]) -> None:
        if failures:
            raise failures.pop()
        await real_delete(paths)

    store.delete = delete_failing_once  # type: ignore[method-assign]
    sweeps = asyncio.create_task(photo_sweeps(pool, store, every_seconds=0.02))
    try:
        # Until a sweep has done the whole job (object and record gone), however busy the machine is.
        deadline = asyncio.get_running_loop().time() + 60
        while (settings.photos_dir / orphan).exists() or pending_records(database_url, request_id):
            assert asyncio.get_running_loop().time() < deadline, "no sweep finished the job"
            await asyncio.sleep(0.02)
    finally:
        sweeps.cancel()
    assert failures == []  # the first sweep failed
    assert not (settings.photos_dir / orphan).exists()  # and a later one did the job
    assert pending_records(database_url, request_id) == set()


async def citizen_of(database_url: str, request_id: str) -> uuid.UUID:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select citizen_id from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    citizen: uuid.UUID = row[0]
    return citizen
