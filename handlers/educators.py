"""Educators and coordinators, in their private chat with the bot (and its topics)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.context import UnitOfWork
from handlers.routing import Routes
from bot.i18n import t
from bot.services.handoff import TakeResult
from handlers.adapters import content_type_of
from handlers.callbacks import acknowledge, parse_ids
from handlers.roles import IsCoordinator, IsEducator, IsRegistering
from storage.models import Educator

router = Routes("educators")
router.message.filter(F.chat.type == "private", IsEducator())
router.edited_message.filter(F.chat.type == "private", IsEducator())
router.callback_query.filter(IsEducator())

registration = Routes("registration")
registration.message.filter(F.chat.type == "private")

coordination = Routes("coordination")
coordination.message.filter(F.chat.type == "private", IsCoordinator())


# -- registration through an invite link ----------------------------------------------------


@registration.message(CommandStart(deep_link=True, magic=F.args.startswith("inv_")))
async def on_invite_opened(message: Message, command: CommandObject, uow: UnitOfWork) -> None:
    token = (command.args or "").removeprefix("inv_")
    if not await uow.team.claim(message.chat.id, token):
        await uow.outbox.send_text(message.chat.id, t("team.invite.invalid"))


@registration.message(IsRegistering(), F.text)
async def on_identity(message: Message, uow: UnitOfWork) -> None:
    await uow.team.complete_registration(message.chat.id, message.text or "")


# -- coordinators ---------------------------------------------------------------------------


@coordination.message(Command("invite"))
async def on_invite(message: Message, command: CommandObject, uow: UnitOfWork, educator: Educator | None) -> None:
    coordinator = (command.args or "").strip().lower() in {"coordination", "coordinateur", "coordinatrice"}
    link = await uow.team.invite(educator, uow.app.bot_username, coordinator=coordinator)
    await uow.outbox.send_text(message.chat.id, t("team.invite.created", link=link))


# -- duty and the queue ---------------------------------------------------------------------


@router.message(CommandStart())
@router.message(Command("aide", "help"))
async def on_help(message: Message, uow: UnitOfWork, educator: Educator | None = None) -> None:
    # Issue 6: permanences for everyone, figures for the coordination.
    text = t("team.help") + "\n" + t("duty.help")
    if uow.team.is_coordinator(message.chat.id, educator):
        text += "\n" + t("duty.help.coordinator")
    await uow.outbox.send_text(message.chat.id, text, thread=message.message_thread_id)


@router.message(Command("dispo"))
async def on_duty(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    await uow.team.set_on_duty(educator, True)


@router.message(Command("pause"))
async def off_duty(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    await uow.team.set_on_duty(educator, False)


@router.message(Command("file"))
async def on_queue(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    await uow.team.show_queue(educator)


@router.message(Command("prendre"))
async def on_take_next(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    await uow.handoff.take_next(educator)


@router.callback_query(F.data.regexp(r"^q:take:\d+$"))
async def on_take(callback: CallbackQuery, uow: UnitOfWork, educator: Educator) -> None:
    (conversation_id,) = parse_ids(callback.data, 1)
    result = await uow.handoff.take(educator, conversation_id)
    acknowledge(uow, callback, t(f"take.toast.{result.value}"))


# -- inside a conversation ------------------------------------------------------------------


async def _conversation(uow: UnitOfWork, educator: Educator, message: Message):
    """The conversation a message is meant for: its topic, the message it replies to, or the
    conversation selected last."""
    reply = message.reply_to_message
    return await uow.relay.conversation_for(
        educator,
        thread_id=message.message_thread_id,
        reply_to=reply.message_id if reply is not None else None,
    )


@router.message(Command("note"))
async def on_note(message: Message, command: CommandObject, uow: UnitOfWork, educator: Educator) -> None:
    conversation = await _conversation(uow, educator, message)
    if conversation is None:
        return
    if not (command.args or "").strip():
        await uow.outbox.send_text(message.chat.id, t("note.empty"), thread=message.message_thread_id)
        return
    await uow.handoff.add_note(educator, conversation, command.args.strip())


@router.message(Command("fin"))
async def on_close(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    conversation = await _conversation(uow, educator, message)
    if conversation is not None:
        await uow.handoff.close(conversation, by="educator")


@router.message(Command("rendre"))
async def on_give_back(message: Message, command: CommandObject, uow: UnitOfWork, educator: Educator) -> None:
    conversation = await _conversation(uow, educator, message)
    if conversation is not None:
        await uow.handoff.give_back(educator, conversation, (command.args or "").strip())


@router.message(Command("transferer"))
async def on_transfer(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    conversation = await _conversation(uow, educator, message)
    if conversation is not None:
        await uow.handoff.propose_transfer(educator, conversation)


@router.callback_query(F.data.regexp(r"^tr:to:\d+:\d+$"))
async def on_transfer_to(callback: CallbackQuery, uow: UnitOfWork, educator: Educator) -> None:
    conversation_id, colleague_id = parse_ids(callback.data, 2)
    await uow.handoff.ask_colleague(educator, conversation_id, colleague_id)
    acknowledge(uow, callback)


@router.callback_query(F.data.regexp(r"^tr:ok:\d+$"))
async def on_transfer_accepted(callback: CallbackQuery, uow: UnitOfWork, educator: Educator) -> None:
    (conversation_id,) = parse_ids(callback.data, 1)
    await uow.handoff.accept_transfer(educator, conversation_id)
    acknowledge(uow, callback)


@router.callback_query(F.data.regexp(r"^tr:no:\d+$"))
async def on_transfer_declined(callback: CallbackQuery, uow: UnitOfWork, educator: Educator) -> None:
    (conversation_id,) = parse_ids(callback.data, 1)
    await uow.handoff.decline_transfer(educator, conversation_id)
    acknowledge(uow, callback)


@router.callback_query(F.data.regexp(r"^sel:\d+$"))
async def on_select(callback: CallbackQuery, uow: UnitOfWork, educator: Educator) -> None:
    (conversation_id,) = parse_ids(callback.data, 1)
    await uow.relay.select(educator, conversation_id)
    acknowledge(uow, callback)


@router.message(F.text.startswith("/"))
async def on_unknown_command(message: Message, uow: UnitOfWork) -> None:
    await uow.outbox.send_text(message.chat.id, t("team.unknown_command"), thread=message.message_thread_id)


@router.message()
async def on_message(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    """Anything else an educator writes goes to the young person of that conversation."""
    conversation = await _conversation(uow, educator, message)
    if conversation is None:
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    await uow.relay.to_youth(
        educator,
        conversation,
        message.message_id,
        content_type_of(message),
        message.text or message.caption,
        reply_to=reply_to,
        named=message.message_thread_id is None,
    )


@router.edited_message()
async def on_edit(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    await uow.relay.edit_to_youth(educator, message.message_id, message.text or message.caption)
