"""`serve`'s HTTP protocol sends a response's head and body in one write, with the same bytes as uvicorn's own."""

import asyncio
from typing import Any

from starlette.types import Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from backend.http_protocol import FixitHttpProtocol


class RecordingTransport(asyncio.Transport):
    """What the protocol writes, call by call."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    more = True
    while more:  # reads the request's body (a 100-continue client sends it only when asked)
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    answer = b'{"ok":true,"got":%d}' % len(body)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]})
    await send({"type": "http.response.body", "body": answer})


def connect(protocol_class: type[HttpToolsProtocol], asgi_app: Any = app
            ) -> tuple[HttpToolsProtocol, RecordingTransport, ServerState]:
    """A protocol of that class serving `asgi_app` on a fresh connection that records what is written."""
    config = Config(app=asgi_app, http=protocol_class, lifespan="off", log_level="warning")
    config.load()
    state = ServerState()
    protocol = protocol_class(config=config, server_state=state, app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    return protocol, transport, state


async def exchange(protocol_class: type[HttpToolsProtocol], *chunks: bytes) -> list[bytes]:
    protocol, transport, state = connect(protocol_class)
    for chunk in chunks[:-1]:
        # A client that sends more only when answered (100-continue): until the answer is written.
        protocol.data_received(chunk)
        written = len(transport.writes)
        for _ in range(10_000):
            if len(transport.writes) > written:
                break
            await asyncio.sleep(0)
    protocol.data_received(chunks[-1])
    await asyncio.gather(*state.tasks)
    protocol.connection_lost(None)
    return transport.writes


async def test_one_write_per_response_with_uvicorns_bytes() -> None:
    request = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
    ours = await exchange(FixitHttpProtocol, request)
    theirs = await exchange(HttpToolsProtocol, request)
    assert len(ours) == 1 and len(theirs) == 2  # uvicorn: the head, then the body
    assert ours[0] == b"".join(theirs)
    assert ours[0].startswith(b"HTTP/1.1 200 OK\r\n") and ours[0].endswith(b'{"ok":true,"got":0}')


async def test_a_head_request_and_a_100_continue_still_go_out() -> None:
    head = b"HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n"
    assert await exchange(FixitHttpProtocol, head) == [b"".join(await exchange(HttpToolsProtocol, head))]
    asks = b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
    ours = await exchange(FixitHttpProtocol, asks, b"abc")
    # The interim answer leaves at once (the client waits for it before sending its body), the response in one go.
    assert ours[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert len(ours) == 2 and ours[1].startswith(b"HTTP/1.1 200 OK\r\n") and ours[1].endswith(b'"got":3}')


async def test_a_streams_head_does_not_wait_for_its_first_chunk() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        started.set()
        await release.wait()  # an event stream with nothing to say yet
        await send({"type": "http.response.body", "body": b"data: 1\n\n"})

    protocol, transport, state = connect(FixitHttpProtocol, stream)
    protocol.data_received(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
    await started.wait()
    for _ in range(10_000):  # turns of the loop until the head is out; the stream is still waiting
        if transport.writes:
            break
        await asyncio.sleep(0)
    assert len(transport.writes) == 1 and transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding: chunked" in transport.writes[0]
    release.set()
    await asyncio.gather(*state.tasks)
    assert transport.writes[1] == b"9\r\ndata: 1\n\n\r\n0\r\n\r\n"  # the chunk and the end of the stream
    protocol.connection_lost(None)
