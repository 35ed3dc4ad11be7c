"""The relay between a young person and the educator in the conversation.

Messages are copied (``copyMessage``) both ways, immediately: text, photos, voice, video,
documents, stickers, locations, albums. The copy's id is written back on the message when it is
sent, so edits and replies can be matched later.
"""

from __future__ import annotations

from html import escape

from bot.i18n import t
from bot.services import workspace
from bot.outbox import MESSAGE_REF, THREAD_REF, Button
from storage.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Educator,
    Message,
    OutboxMessage,
    Youth,
)

TEXT_EDITABLE = {"text"}
CAPTION_EDITABLE = {"photo", "video", "document", "audio", "animation", "voice"}


class RelayService:
    def __init__(self, uow) -> None:
        self.uow = uow

    async def _educator(self, conversation: Conversation) -> Educator | None:
        if conversation.assigned_educator_id is None:
            return None
        return await self.uow.educators.get(conversation.assigned_educator_id)

    async def to_educator(self, youth: Youth, conversation: Conversation, message: Message) -> None:
        educator = await self._educator(conversation)
        if educator is None:
            return
        thread = await self._topic(conversation)
        row = await self.uow.outbox.copy_message(
            educator.telegram_id,
            youth.telegram_id,
            message.tg_message_id,
            thread=thread,
            ref=("message", message.id),
        )
        message.outbox_row = row
        if thread is None:
            # No topic: say whose message this is, so a reply finds its way back.
            await self.uow.outbox.send_text(
                educator.telegram_id,
                t("relay.from", pseudonym=workspace.pseudonym(youth.pseudonym)),
            )

    async def _topic(self, conversation: Conversation):
        """The conversation's topic id, or the outbox row still creating it."""
        if conversation.educator_thread_id is not None:
            return conversation.educator_thread_id
        if conversation.topic_outbox_id is not None:
            return await self.uow.session.get(OutboxMessage, conversation.topic_outbox_id)
        return None

    async def to_youth(
        self,
        educator: Educator,
        conversation: Conversation,
        tg_message_id: int,
        content_type: str,
        text: str | None,
        *,
        reply_to: int | None = None,
        named: bool = False,
    ) -> bool:
        """An educator wrote in the conversation: copy it to the young person.

        ``named``: the message was not written in the conversation's topic, so the bot says
        which young person it went to."""
        uow = self.uow
        youth = await uow.youths.get(conversation.youth_id)
        if youth is None:
            return False
        message = await uow.conversations.add_message(
            Message(
                conversation_id=conversation.id,
                direction=Direction.EDUCATOR,
                content_type=content_type,
                text=text,
                tg_message_id=tg_message_id,
                educator_id=educator.id,
                created_at=uow.now(),
            )
        )
        reply_in_youth_chat = None
        if reply_to is not None:
            original = await uow.conversations.by_copy(educator.telegram_id, reply_to)
            if original is not None and original.direction == Direction.IN:
                reply_in_youth_chat = original.tg_message_id
        row = await uow.outbox.copy_message(
            youth.telegram_id,
            educator.telegram_id,
            tg_message_id,
            reply_to_message_id=reply_in_youth_chat,
            ref=("message", message.id),
        )
        message.outbox_row = row
        conversation.last_message_at = uow.now()
        educator.selected_conversation_id = conversation.id
        if named:
            await uow.outbox.send_text(
                educator.telegram_id,
                t("relay.sent_to", pseudonym=workspace.pseudonym(youth.pseudonym)),
            )
        return True

    # -- which conversation an educator's message is for -----------------------------------

    async def conversation_for(
        self, educator: Educator, *, thread_id: int | None, reply_to: int | None
    ) -> Conversation | None:
        uow = self.uow
        chat = educator.telegram_id
        if thread_id is not None:
            conversation = await uow.queue.by_thread(educator.id, thread_id)
            if conversation is None:
                await uow.outbox.send_text(chat, t("workspace.not_yours"), thread=thread_id)
            return conversation
        if reply_to is not None:
            original = await uow.conversations.by_copy(chat, reply_to)
            if original is not None:
                conversation = await uow.conversations.get(original.conversation_id)
                if self._is_theirs(conversation, educator):
                    return conversation
        if educator.selected_conversation_id is not None:
            conversation = await uow.conversations.get(educator.selected_conversation_id)
            if self._is_theirs(conversation, educator):
                return conversation
        assigned = await uow.queue.assigned_to(educator.id)
        if len(assigned) == 1:
            educator.selected_conversation_id = assigned[0].id
            return assigned[0]
        if not assigned:
            await uow.outbox.send_text(chat, t("workspace.none_active"))
            return None
        keyboard = []
        for conversation in assigned:
            youth = await uow.youths.get(conversation.youth_id)
            label = workspace.pseudonym(youth.pseudonym if youth else "?")
            keyboard.append([Button(label, callback_data=f"sel:{conversation.id}")])
        await uow.outbox.send_text(chat, t("workspace.which"), keyboard=keyboard)
        return None

    @staticmethod
    def _is_theirs(conversation: Conversation | None, educator: Educator) -> bool:
        return (
            conversation is not None
            and conversation.status == ConversationStatus.ASSIGNED
            and conversation.assigned_educator_id == educator.id
        )

    async def select(self, educator: Educator, conversation_id: int) -> None:
        uow = self.uow
        conversation = await uow.conversations.get(conversation_id)
        if not self._is_theirs(conversation, educator):
            await uow.outbox.send_text(educator.telegram_id, t("workspace.not_yours"))
            return
        educator.selected_conversation_id = conversation_id
        youth = await uow.youths.get(conversation.youth_id)
        await uow.outbox.send_text(
            educator.telegram_id,
            t("workspace.selected", pseudonym=workspace.pseudonym(youth.pseudonym if youth else "?")),
        )

    async def edit_to_educator(self, conversation: Conversation, message: Message) -> None:
        educator = await self._educator(conversation)
        if educator is not None:
            await self._relay_edit(educator.telegram_id, message, await self._topic(conversation))

    async def edit_to_youth(self, educator: Educator, tg_message_id: int, text: str | None) -> bool:
        uow = self.uow
        message = await uow.conversations.educator_message(educator.id, tg_message_id)
        if message is None:
            return False
        message.text = text
        message.edited_at = uow.now()
        youth = None
        conversation = await uow.conversations.get(message.conversation_id)
        if conversation is not None:
            youth = await uow.youths.get(conversation.youth_id)
        if youth is not None:
            await self._relay_edit(youth.telegram_id, message, None)
        return True

    async def _relay_edit(self, chat_id: int, message: Message, thread) -> None:
        """Edit the relayed copy where Telegram allows it, otherwise say it was modified."""
        outbox = self.uow.outbox
        editable = message.content_type in TEXT_EDITABLE | CAPTION_EDITABLE
        if message.outbox_id is not None and editable and message.text:
            if message.content_type in TEXT_EDITABLE:
                await outbox.call(
                    chat_id,
                    "editMessageText",
                    {"text": message.text, MESSAGE_REF: message.outbox_id},
                )
            else:
                await outbox.call(
                    chat_id,
                    "editMessageCaption",
                    {"caption": message.text, MESSAGE_REF: message.outbox_id},
                )
            return
        await outbox.send_text(
            chat_id,
            t("relay.edited", text=escape(message.text or "")),
            thread=thread,
            reply_to_message_id=message.copy_message_id,
        )

    async def topic_lost(
        self, chat_id: int, thread_id: int, method: str, payload: dict
    ) -> None:
        """Telegram lost a conversation's topic: create it again and resend what failed."""
        uow = self.uow
        educator = await uow.educators.by_telegram_id(chat_id)
        if educator is None:
            return
        conversation = await uow.queue.by_thread(educator.id, thread_id)
        if conversation is None:
            return
        youth = await uow.youths.get(conversation.youth_id)
        topic = await uow.outbox.create_topic(
            chat_id,
            workspace.topic_name(conversation, youth.pseudonym if youth else "?"),
            ref=("topic", conversation.id),
        )
        conversation.educator_thread_id = None
        conversation.topic_outbox_id = await uow.outbox.id_of(topic)
        retry = {k: v for k, v in payload.items() if k not in ("chat_id", "message_thread_id")}
        retry[THREAD_REF] = conversation.topic_outbox_id
        await uow.outbox.call(chat_id, method, retry)
