"""A refusal's words say what the person can act on, in their own language (audit18d's findings 3, 10, 15): the
example a text gives is one the rule accepts, a limit's refusal names the limit from shared/, and a Thai reader never
reads pydantic's English."""

import json
import re
from pathlib import Path

import pytest

import shared.text
from shared.credit import FAULT_MAX, PART_NOTE_MAX, PARTS_PER_JOB_MAX
from shared.text import Bilingual, error_text

SKILL_EXAMPLE = re.compile(r"\b([a-z_]+):\d\b")


def _catalog() -> dict[str, Bilingual]:
    """The catalog's sentences that a person reads as they are (the error texts and the app's), by table[key]."""
    return {f"{name}[{key}]": text for name in ("ERRORS", "UI", "APP_UI")
            for key, text in getattr(shared.text, name).items()}


def test_every_skill_example_names_a_real_skill() -> None:
    """ERRORS skill_format_invalid said 'เช่น electrical:3 / e.g. electrical:3': electrical is no skill code
    (electrical_appliance is), so the teacher who copied the example got skill_unknown."""
    seeded = json.loads(Path("assets/seed/categories.json").read_text(encoding="utf-8"))
    skills = {skill["code"] for skill in seeded["skills"]}
    examples = {(where, code) for where, text in _catalog().items() for side in (text.th, text.en)
                for code in SKILL_EXAMPLE.findall(side)}
    assert ("APP_UI[import_students_hint]", "electrical_appliance") in examples  # the scan sees the examples
    assert ("ERRORS[skill_format_invalid]", "electrical_appliance") in examples
    assert {(where, code) for where, code in examples if code not in skills} == set()


# Each refusal of a limit, and the limit in shared/ that refuses it (a 31st proposed part, a fault found of 501
# characters, a phone note of 301).
LIMITS: dict[str, int] = {
    "parts_too_many": PARTS_PER_JOB_MAX,
    "outcome_fault_too_long": FAULT_MAX,
    "part_note_too_long": PART_NOTE_MAX,
}


@pytest.mark.parametrize("code", sorted(LIMITS))
def test_a_limit_refusal_says_the_limit(code: str) -> None:
    """parts_too_many 'มีรายการอะไหล่มากเกินไป', outcome_fault_too_long and part_note_too_long refused without the
    number (30, 500, 300) that report_too_long, comment_too_long and team_task_too_long each say."""
    said = error_text(code)
    assert str(LIMITS[code]) in said.th and str(LIMITS[code]) in said.en, said
