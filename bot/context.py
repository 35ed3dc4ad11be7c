"""What the application is made of, and the unit of work every update runs in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.outbox import Outbox
from storage.models import OutboxMessage
from config.settings import Settings
from storage.db import Database
from storage.repositories import (
    AuditLog,
    ClockEventLog,
    ConversationRepository,
    Counters,
    EducatorRepository,
    PlanningRepository,
    QueueRepository,
    ReportRepository,
    RetentionRepository,
    UpdateJournal,
    WatchRepository,
    YouthRepository,
)

log = logging.getLogger(__name__)
AFTER_COMMIT_TIMEOUT_S = 10.0

if TYPE_CHECKING:
    from bot.services.conversation import ConversationService
    from bot.directory.service import DirectoryService
    from bot.services.handoff import HandoffService
    from bot.services.relay import RelayService
    from bot.services.team import TeamService
    from bot.services.privacy import PrivacyService
    from bot.services.duty import DutyService
    from bot.services.reports import ReportService
    from bot.services.retention import RetentionService
    from bot.services.watchdogs import WatchdogService
    from bot.triage import HelpLine, Triage


@dataclass
class AppContext:
    """Long-lived parts, shared by every unit of work."""

    settings: Settings
    database: Database
    clock: Clock
    triage: Triage
    helplines: list[HelpLine]
    # Given the outbox rows a unit of work committed (the sender queues them at once).
    committed_rows: list[Callable[[list[OutboxMessage]], None]] = field(default_factory=list)
    # Woken when rows were written outside a unit of work (the sender reads them back).
    outbox_listeners: list[Callable[[], None]] = field(default_factory=list)
    # Woken after a commit that scheduled a conversational answer for later.
    due_answer_listeners: list[Callable[[], None]] = field(default_factory=list)
    # The bot's username, known once getMe answered (for t.me links).
    bot_username: str = ""

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with self.database.transaction() as session:
            uow = UnitOfWork(self, session)
            yield uow
        if uow.outbox.rows:
            for hand_over in self.committed_rows:
                hand_over(uow.outbox.rows)
        if uow.answer_scheduled:
            _wake(self.due_answer_listeners)
        for call in uow.after_commit:
            try:
                async with asyncio.timeout(AFTER_COMMIT_TIMEOUT_S):
                    await call()
            except Exception as error:  # a late acknowledgement must never fail an update
                log.warning("after-commit call failed: %s", type(error).__name__)

    def notify(self) -> None:
        """Wake every worker (after work done outside a unit of work's bookkeeping)."""
        _wake(self.outbox_listeners)
        _wake(self.due_answer_listeners)


def _wake(listeners: list[Callable[[], None]]) -> None:
    for wake in listeners:
        wake()


class UnitOfWork:
    """One transaction, its repositories and the services working in it."""

    def __init__(self, app: AppContext, session: AsyncSession) -> None:
        self.app = app
        self.session = session
        self.clock = app.clock
        self.settings = app.settings
        self.outbox = Outbox(session, app.clock)
        # Set when a conversational answer is scheduled for later (wakes the due-answer worker).
        self.answer_scheduled = False
        # Calls made once the transaction has committed (answering a button press, …).
        self.after_commit: list[Callable[[], Awaitable[None]]] = []

    def now(self):
        return self.clock.now()

    # Repositories
    @cached_property
    def youths(self) -> YouthRepository:
        return YouthRepository(self.session)

    @cached_property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.session)

    @cached_property
    def educators(self) -> EducatorRepository:
        return EducatorRepository(self.session)

    @cached_property
    def queue(self) -> QueueRepository:
        return QueueRepository(self.session)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.session)

    @cached_property
    def counters(self) -> Counters:
        return Counters(self.session)

    @cached_property
    def updates(self) -> UpdateJournal:
        return UpdateJournal(self.session)

    # Duty hours and the clock (issue 6)
    @cached_property
    def planning(self) -> PlanningRepository:
        return PlanningRepository(self.session)

    @cached_property
    def clock_events(self) -> ClockEventLog:
        return ClockEventLog(self.session)

    @cached_property
    def watch(self) -> WatchRepository:
        return WatchRepository(self.session)

    @cached_property
    def retention_store(self) -> RetentionRepository:
        return RetentionRepository(self.session)

    @cached_property
    def report_store(self) -> ReportRepository:
        return ReportRepository(self.session)

    # Services
    @cached_property
    def conversation(self) -> ConversationService:
        from bot.services.conversation import ConversationService

        return ConversationService(self)

    @cached_property
    def handoff(self) -> HandoffService:
        from bot.services.handoff import HandoffService

        return HandoffService(self)

    @cached_property
    def relay(self) -> RelayService:
        from bot.services.relay import RelayService

        return RelayService(self)

    @cached_property
    def team(self) -> TeamService:
        from bot.services.team import TeamService

        return TeamService(self)

    @cached_property
    def directory(self) -> DirectoryService:
        from bot.directory.service import DirectoryService

        return DirectoryService(
            self.session, self.clock, self.settings.service.tz, helplines=self.app.helplines
        )

    @cached_property
    def privacy(self) -> PrivacyService:
        from bot.services.privacy import PrivacyService

        return PrivacyService(self)

    # Duty hours and the clock (issue 6)
    @cached_property
    def duty(self) -> DutyService:
        from bot.services.duty import DutyService

        return DutyService(self)

    @cached_property
    def watchdogs(self) -> WatchdogService:
        from bot.services.watchdogs import WatchdogService

        return WatchdogService(self)

    @cached_property
    def retention(self) -> RetentionService:
        from bot.services.retention import RetentionService

        return RetentionService(self)

    @cached_property
    def reports(self) -> ReportService:
        from bot.services.reports import ReportService

        return ReportService(self)
