"""Benchmark the monotonic aligner against peers on ../shared/bench (prints a table).

    .venv/bin/python bench/align_bench.py                 # Text+Berg test + NTREX merged
    .venv/bin/python bench/align_bench.py --sets dev      # Text+Berg dev only (tuning)
    .venv/bin/python bench/align_bench.py --speed         # + synthetic 5,000 x 6,000 timing
    .venv/bin/python bench/align_bench.py --sets onemany  # NTREX with 1-n literary-style links

Scores use the reference scorer's policy (Vecalign's ``score.py``): predicted 1-0/0-1 links count
in precision (``--null-policy drop`` leaves them out, as this bench did before: not comparable
with published figures). After each set, a per-link-type table says which gold types were missed
and which predicted types were wrong, for every system.

Embeddings come from the project's ``use-m3`` encoder through an on-disk cache
(``/tmp/parallel-bench-cache``, ``--cache DIR``), so reruns do not re-embed; "embed s" is the time
the encoder spent on texts not in the cache during this run (sentences once, then the spans each
system asked for), "align s" is the aligner alone. Peers get the same (cached) encoder:
``sentalign`` (Vecalign's DP, PyPI) and ``galechurch`` (length-based, PyPI).
Timings are on a shared 2-core machine: pessimistic.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from parallel.evaluate import NULL_POLICIES, PRF, AlignScores, align_counts, read_vecalign
from parallel.monotonic import align_parallel

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"


class CachedEncoder:
    """Wraps an encoder with a text -> vector cache kept in memory and pickled on disk."""

    name = "use-m3"

    def __init__(self, cache_dir: Path, model: str = "use-m3") -> None:
        from parallel.embed import get_encoder

        self._enc = get_encoder(model)
        self.name = model
        self.cache_dir = cache_dir
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"{model}.pkl"
        self.store: dict[str, np.ndarray] = {}
        if self.path.exists():
            with open(self.path, "rb") as fh:
                self.store = pickle.load(fh)
        self.seconds = 0.0  # encoder time for uncached texts
        self.texts = 0
        self.calls = 0
        self.dirty = False

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        todo = sorted({x for x in texts if x not in self.store})
        if todo:
            t0 = time.perf_counter()
            vecs = self._enc.encode(todo)
            self.seconds += time.perf_counter() - t0
            self.texts += len(todo)
            for x, v in zip(todo, vecs, strict=True):
                self.store[x] = v
            self.dirty = True
        if not texts:
            return np.zeros((0, 512), np.float32)
        return np.stack([self.store[x] for x in texts])

    def cost(self, texts: list[str]) -> float:
        """Seconds the real encoder needs for ``texts`` (measured on a sample, then scaled)."""
        return 0.0

    def save(self) -> None:
        if self.dirty:
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(self.store, fh)
            tmp.replace(self.path)
            self.dirty = False


class Noisy:
    """Encoder view that adds Gaussian noise to every vector, the same for the same text (a seed
    from the text's hash): a stand-in for a weaker encoder, or a freer translation, where
    translations are less alike than the clean encoder makes them."""

    def __init__(self, enc: CachedEncoder, noise: float) -> None:
        self.enc, self.noise = enc, noise
        self.name = f"{enc.name}+noise{noise}"
        self._enc = enc._enc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.enc, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        import hashlib

        vecs = self.enc.encode(list(texts)).astype(np.float32)
        for k, x in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(x.encode("utf-8"), digest_size=8).digest(), "little")
            v = vecs[k] + self.noise * np.random.default_rng(seed).normal(size=vecs.shape[1]) / np.sqrt(vecs.shape[1])
            vecs[k] = v / np.linalg.norm(v)
        return vecs


class Counting:
    """Encoder view that records which texts a system asked for."""

    name = "use-m3"

    def __init__(self, enc: CachedEncoder) -> None:
        self.enc = enc
        self.asked: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.asked += list(texts)
        return self.enc.encode(list(texts))


Doc = tuple[str, list[str], list[str], list[Any]]


def load_sets(names: list[str]) -> dict[str, list[Doc]]:
    sets: dict[str, list[Doc]] = {}
    tb = BENCH / "textberg_defr"
    lines = lambda p: p.read_text(encoding="utf-8").splitlines()
    if "test" in names:
        sets["Text+Berg test de-fr"] = [
            (f"test{k}", lines(tb / f"test{k}.de"), lines(tb / f"test{k}.fr"), read_vecalign(tb / f"test{k}.defr"))
            for k in range(7)]
    if "dev" in names:
        sets["Text+Berg dev de-fr"] = [("dev", lines(tb / "dev.de"), lines(tb / "dev.fr"), read_vecalign(tb / "dev.defr"))]
    if "ntrex" in names:
        d = BENCH / "derived" / "ntrex128_ar_en" / "merged"
        sets["NTREX merged ar-en"] = [
            (p.name[:2], lines(d / f"{p.name[:2]}.ar"), lines(d / f"{p.name[:2]}.en"), read_vecalign(p))
            for p in sorted(d.glob("*.gold.align"))]
    if "onemany" in names:
        d = BENCH / "derived" / "ntrex128_ar_en" / "onemany"
        sets["NTREX one-to-many ar-en"] = [
            (p.name[:2], lines(d / f"{p.name[:2]}.ar"), lines(d / f"{p.name[:2]}.en"), read_vecalign(p))
            for p in sorted(d.glob("*.gold.align"))]
    if "long" in names:
        sets["NTREX long links ar-en"] = long_link_docs()
    return sets


def long_link_docs(seed: int = 7) -> list[Doc]:
    """NTREX parallel documents with one long link planted in each: ``k`` consecutive sentences
    (5 to 9) of one side joined into one line, the rest 1-1 (literary Arabic-English has links
    up to 1-9). Three variants per document, fixed seed; only meaningful with ``max_link`` >= 9."""
    d = BENCH / "derived" / "ntrex128_ar_en" / "parallel"
    rng = np.random.default_rng(seed)
    docs: list[Doc] = []
    for p in sorted(d.glob("*.ar")):
        ar = p.read_text(encoding="utf-8").splitlines()
        en = p.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        for rep in range(3):
            k = int(rng.integers(5, 10))
            side = int(rng.integers(0, 2))
            st = int(rng.integers(1, len(ar) - k))
            ones = [([i], [i]) for i in range(st)]
            if side == 0:
                src, tgt = ar[:st] + [" ".join(ar[st:st + k])] + ar[st + k:], en
                gold = ones + [([st], list(range(st, st + k)))]
                gold += [([i - k + 1], [i]) for i in range(st + k, len(en))]
            else:
                src, tgt = ar, en[:st] + [" ".join(en[st:st + k])] + en[st + k:]
                gold = ones + [(list(range(st, st + k)), [st])]
                gold += [([i], [i - k + 1]) for i in range(st + k, len(ar))]
            docs.append((f"{p.stem}-{rep}", src, tgt, gold))
    return docs


def sys_ours(**opts: Any) -> Callable[[list[str], list[str], Any], tuple[list[Any], float]]:
    def run(src: list[str], tgt: list[str], enc: Any) -> tuple[list[Any], float]:
        se, te = enc.encode(src), enc.encode(tgt)
        t0 = time.perf_counter()
        links = align_parallel(src, tgt, enc, src_emb=se, tgt_emb=te, **opts)
        dt = time.perf_counter() - t0
        return [(k.src, k.tgt) for k in links], dt
    return run


def sys_sentalign(max_size: int) -> Callable[[list[str], list[str], Any], tuple[list[Any], float]]:
    def run(src: list[str], tgt: list[str], enc: Any) -> tuple[list[Any], float]:
        from sentalign import sentalign

        t0 = time.perf_counter()
        res = sentalign(src, tgt, enc, alignment_max_size=max_size)
        dt = time.perf_counter() - t0
        return [(tuple(a.src_indices), tuple(a.tgt_indices)) for a in res.alignments], dt
    return run


def sys_galechurch(src: list[str], tgt: list[str], enc: Any) -> tuple[list[Any], float]:
    import galechurch

    t0 = time.perf_counter()
    res = galechurch.align(src, tgt)
    dt = time.perf_counter() - t0
    links = [(tuple(range(b.source_start, b.source_end)), tuple(range(b.target_start, b.target_end)))
             for b in res.beads]
    return links, dt


TypeCounts = dict[str, list[int]]  # link type -> [gold, gold found exactly, predicted, predicted right]


def _ltype(link: Any) -> str:
    return f"{len(link[0])}-{len(link[1])}"


def count_types(pred: list[Any], gold: list[Any], into: TypeCounts) -> None:
    """Per link type: how many gold links, how many of them predicted exactly; how many
    predicted links, how many of them in the gold."""
    norm = lambda links: {(tuple(int(i) for i in a), tuple(int(j) for j in b)) for a, b in links if a or b}
    p, g = norm(pred), norm(gold)
    for link in g:
        row = into.setdefault(_ltype(link), [0, 0, 0, 0])
        row[0] += 1
        row[1] += link in p
    for link in p:
        row = into.setdefault(_ltype(link), [0, 0, 0, 0])
        row[2] += 1
        row[3] += link in g


def type_table(by_system: dict[str, TypeCounts]) -> str:
    """Rows: link types; per system ``found/gold`` (missed gold links) and ``right/predicted``."""
    order = lambda t: (sum(map(int, t.split("-"))), t)
    types = sorted({t for c in by_system.values() for t in c}, key=order)
    head = f"  {'type':<5}" + "".join(f" {name + ' found/gold':>22} {'right/pred':>11}" for name in by_system)
    lines = [head]
    for t in types:
        cells = ""
        for c in by_system.values():
            g, gf, pr, pr_ok = c.get(t, [0, 0, 0, 0])
            cells += f" {f'{gf}/{g}':>22} {f'{pr_ok}/{pr}':>11}"
        lines.append(f"  {t:<5}{cells}")
    return "\n".join(lines)


def evaluate(system: Callable[..., Any], docs: list[Doc], enc: CachedEncoder, null_policy: str = "reference",
             types: TypeCounts | None = None) -> tuple[AlignScores, float, float]:
    """Pooled scores, alignment seconds, and encoder seconds attributed to this system;
    ``types`` (filled in): per-link-type counts (see :func:`count_types`)."""
    total = AlignScores(PRF(0, 0, 0, 0), PRF(0, 0, 0, 0))
    align_s = 0.0
    embed_s = 0.0
    for _, src, tgt, gold in docs:
        view = Counting(enc)
        before = enc.seconds
        pred, dt = system(src, tgt, view)
        # the aligner's own clock includes encoder calls it made; take them out
        spent = enc.seconds - before
        align_s += dt - spent
        embed_s += _embed_cost(view.asked, enc)
        total = total + align_counts(pred, gold, null_policy)
        if types is not None:
            count_types(pred, gold, types)
    return total, align_s, embed_s


_RATE: dict[str, float] = {}


def _embed_cost(texts: list[str], enc: CachedEncoder) -> float:
    """Seconds to embed ``texts`` from scratch, at the characters-per-second rate measured when
    the set's sentences were embedded (see :func:`measure_sentences`)."""
    if not texts:
        return 0.0
    return sum(len(x) + 20 for x in texts) / _RATE["cps"]


def measure_sentences(texts: list[str], enc: CachedEncoder) -> float:
    """Really embed every sentence once (no cache) and time it; sets the rate for span costs."""
    enc._enc.encode(texts[:32])  # warm up
    t0 = time.perf_counter()
    enc._enc.encode(texts)
    dt = time.perf_counter() - t0
    _RATE["cps"] = sum(len(x) + 20 for x in texts) / dt
    return dt


def speed(enc: CachedEncoder, repeats: int = 5) -> None:
    """Alignment time on a synthetic 5,000 x 6,000 pair (random unit vectors + noisy copies):
    median, best and worst of ``repeats`` runs after one warm-up run (a shared machine is noisy)."""
    rng = np.random.default_rng(1)
    n, m, d = 5000, 6000, 512
    base = rng.normal(size=(m, d)).astype(np.float32)
    t = base / np.linalg.norm(base, axis=1, keepdims=True)
    keep = np.sort(rng.choice(m, size=n, replace=False))
    s = t[keep] + 0.6 * rng.normal(size=(n, d)).astype(np.float32) / np.sqrt(d)
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    src = ["x" * int(k) for k in rng.integers(20, 200, size=n)]
    tgt = ["y" * int(k) for k in rng.integers(20, 200, size=m)]
    class Fake:
        """Stands in for the encoder on synthetic text: random unit vectors, timed separately."""

        name = "fake"
        seconds = 0.0
        texts = 0

        def encode(self, texts: list[str]) -> np.ndarray:
            t0 = time.perf_counter()
            v = rng.normal(size=(len(texts), d)).astype(np.float32)
            self.texts += len(texts)
            self.seconds += time.perf_counter() - t0
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    for spans in ("sum", "auto"):
        walls, cpus = [], []
        for rep in range(1 + repeats):  # the first run warms up (page faults, caches) and is not counted
            fake = Fake()
            t0, c0 = time.perf_counter(), time.process_time()
            links = align_parallel(src, tgt, fake, src_emb=s, tgt_emb=t, spans=spans)
            if rep:
                walls.append(time.perf_counter() - t0 - fake.seconds)
                cpus.append(time.process_time() - c0 - fake.seconds)
        hit = sum(1 for k in links if len(k.src) == 1 and len(k.tgt) == 1 and keep[k.src[0]] == k.tgt[0])
        print(f"speed 5000 x 6000 (synthetic vectors, spans={spans}, {repeats} runs after a warm-up): "
              f"median {np.median(walls):.2f} s align (best {min(walls):.2f}, worst {max(walls):.2f}; "
              f"median CPU {np.median(cpus):.2f} s), {fake.texts} span texts asked, "
              f"{hit}/{n} true 1-1 links recovered", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["test", "ntrex"], choices=["test", "dev", "ntrex", "onemany", "long"],
                    help="onemany: NTREX with runs of Arabic sentences joined (1-1..1-5); "
                         "long: NTREX with planted 1-5..1-9 links")
    ap.add_argument("--systems", nargs="+", default=["ours", "ours-sum", "sentalign4", "galechurch"],
                    help="also: sentalign8 (slow: embeds overlaps of up to 8 sentences)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallel-bench-cache"))
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--model", default="use-m3", help="encoder, e.g. use-m3+e5-small (offline)")
    ap.add_argument("--opt", action="append", default=[], help="aligner option KEY=VALUE (tuning)")
    ap.add_argument("--null-policy", choices=NULL_POLICIES, default="reference",
                    help="reference (default): predicted 1-0/0-1 links count in precision, as in Vecalign's "
                         "score.py; drop: left out of precision too")
    ap.add_argument("--no-types", action="store_true", help="skip the per-link-type error tables")
    ap.add_argument("--noise", type=float, default=0.0,
                    help="add Gaussian noise of this norm to every vector (a weaker encoder or a freer "
                         "translation; 1.0 lowers a typical translation pair's cosine from ~0.6 to ~0.4)")
    args = ap.parse_args(argv)
    if not BENCH.exists():
        print(f"no benchmark data at {BENCH}", file=sys.stderr)
        return 1
    opts: dict[str, Any] = {}
    for kv in args.opt:
        k, v = kv.split("=", 1)
        if v.lower() in ("none", "true", "false"):
            opts[k] = {"none": None, "true": True, "false": False}[v.lower()]
            continue
        try:
            opts[k] = int(v)
        except ValueError:
            try:
                opts[k] = float(v)
            except ValueError:
                opts[k] = v
    enc: Any = CachedEncoder(args.cache, args.model)
    if args.noise:
        enc = Noisy(enc, args.noise)
    systems: dict[str, Callable[..., Any]] = {
        "ours": sys_ours(**opts),
        "ours-sum": sys_ours(**{**opts, "spans": "sum"}),
        "sentalign4": sys_sentalign(4),
        "sentalign8": sys_sentalign(8),
        "galechurch": sys_galechurch,
    }
    sets = load_sets(args.sets)
    # embed every sentence once up front (the shared cost every system pays), timed for real
    sent_cost = {}
    for name, docs in sets.items():
        texts = [x for _, s, t, _ in docs for x in s + t]
        enc.encode(texts)
        sent_cost[name] = measure_sentences(texts, enc)
    enc.save()
    print(f"null policy: {args.null_policy}"
          + (" (predicted 1-0/0-1 links count in precision, as in Vecalign's score.py)"
             if args.null_policy == "reference" else " (links with an empty side left out everywhere)"))
    print("strict/lax P R F1 pooled; align s = aligner alone; spans s = estimated time to embed the"
          " multi-sentence texts the system asked for;\ne2e x = (sentence embedding + spans + align)"
          " / sentence embedding.  Shared 2-core machine: times are pessimistic.")
    print(f"{'set':<22} {'system':<11} {'strict P':>8} {'R':>6} {'F1':>6} {'lax P':>6} {'R':>6} {'F1':>6}"
          f" {'align s':>8} {'spans s':>8} {'e2e x':>6}")
    for name, docs in sets.items():
        rate = _RATE["cps"] = sum(len(x) + 20 for _, s, t, _ in docs for x in s + t) / sent_cost[name]
        del rate
        by_system: dict[str, TypeCounts] = {}
        for sysname in args.systems:
            types = by_system.setdefault(sysname, {})
            sc, align_s, embed_s = evaluate(systems[sysname], docs, enc, args.null_policy, types)
            enc.save()
            st, lx = sc.strict, sc.lax
            span_s = max(0.0, embed_s - sent_cost[name])
            e2e = (sent_cost[name] + span_s + align_s) / sent_cost[name]
            print(f"{name:<22} {sysname:<11} {st.precision:8.3f} {st.recall:6.3f} {st.f1:6.3f} "
                  f"{lx.precision:6.3f} {lx.recall:6.3f} {lx.f1:6.3f} {align_s:8.2f} {span_s:8.1f} {e2e:6.2f}",
                  flush=True)
        print(f"{name:<22} (embedding each sentence once: {sent_cost[name]:.1f} s)")
        if not args.no_types:
            print(type_table(by_system), flush=True)
    if args.speed:
        speed(enc)
    enc.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
