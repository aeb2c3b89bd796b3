"""A refusal's words say what the person can act on, in their own language (audit18d's findings 3, 10, 15): the
example a text gives is one the rule accepts, a limit's refusal names the limit from shared/, and a Thai reader never
reads pydantic's English."""

import json
import re
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

import shared.text
from backend.app import create_app
from backend.settings import Settings
from shared.credit import FAULT_MAX, PART_NOTE_MAX, PARTS_PER_JOB_MAX
from shared.text import Bilingual, error_text

SKILL_EXAMPLE = re.compile(r"\b([a-z_]+):\d\b")
THAI = re.compile(r"[\u0e00-\u0e7f]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]+:? [A-Za-z]+")


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


@pytest.mark.parametrize("body", [{}, {"phone": 5}], ids=["missing", "not_text"])
async def test_a_refused_body_says_it_in_thai_to_a_thai_reader(body: dict[str, object]) -> None:
    """validation_failed's Thai was 'ข้อมูลไม่ถูกต้อง: {detail}' with pydantic's English as {detail} ('phone: Field
    required'): a Thai reader read English internals. The English message and the fields keep what is wrong."""
    app = create_app(Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none"))
    app.state.pool = object()  # refused before any route reads the database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post("/auth/otp/request", json=body)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "validation_failed")
    assert THAI.search(error["message_th"])
    assert not ENGLISH_WORDS.search(error["message_th"]), error["message_th"]
    assert "phone" in error["message_en"] and set(error["fields"]) == {"phone"}
