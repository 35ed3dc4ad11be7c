"""The service directory (data·inclusion structures and services) and the commune table.

Repositories never commit: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models.directory import Commune, DirectoryMeta, InclusionService, InclusionStructure
from storage.models.youth import Youth

GENERATION = "generation"
COMMUNES_DIGEST = "communes_sha256"
# Rows per statement for bulk writes (keeps PostgreSQL under its 32767 parameters).
CHUNK = 500


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Facts
    async def meta(self, key: str) -> str | None:
        return await self._session.scalar(select(DirectoryMeta.value).where(DirectoryMeta.key == key))

    async def set_meta(self, key: str, value: str) -> None:
        row = await self._session.get(DirectoryMeta, key)
        if row is None:
            self._session.add(DirectoryMeta(key=key, value=value))
        else:
            row.value = value
        await self._session.flush()

    async def generation(self) -> int:
        value = await self.meta(GENERATION)
        return int(value) if value else 0

    async def bump_generation(self) -> int:
        """Tell every process that the directory changed (they rebuild their search index)."""
        generation = await self.generation() + 1
        await self.set_meta(GENERATION, str(generation))
        return generation

    # Structures
    async def structure_keys(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(source, id) -> (pk, record hash) of every structure."""
        rows = await self._session.execute(
            select(
                InclusionStructure.source,
                InclusionStructure.di_id,
                InclusionStructure.pk,
                InclusionStructure.record_hash,
            )
        )
        return {(source, di_id): (pk, digest) for source, di_id, pk, digest in rows}

    async def structure_positions(self, pks: Iterable[int]) -> dict[int, tuple[float, float]]:
        wanted = list(set(pks))
        found: dict[int, tuple[float, float]] = {}
        for chunk in _chunks(wanted):
            rows = await self._session.execute(
                select(InclusionStructure.pk, InclusionStructure.geo_lat, InclusionStructure.geo_lon)
                .where(InclusionStructure.pk.in_(chunk))
                .where(InclusionStructure.geo_lat.is_not(None))
            )
            found.update({pk: (lat, lon) for pk, lat, lon in rows})
        return found

    async def insert_structures(self, rows: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(rows):
            await self._session.execute(insert(InclusionStructure), list(chunk))

    async def update_structures(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows carry their ``pk``."""
        for chunk in _chunks(rows):
            await self._session.execute(update(InclusionStructure), list(chunk))

    async def delete_structures(self, pks: Iterable[int]) -> int:
        pks = list(pks)
        for chunk in _chunks(pks):
            await self._session.execute(
                delete(InclusionService).where(InclusionService.structure_pk.in_(chunk))
            )
            await self._session.execute(
                delete(InclusionStructure).where(InclusionStructure.pk.in_(chunk))
            )
        return len(pks)

    async def structure(self, source: str | None, di_id: str) -> InclusionStructure | None:
        query = (
            select(InclusionStructure)
            .where(InclusionStructure.di_id == di_id)
            .options(selectinload(InclusionStructure.services))
        )
        if source:
            query = query.where(InclusionStructure.source == source)
        return (await self._session.scalars(query.limit(1))).first()

    async def structures(
        self, *, source: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[tuple[InclusionStructure, int]]:
        """Structures with their number of services, by name."""
        counts = (
            select(InclusionService.structure_pk, func.count().label("n"))
            .group_by(InclusionService.structure_pk)
            .subquery()
        )
        query = (
            select(InclusionStructure, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.structure_pk == InclusionStructure.pk)
            .order_by(InclusionStructure.nom, InclusionStructure.pk)
            .limit(limit)
            .offset(offset)
        )
        if source:
            query = query.where(InclusionStructure.source == source)
        return [(row[0], int(row[1])) for row in await self._session.execute(query)]

    async def counts(self) -> tuple[int, int]:
        structures = await self._session.scalar(select(func.count()).select_from(InclusionStructure))
        services = await self._session.scalar(select(func.count()).select_from(InclusionService))
        return int(structures or 0), int(services or 0)

    # Services
    async def service_keys(self) -> dict[tuple[str, str], tuple[int, str]]:
        rows = await self._session.execute(
            select(
                InclusionService.source,
                InclusionService.di_id,
                InclusionService.pk,
                InclusionService.record_hash,
            )
        )
        return {(source, di_id): (pk, digest) for source, di_id, pk, digest in rows}

    async def insert_services(self, rows: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(rows):
            await self._session.execute(insert(InclusionService), list(chunk))

    async def update_services(self, rows: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(rows):
            await self._session.execute(update(InclusionService), list(chunk))

    async def delete_services(self, pks: Iterable[int]) -> int:
        pks = list(pks)
        for chunk in _chunks(pks):
            await self._session.execute(
                delete(InclusionService).where(InclusionService.pk.in_(chunk))
            )
        return len(pks)

    async def index_rows(self) -> list[tuple]:
        """What the search index needs of every service, in one query."""
        rows = await self._session.execute(
            select(
                InclusionService.pk,
                InclusionService.structure_pk,
                InclusionService.thematiques,
                InclusionService.publics,
                InclusionService.zone_eligibilite,
                InclusionService.modes_accueil,
                InclusionService.geo_lat,
                InclusionService.geo_lon,
            )
        )
        return list(rows)

    async def structure_communes(self) -> list[str]:
        """The distinct INSEE codes of the structures' communes."""
        rows = await self._session.scalars(
            select(InclusionStructure.code_insee)
            .where(InclusionStructure.code_insee.is_not(None))
            .distinct()
        )
        return list(rows)

    async def services_with_structures(
        self, pks: Sequence[int]
    ) -> dict[int, tuple[InclusionService, InclusionStructure]]:
        if not pks:
            return {}
        rows = await self._session.execute(
            select(InclusionService, InclusionStructure)
            .join(InclusionStructure, InclusionStructure.pk == InclusionService.structure_pk)
            .where(InclusionService.pk.in_(list(pks)))
        )
        return {service.pk: (service, structure) for service, structure in rows}


class CommuneRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(Commune)) or 0)

    async def get(self, insee: str) -> Commune | None:
        return await self._session.get(Commune, insee)

    async def all_rows(self) -> list[tuple]:
        rows = await self._session.execute(
            select(
                Commune.insee,
                Commune.nom,
                Commune.codes_postaux,
                Commune.departement,
                Commune.region,
                Commune.epci,
                Commune.parent,
                Commune.population,
                Commune.latitude,
                Commune.longitude,
            )
        )
        return list(rows)

    async def replace_all(self, rows: Sequence[dict[str, Any]]) -> None:
        await self._session.execute(delete(Commune))
        for chunk in _chunks(rows, 1000):
            await self._session.execute(insert(Commune), list(chunk))

    async def set_youth_commune(self, telegram_id: int, insee: str | None) -> bool:
        """Remember (or forget, with None) a young person's commune; False if unknown."""
        result = await self._session.execute(
            update(Youth).where(Youth.telegram_id == telegram_id).values(commune_code=insee)
        )
        return bool(result.rowcount)

    async def youth_commune(self, telegram_id: int) -> str | None:
        return await self._session.scalar(
            select(Youth.commune_code).where(Youth.telegram_id == telegram_id)
        )
