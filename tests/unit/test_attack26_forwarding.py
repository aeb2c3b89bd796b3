"""attack26 #1: the web app's server passes each browser visitor's address to the API, and nothing else."""

from types import SimpleNamespace
from typing import Any

import httpx

from mobile.api_client import forwarding_headers
from mobile.app import backend_client


def test_only_an_ip_address_is_passed_on() -> None:
    assert forwarding_headers("203.0.113.9") == {"X-Forwarded-For": "203.0.113.9"}
    assert forwarding_headers("2001:db8::1") == {"X-Forwarded-For": "2001:db8::1"}
    assert forwarding_headers(None) == {} and forwarding_headers("") == {}
    assert forwarding_headers("1.2.3.4, 5.6.7.8") == {} and forwarding_headers("evil\r\nX: y") == {}


async def test_a_web_page_sends_its_visitors_address_and_a_phone_app_none() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return httpx.Response(200, json={"phone": "+66811111111", "expires_in": 60, "dev_code": None,
                                         "code_length": 6})

    transport = httpx.MockTransport(answer)
    pages: list[Any] = [SimpleNamespace(web=True, client_ip="198.51.100.4"),
                        SimpleNamespace(web=False, client_ip=None)]
    for page in pages:
        api = backend_client(page, transport=transport)
        await api.request_otp("0811111111")
        await api.aclose()
    assert seen == ["198.51.100.4", None]
