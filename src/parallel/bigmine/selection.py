"""Step 4, **score and select**: margins, mutual best pairs and the pairs kept by ``p`` (or by the
calibrated margin threshold), exactly as comparable mode does (:mod:`parallel.mine`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..mine import margin_of
from .exact import Neighbours, exact_neighbours
from .ivf import default_nprobe, ivf_lists, ivf_neighbours
from .store import Log, Sentences, VectorStore

#: ``auto`` uses exact search up to this many similarity cells (n * m), FAISS IVF above: 8000 x
#: 8000, the size up to which the threshold is comparable mode's own (see ROTATION_SIDE).
EXACT_MAX_CELLS = 64_000_000


INDEXES = ("auto", "exact", "ivf")


@dataclass
class BigMineResult:
    """Mined pairs as arrays (sorted best first) plus the calibration.

    ``src``/``tgt`` (p,) int64 sentence ids, ``score`` (p,) the selection margin (distance margin
    by default, as ``Link.score`` in comparable mode), ``cosine``, ``z`` (p,) float64, ``p`` (p,)
    the calibrated probability (empty when pairs were kept by margin).
    """

    src: np.ndarray
    tgt: np.ndarray
    score: np.ndarray
    cosine: np.ndarray
    z: np.ndarray
    threshold: float
    null: Any
    info: dict[str, Any] = field(default_factory=dict)
    p: np.ndarray = field(default_factory=lambda: np.zeros(0))


def choose_index(n: int, m: int, index: str = "auto") -> str:
    if index not in INDEXES:
        raise InputError(f"unknown index {index!r}; choose from {', '.join(INDEXES)}")
    if index != "auto":
        return index
    return "exact" if n * m <= EXACT_MAX_CELLS else "ivf"


def mine_stores(src: VectorStore, tgt: VectorStore, *, k: int = 4, candidates: int = 16,
                margin: str = "distance", z_min: float | None = None, threshold: float | None = None,
                index: str = "auto", nprobe: int | None = None, log: Log = None,
                min_p: float | None = None, texts: tuple[Sentences, Sentences] | None = None,
                model: str = "use-m3") -> BigMineResult:
    """Mutual-best pairs between two stores, kept by calibrated probability or by margin.

    With ``min_p`` (and no explicit ``threshold``) pairs are kept as comparable mode keeps them
    (:mod:`parallel.confidence`): mutual best pairs with ``p >= min_p``; when both sides have at
    most :data:`ROTATION_SIDE` sentences the selection is comparable mode's own (rounds included),
    above that one round over the mutual best pairs the search found. ``texts`` give the
    sentences (numbers, names, lengths); ``model`` names the encoder whose confidence model is used.
    Without ``min_p``: the calibrated margin threshold of comparable mode -- the null is
    :func:`parallel.mine.calibrate_null` of the second-best margins of all rows and columns, the
    bar ``null.threshold(z_min)`` unless an explicit ``threshold`` is given.
    """
    from .. import mine as mine_mod

    if margin not in mine_mod.MARGINS:
        raise InputError(f"unknown margin {margin!r}; choose from {', '.join(mine_mod.MARGINS)}")
    if z_min is None:
        z_min = default_z_min()
    n, m = len(src), len(tgt)
    if n and m and src.dim != tgt.dim:
        raise InputError(f"embedding sizes differ: {src.dim} vs {tgt.dim}")
    how = choose_index(n, m, index)
    by_p = min_p is not None and threshold is None
    info: dict[str, Any] = {"index": how, "k": k, "margin": margin, "z_min": z_min, "n": n, "m": m,
                            "min_p": min_p if by_p else None}
    empty = np.zeros(0)
    if n == 0 or m == 0:
        null = mine_mod.calibrate_null(np.zeros(0))
        return BigMineResult(empty.astype(np.int64), empty.astype(np.int64), empty, empty, empty,
                             null.threshold(z_min), null, info, empty)
    t0 = time.perf_counter()
    if how == "exact":
        fw, bw = exact_neighbours(src, tgt, k=k, margin=margin, log=log)
    else:
        fw, bw = ivf_neighbours(src, tgt, k=k, candidates=candidates, margin=margin, nprobe=nprobe,
                                log=log)
        info.update(candidates=max(k, candidates), nlist=ivf_lists(max(n, m)),
                    nprobe=nprobe if nprobe is not None else [default_nprobe(m), default_nprobe(n)])
    info["search_s"] = round(time.perf_counter() - t0, 3)
    null, thr, noise_thr = calibrated_threshold(fw, bw, src, tgt, k=k, margin=margin, z_min=z_min,
                                                threshold=threshold)
    info["noise_threshold"] = round(noise_thr, 6) if math.isfinite(noise_thr) else None
    # mutual best: i's best is j and j's best is i
    i_all = np.arange(n)
    ok = fw.arg >= 0
    j_all = np.where(ok, fw.arg, 0)
    best = fw.top[:, 0]
    mutual = ok & (bw.arg[j_all] == i_all)
    probs = empty
    if by_p:
        si, tj, probs = _select_by_p(fw, bw, src, tgt, mutual, j_all, k=k, margin=margin,
                                     min_p=float(min_p), texts=texts, model=model)  # type: ignore[arg-type]
        score = _pair_margins(src, tgt, si, tj, fw, bw, margin)
    else:
        above = mutual & (np.nan_to_num(best, nan=-np.inf) >= thr)
        si, tj = i_all[above], j_all[above]
        score = best[above]
        if len(si) and texts is not None:
            # kept by margin, but every export still says how likely each pair is (one round,
            # as at corpus scale: the pairs the margin kept, not comparable mode's own rounds)
            from .. import confidence

            probs, _, _ = _round_p(fw, bw, src, tgt, mutual, j_all, si, tj, margin=margin, texts=texts,
                                   cm=confidence.load_model(model))
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64) if len(si) else empty
    z = (score - null.mean) / null.sd if len(score) else empty
    order = np.lexsort((si, -score)) if not by_p else np.lexsort((si, -score, -probs))
    info.update(threshold=round(thr, 6), null_mean=round(null.mean, 6), null_sd=round(null.sd, 6),
                null_samples=null.samples, pairs=len(si))
    return BigMineResult(si[order], tj[order], score[order], cos[order], z[order], thr, null, info,
                         probs[order] if len(probs) == len(si) else empty)


def _pair_margins(src: VectorStore, tgt: VectorStore, si: np.ndarray, tj: np.ndarray, fw: Neighbours,
                  bw: Neighbours, margin: str) -> np.ndarray:
    if not len(si):
        return np.zeros(0)
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64)
    return np.asarray(margin_of(cos, fw.knn[si], bw.knn[tj], margin), dtype=np.float64)


def _select_by_p(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, mutual: np.ndarray,
                 j_all: np.ndarray, *, k: int, margin: str, min_p: float,
                 texts: tuple[Sentences, Sentences] | None, model: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mutual best pairs with ``p >= min_p``: ``(src ids, tgt ids, p)``. Up to :data:`ROTATION_SIDE`
    sentences a side, :func:`parallel.confidence.select` as in comparable mode (rounds, and the
    one-to-one assignment where the collections are sentence-for-sentence); beyond, one round."""
    from .. import confidence

    n, m = len(src), len(tgt)
    cm = confidence.load_model(model)

    def text_of(side: int, i: int) -> str:
        return texts[side].text(int(i)) if texts is not None else ""

    if n <= ROTATION_SIDE and m <= ROTATION_SIDE:
        a, e = src.gather(np.arange(n)), tgt.gather(np.arange(m))
        ks, kt = confidence.model_knn_means(a, e, k)
        s_txt = [text_of(0, i) for i in range(n)]
        t_txt = [text_of(1, j) for j in range(m)]
        kept, _ = confidence.select(a, e, ks, kt, s_txt, t_txt, model=cm, min_p=min_p, encoder=model)
        return (np.array([t[0] for t in kept], dtype=np.int64), np.array([t[1] for t in kept], dtype=np.int64),
                np.array([t[2] for t in kept], dtype=np.float64))
    # corpus scale: one round over the mutual best pairs of the search (distance-margin gaps)
    si = np.flatnonzero(mutual)
    tj = j_all[si]
    if not len(si):
        return si, tj, np.zeros(0)
    p, s_txt, t_txt = _round_p(fw, bw, src, tgt, mutual, j_all, si, tj, margin=margin, texts=texts, cm=cm)
    k_all = np.arange(len(si))
    keep = (p >= min_p) & confidence.usable_pairs(k_all, k_all, confidence.wordless(s_txt),
                                                  confidence.wordless(t_txt), s_txt, t_txt)
    return si[keep], tj[keep], p[keep]


def _round_p(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, mutual: np.ndarray,
             j_all: np.ndarray, si: np.ndarray, tj: np.ndarray, *, margin: str,
             texts: tuple[Sentences, Sentences] | None, cm: Any
             ) -> tuple[np.ndarray, list[str], list[str]]:
    """The p of the mutual best pairs ``(si, tj)`` scored in one round (their gaps from the search,
    the document pair's coverage from all of ``mutual``), with their texts."""
    from .. import confidence

    def text_of(side: int, i: int) -> str:
        return texts[side].text(int(i)) if texts is not None else ""

    n, m = len(src), len(tgt)
    if margin == "distance":
        gap_f = np.nan_to_num(fw.top[si, 0] - fw.top[si, 1], nan=0.3)
        gap_b = np.nan_to_num(bw.top[tj, 0] - bw.top[tj, 1], nan=0.3)
        all_gap_f = np.nan_to_num(fw.top[:, 0] - fw.top[:, 1], nan=0.3)
        all_gap_b = np.nan_to_num(bw.top[:, 0] - bw.top[:, 1], nan=0.3)
        clear = mutual.copy()
        clear[mutual] = (all_gap_f[mutual] >= confidence.COVERAGE_GAP) & \
            (all_gap_b[j_all[mutual]] >= confidence.COVERAGE_GAP)
        cover = float(clear.sum()) / max(1, min(n, m))
    else:  # ratio margins: the gaps of the distance margin are not at hand; a neutral value
        gap_f = gap_b = np.full(len(si), confidence.COVERAGE_GAP)
        cover = float(len(si)) / max(1, min(n, m))
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64)
    zero = np.zeros(len(si))
    s_txt, t_txt = [text_of(0, int(i)) for i in si], [text_of(1, int(j)) for j in tj]
    x = confidence.feature_rows(cos, fw.knn[si], bw.knn[tj], gap_f, gap_b, zero, zero, s_txt, t_txt, None, cover,
                                size=min(n, m))
    return confidence.contradicting(cm.predict(x), s_txt, t_txt), s_txt, t_txt


def comparable_defaults() -> dict[str, Any]:
    """Comparable mode's default options (read from :func:`parallel.mine.mine_detailed`)."""
    import inspect

    from ..mine import mine_detailed

    return {name: p.default for name, p in inspect.signature(mine_detailed).parameters.items()
            if p.default is not inspect.Parameter.empty}


def default_z_min() -> float:
    return float(comparable_defaults()["z_min"])


#: Largest side given whole to comparable mode's rotation null (it subsamples above this).
ROTATION_SIDE = 8000


def calibrated_threshold(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, *, k: int,
                         margin: str, z_min: float, threshold: float | None = None,
                         seed: int = 0, delegate: bool = True) -> tuple[Any, float, float]:
    """The threshold of comparable mode, from the top-3 margins of all rows and columns.

    When both sides have at most :data:`ROTATION_SIDE` sentences (and ``delegate``), the
    threshold is taken from :func:`parallel.mine.mine_detailed` itself on the same vectors, so a
    small corpus gets exactly comparable mode's threshold. Above that, the same recipe is applied
    at corpus scale: ``null = calibrate_null(top-3 margins of rows and columns)``, bar
    ``null.threshold(z_min)``, raised (distance margin) to the rotation-noise bar
    (:func:`parallel.mine.rotation_null` + :func:`parallel.mine.noise_threshold`) computed on a
    random subsample of :data:`ROTATION_SIDE` sentences per side. Returns
    ``(null, threshold, noise threshold or -inf)``.
    """
    from .. import mine as mine_mod

    n, m = len(src), len(tgt)
    if delegate and threshold is None and n <= ROTATION_SIDE and m <= ROTATION_SIDE:
        res = mine_mod.mine_detailed(src.gather(np.arange(n)), tgt.gather(np.arange(m)), k=k, margin=margin,
                                     z_min=z_min, max_link=1)
        noise = res.info.get("noise_threshold")
        return res.null, float(res.threshold), float(noise) if noise is not None else -math.inf
    defaults = comparable_defaults()
    top = np.concatenate([fw.top, bw.top])
    kwargs: dict[str, Any] = {"spacing": defaults["spacing"]} if "spacing" in defaults else {}
    if margin == "ratio" and hasattr(mine_mod, "PRIOR_NULL_RATIO"):
        kwargs["prior"] = mine_mod.PRIOR_NULL_RATIO
    null = mine_mod.calibrate_null(top, **kwargs)
    thr = null.threshold(z_min) if threshold is None else float(threshold)
    noise_thr = -math.inf
    use_noise = bool(defaults.get("noise_null", False)) and hasattr(mine_mod, "rotation_null")
    if threshold is None and use_noise and margin == "distance" and not (n == 1 and m == 1):
        rng = np.random.default_rng(seed)
        s_ids = np.arange(n) if n <= ROTATION_SIDE else np.sort(rng.choice(n, ROTATION_SIDE, replace=False))
        t_ids = np.arange(m) if m <= ROTATION_SIDE else np.sort(rng.choice(m, ROTATION_SIDE, replace=False))
        values, rotations = mine_mod.rotation_null(src.gather(s_ids), tgt.gather(t_ids), k, margin)
        noise_thr = mine_mod.noise_threshold(values, len(values) / max(rotations, 1))
        thr = max(thr, noise_thr)
    return null, thr, noise_thr


def mine_arrays(src_emb: np.ndarray, tgt_emb: np.ndarray, work: str | Path, *, chunk_size: int = 50_000,
                **options: Any) -> BigMineResult:
    """:func:`mine_stores` on in-memory arrays ``(n, d)``/``(m, d)``, chunked into ``work`` first."""
    work = Path(work)
    src = VectorStore.write(work / "src", (src_emb[a:a + chunk_size] for a in range(0, len(src_emb), chunk_size)))
    tgt = VectorStore.write(work / "tgt", (tgt_emb[a:a + chunk_size] for a in range(0, len(tgt_emb), chunk_size)))
    return mine_stores(src, tgt, **options)
