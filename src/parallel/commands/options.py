"""Options shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click


def quiet_option(f: Callable) -> Callable:  # type: ignore[type-arg]
    return click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")(f)


def note(quiet: bool) -> Callable[[str], None] | None:
    """A logger to stderr, or None when quiet."""
    if quiet:
        return None
    return lambda msg: print(msg, file=sys.stderr)


class FiniteFloat(click.ParamType):  # type: ignore[type-arg]
    """A float that is a number (not nan or inf), within ``[lo, hi]`` when given:
    ``click.FloatRange`` lets ``nan`` through (every comparison with it is false)."""

    name = "float"

    def __init__(self, lo: float | None = None, hi: float | None = None) -> None:
        self.lo, self.hi = lo, hi

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        import math

        if isinstance(value, float) and math.isfinite(value):
            number = value
        else:
            try:
                number = float(str(value))
            except ValueError:
                self.fail(f"{value!r} is not a number", param, ctx)
            if not math.isfinite(number):
                self.fail(f"{value!r} is not a finite number", param, ctx)
        if (self.lo is not None and number < self.lo) or (self.hi is not None and number > self.hi):
            self.fail(f"{value!r} is not in the range {self.lo}<=x<={self.hi}", param, ctx)
        return number

    def __repr__(self) -> str:
        return f"FiniteFloat({self.lo}, {self.hi})"


#: --min-p: a probability
PROBABILITY = FiniteFloat(0.0, 1.0)


class MaxLink(click.ParamType):  # type: ignore[type-arg]
    """``--max-link``: a link size 1..``hi``, or ``auto`` (the default, from the document: what a
    signature's ``max:auto`` says), read as None."""

    name = "integer|auto"

    def __init__(self, lo: int, hi: int) -> None:
        self.range = click.IntRange(lo, hi)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if isinstance(value, str) and value.strip().lower() == "auto":
            return None
        if isinstance(value, str):
            try:
                int(value.strip())
            except ValueError:  # click said "'foo' is not a valid integer range.", and not that auto is one
                self.fail(f"{value!r} is neither a link size ({self.range.min}-{self.range.max}) nor auto", param, ctx)
        return int(self.range.convert(value, param, ctx))


def lang_code(ctx: object, param: object, value: str | None) -> str | None:
    """A language flag as a lower-case code (``AR`` -> ``ar``; ISO 639 codes are lower case), its
    subtags joined by ``-`` (``en_GB`` -> ``en-gb``: :func:`parallel.lang.code_of`). Anything but
    letters and ``-``/``_`` subtags is refused, even with ``--force-lang``: codes become parts of
    file names (Moses exports) and of signatures."""
    if not value:
        return value
    from ..errors import InputError
    from ..lang import LANG_CODE, code_of

    code = code_of(value)
    if not LANG_CODE.fullmatch(code):
        flag = "--" + str(getattr(param, "name", "lang")).replace("_", "-")
        raise InputError(f"{flag}: {value!r} is not a language code (ISO 639, e.g. ar, en, fr)")
    return code
