"""Audit 8: a photo upload is checked when it starts, but stored a moment later (decoded and written with no
database connection held). What happened in that moment must count: an upload still in flight when its owner
deleted their account, or when the student lost the job, must not land on the request afterwards.

The moment is made deterministic with a store that holds the upload at its first write until the test lets it go
(real disk store, real PostgreSQL; nothing of ours is mocked)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg
import pytest

from backend.app import create_app
from backend.photo_store import DiskPhotoStore
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps, new_request
from tests.integration.dispatch_area import Area, accepted_job


class HeldStore:
    """The disk store; once `hold()` is called, the next write waits until `let_go()` (and says it is waiting)."""

    def __init__(self, root: Path) -> None:
        self.disk = DiskPhotoStore(root)
        self.holding = False
        self.waiting = asyncio.Event()
        self.go = asyncio.Event()

    def hold(self) -> None:
        self.holding, self.waiting, self.go = True, asyncio.Event(), asyncio.Event()

    def let_go(self) -> None:
        self.holding = False
        self.go.set()

    async def put(self, path: str, data: bytes, content_type: str) -> None:
        if self.holding:
            self.waiting.set()
            await self.go.wait()
        await self.disk.put(path, data, content_type)

    async def get(self, path: str) -> bytes | None:
        return await self.disk.get(path)

    async def delete(self, paths: list[str]) -> None:
        await self.disk.delete(paths)


@pytest.fixture
async def held(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, HeldStore]]:
    store = HeldStore(settings.photos_dir)
    app = create_app(settings)
    app.state.photo_store = store
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://fixit.test"
    ) as client:
        yield client, store


def _photo() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("p.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}


def _stored(database_url: str, request_id: str, settings: Settings) -> tuple[int, list[str]]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.request_photos where request_id = %s", [request_id]).fetchone()
    folder = settings.photos_dir / "requests" / request_id
    return (row[0] if row else 0), sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_photo_in_flight_when_its_owner_deletes_their_account_is_not_kept(
    held: tuple[httpx.AsyncClient, HeldStore], database_url: str, settings: Settings
) -> None:
    api, store = held
    token, rid = await new_request(api)
    store.hold()
    uploading = asyncio.create_task(api.put(f"/requests/{rid}/photos/0", files=_photo(), headers=bearer(token)))
    await asyncio.wait_for(store.waiting.wait(), 30)
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))
    assert deleted.status_code == 204, deleted.text
    store.let_go()
    late = await uploading
    assert late.status_code == 404, late.text  # the request is no longer anybody's to add to
    assert _stored(database_url, rid, settings) == (0, [])  # no row, and the written objects are gone again


async def test_an_after_photo_in_flight_when_the_student_loses_the_job_does_not_land_on_it(
    held: tuple[httpx.AsyncClient, HeldStore], area: Area, database_url: str, settings: Settings
) -> None:
    api, store = held
    _, ace, rid = await accepted_job(api, area)
    store.hold()
    uploading = asyncio.create_task(api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(ace)))
    await asyncio.wait_for(store.waiting.wait(), 30)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(teacher))
    assert moved.status_code == 200, moved.text
    store.let_go()
    late = await uploading
    assert late.status_code == 403 and late.json()["error"]["code"] == "not_assigned", late.text
    assert _stored(database_url, rid, settings) == (0, [])
    # The student who has the job now uploads as usual.
    bee, _ = await sign_in(api, area.students["bee"][1])
    mine = await api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(bee))
    assert mine.status_code == 201, mine.text
