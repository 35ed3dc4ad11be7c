"""Counters and measurements of one emulator run (``emu.stats``), for benchmarks and asserts."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .limits import LimitPolicy, RateLimiter


class SendSample(NamedTuple):
    """One accepted send (a message that left the bot)."""

    time: float
    """``time.monotonic()`` when it was accepted."""
    bot_id: int
    chat_id: int
    chat_type: str
    method: str
    cost: int

    @property
    def is_edit(self) -> bool:
        return self.method.lower().startswith("edit")


@dataclass
class ComplianceReport:
    """How a recorded run compares to a :class:`LimitPolicy` (see ``check_compliance``)."""

    policy: LimitPolicy
    total: int = 0
    over_private: int = 0
    """Sends that exceeded a private chat's bucket."""
    over_group: int = 0
    over_global: int = 0
    chats_over: set[int] = field(default_factory=set)
    max_global_in_window: int = 0
    max_group_in_window: int = 0
    max_private_in_second: int = 0

    @property
    def violations(self) -> int:
        return self.over_private + self.over_group + self.over_global

    @property
    def compliant(self) -> bool:
        return self.violations == 0


class EmulatorStats:
    """Counts everything the server saw and did.

    * ``requests`` — calls per method (as the bot spelled it);
    * ``statuses`` — answers per HTTP status;
    * ``rate_limited`` — 429 answers produced by the limiter (``rate_limited_by_scope``:
      private/group/global; ``rate_limited_by_chat``);
    * ``faults`` — injected faults that fired, by kind (``fail:429``, ``drop``, ``delay``…);
    * ``sends`` — one :class:`SendSample` per accepted message or edit (timestamps for rate
      measures; the measures take ``include_edits=False`` to count messages only);
    * ``updates_pushed`` / ``updates_delivered`` — updates created / handed out by getUpdates.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start counting from zero (e.g. after a benchmark's warm-up)."""
        self.started_at = time.monotonic()
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.rate_limited = 0
        self.rate_limited_by_scope: Counter[str] = Counter()
        self.rate_limited_by_chat: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self.sends: list[SendSample] = []
        self.updates_pushed = 0
        self.updates_delivered = 0
        self.errors: list[str] = []
        """Internal emulator errors (bugs): they answer 500 and are listed here."""

    # ----- recording --------------------------------------------------------
    def record_send(self, bot_id: int, chat_id: int, chat_type: str, method: str, cost: int = 1) -> None:
        self.sends.append(SendSample(time.monotonic(), bot_id, chat_id, chat_type, method, cost))

    def record_limited(self, scope: str, chat_id: int | None) -> None:
        self.rate_limited += 1
        self.rate_limited_by_scope[scope] += 1
        if chat_id is not None:
            self.rate_limited_by_chat[chat_id] += 1

    # ----- measurements -----------------------------------------------------
    @property
    def messages_sent(self) -> int:
        """Messages accepted (edits not included)."""
        return sum(sample.cost for sample in self.sends if not sample.is_edit)

    @property
    def edits_sent(self) -> int:
        return sum(sample.cost for sample in self.sends if sample.is_edit)

    def _samples(self, chat_id: int | None, bot_id: int | None, include_edits: bool = True) -> list[SendSample]:
        return [
            s
            for s in self.sends
            if (chat_id is None or s.chat_id == chat_id)
            and (bot_id is None or s.bot_id == bot_id)
            and (include_edits or not s.is_edit)
        ]

    def max_in_window(
        self,
        window: float = 1.0,
        *,
        chat_id: int | None = None,
        bot_id: int | None = None,
        include_edits: bool = True,
    ) -> int:
        """Largest number of sends accepted within any ``window`` seconds (two pointers, O(n))."""
        samples = self._samples(chat_id, bot_id, include_edits)
        best = 0
        total = 0
        left = 0
        for sample in samples:
            total += sample.cost
            while samples[left].time <= sample.time - window:
                total -= samples[left].cost
                left += 1
            best = max(best, total)
        return best

    def per_second(
        self, *, chat_id: int | None = None, bot_id: int | None = None, include_edits: bool = True
    ) -> list[int]:
        """Sends accepted in each whole second since the first one."""
        samples = self._samples(chat_id, bot_id, include_edits)
        if not samples:
            return []
        start = samples[0].time
        buckets = [0] * (int(samples[-1].time - start) + 1)
        for sample in samples:
            buckets[int(sample.time - start)] += sample.cost
        return buckets

    def throughput(
        self, *, chat_id: int | None = None, bot_id: int | None = None, include_edits: bool = True
    ) -> float:
        """Average sends per second between the first and the last accepted send."""
        samples = self._samples(chat_id, bot_id, include_edits)
        if len(samples) < 2:
            return float(sum(s.cost for s in samples))
        span = samples[-1].time - samples[0].time
        return sum(s.cost for s in samples) / span if span > 0 else float("inf")

    def check_compliance(self, policy: LimitPolicy | None = None) -> ComplianceReport:
        """Replay the accepted sends against ``policy``: how many would Telegram have refused?

        Useful with ``enforce_limits=False`` to measure how well a sender paces itself.
        Every recorded send is counted as having happened (it did), so a burst that exceeds a
        limit keeps counting until the pace drops back under it.
        """
        policy = policy or LimitPolicy()
        report = ComplianceReport(policy=policy)
        now = 0.0
        limiters: dict[int, RateLimiter] = {}
        for sample in self.sends:
            now = sample.time
            limiter = limiters.get(sample.bot_id)
            if limiter is None:
                limiter = limiters[sample.bot_id] = RateLimiter(policy, clock=lambda: now)
            report.total += sample.cost
            decision = limiter.check(sample.chat_id, sample.chat_type, sample.cost, force=True)
            if decision is not None:
                report.chats_over.add(sample.chat_id)
                if decision.scope == "private":
                    report.over_private += sample.cost
                elif decision.scope == "group":
                    report.over_group += sample.cost
                else:
                    report.over_global += sample.cost
        for bot_id in {s.bot_id for s in self.sends}:
            report.max_global_in_window = max(
                report.max_global_in_window, self.max_in_window(policy.global_window, bot_id=bot_id)
            )
        chats: dict[int, str] = {s.chat_id: s.chat_type for s in self.sends}
        for chat_id, chat_type in chats.items():
            if chat_type == "private":
                report.max_private_in_second = max(report.max_private_in_second, self.max_in_window(1.0, chat_id=chat_id))
            else:
                report.max_group_in_window = max(
                    report.max_group_in_window, self.max_in_window(policy.group_window, chat_id=chat_id)
                )
        return report

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly snapshot of the counters."""
        return {
            "requests": dict(self.requests),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "rate_limited": self.rate_limited,
            "rate_limited_by_scope": dict(self.rate_limited_by_scope),
            "faults": dict(self.faults),
            "messages_sent": self.messages_sent,
            "edits_sent": self.edits_sent,
            "updates_pushed": self.updates_pushed,
            "updates_delivered": self.updates_delivered,
            "max_sends_per_second": self.max_in_window(1.0),
            "errors": list(self.errors),
        }
