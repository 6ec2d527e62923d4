"""Step 2, **embed**: a side's sentences in chunks on an engine, each chunk saved once, and the
pieces of a chunk a run stopped in kept for the next run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParallelError
from .store import Log, Sentences, VectorStore, crc_path, save_chunk, sealed


@dataclass(frozen=True)
class EmbedJob:
    model: str
    texts: list[str]


_ENCODERS: dict[str, Any] = {}


def embed_chunk(job: EmbedJob) -> np.ndarray:
    """Embed one chunk in a worker (encoder loaded once per process): float32 ``(rows, d)``."""
    from ..embed import get_encoder

    if job.model not in _ENCODERS:
        _ENCODERS[job.model] = get_encoder(job.model, threads=1)
    return np.asarray(_ENCODERS[job.model].encode(job.texts), dtype=np.float32)


EMBED_PIECE = 512


def embed_side(sents: Sentences, folder: Path, *, model: str, chunk_size: int, engine: Any,
               log: Log = None) -> VectorStore:
    """Embed the sentences into ``folder/emb_NNNNN.npy`` chunks, skipping chunks already there.

    Each chunk goes to the engine in pieces of :data:`EMBED_PIECE` sentences and is saved once
    all its pieces are in; until then each piece is kept in ``folder/piece_*.npy``, so a run killed
    in the middle of a chunk of 50,000 sentences (an hour with a slow encoder) resumes from its
    last piece. Progress (sentences) is shown on stderr unless ``log`` is None.
    """
    from ..engines import Failure
    from ..progress import bar

    n = len(sents)
    every: list[tuple[int, int, int]] = []  # (chunk, start, stop) in sentence ids
    for c, a in enumerate(range(0, n, chunk_size)):
        if not (folder / f"emb_{c:05d}.npy").exists():
            b = min(a + chunk_size, n)
            every.extend((c, s, min(s + EMBED_PIECE, b)) for s in range(a, b, EMBED_PIECE))
    left = Counter(c for c, _, _ in every)  # pieces per chunk
    parts: dict[int, dict[int, np.ndarray]] = {c: {} for c in left}

    def keep(c: int, s: int, arr: np.ndarray) -> None:
        """A piece is in: the chunk is saved (and its pieces' files go) once all its pieces are."""
        parts[c][s] = arr
        if len(parts[c]) == left[c]:
            save_chunk(folder / f"emb_{c:05d}.npy", np.concatenate([parts[c][k] for k in sorted(parts[c])]))
            del parts[c]
            for p in folder.glob(f"piece_{c:05d}_*.npy"):
                p.unlink(missing_ok=True)
                crc_path(p).unlink(missing_ok=True)

    # pieces a run stopped before its chunk was saved (killed, interrupted) left on disk: kept,
    # so that a restart loses at most the pieces in flight, not the whole chunk
    pieces = []
    for c, s, e in every:
        arr = _saved_piece(_piece_path(folder, c, s, e), e - s)
        if arr is None:
            pieces.append((c, s, e))
        else:
            keep(c, s, arr)

    def jobs() -> Iterator[EmbedJob]:
        for _, s, e in pieces:
            yield EmbedJob(model, list(sents.iter_texts(s, e)))

    with bar(sum(e - s for _, s, e in pieces), f"embedding {folder.name}", "sentences",
             enabled=log is not None) as progress:
        for i, arr in engine.imap(embed_chunk, jobs()):
            c, s, e = pieces[i]
            if isinstance(arr, Failure):
                raise ParallelError(f"embedding chunk {c} of {folder.name} failed: {arr.reason}")
            if left[c] > 1:  # a chunk of one piece is saved at once
                save_chunk(_piece_path(folder, c, s, e), arr)
            keep(c, s, arr)
            progress.update(e - s)
    return VectorStore(folder)


def _piece_path(folder: Path, c: int, s: int, e: int) -> Path:
    """Where a piece of chunk ``c`` (sentences ``s`` to ``e``) waits for the rest of its chunk."""
    return folder / f"piece_{c:05d}_{s:010d}_{e:010d}.npy"


def _saved_piece(path: Path, rows: int) -> np.ndarray | None:
    """The vectors of a piece an earlier run saved, or None (absent, unreadable, of another size, or
    changed since: its CRC does not match)."""
    if not sealed(path):
        return None
    try:
        arr = np.load(path)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(arr, np.ndarray) or arr.ndim != 2 or len(arr) != rows or arr.dtype != np.float32:
        return None
    return arr
