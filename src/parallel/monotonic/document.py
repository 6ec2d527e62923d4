"""The entry point: :func:`align_parallel` for a pair of documents, and
:func:`explained_share` for auto mode's test.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..data import Link
from ..embed import Encoder
from . import cuts, foreign
from .clause_align import absorb_additions, align_by_clauses, join_unfinished
from .dp import _normalise
from .first_pass import first_pass, prior_scale_for
from .search import _align_parallel, auto_max_link, one_to_many


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
    untranslated: bool = True,
    join_unfinished_lines: bool = True,
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
    a translation that splits sentences rarely adds one of its own); None: never. Then each cut
    between two neighbouring links moves one sentence where the links' texts, embedded, say so
    clearly (:func:`parallel.monotonic.cuts.settle_cuts`, within :data:`.cuts.SHIFT_SHARE` of the
    characters).

    ``untranslated``: a line written in the other side's language that copies no line there (an
    advertisement in the source language printed in the translation, an English abstract in an
    Arabic article) is left unlinked (:func:`parallel.monotonic.foreign.untranslated`): an
    encoder scores two sentences of one language high whatever they say, so the search would
    take it into a neighbouring link. False: every line is searched alike.

    ``join_unfinished_lines``: an opening phrase the search left unlinked, a line of a few words
    ending in a comma ("Now, therefore," before "The General Assembly"), joins the link after it
    (:func:`parallel.monotonic.clause_align.join_unfinished`). False: it stays a 1-0/0-1 link.

    ``spans``: how multi-sentence spans get vectors:

    * ``"auto"`` (default): first the whole band with length-weighted sums of sentence vectors;
      then spans made of sentences of links that are not 1-1 (and pairs across weak boundaries
      within ``context`` links of them, with ``weak_hot``) are embedded as joined text in one
      encoder call, the spans of the links found first, then the shortest (those next to the
      links found first before the others), up to ``span_budget`` x the characters of all
      sentences (None: no cap; the default 0.87 leaves room for the searches themselves within
      2x the time to embed each sentence once; in a one-to-many document, whose search is longer,
      up to 30% less, and the clause embeddings and the check of clause links across sentences count
      in it), and the band is searched again.
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
    with _single_thread_blas(), prior_scale_for(encoder):
        n, m = len(src), len(tgt)
        src_out = tgt_out = None
        if untranslated and n and m:
            src_out, tgt_out = foreign.untranslated_pair(src, tgt)
            src_out, tgt_out = (x if x.any() else None for x in (src_out, tgt_out))
        if (by_clause is not None and min(n, m) > 0 and one_to_many(n, m) >= by_clause and encoder is not None
                and spans != "sum" and max_link is None):
            if src_emb is None:
                src_emb = encoder.encode(src)
            if tgt_emb is None:
                tgt_emb = encoder.encode(tgt)
            links = align_by_clauses(src, tgt, encoder, src_emb, tgt_emb, opts, src_out, tgt_out)
            if links is None:
                links = _align_parallel(src, tgt, encoder, src_emb=src_emb, tgt_emb=tgt_emb,
                                        src_out=src_out, tgt_out=tgt_out, **opts)
            links = absorb_additions(links, src, tgt, encoder, src_emb, tgt_emb, local, seed, src_out, tgt_out)
            links = cuts.settle_cuts(links, src, tgt, encoder, src_emb, tgt_emb, limit=auto_max_link(n, m),
                                     share=None if span_budget is None else cuts.SHIFT_SHARE, local=local, seed=seed)
        else:
            if encoder is not None and n and m:
                src_emb = encoder.encode(src) if src_emb is None else src_emb
                tgt_emb = encoder.encode(tgt) if tgt_emb is None else tgt_emb
            links = _align_parallel(src, tgt, encoder, src_emb=src_emb, tgt_emb=tgt_emb,
                                    src_out=src_out, tgt_out=tgt_out, **opts)
        if join_unfinished_lines and src_emb is not None and tgt_emb is not None and n and m:
            links = join_unfinished(links, src, tgt, src_emb, tgt_emb, max_link or auto_max_link(n, m),
                                    local, seed, src_out, tgt_out)
        return links


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
