"""A tiny pattern language for the triage lexicons, compiled to token-aligned regexes.

A pattern is written in plain French; it is normalised with the same :class:`Normalizer` as the
messages, so accents, case, elisions and SMS spellings do not matter. Syntax:

===================  ==================================================================
``mourir``           the word (after normalisation)
``medoc*``           any word starting with ``medoc`` (medoc, medocs, medocaments...)
``(pont|viaduc)``    one of the alternatives; an alternative may hold several words
``(tous)?``          optional item (a word, a ``*`` word or a group)
``...``              up to 3 other words in between (never across a sentence end)
``...6``             up to 6 other words in between
``@pills``           any entry of the vocabulary list ``pills`` (defined in the same file)
``#``                any number written in digits (``20``, ``3``)
===================  ==================================================================

Example: ``je (veux|vais) ... (mourir|crever)`` matches "jveux vraiment mourir".

Matching is anchored on tokens: every pattern is indexed by the words it can start with, so a
message only runs the few regexes whose first word it contains (this keeps triage fast).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from .normalize import Normalized, Normalizer, fold

DEFAULT_GAP = 3
_SYNTAX_RE = re.compile(
    r"\s*(?:(?P<gap>\.\.\.|…)(?P<n>\d+)?|(?P<open>\()|(?P<close>\))|(?P<bar>\|)|(?P<opt>\?)"
    r"|@(?P<ref>[A-Za-z_][A-Za-z0-9_]*)|(?P<word>[^\s()|?@.…]+(?:\.[^\s()|?@.…]+)*))"
)


class PatternError(ValueError):
    """A lexicon pattern that cannot be compiled; the message says which one and why."""


# -- AST -------------------------------------------------------------------------------------
@dataclass
class _Lit:
    toks: tuple[str, ...]


@dataclass
class _Wild:
    prefix: str


@dataclass
class _Num:
    pass


@dataclass
class _Gap:
    n: int


@dataclass
class _Alt:
    branches: list[list[Any]]


@dataclass
class _Opt:
    item: Any


_ANY = object()  # first-set marker: the pattern can start anywhere (not indexable)


class _Parser:
    def __init__(
        self,
        src: str,
        normalizer: Normalizer,
        vocab: Mapping[str, Sequence[str]],
        depth: int = 0,
    ) -> None:
        self.src = src
        self.norm = normalizer
        self.vocab = vocab
        self.depth = depth
        self.toks = self._lex(src)
        self.i = 0

    def _lex(self, src: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        pos = 0
        src = src.strip()
        while pos < len(src):
            m = _SYNTAX_RE.match(src, pos)
            if not m or m.end() == pos:
                raise PatternError(f"cannot read pattern {self.src!r} at {src[pos:]!r}")
            pos = m.end()
            kind = m.lastgroup
            if kind == "n":
                kind = "gap"
            if kind == "gap":
                out.append(("gap", m.group("n") or str(DEFAULT_GAP)))
            elif kind is None:
                continue
            else:
                out.append((kind, m.group(kind)))
        return out

    def parse(self) -> list[Any]:
        seq = self._seq()
        if self.i != len(self.toks):
            raise PatternError(f"unbalanced ')' or '|' in pattern {self.src!r}")
        return seq

    def _seq(self) -> list[Any]:
        items: list[Any] = []
        while self.i < len(self.toks):
            kind, val = self.toks[self.i]
            if kind in ("close", "bar"):
                break
            self.i += 1
            if kind == "open":
                branches = [self._seq()]
                while self.i < len(self.toks) and self.toks[self.i][0] == "bar":
                    self.i += 1
                    branches.append(self._seq())
                if self.i >= len(self.toks) or self.toks[self.i][0] != "close":
                    raise PatternError(f"missing ')' in pattern {self.src!r}")
                self.i += 1
                items.append(_Alt(_non_empty(branches)))
            elif kind == "gap":
                items.append(_Gap(int(val)))
            elif kind == "opt":
                if not items:
                    raise PatternError(f"'?' with nothing before it in pattern {self.src!r}")
                items[-1] = _Opt(items[-1])
            elif kind == "ref":
                if val not in self.vocab:
                    raise PatternError(f"unknown vocabulary @{val} in pattern {self.src!r}")
                if self.depth > 4:
                    raise PatternError(f"vocabulary nested too deep in pattern {self.src!r}")
                branches = [
                    _Parser(str(entry), self.norm, self.vocab, self.depth + 1).parse()
                    for entry in self.vocab[val]
                ]
                items.append(_Alt(_non_empty(branches)))
            else:  # word
                run = [val]
                while (self._plain(val) and self.i < len(self.toks)
                       and self.toks[self.i][0] == "word" and self._plain(self.toks[self.i][1])
                       and not (self.i + 1 < len(self.toks) and self.toks[self.i + 1][0] == "opt")):
                    run.append(self.toks[self.i][1])
                    self.i += 1
                if len(run) > 1:
                    # consecutive plain words are normalised together, so that multiword
                    # rewrites of normalization.yaml ("en train de", "ma dit") apply as in messages
                    items.append(_Lit(tuple(self.norm.words(" ".join(run)))))
                else:
                    items.extend(self._word(val))
        return items

    @staticmethod
    def _plain(word: str) -> bool:
        return "*" not in word and word != "#"

    def _word(self, raw: str) -> list[Any]:
        if raw == "#":
            return [_Num()]
        if "*" in raw.rstrip("*"):
            raise PatternError(f"'*' only at the end of a word in pattern {self.src!r}")
        if raw.endswith("*"):
            base = raw.rstrip("*")
            if "*" in base:
                raise PatternError(f"'*' only at the end of a word in pattern {self.src!r}")
            toks = self.norm.words(base)
            if not toks:
                raise PatternError(f"empty '*' word in pattern {self.src!r}")
            # the stem is the folded spelling; earlier words of an expansion stay literal
            stem = fold(base) if len(toks) == 1 else toks[-1]
            if len(toks) == 1 and toks[0] != stem:
                # the stem is itself a mapped word (e.g. slang): match its folded spelling
                return [_Alt([[_Wild(stem)], [_Lit((toks[0],))]])]
            out: list[Any] = [_Lit(tuple(toks[:-1]))] if len(toks) > 1 else []
            out.append(_Wild(stem))
            return out
        toks = tuple(self.norm.words(raw))
        # an empty literal (e.g. "ne", dropped by normalisation) matches nothing and is nullable
        return [_Lit(toks)]


def _is_empty(branch: list[Any]) -> bool:
    return all(isinstance(it, _Lit) and not it.toks for it in branch)


def _non_empty(branches: list[list[Any]]) -> list[list[Any]]:
    """Alternatives that normalise to nothing (a lone symbol, "ne") are dropped, so that they
    cannot make the whole group optional by accident; write ``(...)?`` to mean optional."""
    kept = [b for b in branches if not _is_empty(b)]
    return kept or [[_Lit(())]]


# -- regex generation ---------------------------------------------------------------------------
_TOKEN_CHARS = r"[^ ]"


def _rx(items: Sequence[Any]) -> str:
    return "".join(_rx_item(it) for it in items)


def _rx_item(it: Any) -> str:
    if isinstance(it, _Lit):
        return "".join(re.escape(t) + " " for t in it.toks)
    if isinstance(it, _Wild):
        return re.escape(it.prefix) + r"[^ .]* "
    if isinstance(it, _Num):
        return r"[0-9]+ "
    if isinstance(it, _Gap):
        return r"(?:[^ .][^ ]* ){0,%d}" % it.n
    if isinstance(it, _Alt):
        return _rx_alt(it.branches)
    if isinstance(it, _Opt):
        return "(?:" + _rx_item(it.item) + ")?"
    raise TypeError(it)


_END, _WILD = "\x00end", "\x00wild"


def _as_text(branch: Sequence[Any]) -> tuple[str, bool] | None:
    """A branch made only of words (and an optional final ``*`` word) as plain text."""
    parts: list[str] = []
    for i, it in enumerate(branch):
        if isinstance(it, _Lit):
            parts.extend(t + " " for t in it.toks)
        elif isinstance(it, _Wild) and i == len(branch) - 1:
            return "".join(parts) + it.prefix, True
        else:
            return None
    return "".join(parts), False


def _rx_alt(branches: Sequence[Sequence[Any]]) -> str:
    """Alternatives as a character trie: the regex engine then reads each character once
    instead of trying every alternative in turn (lexicon lists have hundreds of words)."""
    trie: dict[str, Any] = {}
    others: list[str] = []
    for b in branches:
        t = _as_text(b)
        if t is None:
            others.append(_rx(b))
            continue
        text, wild = t
        node = trie
        for ch in text:
            node = node.setdefault(ch, {})
        node[_WILD if wild else _END] = True
    alts = []
    if trie:
        alts.append(_rx_trie(trie))
    alts.extend(sorted(set(others), key=len, reverse=True))
    return alts[0] if len(alts) == 1 and trie else "(?:" + "|".join(alts) + ")"


def _rx_trie(node: dict[str, Any]) -> str:
    alts = [re.escape(ch) + _rx_trie(child) for ch, child in sorted(
        (k, v) for k, v in node.items() if k not in (_END, _WILD))]
    if node.get(_WILD):
        alts.append(r"[^ .]* ")
    if node.get(_END):
        alts.append("")
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"


def _first(items: Sequence[Any]) -> set[Any]:
    """Possible first tokens: ('lit', tok) / ('pre', prefix) / _ANY."""
    out: set[Any] = set()
    for it in items:
        f, nullable = _first_item(it)
        out |= f
        if not nullable:
            return out
    out.add(_ANY)
    return out


def _first_item(it: Any) -> tuple[set[Any], bool]:
    if isinstance(it, _Lit):
        return ({("lit", it.toks[0])}, False) if it.toks else (set(), True)
    if isinstance(it, _Wild):
        return {("pre", it.prefix)}, False
    if isinstance(it, _Num):
        return {("pre", d) for d in "0123456789"}, False
    if isinstance(it, _Gap):
        return set(), True
    if isinstance(it, _Opt):
        f, _ = _first_item(it.item)
        return f, True
    if isinstance(it, _Alt):
        out: set[Any] = set()
        nullable = False
        for b in it.branches:
            f = _first(b)
            if _ANY in f:
                nullable = True
                f.discard(_ANY)
            out |= f
        return out, nullable
    raise TypeError(it)


def _literals(items: Sequence[Any], out: set[str]) -> set[str]:
    for it in items:
        if isinstance(it, _Lit):
            out.update(it.toks)
        elif isinstance(it, _Opt):
            _literals([it.item], out)
        elif isinstance(it, _Alt):
            for b in it.branches:
                _literals(b, out)
    return out


def _has_gap(items: Sequence[Any]) -> bool:
    for it in items:
        if isinstance(it, _Gap):
            return True
        if isinstance(it, _Opt) and _has_gap([it.item]):
            return True
        if isinstance(it, _Alt) and any(_has_gap(b) for b in it.branches):
            return True
    return False


def _strip_gaps(items: list[Any]) -> list[Any]:
    while items and isinstance(items[0], _Gap):
        items = items[1:]
    while items and isinstance(items[-1], _Gap):
        items = items[:-1]
    return items


# -- compiled patterns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pattern:
    """One compiled pattern with the metadata of the lexicon entry it came from."""

    source: str
    regex: re.Pattern[str]
    literals: frozenset[str]
    meta: Mapping[str, Any] = field(default_factory=dict)
    contiguous: bool = True  # no "..." gap: a fixed expression ("garde a vue", "mes parents")
    single: bool = False  # one word (or one of a list of words / stems): no regex needed


@dataclass(frozen=True, slots=True)
class Hit:
    pattern: Pattern
    first: int  # token index (inclusive)
    last: int  # token index (inclusive)


def compile_pattern(
    src: str,
    normalizer: Normalizer,
    vocab: Mapping[str, Sequence[str]] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> tuple[Pattern, set[Any], set[Any]]:
    items = _strip_gaps(_Parser(str(src), normalizer, vocab or {}).parse())
    if not items:
        raise PatternError(f"pattern {src!r} matches nothing after normalisation")
    first = _first(items)
    if _ANY in first:
        raise PatternError(f"pattern {src!r} has no required word to start from")
    try:
        regex = re.compile("(?<= )" + _rx(items))
    except re.error as exc:  # pragma: no cover - the generator escapes everything
        raise PatternError(f"pattern {src!r}: {exc}") from exc
    return (Pattern(str(src), regex, frozenset(_literals(items, set())), dict(meta or {}),
                    not _has_gap(items), _single_token(items)), first, _gate(items, first))


def _single_token(items: Sequence[Any]) -> bool:
    """True if the pattern is exactly one token: a word, a stem, or a list of them. Such a
    pattern matches wherever the start index says it can start (see PatternSet.match)."""
    if len(items) != 1:
        return False
    it = items[0]
    if isinstance(it, _Lit):
        return len(it.toks) == 1
    if isinstance(it, _Wild):
        return True
    if isinstance(it, _Alt):
        for b in it.branches:
            if len(b) != 1:
                return False
            x = b[0]
            if isinstance(x, _Lit) and len(x.toks) == 1:
                continue
            if isinstance(x, _Wild):
                continue
            return False
        return True
    return False


# Very frequent words make poor gates: a pattern is only tried on a message that contains its
# gate, so the gate is the rarest word the pattern cannot match without.
_COMMON = frozenset(
    "je j tu il elle on nous vous ils elles me te se le la les l un une des de du d a au aux "
    "et est ai as ont suis es sommes etes sont pas plus que qui ce ca sa son ses mon ma mes ton "
    "ta tes leur leurs en y dans pour avec sur par sans mais ou donc car si quand comme tout "
    "tous toute toutes trop tres bien mal moi toi lui eux veux veut vais va fait faire fais "
    "dit dire avoir etre peux peut sais rien quoi comment pourquoi oui non alors aussi encore "
    "deja jamais toujours vraiment juste meme autre autres cette cet ces ici la quelque".split())


def _token_cost(kind: str, tok: str) -> int:
    if kind == "lit":
        return 1000 if tok in _COMMON else 1
    return 300 if len(tok) <= 3 else 3  # a short prefix matches many words


def _cost(tokens: set[Any]) -> int:
    return sum(_token_cost(k, t) for k, t in tokens)


def _needs(items: Sequence[Any]) -> list[set[Any]]:
    """Sets of tokens the sequence cannot match without: one of each set must appear."""
    out: list[set[Any]] = []
    for it in items:
        out.extend(_item_needs(it))
    return out


def _item_needs(it: Any) -> list[set[Any]]:
    if isinstance(it, _Lit):
        return [{("lit", t)} for t in it.toks]
    if isinstance(it, _Wild):
        return [{("pre", it.prefix)}]
    if isinstance(it, _Num):
        return [{("pre", d) for d in "0123456789"}]
    if isinstance(it, _Alt):
        # Any branch will do, so one needed token of each branch (its rarest): "(mourir|me tuer)"
        # needs "mourir" or "tuer", not the common "me" the second branch starts with.
        union: set[Any] = set()
        for branch in it.branches:
            options = _needs(branch)
            if not options:
                return []
            union |= min(options, key=_cost)
        return [union]
    return []  # gaps and optional items need nothing


def _gate(items: Sequence[Any], first: set[Any]) -> set[Any]:
    """The cheapest set of tokens one of which must appear for the pattern to match."""
    return min([first, *_needs(items)], key=_cost)


class PatternSet:
    """Many patterns indexed by a gate word: a message only runs the regexes of the patterns
    whose gate it contains (see :func:`_gate`), each once over the whole text."""

    def __init__(self) -> None:
        self.patterns: list[Pattern] = []
        # gate index: a pattern is tried only if the message holds one of its gate words
        self._lit: dict[str, list[int]] = {}
        self._pre: dict[str, list[int]] = {}
        self._pre_lengths: tuple[int, ...] = ()
        # start index: where to try it (at the tokens it can start with)
        self._slit: dict[str, list[int]] = {}
        self._spre: dict[str, list[int]] = {}
        self._spre_lengths: tuple[int, ...] = ()
        self._gate_cache: dict[str, frozenset[int]] = {}
        self._start_cache: dict[str, frozenset[int]] = {}

    def add(self, pattern: Pattern, first: Iterable[Any], gate: Iterable[Any] | None = None) -> None:
        idx = len(self.patterns)
        self.patterns.append(pattern)
        first = list(first)
        for kind, tok in (first if gate is None else gate):
            table = self._lit if kind == "lit" else self._pre
            table.setdefault(tok, []).append(idx)
        for kind, tok in first:
            table = self._slit if kind == "lit" else self._spre
            table.setdefault(tok, []).append(idx)
        self._pre_lengths = tuple(sorted({len(p) for p in self._pre}))
        self._spre_lengths = tuple(sorted({len(p) for p in self._spre}))
        self._gate_cache.clear()
        self._start_cache.clear()

    def __len__(self) -> int:
        return len(self.patterns)

    def _lookup(self, tok: str, lit: dict[str, list[int]], pre: dict[str, list[int]],
                lengths: tuple[int, ...], cache: dict[str, frozenset[int]]) -> frozenset[int]:
        hit = cache.get(tok)
        if hit is not None:
            return hit
        out: set[int] = set(lit.get(tok, ()))
        n = len(tok)
        for size in lengths:
            if size > n:
                break
            more = pre.get(tok[:size])
            if more:
                out.update(more)
        res = frozenset(out)
        if len(cache) < 100_000:
            cache[tok] = res
        return res

    def _gate_of(self, tok: str) -> frozenset[int]:
        return self._lookup(tok, self._lit, self._pre, self._pre_lengths, self._gate_cache)

    def _start_of(self, tok: str) -> frozenset[int]:
        return self._lookup(tok, self._slit, self._spre, self._spre_lengths, self._start_cache)

    def match(self, norm: Normalized, accept: Callable[[Pattern], bool] | None = None) -> list[Hit]:
        hits: list[Hit] = []
        text = norm.text
        offsets = norm.offsets
        lit, pre, lengths, pats = self._lit, self._pre, self._pre_lengths, self.patterns
        tokens = norm.tokens
        active: set[int] = set()
        gate_of = self._gate_of
        for tok in set(tokens):
            g = gate_of(tok)
            if g:
                active.update(g)
        if not active:
            return hits
        start_of = self._start_of
        for i, tok in enumerate(tokens):
            s = start_of(tok)
            if not s:
                continue
            found = active.intersection(s)
            if not found:
                continue
            start = offsets[i]
            for idx in sorted(found):
                p = pats[idx]
                if accept is not None and not accept(p):
                    continue
                if p.single:
                    # the start index only lists it for a token it matches
                    hits.append(Hit(p, i, i))
                    continue
                m = p.regex.match(text, start)
                if m is not None:
                    last = bisect_right(offsets, m.end() - 2) - 1
                    hits.append(Hit(p, i, max(i, last)))
        return hits
