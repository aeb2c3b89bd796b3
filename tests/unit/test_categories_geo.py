import json
from pathlib import Path

from shared.categories import Category, SkillNeed, fits, skill_score
from shared.geo import Point, distance_km, in_thailand

APPLIANCE = Category("appliance", "เครื่องใช้ไฟฟ้า", "Household appliances", "KITCHEN",
                     (SkillNeed("electrical_appliance", 1), SkillNeed("electronics", 2)))


def test_a_technician_fits_when_one_need_is_met() -> None:
    assert fits(APPLIANCE, {"electrical_appliance": 1})
    assert fits(APPLIANCE, {"electronics": 2})
    assert not fits(APPLIANCE, {"electronics": 1, "plumbing": 5})
    assert skill_score(APPLIANCE, {"electrical_appliance": 2, "electronics": 4}) == 4
    assert skill_score(APPLIANCE, {}) == 0


def test_seed_categories_reference_known_skills() -> None:
    data = json.loads((Path(__file__).parents[2] / "assets/seed/categories.json").read_text(encoding="utf-8"))
    skills = {s["code"] for s in data["skills"]}
    for category in data["categories"]:
        assert category["skills"], category["code"]
        assert {need["skill"] for need in category["skills"]} <= skills


def test_distances_and_bounds() -> None:
    bangkok, chiang_mai = Point(13.7563, 100.5018), Point(18.7883, 98.9853)
    assert 575 < distance_km(bangkok, chiang_mai) < 595  # ~584 km (PostGIS/earthdistance agree)
    assert in_thailand(bangkok.lat, bangkok.lon)
    assert not in_thailand(1.35, 103.82)  # Singapore
    assert not in_thailand(21.03, 105.85)  # Hanoi
