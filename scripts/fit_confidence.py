"""Fit the confidence model of ``parallel.confidence`` and write its parameters.

    PYTHONPATH=src .venv/bin/python scripts/fit_confidence.py                      # use-m3
    PYTHONPATH=src .venv/bin/python scripts/fit_confidence.py --model use-m3+e5-small
    PYTHONPATH=src .venv/bin/python scripts/fit_confidence.py --check              # refit, compare, write nothing
    PYTHONPATH=src .venv/bin/python scripts/fit_confidence.py --assign-only        # only the assignment's map

Training pairs are the candidates mining actually meets (each sentence's best partner by distance
margin in both directions, in rounds where the true pairs already found leave the pool) on the
``train`` scenarios of ``scripts/confidence_data.py``. The model is a logistic regression on
standardised features with a small L2 penalty, fitted by Newton's method (numpy only), followed
by a monotone piecewise-linear recalibration of its logit fitted on the same training pairs
(binned, isotonic). The pairs of the one-to-one assignment (``parallel.confidence.select`` on
sentence-for-sentence scenarios) are not in that fit; they get their own recalibration of the same
logit (Platt: a linear map, fitted on them). Deterministic: same data, same parameters, byte for
byte.

Prints the held-out expected calibration error and a reliability table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from confidence_data import Scenario, scenarios

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "parallel" / "resources" / "confidence"
L2 = 1.0
REFITS = 2


def embedder(model: str, cache: Path):  # type: ignore[no-untyped-def]
    from parallel.embed import get_encoder

    return get_encoder(model, cache=cache)


def oracle_rows(sc: Scenario, enc, rounds: int = 4) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Features and labels of the candidates met in rounds, true mutual pairs leaving the pool."""
    from parallel import confidence as cf

    a, e = np.asarray(enc.encode(sc.ar), np.float32), np.asarray(enc.encode(sc.en), np.float32)
    ks, kt = cf.model_knn_means(a, e)
    dummy = cf.Model("none", cf.FEATURES, np.zeros(len(cf.FEATURES)), np.ones(len(cf.FEATURES)),
                     np.zeros(len(cf.FEATURES)), 0.0)
    rows, cols = np.arange(len(a)), np.arange(len(e))
    xs, ys = [], []
    cover = cf.coverage(a, e, ks, kt)
    for r in range(rounds):
        s = cf.score_candidates(a, e, ks, kt, rows, cols, sc.ar, sc.en, dummy, encoder=enc, round_no=r,
                                cover=cover)
        if len(s.src) == 0:
            break
        y = np.array([(int(i), int(j)) in sc.gold for i, j in zip(s.src, s.tgt)], dtype=np.float64)
        mutual = s.x[:, cf.FEATURES.index("mutual")] == 1
        xs.append(s.x[mutual])
        ys.append(y[mutual])
        found = (y == 1) & (s.x[:, cf.FEATURES.index("mutual")] == 1)
        if not found.any():
            break
        rows = np.setdiff1d(rows, s.src[found])
        cols = np.setdiff1d(cols, s.tgt[found])
    return np.concatenate(xs), np.concatenate(ys)


def mined_rows(model, enc, scs: list[Scenario], assigned: bool = False  # type: ignore[no-untyped-def]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the pairs :func:`parallel.confidence.select` scores with ``model``
    in its rounds (a pair met in several rounds counts once, with its last features), or with
    ``assigned`` the pairs of its one-to-one assignment (on the scenarios where it runs)."""
    from parallel import confidence as cf

    xs, ys = [], []
    for sc in scs:
        a, e = np.asarray(enc.encode(sc.ar), np.float32), np.asarray(enc.encode(sc.en), np.float32)
        ks, kt = cf.model_knn_means(a, e)
        _, hist = cf.select(a, e, ks, kt, sc.ar, sc.en, model=model, min_p=cf.DEFAULT_MIN_P, encoder=enc,
                            keep_scored=True)
        last: dict[tuple[int, int], np.ndarray] = {}
        for h in hist:
            if (h.round == -1) == assigned:
                last.update({(int(i), int(j)): row for i, j, row in zip(h.src, h.tgt, h.x)})
        if last:
            xs.append(np.array(list(last.values())))
            ys.append(np.array([pair in sc.gold for pair in last], float))
    if not xs:
        return np.zeros((0, len(cf.FEATURES))), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 50
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -40, 40)))
        g = z.T @ (p - y) + reg * w
        h = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, w[1:], float(w[0])


def isotonic_knots(s: np.ndarray, y: np.ndarray, bins: int = 20) -> tuple[list[float], list[float]]:
    """Monotone map logit -> calibrated logit: pool-adjacent-violators over quantile bins."""
    order = np.argsort(s, kind="stable")
    s, y = s[order], y[order]
    edges = np.unique(np.quantile(s, np.linspace(0, 1, bins + 1)))
    groups = [(s[(s >= lo) & (s <= hi if k == len(edges) - 2 else s < hi)],
               y[(s >= lo) & (s <= hi if k == len(edges) - 2 else s < hi)])
              for k, (lo, hi) in enumerate(itertools.pairwise(edges))]
    blocks = [[float(g[0].mean()), float(g[1].sum()), float(len(g[1]))] for g in groups if len(g[1])]
    merged: list[list[float]] = []
    for b in blocks:
        merged.append(b)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] > merged[-1][1] / merged[-1][2]:
            c = merged.pop()
            p = merged.pop()
            merged.append([(p[0] * p[2] + c[0] * c[2]) / (p[2] + c[2]), p[1] + c[1], p[2] + c[2]])
    xs, ys = [], []
    for cx, pos, n in merged:
        rate = (pos + 0.5) / (n + 1.0)
        xs.append(cx)
        ys.append(float(np.log(rate / (1 - rate))))
    return xs, ys


def platt_knots(s: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> tuple[list[float], list[float]]:
    """A linear map of the logit, ``a * s + b`` fitted by logistic regression (Platt scaling),
    written as two knots at the ends of the logit's range: for a population too small for binned
    recalibration, smooth in the tails."""
    z = np.column_stack([np.ones(len(s)), s])
    w = np.array([0.0, 1.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -40, 40)))
        g = z.T @ (p - y) + l2 * w
        h = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.eye(2)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    b, a = float(w[0]), float(w[1])
    return [-40.0, 40.0], [b - 40.0 * a, b + 40.0 * a]


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[float, list[tuple[float, float, float, int]]]:
    """Expected calibration error (equal-width bins) and the table (lo, mean p, observed, count)."""
    table = []
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        if sel.any():
            mp, obs = float(p[sel].mean()), float(y[sel].mean())
            total += sel.sum() * abs(mp - obs)
            table.append((lo, mp, obs, int(sel.sum())))
    return total / max(len(p), 1), table


def print_table(title: str, e: float, table: list[tuple[float, float, float, int]]) -> None:
    print(f"{title}: ECE {e:.3f}")
    print("  p bin      mean p  observed  pairs")
    for lo, mp, obs, n in table:
        bar = "#" * round(obs * 30)
        print(f"  {lo:.1f}-{lo + 0.1:.1f}  {mp:6.3f}  {obs:8.3f}  {n:5d}  {bar}")


def heldout(model, enc, min_p: float, verbose: bool = False) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Mine every held-out scenario with ``model``: pooled p/labels of scored pairs and P/R/F1 per kind."""
    from parallel import confidence as cf

    ps, ys = [], []
    pa: list[float] = []
    ya: list[float] = []
    per: dict[str, list[int]] = {}
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    for sc in scenarios("heldout"):
        a, e = np.asarray(enc.encode(sc.ar), np.float32), np.asarray(enc.encode(sc.en), np.float32)
        ks, kt = cf.model_knn_means(a, e)
        kept, hist = cf.select(a, e, ks, kt, sc.ar, sc.en, model=model, min_p=min_p, encoder=enc,
                               keep_scored=True)
        last: dict[tuple[int, int], float] = {}
        for h in hist:  # a pair scored in several rounds counts once, with its last p
            last.update({(int(i), int(j)): float(p) for i, j, p in zip(h.src, h.tgt, h.p)})
            if h.round == -1:
                pa.extend(float(p) for p in h.p)
                ya.extend(float((int(i), int(j)) in sc.gold) for i, j in zip(h.src, h.tgt))
        ps.append(np.array(list(last.values())))
        ys.append(np.array([pair in sc.gold for pair in last], float))
        kp, ky = by_kind.setdefault(sc.kind, ([], []))
        kp.extend(ps[-1].tolist())
        ky.extend(ys[-1].tolist())
        tp = sum((i, j) in sc.gold for i, j, _, _ in kept)
        if verbose:
            print(f"    {sc.name:14s} {prf(tp, len(kept), len(sc.gold))}")
        c = per.setdefault(sc.kind, [0, 0, 0])
        c[0] += tp
        c[1] += len(kept)
        c[2] += len(sc.gold)
    return {"p": np.concatenate(ps), "y": np.concatenate(ys), "per": per, "pa": np.array(pa),
            "ya": np.array(ya), "by_kind": {k: (np.array(v[0]), np.array(v[1])) for k, v in by_kind.items()}}


def prf(tp: int, npred: int, ngold: int) -> str:
    from parallel.evaluate import PRF

    s = PRF(tp, npred, tp, ngold)
    return f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} ({tp}/{npred}, gold {ngold})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="use-m3")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallel-confidence-cache"))
    ap.add_argument("--check", action="store_true", help="fit and report, write nothing")
    ap.add_argument("--out", type=Path, default=OUT, help="folder for the parameters (default: the package's)")
    ap.add_argument("--assign-only", action="store_true",
                    help="keep the shipped weights and knots, refit only the assignment's recalibration")
    ap.add_argument("-v", "--verbose", action="store_true", help="P/R/F1 of every held-out scenario")
    args = ap.parse_args()

    from parallel import confidence as cf

    enc = embedder(args.model, args.cache)
    old_info: dict[str, object] = {}
    if args.assign_only:
        # keep the shipped weights and knots; refit only the assignment's recalibration
        shipped = (OUT / cf.model_file(args.model)).read_text(encoding="utf-8")
        model = cf.Model.from_json(shipped)
        old_info = json.loads(shipped).get("info", {})
        mean, scale, coef, b = model.mean, model.scale, model.coef, model.intercept
        kx, ky = list(model.knots_x), list(model.knots_y)
        y = np.zeros(int(old_info.get("training_pairs", 0)))
    else:
        xs, ys = [], []
        for sc in scenarios("train"):
            x, y = oracle_rows(sc, enc)
            xs.append(x)
            ys.append(y)
        x, y = np.concatenate(xs), np.concatenate(ys)
        mean, scale, coef, b = fit_logistic(x, y)
        model = cf.Model(args.model, cf.FEATURES, mean, scale, coef, b)
        for _ in range(REFITS):
            # the pairs mining with this model scores (each once, last round's features): refit on them
            x, y = mined_rows(model, enc, scenarios("train"))
            mean, scale, coef, b = fit_logistic(x, y)
            model = cf.Model(args.model, cf.FEATURES, mean, scale, coef, b)
        print(f"training pairs: {len(y)} ({int(y.sum())} true)")
        kx, ky = isotonic_knots(model.logit(x), y)
        model = cf.Model(args.model, cf.FEATURES, mean, scale, coef, b, tuple(kx), tuple(ky))
    # the one-to-one assignment's pairs (sentence-for-sentence scenarios) are a population of their
    # own (pairs that are not each other's best, negative gaps): same weights, their own recalibration
    xa, ya = mined_rows(model, enc, scenarios("train"), assigned=True)
    print(f"assignment pairs: {len(ya)} ({int(ya.sum())} true)")
    ax, ay = platt_knots(model.logit(xa), ya) if len(ya) else ([], [])
    model = cf.Model(args.model, cf.FEATURES, mean, scale, coef, b, tuple(kx), tuple(ky), tuple(ax), tuple(ay))
    for name, c in sorted(zip(cf.FEATURES, coef), key=lambda t: -abs(t[1])):
        print(f"  {name:14s} {c:+.3f}")
    res = heldout(model, enc, cf.DEFAULT_MIN_P, verbose=args.verbose)
    e, table = ece(res["p"], res["y"])  # type: ignore[arg-type]
    print_table("held-out (pairs scored while mining)", e, table)
    for kind, (tp, npred, ngold) in sorted(res["per"].items()):  # type: ignore[attr-defined]
        print(f"  {kind:9s} {prf(tp, npred, ngold)}")
    # the pooled ECE can hide kinds that err in opposite directions: each kind's own, and its pairs
    # in the band where the bar cuts (p 0.45-0.8), predicted against observed
    print("held-out calibration by kind (ECE; pairs at p 0.45-0.8: mean p -> share right)")
    for kind, (kp, ky) in sorted(res["by_kind"].items()):  # type: ignore[attr-defined]
        band = (kp >= 0.45) & (kp < 0.8)
        mid = f"{band.sum()} pairs, {kp[band].mean():.3f} -> {ky[band].mean():.3f}" if band.any() else "none"
        print(f"  {kind:14s} ECE {ece(kp, ky)[0]:.3f} over {len(kp)} pairs; {mid}")
    ea, _ = ece(res["pa"], res["ya"])  # type: ignore[arg-type]
    print(f"held-out assignment pairs: ECE {ea:.3f} ({len(res['ya'])} pairs)")  # type: ignore[arg-type]
    info = {**old_info, "training_pairs": len(y), "true": int(y.sum()), "assignment_pairs": len(ya),
            "l2": L2, "heldout_ece": round(e, 4), "heldout_assignment_ece": round(ea, 4),
            "data": "scripts/confidence_data.py (train split)"}
    if args.assign_only:
        info["true"] = old_info.get("true", 0)
    if not args.check:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / cf.model_file(args.model)
        path.write_text(model.to_json(info), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
