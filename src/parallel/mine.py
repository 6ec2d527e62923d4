"""Non-monotonic bitext mining for comparable texts, and the choice between the two modes.

Scoring follows Artetxe & Schwenk (2019, "Margin-based parallel corpus mining with multilingual
sentence embeddings"): the cosine of a pair is compared with the mean cosine of each side's ``k``
nearest neighbours in the other document,

* ``distance`` margin: ``cos(x, y) - (knn_x + knn_y) / 2`` (the default; stable for short
  sentences whose neighbours are all far away),
* ``ratio`` margin: ``cos(x, y) / ((knn_x + knn_y) / 2)`` (always reported as ``margin``).

Candidates are each sentence's best partner by margin: ``intersect`` keeps mutual best pairs
(default), ``forward``/``backward`` the best of each source/target sentence, ``union`` both.

**Threshold without tuning.** The second-best margin of every row and column is a sample of what a
sentence's *best* score looks like when its real partner is not there (it is the maximum over the
remaining, unrelated sentences). Its mean and standard deviation, measured in the documents at
hand, give a null distribution; a candidate is kept when its margin lies ``z_min`` standard
deviations above the null mean (default 2.75, i.e. an expected false-positive rate of 0.3% per
candidate under a normal null). For tiny documents the null estimate is shrunk towards a prior
(:data:`PRIOR_NULL`) with the weight of a few pseudo-samples, so a 2 x 2 input still gets a sane
threshold. A second bar guards against documents with nothing in common, where every candidate is
noise and the second-best null is too narrow: the same mining is run against the target rotated
at random (a fixed-seed signed permutation of the dimensions, which keeps each side's geometry but
breaks any correspondence), a Gumbel law is fitted to the mutual-best margins it produces, and the
threshold is raised to the margin the best of them passes with probability :data:`NOISE_ALPHA`
(0.05 expected false pairs per document pair). On real documents the first bar is the higher one.
(Distance margin only: the ratio margin of near-orthogonal rotated pairs divides by about 0.)
``Link.score`` is the distance margin; ``Link.features`` carries ``cosine``, ``margin`` (ratio),
``margin_distance``, ``z`` (standardised against the null) and ``p_value`` (normal upper tail of
``z``); 2-1 links add ``join_gain`` and ``join_z``.

**2-1 / 1-2 links.** A sentence left unmatched whose best partner is already in a 1-1 link joins
that link when (a) its own margin to that partner is at least ``z_join`` null standard deviations
above the null mean (default 0: a weak bar), (b) the
concatenation of both sentences is closer to the partner than the linked sentence alone (the two
sentences each carry part of its content) and (c), when the texts are given, the lengths of the
joined link agree better than before and within Gale & Church's 1% bound (a sentence only joins a
side that was too short for its partner, and not by far too much). Concatenations are embedded with the encoder when one
is given, else approximated by the normalised sum of the two embeddings.

Memory stays linear in the document lengths: the similarity matrix is processed in row blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .confidence import DEFAULT_MIN_P
from .data import Link
from .errors import InputError

SELECTIONS = ("intersect", "forward", "backward", "union")
MARGINS = ("distance", "ratio")

#: Null distribution assumed before seeing any data: mean and standard deviation of the
#: second-best distance margin within a document (averaged over the NTREX Arabic-English
#: comparable documents with use-m3), the mean and standard deviation of cosines of unrelated
#: sentence pairs (used only for 1 x 1 input), and the weight of the prior in pseudo-samples.
PRIOR_NULL = {"mean": -0.04, "sd": 0.055, "cos_mean": 0.15, "cos_sd": 0.12, "weight": 6.0}
#: The same for the ratio margin.
PRIOR_NULL_RATIO = {"mean": 0.88, "sd": 0.15, "cos_mean": 0.15, "cos_sd": 0.12, "weight": 6.0}

#: Extreme-value spacing correction of the null mean (see :func:`calibrate_null`; off).
SPACING_FACTOR = 0.0

#: Expected number of pairs mined between two documents with nothing in common (the bar set by
#: the rotation null, see :func:`rotation_null`).
NOISE_ALPHA = 0.05

_BLOCK_CELLS = 4_000_000  # similarity cells computed at once (16 MB of float32)


# ----------------------------------------------------------------------------- margin scoring

def _topk_mean(block: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Mean of the ``k`` largest values of ``block`` along ``axis``."""
    k = max(1, min(k, block.shape[axis]))
    if k == block.shape[axis]:
        return np.asarray(block.mean(axis=axis))
    part = -np.partition(-block, k - 1, axis=axis)
    return np.asarray(part.take(range(k), axis=axis).mean(axis=axis))


def _row_blocks(n: int, m: int) -> list[tuple[int, int]]:
    step = max(1, _BLOCK_CELLS // max(m, 1))
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def knn_means(src_emb: np.ndarray, tgt_emb: np.ndarray, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Mean cosine of the ``k`` nearest neighbours: ``(fwd (n,), bwd (m,))``.

    ``fwd[i]`` averages the ``k`` best cosines of source ``i`` against all targets, ``bwd[j]`` of
    target ``j`` against all sources. Computed blockwise (memory O((n + m) k)).
    """
    n, m = len(src_emb), len(tgt_emb)
    fwd = np.zeros(n, dtype=np.float64)
    kc = max(1, min(k, n))
    col_top = np.full((0, m), -np.inf, dtype=np.float32)
    for a, b in _row_blocks(n, m):
        sim = src_emb[a:b] @ tgt_emb.T
        fwd[a:b] = _topk_mean(sim, k, 1)
        stack = np.concatenate([col_top, sim], axis=0)
        if len(stack) > kc:
            stack = -np.partition(-stack, kc - 1, axis=0)[:kc]
        col_top = stack
    bwd = col_top.mean(axis=0).astype(np.float64) if m else np.zeros(0)
    return fwd, bwd


def margin_of(sim: np.ndarray, a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Margin of cosines ``sim`` given k-NN means ``a`` and ``b`` already shaped to broadcast
    against it: distance ``sim - (a + b) / 2``, ratio ``sim / ((a + b) / 2)``."""
    denom = (a + b) / 2
    if kind == "ratio":
        return np.asarray(sim / np.where(np.abs(denom) < 1e-6, 1e-6, denom))
    return np.asarray(sim - denom)


def _margin(sim: np.ndarray, fwd: np.ndarray, bwd: np.ndarray, kind: str) -> np.ndarray:
    """:func:`margin_of` for a block of rows ``fwd`` (r,) by columns ``bwd`` (c,)."""
    return margin_of(sim, fwd[:, None], bwd[None, :], kind)


def margin_matrix(src_emb: np.ndarray, tgt_emb: np.ndarray, k: int = 4,
                  kind: str = "ratio") -> tuple[np.ndarray, np.ndarray]:
    """Full cosine matrix and margin matrix, both ``(n, m)`` (for small inputs and inspection)."""
    sim = np.asarray(src_emb @ tgt_emb.T, dtype=np.float64)
    if sim.size == 0:
        return sim, sim.copy()
    fwd, bwd = knn_means(src_emb, tgt_emb, k)
    return sim, _margin(sim, fwd, bwd, kind)


@dataclass(frozen=True)
class _Best:
    """Best partner and the three best margins of every row and column."""

    row_arg: np.ndarray  # (n,) best target of each source
    row_top: np.ndarray  # (n, 3) best, second and third margin, nan where m is too small
    col_arg: np.ndarray  # (m,) best source of each target
    col_top: np.ndarray  # (m, 3)


def _top3(values: np.ndarray, axis: int) -> np.ndarray:
    """The three largest values along ``axis``, descending, padded with nan: (other, 3)."""
    vals = np.moveaxis(values, axis, -1)
    t = min(3, vals.shape[-1])
    if vals.shape[-1] > t:
        vals = -np.partition(-vals, t - 1, axis=-1)[..., :t]
    top = -np.sort(-vals, axis=-1)
    if t < 3:
        pad = np.full((*top.shape[:-1], 3 - t), np.nan)
        top = np.concatenate([top, pad], axis=-1)
    return np.asarray(top, dtype=np.float64)


def _best_two(src_emb: np.ndarray, tgt_emb: np.ndarray, fwd: np.ndarray, bwd: np.ndarray,
              kind: str) -> _Best:
    n, m = len(src_emb), len(tgt_emb)
    row_arg = np.zeros(n, dtype=np.int64)
    row_top = np.full((n, 3), np.nan)
    col_arg = np.zeros(m, dtype=np.int64)
    col_best = np.full(m, -np.inf)
    col_run = np.full((0, m), -np.inf)
    for a, b in _row_blocks(n, m):
        mar = _margin(np.asarray(src_emb[a:b] @ tgt_emb.T, dtype=np.float64), fwd[a:b], bwd, kind)
        row_arg[a:b] = mar.argmax(axis=1)
        row_top[a:b] = _top3(mar, 1)
        carg = mar.argmax(axis=0)
        cbest = mar[carg, np.arange(m)]
        better = cbest > col_best
        col_arg = np.where(better, carg + a, col_arg)
        col_best = np.where(better, cbest, col_best)
        col_run = _top3(np.concatenate([col_run, mar], axis=0), 0).T
        col_run = np.where(np.isnan(col_run), -np.inf, col_run)
    col_top = np.where(np.isfinite(col_run.T), col_run.T, np.nan)
    if col_top.shape[1] < 3:
        col_top = np.concatenate([col_top, np.full((m, 3 - col_top.shape[1]), np.nan)], axis=1)
    return _Best(row_arg, row_top, col_arg, col_top)


# ----------------------------------------------------------------------------- null calibration

@dataclass(frozen=True)
class Null:
    """Null distribution of a best-candidate margin for sentences without a counterpart."""

    mean: float
    sd: float
    samples: int

    def z(self, value: float) -> float:
        return (value - self.mean) / self.sd

    def threshold(self, z_min: float) -> float:
        return self.mean + z_min * self.sd


def calibrate_null(top: np.ndarray, prior: dict[str, float] | None = None,
                   spacing: float = SPACING_FACTOR) -> Null:
    """Null of a best-candidate margin from the best three margins of each row/column (r, 3).

    The second-best margins sample the maximum over unrelated sentences when the best is a real
    partner; their mean and standard deviation are the null. (When a sentence has no partner its
    best is that maximum and its second best the runner-up, one extreme-value spacing lower;
    ``spacing`` times the mean gap between second and third best can be added to the mean to
    correct for it. Measured on NTREX, any correction costs recall on real documents, so the
    default is 0 and :func:`rotation_null` handles the pure-noise case instead.) The estimate is
    shrunk towards ``prior`` when there are few rows and columns.
    """
    p = PRIOR_NULL if prior is None else prior
    second = top[:, 1] if top.size else np.zeros(0)
    ok = np.isfinite(second)
    vals = second[ok]
    w = float(p["weight"])
    s = len(vals)
    if s == 0:
        return Null(float(p["mean"]), float(p["sd"]), 0)
    gaps = (top[:, 1] - top[:, 2])[ok & np.isfinite(top[:, 2])] if top.shape[1] > 2 else np.zeros(0)
    shift = spacing * float(gaps.mean()) if len(gaps) else 0.0
    mu_s = float(vals.mean()) + shift
    var_s = float(vals.var())
    mu = (s * mu_s + w * p["mean"]) / (s + w)
    # pooled variance: within-sample spread + prior spread + disagreement of the means
    var = (s * var_s + w * p["sd"] ** 2 + s * w / (s + w) * (mu_s - p["mean"]) ** 2) / (s + w)
    return Null(float(mu), max(math.sqrt(float(var)), 1e-4), s)


def rotation_null(src_emb: np.ndarray, tgt_emb: np.ndarray, k: int, kind: str, *,
                  seed: int = 0, min_samples: int = 200, max_rotations: int = 20,
                  max_side: int = 8000) -> tuple[np.ndarray, int]:
    """Margins of mutual-best pairs between ``src_emb`` and randomly rotated ``tgt_emb``.

    A random rotation (here a signed permutation of the dimensions) keeps each side's own geometry but destroys any correspondence between
    the two, so these are the scores mining gives documents with nothing in common. Small inputs
    are rotated several times (fixed seed) until ``min_samples`` values are collected; sides
    longer than ``max_side`` are subsampled. Returns ``(values (s,), rotations)``.
    """
    rng = np.random.default_rng(seed)
    d = tgt_emb.shape[1]
    src = src_emb
    tgt0 = tgt_emb
    if len(src) > max_side:
        src = src[np.sort(rng.choice(len(src), max_side, replace=False))]
    if len(tgt0) > max_side:
        tgt0 = tgt0[np.sort(rng.choice(len(tgt0), max_side, replace=False))]
    values: list[np.ndarray] = []
    rotations = 0
    while rotations < max_rotations and sum(len(v) for v in values) < min_samples:
        # a random signed permutation of the dimensions: an orthogonal map that is cheap to draw
        perm = rng.permutation(d)
        signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=d)
        tgt = np.ascontiguousarray(tgt0[:, perm] * signs, dtype=np.float32)
        fwd, bwd = knn_means(src, tgt, k)
        best = _best_two(src, tgt, fwd, bwd, kind)
        mutual = best.col_arg[best.row_arg] == np.arange(len(src))
        values.append(np.asarray(best.row_top[mutual, 0]))
        rotations += 1
    return np.concatenate(values) if values else np.zeros(0), rotations


def noise_threshold(values: np.ndarray, per_document: float, alpha: float = NOISE_ALPHA) -> float:
    """Margin passed with probability ``alpha`` by the best of ``per_document`` null pairs.

    ``values`` are null mutual-best margins (maxima, so a Gumbel law fitted by moments);
    -inf when there are fewer than 3 values.
    """
    if len(values) < 3:
        return -math.inf
    beta = max(float(values.std()), 1e-6) * math.sqrt(6) / math.pi
    mu = float(values.mean()) - 0.5772156649 * beta
    tail = alpha / max(per_document, 1.0)
    return mu - beta * math.log(-math.log1p(-tail))


def _p_value(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


# ----------------------------------------------------------------------------- mining

@dataclass(frozen=True)
class MineResult:
    """Mined links plus how they were chosen.

    ``links`` are sorted by their first source id; ``candidates`` are the 1-1 candidates before
    the threshold as ``(i, j, distance_margin)``; ``null``/``threshold`` describe the calibration.
    """

    links: list[Link]
    candidates: list[tuple[int, int, float]]
    null: Null
    threshold: float
    z_min: float
    info: dict[str, Any] = field(default_factory=dict)


SpanEncoder = Callable[[list[str]], np.ndarray]


def _join_embeddings(emb: np.ndarray, spans: Sequence[tuple[int, int]], texts: Sequence[str] | None,
                     encode: SpanEncoder | None) -> np.ndarray:
    """Embeddings (len(spans), d) of sentence pairs joined in document order, L2-normalised.

    With ``texts`` and ``encode`` the joined texts are embedded (one batch); otherwise the sum of
    the two sentence embeddings stands in for the embedding of their concatenation.
    """
    if not spans:
        return np.zeros((0, emb.shape[1]), dtype=np.float64)
    ordered = [tuple(sorted(sp)) for sp in spans]
    if encode is not None and texts is not None:
        vecs = np.asarray(encode([f"{texts[a]} {texts[b]}" for a, b in ordered]), dtype=np.float64)
    else:
        vecs = np.asarray(emb[[a for a, _ in ordered]], dtype=np.float64) + emb[[b for _, b in ordered]]
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.asarray(vecs / np.maximum(norms, 1e-12))


def _length_check(groups: Sequence[tuple[list[int], list[int], float, dict[str, float]]],
                  src_sents: Sequence[str] | None, tgt_sents: Sequence[str] | None,
                  max_delta: float = 2.58) -> Callable[[str, int, int, int], bool]:
    """Test that a second sentence makes a link's lengths agree better (Gale & Church 1993).

    ``delta = (len_tgt - c * len_src) / sqrt(len_src * 6.8)`` in characters, with ``c`` the usual
    target/source length ratio: the median over the 1-1 links found, or the ratio of the
    documents' total lengths when there is only one (the link a join would extend cannot be its
    own reference; and comparable documents need not say the same amount, so their total lengths
    are a worse estimate than two translated pairs). A join must shrink ``|delta|`` and
    leave it within ``max_delta`` (two-sided 1% under Gale & Church's normal model). Without
    texts every join passes.
    """
    if src_sents is None or tgt_sents is None:
        return lambda side, new, partner, kept: True
    src_len = [max(len(t), 1) for t in src_sents]
    tgt_len = [max(len(t), 1) for t in tgt_sents]
    logs = [math.log(tgt_len[g[1][0]] / src_len[g[0][0]]) for g in groups]
    c = math.exp(float(np.median(logs))) if len(logs) >= 2 else sum(tgt_len) / sum(src_len)

    def delta(ls: int, lt: int) -> float:
        return (lt - c * ls) / math.sqrt(ls * 6.8)

    def check(side: str, new: int, partner: int, kept: int) -> bool:
        if side == "src":
            before = delta(src_len[kept], tgt_len[partner])
            after = delta(src_len[kept] + 1 + src_len[new], tgt_len[partner])
        else:
            before = delta(src_len[partner], tgt_len[kept])
            after = delta(src_len[partner], tgt_len[kept] + 1 + tgt_len[new])
        return abs(after) < abs(before) and abs(after) <= max_delta

    return check


def mine_detailed(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    *,
    k: int = 4,
    margin: str = "distance",
    select: str = "intersect",
    z_min: float = 2.75,
    z_join: float = 0.0,
    threshold: float | None = None,
    max_link: int = 2,
    src_sents: Sequence[str] | None = None,
    tgt_sents: Sequence[str] | None = None,
    encode: SpanEncoder | None = None,
    spacing: float = SPACING_FACTOR,
    noise_null: bool = True,
    min_p: float | None = DEFAULT_MIN_P,
    encoder: Any = None,
) -> MineResult:
    """Mine translation pairs between ``src_emb`` (n, d) and ``tgt_emb`` (m, d), rows L2-normalised.

    By default 1-1 pairs are kept by their calibrated probability ``p`` (:mod:`parallel.confidence`):
    mutual best pairs with ``p >= min_p``, in rounds, completed by a one-to-one assignment on texts
    that are sentence-for-sentence (:func:`parallel.confidence.select`). ``min_p=None``, an explicit ``threshold`` (in margin units) or a
    ``select`` other than ``intersect`` fall back to the margin threshold (``z_min``).
    ``encoder`` (the encoder object, optional) picks the confidence model fitted for it and gives
    each member's cosine for a combination. ``max_link`` 1 disables 2-1 and
    1-2 links; ``src_sents``/``tgt_sents`` with ``encode`` (texts -> (t, d) array) embed the
    concatenations tested for 2-1 links exactly instead of approximating them.
    """
    if margin not in MARGINS:
        raise InputError(f"unknown margin {margin!r}; choose from {', '.join(MARGINS)}")
    if select not in SELECTIONS:
        raise InputError(f"unknown candidate selection {select!r}; choose from {', '.join(SELECTIONS)}")
    from .embed import vector_pair

    src_emb, tgt_emb = vector_pair(src_emb, tgt_emb, always=False)
    n, m = len(src_emb), len(tgt_emb)
    if n == 0 or m == 0:
        null = calibrate_null(np.zeros((0, 3)))
        return MineResult([], [], null, null.threshold(z_min), z_min)

    fwd, bwd = knn_means(src_emb, tgt_emb, k)
    best = _best_two(src_emb, tgt_emb, fwd, bwd, margin)
    single = n == 1 and m == 1
    sc = _Scorer(src_emb, tgt_emb, fwd, bwd, margin, *_null_of(best, margin, single, spacing))
    thr = sc.null.threshold(z_min) if threshold is None else float(threshold)
    noise_thr = -math.inf
    # (the ratio margin of rotated, near-orthogonal pairs divides by ~0: no usable noise bar)
    if threshold is None and noise_null and not sc.by_cosine and margin == "distance":
        values, rotations = rotation_null(src_emb, tgt_emb, k, margin)
        noise_thr = noise_threshold(values, len(values) / max(rotations, 1))
        thr = max(thr, noise_thr)
    candidates = sorted((i, j, sc.score(i, j)) for i, j in _candidate_pairs(best, select))

    by_p = min_p is not None and threshold is None and select == "intersect" and not single
    probs: dict[tuple[int, int], float] = {}
    if by_p:
        from . import confidence

        model = confidence.load_model(confidence.encoder_name(encoder))
        s_txt = list(src_sents) if src_sents is not None else [""] * n
        t_txt = list(tgt_sents) if tgt_sents is not None else [""] * m
        chosen, _ = confidence.select(src_emb, tgt_emb, fwd, bwd, s_txt, t_txt, model=model,
                                       min_p=float(min_p), encoder=encoder)  # type: ignore[arg-type]
        probs = {(i, j): p for i, j, p, _ in chosen}
        accepted = sorted((i, j, sc.score(i, j)) for i, j in probs)
    else:
        accepted = [(i, j, s) for i, j, s in candidates if s >= thr]
    groups: list[_Group] = [([i], [j], s, sc.features(i, j, s)) for i, j, s in accepted]
    for g in groups:
        if (g[0][0], g[1][0]) in probs:
            g[3]["p"] = round(probs[(g[0][0], g[1][0])], 4)
    if max_link >= 2 and len(groups) > 0 and not single:
        join_bar = sc.null.threshold(z_join) if threshold is None else thr
        _join_unmatched(groups, sc, best, join_bar, src_sents, tgt_sents, encode)
    if by_p:
        _rescore_joined(groups, sc, src_sents, tgt_sents, encode, encoder, k)
        groups = _kept_by_p(groups, sc, float(min_p or 0.0))
    links = [Link(tuple(s), tuple(t), round(float(v), 6), f) for s, t, v, f in groups]
    links.sort(key=lambda lk: (lk.src[0], lk.tgt[0]))
    null = sc.null
    info = {"k": k, "margin": margin, "select": select, "z_min": z_min,
            "min_p": float(min_p) if by_p and min_p is not None else None,
            "threshold": round(float(thr), 6), "null_mean": round(float(null.mean), 6),
            "null_sd": round(float(null.sd), 6), "null_samples": int(null.samples),
            "noise_threshold": round(float(noise_thr), 6) if math.isfinite(noise_thr) else None}
    return MineResult(links, candidates, null, thr, z_min, info)


#: A link being mined: source ids, target ids, its score, its evidence.
_Group = tuple[list[int], list[int], float, dict[str, float]]


def _null_of(best: Any, margin: str, single: bool, spacing: float) -> tuple[Null, bool]:
    """The null of chance scores, and whether pairs are scored by their cosine: with one sentence a
    side there is no second best to learn from, and the cosine against the prior cosine null decides;
    otherwise the margin against the second-best margins of every row and column."""
    if single:
        return Null(PRIOR_NULL["cos_mean"], PRIOR_NULL["cos_sd"], 0), True
    return calibrate_null(np.concatenate([best.row_top, best.col_top]), spacing=spacing,
                          prior=PRIOR_NULL_RATIO if margin == "ratio" else PRIOR_NULL), False


@dataclass(frozen=True)
class _Scorer:
    """A pair's cosine, margins, score (its margin, or its cosine with one sentence a side) and
    evidence, from the vectors and both sides' k-NN means."""

    src_emb: np.ndarray
    tgt_emb: np.ndarray
    fwd: np.ndarray
    bwd: np.ndarray
    margin: str
    null: Null
    by_cosine: bool

    def cos(self, i: int, j: int) -> float:
        return float(np.dot(self.src_emb[i], self.tgt_emb[j]))

    def mar(self, i: int, j: int, kind: str | None = None) -> float:
        return float(_margin(np.array([[self.cos(i, j)]]), self.fwd[i:i + 1], self.bwd[j:j + 1],
                             kind or self.margin)[0, 0])

    def score(self, i: int, j: int) -> float:
        return self.cos(i, j) if self.by_cosine else self.mar(i, j)

    def features(self, i: int, j: int, value: float) -> dict[str, float]:
        z = self.null.z(value)
        return {"cosine": round(self.cos(i, j), 6), "margin": round(self.mar(i, j, "ratio"), 6),
                "margin_distance": round(self.mar(i, j, "distance"), 6),
                "z": round(z, 4), "p_value": float(f"{_p_value(z):.4g}")}


def _candidate_pairs(best: Any, select: str) -> set[tuple[int, int]]:
    """Each sentence with its best partner: the pairs both sides agree on (``intersect``), or one
    direction's, or both directions' (``union``)."""
    fw_pairs = {(i, int(best.row_arg[i])) for i in range(len(best.row_arg))}
    bw_pairs = {(int(best.col_arg[j]), j) for j in range(len(best.col_arg))}
    if select == "intersect":
        return fw_pairs & bw_pairs
    if select == "forward":
        return fw_pairs
    if select == "backward":
        return bw_pairs
    return fw_pairs | bw_pairs


def _join_unmatched(groups: list[_Group], sc: _Scorer, best: Any, join_bar: float,
                    src_sents: Sequence[str] | None, tgt_sents: Sequence[str] | None,
                    encode: SpanEncoder | None) -> None:
    """2-1 and 1-2 links, in place: an unmatched sentence whose best partner is in a 1-1 link joins
    it where its score reaches ``join_bar``, the joined vector is closer to the partner than the
    linked sentence alone and the lengths allow it; the largest gains first, one sentence a link."""
    src_emb, tgt_emb = sc.src_emb, sc.tgt_emb
    src_used = {i for g in groups for i in g[0]}
    tgt_used = {j for g in groups for j in g[1]}
    by_tgt = {g[1][0]: g for g in groups if len(g[0]) == 1 and len(g[1]) == 1}
    by_src = {g[0][0]: g for g in groups if len(g[0]) == 1 and len(g[1]) == 1}
    # proposals: (side, new id, partner id on the other side, id already linked to partner)
    proposals: list[tuple[str, int, int, int]] = []
    for i in range(len(src_emb)):
        j = int(best.row_arg[i])
        if i not in src_used and j in by_tgt and sc.score(i, j) >= join_bar:
            proposals.append(("src", i, j, by_tgt[j][0][0]))
    for j in range(len(tgt_emb)):
        i = int(best.col_arg[j])
        if j not in tgt_used and i in by_src and sc.score(i, j) >= join_bar:
            proposals.append(("tgt", j, i, by_src[i][1][0]))
    joined = {side: _join_embeddings(src_emb if side == "src" else tgt_emb,
                                     [(kept, new) for sd, new, _, kept in proposals if sd == side],
                                     src_sents if side == "src" else tgt_sents, encode)
              for side in ("src", "tgt")}
    offers: list[tuple[float, str, int, int]] = []  # (gain, side, new id, partner id)
    counters = {"src": 0, "tgt": 0}
    length_ok = _length_check(groups, src_sents, tgt_sents)
    for side, new, partner, kept in proposals:
        vec = joined[side][counters[side]]
        counters[side] += 1
        if not length_ok(side, new, partner, kept):
            continue
        if side == "src":
            gain = float(vec @ tgt_emb[partner]) - sc.cos(kept, partner)
        else:
            gain = float(vec @ src_emb[partner]) - sc.cos(partner, kept)
        if gain > 0:
            offers.append((gain, side, new, partner))
    offers.sort(key=lambda o: (-o[0], o[1], o[2]))
    for gain, side, new, partner in offers:
        g = by_tgt[partner] if side == "src" else by_src[partner]
        if len(g[0]) != 1 or len(g[1]) != 1:
            continue  # the link already took another sentence
        g[3]["base"] = (g[0][0], g[1][0])  # type: ignore[assignment]
        if side == "src":
            g[0].append(new)
            g[0].sort()
        else:
            g[1].append(new)
            g[1].sort()
        g[3]["join_gain"] = round(gain, 6)
        value = sc.score(new, partner) if side == "src" else sc.score(partner, new)
        g[3]["join_z"] = round(sc.null.z(value), 4)


def _kept_by_p(groups: list[_Group], sc: _Scorer, min_p: float) -> list[_Group]:
    """The links whose ``p`` reaches ``min_p``; a joined link that falls below it while its pair
    alone did not goes back to the pair alone (the join made the link worse)."""
    final = []
    for g in groups:
        if g[3]["p"] >= min_p:
            final.append(g)
        elif (len(g[0]) > 1 or len(g[1]) > 1) and g[3].get("p_1_1", 0.0) >= min_p:
            base: tuple[int, int] = g[3].pop("base")  # type: ignore[assignment]
            i, j = base
            value = sc.score(i, j)
            final.append(([i], [j], value, {**sc.features(i, j, value), "p": g[3]["p_1_1"]}))
    for g in final:
        g[3].pop("p_1_1", None)
        g[3].pop("base", None)
    return final


def _rescore_joined(groups: list[_Group], sc: _Scorer, src_sents: Sequence[str] | None,
                    tgt_sents: Sequence[str] | None, encode: SpanEncoder | None, encoder: Any, k: int) -> None:
    """The 2-1 / 1-2 links scored from the joined side's embedding (in place): their ``p``, and their
    ``cosine``, ``margin``, ``margin_distance``, score, ``z`` and ``p_value``, which were their 1-1
    pair's (the review app gives a link it rebuilds the same values; ``join_gain`` and ``join_z``
    say what the join added)."""
    from . import confidence

    src_emb, tgt_emb = sc.src_emb, sc.tgt_emb
    where = [n for n, g in enumerate(groups) if len(g[0]) > 1 or len(g[1]) > 1]
    multi = [groups[n] for n in where]
    if not multi:
        return
    vecs = []
    for emb, texts, sides in ((src_emb, src_sents, [g[0] for g in multi]), (tgt_emb, tgt_sents, [g[1] for g in multi])):
        rows = np.zeros((len(multi), emb.shape[1]), dtype=np.float64)
        spans = [(n, ids) for n, ids in enumerate(sides) if len(ids) > 1]
        for n, ids in enumerate(sides):
            if len(ids) == 1:
                rows[n] = emb[ids[0]]
        if spans:
            joined = _join_embeddings(emb, [(ids[0], ids[1]) for _, ids in spans], texts, encode)
            for (n, _), v in zip(spans, joined, strict=True):
                rows[n] = v
        vecs.append(rows)
    s_txt = [" ".join(src_sents[i] for i in g[0]) if src_sents is not None else "" for g in multi]
    t_txt = [" ".join(tgt_sents[j] for j in g[1]) if tgt_sents is not None else "" for g in multi]
    ps = confidence.link_probabilities(vecs[0], vecs[1], src_emb, tgt_emb, [tuple(g[0]) for g in multi],
                                       [tuple(g[1]) for g in multi], s_txt, t_txt, encoder=encoder, k=k)
    # the joined sides' own neighbourhoods (k nearest sentences of the other document), as the
    # miner's margins and the review app's rebuilt link have them
    cos = np.einsum("ij,ij->i", vecs[0], vecs[1])
    ks, kt = _topk_mean(vecs[0] @ tgt_emb.T, k, 1), _topk_mean(vecs[1] @ src_emb.T, k, 1)
    ratio, dist = margin_of(cos, ks, kt, "ratio"), margin_of(cos, ks, kt, "distance")
    values = cos if sc.by_cosine else margin_of(cos, ks, kt, sc.margin)
    for n, g, p, c, r, d, v in zip(where, multi, ps, cos, ratio, dist, values, strict=True):
        z = sc.null.z(float(v))
        g[3].update({"p_1_1": g[3]["p"], "p": round(float(p), 4), "cosine": round(float(c), 6),
                     "margin": round(float(r), 6), "margin_distance": round(float(d), 6), "z": round(z, 4),
                     "p_value": float(f"{_p_value(z):.4g}")})
        groups[n] = (g[0], g[1], float(v), g[3])


def mine(src_emb: np.ndarray, tgt_emb: np.ndarray, **options: Any) -> list[Link]:
    """Mined links between ``src_emb`` (n, d) and ``tgt_emb`` (m, d); see :func:`mine_detailed`.

    ``Link.score`` is the margin used for selection (the distance margin unless ``margin="ratio"``;
    the cosine for 1 x 1 input), higher is surer; ``Link.features`` holds ``cosine``, ``margin``
    (ratio margin), ``margin_distance``, ``z`` and ``p_value``.
    """
    return mine_detailed(src_emb, tgt_emb, **options).links


# ----------------------------------------------------------------------------- auto mode

@dataclass(frozen=True)
class ModeChoice:
    """The mode :func:`choose_mode` picked and the evidence it used."""

    mode: str
    evidence: dict[str, Any]

    def describe(self) -> str:
        e = self.evidence
        if "reason" in e:
            return str(e["reason"])
        where = f" ({e['window']})" if "window" in e else ""
        order = ""
        if e.get("order_z") is not None:
            order = (f"; with the {e['order_side']}'s {e.get('order_unit', 'paragraphs')} shuffled it explains "
                     f"{e['explained_shuffled']:.0%} (order test z {e['order_z']:.1f}; "
                     f"translations from {ORDER_Z:g}, or from {ORDER_Z_EFFECT:g} where the order "
                     f"explains {ORDER_RATIO:g}x as much over {ORDER_EFFECT_UNITS} or more "
                     f"{e.get('order_unit', 'paragraphs')})")
        if e.get("anchor_order_p") is not None:
            order += (f"; shuffles of the {e['order_side_anchors']}'s {e['anchor_order_unit']} keep "
                      f"its likely 1-1 pairs as much in order {e['anchor_order_p']:.1%} of the time "
                      f"(anchor order test; translations up to {ANCHOR_ALPHA:.0%})")
        crossed = ""
        if e.get("crossing"):
            crossed = (f"; {e['crossing']} of {e['strong']} confident pairs cross the order of the others"
                       + (f" (comparable from {CROSS_MIN} and {CROSS_SHARE:.0%} of the shorter side)"
                          if self.mode == "comparable" and e.get("order_z") is None else ""))
        return (f"a monotonic alignment explains {e['explained']:.0%} of the sentences; "
                f"{e['anchors']} likely 1-1 pairs over {e['shorter']} sentences of the shorter "
                f"side, {e['monotonic']} of them in order (coverage {e['monotonic']}/{e['shorter']} = "
                f"{e['coverage']:.2f}, in-order share {e['monotonic']}/{e['anchors']} = {e['in_order']:.2f})"
                f"{crossed}{order}{where}")

    def __str__(self) -> str:
        return self.mode


def _lis_length(values: Sequence[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    for v in values:
        pos = bisect.bisect_left(tails, v)
        if pos == len(tails):
            tails.append(v)
        else:
            tails[pos] = v
    return len(tails)


#: Confident pairs (mutual best, this many null standard deviations above the null mean) that the
#: longest in-order chain of them leaves out: from :data:`CROSS_MIN` of them, and
#: :data:`CROSS_SHARE` of the shorter side, the texts share passages in another order and are
#: comparable, whatever share a monotonic alignment explains (:func:`choose_mode`). Translations
#: keep their original's order: of the visible ones (NTREX parallel, merged, one-to-many and long
#: links, Text+Berg and its one-to-many variant, the UDHR, 30 hadith and 49 Qur'an
#: documents) none has more than 4.5% of its shorter side crossing (3 of 66, Text+Berg's one-to-many
#: variant, where a few gold links cross), and none is judged otherwise with noise on the vectors.
#: Stop 25 lowered the bar from 2 pairs and 15%: a
#: single story of 15-30 sentences with its passages moved has few confident pairs, and one of
#: them out of order was not enough (NTREX documents built as derived/comparable: 279 -> 289 of 305
#: judged comparable; no translation judged otherwise, bench/auto_bench.py).
CROSS_Z = 3.0
CROSS_MIN = 1
CROSS_SHARE = 0.1


#: Mean cosine of two sentences of the two documents above which an encoder's vectors share one
#: dominant direction (anisotropy): e5-small's are at 0.7-0.8 on any text, use-m3's at 0.05-0.25.
ANISOTROPIC = 0.4


def _isotropic(src_emb: np.ndarray, tgt_emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The vectors as they are, or, where the mean cosine between the two sides (the dot product
    of their mean vectors) exceeds :data:`ANISOTROPIC`, each side centred on its mean and
    re-normalised: on such vectors every pair looks alike, and the random-pair thresholds of
    :func:`choose_mode` call nothing a translation (e5-small: "explained" 0-0.4 on the NTREX
    translations; centred 1.0, against 0.3-0.6 for the comparable documents)."""
    s = np.asarray(src_emb, dtype=np.float32)
    t = np.asarray(tgt_emb, dtype=np.float32)
    if len(s) < 2 or len(t) < 2 or float(s.mean(axis=0) @ t.mean(axis=0)) <= ANISOTROPIC:
        return src_emb, tgt_emb
    from .embed import l2_normalise

    return l2_normalise(s - s.mean(axis=0)), l2_normalise(t - t.mean(axis=0))


#: The order test (:func:`order_test`): this many fixed shuffles of one side's paragraphs (at most
#: 17, so that no shuffle explaining as much as the text itself can leave z at ORDER_Z or above) ...
ORDER_SHUFFLES = 16
#: ... and the z from which the explained share depends on the order: a translation (``parallel``).
#: Where the order carries nothing (comparable text) z is about standard normal: of 845 comparable
#: documents built from NTREX (30% dropped per side; single documents and pools of three; sentences,
#: or blocks of 3 or 6 sentences, marked as paragraphs or not, shuffled), 662 reach the test and
#: 3 of them z 4.1-4.3 (docs/benchmarks.md, "Auto mode").
ORDER_Z = 4.0
#: A weaker z also says ``parallel`` where the effect is large: the text in its order explains at
#: least ORDER_RATIO times what the shuffled orders explain on average. A translation's content
#: follows its order, so shuffling loses most of what it explained (hadith translations that leave
#: the chains of narrators untranslated: 0.44 -> 0.19); comparable text keeps most of it. Of the 662
#: comparable documents of ORDER_Z's count that reach the test, none has z >= 3 and a ratio of 2
#: (the largest ratio with z >= 2 is 1.96, at z 4.3, already counted there).
ORDER_Z_EFFECT = 3.0
ORDER_RATIO = 2.0
#: ... when at least this many paragraphs (or runs) were shuffled: a handful has few distinct orders,
#: and a ratio over a small shuffled share swings widely (with noise of norm 1.5 on the vectors,
#: 4 of 693 comparable single NTREX documents of 5-7 runs reached z 3.2-3.8 with a ratio over 2)
ORDER_EFFECT_UNITS = 8
#: A side with fewer paragraphs than this has too few orders to test.
ORDER_MIN_UNITS = 4
#: Where paragraphs are not marked (one sentence each), runs of this many sentences stand in for them.
ORDER_RUN = 3
_ORDER_SD_FLOOR = 0.02


# a full stop (or ! ? and their Arabic, Urdu and CJK forms), closing quotes or brackets and the
# invisible direction marks Arabic text sets around punctuation (hadith collections write RLM . RLM), then
# white space and more text
_SENTENCE_END = re.compile("[.!?\u061F\u06D4\u2026\u3002]+[\"'\u00BB\u201D\u2019)\\]\u200E\u200F\u061C]*\\s+(?=\\S)")


def sentences_in(text: str) -> int:
    """Roughly how many sentences ``text`` holds (sentence-final punctuation followed by more
    text, plus one): a unit of a file read one unit per line may be a sentence or a whole passage
    (a hadith, a verse, a paragraph). Abbreviations may add one; only the median over a document
    is used (:func:`_shuffle_units`)."""
    return len(_SENTENCE_END.findall(text.strip())) + 1


def _unit_sizes(texts: Sequence[str], units: Sequence[int] | None) -> list[int] | None:
    """How many sentences each text holds, where each text is its own paragraph (a file read one
    unit per line, whose lines may be whole passages); None (one each) where the paragraphs group
    several texts: the segmenter made those, a sentence each."""
    if units is not None and len(set(units)) < len(units):
        return None
    return [sentences_in(x) for x in texts]


def _shuffle_units(n: int, m: int, src_units: Sequence[int] | None, tgt_units: Sequence[int] | None,
                   run: int, src_sizes: Sequence[int] | None = None, tgt_sizes: Sequence[int] | None = None,
                   ) -> tuple[str, list[list[int]], str]:
    """What the order tests move: ``(side, units, unit)``, the side ("source" or "target") with more
    units, its units (lists of sentence indices, in order) and what they are ("paragraphs" or
    "runs of RUN sentences"). A side's paragraphs (``*_units``: each sentence's paragraph index,
    each sentence its own when None) are its units when there are :data:`ORDER_MIN_UNITS` or more
    and most hold several sentences (``*_sizes``: how many sentences each of its texts holds, one
    when None; a line of a file read one unit per line may hold a whole passage); else (a file of
    one sentence per line, or a text in one to three paragraphs) runs of ``run`` sentences stand in
    for them, since a paragraph moved whole keeps its own order, which is not the documents'
    order."""

    def groups(units: Sequence[int] | None, size: int) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i, u in enumerate(units if units is not None else range(size)):
            out.setdefault(int(u), []).append(i)
        return list(out.values())

    def runs(size: int) -> list[list[int]]:
        return [list(range(i, min(i + run, size))) for i in range(0, size, run)]

    def marked(gs: list[list[int]], sizes: Sequence[int] | None) -> bool:
        held = [sum(sizes[i] for i in g) if sizes is not None else len(g) for g in gs]
        return len(gs) >= ORDER_MIN_UNITS and bool(np.median(held) >= 2)

    gs, gt = groups(src_units, n), groups(tgt_units, m)
    marked_s, marked_t = marked(gs, src_sizes), marked(gt, tgt_sizes)
    gs = gs if marked_s else runs(n)
    gt = gt if marked_t else runs(m)
    # a side whose passages are known is moved rather than one cut into stand-in runs; else the
    # side with more pieces
    target = marked_t if marked_s != marked_t else len(gt) >= len(gs)
    unit = "paragraphs" if (marked_t if target else marked_s) else f"runs of {run} sentences"
    return ("target", gt, unit) if target else ("source", gs, unit)


def order_test(src: list[str], tgt: list[str], src_emb: np.ndarray, tgt_emb: np.ndarray, explained: float,
               src_units: Sequence[int] | None = None, tgt_units: Sequence[int] | None = None,
               shuffles: int = ORDER_SHUFFLES, src_sizes: Sequence[int] | None = None,
               tgt_sizes: Sequence[int] | None = None) -> tuple[str, float, float, str, int] | None:
    """Does the share of sentences a monotonic alignment explains (``explained``) depend on the
    order? A permutation test: the paragraphs (``*_units``: each sentence's paragraph index; each
    sentence is its own paragraph when None) of the side that has more of them are put in
    ``shuffles`` fixed random orders, and ``explained`` is compared with the shares those give. A
    translation's content follows its original, so shuffling its paragraphs loses what the order
    explained (hadith collections whose English leaves most chains of narrators untranslated: 32-77%
    explained, 62% -> 26% on one of them); comparable texts share content in any order, so shuffling changes
    little. Where most paragraphs are single sentences (a file of one sentence per line) or there
    are fewer than :data:`ORDER_MIN_UNITS`, runs of :data:`ORDER_RUN` sentences are moved instead. The shuffles stop at the first one that explains
    as much as ``explained``. Returns ``(side, mean shuffled share, z, unit, count)``, ``side``
    "source" or "target", ``z = (explained - mean) / sd`` (sd at least 0.02 and one sentence's
    share), ``unit`` what was moved ("paragraphs" or "runs of 3 sentences") and ``count`` how many
    of them, or None
    when even that gives fewer than :data:`ORDER_MIN_UNITS` pieces (under 10 sentences a side)."""
    from .monotonic import explained_share

    side, units, unit = _shuffle_units(len(src), len(tgt), src_units, tgt_units, ORDER_RUN, src_sizes, tgt_sizes)
    if len(units) < ORDER_MIN_UNITS:
        return None
    shares = []
    for seed in range(shuffles):
        order = np.random.default_rng(seed).permutation(len(units))
        perm = [i for k in order for i in units[int(k)]]
        if side == "target":
            shares.append(explained_share(src, [tgt[i] for i in perm], src_emb, tgt_emb[perm]))
        else:
            shares.append(explained_share([src[i] for i in perm], tgt, src_emb[perm], tgt_emb))
        if shares[-1] >= explained:
            # a shuffle explains as much: the order is nothing special (z could not reach ORDER_Z
            # any more: no value of a sample of n lies more than (n - 1) / sqrt(n) standard
            # deviations above its mean, 3.75 for 16), so z is reported as at most 0 below
            break
    mean = float(np.mean(shares))
    # the shares move in steps of one sentence in len(src) + len(tgt): a spread below a step is
    # the rounding of a few sentences, not evidence
    floor = max(_ORDER_SD_FLOOR, 1.0 / max(1, len(src) + len(tgt)))
    sd = max(float(np.std(shares, ddof=1)) if len(shares) > 1 else 0.0, floor)
    z = (explained - mean) / sd
    return side, mean, (min(z, 0.0) if shares[-1] >= explained else z), unit, len(units)


#: The anchor order test (:func:`anchor_order_test`): this many fixed shuffles ...
ANCHOR_SHUFFLES = 1000
#: ... and the share of them at or below which the order of the likely 1-1 pairs says ``parallel``
#: (a permutation p-value). Measured on 879 comparable documents built from the 123 NTREX documents
#: (``bench/auto_bench.py --null``: 30% dropped per side; single documents and pools of three;
#: shuffled by sentence, or in blocks of 3 or 6 sentences marked as paragraphs or not): of the 446
#: that reach it, 2 have p <= 0.01, and 3 of 458 with noise of norm 1.5 on the vectors; under the
#: 1% an exact null allows (runs of :data:`ANCHOR_RUN` sentences keep more of the order a text
#: shuffled in smaller blocks still has, so the null leans conservative).
ANCHOR_ALPHA = 0.01
#: Where paragraphs are not marked, runs of this many sentences are moved. A shorter run than the
#: blocks a comparable text was really shuffled in breaks order the text still has and makes any
#: order look significant (runs of 3 sentences: 6 more of the 305 NTREX documents built as
#: ``derived/comparable``, chunks of 4, judged parallel; runs of 6: none).
ANCHOR_RUN = 6


def anchor_order_test(anchors: Sequence[tuple[int, int]], n: int, m: int,
                      src_units: Sequence[int] | None = None, tgt_units: Sequence[int] | None = None,
                      shuffles: int = ANCHOR_SHUFFLES, alpha: float = ANCHOR_ALPHA,
                      src_sizes: Sequence[int] | None = None, tgt_sizes: Sequence[int] | None = None,
                      ) -> tuple[float, str, str, int] | None:
    """Do the likely 1-1 pairs ``anchors`` ((i, j) of an ``n`` x ``m`` document pair) keep an order
    that the paragraphs shuffled would rarely give? A permutation test on the longest chain of
    them in order: the paragraphs (``*_units``, as in :func:`order_test`; runs of
    :data:`ANCHOR_RUN` sentences where they are not marked) of the side that has more of them are
    put in ``shuffles`` fixed random orders, each sentence keeping its place inside its paragraph,
    and ``p`` is the share of orders (the text's own counted) whose chain is as long. A comparable
    text, its passages already in some order, is one such order: p is about uniform. A free
    translation that leaves much out has few pairs, but they are all in order across many
    paragraphs (20 hadiths, 15 pairs in 15 paragraphs: p 0.001), which only its own order gives.
    Cheaper than :func:`order_test` (no alignment per shuffle); it stops once p exceeds ``alpha``.
    Returns ``(p, side, unit, count)`` or None under :data:`ORDER_MIN_UNITS` paragraphs or
    fewer than 3 pairs."""
    if len(anchors) < 3:
        return None
    side, units, unit = _shuffle_units(n, m, src_units, tgt_units, ANCHOR_RUN, src_sizes, tgt_sizes)
    if len(units) < ORDER_MIN_UNITS:
        return None
    target = side == "target"
    size = m if target else n
    unit_of = np.zeros(size, dtype=np.int64)
    inside = np.zeros(size, dtype=np.int64)
    for u, g in enumerate(units):
        for k, x in enumerate(g):
            unit_of[x] = u
            inside[x] = k
    # each pair as (place on the fixed side, sentence on the moved side), in the fixed side's order
    pairs = sorted((i, j) if target else (j, i) for i, j in anchors)
    moved = np.array([b for _, b in pairs], dtype=np.int64)
    observed = _lis_length(moved.tolist())
    lens = np.array([len(g) for g in units], dtype=np.int64)
    rng = np.random.default_rng(0)
    as_long = 1  # the text's own order
    limit = alpha * (shuffles + 1)
    for k in range(shuffles):
        order = rng.permutation(len(units))
        start = np.empty(len(units), dtype=np.int64)
        start[order] = np.concatenate([[0], np.cumsum(lens[order])[:-1]])
        as_long += _lis_length((start[unit_of[moved]] + inside[moved]).tolist()) >= observed
        if as_long > limit:
            # p already above alpha: the rest cannot bring it down (p is reported over the
            # shuffles run so far, an estimate above alpha)
            return as_long / (k + 2), side, unit, len(units)
    return as_long / (shuffles + 1), side, unit, len(units)


def choose_mode(src_emb: np.ndarray, tgt_emb: np.ndarray, *, src_sents: Sequence[str] | None = None,
                tgt_sents: Sequence[str] | None = None, z_anchor: float = 1.0,
                min_explained: float = 0.7, min_coverage: float = 0.6, min_in_order: float = 0.85,
                max_cells: int = 2_000_000, src_units: Sequence[int] | None = None,
                tgt_units: Sequence[int] | None = None) -> ModeChoice:
    """Decide whether two documents are translations (``parallel``) or ``comparable``.

    A translation, however free, can be aligned monotonically almost whole: its sentences fall
    into links (one-to-many included) that are more alike than pairs that cannot be translations.
    Comparable texts share only some content, in any order. The decision rests on ``explained``,
    the share of the sentences of both sides that the monotonic aligner (sums of sentence vectors,
    no encoder call; :func:`parallel.monotonic.explained_share`) puts in a link whose normalised
    cosine beats the document's random-pair threshold: ``parallel`` from ``min_explained`` on.
    On the visible data (bench/mine_bench.py) translations, one-to-many ones included, give
    0.89-1.0, and Text+Berg still 0.75 or more when noise is added to the sentence vectors until
    the anchor test below failed on 6 of its 7 documents; comparable documents (30% dropped per
    side, paragraphs shuffled) give at most 0.58. Short documents (a few sentences a side) carry
    too few pairs for the threshold, so the anchor test also says ``parallel``: mutual-best pairs
    (``z_anchor`` null standard deviations above the null mean) covering ``min_coverage`` of the
    shorter side in one chain that holds ``min_in_order`` of them (``coverage``, ``in_order``;
    alone it fails where one side is split finer or the rendering is free, since mutual-best
    pairs are then rare). Neither counts where confident pairs cross the order of the others
    (``crossing``: at least :data:`CROSS_MIN` of the mutual-best pairs :data:`CROSS_Z` null
    standard deviations above the null mean left out of their longest in-order chain, and
    :data:`CROSS_SHARE` of the shorter side): a single story with its paragraphs shuffled is
    explained 70% or more, each passage being in order inside, and is ``comparable``. Where both
    say ``comparable``, the order test (:func:`order_test`, over
    the paragraphs ``src_units``/``tgt_units``: each sentence's paragraph index) still says
    ``parallel`` when the explained share depends on the order (z >= :data:`ORDER_Z`, or z >=
    :data:`ORDER_Z_EFFECT` where the order explains :data:`ORDER_RATIO` times as much and at least
    :data:`ORDER_EFFECT_UNITS` paragraphs were shuffled): a free
    translation that leaves much untranslated. ``src_sents``/``tgt_sents``: the sentences (for their lengths and
    punctuation; equal-length stand-ins when missing). Documents with more than ``max_cells``
    sentence pairs are judged on their opening stretch (the same share of each side, about
    sqrt(max_cells) sentences), which keeps the choice fast on books.
    """
    from .monotonic import explained_share

    # blank units (the empty lines of a file read one unit per line) say nothing either way
    if src_sents is not None and tgt_sents is not None:
        keep_s = [i for i, x in enumerate(src_sents) if x.strip()]
        keep_t = [i for i, x in enumerate(tgt_sents) if x.strip()]
        if len(keep_s) < len(src_sents) or len(keep_t) < len(tgt_sents):
            src_emb, tgt_emb = np.asarray(src_emb)[keep_s], np.asarray(tgt_emb)[keep_t]
            src_sents, tgt_sents = [src_sents[i] for i in keep_s], [tgt_sents[i] for i in keep_t]
            src_units = [src_units[i] for i in keep_s] if src_units is not None else None
            tgt_units = [tgt_units[i] for i in keep_t] if tgt_units is not None else None
    n, m = len(src_emb), len(tgt_emb)
    if n == 0 or m == 0:
        return ModeChoice("parallel", {"reason": "an empty side: nothing to mine", "anchors": 0,
                                       "shorter": 0, "monotonic": 0, "coverage": 0.0, "in_order": 0.0,
                                       "explained": 0.0})
    if min(n, m) == 1:
        # nothing to order on the short side, and single-sentence pairs cannot show that one long
        # sentence says what several do (a و-chained Arabic paragraph against five English
        # sentences was judged comparable and got no link): the monotonic aligner links it to the
        # span that says the same, and says so if nothing does
        why = "one sentence on each side" if n == m else "a single sentence on one side"
        return ModeChoice("parallel", {"reason": f"{why}: aligned as a translation",
                                       "anchors": 0, "shorter": 1, "monotonic": 0, "coverage": 0.0,
                                       "in_order": 0.0, "explained": 0.0})
    src_emb, tgt_emb = _isotropic(src_emb, tgt_emb)
    src_list = list(src_sents) if src_sents is not None else ["x" * 80] * n
    tgt_list = list(tgt_sents) if tgt_sents is not None else ["x" * 80] * m
    window = None
    if n * m > max_cells:
        # long documents: decide on the opening stretch, sized in proportion on both sides
        scale = math.sqrt(max_cells / (n * m))
        window = (max(1, int(n * scale)), max(1, int(m * scale)))
        src_emb, tgt_emb = src_emb[:window[0]], tgt_emb[:window[1]]
        src_list, tgt_list = src_list[:window[0]], tgt_list[:window[1]]
        src_units = list(src_units)[:window[0]] if src_units is not None else None
        tgt_units = list(tgt_units)[:window[1]] if tgt_units is not None else None
        n, m = window
    res = mine_detailed(src_emb, tgt_emb, max_link=1, select="intersect", noise_null=False)
    bar = res.null.threshold(z_anchor)
    anchors = sorted((i, j) for i, j, s in res.candidates if s >= bar)
    mono = _lis_length([j for _, j in anchors])
    shorter = min(n, m)
    coverage = mono / shorter
    in_order = mono / len(anchors) if anchors else 0.0
    explained = explained_share(src_list, tgt_list, src_emb, tgt_emb)
    ev: dict[str, Any] = {"anchors": len(anchors), "shorter": shorter, "monotonic": mono,
                          "coverage": round(coverage, 4), "in_order": round(in_order, 4),
                          "explained": round(explained, 4), "length_ratio": round(max(n, m) / shorter, 4)}
    if window is not None:
        ev["window"] = f"first {window[0]} x {window[1]} sentences"
    ordered = coverage >= min_coverage and in_order >= min_in_order
    mode = "parallel" if explained >= min_explained or ordered else "comparable"
    crossed = False
    if mode == "parallel":
        # confident pairs that no monotonic order can hold: a translation keeps the order of its
        # original, texts that share passages in another order do not (a single story with its
        # paragraphs shuffled is explained 70% or more by the monotonic aligner: its passages are
        # in order inside, and every span of one story resembles every other)
        strong_bar = res.null.threshold(CROSS_Z)
        strong = sorted((i, j) for i, j, s in res.candidates if s >= strong_bar)
        crossing = len(strong) - _lis_length([j for _, j in strong])
        ev.update(strong=len(strong), crossing=crossing)
        crossed = crossing >= CROSS_MIN and crossing >= CROSS_SHARE * shorter
        if crossed:
            # passages in order inside, moved as a whole: shuffling them again would find that the
            # order matters, so the order test is not asked
            mode = "comparable"
    if mode == "comparable" and not crossed:
        src_sizes = _unit_sizes(src_list, src_units) if src_sents is not None else None
        tgt_sizes = _unit_sizes(tgt_list, tgt_units) if tgt_sents is not None else None
        tested = order_test(src_list, tgt_list, src_emb, tgt_emb, explained, src_units, tgt_units,
                            src_sizes=src_sizes, tgt_sizes=tgt_sizes)
        if tested is not None:
            side, mean, z, unit, count = tested
            ev.update(order_side=side, order_unit=unit, order_units=count, explained_shuffled=round(mean, 4),
                      order_z=round(z, 2))
            if z >= ORDER_Z or (z >= ORDER_Z_EFFECT and explained >= ORDER_RATIO * mean
                                and count >= ORDER_EFFECT_UNITS):
                mode = "parallel"
        if mode == "comparable":
            by_anchors = anchor_order_test(anchors, n, m, src_units, tgt_units, src_sizes=src_sizes,
                                           tgt_sizes=tgt_sizes)
            if by_anchors is not None:
                p_order, a_side, a_unit, _ = by_anchors
                ev.update(anchor_order_p=round(p_order, 4), order_side_anchors=a_side, anchor_order_unit=a_unit)
                if p_order <= ANCHOR_ALPHA:
                    mode = "parallel"
    return ModeChoice(mode, ev)
