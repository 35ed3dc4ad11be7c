"""Bursts: a danger spread over several fragments is caught; unrelated fragments invent none."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


@pytest.mark.parametrize("frags,level", [
    (["jvais le faire", "ce soir", "jai les medocs"], Risk.IMMINENT),
    (["c'est décidé", "j'ai la corde", "cette nuit"], Risk.IMMINENT),
    (["jveux", "mourir"], Risk.ELEVATED),
    (["tout le monde", "serait mieux", "sans moi"], Risk.ELEVATED),
    (["jai pris", "toute la boite", "de doliprane"], Risk.IMMINENT),
    (["il vient", "dans ma chambre", "la nuit"], Risk.ELEVATED),
    (["jpp de cette vie", "jsuis sur le pont"], Risk.IMMINENT),
    (["slt", "jai envie de mourir", "mdr non jrigole", "enfin jsp"], Risk.ELEVATED),
])
def test_spread_danger_is_caught(triage: Triage, frags: list[str], level: Risk) -> None:
    res = triage.classify_burst(frags)
    assert res.risk is level, res.reasons
    # no single fragment carries the whole danger (except the last two cases)
    assert res.reasons


@pytest.mark.parametrize("frags", [
    ["ce soir je vais au ciné", "avec mes potes", "on a pris les places"],
    ["j'ai acheté des médocs pour ma grand-mère", "elle a la grippe", "je passe la voir ce soir"],
    ["jai un exam demain", "jvais le faire a fond", "jai revisé"],
    ["on a visité le pont du gard", "c'était trop beau", "demain on rentre"],
    ["slt", "je cherche un stage", "en boulangerie", "merci pour tout"],
    ["le train est en retard", "je vais rater mon rdv", "j'ai la rage"],
])
def test_unrelated_fragments_invent_no_risk(triage: Triage, frags: list[str]) -> None:
    res = triage.classify_burst(frags)
    assert res.risk is Risk.NONE, res.reasons


def test_burst_keeps_the_most_severe_single_fragment(triage: Triage) -> None:
    res = triage.classify_burst(["salut", "j'ai pris toute la boite de cachets", "mort de rire"])
    assert res.risk is Risk.IMMINENT


def test_burst_themes_cover_all_fragments(triage: Triage) -> None:
    res = triage.classify_burst(["je cherche un taf", "et un appart aussi"])
    assert {"emploi", "logement"} <= set(res.themes)


def test_far_apart_cues_do_not_combine(triage: Triage) -> None:
    filler = ["et sinon en cours on a fait de la physique et des maths toute la journée"] * 4
    frags = ["jvais le faire"] + filler + ["bref", "ma mère a des médicaments pour le dos"]
    assert triage.classify_burst(frags).risk is Risk.NONE


def test_single_fragment_burst_equals_classify(triage: Triage) -> None:
    assert triage.classify_burst(["jveux mourir"]) == triage.classify("jveux mourir")
