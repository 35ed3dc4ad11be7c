"""Request parameters as the Bot API receives them, with Telegram-like validation errors.

Clients send parameters as a query string, ``application/x-www-form-urlencoded``,
``multipart/form-data`` (values are strings; complex values such as ``reply_markup`` are JSON
strings; numbers and booleans are their JSON text) or ``application/json`` (typed values). The
accessors below accept every form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .models import ApiError, bad_request


@dataclass(eq=False)
class Upload:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    content: bytes


class Params:
    """Typed, validating access to one request's parameters."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def __contains__(self, name: str) -> bool:
        return self.has(name)

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None or value == "" else value

    def str(self, name: str, default: str | None = None, *, required: bool = False, error: str | None = None) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_request(error or f'parameter "{name}" is required')
            return default
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, default: int | None = None, *, required: bool = False, error: str | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_request(error or f'parameter "{name}" is required')
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(error or f'invalid parameter "{name}": integer expected') from None

    def float(self, name: str, default: float | None = None, *, required: bool = False) -> float | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return default
        if isinstance(value, bool):
            raise bad_request(f'invalid parameter "{name}": number expected')
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'invalid parameter "{name}": number expected') from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return bool(value)
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def json(self, name: str, default: Any = None, *, error: str | None = None) -> Any:
        """A JSON-typed value: decoded when it arrived as a string."""
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error or f"can't parse {name} JSON object") from None
        return value

    def decoded(self) -> dict[str, Any]:
        """All parameters with JSON strings decoded where they parse (for logs and asserts)."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            elif isinstance(value, str) and key in _NUMERIC_KEYS:
                try:
                    value = int(value)
                except ValueError:
                    pass
            out[key] = value
        return out


_NUMERIC_KEYS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "duration",
        "width",
        "height",
        "icon_color",
    }
)


__all__ = ["ApiError", "Params", "Upload"]
