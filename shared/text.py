"""Every user-facing sentence of Fixit, Thai first and English second, in one catalog.

The backend puts both languages into error bodies; the app picks one for its screens. Keeping them
in one place makes a missing translation a failing unit test instead of a blank label.
"""

from dataclasses import dataclass
from enum import StrEnum

from shared.photos import PHOTO_ERRORS
from shared.roles import AppRole
from shared.statuses import RequestStatus


class Locale(StrEnum):
    TH = "th"
    EN = "en"


@dataclass(frozen=True)
class Bilingual:
    th: str
    en: str

    def in_(self, locale: Locale) -> str:
        return self.th if locale == Locale.TH else self.en

    def format(self, **values: object) -> "Bilingual":
        return Bilingual(self.th.format(**values), self.en.format(**values))


B = Bilingual

# Error codes are part of the API contract: clients switch on `code`, people read the messages.
ERRORS: dict[str, Bilingual] = {
    "validation_failed": B("ข้อมูลไม่ถูกต้อง: {detail}", "Invalid input: {detail}"),
    "invalid_phone": B(
        "เบอร์โทรศัพท์ไม่ถูกต้อง กรุณากรอกเบอร์ไทย 9–10 หลัก เช่น 0812345678",
        "Invalid phone number: enter a Thai number of 9–10 digits, e.g. 0812345678",
    ),
    "invalid_code_format": B("รหัสยืนยันต้องเป็นตัวเลข 6 หลัก", "The code must be 6 digits"),
    "otp_invalid": B("รหัสยืนยันไม่ถูกต้อง", "That code is not correct"),
    "otp_expired": B("รหัสยืนยันหมดอายุ กรุณาขอรหัสใหม่", "The code has expired: ask for a new one"),
    "otp_too_many_attempts": B(
        "ใส่รหัสผิดหลายครั้งเกินไป กรุณาขอรหัสใหม่", "Too many wrong codes: ask for a new one"
    ),
    "otp_rate_limited": B(
        "ขอรหัสบ่อยเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many code requests: try again in {seconds} seconds",
    ),
    "not_authenticated": B("กรุณาเข้าสู่ระบบ", "Please sign in"),
    "token_invalid": B(
        "การเข้าสู่ระบบไม่ถูกต้องหรือหมดอายุ กรุณาเข้าสู่ระบบใหม่",
        "Your session is invalid or has expired: sign in again",
    ),
    "profile_missing": B("ไม่พบข้อมูลผู้ใช้", "No profile for this account"),
    "forbidden_role": B("บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้", "Your role may not do this"),
    "not_found": B("ไม่พบข้อมูลที่ต้องการ", "Not found"),
    "illegal_transition": B(
        "เปลี่ยนสถานะจาก {from_status} เป็น {to_status} ไม่ได้",
        "Cannot change the status from {from_status} to {to_status}",
    ),
    "database_unavailable": B(
        "ระบบฐานข้อมูลขัดข้องชั่วคราว กรุณาลองใหม่", "The database is unavailable: please try again"
    ),
    "internal_error": B("ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง", "Something went wrong: please try again"),
    "network_unreachable": B(
        "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต", "Cannot reach the server: check your connection"
    ),
    "request_category_required": B("กรุณาเลือกประเภทงานซ่อม", "Choose what kind of repair it is"),
    "request_item_invalid": B(
        "กรุณาบอกว่าของที่จะซ่อมคืออะไร (ไม่เกิน 120 ตัวอักษร)", "Say what the item is (up to 120 characters)"
    ),
    "request_brand_too_long": B("ยี่ห้อ/รุ่นยาวเกิน 80 ตัวอักษร", "Brand/model is longer than 80 characters"),
    "request_description_invalid": B(
        "กรุณาอธิบายอาการเสีย 5–2000 ตัวอักษร", "Describe what is wrong in 5–2000 characters"
    ),
    "request_location_required": B("กรุณาระบุตำแหน่ง (GPS หรือปักหมุดบนแผนที่)", "Give a location (GPS or a map pin)"),
    "request_location_outside_thailand": B(
        "ตำแหน่งอยู่นอกประเทศไทย ศูนย์ซ่อมให้บริการเฉพาะในประเทศไทย",
        "That location is outside Thailand: Fixit Centers serve Thailand only",
    ),
    "request_address_too_long": B("ที่อยู่ยาวเกิน 500 ตัวอักษร", "The address is longer than 500 characters"),
    "request_service_place_invalid": B(
        "กรุณาเลือกว่าจะซ่อมที่ศูนย์หรือที่บ้าน", "Choose whether the repair is at the centre or at home"
    ),
    "request_days_invalid": B("วันที่สะดวกไม่ถูกต้อง", "Unknown preferred day"),
    "request_consent_required": B(
        "กรุณายินยอมให้ใช้ข้อมูลส่วนบุคคลตามประกาศความเป็นส่วนตัว",
        "Please agree to the use of your personal data under the privacy notice",
    ),
    "offer_not_open": B(
        "งานนี้ไม่เปิดรับแล้ว (มีช่างรับไปแล้ว หมดเวลา หรือถูกถอน)",
        "This offer is no longer open (taken by someone else, expired or withdrawn)",
    ),
    "technician_not_in_college": B(
        "ช่างคนนี้ไม่ได้อยู่ในวิทยาลัยที่รับงานนี้", "That technician is not at the college handling this job"
    ),
    "reason_required": B("กรุณาเลือกเหตุผลที่ซ่อมไม่ได้", "Choose why it cannot be repaired"),
    "rating_invalid": B("คะแนนต้องเป็น 1–5 ดาว", "The rating must be 1–5 stars"),
    "not_rateable": B("ให้คะแนนได้เมื่องานซ่อมเสร็จแล้วเท่านั้น", "You can rate a job once it is finished"),
    "reopen_too_late": B(
        "แจ้งว่ายังไม่หายได้ภายใน 7 วันหลังรับของคืนเท่านั้น",
        "A repair can be reopened only within 7 days of getting the item back",
    ),
    "report_hours_invalid": B("ชั่วโมงทำงานต้องอยู่ระหว่าง 0–200", "Hours worked must be between 0 and 200"),
    "report_too_long": B("บันทึกยาวเกินไป (ไม่เกิน 2000 ตัวอักษร และ 30 รายการอะไหล่)",
                         "The report is too long (2000 characters, 30 parts at most)"),
    "report_part_invalid": B(
        "รายการอะไหล่ต้องมีชื่อ จำนวนอย่างน้อย 1 และราคาไม่ติดลบ",
        "Each part needs a name, a quantity of at least 1 and a cost of 0 or more",
    ),
    "not_assigned": B("คุณไม่ได้เป็นช่างผู้รับงานนี้", "You are not the technician on this job"),
    "no_fitting_student": B(
        "ยังไม่มีนักศึกษาที่มีทักษะตรงกับงานนี้ในวิทยาลัยที่เลือก",
        "No student at that college has a skill that fits this job",
    ),
    "display_name_invalid": B(
        "ชื่อที่แสดงต้องมี 1–80 ตัวอักษร", "The display name must have 1–80 characters"
    ),
}

ERRORS.update({code: B(th, en) for code, (th, en) in PHOTO_ERRORS.items()})

STATUS_LABELS: dict[RequestStatus, Bilingual] = {
    RequestStatus.SUBMITTED: B("ได้รับคำขอแล้ว", "Received"),
    RequestStatus.NO_CENTRE: B("ยังไม่มีศูนย์ในพื้นที่", "No centre in range"),
    RequestStatus.OFFERED: B("กำลังหาช่าง", "Finding a technician"),
    RequestStatus.ACCEPTED: B("ช่างรับงานแล้ว", "Accepted"),
    RequestStatus.DIAGNOSING: B("กำลังตรวจเช็ก", "Diagnosing"),
    RequestStatus.REPAIRING: B("กำลังซ่อม", "Repairing"),
    RequestStatus.QUALITY_CHECK: B("ครูกำลังตรวจงาน", "Quality check"),
    RequestStatus.UNREPAIRABLE: B("ซ่อมไม่ได้", "Cannot be repaired"),
    RequestStatus.DONE: B("ซ่อมเสร็จแล้ว", "Done"),
    RequestStatus.HANDED_BACK: B("ส่งคืนแล้ว", "Handed back"),
    RequestStatus.CANCELLED: B("ยกเลิกแล้ว", "Cancelled"),
}

ROLE_LABELS: dict[AppRole, Bilingual] = {
    AppRole.CITIZEN: B("ประชาชน", "Citizen"),
    AppRole.TECHNICIAN: B("ช่างนักศึกษา", "Student technician"),
    AppRole.SUPERVISOR: B("ครูผู้ควบคุม", "Supervisor"),
    AppRole.ADMIN: B("ผู้ดูแลระบบ", "Administrator"),
}

UI: dict[str, Bilingual] = {
    "app_title": B("ช่างพันธุ์ R อาชีวะซ่อมทั่วไทย", "Fixit: vocational repairs for all Thailand"),
    "app_subtitle": B("ศูนย์ซ่อมสร้างเพื่อชุมชน", "Fixit Center for communities"),
    "phone_label": B("เบอร์โทรศัพท์", "Phone number"),
    "phone_hint": B("เช่น 0812345678", "e.g. 0812345678"),
    "request_code": B("ขอรหัสยืนยัน", "Send me a code"),
    "code_label": B("รหัสยืนยัน 6 หลัก", "6-digit code"),
    "verify_code": B("เข้าสู่ระบบ", "Sign in"),
    "code_sent": B("ส่งรหัสไปที่ {phone} แล้ว", "We sent a code to {phone}"),
    "dev_code_hint": B("โหมดทดสอบ: รหัสคือ {code}", "Developer mode: the code is {code}"),
    "change_phone": B("เปลี่ยนเบอร์", "Change number"),
    "sign_out": B("ออกจากระบบ", "Sign out"),
    "language_switch": B("English", "ภาษาไทย"),
    "language_switch_tooltip": B("เปลี่ยนเป็นภาษาอังกฤษ", "Switch to Thai"),
    "loading": B("กำลังโหลด…", "Loading…"),
    "retry": B("ลองใหม่", "Try again"),
    "refresh": B("รีเฟรช", "Refresh"),
    "hello": B("สวัสดี {name}", "Hello {name}"),
    "citizen_home_title": B("คำขอซ่อมของฉัน", "My repair requests"),
    "citizen_empty": B(
        "ยังไม่มีคำขอซ่อม เมื่อส่งคำขอแล้วจะแสดงที่นี่", "No repair requests yet: they will show up here"
    ),
    "technician_home_title": B("งานของฉัน", "My jobs"),
    "technician_offers": B("งานที่เสนอให้ฉัน", "Offers for me"),
    "technician_jobs": B("งานที่รับแล้ว", "Jobs I took"),
    "technician_empty_offers": B("ยังไม่มีงานเสนอเข้ามา", "No offers right now"),
    "technician_empty_jobs": B("ยังไม่มีงานที่รับ", "No jobs taken yet"),
    "supervisor_home_title": B("คิวงานของวิทยาลัย", "College queue"),
    "supervisor_empty": B("ยังไม่มีงานในคิวของวิทยาลัย", "The college queue is empty"),
    "admin_home_title": B("ภาพรวมระบบ", "System overview"),
    "college": B("วิทยาลัย", "College"),
    "role": B("บทบาท", "Role"),
    "status": B("สถานะ", "Status"),
    "category": B("ประเภทงาน", "Category"),
    "requested_on": B("ส่งเมื่อ", "Requested on"),
    "distance_km": B("{km} กม.", "{km} km"),
    "skills": B("ทักษะ", "Skills"),
}


def error_text(code: str, **values: object) -> Bilingual:
    """The message for an error code; unknown codes fall back to the generic one, never to a blank."""
    template = ERRORS.get(code, ERRORS["internal_error"])
    return template.format(**values) if values else template


def ui(key: str, locale: Locale, **values: object) -> str:
    text = UI[key]
    return (text.format(**values) if values else text).in_(locale)


def status_label(status: RequestStatus, locale: Locale) -> str:
    return STATUS_LABELS[status].in_(locale)


def role_label(role: AppRole, locale: Locale) -> str:
    return ROLE_LABELS[role].in_(locale)
