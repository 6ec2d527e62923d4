"""Errors the CLI turns into one-line messages (exit code 2 for bad input)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

#: Where one-line notes go (e.g. "only the first 2000 characters are embedded"). The CLI sets it
#: (a no-op under ``-q``); unset, notes that matter go to stderr and the rest are dropped.
NOTE: ContextVar[Callable[[str], None] | None] = ContextVar("parallel_note", default=None)


def say(message: str) -> None:
    """A note that matters even to a library caller: through :data:`NOTE` where it is set (the
    command's channel, nothing under ``-q``), else on stderr."""
    note = NOTE.get()
    if note is not None:
        note(message)
    else:
        print(f"parallel-corpus: note: {message}", file=sys.stderr)


def silent(_message: str) -> None:
    """:data:`NOTE` under ``-q``: hears nothing. Worker processes of a ``-q`` command are given it
    too (:func:`parallel.engines.worker_init`), where an unset NOTE would print."""


#: What a MemoryError says (its own message is often empty): the command, not the input, ran out.
OUT_OF_MEMORY = ("out of memory (the bundled encoder alone needs about 350 MB; free memory, raise "
                 "`ulimit -v`, or use fewer --jobs)")


class ParallelError(Exception):
    """Base class: a problem the user can fix, reported in one line."""

    exit_code = 1


class InputError(ParallelError):
    """Bad input: missing, empty, binary or undecodable file, bad option value."""

    exit_code = 2


class OutputError(ParallelError):
    """An output file could not be written (disk full, read-only folder); names the file."""

    exit_code = 1
    #: The file that could not be written and why (:func:`parallel.io._cannot_write` sets them), for a caller
    #: that words the failure its own way.
    path: str | None = None
    reason: str | None = None
    #: What a command had done before the failure, when it has a tally to report (``run``: its
    #: :class:`parallel.corpus.RunSummary`, when the joined files cannot be written).
    done: Any = None


class MissingExtra(ParallelError):
    """An optional package a command needs is not installed (Ray, Flask, sacrebleu's MeCab); the
    message names the ``pip install``. Exit code 1, as for a model that cannot load: the input is
    fine, the environment lacks something."""

    exit_code = 1


class ModelError(ParallelError):
    """An encoder could not be loaded (missing extra, model not available offline)."""

    exit_code = 1
