"""Telegram's flood limits, as a policy and an enforcer.

Telegram does not publish exact algorithms; its documented guidance is "about one message per
second in a private chat (short bursts are tolerated), 20 messages per minute in a group, 30
messages per second overall". The emulator models it as:

* **private chat** — a token bucket per chat: capacity ``private_burst`` (3), refilled at
  ``private_rate`` (1 message/second). So 3 messages may leave at once, then 1 per second.
* **group / supergroup** — a sliding window per chat: at most ``group_limit`` (20) messages in
  any ``group_window`` (60 s).
* **overall** — a sliding window per bot: at most ``global_limit`` (30) messages in any
  ``global_window`` (1 s).

What counts as "a message": every ``send*`` method except ``sendChatAction``, ``copyMessage``,
``forwardMessage`` (``copyMessages``/``forwardMessages`` count one per message), and one per
``sendMediaGroup`` call (an album is one send). Edits (``editMessage*``) count too when
``count_edits`` is True (the default): Telegram throttles heavy editing, in groups especially.

A refused call is not counted against the windows; it gets
``429 {"ok": false, "error_code": 429, "description": "Too Many Requests: retry after N",
"parameters": {"retry_after": N}}`` where N is the whole number of seconds (at least 1) after
which the same call would pass.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LimitPolicy:
    """Numbers of the flood limits (defaults: Telegram's published guidance)."""

    private_rate: float = 1.0
    """Sustained messages per second in one private chat."""
    private_burst: int = 3
    """Messages that may leave at once in one private chat (bucket capacity)."""
    group_limit: int = 20
    """Messages per ``group_window`` in one group or supergroup."""
    group_window: float = 60.0
    global_limit: int = 30
    """Messages per ``global_window`` for one bot, all chats together."""
    global_window: float = 1.0
    count_edits: bool = True
    """Whether editMessage* calls count as messages."""


@dataclass(frozen=True)
class LimitDecision:
    """Why a send was refused and when to retry."""

    scope: str
    """``private``, ``group`` or ``global``."""
    chat_id: int | None
    retry_after: int
    wait: float
    """Exact seconds until the call would pass."""


class _TokenBucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, capacity: float, now: float) -> None:
        self.tokens = capacity
        self.updated = now

    def refill(self, now: float, rate: float, capacity: float) -> None:
        if now > self.updated:
            self.tokens = min(capacity, self.tokens + (now - self.updated) * rate)
            self.updated = now


class _Window:
    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def prune(self, now: float, window: float) -> None:
        times = self.times
        while times and times[0] <= now - window:
            times.popleft()

    def wait(self, now: float, window: float, limit: int, cost: int) -> float:
        """Seconds until ``cost`` more events fit; 0 if they fit now."""
        self.prune(now, window)
        excess = len(self.times) + cost - limit
        if excess <= 0:
            return 0.0
        if cost > limit:
            return window
        # The ``excess``-th oldest event must leave the window first.
        return self.times[excess - 1] + window - now


class RateLimiter:
    """Enforces a :class:`LimitPolicy` for one bot. O(1) amortised per call."""

    def __init__(self, policy: LimitPolicy | None = None, clock: Callable[[], float] = time.monotonic):
        self.policy = policy or LimitPolicy()
        self.clock = clock
        self._private: dict[int, _TokenBucket] = {}
        self._groups: dict[int, _Window] = {}
        self._global = _Window()

    def check(
        self, chat_id: int, chat_type: str, cost: int = 1, *, consume: bool = True, force: bool = False
    ) -> LimitDecision | None:
        """Admit ``cost`` messages to ``chat_id`` now (returns None) or refuse (returns why).

        Nothing is consumed when the call is refused, or when ``consume`` is False — unless
        ``force`` is True (used to replay sends that did happen: they always count).
        """
        policy = self.policy
        now = self.clock()
        # A multi-message call (copyMessages) must be able to pass once the chat is quiet.
        chat_cost = min(cost, policy.private_burst if chat_type == "private" else policy.group_limit)
        global_cost = min(cost, policy.global_limit)
        decision: LimitDecision | None = None
        bucket: _TokenBucket | None = None
        window: _Window | None = None
        if chat_type == "private":
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = self._private[chat_id] = _TokenBucket(policy.private_burst, now)
            bucket.refill(now, policy.private_rate, policy.private_burst)
            if bucket.tokens + 1e-9 < chat_cost:
                wait = (chat_cost - bucket.tokens) / policy.private_rate
                decision = LimitDecision("private", chat_id, _ceil(wait), wait)
        elif chat_type in ("group", "supergroup"):
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = _Window()
            wait = window.wait(now, policy.group_window, policy.group_limit, chat_cost)
            if wait > 0:
                decision = LimitDecision("group", chat_id, _ceil(wait), wait)
        if decision is None:
            wait = self._global.wait(now, policy.global_window, policy.global_limit, global_cost)
            if wait > 0:
                decision = LimitDecision("global", None, _ceil(wait), wait)
        if not force and (decision is not None or not consume):
            return decision
        if bucket is not None:
            bucket.tokens -= chat_cost
        if window is not None:
            window.times.extend([now] * chat_cost)
        self._global.times.extend([now] * global_cost)
        return decision

    def reset(self) -> None:
        self._private.clear()
        self._groups.clear()
        self._global = _Window()


def _ceil(seconds: float) -> int:
    return max(1, math.ceil(seconds - 1e-9))
