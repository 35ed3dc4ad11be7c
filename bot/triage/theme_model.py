"""A learned, explainable complement to the theme lexicons (``config/triage/learned_themes.yaml``).

Per theme, a linear score over the normalised words of the message and the pairs of adjacent
words: ``bias + sum of the weights of the words present``. The weights are fitted on the
labelled tuning examples by ``bench/triage_eval.py --learn-themes`` (a logistic regression per
theme) and each theme's threshold is picked by 5-fold cross-validation on the same examples,
for the rules and the scorer together.

It never removes anything the lexicons decided: it only adds a theme the lexicons missed when
the message still has room for one, and the heaviest words it used are the reason shown to
educators ("thème logement: "f2", "on est 6" (mots proches des exemples)").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import re
from bisect import bisect_right

from .normalize import SENTENCE_BREAK, Normalized

# Words too common to explain anything alone: they are only learned inside a pair of words
# ("mon taf", "en cours"), so that every reason names a word that means something.
STOP = frozenset(
    "je j tu il elle on nous vous ils elles me m te t se s le la les l un une des de du d a au "
    "aux et est ai as ont suis es sont pas plus que qu qui ce c ca sa son ses mon ma mes ton ta "
    "tes leur en y dans pour avec sur par sans mais ou donc car si quand comme tout tous toute "
    "toutes trop tres bien moi toi lui eux rien quoi alors aussi encore deja juste meme cette "
    "cet ces ya eu fait faire avoir etre ete apres avant depuis fois jour jours veux veut peux "
    "peut sais sait va vais vas dit dis fais moi ok oui non bon bah ben genre grave vraiment "
    "quelque chose chose truc trucs".split())


def features(tokens: Sequence[str]) -> Iterator[tuple[str, int, int]]:
    """(feature, index of its last token, number of extra tokens) for each word that is not a
    stop word nor a number, and for each pair of adjacent words (not two stop words) inside one
    sentence. The same function serves learning and scoring."""
    prev = ""
    for i, t in enumerate(tokens):
        if t == SENTENCE_BREAK:
            prev = ""
            continue
        if t not in STOP and not t.isdigit():
            yield t, i, 0
        if prev and not (prev in STOP and t in STOP):
            yield prev + " " + t, i, 1
        prev = t


@dataclass(frozen=True)
class ThemeModel:
    bias: Mapping[str, float]  # theme -> bias
    threshold: Mapping[str, float]  # theme -> score needed to add the theme
    weights: Mapping[str, tuple[tuple[str, float], ...]]  # feature -> ((theme, weight), ...)
    only_when_empty: bool = False  # add a theme only when the lexicons found none
    # first word -> second words of the pairs that carry a weight (built from ``weights``)
    pairs: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.pairs is None:
            firsts: dict[str, set[str]] = {}
            for feat in self.weights:
                a, sep, b = feat.partition(" ")
                if sep:
                    firsts.setdefault(a, set()).add(b)
            object.__setattr__(self, "pairs", {k: frozenset(v) for k, v in firsts.items()})

    def _hits(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """(feature, last token, extra tokens) of the weighted features of the message, each
        once. Same features as :func:`features`, without building the pairs that weigh
        nothing (stop words carry no weight of their own)."""
        w = self.weights
        pairs = self.pairs
        found: list[tuple[str, int, int]] = []
        seen: set[str] = set()
        prev = ""
        for i, t in enumerate(tokens):
            if t == SENTENCE_BREAK:
                prev = ""
                continue
            if t in w and t not in seen:
                seen.add(t)
                found.append((t, i, 0))
            if prev:
                second = pairs.get(prev)
                if second is not None and t in second:
                    key = prev + " " + t
                    if key not in seen:
                        seen.add(key)
                        found.append((key, i, 1))
            prev = t
        return found

    def scores(self, tokens: Sequence[str], skip: Sequence[str] = ()) -> dict[str, float]:
        """theme -> score, for every theme not in ``skip`` that reaches its threshold."""
        return self._scores(self._hits(tokens), skip)

    def _scores(self, hits: list[tuple[str, int, int]], skip: Sequence[str]) -> dict[str, float]:
        w = self.weights
        acc = dict(self.bias)
        for feat, _i, _n in hits:
            for theme, v in w[feat]:
                if theme in acc:
                    acc[theme] += v
        th = self.threshold
        return {t: s for t, s in acc.items() if s >= th[t] and t not in skip}

    def extra_themes(self, tokens: Sequence[str], chosen: Sequence[str], room: int
                     ) -> list[tuple[str, list[tuple[int, int]]]]:
        """The themes to add (best margin over its threshold first, at most ``room``), each with
        the spans (first, last token) of its heaviest words, for the reason."""
        if room <= 0 or (self.only_when_empty and chosen):
            return []
        hits = self._hits(tokens)
        if not hits:
            return []
        found = self._scores(hits, chosen)
        if not found:
            return []
        ranked = sorted(found, key=lambda t: -(found[t] - self.threshold[t]))[:room]
        out = []
        w = self.weights
        for t in ranked:
            contrib = [(v, i, n) for feat, i, n in hits for theme, v in w[feat]
                       if theme == t and v > 0]
            top = sorted(contrib, key=lambda c: -c[0])[:3]
            out.append((t, [(i - n, i) for _w, i, n in top]))
        return out


def load_theme_model(path: Path, theme_codes: Sequence[str], load_yaml: Any
                     ) -> ThemeModel | None:
    """The scorer in ``path`` (None when the file is absent or empty). ``load_yaml`` reads a
    YAML file the way the other lexicon files are read."""
    if not path.exists():
        return None
    data = load_yaml(path)
    themes = data.get("themes") or {}
    codes = set(theme_codes)
    bias: dict[str, float] = {}
    threshold: dict[str, float] = {}
    by_feature: dict[str, list[tuple[str, float]]] = {}
    for code, spec in themes.items():
        code = str(code)
        if code not in codes:
            raise ValueError(f"{path.name}: unknown theme {code!r}")
        if spec.get("threshold") is None:
            continue  # this theme is left to the lexicons
        bias[code] = float(spec.get("bias", 0.0))
        threshold[code] = float(spec["threshold"])
        for feat, v in (spec.get("weights") or {}).items():
            by_feature.setdefault(str(feat), []).append((code, float(v)))
    if not threshold:
        return None
    only = str(data.get("only_when_empty", "false")).strip().lower() in ("true", "yes", "1")
    return ThemeModel(bias, threshold, {k: tuple(v) for k, v in by_feature.items()}, only)


_CLAUSE_PUNCT = frozenset(",;.!?…:\n")


@dataclass(frozen=True)
class Background:
    """Words that say a part of one's life is fine ("les cours ça va", "tout roule"): in a
    message that goes on to something else, the theme words said before them (up to the end of
    their clause) are background, and weigh ``factor`` times less. Likewise in a long message
    (``min_tokens``), a sentence that opens on a turn ("Mais le truc c'est que...") leaves what
    was said before it as background."""

    markers: Mapping[str, tuple[tuple[str, ...], ...]]  # first word -> markers, longest first
    not_after: frozenset[str]  # "ça va pas", "ça se passe mal"
    clause_ends: frozenset[tuple[str, ...]]  # "sauf que", "mais": the clause stops there
    factor: float
    turns: Mapping[str, tuple[tuple[str, ...], ...]] = None  # type: ignore[assignment]
    min_tokens: int = 20

    def __post_init__(self) -> None:
        # one regex per kind over the normalised text (" tok tok ... "): C speed, no token loop
        def alternation(groups: Mapping[str, tuple[tuple[str, ...], ...]] | None) -> str:
            phrases = sorted({" ".join(m) for ms in (groups or {}).values() for m in ms},
                             key=len, reverse=True)
            return "|".join(re.escape(x) for x in phrases)

        marks = alternation(self.markers)
        turns = alternation(self.turns)
        object.__setattr__(self, "_marker_re",
                           re.compile(f"(?<= )(?:{marks})(?= )") if marks else None)
        object.__setattr__(self, "_turn_re",
                           re.compile(f"(?<= )\\{SENTENCE_BREAK} (?:{turns})(?= )")
                           if turns else None)

    def cut(self, norm: Normalized) -> int:
        """Index of the last background token of the message (-1 when there is none)."""
        tokens, offsets, text = norm.tokens, norm.offsets, norm.text
        cut = -1
        n = len(tokens)
        turn_re = self._turn_re  # type: ignore[attr-defined]
        if turn_re is not None and n >= self.min_tokens:
            for m in turn_re.finditer(text):
                dot = bisect_right(offsets, m.start()) - 1
                cut = max(cut, dot - 1)
        marker_re = self._marker_re  # type: ignore[attr-defined]
        if marker_re is None:
            return cut
        for m in marker_re.finditer(text):
            last = bisect_right(offsets, m.end() - 1) - 1
            if last + 1 < n and tokens[last + 1] in self.not_after:
                continue
            cut = max(cut, self._clause_end(tokens, norm.spans, norm.original, last))
        return cut

    def _clause_end(self, tokens: Sequence[str], spans: Sequence[tuple[int, int]],
                    original: str, j: int) -> int:
        n = len(tokens)
        while j + 1 < n:
            if tokens[j + 1] == SENTENCE_BREAK:
                return j
            gap = original[spans[j][1]:spans[j + 1][0]]
            if any(ch in _CLAUSE_PUNCT for ch in gap):
                return j
            if any(tuple(tokens[j + 1:j + 1 + len(e)]) == e for e in self.clause_ends):
                return j
            j += 1
        return j


def load_background(data: Mapping[str, Any], words: Any) -> Background | None:
    """The ``background`` section of themes.yaml; ``words`` normalises a phrase to tokens."""
    if not data or not data.get("markers"):
        return None
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for m in sorted({tuple(words(str(m))) for m in data["markers"]}, key=len, reverse=True):
        if m:
            by_first.setdefault(m[0], []).append(m)
    not_after = frozenset(t for w in data.get("not_after") or () for t in words(str(w)))
    ends = frozenset(tuple(words(str(w))) for w in data.get("clause_ends") or ())
    turns: dict[str, list[tuple[str, ...]]] = {}
    for m in sorted({tuple(words(str(m))) for m in data.get("turns") or ()}, key=len,
                    reverse=True):
        if m:
            turns.setdefault(m[0], []).append(m)
    return Background({k: tuple(v) for k, v in by_first.items()}, not_after,
                      frozenset(e for e in ends if e), float(data.get("factor", 0.3)),
                      {k: tuple(v) for k, v in turns.items()},
                      int(data.get("min_tokens", 20)))
