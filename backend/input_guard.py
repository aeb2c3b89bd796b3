"""Query strings and paths at the edge: no control characters, text NFC-normalised, before any route sees them.

A NUL in a query parameter used to reach PostgreSQL (which cannot store it) and end in a 500. Bodies are guarded
by their schemas (backend/schemas.py `Line`/`Text`); this middleware covers what no schema describes.
"""

import unicodedata
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.errors import error_body


def has_control_characters(text: str) -> bool:
    """C0/C1 control characters and DEL: never part of a query value, a path or a one-line text."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _printable(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable())[:40] or "query"


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        raw_query: bytes = scope.get("query_string", b"")
        # Most requests: a printable ASCII path and no query. Nothing in them can be a control character or change
        # under NFC, so the character-by-character check below is skipped (issue 15: per-request cost).
        if not raw_query and path.isascii() and path.isprintable():
            await self.app(scope, receive, send)
            return
        bad_field: str | None = None
        if has_control_characters(path):
            bad_field = "path"
        pairs = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True)
        if bad_field is None:
            for key, value in pairs:
                if has_control_characters(key) or has_control_characters(value):
                    bad_field = _printable(key)
                    break
        if bad_field is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            response = JSONResponse(error_body("invalid_characters", fields={bad_field: "invalid_characters"}),
                                    status_code=400)
            await response(scope, receive, send)
            return
        normalised = [(unicodedata.normalize("NFC", k), unicodedata.normalize("NFC", v)) for k, v in pairs]
        if normalised != pairs:
            scope = dict(scope, query_string=urlencode(normalised).encode("ascii"))
        await self.app(scope, receive, send)
