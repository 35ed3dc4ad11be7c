"""Educators, coordinators and their invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, ConversationStatus, Educator, EducatorInvite


class EducatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, educator_id: int) -> Educator | None:
        return await self._session.get(Educator, educator_id)

    async def by_telegram_id(self, telegram_id: int, *, active_only: bool = True) -> Educator | None:
        query = select(Educator).where(Educator.telegram_id == telegram_id)
        if active_only:
            query = query.where(Educator.active.is_(True))
        return await self._session.scalar(query)

    async def role_of(self, telegram_id: int, now: datetime) -> tuple[Educator | None, bool]:
        """Who writes: the active educator with this Telegram id (or None), and whether they
        hold an invitation they have not finished using — in one round trip for everyone else."""
        educator_id, registering = (
            await self._session.execute(_ROLE_OF, {"telegram_id": telegram_id, "now": now})
        ).one()
        if educator_id is None:
            return None, bool(registering)
        return await self.get(educator_id), False

    async def add(self, educator: Educator) -> Educator:
        self._session.add(educator)
        await self._session.flush()
        return educator

    async def all(self) -> Sequence[Educator]:
        return (await self._session.scalars(select(Educator).order_by(Educator.id))).all()

    async def on_duty(self) -> Sequence[Educator]:
        return (
            await self._session.scalars(
                select(Educator)
                .where(Educator.active.is_(True), Educator.on_duty.is_(True))
                .order_by(Educator.id)
            )
        ).all()

    async def coordinators(self) -> Sequence[Educator]:
        return (
            await self._session.scalars(
                select(Educator).where(Educator.active.is_(True), Educator.role == "coordinator")
            )
        ).all()

    async def lock(self, educator: Educator) -> None:
        """Serialise concurrent work on one educator (capacity checks) on PostgreSQL."""
        if self._session.bind.dialect.name == "postgresql":
            await self._session.execute(
                select(Educator.id).where(Educator.id == educator.id).with_for_update()
            )

    async def active_count(self, educator_id: int) -> int:
        return await self._session.scalar(
            select(func.count(Conversation.id)).where(
                Conversation.assigned_educator_id == educator_id,
                Conversation.status == ConversationStatus.ASSIGNED,
            )
        ) or 0

    # -- invitations -----------------------------------------------------------------------

    async def add_invite(self, invite: EducatorInvite) -> EducatorInvite:
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def invite_by_token(self, token: str) -> EducatorInvite | None:
        return await self._session.scalar(select(EducatorInvite).where(EducatorInvite.token == token))

    async def claimed_invite(self, telegram_id: int, now: datetime) -> EducatorInvite | None:
        return await self._session.scalar(
            select(EducatorInvite)
            .where(_pending_invite(telegram_id, now))
            .order_by(EducatorInvite.id.desc())
            .limit(1)
        )


def _pending_invite(telegram_id, now):
    """An invitation claimed by this Telegram account, not yet used, not expired."""
    return and_(
        EducatorInvite.claimed_by == telegram_id,
        EducatorInvite.used_at.is_(None),
        EducatorInvite.expires_at > now,
    )


# Built once: every update asks it.
_ROLE_OF = select(
    select(Educator.id)
    .where(Educator.telegram_id == bindparam("telegram_id"), Educator.active.is_(True))
    .scalar_subquery(),
    exists().where(_pending_invite(bindparam("telegram_id"), bindparam("now"))),
)
