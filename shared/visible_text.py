"""Whether a text says anything, and what a typed text may hold: one rule for every field people type for others.

`str.strip()` keeps Unicode format characters (zero-width space and joiners, the word joiner, the BOM, direction
marks), so a text made only of them passed every "is it written?" check while showing nothing. They are not
removed from what is stored: Thai puts a zero-width space between words, which is ordinary Thai. They only do not
count as writing. Nor do the letters that draw nothing (Hangul fillers, the blank Braille pattern) or a mark with no
letter under it. A mark on a letter does count: Thai writers count the characters they type ("ไม่ติด" is six), and
a minimum of five must not refuse a real two-word complaint ("จอดับ", "ไม่ติด"). An emoji is one character however
many code points make it (grapheme clusters, counted here without a third-party library: the app ships this module
to phones): a family joined by ZWJ, a flag's two letters, a skin tone or a presentation selector add nothing."""

import re
import unicodedata

# Letters that draw nothing, used to pass a blank as a name (Hangul fillers, the braille blank).
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Characters that belong to the character before them though they are not combining marks (Unicode's
# Grapheme_Cluster_Break SpacingMark / Extend): Thai and Lao SARA AM, emoji skin tones.
SKIN_TONES = range(0x1F3FB, 0x1F400)
JOINS_PREVIOUS = frozenset("\u0e33\u0eb3") | frozenset(chr(c) for c in SKIN_TONES)
ZWJ = "\u200d"
# Variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF: U+FE0F asks for the emoji look) and the enclosing keycap
# (U+20E3, "1️⃣"): with the skin tones, what changes how the character before them looks and draws nothing more.
VARIATION_SELECTORS = frozenset(chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)))
KEYCAP = "\u20e3"
EMOJI_MODIFIERS = VARIATION_SELECTORS | frozenset(chr(c) for c in SKIN_TONES) | {KEYCAP}
# Unicode's Extended_Pictographic code points, in blocks (unicodedata does not carry the property): what a ZWJ may
# join. Regional indicators (flags) and skin tones are in the big block but are not pictographs of their own.
_PICTOGRAPHIC_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x21AA), (0x231A, 0x23FF), (0x24C2, 0x24C2), (0x25AA, 0x25FE), (0x2600, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299), (0x1F000, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


def is_regional_indicator(ch: str) -> bool:
    """One of a flag's two letters (U+1F1E6-U+1F1FF): 🇹 + 🇭 is 🇹🇭."""
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def is_pictographic(ch: str) -> bool:
    code = ord(ch)
    if 0x1F1E6 <= code <= 0x1F1FF or code in SKIN_TONES:
        return False
    return any(low <= code <= high for low, high in _PICTOGRAPHIC_RANGES)


# More combining marks than any Thai syllable needs (base + vowel sign + tone mark): stacked marks ("Zalgo") draw
# over the lines above and below. Only marks drawn on the letter (Mn, Me) stack; spacing marks (Mc) take their own
# room beside it, and Burmese, Shan and Karen put up to four on one letter ("ကျော်", Kyaw). Refused in what people
# type (typed_text_problem); cut to this many per character where older text is quoted (shared.quoted_text).
MARKS_PER_CLUSTER_MAX = 3


def is_mark(ch: str) -> bool:
    """A combining mark (Unicode Mn/Mc/Me): a Thai vowel sign or tone mark, an accent, U+FE0F."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def is_stacking_mark(ch: str) -> bool:
    """A mark drawn on (over, under, through) the letter before it (Unicode Mn/Me): what MARKS_PER_CLUSTER_MAX
    counts. A spacing mark (Mc: the Burmese vowel signs, the Tibetan visarga) sits beside its letter."""
    return unicodedata.category(ch) in ("Mn", "Me")


def _is_visible_base(ch: str) -> bool:
    return not (ch.isspace() or unicodedata.category(ch) == "Cf" or ch in INVISIBLE_LETTERS or is_mark(ch)
                or ch in JOINS_PREVIOUS)


def visible_length(text: str) -> int:
    """How many characters of `text` a writer sees: every letter (or digit, sign, emoji) and every mark on such a
    letter ("ก่" is two, as typed: "ไม่ติด" is six); white space, format characters (Cf), letters that draw nothing
    and marks with no letter under them count nothing. An emoji counts once, as it shows: pictographs joined by ZWJ
    (👨‍👩‍👧, 🏳️‍🌈, 🧑🏽‍🔧), a flag's two regional indicators (🇹🇭), and a skin tone, variation selector or keycap on
    the character before it (👍🏽, ❤️, 1️⃣) add nothing. Stacked marks are refused on their own (typed_text_problem).
    The one count of every minimum length (a description, a phone approval's note, a handover's reason), in the
    backend and in the app."""
    count = 0
    on_letter = False  # a mark here is on a letter: it counts
    pictograph = False  # the last character shown is a pictograph: a ZWJ after it joins the next one to it
    joining = False  # a ZWJ just came after a pictograph
    open_flag = False  # a regional indicator waiting for its pair
    for ch in text:
        if ch in EMOJI_MODIFIERS:
            continue  # how the character before it looks: nothing more drawn, and the character goes on
        if ch == ZWJ:
            joining, on_letter = pictograph, False
            continue
        joined, joining = joining and is_pictographic(ch), False
        if joined:
            on_letter = True  # one emoji with the pictograph before the ZWJ
        elif is_regional_indicator(ch):
            count += not open_flag
            open_flag, on_letter, pictograph = not open_flag, True, False
            continue
        elif _is_visible_base(ch):
            count += 1
            on_letter, pictograph = True, is_pictographic(ch)
        elif is_mark(ch) or ch in JOINS_PREVIOUS:
            count += on_letter
        else:
            on_letter = pictograph = False
        open_flag = False
    return count


def is_blank(text: str) -> bool:
    """Nothing in `text` shows (empty, white space, zero-width characters, fillers, marks alone)."""
    return visible_length(text) == 0


def most_marks(text: str) -> int:
    """The most marks drawn on one character of `text` (Mn/Me; spacing marks, SARA AM and skin tones neither count
    nor end a character)."""
    most = run = 0
    for ch in text:
        if is_stacking_mark(ch):
            run += 1
            most = max(most, run)
        elif not is_mark(ch) and ch not in JOINS_PREVIOUS:
            run = 0
    return most


# Bidirectional embeddings, overrides and isolates and their ends (U+202A-U+202E, U+2066-U+2069). In a name other
# people see in a list, on a page or a PDF they turn the text that follows backwards ("\u202e" + "abc" shows "cba").
# The direction marks U+200E/U+200F and the zero-width characters of ordinary Thai are not among them.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The same rule as a pattern (a JSON Schema keyword): something besides spaces, no C0/C1 control character, no
# direction control.
PLAIN_NAME_PATTERN = r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"


def has_direction_controls(text: str) -> bool:
    return any(ch in DIRECTION_CONTROLS for ch in text)


def typed_text_problem(text: str) -> str | None:
    """What is wrong with a text a person typed for others to read, as an error code (shared.text.ERRORS): a
    direction control (`text_direction_invalid`) or more than MARKS_PER_CLUSTER_MAX marks on one character
    (`text_marks_stacked`); None when neither. Every typed line and text of the API (backend.schemas Line/Text),
    display names and items (shared.display_names) and the app's own checks apply it."""
    if has_direction_controls(text):
        return "text_direction_invalid"
    if most_marks(text) > MARKS_PER_CLUSTER_MAX:
        return "text_marks_stacked"
    return None


# SARA AM typed as two characters: NIKHAHIT + SARA AA, a tone mark between them or not (Thai U+0E4D U+0E32, Lao
# U+0ECD U+0EB2). It looks the same as SARA AM (U+0E33/U+0EB3), and keyboards and copied texts give it, but NFC
# does not join them (only NFKC, which would change much else): "น้ำ" so typed was another word to a search.
_SARA_AM_APART = re.compile("([\u0e4d\u0ecd])([\u0e48-\u0e4b\u0ec8-\u0ecb]?)([\u0e32\u0eb2])")


def _joined(found: re.Match[str]) -> str:
    return found.group(2) + ("\u0e33" if found.group(1) == "\u0e4d" else "\u0eb3")


def normal_form(text: str) -> str:
    """`text` as it is stored and searched: NFC, and SARA AM typed as two characters joined into one. Rows stored
    before this rule are searched by their search form (migration 0086's private.search_form: this SARA AM rule in
    SQL, on both sides of the teacher's search), so any mix of spellings in a row is found."""
    text = unicodedata.normalize("NFC", text)
    if "\u0e4d" in text or "\u0ecd" in text:
        text = _SARA_AM_APART.sub(_joined, text)
    return text


def is_plain_name(text: str) -> bool:
    """A name shown to everyone (a college, a province): something visible, on one line, with no control character
    (NUL, escape sequences, line breaks), no direction control and no stacked marks."""
    return (not is_blank(text) and not any(unicodedata.category(ch) == "Cc" for ch in text)
            and typed_text_problem(text) is None)
