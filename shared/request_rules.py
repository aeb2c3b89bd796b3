"""What a repair request must look like before it is sent (app) and before it is stored (backend).

The app shows each problem next to its field; the backend refuses the same problems with a 400. One set of
rules, so the two can never disagree.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from shared.display_names import clean_display_name
from shared.geo import in_thailand
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.visible_text import typed_text_problem, visible_length

ITEM_MAX = 120
BRAND_MAX = 80
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 500
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ServicePlace(StrEnum):
    CENTRE = "centre"  # the citizen brings the item to the Fixit Center
    HOME = "home"  # the technicians come to the citizen


@dataclass(frozen=True)
class RequestDraft:
    category_code: str
    item: str
    brand: str
    description: str
    lat: float | None
    lon: float | None
    address: str
    service_place: str
    preferred_days: list[str]
    contact_phone: str
    pdpa_consent: bool


@dataclass
class DraftProblems:
    """field name -> error code (see shared.text.ERRORS); empty when the draft may be sent."""

    by_field: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.by_field


def check_draft(draft: RequestDraft, known_categories: set[str] | None = None) -> DraftProblems:
    problems: dict[str, str] = {}
    if not draft.category_code or (known_categories is not None and draft.category_code not in known_categories):
        problems["category_code"] = "request_category_required"
    item = clean_display_name(draft.item, ITEM_MAX)  # the name rule at the item's own limit (not a name's 80)
    if item is None:
        problems["item"] = typed_text_problem(draft.item) or "request_item_invalid"
    if len(draft.brand.strip()) > BRAND_MAX:
        problems["brand"] = "request_brand_too_long"
    description = draft.description.strip()
    if visible_length(description) < DESCRIPTION_MIN or len(description) > DESCRIPTION_MAX:
        problems["description"] = "request_description_invalid"
    # What no typed text may hold (the API refuses it in every field): said by its field before the draft is sent.
    for name in ("brand", "description", "address"):
        if name not in problems and (problem := typed_text_problem(getattr(draft, name))) is not None:
            problems[name] = problem
    if draft.lat is None or draft.lon is None:
        problems["location"] = "request_location_required"
    elif not in_thailand(draft.lat, draft.lon):
        problems["location"] = "request_location_outside_thailand"
    if len(draft.address.strip()) > ADDRESS_MAX:
        problems["address"] = "request_address_too_long"
    if draft.service_place not in {p.value for p in ServicePlace}:
        problems["service_place"] = "request_service_place_invalid"
    if any(day not in WEEKDAYS for day in draft.preferred_days):
        problems["preferred_days"] = "request_days_invalid"
    try:
        normalize_thai_phone(draft.contact_phone)
    except InvalidPhone:
        problems["contact_phone"] = "invalid_phone"
    if not draft.pdpa_consent:
        problems["pdpa_consent"] = "request_consent_required"
    return DraftProblems(problems)
