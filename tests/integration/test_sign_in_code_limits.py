"""The sign-in code limits count what one sender really is (audit 12, finding 6): an IPv6 client's address by
its /64."""

import secrets

import httpx

from backend.app import create_app
from backend.settings import Settings
from tests.helpers import fresh_phone


async def test_sign_in_codes_are_limited_per_ipv6_network(settings: Settings) -> None:
    """10 codes per client address per 10 min is what stops one machine from spending the 300 overall (an SMS
    each with Supabase Auth, and then nobody in the country can sign in until the window turns). A home or mobile
    IPv6 subscriber is given a whole /64 and may use any address in it; the bucket was `otp:addr:<full address>`,
    so every new address started from zero. Here four requests from one /64 with a limit of three: the fourth is
    refused, and the neighbouring /64 still gets its code."""
    tight = settings.model_copy(update={"otp_requests_per_address": 3})
    site, subnet = secrets.randbelow(0x10000), secrets.randbelow(0xFFFF)  # this run's own /64, and the next one
    network, neighbour = f"2001:db8:{site:x}:{subnet:x}", f"2001:db8:{site:x}:{subnet + 1:x}"
    hosts = [f"{network}::1", f"{network}::2", f"{network}::3", f"{network}:ab:cd:ef:12", f"{neighbour}::1"]
    answers = []
    app = create_app(tight)
    async with app.router.lifespan_context(app):
        for host in hosts:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(host, 40000)), base_url="http://fixit.test",
            ) as api:
                answers.append((await api.post("/auth/otp/request", json={"phone": fresh_phone()})).status_code)
    assert answers == [200, 200, 200, 429, 200], answers
