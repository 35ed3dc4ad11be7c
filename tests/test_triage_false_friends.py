"""Hyperbole and false friends must not raise alarms; real distress next to them still does."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage

# group -> sentences that must stay at risk none
NOT_RISK: dict[str, list[str]] = {
    "laughter": [
        "mort de rire",
        "jsuis mort de rire 😂",
        "je suis morte mdr",
        "tu me tues toi",
        "ptdr je meurs",
        "ça me tue ce délire",
    ],
    "exhaustion_and_intensity": [
        "je suis crevée",
        "je meurs de faim",
        "je vais mourir de honte",
        "mort de fatigue après le match",
        "je me tue à te le dire",
        "on joue aux cartes pour tuer le temps",
        "je m'ennuie à mourir en cours",
    ],
    "threat_hyperbole": [
        "ce prof va me tuer",
        "ma mère va me tuer si elle voit mes notes",
        "mon père va me tuer quand il va voir le bulletin",
        "ce contrôle va me tuer",
        "achevez moi j'ai 4h de maths",
    ],
    "performance": [
        "j'ai tué mon exam",
        "jai défoncé le controle de physique",
        "il a tout tué au concert",
        "c'était mortel la soirée",
    ],
    "idioms": [
        "ma soeur me tape sur les nerfs",
        "je me bats pour avoir mon bac",
        "j'ai sauté le repas de midi",
        "adieu les vacances",
        "j'ai donné mes vieux habits à une asso",
        "merci pour tout, bonne soirée",
        "c'est du suicide de sortir sans manteau",
        "je préfère mourir que de porter ça",
    ],
    "fiction": [
        "dans le film le héros se suicide à la fin",
        "j'ai regardé 13 reasons why, elle se suicide dans la série",
        "dans la série il la menace avec un couteau",
    ],
    "lyrics": [
        "j'écoute en boucle « je veux mourir » de ce rappeur",
        "le refrain dit je veux disparaître, trop beau ce son",
    ],
    "game": [
        "dans fortnite je me suis fait tuer",
        "sur gta il m'a tiré dessus",
        "dans le jeu ils m'attendent au spawn pour me tuer",
    ],
    "school_and_news": [
        "je fais un exposé sur le suicide des jeunes",
        "on a eu une intervention sur le harcèlement",
        "c'est quoi le numéro pour le harcèlement ?",
        "aux infos un ado s'est suicidé à cause du harcèlement",
    ],
    "sport": [
        "je me suis pris un coup de poing à la boxe",
        "j'ai des bleus partout après le match de rugby",
    ],
}


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


CASES = [(g, t) for g, items in NOT_RISK.items() for t in items]


@pytest.mark.parametrize("group,text", CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES])
def test_false_friend_is_not_risk(triage: Triage, group: str, text: str) -> None:
    res = triage.classify(text)
    assert res.risk is Risk.NONE, res.reasons


@pytest.mark.parametrize("text,level", [
    # the false friend is there, but so is real distress: the distress wins
    ("mort de rire mais sérieux des fois jveux mourir", Risk.ELEVATED),
    ("ma mère va me tuer si elle voit mes notes. et de toute façon je veux plus vivre", Risk.ELEVATED),
    ("j'ai regardé un film sur le suicide et depuis j'ai envie de me tuer", Risk.ELEVATED),
    ("dans la série elle se scarifie et moi aussi je me scarifie", Risk.ELEVATED),
    ("mon père me frappe, il va vraiment me tuer un jour", Risk.ELEVATED),
    ("j'ai envie de mourir mdr", Risk.ELEVATED),
    ("je fais un exposé sur le harcèlement mais en vrai c'est moi qu'on harcèle et je veux mourir", Risk.ELEVATED),
])
def test_distress_next_to_a_false_friend_is_kept(triage: Triage, text: str, level: Risk) -> None:
    assert triage.classify(text).risk is level


def test_discarded_risk_is_explained(triage: Triage) -> None:
    res = triage.classify("ma mère va me tuer si elle voit mes notes")
    assert any(r.startswith("écarté") for r in res.reasons)


def test_past_events_are_capped_not_dropped(triage: Triage) -> None:
    res = triage.classify("l'an dernier j'ai pris des medocs pour en finir, j'ai survécu")
    assert res.risk is Risk.ELEVATED
    assert any("passé" in r for r in res.reasons)
    assert triage.classify("j'ai pris des medocs pour en finir").risk is Risk.IMMINENT
