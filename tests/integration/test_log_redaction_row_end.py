"""A "Failing row contains (…)" ends at the DETAIL's end, not at a ")" a value holds: a citizen's address written on
two lines whose first ends in parentheses ('7 (ตึกแดง)' then 'ซอย 4') stays out of the log whole, with the rest of
the row (review16b's finding 7). tests/integration/test_log_redaction_of_postgres_rows.py guards the other forms."""

import io
import logging

import psycopg
import pytest

from backend.logs import RedactingFilter, make_formatter, redact

REFUSED_NOTE = "ตู้เย็นไม่เย็นเลย"


def _failing_row_error(database_url: str, address: str) -> psycopg.Error:
    """A real check violation whose DETAIL repeats the refused row (as a citizen's request's constraint would)."""
    with psycopg.connect(database_url) as conn:
        conn.execute("create temporary table log_probe (address text, note text check (length(note) < 5))")
        try:
            conn.execute("insert into log_probe values (%s, %s)", [address, REFUSED_NOTE])
        except psycopg.Error as exc:
            return exc
    raise AssertionError("the check did not refuse the row")


def _written(log_format: str, log: str, error: psycopg.Error) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.row_end_probe")
    logger.addHandler(handler)
    try:
        if log == "traceback":
            logger.exception("unhandled error", exc_info=error)
        else:
            logger.error("database refused: %s", error)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


@pytest.mark.parametrize("log", ["traceback", "message"])
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_row_with_a_parenthesis_ending_a_line_is_kept_out_of_the_log(database_url: str, log_format: str,
                                                                       log: str) -> None:
    """backend/logs.py's pattern ended the row at the first ')' followed by a line end: the next line and the rest
    of the row (the request's other values) reached the log."""
    error = _failing_row_error(database_url, "7 (ตึกแดง)\nซอย 4")  # short: PostgreSQL cuts a long value
    assert "ซอย 4" in str(error)  # the row is in the error's text
    written = _written(log_format, log, error)
    assert "unhandled error" in written or "database refused" in written
    assert "violates check constraint" in written, written
    assert "ซอย 4" not in written and REFUSED_NOTE not in written and "ตึกแดง" not in written, written


def test_what_follows_the_row_in_a_traceback_is_kept(database_url: str) -> None:
    """The row ends at its DETAIL's end: the chained exception's traceback after it stays readable."""
    error = _failing_row_error(database_url, "7 (ตึกแดง)\nซอย 4")
    try:
        try:
            raise error
        except psycopg.Error as exc:
            raise RuntimeError("request 42 failed") from exc
    except RuntimeError as chained:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(make_formatter("text"))
        logger = logging.getLogger("fixit.row_end_probe_chained")
        logger.addHandler(handler)
        try:
            logger.exception("unhandled error", exc_info=chained)
        finally:
            logger.removeHandler(handler)
    written = stream.getvalue()
    assert "ซอย 4" not in written and REFUSED_NOTE not in written, written
    assert "RuntimeError: request 42 failed" in written, written
    assert "Failing row contains ([redacted])" in redact(str(error))
