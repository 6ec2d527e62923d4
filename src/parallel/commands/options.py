"""Options shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click


def quiet_option(f: Callable) -> Callable:  # type: ignore[type-arg]
    return click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")(f)


def note(quiet: bool) -> Callable[[str], None] | None:
    """A logger to stderr, or None when quiet."""
    if quiet:
        return None
    return lambda msg: print(msg, file=sys.stderr)
