"""How long does the review app's server take per edit on a book-sized alignment? (prints figures)

    .venv/bin/python bench/review_bench.py                          # NTREX-128, aligned here once
    .venv/bin/python bench/review_bench.py --file book.json         # a native alignment (copied)
    .venv/bin/python bench/review_bench.py --file book.json --repeat 9 --no-embed

The Flask app runs in process (its test client: no network, no browser) on a copy of the file in
a temporary folder, with the encoder the alignment names reading the embedding cache, as
``parallel-corpus review`` does. For each action it prints the median, the fastest and the slowest
server time of ``--repeat`` requests (each on a link of its own, spread over the book) and the
size of the reply: the first load (``GET /api/state``), accept (a status change), note, merge,
split (of a link just merged) and relink (a link given its neighbour's target sentences), and
undo. Each edit asks for the changed rows alone, as the page does (``"delta": true``: an edit that
keeps the number of links answers with the rows it changed). The first merge of a session also pays for loading the encoder and embedding the documents
(read from the cache): it is timed apart and not in the medians.

Without ``--file``, the alignment is made once from the NTREX-128 news sentences of
``../shared/bench`` (1,997 Arabic-English lines, as one document: about half a book; ``--copies``
repeats them to make it longer) and kept in ``--work`` (default ``/tmp/parallel-review-bench``)
for the next run. Timings on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parallel.readers import read_alignment
from parallel.review.app import create_app


def bench_dir() -> Path:
    for cand in (os.environ.get("PARALLEL_BENCH_DATA"), ROOT.parent / "shared" / "bench", "/work/shared/bench"):
        if cand and (Path(cand) / "ntrex128_arb_eng").is_dir():
            return Path(cand)
    raise SystemExit("error: no NTREX-128 data (../shared/bench): give an alignment with --file")


def build(work: Path, copies: int) -> Path:
    """The NTREX-128 news sentences (``copies`` times) aligned in parallel mode, as native JSON."""
    out = work / f"ntrex-x{copies}.json"
    if out.is_file():
        return out
    from parallel import align
    from parallel.export import write_json
    from parallel.io import atomic_writer

    data = bench_dir() / "ntrex128_arb_eng"
    ar = (data / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines() * copies
    en = (data / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines() * copies
    print(f"aligning {len(ar)} x {len(en)} lines (once; kept in {out})...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    al = align("\n".join(ar), "\n".join(en), src_lang="ar", tgt_lang="en", mode="parallel", presplit=True)
    print(f"  aligned in {time.perf_counter() - t:.1f} s: {len(al.links)} links", file=sys.stderr)
    work.mkdir(parents=True, exist_ok=True)
    with atomic_writer(out) as fh:
        write_json(al, fh)
    return out


class Client:
    """The app in process on a copy of ``path``; each call returns (seconds, reply JSON, bytes)."""

    def __init__(self, path: Path, folder: Path, embed: bool) -> None:
        self.file = folder / "book.json"
        shutil.copy(path, self.file)
        self.app = create_app(self.file, port=5000, token="t", embed=embed)
        self.c = self.app.test_client()
        self.h = {"Host": "127.0.0.1:5000", "X-CSRF-Token": "t"}
        self.rev: str | None = None

    def state(self) -> tuple[float, dict[str, Any], int]:
        t = time.perf_counter()
        r = self.c.get("/api/state", headers=self.h)
        dt = time.perf_counter() - t
        j = r.get_json()
        self.rev = j["rev"]
        return dt, j, len(r.data)

    def post(self, url: str, body: dict[str, Any]) -> tuple[float, dict[str, Any], int]:
        t = time.perf_counter()
        r = self.c.post(url, headers=self.h, json={**body, "rev": self.rev, "delta": True})  # as the page asks
        dt = time.perf_counter() - t
        j = r.get_json()
        if r.status_code != 200:
            raise SystemExit(f"error: {url} {body}: {r.status_code} {j}")
        self.rev = j["rev"]
        return dt, j, len(r.data)

    def op(self, name: str, args: dict[str, Any]) -> tuple[float, dict[str, Any], int]:
        return self.post("/api/op", {"op": name, "args": args})


def spread(n_links: int, repeat: int, offset: int) -> list[int]:
    """``repeat`` link numbers spread over the book (away from its ends)."""
    lo, hi = 5, max(6, n_links - 10)
    return [lo + offset + (hi - lo - offset) * r // max(1, repeat) for r in range(repeat)]


def show(label: str, runs: list[tuple[float, int]]) -> None:
    times = [t for t, _ in runs]
    size = statistics.median(b for _, b in runs)
    print(f"  {label:<28} median {statistics.median(times):6.3f} s   min {min(times):6.3f}   "
          f"max {max(times):6.3f}   reply {size / 1e3:8.1f} kB   (n={len(times)})", flush=True)


def run(path: Path, repeat: int, embed: bool) -> None:
    al = read_alignment(path)
    size = path.stat().st_size
    print(f"{path.name}: {al.mode}, {len(al.links)} links, {len(al.src)} x {len(al.tgt)} sentences, "
          f"{size / 1e6:.1f} MB; {repeat} runs each, server time (in process)", flush=True)
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        cl = Client(path, Path(tmp), embed)
        dt, st, nbytes = cl.state()
        show("GET /api/state (first)", [(dt, nbytes)])
        n = len(st["links"])
        timed: dict[str, list[tuple[float, int]]] = {}

        def add(label: str, fn: Callable[[], tuple[float, dict[str, Any], int]]) -> dict[str, Any]:
            dt, j, nbytes = fn()
            timed.setdefault(label, []).append((dt, nbytes))
            return j

        for i in spread(n, repeat, 0):
            add("accept", lambda i=i: cl.op("status", {"link": i, "status": "accepted"}))
        for i in spread(n, repeat, 1):
            add("note", lambda i=i: cl.op("note", {"link": i, "note": f"bench {i}"}))
        for _ in range(min(3, repeat)):
            add("undo", lambda: cl.post("/api/undo", {}))
        links = st["links"]
        first = True
        for i in spread(n, repeat, 2):
            if first:  # loads the encoder and embeds the documents (from the cache): timed apart
                dt, _, nbytes = cl.op("merge", {"link": i})
                show("merge (first: encoder)", [(dt, nbytes)])
                first = False
                continue
            add("merge", lambda i=i: cl.op("merge", {"link": i}))
            add("split (the merged link)", lambda i=i: cl.op("split", {"link": i}))
        _, st, _ = cl.state()
        links = st["links"]
        for i in spread(n, repeat, 3):
            a, b = links[i], links[i + 1]
            if not (a["src"] and b["tgt"]):
                continue
            add("relink", lambda i=i, a=a, b=b: cl.op("relink", {"link": i, "src": a["src"],
                                                                  "tgt": a["tgt"] + b["tgt"]}))
        for label, runs in timed.items():
            show(label, runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, help="a native alignment (.json); it is copied, never written")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "parallel-review-bench",
                    help="where the NTREX alignment is made and kept")
    ap.add_argument("--copies", type=int, default=1, help="NTREX repeated this many times (default 1)")
    ap.add_argument("--repeat", type=int, default=5, help="requests per action (default 5)")
    ap.add_argument("--no-embed", action="store_true", help="no encoder: edited links get no p")
    a = ap.parse_args()
    path = a.file if a.file else build(a.work, a.copies)
    if not path.is_file():
        raise SystemExit(f"error: {path}: no such file")
    run(path, max(1, a.repeat), not a.no_embed)


if __name__ == "__main__":
    main()
