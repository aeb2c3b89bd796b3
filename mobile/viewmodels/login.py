"""Sign-in by phone: type a number, get a one-time code, type the code."""

from collections.abc import Awaitable, Callable
from enum import StrEnum

from mobile.api_client import ApiClient, ApiError
from mobile.models import OtpRequested, SignedIn
from mobile.viewmodels.busy import answered
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.retry_wait import RetryWait
from mobile.viewmodels.session import Session
from shared.otp import MAYBE_SENT, is_well_formed, typed_code
from shared.phone import InvalidPhone, national_format, normalize_thai_phone
from shared.text import Bilingual, bilingual, error_text

# MAYBE_SENT (shared.otp, the backend's own name for it: review28a #2): Supabase Auth's answer was lost or late, so a
# code may be on its way (audit28 #1): the code step opens for it.
# Server answers that belong next to the code field rather than in the general error line.
_CODE_ERRORS = frozenset({"invalid_code_format", "otp_invalid", "otp_expired", "otp_too_many_attempts",
                          "otp_invalid_or_expired"})


class LoginStep(StrEnum):
    PHONE = "phone"
    CODE = "code"


class LoginViewModel(Observable):
    def __init__(
        self, api: ApiClient, session: Session, on_signed_in: Callable[[SignedIn], Awaitable[None]]
    ) -> None:
        super().__init__()
        self._api = api
        self._session = session
        self._on_signed_in = on_signed_in
        self.step = LoginStep.PHONE
        self.phone_input = ""
        self.code_input = ""
        self.phone: str | None = None  # E.164, once the backend accepted the number
        self.dev_code: str | None = None
        # Digits of the code, as the issuer said when sending it (6 locally; 6–10 as set on a Supabase project).
        self.code_length: int | None = None
        self.busy = False
        # What the app is doing while busy ("กำลังขอรหัสยืนยัน…"): said, not only a moving bar.
        self._working: Bilingual | None = None
        # The code on the screen's SMS was asked for again from the code step: the line above the field says so.
        self.resent = False
        # How many new codes went from this code step: each one's line says its number, so a second one that went is
        # seen and read out (a live region speaks when its words change), not the first one's words again.
        self.resent_count = 0
        # The code step opened for a code that may have been sent (`MAYBE_SENT`): its line says no code was sent.
        self.maybe_sent = False
        self.can_retry = False
        # A failure's retry waits for its Retry-After (a 503's, a 429's) and comes back by itself.
        self.retry_wait = RetryWait(self._changed)
        # A refused new code's wait (its 429's Retry-After): the new-code button's own, kept through a wrong code's
        # verify (that clears the errors, not what the server asked), ended by another number or a sign-out.
        self.resend_wait = RetryWait(self._changed)
        self._phone_error: Bilingual | None = None
        self._code_error: Bilingual | None = None
        self._error: Bilingual | None = None
        self._notice: Bilingual | None = None

    # --- what the view shows, in the current language ------------------------------------------

    @property
    def phone_error(self) -> str | None:
        return self._in_locale(self._phone_error)

    @property
    def code_error(self) -> str | None:
        return self._in_locale(self._code_error)

    @property
    def error(self) -> str | None:
        return self._in_locale(self._error)

    @property
    def notice(self) -> str | None:
        """Why the person is back here, e.g. an expired session."""
        return self._in_locale(self._notice)

    @property
    def working(self) -> str | None:
        """While busy: what the app is doing, in words a screen reader reads out."""
        return self._in_locale(self._working) if self.busy else None

    @property
    def code_sent(self) -> str | None:
        if self.phone is None or self.maybe_sent:
            return None
        phone = national_format(self.phone)
        if not self.resent:
            return self._in_locale(bilingual("code_sent", phone=phone))
        if self.resent_count > 1:
            return self._in_locale(bilingual("code_resent_again", phone=phone, n=self.resent_count))
        return self._in_locale(bilingual("code_resent", phone=phone))

    @property
    def dev_hint(self) -> str | None:
        if self.dev_code is None:
            return None
        return self._in_locale(bilingual("dev_code_hint", code=self.dev_code))

    # --- input -------------------------------------------------------------------------------------

    def set_phone_input(self, value: str) -> None:
        # No re-render per keystroke (the field already shows what was typed): only when the number the code will
        # go to appears, changes or goes away.
        before = self.phone_preview
        self.phone_input = value
        if self.phone_preview != before:
            self._changed()

    @property
    def phone_preview(self) -> str | None:
        """The number as it will be used, once what was typed is a valid Thai number (a check before the SMS)."""
        try:
            return national_format(normalize_thai_phone(self.phone_input))
        except InvalidPhone:
            return None

    def set_code_input(self, value: str) -> None:
        self.code_input = value

    # --- actions -----------------------------------------------------------------------------------

    async def request_code(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        try:
            phone = normalize_thai_phone(self.phone_input)
        except InvalidPhone:
            self._phone_error = error_text("invalid_phone")
            self._changed()
            return
        self._set_busy(True, "requesting_code")
        try:
            sent = await answered(self._api.request_otp(phone), self._not_busy, self._changed)
        except ApiError as exc:
            if exc.code == MAYBE_SENT:
                self._maybe_sent(phone, exc)
                return
            self._show(exc, field_codes=frozenset({"invalid_phone"}), field="phone")
            return
        finally:
            self.busy = False
        self._code_sent(sent, resent_count=0)
        self.step = LoginStep.CODE
        self._changed()

    async def resend_code(self) -> None:
        """From the code step: a new code to the same number (the last one expired, was used up or never came). The
        backend's limit on sends still holds: a refusal (429) says when a code may be asked for again."""
        if self.busy or self.phone is None or self.resend_wait.waiting:
            return
        self._clear_errors()
        self._set_busy(True, "resending_code")
        try:
            sent = await answered(self._api.request_otp(self.phone), self._not_busy, self._changed)
        except ApiError as exc:
            # A new code that may have gone out voids the last one if it did: the line no longer says "a code was
            # sent to ..." of a code that may be void (review28a's leftover); any other refusal leaves it valid.
            self.maybe_sent = self.maybe_sent or exc.code == MAYBE_SENT
            self._show(exc, field_codes=frozenset(), field="code")
            # Not "try again": that button verifies on this step. The new-code button itself waits for the
            # refusal's Retry-After and says when (`resend_at`).
            self.can_retry = False
            self.retry_wait.after(None)
            self.resend_wait.after(exc)
            self._changed()
            return
        finally:
            self.busy = False
        self._code_sent(sent, resent_count=self.resent_count + 1)
        self._changed()

    async def verify(self) -> None:
        if self.busy or self.phone is None:
            return
        self._clear_errors()
        code = typed_code(self.code_input)  # the backend's own reading: Thai digits are the same code
        if not is_well_formed(code, self.code_length):
            self._code_error = error_text("invalid_code_format")
            self._changed()
            return
        self._set_busy(True, "signing_in")
        try:
            signed_in = await answered(self._api.verify_otp(self.phone, code), self._not_busy, self._changed)
        except ApiError as exc:
            self._show(exc, field_codes=_CODE_ERRORS, field="code")
            return
        finally:
            self.busy = False
        self.code_input = ""
        self.dev_code = None
        # The sign-in screen closes: a refused new code's wait ends with it, so it never redraws the app later
        # (the retry's ended when this code went: `_clear_errors`).
        self.resend_wait.after(None)
        await self._on_signed_in(signed_in)

    @property
    def retry_at(self) -> str | None:
        """While the server asked to wait (Retry-After): when the retry may go ("10:25"); None: it may go now."""
        return self.retry_wait.until(self._session.locale) if self.can_retry else None

    @property
    def resend_at(self) -> str | None:
        """After a refused new code that said when (a 429's Retry-After): when the new-code button comes back."""
        return self.resend_wait.until(self._session.locale) if self.step == LoginStep.CODE else None

    async def retry(self) -> None:
        if self.retry_wait.waiting:  # sent now, it would only be refused again: the button says when
            return
        if self.step == LoginStep.PHONE:
            await self.request_code()
        else:
            await self.verify()

    def change_phone(self) -> None:
        self._clear_errors()
        self.resend_wait.after(None)  # another number: its own limit
        self.maybe_sent = False
        self.step = LoginStep.PHONE
        self.code_input = ""
        self.dev_code = None
        self._changed()

    def reset(self, notice: Bilingual | None = None) -> None:
        """Back to an empty first step, e.g. after sign-out. The number goes too: phones are shared in a family or
        at a college counter, and the next person should not see (or get a code for) the last one's number."""
        self._clear_errors()
        self.resend_wait.after(None)
        self._notice = notice
        self.step = LoginStep.PHONE
        self.phone_input = ""
        self.code_input = ""
        self.phone = None
        self.dev_code = None
        self.code_length = None
        self.resent = False
        self.resent_count = 0
        self.maybe_sent = False
        self.busy = False
        self._changed()

    # --- helpers -----------------------------------------------------------------------------------

    def _code_sent(self, sent: OtpRequested, *, resent_count: int) -> None:
        """A code is on its way to `sent.phone`: the code step starts empty (a new code makes the last one void)."""
        self.phone = sent.phone
        self.maybe_sent = False
        self.dev_code = sent.dev_code
        self.code_length = sent.code_length
        self.code_input = ""
        self.resent = resent_count > 0
        self.resent_count = resent_count

    def _maybe_sent(self, phone: str, exc: ApiError) -> None:
        """A code may be on its way to `phone` (GoTrue's answer lost or late): the code step opens for it, its words
        say so (never "sent"), and a new code waits for the answer's Retry-After (sooner, GoTrue refuses it; and a
        new code would void the one on its way). Its length is the issuer's, unknown here: 6-10 digits are taken."""
        self.phone = phone
        self.dev_code = None
        self.code_length = None
        self.code_input = ""
        self.resent = False
        self.resent_count = 0
        self.maybe_sent = True
        self._error = exc.text
        self.can_retry = False  # "try again" on the code step verifies: nothing typed yet
        self.retry_wait.after(None)
        self.resend_wait.after(exc)
        self.step = LoginStep.CODE
        self._changed()

    def _show(self, exc: ApiError, *, field_codes: frozenset[str], field: str) -> None:
        self.busy = False
        if exc.code in field_codes:
            if field == "phone":
                self._phone_error = exc.text
            else:
                self._code_error = exc.text
        else:
            self._error = exc.text
            # Worth pressing again only when the fault was the line or the server, not the input; after a 429 only
            # once its Retry-After has passed (pressing before is refused again): the button waits until then and
            # says when. A 429 that does not say when offers none (its message says what to do).
            self.can_retry = exc.is_retryable and (exc.status != 429 or exc.retry_after is not None)
            self.retry_wait.after(exc if self.can_retry else None)
        self._changed()

    def _clear_errors(self) -> None:
        self._phone_error = self._code_error = self._error = self._notice = None
        self.can_retry = False
        self.retry_wait.after(None)

    def _not_busy(self) -> None:
        self.busy = False

    def _set_busy(self, busy: bool, working: str) -> None:
        self.busy = busy
        self._working = bilingual(working)
        self._changed()

    def _in_locale(self, text: Bilingual | None) -> str | None:
        return None if text is None else text.in_(self._session.locale)
