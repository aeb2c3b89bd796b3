"""The repair request form: draft, checks, photos, location, and a send that is safe to retry.

No Flet here: the view hands over plain values (text, bytes from the file picker, floats from GPS or the
map), and reads back plain values and messages in the current language.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from mobile.api_client import ApiClient, ApiError
from mobile.geocoding import AreaGeocoder, ReverseGeocoder
from mobile.models import Category, DuplicateSummary, RequestDetail
from mobile.outbox import ItemState, OutboxItem, OutboxPhoto, StorageRefused
from mobile.photo_picking import PickedPhoto, PickPhotos, prepare, rejection_text
from mobile.viewmodels.busy import answered
from mobile.viewmodels.local_ids import local_id
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.retry_wait import RetryWait
from mobile.viewmodels.session import Session
from shared import thai_address
from shared.display_names import clean_display_name
from shared.geo import in_thailand
from shared.phone import InvalidPhone, national_format, normalize_thai_phone
from shared.photos import MAX_PHOTOS_PER_REQUEST, PhotoRejected, check_photo_count
from shared.request_rules import WEEKDAYS, DraftProblems, RequestDraft, ServicePlace, check_draft
from shared.text import Bilingual, Locale, bilingual, error_text
from shared.wire import IDEMPOTENCY_KEY_REUSED

log = logging.getLogger(__name__)

# The backend keeps province, district and sub-district as text of at most 100 characters each; the free-text
# address at most 500 (the form's own limit).
ADDRESS_MAX = 500
# How long a new pin waits for the nearby-requests hint before it is shown without it.
DUPLICATES_WAIT_SECONDS = 2.0

AuthLost = Callable[[ApiError], Awaitable[None]]
Done = Callable[[], Awaitable[None]]
# Takes a draft that could not be sent for lack of network into the persistent outbox.
Offline = Callable[[OutboxItem], Awaitable[None]]

# The fields a problem can be shown next to; the same names as the backend's 400 "fields".
FIELDS = (
    "category_code",
    "item",
    "brand",
    "description",
    "location",
    "address",
    "service_place",
    "preferred_days",
    "contact_phone",
    "pdpa_consent",
)

# Each field's label on the form (shared.text keys), as the error above the send button names the fields to fix: a
# screen reader cannot see which lines are red, and neither can someone at the bottom of a long form.
FIELD_LABELS = {
    "category_code": "category_label",
    "item": "item_label",
    "brand": "brand_label",
    "description": "description_label",
    "location": "location_label",
    "address": "address_label",
    "service_place": "service_place_label",
    "preferred_days": "preferred_days_label",
    "contact_phone": "contact_phone_label",
    "pdpa_consent": "pdpa_label",
}


def _about(template: Bilingual, area: Bilingual) -> Bilingual:
    """A text naming an area ("{area}"), each language with the area's names in it."""
    return Bilingual(template.th.format(area=area.th), template.en.format(area=area.en))


class LocationSource(StrEnum):
    GPS = "gps"
    MAP = "map"
    AREA = "area"  # the middle of the chosen sub-district, found by the geocoder: approximate


class FormState(StrEnum):
    EDITING = "editing"
    SENDING = "sending"
    FAILED = "failed"  # the send stopped (network, server): everything is kept for a retry
    # A refusal that sending the same again cannot cure (a photo too large, a 4xx) is EDITING again, with the
    # message: no retry; the person changes what it names and sends.
    SENT = "sent"


class CategoriesState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class FormPhoto:
    name: str
    image: bytes  # the processed, re-encoded bytes that get uploaded (no EXIF)
    thumbnail: bytes
    content_type: str
    width: int
    height: int
    # Which photo this is on the screen (its thumbnail is keyed by it): two picks of one picture are two photos.
    local_id: int = field(default_factory=local_id, compare=False)


class RequestFormViewModel(Observable):
    def __init__(
        self,
        api: ApiClient,
        session: Session,
        *,
        on_done: Done,
        on_back: Done,
        on_auth_lost: AuthLost,
        on_offline: Offline | None = None,
        from_outbox: OutboxItem | None = None,
        geocoder: ReverseGeocoder | None = None,
    ) -> None:
        super().__init__()
        self._api = api
        self._session = session
        self._on_done = on_done
        self._on_back = on_back
        self._on_auth_lost = on_auth_lost
        self._on_offline = on_offline
        # None unless flet.toml configures one: then a pin never leaves the device for an address lookup.
        self._geocoder = geocoder
        # Made once when the form opens: every retry of this form sends the same key, so the backend
        # stores the request at most once however often the network drops.
        self.idempotency_key: UUID = uuid4()

        self.categories: list[Category] = []
        self.categories_state = CategoriesState.LOADING
        self.category_code = ""
        self.item = ""
        self.brand = ""
        self.description = ""
        self.lat: float | None = None
        self.lon: float | None = None
        self.location_source: LocationSource | None = None
        # The interactive map shows only once asked for: on a phone a finger scrolling the form over it panned the
        # map instead (240 px of a 584 px screen, session 21's walk-through); until then a small tile opens it.
        self.map_open = False
        self.address = ""
        # Optional pickers (geothai codes; "" = not chosen). The POST carries their Thai names.
        self.province_code = ""
        self.district_code = ""
        self.sub_district_code = ""
        self.service_place: str = ServicePlace.CENTRE.value
        self.preferred_days: list[str] = []
        phone = session.profile.phone if session.profile else None
        self.contact_phone = national_format(phone) if phone else ""
        self.pdpa_consent = False
        self.photos: list[FormPhoto] = []

        self.state = FormState.EDITING
        # A failed send's retry waits for its Retry-After (a 429's, a 503's) and comes back by itself.
        self.retry_wait = RetryWait(self._changed)
        self._errors: dict[str, Bilingual] = {}
        self._photo_error: Bilingual | None = None
        # While picked photos are read and shrunk: what the screen says ("กำลังเตรียมรูป 1/2…").
        self.picking = False
        self._photo_progress: Bilingual | None = None
        self._location_notice: Bilingual | None = None
        self._form_error: Bilingual | None = None
        # The server's refusal of a photo, shown until that photo is removed.
        self._refused_photo: Bilingual | None = None
        self.created: RequestDetail | None = None
        # The request the backend stored for this key when the form only knows its id: an outbox draft whose POST got
        # through before a photo failed. Its details are final then (no route changes them): only photos are left.
        self._stored_id: UUID | None = None
        # The outbox draft this form was reopened from (its key): done with once this form is sent or kept again.
        self.outbox_key: str | None = None
        # The backend refused this key with these details (idempotency_key_reused): its request was stored with the
        # first ones. Sending the same again would be refused again; these details may go as a new request.
        self._key_reused = False
        self.uploaded: set[int] = set()
        # Photos whose last send ended without a clear answer (a 5xx, a timeout, the network): the backend may have
        # stored them, so they are sent again, never taken out on the app alone.
        self._in_doubt: set[int] = set()
        # Open requests of the same kind near the pin: a hint, never a block.
        self.duplicates: DuplicateSummary | None = None
        self._duplicates_for: tuple[str, float, float] | None = None
        # Reverse geocoding of the pin: what it last filled in, so a newer pin may replace that but never
        # what the person typed or chose.
        self._geocode_for: tuple[float, float] | None = None
        self._address_from_pin: str | None = None
        self._area_from_pin = False
        self._address_hint: Bilingual | None = None
        # The pin from the chosen sub-district (no GPS, no aiming at a map): which sub-district it is the middle of,
        # and what the person was last told about it.
        self._pinned_area = ""
        self.pinning_area = False
        self._area_pin_hint: Bilingual | None = None
        if from_outbox is not None:
            self._restore(from_outbox)
        self._opened_with = self._draft_state()

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def locale(self) -> Locale:
        return self._session.locale

    @property
    def errors(self) -> dict[str, str]:
        """Field name -> the problem in the current language."""
        return {name: text.in_(self.locale) for name, text in self._errors.items()}

    @property
    def photo_error(self) -> str | None:
        return None if self._photo_error is None else self._photo_error.in_(self.locale)

    @property
    def photo_progress(self) -> str | None:
        return None if self._photo_progress is None else self._photo_progress.in_(self.locale)

    @property
    def location_notice(self) -> str | None:
        if self._location_notice is None:
            return None
        notice = self._location_notice.in_(self.locale)
        if self._area_geocoder is not None:  # GPS gave nothing: the map is not the only other way
            notice = f"{notice} {bilingual('or_pin_area').in_(self.locale)}"
        return notice

    @property
    def _area_geocoder(self) -> AreaGeocoder | None:
        return self._geocoder if isinstance(self._geocoder, AreaGeocoder) else None

    @property
    def can_pin_area(self) -> bool:
        """A sub-district is chosen and the place is not given otherwise (GPS, the map) nor pinned there already: the
        geocoder can put the pin in its middle. Only when a geocoder is configured."""
        return (self._area_geocoder is not None and bool(self.sub_district_code) and not self.fields_locked
                and not self.pinning_area and self.location_source in (None, LocationSource.AREA)
                and self._pinned_area != self.sub_district_code)

    @property
    def area_pin_hint(self) -> str | None:
        """What became of "pin the chosen sub-district": looking, where the pin now is (approximate), or not found."""
        return None if self._area_pin_hint is None else self._area_pin_hint.in_(self.locale)

    @property
    def pinned_area(self) -> str:
        """The sub-district (with its district and province) the pin is the middle of; "" unless it came from one."""
        return self._area_named(self._pinned_area).in_(self.locale) if self.location_source == LocationSource.AREA \
            else ""

    @property
    def address_hint(self) -> str | None:
        """A small line under the address while / after the pin is looked up; never an error."""
        return None if self._address_hint is None else self._address_hint.in_(self.locale)

    @property
    def province_options(self) -> list[thai_address.Area]:
        return thai_address.provinces(self.locale)

    @property
    def district_options(self) -> list[thai_address.Area]:
        return thai_address.districts(self.province_code, self.locale)

    @property
    def sub_district_options(self) -> list[thai_address.Area]:
        return thai_address.sub_districts(self.district_code, self.locale)

    @property
    def province_name(self) -> str:
        """The chosen province's Thai name, as sent ("" when none)."""
        area = thai_address.province(self.province_code)
        return area.name_th if area else ""

    @property
    def district_name(self) -> str:
        area = thai_address.district(self.district_code)
        return area.name_th if area else ""

    @property
    def sub_district_name(self) -> str:
        area = thai_address.sub_district(self.sub_district_code)
        return area.name_th if area else ""

    @property
    def form_error(self) -> str | None:
        return None if self._form_error is None else self._form_error.in_(self.locale)

    @property
    def busy(self) -> bool:
        return self.state == FormState.SENDING

    @property
    def request_id(self) -> UUID | None:
        """The backend's request for this form's key, once known: from then on only photos are sent."""
        return self.created.id if self.created is not None else self._stored_id

    @property
    def received_notice(self) -> str | None:
        """Said while the request exists and the form waits for the person: why the details take no changes, and
        what can still be done (the photos; a cancel from the requests)."""
        if self.request_id is None or self.state in (FormState.SENDING, FormState.SENT):
            return None
        return bilingual("request_already_received").in_(self.locale)

    @property
    def can_send_as_new(self) -> bool:
        """The backend holds this key's request with other details: these may still go, as a request of their own."""
        return self._key_reused and self.request_id is None and self.state == FormState.EDITING and not self.picking

    @property
    def fields_locked(self) -> bool:
        """Sending, or the request exists already and only its photos are left to send: a field changed then would
        be dropped without a word, so the fields take no changes."""
        return self.busy or self.request_id is not None

    @property
    def can_retry(self) -> bool:
        return self.state == FormState.FAILED

    @property
    def retry_at(self) -> str | None:
        """While the server asked to wait (Retry-After): when the retry may go ("10:25"); None: it may go now."""
        return self.retry_wait.until(self.locale) if self.can_retry else None

    @property
    def can_add_photo(self) -> bool:
        """Up to the limit, and not while sending: a request that exists takes more photos while it is open (one
        refused as too large is replaced by a smaller one), after those it has."""
        return len(self.photos) < MAX_PHOTOS_PER_REQUEST and not self.busy and not self.picking

    def can_remove_photo(self, index: int) -> bool:
        """Any photo before the request exists; after, one not yet sent and with none sent after it (the photos the
        backend has keep their indexes): a photo it refused as too large is taken out and the rest go."""
        if self.busy or not 0 <= index < len(self.photos):
            return False
        if self.request_id is None:
            return True
        return index not in self._in_doubt and all(sent < index for sent in self.uploaded)

    @property
    def has_changes(self) -> bool:
        """Something typed, chosen or added since the form opened, and not yet sent (or kept in the outbox)."""
        if self.state == FormState.SENT or self.created is not None:
            return False
        if self._stored_id is not None:
            # A draft reopened with its request stored: only its photos can change, and those would be lost.
            return self._draft_state()[-1] != self._opened_with[-1]
        return self._draft_state() != self._opened_with

    def _draft_state(self) -> tuple[object, ...]:
        return (
            self.category_code, self.item.strip(), self.brand.strip(), self.description.strip(), self.lat,
            self.lon, self.address.strip(), self.province_code, self.district_code, self.sub_district_code,
            self.service_place, tuple(self.preferred_days), self.contact_phone.strip(), self.pdpa_consent,
            tuple(id(p) for p in self.photos),
        )

    @property
    def progress(self) -> str | None:
        if self.state != FormState.SENDING:
            return None
        if self.request_id is None:
            return bilingual("sending").in_(self.locale)
        text = bilingual("uploading_photos", done=len(self.uploaded), total=len(self.photos))
        return text.in_(self.locale)

    # --- loading ---------------------------------------------------------------------------------------

    async def load(self) -> None:
        self.categories_state = CategoriesState.LOADING
        self._changed()
        try:
            self.categories = await answered(self._api.categories(), self._categories_failed, self._changed)
        except ApiError as exc:
            if exc.is_auth_lost:
                await self._on_auth_lost(exc)
                return
            self.categories_state = CategoriesState.FAILED
            self._form_error = exc.text
        else:
            self.categories_state = CategoriesState.READY
            if self._form_error is not None and self.state == FormState.EDITING:
                self._form_error = None
        self._changed()

    def _categories_failed(self) -> None:
        self.categories_state = CategoriesState.FAILED

    # --- editing (text fields: no re-render per keystroke; the field already shows what was typed) ----

    def set_item(self, value: str) -> None:
        self.item = value
        self._recheck("item")

    def set_brand(self, value: str) -> None:
        self.brand = value
        self._recheck("brand")

    def set_description(self, value: str) -> None:
        self.description = value
        self._recheck("description")

    def set_address(self, value: str) -> None:
        self.address = value
        self._recheck("address")

    def set_contact_phone(self, value: str) -> None:
        self.contact_phone = value
        self._recheck("contact_phone")

    def set_typed(self, values: Mapping[str, str]) -> None:
        """What the text fields hold at a send tap, by field name (changes may not all have arrived yet)."""
        setters = {"item": self.set_item, "brand": self.set_brand, "description": self.set_description,
                   "address": self.set_address, "contact_phone": self.set_contact_phone}
        for name, value in values.items():
            if name in setters:
                setters[name](value)

    # --- the area pickers: choosing a level resets the levels below it ---------------------------------

    def set_province(self, code: str) -> None:
        code = code if thai_address.province(code) else ""
        self._area_from_pin = False
        if code != self.province_code:
            self.province_code = code
            self.district_code = ""
            self.sub_district_code = ""
        self._area_pin_left()
        self._changed()

    def set_district(self, code: str) -> None:
        ok = self.province_code and code.startswith(self.province_code) and thai_address.district(code)
        code = code if ok else ""
        self._area_from_pin = False
        if code != self.district_code:
            self.district_code = code
            self.sub_district_code = ""
        self._area_pin_left()
        self._changed()

    def set_sub_district(self, code: str) -> None:
        ok = self.district_code and code.startswith(self.district_code) and thai_address.sub_district(code)
        self._area_from_pin = False
        self.sub_district_code = code if ok else ""
        self._area_pin_left()
        self._changed()

    def _area_pin_left(self) -> None:
        """A pin put in the middle of a sub-district goes when another area is chosen: it would send the request to
        the old place. The person is told, and pins the new one with the same button."""
        if self.location_source != LocationSource.AREA or self.sub_district_code == self._pinned_area:
            return
        self.lat = self.lon = None
        self.location_source = None
        self._pinned_area = ""
        self._duplicates_for = None
        self.duplicates = None
        self._area_pin_hint = bilingual("pin_area_left")

    def _area_named(self, code: str) -> Bilingual:
        sub = thai_address.sub_district(code)
        district = thai_address.district(code[:4])
        province = thai_address.province(code[:2])
        names = [a.name_th if a else "" for a in (province, district, sub)]
        return Bilingual(thai_address.area_text(Locale.TH, *names), thai_address.area_text(Locale.EN, *names))

    async def pin_area(self) -> None:
        """No GPS, and a map is hard to aim at (a screen reader, poor eyesight): the chosen sub-district's middle, from
        the geocoder, becomes the pin, said with its area as approximate. The person sends it as it is or moves the pin
        on the map. An answer that is not that sub-district (another one, one outside its district, one naming none, or
        no answer) leaves no pin, and says so."""
        geocoder = self._area_geocoder
        if geocoder is None or not self.can_pin_area:
            return
        wanted = self.sub_district_code
        area = self._area_named(wanted)
        self.pinning_area = True
        self._area_pin_hint = _about(bilingual("pin_area_looking"), area)
        self._changed()
        try:
            found = await geocoder.search(thai_address.search_query(wanted))
        finally:
            self.pinning_area = False
        if self.sub_district_code != wanted or self.fields_locked or self.location_source not in (
                None, LocationSource.AREA):
            self._area_pin_hint = None  # the area changed meanwhile, or a pin came another way: that one stands
            self._changed()
            return
        match = thai_address.match_address(found.place.parts, found.place.postcode) if found else None
        # The answer must name the chosen sub-district itself: another one of the same district is kilometres off, and
        # an answer that names none (the geocoder did not say) does not prove it is the chosen one's middle either.
        where_ok = (found is not None and match is not None and in_thailand(found.lat, found.lon)
                    and match.sub_district_code == wanted)
        self._area_pin_hint = _about(bilingual("pin_area_done" if where_ok else "pin_area_not_found"), area)
        if not where_ok or found is None:
            self._changed()
            return
        self._pinned_area = wanted
        self._location_notice = None
        self.set_location(found.lat, found.lon, LocationSource.AREA, redraw=False)
        await self._load_duplicates()
        self._changed()

    def set_category(self, code: str) -> None:
        self.category_code = code
        self._recheck("category_code", redraw=True)

    def set_service_place(self, value: str) -> None:
        self.service_place = value
        self._recheck("service_place", redraw=True)

    def set_pdpa_consent(self, value: bool) -> None:
        self.pdpa_consent = value
        self._recheck("pdpa_consent", redraw=True)

    def toggle_day(self, day: str) -> None:
        if day not in WEEKDAYS:
            return
        if day in self.preferred_days:
            self.preferred_days.remove(day)
        else:
            self.preferred_days.append(day)
        # Sent in week order, whatever order they were tapped in.
        self.preferred_days.sort(key=WEEKDAYS.index)
        self._recheck("preferred_days", redraw=True)

    # --- location --------------------------------------------------------------------------------------

    def set_location(self, lat: float, lon: float, source: LocationSource, *, redraw: bool = True) -> None:
        self.lat = round(float(lat), 6)
        self.lon = round(float(lon), 6)
        self.location_source = source
        self._location_notice = None
        if source != LocationSource.AREA:  # a pin from GPS or the map replaces one from the chosen area
            self._pinned_area = ""
            self._area_pin_hint = None
        self._recheck("location", redraw=redraw)

    async def locate(self, lat: float, lon: float, source: LocationSource) -> None:
        """A new pin from GPS or the map. The location line, the nearby-requests hint under it and the address
        look-up's first line arrive in one redraw: appearing one after another they pushed the send button down
        twice, and a tap aimed at it in between landed on something else."""
        if self.fields_locked:
            return  # the map stays tappable; the request's place is already sent
        self.set_location(lat, lon, source, redraw=False)
        if self._geocoder is not None and self.request_id is None:
            self._address_hint = bilingual("address_looking_up")
        hint = asyncio.ensure_future(self._load_duplicates())
        # Only a hint: a slow answer must not hold the location back; it then arrives in a redraw of its own.
        done, _pending = await asyncio.wait({hint}, timeout=DUPLICATES_WAIT_SECONDS)
        self._changed()
        if not done and await hint:
            self._changed()
        await self.lookup_address()

    async def lookup_address(self) -> None:
        """After a GPS fix or a pin, when a geocoder is configured: fill an empty address and pre-select the
        area pickers the person has not chosen themselves. Any failure only leaves a small hint."""
        if self._geocoder is None or self.lat is None or self.lon is None or self.request_id is not None:
            return
        wanted = (self.lat, self.lon)
        if wanted == self._geocode_for:
            return
        self._geocode_for = wanted
        if self._address_hint != bilingual("address_looking_up"):
            self._address_hint = bilingual("address_looking_up")
            self._changed()
        place = await self._geocoder.reverse(*wanted)
        if self._geocode_for != wanted or self.request_id is not None:
            return  # a newer pin was set meanwhile: its own lookup decides
        if place is None:
            self._address_hint = bilingual("address_not_found")
            self._changed()
            return
        filled = False
        address = place.address[:ADDRESS_MAX].strip()
        if address and (not self.address.strip() or self.address == self._address_from_pin):
            self.address = address
            self._address_from_pin = address
            self._clear_quietly("address")
            filled = True
        if not self.province_code or self._area_from_pin:
            area = thai_address.match_address(place.parts, place.postcode)
            if area.found:
                self.province_code = area.province_code
                self.district_code = area.district_code
                self.sub_district_code = area.sub_district_code
                self._area_from_pin = True
                filled = True
        self._address_hint = bilingual("address_from_pin" if filled else "address_not_found")
        self._changed()

    def open_map(self, _: object = None) -> None:  # Flet passes the event first
        """Shows the interactive map to place the pin (the form stays scrollable until then)."""
        if not self.fields_locked:
            self.map_open = True
            self._changed()

    def close_map(self, _: object = None) -> None:
        """Folds the map back to its tile: the pin stays where it was placed."""
        self.map_open = False
        self._changed()

    def location_unavailable(self, *, denied: bool, for_good: bool = False) -> None:
        """GPS gave nothing: say so, and point to the map pin, with which the form still works. Refused for good
        (the phone asks no more): where in the phone's settings to allow it."""
        key = "gps_denied_forever" if denied and for_good else "gps_denied" if denied else "gps_failed"
        self._location_notice = bilingual(key)
        self._changed()

    # --- photos ----------------------------------------------------------------------------------------

    async def pick_photos(self, pick: PickPhotos) -> None:
        """Pick, read and shrink photos with progress on the screen; the ones kept join the form."""
        if not self.can_add_photo or self.busy:
            return
        self.picking = True
        self._photo_error = None
        self._changed()

        def show(text: Bilingual | None) -> None:
            self._photo_progress = text
            self._changed()

        try:
            outcome = await pick(MAX_PHOTOS_PER_REQUEST - len(self.photos), show)
        finally:
            self.picking = False
            self._photo_progress = None
        for picked in outcome.photos:
            self._keep(picked)
        self._photo_error = outcome.problem
        self._changed()

    def _keep(self, picked: PickedPhoto) -> None:
        processed = picked.photo
        self.photos.append(
            FormPhoto(
                name=picked.name,
                image=processed.image,
                thumbnail=processed.thumbnail,
                content_type=processed.content_type,
                width=processed.width,
                height=processed.height,
            )
        )

    def add_photo(self, name: str, data: bytes) -> bool:
        """Check and shrink one file already in memory; False (and a message) when it is refused."""
        try:
            check_photo_count(len(self.photos) + 1)
            picked = prepare(name, data)
        except PhotoRejected as exc:
            self._photo_error = rejection_text(exc)
            self._changed()
            return False
        self._keep(picked)
        self._photo_error = None
        self._changed()
        return True

    def add_photos(self, files: list[tuple[str, bytes]]) -> None:
        """Several picked at once: each is kept or refused on its own; the last refusal is shown."""
        error: Bilingual | None = None
        for name, data in files:
            if not self.add_photo(name, data):
                error = self._photo_error
        self._photo_error = error
        self._changed()

    def remove_photo(self, index: int) -> None:
        if not self.can_remove_photo(index):
            return  # after the request exists, the indexes of the photos on the server are fixed
        del self.photos[index]
        self._in_doubt = {d if d < index else d - 1 for d in self._in_doubt if d != index}
        self._photo_error = None
        if self._form_error is not None and self._form_error == self._refused_photo:
            self._form_error = None  # the photo it named is gone
        self._refused_photo = None
        self._changed()

    # --- sending ---------------------------------------------------------------------------------------

    def draft(self) -> RequestDraft:
        return RequestDraft(
            category_code=self.category_code,
            item=self.item,
            brand=self.brand,
            description=self.description,
            lat=self.lat,
            lon=self.lon,
            address=self.address,
            service_place=self.service_place,
            preferred_days=list(self.preferred_days),
            contact_phone=self.contact_phone,
            pdpa_consent=self.pdpa_consent,
        )

    def body(self) -> dict[str, Any]:
        """The POST /requests body, with the texts trimmed and the phone in E.164 (call after check())."""
        try:
            phone = normalize_thai_phone(self.contact_phone)
        except InvalidPhone:
            phone = self.contact_phone.strip()
        return {
            "idempotency_key": str(self.idempotency_key),
            "category_code": self.category_code,
            "item": clean_display_name(self.item) or self.item.strip(),
            "brand": self.brand.strip(),
            "description": self.description.strip(),
            "lat": self.lat,
            "lon": self.lon,
            "address": self.address.strip(),
            "province": self.province_name,
            "district": self.district_name,
            "sub_district": self.sub_district_name,
            "service_place": self.service_place,
            "preferred_days": list(self.preferred_days),
            "contact_phone": phone,
            "pdpa_consent": self.pdpa_consent,
            # The pin is the chosen sub-district's middle, not the house: the student on the job is told so.
            "location_approximate": self.location_source == LocationSource.AREA and self.lat is not None,
        }

    def check(self) -> bool:
        """The shared rules, before anything is sent: problems go next to their fields."""
        problems = self._problems()
        self._errors = {name: error_text(code) for name, code in problems.by_field.items()}
        self._form_error = None if problems.ok else self._fields_to_fix()
        return problems.ok

    async def submit(self) -> None:
        if self.state in (FormState.SENDING, FormState.SENT) or self.picking:
            return
        # Once the request exists only the photos are left; the fields are no longer checked or sent.
        if self.request_id is None and not self.check():
            self._changed()
            return
        self.state = FormState.SENDING
        self._form_error = None
        self._key_reused = False
        self.retry_wait.after(None)
        self._changed()
        try:
            # Every way out of the send leaves SENDING (which holds the form and its back button): any failure is
            # said (`_failed`), a cancelled one too (`_not_sending`).
            await answered(self._send(), self._not_sending, self._changed)
        except ApiError as exc:
            await self._failed(exc)
            return
        self.state = FormState.SENT
        self._changed()
        await self._on_done()

    async def _send(self) -> None:
        """The request (unless stored already), then each photo not yet stored."""
        request_id = self.request_id
        if request_id is None:
            self.created = await self._api.create_request(self.body())
            request_id = self.created.id
            self._changed()
        for idx, photo in enumerate(self.photos):
            if idx in self.uploaded:
                continue
            try:
                await self._api.upload_request_photo(request_id, idx, photo.image, photo.content_type)
            except ApiError as exc:
                if exc.is_retryable:
                    self._in_doubt.add(idx)
                else:  # refused outright: the backend did not keep it
                    self._in_doubt.discard(idx)
                raise
            self._in_doubt.discard(idx)
            self.uploaded.add(idx)
            self._changed()

    def _not_sending(self) -> None:
        """The send ended without going through: kept as it is, to send again (with the same key); a failure that
        says more sets its own state (`_failed`)."""
        self.state = FormState.FAILED

    async def retry(self) -> None:
        if self.retry_wait.waiting:  # sent now, it would only be refused again: the button says when
            return
        await self.submit()

    async def send_as_new(self) -> None:
        """After idempotency_key_reused: these details as a request of their own, under a new key. The request
        stored with the first details stays as it was received (in the person's requests, to cancel if unwanted)."""
        if not self.can_send_as_new:
            return
        self.idempotency_key = uuid4()
        await self.submit()

    async def back(self) -> None:
        if self.state != FormState.SENDING:
            await self._on_back()

    def close(self) -> None:
        """The form is gone (sent, kept in the outbox, left): its retry's wait for a Retry-After ends with it, so it
        never redraws the app later (`mobile/viewmodels/app.py::Shown`)."""
        self.retry_wait.close()

    # --- duplicates ------------------------------------------------------------------------------------

    async def refresh_duplicates(self) -> None:
        """Once both category and location are set, ask for open requests of that kind nearby."""
        if await self._load_duplicates():
            self._changed()

    async def _load_duplicates(self) -> bool:
        """The nearby open requests of the chosen kind, without a redraw; True when the hint changed."""
        if not self.category_code or self.lat is None or self.lon is None:
            return False
        wanted = (self.category_code, self.lat, self.lon)
        if wanted == self._duplicates_for:
            return False
        self._duplicates_for = wanted
        try:
            found = await self._api.duplicates(*wanted)
        except ApiError:
            return False  # only a hint: without it the form works the same
        if self._duplicates_for != wanted:  # a newer pin or category was set meanwhile: its own look-up decides
            return False
        self.duplicates = found if found.count > 0 else None
        return True

    # --- the outbox ------------------------------------------------------------------------------------

    def outbox_item(self) -> OutboxItem:
        """Everything needed to finish this send later: body with its key, photos, how far it got."""
        category = next((c for c in self.categories if c.code == self.category_code), None)
        return OutboxItem(
            body=self.body(),
            photos=[
                OutboxPhoto(p.image, p.thumbnail, p.content_type, p.width, p.height, p.name) for p in self.photos
            ],
            request_id=None if self.request_id is None else str(self.request_id),
            uploaded=sorted(self.uploaded),
            category_th=category.name_th if category is not None else "",
            category_en=category.name_en if category is not None else "",
            pinned_area=self._pinned_area if self.location_source == LocationSource.AREA else "",
        )

    def held_item(self) -> OutboxItem:
        """This form as a draft kept for the person to choose later (send, edit or discard): nothing goes out in
        their name unasked. A request the backend already stored was sent by their choice: only its photos wait,
        and they follow (an edit could not reach it, a discard would not undo it)."""
        held = self.outbox_item()
        held.state = ItemState.HELD if held.request_id is None else ItemState.PENDING
        return held

    def not_kept(self) -> None:
        """The device would not keep this draft in the outbox (its storage is full): the form stays open with
        everything in it, says so and what to do, and sends it again on the person's word."""
        if self.state == FormState.SENT:
            self.state = FormState.FAILED
        self._form_error = bilingual("draft_not_kept")
        self._changed()

    def _restore(self, item: OutboxItem) -> None:
        """Reopen a refused outbox draft: the same fields, photos and idempotency key; editable unless its request is
        stored already (then only its photos are left to send)."""
        body = item.body
        self.idempotency_key = UUID(str(body["idempotency_key"]))
        self.category_code = str(body.get("category_code") or "")
        self.item = str(body.get("item") or "")
        self.brand = str(body.get("brand") or "")
        self.description = str(body.get("description") or "")
        lat, lon = body.get("lat"), body.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            self.lat, self.lon = float(lat), float(lon)
            self.location_source = LocationSource.MAP
        self.address = str(body.get("address") or "")
        self._restore_area(str(body.get("province") or ""), str(body.get("district") or ""),
                           str(body.get("sub_district") or ""))
        if self.lat is not None and item.pinned_area and item.pinned_area == self.sub_district_code:
            # The pin was the chosen sub-district's middle: it stays one (said as approximate, and it goes when
            # another area is chosen), not a pin the person aimed on the map.
            self.location_source = LocationSource.AREA
            self._pinned_area = item.pinned_area
        self.service_place = str(body.get("service_place") or ServicePlace.CENTRE.value)
        self.preferred_days = [d for d in body.get("preferred_days") or [] if d in WEEKDAYS]
        phone = body.get("contact_phone")
        if phone:
            self.contact_phone = national_format(str(phone)) if str(phone).startswith("+66") else str(phone)
        self.pdpa_consent = bool(body.get("pdpa_consent"))
        self.photos = [
            FormPhoto(p.name, p.image, p.thumbnail, p.content_type, p.width, p.height) for p in item.photos
        ]
        self.outbox_key = item.key
        if item.request_id is not None:
            # Its request is stored already: the fields show what it was sent with and take no changes (an edit
            # could not reach the request); the photos the backend has stay, the others can be sent or replaced.
            self._stored_id = UUID(item.request_id)
            self.uploaded = {i for i in item.uploaded if 0 <= i < len(self.photos)}
        if item.error is not None:
            self._form_error = item.error
            self._key_reused = item.error_code == IDEMPOTENCY_KEY_REUSED and item.request_id is None

    def _restore_area(self, province: str, district: str, sub_district: str) -> None:
        """The pickers from the Thai names a saved body carries, as far down as they still match."""
        found = thai_address.find_province(province) if province else None
        if found is None:
            return
        self.province_code = found.code
        found_district = thai_address.find_district(found.code, district) if district else None
        if found_district is None:
            return
        self.district_code = found_district.code
        found_sub = thai_address.find_sub_district(found_district.code, sub_district) if sub_district else None
        if found_sub is not None:
            self.sub_district_code = found_sub.code

    # --- internals -------------------------------------------------------------------------------------

    def _clear_quietly(self, name: str) -> None:
        self._errors.pop(name, None)

    def _fields_to_fix(self) -> Bilingual:
        """"ยังส่งไม่ได้ กรุณาแก้ไข: ตำแหน่ง, วันที่สะดวก": the fields with a problem by their labels, in the form's
        order (a field the backend named that the form does not know goes by the backend's own words)."""
        names = [bilingual(FIELD_LABELS[name]) for name in FIELDS if name in self._errors and name in FIELD_LABELS]
        names += [text for name, text in self._errors.items() if name not in FIELD_LABELS]
        template = bilingual("form_has_errors")
        return Bilingual(template.th.format(fields=", ".join(n.th for n in names)),
                         template.en.format(fields=", ".join(n.en for n in names)))

    async def _failed(self, exc: ApiError) -> None:
        if exc.is_auth_lost:
            self.state = FormState.EDITING
            if self._on_offline is not None:
                # The sign-in ran out, not the person's wish to send: the draft is held in their own outbox (kept
                # per owner on the device) instead of vanishing with the form. Signed in again, they choose to send,
                # edit or discard it: it may be hours later, and nothing goes out in their name unasked.
                self.state = FormState.SENT
                try:
                    await self._on_offline(self.held_item())
                except StorageRefused:
                    # The device would not keep it (its storage is full) and the sign-in screen replaces the form:
                    # nothing left to hold it. The sign-in must still be asked for.
                    log.warning("a held draft was not kept: the device's storage refused it")
            await self._on_auth_lost(exc)
            return
        if exc.is_network and self._on_offline is not None:
            # Nothing lost: the outbox keeps the draft and sends it when the network is back.
            self.state = FormState.SENT
            self._changed()
            try:
                await self._on_offline(self.outbox_item())
            except StorageRefused:
                # Unless the device will not keep it (in the browser the site's storage is full: drafts with many
                # photos): then it is not waiting anywhere but here.
                self.not_kept()
            return
        if exc.fields and self.request_id is None:
            # The backend's own check disagreed: its messages go next to the fields, to be fixed and resent.
            self._errors = {name: text for name, text in exc.fields.items()}
            self._form_error = self._fields_to_fix()
            self.state = FormState.EDITING
        elif exc.code.startswith("photo_"):
            self._photo_error = exc.text
            self._form_error = exc.text
            self._refused_photo = exc.text
            # A photo refused for what it is (too large, not an image) is refused again however often it is sent:
            # the person removes it (or it is sent again when the fault was the server's).
            self.state = FormState.FAILED if exc.is_retryable else FormState.EDITING
            self.retry_wait.after(exc)
        elif not exc.is_retryable:
            # Refused for what was sent (a proxy's 413, a 4xx): the same again would be refused again. Everything
            # typed is kept; the message says what to change; sending is the person's, after a change. A key whose
            # request was stored with other details: these may go as a new request (send_as_new).
            self._form_error = exc.text
            self._key_reused = exc.code == IDEMPOTENCY_KEY_REUSED
            self.state = FormState.EDITING
        else:
            # Network or server trouble: keep everything; a retry reuses the same idempotency key. A 429's or a
            # 503's message says when (its Retry-After), and its retry waits until then.
            self._form_error = exc.text
            self.state = FormState.FAILED
            self.retry_wait.after(exc)
        self._changed()

    def _problems(self) -> DraftProblems:
        known = {c.code for c in self.categories} if self.categories else None
        return check_draft(self.draft(), known)

    def _recheck(self, name: str, *, redraw: bool = False) -> None:
        """A field whose problem is on the screen is checked again on every change, by the same shared rules as
        the send, so its red line goes as soon as it is right (or says what is wrong now). Fields with nothing
        shown stay quiet until the send: no red while someone is still typing. Text fields redraw only when
        their line changes, not per keystroke."""
        shown = self._errors.get(name)
        if shown is not None:
            listed = self._fields_to_fix()
            code = self._problems().by_field.get(name)
            if code is None:
                del self._errors[name]
            else:
                self._errors[name] = error_text(code)
            if self._form_error is not None and self._form_error == listed:
                # The list above the send button follows: a field put right leaves it, the last one takes it away.
                self._form_error = self._fields_to_fix() if self._errors else None
            redraw = redraw or self._errors.get(name) != shown
        if redraw:
            self._changed()
