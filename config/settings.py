"""Configuration from the environment (and a ``.env`` file), one class per concern.

Start-up errors are reported as one clear sentence naming the variable (see ``load_settings``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_COMMON = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")
DEFAULT_API_URL = "https://api.telegram.org"


class TelegramSettings(BaseSettings):
    model_config = _COMMON

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    staff_chat_id: int | None = None

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        bot_id, _, secret = value.get_secret_value().partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token_shape")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url")
        return value.rstrip("/")

    @property
    def bot_id(self) -> int | None:
        if self.bot_token is None:
            return None
        return int(self.bot_token.get_secret_value().split(":", 1)[0])


class StorageSettings(BaseSettings):
    model_config = _COMMON

    data_dir: Path = Path("data")
    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("database_url")
        return value

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'promeneur.db').resolve()}"


def _split_ids(value):
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


class ServiceSettings(BaseSettings):
    model_config = _COMMON

    territory_name: str = "Promeneurs du Net"
    timezone: str = "Europe/Paris"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    retention_days: int = Field(default=30, ge=1, le=730)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _ids(cls, value):
        return _split_ids(value)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("timezone") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DeliverySettings(BaseSettings):
    model_config = _COMMON

    # The bot's own answer waits for the young person to pause (seconds).
    reply_pause_s: float = Field(default=2.0, ge=0, le=60)
    # Messages per second over all chats (Telegram's default limit is about 30).
    send_rate_overall: float = Field(default=30.0, gt=0, le=10_000)
    send_rate_per_chat: float = Field(default=1.0, gt=0, le=100)
    send_burst_per_chat: int = Field(default=3, ge=1, le=100)
    send_rate_per_group_per_minute: float = Field(default=20.0, gt=0, le=10_000)


# -- duty hours, watchdogs, inactivity, retention (issue 6) ---------------------------------
class DutySettings(BaseSettings):
    """The clock's thresholds, read from the environment (or ``.env``):

    | variable | default | meaning |
    |---|---|---|
    | ``WATCHDOG_IMMINENT_MINUTES`` | 2 | imminent danger still waiting: on-duty educators and coordinators alerted again |
    | ``WATCHDOG_WAITING_MINUTES`` | 10,30,60 | a waiting conversation is announced again at each (while someone is on duty) |
    | ``UNANSWERED_MINUTES`` | 15 | a young person waiting this long for their educator's answer: flagged to them |
    | ``REQUEUE_UNANSWERED`` | false | then put the conversation back in the queue… |
    | ``REQUEUE_UNANSWERED_MINUTES`` | 30 | …after this long without an answer |
    | ``INACTIVITY_HOURS`` | 24 | a conversation without messages this long is closed kindly |
    | ``YOUTH_RETENTION_DAYS`` | 730 | young people not seen this long are removed entirely |

    ``RETENTION_DAYS`` (message contents, closed conversations) and ``TIMEZONE`` (permanences,
    the 3:30 purge, the Monday 9:00 report) are service settings. Each alert fires once per
    threshold.
    """

    model_config = _COMMON

    # An imminent-risk conversation waiting this long alerts on-duty educators and coordinators.
    watchdog_imminent_minutes: int = Field(default=2, ge=1, le=120)
    # Waiting conversations are announced again at each of these thresholds (minutes),
    # while educators are on duty. "10,30,60".
    watchdog_waiting_minutes: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [10, 30, 60]
    )
    # An assigned conversation where the young person waits for an answer this long is flagged
    # to its educator; put back in the queue after ``requeue_unanswered_minutes`` if enabled.
    unanswered_minutes: int = Field(default=15, ge=1, le=24 * 60)
    requeue_unanswered: bool = False
    requeue_unanswered_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # A conversation without messages this long is closed kindly (waiting ones are kept).
    inactivity_hours: float = Field(default=24, gt=0, le=24 * 30)
    # Young people not seen for this long are removed entirely (CNIL: 2 years at most).
    youth_retention_days: int = Field(default=730, ge=30, le=730)

    @field_validator("watchdog_waiting_minutes", mode="before")
    @classmethod
    def _minutes(cls, value):
        return _split_ids(value)

    @field_validator("watchdog_waiting_minutes")
    @classmethod
    def _positive_sorted(cls, value: list[int]) -> list[int]:
        if any(minutes < 1 for minutes in value):
            raise ValueError("watchdog_minutes")
        return sorted(set(value))


def _default_duty() -> DutySettings:
    return DutySettings(_env_file=None)


class Settings(BaseModel):
    telegram: TelegramSettings
    storage: StorageSettings
    service: ServiceSettings
    delivery: DeliverySettings
    # A default so that code building Settings by hand keeps working; ``load_settings`` reads
    # it from the environment and ``.env`` like the others.
    duty: DutySettings = Field(default_factory=_default_duty)


class ConfigError(Exception):
    """A configuration value is wrong or missing; the message is one sentence for a human."""

    def __init__(self, variable: str, problem: str, value: object = None) -> None:
        self.variable = variable
        self.problem = problem
        self.value = value
        super().__init__(f"{variable}: {problem}")


def load_settings(**overrides) -> Settings:
    """Read every settings class; raise ``ConfigError`` naming the first faulty variable."""
    parts = {}
    for name, cls in Settings.model_fields.items():
        try:
            parts[name] = cls.annotation(**overrides.get(name, {}))  # type: ignore[misc]
        except ValidationError as error:
            first = error.errors()[0]
            variable = str(first["loc"][0]).upper() if first["loc"] else name.upper()
            raise ConfigError(variable, _problem(first), first.get("input")) from None
    return Settings(**parts)


def _problem(error: dict) -> str:
    """A short code for the problem, turned into a French sentence by the catalog."""
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", "invalid"))
    return error["type"]
