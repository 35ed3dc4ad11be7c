"""Repositories: one per aggregate. They never commit; the caller's unit of work does."""

from storage.repositories.conversations import ConversationRepository
from storage.repositories.duty import (  # issue 6: duty hours
    ClockEventLog,
    PlanningRepository,
    ReportRepository,
    RetentionRepository,
    WatchRepository,
)
from storage.repositories.educators import EducatorRepository
from storage.repositories.journal import AuditLog, Counters, UpdateJournal
from storage.repositories.queue import QueueRepository
from storage.repositories.youths import YouthRepository

__all__ = [
    "AuditLog",
    "ClockEventLog",
    "ConversationRepository",
    "Counters",
    "EducatorRepository",
    "PlanningRepository",
    "QueueRepository",
    "ReportRepository",
    "RetentionRepository",
    "UpdateJournal",
    "WatchRepository",
    "YouthRepository",
]
