"""Groups: the bot works only in private chats (and in the staff group)."""

from __future__ import annotations

from aiogram import F
from aiogram.types import ChatMemberUpdated, Message

from bot.context import UnitOfWork
from handlers.routing import Routes
from bot.i18n import t

router = Routes("groups")
router.message.filter(F.chat.type.in_({"group", "supergroup"}))
router.my_chat_member.filter(F.chat.type.in_({"group", "supergroup"}))


def is_staff_chat(chat_id: int, uow: UnitOfWork) -> bool:
    return chat_id == uow.settings.telegram.staff_chat_id


async def _say_private_only_and_leave(chat_id: int, uow: UnitOfWork) -> None:
    await uow.outbox.send_text(chat_id, t("group.private_only"))
    await uow.outbox.leave_chat(chat_id)
    await uow.audit.record("group.left", uow.now(), chat_id=chat_id)


@router.my_chat_member(F.new_chat_member.status.in_({"member", "administrator"}))
async def on_added(event: ChatMemberUpdated, uow: UnitOfWork) -> None:
    if not is_staff_chat(event.chat.id, uow):
        await _say_private_only_and_leave(event.chat.id, uow)


@router.message()
async def on_group_message(message: Message, uow: UnitOfWork) -> None:
    if not is_staff_chat(message.chat.id, uow):
        await _say_private_only_and_leave(message.chat.id, uow)
