"""Fakes for the app's unit tests: backends on httpx.MockTransport (sign-in, the request form, the request detail, a
job), device storage in memory, photos with EXIF, and a walker over a control tree."""

import asyncio
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import default as email_policy
from typing import Any
from uuid import uuid4

import flet as ft
import httpx
from PIL import Image

from mobile.api_client import ApiClient
from mobile.viewmodels.session import StoredSession, decode_session, encode_session
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.invitations import INVITATION_OPEN_DAYS
from shared.paging import LIST_PAGE, LIST_PAGE_MAX, NEXT_CURSOR_HEADER
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.text import Locale, error_text
from shared.wire import TAKES_JOBS_HEADER, takes_jobs_header

BASE_URL = "http://backend.test"
DEV_CODE = "123456"
PHONES = {
    "citizen": "0811111111",
    "technician": "0822222222",
    "supervisor": "0833333333",
    "admin": "0844444444",
}
COLLEGE = {
    "id": str(uuid4()),
    "code": "1310",
    "name_th": "วิทยาลัยเทคนิคเชียงใหม่",
    "name_en": "Chiang Mai Technical College",
}
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
# An invitation sent at NOW is open until then (shared.invitations.INVITATION_OPEN_DAYS): 9 ธ.ค. 2569, 13:00 ICT.
INVITED_UNTIL = (NOW + timedelta(days=INVITATION_OPEN_DAYS)).isoformat()
DISPATCH = re.compile(r"^/requests/([0-9a-f-]{36})/dispatch$")
BEFORE_PHOTO = re.compile(r"^/requests/([0-9a-f-]{36})/photos/before/(\d+)$")


def error_response(status: int, code: str, **values: object) -> httpx.Response:
    text = error_text(code, **values)
    return httpx.Response(status, json={"error": {"code": code, "message_th": text.th, "message_en": text.en}})


def exported(_: object = None) -> httpx.Response:
    """GET /me/export's answer: the person's data, a JSON file."""
    return httpx.Response(200, content=b'{"profile": {}}', headers={"content-type": "application/json"})


def request_summary(item: str, status: str, *, days_ago: int = 0) -> dict[str, Any]:
    moment = (NOW - timedelta(days=days_ago)).isoformat()
    return {
        "id": str(uuid4()),
        "category_code": "appliance",
        "category_name_th": "เครื่องใช้ไฟฟ้า",
        "category_name_en": "Household appliances",
        "category_icon": "KITCHEN",
        "item": item,
        "status": status,
        "created_at": moment,
        "updated_at": moment,
        "college_name_th": COLLEGE["name_th"],
        "college_name_en": COLLEGE["name_en"],
    }


Handler = Callable[[httpx.Request], httpx.Response]


# The long lists the backend pages (shared.paging), in its order: newest first, newest change first, oldest first.
PAGED_ORDER: dict[str, tuple[str, bool]] = {
    "/requests/mine": ("created_at", True),
    "/technician/jobs": ("updated_at", True),
    "/admin/waiting": ("created_at", False),
    "/admin/undecided": ("updated_at", False),
}


def paged_response(request: httpx.Request, rows: list[dict[str, Any]], by: str | None = None,
                   newest_first: bool = False) -> httpx.Response:
    """A page of a long list as the backend answers it: `limit` rows (LIST_PAGE when not asked) after the row whose
    cursor is `after` (the fake's cursor: that row's id; the list's start without one), in the backend's order, how
    many the whole list has in X-Total-Count and, when rows follow the page, its last row's cursor in X-Next-Cursor.
    An `offset` is refused: the app pages with `after`."""
    ordered = sorted(rows, key=lambda r: r[by], reverse=newest_first) if by is not None else list(rows)
    assert "offset" not in request.url.params, request.url
    after = request.url.params.get("after")
    ids = [str(r.get("id", r.get("request_id"))) for r in ordered]
    start = ids.index(after) + 1 if after is not None else 0
    limit = int(request.url.params.get("limit", str(LIST_PAGE)))
    assert 1 <= limit <= LIST_PAGE_MAX, limit
    page = ordered[start:start + limit]
    headers = {TOTAL_COUNT_HEADER: str(len(rows))}
    if start + limit < len(ordered):
        headers[NEXT_CURSOR_HEADER] = ids[start + limit - 1]
    return httpx.Response(200, json=page, headers=headers)


class FakeBackend:
    """The backend contract in miniature: checks what the app sends, answers what the contract says."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.offline = False
        # GET /categories (an administrator may edit it: a test changes this list).
        self.categories: list[dict[str, Any]] = [
            {"code": "appliance", "name_th": "เครื่องใช้ไฟฟ้า", "name_en": "Household appliances", "icon": "KITCHEN",
             "skills": []}]
        self.catalogue_statuses: list[int] = []  # what each GET /categories was answered: 200, or 304 unchanged
        self._hold_path: str | None = None  # hold_next()
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.tokens: dict[str, str] = {}  # token -> role
        self.locales: dict[str, str] = {}  # role -> locale stored in the profile
        self.overrides: dict[tuple[str, str], Handler] = {}
        self.display_names: dict[str, str] = {}  # role -> a display name set with PATCH /me ("" = none yet)
        # The admin's requests in status no_centre, and what POST /requests/{id}/dispatch got and answers.
        self.waiting: list[dict[str, Any]] = []
        self.undecided: list[dict[str, Any]] = []  # GET /admin/undecided
        self.dispatch_bodies: list[dict[str, Any]] = []
        self.dispatch_error: str | None = None  # e.g. "no_fitting_student": answered with a 409
        # A college's invitation waiting for the citizen's answer (GET /me/invitation), and the college's invites.
        self.invitation: dict[str, Any] | None = None
        self.invites: list[dict[str, Any]] = []
        # Roles whose account an operator suspended: they sign in (no profile) and reach their data rights only.
        self.suspended: set[str] = set()
        self.my_requests = [
            request_summary("หม้อหุงข้าว", "repairing", days_ago=1),
            request_summary("พัดลม", "offered", days_ago=3),
        ]
        # GET /requests/mine of the other roles: a student's or a teacher's own requests (none unless a test says).
        self.staff_own_requests: dict[str, list[dict[str, Any]]] = {}
        self.offers: list[dict[str, Any]] = [
            {
                "offer_id": str(uuid4()),
                "request_id": str(uuid4()),
                "offer_status": "pending",
                "category_code": "appliance",
                "item": "ตู้เย็นไม่เย็น",
                "province": "เชียงใหม่",
                "district": "เมืองเชียงใหม่",
                "distance_km": 3.24,
                "created_at": NOW.isoformat(),
                "expires_at": (NOW + timedelta(hours=20)).isoformat(),
            }
        ]
        # The offer above is an old payload, without "photo_count" (read as 0). An offer given a count serves
        # its before photos to the technician; the indexes listed here answer 500 instead.
        self.broken_photos: set[int] = set()
        self.jobs = [request_summary("โทรทัศน์", "diagnosing")]
        self.queue_counts = {"repairing": 1, "offered": 1, "done": 0}
        self.quality_check = [request_summary("เตารีด", "quality_check")]
        self.weekly = [
            {"week_start": "2026-11-16", "category_code": "appliance", "n": 2},
            {"week_start": "2026-11-23", "category_code": "appliance", "n": 4},
        ]
        self.colleges = [
            {
                **COLLEGE,
                "province_th": "เชียงใหม่",
                "province_en": "Chiang Mai",
                "region": "north",
                "lat": 18.79,
                "lon": 98.98,
                "service_radius_km": 30,
                "coordinates_approximate": False,
            }
        ]

    # --- wiring --------------------------------------------------------------------------------

    def client(self) -> ApiClient:
        return ApiClient(BASE_URL, transport=httpx.MockTransport(self._answer))

    def hold_next(self, path: str) -> None:
        """A slow phone network between the server's answer and the app: the next GET of `path` is answered as
        things stand when it arrives, but reaches the app only once `release` is set (`held` says it waits)."""
        self._hold_path = path

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        response = self.handle(request)
        if self._hold_path is not None and request.method == "GET" and request.url.path == self._hold_path:
            self._hold_path = None
            self.held.set()
            await self.release.wait()
        return response

    def issue_token(self, role: str) -> str:
        token = f"token-{role}-{uuid4().hex[:8]}"
        self.tokens[token] = role
        return token

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]

    # --- the contract ----------------------------------------------------------------------------

    def profile(self, role: str) -> dict[str, Any]:
        return {
            "id": str(uuid4()),
            "role": role,
            "display_name": self.display_names.get(
                role, {"citizen": "สมชาย ใจดี", "technician": "วิชัย", "supervisor": "ครูสมศรี"}.get(role, "ผู้ดูแล")
            ),
            "phone": normalize_thai_phone(PHONES[role]),
            "locale": self.locales.get(role, "th"),
            "college": COLLEGE if role in ("technician", "supervisor") else None,
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("connection refused", request=request)
        if self._role(request) in self.suspended and not _suspended_may(request):
            return error_response(403, "account_suspended")
        override = self.overrides.get((request.method, request.url.path))
        if override is not None:
            return override(request)
        route = (request.method, request.url.path)
        if route == ("POST", "/auth/otp/request"):
            return self._otp_request(request)
        if route == ("POST", "/auth/otp/verify"):
            return self._otp_verify(request)
        if route == ("GET", "/categories"):
            return self._catalogue(request)
        role = self._role(request)
        if role is None:
            return error_response(401, "token_invalid")
        if route == ("GET", "/me"):
            return httpx.Response(200, json=self.profile(role))
        if route == ("PATCH", "/me"):
            body = json.loads(request.content)
            if "locale" in body:
                self.locales[role] = body["locale"]
            if "display_name" in body:
                name = " ".join(str(body["display_name"]).split())
                if not 1 <= len(name) <= 80:
                    return error_response(400, "display_name_invalid")
                self.display_names[role] = name
            return httpx.Response(200, json=self.profile(role))
        if request.method == "POST" and DISPATCH.match(request.url.path):
            return self._dispatch(request, role)
        if request.method == "GET" and BEFORE_PHOTO.match(request.url.path):
            return self._offer_photo(request, role)
        owner = {
            "/requests/mine": None,  # anyone's own requests
            "/technician/offers": "technician",
            "/technician/jobs": "technician",
            "/supervisor/queue": "supervisor",
            "/supervisor/dashboard": "supervisor",
            "/colleges": None,
            "/admin/waiting": "admin",
            "/admin/undecided": "admin",
            "/me/invitation": "citizen",
            f"/colleges/{COLLEGE['id']}/invites": "supervisor",
        }
        if request.url.path not in owner:
            return error_response(404, "not_found")
        needed = owner[request.url.path]
        if needed is not None and needed != role:
            return error_response(403, "forbidden_role")
        data: Any = {
            "/requests/mine": self.my_requests if role == "citizen" else self.staff_own_requests.get(role, []),
            "/technician/offers": self.offers,
            "/technician/jobs": self.jobs,
            "/supervisor/queue": {"college": COLLEGE, "counts": self.queue_counts, "requests": self.my_requests},
            "/supervisor/dashboard": {
                "college": COLLEGE,
                "counts": self.queue_counts,
                "weekly": self.weekly,
                "quality_check": self.quality_check,
            },
            "/colleges": self.colleges,
            "/admin/waiting": self.waiting,
            "/admin/undecided": self.undecided,
            "/me/invitation": self.invitation,
            f"/colleges/{COLLEGE['id']}/invites": self.invites,
        }[request.url.path]
        if data is None:  # JSON null, as the backend answers (httpx's json=None would send no body at all)
            return httpx.Response(200, content=b"null", headers={"content-type": "application/json"})
        if request.url.path == "/technician/offers":  # the feed says whether the college lets them take jobs
            takes_jobs = bool(self.profile(role).get("takes_jobs", True))
            return httpx.Response(200, json=data, headers={TAKES_JOBS_HEADER: takes_jobs_header(takes_jobs)})
        if request.url.path in PAGED_ORDER:
            return paged_response(request, data, *PAGED_ORDER[request.url.path])
        return httpx.Response(200, json=data)

    def catalogue_etag(self) -> str:
        body = json.dumps(self.categories, ensure_ascii=False, separators=(",", ":")).encode()
        return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    def _catalogue(self, request: httpx.Request) -> httpx.Response:
        """GET /categories as the backend answers it: with an ETag from the body, and 304 without a body to an
        `If-None-Match` naming the current one."""
        etag = self.catalogue_etag()
        if request.headers.get("if-none-match") == etag:
            self.catalogue_statuses.append(304)
            return httpx.Response(304, headers={"etag": etag})
        self.catalogue_statuses.append(200)
        return httpx.Response(200, json=self.categories, headers={"etag": etag})

    def _dispatch(self, request: httpx.Request, role: str) -> httpx.Response:
        if role != "admin":
            return error_response(403, "forbidden_role")
        match = DISPATCH.match(request.url.path)
        assert match is not None
        body = json.loads(request.content)
        assert set(body) == {"college_id"}, body
        self.dispatch_bodies.append(body)
        waiting = next((w for w in self.waiting if w["id"] == match.group(1)), None)
        if waiting is None:
            return error_response(409, "illegal_transition", from_status="offered", to_status="offered")
        if self.dispatch_error is not None:
            return error_response(409, self.dispatch_error)
        self.waiting.remove(waiting)
        college = next((c for c in self.colleges if c["id"] == body["college_id"]), self.colleges[0])
        detail = {**waiting, "status": "offered", "college_name_th": college["name_th"],
                  "college_name_en": college["name_en"]}
        return httpx.Response(200, json=detail)

    def _offer_photo(self, request: httpx.Request, role: str) -> httpx.Response:
        """GET /requests/{id}/photos/before/{idx}: an offered student may see idx < the offer's photo_count."""
        match = BEFORE_PHOTO.match(request.url.path)
        assert match is not None
        request_id, idx = match.group(1), int(match.group(2))
        offer = next((o for o in self.offers if o["request_id"] == request_id), None)
        if role != "technician" or offer is None or idx >= offer.get("photo_count", 0):
            return error_response(404, "not_found")
        if idx in self.broken_photos:
            return error_response(500, "internal_error")
        assert request.url.params.get("thumb") == "true", "an offer card shows thumbnails only"
        return httpx.Response(200, content=f"thumb-{idx}".encode(), headers={"content-type": "image/webp"})

    def _role(self, request: httpx.Request) -> str | None:
        header = request.headers.get("authorization", "")
        return self.tokens.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None

    def _otp_request(self, request: httpx.Request) -> httpx.Response:
        assert "authorization" not in request.headers, "sign-in calls carry no token"
        body = json.loads(request.content)
        try:
            phone = normalize_thai_phone(body["phone"])
        except InvalidPhone:
            return error_response(422, "invalid_phone")
        return httpx.Response(200, json={"phone": phone, "expires_in": 300, "dev_code": DEV_CODE})

    def _otp_verify(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["code"] != DEV_CODE:
            return error_response(400, "otp_invalid")
        phone = normalize_thai_phone(body["phone"])
        role = next(r for r, p in PHONES.items() if normalize_thai_phone(p) == phone)
        token = self.issue_token(role)
        suspended = role in self.suspended
        return httpx.Response(200, json={"access_token": token, "token_type": "bearer", "expires_in": 3600,
                                         "profile": None if suspended else self.profile(role),
                                         "suspended": suspended})


def _suspended_may(request: httpx.Request) -> bool:
    """What a suspended account may still call (the backend's test_suspended_account.py holds the real list)."""
    route = (request.method, request.url.path)
    return route in {("GET", "/me/export"), ("DELETE", "/me"), ("POST", "/auth/sign-out"), ("DELETE", "/me/line")} \
        or (request.method == "DELETE" and request.url.path.startswith("/me/devices/"))


class MemoryStore:
    """SessionStore in memory, going through the same encoding as the real device storage."""

    def __init__(self, session: StoredSession | None = None, locale: Locale | None = None) -> None:
        self.raw: str | None = encode_session(session) if session else None
        self.locale = locale

    async def load(self) -> StoredSession | None:
        return decode_session(self.raw)

    async def save(self, stored: StoredSession) -> None:
        self.raw = encode_session(stored)

    async def clear(self) -> None:
        self.raw = None

    async def load_locale(self) -> Locale | None:
        return self.locale

    async def save_locale(self, locale: Locale) -> None:
        self.locale = locale


# --- control trees ---------------------------------------------------------------------------------


def walk(control: object) -> Iterator[ft.BaseControl]:
    """Every control in a tree, following child controls in any field (content, controls, label, ...)."""
    if not isinstance(control, ft.BaseControl):
        return
    yield control
    for field in dataclasses.fields(control):
        if field.name.startswith("_") or field.name == "parent":
            continue
        value = getattr(control, field.name, None)
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, ft.BaseControl):
                yield from walk(child)


def texts(control: object) -> list[str]:
    """What a reader sees: Text values, and plain-string contents, labels and errors of other controls. A non-breaking
    space reads as a space (dates are kept whole with them: test_mobile_formatting checks they are there), as
    Playwright's name matching normalises it too."""
    found: list[str] = []
    for c in walk(control):
        if isinstance(c, ft.Text):
            found.append(c.value)
        for name in ("content", "label", "error"):
            value = getattr(c, name, None)
            if isinstance(value, str):
                found.append(value)
    return [text.replace("\u00a0", " ") if isinstance(text, str) else text for text in found]


def find(control: object, kind: type[Any], predicate: Callable[[Any], bool] = lambda _: True) -> list[Any]:
    return [c for c in walk(control) if isinstance(c, kind) and predicate(c)]


def toggles(control: object, kind: type[Any]) -> list[tuple[str, Any]]:
    """The checkboxes or switches (`kind`) of a tree, each with the label drawn beside it
    (mobile/views/common.py::labelled_toggle: the toggle and its text merged into one node under MergeSemantics)."""
    found: list[tuple[str, Any]] = []
    for merged in find(control, ft.MergeSemantics):
        row = merged.content
        if isinstance(row, ft.Row) and len(row.controls) == 2 and isinstance(row.controls[0], kind):
            (label,) = find(row.controls[1], ft.Text)
            found.append((label.value, row.controls[0]))
    return found


def button_named(control: object, name: str) -> ft.BaseControl:
    buttons = [
        c for c in walk(control)
        if isinstance(c, ft.Button | ft.TextButton | ft.OutlinedButton | ft.FilledButton) and c.content == name
    ]
    assert len(buttons) == 1, f"expected one button {name!r}, found {len(buttons)} in {texts(control)}"
    return buttons[0]


def waiting_request(item: str, lat: float | None, lon: float | None, *, days_ago: int = 0) -> dict[str, Any]:
    """A request no centre took (GET /admin/waiting): a summary with where it is."""
    return {
        **request_summary(item, "no_centre", days_ago=days_ago),
        "college_name_th": None,
        "college_name_en": None,
        "lat": lat,
        "lon": lon,
        "province": "ลำพูน",
        "district": "เมืองลำพูน",
    }


PHOTO_PATH = re.compile(r"^/requests/([0-9a-f-]+)/photos/(\d+)$")


CHIANG_MAI = (18.7883, 98.9853)


def _details(body: dict[str, Any]) -> dict[str, Any]:
    """What a POST /requests stores (the app sends it trimmed, the phone in E.164; a body without
    `location_approximate`, a draft kept by an older app, is an exact pin)."""
    return {"location_approximate": False,
            **{k: v for k, v in body.items() if k not in ("idempotency_key", "pdpa_consent")}}


class RequestBackend(FakeBackend):
    """FakeBackend plus POST /requests (idempotent per key) and PUT /requests/{id}/photos/{idx}."""

    def __init__(self) -> None:
        super().__init__()
        self.created: dict[str, dict[str, Any]] = {}  # idempotency key -> detail
        self.bodies: dict[str, dict[str, Any]] = {}  # idempotency key -> the body that stored it
        self.photos: dict[tuple[str, int], bytes] = {}
        self.photo_parts: list[tuple[str, str, str]] = []  # (part name, filename, content type)
        self.fail_photo_once: set[int] = set()

    def handle(self, request: httpx.Request) -> httpx.Response:
        route = (request.method, request.url.path)
        if route == ("POST", "/requests") and not self.offline and route not in self.overrides:
            self.requests.append(request)
            return self._create(request)
        match = PHOTO_PATH.match(request.url.path)
        if match and request.method == "PUT" and not self.offline:
            self.requests.append(request)
            return self._photo(request, match.group(1), int(match.group(2)))
        return super().handle(request)

    def _create(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer ")
        body = json.loads(request.content)
        key = body["idempotency_key"]
        if key in self.created:
            # As the backend: the same details again are the stored request; other details are refused (409).
            if _details(body) != _details(self.bodies[key]):
                return error_response(409, "idempotency_key_reused")
            return httpx.Response(200, json=self.created[key])
        self.bodies[key] = body
        summary = request_summary(body["item"], "offered")
        detail = {
            **summary,
            "created_at": (NOW.replace(hour=23)).isoformat(),
            **{k: body[k] for k in ("brand", "description", "lat", "lon", "address", "province", "district",
                                    "sub_district", "service_place", "preferred_days", "contact_phone")},
            "technician_first_name": None,
            "rating": None,
            "rating_comment": None,
            "timeline": [
                {"id": 1, "actor": "citizen", "actor_name": None, "from_status": None, "to_status": "submitted",
                 "note": "", "created_at": NOW.isoformat()}
            ],
        }
        self.created[key] = detail
        self.my_requests = [{k: detail[k] for k in summary}, *self.my_requests]
        return httpx.Response(201, json=detail)

    def _photo(self, request: httpx.Request, request_id: str, idx: int) -> httpx.Response:
        if idx in self.fail_photo_once:
            self.fail_photo_once.discard(idx)
            raise httpx.ConnectError("dropped", request=request)
        content_type = request.headers["content-type"]
        message = BytesParser(policy=email_policy).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
        )
        parts = list(message.iter_parts())
        assert len(parts) == 1
        part = parts[0]
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        self.photo_parts.append((str(name), str(part.get_filename()), part.get_content_type()))
        self.photos[(request_id, idx)] = data
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
        return httpx.Response(
            201,
            json={"id": str(uuid4()), "kind": "before", "idx": idx, "content_type": part.get_content_type(),
                  "width": width, "height": height, "bytes": len(data)},
        )

    def posts(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.calls("POST", "/requests")]


def jpeg_with_exif(colour: tuple[int, int, int] = (200, 80, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretCamera 1.0"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


DETAIL_PATH = re.compile(r"^/requests/([0-9a-f-]{36})(?:/(cancel|rate|reopen)|/photos/(before|after)/(\d+))?$")


THUMB = jpeg_with_exif((10, 200, 10), (16, 16))


class OnePersonPerPhone(RequestBackend):
    """Each role is one person across sign-ins (the base gives a new id each time); `ids` says who signs in."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}

    def profile(self, role: str) -> dict[str, Any]:
        return {**super().profile(role), "id": self.ids.setdefault(role, str(uuid4()))}


class DetailBackend(RequestBackend):
    """RequestBackend plus GET /requests/{id}, its photos, cancel / rate / reopen and duplicates."""

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[str] = ["cancel"]
        self.duplicate_hints: dict[str, Any] = {"count": 0, "capped": False, "radius_m": 150.0, "days": 7}
        self.status_after: dict[str, str] = {"cancel": "cancelled", "reopen": "submitted"}

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        at = NOW.isoformat()
        return {
            **summary,
            "brand": "Sharp",
            "technician_first_name": "วิชัย" if summary["status"] not in ("offered", "submitted") else None,
            "rating": summary.get("rating"),
            "timeline": [
                {"id": 1, "actor": "citizen", "actor_name": "สมชาย ใจดี", "to_status": "submitted",
                 "note": "", "created_at": (NOW - timedelta(days=2)).isoformat()},
                {"id": 2, "actor": "system", "actor_name": None, "from_status": "submitted",
                 "to_status": "offered", "note": "", "created_at": (NOW - timedelta(days=1)).isoformat()},
                {"id": 3, "actor": "technician", "actor_name": "วิชัย มีฝีมือ", "from_status": "offered",
                 "to_status": summary["status"], "note": "เปลี่ยนฟิวส์", "created_at": at},
            ],
            "photos": [
                {"id": str(uuid4()), "kind": "before", "idx": 0, "content_type": "image/jpeg", "width": 16,
                 "height": 16, "bytes": len(THUMB)},
                {"id": str(uuid4()), "kind": "after", "idx": 0, "content_type": "image/jpeg", "width": 16,
                 "height": 16, "bytes": len(THUMB)},
            ],
            "actions": self.actions,
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/requests/duplicates" and not self.offline:
            self.requests.append(request)
            return httpx.Response(200, json=self.duplicate_hints)
        match = DETAIL_PATH.match(request.url.path)
        if match is None or self.offline or (request.method, request.url.path) in self.overrides:
            return super().handle(request)
        self.requests.append(request)
        summary = next((r for r in self.my_requests if r["id"] == match.group(1)), None)
        if summary is None:
            return error_response(404, "not_found")
        action, kind = match.group(2), match.group(3)
        if kind is not None:
            assert request.url.params.get("thumb") == "true"
            return httpx.Response(200, content=THUMB, headers={"content-type": "image/jpeg"})
        if action is not None:
            assert request.method == "POST"
            body = json.loads(request.content)
            if action not in self.actions:
                return error_response(409, "illegal_transition")
            if action == "rate":
                if not 1 <= body["rating"] <= 5:
                    return error_response(400, "rating_invalid")
                summary["rating"] = body["rating"]
            else:
                summary["status"] = self.status_after[action]
            self.actions = []
        return httpx.Response(200, json=self.detail(summary))


JOB = re.compile(r"^/requests/([0-9a-f-]{36})(?:/(status|report|assign)|/after-photos/(\d+)|/photos/(\w+)/(\d+))?$")


STUDENT = str(uuid4())


class WorkBackend(FakeBackend):
    def __init__(self) -> None:
        super().__init__()
        self.job: dict[str, Any] = {**request_summary("โทรทัศน์", "accepted"), "contact_phone": "+66812345678",
                                    "lat": 18.79, "lon": 98.98, "address": "12 ถ.ห้วยแก้ว", "timeline": [],
                                    "photos": [], "report": None}
        self.jobs = [request_summary("โทรทัศน์", "accepted")]
        self.jobs[0]["id"] = self.job["id"]
        self.offers[0]["request_id"] = self.job["id"]
        self.offer_taken = False
        self.bodies: list[dict[str, Any]] = []
        self.uploads: list[tuple[int, bytes]] = []
        self.categories = [{"code": "appliance", "name_th": "เครื่องใช้ไฟฟ้า", "name_en": "Appliances", "icon": "KITCHEN",
                            "skills": [{"skill": "electrical", "min_level": 1, "name_th": "ไฟฟ้า",
                                        "name_en": "Electrical"}]}]
        self.students: list[dict[str, Any]] = [
                         {"id": STUDENT, "display_name": "วิชัย", "phone": None, "is_active": True, "open_jobs": 1,
                          "skills": {"electrical": 2}},
                         {"id": str(uuid4()), "display_name": "ปิติ", "is_active": False, "open_jobs": 0,
                          "skills": {}}]
        # GET /admin/requests/{id}/teachers: the job college's active teachers (none unless a test says).
        self.college_teachers: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path.startswith("/offers/"):
            self.requests.append(request)
            if self.offer_taken:
                return error_response(409, "offer_not_open")
            return httpx.Response(204) if path.endswith("/decline") else httpx.Response(200, json=self.job)
        if path == "/categories":
            self.requests.append(request)
            return self._catalogue(request)
        if path == "/supervisor/technicians" or path.startswith("/supervisor/technicians/"):
            self.requests.append(request)
            if method == "PUT":
                body = json.loads(request.content)
                self.bodies.append(body)
                return httpx.Response(200, json={**self.students[0], **body})
            return httpx.Response(200, json=self.students)
        if path == "/supervisor/ledger":
            self.requests.append(request)
            return httpx.Response(200, json=[{"technician_id": STUDENT, "display_name": "วิชัย", "approved_jobs": 3,
                                              "hours": 7.5, "categories": ["appliance"]}])
        if path.endswith(".csv"):
            self.requests.append(request)
            assert request.headers["authorization"].startswith("Bearer ")
            return httpx.Response(200, content="\ufeffชื่อ,ชั่วโมง\r\nวิชัย,7.5\r\n".encode(),
                                  headers={"content-type": "text/csv"})
        if path == f"/admin/requests/{self.job['id']}/teachers":
            self.requests.append(request)
            return httpx.Response(200, json=self.college_teachers)
        match = JOB.match(path)
        if match is None:
            return super().handle(request)
        self.requests.append(request)
        if match.group(4) is not None:
            return httpx.Response(200, content=b"thumb", headers={"content-type": "image/jpeg"})
        if match.group(3) is not None:
            idx = int(match.group(3))
            self.uploads.append((idx, request.content))
            photo = {"id": str(uuid4()), "kind": "after", "idx": idx, "content_type": "image/jpeg", "width": 8,
                     "height": 8, "bytes": 10}
            self.job["photos"] = [*self.job["photos"], photo]
            return httpx.Response(200, json=photo)
        action = match.group(2)
        if action is None:
            return httpx.Response(200, json=self.job)
        body = json.loads(request.content)
        self.bodies.append(body)
        if action == "report":
            total = sum(p["qty"] * p["cost_baht"] for p in body["parts"])
            self.job["report"] = {**body, "parts_total_baht": total, "updated_at": NOW.isoformat()}
            return httpx.Response(200, json=self.job["report"])
        if action == "status":
            if body["to_status"] == "unrepairable" and not body.get("reason"):
                return error_response(400, "reason_required")
            self.job["status"] = body["to_status"]
        return httpx.Response(200, json=self.job)


def icon_button_named(control: object, name: str) -> Any:
    """The one icon button read out as `name` (mobile/views/common.py::icon_button: its tooltip and its icon's label),
    e.g. the app bar's back arrow "ย้อนกลับ". Any: the app's handlers are called here without an event."""
    buttons = [c for c in walk(control) if isinstance(c, ft.IconButton) and c.tooltip == name]
    assert len(buttons) == 1, f"expected one icon button {name!r}, found {len(buttons)}"
    return buttons[0]
