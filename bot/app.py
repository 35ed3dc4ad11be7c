"""The application factory: wires settings, storage, the Dispatcher and the background workers."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.context import AppContext, UnitOfWork
from bot.due_answers import DueAnswerWorker
from bot.middlewares import UnitOfWorkMiddleware
from bot.scheduler import build_scheduler
from bot.outbox.sender import OutboxSender, QueuedRow
from bot.triage import Triage, load_helplines
from bot.updates import ChatSequencer, Poller
from config.settings import Settings
from handlers import get_routers
from handlers.roles import RoleMiddleware
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; ``key`` names the catalog sentence that explains why."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


# aiogram parses each answer with ``Response[<returned type>]``, a pydantic generic model that
# pydantic caches only weakly: in a long-running bot the cached class is collected and built
# again (several milliseconds) for many calls. Keeping one strong reference per returned type
# makes every call a cache hit.
_RESPONSE_MODELS: list[type] = []


def pin_response_models() -> None:
    if _RESPONSE_MODELS:
        return
    returned = {}
    for name in dir(methods):
        cls = getattr(methods, name)
        if not isinstance(cls, type) or cls is methods.TelegramMethod:
            continue
        if issubclass(cls, methods.TelegramMethod):
            returned[repr(cls.__returning__)] = cls.__returning__
    _RESPONSE_MODELS.extend(methods.Response[returning] for returning in returned.values())


def make_bot(settings: Settings) -> Bot:
    if settings.telegram.bot_token is None:
        raise StartupError("cli.run.no_token")
    pin_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.telegram_api_url))
    return Bot(settings.telegram.bot_token.get_secret_value(), session=session)


@dataclass
class Workers:
    sender: OutboxSender
    due_answers: DueAnswerWorker


def service_context(settings: Settings, database: Database, clock: Clock | None = None) -> AppContext:
    """The services without Telegram: what the CLI and the bot share."""
    return AppContext(
        settings=settings,
        database=database,
        clock=clock or Clock(),
        triage=Triage.from_config(),
        helplines=load_helplines(),
    )


class Application:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.database = Database(settings.storage.url)
        self.context = service_context(settings, self.database, self.clock)
        self.bot = make_bot(settings)
        # Conversation state lives in the database (it survives a restart): no aiogram FSM.
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.update.outer_middleware(UnitOfWorkMiddleware(self.context))
        roles = RoleMiddleware()
        for observer in (
            self.dispatcher.message,
            self.dispatcher.edited_message,
            self.dispatcher.callback_query,
            self.dispatcher.my_chat_member,
        ):
            observer.outer_middleware(roles)
        self.dispatcher.include_routers(*get_routers())
        self.sender = OutboxSender(
            self.database,
            self.bot,
            self.clock,
            settings.delivery,
            on_blocked=self._on_blocked,
            on_sent=self._on_sent,
            on_rejected=self._on_rejected,
        )
        self.due_answers = DueAnswerWorker(self.context)
        self.context.committed_rows.append(self.sender.offer)
        self.context.outbox_listeners.append(self.sender.wake)
        self.context.due_answer_listeners.append(self.due_answers.wake)
        self.sequencer = ChatSequencer(self._process)
        self.scheduler = build_scheduler(self.context)
        self.me: User | None = None
        self._tasks: list[asyncio.Task] = []

    async def prepare(self) -> User:
        """Check the database and the Bot API before serving; raise StartupError if unusable."""
        await prepare_database(self.database)
        await self._load_directory()
        try:
            self.me = await self.bot.get_me()
            self.context.bot_username = self.me.username or ""
        except Exception as error:
            name = type(error).__name__
            raise StartupError(
                "cli.run.token_refused" if "Unauthorized" in name else "cli.run.api_unreachable"
            ) from None
        return self.me

    async def _load_directory(self) -> None:
        """The commune table and the service index, loaded before the first young person
        asks (the first start on a new database fills the commune table: a few seconds)."""
        try:
            async with self.context.unit_of_work() as uow:
                await uow.directory.index()
        except Exception as error:  # the directory loads again on first use
            log.warning("directory not loaded at start: %s", type(error).__name__)

    async def _process(self, update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def _on_blocked(self, session: AsyncSession, chat_id: int) -> None:
        uow = UnitOfWork(self.context, session)
        await uow.conversation.youth_unreachable(chat_id)
        self.context.notify()

    async def _on_sent(self, session: AsyncSession, row: QueuedRow, message_id: int | None) -> None:
        """Write a sent message's id back where it is needed (relayed copies, topics)."""
        uow = UnitOfWork(self.context, session)
        if row.ref_kind == "message" and row.ref_id is not None:
            await uow.conversations.record_copy(row.ref_id, row.chat_id, message_id)
        elif row.ref_kind == "topic" and row.ref_id is not None:
            await uow.conversations.record_topic(row.ref_id, row.id, message_id)

    async def _on_rejected(self, session: AsyncSession, row: QueuedRow, error: str) -> None:
        """Topics: unavailable (relay goes to the chat itself) or lost (created again)."""
        uow = UnitOfWork(self.context, session)
        if row.ref_kind == "topic" and row.ref_id is not None:
            await uow.conversations.record_topic(row.ref_id, row.id, None)
        elif "thread not found" in error and "message_thread_id" in row.payload:
            await uow.relay.topic_lost(row.chat_id, row.payload["message_thread_id"], row.method, row.payload)
            self.context.notify()

    def start(self) -> None:
        """Start the background work: sender, due answers and long polling."""
        poller = Poller(
            self.bot,
            self.sequencer,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )
        self.scheduler.start()
        for name, coroutine in (
            ("outbox-sender", self.sender.run()),
            ("due-answers", self.due_answers.run()),
            ("polling", poller.run()),
        ):
            self._tasks.append(asyncio.create_task(coroutine, name=name))

    @staticmethod
    def freeze_startup_objects() -> None:
        """In the bot's own process: what start-up loaded (lexicons, the directory, the commune
        table, aiogram's models) stays for its whole life. Out of the garbage collector's way,
        its full passes no longer walk it, and no long pause holds the sending pace up."""
        gc.collect()
        gc.freeze()

    async def run_forever(self) -> None:
        self.freeze_startup_objects()
        self.start()
        try:
            await asyncio.gather(*self._tasks)
        finally:
            await self.stop()

    async def stop(self) -> None:
        await self.scheduler.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.bot.session.close()
        await self.database.dispose()


async def prepare_database(database: Database) -> None:
    """SQLite is migrated in place; PostgreSQL must have been migrated (`promeneur migrate`)."""
    try:
        if database.is_sqlite:
            await migrate.upgrade_to_head(database.engine)
            return
        up_to_date = await migrate.is_up_to_date(database.engine)
    except Exception as error:
        log.debug("database check failed: %s", type(error).__name__)
        raise StartupError("cli.run.database_unreachable") from None
    if not up_to_date:
        raise StartupError("cli.run.schema_behind")
