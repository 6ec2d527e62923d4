"""Step 3: the n-m search inside the band, and the links it makes.

See :func:`second_pass` for what a link is worth.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Link
from .dp import _NEG, Band, Move, _pair_rows, _pair_values, _rows_touching, banded_dp
from .first_pass import Calibration
from .spans import Known, _put_known, _span_vectors


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


class _Tables:
    """Dot products of span vectors over the band's cells, one table per key, kept for the next
    search over the same band (``reuse``): a second search recomputes only the rows its new known
    spans change (a source span of length a ending at e changes row e of the tables of length a;
    a target span of length b ending at e changes the cells whose column is e)."""

    def __init__(self, band: Band, reuse: dict[str, Any] | None) -> None:
        self.band = band
        self.prev = reuse if reuse is not None and reuse.get("band") is band else None
        self.tables: dict[tuple[str, int, int], np.ndarray] = {}
        self.none = np.zeros(0, dtype=np.int64)

    def __call__(self, key: tuple[str, int, int], row_vec: np.ndarray, col_vec: np.ndarray, left: int,
                 right: int, rows_changed: np.ndarray | None = None,
                 cols_changed: np.ndarray | None = None) -> np.ndarray:
        """(n+1, left + width + right): ``row_vec[i] . col_vec[lo[i] - left + x]`` (0 off the grid),
        both indexed by span end position like the band's cells."""
        band = self.band
        rows_changed = self.none if rows_changed is None else rows_changed
        cols_changed = self.none if cols_changed is None else cols_changed
        wide = Band(band.lo, left + band.width + right, band.m)
        old = self.prev["tables"].get(key) if self.prev is not None else None
        rows = self.none
        if old is not None:
            rows = np.union1d(rows_changed, _rows_touching(band.lo, left, wide.width, cols_changed))
        if old is None or len(rows) > len(band.lo) // 8:  # row by row costs more than all at once
            out = _pair_values(wide, row_vec, col_vec, left)
        else:
            out = old.copy()
            if len(rows):
                out[rows] = _pair_rows(wide, row_vec, col_vec, rows, left)
        self.tables[key] = out
        return out


@dataclass
class _Grid:
    """What the values of every link type are made from, indexed like the band's cells: row ``i``
    is the source span ending at ``i``, column ``x`` of row ``i`` the target span ending at
    ``lo[i] + x`` (``ccols``, clipped to ``m``)."""

    band: Band
    calib: Calibration
    sv: dict[int, np.ndarray]  # span vectors by span length, (n+1, d) indexed by end position
    tv: dict[int, np.ndarray]
    rs: dict[int, np.ndarray]  # each span's mean cosine with random sentences of the other side
    rt: dict[int, np.ndarray]
    s_cum: np.ndarray  # (n+1,) characters before each position
    t_cum: np.ndarray
    table: _Tables
    new_s: dict[int, np.ndarray]  # end positions of the known spans, by span length
    new_t: dict[int, np.ndarray]
    g_tab: dict[int, np.ndarray]  # source spans against target sentences around the band
    l_tab: dict[int, np.ndarray]  # target spans against source sentences around the band
    step: int
    max_b: int

    @property
    def n(self) -> int:
        return len(self.band.lo) - 1

    @property
    def m(self) -> int:
        return self.band.m

    @functools.cached_property
    def cols(self) -> np.ndarray:
        return self.band.cols()

    @functools.cached_property
    def ccols(self) -> np.ndarray:
        return np.asarray(np.minimum(self.cols, self.m))

    @functools.cached_property
    def rows(self) -> np.ndarray:
        return np.arange(self.n + 1)[:, None]


def _grid(s: np.ndarray, t: np.ndarray, band: Band, moves: Sequence[Move], s_len: np.ndarray,
          t_len: np.ndarray, calib: Calibration, known_s: Known | None, known_t: Known | None,
          span_vecs: tuple[dict[int, np.ndarray], dict[int, np.ndarray]] | None,
          reuse: dict[str, Any] | None) -> _Grid:
    """The span vectors of both sides (with the known spans' embeddings written in) and the tables
    every link type reads: each span's cosine with the sentences just outside the other span,
    one table per span length, shifted per link type."""
    n = len(s)
    src_lengths = sorted({a for a, _ in moves})
    tgt_lengths = sorted({b for _, b in moves})
    if span_vecs is None:
        sv = _span_vectors(s, src_lengths, s_len + 1.0, known_s)
        tv = _span_vectors(t, tgt_lengths, t_len + 1.0, known_t)
    else:  # sums computed once by the caller; the joined-text embeddings go in place
        sv, tv = span_vecs
        _put_known(sv, known_s)
        _put_known(tv, known_t)
    s_mean, t_mean = calib.s_smp.mean(axis=0), calib.t_smp.mean(axis=0)
    lo = band.lo
    max_a, max_b = max(src_lengths), max(tgt_lengths)
    step = int(np.max(np.diff(lo), initial=0))
    reach_up = int(np.max(lo - lo[np.maximum(np.arange(n + 1) - max_a, 0)], initial=0))
    new_s = {a: np.array(sorted({e for (b0, e) in (known_s or {}) if e - b0 == a}), dtype=np.int64)
             for a in src_lengths}
    new_t = {b: np.array(sorted({e for (b0, e) in (known_t or {}) if e - b0 == b}), dtype=np.int64)
             for b in tgt_lengths}
    table = _Tables(band, reuse)
    g_tab = {a: table(("g", a, 0), sv[a], tv[1], max_b, 1, new_s[a]) for a in src_lengths}
    l_tab = {b: table(("l", b, 0), sv[1], tv[b], step, reach_up, None, new_t[b]) for b in tgt_lengths}
    if reuse is not None:
        reuse.clear()
        reuse.update(band=band, tables=table.tables)
    return _Grid(band, calib, sv, tv, {k: v @ t_mean for k, v in sv.items()}, {k: v @ s_mean for k, v in tv.items()},
                 np.concatenate([[0.0], np.cumsum(s_len, dtype=np.float64)]),
                 np.concatenate([[0.0], np.cumsum(t_len, dtype=np.float64)]),
                 table, new_s, new_t, g_tab, l_tab, step, max_b)


def _neighbour_cosine(g: _Grid, a: int, b: int) -> np.ndarray:
    """(n+1, width): the mean cosine of the two spans of an (a, b) link with the sentences just
    outside the other span (Bertalign's local margin), each side's neighbours averaged over those
    that exist."""
    n, m, lo, width = g.n, g.m, g.band.lo, g.band.width
    rows, ccols, jj, row_i = g.rows, g.ccols, np.arange(width)[None, :], np.arange(n + 1)
    tl = g.g_tab[a][:, g.max_b - b: g.max_b - b + width]
    tr = g.g_tab[a][:, g.max_b + 1: g.max_b + 1 + width]
    lt_ = g.l_tab[b]
    r_l = np.maximum(row_i - a, 0)
    sl = np.take_along_axis(lt_[r_l], np.minimum(g.step + (lo - lo[r_l])[:, None] + jj, lt_.shape[1] - 1), axis=1)
    r_r = np.minimum(row_i + 1, n)
    sr = np.take_along_axis(lt_[r_r], np.clip(g.step + (lo - lo[r_r])[:, None] + jj, 0, lt_.shape[1] - 1), axis=1)
    t_nl = (ccols - b >= 1).astype(np.float64)
    t_nr = (np.arange(m + 1) < m)[ccols].astype(np.float64)
    s_nl = (rows - a >= 1).astype(np.float64)
    s_nr = (np.arange(n + 1) < n)[rows].astype(np.float64)
    t_nb = (tl * t_nl + tr * t_nr) / np.maximum(t_nl + t_nr, 1.0)
    s_nb = (sl * s_nl + sr * s_nr) / np.maximum(s_nl + s_nr, 1.0)
    return np.asarray(0.5 * (t_nb + s_nb))


def _edge_values(g: _Grid, a: int, b: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """(n+1, width), for a link of one sentence against several: how well the first of the several
    says what the one's opening clause says, and the last what its closing clause says (cosines
    normalised by random sentences)."""
    n, rows, ccols, rs, rt = g.n, g.rows, g.ccols, g.rs, g.rt
    s_pad, t_pad = g.sv[1], g.tv[1]
    s_head, s_tail, t_head, t_tail = edges
    if a == 1:
        first = g.table(("eh", a, b), s_head, t_pad, b - 1, 0)[:, :g.band.width]
        last = g.table(("et", a, b), s_tail, t_pad, 0, 0)
        rand = rs[1][:, None] + 0.5 * (rt[1][np.maximum(ccols - b + 1, 0)] + rt[1][ccols])
    else:
        first_rows = s_pad[np.maximum(np.arange(n + 1) - a + 1, 0)]
        first = g.table(("fh", a, b), first_rows, t_head, 0, 0)
        last = g.table(("ft", a, b), s_pad, t_tail, 0, 0)
        rand = rt[1][ccols] + 0.5 * (rs[1][np.maximum(rows - a + 1, 0)] + rs[1][:, None])
    return np.asarray(first + last - rand)


def _allowed(g: _Grid, a: int, b: int, join_s: tuple[np.ndarray, np.ndarray] | None,
             join_t: tuple[np.ndarray, np.ndarray] | None,
             out_s: np.ndarray | None = None, out_t: np.ndarray | None = None) -> np.ndarray:
    """(n+1, width) bool: the cells where an (a, b) link fits on the grid and holds no scrap, and
    no tail but as its last sentence (see :func:`_joinable`), and none of the sentences counted
    in ``out_s``/``out_t`` ((n+1,)/(m+1,) cumulative counts of the sentences that may only be
    left unlinked)."""
    rows, ccols = g.rows, g.ccols
    valid = (rows >= a) & (g.cols >= b) & (g.cols <= g.m)
    if out_s is not None:
        valid &= (out_s[rows] - out_s[np.maximum(rows - a, 0)] == 0)
    if out_t is not None:
        valid &= (out_t[ccols] - out_t[np.maximum(ccols - b, 0)] == 0)
    if join_s is not None and a > 1:
        inner, last_ok = join_s
        valid &= (inner[np.maximum(rows - 1, 0)] - inner[np.maximum(rows - a, 0)] == 0) & last_ok[rows]
    if join_t is not None and b > 1:
        inner, last_ok = join_t
        valid &= (inner[np.maximum(ccols - 1, 0)] - inner[np.maximum(ccols - b, 0)] == 0) & last_ok[ccols]
    return np.asarray(valid)


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
    s_out: np.ndarray | None = None,
    t_out: np.ndarray | None = None,
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
    opening and closing clause. ``s_out``/``t_out`` (n,)/(m,) bool: sentences that may only be
    left unlinked (untranslated lines in the other side's language, :mod:`.foreign`). Feature
    arrays have shape
    (len(moves) + 1, n+1, width).
    """
    n = len(s)
    g = _grid(s, t, band, moves, s_len, t_len, calib, known_s, known_t, span_vecs, reuse)
    shape = (len(moves) + 1, n + 1, band.width)
    values = np.full(shape, _NEG)
    feats = {name: np.zeros(shape) for name in ("cosine", "margin_local", "norm_cosine", "length_z")}
    join_s = _joinable(s_scrap, s_tail) if s_scrap is not None else None
    join_t = _joinable(t_scrap, t_tail) if t_scrap is not None else None
    out_s = None if s_out is None or not s_out.any() else np.concatenate([[0], np.cumsum(s_out)])
    out_t = None if t_out is None or not t_out.any() else np.concatenate([[0], np.cumsum(t_out)])
    weak_s = _weak_counts(s_weak, list(g.sv)) if s_weak is not None else {a: np.zeros(n + 1) for a in g.sv}
    weak_t = _weak_counts(t_weak, list(g.tv)) if t_weak is not None else {b: np.zeros(g.m + 1) for b in g.tv}
    for k, (a, b) in enumerate(moves):
        val, link_feats = _link_values(g, a, b, local=local, len_penalty=len_penalty, len_free=len_free,
                                       weak=weak_bonus * np.abs(weak_s[a][:, None] - weak_t[b][g.ccols])
                                       if weak_bonus else None,
                                       edges=edges if edge_weight and (a == 1) != (b == 1) else None,
                                       edge_weight=edge_weight)
        values[k] = np.where(_allowed(g, a, b, join_s, join_t, out_s, out_t), val, _NEG)
        for name, arr in link_feats.items():
            feats[name][k] = arr
    all_moves = [*moves, (1, 0)]
    s_skip = -skip_cost * np.minimum(1.0, (s_len + 1.0) / (calib.med_len + 1.0)) ** skip_len
    t_skip = -skip_cost * np.minimum(1.0, (t_len + 1.0) / (calib.med_len + 1.0)) ** skip_len
    values[-1] = np.concatenate([[_NEG], s_skip])[:, None] * np.ones((1, band.width))
    path = banded_dp(band, all_moves, values, t_skip)
    return path, {**feats, "value": values}


def _link_values(g: _Grid, a: int, b: int, *, local: float, len_penalty: float, len_free: float,
                 weak: np.ndarray | None, edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None,
                 edge_weight: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(n+1, width): the value of an (a, b) link ending at each cell (see :func:`second_pass`), and
    its features ``cosine``, ``norm_cosine``, ``margin_local``, ``length_z``. ``weak``: the weak
    boundary bonus of each cell, added; ``edges``: the clause vectors, for one sentence against
    several."""
    calib, rows, ccols = g.calib, g.rows, g.ccols
    cos = g.table(("c", a, b), g.sv[a], g.tv[b], 0, 0, g.new_s[a], g.new_t[b])
    ravg = 0.5 * (g.rs[a][:, None] + g.rt[b][ccols])
    ls = g.s_cum[rows] - g.s_cum[np.maximum(rows - a, 0)]
    lt = g.t_cum[ccols] - g.t_cum[np.maximum(ccols - b, 0)]
    z = (np.log((ls + 10.0) / (lt + 10.0)) - calib.mu) / calib.sigma
    nb = _neighbour_cosine(g, a, b)
    lt_r = lt * calib.char_ratio
    factor = np.log2(1.0 + np.minimum(ls, lt_r) / np.maximum(np.maximum(ls, lt_r), 1e-9))
    val = (cos - local * nb - (1.0 - local) * ravg) * factor
    if len_penalty and (a, b) == (1, 1):
        # Gale-Church-like: a length ratio far outside the document's spread of 1-1 anchors
        # is unlikely for a translation, whatever the cosine says
        gz = (lt_r - ls) / np.sqrt(calib.gc_var * np.maximum(0.5 * (ls + lt_r), 1.0))
        val = val - len_penalty * np.maximum(np.abs(gz) - len_free, 0.0) ** 2
    if weak is not None:
        val = val + weak
    if edges is not None:
        # one sentence against several: the first of the several should say what the one's
        # opening clause says, the last what its closing clause says (normalised cosines)
        val = val + edge_weight * _edge_values(g, a, b, edges)
    return val, {"cosine": cos, "norm_cosine": cos - ravg, "margin_local": cos - nb, "length_z": z}



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
