"""Execution engines: run one function over many items, locally or on a Ray cluster.

Both engines run every item in a *worker process* whose numeric libraries use
one thread (BLAS/OpenMP results depend on the thread count in the last bits,
so a fixed count is what makes outputs byte-identical whatever ``--jobs`` or
``--engine`` is chosen). Work functions must be module-level (picklable) and
deterministic; the engines only decide where they run.

* :class:`LocalEngine` — a pool of ``jobs`` processes started with ``spawn``
  (never ``fork``: a forked numpy/OpenMP runtime may deadlock).
* :class:`RayEngine` — Ray tasks (``pip install ray``, the ``[ray]`` extra);
  ``ray.init()`` starts a local Ray on this machine, ``address="ray://..."``
  or ``"auto"`` joins a running cluster (see ``docs/cluster.md``).

``engine.imap(fn, items)`` yields ``(index, result)`` pairs as the items finish
(not in input order), keeping at most ``2 * workers`` items in flight so a
lazy ``items`` iterator is consumed only as fast as the workers go. When the
function raises or its worker dies, the result is a :class:`Failure` instead
(the other items go on).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .errors import NOTE, OUT_OF_MEMORY, InputError, MissingExtra, ParallelError, say, silent
from .io import orphans, owner_tag

T = TypeVar("T")
R = TypeVar("R")

#: Environment given to every worker: one thread for each numeric runtime.
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class Failure:
    """Stands for the result of an item whose function raised or whose worker died."""

    reason: str


def _top_up(pending: dict[Any, int], items: Iterator[tuple[int, Any]], limit: int,
            submit: Callable[[Any], Any]) -> bool:
    """Submit ``(index, item)`` pairs from ``items`` until ``limit`` are pending (``pending`` maps
    each submitted handle to its index); False once ``items`` is exhausted."""
    while len(pending) < limit:
        try:
            i, item = next(items)
        except StopIteration:
            return False
        pending[submit(item)] = i
    return True


def failure_reason(exc: BaseException) -> str:
    """One line for a failed item: a ParallelError's own message, else the exception's type and text."""
    if isinstance(exc, ParallelError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return OUT_OF_MEMORY
    return f"{type(exc).__name__}: {exc}"


class Engine(Protocol):
    """Runs a picklable function over items in worker processes."""

    name: str
    workers: int

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | Failure]]: ...

    def close(self, abort: bool = False) -> None: ...


@contextlib.contextmanager
def _thread_env() -> Iterator[None]:
    """Set :data:`THREAD_ENV` in ``os.environ`` (inherited by spawned workers), then restore it."""
    saved = {k: os.environ.get(k) for k in THREAD_ENV}
    os.environ.update(THREAD_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


#: Temporary folders of this toolkit are named ``parallel-KIND-PID@TAG-*`` after the process that
#: owns them (``TAG``: :func:`parallel.io.host_tag`), so a later run can remove those of a process
#: that was killed (:func:`sweep_temp`), and only where that pid is this host's and namespace's.
TEMP_KINDS = ("pair", "mine")
_TEMP_NAME = re.compile(r"^parallel-(?:pair|mine)-(\d+)(?:@([0-9a-f]{8}))?-")


def temp_prefix(kind: str) -> str:
    """``parallel-KIND-PID@TAG-``: the prefix of this process's temporary folders of ``kind``."""
    return f"parallel-{kind}-{owner_tag()}-"


def sweep_temp(own: bool = False, base: Path | None = None) -> int:
    """Remove the temporary folders left by processes that no longer exist (killed with -9), and
    this process's own ones with ``own``; returns how many were removed. ``base``: the folder
    they are in (default: :func:`tempfile.gettempdir`)."""
    base = Path(tempfile.gettempdir()) if base is None else base
    removed = 0
    for p in orphans(base, _TEMP_NAME, own=own):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
    return removed


#: A worker's temporary folder base, read once before its exit handlers are installed: they run
#: wherever the worker was interrupted, so they take no lock the interrupted code may hold
#: (tempfile.gettempdir() takes one on its first call: a SIGTERM there used to hang the worker).
_EXIT_BASE: Path | None = None


def _exit_now(code: int) -> None:
    """Leave at once (no waiting for a task), removing this process's temporary folders first."""
    if _EXIT_BASE is not None:
        with contextlib.suppress(Exception):
            sweep_temp(own=True, base=_EXIT_BASE)
    os._exit(code)


def _die_with_parent(parent: int, kernel: bool) -> None:
    """Make this worker end when ``parent`` (its driver) does, even by kill -9.

    On Linux the kernel sends SIGTERM at the parent's death (``prctl(PR_SET_PDEATHSIG)``, only
    when the pool was started from the driver's main thread: the signal follows the thread);
    SIGTERM removes this worker's temporary folders and exits. A thread watching the parent
    pid does the same everywhere, also when the worker is busy in code that holds off signals.
    """
    global _EXIT_BASE
    _EXIT_BASE = Path(tempfile.gettempdir())
    signal.signal(signal.SIGTERM, lambda *_: _exit_now(128 + signal.SIGTERM))
    if kernel and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the driver died before we got here
        _exit_now(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                _exit_now(1)

    threading.Thread(target=watch, name="parallel-parent-watch", daemon=True).start()


def worker_init(parent: int | None = None, kernel: bool = False, quiet: bool = False) -> None:
    """Run at the start of every worker: pin numeric libraries to one thread; with ``parent``
    (the driver's pid) end when the driver ends (see :func:`_die_with_parent`); ``quiet``: the
    driver runs under ``-q``, and so do the worker's notes (a spawned worker starts without the
    driver's :data:`parallel.errors.NOTE`, and its notes went to stderr). A pool's worker
    ignores SIGINT: Ctrl-C reaches the terminal's whole process group, and a worker waiting for
    work printed its own traceback ("Process SpawnProcess-2: ... KeyboardInterrupt") under the
    driver's one line; the driver stops its workers itself (SIGTERM)."""
    os.environ.update(THREAD_ENV)
    if quiet:
        NOTE.set(silent)
    if parent is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(parent, kernel)
    with contextlib.suppress(ImportError):
        import faiss

        faiss.omp_set_num_threads(1)


def _call(fn: Callable[[T], R], item: T) -> R:
    worker_init()
    return fn(item)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, as a container or taskset limits it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalEngine:
    """``jobs`` worker processes on this machine (spawned, one thread each)."""

    name = "local"

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {jobs}")
        cpus = usable_cpus()
        if jobs > cpus:  # each worker is a process with its own encoder, one thread each: more
            # than the CPUs only adds memory (-j 100000 started 140 processes and 6.5 GB)
            say(f"--jobs {jobs}: this machine lets the command use {cpus} CPU{'s' * (cpus > 1)}; "
                f"running {cpus} worker{'s' * (cpus > 1)}")
            jobs = cpus
        self.workers = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._env: contextlib.ExitStack | None = None
        self._generation = 0  # counts the pools started: the first future to report a broken pool closes it

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._generation += 1
            self._env = contextlib.ExitStack()
            self._env.enter_context(_thread_env())
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=worker_init,
                initargs=(os.getpid(), threading.current_thread() is threading.main_thread(),
                          NOTE.get() is silent),
            )
        return self._pool

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | Failure]]:
        limit = 2 * self.workers
        pending: dict[Future[R], int] = {}
        given: dict[int, T] = {}  # the items in flight, to send again after a worker died
        pool_of: dict[Future[R], int] = {}  # the pool (its generation) a future was sent to
        # A worker that dies (killed, out of memory) breaks the pool, and the pool fails every item
        # it holds, those of the living workers too. Those items are suspects: once the broken
        # pool's items have all answered, each runs again alone in a fresh pool, so an item that
        # kills its worker again is the one that did, and only it fails.
        suspects: list[int] = []
        alone: set[int] = set()

        def submit(i: int, item: T) -> Future[R]:
            fut = self._executor().submit(fn, item)
            given[i], pool_of[fut] = item, self._generation
            return fut

        def numbered() -> Iterator[tuple[int, tuple[int, T]]]:
            for i, item in enumerate(items):
                yield i, (i, item)

        fresh = numbered()
        exhausted = False
        while True:
            if suspects:
                if not pending:
                    i = suspects.pop(0)
                    alone.add(i)
                    pending[submit(i, given[i])] = i
            elif not exhausted:
                exhausted = not _top_up(pending, fresh, limit, lambda pair: submit(*pair))
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f]):
                i = pending.pop(fut)
                generation = pool_of.pop(fut)
                try:
                    result: R | Failure = fut.result()
                except BrokenProcessPool:
                    if generation == self._generation:  # a fresh pool for what comes next
                        self.close()
                    if i not in alone:
                        suspects.append(i)
                        continue
                    result = Failure("worker process died (out of memory or killed?)")
                except Exception as exc:  # noqa: BLE001 - reported per item
                    result = Failure(failure_reason(exc))
                given.pop(i, None)
                yield i, result

    def close(self, abort: bool = False) -> None:
        """Stop the workers: after their current item, or at once with ``abort`` (interrupted)."""
        if self._pool is not None:
            if abort:
                for proc in list(getattr(self._pool, "_processes", {}).values()):
                    with contextlib.suppress(OSError, AttributeError):
                        proc.terminate()  # SIGTERM: the worker removes its temp folders and exits
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._env is not None:
            self._env.close()
            self._env = None


class RayEngine:
    """Ray tasks, one CPU each: a local Ray (``address=None``) or a running cluster."""

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise MissingExtra(_NEEDS_RAY) from None
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {
                "runtime_env": {"env_vars": dict(THREAD_ENV)},
                "log_to_driver": False,
                "configure_logging": False,
            }
            if address is None:
                kwargs.update(num_cpus=num_cpus, include_dashboard=False)
            else:
                kwargs["address"] = address
            try:
                ray.init(**kwargs)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ParallelError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from None
            self._started = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]
        self._remote: Any = ray.remote(num_cpus=1, max_retries=2)(_call)

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | Failure]]:
        ray = self._ray
        limit = 2 * self.workers
        fn_ref = ray.put(fn)
        pending: dict[Any, int] = {}
        it = enumerate(items)
        exhausted = False
        while True:
            if not exhausted:
                exhausted = not _top_up(pending, it, limit, lambda item: self._remote.remote(fn_ref, item))
            if not pending:
                return
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                i = pending.pop(ref)
                try:
                    result: R | Failure = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError: per item
                    result = Failure(failure_reason(getattr(exc, "cause", None) or exc))
                yield i, result

    def close(self, abort: bool = False) -> None:
        if self._started:
            self._ray.shutdown()
            self._started = False


_NEEDS_RAY = "--engine ray needs Ray: pip install ray (the [ray] extra)"


def check_engine(name: str, ray_address: str | None = None) -> None:
    """InputError (MissingExtra for Ray not installed) now, before any output exists, when
    :func:`get_engine` would refuse ``name``."""
    if name == "local":
        if ray_address:
            raise InputError("--ray-address needs --engine ray")
    elif name == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise MissingExtra(_NEEDS_RAY)
    else:
        raise InputError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")


def get_engine(name: str = "local", *, jobs: int = 1, ray_address: str | None = None) -> Engine:
    """``local`` (``jobs`` processes) or ``ray`` (local Ray with ``jobs`` CPUs, or ``ray_address``);
    an engine :func:`check_engine` refuses is an InputError."""
    check_engine(name, ray_address)
    if name == "local":
        return LocalEngine(jobs)
    return RayEngine(ray_address, num_cpus=None if ray_address else jobs)
