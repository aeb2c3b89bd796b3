"""Data builders the integration tests share: a valid request draft, photos with GPS, SQL as a signed-in user, a
write that fails for one request."""

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
from PIL import Image
from psycopg.rows import dict_row

from tests.helpers import bearer, fresh_phone, sign_in

Conn = psycopg.Connection[dict[str, Any]]


def draft(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idempotency_key": str(uuid.uuid4()),
        "category_code": "appliance",
        "item": "พัดลม  ตั้งโต๊ะ",
        "brand": "Mitsubishi",
        "description": "เปิดแล้วไม่หมุน มีกลิ่นไหม้",
        "lat": 13.7563,
        "lon": 100.5018,
        "address": "12/3 ถนนพระราม 1",
        "province": "กรุงเทพมหานคร",
        "service_place": "centre",
        "preferred_days": ["sat", "sun"],
        "contact_phone": "081-234-5678",
        "pdpa_consent": True,
    }
    body.update(overrides)
    return body


def rows_with_key(database_url: str, key: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.repair_requests where idempotency_key = %s", [key]).fetchone()
    assert row is not None
    return int(row[0])



def jpeg_with_gps(size: tuple[int, int] = (2400, 1800)) -> bytes:
    image = Image.new("RGB", size, (200, 60, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the phone was held upright
    exif.get_ifd(0x8825)[2] = (13.0, 45.0, 22.5)  # GPS latitude: must never reach the store
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


async def citizen_with_a_photo(api: httpx.AsyncClient) -> tuple[str, str, str]:
    """A new citizen with one request and its before photo: (their token, their id, the request id)."""
    phone = fresh_phone()
    token, profile = await sign_in(api, phone)
    created = await api.post("/requests", json=draft(contact_phone=phone), headers=bearer(token))
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    files = {"file": ("a.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{request_id}/photos/0", files=files, headers=bearer(token))
    assert uploaded.status_code in (200, 201), uploaded.text
    return token, str(profile["id"]), request_id


async def new_request(api: httpx.AsyncClient) -> tuple[str, str]:
    token, _ = await sign_in(api, fresh_phone())
    created = await api.post("/requests", json=draft(), headers=bearer(token))
    return token, created.json()["id"]



@contextmanager
def as_user(database_url: str, user_id: str | None) -> Iterator[Conn]:
    """A transaction as `authenticated` (or `anon` with no user), rolled back at the end."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        if user_id is None:
            conn.execute("set local role anon")
        else:
            conn.execute(
                "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                [json.dumps({"sub": user_id, "role": "authenticated"})],
            )
        yield conn
        conn.rollback()


@contextmanager
def failing_writes(database_url: str, event: str, table: str, column: str, request_id: str,
                   what: str) -> Iterator[None]:
    """While the block runs, every `event` (`insert`, `update of status`, `insert or update`) of a row of
    public.`table` whose `column` is `request_id` fails: a trigger refuses it (bad data, a bug) with `what`."""
    name = f"test_poison_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"""create function public.{name}() returns trigger language plpgsql as $$
                         begin raise exception '{what}'; end $$""")
        conn.execute(f"""create trigger {name} before {event} on public.{table} for each row
                         when (new.{column} = '{request_id}'::uuid) execute function public.{name}()""")
    try:
        yield
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"drop trigger {name} on public.{table}")
            conn.execute(f"drop function public.{name}()")


async def college_inviting(api: httpx.AsyncClient) -> tuple[str, str, str, str, str]:
    """A college an admin made (nothing of the work names it, so SQL may delete it), with a citizen invited to be
    its supervisor (their "invited" card waiting for an answer): (the admin's token, the college id, the citizen's
    phone, token and id)."""
    from tests.integration.test_staff_api import college_body  # the one college body the staff tests post

    admin, _ = await sign_in(api, "084-444-4444")
    made = await api.post("/admin/colleges", json=college_body(), headers=bearer(admin))
    assert made.status_code == 201, made.text
    college = made.json()["id"]
    phone = fresh_phone()
    citizen, profile = await sign_in(api, phone)
    named = await api.post(f"/admin/colleges/{college}/supervisors", json={"phone": phone}, headers=bearer(admin))
    assert named.status_code == 201 and named.json()["awaiting_acceptance"] is True, named.text
    return admin, college, phone, citizen, profile["id"]
