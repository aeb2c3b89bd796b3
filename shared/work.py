"""What a student records about a job."""

from typing import Any

# Why a job could not be done: a fixed list, so the college's reports can count them.
UNREPAIRABLE_REASONS: dict[str, tuple[str, str]] = {
    "no_parts": ("ไม่มีอะไหล่", "No spare parts"),
    "cost_above_value": ("ค่าซ่อมสูงกว่ามูลค่าของ", "Repair costs more than the item is worth"),
    "no_specialist": ("ต้องใช้ช่างเฉพาะทาง", "Needs a specialist"),
    "owner_cancelled": ("เจ้าของยกเลิก", "The owner cancelled"),
}

MAX_HOURS = 200.0
MAX_PARTS = 30
NOTES_MAX = 2000
PART_NAME_MAX = 120
# A note with a work step or a check ("send back for rework: …"), and a citizen's note when cancelling/reopening.
STEP_NOTE_MAX = 1000


def check_report(hours: float, notes: str, parts: list[dict[str, Any]]) -> str | None:
    """The error code for a bad work report, or None."""
    if not 0 <= hours <= MAX_HOURS:
        return "report_hours_invalid"
    if len(notes) > NOTES_MAX or len(parts) > MAX_PARTS:
        return "report_too_long"
    for part in parts:
        name, qty, cost = part.get("name"), part.get("qty"), part.get("cost_baht")
        if not isinstance(name, str) or not name.strip() or len(name) > PART_NAME_MAX:
            return "report_part_invalid"
        if not isinstance(qty, int) or qty < 1 or not isinstance(cost, int | float) or cost < 0:
            return "report_part_invalid"
    return None


def parts_total(parts: list[dict[str, Any]]) -> float:
    return round(sum(float(p["qty"]) * float(p["cost_baht"]) for p in parts), 2)
