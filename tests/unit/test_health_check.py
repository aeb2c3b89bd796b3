"""backend.health_check.FreshCheck: callers asking together share one run, and never one that began before they
asked (a load balancer must not be told what was true before its question)."""

import asyncio
from collections.abc import Callable

import pytest

from backend.health_check import FreshCheck


class Gate:
    """A check the test lets finish one run at a time; each run answers its own number."""

    def __init__(self) -> None:
        self.runs = 0
        self.began = asyncio.Event()
        self.release = asyncio.Event()
        self.fail_next: Exception | None = None

    async def __call__(self) -> int:
        self.runs += 1
        number = self.runs
        self.began.set()
        await self.release.wait()
        self.release.clear()
        self.began.clear()
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        return number

    async def finish_run(self) -> None:
        """Lets the run under way finish, and returns once it has (its callers may not have resumed yet)."""
        await self.began.wait()
        self.release.set()
        await until(lambda: not self.release.is_set())


async def until(condition: Callable[[], bool]) -> None:
    """Yields to the loop until the condition holds (the tasks under test have reached their await). No time passes:
    each step only lets the ready tasks run, and a condition that a thousand steps do not bring is a failure."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the tasks under test never reached the state awaited")


async def test_a_lone_caller_gets_its_own_run() -> None:
    gate = Gate()
    check = FreshCheck(gate)
    caller = asyncio.create_task(check())
    await gate.finish_run()
    assert await caller == 1
    assert gate.runs == 1


async def test_callers_during_a_run_share_the_next_one_not_the_running_one() -> None:
    gate = Gate()
    check = FreshCheck(gate)
    first = asyncio.create_task(check())
    await gate.began.wait()  # run 1 is under way: whoever asks now asked after it began
    later = [asyncio.create_task(check()) for _ in range(5)]
    await until(lambda: check.gathered == 5)
    await gate.finish_run()
    assert await first == 1
    await gate.finish_run()
    assert [await caller for caller in later] == [2, 2, 2, 2, 2]
    assert gate.runs == 2  # six callers, two round trips
    assert check.gathered == 0


async def test_nothing_runs_when_nobody_asks_and_the_next_caller_starts_afresh() -> None:
    gate = Gate()
    check = FreshCheck(gate)
    caller = asyncio.create_task(check())
    await gate.finish_run()
    assert await caller == 1
    for _ in range(10):
        await asyncio.sleep(0)
    assert gate.runs == 1  # no run was started for nobody
    again = asyncio.create_task(check())
    await gate.finish_run()
    assert await again == 2


async def test_a_caller_that_leaves_does_not_cancel_the_run_others_wait_for() -> None:
    gate = Gate()
    check = FreshCheck(gate)
    leaving = asyncio.create_task(check())
    await gate.began.wait()
    staying = asyncio.create_task(check())
    also_leaving = asyncio.create_task(check())
    await until(lambda: check.gathered == 2)
    leaving.cancel()
    also_leaving.cancel()
    await gate.finish_run()
    await gate.finish_run()
    assert await staying == 2
    with pytest.raises(asyncio.CancelledError):
        await leaving
    with pytest.raises(asyncio.CancelledError):
        await also_leaving


async def test_a_run_that_raises_reaches_its_callers_and_the_next_run_is_fresh() -> None:
    gate = Gate()
    check = FreshCheck(gate)
    gate.fail_next = RuntimeError("a bug in the check")
    failing = asyncio.create_task(check())
    await gate.began.wait()
    gathered = asyncio.create_task(check())
    await until(lambda: check.gathered == 1)
    await gate.finish_run()
    with pytest.raises(RuntimeError, match="a bug in the check"):
        await failing
    await gate.finish_run()
    assert await gathered == 2  # the run it gathered for is its own, not the failed one
