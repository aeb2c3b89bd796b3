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
    # --- the repair request form ---
    "new_request": B("แจ้งซ่อม", "Request a repair"),
    "request_form_title": B("แจ้งซ่อม", "Request a repair"),
    "back": B("ย้อนกลับ", "Back"),
    "category_label": B("ประเภทงานซ่อม", "Kind of repair"),
    "item_label": B("ของที่จะซ่อม", "Item to repair"),
    "item_hint": B("เช่น หม้อหุงข้าว พัดลม", "e.g. rice cooker, fan"),
    "brand_label": B("ยี่ห้อ/รุ่น", "Brand/model"),
    "description_label": B("อาการเสีย", "What is wrong"),
    "description_hint": B("เช่น เปิดไม่ติด มีเสียงดัง", "e.g. does not turn on, makes a noise"),
    "photos_label": B("รูปภาพ (ไม่เกิน {max} รูป)", "Photos (up to {max})"),
    "add_photo": B("เพิ่มรูปภาพ", "Add photos"),
    "remove_photo": B("ลบรูปที่ {n}", "Remove photo {n}"),
    "photo_alt": B("รูปที่ {n}", "Photo {n}"),
    "location_label": B("ตำแหน่ง", "Location"),
    "use_gps": B("ใช้ตำแหน่งปัจจุบัน", "Use my current location"),
    "map_hint": B("แตะบนแผนที่เพื่อปักหมุด", "Tap the map to place the pin"),
    "map_label": B("แผนที่สำหรับปักหมุดตำแหน่ง", "Map for placing the location pin"),
    "location_value": B("ละติจูด {lat}, ลองจิจูด {lon}", "Latitude {lat}, longitude {lon}"),
    "location_none": B("ยังไม่ได้ระบุตำแหน่ง", "No location yet"),
    "location_from_gps": B("จาก GPS", "from GPS"),
    "location_from_map": B("จากหมุดบนแผนที่", "from the map pin"),
    "gps_denied": B(
        "ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง แตะบนแผนที่เพื่อปักหมุดแทนได้",
        "Location permission was denied: tap the map to place the pin instead",
    ),
    "gps_failed": B(
        "หาตำแหน่งปัจจุบันไม่ได้ แตะบนแผนที่เพื่อปักหมุดแทนได้",
        "Could not get your current location: tap the map to place the pin instead",
    ),
    "address_label": B("ที่อยู่ (ไม่บังคับ)", "Address (optional)"),
    "service_place_label": B("สถานที่ซ่อม", "Where to repair"),
    "service_place_centre": B("ที่ศูนย์ซ่อม", "At the repair centre"),
    "service_place_home": B("ที่บ้าน", "At home"),
    "preferred_days_label": B("วันที่สะดวก", "Days that suit you"),
    "contact_phone_label": B("เบอร์โทรติดต่อ", "Contact phone"),
    "pdpa_label": B("ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม", "I agree to the use of my personal data for the repair"),
    "privacy_notice": B(
        "ข้อมูลที่เก็บ: ชื่อ เบอร์โทร ตำแหน่ง ที่อยู่ รายละเอียดและรูปภาพของที่จะซ่อม "
        "เพื่อจับคู่กับศูนย์ซ่อมและช่างที่ใกล้คุณ ผู้ที่เห็นข้อมูล: ครูผู้ควบคุมของวิทยาลัยและช่างที่รับงาน "
        "เก็บไว้ตลอดงานซ่อมและเป็นบันทึกการฝึกงานของนักศึกษา "
        "ขอลบข้อมูลได้โดยติดต่อวิทยาลัยหรือผู้ดูแลระบบ",
        "What we collect: your name, phone, location, address, and the item's details and photos, "
        "to match you with a nearby centre and technician. Who sees it: the college's supervisors and "
        "the technician who accepts the job. Kept for the repair and the students' training record. "
        "To ask for deletion, contact the college or the system administrator.",
    ),
    "submit_request": B("ส่งคำขอซ่อม", "Send repair request"),
    "sending": B("กำลังส่ง…", "Sending…"),
    "uploading_photos": B("กำลังส่งรูปภาพ {done}/{total}…", "Uploading photos {done}/{total}…"),
    "form_has_errors": B("กรุณาแก้ไขช่องที่มีข้อความสีแดง", "Please fix the fields marked in red"),
    "request_sent": B("ส่งคำขอซ่อมแล้ว", "Repair request sent"),
}

WEEKDAY_LABELS: dict[str, Bilingual] = {
    "mon": B("จ.", "Mon"),
    "tue": B("อ.", "Tue"),
    "wed": B("พ.", "Wed"),
    "thu": B("พฤ.", "Thu"),
    "fri": B("ศ.", "Fri"),
    "sat": B("ส.", "Sat"),
    "sun": B("อา.", "Sun"),
}

WEEKDAY_NAMES: dict[str, Bilingual] = {
    "mon": B("วันจันทร์", "Monday"),
    "tue": B("วันอังคาร", "Tuesday"),
    "wed": B("วันพุธ", "Wednesday"),
    "thu": B("วันพฤหัสบดี", "Thursday"),
    "fri": B("วันศุกร์", "Friday"),
    "sat": B("วันเสาร์", "Saturday"),
    "sun": B("วันอาทิตย์", "Sunday"),
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
