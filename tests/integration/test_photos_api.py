"""Photo intake through the real API: cleaned on the server, idempotent per index, refusals store nothing."""

import io
from pathlib import Path

import httpx
import psycopg
from PIL import Image

from backend.photo_store import DiskPhotoStore
from backend.settings import Settings
from shared.photos import MAX_PHOTO_BYTES
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import jpeg_with_gps, new_request


def photo_rows(database_url: str, request_id: str) -> list[tuple[int, str]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "select idx, storage_path from public.request_photos where request_id = %s order by idx", [request_id]
        ).fetchall()


async def test_upload_is_cleaned_and_idempotent(api: httpx.AsyncClient, database_url: str,
                                                settings: Settings) -> None:
    token, request_id = await new_request(api)
    files = {"file": ("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg")}
    first = await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))
    assert first.status_code == 201, first.text
    photo = first.json()
    assert (photo["width"], photo["height"]) == (1200, 1600)  # orientation applied, fitted within 1600
    again = await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))
    assert again.status_code == 201 and again.json()["id"] == photo["id"]
    rows = photo_rows(database_url, request_id)
    assert len(rows) == 1

    assert rows[0][1].endswith(".jpg") and photo["content_type"] == "image/jpeg"
    stored = (settings.photos_dir / rows[0][1]).read_bytes()
    assert b"Exif" not in stored and b"GPS" not in stored
    assert len(stored) == photo["bytes"] <= MAX_PHOTO_BYTES
    served = await api.get(f"/requests/{request_id}/photos/before/0", headers=bearer(token))
    assert served.status_code == 200 and served.content == stored
    assert served.headers["content-type"] == "image/jpeg" and Image.open(io.BytesIO(stored)).format == "JPEG"
    thumb = await api.get(f"/requests/{request_id}/photos/before/0?thumb=true", headers=bearer(token))
    assert thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).format == "JPEG"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320

    detail = (await api.get(f"/requests/{request_id}", headers=bearer(token))).json()
    assert [p["idx"] for p in detail["photos"]] == [0]


async def test_a_photo_stored_as_webp_before_jpeg_is_still_served_as_webp(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    # Until session 13 the pipeline wrote WebP: those rows and objects stay as they are and keep their type.
    token, request_id = await new_request(api)
    files = {"file": ("a.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    assert (await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))).status_code == 201
    webp: dict[str, bytes] = {}
    for name, size in (("old.webp", (400, 300)), ("old-thumb.webp", (320, 240))):
        buf = io.BytesIO()
        Image.new("RGB", size, "teal").save(buf, "WEBP")
        webp[name] = buf.getvalue()
        await DiskPhotoStore(settings.photos_dir).put(f"requests/{request_id}/{name}", webp[name], "image/webp")
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "update public.request_photos set storage_path = %s, thumb_path = %s, content_type = 'image/webp' "
            "where request_id = %s",
            [f"requests/{request_id}/old.webp", f"requests/{request_id}/old-thumb.webp", request_id],
        )

    for query, name in (("", "old.webp"), ("?thumb=true", "old-thumb.webp")):
        served = await api.get(f"/requests/{request_id}/photos/before/0{query}", headers=bearer(token))
        assert served.status_code == 200 and served.content == webp[name]
        assert served.headers["content-type"] == "image/webp"
    detail = (await api.get(f"/requests/{request_id}", headers=bearer(token))).json()
    assert detail["photos"][0]["content_type"] == "image/webp"


async def test_refusals_store_nothing(api: httpx.AsyncClient, database_url: str, settings: Settings) -> None:
    token, request_id = await new_request(api)
    fake = {"file": ("photo.jpg", b"%PDF-1.7\n" + b"x" * 1000, "image/jpeg")}
    response = await api.put(f"/requests/{request_id}/photos/0", files=fake, headers=bearer(token))
    assert response.status_code == 415 and response.json()["error"]["code"] == "photo_not_image"
    assert "รูปภาพ" in response.json()["error"]["message_th"]
    half = jpeg_with_gps((800, 600))
    cut = {"file": ("half.jpg", half[: len(half) // 2], "image/jpeg")}
    response = await api.put(f"/requests/{request_id}/photos/1", files=cut, headers=bearer(token))
    assert response.status_code == 400 and response.json()["error"]["code"] == "photo_truncated"
    sixth = {"file": ("6.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    response = await api.put(f"/requests/{request_id}/photos/5", files=sixth, headers=bearer(token))
    assert response.status_code == 400 and response.json()["error"]["code"] == "photo_too_many"
    assert photo_rows(database_url, request_id) == []
    assert not Path(settings.photos_dir / "requests" / request_id).exists()


async def test_strangers_cannot_add_or_see_photos(api: httpx.AsyncClient) -> None:
    token, request_id = await new_request(api)
    files = {"file": ("a.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    assert (await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))).status_code == 201
    stranger, _ = await sign_in(api, fresh_phone())
    response = await api.put(f"/requests/{request_id}/photos/1", files=files, headers=bearer(stranger))
    assert response.status_code == 404
    response = await api.get(f"/requests/{request_id}/photos/before/0", headers=bearer(stranger))
    assert response.status_code == 404


async def test_no_photos_on_a_cancelled_request(api: httpx.AsyncClient) -> None:
    token, request_id = await new_request(api)
    await api.post(f"/requests/{request_id}/cancel", json={}, headers=bearer(token))
    files = {"file": ("a.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    response = await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))
    assert response.status_code == 409
