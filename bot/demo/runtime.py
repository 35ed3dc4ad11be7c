"""The demo's world: the Bot API emulator and the real bot, in one process.

Nothing here is special-cased in the bot: :class:`bot.app.Application` runs exactly as in
production (Dispatcher, middlewares, durable outbox, workers) against an in-process
:class:`bot.emulator.BotAPIEmulator`. The runtime only plays the people: it creates the sample
educator with :class:`bot.services.team.TeamService` (as ``promeneur educator add`` does), puts
them on duty by sending ``/dispo`` as that user, and forwards what the page's visitors type as
updates from the right user.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import Application
from bot.emulator import BotAPIEmulator, EmuUser, StoredMessage, Subscription
from config.settings import Settings, load_settings

log = logging.getLogger(__name__)

DEMO_TOKEN = "7000000001:PROMENEUR-DEMO"
DEMO_BOT_USERNAME = "promeneur_demo_bot"
DEMO_BOT_NAME = "Promeneur"

# Who is there when the demo starts, and who "Ajouter un·e éducateur·rice" brings in next.
SAMPLE_YOUTH = ("Inès", "ines_18")
SAMPLE_EDUCATORS = (
    ("Léa", "Centre social Val d'Auron"),
    ("Marc", "Mission Locale de Bourges"),
    ("Samia", "Maison des adolescents du Cher"),
    ("Hugo", "Point Information Jeunesse de Vierzon"),
    ("Chloé", "Prévention spécialisée de Saint-Amand"),
)
SAMPLE_DIRECTORY = Path(__file__).resolve().parents[2] / "config" / "directory" / "sample_cher.json"
# Scenarios leave conversations open: a little more room than the product's default of 3.
DEMO_CAPACITY = 6
MEDIA_KINDS = ("photo", "voice", "document", "sticker", "video", "location")

SettingsFactory = Callable[[str, str], Settings]
"""(api_url, database_url) -> Settings."""


def default_settings(api_url: str, database_url: str, **overrides: Any) -> Settings:
    """The real configuration (environment and ``.env``) with the Telegram and storage parts
    pointed at the emulator and the demo database."""
    telegram = {"bot_token": DEMO_TOKEN, "telegram_api_url": api_url, "staff_chat_id": None}
    telegram.update(overrides.pop("telegram", {}))
    storage = {"database_url": database_url}
    storage.update(overrides.pop("storage", {}))
    return load_settings(telegram=telegram, storage=storage, **overrides)


@dataclass
class Participant:
    """A person the page can act as."""

    user: EmuUser
    role: str  # "youth" or "educator"
    name: str
    structure: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def label(self) -> str:
        return f"{self.name} ({self.structure})" if self.structure else self.name

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "name": self.name,
            "structure": self.structure,
            "label": self.label,
        }


class DemoError(Exception):
    """An action the page asked for is impossible (unknown person, button gone…)."""


class DemoRuntime:
    def __init__(
        self,
        database_path: Path,
        *,
        settings_factory: SettingsFactory | None = None,
        on_duty: bool = True,
        sample_directory: bool = True,
    ) -> None:
        self.database_path = Path(database_path)
        self.settings_factory = settings_factory or default_settings
        self.on_duty = on_duty
        self.sample_directory = sample_directory
        self.emulator = BotAPIEmulator(record_requests=False)
        self.app: Application | None = None
        self.participants: dict[int, Participant] = {}
        self.youth: Participant | None = None
        self.directory_note: str | None = None
        self._educator_names = list(SAMPLE_EDUCATORS)
        self._youth_count = 0

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database_path}{suffix}").unlink(missing_ok=True)
        await self.emulator.start()
        database_url = f"sqlite+aiosqlite:///{self.database_path.resolve()}"
        settings = self.settings_factory(self.emulator.base_url, database_url)
        token = settings.telegram.bot_token
        self.emulator.add_bot(
            token.get_secret_value() if token else DEMO_TOKEN, username=DEMO_BOT_USERNAME, first_name=DEMO_BOT_NAME
        )
        self.app = Application(settings)
        try:
            await self.app.prepare()
        except BaseException:
            await self.app.stop()
            self.app = None
            await self.emulator.stop()
            raise
        self.app.start()
        if self.sample_directory:
            await self._import_sample_directory()
        await self.add_educator()
        self.new_youth()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None
        await self.emulator.stop()

    @property
    def settings(self) -> Settings:
        assert self.app is not None, "demo not started"
        return self.app.settings

    async def _import_sample_directory(self) -> None:
        """The sample directory of services (as `promeneur directory import` would load it)."""
        assert self.app is not None
        if not SAMPLE_DIRECTORY.exists():
            self.directory_note = f"{SAMPLE_DIRECTORY.name} not found"
            return
        try:
            importer = importlib.import_module("bot.directory.importer")
            import_file = importer.import_file
        except (ImportError, AttributeError):
            self.directory_note = "bot.directory.importer.import_file not available"
            return
        try:
            report = await import_file(self.app.database, SAMPLE_DIRECTORY, now=self.app.clock.now())
        except Exception as error:  # the demo still works without the directory
            log.warning("sample directory not imported: %s", error)
            self.directory_note = f"import failed: {type(error).__name__}"
            return
        rejected = getattr(report, "rejected", [])
        if rejected:
            log.warning("sample directory: %d record(s) rejected", len(rejected))

    # -- people -----------------------------------------------------------------------------

    def participant(self, user_id: int) -> Participant:
        try:
            return self.participants[int(user_id)]
        except (KeyError, TypeError, ValueError):
            raise DemoError("unknown_user") from None

    @property
    def educators(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.role == "educator"]

    def new_youth(self) -> Participant:
        """A young person who has never written: the "Jeune" pane starts over with them."""
        first_name, username = SAMPLE_YOUTH
        self._youth_count += 1
        if self._youth_count > 1:
            username = f"{username}_{self._youth_count}"
        user = self.emulator.add_user(first_name, username=username, language_code="fr")
        participant = Participant(user, "youth", first_name)
        self.participants[user.id] = participant
        self.youth = participant
        return participant

    async def add_educator(
        self, name: str | None = None, structure: str | None = None, *, on_duty: bool | None = None
    ) -> Participant:
        """A new educator, registered as the CLI does, on duty as the product does (/dispo)."""
        assert self.app is not None
        if name is None:
            if not self._educator_names:
                raise DemoError("no_more_educators")
            name, structure = self._educator_names.pop(0)
        else:
            self._educator_names = [n for n in self._educator_names if n[0] != name]
        user = self.emulator.add_user(name, language_code="fr")
        async with self.app.context.unit_of_work() as uow:
            await uow.team.add(user.id, name, structure, capacity=DEMO_CAPACITY)
        participant = Participant(user, "educator", name, structure)
        self.participants[user.id] = participant
        if self.on_duty if on_duty is None else on_duty:
            mark = self.emulator.mark()
            await self.emulator.send_text(user, "/dispo")
            await self.emulator.wait_for_messages(user, since=mark, timeout=10)
        return participant

    # -- acting as someone ------------------------------------------------------------------

    async def send_text(
        self, user_id: int, text: str, *, thread_id: int | None = None, reply_to: int | None = None
    ) -> StoredMessage:
        person = self.participant(user_id)
        text = text.strip()
        if not text:
            raise DemoError("empty_text")
        if len(text) > 4096:
            raise DemoError("text_too_long")
        try:
            return await self.emulator.send_text(
                person.user, text, thread_id=thread_id, reply_to=self._reply_ref(person, reply_to)
            )
        except LookupError:
            raise DemoError("no_such_thread") from None

    async def send_media(
        self, user_id: int, kind: str, *, caption: str | None = None, thread_id: int | None = None
    ) -> StoredMessage:
        """A placeholder photo, voice message, document…: the bot sees a real media message."""
        person = self.participant(user_id)
        if kind not in MEDIA_KINDS:
            raise DemoError("unknown_media")
        emu = self.emulator
        where: dict[str, Any] = {"thread_id": thread_id}
        try:
            if kind == "photo":
                return await emu.send_photo(person.user, caption=caption or None, **where)
            if kind == "document":
                return await emu.send_document(
                    person.user, b"%PDF-1.4 demo", "document.pdf", caption=caption or None, **where
                )
            if kind == "voice":
                return await emu.send_voice(person.user, **where)
            if kind == "video":
                return await emu.send_video(person.user, caption=caption or None, **where)
            if kind == "sticker":
                return await emu.send_sticker(person.user, "🙂", **where)
            return await emu.send_location(person.user, 47.0810, 2.3988, **where)
        except LookupError:
            raise DemoError("no_such_thread") from None

    async def edit_text(self, user_id: int, message_id: int, text: str) -> StoredMessage:
        person = self.participant(user_id)
        if not text.strip():
            raise DemoError("empty_text")
        try:
            return await self.emulator.edit_text(person.user, (person.id, message_id), text.strip())
        except (LookupError, ValueError):
            raise DemoError("not_editable") from None

    async def press(self, user_id: int, message_id: int, callback_data: str):
        """The user presses an inline button of a bot message in their private chat."""
        person = self.participant(user_id)
        try:
            return await self.emulator.press_button(person.user, (person.id, message_id), callback_data)
        except (LookupError, ValueError, RuntimeError):
            raise DemoError("no_such_button") from None

    def _reply_ref(self, person: Participant, reply_to: int | None):
        if reply_to is None:
            return None
        if self.emulator.message(person.id, int(reply_to)) is None:
            raise DemoError("no_such_message")
        return (person.id, int(reply_to))

    # -- observing --------------------------------------------------------------------------

    def subscribe(self) -> Subscription:
        return self.emulator.subscribe()

    def chat_view(self, chat_id: int) -> dict[str, Any]:
        from bot.demo.views import message_view, topic_view

        return {
            "messages": [message_view(m) for m in self.emulator.messages(chat_id)],
            "topics": [topic_view(t) for t in self.emulator.topics(chat_id)],
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything the page needs to draw itself from scratch."""
        return {
            "bot": {"username": DEMO_BOT_USERNAME, "name": DEMO_BOT_NAME},
            "territory": self.settings.service.territory_name,
            "youth": self.youth.id if self.youth else None,
            "participants": [p.to_json() for p in self.participants.values()],
            "chats": {str(p.id): self.chat_view(p.id) for p in self.participants.values()},
            "can_add_educator": bool(self._educator_names),
        }

    async def topic_ready(self, educator_id: int, thread_id: int, timeout: float = 5.0) -> bool:
        """Wait until the bot knows which conversation a topic of an educator's chat holds.

        The bot records a new topic once Telegram has confirmed it, a moment after the topic
        appears; a person never types that fast, a script does (scenarios, tests)."""
        assert self.app is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.app.context.unit_of_work() as uow:
                educator = await uow.educators.by_telegram_id(educator_id)
                if educator is not None and await uow.queue.by_thread(educator.id, thread_id) is not None:
                    return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)

    async def settle(self, timeout: float = 15.0) -> None:
        """Every update processed and every queued message delivered (bot answers that wait for
        a pause are not included: wait for their text instead)."""
        assert self.app is not None
        await self.emulator.wait_until_idle(timeout=timeout)
        await asyncio.wait_for(self.app.sequencer.wait_idle(), timeout)
        await self.app.sender.wait_idle(timeout)
