"""The FastAPI application factory."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from backend.body_limits import BodyLimitMiddleware
from backend.db import make_pool
from backend.dispatch_ticks import dispatch_ticks
from backend.errors import install_error_handlers
from backend.input_guard import InputGuardMiddleware
from backend.live import EventHub
from backend.logs import RequestContextMiddleware, configure_logging
from backend.notifications.worker import delivery_worker
from backend.photo_store import make_photo_store
from backend.routes import admin, auth, catalog, college, events, health, homes, me, requests, staff, work
from backend.routes import credit as credit_routes
from backend.routes import notifications as notifications_routes
from backend.security_headers import SecurityHeadersMiddleware
from backend.services.photo_intake import photo_sweeps
from backend.settings import Settings, get_settings

# FastAPI's built-in OpenTelemetry bridge asks on every request whether a tracer, meter or logger provider has been
# configured (provider and environment lookups: ~10 % of a worker's CPU on GET /health, py-spy). Fixit configures
# none; whoever adds OpenTelemetry turns these back on here.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class FixitAPI(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside even Starlette's ServerErrorMiddleware, so a 500 carries the request id and the security headers
        # and the unhandled-error log line names its request.
        return RequestContextMiddleware(SecurityHeadersMiddleware(super().build_middleware_stack()))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = make_pool(settings)
        # wait=False: the service starts (and /health answers 503) even while the database is still down.
        await pool.open(wait=False)
        app.state.pool = pool
        hub = EventHub(settings.database_url)
        app.state.hub = hub
        background = [asyncio.create_task(hub.run(), name="live-events"),
                      asyncio.create_task(dispatch_ticks(pool, settings), name="dispatch-ticks"),
                      asyncio.create_task(photo_sweeps(pool, app.state.photo_store), name="photo-sweeps"),
                      asyncio.create_task(delivery_worker(pool, settings), name="notifications")]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await pool.close()

    app = FixitAPI(
        title="Fixit API",
        version="0.1.0",
        description="ช่างพันธุ์ R อาชีวะซ่อมทั่วไทย: repair requests, dispatch to vocational colleges, approval.",
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.photo_store = make_photo_store(settings)
    # Inner to outer (the last added runs first): body limits, then query/path characters, then CORS, so the
    # refusals at the edge still carry CORS headers for a browser client.
    app.add_middleware(BodyLimitMiddleware, default_limit=settings.max_body_bytes,
                       photo_limit=settings.max_photo_body_bytes)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    install_error_handlers(app)
    routers = (health.router, auth.router, me.router, catalog.router, homes.router, requests.router, work.router,
               events.router, college.router, admin.router, staff.router,
               notifications_routes.router)
    for router in routers:
        app.include_router(router)
    app.include_router(credit_routes.router)  # issue 14: the job record and the student's credit
    return app
