"""Step 3: the n-m search inside the band, and the links it makes.

See :func:`second_pass` for what a link is worth.
"""

from __future__ import annotations

from collections.abc import Sequence
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
