"""Theme detection beyond the exact wordings of the lexicons: everyday words of each domain,
what is said to be fine is background, and the learned theme scorer (bot/triage/theme_model.py)
that adds a theme the lexicons missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.triage import Triage
from bot.triage.lexicon import default_config_dir
from bot.triage.normalize import SENTENCE_BREAK
from bot.triage.theme_model import Background, ThemeModel, features, load_theme_model


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


# (message, a theme it must have, a theme it must not have or None)
VOCABULARY = [
    ("on est 5 dans un f2 depuis que mon oncle est arrivé", "logement", None),
    ("on ma proposé detre guetteur en bas de la tour", "justice", None),
    ("mon cousin a pris 2 ans ferme", "justice", None),
    ("jai eu un rappel a la loi pour un graff", "justice", None),
    ("je sais pas si jsuis une fille ou un garcon", "sexualite", None),
    ("le prof de sport me fait des remarques devant tout le monde", "scolarite_formation",
     "loisirs_engagement"),
    ("ils m'appellent la baleine dans le bus", "violences", None),
    ("ils rigolent tous quand je passe dans le couloir", "violences", None),
    ("ma reum refait sa vie avec un mec que je supporte pas", "famille", None),
    ("je joue dans une fanfare le samedi", "loisirs_engagement", None),
    ("on a rien pour finir le mois", "droits_argent", None),
    ("tout me saoule et jarrive plus a rien faire", "sante_mentale", None),
    ("jsors plus de ma chambre depuis des semaines", "sante_mentale", None),
    ("je dors chez un pote depuis 3 semaines", "logement", None),
    # ordinary words that are not the theme
    ("ahah trop bien ton msg", None, "addictions"),  # "lol" was read as the game
    ("jai pas touché ma bourse ce mois ci", "droits_argent", "violences"),
    ("je tise tous les weekends, mes potes disent que jabuse", "addictions", "violences"),
    ("le week end je fais livreur pour arrondir les fins de mois", "emploi", "loisirs_engagement"),
    ("jai un rdv chez la psy du cmp jeudi", "sante_mentale", "sante"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY, ids=[v[0][:40] for v in VOCABULARY])
def test_everyday_vocabulary(triage: Triage, text: str, wanted: str | None,
                             unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


def test_what_is_said_to_be_fine_is_background(triage: Triage) -> None:
    text = ("coucou, les cours ca va, jai eu mon code, mes parents sont contents. mais le soir "
            "jpleure sans raison pendant des heures")
    res = triage.classify(text)
    assert res.themes == ("sante_mentale",), res.reasons
    res = triage.classify("je suis en bts, ca se passe bien. par contre mon proprio veut me "
                          "mettre dehors dans 2 mois")
    assert res.themes[0] == "logement" and "scolarite_formation" not in res.themes


def test_background_needs_something_else_said(triage: Triage) -> None:
    # nothing comes after the marker: the message is about the internship
    assert "emploi" in triage.classify("mon stage ca se passe bien merci").themes
    # "ça va pas" is no background
    res = triage.classify("les cours ca va pas du tout, et jai plus de thune")
    assert "scolarite_formation" in res.themes


def test_background_cut_stops_at_the_clause(triage: Triage) -> None:
    bg = triage.lexicon.background
    assert isinstance(bg, Background)
    norm = triage.lexicon.normalizer.normalize("les cours ca va, mais jai plus de thune")
    cut = bg.cut(norm)
    assert norm.tokens[cut] == "va"  # the clause ends at the comma
    norm = triage.lexicon.normalizer.normalize("tout roule sauf que mon proprio me vire")
    assert norm.tokens[bg.cut(norm)] == "roule"
    norm = triage.lexicon.normalizer.normalize("ca va pas du tout")
    assert bg.cut(norm) == -1


def test_features_are_words_and_pairs_within_a_sentence() -> None:
    feats = [f for f, _i, _n in features(("je", "cherche", "un", "taf", SENTENCE_BREAK, "stp"))]
    assert "cherche" in feats and "taf" in feats and "je cherche" in feats
    assert "je" not in feats and "un" not in feats  # stop words only inside pairs
    assert "taf stp" not in feats and ". stp" not in feats  # no pair across sentences
    assert "stp" in feats


def _model(only_when_empty: bool = False) -> ThemeModel:
    return ThemeModel(
        bias={"logement": -2.0, "emploi": -2.0},
        threshold={"logement": 0.5, "emploi": 0.5},
        weights={"proprio": (("logement", 2.0),), "dehors": (("logement", 1.0),),
                 "patron": (("emploi", 4.0),), "mdr": (("logement", -5.0),)},
        only_when_empty=only_when_empty)


def test_theme_model_adds_the_missing_theme_with_its_words() -> None:
    m = _model()
    toks = ("mon", "proprio", "me", "met", "dehors")
    found = m.extra_themes(toks, [], 2)
    assert [t for t, _ in found] == ["logement"]
    spans = found[0][1]
    assert (1, 1) in spans and (4, 4) in spans  # "proprio", "dehors": heaviest first
    assert spans[0] == (1, 1)
    # under its threshold, or already chosen, or no room: nothing
    assert m.extra_themes(("mon", "proprio"), [], 2) == []
    assert m.extra_themes(toks, ["logement"], 2) == []
    assert m.extra_themes(toks, ["famille", "violences"], 0) == []
    # a negative word pulls the score down
    assert m.extra_themes(toks + ("mdr",), [], 2) == []


def test_theme_model_only_when_empty() -> None:
    m = _model(only_when_empty=True)
    toks = ("mon", "patron", "et", "mon", "proprio", "dehors")
    assert m.extra_themes(toks, ["famille"], 1) == []
    assert {t for t, _ in m.extra_themes(toks, [], 1)} == {"emploi"}  # the best margin first


def test_theme_model_file_is_checked(tmp_path: Path) -> None:
    import yaml

    f = tmp_path / "learned_themes.yaml"
    f.write_text(yaml.safe_dump({"themes": {
        "logement": {"bias": -1.0, "threshold": 0.5, "weights": {"proprio": 2.0}},
        "emploi": {"threshold": None}}}), encoding="utf-8")
    m = load_theme_model(f, ["logement", "emploi"], lambda p: yaml.safe_load(p.read_text()))
    assert m is not None and set(m.threshold) == {"logement"}
    assert m.weights["proprio"] == (("logement", 2.0),)
    with pytest.raises(ValueError):
        load_theme_model(f, ["emploi"], lambda p: yaml.safe_load(p.read_text()))
    assert load_theme_model(tmp_path / "absent.yaml", ["emploi"], None) is None


def test_learned_theme_reason_names_the_words(triage: Triage) -> None:
    if triage.lexicon.theme_model is None:
        pytest.skip("no learned_themes.yaml")
    # every theme the scorer adds comes with quoted words of the message
    for text in ("on est 6 dans 2 pieces avec mes freres", "jai plus de quoi acheter a manger"):
        res = triage.classify(text)
        for r in res.reasons:
            if r.endswith("(mots proches des exemples)"):
                assert '"' in r and r.startswith("thème ")


def test_generated_file_location() -> None:
    # the scorer is optional; when present it sits with the other lexicons
    f = default_config_dir() / "learned_themes.yaml"
    if f.exists():
        assert "GENERATED" in f.read_text(encoding="utf-8").splitlines()[0]


def test_a_sentence_opening_on_a_turn_leaves_the_intro_as_background(triage: Triage) -> None:
    text = ("salut, jsuis en premiere, jai des bonnes notes, je fais du hand le samedi. mais le "
            "truc cest que depuis des mois je fume un joint tous les soirs")
    res = triage.classify(text)
    assert res.themes == ("addictions",), res.reasons
    # a "mais" inside the sentence is no turn: both topics stay
    res = triage.classify("jai un entretien pour un job demain mais jai pas de voiture pour y aller")
    assert "emploi" in res.themes and "mobilite" in res.themes
    # a short message is not cut either
    res = triage.classify("jsuis en terminale. mais jai plus de thune")
    assert "scolarite_formation" in res.themes


VOCABULARY_3 = [
    ("jcogite toute la nuit", "sante_mentale"),
    ("je me compare tout le temps aux autres sur insta", "sante_mentale"),
    ("jai toujours l'impression que les gens me jugent", "sante_mentale"),
    ("jai pas d'attirance pour personne", "sexualite"),
    ("quand il s'enerve ca laisse des marques", "violences"),
    ("ils filment et mettent ca sur snap", "violences"),
    ("jai un entretien chez carrefour", "emploi"),
    ("le gerant me paye en liquide", "emploi"),
    ("jai decroché en fevrier, je veux reprendre un cursus", "scolarite_formation"),
    ("mes regles sont hyper douloureuses", "sante"),
    ("je suis convoqué en audition libre", "justice"),
    ("ma mob est en panne", "mobilite"),
]


@pytest.mark.parametrize("text,theme", VOCABULARY_3, ids=[v[0][:40] for v in VOCABULARY_3])
def test_everyday_vocabulary_3(triage: Triage, text: str, theme: str) -> None:
    assert theme in triage.classify(text).themes


def test_quitting_school_is_not_heartbreak(triage: Triage) -> None:
    assert "sante_mentale" not in triage.classify("jveux quitter le lycee en fin d'annee").themes
    assert "addictions" not in triage.classify("jai decroché du lycee en janvier").themes


VOCABULARY_4 = [
    ("jsuis dans la hess, plus de quoi faire le plein", "droits_argent", None),
    ("je me suis fait arnaquer sur leboncoin", "droits_argent", None),
    ("la bac ma controlé hier soir", "justice", "scolarite_formation"),
    ("on me propose de bicrave", "justice", None),
    ("jai pris un flash, je perds combien de points", "justice", None),
    ("la mif veut pas que je sorte avec lui", "famille", None),
    ("je garde mes 2 petites soeurs tous les soirs", "famille", None),
    ("jbois 3 red bull par jour sinon jtiens pas", "addictions", None),
    ("jpasse 7h d'affilée sur la play", "addictions", None),
    ("je fais tout en pilote automatique", "sante_mentale", None),
    ("jarrive plus a rigoler avec mes potes", "sante_mentale", None),
    ("jai peur de passer a l'oral", "scolarite_formation", None),
    ("on ma proposé un poste de nuit", "emploi", None),
    ("jcrois que jai la chaude pisse", "sexualite", None),
    ("le vigile me suit partout parce que je suis noir", "violences", None),
    ("on cherche une salle de repet pour notre groupe de rock", "loisirs_engagement", None),
    # "c'est une arnaque" is an opinion, "ça va d'avoir mal" is no homework
    ("le code en ligne c une arnaque?", None, "droits_argent"),
    ("cest normal davoir mal au ventre", None, "scolarite_formation"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_4, ids=[v[0][:40] for v in VOCABULARY_4])
def test_everyday_vocabulary_4(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


VOCABULARY_5 = [
    ("jai limpression que ma tete va exploser", "sante_mentale", None),
    ("je suis comme eteinte", "sante_mentale", None),
    ("je me fais vomir apres chaque repas", "sante_mentale", None),
    ("mon crush est une fille et jsuis une fille", "sexualite", None),
    ("ils ont fait un groupe contre moi", "violences", None),
    ("ils partagent des montages de ma tete", "violences", None),
    ("jai fait un bad trip samedi", "addictions", "sante_mentale"),
    ("on doit 3 mois de loyer", "droits_argent", None),
    ("je peux pas payer mon loyer ce mois ci", "logement", "emploi"),
    ("ya des prepas pour le concours infirmier?", "scolarite_formation", "sante"),
    # a fight is not a high
    ("jme suis fait defoncer au ping pong", None, "addictions"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_5, ids=[v[0][:40] for v in VOCABULARY_5])
def test_everyday_vocabulary_5(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


def test_theme_words_do_not_change_risk_spelling(triage: Triage) -> None:
    # a plural added to the theme lexicons once stopped "montages" being read as "montage"
    assert triage.classify("mon ex a fait des montages porno avec ma tete").risk.value != "none"


def test_the_theme_of_a_risk_found_comes_first(triage: Triage) -> None:
    # an ordinary request first, the danger second: the danger's theme is kept and listed first
    res = triage.classify("Bonsoir, je voulais savoir pour les aides pour le permis. Aussi mon "
                          "copain regarde mon telephone et il m'a deja poussée contre un mur.")
    assert res.risk.value != "none"
    assert res.themes[0] == "violences", res.reasons


VOCABULARY_6 = [
    ("jme suis mis minable samedi", "addictions", None),
    ("mon pote risque quoi pour avoir frappé un controleur", "justice", None),
    ("jsais pas ou je vais vivre", "logement", None),
    ("jai bu de la javel", "sante", None),
    ("je me suis fait piquer par une tique", "sante", None),
    ("jarrive plus a me regarder dans le miroir", "sante_mentale", None),
    ("ils me mettent la tete dans les toilettes", "violences", None),
    ("ma mere me dit que je suis une grosse vache", "violences", None),
    ("personne ma expliqué mon poste", "emploi", None),
    ("ma soeur me manque grave", None, "addictions"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_6, ids=[v[0][:40] for v in VOCABULARY_6])
def test_everyday_vocabulary_6(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


SWEEP = [
    ("je fais les saisons l'ete", "emploi"), ("jsuis vendeuse chez zara", "emploi"),
    ("cest quoi une rupture conventionnelle", "emploi"), ("jai une mission en usine", "emploi"),
    ("voie pro ou generale apres la 3e", "scolarite_formation"),
    ("mon emploi du temps est chargé", "scolarite_formation"),
    ("je vis dans ma voiture", "logement"), ("je me suis brulé la main", "sante"),
    ("jai le cafard", "sante_mentale"), ("je suis a plat", "sante_mentale"),
    ("jai trop bu hier", "addictions"), ("jai ete arrete", "justice"),
    ("je vais chez les scouts", "loisirs_engagement"), ("je suis papa", "famille"),
    ("je galere avec l'argent", "droits_argent"),
]


@pytest.mark.parametrize("text,theme", SWEEP, ids=[v[0][:40] for v in SWEEP])
def test_everyday_words_of_each_domain(triage: Triage, text: str, theme: str) -> None:
    assert theme in triage.classify(text).themes


def test_family_tension_is_not_blood_pressure(triage: Triage) -> None:
    assert "sante" not in triage.classify("ya trop de tension a la maison").themes


VOCABULARY_7 = [
    ("jai droit a une gratification de stage?", "emploi", None),
    ("mon cfa dit que jai pas encore d'entreprise", "emploi", None),
    ("jsuis etudiant etranger", "scolarite_formation", "loisirs_engagement"),
    ("je galere a payer l'electricité", "logement", None),
    ("jai les yeux tout rouges et ca pique", "sante", None),
    ("jai plus eu mes regles depuis 4 mois", "sante", None),
    ("jfais que dormir et jsuis toujours KO", "sante_mentale", None),
    ("ca me mine depuis des semaines", "sante_mentale", None),
    ("jarrive pas a decrocher de tiktok", "addictions", None),
    ("ya une carte solidaire pour le bus?", "mobilite", "loisirs_engagement"),
    ("ya des cours de danse gratuits?", "loisirs_engagement", "scolarite_formation"),
    ("le juge aux affaires familiales decide de ma garde", "famille", None),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_7, ids=[v[0][:40] for v in VOCABULARY_7])
def test_everyday_vocabulary_7(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


VOCABULARY_8 = [
    ("jsuis tjr tout seul a la recre", "sante_mentale", None),
    ("elle ma lancé une chaussure a la tete", "violences", None),
    ("a la maison je suis la bonne, mes freres font rien", "famille", None),
    ("ils veulent que jaie la mention tres bien", "scolarite_formation", None),
    ("jai fait une crise en plein controle", "scolarite_formation", None),
    ("ils proposent un poste de vendeur", "emploi", None),
    ("ma cicatrice sest infectée", "sante", None),
    ("on prend des taz en festival", "addictions", None),
    ("jai claqué 200 en skins ce mois", "addictions", None),
    ("mon daron se met mine tous les soirs", "addictions", None),
    ("la caf fait une revision de mes droits", "droits_argent", "scolarite_formation"),
    ("on a fini au poste de police", "justice", "emploi"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_8, ids=[v[0][:40] for v in VOCABULARY_8])
def test_everyday_vocabulary_8(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


def test_learned_reasons_skip_words_that_say_nothing() -> None:
    from bot.triage.theme_model import STOP
    for w in ("eu", "fait", "apres", "genre", "truc"):
        assert w in STOP


VOCABULARY_9 = [
    ("le boulanger veut bien me prendre en apprentissage", "emploi", None),
    ("ils veulent un essai non payé de 3 jours", "emploi", None),
    ("je vais au travail la boule au ventre", "emploi", None),
    ("je vais aux prud'hommes contre mon patron", "justice", None),
    ("jarrive pas a faire le deuil de ma relation", "sante_mentale", "famille"),
    ("je verifie la porte 20 fois par soir", "sante_mentale", None),
    ("je me sens jamais assez bien", "sante_mentale", None),
    ("il veut qu'on filme quand on le fait", "sexualite", None),
    ("elle a posté que jsuis une salope", "violences", None),
    ("jai des dettes de paris", "addictions", None),
    ("ma grand mere ma elevée", "famille", None),
    ("mes parents se disputent pour ma garde", "famille", None),
    ("jsuis sur liste d'attente pour un studio", "logement", "loisirs_engagement"),
    ("je peux le repasser en candidat libre?", "scolarite_formation", "emploi"),
    # "garde a vue", "rien me touche", "je cours": no family, no abuse, no school
    ("ils ont gardé mon tel apres ma garde a vue", "justice", "famille"),
    ("jai limpression que rien me touche", None, "violences"),
    ("jai mal a la poitrine quand je cours", "sante", "scolarite_formation"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_9, ids=[v[0][:40] for v in VOCABULARY_9])
def test_everyday_vocabulary_9(triage: Triage, text: str, wanted: str | None,
                               unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


VOCABULARY_10 = [
    ("il raconte a tout le lycee que jsuis facile", "violences", None),
    ("jai du sang dans les selles", "sante", None),
    ("mon pere a fait un infarctus", "sante", None),
    ("on veut creer une web radio", "loisirs_engagement", "sante"),
    ("on part en interrail cet ete", "mobilite", None),
    ("jai un doute sur mon orientation, jsuis attiré par les garcons", "sexualite",
     "scolarite_formation"),
    # SMS collisions: "avc" is written for "avec", flashbacks are no speed camera,
    # being lost at university is no break-up
    ("je m'embrouille avec ma soeur", "famille", "sante"),
    ("jai des flashs de ce qui mest arrivé", "sante_mentale", "justice"),
    ("jsuis en licence et jsuis completement largué", "scolarite_formation", "sante_mentale"),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_10,
                         ids=[v[0][:40] for v in VOCABULARY_10])
def test_everyday_vocabulary_10(triage: Triage, text: str, wanted: str | None,
                                unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons


VOCABULARY_11 = [
    ("ils veulent me payer en tickets resto", "emploi", "mobilite"),
    ("je me suis fait mal au dos au taf", "emploi", None),
    ("on vit a 5 dans un 2 pieces", "logement", None),
    ("ou me faire vacciner gratuitement", "sante", None),
    ("c'est normal d'avoir mal pendant le rapport?", "sexualite", None),
]


@pytest.mark.parametrize("text,wanted,unwanted", VOCABULARY_11,
                         ids=[v[0][:40] for v in VOCABULARY_11])
def test_everyday_vocabulary_11(triage: Triage, text: str, wanted: str | None,
                                unwanted: str | None) -> None:
    res = triage.classify(text)
    if wanted:
        assert wanted in res.themes, res.reasons
    if unwanted:
        assert unwanted not in res.themes, res.reasons
