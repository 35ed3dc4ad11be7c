"""The YAML lexicons load, every pattern compiles, and the pattern language behaves."""

from __future__ import annotations

from pathlib import Path
import shutil

import pytest
import yaml

from bot.triage import Triage
from bot.triage.lexicon import LexiconError, default_config_dir, load_lexicon
from bot.triage.normalize import Normalizer
from bot.triage.patterns import PatternError, PatternSet, compile_pattern

FILES = ("normalization.yaml", "themes.yaml", "risk.yaml", "false_friends.yaml", "negation.yaml")
THEMES = ("emploi", "scolarite_formation", "logement", "sante", "sante_mentale", "sexualite",
          "violences", "addictions", "droits_argent", "famille", "justice", "mobilite",
          "loisirs_engagement")


def test_files_exist_and_have_a_header() -> None:
    d = default_config_dir()
    for name in FILES:
        text = (d / name).read_text(encoding="utf-8")
        assert text.startswith("# "), f"{name} must start with a comment header for coordinators"
        assert "extend" in text.lower() or "how to" in text.lower() or name == "negation.yaml"
        yaml.safe_load(text)


def test_every_pattern_compiles() -> None:
    lex = load_lexicon()  # raises LexiconError naming the file and pattern on any problem
    assert len(lex.patterns) > 500
    for p in lex.patterns.patterns:
        assert p.regex.pattern


def test_the_thirteen_themes_are_there() -> None:
    lex = load_lexicon()
    assert tuple(t.code for t in lex.themes) == THEMES


def test_every_family_has_patterns_and_a_label() -> None:
    lex = load_lexicon()
    with (default_config_dir() / "risk.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    scored = {str(spec.get("family")) for spec in (data.get("word_scores") or {}).values()}
    for name, spec in data["families"].items():
        assert spec.get("patterns") or name in scored, name
        assert spec.get("label"), name
    for name, fam in lex.families.items():
        assert fam.level in ("none", "elevated", "imminent"), name
        for t in fam.themes:
            assert t in THEMES


def test_contexts_refer_to_known_families() -> None:
    lex = load_lexicon()
    for ctx in lex.contexts.values():
        for fam in ctx.scope:
            assert fam in lex.families


def test_a_broken_pattern_is_reported_with_its_file(tmp_path: Path) -> None:
    d = tmp_path / "triage"
    shutil.copytree(default_config_dir(), d)
    risk = d / "risk.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace(
        "      - je ...3 @want ...2 @die\n", "      - je (veux|mourir\n", 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="risk.yaml"):
        load_lexicon(d)


def test_unknown_vocabulary_is_reported(tmp_path: Path) -> None:
    d = tmp_path / "triage"
    shutil.copytree(default_config_dir(), d)
    risk = d / "risk.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace(
        "      - je ...3 @want ...2 @die\n", "      - je @nothing\n", 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="nothing"):
        load_lexicon(d)


def test_a_coordinator_can_extend_a_lexicon(tmp_path: Path) -> None:
    d = tmp_path / "triage"
    shutil.copytree(default_config_dir(), d)
    themes = d / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    text = text.replace("  mobilite:\n    label: mobilité\n    strong:\n",
                        "  mobilite:\n    label: mobilité\n    strong:\n      - trottinette électrique\n", 1)
    themes.write_text(text, encoding="utf-8")
    t = Triage.from_config(d)
    assert "mobilite" in t.classify("jveux une trotinette electrique".replace("trotinette", "trottinette")).themes


# -- the pattern language ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer(words={"jveux": "je veux", "medocs": "medicaments", "jai": "je ai"},
                      elisions={"j": "je"}, drop=["ne"])


def match(norm: Normalizer, pattern: str, text: str, vocab=None) -> bool:
    ps = PatternSet()
    p, first, gate = compile_pattern(pattern, norm, vocab or {})
    ps.add(p, first, gate)
    return bool(ps.match(norm.normalize(text)))


def test_words_alternatives_wildcards(norm: Normalizer) -> None:
    assert match(norm, "(veux|voudrais) mourir", "je voudrais mourir")
    assert match(norm, "medic*", "jai des medocs")  # slang mapped before matching
    assert match(norm, "suicid*", "idées suicidaires")
    assert not match(norm, "suicid*", "un suicidé".replace("suicidé", "sui cidé"))
    assert not match(norm, "pont", "pontoise")  # whole words only


def test_gaps(norm: Normalizer) -> None:
    assert match(norm, "veux ... mourir", "jveux vraiment trop mourir")
    assert not match(norm, "veux ... mourir", "jveux un deux trois quatre mourir")
    assert match(norm, "veux ...5 mourir", "jveux un deux trois quatre mourir")
    assert not match(norm, "veux ... mourir", "jveux. mourir")  # not across a sentence end


def test_alternatives_match_through_any_branch_whatever_the_index(norm: Normalizer) -> None:
    # The index tries a pattern only on messages holding a word it needs; for an alternative
    # that is a word of each branch ("mourir" or "tuer"), and every branch must still match.
    pattern = "je (vais|veux) (mourir|me tuer|en finir|me jeter sous un train)"
    assert match(norm, pattern, "jveux me tuer")
    assert match(norm, pattern, "je vais en finir")
    assert match(norm, pattern, "je vais me jeter sous un train")
    assert match(norm, pattern, "jveux mourir")
    assert not match(norm, pattern, "je vais me coucher")
    _, _, gate = compile_pattern(pattern, norm, {})
    assert ("lit", "me") not in gate and ("lit", "je") not in gate  # not gated by common words


def test_optional_and_vocabulary(norm: Normalizer) -> None:
    vocab = {"pills": ["medicament*", "cachet*"]}
    assert match(norm, "(tous)? mes @pills", "tous mes cachets", vocab)
    assert match(norm, "(tous)? mes @pills", "mes medocs", vocab)
    assert match(norm, "# @pills", "20 cachets", vocab)
    assert not match(norm, "# @pills", "vingt cachets", vocab)


def test_accents_elisions_and_ne_in_patterns(norm: Normalizer) -> None:
    assert match(norm, "j'ai pris", "jai pris")
    assert match(norm, "je ne veux plus", "jveux plus")
    assert match(norm, "réveiller", "REVEILLER")


def test_bad_patterns(norm: Normalizer) -> None:
    for bad in ("(a|b", "a)", "? a", "...", "@missing", "med**x"):
        with pytest.raises(PatternError):
            compile_pattern(bad, norm, {})


def test_no_pattern_is_cut_by_a_yaml_comment() -> None:
    """In YAML, " #" starts a comment: a pattern holding "#" (any number) must be quoted."""
    import re

    for name in ("risk.yaml", "themes.yaml", "false_friends.yaml"):
        for n, line in enumerate((default_config_dir() / name).read_text(encoding="utf-8")
                                 .splitlines(), 1):
            m = re.match(r"^\s*- (.*)$", line)
            if not m or line.lstrip().startswith("#"):
                continue
            body = m.group(1)
            if body[:1] not in ("'", '"') and " #" in body:
                raise AssertionError(f"{name}:{n}: quote this pattern (' #' starts a comment)")
