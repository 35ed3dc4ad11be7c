"""The nightly purge: keep conversations only as long as needed (CNIL), keep the counters.

- Message contents (texts, files, triage quotes, notes) older than ``RETENTION_DAYS`` are erased;
  the messages' timings stay, so figures remain right.
- Conversations closed more than ``RETENTION_DAYS`` ago are anonymised: their themes, risk,
  timings, territory (département) and feedback go to ``conversation_archives``, and the
  conversation itself — what linked them to a person — is deleted.
- Young people not seen for ``YOUTH_RETENTION_DAYS`` (2 years) are removed entirely.
- Processed-update rows and delivered outbox rows are pruned; outbox rows a live queue card,
  relayed message or topic still refers to are kept until the conversation ends (see
  ``RetentionRepository.prune_outbox``).
- Daily counters are never touched.

Every step is an idempotent bulk statement: running it twice, or in two processes, is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.duty import local_moment

# Telegram keeps an update for 24 hours: a replay older than this cannot happen.
PROCESSED_UPDATES_KEEP = timedelta(days=7)
# Delivered rows nothing refers to any more: kept a little, for diagnosis.
OUTBOX_KEEP = timedelta(days=2)
CLOCK_EVENTS_KEEP = timedelta(days=60)
# The nightly purge runs at 3:30 local time, once per local day (see ``nightly_due``).
NIGHTLY_MINUTE = 3 * 60 + 30
NIGHTLY = "retention.nightly"


@dataclass(frozen=True)
class PurgeReport:
    contents_erased: int
    conversations_anonymised: int
    youths_removed: int
    updates_pruned: int
    outbox_pruned: int
    clock_events_pruned: int


class RetentionService:
    def __init__(self, uow) -> None:
        self.uow = uow

    async def nightly_due(self, now: datetime | None = None) -> PurgeReport | None:
        """The nightly purge, once per local day from 3:30 on.

        Run by the nightly cron job and once at start: a process that was down at 3:30 (or
        restarts every night before it) still purges that day, and a second process or a second
        call the same day does nothing."""
        uow = self.uow
        now = now or uow.now()
        tz = uow.settings.service.tz
        today = now.astimezone(tz).date()
        if now < local_moment(today, NIGHTLY_MINUTE, tz):
            return None
        if not await uow.clock_events.mark(NIGHTLY, 0, today.isoformat(), now):
            return None
        return await self.purge(now)

    async def purge(self, now: datetime | None = None) -> PurgeReport:
        uow = self.uow
        now = now or uow.now()
        store = uow.retention_store
        retention = timedelta(days=uow.settings.service.retention_days)
        cutoff = now - retention
        forgotten = await store.forgotten_youths(
            now - timedelta(days=uow.settings.duty.youth_retention_days)
        )
        youths_removed = await store.remove_youths(forgotten, now)
        if youths_removed:
            await uow.counters.bump("youth.expired", now, by=youths_removed)
        anonymised = await store.archive_closed_before(cutoff, now)
        erased = await store.erase_contents(cutoff)
        updates = await store.prune_updates(now - PROCESSED_UPDATES_KEEP)
        outbox = await store.prune_outbox(now - OUTBOX_KEEP, cutoff)
        clock_events = await uow.clock_events.prune(now - max(CLOCK_EVENTS_KEEP, retention))
        report = PurgeReport(
            contents_erased=erased,
            conversations_anonymised=anonymised,
            youths_removed=youths_removed,
            updates_pruned=updates,
            outbox_pruned=outbox,
            clock_events_pruned=clock_events,
        )
        await uow.audit.record("retention.purge", now, **report.__dict__)
        return report
