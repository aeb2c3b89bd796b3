import math
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from backend.auth.tokens import Identity, InvalidToken, NotAPhoneAccount, phone_sign_in_required, verify_token
from backend.db import user_tx
from backend.deps import PoolDep, SettingsDep, bearer_scheme
from backend.errors import ApiError
from backend.live import PING, EventHub, Viewer, sse_stream
from backend.schemas import ErrorResponse
from backend.services.profiles import load_profile

router = APIRouter(tags=["live"])


def _identity(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> Identity:
    """The caller, from the Authorization header only. Never from the URL (`?access_token=`): a URL is written down
    by whatever logs URLs between the browser and the API (a load balancer's or CDN's access log, a proxy, the
    browser's history), where no redaction of ours reaches, and the app sends the header (mobile/live.py)."""
    if not credentials:
        raise ApiError(401, "not_authenticated")
    try:
        return verify_token(settings, credentials.credentials)
    except NotAPhoneAccount as exc:
        raise phone_sign_in_required() from exc
    except InvalidToken as exc:
        raise ApiError(401, "token_invalid") from exc


@router.get("/events", response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {}}, "description": "`event: request|offer` with JSON data"},
    401: {"model": ErrorResponse},
})
async def events(
    request: Request, identity: Annotated[Identity, Depends(_identity)], pool: PoolDep
) -> StreamingResponse:
    """Server-Sent Events: status changes and offers the caller may see, as they are committed. The stream ends
    when the caller's role or college changes (the app reconnects at once, scoped anew)."""
    hub: EventHub = request.app.state.hub
    since = hub.changes  # before the role and college are read: a change in between ends the stream at once
    async with user_tx(pool, identity.claims) as conn:
        profile = await load_profile(conn, identity.user_id)
    college = profile["college"]["id"] if profile["college"] else None
    viewer = Viewer(str(identity.user_id), str(profile["role"]), str(college) if college else None)
    # The token is checked once, here; the stream ends at its expiry (seen at a ping), at the account's
    # suspension or deletion and at a change of its role or college (announced to every backend copy: live.py).
    expires = float(identity.claims.get("exp") or math.inf)

    async def stream() -> AsyncIterator[bytes]:
        with hub.subscribe(viewer, since) as sub:
            async for chunk in sse_stream(sub, request.app.state.settings.sse_ping_seconds):
                # Starlette's StreamingResponse ends the stream when the client goes (ASGI < 2.4) or the next send
                # fails (2.4); asking on every event as well cost a cancel scope per delivery, so only on pings.
                if chunk is PING and (time.time() >= expires or await request.is_disconnected()):
                    break  # gone, or the token ran out: the app reconnects with its refreshed one
                yield chunk

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
