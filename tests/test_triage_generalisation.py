"""Wordings the lexicons must generalise to: indirect and misspelt ideation, methods without the
word "suicide", self-harm kept hidden, abuse disclosed softly, threats, minors in danger, and the
imminent forms (means at hand, tonight, at the place, taken already). Each line is the level an
educator would need. False friends that must stay "none" are at the bottom."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage

E, I, N = Risk.ELEVATED, Risk.IMMINENT, Risk.NONE

CASES: list[tuple[str, Risk]] = [
    # indirect ideation, SMS and phonetic spellings
    ("franchement jsuis pas sur de vouloir encore etre la l'année prochaine", E),
    ("jaimerais m'endormir et que ce soit fini", E),
    ("g limpression que ma place est pas sur terre", E),
    ("ca me ferait rien de mourir demain tbh", E),
    ("mm ma mere serait soulagée si jcrevais", E),
    ("g pas envie de voir mes 18 ans", E),
    ("perssone me kalcule jsui invizible autan disparetre", E),
    ("ya person ki me retien ici", E),
    ("jen pe plu de cet vi de merde", E),
    ("jme dis que si jetais pas née tout le monde aurait été plus heureux", E),
    ("je me sens comme un fardeau, ils meritent mieux qu'un fils comme moi", E),
    ("parfois je voudrais juste ne jamais avoir existé", E),
    ("si je pouvais appuyer sur un bouton pour plus exister je le ferais", E),
    ("j'envie les gens qui sont morts", E),
    ("parfois en traversant je ralentis expres en esperant qu'une voiture arrive", E),
    ("tkt pas pour moi bientot jvous embeterai plus", E),
    ("jveux caner sérieux", E),
    ("i want to die fr, jpp de cette vie", E),
    ("kms jsuis trop nulle", E),
    # negation that keeps the risk
    ("je vais pas me suicider t'inquiete, c'est juste que j'y pense beaucoup", E),
    ("je veux pas me tuer hein, je veux juste plus me reveiller", E),
    # farewell, belongings, letters
    ("jai fait une liste de qui aura quoi quand je serai parti", E),
    ("jai commencé a ecrire des lettres pour ma famille au cas ou", E),
    ("j'ai rendu tous les trucs qu'on m'avait prêtés et j'ai dit pardon a tout le monde", E),
    # methods without the word suicide
    ("jai regardé sur internet quels medocs sont dangereux a haute dose", E),
    ("combien de cachets de lexomil il faudrait", E),
    ("si je saute du 8e ca passe ?", E),
    ("ya un pont pas loin de chez moi je passe devant et j'y pense a chaque fois", E),
    ("jstock mes medocs depuis un mois dans ma chambre", E),
    ("c'est quoi la facon la plus rapide de partir", E),
    # self-harm
    ("hier soir j'ai recraqué avec la lame du taille crayon", E),
    ("je porte des manches longues meme en ete a cause de mes bras", E),
    ("g des traces sur les bras que jcache a tout le monde", E),
    ("je me coupe plus mais je me brule avec le briquet maintenant", E),
    ("mes bras sont couverts de traits, je porte des pulls en juin", E),
    ("j'ai refait du sh hier soir, mes cuts sont encore frais", E),
    # abuse, neglect, sexual violence disclosed softly
    ("chez moi ca crie tout le temps et mon beauf tape ma mere", E),
    ("mon onkl me touch kan ma mer é pa la", E),
    ("il m'a pas vraiment forcée mais j'avais dit non plusieurs fois", E),
    ("je suis pas sure d'avoir été d'accord cette nuit la, j'étais trop bourrée", E),
    ("il a profité que je dorme pour me toucher", E),
    ("mon grand pere m'emmene dans le garage et me demande de garder ca pour nous", E),
    ("le coach veut que je reste apres l'entrainement seule avec lui dans le vestiaire", E),
    ("jai 13 ans et ma mere part des jours entiers, jai rien a manger", E),
    ("mes parents veulent me marier cet ete au pays avec un homme que je connais pas", E),
    ("ya une photo de moi en train de me changer qui circule sur le groupe de la classe", E),
    ("il me dit qu'il postera la video si je couche pas avec lui", E),
    # threats, harassment with threats, runaway minors
    ("on m'a écrit que j'allais finir six pieds sous terre", E),
    ("ils m'ecrivent kys tous les jours sur insta", E),
    ("il m'a ecrit qu'il allait bruler ma maison", E),
    ("ma mer ma mi a la porte jé 15an", E),
    # an information request does not hide a disclosure further on
    ("salut ! je voudrais des infos sur le service civique, et aussi, je sais pas si c'est grave "
     "mais mon beau pere me frappe quand il boit. merci", E),
    # imminent
    ("jai la corde dans mon sac et je suis dans la foret", I),
    ("jai bu une demi bouteille de vodka avec mes antidépresseurs", I),
    ("jvien d'avaler toute la plaquette de ma mere jsais pas pk", I),
    ("c mon dernier soir, jvous aime tous", I),
    ("jattends que mes parents dorment pour prendre les medocs", I),
    ("mes parents dorment, c'est le moment, j'ai les cachets", I),
    ("ok. ce soir. la corde.", I),
    ("je viens de laisser une lettre sur mon lit, je pars", I),
    ("jai 3 boites de doliprane devant moi et j'ai plus peur", I),
    ("jsuis su le toi jvai sauté", I),
    ("je suis en haut du parking et j'ai envie de sauter", I),
    ("plus que quelques heures et je serai libre pour toujours", I),
    ("j'ai melangé alcool et cachets et je me sens tres mal", I),
    ("mon pote a pris je sais pas quoi en soiree, il est par terre et il bave", I),
    ("ma soeur m'a envoyé une photo de sa boite de medocs vide avec ecrit desolée", I),
    ("le mec veut que je vienne chez lui ce soir, il a 26 ans et moi 14, il vient me chercher", I),
    ("je me suis ouvert les veines, il y a du sang partout dans la salle de bain", I),
]

FALSE_FRIENDS = [
    "dans le film le heros saute du pont a la fin c'etait ouf",
    "je suis en train de me noyer sous les devoirs",
    "j'ai acheté une corde pour l'escalade, elle etait pas chere",
    "je veux disparaitre sous ma couette tellement jai honte mdr",
    "c'est ma derniere journée de stage, trop triste de partir",
    "j'ai plus de batterie je vais mourir",
    "jai un couteau suisse pour le camping, c'est autorisé dans le train ?",
    "je me suis fait tabasser au basket, on a perdu 80 a 20",
    "mon prof m'a dit que j'allais me planter au bac si je bossais pas",
    "jai acheté des lames pour mon rasoir, c'est combien chez vous",
    "le rappeur a sorti un son qui s'appelle je veux mourir, il est trop bien",
    "je me suis pendue au telephone avec ma pote pendant 3h",
    "je suis tombée de vélo, j'ai le genou en sang mais ca va",
    "j'ai failli m'etouffer de rire",
    "mon petit frere m'a tapé avec sa peluche lol",
    "je me suis fait mal au dos en portant des cartons",
    "dans le jeu on doit sauter du toit pour finir le niveau",
    "je voudrais disparaitre de tiktok, trop de haters mdr",
    "j'ai fait un malaise en sport, le medecin dit que c'est rien",
    "je passe sur le pont tous les matins pour aller au taf",
    "ptdr ce prof va me tuer si je rends pas le devoir",
    "je meurs de faim, on mange quoi au self",
]


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


@pytest.mark.parametrize("text,level", CASES, ids=[c[0][:40] for c in CASES])
def test_generalised_wording(triage: Triage, text: str, level: Risk) -> None:
    res = triage.classify(text)
    assert res.risk is level, res.reasons
    assert any(r.startswith("risque") for r in res.reasons)  # the reason is kept


@pytest.mark.parametrize("text", FALSE_FRIENDS, ids=[t[:40] for t in FALSE_FRIENDS])
def test_false_friend_stays_none(triage: Triage, text: str) -> None:
    res = triage.classify(text)
    assert res.risk is Risk.NONE, res.reasons


def test_phonetic_spellings_are_read_as_words(triage: Triage) -> None:
    norm = triage.lexicon.normalizer
    assert norm.normalize("ma mer ma mi a la porte").tokens[:2] == ("ma", "mere")
    assert "nuit" in norm.normalize("il vient la nui").tokens
    # a mapping must not eat ordinary words
    assert norm.normalize("je vis chez ma mere").tokens == ("je", "vis", "chez", "ma", "mere")
    assert norm.normalize("tous les jours").tokens == ("tous", "les", "jours")
    assert norm.normalize("la mer est belle").tokens[1] == "mer"
