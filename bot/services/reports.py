"""Reports for coordinators: /stats for a period, and every Monday at 9:00 the past week.

Figures: conversations, escalations, median wait to pick-up and to first answer, share by theme
and risk, feedback, and duty coverage against demand by hour of the week — as a text summary,
a PNG chart and a CSV. Only counts, shares and durations: no pseudonym, no id, no name.
Live conversations and anonymous archives count alike, so retention changes no figure.
"""

from __future__ import annotations

import asyncio
import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.services.duty import WEEKDAYS, date_label, local_moment
from storage.repositories.duty import ConversationFacts, DutyEvent

RISKS = ("imminent", "elevated", "none")
FEEDBACK = ("good", "mid", "bad")
HOURS_PER_WEEK = 7 * 24
WEEKLY = "report.weekly"
WEEKLY_DUE_MINUTE = 9 * 60  # Monday 9:00, local time


@dataclass
class HourOfWeek:
    weekday: int
    hour: int
    opened: int = 0
    escalations: int = 0
    hours: int = 0  # how many times this hour of the week occurs in the period
    on_duty_seconds: float = 0.0  # educators on duty, summed
    planned_seconds: float = 0.0  # educators on permanence (current planning), summed

    @property
    def on_duty_average(self) -> float:
        return self.on_duty_seconds / (3600 * self.hours) if self.hours else 0.0

    @property
    def planned_average(self) -> float:
        return self.planned_seconds / (3600 * self.hours) if self.hours else 0.0


@dataclass
class Report:
    start: datetime
    end: datetime
    tz: ZoneInfo
    conversations: int = 0
    escalations: int = 0
    escalations_by_risk: dict[str, int] = field(default_factory=dict)
    picked_up: int = 0
    median_pickup_s: float | None = None
    answered: int = 0
    median_first_answer_s: float | None = None
    themes: dict[str, int] = field(default_factory=dict)
    risks: dict[str, int] = field(default_factory=dict)
    feedback: dict[str, int] = field(default_factory=dict)
    uncovered_escalations: int = 0
    hours: list[HourOfWeek] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (
            self.conversations == 0
            and self.escalations == 0
            and not any(h.on_duty_seconds for h in self.hours)
        )

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(seconds=1)).astimezone(self.tz).date()


# -- computation (pure) -------------------------------------------------------------------------


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def duty_intervals(
    events: list[DutyEvent], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """On-duty intervals, clipped to the period, from each educator's duty changes."""
    intervals: list[tuple[datetime, datetime]] = []
    since: dict[int, datetime] = {}
    for event in sorted(events, key=lambda e: e.at):
        if event.on_duty:
            since.setdefault(event.educator_id, max(event.at, start))
        elif event.educator_id in since:
            began = since.pop(event.educator_id)
            finished = min(max(event.at, start), end)
            if finished > began:
                intervals.append((began, finished))
    for began in since.values():
        if end > began:
            intervals.append((began, end))
    return intervals


def _hour_index(moment: datetime, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def _spread(
    hours: list[HourOfWeek],
    intervals: list[tuple[datetime, datetime]],
    attribute: str,
    tz: ZoneInfo,
) -> None:
    """Add each interval's seconds to the hours of the week it covers."""
    for began, finished in intervals:
        cursor = began
        while cursor < finished:
            next_hour = (cursor.replace(minute=0, second=0, microsecond=0)) + timedelta(hours=1)
            piece = min(next_hour, finished)
            bucket = hours[_hour_index(cursor, tz)]
            setattr(bucket, attribute, getattr(bucket, attribute) + (piece - cursor).total_seconds())
            cursor = piece


def compute(
    facts: list[ConversationFacts],
    events: list[DutyEvent],
    planned: list[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> Report:
    report = Report(start=start, end=end, tz=tz)
    report.hours = [HourOfWeek(weekday=i // 24, hour=i % 24) for i in range(HOURS_PER_WEEK)]
    cursor = start
    while cursor < end:
        report.hours[_hour_index(cursor, tz)].hours += 1
        cursor += timedelta(hours=1)

    on_duty = duty_intervals(events, start, end)
    _spread(report.hours, on_duty, "on_duty_seconds", tz)
    clipped = [(max(a, start), min(b, end)) for a, b in planned if b > start and a < end]
    _spread(report.hours, clipped, "planned_seconds", tz)

    opened = [f for f in facts if _in(f.opened_at, start, end)]
    escalated = [f for f in facts if _in(f.escalated_at, start, end)]
    report.conversations = len(opened)
    report.escalations = len(escalated)
    report.escalations_by_risk = dict(Counter(f.risk for f in escalated))
    themes: Counter[str] = Counter()
    for fact in opened:
        themes.update(set(fact.themes))
        report.hours[_hour_index(fact.opened_at, tz)].opened += 1
    report.themes = dict(themes.most_common())
    report.risks = dict(Counter(f.risk for f in opened))
    report.feedback = dict(Counter(f.feedback for f in opened if f.feedback))

    pickups = [
        (f.assigned_at - f.escalated_at).total_seconds()
        for f in escalated
        if f.assigned_at is not None and f.assigned_at >= f.escalated_at
    ]
    answers = [
        (f.first_answer_at - f.escalated_at).total_seconds()
        for f in escalated
        if f.first_answer_at is not None and f.first_answer_at >= f.escalated_at
    ]
    report.picked_up, report.answered = len(pickups), len(answers)
    report.median_pickup_s = statistics.median(pickups) if pickups else None
    report.median_first_answer_s = statistics.median(answers) if answers else None
    for fact in escalated:
        report.hours[_hour_index(fact.escalated_at, tz)].escalations += 1
        if not any(a <= fact.escalated_at < b for a, b in on_duty):
            report.uncovered_escalations += 1
    return report


# -- rendering ----------------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    if seconds is None:
        return t("report.none")
    minutes = int(seconds // 60)
    if minutes < 1:
        return t("duration.under_minute")
    if minutes < 60:
        return t("duration.minutes", minutes=minutes)
    return t("duration.hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "0 %"
    return f"{round(100 * part / whole)} %"


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def period_label(report: Report) -> str:
    return t("report.period", first=date_label(report.first_day), last=date_label(report.last_day))


def summary(report: Report) -> str:
    themes = ", ".join(
        f"{t(f'theme.label.{theme}')} {_percent(count, report.conversations)}"
        for theme, count in report.themes.items()
    ) or t("report.none")
    risks = " · ".join(
        f"{t(f'risk.badge.{risk}')} {_percent(report.risks.get(risk, 0), report.conversations)}"
        for risk in RISKS
    )
    return t(
        "report.summary",
        period=period_label(report),
        conversations=report.conversations,
        escalations=report.escalations,
        imminent=report.escalations_by_risk.get("imminent", 0),
        elevated=report.escalations_by_risk.get("elevated", 0),
        pickup=duration(report.median_pickup_s),
        picked=report.picked_up,
        first_answer=duration(report.median_first_answer_s),
        uncovered=_percent(report.uncovered_escalations, report.escalations),
        themes=themes,
        risks=risks,
        good=report.feedback.get("good", 0),
        mid=report.feedback.get("mid", 0),
        bad=report.feedback.get("bad", 0),
    )


def render_csv(report: Report) -> bytes:
    """One tidy table (indicator; category; value), French spreadsheet conventions: ";"
    separated, decimal comma, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([t("report.csv.indicator"), t("report.csv.category"), t("report.csv.value")])
    writer.writerow(["periode_debut", "", report.first_day.isoformat()])
    writer.writerow(["periode_fin", "", report.last_day.isoformat()])
    writer.writerow(["conversations", "", report.conversations])
    writer.writerow(["demandes_educateur", "", report.escalations])
    for risk in RISKS:
        writer.writerow(["demandes_par_risque", risk, report.escalations_by_risk.get(risk, 0)])
    writer.writerow(["prises_en_charge", "", report.picked_up])
    writer.writerow(
        ["attente_mediane_prise_en_charge_min", "", _minutes_or_blank(report.median_pickup_s)]
    )
    writer.writerow(
        ["attente_mediane_premiere_reponse_min", "", _minutes_or_blank(report.median_first_answer_s)]
    )
    writer.writerow(["demandes_sans_personne_disponible", "", report.uncovered_escalations])
    for theme, count in report.themes.items():
        writer.writerow(["conversations_par_sujet", theme, count])
    for risk in RISKS:
        writer.writerow(["conversations_par_risque", risk, report.risks.get(risk, 0)])
    for value in FEEDBACK:
        writer.writerow(["avis", value, report.feedback.get(value, 0)])
    for hour in report.hours:
        slot = f"{WEEKDAYS[hour.weekday]} {hour.hour:02d}h"
        writer.writerow(["conversations_par_heure", slot, hour.opened])
        writer.writerow(["demandes_par_heure", slot, hour.escalations])
        writer.writerow(["educateurs_disponibles_par_heure", slot, _decimal(hour.on_duty_average)])
        writer.writerow(["educateurs_prevus_par_heure", slot, _decimal(hour.planned_average)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _minutes_or_blank(seconds: float | None) -> str:
    return "" if seconds is None else _decimal(seconds / 60)


def render_chart(report: Report) -> bytes:
    """Demand (requests for an educator) against educators on duty, by hour of the week."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 4.8), dpi=100)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot(1, 1, 1)
    x = list(range(HOURS_PER_WEEK))
    axis.bar(
        x,
        [h.opened for h in report.hours],
        width=0.9,
        color="#f2cc8f",
        label=t("report.chart.conversations"),
    )
    axis.bar(
        x,
        [h.escalations for h in report.hours],
        width=0.6,
        color="#e07a5f",
        label=t("report.chart.demand"),
    )
    axis.set_ylabel(t("report.chart.demand_axis"))
    axis.set_xlim(-0.5, HOURS_PER_WEEK - 0.5)
    axis.set_xticks([day * 24 + 12 for day in range(7)])
    axis.set_xticklabels([t(f"duty.day.short.{name}") for name in WEEKDAYS])
    for day in range(1, 7):
        axis.axvline(day * 24 - 0.5, color="#cccccc", linewidth=0.8)
    coverage = axis.twinx()
    coverage.step(
        x,
        [h.on_duty_average for h in report.hours],
        where="mid",
        color="#3d405b",
        linewidth=1.6,
        label=t("report.chart.on_duty"),
    )
    coverage.step(
        x,
        [h.planned_average for h in report.hours],
        where="mid",
        color="#81b29a",
        linewidth=1.2,
        linestyle="--",
        label=t("report.chart.planned"),
    )
    coverage.set_ylabel(t("report.chart.coverage_axis"))
    top = max([h.on_duty_average for h in report.hours] + [h.planned_average for h in report.hours] + [1])
    coverage.set_ylim(0, top * 1.2)
    axis.set_ylim(0, max([h.opened for h in report.hours] + [h.escalations for h in report.hours] + [1]) * 1.2)
    handles = axis.get_legend_handles_labels()
    more = coverage.get_legend_handles_labels()
    axis.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    axis.set_title(t("report.chart.title", period=period_label(report)))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# -- the service --------------------------------------------------------------------------------


class ReportService:
    def __init__(self, uow) -> None:
        self.uow = uow

    @property
    def tz(self) -> ZoneInfo:
        return self.uow.settings.service.tz

    async def build(self, start: datetime, end: datetime) -> Report:
        uow = self.uow
        facts = await uow.report_store.conversations(start, end)
        events = await uow.report_store.duty_events(start, end)
        planned = [(o.start, o.end) for o in await uow.duty.occurrences_between(start, end)]
        return compute(facts, events, planned, start, end, self.tz)

    def days(self, first: date, last: date) -> tuple[datetime, datetime]:
        """Local days ``first`` to ``last`` included, as UTC instants."""
        return local_moment(first, 0, self.tz), local_moment(last + timedelta(days=1), 0, self.tz)

    def last_week(self, now: datetime) -> tuple[datetime, datetime]:
        """The last full week, Monday to Sunday, before ``now``."""
        today = now.astimezone(self.tz).date()
        monday = today - timedelta(days=today.weekday())
        return self.days(monday - timedelta(days=7), monday - timedelta(days=1))

    async def recipients(self) -> list[int]:
        chats = [c.telegram_id for c in await self.uow.educators.coordinators()]
        for admin_id in self.uow.settings.service.admin_ids:
            if admin_id not in chats:
                chats.append(admin_id)
        return chats

    async def send(self, report: Report, chat_ids: list[int]) -> None:
        """The summary, then the chart and the CSV as documents."""
        uow = self.uow
        text = summary(report)
        chart = await asyncio.to_thread(render_chart, report)
        table = render_csv(report)
        stem = f"promeneur-{report.first_day.isoformat()}-{report.last_day.isoformat()}"
        for chat_id in chat_ids:
            await uow.outbox.send_text(chat_id, text)
            await uow.outbox.send_document(
                chat_id, f"{stem}.png", chart, caption=t("report.chart.caption")
            )
            await uow.outbox.send_document(
                chat_id, f"{stem}.csv", table, caption=t("report.csv.caption")
            )

    async def stats(self, chat_id: int, start: datetime, end: datetime) -> Report:
        """/stats: the figures of a period, for the coordinator who asked."""
        report = await self.build(start, end)
        await self.send(report, [chat_id])
        await self.uow.audit.record("report.stats", self.uow.now())
        return report

    async def weekly_due(self, now: datetime | None = None) -> Report | None:
        """Monday 9:00 (local): last week's report to the coordinators, once.

        A sweep like the others: run late (after a restart) it still sends, run twice it does
        not send again. A week without any activity sends nothing."""
        uow = self.uow
        now = now or uow.now()
        today = now.astimezone(self.tz).date()
        monday = today - timedelta(days=today.weekday())
        if now < local_moment(monday, WEEKLY_DUE_MINUTE, self.tz):
            return None
        if not await uow.clock_events.mark(WEEKLY, 0, monday.isoformat(), now):
            return None
        start, end = self.last_week(now)
        report = await self.build(start, end)
        if report.empty:
            return None
        await self.send(report, await self.recipients())
        await uow.audit.record("report.weekly", now)
        return report


# -- periods (/stats, CLI) --------------------------------------------------------------------


class PeriodError(ValueError):
    pass


def _parse_date(text: str) -> date:
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year if year > 99 else 2000 + year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(text) from None


def period_from_args(args: str | None, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``/stats`` → the last 7 days (today included); ``/stats 30`` → the last 30 days;
    ``/stats semaine`` → the last full week; ``/stats 2026-11-01 2026-11-30`` (or 01/11/2026)
    → those days included."""
    words = (args or "").split()
    today = now.astimezone(tz).date()
    if not words:
        first, last = today - timedelta(days=6), today
    elif len(words) == 1 and words[0].lower() in {"semaine", "week"}:
        monday = today - timedelta(days=today.weekday())
        first, last = monday - timedelta(days=7), monday - timedelta(days=1)
    elif len(words) == 1 and words[0].isdigit():
        days = int(words[0])
        if not 1 <= days <= 366:
            raise PeriodError(words[0])
        first, last = today - timedelta(days=days - 1), today
    elif len(words) == 2:
        first, last = _parse_date(words[0]), _parse_date(words[1])
    else:
        raise PeriodError(args or "")
    if last < first or (last - first).days > 366:
        raise PeriodError(args or "")
    return local_moment(first, 0, tz), local_moment(last + timedelta(days=1), 0, tz)
