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


@pytest.mark.xfail(strict=True, reason="audit18a: a tone mark with no letter under it counts as a visible character")
def test_marks_with_no_letter_under_them_are_not_visible_characters() -> None:
    assert clean_display_name("\u0e48") is None  # ไม้เอก alone
    assert visible_length("\u0e48\u0e49\u0e4a\u0e4b\u0e48") == 0
    assert visible_length("\u0e01\u0e48") == 1  # ก่: one letter with its mark, as the reader counts it


@pytest.mark.xfail(strict=True, reason="audit18a: sara am typed as nikhahit + sara aa is kept as two characters")
def test_a_name_typed_with_the_two_character_sara_am_is_the_usual_name() -> None:
    assert clean_display_name("สมชาย ค\u0e4d\u0e32ดี") == "สมชาย คำดี"
