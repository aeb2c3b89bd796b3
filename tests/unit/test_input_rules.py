"""The edge's input rules without a database: text types, field codes, the query/path guard, body limits."""

import json
import typing
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, ValidationError
from starlette.types import Receive, Scope, Send

from backend import schemas
from backend.body_limits import BodyLimitMiddleware, limit_for
from backend.input_guard import InputGuardMiddleware
from backend.routes import admin, auth, catalog, college, events, health, homes, me, requests, work
from backend.schemas import JobReportIn, PartIn, RequestCreate, StudentUpdate, clean_text, validation_fields
from backend.settings import Settings
from shared.photos import MAX_INPUT_BYTES
from shared.request_rules import ITEM_MAX
from shared.text import ERRORS

ROUTERS = (admin, auth, catalog, college, events, health, homes, me, requests, work)


def request_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"idempotency_key": "6f1c3a52-8a3e-4c41-9c55-1d7a3c1d2b10", "category_code": "appliance",
                            "item": "พัดลม", "description": "ไม่หมุน", "contact_phone": "0812345678"}
    return {**body, **overrides}


def field_codes(model: type[BaseModel], data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return validation_fields(caught.value.errors())


def test_text_is_nfc_normalised_before_its_length_is_checked() -> None:
    # 2 × ITEM_MAX code points composed are 4 × ITEM_MAX as sent: within the envelope only once normalised.
    envelope = 2 * ITEM_MAX
    assert RequestCreate.model_validate(request_body(item="e\u0301" * envelope)).item == "\u00e9" * envelope
    assert field_codes(RequestCreate, request_body(item="e\u0301" * (envelope + 1))) == {"item": "text_too_long"}
    assert RequestCreate.model_validate(request_body(brand="Cafe\u0301")).brand == "Caf\u00e9"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\x85", "\t", "\n", "\ud800"])
def test_one_line_fields_refuse_control_characters(bad: str) -> None:
    assert field_codes(RequestCreate, request_body(item=f"a{bad}b")) == {"item": "invalid_characters"}


def test_multi_line_fields_keep_line_breaks_and_tabs_only() -> None:
    body = RequestCreate.model_validate(request_body(description="a\r\nb\rc\td", address="1/2\nซอย 3"))
    assert body.description == "a\nb\nc\td" and body.address == "1/2\nซอย 3"
    assert field_codes(RequestCreate, request_body(description="a\x00b")) == {"description": "invalid_characters"}
    assert field_codes(JobReportIn, {"hours": 1, "notes": "\x0c"}) == {"notes": "invalid_characters"}


def test_numbers_must_be_finite() -> None:
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = json.loads(f'{{"lat": {literal}}}')  # what FastAPI's JSON parser makes of it
        assert field_codes(RequestCreate, request_body(**raw)) == {"lat": "number_not_finite"}
    assert field_codes(JobReportIn, {"hours": float("inf")}) == {"hours": "number_not_finite"}
    assert field_codes(PartIn, {"name": "x", "qty": 1, "cost_baht": float("nan")}) == {"cost_baht": "number_not_finite"}
    assert RequestCreate.model_validate(request_body(lat=13.75, lon=100.5)).lat == 13.75


def test_field_codes_name_nested_fields_and_never_echo_control_characters() -> None:
    codes = field_codes(JobReportIn, {"hours": 1, "parts": [{"name": "a\x00", "qty": 1, "cost_baht": 1}]})
    assert codes == {"parts.0.name": "invalid_characters"}
    assert field_codes(StudentUpdate, {"skills": {"elec\x00trical": 3}}) == {"skills.[key]": "invalid_characters"}
    # Unknown problems get a code whose message needs no values; every code is in the catalog.
    assert field_codes(RequestCreate, request_body(pdpa_consent="maybe")) == {"pdpa_consent": "invalid_value"}
    whole_body: list[dict[str, Any]] = [{"type": "json_invalid", "loc": ("body", 12)},
                                        {"type": "missing", "loc": ("body",)}]
    assert validation_fields(whole_body) == {}
    for code in ("invalid_characters", "text_too_long", "number_not_finite", "invalid_value", "body_too_large"):
        assert code in ERRORS and "{" not in ERRORS[code].th.replace("{limit_kib}", ""), code


def test_clean_text_leaves_other_types_to_the_schema() -> None:
    assert clean_text(5) == 5 and clean_text(None) is None


def _text_annotations(annotation: Any) -> list[Any]:
    """Every `str` inside an annotation (list items, dict keys and values, optionals), with its metadata."""
    found: list[Any] = []
    if annotation is str:
        found.append(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base = typing.get_args(annotation)[0]
        if base is str:
            found.append(annotation)
        else:
            found.extend(_text_annotations(base))
    elif origin is not None:
        for arg in typing.get_args(annotation):
            found.extend(_text_annotations(arg))
    return found


GUARDS = {schemas._clean_line, schemas._clean_multiline, schemas._clean_name}


def _validators(annotation: Any) -> set[Any]:
    meta = typing.get_args(annotation)[1:] if typing.get_origin(annotation) is typing.Annotated else ()
    return {m.func for m in meta if isinstance(m, BeforeValidator)}


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_every_text_field_of_every_request_body_is_guarded() -> None:
    """A new body field typed plain `str` would skip NFC and the control-character check: this fails then."""
    bodies: set[type[BaseModel]] = set()
    for module in ROUTERS:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for param in route.dependant.body_params:
                bodies.update(_models(param.field_info.annotation))
    assert {RequestCreate, JobReportIn, StudentUpdate} <= bodies
    seen: set[type[BaseModel]] = set()
    todo = list(bodies)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        hints = typing.get_type_hints(model, include_extras=True)
        for name in model.model_fields:
            for text in _text_annotations(hints[name]):
                assert GUARDS & _validators(text), f"{model.__name__}.{name} is a plain str"
            todo.extend(_models(hints[name]))


# --- the query/path guard and the body limits, on a tiny app that echoes what reached it ---------------------


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    payload = json.dumps({"query": scope["query_string"].decode(), "bytes": len(body)}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge.test")


async def test_the_guard_normalises_query_values_and_refuses_control_characters() -> None:
    async with client(InputGuardMiddleware(echo)) as api:
        decomposed = await api.get("/x", params={"q": "Cafe\u0301", "n": "1"})
        assert decomposed.status_code == 200
        assert httpx.QueryParams(decomposed.json()["query"])["q"] == "Caf\u00e9"
        untouched = await api.get("/x?a=1+2&b=%2F")
        assert untouched.json()["query"] == "a=1+2&b=%2F"  # already NFC: passed on byte for byte
        for url in ("/x?q=a%00b", "/x?q=%0d%0aSet-Cookie", "/x?a%01=1", "/a%00b", "/a%7fb"):
            refused = await api.get(url)
            assert refused.status_code == 400, url
            assert refused.json()["error"]["code"] == "invalid_characters"


def test_photo_routes_get_the_photo_limit() -> None:
    settings = Settings()
    assert settings.max_photo_body_bytes == MAX_INPUT_BYTES + 64 * 1024 and settings.max_body_bytes == 64 * 1024
    assert limit_for("PUT", "/requests/abc/photos/0", 1, 2) == 2
    assert limit_for("PUT", "/requests/abc/after-photos/4", 1, 2) == 2
    assert limit_for("POST", "/requests/abc/photos/0", 1, 2) == 1
    assert limit_for("PUT", "/requests/abc/report", 1, 2) == 1
    assert limit_for("PUT", "/requests/abc/photos/0/extra", 1, 2) == 1


async def test_bodies_within_the_limit_pass_and_larger_ones_stop_at_it() -> None:
    app = BodyLimitMiddleware(echo, default_limit=1000, photo_limit=5000)
    async with client(app) as api:
        assert (await api.post("/x", content=b"a" * 1000)).json()["bytes"] == 1000
        assert (await api.put("/requests/r/photos/1", content=b"a" * 4000)).json()["bytes"] == 4000
        declared = await api.post("/x", content=b"a" * 1001)
        assert declared.status_code == 413 and declared.json()["error"]["code"] == "body_too_large"

        pulled = 0

        async def stream() -> Any:
            nonlocal pulled
            for _ in range(100):
                pulled += 100
                yield b"a" * 100

        chunked = await api.post("/x", content=stream())
        assert chunked.status_code == 413 and pulled <= 1100
