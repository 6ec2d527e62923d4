"""Errors the CLI turns into one-line messages (exit code 2 for bad input)."""

from __future__ import annotations


class ParallelError(Exception):
    """Base class: a problem the user can fix, reported in one line."""

    exit_code = 1


class InputError(ParallelError):
    """Bad input: missing, empty, binary or undecodable file, bad option value."""

    exit_code = 2


class OutputError(ParallelError):
    """An output file could not be written (disk full, read-only folder); names the file."""

    exit_code = 1


class ModelError(ParallelError):
    """An encoder could not be loaded (missing extra, model not available offline)."""

    exit_code = 1
