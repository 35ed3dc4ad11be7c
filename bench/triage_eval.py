"""Evaluate the triage classifier on a labelled set and measure its speed.

    .venv/bin/python bench/triage_eval.py                       # the held-out set (figures only)
    .venv/bin/python bench/triage_eval.py --file tests/data/triage_tune.jsonl --errors

File format, one JSON object per line:
    {"text": "...", "themes": ["emploi", ...], "risk": "none|elevated|imminent", "family": "..."}
A burst can be given as {"texts": ["fragment 1", "fragment 2", ...], ...} instead of "text".

Printed: risk recall (elevated and imminent flagged), imminent recall (flagged at all),
imminent exact-level recall, false-positive rate on none, theme micro precision / recall / F1,
recall per theme, and messages per second (one process, one core).

    .venv/bin/python bench/triage_eval.py --learn              # rebuild config/triage/learned_net.yaml

    .venv/bin/python bench/triage_eval.py --learn-themes       # rebuild config/triage/learned_themes.yaml

``--learn`` fits the safety net (word weights, see bot/triage/lexicon.py) on the tuning set only
(never on the held-out set) and picks its threshold by 5-fold cross-validation on the tuning set.

``--learn-themes`` fits the theme scorer (bot/triage/theme_model.py) on the tuning set only and
picks each theme's threshold by 5-fold cross-validation of the rules and the scorer together
(micro-F1 of the themes); a theme the scorer does not improve gets no threshold.

The held-out file is for measuring only: this script never prints its messages (``--errors`` and
``--by-family`` are refused on it), so nobody tunes the lexicons on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.triage import Triage  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "triage_heldout.jsonl"
TARGETS = {
    "risk_recall": 0.97,
    "imminent_recall": 1.0,
    "imminent_exact": 0.85,
    "fp_rate_none": 0.08,
    "theme_f1": 0.85,
    "theme_recall_min": 0.75,
    "msgs_per_s": 5000,
}


def load(path: Path) -> list[dict]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path.name}:{n}: invalid JSON ({exc.msg})") from None
    return items


def fragments(item: dict) -> list[str] | None:
    for key in ("texts", "burst", "fragments"):
        v = item.get(key)
        if isinstance(v, list):
            return [str(x) for x in v]
    return None


def classify(triage: Triage, item: dict):
    frags = fragments(item)
    if frags is not None:
        return triage.classify_burst(frags)
    return triage.classify(str(item.get("text", "")))


def evaluate(triage: Triage, items: list[dict], *, errors: bool, by_family: bool) -> dict:
    risk_pos = risk_hit = 0
    imm = imm_flag = imm_exact = 0
    none_n = none_fp = 0
    tp = fp = fn = 0
    theme_gold: Counter[str] = Counter()
    theme_tp: Counter[str] = Counter()
    fam_stats: dict[str, Counter] = defaultdict(Counter)
    mistakes: list[str] = []
    for item in items:
        res = classify(triage, item)
        gold_risk = str(item.get("risk", "none"))
        pred = res.risk.value
        fam = str(item.get("family", "?"))
        fs = fam_stats[fam]
        fs["n"] += 1
        bad = []
        if gold_risk != "none":
            risk_pos += 1
            if pred != "none":
                risk_hit += 1
            else:
                bad.append("MISSED RISK")
        if gold_risk == "imminent":
            imm += 1
            imm_flag += pred != "none"
            imm_exact += pred == "imminent"
            if pred != "imminent":
                bad.append("imminent->" + pred)
        if gold_risk == "none":
            none_n += 1
            if pred != "none":
                none_fp += 1
                bad.append("FALSE ALARM " + pred)
        if gold_risk == "elevated" and pred == "imminent":
            fs["over"] += 1
        if gold_risk == pred:
            fs["risk_ok"] += 1
        gold_t = set(item.get("themes") or ())
        pred_t = set(res.themes)
        tp += len(gold_t & pred_t)
        fp += len(pred_t - gold_t)
        fn += len(gold_t - pred_t)
        for t in gold_t:
            theme_gold[t] += 1
            if t in pred_t:
                theme_tp[t] += 1
        if gold_t == pred_t:
            fs["themes_ok"] += 1
        if gold_t - pred_t:
            bad.append("missing " + ",".join(sorted(gold_t - pred_t)))
        if pred_t - gold_t:
            bad.append("extra " + ",".join(sorted(pred_t - gold_t)))
        if errors and bad:
            text = " || ".join(fragments(item) or [str(item.get("text", ""))])
            mistakes.append(
                f"[{fam}] gold={gold_risk} pred={pred} {'; '.join(bad)}\n    {text}\n"
                f"    gold themes={sorted(gold_t)} pred={list(res.themes)}\n"
                f"    reasons={list(res.reasons)}")
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    out = {
        "n": len(items),
        "risk_recall": risk_hit / risk_pos if risk_pos else float("nan"),
        "risk_positives": risk_pos,
        "imminent_recall": imm_flag / imm if imm else float("nan"),
        "imminent_exact": imm_exact / imm if imm else float("nan"),
        "imminent_n": imm,
        "fp_rate_none": none_fp / none_n if none_n else float("nan"),
        "none_n": none_n,
        "theme_precision": prec,
        "theme_recall": rec,
        "theme_f1": f1,
        "theme_recall_by": {t: theme_tp[t] / theme_gold[t] for t in sorted(theme_gold)},
        "theme_support": dict(theme_gold),
    }
    if errors:
        out["mistakes"] = mistakes
    if by_family:
        out["families"] = dict(sorted(fam_stats.items()))
    return out


def speed(triage: Triage, items: list[dict], min_seconds: float = 2.0) -> float:
    texts = [str(i.get("text", "")) or " ".join(fragments(i) or []) for i in items] or ["salut"]
    # distinct strings each round: the per-word cache is warm as in production, the
    # per-message work is done every time
    done = 0
    start = time.perf_counter()
    rounds = 0
    while True:
        for t in texts:
            triage.classify(t)
        done += len(texts)
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and rounds >= 2:
            return done / elapsed


# Words too common to explain anything alone: the net learns them only inside a pair of words
# ("me frappe", "et il"), so that every reason it gives names a word that means something.
_NET_STOP = frozenset(
    "je j tu il elle on nous vous ils elles me m te t se s le la les l un une des de du d a au "
    "aux et est ai as ont suis es sont pas plus que qu qui ce c ca sa son ses mon ma mes ton ta "
    "tes leur en y dans pour avec sur par sans mais ou donc car si quand comme tout tous toute "
    "toutes trop tres bien moi toi lui eux rien quoi alors aussi encore deja juste meme cette "
    "cet ces la ya dit dis disait".split())


def _net_features(triage: Triage, text: str) -> set[str]:
    toks = triage.lexicon.normalizer.normalize(text).tokens
    out: set[str] = set()
    prev = ""
    for t in toks:
        if t == ".":
            prev = ""
            continue
        if t not in _NET_STOP and not t.isdigit():
            out.add(t)
        if prev and not (prev in _NET_STOP and t in _NET_STOP):
            out.add(prev + " " + t)
        prev = t
    return out


def learn_net(triage: Triage, items: list[dict], out: Path, *, l2: float = 1.0,
              max_cv_fp: float = 0.005, min_weight: float = 0.1) -> dict:
    """Fit the safety net (logistic regression over words and word pairs) on labelled items and
    write it as YAML. The threshold is the lowest one whose 5-fold cross-validated false-positive
    rate of the net (on the "none" items that no rule flags) stays under ``max_cv_fp``: the
    rules' own false alarms on the tuning set do not use up the net's budget."""
    import numpy as np  # only needed here

    texts = [str(i.get("text", "")) or " ".join(fragments(i) or []) for i in items]
    feats = [_net_features(triage, t) for t in texts]
    y = np.array([0.0 if i.get("risk", "none") == "none" else 1.0 for i in items])
    df = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, c in df.items() if c >= 2)
    index = {f: k for k, f in enumerate(vocab)}
    X = np.zeros((len(items), len(vocab)))
    for r, fs in enumerate(feats):
        for f in fs:
            if f in index:
                X[r, index[f]] = 1.0

    def fit(rows):
        w = np.zeros(len(vocab))
        b = 0.0
        Xr, yr = X[rows], y[rows]
        for _ in range(400):
            p = 1.0 / (1.0 + np.exp(-(Xr @ w + b)))
            w -= 0.5 * (Xr.T @ (p - yr) / len(yr) + l2 * w / len(yr))
            b -= 0.5 * float((p - yr).mean())
        return w, b

    rules = np.array([triage.classify(t).risk.value != "none" for t in texts])
    order = list(range(len(items)))
    import random
    random.Random(0).shuffle(order)
    scores = np.zeros(len(items))
    for k in range(5):
        test = order[k::5]
        train = sorted(set(order) - set(test))
        w, b = fit(train)
        scores[test] = X[test] @ w + b
    threshold = None
    for th in [x / 4 for x in range(0, 25)]:
        fp = float(((scores >= th) & ~rules)[y == 0].mean())
        if fp <= max_cv_fp:
            threshold = th
            break
    if threshold is None:
        threshold = 6.0
    cv_recall = float(((scores >= threshold) | rules)[y == 1].mean())
    w, b = fit(order)
    kept = {vocab[k]: round(float(w[k]), 3) for k in np.argsort(-np.abs(w)) if abs(w[k]) >= min_weight}
    header = (
        "# Triage — safety net learned from the tuning examples (GENERATED, do not edit by hand)\n"
        "# ---------------------------------------------------------------------------------------------\n"
        "# Rebuilt by: .venv/bin/python bench/triage_eval.py --learn   (tests/data/triage_tune.jsonl)\n"
        "# Used only when no rule of risk.yaml fired and no hyperbole or fiction context is present:\n"
        "# the weights of the words (and pairs of words) of the message are added to `bias`; at\n"
        "# `threshold` the message is flagged \"elevated\" with the heaviest words as the reason, for an\n"
        "# educator to check. To fix a false alarm or a miss for good, write a rule in risk.yaml or\n"
        "# false_friends.yaml, add the example to the tuning set and rebuild.\n"
        f"# cross-validated on {len(items)} examples: threshold {threshold}, false alarms "
        f"of the net {max_cv_fp:.1%} at most, risk recall with the rules {cv_recall:.3f}\n"
        "# ---------------------------------------------------------------------------------------------\n")
    import yaml
    body = yaml.safe_dump({"family": "learned_net", "label": "message proche de messages à risque",
                           "bias": round(float(b), 3), "threshold": threshold, "weights": kept},
                          allow_unicode=True, sort_keys=False, width=100)
    out.write_text(header + body, encoding="utf-8")
    return {"threshold": threshold, "cv_recall": cv_recall, "weights": len(kept)}


def _micro_f1(gold: list[set[str]], pred: list[set[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def learn_themes(triage: Triage, items: list[dict], out: Path, *, l2: float = 1.0,
                 min_weight: float = 0.05, folds: int = 5) -> dict:
    """Fit the theme scorer (one logistic regression per theme over words and word pairs) and
    write it as YAML. Thresholds: coordinate search over the themes, maximising the
    cross-validated micro-F1 of the rules plus the scorer, which only adds themes."""
    import random

    import numpy as np  # only needed here
    import yaml

    from bot.triage.theme_model import features

    codes = [t.code for t in triage.lexicon.themes]
    max_themes = triage.lexicon.max_themes
    texts = [str(i.get("text", "")) or " ".join(fragments(i) or []) for i in items]
    feats = [{f for f, _i, _n in features(triage.lexicon.normalizer.normalize(t).tokens)}
             for t in texts]
    gold = [set(i.get("themes") or ()) for i in items]
    rules = [set(classify(triage, i).themes) for i in items]
    df = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, c in df.items() if c >= 2)
    index = {f: k for k, f in enumerate(vocab)}
    X = np.zeros((len(items), len(vocab)), dtype=np.float32)
    for r, fs in enumerate(feats):
        for f in fs:
            if f in index:
                X[r, index[f]] = 1.0
    Y = np.array([[1.0 if c in g else 0.0 for c in codes] for g in gold], dtype=np.float32)

    def fit(rows):
        Xr, Yr = X[rows], Y[rows]
        W = np.zeros((len(vocab), len(codes)), dtype=np.float32)
        b = np.zeros(len(codes), dtype=np.float32)
        n = len(rows)
        for _ in range(300):
            P = 1.0 / (1.0 + np.exp(-(Xr @ W + b)))
            G = P - Yr
            W -= 1.0 * (Xr.T @ G / n + l2 * W / n)
            b -= 1.0 * G.mean(axis=0)
        return W, b

    order = list(range(len(items)))
    random.Random(0).shuffle(order)
    S = np.zeros((len(items), len(codes)), dtype=np.float32)
    for k in range(folds):
        test = order[k::folds]
        train = sorted(set(order) - set(test))
        W, b = fit(train)
        S[test] = X[test] @ W + b

    INF = float("inf")

    def predict(th: dict[str, float], only_empty: bool) -> list[set[str]]:
        outp = []
        for r, base in enumerate(rules):
            room = max_themes - len(base)
            if room <= 0 or (only_empty and base):
                outp.append(base)
                continue
            cand = [(float(S[r, j]) - th[c], c) for j, c in enumerate(codes)
                    if c not in base and th[c] < INF and S[r, j] >= th[c]]
            cand.sort(reverse=True)
            outp.append(base | {c for _m, c in cand[:room]})
        return outp

    grid = [x / 4 for x in range(-8, 25)] + [INF]
    best_policy = None
    for only_empty in (False, True):
        th = {c: INF for c in codes}
        f1 = _micro_f1(gold, rules)
        for _pass in range(2):
            for c in codes:
                best_v, best_f = th[c], f1
                for v in grid:
                    th[c] = v
                    f = _micro_f1(gold, predict(th, only_empty))
                    if f > best_f + 1e-9:
                        best_v, best_f = v, f
                th[c], f1 = best_v, best_f
        if best_policy is None or f1 > best_policy[2] + 1e-9:
            best_policy = (only_empty, dict(th), f1)
    only_empty, th, cv_f1 = best_policy
    W, b = fit(order)
    themes_out: dict[str, dict] = {}
    for j, c in enumerate(codes):
        if th[c] == INF:
            themes_out[c] = {"threshold": None}
            continue
        col = W[:, j]
        kept = {vocab[k]: round(float(col[k]), 3)
                for k in np.argsort(-np.abs(col)) if abs(col[k]) >= min_weight}
        themes_out[c] = {"bias": round(float(b[j]), 3), "threshold": th[c], "weights": kept}
    rules_f1 = _micro_f1(gold, rules)
    header = (
        "# Triage — theme scorer learned from the tuning examples (GENERATED, do not edit by hand)\n"
        "# ---------------------------------------------------------------------------------------------\n"
        "# Rebuilt by: .venv/bin/python bench/triage_eval.py --learn-themes   (tests/data/triage_tune.jsonl)\n"
        "# Per theme: bias + the weights of the words and pairs of adjacent words of the message; at\n"
        "# `threshold` the theme is added when the lexicons (themes.yaml) missed it and the message has\n"
        "# room for one more theme; its heaviest words are the reason. A theme without threshold is left\n"
        "# to the lexicons. To fix a theme for good, extend themes.yaml, add the example, rebuild.\n"
        f"# {folds}-fold cross-validated on {len(items)} examples: theme micro-F1 {rules_f1:.3f} with the "
        f"lexicons alone, {cv_f1:.3f} with this scorer\n"
        "# ---------------------------------------------------------------------------------------------\n")
    body = yaml.safe_dump({"only_when_empty": only_empty, "themes": themes_out},
                          allow_unicode=True, sort_keys=False, width=100)
    out.write_text(header + body, encoding="utf-8")
    return {"rules_f1": round(rules_f1, 4), "cv_f1": round(cv_f1, 4), "only_when_empty": only_empty,
            "thresholds": {c: v for c, v in th.items() if v != INF}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=HELDOUT)
    ap.add_argument("--errors", action="store_true", help="print the mistakes (not on held-out)")
    ap.add_argument("--by-family", action="store_true", help="per-family table (not on held-out)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--config-dir", type=Path, default=None)
    ap.add_argument("--learn", action="store_true",
                    help="rebuild config/triage/learned_net.yaml from the tuning set")
    # 0.5 % of the net's own false alarms: on fresh batches written after the tuning set, a
    # larger budget caught at most 3 more risk messages in 42 (3 %) but flagged 13 to 30 % of
    # fresh everyday messages ("le mec de la boulangerie m'a dit..."), far above the
    # cross-validated estimate; the recall is won by the rules instead
    ap.add_argument("--max-fp", type=float, default=0.005,
                    help="cross-validated false-alarm budget of the learned net (default 0.005)")
    ap.add_argument("--learn-themes", action="store_true",
                    help="rebuild config/triage/learned_themes.yaml from the tuning set")
    ap.add_argument("--l2", type=float, default=1.0, help="regularisation for --learn-themes")
    args = ap.parse_args(argv)
    if args.learn_themes:
        tune = ROOT / "tests" / "data" / "triage_tune.jsonl"
        cfg = args.config_dir or (ROOT / "config" / "triage")
        target = cfg / "learned_themes.yaml"
        if target.exists():
            target.unlink()  # the thresholds are picked for the lexicons alone plus the scorer
        info = learn_themes(Triage.from_config(cfg), load(tune), target, l2=args.l2)
        print(f"wrote {target}: {info}")
        return 0
    if args.learn:
        tune = ROOT / "tests" / "data" / "triage_tune.jsonl"
        cfg = args.config_dir or (ROOT / "config" / "triage")
        target = cfg / "learned_net.yaml"
        if target.exists():
            target.unlink()  # learn from the rules alone
        info = learn_net(Triage.from_config(cfg), load(tune), target, max_cv_fp=args.max_fp)
        print(f"wrote {target}: {info}")
        return 0
    path = args.file.resolve()
    heldout = path.name == HELDOUT.name
    if heldout and (args.errors or args.by_family):
        print("refused: the held-out set is for measuring only (no messages, no per-family view)",
              file=sys.stderr)
        return 2
    if not path.exists():
        print(f"no evaluation file at {path}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    triage = Triage.from_config(args.config_dir)
    load_s = time.perf_counter() - t0
    items = load(path)
    res = evaluate(triage, items, errors=args.errors, by_family=args.by_family)
    res["msgs_per_s"] = speed(triage, items)
    res["load_seconds"] = load_s
    if args.json:
        print(json.dumps({k: v for k, v in res.items() if k != "mistakes"}, indent=2))
        return 0
    for m in res.get("mistakes", []):
        print(m)
    if "families" in res:
        print(f"\n{'family':40s} {'n':>5s} {'risk ok':>8s} {'themes ok':>9s} {'over':>5s}")
        for fam, c in res["families"].items():
            print(f"{fam:40s} {c['n']:5d} {c['risk_ok'] / c['n']:8.2f} "
                  f"{c['themes_ok'] / c['n']:9.2f} {c.get('over', 0):5d}")

    def line(label: str, value: float, target: str, ok: bool) -> None:
        print(f"  {label:38s} {value:10.3f}   target {target:>8s}  {'ok' if ok else 'MISSED'}")

    print(f"\ntriage evaluation on {path.name}: {res['n']} messages "
          f"({res['risk_positives']} at risk, {res['imminent_n']} imminent, {res['none_n']} none)")
    n_burst = sum(1 for i in items if fragments(i) is not None)
    lengths = [len(str(i.get("text", ""))) for i in items if fragments(i) is None]
    keys = sorted({k for i in items for k in i})
    print(f"  format: {len(items) - n_burst} single messages (mean {sum(lengths) / max(1, len(lengths)):.0f}"
          f" chars), {n_burst} bursts; fields {keys}")
    line("risk recall (elevated+imminent flagged)", res["risk_recall"], ">= 0.97",
         res["risk_recall"] >= TARGETS["risk_recall"])
    line("imminent recall (flagged)", res["imminent_recall"], "= 1.00",
         res["imminent_recall"] >= TARGETS["imminent_recall"])
    line("imminent exact-level recall", res["imminent_exact"], ">= 0.85",
         res["imminent_exact"] >= TARGETS["imminent_exact"])
    line("false-positive rate on none", res["fp_rate_none"], "<= 0.08",
         res["fp_rate_none"] <= TARGETS["fp_rate_none"])
    line("theme micro precision", res["theme_precision"], "", True)
    line("theme micro recall", res["theme_recall"], "", True)
    line("theme micro F1", res["theme_f1"], ">= 0.85", res["theme_f1"] >= TARGETS["theme_f1"])
    for t, r in res["theme_recall_by"].items():
        line(f"  recall {t} ({res['theme_support'][t]})", r, ">= 0.75",
             r >= TARGETS["theme_recall_min"])
    line("messages per second (1 core)", res["msgs_per_s"], ">= 5000",
         res["msgs_per_s"] >= TARGETS["msgs_per_s"])
    print(f"  (lexicons loaded in {res['load_seconds']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
