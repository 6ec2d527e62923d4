"""Monotonic n-m sentence alignment: coarse-to-fine banded dynamic programming, pure numpy.

Named steps, one module each (array shapes in the docstrings; ``n``/``m`` sentences, ``d``
embedding size):

1. :mod:`.first_pass` - :func:`first_pass`, a 1-1/skip path over sentence vectors, found
   coarse-to-fine (Vecalign): the vectors are summed pairwise until the grid is small, a full DP
   runs there and each finer level searches only a band around the projected path. A 1-1 link is
   worth its normalised cosine minus a threshold calibrated on pairs that cannot be translations,
   so no per-corpus tuning. Time and memory are linear. :func:`calibrate` reads the document's
   length ratio and spread from the path's 1-1 anchors.
2. :mod:`.dp` - :func:`band_from_path`, the band of the n-m search: ``band_width`` cells either
   side of that path (:class:`Band`: one column offset per row, so memory is (n + 1) x width,
   never n x m), and :func:`banded_dp`, the DP that runs in it.
3. :mod:`.second_pass` - :func:`second_pass`, the n-m DP inside the band over :func:`link_types`
   plus 1-0/0-1, first with span vectors made from sentence vectors (length-weighted sums, no
   encoder call, :mod:`.spans`); then the spans around the links that came out other than 1-1 are
   embedded as joined text, in one encoder call, and the band is searched again (Bertalign embeds
   every span; we embed the few the search needs, well under the cost of embedding each sentence
   once). A link is worth its margin (cosine minus the cosine with the sentences just outside the
   other span, Bertalign, mixed with Vecalign's cosine normalised by random sentences) times a
   length factor; a 1-1 link far off the document's length ratio (Gale-Church deviation,
   calibrated on the first-pass anchors) loses a little; a skipped sentence costs a little, less
   for a scrap, and a scrap ("V", OCR debris) never joins a multi-sentence link; a boundary inside
   a span that is weak (``:``/``;``/comma before, lower case after; a comma before a capital is
   not) earns a small bonus (:mod:`.boundaries`).
4. :mod:`.search` - one document's search from those steps, split at a long untranslated passage;
   :mod:`.clause_align` - one-to-many documents aligned through the clauses of their coarser side;
   :mod:`.document` - :func:`align_parallel`, the entry point, and :func:`explained_share`, auto
   mode's test.

The DP runs row by row; each row is a handful of vectorised numpy operations (the 0-1 moves inside
a row are a cumulative maximum), so 5,000 x 6,000 sentences take about a second of CPU and memory
is ``O((n + m) * band width * link types)``.
"""

from __future__ import annotations

from .boundaries import clause_edges, clauses, scraps, tails, weak_boundaries
from .clause_align import absorb_additions, align_by_clauses
from .document import align_parallel, explained_share
from .dp import Band, Move, band_from_path, banded_dp, full_band, link_types
from .first_pass import Calibration, calibrate, first_pass
from .search import GAP_SPLIT, auto_max_link, one_to_many
from .second_pass import second_pass

__all__ = [
    "GAP_SPLIT", "Band", "Calibration", "Move", "absorb_additions", "align_by_clauses", "align_parallel",
    "auto_max_link", "band_from_path", "banded_dp", "calibrate", "clause_edges", "clauses", "explained_share",
    "first_pass", "full_band", "link_types", "one_to_many", "scraps", "second_pass", "tails", "weak_boundaries",
]
