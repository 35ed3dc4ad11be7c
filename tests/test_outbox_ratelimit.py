"""The overall sending pace: close to Telegram's 30 a second, never over it, never in bursts."""

from __future__ import annotations

import random

from bot.outbox.ratelimit import Spacing


def _run(spacing: Spacing, count: int, lateness) -> list[float]:
    """Send ``count`` messages, each as soon as allowed plus the loop's ``lateness()``."""
    now, sent = 0.0, []
    for _ in range(count):
        now = spacing.ready_at(now) + lateness()
        spacing.take(now)
        sent.append(now)
    return sent


def _busiest_second(sent: list[float]) -> int:
    best, first = 0, 0
    for last, moment in enumerate(sent):
        while sent[first] <= moment - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def test_a_punctual_sender_reaches_the_rate_and_never_exceeds_it() -> None:
    sent = _run(Spacing(30), 600, lambda: 0.0)
    assert (len(sent) - 1) / (sent[-1] - sent[0]) > 29.0
    assert _busiest_second(sent) <= 30


def test_a_busy_event_loop_does_not_slow_the_pace_nor_break_the_limit() -> None:
    rng = random.Random(7)
    sent = _run(Spacing(30), 900, lambda: rng.uniform(0.0, 0.008))
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate > 28.9  # losing each delay, as before, gave about 27 a second here
    assert _busiest_second(sent) <= 30


def test_after_a_stall_sending_resumes_without_a_burst() -> None:
    spacing = Spacing(30)
    sent = _run(spacing, 40, lambda: 0.0)
    now = sent[-1] + 2.0  # the loop was blocked for two seconds
    for _ in range(60):
        now = spacing.ready_at(now)
        spacing.take(now)
        sent.append(now)
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 0.5 / 30 - 1e-9
    assert _busiest_second(sent) <= 30


def test_a_slow_configured_rate_is_kept() -> None:
    for rate in (0.5, 1.5, 4):
        sent = _run(Spacing(rate), 40, lambda: 0.0)
        achieved = (len(sent) - 1) / (sent[-1] - sent[0])
        assert abs(achieved - rate) < 0.01 * rate, (rate, achieved)


def test_a_send_that_left_late_counts_from_when_it_left() -> None:
    """The event loop was busy: the first send of a second left 50 ms after it was decided.
    The 31st waits for one second after it really left, not after it was decided."""
    spacing = Spacing(30)
    now, stamps = 0.0, []
    for _ in range(30):
        now = spacing.ready_at(now)
        stamps.append(spacing.take(now))
    decided = stamps[0][0]
    Spacing.started(stamps[0], decided + 0.05)
    assert spacing.ready_at(now) >= decided + 0.05 + 1.0
    Spacing.started(stamps[1], stamps[1][0])  # on time: changes nothing
    assert spacing.ready_at(now) >= decided + 0.05 + 1.0
