"""Every user-facing sentence of Fixit, Thai first and English second, in one catalog.

The backend puts both languages into error bodies; the app picks one for its screens. Keeping them
in one place makes a missing translation a failing unit test instead of a blank label.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from shared.aftercare import COMMENT_MAX, RATING_MAX, RATING_MIN
from shared.categories import MAX_LEVEL as SKILL_MAX
from shared.categories import MIN_LEVEL as SKILL_MIN
from shared.credit import FAULT_MAX, PART_NOTE_MAX, PART_PRICE_MAX, PART_QTY_MAX, PARTS_PER_JOB_MAX, TASK_MAX
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.photos import PHOTO_ERRORS
from shared.request_rules import ADDRESS_MAX, BRAND_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, ITEM_MAX
from shared.roles import AppRole
from shared.statuses import OfferStatus, RequestStatus
from shared.suspension import SUSPEND_REASON_MAX
from shared.thai_time import BANGKOK, BUDDHIST_ERA_OFFSET
from shared.visible_text import MARKS_PER_CLUSTER_MAX
from shared.work import MAX_HOURS, MAX_PARTS, NOTES_MAX, UNREPAIRABLE_REASONS


class Locale(StrEnum):
    TH = "th"
    EN = "en"


# "{jobs|job|jobs}" in an English text: the word for the count `jobs`, singular or plural.
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def plural_en(template: str, values: Mapping[str, object]) -> str:
    """English's one plural rule, before the values go in: "{jobs|job|jobs}" is "job" when `jobs` is written "1"
    and "jobs" otherwise (as CLDR has it for English: "0 jobs", "1.5 hours", "1.0 hours"). Thai has no plural: its
    texts never use the form."""
    return _PLURAL.sub(lambda m: m[2] if str(values[m[1]]) == "1" else m[3], template)


@dataclass(frozen=True)
class Bilingual:
    th: str
    en: str

    def in_(self, locale: Locale) -> str:
        return self.th if locale == Locale.TH else self.en

    def format(self, **values: object) -> "Bilingual":
        return Bilingual(self.th.format(**values), plural_en(self.en, values).format(**values))


B = Bilingual

TH_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_text(day: date, locale: Locale) -> str:
    """30 พ.ย. 2569 / 30 Nov 2026: a calendar day as each language's reader dates it (Thai: the Buddhist Era and
    Thai month names). Which day it is in Thailand is the caller's to say (shared.thai_time.bangkok_day)."""
    if locale == Locale.TH:
        return f"{day.day} {TH_MONTHS[day.month - 1]} {day.year + BUDDHIST_ERA_OFFSET}"
    return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def datetime_text(moment: datetime, locale: Locale) -> str:
    """30 พ.ย. 2569 14:05 / 30 Nov 2026 14:05: a moment in Thailand's time, its day as `date_text` says it (the app's
    screens and the printed PDFs alike; a CSV keeps numbers for a spreadsheet). A moment without a zone is UTC, as the
    backend sends it."""
    at = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BANGKOK)
    return f"{date_text(at.date(), locale)} {at:%H:%M}"

# Error codes are part of the API contract: clients switch on `code`, people read the messages.
ERRORS: dict[str, Bilingual] = {
    # {detail} is what the parser or a route says, in English only: the Thai reader gets the sentence without it (each
    # field's own text, in both languages, is in the answer's `fields`).
    "validation_failed": B("ข้อมูลที่ส่งไม่ถูกต้อง กรุณาตรวจสอบแล้วลองใหม่", "Invalid input: {detail}"),
    "invalid_phone": B(
        "เบอร์โทรศัพท์ไม่ถูกต้อง กรุณากรอกเบอร์ไทย 9–10 หลัก เช่น 0812345678",
        "Invalid phone number: enter a Thai number of 9–10 digits, e.g. 0812345678",
    ),
    "invalid_code_format": B("รหัสยืนยันต้องเป็นตัวเลขครบทุกหลักตามที่ได้รับทาง SMS",
                             "The code must be all the digits in the SMS"),
    "otp_invalid": B("รหัสยืนยันไม่ถูกต้อง กรุณาตรวจรหัสใน SMS ล่าสุดแล้วพิมพ์ใหม่ หรือกด \"ขอรหัสใหม่\"",
                     "That code is not correct: check the latest SMS and type it again, or tap \"Send a new code\""),
    "otp_expired": B("รหัสยืนยันหมดอายุแล้ว กด \"ขอรหัสใหม่\" เพื่อรับรหัสใหม่ทาง SMS",
                     "The code has expired: tap \"Send a new code\" to get a new one by SMS"),
    "otp_too_many_attempts": B(
        "ใส่รหัสผิดหลายครั้งเกินไป กรุณาขอรหัสใหม่", "Too many wrong codes: ask for a new one"
    ),
    "otp_rate_limited": B(
        "ขอรหัสบ่อยเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many code requests: try again in {seconds} seconds",
    ),
    "otp_invalid_or_expired": B(
        "รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว กรุณาตรวจสอบรหัส หรือขอรหัสใหม่",
        "That code is wrong or has expired: check it, or ask for a new one",
    ),
    "sign_in_unavailable": B(
        "ระบบเข้าสู่ระบบด้วย SMS ใช้งานไม่ได้ชั่วคราว (ผู้ดูแลระบบได้รับแจ้งแล้ว) กรุณาลองใหม่ภายหลัง",
        "Sign-in by SMS is not available right now (the administrators have been told): please try again later",
    ),
    "auth_not_configured": B(
        "ระบบเข้าสู่ระบบยังตั้งค่าไม่ครบ (สำหรับผู้ดูแลระบบ: ยังไม่ได้ตั้ง FIXIT_JWT_SECRET)",
        "Sign-in is not set up (for administrators: FIXIT_JWT_SECRET is not set)",
    ),
    "auth_keys_unavailable": B(
        "ตรวจสอบการเข้าสู่ระบบไม่ได้ชั่วคราว กรุณาลองใหม่อีกครั้ง",
        "Your sign-in cannot be checked right now: please try again shortly",
    ),
    "session_expired": B(
        "การเข้าสู่ระบบสิ้นสุดแล้ว กรุณาเข้าสู่ระบบใหม่", "Your session has ended: please sign in again"
    ),
    # The app's own: the answer to a call made before a sign-out on this device, which nobody now signed in asked for.
    "session_ended": B("ออกจากระบบไปแล้ว การทำรายการนี้จึงไม่ได้ดำเนินการต่อ",
                       "Signed out meanwhile: this action was not carried on"),
    # An operator suspended the account (profiles.is_active): every call but the person's data rights answers this.
    "account_suspended": B(
        "บัญชีนี้ถูกระงับการใช้งาน หากมีข้อสงสัย กรุณาติดต่อวิทยาลัยของคุณหรือผู้ดูแลระบบ Fixit "
        "คุณยังดาวน์โหลดข้อมูลของคุณ หรือลบบัญชีของคุณได้",
        "This account is suspended. To ask why, contact your college or the Fixit administrators. "
        "You can still download your data or delete your account",
    ),
    # Banned in Supabase Auth itself (its dashboard): no sign-in at all, so the operator acts for the person.
    "account_banned": B(
        "บัญชีนี้ถูกระงับการเข้าสู่ระบบ กรุณาติดต่อวิทยาลัยของคุณหรือผู้ดูแลระบบ Fixit "
        "ซึ่งดาวน์โหลดหรือลบข้อมูลของคุณให้ได้",
        "This account may not sign in: contact your college or the Fixit administrators, who can download or "
        "delete your data for you",
    ),
    # Supabase Auth's `phone_exists`: the number already belongs to another account in the project.
    "phone_in_use": B(
        "เบอร์นี้เป็นของบัญชีอื่นอยู่แล้ว จึงใช้เข้าสู่ระบบที่นี่ไม่ได้ กรุณาติดต่อผู้ดูแลระบบ",
        "This phone number already belongs to another account, so it cannot sign in here: please ask an "
        "administrator",
    ),
    "signup_disabled": B(
        "ขณะนี้ยังไม่เปิดรับสมัครผู้ใช้ใหม่", "New accounts cannot be made at the moment"
    ),
    "confirmation_required": B(
        "กรุณายืนยันก่อนลบบัญชี การลบย้อนกลับไม่ได้", "Confirm first: deleting an account cannot be undone"
    ),
    "person_not_found": B("ไม่พบบัญชีของเบอร์โทรนี้", "No account has this phone number"),
    "export_file_exists": B("มีไฟล์ {path} อยู่แล้ว กรุณาเลือกชื่อไฟล์ใหม่ด้วย --out",
                            "{path} already exists: choose a new file with --out"),
    # The operator's `seed` and `./fixit run` (backend/cli.py): nothing is stored when refused.
    "seed_demo_in_production": B(
        "โหมดใช้งานจริง: ไม่สร้างบัญชีตัวอย่าง (ใครก็รู้เบอร์โทรของบัญชีเหล่านี้) ไม่มีการเปลี่ยนแปลงใด "
        "ใช้ seed --no-demo หรือตั้ง FIXIT_DEV_MODE=true บนเครื่องสำหรับพัฒนาเท่านั้น",
        "Production mode: the demo accounts are never made (anyone knows their phone numbers); nothing changed. "
        "Run seed --no-demo, or set FIXIT_DEV_MODE=true on a development machine",
    ),
    "dev_stack_other_database": B(
        "./fixit run ใช้เฉพาะฐานข้อมูลในเครื่องของตัวเอง (.data/pg) แต่ DATABASE_URL (หรือไฟล์ .env) ระบุฐานข้อมูลอื่นไว้ "
        "ซึ่งอาจเป็นฐานข้อมูลที่ใช้งานจริง จึงไม่ได้เปลี่ยนแปลงหรือใส่ข้อมูลตัวอย่างใดๆ กรุณานำ DATABASE_URL และ "
        "FIXIT_DATABASE_URL ออกแล้วลองใหม่ (ฐานข้อมูลจริงให้บริการด้วย fixit-backend serve)",
        "./fixit run runs on its own embedded database (.data/pg) only: DATABASE_URL (or .env) names another one, "
        "perhaps a production database, so nothing was migrated or seeded. Unset DATABASE_URL and "
        "FIXIT_DATABASE_URL and run it again (a production database is served by fixit-backend serve)",
    ),
    # The operator's commands (backend/cli.py) and the production start check (backend/production.py): nothing is
    # done when refused.
    "database_url_required": B(
        "โหมดใช้งานจริง: ยังไม่ได้ตั้ง DATABASE_URL (postgresql://… ฐานข้อมูลของโครงการ) จึงไม่ได้ทำอะไรเลย "
        "โหมดใช้งานจริงไม่เริ่มฐานข้อมูลในเครื่อง กรุณาตั้ง DATABASE_URL แล้วลองใหม่ "
        "หรือตั้ง FIXIT_DEV_MODE=true บนเครื่องสำหรับพัฒนาเท่านั้น",
        "Production mode: DATABASE_URL is not set (postgresql://…, the project's database), so nothing was done: "
        "production never starts the embedded PostgreSQL. Set DATABASE_URL and run it again, or set "
        "FIXIT_DEV_MODE=true on a development machine",
    ),
    "database_url_unreadable": B(
        "อ่าน DATABASE_URL ไม่ได้ (รูปแบบ postgresql://ผู้ใช้:รหัสผ่าน@โฮสต์:5432/ฐานข้อมูล อักขระ @ : / % # ? "
        "ในรหัสผ่านต้องเขียนแบบ %XX) ไม่แสดงค่าที่ตั้งไว้เพราะมีรหัสผ่านอยู่ ไม่มีการเปลี่ยนแปลงใด",
        "DATABASE_URL cannot be read as a PostgreSQL connection URL (postgresql://user:password@host:5432/database, "
        "with @ : / % # ? in the password percent-encoded); its value is not shown, it holds the password. "
        "Nothing changed",
    ),
    # A readable DATABASE_URL whose database does not answer (backend/production.py `connection_failure`): what
    # failed, never the password. Nothing was done.
    "database_unreachable": B(
        "ติดต่อฐานข้อมูลที่ {host} พอร์ต {port} ไม่ได้ (ไม่มีเซิร์ฟเวอร์ตอบ หรือหาชื่อโฮสต์ไม่พบ) กรุณาตรวจโฮสต์และพอร์ตใน "
        "DATABASE_URL และเครือข่าย ไม่มีการเปลี่ยนแปลงใด",
        "The database at {host}, port {port}, cannot be reached (no server answers there, or the host name is not "
        "found): check the host and port in DATABASE_URL and the network. Nothing changed",
    ),
    "database_password_refused": B(
        "ฐานข้อมูลที่ {host} ไม่รับรหัสผ่านของผู้ใช้ {user} กรุณาตรวจรหัสผ่านใน DATABASE_URL (อักขระ @ : / % # ? "
        "ต้องเขียนแบบ %XX) ไม่แสดงรหัสผ่าน ไม่มีการเปลี่ยนแปลงใด",
        "The database at {host} refused the password of user {user}: check the password in DATABASE_URL (@ : / % # ? "
        "percent-encoded); it is not shown. Nothing changed",
    ),
    "database_missing": B(
        "ไม่มีฐานข้อมูลชื่อ {database} บน {host} กรุณาตรวจชื่อฐานข้อมูลท้าย DATABASE_URL ไม่มีการเปลี่ยนแปลงใด",
        "There is no database named {database} on {host}: check the database name at the end of DATABASE_URL. "
        "Nothing changed",
    ),
    "database_ssl_required": B(
        "ฐานข้อมูลที่ {host} รับเฉพาะการเชื่อมต่อแบบเข้ารหัส (SSL) กรุณาเติม ?sslmode=require ท้าย DATABASE_URL "
        "ไม่มีการเปลี่ยนแปลงใด",
        "The database at {host} takes encrypted (SSL) connections only: add ?sslmode=require to DATABASE_URL. "
        "Nothing changed",
    ),
    "database_connect_failed": B(
        "เชื่อมต่อฐานข้อมูลที่ {host} ไม่ได้: {detail} ไม่มีการเปลี่ยนแปลงใด",
        "Could not connect to the database at {host}: {detail}. Nothing changed",
    ),
    "last_admin": B(
        "ลบบัญชีผู้ดูแลระบบคนสุดท้ายไม่ได้ กรุณาแต่งตั้งผู้ดูแลคนอื่นก่อน",
        "The last administrator's account cannot be deleted: make someone else an administrator first",
    ),
    "account_has_jobs": B(
        "ยังลบบัญชีไม่ได้ คุณยังมีงานที่รับไว้ {count} งาน ทำงานให้เสร็จ หรือขอให้ครูของวิทยาลัยมอบงานให้นักศึกษาคนอื่นก่อน "
        "แล้วจึงลบบัญชี (บัญชียังอยู่ครบ)",
        "Your account cannot be deleted yet: you hold {count} {count|job|jobs}. Finish {count|it|them}, or ask your "
        "college's teacher to reassign {count|it|them}, then delete your account (nothing was deleted)",
    ),
    # The operator's delete-person: the same refusal as account_has_jobs, said to the operator, not to the student.
    "person_has_jobs": B(
        "ยังลบบัญชีนี้ไม่ได้ นักศึกษาคนนี้ยังมีงานที่รับไว้ {count} งาน ให้ครูของวิทยาลัยมอบงานให้คนอื่นก่อน "
        "(ระหว่างนี้ระงับบัญชีได้ทันทีด้วย suspend-person) ไม่มีข้อมูลใดถูกลบ",
        "This student still holds {count} {count|job|jobs}: their college's teacher reassigns {count|it|them} first "
        "(suspend-person stops the account at once meanwhile). Nothing was deleted",
    ),
    # The database's own refusal of `delete from auth.users` from any other path (Supabase's dashboard shows it to its
    # operator): migration 0078 restates it (0045 did), tests/integration/test_deletion_backstop.py checks they agree.
    "deletion_refused_jobs_in_hand": B(
        "ลบบัญชีนี้ไม่ได้ นักศึกษาคนนี้ยังมีงานที่รับไว้ {count} งาน ให้ครูของวิทยาลัยมอบงานให้นักศึกษาคนอื่นก่อน "
        "แล้วจึงลบบัญชี ไม่มีข้อมูลใดถูกลบ",
        "This account cannot be deleted: the student holds {count} {count|job|jobs}. Their college's teacher "
        "reassigns {count|it|them} first, then delete the account. Nothing was deleted",
    ),
    # The operator's suspend-person / restore-person (backend/cli.py): nothing changes when one of these answers.
    "suspend_reason_required": B("กรุณาระบุเหตุผลที่ระงับบัญชี (--reason) เหตุผลจะบันทึกไว้ในประวัติการแก้ไข",
                                 "Give the reason for the suspension (--reason): it is kept in the audit trail"),
    "suspend_reason_one_line": B("เหตุผลต้องเป็นข้อความบรรทัดเดียว", "The reason must be one line of text"),
    "suspend_reason_too_long": B(f"เหตุผลยาวได้ไม่เกิน {SUSPEND_REASON_MAX} ตัวอักษร",
                                 f"The reason can be at most {SUSPEND_REASON_MAX} characters"),
    "already_suspended": B("บัญชีนี้ถูกระงับอยู่แล้ว ไม่มีการเปลี่ยนแปลง",
                           "This account is suspended already: nothing changed"),
    "already_active": B("บัญชีนี้ใช้งานได้อยู่แล้ว ไม่มีการเปลี่ยนแปลง", "This account is active already: nothing changed"),
    "last_admin_suspend": B(
        "ระงับบัญชีผู้ดูแลระบบคนสุดท้ายไม่ได้ กรุณาแต่งตั้งผู้ดูแลคนอื่นก่อน",
        "The last administrator's account cannot be suspended: make someone else an administrator first",
    ),
    "not_authenticated": B("กรุณาเข้าสู่ระบบ", "Please sign in"),
    "token_invalid": B(
        "การเข้าสู่ระบบไม่ถูกต้องหรือหมดอายุ กรุณาเข้าสู่ระบบใหม่",
        "Your session is invalid or has expired: sign in again",
    ),
    # A Supabase token of an account made another way (e-mail, anonymous): Fixit's accounts are phones with a code.
    "phone_sign_in_required": B(
        "Fixit ใช้ได้เฉพาะบัญชีที่เข้าสู่ระบบด้วยเบอร์โทรศัพท์และรหัสทาง SMS กรุณาเข้าสู่ระบบด้วยเบอร์โทรศัพท์ของคุณ",
        "Fixit accounts sign in with a phone number and a code by SMS: please sign in with your phone number",
    ),
    "profile_missing": B("ไม่พบข้อมูลผู้ใช้", "No profile for this account"),
    "forbidden_role": B("บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้", "Your role may not do this"),
    "not_found": B("ไม่พบข้อมูลที่ต้องการ", "Not found"),
    "illegal_transition": B(
        "เปลี่ยนสถานะจาก \"{from_status}\" เป็น \"{to_status}\" ไม่ได้",
        "Cannot change the status from \"{from_status}\" to \"{to_status}\"",
    ),
    # A citizen's photo for a request no longer open (the app's outbox may send a draft's photos after its owner
    # cancelled it): nothing about the request changes any more.
    "request_closed": B(
        "คำขอนี้ปิดแล้ว (สถานะ \"{request_status}\") จึงเพิ่มรูปไม่ได้",
        "This request is closed (\"{request_status}\"): photos can no longer be added",
    ),
    # The student's after photos and report, once the job is with the teacher or past it.
    "work_closed": B(
        "งานนี้อยู่ในสถานะ \"{request_status}\" แล้ว จึงแก้รูปหลังซ่อมหรือรายงานไม่ได้",
        "This job is at \"{request_status}\" now: its after photos and report can no longer be changed",
    ),
    "database_unavailable": B(
        "ระบบฐานข้อมูลขัดข้องชั่วคราว กรุณาลองใหม่", "The database is unavailable: please try again"
    ),
    "internal_error": B("ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง", "Something went wrong: please try again"),
    "network_unreachable": B(
        "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต", "Cannot reach the server: check your connection"
    ),
    # An error answer that is not the backend's own body (a proxy's or gateway's page), named by its HTTP status
    # (shared.wire.error_code_for_status): none of these tells the person to just try again when that cannot help.
    "upload_too_large": B(
        "ข้อมูลที่ส่ง (เช่น รูปภาพ) มีขนาดใหญ่เกินกว่าที่เซิร์ฟเวอร์รับได้ การส่งซ้ำจะไม่ได้ผล กรุณาแจ้งผู้ดูแลระบบ",
        "What was sent (such as a photo) is larger than the server accepts: sending it again will not help. "
        "Please tell an administrator.",
    ),
    # The web app's upload endpoint, for a file the app is not (or no longer) waiting for: the picker asks again.
    "upload_not_awaited": B(
        "แอปไม่ได้รอรับไฟล์นี้แล้ว กรุณาเลือกรูปภาพใหม่อีกครั้ง",
        "The app is no longer waiting for this file: please pick the photo again",
    ),
    "server_unavailable": B(
        "เซิร์ฟเวอร์ยังไม่พร้อมให้บริการในขณะนี้ กรุณาลองใหม่ในอีกสักครู่",
        "The server is not available at the moment: please try again in a few minutes",
    ),
    "too_many_requests_later": B(
        "ทำรายการบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่", "Too many actions in a short time: wait a moment and try again"
    ),
    "request_refused": B(
        "เซิร์ฟเวอร์ไม่รับการทำรายการนี้ (HTTP {status}) การลองซ้ำจะไม่ได้ผล หากยังเกิดขึ้นอีก กรุณาแจ้งผู้ดูแลระบบ",
        "The server refused this action (HTTP {status}): trying again will not help. If it keeps happening, "
        "please tell an administrator.",
    ),
    # A captive portal (shared.wire.CAPTIVE_PORTAL): the Wi-Fi answered with its own sign-in page instead of Fixit.
    "captive_portal": B(
        "เครือข่ายนี้ยังไม่ให้แอปเชื่อมต่อกับ Fixit: Wi-Fi ของโรงแรมหรือร้านกาแฟมักให้เข้าสู่ระบบ Wi-Fi ก่อน "
        "กรุณาเปิดเว็บเบราว์เซอร์เพื่อเข้าสู่ระบบ Wi-Fi หรือใช้อินเทอร์เน็ตมือถือแทน",
        "This network is not letting the app reach Fixit: hotel and café Wi-Fi often asks you to sign in first. "
        "Open a web browser to sign in to the Wi-Fi, or use mobile data instead.",
    ),
    # A photo larger than the server (or a proxy before it) takes (413): the same photo again would be refused again.
    "photo_upload_too_large": B(
        "รูปที่ {n} มีขนาดใหญ่เกินกว่าที่เซิร์ฟเวอร์รับได้ การส่งซ้ำจะไม่ได้ผล กรุณาลบรูปนี้แล้วส่งรูปให้น้อยลง "
        "หรือเลือกรูปอื่นที่เล็กกว่า",
        "Photo {n} is larger than the server accepts: sending it again will not help. Remove it and send fewer "
        "photos, or choose a smaller one.",
    ),
    "request_category_required": B("กรุณาเลือกประเภทงานซ่อม", "Choose what kind of repair it is"),
    "request_item_invalid": B(
        f"กรุณาบอกว่าของที่จะซ่อมคืออะไร (ไม่เกิน {ITEM_MAX} ตัวอักษร)", f"Say what the item is (up to {ITEM_MAX} characters)"
    ),
    "request_brand_too_long": B(
        f"ยี่ห้อ/รุ่นยาวเกิน {BRAND_MAX} ตัวอักษร", f"Brand/model is longer than {BRAND_MAX} characters"
    ),
    "request_description_invalid": B(
        f"กรุณาอธิบายอาการเสีย {DESCRIPTION_MIN}–{DESCRIPTION_MAX} ตัวอักษร",
        f"Describe what is wrong in {DESCRIPTION_MIN}–{DESCRIPTION_MAX} characters",
    ),
    "request_location_required": B("กรุณาระบุตำแหน่ง (GPS หรือปักหมุดบนแผนที่)", "Give a location (GPS or a map pin)"),
    "request_location_outside_thailand": B(
        "ตำแหน่งอยู่นอกประเทศไทย ศูนย์ซ่อมให้บริการเฉพาะในประเทศไทย",
        "That location is outside Thailand: Fixit Centers serve Thailand only",
    ),
    "request_address_too_long": B(
        f"ที่อยู่ยาวเกิน {ADDRESS_MAX} ตัวอักษร", f"The address is longer than {ADDRESS_MAX} characters"
    ),
    "request_service_place_invalid": B(
        "กรุณาเลือกว่าจะซ่อมที่ศูนย์หรือที่บ้าน", "Choose whether the repair is at the centre or at home"
    ),
    "request_days_invalid": B("วันที่สะดวกไม่ถูกต้อง", "Unknown preferred day"),
    "request_consent_required": B(
        "กรุณายินยอมให้ใช้ข้อมูลส่วนบุคคลตามประกาศความเป็นส่วนตัว",
        "Please agree to the use of your personal data under the privacy notice",
    ),
    # POST /requests again with a key already used for a request with other details (an edited draft whose first
    # send was stored): the stored request stays as it is, and the edit is refused in words, never taken silently.
    "idempotency_key_reused": B(
        "คำขอนี้ส่งถึงเราแล้วด้วยรายละเอียดที่ส่งครั้งแรก จึงแก้ไขรายละเอียดไม่ได้แล้ว ดูได้ในรายการคำขอของคุณ "
        "หากต้องการแจ้งซ่อมตามรายละเอียดใหม่ กรุณาส่งเป็นคำขอใหม่",
        "This request was already received with the details first sent, which can no longer be changed: it is in "
        "your requests. To ask for a repair with the new details, send it as a new request.",
    ),
    "offer_not_open": B(
        "งานนี้ไม่เปิดรับแล้ว (มีช่างรับไปแล้ว หมดเวลา หรือถูกถอน)",
        "This offer is no longer open (taken by someone else, expired or withdrawn)",
    ),
    # GET /requests/{id} for a student whose offer of the job is no more (shared.statuses.OfferGone, migration 0058).
    "offer_taken": B("นักศึกษาคนอื่นรับงานนี้ไปแล้ว งานนี้จึงไม่ได้เสนอให้คุณแล้ว",
                     "Another student took this job: it is no longer offered to you"),
    "offer_ended": B("งานนี้ไม่ได้เสนอให้คุณแล้ว (ปฏิเสธไปแล้ว หมดเวลา หรือข้อเสนอถูกถอน)",
                     "This job is no longer offered to you (declined, expired or withdrawn)"),
    "offer_off_roster": B(
        "วิทยาลัยปิดการรับงานของคุณไว้ จึงรับงานนี้ไม่ได้ (สอบถามครูได้)",
        "Your college has switched you off taking jobs, so you cannot take this one (ask your teacher)",
    ),
    "college_closed": B(
        "วิทยาลัยนี้ปิดใช้งานแล้ว จึงรับงานนี้ไม่ได้ งานจะส่งต่อให้วิทยาลัยอื่น",
        "This college is closed now, so it cannot take this job: the job goes on to another college",
    ),
    "technician_not_in_college": B(
        "ช่างคนนี้ไม่ได้อยู่ในวิทยาลัยที่รับงานนี้", "That technician is not at the college handling this job"
    ),
    "reason_required": B("กรุณาเลือกเหตุผลที่ซ่อมไม่ได้", "Choose why it cannot be repaired"),
    "rating_invalid": B(
        f"คะแนนต้องเป็น {RATING_MIN}–{RATING_MAX} ดาว", f"The rating must be {RATING_MIN}–{RATING_MAX} stars"
    ),
    "not_rateable": B("ให้คะแนนได้เมื่องานซ่อมเสร็จแล้วเท่านั้น", "You can rate a job once it is finished"),
    "reopen_too_late": B(
        "แจ้งว่ายังไม่หายได้ภายใน 7 วันหลังรับของคืนเท่านั้น",
        "A repair can be reopened only within 7 days of getting the item back",
    ),
    "report_hours_invalid": B(f"ชั่วโมงทำงานต้องอยู่ระหว่าง 0–{MAX_HOURS:g}",
                              f"Hours worked must be between 0 and {MAX_HOURS:g}"),
    "report_too_long": B(f"บันทึกยาวเกินไป (ไม่เกิน {NOTES_MAX} ตัวอักษร และ {MAX_PARTS} รายการอะไหล่)",
                         f"The report is too long ({NOTES_MAX} characters, {MAX_PARTS} parts at most)"),
    "report_part_invalid": B(
        f"รายการอะไหล่ต้องมีชื่อ จำนวน 1–{PART_QTY_MAX} และราคาต่อชิ้น 0–{PART_PRICE_MAX:,.0f} บาท",
        f"Each part needs a name, a quantity of 1–{PART_QTY_MAX} and a unit cost of 0–{PART_PRICE_MAX:,.0f} baht",
    ),
    "not_assigned": B("คุณไม่ได้เป็นช่างผู้รับงานนี้", "You are not the technician on this job"),
    "too_many_requests": B(
        "ทำรายการบ่อยเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many actions in a short time: try again in {seconds} seconds",
    ),
    "not_your_college": B(
        "งานนี้อยู่ที่วิทยาลัยอื่น คุณจึงทำรายการนี้ไม่ได้", "This job is at another college: you may not do this"
    ),
    "accept_through_offer": B(
        "รับงานได้โดยกดรับข้อเสนองานเท่านั้น หรือให้ครูมอบหมายนักศึกษา",
        "A job is taken only by accepting its offer, or by a teacher assigning a student",
    ),
    "no_fitting_student": B(
        "ยังไม่มีนักศึกษาที่มีทักษะตรงกับงานนี้ในวิทยาลัยที่เลือก",
        "No student at that college has a skill that fits this job",
    ),
    "display_name_invalid": B(
        f"ชื่อที่แสดงต้องมี 1–{DISPLAY_NAME_MAX} ตัวอักษรที่มองเห็นได้ ไม่มีอักขระกลับทิศทางข้อความ"
        f" และไม่มีเครื่องหมายซ้อนกันเกิน {MARKS_PER_CLUSTER_MAX} ตัว",
        f"The display name must have 1–{DISPLAY_NAME_MAX} visible characters, no text-direction characters and no"
        f" more than {MARKS_PER_CLUSTER_MAX} marks stacked on a letter",
    ),
    # Refused at the edge, before any route runs (backend/input_guard.py, body_limits.py, schemas.py).
    "invalid_characters": B(
        "ข้อความมีอักขระที่ใช้ไม่ได้ (อักขระควบคุม)",
        "The text contains characters that are not allowed (control characters)",
    ),
    "text_too_long": B("ข้อความยาวเกินไป", "The text is too long"),
    # A college's or a province's name (the admin's college form, the colleges CSV): shown in everyone's lists.
    "place_name_invalid": B(
        "ชื่อต้องมีตัวอักษรที่มองเห็นได้ และไม่มีอักขระควบคุมหรืออักขระกลับทิศทางข้อความ",
        "A name needs visible letters, with no control or text-direction characters",
    ),
    "invalid_value": B("ค่านี้ไม่ถูกต้อง", "This value is not valid"),
    "number_not_finite": B("ต้องเป็นตัวเลขปกติ (ไม่ใช่ค่าอนันต์หรือ NaN)", "Must be a finite number (not infinity or NaN)"),
    "body_too_large": B(
        "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป (ไม่เกิน {limit_kib} KiB)", "The request is too large (at most {limit_kib} KiB)"
    ),
    # A Content-Length header that is not a plain number (body_limits.py): the body cannot be measured, so not read.
    "content_length_invalid": B("ขนาดข้อมูลที่แจ้งมากับคำขอไม่ใช่ตัวเลขที่อ่านได้ (Content-Length)",
                                "The request's declared size is not a number (Content-Length)"),
    # Quiet hours that start and end at the same time would be no quiet hours at all (issue 13).
    "quiet_hours_same": B("เวลาเริ่มและเวลาสิ้นสุดของช่วงเวลาเงียบต้องไม่ตรงกัน",
                          "Quiet hours must start and end at different times"),
    # A kind a person's notification settings do not list (shared.notifications.settings_kinds; audit24 B1).
    "notification_kind_not_yours": B("บัญชีของคุณไม่ได้รับการแจ้งเตือนประเภทนี้ จึงตั้งค่าช่องทางไม่ได้: {kind}",
                                     "Your account does not receive this kind of message, so its channels "
                                     "cannot be set: {kind}"),
}

ERRORS.update({code: B(th, en) for code, (th, en) in PHOTO_ERRORS.items()})

# Staff onboarding (backend/services/staff.py): colleges, supervisors and students registered by phone.
ERRORS.update({
    "staff_role_invalid": B("ลงทะเบียนได้เฉพาะบทบาทเจ้าหน้าที่: นักศึกษาช่าง ครูผู้ควบคุม หรือผู้ดูแลระบบ",
                            "Staff roles only: technician, supervisor or admin"),
    "college_required": B("นักศึกษาช่างและครูผู้ควบคุมต้องสังกัดวิทยาลัย กรุณาระบุรหัสวิทยาลัย",
                          "Technicians and supervisors belong to a college: give its code"),
    "college_unknown": B("ไม่พบวิทยาลัยรหัส {college} ที่เปิดใช้งานอยู่", "No active college with code {college}"),
    "college_inactive": B("วิทยาลัยนี้ปิดใช้งานอยู่ กรุณาเปิดใช้งานก่อน", "That college is inactive: activate it first"),
    "college_code_taken": B("มีวิทยาลัยรหัส {college} อยู่แล้ว", "A college with code {college} exists already"),
    "college_outside_thailand": B("พิกัดของวิทยาลัยอยู่นอกประเทศไทย", "The college's location is outside Thailand"),
    "skill_unknown": B("ไม่รู้จักทักษะ {skill}", "Unknown skill {skill}"),
    "skill_level_invalid": B(f"ระดับทักษะ {{skill}} ต้องเป็น {SKILL_MIN}–{SKILL_MAX}",
                             f"The level of {{skill}} must be {SKILL_MIN}–{SKILL_MAX}"),
    "skill_format_invalid": B("เขียนทักษะเป็น รหัส:ระดับ เช่น electrical_appliance:3 (พบ {skill})",
                              "Write skills as code:level, e.g. electrical_appliance:3 (found {skill})"),
    "phone_is_staff": B("เบอร์นี้เป็นของเจ้าหน้าที่ หรือนักศึกษาของวิทยาลัยอื่นอยู่แล้ว กรุณาติดต่อผู้ดูแลระบบ",
                        "This phone belongs to staff or to a student of another college: ask an administrator"),
    "phone_invited_elsewhere": B("เบอร์นี้ได้รับเชิญในบทบาทอื่นหรือที่วิทยาลัยอื่นแล้ว กรุณาติดต่อผู้ดูแลระบบ",
                                 "This phone is invited for another role or college: ask an administrator"),
    "csv_invalid": B("ไฟล์ CSV มี {count} แถวที่ไม่ถูกต้อง จึงไม่ได้นำเข้าข้อมูลใดเลย",
                     "The CSV has {count} bad {count|line|lines}: nothing was imported"),
    "csv_not_utf8": B("ไฟล์ต้องเป็น CSV แบบ UTF-8 (ใน Excel: บันทึกเป็น CSV UTF-8)",
                      "The file must be a UTF-8 CSV (in Excel: save as CSV UTF-8)"),
    "csv_missing_columns": B("ไฟล์ CSV ไม่มีคอลัมน์ {columns} (ต้องมี phone, name และ skills ถ้ามี)",
                             "The CSV lacks the column(s) {columns} (phone, name, and optionally skills)"),
    "csv_empty": B("ไฟล์ CSV ไม่มีรายชื่อนักศึกษา", "The CSV lists no students"),
    "csv_too_many_rows": B("ไฟล์ CSV มีได้ไม่เกิน {max} แถว กรุณาแบ่งเป็นหลายไฟล์",
                           "A CSV may have at most {max} rows: split it into several files"),
    "csv_phone_repeated": B("เบอร์นี้ซ้ำกับแถว {first}", "This phone repeats line {first}"),
    "csv_unreadable": B("อ่านแถวนี้ของไฟล์ CSV ไม่ได้", "This line of the CSV cannot be read"),
    # `fixit-backend migrate` gave up waiting for a table another connection holds in an open transaction.
    "migration_lock_timeout": B(
        "ไม่ได้ใช้ไฟล์ปรับฐานข้อมูล {version}: รอล็อกตารางที่การเชื่อมต่ออื่นถือไว้ในธุรกรรมที่ยังเปิดค้าง {tries} ครั้ง "
        "(ครั้งละ {seconds} วินาที) จึงยกเลิกโดยไม่เปลี่ยนแปลงอะไรจากไฟล์นี้ และระบบยังให้บริการได้ตามปกติ "
        "ปิดธุรกรรมนั้นแล้วสั่ง fixit-backend migrate อีกครั้ง{holders}",
        "Migration {version} was not applied: it waited {tries} times ({seconds} s each) for a table lock another "
        "connection holds in an open transaction, then gave up with nothing of it changed, and the service kept "
        "answering. End that transaction and run fixit-backend migrate again.{holders}"),
    "not_your_college_staff": B("ครูผู้ควบคุมเพิ่มหรือดูรายชื่อได้เฉพาะวิทยาลัยของตนเอง",
                                "A supervisor may add or list people at their own college only"),
    # --- The job record and the student's credit (issue 14, shared/credit.py) ---
    "outcome_invalid": B("ผลการซ่อมไม่ถูกต้อง", "Unknown outcome"),
    "outcome_reason_required": B("กรุณาเลือกเหตุผลที่ไม่ได้ซ่อม", "Choose why it was not repaired"),
    "outcome_reason_invalid": B("เหตุผลไม่ถูกต้อง", "Unknown reason"),
    "outcome_fault_required": B("กรุณาบันทึกอาการเสียที่พบ", "Record the fault found"),
    "outcome_fault_too_long": B(f"อาการเสียที่พบยาวได้ไม่เกิน {FAULT_MAX} ตัวอักษร",
                                f"The fault found can have up to {FAULT_MAX} characters"),
    "outcome_not_now": B("บันทึกผลนี้ในขั้นตอนนี้ไม่ได้", "This outcome cannot be recorded at this stage"),
    "part_invalid": B("ข้อมูลอะไหล่ไม่ถูกต้อง (ชื่อ จำนวน และราคา)", "Invalid part (name, quantity and price)"),
    "part_not_found": B("ไม่พบรายการอะไหล่นี้", "No such part on this job"),
    "part_already_decided": B("อะไหล่นี้ได้รับการตอบแล้ว", "This part was already answered"),
    "part_answered": B("เจ้าของตอบรายการอะไหล่นี้แล้ว จึงถอนรายการไม่ได้",
                       "The owner has answered this part: it can no longer be withdrawn"),
    "part_phone_note_required": B("การอนุมัติทางโทรศัพท์ต้องบันทึกว่าใครอนุมัติและเมื่อไร",
                                  "A phone approval needs a note of who approved it and when"),
    "part_note_too_long": B(f"บันทึกการอนุมัติยาวได้ไม่เกิน {PART_NOTE_MAX} ตัวอักษร",
                            f"The approval note can have up to {PART_NOTE_MAX} characters"),
    "parts_too_many": B(f"งานหนึ่งเสนออะไหล่ได้ไม่เกิน {PARTS_PER_JOB_MAX} รายการ",
                        f"A job can have up to {PARTS_PER_JOB_MAX} proposed parts"),
    "parts_not_now": B("เสนออะไหล่ได้ระหว่างตรวจเช็กและซ่อมเท่านั้น",
                       "Parts may be proposed only while the job is diagnosed or repaired"),
    "handover_unconfirmed": B("ยังคืนของไม่ได้: เจ้าของต้องยืนยันรับของในแอป หรือบอกรหัสคืนของ "
                              "หรือครูบันทึกเหตุผล",
                              "Not handed back yet: the owner confirms in the app or gives the handover code, "
                              "or the teacher records why"),
    "handover_code_invalid": B("รหัสคืนของไม่ถูกต้อง", "That handover code is not correct"),
    "handover_code_locked": B("ใส่รหัสคืนของผิดหลายครั้งเกินไป กรุณาให้เจ้าของยืนยันในแอป",
                              "Too many wrong handover codes: ask the owner to confirm in the app"),
    "handover_not_now": B("ยังไม่ถึงขั้นตอนคืนของ", "The job is not ready to be handed back"),
    "below_safety_tier": B("งานประเภทนี้มีความเสี่ยง ต้องมีระดับทักษะ {level} ขึ้นไป",
                           "This kind of job is risky: it needs skill level {level} or above"),
    "teacher_presence_required": B("งานความเสี่ยงสูง ต้องระบุครูที่อยู่ควบคุมในขั้นตอนนี้",
                                   "High-risk work: name the teacher present at this step"),
    "teacher_not_of_college": B("ครูที่ระบุไม่ใช่ครูของวิทยาลัยนี้", "That teacher is not of this college"),
    "team_member_invalid": B("เพิ่มได้เฉพาะนักศึกษาของวิทยาลัยเดียวกัน", "Only students of the same college may join"),
    "team_full": B("ทีมมีสมาชิกครบแล้ว", "The team is full"),
    "team_task_too_long": B(f"งานที่ทำในทีมยาวได้ไม่เกิน {TASK_MAX} ตัวอักษร",
                            f"A team member's task can have up to {TASK_MAX} characters"),
    "team_not_member": B("คุณไม่ได้อยู่ในทีมของงานนี้", "You are not on this job's team"),
    "team_not_now": B("แก้ไขทีมไม่ได้หลังครูอนุมัติชั่วโมงแล้ว", "The team cannot change after hours are approved"),
    "hours_missing": B("ยังไม่ได้บันทึกชั่วโมงทำงาน", "No hours recorded"),
    "hours_waiting_after_incomplete": B("ขอหน้าถัดไปต้องระบุทั้งเลขงาน (after_ref) และรอบ (after_round) ของรายการสุดท้าย",
                                        "The next page needs both the last round's job number (after_ref) and its "
                                        "round (after_round)"),
    "list_after_invalid": B("ตำแหน่งหน้าถัดไป (after) ไม่ถูกต้อง: โหลดรายการใหม่ตั้งแต่ต้น",
                            "The next page's cursor (after) is not valid: load the list again from its start"),
    "list_after_with_offset": B("ขอหน้าถัดไปได้ด้วย after หรือ offset อย่างใดอย่างหนึ่งเท่านั้น",
                                "Ask for the next page with either after or offset, not both"),
    "hours_lead_zero": B("ชั่วโมงของหัวหน้างานต้องมากกว่า 0 (ใส่ 0 ได้เฉพาะผู้ช่วยที่ไม่ได้ช่วยงานนี้)",
                         "The lead's hours must be above 0 (0 is only for a helper who did not work on it)"),
    "team_closed": B("งานนี้อยู่ในสถานะ \"{request_status}\" จึงเพิ่มผู้ช่วยไม่ได้",
                     "This job is at \"{request_status}\": no helpers can be added"),
    "team_job_ended": B("งานนี้คืนของให้เจ้าของแล้ว เพิ่มผู้ช่วยไม่ได้อีก",
                        "This job was handed back to its owner: no more helpers can be added"),
    "hours_no_timeline": B("งานนี้ยังไม่มีช่วงเวลาทำงานให้ตรวจชั่วโมง", "This job has no work timeline to check hours by"),
    "hours_exceed_timeline": B("ชั่วโมงที่รายงานเกินช่วงเวลาที่ทำงานนี้จริง ({window} ชั่วโมง)",
                               "Reported hours exceed the time the job was in hand ({window} hours)"),
    "hours_not_now": B("อนุมัติชั่วโมงได้หลังครูตรวจงานแล้วเท่านั้น", "Hours are approved only after the job is checked"),
    "hours_already_approved": B("อนุมัติชั่วโมงของงานนี้แล้ว", "This job's hours are approved already"),
    "push_endpoint_invalid": B("ที่อยู่รับการแจ้งเตือนของเบราว์เซอร์นี้ไม่ใช่บริการแจ้งเตือนที่รู้จัก",
                               "This browser's push address is not a known push service"),
    "own_work_check": B("คุณทำงานนี้เอง จึงตรวจหรืออนุมัติเองไม่ได้ ให้ครูท่านอื่นของวิทยาลัยตรวจ",
                        "You worked on this job: another teacher of the college must check and approve it"),
    "proposal_not_open": B("ข้อเสนอเลื่อนระดับนี้ได้รับการพิจารณาแล้ว", "This proposal was already decided"),
    "progression_jobs_invalid": B("จำนวนงานสำหรับเลื่อนระดับต้องเป็น 1–50", "Jobs per level must be 1–50"),
    "term_invalid": B("ภาคเรียนต้องเขียนแบบ 2569-1", "Write the term as 2569-1"),
    "verify_code_unknown": B("ไม่พบรหัสตรวจสอบนี้", "No portfolio has this verification code"),
    "portfolio_empty": B("ภาคเรียนนี้ยังไม่มีงานที่ครูอนุมัติ จึงยังไม่มีแฟ้มผลงานให้พิมพ์",
                         "No approved jobs this term: there is no portfolio to print yet"),
    "portfolio_pdf_rate_limited": B(
        "พิมพ์แฟ้มผลงานบ่อยเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many portfolio PDFs: try again in {seconds} seconds",
    ),
    "line_link_paused": B(
        "มีการส่งรหัสเชื่อม LINE ผิดหลายครั้งเกินไป จึงพักการเชื่อม LINE ไว้ชั่วคราว กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many wrong LINE linking codes were sent, so linking LINE is paused: try again in {seconds} seconds",
    ),
    # What no typed text may hold (shared.visible_text.typed_text_problem): refused in every field, by its field.
    "text_direction_invalid": B(
        "ข้อความมีอักขระกลับทิศทางข้อความ (ซึ่งมองไม่เห็นแต่ทำให้ข้อความแสดงกลับด้าน) กรุณาลบออกหรือพิมพ์ใหม่",
        "The text holds a text-direction character (invisible, it shows the text backwards): remove it or type the "
        "text again",
    ),
    "text_marks_stacked": B(
        f"ข้อความมีสระหรือวรรณยุกต์ซ้อนกันเกิน {MARKS_PER_CLUSTER_MAX} ตัวบนตัวอักษรเดียว กรุณาแก้ไข",
        f"The text has more than {MARKS_PER_CLUSTER_MAX} vowel or tone marks stacked on one letter: please correct it",
    ),
    # An administrator's send-on of a high-risk job to a college with no active teacher (dispatch.teacher_missing).
    "no_teacher_at_college": B(
        "วิทยาลัยที่เลือกยังไม่มีครูที่ใช้งานอยู่ งานความเสี่ยงสูงนี้ต้องมีครูควบคุมขณะตรวจและซ่อม",
        "That college has no active teacher: this high-risk job needs a teacher present to diagnose and repair it",
    ),
    # fix20a: an admin's move of a high-risk job into a hands-on step (the send-back for rework) names a teacher of
    # the college present (shared.credit.teacher_named_present); the college has none to name.
    "presence_no_teacher": B(
        "วิทยาลัยของงานนี้ไม่มีครูที่ใช้งานอยู่ จึงไม่มีครูควบคุมขั้นตอนนี้ได้ งานความเสี่ยงสูงต้องมีครูควบคุมขณะซ่อม "
        "ทำขั้นตอนนี้ได้เมื่อวิทยาลัยมีครูแล้ว",
        "This job's college has no active teacher, so nobody can be present at this step (high-risk work needs a "
        "teacher present): it can be taken once the college has a teacher",
    ),
    # A student's accept of a high-risk job offered while their college had a teacher, whose last teacher left since
    # (dispatch.accept_offer): the clock ends the college's offers of it and sends the job on.
    "offer_no_teacher": B(
        "วิทยาลัยของคุณไม่มีครูที่ใช้งานอยู่แล้ว งานความเสี่ยงสูงนี้ต้องมีครูควบคุมขณะตรวจและซ่อม จึงรับไม่ได้ "
        "งานจะส่งต่อให้วิทยาลัยอื่น",
        "Your college has no active teacher now: this high-risk job needs a teacher present to diagnose and repair "
        "it, so you cannot take it: the job goes on to another college",
    ),
    # A helper named on a high-risk job with work still ahead at a college whose last teacher left (credit.add_member).
    "team_no_teacher": B(
        "วิทยาลัยไม่มีครูที่ใช้งานอยู่แล้ว จึงเพิ่มผู้ช่วยในงานความเสี่ยงสูงนี้ไม่ได้จนกว่าจะมีครูควบคุม",
        "The college has no active teacher now: no helper can join this high-risk job until a teacher can be present",
    ),
    # A request whose citizen's account is suspended (or deleted): nobody may answer for it (no chat, no part's
    # answer, no hand back code), so no student is given it: an accept, an assign or reassign, a helper joining, an
    # administrator's send-on (review18a #2, audit20 #2). It waits as no_centre until the account is restored.
    "owner_suspended": B(
        "บัญชีของเจ้าของคำขอนี้ถูกระงับ จึงส่งงานนี้ให้นักศึกษาไม่ได้จนกว่าบัญชีจะกลับมาใช้งานได้",
        "The account of this request's owner is suspended: the job cannot go to a student until it is restored",
    ),
    # A teacher's decision of a level proposal whose own account was deleted while it waited (race27 #2): nothing
    # of it is stored, and the proposal stays for the college's other teachers.
    "decider_gone": B(
        "บัญชีของคุณถูกลบไปแล้วระหว่างที่กำลังพิจารณา จึงไม่ได้บันทึกการตัดสินนี้",
        "Your account was deleted while this decision was being saved: it was not saved",
    ),
})

# What the system writes on a job's timeline: stored as a code and parameters (status_events.note_code/note_params),
# rendered in the reader's language. Free text people type stays as typed.
EVENT_NOTES: dict[str, Bilingual] = {
    "no_centre": B("ยังไม่มีวิทยาลัยในพื้นที่ที่มีนักศึกษาทักษะตรงกับงานนี้", "No college in range has a fitting student"),
    # No college left to try, after students were offered it (their offers lapsed, they declined, or the job was
    # taken back): colleges in range exist, so "none in range" would be untrue (audit17a).
    "no_taker": B("ยังไม่มีนักศึกษาช่างของวิทยาลัยใกล้คุณรับงานนี้ รอผู้ดูแลระบบส่งต่อ",
                  "No student technician of the colleges near you has taken this job: waiting for an administrator "
                  "to send it on"),
    "escalated": B("ส่งต่อให้วิทยาลัยถัดไป เพราะไม่มีผู้รับงานภายในเวลาที่กำหนด",
                   "Sent on to the next college: nobody answered in time"),
    "reopened": B("แจ้งว่ายังไม่หาย ส่งกลับไปที่วิทยาลัยเดิม", "Reported still broken: back to the same college"),
    "sent_on_by_admin": B("ผู้ดูแลระบบส่งต่อให้วิทยาลัย", "Sent on to a college by an administrator"),
    "assigned": B("ครูมอบหมายงานให้นักศึกษา", "Assigned to a student by the teacher"),
    "reassigned": B("ครูเปลี่ยนนักศึกษาผู้รับงาน", "Given to another student by the teacher"),
    "taken_back": B("รับงานคืนเพื่อเสนอให้นักศึกษาคนอื่น", "Taken back to offer to another student"),
    "unrepairable": B("ซ่อมไม่ได้: {reason}", "Cannot be repaired: {reason}"),
    "still_broken": B("ยังไม่หาย", "Still broken"),
    # The clock tried a no_centre request again: a fitting student it was never offered to is now in range.
    "sent_again": B("มีนักศึกษาช่างที่ทักษะตรงกับงานในพื้นที่แล้ว ส่งงานให้อีกครั้ง",
                    "A fitting student technician is now in range: offered again"),
    # A high-risk job reopened when the college that did it has no active teacher any more (aftercare.reopen).
    "reopened_no_teacher": B("แจ้งว่ายังไม่หาย วิทยาลัยเดิมไม่มีครูควบคุมงานความเสี่ยงสูงแล้ว ส่งต่อให้วิทยาลัยอื่น",
                             "Reported still broken: the same college has no teacher for high-risk work now, so it "
                             "went to another college"),
    # The clock handed on a high-risk job offered at a college whose last teacher left (end_offers_without_teacher).
    "no_teacher_left": B("ส่งต่อให้วิทยาลัยถัดไป เพราะวิทยาลัยเดิมไม่มีครูควบคุมงานความเสี่ยงสูงแล้ว",
                         "Sent on to the next college: that college has no teacher for high-risk work now"),
    # A request parked because its owner's account was suspended (dispatch.park_for_suspended_owner, and dispatch's
    # own check on the clock's paths): nobody took it is not why it waits (reinstate21).
    "owner_suspended": B("พักคำขอไว้ก่อน เพราะบัญชีของผู้แจ้งซ่อมถูกระงับ จะไม่ส่งให้นักศึกษาช่างจนกว่าบัญชีจะกลับมาใช้งานได้",
                         "On hold: the account of the person who asked for this repair was suspended, so it goes to "
                         "no student technician until the account is restored"),
    # The clock's revival of such a request once the account is restored (dispatch.revive_waiting).
    "owner_restored": B("บัญชีของผู้แจ้งซ่อมกลับมาใช้งานได้แล้ว ส่งงานให้นักศึกษาช่างอีกครั้ง",
                        "The account of the person who asked for this repair is restored: offered to student "
                        "technicians again"),
}


def event_note(code: str | None, params: dict[str, object] | None, free_text: str, locale: "Locale") -> str:
    """A timeline note for a reader: the system's part in their language, then what a person typed."""
    if not code:
        return free_text
    values = dict(params or {})
    if code == "unrepairable":
        labels = UNREPAIRABLE_REASONS.get(str(values.get("reason", "")))
        values["reason"] = (labels[0] if locale == Locale.TH else labels[1]) if labels else values.get("reason", "")
    template = EVENT_NOTES.get(code)
    text = template.format(**values).in_(locale) if template else code
    return f"{text} — {free_text}" if free_text else text


STATUS_LABELS: dict[RequestStatus, Bilingual] = {
    RequestStatus.SUBMITTED: B("ได้รับคำขอแล้ว", "Received"),
    # True for every no_centre request: no college in range, none of its students took it (no_taker), or the clock
    # offering it again (sent_again) while an administrator may send it on.
    RequestStatus.NO_CENTRE: B("รอวิทยาลัยรับงาน", "Waiting for a college"),
    RequestStatus.OFFERED: B("กำลังหาช่าง", "Finding a technician"),
    RequestStatus.ACCEPTED: B("ช่างรับงานแล้ว", "Technician accepted"),
    RequestStatus.DIAGNOSING: B("กำลังตรวจเช็ก", "Diagnosing"),
    RequestStatus.REPAIRING: B("กำลังซ่อม", "Repairing"),
    RequestStatus.QUALITY_CHECK: B("ครูกำลังตรวจงาน", "Quality check"),
    RequestStatus.UNREPAIRABLE: B("ซ่อมไม่ได้", "Cannot be repaired"),
    RequestStatus.DONE: B("ซ่อมเสร็จแล้ว", "Repaired"),
    RequestStatus.HANDED_BACK: B("ส่งคืนแล้ว", "Handed back"),
    RequestStatus.CANCELLED: B("ยกเลิกแล้ว", "Cancelled"),
}

ROLE_LABELS: dict[AppRole, Bilingual] = {
    AppRole.CITIZEN: B("ประชาชน", "Citizen"),
    AppRole.TECHNICIAN: B("นักศึกษาช่าง", "Student technician"),
    AppRole.SUPERVISOR: B("ครูผู้ควบคุม", "Supervisor"),
    AppRole.ADMIN: B("ผู้ดูแลระบบ", "Administrator"),
}

UI: dict[str, Bilingual] = {
    "app_title": B("ช่างพันธุ์ R อาชีวะซ่อมทั่วไทย", "Fixit: vocational repairs for all Thailand"),
    # The home's app bar: the full name was cut to "ช่างพันธุ์ R อาชีวะ…" at 360 px beside the bell, the account and
    # the language switch; the sign-in screen and the browser tab keep the full name.
    "app_title_short": B("ช่างพันธุ์ R", "Fixit"),
    "app_subtitle": B("ศูนย์ซ่อมสร้างเพื่อชุมชน", "Fixit Center for communities"),
    "phone_label": B("เบอร์โทรศัพท์", "Phone number"),
    "phone_hint": B("เช่น 0812345678", "e.g. 0812345678"),
    "request_code": B("ขอรหัสยืนยัน", "Send me a code"),
    "code_goes_to": B("รหัสจะส่งไปที่ {phone}", "The code goes to {phone}"),
    "code_label": B("รหัสยืนยัน 6 หลัก", "6-digit code"),
    "verify_code": B("เข้าสู่ระบบ", "Sign in"),
    "code_sent": B("ส่งรหัสไปที่ {phone} แล้ว", "We sent a code to {phone}"),
    "dev_code_hint": B("โหมดทดสอบ: รหัสคือ {code}", "Developer mode: the code is {code}"),
    "change_phone": B("เปลี่ยนเบอร์", "Change number"),
    "resend_code": B("ขอรหัสใหม่", "Send a new code"),
    "resend_code_at": B("ขอรหัสใหม่ได้เวลา {time} น.", "New code from {time}"),
    "code_resent": B("ส่งรหัสใหม่ไปที่ {phone} แล้ว ใช้รหัสใน SMS ล่าสุด",
                     "We sent a new code to {phone}: use the one in the latest SMS"),
    # A second (third…) new code from the code step: the count makes the words change, so it is seen and read out.
    "code_resent_again": B("ส่งรหัสใหม่ไปที่ {phone} แล้ว (ครั้งที่ {n}) ใช้รหัสใน SMS ล่าสุด",
                           "We sent new code no. {n} to {phone}: use the one in the latest SMS"),
    "requesting_code": B("กำลังขอรหัสยืนยัน…", "Asking for your code…"),
    "resending_code": B("กำลังขอรหัสใหม่…", "Asking for a new code…"),
    "signing_in": B("กำลังเข้าสู่ระบบ…", "Signing in…"),
    "sign_out": B("ออกจากระบบ", "Sign out"),
    "language_switch": B("English", "ภาษาไทย"),
    "language_switch_tooltip": B("เปลี่ยนเป็นภาษาอังกฤษ", "Switch to Thai"),
    "loading": B("กำลังโหลด…", "Loading…"),
    "retry": B("ลองใหม่", "Try again"),
    # The retry button while the server asked to wait (a Retry-After): disabled, saying from when (Thai time).
    "retry_at": B("ลองใหม่ได้เวลา {time} น.", "Try again at {time}"),
    # The `{time}` of retry_at / resend_code_at when the wait ends on another day (a Retry-After of up to a day):
    # a time of day alone would read as today's, on a button disabled until tomorrow.
    "time_tomorrow": B("พรุ่งนี้ {time}", "{time} tomorrow"),
    "time_on_date": B("วันที่ {date} {time}", "{time} on {date}"),
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
    "technician_off_roster": B(
        "{college} ปิดการรับงานของคุณไว้ จะไม่มีงานเสนอเข้ามาจนกว่าครูจะเปิดให้อีกครั้ง "
        "ส่วนคำขอซ่อมของคุณเอง งานที่เคยทำ และแฟ้มผลงาน ยังใช้ได้ตามปกติ",
        "{college} has switched you off taking jobs: no offers come until a teacher switches you back on. "
        "Your own repair requests, past jobs and portfolio work as before.",
    ),
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
    # The operator's suspend-person / restore-person (backend/cli.py).
    "operator_suspend_confirm": B("ระงับบัญชีของ {phone} และยุติการเข้าสู่ระบบทั้งหมดของบัญชีนี้?",
                                  "Suspend the account of {phone} and end all its sessions?"),
    "operator_not_confirmed": B("ยกเลิก ไม่มีการเปลี่ยนแปลง", "Cancelled: nothing changed"),
    "operator_suspended": B(
        "ระงับบัญชีของ {phone} แล้ว ยุติการเข้าสู่ระบบ {sessions} รายการ ข้อเสนองานที่รอตอบ {offers} รายการสิ้นสุดแล้ว "
        "(ระบบจะส่งงานต่อให้คนอื่น) บันทึกเหตุผลในประวัติการแก้ไขแล้ว",
        "Suspended the account of {phone}: {sessions} {sessions|session|sessions} ended, {offers} pending "
        "{offers|offer|offers} ended (dispatch hands {offers|its job|their jobs} on), the reason is in the audit trail",
    ),
    "operator_suspended_jobs_in_hand": B(
        "{phone} ยังมีงานที่รับไว้ {count} งาน ซึ่งทำต่อไม่ได้ระหว่างถูกระงับ ให้ครูของวิทยาลัยมอบงานให้นักศึกษาคนอื่น",
        "{phone} still holds {count} {count|job|jobs} in hand and cannot work on {count|it|them} while suspended: "
        "their college's teacher reassigns {count|it|them}",
    ),
    "operator_suspended_supabase": B(
        "โหมด Supabase: ยุติการเข้าสู่ระบบของ Supabase Auth จากที่นี่ไม่ได้ แต่ทุกคำขอของบัญชีนี้จะถูกปฏิเสธ "
        "(account_suspended) และอ่านข้อมูลผ่าน Data API ไม่ได้",
        "Supabase mode: Supabase Auth's sessions cannot be ended from here, but every call of this account is "
        "refused (account_suspended) and its token reads nothing through the Data API",
    ),
    "operator_restored": B("คืนการใช้งานบัญชีของ {phone} แล้ว", "Restored the account of {phone}"),
    # The requests the suspension held (dispatch.resume_for_restored_owner): offered again at once, or still waiting.
    "operator_restored_requests_offered": B(
        "คำขอซ่อมของบัญชีนี้ที่พักไว้ระหว่างถูกระงับ {count} รายการ ส่งให้นักศึกษาช่างอีกครั้งแล้ว",
        "{count} {count|request|requests} of theirs held during the suspension offered to student technicians again",
    ),
    "operator_restored_requests_waiting": B(
        "คำขอซ่อมที่พักไว้อีก {count} รายการ ยังไม่มีนักศึกษาช่างรับได้ตอนนี้ จะรออยู่ในรายการรอส่งต่อของผู้ดูแลระบบ",
        "{count} {count|request|requests} held during the suspension no student can take now: "
        "{count|it waits|they wait} on the administrators' waiting list",
    ),
    # The operator's export-person / delete-person: what was found for the number besides an account.
    "operator_no_account": B("ไม่มีบัญชีใดใช้เบอร์ {phone}", "No account has the number {phone}"),
    "operator_exported_invitations": B(
        "พบคำเชิญจากวิทยาลัย {count} รายการที่รอเบอร์นี้อยู่ (เบอร์ ชื่อ และทักษะที่วิทยาลัยลงทะเบียนไว้) เขียนลงไฟล์แล้ว",
        "Found {count} college {count|invitation|invitations} waiting for this number (the phone, name and skills a "
        "college registered): written to the file",
    ),
    "operator_erased_invitations": B(
        "ลบคำเชิญจากวิทยาลัย {count} รายการที่รอเบอร์นี้ (เบอร์ ชื่อ และทักษะที่วิทยาลัยลงทะเบียนไว้) แล้ว",
        "Erased {count} college {count|invitation|invitations} waiting for this number (the phone, name and skills a "
        "college registered)",
    ),
    # The operator's `seed` in production mode (backend/cli.py).
    "operator_seed_no_demo": B(
        "โหมดใช้งานจริง: ใส่เฉพาะประเภทงาน ทักษะ และรายชื่อวิทยาลัย ไม่สร้างบัญชีตัวอย่าง",
        "Production mode: categories, skills and colleges only, no demo accounts",
    ),
}


# The app's screens: everything the UI catalog above does not say. Apart so backend texts stay small;
# the keys never repeat one of UI's (a unit test checks), so one lookup (mobile.strings.t) serves both.
APP_UI: dict[str, Bilingual] = {
    "colleges_count": B("วิทยาลัยในระบบ {count} แห่ง", "Colleges in the system: {count}"),
    "admin_empty": B("ยังไม่มีวิทยาลัยในระบบ", "No colleges yet"),
    "service_radius": B("ให้บริการในรัศมี {km} กม.", "Serves within {km} km"),
    # --- admin: requests waiting for a college ---
    # The no_centre status's own name: the list's heading said "Waiting for a centre" above each request's chip
    # "Waiting for a college", two names for one state (look22 #6).
    "waiting_title": STATUS_LABELS[RequestStatus.NO_CENTRE],
    "waiting_empty": B("ไม่มีคำขอที่รอวิทยาลัยรับงาน", "No requests waiting for a college"),
    # A waiting request whose owner's account is suspended (GET /admin/waiting `owner_suspended`): why it waits, and
    # why it cannot be sent on (409 owner_suspended) until the account is restored.
    "owner_suspended_mark": B("เจ้าของบัญชีถูกระงับ", "The owner's account is suspended"),
    "dispatch_to_college": B("ส่งให้วิทยาลัย", "Send to a college"),
    "retry_dispatch": B("ลองจับคู่ใหม่", "Try matching again"),
    "pick_college_title": B("เลือกวิทยาลัยสำหรับ {item}", "Choose a college for {item}"),
    "college_fit_students": B("มีนักศึกษาที่ทำงานนี้ได้ {students} คน",
                              "{students} {students|student|students} can do this job"),
    "college_fit_none": B("ไม่มีนักศึกษาที่ทำงานนี้ได้", "No student here can do this job"),
    "college_fit_no_teacher": B("มีนักศึกษา {students} คน แต่ไม่มีครูควบคุม (งานนี้ต้องมีครู)",
                                "{students} {students|student|students}, but no teacher (this job needs one)"),
    "pick_college_hint": B("เรียงจากใกล้ที่สุด", "Nearest first"),
    "college_distance": B("{name} · {km} กม.", "{name} · {km} km"),
    "area_unknown": B("ไม่ระบุพื้นที่", "Area not given"),
    "dispatched": B("ส่งงาน {item} ให้ {college} แล้ว", "Sent {item} to {college}"),
    "redispatched": B("จับคู่ {item} ใหม่แล้ว", "Matched {item} again"),
    # --- the display name prompt ---
    "name_prompt_title": B("ตั้งชื่อที่แสดง", "Set your display name"),
    "name_prompt_hint": B(
        "ชื่อนี้จะแสดงให้ช่างและครูเห็น", "Technicians and teachers will see this name"
    ),
    "display_name_label": B("ชื่อที่แสดง", "Display name"),
    "save_name": B("บันทึกชื่อ", "Save name"),
    "name_saved": B("บันทึกชื่อแล้ว", "Name saved"),
    "my_phone": B("เบอร์โทร {phone}", "Phone {phone}"),
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
    "map_open": B("แตะเพื่อเลือกตำแหน่งบนแผนที่", "Tap to choose the place on the map"),
    "map_close": B("ปิดแผนที่", "Close the map"),
    "map_label": B("แผนที่สำหรับปักหมุดตำแหน่ง", "Map for placing the location pin"),
    "location_value": B("ละติจูด {lat}, ลองจิจูด {lon}", "Latitude {lat}, longitude {lon}"),
    "location_none": B("ยังไม่ได้ระบุตำแหน่ง", "No location yet"),
    "location_from_gps": B("จาก GPS", "from GPS"),
    "location_from_map": B("จากหมุดบนแผนที่", "from the map pin"),
    "gps_denied": B(
        "ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง แตะบนแผนที่เพื่อปักหมุดแทนได้",
        "Location permission was denied: tap the map to place the pin instead",
    ),
    "draft_not_kept": B(
        "เก็บคำขอนี้ไว้ในเครื่องไม่ได้ (พื้นที่เก็บข้อมูลของเครื่องหรือเบราว์เซอร์เต็ม) จึงยังไม่ได้บันทึกไว้ส่งภายหลัง "
        "คำขอยังอยู่ในหน้านี้ครบ อย่าปิดหน้านี้ แล้วกดส่งอีกครั้งเมื่อมีสัญญาณ หรือลดจำนวนรูป "
        "หรือส่ง/ทิ้งคำขอที่รอส่งอยู่ก่อนเพื่อให้มีที่ว่าง",
        "This request could not be kept on this device (its storage or the browser's is full), so it is not saved "
        "to send later. Everything is still on this screen: keep it open and send again when you have a "
        "connection, or remove some photos, or send or discard the requests already waiting to make room",
    ),
    "gps_denied_forever": B(
        "โทรศัพท์ปิดสิทธิ์ตำแหน่งของแอปนี้ไว้ เปิดได้ที่ การตั้งค่า > แอป > ช่างพันธุ์ R > สิทธิ์ > ตำแหน่ง "
        "แล้วแตะ \"ใช้ตำแหน่งปัจจุบัน\" อีกครั้ง หรือแตะบนแผนที่เพื่อปักหมุดแทนได้",
        "Location is turned off for this app: allow it in the phone's Settings > Apps > ช่างพันธุ์ R > Permissions > "
        "Location, then tap \"Use my current location\" again, or tap the map to place the pin instead",
    ),
    "gps_failed": B(
        "หาตำแหน่งปัจจุบันไม่ได้ แตะบนแผนที่เพื่อปักหมุดแทนได้",
        "Could not get your current location: tap the map to place the pin instead",
    ),
    # No GPS, and a map is hard to aim at: the chosen sub-district's middle as the pin (when a geocoder is configured).
    "or_pin_area": B("หรือเลือกจังหวัด อำเภอ ตำบลด้านล่าง แล้วกด \"ปักหมุดที่ตำบลที่เลือก\"",
                     "Or choose the province, district and sub-district below and tap \"Pin the chosen "
                     "sub-district\"."),
    "pin_area": B("ปักหมุดที่ตำบลที่เลือก", "Pin the chosen sub-district"),
    "pin_area_looking": B("กำลังหาตำแหน่งของ {area}…", "Finding {area} on the map…"),
    "pin_area_done": B(
        "ปักหมุดไว้กลางพื้นที่ {area} แล้ว (ตำแหน่งโดยประมาณ) ถ้าพื้นที่ถูกต้อง ส่งคำขอได้เลย "
        "ถ้ารู้ว่าบ้านอยู่ตรงไหน แตะบนแผนที่เพื่อย้ายหมุดได้ และกรอกที่อยู่ให้ช่างหาบ้านเจอ",
        "The pin is in the middle of {area} (an approximate place). If the area is right you can send the request; "
        "if you know where your home is, tap the map to move the pin, and type the address so the technicians find "
        "you",
    ),
    "pin_area_not_found": B(
        "หาตำแหน่งของ {area} ไม่ได้ แตะบนแผนที่เพื่อปักหมุด หรือลองใช้ตำแหน่งปัจจุบันอีกครั้ง",
        "{area} could not be found on the map: tap the map to place the pin, or try your current location again",
    ),
    "pin_area_left": B(
        "เปลี่ยนพื้นที่แล้ว จึงเอาหมุดเดิมออก กด \"ปักหมุดที่ตำบลที่เลือก\" อีกครั้ง",
        "The area changed, so the old pin was removed: tap \"Pin the chosen sub-district\" again",
    ),
    "location_from_area": B("กลางพื้นที่ {area} โดยประมาณ", "the middle of {area}, approximate"),
    "address_label": B("ที่อยู่ (ไม่บังคับ)", "Address (optional)"),
    "area_label": B("จังหวัด อำเภอ ตำบล (ไม่บังคับ)", "Province, district, sub-district (optional)"),
    "province_label": B("จังหวัด", "Province"),
    "district_label": B("อำเภอ/เขต", "District"),
    "sub_district_label": B("ตำบล/แขวง", "Sub-district"),
    "address_looking_up": B("กำลังหาที่อยู่จากตำแหน่ง…", "Looking up the address of the pin…"),
    "address_from_pin": B(
        "เติมที่อยู่จากตำแหน่งให้แล้ว ตรวจสอบและแก้ไขได้", "Filled in from the pin: check and change it if needed"
    ),
    "address_not_found": B("หาที่อยู่จากตำแหน่งไม่ได้ กรอกเองได้", "No address found for the pin: type it in"),
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
    "form_has_errors": B("ยังส่งไม่ได้ กรุณาแก้ไข: {fields}", "Not sent yet. Please fix: {fields}"),
    "request_sent": B("ส่งคำขอซ่อมแล้ว", "Repair request sent"),
    # --- leaving the form, photos being prepared ---
    "leave_form_title": B("ออกจากหน้านี้?", "Leave this page?"),
    "leave_form_text": B(
        "คำขอซ่อมนี้ยังไม่ได้ส่ง ถ้าออกตอนนี้ ข้อมูลที่กรอกไว้จะหายไป",
        "This repair request has not been sent. If you leave now, what you entered is lost.",
    ),
    "leave_form_stay": B("อยู่ต่อ", "Stay"),
    "leave_form_leave": B("ออกโดยไม่ส่ง", "Leave without sending"),
    "photo_preparing": B("กำลังเตรียมรูป {n}/{total}…", "Preparing photo {n}/{total}…"),
    "photo_uploading_to_app": B("กำลังอ่านรูป {n}/{total}… {percent}%", "Reading photo {n}/{total}… {percent}%"),
    "photo_too_big_file": B(
        "รูป {name} ใหญ่เกินไป ({mb} MB) เลือกรูปที่ไม่เกิน {max} MB",
        "The photo {name} is too big ({mb} MB): choose one of at most {max} MB",
    ),
    "photo_read_failed": B("อ่านรูป {name} ไม่ได้ ลองเลือกใหม่อีกครั้ง", "Could not read the photo {name}: try again"),
    "photo_pick_failed": B("เลือกรูปไม่สำเร็จ ลองเลือกใหม่อีกครั้ง", "Could not get the photos: try again"),
    # --- duplicates hint on the form ---
    "duplicates_title": B(
        "ส่งคำขอของคุณได้ตามปกติ ใกล้คุณมีคำขอซ่อมแบบเดียวกัน {count} รายการในสัปดาห์นี้ อาจเป็นเรื่องเดียวกัน",
        "You can send yours as usual. {count} open {count|request|requests} of the same kind near you this week: "
        "maybe the same problem.",
    ),
    "distance_m": B("ห่าง {m} ม.", "{m} m away"),
    # --- the outbox ---
    "saved_offline": B(
        "บันทึกไว้แล้ว จะส่งให้อัตโนมัติเมื่อเชื่อมต่อได้", "Saved: it will be sent automatically once online"
    ),
    "outbox_waiting": B("รอส่ง", "Waiting to send"),
    "outbox_waiting_until": B("เซิร์ฟเวอร์ขอให้รอ จะส่งอีกครั้งเวลา {time} น.",
                              "The server asked to wait: it will be sent again at {time}"),
    "outbox_failed": B("ส่งไม่สำเร็จ", "Not sent"),
    "outbox_photos": B("รูปภาพ {count} รูป", "{count} {count|photo|photos}"),
    "outbox_edit": B("แก้ไขแล้วส่งใหม่", "Edit and resend"),
    "outbox_discard": B("ทิ้งคำขอนี้", "Discard this request"),
    # Discarding a draft deletes what was typed and its photos from the phone: asked first (confirm_panel).
    "discard_confirm_title": B("ทิ้งคำขอซ่อม {item} ใช่ไหม", "Discard the repair request {item}?"),
    "discard_confirm_body": B("ข้อมูลที่คุณกรอกและรูปภาพของคำขอนี้จะถูกลบออกจากเครื่อง และนำกลับคืนไม่ได้",
                              "What you typed and the photos of this request will be deleted from this phone for "
                              "good"),
    "confirm_discard": B("ยืนยันทิ้ง", "Yes, discard it"),
    "keep_draft": B("ไม่ทิ้ง", "Keep it"),
    "outbox_discarded": B("ทิ้งคำขอซ่อม {item} แล้ว", "The repair request {item} was discarded"),
    "outbox_sent": B("ส่งคำขอที่รอไว้แล้ว", "The waiting request was sent"),
    # A draft whose request the backend stored before a photo failed: its details are final (no route changes a
    # request's details after it is received), only its photos are left.
    "outbox_received": B("ได้รับคำขอนี้แล้ว เหลือเพียงส่งรูปภาพ", "This request was received: only its photos are left"),
    "outbox_edit_photos": B("จัดการรูปแล้วส่งต่อ", "Fix the photos and send them"),
    "request_already_received": B(
        "คำขอนี้ส่งถึงเราแล้ว รายละเอียดจึงแก้ไขไม่ได้ ส่งได้เฉพาะรูปที่ยังไม่ได้ส่ง (ลบหรือเลือกรูปใหม่แทนได้) "
        "หากรายละเอียดไม่ถูกต้อง ยกเลิกคำขอนี้ได้ในรายการคำขอ แล้วส่งคำขอใหม่",
        "This request was already received, so its details can no longer be changed: only the photos not sent yet "
        "can still go (remove them or choose others). If its details are wrong, cancel it from your requests and "
        "send a new one.",
    ),
    "send_remaining_photos": B("ส่งรูปที่เหลือ", "Send the remaining photos"),
    "send_as_new_request": B("ส่งเป็นคำขอใหม่", "Send as a new request"),
    # --- request detail ---
    "open_request": B("ดูรายละเอียด {item}", "Open {item}"),
    "request_detail_title": B("รายละเอียดคำขอซ่อม", "Repair request"),
    "brand": B("ยี่ห้อ/รุ่น: {brand}", "Brand/model: {brand}"),
    "sent_to_college": B("ส่งไปที่ {college}", "Sent to {college}"),
    "technician_name": B("ช่างผู้รับงาน: {name}", "Technician: {name}"),
    "timeline_title": B("ความคืบหน้า", "Progress"),
    "photos_before": B("รูปก่อนซ่อม", "Before the repair"),
    "photos_after": B("รูปหลังซ่อม", "After the repair"),
    "photo_before_alt": B("รูปก่อนซ่อมที่ {n}", "Before photo {n}"),
    "photo_after_alt": B("รูปหลังซ่อมที่ {n}", "After photo {n}"),
    "your_rating": B("คะแนนของคุณ: {stars}/5", "Your rating: {stars}/5"),
    "action_cancel": B("ยกเลิกคำขอ", "Cancel request"),
    "action_rate": B("ให้คะแนน", "Rate"),
    "action_reopen": B("ยังไม่หาย", "Still broken"),
    "cancel_confirm_title": B("ยกเลิกคำขอซ่อมนี้ใช่ไหม", "Cancel this repair request?"),
    "cancel_confirm_body": B(
        "เมื่อยกเลิกแล้วช่างจะไม่ได้รับงานนี้ต่อ", "Once cancelled, no technician will work on it"
    ),
    "confirm_cancel": B("ยืนยันยกเลิก", "Yes, cancel it"),
    "keep_request": B("ไม่ยกเลิก", "Keep it"),
    "note_label": B("หมายเหตุ (ไม่บังคับ)", "Note (optional)"),
    "rate_title": B("ให้คะแนนงานซ่อม", "Rate the repair"),
    "star_label": B("{n} ดาว", "{n} {n|star|stars}"),
    # Said under the stars (a live region): which rating a tap chose, not only drawn as filled stars.
    "rating_chosen": B(f"เลือกแล้ว {{n}} จาก {RATING_MAX} ดาว", f"{{n}} of {RATING_MAX} stars chosen"),
    "rating_none": B("ยังไม่ได้เลือกคะแนน แตะดาวเพื่อให้คะแนน", "No rating chosen yet: tap a star"),
    "comment_label": B("ความคิดเห็น (ไม่บังคับ)", "Comment (optional)"),
    "send_rating": B("ส่งคะแนน", "Send rating"),
    "comment_too_long": B(f"ความคิดเห็นยาวได้ไม่เกิน {COMMENT_MAX} ตัวอักษร",
                          f"The comment can have up to {COMMENT_MAX} characters"),
    "reopen_title": B("ของยังเสียอยู่ใช่ไหม", "Is it still broken?"),
    "reopen_note_label": B("อาการที่ยังเป็นอยู่", "What is still wrong"),
    "send_reopen": B("แจ้งว่ายังไม่หาย", "Reopen the request"),
    "close_panel": B("ปิด", "Close"),
    "action_done_cancel": B("ยกเลิกคำขอแล้ว", "The request was cancelled"),
    "action_done_rate": B("ขอบคุณสำหรับคะแนน", "Thank you for rating"),
    "action_done_reopen": B("แจ้งแล้ว ระบบจะหาช่างให้อีกครั้ง", "Reopened: we will find a technician again"),
    "by_system": B("ระบบ", "System"),
    # --- technician: offers and the job screen ---
    "accept_offer": B("รับงาน", "Accept"),
    "decline_offer": B("ปฏิเสธ", "Decline"),
    "offer_accepted": B("รับงานแล้ว", "Job accepted"),
    "offer_declined": B("ปฏิเสธงานแล้ว", "Offer declined"),
    # A decline is final (the offer goes to the next student): asked first (confirm_panel).
    "decline_confirm_title": B("ปฏิเสธงาน {item} ใช่ไหม", "Decline the job {item}?"),
    "decline_confirm_body": B("งานนี้จะส่งต่อให้นักศึกษาคนอื่น และคุณจะกลับมารับงานนี้อีกไม่ได้",
                              "It goes to another student, and you cannot take it back later"),
    "confirm_decline_offer": B("ยืนยันปฏิเสธ", "Yes, decline it"),
    "confirm_go_back": B("กลับไปดูก่อน", "Go back"),
    "time_left_hours": B("เหลือเวลา {hours} ชม. {minutes} นาที", "{hours} h {minutes} min left"),
    "time_left_minutes": B("เหลือเวลา {minutes} นาที", "{minutes} min left"),
    "time_left_none": B("หมดเวลาตอบรับ", "Time is up"),
    # Past a day (the demo's week-long offers): "167 ชม. 51 นาที" was read as a sum to work out.
    "time_left_days": B("เหลือเวลา {days} วัน {hours} ชม.", "{days} {days|day|days} {hours} h left"),
    "job_title": B("งานซ่อม", "Repair job"),
    "job_helping_tag": B("ผู้ช่วยในงานนี้", "Helping on this job"),
    "job_helping_note": B("คุณเป็นผู้ช่วยในงานนี้: ดูได้อย่างเดียว ช่างหลักเป็นผู้ดำเนินการ รายงานชั่วโมงของคุณได้ที่แฟ้มผลงาน",
                          "You help on this job: read only, its lead acts on it. Report your own hours in your "
                          "portfolio"),
    # The job screen of a job the student helped on, found closed to them when read again (live: 0053).
    "job_helper_left": B("คุณไม่ได้อยู่ในทีมของงานนี้แล้ว จึงดูงานนี้ไม่ได้อีก ชั่วโมงที่ครูอนุมัติให้คุณยังอยู่ในแฟ้มผลงาน",
                         "You are no longer on this job's team, so it is closed to you. Hours a teacher approved for "
                         "you stay in your portfolio"),
    # The job screen of a job the student led, closed live when it left them (0056, shared.notifications.LeadLeft):
    # taken back (by a teacher, or an admin from the check) or given to another student, and whether they stay on its
    # team with their hours. Said without who took it back: an admin's take back (flow25, review25 F3) is one too.
    "job_lead_left": B("งานนี้ไม่ได้เป็นของคุณแล้ว (ถูกรับคืนหรือมอบให้นักศึกษาคนอื่น) จึงดูงานนี้ไม่ได้อีก "
                       "ชั่วโมงที่คุณรายงานไว้ยังเป็นของคุณ ดูได้ที่แฟ้มผลงาน",
                       "This job is no longer yours (taken back or given to another student), so it is closed to "
                       "you. Hours you reported stay yours: see your portfolio"),
    "job_lead_taken_back": B("งานนี้ถูกรับคืนแล้ว (เสนองานให้นักศึกษาคนอื่นอีกครั้ง) คุณจึงไม่ได้เป็นผู้รับผิดชอบงานนี้และดูงานนี้ไม่ได้อีก",
                             "This job was taken back (it is offered to other students again): it is no longer "
                             "yours, so it is closed to you"),
    "job_lead_taken_back_kept": B("งานนี้ถูกรับคืนแล้ว (เสนองานให้นักศึกษาคนอื่นอีกครั้ง) คุณยังอยู่ในทีมเป็นผู้ช่วย "
                                  "ชั่วโมงที่คุณรายงานไว้ยังเป็นของคุณ ดูได้ที่แฟ้มผลงาน",
                                  "This job was taken back (it is offered to other students again). You stay on "
                                  "its team as a helper with the hours you reported: see your portfolio"),
    "job_lead_reassigned": B("งานนี้ถูกมอบให้นักศึกษาคนอื่นทำต่อแล้ว คุณจึงไม่ได้เป็นผู้รับผิดชอบงานนี้และดูงานนี้ไม่ได้อีก",
                             "This job was given to another student: it is no longer yours, so it is closed to you"),
    "job_lead_reassigned_kept": B("งานนี้ถูกมอบให้นักศึกษาคนอื่นทำต่อแล้ว คุณยังอยู่ในทีมเป็นผู้ช่วย "
                                  "ชั่วโมงที่คุณรายงานไว้ยังเป็นของคุณ ดูได้ที่แฟ้มผลงาน",
                                  "This job was given to another student. You stay on its team as a helper with the "
                                  "hours you reported: see your portfolio"),
    "review_title": B("ตรวจงานซ่อม", "Review the repair"),
    "contact_title": B("ติดต่อเจ้าของ", "Contact the owner"),
    "contact_phone": B("โทร {phone}", "Phone {phone}"),
    "call_owner": B("โทรหาเจ้าของ", "Call the owner"),
    "open_route": B("เปิดเส้นทาง", "Open directions"),
    "address": B("ที่อยู่: {address}", "Address: {address}"),
    "description": B("อาการเสีย: {description}", "Problem: {description}"),
    "service_place": B("สถานที่ซ่อม: {place}", "Where: {place}"),
    "steps_title": B("ขั้นตอนต่อไป", "Next step"),
    "step_diagnosing": B("เริ่มตรวจเช็ก", "Start diagnosing"),
    "step_repairing": B("เริ่มซ่อม", "Start repairing"),
    "step_quality_check": B("ส่งให้ครูตรวจ", "Send for the teacher's check"),
    "step_unrepairable": B("ซ่อมไม่ได้", "Cannot be repaired"),
    "step_done": B("อนุมัติ", "Approve"),
    "step_rework": B("ส่งกลับแก้ไข", "Send back for rework"),
    "step_handed_back": B("ส่งคืนเจ้าของ", "Hand back to the owner"),
    "step_offered": B("นำกลับไปเสนองานใหม่", "Offer the job again"),
    "take_back_under_way_hint": B(
        "นักศึกษาคนเดิมจะไม่ได้ทำงานนี้ต่อ ระบบจะเสนองานให้นักศึกษาคนอื่นและแจ้งเจ้าของ งานที่ทำไว้ รูป และอะไหล่ที่เจ้าของอนุมัติแล้ว"
        "ยังอยู่กับงาน อะไหล่ที่ยังรอเจ้าของตอบจะถูกถอน ผู้รับงานต่อถ่ายรูปหลังซ่อมและเขียนรายงานของตัวเอง "
        "ถ้าของอยู่ที่วิทยาลัย ให้เก็บไว้ให้ผู้ที่รับงานต่อ",
        "The student comes off the job: it is offered to other students and its owner is told. The work so far, its "
        "photos and the parts its owner approved stay with it; parts still waiting for the owner's answer are "
        "withdrawn, and whoever takes the job on takes their own after photos and report. If the item is at the "
        "college, keep it for them"),
    "unrepairable_under_way_hint": B(
        "ใช้เมื่อไม่มีใครทำงานนี้ต่อได้ เจ้าของจะได้รับแจ้งว่าซ่อมไม่ได้ แล้ววิทยาลัยนัดคืนของ",
        "For when nobody can carry the repair on: its owner is told it cannot be repaired, then the college "
        "arranges giving the item back"),
    "step_confirm": B("ยืนยัน", "Confirm"),
    "step_note_label": B("หมายเหตุ (ไม่บังคับ)", "Note (optional)"),
    "rework_note_label": B("สิ่งที่ต้องแก้ไข", "What to fix"),
    "rework_note_required": B("กรุณาบอกนักศึกษาว่าต้องแก้ไขอะไร", "Tell the student what to fix"),
    # fix20a: a teacher's send-back of a high-risk job records them present (shared.credit.present_by_moving).
    "rework_teacher_present_hint": B("งานความเสี่ยงสูง: คุณจะถูกบันทึกเป็นครูที่อยู่ควบคุมการแก้ไขนี้",
                                     "High-risk work: you are recorded as the teacher present for this rework"),
    "reason_label": B("เหตุผลที่ซ่อมไม่ได้", "Why it cannot be repaired"),
    "step_saved": B("บันทึกสถานะแล้ว", "Status updated"),
    "after_photos_label": B("รูปหลังซ่อม (ไม่เกิน {max} รูป)", "After photos (up to {max})"),
    "add_after_photo": B("เพิ่มรูปหลังซ่อม", "Add after photos"),
    "uploading_after": B("กำลังส่งรูป…", "Uploading photos…"),
    "report_title": B("รายงานการซ่อม", "Work report"),
    "report_hours": B("จำนวนชั่วโมงที่ทำงาน", "Hours worked"),
    "report_notes": B("บันทึกการทำงาน", "Work notes"),
    # Two lists of parts on the student's job screen, each saying who sees it (ux21 finding 6): this one is the
    # report's working note, which the owner never sees (backend/services/job_reports.py owners_report); parts
    # the owner pays for are proposed in the card parts_title, which the owner approves.
    "report_parts": B("อะไหล่ที่ใช้ (บันทึกให้ครูดู)", "Parts used (a note for your teacher)"),
    "report_parts_who": B("เจ้าของไม่เห็นรายการนี้และไม่ต้องจ่าย อะไหล่ที่เจ้าของต้องจ่ายให้เสนอในช่อง"
                          " \"อะไหล่ที่เจ้าของต้องอนุมัติก่อนซื้อ\"",
                          "The owner does not see this list and pays nothing for it. Parts the owner pays for go in"
                          " \"Parts the owner approves before you buy them\"."),
    "part_name": B("ชื่ออะไหล่ {n}", "Part {n} name"),
    "part_qty": B("จำนวน", "Qty"),
    "part_cost": B("ราคา/ชิ้น (บาท)", "Unit cost (baht)"),
    "add_part": B("เพิ่มอะไหล่", "Add a part"),
    "remove_part": B("ลบอะไหล่ {n}", "Remove part {n}"),
    "parts_total": B("รวมค่าอะไหล่ {total} บาท", "Parts total {total} baht"),
    "save_report": B("บันทึกรายงาน", "Save report"),
    "report_saved": B("บันทึกรายงานแล้ว", "Report saved"),
    "report_none": B("นักศึกษายังไม่ได้ส่งรายงาน", "No report from the student yet"),
    "report_hours_value": B("ทำงาน {hours} ชั่วโมง", "{hours} {hours|hour|hours} worked"),
    "report_part_line": B("{name} × {qty} = {cost} บาท", "{name} × {qty} = {cost} baht"),
    "report_hours_invalid": B(f"ชั่วโมงต้องเป็นตัวเลข 0–{MAX_HOURS:g}", f"Hours must be a number from 0 to {MAX_HOURS:g}"),
    "report_notes_too_long": B(f"บันทึกยาวได้ไม่เกิน {NOTES_MAX} ตัวอักษร", f"Notes can have up to {NOTES_MAX} characters"),
    "report_part_invalid": B(
        f"อะไหล่แต่ละรายการต้องมีชื่อ จำนวน 1–{PART_QTY_MAX} และราคาต่อชิ้น 0–{PART_PRICE_MAX:,.0f} บาท",
        f"Each part needs a name, a quantity of 1–{PART_QTY_MAX} and a unit cost of 0–{PART_PRICE_MAX:,.0f} baht",
    ),
    "report_too_many_parts": B(f"อะไหล่ได้ไม่เกิน {MAX_PARTS} รายการ", f"Up to {MAX_PARTS} parts"),
    # --- supervisor ---
    "dashboard_title": B("ภาพรวมวิทยาลัย", "College overview"),
    "weekly_chart_title": B("งานซ่อมรายสัปดาห์ตามประเภท", "Jobs per week by category"),
    "weekly_chart_empty": B("ยังไม่มีงานใน 8 สัปดาห์ที่ผ่านมา", "No jobs in the last 8 weeks"),
    "week_of": B("สัปดาห์ {date}", "Week of {date}"),
    "bar_label": B("{category} {n} งาน", "{category}: {n} {n|job|jobs}"),
    "quality_check_title": B("งานรอครูตรวจ", "Waiting for your check"),
    "quality_check_empty": B("ไม่มีงานรอตรวจ", "Nothing to check"),
    # The dashboard's queue (migration 0071): what waits for the teacher's decision: checks, unrepairable items to
    # hand back, jobs held by a student whose account was suspended.
    "decision_queue_title": B("งานที่รอครู", "Waiting for you"),
    "decision_queue_empty": B("ไม่มีงานที่รอครู", "Nothing waits for you"),
    "holder_suspended_mark": B("นักศึกษาถูกระงับบัญชี: มอบให้คนอื่นหรือรับงานคืน",
                               "Student suspended: give it to another student or take it back"),
    # The admins' list of jobs waiting on a college with nobody to decide (GET /admin/undecided).
    "undecided_title": B("งานที่ไม่มีครูตัดสินใจ", "Jobs no teacher can decide"),
    "undecided_empty": B("ไม่มีงานที่รอโดยไม่มีครูดูแล", "No job waits without a teacher"),
    "undecided_no_teacher": B("{college} ไม่มีครูที่ใช้งานอยู่", "{college} has no active teacher"),
    "undecided_own_request": B("ครูคนเดียวของ{college}เป็นผู้ขอซ่อมเอง", "{college}'s only teacher asked for it"),
    "undecided_own_work": B("ครูของ{college}ที่เหลืออยู่ทำงานนี้เอง จึงตรวจงานนี้เองไม่ได้",
                            "{college}'s remaining teachers worked on it and may not check it"),
    # A high-risk job in a student's hands whose college's last teacher left (stranded20): its next step needs one
    # present; the admin's take back sends it on to the nearest college with one.
    "undecided_teacher_needed": B("ต้องมีครูของ{college}อยู่ควบคุม หรือรับงานคืนเพื่อส่งต่อวิทยาลัยอื่น",
                                  "Needs a teacher at {college}, or another college: take it back to send it on"),
    "nav_technicians": B("นักศึกษา", "Students"),
    "nav_ledger": B("สมุดบันทึกชั่วโมงฝึก", "Training hours ledger"),
    "assign_title": B("มอบหมายนักศึกษา", "Assign a student"),
    "assign_pick": B("เลือกนักศึกษา", "Choose a student"),
    "assign_none": B("ไม่มีนักศึกษาที่พร้อมรับงาน", "No active students"),
    "assigned": B("มอบหมายงานแล้ว", "Assigned"),
    "open_jobs": B("งานค้าง {n}", "{n} open {n|job|jobs}"),
    "technicians_title": B("นักศึกษาช่าง", "Student technicians"),
    "technicians_empty": B("ยังไม่มีนักศึกษาในวิทยาลัย", "No students at this college yet"),
    "active_label": B("พร้อมรับงาน", "Active"),
    "skill_level_label": B("{skill} (ระดับ 1–5)", "{skill} (level 1–5)"),
    "skill_none": B("ไม่มี", "None"),
    "save_student": B("บันทึก", "Save"),
    "student_saved": B("บันทึกข้อมูล {name} แล้ว", "Saved {name}"),
    "ledger_title": B("สมุดบันทึกชั่วโมงฝึก", "Training hours ledger"),
    "download_jobs_csv": B("ดาวน์โหลด CSV งานซ่อม", "Download jobs CSV"),
    "download_ledger_csv": B("ดาวน์โหลด CSV ชั่วโมงฝึก", "Download ledger CSV"),
    "csv_saved": B("บันทึกไฟล์ {name} แล้ว", "Saved {name}"),
    "csv_copy_label": B("ข้อมูล CSV (คัดลอกได้)", "CSV data (copy it)"),
}

# --- The account screen, the inbox and the bell, the admin's colleges (issues #11 and #13) ------------------------
ACCOUNT_UI: dict[str, Bilingual] = {
    "code_label_digits": B("รหัสยืนยัน {n} หลัก", "{n}-digit code"),
    "account_title": B("บัญชีของฉัน", "My account"),
    "suspended_title": B("บัญชีของคุณถูกระงับ", "Your account is suspended"),
    "suspended_drafts_held": B("มีคำขอซ่อมที่ยังไม่ได้ส่ง {count} รายการเก็บไว้ในเครื่องนี้ (พร้อมรูปถ่าย) "
                               "หากลบบัญชี คำขอเหล่านี้จะถูกลบจากเครื่องด้วย",
                               "{count} unsent repair {count|request is|requests are} kept on this device (with "
                               "{count|its|their} photos); deleting your account removes {count|it|them} from the "
                               "device too"),
    "account_name": B("ชื่อ", "Name"),
    "account_phone": B("เบอร์โทรศัพท์", "Phone"),
    "account_role": B("บทบาท", "Role"),
    "account_college": B("วิทยาลัย", "College"),
    "account_no_name": B("ยังไม่ได้ตั้งชื่อ", "No name yet"),
    "download_my_data": B("ดาวน์โหลดข้อมูลของฉัน", "Download my data"),
    "download_my_data_hint": B("ทุกอย่างที่ระบบเก็บเกี่ยวกับคุณ เป็นไฟล์ JSON",
                               "Everything the system holds about you, as a JSON file"),
    "my_data_saved": B("บันทึกไฟล์ {name} แล้ว", "Saved {name}"),
    "delete_account": B("ลบบัญชีของฉัน", "Delete my account"),
    "delete_account_title": B("ลบบัญชีของคุณถาวร?", "Delete your account for good?"),
    "delete_account_text": B(
        "ระบบจะลบชื่อ เบอร์โทรศัพท์ ที่อยู่ ตำแหน่งบ้าน และรูปภาพของคุณ ประวัติงานซ่อมจะเก็บไว้โดยไม่มีข้อมูลที่ระบุตัวคุณ "
        "(เป็นบันทึกการฝึกของนักศึกษา) แล้วคุณจะออกจากระบบ ย้อนกลับไม่ได้",
        "We erase your name, phone number, addresses, home location and photos. The repair history stays, without "
        "anything that identifies you (it is a student's training record). Then you are signed out. This cannot "
        "be undone.",
    ),
    "delete_account_confirm": B("ลบบัญชีถาวร", "Delete for good"),
    "account_cancel": B("ยกเลิก", "Cancel"),
    "account_deleted": B("ลบบัญชีของคุณแล้ว", "Your account was deleted"),
    "inbox_title": B("การแจ้งเตือน", "Notifications"),
    "inbox_bell": B("การแจ้งเตือน ยังไม่อ่าน {count}", "Notifications, {count} unread"),
    "inbox_empty": B("ยังไม่มีการแจ้งเตือน", "No notifications yet"),
    "inbox_mark_all": B("อ่านทั้งหมดแล้ว", "Mark all as read"),
    "inbox_older": B("ดูที่เก่ากว่า", "Show older"),
    "inbox_unread": B("ยังไม่อ่าน", "Unread"),
    "colleges_manage": B("จัดการวิทยาลัย", "Manage colleges"),
    "college_new": B("เพิ่มวิทยาลัย", "Add a college"),
    "college_edit": B("แก้ไขวิทยาลัย", "Edit college"),
    "college_code": B("รหัสวิทยาลัย", "College code"),
    "college_name_th": B("ชื่อ (ไทย)", "Name (Thai)"),
    "college_name_en": B("ชื่อ (อังกฤษ)", "Name (English)"),
    "college_province_th": B("จังหวัด (ไทย)", "Province (Thai)"),
    "college_province_en": B("จังหวัด (อังกฤษ)", "Province (English)"),
    "college_region": B("ภาค", "Region"),
    "college_lat": B("ละติจูด", "Latitude"),
    "college_lon": B("ลองจิจูด", "Longitude"),
    "college_radius": B("รัศมีให้บริการ (กม.)", "Service radius (km)"),
    "college_active": B("เปิดรับงาน", "Taking requests"),
    "college_inactive": B("ปิดรับงาน", "Not taking requests"),
    "college_save": B("บันทึกวิทยาลัย", "Save college"),
    "college_saved": B("บันทึก {name} แล้ว", "Saved {name}"),
    "college_number_invalid": B("กรุณาใส่ตัวเลข", "Enter a number"),
    "college_required": B("กรุณากรอกช่องนี้", "Fill this in"),
    "college_supervisors": B("ครูผู้ควบคุม: {names}", "Supervisors: {names}"),
    "college_no_supervisors": B("ยังไม่มีครูผู้ควบคุม", "No supervisor yet"),
    # No-break spaces (\u00a0) hold each count to its noun, and word joiners (\u2060) the words of ครูผู้ควบคุม:
    # at 360 px the row broke "ครูผู้ควบคุม 1 / คน", then "ครูผู้ / ควบคุม 1 คน", and "0 / supervisors" (look22); the
    # lines now break at the dots.
    "college_row_counts": B("{province} · นักศึกษา\u00a0{students}\u00a0คน · "
                            "ครู\u2060ผู้\u2060ควบคุม\u00a0{supervisors}\u00a0คน",
                            "{province} · {students}\u00a0{students|student|students} · "
                            "{supervisors}\u00a0{supervisors|supervisor|supervisors}"),
    "college_open": B("ดูรายละเอียด {name}", "Show {name}"),
    "college_hide": B("ซ่อนรายละเอียด {name}", "Hide {name}"),
    "college_people": B("นักศึกษา {students} คน · รอเข้าระบบครั้งแรก {invites} คน",
                        "{students} {students|student|students} · {invites} not signed in yet"),
    "supervisor_phone": B("เบอร์โทรครูผู้ควบคุม", "Supervisor's phone"),
    "supervisor_name": B("ชื่อครู (ไม่บังคับ)", "Teacher's name (optional)"),
    "name_supervisor": B("แต่งตั้งเป็นครูผู้ควบคุม", "Make supervisor"),
    "supervisor_named_now": B("{phone} เป็นครูผู้ควบคุมแล้ว", "{phone} is a supervisor now"),
    "supervisor_invited": B("{phone} จะเป็นครูผู้ควบคุมเมื่อเข้าสู่ระบบครั้งแรก",
                            "{phone} becomes a supervisor at their first sign-in"),
    "region_north": B("ภาคเหนือ", "North"),
    "region_northeast": B("ภาคตะวันออกเฉียงเหนือ", "Northeast"),
    "region_central": B("ภาคกลาง", "Central"),
    "region_east": B("ภาคตะวันออก", "East"),
    "region_west": B("ภาคตะวันตก", "West"),
    "region_south": B("ภาคใต้", "South"),
    "prefs_title": B("การแจ้งเตือนนอกแอป", "Notifications outside the app"),
    "prefs_hint": B("กล่องแจ้งเตือนในแอปได้รับทุกเรื่องเสมอ", "The in-app inbox always gets everything"),
    "prefs_quiet_hours": B("ช่วงเวลาเงียบ {start}–{end} น.", "Quiet hours {start}–{end}"),
    "prefs_quiet_start": B("เริ่มช่วงเวลาเงียบ", "Quiet hours from"),
    "prefs_quiet_end": B("สิ้นสุดช่วงเวลาเงียบ", "Quiet hours until"),
    "prefs_offers_at_night": B("รับงานใหม่ในช่วงเวลาเงียบด้วย", "New offers during quiet hours too"),
    "prefs_sms_fallback": B("ส่ง SMS เมื่อแอปและ LINE ติดต่อไม่ได้", "SMS when the app and LINE cannot reach me"),
    "prefs_channels_show": B("เลือกช่องทางแจ้งเตือนแต่ละเรื่อง ({count} เรื่อง)",
                             "Choose the channels for each kind ({count} kinds)"),
    "prefs_channels_hide": B("ซ่อนช่องทางแจ้งเตือนแต่ละเรื่อง", "Hide the channels for each kind"),
    "prefs_saved": B("บันทึกการตั้งค่าการแจ้งเตือนแล้ว", "Notification settings saved"),
    "pref_push": B("แอป", "App"),
    # Short, so a kind's three boxes share one line of the account's card at 360 px: "ไลน์ (LINE)" and
    # "ข้อความ SMS" pushed the SMS box onto a line of its own under every kind (look22).
    "pref_line": B("ไลน์", "LINE"),
    "pref_sms": B("SMS", "SMS"),
    # A channel a newer backend offers that this installed app has no name for yet.
    "pref_other": B("ช่องทางอื่น ({pref})", "Other channel ({pref})"),
    "kind_offer_new": B("งานใหม่ที่เสนอให้ฉัน", "New offers"),
    "kind_offer_withdrawn": B("งานที่ถอนข้อเสนอ", "Offers withdrawn"),
    "kind_rework": B("งานที่ต้องแก้ไข", "Jobs sent back"),
    "kind_approved": B("งานที่ผ่านการตรวจ", "Jobs approved"),
    "kind_helper_kept": B("งานที่ครูให้คนอื่นทำต่อ (ฉันเป็นผู้ช่วย)", "Jobs given to another student (I stay a helper)"),
    "kind_not_credited": B("งานที่ครูไม่นับชั่วโมงให้ฉัน", "Jobs the teacher did not credit me for"),
    "kind_helper_left": B("งานที่ฉันช่วยแล้วครูนำออกจากผู้ที่ชวนฉัน", "Jobs taken from the student I helped"),
    "kind_qc_waiting": B("งานรอตรวจ", "Jobs waiting for a check"),
    "kind_offer_expiring": B("ข้อเสนอใกล้หมดเวลา", "Offers about to expire"),
    "kind_reopened": B("คำขอที่เปิดใหม่", "Requests reopened"),
    "kind_handback_waiting": B("งานซ่อมไม่ได้ที่รอส่งคืน", "Unrepairable items to hand back"),
    "kind_holder_suspended": B("งานของนักศึกษาที่ถูกระงับบัญชี", "Jobs of a suspended student"),
    "kind_accepted": B("ช่างรับงานแล้ว", "Technician accepted"),
    "kind_ready": B("ซ่อมเสร็จพร้อมรับคืน", "Repair ready"),
    "kind_unrepairable": B("ซ่อมไม่ได้", "Cannot be repaired"),
    "kind_rate": B("ขอให้ให้คะแนน", "Asked to rate"),
    "kind_no_centre": B("คำขอที่ไม่มีวิทยาลัยรับ", "Requests no college can take"),
    "kind_part_proposed": B("อะไหล่ที่รอฉันอนุมัติ", "Parts waiting for my approval"),
    "kind_part_withdrawn": B("อะไหล่ที่ถอนรายการแล้ว", "Parts withdrawn from my repairs"),
    "kind_job_taken_back": B("งานซ่อมที่ถูกรับคืนจากนักศึกษา", "Repairs taken back from the student"),
    "kind_no_taker": B("คำขอที่ยังไม่มีนักศึกษารับ", "Requests no student has taken yet"),
    "kind_sent_again": B("คำขอที่ส่งให้นักศึกษาอีกครั้ง", "Requests offered to students again"),
    "kind_collect_reminder": B("ของของฉันที่รอไปรับคืน", "My items waiting to be collected"),
    "kind_work_overdue": B("งานของฉันที่เกินเวลาที่แจ้งเจ้าของไว้", "My jobs past the time their owner was told"),
    "kind_work_stalled": B("งานที่นักศึกษาไม่ได้ทำต่อ", "Jobs not moving"),
    "kind_uncollected": B("ของที่ยังไม่ได้ส่งคืนเจ้าของ", "Items not handed back to their owners yet"),
    "kind_invited": B("คำเชิญจากวิทยาลัย", "Invitations from a college"),
    "kind_invite_accepted": B("ผู้ที่ตอบรับคำเชิญของฉัน", "My invitations accepted"),
    "kind_invite_declined": B("ผู้ที่ปฏิเสธคำเชิญของฉัน", "My invitations declined"),
    "kind_moved": B("บัญชีของฉันถูกย้ายบทบาทหรือวิทยาลัย", "My account moved to another role or college"),
    "kind_teacher_left": B("งานของฉันที่ต้องมีครูควบคุมแต่วิทยาลัยไม่มีครูแล้ว",
                           "My high-risk jobs whose college has no teacher now"),
    "kind_teacher_needed": B("งานความเสี่ยงสูงที่ไม่มีครูควบคุม", "High-risk jobs with no teacher to be present"),
    "kind_job_waits_for_teacher": B("คำขอซ่อมของฉันที่หยุดรอครูควบคุม",
                                    "My repair requests waiting for a teacher to be present"),
    # A kind a newer backend sends that this installed app has no name for yet.
    "kind_other": B("การแจ้งเตือนอื่น ({kind})", "Other notifications ({kind})"),
    # The short headings the kinds are grouped under (shared.notifications.Topic), each role seeing its own.
    "topic_offers": B("งานที่เสนอให้ฉัน", "Jobs offered to me"),
    "topic_my_jobs": B("งานที่ฉันทำ", "My jobs"),
    "topic_team": B("ทีมและชั่วโมงฝึก", "Team and hours"),
    "topic_decisions": B("งานที่รอครูตัดสินใจ", "Waiting for a teacher's decision"),
    "topic_college_jobs": B("งานของวิทยาลัย", "The college's jobs"),
    "topic_admin": B("งานของผู้ดูแลระบบ", "Administration"),
    "topic_my_requests": B("คำขอซ่อมของฉัน", "My repair requests"),
    "topic_parts": B("อะไหล่", "Parts"),
    "topic_account": B("บัญชีและคำเชิญ", "Account and invitations"),
    "topic_other": B("อื่น ๆ", "Other"),
}
APP_UI.update(ACCOUNT_UI)

# What a notification quotes when someone's typed text (an item, a name) has nothing visible left once cleaned.
APP_UI.update({"notify_unnamed": B("(ไม่ระบุ)", "(not given)")})

# A request form kept when the sign-in ran out while it was being sent: on the home after the sign-in, sent only
# when its writer says so.
APP_UI.update({
    "outbox_held": B("ยังไม่ได้ส่ง", "Not sent yet"),
    "outbox_held_notice": B("มีคำขอซ่อมที่คุณเขียนไว้แต่ยังไม่ได้ส่ง ดูด้านล่างเพื่อส่ง แก้ไข หรือทิ้ง",
                            "A repair request you wrote was not sent: see below to send, edit or discard it"),
    "outbox_held_hint": B("การเข้าสู่ระบบหมดอายุก่อนส่งคำขอนี้ ต้องการส่งตอนนี้หรือไม่",
                          "Your sign-in ran out before this request was sent. Send it now?"),
    "outbox_category": B("ประเภท: {category}", "Category: {category}"),
    "outbox_send": B("ส่งคำขอนี้", "Send this request"),
    "outbox_edit_held": B("แก้ไข", "Edit"),
    "outbox_discard_held": B("ทิ้ง", "Discard"),
    # A citizen made an admin keeps the draft they held (an admin asks for no repairs: shared.roles).
    "outbox_admin_note": B("บัญชีผู้ดูแลระบบแจ้งซ่อมไม่ได้ คำขอนี้เขียนไว้ก่อนบัญชีของคุณเป็นผู้ดูแลระบบ ทิ้งได้ "
                           "หรือแจ้งซ่อมด้วยบัญชีอื่น",
                           "An admin account cannot send a repair request. You wrote this one before your account "
                           "became an admin's: discard it, or ask for the repair from another account"),
    "outbox_admin_notice": B("มีคำขอซ่อมที่คุณเขียนไว้แต่ยังไม่ได้ส่ง บัญชีผู้ดูแลระบบส่งไม่ได้ ดูด้านล่าง",
                             "A repair request you wrote was not sent, and an admin account cannot send it: see "
                             "below"),
})

# Who made a change on a request's timeline (the actor column of its history).
ACTOR_LABELS: dict[str, Bilingual] = {
    "citizen": B("ผู้แจ้ง", "Requester"),
    "technician": B("ช่าง", "Technician"),
    "supervisor": B("ครูผู้ควบคุม", "Supervisor"),
    "admin": B("ผู้ดูแลระบบ", "Administrator"),
    "system": B("ระบบ", "System"),
}

# Preferred days on the request form: the chip's short label, and the full name a screen reader says.
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

# An offer's state on the technician's card, by the API's offer_status value.
OFFER_STATUS_LABELS: dict[OfferStatus, Bilingual] = {
    OfferStatus.PENDING: B("รอตอบรับ", "Waiting for you"),
    OfferStatus.ACCEPTED: B("รับงานแล้ว", "Accepted"),
    OfferStatus.DECLINED: B("ปฏิเสธแล้ว", "Declined"),
    OfferStatus.WITHDRAWN: B("ถอนข้อเสนอแล้ว", "Withdrawn"),
    OfferStatus.EXPIRED: B("หมดเวลาตอบรับ", "Expired"),
}


# An error answered with a Retry-After (429, 503), as the app words it once it knows when (shared.wire.
# retry_after_seconds): "{wait}" is `wait_text`. The backend's codes that send the header, and the proxies' own.
WAIT_ERRORS: dict[str, Bilingual] = {
    "too_many_requests": B("ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}",
                           "Too many actions in a short time: try again in {wait}"),
    "too_many_requests_later": B("ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}",
                                 "Too many actions in a short time: try again in {wait}"),
    "otp_rate_limited": B("ขอรหัสบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}", "Too many code requests: try again in {wait}"),
    "otp_too_many_attempts": B("ใส่รหัสผิดหลายครั้งเกินไป กรุณาขอรหัสใหม่ในอีก {wait}",
                               "Too many wrong codes: ask for a new one in {wait}"),
    "portfolio_pdf_rate_limited": B("พิมพ์แฟ้มผลงานบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}",
                                    "Too many portfolio PDFs: try again in {wait}"),
    "line_link_paused": B("มีการส่งรหัสเชื่อม LINE ผิดหลายครั้งเกินไป จึงพักการเชื่อม LINE ไว้ชั่วคราว กรุณาลองใหม่ในอีก {wait}",
                          "Too many wrong LINE linking codes were sent, so linking LINE is paused: try again in "
                          "{wait}"),
    "server_unavailable": B("เซิร์ฟเวอร์ยังไม่พร้อมให้บริการในขณะนี้ กรุณาลองใหม่ในอีก {wait}",
                            "The server is not available at the moment: try again in {wait}"),
    "database_unavailable": B("ระบบฐานข้อมูลขัดข้องชั่วคราว กรุณาลองใหม่ในอีก {wait}",
                              "The database is unavailable: try again in {wait}"),
    "sign_in_unavailable": B("ระบบเข้าสู่ระบบด้วย SMS ใช้งานไม่ได้ชั่วคราว (ผู้ดูแลระบบได้รับแจ้งแล้ว) "
                             "กรุณาลองใหม่ในอีก {wait}",
                             "Sign-in by SMS is not available right now (the administrators have been told): "
                             "try again in {wait}"),
    "auth_keys_unavailable": B("ตรวจสอบการเข้าสู่ระบบไม่ได้ชั่วคราว กรุณาลองใหม่ในอีก {wait}",
                               "Your sign-in cannot be checked right now: try again in {wait}"),
}
# Any other code answered with a Retry-After: its own words, then this.
TRY_AGAIN_IN = B("ลองใหม่ในอีก {wait}", "Try again in {wait}.")


def wait_text(seconds: float) -> Bilingual:
    """How long to wait, rounded up: seconds under a minute, minutes under two hours, hours beyond."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return B(f"{whole} วินาที", f"{whole} second{'' if whole == 1 else 's'}")
    minutes = math.ceil(whole / 60)
    if minutes < 120:
        return B(f"{minutes} นาที", f"{minutes} min")
    hours = math.ceil(minutes / 60)
    return B(f"{hours} ชั่วโมง", f"{hours} hours")


def error_text_waiting(code: str, sent: Bilingual, seconds: float) -> Bilingual:
    """The words of an error answered with Retry-After `seconds`: its own saying when (`WAIT_ERRORS`), or those the
    answer carried (`sent`) followed by when to try again."""
    wait = wait_text(seconds)
    template = WAIT_ERRORS.get(code)
    if template is not None:
        return B(template.th.format(wait=wait.th), template.en.format(wait=wait.en))
    return B(f"{sent.th} {TRY_AGAIN_IN.th.format(wait=wait.th)}",
             f"{sent.en.rstrip('. ')}. {TRY_AGAIN_IN.en.format(wait=wait.en)}")


# Why production refuses to start (backend/settings.py `production_problems`, backend/production.py
# `start_refusals`): each problem in Thai, then English, as the operator's commands refuse (`refusal_line`).
START_REFUSALS: dict[str, Bilingual] = {
    # Headings (`start_heading`): the problems follow, one refusal_line each.
    "refusing_to_start": B("ไม่เริ่มให้บริการในโหมดใช้งานจริง", "Refusing to start in production mode"),
    "settings_not_valid": B("ไม่เริ่มให้บริการ ค่าที่ตั้งไว้ต่อไปนี้ใช้ไม่ได้", "Refusing to start: these settings are not valid"),
    "setting_not_valid": B("ค่า {variable} ใช้ไม่ได้", "{variable}{value}: {reason}"),
    "start_database_url_required": B(
        "ต้องตั้ง DATABASE_URL (postgresql://… ฐานข้อมูลของโครงการ) โหมดใช้งานจริงไม่เริ่มฐานข้อมูลในเครื่อง",
        "DATABASE_URL must be set (postgresql://…, the project's database): production never starts the embedded "
        "PostgreSQL"),
    "start_jwt_secret": B(
        "ต้องตั้ง FIXIT_JWT_SECRET (หรือ SUPABASE_JWT_SECRET) ยาว 32 ตัวอักษรขึ้นไป "
        "ระบบออกโทเค็นในเครื่องใช้ลงนามโทเค็นและรหัสครั้งเดียว",
        "FIXIT_JWT_SECRET (or SUPABASE_JWT_SECRET) must be set, 32+ characters: the local issuer signs access tokens "
        "and one-time codes with it"),
    "start_supabase_url": B(
        "ต้องตั้ง SUPABASE_URL (https://<ref>.supabase.co) รหัสเข้าสู่ระบบส่งผ่าน Auth API ของ Supabase "
        "และตรวจโทเค็นด้วยกุญแจลงนาม (JWKS) ของโครงการ",
        "SUPABASE_URL must be set (https://<ref>.supabase.co): sign-in codes go through its Auth API and access "
        "tokens are checked with its signing keys (JWKS)"),
    "start_supabase_anon_key": B(
        "ต้องตั้ง SUPABASE_ANON_KEY (Project Settings → API keys: คีย์ anon / publishable) แบ็กเอนด์ใช้เรียก Supabase Auth",
        "SUPABASE_ANON_KEY must be set (Project Settings → API keys: the anon / publishable key): the backend calls "
        "Supabase Auth with it"),
    "start_supabase_jwt_secret_short": B(
        "SUPABASE_JWT_SECRET สั้นกว่า 32 ตัวอักษร ให้เว้นว่าง (โครงการที่ใช้กุญแจลงนามไม่ต้องใช้) "
        "หรือวาง legacy JWT secret ของโครงการ",
        "SUPABASE_JWT_SECRET is set but shorter than 32 characters: leave it empty (a project with signing keys "
        "needs none) or paste the project's legacy JWT secret"),
    "start_auth_mode_local": B(
        "FIXIT_AUTH_MODE=local ให้เข้าสู่ระบบด้วยรหัสที่แสดงเฉพาะโหมดพัฒนา (ไม่ส่ง SMS) ให้ตั้ง FIXIT_AUTH_MODE=supabase "
        "สำหรับใช้งานจริง หรือ FIXIT_DEV_MODE=true บนเครื่องสำหรับพัฒนา",
        "FIXIT_AUTH_MODE=local signs people in with one-time codes that only development mode shows (no SMS is "
        "sent): set FIXIT_AUTH_MODE=supabase for production, or FIXIT_DEV_MODE=true on a development machine"),
    "start_supabase_https": B("SUPABASE_URL ต้องเป็น https:// ในโหมดใช้งานจริง",
                              "SUPABASE_URL must be https:// in production"),
    "start_public_url": B(
        "FIXIT_PUBLIC_URL ต้องเป็นที่อยู่ https:// สาธารณะของแบ็กเอนด์ (https://api.example.th) "
        "PDF แฟ้มผลงานพิมพ์ลิงก์ตรวจสอบและ QR ด้วยที่อยู่นี้",
        "FIXIT_PUBLIC_URL must be the backend's public https:// address (https://api.example.th): the portfolio PDF "
        "prints its verify link and QR with it"),
    "start_photos_store": B(
        "ต้องตั้ง SUPABASE_SERVICE_ROLE_KEY รูปเก็บใน Supabase Storage ที่ทุกสำเนาใช้ร่วมกัน (ถ้าไม่ตั้ง แต่ละสำเนาเก็บในดิสก์ของตัวเอง) "
        "เฉพาะเมื่อทุกสำเนาใช้ดิสก์เดียวกัน (เครื่องเดียว): ตั้ง FIXIT_PHOTOS_ON_DISK=true และ FIXIT_DATA_DIR ไปที่ดิสก์นั้น",
        "SUPABASE_SERVICE_ROLE_KEY must be set: photos go to Supabase Storage, which every copy shares (without it "
        "each copy keeps them on its own disk). Only where every copy shares one disk (a single machine): set "
        "FIXIT_PHOTOS_ON_DISK=true and FIXIT_DATA_DIR to it"),
    "start_notify_unknown": B(
        "FIXIT_NOTIFY_CHANNELS ระบุ {name!r} ซึ่งไม่ใช่ช่องทางแจ้งเตือน ใช้ console, webpush, fcm, onesignal, line หรือ sms",
        "FIXIT_NOTIFY_CHANNELS names {name!r}, which is not a channel: use console, webpush, fcm, onesignal, line or "
        "sms"),
    "start_notify_console": B(
        "FIXIT_NOTIFY_CHANNELS ระบุ 'console' ซึ่งแค่เขียนข้อความลงบันทึก (สำหรับพัฒนา) กรุณานำออก",
        "FIXIT_NOTIFY_CHANNELS names 'console', which only writes messages to the log (development): remove it"),
    "start_notify_missing": B(
        "FIXIT_NOTIFY_CHANNELS ระบุ {name!r} ซึ่งส่งไม่ได้ถ้าไม่มี {missing_th} กรุณาตั้งค่า (README: Notifications) "
        "หรือนำ {name!r} ออกจาก FIXIT_NOTIFY_CHANNELS",
        "FIXIT_NOTIFY_CHANNELS names {name!r}, which cannot deliver without {missing_en}: set {count|it|them} "
        "(README: Notifications), or take {name!r} out of FIXIT_NOTIFY_CHANNELS"),
    "start_fcm_file": B(
        "FIXIT_FCM_SERVICE_ACCOUNT_FILE={path} ไม่ใช่ไฟล์ กรุณาวางไฟล์ JSON ของ Firebase service account ไว้ที่นั่น",
        "FIXIT_FCM_SERVICE_ACCOUNT_FILE={path} is no file: mount the Firebase service account's JSON there"),
    "start_notify_link_base": B(
        "FIXIT_NOTIFY_LINK_BASE ต้องเป็นที่อยู่ https:// สาธารณะของแอป (https://app.example.th) เมื่อ FIXIT_NOTIFY_CHANNELS "
        "ส่งข้อความ ทุกข้อความลิงก์ไปที่นี่ (ขณะนี้ {now})",
        "FIXIT_NOTIFY_LINK_BASE must be the app's public https:// address (https://app.example.th) while "
        "FIXIT_NOTIFY_CHANNELS delivers: every message links to it (now {now})"),
    "start_demo_accounts": B(
        "ฐานข้อมูลมีบัญชีตัวอย่าง (ใครก็รู้เบอร์โทรของบัญชีเหล่านี้) ลบด้วย `fixit-backend remove-demo` "
        "หรือตั้ง FIXIT_DEV_MODE=true บนเครื่องสำหรับพัฒนา",
        "the database holds the demo accounts (anyone knows their phone numbers): remove them with "
        "`fixit-backend remove-demo`, or set FIXIT_DEV_MODE=true on a development machine"),
    "start_database_unchecked": B(
        "ตรวจฐานข้อมูลไม่ได้ว่ามีบัญชีตัวอย่างหรือขาด migration ของรุ่นนี้หรือไม่: {reason_th}",
        "the database could not be checked for the demo accounts and this release's migrations: {reason_en}"),
    "start_never_migrated": B(
        "ฐานข้อมูลยังไม่เคย migrate (ไม่มี private.schema_migrations) กรุณารัน `fixit-backend migrate` "
        "โดยตั้ง DATABASE_URL เป็นฐานข้อมูลนี้ก่อน",
        "the database has no migrations applied (no private.schema_migrations): run `fixit-backend migrate` with "
        "DATABASE_URL set to it first"),
    "start_migrations_missing": B(
        "ฐานข้อมูลขาด migration {count} รายการที่รุ่นนี้ต้องใช้ ({versions}) กรุณารัน `fixit-backend migrate` ของรุ่นนี้ก่อน "
        "(ตั้ง DATABASE_URL เป็นฐานข้อมูลนี้) ระหว่างนี้สำเนาที่ให้บริการอยู่ยังให้บริการต่อ",
        "the database lacks {count} {count|migration|migrations} this release needs ({versions}): run "
        "`fixit-backend migrate` of this release first (DATABASE_URL set to it); the copies already serving keep "
        "serving meanwhile"),
}


def refusal_line(text: Bilingual) -> str:
    """One refusal as the operator reads it: Thai, then English on the next line."""
    return f"{text.th}\n    {text.en}"


def start_heading(code: str) -> str:
    """The heading over the start refusals (START_REFUSALS' headings): Thai / English, one line."""
    return f"{START_REFUSALS[code].th} / {START_REFUSALS[code].en}:"


def start_refusal(code: str, **values: object) -> str:
    """A production start refusal (START_REFUSALS), Thai then English."""
    template = START_REFUSALS[code]
    return refusal_line(Bilingual(template.th.format(**values), plural_en(template.en, values).format(**values)))


def error_text(code: str, **values: object) -> Bilingual:
    """The message for an error code; unknown codes fall back to the generic one, never to a blank. A value that is
    a request status reads as its label (STATUS_LABELS), one that is Bilingual in each text's own language: a
    person reads "ยกเลิกแล้ว", never the API's code "cancelled"."""
    template = ERRORS.get(code, ERRORS["internal_error"])
    if not values:
        return template
    worded = {k: STATUS_LABELS[v] if isinstance(v, RequestStatus) else v for k, v in values.items()}
    th = {k: v.th if isinstance(v, Bilingual) else v for k, v in worded.items()}
    en = {k: v.en if isinstance(v, Bilingual) else v for k, v in worded.items()}
    return Bilingual(template.th.format(**th), plural_en(template.en, en).format(**en))


def bilingual(key: str, **values: object) -> Bilingual:
    """The one look-up of a sentence by key, for the app's screens and the backend alike (a view-model keeps the
    Bilingual, a view picks its language with `t`). An unknown key is a KeyError, never a blank or a wrong text; a
    unit test checks that every key the code names exists."""
    found = UI[key] if key in UI else APP_UI[key]
    return found.format(**values) if values else found


def t(key: str, locale: Locale, **values: object) -> str:
    """`bilingual(key, **values)` in `locale`."""
    return bilingual(key, **values).in_(locale)


def status_label(status: RequestStatus, locale: Locale) -> str:
    return STATUS_LABELS[status].in_(locale)


def role_label(role: AppRole, locale: Locale) -> str:
    return ROLE_LABELS[role].in_(locale)


# --- Honest quality check, the citizen's "what next", exports (issue #12) ---------------------------------------

# What a job's record still lacks before the teacher's check (codes of shared.work.missing_for_quality_check):
# the short name, for "missing: …" lists.
QC_MISSING: dict[str, Bilingual] = {
    "after_photo": B("รูปหลังซ่อม", "an after photo"),
    "hours": B("ชั่วโมงทำงาน", "hours worked"),
    "report": B("รายงานการซ่อม", "a report of the work"),
}

ERRORS.update({
    "quality_check_incomplete": B(
        "ยังส่งให้ครูตรวจไม่ได้ ยังขาด: {missing_th}",
        "Cannot send for the teacher's check yet: missing {missing_en}",
    ),
    "approval_incomplete": B(
        "ยังอนุมัติไม่ได้ บันทึกงานยังไม่ครบ ขาด: {missing_th}",
        "Cannot approve yet: the work record is missing {missing_en}",
    ),
    # One per missing item (the `fields` of a quality_check_incomplete error and the job's checklist).
    "qc_missing_after_photo": B("ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป", "Add at least one after photo"),
    "qc_missing_hours": B("บันทึกชั่วโมงทำงาน (มากกว่า 0)", "Record the hours worked (more than 0)"),
    "qc_missing_report": B("เขียนรายงานว่าทำอะไรไปบ้าง", "Write a report of what was done"),
})


# A reopened job's later round: the same codes, named as the round's own (the earlier round's do not count).
QC_MISSING_IN_ROUND: dict[str, Bilingual] = {
    "after_photo": B("รูปหลังซ่อมใหม่ของรอบนี้", "a new after photo of this round"),
    "hours": B("ชั่วโมงทำงานของรอบนี้", "this round's hours worked"),
    "report": B("รายงานของรอบนี้", "this round's report"),
}

ERRORS.update({
    "qc_missing_after_photo_in_round": B("ถ่ายรูปหลังซ่อมใหม่ของรอบนี้อย่างน้อย 1 รูป (รูปของรอบก่อนไม่นับ)",
                                         "Add at least one new after photo for this round (earlier ones do not "
                                         "count)"),
    "qc_missing_hours_in_round": B("บันทึกชั่วโมงทำงานของรอบนี้ (มากกว่า 0)",
                                   "Record this round's hours worked (more than 0)"),
    "qc_missing_report_in_round": B("บันทึกรายงานของรอบนี้ (รายงานของรอบก่อนไม่นับ)",
                                    "Save this round's report (the earlier round's does not count)"),
})


def qc_missing_key(code: str, later_round: bool = False) -> str:
    """The error key of one missing item: `qc_missing_<code>`, or its later-round wording."""
    return f"qc_missing_{code}_in_round" if later_round else f"qc_missing_{code}"


def missing_list(codes: list[str], later_round: bool = False) -> Bilingual:
    """ "รูปหลังซ่อม, ชั่วโมงทำงาน" / "an after photo, hours worked" """
    catalog = QC_MISSING_IN_ROUND if later_round else QC_MISSING
    names = [catalog[c] for c in codes if c in catalog]
    return B(", ".join(n.th for n in names), ", ".join(n.en for n in names))


AND = B("และ", "and")


def and_list(items: list[str]) -> Bilingual:
    """Names (settings, codes: the same in both languages) joined with each language's own "and":
    "A, B และ C" / "A, B and C"."""
    if len(items) < 2:
        return B("".join(items), "".join(items))
    head = ", ".join(items[:-1])
    return B(f"{head} {AND.th} {items[-1]}", f"{head} {AND.en} {items[-1]}")


# For the citizen, per status: what happens next, and how long that usually takes (None: nothing to wait for).
NEXT_STEPS: dict[RequestStatus, tuple[Bilingual, Bilingual | None]] = {
    RequestStatus.SUBMITTED: (
        B("ระบบกำลังหาวิทยาลัยใกล้คุณที่มีนักศึกษาช่างทักษะตรงกับงาน", "We are finding a nearby college with a "
          "student technician for this repair"),
        B("ไม่กี่นาที", "A few minutes"),
    ),
    RequestStatus.NO_CENTRE: (
        B("ยังไม่มีศูนย์ซ่อมในระยะให้บริการ ผู้ดูแลระบบจะช่วยหาวิทยาลัยให้",
          "No repair centre in range yet: an administrator will look for a college"),
        B("โดยปกติภายใน 3 วันทำการ", "Usually within 3 working days"),
    ),
    RequestStatus.OFFERED: (
        B("เสนองานให้นักศึกษาช่างของวิทยาลัยแล้ว ถ้าไม่มีผู้รับในเวลาที่กำหนด ระบบจะส่งต่อให้วิทยาลัยถัดไป",
          "Student technicians of the college have been offered the job: if nobody takes it in time, it goes on "
          "to the next college"),
        B("โดยปกติภายใน 1 ชั่วโมง", "Usually within an hour"),
    ),
    RequestStatus.ACCEPTED: (
        B("นักศึกษาช่างรับงานแล้ว จะติดต่อคุณเพื่อนัดรับของหรือเข้าไปซ่อม",
          "A student technician took the job and will contact you to arrange the repair"),
        B("โดยปกติภายใน 1–2 วัน", "Usually within 1–2 days"),
    ),
    RequestStatus.DIAGNOSING: (
        B("ช่างกำลังตรวจหาสาเหตุ แล้วจะแจ้งว่าซ่อมได้หรือไม่", "The technician is finding the cause and will "
          "tell you whether it can be repaired"),
        B("โดยปกติ 1–3 วัน", "Usually 1–3 days"),
    ),
    RequestStatus.REPAIRING: (
        B("ช่างกำลังซ่อม เมื่อเสร็จแล้วครูผู้ควบคุมจะตรวจงานก่อนส่งคืน",
          "The technician is repairing it: a supervisor checks the work before it comes back"),
        B("โดยปกติ 3–7 วัน ขึ้นกับอะไหล่", "Usually 3–7 days, depending on parts"),
    ),
    RequestStatus.QUALITY_CHECK: (
        B("ครูผู้ควบคุมกำลังตรวจงานซ่อม", "A supervisor is checking the repair"),
        B("โดยปกติภายใน 1–2 วัน", "Usually within 1–2 days"),
    ),
    RequestStatus.DONE: (
        B("ซ่อมเสร็จและผ่านการตรวจแล้ว วิทยาลัยจะนัดส่งคืนของให้คุณ",
          "Repaired and checked: the college will arrange giving it back to you"),
        B("โดยปกติภายใน 1–3 วัน", "Usually within 1–3 days"),
    ),
    RequestStatus.UNREPAIRABLE: (
        B("ซ่อมไม่ได้ วิทยาลัยจะนัดคืนของให้คุณ", "It cannot be repaired: the college will arrange giving it back"),
        B("โดยปกติภายใน 1–3 วัน", "Usually within 1–3 days"),
    ),
    RequestStatus.HANDED_BACK: (
        B("ได้รับของคืนแล้ว ให้คะแนนงานซ่อมได้ ถ้ายังเสียอยู่ แจ้ง \"ยังไม่หาย\" ได้ภายใน 7 วัน",
          "You have it back: rate the repair, or report it still broken within 7 days"),
        None,
    ),
    RequestStatus.CANCELLED: (B("คำขอนี้ถูกยกเลิกแล้ว", "This request was cancelled"), None),
}

# The next step of a request waiting as no_centre after students were offered it (its timeline's "no_taker"): the
# colleges near it were asked, nobody took it in time or all declined. The wait is no_centre's.
NO_TAKER_NEXT_STEP = B("นักศึกษาช่างของวิทยาลัยใกล้คุณยังไม่ได้รับงานนี้ ผู้ดูแลระบบจะช่วยส่งต่อให้วิทยาลัยอีกครั้ง "
                       "หรือยกเลิกคำขอได้",
                       "No student technician of the colleges near you has taken the job yet: an administrator will "
                       "send it on to a college again, or you may cancel the request")


# A high-risk job in a student's hands whose college's last teacher left (the detail's teacher_needed, stranded20):
# what its owner reads instead of the step's usual words, which would promise work that cannot go on. Nothing of the
# student or the teachers.
TEACHER_NEEDED_NEXT_STEP = B("งานนี้หยุดรอไว้ก่อน เพราะขั้นตอนต่อไปต้องมีครูของวิทยาลัยอยู่ควบคุม แต่ตอนนี้วิทยาลัยไม่มีครู "
                             "ผู้ดูแลระบบได้รับแจ้งแล้ว จะส่งต่อให้วิทยาลัยอื่นหรือรอครูคนใหม่ ของของคุณยังอยู่กับวิทยาลัย",
                             "The work waits: its next step needs a teacher of the college present, and the college "
                             "has none now. The administrators were told and will send it on to another college or "
                             "wait for a new teacher; your item stays with the college")


# The next step of a request waiting as no_centre because its owner's account was suspended (its timeline's
# "owner_suspended"), read once the account is restored and before the clock offers it again (or after its young
# days, when an administrator sends it on): the owner reads it, so it speaks to them (reinstate21).
OWNER_SUSPENDED_NEXT_STEP = B("คำขอนี้พักไว้ระหว่างที่บัญชีของคุณถูกระงับ ตอนนี้บัญชีใช้งานได้แล้ว ระบบจะเสนองานให้นักศึกษาช่างอีกครั้ง "
                              "หรือผู้ดูแลระบบจะช่วยส่งต่อให้วิทยาลัย หรือยกเลิกคำขอได้",
                              "This request was on hold while your account was suspended. Now that it is restored, "
                              "it is offered to student technicians again, or an administrator sends it on to a "
                              "college; you may also cancel it")


def next_step(status: RequestStatus, last_note_code: str | None = None, teacher_needed: bool = False) -> Bilingual:
    """What happens next for the citizen: the status's step, or a no_centre request's own when its move there says
    students were offered it before (`last_note_code`, the latest timeline event's system note), or a job in hand
    that waits for a teacher of its college to be present (`teacher_needed`, the detail's)."""
    if status == RequestStatus.NO_CENTRE and last_note_code == "no_taker":
        return NO_TAKER_NEXT_STEP
    if status == RequestStatus.NO_CENTRE and last_note_code == "owner_suspended":
        return OWNER_SUSPENDED_NEXT_STEP
    if teacher_needed:
        return TEACHER_NEEDED_NEXT_STEP
    return NEXT_STEPS[status][0]


# The citizen's wait while the request is offered in the students' quiet hours (shared.notifications
# .expected_wait): they hear of it when those hours end, and the offer runs its time from then.
OFFERED_WAIT_IN_QUIET_HOURS = B("ช่วงกลางคืนนักศึกษาจะได้รับแจ้งงานใหม่ตอน {time} น. โดยปกติมีผู้รับงานภายใน 1 ชั่วโมงหลังจากนั้น",
                                "At night students hear of new jobs at {time}: usually taken within an hour after "
                                "that")

# Exports (CSV and the ledger PDF): column headers and the PDF's words.
EXPORT_TEXTS: dict[str, Bilingual] = {
    "reference": B("เลขที่อ้างอิง", "Reference"),
    "created_at": B("วันที่แจ้ง", "Requested on"),
    "category": B("ประเภทงาน", "Category"),
    "item": B("สิ่งของ", "Item"),
    "brand": B("ยี่ห้อ/รุ่น", "Brand/model"),
    "status": B("สถานะ", "Status"),
    "province": B("จังหวัด", "Province"),
    "district": B("อำเภอ/เขต", "District"),
    "technician": B("นักศึกษาช่าง", "Student technician"),
    "hours": B("ชั่วโมงทำงาน", "Hours worked"),
    "parts_total": B("ค่าอะไหล่ที่เจ้าของอนุมัติ (บาท)", "Parts the owner approved (baht)"),
    "rating": B("คะแนน", "Rating"),
    "approved_at": B("วันที่อนุมัติ", "Approved on"),
    "approved_by": B("ผู้อนุมัติ", "Approved by"),
    "student": B("นักศึกษา", "Student"),
    "approved_jobs": B("งานที่ผ่านการตรวจ", "Approved jobs"),
    "categories": B("ประเภทงาน", "Categories"),
    "ledger_title": B("บันทึกชั่วโมงฝึกประสบการณ์งานซ่อม", "Training hours record"),
    "ledger_college": B("วิทยาลัย: {college}", "College: {college}"),
    "ledger_student": B("นักศึกษา: {name}", "Student: {name}"),
    "ledger_total": B("รวม {jobs} งาน {hours} ชั่วโมง", "Total: {jobs} {jobs|job|jobs}, {hours} {hours|hour|hours}"),
    "ledger_none": B("ยังไม่มีงานที่ผ่านการตรวจ", "No approved jobs yet"),
    "ledger_printed": B("พิมพ์เมื่อ {when} (เวลาประเทศไทย)", "Printed {when} (Thailand time)"),
    "ledger_signature": B("ลงชื่อครูผู้ควบคุม ....................................",
                          "Supervisor's signature ...................................."),
}

# The teacher's ledger screen heads its columns, and says it is empty, as the CSV and the PDF its buttons download do
# (backend/services/exports.py LEDGER_COLUMNS): one wording per column.
APP_UI.update({
    "ledger_empty": EXPORT_TEXTS["ledger_none"],
    "ledger_student": EXPORT_TEXTS["student"],
    "ledger_jobs": EXPORT_TEXTS["approved_jobs"],
    "ledger_hours": EXPORT_TEXTS["hours"],
    "ledger_categories": EXPORT_TEXTS["categories"],
})


def _counted(label: Bilingual) -> Bilingual:
    """A filter chip: the status's own words (as the chip on each job under it says them), then the count `n`."""
    return B(f"{label.th} {{n}}", f"{label.en} {{n}}")


# --- The app's screens for issue #12: the teacher's job list, the photo viewer, the citizen's record ------------
APP_UI.update({
    "nav_college_jobs": B("งานทั้งหมดของวิทยาลัย", "All college jobs"),
    "college_jobs_title": B("งานของวิทยาลัย", "College jobs"),
    # Short enough for one line in the field on a 360 px phone (it wrapped to two).
    "college_jobs_search": B("ค้นหาเลขที่ สิ่งของ หรือชื่อ", "Reference, item or name"),
    "college_jobs_search_button": B("ค้นหา", "Search"),
    "college_jobs_all": B("ทุกสถานะ", "All statuses"),
    "college_jobs_empty": B("ไม่พบงาน", "No jobs found"),
    "college_jobs_more": B("ดูเพิ่มเติม", "Show more"),
    # The long lists' "more" (shared.paging): a person's requests, a student's jobs, a helper's team jobs, the
    # admin's waiting requests.
    "list_more": B("ยังมีอีก {count} รายการ", "{count} more"),
    "list_show_more": B("ดูเพิ่มเติม", "Show more"),
    "college_jobs_student": B("นักศึกษา: {name}", "Student: {name}"),
    "college_jobs_nobody": B("ยังไม่มีผู้รับงาน", "nobody yet"),
    "college_jobs_actions": B("ทำได้: {actions}", "You can: {actions}"),
    "college_jobs_open": B("เปิดงาน {reference} {item}", "Open job {reference} {item}"),
    "jobs_shown": B("แสดง {shown} จาก {total} งาน", "Showing {shown} of {total} {total|job|jobs}"),
    # A one-status chip says the status as the jobs under it do; in progress is diagnosing and repairing both.
    "group_offered": _counted(STATUS_LABELS[RequestStatus.OFFERED]),
    "group_accepted": _counted(STATUS_LABELS[RequestStatus.ACCEPTED]),
    # Diagnosing or repairing: the chip says "Repairing", as the dashboard and the job's own chip do.
    "group_in_progress": _counted(STATUS_LABELS[RequestStatus.REPAIRING]),
    "group_quality_check": _counted(STATUS_LABELS[RequestStatus.QUALITY_CHECK]),
    "group_done": _counted(STATUS_LABELS[RequestStatus.DONE]),
    "group_handed_back": _counted(STATUS_LABELS[RequestStatus.HANDED_BACK]),
    "group_unrepairable": _counted(STATUS_LABELS[RequestStatus.UNREPAIRABLE]),
    "group_cancelled": _counted(STATUS_LABELS[RequestStatus.CANCELLED]),
    "job_action_assign": B("มอบหมายนักศึกษา", "assign"),
    "job_action_reassign": B("เปลี่ยนผู้รับงาน", "reassign"),
    "job_action_take_back": B("นำกลับไปเสนองานใหม่", "take back"),
    "job_action_approve": B("อนุมัติ", "approve"),
    "job_action_rework": B("ส่งกลับแก้ไข", "send back for rework"),
    "job_action_hand_back": B("ส่งคืนเจ้าของ", "hand back"),
    "reassign_title": B("เปลี่ยนผู้รับงาน", "Give to another student"),
    "qc_missing_title": B("ก่อนส่งให้ครูตรวจ ยังขาด:", "Before the teacher's check, still missing:"),
    "reference_number": B("เลขที่อ้างอิง {reference}", "Reference {reference}"),
    "next_step_title": B("ขั้นต่อไป", "What happens next"),
    "expected_wait": B("ระยะเวลาโดยประมาณ: {wait}", "Expected wait: {wait}"),
    "your_request_title": B("ข้อมูลที่คุณแจ้ง", "What you told us"),
    "preferred_days_value": B("วันที่สะดวก: {days}", "Days that suit you: {days}"),
    "repair_record_title": B("บันทึกการซ่อม", "Repair record"),
    "college_contact_title": B("ติดต่อวิทยาลัย", "Contact the college"),
    "call_college": B("โทรหาวิทยาลัย {phone}", "Call the college {phone}"),
    "college_map": B("ดูตำแหน่งวิทยาลัยบนแผนที่", "See the college on a map"),
    "college_map_approximate": B("ตำแหน่งโดยประมาณ (กลางอำเภอ)", "Approximate location (town centre)"),
    # A request's pin that is an area's middle, not the house (RequestDetail/Offer.location_approximate).
    "request_pin_approximate": B("หมุดเป็นกลางตำบลโดยประมาณ นักศึกษาจะทราบว่าไม่ใช่ที่บ้าน",
                                 "Your pin is the sub-district's middle, approximate: the student is told it is not "
                                 "the house"),
    "job_pin_approximate": B("หมุดบนแผนที่เป็นตำแหน่งโดยประมาณ ไม่ใช่ที่บ้าน กรุณาโทรถามทางก่อนออกเดินทาง",
                             "The map's pin is approximate, not the house: call for directions before you go"),
    "offer_pin_approximate": B("ระยะทางวัดจากตำแหน่งโดยประมาณ (กลางตำบล)",
                               "Distance from an approximate pin (the sub-district's middle)"),
    "photo_viewer_title": B("รูป {n} จาก {total}", "Photo {n} of {total}"),
    "photo_viewer_close": B("ปิดรูป", "Close photo"),
    "photo_viewer_next": B("รูปถัดไป", "Next photo"),
    "photo_viewer_previous": B("รูปก่อนหน้า", "Previous photo"),
    "photo_viewer_loading": B("กำลังโหลดรูป…", "Loading the photo…"),
    "photo_viewer_failed": B("โหลดรูปไม่ได้", "The photo could not be loaded"),
    "photo_zoom_in": B("ขยายรูป", "Zoom in"),
    "photo_zoom_out": B("ย่อรูป", "Zoom out"),
    "photo_open": B("เปิดดู{label}", "Open {label}"),
    "offer_description": B("อาการ: {description}", "Problem: {description}"),
    "add_student_title": B("เพิ่มนักศึกษา", "Add students"),
    "add_student_phone": B("เบอร์โทรของนักศึกษา", "Student's phone number"),
    "add_student_name": B("ชื่อนักศึกษา (ไม่บังคับ)", "Student's name (optional)"),
    "add_student": B("เพิ่มนักศึกษา", "Add the student"),
    "student_added_now": B("เพิ่ม {phone} เป็นนักศึกษาของวิทยาลัยแล้ว", "{phone} is now a student of the college"),
    "student_invited": B("บันทึก {phone} แล้ว จะเป็นนักศึกษาของวิทยาลัยเมื่อเข้าสู่ระบบครั้งแรก",
                         "{phone} is registered: they become a student at their first sign-in"),
    "import_students": B("นำเข้ารายชื่อจากไฟล์ CSV", "Import a CSV file"),
    # The skills column takes codes (backend/services/staff.py parse_skills): the screen lists them under this,
    # each beside its name (import_students_codes), from the catalogue the app reads.
    "import_students_hint": B(f"คอลัมน์ phone, name และ skills (ถ้ามี) เขียนทักษะเป็น รหัส:ระดับ ({SKILL_MIN}–{SKILL_MAX})"
                              " เช่น electrical_appliance:3",
                              f"Columns phone, name and optional skills, written code:level ({SKILL_MIN}–{SKILL_MAX}),"
                              " e.g. electrical_appliance:3"),
    "import_students_codes_show": B("ดูรหัสทักษะที่เขียนได้ ({n})", "Show the skill codes ({n})"),
    "import_students_codes_hide": B("ซ่อนรหัสทักษะ", "Hide the skill codes"),
    "import_students_code_line": B("{code} คือ {name}", "{code} = {name}"),
    "importing_students": B("กำลังนำเข้ารายชื่อ…", "Importing…"),
    "students_imported": B("นำเข้า {n} คนแล้ว (เป็นนักศึกษาทันที {now} คน เมื่อเข้าสู่ระบบครั้งแรก {later} คน)",
                           "Imported {n} ({now} now, {later} at their first sign-in)"),
    "import_line": B("บรรทัด {line}: {problem}", "Line {line}: {problem}"),
    "skills_none": B("ยังไม่มีทักษะ", "No skills yet"),
    "active_label_for": B("{name} พร้อมรับงาน", "{name} takes jobs"),
    # A student the operator suspended (suspend-person): the row says why, and the disabled switch's own name says
    # it too, so a screen reader reads the reason with the switch.
    "student_suspended_label": B("บัญชีถูกระงับโดยผู้ดูแลระบบ", "Account suspended by the Fixit administrators"),
    "active_label_suspended_for": B("{name} พร้อมรับงาน: เปิดไม่ได้ บัญชีถูกระงับโดยผู้ดูแลระบบ",
                                    "{name} takes jobs: cannot be switched on, account suspended by the Fixit "
                                    "administrators"),
    "edit_skills_for": B("ทักษะของ {name}", "{name}'s skills"),
    "skills_dialog_title": B("ทักษะของ {name}", "{name}'s skills"),
    "job_sent_on": B("นำงานกลับแล้ว ไม่มีนักศึกษาคนอื่นของวิทยาลัยที่รับได้ จึงส่งต่อให้วิทยาลัยถัดไป",
                     "Taken back: no other student of the college could take it, so it went on to the next college"),
    # A long list's "more" after a page of a list counted whole (mobile/viewmodels/paging.py): rows shown may have
    # left it since, so its count less those shown would undercount; no number until a reload counts again.
    "list_more_uncounted": B("ยังมีรายการอื่นอีก", "More to show"),
    # The teacher's job list after a "more" (mobile/viewmodels/college_jobs.py): jobs shown may have left the list
    # since, so not "แสดง X จาก Y" but the list's count as the last page read it (one short line on a 360 px screen).
    "jobs_in_list": B("ทั้งหมด {total} งาน", "{total} {total|job|jobs} in all"),
})


# The job record and the student's credit (issue 14): parts, handover, outcome, team, portfolio, the college view.
CREDIT_UI: dict[str, Bilingual] = {
    # The citizen's request detail
    "record_title": B("อะไหล่และการรับของคืน", "Parts and handover"),
    "parts_waiting_title": B("อะไหล่ที่รอคุณอนุมัติ", "Parts waiting for your approval"),
    "part_line": B("{name} × {qty} = {total} บาท", "{name} × {qty} = {total} baht"),
    "part_approve": B("อนุมัติ", "Approve"),
    "part_decline": B("ไม่อนุมัติ", "Decline"),
    "part_approved": B("อนุมัติอะไหล่ {name} แล้ว", "{name} approved"),
    "part_declined": B("ไม่อนุมัติอะไหล่ {name}", "{name} declined"),
    # The owner's answer on a part is final (409 part_already_decided): asked first (confirm_panel), naming the
    # part and its price.
    "part_approve_confirm_title": B("อนุมัติ {name} รวม {total} บาท ใช่ไหม", "Approve {name} for {total} baht?"),
    "part_approve_confirm_body": B("นักศึกษาจะใช้อะไหล่นี้ในการซ่อม เมื่ออนุมัติแล้วจะเปลี่ยนใจภายหลังไม่ได้",
                                   "The student will use this part for the repair. Once approved, this cannot be "
                                   "changed"),
    "part_approve_confirm": B("ยืนยันอนุมัติ", "Yes, approve"),
    "part_decline_confirm_title": B("ไม่อนุมัติ {name} ({total} บาท) ใช่ไหม", "Decline {name} ({total} baht)?"),
    "part_decline_confirm_body": B("นักศึกษาจะไม่ใช้อะไหล่นี้ และอาจซ่อมต่อไม่ได้ เมื่อตอบแล้วจะเปลี่ยนใจภายหลังไม่ได้",
                                   "The student will not use this part and may not be able to finish the repair. "
                                   "Once answered, this cannot be changed"),
    "part_decline_confirm": B("ยืนยันไม่อนุมัติ", "Yes, decline"),
    # A part its student proposed by mistake, withdrawn while it waits (the student or the job's teacher): asked
    # first (confirm_panel), naming the part and its price; the owner is told.
    "part_withdraw": B("ถอนรายการ", "Withdraw"),
    "part_withdraw_confirm_title": B("ถอนรายการ {name} ({total} บาท) ใช่ไหม", "Withdraw {name} ({total} baht)?"),
    "part_withdraw_confirm_body": B("เจ้าของจะไม่ต้องตอบรายการนี้และจะได้รับแจ้งว่าถอนแล้ว ถอนแล้วนำกลับมาไม่ได้ "
                                    "ถ้ายังต้องใช้ให้เสนอใหม่",
                                    "The owner no longer answers it and is told it was withdrawn. This cannot be "
                                    "undone: propose it again if it is needed"),
    "part_withdraw_confirm": B("ยืนยันถอนรายการ", "Yes, withdraw"),
    "part_withdrawn_done": B("ถอนรายการอะไหล่ {name} แล้ว", "{name} withdrawn"),
    "record_parts_total": B("ค่าอะไหล่ที่อนุมัติแล้ว {total} บาท", "Approved parts: {total} baht"),
    "parts_approved_title": B("อะไหล่ที่คุณอนุมัติแล้ว", "Parts you approved"),
    "part_status_approved_app": B("อนุมัติในแอป", "approved in the app"),
    "part_status_approved_phone": B("อนุมัติทางโทรศัพท์: {note}", "approved by phone: {note}"),
    "part_status_declined": B("ไม่อนุมัติ", "declined"),
    "part_status_proposed": B("รอเจ้าของอนุมัติ", "waiting for the owner"),
    # A question open on the owner's screen whose subject was settled meanwhile (another phone of the household, the
    # student's phone approval, the job moving on): the question closes and says why, read out (record-notice).
    "part_answered_meanwhile": B("ระหว่างนี้ อะไหล่ {name} ได้รับคำตอบแล้ว ({state}) จึงไม่ต้องตอบอีก",
                                 "Meanwhile {name} was answered ({state}): nothing more to answer"),
    "handover_confirmed_meanwhile": B("ระหว่างนี้ การรับของคืนได้รับการยืนยันแล้ว จึงไม่ต้องยืนยันอีก",
                                      "Meanwhile the handover was confirmed: nothing more to confirm"),
    "handover_not_now": B("ระหว่างนี้ สถานะงานเปลี่ยนไป จึงยังยืนยันรับของคืนไม่ได้",
                          "Meanwhile the job's status changed: the handover cannot be confirmed now"),
    "handover_confirm": B("ได้รับของคืนแล้ว", "I have it back"),
    "handover_confirmed": B("ยืนยันรับของคืนแล้ว", "Handover confirmed"),
    # Recorded for good (the student may then close the job as handed back): asked first (confirm_panel).
    "handover_confirm_title": B("ได้รับของคืนแล้วใช่ไหม", "Do you have it back?"),
    "handover_confirm_body": B("ยืนยันเมื่อของอยู่กับคุณแล้วเท่านั้น เมื่อยืนยันแล้วนักศึกษาจะปิดงานนี้ได้ และยกเลิกไม่ได้",
                               "Confirm only once you hold it: the student can then close the job, and this cannot "
                               "be undone"),
    "handover_confirm_yes": B("ใช่ ได้รับของแล้ว", "Yes, I have it"),
    "handover_not_yet": B("ยังไม่ได้รับ", "Not yet"),
    "handover_ready": B("ของพร้อมคืนแล้ว: เมื่อได้รับของ กดยืนยัน หรือบอกรหัสคืนของแก่นักศึกษา",
                        "Ready to hand back: confirm when you have it, or tell the student the handover code"),
    "handover_show_code": B("ขอรหัสคืนของ", "Show a handover code"),
    "handover_code_is": B("รหัสคืนของ: {code}", "Handover code: {code}"),
    # The job screen (student and teacher)
    "record_job_title": B("บันทึกงาน", "Job record"),
    "parts_title": B("อะไหล่ที่เจ้าของต้องอนุมัติก่อนซื้อ", "Parts the owner approves before you buy them"),
    "parts_who": B("เจ้าของเห็นรายการนี้ในแอป อนุมัติ และเป็นผู้จ่าย ครูเห็นด้วย",
                   "The owner sees these in the app, approves them and pays for them; your teacher sees them too."),
    "propose_part": B("เสนออะไหล่", "Propose a part"),
    "propose_part_name": B("ชื่ออะไหล่", "Part name"),
    "propose_part_qty": B("จำนวน", "Quantity"),
    "propose_part_price": B("ราคาต่อชิ้น (บาท)", "Price per unit (baht)"),
    "part_proposed": B("เสนออะไหล่ {name} แล้ว รอเจ้าของอนุมัติ", "{name} proposed: waiting for the owner"),
    "phone_approval": B("บันทึกการอนุมัติทางโทรศัพท์", "Record a phone approval"),
    "phone_note": B("ใครอนุมัติ และเมื่อไร", "Who approved, and when"),
    "phone_recorded": B("บันทึกการอนุมัติทางโทรศัพท์แล้ว", "Phone approval recorded"),
    "outcome_title": B("ผลการซ่อม", "Outcome"),
    "outcome_label": B("ผลการซ่อม", "Outcome"),
    "outcome_reason": B("เหตุผล", "Reason"),
    "outcome_fault": B("อาการเสียที่พบ", "Fault found"),
    "outcome_save": B("บันทึกผลการซ่อม", "Save the outcome"),
    "outcome_saved": B("บันทึกผลการซ่อมแล้ว", "Outcome saved"),
    "outcome_current": B("ผล: {outcome}", "Outcome: {outcome}"),
    "hand_back_title": B("คืนของให้เจ้าของ", "Hand back to the owner"),
    "hand_back_code": B("รหัสคืนของจากเจ้าของ (6 หลัก)", "The owner's handover code (6 digits)"),
    "hand_back_reason": B("เหตุผลที่ไม่มีการยืนยันจากเจ้าของ (ครู)", "Why there is no owner's confirmation (teacher)"),
    "hand_back_owner_confirmed": B("เจ้าของยืนยันรับของในแอปแล้ว", "The owner confirmed in the app"),
    "hand_back": B("คืนของแล้ว", "Handed back"),
    "handed_back": B("คืนของให้เจ้าของแล้ว", "Handed back to the owner"),
    "teacher_present_title": B("งานความเสี่ยงสูง: ครูที่อยู่ควบคุม", "High risk: the teacher present"),
    "teacher_present": B("ครูที่อยู่ควบคุม", "Teacher present"),
    "teacher_step": B("ไปขั้นตอน: {step}", "Go to: {step}"),
    "teacher_none": B("ยังไม่มีครูของวิทยาลัยในระบบ", "No teacher of the college is registered"),
    "record_step_done": B("เปลี่ยนขั้นตอนแล้ว", "Step recorded"),
    "team_title": B("ทีมและชั่วโมง", "Team and hours"),
    "team_line": B("{name} · {role} · {hours} ชม.", "{name} · {role} · {hours} h"),
    "team_line_approved": B("{name} · {role} · อนุมัติ {hours} ชม.", "{name} · {role} · {hours} h approved"),
    "add_helper": B("เพิ่มผู้ช่วย", "Add a helper"),
    "add_helper_confirm": B("เพิ่มเป็นผู้ช่วย", "Add as a helper"),
    "helper_pick": B("นักศึกษาผู้ช่วย", "Helper"),
    "helper_task": B("งานที่ช่วย", "What they do"),
    "helper_added": B("เพิ่ม {name} เป็นผู้ช่วยแล้ว", "{name} added as a helper"),
    "approve_hours": B("อนุมัติชั่วโมงของทีม", "Approve the team's hours"),
    "approve_hours_for": B("ชั่วโมงของ {name}", "Hours of {name}"),
    # A helper who did not work on the job: 0 takes them off the team uncredited (the lead's hours are never 0).
    "approve_hours_for_helper": B("ชั่วโมงของ {name} (ใส่ 0 = ไม่นับ ไม่ได้ช่วยงานนี้)",
                                  "Hours of {name} (0 = not credited: did not help)"),
    "hours_approved": B("อนุมัติชั่วโมงแล้ว", "Hours approved"),
    "hours_not_reported": B("ยังไม่รายงาน", "not reported"),
    # Portfolio
    "portfolio_open": B("แฟ้มผลงานของฉัน", "My portfolio"),
    # The term is the picker's, just below (said once; the title wrapped to two lines with it, look22 #6).
    "portfolio_title": B("แฟ้มผลงาน", "Portfolio"),
    "portfolio_term": B("ภาคเรียน", "Term"),
    "portfolio_term_current": B("{term} (ภาคเรียนนี้)", "{term} (this term)"),
    "portfolio_total": B("รวม {jobs} งาน {hours} ชั่วโมง", "{jobs} {jobs|job|jobs}, {hours} {hours|hour|hours}"),
    "portfolio_none": B("ยังไม่มีงานที่ครูอนุมัติในภาคเรียนนี้", "No approved jobs this term"),
    "portfolio_job": B("{item} · {category}", "{item} · {category}"),
    "portfolio_job_line": B("{role} · {hours} ชม. · {outcome}", "{role} · {hours} h · {outcome}"),
    "portfolio_job_teacher": B("ครูผู้อนุมัติ: {name}", "Approved by: {name}"),
    "portfolio_pdf": B("ดาวน์โหลด PDF", "Download PDF"),
    "portfolio_pdf_saved": B("บันทึก {name} แล้ว รหัสตรวจสอบ {code}", "Saved {name}; verification code {code}"),
    "portfolio_pdf_not_saved": B("บันทึกไฟล์ไม่ได้ รหัสตรวจสอบ {code}", "Could not save the file; verification code {code}"),
    # The college view (teacher)
    "credit_open": B("ชั่วโมงฝึกและการเลื่อนระดับ", "Training hours and levels"),
    "credit_title": B("ชั่วโมงฝึก ภาคเรียน {term}", "Training hours, term {term}"),
    "credit_student": B("{name}: {hours}/{target} ชม. ({jobs} งาน)",
                        "{name}: {hours}/{target} h ({jobs} {jobs|job|jobs})"),
    "credit_meets": B("ครบเป้า", "target met"),
    "credit_below": B("ยังไม่ครบเป้า", "below target"),
    # Counted from the hours a teacher approved this term (backend/services/credit.py): a student holding jobs still
    # under way is listed here, so the heading says "approved", not "without jobs".
    "credit_without_jobs": B("นักศึกษาที่ยังไม่มีงานที่ครูอนุมัติในภาคเรียนนี้",
                             "Students with no approved work this term"),
    "credit_none_without": B("ทุกคนมีงานที่ครูอนุมัติแล้วในภาคเรียนนี้", "Everyone has approved work this term"),
    "credit_lacking": B("ทักษะที่วิทยาลัยยังขาด", "Skills the college lacks"),
    "credit_lacking_line": B("{category} ({requests} งาน): {skills}",
                             "{category} ({requests} {requests|request|requests}): {skills}"),
    "credit_none_lacking": B("มีทักษะครบตามงานที่เข้ามา", "No skill lacking for the demand"),
    "proposals_title": B("ข้อเสนอเลื่อนระดับ", "Level-up proposals"),
    "proposal_line": B("{name}: {skill} ระดับ {from_level} → {to_level} ({jobs} งาน)",
                       "{name}: {skill} level {from_level} → {to_level} ({jobs} {jobs|job|jobs})"),
    "proposal_confirm": B("ยืนยัน", "Confirm"),
    "proposal_decline": B("ไม่ยืนยัน", "Decline"),
    "proposal_confirmed": B("เลื่อนระดับแล้ว", "Level confirmed"),
    "proposal_declined": B("ไม่เลื่อนระดับ", "Proposal declined"),
    "proposals_none": B("ไม่มีข้อเสนอรอพิจารณา", "No proposals waiting"),
    "settings_title": B("เกณฑ์ของวิทยาลัย", "The college's rules"),
    "settings_jobs": B("จำนวนงานที่อนุมัติก่อนเสนอเลื่อนระดับ", "Approved jobs before a level-up proposal"),
    "settings_target": B("เป้าชั่วโมงต่อภาคเรียน", "Hours target per term"),
    "settings_save": B("บันทึกเกณฑ์", "Save the rules"),
    "settings_saved": B("บันทึกเกณฑ์แล้ว", "Rules saved"),
    "number_invalid": B("กรุณากรอกตัวเลข", "Enter a number"),
    # A high-risk job in hand whose college's last teacher left (stranded19: the detail's teacher_needed).
    "teacher_needed_student": B(
        "งานนี้ความเสี่ยงสูง ขั้นตอนต่อไปต้องมีครูของวิทยาลัยอยู่ควบคุม แต่ตอนนี้วิทยาลัยไม่มีครูแล้ว หยุดงานไว้ก่อน "
        "ผู้ดูแลระบบได้รับแจ้งแล้ว จะส่งงานต่อให้วิทยาลัยอื่นหรือรอครูคนใหม่",
        "This high-risk job's next step needs a teacher of the college present, and the college has none now. "
        "Stop the work for now: the administrators were told, and will send it on to another college or wait for "
        "a new teacher"),
    "teacher_needed_staff": B(
        "วิทยาลัยของงานนี้ไม่มีครูที่อยู่ควบคุมได้แล้ว นักศึกษาจึงทำขั้นตอนต่อไปของงานความเสี่ยงสูงนี้ไม่ได้ "
        "ให้ครูของวิทยาลัยอยู่ควบคุม หรือรับงานคืนเพื่อส่งต่อให้วิทยาลัยที่มีครู",
        "This job's college has no teacher who can be present now, so its student cannot take this high-risk job's "
        "next step: a teacher of the college present lets it go on, or take it back to send it on to a college "
        "with one"),
}
APP_UI.update(CREDIT_UI)

# Issue 14, later: the helper's own hours, a reopened job's round, level history (kept apart to ease merges).
CREDIT_TEAM_UI: dict[str, Bilingual] = {
    "team_jobs_title": B("งานที่ฉันเป็นผู้ช่วย", "Jobs I help on"),
    "team_jobs_none": B("ยังไม่มีงานที่เป็นผู้ช่วย", "No jobs as a helper"),
    "team_job_lead": B("หัวหน้างาน: {name} · {status}", "Lead: {name} · {status}"),
    "team_job_approved": B("ครูอนุมัติ {hours} ชม. แล้ว", "{hours} h approved by the teacher"),
    "team_job_reported": B("ชั่วโมงที่รายงานไว้ {hours} ชม.", "{hours} h reported"),
    "my_hours": B("ชั่วโมงที่ฉันทำ", "My hours"),
    "my_task": B("สิ่งที่ฉันทำ", "What I did"),
    "my_hours_save": B("บันทึกชั่วโมงของฉัน", "Save my hours"),
    "my_hours_saved": B("บันทึกชั่วโมงของคุณแล้ว รอครูอนุมัติ", "Your hours are saved; the teacher approves them"),
    "record_round": B("ซ่อมซ้ำ รอบที่ {round}: รอบก่อนอนุมัติแล้ว {hours} ชม.",
                      "Repaired again, round {round}: {hours} h approved in earlier rounds"),
    "record_round_bare": B("ซ่อมซ้ำ รอบที่ {round}", "Repaired again, round {round}"),
    # Audit 13: a round its owner reopened before the teacher approved its hours stays to approve, first.
    "waiting_round_title": B("ชั่วโมงรอบที่ {round} รออนุมัติ", "Round {round}: hours waiting for approval"),
    "waiting_round_note": B("เจ้าของแจ้งว่ายังไม่หายก่อนอนุมัติชั่วโมงรอบนี้ ชั่วโมงของนักศึกษายังอนุมัติได้ตามเดิม",
                            "The owner reopened the job before these hours were approved: they can still be "
                            "approved as usual"),
    "portfolio_job_round": B("ซ่อมซ้ำ รอบที่ {round}", "Repaired again, round {round}"),
    # credit13: the teacher's list of their college's rounds waiting for the hours approval (a job moved on too).
    "hours_waiting_title": B("ชั่วโมงฝึกรออนุมัติ", "Training hours waiting for approval"),
    "hours_waiting_none": B("ไม่มีชั่วโมงรออนุมัติ", "No hours waiting for approval"),
    "hours_waiting_more": B("ยังมีอีก {count} รอบรออนุมัติ", "{count} more {count|round|rounds} waiting"),
    "hours_waiting_show_more": B("แสดงเพิ่ม", "Show more"),
    "hours_waiting_line": B("{ref} {item} · รอบที่ {round}", "{ref} {item} · round {round}"),
    "hours_waiting_reopened": B("เจ้าของแจ้งว่ายังไม่หายหลังรอบนี้", "Its owner reopened the job after this round"),
    "hours_waiting_moved_on": B("งานนี้ไปอยู่กับวิทยาลัยอื่นแล้ว รอบนี้ทำให้วิทยาลัยของคุณ อนุมัติได้ที่นี่",
                                "The job is with another college now; this round was done for yours: approve it "
                                "here"),
    "levels_title": B("ประวัติระดับทักษะ", "Skill level history"),
    "levels_none": B("ยังไม่มีประวัติระดับ", "No level history yet"),
    "level_line": B("{when} · {skill} ระดับ {level}", "{when} · {skill} level {level}"),
    "level_removed": B("{when} · {skill} ถูกนำออก", "{when} · {skill} removed"),
    "levels_show": B("ประวัติระดับของ {name}", "Level history of {name}"),
    "levels_hide": B("ซ่อนประวัติระดับ", "Hide level history"),
}
APP_UI.update(CREDIT_TEAM_UI)

# A reopened job's later round on the student's job screen: reported and evidenced again before the check.
ROUND_QC_UI: dict[str, Bilingual] = {
    "round_report_needed": B("รอบที่ {round}: บันทึกรายงานของรอบนี้ (ข้อมูลด้านล่างมาจากรายงานรอบก่อน แก้ไขแล้วกดบันทึก)",
                             "Round {round}: save this round's report (the form below is the last round's: edit "
                             "it and save)"),
    "round_after_photo_needed": B("รอบที่ {round}: ถ่ายรูปหลังซ่อมใหม่ของรอบนี้ (รูปของรอบก่อนไม่นับ)",
                                  "Round {round}: take a new after photo for this round (earlier ones do not "
                                  "count)"),
    # On a photo that shows an earlier round's repair (it stays on the record; this round's check does not count it).
    "photo_earlier_round": B("{label} (รอบก่อน)", "{label} (earlier round)"),
}
APP_UI.update(ROUND_QC_UI)


# Invitations to an existing account (backend/services/staff.py): the person answers; a student's jobs stay put.
ERRORS.update({
    "invitation_none": B("ไม่มีคำเชิญที่รอคำตอบจากคุณ", "No invitation is waiting for your answer"),
    "invitation_declined": B("บุคคลนี้ปฏิเสธคำเชิญไปเมื่อไม่นานนี้ เชิญใหม่ได้หลังจากปฏิเสธแล้ว {days} วัน",
                             "This person declined an invitation recently: you may invite them again {days} days "
                             "after they declined"),
    "invitation_changed": B("คำเชิญนี้เปลี่ยนไปแล้ว กรุณาอ่านคำเชิญใหม่ก่อนตอบ",
                            "This invitation has changed: please read the new one before you answer"),
    "invitation_seen_required": B("คำตอบต้องระบุคำเชิญที่คุณเห็น (บทบาทและวิทยาลัย) กรุณาเปิดคำเชิญในแอปแล้วตอบอีกครั้ง",
                                  "An answer must name the invitation you were shown (its role and college): "
                                  "open the invitation in the app and answer again"),
    "invitation_college_inactive": B("วิทยาลัยที่เชิญคุณปิดใช้งานแล้ว จึงตอบรับคำเชิญนี้ไม่ได้",
                                     "The college that invited you is closed now, so this invitation cannot be "
                                     "accepted"),
    "invitation_expired": B("คำเชิญนี้หมดอายุแล้ว (คำเชิญเปิดไว้ {days} วัน) ถ้ายังสนใจ ขอให้วิทยาลัยเชิญคุณใหม่",
                            "This invitation has expired (invitations stay open {days} days): if you are still "
                            "interested, ask the college to invite you again"),
    "invitation_withdrawn": B("ผู้เชิญยกเลิกคำเชิญนี้แล้ว บัญชีของคุณไม่เปลี่ยนแปลง",
                              "Whoever invited you withdrew this invitation: your account stays as it is"),
    "invitation_answered": B("คำเชิญนี้ได้รับคำตอบแล้ว จึงยกเลิกไม่ได้", "This invitation was already answered, so it "
                             "cannot be withdrawn"),
    "invitation_lapsed": B("คำเชิญนี้หมดอายุไปแล้ว (คำเชิญเปิดไว้ {days} วัน) และสิ้นสุดไปเองเมื่อเจ้าของเบอร์เข้าสู่ระบบ "
                           "จึงไม่ต้องยกเลิก ถ้ายังต้องการ เชิญใหม่ได้",
                           "This invitation had already expired (invitations stay open {days} days) and ended when "
                           "the phone's owner signed in, so there is nothing to withdraw; invite them again if you "
                           "still want them"),
    "invitation_unknown": B("ไม่พบคำเชิญนี้ที่วิทยาลัยนี้ อาจถูกยกเลิกหรือเชิญใหม่ไปแล้ว กรุณาโหลดรายการอีกครั้ง",
                            "No such invitation at this college: it may have been withdrawn or sent again; reload "
                            "the list"),
    "student_has_jobs": B("นักศึกษาคนนี้มีงานที่รับไว้ {count} งาน ให้ครูของวิทยาลัยเดิมมอบงานให้นักศึกษาคนอื่น "
                          "หรือให้นักศึกษาทำงานให้เสร็จก่อน",
                          "This student holds {count} {count|job|jobs}: the teacher of their college reassigns "
                          "{count|it|them}, or the student finishes {count|it|them} first"),
    "student_suspended": B("บัญชีของนักศึกษาคนนี้ถูกระงับโดยผู้ดูแลระบบ จึงเปิดให้รับงานไม่ได้ "
                           "(ผู้ดูแลระบบ Fixit เป็นผู้คืนบัญชี)",
                           "This student's account is suspended by the Fixit administrators, so they cannot be "
                           "switched on to take jobs (only the Fixit administrators can restore it)"),
})

INVITATION_UI: dict[str, Bilingual] = {
    "invitation_student": B("{college} เชิญคุณเป็นนักศึกษาช่าง", "{college} invites you to join as a student technician"),
    "invitation_supervisor": B("{college} เชิญคุณเป็นครูผู้ควบคุม", "{college} invites you to join as a supervisor"),
    "invitation_hint": B("ถ้าตอบรับ หน้าจอของคุณจะเปลี่ยนเป็นของนักศึกษาช่างหรือครู คำขอซ่อมของคุณยังอยู่",
                         "If you accept, your screens change to a student's or teacher's; your repair requests stay"),
    # It lapses at the hour it was sent, 14 days on: the hour is said, in Thai time.
    "invitation_answer_by": B("ตอบรับภายใน {date} เวลา {time} น.", "Answer by {time} on {date}"),
    "invitation_accept": B("ตอบรับ", "Accept"),
    "invitation_decline": B("ปฏิเสธ", "Decline"),
    "invitation_declined_done": B("ปฏิเสธคำเชิญแล้ว บัญชีของคุณไม่เปลี่ยนแปลง",
                                  "Invitation declined: your account stays as it is"),
    "student_awaiting_acceptance": B("ส่งคำเชิญถึง {phone} แล้ว รอเจ้าของบัญชีตอบรับในแอป",
                                     "{phone} is invited: waiting for them to accept in the app"),
    "supervisor_awaiting_acceptance": B("ส่งคำเชิญเป็นครูผู้ควบคุมถึง {phone} แล้ว รอเจ้าของบัญชีตอบรับในแอป",
                                        "{phone} is invited as a supervisor: waiting for them to accept in the app"),
    "invite_waiting_acceptance": B("รอตอบรับ", "Waiting for acceptance"),
    "invite_waiting_sign_in": B("รอเข้าสู่ระบบครั้งแรก", "Waiting for first sign-in"),
    "invite_declined": B("ปฏิเสธแล้ว", "Declined"),
    "invite_expires": B("หมดอายุ {date} เวลา {time} น.", "Expires at {time} on {date}"),
    "invite_expired": B("หมดอายุแล้วเมื่อ {date}", "Expired on {date}"),
    "invite_withdraw": B("ยกเลิกคำเชิญ", "Withdraw"),
    "invite_withdraw_for": B("ยกเลิกคำเชิญของ {who}", "Withdraw the invitation to {who}"),
    "invite_withdraw_title": B("ยกเลิกคำเชิญนี้?", "Withdraw this invitation?"),
    "invite_withdraw_body": B("{who} จะไม่เห็นคำเชิญนี้อีกและตอบรับไม่ได้ ถ้าต้องการ เชิญใหม่ได้ภายหลัง",
                              "{who} will no longer see this invitation or be able to accept it. You may invite "
                              "them again later."),
    "invite_withdraw_keep": B("ไม่ยกเลิก", "Keep it"),
    "invites_show": B("ดูผู้ที่ยังไม่ได้เข้าร่วม {name}", "Show who has not joined {name} yet"),
    "invites_hide": B("ซ่อนผู้ที่ยังไม่ได้เข้าร่วม {name}", "Hide who has not joined {name} yet"),
    "admin_invites_show": B("ดูคำเชิญเป็นผู้ดูแลระบบที่ยังไม่ได้เข้าร่วม", "Show invitations to be an administrator"),
    "admin_invites_hide": B("ซ่อนคำเชิญเป็นผู้ดูแลระบบ", "Hide invitations to be an administrator"),
    "invites_none": B("ไม่มีคำเชิญที่รอหรือหมดอายุ", "No invitations waiting or expired"),
    "invite_withdrawn_done": B("ยกเลิกคำเชิญของ {who} แล้ว", "Invitation to {who} withdrawn"),
    "invites_title": B("ยังไม่ได้เข้าร่วม", "Not joined yet"),
    "students_imported_awaiting": B("รอตอบรับคำเชิญในแอป {n} คน", "{n} invited to accept in the app"),
}
APP_UI.update(INVITATION_UI)
# An "invited" notification once the invitation is no longer open (shared/notifications.py InvitedClosed): its
# body says so in place of "accept or decline in the app".
APP_UI.update({
    "invited_closed_accepted": B("คุณตอบรับคำเชิญนี้แล้ว", "You accepted this invitation"),
    "invited_closed_declined": B("คุณปฏิเสธคำเชิญนี้แล้ว", "You declined this invitation"),
    "invited_closed_withdrawn": B("ผู้เชิญยกเลิกคำเชิญนี้แล้ว", "Whoever invited you withdrew this invitation"),
    "invited_closed_expired": B("คำเชิญนี้หมดอายุแล้ว ถ้ายังสนใจ ขอให้วิทยาลัยเชิญคุณใหม่",
                                "This invitation has expired: if you are still interested, ask the college to invite "
                                "you again"),
    "invited_closed_gone": B("คำเชิญนี้ไม่รอคำตอบแล้ว: ถูกแทนที่หรือยกเลิกไป",
                             "This invitation is no longer open: it was replaced or withdrawn"),
})

# A request's owner keeps the owner's rights whatever their role (a citizen made a student or a teacher), and is
# never the student or the checking teacher of their own request; parts are answered while the work is under way.
ERRORS.update({
    "own_request": B("นี่คือคำขอซ่อมของคุณเอง นักศึกษารับหรือทำงานซ่อมที่ตนเองขอไม่ได้",
                     "This is your own repair request: a student cannot take or work on a job they asked for"),
    "own_request_assign": B("นักศึกษาคนนี้เป็นผู้ขอซ่อมงานนี้เอง กรุณามอบงานให้นักศึกษาคนอื่น",
                            "This student asked for this repair: give the job to another student"),
    "own_request_team": B("นักศึกษาคนนี้เป็นผู้ขอซ่อมงานนี้เอง จึงร่วมทีมซ่อมงานนี้ไม่ได้ กรุณาเลือกนักศึกษาคนอื่น",
                          "This student asked for this repair: they cannot be on its team; choose another student"),
    "own_request_check": B("คุณเป็นผู้ขอซ่อมงานนี้เอง จึงตรวจหรืออนุมัติเองไม่ได้ ให้ครูท่านอื่นของวิทยาลัยตรวจ",
                           "You asked for this repair yourself: another teacher of the college must check and "
                           "approve it"),
    "parts_decision_closed": B("ตอบรายการอะไหล่ได้เฉพาะระหว่างที่นักศึกษากำลังซ่อม งานนี้ส่งครูตรวจหรือปิดแล้ว",
                               "Parts can be answered only while the students work on the job: this job has gone "
                               "to the teacher's check or is closed"),
    "parts_undecided": B("ยังมีอะไหล่ที่รอเจ้าของตอบ กรุณาให้เจ้าของตอบในแอปหรือบันทึกคำตอบทางโทรศัพท์ก่อนส่งครูตรวจ",
                         "A proposed part still waits for the owner's answer: get it in the app or record it by "
                         "phone before the teacher's check"),
})
# The college's decisions about a request (who works on it, its team, its hand back) are never its owner's.
ERRORS.update({
    "own_request_staff": B("คุณเป็นผู้ขอซ่อมงานนี้เอง จึงมอบงาน ดึงงานคืน เพิ่มทีมซ่อม หรือบันทึกการส่งคืนแทนวิทยาลัยไม่ได้ "
                           "ให้ครูท่านอื่นของวิทยาลัยดำเนินการ",
                           "You asked for this repair yourself: another teacher of the college assigns it, takes it "
                           "back, adds to its team and records its hand back"),
    "team_member_left": B("คุณไม่ได้เป็นนักศึกษาของวิทยาลัยที่รับงานนี้แล้ว จึงรายงานชั่วโมงงานนี้ไม่ได้",
                          "You are no longer a student of this job's college: you cannot report hours on it"),
})
# A helper's own hours (shared.credit.helper_hours_refusal): not once they left the team, nor on a job that takes no
# hours (not taken, taken back, cancelled).
ERRORS.update({
    "team_handed_on": B("คุณไม่ได้อยู่ในทีมของงานนี้แล้ว จึงแก้ชั่วโมงของงานนี้ไม่ได้ "
                        "ชั่วโมงที่คุณรายงานไว้ก่อนหน้ายังรอครูอนุมัติ",
                        "You are no longer on this job's team, so your hours on it cannot change: any hours you "
                        "reported before wait for the teacher's approval"),
    "team_hours_closed": B("งานนี้อยู่ในสถานะ \"{request_status}\" จึงรายงานชั่วโมงไม่ได้",
                           "This job is at \"{request_status}\": no hours can be reported on it"),
    # The app's side of the rule: a status it cannot read (missing, or newer than the app) offers no form.
    "team_hours_status_unknown": B("แอปนี้อ่านสถานะของงานนี้ไม่ได้ จึงยังรายงานชั่วโมงที่นี่ไม่ได้ "
                                   "ลองอัปเดตแอปแล้วเปิดหน้านี้อีกครั้ง",
                                   "This app cannot read this job's status, so hours cannot be reported here yet: "
                                   "update the app and open this page again"),
})
APP_UI.update({
    "part_status_withdrawn": B("ยกเลิก (งานซ่อมไม่ได้)", "withdrawn (the job could not be repaired)"),
    "part_status_withdrawn_by_hand": B("ถอนรายการแล้ว (เสนอผิด)", "withdrawn (proposed by mistake)"),
    "my_repairs_entry_count": B("คำขอซ่อมของฉัน ({count})", "My repair requests ({count})"),
    "my_repairs_entry": B("คำขอซ่อมของฉัน", "My repair requests"),
    "ask_for_repair": B("แจ้งซ่อม", "Ask for a repair"),
    "own_request_check_note": B("คุณเป็นผู้ขอซ่อมงานนี้ ครูท่านอื่นของวิทยาลัยจะดูแลและตรวจงานนี้",
                                "You asked for this repair: another teacher of the college handles and checks it"),
})
# The API fuzz (schemathesis): a method a path does not take answered "invalid input" without saying which it takes.
ERRORS.update({
    "method_not_allowed": B("ที่อยู่นี้ไม่รับคำขอแบบ {method} (รับ: {allowed})",
                            "This address does not take {method} (it takes: {allowed})"),
})
# A timeline row of a high-risk work step: the teacher of the college named present (status_events.teacher_present_id,
# their first name as the detail gives it to whoever may read the request: client21).
APP_UI.update({
    "timeline_teacher_present": B("ครูควบคุม: {name}", "Teacher present: {name}"),
})

# The admin's send-on picker and lists of colleges on a phone (ux21 findings 2 and 3; shared/college_lists.py): the
# nearest few first, a search, and a question naming the item, the college and the distance before a request is sent.
APP_UI.update({
    "college_search": B("ค้นหาชื่อวิทยาลัย รหัส หรือจังหวัด", "Search a college's name, code or province"),
    "college_no_match": B("ไม่พบวิทยาลัยที่ตรงกับ “{query}”", "No college matches “{query}”"),
    "colleges_shown": B("แสดง {shown} จาก {total} แห่ง", "Showing {shown} of {total}"),
    "pick_college_nearest": B("ใกล้ที่สุด {shown} แห่ง จากทั้งหมด {total} แห่ง", "The {shown} nearest of {total}"),
    "pick_college_more": B("แสดงทุกวิทยาลัย ({count} แห่ง)", "Show every college ({count})"),
    # The picker's refresh: which colleges can take the job, read again (their students and teachers change).
    "pick_college_refresh": B("อ่านรายชื่อวิทยาลัยใหม่", "Read the colleges again"),
    "dispatch_confirm": B("ส่ง {item} ให้ {college} ({km} กม.) ใช่ไหม?", "Send {item} to {college} ({km} km)?"),
    "dispatch_confirm_no_km": B("ส่ง {item} ให้ {college} ใช่ไหม?", "Send {item} to {college}?"),
    "dispatch_confirm_yes": B("ยืนยัน ส่งงาน", "Yes, send it"),
    "dispatch_confirm_no": B("ไม่ใช่ เลือกใหม่", "No, choose again"),
    "colleges_attention_title": B("ตำแหน่งเป็นค่าประมาณ ควรตรวจสอบ: {count} แห่ง",
                                  "Approximate location, worth a check: {count}"),
    "colleges_attention_more": B("และอีก {count} แห่ง", "and {count} more"),
    "colleges_attention_none": B("ทุกวิทยาลัยมีตำแหน่งที่ตั้งแน่นอน", "Every college has an exact location"),
    "colleges_see_all": B("ดูและค้นหาวิทยาลัยทั้งหมด", "See and search every college"),
})

# A student's home (ux21): the jobs in their hands above the offers, and below the offers the jobs that are over (the
# item back with its owner, cancelled, taken back), so a term's worth of finished work does not push the offers down.
APP_UI.update({
    "technician_jobs_finished": B("งานที่จบแล้ว", "Finished jobs"),
    "technician_no_jobs_in_hand": B("ไม่มีงานค้างอยู่ในมือตอนนี้", "No jobs in your hands now"),
})

# audit22 #3: a citizen's suspension is theirs and the administrators' to know (reinstate21's notes `owner_suspended`
# and `owner_restored` say why the request waited and why it goes on). Anyone else who reads the request (a student
# it is offered to again, who may read its timeline before deciding; the college's teachers) reads that it was on
# hold and goes on again, not why: 0061's rule, an offer says nothing of whose it is (backend/services/
# request_detail.py). The codes those readers get in their place:
EVENT_NOTES.update({
    "on_hold": B("พักคำขอไว้ชั่วคราว ยังไม่ส่งให้นักศึกษาช่าง", "On hold for now: offered to no student technician"),
    "on_hold_ended": B("ส่งงานให้นักศึกษาช่างอีกครั้ง", "Offered to student technicians again"),
})
OWNERS_NOTES_FOR_OTHERS: dict[str, str] = {"owner_suspended": "on_hold", "owner_restored": "on_hold_ended"}

# resil25 3: a write that did not get through for the network or the server (an ApiError `is_retryable`): what the
# person entered is still on the screen, and they are told so, not left to guess whether to type it all again.
APP_UI.update({
    "entries_kept": B("ยังไม่ได้บันทึก สิ่งที่เลือกและพิมพ์ไว้ยังอยู่ในหน้านี้ กดส่งอีกครั้งได้",
                      "Not saved yet: what you chose and typed is still here, so you can send it again"),
    "after_photos_unsent": B("รูปหลังซ่อม {count} รูปยังไม่ได้ส่ง แต่ยังเก็บไว้ในหน้านี้ กด \"ส่งรูปอีกครั้ง\"",
                             "{count} after {count|photo was|photos were} not sent but {count|is|are} kept here: tap "
                             "\"Send the photos again\""),
    "after_photos_send_again": B("ส่งรูปอีกครั้ง", "Send the photos again"),
})
# flow25 #4: an admin's take back of a job from the check (shared.statuses: quality_check -> offered), said on the
# step's panel before it is confirmed, as the take back of a job under way is.
UI.update({
    "take_back_from_check_hint": B(
        "นักศึกษาคนเดิมจะไม่ได้ทำงานนี้ต่อ ระบบจะเสนองานอีกครั้งที่วิทยาลัยนี้ถ้ามีผู้รับได้ ไม่เช่นนั้นจะส่งต่อให้วิทยาลัย"
        "ที่ใกล้ที่สุดที่รับได้ (งานความเสี่ยงสูงต้องมีครูควบคุมขณะซ่อม) และแจ้งเจ้าของ งานที่ทำไว้และรูปยังอยู่กับงาน "
        "ถ้าของอยู่ที่วิทยาลัย ให้เก็บไว้ให้ผู้ที่รับงานต่อ",
        "The student comes off the job: it is offered again at this college if someone there can take it, else at "
        "the nearest college that can (a high-risk job needs a teacher present at its rework), and its owner is "
        "told. The work so far and its photos stay with it. If the item is at the college, keep it for whoever "
        "takes the job on"),
})
# attack26 #3: photo uploads counted per person before they are decoded (shared.photos
# PHOTO_UPLOADS_PER_PERSON_PER_HOUR).
ERRORS.update({
    "photo_uploads_rate_limited": B("ส่งรูปบ่อยเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
                                    "Too many photos sent: try again in {seconds} seconds"),
})
WAIT_ERRORS.update({
    "photo_uploads_rate_limited": B("ส่งรูปบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}", "Too many photos sent: try again in {wait}"),
})
# attack26 #5: a Web Push subscription's keys are checked when it is registered.
ERRORS.update({
    "push_keys_invalid": B("กุญแจการแจ้งเตือนของเบราว์เซอร์นี้ไม่ถูกต้อง กรุณาเปิดการแจ้งเตือนใหม่อีกครั้ง",
                           "This browser's push keys are not valid: turn notifications on again"),
})

# ux26: an admin's send-back for rework of a high-risk check (the admins decide it: its college's teachers left, or
# the only one asked for the repair or worked on it) names a teacher of the job's college present at the rework
# (shared.credit.teacher_named_present); where the college has none the screen says why the send-back is not
# offered and what the admin can do instead (the moves shared.statuses gives them at the check).
UI.update({
    "rework_admin_teacher_hint": B(
        "งานความเสี่ยงสูง: เลือกครูของวิทยาลัยที่จะอยู่ควบคุมนักศึกษาขณะแก้ไข ระบบบันทึกชื่อครูไว้กับขั้นตอนนี้",
        "High-risk work: choose the college's teacher who will be present while the student reworks it; the "
        "teacher is recorded with this step"),
    "rework_teacher_label": B("ครูที่อยู่ควบคุมการแก้ไข", "Teacher present at the rework"),
    "rework_teacher_required": B("กรุณาเลือกครูที่จะอยู่ควบคุมการแก้ไข",
                                 "Choose the teacher who will be present at the rework"),
    "rework_no_teacher_admin": B(
        "ส่งกลับแก้ไขไม่ได้: วิทยาลัยของงานนี้ไม่มีครูที่ใช้งานอยู่ และงานความเสี่ยงสูงต้องมีครูควบคุมขณะซ่อม "
        f"สิ่งที่ทำได้: \"{APP_UI['step_done'].th}\" ถ้าตรวจแล้วงานเรียบร้อย หรือ \"{APP_UI['step_offered'].th}\" "
        "ให้วิทยาลัยที่มีครูรับงานต่อ",
        "It cannot be sent back for rework: this job's college has no active teacher, and high-risk work needs a "
        f"teacher present while it is repaired. What you can do: \"{APP_UI['step_done'].en}\" if the check passes, or "
        f"\"{APP_UI['step_offered'].en}\" so that a college with a teacher takes it on"),
})
# ux26: a deciders' "waiting for your check" message once its job has left the check (shared/notifications.py
# QcClosed, migration 0114): its body says how, in place of asking.
APP_UI.update({
    "qc_closed_done": B("{item} โดย {technician}: ตรวจแล้ว อนุมัติงานแล้ว ไม่ต้องทำอะไรต่อ",
                        "{item} by {technician}: checked and approved, nothing left to do"),
    "qc_closed_rework": B("{item} โดย {technician}: ตรวจแล้ว ส่งกลับแก้ไขแล้ว ไม่ต้องทำอะไรต่อ",
                          "{item} by {technician}: checked and sent back for rework, nothing left to do"),
    "qc_closed_taken_back": B("{item} โดย {technician}: นำกลับไปเสนองานใหม่แล้ว ไม่ต้องตรวจ",
                              "{item} by {technician}: offered again, no check needed"),
    "qc_closed_left": B("{item} โดย {technician}: งานไม่ได้รอตรวจแล้ว",
                        "{item} by {technician}: no longer waiting for a check"),
})
# close27 #1: a deciders' "to hand back" or "student suspended" message once its job has moved on (shared/
# notifications.py DECISION_CLOSED_KINDS, migration 0120): its body says so, in place of asking.
APP_UI.update({
    "decision_closed": B("{item}: งานดำเนินต่อแล้ว ไม่ต้องทำอะไรต่อ", "{item}: the job has moved on, nothing left to do"),
})

# audit28 #1: Supabase Auth may have sent the code although its answer was lost or came late (GoTrue slow, its SMS
# hook timed out: backend/auth/supabase_otp.py `MaybeSent`). The phone's allowances count it; the person is told a
# code may still come and the app opens the code step for it, a new code only after GoTrue's own spacing (a new one
# would void the code on its way).
ERRORS.update({
    "otp_maybe_sent": B(
        "ระบบส่ง SMS ตอบช้า รหัสยืนยันอาจส่งไปแล้ว หากได้รับ SMS ให้พิมพ์รหัสที่นี่ หากไม่ได้รับ กรุณาขอรหัสใหม่ภายหลัง",
        "Sign-in by SMS is answering slowly: a code may still reach you. If an SMS comes, type its code here; "
        "if none comes, ask for a new one later",
    ),
})
WAIT_ERRORS.update({
    "otp_maybe_sent": B(
        "ระบบส่ง SMS ตอบช้า รหัสยืนยันอาจส่งไปแล้ว หากได้รับ SMS ให้พิมพ์รหัสที่นี่ หากไม่ได้รับ ขอรหัสใหม่ได้ในอีก {wait}",
        "Sign-in by SMS is answering slowly: a code may still reach you. If an SMS comes, type its code here; "
        "if none comes, ask for a new one in {wait}",
    ),
})
