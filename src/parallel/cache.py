"""On-disk embedding cache keyed by model id and text hash.

Layout: one SQLite file per model id, ``<dir>/<slug>-<hash8>.v3.sqlite`` (16 KiB pages), table
``vec(id INTEGER PRIMARY KEY, key BLOB UNIQUE, dim INT, data BLOB)`` where ``key`` is the 16-byte
BLAKE2b hash of the UTF-8 text and ``data`` the float32 vector (little-endian) followed by the
CRC-32 of its bytes (4 bytes, little-endian): a flipped bit keeps a unit vector a unit vector
(a sign, a low mantissa bit), and such a row was served, and changed every later result. The encoder
(:class:`parallel.embed.CachedEncoder`) stores each text prefixed by the name of the list it was
embedded in, so that the cache never changes a result (``v2`` files kept the text alone and are no
longer read; they can be deleted). Rows are appended
in rowid order (only the small key index takes random inserts) and each batch is one transaction:
writing 100,000 512-d vectors takes ~3 s, where the first layout (a ``WITHOUT ROWID`` table keyed
by the hash, 4 KiB pages: 2 KiB rows inserted at random places) took ~23 s and twice the disk, as
much as embedding them (``bench/reliability_bench.py --cache``). Files of that layout
(``<slug>-<hash8>.sqlite``) are no longer read; they can be deleted. Why SQLite:
lookups are indexed (a second run over a large corpus reads only its own rows, not the
whole store), writes are transactional (a crash never leaves half a vector), and several
processes may share one cache (WAL journal, busy timeout; a lost race only means a
vector is embedded twice).

Recovery is silent: a row whose CRC does not match, or that is not a unit vector of the file's
dimension (damaged bytes, a row of another size, a row written before the CRC) is treated as a
miss and overwritten; a file that is not a database, or
that records another model, is removed and recreated. A file that is locked or cannot be
written is never removed: a file that can still be read (read-only, on a read-only disk) serves
its vectors and stores none, one that cannot be opened leaves the cache off for the run, and a
write that waits out the lock timeout (another process holding the file) stops the run's writes,
each with one note (heard as the command's other notes are: none under ``-q``). Any cache failure
falls back to "no cache" rather than failing the alignment. Table ``meta(k, v)`` records the
model id and the vectors' dimension.

Location: ``$PARALLEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/parallel-corpus``, else
``~/.cache/parallel-corpus`` (see :func:`default_cache_dir`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from .errors import say

__all__ = ["EmbeddingCache", "default_cache_dir", "text_key"]

_TIMEOUT_S = 30.0
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is >= 999)
_PAGE = 16384  # a 2 KiB vector per row: large pages keep rows off overflow pages


def default_cache_dir() -> Path:
    """``$PARALLEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/parallel-corpus``, else ``~/.cache/parallel-corpus``."""
    env = os.environ.get("PARALLEL_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # the XDG spec: a relative path is invalid and ignored
    base = Path(xdg).expanduser() if xdg and Path(xdg).expanduser().is_absolute() else Path.home() / ".cache"
    return base / "parallel-corpus"


def _with_crc(blob: bytes) -> bytes:
    """A vector's bytes followed by their CRC-32 (little-endian), as a row stores them."""
    return blob + zlib.crc32(blob).to_bytes(4, "little")


def text_key(text: str) -> bytes:
    """The 16-byte key of a text (BLAKE2b of its UTF-8 bytes)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _file_name(model_id: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:60].strip("_") or "model"
    return f"{slug}-{hashlib.blake2b(model_id.encode(), digest_size=4).hexdigest()}.v3.sqlite"


class EmbeddingCache:
    """Vectors by ``(model_id, text)``; ``get`` returns hits, ``put`` stores new vectors.

    ``directory=None`` uses :func:`default_cache_dir`. ``hits``/``misses`` count lookups.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        # one connection per thread and model: a connection belongs to the thread that opened it
        # (the review app's server answers each request in a thread of its own)
        self._conns: dict[tuple[int, str], sqlite3.Connection | None] = {}
        self._no_write: set[str] = set()  # models whose file is read but not written this run
        self.hits = 0
        self.misses = 0

    def path(self, model_id: str) -> Path:
        """The database file of ``model_id``."""
        return self.directory / _file_name(model_id)

    # ------------------------------------------------------------------ connections

    def _open(self, path: Path) -> sqlite3.Connection:
        # check_same_thread=False only so that close() may close it from another thread; each
        # thread queries through its own connection (_conn)
        conn = sqlite3.connect(str(path), timeout=_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA page_size={_PAGE}")  # only takes effect on a new file (before WAL)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS vec (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
                         "dim INTEGER NOT NULL, data BLOB NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            conn.execute("SELECT count(*) FROM (SELECT 1 FROM vec LIMIT 1)").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _conn(self, model_id: str) -> sqlite3.Connection | None:
        key = (threading.get_ident(), model_id)
        if key in self._conns:
            return self._conns[key]
        conn: sqlite3.Connection | None = None
        path = self.path(model_id)
        try:
            home = Path.home()
            if self.directory.is_relative_to(home) and not home.is_dir():
                # a service account's HOME=/nonexistent: not made (as root, the whole chain was)
                raise FileNotFoundError(f"the home folder {home} does not exist")
            self.directory.mkdir(parents=True, exist_ok=True)
            try:
                conn = self._open(path)
                if self._meta(conn, "model") not in (None, model_id):  # a file put here by hand
                    conn.close()
                    raise sqlite3.DatabaseError("the file holds another model's vectors")
            except sqlite3.OperationalError:
                raise  # locked, busy, read-only, cannot open: never remove what another process uses
            except sqlite3.DatabaseError:
                self._discard(path)
                conn = self._open(path)
            if self._meta(conn, "model") is None:
                conn.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('model', ?)", (model_id,))
        except (OSError, sqlite3.Error) as exc:
            conn = self._open_read_only(path, model_id)
            if conn is not None:
                self._no_write.add(model_id)
                say(f"embedding cache read-only ({path}: {exc}): its vectors are used, new ones are not stored")
            else:
                say(f"embedding cache disabled ({path}: {exc})")
        self._conns[key] = conn
        return conn

    @staticmethod
    def _open_read_only(path: Path, model_id: str) -> sqlite3.Connection | None:
        """``path`` opened for reading only, if it exists and holds ``model_id``'s vectors."""
        if not path.is_file():
            return None
        # a read-only file in a writable folder opens for reading; in a read-only folder a WAL file
        # cannot get its shared-memory index, and opens only as immutable, which is safe only there
        # (no process can write the file; elsewhere a locked file is another process's, left alone)
        queries = ["?mode=ro"] + (["?mode=ro&immutable=1"] if not os.access(path.parent, os.W_OK) else [])
        for query in queries:
            try:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}{query}", uri=True, timeout=_TIMEOUT_S,
                                       isolation_level=None, check_same_thread=False)
            except (sqlite3.Error, ValueError):
                continue
            try:
                row = conn.execute("SELECT v FROM meta WHERE k = 'model'").fetchone()
                conn.execute("SELECT count(*) FROM (SELECT 1 FROM vec LIMIT 1)").fetchone()
                if row is not None and str(row[0]) == model_id:
                    return conn
                conn.close()
                return None  # another model's file
            except sqlite3.Error:
                conn.close()
        return None

    @staticmethod
    def _meta(conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _discard(path: Path) -> None:
        """Remove a corrupt database (and its journal files); a new one is created in its place."""
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def _reset(self, model_id: str) -> None:
        conn = self._conns.pop((threading.get_ident(), model_id), None)
        if conn is not None:
            conn.close()
        self._discard(self.path(model_id))

    # ------------------------------------------------------------------ API

    def get(self, model_id: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors of ``texts`` as ``{text: float32 (d,)}`` (misses are absent)."""
        texts = list(dict.fromkeys(texts))
        conn = self._conn(model_id)
        out: dict[str, np.ndarray] = {}
        if conn is None or not texts:
            self.misses += len(texts)
            return out
        by_key = {text_key(t): t for t in texts}
        keys = list(by_key)
        try:
            want = self._meta(conn, "dim")
            unit = self._meta(conn, "unit") == "1"
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                rows = conn.execute(f"SELECT key, dim, data FROM vec WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall()
                for key, dim, data in rows:
                    if (not isinstance(data, bytes) or dim <= 0 or len(data) != 4 * dim + 4 or key not in by_key
                            or (want is not None and str(dim) != want) or _with_crc(data[:-4]) != data):
                        continue  # damaged row: a miss, overwritten by the next put
                    vec = np.frombuffer(data[:-4], dtype="<f4").astype(np.float32)
                    # a file of L2-normalised vectors (an encoder's): anything else is damage
                    if not np.all(np.isfinite(vec)) or (unit and abs(float(np.dot(vec, vec)) - 1.0) > 1e-3):
                        continue
                    out[by_key[key]] = vec
        except sqlite3.OperationalError:
            out = {}  # locked or busy: treat everything as a miss
        except sqlite3.DatabaseError:
            self._reset(model_id)
            out = {}
        self.hits += len(out)
        self.misses += len(texts) - len(out)
        return out

    def put(self, model_id: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store ``{text: float32 (d,)}`` (one transaction; failures are ignored)."""
        if not vectors:
            return
        conn = self._conn(model_id)
        if conn is None or model_id in self._no_write:
            return
        rows = []
        unit = True
        for text, vec in vectors.items():
            arr = np.ascontiguousarray(vec, dtype="<f4").reshape(-1)
            rows.append((text_key(text), int(arr.shape[0]), _with_crc(arr.tobytes())))
            unit = unit and abs(float(np.dot(arr, arr)) - 1.0) <= 1e-3
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                dims = {r[1] for r in rows}
                if len(dims) == 1:
                    conn.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('dim', ?)", (str(dims.pop()),))
                conn.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('unit', ?)", ("1" if unit else "0",))
                conn.executemany("INSERT OR REPLACE INTO vec (key, dim, data) VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back itself (disk full): the first error is the one to say
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            # locked for longer than the timeout (another process holds the file), or the disk
            # refused: every later write would wait as long, so this run stores nothing more
            self._no_write.add(model_id)
            say(f"embedding cache not written for the rest of this run ({self.path(model_id)}: {exc})")
        except sqlite3.DatabaseError:
            self._reset(model_id)

    def close(self) -> None:
        """Close open database connections."""
        for conn in self._conns.values():
            if conn is not None:
                conn.close()
        self._conns.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except (sqlite3.Error, AttributeError):
            pass
