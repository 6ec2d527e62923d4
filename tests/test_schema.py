"""The seams between commands: one pair schema, read back by every command that takes pairs,
and loaded by the real consumers (Hugging Face ``datasets``, pandas, the csv module,
translate-toolkit), from a linguist's review to an MT researcher's training files."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pairs_factory import make_alignment, make_doc

from parallel.cli import main
from parallel.data import Alignment, Link
from parallel.export import export, pair_rows
from parallel.readers import read_alignment, read_pairs
from parallel.schema import TSV_CORE, jsonl_features, jsonl_keys, read_csv_options, tsv_columns


def cli(*args: str) -> Any:
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output
    return res


def ok(*args: str) -> Any:
    res = cli(*args)
    assert res.exit_code == 0, res.output
    return res


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, seed_ar: Path, seed_en: Path) -> Path:
    """Outputs of every command on the seed pair, made once: align in both modes, run, mine."""
    from parallel.api import read_document

    w = tmp_path_factory.mktemp("seams")
    ok("align", str(seed_ar), str(seed_en), "--mode", "parallel", "-q", "-f", "json", "-o", str(w / "par.json"))
    ok("align", str(seed_ar), str(seed_en), "--mode", "comparable", "-q", "-f", "json", "-o", str(w / "comp.json"))
    # one sentence per line, for `mine` and a presplit parallel pair in the manifest
    for side, path in (("ar", seed_ar), ("en", seed_en)):
        (w / f"sents.{side}").write_text("\n".join(read_document(path).sentences) + "\n", encoding="utf-8")
        (w / f"head.{side}").write_text("\n".join(read_document(path).sentences[:10]) + "\n", encoding="utf-8")
    (w / "manifest.tsv").write_text(
        "name\tsrc\ttgt\tmode\tpresplit\n"
        f"seed\t{seed_ar}\t{seed_en}\tcomparable\tno\n"
        "head\thead.ar\thead.en\tparallel\tyes\n", encoding="utf-8")
    ok("run", str(w / "manifest.tsv"), "-o", str(w / "run"), "-q")
    ok("mine", str(w / "sents.ar"), str(w / "sents.en"), "-q", "-o", str(w / "mined.tsv"))
    ok("mine", str(w / "sents.ar"), str(w / "sents.en"), "-q", "-o", str(w / "mined.jsonl"))
    return w


# ------------------------------------------------------------------ JSONL: one fixed schema


def test_jsonl_has_one_schema_in_every_mode_and_command(work: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    files = []
    for name in ("par", "comp"):
        ok("filter", str(work / f"{name}.json"), "-q", "-o", str(tmp_path / f"{name}.jsonl"))
        ok("filter", str(work / f"{name}.json"), "-q", "-o", str(tmp_path / f"{name}.tsv"))
        # filter's JSONL from a TSV (which carries its own columns only) has the same keys
        ok("filter", str(tmp_path / f"{name}.tsv"), "-q", "-o", str(tmp_path / f"{name}-from-tsv.jsonl"))
        files += [tmp_path / f"{name}.jsonl", tmp_path / f"{name}-from-tsv.jsonl"]
    ok("filter", str(work / "comp.json"), "-q", "--keep-empty", "-o", str(tmp_path / "comp-all.jsonl"))
    files += [tmp_path / "comp-all.jsonl", work / "run" / "_all.jsonl", work / "mined.jsonl"]
    counts = []
    for f in files:
        recs = jsonl(f)
        assert recs, f
        assert all(list(r) == jsonl_keys() for r in recs), f  # every key, in order, always
        counts.append(len(recs))
    par, comp = jsonl(tmp_path / "par.jsonl"), jsonl(tmp_path / "comp.jsonl")
    assert any(r["length_z"] is not None for r in par) and all(r["z"] is None for r in par)
    assert any(r["z"] is not None for r in comp) and all(r["length_z"] is None for r in comp)
    for via_tsv, direct in zip(jsonl(tmp_path / "par-from-tsv.jsonl"), par, strict=True):
        # the same pairs and the same fields filled (values rounded to the TSV's 4 decimals)
        assert {k for k, v in via_tsv.items() if v is not None} == {k for k, v in direct.items() if v is not None}
        assert (via_tsv["translation"], via_tsv["src_ids"], via_tsv["tgt_ids"]) == \
            (direct["translation"], direct["src_ids"], direct["tgt_ids"])
    run_all = jsonl(work / "run" / "_all.jsonl")
    assert {r["pair"] for r in run_all} == {"seed", "head"}
    assert run_all == jsonl(work / "run" / "seed.jsonl") + jsonl(work / "run" / "head.jsonl")
    assert all(r["src_origin"].startswith(str(work / "sents.ar")) for r in jsonl(work / "mined.jsonl"))

    # the real consumer: every file at once, as one dataset with the documented Features
    ds = datasets.load_dataset("json", data_files=[str(f) for f in files], split="train",
                               features=jsonl_features("ar", "en"), cache_dir=str(tmp_path / "hf"))
    assert ds.num_rows == sum(counts)
    assert ds.features == jsonl_features("ar", "en")
    assert ds.features["margin_local"] == datasets.Value("float64")
    assert ds.features["status"] == datasets.Value("string")
    assert ds.features["src_ids"] == datasets.List(datasets.Value("int64"))
    df = ds.to_pandas()
    assert df["unmatched"].sum() == sum(r["unmatched"] for r in jsonl(tmp_path / "comp-all.jsonl")) > 0
    assert set(df["pair"].dropna()) == {"seed", "head"}


def test_p_from_the_calibration_is_a_column(tmp_path: Path) -> None:
    """Issue 15 adds a calibrated probability ``p`` to each link's evidence: already a typed field."""
    al = make_alignment("parallel")
    links = [Link(k.src, k.tgt, k.score, {**k.features, "p": 0.25 + 0.1 * n}) for n, k in enumerate(al.links)]
    al = Alignment(al.src, al.tgt, links, al.mode, al.signature)
    export(al, str(tmp_path / "p.jsonl"))
    export(al, str(tmp_path / "p.tsv"))
    assert [r["p"] for r in jsonl(tmp_path / "p.jsonl")] == [round(0.25 + 0.1 * n, 6) for n, k in
                                                             enumerate(al.links) if _full(al, k)]
    assert [float(r["p"]) for r in tsv(tmp_path / "p.tsv")] == pytest.approx(
        [0.25 + 0.1 * n for n, k in enumerate(al.links) if _full(al, k)], abs=1e-4)
    assert [k.features["p"] for k in read_pairs(tmp_path / "p.tsv").links] == pytest.approx(
        [0.25 + 0.1 * n for n, k in enumerate(al.links) if _full(al, k)], abs=1e-4)


def _full(al: Alignment, link: Link) -> bool:
    return bool(al.src_text(link).strip() and al.tgt_text(link).strip())


# ------------------------------------------------------------------ review decisions reach the exports

PORT = 8124
HOST = f"127.0.0.1:{PORT}"


@pytest.fixture
def reviewed(work: Path, tmp_path: Path) -> Iterator[Path]:
    """The seed's parallel alignment after a review session in the web app (Flask test client):
    link 0 rejected, link 1 accepted, links 2 and 3 merged, a note on link 5."""
    pytest.importorskip("flask")
    from parallel.review.app import create_app

    path = tmp_path / "pair.json"
    path.write_bytes((work / "par.json").read_bytes())
    al = read_alignment(path)
    full = [n for n, k in enumerate(al.links) if k.src and k.tgt]
    assert full[:6] == list(range(6)), "the seed's first links are 1-1 or n-m"
    app = create_app(path, port=PORT, token="tok", embed=False)
    with app.test_client() as c:
        def op(name: str, **args: Any) -> None:
            r = c.post("/api/op", json={"op": name, "args": args}, base_url=f"http://{HOST}",
                       headers={"Host": HOST, "X-CSRF-Token": "tok", "Origin": f"http://{HOST}"})
            assert r.status_code == 200, r.get_json()

        op("status", link=0, status="rejected")
        op("status", link=1, status="accepted")
        op("merge", link=2)
        op("note", link=4, note="check\tthe date")
    yield path


def test_review_decisions_reach_every_export(reviewed: Path, tmp_path: Path) -> None:
    al = read_alignment(reviewed)
    assert al.links[0].features["status"] == "rejected"
    assert al.links[2].features["edited"] == "merge"
    rows = pair_rows(al)
    want = [(r.features.get("status") or "", r.features.get("edited") or "") for r in rows]
    assert want[:5] == [("rejected", ""), ("accepted", ""), ("accepted", "merge"), ("", ""), ("", "")]
    out = tmp_path / "out"
    out.mkdir()
    for name in ("pairs.tsv", "pairs.jsonl", "pairs.tmx"):
        ok("filter", str(reviewed), "-q", "-o", str(out / name))
    ok("filter", str(reviewed), "-q", "-f", "moses", "-o", str(out / "pairs"))
    assert [(r["status"], r["edited"]) for r in tsv(out / "pairs.tsv")] == want
    assert tsv(out / "pairs.tsv")[4]["note"] == "check the date"
    assert [(r["status"] or "", r["edited"] or "") for r in jsonl(out / "pairs.jsonl")] == want
    tus = ET.fromstring((out / "pairs.tmx").read_bytes()).findall("body/tu")
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in tus]
    assert [(p.get("x-status") or "", p.get("x-edited") or "") for p in props] == want
    status = (out / "pairs.ar-en.status").read_text(encoding="utf-8").split("\n")[:-1]
    assert status == [s for s, _ in want]
    # every format reads back with the decisions, and filter acts on them whichever it reads
    for name in ("pairs.tsv", "pairs.jsonl", "pairs.tmx", "pairs.ar-en.ar", "pair.json"):
        src = reviewed if name == "pair.json" else out / name
        got = [(k.features.get("status") or "") for k in read_pairs(src).links if _full(al, k) or name != "pair.json"]
        assert got[:3] == ["rejected", "accepted", "accepted"], name
        res = ok("filter", str(src), "--drop-rejected", "-f", "tsv")
        kept = tsv_rows(res.stdout)
        assert len(kept) == len(want) - 1 and "rejected" not in {r["status"] for r in kept}, name
        assert "filter status (in): removed 1 of" in res.stderr
    res = ok("filter", str(reviewed), "--status", "accepted", "-q", "-f", "tsv")
    assert [(r["status"], r["edited"]) for r in tsv_rows(res.stdout)] == [("accepted", ""), ("accepted", "merge")]
    res = ok("filter", str(out / "pairs.jsonl"), "--status", "edited", "-q", "-f", "tsv")
    assert [r["edited"] for r in tsv_rows(res.stdout)] == ["merge"]
    res = ok("filter", str(reviewed), "--status", "unreviewed", "-q", "-f", "jsonl")
    assert {r["status"] for r in map(json.loads, res.stdout.splitlines())} == {None}
    res = cli("filter", str(reviewed), "--status", "acepted")
    assert res.exit_code == 2 and "--status" in res.stderr and "accepted, rejected" in res.stderr


def test_review_to_training_files_to_mt_eval(reviewed: Path, tmp_path: Path) -> None:
    """A linguist's review, filtered into Moses and TMX, scored by mt-eval against either."""
    ok("filter", str(reviewed), "--status", "accepted,unreviewed", "-q", "-f", "moses", "-o", str(tmp_path / "t"))
    ok("filter", str(reviewed), "--status", "accepted,unreviewed", "-q", "-o", str(tmp_path / "t.tmx"))
    hyp = tmp_path / "t.ar-en.en"  # a perfect system: the references themselves
    for ref in ("t.ar-en.ar", "t.tmx"):
        res = ok("mt-eval", "--hyp", str(hyp), "--ref", str(tmp_path / ref), "--json", "-q")
        doc = json.loads(res.stdout)
        assert doc["skipped"] == 0 and doc["scores"][0]["score"] == pytest.approx(100.0)


def tsv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


# ------------------------------------------------------------------ training formats: one rule


@pytest.mark.parametrize("mode", ["parallel", "comparable"])
@pytest.mark.parametrize("keep_empty", [False, True])
def test_training_formats_hold_the_same_pairs(tmp_path: Path, mode: str, keep_empty: bool) -> None:
    tk = pytest.importorskip("translate.storage.tmx")
    al = make_alignment(mode)
    export(al, str(tmp_path / "p.tsv"), keep_empty=keep_empty)
    export(al, str(tmp_path / "p.jsonl"), keep_empty=keep_empty)
    export(al, str(tmp_path / "p.tmx"), keep_empty=keep_empty)
    export(al, str(tmp_path / "p"), "moses", keep_empty=keep_empty)
    with (tmp_path / "p.tmx").open("rb") as fh:
        units = [u for u in tk.tmxfile(fh, "ar", "en").units if not u.isheader()]
    texts = {
        "tsv": [(r["src"], r["tgt"]) for r in tsv(tmp_path / "p.tsv")],
        "jsonl": [(r["translation"]["ar"], r["translation"]["en"]) for r in jsonl(tmp_path / "p.jsonl")],
        "tmx": [(u.source, u.target) for u in units],
        "moses": list(zip((tmp_path / "p.ar-en.ar").read_text(encoding="utf-8").split("\n")[:-1],
                          (tmp_path / "p.ar-en.en").read_text(encoding="utf-8").split("\n")[:-1],
                          strict=True)),
    }
    n = {fmt: len(v) for fmt, v in texts.items()}
    assert len(set(n.values())) == 1, n
    empty = [fmt for fmt, v in texts.items() if any(not s.strip() or not t.strip() for s, t in v)]
    if keep_empty:
        extra = len(al.unmatched_src) + len(al.unmatched_tgt) if mode == "comparable" else 0
        assert n["tsv"] == len(al.links) + extra
        assert sorted(empty) == sorted(texts)  # every format lists them, asked for
        unmatched = [r["unmatched"] for r in jsonl(tmp_path / "p.jsonl")]
        assert sum(unmatched) == extra
    else:
        assert n["tsv"] == len([k for k in al.links if _full(al, k)])
        assert n["tsv"] < len(al.links) or mode == "comparable"  # parallel mode has 1-0 / 0-1 links
        assert empty == []


def test_mt_eval_says_why_counts_differ(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    export(al, str(tmp_path / "p.tmx"))
    export(al, str(tmp_path / "all"), "moses", keep_empty=True)  # one line per link, empty ones too
    res = cli("mt-eval", "--hyp", str(tmp_path / "all.ar-en.en"), "--ref", str(tmp_path / "p.tmx"))
    assert res.exit_code == 2
    line = res.stderr.strip()
    assert "\n" not in line and line.startswith("parallel-corpus: error:")
    assert f"{len(al.links)} lines" in line and f"{len(pair_rows(al))} pairs" in line
    assert "--keep-empty" in line and "header" not in line


# ------------------------------------------------------------------ the toolkit reads its own outputs


def test_run_all_tsv_reads_back_pair_by_pair(work: Path, tmp_path: Path) -> None:
    run = work / "run"
    ok("filter", str(run / "_all.tsv"), "-q", "-o", str(tmp_path / "all.tsv"))
    assert (tmp_path / "all.tsv").read_text(encoding="utf-8") == (run / "_all.tsv").read_text(encoding="utf-8")
    rows = tsv(tmp_path / "all.tsv")
    assert list(rows[0]) == list(tsv_columns({"pair"}))
    for name in ("seed", "head"):  # ids and texts are each pair's own, not mixed up between pairs
        mine = [{k: v for k, v in r.items() if k != "pair"} for r in rows if r["pair"] == name]
        assert mine == tsv(run / f"{name}.tsv")
    res = ok("filter", str(run / "_all.tsv"), "--link-types", "1-1", "-q", "-f", "jsonl")
    assert {json.loads(x)["pair"] for x in res.stdout.splitlines()} == {"seed", "head"}
    ok("filter", str(run / "_all.jsonl"), "-q", "-o", str(tmp_path / "all.jsonl"))
    assert [{k: v for k, v in r.items() if k != "signature"} for r in jsonl(tmp_path / "all.jsonl")] == \
        [{k: v for k, v in r.items() if k != "signature"} for r in jsonl(run / "_all.jsonl")]
    hyp = tmp_path / "hyp.en"
    hyp.write_text("".join(r["tgt"] + "\n" for r in rows), encoding="utf-8")
    doc = json.loads(ok("mt-eval", "--hyp", str(hyp), "--ref", str(run / "_all.tsv"), "--json", "-q").stdout)
    assert doc["pairs"] == len(rows)


def test_mine_output_is_read_by_filter_mt_eval_and_eval(work: Path, tmp_path: Path) -> None:
    rows = tsv(work / "mined.tsv")
    assert list(rows[0]) == list(tsv_columns({"src_origin", "tgt_origin"}))
    assert rows and all(float(r["margin"]) > 1 for r in rows)  # a number (ratio margin), never "distance"
    assert [r["src"] for r in rows] == [r["translation"]["ar"] for r in jsonl(work / "mined.jsonl")]
    assert (work / "mined.tsv.sig").read_text(encoding="utf-8").startswith("model:use-m3|mode:mine|")
    # the mined pairs are comparable mode's on the same sentences
    comp = read_alignment(work / "comp.json")
    assert {(r["src"], r["tgt"]) for r in rows} >= {(comp.src_text(k), comp.tgt_text(k)) for k in comp.links
                                                    if k.kind == "1-1"}
    res = ok("filter", str(work / "mined.tsv"), "--min-margin", "1.3", "-f", "jsonl")
    assert "min-margin (min): removed" in res.stderr
    assert all(json.loads(x)["margin"] >= 1.3 for x in res.stdout.splitlines())
    hyp = tmp_path / "hyp.en"
    hyp.write_text("".join(r["tgt"] + "\n" for r in rows), encoding="utf-8")
    for ref in ("mined.tsv", "mined.jsonl"):
        doc = json.loads(ok("mt-eval", "--hyp", str(hyp), "--ref", str(work / ref), "--json", "-q").stdout)
        assert doc["pairs"] == len(rows) and doc["scores"][0]["score"] == pytest.approx(100.0)
    gold = tmp_path / "gold.tsv"
    gold.write_text("".join(f"{r['src_ids']}\t{r['tgt_ids']}\n" for r in rows[:2]), encoding="utf-8")
    for pred in ("mined.tsv", "mined.jsonl"):
        doc = json.loads(ok("eval", str(work / pred), str(gold), "--json").stdout)
        assert doc["mining"]["recall"] == 1.0 and doc["mining"]["n_pred"] == len(rows), doc


@pytest.mark.parametrize("command", ["report", "review", "grep"])
@pytest.mark.parametrize("name", ["pairs.tsv", "pairs.jsonl", "pairs.tmx", "pairs.json"])
def test_native_json_commands_say_what_they_need(tmp_path: Path, command: str, name: str) -> None:
    al = make_alignment("parallel")
    path = tmp_path / name
    if name.endswith(".json"):  # a TSV under a .json name (export refuses to write one: renamed)
        export(al, str(tmp_path / "written.tsv"))
        (tmp_path / "written.tsv").rename(path)
    else:
        export(al, str(path))
    args = [command, "x", str(path)] if command == "grep" else [command, str(path)]
    res = cli(*args)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parallel-corpus: error:")
    assert "align SRC TGT -f json" in lines[0]
    assert not (tmp_path / "pairs.html").exists()


# ------------------------------------------------------------------ pandas, csv, datasets read the TSV

QUOTED_AR = ['"اقتباس لا يغلق', "NA", 'نص "بين علامتين" هنا', "2020"]
QUOTED_EN = ['"An open quote\tand a tab', "null", '"Quoted" at the start', "1999"]


def quoted_tsv(tmp_path: Path) -> Path:
    links = [Link((i,), (i,), 0.5, {"cosine": 0.5} if i == 2 else {}) for i in range(4)]
    al = Alignment(make_doc(QUOTED_AR, "ar"), make_doc(QUOTED_EN, "en"), links, "parallel",
                   "model:t|mode:parallel|src:ar|tgt:en")
    path = tmp_path / "q.tsv"
    al.export(str(path))
    return path


def test_documented_recipes_read_segments_starting_with_quotes(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    datasets = pytest.importorskip("datasets")
    path = quoted_tsv(tmp_path)
    want_src, want_tgt = QUOTED_AR, [t.replace("\t", " ") for t in QUOTED_EN]
    # pandas: the README's recipe
    df = pd.read_csv(path, **read_csv_options())
    assert list(df.columns) == list(TSV_CORE)
    assert list(df["src"]) == want_src and list(df["tgt"]) == want_tgt
    assert df["score"].dtype == "float64" and df["cosine"].dtype == "float64"  # empty cells are NaN
    assert df["cosine"].isna().sum() == 3 and df["src_ids"].tolist() == ["0", "1", "2", "3"]
    # the same options spelled out, as the README shows them for plain pandas
    df2 = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False,
                      na_values={"score": [""], "cosine": [""]})
    assert list(df2["src"]) == want_src and df2["cosine"].dtype == "float64"
    # the csv module
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [r["src"] for r in rows] == want_src and [r["tgt"] for r in rows] == want_tgt
    # Hugging Face datasets' csv loader
    ds = datasets.load_dataset("csv", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf"),
                               **read_csv_options())
    assert ds["src"][:] == want_src and ds["tgt"][:] == want_tgt
    assert ds.features["cosine"] == datasets.Value("float64")
    # without the options pandas takes a leading quote as CSV quoting and merges fields:
    # the reason the recipe names quoting=csv.QUOTE_NONE
    bad = pd.read_csv(path, sep="\t")
    assert list(bad["src"]) != want_src


def test_headerless_tsv_reads_back(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    al = make_alignment("parallel")
    export(al, str(tmp_path / "n.tsv"), header=False)
    first = (tmp_path / "n.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert not first.startswith("src_ids")
    assert len(read_pairs(tmp_path / "n.tsv").links) == len(pair_rows(al))
    df = pd.read_csv(tmp_path / "n.tsv", header=None, names=list(TSV_CORE), **read_csv_options())
    assert len(df) == len(pair_rows(al))


# ------------------------------------------------------------------ Python API


def test_api_export_writes_the_signature_and_unmatched_sentences(tmp_path: Path) -> None:
    al = make_alignment("comparable")
    al.export(str(tmp_path / "x.tsv"))
    assert (tmp_path / "x.tsv.sig").read_text(encoding="utf-8") == al.signature + "\n"
    al.export(str(tmp_path / "y.tsv"), sidecar=False)
    assert not (tmp_path / "y.tsv.sig").exists()
    assert al.unmatched_src == [2, 3, 5]  # ids
    assert al.unmatched_src_sentences == [al.src.segments[i].text for i in (2, 3, 5)]
    assert al.unmatched_tgt_sentences == [al.tgt.segments[j].text for j in al.unmatched_tgt]


def test_readme_python_api_snippet_runs_and_writes_only_where_told(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    """The README's "Python API" block, run as written from the repository root."""
    import re
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    monkeypatch.chdir(root)
    before = sorted(p.name for p in root.iterdir())
    scope: dict[str, Any] = {}
    exec(compile(code.group(1), "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert sorted(p.name for p in root.iterdir()) == before  # nothing written into the repository
    al, out = scope["al"], scope["out"]
    assert (out / "pairs.tsv.sig").read_text(encoding="utf-8").strip() == al.signature
    assert (out / "pairs.tmx").is_file() and (out / "report.html").is_file()
    assert scope["al"].unmatched_src_sentences == [al.src.segments[i].text for i in al.unmatched_src]
    assert all(isinstance(s, str) for s in al.unmatched_src_sentences)


def test_to_dataframe_has_the_schema_columns() -> None:
    pytest.importorskip("pandas")
    from parallel.schema import FIELDS

    for mode in ("parallel", "comparable"):
        df = make_alignment(mode).to_dataframe()
        assert list(df.columns) == [name for name, _ in FIELDS]  # the same columns in every mode
        assert df["score"].dtype == "float64" and df["cosine"].dtype == "float64"
    # stop 38: an alignment with no link (comparable text with no pair) had no columns at all
    from dataclasses import replace

    empty = replace(make_alignment("comparable"), links=())
    df = empty.to_dataframe()
    assert list(df.columns) == [name for name, _ in FIELDS] and len(df) == 0
    assert list(df[["src", "tgt"]].columns) == ["src", "tgt"]


def test_readme_exports_recipe_runs(work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python recipe for exports, run as written on real files."""
    import re
    import shutil

    datasets = pytest.importorskip("datasets")
    pytest.importorskip("pandas")
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Exports, evidence, filters, MT evaluation"):]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    shutil.copy(quoted_tsv(tmp_path), tmp_path / "pairs.tsv")
    ok("filter", str(work / "par.json"), "-q", "-o", str(tmp_path / "a.jsonl"))
    ok("filter", str(work / "comp.json"), "-q", "-o", str(tmp_path / "b.jsonl"))
    (tmp_path / "align").mkdir()
    shutil.copy(work / "run" / "_all.jsonl", tmp_path / "align" / "_all.jsonl")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf")  # not the user's cache
    scope: dict[str, Any] = {}
    exec(compile(code.group(1), "README.md", "exec"), scope)  # noqa: S102 - our own README
    want = QUOTED_AR
    assert list(scope["df"]["src"]) == want and scope["df"]["cosine"].dtype == "float64"
    assert scope["ds_tsv"]["src"][:] == want
    assert [r["src"] for r in scope["rows"]] == want
    assert scope["ds"].num_rows == sum(len(jsonl(p)) for p in (tmp_path / "a.jsonl", tmp_path / "b.jsonl",
                                                                tmp_path / "align" / "_all.jsonl"))
    assert [scope["al"].src_text(k) for k in scope["al"].links] == want


# ------------------------------------------------------------------ the native JSON: checked on reading


def native_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A comparable alignment as `align -f json` writes it: a 2-1 link, p on every link, a
    pair below the bar (info.below_bar)."""
    al = make_alignment("comparable")
    links = (*al.links, Link((2, 3), (2,), 1.0, {"p": 0.6, "join_gain": 0.05}))
    al = Alignment(al.src, al.tgt, links, al.mode, al.signature,
                   {"below_bar": [{"src": 5, "tgt": 4, "p": 0.2, "numbers": "none", "numbers_src": "",
                                   "numbers_tgt": ""}]})
    path = tmp_path / "pair.json"
    al.export(str(path))
    return path, json.loads(path.read_text(encoding="utf-8"))


def _set(*keys: Any, value: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        for k in keys[:-1]:
            doc = doc[k]
        doc[keys[-1]] = value
    return edit


BAD_NATIVE = [  # (what, edit, what the error says)
    ("sentence in two links", lambda d: d["links"].append({"src": [4], "tgt": [5], "score": 1.0, "features": {}}),
     "link 4 [4]:[5]: src sentence 4 is also in link 1"),
    ("sentence of a 2-1 link in another", _set("links", 0, "tgt", value=[0, 2]), "link 3 [2, 3]:[2]: tgt sentence 2 is also in link 0"),
    ("sentence twice in one link", _set("links", 0, "src", value=[0, 0]), "src sentence 0 is also in this link"),
    ("ids as text", _set("links", 0, "src", value=["0"]), "\"src\" must be a list of sentence numbers"),
    ("ids as floats", _set("links", 0, "tgt", value=[0.0]), "\"tgt\" must be a list of sentence numbers"),
    ("p as text", _set("links", 0, "features", "p", value="high"), "feature 'p': a number expected, got 'high'"),
    ("cosine as a bool", _set("links", 0, "features", "cosine", value=True), "feature 'cosine': a number expected"),
    ("numbers as a number", _set("links", 0, "features", "numbers", value=3), "feature 'numbers': text expected"),
    ("score as text", _set("links", 0, "score", value="0.5"), "\"score\" must be a number"),
    ("features not an object", _set("links", 0, "features", value=[1]), "\"features\" must be an object"),
    ("below_bar past the document", _set("info", "below_bar", 0, "src", value=77),
     "info.below_bar entry 0 points outside the documents (src sentence 77; the document has 6)"),
    ("below_bar p as text", _set("info", "below_bar", 0, "p", value="low"), "info.below_bar entry 0: \"p\" must be"),
    ("below_bar not a list", _set("info", "below_bar", value={"src": 5}), "info.below_bar must be a list"),
    ("segment past the end of the text", _set("src", "segments", 5, 1, value=10_000),
     ", 10000] lies outside its text (116 characters)"),
    ("segment start after its end", _set("tgt", "segments", 0, value=[9, 3, 0]), "tgt segment 0 [9, 3] lies outside"),
    ("segment offsets as text", _set("tgt", "segments", 0, value=["0", "5", 0]), "tgt segment 0: want [start, end"),
    ("links null", _set("links", value=None), "\"links\" must be a list"),
    ("link without src", lambda d: d["links"][0].pop("src"), "link 0: no \"src\""),
    ("link without sentences", lambda d: d["links"].append({"src": [], "tgt": [], "score": 0.0}),
     "link 4: no sentence on either side"),
    ("id out of range", _set("links", 0, "tgt", value=[6]), "points outside the documents (tgt sentence 6"),
    ("unknown version", _set("version", value=9), "version 9 is not supported"),
]


@pytest.mark.parametrize("command", ["report", "grep", "filter"])
@pytest.mark.parametrize(("what", "edit", "says"), BAD_NATIVE, ids=[c[0] for c in BAD_NATIVE])
def test_hand_edited_native_json_is_one_clear_error(tmp_path: Path, command: str, what: str, edit: Any,
                                                    says: str) -> None:
    """A native file no writer could have made is refused in one line naming what is wrong, by
    every command that reads it, and nothing is written."""
    path, doc = native_file(tmp_path)
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / ("out.html" if command == "report" else "out.tsv")
    args = {"report": ["report", str(path), "-o", str(out), "--no-matrix"], "grep": ["grep", "x", str(path)],
            "filter": ["filter", str(path), "-o", str(out)]}[command]
    res = cli(*args)
    assert res.exit_code == 2, (what, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"parallel-corpus: error: {path}: "), lines
    assert says in lines[0], lines[0]
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["pair.json"]


def test_the_unedited_native_file_is_read(tmp_path: Path) -> None:
    """The same file before the edits: a 2-1 link (one link holding two sentences, never one
    sentence in two links), a pair below the bar, null for a feature without a value."""
    path, doc = native_file(tmp_path)
    doc["links"][0]["features"]["chrf"] = None
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    al = read_alignment(path)
    assert [k.kind for k in al.links].count("2-1") == 1 and al.info["below_bar"][0]["src"] == 5
    ok("report", str(path), "-o", str(tmp_path / "out.html"), "--no-matrix", "-q")
    ok("grep", "x", str(path))


def test_every_native_file_the_toolkit_writes_reads_back(work: Path, reviewed: Path, tmp_path: Path) -> None:
    """The checks refuse nothing a writer makes: align in both modes, run's per-pair files, a
    file after review, and `filter -o x.json` from the exports of one-sentence pairs (mined
    pairs). run's _all.tsv/_all.jsonl hold a 2-1 link whose sentence boundary an export does not
    keep: they are refused in one line, pointing at the native .json."""
    made = [work / "par.json", work / "comp.json", reviewed,
            *sorted(p for p in (work / "run").glob("*.json") if not p.name.startswith("_"))]
    for name in ("mined.tsv", "mined.jsonl"):
        made.append(tmp_path / (name.replace("/", "-") + ".json"))
        ok("filter", str(work / name), "-q", "-o", str(made[-1]))
    for name in ("run/_all.tsv", "run/_all.jsonl"):
        res = CliRunner().invoke(main, ["filter", str(work / name), "-q", "-o", str(tmp_path / "x.json")])
        assert res.exit_code == 2 and ".json" in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "x.json").exists()
    assert len(made) >= 7
    for path in made:
        al = read_alignment(path)
        for side in ("src", "tgt"):
            ids = [i for k in al.links for i in getattr(k, side)]
            assert len(ids) == len(set(ids)), path
        ok("report", str(path), "-o", str(tmp_path / "out.html"), "--no-matrix", "-q")
