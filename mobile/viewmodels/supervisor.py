"""The supervisor's tools beyond the dashboard: the college's students, and the training-hours ledger."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import Category, LedgerRow, TechnicianItem
from mobile.viewmodels.loadable import AuthLost, Done, SubScreen
from mobile.viewmodels.session import Session
from shared.text import APP_UI, Bilingual, Locale

# Offers the bytes to the person as a file (FilePicker.save_file); False when the platform cannot.
SaveFile = Callable[[str, bytes], Awaitable[bool]]

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

    def payload(self) -> dict[str, Any]:
        """The PUT body: both fields, the skills replacing the student's (level 0 = skill removed)."""
        return {"is_active": self.is_active, "skills": {k: v for k, v in sorted(self.skills.items()) if v}}


class TechniciansViewModel(SubScreen):
    def __init__(self, api: ApiClient, session: Session, *, on_back: Done, on_auth_lost: AuthLost) -> None:
        super().__init__(api, session, on_back=on_back, on_auth_lost=on_auth_lost)
        self.rows: list[TechnicianEdit] = []
        self.skills: list[SkillName] = []

    async def _fetch(self) -> None:
        items, categories = await asyncio.gather(self._api.supervisor_technicians(), self._api.categories())
        self.skills = skill_names(categories)
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
        try:
            saved = await self._api.update_technician(technician_id, row.payload())
        except ApiError as exc:
            row.saving = False
            if await self._lost_sign_in(exc):
                return
            row.error = exc.text
            self._changed()
            return
        row.item, row.is_active, row.skills, row.saving = saved, saved.is_active, dict(saved.skills), False
        self._notice = APP_UI["student_saved"].format(name=saved.display_name)
        self._changed()


class LedgerViewModel(SubScreen):
    def __init__(
        self,
        api: ApiClient,
        session: Session,
        *,
        on_back: Done,
        on_auth_lost: AuthLost,
        save_file: SaveFile | None = None,
    ) -> None:
        super().__init__(api, session, on_back=on_back, on_auth_lost=on_auth_lost)
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
        self.downloading = name
        self._notice = None
        self.csv_text = None
        self._changed()
        try:
            data = await self._api.supervisor_csv(name)
        except ApiError as exc:
            self.downloading = None
            if await self._lost_sign_in(exc):
                return
            self._notice = exc.text
            self._changed()
            return
        saved = False
        if self._save_file is not None:
            try:
                saved = await self._save_file(CSV_FILES[name], data)
            except Exception:  # the platform's save dialog failed: fall back to the text to copy
                saved = False
        self.downloading = None
        if saved:
            self._notice = APP_UI["csv_saved"].format(name=CSV_FILES[name])
        else:
            self.csv_text = data.decode("utf-8-sig", errors="replace")
        self._changed()

    def close_csv(self) -> None:
        self.csv_text = None
        self._changed()
