"""Non-monotonic bitext mining for comparable texts (first version; see issue 5)."""

from __future__ import annotations

import numpy as np

from .data import Link


def _knn_mean(sim: np.ndarray, k: int, axis: int) -> np.ndarray:
    k = max(1, min(k, sim.shape[axis]))
    part = -np.partition(-sim, k - 1, axis=axis)
    return part.take(range(k), axis=axis).mean(axis=axis)


def margin_matrix(src_emb: np.ndarray, tgt_emb: np.ndarray, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Cosine matrix and ratio margin (Artetxe & Schwenk 2019), both (n, m)."""
    sim = src_emb @ tgt_emb.T
    if sim.size == 0:
        return sim, sim
    fwd = _knn_mean(sim, k, 1)
    bwd = _knn_mean(sim, k, 0)
    margin = sim / ((fwd[:, None] + bwd[None, :]) / 2)
    return sim, margin


def mine(src_emb: np.ndarray, tgt_emb: np.ndarray, *, k: int = 4, threshold: float = 1.06) -> list[Link]:
    """Mutual best pairs whose ratio margin passes ``threshold``, sorted by source."""
    sim, margin = margin_matrix(src_emb, tgt_emb, k)
    links: list[Link] = []
    if margin.size == 0:
        return links
    best_t = margin.argmax(axis=1)
    best_s = margin.argmax(axis=0)
    for i, j in enumerate(best_t):
        if best_s[j] == i and margin[i, j] >= threshold:
            links.append(Link((i,), (int(j),), float(margin[i, j]),
                              {"cosine": float(sim[i, j]), "margin": float(margin[i, j])}))
    return links


def choose_mode(src_emb: np.ndarray, tgt_emb: np.ndarray) -> str:
    """``parallel`` when the texts look like translations of each other, else ``comparable``."""
    if len(src_emb) == 0 or len(tgt_emb) == 0:
        return "parallel"
    links = mine(src_emb, tgt_emb)
    covered = len(links) / min(len(src_emb), len(tgt_emb))
    return "parallel" if covered >= 0.5 else "comparable"
