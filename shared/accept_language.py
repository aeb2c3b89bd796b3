"""Which of the app's languages a call asks for: its `Accept-Language` header (RFC 9110 §12.5.4), read once here.

The app sends the language its screens show with every call, so the sentences the backend words for a screen (the
next step, the expected wait, the timeline's system notes, the inbox) come in that language whatever the profile
holds: the profile's language is whatever the person's last device chose, and a person with two devices (or whose
last switch was sent offline) read English sentences in the Thai app (ux21 finding 1). A call that names neither
Thai nor English (no header, `*`, `fr`, a malformed one) asks for nothing, and the backend uses the profile's.
"""

import re

from shared.text import Locale

ACCEPT_LANGUAGE = "Accept-Language"  # the header: the app sends it (mobile/api_client.py), the backend reads it

# Ranges read from one header: the app sends one; a browser a handful. Anything past these is not looked at, so a
# header of thousands of ranges costs no more than this many.
ACCEPT_LANGUAGE_RANGES_MAX = 16

# A language range (RFC 4647 §2.1, basic): a primary subtag of 1-8 letters, then subtags of 1-8 letters or digits.
_RANGE = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
# A weight: "q=" and a qvalue, 0 to 1 with at most three decimals (RFC 9110 §12.4.2).
_WEIGHT = re.compile(r"q=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")


def requested_locale(header: str | None) -> Locale | None:
    """The Thai or English the header prefers most (the higher weight; of equal weights, the one named first), or
    None when it names neither acceptably: the caller's own default (the profile's language) applies then.

    "th", "th-TH", "en-GB,en;q=0.9", "fr, en;q=0.5" (English: French is not one of ours) name one; "*", "fr",
    "en;q=0", "th;q=2" (no such weight), "" and None name none."""
    if not header:
        return None
    best: tuple[float, Locale] | None = None
    for element in header.split(",", ACCEPT_LANGUAGE_RANGES_MAX)[:ACCEPT_LANGUAGE_RANGES_MAX]:
        tag, _, parameters = element.partition(";")
        tag = tag.strip().lower()
        weight = _weight(parameters)
        if weight is None or weight <= 0 or not _RANGE.fullmatch(tag):
            continue  # malformed, refused by its weight ("q=0": not this one), or "*" (any: no choice of ours)
        primary = tag.split("-", 1)[0]
        if primary not in _LOCALES:
            continue
        if best is None or weight > best[0]:
            best = (weight, _LOCALES[primary])
    return best[1] if best is not None else None


_LOCALES = {locale.value: locale for locale in Locale}


def _weight(parameters: str) -> float | None:
    """The range's weight: 1 without one, None when what follows the range is not a weight."""
    parameters = parameters.strip().lower()
    if not parameters:
        return 1.0
    matched = _WEIGHT.fullmatch(parameters.replace(" ", ""))
    return float(matched.group(1)) if matched else None
