"""Reading input documents and writing output files atomically."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import io
import os
import re
import signal
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from .errors import InputError, OutputError
from .normalize import INVISIBLE_TO_SPACE


def _legacy_hint(data: bytes) -> str:
    """How to convert a text in a legacy Arabic code page, when it reads as one: Windows-1256
    (most Arabic text files of the 1990s-2000s) or ISO-8859-6."""
    sample = data[:20000]
    best, share = "", 0.0
    for codec, iconv in (("cp1256", "CP1256"), ("iso8859_6", "ISO-8859-6")):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        letters = [c for c in text if c.isalpha()]
        arabic = sum("\u0600" <= c <= "\u06ff" for c in letters) / len(letters) if letters else 0.0
        # the code page that reads more of the letters as Arabic: an ISO-8859-6 file reads as
        # half Arabic in CP1256 too (its bytes 0xC1-0xDA are letters in both), with é ç ê between
        if arabic >= 0.5 and arabic > share:
            best, share = iconv, arabic
    return f"; it reads as Arabic in {best}: iconv -f {best} -t UTF-8" if best else ""


def _mostly_utf8(data: bytes) -> bool:
    """Whether ``data``, not UTF-8 as a whole, is UTF-8 with a few stray bytes: its valid
    multi-byte characters outnumber its invalid bytes many times over. A text in a legacy code
    page has almost none (Windows-1256 Arabic letters are bytes 0xC1-0xFE, which UTF-8 reads as
    lead bytes wanting a continuation byte 0x80-0xBF after them)."""
    sample = data[:200000]
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F and c != "\ufffd")
    return good >= 10 * max(bad, 1)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text from raw bytes (BOM dropped, lines ended by CR alone read as lines); binary or
    non-UTF-8 input is an InputError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: UTF-16 text; convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            # UTF-8 all through but its last character cut short: no code page to convert from
            raise InputError(f"{name}: ends in the middle of a UTF-8 character (offset {exc.start}): "
                             "the file looks cut short") from None
        if _mostly_utf8(data):
            # UTF-8 with a stray byte (a Latin-1 no-break space pasted in, pieces joined mid-character):
            # converting the whole file from a code page would garble every Arabic letter
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"{name}: UTF-8 text with a byte that is not UTF-8 (0x{data[exc.start]:02x} at offset "
                f"{exc.start}, line {line}); fix or remove that byte "
                "(e.g. iconv -f UTF-8 -t UTF-8 -c drops every such byte)") from None
        raise InputError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
            + _legacy_hint(data)
        ) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text and "\n" not in text:
        # lines that end in a carriage return alone (classic Mac OS, some spreadsheet exports): read
        # as lines, as everywhere else a line feed ends them (a TSV of them was one "header line"
        # and no pair, a --presplit file one sentence); same length, so every offset holds
        text = text.replace("\r", "\n")
    return text


def read_text(path: str | os.PathLike[str], *, allow_empty: bool = False) -> str:
    """Read a UTF-8 document; ``-`` reads standard input."""
    name = str(path)
    if name == "-":
        if sys.stdin is None:  # `<&-`: the caller closed it
            raise InputError("-: standard input is closed")
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{name}: no such file")
        if p.is_dir():
            raise InputError(f"{name}: is a directory, not a file")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    text = decode_text(data, name)
    if not allow_empty and not text.translate(INVISIBLE_TO_SPACE).strip():
        raise InputError(f"{name}: file is empty" if not text else f"{name}: file holds only white space"
                         + ("" if not text.strip() else " and invisible marks (bidi controls, zero-width)"))
    return text


def _through_links(path: Path) -> tuple[Path, bool]:
    """``path`` with its symlinks followed, and whether a hop went through ``/dev`` or ``/proc``
    (``/dev/stdout`` -> ``/proc/self/fd/1`` -> a pipe or the shell's open file: never replace it)."""
    p = Path(os.path.abspath(path))
    kernel = False
    for _ in range(40):
        if p.parts[1:2] in (("dev",), ("proc",)):
            kernel = True
        if not p.is_symlink():
            return p, kernel
        nxt = os.readlink(p)
        p = Path(os.path.abspath(p.parent / nxt))
    raise InputError(f"{path}: too many levels of symbolic links")


def destination(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """Where bytes for ``path`` go, and whether they are written directly.

    A regular file (or a new name) is written beside itself and renamed into place; a symlink
    is followed so the rename lands on its target (the link stays). A character device
    (``/dev/null``), a named pipe, a socket, or anything reached through ``/dev``/``/proc``
    (``/dev/stdout``, ``/dev/fd/3``) is opened and written directly: it is never replaced.
    """
    given = Path(path)
    real, kernel = _through_links(given)
    try:
        st = os.stat(given)
    except FileNotFoundError:
        return real, kernel
    except OSError:
        return real, False
    if stat.S_ISDIR(st.st_mode):
        return real, False  # refused by check_output_path / the rename: "is a directory"
    if kernel or not stat.S_ISREG(st.st_mode):
        return given, True
    return real, False


def is_special(path: str | os.PathLike[str] | None) -> bool:
    """True when ``path`` is written directly (device, pipe, ``/dev/stdout``): no sidecar beside it."""
    if path is None or str(path) == "-":
        return True
    return destination(path)[1]


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@functools.cache
def host_tag() -> str:
    """8 hex digits naming this host and its process-id namespace, written after the pid in the
    names of temporary files and folders (``PID@TAG``): a pid means a process only where it was
    given. A folder shared between containers or hosts (a volume, ``/tmp``, NFS) holds names of
    processes a sweep here cannot see; with the tag it leaves them alone (they were removed as
    the files of dead processes, and the live command writing them failed)."""
    try:
        ns = os.readlink("/proc/self/ns/pid")
    except OSError:  # not Linux: the host name alone
        ns = ""
    return hashlib.sha1(f"{socket.gethostname()}|{ns}".encode()).hexdigest()[:8]


def owner_tag() -> str:
    """``PID@TAG`` of this process (:func:`host_tag`), for the names of its temporary files."""
    return f"{os.getpid()}@{host_tag()}"


def orphans(folder: str | os.PathLike[str], name: re.Pattern[str], *, own: bool = False) -> Iterator[Path]:
    """Entries of ``folder`` (no symlinks) named by ``name``, whose group 1 is the pid of the process
    that made them (group 2, when the name has it, the :func:`host_tag` of where that pid lives),
    when that process no longer exists (killed with -9), or is this one with ``own``: what a sweep
    may remove. A name tagged by another host or pid namespace is never one: its process cannot be
    seen from here. A folder that cannot be read has none."""
    with contextlib.suppress(OSError):
        for p in Path(folder).iterdir():
            m = name.match(p.name)
            if m and not p.is_symlink():
                if m.group(2) is not None and m.group(2) != host_tag():
                    continue
                pid = int(m.group(1))
                if (own and pid == os.getpid()) or not pid_alive(pid):
                    yield p


_STALE_WRITE = re.compile(r"^\..+\.(\d+)(?:@([0-9a-f]{8}))?\.[^.]+\.tmp$")


def sweep_stale_writes(folder: str | os.PathLike[str]) -> int:
    """Remove the temporary files :func:`atomic_writer` left in ``folder`` when its process was
    killed with -9 mid-write (``.NAME.PID@TAG.XXXX.tmp`` of a process that no longer exists); returns
    how many. A live process's files are left alone."""
    removed = 0
    for p in orphans(folder, _STALE_WRITE):
        if p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
                removed += 1
    return removed


#: Identities (device, inode) of the files the running command reads: never replaced by an output.
_INPUTS: ContextVar[frozenset[tuple[int, int]]] = ContextVar("parallel_inputs", default=frozenset())


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


@contextlib.contextmanager
def inputs_protected(paths: Iterable[str | os.PathLike[str] | None]) -> Iterator[None]:
    """While inside, :func:`check_output_path` and :func:`atomic_writer` refuse to write over any of
    ``paths`` (``-``/None skipped; symlinks and other names of the same file included): an output
    named like an input (``align doc.ar doc.en -o doc.en``, a Moses ``-o`` whose derived names are
    the inputs) is a one-line error, and the input is left as it was."""
    ids = {i for p in paths if p is not None and str(p) != "-" for i in [_identity(p)] if i is not None}
    token = _INPUTS.set(_INPUTS.get() | ids)
    try:
        yield
    finally:
        _INPUTS.reset(token)


def is_input(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an input of the running command (see :func:`inputs_protected`)."""
    ident = _identity(path)
    return ident is not None and ident in _INPUTS.get()


def refuse_input(path: str | os.PathLike[str]) -> None:
    """InputError when ``path`` is an input of the running command (see :func:`inputs_protected`)."""
    if is_input(path):
        raise InputError(f"{path}: is an input of this command; writing the output there would overwrite it")


def _output_folder(path: str | os.PathLike[str], target: Path) -> Path:
    """The folder ``target`` (where ``path`` leads) is written into; an :class:`InputError` naming
    ``path`` when it is a file or does not exist (it is not made: a mistyped name stays an error)."""
    folder = target.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise InputError(f"{path}: folder {folder} {what}")
    return folder


def check_output_path(path: str | os.PathLike[str] | None, *, file_only: bool = False) -> None:
    """Fail before any work is done when ``path`` cannot be written (``-``/None is stdout) or is an
    input of the running command (:func:`inputs_protected`). ``file_only``: a file the command
    keeps beside another (a ``.sig``, the files of ``run``'s folder) must be one: a pipe or device
    there is refused (writing into a pipe no one reads hung the command, in silence)."""
    if path is None or str(path) == "-":
        return
    if not str(path).strip():
        raise InputError("an empty output name; give a file name (or - for stdout)")
    if str(path).endswith(("/", os.sep)):  # "out/" is a folder's name: a file "out" would be written
        raise InputError(f"{path}: names a folder (it ends in /); give a file name")
    refuse_input(path)
    target, direct = destination(path)
    if direct and file_only:
        raise InputError(f"{path}: is a pipe or device; it is written as a file, beside the output")
    if direct:
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise InputError(f"{path}: not writable")
        return
    folder = _output_folder(path, target)
    if target.is_dir():
        raise InputError(f"{path}: is a directory; give a file name")
    if target.is_file() and not target.stat().st_mode & 0o222:
        # the rename would replace it (the folder is writable), where `>`, cp and the review app
        # leave a read-only file alone
        raise InputError(f"{path}: is read-only; make it writable (chmod u+w) or remove it to write it again")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{path}: folder {folder} is not writable")
    sweep_stale_writes(folder)  # what a run killed with -9 was writing there


def _file_mode(target: Path) -> int:
    """Keep an existing file's mode; a new file gets 0o666 less the umask (like ``open``)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# errno values of a write that failed for lack of room or a broken device (the file is named).
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _cannot_write(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    err = OutputError(f"{path}: cannot write ({exc.strerror or exc})")
    err.path, err.reason = str(path), str(exc.strerror or exc)
    return err


# Temporary files waiting for the end of the innermost :func:`output_batch` (None: no batch).
_BATCH: ContextVar[list[tuple[str, Path, str]] | None] = ContextVar("parallel_output_batch", default=None)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """An exclusive lock, across processes, on ``folder`` while the block runs (``flock`` on the
    folder itself: no lock file is left among the user's files). ``on_wait`` is called once when
    another process holds it, before waiting for it. Where the folder cannot be opened or locked
    (``flock`` missing, not POSIX, or refused by the file system), the block runs without it."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # no lock to be had here: as where flock is missing
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def output_batch() -> Iterator[None]:
    """Every :func:`atomic_writer` inside is renamed into place only when the whole block succeeds.

    A command that writes several files (an export and its ``.sig``, Moses' two sides) wraps
    them in one batch: a failure anywhere (disk full on the last file) leaves none of them
    new. Nested batches join the outermost one.
    """
    if _BATCH.get() is not None:
        yield
        return
    pending: list[tuple[str, Path, str]] = []
    token = _BATCH.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _target, _name in pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    finally:
        _BATCH.reset(token)
    _commit(pending)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends, then act as ever: the renames of one batch
    all happen, so a command stopped there leaves all its outputs new or all old (a signal between
    the TSV's rename and its ``.sig``'s left a comparable TSV beside a parallel ``.sig``). Python
    runs signal handlers in the main thread, whichever thread the signal reached (a worker pool
    has threads of its own, so masking the signals in this one is not enough): for the block the
    handlers only note the signal, and the first one noted is raised again after it. Outside the
    main thread nothing is held (no handler can be set there)."""
    caught: list[int] = []

    def note(signum: int, _frame: Any) -> None:
        caught.append(signum)

    before: dict[signal.Signals, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        yield  # (an exception of the block is not chained to a failed signal.signal)
        return
    for held in (signal.SIGINT, signal.SIGTERM):
        before[held] = signal.signal(held, note)
    try:
        yield
    finally:
        for held, handler in before.items():
            signal.signal(held, handler)
        if caught:
            signal.raise_signal(caught[0])


def _commit(pending: list[tuple[str, Path, str]]) -> None:
    """Rename every temporary file onto its target (targets checked first, so a bad one
    stops the batch before anything is replaced), with Ctrl-C and SIGTERM held until the last
    rename (:func:`_signals_held`)."""
    with _signals_held():
        _rename_all(pending)


def _rename_all(pending: list[tuple[str, Path, str]]) -> None:
    try:
        for _tmp, target, name in pending:
            if target.is_dir():
                raise OutputError(f"{name}: is a directory")
        for n, (tmp, target, name) in enumerate(pending):
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _cannot_write(name, exc) from None
            pending[n] = ("", target, name)
    finally:
        for tmp, _target, _name in pending:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


@contextlib.contextmanager
def _direct_writer(path: str | os.PathLike[str], binary: bool) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write straight into a device, pipe or ``/dev/stdout`` (append: a shell's ``>>`` is kept)."""
    try:
        if binary:
            fh: IO = open(path, "ab")  # type: ignore[type-arg]  # noqa: SIM115 - closed below
        else:
            fh = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with fh:
            yield fh
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise  # e.g. a broken pipe: the CLI exits quietly
        raise _cannot_write(path, exc) from None


class _OutputFile(io.FileIO):
    """The file under an :func:`atomic_writer`: a write that fails (disk full, file too large) is
    an :class:`OutputError` naming this output, raised where it happens. Caught at the writer's
    ``yield`` instead, it could not be told from a failure of another output written alongside
    (Moses' two sides and ``.sig`` nest their writers): the innermost writer named itself."""

    def __init__(self, fd: int, name: str) -> None:
        super().__init__(fd, "wb")
        self.output_name = name

    def write(self, b: Any, /) -> int:
        try:
            return super().write(b)
        except OSError as exc:
            if exc.errno not in _WRITE_ERRORS:
                raise
            raise _cannot_write(self.output_name, exc) from None


def holds(path: str | os.PathLike[str], chunks: Iterable[str]) -> bool:
    """Whether the regular file ``path`` holds exactly the UTF-8 text of ``chunks`` (compared as
    they come, without holding the whole text)."""
    if is_special(path):
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe's reader would wait for a writer
            return False
        fh = open(path, "rb")  # noqa: SIM115 (closed below, after the comparison)
    except OSError:
        return False
    with fh:
        for chunk in chunks:
            data = chunk.encode("utf-8")
            if fh.read(len(data)) != data:
                return False
        return fh.read(1) == b""


def write_if_changed(path: str | os.PathLike[str], make: Callable[[], Iterable[str]]) -> bool:
    """Write the text ``make()`` yields to ``path`` (:func:`atomic_writer`) unless the file already
    holds exactly that: a run with nothing new to say leaves its files and their times alone, and
    so works in a folder it may not write (an archived result on a read-only share). Returns
    whether it wrote."""
    if holds(path, make()):
        return False
    with atomic_writer(path) as fh:
        for chunk in make():
            fh.write(chunk)
    return True


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *,
                  binary: bool = False) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any error the temporary file is removed and ``path`` is left untouched,
    so no half-written output ever exists under the final name. Inside an
    :func:`output_batch` the rename waits for the end of the batch. A symlink is
    followed (its target is replaced, the link stays); a device, pipe or
    ``/dev/stdout`` is written directly (see :func:`destination`). A write that
    fails (disk full) is an :class:`OutputError` naming ``path``.
    """
    refuse_input(path)
    target, direct = destination(path)
    if direct:
        with _direct_writer(path, binary) as out:
            yield out
        return
    folder = _output_folder(path, target)
    try:
        # the pid in the name: a run killed with -9 leaves it behind, the next command writing
        # into that folder removes it (check_output_path, run: sweep_stale_writes) and never
        # touches a live process's; a long name is cut, or the temporary name (23 more bytes)
        # would pass the 255-byte limit of a file name that is itself allowed
        # (as the file system holds it: a name that is not UTF-8, from an archive made on another
        # system, stays as it is)
        stem = os.fsdecode(os.fsencode(target.name)[:150])
        fd, tmp = tempfile.mkstemp(prefix=f".{stem}.{owner_tag()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        raw = _OutputFile(fd, str(path))
        buffered = io.BufferedWriter(raw)
        fh: IO[Any] = buffered if binary else io.TextIOWrapper(buffered, encoding="utf-8", newline="\n")
        try:
            yield fh
        except BaseException:
            # failing already (here, or in another output written alongside): the temporary file
            # goes, and an error of its own close must not hide the first one
            with contextlib.suppress(Exception):
                fh.close()
            raise
        try:
            fh.close()
            os.chmod(tmp, _file_mode(target))
        except OSError as exc:
            if exc.errno not in _WRITE_ERRORS:
                raise
            raise _cannot_write(path, exc) from None
        batch = _BATCH.get()
        if batch is not None:
            batch.append((tmp, target, str(path)))
            return
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
