"""Risk families added while measuring generalisation on fresh batches of messages: each case
is worded differently from the batch message that revealed the gap, so that the rule, not the
example, is tested. False friends of the same families stay "none"."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage

E, I, N = Risk.ELEVATED, Risk.IMMINENT, Risk.NONE

CASES: list[tuple[str, Risk]] = [
    # a threat made to keep someone silent, in either order, even next to school words
    ("si tu balances quoi que ce soit on te retrouve", E),
    ("il a dit qu'il me defonce si je porte plainte", E),
    ("ils vont me fumer si je parle au cpe", E),
    # threatening the whole family; hiding from it now
    ("mon pere a dit qu'il allait nous buter ma mere et moi", E),
    ("il hurle qu'il va nous massacrer, on est enfermés dans la salle de bain", I),
    # a fight with knives is a weapon present
    ("une baston avec des couteaux devant le lycee la", I),
    # the means in hand
    ("les somniferes sont devant moi sur le bureau", I),
    # night hours are "tonight"
    ("vers 2h du matin je le ferai, j'ai tout prevu", I),
    # photos asked for gifts or in underwear
    ("un gars m'offre des vbucks si je lui envoie une photo", E),
    ("il me reclame des photos en culotte depuis hier", E),
    # bleeding out as a method
    ("en combien de temps on se vide de son sang", E),
    # a voice telling me to die
    ("la voix dans ma tete me repete de me tuer", E),
    # batch 2: car exhaust, driving into a wall, railings, non-stop trains, insulin
    ("la voiture tourne dans le box, j'ai fermé la porte", I),
    ("je conduis la et j'ai envie de foncer dans un platane", I),
    ("je suis passée par dessus le parapet du pont", I),
    ("je regarde les trains de marchandises qui s'arretent jamais ici", I),
    ("je me suis injecté une double dose d'insuline expres", I),
    # worth more dead, nothing left to do here, erasing myself, what held me here is gone
    ("je serais plus utile morte qu'en vie", E),
    ("g plus rien a faire sur terre", E),
    ("jvoudrais juste m'eteindre doucement", E),
    ("c'etait la seule chose qui me retenait en vie", E),
    ("j'ai programmé des mails pour mes parents", E),
    ("dis a mon frere que c'est pas sa faute", I),
    ("je serai sans doute plus la a noel", E),
    # silenced by consequences, a car, a coach's hands, told never to come back as a minor
    ("si tu racontes on te placera en foyer et ce sera ta faute", E),
    ("un monsieur me fait signe de monter dans sa voiture la devant l'ecole", I),
    ("le kiné me masse et il glisse sous mon short, je sais pas si c'est normal", E),
    ("jai 15 ans, mon pere m'a dit de jamais remettre les pieds ici", E),
    # batch 3: asking to be taken, wishing for an illness, fading away on purpose, one step
    ("seigneur emmene moi au paradis", E),
    ("j'espere avoir une maladie grave", E),
    ("je bois plus rien exprès pour mourir", E),
    ("il suffirait juste d'un petit geste sur le quai", E),
    ("tous les matins je suis encore en vie et ca me degoute", E),
    ("j'aurais jamais du naitre", E),
    ("mdr jvais me laisser renverser par un camion", E),
    ("on ressent quoi si on saute du 9eme", E),
    ("combien d'etages il faudrait", E),
    # a strap taken with a place or dark thoughts, a relative locked in with a blade
    ("j'ai pris le cable du chargeur et je suis dans la cave", I),
    ("ma soeur s'est barricadée avec des cachets, elle parle de mourir", I),
    ("il dit qu'il va plus vivre, il vient de partir en courant", I),
    ("j'ai bu toute la boite de sirop d'un coup", I),
    # someone came in and won't leave; cornered and forced; biting myself until it bleeds
    ("elle est rentrée dans la salle de bain et elle veut pas sortir, j'ai peur", I),
    ("ils m'ont coincée derriere le gymnase et ils forcent", I),
    ("je me mords jusqu'a saigner", E),
    # a parent's words, a filmed humiliation, undressing on camera, a stranger with my address
    ("mon pere regrette de m'avoir eu, il me le dit tous les jours", E),
    ("ils m'ont filmée en train de pleurer et ca circule sur snap", E),
    ("il m'a dit de retirer mon haut en facetime", E),
    ("un faux compte sait ou j'habite", E),
    ("il ouvre la porte quand je me change", E),
    # batch 4: no future, no way out but one, switched off for good, erasing my accounts
    ("jme vois pas avoir mes 18 ans", E),
    ("y a aucune issue a part celle la", E),
    ("je veux un cachet qui m'endorme pour toujours", E),
    ("j'ai desactivé tous mes comptes, merci pour tout les gens", E),
    ("c'est fini pour moi, je me barre cette nuit", I),
    ("je me fais disparaitre de la surface de la terre bientot", E),
    ("je tape le mur jusqu'a m'ouvrir les jointures", E),
    ("la prochaine fois je prendrai toute la boite", E),
    ("tkt je vais pas faire de connerie", E),
    ("je vois pas comment je vais tenir encore longtemps", E),
    # a platform's end with a train coming, a loaded gun, bleach, legs gone numb
    ("je suis tout au bout du quai et le train arrive", I),
    ("le pistolet de mon pere est chargé, je l'ai pris", I),
    ("j'ai avalé de la lessive y a 5 minutes", I),
    ("j'ai pris tout le xanax, je sens plus mes bras", I),
    # a head slammed, a sister threatened, coming to settle scores, married off abroad, a fire
    ("ma mere m'a cogné la tete contre le mur", E),
    ("mon cousin dit que si elle parle a un garcon il la tabasse", E),
    ("ils passent ce soir pour me faire payer", E),
    ("on part au bled cet ete pour me marier avec un homme que je connais pas", E),
    ("il y a un incendie et on peut pas sortir", I),
    ("j'ai la corde dans mon sac, je pars dans la foret", I),
    # running away tonight while at the end of one's rope is not "the end" announced
    ("je vais partir de chez moi ce soir, jen peux plus de mon pere", E),
    # batch 5: a friend's goodbye then silence, drugged without knowing, bought silence
    ("mon pote m'a ecrit merci pour tout et depuis il repond plus", I),
    ("ils m'ont mis un truc dans mon verre, j'ai un trou noir", E),
    ("mon beau pere m'achete des cadeaux pour que je dise rien", E),
    ("si tu bouges plus pour eux ils vont s'en prendre a ta mere", E),
    ("les dealers veulent pas me laisser partir du four", E),
    ("il a une appli espion sur mon telephone", E),
    ("encore 3 jours et apres j'arrete tout", E),
    # pills in hand are the means at hand (imminent), all my boxes on a car park
    ("j'ai le doliprane dans la main", I),
    ("j'ai toute la boite de cachets dans la main, personne a la maison", I),
    ("je suis dans le parking avec toutes mes plaquettes", I),
    # batch 6: pills bought discreetly, what was left swallowed, "rejoindre" after meeting online
    ("j'achete du doliprane dans plusieurs pharmacies sans que personne le sache", E),
    ("j'ai pris ce qui restait dans la trousse a pharmacie", I),
    ("un mec connu sur snap veut me retrouver ce soir devant chez moi, il a 28 ans", I),
    ("si je porte plainte je finirai au cimetiere, ils l'ont dit", E),
    ("mon coloc se reveille plus et ya des boites vides par terre", I),
    ("je prefere qu'un camion me tombe dessus", E),
    ("j'ai tout réglé et j'ai laissé des lettres sur la table", I),
    ("je rentrerai pas ce soir, pardon papa", I),
    ("ils obligent mon petit frere de 14 ans a dealer", E),
    ("je suis au bord du canal, l'eau est glacée", I),
    ("ca serait plus simple pour eux si j'existais pas", E),
    ("mon pere m'a balancé une assiette en pleine tete", E),
    # batch 7: internet euphemisms, an endless nap, "sachez que je vous aimais", a rope emoji
    ("je veux me logout de la vie", E),
    ("une sieste eternelle ca me tente bien", E),
    ("plus envie de rien meme exister c'est trop", E),
    ("souvenez vous que je vous aimais", I),
    ("si un jour je suis plus en vie, c'est pas votre faute", E),
    ("🪢 cette nuit", I),
    ("il m'a envoyé une photo de son machin et il attend la mienne", E),
    # session 11, batch w1 (younger teens): relapse urges, non-existence, touching, beatings as
    # the house rule, stalking with threats, grooming phrases, underwear photos passed around
    ("j'ai peur de me recouper ce soir ou demain", E),
    ("ce serait plus simple pour eux si j'existais plus", E),
    ("j'ai déjà essayé d'en finir avec les cachets de ma mere", E),
    ("le voisin a passé sa main sous mon tee shirt", E),
    ("il touchait mes fesses a chaque fois dans le couloir", E),
    ("a la maison si on fait une connerie ca finit en claques direct", E),
    ("elle me lache pas, elle dit qu'elle va balancer des rumeurs sur moi", E),
    ("il m'a dit que j'allais en baver toute l'année", E),
    ("un mec sur discord me dit que je suis super mature pour mon age", E),
    ("il dit que l'age c'est qu'un chiffre", E),
    ("une video de moi en serviette circule sur le snap de la classe", E),
    ("ils ont fait une fausse page avec ma photo et tout le lycee se moque", E),
    ("ma daronne picole toute la journee, c moi qui donne a manger a mon petit frere", E),
    ("je me barre de la maison ce weekend, j'ai 15 ans", E),
    # violence happening now: someone coming with a belt, the door being beaten in
    ("mon beau pere monte avec sa ceinture, jsuis dans ma chambre", I),
    ("des gars cognent contre la porte et hurlent qu'ils vont la defoncer", I),
    ("l'entraineur me demande de venir dans son bureau seule ce soir", I),
    # session 11, batch w4 (written from the issue's own words): at the edge for a while or with
    # a train due, a ligature fixed, strangled while he is in the next room, "when my parents are
    # asleep", a meeting forced within the hour, wishing to be run over, regretting surviving
    ("je suis sur le parapet du pont depuis 20min", I),
    ("assise au bord du quai, il en passe un dans 3 minutes", I),
    ("j'ai attaché la corde au crochet du garage, merci a ceux qui m'ont aidée", I),
    ("il m'a serré la gorge, maintenant il est dans le salon, j'ecris en cachette", I),
    ("tout est prêt, je le ferai une fois que tout le monde dormira", I),
    ("il veut que je le rejoigne dans l'heure sinon il balance mes photos a mes parents", I),
    ("si un camion me fauchait demain ca me derangerait pas", E),
    ("vivement que je crève franchement", E),
    ("je regrette d'avoir été réanimée", E),
    ("mon fils pense souvent a disparaitre, il me l'a dit hier", E),
    ("c'est haut comment un immeuble pour pas y survivre", E),
    ("combien de temps un humain peut tenir sans respirer sous l'eau", E),
    ("ma soeur a des traits sur les poignets et elle porte que des pulls", E),
    ("j'ai vidé toute ma galerie et supprimé mon snap, merci a tous ceux qui ont été la", E),
    ("mon oncle vient me faire des calins quand mes parents sont sortis, il dit que c'est notre secret", E),
]

FALSE_FRIENDS: list[str] = [
    "ce niveau me tue, ca fait 2h que je suis dessus",
    "j'ai écrit un poeme pour la fete des meres",
    "on s'est cachés dans le placard pour faire une surprise a mon frere",
    "si je parle trop en classe la prof me met une heure de colle",
    "ma tante me demande des photos du bebe en pyjama",
    "jai un match a 22h ce soir contre le club d'a coté",
    "je serai plus la de la semaine, je pars en classe verte",
    "j'ai fait une crise d'angoisse ou j'arrivais plus a respirer, ca passe",
    "ma soeur est sortie de l'hopital apres son intoxication, elle va bien",
    "la prof a appelé les pompiers quand mon pote s'est cassé la jambe",
    "chui sur le pont des arts avec mes potes, trop beau",
    "je roule a fond vers la plage, trop hate",
    "le chien du voisin m'a mordu la main",
    "on joue au pendu en permanence",
    "je veux arreter de vivre dans le passe",
    "j'ai failli me faire renverser par une trottinette",
    "g eu 3 au controle jvais me faire defoncer",
    "je veux retrouver ma mere biologique",
    "jsuis bloquée a la gare, y a plus de train",
    "on s'est séparés, c'est mieux comme ça",
    "ma soeur va se marier en juin, trop hate",
    "ma daronne m'a grillé avec une clope, elle va me tuer",
    "je suis monté sur le toit de la cabane pour recuperer le ballon",
    "mon pote s'est ouvert l'arcade en tombant, ca saigne beaucoup",
    "en krav maga on apprend a desarmer quelqu'un qui a un couteau",
    "il m'a tapé sur l'epaule pour me dire bonjour",
    "je suis au bout du quai, j'attends le rer pour le taf",
    "ya pas le feu, on a le temps",
    "je me suis coupé au travail avec un cutter en ouvrant un carton",
    "le monsieur de la pharmacie m'a dit de revenir demain",
    "ma mere m'a dit que je pouvais sortir ce soir",
    "mon pote repond plus, il doit etre en cours",
    "on a fait une tentative de record du monde de dominos",
    "on est sur le toit-terrasse pour l'apero, la vue est folle",
    "je regarde le canal plus tard ce soir, ya un match",
    "le documentaire raconte l'histoire d'un ado qui se scarifie",
    "je suis au bord du lac avec mes cousins, l'eau est froide mais on se baigne",
    "je fais un long dodo ce dimanche, j'ai trop bossé",
    "je me deconnecte des reseaux pour les vacances",
    "ma mere m'a dit de ranger ma chambre sinon pas de sortie",
    "on a une corde a sauter pour le cours d'eps ce soir",
    # session 11, batch w1: a usual dose for a headache, a week without a phone
    "j'ai pris 2 doliprane pour ma migraine, je peux en reprendre quand ?",
    "privée de console tout le weekend, c'est la mort",
    "si je pars de chez mes parents a 20 ans j'ai droit a quoi ?",
    # session 11, batch w4: almost fainting, a finger cut at work
    "j'ai failli m'evanouir pendant la prise de sang",
    "je me suis coupé le pouce en ouvrant un colis au taf, ca saigne pas mal",
]


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


@pytest.mark.parametrize("text,level", CASES, ids=[c[0][:40] for c in CASES])
def test_new_family_wording(triage: Triage, text: str, level: Risk) -> None:
    res = triage.classify(text)
    assert res.risk is level, res.reasons
    assert any(r.startswith("risque") for r in res.reasons)


@pytest.mark.parametrize("text", FALSE_FRIENDS, ids=[t[:40] for t in FALSE_FRIENDS])
def test_new_family_false_friend(triage: Triage, text: str) -> None:
    res = triage.classify(text)
    assert res.risk is Risk.NONE, res.reasons


def test_silencing_threat_is_not_dropped_as_hyperbole(triage: Triage) -> None:
    # the school-hyperbole span ("crever si je ... prof") must not hide a threat to silence
    res = triage.classify("ils allaient me crever si je parlais aux profs")
    assert res.risk is E
    assert any("faire taire" in r for r in res.reasons), res.reasons
    # while the real hyperbole stays none
    assert triage.classify("je vais crever si je rate le controle de maths").risk is N
