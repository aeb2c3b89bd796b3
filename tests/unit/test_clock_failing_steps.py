"""The clock's memory of failing requests (backend/services/dispatch.py `_FailingSteps`): warned once with the
traceback, again at most once an interval, recovered once, and bounded."""

import logging
import uuid

import pytest

from backend.services.dispatch import _FailingSteps


def _warnings(caplog: pytest.LogCaptureFixture, request_id: uuid.UUID) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "fixit.dispatch" and r.levelno >= logging.WARNING and str(request_id) in r.getMessage()]


def test_a_failing_request_is_warned_of_again_only_after_the_interval(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fixit.dispatch")
    quiet, loud = uuid.uuid4(), uuid.uuid4()
    hourly, always = _FailingSteps(every=3600.0), _FailingSteps(every=0.0)
    for _ in range(3):
        hourly.failed(quiet, "escalating", RuntimeError("boom"))
        always.failed(loud, "escalating", RuntimeError("boom"))
    assert len(_warnings(caplog, quiet)) == 1 and _warnings(caplog, quiet)[0].exc_info is not None
    warned = _warnings(caplog, loud)
    assert len(warned) == 3 and "failed 1 times since" in warned[1].getMessage()


def test_a_request_that_recovers_is_said_once_and_forgotten(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fixit.dispatch")
    request = uuid.uuid4()
    steps = _FailingSteps()
    steps.failed(request, "handing on", RuntimeError("boom"))
    steps.succeeded(request, "handing on")
    steps.succeeded(request, "handing on")
    recovered = [r for r in caplog.records if "succeeded again" in r.getMessage()]
    assert len(recovered) == 1
    steps.failed(request, "handing on", RuntimeError("boom"))
    assert len(_warnings(caplog, request)) == 2  # failing afresh: told afresh


def test_the_memory_of_failing_requests_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fixit.dispatch")
    steps = _FailingSteps(limit=2)
    first, *others = [uuid.uuid4() for _ in range(3)]
    for request in (first, *others):
        steps.failed(request, "dispatching", RuntimeError("boom"))
    steps.failed(first, "dispatching", RuntimeError("boom"))  # forgotten (the oldest): warned of again
    assert len(_warnings(caplog, first)) == 2
    steps.failed(others[1], "dispatching", RuntimeError("boom"))  # still remembered
    assert len(_warnings(caplog, others[1])) == 1
