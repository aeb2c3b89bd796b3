"""Ranking a college's student technicians for one job. Pure: the dispatcher feeds it rows from the database."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    technician_id: str
    skill_level: int  # the best level they bring to this job's category (see shared.categories.skill_score)
    open_jobs: int  # jobs they hold now (accepted … quality check)
    rating: float | None  # mean citizen rating of their past jobs
    distance_km: float = 0.0  # from the job; the same for a whole college until students carry their own location


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: higher skill, then fewer open jobs (spread the work and the learning), then nearer, then better
    rated; ties by id so a re-run of the same dispatch offers to the same people."""
    return sorted(
        candidates,
        key=lambda c: (-c.skill_level, c.open_jobs, round(c.distance_km, 1),
                       -(c.rating if c.rating is not None else 3.0), c.technician_id),
    )
