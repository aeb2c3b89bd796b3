"""PostgreSQL's "Failing row contains (…)" repeats a whole refused row (a citizen's address, their words, a phone):
backend/logs.py keeps it out of every log line, in production's JSON format as in the readable one, whether the
error is logged with its traceback (backend/errors.py's unhandled-error handler) or in the message. The row ends at
the DETAIL's end, not at a ")" a value holds (review16b: '7 (ตึกแดง)' then 'ซอย 4' on the next line)."""

import io
import json
import logging

import psycopg
import pytest

from backend.logs import RedactingFilter, make_formatter, redact
from backend.settings import Settings

ADDRESS = "12/3 ซอย 31"  # short: PostgreSQL cuts a long value in its DETAIL
NOTE = "ตู้เย็นไม่เย็นเลย"


def _failing_row_error(database_url: str, address: str = ADDRESS) -> psycopg.Error:
    """A real check violation: PostgreSQL's DETAIL repeats the refused row, as any constraint on a citizen's request
    would (address, description, phone)."""
    with psycopg.connect(database_url) as conn:
        conn.execute("create temporary table log_probe (address text, note text check (length(note) < 5))")
        try:
            conn.execute("insert into log_probe values (%s, %s)", [address, NOTE])
        except psycopg.Error as exc:
            return exc
    raise AssertionError("the check did not refuse the row")


def _written(log_format: str, log: str, error: psycopg.Error) -> str:
    """What the production handler (its formatter and filter) writes for one record about `error`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.log_redaction_probe")
    logger.addHandler(handler)
    try:
        if log == "traceback":
            logger.exception("unhandled error", exc_info=error)
        else:
            logger.error("database refused: %s", error)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_the_log_probe_raises_an_error_carrying_the_row(database_url: str) -> None:
    """The probe raises a real PostgreSQL error that carries a whole row (sanity: the row is in its text)."""
    assert ADDRESS in str(_failing_row_error(database_url))


def test_a_500_s_traceback_in_the_production_log_keeps_no_failing_row(database_url: str) -> None:
    """Production's JSON format (the default) redacted the finished JSON line, where the traceback's line ends are
    the two characters `\\n` and the row never ends a line: the unhandled-error handler's `log.exception` wrote the
    citizen's address and words whole into the production log."""
    settings = Settings(_env_file=None, dev_mode=False)  # type: ignore[call-arg]
    assert settings.log_format == "json"
    written = _written(settings.log_format, "traceback", _failing_row_error(database_url))
    assert "unhandled error" in written and "CheckViolation" in written
    assert ADDRESS not in written, written
    assert "Failing row contains ([redacted])" in written


@pytest.mark.parametrize("log_format", ["json", "text"])
@pytest.mark.parametrize("log", ["traceback", "message"])
def test_a_row_whose_value_spans_lines_is_kept_out_of_every_format(database_url: str, log_format: str,
                                                                   log: str) -> None:
    """An address written on two lines: the row's DETAIL spans lines too, and neither line reaches the log."""
    written = _written(log_format, log, _failing_row_error(database_url, "บ้านเลขที่ 7\nหมู่ 4"))
    assert "CheckViolation" in written or "violates check constraint" in written
    assert "บ้านเลขที่ 7" not in written and "หมู่ 4" not in written and NOTE not in written, written


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
    assert "ซอย 4" not in written and NOTE not in written and "ตึกแดง" not in written, written


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
    assert "ซอย 4" not in written and NOTE not in written, written
    assert "RuntimeError: request 42 failed" in written, written
    assert "Failing row contains ([redacted])" in redact(str(error))


# A value that types what backend/logs.py took for the next part of an error: a line starting "HINT:" or a traceback's
# next exception, after a ")" (the old pattern's row ended at the last ")" before such a line).
TYPED_ENDS = ["7 (ก)\nHINT: ซอย 4", "7 (ก)\nTraceback (ซอย 4", "7 (ก)\n\nThe above exception ซอย 4"]


@pytest.mark.parametrize("address", TYPED_ENDS)
@pytest.mark.parametrize("log", ["traceback", "message", "text"])
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_value_cannot_end_the_rows_redaction_early(database_url: str, log_format: str, log: str,
                                                     address: str) -> None:
    """review17: a value holding "\\nHINT:" (or a traceback's next part) after a ")" ended the redaction there, and
    the rest of the row (the value's next words, the request's other values) reached the log. The row is cut by
    the error's own DETAIL, or, in a text that no longer carries the error, to the text's end."""
    error = _failing_row_error(database_url, address)
    assert "ซอย 4" in str(error)  # the row is in the error's text
    if log == "text":  # the error already turned into text by whoever logged it
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(make_formatter(log_format))
        handler.addFilter(RedactingFilter())
        logger = logging.getLogger("fixit.typed_row_end_probe")
        logger.addHandler(handler)
        try:
            logger.error("database refused: " + str(error))
        finally:
            logger.removeHandler(handler)
        written = stream.getvalue()
    else:
        written = _written(log_format, log, error)
    assert "violates check constraint" in written, written
    assert "ซอย 4" not in written and NOTE not in written, written
    assert "Failing row contains ([redacted])" in written, written
    if log_format == "json":
        json.loads(written)  # still one valid JSON line


@pytest.mark.parametrize("address", ["12/3 หมู่ 4\nซอย 31", "บ้าน 'ซอย 31'", "บ้าน \"ซอย 31\"", "12\\3 ซอย 31"])
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_known_errors_repr_keeps_the_text_after_its_row(database_url: str, log_format: str, address: str) -> None:
    """backend/logs.py cuts an error at hand by its exact DETAIL and keeps the text around it. An argument logged
    with `%r` writes the row escaped (an address typed on two lines, a quote, a backslash), which the exact cut did
    not find; the fallback then redacted to the message's end, and what the operator needs after it (which request,
    what next) was gone (review17a, finding 8). The escaped row is cut too; nothing of it leaks."""
    error = _failing_row_error(database_url, address)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.repr_row_probe")
    logger.addHandler(handler)
    try:
        logger.error("database refused: %r; request FX-690003 kept for a retry", error)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "ซอย 31" not in written and NOTE not in written, written
    assert "Failing row contains ([redacted])" in written, written
    assert "request FX-690003 kept for a retry" in written, written
