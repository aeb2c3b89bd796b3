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
    # --- admin: requests waiting for a centre ---
    "waiting_title": B("รอศูนย์รับงาน", "Waiting for a centre"),
    "waiting_empty": B("ไม่มีคำขอที่รอศูนย์รับงาน", "No requests waiting for a centre"),
    "dispatch_to_college": B("ส่งให้วิทยาลัย", "Send to a college"),
    "retry_dispatch": B("ลองจับคู่ใหม่", "Try matching again"),
    "pick_college_title": B("เลือกวิทยาลัยสำหรับ {item}", "Choose a college for {item}"),
    "pick_college_hint": B("เรียงจากใกล้ที่สุด", "Nearest first"),
    "college_distance": B("{name} · {km} กม.", "{name} · {km} km"),
    "area_unknown": B("ไม่ระบุพื้นที่", "Area not given"),
    "dispatched": B("ส่งงาน {item} ให้ {college} แล้ว", "Sent {item} to {college}"),
    "redispatched": B("จับคู่ {item} ใหม่แล้ว", "Matched {item} again"),
    # --- the display name prompt ---
    "name_prompt_title": B("ตั้งชื่อที่แสดง", "Set your display name"),
    "name_prompt_hint": B(
        "ชื่อนี้จะแสดงให้ช่างและครูเห็น", "Technicians and supervisors will see this name"
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
    "form_has_errors": B("กรุณาแก้ไขช่องที่มีข้อความสีแดง", "Please fix the fields marked in red"),
    "request_sent": B("ส่งคำขอซ่อมแล้ว", "Repair request sent"),
    # --- duplicates hint on the form ---
    "duplicates_title": B(
        "มีคำขอซ่อมประเภทเดียวกันใกล้คุณ {count} รายการในสัปดาห์นี้ อาจเป็นปัญหาเดียวกัน ส่งคำขอของคุณได้ตามปกติ",
        "{count} open request(s) of the same kind near you this week: maybe the same problem. "
        "You can still send yours.",
    ),
    "distance_m": B("ห่าง {m} ม.", "{m} m away"),
    # --- the outbox ---
    "saved_offline": B(
        "บันทึกไว้แล้ว จะส่งให้อัตโนมัติเมื่อเชื่อมต่อได้", "Saved: it will be sent automatically once online"
    ),
    "outbox_waiting": B("รอส่ง", "Waiting to send"),
    "outbox_failed": B("ส่งไม่สำเร็จ", "Not sent"),
    "outbox_photos": B("รูปภาพ {count} รูป", "{count} photo(s)"),
    "outbox_edit": B("แก้ไขแล้วส่งใหม่", "Edit and resend"),
    "outbox_discard": B("ทิ้งคำขอนี้", "Discard this request"),
    "outbox_sent": B("ส่งคำขอที่รอไว้แล้ว", "The waiting request was sent"),
    # --- request detail ---
    "open_request": B("ดูรายละเอียด {item}", "Open {item}"),
    "request_detail_title": B("รายละเอียดคำขอซ่อม", "Repair request"),
    "brand": B("ยี่ห้อ/รุ่น: {brand}", "Brand/model: {brand}"),
    "sent_to_college": B("ส่งไปที่ {college}", "Sent to {college}"),
    "no_centre_text": B(
        "ยังไม่มีศูนย์ซ่อมในระยะให้บริการ ผู้ดูแลระบบจะช่วยหาศูนย์ให้",
        "No repair centre in range yet: an administrator will look for one",
    ),
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
    "star_label": B("{n} ดาว", "{n} star(s)"),
    "comment_label": B("ความคิดเห็น (ไม่บังคับ)", "Comment (optional)"),
    "send_rating": B("ส่งคะแนน", "Send rating"),
    "comment_too_long": B("ความคิดเห็นยาวได้ไม่เกิน 1000 ตัวอักษร", "The comment can have up to 1000 characters"),
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
    "time_left_hours": B("เหลือเวลา {hours} ชม. {minutes} นาที", "{hours} h {minutes} min left"),
    "time_left_minutes": B("เหลือเวลา {minutes} นาที", "{minutes} min left"),
    "time_left_none": B("หมดเวลาตอบรับ", "Time is up"),
    "job_title": B("งานซ่อม", "Repair job"),
    "review_title": B("ตรวจงานซ่อม", "Review the repair"),
    "contact_title": B("ติดต่อลูกค้า", "Customer contact"),
    "contact_phone": B("โทร {phone}", "Phone {phone}"),
    "call_customer": B("โทรหาลูกค้า", "Call the customer"),
    "open_route": B("เปิดเส้นทาง", "Open directions"),
    "address": B("ที่อยู่: {address}", "Address: {address}"),
    "description": B("อาการเสีย: {description}", "Problem: {description}"),
    "service_place": B("สถานที่ซ่อม: {place}", "Where: {place}"),
    "steps_title": B("ขั้นตอนต่อไป", "Next step"),
    "step_diagnosing": B("เริ่มตรวจเช็ก", "Start diagnosing"),
    "step_repairing": B("เริ่มซ่อม", "Start repairing"),
    "step_quality_check": B("ส่งให้ครูตรวจ", "Send for the supervisor's check"),
    "step_unrepairable": B("ซ่อมไม่ได้", "Cannot be repaired"),
    "step_done": B("อนุมัติ", "Approve"),
    "step_rework": B("ส่งกลับแก้ไข", "Send back for rework"),
    "step_handed_back": B("ส่งคืนเจ้าของ", "Hand back to the owner"),
    "step_offered": B("นำกลับไปเสนองานใหม่", "Offer the job again"),
    "step_confirm": B("ยืนยัน", "Confirm"),
    "step_note_label": B("หมายเหตุ (ไม่บังคับ)", "Note (optional)"),
    "rework_note_label": B("สิ่งที่ต้องแก้ไข", "What to fix"),
    "rework_note_required": B("กรุณาบอกนักศึกษาว่าต้องแก้ไขอะไร", "Tell the student what to fix"),
    "reason_label": B("เหตุผลที่ซ่อมไม่ได้", "Why it cannot be repaired"),
    "step_saved": B("บันทึกสถานะแล้ว", "Status updated"),
    "after_photos_label": B("รูปหลังซ่อม (ไม่เกิน {max} รูป)", "After photos (up to {max})"),
    "add_after_photo": B("เพิ่มรูปหลังซ่อม", "Add after photos"),
    "uploading_after": B("กำลังส่งรูป…", "Uploading photos…"),
    "report_title": B("รายงานการซ่อม", "Work report"),
    "report_hours": B("จำนวนชั่วโมงที่ทำงาน", "Hours worked"),
    "report_notes": B("บันทึกการทำงาน", "Work notes"),
    "report_parts": B("อะไหล่ที่ใช้", "Parts used"),
    "part_name": B("ชื่ออะไหล่ {n}", "Part {n} name"),
    "part_qty": B("จำนวน", "Qty"),
    "part_cost": B("ราคา/ชิ้น (บาท)", "Unit cost (baht)"),
    "add_part": B("เพิ่มอะไหล่", "Add a part"),
    "remove_part": B("ลบอะไหล่ {n}", "Remove part {n}"),
    "parts_total": B("รวมค่าอะไหล่ {total} บาท", "Parts total {total} baht"),
    "save_report": B("บันทึกรายงาน", "Save report"),
    "report_saved": B("บันทึกรายงานแล้ว", "Report saved"),
    "report_none": B("นักศึกษายังไม่ได้ส่งรายงาน", "No report from the student yet"),
    "report_hours_value": B("ทำงาน {hours} ชั่วโมง", "{hours} hours worked"),
    "report_part_line": B("{name} × {qty} = {cost} บาท", "{name} × {qty} = {cost} baht"),
    "report_hours_invalid": B("ชั่วโมงต้องเป็นตัวเลข 0–200", "Hours must be a number from 0 to 200"),
    "report_notes_too_long": B("บันทึกยาวได้ไม่เกิน 2000 ตัวอักษร", "Notes can have up to 2000 characters"),
    "report_part_invalid": B(
        "อะไหล่แต่ละรายการต้องมีชื่อ จำนวนอย่างน้อย 1 และราคาไม่ติดลบ",
        "Each part needs a name, a quantity of at least 1 and a cost of 0 or more",
    ),
    "report_too_many_parts": B("อะไหล่ได้ไม่เกิน 30 รายการ", "Up to 30 parts"),
    # --- supervisor ---
    "dashboard_title": B("ภาพรวมวิทยาลัย", "College overview"),
    "weekly_chart_title": B("งานซ่อมรายสัปดาห์ตามประเภท", "Jobs per week by category"),
    "weekly_chart_empty": B("ยังไม่มีงานใน 8 สัปดาห์ที่ผ่านมา", "No jobs in the last 8 weeks"),
    "week_of": B("สัปดาห์ {date}", "Week of {date}"),
    "bar_label": B("{category} {n} งาน", "{category}: {n} jobs"),
    "quality_check_title": B("งานรอครูตรวจ", "Waiting for your check"),
    "quality_check_empty": B("ไม่มีงานรอตรวจ", "Nothing to check"),
    "nav_technicians": B("นักศึกษา", "Students"),
    "nav_ledger": B("สมุดบันทึกชั่วโมงฝึก", "Training hours ledger"),
    "assign_title": B("มอบหมายช่าง", "Assign a technician"),
    "assign_pick": B("เลือกนักศึกษา", "Choose a student"),
    "assign_none": B("ไม่มีนักศึกษาที่พร้อมรับงาน", "No active students"),
    "assigned": B("มอบหมายงานแล้ว", "Assigned"),
    "open_jobs": B("งานค้าง {n}", "{n} open job(s)"),
    "technicians_title": B("นักศึกษาช่าง", "Student technicians"),
    "technicians_empty": B("ยังไม่มีนักศึกษาในวิทยาลัย", "No students at this college yet"),
    "active_label": B("พร้อมรับงาน", "Active"),
    "skill_level_label": B("{skill} (ระดับ 1–5)", "{skill} (level 1–5)"),
    "skill_none": B("ไม่มี", "None"),
    "save_student": B("บันทึก", "Save"),
    "student_saved": B("บันทึกข้อมูล {name} แล้ว", "Saved {name}"),
    "ledger_title": B("สมุดบันทึกชั่วโมงฝึก", "Training hours ledger"),
    "ledger_empty": B("ยังไม่มีงานที่อนุมัติ", "No approved jobs yet"),
    "ledger_student": B("นักศึกษา", "Student"),
    "ledger_jobs": B("งานที่ผ่าน", "Approved"),
    "ledger_hours": B("ชั่วโมง", "Hours"),
    "ledger_categories": B("ประเภทงาน", "Categories"),
    "download_jobs_csv": B("ดาวน์โหลด CSV งานซ่อม", "Download jobs CSV"),
    "download_ledger_csv": B("ดาวน์โหลด CSV ชั่วโมงฝึก", "Download ledger CSV"),
    "csv_saved": B("บันทึกไฟล์ {name} แล้ว", "Saved {name}"),
    "csv_copy_label": B("ข้อมูล CSV (คัดลอกได้)", "CSV data (copy it)"),
}

ACTOR_LABELS: dict[str, Bilingual] = {
    "citizen": B("ผู้แจ้ง", "Requester"),
    "technician": B("ช่าง", "Technician"),
    "supervisor": B("ครูผู้ควบคุม", "Supervisor"),
    "admin": B("ผู้ดูแลระบบ", "Administrator"),
    "system": B("ระบบ", "System"),
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


# The button for a move to a status, per who makes it (a supervisor's quality_check -> repairing is "rework").
STEP_LABEL_KEYS: dict[str, str] = {
    "diagnosing": "step_diagnosing",
    "repairing": "step_repairing",
    "quality_check": "step_quality_check",
    "unrepairable": "step_unrepairable",
    "done": "step_done",
    "handed_back": "step_handed_back",
    "offered": "step_offered",
}


def t(key: str, locale: Locale, **values: object) -> str:
    """Like shared.text.ui, also knowing the app's extra keys."""
    text = UI.get(key) or EXTRA_UI[key]
    return (text.format(**values) if values else text).in_(locale)


def offer_status_label(status: OfferStatus, locale: Locale) -> str:
    return OFFER_STATUS_LABELS[status].in_(locale)
