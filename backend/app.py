"""The FastAPI application factory."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from backend.db import make_pool
from backend.direct_reads import DirectReadsMiddleware
from backend.dispatch_ticks import dispatch_ticks
from backend.edge import EdgeGuardMiddleware, EdgeMiddleware
from backend.errors import install_error_handlers
from backend.health_check import database_check
from backend.live import EventHub
from backend.logs import configure_logging
from backend.notifications.worker import delivery_worker
from backend.openapi_edges import add_edge_answers
from backend.photo_store import make_photo_store
from backend.routes import admin, auth, catalog, college, events, health, homes, me, requests, staff, work
from backend.routes import credit as credit_routes
from backend.routes import notifications as notifications_routes
from backend.services.photo_intake import photo_sweeps
from backend.settings import Settings, get_settings

# In matching order: /requests/mine (homes) must come before /requests/{request_id} (requests).
ROUTERS = (health.router, auth.router, me.router, catalog.router, homes.router, requests.router, work.router,
           events.router, college.router, admin.router, staff.router, notifications_routes.router,
           credit_routes.router)  # credit: issue 14, the job record and the student's credit

# FastAPI's built-in OpenTelemetry bridge asks on every request whether a tracer, meter or logger provider has been
# configured (provider and environment lookups: ~10 % of a worker's CPU on GET /health, py-spy). Fixit configures
# none; whoever adds OpenTelemetry turns these back on here.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class FixitAPI(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside even Starlette's ServerErrorMiddleware, so a 500 carries the request id and the security headers
        # and the unhandled-error log line names its request.
        # The hottest reads are answered just inside the edge, past FastAPI's stack (backend/direct_reads.py).
        stack = super().build_middleware_stack()
        return EdgeMiddleware(DirectReadsMiddleware(stack) if self.state.settings.direct_reads else stack)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            add_edge_answers(super().openapi())
        return super().openapi()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = make_pool(settings)
        # wait=False: the service starts (and /health answers 503) even while the database is still down.
        await pool.open(wait=False)
        app.state.pool = pool
        app.state.database_check = database_check(pool)
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
    # CORS, then query/path characters, then body limits (backend/edge.py), so the refusals at the edge still carry
    # CORS headers for a browser client.
    app.add_middleware(EdgeGuardMiddleware, cors_origins=settings.cors_origins,
                       default_limit=settings.max_body_bytes, photo_limit=settings.max_photo_body_bytes)
    install_error_handlers(app)
    for router in ROUTERS:
        include_flat(app, router)
    return app


def include_flat(app: FastAPI, router: APIRouter) -> None:
    """`app.include_router(router)` as FastAPI's earlier releases did it: each route copied onto the app's own
    router. In 0.165 an included router stays a layer of its own, and matching a request walks every route of every
    router before the one that answers, twice for that one: a route at the end of our 13 routers cost ~150 us of
    CPU a request to find, several times the whole middleware stack (issue 15, measured in-process: figures in
    bench/README.md). Flat, each route ahead of the answering one costs about 0.9 us; the OpenAPI document is the
    same (tested). Every route's router-level tags and responses are already merged into it when it is declared."""
    if router.on_startup or router.on_shutdown:  # include_router would merge these; a flat copy would lose them
        raise TypeError(f"include_flat copies routes only, not a router's startup or shutdown handlers: {router!r}")
    for route in router.routes:
        if not isinstance(route, APIRoute) or router.dependencies:
            raise TypeError(f"include_flat copies plain APIRoutes only: {route!r}")
        app.router.add_api_route(
            route.path, route.endpoint, response_model=route.response_model, status_code=route.status_code,
            tags=route.tags, dependencies=route.dependencies, summary=route.summary, description=route.description,
            response_description=route.response_description, responses=route.responses,
            deprecated=route.deprecated, methods=route.methods, operation_id=route.operation_id,
            response_model_include=route.response_model_include, response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none, include_in_schema=route.include_in_schema,
            response_class=route.response_class, name=route.name, callbacks=route.callbacks,
            openapi_extra=route.openapi_extra, generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type, max_body_size=route.max_body_size,
        )
