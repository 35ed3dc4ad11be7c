"""A young person's conversation: store each message, triage it, decide how the bot answers.

- Risk answers (imminent, elevated) go out at once and ask for an educator at high priority.
- Otherwise the bot's own answer waits for the young person to pause (``REPLY_PAUSE_S``): the
  conversation carries ``answer_due_at`` and the due-answer worker writes one answer for the burst.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.directory.service import awaited_theme, awaiting_state
from bot.i18n import t
from bot.services import replies
from bot.triage import Risk, helplines_for
from storage.models import Conversation, ConversationStatus, Direction, Message, Youth

RISK_RANK = {"none": 0, "elevated": 1, "imminent": 2}
# Fragments of one burst read together by the triage (a danger spread over several messages).
BURST_WINDOW = timedelta(minutes=10)
BURST_MAX_MESSAGES = 8
MAX_STORED_REASONS = 12
# While the bot waits for a town, a longer message is a new subject, not an answer.
PLACE_ANSWER_MAX_WORDS = 6


def higher_risk(a: str, b: str) -> str:
    return a if RISK_RANK[a] >= RISK_RANK[b] else b


def _burst_texts(unanswered: list[Message], message: Message) -> list[str]:
    """Texts of this burst: recent messages not yet answered by the bot, plus this one."""
    horizon = message.created_at - BURST_WINDOW
    recent = [m.text for m in unanswered if m.text and m.created_at >= horizon]
    if message.text:
        recent.append(message.text)
    return recent[-BURST_MAX_MESSAGES:]


@dataclass(frozen=True)
class Incoming:
    """A message from a young person, independent of the channel it came through."""

    content_type: str
    tg_message_id: int
    text: str | None = None
    file_id: str | None = None
    media_group_id: str | None = None
    # A shared position: used once to find places nearby, never stored.
    latitude: float | None = None
    longitude: float | None = None


class ConversationService:
    def __init__(self, uow) -> None:
        self.uow = uow

    # -- entry points ----------------------------------------------------------------------

    async def start(self, telegram_id: int) -> None:
        """/start: the welcome, and a conversation ready to listen."""
        uow = self.uow
        now = uow.now()
        youth, created = await uow.youths.get_or_create(telegram_id, now)
        await uow.youths.set_reachable(youth)
        if created:
            await uow.counters.bump("youth.new", now)
        youth.welcomed_at = now
        youth.awaiting = None
        text, keyboard = replies.welcome(uow.settings.service.territory_name)
        await self.say(youth, await self.current(youth), text, keyboard=keyboard)

    async def receive(self, telegram_id: int, incoming: Incoming) -> Message | None:
        uow = self.uow
        now = uow.now()
        youth, created = await uow.youths.get_or_create(telegram_id, now)
        await uow.youths.set_reachable(youth)
        if created:
            await uow.counters.bump("youth.new", now)
        if incoming.text and await uow.handoff.feedback_comment(youth, incoming.text):
            return None
        # A young person met just now has no conversation yet: none to look for.
        conversation = None if created else await uow.conversations.current_for(youth.id)
        unanswered: list[Message] = []
        if conversation is None:
            # Written with the message, once the triage has set its subjects.
            conversation = uow.conversations.begin(youth.id, now)
            await uow.counters.bump("conversation.opened", now)
        else:
            conversation.last_message_at = now
            unanswered = list(
                await uow.conversations.incoming_since(conversation.id, conversation.answered_up_to)
            )
        message = Message(
            conversation=conversation,
            direction=Direction.IN,
            content_type=incoming.content_type,
            text=incoming.text,
            file_id=incoming.file_id,
            media_group_id=incoming.media_group_id,
            tg_message_id=incoming.tg_message_id,
            created_at=now,
        )
        risk_before = conversation.risk
        families = self._triage(conversation, message, _burst_texts(unanswered, message))
        await uow.conversations.add_message(message)
        await uow.counters.bump("message.in", now)

        if conversation.status == ConversationStatus.ASSIGNED:
            # A human is in the conversation: relay at once, the bot stays silent.
            await uow.relay.to_educator(youth, conversation, message)
            return message
        if RISK_RANK[conversation.risk] > RISK_RANK[risk_before]:
            await self._answer_risk(youth, conversation, message, families)
        elif not await self._answer_place(youth, conversation, message, incoming):
            await self._schedule_answer(youth, conversation, [*unanswered, message])
        return message

    async def edit(self, telegram_id: int, tg_message_id: int, text: str | None) -> Message | None:
        """The young person edited a message: keep the new text (and triage it again)."""
        uow = self.uow
        youth = await uow.youths.by_telegram_id(telegram_id)
        if youth is None:
            return None
        conversations = [c.id for c in await uow.conversations.all_for(youth.id)]
        message = await uow.conversations.incoming_by_telegram_id(conversations, tg_message_id)
        if message is None:
            return None
        message.text = text
        message.edited_at = uow.now()
        conversation = await uow.conversations.get(message.conversation_id)
        if conversation is not None and conversation.status == ConversationStatus.ASSIGNED:
            await uow.relay.edit_to_educator(conversation, message)
        if conversation is not None and conversation.status != ConversationStatus.CLOSED:
            risk_before = conversation.risk
            families = self._triage(conversation, message, [text or ""])
            if RISK_RANK[conversation.risk] > RISK_RANK[risk_before]:
                await self._answer_risk(youth, conversation, message, families)
        return message

    async def answer_due(self, conversation: Conversation) -> bool:
        """Write the bot's answer to a burst whose pause is over (due-answer worker)."""
        uow = self.uow
        due_at = conversation.answer_due_at
        if due_at is None:
            return False
        burst = list(
            await uow.conversations.incoming_since(conversation.id, conversation.answered_up_to)
        )
        up_to = burst[-1].id if burst else conversation.answered_up_to
        if not await uow.conversations.claim_due_answer(conversation, due_at, up_to):
            return False
        youth = await uow.youths.get(conversation.youth_id)
        if youth is None or not burst or conversation.status in (
            ConversationStatus.ASSIGNED,
            ConversationStatus.CLOSED,
        ):
            return False
        await self._write_burst_answer(youth, conversation, burst)
        return True

    # -- internals -------------------------------------------------------------------------

    async def current(self, youth: Youth) -> Conversation:
        """The young person's open conversation, opened now if there is none."""
        conversation = await self.uow.conversations.current_for(youth.id)
        if conversation is None:
            conversation = await self._open(youth, self.uow.now())
        return conversation

    async def _open(self, youth: Youth, now: datetime) -> Conversation:
        conversation = await self.uow.conversations.open(youth.id, now)
        await self.uow.counters.bump("conversation.opened", now)
        return conversation

    def _triage(
        self, conversation: Conversation, message: Message, burst: list[str]
    ) -> tuple[str, ...]:
        """Triage the message alone and with its burst; return the risk families found."""
        triage = self.uow.app.triage
        alone = triage.classify(message.text) if message.text else None
        together = triage.classify_burst(burst) if len(burst) > 1 else None
        results = [r for r in (alone, together) if r is not None]
        if not results:
            return ()
        risk = "none"
        themes: list[str] = []
        reasons: list[str] = []
        for result in results:
            risk = higher_risk(risk, str(result.risk))
            themes += [theme for theme in result.themes if theme not in themes]
            reasons += [reason for reason in result.reasons if reason not in reasons]
        message.risk, message.themes, message.reasons = risk, themes, reasons
        conversation.risk = higher_risk(conversation.risk, risk)
        conversation.themes = list(conversation.themes) + [
            theme for theme in themes if theme not in conversation.themes
        ]
        if reasons:
            merged = list(conversation.reasons) + [r for r in reasons if r not in conversation.reasons]
            conversation.reasons = merged[-MAX_STORED_REASONS:]
        return tuple(dict.fromkeys(f for result in results for f in result.risk_families))

    async def _answer_place(
        self, youth: Youth, conversation: Conversation, message: Message, incoming: Incoming
    ) -> bool:
        """The bot asked where the young person is: a town, a postal code or a shared position
        gets places nearby at once. False when the message is not such an answer."""
        theme = awaited_theme(youth.awaiting)
        if theme is None or conversation.status == ConversationStatus.WAITING:
            return False
        directory = self.uow.directory
        if incoming.latitude is not None and incoming.longitude is not None:
            found = await directory.answer_point(
                self.uow.outbox,
                youth.telegram_id,
                incoming.latitude,
                incoming.longitude,
                [theme],
                telegram_id=youth.telegram_id,
            )
        elif incoming.text and len(incoming.text.split()) <= PLACE_ANSWER_MAX_WORDS:
            if await directory.locate_text(incoming.text) is None:
                return False
            match = await directory.answer_text(
                self.uow.outbox,
                youth.telegram_id,
                incoming.text,
                [theme],
                telegram_id=youth.telegram_id,
            )
            found = match is not None and match.commune is not None
        else:
            return False
        if found:
            youth.awaiting = None
        conversation.answer_due_at = None
        conversation.answered_up_to = max(conversation.answered_up_to, message.id)
        await self.uow.counters.bump("directory.places", self.uow.now())
        return True

    async def _offer_places(
        self, youth: Youth, conversation: Conversation, burst: list[Message], theme: str
    ) -> None:
        """Once a theme with places is known: places right away when the young person named
        their town, otherwise the offer to look near them (once per theme and conversation)."""
        directory = self.uow.directory
        if theme in conversation.places_offered or not directory.has_places_for(theme):
            return
        conversation.places_offered = list(conversation.places_offered) + [theme]
        for message in reversed(burst):
            match = await directory.mentioned_commune(message.text) if message.text else None
            if match is not None and match.commune is not None:
                await directory.write_places(
                    self.uow.outbox, youth.telegram_id, [theme], match.commune
                )
                return
        await directory.write_offer(
            self.uow.outbox, youth.telegram_id, theme, await directory.commune(youth.commune_code)
        )
        youth.awaiting = awaiting_state(theme)

    async def places(self, telegram_id: int) -> None:
        """/lieux: places nearby for what the young person talked about, or the question."""
        uow = self.uow
        youth, _ = await uow.youths.get_or_create(telegram_id, uow.now())
        conversation = await self.current(youth)
        themes = [t_ for t_ in conversation.themes if uow.directory.has_places_for(t_)]
        if not themes:
            await uow.outbox.send_text(telegram_id, t("directory.ask_what"))
            return
        theme = themes[-1]
        await uow.directory.write_offer(
            uow.outbox, telegram_id, theme, await uow.directory.commune(youth.commune_code)
        )
        youth.awaiting = awaiting_state(theme)

    async def something_else(self, telegram_id: int) -> None:
        """"Autre chose" under the places: stop waiting for a town, listen again."""
        youth = await self.uow.youths.by_telegram_id(telegram_id)
        if youth is not None and awaited_theme(youth.awaiting) is not None:
            youth.awaiting = None
        await self.uow.outbox.send_text(telegram_id, t("directory.something_else"))

    async def _answer_risk(
        self,
        youth: Youth,
        conversation: Conversation,
        message: Message,
        families: tuple[str, ...],
    ) -> None:
        """Danger: the emergency numbers or the help line at once, and a human asked for."""
        uow = self.uow
        now = uow.now()
        lines = helplines_for(
            uow.app.helplines, conversation.themes, Risk(conversation.risk), families
        )
        text, keyboard = replies.risk_answer(conversation.risk, lines)
        await self.say(youth, conversation, text, keyboard=keyboard)
        if awaited_theme(youth.awaiting) is not None:
            youth.awaiting = None
        conversation.answer_due_at = None
        conversation.answered_up_to = max(conversation.answered_up_to, message.id)
        await uow.counters.bump(f"risk.{conversation.risk}", now)
        await uow.handoff.enqueue(youth, conversation, reason="risk")

    async def _schedule_answer(
        self, youth: Youth, conversation: Conversation, burst: list[Message]
    ) -> None:
        """The answer to the burst, once the young person pauses (at once without a pause)."""
        pause = self.uow.settings.delivery.reply_pause_s
        if pause <= 0:
            conversation.answer_due_at = None
            conversation.answered_up_to = max(conversation.answered_up_to, burst[-1].id)
            await self._write_burst_answer(youth, conversation, burst)
            return
        conversation.answer_due_at = self.uow.now() + timedelta(seconds=pause)
        self.uow.answer_scheduled = True

    async def _write_burst_answer(
        self, youth: Youth, conversation: Conversation, burst: list[Message]
    ) -> None:
        uow = self.uow
        first_contact = youth.welcomed_at is None
        if first_contact:
            youth.welcomed_at = uow.now()
        text, keyboard = replies.burst_answer(
            burst,
            conversation_themes=conversation.themes,
            waiting=conversation.status == ConversationStatus.WAITING,
            first_contact=first_contact,
            territory=uow.settings.service.territory_name,
        )
        await self.say(youth, conversation, text, keyboard=keyboard)
        burst_themes = [theme for message in burst for theme in (message.themes or [])]
        if burst_themes and conversation.status != ConversationStatus.WAITING:
            await self._offer_places(youth, conversation, burst, burst_themes[0])

    async def say(
        self,
        youth: Youth,
        conversation: Conversation,
        text: str,
        *,
        keyboard=None,
        record: bool = True,
    ) -> None:
        """The bot speaks to the young person; kept in the conversation for the educator."""
        row = await self.uow.outbox.send_text(youth.telegram_id, text, keyboard=keyboard)
        if record:
            self.uow.conversations.queue_message(
                Message(
                    conversation_id=conversation.id,
                    direction=Direction.BOT,
                    content_type="text",
                    text=text,
                    outbox_row=row,
                    created_at=self.uow.now(),
                )
            )

    async def youth_unreachable(self, telegram_id: int) -> None:
        """Telegram answered 403: the young person blocked the bot."""
        uow = self.uow
        youth = await uow.youths.mark_unreachable(telegram_id, uow.now())
        if youth is not None:
            await uow.audit.record("youth.unreachable", uow.now(), youth_id=youth.id)
            await uow.handoff.youth_unreachable(youth)

    async def skip_question(self, telegram_id: int) -> None:
        """/passer: the young person does not want to answer the bot's question."""
        youth = await self.uow.youths.by_telegram_id(telegram_id)
        if youth is not None:
            youth.awaiting = None
        await self.uow.outbox.send_text(telegram_id, t("reply.skipped"))
