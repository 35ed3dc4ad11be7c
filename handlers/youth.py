"""Young people, in their private chat with the bot."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.context import UnitOfWork
from handlers.routing import Routes
from bot.i18n import t
from bot.services.privacy import ERASE_NO, ERASE_YES
from bot.services.replies import help_text, privacy_notice
from handlers.adapters import incoming_from
from handlers.callbacks import acknowledge, parse_ids
from handlers.roles import IsYouth

router = Routes("youth")
router.message.filter(F.chat.type == "private", IsYouth())
router.edited_message.filter(F.chat.type == "private", IsYouth())
router.callback_query.filter(IsYouth())


@router.message(CommandStart())
async def on_start(message: Message, uow: UnitOfWork) -> None:
    await uow.conversation.start(message.chat.id)


@router.message(Command("aide", "help"))
async def on_help(message: Message, uow: UnitOfWork) -> None:
    await uow.outbox.send_text(message.chat.id, help_text())


@router.message(Command("confidentialite", "privacy"))
async def on_privacy(message: Message, uow: UnitOfWork) -> None:
    await uow.outbox.send_text(
        message.chat.id, privacy_notice(uow.settings.service.retention_days)
    )


@router.message(Command("mesdonnees"))
async def on_export(message: Message, uow: UnitOfWork) -> None:
    await uow.privacy.export(message.chat.id)


@router.message(Command("oubli"))
async def on_forget(message: Message, uow: UnitOfWork) -> None:
    await uow.privacy.ask_erase(message.chat.id)


@router.callback_query(F.data == ERASE_YES)
async def on_forget_confirmed(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.privacy.erase(callback.from_user.id)
    acknowledge(uow, callback)


@router.callback_query(F.data == ERASE_NO)
async def on_forget_cancelled(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.privacy.keep(callback.from_user.id)
    acknowledge(uow, callback)


@router.message(Command("educateur", "educatrice", "humain"))
async def on_ask_educator(message: Message, uow: UnitOfWork) -> None:
    await uow.handoff.request(message.chat.id)


@router.callback_query(F.data == "conv:educator")
async def on_educator_button(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.handoff.request(callback.from_user.id)
    acknowledge(uow, callback)


@router.callback_query(F.data.in_({"q:same", "q:any"}))
async def on_same_educator(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.handoff.request(callback.from_user.id, same_educator=callback.data == "q:same")
    acknowledge(uow, callback)


@router.message(Command("fin"))
async def on_close(message: Message, uow: UnitOfWork) -> None:
    await uow.handoff.youth_closes(message.chat.id)


@router.callback_query(F.data.regexp(r"^fb:\d+:(good|mid|bad)$"))
async def on_feedback(callback: CallbackQuery, uow: UnitOfWork) -> None:
    (conversation_id,) = parse_ids(callback.data.rsplit(":", 1)[0], 1)
    await uow.handoff.feedback(callback.from_user.id, conversation_id, callback.data.rsplit(":", 1)[1])
    acknowledge(uow, callback, t("feedback.toast"))


@router.message(Command("lieux"))
async def on_places(message: Message, uow: UnitOfWork) -> None:
    await uow.conversation.places(message.chat.id)


@router.callback_query(F.data.startswith("dir:"))
async def on_directory_button(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.directory.handle_callback(
        uow.outbox, callback.from_user.id, callback.data, telegram_id=callback.from_user.id
    )
    acknowledge(uow, callback)


@router.callback_query(F.data == "conv:other")
async def on_something_else(callback: CallbackQuery, uow: UnitOfWork) -> None:
    await uow.conversation.something_else(callback.from_user.id)
    acknowledge(uow, callback)


@router.message(Command("passer"))
async def on_skip(message: Message, uow: UnitOfWork) -> None:
    await uow.conversation.skip_question(message.chat.id)


@router.my_chat_member(F.chat.type == "private", F.new_chat_member.status == "kicked")
async def on_blocked(event: ChatMemberUpdated, uow: UnitOfWork) -> None:
    await uow.conversation.youth_unreachable(event.chat.id)


@router.message()
async def on_message(message: Message, uow: UnitOfWork) -> None:
    await uow.conversation.receive(message.chat.id, incoming_from(message))


@router.edited_message()
async def on_edit(message: Message, uow: UnitOfWork) -> None:
    await uow.conversation.edit(message.chat.id, message.message_id, message.text or message.caption)
