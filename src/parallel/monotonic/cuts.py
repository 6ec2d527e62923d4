"""One-to-many documents: the cut between two neighbouring links, settled with the links' texts
embedded.

The search reads a span of several sentences as the length-weighted sum of their vectors (the span
budget embeds only some spans as text), and a sum barely moves when a short sentence at its edge
is added or dropped. Text+Berg's French renders two German sentences as one ("Un instant plus
tard, croyant avoir perçu un signal de ma part, mon interlocuteur saute ... et disparaît à ma
vue"); the search linked the first of them ("Einen Augenblick später springt mein Fragesteller
...") with the French sentence before it, which says what the two German sentences before it
say. Embedded as text, the links say more: with that sentence moved across the cut, the two
links' cosines go from 0.30 and 0.70 to 0.60 and 0.78.

:func:`settle_cuts` tries, at each cut between two neighbouring links that hold both sides, moving
the sentence next to the cut, on either side, into the other link; summed vectors say which move
looks best there, and where one looks better at all, the two links before and after it are
embedded as text, the cuts that look most improved first, within a budget
(:data:`SHIFT_SHARE`). The sentence moves when the two links' cosine (their mean, each weighted
by its length) rises by :data:`SHIFT_GAIN`. A cut with a text longer than the encoder reads
(:data:`parallel.embed.MAX_EMBED_CHARS`) stays: its vector does not see the end where the cut is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..data import Link
from ..embed import MAX_EMBED_CHARS, Encoder
from ..normalize import length as chars
from .clause_align import _relinked
from .dp import _normalise

#: How much the two links' cosine must rise, their mean weighted by each link's characters on both
#: sides, for a sentence to move across the cut between them. Measured on the visible sets
#: (docs/benchmarks.md, "Stop 62"), every cut embedded: from 0.06 to 0.1 no set loses a link and
#: the same cuts are mended (Text+Berg one-to-many test 6-8 links, the hadith set 5-7); at 0.05
#: the Qur'an sets lose 3, at 0.03-0.04 the held-out Qur'an 8-20: a smaller gain is as likely to
#: undo a right cut as to mend a wrong one.
SHIFT_GAIN = 0.08
#: The characters :func:`settle_cuts` may have embedded (+ 20 a text, as the span budget counts them),
#: as a share of the document's: a one-to-many document leaves 30% of the span budget to its longer
#: search (:data:`parallel.monotonic.search._FINER_SEARCH`), and this is part of it. With 0.1 the
#: hadith set gains 4 more links, and end to end nears 1.95x the time to embed each sentence once.
SHIFT_SHARE = 0.05

Pair = tuple[tuple[int, ...], tuple[int, ...]]
_CHUNK = 1024  # moves whose summed vectors are compared at once


def _moves(left: Pair, right: Pair, limit: int) -> list[tuple[Pair, Pair]]:
    """The two links with one sentence moved across the cut between them, on either side: the
    last of ``left`` into ``right`` or the first of ``right`` into ``left``. Each link keeps at
    least one sentence a side and at most ``limit``."""
    out: list[tuple[Pair, Pair]] = []
    for side in (0, 1):
        a, b = left[side], right[side]
        if a[-1] + 1 != b[0]:  # not next to each other on this side
            continue
        for first, second in ((a[:-1], (a[-1], *b)), ((*a, b[0]), b[1:])):
            if first and second and len(first) <= limit and len(second) <= limit:
                new_left = (first, left[1]) if side == 0 else (left[0], first)
                new_right = (second, right[1]) if side == 0 else (right[0], second)
                out.append((new_left, new_right))
    return out


def settle_cuts(links: list[Link], src: list[str], tgt: list[str], encoder: Encoder, src_emb: np.ndarray,
                tgt_emb: np.ndarray, *, limit: int, share: float | None, local: float, seed: int) -> list[Link]:
    """``links`` (in order) with the cuts between neighbouring links that hold both sides settled
    (see the module docstring). ``limit``: most sentences a side of a link; ``share``: the texts
    asked of the encoder may take that share of the document's characters (``chars(text) + 20``
    each, as the span budget counts them; :data:`SHIFT_SHARE` in :func:`parallel.monotonic.align_parallel`; None: no
    limit), a cut whose texts do not fit is passed over; ``local``, ``seed``: as the search was given them, to
    score the links changed as :func:`.second_pass.second_pass` scores a link (the others keep
    their score and features). A link takes part in one move at most."""
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    lens = (np.array([chars(x) for x in src], dtype=np.float64), np.array([chars(x) for x in tgt], dtype=np.float64))
    budget = None if share is None else share * float((lens[0] + 20.0).sum() + (lens[1] + 20.0).sum())
    texts = (src, tgt)
    pairs: list[Pair] = [(k.src, k.tgt) for k in links]

    def mean_cos(window: Sequence[Pair], vec: dict[tuple[int, tuple[int, ...]], np.ndarray]) -> float:
        """The links' cosines (their sides' vectors as embedded text, ``vec``), weighted by their
        characters on both sides."""
        w = [float(lens[0][list(a)].sum() + lens[1][list(b)].sum()) for a, b in window]
        cos = [float(vec[(0, a)] @ vec[(1, b)]) for a, b in window]
        return float(np.dot(w, cos) / max(sum(w), 1e-9))

    # what each move looks like with spans as the search reads them, length-weighted sums of the
    # sentences' vectors (running sums: a span's is the difference of two), all at once
    running = [np.concatenate([np.zeros((1, v.shape[1])), np.cumsum(v.astype(np.float64) * (n + 1.0)[:, None], axis=0)])
               for v, n in ((s, lens[0]), (t, lens[1]))]
    chars_run = [np.concatenate([[0.0], np.cumsum(n)]) for n in lens]
    windows: list[tuple[int, int, tuple[Pair, Pair]]] = []  # (cut, move number: 0 as it is, move)
    for x in range(len(pairs) - 1):
        left, right = pairs[x], pairs[x + 1]
        if left[0] and left[1] and right[0] and right[1]:
            windows += [(x, n, mv) for n, mv in enumerate([(left, right), *_moves(left, right, limit)])]
    cands: list[tuple[float, int, tuple[Pair, Pair]]] = []
    if windows:
        # (windows, 2 links, 2 sides): first and one-past-last sentence of each span
        lo = np.array([[[k[0][0], k[1][0]] for k in mv] for _, _, mv in windows])
        hi = np.array([[[k[0][-1] + 1, k[1][-1] + 1] for k in mv] for _, _, mv in windows])
        w = sum(chars_run[side][hi[:, :, side]] - chars_run[side][lo[:, :, side]] for side in (0, 1))
        cos = np.empty(w.shape)
        for c in range(0, len(windows), _CHUNK):  # (chunk, 2, d) at a time
            vs = [running[side][hi[c:c + _CHUNK, :, side]] - running[side][lo[c:c + _CHUNK, :, side]] for side in (0, 1)]
            norms = np.maximum(np.linalg.norm(vs[0], axis=2) * np.linalg.norm(vs[1], axis=2), 1e-12)
            cos[c:c + _CHUNK] = (vs[0] * vs[1]).sum(axis=2) / norms
        rough = (w * cos).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-9)
        now = 0.0
        best: tuple[float, int, tuple[Pair, Pair]] | None = None
        for (x, n, mv), r in zip(windows, rough.tolist(), strict=True):
            if n == 0:  # the cut as it is; its moves follow
                if best is not None and best[0] > 0:
                    cands.append((-best[0], best[1], best[2]))
                now, best = r, None
            elif best is None or r - now > best[0]:  # the first of equal moves
                best = (r - now, x, mv)
        if best is not None and best[0] > 0:
            cands.append((-best[0], best[1], best[2]))
    vec: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}
    for side, ids in ((side, k[side]) for k in pairs if k[0] and k[1] for side in (0, 1)):
        if len(ids) == 1:
            vec[(side, ids)] = (s, t)[side][ids[0]]
    spent = 0.0
    moved: set[int] = set()
    for _, x, mv in sorted(cands):
        if x in moved or x + 1 in moved:
            continue
        window = pairs[x:x + 2]
        need = sorted({(side, k[side]) for k in (*window, *mv) for side in (0, 1) if (side, k[side]) not in vec})
        asked = [" ".join(texts[side][i] for i in ids) for side, ids in need]
        if any(len(a) > MAX_EMBED_CHARS for a in asked):
            continue  # the encoder reads only the beginning of such a text: not where the cut is
        cost = sum(chars(a) + 20.0 for a in asked)
        if budget is not None and spent + cost > budget:
            continue
        spent += cost
        if asked:
            got = _normalise(np.asarray(encoder.encode(asked), dtype=np.float32))
            vec.update(zip(need, got, strict=True))
        if mean_cos(mv, vec) - mean_cos(window, vec) >= SHIFT_GAIN:
            pairs[x:x + 2] = list(mv)
            moved |= {x, x + 1}
    if not moved:
        return links
    return _relinked(links, pairs, src, tgt, src_emb, tgt_emb, local, seed)
