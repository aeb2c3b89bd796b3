"""A refusal's words say what the person can act on, in their own language (audit18d's findings 3, 10, 15): the
example a text gives is one the rule accepts, a limit's refusal names the limit from shared/, and a Thai reader never
reads pydantic's English."""

import json
import re
from pathlib import Path

import shared.text
from shared.text import Bilingual

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
