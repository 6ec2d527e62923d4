"""Fit the p of links in a translation (``parallel.confidence.in_translation``) and write it.

    PYTHONPATH=src .venv/bin/python scripts/fit_parallel_p.py            # fit, write, print the check
    PYTHONPATH=src .venv/bin/python scripts/fit_parallel_p.py --check    # the shipped map, write nothing
    PYTHONPATH=src .venv/bin/python scripts/fit_parallel_p.py --check --extra /tmp/quran-docs

Parallel mode gives every link it forces the p of its pair as mining computes it: do these two
sentences say the same thing, with nothing else known. Inside a translation that is too little:
the link lies on a monotonic path, and a freely rendered sentence whose cosine is weak is still
where it belongs. This script aligns the visible translation sets of ``../shared/bench`` the way
``parallel-corpus align --mode parallel --presplit`` does (NTREX merged, one-to-many and long
links; Text+Berg test and dev and their one-to-many variants), also with Gaussian noise of norm 1.0
and 1.5 added to every vector (``bench/align_bench.py --noise``: a freer translation, a weaker
encoder), counts each link right when it is exactly a gold link, and fits
``logit(p') = intercept + slope x logit(p) + beside_gap x gap + contested x contest`` by logistic
regression (Newton's method, L2 1 on every term but the intercept; each set and noise level weighs
the same), ``gap`` 1 for a link next to a 1-0 / 0-1 link (``parallel.confidence.beside_gap``: a
translation rarely leaves a sentence out, and the link beside one that did is often cut at the
wrong place) and ``contest`` how well a cut one sentence over would do
(``parallel.confidence.contested``). Links in a stretch that is no translation
(``parallel.confidence.untranslated``) keep their pairs' p: the fit leaves them out. Deterministic:
same data, same four numbers.

The check prints, per set and noise level, the links' share right, their mean p before and after,
and the expected calibration error (10 bins) of both, for the links beside a gap their share
right and mean p after, and how many links a stretch that is no translation took (and how many of
them were right); then how many documents the mode test took for translations still carry the
warning that no link looks like a translation on its own (``parallel.confidence.weak_throughout``:
every document here is a translation); ``--extra DIR`` adds folders built outside
the repository (NN.ar / NN.en one unit a line, NN.gold.align), which the fit never sees: the
Qur'an of ``bench/quran_docs.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "src" / "parallel" / "resources" / "confidence" / "in-translation.json"
SETS = ("ntrex", "onemany", "long", "test", "dev", "tbmany", "tbmany-dev")
NOISE = (0.0, 1.0, 1.5)
LANGS = {"test": ("de", "fr"), "dev": ("de", "fr"), "tbmany": ("de", "fr"), "tbmany-dev": ("de", "fr")}


Row = tuple[float, bool, bool, float, bool, bool]


def rows(name: str, docs: list[Any], noise: float, cache: Path) -> tuple[list[Row], int, int]:
    """(pair p, exactly a gold link, beside a 1-0 / 0-1 link, contested cut, in a stretch that is no
    translation: ``parallel.confidence.untranslated``, several sentences on both sides) of every
    link with two sides that parallel mode forces; and how many documents the mode test took for
    translations, and how many of those are warned that no link looks like a translation on its
    own: every document here is a translation, so such a warning is a false alarm (stop 58's refit
    gave one to 50 of 109 hadith documents)."""
    from align_bench import CachedEncoder, Noisy

    import parallel.confidence as cf
    from parallel.api import align_documents, make_document
    from parallel.normalize import length

    enc: Any = CachedEncoder(cache)
    if noise:
        enc = Noisy(enc, noise)
        enc.name = "use-m3"  # the pair model of the encoder underneath
    a_lang, b_lang = LANGS.get(name, ("ar", "en"))
    out: list[Row] = []
    warned = taken = 0
    real = cf.in_translation
    cf.in_translation = lambda p, gap=None, contest=None, many=None: np.asarray(p, dtype=np.float64)  # pairs' own p
    try:
        for _, a, b, gold in docs:
            want = {(tuple(x), tuple(y)) for x, y in gold}
            al = align_documents(make_document("\n".join(a) + "\n", a_lang, presplit=True),
                                 make_document("\n".join(b) + "\n", b_lang, presplit=True),
                                 mode="parallel", model=enc, cache=False)
            if not al.info.get("translation"):
                continue  # the mode test did not take it for a translation: its links keep the pair's p
            taken += 1
            warned += "on its own" in str(al.info.get("warning", ""))
            near = cf.beside_gap(al.links)
            cut = cf.contested(al.links, enc.encode(list(al.src.sentences)), enc.encode(list(al.tgt.sentences)),
                               [length(x) for x in al.src.sentences], [length(x) for x in al.tgt.sentences])
            doc = [(float(k.features["p"]), (k.src, k.tgt) in want, bool(g), float(c), len(k.src) > 1 < len(k.tgt))
                   for k, g, c in zip(al.links, near, cut) if k.src and k.tgt and "p" in k.features]
            off = cf.untranslated(np.array([r[0] for r in doc]))
            out += [(*r[:4], bool(o), r[4]) for r, o in zip(doc, off, strict=True)]
    finally:
        cf.in_translation = real
    (enc.enc if noise else enc).save()
    return out, warned, taken


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-4, 1.0 - 1e-4)
    return np.asarray(np.log(q / (1.0 - q)))


def columns(g: list[Row]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """pair p, right, beside a gap, contested, in a stretch that is no translation, several
    sentences on both sides: one array each."""
    return (np.array([r[0] for r in g]), np.array([r[1] for r in g], dtype=np.float64),
            np.array([r[2] for r in g], dtype=np.float64), np.array([r[3] for r in g]),
            np.array([r[4] for r in g], dtype=bool), np.array([r[5] for r in g], dtype=np.float64))


def fit(groups: dict[str, list[Row]]) -> tuple[float, float, float, float, float]:
    """The map's five numbers, fitted on the links it maps (not those in a stretch that is no
    translation, which keep their pairs' p)."""
    groups = {k: kept for k, g in groups.items() if (kept := [r for r in g if not r[4]])}
    cols = [columns(g) for g in groups.values()]
    x = np.concatenate([logit(c[0]) for c in cols])
    y = np.concatenate([c[1] for c in cols])
    gap = np.concatenate([c[2] for c in cols])
    cut = np.concatenate([c[3] for c in cols])
    many = np.concatenate([c[5] for c in cols])
    w = np.concatenate([np.full(len(g), 1.0 / len(g)) for g in groups.values()]) * len(x) / len(groups)
    X = np.stack([np.ones_like(x), x, gap, cut, many], axis=1)
    beta = np.zeros(5)
    reg = np.diag([0.0, 1.0, 1.0, 1.0, 1.0])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-X @ beta))
        grad = X.T @ (w * (p - y)) + reg @ beta
        hess = (X * (w * p * (1.0 - p))[:, None]).T @ X + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1]), float(beta[2]), float(beta[3]), float(beta[4])


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """The chance that a right link has a higher p than a wrong one (ties count half)."""
    right, wrong = p[y == 1], p[y == 0]
    if not len(right) or not len(wrong):
        return float("nan")
    return float(((right[:, None] > wrong[None, :]).sum() + 0.5 * (right[:, None] == wrong[None, :]).sum())
                 / (len(right) * len(wrong)))


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    k = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(p[k == b].mean() - y[k == b].mean()) * (k == b).sum() for b in range(bins) if (k == b).any())
                 / len(p))


def check(groups: dict[str, list[Row]], a: float, b: float, c: float, d: float, e: float) -> None:
    print(f"{'set':<34} {'links':>6} {'right':>6} {'mean p':>7} {'after':>6} {'ECE p':>6} {'after':>6}"
          f"  {'beside a gap: links, right, p after':>36}  {'no translation: links, right':>29}")
    every: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for name, g in groups.items():
        if not g:
            print(f"{name:<34} (not taken for a translation)")
            continue
        p, y, gap_f, cut, off, many = columns(g)
        gap = gap_f.astype(bool)
        q = np.where(off, p, 1.0 / (1.0 + np.exp(-(a + b * logit(p) + c * gap + d * cut + e * many))))
        every.append((q, y, gap, many.astype(bool)))
        near = f"{gap.sum():6d} {y[gap].mean():6.3f} {q[gap].mean():6.3f}" if gap.any() else f"{0:6d}"
        print(f"{name:<34} {len(g):6d} {y.mean():6.3f} {p.mean():7.3f} {q.mean():6.3f} {ece(p, y):6.3f} {ece(q, y):6.3f}"
              f"  {near:>36}  {off.sum():>22d} {int(y[off].sum()):6d}")
    if every:
        q, y, gap, many = (np.concatenate(x) for x in zip(*every))
        print(f"{'all of them':<34} {len(q):6d} {y.mean():6.3f} {'':>7} {q.mean():6.3f} {'':>6} {ece(q, y):6.3f}"
              f"  {gap.sum():6d} {y[gap].mean():6.3f} {q[gap].mean():6.3f}")
        print(f"right links ranked above wrong ones (AUC of p after): {auc(q, y):.3f}")
        if many.any():
            print(f"links of several sentences on both sides: {many.sum()}, right {y[many].mean():.3f},"
                  f" mean p after {q[many].mean():.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="print the check with the shipped map; write nothing")
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="DIR",
                    help="also check (never fit) the documents of DIR (NN.ar/NN.en/NN.gold.align)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallel-bench-cache"))
    args = ap.parse_args(argv)
    from align_bench import BENCH, extra_docs, load_sets

    if not BENCH.exists():
        print(f"no benchmark data at {BENCH}", file=sys.stderr)
        return 1
    train: dict[str, list[Row]] = {}
    warned: list[str] = []  # "set noise N: warned of taken", one a call of rows()
    for s in SETS:
        (label, docs), = load_sets([s]).items()
        for noise in NOISE:
            train[f"{label}, noise {noise}"], w, t = rows(s, docs, noise, args.cache)
            warned.append(f"{s} noise {noise}: {w} of {t}")
    held: dict[str, list[Row]] = {}
    for d in args.extra:
        for noise in NOISE[:2]:
            held[f"{d.name} (held out), noise {noise}"], w, t = rows(d.name, extra_docs(d), noise, args.cache)
            warned.append(f"{d.name} noise {noise}: {w} of {t}")
    if args.check:
        data = json.loads(OUT.read_text(encoding="utf-8"))
        a, b, c = float(data["intercept"]), float(data["slope"]), float(data.get("beside_gap", 0.0))
        d, e = float(data.get("contested", 0.0)), float(data.get("many_to_many", 0.0))
    else:
        a, b, c, d, e = fit({k: v for k, v in train.items() if v})
        n = sum(len(v) for v in train.values())
        OUT.write_text(json.dumps({
            "intercept": round(a, 6), "slope": round(b, 6), "beside_gap": round(c, 6), "contested": round(d, 6),
            "many_to_many": round(e, 6),
            "info": {"links": n, "sets": list(SETS), "noise": list(NOISE),
                     "made_by": "scripts/fit_parallel_p.py"}}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}: intercept {a:.4f}, slope {b:.4f}, beside a gap {c:.4f}, "
              f"contested {d:.4f}, many to many {e:.4f} ({n} links)")
    print("training sets:")
    check(train, a, b, c, d, e)
    if held:
        print("held out (never fitted on):")
        check(held, a, b, c, d, e)
    print("documents taken for translations and still warned that no link looks like one (false alarms):")
    print("  " + ", ".join(warned))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
