"""The OpenAPI document states the rules the services enforce, from the one place they live in shared/: each test
reads the document's constraint and compares it with the shared/ constant (so the two cannot drift), then sends a
value just past it and checks the refusal keeps the service's code (the app shows its text) and names the field.

Found by schemathesis' positive-data check: a client made from the document sent values the document allowed
(a rating of 7, a part of 1,000 pieces, an unknown outcome) and was refused."""

import json
import uuid
from typing import Any

import httpx
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from backend.app import create_app  # noqa: F401  (every route module's rules are registered on import)
from backend.errors import _rule_refusal
from backend.schemas import LINE_PATTERN, RULE_CODES, TEXT_PATTERN, StudentRegister
from shared.aftercare import RATING_MAX, RATING_MIN
from shared.categories import MAX_LEVEL, MIN_LEVEL
from shared.credit import (
    FAULT_MAX,
    OUTCOME_REASONS,
    PART_NAME_MAX,
    PART_NOTE_MAX,
    PART_PRICE_MAX,
    PART_QTY_MAX,
    PHONE_NOTE_MIN,
    PROGRESSION_JOBS_MAX,
    PROGRESSION_JOBS_MIN,
    TASK_MAX,
    TERM_RE,
    Outcome,
)
from shared.notifications import Kind, allowed_prefs
from shared.photos import AFTER_PHOTO_INDEX_MAX, MAX_PHOTOS_PER_REQUEST
from shared.request_rules import (
    ADDRESS_MAX,
    BRAND_MAX,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    ITEM_MAX,
    WEEKDAYS,
    ServicePlace,
)
from shared.text import ERRORS
from shared.visible_text import PLAIN_NAME_PATTERN
from shared.work import MAX_HOURS, MAX_PARTS, NOTES_MAX, UNREPAIRABLE_REASONS
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft

JOB = "0ad72e4f-5803-5fc2-9d07-50e177aa4d97"  # no such job: the body is judged before the job is looked up


async def _spec(api: httpx.AsyncClient) -> dict[str, Any]:
    answer = await api.get("/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _body_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    ref = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return _component(spec, ref)


def _component(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


def _present(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null choice of an optional property."""
    for option in prop.get("anyOf", [prop]):
        if option.get("type") != "null":
            return dict(option)
    raise AssertionError(prop)


def _refused(answer: httpx.Response, code: str, field: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message_th"] and error["message_en"] != error["message_th"], answer.text
    assert error["fields"][field]["code"] == code and error["fields"][field]["message_th"], answer.text


async def test_the_rating_is_documented_from_shared_and_one_past_it_is_rating_invalid(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    rating = _body_schema(spec, "post", "/requests/{request_id}/rate")["properties"]["rating"]
    assert (rating["minimum"], rating["maximum"]) == (RATING_MIN, RATING_MAX)
    token, _ = await sign_in(api, fresh_phone())
    for stars in (RATING_MIN - 1, RATING_MAX + 1):
        answer = await api.post(f"/requests/{JOB}/rate", json={"rating": stars}, headers=bearer(token))
        _refused(answer, "rating_invalid", "rating")


async def test_the_work_report_limits_are_documented_from_shared_and_refused_past_them(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    report = _body_schema(spec, "put", "/requests/{request_id}/report")["properties"]
    assert (report["hours"]["minimum"], report["hours"]["maximum"]) == (0, MAX_HOURS)
    assert report["notes"]["maxLength"] == NOTES_MAX and report["parts"]["maxItems"] == MAX_PARTS
    part = _component(spec, report["parts"]["items"]["$ref"])["properties"]
    assert part["name"]["maxLength"] == PART_NAME_MAX
    assert (part["qty"]["minimum"], part["qty"]["maximum"]) == (1, PART_QTY_MAX)
    assert (part["cost_baht"]["minimum"], part["cost_baht"]["maximum"]) == (0, PART_PRICE_MAX)
    token, _ = await sign_in(api, fresh_phone())
    url = f"/requests/{JOB}/report"
    _refused(await api.put(url, json={"hours": MAX_HOURS + 0.5}, headers=bearer(token)), "report_hours_invalid",
             "hours")
    _refused(await api.put(url, json={"hours": 1, "notes": "x" * (NOTES_MAX + 1)}, headers=bearer(token)),
             "report_too_long", "notes")
    too_many = {"hours": 1, "parts": [{"name": "fuse", "qty": 1, "cost_baht": 5}] * (MAX_PARTS + 1)}
    _refused(await api.put(url, json=too_many, headers=bearer(token)), "report_too_long", "parts")
    one_too_many = {"hours": 1, "parts": [{"name": "fuse", "qty": PART_QTY_MAX + 1, "cost_baht": 5}]}
    _refused(await api.put(url, json=one_too_many, headers=bearer(token)), "report_part_invalid", "parts.0.qty")


async def test_the_unrepairable_reasons_are_the_documented_enum(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    reason = _present(_body_schema(spec, "post", "/requests/{request_id}/status")["properties"]["reason"])
    assert reason["enum"] == list(UNREPAIRABLE_REASONS)
    status = _body_schema(spec, "post", "/requests/{request_id}/status")
    assert status["if"]["properties"]["to_status"]["const"] == "unrepairable"
    assert status["then"]["required"] == ["reason"]
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.post(f"/requests/{JOB}/status", json={"to_status": "unrepairable", "reason": "bored"},
                            headers=bearer(token))
    _refused(answer, "reason_required", "reason")


async def test_the_job_record_rules_are_documented_from_shared_credit(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    outcome = _body_schema(spec, "put", "/requests/{request_id}/outcome")["properties"]
    assert outcome["outcome"]["enum"] == [o.value for o in Outcome]
    assert _present(outcome["reason"])["enum"] == list(OUTCOME_REASONS)
    assert outcome["fault_found"]["maxLength"] == FAULT_MAX
    part = _body_schema(spec, "post", "/requests/{request_id}/parts")["properties"]
    assert part["name"]["maxLength"] == PART_NAME_MAX
    assert (part["qty"]["minimum"], part["qty"]["maximum"]) == (1, PART_QTY_MAX)
    assert (part["price_baht"]["minimum"], part["price_baht"]["maximum"]) == (0, PART_PRICE_MAX)
    note = _body_schema(spec, "post", "/requests/{request_id}/parts/{part_id}/phone-approval")["properties"]["note"]
    assert (note["minLength"], note["maxLength"]) == (PHONE_NOTE_MIN, PART_NOTE_MAX)
    assert _body_schema(spec, "post", "/requests/{request_id}/team")["properties"]["task"]["maxLength"] == TASK_MAX
    hours = _body_schema(spec, "put", "/requests/{request_id}/team/me")["properties"]
    assert _present(hours["task"])["maxLength"] == TASK_MAX
    jobs = _present(_body_schema(spec, "put", "/supervisor/credit-settings")["properties"]["progression_jobs"])
    assert (jobs["minimum"], jobs["maximum"]) == (PROGRESSION_JOBS_MIN, PROGRESSION_JOBS_MAX)
    term = next(p for p in spec["paths"]["/portfolio/{student_id}"]["get"]["parameters"] if p["name"] == "term")
    assert _present(term["schema"])["pattern"] == TERM_RE.pattern

    token, _ = await sign_in(api, fresh_phone())
    auth = bearer(token)
    _refused(await api.put(f"/requests/{JOB}/outcome", json={"outcome": "maybe"}, headers=auth), "outcome_invalid",
             "outcome")
    too_long = {"outcome": "fixed", "fault_found": "x" * (FAULT_MAX + 1)}
    _refused(await api.put(f"/requests/{JOB}/outcome", json=too_long, headers=auth), "outcome_fault_too_long",
             "fault_found")
    costly = {"name": "compressor", "qty": 1, "price_baht": PART_PRICE_MAX + 1}
    _refused(await api.post(f"/requests/{JOB}/parts", json=costly, headers=auth), "part_invalid", "price_baht")
    phone = f"/requests/{JOB}/parts/{uuid.uuid4()}/phone-approval"
    _refused(await api.post(phone, json={"note": "y" * (PART_NOTE_MAX + 1)}, headers=auth), "part_note_too_long",
             "note")
    _refused(await api.post(f"/requests/{JOB}/team", json={"technician_id": str(uuid.uuid4()),
                                                           "task": "t" * (TASK_MAX + 1)}, headers=auth),
             "team_task_too_long", "task")
    _refused(await api.put("/supervisor/credit-settings", json={"progression_jobs": PROGRESSION_JOBS_MAX + 1},
                           headers=auth), "progression_jobs_invalid", "progression_jobs")
    _refused(await api.get(f"/portfolio/{uuid.uuid4()}", params={"term": "2569-3"}, headers=auth), "term_invalid",
             "term")


async def test_texts_and_kinds_are_documented_as_the_backend_reads_them(api: httpx.AsyncClient) -> None:
    """No control characters in a text (the document's pattern), the notification kinds of shared.notifications,
    and a college's fields may be left out of a change but are never null."""
    spec = await _spec(api)
    rate = _body_schema(spec, "post", "/requests/{request_id}/rate")["properties"]
    assert rate["comment"]["pattern"] == TEXT_PATTERN
    college = _body_schema(spec, "patch", "/admin/colleges/{college_id}")["properties"]
    assert college["name_th"]["pattern"] == PLAIN_NAME_PATTERN and "anyOf" not in college["name_th"]
    assert all("anyOf" not in prop for prop in college.values()), college
    search = next(p for p in spec["paths"]["/supervisor/jobs"]["get"]["parameters"] if p["name"] == "q")
    assert _present(search["schema"])["pattern"] == LINE_PATTERN  # the edge (backend/input_guard.py) refuses them
    code = spec["paths"]["/verify/{code}"]["get"]["parameters"][0]["schema"]
    assert code["pattern"] == LINE_PATTERN
    kinds = _body_schema(spec, "put", "/me/notification-settings")["properties"]["channels"]["propertyNames"]
    assert kinds["enum"] == [k.value for k in Kind]
    per_kind = _body_schema(spec, "put", "/me/notification-settings")["properties"]["channels"]["properties"]
    assert {k: v["items"]["enum"] for k, v in per_kind.items()} == {
        k.value: [p.value for p in allowed_prefs(k)] for k in Kind}
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.post(f"/requests/{JOB}/rate", json={"rating": RATING_MAX, "comment": "ok\x07"},
                            headers=bearer(token))
    assert answer.status_code == 422 and answer.json()["error"]["fields"]["comment"]["code"] == "invalid_characters"
    searched = await api.get("/supervisor/jobs", params={"q": "fan\x08"}, headers=bearer(token))
    assert searched.status_code == 400 and searched.json()["error"]["fields"]["q"]["code"] == "invalid_characters"


def test_a_skill_level_past_the_shared_limit_names_the_skill() -> None:
    """Registering a student takes a teacher; the refusal itself is judged here from the model the route reads
    (tests/integration/test_staff_api.py sends a level of 7 through the route)."""
    levels = StudentRegister.model_json_schema()["properties"]["skills"]
    level = next(iter(levels["patternProperties"].values()))
    assert (level["minimum"], level["maximum"]) == (MIN_LEVEL, MAX_LEVEL)
    try:
        StudentRegister.model_validate({"phone": "0812345678", "skills": {"plumbing": MAX_LEVEL + 1}})
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        answer = _rule_refusal(RequestValidationError(errors))
    else:
        raise AssertionError("a level past the limit was taken")
    assert answer is not None and answer.status_code == 400
    error = json.loads(bytes(answer.body))["error"]
    assert error["code"] == "skill_level_invalid" and "plumbing" in error["message_en"]
    assert error["fields"]["skills.plumbing"]["code"] == "skill_level_invalid"


def test_two_bad_skill_levels_each_name_their_own_skill() -> None:
    """Each field's text names its own item (both named the first bad skill); the answer's own text the first."""
    try:
        StudentRegister.model_validate({"phone": "0812345678", "skills": {"plumbing": MAX_LEVEL + 1,
                                                                          "computer": MIN_LEVEL - 1}})
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        answer = _rule_refusal(RequestValidationError(errors))
    else:
        raise AssertionError("levels past the limits were taken")
    assert answer is not None and answer.status_code == 400
    error = json.loads(bytes(answer.body))["error"]
    assert error["code"] == "skill_level_invalid" and "plumbing" in error["message_en"]
    for skill in ("plumbing", "computer"):
        assert error["fields"][f"skills.{skill}"] == {
            "code": "skill_level_invalid", "message_th": ERRORS["skill_level_invalid"].th.format(skill=skill),
            "message_en": ERRORS["skill_level_invalid"].en.format(skill=skill)}


async def test_a_photo_index_is_documented_from_shared_photos(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    # An after photo's index runs over every student's work on the job (each adds theirs beside the earlier's, and
    # the record grows past them: the service judges the index against the record, the path against the column).
    for path, slots in (("/requests/{request_id}/photos/{idx}", MAX_PHOTOS_PER_REQUEST),
                        ("/requests/{request_id}/after-photos/{idx}", AFTER_PHOTO_INDEX_MAX + 1)):
        idx = next(p for p in spec["paths"][path]["put"]["parameters"] if p["name"] == "idx")["schema"]
        assert (idx["minimum"], idx["maximum"]) == (0, slots - 1)
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.put(f"/requests/{JOB}/photos/{MAX_PHOTOS_PER_REQUEST}", headers=bearer(token),
                           files={"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")})
    _refused(answer, "photo_too_many", "idx")


async def test_a_request_documents_the_rules_limits_and_keeps_the_field_messages_the_app_shows(
        api: httpx.AsyncClient) -> None:
    """The body's envelope is twice the rules' limits so that shared.request_rules answers inside it with the field
    codes the app shows; the document states the rules' own limits."""
    spec = await _spec(api)
    request = _body_schema(spec, "post", "/requests")["properties"]
    assert request["item"]["maxLength"] == ITEM_MAX and request["brand"]["maxLength"] == BRAND_MAX
    assert (request["description"]["minLength"], request["description"]["maxLength"]) == (DESCRIPTION_MIN,
                                                                                         DESCRIPTION_MAX)
    assert request["address"]["maxLength"] == ADDRESS_MAX
    assert request["service_place"]["enum"] == [p.value for p in ServicePlace]
    assert request["preferred_days"]["items"]["enum"] == list(WEEKDAYS)
    assert "database" in request["category_code"]["description"]
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.post("/requests", json=draft(description="ก" * (DESCRIPTION_MAX + 1)), headers=bearer(token))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "request_description_invalid"
    assert error["fields"]["description"]["code"] == "request_description_invalid"


def test_every_rule_code_has_its_thai_and_english_text() -> None:
    assert {"rating_invalid", "part_invalid", "term_invalid", "photo_too_many"} <= set(RULE_CODES)
    for code in RULE_CODES:
        assert code in ERRORS and ERRORS[code].th and ERRORS[code].en and ERRORS[code].th != ERRORS[code].en, code
