"""Reliability: what ``-o`` points at is never damaged, a failed command leaves nothing new,
a broken pipe is quiet, workers die with their driver (issue 16).

Everything here runs the real command line in a subprocess against real files, a real named
pipe, real symlinks and real character devices. As root, the device tests first use a private
copy of ``/dev/null`` / ``/dev/full`` (``mknod`` in the test folder), so a regression replaces
that copy, never the machine's device; only when the copy survives is the real one used.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

AR = ("عقدت الصين مؤتمرا صحفيا يوم الخميس. وقال المتحدث إن التعاون الدولي ضروري لمكافحة الوباء. "
      "وأرسلت الصين خبراء طبيين إلى عدة دول.\n")
EN = ("China held a press conference on Thursday. The spokesman said international cooperation is "
      "essential to fight the epidemic. China sent medical experts to several countries.\n")


def cli(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "parallel", *map(str, args)], env=ENV, text=True,
                          capture_output=kwargs.pop("capture_output", True), timeout=600,
                          **kwargs)  # type: ignore[call-overload]


def one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("parallel-corpus: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """A small Arabic/English pair and the TSV ``align`` writes for it."""
    d = tmp_path_factory.mktemp("pair")
    (d / "s.ar").write_text(AR, encoding="utf-8")
    (d / "s.en").write_text(EN, encoding="utf-8")
    r = cli("align", d / "s.ar", d / "s.en", "-q", "-o", d / "ref.tsv")
    assert r.returncode == 0, r.stderr
    return d / "s.ar", d / "s.en", (d / "ref.tsv").read_bytes()


def _device_copy(folder: Path, name: str, minor: int) -> Path | None:
    """A private character device equal to /dev/NAME (root only), or None."""
    if not IS_ROOT:
        return None
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        with open(path, "wb"):
            pass
    except OSError:
        return None
    return path


def _devices(folder: Path, name: str, minor: int) -> list[Path]:
    copy = _device_copy(folder, name, minor)
    return ([copy] if copy else []) + [Path(f"/dev/{name}")]


def _assert_device(path: Path, minor: int) -> None:
    st = os.stat(path)
    assert stat.S_ISCHR(st.st_mode), f"{path} is no longer a character device"
    assert os.major(st.st_rdev) == 1 and os.minor(st.st_rdev) == minor
    assert not Path(f"{path}.sig").exists()


# ------------------------------------------------------------------ 1. -o special files


def test_output_to_character_device_writes_through_it(pair: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    src, tgt, _ = pair
    for dev in _devices(tmp_path, "null", 3):
        r = cli("align", src, tgt, "-q", "-o", dev)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        _assert_device(dev, 3)


def test_output_to_dev_full_is_one_line_error_naming_it(pair: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    src, tgt, _ = pair
    for dev in _devices(tmp_path, "full", 7):
        r = cli("align", src, tgt, "-q", "-o", dev)
        assert r.returncode == 1, r.stderr
        line = one_line_error(r.stderr)
        assert str(dev) in line and "No space left on device" in line
        _assert_device(dev, 7)


def test_output_to_named_pipe_reaches_its_reader(pair: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    src, tgt, ref = pair
    fifo = tmp_path / "pipe.tsv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = cli("align", src, tgt, "-q", "-o", fifo)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the named pipe was replaced by a file"
    reader.join(timeout=120)
    assert got == [ref]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.tsv"]  # no sidecar, no temp file


def test_output_through_symlink_replaces_its_target_not_the_link(pair: tuple[Path, Path, bytes],
                                                                  tmp_path: Path) -> None:
    src, tgt, ref = pair
    (tmp_path / "store").mkdir()
    (tmp_path / "work").mkdir()
    target = tmp_path / "store" / "real.tsv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "work" / "link.tsv"
    link.symlink_to(Path("..") / "store" / "real.tsv")
    r = cli("align", src, tgt, "-q", "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "store" / "real.tsv")
    assert target.read_bytes() == ref
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["real.tsv"]  # no temp left
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["link.tsv", "link.tsv.sig"]
    # a dangling link: the file is created where it points
    target.unlink()
    r = cli("align", src, tgt, "-q", "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and target.read_bytes() == ref


def test_output_to_dev_stdout_keeps_the_link_and_the_shell_redirection(pair: tuple[Path, Path, bytes],
                                                                       tmp_path: Path) -> None:
    """A private link to /proc/self/fd/1 first (a regression replaces that), then /dev/stdout."""
    src, tgt, ref = pair
    private = tmp_path / "stdout"
    private.symlink_to("/proc/self/fd/1")
    for link in (private, Path("/dev/stdout")):
        before = os.readlink(link)
        out = tmp_path / "redirected.tsv"
        with open(out, "wb") as fh:
            r = cli("align", src, tgt, "-q", "-o", link, stdout=fh, stderr=subprocess.PIPE,
                    capture_output=False)
        assert r.returncode == 0, r.stderr
        assert os.path.islink(link) and os.readlink(link) == before, f"{link} was replaced"
        assert out.read_bytes() == ref
        piped = cli("align", src, tgt, "-q", "-o", link)
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout.encode("utf-8") == ref
        assert not Path(f"{link}.sig").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["redirected.tsv", "stdout"]


# ------------------------------------------------------------------ 5. disk full


@pytest.fixture()
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 1 MiB tmpfs (root only), unmounted afterwards."""
    if not IS_ROOT:
        pytest.skip("mounting a small file system needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill_leaving(folder: Path, free: int) -> None:
    """Fill ``folder``'s file system, then free exactly ``free`` bytes (whole pages)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - free))


@pytest.mark.parametrize("existing", [False, True])
def test_disk_full_leaves_no_new_output_and_names_the_file(pair: tuple[Path, Path, bytes], small_disk: Path,
                                                           existing: bool) -> None:
    """Room for the TSV but not its .sig: before the fix the new TSV was left without its sidecar."""
    src, tgt, ref = pair
    out = small_disk / "out.tsv"
    if existing:
        out.write_text("old\n", encoding="utf-8")
        Path(f"{out}.sig").write_text("old sig\n", encoding="utf-8")
    page = 4096
    fill_leaving(small_disk, -(-len(ref) // page) * page)
    r = cli("align", src, tgt, "-q", "-o", out)
    assert r.returncode == 1, r.stderr
    line = one_line_error(r.stderr)
    assert "No space left on device" in line and "out.tsv" in line
    names = sorted(p.name for p in small_disk.iterdir())
    if existing:
        assert names == ["filler", "out.tsv", "out.tsv.sig"]
        assert out.read_text(encoding="utf-8") == "old\n"
        assert Path(f"{out}.sig").read_text(encoding="utf-8") == "old sig\n"
    else:
        assert names == ["filler"]
