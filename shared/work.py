"""What a student records about a job."""

# Why a job could not be done: a fixed list, so the college's reports can count them.
UNREPAIRABLE_REASONS: dict[str, tuple[str, str]] = {
    "no_parts": ("ไม่มีอะไหล่", "No spare parts"),
    "cost_above_value": ("ค่าซ่อมสูงกว่ามูลค่าของ", "Repair costs more than the item is worth"),
    "no_specialist": ("ต้องใช้ช่างเฉพาะทาง", "Needs a specialist"),
    "owner_cancelled": ("เจ้าของยกเลิก", "The owner cancelled"),
}
