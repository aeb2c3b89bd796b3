"""The app's text lookup: shared.text holds every sentence (UI, APP_UI and the label tables); this only picks one."""

from mobile.models import OfferStatus
from shared.text import APP_UI, OFFER_STATUS_LABELS, UI, Locale


def t(key: str, locale: Locale, **values: object) -> str:
    """Like shared.text.ui, also knowing the app's screens' keys (APP_UI)."""
    text = UI.get(key) or APP_UI[key]
    return (text.format(**values) if values else text).in_(locale)


def offer_status_label(status: OfferStatus, locale: Locale) -> str:
    return OFFER_STATUS_LABELS[status].in_(locale)


def notification_kind_label(kind: str, locale: Locale) -> str:
    """The name of a kind of notification in the settings. The backend lists the kinds, and a phone keeps an older
    app than the backend runs: a kind this app has no name for gets a general one, so the screen still draws
    (a missing key raised inside the render, and Flet's update loop then stopped sending every later change)."""
    known = APP_UI.get(f"kind_{kind}")
    return (known or APP_UI["kind_other"].format(kind=kind)).in_(locale)
