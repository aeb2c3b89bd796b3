"""Timeline notes: every code the backend writes has Thai and English text, and they render by locale."""

import re
from pathlib import Path

from shared.text import EVENT_NOTES, Locale, event_note

BACKEND = Path(__file__).parents[2] / "backend"


def test_every_note_code_the_backend_writes_has_text() -> None:
    written = set()
    for path in BACKEND.rglob("*.py"):
        written |= set(re.findall(r'Note\([^)]*code="([a-z_]+)"', path.read_text(encoding="utf-8")))
    written |= set(re.findall(r'code=None if note else "([a-z_]+)"',
                              (BACKEND / "services" / "aftercare.py").read_text(encoding="utf-8")))
    assert len(written) >= 8
    assert written <= set(EVENT_NOTES), written - set(EVENT_NOTES)


def test_notes_render_in_the_readers_language_with_what_a_person_typed() -> None:
    assert event_note(None, None, "ขันน็อตไม่แน่น", Locale.EN) == "ขันน็อตไม่แน่น"
    assert event_note("unrepairable", {"reason": "no_parts"}, "", Locale.TH) == "ซ่อมไม่ได้: ไม่มีอะไหล่"
    assert event_note("unrepairable", {"reason": "no_parts"}, "รุ่นเก่ามาก", Locale.EN) == \
        "Cannot be repaired: No spare parts — รุ่นเก่ามาก"
    assert event_note("escalated", None, "", Locale.TH) == EVENT_NOTES["escalated"].th
