import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.deps import PoolDep
from backend.schemas import DatabaseHealth, Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request, pool: PoolDep) -> JSONResponse:
    """Is the service up, and can it reach its database? 503 when it cannot (load balancers read this).
    `live_events` says whether this copy is listening for live events (it reconnects by itself)."""
    listening = request.app.state.hub.listening.is_set()
    started = time.perf_counter()
    try:
        async with pool.connection(timeout=3) as conn:
            row = await (await conn.execute("select count(*) as n from private.schema_migrations")).fetchone()
        db = DatabaseHealth(
            ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 2), migrations=row["n"] if row else 0
        )
        return JSONResponse(Health(status="ok", database=db, live_events=listening).model_dump())
    except Exception as exc:  # any failure here is a health answer, not a crash
        db = DatabaseHealth(ok=False, error=type(exc).__name__)
        return JSONResponse(Health(status="degraded", database=db, live_events=listening).model_dump(),
                            status_code=503)
