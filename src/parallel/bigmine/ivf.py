"""Step 3, **search**, approximate: FAISS IVF with 8-bit codes over one side, searched with the
other side's chunks (:func:`ivf_neighbours`); the coarse quantizer is one rough spherical k-means
(:func:`train_centroids`) and a BLAS product (:func:`coarse_assign`), candidates are re-scored
with the exact vectors.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError, MissingExtra
from ..mine import margin_of
from .exact import Neighbours, _finite_or_nan
from .store import Log, VectorStore


def ivf_lists(n: int) -> int:
    """Number of IVF lists for ``n`` vectors: ``4 sqrt(n)``, at least 39 training points per list."""
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


#: ``nprobe`` by default: enough lists for about this many vectors scanned per query, within
#: ``NPROBE_RANGE``. Lists hold ``n / (4 sqrt n)`` vectors, so a fixed nprobe would make each
#: query cost grow as sqrt(n) (n^1.5 in all); a fixed scan keeps the search near-linear.
SCAN_PER_QUERY = 2560
NPROBE_RANGE = (8, 32)


def default_nprobe(n: int) -> int:
    """Lists probed per query when searching ``n`` vectors (32 up to about 100k, 10 at 1M)."""
    per_list = n / ivf_lists(n) if n else 1.0
    lo, hi = NPROBE_RANGE
    return int(max(lo, min(hi, round(SCAN_PER_QUERY / per_list))))


def _train_sample(store: VectorStore, size: int, seed: int = 0) -> np.ndarray:
    n = len(store)
    if size >= n:
        return np.concatenate([np.asarray(ch, dtype=np.float32) for _, ch in store.chunks()])
    ids = np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))
    return store.gather(ids)


def _faiss() -> Any:
    try:
        import faiss
    except ImportError:
        raise MissingExtra("approximate search needs FAISS: pip install faiss-cpu") from None
    return faiss


TRAIN_PER_LIST = 24
#: Rows per block in :func:`coarse_assign` (a 4,096 x nlist float32 score block, 64 MB at 4,000 lists).
ASSIGN_ROWS = 4096


def _threads() -> int:
    """Worker threads for the blocked numpy/FAISS work: FAISS's OpenMP count (``OMP_NUM_THREADS``)."""
    try:
        import faiss
        return max(1, int(faiss.omp_get_max_threads()))
    except ImportError:  # pragma: no cover - faiss is needed before this is reached
        return max(1, os.cpu_count() or 1)


def _on_threads(fn: Callable[[int], None], starts: range) -> None:
    """``fn(a)`` for every block start ``a``, on :func:`_threads` threads (numpy and FAISS release
    the GIL; each call writes its own rows of a shared output)."""
    from concurrent.futures import ThreadPoolExecutor

    if len(starts) > 1 and _threads() > 1:
        with ThreadPoolExecutor(_threads()) as pool:
            list(pool.map(fn, starts))
    else:
        for a in starts:
            fn(a)


def coarse_assign(x: np.ndarray, centroids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` centroids of largest inner product with each row of ``x``, best first (ties: the
    smaller list id): ``(scores (n, k) float32, lists (n, k) int64)``.

    One BLAS matrix product per block of ``ASSIGN_ROWS`` rows, blocks spread over a thread per
    core. This is the coarse quantizer of the IVF search; on this machine numpy's BLAS does it
    about 3x faster than FAISS's flat index (which does 26 of the 126 GFLOP/s the product
    reaches), and it is the part that grows fastest with the corpus (``nlist`` grows as sqrt N).
    """
    x = np.asarray(x, dtype=np.float32)
    n, k = len(x), max(1, min(k, len(centroids)))
    ct = np.ascontiguousarray(np.asarray(centroids, dtype=np.float32).T)
    scores = np.empty((n, k), dtype=np.float32)
    lists = np.empty((n, k), dtype=np.int64)

    def block(a: int) -> None:
        s = x[a:a + ASSIGN_ROWS] @ ct
        if k == 1:
            i = s.argmax(axis=1)[:, None]
        else:
            i = np.argpartition(-s, k - 1, axis=1)[:, :k]
            kth = np.take_along_axis(s, i, 1).min(axis=1)
            tied = np.flatnonzero(np.count_nonzero(s >= kth[:, None], axis=1) > k)
            if len(tied):  # argpartition keeps any of the lists tied at the k-th place: keep the first
                ids = np.broadcast_to(np.arange(s.shape[1]), (len(tied), s.shape[1]))
                i[tied] = np.lexsort((ids, -s[tied]), axis=1)[:, :k]
            i = np.take_along_axis(i, np.lexsort((i, -np.take_along_axis(s, i, 1)), axis=1), 1)
        scores[a:a + ASSIGN_ROWS] = np.take_along_axis(s, i, 1)
        lists[a:a + ASSIGN_ROWS] = i

    _on_threads(block, range(0, n, ASSIGN_ROWS))
    return scores, lists


def spherical_kmeans(x: np.ndarray, k: int, *, niter: int = 8, seed: int = 1234) -> np.ndarray:
    """Spherical k-means ``(k, d)`` float32 unit centroids of the rows of ``x`` (Lloyd iterations
    with :func:`coarse_assign`; initial centroids a seeded sample of rows; a list left empty is
    re-seeded with the row farthest from its centroid). Deterministic for a given input."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    k = max(1, min(k, len(x)))
    cent = x[np.sort(np.random.default_rng(seed).choice(len(x), size=k, replace=False))]
    for _ in range(niter):
        sim, lab = coarse_assign(x, cent, 1)
        lab = lab[:, 0]
        counts = np.bincount(lab, minlength=k)
        full = counts > 0
        sums = np.zeros((k, x.shape[1]), dtype=np.float64)
        order = np.argsort(lab, kind="stable")
        starts = (np.cumsum(counts) - counts)[full]
        sums[full] = np.add.reduceat(x[order].astype(np.float64), starts, axis=0)
        empty = np.flatnonzero(~full)
        if len(empty):
            sums[empty] = x[np.argsort(sim[:, 0], kind="stable")[:len(empty)]]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        cent = np.where(norms > 0, sums / np.where(norms > 0, norms, 1.0), cent).astype(np.float32)
    return np.ascontiguousarray(cent)


def train_centroids(src: VectorStore, tgt: VectorStore, nlist: int, *, niter: int = 8,
                    seed: int = 1234) -> np.ndarray:
    """Spherical k-means centroids ``(nlist, d)`` from a sample of both sides (one training for both
    indexes): ``per_list / 2 * nlist`` rows of each side (fewer when a side is smaller), fixed seed.

    The coarse lists only decide which vectors a query scans, so a rough clustering does: 24
    points a list and 8 iterations (k-means costs points x lists x iterations)."""
    per_side = TRAIN_PER_LIST * nlist // 2
    sample = np.concatenate([_train_sample(src, per_side, seed=1), _train_sample(tgt, per_side, seed=2)])
    nlist = min(nlist, len(sample) // 16) or 1
    return spherical_kmeans(sample, nlist, niter=niter, seed=seed)


#: Vector codes of the IVF index: ``sq8`` (one byte a dimension; the candidates' cosines are then
#: recomputed exactly from the stores) or ``flat`` (float32, exact).
IVF_CODES = ("sq8", "flat")


def assign_store(store: VectorStore, centroids: np.ndarray, k: int, chunk: int = 65536
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`coarse_assign` of every row of ``store``, chunk by chunk: ``(scores, lists)`` ``(n, k)``."""
    k = max(1, min(k, len(centroids)))
    scores = np.empty((len(store), k), dtype=np.float32)
    lists = np.empty((len(store), k), dtype=np.int64)
    for a, block in store.blocks(chunk):
        scores[a:a + len(block)], lists[a:a + len(block)] = coarse_assign(block, centroids, k)
    return scores, lists


def faiss_knn(base: VectorStore, queries: VectorStore, kc: int, centroids: np.ndarray, *, nprobe: int | None = None,
              codes: str = "sq8", chunk: int = 65536, base_lists: np.ndarray | None = None,
              query_lists: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``kc`` nearest ``base`` rows of every ``queries`` row by inner product, via FAISS IVF.

    ``centroids`` ``(nlist, d)`` are the trained coarse quantizer. ``base_lists`` (n,) the list of
    each base row and ``query_lists`` the :func:`assign_store` of the queries with ``nprobe``
    lists, when the caller has them (mining in both directions assigns each side once: its best
    list places it in its own index, its ``nprobe`` best are where it searches the other);
    otherwise they are computed here. With ``codes="sq8"`` the index
    holds 8-bit codes (a quarter of the memory, and a scan about twice as fast at 512-d); the
    ``kc`` candidates it finds are then re-scored with the exact float32 vectors and re-sorted,
    so the cosines returned are exact. Returns ``(cos (nq, kc) float32, ids (nq, kc) int64)``,
    best first; missing neighbours have id -1. Only this index and one query chunk are in
    memory.
    """
    faiss = _faiss()
    if codes not in IVF_CODES:
        raise InputError(f"unknown IVF codes {codes!r}; choose from {', '.join(IVF_CODES)}")
    d, nlist = base.dim, len(centroids)
    probe = min(default_nprobe(len(base)) if nprobe is None else nprobe, nlist)
    quantizer = faiss.IndexFlatIP(d)  # holds the centroids (residual codes); lists come from coarse_assign
    quantizer.add(centroids)
    if codes == "flat":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.train(_train_sample(base, min(len(base), 50_000), seed=3))  # the code ranges only
    for a, block in base.blocks(chunk):  # each row goes to its best list; ids sequential
        block = np.ascontiguousarray(block, dtype=np.float32)
        lists = (coarse_assign(block, centroids, 1)[1][:, 0] if base_lists is None
                 else base_lists[a:a + len(block)])
        lists = np.ascontiguousarray(lists, dtype=np.int64)
        index.add_core(len(block), faiss.swig_ptr(block), None, faiss.swig_ptr(lists))
    index.nprobe = probe
    nq = len(queries)
    dist = np.empty((nq, kc), dtype=np.float32)
    ids = np.empty((nq, kc), dtype=np.int64)
    for a, block in queries.blocks(chunk):
        block = np.ascontiguousarray(block, dtype=np.float32)
        if query_lists is None:
            scores, lists = coarse_assign(block, centroids, probe)
        else:
            scores, lists = (x[a:a + len(block), :probe] for x in query_lists)
        # queries that probe the same lists one after another: their codes are still in cache
        by_list = np.argsort(lists[:, 0], kind="stable")
        dd, ii = np.empty((len(block), kc), dtype=np.float32), np.empty((len(block), kc), dtype=np.int64)
        dd[by_list], ii[by_list] = _search_preassigned(index, block[by_list], kc, scores[by_list], lists[by_list])
        if codes != "flat":
            dd = _exact_scores(base, block, ii)
            order = np.lexsort((np.where(ii >= 0, ii, np.iinfo(np.int64).max), -dd), axis=1)
            dd, ii = np.take_along_axis(dd, order, 1), np.take_along_axis(ii, order, 1)
        dist[a:a + len(block)], ids[a:a + len(block)] = dd, ii
    del index, quantizer
    return dist, ids


def _search_preassigned(index: Any, block: np.ndarray, kc: int, scores: np.ndarray, lists: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """FAISS IVF search of ``block`` in the lists already chosen for it, one slice of the queries
    per thread (``search_preassigned`` itself scans on one core)."""
    n = len(block)
    dist = np.empty((n, kc), dtype=np.float32)
    ids = np.empty((n, kc), dtype=np.int64)
    step = max(256, -(-n // _threads()))

    def one(a: int) -> None:
        sl = slice(a, a + step)
        dist[sl], ids[sl] = index.search_preassigned(block[sl], kc, np.ascontiguousarray(lists[sl]),
                                                     np.ascontiguousarray(scores[sl]))

    _on_threads(one, range(0, n, step))
    return dist, ids


def _exact_scores(base: VectorStore, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Exact inner products ``(nq, kc)`` of ``queries`` with their candidates ``ids`` in ``base``
    (``-inf`` where the id is -1), gathered row block by row block."""
    out = np.full(ids.shape, -np.inf, dtype=np.float32)
    step = max(1, 8192 // max(ids.shape[1], 1))

    def block(a: int) -> None:
        blk = ids[a:a + step]
        ok = blk >= 0
        vecs = base.gather(np.where(ok, blk, 0).ravel()).reshape(*blk.shape, -1)
        sc = np.einsum("qd,qkd->qk", queries[a:a + step], vecs)
        out[a:a + step] = np.where(ok, sc, -np.inf)

    _on_threads(block, range(0, len(ids), step))  # the gathers wait on memory: a block a thread
    return out


def _candidate_side(cos: np.ndarray, ids: np.ndarray, own_knn: np.ndarray, other_knn: np.ndarray,
                    margin: str) -> Neighbours:
    """Margins of each row's candidates ``(r, kc)``; best partner and top-3 margins among them."""
    r = len(ids)
    valid = ids >= 0
    safe = np.where(valid, ids, 0)
    mar = margin_of(cos.astype(np.float64), own_knn[:, None], other_knn[safe], margin)
    mar = np.where(valid, mar, -np.inf)
    if mar.shape[1] == 0:
        return Neighbours(np.full(r, -1, dtype=np.int64), np.full((r, 3), np.nan), own_knn)
    order = np.lexsort((safe, -mar), axis=1)  # best margin first; ties -> smaller id
    top = np.take_along_axis(mar, order[:, :3], 1)
    if top.shape[1] < 3:
        top = np.concatenate([top, np.full((r, 3 - top.shape[1]), -np.inf)], axis=1)
    arg = np.where(np.isfinite(top[:, 0]), np.take_along_axis(safe, order[:, :1], 1)[:, 0], -1)
    return Neighbours(arg.astype(np.int64), _finite_or_nan(top), own_knn)


def ivf_neighbours(src: VectorStore, tgt: VectorStore, *, k: int = 4, candidates: int = 16,
                   margin: str = "distance", nprobe: int | None = None, log: Log = None
                   ) -> tuple[Neighbours, Neighbours]:
    """Approximate k-NN in both directions with FAISS, margins among each row's candidates."""
    kc = max(k, candidates)
    t0 = time.perf_counter()
    centroids = train_centroids(src, tgt, ivf_lists(max(len(src), len(tgt))))
    if log:
        log(f"ivf: trained {len(centroids)} lists in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    # each side assigned once, to as many lists as it probes in the other side's index
    probe_src = default_nprobe(len(tgt)) if nprobe is None else nprobe
    probe_tgt = default_nprobe(len(src)) if nprobe is None else nprobe
    src_lists, tgt_lists = assign_store(src, centroids, probe_src), assign_store(tgt, centroids, probe_tgt)
    if log:
        log(f"ivf: assigned both sides to their lists in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    # never more candidates than the other side has sentences (--candidates 1000000 on 3 sentences
    # asked FAISS for a million columns a row, and ran out of memory)
    f_cos, f_ids = faiss_knn(tgt, src, min(kc, len(tgt)), centroids, nprobe=probe_src, base_lists=tgt_lists[1][:, 0],
                             query_lists=src_lists)
    if log:
        log(f"ivf search src -> tgt: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    b_cos, b_ids = faiss_knn(src, tgt, min(kc, len(src)), centroids, nprobe=probe_tgt, base_lists=src_lists[1][:, 0],
                             query_lists=tgt_lists)
    del src_lists, tgt_lists
    if log:
        log(f"ivf search tgt -> src: {time.perf_counter() - t0:.1f} s")

    def knn_mean(cos: np.ndarray, ids: np.ndarray, kk: int) -> np.ndarray:
        c = np.where(ids[:, :kk] >= 0, cos[:, :kk], np.nan).astype(np.float32)
        with np.errstate(invalid="ignore"):
            out = np.nanmean(c, axis=1) if c.size else np.zeros(len(c), dtype=np.float32)
        return np.nan_to_num(out.astype(np.float64), nan=0.0)

    fwd = knn_mean(f_cos, f_ids, min(k, len(tgt)))
    bwd = knn_mean(b_cos, b_ids, min(k, len(src)))
    return (_candidate_side(f_cos, f_ids, fwd, bwd, margin),
            _candidate_side(b_cos, b_ids, bwd, fwd, margin))
