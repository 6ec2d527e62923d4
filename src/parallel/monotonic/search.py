"""One document's search: first pass, band, second pass, the spans re-searched with real
embeddings, and a split at a long untranslated passage.

:func:`one_to_many` and :func:`auto_max_link` read from the sentence counts how much finer one
side is split, and so the largest link and how much the search weighs a run of short sentences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..data import MAX_LINK_LIMIT, Link
from ..embed import Encoder
from ..normalize import length as chars
from .boundaries import clause_edges, scraps, tails, weak_boundaries
from .dp import Move, _moves_to_path, _normalise, band_from_path, link_types
from .first_pass import calibrate, first_pass
from .second_pass import _make_links, second_pass
from .spans import (
    Known,
    _encode_spans,
    _hot_sentences,
    _link_spans,
    _regions,
    _span_vectors,
    _spans_to_embed,
    _within_budget,
)


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
    src_out: np.ndarray | None = None,
    tgt_out: np.ndarray | None = None,
) -> list[Link]:
    # the search options as align_parallel passes them (the parts of a split document get the same)
    opts = {k: v for k, v in locals().items()
            if k not in ("src", "tgt", "encoder", "src_emb", "tgt_emb", "src_cut", "tgt_cut", "src_out", "tgt_out")}
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
    s_len = np.array([chars(x) for x in src], dtype=np.float64)
    t_len = np.array([chars(x) for x in tgt], dtype=np.float64)
    path, thr = first_pass(s, t, seed=seed)
    gap = _long_gap(path)
    if gap is not None:
        return _split_at_gap(src, tgt, encoder, s, t, gap, opts, src_cut, tgt_cut, src_out, tgt_out)
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
                                    edges=edges, edge_weight=edge_weight * finer, s_out=src_out, t_out=tgt_out)
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
                  src_cut: np.ndarray | None = None, tgt_cut: np.ndarray | None = None,
                  src_out: np.ndarray | None = None, tgt_out: np.ndarray | None = None) -> list[Link]:
    """Align the two parts either side of a long gap separately (each may split again); the gap's
    middle becomes 1-0 / 0-1 links, :data:`_GAP_MARGIN` sentences at each end stay with the parts.
    ``src_cut``/``tgt_cut``: see :func:`weak_boundaries`; ``src_out``/``tgt_out``: sentences left
    unlinked (:mod:`.foreign`)."""
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
                              tgt_cut=None if tgt_cut is None else tgt_cut[b0:b1],
                              src_out=None if src_out is None else src_out[a0:a1],
                              tgt_out=None if tgt_out is None else tgt_out[b0:b1], **opts)
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
    return (pads[0], pads[1], pads[2], pads[3]), float(sum(chars(x) + 20.0 for x in texts))


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
    allows (one sentence against ``|n - m| + 1``), between 4 and 9, and more where the finer side
    has over 4.5 sentences for each of the other's: twice that many, up to
    :data:`parallel.data.MAX_LINK_LIMIT` (a text given one paragraph a line against a translation
    one sentence a line: a sura's 10 paragraphs of 10 verses against 126 English sentences left 37
    of them unlinked at 9)."""
    if not one_to_many(n, m):
        return 4
    per = max(n, m) / max(1, min(n, m))
    return int(np.clip(abs(n - m) + 1, 4, max(9, min(MAX_LINK_LIMIT, math.ceil(2 * per)))))
