"""Typed async client for the Fixit backend: every failure comes out as one ApiError."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, Unpack
from uuid import UUID

import httpx
from pydantic import TypeAdapter, ValidationError

from mobile.models import (
    Category,
    College,
    DuplicateSummary,
    LedgerRow,
    Offer,
    OtpRequested,
    Profile,
    RequestDetail,
    RequestSummary,
    SignedIn,
    SupervisorDashboard,
    SupervisorQueue,
    TechnicianItem,
    UploadedPhoto,
    WaitingRequest,
    WorkDetail,
    WorkReport,
)
from shared.text import Bilingual, Locale, error_text

T = TypeVar("T")

# Codes with which the backend says "this token is no good": the app must sign in again.
AUTH_LOST_CODES = frozenset({"token_invalid", "not_authenticated"})
NETWORK_UNREACHABLE = "network_unreachable"

# Built once: a TypeAdapter compiles a validator, which is too slow to repeat on every call.
_OTP_REQUESTED = TypeAdapter(OtpRequested)
_SIGNED_IN = TypeAdapter(SignedIn)
_PROFILE = TypeAdapter(Profile)
_CATEGORIES = TypeAdapter(list[Category])
_REQUESTS = TypeAdapter(list[RequestSummary])
_OFFERS = TypeAdapter(list[Offer])
_QUEUE = TypeAdapter(SupervisorQueue)
_COLLEGES = TypeAdapter(list[College])
_REQUEST_DETAIL = TypeAdapter(RequestDetail)
_UPLOADED_PHOTO = TypeAdapter(UploadedPhoto)
_DUPLICATES = TypeAdapter(DuplicateSummary)
_WORK_DETAIL = TypeAdapter(WorkDetail)
_WORK_REPORT = TypeAdapter(WorkReport)
_DASHBOARD = TypeAdapter(SupervisorDashboard)
_TECHNICIANS = TypeAdapter(list[TechnicianItem])
_TECHNICIAN = TypeAdapter(TechnicianItem)
_LEDGER = TypeAdapter(list[LedgerRow])
_WAITING = TypeAdapter(list[WaitingRequest])


class _SendOptions(TypedDict, total=False):
    json: Mapping[str, Any] | None
    files: Mapping[str, tuple[str, bytes, str]] | None
    params: Mapping[str, str] | None
    auth: bool


@dataclass(frozen=True)
class ApiError(Exception):
    status: int  # 0 when no HTTP answer arrived at all
    code: str
    message_th: str
    message_en: str
    # Per-field problems of a 400 on a form (field name -> its message), e.g. {"item": ...}.
    fields: Mapping[str, Bilingual] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, status: int, code: str) -> "ApiError":
        text = error_text(code)
        return cls(status, code, text.th, text.en)

    @property
    def text(self) -> Bilingual:
        return Bilingual(self.message_th, self.message_en)

    def message(self, locale: Locale) -> str:
        return self.text.in_(locale)

    @property
    def is_auth_lost(self) -> bool:
        return self.status == 401 or self.code in AUTH_LOST_CODES

    @property
    def is_network(self) -> bool:
        return self.code == NETWORK_UNREACHABLE

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message_en}"


def _error_from_response(response: httpx.Response) -> ApiError:
    try:
        error = response.json()["error"]
        return ApiError(
            response.status_code,
            str(error["code"]),
            str(error["message_th"]),
            str(error["message_en"]),
            _field_errors(error.get("fields")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        # A proxy's HTML page or an empty body: still tell the person something in their language.
        code = "not_authenticated" if response.status_code == 401 else "internal_error"
        return ApiError.from_catalog(response.status_code, code)


def _field_errors(raw: Any) -> dict[str, Bilingual]:
    if not isinstance(raw, dict):
        return {}
    fields: dict[str, Bilingual] = {}
    for name, problem in raw.items():
        if isinstance(problem, dict):
            code = str(problem.get("code", ""))
            fallback = error_text(code)
            fields[str(name)] = Bilingual(
                str(problem.get("message_th") or fallback.th), str(problem.get("message_en") or fallback.en)
            )
    return fields


class ApiClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = 10.0,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.token = token
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout_seconds,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request_otp(self, phone: str) -> OtpRequested:
        data = await self._call("POST", "/auth/otp/request", json={"phone": phone}, auth=False)
        return _parse(_OTP_REQUESTED, data)

    async def verify_otp(self, phone: str, code: str) -> SignedIn:
        data = await self._call("POST", "/auth/otp/verify", json={"phone": phone, "code": code}, auth=False)
        return _parse(_SIGNED_IN, data)

    async def me(self) -> Profile:
        return _parse(_PROFILE, await self._call("GET", "/me"))

    async def update_me(self, *, display_name: str | None = None, locale: Locale | None = None) -> Profile:
        body: dict[str, str] = {}
        if display_name is not None:
            body["display_name"] = display_name
        if locale is not None:
            body["locale"] = locale.value
        return _parse(_PROFILE, await self._call("PATCH", "/me", json=body))

    async def categories(self) -> list[Category]:
        return _parse(_CATEGORIES, await self._call("GET", "/categories"))

    async def my_requests(self) -> list[RequestSummary]:
        return _parse(_REQUESTS, await self._call("GET", "/requests/mine"))

    async def create_request(self, body: Mapping[str, Any]) -> RequestDetail:
        """POST /requests; a retry with the same idempotency_key returns the first request, not a second."""
        return _parse(_REQUEST_DETAIL, await self._call("POST", "/requests", json=body))

    async def upload_request_photo(
        self, request_id: UUID, idx: int, data: bytes, content_type: str
    ) -> UploadedPhoto:
        """PUT one processed photo at its index; idempotent per (request, idx), so a retry is safe."""
        return await self._put_photo(f"/requests/{request_id}/photos/{idx}", idx, data, content_type)

    async def request_detail(self, request_id: UUID) -> RequestDetail:
        return _parse(_REQUEST_DETAIL, await self._call("GET", f"/requests/{request_id}"))

    async def request_photo(self, request_id: UUID, kind: str, idx: int, *, thumb: bool = True) -> bytes:
        """The image bytes (webp or jpeg) of one photo; the thumbnail unless thumb=False."""
        params = {"thumb": "true"} if thumb else None
        response = await self._send("GET", f"/requests/{request_id}/photos/{kind}/{idx}", params=params)
        return response.content

    async def cancel_request(self, request_id: UUID, note: str = "") -> RequestDetail:
        data = await self._call("POST", f"/requests/{request_id}/cancel", json={"note": note})
        return _parse(_REQUEST_DETAIL, data)

    async def rate_request(self, request_id: UUID, rating: int, comment: str = "") -> RequestDetail:
        body = {"rating": rating, "comment": comment}
        return _parse(_REQUEST_DETAIL, await self._call("POST", f"/requests/{request_id}/rate", json=body))

    async def reopen_request(self, request_id: UUID, note: str = "") -> RequestDetail:
        data = await self._call("POST", f"/requests/{request_id}/reopen", json={"note": note})
        return _parse(_REQUEST_DETAIL, data)

    async def duplicates(self, category_code: str, lat: float, lon: float) -> DuplicateSummary:
        params = {"category_code": category_code, "lat": str(lat), "lon": str(lon)}
        return _parse(_DUPLICATES, await self._call("GET", "/requests/duplicates", params=params))

    async def technician_offers(self) -> list[Offer]:
        return _parse(_OFFERS, await self._call("GET", "/technician/offers"))

    async def technician_jobs(self) -> list[RequestSummary]:
        return _parse(_REQUESTS, await self._call("GET", "/technician/jobs"))

    async def supervisor_queue(self) -> SupervisorQueue:
        return _parse(_QUEUE, await self._call("GET", "/supervisor/queue"))

    async def colleges(self) -> list[College]:
        return _parse(_COLLEGES, await self._call("GET", "/colleges"))

    # --- the technician's work --------------------------------------------------------------------

    async def accept_offer(self, offer_id: UUID) -> WorkDetail:
        """409 offer_not_open when another technician took it first, or it expired or was withdrawn."""
        return _parse(_WORK_DETAIL, await self._call("POST", f"/offers/{offer_id}/accept"))

    async def decline_offer(self, offer_id: UUID) -> None:
        await self._send("POST", f"/offers/{offer_id}/decline")

    async def work_detail(self, request_id: UUID) -> WorkDetail:
        """GET /requests/{id} for the assigned technician or the college's supervisor, report included."""
        return _parse(_WORK_DETAIL, await self._call("GET", f"/requests/{request_id}"))

    async def change_status(
        self, request_id: UUID, to_status: str, note: str = "", reason: str | None = None
    ) -> WorkDetail:
        body: dict[str, Any] = {"to_status": to_status, "note": note}
        if reason is not None:
            body["reason"] = reason
        return _parse(_WORK_DETAIL, await self._call("POST", f"/requests/{request_id}/status", json=body))

    async def upload_after_photo(self, request_id: UUID, idx: int, data: bytes, content_type: str) -> UploadedPhoto:
        """PUT one processed after-repair photo at its index; idempotent per (request, idx)."""
        return await self._put_photo(f"/requests/{request_id}/after-photos/{idx}", idx, data, content_type)

    async def save_report(self, request_id: UUID, body: Mapping[str, Any]) -> WorkReport:
        return _parse(_WORK_REPORT, await self._call("PUT", f"/requests/{request_id}/report", json=body))

    # --- the supervisor's tools -------------------------------------------------------------------

    async def assign(self, request_id: UUID, technician_id: UUID) -> WorkDetail:
        body = {"technician_id": str(technician_id)}
        return _parse(_WORK_DETAIL, await self._call("POST", f"/requests/{request_id}/assign", json=body))

    async def supervisor_dashboard(self) -> SupervisorDashboard:
        return _parse(_DASHBOARD, await self._call("GET", "/supervisor/dashboard"))

    async def supervisor_technicians(self) -> list[TechnicianItem]:
        return _parse(_TECHNICIANS, await self._call("GET", "/supervisor/technicians"))

    async def update_technician(self, technician_id: UUID, body: Mapping[str, Any]) -> TechnicianItem:
        data = await self._call("PUT", f"/supervisor/technicians/{technician_id}", json=body)
        return _parse(_TECHNICIAN, data)

    async def supervisor_ledger(self) -> list[LedgerRow]:
        return _parse(_LEDGER, await self._call("GET", "/supervisor/ledger"))

    async def supervisor_csv(self, name: str) -> bytes:
        """The bytes of /supervisor/jobs.csv or /supervisor/ledger.csv (UTF-8 with a BOM), fetched with the token."""
        if name not in ("jobs", "ledger"):
            raise ValueError(name)
        response = await self._send("GET", f"/supervisor/{name}.csv")
        return response.content

    # --- the admin's tools ---------------------------------------------------------------------------

    async def admin_waiting(self) -> list[WaitingRequest]:
        """Requests in status no_centre: no college in range took them."""
        return _parse(_WAITING, await self._call("GET", "/admin/waiting"))

    async def dispatch(self, request_id: UUID, college_id: UUID | None) -> RequestDetail:
        """Send a waiting request to a college, or (college_id None) run the automatic matching again.

        409 no_fitting_student: no student of that college has the skills; 409 illegal_transition: it moved on.
        """
        body = {"college_id": None if college_id is None else str(college_id)}
        return _parse(_REQUEST_DETAIL, await self._call("POST", f"/requests/{request_id}/dispatch", json=body))

    async def _put_photo(self, path: str, idx: int, data: bytes, content_type: str) -> UploadedPhoto:
        extension = "webp" if content_type == "image/webp" else "jpg"
        files = {"file": (f"{idx}.{extension}", data, content_type)}
        return _parse(_UPLOADED_PHOTO, await self._call("PUT", path, files=files))

    async def _call(self, method: str, path: str, **options: Unpack[_SendOptions]) -> Any:
        """_send, then the JSON body (a body that is not JSON is a server fault)."""
        response = await self._send(method, path, **options)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError.from_catalog(response.status_code, "internal_error") from exc

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        try:
            response = await self._http.request(
                method, path, json=json, files=files, params=params, headers=headers
            )
        except httpx.TransportError as exc:  # refused connections, DNS failures, timeouts, drops
            raise ApiError.from_catalog(0, NETWORK_UNREACHABLE) from exc
        if response.is_error:
            raise _error_from_response(response)
        return response


def _parse(adapter: TypeAdapter[T], data: Any) -> T:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        # A backend that breaks the contract is a server fault, not something the person can fix.
        raise ApiError.from_catalog(200, "internal_error") from exc
