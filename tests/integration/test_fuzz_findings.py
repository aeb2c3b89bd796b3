"""What a property-based fuzz of the API from its own OpenAPI document (schemathesis, every operation, once per
role) found: answers the backend really sends that the document did not declare, or declared in another shape.
The app parses what the backend sends, so the document must say it; each test here failed before its fix."""

from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import AppClock, Area, accepted_job

METHODS = ("get", "put", "post", "delete", "patch")


async def document(api: httpx.AsyncClient) -> dict[str, Any]:
    spec = await api.get("/openapi.json")
    assert spec.status_code == 200
    body: dict[str, Any] = spec.json()
    return body


def conforms(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """The problems of `value` against the JSON-schema subset FastAPI writes ($ref, anyOf, type, required,
    properties, items, additionalProperties): enough to tell whether an answer is the declared shape."""
    if "$ref" in schema:
        return conforms(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], value, where)
    if "anyOf" in schema:
        tries = [conforms(spec, option, value, where) for option in schema["anyOf"]]
        return [] if any(not t for t in tries) else [f"{where}: none of anyOf fits ({tries})"]
    kinds: dict[str, type | tuple[type, ...]] = {
        "object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool,
        "null": type(None)}
    kind = schema.get("type")
    if isinstance(kind, str) and not isinstance(value, kinds[kind]):
        return [f"{where}: {type(value).__name__} is not {kind}"]
    problems: list[str] = []
    if isinstance(value, dict):
        problems += [f"{where}: {name} missing" for name in schema.get("required", []) if name not in value]
        for name, item in value.items():
            sub = schema.get("properties", {}).get(name) or schema.get("additionalProperties")
            if isinstance(sub, dict):
                problems += conforms(spec, sub, item, f"{where}.{name}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for n, item in enumerate(value):
            problems += conforms(spec, schema["items"], item, f"{where}[{n}]")
    return problems


def assert_declared(spec: dict[str, Any], method: str, path: str, answer: httpx.Response) -> None:
    """The answer's status is one the document gives for this operation, and its JSON body has that shape."""
    responses = spec["paths"][path][method]["responses"]
    status = str(answer.status_code)
    assert status in responses, f"{method.upper()} {path} answered {status}, declares {sorted(responses)}"
    schema = responses[status].get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        assert conforms(spec, schema, answer.json()) == [], answer.text


async def test_every_operation_declares_the_answers_any_route_gives(api: httpx.AsyncClient) -> None:
    """The edge's 400 (control characters; a body that is not JSON), the sign-in checks' 401/403, the body limit's
    413 and the database's 503 come from code every route shares, so no route declared them: the fuzzer met an
    undeclared 400 on 31 operations and an undeclared 403 on 6."""
    spec = await document(api)
    missing = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            wanted = {"400", "503"} | ({"401", "403"} if operation.get("security") else set()) \
                | ({"413"} if "requestBody" in operation else set())
            if gaps := wanted - set(operation["responses"]):
                missing.append(f"{method.upper()} {path}: {sorted(gaps)}")
    assert missing == []
    assert spec["paths"]["/me"]["get"]["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"}


async def test_a_control_character_in_a_query_is_a_declared_400(api: httpx.AsyncClient) -> None:
    spec = await document(api)
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.get("/me/notifications?before_id=%19&limit=20", headers=bearer(token))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_characters", answer.text
    assert answer.json()["error"]["message_th"] and answer.json()["error"]["message_en"]
    assert_declared(spec, "get", "/me/notifications", answer)
    record = await api.post("/requests/%0F/handover/confirm", headers=bearer(token))
    assert record.status_code == 400, record.text
    assert_declared(spec, "post", "/requests/{request_id}/handover/confirm", record)


async def test_a_body_that_is_not_json_is_a_declared_400(api: httpx.AsyncClient) -> None:
    spec = await document(api)
    token, _ = await sign_in(api, "084-444-4444")  # the seeded admin
    answer = await api.post("/requests/0ad72e4f-5803-5fc2-9d07-50e177aa4d97/dispatch", content=b"\x8fCW\xe1",
                            headers={**bearer(token), "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_failed", answer.text
    assert_declared(spec, "post", "/requests/{request_id}/dispatch", answer)


async def test_a_token_whose_account_is_gone_gets_a_declared_403(api: httpx.AsyncClient) -> None:
    """The fuzzer deleted its own citizen (DELETE /me); the still-valid access token then met 403 profile_missing
    on every signed-in route, which none declared."""
    spec = await document(api)
    token, _ = await sign_in(api, fresh_phone())
    assert (await api.delete("/me?confirm=true", headers=bearer(token))).status_code == 204
    for method, path in (("get", "/me"), ("get", "/me/export"), ("get", "/me/notification-settings"),
                         ("post", "/me/line/link-code")):
        answer = await api.request(method.upper(), path, headers=bearer(token))
        assert answer.status_code in (401, 403), answer.text
        assert_declared(spec, method, path, answer)


async def test_a_student_import_that_is_not_a_csv_upload_answers_the_declared_shape(api: httpx.AsyncClient) -> None:
    """The route declared its 400 as the CSV refusal, `lines` required; a broken multipart body (and a control
    character in the path) answer a plain error without `lines`, which broke the declared schema."""
    spec = await document(api)
    token, profile = await sign_in(api, "083-333-3333")  # the seeded teacher
    college = profile["college"]["id"]
    boundary = "0d37f771f3609e9baf6be26654101f5f"
    answer = await api.post(f"/colleges/{college}/students/import", headers={
        **bearer(token), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=f"--{boundary}\r\nTrue--{boundary}--\r\n".encode())
    assert answer.status_code == 400 and "lines" not in answer.json()["error"], answer.text
    assert_declared(spec, "post", "/colleges/{college_id}/students/import", answer)
    refused = await api.post(f"/colleges/{college}/students/import", headers=bearer(token),
                             files={"file": ("s.csv", b"phone,name\nnot-a-phone,\n", "text/csv")})
    assert refused.status_code == 400 and refused.json()["error"]["lines"], refused.text
    assert_declared(spec, "post", "/colleges/{college_id}/students/import", refused)


async def test_a_422_is_declared_in_the_shape_the_backend_sends(api: httpx.AsyncClient) -> None:
    """FastAPI declared its own `{"detail": [...]}` for 422 while the backend answers `{"error": {..., "fields"}}`;
    with nothing required in FastAPI's shape, the fuzzer could not see it, but the app parses the real one."""
    spec = await document(api)
    declared = {f"{m.upper()} {p}": op["responses"]["422"]["content"]["application/json"]["schema"]
                for p, item in spec["paths"].items() for m, op in item.items() if "422" in op["responses"]}
    assert declared and {str(s) for s in declared.values()} == {str({"$ref": "#/components/schemas/ErrorResponse"})}
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.get("/me/notifications?limit=banana", headers=bearer(token))
    assert answer.status_code == 422 and answer.json()["error"]["fields"]["limit"]["message_th"], answer.text
    assert_declared(spec, "get", "/me/notifications", answer)


async def test_a_method_the_path_does_not_take_is_a_405_that_names_the_ones_it_takes(api: httpx.AsyncClient) -> None:
    """Every operation answered an undeclared method (TRACE, PUT on /me) with 405 "invalid input" and no Allow
    header (RFC 9110): the error handler dropped the exception's headers, and Starlette's named one route only."""
    token, _ = await sign_in(api, fresh_phone())
    for method, path, allowed in (("TRACE", "/admin/audit", "GET"), ("PUT", "/me", "DELETE, GET, PATCH"),
                                  ("DELETE", "/requests/mine", "GET")):
        answer = await api.request(method, path, headers=bearer(token))
        assert answer.status_code == 405, answer.text
        assert answer.headers["allow"] == allowed
        error = answer.json()["error"]
        assert error["code"] == "method_not_allowed" and method in error["message_en"] and method in error["message_th"]
        assert allowed in error["message_en"]



async def test_a_work_report_with_false_for_hours_is_a_422_and_keeps_the_report(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Pydantic's lax mode took `"hours": false` as 0 hours and stored it (200) over the student's report."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 1.5, "notes": "", "parts": []},
                          headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    for hours in (False, True, "2"):
        refused = await api.put(f"/requests/{rid}/report", json={"hours": hours, "notes": "", "parts": []},
                                headers=bearer(ace))
        assert refused.status_code == 422, refused.text
        assert set(refused.json()["error"]["fields"]) == {"hours"}
    refused = await api.put(f"/requests/{rid}/report", headers=bearer(ace), json={
        "hours": 1, "notes": "", "parts": [{"name": "ฟิวส์", "qty": True, "cost_baht": 10}]})
    assert refused.status_code == 422, refused.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select hours from public.job_reports where request_id = %s", [rid]).fetchone()
    assert row is not None and float(row[0]) == 1.5
    whole = await api.put(f"/requests/{rid}/report", json={"hours": 2, "notes": "", "parts": []}, headers=bearer(ace))
    assert whole.status_code == 200 and whole.json()["hours"] == 2.0, whole.text


@pytest.mark.parametrize("field, value", [("sms_fallback", 0), ("quiet_hours", "false"), ("offers_in_quiet_hours", 1)])
async def test_a_notification_switch_that_is_not_true_or_false_is_a_422(api: httpx.AsyncClient, field: str,
                                                                        value: Any) -> None:
    """`"sms_fallback": 0` was taken as false and saved (200), though the document declares a boolean."""
    token, _ = await sign_in(api, fresh_phone())
    before = (await api.get("/me/notification-settings", headers=bearer(token))).json()
    refused = await api.put("/me/notification-settings", json={field: value}, headers=bearer(token))
    assert refused.status_code == 422, refused.text
    assert set(refused.json()["error"]["fields"]) == {field}
    assert (await api.get("/me/notification-settings", headers=bearer(token))).json() == before


async def test_a_rating_or_a_consent_in_the_wrong_json_type_is_a_422(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=13.75, lon=100.5)
    refused = await api.post("/requests", json={**body, "pdpa_consent": "yes"}, headers=bearer(token))
    assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"pdpa_consent"}, refused.text
    rated = await api.post("/requests/0ad72e4f-5803-5fc2-9d07-50e177aa4d97/rate", json={"rating": "5"},
                           headers=bearer(token))
    assert rated.status_code == 422 and set(rated.json()["error"]["fields"]) == {"rating"}, rated.text


async def test_switching_off_a_student_who_holds_jobs_is_a_declared_409(app_and_clock: AppClock, area: Area) -> None:
    """A teacher switching off a student with a job in hand is refused 409 student_has_jobs; the route declared
    only 404."""
    api, _ = app_and_clock
    spec = await document(api)
    await accepted_job(api, area)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    ace = area.students["ace"][0]
    answer = await api.put(f"/supervisor/technicians/{ace}", json={"is_active": False}, headers=bearer(teacher))
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "student_has_jobs", answer.text
    assert_declared(spec, "put", "/supervisor/technicians/{student_id}", answer)
