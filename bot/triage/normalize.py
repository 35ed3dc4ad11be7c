"""Text normalisation for triage: what young people write -> a canonical token stream.

Pipeline (each step is data-driven from ``config/triage/normalization.yaml``):

1. split the raw text into word tokens, emojis and sentence breaks, remembering where each token
   came from in the original text (reasons quote the young person's own words);
2. per word: lowercase, strip accents, collapse letters repeated 3+ times (``mouriiiir``),
   resolve elisions (``j'`` -> ``je``), expand SMS spelling and slang (``jveux`` -> ``je veux``,
   ``taf`` -> ``travail``), drop a few words that carry nothing (``ne``: spoken French drops it
   anyway, so ``je ne veux pas`` and ``je veux pas`` become the same);
3. rewrite multiword expressions (``la hess`` -> ``galere``, ``te es`` -> ``tu es``);
4. emojis that mean something (pills, knife, blood...) become words.

The same normaliser is applied to the patterns of the lexicons when they are loaded, so a
coordinator writes patterns in plain French (with or without accents) and they match SMS writing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

SENTENCE_BREAK = "."

_ACCENT_TABLE: dict[int, str] = {}


def _build_accent_table() -> None:
    for code in range(0x00C0, 0x0250):
        ch = chr(code)
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base != ch and base.isascii():
            _ACCENT_TABLE[code] = base.lower()
    _ACCENT_TABLE.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae",
                          ord("ß"): "ss", ord("ø"): "o", ord("Ø"): "o", ord("đ"): "d"})


_build_accent_table()

_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_INVISIBLE = {cp: None for cp in (0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060,
                                  0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x034F, 0x180E)}
_INVISIBLE.update({ord(k): v for k, v in {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ѕ": "s",
    "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "А": "A", "Е": "E", "О": "O", "Р": "P", "С": "C",
    "Х": "X", "Т": "T", "М": "M", "Н": "H", "К": "K", "В": "B", "ο": "o", "α": "a", "ν": "v",
    "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "\u2019": "'", "\u02bc": "'", "\u00a0": " ",
    "\u202f": " ", "\u2009": " "}.items()})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_UNIT_RE = re.compile(r"^\d+(e|eme|er|ere|nd|nde|h|min|mn|km|m|g|kg|ans?|euros?|e|k|x|v\d+)?$")
# letters spelled one by one ("s.u.i.c.i.d.e", "s u i c i d e") and letters masked by "*"
_SPELLED_RE = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][.\-_ ]){3,}[^\W\d_](?![^\W\d_])")
_MASK_RE = re.compile(r"(?<=[^\W\d_])[*·•]+(?=[^\W\d_])")
# doubled vowels that French never doubles ("mouriir", "tuuer", "jaaamais"): typing emphasis
_DOUBLE_RE = re.compile(r"([aiuy])\1+")
_DIGIT_SEP_RE = re.compile(r"(?<=\d)[ .](?=\d)")
# Word characters: letters and digits (any script), plus the apostrophe family handled apart.
_APOSTROPHES = "'’ʼ`´‘"


def strip_accents(word: str) -> str:
    return word.lower().translate(_ACCENT_TABLE)


# Words ending in -er / -ez that are not verbs: their ending stays (see fold).
_KEEP_ENDING = frozenset(
    "hier fier cher amer hiver super enfer laser poker cancer chez assez nez rez mer fer ver "
    "tiers entrer "
    # nouns in -ée that must not meet a verb or another noun ("l'armée" is not "une arme")
    "armee entree rentree placee classee duree musee fumee idee pensee journee annee soiree "
    "lycee arrivee montee allee poignee portee tournee".split())


def fold(word: str) -> str:
    """Lowercase, accents stripped, letters repeated 3+ times collapsed to one; the endings that
    sound the same and that young people swap all the time are merged: "tuer", "tué", "tuée",
    "tuez" -> "tue" ("j'ai envie de me tué", "il m'a frapper"). Patterns are folded the same way,
    so they still match."""
    w = strip_accents(word)
    if len(w) > 2:
        w = _REPEAT_RE.sub(r"\1", w)
        w = _DOUBLE_RE.sub(r"\1", w)
    if len(w) >= 4 and w[-1] in "ersz" and w.isalpha() and w not in _KEEP_ENDING:
        if w.endswith("ees") and w[:-1] not in _KEEP_ENDING:
            w = w[:-2]
        elif w.endswith("ee"):
            w = w[:-1]
        elif w.endswith("er") or w.endswith("ez"):
            w = w[:-1]
    return w


# short words that follow an elision ("quil" = qu'il, "jen" = j'en, "sest" = s'est)
_ELIDED_SHORT = frozenset("il ils elle elles on en y a ai as es est ont un une avait avais etait "
                          "etais etre avoir".split())

_PH_RULES = [(re.compile(a), b) for a, b in (
    (r"ph", "f"), (r"qu", "k"), (r"ck", "k"), (r"c(?=[eiy])", "s"), (r"c", "k"),
    (r"g(?=[eiy])", "j"), (r"gu", "g"), (r"[sc]h", "S"), (r"h", ""), (r"y", "i"), (r"w", "v"),
    (r"eau", "o"), (r"au", "o"), (r"(?:ain|ein)(?![aeiou])", "I"), (r"ai|ei", "E"), (r"ou", "U"),
    (r"[ae][nm](?![aeiouE])", "A"), (r"[iu][nm](?![aeiouE])", "I"), (r"o[nm](?![aeiouE])", "O"),
    (r"(.)\1+", r"\1"))]


def phonetic(word: str) -> str:
    """A rough French sound key ("couto" and "couteau", "kan" and "quand", "trin" and "train"):
    used only for words that no table or lexicon knows."""
    s = word
    for rx, rep in _PH_RULES:
        s = rx.sub(rep, s)
    while len(s) > 2 and s[-1] in "stdxzpe":
        s = s[:-1]
    return s


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _one_edit(a: str, b: str) -> bool:
    """True if b is one insertion, deletion, substitution or adjacent swap away from a."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1 or a == b:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@dataclass(frozen=True, slots=True)
class Normalized:
    """The canonical form of one text.

    ``text`` is the tokens joined by single spaces with one leading and one trailing space,
    so that patterns can be matched token-aligned. ``offsets[i]`` is where token ``i`` starts
    in ``text``; ``spans[i]`` is the (start, end) of the original text it came from.
    """

    original: str
    tokens: tuple[str, ...]
    text: str
    offsets: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]

    def source(self, first: int, last: int) -> str:
        """Original text covered by tokens ``first``..``last`` (inclusive)."""
        if not self.tokens:
            return ""
        first = max(0, min(first, len(self.tokens) - 1))
        last = max(first, min(last, len(self.tokens) - 1))
        start = self.spans[first][0]
        end = max(self.spans[i][1] for i in range(first, last + 1))
        return self.original[start:end]


class Normalizer:
    """Turns raw text into :class:`Normalized`. Built once from the YAML tables; pure afterwards."""

    def __init__(
        self,
        *,
        words: Mapping[str, str] | None = None,
        elisions: Mapping[str, str] | None = None,
        phrases: Mapping[str, str] | None = None,
        emojis: Mapping[str, str] | None = None,
        drop: Iterable[str] = (),
        sentence_breaks: str = ".!?;\n…",
    ) -> None:
        self._elisions = {fold(k): tuple(fold(v).split()) for k, v in (elisions or {}).items()}
        self._drop = frozenset(fold(w) for w in drop)
        # Single words: keys are folded; values are folded token tuples (may be empty = drop).
        self._words: dict[str, tuple[str, ...]] = {}
        for k, v in (words or {}).items():
            self._words[fold(str(k))] = tuple(fold(t) for t in str(v).split())
        self._emojis = {k: tuple(fold(t) for t in str(v).split()) for k, v in (emojis or {}).items()}
        emoji_alts = "|".join(re.escape(e) for e in sorted(self._emojis, key=len, reverse=True))
        breaks = re.escape(sentence_breaks)
        apos = re.escape(_APOSTROPHES)
        parts = [rf"(?P<w>[^\W_]+)(?P<a>[{apos}])?", rf"(?P<b>[{breaks}]+)"]
        if emoji_alts:
            parts.insert(0, rf"(?P<e>{emoji_alts})")
        self._token_re = re.compile("|".join(parts))
        self._cache: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._known: frozenset[str] = frozenset()
        self._lexicon_words: frozenset[str] = frozenset()
        self._phon: dict[str, tuple[str, ...]] = {}
        self._deletes: dict[str, tuple[str, ...]] = {}
        self._min_typo_len = 5
        # Multiword expressions, matched on the folded token stream after word expansion.
        # Keys and values are normalised without phrase rewriting (the tables are empty here).
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._phrase_heads: dict[str, int] = {}
        phrases_n: dict[tuple[str, ...], tuple[str, ...]] = {}
        heads: dict[str, int] = {}
        for k, v in (phrases or {}).items():
            key = tuple(self._expand_plain(str(k)))
            if not key:
                continue
            phrases_n[key] = tuple(self._expand_plain(str(v)))
            heads[key[0]] = max(heads.get(key[0], 0), len(key))
        self._phrases = phrases_n
        self._phrase_heads = heads


    def set_spelling_vocabulary(self, words: Iterable[str], min_len: int = 5) -> None:
        """Words the lexicons use. A message word that is not one of them (nor a table word) and
        is one letter away from exactly one of them is read as that word ("suicde", "medicamant",
        "harcellement"). Called once when the lexicons are loaded."""
        vocab = {w for w in words if len(w) >= min_len and w.isalpha()}
        known = set(vocab)
        for outs in self._words.values():
            known.update(outs)
        known.update(self._words)
        index: dict[str, set[str]] = {}
        for w in vocab:
            index.setdefault(w, set()).add(w)
            for i in range(len(w)):
                index.setdefault(w[:i] + w[i + 1:], set()).add(w)
        self._known = frozenset(known)
        # every word the lexicons use (any length): "jviens" -> "je viens" needs "viens"
        self._lexicon_words = frozenset(w for w in words if len(w) >= 3 and w.isalpha())
        phon: dict[str, set[str]] = {}
        for w in self._lexicon_words | {t for outs in self._words.values() for t in outs}:
            if len(w) >= 3 and w.isalpha():
                phon.setdefault(phonetic(w), set()).add(w)
        self._phon = {k: tuple(sorted(v, key=lambda x: (len(x), x))) for k, v in phon.items()}
        self._deletes = {k: tuple(sorted(v)) for k, v in index.items()}
        self._min_typo_len = min_len
        self._cache.clear()

    def _correct(self, w: str) -> str:
        if len(w) < self._min_typo_len or w in self._known or not w.isalpha():
            return w
        cands: set[str] = set(self._deletes.get(w, ()))
        for i in range(len(w)):
            cands.update(self._deletes.get(w[:i] + w[i + 1:], ()))
        cands = {c for c in cands if c[0] == w[0] and _one_edit(w, c)}
        if len(cands) == 1:
            return cands.pop()
        return w

    _VOWELS = frozenset("aeiouyh")

    def _split_je(self, w: str) -> tuple[str, ...] | None:
        """SMS "je" glued to the next word: "jviens" -> "je viens", "jmarrete" -> "je m'arrete",
        "jarrive" -> "je arrive" (only when the rest is a word of the lexicons or of the tables)."""
        if len(w) < 4 or w[0] != "j" or not w.isalpha() or w in self._known:
            return None
        rest = w[1:]
        if rest[0] not in self._VOWELS and rest[0] in "mtls" and len(rest) > 3 and rest[1] in self._VOWELS:
            # "jmarrete", "jtaime", "jlai": je + m'/t'/l'/s' + word
            tail = rest[1:]
            if tail in self._lexicon_words or tail in self._words:
                pron = {"m": "me", "t": "te", "l": "le", "s": "se"}[rest[0]]
                return ("je", pron) + self._words.get(tail, (tail,))
        if rest[0] in self._VOWELS and len(rest) < 4:
            return None
        if rest in self._lexicon_words or rest in self._words:
            return ("je",) + self._words.get(rest, (rest,))
        c = self._correct(rest) if len(rest) >= self._min_typo_len else rest
        if c != rest:
            return ("je",) + self._words.get(c, (c,))
        return None

    def _split_elision(self, w: str) -> tuple[str, ...] | None:
        """An elision typed without its apostrophe: "detre" -> "de etre", "lintere" -> "le
        interet", "quil" -> "que il", "sarrete" -> "se arrete" (only when the rest is a word the
        lexicons or the tables know)."""
        if len(w) < 3 or not w.isalpha() or w in self._known or w in self._lexicon_words:
            return None
        for size in (5, 2, 1):  # jusqu, qu, then one letter
            head, rest = w[:size], w[size:]
            if len(rest) < 2 or rest[0] not in "aeiouyh" or head not in self._elisions:
                continue
            if (rest in self._lexicon_words or rest in self._words or rest in self._known
                    or rest in _ELIDED_SHORT):
                return self._elisions[head] + self._words.get(rest, (rest,))
        return None

    def _sound_alike(self, w: str) -> tuple[str, ...] | None:
        """An unknown word written as it sounds ("couto", "secour", "onkl", "frapé") read as the
        lexicon word with the same sound key; the closest spelling wins, a tie is left alone."""
        if (len(w) < 3 or not w.isalpha() or w in self._known or w in self._lexicon_words
                or w in _KEEP_ENDING):
            return None
        if w[0] in "dljmtsnc" and (w[1:] in self._known or w[1:] in self._lexicon_words):
            return None  # an elision glued to its word ("dété", "mont"): not a misspelling
        key = phonetic(w)
        cands = self._phon.get(key)
        if not cands:
            return None
        # close spellings only: "secour" / "secours", "trin" / "train"; two edits ("couto" /
        # "couteau") only for longer sounds, so that common words ("cool") stay themselves
        limit = 2 if len(key) >= 4 else 1
        cands = tuple(c for c in cands if _distance(w, c) <= limit)
        if not cands:
            return None
        if len(cands) > 1:
            scored = sorted(cands, key=lambda c: (_distance(w, c), len(c), c))
            if _distance(w, scored[0]) == _distance(w, scored[1]) and len(scored[0]) == len(scored[1]):
                return None
            best = scored[0]
        else:
            best = cands[0]
        return self._words.get(best, (best,))

    # -- single words --------------------------------------------------------------------------
    def _word(self, raw: str, elided: bool) -> tuple[str, ...]:
        key = (raw, elided)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        w = fold(raw)
        if elided and w in self._elisions:
            out = self._elisions[w]
        elif w in self._words:
            out = self._words[w]
        elif len(w) > 3 and w[-1] == "s" and w[:-1] in self._words and self._words[w[:-1]]:
            # plural of a mapped slang word (daronnes, meufs): map the singular, keep it plural-free
            out = self._words[w[:-1]]
        else:
            if not w.isalpha() and not w.isdigit() and not _UNIT_RE.match(w):
                # leetspeak: "m0urir", "su1c1de"
                leet = w.translate(_LEET)
                if leet.isalpha():
                    w = leet
            c = self._correct(w) if self._deletes else w
            out = self._words.get(c, (c,))
            if out == (w,) and c == w and self._lexicon_words:
                # only once the lexicons are loaded (patterns themselves are never rewritten)
                out = (self._split_elision(w) or self._split_je(w) or self._sound_alike(w)
                       or out)
        out = tuple(t for t in out if t not in self._drop)
        if len(self._cache) < 200_000:
            self._cache[key] = out
        return out

    def _expand_plain(self, text: str) -> list[str]:
        """Normalise a short plain string (used for table values and pattern literals)."""
        return list(self.normalize(text).tokens)

    def words(self, text: str) -> list[str]:
        """Canonical tokens of a short plain string (no spans)."""
        return self._expand_plain(text)

    # -- whole texts ---------------------------------------------------------------------------
    def normalize(self, text: str) -> Normalized:
        text = text or ""
        if not text.isascii():
            # fancy fonts (𝐦𝐨𝐮𝐫𝐢𝐫, fullwidth), invisible characters and look-alike letters
            text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
        if "*" in text or "·" in text or "•" in text:
            text = _MASK_RE.sub("", text)
        if _SPELLED_RE.search(text):
            text = _SPELLED_RE.sub(lambda m: re.sub(r"[.\-_ ]", "", m.group(0)), text)
        toks: list[str] = []
        spans: list[tuple[int, int]] = []
        for m in self._token_re.finditer(text):
            if m.group("w") is not None:
                raw = m.group("w")
                elided = m.group("a") is not None
                span = (m.start("w"), m.end("w") + (1 if elided else 0))
                for t in self._word(raw, elided):
                    toks.append(t)
                    spans.append(span)
            elif m.group("b") is not None:
                if toks and toks[-1] != SENTENCE_BREAK:
                    toks.append(SENTENCE_BREAK)
                    spans.append((m.start(), m.end()))
            else:
                for t in self._emojis.get(m.group("e"), ()):
                    toks.append(t)
                    spans.append((m.start(), m.end()))
        if self._phrases:
            toks, spans = self._rewrite_phrases(toks, spans)
        while toks and toks[-1] == SENTENCE_BREAK:
            toks.pop()
            spans.pop()
        offsets: list[int] = []
        pos = 1
        for t in toks:
            offsets.append(pos)
            pos += len(t) + 1
        joined = " " + " ".join(toks) + " " if toks else " "
        return Normalized(text, tuple(toks), joined, tuple(offsets), tuple(spans))

    def _rewrite_phrases(
        self, toks: list[str], spans: list[tuple[int, int]]
    ) -> tuple[list[str], list[tuple[int, int]]]:
        heads = self._phrase_heads
        if not any(t in heads for t in toks):
            return toks, spans
        out_t: list[str] = []
        out_s: list[tuple[int, int]] = []
        i, n = 0, len(toks)
        while i < n:
            t = toks[i]
            longest = heads.get(t)
            if longest:
                for size in range(min(longest, n - i), 0, -1):
                    repl = self._phrases.get(tuple(toks[i:i + size]))
                    if repl is not None:
                        span = (spans[i][0], spans[i + size - 1][1])
                        for r in repl:
                            out_t.append(r)
                            out_s.append(span)
                        i += size
                        break
                else:
                    out_t.append(t)
                    out_s.append(spans[i])
                    i += 1
            else:
                out_t.append(t)
                out_s.append(spans[i])
                i += 1
        return out_t, out_s


def join_burst(texts: Sequence[str]) -> str:
    """Fragments of one burst, oldest first, as one text (fragments are often one sentence cut
    into pieces, so they are joined with a plain space, not a sentence break)."""
    return " ".join(t.strip() for t in texts if t and t.strip())
