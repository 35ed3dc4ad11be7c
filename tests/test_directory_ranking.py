"""Ranking by theme, public, zone and distance; opening hours (DST, public holidays); service
cards; the answer written into the outbox."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

import storage.models.directory  # noqa: F401
from bot.clock import ManualClock
from bot.directory.cards import Hit, phone, render_card
from bot.directory.hours import status
from bot.directory.importer import import_file
from bot.directory.service import DirectoryService, parse_callback
from bot.directory.themes import load_mapping
from bot.outbox import Outbox
from storage.models import OutboxMessage
from storage.models.directory import InclusionService, InclusionStructure
from storage.repositories.youths import YouthRepository
from tests.support.databases import backends, migrated_database

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "config" / "directory" / "sample_cher.json"
TZ = ZoneInfo("Europe/Paris")
SRC = "rank"
# Wednesday 25 November 2026, 10:00 in Bourges.
WEDNESDAY_10H = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def small_communes(tmp_path: Path) -> Path:
    target = tmp_path / "communes.csv"
    with (ROOT / "config" / "communes.csv").open(encoding="utf-8") as src, target.open(
        "w", encoding="utf-8"
    ) as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in reader if r["departement"] in ("18", "36", "45", "75"))
    return target


@pytest.fixture(params=backends())
async def db(request, tmp_path):
    async with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def communes_csv(tmp_path) -> Path:
    return small_communes(tmp_path)


def place(key, insee, postcode, commune, lat, lon, thematiques, *, publics=("jeunes",), zone=None, **extra):
    structure = {
        "source": SRC, "id": f"{SRC}--{key}", "nom": f"Lieu {key}", "date_maj": "2026-10-01",
        "commune": commune, "code_postal": postcode, "code_insee": insee,
        "latitude": lat, "longitude": lon,
    }
    service = {
        "source": SRC, "structure_id": f"{SRC}--{key}", "id": f"{SRC}--{key}--s",
        "nom": f"Service {key}", "description": "Pour t'aider.", "date_maj": "2026-10-01",
        "thematiques": list(thematiques), "publics": list(publics) if publics else None,
        "zone_eligibilite": zone,
    }
    service.update(extra)
    return [structure, service]


EMPLOI = ["trouver-un-emploi--repondre-a-des-offres-demploi"]
SANTE = ["sante--acces-aux-soins"]


async def load(db, tmp_path, communes_csv, records):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = await import_file(db, path, now=WEDNESDAY_10H, communes_csv=communes_csv)
    assert not report.rejected, report.rejected


async def ranked(db, communes_csv, theme, insee, offset=0, limit=3):
    async with db.transaction() as session:
        directory = DirectoryService(
            session, ManualClock(WEDNESDAY_10H), TZ, prefer_departements=("18",),
            communes_csv=communes_csv,
        )
        page = await directory.search([theme], await directory.commune(insee), offset, limit)
    return [hit.service.di_id.split("--")[1] for hit in page.hits], page


async def test_ranking_by_theme_public_zone_and_distance(db, tmp_path, communes_csv):
    records = (
        place("bourges-centre", "18033", "18000", "Bourges", 47.0810, 2.3988, EMPLOI)
        + place("bourges-nord", "18033", "18000", "Bourges", 47.1100, 2.4000, EMPLOI, publics=("tous-publics",))
        + place("vierzon", "18279", "18100", "Vierzon", 47.2218, 2.0684, EMPLOI)
        + place("saint-amand", "18197", "18200", "Saint-Amand-Montrond", 46.7228, 2.5049, EMPLOI)
        + place("sante-bourges", "18033", "18000", "Bourges", 47.0815, 2.3990, SANTE)
        + place("seniors-bourges", "18033", "18000", "Bourges", 47.0812, 2.3989, EMPLOI, publics=("seniors",))
        + place("indre-only", "18033", "18000", "Bourges", 47.0811, 2.3987, EMPLOI, zone=["36"])
        + place("vierzon-only", "18279", "18100", "Vierzon", 47.2219, 2.0685, EMPLOI, zone=["18279"])
        + place("paris", "75056", "75001", "Paris", 48.8566, 2.3522, EMPLOI)
    )
    await load(db, tmp_path, communes_csv, records)

    ids, page = await ranked(db, communes_csv, "emploi", "18033", limit=10)
    # Theme: no health service; public: nothing only for seniors; zone: nothing only for the
    # Indre or only for Vierzon's people; distance: nearest first, Paris is not "near".
    assert ids == ["bourges-centre", "bourges-nord", "vierzon", "saint-amand"]
    distances = [hit.distance_km for hit in page.hits]
    assert distances == sorted(distances)
    assert distances[2] == pytest.approx(29, abs=3)

    ids, _ = await ranked(db, communes_csv, "emploi", "18279", limit=10)
    assert ids[:2] in (["vierzon", "vierzon-only"], ["vierzon-only", "vierzon"])
    assert "indre-only" not in ids

    ids, _ = await ranked(db, communes_csv, "sante", "18033")
    assert ids == ["sante-bourges"]


async def test_youth_services_come_before_general_ones_a_little_further(db, tmp_path, communes_csv):
    records = (
        place("general-near", "18033", "18000", "Bourges", 47.0810, 2.3988, EMPLOI, publics=("tous-publics",))
        + place("youth-1km", "18033", "18000", "Bourges", 47.0900, 2.3988, EMPLOI)
        + place("general-8km", "18033", "18000", "Bourges", 47.0810, 2.5050, EMPLOI, publics=("tous-publics",))
        + place("youth-12km", "18033", "18000", "Bourges", 47.1900, 2.3988, EMPLOI)
    )
    await load(db, tmp_path, communes_csv, records)
    ids, _ = await ranked(db, communes_csv, "emploi", "18033", limit=4)
    # 3 km of bonus for young people's services: 1 km beats 0 km, but 12 km does not beat 8 km.
    assert ids == ["youth-1km", "general-near", "general-8km", "youth-12km"]


async def test_pages_of_three_with_more(db, tmp_path, communes_csv):
    records = []
    for i in range(8):
        records += place(f"p{i}", "18033", "18000", "Bourges", 47.08 + i * 0.01, 2.40, EMPLOI)
    await load(db, tmp_path, communes_csv, records)
    seen = []
    offset = 0
    while True:
        ids, page = await ranked(db, communes_csv, "emploi", "18033", offset)
        seen += ids
        if not page.has_more:
            break
        assert len(ids) == 3
        offset += 3
    assert seen == [f"p{i}" for i in range(8)]


async def test_one_card_per_place_and_remote_services_after_local_ones(db, tmp_path, communes_csv):
    records = place("ml", "18033", "18000", "Bourges", 47.0810, 2.3988, EMPLOI)
    records.append(dict(records[1], id=f"{SRC}--ml--second", nom="Autre service"))
    records += place(
        "distance", "45234", "45000", "Orléans", 47.9029, 1.9093, EMPLOI,
        zone=["18"], modes_accueil=["a-distance"],
    )
    records += place("national", "45234", "45000", "Orléans", 47.9029, 1.9093, EMPLOI, zone=["france"], modes_accueil=["a-distance"])
    await load(db, tmp_path, communes_csv, records)
    ids, page = await ranked(db, communes_csv, "emploi", "18033", limit=10)
    assert ids == ["ml", "distance"]
    assert page.hits[1].distance_km is None


# Opening hours


OFFICE = "Mo-Fr 08:30-12:30,13:30-17:00; PH off"


def local(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_open_now_across_the_change_to_summer_time():
    # Friday 27 March 2026 (UTC+1) and Monday 30 March 2026 (UTC+2), at 8:45 local time.
    before = datetime(2026, 3, 27, 7, 45, tzinfo=timezone.utc)
    after = datetime(2026, 3, 30, 6, 45, tzinfo=timezone.utc)
    assert status(OFFICE, before, TZ).open_now
    assert status(OFFICE, after, TZ).open_now
    # 07:45 UTC on the Monday is 09:45 local: open; 06:15 UTC is 08:15 local: not yet.
    early = status(OFFICE, datetime(2026, 3, 30, 6, 15, tzinfo=timezone.utc), TZ)
    assert not early.open_now
    assert early.next_open == local(2026, 3, 30, 8, 30)
    # The same UTC instant the Friday before was 07:15 local.
    assert not status(OFFICE, datetime(2026, 3, 27, 6, 45, tzinfo=timezone.utc), TZ).open_now


def test_open_now_across_the_change_to_winter_time():
    # Sunday 25 October 2026 the clocks go back: Monday 26 at 16:30 local is 15:30 UTC.
    assert status(OFFICE, datetime(2026, 10, 26, 15, 30, tzinfo=timezone.utc), TZ).open_now
    assert not status(OFFICE, datetime(2026, 10, 23, 15, 30, tzinfo=timezone.utc), TZ).open_now


def test_public_holidays_follow_the_hours():
    bastille_day = local(2026, 7, 14, 10, 0)  # a Tuesday
    closed = status(OFFICE, bastille_day, TZ)
    assert not closed.open_now and closed.today == ()
    assert closed.next_open == local(2026, 7, 15, 8, 30)
    # Without "PH off", the usual hours apply; with PH hours, those.
    assert status("Mo-Fr 08:30-12:30", bastille_day, TZ).open_now
    assert status("Mo-Fr 08:30-17:00; PH 10:00-12:00", local(2026, 7, 14, 11, 0), TZ).open_now
    assert not status("Mo-Fr 08:30-17:00; PH 10:00-12:00", local(2026, 7, 14, 14, 0), TZ).open_now
    # Christmas 2026 is a Friday.
    assert not status(OFFICE, local(2026, 12, 25, 10, 0), TZ).open_now


def test_unknown_or_unreadable_hours():
    assert status(None, WEDNESDAY_10H, TZ) is None
    assert status("du lundi au vendredi", WEDNESDAY_10H, TZ) is None


# Cards


def make_hit(**service_fields) -> Hit:
    structure = InclusionStructure(
        nom="Mission Locale de Bourges", commune="Bourges", code_postal="18000",
        telephone=None, site_web="https://example.org/ml", horaires_accueil=OFFICE,
        geo_lat=47.0833, geo_lon=2.4, description=None,
    )
    fields = dict(
        nom="Trouver un emploi", description="On t'aide à trouver un emploi. Et plus encore.",
        frais="gratuit", modes_mobilisation=["se-presenter"], telephone="+33248000000",
        adresse="1 rue <Exemple>", commune="Bourges", code_postal="18000",
        complement_adresse=None, horaires_accueil=None, modes_accueil=["en-presentiel"],
        lien_mobilisation=None, geo_lat=47.0833, geo_lon=2.4,
    )
    fields.update(service_fields)
    return Hit(InclusionService(**fields), structure, 2.345)


def test_card_contents():
    text, buttons = render_card(make_hit(), WEDNESDAY_10H, TZ)
    assert "<b>Trouver un emploi</b>" in text
    assert "<i>Mission Locale de Bourges</i>" in text
    assert "On t'aide à trouver un emploi." in text and "plus encore" not in text
    assert "1 rue &lt;Exemple&gt;, 18000 Bourges" in text
    assert 'href="https://www.openstreetmap.org/?mlat=47.08330&amp;mlon=2.40000' in text
    assert "à 2,3 km" in text
    assert '<a href="tel:+33248000000">02 48 00 00 00</a>' in text
    assert '<a href="https://example.org/ml">site web</a>' in text
    assert "Aujourd'hui : 8h30–12h30, 13h30–17h" in text
    assert "<b>ouvert maintenant, jusqu'à 12h30</b>" in text
    assert "Gratuit" in text and "Sans rendez-vous" in text
    assert buttons[0][0].url.startswith("https://www.openstreetmap.org/")


def test_card_when_closed_or_paid_or_unknown():
    lunch = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # 13:00 local
    text, _ = render_card(make_hit(frais="payant", modes_mobilisation=["telephoner"]), lunch, TZ)
    assert "ouvre à 13h30" in text and "ouvert maintenant" not in text
    assert "Payant" in text and "Sans rendez-vous" not in text
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
    text, _ = render_card(make_hit(), saturday, TZ)
    assert "Aujourd'hui : fermé" in text and "ouvre lundi à 8h30" in text
    hit = make_hit(horaires_accueil="n'importe quoi", telephone=None, frais=None)
    text, _ = render_card(hit, WEDNESDAY_10H, TZ)
    assert "Horaires non précisés" in text and "tel:" not in text


def test_phone_numbers_become_tap_to_call_links():
    assert phone("02 48 00 00 00").uri == "tel:+33248000000"
    assert phone("+33 2 48 00 00 00").display == "02 48 00 00 00"
    assert phone("3949").uri == "tel:3949"
    assert phone("0033 6 00 00 00 00").uri == "tel:+33600000000"
    assert phone("appelez-nous") is None


def test_theme_mapping_covers_every_triage_theme():
    triage = yaml.safe_load((ROOT / "config" / "triage" / "themes.yaml").read_text(encoding="utf-8"))
    mapping = load_mapping()
    assert set(triage["themes"]) == set(mapping.rules)
    assert mapping.rules["emploi"].matches(["preparer-sa-candidature--valoriser-ses-competences"])
    assert not mapping.rules["emploi"].matches(["sante--sante-mentale"])


# The answer in the outbox


async def outbox_payloads(session) -> list[dict]:
    rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [row.payload for row in rows]


def callbacks(payload) -> list[str]:
    markup = payload.get("reply_markup", {}).get("inline_keyboard", [])
    return [button.get("callback_data") for row in markup for button in row if "callback_data" in button]


async def test_young_person_looking_for_a_job_answers_18000(db, communes_csv):
    await import_file(db, SAMPLE, now=WEDNESDAY_10H, communes_csv=communes_csv)
    clock = ManualClock(WEDNESDAY_10H)
    async with db.transaction() as session:
        await YouthRepository(session).get_or_create(777, clock.now())
        outbox = Outbox(session, clock)
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        await directory.write_offer(outbox, 777, "emploi")
        match = await directory.answer_text(outbox, 777, "18000", ["emploi"], telegram_id=777)
        assert match.commune.nom == "Bourges"
        offer, places, consent = await outbox_payloads(session)

    assert "Dis-moi ta ville ou ton code postal" in offer["text"]
    assert offer["reply_markup"]["keyboard"][0][0]["request_location"] is True

    text = places["text"]
    assert places["parse_mode"] == "HTML"
    assert "près de <b>Bourges</b>" in text
    # The right kinds of places, one card each, with hours and a tap-to-call number.
    assert "Mission Locale de Bourges" in text
    assert "Bureau Information Jeunesse de Bourges" in text
    assert "France Travail Bourges" in text
    assert text.count("🕒") == 3
    assert '<a href="tel:3949">39 49</a>' in text
    assert "ouvert maintenant" in text
    data = callbacks(places)
    assert data[0] == "dir:more:18033:emploi:3"
    assert data[1:] == ["conv:other", "conv:educator"]
    assert all(len(d.encode()) <= 64 for d in data)

    assert "retienne <b>Bourges</b>" in consent["text"]
    assert callbacks(consent) == ["dir:keep:18033", "dir:nokeep"]

    async with db.transaction() as session:
        outbox = Outbox(session, clock)
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        assert await directory.handle_callback(outbox, 777, "dir:more:18033:emploi:3", telegram_id=777)
        assert await directory.handle_callback(outbox, 777, "dir:keep:18033", telegram_id=777)
        assert not await directory.handle_callback(outbox, 777, "conv:other", telegram_id=777)
        more, kept = (await outbox_payloads(session))[-2:]
        youth = await YouthRepository(session).by_telegram_id(777)
    assert "D'autres lieux" in more["text"] or "pas d'autre lieu" in more["text"]
    assert "Mission Locale de Bourges" not in more["text"]
    assert "C'est noté" in kept["text"]
    assert youth.commune_code == "18033"


async def test_helplines_beside_local_places_and_ambiguous_names(db, communes_csv):
    await import_file(db, SAMPLE, now=WEDNESDAY_10H, communes_csv=communes_csv)
    clock = ManualClock(WEDNESDAY_10H)
    async with db.transaction() as session:
        outbox = Outbox(session, clock)
        directory = DirectoryService(session, clock, TZ, communes_csv=communes_csv)
        await directory.answer_point(outbox, 5, 47.2218, 2.0684, ["sante_mentale"])
        await directory.answer_text(outbox, 5, "saint", ["sante_mentale"])
        await directory.answer_text(outbox, 5, "nulle part", ["sante_mentale"])
        places, which, unknown = await outbox_payloads(session)
    assert "près de <b>Vierzon</b>" in places["text"]
    assert "Point Accueil Écoute Jeunes de Vierzon" in places["text"]
    assert "Fil Santé Jeunes" in places["text"] and 'href="tel:0800235236"' in places["text"]
    assert "laquelle" in which["text"]
    assert all(d.startswith("dir:at:") and d.endswith(":sante_mentale") for d in callbacks(which))
    assert "code postal" in unknown["text"]


def test_callback_data_round_trip():
    assert parse_callback("dir:more:18033:emploi:6").offset == 6
    assert parse_callback("dir:at:2A004:sante").insee == "2A004"
    assert parse_callback("dir:more:18033:emploi:x") is None
    assert parse_callback("conv:other") is None


async def test_a_new_import_shows_in_the_next_search(db, tmp_path, communes_csv):
    await load(db, tmp_path, communes_csv, place("first", "18033", "18000", "Bourges", 47.08, 2.40, EMPLOI))
    ids, _ = await ranked(db, communes_csv, "emploi", "18033")
    assert ids == ["first"]
    path = tmp_path / "second.json"
    path.write_text(json.dumps(place("second", "18033", "18000", "Bourges", 47.09, 2.40, EMPLOI)), encoding="utf-8")
    await import_file(db, path, now=WEDNESDAY_10H, communes_csv=communes_csv)
    ids, _ = await ranked(db, communes_csv, "emploi", "18033")
    assert ids == ["first", "second"]
