"""One progress mechanism (parallel.progress): tqdm on a terminal, plain lines in logs, off with -q."""
from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import read_pty

from parallel import bigmine
from parallel.cli import main
from parallel.progress import Bar, counter

ROOT = Path(__file__).resolve().parents[1]
AR = ROOT / "corpus" / "covid-cooperation.ar.txt"
EN = ROOT / "corpus" / "covid-cooperation.en.txt"


def test_log_lines_one_per_tenth_no_carriage_returns() -> None:
    out = io.StringIO()
    with Bar(1000, "embedding src", "sentences", stream=out) as bar:
        for _ in range(100):
            bar.update(10)
        bar.note("a note")
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) == 11 and lines[-1] == "a note"
    assert lines[0].startswith("embedding src: 100/1000 sentences (10%, ")
    assert lines[-2].startswith("embedding src: 1000/1000 sentences (100%, ")


def test_disabled_bar_writes_nothing() -> None:
    out = io.StringIO()
    with Bar(10, "pairs", "pairs", enabled=False, stream=out) as bar:
        bar.update(10)
        bar.note("x")
    assert out.getvalue() == ""


def test_terminal_gets_a_tqdm_bar() -> None:
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w", encoding="utf-8")
    with Bar(50, "embedding tgt", "sentences", stream=stream) as bar:
        for _ in range(5):
            bar.update(10)
    stream.close()
    text = read_pty(master).decode("utf-8")
    os.close(master)
    assert "embedding tgt" in text and "50/50" in text and "\r" in text  # redrawn in place


def test_counter_thresholds_and_runs() -> None:
    out = io.StringIO()
    progress = counter("embedding", min_total=5, log_min_total=50, stream=out)
    for done in range(10, 101, 10):
        progress(done, 100)
    first = out.getvalue().splitlines()
    assert len(first) == 10 and first[-1].startswith("embedding: 100/100 sentences (100%")
    for done in range(10, 21, 10):  # short work, not a terminal: quiet
        progress(done, 20)
    assert out.getvalue().splitlines() == first
    for done in range(30, 61, 30):  # a second long run starts its own bar
        progress(done, 60)
    assert out.getvalue().splitlines()[-1].startswith("embedding: 60/60 sentences (100%")


def _lines(path: Path, n: int | None = None) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:n]


def test_mine_shows_progress_while_embedding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parallel.api import read_document

    ar = read_document(AR, "ar").sentences
    en = read_document(EN, "en").sentences
    (tmp_path / "ar.txt").write_text("\n".join(ar) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    args = ["mine", str(tmp_path / "ar.txt"), str(tmp_path / "en.txt"), "--chunk-size", "8"]
    whole = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "a.tsv"), "-q"])
    assert whole.exit_code == 0 and whole.stderr == ""
    monkeypatch.setattr(bigmine.embedding, "EMBED_PIECE", 2)  # several pieces per chunk
    res = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "b.tsv")])
    assert res.exit_code == 0, res.output
    assert "\r" not in res.stderr
    src = [ln for ln in res.stderr.splitlines() if ln.startswith("embedding src: ")]
    n = len(ar)
    assert src[-1].startswith(f"embedding src: {n}/{n} sentences (100%")
    assert len(src) >= 5  # it moved while the chunks were embedded, not only at the end
    assert any(ln.startswith("embedding tgt: ") for ln in res.stderr.splitlines())
    # pieces change how often progress is reported, not which pairs are mined (the default piece is
    # a multiple of the encoder's batch, so there the vectors are the very same; 2 is not)
    def pairs(name: str) -> set[tuple[str, str]]:
        return {tuple(ln.split("\t")[:2]) for ln in _lines(tmp_path / name)}  # type: ignore[misc]

    assert pairs("b.tsv") == pairs("a.tsv") and pairs("a.tsv")


def _manifest(tmp_path: Path) -> Path:
    shutil.copy(AR, tmp_path / "a.ar")
    shutil.copy(EN, tmp_path / "a.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\nalpha\ta.ar\ta.en\nbeta\ta.ar\ta.en\n", encoding="utf-8")
    return tmp_path / "m.tsv"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


@pytest.mark.slow
def test_run_progress_in_a_log_file_and_on_a_terminal(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path)
    log = tmp_path / "run.log"
    with open(log, "wb") as fh:
        proc = subprocess.run([sys.executable, "-m", "parallel", "run", str(manifest), "-o",
                               str(tmp_path / "out1")], stderr=fh, stdout=subprocess.DEVNULL, env=_env(), check=False)
    assert proc.returncode == 0
    text = log.read_bytes().decode("utf-8")  # bytes: read_text would turn "\r" into "\n"
    assert "\r" not in text  # no tqdm frames in a log
    assert "pairs: 1/2 pairs (50%, " in text and "pairs: 2/2 pairs (100%, " in text
    master, slave = pty.openpty()
    proc2 = subprocess.Popen([sys.executable, "-m", "parallel", "run", str(manifest), "-o",
                              str(tmp_path / "out2")], stderr=slave, stdout=subprocess.DEVNULL, env=_env())
    os.close(slave)
    shown = read_pty(master).decode("utf-8")
    os.close(master)
    assert proc2.wait() == 0
    assert "\r" in shown and "2/2" in shown and "pairs: 2/2 pairs (100%" not in shown  # a tqdm bar
    quiet = subprocess.run([sys.executable, "-m", "parallel", "run", str(manifest), "-o",
                            str(tmp_path / "out3"), "-q"], capture_output=True, env=_env(),
                           check=False)
    assert quiet.returncode == 0 and quiet.stderr == b""
