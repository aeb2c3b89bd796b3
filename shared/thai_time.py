"""Thai time: the server runs in UTC, people live in Asia/Bangkok (UTC+7, no daylight saving). A rule that cuts by
the day, the week or the term cuts at Bangkok's midnight, whatever the database session's TimeZone."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


def bangkok_midnight(day: date) -> datetime:
    """00:00 in Bangkok on `day`, as an aware moment (17:00 UTC the day before)."""
    return datetime.combine(day, time(0, 0), tzinfo=BANGKOK)


def bangkok_day(moment: datetime) -> date:
    """The calendar day in Bangkok at `moment` (aware)."""
    return moment.astimezone(BANGKOK).date()


def bangkok_week_start(moment: datetime, weeks_back: int = 0) -> datetime:
    """Monday 00:00 in Bangkok of the week `moment` falls in, `weeks_back` weeks earlier."""
    day = bangkok_day(moment)
    return bangkok_midnight(day - timedelta(days=day.weekday(), weeks=weeks_back))
