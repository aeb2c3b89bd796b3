"""The operator's reason for a suspension (`fixit-backend suspend-person --reason`): required, one line, short."""

import pytest

from shared.suspension import SUSPEND_REASON_MAX, suspend_reason_problem
from shared.text import ERRORS


@pytest.mark.parametrize("reason", ["ข่มขู่ช่างที่มาซ่อม", "lost phone, reported by the owner", "x" * SUSPEND_REASON_MAX,
                                    "  " + "y" * SUSPEND_REASON_MAX + "  "])
def test_a_one_line_reason_within_the_limit_is_kept(reason: str) -> None:
    assert suspend_reason_problem(reason) is None


@pytest.mark.parametrize(("reason", "code"), [
    ("", "suspend_reason_required"),
    (" \u200b\u2060 ", "suspend_reason_required"),  # zero-width characters say nothing
    ("first\nsecond", "suspend_reason_one_line"),
    ("tab\there", "suspend_reason_one_line"),
    ("para\u2029graph", "suspend_reason_one_line"),
    ("x" * (SUSPEND_REASON_MAX + 1), "suspend_reason_too_long"),
])
def test_a_blank_multi_line_or_long_reason_is_refused_with_its_own_text(reason: str, code: str) -> None:
    assert suspend_reason_problem(reason) == code
    assert ERRORS[code].th and ERRORS[code].en
