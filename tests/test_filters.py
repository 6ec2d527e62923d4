"""Filters: each on a table of cases, counts per filter, the `filter` command and align's options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pairs_factory import make_doc

from parallel.cli import main
from parallel.data import Alignment, Link
from parallel.errors import InputError
from parallel.export import export
from parallel.filters import (
    DropDuplicates,
    DropNumberMismatch,
    LengthRatio,
    LinkTypes,
    MinValue,
    NoEmpty,
    apply_filters,
    build_filters,
    check_evidence,
)
from parallel.readers import read_pairs

SRC = ["Arabic one", "Arabic two 30", "dup", "dup", "", "x" * 40, "short"]
TGT = ["English one", "English two 40", "DUP", "dup ", "lonely", "y" * 10, "much longer text here"]


def table() -> Alignment:
    """Links with chosen scores and features; ``kept`` by each filter below is written by hand."""
    links = [
        Link((0,), (0,), 0.9, {"cosine": 0.8, "margin": 1.20, "length_ratio": 0.9, "numbers": "none"}),
        Link((1,), (1,), 0.4, {"cosine": 0.6, "margin": 1.01, "length_ratio": 0.95, "numbers": "differ"}),
        Link((2,), (2,), 0.7, {"cosine": 0.9, "margin": 1.10, "length_ratio": 1.0, "numbers": "none"}),
        Link((3,), (3,), 0.7, {"cosine": 0.9, "margin": 1.10, "length_ratio": 1.0, "numbers": "none"}),
        Link((), (4,), 0.0, {"length_ratio": 0.0, "numbers": "none"}),
        Link((5,), (5,), 0.8, {"cosine": 0.7, "margin": 1.08, "length_ratio": 4.0, "numbers": "none"}),
        Link((6,), (6,), 0.5, {"cosine": 0.5, "margin": 1.06, "length_ratio": 0.24, "numbers": "agree"}),
    ]
    return Alignment(make_doc(SRC, "ar"), make_doc(TGT, "en"), links, "parallel", "model:t|mode:parallel")


@pytest.mark.parametrize(("flt", "kept", "direction"), [
    (MinValue("score", 0.7), [0, 2, 3, 5], "min"),
    (MinValue("cosine", 0.7), [0, 2, 3, 5], "min"),         # the 0-1 link has no cosine: removed
    (MinValue("margin", 1.06), [0, 2, 3, 5, 6], "min"),       # inclusive threshold
    (LengthRatio(0.5, 2.0), [0, 1, 2, 3], "range"),
    (LengthRatio(None, 2.0), [0, 1, 2, 3, 4, 6], "range"),
    (LengthRatio(0.5, None), [0, 1, 2, 3, 5], "range"),
    (LinkTypes(frozenset({"1-1"})), [0, 1, 2, 3, 5, 6], "in"),
    (LinkTypes(frozenset({"0-1", "1-0"})), [4], "in"),
    (NoEmpty(), [0, 1, 2, 3, 5, 6], "in"),
    (DropDuplicates(), [0, 1, 2, 4, 5, 6], "first"),          # "dup"/"DUP" vs "dup"/"dup ": same pair
    (DropNumberMismatch(), [0, 2, 3, 4, 5, 6], "in"),
])
def test_each_filter(flt: object, kept: list[int], direction: str) -> None:
    al = table()
    out, reports = apply_filters(al, [flt])  # type: ignore[list-item]
    assert [al.links.index(k) for k in out.links] == kept
    assert reports[0].removed == len(al.links) - len(kept)
    assert reports[0].seen == len(al.links)
    assert reports[0].direction == direction


def test_counts_are_sequential_and_signature_says_so() -> None:
    al = table()
    filters = build_filters(link_types="1-1", min_score=0.5, drop_duplicates=True,
                            drop_number_mismatch=True)
    out, reports = apply_filters(al, filters)
    assert [(r.name, r.seen, r.removed) for r in reports] == [
        ("link-types", 7, 1), ("min-score", 6, 1), ("drop-number-mismatch", 5, 0),
        ("drop-duplicates", 5, 1)]
    assert [al.links.index(k) for k in out.links] == [0, 2, 5, 6]
    assert out.signature == ("model:t|mode:parallel|filter:types=1-1,min-score=0.5,drop-number-mismatch,"
                             "drop-duplicates")
    assert out.info["filters"][0]["removed"] == 1
    assert al.links == table().links  # the input is untouched


def test_no_filters_is_identity() -> None:
    al = table()
    out, reports = apply_filters(al, build_filters())
    assert out is al and reports == []


def test_number_filter_computes_missing_evidence() -> None:
    al = table()
    bare = Alignment(al.src, al.tgt, [Link(k.src, k.tgt, k.score) for k in al.links], al.mode, al.signature)
    out, _ = apply_filters(bare, [DropNumberMismatch(), LengthRatio(0.5, 2.0)])
    assert [bare.links.index(k) for k in out.links] == [0, 2, 3]


@pytest.mark.parametrize("kwargs", [
    {"link_types": "1-1,one"}, {"link_types": ","}, {"min_length_ratio": 2.0, "max_length_ratio": 1.0},
    # stop 36: thresholds that keep nothing were exit 0 with an empty output
    {"min_cosine": 1.5}, {"max_length_ratio": -1.0}, {"min_length_ratio": -0.5},
    {"status": "rejected", "drop_rejected": True},
])
def test_bad_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        build_filters(**kwargs)  # type: ignore[arg-type]


def test_threshold_on_missing_evidence_is_refused() -> None:
    al = table()
    bare = Alignment(al.src, al.tgt, [Link(k.src, k.tgt, k.score) for k in al.links], al.mode, al.signature)
    with pytest.raises(InputError, match="margin"):
        check_evidence(bare, build_filters(min_margin=1.0))
    check_evidence(al, build_filters(min_margin=1.0))


# ------------------------------------------------------------------ command line


def test_filter_command_tsv(tmp_path: Path) -> None:
    src = tmp_path / "in.tsv"
    export(table(), str(src), header=True, sidecar=True, keep_empty=True)
    out = tmp_path / "out.tsv"
    res = CliRunner().invoke(main, ["filter", str(src), "--link-types", "1-1", "--drop-duplicates",
                                    "--min-margin", "1.07", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "link-types (in): removed 1 of 7" in res.stderr
    assert "min-margin (min): removed 2 of 6" in res.stderr
    assert "drop-duplicates (first): removed 1 of 4" in res.stderr
    back = read_pairs(out)
    assert [(k.src, k.tgt) for k in back.links] == [((0,), (0,)), ((2,), (2,)), ((5,), (5,))]
    assert back.signature.endswith("filter:types=1-1,min-margin=1.07,drop-duplicates")
    assert (tmp_path / "out.tsv.sig").is_file()
    assert out.read_text(encoding="utf-8").startswith("src_ids\ttgt_ids\t")  # the header is kept


def test_filter_command_converts_and_streams(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    export(table(), str(src), keep_empty=True)
    res = CliRunner().invoke(main, ["filter", str(src), "--no-empty", "-q", "-f", "tsv", "--no-header"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert len(res.stdout.splitlines()) == 6
    res = CliRunner().invoke(main, ["filter", str(src), "--no-empty", "-q", "-o", str(tmp_path / "c")
                                    + ".ar-en"])
    assert res.exit_code == 0, res.output
    assert len((tmp_path / "c.ar-en.en").read_text(encoding="utf-8").splitlines()) == 6


def test_filter_command_moses_input(tmp_path: Path) -> None:
    export(table(), str(tmp_path / "m"), "moses", keep_empty=True)
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "m.ar-en.ar"), "--max-length-ratio", "2",
                                    "--drop-number-mismatch", "-o", str(tmp_path / "k.tsv")])
    assert res.exit_code == 0, res.output
    assert "length-ratio (range): removed 1 of 7" in res.stderr
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "m.ar-en.ar"), "--min-margin", "1"])
    assert res.exit_code == 2
    assert "margin" in res.stderr and "Traceback" not in res.output


def test_filter_command_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("not\ta\tpairs file\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    res = CliRunner().invoke(main, ["filter", str(bad), "-o", str(out)])
    assert res.exit_code == 2
    assert res.stderr.startswith("parallel-corpus: error:")
    assert not out.exists()
    # the output's folder is checked before the file is read, as align does: a missing folder
    # names itself, even when the input is bad too; an empty name is no name
    res = CliRunner().invoke(main, ["filter", str(bad), "-o", str(tmp_path / "nowhere" / "out.tsv")])
    assert res.exit_code == 2 and "folder" in res.stderr and "does not exist" in res.stderr, res.stderr
    res = CliRunner().invoke(main, ["filter", str(bad), "-o", ""])
    assert res.exit_code == 2 and "an empty output name" in res.stderr


@pytest.mark.parametrize("name, text", [
    ("big.tsv", "src_ids\ttgt_ids\tsrc\ttgt\tscore\n0\t0\ta\tb\t0.5\n100000000\t1\tc\td\t0.5\n"),
    ("big.jsonl", '{"translation": {"ar": "a", "en": "b"}, "src_ids": [99999999999999999999], "tgt_ids": [0]}\n'),
    ("big.align", "[0]:[0]:0.1\n[30000000]:[1]:0.2\n"),
])
def test_a_sentence_id_past_any_real_document_is_refused_in_bounded_memory(tmp_path: Path, name: str,
                                                                          text: str) -> None:
    """A pairs file holds one sentence per id up to its largest (its documents are rebuilt from
    the rows): a stray id of 10**8 took 24 GB and the command was killed without a word (stop 54).
    Refused in one line now, under a 1 GB address-space cap (the command itself, in a process)."""
    import subprocess
    import sys

    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = tmp_path / f"out{src.suffix}"
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
            "from parallel.cli import main; sys.argv = ['parallel-corpus'] + sys.argv[1:]; main()")
    hyp = tmp_path / "hyp.en"
    hyp.write_text("b\nd\n", encoding="utf-8")
    commands = [["filter", str(src), "-o", str(out), "-q"]]
    if src.suffix != ".align":  # (mt-eval needs the texts)
        commands.append(["mt-eval", "--hyp", str(hyp), "--ref", str(src), "-q"])
    for command in commands:
        res = subprocess.run([sys.executable, "-c", code, *command], check=False, capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 2, (command, res.stderr[-800:])
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr[-800:]
        assert "past the 5,000,000 sentences a side this tool reads" in res.stderr, res.stderr
        assert not out.exists()


def test_align_with_filters(seed_ar: Path, seed_en: Path) -> None:
    res = CliRunner().invoke(main, ["align", str(seed_ar), str(seed_en), "--mode", "parallel",
                                    "--no-empty", "--max-length-ratio", "3", "--header"])
    assert res.exit_code == 0, res.output
    assert "no-empty (in): removed" in res.stderr
    assert "length-ratio (range): removed" in res.stderr
    rows = res.stdout.splitlines()[1:]
    assert rows
    for row in rows:
        f = row.split("\t")
        assert f[0] and f[1] and f[2].strip() and f[3].strip()
        assert float(f[8]) <= 3


# ------------------------------------------------------------------ p, the calibrated probability

P_OF = [0.95, 0.3, 0.8, 0.8, None, 0.5, 0.49]  # the 0-1 link has no p


def table_with_p() -> Alignment:
    al = table()
    links = [Link(k.src, k.tgt, k.score, {**k.features, **({"p": p} if p is not None else {})})
             for k, p in zip(al.links, P_OF, strict=True)]
    return Alignment(al.src, al.tgt, links, al.mode, al.signature)


def test_min_p_filter() -> None:
    al = table_with_p()
    (flt,) = build_filters(min_p=0.5)
    out, reports = apply_filters(al, [flt])
    assert [al.links.index(k) for k in out.links] == [0, 2, 3, 5]  # inclusive; no p: removed
    assert reports[0].name == "min-p" and reports[0].removed == 3
    assert out.signature.endswith("filter:min-p=0.5")
    with pytest.raises(InputError, match="probability"):
        build_filters(min_p=1.5)
    with pytest.raises(InputError, match="'p'"):
        check_evidence(table(), [flt])  # a file that carries no p


def test_filter_command_min_p(tmp_path: Path) -> None:
    src = tmp_path / "in.tsv"
    export(table_with_p(), str(src), header=True, keep_empty=True)
    out = tmp_path / "out.tsv"
    res = CliRunner().invoke(main, ["filter", str(src), "--min-p", "0.8", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "min-p (min): removed 4 of 7" in res.stderr
    back = read_pairs(out)
    assert [(k.src, k.tgt) for k in back.links] == [((0,), (0,)), ((2,), (2,)), ((3,), (3,))]
    assert all(k.features["p"] >= 0.8 for k in back.links)
    export(table_with_p(), str(tmp_path / "m"), "moses", keep_empty=True)
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "m.ar-en.ar"), "--min-p", "0.5"])
    assert res.exit_code == 2
    assert "'p'" in res.stderr and "Traceback" not in res.output


def test_align_parallel_min_p_leaves_out_links_below_it(seed_ar: Path, seed_en: Path) -> None:
    """In parallel mode align's --min-p filters the links (in comparable mode it is the bar)."""
    base = ["align", str(seed_ar), str(seed_en), "--mode", "parallel", "-f", "jsonl", "-q"]
    every = CliRunner().invoke(main, base)
    assert every.exit_code == 0, every.output
    import json

    rows = [json.loads(line) for line in every.stdout.splitlines()]
    ps = sorted({r["p"] for r in rows})
    bar = ps[len(ps) // 2]  # the median of the distinct values: some links on each side of it
    assert ps[0] < bar and any(r["p"] >= bar for r in rows)
    kept = CliRunner().invoke(main, [*base, "--min-p", str(bar)])
    assert kept.exit_code == 0, kept.output
    got = [json.loads(line) for line in kept.stdout.splitlines()]
    assert all(g.pop("signature").endswith(f"|filter:min-p={bar:g}") for g in got)
    assert got == [{k: v for k, v in r.items() if k != "signature"} for r in rows if r["p"] >= bar]


_AR_LINES = ["كان الطقس باردا هذا الصباح.", "اشترى أخي سيارة جديدة أمس.", "الأطفال يلعبون في الحديقة.", "",
             "أعلنت الحكومة عن إجراءات اقتصادية جديدة.", "تقرأ كتابا كل أسبوع.", "يفتح المتحف في الساعة التاسعة.",
             "سافرنا إلى القاهرة الصيف الماضي."]
_EN_LINES = ["The weather was cold this morning.", "My brother bought a new car yesterday.",
             "The children are playing in the garden.", "The government announced new economic measures.",
             "She reads a book every week.", "Unrelated: the stock market fell sharply on Tuesday.",
             "The museum opens at nine o'clock.", "We travelled to Cairo last summer."]


def _vecalign_links(text: str) -> list[tuple[list[int], list[int]]]:
    import json

    return [(json.loads(a), json.loads(b)) for a, b, _ in (line.split(":") for line in text.splitlines())]


def _covers_once(links: list[tuple[list[int], list[int]]], n: int, m: int) -> bool:
    return (sorted(i for a, _ in links for i in a) == list(range(n))
            and sorted(j for _, b in links for j in b) == list(range(m)))


def test_min_p_in_parallel_mode_keeps_every_sentence(tmp_path: Path) -> None:
    """`align --min-p` in parallel mode judged every link by p, and a 1-0/0-1 link has none: even
    `--min-p 0` dropped the omissions, leaving their sentences in no link of the Vecalign and JSON
    alignment. The bar judges pairs: a link under it is undone into 1-0/0-1 links (the pair exports
    leave those out), and an omission stays an omission."""
    (tmp_path / "d.ar").write_text("\n".join(_AR_LINES) + "\n", encoding="utf-8")
    (tmp_path / "d.en").write_text("\n".join(_EN_LINES) + "\n", encoding="utf-8")
    base = ["align", str(tmp_path / "d.ar"), str(tmp_path / "d.en"), "--presplit", "--mode", "parallel", "-q"]

    def run(*opts: str) -> str:
        res = CliRunner().invoke(main, [*base, *opts])
        assert res.exit_code == 0, res.output
        return res.stdout

    every = _vecalign_links(run("-f", "vecalign"))
    assert ([3], []) in every and ([], [5]) in every and _covers_once(every, 8, 8)
    assert _vecalign_links(run("-f", "vecalign", "--min-p", "0")) == every
    import json

    rows = [json.loads(line) for line in run("-f", "jsonl").splitlines()]
    bar = max(r["p"] for r in rows)  # the highest p: some links under it, some at it
    assert any(r["p"] < bar for r in rows)
    high = _vecalign_links(run("-f", "vecalign", "--min-p", str(bar)))
    assert _covers_once(high, 8, 8) and ([3], []) in high and ([], [5]) in high
    kept = [json.loads(line) for line in run("-f", "jsonl", "--min-p", str(bar)).splitlines()]
    assert [(r["src_ids"], r["tgt_ids"]) for r in kept] == [(r["src_ids"], r["tgt_ids"]) for r in rows
                                                             if r["p"] >= bar]
    undone = [(r["src_ids"], r["tgt_ids"]) for r in rows if r["p"] < bar]
    assert all(([i], []) in high for a, _ in undone for i in a)
    assert all(([], [j]) in high for _, b in undone for j in b)
    native = json.loads(run("-f", "json", "--min-p", str(bar)))
    assert native["signature"].endswith(f"|filter:min-p={bar:g}")
    assert _covers_once([(k["src"], k["tgt"]) for k in native["links"]], 8, 8)


def test_filter_of_a_translation_into_an_alignment_keeps_every_sentence(tmp_path: Path) -> None:
    """Stop 46: `filter pair.json --min-p 0.99 -f vecalign` wrote nothing and `-f json` a parallel
    alignment of no links, which report and review took as they were (review then merged across
    the gap). Written as an alignment (json, vecalign), a translation's removed links are undone
    into 1-0/0-1 links, as `align --min-p` does; the pair exports still hold the kept pairs only."""
    (tmp_path / "d.ar").write_text("\n".join(_AR_LINES) + "\n", encoding="utf-8")
    (tmp_path / "d.en").write_text("\n".join(_EN_LINES) + "\n", encoding="utf-8")
    native = tmp_path / "d.json"
    res = CliRunner().invoke(main, ["align", str(tmp_path / "d.ar"), str(tmp_path / "d.en"), "--presplit", "--mode",
                                    "parallel", "-q", "-o", str(native)])
    assert res.exit_code == 0, res.output
    import json

    bar = max(k["features"]["p"] for k in json.loads(native.read_text(encoding="utf-8"))["links"]
              if "p" in k["features"])

    def run(*args: str) -> str:
        res = CliRunner().invoke(main, list(args))
        assert res.exit_code == 0, res.output
        return res.stdout

    filtered = _vecalign_links(run("filter", str(native), "--min-p", str(bar), "-f", "vecalign", "-q"))
    aligned = _vecalign_links(run("align", str(tmp_path / "d.ar"), str(tmp_path / "d.en"), "--presplit", "--mode",
                                  "parallel", "-q", "--min-p", str(bar), "-f", "vecalign"))
    assert filtered == aligned and _covers_once(filtered, 8, 8)
    assert sum(bool(a and b) for a, b in filtered) < 7  # some links were undone
    for opt in (["--link-types", "2-2"], ["--min-score", "2"]):  # keeps no pair at all
        doc = json.loads(run("filter", str(native), *opt, "-f", "json", "-q"))
        assert _covers_once([(k["src"], k["tgt"]) for k in doc["links"]], 8, 8)
        assert not any(k["src"] and k["tgt"] for k in doc["links"])
    pairs = run("filter", str(native), "--min-p", str(bar), "-f", "tsv", "-q", "--no-header").splitlines()
    assert len(pairs) == sum(bool(a and b) for a, b in filtered)
    res = CliRunner().invoke(main, ["filter", str(native), "--no-empty", "-f", "json"])
    assert res.exit_code == 2 and "--no-empty is for the pair exports" in _one_error_line(res)
    # a filter that removes nothing undoes nothing, and says only that (stop 54: "the sentences of
    # the others are listed as unmatched" of no others)
    n = len(json.loads(native.read_text(encoding="utf-8"))["links"])
    res = CliRunner().invoke(main, ["filter", str(native), "--drop-duplicates", "-f", "vecalign", "-o",
                                    str(tmp_path / "all.align")])
    assert res.exit_code == 0 and f"filters kept {n} of {n} links\n" in res.stderr, res.stderr


def test_drop_duplicates_never_drops_an_empty_side(tmp_path: Path) -> None:
    """Two blank lines are two 1-0 links of the same (empty) text; --drop-duplicates dropped the
    second, and its line was in no link. A link with an empty side is no pair to deduplicate."""
    (tmp_path / "e.ar").write_text("\n".join([_AR_LINES[0], "", _AR_LINES[1], _AR_LINES[2], "", _AR_LINES[5]]) + "\n",
                                   encoding="utf-8")
    (tmp_path / "e.en").write_text("\n".join([_EN_LINES[0], _EN_LINES[1], _EN_LINES[2], _EN_LINES[4]]) + "\n",
                                   encoding="utf-8")
    res = CliRunner().invoke(main, ["align", str(tmp_path / "e.ar"), str(tmp_path / "e.en"), "--presplit", "--mode",
                                    "parallel", "-q", "--drop-duplicates", "-f", "vecalign"])
    assert res.exit_code == 0, res.output
    links = _vecalign_links(res.stdout)
    assert ([1], []) in links and ([4], []) in links and _covers_once(links, 6, 4)


def test_link_types_refuses_zero_zero() -> None:
    """0-0 is no link type (a link has a sentence on at least one side): refused, not an empty file."""
    with pytest.raises(InputError, match="0-0 is not a link type"):
        build_filters(link_types="0-0")
    assert build_filters(link_types="0-1,1-0")  # the empty-sided types still are


def _one_error_line(res: object) -> str:
    lines = res.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert res.exit_code == 2 and len(lines) == 1, res.output  # type: ignore[attr-defined]
    assert lines[0].startswith("parallel-corpus: error:") and "Traceback" not in res.output  # type: ignore[attr-defined]
    return lines[0]


def test_vecalign_input_filters_only_to_vecalign(tmp_path: Path) -> None:
    """A Vecalign file holds no texts: no text format made of empty texts and made-up evidence."""
    src = tmp_path / "a.align"
    export(table(), str(src), sidecar=True)
    for fmt in ("jsonl", "tsv", "tmx", "moses", "json"):
        out = tmp_path / f"out-{fmt}"
        res = CliRunner().invoke(main, ["filter", str(src), "-f", fmt, "--keep-empty", "-o", str(out)])
        assert "holds no texts" in _one_error_line(res), fmt
        assert list(tmp_path.glob("out-*")) == []
    res = CliRunner().invoke(main, ["filter", str(src), "--max-length-ratio", "2", "-o", str(tmp_path / "b.align")])
    assert "--max-length-ratio" in _one_error_line(res)
    assert not (tmp_path / "b.align").exists()
    res = CliRunner().invoke(main, ["filter", str(src), "--min-score", "0.7", "-q", "-o", str(tmp_path / "b.align")])
    assert res.exit_code == 0, res.output
    # an alignment (stop 46): the links under the bar are undone in place, the 0-1 link stays
    assert (tmp_path / "b.align").read_text(encoding="utf-8").splitlines() == [
        "[0]:[0]:0.9000", "[1]:[]:0.0000", "[]:[1]:0.0000", "[2]:[2]:0.7000", "[3]:[3]:0.7000", "[]:[4]:0.0000",
        "[5]:[5]:0.8000", "[6]:[]:0.0000", "[]:[6]:0.0000"]


def test_filter_to_html_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "pairs.tsv"
    export(table(), str(src))
    res = CliRunner().invoke(main, ["filter", str(src), "-o", str(tmp_path / "x.html")])
    assert "report" in _one_error_line(res)
    assert not list(tmp_path.glob("x.html*"))


def test_joined_pairs_are_not_written_into_one_vecalign_file(tmp_path: Path) -> None:
    """``run``'s ``_all.tsv`` joins pairs each numbered from 0; a Vecalign file has no column to
    keep them apart, so the ids would run on (the second pair's from 7): refused."""
    from parallel.schema import tsv_columns

    lines = []
    for name in ("a", "b"):
        export(table(), str(tmp_path / f"{name}.tsv"))
        rows = (tmp_path / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        lines += [f"{name}\t{row}" for row in rows[1:]]
    joined = tmp_path / "_all.tsv"
    joined.write_text("\t".join(("pair", *tsv_columns())) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "_all.tsv.sig").write_text("model:t|mode:parallel|src:ar|tgt:en\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", str(joined), "-f", "vecalign", "-o", str(tmp_path / "v.align")])
    assert "joins 2 pairs" in _one_error_line(res)
    assert not list(tmp_path.glob("v.align*"))
    # nor into one native JSON (one document a side): report and review read it as one text
    for extra in ([], ["--link-types", "1-1"]):
        res = CliRunner().invoke(main, ["filter", str(joined), "-f", "json", "-o", str(tmp_path / "j.json"), *extra])
        assert "joins 2 pairs" in _one_error_line(res) and "native JSON" in res.output, res.output
        assert not list(tmp_path.glob("j.json*"))
    res = CliRunner().invoke(main, ["filter", str(joined), "-q", "-f", "tsv"])  # still fine: ids per pair
    assert res.exit_code == 0, res.output
    got = [line.split("\t")[:3] for line in res.stdout.splitlines()[1:]]
    assert [g[1] for g in got if g[0] == "a"] == [g[1] for g in got if g[0] == "b"] != []


def test_moses_input_invents_no_ids_types_or_scores(tmp_path: Path) -> None:
    """Moses holds the texts only: filtered to tsv/jsonl/tmx the ids, type and score stay empty
    (they were line numbers, 1-1 and 0.0), read back the same, and -f vecalign, --link-types and
    --min-score are refused in one line."""
    import json
    from dataclasses import replace

    export(replace(table(), signature="model:t|mode:parallel|src:ar|tgt:en"), str(tmp_path / "m"), "moses",
           keep_empty=True)
    moses = str(tmp_path / "m.ar-en.ar")
    for fmt in ("tsv", "jsonl", "tmx"):
        out = tmp_path / f"o.{fmt}"
        res = CliRunner().invoke(main, ["filter", moses, "-q", "--keep-empty", "-o", str(out)])
        assert res.exit_code == 0, res.output
        again = tmp_path / f"again.{fmt}"
        res = CliRunner().invoke(main, ["filter", str(out), "-q", "--keep-empty", "-o", str(again)])
        assert res.exit_code == 0 and again.read_bytes() == out.read_bytes(), res.output
        res = CliRunner().invoke(main, ["filter", str(out), "-q", "--keep-empty", "-f", "moses", "-o",
                                        str(tmp_path / fmt)])
        assert res.exit_code == 0, res.output
        for lang in ("ar", "en"):
            assert (tmp_path / f"{fmt}.ar-en.{lang}").read_bytes() == (tmp_path / f"m.ar-en.{lang}").read_bytes()
    rows = (tmp_path / "o.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 7 and all(r.split("\t")[0] == r.split("\t")[1] == "" for r in rows)
    assert all(r.split("\t")[4] == r.split("\t")[5] == "" for r in rows)  # score, type
    recs = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(r["src_ids"], r["tgt_ids"], r["type"], r["score"]) for r in recs} == {(None, None, None, None)}
    tmx = (tmp_path / "o.tmx").read_text(encoding="utf-8")
    assert "x-src-ids" not in tmx and "x-score" not in tmx and "x-type" not in tmx
    assert [read_pairs(tmp_path / "o.tsv").src_text(k) for k in read_pairs(tmp_path / "o.tsv").links] == \
        [read_pairs(moses).src_text(k) for k in read_pairs(moses).links]
    for args, word in ((["-f", "vecalign"], "Vecalign"), (["--link-types", "1-1"], "link types"),
                       (["--min-score", "0.1"], "'score'")):
        for src in (moses, str(tmp_path / "o.tsv")):
            res = CliRunner().invoke(main, ["filter", src, *args, "-o", str(tmp_path / "x.out")])
            lines = res.stderr.strip().splitlines()
            assert res.exit_code == 2 and len(lines) == 1 and word in lines[0], res.output
    assert not (tmp_path / "x.out").exists()


def test_export_with_a_many_sentence_side_does_not_become_native_json(tmp_path: Path) -> None:
    """tsv/jsonl/tmx join a 2-1 link's sentences with a space: -f json would have to guess where
    one ends (it split at the last space); refused in one line. All-1-1 files still convert."""
    al = Alignment(make_doc(["A one.", "A two here.", "A three."], "ar"), make_doc(["E one.", "E two."], "en"),
                   [Link((0, 1), (0,), 0.9), Link((2,), (1,), 0.8)], "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    one = Alignment(al.src, al.tgt, [Link((0,), (0,), 0.9), Link((2,), (1,), 0.8)], "parallel", al.signature)
    for fmt in ("tsv", "jsonl", "tmx"):
        export(al, str(tmp_path / f"p.{fmt}"), sidecar=True)
        res = CliRunner().invoke(main, ["filter", str(tmp_path / f"p.{fmt}"), "-o", str(tmp_path / "p.json")])
        lines = res.stderr.strip().splitlines()
        assert res.exit_code == 2 and len(lines) == 1 and "[0, 1]:[0]" in lines[0] and ".json" in lines[0]
        assert not (tmp_path / "p.json").exists()
        export(one, str(tmp_path / f"o.{fmt}"), sidecar=True)
        res = CliRunner().invoke(main, ["filter", str(tmp_path / f"o.{fmt}"), "-q", "-f", "json"])
        assert res.exit_code == 0, res.output


def test_filter_tells_the_format_from_the_content_as_eval_does(tmp_path: Path) -> None:
    """A TSV saved as x.json: the error names --from tsv (filter reads TSV), not 'this command
    needs the native JSON'; a TSV named out.txt is read, as eval reads it."""
    export(table(), str(tmp_path / "p.tsv"), sidecar=True)
    text = (tmp_path / "p.tsv").read_text(encoding="utf-8")
    (tmp_path / "x.json").write_text(text, encoding="utf-8")
    (tmp_path / "x.json.sig").write_text((tmp_path / "p.tsv.sig").read_text(encoding="utf-8"), encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "x.json")])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and "--from tsv" in lines[0] and "needs the native" not in lines[0]
    want = CliRunner().invoke(main, ["filter", str(tmp_path / "p.tsv"), "-q"]).stdout
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "x.json"), "--from", "tsv", "-q"])
    assert res.exit_code == 0 and res.stdout == want, res.output
    (tmp_path / "out.txt").write_text(text, encoding="utf-8")
    (tmp_path / "out.txt.sig").write_text((tmp_path / "p.tsv.sig").read_text(encoding="utf-8"), encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "out.txt"), "-q"])
    assert res.exit_code == 0 and res.stdout == want, res.output
    (tmp_path / "what.txt").write_text("hello\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "what.txt")])
    assert res.exit_code == 2 and "--from FORMAT" in res.stderr


def test_identity_filter_of_native_json_is_byte_identical(tmp_path: Path) -> None:
    """The aligner writes p, cosine, margin before the text evidence; filter's evidence step put
    its own keys first, so `filter pair.json -f json` reordered every link's features."""
    feats = {"p": 0.99, "cosine": 0.8, "margin": 1.2, "length_ratio": 0.9, "numbers": "none", "numbers_src": "",
             "numbers_tgt": "", "chrf": 16.48, "margin_local": 0.5}
    al = Alignment(make_doc(["Arabic one", "Arabic two"], "ar"), make_doc(["English one", "English two"], "en"),
                   [Link((0,), (0,), 0.9, feats), Link((1,), (1,), 0.8, dict(reversed(list(feats.items()))))],
                   "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    export(al, str(tmp_path / "pair.json"))
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "pair.json"), "-q", "-f", "json", "-o",
                                    str(tmp_path / "same.json")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "same.json").read_bytes() == (tmp_path / "pair.json").read_bytes()


@pytest.mark.parametrize("opt", ["--min-p", "--min-cosine", "--max-length-ratio"])
def test_filter_bars_must_be_numbers(opt: str, tmp_path: Path) -> None:
    """nan passed (every comparison with it is false: all links dropped, exit 0)."""
    from click.testing import CliRunner

    from parallel.cli import main

    root = Path(__file__).resolve().parents[1]
    res = CliRunner().invoke(main, ["filter", str(root / "align" / "covid-cooperation.tsv"), opt, "nan",
                                    "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 2 and "'nan' is not a finite number" in res.stderr
    assert not (tmp_path / "o.tsv").exists()


@pytest.mark.parametrize("fmt", ["tsv", "tmx", "jsonl"])
@pytest.mark.parametrize("text", ["\n\n", " \n\t\n", "\ufeff\r\n"])
def test_a_jsonl_of_blank_lines_is_refused_as_white_space(tmp_path: Path, fmt: str, text: str) -> None:
    """Blank lines alone were read as zero pairs: a header-only TSV and its .sig, a TMX of
    srclang="src". Refused as the same file read as tsv, json or tmx is; 0 bytes (the jsonl
    export of zero pairs) still filters."""
    src = tmp_path / "blank.jsonl"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / f"w.{fmt}"
    res = CliRunner().invoke(main, ["filter", str(src), "-o", str(out)])
    assert _one_error_line(res) == f"parallel-corpus: error: {src}: file holds only white space"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blank.jsonl"]
    res = CliRunner().invoke(main, ["filter", str(src), "-f", fmt])
    assert _one_error_line(res) == f"parallel-corpus: error: {src}: file holds only white space"
    assert res.stdout == ""
    src.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", str(src), "-q", "-o", str(out)])
    assert res.exit_code == 0 and out.exists(), res.output


def test_filter_of_stdin_needs_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`filter -` said "-: no such file"; reading standard input needs --from, and says so."""
    monkeypatch.chdir(tmp_path)
    export(table(), str(tmp_path / "p.tsv"))
    text = (tmp_path / "p.tsv").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["filter", "-", "-q"], input=text)
    line = _one_error_line(res)
    assert "no such file" not in line and "needs --from FORMAT" in line and line.startswith(
        "parallel-corpus: error: -: reading standard input")
    assert res.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == ["p.tsv"]
    want = CliRunner().invoke(main, ["filter", "p.tsv", "-q"]).stdout
    res = CliRunner().invoke(main, ["filter", "-", "--from", "tsv", "-q"], input=text)
    assert res.exit_code == 0 and res.stdout == want != "", res.output


def test_the_edges_of_the_thresholds_are_still_filters() -> None:
    assert build_filters(min_cosine=1.0) and build_filters(min_length_ratio=0.0, max_length_ratio=0.0)
    assert build_filters(status="accepted,rejected", drop_rejected=True)


def test_an_alignment_made_from_pairs_that_miss_sentences_says_so(tmp_path: Path) -> None:
    """filter of a pairs export written without --keep-empty to Vecalign (or the native JSON) wrote
    an alignment lacking every sentence no row named (a 1-0 link, an unmatched sentence), with exit
    0 and no word; it says which sentences are unknown and what to use instead. A file that names
    every sentence (--keep-empty) converts in silence."""
    src = make_doc(["A one.", "A two.", "A three."], "ar")
    tgt = make_doc(["E one.", "E three."], "en")
    al = Alignment(src, tgt, [Link((0,), (0,), 0.9), Link((1,), (), 0.0), Link((2,), (1,), 0.8)], "parallel",
                   "model:t|mode:parallel|src:ar|tgt:en")
    for keep in (False, True):
        export(al, str(tmp_path / "p.tsv"), sidecar=True, keep_empty=keep)
        for fmt in ("vecalign", "json"):
            res = CliRunner().invoke(main, ["filter", str(tmp_path / "p.tsv"), "-f", fmt, "-o", str(tmp_path / f"o.{fmt}")])
            assert res.exit_code == 0, res.output
            said = [x for x in res.stderr.splitlines() if "holds pairs only" in x]
            if keep:
                assert said == [], res.stderr
            else:
                assert len(said) == 1 and "(ar 1)" in said[0] and "--keep-empty" in said[0], res.stderr
        lines = (tmp_path / "o.vecalign").read_text(encoding="utf-8").splitlines()
        assert ("[1]:[]:0.0000" in lines) == keep


def test_filter_says_when_it_removes_links_a_reviewer_accepted_or_made(tmp_path: Path, seed_ar: Path,
                                                                       seed_en: Path) -> None:
    """Stop 49: a link a reviewer accepted (or built: Link on a pair below the bar) keeps the model's
    p; `filter --min-p` dropped it with only "removed 1 of 3". It still drops it (a number filter
    filters numbers), and says that a person's decision went with it and how to keep those."""
    from parallel.review.store import ReviewStore

    path = tmp_path / "seed.json"
    res = CliRunner().invoke(main, ["align", str(seed_ar), str(seed_en), "--mode", "comparable", "--min-p", "0.1",
                                    "-f", "json", "-o", str(path), "-q"])
    assert res.exit_code == 0, res.output
    links = ReviewStore(path).load().links
    low = min(range(len(links)), key=lambda n: links[n].features["p"])
    ReviewStore(path).apply("status", {"link": low, "status": "accepted"})
    bar = links[low].features["p"] + 0.001
    res = CliRunner().invoke(main, ["filter", str(path), "--min-p", f"{bar}", "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0, res.output
    assert "1 of them accepted or made by a reviewer (--status accepted,edited keeps those" in res.stderr
    res = CliRunner().invoke(main, ["filter", str(path), "--min-p", "0.001", "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0 and "reviewer" not in res.stderr  # nothing of theirs removed: nothing said


def test_status_on_a_file_nobody_reviewed_says_why_it_keeps_nothing(tmp_path: Path, seed_ar: Path,
                                                                    seed_en: Path) -> None:
    """`filter --status accepted,edited` of a file review never saved wrote an empty training file,
    saying only "filters kept 0 of 5 links" (the README promised it says so). It says why now; a
    file with one decision, or --status unreviewed, gets no such note."""
    from parallel.review.store import ReviewStore

    path = tmp_path / "seed.json"
    res = CliRunner().invoke(main, ["align", str(seed_ar), str(seed_en), "--mode", "comparable", "-f", "json",
                                    "-o", str(path), "-q"])
    assert res.exit_code == 0, res.output
    said = "was reviewed (none accepted, rejected or edited), so --status accepted,edited keeps none"
    res = CliRunner().invoke(main, ["filter", str(path), "--status", "accepted,edited", "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0 and said in res.stderr, res.stderr
    res = CliRunner().invoke(main, ["filter", str(path), "--status", "unreviewed", "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0 and "was reviewed" not in res.stderr, res.stderr
    ReviewStore(path).apply("status", {"link": 0, "status": "rejected"})
    res = CliRunner().invoke(main, ["filter", str(path), "--status", "accepted,edited", "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0 and "was reviewed" not in res.stderr, res.stderr


def test_status_edited_is_a_link_a_reviewer_made_not_a_gap_an_edit_left(tmp_path: Path) -> None:
    """docs/schema.md: `edited` says how a reviewer changed a link (merge, split, relink), or what
    an edit left behind (trimmed, gap, unlinked). `filter --status edited` counted the gaps a
    split leaves (a piece with an empty side, both sentences of a split 1-1 link) and the
    sentences of a deleted link as edited links ("kept 6 of 11" where a reviewer had made one).
    Nobody linked those sentences anywhere: they are `unreviewed` now, and the piece a split keeps
    linked is `edited` (not `accepted` since stop 56: the app's split cuts where nobody chose, so
    the piece is still to be reviewed). A file whose only change is a split still counts as
    reviewed for `run` (it keeps such a file aside before aligning the pair again)."""
    import json

    from parallel.corpus import _reviewed
    from parallel.readers import read_alignment
    from parallel.review.store import ReviewStore
    from parallel.schema import review_state

    ar = [f"جملة {i}." for i in range(6)]
    en = [f"Sentence {i}." for i in range(6)]
    links = (Link((0,), (0, 1), 0.8), Link((1,), (2,), 0.5), Link((2,), (3,), 0.4), Link((3,), (4,), 0.7),
             Link((4, 5), (5,), 0.3))
    path = tmp_path / "r.json"
    export(Alignment(make_doc(ar, "ar"), make_doc(en, "en"), links, "parallel",
                     "model:t|mode:parallel|src:ar|tgt:en"), str(path))
    store = ReviewStore(path)  # as the review app saves each edit

    def at(src: tuple[int, ...], tgt: tuple[int, ...]) -> int:
        return next(n for n, k in enumerate(store.load().links) if (k.src, k.tgt) == (src, tgt))

    store.apply("split", {"link": at((0,), (0, 1))})  # 1-2: a 1-1 piece kept linked, en 1 a gap
    store.apply("split", {"link": at((1,), (2,))})  # 1-1: two gaps
    store.apply("delete", {"link": at((2,), (3,))})  # two gaps ("unlinked")
    saved = read_alignment(path).links
    gaps = [k for k in saved if not (k.src and k.tgt)]
    assert len(saved) == 8 and len(gaps) == 5
    assert sorted(str(k.features.get("edited")) for k in gaps) == ["split"] * 3 + ["unlinked"] * 2
    assert [k.features.get("status") for k in gaps] == [None] * 5
    res = CliRunner().invoke(main, ["filter", str(path), "--status", "edited", "--keep-empty", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    kept = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(r["src_ids"], r["tgt_ids"], r["status"], r["edited"]) for r in kept] == [([0], [0], None, "split")]
    assert "filter status (in): removed 7 of 8" in res.stderr and "filters kept 1 of 8 links" in res.stderr
    res = CliRunner().invoke(main, ["filter", str(path), "--status", "unreviewed", "--keep-empty", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    rest = [(r["src_ids"], r["tgt_ids"]) for r in map(json.loads, res.stdout.splitlines())]
    assert rest == [([0], [0]), ([], [1]), ([1], []), ([], [2]), ([2], []), ([], [3]), ([3], [4]), ([4, 5], [5])]
    # the same from an export that lists the gaps (--keep-empty): the review travels with them
    res = CliRunner().invoke(main, ["filter", str(path), "--keep-empty", "-q", "-o", str(tmp_path / "all.tsv")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "all.tsv"), "--status", "edited", "--keep-empty"])
    assert res.exit_code == 0 and "filters kept 1 of 8 links" in res.stderr, res.output
    # what a link is, field by field
    assert review_state({"edited": "split"}, gap=True) == {"unreviewed"}
    assert review_state({"edited": "split", "status": "accepted"}) == {"accepted", "edited"}
    assert review_state({"edited": "split"}) == {"unreviewed", "edited"}  # unaccepted: still made by a reviewer
    assert review_state({"edited": "relink", "status": "accepted"}, gap=True) == {"accepted", "edited"}
    assert all(review_state({"edited": e}) == {"unreviewed"} for e in ("trimmed", "gap", "unlinked"))
    assert all(_reviewed({"edited": e}) for e in ("split", "unlinked", "gap")) and not _reviewed({})


def test_a_translation_filtered_to_pairs_with_keep_empty_lists_the_sentences_of_the_links_found_wrong(
        tmp_path: Path) -> None:
    """`--keep-empty` lists every sentence of a translation in the pair exports too: a link a
    filter finds wrong (under a bar of p, rejected by a reviewer) is undone into 1-0/0-1 rows, as
    the json and Vecalign alignments undo it. Before stop 56 the pair exports dropped its sentences
    even with `--keep-empty`, so `eval` gave the TSV P 1.0 where the same filtered alignment as
    json scored 0.6, and eval's own advice (export with --keep-empty) did not help. A filter that
    only selects (`--link-types 1-0`: the omissions) still writes the links it selects, no more."""
    import json

    ar = [f"جملة {i}." for i in range(5)]
    en = [f"Sentence {i}." for i in range(6)]
    links = (Link((0,), (0,), 0.9, {"p": 0.95}), Link((1,), (1, 2), 0.5, {"p": 0.30}), Link((2,), (3,), 0.8, {"p": 0.9}),
             Link((3,), (), 0.0), Link((4,), (4, 5), 0.7, {"p": 0.8, "status": "rejected"}))
    path = tmp_path / "a.json"
    export(Alignment(make_doc(ar, "ar"), make_doc(en, "en"), links, "parallel",
                     "model:t|mode:parallel|src:ar|tgt:en"), str(path))
    gold = tmp_path / "gold.align"
    gold.write_text("[0]:[0]\n[1]:[1, 2]\n[2]:[3]\n[3]:[]\n[4]:[4, 5]\n", encoding="utf-8")
    every = {"src": [0, 1, 2, 3, 4], "tgt": [0, 1, 2, 3, 4, 5]}
    scores = []
    for fmt in ("json", "tsv", "jsonl", "tmx"):
        out = tmp_path / f"f.{fmt}"
        res = CliRunner().invoke(main, ["filter", str(path), "--min-p", "0.5", "--drop-rejected", "--keep-empty",
                                        "-o", str(out)])
        assert res.exit_code == 0, res.output
        got = read_pairs(str(out), fmt)
        assert {"src": sorted(i for k in got.links for i in k.src),
                "tgt": sorted(j for k in got.links for j in k.tgt)} == every, fmt  # each sentence once
        assert sorted((k.src, k.tgt) for k in got.links if k.src and k.tgt) == [((0,), (0,)), ((2,), (3,))], fmt
        res = CliRunner().invoke(main, ["eval", str(out), str(gold), "--json"])
        assert res.exit_code == 0, res.output
        scores.append(json.loads(res.stdout)["strict"])
    assert all(s == scores[0] for s in scores), scores  # one filtered alignment, one score
    # pairs exported with --keep-empty hold every sentence: filtered to pairs with it, they still do
    res = CliRunner().invoke(main, ["filter", str(path), "--keep-empty", "-q", "-o", str(tmp_path / "all.tsv")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "all.tsv"), "--min-p", "0.5", "--drop-rejected",
                                    "--keep-empty", "-q", "-o", str(tmp_path / "again.tsv")])
    assert res.exit_code == 0, res.output
    got = read_pairs(str(tmp_path / "again.tsv"), "tsv")
    assert sorted(j for k in got.links for j in k.tgt) == every["tgt"]
    res = CliRunner().invoke(main, ["filter", str(path), "--min-p", "0.5", "--keep-empty", "-f", "jsonl"])
    assert res.exit_code == 0 and "the sentences of the links min-p removed are listed as unmatched" in res.stderr
    rows = [(r["src_ids"], r["tgt_ids"]) for r in map(json.loads, res.stdout.splitlines())]
    assert ([1], []) in rows and ([], [1]) in rows and ([4], [4, 5]) in rows  # the rejection was not asked
    res = CliRunner().invoke(main, ["filter", str(path), "--link-types", "1-0", "--keep-empty", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    assert [(r["src_ids"], r["tgt_ids"]) for r in map(json.loads, res.stdout.splitlines())] == [([3], [])]
    res = CliRunner().invoke(main, ["filter", str(path), "--min-p", "0.5", "-f", "jsonl"])  # pairs only, as before
    assert [(r["src_ids"], r["tgt_ids"]) for r in map(json.loads, res.stdout.splitlines())] == [
        ([0], [0]), ([2], [3]), ([4], [4, 5])]
    # the rejected pair is written, marked in its status field: said, with the way to leave it out
    assert "note: 1 pair a reviewer rejected is written (marked rejected in its status field); " \
        "--drop-rejected leaves them out" in res.stderr, res.stderr
    res = CliRunner().invoke(main, ["filter", str(path), "--min-p", "0.5", "-f", "moses", "-o", str(tmp_path / "m")])
    assert res.exit_code == 0 and "marked rejected in the .status file beside it" in res.stderr, res.output
    assert (tmp_path / "m.ar-en.status").read_text(encoding="utf-8").splitlines() == ["", "", "rejected"]
    for asked in (["--drop-rejected"], ["--status", "rejected"]):
        res = CliRunner().invoke(main, ["filter", str(path), *asked, "-f", "jsonl"])
        assert res.exit_code == 0 and "reviewer rejected" not in res.stderr, res.output


def test_a_file_of_no_pairs_is_said(tmp_path: Path) -> None:
    """A 0-byte .jsonl (an export that kept no pair) is read as zero pairs, and filter wrote an
    output of nothing with exit 0 and no word. It still does (it is a valid export), and says so."""
    empty = tmp_path / "none.jsonl"
    empty.write_bytes(b"")
    res = CliRunner().invoke(main, ["filter", str(empty), "-o", str(tmp_path / "none.tsv")])
    assert res.exit_code == 0, res.output
    assert f"note: {empty} holds no pairs (an export that kept none?): the output holds none either" in res.stderr
    assert (tmp_path / "none.tsv").read_text(encoding="utf-8").count("\n") == 1  # the header
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "none.tsv"), "-f", "jsonl"])
    assert res.exit_code == 0 and "holds no pairs" in res.stderr and res.stdout == "", res.output
