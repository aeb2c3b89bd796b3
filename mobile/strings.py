"""Labels the app names by an API value rather than a text key (an offer's state, a kind of notification)."""

from mobile.models import OfferStatus
from shared.notifications import kind_label
from shared.text import OFFER_STATUS_LABELS, Locale, t


def offer_status_label(status: OfferStatus, locale: Locale) -> str:
    return OFFER_STATUS_LABELS[status].in_(locale)


def notification_kind_label(kind: str, locale: Locale) -> str:
    """The name of a kind of notification in the settings. The backend lists the kinds, and a phone keeps an older
    app than the backend runs: a kind this app has no name for gets a general one, so the screen still draws
    (a missing key raised inside the render, and Flet's update loop then stopped sending every later change)."""
    return kind_label(kind).in_(locale)


def pref_label(pref: str, locale: Locale) -> str:
    """The name of a channel (app, LINE, SMS). A newer backend may offer one this installed app has no name for: a
    general one, so the preferences still draw (as `notification_kind_label`)."""
    try:
        return t(f"pref_{pref}", locale)
    except KeyError:
        return t("pref_other", locale, pref=pref)
