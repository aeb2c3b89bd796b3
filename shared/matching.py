"""Ranking a college's student technicians for one job. Pure: the dispatcher feeds it rows from the database."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    technician_id: str
    skill_level: int  # the best level they bring to this job's category (see shared.categories.skill_score)
    open_jobs: int  # jobs they hold now (accepted … quality check), as lead or helper (private.jobs_in_hand)
    rating: float | None  # mean citizen rating of their past jobs
    distance_km: float = 0.0  # from the job; the same for a whole college until students carry their own location
    last_offered: datetime | None = None  # when they were last offered any job (None: never)


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: higher skill, then fewer open jobs (spread the work and the learning), then nearer, then better
    rated; then the one offered a job least recently (never offered first): students equal on all of that take turns,
    each job's offers going to those who have waited longest for one, so the same few are not asked every time while
    others of the same skill are never asked (a job is a student's training hours and credit); ties by id last, so a
    re-run of the same dispatch on the same data offers to the same people."""
    return sorted(
        candidates,
        key=lambda c: (-c.skill_level, c.open_jobs, round(c.distance_km, 1),
                       -(c.rating if c.rating is not None else 3.0),
                       c.last_offered is not None, c.last_offered.timestamp() if c.last_offered else 0.0,
                       c.technician_id),
    )
