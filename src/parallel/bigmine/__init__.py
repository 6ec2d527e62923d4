"""Corpus-scale bitext mining: two sentence collections far larger than a similarity matrix allows.

Pipeline (``parallel-corpus mine``), one module a step (:mod:`.pipeline` runs them over files):

1. **Collect** (:mod:`.store`) each side's sentences from its files (one sentence a line, or
   segmented documents), dropping exact duplicates (after white-space normalisation; the first
   occurrence is kept and its ``file:line`` origin recorded). Texts go to ``WORK/<side>/texts.txt``
   with byte offsets in ``offsets.npy`` so a sentence is read back by id without holding the side
   in memory.
2. **Embed** (:mod:`.embedding`) in chunks of ``chunk_size`` sentences on an engine (local
   processes or Ray tasks); each chunk is saved as ``WORK/<side>/emb_NNNNN.npy`` (float32
   ``(rows, d)``, L2-normalised) and memory-mapped when read. Chunks already on disk are reused (a resumed
   run re-embeds nothing), and so are the pieces of :data:`EMBED_PIECE` sentences of a chunk a run
   stopped in (``piece_*.npy``, removed once their chunk is saved).
3. **Search** (:mod:`.exact`, :mod:`.ivf`) the k nearest neighbours in both directions:

   * ``exact`` — blocked brute force over chunk pairs, two passes (k-NN means, then the
     best/second-best margin of every row and column over *all* candidates). Gives exactly the
     pairs of comparable mode (:func:`parallel.mine.mine_detailed` with ``max_link=1``); time
     O(n m d), memory O(chunk^2 + (n + m) k).
   * ``ivf`` — FAISS IVF with 8-bit scalar-quantised codes (inner product; ``nlist = min(4
     sqrt(N), N/39)`` lists from one rough spherical k-means on a sample of both sides,
     ``nprobe`` probed: by default enough for about 2,560 vectors a query, see
     :func:`default_nprobe`) built over one side and searched with the other side's chunks, then the
     other way round. The coarse quantizer is a BLAS product (:func:`coarse_assign`), run once
     per side: a row's best list places it in its own side's index, its ``nprobe`` best lists
     are where it searches the other's (FAISS then scans only, ``search_preassigned``, with the
     queries of a chunk ordered by list). Candidates are each sentence's ``candidates`` nearest
     neighbours, re-scored with the exact float32 vectors; margins, best and second best are
     taken among them. Memory: one side's codes in the index (N d bytes), both sides' list
     assignments (N nprobe 12 bytes) and one chunk; the other side's index is built after the
     first is freed.
   * ``auto`` (default) — ``exact`` while ``n * m <= EXACT_MAX_CELLS`` (6.4e7, e.g. 8k x 8k),
     else ``ivf``.

4. **Score and select** (:mod:`.selection`) exactly as comparable mode does (:mod:`parallel.mine`):
   distance margin (or ratio) from both k-NN means, mutual best pairs (``intersect``), and the calibrated
   threshold: the null distribution is :func:`parallel.mine.calibrate_null` of the second-best
   margins of all rows and columns, the threshold ``null.threshold(z_min)``.
   By default pairs are then kept by their calibrated probability ``p``
   (:mod:`parallel.confidence`, ``min_p``) instead of the margin threshold.
5. **Write** (:mod:`.write`) the kept pairs, most probable first, streaming the texts from disk, in
   the pair schema every command reads (:mod:`parallel.schema`; tsv, jsonl, tmx or moses), with
   ``src_origin``/``tgt_origin`` (``FILE:LINE``) last.

Each mutual-best selection uses every source and every target at most once, and duplicates
were removed before embedding, so the output holds no repeated sentence on either side.
"""

from __future__ import annotations

from .embedding import EMBED_PIECE, EmbedJob, embed_chunk, embed_side
from .exact import BLOCK_CELLS, Neighbours, exact_neighbours
from .ivf import (
    ASSIGN_ROWS,
    IVF_CODES,
    NPROBE_RANGE,
    SCAN_PER_QUERY,
    TRAIN_PER_LIST,
    assign_store,
    coarse_assign,
    default_nprobe,
    faiss_knn,
    ivf_lists,
    ivf_neighbours,
    spherical_kmeans,
    train_centroids,
)
from .pipeline import choose_model, mine_corpus, prepare_side
from .selection import (
    EXACT_MAX_CELLS,
    INDEXES,
    ROTATION_SIDE,
    BigMineResult,
    calibrated_threshold,
    choose_index,
    comparable_defaults,
    default_z_min,
    mine_arrays,
    mine_stores,
)
from .store import Log, Sentences, VectorStore, collect_sentences, expand_inputs, save_chunk
from .write import MINE_FORMATS, mine_signature, mined_rows, write_pairs

__all__ = [
    "ASSIGN_ROWS",
    "BLOCK_CELLS",
    "EMBED_PIECE",
    "EXACT_MAX_CELLS",
    "INDEXES",
    "IVF_CODES",
    "MINE_FORMATS",
    "NPROBE_RANGE",
    "ROTATION_SIDE",
    "SCAN_PER_QUERY",
    "TRAIN_PER_LIST",
    "BigMineResult",
    "EmbedJob",
    "Log",
    "Neighbours",
    "Sentences",
    "VectorStore",
    "assign_store",
    "calibrated_threshold",
    "choose_index",
    "choose_model",
    "coarse_assign",
    "collect_sentences",
    "comparable_defaults",
    "default_nprobe",
    "default_z_min",
    "embed_chunk",
    "embed_side",
    "exact_neighbours",
    "expand_inputs",
    "faiss_knn",
    "ivf_lists",
    "ivf_neighbours",
    "mine_arrays",
    "mine_corpus",
    "mine_signature",
    "mine_stores",
    "mined_rows",
    "prepare_side",
    "save_chunk",
    "spherical_kmeans",
    "train_centroids",
    "write_pairs",
]
