"""Young people."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Youth


# Built once: the statements every young person's message runs.
_BY_TELEGRAM_ID = select(Youth).where(Youth.telegram_id == bindparam("telegram_id"))
_PSEUDONYM_TAKEN = select(Youth.id).where(Youth.pseudonym == bindparam("pseudonym"))


class YouthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> Youth | None:
        return await self._session.scalar(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})

    async def get(self, youth_id: int) -> Youth | None:
        return await self._session.get(Youth, youth_id)

    async def get_or_create(self, telegram_id: int, now: datetime) -> tuple[Youth, bool]:
        youth = await self.by_telegram_id(telegram_id)
        if youth is not None:
            youth.last_seen_at = now
            return youth, False
        youth = Youth(
            telegram_id=telegram_id,
            pseudonym=await self._free_pseudonym(),
            created_at=now,
            last_seen_at=now,
        )
        self._session.add(youth)
        await self._session.flush()
        return youth, True

    async def _free_pseudonym(self) -> str:
        """Four hex digits ("4F2A") while they are easy to find free, then six."""
        for attempt in range(12):
            candidate = secrets.token_hex(2 if attempt < 6 else 3).upper()
            taken = await self._session.scalar(_PSEUDONYM_TAKEN, {"pseudonym": candidate})
            if taken is None:
                return candidate
        return secrets.token_hex(5).upper()

    async def mark_unreachable(self, telegram_id: int, now: datetime) -> Youth | None:
        youth = await self.by_telegram_id(telegram_id)
        if youth is not None and youth.unreachable_at is None:
            youth.unreachable_at = now
        return youth

    async def delete(self, youth: Youth) -> None:
        await self._session.execute(delete(Youth).where(Youth.id == youth.id))

    async def set_reachable(self, youth: Youth) -> None:
        if youth.unreachable_at is not None:
            await self._session.execute(
                update(Youth).where(Youth.id == youth.id).values(unreachable_at=None)
            )
            youth.unreachable_at = None
