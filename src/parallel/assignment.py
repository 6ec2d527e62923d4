"""One-to-one assignment between two sides over sparse candidate pairs, numpy and the standard
library only (no scipy): each sentence's best partners by distance margin (:func:`candidates`) and
the assignment of maximum total margin among them (:func:`assign`).

:func:`parallel.confidence.select` uses it to complete the rounds of mutual best pairs on text
that is sentence-for-sentence. Memory stays linear in the document lengths: the margins are
computed in row blocks, and only ``(n + m) * top`` candidates are kept.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

_BLOCK = 2_000_000  # margin cells computed at once

#: Candidates per sentence for the one-to-one assignment: each sentence's best partners by distance
#: margin, in both directions (the assignment picks among their union).
ASSIGN_TOP = 8

#: Cost of leaving a sentence of the shorter side without a partner in the assignment, in margin
#: units below a pair of margin 0: high enough that it is a last resort (every sentence of the
#: shorter side is matched where its candidates allow it, as a dense assignment would), low enough
#: that no chain of swaps is paid for with a pair that is not a candidate at all.
UNMATCHED_COST = 1.0


@dataclass(frozen=True)
class Candidates:
    """Each sentence's best partners by distance margin, both directions, and its two best margins.

    ``src``, ``tgt``, ``margin`` (e,): the candidate pairs (the union of every source's and every
    target's ``top`` best, sorted by source then target); ``src_top``/``tgt_top`` (n, 2)/(m, 2) the
    best and second-best margin of each sentence against the whole other side (-inf where that side
    has one sentence), ``src_arg``/``tgt_arg`` (n,)/(m,) its best partner.
    """

    src: np.ndarray
    tgt: np.ndarray
    margin: np.ndarray
    src_top: np.ndarray
    src_arg: np.ndarray
    tgt_top: np.ndarray
    tgt_arg: np.ndarray

    def gaps(self, i: np.ndarray, j: np.ndarray, margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``gap_fwd``/``gap_bwd`` of pairs ``(i, j)`` with margins ``margin``: the pair's margin minus
        the best margin of the source (target) with any other sentence; positive when the partner is
        its best, negative when another sentence is preferred (0.3 when there is no other)."""
        other_f = np.where(self.src_arg[i] == j, self.src_top[i, 1], self.src_top[i, 0])
        other_b = np.where(self.tgt_arg[j] == i, self.tgt_top[j, 1], self.tgt_top[j, 0])
        gf = np.where(np.isfinite(other_f), margin - other_f, 0.3)
        gb = np.where(np.isfinite(other_b), margin - other_b, 0.3)
        return gf, gb


def candidates(src_emb: np.ndarray, tgt_emb: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray,
               top: int = ASSIGN_TOP) -> Candidates:
    """Each sentence's ``top`` best partners by distance margin in both directions (see
    :class:`Candidates`). Memory O(block + (n + m) * top): the margins are computed in row blocks."""
    n, m = len(src_emb), len(tgt_emb)
    kr, kc = min(top, m), min(top, n)
    r_idx = np.zeros((n, kr), dtype=np.int64)
    r_top = np.full((n, 2), -np.inf)
    r_arg = np.zeros(n, dtype=np.int64)
    c_val = np.full((0, m), -np.inf)
    c_idx = np.zeros((0, m), dtype=np.int64)
    step = max(1, _BLOCK // max(m, 1))
    for a in range(0, n, step):
        b = min(a + step, n)
        mar = (src_emb[a:b] @ tgt_emb.T).astype(np.float64) - (knn_src[a:b, None] + knn_tgt[None, :]) / 2
        part = np.argpartition(-mar, kr - 1, axis=1)[:, :kr] if kr < m else np.tile(np.arange(m), (b - a, 1))
        r_idx[a:b] = part
        r_arg[a:b] = mar.argmax(axis=1)
        r_top[a:b, 0] = mar[np.arange(b - a), r_arg[a:b]]
        if m > 1:
            r_top[a:b, 1] = -np.partition(-mar, 1, axis=1)[:, 1]
        # running top of every column: the previous best rows and this block's
        vals = np.concatenate([c_val, mar], axis=0)
        idx = np.concatenate([c_idx, np.broadcast_to(np.arange(a, b)[:, None], mar.shape)], axis=0)
        if len(vals) > kc:
            keep = np.argpartition(-vals, kc - 1, axis=0)[:kc]
            vals, idx = np.take_along_axis(vals, keep, 0), np.take_along_axis(idx, keep, 0)
        c_val, c_idx = vals, idx
    order = np.argsort(-c_val, axis=0, kind="stable")
    c_sorted = np.take_along_axis(c_val, order, 0)
    c_arg = np.take_along_axis(c_idx, order, 0)[0] if n else np.zeros(m, dtype=np.int64)
    c_top = np.full((m, 2), -np.inf)
    if n:
        c_top[:, 0] = c_sorted[0]
    if n > 1:
        c_top[:, 1] = c_sorted[1]
    keys = np.unique(np.concatenate([(np.arange(n)[:, None] * m + r_idx).ravel(),
                                     (c_idx * m + np.arange(m)[None, :]).ravel()]))
    si, tj = keys // max(m, 1), keys % max(m, 1)
    mar = np.einsum("ij,ij->i", src_emb[si].astype(np.float64), tgt_emb[tj].astype(np.float64)) \
        - (knn_src[si] + knn_tgt[tj]) / 2
    return Candidates(si, tj, mar, r_top, r_arg, c_top, c_arg.astype(np.int64))


def assign(n: int, m: int, src: np.ndarray, tgt: np.ndarray, weight: np.ndarray,
           unmatched: float = UNMATCHED_COST) -> list[tuple[int, int]]:
    """One-to-one assignment of maximum total ``weight`` over sparse candidate pairs
    ``(src, tgt, weight)`` (e,) between ``n`` sources and ``m`` targets.

    Every sentence of the shorter side is matched unless its candidates are all taken by a better
    assignment (it then costs ``unmatched`` plus a pair of weight 0). Exact on the candidate graph:
    successive shortest augmenting paths (Dijkstra with potentials, as in the Jonker-Volgenant
    method behind ``scipy.optimize.linear_sum_assignment``), one per sentence of the shorter side;
    on sentence-for-sentence text most paths are one or two steps long. Deterministic. Returns
    ``[(i, j)]`` sorted.
    """
    flip = n > m
    if flip:
        n, m, src, tgt = m, n, tgt, src
    order = np.lexsort((tgt, src))
    src, tgt, cost = src[order], tgt[order], -np.asarray(weight, dtype=np.float64)[order]
    start = np.searchsorted(src, np.arange(n + 1))
    adj = [(tgt[start[i]:start[i + 1]].tolist(), cost[start[i]:start[i + 1]].tolist()) for i in range(n)]
    # column m + i is row i's own "no partner" column
    for i in range(n):
        adj[i][0].append(m + i)
        adj[i][1].append(unmatched)
    pot_row = [-min(c) for _, c in adj]
    pot_col = [0.0] * (m + n)
    match_col = [-1] * (m + n)
    match_row = [-1] * n
    for r in range(n):
        dist: dict[int, float] = {}
        pred: dict[int, int] = {}
        done_rows = {r: 0.0}
        heap: list[tuple[float, int]] = []
        final: dict[int, float] = {}
        i, d0, sink = r, 0.0, -1
        while True:
            cols, costs = adj[i]
            pr = pot_row[i]
            for j, c in zip(cols, costs, strict=True):
                nd = d0 + c + pr - pot_col[j]
                if j not in final and nd < dist.get(j, math.inf):
                    dist[j] = nd
                    pred[j] = i
                    heapq.heappush(heap, (nd, j))
            while heap:
                d, j = heapq.heappop(heap)
                if j not in final and d <= dist[j]:
                    break
            else:
                raise AssertionError("no augmenting path")  # unreachable: row i's own column is free
            final[j] = d
            if match_col[j] < 0:
                sink = j
                break
            i, d0 = match_col[j], d
            done_rows[i] = d
        big = final[sink]
        for j, d in final.items():
            pot_col[j] += d - big
        for i, d in done_rows.items():
            pot_row[i] += d - big
        j = sink
        while True:
            i = pred[j]
            prev = match_row[i]
            match_col[j], match_row[i] = i, j
            if i == r:
                break
            j = prev
    pairs = [(i, j) for i, j in enumerate(match_row) if j < m]
    if flip:
        pairs = [(j, i) for i, j in pairs]
    return sorted(pairs)
