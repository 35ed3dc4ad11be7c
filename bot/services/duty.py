"""Permanences (weekly duty slots) and what the clock does with them.

Slots are weekly, in the territory's local time (Europe/Paris by default), so a permanence on
Monday from 14:00 to 18:00 stays at 14:00 local time across daylight-saving changes. One-off
exceptions cancel permanences (absences, holidays) or add one (an extra permanence).

The reminder sweep is a pure function of the database and ``now``: what is due and not yet
recorded in ``clock_events`` is done, and recorded in the same transaction as its messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.i18n import t
from storage.models import (
    DutyException,
    DutyExceptionKind,
    DutySlot,
    Educator,
)
from storage.models.duty import MINUTES_PER_DAY

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    **{name: index for index, name in enumerate(WEEKDAYS)},
    **{name: index for index, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{
        name: index
        for index, name in enumerate(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        )
    },
    **{
        name: index
        for index, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*$")

# The reminder sweep looks this far back for permanences that ended (hand-over, going off duty).
END_REMINDER_GRACE = timedelta(hours=2)
OFF_DUTY_LOOKBACK = timedelta(hours=12)
# A start reminder sent later than this after the start says "started at".
LATE_START = timedelta(minutes=5)
# How far ahead the next permanence is looked for.
NEXT_HORIZON = timedelta(days=35)

START, END, OFF = "duty.start", "duty.end", "duty.off"


class PlanningError(ValueError):
    """A permanence that cannot be saved; ``code`` names the catalog sentence."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


# -- parsing and wording ----------------------------------------------------------------------


def parse_day(text: str) -> int:
    try:
        return _DAY_ALIASES[text.strip().lower().rstrip(".")]
    except KeyError:
        raise PlanningError("day") from None


def parse_time(text: str) -> int:
    """ "14:00", "14h", "14h30", "9" → minutes after midnight; "24:00" is the end of the day."""
    match = _TIME.match(text or "")
    if match is None:
        raise PlanningError("time")
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    value = hours * 60 + minutes
    if minutes >= 60 or value > MINUTES_PER_DAY:
        raise PlanningError("time")
    return value


def format_minute(minute: int) -> str:
    if minute % MINUTES_PER_DAY == 0:
        return t("duty.time.midnight")
    hours, minutes = divmod(minute % MINUTES_PER_DAY, 60)
    return t("duty.time.hm", h=hours, m=f"{minutes:02d}") if minutes else t("duty.time.h", h=hours)


def format_clock(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return format_minute(local.hour * 60 + local.minute)


def day_name(weekday: int) -> str:
    return t(f"duty.day.{WEEKDAYS[weekday]}")


def slot_label(slot: DutySlot) -> str:
    """ "lundi 14h–18h" """
    return t(
        "duty.slot.label",
        day=day_name(slot.weekday),
        start=format_minute(slot.start_minute),
        end=format_minute(slot.end_minute),
    )


def date_label(day: date) -> str:
    """ "lundi 14 décembre" """
    return t(
        "duty.date",
        day=day_name(day.weekday()),
        number=day.day,
        month=t(f"duty.month.{day.month}"),
    )


# -- occurrences: pure computation --------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One permanence happening: a weekly slot on one local date, or an extra one."""

    educator_id: int
    key: str
    start: datetime
    end: datetime


def local_moment(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` after local midnight of ``day`` (1440 = next midnight).

    A wall-clock time skipped by the spring change (02:30) is read with the offset before it,
    so it lands just after the change; a repeated one (autumn) is its first occurrence."""
    day = day + timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return local.astimezone(timezone.utc)


def occurrences(
    slots: Iterable[DutySlot],
    exceptions: Iterable[DutyException],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> list[Occurrence]:
    """Permanences overlapping ``[start, end)``, absences removed, earliest first."""
    slots = list(slots)
    exceptions = list(exceptions)
    found: list[Occurrence] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            begins = local_moment(day, slot.start_minute, tz)
            ends = local_moment(day, slot.end_minute, tz)
            if ends > start and begins < end and ends > begins:
                found.append(
                    Occurrence(slot.educator_id, f"slot:{slot.id}:{day.isoformat()}", begins, ends)
                )
        day += timedelta(days=1)
    for exception in exceptions:
        if (
            exception.kind == DutyExceptionKind.EXTRA
            and exception.ends_at > start
            and exception.starts_at < end
        ):
            found.append(
                Occurrence(
                    exception.educator_id,
                    f"extra:{exception.id}",
                    exception.starts_at,
                    exception.ends_at,
                )
            )
    absences = [e for e in exceptions if e.kind == DutyExceptionKind.ABSENCE]
    kept = [
        occurrence
        for occurrence in found
        if not any(
            absence.educator_id == occurrence.educator_id
            and absence.starts_at < occurrence.end
            and absence.ends_at > occurrence.start
            for absence in absences
        )
    ]
    return sorted(kept, key=lambda o: (o.start, o.educator_id, o.key))


def educator_blocks(found: Sequence[Occurrence]) -> list[Occurrence]:
    """Each educator's back-to-back or overlapping permanences joined into one: no "end" and
    "start" reminders at 16:00 between 14:00–16:00 and 16:00–18:00. A block keeps the key of
    its first permanence."""
    blocks: list[Occurrence] = []
    by_educator: dict[int, list[Occurrence]] = {}
    for occurrence in found:
        by_educator.setdefault(occurrence.educator_id, []).append(occurrence)
    for educator_id, items in by_educator.items():
        current: Occurrence | None = None
        for item in sorted(items, key=lambda o: (o.start, o.key)):
            if current is not None and item.start <= current.end:
                if item.end > current.end:
                    current = Occurrence(educator_id, current.key, current.start, item.end)
                continue
            if current is not None:
                blocks.append(current)
            current = item
        if current is not None:
            blocks.append(current)
    return sorted(blocks, key=lambda o: (o.start, o.educator_id))


def team_windows(found: Sequence[Occurrence]) -> list[tuple[datetime, datetime]]:
    """When at least one educator is on permanence: overlapping or touching ones joined."""
    windows: list[tuple[datetime, datetime]] = []
    for occurrence in sorted(found, key=lambda o: o.start):
        if windows and occurrence.start <= windows[-1][1]:
            if occurrence.end > windows[-1][1]:
                windows[-1] = (windows[-1][0], occurrence.end)
        else:
            windows.append((occurrence.start, occurrence.end))
    return windows


def next_window(
    found: Sequence[Occurrence], now: datetime
) -> tuple[datetime, datetime] | None:
    """The team's permanence going on now, or else the next one."""
    for window in team_windows(found):
        if window[1] > now:
            return window
    return None


def describe_window(window: tuple[datetime, datetime], now: datetime, tz: ZoneInfo) -> str:
    """ "lundi de 14h à 18h", "aujourd'hui jusqu'à 18h", "demain de 9h à 12h30"…"""
    start, end = window
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    today = now.astimezone(tz).date()

    def day_words(day: date) -> str:
        delta = (day - today).days
        if delta == 0:
            return t("duty.when.today")
        if delta == 1:
            return t("duty.when.tomorrow")
        if 1 < delta < 7:
            return day_name(day.weekday())
        return date_label(day)

    end_day = local_end.date()
    if local_end.hour == 0 and local_end.minute == 0:
        end_day -= timedelta(days=1)  # "jusqu'à minuit" belongs to the day before
    if start <= now:
        if end_day == today:
            return t("duty.when.until", until=format_clock(end, tz))
        return t("duty.when.until_day", day=day_words(end_day), until=format_clock(end, tz))
    if end_day == local_start.date():
        return t(
            "duty.when.range",
            day=day_words(local_start.date()),
            start=format_clock(start, tz),
            end=format_clock(end, tz),
        )
    return t(
        "duty.when.span",
        day=day_words(local_start.date()),
        start=format_clock(start, tz),
        end_day=day_words(end_day),
        end=format_clock(end, tz),
    )


# -- the service ------------------------------------------------------------------------------


@dataclass
class ReminderSweep:
    started: list[int] = field(default_factory=list)  # educator ids reminded at a start
    put_on_duty: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    off_duty: list[int] = field(default_factory=list)


class DutyService:
    def __init__(self, uow) -> None:
        self.uow = uow

    @property
    def tz(self) -> ZoneInfo:
        return self.uow.settings.service.tz

    # -- reading the planning ------------------------------------------------------------------

    async def occurrences_between(self, start: datetime, end: datetime) -> list[Occurrence]:
        planning = self.uow.planning
        return occurrences(
            await planning.active_slots(),
            await planning.active_exceptions(ending_after=start - timedelta(days=1)),
            start,
            end,
            self.tz,
        )

    async def next_window(self, now: datetime | None = None) -> tuple[datetime, datetime] | None:
        now = now or self.uow.now()
        return next_window(await self.occurrences_between(now, now + NEXT_HORIZON), now)

    async def next_permanence_sentence(self, now: datetime | None = None) -> str | None:
        """ "Les éducateur·rice·s sont là lundi de 14h à 18h." — or None without permanences."""
        now = now or self.uow.now()
        window = await self.next_window(now)
        if window is None:
            return None
        return t("duty.next", when=describe_window(window, now, self.tz))

    async def nobody_on_duty_text(self, lines: str) -> str:
        """What a young person asking for an educator reads when nobody is on duty."""
        sentence = await self.next_permanence_sentence()
        if sentence is None:
            return t("queue.nobody_on_duty", lines=lines)
        return t("duty.nobody_on_duty", next=sentence, lines=lines)

    # -- changing the planning ---------------------------------------------------------------

    async def add_slot(
        self, educator: Educator, weekday: int, start_minute: int, end_minute: int
    ) -> DutySlot:
        if not 0 <= weekday <= 6:
            raise PlanningError("day")
        if not 0 <= start_minute < end_minute <= MINUTES_PER_DAY:
            raise PlanningError("order")
        for slot in await self.uow.planning.slots(educator.id):
            if (
                slot.weekday == weekday
                and slot.start_minute < end_minute
                and start_minute < slot.end_minute
            ):
                raise PlanningError("overlap")
        slot = await self.uow.planning.add_slot(
            DutySlot(
                educator_id=educator.id,
                weekday=weekday,
                start_minute=start_minute,
                end_minute=end_minute,
                created_at=self.uow.now(),
            )
        )
        await self.uow.audit.record(
            "duty.slot_added", self.uow.now(), educator_id=educator.id, slot_id=slot.id
        )
        return slot

    async def remove_slot(self, slot_id: int) -> DutySlot | None:
        slot = await self.uow.planning.get_slot(slot_id)
        if slot is None:
            return None
        await self.uow.planning.remove_slot(slot_id)
        await self.uow.audit.record(
            "duty.slot_removed", self.uow.now(), educator_id=slot.educator_id, slot_id=slot_id
        )
        return slot

    async def add_absence(self, educator: Educator, first: date, last: date) -> DutyException:
        """Whole local days, ``first`` to ``last`` included."""
        if last < first:
            raise PlanningError("order")
        exception = await self.uow.planning.add_exception(
            DutyException(
                educator_id=educator.id,
                kind=DutyExceptionKind.ABSENCE,
                starts_at=local_moment(first, 0, self.tz),
                ends_at=local_moment(last, MINUTES_PER_DAY, self.tz),
                created_at=self.uow.now(),
            )
        )
        await self.uow.audit.record(
            "duty.absence_added", self.uow.now(), educator_id=educator.id, exception_id=exception.id
        )
        return exception

    async def add_team_closure(self, first: date, last: date) -> list[DutyException]:
        """Holidays, a closed service: an absence for every active educator, whole local days
        ``first`` to ``last`` included. Each one can be removed on its own afterwards."""
        if last < first:
            raise PlanningError("order")
        return [
            await self.add_absence(educator, first, last)
            for educator in await self.uow.educators.all()
            if educator.active
        ]

    async def add_extra(
        self, educator: Educator, day: date, start_minute: int, end_minute: int
    ) -> DutyException:
        if not 0 <= start_minute < end_minute <= MINUTES_PER_DAY:
            raise PlanningError("order")
        exception = await self.uow.planning.add_exception(
            DutyException(
                educator_id=educator.id,
                kind=DutyExceptionKind.EXTRA,
                starts_at=local_moment(day, start_minute, self.tz),
                ends_at=local_moment(day, end_minute, self.tz),
                created_at=self.uow.now(),
            )
        )
        await self.uow.audit.record(
            "duty.extra_added", self.uow.now(), educator_id=educator.id, exception_id=exception.id
        )
        return exception

    async def remove_exception(self, exception_id: int) -> DutyException | None:
        exception = await self.uow.planning.get_exception(exception_id)
        if exception is None:
            return None
        await self.uow.planning.remove_exception(exception_id)
        await self.uow.audit.record(
            "duty.exception_removed",
            self.uow.now(),
            educator_id=exception.educator_id,
            exception_id=exception_id,
        )
        return exception

    async def set_auto_duty(self, educator: Educator, value: bool) -> None:
        await self.uow.planning.set_auto_duty(educator.id, value)
        await self.uow.audit.record(
            "duty.auto_on" if value else "duty.auto_off", self.uow.now(), educator_id=educator.id
        )

    def exception_label(self, exception: DutyException) -> str:
        start = exception.starts_at.astimezone(self.tz)
        if exception.kind == DutyExceptionKind.ABSENCE:
            last = (exception.ends_at - timedelta(minutes=1)).astimezone(self.tz).date()
            if last == start.date():
                return t("duty.absence.label_day", day=date_label(start.date()))
            return t(
                "duty.absence.label", first=date_label(start.date()), last=date_label(last)
            )
        return t(
            "duty.extra.label",
            day=date_label(start.date()),
            start=format_clock(exception.starts_at, self.tz),
            end=format_clock(exception.ends_at, self.tz),
        )

    # -- the reminder sweep (every minute) ---------------------------------------------------

    async def sweep(self, now: datetime | None = None) -> ReminderSweep:
        """Start and end reminders that are due and not yet sent; off duty once free."""
        uow = self.uow
        now = now or uow.now()
        result = ReminderSweep()
        # A day ahead, so that back-to-back permanences are seen as one block.
        found = await self.occurrences_between(now - OFF_DUTY_LOOKBACK, now + timedelta(days=1))
        blocks = educator_blocks(found)
        running = {b.educator_id for b in blocks if b.start <= now < b.end}
        auto = await uow.planning.auto_duty_ids()
        for block in blocks:
            if not block.end <= now < block.end + OFF_DUTY_LOOKBACK:
                continue
            if block.educator_id in running:
                continue  # another permanence of theirs has begun
            educator = await uow.educators.get(block.educator_id)
            if educator is None or not educator.active:
                continue
            if await uow.clock_events.mark(END, educator.id, block.key, now):
                if now < block.end + END_REMINDER_GRACE:
                    await self._end(educator, block, result, now)
                    continue
                # The end passed while no process ran: no hand-over reminder hours late, but
                # an educator put on duty by the permanence must not stay on duty for ever.
            if not await uow.clock_events.has(OFF, educator.id, block.key):
                await self._off_when_free(educator, block, result, now)
        for block in blocks:
            if not block.start <= now < block.end:
                continue
            educator = await uow.educators.get(block.educator_id)
            if educator is None or not educator.active:
                continue
            if await uow.clock_events.mark(START, educator.id, block.key, now):
                await self._start(educator, block, educator.id in auto, result, now)
        return result

    async def _start(
        self, educator: Educator, block: Occurrence, auto: bool, result: ReminderSweep, now
    ) -> None:
        uow = self.uow
        waiting = len(await uow.queue.waiting())
        count = t("duty.waiting.none") if waiting == 0 else t("duty.waiting.some", n=waiting)
        until = format_clock(block.end, self.tz)
        if now - block.start > LATE_START:
            opening = t("duty.start.late", start=format_clock(block.start, self.tz), end=until)
        else:
            opening = t("duty.start.now", end=until)
        if educator.on_duty:
            action = t("duty.start.already_on")
        elif auto:
            action = t("duty.start.auto")
        else:
            action = t("duty.start.manual")
        await uow.outbox.send_text(educator.telegram_id, f"{opening}\n{count}\n{action}")
        result.started.append(educator.id)
        if auto and not educator.on_duty:
            await uow.team.set_on_duty(educator, True, announce=False)
            result.put_on_duty.append(educator.id)

    async def _end(self, educator: Educator, block: Occurrence, result: ReminderSweep, now) -> None:
        uow = self.uow
        result.ended.append(educator.id)
        active = len(await uow.queue.assigned_to(educator.id))
        if active == 0:
            await uow.clock_events.mark(OFF, educator.id, block.key, now)
            if educator.on_duty:
                await uow.team.set_on_duty(educator, False, announce=False)
                await uow.outbox.send_text(educator.telegram_id, t("duty.end.off"))
                result.off_duty.append(educator.id)
            return
        text = t("duty.end.hand_over", n=active)
        if educator.on_duty:
            text += "\n" + t("duty.end.off_when_done")
        else:
            await uow.clock_events.mark(OFF, educator.id, block.key, now)
        await uow.outbox.send_text(educator.telegram_id, text)

    async def _off_when_free(
        self, educator: Educator, block: Occurrence, result: ReminderSweep, now
    ) -> None:
        uow = self.uow
        if not educator.on_duty:
            await uow.clock_events.mark(OFF, educator.id, block.key, now)
            return
        if await uow.queue.assigned_to(educator.id):
            return
        if await uow.clock_events.mark(OFF, educator.id, block.key, now):
            await uow.team.set_on_duty(educator, False, announce=False)
            await uow.outbox.send_text(educator.telegram_id, t("duty.end.off_now_free"))
            result.off_duty.append(educator.id)

    # -- views (Telegram and CLI) -------------------------------------------------------------

    async def educator_by_reference(self, reference: str | int) -> Educator | None:
        """An educator by Telegram id, or by internal id."""
        try:
            number = int(reference)
        except (TypeError, ValueError):
            return None
        educator = await self.uow.educators.by_telegram_id(number, active_only=False)
        if educator is None:
            educator = await self.uow.educators.get(number)
        return educator

    async def upcoming(self, educator_id: int | None = None, days: int = 7) -> list[Occurrence]:
        now = self.uow.now()
        found = await self.occurrences_between(now, now + timedelta(days=days))
        if educator_id is not None:
            found = [o for o in found if o.educator_id == educator_id]
        return found

    def occurrence_label(self, occurrence: Occurrence) -> str:
        local = occurrence.start.astimezone(self.tz)
        return t(
            "duty.occurrence.label",
            day=date_label(local.date()),
            start=format_clock(occurrence.start, self.tz),
            end=format_clock(occurrence.end, self.tz),
        )
