"""Import of data·inclusion v1 files: JSON (an array, an object with ``structures`` and
``services``, or JSON lines) and CSV exports (one kind of record per file).

Every record is validated against the official JSON Schema; a rejected record is reported with
its id, its position in the file and the reason, and the others go on. A record is known by
(``source``, ``id``): importing it again updates it, and an unchanged record is left as it is.
``replace_source`` drops what a source no longer lists. The whole import is one transaction:
when it fails, nothing of it is kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import hours
from bot.directory.communes import (
    COMMUNES_CSV,
    Gazetteer,
    distance_km,
    ensure_communes,
    load_gazetteer,
    normalise,
)
from bot.directory.validation import Kind, from_csv_row, kind_of, problems
from storage.repositories.directory import DirectoryRepository

STRUCTURE_FIELDS = (
    "nom", "description", "siret", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "telephone", "courriel", "site_web",
    "lien_source", "horaires_accueil", "accessibilite_lieu", "reseaux_porteurs",
)
SERVICE_FIELDS = (
    "nom", "description", "type", "thematiques", "frais", "frais_precisions", "publics",
    "publics_precisions", "conditions_acces", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "telephone", "courriel", "contact_nom_prenom",
    "modes_accueil", "modes_mobilisation", "mobilisable_par", "mobilisation_precisions",
    "zone_eligibilite", "lien_mobilisation", "lien_source", "horaires_accueil",
    "nombre_semaines", "volume_horaire_hebdomadaire",
)
# A position this far from the commune it names is a mistake (swapped coordinates, …).
MAX_KM_FROM_COMMUNE = 50.0


class ImportFileError(ValueError):
    """The file cannot be read at all (nothing was imported)."""


@dataclass(frozen=True)
class Record:
    position: str  # where it is in the file: "ligne 12", "élément 3"
    data: Any
    kind: Kind | None = None  # known from a CSV header; else from the record


@dataclass(frozen=True)
class Rejected:
    kind: str
    record_id: str | None
    position: str
    reason: str


@dataclass
class ImportReport:
    structures_added: int = 0
    structures_updated: int = 0
    structures_unchanged: int = 0
    structures_removed: int = 0
    services_added: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    services_removed: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.structures_added, self.structures_updated, self.structures_removed,
                self.services_added, self.services_updated, self.services_removed,
            )
        )


# Reading files


def read_file(path: Path) -> list[Record]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path}: {error}") from None
    if path.suffix.lower() == ".csv":
        return read_csv_text(text)
    return read_json_text(text)


def read_json_text(text: str) -> list[Record]:
    stripped = text.lstrip()
    if not stripped:
        return []
    try:
        document = json.loads(stripped)
    except ValueError:
        return _json_lines(stripped)
    if isinstance(document, list):
        return [Record(f"élément {i + 1}", item) for i, item in enumerate(document)]
    if isinstance(document, dict) and ("structures" in document or "services" in document):
        records = []
        for kind, key in (("structure", "structures"), ("service", "services")):
            items = document.get(key) or []
            if not isinstance(items, list):
                raise ImportFileError(f"'{key}' is not a list")
            records += [Record(f"{key}[{i + 1}]", item, kind) for i, item in enumerate(items)]
        return records
    if isinstance(document, dict):
        return [Record("élément 1", document)]
    raise ImportFileError("expected JSON records")


def _json_lines(text: str) -> list[Record]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(Record(f"ligne {number}", json.loads(line)))
        except ValueError as error:
            records.append(Record(f"ligne {number}", _Unreadable(str(error))))
    if records and all(isinstance(r.data, _Unreadable) for r in records):
        raise ImportFileError("neither JSON nor JSON lines")
    return records


@dataclass(frozen=True)
class _Unreadable:
    error: str


def read_csv_text(text: str) -> list[Record]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
        raise ImportFileError("CSV without an 'id' column")
    kind: Kind = "service" if "structure_id" in [f.strip() for f in reader.fieldnames] else "structure"
    return [
        Record(f"ligne {reader.line_num}", from_csv_row(kind, row), kind) for row in reader
    ]


# Importing


def _digest(record: dict[str, Any], extra: Iterable[Any] = ()) -> str:
    payload = json.dumps([record, list(extra)], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _position(
    record: dict[str, Any], gazetteer: Gazetteer, fallback: tuple[float, float] | None = None
) -> tuple[float | None, float | None, str | None]:
    """The position used for ranking: the record's own, its structure's, or its commune's."""
    commune = gazetteer.get(record.get("code_insee") or "")
    if commune is None and record.get("code_postal"):
        sharing = gazetteer.by_postcode.get(record["code_postal"], [])
        named = [c for c in sharing if normalise(c.nom) == normalise(record.get("commune") or "")]
        commune = (named or sharing or [None])[0]
    lat, lon = record.get("latitude"), record.get("longitude")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and -90 <= lat <= 90:
        if not (commune and commune.has_position) or distance_km(
            lat, lon, commune.latitude, commune.longitude
        ) <= MAX_KM_FROM_COMMUNE:
            return float(lat), float(lon), "record"
    if fallback is not None:
        return fallback[0], fallback[1], "structure"
    if commune is not None and commune.has_position:
        return commune.latitude, commune.longitude, "commune"
    return None, None, None


def _date(value: str) -> date:
    return date.fromisoformat(value[:10])


class Importer:
    def __init__(
        self, session: AsyncSession, now: datetime, *, communes_csv: Path = COMMUNES_CSV
    ) -> None:
        self.session = session
        self.communes_csv = communes_csv
        self.now = now
        self.repo = DirectoryRepository(session)

    async def run(self, records: list[Record], *, replace_source: bool = False) -> ImportReport:
        report = ImportReport()
        await ensure_communes(self.session, self.communes_csv)
        gazetteer = await load_gazetteer(self.session)
        structures: dict[tuple[str, str], dict[str, Any]] = {}
        services: dict[tuple[str, str], tuple[Record, dict[str, Any]]] = {}
        for record in records:
            data = record.data
            if isinstance(data, _Unreadable):
                report.rejected.append(Rejected("?", None, record.position, f"JSON illisible : {data.error}"))
                continue
            if not isinstance(data, dict):
                report.rejected.append(Rejected("?", None, record.position, "pas un objet JSON"))
                continue
            kind = record.kind or kind_of(data)
            found = problems(kind, data)
            record_id = data.get("id") if isinstance(data.get("id"), str) else None
            if found:
                reason = " ; ".join(str(p) for p in found[:3])
                report.rejected.append(Rejected(kind, record_id, record.position, reason))
                continue
            try:
                _date(data["date_maj"])
            except ValueError:
                report.rejected.append(
                    Rejected(kind, record_id, record.position, f"date_maj: {data['date_maj']!r} is not a 'date'")
                )
                continue
            key = (data["source"], data["id"])
            bucket = structures if kind == "structure" else services
            if key in bucket:
                report.rejected.append(
                    Rejected(kind, record_id, record.position, "identifiant en double dans le fichier")
                )
                continue
            expression = data.get("horaires_accueil")
            if expression and not hours.is_valid(expression):
                report.warnings.append(
                    f"{kind} {record_id} ({record.position}) : horaires illisibles {expression!r}"
                )
            bucket[key] = data if kind == "structure" else (record, data)

        await self._structures(structures, gazetteer, report)
        structure_keys = await self.repo.structure_keys()
        await self._services(services, structure_keys, gazetteer, report)
        if replace_source:
            await self._replace(structures, services, structure_keys, report)
        if report.changed:
            await self.repo.bump_generation()
        return report

    async def _structures(self, records, gazetteer: Gazetteer, report: ImportReport) -> None:
        existing = await self.repo.structure_keys()
        inserts, updates = [], []
        for key, data in records.items():
            lat, lon, origin = _position(data, gazetteer)
            digest = _digest(data, (lat, lon))
            row = {name: data.get(name) for name in STRUCTURE_FIELDS}
            row.update(
                source=key[0], di_id=key[1], date_maj=_date(data["date_maj"]),
                geo_lat=lat, geo_lon=lon, geo_from=origin, record_hash=digest,
                imported_at=self.now,
            )
            known = existing.get(key)
            if known is None:
                inserts.append(row)
            elif known[1] != digest:
                updates.append({"pk": known[0], **row})
            else:
                report.structures_unchanged += 1
        await self.repo.insert_structures(inserts)
        await self.repo.update_structures(updates)
        report.structures_added += len(inserts)
        report.structures_updated += len(updates)

    async def _services(self, records, structure_keys, gazetteer: Gazetteer, report) -> None:
        existing = await self.repo.service_keys()
        wanted_structures = {
            structure_keys[(data["source"], data["structure_id"])][0]
            for _record, data in records.values()
            if (data["source"], data["structure_id"]) in structure_keys
        }
        positions = await self.repo.structure_positions(wanted_structures)
        inserts, updates = [], []
        for key, (record, data) in records.items():
            structure = structure_keys.get((data["source"], data["structure_id"]))
            if structure is None:
                report.rejected.append(
                    Rejected(
                        "service", data["id"], record.position,
                        f"structure inconnue : {data['structure_id']!r} (source {data['source']!r})",
                    )
                )
                continue
            structure_pk = structure[0]
            lat, lon, origin = _position(data, gazetteer, positions.get(structure_pk))
            digest = _digest(data, (structure_pk, lat, lon))
            row = {name: data.get(name) for name in SERVICE_FIELDS}
            row.update(
                source=key[0], di_id=key[1], structure_pk=structure_pk,
                structure_di_id=data["structure_id"], date_maj=_date(data["date_maj"]),
                geo_lat=lat, geo_lon=lon, geo_from=origin, record_hash=digest,
                imported_at=self.now,
            )
            known = existing.get(key)
            if known is None:
                inserts.append(row)
            elif known[1] != digest:
                updates.append({"pk": known[0], **row})
            else:
                report.services_unchanged += 1
        await self.repo.insert_services(inserts)
        await self.repo.update_services(updates)
        report.services_added += len(inserts)
        report.services_updated += len(updates)

    async def _replace(self, structures, services, structure_keys, report) -> None:
        """Drop what the sources of this file no longer list.

        Services of every source present in the file that the file does not list are removed;
        structures too, for the sources whose structures the file carries.
        """
        sources_with_structures = {source for source, _id in structures}
        sources = sources_with_structures | {source for source, _id in services}
        gone_structures = [
            pk
            for (source, di_id), (pk, _digest) in structure_keys.items()
            if source in sources_with_structures and (source, di_id) not in structures
        ]
        existing_services = await self.repo.service_keys()
        gone_services = [
            pk
            for (source, di_id), (pk, _digest) in existing_services.items()
            if source in sources and (source, di_id) not in services
        ]
        report.services_removed += await self.repo.delete_services(gone_services)
        report.structures_removed += await self.repo.delete_structures(gone_structures)


async def import_file(
    database,
    path: Path,
    *,
    now: datetime,
    replace_source: bool = False,
    strict: bool = False,
    communes_csv: Path = COMMUNES_CSV,
) -> ImportReport:
    """Import one file in one transaction; ``strict`` keeps nothing if any record is rejected."""
    records = read_file(path)
    async with database.transaction() as session:
        importer = Importer(session, now, communes_csv=communes_csv)
        report = await importer.run(records, replace_source=replace_source)
        if strict and report.rejected:
            raise StrictImportRejected(report)
    if report.changed:
        # This process sees the change at once; others within DirectoryCache.GENERATION_TTL_S.
        from bot.directory.service import cache_for_engine

        cache_for_engine(database.engine.sync_engine).forget()
    return report


class StrictImportRejected(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.rejected)} rejected records")
        self.report = report
