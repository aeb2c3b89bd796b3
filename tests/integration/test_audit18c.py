"""audit18c: a hostile review of who gets the work and who gets served (matching and dispatch fairness), on a real
PostgreSQL. Each test states a rule the code or README gives and fails today (xfail strict): the fixer removes the
mark with the fix."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.helpers import bearer, fresh_phone, sign_in

Conn = psycopg.Connection[dict[str, Any]]


@dataclass
class Place:
    colleges: dict[str, uuid.UUID]
    people: dict[str, tuple[str, str]]  # name -> (user id, phone)


def _college(conn: Conn, name: str, lat: float, lon: float, radius: int = 40) -> uuid.UUID:
    row = conn.execute(
        """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon,
                                        service_radius_km)
           values (%s, %s, %s, 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', %s, %s, %s) returning id""",
        [f"T-{uuid.uuid4().hex[:10].upper()}", f"วิทยาลัยตรวจ{name}", f"Audit {name}", lat, lon, radius],
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row["id"]))


def _person(conn: Conn, college: uuid.UUID, name: str, skills: dict[str, int], *, prefix: str = "",
            role: str = "technician") -> tuple[str, str]:
    """A student (or teacher) of `college`; `prefix` fixes the start of their id (ties are broken by id)."""
    user_id = uuid.UUID(prefix + uuid.uuid4().hex[len(prefix):]) if prefix else uuid.uuid4()
    phone = fresh_phone()
    conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, "66" + phone[1:]])
    conn.execute("update public.profiles set role = %s, college_id = %s, display_name = %s where id = %s",
                 [role, college, name, user_id])
    for skill, level in skills.items():
        conn.execute("insert into public.technician_skills values (%s, %s, %s)", [user_id, skill, level])
    return str(user_id), phone


class Builder:
    """Colleges and people made for one test; its colleges are closed at its end, leaving the area empty."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.colleges: list[uuid.UUID] = []

    def college(self, name: str, lat: float, lon: float, radius: int = 40) -> uuid.UUID:
        made = _college(self.conn, name, lat, lon, radius)
        self.colleges.append(made)
        return made

    def person(self, college: uuid.UUID, name: str, skills: dict[str, int], *, prefix: str = "",
               role: str = "technician") -> tuple[str, str]:
        return _person(self.conn, college, name, skills, prefix=prefix, role=role)


@pytest.fixture
def build(database_url: str) -> Iterator[Builder]:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        builder = Builder(conn)
        yield builder
        if builder.colleges:
            conn.execute("update public.colleges set is_active = false where id = any(%s)", [builder.colleges])


def offers(database_url: str, request_id: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select id, technician_id::text as technician_id, college_id, status, rank, distance_km::float as km "
            "from public.offers where request_id = %s order by created_at, rank", [request_id]).fetchall()


async def answer(api: Any, person: tuple[str, str], offer_id: Any, what: str) -> None:
    token, _ = await sign_in(api, person[1])
    response = await api.post(f"/offers/{offer_id}/{what}", headers=bearer(token))
    assert response.status_code in (200, 204), response.text


NEAR = (19.3050, 97.9650)  # ~0.7 km from HOME
