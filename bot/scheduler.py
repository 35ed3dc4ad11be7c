"""Time-based work, run by APScheduler inside the process.

Jobs carry no live objects: each one opens its own unit of work and reads the database, which is
the truth, so a restart loses nothing. Every job is an idempotent sweep, safe to run twice.

Issue 6 (duty hours and the clock): every minute the permanence reminders, the watchdogs and
the inactivity close are swept; each is a service method taking ``now`` that does what is due
and not yet recorded in ``clock_events``. Every night at 3:30 the retention purge runs, every
Monday at 9:00 the weekly report goes out — both in the territory's time zone. Both are "due"
sweeps too (done once per day / week, recorded in ``clock_events``) and both are tried once at
start: the jobs are rebuilt from the database, so a restart over a due time loses nothing and
repeats nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import AppContext, UnitOfWork

log = logging.getLogger(__name__)

Sweep = Callable[[UnitOfWork, datetime], Awaitable[object]]
MINUTE_SWEEPS: dict[str, Sweep] = {
    "duty.reminders": lambda uow, now: uow.duty.sweep(now),
    "watchdogs.queue": lambda uow, now: uow.watchdogs.sweep(now),
    "watchdogs.inactivity": lambda uow, now: uow.watchdogs.close_inactive(now),
}


async def offer_preferred_to_all(app: AppContext) -> None:
    """A conversation kept for a returning young person's educator goes to everyone after a while."""
    async with app.unit_of_work() as uow:
        await uow.handoff.offer_to_all_when_preferred_waited()


async def run_sweep(app: AppContext, name: str, sweep: Sweep) -> bool:
    """One sweep in its own unit of work: a failing one neither blocks nor undoes the others."""
    try:
        async with app.unit_of_work() as uow:
            await sweep(uow, uow.now())
        return True
    except Exception:
        log.exception("sweep %s failed", name)
        return False


async def minute_sweeps(app: AppContext) -> None:
    for name, sweep in MINUTE_SWEEPS.items():
        await run_sweep(app, name, sweep)


async def nightly_retention(app: AppContext) -> None:
    await run_sweep(app, "retention.nightly", lambda uow, now: uow.retention.nightly_due(now))


async def weekly_report(app: AppContext) -> None:
    await run_sweep(app, "reports.weekly", lambda uow, now: uow.reports.weekly_due(now))


async def catch_up(app: AppContext) -> None:
    """At start: what fell due while the process was down (each done at most once)."""
    await nightly_retention(app)
    await weekly_report(app)


class ProcessScheduler(AsyncIOScheduler):
    """The process's scheduler; ``stop`` lets the jobs running finish before shutting down, so
    a stop in the middle of a sweep is not cancelled half-way and reported as a failure."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._running_jobs: set[asyncio.Task] = set()
        self._stopping = False

    def add_job(self, func, *args, **kwargs):
        return super().add_job(self._tracked(func), *args, **kwargs)

    def _tracked(self, job):
        @functools.wraps(job)
        async def run(*args, **kwargs):
            task = asyncio.current_task()
            if task is not None:
                self._running_jobs.add(task)
            try:
                return await job(*args, **kwargs)
            finally:
                self._running_jobs.discard(task)

        return run

    async def stop(self, timeout: float = 10.0) -> None:
        if not self.running or self._stopping:
            return
        self._stopping = True
        self.pause()
        if self._running_jobs:
            await asyncio.wait(set(self._running_jobs), timeout=timeout)
        self.shutdown(wait=False)


def build_scheduler(app: AppContext) -> ProcessScheduler:
    tz = app.settings.service.tz
    scheduler = ProcessScheduler(timezone=tz)
    scheduler.add_job(
        offer_preferred_to_all,
        "interval",
        seconds=30,
        id="queue.offer_preferred_to_all",
        args=[app],
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    common = {"args": [app], "coalesce": True, "max_instances": 1, "replace_existing": True}
    started = app.clock.now().astimezone(tz)
    scheduler.add_job(
        minute_sweeps,
        "interval",
        minutes=1,
        id="clock.minute_sweeps",
        next_run_time=started + timedelta(seconds=5),
        **common,
    )
    scheduler.add_job(
        nightly_retention,
        "cron",
        hour=3,
        minute=30,
        id="retention.nightly",
        misfire_grace_time=6 * 3600,
        **common,
    )
    scheduler.add_job(
        weekly_report,
        "cron",
        day_of_week="mon",
        hour=9,
        minute=0,
        id="reports.weekly",
        misfire_grace_time=12 * 3600,
        **common,
    )
    scheduler.add_job(
        catch_up,
        "date",
        run_date=started + timedelta(seconds=10),
        id="clock.catch_up",
        **common,
    )
    return scheduler
