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
