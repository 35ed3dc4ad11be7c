"""The shared queue and the hand-off: from a young person asking for a human to the end.

Every move of a conversation is a conditional update (see ``QueueRepository``), so when several
educators act at once exactly one wins; capacity is checked in the same transaction.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from html import escape

from bot.i18n import t
from bot.outbox import Button
from bot.services import replies, workspace
from bot.triage import Risk, helplines_for
from storage.models import (
    Conversation,
    ConversationNote,
    ConversationStatus,
    Direction,
    Educator,
    QueueCard,
    Youth,
)

# A returning young person who asked for the same educator waits for them this long at most.
PREFERRED_EDUCATOR_WAIT = timedelta(minutes=5)
FEEDBACK_VALUES = ("good", "mid", "bad")


class TakeResult(enum.Enum):
    TAKEN = "taken"
    ALREADY_TAKEN = "already_taken"
    AT_CAPACITY = "at_capacity"
    GONE = "gone"


class HandoffService:
    def __init__(self, uow) -> None:
        self.uow = uow

    # -- a young person asks for a human ---------------------------------------------------

    async def request(self, telegram_id: int, *, same_educator: bool | None = None) -> None:
        """/educateur or the button. A returning young person may ask for the same educator."""
        uow = self.uow
        now = uow.now()
        youth, _ = await uow.youths.get_or_create(telegram_id, now)
        conversation = await uow.conversation.current(youth)
        if conversation.status == ConversationStatus.ASSIGNED:
            educator = await uow.educators.get(conversation.assigned_educator_id or 0)
            name = escape(educator.signature) if educator else ""
            await uow.conversation.say(youth, conversation, t("queue.already_assigned", name=name))
            return
        if conversation.status == ConversationStatus.WAITING:
            await self._tell_position(youth, conversation)
            return
        previous = await self._previous_educator(youth, conversation)
        if previous is not None and same_educator is None:
            await uow.conversation.say(
                youth,
                conversation,
                t("queue.same_educator.ask", name=escape(previous.display_name)),
                keyboard=[
                    [Button(t("queue.same_educator.yes", name=previous.display_name), callback_data="q:same")],
                    [Button(t("queue.same_educator.no"), callback_data="q:any")],
                ],
            )
            return
        if same_educator and previous is not None:
            conversation.preferred_educator_id = previous.id
        await self.enqueue(youth, conversation, reason="request")
        await self._tell_position(youth, conversation)

    async def _previous_educator(self, youth: Youth, current: Conversation) -> Educator | None:
        for conversation in reversed(await self.uow.conversations.all_for(youth.id)):
            if conversation.id != current.id and conversation.assigned_educator_id:
                educator = await self.uow.educators.get(conversation.assigned_educator_id)
                return educator if educator is not None and educator.active else None
        return None

    async def enqueue(self, youth: Youth, conversation: Conversation, *, reason: str) -> None:
        """The conversation enters the queue; educators on duty are told at once."""
        uow = self.uow
        now = uow.now()
        if conversation.status in (ConversationStatus.ASSIGNED, ConversationStatus.CLOSED):
            return
        newly = conversation.status != ConversationStatus.WAITING
        if not newly and reason == "risk":
            # Already waiting, but the risk rose: fresh cards (they notify), old ones retired.
            await self._retire_cards(conversation, youth)
        if newly:
            conversation.status = ConversationStatus.WAITING
            conversation.escalated_at = now
            conversation.answer_due_at = None
            await uow.counters.bump("conversation.escalated", now)
        if conversation.escalation_reason != "risk":
            conversation.escalation_reason = reason
        await uow.audit.record(
            "conversation.escalated",
            now,
            youth_id=youth.id,
            conversation_id=conversation.id,
            reason=reason,
            risk=conversation.risk,
        )
        preferred = None
        if conversation.preferred_educator_id:
            preferred = await uow.educators.get(conversation.preferred_educator_id)
            if preferred is None or not preferred.on_duty or not preferred.active:
                preferred = None
        if preferred is None:
            conversation.offered_to_all_at = now
            await self.announce(conversation, youth, await uow.educators.on_duty())
        else:
            await self.announce(conversation, youth, [preferred])
        await self._refresh_board(conversation, youth)

    async def announce(
        self, conversation: Conversation, youth: Youth, educators
    ) -> None:
        """A card with a "take" button in each educator's private chat (once per educator)."""
        uow = self.uow
        recent = await uow.conversations.incoming_since(conversation.id, 0)
        text, keyboard = workspace.queue_card(conversation, youth.pseudonym, recent, uow.now())
        if conversation.risk == "imminent":
            text = f"{t('card.alert')}\n{text}"
        for educator in educators:
            if await uow.queue.has_card(conversation.id, educator.telegram_id):
                continue
            row = await uow.outbox.send_text(educator.telegram_id, text, keyboard=keyboard)
            await uow.queue.add_card(
                QueueCard(
                    conversation_id=conversation.id,
                    chat_id=educator.telegram_id,
                    educator_id=educator.id,
                    outbox_id=await uow.outbox.id_of(row),
                    created_at=uow.now(),
                )
            )

    async def offer_waiting_to(self, educator: Educator) -> int:
        """An educator comes on duty: the waiting queue is offered to them at once."""
        count = 0
        # Alerts that fell due while nobody was on duty are answered by the cards shown now;
        # when colleagues are on duty, they keep theirs.
        first_on_duty = all(other.id == educator.id for other in await self.uow.educators.on_duty())
        for conversation in await self.uow.queue.waiting():
            if conversation.preferred_educator_id not in (None, educator.id) and (
                conversation.offered_to_all_at is None
            ):
                continue
            youth = await self.uow.youths.get(conversation.youth_id)
            if youth is not None:
                await self.announce(conversation, youth, [educator])
                if first_on_duty and conversation.escalated_at is not None:
                    await self.uow.watchdogs.waiting_seen(conversation, self.uow.now())
                count += 1
        return count

    async def offer_to_all_when_preferred_waited(self) -> int:
        """Periodic: a conversation kept for one educator goes to everyone after a while."""
        uow = self.uow
        now = uow.now()
        expired = await uow.queue.preferred_expired(now - PREFERRED_EDUCATOR_WAIT)
        for conversation in expired:
            conversation.offered_to_all_at = now
            youth = await uow.youths.get(conversation.youth_id)
            if youth is not None:
                await self.announce(conversation, youth, await uow.educators.on_duty())
        return len(expired)

    async def _tell_position(self, youth: Youth, conversation: Conversation) -> None:
        uow = self.uow
        on_duty = await uow.educators.on_duty()
        if not on_duty:
            lines = helplines_for(uow.app.helplines, conversation.themes, Risk.NONE, ())
            if not lines:
                # Issue 6: no theme yet must not leave "if you need to talk now" empty: the
                # general listening line for 12–25 year-olds (Fil Santé Jeunes).
                lines = helplines_for(uow.app.helplines, ["sante_mentale"], Risk.NONE, ())
            # Issue 6: the text also says when the next permanence starts.
            text = await uow.duty.nobody_on_duty_text(replies.format_helplines(lines))
            await uow.conversation.say(youth, conversation, text)
            return
        position = await uow.queue.position(conversation)
        place = t("queue.place.first") if position == 1 else t("queue.place.other", n=position)
        text = t("queue.position", place=place)
        waits = await uow.queue.pickup_waits(uow.now() - timedelta(days=30))
        minutes = workspace.wait_estimate_minutes(waits, position)
        if minutes is not None:
            text += " " + t("queue.estimate", minutes=minutes)
        await uow.conversation.say(youth, conversation, text + "\n" + t("queue.keep_writing"))

    # -- educators take, give back, transfer -----------------------------------------------

    async def take(self, educator: Educator, conversation_id: int) -> TakeResult:
        uow = self.uow
        now = uow.now()
        conversation = await uow.conversations.get(conversation_id)
        if conversation is None or conversation.status == ConversationStatus.CLOSED:
            await uow.outbox.send_text(educator.telegram_id, t("take.gone"))
            return TakeResult.GONE
        if conversation.status != ConversationStatus.WAITING:
            await uow.outbox.send_text(educator.telegram_id, t("take.already_taken"))
            return TakeResult.ALREADY_TAKEN
        await uow.educators.lock(educator)
        if await uow.educators.active_count(educator.id) >= educator.capacity:
            await uow.outbox.send_text(
                educator.telegram_id, t("take.at_capacity", capacity=educator.capacity)
            )
            return TakeResult.AT_CAPACITY
        if not await uow.queue.assign(conversation.id, educator.id, now):
            await uow.outbox.send_text(educator.telegram_id, t("take.already_taken"))
            return TakeResult.ALREADY_TAKEN
        await uow.session.refresh(conversation)
        youth = await uow.youths.get(conversation.youth_id)
        await uow.audit.record(
            "conversation.taken",
            now,
            educator_id=educator.id,
            conversation_id=conversation.id,
            youth_id=conversation.youth_id,
        )
        await self._mark_cards(conversation, youth, educator)
        await self._refresh_board(conversation, youth)
        if youth is not None:
            await uow.conversation.say(
                youth,
                conversation,
                t("take.youth_told", name=escape(educator.signature)),
                record=False,
            )
        await self._open_workspace(educator, conversation, youth)
        return TakeResult.TAKEN

    async def take_next(self, educator: Educator) -> TakeResult | None:
        conversation = await self.uow.queue.next_for(educator.id)
        if conversation is None:
            await self.uow.outbox.send_text(educator.telegram_id, t("queue.empty"))
            return None
        return await self.take(educator, conversation.id)

    async def _open_workspace(
        self, educator: Educator, conversation: Conversation, youth: Youth | None
    ) -> None:
        """A forum topic for the conversation in the educator's chat, with the history."""
        uow = self.uow
        code = youth.pseudonym if youth else "?"
        topic = await uow.outbox.create_topic(
            educator.telegram_id,
            workspace.topic_name(conversation, code),
            ref=("topic", conversation.id),
        )
        conversation.topic_outbox_id = await uow.outbox.id_of(topic)
        educator.selected_conversation_id = conversation.id
        messages = await uow.conversations.messages(conversation.id)
        notes = await uow.queue.notes(conversation.id)
        authors = {e.id: e.display_name for e in await uow.educators.all()}
        for chunk in workspace.history(
            conversation, code, messages, notes, authors, uow.settings.service.tz
        ):
            await uow.outbox.send_text(educator.telegram_id, chunk, thread=topic)
        if youth is not None:
            for message in messages:
                if message.direction == Direction.IN and message.file_id and message.tg_message_id:
                    await uow.outbox.copy_message(
                        educator.telegram_id,
                        youth.telegram_id,
                        message.tg_message_id,
                        thread=topic,
                        ref=("message", message.id),
                    )
        await uow.outbox.send_text(educator.telegram_id, t("workspace.howto"), thread=topic)
        await uow.audit.record(
            "conversation.history_viewed",
            uow.now(),
            educator_id=educator.id,
            conversation_id=conversation.id,
        )

    async def _mark_cards(
        self, conversation: Conversation, youth: Youth | None, educator: Educator | None
    ) -> None:
        """Edit every copy of the conversation's card ("Pris en charge par Léa")."""
        uow = self.uow
        code = youth.pseudonym if youth else "?"
        text = (
            workspace.taken_card(conversation, code, educator)
            if educator is not None
            else workspace.closed_card(conversation, code)
        )
        for card in await uow.queue.active_cards(conversation.id):
            card.active = False
            if card.outbox_id is not None:
                await uow.outbox.edit_text(card.chat_id, text, of_outbox=card.outbox_id)

    async def _retire_cards(self, conversation: Conversation, youth: Youth) -> None:
        uow = self.uow
        text = t("card.superseded", pseudonym=workspace.pseudonym(youth.pseudonym))
        for card in await uow.queue.active_cards(conversation.id):
            card.active = False
            if card.outbox_id is not None:
                await uow.outbox.edit_text(card.chat_id, text, of_outbox=card.outbox_id)

    async def _refresh_board(self, conversation: Conversation, youth: Youth | None) -> None:
        """The staff group's queue board: one card per waiting conversation, edited in place."""
        uow = self.uow
        staff = uow.settings.telegram.staff_chat_id
        if staff is None:
            return
        if conversation.status == ConversationStatus.WAITING:
            if await uow.queue.has_card(conversation.id, staff):
                return
            code = youth.pseudonym if youth else "?"
            # No message content on the board: the group is shared by the whole team.
            text, _ = workspace.queue_card(conversation, code, [], uow.now(), with_content=False)
            row = await uow.outbox.send_text(staff, text)
            await uow.queue.add_card(
                QueueCard(
                    conversation_id=conversation.id,
                    chat_id=staff,
                    outbox_id=await uow.outbox.id_of(row),
                    created_at=uow.now(),
                )
            )

    async def give_back(self, educator: Educator, conversation: Conversation, note: str) -> None:
        """/rendre: back in the queue, with a note for whoever takes it next."""
        uow = self.uow
        now = uow.now()
        if note:
            await uow.queue.add_note(
                ConversationNote(
                    conversation_id=conversation.id,
                    educator_id=educator.id,
                    text=note,
                    created_at=now,
                )
            )
        thread = conversation.educator_thread_id
        if not await uow.queue.release(conversation.id, educator.id, now):
            return
        await uow.session.refresh(conversation)
        await uow.audit.record(
            "conversation.given_back", now, educator_id=educator.id, conversation_id=conversation.id
        )
        await uow.outbox.send_text(educator.telegram_id, t("giveback.done"), thread=thread)
        youth = await uow.youths.get(conversation.youth_id)
        if youth is None:
            return
        await uow.conversation.say(youth, conversation, t("giveback.youth_told"), record=False)
        await self.announce(
            conversation, youth, [e for e in await uow.educators.on_duty() if e.id != educator.id]
        )
        await self._refresh_board(conversation, youth)

    async def propose_transfer(self, educator: Educator, conversation: Conversation) -> None:
        """/transferer: the colleagues on duty, as buttons."""
        uow = self.uow
        colleagues = [e for e in await uow.educators.on_duty() if e.id != educator.id]
        thread = conversation.educator_thread_id
        if not colleagues:
            await uow.outbox.send_text(educator.telegram_id, t("transfer.nobody"), thread=thread)
            return
        keyboard = [
            [Button(c.display_name, callback_data=f"tr:to:{conversation.id}:{c.id}")]
            for c in colleagues
        ]
        await uow.outbox.send_text(
            educator.telegram_id, t("transfer.choose"), keyboard=keyboard, thread=thread
        )

    async def ask_colleague(self, educator: Educator, conversation_id: int, colleague_id: int) -> None:
        uow = self.uow
        conversation = await uow.conversations.get(conversation_id)
        colleague = await uow.educators.get(colleague_id)
        if (
            conversation is None
            or conversation.assigned_educator_id != educator.id
            or conversation.status != ConversationStatus.ASSIGNED
            or colleague is None
            or not colleague.active
        ):
            await uow.outbox.send_text(educator.telegram_id, t("transfer.impossible"))
            return
        conversation.transfer_to_id = colleague.id
        youth = await uow.youths.get(conversation.youth_id)
        code = youth.pseudonym if youth else "?"
        await uow.outbox.send_text(
            colleague.telegram_id,
            t(
                "transfer.request",
                name=escape(educator.display_name),
                badge=workspace.badge(conversation.risk),
                pseudonym=workspace.pseudonym(code),
                themes=workspace.theme_labels(conversation.themes),
            ),
            keyboard=[
                [
                    Button(t("transfer.accept"), callback_data=f"tr:ok:{conversation.id}"),
                    Button(t("transfer.decline"), callback_data=f"tr:no:{conversation.id}"),
                ]
            ],
        )
        await uow.outbox.send_text(
            educator.telegram_id,
            t("transfer.asked", name=escape(colleague.display_name)),
            thread=conversation.educator_thread_id,
        )

    async def accept_transfer(self, colleague: Educator, conversation_id: int) -> bool:
        uow = self.uow
        now = uow.now()
        conversation = await uow.conversations.get(conversation_id)
        if conversation is None or conversation.transfer_to_id != colleague.id:
            await uow.outbox.send_text(colleague.telegram_id, t("transfer.expired"))
            return False
        previous = await uow.educators.get(conversation.assigned_educator_id or 0)
        previous_thread = conversation.educator_thread_id
        await uow.educators.lock(colleague)
        if await uow.educators.active_count(colleague.id) >= colleague.capacity:
            await uow.outbox.send_text(
                colleague.telegram_id, t("take.at_capacity", capacity=colleague.capacity)
            )
            return False
        if previous is None or not await uow.queue.hand_over(
            conversation.id, previous.id, colleague.id, now
        ):
            await uow.outbox.send_text(colleague.telegram_id, t("transfer.expired"))
            return False
        await uow.session.refresh(conversation)
        await uow.audit.record(
            "conversation.transferred",
            now,
            educator_id=colleague.id,
            conversation_id=conversation.id,
            from_educator_id=previous.id,
        )
        await uow.outbox.send_text(
            previous.telegram_id,
            t("transfer.done", name=escape(colleague.display_name)),
            thread=previous_thread,
        )
        if previous.selected_conversation_id == conversation.id:
            previous.selected_conversation_id = None
        youth = await uow.youths.get(conversation.youth_id)
        if youth is not None:
            await uow.conversation.say(
                youth,
                conversation,
                t("transfer.youth_told", name=escape(colleague.signature)),
                record=False,
            )
        await self._open_workspace(colleague, conversation, youth)
        return True

    async def decline_transfer(self, colleague: Educator, conversation_id: int) -> None:
        uow = self.uow
        conversation = await uow.conversations.get(conversation_id)
        if conversation is None or conversation.transfer_to_id != colleague.id:
            await uow.outbox.send_text(colleague.telegram_id, t("transfer.expired"))
            return
        conversation.transfer_to_id = None
        owner = await uow.educators.get(conversation.assigned_educator_id or 0)
        if owner is not None:
            await uow.outbox.send_text(
                owner.telegram_id,
                t("transfer.declined", name=escape(colleague.display_name)),
                thread=conversation.educator_thread_id,
            )
        await uow.outbox.send_text(colleague.telegram_id, t("transfer.decline_noted"))

    async def add_note(self, educator: Educator, conversation: Conversation, text: str) -> None:
        uow = self.uow
        await uow.queue.add_note(
            ConversationNote(
                conversation_id=conversation.id,
                educator_id=educator.id,
                text=text,
                created_at=uow.now(),
            )
        )
        await uow.outbox.send_text(
            educator.telegram_id, t("note.saved"), thread=conversation.educator_thread_id
        )

    # -- the end ---------------------------------------------------------------------------

    async def close(self, conversation: Conversation, *, by: str) -> None:
        """Close the conversation; the young person is asked whether it helped."""
        uow = self.uow
        now = uow.now()
        if conversation.status == ConversationStatus.CLOSED:
            return
        previous_status = conversation.status
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = now
        conversation.closed_by = by
        conversation.answer_due_at = None
        conversation.transfer_to_id = None
        await uow.counters.bump("conversation.closed", now)
        await uow.audit.record(
            "conversation.closed",
            now,
            youth_id=conversation.youth_id,
            educator_id=conversation.assigned_educator_id,
            conversation_id=conversation.id,
            by=by,
        )
        youth = await uow.youths.get(conversation.youth_id)
        if previous_status == ConversationStatus.WAITING:
            await self._mark_cards(conversation, youth, None)
        educator = None
        if previous_status == ConversationStatus.ASSIGNED and conversation.assigned_educator_id:
            educator = await uow.educators.get(conversation.assigned_educator_id)
        if educator is not None:
            key = {"youth": "close.educator_told.youth", "unreachable": "close.educator_told.blocked"}
            await uow.outbox.send_text(
                educator.telegram_id,
                t(key.get(by, "close.educator_told.self")),
                thread=conversation.educator_thread_id,
            )
            if educator.selected_conversation_id == conversation.id:
                educator.selected_conversation_id = None
        if youth is None or by == "unreachable" or youth.unreachable_at is not None:
            return
        keyboard = [
            [
                Button(t(f"feedback.{value}"), callback_data=f"fb:{conversation.id}:{value}")
                for value in FEEDBACK_VALUES
            ]
        ]
        await uow.outbox.send_text(youth.telegram_id, t("close.youth_told"), keyboard=keyboard)

    async def feedback(self, telegram_id: int, conversation_id: int, value: str) -> None:
        uow = self.uow
        youth = await uow.youths.by_telegram_id(telegram_id)
        conversation = await uow.conversations.get(conversation_id)
        if (
            youth is None
            or conversation is None
            or conversation.youth_id != youth.id
            or value not in FEEDBACK_VALUES
        ):
            return
        conversation.feedback = value
        youth.awaiting = f"comment:{conversation.id}"
        await uow.counters.bump(f"feedback.{value}", uow.now())
        await uow.outbox.send_text(telegram_id, t("feedback.thanks_ask_word"))

    async def feedback_comment(self, youth: Youth, text: str) -> bool:
        """The word a young person adds after the feedback buttons."""
        awaiting = youth.awaiting or ""
        if not awaiting.startswith("comment:"):
            return False
        youth.awaiting = None
        conversation = await self.uow.conversations.get(int(awaiting.split(":", 1)[1]))
        if conversation is None or conversation.youth_id != youth.id:
            return False
        conversation.feedback_comment = text[:1000]
        await self.uow.outbox.send_text(youth.telegram_id, t("feedback.comment_thanks"))
        return True

    async def youth_closes(self, telegram_id: int) -> None:
        """/fin from the young person."""
        uow = self.uow
        youth = await uow.youths.by_telegram_id(telegram_id)
        conversation = await uow.conversations.current_for(youth.id) if youth else None
        if conversation is None:
            await uow.outbox.send_text(telegram_id, t("close.nothing_open"))
            return
        await self.close(conversation, by="youth")

    async def youth_unreachable(self, youth: Youth) -> None:
        """The young person blocked the bot: close their conversation, tell the educator."""
        conversation = await self.uow.conversations.current_for(youth.id)
        if conversation is not None:
            await self.close(conversation, by="unreachable")
