"""Monotonic n-m sentence alignment: coarse-to-fine banded dynamic programming, pure numpy.

Named steps (array shapes in the docstrings; ``n``/``m`` sentences, ``d`` embedding size):

1. :func:`first_pass` - a 1-1/skip path over sentence vectors, found coarse-to-fine (Vecalign):
   the vectors are summed pairwise until the grid is small, a full DP runs there and each finer
   level searches only a band around the projected path. A 1-1 link is worth its normalised
   cosine minus a threshold calibrated on pairs that cannot be translations
   (:func:`_random_threshold`), so no per-corpus tuning. Time and memory are linear.
2. :func:`band_from_path` - the band of the n-m search: ``band_width`` cells either side of that
   path (``Band``: one column offset per row, so memory is (n + 1) x width, never n x m).
3. :func:`second_pass` - the n-m DP inside the band over :func:`link_types` plus 1-0/0-1, first
   with span vectors made from sentence vectors (length-weighted sums, no encoder call); then the
   spans around the links that came out other than 1-1 are embedded as joined text, in one
   encoder call, and the band is searched again (Bertalign embeds every span; we embed the few
   the search needs, well under the cost of embedding each sentence once).
   A link is worth its margin (cosine minus the cosine with the sentences just outside the other
   span, Bertalign, mixed with Vecalign's cosine normalised by random sentences) times a length
   factor; a 1-1 link far off the document's length ratio (Gale-Church deviation, calibrated on
   the first-pass anchors) loses a little; a skipped sentence costs a little, less for a scrap,
   and a scrap ("V", OCR debris) never joins a multi-sentence link; a boundary inside a span
   that is weak (``:``/``;``/comma before, lower case after; a comma before a capital is not)
   earns a small bonus.

The DP (:func:`banded_dp`) runs row by row; each row is a handful of vectorised numpy operations
(the 0-1 moves inside a row are a cumulative maximum), so 5,000 x 6,000 sentences take about a
second of CPU and memory is ``O((n + m) * band width * link types)``.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

import numpy as np

from .data import Link
from .embed import Encoder
from .normalize import strip_marks

Move = tuple[int, int]

_NEG = -np.inf
_FULL_DP_CELLS = 600_000  # grids up to this size get a full DP at the coarsest level
_COARSE_WIDTH = 6  # band half-width of the coarse-to-fine 1-1 search
_SAMPLE = 48  # random other-side sentences for the cosine normaliser
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


def _downsample(x: np.ndarray) -> np.ndarray:
    """(n, d) -> (ceil(n/2), d): normalised sums of consecutive pairs."""
    n = len(x)
    if n % 2:
        x = np.vstack([x, np.zeros((1, x.shape[1]), dtype=x.dtype)])
    return _normalise(x[0::2] + x[1::2])


def _sample(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Up to ``k`` rows of ``x`` (n, d) chosen with a fixed seed (deterministic)."""
    if len(x) <= k:
        return x
    idx = np.random.default_rng(seed).choice(len(x), size=k, replace=False)
    return x[np.sort(idx)]


# ----------------------------------------------------------------------------- banded DP


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


# ----------------------------------------------------------------------------- pass 1


def _one_to_one_values(band: Band, s: np.ndarray, t: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """Values (1, n+1, width) of 1-1 links (normalised cosine minus random-pair threshold)."""
    s_pad = np.vstack([np.zeros((1, s.shape[1]), np.float32), s])
    t_pad = np.vstack([np.zeros((1, t.shape[1]), np.float32), t])
    rs = np.concatenate([[0.0], (s @ _sample(t, _SAMPLE, seed).T).mean(axis=1)])
    rt = np.concatenate([[0.0], (t @ _sample(s, _SAMPLE, seed + 1).T).mean(axis=1)])
    thr = _random_threshold(s, t, rs[1:], rt[1:], seed)
    sim = _pair_values(band, s_pad, t_pad)
    cols = band.cols()
    q = sim - 0.5 * (rs[:, None] + rt[np.minimum(cols, band.m)])
    valid = (np.arange(band.n + 1)[:, None] >= 1) & (cols >= 1) & (cols <= band.m)
    return np.where(valid, q - thr, _NEG)[None], thr


_THR_PRIOR = 0.2  # threshold assumed before evidence (USE-m3 random-pair 99th percentile on dev data)
_THR_PRIOR_WEIGHT = 300.0


def _random_threshold(s: np.ndarray, t: np.ndarray, rs: np.ndarray, rt: np.ndarray, seed: int,
                      quantile: float = 0.99) -> float:
    """High quantile of the normalised cosine of pairs that cannot be translations.

    For up to 192 sampled source sentences and 1,024 sampled target sentences, every pair except
    a source sentence's 3 nearest is a non-translation; ``quantile`` of their normalised cosine (cosine minus the two
    sentences' mean cosine with random others) is the threshold. Small documents have few such
    pairs, so the estimate is shrunk towards a prior.
    """
    rng = np.random.default_rng(seed + 7)
    rows = np.arange(len(s)) if len(s) <= 192 else np.sort(rng.choice(len(s), size=192, replace=False))
    cols = np.arange(len(t)) if len(t) <= 1024 else np.sort(rng.choice(len(t), size=1024, replace=False))
    q = s[rows] @ t[cols].T - 0.5 * (rs[rows][:, None] + rt[cols][None, :])
    k = min(3, q.shape[1])
    keep = np.ones_like(q, dtype=bool)
    np.put_along_axis(keep, np.argpartition(-q, k - 1, axis=1)[:, :k], False, axis=1)
    off = q[keep]
    if off.size == 0:
        return _THR_PRIOR
    est = float(np.quantile(off, quantile))
    return float((off.size * est + _THR_PRIOR_WEIGHT * _THR_PRIOR) / (off.size + _THR_PRIOR_WEIGHT))


def first_pass(s: np.ndarray, t: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, float]:
    """Monotonic 1-1/skip path over sentence vectors ``s`` (n, d), ``t`` (m, d), coarse-to-fine.

    Returns the path as (k, 2) grid cells from (0, 0) to (n, m), and the random-pair threshold
    of the finest level.
    """
    n, m = len(s), len(t)
    if (n + 1) * (m + 1) <= _FULL_DP_CELLS or min(n, m) < 8:
        band = full_band(n, m)
    else:
        coarse, _ = first_pass(_downsample(s), _downsample(t), seed=seed)
        fine = np.minimum(coarse * 2, [n, m])
        band = band_from_path(fine, n, m, _COARSE_WIDTH)
    values, thr = _one_to_one_values(band, s, t, seed)
    moves = banded_dp(band, [(1, 1), (1, 0)], np.concatenate([values, np.zeros_like(values)]), 0.0)
    return _moves_to_path(moves), thr


# ----------------------------------------------------------------------------- pass 2

Known = dict[tuple[int, int], np.ndarray]  # (start, end) of a span -> embedding of its joined text


@dataclass(frozen=True)
class Calibration:
    """Document-level constants, shared by the whole search and by every re-searched region.

    ``s_smp`` (k, d) / ``t_smp`` (k, d): random sentences of each side (the cosine normaliser);
    ``char_ratio``: source characters per target character; ``mu``/``sigma``: median and robust
    spread of the log length ratio of first-pass 1-1 links; ``med_len``: median sentence length.
    """

    s_smp: np.ndarray
    t_smp: np.ndarray
    char_ratio: float
    mu: float
    sigma: float
    med_len: float
    thr: float = _THR_PRIOR
    gc_var: float = 6.8


def _char_ratio(s_len: np.ndarray, t_len: np.ndarray, anchors: np.ndarray, prior: float = 3.0) -> float:
    """Source characters per target character: from the first-pass 1-1 links (robust to a document
    whose two sides differ in content), shrunk towards the whole-document ratio when they are few."""
    whole = np.log(max(s_len.sum(), 1.0) / max(t_len.sum(), 1.0))
    if not len(anchors):
        return float(np.exp(whole))
    ls, lt = s_len[anchors[:, 0]].sum(), t_len[anchors[:, 1]].sum()
    local = np.log(max(ls, 1.0) / max(lt, 1.0))
    k = len(anchors)
    return float(np.exp((k * local + prior * whole) / (k + prior)))


#: Shortest anchor (characters, both sides) that informs the length variance. Measured on the gold
#: 1-1 links of Text+Berg test and dev, NTREX and the UDHR: the variance per character is 2.6-4.7
#: from 30 characters on in every set, and 0.02-1.2 below (headings, names, numbers); a document
#: with many headings otherwise gets a variance so small that one added phrase ruins a 1-1 link.
_GC_MIN_CHARS = 30.0


def calibrate(s: np.ndarray, t: np.ndarray, s_len: np.ndarray, t_len: np.ndarray,
              anchors: np.ndarray, seed: int = 0, thr: float = _THR_PRIOR) -> Calibration:
    """Constants from sentence vectors ``s`` (n, d), ``t`` (m, d), lengths and 1-1 ``anchors`` (k, 2)."""
    if len(anchors):
        ratios = np.log((s_len[anchors[:, 0]] + 10.0) / (t_len[anchors[:, 1]] + 10.0))
        mu = float(np.median(ratios))
        sigma = max(0.1, float(np.median(np.abs(ratios - mu))) * 1.4826)
    else:
        mu, sigma = 0.0, 0.5
    char_ratio = _char_ratio(s_len, t_len, anchors)
    gc_var = 6.8  # Gale & Church's variance per character, the prior
    if len(anchors) >= 8:
        ls, lt = s_len[anchors[:, 0]], t_len[anchors[:, 1]] * char_ratio
        # only anchors that are sentences: headings, labels and numbers ("Article 2" / "المادة 2")
        # are rendered by formula, with lengths far closer than prose (see _GC_MIN_CHARS)
        prose = np.minimum(ls, lt) >= _GC_MIN_CHARS
        if prose.sum() >= 8:
            ls, lt = ls[prose], lt[prose]
            d2 = (lt - ls) ** 2 / np.maximum(0.5 * (ls + lt), 1.0)
            gc_var = max(1.0, float(np.median(d2)) / 0.455)  # median of chi-square(1) is 0.455
    return Calibration(
        s_smp=_sample(s, _SAMPLE, seed + 1), t_smp=_sample(t, _SAMPLE, seed),
        char_ratio=char_ratio, mu=mu, sigma=sigma,
        med_len=float(np.median(np.concatenate([s_len, t_len]))), thr=thr, gc_var=gc_var)


def _span_vectors(sent: np.ndarray, lengths: Sequence[int], weights: np.ndarray,
                  known: Known | None) -> dict[int, np.ndarray]:
    """Span vectors by length: ``out[k][e]`` (n+1, d) is the span of ``k`` sentences ending at ``e``.

    A span is the embedding of its joined text when ``known`` has it, else the normalised sum of
    its sentence vectors ``sent`` (n, d) weighted by ``weights`` (n,) (character lengths: a long
    sentence dominates the embedding of a joined text too).
    """
    n, d = sent.shape
    first = np.empty((n + 1, d), np.float32)
    first[0] = 0.0
    first[1:] = sent
    out: dict[int, np.ndarray] = {1: first}
    weighted = sent * weights.astype(np.float32)[:, None]
    acc = weighted.copy()  # running sums, updated in place (few large allocations: page faults cost)
    for k in range(2, max(lengths, default=1) + 1):
        acc = acc[:-1]
        np.add(acc, weighted[k - 1:], out=acc)  # (n - k + 1, d): sums of k sentences, by start
        if k in lengths:
            vec = np.empty((n + 1, d), np.float32)
            vec[:k] = 0.0
            if len(acc):
                norms = np.sqrt(np.einsum("id,id->i", acc, acc))[:, None]
                np.divide(acc, np.maximum(norms, 1e-12), out=vec[k:])
            out[k] = vec
    _put_known(out, known)
    return out


# Clause-ending punctuation; with the pause marks of Uthmani script (the Qur'an's only punctuation,
# set on the last word of a phrase where a reader may stop: ۖ stop allowed, continuing better; ۗ
# stopping better; ۘ stop required; ۚ stop allowed), not the marks that forbid a stop (ۙ) or pair
# two places of which one is to be chosen (ۛ)
_CLAUSE_END = re.compile(r"(?<=[.!?؟;؛:،,…\u06D6\u06D7\u06D8\u06DA])[\"'»”’)\]]*\s+")
_MIN_CLAUSE = 12  # characters: a shorter piece ("1.", "he said,") joins its neighbour
# vowel marks, tatweel and Quranic marks between letters (the Arabic marks of normalize.MARKS;
# not its invisible bidi and zero-width ones)
_MARKS = "[\u064B-\u065F\u0670\u0640\u0610-\u061A\u06D6-\u06E4\u06E7-\u06ED]*"
_LETTER = "[\u0621-\u064A\u0671-\u06D3]"


def _marked(word: str) -> str:
    """A pattern matching ``word`` with or without vowel marks between its letters (an alef also
    as written with a madda or a wasla: Uthmani script writes فَلَمَّآ)."""
    return _MARKS.join("[اآٱ]" if ch == "ا" else re.escape(ch) for ch in word) + _MARKS


# The sequential conjunction ف ("so", "then", written on the next word, as و is) opens a clause in
# narrative Arabic where English starts a new sentence ("So We saved him", "Then when ...").
# Unlike و, many words begin with the letter ف (في "in", فقط "only", فريق "team", names: فالدو),
# so it cuts only before the conjunction with a particle or a verb that cannot be read otherwise
# (فلما "then when", فقال "so he said", فإن, فقد, ...), or before ف with a hamza or an alef wasla
# and three more letters (فأنجيناه "so We saved him", فٱليوم "so today").
_FA_WORDS = ("فلما", "فقال", "فقالت", "فقالوا", "فقلنا", "فقلت", "فإن", "فإنه", "فإنها", "فإنهم", "فإنا",
             "فإذا", "فلم", "فلن", "فقد", "فلقد", "فكان", "فكانت", "فكانوا", "فهو", "فهي", "فما", "فمن",
             "فلا", "فليس", "فأما", "فبينما", "فعند", "فحين", "فلعل")
_FA = ("(?:" + "|".join(_marked(w) for w in sorted(_FA_WORDS, key=len, reverse=True)) + f")(?!{_MARKS}{_LETTER})"
       f"|ف{_MARKS}[أإٱ]{_MARKS}(?:{_LETTER}{_MARKS}){{3}}")
# Arabic prose chains its clauses with the conjunction و ("and", written on the next word) where
# English starts a new sentence: a word opening with و may start a clause (in vocalised text the
# و carries a vowel mark, وَقَالَ, and the next letter may be an alef wasla, وَٱلَّذِينَ), and so
# may the conjunction ف above ...
_WAW = re.compile(f"\\s+(?=و{_MARKS}{_LETTER}|{_FA})")
# ... once the clause before it has this many characters, Arabic marks not counted (so that a noun
# that merely begins with the letter, وزير "minister", does not cut a short phrase)
_MIN_WAW_CLAUSE = 40


def _chars(text: str) -> int:
    """Length of ``text`` without Arabic diacritics, tatweel and invisible marks: vocalised Arabic
    (religious and literary text, the Qur'an) has nearly as many marks as letters."""
    return len(strip_marks(text))


def _waw_clauses(part: str) -> list[str]:
    """``part`` cut before words opening with the conjunction و or ف, each piece but the last at least
    ``_MIN_WAW_CLAUSE`` characters."""
    out: list[str] = []
    acc = ""
    for piece in _WAW.split(part):
        if acc and _chars(acc) >= _MIN_WAW_CLAUSE:
            out.append(acc)
            acc = piece
        else:
            acc = f"{acc} {piece}" if acc else piece
    return [*out, acc] if acc else out


def clauses(text: str, waw: bool = False) -> list[str]:
    """The clauses of ``text``: split after ``. ! ? ; : ،`` or a comma, and with ``waw`` (the clause
    step, :func:`align_by_clauses`) in Arabic before a word opening with the conjunction و (or with
    the conjunction ف where it cannot be read otherwise: :data:`_FA_WORDS`) once the clause before
    has ``_MIN_WAW_CLAUSE`` characters; a piece shorter than ``_MIN_CLAUSE``
    characters joins its neighbour (one piece: ``[text]``).

    >>> clauses("It could mean the end. Mother-of-three Willoughby set up Truly, with Capp.")
    ['It could mean the end.', 'Mother-of-three Willoughby set up Truly,', 'with Capp.']
    """
    parts = [p for p in _CLAUSE_END.split(text.strip()) if p]
    if waw:
        parts = [q for p in parts for q in _waw_clauses(p)]
    merged: list[str] = []
    for part in parts:
        if merged and _chars(merged[-1]) < _MIN_CLAUSE:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    if len(merged) > 1 and _chars(merged[-1]) < _MIN_CLAUSE:
        merged[-2:] = [f"{merged[-2]} {merged[-1]}"]
    return merged or [text]


def clause_edges(text: str) -> tuple[str, str] | None:
    """The opening and closing clause of ``text`` (see :func:`clauses`), or None when it has fewer
    than two clauses of at least ``_MIN_CLAUSE`` characters.

    >>> clause_edges("It could mean the end. Mother-of-three Willoughby set up Truly, with Capp.")
    ('It could mean the end.', 'with Capp.')
    """
    parts = clauses(text)
    if len(parts) < 2:
        return None
    return parts[0], parts[-1]


def _put_known(vecs: dict[int, np.ndarray], known: Known | None) -> None:
    """Write the embeddings of joined texts into span vectors ``vecs`` (see :func:`_span_vectors`)."""
    for (b, e), v in (known or {}).items():
        if e - b in vecs and e - b > 1:
            vecs[e - b][e] = v


_WEAK_END = tuple(":;,،؛-–—(")
_COMMAS = (",", "،")
# closing punctuation only ("!", "» .", ")"): the end of the sentence before, split off by a tokenizer
_CLOSE = "!?؟»”’\"')\\]"
_TAIL = re.compile(rf"^[{_CLOSE}.…\s]*[{_CLOSE}][{_CLOSE}.…\s]*$")


def tails(sents: Sequence[str]) -> np.ndarray:
    """(n,) bool: sentences made only of closing punctuation ("!", "» .", ")"): the end of the
    sentence before them, split off. A tail may join a multi-sentence link only as its last
    sentence, and the boundary before it is weak (:func:`weak_boundaries`)."""
    return np.array([bool(_TAIL.match(x)) for x in sents], dtype=bool)


def weak_boundaries(sents: Sequence[str], tail: np.ndarray | None = None,
                    cut: np.ndarray | None = None) -> np.ndarray:
    """(n,) bool: ``out[k]`` is True when the boundary before sentence ``k`` is weak - the previous
    sentence ends in ``:``, ``;``, a comma or a dash, sentence ``k`` starts in lower case, or
    sentence ``k`` is a tail (:func:`tails`) - so the two are likely one sentence of the other
    language. ``tail``: :func:`tails` of ``sents`` when the caller has it.

    A comma followed by a capital is not weak: no segmenter cuts after a comma, so the line break
    is the document's own, and the capital says a new unit starts there - a preamble's "Whereas
    ...," paragraphs, a list's items, an address, a verse. ``cut`` (n,) bool marks the boundaries
    that are this module's own cuts inside one sentence (:func:`clauses`): there a comma is weak
    whatever follows."""
    out = np.zeros(len(sents), bool)
    tail = tails(sents) if tail is None else tail
    for k in range(1, len(sents)):
        prev, cur = sents[k - 1].rstrip(), sents[k].lstrip()
        new_unit = (prev.endswith(_COMMAS) and bool(cur) and cur[0].isupper()
                    and not (cut is not None and cut[k]))
        out[k] = (bool(prev) and prev.endswith(_WEAK_END) and not new_unit
                  or (bool(cur) and cur[0].islower()) or bool(tail[k]))
    return out


_MARKER = re.compile(r"^(?:[(\[]?\d+[.)\]:]?|[(\[]?(?:[A-Za-z]{1,4}|[\u0600-\u06FF]{1,2})[.)\]:])$")


def scraps(sents: Sequence[str], tail: np.ndarray | None = None) -> np.ndarray:
    """(n,) bool: sentences that carry no text - fewer than 3 letters or digits, like OCR debris
    ("V", ".-^ !") - unless they look like a list marker ("1.", "(a)", "iv)"), which a translation
    keeps, or are a tail of closing punctuation (:func:`tails`). A scrap is never joined into a
    multi-sentence link: it is aligned 1-1 or left out. ``tail``: :func:`tails` of ``sents`` when
    the caller has it."""
    out = np.zeros(len(sents), bool)
    tail = tails(sents) if tail is None else tail
    for k, x in enumerate(sents):
        x = x.strip()
        if tail[k]:
            continue
        # count letters and digits only up to 3: a real sentence is decided after a few characters
        if len(list(islice(filter(str.isalnum, x), 3))) < 3 and not _MARKER.match(x.replace(" ", "")):
            out[k] = True
    return out


def _weak_counts(weak: np.ndarray, lengths: Sequence[int]) -> dict[int, np.ndarray]:
    """Per span length k, (n+1,) number of weak boundaries inside the span ending at each position."""
    n = len(weak)
    cum = np.concatenate([[0], np.cumsum(weak.astype(np.int64))])
    out = {}
    for k in lengths:
        vec = np.zeros(n + 1)
        if k > 1 and n >= k:
            ends = np.arange(k, n + 1)
            vec[k:] = cum[ends] - cum[ends - k + 1]
        out[k] = vec
    return out


def _joinable(scrap: np.ndarray, tail: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """What lets a multi-sentence span of a side with ``scrap`` and ``tail`` (n,) bool flags end
    at position ``e`` (its sentences ``e - k .. e - 1``): ``inner`` (n+1,) counts the sentences
    before ``e`` that may not be inside a span (``inner[e - 1] - inner[e - k]`` must be 0), and
    ``last_ok`` (n+1,) says whether sentence ``e - 1`` may end one (a tail may, a scrap may not)."""
    tail = np.zeros(len(scrap), bool) if tail is None else np.asarray(tail, bool)
    scrap = np.asarray(scrap, bool)
    inner = np.concatenate([[0], np.cumsum(scrap | tail)])
    last_ok = np.concatenate([[True], ~scrap])
    return inner, last_ok


def second_pass(
    s: np.ndarray,
    t: np.ndarray,
    band: Band,
    moves: Sequence[Move],
    s_len: np.ndarray,
    t_len: np.ndarray,
    calib: Calibration,
    known_s: Known | None = None,
    known_t: Known | None = None,
    *,
    local: float = 0.7,
    skip_cost: float = 0.1,
    skip_len: float = 0.5,
    weak_bonus: float = 0.0,
    len_penalty: float = 0.0,
    len_free: float = 2.0,
    s_weak: np.ndarray | None = None,
    t_weak: np.ndarray | None = None,
    s_scrap: np.ndarray | None = None,
    t_scrap: np.ndarray | None = None,
    s_tail: np.ndarray | None = None,
    t_tail: np.ndarray | None = None,
    span_vecs: tuple[dict[int, np.ndarray], dict[int, np.ndarray]] | None = None,
    reuse: dict[str, Any] | None = None,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    edge_weight: float = 0.0,
) -> tuple[list[Move], dict[str, np.ndarray]]:
    """n-m DP over ``s`` (n, d), ``t`` (m, d) in ``band``; returns the moves and per-cell features.

    A link's value is its margin times a length factor: margin = cosine of the two span vectors
    minus ``local`` x their mean cosine with the sentences just outside the other span (Bertalign)
    minus ``(1 - local)`` x their mean cosine with random sentences (Vecalign); length factor =
    log2(1 + shorter / longer) of the character lengths scaled by ``calib.char_ratio``. Each weak
    boundary inside a span (``s_weak``/``t_weak`` (n,)/(m,) bool, see :func:`weak_boundaries`)
    that the other span does not match adds ``weak_bonus`` (the bonus is ``weak_bonus`` x the
    difference of the two spans' counts: when both sides of a 2-2 split at a weak boundary, they
    split alike, which is no evidence for joining). A 1-1 link whose Gale-Church length
    deviation ``|delta|`` (character lengths, ratio and variance per character estimated from
    the first-pass anchors, see :func:`calibrate`) exceeds ``len_free`` loses ``len_penalty`` x
    (|delta| - len_free)^2: two 1-1 links cut at the wrong place (a 2-2 whose sentences overlap)
    have one long and one short side. Multi-sentence spans may not contain a scrap (``s_scrap``/``t_scrap``, see
    :func:`scraps`), and a tail (``s_tail``/``t_tail``, see :func:`tails`) only as their last
    sentence. Skipping a sentence costs ``skip_cost`` x min(1, length / median length)
    ** ``skip_len`` (skipping a scrap like "V" is cheap). ``known_s``/``known_t`` map (start, end)
    spans to the embeddings of their joined text; other spans use length-weighted sums of
    sentence vectors. ``span_vecs``: the sum-based span vectors of both sides as made by
    :func:`_span_vectors` with no known spans, computed once for several searches (the known
    spans are written into them). ``reuse``: a dict kept between searches over the same band
    with the same ``span_vecs``, where each search leaves its dot-product tables; the next one
    recomputes only the rows its new known spans change. ``edges``: opening- and closing-clause
    vectors (source heads, source tails, target heads, target tails, indexed like span vectors;
    see :func:`_edge_vectors`); with them a link of one sentence against several earns
    ``edge_weight`` x the normalised cosines of its first and last sentence with the one's
    opening and closing clause. Feature arrays have shape
    (len(moves) + 1, n+1, width).
    """
    n, m = len(s), len(t)
    src_lengths = sorted({a for a, _ in moves})
    tgt_lengths = sorted({b for _, b in moves})
    cols = band.cols()
    inside = cols <= m
    if span_vecs is None:
        sv = _span_vectors(s, src_lengths, s_len + 1.0, known_s)
        tv = _span_vectors(t, tgt_lengths, t_len + 1.0, known_t)
    else:  # sums computed once by the caller; the joined-text embeddings go in place
        sv, tv = span_vecs
        _put_known(sv, known_s)
        _put_known(tv, known_t)
    s_mean, t_mean = calib.s_smp.mean(axis=0), calib.t_smp.mean(axis=0)
    rs = {k: v @ t_mean for k, v in sv.items()}
    rt = {k: v @ s_mean for k, v in tv.items()}
    s_cum = np.concatenate([[0.0], np.cumsum(s_len, dtype=np.float64)])
    t_cum = np.concatenate([[0.0], np.cumsum(t_len, dtype=np.float64)])
    rows = np.arange(n + 1)[:, None]
    ccols = np.minimum(cols, m)
    shape = (len(moves) + 1, n + 1, band.width)
    values = np.full(shape, _NEG)
    feats = {name: np.zeros(shape) for name in ("cosine", "margin_local", "norm_cosine", "length_z")}
    s_pad, t_pad = sv[1], tv[1]
    s_has_r = np.arange(n + 1) < n
    t_has_r = np.arange(m + 1) < m
    lo = band.lo
    max_a, max_b = max(src_lengths), max(tgt_lengths)
    # each span's cosine with the sentences just outside the other span: one table per span
    # length, shifted per link type
    step = int(np.max(np.diff(lo), initial=0))
    reach_up = int(np.max(lo - lo[np.maximum(np.arange(n + 1) - max_a, 0)], initial=0))
    # a second search over the same band (``reuse``) recomputes only the rows that the known
    # spans change: a source span of length a ending at e changes row e of the tables of length
    # a; a target span of length b ending at e changes the cells whose column is e
    prev = reuse if reuse is not None and reuse.get("band") is band else None
    none = np.zeros(0, dtype=np.int64)
    new_s = {a: np.array(sorted({e for (b0, e) in (known_s or {}) if e - b0 == a}), dtype=np.int64)
             for a in src_lengths}
    new_t = {b: np.array(sorted({e for (b0, e) in (known_t or {}) if e - b0 == b}), dtype=np.int64)
             for b in tgt_lengths}

    def table(key: tuple[str, int, int], row_vec: np.ndarray, col_vec: np.ndarray, left: int, right: int,
              rows_changed: np.ndarray, cols_changed: np.ndarray) -> np.ndarray:
        """(n+1, left + width + right): ``row_vec[i] . col_vec[lo[i] - left + x]`` (0 off the grid),
        both indexed by span end position like the band's cells."""
        wide = Band(lo, left + band.width + right, m)
        old = prev["tables"].get(key) if prev is not None else None
        rows = none
        if old is not None:
            rows = np.union1d(rows_changed, _rows_touching(lo, left, wide.width, cols_changed))
        if old is None or len(rows) > (n + 1) // 8:  # row by row costs more than all at once
            out = _pair_values(wide, row_vec, col_vec, left)
        else:
            out = old.copy()
            if len(rows):
                out[rows] = _pair_rows(wide, row_vec, col_vec, rows, left)
        tables[key] = out
        return out

    tables: dict[tuple[str, int, int], np.ndarray] = {}
    g_tab = {a: table(("g", a, 0), sv[a], t_pad, max_b, 1, new_s[a], none) for a in src_lengths}
    l_tab = {b: table(("l", b, 0), s_pad, tv[b], step, reach_up, none, new_t[b]) for b in tgt_lengths}
    if reuse is not None:
        reuse.clear()
        reuse.update(band=band, tables=tables)
    jj = np.arange(band.width)[None, :]
    row_i = np.arange(n + 1)
    join_s = _joinable(s_scrap, s_tail) if s_scrap is not None else None
    join_t = _joinable(t_scrap, t_tail) if t_scrap is not None else None
    weak_s = _weak_counts(s_weak, src_lengths) if s_weak is not None else {a: np.zeros(n + 1) for a in src_lengths}
    weak_t = _weak_counts(t_weak, tgt_lengths) if t_weak is not None else {b: np.zeros(m + 1) for b in tgt_lengths}
    for k, (a, b) in enumerate(moves):
        cos = table(("c", a, b), sv[a], tv[b], 0, 0, new_s[a], new_t[b])
        ravg = 0.5 * (rs[a][:, None] + rt[b][ccols])
        ls = s_cum[rows] - s_cum[np.maximum(rows - a, 0)]
        lt = t_cum[ccols] - t_cum[np.maximum(ccols - b, 0)]
        z = (np.log((ls + 10.0) / (lt + 10.0)) - calib.mu) / calib.sigma
        g = g_tab[a]
        tl = g[:, max_b - b: max_b - b + band.width]
        tr = g[:, max_b + 1: max_b + 1 + band.width]
        lt_ = l_tab[b]
        r_l = np.maximum(row_i - a, 0)
        sl = np.take_along_axis(lt_[r_l], np.minimum(step + (lo - lo[r_l])[:, None] + jj, lt_.shape[1] - 1), axis=1)
        r_r = np.minimum(row_i + 1, n)
        sr = np.take_along_axis(lt_[r_r], np.clip(step + (lo - lo[r_r])[:, None] + jj, 0, lt_.shape[1] - 1), axis=1)
        t_nl = (ccols - b >= 1).astype(np.float64)
        t_nr = t_has_r[ccols].astype(np.float64)
        s_nl = (rows - a >= 1).astype(np.float64)
        s_nr = s_has_r[rows].astype(np.float64)
        t_nb = (tl * t_nl + tr * t_nr) / np.maximum(t_nl + t_nr, 1.0)
        s_nb = (sl * s_nl + sr * s_nr) / np.maximum(s_nl + s_nr, 1.0)
        nb = 0.5 * (t_nb + s_nb)
        lt_r = lt * calib.char_ratio
        factor = np.log2(1.0 + np.minimum(ls, lt_r) / np.maximum(np.maximum(ls, lt_r), 1e-9))
        val = (cos - local * nb - (1.0 - local) * ravg) * factor
        if len_penalty and (a, b) == (1, 1):
            # Gale-Church-like: a length ratio far outside the document's spread of 1-1 anchors
            # is unlikely for a translation, whatever the cosine says
            gz = (lt_r - ls) / np.sqrt(calib.gc_var * np.maximum(0.5 * (ls + lt_r), 1.0))
            val = val - len_penalty * np.maximum(np.abs(gz) - len_free, 0.0) ** 2
        if weak_bonus:
            val = val + weak_bonus * np.abs(weak_s[a][:, None] - weak_t[b][ccols])
        if edge_weight and edges is not None and (a == 1) != (b == 1):
            # one sentence against several: the first of the several should say what the one's
            # opening clause says, the last what its closing clause says (normalised cosines)
            s_head, s_tail, t_head, t_tail = edges
            if a == 1:
                first = table(("eh", a, b), s_head, t_pad, b - 1, 0, none, none)[:, :band.width]
                last = table(("et", a, b), s_tail, t_pad, 0, 0, none, none)
                rand = rs[1][:, None] + 0.5 * (rt[1][np.maximum(ccols - b + 1, 0)] + rt[1][ccols])
            else:
                first_rows = s_pad[np.maximum(np.arange(n + 1) - a + 1, 0)]
                first = table(("fh", a, b), first_rows, t_head, 0, 0, none, none)
                last = table(("ft", a, b), s_pad, t_tail, 0, 0, none, none)
                rand = rt[1][ccols] + 0.5 * (rs[1][np.maximum(rows - a + 1, 0)] + rs[1][:, None])
            val = val + edge_weight * (first + last - rand)
        valid = (rows >= a) & (cols >= b) & inside
        if join_s is not None and a > 1:
            inner, last_ok = join_s
            valid &= (inner[np.maximum(rows - 1, 0)] - inner[np.maximum(rows - a, 0)] == 0) & last_ok[rows]
        if join_t is not None and b > 1:
            inner, last_ok = join_t
            valid &= (inner[np.maximum(ccols - 1, 0)] - inner[np.maximum(ccols - b, 0)] == 0) & last_ok[ccols]
        values[k] = np.where(valid, val, _NEG)
        feats["cosine"][k] = cos
        feats["norm_cosine"][k] = cos - ravg
        feats["margin_local"][k] = cos - nb
        feats["length_z"][k] = z
    all_moves = [*moves, (1, 0)]
    s_skip = -skip_cost * np.minimum(1.0, (s_len + 1.0) / (calib.med_len + 1.0)) ** skip_len
    t_skip = -skip_cost * np.minimum(1.0, (t_len + 1.0) / (calib.med_len + 1.0)) ** skip_len
    values[-1] = np.concatenate([[_NEG], s_skip])[:, None] * np.ones((1, band.width))
    path = banded_dp(band, all_moves, values, t_skip)
    return path, {**feats, "value": values}


# ----------------------------------------------------------------------------- entry point


def _hot_sentences(moves: Sequence[Move], n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentences (n,), (m,) bool of links that are not 1-1 on the path ``moves``, plus one link
    either side of each 1-0/0-1 link (a skipped sentence may belong to a neighbour).

    Only spans made of hot sentences are embedded as joined text.
    """
    hot_s = np.zeros(n, bool)
    hot_t = np.zeros(m, bool)
    starts = _moves_to_path(moves)[:-1]
    for k, mv in enumerate(moves):
        if mv == (1, 1):
            continue
        r = 1 if 0 in mv else 0
        lo_k, hi_k = max(0, k - r), min(len(moves) - 1, k + r)
        i0, j0 = starts[lo_k]
        i1, j1 = starts[hi_k] + np.array(moves[hi_k])
        hot_s[i0:i1] = True
        hot_t[j0:j1] = True
    return hot_s, hot_t


def _regions(moves: Sequence[Move], context: int) -> list[tuple[int, int]]:
    """Ranges [k0, k1) of ``moves`` around the links that are not 1-1, ``context`` links wide."""
    out: list[tuple[int, int]] = []
    for k, mv in enumerate(moves):
        if mv == (1, 1):
            continue
        k0, k1 = max(0, k - context), min(len(moves), k + context + 1)
        if out and k0 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], k1))
        else:
            out.append((k0, k1))
    return out


def _spans_to_embed(hot: np.ndarray, lengths: Sequence[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans (start, end) inside [lo, hi) of 2+ sentences, all hot."""
    out = []
    for k in lengths:
        if k < 2:
            continue
        for b in range(lo, hi - k + 1):
            if hot[b:b + k].all():
                out.append((b, b + k))
    return out


def _make_links(chosen: Sequence[Move], feats: dict[str, np.ndarray], band: Band,
                moves: Sequence[Move], i0: int = 0, j0: int = 0) -> list[Link]:
    index = {mv: k for k, mv in enumerate(moves)}
    links: list[Link] = []
    i = j = 0
    for a, b in chosen:
        si, tj = tuple(range(i0 + i, i0 + i + a)), tuple(range(j0 + j, j0 + j + b))
        i, j = i + a, j + b
        if a == 0 or b == 0:
            links.append(Link(si, tj, 0.0, {}))
            continue
        k = index[(a, b)]
        jj = j - int(band.lo[i])
        names = ("cosine", "margin_local", "norm_cosine", "length_z")
        links.append(Link(si, tj, round(float(feats["value"][k, i, jj]), 6),
                          {name: round(float(feats[name][k, i, jj]), 6) for name in names}))
    return links


@contextlib.contextmanager
def _single_thread_blas() -> Iterator[None]:
    """Run BLAS on one thread: the search makes thousands of small products, for which thread
    start-up and spinning cost more than they give (and much more on a busy machine)."""
    blas = _blas_controller()
    if blas is None:  # pragma: no cover - optional
        yield
        return
    with blas.limit(limits=1, user_api="blas"):
        yield


@functools.cache
def _blas_controller() -> Any:
    """threadpoolctl's controller of the loaded BLAS (None without threadpoolctl), made once: it
    scans the process's shared libraries, about a millisecond a document when made per call.
    numpy, and with it BLAS, is loaded before the first search."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional
        return None
    return ThreadpoolController()


def align_parallel(
    src: list[str],
    tgt: list[str],
    encoder: Encoder | None,
    *,
    max_link: int | None = None,
    src_emb: np.ndarray | None = None,
    tgt_emb: np.ndarray | None = None,
    spans: str = "auto",
    band_width: int = 4,
    context: int = 2,
    local: float = 0.7,
    skip_cost: float = 0.1,
    skip_len: float = 0.5,
    weak_bonus: float = 0.06,
    len_penalty: float = 0.03,
    len_free: float = 2.5,
    keep_scraps_apart: bool = True,
    weak_hot: bool = True,
    span_budget: float | None = 0.87,
    seed: int = 0,
    edge_weight: float = 0.2,
    finer_skip: float = 1.0,
    by_clause: float | None = 0.5,
) -> list[Link]:
    """Align two sentence lists monotonically; every sentence is in exactly one link, in order.

    ``src_emb`` (n, d) / ``tgt_emb`` (m, d): L2-normalised sentence vectors (computed with
    ``encoder`` when missing). ``max_link``: most sentences on one side of a link (see
    :func:`link_types`); None (default): from the document (:func:`auto_max_link`: 4 where both
    sides are split alike, up to 9 where one side is split much finer).

    One-to-many documents: where one side has many more sentences than the other (literary
    translation: one long Arabic sentence rendered as three English ones), the strength
    :func:`one_to_many` (0 where the sentence counts are within 25%, 1 from 60% apart) scales two
    things. Where a run of short sentences is cut: a one-to-several link earns ``edge_weight`` x
    how well the first and last of the several match the opening and closing clause of the one
    (normalised cosines; :func:`clause_edges`, embedded for the coarser side only, within the
    span budget) - a short sentence at the edge of a span barely moves the joined vector, but it
    says what one end of the long sentence says. And skipping a sentence costs up to
    ``1 + finer_skip`` times more: a translation rarely drops a sentence, and a 0-1 link next to
    a one-to-many link is usually a sentence that belongs to it.

    ``by_clause``: from this one-to-many strength on (default 0.5: one side has 41% more
    sentences), with ``max_link`` None and an encoder, the coarser side is aligned by its clauses
    and the links read back onto its sentences (:func:`align_by_clauses`), and a sentence of the
    finer side left unlinked joins the neighbouring link it fits better (:func:`absorb_additions`:
    a translation that splits sentences rarely adds one of its own); None: never.

    ``spans``: how multi-sentence spans get vectors:

    * ``"auto"`` (default): first the whole band with length-weighted sums of sentence vectors;
      then spans made of sentences of links that are not 1-1 (and pairs across weak boundaries
      within ``context`` links of them, with ``weak_hot``) are embedded as joined text in one
      encoder call, the spans of the links found first, then the shortest (those next to the
      links found first before the others), up to ``span_budget`` x the characters of all
      sentences (None: no cap; the default 0.87 leaves room for the searches themselves within
      2x the time to embed each sentence once; in a one-to-many document, whose search is longer,
      up to 30% less, and the clause embeddings count in it), and the band is searched again.
    * ``"encode"``: embed every span of the band (most accurate on messy text, ~8x the cost).
    * ``"sum"``: never call the encoder.

    ``band_width``: cells either side of the first-pass path searched by the n-m pass.
    ``local``, ``skip_cost``, ``skip_len``, ``weak_bonus``, ``len_penalty``, ``len_free``: see
    :func:`second_pass` (defaults tuned lightly on Text+Berg dev and NTREX merged).
    ``keep_scraps_apart``: never join a scrap (:func:`scraps`) into a multi-sentence link.
    Each link's ``score`` is its DP value (margin x length factor; 0 for 1-0/0-1 links);
    ``features``: ``cosine``, ``margin_local`` (cosine minus cosine with the neighbouring sentences;
    the ratio ``margin`` is added by :mod:`parallel.evidence`),
    ``norm_cosine`` (cosine minus mean cosine with random sentences), ``length_z`` (standardised
    log character ratio).
    """
    opts: dict[str, Any] = {
        "max_link": max_link, "spans": spans, "band_width": band_width, "context": context, "local": local,
        "skip_cost": skip_cost, "skip_len": skip_len, "weak_bonus": weak_bonus, "len_penalty": len_penalty,
        "len_free": len_free, "keep_scraps_apart": keep_scraps_apart, "weak_hot": weak_hot,
        "span_budget": span_budget, "seed": seed, "edge_weight": edge_weight, "finer_skip": finer_skip}
    with _single_thread_blas():
        n, m = len(src), len(tgt)
        if (by_clause is not None and min(n, m) > 0 and one_to_many(n, m) >= by_clause and encoder is not None
                and spans != "sum" and max_link is None):
            if src_emb is None:
                src_emb = encoder.encode(src)
            if tgt_emb is None:
                tgt_emb = encoder.encode(tgt)
            links = align_by_clauses(src, tgt, encoder, src_emb, tgt_emb, opts)
            if links is None:
                links = _align_parallel(src, tgt, encoder, src_emb=src_emb, tgt_emb=tgt_emb, **opts)
            return absorb_additions(links, src, tgt, encoder, src_emb, tgt_emb, local, seed)
        return _align_parallel(src, tgt, encoder, src_emb=src_emb, tgt_emb=tgt_emb, **opts)


def align_by_clauses(src: list[str], tgt: list[str], encoder: Encoder, src_emb: np.ndarray, tgt_emb: np.ndarray,
                     opts: dict[str, Any]) -> list[Link] | None:
    """Align a one-to-many document through the clauses of its coarser side (None when no sentence
    there has two clauses).

    The sentences of the coarser side are split into clauses (:func:`clauses`; a sentence of one
    clause keeps its vector, the clauses of the others are embedded in one encoder call), the
    clauses are aligned with the finer side's sentences (:func:`_align_parallel` with ``opts``),
    and each link is read back onto whole sentences (:func:`_sentences_of_clauses`): a sentence gets
    the finer side's sentences its clauses were aligned with; sentences whose clauses are all in
    one link become one link (2-x). The clause embeddings are paid from the span budget; the
    clause-edge term is off (the clauses stand in for it).

    Why: a long sentence rendered as several short ones is cut where its clauses end. Aligned by
    clauses, most links are one clause against one or two sentences, where sentence vectors are
    reliable; aligned whole, every cut is a choice between long spans whose joined vectors barely
    move when a short sentence at their edge is added or dropped.
    """
    n, m = len(src), len(tgt)
    coarse = 0 if n < m else 1
    sents, other = (src, tgt) if coarse == 0 else (tgt, src)
    # the share of the characters the span budget leaves to embeddings (the search of a one-to-many
    # document is longer, see _align_parallel); None: no budget
    share = (None if opts.get("span_budget") is None
             else float(opts["span_budget"]) * (1.0 - _FINER_SEARCH * one_to_many(n, m)))
    pieces = [clauses(x, waw=True) for x in sents]
    if share is not None:
        # the cuts at و make more clauses to embed: where they would cost more than the span budget
        # holds, the clauses end at punctuation only
        allowed = share * (sum(len(x) + 20.0 for x in sents) + sum(len(x) + 20.0 for x in other))
        if sum(len(c) + 20.0 for p in pieces if len(p) > 1 for c in p) > allowed:
            pieces = [clauses(x) for x in sents]
    if all(len(p) < 2 for p in pieces):
        return None
    owner = np.array([k for k, p in enumerate(pieces) for _ in p], dtype=np.int64)
    texts = [c for p in pieces for c in p]
    base = _normalise(np.asarray(src_emb if coarse == 0 else tgt_emb, dtype=np.float32))
    vecs = base[owner].copy()
    split = np.array([len(pieces[k]) > 1 for k in owner])
    if split.any():
        vecs[split] = _normalise(np.asarray(encoder.encode([x for x, y in zip(texts, split, strict=True) if y]),
                                            dtype=np.float32))
    if share is not None:
        # the clauses' embeddings are paid from the span budget
        spent = sum(len(x) + 20.0 for x, y in zip(texts, split, strict=True) if y)
        chars = sum(len(x) + 20.0 for x in texts) + sum(len(x) + 20.0 for x in other)
        opts = {**opts, "span_budget": max(0.0, share - spent / chars)}
    # the clauses are what the clause-edge term stands in for when whole sentences are aligned
    opts = {**opts, "edge_weight": 0.0}
    # a boundary between two clauses of one sentence is a cut inside it (weak after a comma)
    cut = np.concatenate([[False], owner[1:] == owner[:-1]])
    if coarse == 0:
        inner = _align_parallel(texts, tgt, encoder, src_emb=vecs, tgt_emb=tgt_emb, src_cut=cut, **opts)
    else:
        inner = _align_parallel(src, texts, encoder, src_emb=src_emb, tgt_emb=vecs, tgt_cut=cut, **opts)
    sides = [(k.src, k.tgt) if coarse == 0 else (k.tgt, k.src) for k in inner]  # (clauses, finer side)
    weight = np.array([len(x) for x in texts], dtype=np.float64)
    links = [(a, b) if coarse == 0 else (b, a)
             for a, b in _sentences_of_clauses(sides, owner, weight, limit=auto_max_link(n, m))]
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    return _scored_links(links, s, t, [len(x) for x in src], [len(x) for x in tgt], float(opts["local"]),
                         int(opts["seed"]))


#: Most sentences in a row of the finer side left unlinked that :func:`absorb_additions` joins to
#: a neighbouring link (a longer run is a passage the translation added or left out).
_ABSORB_RUN = 2


def absorb_additions(links: list[Link], src: list[str], tgt: list[str], encoder: Encoder,
                     src_emb: np.ndarray, tgt_emb: np.ndarray, local: float, seed: int) -> list[Link]:
    """In a one-to-many document, join each run of at most ``_ABSORB_RUN`` sentences of the finer
    side that no link holds (a 0-1 link) to the neighbouring link, before or after it, that it
    fits better; links are otherwise unchanged.

    A translation that renders one sentence as several rarely adds a sentence of its own: an
    unlinked short sentence between two one-to-many links ("Little do you remember." after the
    sentence it ends) is the last of the link before it or the first of the link after it, and
    the search left it out because a short sentence barely moves a joined vector either way.
    Both joins are embedded as text (one encoder call for the whole document), and the run goes
    where adding it raises the link's cosine more (or lowers it less). A run with no link on
    either side next to it (the document's edge, or another unlinked stretch) stays unlinked, and
    so does one that would make a link longer than :func:`auto_max_link` allows.
    """
    n, m = len(src), len(tgt)
    fine = 1 if m > n else 0  # the side split finer: its unlinked sentences are the additions
    limit = auto_max_link(n, m)

    def side(k: Link) -> tuple[int, ...]:
        return k.tgt if fine == 1 else k.src

    def other(k: Link) -> tuple[int, ...]:
        return k.src if fine == 1 else k.tgt

    fine_text, coarse_text = (tgt, src) if fine == 1 else (src, tgt)
    runs: list[tuple[int, int]] = []  # (first, last) link positions of each run of additions
    k = 0
    while k < len(links):
        if not other(links[k]) and side(links[k]):
            e = k
            while e + 1 < len(links) and not other(links[e + 1]) and side(links[e + 1]):
                e += 1
            if sum(len(side(links[x])) for x in range(k, e + 1)) <= _ABSORB_RUN:
                runs.append((k, e))
            k = e + 1
        else:
            k += 1
    if not runs:
        return links

    def full(x: int) -> bool:
        return 0 <= x < len(links) and bool(links[x].src) and bool(links[x].tgt)

    texts: list[str] = []
    plans: list[tuple[int, int, list[int], int, int, int, int]] = []
    for b, e in runs:
        added = [i for x in range(b, e + 1) for i in side(links[x])]
        for nb, before in ((b - 1, True), (e + 1, False)):
            if not full(nb):
                continue
            own = list(side(links[nb]))
            if len(own) + len(added) > limit:  # never a link longer than the document allows
                continue
            grown = own + added if before else added + own
            base = len(texts)
            texts += [" ".join(coarse_text[i] for i in other(links[nb])), " ".join(fine_text[i] for i in own),
                      " ".join(fine_text[i] for i in grown)]
            plans.append((b, e, grown, nb, base, base + 1, base + 2))
    if not plans:
        return links
    vecs = _normalise(np.asarray(encoder.encode(texts), dtype=np.float32))
    best: dict[tuple[int, int], tuple[float, int, list[int]]] = {}
    for b, e, grown, nb, c, o, g in plans:
        gain = float(vecs[c] @ vecs[g] - vecs[c] @ vecs[o])
        if (b, e) not in best or gain > best[(b, e)][0]:
            best[(b, e)] = (gain, nb, grown)
    drop: set[int] = set()
    changed: dict[int, list[int]] = {}
    for (b, e), (_, nb, grown) in sorted(best.items()):
        if nb in drop or nb in changed:  # a link takes in one run only
            continue
        drop.update(range(b, e + 1))
        changed[nb] = grown
    pairs = []
    for x, link in enumerate(links):
        if x in drop:
            continue
        if x in changed:
            a, t = (link.src, tuple(changed[x])) if fine == 1 else (tuple(changed[x]), link.tgt)
            pairs.append((a, t))
        else:
            pairs.append((link.src, link.tgt))
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t_ = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    known = {(k.src, k.tgt): k for k in links}
    rescored = iter(_scored_links([p for p in pairs if p not in known], s, t_, [len(x) for x in src],
                                  [len(x) for x in tgt], local, seed))
    return [known[p] if p in known else next(rescored) for p in pairs]


#: Most skipped finer-side sentences in a row that a sentence's clause links take in (more is an
#: omission: the longest link :func:`auto_max_link` allows is 1-9).
_ABSORB_MAX = 8


def _sentences_of_clauses(sides: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], owner: np.ndarray,
                          weight: np.ndarray, limit: int | None = None) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Links of clauses (ids on the coarse side, ids on the finer side), in order, read back onto
    the sentences that ``owner`` (clause -> sentence) names; ``weight``: each clause's length;
    ``limit``: most sentences on either side of a link (None: any number).

    A link whose clauses belong to one sentence goes to it. A link across sentences goes to the
    sentences all of whose clauses are in it (two or more: one link of them, 2-x), or, when none
    is, to the sentence with most of its text: a sentence that has only its last clause there is
    not joined to the next one for it. A skipped sentence inside one sentence's links belongs to
    it; a sentence left with nothing is a 1-0 link. A sentence whose clause links hold more than
    ``limit`` sentences keeps the run of them with most of its text within the limit
    (:func:`_within_limit`); the other side's sentences of the others become 0-1 links.
    """
    count = np.bincount(owner)
    parent = list(range(len(count)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: list[list[int]] = []
    for cl, _ in sides:
        own = owner[list(cl)] if cl else np.zeros(0, np.int64)
        uniq = sorted({int(o) for o in own})
        if len(uniq) > 1:
            whole = [o for o in uniq if int((own == o).sum()) == count[o]]
            share = [float(weight[list(cl)][own == o].sum()) for o in uniq]
            uniq = whole or [uniq[int(np.argmax(share))]]
        for o in uniq[1:]:
            parent[find(o)] = find(uniq[0])
        members.append(uniq)
    group: list[int | None] = [find(mem[0]) if mem else None for mem in members]
    after: list[int | None] = [None] * len(group)  # the group of the next link that has one
    nxt: int | None = None
    for k in range(len(group) - 1, -1, -1):
        after[k] = nxt
        nxt = group[k] if group[k] is not None else nxt
    # the skipped sentences of each run of links without a group (a run longer than a link can be
    # is an omission, not part of a sentence)
    run = [0] * len(group)
    k = 0
    while k < len(group):
        if group[k] is None:
            e = k
            while e < len(group) and group[e] is None:
                e += 1
            size = sum(len(sides[x][1]) for x in range(k, e))
            run[k:e] = [size] * (e - k)
            k = e
        else:
            k += 1
    before: int | None = None
    for k, g in enumerate(group):  # a skipped sentence inside one sentence's links belongs to it
        if g is None and before is not None and before == after[k] and run[k] <= _ABSORB_MAX:
            group[k] = before
        before = group[k] if group[k] is not None else before
    runs: list[list[tuple[set[int], list[int], float]]] = []  # the links of each entry
    owner_of: list[int | None] = []
    last: int | None = None
    for (cl, fine), mem, g in zip(sides, members, group, strict=True):
        part = (set(mem), list(fine), float(weight[list(cl)].sum()) if cl else 0.0)
        if g is not None and g == last:
            runs[-1].append(part)
        else:
            runs.append([part])
            owner_of.append(g)
        last = g
    if limit is not None:
        runs, owner_of = _within_limit(runs, owner_of, limit)
    out = [({o for a, _, _ in run for o in a}, [y for _, b, _ in run for y in b]) for run in runs]
    mass = [sum(w for _, _, w in run) for run in runs]  # clause length of each entry
    # a sentence whose clause links an omission left apart (a run of skipped sentences too long to
    # take in) stays where most of its text was aligned; the other side's sentences linked to its
    # other clauses become 0-1 links
    best: dict[int, int] = {}
    for e, g in enumerate(owner_of):
        if g is not None and (g not in best or mass[e] > mass[best[g]]):
            best[g] = e
    if len(best) < sum(g is not None for g in owner_of):
        kept: list[tuple[set[int], list[int]]] = []
        for e, (a, b) in enumerate(out):
            g = owner_of[e]
            if g is None or best[g] == e:
                kept.append((a, b))
            else:
                kept += [(set(), [y]) for y in b]
        out = kept
    placed = {o for a, _ in out for o in a}
    missing = sorted(set(range(len(count))) - placed)  # sentences whose clauses all went elsewhere
    done: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for a, b in out:
        while a and missing and missing[0] < min(a):
            done.append(((missing.pop(0),), ()))
        done.append((tuple(sorted(a)), tuple(b)))
    return done + [((o,), ()) for o in missing]


def _within_limit(runs: list[list[tuple[set[int], list[int], float]]], owner_of: list[int | None],
                  limit: int) -> tuple[list[list[tuple[set[int], list[int], float]]], list[int | None]]:
    """Each entry of :func:`_sentences_of_clauses` (a run of clause links, each ``(sentences,
    finer side's sentences, clause length)``, read back onto one group of sentences) with at most
    ``limit`` sentences on either side: an entry over it keeps its consecutive links of most clause
    length within the limit, and the finer side's sentences of its other links become 0-1 links
    (a link of more sentences than the document allows is a search that ran on, not a translation)."""
    new_runs: list[list[tuple[set[int], list[int], float]]] = []
    new_owner: list[int | None] = []
    for run, g in zip(runs, owner_of, strict=True):
        if (len({o for a, _, _ in run for o in a}) <= limit and sum(len(b) for _, b, _ in run) <= limit):
            new_runs.append(run)
            new_owner.append(g)
            continue
        heaviest = max(range(len(run)), key=lambda x: run[x][2])
        best, lo, hi = -np.inf, heaviest, heaviest + 1  # no run fits: the heaviest link alone
        for a in range(len(run)):
            sents: set[int] = set()
            fine = 0
            w = 0.0
            for b in range(a, len(run)):
                sents |= run[b][0]
                fine += len(run[b][1])
                w += run[b][2]
                if len(sents) > limit or fine > limit:
                    break
                if w > best:
                    best, lo, hi = w, a, b + 1
        for x in range(len(run)):
            if x == lo:
                new_runs.append(run[lo:hi])
                new_owner.append(g)
            elif not lo <= x < hi:
                new_runs += [[(set(), [y], 0.0)] for y in run[x][1]]
                new_owner += [None] * len(run[x][1])
    return new_runs, new_owner


def _scored_links(links: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], s: np.ndarray, t: np.ndarray,
                  s_chars: Sequence[int], t_chars: Sequence[int], local: float, seed: int) -> list[Link]:
    """:class:`Link` objects for ``links`` with the score and features :func:`second_pass` gives
    (spans as length-weighted sums of the sentence vectors ``s`` (n, d), ``t`` (m, d))."""
    n, m = len(s), len(t)
    s_len, t_len = np.asarray(s_chars, dtype=np.float64), np.asarray(t_chars, dtype=np.float64)
    path, thr = first_pass(s, t, seed=seed)
    steps = np.diff(path, axis=0)
    calib = calibrate(s, t, s_len, t_len, path[1:][(steps == 1).all(axis=1)] - 1, seed, thr)
    s_mean, t_mean = calib.s_smp.mean(axis=0), calib.t_smp.mean(axis=0)
    ws, wt = s * (s_len + 1.0)[:, None].astype(np.float32), t * (t_len + 1.0)[:, None].astype(np.float32)
    out: list[Link] = []
    for a, b in links:
        if not a or not b:
            out.append(Link(a, b, 0.0, {}))
            continue
        sv, tv = _normalise(ws[list(a)].sum(axis=0)), _normalise(wt[list(b)].sum(axis=0))
        cos = float(sv @ tv)
        ravg = 0.5 * float(sv @ t_mean + tv @ s_mean)
        t_nb = [float(sv @ t[j]) for j in (b[0] - 1, b[-1] + 1) if 0 <= j < m]
        s_nb = [float(tv @ s[i]) for i in (a[0] - 1, a[-1] + 1) if 0 <= i < n]
        nb = 0.5 * (float(np.mean(t_nb)) if t_nb else 0.0) + 0.5 * (float(np.mean(s_nb)) if s_nb else 0.0)
        ls, lt = float(s_len[list(a)].sum()), float(t_len[list(b)].sum())
        lt_r = lt * calib.char_ratio
        factor = float(np.log2(1.0 + min(ls, lt_r) / max(ls, lt_r, 1e-9)))
        z = (np.log((ls + 10.0) / (lt + 10.0)) - calib.mu) / calib.sigma
        value = float((cos - local * nb - (1.0 - local) * ravg) * factor)
        feats = {"cosine": cos, "margin_local": cos - nb, "norm_cosine": cos - ravg, "length_z": float(z)}
        out.append(Link(a, b, round(value, 6), {k: round(v, 6) for k, v in feats.items()}))
    return out


def _align_parallel(
    src: list[str],
    tgt: list[str],
    encoder: Encoder | None,
    *,
    max_link: int | None,
    src_emb: np.ndarray | None,
    tgt_emb: np.ndarray | None,
    spans: str,
    band_width: int,
    context: int,
    local: float,
    skip_cost: float,
    skip_len: float,
    weak_bonus: float,
    len_penalty: float,
    len_free: float,
    keep_scraps_apart: bool,
    weak_hot: bool,
    span_budget: float | None,
    seed: int,
    edge_weight: float,
    finer_skip: float,
    src_cut: np.ndarray | None = None,
    tgt_cut: np.ndarray | None = None,
) -> list[Link]:
    # the search options as align_parallel passes them (the parts of a split document get the same)
    opts = {k: v for k, v in locals().items()
            if k not in ("src", "tgt", "encoder", "src_emb", "tgt_emb", "src_cut", "tgt_cut")}
    n, m = len(src), len(tgt)
    if spans not in ("auto", "encode", "sum"):
        raise ValueError(f"spans must be auto, encode or sum, not {spans!r}")
    finer = one_to_many(n, m)
    if max_link is None:  # from the document: the finer side may have long runs, the other not
        longest = auto_max_link(n, m)
        moves = link_types(longest if n > m else 4, longest if m > n else 4)
    else:
        moves = link_types(max_link)
    if n == 0 or m == 0:
        return [Link((i,), (), 0.0, {}) for i in range(n)] + [Link((), (j,), 0.0, {}) for j in range(m)]
    if src_emb is None or tgt_emb is None:
        if encoder is None:
            raise ValueError("align_parallel needs an encoder or both embeddings")
        src_emb = encoder.encode(src) if src_emb is None else src_emb
        tgt_emb = encoder.encode(tgt) if tgt_emb is None else tgt_emb
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    if s.shape[0] != n or t.shape[0] != m:
        raise ValueError(f"embeddings {s.shape} / {t.shape} do not match {n} / {m} sentences")
    s_len = np.array([len(x) for x in src], dtype=np.float64)
    t_len = np.array([len(x) for x in tgt], dtype=np.float64)
    path, thr = first_pass(s, t, seed=seed)
    gap = _long_gap(path)
    if gap is not None:
        return _split_at_gap(src, tgt, encoder, s, t, gap, opts, src_cut, tgt_cut)
    steps = np.diff(path, axis=0)
    anchors = path[1:][(steps == 1).all(axis=1)] - 1
    calib = calibrate(s, t, s_len, t_len, anchors, seed, thr)
    src_lengths = sorted({a for a, _ in moves})
    tgt_lengths = sorted({b for _, b in moves})
    band = band_from_path(path, n, m, max(band_width, 1))
    src_tail, tgt_tail = tails(src), tails(tgt)  # one pass each, shared by the three rules below
    s_weak, t_weak = weak_boundaries(src, src_tail, src_cut), weak_boundaries(tgt, tgt_tail, tgt_cut)
    s_scrap, t_scrap = (scraps(src, src_tail), scraps(tgt, tgt_tail)) if keep_scraps_apart else (None, None)
    s_tail, t_tail = (src_tail, tgt_tail) if keep_scraps_apart else (None, None)

    base = (_span_vectors(s, src_lengths, s_len + 1.0, None), _span_vectors(t, tgt_lengths, t_len + 1.0, None))
    reuse: dict[str, Any] = {}
    edges, edge_chars = None, 0.0
    if finer and edge_weight and encoder is not None and spans != "sum":
        edges, edge_chars = _edge_vectors(encoder, src, tgt, s, t, coarse=0 if n <= m else 1)

    def search(known_s: Known | None, known_t: Known | None) -> tuple[list[Move], Callable[[], list[Link]]]:
        """The chosen moves, and a function making their links (only the last search's are made)."""
        chosen, feats = second_pass(s, t, band, moves, s_len, t_len, calib, known_s, known_t,
                                    span_vecs=base, reuse=reuse,
                                    local=local, skip_cost=skip_cost * (1.0 + finer_skip * finer),
                                    skip_len=skip_len, weak_bonus=weak_bonus, len_penalty=len_penalty, len_free=len_free,
                                    s_weak=s_weak, t_weak=t_weak,
                                    s_scrap=s_scrap, t_scrap=t_scrap, s_tail=s_tail, t_tail=t_tail,
                                    edges=edges, edge_weight=edge_weight * finer)
        return chosen, lambda: _make_links(chosen, feats, band, moves)

    use_enc = spans != "sum" and encoder is not None and max(max(a, b) for a, b in moves) > 1
    if use_enc and spans == "encode":
        all_s, all_t = np.ones(n, bool), np.ones(m, bool)
        req_s = _spans_to_embed(all_s, src_lengths, 0, n)
        req_t = _spans_to_embed(all_t, tgt_lengths, 0, m)
        known_s, known_t = _encode_spans(encoder, src, tgt, req_s, req_t)  # type: ignore[arg-type]
        return search(known_s, known_t)[1]()
    chosen, links = search(None, None)
    if not use_enc:
        return links()
    # re-search the regions around links that are not 1-1 with real span embeddings
    hot_s, hot_t = _hot_sentences(chosen, n, m)
    cells = _moves_to_path(chosen)
    regions = _regions(chosen, context)
    per_region: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = []
    for k0, k1 in regions:
        (i0, j0), (i1, j1) = (int(x) for x in cells[k0]), (int(x) for x in cells[k1])
        rs_ = _spans_to_embed(hot_s, src_lengths, i0, i1)
        rt_ = _spans_to_embed(hot_t, tgt_lengths, j0, j1)
        if weak_hot:
            # two sentences across a weak boundary are likely one: embed the pair too
            rs_ += [(k - 1, k + 1) for k in range(i0 + 1, i1) if s_weak[k] and not hot_s[k - 1:k + 1].all()]
            rt_ += [(k - 1, k + 1) for k in range(j0 + 1, j1) if t_weak[k] and not hot_t[k - 1:k + 1].all()]
        per_region.append((rs_, rt_))
    req_s = [span for rs_, _ in per_region for span in rs_]
    req_t = [span for _, rt_ in per_region for span in rt_]
    if span_budget is not None:
        first_s, first_t = _link_spans(chosen)
        # one-to-many documents search longer links (and the clause edges): leave the search more
        # of the budget, so that end to end stays under 2x the time to embed each sentence once
        req_s, req_t = _within_budget(req_s, req_t, s_len, t_len, span_budget * (1.0 - _FINER_SEARCH * finer),
                                      first_s, first_t, spent=edge_chars)
    if not req_s and not req_t:
        return links()
    known_s, known_t = _encode_spans(encoder, src, tgt, req_s, req_t)  # type: ignore[arg-type]
    return search(known_s, known_t)[1]()


#: A run of the first pass's path this long along one side only (sentences with nothing on the
#: other side: an untranslated passage, or texts that are not translations) splits the document.
GAP_SPLIT = 64
#: Sentences of such a run left to the neighbouring parts at each end, for the search to settle
#: where the gap really starts and ends.
_GAP_MARGIN = 16


def _long_gap(path: np.ndarray, limit: int = GAP_SPLIT) -> tuple[int, int, int, int] | None:
    """The longest run of the path ``path`` (k, 2) along one side only, as ``(side, at, start, end)``
    (side 1: target sentences ``start..end`` skipped at source position ``at``; side 0: source
    sentences skipped at target position ``at``), when it is at least ``limit`` long; else None.

    The banded search gives every row the band width of its widest row, so one long run would make
    the whole document's band as wide as the run (time and memory grow with it)."""
    steps = np.diff(path, axis=0)
    best: tuple[int, int, int, int] | None = None
    for side in (0, 1):
        along = (steps[:, side] > 0) & (steps[:, 1 - side] == 0)  # moves on this side only
        if not along.any():
            continue
        edges = np.flatnonzero(np.diff(np.concatenate([[0], along.astype(np.int8), [0]])))
        for b, e in zip(edges[::2], edges[1::2], strict=True):
            start, end = int(path[b, side]), int(path[e, side])
            if end - start >= limit and (best is None or end - start > best[3] - best[2]):
                best = (side, int(path[b, 1 - side]), start, end)
    return best


def _split_at_gap(src: list[str], tgt: list[str], encoder: Encoder | None, s: np.ndarray, t: np.ndarray,
                  gap: tuple[int, int, int, int], opts: dict[str, Any],
                  src_cut: np.ndarray | None = None, tgt_cut: np.ndarray | None = None) -> list[Link]:
    """Align the two parts either side of a long gap separately (each may split again); the gap's
    middle becomes 1-0 / 0-1 links, :data:`_GAP_MARGIN` sentences at each end stay with the parts.
    ``src_cut``/``tgt_cut``: see :func:`weak_boundaries`."""
    side, at, start, end = gap
    lo, hi = start + _GAP_MARGIN, end - _GAP_MARGIN
    if side == 1:  # target sentences lo..hi have no source
        parts = ((0, at, 0, lo), (at, len(src), hi, len(tgt)))
        middle = [Link((), (j,), 0.0, {}) for j in range(lo, hi)]
    else:
        parts = ((0, lo, 0, at), (hi, len(src), at, len(tgt)))
        middle = [Link((i,), (), 0.0, {}) for i in range(lo, hi)]
    out: list[Link] = []
    for k, (a0, a1, b0, b1) in enumerate(parts):
        sub = _align_parallel(src[a0:a1], tgt[b0:b1], encoder, src_emb=s[a0:a1], tgt_emb=t[b0:b1],
                              src_cut=None if src_cut is None else src_cut[a0:a1],
                              tgt_cut=None if tgt_cut is None else tgt_cut[b0:b1], **opts)
        out += [replace(lk, src=tuple(i + a0 for i in lk.src), tgt=tuple(j + b0 for j in lk.tgt)) for lk in sub]
        if k == 0:
            out += middle
    return out


def _edge_vectors(encoder: Encoder, src: list[str], tgt: list[str], s: np.ndarray, t: np.ndarray,
                  coarse: int) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], float]:
    """Opening- and closing-clause vectors of the sentences of side ``coarse`` (0: source, 1:
    target; see :func:`clause_edges`), indexed by end position like span vectors: source heads and
    tails (n+1, d), target heads and tails (m+1, d). A sentence of one clause, and every sentence
    of the other side, is its own opening and closing clause. Also returns the characters
    embedded (+ 20 a text, the span budget's unit)."""
    pads = []
    for vecs in (s, t):
        pad = np.zeros((len(vecs) + 1, vecs.shape[1]), np.float32)
        pad[1:] = vecs
        pads += [pad, pad.copy()]
    texts: list[str] = []
    where: list[int] = []  # position (end index) of each head/tail pair
    for k, x in enumerate(src if coarse == 0 else tgt):
        ce = clause_edges(x)
        if ce is not None:
            texts += list(ce)
            where.append(k + 1)
    if texts:
        vecs = _normalise(np.asarray(encoder.encode(texts), dtype=np.float32))
        pos = np.array(where)
        pads[2 * coarse][pos] = vecs[0::2]
        pads[2 * coarse + 1][pos] = vecs[1::2]
    return (pads[0], pads[1], pads[2], pads[3]), float(sum(len(x) + 20.0 for x in texts))


_EVEN, _SPLIT = 1.25, 1.6  # sentence-count ratios: below the first, sides split alike; above the second, one finer
_FINER_SEARCH = 0.3  # share of the span budget left to the longer search of a one-to-many document


def one_to_many(n: int, m: int) -> float:
    """How much one side of an ``n`` x ``m`` document is split finer than the other, in [0, 1]:
    0 while the sentence counts are within 25% of each other (most links 1-1), 1 from 60% apart
    (one sentence of the coarser side is on average 1.6 or more of the finer side: one-to-many
    links are the rule), linear in the log ratio between."""
    if min(n, m) == 0:
        return 0.0
    ratio = abs(np.log(max(n, m) / min(n, m)))
    return float(np.clip((ratio - np.log(_EVEN)) / (np.log(_SPLIT) - np.log(_EVEN)), 0.0, 1.0))


def auto_max_link(n: int, m: int) -> int:
    """The largest link for an ``n`` x ``m`` document: 4 where both sides are split alike; where
    one side is split finer (:func:`one_to_many`), as long as the difference in sentence counts
    allows (one sentence against ``|n - m| + 1``), between 4 and 9."""
    if not one_to_many(n, m):
        return 4
    return int(np.clip(abs(n - m) + 1, 4, 9))


def explained_share(src: list[str], tgt: list[str], src_emb: np.ndarray, tgt_emb: np.ndarray,
                    seed: int = 0) -> float:
    """Share of the sentences of both sides that a monotonic alignment explains: aligned (sums of
    sentence vectors only, no encoder call) into a link whose normalised cosine beats the
    document's random-pair threshold (:func:`first_pass`). A translation, however free, is
    explained almost whole, one-to-many links included; comparable texts only where they share
    content in the same order."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return 0.0
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    with _single_thread_blas():
        _, thr = first_pass(s, t, seed=seed)
    links = align_parallel(src, tgt, None, src_emb=s, tgt_emb=t, spans="sum", seed=seed)
    hit = sum(len(k.src) + len(k.tgt) for k in links
              if k.src and k.tgt and k.features.get("norm_cosine", 0.0) > thr)
    return hit / (n + m)


def _link_spans(moves: Sequence[Move]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The (start, end) source and target spans of the links on the path ``moves``."""
    cells = _moves_to_path(moves)
    src = {(int(i), int(i) + a) for (i, _), (a, _) in zip(cells[:-1], moves, strict=True) if a > 1}
    tgt = {(int(j), int(j) + b) for (_, j), (_, b) in zip(cells[:-1], moves, strict=True) if b > 1}
    return src, tgt


def _within_budget(req_s: list[tuple[int, int]], req_t: list[tuple[int, int]], s_len: np.ndarray,
                   t_len: np.ndarray, budget: float, first_s: set[tuple[int, int]] | None = None,
                   first_t: set[tuple[int, int]] | None = None,
                   spent: float = 0.0) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Keep the spans of the links in ``first_s``/``first_t`` (the first search's), then the
    shortest spans, until their characters plus ``spent`` (texts already embedded for the search,
    counted as characters + 20 each) reach ``budget`` x the characters of all sentences
    (embedding time grows with text length), so the spans never cost more than that fraction of
    embedding every sentence once."""
    limit = budget * (s_len.sum() + t_len.sum() + 20.0 * (len(s_len) + len(t_len))) - spent
    s_cum = np.concatenate([[0.0], np.cumsum(s_len)])
    t_cum = np.concatenate([[0.0], np.cumsum(t_len)])
    first_s, first_t = first_s or set(), first_t or set()
    # the spans of links the first search chose come first: the re-search compares them with
    # their alternatives, and a chosen span left as a sum of vectors would be judged unevenly;
    # then, shortest first, the spans that share a sentence with one of those links (their
    # nearest alternatives), then the rest
    cov_s = np.zeros(len(s_len), np.int64)
    cov_t = np.zeros(len(t_len), np.int64)
    for b, e in first_s:
        cov_s[b:e] = 1
    for b, e in first_t:
        cov_t[b:e] = 1
    cum_s, cum_t = np.concatenate([[0], np.cumsum(cov_s)]), np.concatenate([[0], np.cumsum(cov_t)])
    items = [(int((b, e) not in first_s), e - b, int(cum_s[e] == cum_s[b]), 0, b, e, s_cum[e] - s_cum[b] + 20.0)
             for b, e in req_s]
    items += [(int((b, e) not in first_t), e - b, int(cum_t[e] == cum_t[b]), 1, b, e, t_cum[e] - t_cum[b] + 20.0)
              for b, e in req_t]
    items.sort()
    keep_s: list[tuple[int, int]] = []
    keep_t: list[tuple[int, int]] = []
    used = 0.0
    for _, _, _, side, b, e, cost in items:
        if used + cost > limit:
            break
        used += cost
        (keep_s if side == 0 else keep_t).append((b, e))
    return sorted(keep_s), sorted(keep_t)


def _encode_spans(encoder: Encoder, src: list[str], tgt: list[str], req_s: list[tuple[int, int]],
                  req_t: list[tuple[int, int]]) -> tuple[Known, Known]:
    """Embed the joined texts of source and target spans in one encoder call."""
    texts = [" ".join(src[b:e]) for b, e in req_s] + [" ".join(tgt[b:e]) for b, e in req_t]
    if not texts:
        return {}, {}
    vecs = _normalise(np.asarray(encoder.encode(texts), dtype=np.float32))
    known_s = {span: vecs[k] for k, span in enumerate(req_s)}
    known_t = {span: vecs[len(req_s) + k] for k, span in enumerate(req_t)}
    return known_s, known_t

