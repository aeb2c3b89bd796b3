"""What people typed, made safe to quote in a one-line notification (a lock screen, a LINE chat, an SMS).

An item name, a part's name, a teacher's note or a person's name reach other people's phones inside our own
sentence. Whatever they hold must not break out of it: no line breaks that push our words off a lock screen, no
right-to-left override that reverses the rest of the message (U+202E), no zero-width or other format characters
that hide text or make two strings look alike, no hundreds of characters that crowd out who is writing and why.

Thai stays as it is: its vowel signs and tone marks are combining marks (Unicode Mn/Mc), not control characters,
and a cut never falls between a base letter and the marks that sit on it (grapheme clusters, counted here without
a third-party library: the app ships this module to phones).

Emoji stay whole too: the zero-width joiner (U+200D) that makes 👨 + 🔧 one "mechanic" 👨‍🔧, or 🏳️ + 🌈 a rainbow flag,
is kept where it joins two emoji, and such a sequence is one cluster (never cut in the middle). Anywhere else it
goes like every other format character: between letters it only makes look-alike strings. The emoji presentation
selector U+FE0F is a combining mark (Mn) already, so it stays with its emoji."""

import unicodedata

from shared.visible_text import (
    INVISIBLE_LETTERS,
    JOINS_PREVIOUS,
    MARKS_PER_CLUSTER_MAX,
    SKIN_TONES,
    ZWJ,
    is_blank,
    is_mark,
    is_pictographic,
    is_regional_indicator,
    is_stacking_mark,
)

# How many characters (code points, the ellipsis included) of one typed field a notification quotes: an item, a
# part, a name, a college. Enough for "เครื่องซักผ้าฝาหน้า Samsung 8 กก." with room to spare; a lock screen shows
# about two lines of ~40 characters in all.
QUOTE_MAX = 60
# A teacher's note to a student (rework) says what to fix: it may use more, and the app shows the whole of it.
QUOTE_NOTE_MAX = 140
ELLIPSIS = "…"
# The longest emoji ZWJ sequences Unicode defines join four (a family: 👨‍👩‍👧‍👦); a longer chain would make one
# "character" of any length, which a cut could then only keep or drop whole.
EMOJI_PER_SEQUENCE_MAX = 4

def _emoji_joiners(text: str) -> set[int]:
    """Where in `text` a ZWJ joins two emoji: a pictograph (with its U+FE0F or skin tone, nothing else) before it
    and one right after it, at most EMOJI_PER_SEQUENCE_MAX in a chain."""
    kept: set[int] = set()
    joined = 1  # emoji in the chain the next joiner would extend
    for i, ch in enumerate(text):
        if ch != ZWJ or i + 1 >= len(text) or not is_pictographic(text[i + 1]):
            continue
        base = i - 1
        while base >= 0 and (text[base] == "\ufe0f" or ord(text[base]) in SKIN_TONES):
            base -= 1
        if base < 0 or not is_pictographic(text[base]):
            continue
        joined = joined + 1 if base - 1 in kept else 2
        if joined <= EMOJI_PER_SEQUENCE_MAX:
            kept.add(i)
    return kept


def clusters(text: str) -> list[str]:
    """`text` as user-perceived characters: a base with its combining marks (Thai vowel signs, tone marks, SARA AM),
    an emoji with its skin tone, a flag's two letters, emoji joined by ZWJ. Marks beyond MARKS_PER_CLUSTER_MAX are
    dropped."""
    found: list[str] = []
    marks = 0
    for ch in text:
        if found and (ch == ZWJ or found[-1].endswith(ZWJ)):
            found[-1] += ch  # a joiner left in (one_line keeps only those between emoji) holds both sides together
            marks = 0
            continue
        if found and (is_mark(ch) or ch in JOINS_PREVIOUS):
            if is_stacking_mark(ch):
                marks += 1
                if marks > MARKS_PER_CLUSTER_MAX:
                    continue
            found[-1] += ch
            continue
        if (found and is_regional_indicator(ch) and len(found[-1]) == 1
                and is_regional_indicator(found[-1])):
            found[-1] += ch
            continue
        found.append(ch)
        marks = 1 if is_stacking_mark(ch) else 0
    return found


def _folded(ch: str) -> str:
    """A space for what breaks or spaces a line, nothing for what hides or redirects text, else the character."""
    if ch.isspace():
        return " "
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp"):
        return " "
    # Cf: bidi overrides, embeddings and isolates, direction marks, zero-width space/joiners, word joiner, BOM, soft
    # hyphen, tag characters. Cs/Co/Cn: lone surrogates, private use, unassigned: nothing a reader can see.
    if category in ("Cf", "Cs", "Co", "Cn") or ch in INVISIBLE_LETTERS:
        return ""
    return ch


def one_line(text: object, limit: int = QUOTE_MAX, fallback: str = "") -> str:
    """`text` as one clean line of at most `limit` characters: line breaks, tabs and other control characters
    become spaces; format characters (bidi overrides, zero-width characters) go; runs of spaces become one; a longer
    text is cut between clusters and ends with "…". `fallback` when nothing visible is left."""
    if text is None:
        return fallback
    # NFC after the folding: a format character removed from between two marks leaves them to be put in order.
    raw = str(text)
    joiners = _emoji_joiners(raw)
    folded = "".join(ch if i in joiners else _folded(ch) for i, ch in enumerate(raw))
    line = unicodedata.normalize("NFC", " ".join(folded.split()))
    parts = clusters(line)
    line = "".join(parts)
    if is_blank(line) or all(is_mark(part[0]) for part in parts):
        return fallback
    if len(line) <= limit:
        return line
    kept: list[str] = []
    size = 0
    for part in parts:
        if size + len(part) > limit - len(ELLIPSIS):
            break
        kept.append(part)
        size += len(part)
    return "".join(kept).rstrip() + ELLIPSIS
