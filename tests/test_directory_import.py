"""Directory import: data·inclusion v1 records validated, idempotent, atomic (SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage.models.directory  # noqa: F401  (registers the directory tables)
from bot.directory import importer as importer_module
from bot.directory.importer import ImportFileError, StrictImportRejected, import_file, read_file
from storage.models.directory import InclusionService, InclusionStructure
from storage.repositories.directory import DirectoryRepository
from tests.support.databases import backends, migrated_database

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "config" / "directory" / "sample_cher.json"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
SRC = "test-source"


def small_communes(tmp_path: Path, departements=("18", "36", "41", "45", "58", "03", "23", "62")) -> Path:
    """A commune file with a few départements: quick to load in every test database."""
    source = ROOT / "config" / "communes.csv"
    target = tmp_path / "communes.csv"
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if row["departement"] in departements:
                writer.writerow(row)
    return target


@pytest.fixture(params=backends())
async def db(request, tmp_path):
    async with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def communes_csv(tmp_path) -> Path:
    return small_communes(tmp_path)


def structure(key: str, **fields) -> dict:
    record = {
        "source": SRC,
        "id": f"{SRC}--{key}",
        "nom": f"Structure {key}",
        "date_maj": "2026-10-01",
        "commune": "Bourges",
        "code_postal": "18000",
        "code_insee": "18033",
    }
    record.update(fields)
    return record


def service(structure_key: str, key: str, **fields) -> dict:
    record = {
        "source": SRC,
        "structure_id": f"{SRC}--{structure_key}",
        "id": f"{SRC}--{key}",
        "nom": f"Service {key}",
        "description": "Un service pour les jeunes.",
        "date_maj": "2026-10-01",
        "thematiques": ["trouver-un-emploi--repondre-a-des-offres-demploi"],
        "publics": ["jeunes"],
    }
    record.update(fields)
    return record


def write_json(path: Path, records) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


async def counts(db) -> tuple[int, int]:
    async with db.transaction() as session:
        return await DirectoryRepository(session).counts()


async def test_sample_data_imports_cleanly(db, communes_csv):
    report = await import_file(db, SAMPLE, now=NOW, communes_csv=communes_csv)
    assert report.rejected == []
    assert report.warnings == []
    assert (report.structures_added, report.services_added) == (19, 22)
    assert await counts(db) == (19, 22)
    async with db.transaction() as session:
        sources = set(await session.scalars(select(InclusionStructure.source)))
        # Positions come from the commune table: every sample service can be placed.
        unplaced = await session.scalar(
            select(func.count()).select_from(InclusionService).where(InclusionService.geo_lat.is_(None))
        )
    assert sources == {"exemple-promeneur-cher"}
    assert unplaced == 0


async def test_invalid_records_are_reported_with_id_and_reason(db, communes_csv, tmp_path):
    path = tmp_path / "mixed.json"
    write_json(
        path,
        [
            structure("ok"),
            structure("no-name", nom=None),
            structure("bad-postcode", code_postal="1800"),
            service("ok", "good"),
            service("ok", "bad-theme", thematiques=["emploi"]),
            service("ok", "bad-date", date_maj="2026-13-40"),
            service("unknown", "orphan"),
            service("ok", "bad-email", courriel="pas-un-courriel"),
            "not an object",
        ],
    )
    report = await import_file(db, path, now=NOW, communes_csv=communes_csv)
    reasons = {r.record_id: r.reason for r in report.rejected}
    assert set(reasons) == {
        f"{SRC}--no-name",
        f"{SRC}--bad-postcode",
        f"{SRC}--bad-theme",
        f"{SRC}--bad-date",
        f"{SRC}--orphan",
        f"{SRC}--bad-email",
        None,
    }
    assert "nom" in reasons[f"{SRC}--no-name"]
    assert "code_postal" in reasons[f"{SRC}--bad-postcode"]
    assert "thematiques" in reasons[f"{SRC}--bad-theme"]
    assert "date_maj" in reasons[f"{SRC}--bad-date"]
    assert "structure inconnue" in reasons[f"{SRC}--orphan"]
    assert "courriel" in reasons[f"{SRC}--bad-email"]
    positions = {r.record_id: r.position for r in report.rejected}
    assert positions[f"{SRC}--bad-theme"] == "élément 5"
    # The valid records went in.
    assert await counts(db) == (1, 1)


async def test_reimport_is_idempotent_and_updates_changes(db, communes_csv, tmp_path):
    path = write_json(
        tmp_path / "a.json", [structure("s1"), service("s1", "v1"), service("s1", "v2")]
    )
    first = await import_file(db, path, now=NOW, communes_csv=communes_csv)
    assert (first.structures_added, first.services_added) == (1, 2)
    async with db.transaction() as session:
        generation = await DirectoryRepository(session).generation()

    again = await import_file(db, path, now=NOW, communes_csv=communes_csv)
    assert (again.structures_added, again.services_added) == (0, 0)
    assert (again.structures_unchanged, again.services_unchanged) == (1, 2)
    assert not again.changed
    async with db.transaction() as session:
        # Nothing changed: the search index of every process stays valid.
        assert await DirectoryRepository(session).generation() == generation

    write_json(
        path, [structure("s1"), service("s1", "v1", nom="Nouveau nom"), service("s1", "v2")]
    )
    changed = await import_file(db, path, now=NOW, communes_csv=communes_csv)
    assert (changed.services_updated, changed.services_unchanged) == (1, 1)
    assert await counts(db) == (1, 2)
    async with db.transaction() as session:
        names = set(await session.scalars(select(InclusionService.nom)))
        assert await DirectoryRepository(session).generation() == generation + 1
    assert names == {"Nouveau nom", "Service v2"}


async def test_replace_source_drops_what_the_source_no_longer_lists(db, communes_csv, tmp_path):
    other = dict(structure("x"), source="other", id="other--x")
    other_service = dict(service("x", "y"), source="other", structure_id="other--x", id="other--y")
    full = write_json(
        tmp_path / "full.json",
        [structure("s1"), structure("s2"), service("s1", "v1"), service("s2", "v2"), other, other_service],
    )
    await import_file(db, full, now=NOW, communes_csv=communes_csv)
    assert await counts(db) == (3, 3)

    smaller = write_json(tmp_path / "smaller.json", [structure("s1"), service("s1", "v1")])
    kept = await import_file(db, smaller, now=NOW, communes_csv=communes_csv)
    assert kept.services_removed == 0
    assert await counts(db) == (3, 3)

    replaced = await import_file(db, smaller, now=NOW, replace_source=True, communes_csv=communes_csv)
    assert (replaced.structures_removed, replaced.services_removed) == (1, 1)
    async with db.transaction() as session:
        ids = set(await session.scalars(select(InclusionService.di_id)))
    # The other source is untouched.
    assert ids == {f"{SRC}--v1", "other--y"}


async def test_failed_import_leaves_nothing_half_imported(db, communes_csv, tmp_path, monkeypatch):
    path = write_json(tmp_path / "a.json", [structure("s1"), service("s1", "v1")])

    async def broken(self, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer_module.DirectoryRepository, "insert_services", broken)
    with pytest.raises(RuntimeError):
        await import_file(db, path, now=NOW, communes_csv=communes_csv)
    monkeypatch.undo()
    # The structures written before the failure were rolled back too.
    assert await counts(db) == (0, 0)


async def test_strict_import_keeps_nothing_when_a_record_is_rejected(db, communes_csv, tmp_path):
    path = write_json(
        tmp_path / "a.json", [structure("s1"), service("s1", "v1"), service("s1", "v2", nom="x")]
    )
    with pytest.raises(StrictImportRejected) as caught:
        await import_file(db, path, now=NOW, strict=True, communes_csv=communes_csv)
    assert [r.record_id for r in caught.value.report.rejected] == [f"{SRC}--v2"]
    assert await counts(db) == (0, 0)


async def test_csv_exports_and_json_lines(db, communes_csv, tmp_path):
    structures = tmp_path / "structures.csv"
    structures.write_text(
        "source,id,nom,date_maj,commune,code_postal,code_insee,telephone,horaires_accueil,reseaux_porteurs\n"
        f"{SRC},{SRC}--ml,Mission Locale,2026-10-01,Vierzon,18100,18279,,Mo-Fr 09:00-17:00,mission-locale\n"
        f"{SRC},{SRC}--bad,Sans date,,Vierzon,18100,18279,,,\n",
        encoding="utf-8",
    )
    services = tmp_path / "services.csv"
    services.write_text(
        "source;structure_id;id;nom;description;date_maj;thematiques;publics;zone_eligibilite;latitude;longitude\n"
        f'{SRC};{SRC}--ml;{SRC}--emploi;Emploi;Trouver un emploi;2026-10-01;"[""trouver-un-emploi--repondre-a-des-offres-demploi""]";jeunes,etudiants;18;47,22;2,07\n',
        encoding="utf-8",
    )
    first = await import_file(db, structures, now=NOW, communes_csv=communes_csv)
    assert first.structures_added == 1
    assert [r.record_id for r in first.rejected] == [f"{SRC}--bad"]
    assert "date_maj" in first.rejected[0].reason
    second = await import_file(db, services, now=NOW, communes_csv=communes_csv)
    assert second.services_added == 1 and not second.rejected
    async with db.transaction() as session:
        row = await session.scalar(select(InclusionService))
    assert row.publics == ["jeunes", "etudiants"]
    assert row.zone_eligibilite == ["18"]
    assert (row.geo_lat, row.geo_lon, row.geo_from) == (47.22, 2.07, "record")

    lines = tmp_path / "more.jsonl"
    lines.write_text(
        json.dumps(service("ml", "v3", structure_id=f"{SRC}--ml"))
        + "\n{broken json\n"
        + json.dumps(service("ml", "v4", structure_id=f"{SRC}--ml"))
        + "\n",
        encoding="utf-8",
    )
    third = await import_file(db, lines, now=NOW, communes_csv=communes_csv)
    assert third.services_added == 2
    assert [(r.position, r.reason.split(" :")[0]) for r in third.rejected] == [("ligne 2", "JSON illisible")]


def test_unreadable_files_are_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json\n{nor this\n", encoding="utf-8")
    with pytest.raises(ImportFileError):
        read_file(path)
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError):
        read_file(csv_path)


async def test_position_far_from_its_commune_falls_back_to_the_commune(db, communes_csv, tmp_path):
    # Latitude and longitude swapped: 2.4, 47.08 is in the Gulf of Guinea, not in Bourges.
    path = write_json(
        tmp_path / "a.json", [structure("s1", latitude=2.4, longitude=47.08), service("s1", "v1")]
    )
    await import_file(db, path, now=NOW, communes_csv=communes_csv)
    async with db.transaction() as session:
        row = await session.scalar(select(InclusionService))
    assert row.geo_from == "structure"
    assert row.geo_lat == pytest.approx(47.08, abs=0.05)
