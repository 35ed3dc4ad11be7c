"""Turning an outbox row into a Bot API call with aiogram, and classifying the outcome."""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, methods
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, ForumTopic, Message, MessageId

_FILE_FIELDS = ("document", "photo", "voice", "audio", "video", "animation", "sticker")


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: wait what Telegram says
    TRANSIENT = "transient"  # 5xx, network: retry with backoff
    BLOCKED = "blocked"  # 403: the user blocked the bot or left
    REJECTED = "rejected"  # 400 and other final refusals: record, move on


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after: float = 0.0
    error: str | None = None


def build_method(method: str, payload: dict[str, Any]) -> methods.TelegramMethod:
    cls = getattr(methods, method[:1].upper() + method[1:], None)
    if cls is None or not isinstance(cls, type) or not issubclass(cls, methods.TelegramMethod):
        raise ValueError(f"unknown Bot API method {method!r}")
    data = dict(payload)
    for field in _FILE_FIELDS:
        value = data.get(field)
        if isinstance(value, dict) and "base64" in value:
            data[field] = BufferedInputFile(
                base64.b64decode(value["base64"]), filename=value.get("filename") or field
            )
    return cls.model_validate(data)


def _result_id(result: object) -> int | None:
    if isinstance(result, (Message, MessageId)):
        return result.message_id
    if isinstance(result, ForumTopic):
        return result.message_thread_id
    if isinstance(result, list) and result and isinstance(result[0], (Message, MessageId)):
        return result[0].message_id
    return None


async def deliver(bot: Bot, method: str, payload: dict[str, Any], timeout: float) -> DeliveryResult:
    try:
        request = build_method(method, payload)
    except Exception as error:  # a malformed row must not stop the queue
        return DeliveryResult(Outcome.REJECTED, error=f"invalid payload: {type(error).__name__}")
    try:
        result = await bot(request, request_timeout=int(timeout))
    except TelegramRetryAfter as error:
        return DeliveryResult(Outcome.RETRY_AFTER, retry_after=float(error.retry_after))
    except TelegramForbiddenError as error:
        return DeliveryResult(Outcome.BLOCKED, error=error.message)
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return DeliveryResult(Outcome.SENT)
        return DeliveryResult(Outcome.REJECTED, error=error.message)
    except (TelegramServerError, TelegramNetworkError, TelegramUnauthorizedError) as error:
        return DeliveryResult(Outcome.TRANSIENT, error=type(error).__name__)
    except TelegramNotFound as error:
        return DeliveryResult(Outcome.REJECTED, error=error.message)
    except TimeoutError:
        return DeliveryResult(Outcome.TRANSIENT, error="timeout")
    except Exception as error:  # aiogram wraps most failures; anything else is retried
        return DeliveryResult(Outcome.TRANSIENT, error=type(error).__name__)
    return DeliveryResult(Outcome.SENT, message_id=_result_id(result))
