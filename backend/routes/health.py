from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    """Is the service up, and can it reach its database? 503 when it cannot (load balancers read this).
    `live_events` says whether this copy is listening for live events (it reconnects by itself). The database is
    asked after the call arrived; calls that arrive together share one such check (backend/health_check.py)."""
    listening = request.app.state.hub.listening.is_set()
    db = await request.app.state.database_check()
    return JSONResponse(Health(status="ok" if db.ok else "degraded", database=db, live_events=listening).model_dump(),
                        status_code=200 if db.ok else 503)
