"""Real-terminal and real-browser plumbing shared by the tests (not a test module)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Flags for Chromium on this closed network: no background connections, no first-run work.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def read_pty(master: int) -> bytes:
    """Everything written to a pseudo-terminal until every writer has closed it."""
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def chromium_context(playwright: Any, profile: Path, width: int, height: int) -> Any:
    """A headless Debian Chromium with a fresh profile; skips the test where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True,
        viewport={"width": width, "height": height}, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def browser_page(tmp_path: Path, width: int, height: int) -> Iterator[Any]:
    """A page of :func:`chromium_context` (profile in ``tmp_path``), the browser closed after;
    skips the test where playwright or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = chromium_context(p, tmp_path / "profile", width, height)
        try:
            yield browser.new_page()
        finally:
            browser.close()


#: How long a browser test waits for a condition: a slow, busy machine is no failure (a test waits
#: for what it expects, never a fixed time).
PATIENCE_MS = 180_000


@contextlib.contextmanager
def patient_page(tmp_path: Path, width: int = 1300, height: int = 900) -> Iterator[Any]:
    """:func:`browser_page` whose waits (Playwright's own and ``expect``'s) last :data:`PATIENCE_MS`."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with browser_page(tmp_path, width, height) as pg:
        pg.set_default_timeout(PATIENCE_MS)
        sync_api.expect.set_options(timeout=PATIENCE_MS)
        yield pg
