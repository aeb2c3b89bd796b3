"""Structured logs: redaction of secrets and phone numbers, the request id on records, both formats."""

import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from backend.edge import EdgeMiddleware
from backend.logs import (
    JsonFormatter,
    TextFormatter,
    _Policy,
    configure_logging,
    install_record_factory,
    redact,
    request_id,
    sane_request_id,
    uvicorn_log_config,
)
from backend.settings import PROJECT_ROOT, Settings

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize(("text", "secret"), [
    (f"GET /events?access_token={JWT} HTTP/1.1", JWT),
    ("GET /cb?code=123456&state=x", "123456"),
    ("POST /x?token=abc.def&x=1", "abc.def"),
    (f"Authorization: Bearer {JWT}", JWT),
    ("headers={'authorization': 'Bearer s3cr3t-t0ken'}", "s3cr3t-t0ken"),
    ('{"access_token": "opaque-token-value", "code": "654321"}', "opaque-token-value"),
    ('{"access_token": "opaque-token-value", "code": "654321"}', "654321"),
    ("connect to postgresql://fixit:hunter2@db:5432/fixit failed", "hunter2"),
    # A password with an unencoded @ or / (libpq reads its rest as the host): the whole of it (review17a, finding 2)
    ("connect to postgresql://fixit:hunter2@Prod-Tail@db:5432/fixit failed", "Prod-Tail"),
    ("connect to postgresql://fixit:hunter2/Prod-Tail@db:5432/fixit failed", "Prod-Tail"),
    ("new row violates check: DETAIL:  Failing row contains (1, 12/3 ถนนพระราม 1, +66812345678).", "ถนนพระราม"),
    ("verified +66812345678", "+66812345678"),
    # Thai digits are a phone number as typed (shared/phone.py reads them): masked as any other.
    ("invitation for ๐๘๑-๒๓๔-๕๖๗๘", "๒๓๔"),
    ("โทร๐๘๑๒๓๔๕๖๗๘", "๕๖๗๘"),
    ("verified +๖๖ ๘๑ ๒๓๔ ๕๖๗๘", "๒๓๔"),
])
def test_secrets_and_phone_numbers_are_redacted(text: str, secret: str) -> None:
    cleaned = redact(text, mask_phones=True)
    assert secret not in cleaned, cleaned
    assert "redacted" in cleaned or "xxx" in cleaned


def test_ordinary_text_is_left_alone() -> None:
    for text in ("GET /requests/duplicates?category_code=appliance&lat=13.7 200", "dispatch tick: 3 offers",
                 "status code 404", "หม้อหุงข้าว code 5"):
        assert redact(text) == text
    assert redact("verified +66812345678", mask_phones=True) == "verified 081-xxx-5678"
    assert redact("โทร ๐๘๑-๒๓๔-๕๖๗๘", mask_phones=True) == "โทร 081-xxx-5678"
    assert redact("ยอด ๑๒๓๔๕๖๗๘๙๐๑ บาท", mask_phones=True) == "ยอด ๑๒๓๔๕๖๗๘๙๐๑ บาท"  # no phone: too long
    # Development mode logs the local sign-in code for its number: the number stays whole there, secrets do not.
    assert redact(f"for +66812345678 token={JWT}", mask_phones=False) == "for +66812345678 token=[redacted]"


def access_record(path: str) -> logging.LogRecord:
    """What uvicorn's access logger makes: a format string and a 5-tuple of arguments."""
    return logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5555", "GET", path, "1.1", 200), None,
    )


@pytest.fixture
def fixit_records() -> Iterator[None]:
    before, masking = logging.getLogRecordFactory(), _Policy.mask_phones
    install_record_factory()
    _Policy.mask_phones = True
    yield
    logging.setLogRecordFactory(before)
    _Policy.mask_phones = masking


def test_the_access_log_never_holds_a_token(fixit_records: None) -> None:
    record = access_record(f"/events?access_token={JWT}")
    assert JWT not in record.getMessage()
    assert isinstance(record.args, tuple) and len(record.args) == 5  # uvicorn's own formatter still works
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/events?access_token=[redacted]" and line["status"] == 200
    assert "203.0.113.9" not in json.dumps(line)  # no client address either
    assert JWT not in TextFormatter().format(access_record(f"/events?access_token={JWT}"))


def test_records_carry_the_request_id_of_their_request(fixit_records: None) -> None:
    token = request_id.set("req-42")
    try:
        record = logging.getLogger("fixit.test").makeRecord("fixit.test", logging.INFO, __file__, 1, "hi", (), None)
    finally:
        request_id.reset(token)
    assert getattr(record, "request_id", None) == "req-42"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42" and line["msg"] == "hi" and line["level"] == "INFO"
    assert "[req-42]" in TextFormatter().format(record)


def test_a_secret_in_the_format_string_itself_is_redacted(fixit_records: None) -> None:
    record = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, f"token={JWT} for %s",
                                               ("+66812345678",), None)
    assert record.getMessage() == "token=[redacted] for 081-xxx-5678"


def test_exceptions_in_json_lines_are_redacted_too() -> None:
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert JWT not in line and "ValueError" in json.loads(line)["exc"]


def test_request_ids_from_outside_are_taken_only_when_sane() -> None:
    assert sane_request_id("lb-1234.abc:9") == "lb-1234.abc:9"
    for hostile in (None, "", "a b", "x" * 129, "id\r\nSet-Cookie: a=b", "<script>"):
        made = sane_request_id(hostile)
        assert made != hostile and len(made) == 32


async def test_the_middleware_echoes_the_id_and_sets_it_for_the_request() -> None:
    seen: list[str | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(request_id.get())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    transport = httpx.ASGITransport(app=EdgeMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/", headers={"X-Request-ID": "abc-1"})
    assert response.headers["x-request-id"] == "abc-1" and seen == ["abc-1"]
    assert request_id.get() is None  # not leaked past the request


def test_configure_logging_writes_json_lines_and_honours_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    factory, masking = logging.getLogRecordFactory(), _Policy.mask_phones
    try:
        configure_logging(Settings(log_format="json", access_log=False))
        configure_logging(Settings(log_format="json", access_log=False))  # idempotent: still one handler
        assert len([h for h in root.handlers if getattr(h, "fixit", False)]) == 1
        logging.getLogger("fixit.test").warning("sent %s", f"access_token={JWT}")
        assert not logging.getLogger("uvicorn.access").hasHandlers()  # uvicorn then writes no access log
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
        assert lines[-1]["msg"] == "sent access_token=[redacted]" and lines[-1]["logger"] == "fixit.test"
        configure_logging(Settings(log_format="text", access_log=True))
        assert logging.getLogger("uvicorn.access").hasHandlers()
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
        logging.setLogRecordFactory(factory)
        _Policy.mask_phones = masking


def test_the_uvicorn_log_config_is_valid_and_redacts() -> None:
    """dictConfig replaces the process's logging: run it in a process of its own, as uvicorn would."""
    script = f"""
import logging, logging.config
from backend.logs import uvicorn_log_config
from backend.settings import PROJECT_ROOT, Settings
logging.config.dictConfig(uvicorn_log_config(Settings(log_format="json", access_log=True)))
logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d',
                                         "203.0.113.9:1", "GET", "/events?access_token={JWT}", "1.1", 200)
logging.getLogger("uvicorn.error").info("Started server process")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=PROJECT_ROOT, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["logger"] for line in lines] == ["uvicorn.access", "uvicorn.error"], done.stderr
    assert lines[0]["path"] == "/events?access_token=[redacted]" and JWT not in done.stderr
    assert uvicorn_log_config(Settings(access_log=False))["loggers"]["uvicorn.access"]["propagate"] is False
