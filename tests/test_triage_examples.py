"""Development examples for the triage classifier, written from domain knowledge, and the
public API (result shape, Risk ordering, CLI).

(text, risk, themes, family): messages written the way young people write (SMS spelling, no
accents, slang, emojis, typos). The evaluation set proper lives in tests/data/.
"""

from __future__ import annotations

import io
import json

import pytest

from bot.triage import Risk, Triage, TriageResult, run_cli


NONE, ELEVATED, IMMINENT = "none", "elevated", "imminent"

EXAMPLES: list[tuple[str, str, list[str], str]] = [
    # ---- indirect suicidal ideation -------------------------------------------------------
    ("je veux dormir et plus me réveiller", ELEVATED, ["sante_mentale"], "indirect"),
    ("jveux dormir et jamais me reveiller", ELEVATED, ["sante_mentale"], "indirect"),
    ("tout le monde serait mieux sans moi", ELEVATED, ["sante_mentale"], "indirect"),
    ("franchement ma famille serait plus heureuse sans moi", ELEVATED, ["sante_mentale"], "indirect"),
    ("jsuis un poids pour tout le monde", ELEVATED, ["sante_mentale"], "indirect"),
    ("a quoi bon continuer", ELEVATED, ["sante_mentale"], "indirect"),
    ("chui fatiguée de vivre", ELEVATED, ["sante_mentale"], "indirect"),
    ("g plus envie de vivre", ELEVATED, ["sante_mentale"], "indirect"),
    ("personne remarquerait si je disparaissais", ELEVATED, ["sante_mentale"], "indirect"),
    ("j'aimerais juste disparaître", ELEVATED, ["sante_mentale"], "indirect"),
    ("je tiendrai plus longtemps", ELEVATED, ["sante_mentale"], "indirect"),
    ("la vie a pas de sens jsp pk je continue", ELEVATED, ["sante_mentale"], "indirect"),
    ("jaurais préféré jamais naître", ELEVATED, ["sante_mentale"], "indirect"),
    ("je veux pas mourir mais je veux que ça s'arrête", ELEVATED, ["sante_mentale"], "negation"),
    ("jveux pas mourir jveux juste que tout s'arrete", ELEVATED, ["sante_mentale"], "negation"),
    ("je me tuerais pas mais des fois j'aimerais ne plus exister", ELEVATED, ["sante_mentale"], "negation"),
    ("t'inquiète je vais pas me suicider", ELEVATED, ["sante_mentale"], "negation"),
    # ---- explicit ideation --------------------------------------------------------------
    ("jveux mourir", ELEVATED, ["sante_mentale"], "explicit"),
    ("jai envie de crever", ELEVATED, ["sante_mentale"], "explicit"),
    ("je pense au suicide tous les jours", ELEVATED, ["sante_mentale"], "explicit"),
    ("g des idées noires depuis la rentrée", ELEVATED, ["sante_mentale"], "explicit"),
    ("j'ai déjà fait une TS l'an dernier et ça recommence", ELEVATED, ["sante_mentale"], "explicit"),
    ("jpense a en finir", ELEVATED, ["sante_mentale"], "explicit"),
    ("envie de me foutre en l'air", ELEVATED, ["sante_mentale"], "explicit"),
    ("j'ai envie de mourir mdr", ELEVATED, ["sante_mentale"], "explicit"),
    # ---- methods without the word suicide ----------------------------------------------
    ("combien de doliprane faut prendre pour plus se réveiller", ELEVATED, ["sante_mentale"], "method"),
    ("je pense a sauter du pont", ELEVATED, ["sante_mentale"], "method"),
    ("des fois jme dis que jpourrais me jeter sous un train", ELEVATED, ["sante_mentale"], "method"),
    ("j'ai regardé comment faire un noeud avec une corde pour me pendre", ELEVATED, ["sante_mentale"], "method"),
    ("c'est quoi la dose mortelle de paracétamol", ELEVATED, ["sante_mentale"], "method"),
    # ---- farewell -----------------------------------------------------------------------
    ("j'ai donné mes affaires", ELEVATED, ["sante_mentale"], "farewell"),
    ("jai donné toutes mes affaires a ma soeur, elle en prendra soin", ELEVATED, ["sante_mentale"], "farewell"),
    ("dites a ma mere que je l'aime", IMMINENT, ["sante_mentale"], "farewell"),
    ("c'est mon dernier message, merci pour tout", IMMINENT, ["sante_mentale"], "farewell"),
    # ---- imminent -----------------------------------------------------------------------
    ("je vais me tuer ce soir", IMMINENT, ["sante_mentale"], "imminent"),
    ("jvais le faire ce soir jai les medocs", IMMINENT, ["sante_mentale"], "imminent"),
    ("j'ai pris toute la boite de doliprane", IMMINENT, ["sante_mentale"], "overdose"),
    ("jai avalé tous mes cachets 💊", IMMINENT, ["sante_mentale"], "overdose"),
    ("jsuis sur le pont et jveux sauter", IMMINENT, ["sante_mentale"], "imminent"),
    ("la corde est prête", IMMINENT, ["sante_mentale"], "imminent"),
    ("c'est décidé je le fais cette nuit quand ils dormiront, j'ai les médicaments de ma mère", IMMINENT, ["sante_mentale"], "imminent"),
    ("je veux mourir là maintenant", IMMINENT, ["sante_mentale"], "imminent"),
    ("je me coupe la maintenant", IMMINENT, ["sante_mentale"], "self_harm_now"),
    ("ça arrête pas de saigner", IMMINENT, ["sante_mentale"], "self_harm_now"),
    # ---- self-harm ----------------------------------------------------------------------
    ("je me scarifie depuis 2 mois", ELEVATED, ["sante_mentale"], "self_harm"),
    ("jme coupe les bras quand ca va pas", ELEVATED, ["sante_mentale"], "self_harm"),
    ("j'ai recommencé à me faire du mal", ELEVATED, ["sante_mentale"], "self_harm"),
    ("je cache mes bras avec des manches longues", ELEVATED, ["sante_mentale"], "self_harm"),
    ("je me brûle avec un briquet exprès", ELEVATED, ["sante_mentale"], "self_harm"),
    # ---- abuse, sexual violence --------------------------------------------------------
    ("il vient dans ma chambre la nuit", ELEVATED, ["violences"], "abuse_soft"),
    ("mon beau-père me touche quand ma mère est pas là", ELEVATED, ["violences"], "abuse_soft"),
    ("mon oncle dit que c'est notre secret", ELEVATED, ["violences"], "abuse_soft"),
    ("mon père me frappe avec la ceinture", ELEVATED, ["violences", "famille"], "abuse"),
    ("ma mère m'a giflée et j'ai des bleus", ELEVATED, ["violences", "famille"], "abuse"),
    ("j'ai été violée l'été dernier", ELEVATED, ["violences"], "sexual_violence"),
    ("à la soirée il a continué alors que j'avais dit non", ELEVATED, ["violences", "sexualite"], "sexual_violence"),
    ("j'ai peur de rentrer chez moi mon père a encore bu", ELEVATED, ["violences", "famille"], "abuse"),
    # ---- violence now -----------------------------------------------------------------
    ("il est en train de frapper ma mère aidez moi", IMMINENT, ["violences"], "violence_now"),
    ("il a un couteau et il dit qu'il va me tuer", IMMINENT, ["violences"], "weapon"),
    ("jsuis cachée dans la salle de bain il tape contre la porte", IMMINENT, ["violences"], "violence_now"),
    # ---- sextortion, threats ------------------------------------------------------------
    ("il menace de publier mes nudes si je paye pas 200 euros", ELEVATED, ["violences"], "sextortion"),
    ("un mec sur insta a mes photos et veut de l'argent sinon il envoie a tous mes contacts", ELEVATED, ["violences"], "sextortion"),
    ("ils m'attendent à la sortie du lycée pour me tabasser", IMMINENT, ["violences", "scolarite_formation"], "threat"),
    # ---- homeless minor ---------------------------------------------------------------
    ("mon daron m'a mis dehors je sais pas où dormir ce soir", ELEVATED, ["logement", "famille"], "homeless"),
    ("j'ai 16 ans et je dors dehors depuis 3 jours", ELEVATED, ["logement"], "homeless"),
    # ---- third party ------------------------------------------------------------------
    ("ma pote veut se suicider je sais pas quoi faire", ELEVATED, ["sante_mentale"], "third_party"),
    ("mon meilleur ami se scarifie", ELEVATED, ["sante_mentale"], "third_party"),
    # ---- hyperbole and false friends: none ------------------------------------------
    ("mort de rire 😂", NONE, [], "hyperbole"),
    ("jsuis morte de rire", NONE, [], "hyperbole"),
    ("ce prof va me tuer avec ses devoirs", NONE, ["scolarite_formation"], "hyperbole"),
    ("ma mère va me tuer quand elle va voir mon bulletin", NONE, ["famille", "scolarite_formation"], "hyperbole"),
    ("j'ai tué mon exam de maths", NONE, ["scolarite_formation"], "hyperbole"),
    ("jvais mourir de honte", NONE, [], "hyperbole"),
    ("je meurs de faim", NONE, [], "hyperbole"),
    ("ça me tue ce délire", NONE, [], "hyperbole"),
    ("je suis crevé après le taf", NONE, ["emploi"], "hyperbole"),
    ("je me tue à te le dire", NONE, [], "hyperbole"),
    ("dans le film le mec se suicide à la fin c'était trop triste", NONE, ["loisirs_engagement"], "fiction"),
    ("dans la série elle se fait agresser, j'ai pas pu dormir", NONE, ["loisirs_engagement"], "fiction"),
    ("j'écoute en boucle la chanson 'je veux mourir' c'est trop beau", NONE, ["loisirs_engagement"], "lyrics"),
    ("dans fortnite je me suis fait tuer direct", NONE, ["loisirs_engagement"], "game"),
    ("je fais un exposé sur le harcèlement pour mon cours d'emc", NONE, ["scolarite_formation"], "school"),
    ("on a eu une intervention sur le suicide au lycée", NONE, [], "school"),
    ("sauter le repas de midi c'est grave ?", NONE, ["sante"], "false_friend"),
    ("ma mère me tape sur les nerfs", NONE, ["famille"], "false_friend"),
    ("adieu les vacances, demain c'est la rentrée", NONE, ["scolarite_formation"], "false_friend"),
    ("j'ai donné mes vieux habits à une asso", NONE, [], "false_friend"),
    ("merci pour tout, bonne soirée", NONE, [], "false_friend"),
    ("je me bats pour avoir mon bac", NONE, ["scolarite_formation"], "false_friend"),
    ("mon pote s'est cassé le bras au foot", NONE, ["sante"], "false_friend"),
    # ---- themes, no risk -------------------------------------------------------------
    ("wsh jcherche un taf pour cet été, jsp comment faire mon cv", NONE, ["emploi"], "theme"),
    ("j'ai un entretien d'embauche demain chez carrefour jsuis stressé", NONE, ["emploi", "sante_mentale"], "theme"),
    ("comment on trouve une alternance en BTS ?", NONE, ["emploi"], "theme"),
    ("je veux arrêter le lycée jsuis en seconde", NONE, ["scolarite_formation"], "theme"),
    ("c quoi parcoursup jcomprends rien aux voeux", NONE, ["scolarite_formation"], "theme"),
    ("je cherche un appart pas cher a rennes", NONE, ["logement"], "theme"),
    ("mon proprio veut pas me rendre la caution", NONE, ["logement"], "theme"),
    ("jai mal au ventre depuis 3 jours je dois aller chez le medecin ?", NONE, ["sante"], "theme"),
    ("j'ai perdu ma carte vitale", NONE, ["sante"], "theme"),
    ("jsuis trop stressée jarrive plus a dormir", NONE, ["sante_mentale"], "theme"),
    ("je me sens seul tout le temps", NONE, ["sante_mentale"], "theme"),
    ("j'ai oublié ma pilule hier, je risque d'être enceinte ?", NONE, ["sexualite"], "theme"),
    ("ou faire un test ist gratuit", NONE, ["sexualite"], "theme"),
    ("je crois que je suis gay mais j'ose pas le dire", NONE, ["sexualite"], "theme"),
    ("on se moque de moi sur snap tous les jours", NONE, ["violences"], "theme"),
    ("je fume trop de bedos jarrive pas a arreter", NONE, ["addictions"], "theme"),
    ("jpasse mes nuits sur fortnite mes notes chutent", NONE, ["addictions"], "theme"),
    ("comment on fait une demande d'apl ?", NONE, ["logement", "droits_argent"], "theme"),
    ("c la hess, j'ai plus de thune pour finir le mois", NONE, ["droits_argent"], "theme"),
    ("j'ai perdu ma carte d'identité comment la refaire", NONE, ["droits_argent"], "theme"),
    ("je me suis encore embrouillé avec mes darons", NONE, ["famille"], "theme"),
    ("mes parents divorcent et je sais pas chez qui aller", NONE, ["famille"], "theme"),
    ("je suis convoqué au commissariat, je risque quoi ?", NONE, ["justice"], "theme"),
    ("jai eu une amende dans le bus sans ticket", NONE, ["justice", "mobilite"], "theme"),
    ("comment passer le permis pas cher", NONE, ["mobilite"], "theme"),
    ("y a pas de bus pour aller a mon stage", NONE, ["mobilite"], "theme"),
    ("je veux faire un service civique", NONE, ["loisirs_engagement"], "theme"),
    ("y a un club de foot pas cher vers chez moi ?", NONE, ["loisirs_engagement"], "theme"),
    ("salut", NONE, [], "greeting"),
]

# Bursts: fragments of one sequence of messages, oldest first.
BURSTS: list[tuple[list[str], str]] = [
    (["jvais le faire", "ce soir", "jai les medocs"], IMMINENT),
    (["jpp", "jveux", "mourir"], ELEVATED),
    (["ca va trop mal", "jai pris", "toute la boite"], IMMINENT),
    (["ce soir je vais au ciné", "avec des potes", "on a pris les places"], NONE),
    (["j'ai acheté des médocs pour ma grand-mère", "ce soir je la vois"], NONE),
    (["slt", "jcherche un stage", "en boulangerie"], NONE),
]

# Paraphrases written after reading the tuning set's families (not copied from it): the
# lexicons must generalise to wordings they were not written from.
PARAPHRASES: list[tuple[str, str]] = [
    ('des fois jme dis que si je me reveillais pas demain ce serait pas grave', ELEVATED),
    ('a quoi ca sert que je sois la franchement', ELEVATED),
    ('jai offert ma guitare et mes jeux a mes potes, jen aurai plus besoin', ELEVATED),
    ('ca fait des semaines que je regarde des videos sur le suicide', ELEVATED),
    ('jai les poignets en sang depuis hier soir mais ca va', ELEVATED),
    ('je me fais vomir apres chaque repas et je me griffe quand je craque', ELEVATED),
    ('mon beau pere rentre dans la salle de bain quand je me douche', ELEVATED),
    ("mon entraineur m'envoie des snaps bizarres le soir", ELEVATED),
    ('un mec de 30 ans veut me voir, il dit que je suis mature pour mon age', ELEVATED),
    ('mon pere me traite de tous les noms et il casse mes affaires quand il a bu', ELEVATED),
    ('ma mere me met des claques des que je reponds', ELEVATED),
    ('il a diffusé ma video intime sur un groupe whatsapp', ELEVATED),
    ('ils disent quils vont me faire la peau a la sortie', ELEVATED),
    ("depuis que je suis partie de chez moi je dors a droite a gauche, j'ai 16 ans", ELEVATED),
    ('mon copain me force a coucher avec lui quand il a bu', ELEVATED),
    ("j'ai essayé de me pendre l'an dernier et j'y repense", ELEVATED),
    ('jsuis sur le toit de mon immeuble, jai plus peur', IMMINENT),
    ("jai pris tous les medocs de l'armoire, je me sens bizarre", IMMINENT),
    ("ce soir c'est la derniere fois que vous aurez de mes nouvelles", IMMINENT),
    ('il est rentré bourré et il tape ma mere la, jai peur', IMMINENT),
    ('il me menace avec un couteau dans la cuisine', IMMINENT),
    ('je vais me jeter sous le prochain train, je suis sur le quai', IMMINENT),
    ('jai avalé une boite de xanax avec de la vodka', IMMINENT),
    ('mon pote fait une overdose il bouge plus', IMMINENT),
    ("je suis en train de me couper et jarrive plus a m'arreter", IMMINENT),
    ('jai la lame sur le poignet', IMMINENT),
    ('jsuis mort de rire avec cette video', NONE),
    ('si je rate mon bac mes darons vont me tuer', NONE),
    ("je meurs d'envie d'aller a ce concert", NONE),
    ('elle est morte de rire quand elle a vu ma tete', NONE),
    ("ce match c'etait un massacre, on a perdu 5-0", NONE),
    ('mon perso est mort dans le jeu jai perdu toute ma progression', NONE),
    ("j'adore les films d'horreur ou tout le monde meurt", NONE),
    ('la chanson dit "je veux en finir" mais c\'est une chanson d\'amour', NONE),
    ('je suis fatiguée, je vais dormir, bonne nuit', NONE),
    ("jai trop hate d'etre en vacances", NONE),
    ('comment on fait pour trouver un stage de 3e ?', NONE),
    ('mon grand pere est decede le mois dernier, ca va mais il me manque', NONE),
    ("ma meilleure amie a fait une depression l'an dernier, elle va mieux maintenant", NONE),
    ("je veux arreter de fumer, c'est possible sans patch?", NONE),
    ('le prof nous a tués avec son controle surprise', NONE),
    ('je vais le defoncer au prochain match de tennis', NONE),
    ('jai tué le game hier soir en soirée', NONE),
    ('jsuis trop deg, jai raté mon permis pour la 2e fois', NONE),
    ("ma copine m'a largué, jsuis triste mais ca va passer", NONE),
    ('jai le seum, mon equipe a perdu en finale', NONE),
    ('franchement jsuis trop vener contre mon frere il a pris mon chargeur', NONE),
    ("j'ai peur de rater mon oral demain", NONE),
    ("c'est quoi les signes d'une depression ? c'est pour un expose", NONE),
    ('comment aider une amie qui se sent seule ?', NONE),
    ("mon oncle est mort d'un cancer l'annee derniere", NONE),
    ('je me suis coupé en cuisinant, ca saigne un peu, je mets quoi ?', NONE),
    ("je me suis brulé avec le four, c'est grave ?", NONE),
    ("ma soeur m'a frappé avec un oreiller mdr", NONE),
    ("on s'est battus pour la derniere part de pizza", NONE),
    ("j'ai regardé un film sur un mec qui se suicide, c'etait beau", NONE),
    ('dans mon manga prefere le heros meurt a la fin', NONE),
    ('il fait trop chaud je vais crever', NONE),
    ("jsuis mort, ce cours de 4h m'a tué", NONE),
    ('je vais exploser mon record au 100m', NONE),
    ('mon pere est strict, il veut que je rentre avant 22h', NONE),
    ("mes parents m'ont privé de sortie ce weekend", NONE),
    ("c'est possible de changer de lycee en cours d'annee ?", NONE),
    ('je suis harcelé au lycée, comment je peux porter plainte ?', NONE),
    ("un mec m'a insulté dans le bus hier, j'ai rien dit", NONE),
    ('comment on fait pour avoir la pilule sans ordonnance ?', NONE),
    ("j'aimerais arreter la beuh mais tous mes potes fument", NONE),
    ('jsuis en galere pour trouver une alternance', NONE),
    ("j'ai eu un accident de scooter, rien de grave mais le scooter est mort", NONE),
    ('je dors mal depuis une semaine, des conseils ?', NONE),
    ("je pleure devant les films tristes c'est normal ?", NONE),
    ("il y a deux ans je me scarifiais mais j'ai arrete, je voulais savoir comment cacher les cicatrices pour l'ete", NONE),
    ("jme scarifiais avant et depuis hier j'ai rechuté", ELEVATED),
    ('jai plus envie de rien, meme plus envie de me lever, des fois jme dis que ce serait plus simple de plus etre la', ELEVATED),
    ('personne me parle au lycee, je mange seule tous les jours, jsuis invisible, je pense que ca changerait rien si je mourais', ELEVATED),
    ('mdr jsuis tellement nulle que jferais mieux de disparaitre pour de vrai lol', ELEVATED),
    ('haha jvais finir par me jeter par la fenetre si ca continue 😂 nan serieux jsais plus', ELEVATED),
    ("bonjour je voudrais des infos sur le bafa. sinon ca va pas trop en ce moment, je pense souvent a me faire du mal. c'est combien le bafa?", ELEVATED),
    ('slt jcherche un appart vers lyon, budget 400e. jdors chez mon oncle en attendant mais il rentre dans ma chambre la nuit et jaime pas ca. ya des aides?', ELEVATED),
    ("salut, question bete, le 3114 c'est gratuit? parce que la jsuis sur le pont et jsais plus quoi faire", IMMINENT),
    ('jsais pas pk je vous parle. jai pris une vingtaine de cachets y a 10 min. voila', IMMINENT),
    ("bonsoir, jai besoin d'aide pour un dossier caf. ah et mon copain est en train de me frapper, jecris des toilettes", IMMINENT),
    ('mdr jsuis mort, mon chien a mangé mon devoir', NONE),
    ("le prof de maths m'a achevé avec son interro surprise 💀", NONE),
    ('jvais me pendre si jai encore 2h de philo demain 😂', NONE),
    ("on a fait une soirée de fou, j'ai cru mourir de rire toute la nuit", NONE),
    ("c'est dans la série, le gars il se fait poignarder par son frere", NONE),
    ("ca sert a rien que je continue, personne s'en rendrait compte", ELEVATED),
    ("je supporte plus ma vie, je vois pas comment ca pourrait s'arranger", ELEVATED),
    ('je me dis souvent que je devrais pas etre la', ELEVATED),
    ("des fois je me tape jusqu'a avoir des bleus", ELEVATED),
    ("je me mords jusqu'au sang quand je stresse", ELEVATED),
    ('mon beau pere me met des coups de ceinture', ELEVATED),
    ("mon frere m'a encore cogné hier soir", ELEVATED),
    ('mes parents me laissent seule des semaines sans argent pour manger', ELEVATED),
    ("mon coach veut qu'on se voie seuls apres l'entrainement, il m'a dit de rien dire", ELEVATED),
    ("un mec que je connais pas m'a envoyé des photos de son sexe et il veut les miennes", ELEVATED),
    ("il m'a dit que si je lui envoyais pas d'autres photos il montrerait les premieres a tout le monde", ELEVATED),
    ('jai ete forcée par mon copain et depuis je dors plus', ELEVATED),
    ("jai 15 ans et je vais dormir dans un parc cette nuit, ma mere m'a viré", ELEVATED),
    ('je vais partir de chez moi ce soir, jen peux plus de mon pere', ELEVATED),
    ('je crois que je vais faire une betise ce weekend', ELEVATED),
    ("je voudrais m'endormir et que tout s'arrete", ELEVATED),
    ("mon pere me menace de m'envoyer au bled me marier", ELEVATED),
    ('jai avalé une plaquette entiere de somniferes', IMMINENT),
    ('je suis au bord du pont la', IMMINENT),
    ('je suis dans ma chambre avec le couteau, je vais le faire', IMMINENT),
    ("il est en train d'etrangler ma mere", IMMINENT),
    ('mon ex est devant chez moi avec une batte et il hurle', IMMINENT),
    ('je viens de me taillader les bras ca saigne de partout', IMMINENT),
    ("mon ami s'est pendu je l'ai trouvé, il bouge plus", IMMINENT),
    ("jai pris de la coke et mon coeur bat hyper vite, j'ai mal a la poitrine", IMMINENT),
    ("dans 10 minutes c'est fini pour moi", IMMINENT),
    ("jai sauté, jsuis au sol, j'ai mal partout", IMMINENT),
    ('je suis mort de fatigue apres ce match', NONE),
    ('jai tué ce controle de maths', NONE),
    ("ma mere va me massacrer si elle voit l'etat de ma chambre", NONE),
    ("ptdr il m'a tué avec sa blague", NONE),
    ("c'est quoi le numero pour signaler du harcelement?", NONE),
    ('la meuf dans la serie elle se fait tuer par son mari, trop triste', NONE),
    ('on a joué a loup garou et je me suis fait tuer en premier', NONE),
    ("j'ai trop envie de mourir de rire devant ce film", NONE),
    ("mon grand pere est mort, on l'enterre samedi", NONE),
    ("je m'entraine pour un combat de boxe, je me prends des coups tous les jours", NONE),
    ("jai failli mourir de honte en cours quand le prof m'a interrogé", NONE),
    ('je vais me tuer a la salle ce soir, jour jambes', NONE),
    ('wsh jsuis pu capable de continuer comme ca, jpense a en finir souvent', ELEVATED),
    ('chui fatigué de tout, ptet que le mieux ce serait de plus me reveiller', ELEVATED),
    ("je mérite pas d'etre en vie", ELEVATED),
    ("jsuis un boulet pour ma mere, elle serait tranquille si j'etais plus la", ELEVATED),
    ('jai regardé combien de metres fait le viaduc a cote de chez moi', ELEVATED),
    ('jai gardé des cachets de coté au cas ou', ELEVATED),
    ('g rangé ma chambre et donné mes trucs, comme ca personne aura a le faire', ELEVATED),
    ('je me suis encore ouvert le bras hier soir', ELEVATED),
    ('jme brule avec mon briquet quand ca va pas', ELEVATED),
    ('jai des marques sur les bras que je cache sous mes manches', ELEVATED),
    ('mon beau pere me fait des attouchements depuis que jai 10 ans', ELEVATED),
    ("mon oncle m'a fait des choses quand j'etais petite et je l'ai jamais dit", ELEVATED),
    ("un mec m'a forcée a la soirée de samedi, j'ose pas en parler", ELEVATED),
    ('mon daron me defonce des que je rentre en retard', ELEVATED),
    ('ma mere me frappe avec le cable du chargeur', ELEVATED),
    ("il a mis ma photo nue sur snap et tout le lycee l'a vue", ELEVATED),
    ('un compte me fait du chantage avec une video de moi', ELEVATED),
    ("jai 14 ans et ma mere m'a foutu dehors hier soir, jdors chez une copine mais elle peut plus", ELEVATED),
    ('mes parents sont partis depuis 5 jours et on a plus rien a manger avec mon petit frere', ELEVATED),
    ('un adulte sur fortnite me demande des photos de moi en echange de vbucks', ELEVATED),
    ("mon pote m'a dit qu'il avait acheté une corde", ELEVATED),
    ('jsuis devant les rails la, le train arrive bientot', IMMINENT),
    ('jai ingurgité tous mes antidepresseurs', IMMINENT),
    ('jai le flingue de mon pere dans les mains', IMMINENT),
    ('il est entrain de me frapper jpp aidez moi', IMMINENT),
    ('mon pere a sorti le fusil il menace ma mere', IMMINENT),
    ('jai la tete qui tourne jai pris plein de medocs', IMMINENT),
    ('je suis a la fenetre du 8e, je vais sauter', IMMINENT),
    ('ca saigne trop jarrive pas a arreter le sang', IMMINENT),
    ("il m'a enfermée et il dit qu'il va me tuer", IMMINENT),
    ('jsuis en haut du pont et jai plus peur', IMMINENT),
    ("jvais m'ouvrir les veines ce soir", IMMINENT),
    ("ma sœur m'a tué avec sa blague d'hier", NONE),
    ('jsuis mort de rire devant cette video de chat', NONE),
    ("ce contrôle de physique m'a achevé", NONE),
    ("mdr le prof m'a défoncé à l'oral", NONE),
    ("jai une dent contre lui depuis qu'il m'a volé ma place", NONE),
    ("il m'a tué au fifa 5-0", NONE),
    ("j'ai sauté de joie quand j'ai eu mon bac", NONE),
    ("c'est la mort cette chaleur", NONE),
    ("Bonjour, je ne sais pas à qui en parler. Depuis quelques mois je n'ai plus goût à rien et je pense de plus en plus à la mort.", ELEVATED),
    ("je me sens comme un fardeau et j'ai l'impression que ma famille irait mieux si je n'étais plus là", ELEVATED),
    ("j'ai envie de m'endormir pour ne jamais me réveiller", ELEVATED),
    ("ça fait longtemps que j'ai des pensées suicidaires mais là ça devient de plus en plus fort", ELEVATED),
    ("Je me scarifie depuis l'année dernière, personne n'est au courant.", ELEVATED),
    ("quand je suis angoissée je me gratte jusqu'à saigner", ELEVATED),
    ('mon père boit et quand il rentre il nous frappe ma mère et moi', ELEVATED),
    ("ma belle-mère m'enferme dans ma chambre et me prive de repas", ELEVATED),
    ('le copain de ma mère entre dans la salle de bain quand je me lave', ELEVATED),
    ('un homme rencontré sur internet me demande de venir chez lui, il me promet des cadeaux', ELEVATED),
    ("quelqu'un menace de publier mes photos intimes si je ne lui envoie pas d'argent", ELEVATED),
    ('un groupe de garçons me menace de me frapper à la sortie du collège tous les jours', ELEVATED),
    ("je suis mineure et je dors dans la rue depuis que ma mère m'a mise dehors", ELEVATED),
    ("j'ai fugué de chez moi il y a deux jours et je ne sais pas où aller", ELEVATED),
    ('mon grand frère me viole depuis plusieurs mois', ELEVATED),
    ("j'ai été agressée sexuellement par un prof", ELEVATED),
    ("je n'arrive plus à vivre avec ce poids, je veux que tout cesse", ELEVATED),
    ("je me demande souvent ce que ça ferait de sauter du haut de l'immeuble", ELEVATED),
    ("mon amie m'a confié qu'elle se faisait du mal et qu'elle voulait mourir", ELEVATED),
    ("j'ai avalé toute une boîte de paracétamol il y a une demi-heure", IMMINENT),
    ('je suis sur le rebord de la fenêtre et je vais me laisser tomber', IMMINENT),
    ("c'est fini, je vais me tuer cette nuit, j'ai tout préparé", IMMINENT),
    ("mon beau-père est en train de frapper ma mère, j'ai peur qu'il la tue", IMMINENT),
    ("quelqu'un essaie d'entrer chez moi en forçant la porte, je suis seule", IMMINENT),
    ("un homme me suit dans la rue depuis vingt minutes, j'ai peur", IMMINENT),
    ('mon copain a un couteau et il menace de me tuer', IMMINENT),
    ("je me suis coupée trop profondément, le sang ne s'arrête pas", IMMINENT),
    ("j'ai pris des médicaments et de l'alcool, je me sens très mal", IMMINENT),
    ('mon ami vient de prendre tout un tube de cachets devant moi', IMMINENT),
    ('je vais sauter du pont dans quelques minutes', IMMINENT),
    ("j'ai une corde autour du cou là", IMMINENT),
    ('au college ils me mettent des claques derriere la tete et ils rigolent, ca dure depuis la rentree', ELEVATED),
    ('chaque jour dans le bus des mecs me crachent dessus et me prennent mon gouter', ELEVATED),
    ("l'an dernier j'ai pris des medocs pour en finir, j'ai survecu, et la ca recommence dans ma tete", ELEVATED),
    ('jai fait une tentative en janvier, depuis je suis suivie mais jai encore des idées', ELEVATED),
    ("jai ecrit un mot pour mes parents au cas ou il m'arrive quelque chose", ELEVATED),
    ('jai donné mon chat a ma voisine et mes habits a ma cousine, je vais plus en avoir besoin', ELEVATED),
    ('mdr jsuis tellement nul que la corde ce serait un cadeau', ELEVATED),
    ("lol jcrois que jvais me foutre en l'air un de ces 4 😅", ELEVATED),
    ('ils ont fait tourner une video de moi dans les vestiaires', ELEVATED),
    ('un screen de mes nudes circule dans le groupe de la classe', ELEVATED),
    ("mon copain me gifle quand je parle a d'autres garcons", ELEVATED),
    ("mon mec m'a poussée dans les escaliers hier et il dit que c'est ma faute", ELEVATED),
    ('jai 15 ans et je vais me barrer de chez moi ce soir, jen peux plus', ELEVATED),
    ('jai 16 ans, je suis partie de chez mon pere et je dors chez ma copine en cachette', ELEVATED),
    ('mes parents me frappent quand jai des mauvaises notes et ils me privent de repas', ELEVATED),
    ("ma mere me laisse garder mes 3 petits freres seule la nuit pendant qu'elle sort, jai 11 ans", ELEVATED),
    ("demain matin c'est le jour, j'ai tout prévu", IMMINENT),
    ('ce weekend ils partent en vacances et moi je pars pour de bon', IMMINENT),
    ('un mec de 22 ans me drague sur insta et veut que je vienne chez lui, jai 14 ans', ELEVATED),
    ('mon entraineur me propose de me ramener chez moi et il me touche la cuisse dans la voiture', ELEVATED),
    ("les mecs de ma classe se moquent de mes chaussures, c'est saoulant", NONE),
    ("on s'est embrouillés avec ma meilleure amie, on se parle plus", NONE),
    ("ma mere m'a engueulé parce que je suis rentré tard", NONE),
    ("jai fugué une fois quand j'avais 12 ans mais c'est loin tout ca", NONE),
    ('je me suis battu avec mon frere pour la télécommande', NONE),
    ('Mon père lève la main sur moi quand il est en colère.', ELEVATED),
    ('Mon beau-père a des gestes déplacés envers moi.', ELEVATED),
    ('Je me sens en danger chez moi.', ELEVATED),
    ("Je n'ose plus rentrer à la maison à cause de mon père.", ELEVATED),
    ('Je crains pour ma sécurité, mon ex me harcèle et me menace.', ELEVATED),
    ("Je m'inflige des blessures pour calmer mes angoisses.", ELEVATED),
    ("J'ai des envies de mourir de plus en plus fréquentes.", ELEVATED),
    ('Je ne vois plus aucune issue à ma situation.', ELEVATED),
    ("J'ai songé à mettre fin à mes jours la semaine dernière.", ELEVATED),
    ('Je suis victime de violences de la part de mon conjoint.', ELEVATED),
    ("Un adulte de mon club m'a embrassée de force.", ELEVATED),
    ("Quelqu'un m'a droguée lors d'une soirée et je ne me souviens de rien.", ELEVATED),
    ("J'ai été contrainte d'avoir des relations sexuelles.", ELEVATED),
    ('Ma mère me dit que je suis un fardeau et me bat régulièrement.', ELEVATED),
    ("Je ne supporte plus cette vie, j'aimerais que tout s'arrête.", ELEVATED),
    ("Je me suis déjà fait du mal volontairement et j'ai peur de recommencer.", ELEVATED),
    ('Un inconnu me fait du chantage avec des photos intimes.', ELEVATED),
    ("Je suis mineure et je n'ai nulle part où dormir cette nuit.", ELEVATED),
    ('Mon oncle abuse de moi depuis des années.', ELEVATED),
    ('Je pense que le monde serait meilleur sans moi.', ELEVATED),
    ("Je viens d'avaler plusieurs boîtes de médicaments.", IMMINENT),
    ("Je suis en train de me faire du mal, je n'arrive pas à m'arrêter.", IMMINENT),
    ('Il me frappe en ce moment même, aidez-moi.', IMMINENT),
    ('Mon père menace ma mère avec un couteau en ce moment.', IMMINENT),
    ("J'ai décidé de mettre fin à mes jours ce soir.", IMMINENT),
    ('Je suis sur le toit et je vais sauter.', IMMINENT),
    ("J'ai ouvert le gaz dans ma chambre.", IMMINENT),
    ('Mon frère a fait une overdose, il ne réagit plus.', IMMINENT),
    ("Depuis le décès de ma mère, je n'ai plus envie de vivre.", ELEVATED),
    ("J'ai l'impression d'être un poids mort pour tout le monde.", ELEVATED),
    ("Je voudrais disparaître sans que personne ne s'en aperçoive.", ELEVATED),
    ("Mon petit ami contrôle tout ce que je fais et m'a déjà frappée.", ELEVATED),
    ("Mes parents m'ont menacée de me renvoyer au pays si je continue à voir mon copain.", ELEVATED),
    ("Une personne majeure m'envoie des messages à caractère sexuel.", ELEVATED),
    ("On m'a obligée à envoyer des photos dénudées.", ELEVATED),
    ('Je me fais harceler et frapper chaque jour au lycée.', ELEVATED),
    ('Je me cogne la tête contre les murs quand je suis en crise.', ELEVATED),
    ('Mon père nous enferme à clé quand il part travailler.', ELEVATED),
    ("Je suis partie de chez moi cette nuit et je suis dehors, j'ai 15 ans.", ELEVATED),
    ("J'ai parfois envie de me jeter sous les voitures.", ELEVATED),
    ('Je collectionne les médicaments au cas où.', ELEVATED),
    ('Je me trouve sur le pont et je compte sauter.', IMMINENT),
    ("J'ai absorbé une grande quantité de somnifères.", IMMINENT),
    ('Mon compagnon me frappe en ce moment, je suis enfermée dans la salle de bain.', IMMINENT),
    ("J'ai un couteau et je vais m'en servir contre moi ce soir.", IMMINENT),
    ("Je suis très fatigué par mes révisions, j'ai hâte que les examens se terminent.", NONE),
    ('Comment puis-je aider une amie qui traverse une période difficile ?', NONE),
    ('Je cherche des informations sur les métiers de la santé.', NONE),
    ("Le film d'hier soir était terrifiant, tout le monde mourait.", NONE),
    ("Mon grand-père est décédé l'année dernière, je pense souvent à lui.", NONE),
    ("J'ai mal à la tête depuis ce matin, que dois-je faire ?", NONE),
    ("Quels sont les numéros d'urgence en France ?", NONE),
    ("J'ai raté mon permis, je suis déçu.", NONE),
    ('Mon frère et moi nous disputons souvent pour la console.', NONE),
    ("jvois pas l'interet de me lever le matin, rien a de sens", ELEVATED),
    ("jsuis vide a l'interieur, jai juste envie que ca se termine", ELEVATED),
    ('je me coupe plus mais jai envie tous les soirs', ELEVATED),
    ('mon frere me tape dessus des que les parents sont pas la', ELEVATED),
    ("ma mere ramene des mecs bourrés a la maison et l'un d'eux est rentré dans ma chambre", ELEVATED),
    ("le mari de ma tante m'a embrassée sur la bouche et il m'a dit de rien dire", ELEVATED),
    ("jai envoyé une photo a un mec et maintenant il veut que j'en envoie d'autres sinon il la montre", ELEVATED),
    ("des gens de mon ancien college m'ont retrouvée sur insta et m'envoient des menaces de mort", ELEVATED),
    ('jsuis a la gare depuis hier, mes parents veulent plus de moi, jai 16 ans', ELEVATED),
    ("mon pere m'a dit que si je reviens pas il va me retrouver et me tuer", ELEVATED),
    ("je vous dis au revoir, merci d'avoir essayé", IMMINENT),
    ('jai avalé des cachets avec de la vodka, je vois flou', IMMINENT),
    ('il vient de me mettre un coup de poing et il recommence', IMMINENT),
    ('mon beau pere a la ceinture a la main et il monte les escaliers', IMMINENT),
    ('je suis au 10e etage sur le balcon et je vais le faire', IMMINENT),
    ("ma soeur s'est enfermée dans la salle de bain avec un couteau et elle repond plus", IMMINENT),
]

# Theme paraphrases (same conventions as the tuning set: the main topics, not every word).
THEME_PARAPHRASES: list[tuple[str, list[str]]] = [
    ('jcherche un petit boulot le samedi pour me faire un peu de sous', ['emploi']),
    ("mon contrat d'interim se termine vendredi et jai rien derriere", ['emploi']),
    ('comment on fait un cv quand on a jamais bossé', ['emploi']),
    ('jai été licencié, jai droit au chomage?', ['emploi', 'droits_argent']),
    ('jai raté mon bac, je peux le repasser en candidat libre?', ['scolarite_formation']),
    ('je comprends rien en physique, ya du soutien scolaire gratuit?', ['scolarite_formation']),
    ('jveux me reorienter apres ma premiere annee de licence', ['scolarite_formation']),
    ('je cherche un patron pour mon cap cuisine', ['scolarite_formation', 'emploi']),
    ('mon proprio veut pas me rendre ma caution', ['logement']),
    ("c'est quoi un FJT? ca coute combien?", ['logement']),
    ("jarrive plus a payer mon loyer, je risque l'expulsion?", ['logement', 'droits_argent']),
    ('jai une douleur au genou depuis 2 semaines', ['sante']),
    ('comment on prend rdv chez un dermato sans attendre 6 mois', ['sante']),
    ('jai pas de mutuelle, comment je fais pour payer le dentiste?', ['sante', 'droits_argent']),
    ("jai des crises d'angoisse le soir avant de dormir", ['sante_mentale']),
    ('je me sens vide, rien me fait plaisir depuis des semaines', ['sante_mentale']),
    ('jsuis tout le temps stressé, ca me bouffe', ['sante_mentale']),
    ("la pilule du lendemain c'est gratuit en pharmacie?", ['sexualite']),
    ("je sais pas si je suis bi, c'est normal d'hesiter?", ['sexualite']),
    ("jai des boutons bizarres en bas, c'est une ist?", ['sexualite', 'sante']),
    ('on me traite de grosse tous les jours au college', ['violences']),
    ('ya une rumeur sur moi qui tourne dans tout le lycee', ['violences', 'scolarite_formation']),
    ('je me fais insulter sur tiktok a chaque live', ['violences']),
    ('je fume 10 clopes par jour et jai 15 ans', ['addictions']),
    ('je bois un peu trop en soirée, ca devient chaque weekend', ['addictions']),
    ("je passe 10h par jour sur mon tel, j'arrive pas a lacher", ['addictions']),
    ('comment on fait une demande de rsa a 25 ans', ['droits_argent']),
    ("ma carte d'identité est perdue, comment la refaire", ['droits_argent']),
    ('jsuis a decouvert de 300 euros, la banque me prend des frais', ['droits_argent']),
    ('mes parents divorcent et ils se disputent pour savoir chez qui je vais', ['famille']),
    ("ma mere comprend pas que je veux pas faire d'etudes", ['famille']),
    ("mon beau pere me parle mal depuis qu'il est arrivé", ['famille']),
    ('jai recu une convocation au commissariat pour une bagarre', ['justice']),
    ('mon grand frere est en prison, comment je peux lui ecrire', ['justice']),
    ("les keufs m'ont chopé avec un bedo, je risque quoi", ['justice', 'addictions']),
    ('je dois aller a mon stage a 30km et jai pas le permis', ['mobilite']),
    ("le bus passe qu'une fois par heure dans mon village", ['mobilite']),
    ('ya des aides pour payer le permis?', ['mobilite', 'droits_argent']),
    ('je voudrais faire du theatre, ya des cours pour les jeunes?', ['loisirs_engagement']),
    ('comment devenir benevole aux restos du coeur', ['loisirs_engagement']),
    ("je m'ennuie le weekend, ya des activités pour les ados dans le coin?", ['loisirs_engagement']),
    ('je vapote tout le temps, meme en cours, ca devient chaud', ['addictions']),
    ('mon copain prend de la coke en soirée et ca me fait peur', ['addictions']),
    ("j'ai fumé un joint hier et j'ai fait un bad trip", ['addictions']),
    ('je claque toute ma paie dans les paris sportifs', ['addictions']),
    ("j'arrive pas a decrocher des jeux en ligne, je joue la nuit", ['addictions']),
    ("c'est grave de boire tous les weekends?", ['addictions']),
    ('je prends des anxiolytiques sans ordonnance pour dormir', ['addictions']),
    ("comment je fais pour avoir la prime d'activité?", ['droits_argent']),
    ("j'ai 18 ans, je peux avoir l'apl si je vis seul?", ['droits_argent']),
    ("je suis sans papiers, j'ai le droit d'aller a l'ecole?", ['droits_argent']),
    ("j'ai plus un rond et le mois commence a peine", ['droits_argent']),
    ('je dois 500 balles a un pote, il me harcele pour que je rembourse', ['droits_argent']),
    ("comment ouvrir un compte sans l'accord de mes parents", ['droits_argent']),
    ('ou je peux trouver des colis alimentaires?', ['droits_argent']),
    ('mes parents me comparent tout le temps a ma soeur', ['famille']),
    ("mon pere s'est remarié et je m'entends pas avec sa femme", ['famille']),
    ('je vais etre papa a 17 ans, je sais pas comment le dire a mes parents', ['famille']),
    ("ma grand mere est malade et je dois m'occuper d'elle apres les cours", ['famille']),
    ('mes parents sont trop stricts, je peux rien faire', ['famille']),
    ("j'ai été convoqué par la police comme temoin, je dois y aller?", ['justice']),
    ('mon cousin passe devant le juge pour un vol, il risque la prison?', ['justice']),
    ('jai pris une amende pour un joint, je dois payer?', ['justice']),
    ("c'est quoi un casier judiciaire?", ['justice']),
    ("comment porter plainte contre quelqu'un qui m'a volé?", ['justice']),
    ('jai mal aux dents depuis 3 jours', ['sante']),
    ('comment on fait pour avoir une carte vitale?', ['sante']),
    ('jai de la fievre et je tousse, je dois aller aux urgences?', ['sante']),
    ('je me suis fait une entorse au basket', ['sante']),
    ("je suis diabetique et j'ai oublié mon insuline", ['sante']),
    ("jarrive pas a gerer mes emotions, je m'enerve pour rien", ['sante_mentale']),
    ('je fais des crises de panique dans le metro', ['sante_mentale']),
    ('depuis la mort de mon chien je suis triste tout le temps', ['sante_mentale']),
    ('je me trouve moche et nulle, je me deteste', ['sante_mentale']),
    ("je dors 14h par jour et j'ai envie de rien", ['sante_mentale']),
    ("des mecs m'ont agressé a la sortie du bus pour me voler mon tel", ['violences']),
    ('une fille de ma classe me menace sur insta', ['violences']),
    ('mon copain est super jaloux, il controle mon telephone', ['violences']),
    ("on m'a traité de sale arabe au foot", ['violences']),
    ('ils ont créé un groupe pour se moquer de moi', ['violences']),
    ('mon grand frere fume du shit tous les jours dans sa chambre', ['addictions']),
    ("j'ai goûté la chicha en soirée et j'ai été malade", ['addictions']),
    ('je perds tout mon argent au poker en ligne', ['addictions']),
    ('je suis accro a mon portable, je le regarde 300 fois par jour', ['addictions']),
    ('je touche combien avec le CEJ par mois ?', ['droits_argent']),
    ('comment je fais pour avoir mon propre numéro de sécu et ma carte?', ['droits_argent']),
    ("jai une facture de telephone impayée, ils menacent d'envoyer un huissier", ['droits_argent']),
    ("c'est quoi le RSA jeune actif ?", ['droits_argent']),
    ("mon pere veut pas que je sorte avec une fille d'une autre religion", ['famille']),
    ('mes parents se separent et je dois choisir avec qui vivre', ['famille']),
    ('ma mere est tout le temps sur mon dos pour mes notes', ['famille']),
    ("je m'entends plus avec ma soeur depuis qu'elle a un copain", ['famille']),
    ("un policier m'a fouillé sans raison dans la rue", ['justice']),
    ('je dois passer au tribunal pour enfants le mois prochain', ['justice']),
    ("c'est illegal de filmer la police ?", ['justice']),
    ("mon pote s'est fait arrêter pour vol à l'étalage", ['justice']),
    ("j'ai une verrue sous le pied ça fait mal", ['sante']),
    ('je dois faire un vaccin pour partir en voyage', ['sante']),
    ('mon genou gonfle après le foot', ['sante']),
    ("je saigne du nez souvent c'est normal?", ['sante']),
    ('je me sens tout le temps angoissée sans raison', ['sante_mentale']),
    ("je fais des cauchemars toutes les nuits depuis l'accident", ['sante_mentale']),
    ('je suis super timide et ça me bloque dans ma vie', ['sante_mentale']),
    ('mon moral est au plus bas depuis des semaines', ['sante_mentale']),
    ('comment je fais pour trouver un job étudiant à côté des cours ?', ['emploi']),
    ("j'ai un entretien pour un poste de vendeuse demain", ['emploi']),
    ('mon patron me fait faire des heures sans les payer', ['emploi']),
    ("j'ai peur de rater mon brevet", ['scolarite_formation']),
    ('je veux changer de filière, je suis en bac pro mais ça me plait pas', ['scolarite_formation']),
    ("comment m'inscrire en fac après un bac pro ?", ['scolarite_formation']),
    ('je vis dans un foyer et je dois partir a mes 18 ans', ['logement']),
    ('mon logement est trop petit on est 5 dans un 2 pièces', ['logement']),
    ('comment je peux aller a mon lycee, le car scolaire passe plus', ['mobilite']),
    ('je voudrais apprendre à conduire un scooter', ['mobilite']),
    ("j'aimerais faire de la musique mais c'est trop cher", ['loisirs_engagement']),
    ('ya un atelier graffiti pour les jeunes dans la ville?', ['loisirs_engagement']),
    ('je me pose des questions sur ma sexualité', ['sexualite']),
    ('la capote a glissé pendant le rapport, je fais quoi ?', ['sexualite']),
    ("on m'a volé mon portable avec violence en sortant du tram", ['violences']),
    ('ma copine me rabaisse tout le temps devant ses amis', ['violences']),
]


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


@pytest.mark.parametrize("text,risk,themes,family", EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_example(triage: Triage, text: str, risk: str, themes: list[str], family: str) -> None:
    res = triage.classify(text)
    assert res.risk.value == risk, (family, res.reasons)
    # the expected themes are found (a few extra ones are tolerated in unit tests)
    assert set(themes) <= set(res.themes), (res.themes, res.reasons)


@pytest.mark.parametrize("frags,risk", BURSTS, ids=[" / ".join(b[0])[:40] for b in BURSTS])
def test_burst_example(triage: Triage, frags: list[str], risk: str) -> None:
    assert triage.classify_burst(frags).risk.value == risk


def test_every_risk_decision_has_reasons(triage: Triage) -> None:
    for text, risk, _themes, _family in EXAMPLES:
        res = triage.classify(text)
        if res.risk is not Risk.NONE:
            assert any(r.startswith("risque") for r in res.reasons), text
            assert res.risk_families, text
        for theme in res.themes:
            assert any(r.startswith(f"thème {theme}") for r in res.reasons), (text, theme)


def test_result_shape_and_json(triage: Triage) -> None:
    res = triage.classify("jveux mourir, jcherche un taf")
    assert isinstance(res, TriageResult)
    assert isinstance(res.themes, tuple) and isinstance(res.reasons, tuple)
    assert isinstance(res.risk_families, tuple)
    data = res.to_json()
    assert set(data) == {"themes", "risk", "reasons"}
    assert data["risk"] == "elevated"
    assert "emploi" in data["themes"] and "sante_mentale" in data["themes"]
    json.dumps(data, ensure_ascii=False)


def test_reasons_quote_the_young_persons_words(triage: Triage) -> None:
    res = triage.classify("Je veux dormir et plus me réveiller")
    assert any('dormir et plus me réveiller"' in r for r in res.reasons)  # original spelling
    res = triage.classify("wsh jcherche un taf, faut que je refasse mon CV")
    assert any(r.startswith("thème emploi") and "CV" in r for r in res.reasons)


def test_risk_ordering() -> None:
    assert Risk.NONE.rank < Risk.ELEVATED.rank < Risk.IMMINENT.rank
    assert Risk.max(Risk.NONE, "imminent", Risk.ELEVATED) is Risk.IMMINENT
    assert Risk.max() is Risk.NONE
    assert Risk.from_rank(1) is Risk.ELEVATED
    assert sorted([Risk.IMMINENT, Risk.NONE, Risk.ELEVATED], key=lambda r: r.rank)[0] is Risk.NONE
    assert Risk("elevated") == "elevated"


def test_empty_and_odd_inputs(triage: Triage) -> None:
    for text in ("", "   ", "...", "😀😀", "1234", "?!?!", "a" * 5000, "\n\n"):
        res = triage.classify(text)
        assert res.risk is Risk.NONE
    assert triage.classify_burst([]).risk is Risk.NONE
    assert triage.classify_burst(["", "  "]).risk is Risk.NONE


def test_long_message_buries_the_key_sentence(triage: Triage) -> None:
    filler = ("bon alors aujourd'hui j'ai eu cours toute la journée, on a fait des maths et de "
              "l'anglais, à la cantine c'était des pâtes, après j'ai vu mes potes au parc. ")
    text = filler * 3 + "des fois je me dis que tout le monde serait mieux sans moi. " + filler * 3
    res = triage.classify(text)
    assert res.risk is Risk.ELEVATED
    assert "sante_mentale" in res.themes


def test_thread_safe_shared_instance(triage: Triage) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [e[0] for e in EXAMPLES] * 5
    expected = [triage.classify(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(triage.classify, texts))
    assert got == expected


def test_cli_one_json_object_per_line() -> None:
    stdin = io.StringIO("jveux mourir\nje cherche un stage\n\nmort de rire\n")
    stdout = io.StringIO()
    assert run_cli(stdin, stdout) == 0
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 4
    first, second, empty, third = (json.loads(x) for x in lines)
    assert first["risk"] == "elevated" and first["reasons"]
    assert second["risk"] == "none" and "emploi" in second["themes"]
    assert empty == {"themes": [], "risk": "none", "reasons": []}
    assert third["risk"] == "none"


@pytest.mark.parametrize("text,risk", PARAPHRASES, ids=[p[0][:40] for p in PARAPHRASES])
def test_paraphrase(triage: Triage, text: str, risk: str) -> None:
    assert triage.classify(text).risk.value == risk


def test_theme_paraphrases_micro_f1(triage: Triage) -> None:
    tp = fp = fn = 0
    for text, gold in THEME_PARAPHRASES:
        pred = set(triage.classify(text).themes)
        tp += len(pred & set(gold))
        fp += len(pred - set(gold))
        fn += len(set(gold) - pred)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.85
    assert recall >= 0.9
