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

    def __init__(self, geocoder: Any, *, timeout_seconds: float = 5.0) -> None:
        self._geocoder = geocoder
        self._timeout = timeout_seconds

    async def reverse(self, lat: float, lon: float) -> Place | None:
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
    return GeopyReverseGeocoder(geocoder, timeout_seconds=settings.geocoder_timeout_seconds)
