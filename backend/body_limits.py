"""Request body limits, enforced before the body is read.

A declared Content-Length above the route's limit is refused with 413 at once: the route never runs, nothing is
spooled to disk and (with `Expect: 100-continue`) the client is never asked to send the body. Bodies without a
Content-Length (chunked) are counted as they stream in and cut off at the limit.
"""

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import error_body
from shared.asgi import OneScopeMiddleware, app_path, header

# The two photo upload routes: PUT /requests/{id}/photos/{idx} and PUT /requests/{id}/after-photos/{idx}.
_PHOTO_UPLOAD = re.compile(r"/requests/[^/]+/(?:photos|after-photos)/[^/]+/?")


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes the limit; the middleware answers 413 instead."""


def limit_for(method: str, path: str, default_limit: int, photo_limit: int) -> int:
    if method == "PUT" and _PHOTO_UPLOAD.fullmatch(path):
        return photo_limit
    return default_limit


class MalformedLength(Exception):
    """A Content-Length that is not a number of ASCII digits ("²", "-1", "1e3"): answered 400, never read."""


_DIGITS = re.compile(r"[0-9]+")


def declared_length(scope: Scope) -> int | None:
    """The declared body length; None without one; `MalformedLength` for one that is not ASCII digits (str.isdigit
    also accepts "²" or "๕", which int() then refuses or reads as a number the client never meant)."""
    value = header(scope, b"content-length")
    if value is None:
        return None
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        raise MalformedLength(value)
    return int(value)


def too_large_response(limit: int) -> JSONResponse:
    return JSONResponse(error_body("body_too_large", limit_kib=limit // 1024), status_code=413,
                        headers={"Connection": "close"})


class BodyLimitMiddleware(OneScopeMiddleware):
    def __init__(self, app: ASGIApp, *, default_limit: int, photo_limit: int) -> None:
        super().__init__(app)
        self.default_limit = default_limit
        self.photo_limit = photo_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = limit_for(scope["method"], app_path(scope), self.default_limit, self.photo_limit)
        try:
            declared = declared_length(scope)
        except MalformedLength:
            await JSONResponse(error_body("content_length_invalid"), status_code=400,
                               headers={"Connection": "close"})(scope, receive, send)
            return
        if declared is not None and declared > limit:
            await too_large_response(limit)(scope, receive, send)
            return
        if declared is not None or header(scope, b"transfer-encoding") is None:
            # The server delivers at most the declared length (here within the limit), and no body at all without
            # a length or a transfer coding (most GETs): nothing to count, so no wrapper per request (issue 15).
            await self.app(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def refuse() -> None:
            nonlocal refused, response_started
            refused = response_started = True
            await too_large_response(limit)(scope, receive, send)

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                # The app turned the cut-off body into an answer of its own (e.g. 400): answer 413 instead.
                await refuse()
                return
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await refuse()
