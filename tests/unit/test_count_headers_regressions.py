"""The app's count headers (X-Unread-Count, X-Total-Count) read with one helper, shared.wire.count_from_header:
digits str.isdigit() takes and int() refuses ("²", "⑤") are no count, never a ValueError in the call that read them
(audit18a)."""

import httpx
import pytest

from shared.credit_wire import total_count_from_header
from shared.wire import count_from_header, unread_count_from_header
from tests.unit.mobile_fakes import FakeBackend


@pytest.mark.parametrize("value", ["²", "⑤", "1²"])
def test_a_count_header_int_cannot_read_is_no_count(value: str) -> None:
    assert unread_count_from_header(value) is None
    assert total_count_from_header(value) is None


@pytest.mark.parametrize(("value", "count"), [("0", 0), (" 12 ", 12), ("007", 7), ("", None), ("-1", None),
                                              ("1.5", None), ("๑๒", None), ("9" * 5000, None), (None, None)])
def test_a_count_header_is_a_whole_number_in_ascii_digits(value: str | None, count: int | None) -> None:
    assert count_from_header(value) == count


async def test_the_own_list_survives_an_unreadable_unread_count_header() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    counted: list[int] = []
    api.on_unread_count = counted.append
    backend.overrides[("GET", "/requests/mine")] = lambda _: httpx.Response(
        200, json=[], headers={b"X-Unread-Count": b"\xb2"})
    assert (await api.my_requests()).rows == []
    assert counted == []
