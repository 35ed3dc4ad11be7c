"""The durable outbox: rows written in a transaction, delivered by the sender afterwards."""

from bot.outbox.writer import (
    MESSAGE_REF,
    THREAD_REF,
    Button,
    Keyboard,
    Outbox,
    Thread,
    inline_keyboard,
)

__all__ = [
    "MESSAGE_REF",
    "THREAD_REF",
    "Button",
    "Keyboard",
    "Outbox",
    "Thread",
    "inline_keyboard",
]
