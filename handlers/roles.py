"""Who is writing: an educator (active), someone registering, or a young person.

Resolved once per update by ``RoleMiddleware``; routers filter on it, so an educator command
tried by anyone else falls through to the young person's conversation and reveals nothing.
"""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.context import UnitOfWork


class RoleMiddleware(BaseMiddleware):
    async def __call__(self, handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        uow: UnitOfWork = data["uow"]
        user = data.get("event_from_user")
        chat = data.get("event_chat")
        data["educator"] = None
        data["registering"] = False
        if user is not None and (chat is None or chat.type == "private"):
            data["educator"], data["registering"] = await uow.educators.role_of(user.id, uow.now())
        return await handler(event, data)


class IsEducator(Filter):
    async def __call__(self, event: TelegramObject, educator=None) -> bool:
        return educator is not None


class IsYouth(Filter):
    async def __call__(self, event: TelegramObject, educator=None) -> bool:
        return educator is None


class IsRegistering(Filter):
    async def __call__(self, event: TelegramObject, registering: bool = False) -> bool:
        return registering


class IsCoordinator(Filter):
    """A coordinator educator, or one of ``ADMIN_IDS``."""

    async def __call__(self, event: TelegramObject, uow: UnitOfWork, educator=None, event_from_user=None) -> bool:
        if event_from_user is None:
            return False
        return uow.team.is_coordinator(event_from_user.id, educator)
