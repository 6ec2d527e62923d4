"""Non-monotonic bitext mining for comparable texts (the choice between the two modes is :mod:`parallel.mode`).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data import Link
from .errors import InputError
from .normalize import length
from .schema import DEFAULT_MIN_P

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
    src_len = [max(length(t), 1) for t in src_sents]  # Arabic marks not counted
    tgt_len = [max(length(t), 1) for t in tgt_sents]
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
    that are sentence-for-sentence (:func:`parallel.confidence.select`); the links, 2-1 and 1-2 joins
    included, are settled at :data:`DEFAULT_MIN_P` whatever ``min_p`` is: a higher bar only filters
    them, a lower one adds 1-1 pairs among the sentences they leave. ``min_p=None``, an explicit ``threshold`` (in margin units) or a
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
    weak: list[tuple[int, int, float]] = []
    if by_p:
        from . import confidence

        model = confidence.load_model(confidence.encoder_name(encoder))
        s_txt = list(src_sents) if src_sents is not None else [""] * n
        t_txt = list(tgt_sents) if tgt_sents is not None else [""] * m
        # the links are settled at the default bar, whatever min_p is (joins included): a higher
        # bar only filters them, as `filter --min-p` does, and a lower one adds 1-1 pairs among
        # the sentences they leave, so a link above a bar never depends on the bar asked for
        settled: set[tuple[int, int]] = set()
        # the model reads the neighbourhood at the share of the collection it was fitted on (more
        # neighbours in a larger collection); the margins reported keep k
        knn = (fwd, bwd) if confidence.neighbours(k, n, m) == k else confidence.model_knn_means(src_emb, tgt_emb, k)
        chosen, _ = confidence.select(src_emb, tgt_emb, *knn, s_txt, t_txt, model=model,
                                       min_p=min(float(min_p), DEFAULT_MIN_P),  # type: ignore[arg-type]
                                       encoder=encoder, settled=settled)
        # a settled pair under the default bar is one whose numbers contradict each other (its p
        # capped after the rounds): a bar that low keeps it as it keeps the other weak pairs, among
        # the sentences the links leave
        probs = {(i, j): p for i, j, p, _ in chosen if (i, j) in settled and p >= DEFAULT_MIN_P}
        weak = sorted((i, j, p) for i, j, p, _ in chosen if (i, j) not in probs)
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
        groups = _kept_by_p(groups, sc, DEFAULT_MIN_P)
        held_s = {i for g in groups for i in g[0]}
        held_t = {j for g in groups for j in g[1]}
        for i, j, p in weak:  # (never joined: at the default bar their sentences were free to join)
            if i not in held_s and j not in held_t:
                value = sc.score(i, j)
                groups.append(([i], [j], value, {**sc.features(i, j, value), "p": round(p, 4)}))
        groups = [g for g in groups if g[3]["p"] >= float(min_p or 0.0)]
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
