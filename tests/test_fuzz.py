"""Fuzzing ``segment`` and ``align`` with hostile input (issue 16).

Two sources: the checked-in corpus ``tests/nasty/`` (empty, BOM-only, NUL bytes, Latin-1, UTF-16,
an encoded surrogate, bidi controls, zalgo, emoji sequences, a 30,000-character word, base64,
unpunctuated runs, markup, control characters, ...) run through the real command line, and
hypothesis-generated text run through the Python API. Either way the promises are the same:
exit 0 with a consistent result, or one ``parallel-corpus: error:`` line, exit 2 (bad input),
never a traceback or an "internal error", never a half-written output file.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallel.cli import main
from parallel.errors import ParallelError

NASTY = sorted(p for p in (Path(__file__).parent / "nasty").iterdir() if not p.name.startswith("."))
AR = "قالت منظمة الصحة العالمية إن الوضع خطير. وأضافت أن التعاون ضروري. وشكر المتحدث الحضور.\n"
EN = "The World Health Organization said the situation was serious. It added that cooperation was " \
     "essential. The speaker thanked the audience.\n"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as in a real run (pytest turns warnings into errors)
        result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def check_outcome(code: int, stderr: str, output: Path | None = None) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert all(ln.startswith("parallel-corpus: ") for ln in lines), stderr
    errors = [ln for ln in lines if ln.startswith("parallel-corpus: error: ")]
    if code == 0:
        assert errors == [], stderr
    else:
        assert code == 2, (code, stderr)
        assert len(errors) == 1, stderr
        if output is not None:
            assert not output.exists() and not Path(f"{output}.sig").exists()
            assert [p.name for p in output.parent.iterdir() if p.name.startswith(".")] == []


def check_alignment(path: Path) -> None:
    """Every link's sentences exist; no sentence in two links; parallel mode covers each once;
    every segment is its slice of the document."""
    from parallel.readers import read_alignment

    al = read_alignment(path)
    for doc in (al.src, al.tgt):
        assert all(doc.text[s.start:s.end] == s.text for s in doc.segments)
    src = [i for k in al.links for i in k.src]
    tgt = [j for k in al.links for j in k.tgt]
    assert len(src) == len(set(src)) and len(tgt) == len(set(tgt))
    assert all(0 <= i < len(al.src) for i in src) and all(0 <= j < len(al.tgt) for j in tgt)
    if al.mode == "parallel":
        assert sorted(src) == list(range(len(al.src))) and sorted(tgt) == list(range(len(al.tgt)))


@pytest.mark.parametrize("path", NASTY, ids=[p.name for p in NASTY])
def test_segment_survives_the_nasty_corpus(path: Path) -> None:
    code, out, err = invoke("segment", path, "--format", "jsonl")
    check_outcome(code, err)
    if code == 0:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        for line in out.splitlines():
            seg = json.loads(line)
            assert text[seg["start"]:seg["end"]] == seg["text"]
            assert len(seg["text"]) <= 2000


@pytest.mark.slow
@pytest.mark.parametrize("path", NASTY, ids=[p.name for p in NASTY])
def test_align_survives_the_nasty_corpus(path: Path, tmp_path: Path) -> None:
    (tmp_path / "doc.ar").write_text(AR, encoding="utf-8")
    (tmp_path / "doc.en").write_text(EN, encoding="utf-8")
    for src, tgt in ((path, tmp_path / "doc.en"), (tmp_path / "doc.ar", path)):
        out = tmp_path / "out" / "pairs.json"
        out.parent.mkdir(exist_ok=True)
        code, _, err = invoke("align", src, tgt, "-q", "-f", "json", "-o", out)
        check_outcome(code, err, out)
        if code == 0:
            check_alignment(out)
        out.unlink(missing_ok=True)


# ------------------------------------------------------------------ hypothesis, through the API

PIECES = [
    ".", "?", "!", "؟", "،", " ", "\n", "\r\n", "\t", "\u200f", "\u202e", "\u2066", "\ufeff", "\u2028",
    "\x00",
    "\x1b", "\x85", "\u0301", "👨‍👩‍👧", "\U0010fffd", "\ufffd", "Dr.", "U.S.", "3.5", "٣٫٥", "<b>", "]]>",
    "\"", "«", "»", "(", "The", "said", "قال", "الصحة", "وقال", "x" * 50, "word " * 30,
]
hostile = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=30).map(" ".join),
)


@pytest.fixture(scope="module")
def encoder() -> Any:
    from parallel.embed import get_encoder

    return get_encoder("use-m3")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile, st.sampled_from(["ar", "en", None]))
def test_segment_api_on_hostile_text(text: str, lang: str | None) -> None:
    from parallel.api import make_document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = make_document(text, lang, force_lang=True)
        except ParallelError:
            return  # e.g. no letters to tell the language by: a one-line error in the CLI
    assert all(text[s.start:s.end] == s.text and s.text.strip() for s in doc.segments)
    assert [s.index for s in doc.segments] == list(range(len(doc.segments)))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(hostile, hostile, st.sampled_from(["auto", "parallel", "comparable"]))
def test_align_api_on_hostile_text(encoder: Any, tmp_path: Path, src: str, tgt: str, mode: str) -> None:
    from parallel.api import align_documents, make_document
    from parallel.export import export

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            s = make_document(AR + src, "ar", force_lang=True)
            t = make_document(tgt + EN, "en", force_lang=True)
            al = align_documents(s, t, mode=mode, model=encoder)
        except ParallelError:
            return
    out = tmp_path / "fuzz.json"
    export(al, str(out), "json")
    check_alignment(out)
    for fmt in ("tsv", "jsonl", "tmx", "vecalign"):
        export(al, str(tmp_path / f"fuzz.{fmt}"), fmt)
