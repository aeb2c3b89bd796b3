"""The Supabase Storage adapter against a fake of Storage's HTTP API (no hosted project is reachable here)."""

from pathlib import Path

import pytest
import respx
from pydantic import SecretStr
from storage3.exceptions import StorageApiError

from backend.photo_store import DiskPhotoStore, make_photo_store
from backend.settings import Settings
from backend.supabase_photos import SupabasePhotoStore

URL = "https://abcdefgh.supabase.co"


async def test_put_get_delete_go_to_the_bucket() -> None:
    store = SupabasePhotoStore(URL, "service-key", "request-photos")
    with respx.mock(base_url=f"{URL}/storage/v1") as fake:
        upload = fake.post("/object/request-photos/requests/r1/before-0.webp").respond(
            200, json={"Key": "request-photos/requests/r1/before-0.webp", "Id": "x"})
        download = fake.get("/object/request-photos/requests/r1/before-0.webp").respond(200, content=b"RIFFwebp")
        remove = fake.delete("/object/request-photos").respond(200, json=[])
        await store.put("requests/r1/before-0.webp", b"RIFFwebp", "image/webp")
        assert await store.get("requests/r1/before-0.webp") == b"RIFFwebp"
        await store.delete(["requests/r1/before-0.webp"])
    sent = upload.calls.last.request
    assert sent.headers["apikey"] == "service-key" and sent.headers["x-upsert"] == "true"
    assert b"RIFFwebp" in sent.content
    assert download.called and remove.called


def test_the_store_follows_the_settings() -> None:
    local = make_photo_store(Settings(jwt_secret=SecretStr("x" * 40)))
    assert isinstance(local, DiskPhotoStore)
    hosted = make_photo_store(Settings(supabase_url=URL, supabase_service_role_key=SecretStr("k")))
    assert isinstance(hosted, SupabasePhotoStore)


MISSING = "/object/request-photos/requests/r1/gone.webp"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # What Storage answers for a missing object: older servers say 400 with the 404 in the body.
        (400, {"statusCode": "404", "error": "not_found", "message": "Object not found"}),
        (404, {"statusCode": "404", "error": "not_found", "message": "Object not found"}),
        (404, {"statusCode": "404", "code": "NoSuchKey", "message": "Object not found"}),
    ],
)
async def test_a_missing_object_is_none_like_on_disk(status: int, body: dict[str, str], tmp_path: Path) -> None:
    store = SupabasePhotoStore(URL, "service-key", "request-photos")
    with respx.mock(base_url=f"{URL}/storage/v1") as fake:
        fake.get(MISSING).respond(status, json=body)
        assert await store.get("requests/r1/gone.webp") is None
    assert await DiskPhotoStore(tmp_path).get("requests/r1/gone.webp") is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # A missing bucket is a broken deployment, not a missing photo: it must surface.
        (400, {"statusCode": "404", "error": "Bucket not found", "message": "Bucket not found"}),
        (403, {"statusCode": "403", "error": "Unauthorized", "message": "invalid signature"}),
        (500, {"statusCode": "500", "error": "internal", "message": "boom"}),
    ],
)
async def test_other_storage_errors_still_raise(status: int, body: dict[str, str]) -> None:
    store = SupabasePhotoStore(URL, "service-key", "request-photos")
    with respx.mock(base_url=f"{URL}/storage/v1") as fake:
        fake.get(MISSING).respond(status, json=body)
        with pytest.raises(StorageApiError):
            await store.get("requests/r1/gone.webp")


def test_a_local_backend_never_loads_the_supabase_client() -> None:
    import subprocess
    import sys

    probe = ("import sys; from backend.app import create_app; from backend.settings import Settings; "
             "create_app(Settings(database_url='postgresql://x/y')); print('storage3' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
