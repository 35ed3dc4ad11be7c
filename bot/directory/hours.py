"""Opening hours in OSM ``opening_hours`` syntax, read with the opening-hours-py library.

Everything is evaluated in the territory's time zone, public holidays (``PH``) from the French
calendar the library ships.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import opening_hours

COUNTRY = "FR"


@dataclass(frozen=True)
class HoursStatus:
    open_now: bool
    # Opening intervals of the current local day, in order (local times).
    today: tuple[tuple[time, time], ...]
    # When it next opens (local time), if closed now and it opens within a week.
    next_open: datetime | None
    # When it closes (local time), if open now.
    closes_at: datetime | None


def is_valid(expression: str) -> bool:
    return bool(opening_hours.validate(expression))


@functools.lru_cache(maxsize=4096)
def _parse(expression: str, tz_key: str) -> opening_hours.OpeningHours | None:
    try:
        return opening_hours.OpeningHours(
            expression, timezone=ZoneInfo(tz_key), country=COUNTRY, max_interval_days=8
        )
    except (SyntaxError, ValueError, opening_hours.ParserError):
        return None


def parse(expression: str | None, tz: ZoneInfo) -> opening_hours.OpeningHours | None:
    if not expression or not expression.strip():
        return None
    return _parse(expression.strip(), tz.key)


def status(expression: str | None, moment: datetime, tz: ZoneInfo) -> HoursStatus | None:
    """Open now, today's hours, next opening; None when the hours are unknown or unreadable."""
    hours = parse(expression, tz)
    if hours is None:
        return None
    local = moment.astimezone(tz)
    day_start = datetime.combine(local.date(), time(0), tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    today = []
    open_now = False
    closes_at = None
    try:
        for start, end, state, _comment in hours.intervals(day_start, day_end):
            if state != opening_hours.State.OPEN:
                continue
            start, end = start.astimezone(tz), (end or day_end).astimezone(tz)
            until = end if end < day_end else day_end
            today.append((start.time(), until.time() if until < day_end else time(0)))
            if start <= local < end:
                open_now = True
                closes_at = end
        next_open = None
        if not open_now:
            for start, _end, state, _comment in hours.intervals(local, local + timedelta(days=8)):
                if state == opening_hours.State.OPEN:
                    next_open = start.astimezone(tz)
                    break
    except (ValueError, OverflowError):
        return None
    return HoursStatus(open_now, tuple(today), next_open, closes_at)
