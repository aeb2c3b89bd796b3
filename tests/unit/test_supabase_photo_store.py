"""The Supabase Storage adapter against a fake of Storage's HTTP API (no hosted project is reachable here)."""

import respx
from pydantic import SecretStr

from backend.photo_store import DiskPhotoStore, SupabasePhotoStore, make_photo_store
from backend.settings import Settings

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
