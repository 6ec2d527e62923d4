"""Every export format: hostile text, round trips through its reader, the tools that read it."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from pairs_factory import AR, EN, make_alignment, make_doc

from parallel.cli import main
from parallel.data import Alignment, Link
from parallel.errors import InputError
from parallel.export import FORMATS, clean_field, export, moses_paths
from parallel.readers import read_pairs
from parallel.schema import TSV_CORE

MODES = ["parallel", "comparable"]
SINGLE = {"tsv": "pairs.tsv", "jsonl": "pairs.jsonl", "tmx": "pairs.tmx", "vecalign": "pairs.align",
          "json": "pairs.json"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _write(al: Alignment, folder: Path, fmt: str, **options: object) -> Path:
    if fmt == "moses":
        export(al, str(folder / "pairs"), "moses", **options)
        return folder / "pairs.ar-en.ar"
    path = folder / SINGLE[fmt]
    export(al, str(path), None, sidecar=True, **options)
    return path


def full(al: Alignment) -> list[Link]:
    """The links the training formats write by default: text on both sides."""
    return [k for k in al.links if al.src_text(k).strip() and al.tgt_text(k).strip()]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_registry_has_every_format() -> None:
    assert {"tsv", "moses", "jsonl", "tmx", "vecalign", "json"} <= set(FORMATS)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx", "vecalign", "json", "moses"])
def test_round_trip_is_byte_identical(tmp_path: Path, fmt: str, mode: str) -> None:
    al = make_alignment(mode)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = _write(al, a, fmt, header=True)
    back = read_pairs(first)
    _write(back, b, fmt, header=True)
    assert _files(a) == _files(b)
    assert back.signature == al.signature
    assert back.mode == al.mode
    assert (back.src.lang, back.tgt.lang) == ("ar", "en")
    # no temporary files left behind
    assert not [p for p in a.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx", "json"])
def test_round_trip_keeps_ids_scores_and_evidence(tmp_path: Path, fmt: str) -> None:
    al = make_alignment("parallel")
    back = read_pairs(_write(al, tmp_path, fmt))
    want = list(al.links) if fmt == "json" else full(al)
    assert [(k.src, k.tgt) for k in back.links] == [(k.src, k.tgt) for k in want]
    for orig, got in zip(want, back.links, strict=True):
        assert got.score == pytest.approx(orig.score, abs=5e-5)
        assert got.features.get("numbers") == orig.features.get("numbers")
        assert got.features.get("numbers_src") == orig.features.get("numbers_src")
        for key in ("cosine", "margin", "length_ratio", "chrf"):
            if orig.features.get(key) is None:
                assert got.features.get(key) is None
            else:
                assert got.features[key] == pytest.approx(orig.features[key], abs=5e-3)


def test_tsv_columns_cleaning_and_cut(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    path = tmp_path / "p.tsv"
    export(al, str(path))
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert lines.pop(0).split("\t") == list(TSV_CORE)  # a header line by default
    assert len(lines) == len(full(al))  # no empty-sided pairs by default
    for line, link in zip(lines, full(al), strict=True):
        fields = line.split("\t")
        assert len(fields) == len(TSV_CORE)
        # what `cut -f3,4` gives: the two texts, tabs/newlines/CR as spaces
        assert fields[2] == clean_field(al.src_text(link))
        assert fields[3] == clean_field(al.tgt_text(link))
        assert fields[5] == link.kind
        for ch in "\t\n\r\u2028":
            assert ch not in fields[2] + fields[3]
    assert "new line 😀" in lines[1]
    assert "\u200f" in lines[1]  # RTL mark kept


def test_tsv_without_evidence_has_five_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    export(make_alignment("parallel"), str(path), evidence=False, header=True)
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "src_ids\ttgt_ids\tsrc\ttgt\tscore"
    assert all(len(r.split("\t")) == 5 for r in rows)
    assert len(read_pairs(path).links) == len(rows) - 1


def test_tsv_reads_in_pandas_quote_none(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    al = make_alignment("parallel")
    path = tmp_path / "p.tsv"
    export(al, str(path), header=True)
    df = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype=str)
    assert list(df.columns) == list(TSV_CORE)
    assert len(df) == len(full(al))
    assert list(df["src"]) == [clean_field(al.src_text(k)) for k in full(al)]
    assert list(df["tgt"]) == [clean_field(al.tgt_text(k)) for k in full(al)]
    assert list(df["type"]) == [k.kind for k in full(al)]


def test_jsonl_records_hf_style(tmp_path: Path) -> None:
    al = make_alignment("comparable")
    path = tmp_path / "p.jsonl"
    export(al, str(path), keep_empty=True)
    text = path.read_text(encoding="utf-8")
    assert "مرحبا" in text  # ensure_ascii=False
    recs = [json.loads(line) for line in text.splitlines()]
    assert len({tuple(r) for r in recs}) == 1  # one schema
    links = [r for r in recs if not r["unmatched"]]
    unmatched = [r for r in recs if r["unmatched"]]
    assert len(links) == len(al.links)
    assert len(unmatched) == len(al.unmatched_src) + len(al.unmatched_tgt)
    assert links[0]["translation"] == {"ar": AR[0], "en": EN[0]}
    for r in unmatched:
        assert "" in r["translation"].values()
        assert r["score"] is None
    assert all(r["signature"] == al.signature for r in recs)
    # the unmatched sentences are listed only when asked
    export(al, str(path))
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(al.links)


def test_jsonl_loads_in_hf_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    al = make_alignment("comparable")
    path = tmp_path / "p.jsonl"
    export(al, str(path), keep_empty=True)
    ds = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "c"))
    assert ds.num_rows == len(al.links) + len(al.unmatched_src) + len(al.unmatched_tgt)
    assert ds[0]["translation"] == {"ar": AR[0], "en": EN[0]}


def _tmx(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def test_tmx_structure(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    path = tmp_path / "p.tmx"
    export(al, str(path))
    root = _tmx(path)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    for attr in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang",
                 "datatype"):
        assert header.get(attr), attr
    assert header.get("srclang") == "ar"
    props = {p.get("type"): p.text for p in header.findall("prop")}
    assert props["x-signature"] == al.signature
    tus = root.findall("body/tu")
    assert len(tus) == len(full(al))
    for tu, link in zip(tus, full(al), strict=True):
        children = [c.tag for c in tu]
        assert children[-2:] == ["tuv", "tuv"] and set(children[:-2]) == {"prop"}  # props before tuvs
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["ar", "en"]
        segs = [t.findtext("seg") for t in tuvs]
        assert segs[0] == al.src_text(link).replace("\x01", " ")
        assert segs[1] == al.tgt_text(link).replace("\x01", " ")
    raw = path.read_text(encoding="utf-8")
    assert "&lt;b&gt; &amp;" in raw and "\x01" not in raw and "&#13;" in raw


def test_tmx_read_by_translate_toolkit(tmp_path: Path) -> None:
    tmx = pytest.importorskip("translate.storage.tmx")
    al = make_alignment("parallel")
    path = tmp_path / "p.tmx"
    export(al, str(path))
    with path.open("rb") as fh:
        store = tmx.tmxfile(fh, sourcelanguage="ar", targetlanguage="en")
    units = [u for u in store.units if not u.isheader()]
    assert len(units) == len(full(al))
    for unit, link in zip(units, full(al), strict=True):
        assert unit.source == al.src_text(link).replace("\x01", " ")
        assert unit.target == al.tgt_text(link).replace("\x01", " ")


def test_moses_files(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    export(al, str(tmp_path / "doc"), "moses")
    src, tgt = tmp_path / "doc.ar-en.ar", tmp_path / "doc.ar-en.en"
    s_lines = src.read_text(encoding="utf-8").split("\n")[:-1]
    t_lines = tgt.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(s_lines) == len(t_lines) == len(full(al))
    assert s_lines[1] == f"{AR[1]} {AR[2]}".replace("\n", " ").replace("\r", " ")
    assert (tmp_path / "doc.ar-en.sig").read_text(encoding="utf-8").strip() == al.signature
    # NAME, NAME.ar-en and NAME.ar-en.ar all name the same pair of files
    for given in ("doc", "doc.ar-en", "doc.ar-en.ar", "doc.moses"):
        assert moses_paths(str(tmp_path / given), "ar", "en")[0] == src


def test_moses_needs_a_path() -> None:
    with pytest.raises(InputError):
        export(make_alignment("parallel"), "-", "moses")


def test_vecalign_with_sentences_and_sidecar(tmp_path: Path) -> None:
    from parallel.readers import read_vecalign

    al = make_alignment("comparable")
    path = tmp_path / "p.align"
    export(al, str(path), sidecar=True)
    assert (tmp_path / "p.align.sig").read_text(encoding="utf-8").strip() == al.signature
    back = read_vecalign(path, src_sentences=AR, tgt_sentences=EN)
    # Vecalign lists links in source order
    want = sorted((k.src, k.tgt, al.src_text(k), al.tgt_text(k)) for k in al.links)
    got = sorted((k.src, k.tgt, back.src_text(k), back.tgt_text(k)) for k in back.links)
    assert got == want
    assert back.unmatched_src == al.unmatched_src


def test_signature_in_every_format(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    for fmt in ("tsv", "jsonl", "tmx", "vecalign", "json", "moses"):
        _write(al, tmp_path, fmt)
    for name in ("pairs.tsv.sig", "pairs.align.sig", "pairs.ar-en.sig", "pairs.jsonl", "pairs.tmx",
                 "pairs.json"):
        assert al.signature in (tmp_path / name).read_text(encoding="utf-8"), name


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    same = Alignment(al.src, al.src, al.links, al.mode, al.signature)  # ar-ar: JSONL cannot name sides
    target = tmp_path / "x.jsonl"
    with pytest.raises(InputError):
        export(same, str(target))
    assert list(tmp_path.iterdir()) == []


def test_deterministic(tmp_path: Path) -> None:
    for fmt in ("tsv", "jsonl", "tmx"):
        export(make_alignment("parallel"), str(tmp_path / f"1.{fmt}"))
        export(make_alignment("parallel"), str(tmp_path / f"2.{fmt}"))
        assert (tmp_path / f"1.{fmt}").read_bytes() == (tmp_path / f"2.{fmt}").read_bytes()


def test_a_tmx_unit_with_one_language_is_a_pair_with_an_empty_side(tmp_path: Path) -> None:
    # a <tu> holding one <tuv> (a sentence without a counterpart, as tools write 1-0 / 0-1 pairs)
    # was dropped in silence, --keep-empty or not: 4 units in, 2 pairs out
    tmx = tmp_path / "one.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="ar" creationtool="x" '
        'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body>\n'
        '<tu><tuv xml:lang="ar"><seg>مرحبا بالعالم</seg></tuv><tuv xml:lang="en"><seg>Hello world</seg></tuv></tu>\n'
        '<tu><tuv xml:lang="ar"><seg>صباح الخير يا أصدقائي</seg></tuv></tu>\n'
        '<tu><tuv xml:lang="en"><seg>Only English here</seg></tuv></tu>\n'
        '<tu><tuv xml:lang="ar"><seg>شكرا جزيلا</seg></tuv><tuv xml:lang="en"><seg>Thank you</seg></tuv></tu>\n'
        '</body></tmx>\n', encoding="utf-8")
    al = read_pairs(tmx)
    assert (al.src.lang, al.tgt.lang) == ("ar", "en")
    assert [(lk.src, lk.tgt) for lk in al.links] == [((0,), (0,)), ((1,), ()), ((), (1,)), ((2,), (2,))]
    assert al.src.sentences[1] == "صباح الخير يا أصدقائي" and al.tgt.sentences[1] == "Only English here"


def _tmx_file(path: Path, srclang: str, units: list[list[tuple[str, str]]]) -> Path:
    tus = "".join("<tu>" + "".join(f'<tuv xml:lang="{lang}"><seg>{text}</seg></tuv>' for lang, text in tu)
                  + "</tu>\n" for tu in units)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="'
                    f'{srclang}" creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" '
                    f'adminlang="en" datatype="plaintext"/><body>\n{tus}</body></tmx>\n', encoding="utf-8")
    return path


def test_tmx_from_elsewhere_region_tags_and_several_languages(tmp_path: Path) -> None:
    # a unit tagged ar-SA / en-US in a file whose header says ar was dropped in silence (2 pairs
    # of 3), and in a memory of three languages the target was the first unit's second language,
    # so later units' Arabic was read as French
    swap = _tmx_file(tmp_path / "swap.tmx", "ar", [[("ar", "مرحبا بالعالم"), ("en", "Hello world")],
                                               [("en", "How are you?"), ("ar", "كيف حالك؟")],
                                               [("ar-SA", "شكرا"), ("en-US", "Thanks")]])
    al = read_pairs(swap)
    assert [(al.src_text(lk), al.tgt_text(lk)) for lk in al.links] == [
        ("مرحبا بالعالم", "Hello world"), ("كيف حالك؟", "How are you?"), ("شكرا", "Thanks")]
    multi = _tmx_file(tmp_path / "multi.tmx", "en", [[("en", "Hello world"), ("fr", "Bonjour"), ("ar", "مرحبا")],
                                                 [("ar", "شكرا"), ("en", "Thanks")]])
    with pytest.raises(InputError, match=r"3 languages \(en, fr, ar\)"):
        read_pairs(multi)
    res = CliRunner().invoke(main, ["filter", str(multi), "-o", str(tmp_path / "m.jsonl")])
    assert res.exit_code == 2 and not (tmp_path / "m.jsonl").exists()


def test_reader_errors_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("0\t0\tonly three\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_pairs(bad)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"translation": {"ar": "x", "en": "y"}}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_pairs(bad)
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body>", encoding="utf-8")
    with pytest.raises(InputError):
        read_pairs(bad)
    with pytest.raises(InputError, match="no such file"):
        read_pairs(tmp_path / "pairs.unknown")
    (tmp_path / "pairs.unknown").write_text("neither a pair nor a link\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format") as err:
        read_pairs(tmp_path / "pairs.unknown")
    # the API's own argument, not the command line's option (filter and mt-eval say --from)
    assert "pass fmt=FORMAT" in str(err.value) and "--from" not in str(err.value)
    (tmp_path / "pairs.json").write_text("0\t0\tx\ty\n", encoding="utf-8")
    with pytest.raises(InputError, match="pass fmt=tsv"):
        read_pairs(tmp_path / "pairs.json")


# ------------------------------------------------------------------ end to end, real encoder


@pytest.fixture(scope="module")
def seed_alignment(seed_ar: Path, seed_en: Path) -> Alignment:
    from parallel.api import align_documents, read_document

    return align_documents(read_document(seed_ar), read_document(seed_en), mode="parallel")


def test_seed_pair_every_format_round_trips(seed_alignment: Alignment, tmp_path: Path) -> None:
    al = seed_alignment
    assert full(al), "the seed pair should give some 1-1 or n-m links"
    for link in full(al):
        assert {"cosine", "margin", "length_ratio", "numbers", "numbers_src", "numbers_tgt"} <= set(link.features)
    for fmt in ("tsv", "jsonl", "tmx", "vecalign", "json", "moses"):
        a, b = tmp_path / f"a-{fmt}", tmp_path / f"b-{fmt}"
        a.mkdir()
        b.mkdir()
        _write(al, a, fmt, header=True)
        _write(read_pairs(_write(al, a, fmt, header=True)), b, fmt, header=True)
        assert _files(a) == _files(b), fmt


def test_cli_align_formats(seed_ar: Path, seed_en: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["align", str(seed_ar), str(seed_en), "--mode", "comparable", "-q",
                               "-f", "jsonl", "--keep-empty"])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert any(r["unmatched"] for r in recs) and any(not r["unmatched"] for r in recs)
    res = runner.invoke(main, ["align", str(seed_ar), str(seed_en), "-q", "-o", str(tmp_path / "s.tmx")])
    assert res.exit_code == 0, res.output
    assert _tmx(tmp_path / "s.tmx").find("header") is not None
    res = runner.invoke(main, ["align", str(seed_ar), str(seed_en), "-q", "-f", "moses"])
    assert res.exit_code == 2
    assert re.search(r"error: .*moses", res.stderr)
    res = runner.invoke(main, ["align", str(seed_ar), str(seed_en), "-q", "-f", "moses",
                               "-o", str(tmp_path / "seed")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "seed.ar-en.ar").is_file() and (tmp_path / "seed.ar-en.en").is_file()


# ------------------------------------------------------------------ read back what --keep-empty and run write

def _gappy(mode: str) -> Alignment:
    """An alignment whose export with --keep-empty has lines with one side empty."""
    from pairs_factory import make_doc

    src = make_doc(["واحد", "اثنان", "ثلاثة", "أربعة"], "ar")
    tgt = make_doc(["one", "two", "three", "four"], "en")
    if mode == "parallel":
        links = [Link((0,), (0,), 0.9), Link((1,), (), 0.0), Link((2, 3), (1,), 0.5), Link((), (2,), 0.0),
                 Link((), (3,), 0.0)]
    else:
        links = [Link((2,), (0,), 1.2), Link((0,), (3,), 1.1)]
    return Alignment(src, tgt, links, mode, f"model:t|mode:{mode}|src:ar|tgt:en")


@pytest.mark.parametrize("mode", ["parallel", "comparable"])
def test_moses_keep_empty_reads_the_links_tsv_holds(tmp_path: Path, mode: str) -> None:
    """A Moses line with one side empty is a 1-0 / 0-1 pair, not also an empty sentence on the
    other side: read back, the Moses files give the pairs the TSV export of the same alignment
    gives (texts and link types; Moses holds no ids)."""
    from parallel.export import pair_rows

    al = _gappy(mode)
    export(al, str(tmp_path / "g"), "moses", keep_empty=True)
    export(al, str(tmp_path / "g.tsv"), keep_empty=True)
    from_moses = pair_rows(read_pairs(tmp_path / "g.ar-en.ar"), keep_empty=True)
    from_tsv = pair_rows(read_pairs(tmp_path / "g.tsv"), keep_empty=True)
    assert len(from_moses) == len(from_tsv) == len(pair_rows(al, keep_empty=True))
    assert [(r.src, r.tgt) for r in from_moses] == [(r.src, r.tgt) for r in from_tsv]
    assert all(r.src.strip() or r.tgt.strip() for r in from_moses)  # no pair empty on both sides
    # and filtering the Moses files back to Moses changes nothing
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "g.ar-en.ar"), "--keep-empty", "-q",
                                    "-o", str(tmp_path / "h")])
    assert res.exit_code == 0, res.output
    for lang in ("ar", "en"):
        assert (tmp_path / f"h.ar-en.{lang}").read_bytes() == (tmp_path / f"g.ar-en.{lang}").read_bytes()


def test_zero_pair_jsonl_reads_as_zero_pairs(tmp_path: Path) -> None:
    al = make_alignment("parallel")
    none = Alignment(al.src, al.tgt, (), al.mode, al.signature)
    for fmt in ("jsonl", "tsv", "tmx", "moses"):
        _write(none, tmp_path, fmt)
    assert (tmp_path / "pairs.jsonl").read_bytes() == b""
    for name in ("pairs.jsonl", "pairs.tsv", "pairs.tmx", "pairs.ar-en.ar"):
        assert read_pairs(tmp_path / name).links == (), name
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    assert read_pairs(tmp_path / "blank.jsonl").links == ()
    for fmt in ("jsonl", "tsv"):
        res = CliRunner().invoke(main, ["filter", str(tmp_path / "pairs.jsonl"), "-q", "-f", fmt])
        assert res.exit_code == 0, res.output
        assert len(res.stdout.splitlines()) == (1 if fmt == "tsv" else 0)  # the header, or nothing


def _joined_jsonl(tmp_path: Path) -> Path:
    """``run``'s ``_all.jsonl`` for a parallel pair ``p`` and a comparable pair ``c``."""
    out = tmp_path / "_all.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for name, mode in (("p", "parallel"), ("c", "comparable")):
            export(make_alignment(mode), str(tmp_path / f"{name}.jsonl"), pair=name)
            fh.write((tmp_path / f"{name}.jsonl").read_text(encoding="utf-8"))
    return out


def test_filter_keeps_each_records_signature(tmp_path: Path) -> None:
    joined = _joined_jsonl(tmp_path)
    sigs = {r["pair"]: r["signature"] for r in map(json.loads, joined.read_text(encoding="utf-8").splitlines())}
    assert "mode:parallel" in sigs["p"] and "mode:comparable" in sigs["c"]
    res = CliRunner().invoke(main, ["filter", str(joined), "--min-score", "0", "-q", "-o",
                                    str(tmp_path / "f.jsonl")])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["pair"] for r in recs} == {"p", "c"}
    assert all(r["signature"] == sigs[r["pair"]] + "|filter:min-score=0" for r in recs)
    # a sidecar says the file mixes several: one line per pair, its name and its signature, in
    # file order; read back, every record has its own again
    res = CliRunner().invoke(main, ["filter", str(joined), "--min-score", "0", "-q", "-o",
                                    str(tmp_path / "f.tsv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "f.tsv.sig").read_text(encoding="utf-8").splitlines() == [
        "p\t" + sigs["p"] + "|filter:min-score=0", "c\t" + sigs["c"] + "|filter:min-score=0"]
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "f.tsv"), "-q", "-o", str(tmp_path / "g.jsonl")])
    assert res.exit_code == 0, res.output
    back = [json.loads(x) for x in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["signature"] == sigs[r["pair"]] + "|filter:min-score=0" for r in back)
    # and a file of one signature keeps it on one line, records unchanged
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "p.jsonl"), "-q", "-o", str(tmp_path / "q.tsv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "q.tsv.sig").read_text(encoding="utf-8") == sigs["p"] + "\n"


def test_every_text_format_keeps_a_small_p_value(tmp_path: Path) -> None:
    """A comparable pair's p-value (1.929e-07 for the seed's genome pair) has 4 significant digits
    in every text format: TMX rounded it to 6 decimals, 0.0, where TSV and JSONL kept it."""
    from dataclasses import replace

    al = _gappy("comparable")
    first = next(n for n, k in enumerate(al.links) if k.src and k.tgt)
    links = list(al.links)
    links[first] = replace(links[first], features={**links[first].features, "p_value": 1.9287e-07, "z": 5.07581})
    al = replace(al, links=tuple(links))
    got = {}
    for fmt in ("tsv", "jsonl", "tmx", "json"):
        back = read_pairs(_write(al, tmp_path, fmt))
        got[fmt] = next(k.features for k in back.links if k.src and k.tgt)
    text = ("tsv", "jsonl", "tmx")  # the native JSON is lossless
    assert {fmt: got[fmt]["p_value"] for fmt in text} == dict.fromkeys(text, 1.929e-07)
    assert got["jsonl"]["z"] == got["tmx"]["z"] == 5.07581  # other numbers as before: 6 decimals
    assert got["json"]["p_value"] == 1.9287e-07


def test_comparable_tsv_without_its_sig_reads_as_comparable_when_links_cross(tmp_path: Path) -> None:
    """A --keep-empty comparable TSV copied without its .sig: crossing links cannot be a parallel
    alignment (parallel mode is monotonic), so its unmatched rows are not read as 1-0/0-1 links."""
    al = Alignment(make_doc(AR, "ar"), make_doc(EN, "en"), [Link((1,), (4,), 1.2), Link((3,), (0,), 1.1)],
                   "comparable", "model:t|mode:comparable(auto)|src:ar|tgt:en")
    export(al, str(tmp_path / "c.tsv"), keep_empty=True)  # no sidecar
    assert not (tmp_path / "c.tsv.sig").exists()
    back = read_pairs(tmp_path / "c.tsv")
    assert back.mode == "comparable"
    assert [(k.src, k.tgt) for k in back.links] == [((1,), (4,)), ((3,), (0,))]
    # monotonic links: nothing tells, read as parallel, and filter says so
    mono = Alignment(al.src, al.tgt, [Link((1,), (0,), 1.2), Link((3,), (4,), 1.1)], "comparable", al.signature)
    export(mono, str(tmp_path / "m.tsv"), keep_empty=True)
    assert read_pairs(tmp_path / "m.tsv").mode == "parallel"
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "m.tsv"), "-o", str(tmp_path / "o.tsv")])
    assert res.exit_code == 0 and "read as a parallel alignment" in res.stderr, res.output


def test_same_language_tmx_reads_back_in_order(tmp_path: Path) -> None:
    """align --src-lang en --tgt-lang en -o same.tmx: each <tu> holds two <tuv xml:lang="en">;
    the first is the source, the second the target (it read back as zero pairs)."""
    al = Alignment(make_doc(["One.", "Two."], "en"), make_doc(["Uno.", "Dos."], "en"),
                   [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)], "parallel",
                   "model:t|mode:parallel|src:en|tgt:en")
    export(al, str(tmp_path / "same.tmx"))
    back = read_pairs(tmp_path / "same.tmx")
    assert [(back.src_text(k), back.tgt_text(k)) for k in back.links] == [("One.", "Uno."), ("Two.", "Dos.")]
    assert (back.src.lang, back.tgt.lang) == ("en", "en")
    export(back, str(tmp_path / "again.tmx"))
    assert (tmp_path / "again.tmx").read_bytes() == (tmp_path / "same.tmx").read_bytes()


def test_moses_keeps_edited_and_notes(tmp_path: Path) -> None:
    """NAME.s-t.status held only accepted/rejected: a merged link lost 'edited' (and its note),
    so `filter NAME.s-t.ar --status accepted,edited` lost it. .edited and .note travel too."""
    al = Alignment(make_doc(["a0", "a1", "a2"], "ar"), make_doc(["e0", "e1", "e2"], "en"),
                   [Link((0,), (0,), 0.9, {"status": "accepted"}), Link((1,), (1,), 0.8, {"status": "rejected"}),
                    Link((2,), (2,), 0.7, {"edited": "merge", "note": "check\tthe date"})],
                   "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    export(al, str(tmp_path / "r"), "moses")
    assert (tmp_path / "r.ar-en.edited").read_text(encoding="utf-8") == "\n\nmerge\n"
    back = read_pairs(tmp_path / "r.ar-en.ar")
    # a tab in a note is a space, as in a TSV's note column
    assert [dict(k.features) for k in back.links] == [
        dict(k.features) | ({"note": "check the date"} if "note" in k.features else {}) for k in al.links]
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "r.ar-en.ar"), "--status", "accepted,edited", "-q",
                                    "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["translation"]["en"] for x in res.stdout.splitlines()] == ["e0", "e2"]
    # a later export without review leaves no stale review files behind
    export(Alignment(al.src, al.tgt, [Link((0,), (0,), 0.9)], "parallel", al.signature), str(tmp_path / "r"), "moses")
    assert not any((tmp_path / f"r.ar-en.{f}").exists() for f in ("status", "edited", "note"))


def test_a_sentence_wrapped_with_crlf_is_spaced_once() -> None:
    from parallel.export import clean_field, clean_line

    assert clean_field("rainy\r\nall day\tlong") == "rainy all day long"
    assert clean_line("rainy\r\nall day\r\n") == "rainy all day "
    assert clean_field("a\n\nb") == "a  b"   # a blank line stays visible


def test_pasted_moses_files_are_a_tsv_of_two_columns(tmp_path: Path) -> None:
    # a tab inside a segment stayed in the Moses line: `paste` of the two files (the way into
    # Marian --tsv, OpusFilter, cut -f2) then put that pair's target in a third column
    al = Alignment(make_doc(["قال\tنعم", "شكرا"], "ar"), make_doc(["He said\tyes", "Thanks"], "en"),
                   [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)], "parallel", "model:test|mode:parallel|src:ar|tgt:en")
    export(al, str(tmp_path / "m"), "moses")
    src = (tmp_path / "m.ar-en.ar").read_text(encoding="utf-8").splitlines()
    tgt = (tmp_path / "m.ar-en.en").read_text(encoding="utf-8").splitlines()
    rows = [f"{a}\t{b}".split("\t") for a, b in zip(src, tgt, strict=True)]
    assert rows == [["قال نعم", "He said yes"], ["شكرا", "Thanks"]]


@pytest.mark.parametrize("name", ["pairs.tsv", "pairs.align"])
def test_an_export_without_its_signature_removes_the_stale_one(tmp_path: Path, name: str) -> None:
    """A comparable export with its ``.sig``, then a parallel one to the same name with ``--no-sig``:
    the old signature (mode:comparable) must not stay beside the new file, where ``eval`` and
    ``filter`` would read the new pairs as comparable."""
    from parallel.readers import sidecar_mode

    path = tmp_path / name
    export(make_alignment("comparable"), str(path), None, sidecar=True)
    assert sidecar_mode(path) == "comparable"
    runner = CliRunner()
    src, tgt = tmp_path / "a.ar", tmp_path / "b.en"
    src.write_text("\n".join(AR) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["align", str(src), str(tgt), "--presplit", "--mode", "parallel", "--no-sig",
                               "-o", str(path), "-q"])
    assert res.exit_code == 0, res.output
    assert not Path(f"{path}.sig").exists() and sidecar_mode(path) is None
    # with the signature it is written again
    res = runner.invoke(main, ["align", str(src), str(tgt), "--presplit", "--mode", "parallel", "-o", str(path), "-q"])
    assert res.exit_code == 0 and sidecar_mode(path) == "parallel"



# ------------------------------------------------------------------ audit of the exports


def _langs_alignment(src_lang: str, tgt_lang: str) -> Alignment:
    return Alignment(make_doc(["مرحبا.", "شكرا."], src_lang), make_doc(["Hello.", "Thanks."], tgt_lang),
                     [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)], "parallel",
                     f"model:t|mode:parallel|src:{src_lang}|tgt:{tgt_lang}")


@pytest.mark.parametrize("langs", [("ar", "en-gb"), ("en", "gb-en")])
def test_moses_names_with_a_hyphenated_code_read_back(tmp_path: Path, langs: tuple[str, str]) -> None:
    """align --tgt-lang en-GB -f moses wrote NAME.ar-en-gb.ar / .en-gb, which the reader refused
    ("not a Moses file name"). en + gb-en is ambiguous by name (en-gb + en?): the files there decide."""
    s, t = langs
    al = _langs_alignment(s, t)
    export(al, str(tmp_path / "m"), "moses")
    base = tmp_path / f"m.{s}-{t}"
    for given in (f"{base}.{s}", f"{base}.{t}", str(base)):
        back = read_pairs(given)
        assert (back.src.lang, back.tgt.lang) == (s, t), given
        assert [back.src_text(k) for k in back.links] == ["مرحبا.", "شكرا."]
        assert [back.tgt_text(k) for k in back.links] == ["Hello.", "Thanks."]
    res = CliRunner().invoke(main, ["filter", f"{base}.{s}", "-q", "-f", "moses", "-o", str(tmp_path / "again")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / f"again.{s}-{t}.{t}").read_text(encoding="utf-8") == "Hello.\nThanks.\n"


def test_tmx_reader_leaves_out_inline_codes(tmp_path: Path) -> None:
    """TMX 1.4b: <bpt>, <ept>, <ph>, <it>, <ut> hold native code (left out); <hi> and <sub> hold
    text (kept), and so do the tails of every inline element. itertext() kept the code."""
    path = tmp_path / "cat.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="x" '
        'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="ar" datatype="html"/>'
        '<body><tu><tuv xml:lang="ar"><seg>مرحبا <bpt i="1">&lt;b&gt;</bpt>بالعالم<ept i="1">&lt;/b&gt;</ept>'
        '</seg></tuv><tuv xml:lang="en"><seg>Hello <bpt i="1">&lt;b&gt;</bpt>world<ept i="1">&lt;/b&gt;</ept>'
        '<ph x="2">&lt;br/&gt;</ph> and <hi type="b">more</hi><it pos="begin">&lt;i&gt;</it> text'
        '<ut>{\\b}</ut>! <ph>&lt;img alt="<sub>a cat</sub>"&gt;</ph></seg></tuv></tu></body></tmx>\n',
        encoding="utf-8")
    back = read_pairs(path)
    assert [(back.src_text(k), back.tgt_text(k)) for k in back.links] == [
        ("مرحبا بالعالم", "Hello world and more text! a cat")]


def test_tmx_control_characters_are_noted(tmp_path: Path) -> None:
    """XML 1.0 cannot carry U+0001 and such: TMX writes them as spaces, and the CLI now says how
    many segments that touched (silently, mt-eval scores differed between TMX and the others)."""
    al = make_alignment("parallel")   # one pair holds \x01 on both sides
    export(al, str(tmp_path / "in.json"))
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "in.json"), "-o", str(tmp_path / "o.tmx")])
    assert res.exit_code == 0, res.output
    notes = [x for x in res.stderr.splitlines() if "XML 1.0" in x]
    assert len(notes) == 1 and " 2 segment" in notes[0], res.stderr
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "in.json"), "-q", "-o", str(tmp_path / "q.tmx")])
    assert res.exit_code == 0 and res.stderr == ""
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "in.json"), "-o", str(tmp_path / "o.jsonl")])
    assert "XML 1.0" not in res.stderr


@pytest.mark.parametrize("fmt", ["tsv", "moses", "jsonl", "tmx", "json"])
def test_a_nul_in_the_text_reads_back(tmp_path: Path, fmt: str) -> None:
    """NUL went out raw in TSV and Moses, and the readers then refused the file as binary."""
    al = Alignment(make_doc(["a\x00b", "c"], "ar"), make_doc(["x\x00y", "z"], "en"),
                   [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)], "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    back = read_pairs(_write(al, tmp_path, fmt))
    got = [(back.src_text(k), back.tgt_text(k)) for k in back.links]
    assert got in ([("a b", "x y"), ("c", "z")], [("a\x00b", "x\x00y"), ("c", "z")])
    assert "\x00" not in (tmp_path / {"moses": "pairs.ar-en.en"}.get(fmt, SINGLE.get(fmt, ""))).read_text("utf-8")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("s.jsonl", '{"translation": {"ar": "x", "en": "y"}}\n{"translation": {"ar": "a\\ud800b", "en": "y"}}\n',
     r"s.jsonl: line 2: .*surrogate"),
    ("n.jsonl", '{"translation": {"ar": "x", "en": "y"}, "cosine": NaN}\n', r"n.jsonl: line 1: cosine: .*finite"),
    ("i.jsonl", '{"translation": {"ar": "x", "en": "y"}, "score": 1e999}\n', r"i.jsonl: line 1: score: .*finite"),
    ("n.tsv", "0\t0\tx\ty\tinf\n", r"n.tsv: line 1: score 'inf' is not a finite number"),
    ("c.tsv", "src_ids\ttgt_ids\tsrc\ttgt\tscore\tcosine\n0\t0\tx\ty\t0.5\tnan\n",
     r"c.tsv: line 2: cosine 'nan' is not a finite number"),
])
def test_lone_surrogates_and_non_finite_numbers_are_refused_at_read(tmp_path: Path, name: str, content: str,
                                                                     message: str) -> None:
    """A lone surrogate gave an internal UnicodeEncodeError at write; NaN/inf an internal
    ValueError (JSONL) or invalid JSON (NaN, Infinity in the native JSON)."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_pairs(path)
    res = CliRunner().invoke(main, ["filter", str(path), "-o", str(tmp_path / "o.json")])
    assert res.exit_code == 2 and res.stdout == "" and "internal error" not in res.stderr, res.output
    assert not (tmp_path / "o.json").exists()
    res = CliRunner().invoke(main, ["filter", str(path), "-f", "tsv"])  # to stdout: not even a header line
    assert res.exit_code == 2 and res.stdout == "", res.output


def test_native_json_with_nan_or_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    from parallel.export import alignment_to_dict

    good = alignment_to_dict(_langs_alignment("ar", "en"))
    text = json.dumps(good, ensure_ascii=False, indent=1)
    for bad, message in ((text.replace('"score": 0.8', '"score": NaN'), r"line \d+: .*score.*finite"),
                         (text.replace("Thanks.", "Thanks\\udc00"), r"line \d+: .*surrogate")):
        assert bad != text
        (tmp_path / "b.json").write_text(bad, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            read_pairs(tmp_path / "b.json")
    # and no writer can make invalid JSON: NaN in memory is refused, not written as NaN
    al = _langs_alignment("ar", "en")
    nan = Alignment(al.src, al.tgt, [Link((0,), (0,), float("nan"))], "parallel", al.signature)
    for fmt in ("json", "jsonl"):
        with pytest.raises(ValueError):
            export(nan, str(tmp_path / f"nan.{fmt}"))
        assert not (tmp_path / f"nan.{fmt}").exists()


def test_a_failed_moses_write_names_the_file_that_failed(tmp_path: Path) -> None:
    """ulimit -f: the .ar side is the file too large, but the innermost writer (.sig) caught the
    error and named itself."""
    import os
    import resource
    import subprocess
    import sys

    import parallel

    big = Alignment(make_doc(["ب" * 400] * 40, "ar"), make_doc(["b" * 300] * 40, "en"),
                    [Link((i,), (i,), 0.9) for i in range(40)], "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    export(big, str(tmp_path / "big.json"))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": str(Path(parallel.__file__).resolve().parents[1])}
    r = subprocess.run([sys.executable, "-m", "parallel", "filter", str(tmp_path / "big.json"), "-q", "-f", "moses",
                        "-o", str(tmp_path / "m")], capture_output=True, text=True, env=env, preexec_fn=limit,
                       check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == f"parallel-corpus: error: {tmp_path / 'm.ar-en.ar'}: cannot write (File too large)"
    assert not list(tmp_path.glob("m.*")) and not list(tmp_path.glob(".m*"))


def test_moses_export_does_not_fail_after_writing_its_files(tmp_path: Path) -> None:
    """A directory named like a stale review file (m.ar-en.status): the files were written, then
    removing the stale one failed: exit 1 "Is a directory" for an export that had happened."""
    (tmp_path / "m.ar-en.status").mkdir()
    export(_langs_alignment("ar", "en"), str(tmp_path / "m"), "moses")
    assert (tmp_path / "m.ar-en.en").read_text(encoding="utf-8") == "Hello.\nThanks.\n"
    assert (tmp_path / "m.ar-en.sig").is_file()


@pytest.mark.parametrize(("langs", "tags"), [(("ar", "en_gb"), ("ar", "en-GB")), (("ar", "en-gb"), ("ar", "en-GB")),
                                             (("zh_hant", "en"), ("zh-Hant", "en")),
                                             (("sr-latn-rs", "en-x-ab"), ("sr-Latn-RS", "en-x-ab"))])
def test_tmx_languages_are_bcp47_tags_and_read_back_as_the_codes(tmp_path: Path, langs: tuple[str, str],
                                                                 tags: tuple[str, str]) -> None:
    """xml:lang held en_gb (not a BCP 47 tag) and zh_hant lower-cased; reading gives back the codes."""
    al = _langs_alignment(*langs)
    export(al, str(tmp_path / "p.tmx"))
    root = _tmx(tmp_path / "p.tmx")
    header = root.find("header")
    assert header is not None and header.get("srclang") == tags[0]
    assert [t.get(XML_LANG) for t in root.findall("body/tu/tuv")] == list(tags) * 2
    back = read_pairs(tmp_path / "p.tmx")
    assert (back.src.lang, back.tgt.lang) == langs
    res = CliRunner().invoke(main, ["filter", str(tmp_path / "p.tmx"), "-q", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    assert list(json.loads(res.stdout.splitlines()[0])["translation"]) == list(langs)
    # a TMX from elsewhere (no signature): its tags become the tool's lower-case codes
    (tmp_path / "x.tmx").write_text((tmp_path / "p.tmx").read_text(encoding="utf-8").replace(
        "x-signature", "x-other"), encoding="utf-8")
    other = read_pairs(tmp_path / "x.tmx")
    assert (other.src.lang, other.tgt.lang) == (tags[0].lower(), tags[1].lower())


@pytest.mark.parametrize("tag", ["en-gb", "en_GB", "EN-GB"])
def test_align_takes_a_regional_language_tag_as_its_language(tmp_path: Path, tag: str) -> None:
    """`--tgt-lang en-gb` (README: en-GB in the TMX) was refused without --force-lang, and with it
    the English side got the generic splitter and the encoder for unknown languages. The tag's
    language picks splitter, encoder and script check; the whole tag names the text."""
    (tmp_path / "a.ar").write_text("هذه جملة عربية. وهذه جملة ثانية.\n", encoding="utf-8")
    (tmp_path / "b.en").write_text("This is an English sentence. And this is a second one.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["align", str(tmp_path / "a.ar"), str(tmp_path / "b.en"), "--tgt-lang", tag,
                                    "-f", "tmx", "-o", str(tmp_path / "p.tmx")])
    assert res.exit_code == 0, res.output
    assert "generic" not in res.stderr and "not trained on" not in res.stderr
    root = _tmx(tmp_path / "p.tmx")
    assert [t.get(XML_LANG) for t in root.findall("body/tu/tuv")] == ["ar", "en-GB"] * 2
    sig = next(p.text for p in root.iter("prop") if p.get("type") == "x-signature")
    assert sig is not None and "seg:punkt-ar+punkt-en|" in sig and "model:use-m3|" in sig
    # one code for every spelling of the tag (en_GB gave tgt:en_gb and JSONL keys of its own, and run
    # joined its pairs apart from the en-gb ones)
    assert "|tgt:en-gb|" in sig
    res = CliRunner().invoke(main, ["align", str(tmp_path / "a.ar"), str(tmp_path / "b.en"), "--tgt-lang", tag,
                                    "-f", "jsonl", "-o", str(tmp_path / "p.jsonl")])
    assert res.exit_code == 0, res.output
    assert list(json.loads((tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()[0])["translation"]) \
        == ["ar", "en-gb"]
    # the script check reads the tag's language: Arabic tagged as English is still refused
    res = CliRunner().invoke(main, ["align", str(tmp_path / "b.en"), str(tmp_path / "a.ar"), "--tgt-lang", "en-gb"])
    assert res.exit_code == 2 and "arabic script" in res.stderr
    res = CliRunner().invoke(main, ["align", str(tmp_path / "a.ar"), str(tmp_path / "b.en"), "--tgt-lang", "xq-gb"])
    assert res.exit_code == 2 and "unknown language 'xq-gb'" in res.stderr


@pytest.mark.parametrize(("name", "fmt", "says"), [("x.tsv", "vecalign", "tsv"), ("x.jsonl", "tmx", "jsonl"),
                                                   ("x.JSON", "jsonl", "json"), ("x.align", "tsv", "vecalign")])
def test_a_format_the_output_name_contradicts_is_refused(tmp_path: Path, name: str, fmt: str, says: str) -> None:
    """`-f vecalign -o x.tsv` wrote a file that filter and eval, going by its name, then refused:
    refused before anything is written; a name that says no format (x.txt) or Moses' NAME prefix
    is taken as given."""
    al = make_alignment()
    with pytest.raises(InputError, match=f"the name says {says} but -f asks for {fmt}"):
        export(al, str(tmp_path / name), fmt)
    assert not any(tmp_path.iterdir())
    export(al, str(tmp_path / "x.txt"), fmt)
    assert (tmp_path / "x.txt").stat().st_size > 0
    export(al, str(tmp_path / "m.tsv"), "moses")
    assert sorted(p.name for p in tmp_path.glob("m.tsv.*")) == ["m.tsv.ar-en.ar", "m.tsv.ar-en.en", "m.tsv.ar-en.sig"]
    ar, en = tmp_path / "a.ar", tmp_path / "a.en"
    ar.write_text("\n".join(AR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    for cmd in (["align", str(ar), str(en)], ["mine", str(ar), str(en)]):
        res = CliRunner().invoke(main, [*cmd, "-f", fmt if fmt != "vecalign" or cmd[0] == "align" else "tmx",
                                        "-o", str(tmp_path / f"cli{name}"), "-q"])
        assert res.exit_code == 2 and "but -f asks for" in res.stderr, (cmd, res.output)
        assert not (tmp_path / f"cli{name}").exists()


def test_no_sidecar_when_there_is_no_signature(tmp_path: Path) -> None:
    """Pairs read from a TSV written with --no-sig have no signature: their export writes no
    .sig holding a bare newline (readers would take it for a signature), and drops a stale one."""
    import dataclasses

    al = dataclasses.replace(make_alignment(), signature="")
    out = tmp_path / "p.tsv"
    (tmp_path / "p.tsv.sig").write_text("mode:comparable|old\n", encoding="utf-8")
    export(al, str(out), sidecar=True)
    assert out.stat().st_size > 0 and not (tmp_path / "p.tsv.sig").exists()
    export(make_alignment(), str(out), sidecar=True)
    assert (tmp_path / "p.tsv.sig").read_text(encoding="utf-8").strip() == make_alignment().signature


@pytest.mark.parametrize("name", ["train.en-ar", "scores.old-new", "x.en-ar.en"])
def test_a_moses_name_whose_pair_is_not_the_alignments_is_refused(tmp_path: Path, name: str) -> None:
    # train.en-ar for ar-en pairs wrote train.en-ar.ar-en.ar, and a name such as scores.old-new
    # became a Moses pair of three files, in silence
    with pytest.raises(InputError, match="the pairs go ar-en"):
        export(make_alignment(), str(tmp_path / name), "moses")
    assert list(tmp_path.iterdir()) == []
    export(make_alignment(), str(tmp_path / "train.ar-en"), "moses")
    assert sorted(p.name for p in tmp_path.iterdir())[:2] == ["train.ar-en.ar", "train.ar-en.en"]


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_the_api_does_not_make_a_native_json_of_guessed_sentence_boundaries(tmp_path: Path, fmt: str) -> None:
    """read_pairs(tsv).export("x.json") split a 2-1 link's joined Arabic at its last space and wrote
    the halves as the document's sentences (filter -f json refuses it): refused in the API too, no
    file left; a pairs file of 1-1 links only still converts."""
    ar = make_doc(["جملة أولى هنا.", "وجملة ثانية هناك.", "جملة ثالثة."], "ar")
    en = make_doc(["The first and second sentences.", "A third sentence."], "en")
    al = Alignment(ar, en, (Link((0, 1), (0,), 0.5), Link((2,), (1,), 0.5)), "parallel",
                   "model:t|mode:parallel|src:ar|tgt:en")
    export(al, str(tmp_path / f"p.{fmt}"))
    back = read_pairs(tmp_path / f"p.{fmt}")
    with pytest.raises(InputError, match=r"link \[0, 1\]:\[0\] has several sentences on a side.*cannot become the native JSON"):
        back.export(tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()
    export(al, str(tmp_path / "whole.json"))  # the alignment itself holds its sentences: written
    ones = Alignment(ar, en, (Link((0,), (0,), 0.5), Link((2,), (1,), 0.5)), "parallel",
                     "model:t|mode:parallel|src:ar|tgt:en")
    export(ones, str(tmp_path / f"o.{fmt}"))
    read_pairs(tmp_path / f"o.{fmt}").export(tmp_path / "o.json")
    assert json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["links"]
