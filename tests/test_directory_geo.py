"""Where is the young person: postal code, commune name typed freely, shared position; the
commune remembered only with consent and erased with the young person."""

from __future__ import annotations

import csv
import functools
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import storage.models.directory  # noqa: F401
from bot.clock import ManualClock
from bot.directory.communes import Gazetteer, commune_from_row, read_csv
from bot.directory.service import DirectoryService
from storage.repositories.directory import CommuneRepository
from storage.repositories.youths import YouthRepository
from tests.support.databases import backends, migrated_database

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@functools.cache
def france() -> Gazetteer:
    rows = read_csv()
    return Gazetteer.from_communes(
        [
            commune_from_row(
                (r["insee"], r["nom"], r["codes_postaux"], r["departement"], r["region"], r["epci"],
                 r["parent"], r["population"], r["latitude"], r["longitude"])
            )
            for r in rows
        ]
    )


def test_commune_file_covers_france_with_positions():
    gazetteer = france()
    assert len(gazetteer.communes) > 34000
    cher = [c for c in gazetteer.communes.values() if c.departement == "18"]
    assert len(cher) > 280
    assert all(c.has_position for c in cher)
    bourges = gazetteer.get("18033")
    assert bourges.nom == "Bourges" and bourges.codes_postaux == ("18000",)
    assert bourges.latitude == pytest.approx(47.08, abs=0.05)
    assert bourges.longitude == pytest.approx(2.40, abs=0.05)


@pytest.mark.parametrize(
    "typed, insee",
    [
        ("18000", "18033"),
        ("j'habite au 18100", "18279"),
        ("bourges", "18033"),
        ("BOURGES", "18033"),
        ("à Bourges", "18033"),
        ("bourjes", "18033"),  # typo
        ("vierzonn", "18279"),  # typo
        ("st amand", "18197"),  # abbreviation, the territory's namesake first
        ("Saint-Amand-Montrond", "18197"),
        ("st amand montrond", "18197"),
        ("mehun sur yevre", "18141"),  # without accents
        ("Mehun-sur-Yèvre", "18141"),
        ("saint florent", "18207"),
        ("chateauroux", "36044"),  # another département, unambiguous
        ("75011", "75111"),  # a Paris arrondissement rather than Paris
    ],
)
def test_locate_text_in_the_cher(typed, insee):
    match = france().locate_text(typed, ("18",))
    assert match is not None and match.commune is not None, typed
    assert match.commune.insee == insee


def test_ambiguous_names_give_candidates_most_populous_first():
    match = france().locate_text("st amand")  # no territory preference
    assert match.ambiguous
    names = [c.nom for c in match.candidates]
    assert "Saint-Amand" in names
    populations = [c.population for c in match.candidates]
    assert populations == sorted(populations, reverse=True)


def test_unknown_places_are_not_guessed():
    gazetteer = france()
    assert gazetteer.locate_text("xyzzy plop") is None
    assert gazetteer.locate_text("99999") is None
    assert gazetteer.locate_text("") is None


def test_locate_point_gives_the_nearest_commune():
    gazetteer = france()
    # Vierzon's town centre, then a point on the road between Bourges and Saint-Florent.
    assert gazetteer.nearest(47.2218, 2.0684).insee == "18279"
    assert gazetteer.nearest(47.0836, 2.3958).insee == "18033"
    assert gazetteer.nearest(46.7228, 2.5049).insee == "18197"


# Over the database: the commune table is loaded on first use, then kept per process.


def small_communes(tmp_path: Path) -> Path:
    target = tmp_path / "communes.csv"
    with (ROOT / "config" / "communes.csv").open(encoding="utf-8") as src, target.open(
        "w", encoding="utf-8"
    ) as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in reader if r["departement"] in ("18", "36", "23", "62"))
    return target


@pytest.fixture(params=backends())
async def db(request, tmp_path):
    async with migrated_database(request.param, tmp_path) as database:
        yield database


async def test_service_locates_and_remembers_commune_only_with_consent(db, tmp_path):
    communes_csv = small_communes(tmp_path)
    clock = ManualClock(NOW)
    async with db.transaction() as session:
        youth, _ = await YouthRepository(session).get_or_create(4242, clock.now())
        directory = DirectoryService(
            session, clock, TZ, prefer_departements=("18",), communes_csv=communes_csv
        )
        match = await directory.locate_text("st amand")
        assert match.commune.nom == "Saint-Amand-Montrond"
        nearest = await directory.locate_point(47.2218, 2.0684)
        assert nearest.nom == "Vierzon"
        # Locating does not remember anything.
        assert await directory.remembered_commune(4242) is None
        assert await CommuneRepository(session).count() > 800

    async with db.transaction() as session:
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        assert await directory.remember_commune(4242, "18279")
    async with db.transaction() as session:
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        assert (await directory.remembered_commune(4242)).nom == "Vierzon"
        youth = await YouthRepository(session).by_telegram_id(4242)
        # Only the commune code is kept, never a position.
        assert youth.commune_code == "18279"
        # /oubli erases the young person, and with them the commune.
        await YouthRepository(session).delete(youth)
    async with db.transaction() as session:
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        assert await directory.remembered_commune(4242) is None


async def test_place_named_inside_a_sentence(db, tmp_path):
    communes_csv = small_communes(tmp_path)
    async with db.transaction() as session:
        directory = DirectoryService(
            session, ManualClock(NOW), TZ, prefer_departements=("18",), communes_csv=communes_csv
        )
        found = await directory.mentioned_commune("je cherche un job à vierzon stp")
        assert found.commune.insee == "18279"
        found = await directory.mentioned_commune("je cherche un taf vers st amand montrond")
        assert found.commune.insee == "18197"
        assert (await directory.mentioned_commune("mon code postal c'est 18000")).commune.insee == "18033"
        assert await directory.mentioned_commune("je cherche un job") is None
