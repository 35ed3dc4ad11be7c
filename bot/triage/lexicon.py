"""Loading the triage lexicons (``config/triage/*.yaml``) into compiled, immutable structures.

Files (each documents its own format in its header):

- ``normalization.yaml``  SMS spelling, slang, elisions, multiword expressions, emojis
- ``themes.yaml``         one lexicon per theme code (words and phrases with weights)
- ``risk.yaml``           risk families (patterns, level, label, themes), vocabularies,
                          combination rules (e.g. intention + means + "ce soir" -> imminent) and
                          bags of alarm words (word_scores: distinct words add up to a threshold)
- ``false_friends.yaml``  hyperbole spans that are not risk ("mort de rire") and contexts that
                          discount some families (film, song lyrics, video game, school essay)
- ``negation.yaml``       negation words and what a negation does to a risk family
- ``learned_net.yaml``    optional safety net: word weights learned from the tuning examples
                          (``bench/triage_eval.py --learn``); a message that no rule flags but
                          whose words add up to the threshold is flagged "elevated, à vérifier"
- ``learned_themes.yaml`` optional theme scorer learned from the tuning examples
                          (``bench/triage_eval.py --learn-themes``); adds a theme the lexicons
                          missed (see ``theme_model.py``)
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .normalize import Normalizer, fold
from .patterns import PatternError, PatternSet, compile_pattern
from .theme_model import Background, ThemeModel, load_background, load_theme_model

LEVELS = ("none", "elevated", "imminent")
SCOPES = ("message", "sentence", "near", "quoted")


class LexiconError(ValueError):
    """A lexicon file that is missing, malformed or refers to something unknown."""


def default_config_dir() -> Path:
    """``config/triage`` next to the ``config`` package (falls back to the repository layout)."""
    try:
        spec = importlib.util.find_spec("config")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            cand = Path(loc) / "triage"
            if cand.is_dir():
                return cand
    return Path(__file__).resolve().parents[2] / "config" / "triage"


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    """Plain scalars stay text: in a lexicon "on", "no", "115" or "3114" are words, not a
    boolean or a number (numbers and flags are converted where the loader expects them)."""


_TextLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return str(value).strip().lower() in ("true", "yes", "1", "on")


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_TextLoader) or {}
    except FileNotFoundError as exc:
        raise LexiconError(f"missing lexicon file {path}") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path.name}: expected a mapping at top level")
    return data


def _entries(raw: Any, where: str) -> list[tuple[str, float | None]]:
    """A list of patterns; an item may be ``"pattern"`` or ``{"pattern": weight}``."""
    out: list[tuple[str, float | None]] = []
    for item in raw or ():
        if isinstance(item, str):
            out.append((item, None))
        elif isinstance(item, dict) and len(item) == 1:
            (k, v), = item.items()
            out.append((str(k), float(v)))
        else:
            raise LexiconError(f"{where}: cannot read entry {item!r}")
    return out


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    level: str  # none (a cue: counts only inside a combination) / elevated / imminent
    themes: tuple[str, ...] = ()
    negation: str = "cap"  # cap: imminent -> elevated, never below; keep; drop
    theme_weights: Mapping[str, float] = field(default_factory=dict)
    reason: bool = True  # whether a lone cue is listed among the reasons
    hyperbole: bool = True  # False: a hyperbole span ("crever si je rate") never drops a hit


@dataclass(frozen=True)
class Combo:
    family: str
    label: str
    level: str
    groups: tuple[tuple[str, ...], ...]  # every group must have a hit (any family of the group)
    within: int
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    name: str
    label: str
    scope: Mapping[str, str]  # family -> message / sentence / near / quoted: hit dropped
    near: int
    caps: Mapping[str, str] = field(default_factory=dict)  # family -> scope: imminent -> elevated


@dataclass(frozen=True)
class Theme:
    code: str
    label: str


@dataclass(frozen=True)
class Lexicon:
    normalizer: Normalizer
    patterns: PatternSet
    themes: tuple[Theme, ...]
    theme_threshold: float
    max_themes: int
    second_theme_ratio: float
    locatives: frozenset[tuple[str, ...]]
    locative_factor: float
    locative_themes: frozenset[str]
    families: Mapping[str, Family]
    combos: tuple[Combo, ...]
    contexts: Mapping[str, Context]
    negators: frozenset[str]
    negator_prefixes: tuple[str, ...]
    negation_window: int
    clause_starts: frozenset[str] = frozenset()
    counts: Mapping[str, int] = field(default_factory=dict)
    word_scores: tuple["WordScore", ...] = ()
    learned: "LearnedNet | None" = None
    theme_model: ThemeModel | None = None
    background: Background | None = None


@dataclass(frozen=True)
class WordScore:
    """A bag of alarm words: when the distinct words of one group found in a message add up to
    `threshold`, the message gets the group's family (e.g. "lame" + "bras" + "sang")."""

    family: str
    threshold: float
    words: Mapping[str, float]  # exact words
    prefixes: Mapping[str, float]  # "scarif*" -> words starting with "scarif"


@dataclass(frozen=True)
class LearnedNet:
    """Word weights learned from the labelled tuning examples (a logistic regression over the
    normalised words and pairs of adjacent words). Only used when no rule found a risk and no
    hyperbole or fiction context is present: a last safety net, always "à vérifier"."""

    family: str
    label: str
    bias: float
    threshold: float
    weights: Mapping[str, float]  # "mot" or "mot1 mot2" (normalised tokens)


def _load_learned(path: Path) -> "LearnedNet | None":
    if not path.exists():
        return None
    data = _load_yaml(path)
    weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
    if not weights:
        return None
    return LearnedNet(str(data.get("family", "learned_net")),
                      str(data.get("label", "message proche de messages à risque")),
                      float(data.get("bias", 0.0)), float(data.get("threshold", 1.0)), weights)


def build_normalizer(data: Mapping[str, Any]) -> Normalizer:
    words: dict[str, str] = {}
    for section in ("sms", "slang", "typos", "words"):
        for k, v in (data.get(section) or {}).items():
            words[str(k)] = "" if v is None else str(v)
    return Normalizer(
        words=words,
        elisions={str(k): str(v) for k, v in (data.get("elisions") or {}).items()},
        phrases={str(k): str(v) for k, v in (data.get("phrases") or {}).items()},
        emojis={str(k): str(v) for k, v in (data.get("emojis") or {}).items()},
        drop=[str(w) for w in data.get("drop") or ()],
    )


def load_lexicon(directory: Path | None = None) -> Lexicon:
    d = Path(directory) if directory is not None else default_config_dir()
    norm_data = _load_yaml(d / "normalization.yaml")
    theme_data = _load_yaml(d / "themes.yaml")
    risk_data = _load_yaml(d / "risk.yaml")
    ff_data = _load_yaml(d / "false_friends.yaml")
    neg_data = _load_yaml(d / "negation.yaml")

    normalizer = build_normalizer(norm_data)
    pset = PatternSet()
    counts: dict[str, int] = {}

    def add(src: str, vocab: Mapping[str, Any], meta: dict[str, Any], where: str) -> None:
        try:
            for part in _split_alternatives(src):
                pat, first, gate = compile_pattern(part, normalizer, vocab, meta)
                pset.add(pat, first, gate)
        except PatternError as exc:
            raise LexiconError(f"{where}: {exc}") from exc
        counts[where.split(":")[0]] = counts.get(where.split(":")[0], 0) + 1

    # -- themes --
    themes: list[Theme] = []
    threshold = float(theme_data.get("threshold", 1.0))
    weak_w = float(theme_data.get("weak_weight", 0.5))
    theme_vocab = _vocab(theme_data, "themes.yaml")
    for code, spec in (theme_data.get("themes") or {}).items():
        if not isinstance(spec, dict):
            raise LexiconError(f"themes.yaml: theme {code} must be a mapping")
        themes.append(Theme(str(code), str(spec.get("label", code))))
        for key, default_w in (("strong", 1.0), ("weak", weak_w)):
            for src, w in _entries(spec.get(key), f"themes.yaml:{code}.{key}"):
                add(src, theme_vocab,
                    {"kind": "theme", "theme": str(code), "weight": default_w if w is None else w},
                    f"themes.yaml:{code}")
    theme_codes = {t.code for t in themes}

    # -- risk families --
    vocab = _vocab(risk_data, "risk.yaml")
    families: dict[str, Family] = {}
    for name, spec in (risk_data.get("families") or {}).items():
        if not isinstance(spec, dict):
            raise LexiconError(f"risk.yaml: family {name} must be a mapping")
        level = str(spec.get("level", "elevated"))
        if level not in LEVELS:
            raise LexiconError(f"risk.yaml: family {name}: unknown level {level!r}")
        fam_themes, fam_weights = _theme_weights(spec.get("themes"))
        for t in fam_themes:
            if t not in theme_codes:
                raise LexiconError(f"risk.yaml: family {name}: unknown theme {t!r}")
        negation = str(spec.get("negation", "cap"))
        if negation not in ("cap", "keep", "drop"):
            raise LexiconError(f"risk.yaml: family {name}: negation must be cap, keep or drop")
        families[str(name)] = Family(str(name), str(spec.get("label", name)), level, fam_themes,
                                     negation=negation,
                                     reason=_flag(spec.get("reason"), level != "none"),
                                     hyperbole=str(spec.get("hyperbole", "drop")) != "ignore",
                                     theme_weights=fam_weights)
        for src, _w in _entries(spec.get("patterns"), f"risk.yaml:{name}"):
            add(src, vocab, {"kind": "risk", "family": str(name)}, f"risk.yaml:{name}")

    combos: list[Combo] = []
    for i, spec in enumerate(risk_data.get("combinations") or ()):
        where = f"risk.yaml: combination #{i + 1}"
        try:
            groups = tuple(
                tuple(str(x) for x in (g if isinstance(g, list) else [g])) for g in spec["all"]
            )
            fam = str(spec["family"])
        except (KeyError, TypeError) as exc:
            raise LexiconError(f"{where}: needs 'family' and 'all'") from exc
        for g in groups:
            for f in g:
                if f not in families:
                    raise LexiconError(f"{where}: unknown family {f!r}")
        level = str(spec.get("level", "elevated"))
        if level not in LEVELS[1:]:
            raise LexiconError(f"{where}: level must be elevated or imminent")
        c_themes, c_weights = _theme_weights(spec.get("themes"))
        for t in c_themes:
            if t not in theme_codes:
                raise LexiconError(f"{where}: unknown theme {t!r}")
        label = str(spec.get("label", fam))
        combos.append(Combo(fam, label, level, groups, int(spec.get("within", 30)), c_themes))
        # a combination's family can be used by later combinations and by the help lines
        if fam not in families:
            families[fam] = Family(fam, label, level, c_themes, theme_weights=c_weights)

    # -- false friends --
    ff_vocab = _vocab(ff_data, "false_friends.yaml")
    for name, spec in (ff_data.get("hyperbole") or {}).items():
        label = str(spec.get("label", name)) if isinstance(spec, dict) else str(name)
        pats = spec.get("patterns") if isinstance(spec, dict) else spec
        for src, _w in _entries(pats, f"false_friends.yaml:{name}"):
            add(src, ff_vocab, {"kind": "neutral", "group": str(name), "label": label},
                f"false_friends.yaml:{name}")
    contexts: dict[str, Context] = {}
    for name, spec in (ff_data.get("contexts") or {}).items():
        if not isinstance(spec, dict):
            raise LexiconError(f"false_friends.yaml: context {name} must be a mapping")
        scope: dict[str, str] = {}
        for fam, sc in (spec.get("discounts") or {}).items():
            if fam not in families:
                raise LexiconError(f"false_friends.yaml: context {name}: unknown family {fam!r}")
            if sc not in SCOPES:
                raise LexiconError(f"false_friends.yaml: context {name}: scope must be one of {SCOPES}")
            scope[str(fam)] = str(sc)
        caps: dict[str, str] = {}
        for fam, sc in (spec.get("caps") or {}).items():
            if fam not in families:
                raise LexiconError(f"false_friends.yaml: context {name}: unknown family {fam!r}")
            if sc not in SCOPES:
                raise LexiconError(f"false_friends.yaml: context {name}: scope must be one of {SCOPES}")
            caps[str(fam)] = str(sc)
        contexts[str(name)] = Context(str(name), str(spec.get("label", name)), scope,
                                      int(spec.get("near", 5)), caps)
        for src, _w in _entries(spec.get("patterns"), f"false_friends.yaml:{name}"):
            add(src, ff_vocab, {"kind": "context", "context": str(name)},
                f"false_friends.yaml:{name}")

    # -- spelling: words one letter away from a lexicon word are read as that word --
    literals: set[str] = set()
    for p in pset.patterns:
        literals.update(p.literals)
    normalizer.set_spelling_vocabulary(literals, int(norm_data.get("typo_min_length", 6)))

    # -- bags of alarm words --
    word_scores: list[WordScore] = []
    for name, spec in (risk_data.get("word_scores") or {}).items():
        fam = str(spec.get("family", name))
        if fam not in families:
            raise LexiconError(f"risk.yaml: word_scores {name}: unknown family {fam!r}")
        words: dict[str, float] = {}
        prefixes: dict[str, float] = {}
        for raw, w in (spec.get("words") or {}).items():
            raw = str(raw)
            target = prefixes if raw.endswith("*") else words
            toks = normalizer.words(raw.rstrip("*"))
            if len(toks) != 1:
                raise LexiconError(f"risk.yaml: word_scores {name}: {raw!r} must be one word")
            target[toks[0] if not raw.endswith("*") else fold(raw.rstrip("*"))] = float(w)
        word_scores.append(WordScore(fam, float(spec.get("threshold", 2.0)), words, prefixes))

    # -- learned safety net (optional) --
    learned = _load_learned(d / "learned_net.yaml")
    if learned is not None and learned.family not in families:
        families[learned.family] = Family(learned.family, learned.label, "elevated", ())

    # -- learned theme scorer (optional) --
    try:
        theme_model = load_theme_model(d / "learned_themes.yaml", [t.code for t in themes],
                                       _load_yaml)
    except ValueError as exc:
        raise LexiconError(str(exc)) from exc

    # -- negation --
    negs = [fold(str(w)) for w in neg_data.get("negators") or ()]
    return Lexicon(
        normalizer=normalizer,
        patterns=pset,
        themes=tuple(themes),
        theme_threshold=threshold,
        max_themes=int(theme_data.get("max_themes", 13)),
        second_theme_ratio=float(theme_data.get("other_themes_ratio", 0.0)),
        locatives=frozenset(tuple(normalizer.words(str(w)))
                            for w in theme_data.get("locatives") or ()),
        locative_factor=float(theme_data.get("locative_factor", 1.0)),
        locative_themes=frozenset(str(t) for t in theme_data.get("locative_themes") or ()),
        families=families,
        combos=tuple(combos),
        contexts=contexts,
        negators=frozenset(w for w in negs if not w.endswith("*")),
        negator_prefixes=tuple(w.rstrip("*") for w in negs if w.endswith("*")),
        negation_window=int(neg_data.get("window_before", 3)),
        clause_starts=frozenset(
            w for item in neg_data.get("clause_starts") or () for w in normalizer.words(str(item))
        ),
        counts=counts,
        word_scores=tuple(word_scores),
        learned=learned,
        theme_model=theme_model,
        background=load_background(theme_data.get("background") or {}, normalizer.words),
    )





_PURE_ALT = re.compile(r"^\((?:[^()|@#?.…]+\|)+[^()|@#?.…]+\)$")


def _split_alternatives(src: str) -> list[str]:
    """ "(viol|viols|agression sexuelle)" is matched faster as two patterns: the one-word
    alternatives need no regex at all (see patterns.PatternSet.match). Same meaning."""
    src = str(src).strip()
    if not _PURE_ALT.match(src):
        return [src]
    branches = [b.strip() for b in src[1:-1].split("|")]
    singles = [b for b in branches if b and " " not in b and "'" not in b and "-" not in b]
    multis = [b for b in branches if b not in singles]
    if not singles or not multis:
        return [src]
    return ["(" + "|".join(singles) + ")", "(" + "|".join(multis) + ")"]


def _theme_weights(raw: Any) -> tuple[tuple[str, ...], dict[str, float]]:
    """``[a, b]`` (each counts as a full theme word) or ``{a: 1.0, b: 0.5}``."""
    if not raw:
        return (), {}
    if isinstance(raw, dict):
        weights = {str(k): float(v) for k, v in raw.items()}
        return tuple(weights), weights
    return tuple(str(t) for t in raw), {}


def _vocab(data: Mapping[str, Any], where: str) -> dict[str, list[str]]:
    raw = data.get("vocabulary") or {}
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: 'vocabulary' must be a mapping of lists")
    out: dict[str, list[str]] = {}
    for k, v in raw.items():
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise LexiconError(f"{where}: vocabulary {k} must be a list of strings")
        out[str(k)] = v
    return out
