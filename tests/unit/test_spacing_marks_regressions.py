"""Spacing marks (Unicode Mc) sit beside their letter and do not stack: Burmese, Shan and Karen writing puts up to
four marks on one letter and is ordinary text, while marks drawn on the letter (Mn, Me) are still capped
(review18b finding 1)."""

import unicodedata

from shared.display_names import clean_display_name
from shared.quoted_text import clusters
from shared.visible_text import MARKS_PER_CLUSTER_MAX, most_marks, typed_text_problem


def test_burmese_names_with_four_spacing_marks_are_not_stacked() -> None:
    # ကျော် (Kyaw, one of the commonest Burmese names) is က + ျ (Mc) + ေ (Mc) + ာ (Mc) + ် (Mn); ကျွေး "feed" is
    # က + ျ + ွ + ေ + း. Ordinary Myanmar-script writing, typed by the many Burmese, Shan and Karen people in Thailand.
    for name in ("ကျော်", "အောင်ကျော်", "ကျွေး"):
        assert typed_text_problem(name) is None, name
        assert clean_display_name(name) == name, name


def test_marks_drawn_on_the_letter_are_still_capped() -> None:
    assert typed_text_problem("น้ำ ที่ ปั่น") is None  # Thai: a vowel sign and a tone mark
    assert typed_text_problem(unicodedata.normalize("NFD", "Nguyễn Thị Mỹ Lệ")) is None  # Vietnamese, two accents
    assert typed_text_problem("ཧྲཱིཿ") is None  # Tibetan hrīḥ: three marks on the letter and a spacing visarga
    zalgo = "a" + "\u0301\u0300\u0302\u0303"
    assert typed_text_problem(zalgo) == "text_marks_stacked"
    assert typed_text_problem("ก" + "\u0e34\u0e48\u0e49\u0e4a") == "text_marks_stacked"
    # Spacing marks between marks on the letter do not hide a stack from the count
    assert most_marks("a\u0301\u0300\u102c\u0302\u0303") == 4
    assert [len(c) for c in clusters(zalgo)] == [1 + MARKS_PER_CLUSTER_MAX]
    assert clusters("ကျော်") == ["ကျော်"]
