"""API errors: a machine code plus a Thai and an English message, always in the same JSON shape."""

import logging
from collections.abc import Mapping
from typing import Any

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from backend.schemas import RULE_CODES, validation_problems
from shared.statuses import MoveRefused
from shared.text import error_text

log = logging.getLogger("fixit.errors")


class ApiError(Exception):
    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None, **values: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.values = values
        self.headers = headers


def refusal_error(refused: MoveRefused) -> ApiError:
    """A refusal of the shared state machine as an API answer: hidden → 404, forbidden → 403, otherwise 409."""
    if refused.hidden:
        return ApiError(404, "not_found")
    return ApiError(403 if refused.forbidden else 409, refused.code, from_status=refused.from_status,
                    to_status=refused.to_status)


def error_body(code: str, fields: Mapping[str, str] | None = None,
               field_values: Mapping[str, Mapping[str, Any]] | None = None, **values: Any) -> dict[str, Any]:
    """`fields` maps an input field to its own error code, so a form can show each message by its field;
    `field_values` gives a field's text what it names (its own skill), where its code's text names something."""
    text = error_text(code, **values)
    body: dict[str, Any] = {"code": code, "message_th": text.th, "message_en": text.en}
    if fields:
        field_texts = {name: error_text(c, **(field_values or {}).get(name, {})) for name, c in fields.items()}
        body["fields"] = {
            name: {"code": c, "message_th": field_texts[name].th, "message_en": field_texts[name].en}
            for name, c in fields.items()
        }
    return {"error": body}


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", "")))
    return "; ".join(parts)


_HTTP_CODES = {401: "not_authenticated", 403: "forbidden_role", 404: "not_found"}


def _method_not_allowed(app: FastAPI, request: Request) -> JSONResponse:
    """405 with the Allow header RFC 9110 asks for. Starlette's own names only the first route on the path, and a
    path such as /me has a route per method, so every route on the path is asked."""
    allowed: set[str] = set()
    for route in app.router.routes:
        if route.matches(request.scope)[0] != Match.NONE:
            allowed |= getattr(route, "methods", None) or set()
    listed = ", ".join(sorted(allowed))
    return JSONResponse(error_body("method_not_allowed", method=request.method, allowed=listed), status_code=405,
                        headers={"Allow": listed})


def _rule_values(err: Mapping[str, Any]) -> dict[str, str]:
    """What the text of a rule's refusal names: a dictionary's value (a skill's level) is named by its own key,
    the last part of the error's `loc`. Nothing for another rule or another error."""
    key_value = RULE_CODES.get(str(err.get("type")))
    return {} if key_value is None else {key_value: str(err.get("loc", ("",))[-1])}


def _fields(errors: list[Any]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """`error_body`'s `fields` and `field_values`: each field's own code, and what its own text names (with two
    bad skills, each field names its own skill)."""
    problems = validation_problems(errors)
    return ({name: code for name, (code, _) in problems.items()},
            {name: _rule_values(err) for name, (_, err) in problems.items()})


def _rule_refusal(exc: RequestValidationError) -> JSONResponse | None:
    """A body refused only by rules of shared/ that the schema declares (backend.schemas.rule) gets the answer the
    service gave before the rule was in the schema: 400 with the rule's code, which the app shows, and the field."""
    errors = exc.errors()
    codes = [str(err.get("type")) for err in errors]
    if not errors or any(code not in RULE_CODES for code in codes):
        return None
    fields, field_values = _fields(list(errors))
    body = error_body(codes[0], fields, field_values, **_rule_values(errors[0]))
    body["error"].setdefault("fields", {})
    return JSONResponse(body, status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, **exc.values), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        ruled = _rule_refusal(exc)
        if ruled is not None:
            return ruled
        fields, field_values = _fields(list(exc.errors()))
        return JSONResponse(
            error_body("validation_failed", fields=fields or None, field_values=field_values,
                       detail=_describe_validation(exc)),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 405:
            return _method_not_allowed(app, request)
        code = _HTTP_CODES.get(exc.status_code, "validation_failed" if exc.status_code < 500 else "internal_error")
        values: dict[str, Any] = {"detail": str(exc.detail)} if code == "validation_failed" else {}
        # The exception's own headers (a 401's WWW-Authenticate) are part of the answer.
        return JSONResponse(error_body(code, **values), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(psycopg_pool.PoolTimeout)
    @app.exception_handler(psycopg.OperationalError)
    async def _db_down(_: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return JSONResponse(error_body("database_unavailable"), status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error"), status_code=500)
