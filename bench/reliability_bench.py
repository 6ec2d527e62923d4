"""Peak memory and time of ``align`` on one huge "sentence" (issue 16), and the embedding cache's
cost on a cold run.

    .venv/bin/python bench/reliability_bench.py              # 125 KB and 1 MB lines
    .venv/bin/python bench/reliability_bench.py --sizes 1000000 --kind base64
    .venv/bin/python bench/reliability_bench.py --sizes 2000000 --kind prose   # an article on one line
    .venv/bin/python bench/reliability_bench.py --cache 100000   # cold run, cache vs --no-cache
    .venv/bin/python bench/reliability_bench.py --cache-writes 100000   # the cache's own cost
    .venv/bin/python bench/reliability_bench.py --omission 100   # a long untranslated passage

Each size runs the real command in a fresh subprocess; the peak resident memory is that child's
``ru_maxrss`` (read in a fresh parent, so earlier runs do not count). Before the fix a 1 MB line
without punctuation took 8.8 GB and about 2 minutes (125 KB: 1.3 GB). Timings are on a shared
2-core machine: noisy and pessimistic.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EN = ("China held a press conference on Thursday. The spokesman said international cooperation is "
      "essential to fight the epidemic.\n")
AR = "عقدت الصين مؤتمرا صحفيا يوم الخميس. وقال المتحدث إن التعاون الدولي ضروري لمكافحة الوباء.\n"

MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
dt = time.perf_counter() - t
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, round(dt, 2))
if r.returncode:
    print(r.stderr, file=sys.stderr)
"""


def peak(args: list[str]) -> tuple[int, int, float]:
    """(exit status, peak RSS in KB, seconds) of ``python -m parallel ARGS`` in a fresh child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "parallel", *args],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def huge_line(size: int, kind: str) -> str:
    rng = random.Random(16)
    if kind == "prose":  # the seed's English article, its lines joined, again and again: names, numbers, clauses
        text = " ".join((ROOT / "corpus" / "covid-cooperation.en.txt").read_text(encoding="utf-8").split())
        return ((text + " ") * (size // len(text) + 1))[:size]
    if kind == "base64":
        return base64.b64encode(rng.randbytes(size * 3 // 4)).decode()[:size]
    words = ["cooperation", "epidemic", "China", "experts", "health", "world", "data", "medical"]
    return " ".join(rng.choice(words) for _ in range(size // 6))[:size]


def long_line(sizes: list[int], kind: str) -> None:
    print(f"| line ({kind}) | exit | peak RSS MB | seconds |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="parallel-bench-") as tmp:
        d = Path(tmp)
        (d / "doc.ar").write_text(AR, encoding="utf-8")
        for size in sizes:
            (d / "huge.en").write_text(EN + huge_line(size, kind) + "\n", encoding="utf-8")
            # prose: one sentence a line as given (--presplit), so the line stays one "sentence" of
            # thousands of clauses and names (it took 9 minutes at 2 MB before stop 47)
            rc, kb, dt = peak(["align", str(d / "huge.en"), str(d / "doc.ar"), "--src-lang", "en",
                               "--tgt-lang", "ar", "--force-lang", "--no-cache", "-q",
                               *(["--presplit"] if kind == "prose" else []), "-o", str(d / "out.tsv")])
            print(f"| {size:,} chars | {rc} | {kb / 1024:.0f} | {dt:.1f} |")


def cache_cost(n: int) -> None:
    """Cold embedding of ``n`` distinct sentences with and without the cache (fresh cache dir)."""
    with tempfile.TemporaryDirectory(prefix="parallel-bench-") as tmp:
        d = Path(tmp)
        rng = random.Random(6)
        words = EN.split()
        lines = [" ".join(rng.choice(words) for _ in range(12)) + f" {i}." for i in range(n)]
        code = (
            "import sys, time\nfrom parallel.embed import get_encoder\n"
            "texts = open(sys.argv[1], encoding='utf-8').read().splitlines()\n"
            "enc = get_encoder('use-m3', cache=(sys.argv[2] if sys.argv[2] != '-' else None))\n"
            "enc.encode(texts[:10])\nt = time.perf_counter()\nenc.encode(texts)\n"
            "print(round(time.perf_counter() - t, 2))\n"
        )
        (d / "s.txt").write_text("\n".join(lines), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        for label, cache in (("no cache", "-"), ("cache (cold)", str(d / "cache")),
                             ("cache (warm)", str(d / "cache"))):
            t = subprocess.run([sys.executable, "-c", code, str(d / "s.txt"), cache], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
            print(f"{label:>14}: {n:,} sentences embedded in {t} s")


def cache_writes(n: int) -> None:
    """Time :class:`EmbeddingCache` storing and reading ``n`` random 512-d vectors, 256 per batch
    (as :class:`parallel.embed.CachedEncoder` does), in a fresh folder."""
    import numpy as np

    from parallel.cache import EmbeddingCache

    rng = np.random.default_rng(16)
    vecs = rng.standard_normal((n, 512)).astype(np.float32)
    texts = [f"sentence {i}" for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="parallel-bench-") as tmp:
        cache = EmbeddingCache(tmp)
        t = time.perf_counter()
        for s in range(0, n, 256):
            cache.put("bench", dict(zip(texts[s:s + 256], vecs[s:s + 256])))
        put = time.perf_counter() - t
        t = time.perf_counter()
        got = cache.get("bench", texts)
        get = time.perf_counter() - t
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        cache.close()
    assert len(got) == n
    print(f"cache: {n:,} vectors written in {put:.2f} s, read in {get:.2f} s, {size / 1e6:.0f} MB on disk")


def omission(gap_lines: int) -> None:
    """A book-sized translation with a long untranslated passage: the 123 NTREX documents as one
    text (Arabic sentences joined three to a line with commas, a one-to-many document), with
    ``gap_lines`` Arabic lines (three times as many English sentences) cut from the middle. The
    banded search used to be as wide as the gap for the whole document (found in stop 14:
    1.4 GB and 18.5 s for a 300-sentence gap); now the document is split at the gap."""
    import re

    bench = ROOT.parent / "shared" / "bench" / "ntrex128_arb_eng"
    if not bench.is_dir():
        print(f"{bench} is absent")
        return
    ar = (bench / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()
    en = (bench / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    final = re.compile(r"\s*[.!?؟]+(?=[\"'»”’)\]]*\s*$)")
    lines = [" ".join([final.sub("،", x.rstrip(), count=1) for x in ar[i:i + 3][:-1]] + ar[i:i + 3][-1:])
             for i in range(0, len(ar), 3)]
    mid = len(lines) // 2
    print("| Arabic lines x English sentences | untranslated English sentences | exit | peak RSS MB | seconds |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="parallel-bench-") as tmp:
        d = Path(tmp)
        (d / "book.en").write_text("\n".join(en) + "\n", encoding="utf-8")
        for gap in sorted({0, gap_lines}):
            kept = lines[:mid] + lines[mid + gap:]
            (d / "book.ar").write_text("\n".join(kept) + "\n", encoding="utf-8")
            rc, kb, dt = peak(["align", str(d / "book.ar"), str(d / "book.en"), "--presplit", "--mode", "parallel",
                               "--cache-dir", str(d / "cache"), "-q", "-o", str(d / "out.tsv")])
            print(f"| {len(kept)} x {len(en)} | {3 * gap} | {rc} | {kb / 1024:.0f} | {dt:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[125_000, 1_000_000])
    ap.add_argument("--kind", choices=["words", "base64", "prose"], default="words")
    ap.add_argument("--cache", type=int, metavar="N", default=0,
                    help="instead: cold embedding of N sentences with and without the cache")
    ap.add_argument("--cache-writes", type=int, metavar="N", default=0,
                    help="instead: the cache alone storing and reading N vectors")
    ap.add_argument("--omission", type=int, metavar="LINES", default=0,
                    help="instead: a book-sized translation with LINES Arabic lines cut from its middle")
    a = ap.parse_args()
    t = time.perf_counter()
    if a.omission:
        omission(a.omission)
    elif a.cache_writes:
        cache_writes(a.cache_writes)
    elif a.cache:
        cache_cost(a.cache)
    else:
        long_line(a.sizes, a.kind)
    print(f"({time.perf_counter() - t:.0f} s in all; shared 2-core machine, timings noisy)")


if __name__ == "__main__":
    main()
