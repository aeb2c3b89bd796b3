from fastapi import APIRouter

from backend.db import anon_tx
from backend.deps import PoolDep
from backend.services import catalog
from shared.wire import Category, College

router = APIRouter(tags=["catalog"])


@router.get("/categories", response_model=list[Category])
async def categories(pool: PoolDep) -> list[Category]:
    """Repair categories with the skills a technician needs for each (public)."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_categories(conn)
    return [Category.model_validate(r) for r in rows]


@router.get("/colleges", response_model=list[College])
async def colleges(pool: PoolDep) -> list[College]:
    """Active Fixit Centers (colleges). Coordinates may be approximate: see `coordinates_approximate`."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_colleges(conn)
    return [College.model_validate(r) for r in rows]
