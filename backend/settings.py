"""The backend's one settings object: environment variables and `.env`, nothing read elsewhere."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.notifications import LIVE_PING_SECONDS
from shared.otp import SENDS_PER_PHONE_PER_DAY
from shared.photos import PHOTO_UPLOADS_PER_PERSON_PER_HOUR
from shared.text import and_list, start_refusal
from shared.wire import REFRESH_TOKEN_REUSE_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_PUBLIC_URL = "http://127.0.0.1:8000"  # `fixit-backend serve`'s and `./fixit run`'s default address


class AuthMode(StrEnum):
    LOCAL = "local"  # phone + one-time code issued by this backend; the code goes to the log
    SUPABASE = "supabase"  # Supabase Auth issues the tokens; this backend only verifies them


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FIXIT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "FIXIT_DATABASE_URL"),
        description="PostgreSQL URL; empty means: start the embedded PostgreSQL under data_dir",
    )
    # Behind Supabase's transaction pooler (port 6543) server-side prepared statements must be off.
    database_prepared_statements: bool = True
    database_pool_min: int = 1
    database_pool_max: int = 10

    auth_mode: AuthMode = AuthMode.LOCAL
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SUPABASE_JWT_SECRET", "FIXIT_JWT_SECRET"),
    )
    jwt_audience: str = "authenticated"
    # The issuer's values (GoTrue's defaults): on Supabase set them to the project's Auth settings.
    jwt_ttl_seconds: int = Field(default=3600, ge=1)
    otp_ttl_seconds: int = Field(default=60, ge=30)
    otp_max_attempts: int = 5
    otp_max_sends_per_window: int = 5
    otp_window_seconds: int = 900
    # Local mode, development only: return the code in the API response so the app can show it as a hint.
    otp_dev_hint: bool = True
    # Development conveniences (the code hint, codes in the log, demo accounts, readable logs) exist only when this
    # is set (`./fixit run` sets it). Production is the default: `serve` refuses to start with any of them.
    dev_mode: bool = False

    # Sign-in and sessions (issue #11). Expected `iss` of access tokens; empty: "fixit-local" for the local
    # issuer, "{SUPABASE_URL}/auth/v1" on Supabase. The project's public signing keys (ES256/RS256) come from its
    # JWKS, cached and fetched again for an unknown key id at most once per cool-down.
    jwt_issuer: str = ""
    supabase_jwks_url: str = Field(
        default="", validation_alias=AliasChoices("SUPABASE_JWKS_URL", "FIXIT_SUPABASE_JWKS_URL"),
        description="empty: {SUPABASE_URL}/auth/v1/.well-known/jwks.json",
    )
    jwks_cache_seconds: int = Field(default=600, ge=1)
    jwks_refresh_cooldown_seconds: float = Field(default=30.0, ge=0)
    # One-time codes: 6 digits by default, 6–10 on Supabase (Auth → Providers → Phone: "OTP length").
    otp_length: int = Field(default=6, ge=6, le=10)
    # Local issuer: a session (its rotating refresh token) ends after this long unused, or at sign-out.
    session_idle_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    # Local issuer: a rotated refresh token presented again this soon, while its rotation is the session's latest, is
    # answered (a new pair for the same session), as GoTrue answers within GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL:
    # a phone whose answer was lost asks again at once. Later, or after a newer rotation, it ends the session. 0: never.
    refresh_token_reuse_seconds: int = Field(default=REFRESH_TOKEN_REUSE_SECONDS, ge=0, le=60)

    # Rate limits shared by every backend copy (private.rate_counters): per client address and overall for
    # sign-in codes, per person for submits and the duplicate hint. Each is (hits, window seconds).
    # 60, not 10 (review26b #3): one IPv4 address is a whole class on a college's Wi-Fi or thousands of phones on a
    # mobile carrier's shared (CGNAT) address; the per-phone, per-day and overall limits still cap what SMS cost.
    otp_requests_per_address: int = Field(default=60, ge=1)
    otp_requests_overall: int = Field(default=300, ge=1)
    otp_requests_window_seconds: int = Field(default=600, ge=1)
    # Codes sent to one phone per day (shared.otp, attack26 #6), counted with the limits above.
    otp_sends_per_phone_per_day: int = Field(default=SENDS_PER_PHONE_PER_DAY, ge=1)
    submits_per_person_per_hour: int = Field(default=20, ge=1)
    duplicate_checks_per_person_per_hour: int = Field(default=60, ge=1)
    # Portfolio PDFs rendered per person (whoever asks: the student, their teacher, an admin), printed again or new.
    portfolio_pdfs_per_person_per_hour: int = Field(default=60, ge=1)
    # Photo uploads per person (shared.photos, attack26 #3), counted before a photo is decoded.
    photo_uploads_per_person_per_hour: int = Field(default=PHOTO_UPLOADS_PER_PERSON_PER_HOUR, ge=1)

    # The backend's public address (https://api.example.th, with a path prefix if a proxy adds one): what is handed
    # to people names it, the portfolio PDF's verify link and QR (/verify/{code}), never the caller's `Host` header.
    # Required in production; empty in development: LOCAL_PUBLIC_URL (`./fixit run` sets its own port).
    public_url: str = Field(default="", pattern=r"^(https?://[^/?#\s]+(/[^?#\s]*)?)?$")

    # Dispatch: offers go to this many of a college's best-fitting students at once; unanswered offers expire after
    # the SLA and the job escalates to the next nearest college.
    dispatch_offer_count: int = Field(default=3, ge=1, le=20)
    dispatch_sla_minutes: int = Field(default=30, ge=1)
    # How often every copy runs the SLA clock. At least a second: the SLA counts minutes, and 0 (or less) would run
    # the whole tick back to back for ever in every copy (the notify worker's 0, "off", has no meaning here: the
    # clock must run somewhere, and every copy runs it).
    dispatch_tick_seconds: float = Field(default=30.0, ge=1)
    # At most shared's LIVE_PING_SECONDS: the apps take a stream silent for longer than a few of those for dead.
    sse_ping_seconds: float = Field(default=LIVE_PING_SECONDS, gt=0, le=LIVE_PING_SECONDS)

    supabase_url: str = Field(default="", validation_alias=AliasChoices("SUPABASE_URL", "FIXIT_SUPABASE_URL"))
    supabase_anon_key: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("SUPABASE_ANON_KEY", "FIXIT_SUPABASE_ANON_KEY")
    )
    supabase_service_role_key: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("SUPABASE_SERVICE_ROLE_KEY", "FIXIT_SUPABASE_SERVICE_ROLE_KEY"),
    )

    photos_bucket: str = "request-photos"
    # Photos in data_dir/photos instead of Supabase Storage. Production names it (FIXIT_PHOTOS_ON_DISK=true) or sets
    # SUPABASE_SERVICE_ROLE_KEY: a disk is right only when every copy shares it (one machine, or one mounted volume);
    # on copies with disks of their own a photo is missing wherever another copy answers, and a deletion through
    # another copy leaves it behind. Development keeps photos on disk without it.
    photos_on_disk: bool = False

    data_dir: Path = PROJECT_ROOT / ".data"
    assets_dir: Path = PROJECT_ROOT / "assets"
    cors_origins: list[str] = ["http://127.0.0.1:8550", "http://localhost:8550"]
    log_level: str = "INFO"
    # Edge hardening (backend/logs.py, backend/body_limits.py). "json": one JSON object a line (production);
    # "text": readable lines (development). No access log unless asked: it would name every caller's address.
    log_format: str = Field(default="json", pattern="^(json|text)$")
    access_log: bool = False
    # The hottest reads answered past FastAPI's per-request machinery, same answers (backend/direct_reads.py).
    direct_reads: bool = True
    # How long `serve` keeps an idle connection open for the next request. Longer than the app's own pool keeps one
    # (mobile/api_client.py KEEPALIVE_SECONDS): a client that sends on a connection the server has just closed gets
    # a broken request, and a POST is not sent again.
    keep_alive_seconds: float = Field(default=30.0, gt=0)
    # Request bodies larger than this are refused with 413 before they are read: JSON bodies everywhere, and the
    # photo uploads (shared.photos.MAX_INPUT_BYTES = 20 MiB plus 64 KiB for the multipart envelope).
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_photo_body_bytes: int = Field(default=20 * 1024 * 1024 + 64 * 1024, ge=1024)

    # Notifications (issue #13, backend/notifications/). Channels that deliver, by name: console (development: the
    # log), webpush, fcm, onesignal, line, sms.
    # Empty: console in development mode, none otherwise (the in-app inbox always).
    notify_channels: list[str] = []
    notify_worker_seconds: float = Field(default=2.0, ge=0)  # 0: this process runs no delivery worker
    notify_batch_size: int = Field(default=100, ge=1, le=1000)
    notify_max_attempts: int = Field(default=6, ge=1)
    notify_retry_base_seconds: float = Field(default=30.0, ge=0)  # then ×2 per attempt, at most an hour
    notify_send_timeout_seconds: float = Field(default=15.0, gt=0)
    notify_offer_expiring_minutes: int = Field(default=10, ge=1)
    # The app's address: links are {base}{route}. Production needs its public https:// address while any channel
    # delivers (the default is the development app's, a dead link on anyone's phone).
    notify_link_base: str = "http://127.0.0.1:8550"
    vapid_private_key: SecretStr = SecretStr("")  # `fixit-backend vapid-keys` makes the pair
    vapid_public_key: str = ""
    vapid_subject: str = "mailto:admin@example.org"
    line_channel_access_token: SecretStr = SecretStr("")
    line_channel_secret: SecretStr = SecretStr("")
    line_api_url: str = "https://api.line.me"
    line_add_friend_url: str = ""  # https://line.me/R/ti/p/@your-id, shown with the linking code
    sms_api_url: str = "https://api-v2.thaibulksms.com/sms"
    sms_api_key: SecretStr = SecretStr("")
    sms_api_secret: SecretStr = SecretStr("")
    sms_sender: str = ""
    sms_force: str = Field(default="standard", pattern="^(standard|corporate)$")
    fcm_service_account_file: Path | None = None  # the Firebase project's service-account JSON
    fcm_api_url: str = "https://fcm.googleapis.com"
    # Phone push through OneSignal instead of FCM (the app built with flet-onesignal and the same app id in its
    # flet.toml): the dashboard's App ID and App API key. With "onesignal" in notify_channels, phones register
    # their OneSignal subscription ids.
    onesignal_app_id: str = ""
    onesignal_api_key: SecretStr = SecretStr("")
    onesignal_api_url: str = "https://api.onesignal.com"

    def notify_channel_missing(self, name: str) -> list[str] | None:
        """The settings channel `name` cannot deliver without, by variable name (empty: none missing; None: no
        such channel). The one place that says what each channel needs: the registry builds only the channels with
        nothing missing, production refuses to start with a named channel missing any."""
        needs: dict[str, dict[str, bool]] = {
            "console": {},
            "webpush": {"FIXIT_VAPID_PRIVATE_KEY": bool(self.vapid_private_key.get_secret_value()),
                        "FIXIT_VAPID_PUBLIC_KEY": bool(self.vapid_public_key)},
            "fcm": {"FIXIT_FCM_SERVICE_ACCOUNT_FILE": self.fcm_service_account_file is not None},
            "onesignal": {"FIXIT_ONESIGNAL_APP_ID": bool(self.onesignal_app_id),
                          "FIXIT_ONESIGNAL_API_KEY": bool(self.onesignal_api_key.get_secret_value())},
            "line": {"FIXIT_LINE_CHANNEL_ACCESS_TOKEN": bool(self.line_channel_access_token.get_secret_value()),
                     "FIXIT_LINE_CHANNEL_SECRET": bool(self.line_channel_secret.get_secret_value())},
            "sms": {"FIXIT_SMS_API_KEY": bool(self.sms_api_key.get_secret_value()),
                    "FIXIT_SMS_API_SECRET": bool(self.sms_api_secret.get_secret_value())},
        }
        if name not in needs:
            return None
        return [variable for variable, given in needs[name].items() if not given]

    def _notify_problems(self) -> list[str]:
        """Production: every channel FIXIT_NOTIFY_CHANNELS names delivers (a channel dropped at start tells nobody
        of their job, offer or ready repair outside the app), and its links lead to the app's public address."""
        problems = []
        for name in self.notify_channels:
            missing = self.notify_channel_missing(name)
            if missing is None:
                problems.append(start_refusal("start_notify_unknown", name=name))
            elif name == "console":
                problems.append(start_refusal("start_notify_console"))
            elif missing:
                named = and_list(missing)
                problems.append(start_refusal("start_notify_missing", name=name, missing_th=named.th,
                                              missing_en=named.en, count=len(missing)))
        if self.fcm_service_account_file is not None and "fcm" in self.notify_channels \
                and not self.fcm_service_account_file.is_file():
            problems.append(start_refusal("start_fcm_file", path=self.fcm_service_account_file))
        if self.notify_channels and not self.notify_link_base.startswith("https://"):
            problems.append(start_refusal("start_notify_link_base", now=self.notify_link_base or "empty"))
        return problems

    @property
    def active_notify_channels(self) -> list[str]:
        return self.notify_channels or (["console"] if self.dev_mode else [])

    @property
    def phone_push_channel(self) -> str:
        """What a phone's push token is: a OneSignal subscription id when OneSignal delivers, else an FCM token."""
        return "onesignal" if "onesignal" in self.active_notify_channels else "fcm"

    @property
    def public_base(self) -> str:
        """Where people reach this backend, without a trailing slash (links printed on paper start with it)."""
        return (self.public_url or LOCAL_PUBLIC_URL).rstrip("/")

    @property
    def shows_dev_code(self) -> bool:
        return self.dev_mode and self.otp_dev_hint and self.auth_mode == AuthMode.LOCAL

    def configuration_problems(self) -> list[str]:
        """What is missing for sign-in to work at all (empty when nothing is)."""
        problems = []
        secret_length = len(self.jwt_secret.get_secret_value())
        if self.auth_mode == AuthMode.LOCAL and secret_length < 32:
            problems.append(start_refusal("start_jwt_secret"))
        if self.auth_mode == AuthMode.SUPABASE:
            if not self.supabase_url.startswith(("https://", "http://")):
                problems.append(start_refusal("start_supabase_url"))
            if not self.supabase_anon_key.get_secret_value():
                problems.append(start_refusal("start_supabase_anon_key"))
            if 0 < secret_length < 32:
                problems.append(start_refusal("start_supabase_jwt_secret_short"))
        return problems

    def production_problems(self) -> list[str]:
        """Why these settings are unsafe outside development (empty when they are fine). Checked at start-up."""
        if self.dev_mode:  # development: a missing secret is answered 503 auth_not_configured, not refused here
            return []
        problems = []
        if not self.database_url:  # empty means the embedded PostgreSQL: a development convenience
            problems.append(start_refusal("start_database_url_required"))
        problems += self.configuration_problems()
        if self.auth_mode == AuthMode.LOCAL:
            problems.append(start_refusal("start_auth_mode_local"))
        if self.auth_mode == AuthMode.SUPABASE and self.supabase_url.startswith("http://"):
            problems.append(start_refusal("start_supabase_https"))
        if not self.public_url.startswith("https://"):
            problems.append(start_refusal("start_public_url"))
        if not self.photos_on_disk and not (self.supabase_url and self.supabase_service_role_key.get_secret_value()):
            problems.append(start_refusal("start_photos_store"))
        problems += self._notify_problems()
        return problems

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def seed_dir(self) -> Path:
        return self.assets_dir / "seed"


@lru_cache
def get_settings() -> Settings:
    return Settings()
