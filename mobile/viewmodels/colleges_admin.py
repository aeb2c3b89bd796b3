"""The admin's onboarding screen (issue 11): create and edit colleges, name their supervisors by phone number."""

from dataclasses import dataclass, field
from typing import Any, Unpack
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import AdminCollege
from mobile.viewmodels.busy import answered
from mobile.viewmodels.invites import WithdrawsInvites
from mobile.viewmodels.loadable import ScreenWiring
from mobile.viewmodels.session import Session
from shared.college_lists import COLLEGE_SEARCH_MAX, college_matches
from shared.phone import InvalidPhone, national_format, normalize_thai_phone
from shared.text import Bilingual, bilingual, error_text
from shared.typed_numbers import parse_coordinate

REGIONS = ("north", "northeast", "central", "east", "west", "south")
TEXT_FIELDS = ("code", "name_th", "name_en", "province_th", "province_en")
NUMBER_FIELDS = ("lat", "lon", "service_radius_km")
FIELDS = (*TEXT_FIELDS, "region", *NUMBER_FIELDS)


@dataclass
class CollegeForm:
    """One college as typed: new (college_id None) or an edit of an existing one."""

    college_id: UUID | None
    values: dict[str, str]
    is_active: bool = True
    errors: dict[str, Bilingual] = field(default_factory=dict)
    saving: bool = False

    @classmethod
    def new(cls) -> "CollegeForm":
        return cls(None, {**dict.fromkeys(FIELDS, ""), "region": "central", "service_radius_km": "30"})

    @classmethod
    def of(cls, college: AdminCollege) -> "CollegeForm":
        values = {name: str(getattr(college, name)) for name in FIELDS}
        values["service_radius_km"] = f"{college.service_radius_km:g}"
        return cls(college.id, values, college.is_active)

    def payload(self) -> dict[str, Any] | None:
        """The body to send, or None with `errors` set when something typed cannot be sent."""
        self.errors = {}
        body: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            value = " ".join(self.values[name].split())
            if not value:
                self.errors[name] = bilingual("college_required")
            body[name] = value.upper() if name == "code" else value
        body["region"] = self.values["region"] if self.values["region"] in REGIONS else "central"
        for name in NUMBER_FIELDS:
            # A finite number only: "nan", "inf" or "1e999" cannot go into JSON (the request would fail to be built,
            # a "system fault" for what is the field's error).
            number = parse_coordinate(self.values[name])
            if number is None:
                self.errors[name] = bilingual("college_number_invalid")
            else:
                body[name] = number
        body["is_active"] = self.is_active
        return None if self.errors else body


class CollegesAdminViewModel(WithdrawsInvites):
    def __init__(self, api: ApiClient, session: Session, **wiring: Unpack[ScreenWiring]) -> None:
        super().__init__(api, session, **wiring)
        self.colleges: list[AdminCollege] = []
        self.form: CollegeForm | None = None
        self._form_error: Bilingual | None = None
        # Naming a supervisor: for which college, what was typed, and how it went.
        self.naming_for: UUID | None = None
        # A college created here a moment ago: its supervisor's form shows where the new-college form was.
        self.just_created: UUID | None = None
        self.supervisor_phone = ""
        self.supervisor_name = ""
        self.naming = False
        self._naming_error: Bilingual | None = None
        # Whose invitations not yet taken up show (`invites`), one list at a time: a college's under its card, or
        # (`invites_for` None) those at no college, to be an admin, above the colleges.
        self.invites_shown = False
        self.invites_for: UUID | None = None
        # What the admin typed in the search (ux21 finding 3): the list is loaded whole (GET /admin/colleges has no
        # paging), so it is filtered here, with no call per keystroke.
        self.query = ""
        # The college whose card is opened (its code, reach, supervisors and buttons): one line of name, province
        # and counts a college otherwise, so 38 colleges are not ~11,000 px of cards (session 21's walk-through).
        self.opened: UUID | None = None
        self._init_invites()

    def toggle_college(self, college_id: UUID) -> None:
        """Opens a college's card, or folds it again; one open at a time."""
        self.opened = None if self.opened == college_id else college_id
        self._changed()

    def is_open(self, college_id: UUID) -> bool:
        """Its card shows everything: opened, or holding the form the admin is filling in for it."""
        return (self.opened == college_id or self.naming_for == college_id
                or (self.form is not None and self.form.college_id == college_id)
                or self.invites_shown_for(college_id))

    @property
    def shown_colleges(self) -> list[AdminCollege]:
        """The colleges matching the search (name in either language, code or province); all with none typed."""
        return [c for c in self.colleges if college_matches(c, self.query)]

    @property
    def searching(self) -> bool:
        return bool(self.query.strip())

    def set_query(self, value: str) -> None:
        """A keystroke in the search: the list follows it (the cards are keyed by college, so only the ones that
        leave or come back are sent)."""
        self.query = value[:COLLEGE_SEARCH_MAX]
        self._changed()

    async def _fetch(self) -> None:
        self.colleges = sorted(await self._api.admin_colleges(), key=lambda c: (not c.is_active, c.name(self.locale)))
        if self.invites_shown:
            self.invites = await self._api.college_invites(self.invites_for)

    def invites_shown_for(self, college_id: UUID | None) -> bool:
        """This college's invitations are the ones shown (None: those to be an admin)."""
        return self.invites_shown and self.invites_for == college_id

    async def toggle_invites(self, college_id: UUID | None) -> None:
        """Show a college's invitations under its card (who, until when; withdraw), or with None those to be an
        admin (at no college), or hide them again."""
        if self.invites_shown_for(college_id):
            self.invites_shown, self.invites_for, self.invites = False, None, []
            self._changed()
            return
        self._notice = None
        invites = await self._send(self._api.college_invites(college_id), self._refused_notice)
        if invites is not None:
            self.invites_shown, self.invites_for, self.invites = True, college_id, invites
        self._changed()

    @property
    def form_error(self) -> str | None:
        return self._in_locale(self._form_error)

    @property
    def naming_error(self) -> str | None:
        return self._in_locale(self._naming_error)

    def field_error(self, name: str) -> str | None:
        return None if self.form is None else self._in_locale(self.form.errors.get(name))

    # --- the college form ----------------------------------------------------------------------------

    def start_new(self) -> None:
        self.form = CollegeForm.new()
        self._form_error = self._notice = None
        self._changed()

    def start_edit(self, college_id: UUID) -> None:
        college = next((c for c in self.colleges if c.id == college_id), None)
        if college is not None:
            self.form = CollegeForm.of(college)
            self._form_error = self._notice = None
            self._changed()

    def cancel_edit(self) -> None:
        self.form = None
        self._form_error = None
        self._changed()

    def set_value(self, name: str, value: str) -> None:
        """A keystroke: kept without a redraw (the field shows what was typed)."""
        if self.form is not None and name in self.form.values:
            self.form.values[name] = value

    def set_region(self, region: str) -> None:
        if self.form is not None and region in REGIONS:
            self.form.values["region"] = region
            self._changed()

    def set_active(self, active: bool) -> None:
        if self.form is not None:
            self.form.is_active = active
            self._changed()

    async def save(self) -> None:
        form = self.form
        if form is None or form.saving:
            return
        self._form_error = None
        body = form.payload()
        if body is None:
            self._changed()
            return
        form.saving = True
        self._changed()

        def saved_or_not() -> None:
            form.saving = False

        try:
            sent = (self._api.create_college(body) if form.college_id is None
                    else self._api.update_college(form.college_id, body))
            saved = await answered(sent, saved_or_not, self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            form.errors = {name: text for name, text in exc.fields.items() if name in FIELDS}
            self._form_error = None if form.errors else exc.text
            self._changed()
            return
        self.form = None
        if form.college_id is None and saved.is_active:
            # Onboarding's next step: a new college needs its supervisor, so the phone field opens on its card.
            self.naming_for = self.just_created = saved.id
            self.supervisor_phone = self.supervisor_name = ""
            self._naming_error = None
        self.colleges = [c for c in self.colleges if c.id != saved.id] + [saved]
        self.colleges.sort(key=lambda c: (not c.is_active, c.name(self.locale)))
        self._notice = bilingual("college_saved", name=saved.name(self.locale))
        self._changed()

    # --- naming a supervisor -----------------------------------------------------------------------

    def start_naming(self, college_id: UUID) -> None:
        self.naming_for = college_id
        self.just_created = None  # asked for from its card: the form opens there
        self.supervisor_phone = self.supervisor_name = ""
        self._naming_error = self._notice = None
        self._changed()

    def cancel_naming(self) -> None:
        self.naming_for = None
        self._naming_error = None
        self._changed()

    def set_supervisor_phone(self, value: str) -> None:
        self.supervisor_phone = value

    def set_supervisor_name(self, value: str) -> None:
        self.supervisor_name = value

    def _named(self) -> None:
        self.naming = False

    async def name_supervisor(self) -> None:
        college_id = self.naming_for
        if college_id is None or self.naming:
            return
        self._naming_error = None
        try:
            phone = normalize_thai_phone(self.supervisor_phone)
        except InvalidPhone:
            self._naming_error = error_text("invalid_phone")
            self._changed()
            return
        self.naming = True
        self._changed()
        try:
            done = await answered(self._api.name_supervisor(college_id, phone, " ".join(self.supervisor_name.split())),
                                  self._named, self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            self._naming_error = exc.text
            self._changed()
            return
        self._named()
        self.naming_for = None
        if done.awaiting_acceptance:
            key = "supervisor_awaiting_acceptance"  # a citizen's own account: it changes only when they accept
        else:
            key = "supervisor_named_now" if done.existing_account else "supervisor_invited"
        self._notice = bilingual(key, phone=national_format(done.phone))
        try:
            await self._fetch()  # the college's supervisors and invites changed
        except ApiError as exc:
            await self._lost_sign_in(exc)
        self._changed()
