"""Repair categories and the technician skills each needs."""

from collections.abc import Mapping
from dataclasses import dataclass

MIN_LEVEL, MAX_LEVEL = 1, 5


def level_valid(level: int) -> bool:
    """A skill level a student may hold (and a category may ask for)."""
    return MIN_LEVEL <= level <= MAX_LEVEL


@dataclass(frozen=True)
class SkillNeed:
    skill: str
    min_level: int


@dataclass(frozen=True)
class Category:
    code: str
    name_th: str
    name_en: str
    icon: str
    needs: tuple[SkillNeed, ...]


def fitting_skills(category: Category, technician_skills: Mapping[str, int]) -> list[SkillNeed]:
    """The category's needs that a technician with `technician_skills` (skill -> level) meets."""
    return [need for need in category.needs if technician_skills.get(need.skill, 0) >= need.min_level]


def fits(category: Category, technician_skills: Mapping[str, int]) -> bool:
    """A technician fits a category when they meet at least one of its skill needs."""
    return bool(fitting_skills(category, technician_skills))


def skill_score(category: Category, technician_skills: Mapping[str, int]) -> int:
    """The best level the technician brings to this category (0 when they do not fit)."""
    return max((technician_skills[n.skill] for n in fitting_skills(category, technician_skills)), default=0)
