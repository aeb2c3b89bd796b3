"""Reference and demo data: categories ↔ skills, colleges, one account per role, student technicians at every
college and two sample requests so each home screen has something real to show. Re-running changes nothing.

`seed --no-demo` is also how a release's new categories and skills reach production, so it runs again on a
database in use: the categories file is the source of the categories, but the colleges' list only adds the colleges
missing. A college already there is its admins' (its exact place, name, radius, phone, whether it is open) or an
official import's, never put back to the demo list's town-level guess. A demo seed (development only) brings the
demo colleges already there to the demo list's current data instead, except the fields an admin corrected."""

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from backend.colleges_import import add_missing_colleges, parse_colleges_csv, refresh_demo_colleges
from backend.db import connect

_NS = uuid.UUID("6f1c5c0e-3b1a-4c55-9d7e-0a11f1c0de00")  # demo ids are stable across re-seeds
DEMO_COLLEGE = "TC-DONMUANG"
TECHNICIANS_PER_COLLEGE = 4


@dataclass(frozen=True)
class DemoAccount:
    key: str
    phone: str  # E.164
    role: str
    display_name: str
    college_code: str | None

    @property
    def user_id(self) -> uuid.UUID:
        return uuid.uuid5(_NS, f"account:{self.key}")


DEMO_ACCOUNTS = (
    DemoAccount("citizen", "+66811111111", "citizen", "สมชาย ใจดี", None),
    DemoAccount("technician", "+66822222222", "technician", "ณัฐวุฒิ ศรีสุข", DEMO_COLLEGE),
    DemoAccount("supervisor", "+66833333333", "supervisor", "ครูสมศรี รักงาน", DEMO_COLLEGE),
    DemoAccount("admin", "+66844444444", "admin", "ผู้ดูแลระบบ", None),
)
DEMO_TECHNICIAN_SKILLS = {"electrical_appliance": 3, "electronics": 2, "refrigeration_ac": 2}
# Issue 14: finished, teacher-approved jobs at a few colleges away from the demo college (whose screens the demo
# accounts use), so the college report and the portfolios show real figures. Their owner is a demo citizen of its
# own, so the demo citizen's notifications stay as they were; each of these colleges gets a demo teacher.
ARCHIVE_COLLEGES = ("TC-CHIANGMAI", "ICEC-FANG", "TC-CHIANGRAI", "TC-LAMPANG")
ARCHIVE_JOBS_PER_COLLEGE = 3
ARCHIVE_CITIZEN = DemoAccount("archive-citizen", "+66855555555", "citizen", "สมหญิง ใจงาม", None)

_FIRST = ("กิตติพงษ์", "ธนากร", "ศุภชัย", "วรเมธ", "อนุชา", "พงศกร", "จิรายุ", "ปวีณา", "สุภาวดี", "ชนิดา",
          "ณัฐพล", "ธีรภัทร", "กมลชนก", "อรอุมา", "ภานุวัฒน์", "วีรยุทธ")
_LAST = ("แสงทอง", "บุญมา", "ทองดี", "ศรีวงศ์", "จันทร์เพ็ญ", "มั่นคง", "พรหมมา", "สายบุญ", "คำแก้ว", "อินทร์แก้ว")


@dataclass(frozen=True)
class SeedReport:
    skills: int
    categories: int
    colleges: int  # in the seed's list
    colleges_added: int  # of those, not there before (the others were kept as they are)
    accounts: int
    technicians: int
    requests: int
    colleges_refreshed: int = 0  # demo seed: demo colleges brought to the demo list's data (admins' fields kept)


Conn = psycopg.Connection[tuple[Any, ...]]


def seed(
    database_url: str, seed_dir: Path, demo: bool = True, progress: Callable[[str], None] | None = None
) -> SeedReport:
    note = progress or (lambda _msg: None)
    with psycopg.connect(database_url, autocommit=True) as conn:
        note("categories and skills")
        skills, categories = _seed_categories(conn, seed_dir / "categories.json")
        note("colleges")
        parsed = parse_colleges_csv((seed_dir / "colleges.csv").read_text(encoding="utf-8"))
        if parsed.errors:
            raise ValueError("demo colleges.csv is invalid:\n" + "\n".join(map(str, parsed.errors)))
        colleges_added = add_missing_colleges(conn, parsed.rows, approximate=True)
        accounts = technicians = requests = refreshed = 0
        if demo:
            refreshed = refresh_demo_colleges(conn, parsed.rows)
            note("demo accounts and technicians")
            with conn.transaction():
                accounts = _seed_accounts(conn)
                technicians = _seed_technicians(conn, [row.code for row in parsed.rows])
                requests = _seed_requests(conn)
                requests += _seed_approved_jobs(conn, [row.code for row in parsed.rows],
                                                json.loads((seed_dir / "categories.json").read_text("utf-8")))
    return SeedReport(skills, categories, len(parsed.rows), colleges_added, accounts, technicians, requests,
                      refreshed)


def _seed_categories(conn: Conn, path: Path) -> tuple[int, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    with conn.transaction(), conn.cursor() as cur:
        for s in data["skills"]:
            cur.execute(
                "insert into public.skills (code, name_th, name_en) values (%(code)s, %(name_th)s, %(name_en)s) "
                "on conflict (code) do update set name_th = excluded.name_th, name_en = excluded.name_en",
                s,
            )
        for c in data["categories"]:
            cur.execute(
                """insert into public.categories (code, name_th, name_en, icon, sort_order)
                   values (%(code)s, %(name_th)s, %(name_en)s, %(icon)s, %(sort_order)s)
                   on conflict (code) do update set name_th = excluded.name_th, name_en = excluded.name_en,
                       icon = excluded.icon, sort_order = excluded.sort_order""",
                c,
            )
            cur.execute("delete from public.category_skills where category_code = %s", [c["code"]])
            for need in c["skills"]:
                cur.execute(
                    "insert into public.category_skills (category_code, skill_code, min_level) values (%s, %s, %s)",
                    [c["code"], need["skill"], need["min_level"]],
                )
    return len(data["skills"]), len(data["categories"])


def _ensure_user(conn: Conn, user_id: uuid.UUID, phone: str, role: str, name: str, college_code: str | None) -> None:
    # Written the way GoTrue writes a phone user (private.create_phone_user), so Supabase Auth can sign them in.
    conn.execute("select private.create_phone_user(%s, %s, true, %s)", [user_id, phone.removeprefix("+"), name])
    conn.execute(
        """update public.profiles set role = %s, display_name = %s, phone = %s,
               college_id = (select id from public.colleges where code = %s)
           where id = %s""",
        [role, name, phone, college_code, user_id],
    )


def _set_skills(conn: Conn, user_id: uuid.UUID, skills: dict[str, int]) -> None:
    for skill, level in skills.items():
        conn.execute(
            "insert into public.technician_skills (technician_id, skill_code, level) values (%s, %s, %s) "
            "on conflict (technician_id, skill_code) do update set level = excluded.level",
            [user_id, skill, level],
        )


def _seed_accounts(conn: Conn) -> int:
    for account in DEMO_ACCOUNTS:
        _ensure_user(conn, account.user_id, account.phone, account.role, account.display_name, account.college_code)
    _set_skills(conn, DEMO_ACCOUNTS[1].user_id, DEMO_TECHNICIAN_SKILLS)
    return len(DEMO_ACCOUNTS)


def _seed_technicians(conn: Conn, colleges: list[str]) -> int:
    """Students at the demo colleges only, numbered by the CSV's order: colleges imported later (the official
    list) do not shift anyone's demo phone number."""
    skills = [row[0] for row in conn.execute("select code from public.skills order by code").fetchall()]
    count = 0
    for college_index, code in enumerate(colleges):
        rng = random.Random(code)  # the same people at the same college on every re-seed
        for n in range(TECHNICIANS_PER_COLLEGE):
            number = college_index * TECHNICIANS_PER_COLLEGE + n
            user_id = uuid.uuid5(_NS, f"technician:{code}:{n}")
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            _ensure_user(conn, user_id, f"+669{number:08d}", "technician", name, code)
            _set_skills(conn, user_id, {s: rng.randint(1, 5) for s in rng.sample(skills, 3)})
            count += 1
    return count


def _seed_requests(conn: Conn) -> int:
    """Two sample jobs of the demo citizen at the demo college: one offered to the demo technician, one he is
    repairing with his report written (an after photo is all it lacks before the teacher's quality check, which
    refuses a job without one)."""
    citizen, technician = DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[1]
    college_id = conn.execute("select id from public.colleges where code = %s", [DEMO_COLLEGE]).fetchone()
    if college_id is None:
        return 0
    samples = [
        ("sample-fan", "appliance", "พัดลมตั้งพื้น", "Hatari", "เปิดแล้วใบพัดไม่หมุน มีเสียงหึ่ง", "offered"),
        ("sample-rice-cooker", "appliance", "หม้อหุงข้าว", "Sharp", "ข้าวไม่สุก ไฟแสดงสถานะไม่ติด", "repairing"),
    ]
    path_by_status = {
        "offered": [("submitted", "system"), ("offered", "system")],
        "repairing": [("submitted", "system"), ("offered", "system"), ("accepted", "technician"),
                      ("diagnosing", "technician"), ("repairing", "technician")],
    }
    created = 0
    for key, category, item, brand, problem, status in samples:
        request_id = uuid.uuid5(_NS, f"request:{key}")
        inserted = conn.execute(
            """insert into public.repair_requests
                   (id, citizen_id, idempotency_key, category_code, item, brand, description, lat, lon, address,
                    province, district, sub_district, contact_phone, pdpa_consent_at, college_id)
               values (%s, %s, %s, %s, %s, %s, %s, 13.9125, 100.6068, 'ซอยเวฬุวนาราม 7', 'กรุงเทพมหานคร',
                       'ดอนเมือง', 'สีกัน', %s, now(), %s)
               on conflict (id) do nothing returning id""",
            [request_id, citizen.user_id, request_id, category, item, brand, problem, citizen.phone,
             college_id[0]],
        ).fetchone()
        if inserted is None:
            continue
        created += 1
        # Walk the real steps: the database's status trigger writes the timeline as it would in use.
        for to_status, actor in path_by_status[status][1:]:
            conn.execute(
                "select set_config('fixit.actor', %s, true), "
                "set_config('request.jwt.claims', %s, true)",
                [actor, json.dumps({"sub": str(technician.user_id)}) if actor == "technician" else ""],
            )
            conn.execute(
                "update public.repair_requests set status = %s, technician_id = %s where id = %s",
                [to_status, technician.user_id if to_status != "offered" else None, request_id],
            )
        # A week to answer (not the 30-minute SLA) so the demo technician still finds the offer after a long demo.
        conn.execute(
            """insert into public.offers (request_id, technician_id, college_id, status, rank, distance_km,
                                          expires_at, responded_at)
               values (%(request)s, %(technician)s, %(college)s, %(status)s::public.offer_status, 1, 1.9,
                       now() + interval '7 days',
                       case when %(status)s::public.offer_status = 'accepted' then now() end)""",
            {"request": request_id, "technician": technician.user_id, "college": college_id[0],
             "status": "pending" if status == "offered" else "accepted"},
        )
        if status == "repairing":
            conn.execute(
                """insert into public.job_reports (request_id, technician_id, hours, notes, parts)
                   values (%s, %s, 1.5, 'เทอร์โมฟิวส์ขาด เปลี่ยนใหม่ ทดสอบหุงข้าวแล้วสุกดี',
                           '[{"name": "เทอร์โมฟิวส์ 185°C", "qty": 1, "cost_baht": 25}]')""",
                [request_id, technician.user_id],
            )
    return created


def _teacher_id(code: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"teacher:{code}")


def _seed_approved_jobs(conn: Conn, colleges: list[str], categories: dict[str, Any]) -> int:
    """Handed-back jobs whose hours a teacher approved, walked through the real statuses (the triggers write the
    timeline and the audit trail), then dated back over the past weeks so their timelines hold the hours."""
    from shared.credit import credited_skill, env_factor, required_level

    needs = {c["code"]: {n["skill"]: int(n["min_level"]) for n in c["skills"]} for c in categories["categories"]}
    citizen = ARCHIVE_CITIZEN
    _ensure_user(conn, citizen.user_id, citizen.phone, citizen.role, citizen.display_name, None)
    created = 0
    for index, code in enumerate(c for c in ARCHIVE_COLLEGES if c in colleges):
        row = conn.execute("select id, lat, lon, province_th from public.colleges where code = %s", [code]).fetchone()
        if row is None:
            continue
        college_id, lat, lon, province = row
        teacher = _teacher_id(code)
        _ensure_user(conn, teacher, f"+66870{index:06d}", "supervisor", f"ครูสาธิต {province}", code)
        students = [uuid.uuid5(_NS, f"technician:{code}:{n}") for n in range(TECHNICIANS_PER_COLLEGE)]
        skills = {s: {k: int(v) for k, v in conn.execute(
            "select skill_code, level from public.technician_skills where technician_id = %s", [s]).fetchall()}
            for s in students}
        for n in range(ARCHIVE_JOBS_PER_COLLEGE):
            lead, helper = students[n % len(students)], students[(n + 1) % len(students)]
            fitting = [cat for cat, need in needs.items() if env_factor(cat).kg_item > 0
                       and (found := credited_skill(need, skills[lead])) and found[1] >= required_level(cat)]
            if not fitting:
                continue
            category = fitting[n % len(fitting)]
            request_id = uuid.uuid5(_NS, f"archive:{code}:{n}")
            inserted = conn.execute(
                """insert into public.repair_requests
                       (id, citizen_id, idempotency_key, category_code, item, description, lat, lon, province,
                        contact_phone, pdpa_consent_at, college_id)
                   values (%s, %s, %s, %s, %s, 'ตัวอย่างงานที่ซ่อมเสร็จแล้ว', %s, %s, %s, %s, now(), %s)
                   on conflict (id) do nothing returning id""",
                [request_id, citizen.user_id, request_id, category, f"งานตัวอย่าง {n + 1}", lat, lon, province,
                 citizen.phone, college_id],
            ).fetchone()
            if inserted is None:
                continue
            created += 1
            path = [("offered", "system"), ("accepted", "technician"), ("diagnosing", "technician"),
                    ("repairing", "technician"), ("quality_check", "technician"), ("done", "supervisor"),
                    ("handed_back", "supervisor")]
            for to_status, actor in path:
                who = lead if actor == "technician" else teacher
                conn.execute("select set_config('fixit.actor', %s, true), set_config('request.jwt.claims', %s, true)",
                             [actor, json.dumps({"sub": str(who)}) if actor != "system" else ""])
                conn.execute("update public.repair_requests set status = %s, technician_id = %s where id = %s",
                             [to_status, lead if to_status != "offered" else None, request_id])
            # Hours from the work: accepted 4 h before the check; dated 3–20 days back, inside one term.
            days = 3 + (index * ARCHIVE_JOBS_PER_COLLEGE + n) % 18
            offsets = {"submitted": 30, "offered": 29, "accepted": 28, "diagnosing": 27, "repairing": 26,
                       "quality_check": 24, "done": 20, "handed_back": 2}
            conn.execute(
                """update public.status_events e
                   set created_at = now() - make_interval(days => %s, hours => (%s::jsonb ->> e.to_status::text)::int)
                   where e.request_id = %s""", [days, json.dumps(offsets), request_id])
            conn.execute("update public.repair_requests set created_at = now() - make_interval(days => %s, "
                         "hours => 30) where id = %s", [days, request_id])
            conn.execute(
                """insert into public.offers (request_id, technician_id, college_id, status, rank, distance_km,
                                              expires_at, responded_at)
                   values (%s, %s, %s, 'accepted', 1, 2.5, now(), now())""", [request_id, lead, college_id])
            conn.execute("""insert into public.job_reports (request_id, technician_id, hours, notes)
                            values (%s, %s, 2.5, 'ตรวจเช็ก เปลี่ยนชิ้นส่วนที่เสีย ทดสอบใช้งานได้ปกติ')""",
                         [request_id, lead])
            conn.execute("""insert into public.job_outcomes (request_id, outcome, fault_found, recorded_by)
                            values (%s, %s, 'ชิ้นส่วนเสื่อมตามอายุการใช้งาน', %s)""",
                         [request_id, "repaired_partly" if n == 2 else "fixed", lead])
            conn.execute("""insert into public.job_handovers (request_id, method, confirmed_by)
                            values (%s, 'owner_app', %s)""", [request_id, citizen.user_id])
            approved_at = f"{days} days 1 hour"
            for member, role, hours in ((lead, "lead", 2.5), (helper, "helper", 1.5)):
                credited = credited_skill(needs[category], skills[member])
                conn.execute(
                    """insert into public.job_team (request_id, technician_id, role, hours, approved_hours,
                                                    approved_by, approved_at, skill_code, skill_level, college_id)
                       values (%s, %s, %s, %s, %s, %s, now() - %s::interval, %s, %s, %s)""",
                    [request_id, member, role, hours, hours, teacher, approved_at,
                     credited[0] if credited else None, credited[1] if credited else None, college_id])
    return created


def demo_user_ids(seed_dir: Path) -> list[uuid.UUID]:
    """Every account the demo seed makes (their phone numbers are printed in the README and by `./fixit run`)."""
    parsed = parse_colleges_csv((seed_dir / "colleges.csv").read_text(encoding="utf-8"))
    students = [uuid.uuid5(_NS, f"technician:{row.code}:{n}")
                for row in parsed.rows for n in range(TECHNICIANS_PER_COLLEGE)]
    teachers = [_teacher_id(code) for code in ARCHIVE_COLLEGES]
    return [account.user_id for account in (*DEMO_ACCOUNTS, ARCHIVE_CITIZEN)] + students + teachers


def demo_accounts_present(database_url: str, seed_dir: Path) -> bool:
    """Whether the demo seed's accounts are in this database (the production start check refuses them)."""
    with connect(database_url) as conn:
        row = conn.execute("select exists (select 1 from auth.users where id = any(%s))",
                           [demo_user_ids(seed_dir)]).fetchone()
    return bool(row and row[0])


def remove_demo_accounts(database_url: str, seed_dir: Path) -> int:
    """The demo people and everything that is theirs, in one transaction. Jobs real citizens asked for keep their
    history; a demo student on one of them is taken off it (the job goes back to its college's queue)."""
    ids = demo_user_ids(seed_dir)
    with psycopg.connect(database_url) as conn, conn.transaction():
        conn.execute("select set_config('fixit.actor', 'system', true)")
        conn.execute("delete from public.repair_requests where citizen_id = any(%s)", [ids])
        conn.execute("update public.repair_requests set technician_id = null where technician_id = any(%s)", [ids])
        # Off the teams of such jobs too (the deletion's cascade would take these rows; 0045 refuses a deletion of
        # someone still on a job in hand).
        conn.execute("delete from public.job_team where technician_id = any(%s)", [ids])
        conn.execute("delete from public.job_reports where technician_id = any(%s)", [ids])
        conn.execute("update public.request_photos set uploaded_by = null where uploaded_by = any(%s)", [ids])
        conn.execute("update public.status_events set actor_id = null where actor_id = any(%s)", [ids])
        removed = conn.execute("delete from auth.users where id = any(%s)", [ids]).rowcount
    return removed
