"""Telegram's sending limits, kept by the outbox sender.

- overall: messages are spaced by ``1 / rate`` seconds on a steady grid (no burst, and no
  one-second window ever holds more than the rate);
- private chat: a token bucket (about one a second, short bursts allowed);
- group: a sliding window (20 messages in any 60 seconds).
All times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

from collections import deque

WINDOWED_RATE = 10.0


class Spacing:
    """Sends on a steady grid of ``1 / rate`` seconds.

    A send that starts a little late (the event loop was busy) does not push the following ones
    back: the grid is kept while the delay stays under half an interval, so the achieved rate
    does not lose the loop's latency on every message. Catching up never makes a burst:
    consecutive sends stay at least half an interval apart, and no window of one second plus
    one interval holds more than ``rate`` sends — that interval is the margin for the jitter
    between leaving here and reaching Telegram. A send is counted from the moment its request
    really starts (``started``): the event loop may run other work after the send was decided.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._slack = self.interval / 2
        self._window = 1.0 + self.interval
        # Below a few sends a second the grid alone is precise enough, and a whole-number cap
        # per second would slow the pace (1.5 a second would become 1).
        self._recent: deque[list[float]] | None = None
        if rate >= WINDOWED_RATE:
            self._recent = deque(maxlen=int(rate))
        self._next = 0.0

    def ready_at(self, now: float) -> float:
        ready = self._next
        recent = self._recent
        if recent is not None and len(recent) == recent.maxlen:
            ready = max(ready, min(stamp[0] for stamp in recent) + self._window)
        return max(now, ready)

    def take(self, now: float) -> list[float]:
        """Count a send decided now; its stamp is moved by ``started`` when it really leaves."""
        self._next = max(now - self._slack, self._next) + self.interval
        stamp = [now]
        if self._recent is not None:
            self._recent.append(stamp)
        return stamp

    @staticmethod
    def started(stamp: list[float], when: float) -> None:
        stamp[0] = max(stamp[0], when)


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._stamp: float | None = None

    def _refill(self, now: float) -> None:
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def ready_at(self, now: float) -> float:
        self._refill(now)
        if self._tokens >= 1:
            return now
        return now + (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self.burst


class SlidingWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.period:
            self._stamps.popleft()

    def ready_at(self, now: float) -> float:
        self._trim(now)
        if len(self._stamps) < self.limit:
            return now
        return self._stamps[0] + self.period

    def take(self, now: float) -> None:
        self._trim(now)
        self._stamps.append(now)

    def idle(self, now: float) -> bool:
        self._trim(now)
        return not self._stamps


class ChatLimits:
    """One limiter per chat, created on demand and forgotten when idle."""

    def __init__(self, per_chat_rate: float, per_chat_burst: int, group_per_minute: float) -> None:
        self._per_chat_rate = per_chat_rate
        self._per_chat_burst = per_chat_burst
        self._group_limit = max(1, int(group_per_minute))
        self._limiters: dict[int, TokenBucket | SlidingWindow] = {}

    def _limiter(self, chat_id: int) -> TokenBucket | SlidingWindow:
        limiter = self._limiters.get(chat_id)
        if limiter is None:
            if chat_id < 0:  # groups, supergroups and channels have negative ids
                limiter = SlidingWindow(self._group_limit, 60.0)
            else:
                limiter = TokenBucket(self._per_chat_rate, self._per_chat_burst)
            self._limiters[chat_id] = limiter
        return limiter

    def ready_at(self, chat_id: int, now: float) -> float:
        return self._limiter(chat_id).ready_at(now)

    def take(self, chat_id: int, now: float) -> None:
        self._limiter(chat_id).take(now)

    def forget_idle(self, now: float) -> None:
        for chat_id in [c for c, lim in self._limiters.items() if lim.idle(now)]:
            del self._limiters[chat_id]
