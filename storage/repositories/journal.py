"""Processed updates, the audit trail and anonymous counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import AuditEvent, DailyCounter, ProcessedUpdate


class UpdateJournal:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Record the update; False when it was already processed (a replay)."""
        result = await self._session.execute(
            _RECORD_UPDATE[self._session.bind.dialect.name],
            {"update_id": update_id, "processed_at": now},
        )
        return result.rowcount == 1


# Each dialect's INSERT, which knows ON CONFLICT.
_INSERT = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def _add_to_counters(insert):
    statement = insert(DailyCounter.__table__)
    return statement.on_conflict_do_update(
        index_elements=["day", "name"],
        set_={"value": DailyCounter.__table__.c.value + statement.excluded.value},
    )


# Built once per dialect (every update runs them); on the tables themselves, as plain
# statements (an ORM INSERT with parameters would be a bulk insert).
_RECORD_UPDATE = {
    dialect: insert(ProcessedUpdate.__table__).on_conflict_do_nothing(index_elements=["update_id"])
    for dialect, insert in _INSERT.items()
}
_ADD_TO_COUNTERS = {dialect: _add_to_counters(insert) for dialect, insert in _INSERT.items()}


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        action: str,
        now: datetime,
        *,
        youth_id: int | None = None,
        educator_id: int | None = None,
        conversation_id: int | None = None,
        **details: Any,
    ) -> None:
        self._session.add(
            AuditEvent(
                at=now,
                action=action,
                youth_id=youth_id,
                educator_id=educator_id,
                conversation_id=conversation_id,
                details=details,
            )
        )

    async def for_youth(self, youth_id: int) -> list[AuditEvent]:
        return list(
            (
                await self._session.scalars(
                    select(AuditEvent).where(AuditEvent.youth_id == youth_id).order_by(AuditEvent.id)
                )
            ).all()
        )


class Counters:
    """Anonymous daily counters (no link to any person).

    Bumps are added up in memory and written in one statement when the transaction commits:
    a unit of work bumps several counters, and each upsert is a round of SQL.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._pending: dict[tuple[date, str], int] = {}

    async def bump(self, name: str, now: datetime, by: int = 1) -> None:
        if not self._pending:
            event.listen(self._session.sync_session, "before_commit", self._write, once=True)
        key = (now.date(), name)
        self._pending[key] = self._pending.get(key, 0) + by

    def _write(self, session: Session) -> None:
        """Runs inside the commit (SQLAlchemy's greenlet), with the synchronous session."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        session.execute(
            _ADD_TO_COUNTERS[session.bind.dialect.name],
            [{"day": day, "name": name, "value": by} for (day, name), by in pending.items()],
        )

    async def total(self, name: str) -> int:
        rows = await self._session.scalars(
            select(DailyCounter.value).where(DailyCounter.name == name)
        )
        pending = sum(by for (_, counted), by in self._pending.items() if counted == name)
        return sum(rows) + pending
