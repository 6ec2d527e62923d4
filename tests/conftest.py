from __future__ import annotations

from pathlib import Path

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


@pytest.fixture(autouse=True, scope="session")
def _private_embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's embedding cache."""
    import os

    os.environ["PARALLEL_CACHE_DIR"] = str(tmp_path_factory.mktemp("embedding-cache"))
