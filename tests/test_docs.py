"""The README and docs/: every relative link leads to a file, every #anchor to a heading."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    checked = 0
    for link in links:
        if re.match(r"[a-z]+://", link):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: {link} -> {path} is missing"
        if anchor:
            assert anchor in _anchors(path), f"{page.name}: {link}: no heading #{anchor} in {path.name}"
        checked += 1
    if page.name in ("README.md", "benchmarks.md", "design.md"):
        assert checked, f"{page.name} links nowhere"


def test_readme_points_to_the_evidence() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/benchmarks.md" in readme and "docs/design.md" in readme
    bench = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    # the figures that left the README are there, with the tables they belong to
    for figure in ("0.914", "1.79x", "407.8", "0.967", "0.930 / 0.930", "0.998"):
        assert figure in bench


def _console_blocks() -> list[tuple[str, list[str]]]:
    """The README's ``console`` blocks that run ``parallel-corpus`` on the shipped corpus: (command,
    the lines shown after it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        lines = block.rstrip("\n").split("\n")
        if lines and lines[0].startswith("$ parallel-corpus ") and " corpus/" in lines[0]:
            out.append((lines[0][2:], lines[1:]))
    return out


@pytest.mark.parametrize(("command", "shown"), _console_blocks(), ids=lambda x: str(x)[:40])
def test_readme_console_examples_print_what_they_show(command: str, shown: list[str]) -> None:
    """The worked example prints what the README shows: its rows and scores (stdout, every line
    with a tab, in order) and its messages (stderr, every other line). The example had gone stale
    after a refit of the confidence model (p 0.5620 shown, 0.5705 printed)."""
    import os
    import subprocess
    import sys

    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    head, _, tail = command.partition(" |")
    run = head + " --no-cache" + (" |" + tail if tail else "")  # the same output, no cache touched
    res = subprocess.run(["bash", "-o", "pipefail", "-c", run], check=False, cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert [x for x in shown if "\t" in x] == res.stdout.splitlines()
    messages = res.stderr.splitlines()
    for line in (x for x in shown if "\t" not in x):
        assert line in messages, line
