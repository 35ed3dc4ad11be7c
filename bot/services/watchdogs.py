"""Watchdogs: nobody waits unseen. Swept every minute; each alert fires once per threshold.

- A conversation at imminent risk waiting more than ``WATCHDOG_IMMINENT_MINUTES`` alerts every
  educator on duty again, and the coordinators (on duty or not).
- A conversation waiting past each of ``WATCHDOG_WAITING_MINUTES`` while educators are on duty
  is announced again to them.
- In an assigned conversation, a young person waiting ``UNANSWERED_MINUTES`` for an answer is
  flagged to the educator; with ``REQUEUE_UNANSWERED``, the conversation goes back to the queue
  after ``REQUEUE_UNANSWERED_MINUTES``.
- A conversation without messages for ``INACTIVITY_HOURS`` is closed kindly, with the feedback
  question (conversations waiting for an educator are kept: they were promised an answer).

"Once" is durable: each alert is recorded in ``clock_events`` in the transaction that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.i18n import t
from bot.outbox import Button
from bot.services import workspace
from storage.models import Conversation, ConversationStatus, Direction, Educator

IMMINENT, WAITING, UNANSWERED, REQUEUED, INACTIVE = (
    "watch.imminent",
    "watch.waiting",
    "watch.unanswered",
    "watch.requeued",
    "watch.inactive",
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


@dataclass
class WatchdogSweep:
    imminent: list[int] = field(default_factory=list)  # conversation ids alerted
    waiting: list[int] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


class WatchdogService:
    def __init__(self, uow) -> None:
        self.uow = uow

    @property
    def settings(self):
        return self.uow.settings.duty

    async def sweep(self, now: datetime | None = None) -> WatchdogSweep:
        now = now or self.uow.now()
        result = WatchdogSweep()
        await self.waiting_queue(now, result)
        await self.unanswered(now, result)
        return result

    # -- the queue ---------------------------------------------------------------------------

    async def waiting_queue(self, now: datetime, result: WatchdogSweep) -> None:
        uow = self.uow
        waiting = await uow.queue.waiting()
        if not waiting:
            return
        on_duty = list(await uow.educators.on_duty())
        coordinators = list(await uow.educators.coordinators())
        for conversation in waiting:
            if conversation.escalated_at is None:
                continue
            youth = await uow.youths.get(conversation.youth_id)
            code = youth.pseudonym if youth else "?"
            if conversation.risk == "imminent":
                await self._imminent(conversation, code, now, on_duty, coordinators, result)
            if on_duty:
                await self._waiting_long(conversation, code, now, on_duty, result)

    async def _imminent(
        self,
        conversation: Conversation,
        code: str,
        now: datetime,
        on_duty: list[Educator],
        coordinators: list[Educator],
        result: WatchdogSweep,
    ) -> None:
        uow = self.uow
        since = conversation.escalated_at
        first_imminent = await uow.watch.first_imminent_at(conversation.id)
        if first_imminent is not None and first_imminent > since:
            since = first_imminent  # it became imminent while already waiting
        if now - since < timedelta(minutes=self.settings.watchdog_imminent_minutes):
            return
        if not await uow.clock_events.mark(IMMINENT, conversation.id, _stamp(since), now):
            return
        text = t(
            "watch.imminent",
            pseudonym=workspace.pseudonym(code),
            waited=workspace.waited(since, now),
            themes=workspace.theme_labels(conversation.themes),
            on_duty=len(on_duty),
        )
        take = [[Button(t("card.button.take"), callback_data=f"q:take:{conversation.id}")]]
        told: set[int] = set()
        for educator in [*on_duty, *coordinators]:
            if educator.telegram_id in told:
                continue
            told.add(educator.telegram_id)
            await uow.outbox.send_text(educator.telegram_id, text, keyboard=take)
        for admin_id in uow.settings.service.admin_ids:
            if admin_id not in told:
                told.add(admin_id)
                await uow.outbox.send_text(admin_id, text)
        staff = uow.settings.telegram.staff_chat_id
        if staff is not None:
            # The shared group gets no content: the pseudonym and the time waited only.
            await uow.outbox.send_text(
                staff,
                t(
                    "watch.imminent.staff",
                    pseudonym=workspace.pseudonym(code),
                    waited=workspace.waited(since, now),
                ),
            )
        await uow.audit.record(
            "watchdog.imminent", now, conversation_id=conversation.id, told=len(told)
        )
        result.imminent.append(conversation.id)

    async def _waiting_long(
        self,
        conversation: Conversation,
        code: str,
        now: datetime,
        on_duty: list[Educator],
        result: WatchdogSweep,
    ) -> None:
        """Announced again at the highest threshold passed and not yet announced."""
        uow = self.uow
        since, passed = self._waiting_thresholds(conversation, now)
        if not passed:
            return
        top = max(passed)
        if not await uow.clock_events.mark(WAITING, conversation.id, f"{_stamp(since)}:{top}", now):
            return
        for lower in passed:
            if lower != top:
                await uow.clock_events.mark(WAITING, conversation.id, f"{_stamp(since)}:{lower}", now)
        text = t(
            "watch.waiting",
            badge=workspace.badge(conversation.risk),
            pseudonym=workspace.pseudonym(code),
            waited=workspace.waited(since, now),
            themes=workspace.theme_labels(conversation.themes),
        )
        take = [[Button(t("card.button.take"), callback_data=f"q:take:{conversation.id}")]]
        for educator in on_duty:
            await uow.outbox.send_text(educator.telegram_id, text, keyboard=take)
        await uow.audit.record(
            "watchdog.waiting", now, conversation_id=conversation.id, minutes=top
        )
        result.waiting.append(conversation.id)

    async def waiting_seen(self, conversation: Conversation, now: datetime) -> None:
        """The conversation's card was just shown (an educator came on duty): the thresholds
        already passed count as announced, the next alert comes at the next threshold."""
        since, passed = self._waiting_thresholds(conversation, now)
        for minutes in passed:
            await self.uow.clock_events.mark(
                WAITING, conversation.id, f"{_stamp(since)}:{minutes}", now
            )

    def _waiting_thresholds(
        self, conversation: Conversation, now: datetime
    ) -> tuple[datetime, list[int]]:
        """Since when the conversation waits for everyone, and the thresholds passed since."""
        since = conversation.escalated_at
        if conversation.offered_to_all_at is not None and conversation.offered_to_all_at > since:
            since = conversation.offered_to_all_at  # given back, or offered to all later
        elapsed = now - since
        minutes = self.settings.watchdog_waiting_minutes
        return since, [m for m in minutes if elapsed >= timedelta(minutes=m)]

    # -- assigned conversations --------------------------------------------------------------

    async def unanswered(self, now: datetime, result: WatchdogSweep) -> None:
        uow = self.uow
        flag_after = timedelta(minutes=self.settings.unanswered_minutes)
        requeue_after = timedelta(minutes=self.settings.requeue_unanswered_minutes)
        for conversation in await uow.watch.assigned():
            since = await self.waiting_for_answer_since(conversation)
            if since is None:
                continue
            elapsed = now - since
            educator = await uow.educators.get(conversation.assigned_educator_id or 0)
            if educator is None:
                continue
            youth = await uow.youths.get(conversation.youth_id)
            code = youth.pseudonym if youth else "?"
            if (
                self.settings.requeue_unanswered
                and elapsed >= requeue_after
                and await uow.clock_events.mark(REQUEUED, conversation.id, _stamp(since), now)
            ):
                await uow.clock_events.mark(UNANSWERED, conversation.id, _stamp(since), now)
                await uow.outbox.send_text(
                    educator.telegram_id,
                    t(
                        "watch.requeued",
                        pseudonym=workspace.pseudonym(code),
                        minutes=_minutes(elapsed),
                    ),
                    thread=conversation.educator_thread_id,
                )
                await uow.handoff.give_back(
                    educator, conversation, t("watch.requeued.note", minutes=_minutes(elapsed))
                )
                await uow.audit.record(
                    "watchdog.requeued", now, educator_id=educator.id, conversation_id=conversation.id
                )
                result.requeued.append(conversation.id)
                continue
            if elapsed >= flag_after and await uow.clock_events.mark(
                UNANSWERED, conversation.id, _stamp(since), now
            ):
                key = "watch.unanswered.requeue" if self.settings.requeue_unanswered else "watch.unanswered"
                await uow.outbox.send_text(
                    educator.telegram_id,
                    t(
                        key,
                        pseudonym=workspace.pseudonym(code),
                        minutes=_minutes(elapsed),
                        requeue=_minutes(requeue_after - elapsed),
                    ),
                    thread=conversation.educator_thread_id,
                )
                await uow.audit.record(
                    "watchdog.unanswered",
                    now,
                    educator_id=educator.id,
                    conversation_id=conversation.id,
                )
                result.unanswered.append(conversation.id)

    async def waiting_for_answer_since(self, conversation: Conversation) -> datetime | None:
        """Since when the young person waits for the educator: from the pick-up if the educator
        has not written yet, else from their first message after the educator's last one."""
        assigned_at = conversation.assigned_at
        if assigned_at is None:
            return None
        watch = self.uow.watch
        last_answer = await watch.last_message(
            conversation.id, Direction.EDUCATOR, since=assigned_at
        )
        if last_answer is None:
            return assigned_at
        return await watch.first_at_after(conversation.id, Direction.IN, last_answer.id)

    # -- inactivity --------------------------------------------------------------------------

    async def close_inactive(self, now: datetime | None = None) -> list[int]:
        """Conversations without messages for ``INACTIVITY_HOURS``, closed kindly."""
        uow = self.uow
        now = now or uow.now()
        before = now - timedelta(hours=self.settings.inactivity_hours)
        closed: list[int] = []
        for conversation in await uow.watch.inactive(before):
            if not await uow.clock_events.mark(
                INACTIVE, conversation.id, _stamp(conversation.last_message_at), now
            ):
                continue
            youth = await uow.youths.get(conversation.youth_id)
            if conversation.status == ConversationStatus.ASSIGNED:
                educator = await uow.educators.get(conversation.assigned_educator_id or 0)
                if educator is not None:
                    await uow.outbox.send_text(
                        educator.telegram_id,
                        t(
                            "inactivity.educator",
                            pseudonym=workspace.pseudonym(youth.pseudonym if youth else "?"),
                            hours=_hours(self.settings.inactivity_hours),
                        ),
                        thread=conversation.educator_thread_id,
                    )
            if await uow.watch.has_incoming(conversation.id):
                if youth is not None and youth.unreachable_at is None:
                    await uow.outbox.send_text(youth.telegram_id, t("inactivity.youth"))
                await uow.handoff.close(conversation, by="inactivity")
            else:
                await self._close_quietly(conversation, now)
            closed.append(conversation.id)
        return closed

    async def _close_quietly(self, conversation: Conversation, now: datetime) -> None:
        """A conversation the young person never wrote in (only /start): nothing to ask."""
        uow = self.uow
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = now
        conversation.closed_by = "inactivity"
        conversation.answer_due_at = None
        await uow.counters.bump("conversation.closed", now)
        await uow.audit.record(
            "conversation.closed",
            now,
            youth_id=conversation.youth_id,
            conversation_id=conversation.id,
            by="inactivity",
        )


def _hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
