"""The duplicate hint ("someone near you already asked") says how many, never where: its answers depend on the cells
alone, so no series of questions locates another person's request more closely than its grid cell (audit15a)."""

import math

import httpx

from shared.aftercare import DUPLICATE_CELL_DEG, duplicate_cell
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance."""
    dlat, dlon = math.radians(b[0] - a[0]), math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(math.radians(a[0])) * math.cos(math.radians(b[0])) * math.sin(dlon / 2) ** 2
    return 6371000.0 * 2 * math.asin(math.sqrt(h))


async def test_the_duplicate_hint_locates_nobody_more_closely_than_the_cell(api: httpx.AsyncClient) -> None:
    # A home visit asked from an out-of-the-way place (Tak: no other test's request is near it), 63 m from the centre
    # of its grid cell. shared/aftercare.py promises that no series of questions locates it more closely than that
    # cell (about 110 m across).
    home = (17.1013436, 98.6084743)
    owner, _ = await sign_in(api, fresh_phone())
    made = await api.post("/requests", json=draft(lat=home[0], lon=home[1], service_place="home"),
                          headers=bearer(owner))
    assert made.status_code == 201, made.text
    # Another person asks about the 7 x 7 cells around it, each a yes (counted) or a no.
    prober, _ = await sign_in(api, fresh_phone())
    centre = duplicate_cell(*home)
    answers: dict[tuple[float, float], bool] = {}
    for i in range(-3, 4):
        for j in range(-3, 4):
            cell = (round(centre[0] + i * DUPLICATE_CELL_DEG, 6), round(centre[1] + j * DUPLICATE_CELL_DEG, 6))
            asked = await api.get("/requests/duplicates", params={"category_code": "appliance", "lat": cell[0],
                                                                  "lon": cell[1]}, headers=bearer(prober))
            assert asked.status_code == 200, asked.text
            answers[cell] = asked.json()["count"] > 0
    counted = [cell for cell, seen in answers.items() if seen]
    assert counted
    # The middle of the cells that counted it: no more than what anyone may ask, and no model of the answer needed.
    estimate = (sum(c[0] for c in counted) / len(counted), sum(c[1] for c in counted) / len(counted))
    # The cell's centre is 63 m from the home: an answer that depends on the cell alone cannot do better than that.
    assert metres(estimate, home) > 40, f"located within {metres(estimate, home):.0f} m"


async def test_the_duplicate_hint_still_finds_a_neighbour_across_a_cell_edge(api: httpx.AsyncClient) -> None:
    # Two neighbours a few metres apart on either side of a cell's edge (Tak, away from other tests' requests): the
    # second is told someone near already asked, and someone a few cells away is not.
    home = (17.20048, 98.70020)
    owner, _ = await sign_in(api, fresh_phone())
    made = await api.post("/requests", json=draft(lat=home[0], lon=home[1], service_place="home"),
                          headers=bearer(owner))
    assert made.status_code == 201, made.text
    neighbour, _ = await sign_in(api, fresh_phone())

    async def count(lat: float, lon: float) -> int:
        asked = await api.get("/requests/duplicates", params={"category_code": "appliance", "lat": lat, "lon": lon},
                              headers=bearer(neighbour))
        assert asked.status_code == 200, asked.text
        return int(asked.json()["count"])

    across = (17.20052, 98.70020)
    assert duplicate_cell(*across) != duplicate_cell(*home) and metres(across, home) < 10
    assert await count(*across) == 1
    assert await count(*home) == 1
    assert await count(17.20140, 98.70110) == 1  # the diagonal neighbour cell: still "near" (~140 m)
    assert await count(17.20300, 98.70020) == 0  # three cells north, ~280 m: not counted
