"""Typed text quoted in a notification: one clean line, Thai intact, cut between whole characters."""

import random
import unicodedata
from datetime import UTC, datetime

import pytest

from shared.notifications import TEXTS, Kind, render
from shared.quoted_text import (
    ELLIPSIS,
    QUOTE_MAX,
    QUOTE_NOTE_MAX,
    clusters,
    one_line,
)
from shared.text import Locale, t
from shared.visible_text import MARKS_PER_CLUSTER_MAX, is_pictographic

EVIL_ITEM = "พัดลม\u202e\n\n<b>ฟรี!</b>" + "ก" * 500
THAI = "เครื่องซักผ้าฝาหน้า ปั่นไม่หมาด น้ำไม่ไหล ผู้ใหญ่บ้านฝากมา"  # vowel signs and tone marks on many letters


def _clean(line: str) -> bool:
    """No control, format or line/paragraph separator character, no doubled or edge spaces."""
    bad = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    return (all(unicodedata.category(ch) not in bad for ch in line) and "  " not in line
            and line == line.strip() and all(ch == " " or not ch.isspace() for ch in line))


def test_the_audit_item_becomes_one_clean_line_within_the_limit() -> None:
    line = one_line(EVIL_ITEM)
    assert _clean(line)
    assert len(line) <= QUOTE_MAX and line.endswith(ELLIPSIS)
    # The override is gone, the two line breaks are one space; markup stays visible text (no channel reads it).
    assert line.startswith("พัดลม <b>ฟรี!</b>กกก")


def test_thai_is_kept_as_typed() -> None:
    assert one_line(THAI) == THAI
    assert one_line("ก\u0e48\u0e32") == "ก่า"
    decomposed = unicodedata.normalize("NFD", "ตู้เย็น ๒ ประตู")
    assert one_line(decomposed) == unicodedata.normalize("NFC", decomposed)


@pytest.mark.parametrize("text", [
    "a\u202eb", "a\u202ab\u202c", "a\u2066b\u2069", "a\u200eb\u200f", "a\u200bb", "a\u200db", "a\ufeffb",
    "a\u2060b", "a\u00adb", "a\U000e0041b", "a\u061cb",
])
def test_bidi_and_zero_width_tricks_are_removed(text: str) -> None:
    assert one_line(text) == "ab"


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\tb", "a\u2028b", "a\u2029b", "a\x00b", "a\x1bb",
                                  "a\x85b", "a \u3000\u00a0 b", "a\vb"])
def test_line_breaks_controls_and_space_runs_fold_to_one_space(text: str) -> None:
    assert one_line(text) == "a b"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200d\ufeff", "\u202e\u202c", "\u3164\u3164", None,
                                  "\u0e48\u0e49\u0e4a"])
def test_nothing_visible_gives_the_fallback_word(text: str | None) -> None:
    assert one_line(text, fallback="(ไม่ระบุ)") == "(ไม่ระบุ)"


def test_a_cut_never_separates_a_thai_letter_from_its_marks() -> None:
    # "ที่" is three code points: ท + ี + ่. Whatever the limit, a cut keeps all three or none.
    text = "ที่" * 40
    for limit in range(4, 30):
        line = one_line(text, limit)
        assert len(line) <= limit and line.endswith(ELLIPSIS)
        body = line.removesuffix(ELLIPSIS)
        assert body == "ที่" * (len(body) // 3), limit
    assert clusters("น้ำ") == ["น้ำ"]  # SARA AM belongs to the letter before it, like the tone mark
    assert clusters("🇹🇭👍🏽") == ["🇹🇭", "👍🏽"]


def test_stacked_marks_are_cut_to_what_thai_needs() -> None:
    zalgo = "ก" + "\u0e49" * 50 + "ข"
    assert one_line(zalgo) == "ก" + "\u0e49" * MARKS_PER_CLUSTER_MAX + "ข"


def test_random_text_always_gives_a_clean_line_within_the_limit() -> None:
    # Thai letters and marks, Latin, spaces, line breaks, bidi and zero-width characters, in any order.
    alphabet = ("กขคงจทนมยรลวสหอ" "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
                "\u0e33เแโไ" "abcXYZ<>&\"' " "\n\r\t\x00\x7f\u202e\u202d\u2066\u200b\u200d\ufeff\u2028\u00ad")
    rng = random.Random(9)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        limit = rng.randint(5, 80)
        line = one_line(text, limit, "-")
        assert _clean(line) and len(line) <= limit, repr(text)
        assert line == "-" or all(ch in text or ch in " " + ELLIPSIS for ch in line)
        if len(line) < limit - 1 and not line.endswith(ELLIPSIS):
            assert one_line(line, limit, "-") == line  # cleaning twice changes nothing


def test_every_kind_quotes_typed_text_as_one_line_in_both_languages() -> None:
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    params = {"item": EVIL_ITEM, "technician": "สมชาย\n\u202eใจดี", "note": "แก้\nใหม่" * 100, "part": EVIL_ITEM,
              "price": "120", "college_th": "วิทยาลัย\u200b\n" * 20, "college_en": "College\r\n" * 20,
              "district": "เมือง\n", "province": "\u202eเชียงใหม่", "expires_at": "2026-03-02T05:30:00+00:00",
              "place": "centre"}
    for kind in TEXTS:
        for locale in Locale:
            rendered = render(kind, params, locale, now, 690001, "0b5e7c1e-0000-0000-0000-000000000000")
            for line in (rendered.title, rendered.body):
                assert _clean(line), (kind, locale, line)
            budget = QUOTE_NOTE_MAX if kind == Kind.REWORK else 0
            assert len(rendered.body) <= 3 * QUOTE_MAX + budget + 80, (kind, locale, rendered.body)


def test_an_item_with_nothing_visible_reads_as_not_given() -> None:
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    for locale in Locale:
        body = render(Kind.RATE, {"item": "\u200b\u202e\n"}, locale, now).body
        assert body.startswith(t("notify_unnamed", locale) + ":")


MECHANIC = "\U0001F468\u200d\U0001F527"  # 👨 ZWJ 🔧: one "mechanic"
RAINBOW_FLAG = "\U0001F3F3\ufe0f\u200d\U0001F308"  # 🏳 VS16 ZWJ 🌈
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # 👨‍👩‍👧‍👦: the longest, four joined
WOMAN_RUNNING = "\U0001F3C3\U0001F3FD\u200d\u2640\ufe0f"  # 🏃🏽 ZWJ ♀ VS16: a skin tone before the joiner


@pytest.mark.parametrize("emoji", [MECHANIC, RAINBOW_FLAG, FAMILY, WOMAN_RUNNING])
def test_a_joined_emoji_stays_one_emoji(emoji: str) -> None:
    assert one_line(f"ช่าง {emoji} มาแล้ว") == f"ช่าง {emoji} มาแล้ว"
    assert clusters(one_line(emoji)) == [emoji]
    assert unicodedata.category("\ufe0f") == "Mn"  # the presentation selector is a mark: it stays with its emoji


@pytest.mark.parametrize("text", ["a\u200db", "ก\u200dข", "\U0001F468\u200db", "a\u200d\U0001F527",
                                  "\u200d\U0001F527", "\U0001F468\u200d", "\U0001F468\u200d\u200d\U0001F527",
                                  "\U0001F468\u200d \U0001F527", "\U0001F1F9\u200d\U0001F1ED"])
def test_a_joiner_that_joins_no_two_emoji_goes(text: str) -> None:
    # Between letters a ZWJ only makes two strings look alike; next to a space, a letter or a flag's letter it
    # joins nothing (two joiners in a row: neither has an emoji on both sides).
    assert "\u200d" not in one_line(text)
    assert one_line(text) == one_line(text.replace("\u200d", ""))


def test_a_cut_never_splits_a_joined_emoji() -> None:
    for emoji in (MECHANIC, RAINBOW_FLAG, FAMILY, WOMAN_RUNNING):
        text = "x" + emoji * 30
        for limit in range(3, 40):
            line = one_line(text, limit)
            assert len(line) <= limit and line.endswith(ELLIPSIS)
            assert line.removesuffix(ELLIPSIS) == "x" + emoji * ((len(line) - 2) // len(emoji)), (emoji, limit)


def test_a_chain_longer_than_any_emoji_is_broken_up() -> None:
    # Eight men joined: one "character" of any length would be all or nothing at a cut. Four at most are joined.
    chain = "\u200d".join(["\U0001F468"] * 8)
    parts = clusters(one_line(chain))
    assert "".join(parts).replace("\u200d", "") == "\U0001F468" * 8
    assert all(part.count("\U0001F468") <= 4 for part in parts) and len(parts) < 8


def test_random_emoji_text_keeps_joiners_only_between_emoji() -> None:
    alphabet = ["\U0001F468", "\U0001F527", "\U0001F3F3", "\U0001F308", "\u2640", "\ufe0f", "\U0001F3FD", "\u200d",
                "\u200d", "a", "ก", "\u0e48", " ", "\n", "\u202e", "\U0001F1F9"]
    rng = random.Random(10)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        limit = rng.randint(5, 40)
        line = one_line(text, limit, "-")
        assert len(line) <= limit, repr(text)
        for i, ch in enumerate(line):
            if ch == "\u200d":
                before = line[:i].rstrip("\ufe0f\U0001F3FD")
                assert before and is_pictographic(before[-1]) and is_pictographic(line[i + 1]), repr(text)
        assert _clean(line.replace("\u200d", "")), repr(text)
