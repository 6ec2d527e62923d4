"""Step 3, **search**, exact: blocked brute force over chunk pairs (:func:`exact_neighbours`),
two passes: the k-NN means, then the best and second-best margin of every row and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..mine import margin_of
from .store import Log, VectorStore

#: Rows x columns of one similarity block in exact search (64 MB of float32).
BLOCK_CELLS = 16_000_000


@dataclass
class Neighbours:
    """Per-row best partner, the three best margins over the candidates, and the k-NN means.

    Arrays: ``arg`` (n,) int64 best partner id (-1 when none), ``top`` (n, 3) float64 best,
    second and third margin (nan where there are fewer candidates), ``knn`` (n,) mean cosine of
    the k nearest neighbours. Same layout as ``row_top``/``col_top`` in :mod:`parallel.mine`.
    """

    arg: np.ndarray
    top: np.ndarray
    knn: np.ndarray


def _topk_merge(top: np.ndarray, new: np.ndarray, k: int, axis: int) -> np.ndarray:
    stack = np.concatenate([top, new], axis=axis)
    if stack.shape[axis] > k:
        stack = -np.partition(-stack, k - 1, axis=axis).take(range(k), axis=axis)
    return stack


def _top3_merge(top: np.ndarray, arg: np.ndarray, mar: np.ndarray, offset: int, axis: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Fold a margin block into the running top-3 ``(r, 3)`` (-inf padded) and argmax along ``axis``.

    Blocks arrive in increasing id order and ties keep the earlier id, as ``argmax`` over the
    whole row would.
    """
    size = mar.shape[axis]
    barg = mar.argmax(axis=axis)
    bbest = np.take_along_axis(mar, np.expand_dims(barg, axis), axis).squeeze(axis)
    vals = np.moveaxis(mar, axis, -1)
    t = min(3, size)
    if size > t:
        vals = -np.partition(-vals, t - 1, axis=-1)[..., :t]
    merged = np.concatenate([top, vals], axis=-1)
    merged = -np.sort(-merged, axis=-1)[..., :3]
    better = bbest > top[:, 0]
    return merged, np.where(better, barg + offset, arg)


def _finite_or_nan(top: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(top), top, np.nan)


def exact_neighbours(src: VectorStore, tgt: VectorStore, *, k: int = 4, margin: str = "distance",
                     log: Log = None) -> tuple[Neighbours, Neighbours]:
    """Brute force over blocks in two passes: k-NN means, then best/second-best margins (exact)."""
    n, m = len(src), len(tgt)
    side = max(1, int(math.sqrt(BLOCK_CELLS)))
    rows = cols = side
    # pass 1: k-NN mean cosines
    fwd = np.zeros(n, dtype=np.float64)
    kr, kc = max(1, min(k, m)), max(1, min(k, n))
    col_top = np.full((kc, m), -np.inf, dtype=np.float32)
    from ..progress import bar

    progress = bar(2 * n, "exact search, 2 passes", "rows", enabled=log is not None)
    for a, s in src.blocks(rows):
        row_top = np.full((len(s), kr), -np.inf, dtype=np.float32)
        for c, t in tgt.blocks(cols):
            sim = s @ t.T
            row_top = _topk_merge(row_top, sim, kr, 1)
            col_top[:, c:c + len(t)] = _topk_merge(col_top[:, c:c + len(t)], sim, kc, 0)
        fwd[a:a + len(s)] = row_top.mean(axis=1)
        progress.update(len(s))
    bwd = col_top.mean(axis=0).astype(np.float64) if m else np.zeros(0)
    # pass 2: the three best margins and the best partner of every row and column
    r_top, r_arg = np.full((n, 3), -np.inf), np.zeros(n, dtype=np.int64)
    c_top, c_arg = np.full((m, 3), -np.inf), np.zeros(m, dtype=np.int64)
    for a, s in src.blocks(rows):
        sl = slice(a, a + len(s))
        rt, ra = r_top[sl], r_arg[sl]
        for c, t in tgt.blocks(cols):
            tl = slice(c, c + len(t))
            mar = margin_of(np.asarray(s @ t.T, dtype=np.float64), fwd[sl, None], bwd[None, tl], margin)
            rt, ra = _top3_merge(rt, ra, mar, c, 1)
            c_top[tl], c_arg[tl] = _top3_merge(c_top[tl], c_arg[tl], mar, a, 0)
        r_top[sl], r_arg[sl] = rt, ra
        progress.update(len(s))
    progress.close()
    return Neighbours(r_arg, _finite_or_nan(r_top), fwd), Neighbours(c_arg, _finite_or_nan(c_top), bwd)
