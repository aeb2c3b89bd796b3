"""Wire shapes of issue 14's later endpoints (the helper's jobs, level history), kept beside the credit code rather
than in mobile/models.py so the record and credit work stays in its own files."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from mobile.models import JobRecord, Payload, Portfolio, PortfolioJob


class TeamJob(Payload):
    """GET /me/team-jobs: a job the student helps on (its current round), with their own hours."""

    request_id: UUID
    ref_no: int | None = None
    item: str = ""
    status: str = ""
    category_code: str = ""
    category_th: str = ""
    category_en: str = ""
    lead_name: str | None = None
    task: str = ""
    hours: float | None = None
    approved_hours: float | None = None
    approved_at: datetime | None = None
    round: int = 1


class LevelChange(Payload):
    """GET /technicians/{id}/levels: one change of a student's level in a skill (None: the skill was removed)."""

    skill_code: str
    level: int | None = None
    changed_at: datetime


class RoundedJobRecord(JobRecord):
    """GET /requests/{id}/record with a reopened job's round: the team shown is the current round's."""

    round: int = 1
    earlier_rounds_hours: float = 0.0  # approved in the rounds before this one


class RoundedPortfolioJob(PortfolioJob):
    """A portfolio row: a reopened job repaired again has a row per approved round of work."""

    round: int = 1


class RoundedPortfolio(Portfolio):
    # The same rows, with their round (a narrower list than Portfolio's, which mypy calls an incompatible override).
    jobs: list[RoundedPortfolioJob] = Field(default_factory=list)  # type: ignore[assignment]
