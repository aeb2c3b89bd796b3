import ast
import re
from pathlib import Path

import pytest

from shared import otp
from shared.display_names import clean_display_name
from shared.phone import InvalidPhone, mask, national_format, normalize_thai_phone
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import (
    ACTOR_LABELS,
    APP_UI,
    ERRORS,
    OFFER_STATUS_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    UI,
    WEEKDAY_LABELS,
    WEEKDAY_NAMES,
    Bilingual,
    Locale,
    error_text,
    role_label,
    status_label,
    t,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812345678", "+66812345678"),
        ("081-234-5678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("02 123 4567", "+6621234567"),
        (" 0961112222 ", "+66961112222"),
    ],
)
def test_thai_numbers_normalise(raw: str, e164: str) -> None:
    assert normalize_thai_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "081234567", "08123456789", "0112345678", "+1 415 555 0100", "abc"])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_thai_phone(raw)


# Thai (๐–๙) and full-width (０–９) digits once matched `\d` and were stored as typed: a number no network dials and
# that the database's phone check refuses. Then they were refused everywhere, though every Thai keyboard types
# them. They are read now as their ASCII digits (as a typed code is, shared.otp.typed_digits): the number made of
# them is ASCII only.
@pytest.mark.parametrize("raw", ["๐๘๑-๒๓๔-๕๖๗๘", "๐๘๑๒๓๔๕๖๗๘", "08๑2345678", "+668๑๒๓๔๕๖๗๘", "+๖๖ ๘๑ ๒๓๔ ๕๖๗๘",
                                 "๖๖๘๑๒๓๔๕๖๗๘", "08１２３４５６７８", "08123456७८"])
def test_thai_and_other_keyboard_digits_are_read_as_the_number(raw: str) -> None:
    assert normalize_thai_phone(raw) == "+66812345678"
    assert normalize_thai_phone(raw).isascii()


def test_a_thai_landline_in_thai_digits() -> None:
    assert normalize_thai_phone("๐๒-๑๒๓-๔๕๖๗") == "+6621234567"


# What is still no number, in any digits: too short or long, a line break or NUL inside it, superscript or circled
# signs (no decimal digits), a Thai number with a wrong first digit.
@pytest.mark.parametrize("raw", ["0812345678\n9", "0812345678\x00", "๐๘๑๒๓๔๕๖๗", "๐๘๑๒๓๔๕๖๗๘๙", "๐๑๑๒๓๔๕๖๗๘",
                                 "08123456⁷⁸", "08123456⑦⑧"])
def test_only_decimal_digits_make_a_phone_number(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_thai_phone(raw)


def test_phone_display_forms() -> None:
    assert national_format("+66812345678") == "081-234-5678"
    assert national_format("+6621234567") == "02-123-4567"
    assert mask("+66812345678") == "081-xxx-5678"


def test_otp_codes() -> None:
    codes = {otp.new_code() for _ in range(50)}
    assert all(otp.is_well_formed(c) for c in codes) and len(codes) > 40
    assert not otp.is_well_formed("12345") and not otp.is_well_formed("12a456")


# Every table of the catalog, by name (for the failure message).
CATALOG: dict[str, dict[str, Bilingual]] = {
    "ERRORS": ERRORS,
    "STATUS_LABELS": {s.value: text for s, text in STATUS_LABELS.items()},
    "ROLE_LABELS": {r.value: text for r, text in ROLE_LABELS.items()},
    "UI": UI,
    "APP_UI": APP_UI,
    "ACTOR_LABELS": ACTOR_LABELS,
    "WEEKDAY_LABELS": WEEKDAY_LABELS,
    "WEEKDAY_NAMES": WEEKDAY_NAMES,
    "OFFER_STATUS_LABELS": {s.value: text for s, text in OFFER_STATUS_LABELS.items()},
}
# Texts whose Thai side rightly has no Thai letter, each with its reason.
NOT_THAI = {
    ("UI", "language_switch"): "the button to switch to English is labelled in English",
    ("APP_UI", "area"): "a pure format template: '{district}, {province}' in both languages",
    ("APP_UI", "portfolio_job"): "a pure format template: '{item} · {category}' in both languages",
    ("APP_UI", "pref_sms"): "SMS is the word Thai uses (the account's own 'ส่ง SMS เมื่อแอปและ LINE ติดต่อไม่ได้'); "
                            "'ข้อความ SMS' pushed the box onto a line of its own at 360 px (look22)",
}


def test_every_label_exists_in_both_languages() -> None:
    assert set(STATUS_LABELS) == set(RequestStatus)
    assert set(ROLE_LABELS) == set(AppRole)
    assert set(WEEKDAY_LABELS) == set(WEEKDAY_NAMES)
    assert set(OFFER_STATUS_LABELS) == {"pending", "accepted", "declined", "withdrawn", "expired"}
    for table, texts in CATALOG.items():
        for key, text in texts.items():
            assert text.th.strip() and text.en.strip(), (table, key)
            # Thai first: the Thai side must really be Thai (a Thai letter in it), not an English copy.
            if (table, key) not in NOT_THAI:
                assert any("\u0e00" <= ch <= "\u0e7f" for ch in text.th), (table, key, text.th)
    # Every exemption still names a text that exists (a removed key must not leave a stale excuse).
    assert all(key in CATALOG[table] for table, key in NOT_THAI)


def test_app_texts_do_not_shadow_the_shared_ui_keys() -> None:
    # bilingual() looks in UI first: an APP_UI key that repeated one would never show.
    assert not set(APP_UI) & set(UI)


def test_the_catalog_is_plain_python() -> None:
    # The backend imports shared.text: no UI toolkit may come in with it.
    import shared.text

    tree = ast.parse(Path(shared.text.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] in ("flet", "mobile")}, imported


def test_lookups_format_and_fall_back() -> None:
    assert t("code_sent", Locale.EN, phone="081") == "We sent a code to 081"
    assert status_label(RequestStatus.QUALITY_CHECK, Locale.TH) == "ครูกำลังตรวจงาน"
    assert role_label(AppRole.TECHNICIAN, Locale.EN) == "Student technician"
    assert error_text("no-such-code") == ERRORS["internal_error"]
    assert "30" in error_text("otp_rate_limited", seconds=30).th


def test_display_names() -> None:
    assert clean_display_name("  สมชาย   ใจดี ") == "สมชาย ใจดี"
    assert clean_display_name("   ") is None
    assert clean_display_name("x" * 81) is None
    assert clean_display_name("a\x00b") is None


def _looks_up_a_key(node: ast.AST) -> str | None:
    """The key of a call `t("key", …)` or `bilingual("key", …)`, else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "bilingual")):
        return None
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _keys_named_in_code() -> set[tuple[str, int, str]]:
    """Every literal key the app and backend look up, with where."""
    found: set[tuple[str, int, str]] = set()
    for folder in ("mobile", "backend", "shared"):
        for path in Path(folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                key = _looks_up_a_key(node)
                if key is not None:
                    found.add((str(path), getattr(node, "lineno", 0), key))
    return found


def test_every_key_the_code_names_has_thai_and_english() -> None:
    named = _keys_named_in_code()
    assert len(named) > 100  # the scan really sees the app's look-ups
    assert [(path, line, key) for path, line, key in named if key not in UI and key not in APP_UI] == []
    for _, _, key in named:
        entry = UI.get(key) or APP_UI[key]
        assert entry.th.strip() and entry.en.strip(), key


def test_one_way_to_look_a_text_up() -> None:
    # The catalog's dicts are read only through bilingual()/t() outside shared/text.py.
    for folder in ("mobile", "backend", "shared"):
        for path in Path(folder).rglob("*.py"):
            if path.as_posix() == "shared/text.py":
                continue
            source = path.read_text(encoding="utf-8")
            assert "APP_UI[" not in source and not re.search(r"(?<![\w.])UI\[", source), path
