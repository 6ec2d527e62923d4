"""Step 1: the 1-1/skip path over sentence vectors, and what the second pass calibrates on it.

:func:`first_pass` searches coarse-to-fine (Vecalign): the vectors are summed pairwise until the
grid is small, a full DP runs there and each finer level searches only a band around the
projected path. A 1-1 link is worth its normalised cosine minus a threshold calibrated on pairs
that cannot be translations (:func:`_random_threshold`), so no per-corpus tuning. Time and
memory are linear. :func:`calibrate` reads the document's length ratio and spread from the
path's 1-1 anchors (:class:`Calibration`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from .dp import (
    _NEG,
    Band,
    _moves_to_path,
    _normalise,
    _pair_values,
    _sample,
    band_from_path,
    banded_dp,
    full_band,
)

_FULL_DP_CELLS = 600_000  # grids up to this size get a full DP at the coarsest level
_COARSE_WIDTH = 6  # band half-width of the coarse-to-fine 1-1 search ...
#: ... doubled, up to this, while the path found runs along the band's edge (:func:`first_pass`)
_MAX_COARSE_WIDTH = 48
_SAMPLE = 48  # random other-side sentences for the cosine normaliser


def _downsample(x: np.ndarray) -> np.ndarray:
    """(n, d) -> (ceil(n/2), d): normalised sums of consecutive pairs."""
    n = len(x)
    if n % 2:
        x = np.vstack([x, np.zeros((1, x.shape[1]), dtype=x.dtype)])
    return _normalise(x[0::2] + x[1::2])


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
#: Spread (standard deviation) of USE-m3's normalised cosine between sentences that are no
#: translations, the scale :data:`_THR_PRIOR` is on: 0.078-0.097 on the ten NTREX documents and
#: Text+Berg (0.087 median). Another encoder spreads them otherwise (e5-small 0.012-0.021), and for
#: it the prior is taken on the document's own scale (:func:`prior_scale_for`). Not for USE-m3
#: itself: its spread is its own wherever the translation is free (unrelated sentences stay
#: unrelated), and auto mode's bars were measured with the fixed prior.
_PRIOR_SPREAD = 0.087
#: Whether the prior is taken on the document's own scale: set by :func:`prior_scale_for` for the
#: encoder the alignment uses (not USE-m3 or a combination led by it).
_OWN_SCALE: ContextVar[bool] = ContextVar("own_scale", default=False)


@contextmanager
def prior_scale_for(encoder: Any) -> Iterator[None]:
    """Within it, the random-pair threshold's prior is on ``encoder``'s scale: USE-m3's
    :data:`_THR_PRIOR` for USE-m3 (and a combination or a view of it whose name starts with it),
    else :data:`_THR_PRIOR` times the document's spread of non-translation pairs over USE-m3's
    (:data:`_PRIOR_SPREAD`). ``encoder`` None (embeddings given without their encoder, as auto
    mode's order tests give them): the setting around the call stays."""
    if encoder is None:
        yield
        return
    name = str(getattr(encoder, "name", "") or "")
    token = _OWN_SCALE.set(name.split("+")[0] != "use-m3")
    try:
        yield
    finally:
        _OWN_SCALE.reset(token)


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
    # the prior on this encoder's scale: e5-small's non-translations spread five times less than
    # USE-m3's, and USE-m3's 0.2 put every 1-1 link of a 16-sentence document under the bar
    own = _OWN_SCALE.get() and off.size > 1
    prior = _THR_PRIOR * float(off.std()) / _PRIOR_SPREAD if own else _THR_PRIOR
    return float((off.size * est + _THR_PRIOR_WEIGHT * prior) / (off.size + _THR_PRIOR_WEIGHT))


def first_pass(s: np.ndarray, t: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, float]:
    """Monotonic 1-1/skip path over sentence vectors ``s`` (n, d), ``t`` (m, d), coarse-to-fine.

    Returns the path as (k, 2) grid cells from (0, 0) to (n, m), and the random-pair threshold
    of the finest level.
    """
    n, m = len(s), len(t)
    if (n + 1) * (m + 1) <= _FULL_DP_CELLS or min(n, m) < 8:
        return _best_path(full_band(n, m), s, t, seed)
    coarse, _ = first_pass(_downsample(s), _downsample(t), seed=seed)
    path = np.minimum(coarse * 2, [n, m])
    width = _COARSE_WIDTH
    while True:
        band = band_from_path(path, n, m, width)
        path, thr = _best_path(band, s, t, seed)
        # a path that runs along the band's edge was held there: the best one lies outside
        # (a stretch split finer on one side than the rest drifts further from the coarse
        # projection than the band allows); search again around it, twice as wide
        if width >= _MAX_COARSE_WIDTH or not _at_edge(path, band):
            return path, thr
        width *= 2


def _best_path(band: Band, s: np.ndarray, t: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    values, thr = _one_to_one_values(band, s, t, seed)
    moves = banded_dp(band, [(1, 1), (1, 0)], np.concatenate([values, np.zeros_like(values)]), 0.0)
    return _moves_to_path(moves), thr


def _at_edge(path: np.ndarray, band: Band) -> bool:
    """Whether ``path`` (k, 2) touches an edge of ``band`` that is not the grid's own."""
    i, j = path[:, 0], path[:, 1]
    lo = band.lo[i]
    hi = lo + band.width - 1
    return bool(np.any(((j == lo) & (lo > 0)) | ((j == hi) & (hi < band.m))))


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
