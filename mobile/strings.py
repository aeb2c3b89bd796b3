"""Labels the app names by an API value rather than a text key (an offer's state)."""

from mobile.models import OfferStatus
from shared.text import OFFER_STATUS_LABELS, Locale


def offer_status_label(status: OfferStatus, locale: Locale) -> str:
    return OFFER_STATUS_LABELS[status].in_(locale)
