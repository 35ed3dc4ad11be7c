"""The directory as the conversation uses it: where is the young person, which places near
them, and the answer written into the outbox.

Usage, inside a unit of work::

    directory = DirectoryService(uow.session, uow.clock, settings.service.tz,
                                 helplines=app.helplines, prefer_departements=("18",))
    match = await directory.locate_text("st amand")
    page = await directory.search(["emploi"], match.commune)
    await directory.write_places(uow.outbox, chat_id, ["emploi"], match.commune)

Buttons it writes carry callback data starting with ``dir:`` (give them all to
``handle_callback``) and the conversation's own ``conv:other`` and ``conv:educator``.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from types import SimpleNamespace

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import cards
from bot.directory.cards import Hit
from bot.directory.communes import (
    COMMUNES_CSV,
    Commune,
    CommuneMatch,
    Gazetteer,
    ensure_communes,
    file_digest,
    load_gazetteer,
    normalise,
)
from bot.directory.ranking import ServiceIndex
from bot.directory.themes import ThemeMapping, default_mapping
from bot.i18n import t
from bot.outbox import Button, Outbox
from storage.repositories.directory import COMMUNES_DIGEST, CommuneRepository, DirectoryRepository

PAGE_SIZE = 3
CALLBACK_PREFIX = "dir:"
OTHER_CALLBACK = "conv:other"
EDUCATOR_CALLBACK = "conv:educator"
# What the conversation stores in ``Youth.awaiting`` while it waits for a place.
AWAITING_PREFIX = "dir:where:"


@dataclass(frozen=True)
class Page:
    commune: Commune
    themes: tuple[str, ...]
    offset: int
    hits: list[Hit]
    has_more: bool


@dataclass(frozen=True)
class Callback:
    action: str  # more, at, keep, nokeep
    insee: str | None = None
    theme: str | None = None
    offset: int = 0


def more_callback(insee: str, theme: str, offset: int) -> str:
    return f"dir:more:{insee}:{theme}:{offset}"


def at_callback(insee: str, theme: str) -> str:
    return f"dir:at:{insee}:{theme}"


def parse_callback(data: str) -> Callback | None:
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != "dir":
        return None
    action = parts[1]
    try:
        if action == "more" and len(parts) == 5:
            return Callback("more", parts[2], parts[3], max(0, int(parts[4])))
        if action == "at" and len(parts) == 4:
            return Callback("at", parts[2], parts[3])
        if action == "keep" and len(parts) == 3:
            return Callback("keep", parts[2])
        if action == "nokeep":
            return Callback("nokeep")
    except ValueError:
        return None
    return None


def awaiting_state(theme: str) -> str:
    """The value for ``Youth.awaiting`` while the bot waits for a place for ``theme``."""
    return f"{AWAITING_PREFIX}{theme}"


def awaited_theme(awaiting: str | None) -> str | None:
    if awaiting and awaiting.startswith(AWAITING_PREFIX):
        return awaiting[len(AWAITING_PREFIX) :] or None
    return None


class DirectoryCache:
    """What one process keeps of the directory: the commune gazetteer, the search index and
    copies of the services last shown (the directory changes only by imports)."""

    # How long a process trusts its index before asking the database for the generation: an
    # import made by another process shows within this delay.
    GENERATION_TTL_S = 2.0
    RECORDS_MAX = 20_000

    def __init__(self) -> None:
        self.gazetteer: Gazetteer | None = None
        self.index: ServiceIndex | None = None
        self.lock = asyncio.Lock()
        self.file_digest: str | None = None
        self.checked_at = float("-inf")
        self.records: dict[int, tuple[Any, Any]] = {}

    def forget(self) -> None:
        """Drop the index and the copies: the next search reads the database again."""
        self.index = None
        self.records.clear()
        self.checked_at = float("-inf")


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cache_for(session: AsyncSession) -> DirectoryCache:
    """The cache of the database this session talks to (one per engine)."""
    return cache_for_engine(session.bind.sync_engine)


def cache_for_engine(engine) -> DirectoryCache:
    cache = _CACHES.get(engine)
    if cache is None:
        cache = _CACHES[engine] = DirectoryCache()
    return cache


# Words that introduce a place in a sentence ("je cherche un job à bourges").
_PLACE_INTRO = re.compile(r"\b(?:a|au|sur|vers|pres de|dans|de|du|habite|vis)\s+(?=(\S))")


def _copy(row: Any) -> Any:
    """A detached, read-only copy of an ORM row's columns (safe to keep across sessions)."""
    columns = {attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}
    return SimpleNamespace(**columns)


class DirectoryService:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        tz: ZoneInfo,
        *,
        helplines: Sequence[Any] | None = None,
        prefer_departements: Sequence[str] | None = None,
        mapping: ThemeMapping | None = None,
        cache: DirectoryCache | None = None,
        communes_csv: Path = COMMUNES_CSV,
    ) -> None:
        self.session = session
        self.clock = clock
        self.tz = tz
        self.helplines = helplines
        # Communes of these départements win over namesakes elsewhere ("st amand"); by default,
        # the départements the directory's structures are in.
        self.prefer = tuple(prefer_departements) if prefer_departements is not None else None
        self.mapping = mapping or default_mapping()
        self.cache = cache or cache_for(session)
        self.communes_csv = communes_csv
        self.repo = DirectoryRepository(session)
        self.communes = CommuneRepository(session)

    def has_places_for(self, theme: str) -> bool:
        """Whether places can be looked up for this theme (it maps to data·inclusion)."""
        rule = self.mapping.rule(theme)
        return rule is not None and bool(rule.categories or rule.subthemes)

    # Where is the young person

    async def gazetteer(self) -> Gazetteer:
        cache = self.cache
        if cache.gazetteer is not None:
            return cache.gazetteer
        async with cache.lock:
            return await self._gazetteer_unlocked()

    async def _gazetteer_unlocked(self) -> Gazetteer:
        cache = self.cache
        if cache.gazetteer is None:
            if cache.file_digest is None:
                cache.file_digest = file_digest(self.communes_csv)
            if (
                await self.repo.meta(COMMUNES_DIGEST) != cache.file_digest
                or await self.communes.count() == 0
            ):
                await ensure_communes(self.session, self.communes_csv)
            cache.gazetteer = await load_gazetteer(self.session)
        return cache.gazetteer

    async def locate_text(self, text: str) -> CommuneMatch | None:
        """A postal code or a commune name typed freely ("bourges", "18000", "st amand")."""
        return (await self.gazetteer()).locate_text(text, await self.preferred_departements())

    async def preferred_departements(self) -> tuple[str, ...]:
        if self.prefer is not None:
            return self.prefer
        return (await self.index()).departements

    async def mentioned_commune(self, text: str) -> CommuneMatch | None:
        """A place named inside a longer message ("je cherche un job à bourges", "… 18000").

        A postal code counts anywhere; a name counts after a word that introduces a place, and
        only for a commune of the territory's départements: ordinary words are commune names
        too somewhere in France ("du boulot" would be Boulot, in Haute-Saône)."""
        gazetteer = await self.gazetteer()
        prefer = await self.preferred_departements()
        if re.search(r"(?<!\d)\d{5}(?!\d)", text):
            return gazetteer.locate_text(text, prefer)
        normalised = normalise(text)
        starts = [m.start(1) for m in _PLACE_INTRO.finditer(normalised)]
        for start in reversed(starts):  # the place usually comes last
            words = normalised[start:].split()
            for size in range(min(5, len(words)), 0, -1):
                candidate = " ".join(words[:size])
                if candidate not in gazetteer.by_name:
                    continue
                match = gazetteer.locate_text(candidate, prefer)
                commune = match.commune if match else None
                if commune is not None and (not prefer or commune.departement in prefer):
                    return match
        return None

    async def locate_point(self, latitude: float, longitude: float) -> Commune | None:
        """The nearest commune to a shared position (the position itself is never kept)."""
        return (await self.gazetteer()).nearest(latitude, longitude)

    async def commune(self, insee: str | None) -> Commune | None:
        return (await self.gazetteer()).get(insee) if insee else None

    async def remember_commune(self, telegram_id: int, insee: str | None) -> bool:
        """Keep the young person's commune (with their consent), or forget it (None)."""
        return await self.communes.set_youth_commune(telegram_id, insee)

    async def remembered_commune(self, telegram_id: int) -> Commune | None:
        return await self.commune(await self.communes.youth_commune(telegram_id))

    # Which places

    async def index(self) -> ServiceIndex:
        cache = self.cache
        moment = time.monotonic()
        if cache.index is not None and moment - cache.checked_at < cache.GENERATION_TTL_S:
            return cache.index
        generation = await self.repo.generation()
        cache.checked_at = moment
        if cache.index is not None and cache.index.generation == generation:
            return cache.index
        async with cache.lock:
            if cache.index is None or cache.index.generation != generation:
                cache.records.clear()
                rows = await self.repo.index_rows()
                cache.index = ServiceIndex.build(rows, self.mapping, generation)
                gazetteer = await self._gazetteer_unlocked()
                cache.index.departements = tuple(
                    sorted(
                        {
                            commune.departement
                            for code in await self.repo.structure_communes()
                            if (commune := gazetteer.get(code)) is not None
                        }
                    )
                )
        return cache.index

    async def search(
        self, themes: Sequence[str], commune: Commune, offset: int = 0, limit: int = PAGE_SIZE
    ) -> Page:
        """Services for these themes and the young person's public, eligible in the commune,
        nearest first."""
        index = await self.index()
        ranked, has_more = index.search(list(themes), commune, offset, limit)
        records = self.cache.records
        missing = [r.pk for r in ranked if r.pk not in records]
        if missing:
            found = await self.repo.services_with_structures(missing)
            if len(records) + len(found) > self.cache.RECORDS_MAX:
                records.clear()
            for pk, (service, structure) in found.items():
                records[pk] = (_copy(service), _copy(structure))
        hits = [
            Hit(records[r.pk][0], records[r.pk][1], r.distance_km) for r in ranked if r.pk in records
        ]
        return Page(commune, tuple(themes), offset, hits, has_more)

    def render_card(self, hit: Hit) -> tuple[str, list[list[Button]]]:
        return cards.render_card(hit, self.clock.now(), self.tz)

    def matching_helplines(self, themes: Sequence[str], risk: str = "none") -> list[Any]:
        from bot.triage import helplines_for, load_helplines

        if self.helplines is None:
            self.helplines = load_helplines()
        return helplines_for(self.helplines, list(themes), risk)

    # The answers

    async def write_offer(
        self, outbox: Outbox, chat_id: int, theme: str, remembered: Commune | None = None
    ) -> None:
        """"Tu veux que je te montre des lieux près de chez toi ?" with a location button (a
        reply keyboard), or an inline button for the commune the young person let us keep."""
        if remembered is not None:
            await outbox.send_text(
                chat_id,
                t("directory.offer.remembered", commune=html.escape(remembered.nom, quote=False)),
                keyboard=[
                    [
                        Button(
                            t("directory.button.near_remembered", commune=remembered.nom),
                            callback_data=at_callback(remembered.insee, theme),
                        )
                    ]
                ],
            )
            return
        await outbox.call(
            chat_id,
            "sendMessage",
            {
                "text": t("directory.offer"),
                "parse_mode": "HTML",
                "reply_markup": {
                    "keyboard": [
                        [{"text": t("directory.button.share_location"), "request_location": True}]
                    ],
                    "resize_keyboard": True,
                    "one_time_keyboard": True,
                },
            },
        )

    async def places_message(
        self,
        themes: Sequence[str],
        commune: Commune,
        offset: int = 0,
        *,
        risk: str = "none",
    ) -> tuple[str, list[list[Button]], Page]:
        """The whole "here are places" answer: cards, national lines, buttons."""
        page = await self.search(themes, commune, offset)
        name = html.escape(commune.nom, quote=False)
        parts = []
        if page.hits:
            key = "directory.results.header" if offset == 0 else "directory.results.header_more"
            parts.append(t(key, commune=name))
            parts += [self.render_card(hit)[0] for hit in page.hits]
        elif offset == 0:
            parts.append(t("directory.results.none", commune=name))
        else:
            parts.append(t("directory.results.no_more", commune=name))
        if offset == 0:
            lines = self.matching_helplines(themes, risk)[:3]
            if lines:
                rows = [t("directory.helplines.header")]
                for line in lines:
                    rows.append(
                        t(
                            "directory.helplines.line",
                            name=html.escape(line.name, quote=False),
                            uri=html.escape(line.tel_uri, quote=True),
                            number=html.escape(line.number, quote=False),
                            hours=html.escape(line.hours, quote=False),
                        )
                    )
                parts.append("\n".join(rows))
        keyboard: list[list[Button]] = []
        if page.has_more and themes:
            keyboard.append(
                [
                    Button(
                        t("directory.button.more"),
                        callback_data=more_callback(commune.insee, themes[0], offset + PAGE_SIZE),
                    )
                ]
            )
        keyboard.append(
            [
                Button(t("directory.button.other"), callback_data=OTHER_CALLBACK),
                Button(t("directory.button.educator"), callback_data=EDUCATOR_CALLBACK),
            ]
        )
        return "\n\n".join(parts), keyboard, page

    async def write_places(
        self,
        outbox: Outbox,
        chat_id: int,
        themes: Sequence[str],
        commune: Commune,
        offset: int = 0,
        *,
        risk: str = "none",
    ) -> Page:
        text, keyboard, page = await self.places_message(themes, commune, offset, risk=risk)
        await outbox.send_text(chat_id, text, keyboard=keyboard)
        return page

    async def answer_text(
        self,
        outbox: Outbox,
        chat_id: int,
        text: str,
        themes: Sequence[str],
        *,
        telegram_id: int | None = None,
    ) -> CommuneMatch | None:
        """The young person answered with a town or a postal code: places, or which commune,
        or "I can't find it". Asks to remember the commune when it is new."""
        match = await self.locate_text(text)
        if match is None:
            await outbox.send_text(chat_id, t("directory.locate.not_found"))
            return None
        if match.commune is None:
            theme = themes[0] if themes else ""
            await outbox.send_text(
                chat_id,
                t("directory.locate.which"),
                keyboard=[
                    [
                        Button(
                            t("directory.locate.candidate", name=c.nom, departement=c.departement),
                            callback_data=at_callback(c.insee, theme),
                        )
                    ]
                    for c in match.candidates
                ],
            )
            return match
        await self._places_then_consent(outbox, chat_id, themes, match.commune, telegram_id)
        return match

    async def answer_point(
        self,
        outbox: Outbox,
        chat_id: int,
        latitude: float,
        longitude: float,
        themes: Sequence[str],
        *,
        telegram_id: int | None = None,
    ) -> Commune | None:
        """The young person shared their position: places near the nearest commune."""
        commune = await self.locate_point(latitude, longitude)
        if commune is None:
            await outbox.send_text(chat_id, t("directory.locate.not_found"))
            return None
        await self._places_then_consent(outbox, chat_id, themes, commune, telegram_id)
        return commune

    async def _places_then_consent(
        self,
        outbox: Outbox,
        chat_id: int,
        themes: Sequence[str],
        commune: Commune,
        telegram_id: int | None,
    ) -> None:
        await self.write_places(outbox, chat_id, themes, commune)
        if telegram_id is None:
            return
        if await self.communes.youth_commune(telegram_id) == commune.insee:
            return
        await outbox.send_text(
            chat_id,
            t("directory.consent.ask", commune=html.escape(commune.nom, quote=False)),
            keyboard=[
                [
                    Button(t("directory.consent.button.yes"), callback_data=f"dir:keep:{commune.insee}"),
                    Button(t("directory.consent.button.no"), callback_data="dir:nokeep"),
                ]
            ],
        )

    async def handle_callback(
        self, outbox: Outbox, chat_id: int, data: str, *, telegram_id: int | None = None
    ) -> bool:
        """Act on a ``dir:…`` button; False if the data is not one of ours."""
        callback = parse_callback(data)
        if callback is None:
            return False
        if callback.action == "nokeep":
            await outbox.send_text(chat_id, t("directory.consent.not_kept"))
            return True
        commune = await self.commune(callback.insee or "")
        if commune is None:
            await outbox.send_text(chat_id, t("directory.locate.expired"))
            return True
        if callback.action == "keep":
            if telegram_id is not None:
                await self.remember_commune(telegram_id, commune.insee)
            await outbox.send_text(
                chat_id, t("directory.consent.kept", commune=html.escape(commune.nom, quote=False))
            )
            return True
        themes = [callback.theme] if callback.theme else []
        if callback.action == "more":
            await self.write_places(outbox, chat_id, themes, commune, callback.offset)
            return True
        # "at": a candidate chosen, or the remembered commune.
        remembered = telegram_id is not None and (
            await self.communes.youth_commune(telegram_id) == commune.insee
        )
        await self._places_then_consent(
            outbox, chat_id, themes, commune, None if remembered else telegram_id
        )
        return True
