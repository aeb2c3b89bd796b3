"""The app's routes copied flat onto its own router (backend/app.py `include_flat`, issue 15) are what FastAPI's
`include_router` makes of the same routers: the same OpenAPI document, the same routes in the same matching order,
dependency overrides still honoured."""

from datetime import UTC, datetime
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute, APIRouter
from pydantic import SecretStr

from backend.app import ROUTERS, create_app, include_flat
from backend.openapi_edges import add_edge_answers
from backend.settings import Settings

SETTINGS = Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none")


def included_app(app: FastAPI) -> FastAPI:
    reference = FastAPI(title=app.title, version=app.version, description=app.description)
    for router in ROUTERS:
        reference.include_router(router)
    return reference


def test_the_openapi_document_is_what_include_router_gives() -> None:
    app = create_app(SETTINGS)
    assert app.openapi() == add_edge_answers(included_app(app).openapi())


def test_every_route_is_on_the_apps_own_router_in_the_routers_order() -> None:
    routes = [r for r in create_app(SETTINGS).router.routes if isinstance(r, APIRoute)]
    expected = [(r.path, r.methods, r.name) for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert [(r.path, r.methods, r.name) for r in routes] == expected
    paths = [r.path for r in routes]
    assert paths.index("/requests/mine") < paths.index("/requests/{request_id}")


async def test_dependency_overrides_reach_the_copied_routes() -> None:
    router = APIRouter(prefix="/clock", tags=["clock"])

    def now() -> datetime:
        return datetime(2000, 1, 1, tzinfo=UTC)

    @router.get("", responses={418: {"description": "a teapot"}})
    async def clock(when: Annotated[datetime, Depends(now)]) -> dict[str, str]:
        return {"now": when.isoformat()}

    app = FastAPI()
    include_flat(app, router)
    app.dependency_overrides[now] = lambda: datetime(2030, 6, 1, tzinfo=UTC)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/clock")
    assert answer.json() == {"now": "2030-06-01T00:00:00+00:00"}
    assert app.openapi()["paths"]["/clock"]["get"]["tags"] == ["clock"]
    assert "418" in app.openapi()["paths"]["/clock"]["get"]["responses"]


def test_a_router_with_dependencies_of_its_own_is_refused() -> None:
    router = APIRouter(dependencies=[Depends(lambda: None)])

    @router.get("/x")
    async def x() -> None:
        return None

    try:
        include_flat(FastAPI(), router)
    except TypeError as exc:
        assert "/x" in str(exc)
    else:
        raise AssertionError("a router-level dependency would have been dropped silently")
