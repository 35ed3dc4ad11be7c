"""The team: educators and coordinators, their invitations, duty and capacity."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from html import escape

from bot.i18n import t
from bot.services.workspace import queue_line
from storage.models import Educator, EducatorInvite, EducatorRole

INVITE_VALIDITY = timedelta(hours=48)
INVITE_PREFIX = "inv_"
_NAME_SPLIT = re.compile(r"\s+[—–-]\s+|\s*[—–/,]\s*")


def parse_identity(text: str) -> tuple[str, str | None] | None:
    """ "Léa — Centre social Val d'Auron" → ("Léa", "Centre social Val d'Auron")."""
    text = " ".join(text.split())
    if not text or text.startswith("/"):
        return None
    parts = _NAME_SPLIT.split(text, maxsplit=1)
    name = parts[0].strip()[:64]
    structure = parts[1].strip()[:128] if len(parts) > 1 and parts[1].strip() else None
    return (name, structure) if name else None


class TeamService:
    def __init__(self, uow) -> None:
        self.uow = uow

    def is_coordinator(self, telegram_id: int, educator: Educator | None) -> bool:
        if educator is not None and educator.is_coordinator:
            return True
        return telegram_id in self.uow.settings.service.admin_ids

    # -- set-up (CLI) ----------------------------------------------------------------------

    async def add(
        self,
        telegram_id: int,
        name: str,
        structure: str | None = None,
        *,
        coordinator: bool = False,
        capacity: int = 3,
    ) -> Educator:
        uow = self.uow
        existing = await uow.educators.by_telegram_id(telegram_id, active_only=False)
        role = EducatorRole.COORDINATOR if coordinator else EducatorRole.EDUCATOR
        if existing is not None:
            existing.display_name, existing.structure, existing.role = name, structure, role
            existing.active, existing.disabled_at, existing.capacity = True, None, capacity
            educator = existing
        else:
            educator = await uow.educators.add(
                Educator(
                    telegram_id=telegram_id,
                    display_name=name,
                    structure=structure,
                    role=role,
                    capacity=capacity,
                    created_at=uow.now(),
                )
            )
        await uow.audit.record("educator.added", uow.now(), educator_id=educator.id)
        return educator

    async def disable(self, educator: Educator) -> int:
        """Access ends at once; their conversations go back to the queue."""
        uow = self.uow
        educator.active = False
        educator.on_duty = False
        educator.disabled_at = uow.now()
        returned = 0
        for conversation in await uow.queue.assigned_to(educator.id):
            await uow.handoff.give_back(educator, conversation, note="")
            returned += 1
        await uow.audit.record("educator.disabled", uow.now(), educator_id=educator.id)
        return returned

    # -- invitations -----------------------------------------------------------------------

    async def invite(self, creator: Educator | None, bot_username: str, *, coordinator: bool = False) -> str:
        uow = self.uow
        now = uow.now()
        invite = await uow.educators.add_invite(
            EducatorInvite(
                token=secrets.token_urlsafe(12),
                role=EducatorRole.COORDINATOR if coordinator else EducatorRole.EDUCATOR,
                created_by=creator.id if creator else None,
                created_at=now,
                expires_at=now + INVITE_VALIDITY,
            )
        )
        await uow.audit.record(
            "educator.invited", now, educator_id=creator.id if creator else None
        )
        return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{invite.token}"

    async def claim(self, telegram_id: int, token: str) -> bool:
        """Someone opened an invite link: ask for their name if it is valid."""
        uow = self.uow
        now = uow.now()
        invite = await uow.educators.invite_by_token(token)
        if (
            invite is None
            or invite.used_at is not None
            or invite.expires_at <= now
            or (invite.claimed_by not in (None, telegram_id))
        ):
            return False
        invite.claimed_by = telegram_id
        await uow.outbox.send_text(telegram_id, t("team.invite.ask_identity"))
        return True

    async def complete_registration(self, telegram_id: int, text: str) -> Educator | None:
        uow = self.uow
        now = uow.now()
        invite = await uow.educators.claimed_invite(telegram_id, now)
        if invite is None:
            return None
        identity = parse_identity(text)
        if identity is None:
            await uow.outbox.send_text(telegram_id, t("team.invite.ask_identity"))
            return None
        name, structure = identity
        educator = await self.add(
            telegram_id, name, structure, coordinator=invite.role == EducatorRole.COORDINATOR
        )
        invite.used_at = now
        await uow.outbox.send_text(
            telegram_id, t("team.registered", signature=escape(educator.signature))
        )
        await uow.outbox.send_text(telegram_id, t("team.help"))
        return educator

    # -- duty ------------------------------------------------------------------------------

    async def set_on_duty(self, educator: Educator, on_duty: bool, *, announce: bool = True) -> None:
        """``announce=False``: the caller tells the educator itself (permanence reminders)."""
        uow = self.uow
        educator.on_duty = on_duty
        await uow.audit.record(
            "educator.on_duty" if on_duty else "educator.off_duty",
            uow.now(),
            educator_id=educator.id,
        )
        if not on_duty:
            if announce:
                active = len(await uow.queue.assigned_to(educator.id))
                await uow.outbox.send_text(educator.telegram_id, t("team.off_duty", active=active))
            return
        if announce:
            waiting = await uow.queue.waiting()
            await uow.outbox.send_text(educator.telegram_id, t("team.on_duty", waiting=len(waiting)))
        await uow.handoff.offer_waiting_to(educator)

    async def show_queue(self, educator: Educator) -> None:
        """/file: the waiting conversations, most urgent first."""
        uow = self.uow
        waiting = await uow.queue.waiting(limit=20)
        if not waiting:
            await uow.outbox.send_text(educator.telegram_id, t("queue.empty"))
            return
        lines = [t("queue.header", count=len(waiting))]
        for conversation in waiting:
            youth = await uow.youths.get(conversation.youth_id)
            first = next(iter(await uow.conversations.incoming_since(conversation.id, 0)), None)
            lines.append(
                queue_line(conversation, youth.pseudonym if youth else "?", first, uow.now())
            )
        await uow.outbox.send_text(educator.telegram_id, "\n\n".join(lines))
