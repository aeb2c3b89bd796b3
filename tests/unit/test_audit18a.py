"""Audit 18a: a hostile review of what people type, at the rules in shared/ and the app's parsing. Each test shows a
defect that is still there (xfail strict): the fixer removes the mark with the fix."""

import pytest

from shared.display_names import clean_display_name
from shared.visible_text import is_blank, visible_length


@pytest.mark.xfail(strict=True, reason="audit18a: Hangul fillers and the blank Braille pattern count as visible")
@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"])
def test_characters_that_show_nothing_are_blank(blank: str) -> None:
    assert is_blank(blank * 3)
    assert visible_length("ab" + blank * 3) == 2
    assert clean_display_name(blank) is None
