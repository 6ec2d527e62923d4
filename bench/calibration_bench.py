"""Reliability of the shipped confidence model on held-out pairs: predicted p against observed precision.

    PYTHONPATH=src .venv/bin/python bench/calibration_bench.py                      # use-m3
    PYTHONPATH=src .venv/bin/python bench/calibration_bench.py --model use-m3+e5-small

Mines every held-out scenario of ``scripts/confidence_data.py`` (NTREX documents and Tatoeba lines
the model was not fitted on) with the shipped parameters and the default bar, and prints the
expected calibration error, a reliability table (10 bins of p: mean p, observed precision,
pairs, a bar of the observed precision) and P/R/F1 per kind of scenario. Embeddings are cached
in ``--cache``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="use-m3")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallel-confidence-cache"))
    ap.add_argument("--min-p", type=float, default=None)
    args = ap.parse_args()

    from confidence_data import BENCH
    from fit_confidence import ece, embedder, heldout, prf, print_table

    from parallel import confidence as cf

    if not BENCH.is_dir():
        print(f"{BENCH} is absent; nothing to measure", file=sys.stderr)
        return 1
    min_p = cf.DEFAULT_MIN_P if args.min_p is None else args.min_p
    res = heldout(cf.load_model(args.model), embedder(args.model, args.cache), min_p)
    e, table = ece(res["p"], res["y"])  # type: ignore[arg-type]
    print(f"model {args.model}, min_p {min_p}")
    print_table("held-out pairs scored while mining", e, table)
    for kind, (tp, npred, ngold) in sorted(res["per"].items()):  # type: ignore[attr-defined]
        print(f"  {kind:15s} {prf(tp, npred, ngold)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
