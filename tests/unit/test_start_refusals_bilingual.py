"""Production's start refusals say each problem in Thai and English, as the operator's commands refuse (known17be):
they were English only, though the two CLI refusals beside them were bilingual."""

import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from backend.production import invalid_settings, start_refusals
from backend.settings import AuthMode, Settings

THAI = re.compile(r"[\u0e00-\u0e7f]")
LATIN_WORDS = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}")  # a phrase of English, not a variable's name


def _both_languages(problem: str) -> bool:
    """Thai on its first line, English on the next (`shared.text.refusal_line`)."""
    lines = problem.split("\n")
    return len(lines) == 2 and bool(THAI.search(lines[0])) and bool(LATIN_WORDS.search(lines[1])) \
        and not THAI.search(lines[1])


def test_every_settings_refusal_is_in_thai_and_english(tmp_path: Path) -> None:
    """A production start with nothing set right: every problem named, each in both languages."""
    settings = Settings(_env_file=None, dev_mode=False, auth_mode=AuthMode.LOCAL,  # type: ignore[call-arg]
                        jwt_secret=SecretStr(""), public_url="http://api.example", data_dir=tmp_path,
                        notify_channels=["console", "pigeon", "webpush"], notify_link_base="")
    problems = start_refusals(settings, lambda: "")
    assert len(problems) >= 7, problems
    assert [p for p in problems if not _both_languages(p)] == [], problems
    assert any("FIXIT_AUTH_MODE=local" in p and "FIXIT_AUTH_MODE=supabase" in p for p in problems), problems


def test_an_invalid_setting_is_named_in_thai_and_english() -> None:
    try:
        Settings(_env_file=None, dispatch_tick_seconds=0)  # type: ignore[call-arg]
    except ValidationError as exc:
        lines = invalid_settings(exc)
    else:
        raise AssertionError("FIXIT_DISPATCH_TICK_SECONDS=0 was taken")
    assert lines and all(_both_languages(line) for line in lines), lines
    assert "FIXIT_DISPATCH_TICK_SECONDS=0" in lines[0], lines


def test_the_start_checks_connection_gives_up_as_the_commands_do(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    """`_connects` gives the operator's commands 10 s (backend/cli.py); `serve` and `uvicorn backend.asgi:app` look at
    the same DATABASE_URL through `start_refusals`, whose connections named no timeout: psycopg's default, 130 s per
    address, before the refusal was printed (review17a, finding 3). What each connection it makes would wait is read
    from the arguments it passes (no clock in a test)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo, timeout_from_conninfo

    waits: list[int] = []

    def connect(conninfo: str = "", **kwargs: object) -> psycopg.Connection[tuple[object, ...]]:
        params = {k: v for k, v in kwargs.items() if k not in ("autocommit", "row_factory")}
        waits.append(timeout_from_conninfo(conninfo_to_dict(make_conninfo(conninfo, **params))))  # type: ignore[arg-type]
        raise psycopg.OperationalError("connection timeout expired")

    monkeypatch.setattr(psycopg, "connect", connect)
    url = "postgresql://fixit:pw@10.255.255.1:5432/fixit"
    settings = Settings(_env_file=None, dev_mode=False, database_url=url, data_dir=tmp_path)  # type: ignore[call-arg]
    problems = start_refusals(settings, lambda: url)
    assert waits and any("10.255.255.1" in p for p in problems), problems
    assert max(waits) <= 10, waits
