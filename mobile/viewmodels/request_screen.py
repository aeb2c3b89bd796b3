"""What the owner's request detail and the job screen (the student's, the supervisor's review) share:
one request loaded by id, its photos with thumbnails fetched after it shows, its timeline, back, a notice."""

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar, Unpack, get_args
from uuid import UUID

from mobile.api_client import ApiClient
from mobile.models import PhotoRef, RequestDetail
from mobile.viewmodels.loadable import ScreenWiring, SubScreen
from mobile.viewmodels.photo_viewer import OpenPhotos
from mobile.viewmodels.session import Session
from mobile.viewmodels.thumbnails import PhotoKey, Thumbnails
from shared.display_names import first_word
from shared.statuses import RequestStatus
from shared.text import ACTOR_LABELS, EVENT_NOTES, bilingual, status_label
from shared.wire import PhotoKind

D = TypeVar("D", bound=RequestDetail)


@dataclass(frozen=True)
class TimelineRow:
    status: str  # the label of the status moved to
    who: str  # the first word of their name (shared.display_names.first_word, as the backend names them), or the role
    at: datetime
    note: str
    # A high-risk work step's teacher named present ("ครูควบคุม: <name>"), as the detail gives it; "" on other rows.
    teacher_present: str = ""


class RequestScreen(SubScreen, Generic[D]):
    def __init__(self, api: ApiClient, session: Session, request_id: UUID, **wiring: Unpack[ScreenWiring]) -> None:
        super().__init__(api, session, **wiring)
        self.request_id = request_id
        self.detail: D | None = None
        self.thumbnails = Thumbnails(api)
        # Set by the app: the full-screen photo viewer.
        self.on_open_photos: OpenPhotos | None = None

    def photos(self, kind: str) -> list[PhotoRef]:
        if self.detail is None:
            return []
        return sorted((p for p in self.detail.photos if p.kind == kind), key=lambda p: p.idx)

    def thumbnail(self, kind: str, idx: int) -> bytes | None:
        """None while it loads, or when it could not be fetched: the view shows a placeholder."""
        return self.thumbnails.get(self.request_id, kind, idx)

    async def open_photo(self, kind: str, idx: int) -> None:
        """Full screen, with the request's other photos (before, then after) a swipe or a tap away."""
        keys: list[PhotoKey] = [(self.request_id, k, p.idx) for k in get_args(PhotoKind) for p in self.photos(k)]
        wanted = (self.request_id, kind, idx)
        if self.on_open_photos is not None and wanted in keys:
            await self.on_open_photos(keys, keys.index(wanted), self.thumbnails)

    @property
    def timeline(self) -> list[TimelineRow]:
        if self.detail is None:
            return []
        return [
            TimelineRow(
                status=self._step_text(entry.from_status, entry.to_status),
                who=first_word(entry.actor_name) or self._actor_text(entry.actor),
                at=entry.created_at,
                note=(entry.note or "").strip(),
                teacher_present=self._teacher_present_text(entry.teacher_present_name),
            )
            for entry in sorted(self.detail.timeline, key=lambda e: e.created_at)
        ]

    async def _loaded(self) -> None:
        photos = self.detail.photos if self.detail is not None else []
        self.thumbnails.follow(((self.request_id, p.kind, p.idx), p.id) for p in photos)
        if await self.thumbnails.fetch((self.request_id, p.kind, p.idx) for p in photos):
            self._changed()

    def _teacher_present_text(self, name: str | None) -> str:
        named = first_word(name)
        return bilingual("timeline_teacher_present", name=named).in_(self.locale) if named else ""

    def _step_text(self, from_raw: str | None, to_raw: str | None) -> str:
        """The label of a step on the timeline; a citizen's reopen reads "still broken", not "received"."""
        if from_raw == RequestStatus.HANDED_BACK and to_raw == RequestStatus.SUBMITTED:
            return EVENT_NOTES["still_broken"].in_(self.locale)
        return self._status_text(to_raw)

    def _status_text(self, raw: str | None) -> str:
        try:
            return status_label(RequestStatus(raw or ""), self.locale)
        except ValueError:
            return raw or ""

    def _actor_text(self, actor: str | None) -> str:
        """The role of whoever made a change without a name: "ช่าง", "ระบบ"; an unknown one as it came."""
        label = ACTOR_LABELS.get(actor or "")
        return label.in_(self.locale) if label else (actor or "")
