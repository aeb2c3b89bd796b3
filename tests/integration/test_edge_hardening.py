"""Attacks on the edge of the API, through the real app and database: each used to end in a 500 (or worse).

- NUL and other control characters in body fields, query parameters and paths;
- text that fits a length check only after Unicode normalisation, stored un-normalised;
- Thai and full-width digits in phone numbers (read as ASCII now), and signs that are no digits;
- NaN and infinity in JSON numbers;
- bodies far larger than any route takes (declared, and streamed without a length);
- missing security headers, request ids, and secrets in the logs.
"""

import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest

from backend.settings import PROJECT_ROOT, Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key
from tests.integration.dispatch_area import AppClock, Area, accepted_job

KIB = 1024
MIB = 1024 * KIB


def refused_field(response: httpx.Response, status: int, field: str) -> dict[str, Any]:
    """The project's error shape, naming the field that was refused."""
    assert response.status_code == status, (field, response.status_code, response.text)
    error: dict[str, Any] = response.json()["error"]
    assert error["message_th"] and error["message_en"], error
    assert field in error["message_en"] or field in (error.get("fields") or {}), (field, error)
    return error


# --- control characters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["item", "brand", "description", "address", "province", "district",
                                   "sub_district", "category_code", "contact_phone", "service_place"])
async def test_nul_in_any_request_field_is_refused_and_nothing_is_stored(
    api: httpx.AsyncClient, database_url: str, field: str
) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft()
    body[field] = "ab\x00cd" if field != "contact_phone" else "081\x00234-5678"
    response = await api.post("/requests", json=body, headers=bearer(token))
    refused_field(response, 422, field)
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


async def test_control_characters_other_than_line_breaks_are_refused(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    for field, value in [("item", "พัดลม\tตั้งโต๊ะ"), ("description", "ไม่หมุน\x1b[31m"), ("address", "ซอย 5\x7f"),
                         ("preferred_days", ["sat\x00"])]:
        response = await api.post("/requests", json=draft(**{field: value}), headers=bearer(token))
        refused_field(response, 422, field)
    # Line breaks (CR LF from a text area too) are fine where text has lines.
    ok = await api.post("/requests", json=draft(description="เปิดไม่ติด\r\nมีกลิ่นไหม้\tตอนเสียบปลั๊ก"),
                        headers=bearer(token))
    assert ok.status_code == 201, ok.text
    assert ok.json()["description"] == "เปิดไม่ติด\nมีกลิ่นไหม้\tตอนเสียบปลั๊ก"


async def test_a_lone_surrogate_is_refused_not_a_500(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    raw = json.dumps(draft()).replace('"Mitsubishi"', '"Mitsu\\ud800bishi"')
    response = await api.post("/requests", content=raw, headers={**bearer(token), "Content-Type": "application/json"})
    refused_field(response, 422, "brand")


async def test_nul_in_other_bodies_is_refused(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    refused_field(await api.post("/auth/otp/request", json={"phone": "081\x002345678"}), 422, "phone")
    refused_field(await api.post("/auth/otp/verify", json={"phone": "0812345678", "code": "12\x003456"}), 422, "code")
    refused_field(await api.patch("/me", json={"display_name": "สม\x00ชาย"}, headers=bearer(token)), 422,
                  "display_name")
    created = await api.post("/requests", json=draft(), headers=bearer(token))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    refused_field(await api.post(f"/requests/{rid}/cancel", json={"note": "ไม่\x00เอาแล้ว"}, headers=bearer(token)),
                  422, "note")
    still = await api.get(f"/requests/{rid}", headers=bearer(token))
    assert still.json()["status"] != "cancelled"


async def test_nul_in_a_query_parameter_is_refused_with_400(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    response = await api.get("/requests/duplicates?category_code=appli%00ance&lat=13.7563&lon=100.5018",
                             headers=bearer(token))
    error = refused_field(response, 400, "category_code")
    assert error["code"] == "invalid_characters" and error["fields"]["category_code"]["code"] == "invalid_characters"
    # The same query without the NUL works.
    ok = await api.get("/requests/duplicates?category_code=appliance&lat=13.7563&lon=100.5018", headers=bearer(token))
    assert ok.status_code == 200, ok.text


async def test_control_characters_in_the_path_are_refused_with_400(api: httpx.AsyncClient) -> None:
    response = await api.get("/requests/abc%00def")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_characters"
    assert (await api.get("/health%0a")).json()["error"]["fields"] == {
        "path": {"code": "invalid_characters", "message_th": response.json()["error"]["message_th"],
                 "message_en": response.json()["error"]["message_en"]}
    }


# --- Unicode normalisation ----------------------------------------------------------------------------------


async def test_decomposed_text_is_stored_normalised_within_the_column_limit(
    api: httpx.AsyncClient, database_url: str
) -> None:
    # 70 × (e + combining acute) is 140 code points, 70 after NFC: it passed the item check (80 after
    # normalisation), was stored as sent and broke the column's 120-character limit (a 500).
    token, _ = await sign_in(api, fresh_phone())
    body = draft(item="e\u0301" * 70, brand="Cafe\u0301")
    response = await api.post("/requests", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    assert response.json()["item"] == "\u00e9" * 70 and response.json()["brand"] == "Caf\u00e9"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select item, brand from public.repair_requests where idempotency_key = %s",
                           [body["idempotency_key"]]).fetchone()
    assert row == ("\u00e9" * 70, "Caf\u00e9")


async def test_combining_marks_that_stay_long_after_normalisation_are_refused(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    # Still too long after NFC (b has no precomposed acute: each mark stays): refused by the schema, and by the
    # rules. (More than MARKS_PER_CLUSTER_MAX on one letter is refused as stacked first: test_typed_text_regressions.)
    response = await api.post("/requests", json=draft(description="b\u0301" * 2100), headers=bearer(token))
    error = refused_field(response, 422, "description")
    assert error["code"] == "validation_failed"
    item = await api.post("/requests", json=draft(item="b\u0301" * 70), headers=bearer(token))
    assert item.status_code == 400 and item.json()["error"]["fields"]["item"]["code"] == "request_item_invalid"


# --- phone numbers ------------------------------------------------------------------------------------------


# A leading ASCII 0 (or +66 and an ASCII 6/8/9) followed by Thai or full-width digits used to pass the `\d` rule
# and was stored as typed. Thai and full-width digits are read as ASCII now (shared/phone.py;
# test_thai_digit_phones.py): what still passed `\d`-like looks and is no number is refused, and nothing is stored.
@pytest.mark.parametrize("phone", ["08⑦2345678", "+668²２３４５６７８", "081234567８９", "๐๘๑๒๓๔๕๖๗"])
async def test_signs_that_are_no_decimal_digits_do_not_sign_anyone_in(
    api: httpx.AsyncClient, database_url: str, phone: str
) -> None:
    sent = await api.post("/auth/otp/request", json={"phone": phone})
    assert sent.status_code == 400, sent.text
    assert sent.json()["error"]["code"] == "invalid_phone"
    verify = await api.post("/auth/otp/verify", json={"phone": phone, "code": "123456"})
    assert verify.status_code == 400 and verify.json()["error"]["code"] == "invalid_phone"
    with psycopg.connect(database_url) as conn:
        blank = conn.execute("select count(*) from auth.users where phone !~ '^[0-9]*$'").fetchone()
    assert blank == (0,)


async def test_a_contact_phone_of_no_decimal_digits_is_a_field_error(api: httpx.AsyncClient,
                                                                      database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(contact_phone="08๑-๒๓๔-๕๖⑦⑧")
    response = await api.post("/requests", json=body, headers=bearer(token))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["fields"]["contact_phone"]["code"] == "invalid_phone"
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


# --- non-finite numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "literal"), [("lat", "NaN"), ("lon", "Infinity"), ("lat", "-Infinity")])
async def test_non_finite_coordinates_are_refused(
    api: httpx.AsyncClient, database_url: str, field: str, literal: str
) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft()
    raw = json.dumps(body).replace(f'"{field}": {body[field]}', f'"{field}": {literal}')
    assert literal in raw
    response = await api.post("/requests", content=raw, headers={**bearer(token), "Content-Type": "application/json"})
    refused_field(response, 422, field)
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


async def test_an_infinite_part_cost_is_refused_not_a_500(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    raw = '{"hours": 1.5, "notes": "", "parts": [{"name": "ฟิวส์", "qty": 1, "cost_baht": Infinity}]}'
    response = await api.put(f"/requests/{rid}/report", content=raw,
                             headers={**bearer(ace), "Content-Type": "application/json"})
    refused_field(response, 422, "cost_baht")
    hours = await api.put(f"/requests/{rid}/report", content='{"hours": NaN, "notes": "", "parts": []}',
                          headers={**bearer(ace), "Content-Type": "application/json"})
    refused_field(hours, 422, "hours")
    fine = await api.put(f"/requests/{rid}/report", json={"hours": 1.5, "notes": "", "parts": []},
                         headers=bearer(ace))
    assert fine.status_code == 200, fine.text


# --- body size ----------------------------------------------------------------------------------------------


MULTIPART = "multipart/form-data; boundary=xyz"
# The start of a well-formed upload: the parser keeps reading the file part until the body ends.
PHOTO_HEAD = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
              b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0")


class Source:
    """A request body that counts what the server pulled from it."""

    def __init__(self, total: int, chunk: int = 64 * KIB, head: bytes = b"") -> None:
        self.total = total
        self.chunk = chunk
        self.head = head
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.pulled += len(self.head)
            yield self.head
        block = b"x" * self.chunk
        while self.pulled < self.total:
            self.pulled += self.chunk
            yield block


async def test_a_declared_300_mb_upload_is_refused_before_a_byte_is_read(api: httpx.AsyncClient) -> None:
    # Unauthenticated: it used to be spooled to disk in full before the 401.
    source = Source(total=24 * MIB, head=PHOTO_HEAD)
    headers = {"Content-Type": MULTIPART, "Content-Length": str(300 * MIB)}
    response = await api.put(f"/requests/{uuid.uuid4()}/photos/0", content=source, headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"
    assert source.pulled == 0


async def test_a_declared_100_mb_json_body_is_refused_before_it_is_parsed(api: httpx.AsyncClient) -> None:
    source = Source(total=2 * MIB)
    response = await api.post("/auth/otp/request", content=source,
                              headers={"Content-Type": "application/json", "Content-Length": str(100 * MIB)})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    assert source.pulled == 0
    assert "64" in response.json()["error"]["message_en"]


async def test_a_chunked_json_body_is_cut_off_at_the_limit(api: httpx.AsyncClient, settings: Settings) -> None:
    source = Source(total=4 * MIB, chunk=16 * KIB)
    response = await api.post("/auth/otp/request", content=source, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    assert source.pulled <= settings.max_body_bytes + source.chunk


async def test_a_chunked_photo_upload_is_cut_off_at_the_photo_limit(api: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await sign_in(api, fresh_phone())
    created = await api.post("/requests", json=draft(), headers=bearer(token))
    assert created.status_code == 201, created.text
    source = Source(total=2 * settings.max_photo_body_bytes, chunk=256 * KIB, head=PHOTO_HEAD)
    response = await api.put(f"/requests/{created.json()['id']}/photos/0", content=source,
                             headers={**bearer(token), "Content-Type": MULTIPART})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"
    assert source.pulled <= settings.max_photo_body_bytes + source.chunk + len(PHOTO_HEAD)


async def test_the_photo_limit_applies_only_to_photo_uploads(api: httpx.AsyncClient) -> None:
    # A 1 MiB body is fine for a photo route (here it fails later, on sign-in), not for a JSON route.
    body = PHOTO_HEAD + b"x" * MIB + b"\r\n--xyz--\r\n"
    photo = await api.put(f"/requests/{uuid.uuid4()}/photos/0", content=body, headers={"Content-Type": MULTIPART})
    assert photo.status_code == 401, photo.text
    after = await api.put(f"/requests/{uuid.uuid4()}/after-photos/4", content=body, headers={"Content-Type": MULTIPART})
    assert after.status_code == 401, after.text
    report = await api.put(f"/requests/{uuid.uuid4()}/report", content=body,
                           headers={"Content-Type": "application/json"})
    assert report.status_code == 413


# --- security headers ---------------------------------------------------------------------------------------


async def test_every_api_answer_carries_the_security_headers(api: httpx.AsyncClient) -> None:
    answers = [
        await api.get("/health"),
        await api.get("/no-such-route"),
        await api.get("/me"),  # 401
        await api.get("/requests/x%00"),  # refused at the edge
        await api.post("/auth/otp/request", content=b"x", headers={"Content-Length": str(MIB)}),  # 413
    ]
    for response in answers:
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", response.url
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "strict-transport-security" not in headers  # plain http
        assert headers["x-request-id"]


async def test_hsts_only_over_https(api: httpx.AsyncClient) -> None:
    assert "strict-transport-security" not in (await api.get("/health")).headers
    behind_proxy = await api.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["strict-transport-security"].startswith("max-age=")
    direct = await api.get("https://fixit.test/health")
    assert direct.headers["strict-transport-security"].startswith("max-age=")


async def test_the_docs_pages_may_load_their_cdn_scripts_but_not_be_framed(api: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await api.get(path)
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "https://cdn.jsdelivr.net" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-frame-options"] == "DENY"
    schema = await api.get("/openapi.json")
    assert schema.headers["content-security-policy"].startswith("default-src 'none'")


# --- request ids and logs -----------------------------------------------------------------------------------


async def test_request_id_is_echoed_or_made(api: httpx.AsyncClient) -> None:
    mine = await api.get("/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert mine.headers["x-request-id"] == "lb-7f3a.42"
    made = await api.get("/health")
    other = await api.get("/health")
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != other.headers["x-request-id"]
    hostile = await api.get("/health", headers={"X-Request-ID": "a b\"<script>" + "x" * 300})
    assert hostile.headers["x-request-id"] != "a b\"<script>" + "x" * 300
    assert len(hostile.headers["x-request-id"]) == 32


async def test_log_records_of_a_request_carry_its_id(api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        sent = await api.post("/auth/otp/request", json={"phone": fresh_phone()}, headers={"X-Request-ID": "req-otp-1"})
    assert sent.status_code == 200 and sent.headers["x-request-id"] == "req-otp-1"
    records = [r for r in caplog.records if r.name == "fixit.otp"]
    assert records and all(getattr(r, "request_id", None) == "req-otp-1" for r in records)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_access_log_of_a_real_server_holds_no_token(settings: Settings, database_url: str) -> None:
    """uvicorn's access log wrote `GET /events?access_token=eyJ…` whole: anyone reading logs could act as anyone."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "FIXIT_JWT_SECRET": settings.jwt_secret.get_secret_value(),
           "FIXIT_ACCESS_LOG": "true", "FIXIT_LOG_FORMAT": "json", "FIXIT_DEV_MODE": "true",
           "FIXIT_DATA_DIR": str(settings.data_dir), "FIXIT_DISPATCH_TICK_SECONDS": "3600"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.asgi:app", "--port", str(port)],
                              env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ"
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.1)  # polling for the port to open, not waiting for a result
            answer = client.get(f"/health?access_token={token}&code=123456")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert token not in output and "123456" not in output, output
    access = [json.loads(line) for line in output.splitlines()
              if line.startswith("{") and json.loads(line)["logger"] == "uvicorn.access"]
    mine = [a for a in access if a["request_id"] == answer.headers["x-request-id"]]
    assert mine and mine[0]["path"] == "/health?access_token=[redacted]&code=[redacted]", access
    assert "client" not in mine[0] and "127.0.0.1" not in json.dumps(mine[0])
