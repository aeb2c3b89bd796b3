"""review17a: a hostile review of this session's first new code. Each test is a defect found, marked xfail (strict)
until it is fixed. Real PostgreSQL."""

import io
import logging

import pytest

from backend.logs import RedactingFilter, make_formatter


@pytest.mark.parametrize("log_format", ["json", "text"])
@pytest.mark.xfail(strict=True, reason="review17a: an error at hand logged with %r (its repr escapes the DETAIL's "
                                       "line end) is not cut by its DETAIL: the rest of the message is redacted away")
def test_a_known_errors_repr_keeps_the_text_after_its_row(database_url: str, log_format: str) -> None:
    """backend/logs.py: "Where the error itself is at hand (a record's exception or argument) its exact DETAIL is
    cut first, and the text around it stays readable." An argument logged with `%r` writes a row whose value holds
    a line end (an address typed on two lines) or a quote escaped, which the exact cut does not find; the fallback
    then redacts to the message's end, and what the operator needs after it (which request, what next) is gone. No
    leak: a lost line."""
    from tests.integration.test_log_redaction_of_postgres_rows import _failing_row_error

    error = _failing_row_error(database_url, "12/3 หมู่ 4\nซอย 31")  # an address typed on two lines
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.review17a_repr_probe")
    logger.addHandler(handler)
    try:
        logger.error("database refused: %r; request FX-690003 kept for a retry", error)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "ซอย 31" not in written, written
    assert "request FX-690003 kept for a retry" in written, written
