"""The supervisor's tools beyond the dashboard: the college's students, and the training-hours ledger."""

import asyncio
from dataclasses import dataclass, field
from typing import Any, Unpack
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import Category, LedgerRow, TechnicianItem
from mobile.viewmodels.busy import answered
from mobile.viewmodels.credit import StudentLevelsScreen
from mobile.viewmodels.invites import WithdrawsInvites
from mobile.viewmodels.loadable import Busy, ScreenWiring, SubScreen, fetched_and_saved
from mobile.viewmodels.loadable import SaveFile as SaveFile
from mobile.viewmodels.session import Session
from shared.phone import InvalidPhone, national_format, normalize_thai_phone
from shared.text import Bilingual, Locale, bilingual, error_text
from shared.wire import PendingInvite

SKILL_LEVELS = (1, 2, 3, 4, 5)
CSV_FILES = {"jobs": "fixit-jobs.csv", "ledger": "fixit-ledger.csv"}


@dataclass(frozen=True)
class SkillName:
    code: str
    name_th: str
    name_en: str

    def name(self, locale: Locale) -> str:
        return self.name_th if locale == Locale.TH else self.name_en


def skill_names(categories: list[Category]) -> list[SkillName]:
    """Every skill named in the catalogue, once, in catalogue order."""
    seen: dict[str, SkillName] = {}
    for category in categories:
        for skill in category.skills:
            seen.setdefault(skill.skill, SkillName(skill.skill, skill.name_th, skill.name_en))
    return list(seen.values())


@dataclass
class TechnicianEdit:
    """One student's row as edited on the screen; saved with its own button."""

    item: TechnicianItem
    is_active: bool
    skills: dict[str, int] = field(default_factory=dict)
    saving: bool = False
    error: Bilingual | None = None

    @property
    def dirty(self) -> bool:
        return self.is_active != self.item.is_active or self.skills != self.item.skills

    @property
    def suspended(self) -> bool:
        """The operator suspended the account: off whatever the switch says, and the switch cannot turn it on (the
        backend refuses, 409 student_suspended); the screen says why."""
        return self.item.suspended

    def payload(self) -> dict[str, Any]:
        """The PUT body: both fields, the skills replacing the student's (level 0 = skill removed)."""
        return {"is_active": self.is_active, "skills": {k: v for k, v in sorted(self.skills.items()) if v}}


class TechniciansViewModel(StudentLevelsScreen, WithdrawsInvites):
    def __init__(self, api: ApiClient, session: Session, **wiring: Unpack[ScreenWiring]) -> None:
        super().__init__(api, session, **wiring)
        self.rows: list[TechnicianEdit] = []
        self.skills: list[SkillName] = []
        # The student whose skills the dialog edits.
        self.editing: UUID | None = None
        # Adding one student by phone, and importing many from a CSV file.
        self.phone_input = ""
        self.name_input = ""
        self.adding = False
        self._add_error: Bilingual | None = None
        self.importing = False
        self._import_error: Bilingual | None = None
        self._import_lines: list[tuple[int, Bilingual]] = []
        # The CSV hint's list of skill codes, each with its name: shown on a tap (13 lines would push the roster
        # down a phone's screen).
        self.codes_shown = False
        # Phones registered here that are not students yet: waiting to sign in, to accept, expired, or declined.
        self._init_invites()

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def add_error(self) -> str | None:
        return self._in_locale(self._add_error)

    @property
    def import_error(self) -> str | None:
        return self._in_locale(self._import_error)

    def skill_code_lines(self) -> list[str]:
        """What a CSV's skills column may name: each skill's code (what the import reads) beside its name in the
        screen's language, in catalogue order; the names are the catalogue's, never typed here."""
        # The catalogue's skills only: one kept under its code for a student (no longer in it) cannot be imported.
        return [bilingual("import_students_code_line", code=s.code, name=s.name(self.locale)).in_(self.locale)
                for s in skill_names(list(self.categories.values()))]

    def toggle_codes(self, _: object = None) -> None:  # a button's handler: Flet passes the event first
        self.codes_shown = not self.codes_shown
        self._changed()

    @property
    def import_lines(self) -> list[str]:
        """Each refused line of the CSV and why ("บรรทัด 3: …")."""
        return [bilingual("import_line", line=n, problem=text.in_(self.locale)).in_(self.locale)
                for n, text in self._import_lines]

    def skills_text(self, row: TechnicianEdit) -> str:
        """The student's skills and levels in words, in catalogue order ("ไฟฟ้า 3 · อิเล็กทรอนิกส์ 2")."""
        parts = [f"{s.name(self.locale)} {row.skills[s.code]}" for s in self.skills if row.skills.get(s.code)]
        return " · ".join(parts) if parts else bilingual("skills_none").in_(self.locale)

    @property
    def editing_row(self) -> TechnicianEdit | None:
        return None if self.editing is None else self._row(self.editing)

    # --- skills in a dialog, active at once -----------------------------------------------------------

    def open_skills(self, technician_id: UUID) -> None:
        if self._row(technician_id) is not None:
            self.editing = technician_id
            self._notice = None
            self._changed()

    def close_skills(self) -> None:
        """Cancel: the dialog's unsaved levels are dropped."""
        row = self.editing_row
        if row is not None and not row.saving:
            row.skills = dict(row.item.skills)
            row.error = None
        self.editing = None
        self._changed()

    async def save_skills(self) -> None:
        row = self.editing_row
        if row is None:
            return
        await self.save(row.item.id)
        if row.error is None:
            self.editing = None
            self._changed()

    async def toggle_active(self, technician_id: UUID, value: bool) -> None:
        """The switch saves at once: one control, one change. Refused (a student still holding jobs), it shows
        what the backend holds again, with the reason under it. A suspended student's switch is disabled: no
        switch-on is even sent for them."""
        row = self._row(technician_id)
        if row is None or (value and row.suspended):
            return
        self.set_active(technician_id, value)
        await self.save(technician_id)
        row = self._row(technician_id)
        if row is not None and row.error is not None:
            row.is_active = row.item.is_active
            self._changed()

    # --- adding students ---------------------------------------------------------------------------

    def set_phone_input(self, value: str) -> None:
        self.phone_input = value
        self._add_error = None

    def set_name_input(self, value: str) -> None:
        self.name_input = value

    def _college_id(self) -> UUID | None:
        profile = self._session.profile
        return None if profile is None or profile.college is None else profile.college.id

    async def add_student(self, phone: str | None = None) -> None:
        """Register a phone number as a student of this college (they become one at their first sign-in)."""
        if phone is not None:
            self.phone_input = phone
        college_id = self._college_id()
        if self.adding or college_id is None:
            return
        try:
            normalized = normalize_thai_phone(self.phone_input)
        except InvalidPhone:
            self._add_error = error_text("invalid_phone")
            self._changed()
            return
        self._add_error, self._notice = None, None
        done = await self._send(self._api.add_student(college_id, normalized, self.name_input.strip()),
                                self._add_refused, self._mark_adding)
        if done is None:
            return
        self.phone_input = self.name_input = ""
        if done.awaiting_acceptance:
            key = "student_awaiting_acceptance"  # a citizen's own account: it changes only when they accept
        else:
            key = "student_added_now" if done.existing_account else "student_invited"
        self._notice = bilingual(key, phone=national_format(normalized))
        await self.load()

    async def import_csv(self, files: list[tuple[str, bytes]]) -> None:
        """All the file's students or none: a refused file lists each bad line and why."""
        college_id = self._college_id()
        if not files or self.importing or college_id is None:
            return
        name, data = files[0]
        self._import_error, self._import_lines, self._notice = None, [], None
        report = await self._send(self._api.import_students(college_id, data, name), self._import_refused,
                                  self._mark_importing)
        if report is None:
            return
        self._notice = bilingual("students_imported", n=report.imported, now=report.changed_now,
                                                          later=report.invited)
        if report.awaiting_acceptance:
            awaiting = bilingual("students_imported_awaiting", n=report.awaiting_acceptance)
            self._notice = Bilingual(f"{self._notice.th} {awaiting.th}", f"{self._notice.en}; {awaiting.en}")
        await self.load()

    def _mark_adding(self, on: bool) -> None:
        self.adding = on

    def _add_refused(self, error: ApiError) -> None:
        self._add_error = error.text

    def _mark_importing(self, on: bool) -> None:
        self.importing = on

    def _import_refused(self, error: ApiError) -> None:
        self._import_error, self._import_lines = error.text, list(error.lines)

    async def _fetch(self) -> None:
        college_id = self._college_id()
        invites = self._api.college_invites(college_id) if college_id is not None else _no_invites()
        items, categories, self.invites = await asyncio.gather(
            self._api.supervisor_technicians(), self._api.categories(), invites)
        self.skills = skill_names(categories)
        self.categories = {c.code: c for c in categories}  # names the skills of a level history
        known = {s.code for s in self.skills}
        # A skill the catalogue no longer names still shows, under its code, so saving does not drop it.
        for item in items:
            for code in item.skills:
                if code not in known:
                    self.skills.append(SkillName(code, code, code))
                    known.add(code)
        self.rows = [TechnicianEdit(item, item.is_active, dict(item.skills)) for item in items]

    def _row(self, technician_id: UUID) -> TechnicianEdit | None:
        return next((r for r in self.rows if r.item.id == technician_id), None)

    def set_active(self, technician_id: UUID, value: bool) -> None:
        row = self._row(technician_id)
        if row is not None:
            row.is_active = value
            self._notice = None
            self._changed()

    def set_skill(self, technician_id: UUID, skill: str, level: int) -> None:
        """Level 1–5, or 0 for "does not have this skill"."""
        row = self._row(technician_id)
        if row is None or (level != 0 and level not in SKILL_LEVELS):
            return
        if level == 0:
            row.skills.pop(skill, None)
        else:
            row.skills[skill] = level
        self._notice = None
        self._changed()

    async def save(self, technician_id: UUID) -> None:
        row = self._row(technician_id)
        if row is None or row.saving:
            return
        row.saving, row.error = True, None
        self._changed()

        def saved_or_not() -> None:
            row.saving = False

        try:
            saved = await answered(self._api.update_technician(technician_id, row.payload()), saved_or_not,
                                   self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            row.error = exc.text
            self._changed()
            return
        row.item, row.is_active, row.skills, row.saving = saved, saved.is_active, dict(saved.skills), False
        self._notice = bilingual("student_saved", name=saved.display_name)
        self._changed()


async def _no_invites() -> list[PendingInvite]:
    return []


class LedgerViewModel(SubScreen):
    def __init__(
        self, api: ApiClient, session: Session, *, save_file: SaveFile | None = None, **wiring: Unpack[ScreenWiring]
    ) -> None:
        super().__init__(api, session, **wiring)
        self.rows: list[LedgerRow] = []
        self.categories: dict[str, Category] = {}
        self._save_file = save_file
        self.downloading: str | None = None
        # When the file cannot be saved on this platform: the CSV text, to copy from a text area.
        self.csv_text: str | None = None

    async def _fetch(self) -> None:
        rows, categories = await asyncio.gather(self._api.supervisor_ledger(), self._api.categories())
        self.rows = sorted(rows, key=lambda r: (-r.hours, r.display_name))
        self.categories = {c.code: c for c in categories}

    def categories_text(self, row: LedgerRow) -> str:
        names = []
        for code in row.categories:
            category = self.categories.get(code)
            names.append(category.name(self.locale) if category else code)
        return ", ".join(names)

    @property
    def total_hours(self) -> float:
        return sum(r.hours for r in self.rows)

    async def download(self, name: str) -> None:
        """Fetch the CSV with the sign-in token (a plain link would carry none), then offer it as a file."""
        if name not in CSV_FILES or self.downloading is not None:
            return
        self._notice = None
        self.csv_text = None
        got = await self._send(fetched_and_saved(self._api.supervisor_csv(name), self._save_file, CSV_FILES[name]),
                               self._refused_notice, self._downloading_of(name))
        if got is None:
            return
        data, saved = got
        if saved:
            self._notice = bilingual("csv_saved", name=CSV_FILES[name])
        else:
            self.csv_text = data.decode("utf-8-sig", errors="replace")
        self._changed()

    def _downloading_of(self, name: str) -> Busy:
        def mark(on: bool) -> None:
            self.downloading = name if on else None
        return mark

    def close_csv(self) -> None:
        self.csv_text = None
        self._changed()
