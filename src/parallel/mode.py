"""Auto mode: are two documents translations (``parallel``) or ``comparable`` texts?

:func:`choose_mode` decides from how much of both sides a monotonic alignment explains, from the
likely 1-1 pairs (mutual best by margin, :func:`parallel.mine.mine_detailed`) and whether they
keep one order, and, where those say comparable, from order tests that shuffle paragraphs
(:func:`order_test`, :func:`anchor_order_test`; in a document with one side split finer, the
latter also over each finer-side sentence's best partners; where both sides mark paragraphs, both
also over the paragraphs themselves, :func:`paragraph_order_test`). Its :class:`ModeChoice` carries the evidence, and
``describe()`` says it in one sentence for the log and the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .mine import margin_matrix, mine_detailed


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
        if e.get("finer_order_p") is not None:
            order += (f"; one side split finer: shuffles of the {e['finer_order_side']}'s "
                      f"{e['finer_order_unit']} keep the best partners of the {e['finer_side']}'s sentences "
                      f"({e['finer_pairs']}) as much in order {e['finer_order_p']:.1%} of the time "
                      f"(translations up to {ANCHOR_ALPHA:.0%})")
        if e.get("para_counts") is not None:
            order += f"; over the {e['para_counts']} paragraphs themselves: a monotonic alignment explains {e['para_explained']:.0%}"
            if e.get("para_order_z") is not None:
                order += (f", {e['para_explained_shuffled']:.0%} with them shuffled "
                          f"(order test z {e['para_order_z']:.1f})")
            if e.get("para_anchor_p") is not None:
                order += f", their likely 1-1 pairs as much in order {e['para_anchor_p']:.1%} of the time"
        chain = ""
        if e.get("chain_chance") is not None and e["chain_chance"] > CHAIN_ALPHA:
            chain = (f"; a chain of {e['monotonic']} in order among {e['anchors']} pairs is what "
                     f"{e['chain_chance']:.0%} of random orders give: chance, not a translation "
                     f"(up to {CHAIN_ALPHA:.0%})")
        crossed = ""
        if e.get("crossing"):
            crossed = (f"; {e['crossing']} of {e['strong']} confident pairs cross the order of the others"
                       + (f" (comparable from {CROSS_MIN} and {CROSS_SHARE:.0%} of the shorter side)"
                          if self.mode == "comparable" and e.get("order_z") is None else ""))
        return (f"a monotonic alignment explains {e['explained']:.0%} of the sentences; "
                f"{e['anchors']} likely 1-1 pairs over {e['shorter']} sentences of the shorter "
                f"side, {e['monotonic']} of them in order (coverage {e['monotonic']}/{e['shorter']} = "
                f"{e['coverage']:.2f}, in-order share {e['monotonic']}/{e['anchors']} = {e['in_order']:.2f}"
                f"{chain})"
                f"{crossed}{order}{where}")

    def __str__(self) -> str:
        return self.mode


def _chain_length(fixed: np.ndarray, moved: np.ndarray) -> int:
    """The most pairs ``(fixed[k], moved[k])`` in one chain that runs forward on both sides, a
    sentence of either side allowed in several pairs of it (one sentence against several): the
    longest non-decreasing run of ``moved`` with the pairs in the order of ``fixed`` (ties by
    ``moved``). For pairs that share no sentence, the longest increasing chain."""
    return _lis_length(moved[np.lexsort((moved, fixed))].tolist(), strict=False)


def _chain_finer(finer: np.ndarray, coarse: np.ndarray) -> int:
    """The most pairs ``(finer[k], coarse[k])`` in one chain that runs forward on both sides, at
    most one pair for each sentence of the finer side (a sentence there may come with several
    candidate partners) and several of them against one sentence of the coarse side allowed:
    sorted by the finer side, each sentence's candidates from the last, the longest
    non-decreasing run of ``coarse``. With one pair per finer sentence, :func:`_chain_length`."""
    return _lis_length(coarse[np.lexsort((-coarse, finer))].tolist(), strict=False)


def _lis_length(values: Sequence[int], strict: bool = True) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting); non-decreasing
    where not ``strict``."""
    import bisect

    place = bisect.bisect_left if strict else bisect.bisect_right
    tails: list[int] = []
    for v in values:
        pos = place(tails, v)
        if pos == len(tails):
            tails.append(v)
        else:
            tails[pos] = v
    return len(tails)


#: The anchor test (:func:`choose_mode`) counts a chain of likely 1-1 pairs in order only when a
#: random order of that many pairs gives as long a chain at most this often (:func:`chain_chance`):
#: unrelated documents of a few sentences a side (a crawl's mis-paired documents) always have a few
#: mutual-best pairs, and 3 of 3 in order is what one random order in 6 gives. Translations of
#: that size are explained 72% or more (NTREX, 470 excerpts of 4-8 sentences); of 448 unrelated
#: excerpts 10 were called parallel through their chance chains (stop 52).
CHAIN_ALPHA = 0.05
#: Up to this many pairs the chance is counted exactly; beyond, the expected number of increasing
#: chains of that length bounds it from above (C(pairs, chain) / chain!): the anchor test's chains
#: there hold 85% of the pairs or more, and their chance is vanishing (9 pairs, 8 in order: 0.0002).
CHAIN_EXACT = 20


@lru_cache(maxsize=256)
def chain_chance(pairs: int, chain: int) -> float:
    """The probability that ``pairs`` pairs in a uniformly random order hold an increasing chain
    of ``chain`` or more: the share of permutations of ``pairs`` whose longest increasing
    subsequence is that long, counted exactly (Robinson-Schensted: the permutations whose
    subsequence is ``l`` long number the sum of f(lambda)^2 over the partitions lambda of
    ``pairs`` with first part ``l``, f by the hook length formula). Above :data:`CHAIN_EXACT`
    pairs, the bound ``C(pairs, chain) / chain!`` (the expected number of such chains)."""
    if chain <= 1 or pairs <= 0:
        return 1.0
    if chain > pairs:
        return 0.0
    if pairs > CHAIN_EXACT:
        return min(1.0, math.comb(pairs, chain) / math.factorial(chain))

    def partitions(n: int, most: int) -> Iterator[tuple[int, ...]]:
        if n == 0:
            yield ()
            return
        for first in range(min(n, most), 0, -1):
            for rest in partitions(n - first, first):
                yield (first, *rest)

    def shapes(lam: tuple[int, ...]) -> int:
        cols = [sum(1 for r in lam if r > c) for c in range(lam[0])]
        hooks = 1
        for i, r in enumerate(lam):
            for c in range(r):
                hooks *= (r - c - 1) + (cols[c] - i - 1) + 1
        return math.factorial(sum(lam)) // hooks

    count = sum(shapes(lam) ** 2 for lam in partitions(pairs, pairs) if lam[0] >= chain)
    return count / math.factorial(pairs)


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
#: In a document with one side split finer, the order test of the finer side's best partners
#: (:func:`choose_mode`) takes the pairs whose margin is above the mean of pairs that cannot be
#: translations (this many null standard deviations above it).
FINER_Z = 0.0
#: ... and, beside each finer-side sentence's best partner, every partner whose margin is within
#: this many null standard deviations of the best one: the null's spread is that of the best
#: margin among sentences that cannot be translations, so partners closer than that cannot be
#: told apart (a chapter of hadiths on one subject: four nearly identical reports of one event,
#: whose English sentences take any of the four for their best). The chain takes one of them per
#: sentence (:func:`_chain_finer`), in the text and in every shuffle alike.
FINER_TIE = 1.0
#: Where paragraphs are not marked, runs of this many sentences are moved. A shorter run than the
#: blocks a comparable text was really shuffled in breaks order the text still has and makes any
#: order look significant (runs of 3 sentences: 6 more of the 305 NTREX documents built as
#: ``derived/comparable``, chunks of 4, judged parallel; runs of 6: none).
ANCHOR_RUN = 6


def anchor_order_test(anchors: Sequence[tuple[int, int]], n: int, m: int,
                      src_units: Sequence[int] | None = None, tgt_units: Sequence[int] | None = None,
                      shuffles: int = ANCHOR_SHUFFLES, alpha: float = ANCHOR_ALPHA,
                      src_sizes: Sequence[int] | None = None, tgt_sizes: Sequence[int] | None = None,
                      finer: str | None = None) -> tuple[float, str, str, int] | None:
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
    ``finer`` ("source" or "target"): the pairs hold several candidate partners for each sentence of
    that side, and the chain takes one pair per sentence of it (:func:`_chain_finer`).
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
    # each pair as (place on the fixed side, sentence on the moved side)
    pairs = sorted((i, j) if target else (j, i) for i, j in anchors)
    fixed = np.array([a for a, _ in pairs], dtype=np.int64)
    moved = np.array([b for _, b in pairs], dtype=np.int64)

    def chain(placed: np.ndarray) -> int:
        if finer is None:
            return _chain_length(fixed, placed)
        return _chain_finer(placed, fixed) if finer == side else _chain_finer(fixed, placed)

    observed = chain(moved)
    lens = np.array([len(g) for g in units], dtype=np.int64)
    rng = np.random.default_rng(0)
    as_long = 1  # the text's own order
    limit = alpha * (shuffles + 1)
    for k in range(shuffles):
        order = rng.permutation(len(units))
        start = np.empty(len(units), dtype=np.int64)
        start[order] = np.concatenate([[0], np.cumsum(lens[order])[:-1]])
        as_long += chain(start[unit_of[moved]] + inside[moved]) >= observed
        if as_long > limit:
            # p already above alpha: the rest cannot bring it down (p is reported over the
            # shuffles run so far, an estimate above alpha)
            return as_long / (k + 2), side, unit, len(units)
    return as_long / (shuffles + 1), side, unit, len(units)


def _finer_partners(src_emb: np.ndarray, tgt_emb: np.ndarray, finer_side: str) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``: each sentence of the finer side (``finer_side``) with its best partner on the
    other side and every partner whose margin is within :data:`FINER_TIE` null standard deviations
    of that best, all above the null mean plus :data:`FINER_Z` standard deviations."""
    from .embed import vector_pair

    target = finer_side == "target"
    fin = mine_detailed(src_emb, tgt_emb, max_link=1, select="backward" if target else "forward",
                        noise_null=False)
    bar = fin.null.threshold(FINER_Z)
    se, te = vector_pair(src_emb, tgt_emb, always=False)
    _, mar = margin_matrix(se, te, 4, "distance")  # mine_detailed's defaults
    if target:
        mar = mar.T  # a row for each finer-side sentence
    top = mar.max(axis=1, keepdims=True)
    rows, cols = np.nonzero(mar >= np.maximum(top - FINER_TIE * fin.null.sd, bar))
    return sorted((int(c), int(r)) if target else (int(r), int(c)) for r, c in zip(rows, cols, strict=True))


def _groups_sentences(units: Sequence[int] | None, size: int) -> bool:
    """Do the paragraph indices ``units`` of ``size`` sentences group them: fewer paragraphs than
    sentences, and at least :data:`ORDER_MIN_UNITS` of them?"""
    return units is not None and ORDER_MIN_UNITS <= len(set(units)) < size


def _paragraph_vectors(texts: Sequence[str], emb: np.ndarray, units: Sequence[int]) -> tuple[list[str], np.ndarray]:
    """Each paragraph as one text, its vector the normalised sum of its sentences' vectors."""
    from .embed import l2_normalise

    groups: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        groups.setdefault(int(u), []).append(i)
    gs = list(groups.values())
    e = np.asarray(emb, dtype=np.float32)
    return [" ".join(texts[i] for i in g) for g in gs], l2_normalise(np.stack([e[g].sum(axis=0) for g in gs]))


def paragraph_order_test(src: Sequence[str], tgt: Sequence[str], src_emb: np.ndarray, tgt_emb: np.ndarray,
                         src_units: Sequence[int], tgt_units: Sequence[int], z_anchor: float = 1.0,
                         ) -> dict[str, Any]:
    """The order tests of :func:`choose_mode` over the paragraphs themselves, where both sides mark
    them (``*_units``: each sentence's paragraph index): each paragraph one text whose vector is
    the normalised sum of its sentences', moved as a unit of its own. :func:`order_test` on the
    share a monotonic alignment of the paragraphs explains, then :func:`anchor_order_test` on their
    mutual-best pairs (``z_anchor`` null standard deviations above the null mean), with the bars
    of the sentence-level tests. Both are permutation tests over the paragraphs, valid for text
    whose paragraphs were shuffled, however short. Returns the evidence, ``para_parallel`` the
    verdict."""
    from .monotonic import explained_share

    ps, vs = _paragraph_vectors(src, src_emb, src_units)
    pt, vt = _paragraph_vectors(tgt, tgt_emb, tgt_units)
    vs, vt = _isotropic(vs, vt)
    explained = explained_share(ps, pt, vs, vt)
    us, ut = list(range(len(ps))), list(range(len(pt)))
    # each paragraph is a unit of its own, however many sentences it holds
    whole_s, whole_t = [2] * len(ps), [2] * len(pt)
    out: dict[str, Any] = {"para_counts": f"{len(ps)} x {len(pt)}", "para_explained": round(explained, 4)}
    ok = False
    tested = order_test(ps, pt, vs, vt, explained, us, ut, src_sizes=whole_s, tgt_sizes=whole_t)
    if tested is not None:
        _, mean, z, _, count = tested
        out.update(para_order_z=round(z, 2), para_explained_shuffled=round(mean, 4))
        ok = z >= ORDER_Z or (z >= ORDER_Z_EFFECT and explained >= ORDER_RATIO * mean
                              and count >= ORDER_EFFECT_UNITS)
    if not ok:
        res = mine_detailed(vs, vt, max_link=1, select="intersect", noise_null=False)
        bar = res.null.threshold(z_anchor)
        pairs = sorted((i, j) for i, j, s in res.candidates if s >= bar)
        by_pairs = anchor_order_test(pairs, len(ps), len(pt), us, ut, src_sizes=whole_s, tgt_sizes=whole_t)
        if by_pairs is not None:
            out["para_anchor_p"] = round(by_pairs[0], 4)
            ok = by_pairs[0] <= ANCHOR_ALPHA
    out["para_parallel"] = bool(ok)
    return out


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
    translation that leaves much untranslated. Where one side is split finer
    (:func:`parallel.monotonic.one_to_many` above 0: a long sentence rendered as several), few of
    its sentences have a mutual-best partner, so the anchor order test is also run over each
    finer-side sentence's best partner on the other side (margin above the null mean,
    :data:`FINER_Z`), several of them against one sentence allowed in the chain
    (:func:`_chain_length`): ``parallel`` at p <= :data:`ANCHOR_ALPHA` (hadith collections, one
    Arabic hadith a line against its English sentences: 14 of 16 right, 10 without it), each
    finer-side sentence with every partner within :data:`FINER_TIE` null standard deviations of its
    best (near-identical passages), one of them per sentence in the chain. Where both sides mark
    paragraphs, the order tests are also run over the paragraphs themselves
    (:func:`paragraph_order_test`).
    ``src_sents``/``tgt_sents``: the sentences (for their lengths and
    punctuation; equal-length stand-ins when missing). Documents with more than ``max_cells``
    sentence pairs are judged on their opening stretch (the same share of each side, about
    sqrt(max_cells) sentences), which keeps the choice fast on books.
    """
    from .monotonic import explained_share, one_to_many

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
    if ordered:  # ... and not a chain that chance gives
        chance = chain_chance(len(anchors), mono)
        ev["chain_chance"] = round(chance, 4)
        ordered = chance <= CHAIN_ALPHA
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
        if mode == "comparable" and one_to_many(n, m) > 0:
            # one side split finer (one long sentence rendered as several): its sentences rarely
            # have a mutual-best partner, but each has a best one, and in a translation those
            # run forward with the text, several of them against one sentence of the other side
            finer_side = "target" if m > n else "source"
            best = _finer_partners(src_emb, tgt_emb, finer_side)
            by_best = anchor_order_test(best, n, m, src_units, tgt_units, src_sizes=src_sizes, tgt_sizes=tgt_sizes,
                                        finer=finer_side)
            if by_best is not None:
                p_best, b_side, b_unit, _ = by_best
                ev.update(finer_side=finer_side, finer_pairs=len({(j if m > n else i) for i, j in best}),
                          finer_order_p=round(p_best, 4), finer_order_side=b_side, finer_order_unit=b_unit)
                if p_best <= ANCHOR_ALPHA:
                    mode = "parallel"
        if (mode == "comparable" and src_units is not None and tgt_units is not None
                and _groups_sentences(src_units, n) and _groups_sentences(tgt_units, m)):
            # both sides mark paragraphs: the same tests over the paragraphs themselves, each one
            # text whose vector sums its sentences' (a hadith and its translation are alike as a
            # whole where the Arabic chain of narrators and "Abu Huraira reported:" are not)
            by_para = paragraph_order_test(src_list, tgt_list, src_emb, tgt_emb, src_units, tgt_units, z_anchor)
            ev.update(by_para)
            if by_para["para_parallel"]:
                mode = "parallel"
    return ModeChoice(mode, ev)
