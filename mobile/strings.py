"""UI sentences the app needs that shared/text.py does not have yet.

Kept in the catalog's own shape (Bilingual) so they can move into shared.text.UI unchanged;
`t()` looks in the shared catalog first, so a moved key keeps working.
"""

from mobile.models import OfferStatus
from shared.text import UI, Bilingual, Locale

B = Bilingual

EXTRA_UI: dict[str, Bilingual] = {
    "colleges_count": B("วิทยาลัยในระบบ {count} แห่ง", "Colleges in the system: {count}"),
    "admin_empty": B("ยังไม่มีวิทยาลัยในระบบ", "No colleges yet"),
    "service_radius": B("ให้บริการในรัศมี {km} กม.", "Serves within {km} km"),
    "offer_expires": B("ตอบรับภายใน {time}", "Answer by {time}"),
    "area": B("{district}, {province}", "{district}, {province}"),
    "requests_count": B("ทั้งหมด {count} รายการ", "{count} in total"),
}

OFFER_STATUS_LABELS: dict[OfferStatus, Bilingual] = {
    OfferStatus.PENDING: B("รอตอบรับ", "Waiting for you"),
    OfferStatus.ACCEPTED: B("รับงานแล้ว", "Accepted"),
    OfferStatus.DECLINED: B("ปฏิเสธแล้ว", "Declined"),
    OfferStatus.WITHDRAWN: B("ถอนข้อเสนอแล้ว", "Withdrawn"),
    OfferStatus.EXPIRED: B("หมดเวลาตอบรับ", "Expired"),
}


def t(key: str, locale: Locale, **values: object) -> str:
    """Like shared.text.ui, also knowing the app's extra keys."""
    text = UI.get(key) or EXTRA_UI[key]
    return (text.format(**values) if values else text).in_(locale)


def offer_status_label(status: OfferStatus, locale: Locale) -> str:
    return OFFER_STATUS_LABELS[status].in_(locale)
