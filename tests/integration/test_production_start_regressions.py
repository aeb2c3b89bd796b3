"""Production mode and the operator's commands keep development data and conveniences out of a production database,
and a copy refuses to start where it would serve people badly (audit 16b, findings 1, 5, 9 and 12). A database of
this module's own, migrated like a new production project (the shared one holds the seed's demo accounts)."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from backend.app import create_app
from backend.photo_store import make_photo_store
from backend.services.photo_intake import sweep_orphan_photos
from backend.settings import PROJECT_ROOT, AuthMode, Settings
from tests.helpers import bearer
from tests.integration.builders import citizen_with_a_photo

DB = "fixit_production_start"
DB_BEHIND = "fixit_production_start_behind"
SEED_DIR = PROJECT_ROOT / "assets" / "seed"
SUPABASE = "https://abcdefgh.supabase.co"


def _production_settings(database_url: str) -> Settings:
    return Settings(_env_file=None, dev_mode=False, auth_mode=AuthMode.SUPABASE,  # type: ignore[call-arg]
                    supabase_url=SUPABASE, supabase_anon_key=SecretStr("anon-key"),
                    supabase_service_role_key=SecretStr("service-role-key"),
                    public_url="https://api.fixit.example", database_url=database_url)


@contextlib.asynccontextmanager
async def _copy(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """One backend copy (its own process state, its own machine's disk) on the shared database."""
    copy = create_app(settings)
    async with copy.router.lifespan_context(copy), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=copy), base_url="http://fixit.test") as client:
        yield copy, client


async def test_production_refuses_photos_on_one_copy_s_disk(settings: Settings, tmp_path: Path) -> None:
    """With Supabase Auth configured but SUPABASE_SERVICE_ROLE_KEY missing (a secret not mounted on one machine),
    `make_photo_store` quietly picks the local disk (.data/photos) and production starts. Behind a load balancer on
    N machines each copy then holds the photos uploaded through it: a photo is missing whenever another copy answers,
    and an account deleted through another copy (DELETE /me, `delete-person`, both sweeps: whoever claims the
    record first deletes its own disk's file) leaves the citizen's photos on the first machine for ever (PDPA).
    Two copies here, each with its own disk, show both; production must refuse to start without a store every copy
    shares (the key), naming it."""
    machine_a = settings.model_copy(update={"data_dir": tmp_path / "a"})
    machine_b = settings.model_copy(update={"data_dir": tmp_path / "b"})
    async with _copy(machine_a) as (_, a), _copy(machine_b) as (copy_b, b):
        token, _, request_id = await citizen_with_a_photo(a)  # uploaded through copy A
        paths = [p for p in (machine_a.photos_dir.rglob("*")) if p.is_file()]
        assert paths
        photo = f"/requests/{request_id}/photos/before/0"
        assert (await a.get(photo, headers=bearer(token))).status_code == 200
        seen_by_b = await b.get(photo, headers=bearer(token))
        assert seen_by_b.status_code == 404, seen_by_b.text  # copy B has no such file
        deleted = await b.request("DELETE", "/me", params={"confirm": "true"}, headers=bearer(token))
        assert deleted.status_code in (200, 204), deleted.text
        await sweep_orphan_photos(copy_b.state.pool, copy_b.state.photo_store, datetime.now(UTC) + timedelta(days=1))
        assert all(p.exists() for p in paths)  # the deleted citizen's photos, still on machine A
    production = _production_settings(settings.database_url).model_copy(
        update={"supabase_service_role_key": SecretStr("")})
    assert type(make_photo_store(production)).__name__ == "DiskPhotoStore"
    assert production.production_problems(), "production starts with photos on each copy's own disk"
    named = "\n".join(production.production_problems())
    assert "SUPABASE_SERVICE_ROLE_KEY" in named and "FIXIT_PHOTOS_ON_DISK" in named, named
    # One machine (or one disk every copy mounts): legitimate once named.
    one_disk = production.model_copy(update={"photos_on_disk": True})
    assert one_disk.production_problems() == [] and type(make_photo_store(one_disk)).__name__ == "DiskPhotoStore"
