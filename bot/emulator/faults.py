"""Fault injection: make chosen Bot API calls fail the way Telegram (or the network) fails.

Rules are checked in the order they were added; the first matching rule with uses left fires
and one use is consumed (``times=None`` means forever). A rule matches on the method name
(case-insensitive; ``None`` = any method), optionally on the ``chat_id`` parameter and on the
bot. Kinds:

* ``fail``  — answer an error: 429 (with ``retry_after``), 5xx, 403, 400… or a raw body
  (``body="<html>Bad Gateway</html>"``, to test undecodable answers);
* ``drop``  — close the connection without answering (the client sees a disconnect);
* ``delay`` — hold the call for ``seconds`` and then process it normally.

``after=True`` (fail and drop) runs the method first and then fails: the message *is* sent but
the client never learns it — the case that makes a sender send twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import ApiError

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(eq=False)
class FaultRule:
    """One fault to inject. Keep the object to inspect ``hits`` or to ``cancel()`` it."""

    kind: str
    """``fail``, ``drop`` or ``delay``."""
    method: str | None = None
    chat_id: int | str | None = None
    bot_id: int | None = None
    status: int = 500
    retry_after: int | None = None
    description: str | None = None
    body: str | None = None
    seconds: float = 0.0
    times: int | None = 1
    """Uses left; ``None`` = unlimited."""
    after: bool = False
    hits: int = 0
    _injector: FaultInjector | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.times is None or self.times > 0

    def matches(self, bot_id: int | None, method: str, chat_id: Any) -> bool:
        if not self.active:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.bot_id is not None and self.bot_id != bot_id:
            return False
        if self.chat_id is not None and str(self.chat_id) != str(chat_id):
            return False
        return True

    def consume(self) -> None:
        self.hits += 1
        if self.times is not None:
            self.times -= 1

    def error(self) -> ApiError:
        """The API error this rule answers (kind ``fail``)."""
        if self.status == 429:
            retry_after = self.retry_after if self.retry_after is not None else 1
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        description = self.description or _DEFAULT_DESCRIPTIONS.get(self.status, f"Error {self.status}")
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return ApiError(self.status, description, parameters)

    def cancel(self) -> None:
        """Disable the rule (and forget it)."""
        self.times = 0
        if self._injector is not None:
            self._injector.remove(self)

    @property
    def name(self) -> str:
        if self.kind == "fail":
            return f"fail:{self.status}"
        return self.kind


class FaultInjector:
    """The list of fault rules of one emulator (``emu.faults``)."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._bot_resolver: Any = None

    def _bot_id(self, bot: Any) -> int | None:
        if bot is None:
            return None
        if self._bot_resolver is not None:
            return self._bot_resolver(bot)
        return int(bot)

    def _add(self, rule: FaultRule) -> FaultRule:
        rule._injector = self
        self.rules.append(rule)
        return rule

    def fail(
        self,
        method: str | None = None,
        status: int = 500,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
        body: str | None = None,
        after: bool = False,
        bot: Any = None,
    ) -> FaultRule:
        """Answer matching calls with an error.

        ``status=429`` adds ``parameters.retry_after`` (default 1) and Telegram's wording;
        other statuses get a Telegram-like description unless ``description`` is given.
        ``body`` replaces the whole JSON answer with raw text (sent with ``status``).
        """
        return self._add(
            FaultRule(
                "fail",
                method=method,
                chat_id=chat_id,
                bot_id=self._bot_id(bot),
                status=status,
                retry_after=retry_after,
                description=description,
                body=body,
                times=times,
                after=after,
            )
        )

    def rate_limit(
        self, method: str | None = None, retry_after: int = 1, *, times: int | None = 1, chat_id: int | str | None = None, bot: Any = None
    ) -> FaultRule:
        """Shortcut for ``fail(method, 429, retry_after=...)``."""
        return self.fail(method, 429, retry_after=retry_after, times=times, chat_id=chat_id, bot=bot)

    def drop_connection(
        self,
        method: str | None = None,
        *,
        times: int | None = 1,
        chat_id: int | str | None = None,
        after: bool = False,
        bot: Any = None,
    ) -> FaultRule:
        """Close the connection without answering (``after=True``: after doing the work)."""
        return self._add(
            FaultRule("drop", method=method, chat_id=chat_id, bot_id=self._bot_id(bot), times=times, after=after)
        )

    def delay(
        self,
        method: str | None = None,
        seconds: float = 1.0,
        *,
        times: int | None = None,
        chat_id: int | str | None = None,
        bot: Any = None,
    ) -> FaultRule:
        """Hold matching calls for ``seconds`` before processing them (unlimited by default)."""
        return self._add(
            FaultRule("delay", method=method, chat_id=chat_id, bot_id=self._bot_id(bot), seconds=seconds, times=times)
        )

    def remove(self, rule: FaultRule) -> None:
        try:
            self.rules.remove(rule)
        except ValueError:
            pass

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def take(self, bot_id: int | None, method: str, chat_id: Any) -> tuple[list[FaultRule], FaultRule | None, FaultRule | None]:
        """Consume the rules that apply to one call.

        Returns ``(delays, before, after)``: every matching delay rule, then the first matching
        fail/drop rule to apply before the method runs, and the first to apply after it.
        """
        if not self.rules:
            return [], None, None
        delays: list[FaultRule] = []
        before: FaultRule | None = None
        after: FaultRule | None = None
        for rule in self.rules:
            if not rule.matches(bot_id, method, chat_id):
                continue
            if rule.kind == "delay":
                delays.append(rule)
            elif not rule.after:
                before = before or rule
            else:
                after = after or rule
        if before is not None:
            after = None
        for rule in (*delays, before, after):
            if rule is not None:
                rule.consume()
        if any(not rule.active for rule in self.rules):
            self.rules = [rule for rule in self.rules if rule.active]
        return delays, before, after
