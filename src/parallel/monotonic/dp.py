"""The band of the n-m search and its dynamic programme, pure numpy.

:func:`link_types` lists the moves of a search; a :class:`Band` holds one column offset per
row, so memory is (n + 1) x width, never n x m; :func:`banded_dp` finds the best path through
it row by row (the 0-1 moves inside a row are a cumulative maximum); :func:`_pair_values`
fills a band with the dot products of two sets of vectors, block by block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Move = tuple[int, int]

_NEG = -np.inf


_ROW_BLOCK = 256


def link_types(max_link: int, max_tgt: int | None = None) -> list[Move]:
    """Links with both sides non-empty for ``max_link`` N: 1-k and k-1 up to N, plus 2-2, 2-3, 3-2;
    with ``max_tgt``, at most ``max_link`` sentences on the source side and ``max_tgt`` on the
    target side.

    Large N adds only 2 types per step (1-N, N-1), so 1-9 links stay cheap.
    """
    n = max(1, int(max_link))
    nt = n if max_tgt is None else max(1, int(max_tgt))
    moves = [(a, b) for a in range(1, n + 1) for b in range(1, nt + 1)
             if min(a, b) == 1 or a + b <= 5]
    return sorted(moves, key=lambda ab: (ab[0] + ab[1], ab))


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.sqrt(np.einsum("...d,...d->...", x, x))[..., None]
    out: np.ndarray = x / np.maximum(norms, 1e-12)
    return out


def _sample(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Up to ``k`` rows of ``x`` (n, d) chosen with a fixed seed (deterministic)."""
    if len(x) <= k:
        return x
    idx = np.random.default_rng(seed).choice(len(x), size=k, replace=False)
    return x[np.sort(idx)]




@dataclass(frozen=True)
class Band:
    """Cells ``(i, lo[i] + jj)`` for ``jj < width`` of an ``(n+1) x (m+1)`` DP grid.

    ``lo`` (n+1,) is non-decreasing with ``lo[0] == 0``; cells with column > m are outside.
    """

    lo: np.ndarray
    width: int
    m: int

    @property
    def n(self) -> int:
        return len(self.lo) - 1

    def cols(self) -> np.ndarray:
        """(n+1, width) column index of every band cell."""
        return self.lo[:, None] + np.arange(self.width)[None, :]


def full_band(n: int, m: int) -> Band:
    return Band(np.zeros(n + 1, dtype=np.int64), m + 1, m)


def band_from_path(path: np.ndarray, n: int, m: int, half_width: int) -> Band:
    """Band of ``half_width`` cells either side of a monotonic ``path`` (k, 2) of (i, j) cells.

    Rows the path jumps over get the columns interpolated between its cells, so the band is
    connected.
    """
    lo = np.full(n + 1, m + 1, dtype=np.int64)
    hi = np.full(n + 1, -1, dtype=np.int64)
    if len(path) > 1:
        i0, j0 = path[:-1, 0], path[:-1, 1]
        di, dj = path[1:, 0] - i0, path[1:, 1] - j0
        cnt = di + 1
        seg = np.repeat(np.arange(len(di)), cnt)
        offs = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        rows = i0[seg] + offs
        d = np.maximum(di, 1)[seg]
        step = offs * dj[seg]
        flat = di[seg] == 0  # a run of 0-1 moves in one row covers j0..j1
        jl = np.where(flat, j0[seg], j0[seg] + step // d)
        jh = np.where(flat, j0[seg] + dj[seg], j0[seg] + (step + d - 1) // d)
        np.minimum.at(lo, rows, jl)
        np.maximum.at(hi, rows, jh)
    i_last, j_last = path[-1]
    lo[i_last] = min(lo[i_last], j_last)
    hi[i_last] = max(hi[i_last], j_last)
    lo = np.clip(lo - half_width, 0, m)
    hi = np.clip(hi + half_width, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m
    width = int((hi - lo).max()) + 1
    return Band(lo, width, m)


def banded_dp(band: Band, moves: Sequence[Move], values: np.ndarray,
              skip01: float | np.ndarray) -> list[Move]:
    """Best monotonic path through ``band``; returns the moves from (0, 0) to (n, m).

    ``values`` (len(moves), n+1, width): the value of a link of type ``moves[k]`` ending at band
    cell (i, jj) (``-inf`` where impossible); moves must have ``a >= 1``. A 0-1 link is worth
    ``skip01``: a constant, or an (m,) array (the value of skipping each target sentence). 0-1
    links are handled inside each row as a cumulative maximum.
    """
    n, width, m = band.n, band.width, band.m
    nm = len(moves)
    lo = band.lo
    jj = np.arange(width)
    cols = band.cols()
    inside = cols <= m
    sentinel = (n + 1) * width
    flat = np.full(sentinel + 1, _NEG)
    idx = np.full((nm, n + 1, width), sentinel, dtype=np.int64)
    rows = np.arange(n + 1)
    for k, (a, b) in enumerate(moves):
        r = rows - a
        ok_r = r >= 0
        rr = np.where(ok_r, r, 0)
        jp = cols - b - lo[rr][:, None]
        ok = ok_r[:, None] & (jp >= 0) & (jp < width) & (cols - b >= 0) & inside
        idx[k] = np.where(ok, rr[:, None] * width + jp, sentinel)
    back = np.zeros((n + 1, width), dtype=np.int16)
    if np.ndim(skip01) == 0:
        prefix = np.arange(m + 1) * float(skip01)
    else:
        prefix = np.concatenate([[0.0], np.cumsum(np.asarray(skip01, dtype=np.float64))])
    prefix_cols = prefix[np.minimum(cols, m)]
    # row-major copies, so that each row's candidates are one contiguous block
    idx_rows = np.ascontiguousarray(idx.transpose(1, 0, 2))
    val_rows = np.ascontiguousarray(np.asarray(values, dtype=np.float64).transpose(1, 0, 2))
    outside = ~inside
    partial: np.ndarray = np.asarray(outside.any(axis=1))
    for i in range(n + 1):
        if i == 0:
            best = np.where(cols[0] == 0, 0.0, _NEG)
            arg = np.zeros(width, dtype=np.int64)
        else:
            cand = flat[idx_rows[i]]
            cand += val_rows[i]
            arg = cand.argmax(axis=0)
            best = cand[arg, jj]
        ramp = prefix_cols[i]
        run = np.maximum.accumulate(best - ramp)
        run += ramp
        from01 = run > best + 1e-9
        best = np.where(from01, run, best)
        if partial[i]:
            best[outside[i]] = _NEG
        back[i] = np.where(from01, nm, arg)
        flat[i * width:(i + 1) * width] = best
    if not np.isfinite(flat[n * width + (m - lo[n])]):
        raise RuntimeError("alignment band has no path to the end")  # pragma: no cover - invariant
    out: list[Move] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(back[i, j - lo[i]])
        move = (0, 1) if k == nm else moves[k]
        out.append(move)
        i, j = i - move[0], j - move[1]
    out.reverse()
    return out


def _moves_to_path(moves: Sequence[Move]) -> np.ndarray:
    """(k+1, 2) cells visited by ``moves`` from (0, 0)."""
    steps = np.array([(0, 0), *moves], dtype=np.int64)
    return np.cumsum(steps, axis=0)


def _pair_values(band: Band, s_vec: np.ndarray, t_vec: np.ndarray, left: int = 0) -> np.ndarray:
    """(n+1, width) dot products ``s_vec[i] . t_vec[lo[i] - left + x]`` for every band cell.

    ``s_vec`` (n+1, d) and ``t_vec`` (m+1, d) are indexed by the span's end position.
    Columns outside 0..m give 0. Computed in row blocks as dense products over the block's
    column range, so memory stays linear.
    """
    n, width = band.n, band.width
    m = len(t_vec) - 1
    out = np.zeros((n + 1, width), dtype=np.float32)
    block = max(8, min(_ROW_BLOCK, width))
    cols = np.arange(width)[None, :]
    for r0 in range(0, n + 1, block):
        r1 = min(n + 1, r0 + block)
        start = band.lo[r0:r1, None] - left
        c0 = max(0, int(start[0, 0]))
        c1 = min(m + 1, int(start[-1, 0]) + width)
        if c1 <= c0:
            continue
        dense = s_vec[r0:r1] @ t_vec[c0:c1].T
        take = start + cols - c0
        if int(start[0, 0]) >= 0 and int(start[-1, 0]) + width <= m + 1:
            # the block is inside the grid: gather by flat index (cheaper than take_along_axis)
            out[r0:r1] = dense.ravel()[take + (np.arange(r1 - r0) * (c1 - c0))[:, None]]
            continue
        ok = (take >= 0) & (take < (c1 - c0))
        out[r0:r1] = np.where(ok, np.take_along_axis(dense, np.clip(take, 0, c1 - c0 - 1), axis=1), 0.0)
    return out


def _rows_touching(lo: np.ndarray, left: int, width: int, cols: np.ndarray) -> np.ndarray:
    """Rows ``i`` whose window of columns ``lo[i] - left .. lo[i] - left + width - 1`` holds one of
    the sorted columns ``cols``."""
    if not len(cols):
        return np.zeros(0, dtype=np.int64)
    start = lo - left
    k = np.searchsorted(cols, start)
    hit = (k < len(cols)) & (cols[np.minimum(k, len(cols) - 1)] < start + width)
    return np.flatnonzero(hit)


def _pair_rows(band: Band, s_vec: np.ndarray, t_vec: np.ndarray, rows: np.ndarray, left: int = 0) -> np.ndarray:
    """Rows ``rows`` of :func:`_pair_values` (len(rows), width), computed row by row."""
    m = len(t_vec) - 1
    cols = band.lo[rows, None] - left + np.arange(band.width)[None, :]
    ok = (cols >= 0) & (cols <= m)
    gathered = t_vec[np.clip(cols, 0, m)]  # (k, width, d)
    out = np.einsum("kd,kwd->kw", s_vec[rows], gathered)
    return np.where(ok, out, 0.0).astype(np.float32)
