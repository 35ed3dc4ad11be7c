"""The clock's jobs: what APScheduler runs, when (Paris time, DST), and what a restart does.

The jobs carry no state: each opens a unit of work and asks the database what is due, so the
tests call the job functions directly with a controlled clock instead of waiting for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import scheduler as clock_jobs
from bot.clock import ManualClock
from storage.models import ProcessedUpdate
from tests.test_duty_helpers import (
    PARIS,
    add_educator,
    add_slot,
    documents,
    paris,
    restarted,
    sent_texts,
    waiting_youth,
    youth_says,
)

LEA, COORD = 50, 60
MON = 0


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 3, 28, 12, 0))  # Saturday; summer time starts on Sunday 29


def jobs(services) -> dict:
    return {job.id: job for job in clock_jobs.build_scheduler(services).get_jobs()}


async def test_jobs_fire_at_local_times_across_the_dst_change(services, clock):
    built = jobs(services)
    assert {"clock.minute_sweeps", "retention.nightly", "reports.weekly", "clock.catch_up"} <= set(built)
    assert built["clock.minute_sweeps"].trigger.interval == timedelta(minutes=1)

    now = clock.now().astimezone(PARIS)
    weekly = built["reports.weekly"].trigger.get_next_fire_time(None, now)
    # Monday 30 March at 9:00 in Paris, summer time: 7:00 UTC (it was 8:00 UTC a week before).
    assert weekly == datetime(2026, 3, 30, 9, 0, tzinfo=PARIS)
    assert weekly.utcoffset() == timedelta(hours=2)
    nightly = built["retention.nightly"].trigger.get_next_fire_time(None, now)
    assert nightly == datetime(2026, 3, 29, 3, 30, tzinfo=PARIS)
    assert nightly.utcoffset() == timedelta(hours=2)  # 3:30 exists: just after the change
    # A job holds no live object, only the application context to open a unit of work with.
    assert all(job.args == (services,) for job in built.values())


async def test_one_minute_tick_runs_reminders_watchdogs_and_inactivity(services, clock):
    clock.set(paris(2026, 11, 23, 13, 50))
    lea = await add_educator(services, LEA, "Léa")
    await add_educator(services, COORD, "Claire", coordinator=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    idle = await youth_says(services, 8, "bonjour")
    clock.set(paris(2026, 11, 24, 13, 58))  # Tuesday: the idle conversation is a day old
    await add_slot(services, lea, 1, "14:00", "18:00")
    await waiting_youth(services, 7, risk="imminent")

    clock.set(paris(2026, 11, 24, 14, 0))
    await clock_jobs.minute_sweeps(services)
    assert any("Ta permanence commence" in text for text in await sent_texts(services, LEA))
    assert any("URGENT" in text for text in await sent_texts(services, COORD))
    async with services.unit_of_work() as uow:
        assert (await uow.conversations.get(idle)).status == "closed"

    # The next tick, and a tick in another process, add nothing.
    before = {chat: await sent_texts(services, chat) for chat in (LEA, COORD, 7, 8)}
    clock.advance(minutes=1)
    await clock_jobs.minute_sweeps(services)
    await clock_jobs.minute_sweeps(restarted(services))
    assert {chat: await sent_texts(services, chat) for chat in (LEA, COORD, 7, 8)} == before


async def test_a_failing_sweep_does_not_stop_the_others(services, clock, monkeypatch):
    lea = await add_educator(services, LEA, "Léa")
    await add_slot(services, lea, 5, "11:00", "13:00")  # Saturday

    async def broken(uow, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        clock_jobs, "MINUTE_SWEEPS", {"broken": broken, **clock_jobs.MINUTE_SWEEPS}
    )
    await clock_jobs.minute_sweeps(services)
    assert any("Ta permanence a commencé à 11h" in text for text in await sent_texts(services, LEA))


async def test_a_restart_after_monday_nine_sends_the_report_and_purges_once(services, clock):
    # An update processed twelve days ago (to prune); last week a young person asked for an
    # educator (to report).
    clock.set(paris(2026, 11, 18, 15, 0))
    await add_educator(services, COORD, "Claire", coordinator=True)
    async with services.unit_of_work() as uow:
        await uow.updates.first_time(42, uow.now())
    clock.set(paris(2026, 11, 25, 15, 0))
    await waiting_youth(services, 7, themes=("emploi",))

    # The process was down from Sunday evening to Monday 10:15: the 3:30 purge and the 9:00
    # report were missed. The start-up catch-up does both…
    clock.set(paris(2026, 11, 30, 10, 15))
    await clock_jobs.catch_up(restarted(services))
    files = await documents(services, COORD)
    assert sorted(files) == [
        "promeneur-2026-11-23-2026-11-29.csv",
        "promeneur-2026-11-23-2026-11-29.png",
    ]
    assert "conversations;;1" in files["promeneur-2026-11-23-2026-11-29.csv"].decode("utf-8-sig")
    async with services.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0
        purges = await uow.clock_events.all("retention.nightly")
        reports = await uow.clock_events.all("report.weekly")
    assert [e.occurrence for e in purges] == ["2026-11-30"]
    assert [e.occurrence for e in reports] == ["2026-11-30"]

    # …and the cron jobs of the same day, or another restart, do neither again.
    sent = await sent_texts(services, COORD)
    clock.set(paris(2026, 11, 30, 11, 0))
    await clock_jobs.catch_up(restarted(services))
    await clock_jobs.nightly_retention(services)
    await clock_jobs.weekly_report(services)
    assert await sent_texts(services, COORD) == sent
    async with services.unit_of_work() as uow:
        assert len(await uow.clock_events.all("retention.nightly")) == 1

    # The next night purges again; before 3:30 it does not.
    clock.set(paris(2026, 12, 1, 3, 0))
    await clock_jobs.nightly_retention(services)
    clock.set(paris(2026, 12, 1, 3, 30))
    await clock_jobs.nightly_retention(services)
    async with services.unit_of_work() as uow:
        assert [e.occurrence for e in await uow.clock_events.all("retention.nightly")] == [
            "2026-11-30",
            "2026-12-01",
        ]

