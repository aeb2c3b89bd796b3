from fastapi import APIRouter

from backend.db import anon_tx
from backend.deps import PoolDep
from backend.schemas import CategoryOut, CollegeOut
from backend.services import catalog

router = APIRouter(tags=["catalog"])


@router.get("/categories", response_model=list[CategoryOut])
async def categories(pool: PoolDep) -> list[CategoryOut]:
    """Repair categories with the skills a technician needs for each (public)."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_categories(conn)
    return [CategoryOut.model_validate(r) for r in rows]


@router.get("/colleges", response_model=list[CollegeOut])
async def colleges(pool: PoolDep) -> list[CollegeOut]:
    """Active Fixit Centers (colleges). Coordinates may be approximate: see `coordinates_approximate`."""
    async with anon_tx(pool) as conn:
        rows = await catalog.list_colleges(conn)
    return [CollegeOut.model_validate(r) for r in rows]
