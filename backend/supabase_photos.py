"""Photos in a private Supabase Storage bucket: the production adapter behind backend.photo_store.PhotoStore."""

from storage3 import AsyncStorageClient
from storage3.exceptions import StorageApiError


class SupabasePhotoStore:
    """A private bucket; the service-role key is used server-side only, never sent to the app."""

    def __init__(self, url: str, service_key: str, bucket: str) -> None:
        self._client = AsyncStorageClient(
            url.rstrip("/") + "/storage/v1/", {"apikey": service_key, "Authorization": f"Bearer {service_key}"}
        )
        self._bucket = bucket

    async def put(self, path: str, data: bytes, content_type: str) -> None:
        await self._client.from_(self._bucket).upload(
            path, data, {"content-type": content_type, "upsert": "true", "cache-control": "31536000"}
        )

    async def get(self, path: str) -> bytes | None:
        try:
            data: bytes = await self._client.from_(self._bucket).download(path)
        except StorageApiError as exc:
            if _missing_object(exc):
                return None
            raise
        return data

    async def delete(self, paths: list[str]) -> None:
        await self._client.from_(self._bucket).remove(paths)


def _missing_object(exc: StorageApiError) -> bool:
    """Storage says "no such object" (`not_found`, or `NoSuchKey` in its newer error format) with a 404 status
    (in the body, or the HTTP status when the body did not parse). A missing bucket is also a 404 but must still
    raise: that is a misconfigured deployment, not a photo that is gone."""
    if str(exc.status) != "404":
        return False
    return exc.code in ("not_found", "NoSuchKey") or (exc.code == "InternalError" and "NoSuchKey" in exc.message)
