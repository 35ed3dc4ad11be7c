"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from storage.models.base import Base, UTCDateTime
from storage.models.conversation import (
    Conversation,
    ConversationNote,
    ConversationStatus,
    Direction,
    Message,
    QueueCard,
)
from storage.models.duty import (  # issue 6: duty hours
    ClockEvent,
    ConversationArchive,
    DutyException,
    DutyExceptionKind,
    DutyPreference,
    DutySlot,
)
from storage.models.educator import Educator, EducatorInvite, EducatorRole
from storage.models.journal import AuditEvent, DailyCounter, ProcessedUpdate
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.youth import Youth

__all__ = [
    "AuditEvent",
    "Base",
    "ClockEvent",
    "Conversation",
    "ConversationArchive",
    "ConversationNote",
    "ConversationStatus",
    "DailyCounter",
    "Direction",
    "DutyException",
    "DutyExceptionKind",
    "DutyPreference",
    "DutySlot",
    "Educator",
    "EducatorInvite",
    "EducatorRole",
    "Message",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedUpdate",
    "QueueCard",
    "UTCDateTime",
    "Youth",
]
