"""/permanences in Telegram: the team's planning and each educator's, edited with buttons.

Pure rendering from the catalog plus the planning changes the buttons ask for. Callback data
(at most 64 bytes) carries everything: ``pm:add:<educator>:<day>:<start>:<end>``,
``pm:off:<educator>:<first day>:<last day>`` (educator 0: the whole team, holidays),
``pm:xtra:<educator>:<day>:<start>:<end>`` (a one-off extra permanence) and so on, so no
conversation state is kept between two presses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from bot.i18n import t
from bot.outbox import Button, Keyboard
from bot.services.duty import (
    WEEKDAYS,
    PlanningError,
    date_label,
    day_name,
    format_minute,
    slot_label,
)
from storage.models import Educator

FIRST_START_HOUR, LAST_START_HOUR = 7, 22
TEAM = 0  # in ``pm:off:…``, the whole team (holidays, the service closed)
EXTRA_DAYS = 28
ABSENCE_FIRST_DAYS = 28
ABSENCE_LENGTH_DAYS = 35


@dataclass
class View:
    text: str
    keyboard: Keyboard
    toast: str | None = None


def _rows(buttons: list[Button], width: int) -> list[list[Button]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


def _parse_day_key(value: str) -> date:
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


class PlanningViews:
    def __init__(self, uow) -> None:
        self.uow = uow

    @property
    def duty(self):
        return self.uow.duty

    def today(self) -> date:
        return self.uow.now().astimezone(self.uow.settings.service.tz).date()

    # -- views -----------------------------------------------------------------------------

    async def team(self) -> View:
        uow = self.uow
        educators = [e for e in await uow.educators.all() if e.active]
        names = {e.id: escape(e.display_name) for e in educators}
        slots = [s for s in await uow.planning.slots() if s.educator_id in names]
        lines = [t("duty.view.team.title")]
        for weekday in range(7):
            entries = [
                t(
                    "duty.view.team.entry",
                    name=names[s.educator_id],
                    start=format_minute(s.start_minute),
                    end=format_minute(s.end_minute),
                )
                for s in slots
                if s.weekday == weekday
            ]
            lines.append(
                t(
                    "duty.view.team.day",
                    day=day_name(weekday),
                    entries=", ".join(entries) or t("duty.view.nobody"),
                )
            )
        exceptions = [
            e
            for e in await uow.planning.exceptions(ending_after=uow.now())
            if e.educator_id in names
        ]
        if exceptions:
            lines.append("")
            lines.append(t("duty.view.exceptions"))
            lines += [
                t("duty.view.exception.line", name=names[e.educator_id], what=self.duty.exception_label(e))
                for e in exceptions
            ]
        sentence = await self.duty.next_permanence_sentence()
        lines.append("")
        lines.append(t("duty.view.youth_see", sentence=sentence) if sentence else t("duty.view.none_planned"))
        if not educators:
            lines.append(t("duty.view.no_educators"))
        lines.append(t("duty.view.team.hint"))
        keyboard = _rows(
            [Button(e.display_name[:32], callback_data=f"pm:ed:{e.id}") for e in educators], 2
        )
        if educators:
            keyboard.append([Button(t("duty.button.closure"), callback_data=f"pm:off:{TEAM}")])
        return View("\n".join(lines), keyboard)

    async def educator(self, educator: Educator, *, manage: bool) -> View:
        uow = self.uow
        slots = await uow.planning.slots(educator.id)
        exceptions = await uow.planning.exceptions(educator_id=educator.id, ending_after=uow.now())
        auto = await uow.planning.auto_duty(educator.id)
        lines = [t("duty.view.educator.title", name=escape(educator.display_name))]
        lines += [f"• {slot_label(s)}" for s in slots] or [t("duty.view.no_slots")]
        if exceptions:
            lines.append("")
            lines.append(t("duty.view.exceptions"))
            lines += [f"• {self.duty.exception_label(e)}" for e in exceptions]
        upcoming = await self.duty.upcoming(educator.id, days=7)
        lines.append("")
        lines.append(t("duty.view.upcoming"))
        lines += [f"• {self.duty.occurrence_label(o)}" for o in upcoming] or [
            t("duty.view.no_upcoming")
        ]
        lines.append("")
        lines.append(t("duty.view.auto.on" if auto else "duty.view.auto.off"))
        keyboard: list[list[Button]] = []
        if manage:
            keyboard += [
                [Button(t("duty.button.remove", what=slot_label(s)), callback_data=f"pm:del:{s.id}")]
                for s in slots
            ]
            keyboard += [
                [
                    Button(
                        t("duty.button.remove", what=self.duty.exception_label(e)),
                        callback_data=f"pm:exdel:{e.id}",
                    )
                ]
                for e in exceptions
            ]
            keyboard.append(
                [
                    Button(t("duty.button.add_slot"), callback_data=f"pm:add:{educator.id}"),
                    Button(t("duty.button.add_absence"), callback_data=f"pm:off:{educator.id}"),
                ]
            )
            keyboard.append(
                [Button(t("duty.button.add_extra"), callback_data=f"pm:xtra:{educator.id}")]
            )
        keyboard.append(
            [
                Button(
                    t("duty.button.auto_on" if auto else "duty.button.auto_off"),
                    callback_data=f"pm:auto:{educator.id}",
                )
            ]
        )
        if manage:
            keyboard.append([Button(t("duty.button.team"), callback_data="pm:team")])
        return View("\n".join(lines), keyboard)

    def choose_day(self, educator: Educator) -> View:
        buttons = [
            Button(day_name(i), callback_data=f"pm:add:{educator.id}:{i}") for i in range(7)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(t("duty.ask.day", name=escape(educator.display_name)), keyboard)

    def choose_start(self, educator: Educator, weekday: int) -> View:
        buttons = [
            Button(format_minute(h * 60), callback_data=f"pm:add:{educator.id}:{weekday}:{h * 60}")
            for h in range(FIRST_START_HOUR, LAST_START_HOUR + 1)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(t("duty.ask.start", day=day_name(weekday)), keyboard)

    def choose_end(self, educator: Educator, weekday: int, start: int) -> View:
        buttons = [
            Button(
                format_minute(minute),
                callback_data=f"pm:add:{educator.id}:{weekday}:{start}:{minute}",
            )
            for minute in range(start + 60, 24 * 60 + 1, 60)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(t("duty.ask.end", day=day_name(weekday), start=format_minute(start)), keyboard)

    def choose_absence_start(self, educator: Educator | None) -> View:
        """``educator`` None: a closure of the whole team (holidays)."""
        today = self.today()
        who = educator.id if educator is not None else TEAM
        buttons = [
            Button(self._short_date(today + timedelta(days=n)), callback_data=f"pm:off:{who}:{_day_key(today + timedelta(days=n))}")
            for n in range(ABSENCE_FIRST_DAYS)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        if educator is None:
            return View(t("duty.ask.closure_first"), keyboard)
        return View(t("duty.ask.absence_first", name=escape(educator.display_name)), keyboard)

    def choose_absence_end(self, educator: Educator | None, first: date) -> View:
        who = educator.id if educator is not None else TEAM
        buttons = [
            Button(
                self._short_date(first + timedelta(days=n)),
                callback_data=f"pm:off:{who}:{_day_key(first)}:{_day_key(first + timedelta(days=n))}",
            )
            for n in range(ABSENCE_LENGTH_DAYS)
        ]
        keyboard = _rows(buttons, 5) + [[self._back(educator)]]
        return View(t("duty.ask.absence_last", first=date_label(first)), keyboard)

    def choose_extra_day(self, educator: Educator) -> View:
        today = self.today()
        buttons = [
            Button(
                self._short_date(today + timedelta(days=n)),
                callback_data=f"pm:xtra:{educator.id}:{_day_key(today + timedelta(days=n))}",
            )
            for n in range(EXTRA_DAYS)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(t("duty.ask.extra_day", name=escape(educator.display_name)), keyboard)

    def choose_extra_start(self, educator: Educator, day: date) -> View:
        buttons = [
            Button(
                format_minute(h * 60),
                callback_data=f"pm:xtra:{educator.id}:{_day_key(day)}:{h * 60}",
            )
            for h in range(FIRST_START_HOUR, LAST_START_HOUR + 1)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(t("duty.ask.extra_start", day=date_label(day)), keyboard)

    def choose_extra_end(self, educator: Educator, day: date, start: int) -> View:
        buttons = [
            Button(
                format_minute(minute),
                callback_data=f"pm:xtra:{educator.id}:{_day_key(day)}:{start}:{minute}",
            )
            for minute in range(start + 60, 24 * 60 + 1, 60)
        ]
        keyboard = _rows(buttons, 4) + [[self._back(educator)]]
        return View(
            t("duty.ask.extra_end", day=date_label(day), start=format_minute(start)), keyboard
        )

    def _back(self, educator: Educator | None) -> Button:
        if educator is None:
            return Button(t("duty.button.back"), callback_data="pm:team")
        return Button(t("duty.button.back"), callback_data=f"pm:ed:{educator.id}")

    @staticmethod
    def _short_date(day: date) -> str:
        return t("duty.date.short", day=t(f"duty.day.short.{WEEKDAYS[day.weekday()]}"), number=day.day, month=day.month)

    # -- button presses --------------------------------------------------------------------

    async def press(self, data: str, actor: Educator | None, coordinator: bool) -> View | None:
        """The view after a ``pm:…`` button press; None when the actor may not do it."""
        uow = self.uow
        parts = data.split(":")[1:]
        if not parts:
            return None
        action, args = parts[0], parts[1:]
        try:
            numbers = [int(a) for a in args if a.isdigit()]
        except ValueError:
            return None
        if action == "auto" and numbers:
            target = await uow.educators.get(numbers[0])
            if target is None or not (coordinator or (actor is not None and actor.id == target.id)):
                return None
            value = not await uow.planning.auto_duty(target.id)
            await uow.duty.set_auto_duty(target, value)
            view = await self.educator(target, manage=coordinator)
            view.toast = t("duty.toast.auto_on" if value else "duty.toast.auto_off")
            return view
        if not coordinator:
            return None
        if action == "team":
            return await self.team()
        if action in ("del", "exdel") and numbers:
            if action == "del":
                removed = await uow.duty.remove_slot(numbers[0])
            else:
                removed = await uow.duty.remove_exception(numbers[0])
            if removed is None:
                return View(*(await self._team_tuple()), toast=t("duty.toast.gone"))
            target = await uow.educators.get(removed.educator_id)
            view = await self.educator(target, manage=True) if target else await self.team()
            view.toast = t("duty.toast.removed")
            return view
        if not numbers:
            return None
        if action == "off" and numbers[0] == TEAM:
            return await self._closure(args[1:])
        target = await uow.educators.get(numbers[0])
        if target is None or not target.active:
            return View(*(await self._team_tuple()), toast=t("duty.toast.gone"))
        if action == "ed":
            return await self.educator(target, manage=True)
        if action == "add":
            return await self._add(target, numbers[1:])
        if action == "off":
            return await self._absence(target, args[1:])
        if action == "xtra":
            return await self._extra(target, args[1:])
        return None

    async def _team_tuple(self) -> tuple[str, Keyboard]:
        view = await self.team()
        return view.text, view.keyboard

    async def _add(self, educator: Educator, numbers: list[int]) -> View:
        if not numbers:
            return self.choose_day(educator)
        weekday = numbers[0]
        if len(numbers) == 1:
            return self.choose_start(educator, weekday)
        if len(numbers) == 2:
            return self.choose_end(educator, weekday, numbers[1])
        try:
            await self.uow.duty.add_slot(educator, weekday, numbers[1], numbers[2])
        except PlanningError as error:
            view = await self.educator(educator, manage=True)
            view.toast = t(f"duty.error.{error.code}")
            return view
        view = await self.educator(educator, manage=True)
        view.toast = t("duty.toast.added")
        return view

    async def _absence(self, educator: Educator, keys: list[str]) -> View:
        try:
            days = [_parse_day_key(key) for key in keys]
        except ValueError:
            return self.choose_absence_start(educator)
        if not days:
            return self.choose_absence_start(educator)
        if len(days) == 1:
            return self.choose_absence_end(educator, days[0])
        try:
            await self.uow.duty.add_absence(educator, days[0], days[1])
        except PlanningError as error:
            view = await self.educator(educator, manage=True)
            view.toast = t(f"duty.error.{error.code}")
            return view
        view = await self.educator(educator, manage=True)
        view.toast = t("duty.toast.absence_added")
        return view

    async def _closure(self, keys: list[str]) -> View:
        """Holidays: the same absence for everyone in the team."""
        try:
            days = [_parse_day_key(key) for key in keys]
        except ValueError:
            return self.choose_absence_start(None)
        if not days:
            return self.choose_absence_start(None)
        if len(days) == 1:
            return self.choose_absence_end(None, days[0])
        try:
            added = await self.uow.duty.add_team_closure(days[0], days[1])
        except PlanningError as error:
            view = await self.team()
            view.toast = t(f"duty.error.{error.code}")
            return view
        view = await self.team()
        view.toast = t("duty.toast.closure_added", n=len(added))
        return view

    async def _extra(self, educator: Educator, args: list[str]) -> View:
        """A one-off extra permanence: a day, a start, an end."""
        try:
            day = _parse_day_key(args[0]) if args else None
            minutes = [int(value) for value in args[1:3]]
        except (ValueError, IndexError):
            return self.choose_extra_day(educator)
        if day is None:
            return self.choose_extra_day(educator)
        if not minutes:
            return self.choose_extra_start(educator, day)
        if len(minutes) == 1:
            return self.choose_extra_end(educator, day, minutes[0])
        try:
            await self.uow.duty.add_extra(educator, day, minutes[0], minutes[1])
        except PlanningError as error:
            view = await self.educator(educator, manage=True)
            view.toast = t(f"duty.error.{error.code}")
            return view
        view = await self.educator(educator, manage=True)
        view.toast = t("duty.toast.extra_added")
        return view
