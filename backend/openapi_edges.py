"""Answers any operation can give that no route declares, added to the OpenAPI document so that it says what the
backend really sends (a property-based fuzz of the API from its own document found them undeclared on most routes).

- 400: the edge refuses a control character in the path or query (backend/input_guard.py), and FastAPI refuses a
  body that is not JSON at all, before any route runs; an input that breaks a rule of shared/ the schema states
  (backend.schemas.rule: a rating past 1–5, an unknown outcome) is a 400 with that rule's own code and the field;
- 401, 403: every signed-in route checks the token and then the profile behind it (gone, suspended) the same way;
- 413: every route with a body has a size limit (backend/body_limits.py);
- 503: every route that reads the database answers it while the database is down (backend/errors.py);
- a path or query text: the same edge refuses control characters in it, so its schema states LINE_PATTERN (as the
  bodies' `Line` does) unless it has a pattern, format or enumeration of its own;
- 422: FastAPI declares its own `{"detail": [...]}` shape, but backend/errors.py answers in the shape of every other
  error (`ErrorResponse`, with `fields`), so the declaration is replaced.
"""

from typing import Any

from backend.schemas import LINE_PATTERN

_WHY = {
    "400": "A control character in the path or query, a body that is not JSON, or an input past a rule the schema "
           "states (the rule's own code, the field named)",
    "401": "No valid sign-in",
    "403": "Not allowed: the wrong role, or no usable profile behind the sign-in",
    "413": "The body is larger than this route takes",
    "503": "The database is unavailable; try again after Retry-After",
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}


def add_edge_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """The document with the answers above on each operation that does not declare them yet (in place)."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            statuses = ["400", "503"]
            if operation.get("security"):
                statuses += ["401", "403"]
            if "requestBody" in operation:
                statuses.append("413")
            for status in statuses:
                responses.setdefault(status, {"description": _WHY[status], "content": _ERROR})
            if "422" in responses:
                responses["422"]["content"] = _ERROR
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query"):
                    _no_control_characters(parameter.get("schema", {}))
    return schema


def _no_control_characters(schema: dict[str, Any]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and not {"pattern", "format", "enum"} & set(option):
            option["pattern"] = LINE_PATTERN
