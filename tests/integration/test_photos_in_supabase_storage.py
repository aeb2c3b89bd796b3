"""Photos kept by the production adapter (Supabase Storage) through the real API and database: upload, view,
replace, and the portfolio PDF that prints them. No hosted project is reachable here, so the bucket is a fake of
Storage's object API (kept in a dict); everything else is the real app."""

import io
import json
import uuid
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import Message

import httpx
import psycopg
import pypdf
import pytest
import respx

from backend.app import create_app
from backend.deps import get_now
from backend.settings import Settings
from backend.supabase_photos import SupabasePhotoStore
from shared.credit import PORTFOLIO_PHOTO_SIDE
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import Area, Clock, submit, work_to_quality_check

PROJECT = "https://abcdefgh.supabase.co"
BUCKET = "request-photos"
SERVICE_KEY = "service-role-key"


class FakeBucket:
    """Storage's object routes as the adapter calls them: multipart upload (POST, `x-upsert`), download (GET,
    'not_found' in a 400 body as Storage answers for a missing object), bulk remove (DELETE with `prefixes`)."""

    def __init__(self, router: respx.Router) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.removed: list[str] = []
        object_path = rf"/storage/v1/object/{BUCKET}/(?P<key>.+)"
        router.post(path__regex=object_path).mock(side_effect=self._upload)
        router.get(path__regex=object_path).mock(side_effect=self._download)
        router.delete(path=f"/storage/v1/object/{BUCKET}").mock(side_effect=self._remove)

    @staticmethod
    def _authorised(request: httpx.Request) -> bool:
        return bool(request.headers.get("apikey") == SERVICE_KEY
                    and request.headers.get("authorization") == f"Bearer {SERVICE_KEY}")

    def _upload(self, request: httpx.Request, key: str) -> httpx.Response:
        if not self._authorised(request):
            return httpx.Response(403, json={"statusCode": "403", "error": "Unauthorized", "message": "no"})
        if key in self.objects and request.headers.get("x-upsert") != "true":
            return httpx.Response(400, json={"statusCode": "409", "error": "Duplicate", "message": "exists"})
        form = message_from_bytes(b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n"
                                  + request.content)
        parts: list[Message] = [p for p in form.walk() if p.get_param("name", header="content-disposition") == "file"]
        assert len(parts) == 1, request.content[:300]
        data = parts[0].get_payload(decode=True)
        assert isinstance(data, bytes)
        self.objects[key] = (data, parts[0].get_content_type())
        return httpx.Response(200, json={"Key": f"{BUCKET}/{key}", "Id": str(uuid.uuid4())})

    def _download(self, request: httpx.Request, key: str) -> httpx.Response:
        if not self._authorised(request):
            return httpx.Response(403, json={"statusCode": "403", "error": "Unauthorized", "message": "no"})
        if key not in self.objects:
            return httpx.Response(400, json={"statusCode": "404", "error": "not_found",
                                             "message": "Object not found"})
        data, content_type = self.objects[key]
        return httpx.Response(200, content=data, headers={"content-type": content_type})

    def _remove(self, request: httpx.Request) -> httpx.Response:
        keys = json.loads(request.content)["prefixes"]
        gone = [k for k in keys if self.objects.pop(k, None) is not None]
        self.removed += gone
        return httpx.Response(200, json=[{"name": k} for k in gone])

    def keys_of(self, request_id: str) -> set[str]:
        return {k for k in self.objects if request_id in k}


@pytest.fixture
async def api_with_bucket(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, FakeBucket]]:
    """The real app whose photo store is the Supabase Storage adapter (as `make_photo_store` builds it when
    SUPABASE_URL is set), with the hosted API answered by the fake bucket."""
    app = create_app(settings)
    app.state.photo_store = SupabasePhotoStore(PROJECT, SERVICE_KEY, BUCKET)
    app.dependency_overrides[get_now] = Clock()
    # Only the Storage host is faked: the app itself is reached in-process, not through respx.
    with respx.mock(base_url=PROJECT, assert_all_called=False) as router:
        bucket = FakeBucket(router)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
        ) as client:
            yield client, bucket


def _photo_images(pdf: bytes) -> list[tuple[int, int]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [i.image.size for page in reader.pages for i in page.images
            if i.image is not None and i.image.mode == "RGB"]


async def test_photos_live_in_the_bucket_and_the_portfolio_pdf_prints_them_from_it(
    api_with_bucket: tuple[httpx.AsyncClient, FakeBucket], area: Area, database_url: str
) -> None:
    api, bucket = api_with_bucket
    citizen, request = await submit(api)
    rid = request["id"]

    # The citizen's before photo: the shrunk photo and its thumbnail go to the bucket, nothing to the disk store.
    before = {"file": ("before.jpg", jpeg_with_gps((1200, 1600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/photos/0", files=before, headers=bearer(citizen))
    assert uploaded.status_code == 201, uploaded.text
    first_keys = bucket.keys_of(rid)
    assert len(first_keys) == 2, bucket.objects.keys()
    assert {bucket.objects[k][1] for k in first_keys} == {"image/jpeg"}
    # What the owner sees is the bucket's bytes, main photo and thumbnail alike.
    for thumb in ("false", "true"):
        shown = await api.get(f"/requests/{rid}/photos/before/0?thumb={thumb}", headers=bearer(citizen))
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        assert shown.content in {data for data, _ in bucket.objects.values()}
    # Someone else cannot read it through the API, whatever the bucket holds.
    stranger, _ = await sign_in(api, area.students["far1"][1])
    refused = await api.get(f"/requests/{rid}/photos/before/0", headers=bearer(stranger))
    assert refused.status_code == 404

    # Replacing the photo stores the new one and removes the old objects from the bucket (after the commit).
    again = {"file": ("before.jpg", jpeg_with_gps((2000, 1000)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=again, headers=bearer(citizen))).status_code == 201
    assert set(bucket.removed) == first_keys
    assert len(bucket.keys_of(rid)) == 2 and not (bucket.keys_of(rid) & first_keys)

    # The job done and credited: the portfolio PDF reads both photos back through the adapter.
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    await work_to_quality_check(api, bee, rid)  # uploads the after photo (to the bucket too)
    assert len(bucket.keys_of(rid)) == 4
    done = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert done.status_code == 200, done.text
    with psycopg.connect(database_url, autocommit=True) as conn:  # the job was in hand for two hours
        conn.execute("update public.status_events set created_at = created_at - interval '2 hours' "
                     "where request_id = %s and to_status = 'accepted'", [rid])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    pdf = await api.get(f"/portfolio/{area.students['bee'][0]}/pdf", headers=bearer(bee))
    assert pdf.status_code == 200, pdf.text
    # Both turned upright by their EXIF (fpdf2 would embed two identical pictures once: their shapes differ).
    assert sorted(_photo_images(pdf.content)) == [(120, PORTFOLIO_PHOTO_SIDE), (180, PORTFOLIO_PHOTO_SIDE)]

    # An object gone from the bucket behind the app's back: the photo is a clear 404, and the PDF still prints,
    # with the photo that is left.
    after_keys = {k for k in bucket.keys_of(rid) if "after" in k}
    assert after_keys, bucket.keys_of(rid)
    for key in after_keys:
        del bucket.objects[key]
    missing = await api.get(f"/requests/{rid}/photos/after/0", headers=bearer(bee))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    pdf = await api.get(f"/portfolio/{area.students['bee'][0]}/pdf", headers=bearer(bee))
    assert pdf.status_code == 200 and _photo_images(pdf.content) == [(120, PORTFOLIO_PHOTO_SIDE)]
