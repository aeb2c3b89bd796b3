"""Rate limits that hold across every backend copy: a counter per bucket and fixed window in PostgreSQL.

A counter row is taken with one upsert, in the caller's transaction: when the caller's work rolls back, so does
the hit (a refused request does not use up the allowance)."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.db import Conn
from backend.errors import ApiError


@dataclass(frozen=True)
class Limit:
    bucket: str  # e.g. "otp:addr:203.0.113.9"
    hits: int  # allowed per window
    window: timedelta


def client_network(address: str) -> str:
    """What a per-address limit counts for a client: an IPv4 address as it is, an IPv6 address by its /64. A home
    or mobile IPv6 subscriber is given a whole /64 and may send from any of its 2^64 addresses, so counting them
    apart would let one machine start from zero at every request. An IPv4 address written as IPv6 (`::ffff:…`)
    counts as that IPv4 address; anything that is not an address (a test client's name) as it is."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])  # without an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


async def spend(conn: Conn, limit: Limit, now: datetime, code: str = "too_many_requests") -> None:
    """Count one hit; 429 with Retry-After once the window's allowance is used up."""
    start = window_start(now, limit.window)
    row = await (
        await conn.execute(
            """insert into private.rate_counters as c (bucket, window_start, hits) values (%s, %s, 1)
               on conflict (bucket, window_start) do update set hits = c.hits + 1
               returning hits""",
            [limit.bucket, start],
        )
    ).fetchone()
    assert row is not None
    if row["hits"] > limit.hits:
        raise refusal(limit, now, code)


async def refund(conn: Conn, limit: Limit, now: datetime) -> None:
    """Take back one hit `spend` counted at `now`: what it paid for did not happen (review26b #1: a code Supabase
    Auth never sent). Never below zero."""
    await conn.execute(
        """update private.rate_counters set hits = hits - 1
           where bucket = %s and window_start = %s and hits > 0""",
        [limit.bucket, window_start(now, limit.window)],
    )


def refusal(limit: Limit, now: datetime, code: str = "too_many_requests") -> ApiError:
    """The 429 of a spent window, with Retry-After: the seconds until the next window."""
    wait = max(1, int((window_start(now, limit.window) + limit.window - now).total_seconds()))
    return ApiError(429, code, headers={"Retry-After": str(wait)}, seconds=wait)


async def spent(conn: Conn, limit: Limit, now: datetime, *, hold: bool = False) -> bool:
    """Whether the window's allowance is used up, counting nothing: for a limit that counts only some outcomes
    (a wrong code, not a right one), asked before the outcome is known. `hold`: the window's counter row is locked
    until the caller's transaction ends (made, at 0, if missing), so callers that check, act and then count
    (`spend`) take turns and none acts on a count another is about to raise (audit26 F3: deliveries in flight
    together each passed the plain read, past the cap)."""
    start = window_start(now, limit.window)
    if hold:
        row = await (await conn.execute(
            """insert into private.rate_counters as c (bucket, window_start, hits) values (%s, %s, 0)
               on conflict (bucket, window_start) do update set hits = c.hits
               returning hits""", [limit.bucket, start])).fetchone()
    else:
        row = await (await conn.execute(
            "select hits from private.rate_counters where bucket = %s and window_start = %s",
            [limit.bucket, start])).fetchone()
    return row is not None and int(row["hits"]) >= limit.hits


async def purge(conn: Conn, now: datetime, keep: timedelta = timedelta(days=1)) -> int:
    """Old windows and spent sign-in codes: nothing a limit still needs."""
    row = await (
        await conn.execute(
            """with counters as (delete from private.rate_counters where window_start < %(old)s returning 1),
                    codes as (delete from private.otp_codes where expires_at < %(now)s and window_started_at < %(old)s
                              returning 1)
               select (select count(*) from counters) + (select count(*) from codes) as n""",
            {"old": now - keep, "now": now},
        )
    ).fetchone()
    return int(row["n"]) if row else 0
