"""The walkthrough notebook runs top to bottom on the seed pair (so it never rots).

Needs ``nbclient``, ``nbformat`` and ``ipykernel`` (the kernel is the Python running
the tests: jupyter_client starts ``python3`` with ``sys.executable``), all offline.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "walkthrough.ipynb"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_walkthrough_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel must be this interpreter (the venv under test), whatever kernels are installed
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print('KERNEL', sys.prefix)"))
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert 'dir="rtl" lang="ar"' in html  # Arabic right-to-left in its cells
    assert 'dir="rtl"' not in html.split(">")[0]  # ... and nothing flips the whole output
    assert "data:image/png;base64," in html and "<polyline" in html  # heatmap with the path
    assert "parallel " in text and "comparable " in text and "pairs.tsv" in text
    assert f"KERNEL {sys.prefix}" in text


def test_walkthrough_outside_the_repository_says_what_it_needs(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # stop 38: copied anywhere without corpus/manifest.tsv above it, its first cell was a bare StopIteration
    import json

    pytest.importorskip("IPython")
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    first = next(c for c in cells if c["cell_type"] == "code")
    code = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no corpus/manifest.tsv in this folder or above"):
        exec(compile(code, "walkthrough-cell-1", "exec"), {})  # noqa: S102 - the notebook's own first cell
