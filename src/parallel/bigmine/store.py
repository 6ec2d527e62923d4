"""Step 1, **collect**: each side's sentences on disk, and the vectors of a side as chunks on disk.

:func:`collect_sentences` writes a side's unique sentences to ``texts.txt`` with their byte
offsets (:class:`Sentences` reads one back by id); :class:`VectorStore` memory-maps the saved
chunks of a side's vectors (:func:`save_chunk`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import InputError, OutputError
from ..io import atomic_writer, decode_text

_WS = re.compile(r"\s+")

Log = Callable[[str], None] | None


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


def file_crc(path: Path) -> str:
    """The CRC-32 of a file's bytes, 8 hex digits (read in blocks: a chunk may hold gigabytes)."""
    crc = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            crc = zlib.crc32(block, crc)
    return f"{crc:08x}"


def crc_path(path: Path) -> Path:
    """Where the CRC of a work file is kept: ``NAME.crc`` beside it."""
    return path.with_name(path.name + ".crc")


def seal(path: Path, crc: str | None = None) -> None:
    """Write the CRC of ``path`` (or ``crc``, computed already) beside it, atomically."""
    with atomic_writer(crc_path(path)) as fh:
        fh.write((crc or file_crc(path)) + "\n")


def sealed(path: Path) -> bool:
    """Whether ``path`` holds the bytes its CRC says: a work file changed on disk since it was
    written (a flipped bit, an edit of the same length) is not, and neither is one without a CRC."""
    try:
        return crc_path(path).read_text(encoding="utf-8").strip() == file_crc(path)
    except (OSError, ValueError):
        return False


def save_chunk(path: Path, block: np.ndarray) -> None:
    """``np.save`` to a temporary name, then rename: a chunk file is complete or absent (a write that
    fails, a full disk, takes its temporary file away and names the chunk). Its CRC goes beside it
    first (:func:`seal`): a chunk that changes on disk later is found and embedded again."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(block, dtype=np.float32))
        seal(path, file_crc(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        # numpy's short write says only "N requested and M written"
        why = exc.strerror or f"{exc}: is the disk full?"
        raise OutputError(f"{path}: cannot write ({why})") from None


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
        """``FILE:LINE`` (1-based line) where sentence ``i`` first occurs (a file name that is not
        UTF-8 written with U+FFFD where its bytes are not: the outputs are UTF-8)."""
        f, line = self._origin[i][:2]
        name = str(self.files[int(f)]).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return f"{name}:{int(line)}"

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


def _files_under(root: Path) -> list[Path]:
    """The files under ``root``, sorted, hidden files and folders left out. A symlinked folder is
    followed as a symlinked file is (``Path.rglob`` skipped it without a word), each real folder
    once (a link back up the tree is no loop)."""
    seen: set[str] = set()
    out: list[Path] = []
    for here, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        if _MINE_STORE <= set(files):  # a --work folder's side kept inside an input folder: mine's own files
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out += [f for f in (Path(here) / name for name in files if not name.startswith(".")) if f.is_file()]
    return sorted(out)


#: Files that only a side of mine's ``--work`` folder holds together (:class:`Sentences`): a folder
#: holding them is never read as sentences, whichever run left it inside an input folder (a mine
#: given ``--work ar/w`` skipped it, the next one without --work read its embeddings as text).
_MINE_STORE = frozenset({"meta.json", "texts.txt", "texts.txt.crc", "offsets.npy"})


def expand_inputs(paths: Sequence[str | Path], exclude: str | Path | None = None) -> list[Path]:
    """Files as given; a folder stands for its files (recursively, symlinked folders followed,
    sorted, hidden ones skipped, and those under ``exclude``: mine's own ``--work`` folder placed
    inside an input folder)."""
    out: list[Path] = []
    skip = Path(os.path.realpath(exclude)) if exclude is not None else None
    for p in map(Path, paths):
        if p.is_dir():
            found = [f for f in _files_under(p) if skip is None or skip not in Path(os.path.realpath(f)).parents]
            if not found:
                raise InputError(f"{p}: folder has no files")
            out += found
        elif p.is_file():
            out.append(p)
        elif p.exists():  # a pipe (<(...), /dev/stdin): read more than once (its language, then its lines)
            raise InputError(f"{p}: not a regular file (a pipe?); mine reads each input more than once: save it "
                             "to a file first")
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
        from ..api import make_document

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
    for name in ("texts.txt", "offsets.npy", "origin.npy"):
        seal(folder / name)
    return Sentences(folder, [str(p) for p in files])
