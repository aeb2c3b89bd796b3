"""Being rate-limited is said as too many actions (ทำรายการ), never as too many requests: in Fixit a request is a
repair request (คำขอ), and "Too many requests" read as if the person had filed too many repairs, whichever tap it
answered (a rating, a refresh, a sign-in). request_refused and session_ended say "action" for the same reason."""

import pytest

from shared.text import ERRORS, WAIT_ERRORS, Bilingual

RATE_LIMITED = [(name, catalog[code]) for name, catalog in (("ERRORS", ERRORS), ("WAIT_ERRORS", WAIT_ERRORS))
                for code in ("too_many_requests", "too_many_requests_later")]


@pytest.mark.parametrize(("catalog", "text"), RATE_LIMITED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RATE_LIMITED)])
def test_a_rate_limit_calls_the_tap_an_action(catalog: str, text: Bilingual) -> None:
    th, en = text.th, text.en
    assert "ทำรายการ" in th and "คำขอ" not in th, (catalog, th)
    assert "action" in en and "request" not in en.lower(), (catalog, en)
