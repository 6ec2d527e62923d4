"""Monotonic n-m sentence alignment by dynamic programming (first version; see issue 5)."""

from __future__ import annotations

import numpy as np

from .data import Link
from .embed import Encoder

_MOVES = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
_SKIP = -0.1


def align_parallel(
    src: list[str],
    tgt: list[str],
    encoder: Encoder,
    *,
    max_link: int = 2,
    src_emb: np.ndarray | None = None,
    tgt_emb: np.ndarray | None = None,
) -> list[Link]:
    """Align two sentence lists monotonically; every sentence is in one link."""
    n, m = len(src), len(tgt)
    if src_emb is None:
        src_emb = encoder.encode(src)
    if tgt_emb is None:
        tgt_emb = encoder.encode(tgt)
    span_cache: dict[tuple[str, int, int], np.ndarray] = {}

    def span(side: str, i: int, k: int) -> np.ndarray:
        if k == 1:
            return (src_emb if side == "s" else tgt_emb)[i]
        key = (side, i, k)
        if key not in span_cache:
            sents = src if side == "s" else tgt
            span_cache[key] = encoder.encode([" ".join(sents[i : i + k])])[0]
        return span_cache[key]

    cost = np.full((n + 1, m + 1), -np.inf)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int64)
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for a, b in _MOVES:
                if i < a or j < b or cost[i - a, j - b] == -np.inf:
                    continue
                if a == 0 or b == 0:
                    s = _SKIP
                else:
                    s = float(span("s", i - a, a) @ span("t", j - b, b))
                total = cost[i - a, j - b] + s * max(a, b)
                if total > cost[i, j]:
                    cost[i, j] = total
                    back[i, j] = (a, b)
    links: list[Link] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = (int(x) for x in back[i, j])
        sim = 0.0 if a == 0 or b == 0 else float(span("s", i - a, a) @ span("t", j - b, b))
        links.append(Link(tuple(range(i - a, i)), tuple(range(j - b, j)), sim, {"cosine": sim}))
        i, j = i - a, j - b
    links.reverse()
    return links
