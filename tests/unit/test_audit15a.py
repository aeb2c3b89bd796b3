"""audit15a: privacy findings provable without a database. Each test fails today (a strict xfail until fixed)."""

import logging
from collections.abc import Iterator

import pytest

from backend.logs import JsonFormatter, _Policy


@pytest.fixture
def production_masking() -> Iterator[None]:
    """Production mode's log policy: phone numbers masked (backend.logs.configure_logging without dev mode)."""
    before = _Policy.mask_phones
    _Policy.mask_phones = True
    yield
    _Policy.mask_phones = before


@pytest.mark.xfail(strict=True, reason="audit15a: with the production access log on (FIXIT_ACCESS_LOG=true) the "
                                       "duplicate hint's query writes the citizen's exact pin into the log")
def test_the_access_log_holds_no_exact_place(production_masking: None) -> None:
    # The request form asks GET /requests/duplicates with the pin of the citizen's home (a home visit) as it is.
    path = "/requests/duplicates?category_code=appliance&lat=13.7563312&lon=100.5017651"
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5555", "GET", path, "1.1", 200), None)
    line = JsonFormatter().format(record)
    assert "/requests/duplicates" in line
    assert "13.7563312" not in line and "100.5017651" not in line, line
