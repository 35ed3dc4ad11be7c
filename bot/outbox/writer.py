"""Writing outgoing Bot API calls as outbox rows, inside the caller's transaction.

Services describe what to send with plain data (no aiogram types); the sender turns each row into
a Bot API call once the transaction that wrote it has committed.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from storage.models import OutboxMessage


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None

    def to_api(self) -> dict[str, str]:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError("a button needs exactly one of callback_data or url")
        if self.callback_data is not None:
            if len(self.callback_data.encode()) > 64:
                raise ValueError("callback_data is limited to 64 bytes")
            return {"text": self.text, "callback_data": self.callback_data}
        return {"text": self.text, "url": self.url or ""}


Keyboard = Sequence[Sequence[Button]]
# A forum topic: its id when known, or the outbox row that creates it.
Thread = int | OutboxMessage | None

# References to what an earlier outbox row produced, resolved when this row is sent:
# the id of the message it sent, or of the forum topic it created.
MESSAGE_REF = "message_id_of_outbox"
THREAD_REF = "thread_id_of_outbox"
REFERENCES = {MESSAGE_REF: "message_id", THREAD_REF: "message_thread_id"}


def inline_keyboard(rows: Keyboard) -> dict[str, Any]:
    return {"inline_keyboard": [[button.to_api() for button in row] for row in rows]}


class Outbox:
    """Queues Bot API calls in the current unit of work."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        # The rows queued in this unit of work, handed to the sender once it commits.
        self.rows: list[OutboxMessage] = []

    async def call(
        self,
        chat_id: int,
        method: str,
        payload: dict[str, Any],
        *,
        erase_on_send: bool = False,
        ref: tuple[str, int] | None = None,
    ) -> OutboxMessage:
        """Queue one Bot API call; ``ref`` names the record that gets the sent message's id.

        The row is written with the transaction's next flush (rows queued together go in one
        statement); ``id_of`` gives its id when the caller needs it at once.
        """
        row = OutboxMessage(
            chat_id=chat_id,
            method=method,
            payload={"chat_id": chat_id, **payload},
            created_at=self._clock.now(),
            erase_on_send=erase_on_send,
            ref_kind=ref[0] if ref else None,
            ref_id=ref[1] if ref else None,
        )
        self._session.add(row)
        self.rows.append(row)
        return row

    async def id_of(self, row: OutboxMessage) -> int:
        """The id of a queued row (written now if it is not yet)."""
        if row.id is None:
            await self._session.flush()
        return row.id

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        thread: Thread = None,
        reply_to_message_id: int | None = None,
        erase_on_send: bool = False,
        ref: tuple[str, int] | None = None,
    ) -> OutboxMessage:
        payload: dict[str, Any] = {
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if keyboard:
            payload["reply_markup"] = inline_keyboard(keyboard)
        payload.update(await self._thread(thread))
        if reply_to_message_id is not None:
            payload["reply_parameters"] = {
                "message_id": reply_to_message_id,
                "allow_sending_without_reply": True,
            }
        return await self.call(
            chat_id, "sendMessage", payload, erase_on_send=erase_on_send, ref=ref
        )

    async def edit_text(
        self,
        chat_id: int,
        text: str,
        *,
        message_id: int | None = None,
        of_outbox: OutboxMessage | int | None = None,
        keyboard: Keyboard | None = None,
    ) -> OutboxMessage:
        """Edit a sent message, known by its id or by the outbox row that sent it."""
        payload: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
        payload.update(await self._message_ref(message_id, of_outbox))
        payload["reply_markup"] = inline_keyboard(keyboard or [])
        return await self.call(chat_id, "editMessageText", payload)

    async def copy_message(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        thread: Thread = None,
        reply_to_message_id: int | None = None,
        ref: tuple[str, int] | None = None,
    ) -> OutboxMessage:
        payload: dict[str, Any] = {"from_chat_id": from_chat_id, "message_id": message_id}
        payload.update(await self._thread(thread))
        if reply_to_message_id is not None:
            payload["reply_parameters"] = {
                "message_id": reply_to_message_id,
                "allow_sending_without_reply": True,
            }
        return await self.call(chat_id, "copyMessage", payload, ref=ref)

    async def create_topic(
        self, chat_id: int, name: str, *, ref: tuple[str, int] | None = None
    ) -> OutboxMessage:
        """A forum topic (in a private chat with the bot, or a forum supergroup)."""
        return await self.call(chat_id, "createForumTopic", {"name": name[:128]}, ref=ref)

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, *, caption: str | None = None
    ) -> OutboxMessage:
        payload: dict[str, Any] = {
            "document": {"filename": filename, "base64": base64.b64encode(content).decode()},
        }
        if caption:
            payload["caption"] = caption
            payload["parse_mode"] = "HTML"
        return await self.call(chat_id, "sendDocument", payload)

    async def leave_chat(self, chat_id: int) -> OutboxMessage:
        return await self.call(chat_id, "leaveChat", {})

    async def _thread(self, thread: Thread) -> dict[str, int]:
        if thread is None:
            return {}
        if isinstance(thread, int):
            return {"message_thread_id": thread}
        return {THREAD_REF: await self.id_of(thread)}

    async def _message_ref(
        self, message_id: int | None, of_outbox: OutboxMessage | int | None
    ) -> dict[str, int]:
        if message_id is not None:
            return {"message_id": message_id}
        if of_outbox is None:
            raise ValueError("give message_id or of_outbox")
        if isinstance(of_outbox, int):
            return {MESSAGE_REF: of_outbox}
        return {MESSAGE_REF: await self.id_of(of_outbox)}
