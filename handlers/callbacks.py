"""Small helpers shared by the routers that handle button presses."""

from __future__ import annotations

from aiogram.types import CallbackQuery

from bot.context import UnitOfWork


def acknowledge(uow: UnitOfWork, callback: CallbackQuery, text: str | None = None) -> None:
    """Answer the button press once the transaction has committed."""

    async def answer() -> None:
        await callback.answer(text)

    uow.after_commit.append(answer)


def parse_ids(data: str | None, count: int) -> tuple[int, ...]:
    """The last ``count`` numbers of callback data like "tr:to:12:3"."""
    parts = (data or "").split(":")[-count:]
    return tuple(int(part) for part in parts)
