"""uvicorn's httptools protocol, with each response's status line and headers sent together with its body.

uvicorn writes a response's head and its body in two `transport.write` calls, and uvloop sends each at once: two
`send` system calls per response, each waking the client to read half an answer. On this project's machines
(virtualised, syscalls and wake-ups dear) the head's own send was ~25 % of a worker's CPU on `GET /health`
(py-spy, issue 15). Here the head waits for the body's first write and both leave in one call. Nothing else
changes: the bytes on the wire are the same, a `100 Continue` still goes at once, a response that writes no body
(HEAD) or ends early sends its head when it completes or closes, and a stream's head does not wait for its first
chunk (it goes at the end of the loop's turn).
"""

import asyncio
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _HeadWithBody:
    """The cycle's transport: holds the first write after the response started (the head) until the next one."""

    __slots__ = ("_cycle", "_head_seen", "_held", "_transport")

    def __init__(self, cycle: RequestResponseCycle, transport: asyncio.Transport) -> None:
        self._cycle = cycle
        self._transport = transport
        self._held: bytes | None = None
        self._head_seen = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is not None:
            data, self._held = self._held + bytes(data), None
        elif not self._head_seen and self._cycle.response_started:
            self._head_seen = True
            self._held = bytes(data)
            # A plain response writes its body in this same turn of the loop (nothing in between waits). A stream
            # whose first chunk comes later must not keep its client waiting for the head: it leaves by itself at
            # the end of this turn.
            asyncio.get_running_loop().call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _flushing_first(head: _HeadWithBody, on_response: Callable[..., None]) -> Callable[..., None]:
    def completed(*args: Any, **kwargs: Any) -> None:
        head.flush()
        on_response(*args, **kwargs)

    return completed


class FixitHttpProtocol(HttpToolsProtocol):
    """`uvicorn --http backend.http_protocol:FixitHttpProtocol` (what `serve` and the benches run)."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # A new cycle's task has been created but has not run yet: its transport can still be swapped.
        if cycle is not None and not isinstance(cycle.transport, _HeadWithBody):
            head = _HeadWithBody(cycle, self.transport)
            cycle.transport = head  # type: ignore[assignment]
            cycle.on_response = _flushing_first(head, cycle.on_response)
