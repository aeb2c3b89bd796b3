"""The sign-in code limits hold in both auth modes and count what one sender really is (audit 12, findings 2 and
6): 5 codes per phone per 15 min with Supabase Auth too, and an IPv6 client's address counted by its /64."""

import secrets

import httpx
import respx
from pydantic import SecretStr

from backend.app import create_app
from backend.settings import AuthMode, Settings
from tests.helpers import fresh_phone

SUPABASE = "https://abcdefgh.supabase.co"


async def test_supabase_mode_limits_codes_per_phone(database_url: str) -> None:
    """README: "sign-in codes: 5 per phone per 15 min" in both modes. In Supabase mode the route spent the address
    and overall buckets and called GoTrue, which only spaces sends to one phone (its SMS max frequency, 60 s by
    default): a stranger's phone could be texted every minute, 15 per 15 min instead of 5 (each SMS is paid), from
    one address up to its 10 per 10 min and without end from several. Here every request for the same phone
    reaches Supabase's /otp (the fake does not space them); the sixth is refused before it, as the local issuer
    refuses it."""
    settings = Settings(
        database_url=database_url, auth_mode=AuthMode.SUPABASE, jwt_secret=SecretStr(secrets.token_urlsafe(48)),
        supabase_url=SUPABASE, supabase_anon_key=SecretStr("anon-key"), dispatch_tick_seconds=3600.0,
        notify_worker_seconds=0.0,
        # Generous address and overall allowances: the attacker's addresses are many; the phone is one.
        otp_requests_per_address=100_000, otp_requests_overall=100_000,
    )
    app = create_app(settings)
    phone = fresh_phone()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as api, respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        sms = fake.post("/otp").respond(200, json={})
        answers = [await api.post("/auth/otp/request", json={"phone": phone})
                   for _ in range(settings.otp_max_sends_per_window + 1)]
        sent = sms.call_count
        other_phone = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert [a.status_code for a in answers[:-1]] == [200] * settings.otp_max_sends_per_window
    refused = answers[-1]
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "otp_rate_limited" and int(refused.headers["Retry-After"]) > 0
    wait = refused.headers["Retry-After"]
    assert wait in error["message_th"] and wait in error["message_en"]
    assert sent == settings.otp_max_sends_per_window  # the refused one never reached Supabase
    assert other_phone.status_code == 200  # another phone still gets its code


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
