"""Numbers as people type them into the app: one reading for every field, so the same text never means two amounts.

Thai writes amounts with a comma for thousands and a point for decimals: "1,500" baht, "1,250.50" baht. Some phone
keyboards give a comma for the decimal point: "1,5" hours. The rules:

- parse_amount (baht, counts, an hours target per term): a comma only groups thousands (1-3 digits, then groups of
  exactly three, before any point). "1,5" or "1,50" is neither, so it is refused (None): the field says what it
  wants, and nobody's "1,50" is sent as 150 baht or 1.50.
- parse_hours (the hours of one job): as an amount, and a single comma that groups no thousands is a decimal comma:
  "1,5" is one and a half hours, never 15. "1,500" still reads as thousands (past any job's hours: the range refuses
  it).
- parse_coordinate (a latitude, a longitude, a radius in km): a comma is the decimal mark (no coordinate has
  thousands): "18,29" is 18.29.

Every digit Unicode calls decimal is read (Thai ๐-๙, full-width ０-９: int() and float() take them); an exponent,
"nan", "inf" and anything past a float are not numbers here (None), so nothing unsendable (JSON has no NaN) leaves a
form.
"""

import math
import re
import unicodedata

_SIGN = r"[-+]?"
_GROUPED = re.compile(_SIGN + r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_PLAIN = re.compile(_SIGN + r"(?:\d+(?:\.\d*)?|\.\d+)")
_DECIMAL_COMMA = re.compile(_SIGN + r"(?:\d+,\d*|,\d+)")
# How Thai writes a price around the number: the baht sign before it ("฿1,500"), the word after it ("1,500 บาท",
# "1,500 baht"), and ".-" after whole baht ("1,500.-", the price-tag style). They are not part of the number.
_PRICE = re.compile(r"\u0e3f?\s*(?P<number>.*?)\s*(?:\.-)?\s*(?:บาท|baht|thb)?", re.IGNORECASE)
# What keyboards give for the sign and the marks besides the ASCII ones: the minus sign, full-width forms.
_MARKS = str.maketrans({"\u2212": "-", "\uff0d": "-", "\uff0b": "+", "\uff0c": ",", "\uff0e": "."})


def _ascii(text: str) -> str:
    """The text with every decimal digit in ASCII (Thai, full-width, ...) and the usual marks' look-alikes ASCII;
    surrounding white space dropped. "²" and "⑤" are digits to str.isdigit() but not decimal: kept, and refused."""
    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return digits.translate(_MARKS).strip()


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def parse_amount(text: str) -> float | None:
    """Baht or a count as typed: "1,500", "1,250.50", "12000", " 3 ", "1,500." and the Thai ways of writing a price
    ("฿1,500", "1,500 บาท", "1,500.-"); None for blank and for what is no amount ("1,5": a comma that groups no
    thousands; "1e3", "nan")."""
    price = _PRICE.fullmatch(_ascii(text))
    return _amount(price.group("number")) if price else None


def _amount(cleaned: str) -> float | None:
    if _GROUPED.fullmatch(cleaned):
        return _finite(cleaned.replace(",", ""))
    if _PLAIN.fullmatch(cleaned):
        return _finite(cleaned)
    return None


def parse_hours(text: str) -> float | None:
    """Hours of work as typed: "1.5", "1,5" (a keyboard's decimal comma: 1.5, never 15), "2"; None when it is no
    number."""
    cleaned = _ascii(text)
    if (value := _amount(cleaned)) is not None:
        return value
    if _DECIMAL_COMMA.fullmatch(cleaned):
        return _finite(cleaned.replace(",", "."))
    return None


def parse_coordinate(text: str) -> float | None:
    """A latitude, a longitude or a distance in km as typed: a point or a comma as the decimal mark ("18.29",
    "18,29"); None when it is no finite number."""
    cleaned = _ascii(text)
    if _PLAIN.fullmatch(cleaned):
        return _finite(cleaned)
    if _DECIMAL_COMMA.fullmatch(cleaned):
        return _finite(cleaned.replace(",", "."))
    return None
