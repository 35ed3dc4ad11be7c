"""Risk families one by one (safety-critical), negation, and the combination rules."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage

E, I, N = Risk.ELEVATED, Risk.IMMINENT, Risk.NONE

# family -> sentences that must reach at least / exactly the level
FAMILY_CASES: dict[str, list[tuple[str, Risk]]] = {
    "suicide_ideation": [
        ("jveux mourir", E),
        ("j'ai envie de me suicider", E),
        ("je pense au suicide", E),
        ("j'ai des pensées suicidaires", E),
        ("envie d'en finir", E),
        ("jvoudrais plus vivre", E),
    ],
    "suicide_indirect": [
        ("je veux dormir et plus me réveiller", E),
        ("tout le monde serait mieux sans moi", E),
        ("je suis un fardeau pour ma famille", E),
        ("ça sert à rien de vivre", E),
        ("personne remarquerait si je disparaissais", E),
        ("marre de la vie", E),
        ("je veux juste que tout s'arrête", E),
        ("je vais pas tenir", E),
    ],
    "suicide_method": [
        ("combien de cachets faut prendre pour mourir", E),
        ("c'est quoi la dose mortelle de doliprane", E),
        ("j'ai pensé à sauter du pont", E),
        ("des fois je pense à me jeter sous un train", E),
        ("comment se pendre", E),
    ],
    "farewell": [
        ("j'ai donné toutes mes affaires", E),
        ("j'ai écrit une lettre d'adieu", E),
    ],
    "farewell_final": [
        ("adieu à tous", I),
        ("c'est mon dernier message", I),
        ("dites à ma mère que je l'aime", I),
        ("prenez soin de maman", I),
    ],
    "overdose_taken": [
        ("j'ai pris toute la boite de doliprane", I),
        ("jai avalé 30 cachets", I),
        ("je viens d'avaler tous mes médocs", I),
        ("j'ai bu de la javel", I),
    ],
    "suicide_in_progress": [
        ("je suis sur le toit de l'immeuble", I),
        ("la corde est prête", I),
        ("jvais sauter maintenant", I),
    ],
    "self_harm": [
        ("je me scarifie", E),
        ("j'ai recommencé à me couper les bras", E),
        ("je me fais du mal", E),
        ("j'ai des cicatrices sur les poignets", E),
        ("envie de me faire du mal", E),
    ],
    "self_harm_relapse": [
        ("j'avais arrêté mais j'ai rechuté, je me suis recoupée hier", E),
        ("j'ai recommencé à me scarifier", E),
    ],
    "self_harm_now": [
        ("je saigne beaucoup", I),
        ("ça s'arrête pas de saigner", I),
        ("je viens de me couper c'est trop profond", I),
    ],
    "abuse": [
        ("mon père me frappe", E),
        ("ma mère m'a giflé hier", E),
        ("mon beau-père me frappe quand il a bu", E),
        ("ils me donnent pas à manger", E),
        ("j'ai peur de rentrer chez moi", E),
        ("il frappe ma mère", E),
    ],
    "sexual_violence": [
        ("il vient dans ma chambre la nuit", E),
        ("mon oncle me touche", E),
        ("c'est notre secret il dit", E),
        ("j'ai été violée", E),
        ("il m'oblige à le toucher", E),
        ("il a continué alors que je disais non", E),
    ],
    "sextortion": [
        ("il menace de publier mes nudes", E),
        ("elle veut 300 euros sinon elle envoie mes photos à tout le monde", E),
        ("mes nudes tournent dans tout le lycée", E),
    ],
    "threat": [
        ("ils m'ont menacé de mort", E),
        ("ils vont me tabasser à la sortie", E),
        ("on m'attendait devant le collège hier", E),
    ],
    "violence_now": [
        ("il est en train de me frapper", I),
        ("au secours il arrive", I),
        ("je suis enfermée dans la salle de bain il frappe à la porte", I),
    ],
    "weapon": [
        ("il a sorti un couteau", I),
        ("il m'a menacé avec un couteau", I),
    ],
    "homeless_minor": [
        ("je dors dehors ce soir", E),
        ("mes parents m'ont mis à la porte", E),
        ("je sais pas où dormir", E),
        ("j'ai fugué", E),
    ],
    "grooming": [
        ("un adulte sur discord veut que je le rejoigne, il me paye le train", E),
        ("un prof m'envoie des messages le soir en me disant que je suis belle", E),
        ("il me demande de supprimer nos messages", E),
    ],
    "means_ready": [
        ("j'ai préparé les cachets", E),
        ("j'ai la corde", E),
    ],
    "alarm_death": [
        ("parfois j'ai envie de partir pour toujours", E),
        ("je pense a ma mort", E),
    ],
    "alarm_self_harm": [
        ("j'ai des cicatrices partout sur les cuisses", E),
        ("la douleur ça me soulage", E),
    ],
    "alarm_violence": [
        ("il m'a bousculée et j'ai des bleus", E),
        ("j'ai peur de lui quand il rentre", E),
    ],
    "alarm_sexual": [
        ("il me tripote quand personne regarde", E),
        ("je suis mal à l'aise quand il me fait des câlins", E),
    ],
    "alarm_home": [
        ("j'ai fugué hier", E),
        ("mes parents me donnent pas à manger", E),
    ],
    "medical_emergency": [
        ("mon frère est tombé dans les pommes il respire mal", I),
        ("ma copine a bu de la javel", I),
    ],
    "alarm_help": [
        ("au secours", E),
    ],
    "third_party": [
        ("ma pote veut se suicider", E),
        ("mon ami se scarifie les bras", E),
        ("ma soeur parle de mourir", E),
    ],
    "third_party_now": [
        ("ma copine a pris toute une boite de médocs", I),
        ("elle respire plus", I),
    ],
    "silencing_threat": [
        ("si tu parles on brule ta baraque", E),
        ("elle m'a dit qu'ils me tabassent si je previens la police", E),
    ],
    "emotional_abuse": [
        ("ma daronne me repete que j'aurais jamais du naitre", E),
        ("ils regrettent de m'avoir adoptée", E),
    ],
    "humiliation_video": [
        ("ils m'ont filmé tout nu aux vestiaires et c'est sur tiktok", E),
        ("ils m'ont attaché a un poteau dans la cour", E),
    ],
    "betise_intent": [
        ("je sens que je vais faire une connerie", E),
        ("jai peur de faire une grosse betise", E),
        ("je sens que je vais faire une connerie cette nuit", I),
    ],
}


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


CASES = [(fam, text, lvl) for fam, items in FAMILY_CASES.items() for text, lvl in items]


@pytest.mark.parametrize("family,text,level", CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES])
def test_family(triage: Triage, family: str, text: str, level: Risk) -> None:
    res = triage.classify(text)
    assert res.risk is level, res.reasons
    assert res.risk_families


def test_every_alarm_family_is_covered_by_a_test(triage: Triage) -> None:
    alarm = {n for n, f in triage.lexicon.families.items() if f.level != "none"}
    pattern_families = {p.meta.get("family") for p in triage.lexicon.patterns.patterns}
    untested = (alarm & pattern_families) - set(FAMILY_CASES) - {
        "death_ambiguous", "suicide_mention", "suicide_intent", "weapon_self",
        "words_death", "words_self_harm", "words_abuse", "words_sexual"}
    assert not untested


@pytest.mark.parametrize("text", [
    "je veux pas mourir mais je veux que ça s'arrête",
    "jveux pas mourir",
    "je vais pas me suicider t'inquiète",
    "j'ai jamais pensé à me tuer... enfin si des fois",
    "je me scarifie pas, plus maintenant",
])
def test_negation_never_removes_risk(triage: Triage, text: str) -> None:
    assert triage.classify(text).risk is not Risk.NONE


def test_negation_caps_imminent_at_elevated(triage: Triage) -> None:
    assert triage.classify("je vais me tuer ce soir").risk is Risk.IMMINENT
    res = triage.classify("je vais pas me tuer ce soir")
    assert res.risk is Risk.ELEVATED
    assert any("négation" in r for r in res.reasons)


def test_a_negation_in_another_clause_is_not_one(triage: Triage) -> None:
    # Educators read the reasons: "pas" belongs to "chui pas bien", not to the wish to die.
    res = triage.classify("chui pas bien jveux mourir")
    assert res.risk is not Risk.NONE
    assert not any("négation" in r for r in res.reasons), res.reasons
    assert triage.classify("chui pas bien jveux mourir ce soir").risk is Risk.IMMINENT


def test_negated_cue_does_not_combine(triage: Triage) -> None:
    assert triage.classify("jvais le faire, jai les medocs").risk is not Risk.NONE
    assert triage.classify("jai pas de medocs chez moi").risk is Risk.NONE


def test_time_marker_lifts_ideation_to_imminent(triage: Triage) -> None:
    assert triage.classify("j'ai envie de mourir").risk is Risk.ELEVATED
    assert triage.classify("ce soir j'ai envie d'en finir").risk is Risk.IMMINENT
    assert triage.classify("je vais me tuer demain").risk is Risk.IMMINENT
    res = triage.classify("je vais le faire cette nuit j'ai la corde")
    assert res.risk is Risk.IMMINENT
    assert "time_now" in res.risk_families and "means" in res.risk_families


def test_means_alone_is_not_risk(triage: Triage) -> None:
    for text in ("le train est en retard", "j'ai pris un doliprane pour ma migraine",
                 "on a marché sur le pont des arts", "ce soir je vais au cinéma",
                 "je prends la corde à sauter pour le sport"):
        assert triage.classify(text).risk is Risk.NONE, text


def test_when_in_doubt_elevated(triage: Triage) -> None:
    for text in ("des fois je pense à la mort", "j'ai des idées noires", "jvais faire une bêtise",
                 "je me sens vide, plus envie de rien, envie de mourir"):
        assert triage.classify(text).risk is not Risk.NONE, text


@pytest.mark.parametrize("text", [
    "la lame, mes bras, le sang, ça me soulage",
    "mon oncle, la nuit, dans ma chambre, c'est notre secret",
])
def test_bags_of_alarm_words_catch_unforeseen_wordings(triage: Triage, text: str) -> None:
    res = triage.classify(text)
    assert res.risk is not Risk.NONE
    assert any("mots d'alerte" in r or r.startswith("risque") for r in res.reasons)


def test_one_alarm_word_alone_is_not_enough(triage: Triage) -> None:
    for text in ("j'ai mal au bras", "le train est en retard", "je suis seule ce soir",
                 "ma mère crie souvent", "il fait nuit", "j'ai vu mon oncle"):
        assert triage.classify(text).risk is Risk.NONE, text
