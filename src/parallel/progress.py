"""Progress on stderr for long work: one mechanism for embedding, ``run`` and ``mine``.

On a terminal it is a tqdm bar redrawn in place. When stderr is not a terminal (a log file, CI,
``2> run.log``) tqdm's carriage-return frames would pile up in the file, so the same calls write
plain lines instead, one per tenth of the work and one at the end::

    embedding src: 1024/3000 sentences (34%, 14.2 s)

``enabled=False`` (the commands' ``-q``) shows nothing. tqdm is imported only for a terminal.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any, Self, TextIO

__all__ = ["Bar", "bar", "counter"]


class Bar:
    """Progress over ``total`` units (see the module docstring); also a context manager."""

    def __init__(self, total: int, label: str, unit: str = "items", *, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        self.total = max(0, int(total))
        self.label = label
        self.unit = unit
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self._tqdm: Any = None
        self._tenth = 0
        self._t0 = time.perf_counter()
        if enabled and _isatty(self.stream):
            from tqdm import tqdm

            # a terminal that reports no size (some ptys, serial consoles) gets 80 x 24: with 0 rows
            # tqdm would print nothing at all
            sized = _columns(self.stream) > 0
            self._tqdm = tqdm(total=self.total, desc=label, unit=" " + unit if unit else "it",
                              file=self.stream, dynamic_ncols=sized, ncols=None if sized else 80,
                              nrows=None if sized else 24, leave=True)

    def update(self, n: int = 1) -> None:
        """``n`` more units done."""
        self.done += n
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.update(n)
            return
        if self.total <= 0:
            return
        tenth = min(10, 10 * self.done // self.total)
        if tenth > self._tenth:  # a line per tenth, the last at 100%
            self._tenth = tenth
            self._line(f"{self.label}: {self.done}/{self.total} {self.unit} "
                       f"({100 * self.done // self.total}%, {time.perf_counter() - self._t0:.1f} s)")

    def note(self, msg: str) -> None:
        """A message line that does not break the bar (nothing when disabled)."""
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.write(msg, file=self.stream)
        else:
            self._line(msg)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _line(self, msg: str) -> None:
        self.stream.write(msg + "\n")
        self.stream.flush()


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _columns(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def bar(total: int, label: str, unit: str = "items", *, enabled: bool = True) -> Bar:
    """A :class:`Bar` on stderr."""
    return Bar(total, label, unit, enabled=enabled)


def counter(label: str = "embedding", unit: str = "sentences", *, min_total: int = 200,
            log_min_total: int = 5000, stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback (the shape :func:`parallel.embed.get_encoder` takes).

    Each run of calls from ``done`` small to ``done == total`` is one :class:`Bar`. Short work stays
    quiet: a bar is shown for at least ``min_total`` units on a terminal, ``log_min_total`` in a log.
    """
    state: dict[str, Any] = {"bar": None, "done": 0}

    def progress(done: int, total: int) -> None:
        out = stream if stream is not None else sys.stderr
        current: Bar | None = state["bar"]
        if current is None or current.total != total or done < state["done"]:
            if current is not None:
                current.close()
            current = None
            if total >= (min_total if _isatty(out) else log_min_total):
                current = Bar(total, label, unit, stream=out)
            state["bar"], state["done"] = current, 0
        if current is not None:
            current.update(done - state["done"])
        state["done"] = done
        if done >= total:
            if current is not None:
                current.close()
            state["bar"], state["done"] = None, 0

    return progress
