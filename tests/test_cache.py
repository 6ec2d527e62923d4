"""The on-disk embedding cache (parallel.cache) and the caching encoder wrapper."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from parallel.cache import EmbeddingCache, default_cache_dir, text_key
from parallel.embed import CachedEncoder, LazyEncoder, UseM3, batch_context, get_encoder, model_id


class TrigramEncoder:
    """A small real encoder: hashed character trigrams, 64-d, L2-normalised; counts its calls."""

    name = "trigram"
    model_id = "trigram@1"

    def __init__(self) -> None:
        self.calls = 0
        self.texts_seen = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_seen += len(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            padded = f"  {t}  "
            for j in range(len(padded) - 2):
                h = hashlib.blake2b(padded[j:j + 3].encode(), digest_size=2).digest()
                out[i, int.from_bytes(h, "little") % 64] += 1.0
        out[:, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)


TEXTS = ["The weather is nice today.", "الطقس جميل اليوم.", "Oil prices rose.", "ارتفعت أسعار النفط."]


def test_put_then_get_round_trips_exactly(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    vecs = TrigramEncoder().encode(TEXTS)
    cache.put("m", dict(zip(TEXTS, vecs)))
    got = cache.get("m", TEXTS + ["not stored"])
    assert set(got) == set(TEXTS)
    for t, v in zip(TEXTS, vecs):
        assert got[t].dtype == np.float32 and np.array_equal(got[t], v)
    assert cache.get("other-model", TEXTS) == {}
    assert cache.path("m") != cache.path("other-model")


def test_second_encoder_embeds_nothing(tmp_path: Path) -> None:
    first_model = TrigramEncoder()
    first = CachedEncoder(first_model, EmbeddingCache(tmp_path))
    a = first.encode(TEXTS + TEXTS[:2])
    assert first_model.texts_seen == len(TEXTS)  # duplicates embedded once
    second_model = TrigramEncoder()
    second = CachedEncoder(second_model, EmbeddingCache(tmp_path))
    b = second.encode(TEXTS + TEXTS[:2])
    assert second_model.calls == 0 and second.embedded == 0
    assert np.array_equal(a, b)
    # a list new as a whole is embedded whole (stop 40: vectors are kept per list, see below)
    c = second.encode(["A new sentence."] + TEXTS)
    assert second_model.texts_seen == len(TEXTS) + 1
    assert np.array_equal(c[1:], a[:len(TEXTS)])  # this toy model is batch-independent
    third = CachedEncoder(TrigramEncoder(), EmbeddingCache(tmp_path))
    assert np.array_equal(third.encode(["A new sentence."] + TEXTS), c) and third.embedded == 0


def test_batches_and_progress(tmp_path: Path) -> None:
    model = TrigramEncoder()
    seen: list[tuple[int, int]] = []
    enc = CachedEncoder(model, None, batch_size=3, progress=lambda d, n: seen.append((d, n)))
    texts = [f"sentence {i}" for i in range(8)]
    out = enc.encode(texts)
    assert out.shape == (8, 64)
    assert model.calls == 3 and seen == [(3, 8), (6, 8), (8, 8)]
    assert np.allclose(out, TrigramEncoder().encode(texts), atol=1e-6)


def test_corrupt_file_is_recovered_silently(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = EmbeddingCache(tmp_path)
    path = cache.path("m")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    model = TrigramEncoder()
    enc = CachedEncoder(model, cache)
    a = enc.encode(TEXTS)
    assert model.texts_seen == len(TEXTS)
    again = TrigramEncoder()
    b = CachedEncoder(again, EmbeddingCache(tmp_path)).encode(TEXTS)
    assert again.calls == 0 and np.array_equal(a, b)
    assert capsys.readouterr().err == ""


def test_file_corrupted_after_opening_is_recovered(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    enc = CachedEncoder(TrigramEncoder(), cache)
    enc.encode(TEXTS)
    cache.close()
    path = cache.path("trigram@1")
    data = bytearray(path.read_bytes())
    data[:100] = b"\x00" * 100  # the SQLite header
    path.write_bytes(bytes(data))
    model = TrigramEncoder()
    out = CachedEncoder(model, EmbeddingCache(tmp_path)).encode(TEXTS)
    assert model.texts_seen == len(TEXTS) and out.shape == (len(TEXTS), 64)


def test_damaged_row_is_a_miss(tmp_path: Path) -> None:
    import sqlite3

    cache = EmbeddingCache(tmp_path)
    CachedEncoder(TrigramEncoder(), cache).encode(TEXTS)
    cache.close()
    with sqlite3.connect(cache.path("trigram@1")) as conn:
        damaged = conn.execute("UPDATE vec SET data = ? WHERE key = ?",
                               (b"\x01\x02\x03", text_key(batch_context(TEXTS) + TEXTS[0])))
        assert damaged.rowcount == 1
    model = TrigramEncoder()
    out = CachedEncoder(model, EmbeddingCache(tmp_path)).encode(TEXTS)
    assert model.texts_seen == len(TEXTS)  # the list is embedded again, whole
    assert np.allclose(out[0], TrigramEncoder().encode(TEXTS[:1])[0])


def test_default_dir_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PARALLEL_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("PARALLEL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "parallel-corpus"
    assert EmbeddingCache().directory == tmp_path / "xdg" / "parallel-corpus"


def test_unwritable_cache_dir_falls_back_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    model = TrigramEncoder()
    out = CachedEncoder(model, EmbeddingCache(blocker / "sub")).encode(TEXTS)
    assert out.shape == (len(TEXTS), 64) and model.texts_seen == len(TEXTS)


WRITER = """
import sys, numpy as np
from parallel.cache import EmbeddingCache
cache = EmbeddingCache(sys.argv[1])
rng = np.random.default_rng(int(sys.argv[2]))
for round_ in range(20):
    texts = [f"text {i}" for i in range(round_ * 25, round_ * 25 + 50)]
    vecs = np.stack([np.full(8, float(t.split()[1]), dtype=np.float32) for t in texts])
    got = cache.get("shared", texts)
    for t, v in got.items():
        assert v[0] == float(t.split()[1]), (t, v)
    cache.put("shared", dict(zip(texts, vecs)))
"""


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(seed)], stderr=subprocess.PIPE,
                              text=True) for seed in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    texts = [f"text {i}" for i in range(19 * 25 + 50)]
    got = EmbeddingCache(tmp_path).get("shared", texts)
    assert len(got) == len(texts)
    assert all(v.shape == (8,) and v[0] == float(t.split()[1]) for t, v in got.items())


def test_get_encoder_cache_option(tmp_path: Path) -> None:
    enc = get_encoder("use-m3", cache=tmp_path)
    a = enc.encode(TEXTS)
    assert any(tmp_path.glob("use-m3*.sqlite"))
    again = get_encoder("use-m3", cache=tmp_path)
    b = again.encode(TEXTS)
    assert again.embedded == 0 and np.array_equal(a, b)
    # served by the cache: the model itself was never loaded
    lazy = again.inner.inner
    assert isinstance(lazy, LazyEncoder) and not lazy.loaded
    assert lazy.model_id == model_id("use-m3") == UseM3().model_id
    again.encode(["A sentence that is not in the cache yet."])
    assert lazy.loaded


AR_LINES = "ارتفعت أسعار النفط اليوم.\nيلعب الأطفال في الحديقة.\nوقع الوزير الاتفاقية في جنيف.\n"
EN_LINES = "Oil prices rose today.\nThe children are playing in the garden.\nThe minister signed the agreement in Geneva.\n"


def test_cli_cache_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from parallel.cli import main

    ar, en = tmp_path / "d.ar", tmp_path / "d.en"
    ar.write_text(AR_LINES, encoding="utf-8")
    en.write_text(EN_LINES, encoding="utf-8")
    default_dir, chosen = tmp_path / "default-cache", tmp_path / "chosen"
    monkeypatch.setenv("PARALLEL_CACHE_DIR", str(default_dir))
    base = ["align", str(ar), str(en), "--presplit", "--mode", "parallel", "-q"]
    runner = CliRunner()
    r1 = runner.invoke(main, [*base, "--no-cache", "--threads", "1", "-o", str(tmp_path / "a.tsv")])
    assert r1.exit_code == 0, r1.output
    assert not default_dir.exists()
    r2 = runner.invoke(main, [*base, "--cache-dir", str(chosen), "-o", str(tmp_path / "b.tsv")])
    assert r2.exit_code == 0, r2.output
    assert list(chosen.glob("use-m3*.sqlite")) and not default_dir.exists()
    r3 = runner.invoke(main, [*base, "--cache-dir", str(chosen), "-o", str(tmp_path / "c.tsv")])
    r4 = runner.invoke(main, [*base, "-o", str(tmp_path / "d.tsv")])
    assert r3.exit_code == 0 and r4.exit_code == 0
    assert list(default_dir.glob("use-m3*.sqlite"))
    out = [(tmp_path / f"{n}.tsv").read_bytes() for n in "abcd"]
    assert out[0] and all(o == out[0] for o in out)
    assert r1.stderr == ""
    bad = runner.invoke(main, [*base, "--threads", "0"])
    assert bad.exit_code == 2


def test_progress_lines_for_long_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    from parallel.embed import stderr_progress

    enc = CachedEncoder(TrigramEncoder(), None, batch_size=10,
                        progress=stderr_progress(min_total=5, long_total=50))
    enc.encode([f"s{i}" for i in range(100)])
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("embedding: 100/100 sentences (100%, ") and 5 <= len(lines) <= 11
    enc.encode([f"t{i}" for i in range(20)])  # short input: no progress on a non-terminal
    assert capsys.readouterr().err == ""


def _unit(n: int, d: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_damaged_rows_and_rows_of_another_size_are_misses(tmp_path: Path) -> None:
    """Flipped bytes in a row were served as a vector (norm 48), and a row of another dimension
    made every later run fail ('all input arrays must have the same shape')."""
    import sqlite3

    cache = EmbeddingCache(tmp_path)
    texts = [f"t{i}" for i in range(6)]
    cache.put("m", dict(zip(texts, _unit(6), strict=True)))
    cache.close()
    db = sqlite3.connect(str(cache.path("m")))
    db.execute("UPDATE vec SET data = ? WHERE id = 2", (np.full(8, 17.0, "<f4").tobytes(),))
    db.execute("UPDATE vec SET dim = 3, data = ? WHERE id = 4", (np.ones(3, "<f4").tobytes(),))
    db.commit()
    db.close()
    got = EmbeddingCache(tmp_path).get("m", texts)
    assert sorted(got) == ["t0", "t2", "t4", "t5"]   # rows 2 and 4 (t1, t3) are misses
    assert all(abs(float(np.linalg.norm(v)) - 1.0) < 1e-3 and v.shape == (8,) for v in got.values())


def test_a_flipped_bit_that_keeps_a_unit_vector_is_a_miss(tmp_path: Path) -> None:
    """A row's sign bit flipped keeps the vector's length exactly: it passed the unit-length check,
    was served, and changed the alignment of every later run (6 to 90 of 190 rows). Each row now
    carries the CRC-32 of its bytes; a row without one (written before it) is a miss too."""
    import sqlite3

    cache = EmbeddingCache(tmp_path)
    texts = [f"t{i}" for i in range(4)]
    vecs = _unit(4, d=16)
    cache.put("m", dict(zip(texts, vecs, strict=True)))
    cache.close()
    db = sqlite3.connect(str(cache.path("m")))
    (row,) = db.execute("SELECT data FROM vec WHERE id = 2").fetchone()
    flipped = bytearray(row)
    flipped[3] ^= 0x80  # the sign of the first float
    db.execute("UPDATE vec SET data = ? WHERE id = 2", (bytes(flipped),))
    db.execute("UPDATE vec SET data = ? WHERE id = 3", (vecs[2].astype("<f4").tobytes(),))  # no CRC
    db.commit()
    db.close()
    flipped_vec = np.frombuffer(bytes(flipped[:-4]), dtype="<f4")
    assert abs(float(np.dot(flipped_vec, flipped_vec)) - 1.0) < 1e-6  # still a unit vector
    got = EmbeddingCache(tmp_path).get("m", texts)
    assert sorted(got) == ["t0", "t3"]
    assert all(np.array_equal(got[t], vecs[i]) for i, t in enumerate(texts) if t in got)


def test_another_models_file_is_not_served(tmp_path: Path) -> None:
    """e5-small's file copied over use-m3's was served: 384-d vectors under use-m3's name."""
    import shutil

    cache = EmbeddingCache(tmp_path)
    cache.put("other", {"a": _unit(1, 4)[0]})
    cache.close()
    shutil.copy(cache.path("other"), cache.path("mine"))
    assert EmbeddingCache(tmp_path).get("mine", ["a"]) == {}


def test_a_locked_cache_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A cache another process held locked past the busy timeout was taken for a corrupt file and
    deleted under it (its rows lost)."""
    import sqlite3

    import parallel.cache as cache_mod

    cache = EmbeddingCache(tmp_path)
    cache.put("m", {"a": _unit(1)[0]})
    cache.close()
    path = cache.path("m")
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    inode = path.stat().st_ino
    monkeypatch.setattr(cache_mod, "_TIMEOUT_S", 0.2)
    try:
        assert EmbeddingCache(tmp_path).get("m", ["a"]) == {}
        assert path.exists() and path.stat().st_ino == inode
        assert "embedding cache disabled" in capsys.readouterr().err
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert sorted(EmbeddingCache(tmp_path).get("m", ["a"])) == ["a"]


def test_cache_folder_names_as_a_shell_user_writes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--cache-dir=~/x made a folder named '~' in the working directory; a relative XDG_CACHE_HOME
    (invalid, says the XDG spec) was used."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert EmbeddingCache("~/x").directory == tmp_path / "x"
    monkeypatch.delenv("PARALLEL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relcache")
    assert default_cache_dir() == tmp_path / ".cache" / "parallel-corpus"


def test_a_read_only_cache_serves_its_vectors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache file that cannot be written (read-only, a read-only disk) was not read either:
    every vector was embedded again (3.5 s -> 11 s on the whole NTREX)."""
    import os
    import sqlite3
    import stat

    import parallel.cache as cache_mod

    cache = EmbeddingCache(tmp_path / "c")
    cache.put("m", {"a": _unit(1)[0]})
    cache.close()
    path = cache.path("m")
    for p in (path, *path.parent.iterdir(), path.parent):
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        if os.access(path, os.W_OK):
            # root writes read-only files: the write SQLite refuses a non-root user is refused here
            def refuse(self: EmbeddingCache, where: Path) -> sqlite3.Connection:
                raise sqlite3.OperationalError("attempt to write a readonly database")

            monkeypatch.setattr(cache_mod.EmbeddingCache, "_open", refuse)
        ro = EmbeddingCache(tmp_path / "c")
        assert sorted(ro.get("m", ["a", "b"])) == ["a"]
        ro.put("m", {"b": _unit(2)[0]})  # not stored, no error
        assert "embedding cache read-only" in capsys.readouterr().err
    finally:
        for p in (path.parent, *path.parent.iterdir()):
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_a_cache_locked_by_a_writer_is_waited_for_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Another process holding a write transaction made every write wait the full timeout, once
    per encoder call: an align of 4 s took 395 s, without a word."""
    import sqlite3

    import parallel.cache as cache_mod

    cache = EmbeddingCache(tmp_path)
    cache.put("m", {"a": _unit(1)[0]})
    monkeypatch.setattr(cache_mod, "_TIMEOUT_S", 0.2)
    writer = EmbeddingCache(tmp_path)
    assert sorted(writer.get("m", ["a"])) == ["a"]  # opened before the other process took its lock
    holder = sqlite3.connect(str(cache.path("m")), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waited = []
        for n in range(3):
            conn = writer._conn("m")
            assert conn is not None
            calls: list[str] = []
            conn.set_trace_callback(calls.append)
            writer.put("m", {f"t{n}": _unit(n + 2)[0]})
            waited.append(any("BEGIN IMMEDIATE" in c for c in calls))
        assert waited == [True, False, False]  # the first write waits out the lock; the rest do not try
        assert capsys.readouterr().err.count("embedding cache not written for the rest of this run") == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_full_cache_says_it_is_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a full disk SQLite rolls the transaction back itself, and our ROLLBACK then failed: the note
    said "cannot rollback - no transaction is active" and hid why nothing was stored. A page limit
    is SQLite's own "database or disk is full"."""
    cache = EmbeddingCache(tmp_path)
    cache.put("m", {"a": _unit(1)[0]})
    conn = cache._conn("m")
    assert conn is not None
    conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0] + 1}")
    cache.put("m", {f"t{i}": v for i, v in enumerate(_unit(200, d=512))})
    err = capsys.readouterr().err
    assert "embedding cache not written for the rest of this run" in err and "full" in err, err
    assert "cannot rollback" not in err
    assert sorted(cache.get("m", ["a", "t0"])) == ["a"]  # what was there stays; nothing half-stored


def test_the_cache_never_changes_a_vector(tmp_path: Path) -> None:
    """Stop 40: USE v3 computes a sentence's vector to within about 2e-7 of itself depending on the
    sentences it shares a batch with, and the cache kept a vector by its text alone: a sentence
    first embedded in another document (another pair of a `run --jobs 2`, whichever worker came
    first) moved the sixth decimal of scores in JSON, JSONL and TMX from run to run. Vectors are
    kept per list now, so every call gives the bytes it gives without a cache, whatever the cache
    already holds."""
    root = Path(__file__).resolve().parents[1] / "corpus"
    ar = [s for s in root.joinpath("covid-cooperation.ar.txt").read_text(encoding="utf-8").split("\n") if s.strip()]
    plain = get_encoder("use-m3")
    one, other = ar[:6], ar[3:12]   # two documents sharing three lines
    assert not np.array_equal(plain.encode(one)[3:], plain.encode(other)[:3])   # the model's own wobble
    cached = get_encoder("use-m3", cache=str(tmp_path))
    for doc in (other, one, other, one):    # whatever was embedded before
        assert np.array_equal(cached.encode(doc), plain.encode(doc))


def test_a_batch_size_of_its_own_is_a_cache_entry_of_its_own(tmp_path: Path) -> None:
    """A model's vectors differ in their last bits with the batch they were made in: a call with
    another batch size was served the vectors stored by the default one (1.6e-7 off), where a
    cached call must return what an uncached one would."""
    from parallel.embed import DEFAULT_BATCH

    store = EmbeddingCache(tmp_path)
    CachedEncoder(TrigramEncoder(), store).encode(TEXTS)
    again = TrigramEncoder()
    CachedEncoder(again, store, batch_size=DEFAULT_BATCH).encode(TEXTS)
    assert again.calls == 0
    other = TrigramEncoder()
    enc = CachedEncoder(other, store, batch_size=2)
    enc.encode(TEXTS)
    assert other.calls == 2 and enc.embedded == len(TEXTS)
    third = TrigramEncoder()
    CachedEncoder(third, store, batch_size=2).encode(TEXTS)  # and that entry serves its own size
    assert third.calls == 0


def test_a_home_folder_that_does_not_exist_is_not_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A service account with HOME=/nonexistent: the default cache folder below it was made, the
    whole chain (as root, /nonexistent/.cache/parallel-corpus). The cache is off, with its note."""
    from parallel.cache import EmbeddingCache

    home = tmp_path / "no" / "such" / "home"
    monkeypatch.delenv("PARALLEL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    notes: list[str] = []
    monkeypatch.setattr("parallel.cache.say", notes.append)
    cache = EmbeddingCache()
    assert cache.directory == home / ".cache" / "parallel-corpus"
    assert cache._conn("use-m3_test") is None
    assert not (tmp_path / "no").exists()
    assert len(notes) == 1 and f"the home folder {home} does not exist" in notes[0]


def test_the_cache_answers_any_thread(tmp_path: Path) -> None:
    """The review app's server answers each request in a thread of its own, and its encoder reads
    the embedding cache: a connection opened in one thread and used in another was a
    ProgrammingError (an edit was "Not saved: internal error")."""
    import threading

    from parallel.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path)
    vec = np.arange(4, dtype=np.float32)
    cache.put("m", {"a": vec})
    got: list[dict[str, np.ndarray]] = []
    worker = threading.Thread(target=lambda: (cache.put("m", {"b": vec + 1}), got.append(cache.get("m", ["a", "b"]))))
    worker.start()
    worker.join()
    assert sorted(got[0]) == ["a", "b"] and np.array_equal(got[0]["b"], vec + 1)
    assert sorted(cache.get("m", ["a", "b"])) == ["a", "b"]
    cache.close()
