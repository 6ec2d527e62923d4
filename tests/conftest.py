from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED_BENCH = ROOT.parent / "shared" / "bench"


@pytest.fixture(scope="session")
def seed_ar() -> Path:
    return CORPUS / "covid-cooperation.ar.txt"


@pytest.fixture(scope="session")
def seed_en() -> Path:
    return CORPUS / "covid-cooperation.en.txt"


@pytest.fixture(scope="session")
def shared_bench() -> Path:
    if not SHARED_BENCH.is_dir():
        pytest.skip("../shared/bench is not present")
    return SHARED_BENCH


@pytest.fixture(scope="session")
def repo_module() -> Callable[[str, str], Any]:
    """Import a module of the repository's ``bench/`` or ``scripts/``: ``repo_module("bench",
    "mine_bench")`` (bench modules import from both folders)."""
    import importlib
    import sys

    def load(folder: str, name: str) -> Any:
        for sub in ("bench", "scripts"):
            if str(ROOT / sub) not in sys.path:
                sys.path.insert(0, str(ROOT / sub))
        assert (ROOT / folder / f"{name}.py").is_file()
        return importlib.import_module(name)

    return load


@pytest.fixture(autouse=True, scope="session")
def _private_embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's embedding cache."""
    import os

    os.environ["PARALLEL_CACHE_DIR"] = str(tmp_path_factory.mktemp("embedding-cache"))
