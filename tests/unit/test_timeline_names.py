"""The timeline names a person by the one rule for a first name (shared.display_names.first_word, whose SQL twin
`private.first_word` names them in the backend's answers): the app had a rule of its own, which read a name with a
leading space as its second word where the backend's rule reads none (and then the role names them)."""

from typing import Any

import pytest

from shared.display_names import first_word
from shared.text import ACTOR_LABELS, Locale
from tests.unit.mobile_fakes import DetailBackend
from tests.unit.mobile_screens import open_detail


class NamedBackend(DetailBackend):
    """The request's detail, its technician's step carrying `name` as the actor's name."""

    def __init__(self, name: str | None) -> None:
        super().__init__()
        self.name = name

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        answer = super().detail(summary)
        answer["timeline"][-1]["actor_name"] = self.name
        return answer


@pytest.mark.parametrize(("name", "shown"), [
    ("วิชัย มีฝีมือ", "วิชัย"),
    ("วิชัย  มีฝีมือ", "วิชัย"),  # two spaces: the first word all the same
    ("วิชัย", "วิชัย"),
    # A leading space: no first word, so the role names them (the app's own rule said "วิชัย").
    (" วิชัย มีฝีมือ", ACTOR_LABELS["technician"].th),
    ("  วิชัย", ACTOR_LABELS["technician"].th),
    ("", ACTOR_LABELS["technician"].th),
    (None, ACTOR_LABELS["technician"].th),
])
async def test_the_timeline_names_a_person_by_the_one_first_name_rule(name: str | None, shown: str) -> None:
    _app, detail = await open_detail(NamedBackend(name))
    assert detail.locale == Locale.TH
    who = detail.timeline[-1].who
    assert who == (first_word(name) or ACTOR_LABELS["technician"].th)
    assert who == shown
