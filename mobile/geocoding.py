"""Geocoding for the request form: a pin becomes an address and its province/district/sub-district (reverse), and
a chosen sub-district becomes a pin (forward: for someone without GPS who cannot aim at a map).

Off unless flet.toml (or FIXIT_APP_GEOCODER) names a geocoder: then nothing here is ever called. The one
kind so far is Nominatim through geopy. geopy blocks, so the call runs in a worker thread with a short
timeout; any failure (network, timeout, refusal, an answer with no address) comes back as None, and the
form just leaves its fields alone.

Nominatim's usage policy asks for an identifying user agent and at most one request a second: the form
asks only after a GPS fix, a map tap or a tap on "ปักหมุดที่ตำบลที่เลือก" (only the area's names leave the device
then), and a self-hosted Nominatim can be named with `geocoder_domain`.
"""

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from mobile.settings import AppSettings

log = logging.getLogger(__name__)

NOMINATIM = "nominatim"
GEOCODERS = ("", NOMINATIM)
# Address parts that never name a province, district or sub-district.
_NOT_AREAS = frozenset({"country", "country_code", "postcode", "house_number", "road", "ISO3166-2-lvl4"})
# Names come back in Thai: they are matched against geothai's Thai names, and technicians read Thai.
LANGUAGE = "th"
# Nominatim's usage policy: at most one request a second, for the whole application (review28a #3).
NOMINATIM_INTERVAL_SECONDS = 1.0


class Spacing:
    """Calls to one outside service at most one per `interval`, whoever makes them. Served as a web page, every
    visitor's session runs in the web app's one process and calls from its one address: Nominatim blocks an address
    over its one request a second, and then no visitor gets an address from a pin (review28a #3). Each call takes the
    next free turn (no lock: the turns are handed out between awaits on the server's one event loop) and waits for it;
    a turn further off than `longest_wait` is not taken (the look-up would time out anyway), so a burst of taps
    queues nothing behind it."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.next_at = -math.inf  # the clock's time of the next free turn

    async def turn(self, longest_wait: float) -> bool:
        """Waits for this call's turn; False (nothing taken) when it would come after `longest_wait` seconds."""
        now = self.clock()
        at = max(now, self.next_at)
        if at - now > longest_wait:
            return False
        self.next_at = at + self.interval
        if at > now:
            await self.sleep(at - now)
        return True


# The web app's process asks Nominatim through this one spacing, from every session (geocoder_from_settings).
NOMINATIM_SPACING = Spacing(NOMINATIM_INTERVAL_SECONDS)


@dataclass(frozen=True)
class Place:
    """What a reverse geocoder says is at a point: one line of address, its named parts, the postcode."""

    address: str
    parts: dict[str, str] = field(default_factory=dict)
    postcode: str = ""


@dataclass(frozen=True)
class Found:
    """Where a forward geocoder puts a named place: a point, and its address there (to check it is the one asked)."""

    lat: float
    lon: float
    place: Place


class ReverseGeocoder(Protocol):
    async def reverse(self, lat: float, lon: float) -> Place | None: ...


@runtime_checkable
class AreaGeocoder(Protocol):
    """A geocoder that also finds a named place (the form's "pin the chosen sub-district")."""

    async def reverse(self, lat: float, lon: float) -> Place | None: ...

    async def search(self, query: str) -> Found | None: ...


class GeopyReverseGeocoder:
    """Any geopy geocoder with `.reverse((lat, lon), exactly_one=..., language=..., timeout=...)`."""

    def __init__(self, geocoder: Any, *, timeout_seconds: float = 5.0, spacing: Spacing | None = None) -> None:
        """`spacing`: the calls' turns, shared by every session of the process (None: none, a fake geocoder)."""
        self._geocoder = geocoder
        self._timeout = timeout_seconds
        self._spacing = spacing

    async def _turn(self) -> bool:
        return self._spacing is None or await self._spacing.turn(self._timeout)

    async def reverse(self, lat: float, lon: float) -> Place | None:
        if not await self._turn():
            log.info("reverse geocoding %.5f,%.5f skipped: the geocoder's turns are taken", lat, lon)
            return None
        try:
            # geopy's own timeout stops the HTTP call; wait_for is the backstop should it not.
            location = await asyncio.wait_for(
                asyncio.to_thread(
                    self._geocoder.reverse,
                    (lat, lon),
                    exactly_one=True,
                    language=LANGUAGE,
                    timeout=self._timeout,
                ),
                timeout=self._timeout + 1,
            )
        except Exception as exc:  # a hint only: whatever went wrong, the form carries on
            log.info("reverse geocoding %.5f,%.5f failed: %r", lat, lon, exc)
            return None
        return place_from_location(location)

    async def search(self, query: str) -> Found | None:
        """The one best match in Thailand for a place's name (a sub-district, with its district and province)."""
        if not await self._turn():
            log.info("geocoding an area skipped: the geocoder's turns are taken")
            return None
        try:
            location = await asyncio.wait_for(
                asyncio.to_thread(
                    self._geocoder.geocode,
                    query,
                    exactly_one=True,
                    language=LANGUAGE,
                    country_codes="th",
                    addressdetails=True,
                    timeout=self._timeout,
                ),
                timeout=self._timeout + 1,
            )
        except Exception as exc:  # as for reverse: whatever went wrong, the form carries on
            log.info("geocoding an area failed: %r", exc)
            return None
        place = place_from_location(location)
        lat, lon = getattr(location, "latitude", None), getattr(location, "longitude", None)
        if place is None or not isinstance(lat, int | float) or not isinstance(lon, int | float):
            return None
        return Found(float(lat), float(lon), place)


def place_from_location(location: Any) -> Place | None:
    """A geopy Location (its `address` line and Nominatim's `raw["address"]` parts) as a Place."""
    if location is None:
        return None
    raw = getattr(location, "raw", None)
    details = raw.get("address") if isinstance(raw, dict) else None
    parts = details if isinstance(details, dict) else {}
    address = getattr(location, "address", "")
    return Place(
        address=address.strip() if isinstance(address, str) else "",
        parts={k: v for k, v in parts.items() if isinstance(v, str) and k not in _NOT_AREAS},
        postcode=str(parts.get("postcode") or "").strip(),
    )


def geocoder_from_settings(settings: AppSettings) -> ReverseGeocoder | None:
    """The configured reverse geocoder, or None (the default) when there is none: then none is ever made."""
    kind = settings.geocoder.strip().lower()
    if kind != NOMINATIM:
        return None
    from geopy.geocoders import Nominatim  # imported only when configured

    domain, scheme = settings.geocoder_domain.strip(), None
    for prefix in ("https://", "http://"):
        if domain.startswith(prefix):
            domain, scheme = domain.removeprefix(prefix), prefix.removesuffix("://")
    geocoder = Nominatim(
        user_agent=settings.geocoder_user_agent,
        domain=domain.rstrip("/"),
        scheme=scheme,
        timeout=settings.geocoder_timeout_seconds,
    )
    # The module's spacing, read now (not bound at import): every session of the web app shares it.
    return GeopyReverseGeocoder(geocoder, timeout_seconds=settings.geocoder_timeout_seconds,
                                spacing=NOMINATIM_SPACING)
