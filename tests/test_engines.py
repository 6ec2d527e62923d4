"""Execution engines: local processes and Ray give the same results; failures are per item."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from parallel.engines import THREAD_ENV, Failure, LocalEngine, get_engine
from parallel.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def square_or_fail(x: int) -> int:
    if x == 3:
        raise ValueError("three is bad")
    return x * x


def die_on_five(x: int) -> int:
    """Item 5 kills its worker (as the OOM killer or kill -9 would); the others take a moment, so
    some are in flight on the other worker when it dies."""
    import signal
    import time

    if x == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x * x


def worker_threads(_: int) -> str:
    return os.environ.get("OPENBLAS_NUM_THREADS", "")


def sigint_handler(_: int) -> str:
    import signal

    return repr(signal.getsignal(signal.SIGINT))


def test_a_worker_leaves_ctrl_c_to_the_driver() -> None:
    """Ctrl-C goes to the whole process group. A worker waiting for work took it too and printed a
    20-line traceback under the driver's "error: aborted" (2 of 3 times at the end of `run --jobs
    2`); the pool's workers now ignore SIGINT, and the driver stops them itself."""
    import signal

    eng = LocalEngine(2)
    try:
        got = {v for _, v in eng.imap(sigint_handler, range(4))}
    finally:
        eng.close()
    assert got == {repr(signal.SIG_IGN)}
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN  # the driver's own is left as it was


def test_local_engine_maps_every_item_and_reports_failures() -> None:
    eng = LocalEngine(2)
    try:
        got = dict(eng.imap(square_or_fail, range(7)))
        assert sorted(got) == list(range(7))
        assert isinstance(got[3], Failure) and "three is bad" in got[3].reason
        assert {i: v for i, v in got.items() if i != 3} == {i: i * i for i in range(7) if i != 3}
        # workers run with one BLAS thread; the parent's environment is left as it was
        assert {v for _, v in eng.imap(worker_threads, range(4))} == {THREAD_ENV["OPENBLAS_NUM_THREADS"]}
    finally:
        eng.close()
    assert os.environ.get("OPENBLAS_NUM_THREADS") != "1" or "OPENBLAS_NUM_THREADS" in os.environ


def test_a_dead_worker_fails_only_its_own_item() -> None:
    # the pool fails every item it holds when one worker dies: pairs of the living worker failed
    # with "worker process died" too (4 of 10 pairs of a run)
    eng = LocalEngine(2)
    try:
        got = dict(eng.imap(die_on_five, range(12)))
    finally:
        eng.close()
    assert sorted(got) == list(range(12))
    assert isinstance(got[5], Failure) and "worker process died" in got[5].reason
    assert {i: v for i, v in got.items() if i != 5} == {i: i * i for i in range(12) if i != 5}


def test_local_engine_consumes_items_lazily() -> None:
    pulled: list[int] = []

    def items() -> Iterator[int]:
        for i in range(20):
            pulled.append(i)
            yield i

    eng = LocalEngine(1)
    try:
        it = eng.imap(square_or_fail, items())
        next(it)
        assert len(pulled) <= 3  # at most 2 * workers in flight, plus the one being answered
        rest = list(it)
        assert len(rest) == 19
    finally:
        eng.close()


def test_engine_choice_errors() -> None:
    with pytest.raises(InputError):
        get_engine("spark")
    with pytest.raises(InputError):
        get_engine("local", ray_address="auto")
    with pytest.raises(InputError):
        LocalEngine(0)


def test_more_jobs_than_cpus_runs_one_worker_a_cpu_and_says_so() -> None:
    # -j 100000 started a process per chunk (140 of them, 6.5 GB on a 2-core machine)
    from parallel.engines import usable_cpus
    from parallel.errors import NOTE

    said: list[str] = []
    token = NOTE.set(said.append)
    try:
        many = LocalEngine(100_000)
        fits = LocalEngine(usable_cpus())
    finally:
        NOTE.reset(token)
    assert many.workers == fits.workers == usable_cpus() == len(os.sched_getaffinity(0))
    assert len(said) == 1 and said[0].startswith("--jobs 100000: ") and f"running {usable_cpus()} worker" in said[0]
    eng = LocalEngine(100_000)
    try:
        assert sorted(r for _, r in eng.imap(abs, [-3, -1, -2])) == [1, 2, 3]
    finally:
        eng.close()


@pytest.fixture(scope="module")
def ray_local() -> Iterator[object]:
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {**THREAD_ENV, "PYTHONPATH": os.pathsep.join(
                     [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}})
    yield ray
    if started:
        ray.shutdown()


def test_ray_engine_maps_items_and_reports_failures(ray_local: object) -> None:
    eng = get_engine("ray")
    try:
        got = dict(eng.imap(square_or_fail, range(6)))
    finally:
        eng.close()
    assert isinstance(got[3], Failure) and "three is bad" in got[3].reason
    assert {i: v for i, v in got.items() if i != 3} == {i: i * i for i in range(6) if i != 3}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_ray_and_local_runs_are_byte_identical(ray_local: object, tmp_path: Path) -> None:
    from test_corpus_run import make_corpus

    from parallel.corpus import run_manifest

    manifest = make_corpus(tmp_path / "in")
    local = run_manifest(manifest, tmp_path / "local", jobs=2)
    remote = run_manifest(manifest, tmp_path / "ray", engine="ray")
    assert local.aligned == remote.aligned == 3
    assert local.failures == remote.failures and len(local.failures) == 3
    assert tree(tmp_path / "local") == tree(tmp_path / "ray")


def test_ray_and_local_mining_are_byte_identical(ray_local: object, tmp_path: Path) -> None:
    from parallel.api import read_document
    from parallel.bigmine import mine_corpus

    ar = read_document(ROOT / "corpus" / "covid-cooperation.ar.txt", "ar").sentences
    en = read_document(ROOT / "corpus" / "covid-cooperation.en.txt", "en").sentences
    (tmp_path / "ar.txt").write_text("\n".join(ar) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    for engine in ("local", "ray"):
        mine_corpus([tmp_path / "ar.txt"], [tmp_path / "en.txt"], str(tmp_path / f"{engine}.tsv"),
                    engine=engine, jobs=2, chunk_size=6, work=tmp_path / f"w-{engine}")
    assert (tmp_path / "local.tsv").read_bytes() == (tmp_path / "ray.tsv").read_bytes()
    assert (tmp_path / "local.tsv").read_text(encoding="utf-8").strip()
