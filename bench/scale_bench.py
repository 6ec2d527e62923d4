"""Scaling curve for corpus-scale work: mining n x n sentences and aligning many document pairs.

Mining uses synthetic clustered 512-d unit vectors (half of the targets are noisy copies of
sources), stored on disk in chunks like real embeddings: the time is the search + scoring +
selection alone (embeddings excluded). Each measurement runs in a fresh process; "peak MB" is
that process's maximum resident set size (memory-mapped chunk pages included).

Alignment: N document pairs built from NTREX-128 documents (../shared/bench; each pair drops a
different sentence so no two pairs are the same), run with ``run_manifest`` and 1 then 2 local jobs.

    .venv/bin/python bench/scale_bench.py                       # 10k, 100k, 1M; 1000 pairs
    .venv/bin/python bench/scale_bench.py --sizes 10000 100000 --pairs 200
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NTREX = ROOT.parent / "shared" / "bench" / "ntrex128_arb_eng"
D = 512
CHUNK = 50_000


def make_vectors(folder: Path, n: int, seed: int = 0) -> None:
    """Write src/ and tgt/ stores of n rows each; target i is a noisy copy of source i for even i."""
    from parallel.bigmine import save_chunk

    (folder / "src").mkdir(parents=True)
    (folder / "tgt").mkdir(parents=True)
    centres = np.random.default_rng(seed).normal(size=(1000, D)).astype(np.float32)
    for c, a in enumerate(range(0, n, CHUNK)):
        rows = min(CHUNK, n - a)
        rng = np.random.default_rng(seed + 1 + c)
        s = centres[rng.integers(0, 1000, rows)] + rng.normal(size=(rows, D)).astype(np.float32) * 1.2
        t = centres[rng.integers(0, 1000, rows)] + rng.normal(size=(rows, D)).astype(np.float32) * 1.2
        planted = (np.arange(a, a + rows) % 2) == 0
        t[planted] = s[planted] + rng.normal(size=(int(planted.sum()), D)).astype(np.float32) * 0.6
        s /= np.linalg.norm(s, axis=1, keepdims=True)
        t /= np.linalg.norm(t, axis=1, keepdims=True)
        save_chunk(folder / "src" / f"emb_{c:05d}.npy", s)
        save_chunk(folder / "tgt" / f"emb_{c:05d}.npy", t)


def mine_child(folder: str, index: str) -> None:
    """Run in a fresh process: mine the stores, print time, peak memory and recall as JSON."""
    from parallel.bigmine import VectorStore, mine_stores

    src, tgt = VectorStore(Path(folder) / "src"), VectorStore(Path(folder) / "tgt")
    t0 = time.perf_counter()
    res = mine_stores(src, tgt, index=index)
    secs = time.perf_counter() - t0
    n = len(src)
    correct = int(np.sum((res.src == res.tgt) & (res.src % 2 == 0)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    how = res.info["index"]
    if how == "ivf":
        probes = res.info.get("nprobe")
        how += f", {res.info['nlist']} lists, nprobe {probes[0] if isinstance(probes, list) else probes}"
    print(json.dumps({"n": n, "index": how, "seconds": round(secs, 2),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "pairs": len(res.src), "precision": round(correct / max(len(res.src), 1), 4),
                      "recall": round(correct / math.ceil(n / 2), 4)}))


def bench_mining(sizes: list[int], index: str) -> list[dict[str, object]]:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
            make_vectors(Path(tmp), n)
            out = subprocess.run([sys.executable, __file__, "--child", tmp, "--index", index],
                                 check=True, capture_output=True, text=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"  mined {n} x {n}: {rows[-1]}", file=sys.stderr)
    return rows


def make_pairs(folder: Path, count: int) -> Path:
    """``count`` Arabic-English document pairs from NTREX (pair p drops sentence p // docs)."""
    ids = (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    ar = (NTREX / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()
    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[int]] = {}
    for line_no, doc in enumerate(ids[-len(ar):]):
        docs.setdefault(doc.split("\t")[-1], []).append(line_no)
    groups = list(docs.values())
    rows = ["name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\tpresplit"]
    folder.mkdir(parents=True)
    for p in range(count):
        lines = groups[p % len(groups)]
        drop = (p // len(groups)) % len(lines)
        keep = [i for k, i in enumerate(lines) if k != drop]
        (folder / f"p{p:04d}.ar").write_text("\n".join(ar[i] for i in keep) + "\n", encoding="utf-8")
        (folder / f"p{p:04d}.en").write_text("\n".join(en[i] for i in keep) + "\n", encoding="utf-8")
        rows.append(f"p{p:04d}\tp{p:04d}.ar\tp{p:04d}.en\tar\ten\tparallel\tyes")
    (folder / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "manifest.tsv"


def bench_pairs(count: int, jobs_list: list[int]) -> list[dict[str, object]]:
    from parallel.corpus import run_manifest

    rows = []
    with tempfile.TemporaryDirectory(prefix="scale-bench-pairs-") as tmp:
        manifest = make_pairs(Path(tmp) / "in", count)
        for jobs in jobs_list:
            out = Path(tmp) / f"out{jobs}"
            t0 = time.perf_counter()
            summary = run_manifest(manifest, out, jobs=jobs)
            secs = time.perf_counter() - t0
            rows.append({"pairs": count, "jobs": jobs, "seconds": round(secs, 1),
                         "pairs_per_s": round(count / secs, 2), "links": summary.links,
                         "failed": len(summary.failures)})
            print(f"  aligned {count} pairs with {jobs} job(s): {rows[-1]}", file=sys.stderr)
            shutil.rmtree(out)
    return rows


TATOEBA = ROOT.parent / "shared" / "bench" / "tatoeba_ara_eng"


def bench_haystack(drop: float = 0.25, seed: int = 0) -> list[dict[str, object]]:
    """Quality at scale vs comparable mode on real text: NTREX + Tatoeba sentences (2997 pairs),
    ``drop`` of each side removed independently (so the rest have no partner), both shuffled."""
    from parallel.bigmine import mine_arrays
    from parallel.embed import get_encoder
    from parallel.mine import mine_detailed

    ar = (NTREX / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()
    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    ar += (TATOEBA / "tatoeba.ara-eng.ara").read_text(encoding="utf-8").splitlines()
    en += (TATOEBA / "tatoeba.ara-eng.eng").read_text(encoding="utf-8").splitlines()
    rng = np.random.default_rng(seed)
    a_ids = rng.permutation([i for i in range(len(ar)) if rng.random() >= drop])
    e_ids = rng.permutation([i for i in range(len(en)) if rng.random() >= drop])
    gold = {(int(p), int(q)) for p, i in enumerate(a_ids) for q in [np.flatnonzero(e_ids == i)] if len(q)
            for q in [q[0]]}
    enc = get_encoder("use-m3")
    t0 = time.perf_counter()
    src = enc.encode([ar[i] for i in a_ids])
    tgt = enc.encode([en[i] for i in e_ids])
    print(f"  haystack {len(src)} x {len(tgt)}, {len(gold)} gold pairs, embedded in "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    runs: dict[str, set[tuple[int, int]]] = {}
    t0 = time.perf_counter()
    runs["comparable mode (mine.py)"] = {(lk.src[0], lk.tgt[0]) for lk in mine_detailed(src, tgt, max_link=1).links}
    secs = {"comparable mode (mine.py)": time.perf_counter() - t0}
    for index in ("exact", "ivf"):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = mine_arrays(src, tgt, tmp, chunk_size=1000, index=index)
            secs[f"bigmine {index}"] = time.perf_counter() - t0
            runs[f"bigmine {index}"] = set(zip(res.src.tolist(), res.tgt.tolist(), strict=True))
    ref = runs["comparable mode (mine.py)"]
    rows = []
    for name, got in runs.items():
        tp = len(got & gold)
        p, r = tp / max(len(got), 1), tp / len(gold)
        rows.append({"method": name, "pairs": len(got), "P": round(p, 4), "R": round(r, 4),
                     "F1": round(2 * p * r / max(p + r, 1e-9), 4), "same_as_comparable": len(got & ref),
                     "seconds": round(secs[name], 2), "size": f"{len(src)} x {len(tgt)}"})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--index", default="auto", choices=["auto", "exact", "ivf"])
    ap.add_argument("--pairs", type=int, default=1000, help="document pairs to align (0: skip)")
    ap.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--haystack", action="store_true", help="also: quality vs comparable mode on real text")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mine_child(args.child, args.index)
        return
    mining = bench_mining(args.sizes, args.index) if args.sizes else []
    pairs = bench_pairs(args.pairs, args.jobs) if args.pairs and NTREX.is_dir() else []
    hay = bench_haystack() if args.haystack and NTREX.is_dir() and TATOEBA.is_dir() else []
    print("| task | size | index / jobs | time s | CPU s | peak MB | pairs | precision | recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in mining:
        print(f"| mine (search only) | {r['n']} x {r['n']} | {r['index']} | {r['seconds']} | {r.get('cpu_s', '')} "
              f"| {r['peak_mb']} | {r['pairs']} | {r['precision']} | {r['recall']} |")
    for a, b in itertools.pairwise(mining):  # the target: time grows no worse than n log n
        n0, n1 = int(a["n"]), int(b["n"])
        print(f"| growth {n0} -> {n1} | time x{float(b['seconds']) / float(a['seconds']):.1f} | "
              f"n log n allows x{n1 * math.log(n1) / (n0 * math.log(n0)):.1f} | | | | | | |")
    base = pairs[0]["seconds"] if pairs else None
    for r in pairs:
        speed = f" ({float(base) / float(r['seconds']):.2f}x)" if base else ""
        print(f"| align document pairs | {r['pairs']} | {r['jobs']} job(s) | {r['seconds']}{speed} | | | "
              f"{r['links']} links | | |")
    if hay:
        print()
        print("| haystack (real text) | method | pairs | P | R | F1 | same pairs as comparable | time s |")
        print("|---|---|---|---|---|---|---|---|")
        for h in hay:
            print(f"| {h['size']} | {h['method']} | {h['pairs']} | {h['P']} | {h['R']} | {h['F1']} "
                  f"| {h['same_as_comparable']} | {h['seconds']} |")
    if args.pairs and not NTREX.is_dir():
        print("(document-pair benchmark skipped: ../shared/bench is absent)")


if __name__ == "__main__":
    main()
