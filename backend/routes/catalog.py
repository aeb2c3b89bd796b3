from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import TypeAdapter

from backend.db import anon_tx
from backend.deps import PoolDep
from backend.services import catalog
from shared.wire import Category, College

router = APIRouter(tags=["catalog"])

# How FastAPI wrote the route's answer before it carried an ETag (its response field's JSON dump, by alias): the
# same bytes, so the tag is the body's.
_CATEGORIES_JSON = TypeAdapter(list[Category])
_ETAG_DOC = {"description": "The catalogue's version, derived from its content (the same from every backend copy): "
                            "send it back as `If-None-Match`", "schema": {"type": "string"}}


@router.get("/categories", response_model=list[Category],
            responses={200: {"headers": {"ETag": _ETAG_DOC}},
                       304: {"description": "Not Modified: the catalogue is still the one `If-None-Match` names "
                                            "(no body)", "headers": {"ETag": _ETAG_DOC}}})
async def categories(pool: PoolDep, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Repair categories with the skills a technician needs for each (public). The app keeps the list and asks again
    with its `ETag` in `If-None-Match`: an unchanged catalogue answers 304 with no body, a changed one (an
    administrator's edit) the new list."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_categories(conn)
    body = _CATEGORIES_JSON.dump_json([Category.model_validate(r) for r in rows], by_alias=True)
    etag = catalog.etag_of(body)
    headers = {"ETag": etag, "Cache-Control": catalog.REVALIDATE}
    if catalog.etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/colleges", response_model=list[College])
async def colleges(pool: PoolDep) -> list[College]:
    """Active Fixit Centers (colleges). Coordinates may be approximate: see `coordinates_approximate`."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_colleges(conn)
    return [College.model_validate(r) for r in rows]
