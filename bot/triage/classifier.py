"""The triage classifier: themes and risk level of one message (or of one burst of fragments).

Pure and explainable: every decision comes with the words that triggered it. All the knowledge
lives in ``config/triage/*.yaml``; this module only applies it:

1. normalise the text (SMS spelling, slang, accents, emojis...);
2. find every lexicon pattern in it (themes, risk families, hyperbole spans, contexts);
3. drop risk hits that sit inside a hyperbole span ("mort de rire") or that a context discounts
   ("dans le film", song lyrics...); a negation never removes risk, it only caps it at elevated;
4. apply the combination rules (intention + means + "ce soir" -> imminent) inside a window of
   tokens, which also works across the fragments of one burst;
5. score the themes (the risk families add their own themes).
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .lexicon import Combo, Lexicon, default_config_dir, load_lexicon
from .normalize import SENTENCE_BREAK, Normalized, join_burst
from .patterns import Hit, Pattern


class Risk(enum.StrEnum):
    NONE = "none"
    ELEVATED = "elevated"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        """Severity as a number (none 0 < elevated 1 < imminent 2) for comparisons and sorting."""
        return _RANK[self.value]

    @classmethod
    def from_rank(cls, rank: int) -> "Risk":
        return _BY_RANK[max(0, min(2, rank))]

    @classmethod
    def max(cls, *risks: "Risk | str") -> "Risk":
        """The most severe of the given levels (``Risk.NONE`` if none given)."""
        best = cls.NONE
        for r in risks:
            r = cls(r)
            if r.rank > best.rank:
                best = r
        return best


_RANK = {"none": 0, "elevated": 1, "imminent": 2}
_BY_RANK = {0: Risk.NONE, 1: Risk.ELEVATED, 2: Risk.IMMINENT}


def risk_rank(risk: Risk | str) -> int:
    return _RANK[str(risk)]


# Classifiers already built in this process, by lexicon directory and file versions.
_BUILT: dict[tuple, "Triage"] = {}


@dataclass(frozen=True)
class TriageResult:
    themes: tuple[str, ...]  # ordered by confidence
    risk: Risk
    reasons: tuple[str, ...]  # short, human-readable, shown to educators
    risk_families: tuple[str, ...] = ()  # e.g. ("suicide_method", "time_now"): picks help lines

    def to_json(self) -> dict:
        return {"themes": list(self.themes), "risk": self.risk.value, "reasons": list(self.reasons)}


_NEVER = re.compile("(?!)")
_QUOTE_RE = re.compile(r"«([^»]*)»|“([^”]*)”|\"([^\"]*)\"|„([^“”]*)[“”]")
_MAX_COMBO_TRIES = 4096


@dataclass(slots=True)
class _RiskHit:
    family: str
    first: int
    last: int
    negated: bool
    quote: str  # original words
    parts: tuple["_RiskHit", ...] = ()
    note: str = ""  # why the level is capped at elevated


class Triage:
    """Loads the YAML once; thread-safe and pure afterwards."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._theme_order = {t.code: i for i, t in enumerate(lexicon.themes)}
        self._theme_labels = {t.code: t.label for t in lexicon.themes}
        self._family_order = {name: i for i, name in enumerate(lexicon.families)}
        # the families of each group of each combination, as sets (for a quick presence test)
        self._combo_groups = tuple(tuple(frozenset(g) for g in c.groups) for c in lexicon.combos)
        self._ws_cache: dict[str, tuple[tuple[int, float], ...]] = {}  # word -> alarm-word bags


    @classmethod
    def from_config(cls, directory: Path | None = None) -> "Triage":
        """The classifier for the lexicons in ``directory``; built once per process for the
        same files (compiling some 1,200 patterns takes seconds), again when a file changed."""
        d = Path(directory) if directory is not None else default_config_dir()
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in d.glob("*.yaml")))
        key = (str(d.resolve()), stamp)
        if key not in _BUILT:
            _BUILT.clear()
            _BUILT[key] = cls(load_lexicon(d))
        return _BUILT[key]

    # -- public API ------------------------------------------------------------------------------
    def classify(self, text: str) -> TriageResult:
        return self._classify(self.lexicon.normalizer.normalize(text or ""))

    def classify_burst(self, texts: Sequence[str]) -> TriageResult:
        """The fragments of one burst, oldest first. The joined text catches a danger spread over
        fragments (combination rules keep their token window, so unrelated fragments far apart do
        not combine); each fragment alone is also classified and the most severe level wins."""
        frags = [t for t in texts if t and t.strip()]
        if not frags:
            return self.classify("")
        if len(frags) == 1:
            return self.classify(frags[0])
        joined = self.classify(join_burst(frags))
        singles = [self.classify(t) for t in frags]
        risk = Risk.max(joined.risk, *(s.risk for s in singles))
        reasons = list(joined.reasons)
        families = list(joined.risk_families)
        for s in singles:
            if s.risk.rank == 0 and joined.risk.rank > 0:
                continue
            for r in s.reasons:
                if r not in reasons and (s.risk.rank >= joined.risk.rank or r.startswith("thème")):
                    reasons.append(r)
            for f in s.risk_families:
                if f not in families:
                    families.append(f)
        themes = list(joined.themes)
        for s in singles:
            for t in s.themes:
                if t not in themes:
                    themes.append(t)
        return TriageResult(tuple(themes), risk, tuple(_order_reasons(reasons)), tuple(families))

    # -- internals -------------------------------------------------------------------------------
    def _classify(self, norm: Normalized) -> TriageResult:
        lex = self.lexicon
        if not norm.tokens:
            return TriageResult((), Risk.NONE, (), ())
        hits = lex.patterns.match(norm)
        if lex.word_scores:
            hits.extend(self._word_score_hits(norm))
        neutral: list[Hit] = []
        contexts: list[Hit] = []
        risk_raw: list[Hit] = []
        theme_hits: list[Hit] = []
        for h in hits:
            kind = h.pattern.meta["kind"]
            if kind == "theme":
                theme_hits.append(h)
            elif kind == "risk":
                risk_raw.append(h)
            elif kind == "neutral":
                neutral.append(h)
            else:
                contexts.append(h)

        reasons_risk: list[str] = []
        reasons_dropped: list[str] = []
        kept: list[_RiskHit] = []
        sentence_of = _sentence_index(norm.tokens) if (contexts and risk_raw) else None
        quoted = _quoted_tokens(norm) if (contexts and risk_raw) else frozenset()
        for h in risk_raw:
            fam = lex.families[h.pattern.meta["family"]]
            quote = h.pattern.meta.get("quote") or norm.source(h.first, h.last)
            cover = _covering(h, neutral) if fam.hyperbole else None
            if cover is not None:
                reasons_dropped.append(
                    f'écarté: "{norm.source(cover.first, cover.last)}" ({cover.pattern.meta["label"]})')
                continue
            ctx = self._discounting_context(h, fam.name, contexts, sentence_of, quoted)
            if ctx is not None:
                if fam.level != "none":  # a dropped cue is not worth a line
                    reasons_dropped.append(f'écarté: "{quote}" ({fam.label}; contexte: {ctx})')
                continue
            negated = fam.negation != "keep" and self._negated(norm, h)
            if negated and fam.negation == "drop":
                if fam.level != "none":
                    reasons_dropped.append(f'écarté: "{quote}" ({fam.label}, nié)')
                continue
            note = "formulé avec une négation, à vérifier" if negated else ""
            if not negated:
                cap = self._discounting_context(h, fam.name, contexts, sentence_of, quoted,
                                                caps=True)
                if cap is not None:
                    negated, note = True, f"{cap}, à vérifier"
            kept.append(_RiskHit(fam.name, h.first, h.last, negated, quote, (), note))

        # base levels
        level = 0
        contributing: dict[str, int] = {}
        base: list[tuple[int, _RiskHit]] = []
        for rh in _dedupe(kept):
            fam = lex.families[rh.family]
            lv = _RANK[fam.level]
            if lv == 0:
                continue
            if rh.negated and lv > 1:
                lv = 1
            level = max(level, lv)
            contributing[rh.family] = max(contributing.get(rh.family, 0), lv)
            base.append((lv, rh))
        # one reason per stretch of text: the most severe family, then the earliest pattern
        shown: list[tuple[int, int]] = []
        order = self._family_order
        for lv, rh in sorted(base, key=lambda x: (-x[0], order.get(x[1].family, 999), x[1].first)):
            if any(rh.first <= b and a <= rh.last for a, b in shown):
                continue
            shown.append((rh.first, rh.last))
            note = f" — {rh.note}" if rh.negated and rh.note else ""
            reasons_risk.append(f'risque: "{rh.quote}" ({lex.families[rh.family].label}{note})')

        # combinations
        pool = list(kept)
        present = {p.family for p in pool}
        explained: set[int] = set()
        for combo, groups in zip(lex.combos, self._combo_groups):
            # cheap test first: every group needs one of its families in the message
            if groups and (present.isdisjoint(groups[0])
                           or any(present.isdisjoint(g) for g in groups[1:])):
                continue
            found = self._combo(combo, pool)
            if found is None:
                continue
            lv = _RANK[combo.level]
            negated = any(p.negated for p in found)
            if negated and lv > 1:
                lv = 1
            first = min(p.first for p in found)
            last = max(p.last for p in found)
            virtual = _RiskHit(combo.family, first, last, negated, "", tuple(found))
            pool.append(virtual)
            present.add(combo.family)
            if lv >= level and lv not in explained:
                explained.add(lv)
                quotes = ", ".join(f'"{q}"' for q in _uniq(_leaf_quotes(found)))
                word = "risque imminent" if lv == 2 else "risque"
                reasons_risk.append(f"{word}: {combo.label} ({quotes})")
            level = max(level, lv)
            contributing[combo.family] = max(contributing.get(combo.family, 0), lv)
            for p in _leaves(found):
                contributing.setdefault(p.family, 0)

        # last safety net: no rule fired, no hyperbole nor context, but the words of the message
        # weigh like those of the messages at risk of the tuning set
        if level == 0 and lex.learned is not None and not neutral and not contexts:
            net = self._learned_hit(norm)
            if net is not None:
                level = 1
                contributing[lex.learned.family] = 1
                reasons_risk.append(f"risque: {lex.learned.label} ({net}) — à vérifier")

        families_out = sorted(
            contributing, key=lambda f: (-contributing[f], self._family_order.get(f, 999)))

        # themes
        scores: dict[str, float] = {}
        quotes_by_theme: dict[str, list[str]] = {}
        first_pos: dict[str, int] = {}
        by_theme: dict[str, list[Hit]] = {}
        for h in _outside_fixed_expressions(theme_hits):
            by_theme.setdefault(h.pattern.meta["theme"], []).append(h)
        bg_cut = -1
        if lex.background is not None and theme_hits:
            # "les cours ça va, ... mais le soir je pleure": what is said to be fine is background
            bg_cut = lex.background.cut(norm)
            if bg_cut >= 0 and not any(h.first > bg_cut for h in theme_hits) and not any(
                    p.first > bg_cut for p in kept):
                bg_cut = -1  # nothing else is said: the message is about that
        for theme, hs in by_theme.items():
            loc = lex.locatives if theme in lex.locative_themes else frozenset()
            total, quotes = _cluster_score(hs, norm, loc, lex.locative_factor,
                                           bg_cut, lex.background.factor if bg_cut >= 0 else 1.0)
            scores[theme] = scores.get(theme, 0.0) + total
            quotes_by_theme.setdefault(theme, []).extend(quotes)
            first_pos[theme] = min(h.first for h in hs)
        backed: set[str] = set()  # themes of a risk that was found: they come first
        for fam_name in families_out:
            lv = contributing[fam_name]
            fam = lex.families[fam_name]
            if lv == 0:
                continue
            for t in fam.themes:
                w = fam.theme_weights.get(t, 1.0) * lex.theme_threshold
                if w >= lex.theme_threshold - 1e-9:
                    backed.add(t)
                scores[t] = scores.get(t, 0.0) + w
                first_pos.setdefault(t, _first_pos(fam_name, pool))
                quotes_by_theme.setdefault(t, [])
                if not any(q.startswith("(") for q in quotes_by_theme[t]):
                    quotes_by_theme[t].append(f"({fam.label})")
        chosen = [t for t, s in scores.items() if s >= lex.theme_threshold - 1e-9]
        chosen.sort(key=lambda t: (t not in backed, -scores[t], first_pos.get(t, 0),
                                   self._theme_order.get(t, 99)))
        if chosen:
            # the main topics only: a theme far behind the first one is an incidental mention
            top = scores[chosen[0]]
            chosen = [t for t in chosen if scores[t] >= lex.second_theme_ratio * top - 1e-9]
            chosen = chosen[:lex.max_themes]
        reasons_theme = [
            f"thème {t}: " + ", ".join(_uniq(q if q.startswith("(") else f'"{q}"'
                                             for q in quotes_by_theme.get(t, []))[:5])
            for t in chosen
        ]
        if lex.theme_model is not None:
            # a theme the lexicons missed, from words learned on the tuning examples
            for t, spans in lex.theme_model.extra_themes(norm.tokens, chosen,
                                                         lex.max_themes - len(chosen)):
                chosen.append(t)
                words = _uniq(f'"{norm.source(a, b)}"' for a, b in spans)
                reasons_theme.append(f"thème {t}: {', '.join(words)} (mots proches des exemples)")
        reasons = _uniq(reasons_risk) + reasons_theme + _uniq(reasons_dropped)[:3]
        return TriageResult(tuple(chosen), _BY_RANK[level], tuple(reasons), tuple(families_out))

    def _learned_hit(self, norm: Normalized) -> str | None:
        net = self.lexicon.learned
        assert net is not None
        w = net.weights
        toks = norm.tokens
        score = net.bias
        contrib: dict[str, tuple[float, int]] = {}
        prev = ""
        for i, t in enumerate(toks):
            if t == SENTENCE_BREAK:
                prev = ""
                continue
            for key in (t, prev + " " + t if prev else ""):
                if key and key not in contrib:
                    v = w.get(key)
                    if v is not None:
                        contrib[key] = (v, i)
                        score += v
            prev = t
        if score < net.threshold:
            return None
        top = sorted((v for v in contrib.items() if v[1][0] > 0), key=lambda kv: -kv[1][0])[:4]
        words = []
        for key, (_v, i) in top:
            n = key.count(" ")
            q = norm.source(i - n, i)
            if q not in words:
                words.append(q)
        return "mots: " + ", ".join(f'"{q}"' for q in words)

    def _word_score_entry(self, tok: str) -> tuple[tuple[int, float], ...]:
        """(group index, weight) of every bag of alarm words that holds this word (cached)."""
        entry = self._ws_cache.get(tok)
        if entry is not None:
            return entry
        out: list[tuple[int, float]] = []
        for g, ws in enumerate(self.lexicon.word_scores):
            w = ws.words.get(tok)
            if w is None and ws.prefixes:
                for p, pw in ws.prefixes.items():
                    if tok.startswith(p):
                        w = pw
                        break
            if w is not None:
                out.append((g, w))
        entry = tuple(out)
        if len(self._ws_cache) < 100_000:
            self._ws_cache[tok] = entry
        return entry

    def _word_score_hits(self, norm: Normalized) -> list[Hit]:
        out: list[Hit] = []
        groups = self.lexicon.word_scores
        found: list[dict[str, tuple[float, int]]] | None = None
        for i, t in enumerate(norm.tokens):
            entry = self._word_score_entry(t)
            if not entry:
                continue
            if found is None:
                found = [{} for _ in groups]
            for g, w in entry:
                if t not in found[g]:
                    found[g][t] = (w, i)
        if found is None:
            return out
        for ws, f in zip(groups, found):
            if f and sum(w for w, _ in f.values()) >= ws.threshold - 1e-9:
                idx = sorted(i for _, i in f.values())
                quote = ", ".join(norm.source(i, i) for i in idx)
                pat = Pattern(quote, _NEVER, frozenset(),
                              {"kind": "risk", "family": ws.family, "quote": quote})
                out.append(Hit(pat, idx[0], idx[-1]))
        return out

    def _negated(self, norm: Normalized, h: Hit) -> bool:
        lex = self.lexicon
        lo = max(0, h.first - lex.negation_window)
        lits = h.pattern.literals
        toks = norm.tokens
        for i in range(h.last, lo - 1, -1):
            t = toks[i]
            if t == SENTENCE_BREAK and i < h.first:
                break
            if i <= h.first and t in lex.clause_starts:
                break  # "chui pas bien, jveux mourir": that "pas" belongs to another clause
            if t in lits:
                continue
            if t in lex.negators or (lex.negator_prefixes and t.startswith(lex.negator_prefixes)):
                return True
        return False

    def _discounting_context(self, h: Hit, family: str, contexts: list[Hit],
                             sentence_of: list[int] | None, quoted: frozenset[int],
                             caps: bool = False) -> str | None:
        for c in contexts:
            ctx = self.lexicon.contexts[c.pattern.meta["context"]]
            scope = (ctx.caps if caps else ctx.scope).get(family)
            if scope is None:
                continue
            if scope == "message":
                return ctx.label
            same_sentence = sentence_of is not None and (
                sentence_of[h.first] == sentence_of[c.first]
                or sentence_of[h.last] == sentence_of[c.last])
            if scope == "sentence" and same_sentence:
                return ctx.label
            if quoted and h.first in quoted:
                return ctx.label  # a quoted line (film, song) next to such a marker
            if scope == "near" and same_sentence:
                gap = max(c.first - h.last, h.first - c.last)
                if gap <= ctx.near:
                    return ctx.label
        return None

    @staticmethod
    def _combo(combo: Combo, pool: list[_RiskHit]) -> list[_RiskHit] | None:
        cands: list[list[_RiskHit]] = []
        for group in combo.groups:
            c = [p for p in pool if p.family in group]
            if not c:
                return None
            cands.append(c)
        best: list[_RiskHit] | None = None
        best_key: tuple[int, int] | None = None
        tries = 0
        for choice in itertools.product(*cands):
            tries += 1
            if tries > _MAX_COMBO_TRIES:
                break
            if len({id(p) for p in choice}) < len(choice):
                continue
            span = max(p.last for p in choice) - min(p.first for p in choice)
            if span > combo.within:
                continue
            key = (sum(p.negated for p in choice), span)
            if best_key is None or key < best_key:
                best, best_key = list(choice), key
        return best


# -- helpers ----------------------------------------------------------------------------------------
def _covering(h: Hit, neutral: Iterable[Hit]) -> Hit | None:
    for n in neutral:
        if n.first <= h.last and h.first <= n.last:
            return n
    return None


def _outside_fixed_expressions(hits: list[Hit]) -> list[Hit]:
    """A word inside a longer fixed expression of another theme belongs to that expression:
    "vue" in "garde à vue" is not about eyesight, "mes" in "mes parents" is not "mes droits"."""
    fixed = [h for h in hits if h.pattern.contiguous and h.last > h.first]
    if not fixed:
        return hits
    out = []
    for h in hits:
        theme = h.pattern.meta["theme"]
        if any(g.pattern.meta["theme"] != theme and g.first <= h.first and h.last <= g.last
               and (g.last - g.first) > (h.last - h.first) for g in fixed):
            continue
        out.append(h)
    return out


def _dedupe(hits: list[_RiskHit]) -> list[_RiskHit]:
    """One reason per family and stretch of text: hits of one family that overlap are merged."""
    out: list[_RiskHit] = []
    for h in sorted(hits, key=lambda x: (x.family, x.first, -(x.last - x.first))):
        if out and out[-1].family == h.family and h.first <= out[-1].last:
            if h.negated and not out[-1].negated:
                continue
            if out[-1].negated and not h.negated:
                out[-1] = h
            continue
        out.append(h)
    out.sort(key=lambda x: x.first)
    return out


def _leaves(hits: Iterable[_RiskHit]) -> list[_RiskHit]:
    out: list[_RiskHit] = []
    for h in hits:
        if h.parts:
            out.extend(_leaves(h.parts))
        else:
            out.append(h)
    return out


def _leaf_quotes(hits: Iterable[_RiskHit]) -> list[str]:
    return [h.quote for h in sorted(_leaves(hits), key=lambda x: x.first)]


def _first_pos(family: str, pool: list[_RiskHit]) -> int:
    return min((p.first for p in pool if p.family == family), default=10**6)


def _uniq(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for x in items:
        if x and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _after_locative(h: Hit, norm: Normalized, locatives: frozenset[tuple[str, ...]]) -> bool:
    toks = norm.tokens
    for size in (1, 2, 3):
        if h.first - size >= 0 and tuple(toks[h.first - size:h.first]) in locatives:
            return True
    return False


def _cluster_score(hits: list[Hit], norm: Normalized,
                   locatives: frozenset[tuple[str, ...]] = frozenset(),
                   locative_factor: float = 1.0, background_until: int = -1,
                   background_factor: float = 1.0) -> tuple[float, list[str]]:
    """Overlapping hits of one theme count once (the heaviest); distinct stretches add up.
    A word that only says where something happened ("au foot", "dans le bus") weighs less, and
    so does a word said before "ça se passe bien" (up to ``background_until``)."""
    hits = sorted(hits, key=lambda h: (h.first, -h.last))
    total = 0.0
    quotes: list[str] = []
    cur_last = -1
    cur_w = 0.0
    cur_q = ""
    for h in hits:
        w = float(h.pattern.meta["weight"])
        if locatives and h.last - h.first < 2 and _after_locative(h, norm, locatives):
            w *= locative_factor
        if h.last <= background_until:
            w *= background_factor
        if h.first <= cur_last:
            if w > cur_w:
                cur_w, cur_q = w, norm.source(h.first, h.last)
            cur_last = max(cur_last, h.last)
            continue
        if cur_last >= 0:
            total += cur_w
            quotes.append(cur_q)
        cur_last, cur_w, cur_q = h.last, w, norm.source(h.first, h.last)
    if cur_last >= 0:
        total += cur_w
        quotes.append(cur_q)
    return total, quotes


def _sentence_index(tokens: Sequence[str]) -> list[int]:
    out: list[int] = []
    s = 0
    for t in tokens:
        if t == SENTENCE_BREAK:
            s += 1
        out.append(s)
    return out


def _quoted_tokens(norm: Normalized) -> frozenset[int]:
    ranges = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(norm.original)]
    if not ranges:
        return frozenset()
    return frozenset(
        i for i, (a, b) in enumerate(norm.spans) if any(lo <= a and b <= hi for lo, hi in ranges))


def _order_reasons(reasons: list[str]) -> list[str]:
    def key(r: str) -> int:
        if r.startswith("risque"):
            return 0
        if r.startswith("thème"):
            return 1
        return 2
    return sorted(_uniq(reasons), key=key)
