"""Vectors for multi-sentence spans, and which spans are worth embedding as joined text.

:func:`_span_vectors` makes length-weighted sums of sentence vectors (no encoder call), with
the spans already embedded (``Known``) written in; after a first search, :func:`_hot_sentences`,
:func:`_regions` and :func:`_spans_to_embed` choose the spans around links that are not 1-1,
:func:`_within_budget` keeps them within a share of the cost of embedding each sentence once,
and :func:`_encode_spans` embeds them in one encoder call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed import Encoder
from .dp import Move, _moves_to_path, _normalise

Known = dict[tuple[int, int], np.ndarray]  # (start, end) of a span -> embedding of its joined text


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


def _put_known(vecs: dict[int, np.ndarray], known: Known | None) -> None:
    """Write the embeddings of joined texts into span vectors ``vecs`` (see :func:`_span_vectors`)."""
    for (b, e), v in (known or {}).items():
        if e - b in vecs and e - b > 1:
            vecs[e - b][e] = v


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
