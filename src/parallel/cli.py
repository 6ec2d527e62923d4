"""The ``parallel-corpus`` command line: a thin shell over the Python API.

Each sub-command lives in its own module ``parallel/commands/cmd_NAME.py``
exposing ``command`` (a click command); adding a command is adding a file.
Modules are imported only when their command runs (or for ``--help``), so
``parallel-corpus segment`` does not pay for what ``align`` imports.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import click

from . import __version__
from .errors import NOTE, OUT_OF_MEMORY, ParallelError, silent

PROG = "parallel-corpus"


def _command_modules() -> dict[str, str]:
    """Command name -> module (``cmd_mt_eval`` -> ``mt-eval``), found through the import system,
    so a zipped package (a wheel on PYTHONPATH, a zipapp) or one installed without its ``.py``
    sources has the same commands as a checkout."""
    import pkgutil

    from . import commands

    return {m.name[4:].replace("_", "-"): m.name for m in pkgutil.iter_modules(commands.__path__)
            if m.name.startswith("cmd_")}


def _error(message: str, code: int) -> None:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(code)


class _PipeClosed(Exception):
    """The reader of our standard output went away (``| head``); raised past click, which
    would otherwise turn the broken pipe into exit status 1."""


def _stdout_closed() -> bool:
    """Whether our standard output is a pipe whose reader has gone (poll reports an error on it)."""
    try:
        import select

        fd = sys.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def _quiet_broken_pipe() -> None:
    """Exit 0 without a word, as Unix filters do when the reader is gone; stdout is pointed at
    /dev/null so the interpreter's last flush does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


_TERMINATING: list[bool] = []  # said once: a process-group SIGTERM (timeout, a scheduler) comes twice


def _terminated(signum: int, _frame: Any) -> None:
    """SIGTERM: one error line (a run stopped by a scheduler or ``kill`` said nothing and exited
    143, where Ctrl-C says "aborted"), then unwind like an exception: temporary files are
    removed and workers stopped on the way out. A second SIGTERM while unwinding (``timeout``
    and ``kill -TERM -PGID`` deliver one to the group and one to the process) lets it go on."""
    if _TERMINATING:
        return
    _TERMINATING.append(True)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"{PROG}: error: terminated (SIGTERM)\n")
        sys.stderr.flush()
    sys.exit(128 + signum)


def _note(message: str) -> None:
    click.echo(f"{PROG}: note: {message}", err=True)


def _one_line_warnings(quiet: bool) -> None:
    """Python warnings (e.g. no splitter for a language) as one ``warning:`` line, no source line."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if not quiet:
            click.echo(f"{PROG}: warning: {message}", err=True)

    warnings.showwarning = show


@contextlib.contextmanager
def _reader_gone_past_click() -> Iterator[None]:
    """A broken pipe on our standard output raised as :class:`_PipeClosed`, which click lets
    through (click's own handler makes it exit 1)."""
    try:
        yield
    except BrokenPipeError:
        raise _PipeClosed from None


class LazyGroup(click.Group):
    """Finds sub-commands by file name and reports every failure in one line."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # the group's own -V/--version and -h/--help print while its options are parsed, before
        # invoke: `parallel-corpus -V | head -0` exited 1 where `align -h | head -0` exits 0
        with _reader_gone_past_click():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _reader_gone_past_click():
            rv = super().invoke(ctx)
            if sys.stdout is not None:  # None: `>&-`, the caller closed it (and -o wrote the output)
                sys.stdout.flush()  # a broken pipe shows here when the output was small
        return rv

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_command_modules())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _command_modules().get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"parallel.commands.{module_name}")
        cmd: click.Command = module.command
        return cmd

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        quiet = "-q" in argv or "--quiet" in argv
        closed_err = sys.stderr is None
        if closed_err:
            # `2>&-` (a daemon, cron): Python's stderr is None, and print(file=None) writes to
            # stdout: notes went into the data. They go nowhere instead.
            sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (closed in finally)
        shown = warnings.showwarning
        _one_line_warnings(quiet)
        token = NOTE.set(silent if quiet else _note)
        # SIGTERM unwinds like an exception: temp files are removed, `run`/`mine` stop their workers
        term: Any = None
        _TERMINATING.clear()  # a command run in process after one that was terminated
        with contextlib.suppress(ValueError):  # not in the main thread (tests): leave it
            term = signal.signal(signal.SIGTERM, _terminated)
        try:
            return self._main(args, prog_name, complete_var, standalone_mode, **extra)
        finally:  # in-process callers (CliRunner, notebooks) get their handlers back
            warnings.showwarning = shown
            NOTE.reset(token)
            if closed_err:
                sys.stderr.close()
                sys.stderr = None
            if term is not None:
                with contextlib.suppress(ValueError):
                    signal.signal(signal.SIGTERM, term)

    def _main(self, args: Any, prog_name: str | None, complete_var: str | None, standalone_mode: bool,
              **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name or PROG, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            _error("aborted", 130)
        except click.exceptions.NoArgsIsHelpError as exc:  # a bare command: its help, not an "error"
            click.echo(exc.format_message(), err=True)
            sys.exit(2)
        except click.ClickException as exc:
            _error(exc.format_message(), 2 if isinstance(exc, click.UsageError) else exc.exit_code)
        except ParallelError as exc:
            _error(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _error("interrupted", 130)
        except MemoryError:
            _error(OUT_OF_MEMORY, 1)
        except (_PipeClosed, BrokenPipeError) as exc:
            if not _stdout_closed():
                # another pipe broke (a worker process that could not start or died): a failure,
                # not the reader of our output going away
                _error("a pipe to a helper process broke (not standard output): the command did not "
                       f"finish ({type(exc).__name__})", 1)
            # The reader went away (e.g. `| head`): not an error of ours.
            _quiet_broken_pipe()
        except OSError as exc:
            _error(f"{exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", 1)
        except Exception as exc:  # a bug: still one line, unless debugging
            if os.environ.get("PARALLEL_DEBUG"):
                raise
            _error(f"internal error: {type(exc).__name__}: {exc} (set PARALLEL_DEBUG=1 for a traceback)", 1)
        code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name=PROG)
def main() -> None:
    """Align Arabic-English (and other) documents at sentence level.

    \b
    Examples:
      parallel-corpus align article.ar.txt article.en.txt
      parallel-corpus align a.ar b.en --mode parallel --format vecalign -o out.align
      parallel-corpus segment article.ar.txt
      parallel-corpus run manifest.tsv -o align/    (a TSV: name, src, tgt per pair)
    """


def _utf8_stdout() -> None:
    """Every format the commands write (TSV, JSONL, TMX, Moses, the reports) is UTF-8, to a file and
    to stdout alike: a stdout set to another encoding (``PYTHONIOENCODING=ascii``, a legacy locale)
    failed on the first Arabic letter with an internal error, the header already written."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if encoding != "utf8" and callable(reconfigure):
        with contextlib.suppress(ValueError, OSError):
            reconfigure(encoding="utf-8")


def run() -> None:
    """Console-script entry point."""
    _utf8_stdout()
    main()


if __name__ == "__main__":  # python -m parallel.cli, as python -m parallel
    run()
