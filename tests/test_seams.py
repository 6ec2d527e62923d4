"""Seams found by an adversarial walkthrough of the command line (stop 24): each test names what
went wrong before it was fixed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallel.cli import main

AR = ("ارتفعت أسعار النفط اليوم بعد قرار منظمة أوبك خفض الإنتاج.\n"
      "وقال وزير الطاقة إن القرار يهدف إلى استقرار السوق.\n"
      "ويتوقع المحللون أن تستمر الأسعار في الارتفاع خلال الأشهر المقبلة.\n")
EN = ("Oil prices rose today after OPEC decided to cut production.\n"
      "The energy minister said the decision aims to stabilise the market.\n"
      "Analysts expect prices to keep rising over the coming months.\n")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parallel-corpus: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    ar, en = tmp_path / "d.ar", tmp_path / "d.en"
    ar.write_text(AR, encoding="utf-8")
    en.write_text(EN, encoding="utf-8")
    return ar, en


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_language_code_never_becomes_a_path(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # a JSONL key, a native file's language and --src-lang became parts of Moses file names:
    # "../../../x" wrote outside the folder asked for (as far as the file system's root)
    out = tmp_path / "a" / "b"
    out.mkdir(parents=True)
    evil = tmp_path / "evil.jsonl"
    evil.write_text(json.dumps({"translation": {"../../../x": "a", "en": "b"}}) + "\n", encoding="utf-8")
    before = files_under(tmp_path)
    code, _, err = invoke("filter", str(evil), "-f", "moses", "-o", str(out / "out"))
    assert code == 2 and "'../../../x' is not a language code" in one_error(err)
    code, _, err = invoke("align", str(pair[0]), str(pair[1]), "--src-lang", "q/../../esc", "--force-lang",
                          "-f", "moses", "-o", str(out / "m"))
    assert code == 2 and "is not a language code" in one_error(err)
    native = tmp_path / "n.json"
    code, _, err = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-f", "json", "-o", str(native), "-q")
    assert code == 0, err
    data = json.loads(native.read_text(encoding="utf-8"))
    data["src"]["lang"] = "q/../../esc"
    native.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = invoke("filter", str(native), "-f", "moses", "-o", str(out / "n"))
    assert code == 2 and "is not a language code" in one_error(err)
    assert files_under(tmp_path) == before | {"n.json"}
    code, out_text, err = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--src-lang", "AR", "-q")
    assert code == 0 and out_text.count("\n") == 4, err  # a code in capitals is still one


def test_filter_never_writes_over_its_input(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # `filter pairs.tsv -o pairs.tsv` replaced the input (align, run and report refused it already)
    tsv, native = tmp_path / "p.tsv", tmp_path / "p.json"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--keep-empty", "-o", str(tsv), "-q")[0] == 0
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-f", "json", "-o", str(native), "-q")[0] == 0
    assert invoke("filter", str(tsv), "-f", "moses", "-o", str(tmp_path / "m"), "-q")[0] == 0
    moses = tmp_path / "m.ar-en.ar"
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for args in ([str(tsv), "-o", str(tsv)], [str(tsv), "-f", "vecalign", "-o", f"{tsv}.sig"],
                 [str(native), "--min-cosine", "0.99", "-o", str(native)],
                 [str(moses), "-f", "moses", "-o", str(tmp_path / "m")],
                 [str(moses), "-f", "tsv", "-o", str(tmp_path / "m.ar-en.en")]):
        code, _, err = invoke("filter", *args)
        assert code == 2 and "is an input of this command" in one_error(err), args
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    code, _, err = invoke("filter", str(tsv), "-o", str(tmp_path / "other.tsv"), "-q")
    assert code == 0, err


def test_mine_refuses_a_moses_output_named_like_its_input_before_any_work(tmp_path: Path) -> None:
    # `mine m.ar-en.ar m.ar-en.en -f moses -o m` was refused only when the pairs were written, after
    # the whole collection had been embedded and mined: the file names hang on languages read from
    # the inputs. Now refused before anything is read, whatever the codes, for the sidecars too.
    (tmp_path / "m.ar-en.ar").write_text("مرحبا بالعالم.\nكيف حالك اليوم؟\n", encoding="utf-8")
    (tmp_path / "m.ar-en.en").write_text("Hello world.\nHow are you today?\n", encoding="utf-8")
    (tmp_path / "m.fr-de.sig").write_text("x\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for src, out in (("m.ar-en.ar", "m"), ("m.ar-en.ar", "m.ar-en"), ("m.ar-en.ar", "m.moses"),
                     ("m.fr-de.sig", "m"), ("m.ar-en.ar", "m.ar-en.en")):
        code, _, err = invoke("mine", str(tmp_path / src), str(tmp_path / "m.ar-en.en"), "-f", "moses",
                              "-o", str(tmp_path / out))
        assert code == 2 and f"error: {tmp_path / src}: is an input of this command" in one_error(err), (src, out, err)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert not list(tmp_path.glob("*.tmp*"))
    from parallel.export import moses_collision

    # only names the export could take: other languages add their pair (m.de-fr.ar-en.ar), so an
    # input named for a pair the output does not name is no collision
    assert moses_collision(str(tmp_path / "m.de-fr"), [tmp_path / "m.ar-en.ar"]) is None
    assert moses_collision(str(tmp_path / "m.de-fr"), [tmp_path / "m.de-fr.ar-en.ar"]) == tmp_path / "m.de-fr.ar-en.ar"
    assert moses_collision(str(tmp_path / "m.ar-en.ar"), [tmp_path / "m.ar-en.ar.de-fr.sig"]) is not None
    assert moses_collision(str(tmp_path / "pairs"), [tmp_path / "m.ar-en.ar"]) is None
    code, _, err = invoke("mine", str(tmp_path / "m.ar-en.ar"), str(tmp_path / "m.ar-en.en"), "-f", "moses",
                          "-o", str(tmp_path / "pairs"), "-q")
    assert code == 0, err
    assert (tmp_path / "pairs.ar-en.ar").read_text(encoding="utf-8").count("\n") == 2


def test_the_native_json_on_one_line_is_still_the_native_json(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # `jq -c . pair.json` (or json.dump) put the native file on one line, and filter and mt-eval took
    # it for a JSONL export, then failed on the advice they gave (--from jsonl)
    native, tsv = tmp_path / "p.json", tmp_path / "p.tsv"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-f", "json", "-o", str(native), "-q")[0] == 0
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-o", str(tsv), "-q")[0] == 0
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps(json.loads(native.read_text(encoding="utf-8"))), encoding="utf-8")
    assert len(flat.read_text(encoding="utf-8").splitlines()) == 1
    code, out, err = invoke("filter", str(flat), "-f", "tsv", "--no-header")
    assert code == 0, err
    assert out == tsv.read_text(encoding="utf-8").split("\n", 1)[1]
    hyp = tmp_path / "hyp.en"
    hyp.write_text(EN, encoding="utf-8")
    code, out, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(flat))
    assert code == 0 and "BLEU" in out, err


def test_small_things_said_right(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # a file cut in the middle of its last character was "not UTF-8 ... reads as Arabic in CP1256",
    # advice that would garble it
    cut = tmp_path / "cut.ar"
    cut.write_bytes(AR.rstrip("\n").encode("utf-8")[:-2])  # its last letter (2 bytes) cut after 1
    code, _, err = invoke("align", str(cut), str(pair[1]), "-q")
    assert code == 2 and "ends in the middle of a UTF-8 character" in one_error(err) and "CP1256" not in err
    # a repeat count too large for Python's regex engine was an "internal error"
    native = tmp_path / "p.json"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-f", "json", "-o", str(native), "-q")[0] == 0
    code, _, err = invoke("grep", "-E", "a{99999999999}", str(native))
    assert code == 2 and "bad regular expression" in one_error(err)
    # an output name of 240 characters (allowed: 255) failed: its temporary name was too long
    long_name = tmp_path / ("d" * 240 + ".tsv")
    code, _, err = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-o", str(long_name), "-q")
    assert code == 0, err
    assert long_name.read_text(encoding="utf-8").count("\n") == 4
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_eval_scores_aligns_own_tsv_as_an_alignment(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # a TSV gold was always read as mined id pairs: align's own TSV (its .sig says mode:parallel)
    # got mining P/R/F1, the same gold as .align got strict/lax F1
    gold_tsv, gold_align, pred = tmp_path / "g.tsv", tmp_path / "g.align", tmp_path / "p.align"
    for out in (gold_tsv, gold_align):
        code, _, err = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--mode", "parallel",
                              "--keep-empty", "-o", str(out), "-q")
        assert code == 0, err
    pred.write_text("[0, 1]:[0, 1]:0.5\n[2]:[2]:0.5\n", encoding="utf-8")
    by_tsv, by_align = invoke("eval", str(pred), str(gold_tsv)), invoke("eval", str(pred), str(gold_align))
    assert by_tsv[0] == by_align[0] == 0
    assert by_tsv[1] == by_align[1] and "strict  P 0.5000  R 0.3333" in by_tsv[1]


def test_filter_refuses_a_vecalign_file_of_pairs_from_several_files(tmp_path: Path) -> None:
    # mine over two files a side numbers each file's lines from 0: as one Vecalign file the ids
    # collided (one source id in two links) without a word; eval refused the same input already
    a2, e2 = tmp_path / "b.ar", tmp_path / "b.en"
    a1, e1 = tmp_path / "a.ar", tmp_path / "a.en"
    ar2 = ("أعلنت الحكومة عن خطة جديدة لبناء المدارس في المناطق الريفية.\n"
           "وسيبدأ العمل في المشروع مطلع العام المقبل.\n")
    en2 = ("The government announced a new plan to build schools in rural areas.\n"
           "Work on the project will start early next year.\n")
    for path, text in ((a1, AR), (e1, EN), (a2, ar2), (e2, en2)):
        path.write_text(text, encoding="utf-8")
    mined = tmp_path / "m.tsv"
    code, _, err = invoke("mine", "--src", str(a1), "--src", str(a2), "--tgt", str(e1), "--tgt", str(e2),
                          "-o", str(mined), "-m", "use-m3", "-q")
    assert code == 0, err
    code, _, err = invoke("filter", str(mined), "-f", "vecalign", "-o", str(tmp_path / "m.align"))
    assert code == 2 and "its pairs come from 2 src files" in one_error(err)
    assert not (tmp_path / "m.align").exists()
    # the native JSON (one document a side) was written, and every reader of it then refused it
    # ("src sentence 0 is also in link ...")
    code, _, err = invoke("filter", str(mined), "-f", "json", "-o", str(tmp_path / "m.json"))
    assert code == 2 and "native JSON (one document a side) cannot tell them apart" in one_error(err)
    assert not (tmp_path / "m.json").exists()
    code, _, err = invoke("filter", str(mined), "-f", "jsonl", "-o", str(tmp_path / "m.jsonl"), "-q")
    assert code == 0, err


def test_filter_refuses_review_options_on_a_vecalign_file(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # a Vecalign file holds no review decisions: --drop-rejected kept a rejected link ("removed 0")
    # and --status accepted dropped every link, both with exit 0
    native = tmp_path / "a.json"
    code, _, err = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--mode", "parallel", "-m", "use-m3",
                          "-f", "json", "-o", str(native), "-q", "--no-cache")
    assert code == 0, err
    doc = json.loads(native.read_text(encoding="utf-8"))
    doc["links"][0]["features"]["status"] = "rejected"
    native.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    va = tmp_path / "a.vecalign"
    code, _, err = invoke("filter", str(native), "-o", str(va), "-q")
    assert code == 0, err
    for opt in (["--drop-rejected"], ["--status", "accepted"]):
        code, _, err = invoke("filter", str(va), *opt, "-o", str(tmp_path / "x.vecalign"))
        assert code == 2 and "read the review decisions, which a Vecalign file does not hold" in one_error(err)
        assert not (tmp_path / "x.vecalign").exists()
    # from the native JSON the decision is read
    code, _, err = invoke("filter", str(native), "--drop-rejected", "-o", str(tmp_path / "y.vecalign"))
    assert code == 0, err
    # stop 46: the rejected link is undone, its sentences listed as 1-0/0-1, not lost from the alignment
    rejected = doc["links"][0]
    assert (tmp_path / "y.vecalign").read_text(encoding="utf-8").splitlines()[:len(rejected["src"]) + len(rejected["tgt"])] \
        == [f"[{i}]:[]:0.0000" for i in rejected["src"]] + [f"[]:[{j}]:0.0000" for j in rejected["tgt"]]
    assert len((tmp_path / "y.vecalign").read_text(encoding="utf-8").splitlines()) \
        == len(doc["links"]) - 1 + len(rejected["src"]) + len(rejected["tgt"])


def test_mine_leaves_a_work_folder_it_did_not_make_alone(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # --work DIR wrote over DIR/src/meta.json and DIR/src/texts.txt of somebody else's folder
    work = tmp_path / "proj"
    (work / "src").mkdir(parents=True)
    (work / "src" / "meta.json").write_text('{"my": "config"}', encoding="utf-8")
    (work / "src" / "notes.md").write_text("mine", encoding="utf-8")
    code, _, err = invoke("mine", str(pair[0]), str(pair[1]), "--work", str(work), "-o", str(tmp_path / "x.tsv"),
                          "-m", "use-m3", "-q")
    assert code == 2 and "holds files mine did not write (meta.json, notes.md)" in one_error(err)
    assert (work / "src" / "meta.json").read_text(encoding="utf-8") == '{"my": "config"}'
    # its own folder is reused, and given other inputs, rebuilt
    fresh = tmp_path / "fresh"
    other = tmp_path / "other.en"
    other.write_text(EN.upper(), encoding="utf-8")
    for tgt in (pair[1], pair[1], other):
        code, _, err = invoke("mine", str(pair[0]), str(tgt), "--work", str(fresh), "-o", str(tmp_path / "y.tsv"),
                              "-m", "use-m3", "-q")
        assert code == 0, err


def test_a_chunk_that_cannot_be_written_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a full disk during mine said "15360 requested and 8160 written" and left .emb_00000.npy.tmp
    import numpy as np

    from parallel import bigmine
    from parallel.errors import OutputError

    def short_write(fh: object, _arr: object) -> None:
        fh.write(b"\x93NUMPY")  # type: ignore[attr-defined]
        raise OSError("15360 requested and 8160 written")

    monkeypatch.setattr(bigmine.store.np, "save", short_write)
    target = tmp_path / "emb_00000.npy"
    with pytest.raises(OutputError, match=r"emb_00000\.npy: cannot write \(15360 requested and 8160 written: "
                                          r"is the disk full\?\)"):
        bigmine.save_chunk(target, np.zeros((2, 3)))
    assert list(tmp_path.iterdir()) == []


def test_hand_edited_tables_and_small_messages(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    tsv = tmp_path / "p.tsv"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-o", str(tsv), "-q")[0] == 0
    head, *rows = tsv.read_text(encoding="utf-8").splitlines()
    # a blank line left in a table edited by hand failed filter ("1 tab-separated fields"); eval read it
    blank = tmp_path / "blank.tsv"
    blank.write_text("\n".join([head, "", rows[0], "", *rows[1:], ""]) + "\n", encoding="utf-8")
    # columns moved by hand: the header still names them, but it was not taken for one
    moved = tmp_path / "moved.tsv"
    fields = [line.split("\t") for line in [head, *rows]]
    swap = ["\t".join([f[1], f[0], *f[2:]]) for f in fields]
    moved.write_text("\n".join(swap) + "\n", encoding="utf-8")
    for table in (blank, moved):
        code, out, err = invoke("filter", str(table), "-q")
        assert code == 0 and out == tsv.read_text(encoding="utf-8"), err
    # mt-eval suggested --from vecalign, which its --from refuses
    odd = tmp_path / "ref.dat"
    odd.write_text("nothing to tell the format by\n", encoding="utf-8")
    hyp = tmp_path / "hyp.en"
    hyp.write_text(EN, encoding="utf-8")
    code, _, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(odd))
    assert code == 2 and one_error(err).endswith("pass --from FORMAT (tsv, jsonl, tmx, moses, json)")
    # a bare command printed its whole help after "parallel-corpus: error:"
    code, out, err = invoke()
    assert code == 2 and err.startswith("Usage: ") and "Commands:" in err and "error" not in err


def test_contradictions_and_empty_values_are_said(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    tsv = tmp_path / "p.tsv"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "-o", str(tsv), "-q")[0] == 0
    # --link-types "" was ignored (every link kept); --keep-empty with --no-empty let one win silently
    for args in (["filter", str(tsv), "--link-types", ""], ["filter", str(tsv), "--keep-empty", "--no-empty"],
                 ["align", str(pair[0]), str(pair[1]), "--keep-empty", "--no-empty"]):
        code, _, err = invoke(*args)
        assert code == 2 and ("is not a link type" in err or "give one" in one_error(err)), args
    # a manifest: an empty src cell said ".: is a directory"; D00 and d00 collide where letter case
    # is not told apart; a language cell is a code
    ar, en = pair
    for rows, want in (([f"a\t\t{en}\t"], "pair 'a' has no src file"),
                       ([f"D00\t{ar}\t{en}\t", f"d00\t{ar}\t{en}\t"], "pair name 'd00' appears twice (letter case aside"),
                       ([f"a\t{ar}\t{en}\tx/../y"], "src_lang 'x/../y' is not a language code")):
        manifest = tmp_path / "m.tsv"
        manifest.write_text("\n".join(["name\tsrc\ttgt\tsrc_lang", *rows]) + "\n", encoding="utf-8")
        code, _, err = invoke("run", str(manifest), "-o", str(tmp_path / "out"), "-q")
        assert code == 2 and want in one_error(err), rows
        assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the Python API (stop 24)


class RowShort:
    """An encoder that returns one vector too few (a bug in a user's own encoder)."""

    name = "row-short"

    def encode(self, texts: list[str]) -> object:
        import numpy as np

        rng = np.random.default_rng(len(texts))
        return rng.normal(size=(max(len(texts) - 1, 0), 8))


class WithNaN(RowShort):
    name = "with-nan"

    def encode(self, texts: list[str]) -> object:
        import numpy as np

        out = np.ones((len(texts), 8))
        out[-1, 0] = np.nan
        return out


def test_the_api_checks_what_it_is_given() -> None:
    import numpy as np

    import parallel
    from parallel.embed import get_encoder, nearest
    from parallel.errors import InputError, ModelError
    from parallel.mine import mine
    from parallel.report import matrix_svg

    # an empty side and the combination of encoders: "cannot reshape array of size 0"
    assert get_encoder("use-m3+e5-small", cache=False).encode([]).shape == (0, 896)
    al = parallel.align("", "The boy went to school. He ate an apple.", src_lang="ar", tgt_lang="en",
                        mode="comparable", model="use-m3")
    assert al.links == () or list(al.links) == []
    # min_p: nan or 5 kept nothing without a word, "0.5" failed inside a format string
    for bad in (float("nan"), 5, "0.5", True):
        with pytest.raises(InputError, match="min_p must be a probability"):
            parallel.align(AR, EN, src_lang="ar", tgt_lang="en", min_p=bad)  # type: ignore[arg-type]
    # an encoder of one's own: a row short dropped a sentence in silence, NaN broke the aligner deep inside
    for enc, what in ((RowShort(), "3 vectors expected"), (WithNaN(), "vector 2 holds NaN")):
        for mode in ("comparable", "parallel"):
            with pytest.raises(ModelError, match=what):
                parallel.align(AR, EN, src_lang="ar", tgt_lang="en", mode=mode, model=enc)
    with pytest.raises(InputError, match="an encoder with an encode"):
        parallel.align(AR, EN, src_lang="ar", tgt_lang="en", model=3)  # type: ignore[arg-type]
    # vectors handed to the helpers directly
    a, b = np.eye(3, 8, dtype=np.float32), np.eye(3, 8, dtype=np.float32)
    with pytest.raises(InputError, match="different widths"):
        nearest(a, b[:, :5])
    with pytest.raises(InputError, match="NaN or infinity"):
        nearest(np.where(a == 1, np.nan, a), b)
    with pytest.raises(InputError, match="k must be"):
        nearest(a, b, k=0)
    with pytest.raises(InputError, match="NaN or infinity"):
        mine(np.full((3, 8), np.nan, dtype=np.float32), b)
    assert [(k.src, k.tgt) for k in mine(a * 7, b)] == [(k.src, k.tgt) for k in mine(a, b)]  # not unit: normalised
    # a similarity matrix of another shape drew a false picture
    doc = parallel.align(AR, EN, src_lang="ar", tgt_lang="en", mode="parallel", model="use-m3")
    with pytest.raises(InputError, match=r"shape \(2, 3\)"):
        matrix_svg(doc, np.zeros((2, 3)))
    with pytest.raises(InputError, match="width must be"):
        matrix_svg(doc, np.zeros((3, 3)), width=0)
    assert "<svg" in matrix_svg(doc, np.eye(3))


def test_resume_redoes_a_pair_whose_files_were_changed(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # resume trusted any file still there: a TSV with a garbage row went into _all.tsv, an emptied
    # native JSON stayed empty
    ar, en = pair
    other_ar, other_en = tmp_path / "o.ar", tmp_path / "o.en"
    other_ar.write_text(AR, encoding="utf-8")
    other_en.write_text(EN, encoding="utf-8")
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"name\tsrc\ttgt\tpresplit\na\t{ar}\t{en}\tyes\nb\t{other_ar}\t{other_en}\tyes\n",
                        encoding="utf-8")
    out = tmp_path / "out"

    def run() -> str:
        code, _, err = invoke("run", str(manifest), "-o", str(out), "-m", "use-m3")
        assert code == 0, err
        return err

    run()
    good = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert "0 aligned, 2 already done" in run()  # nothing changed: nothing redone
    with open(out / "a.tsv", "a", encoding="utf-8") as fh:
        fh.write("garbage\tline\n")
    (out / "b.json").write_text("", encoding="utf-8")
    assert "2 aligned, 0 already done" in run()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == good
    # the native JSON is the file review edits: a valid edit there is kept, not redone
    from parallel.review.store import ReviewStore

    ReviewStore(out / "a.json").apply("status", {"link": 0, "status": "accepted"})
    edited = (out / "a.json").read_bytes()
    assert "0 aligned, 2 already done" in run()
    assert (out / "a.json").read_bytes() == edited


def test_api_inputs_of_the_wrong_kind_say_so(tmp_path: Path) -> None:
    from parallel.api import make_document, read_document
    from parallel.errors import InputError
    from parallel.readers import read_pairs

    for call, what in ((lambda: make_document(None), "a str of text is needed, not NoneType"),  # type: ignore[arg-type]
                       (lambda: make_document(b"x"), "decode bytes first"),  # type: ignore[arg-type]
                       (lambda: read_document(None), "a file path is needed"),  # type: ignore[arg-type]
                       (lambda: read_pairs(None), "a file path is needed"),  # type: ignore[arg-type]
                       (lambda: read_pairs(str(tmp_path)), "is a directory, not a file")):
        with pytest.raises(InputError, match=what):
            call()


def test_mine_says_when_the_noise_floor_overrides_z_min(tmp_path: Path, shared_bench: Path) -> None:
    # --z-min 0, 1 and 2 kept the same pairs as 2.2 without a word: the bar random pairs reach won
    mining = shared_bench / "derived" / "ntrex128_ar_en" / "mining"
    outs = []
    for z in ("0", "3"):
        out = tmp_path / f"z{z}.tsv"
        code, _, err = invoke("mine", str(mining / "all.ar"), str(mining / "all.en"), "--z-min", z,
                              "-m", "use-m3", "-q", "-o", str(out))
        assert code == 0, err
        outs.append(err)
    assert "--z-min 0 gives a bar (" in outs[0] and "that floor was used" in outs[0]
    assert outs[1] == ""


def test_mt_eval_takes_a_default_exports_lines_against_the_native_json(tmp_path: Path, shared_bench: Path) -> None:
    # a hypothesis made from the TSV (the pairs with text on both sides) was refused against the
    # native JSON of the same alignment, which also lists its 1-0/0-1 links
    merged = shared_bench / "derived" / "ntrex128_ar_en" / "merged"
    native, tsv = tmp_path / "m.json", tmp_path / "m.tsv"
    for out in (native, tsv):
        code, _, err = invoke("align", str(merged / "01.ar"), str(merged / "01.en"), "--presplit", "--mode",
                              "parallel", "-m", "use-m3", "-q", "-o", str(out))
        assert code == 0, err
    data = json.loads(native.read_text(encoding="utf-8"))
    assert any(not (k["src"] and k["tgt"]) for k in data["links"])  # the file holds a 1-0/0-1 link
    hyp = tmp_path / "hyp.en"
    rows = tsv.read_text(encoding="utf-8").splitlines()[1:]
    hyp.write_text("".join(r.split("\t")[3] + "\n" for r in rows), encoding="utf-8")
    by_json, by_tsv = (invoke("mt-eval", "--hyp", str(hyp), "--ref", str(r), "-q") for r in (native, tsv))
    assert by_json[0] == by_tsv[0] == 0, by_json[2]
    assert by_json[1] == by_tsv[1] and "= 100.00" in by_json[1]
    hyp.write_text("".join(r.split("\t")[3] + "\n" for r in rows[:-1]), encoding="utf-8")
    code, _, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(native))
    assert code == 2 and "line n of HYP must translate pair n" in one_error(err)


def test_a_run_that_cannot_start_leaves_no_empty_folder(tmp_path: Path, pair: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # `run --engine ray --ray-address ray://...` that could not reach the cluster left an empty output folder
    from parallel import engines
    from parallel.errors import ParallelError

    def unreachable(*_a: object, **_k: object) -> object:
        raise ParallelError("cannot start or reach Ray (ray://127.0.0.1:1): connection refused")

    monkeypatch.setattr(engines, "get_engine", unreachable)
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"name\tsrc\ttgt\na\t{pair[0]}\t{pair[1]}\n", encoding="utf-8")
    out = tmp_path / "new" / "out"
    code, _, err = invoke("run", str(manifest), "-o", str(out))
    assert code == 1 and "cannot start or reach Ray" in one_error(err)
    assert not out.exists()
    kept = tmp_path / "kept"  # a folder that was there before is left as it was
    kept.mkdir()
    assert invoke("run", str(manifest), "-o", str(kept))[0] == 1 and kept.is_dir()


def test_filter_keep_empty_makes_up_no_unmatched_sentences(tmp_path: Path) -> None:
    # a comparable export written without --keep-empty holds the links only; filter --keep-empty
    # wrote one "unmatched" record with empty text on both sides for every id below the highest it
    # saw (blank training pairs), instead of the document's real unmatched sentences
    root = Path(__file__).resolve().parents[1] / "corpus"
    ar, en = root / "covid-cooperation.ar.txt", root / "covid-cooperation.en.txt"
    links_only, full = tmp_path / "c.jsonl", tmp_path / "k.jsonl"
    for out, extra in ((links_only, []), (full, ["--keep-empty"])):
        code, _, err = invoke("align", str(ar), str(en), "--mode", "comparable", "-m", "use-m3", "--no-cache",
                              "-q", "-o", str(out), *extra)
        assert code == 0, err
    n_links = len(links_only.read_text(encoding="utf-8").splitlines())
    code, _, err = invoke("filter", str(links_only), "--keep-empty", "-o", str(tmp_path / "c0.jsonl"))
    assert code == 0 and "does not hold the texts of" in err, err
    rows = [json.loads(x) for x in (tmp_path / "c0.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n_links and not any(r["unmatched"] for r in rows)
    code, _, err = invoke("filter", str(links_only), "--keep-empty", "-f", "moses", "-o", str(tmp_path / "m"), "-q")
    assert code == 0, err
    assert "" not in (tmp_path / "m.ar-en.en").read_text(encoding="utf-8").splitlines()
    # from a file that lists them, every unmatched sentence comes through, with its text
    code, _, err = invoke("filter", str(full), "--keep-empty", "-o", str(tmp_path / "k0.jsonl"), "-q")
    assert code == 0, err
    before = [json.loads(x) for x in full.read_text(encoding="utf-8").splitlines()]
    after = [json.loads(x) for x in (tmp_path / "k0.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(after) == len(before) > n_links
    assert all(r["translation"]["ar"] or r["translation"]["en"] for r in after)


def test_a_run_of_pairs_made_differently_keeps_each_pairs_signature(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # run's _all.tsv had no .sig (every pair read as parallel), and a mixed _all.jsonl filtered to
    # TSV or TMX and back gave every record the whole list of signatures, parallel first: the
    # comparable pair's unmatched sentences came back as 1-0/0-1 links
    root = Path(__file__).resolve().parents[1] / "corpus"
    manifest = tmp_path / "m.tsv"
    manifest.write_text("name\tsrc\ttgt\tmode\tpresplit\n"
                        f"news\t{pair[0]}\t{pair[1]}\tparallel\ttrue\n"
                        f"covid\t{root / 'covid-cooperation.ar.txt'}\t{root / 'covid-cooperation.en.txt'}"
                        "\tcomparable\tfalse\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = invoke("run", str(manifest), "-o", str(out), "-q", "-m", "use-m3")
    assert code == 0, err
    sig = (out / "_all.tsv.sig").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in sig] == ["news", "covid"]
    assert "mode:parallel" in sig[0] and "mode:comparable" in sig[1]

    def modes(path: Path) -> dict[str, str]:
        got: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            assert "\n" not in rec["signature"], rec["signature"]
            got.setdefault(rec["pair"], rec["signature"].split("|mode:")[1].split("|")[0])
        return got

    want = {"news": "parallel", "covid": "comparable"}
    code, _, err = invoke("filter", str(out / "_all.tsv"), "-q", "-o", str(tmp_path / "a.jsonl"))
    assert code == 0, err
    assert modes(tmp_path / "a.jsonl") == want
    for fmt in ("tsv", "tmx"):
        code, _, err = invoke("filter", str(out / "_all.jsonl"), "--keep-empty", "-q", "-o", str(tmp_path / f"b.{fmt}"))
        assert code == 0, err
        code, _, err = invoke("filter", str(tmp_path / f"b.{fmt}"), "--keep-empty", "-q", "-o", str(tmp_path / "c.jsonl"))
        assert code == 0, err
        assert modes(tmp_path / "c.jsonl") == want
        assert (tmp_path / "c.jsonl").read_text(encoding="utf-8").count('"unmatched": true') == \
            (out / "_all.jsonl").read_text(encoding="utf-8").count('"unmatched": true')


def test_headerless_tsv_with_pair_or_origin_columns_reads_back(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # mine --no-header (two origin columns) and run's _all.tsv filtered --no-header (a pair column)
    # were refused by filter and mt-eval: "27 tab-separated fields, expected 5 or 25"
    mined = tmp_path / "m.tsv"
    code, _, err = invoke("mine", str(pair[0]), str(pair[1]), "-m", "use-m3", "-q", "--no-header", "-o", str(mined))
    assert code == 0, err
    with_header = tmp_path / "h.tsv"
    code, _, err = invoke("mine", str(pair[0]), str(pair[1]), "-m", "use-m3", "-q", "-o", str(with_header))
    assert code == 0, err
    code, _, err = invoke("filter", str(mined), "-q", "-o", str(tmp_path / "m.jsonl"))
    assert code == 0, err
    code, _, err = invoke("filter", str(with_header), "-q", "-o", str(tmp_path / "h.jsonl"))
    assert code == 0, err
    assert (tmp_path / "m.jsonl").read_bytes() == (tmp_path / "h.jsonl").read_bytes()
    hyp = tmp_path / "hyp.en"
    hyp.write_text("".join(line.split("\t")[3] + "\n" for line in mined.read_text(encoding="utf-8").splitlines()),
                   encoding="utf-8")
    code, out, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(mined))
    assert code == 0 and "BLEU" in out + err, err
    manifest = tmp_path / "man.tsv"
    manifest.write_text(f"name\tsrc\ttgt\tmode\tpresplit\nnews\t{pair[0]}\t{pair[1]}\tparallel\ttrue\n", encoding="utf-8")
    code, _, err = invoke("run", str(manifest), "-o", str(tmp_path / "out"), "-q", "-m", "use-m3")
    assert code == 0, err
    bare = tmp_path / "all.tsv"
    code, _, err = invoke("filter", str(tmp_path / "out" / "_all.tsv"), "--no-header", "-q", "-o", str(bare))
    assert code == 0, err
    assert bare.read_text(encoding="utf-8").startswith("news\t0\t0\t")
    code, _, err = invoke("filter", str(bare), "-q", "-o", str(tmp_path / "all.jsonl"))
    assert code == 0, err
    recs = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["pair"] for r in recs] == ["news"] * 3 and recs[0]["src_ids"] == [0]


def test_untranslated_copies_are_said_and_can_be_dropped(tmp_path: Path) -> None:
    # English lines on the Arabic side (crawl boilerplate) were mined with their identical English
    # twins at p ~1 and labelled Arabic in every format, without a word
    ar, en = tmp_path / "c.ar", tmp_path / "c.en"
    copied = "Click here to subscribe to our newsletter for the latest updates.\n"
    ar.write_text(AR + copied, encoding="utf-8")
    en.write_text(copied + EN, encoding="utf-8")
    mined = tmp_path / "m.tsv"
    code, _, err = invoke("mine", str(ar), str(en), "-m", "use-m3", "-o", str(mined))
    assert code == 0 and "note: 1 of them have the same text on both sides" in err, err
    rows = [line.split("\t") for line in mined.read_text(encoding="utf-8").splitlines()[1:]]
    assert any(r[2] == r[3] for r in rows)
    code, _, err = invoke("filter", str(mined), "--drop-copies", "-o", str(tmp_path / "clean.tsv"), "-q")
    assert code == 0, err
    kept = [line.split("\t") for line in (tmp_path / "clean.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert len(kept) == len(rows) - 1 and not any(r[2] == r[3] for r in kept)
    # a line of digits alone on both sides is no copy of a text
    from parallel.filters import is_copy

    assert is_copy("Hello  World", "hello world") and not is_copy("2019", "2019")
    code, _, err = invoke("filter", str(mined), "-f", "vecalign", "-o", str(tmp_path / "m.align"), "-q")
    assert code == 0, err
    code, _, err = invoke("filter", str(tmp_path / "m.align"), "--drop-copies", "-o", str(tmp_path / "x.align"))
    assert code == 2 and "--drop-copies read the texts" in one_error(err)


def test_an_undetectable_language_names_the_option_of_the_command_used(tmp_path: Path,
                                                                        pair: tuple[Path, Path]) -> None:
    """segment has --lang, not --src-lang/--tgt-lang, and said to pass the latter; align names the
    side's own option; the API names its parameter."""
    from parallel.api import align
    from parallel.errors import InputError

    digits = tmp_path / "n.txt"
    digits.write_text("12345 678.\n", encoding="utf-8")
    code, _, err = invoke("segment", str(digits))
    assert code == 2 and one_error(err).endswith("cannot tell its language; pass it with --lang")
    code, _, err = invoke("align", str(digits), str(pair[1]))
    assert code == 2 and one_error(err).endswith("pass it with --src-lang")
    code, _, err = invoke("align", str(pair[0]), str(digits))
    assert code == 2 and one_error(err).endswith("pass it with --tgt-lang")
    with pytest.raises(InputError, match="pass it with tgt_lang="):
        align(AR, "12345 678.")


class Nameless:
    def encode(self, texts: list[str], **_: object) -> object:
        import numpy as np

        return np.ones((len(texts), 4), dtype=np.float32)


class WidthBySide:
    """A 4-wide vector for the first call (the source), 3-wide after."""

    name = "width-by-side"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], **_: object) -> object:
        import numpy as np

        self.calls += 1
        return np.ones((len(texts), 4 if self.calls == 1 else 3), dtype=np.float32)


def test_the_api_says_what_is_wrong_with_an_encoder_or_a_path(tmp_path: Path) -> None:
    """An encoder without .name failed with AttributeError after the work, one whose sides differ
    in width with numpy's matmul message, and al.export(5) with a bare TypeError."""
    import parallel
    from parallel.errors import InputError, ModelError

    with pytest.raises(InputError, match="an encoder needs a name"):
        parallel.align(AR, EN, src_lang="ar", tgt_lang="en", model=Nameless())  # type: ignore[arg-type]
    for mode in ("comparable", "parallel", "auto"):
        with pytest.raises(ModelError, match="source's vectors have 4 dimensions and the target's 3"):
            parallel.align(AR, EN, src_lang="ar", tgt_lang="en", mode=mode, model=WidthBySide())  # type: ignore[arg-type]
    al = parallel.align(AR, EN, src_lang="ar", tgt_lang="en", mode="parallel", model="use-m3")
    for bad, got in ((5, "not int"), (None, "not NoneType"), ("", "not an empty name")):
        with pytest.raises(InputError, match=f"export: a file path .* is needed, {got}"):
            al.export(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="report: a file path"):
        al.report(b"x.html")  # type: ignore[arg-type]
    al.export(tmp_path / "ok.tsv")
    assert (tmp_path / "ok.tsv").read_text(encoding="utf-8").startswith("src_ids\t")


def test_eval_reads_run_s_tsv_filtered_without_header_by_its_pair_column(tmp_path: Path, shared_bench: Path) -> None:
    """run's _all.tsv through filter --no-header opens with the pair column: eval read the pair
    name as the source ids and scored garbage with exit 0 (F1 0.09 for numeric names), and a
    file of two pairs was refused as not joining pairs."""
    merged = shared_bench / "derived" / "ntrex128_ar_en" / "merged"
    manifest = tmp_path / "m.tsv"
    manifest.write_text("name\tsrc\ttgt\tpresplit\tmode\n" + "".join(
        f"{n}\t{merged / (n + '.ar')}\t{merged / (n + '.en')}\tyes\tparallel\n" for n in ("05", "07")), encoding="utf-8")
    code, _, err = invoke("run", str(manifest), "-o", str(tmp_path / "out"), "-q")
    assert code == 0, err
    bare = tmp_path / "bare.tsv"
    code, _, err = invoke("filter", str(tmp_path / "out" / "_all.tsv"), "--no-header", "-q", "-o", str(bare))
    assert code == 0, err
    assert bare.read_text(encoding="utf-8").startswith("05\t")
    gold = tmp_path / "gold"
    gold.mkdir()
    for n in ("05", "07"):
        (gold / f"{n}.gold.align").write_bytes((merged / f"{n}.gold.align").read_bytes())
    results = []
    for pred in (tmp_path / "out" / "_all.tsv", bare):
        code, out, err = invoke("eval", str(pred), str(gold), "--gold-glob", "*.gold.align", "--json")
        assert code == 0, err
        results.append(json.loads(out))
    assert results[0] == results[1] and results[0]["documents"] == 2
    assert results[0]["strict"]["f1"] > 0.9
    one = tmp_path / "one.tsv"
    one.write_text("".join(x + "\n" for x in bare.read_text(encoding="utf-8").splitlines() if x.startswith("05\t")),
                   encoding="utf-8")
    code, out, err = invoke("eval", str(one), str(gold / "05.gold.align"), "--json")
    assert code == 0, err
    assert json.loads(out)["strict"]["f1"] > 0.9


def test_a_parallel_file_converted_without_its_null_links_is_not_scored_as_complete(
        tmp_path: Path, shared_bench: Path) -> None:
    """A default TSV export (no 1-0/0-1 links) converted by filter to Vecalign or JSON was scored
    without a word, its left-out sentences neither counted nor said (strict F1 0.857 against the
    .align's 0.800); eval warned only for tsv/jsonl/tmx files."""
    par = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    ar, en = tmp_path / "d.ar", tmp_path / "d.en"
    ar.write_bytes((par / "05.ar").read_bytes())
    lines = (par / "05.en").read_text(encoding="utf-8").splitlines(keepends=True)
    en.write_text("".join(x for k, x in enumerate(lines) if k not in (3, 8)), encoding="utf-8")
    gold = tmp_path / "d.gold.align"
    gold.write_text("[0]:[0]\n[1]:[1]\n[2]:[2]\n[3, 4]:[3]\n[5]:[4]\n[6]:[5]\n[7]:[6]\n[8, 9]:[7]\n[10]:[8]\n"
                    "[11]:[9]\n[12]:[10]\n[13]:[11]\n[14]:[12]\n[15]:[13]\n", encoding="utf-8")
    tsv = tmp_path / "d.tsv"
    code, _, err = invoke("align", str(ar), str(en), "--presplit", "--mode", "parallel", "-o", str(tsv), "-q")
    assert code == 0, err
    results = {}
    for fmt in ("tsv", "vecalign", "json"):
        pred = tsv if fmt == "tsv" else tmp_path / f"from_tsv.{'align' if fmt == 'vecalign' else 'json'}"
        if fmt != "tsv":
            code, _, err = invoke("filter", str(tsv), "-f", fmt, "-o", str(pred), "-q")
            assert code == 0, err
        code, out, err = invoke("eval", str(pred), str(gold), "--json")
        assert code == 0, err
        assert "PRED has no 1-0/0-1 links and leaves" in err, (fmt, err)
        results[fmt] = json.loads(out)
        assert results[fmt]["null_policy_in_effect"] == "drop" and results[fmt]["sentences_in_no_link"] > 0
    assert results["tsv"]["strict"] == results["vecalign"]["strict"] == results["json"]["strict"]


def test_a_reviewed_export_without_its_null_links_is_still_said(tmp_path: Path, shared_bench: Path) -> None:
    """Once a reviewer rejected a link, eval scores its sentences as 1-0 / 0-1 links; those hid
    that a default tsv/jsonl/tmx export had lost the alignment's own 1-0 / 0-1 links, and the file
    was scored as --null-policy drop without a word (strict F1 0.865 against the .json's 0.842).
    An export written with --keep-empty, and the .json, get no warning."""
    from parallel.review.store import ReviewStore

    merged = shared_bench / "derived" / "ntrex128_ar_en" / "merged"
    gold = merged / "01.gold.align"
    aligned = tmp_path / "d.json"
    code, _, err = invoke("align", str(merged / "01.ar"), str(merged / "01.en"), "--presplit", "-o", str(aligned), "-q")
    assert code == 0, err
    links = json.loads(aligned.read_text(encoding="utf-8"))["links"]
    assert any(not (k["src"] and k["tgt"]) for k in links)  # the alignment has a 1-0 / 0-1 link
    ReviewStore(aligned).apply("status", {"link": 0, "status": "rejected"})
    code, out, err = invoke("eval", str(aligned), str(gold), "--json")
    assert code == 0 and "PRED has no 1-0/0-1 links" not in err, err
    native = json.loads(out)["strict"]
    for fmt in ("tsv", "jsonl", "tmx"):
        for keep in (False, True):
            path = tmp_path / f"d{'-kept' if keep else ''}.{fmt}"
            code, _, err = invoke("filter", str(aligned), "-o", str(path), "-q", *(["--keep-empty"] if keep else []))
            assert code == 0, err
            code, out, err = invoke("eval", str(path), str(gold), "--json")
            assert code == 0, err
            assert ("PRED has no 1-0/0-1 links and leaves 1 sentence(s)" in err) != keep, (fmt, keep, err)
            assert (json.loads(out)["strict"] == native) == keep, (fmt, keep)


def test_filter_makes_the_native_json_of_what_its_filters_keep(tmp_path: Path, shared_bench: Path) -> None:
    """filter --link-types 1-1 -f json was refused for a 1-2 link the filter itself removes; the
    sentences a removed link held several of (their split back from the joined text a guess) are
    unknown ("") in the JSON, and every kept link's sentences are there as the TSV had them."""
    merged = shared_bench / "derived" / "ntrex128_ar_en" / "merged"
    tsv, out = tmp_path / "m.tsv", tmp_path / "m11.json"
    code, _, err = invoke("align", str(merged / "00.ar"), str(merged / "00.en"), "--presplit", "-o", str(tsv), "-q")
    assert code == 0, err
    rows = [x.split("\t") for x in tsv.read_text(encoding="utf-8").splitlines()[1:]]
    assert any("," in r[1] for r in rows)
    code, _, err = invoke("filter", str(tsv), "--link-types", "1-1", "-f", "json", "-o", str(out), "-q")
    assert code == 0, err
    from parallel.readers import read_pairs

    al = read_pairs(str(out), "json")
    assert all(len(k.src) == 1 and len(k.tgt) == 1 for k in al.links)
    kept = {(int(r[0]), int(r[1])): (r[2], r[3]) for r in rows if "," not in r[0] + r[1]}
    assert {(k.src[0], k.tgt[0]) for k in al.links} == set(kept)
    for (i, j), (s, t) in kept.items():
        assert (al.src.segments[i].text, al.tgt.segments[j].text) == (s, t)
    for r in rows:
        if "," in r[1]:
            assert all(al.tgt.segments[int(j)].text == "" for j in r[1].split(","))
    code, _, err = invoke("filter", str(tsv), "-f", "json", "-o", str(tmp_path / "all.json"), "-q")
    assert code == 2 and "has several sentences on a side" in one_error(err)


def test_a_vecalign_file_without_its_sig_is_said_to_be_read_as_parallel(tmp_path: Path) -> None:
    """docs/schema.md promises a note from filter and eval for a TSV or Vecalign file without its
    .sig that has entries with an empty side; only the TSV got it, and a comparable Vecalign file
    copied alone was scored as a parallel one (P 0.18) in silence."""
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    ar, en = corpus / "covid-cooperation.ar.txt", corpus / "covid-cooperation.en.txt"
    native, bare = tmp_path / "c.json", tmp_path / "c.align"
    for out, extra in ((native, ["-f", "json"]), (bare, ["-f", "vecalign", "--no-sig"])):
        code, _, err = invoke("align", str(ar), str(en), "--mode", "comparable", "--min-p", "0.1", "-q",
                              "-o", str(out), *extra)
        assert code == 0, err
    assert not Path(f"{bare}.sig").exists() and "[]" in bare.read_text(encoding="utf-8")
    code, _, err = invoke("eval", str(bare), str(native))
    assert code == 0 and f"note: {bare} has no signature" in err and "if it is comparable" in err, err
    code, _, err = invoke("filter", str(bare), "-o", str(tmp_path / "again.align"))
    assert code == 0 and f"note: {bare} has no signature" in err, err
    # links in order, as other tools write Vecalign files (no .sig): nothing to say
    plain, gold = tmp_path / "p.align", tmp_path / "g.align"
    plain.write_text("[0]:[0]\n[1]:[]\n[2]:[1, 2]\n", encoding="utf-8")
    gold.write_text("[0]:[0]\n[1]:[]\n[2]:[1, 2]\n", encoding="utf-8")
    code, _, err = invoke("eval", str(plain), str(gold))
    assert code == 0 and "note" not in err, err


def test_a_presplit_alignment_reads_back_from_json_with_the_text_every_export_wrote(tmp_path: Path) -> None:
    # stop 36: presplit kept each line's whole span, so the native JSON gave back the BOM and the
    # spaces around a line, and filter/report/review/grep read those (Moses via JSON != Moses direct)
    de, fr = tmp_path / "a.de", tmp_path / "a.fr"
    de.write_text("Der Vertrag wurde gestern unterzeichnet. \n\ufeffDas Wetter war schön.  \n"
                  "Wir gingen nach Hause.\n", encoding="utf-8")
    fr.write_text("Le traité a été signé hier.\nLe temps était beau.\nNous sommes rentrés.\n", encoding="utf-8")
    base = ("align", str(de), str(fr), "--presplit", "--mode", "parallel", "-q")
    assert invoke(*base, "-f", "moses", "-o", str(tmp_path / "direct"))[0] == 0
    assert invoke(*base, "-f", "json", "-o", str(tmp_path / "a.json"))[0] == 0
    assert invoke("filter", str(tmp_path / "a.json"), "-f", "moses", "-o", str(tmp_path / "via"), "-q")[0] == 0
    direct = (tmp_path / "direct.de-fr.de").read_text(encoding="utf-8")
    assert direct.splitlines()[0] == "Der Vertrag wurde gestern unterzeichnet."
    assert (tmp_path / "via.de-fr.de").read_text(encoding="utf-8") == direct


@pytest.mark.parametrize("ids", ['"12"', "[0.5]", "[true]", "[-1]", '{"0": 1}'])
def test_jsonl_ids_that_are_not_sentence_numbers_are_refused(tmp_path: Path, ids: str) -> None:
    # stop 36: int() read "12" as [1, 2], 0.5 as 0 and true as 1
    src = tmp_path / "s.jsonl"
    src.write_text('{"translation": {"ar": "x", "en": "y"}, "src_ids": ' + ids + ', "tgt_ids": [0]}\n',
                   encoding="utf-8")
    code, _, err = invoke("filter", str(src), "-o", str(tmp_path / "s.tsv"), "-q")
    assert code == 2 and '"src_ids" must be a list of sentence numbers' in one_error(err)
    assert not (tmp_path / "s.tsv").exists()


def test_jsonl_of_two_directions_is_refused_not_read_with_swapped_texts(tmp_path: Path) -> None:
    # stop 36: the first record's languages were taken for every record, so an en-ar record's
    # English went out as Arabic against its own ids
    src = tmp_path / "mix.jsonl"
    src.write_text('{"translation": {"ar": "س", "en": "a"}, "src_ids": [0], "tgt_ids": [0]}\n'
                   '{"translation": {"en": "b", "ar": "ص"}, "src_ids": [1], "tgt_ids": [1]}\n', encoding="utf-8")
    code, _, err = invoke("filter", str(src), "-o", str(tmp_path / "m.tsv"), "-q")
    assert code == 2 and "one language direction per file" in one_error(err)
    # without ids a record's key order says nothing: read by language
    src.write_text('{"translation": {"ar": "س", "en": "a"}}\n{"translation": {"en": "b", "ar": "ص"}}\n',
                   encoding="utf-8")
    assert invoke("filter", str(src), "-f", "moses", "-o", str(tmp_path / "m"), "-q")[0] == 0
    assert (tmp_path / "m.ar-en.ar").read_text(encoding="utf-8") == "س\nص\n"


def test_a_threshold_keeps_the_same_links_from_every_export(tmp_path: Path, shared_bench: Path) -> None:
    # stop 36: the TSV writes 4 decimals, JSON/JSONL/TMX 6, so --min-cosine 0.634 kept a link of
    # cosine 0.633989 from the TSV (0.6340) and dropped it from the others
    tb = shared_bench / "textberg_defr"
    kept = set()
    for fmt in ("tsv", "jsonl", "tmx", "json"):
        out = tmp_path / f"tb.{fmt}"
        assert invoke("align", str(tb / "test0.de"), str(tb / "test0.fr"), "--presplit", "-f", fmt, "-o", str(out),
                      "-q")[0] == 0
        rows = []
        for flt in (("--min-cosine", "0.634"), ("--min-length-ratio", "0.9", "--max-length-ratio", "1.1"),
                    ("--min-score", "0.5")):
            code, stdout, _ = invoke("filter", str(out), *flt, "-o", "-", "-f", "tsv", "--no-header", "-q")
            assert code == 0
            rows.append(tuple(line.split("\t")[0] + ":" + line.split("\t")[1] for line in stdout.splitlines()))
        kept.add(tuple(rows))
    assert len(kept) == 1


def test_a_stale_signature_that_is_an_input_is_not_removed(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # stop 36: writing without a signature removes an earlier export's .sig, and that removal
    # passed the input guard: `filter train.ar-en.ar -f tsv -o train.ar-en --no-sig` deleted the
    # Moses corpus's own train.ar-en.sig with exit 0
    ar, en = pair
    train = tmp_path / "train"
    assert invoke("align", str(ar), str(en), "-f", "moses", "-o", str(train), "-q")[0] == 0
    sig = tmp_path / "train.ar-en.sig"
    before = sig.read_bytes()
    code, _, err = invoke("filter", str(tmp_path / "train.ar-en.ar"), "-f", "tsv", "-o", str(tmp_path / "train.ar-en"),
                          "--no-sig", "-q")
    assert code == 2 and "would remove it" in one_error(err)
    assert sig.read_bytes() == before and not (tmp_path / "train.ar-en").exists()
    # a TSV written without its .sig next to a .sig that is the input
    tsv = tmp_path / "q.tsv"
    assert invoke("align", str(ar), str(en), "-o", str(tsv), "-q")[0] == 0
    sig = tmp_path / "q.tsv.sig"
    before = sig.read_bytes()
    code, _, err = invoke("filter", str(sig), "--from", "tsv", "-o", str(tsv), "--no-sig", "-q")
    assert code == 2 and sig.read_bytes() == before


def test_eval_refuses_a_tsv_cut_off_in_the_middle_of_a_row(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # stop 36: the last row "10<TAB>1" of a TSV cut mid-row was scored as link [10]:[1], exit 0,
    # where filter and mt-eval refuse the same file
    ar, en = pair
    tsv, gold = tmp_path / "p.tsv", tmp_path / "p.align"
    assert invoke("align", str(ar), str(en), "--mode", "parallel", "-o", str(tsv), "-q")[0] == 0
    assert invoke("align", str(ar), str(en), "--mode", "parallel", "-o", str(gold), "-q")[0] == 0
    lines = tsv.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / "cut.tsv"
    cut.write_text("\n".join(lines[:-2]) + "\n" + "\t".join(lines[-2].split("\t")[:2])[:-1], encoding="utf-8")
    (tmp_path / "cut.tsv.sig").write_bytes((tmp_path / "p.tsv.sig").read_bytes())
    code, _, err = invoke("eval", str(cut), str(gold))
    assert code == 2 and "tab-separated fields, expected" in one_error(err)
    assert invoke("eval", str(tsv), str(gold))[0] == 0
    # headerless: a row narrower than the rows before it
    body = [line for line in lines[1:] if line]
    (tmp_path / "nohead.tsv").write_text("\n".join(body[:-1]) + "\n" + "\t".join(body[-1].split("\t")[:2]) + "\n",
                                         encoding="utf-8")
    code, _, err = invoke("eval", str(tmp_path / "nohead.tsv"), str(gold))
    assert code == 2 and "as the rows before it" in one_error(err)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "json"])
def test_pairs_are_not_written_under_the_reports_name(tmp_path: Path, pair: tuple[Path, Path], fmt: str) -> None:
    # stop 36: `-o out.html -f tsv` wrote TSV into out.html (a broken page), where `-o out.tsv -f json`
    # was refused; the name says the report, so -f contradicting it is refused before any work
    ar, en = pair
    out = tmp_path / "out.html"
    code, _, err = invoke("align", str(ar), str(en), "-o", str(out), "-f", fmt, "-q")
    assert code == 2 and "the name says the HTML report" in one_error(err)
    assert not out.exists()
    assert invoke("align", str(ar), str(en), "-o", str(out), "-q")[0] == 0  # no -f: the report
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(mode="weird"), '"mode" must be parallel or comparable'),
    (lambda d: d["links"][0].setdefault("features", {}).update(p=7), "a probability (0 to 1) expected"),
    (lambda d: d["links"][0].setdefault("features", {}).update(status="maybe"), "accepted or rejected expected"),
])
def test_values_a_native_json_cannot_hold_are_refused(tmp_path: Path, pair: tuple[Path, Path], change: object,
                                                       message: str) -> None:
    # stop 36: a mode of "weird", p 7 and status "maybe" were read in silence (filter --status
    # accepted then dropped the "maybe" link, --min-p kept p 7 whatever the bar)
    ar, en = pair
    src = tmp_path / "a.json"
    assert invoke("align", str(ar), str(en), "--mode", "parallel", "-f", "json", "-o", str(src), "-q")[0] == 0
    doc = json.loads(src.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = invoke("filter", str(src), "-o", str(tmp_path / "b.tsv"), "-q")
    assert code == 2 and message in one_error(err)


@pytest.mark.parametrize("ext", ["tsv", "jsonl"])
def test_filter_of_a_keep_empty_export_says_what_it_leaves_out(tmp_path: Path, ext: str) -> None:
    # stop 38: from a --keep-empty TSV/JSONL (2 pairs + 35 unmatched rows) filter wrote the 2 pairs
    # in silence ("removed 0 of 2"); from the native JSON it said what it left out
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    ar, en = corpus / "covid-cooperation.ar.txt", corpus / "covid-cooperation.en.txt"
    full, bare = tmp_path / f"k.{ext}", tmp_path / f"n.{ext}"
    for out, extra in ((full, ["--keep-empty"]), (bare, [])):
        code, _, err = invoke("align", str(ar), str(en), "-q", "-o", str(out), *extra)
        assert code == 0, err
    code, _, err = invoke("filter", str(full), "-o", str(tmp_path / f"f.{ext}"))
    import re

    assert code == 0 and re.search(r"note: [1-9]\d* ar \+ [1-9]\d* en unmatched sentences are not in the", err), err
    code, _, err = invoke("filter", str(full), "--keep-empty", "-o", str(tmp_path / f"g.{ext}"))
    assert code == 0 and "unmatched sentences are not" not in err, err
    assert (tmp_path / f"g.{ext}").read_text(encoding="utf-8").count("\n") >= 37
    code, _, err = invoke("filter", str(bare), "-o", str(tmp_path / f"h.{ext}"))  # said when it was written
    assert code == 0 and "unmatched sentences are not" not in err, err
    # stop 48: the sentences of the pairs a filter removed were counted as unmatched sentences
    code, _, err = invoke("filter", str(bare), "--min-p", "0.99", "-o", str(tmp_path / f"i.{ext}"))
    assert code == 0 and re.search(r"note: [1-9]\d* ar \+ [1-9]\d* en unmatched sentences \(all of them from the "
                                   r"pairs the filters removed, not sentences the text left unmatched\)", err), err
    code, _, err = invoke("filter", str(full), "--min-p", "0.99", "-o", str(tmp_path / f"j.{ext}"))
    assert code == 0 and re.search(r"unmatched sentences \(3 \+ 2 of them from the pairs the filters removed", err), err


def test_lines_ended_by_a_carriage_return_alone_are_lines(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    # a file saved with classic Mac line ends (CR alone) was one line everywhere but the segmenter:
    # a TSV of 3 pairs read as a header and no pair (filter and eval exit 0 on nothing), a --presplit
    # side as one sentence, a manifest an "internal error" from the csv module
    def cr(path: Path) -> Path:
        out = path.with_name("cr-" + path.name)
        out.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
        return out

    lf = tmp_path / "p.tsv"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--mode", "parallel", "-q", "-o", str(lf))[0] == 0
    code, out, _ = invoke("filter", str(cr(lf)), "-q", "-f", "jsonl")
    assert code == 0 and len(out.splitlines()) == 3
    code, out_lf, _ = invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--mode", "parallel", "-q",
                             "-f", "vecalign")
    code_cr, out_cr, _ = invoke("align", str(cr(pair[0])), str(cr(pair[1])), "--presplit", "--mode", "parallel",
                                "-q", "-f", "vecalign")
    assert code == code_cr == 0 and out_cr == out_lf and out_lf.count("\n") == 3
    manifest = tmp_path / "m.tsv"
    manifest.write_bytes(f"name\tsrc\ttgt\rd\t{pair[0].name}\t{pair[1].name}\r".encode())
    from parallel.corpus import read_manifest

    assert [(e.name, Path(e.src).name) for e in read_manifest(manifest)] == [("d", "d.ar")]
    # a line feed anywhere keeps the line feed as the only line end (a stray CR stays text)
    from parallel.io import decode_text

    assert decode_text(b"a\rb\nc\n", "x") == "a\rb\nc\n"


@pytest.mark.parametrize(("field", "value", "why"), [
    ("p", '"high"', "'p': a number expected, got 'high'"),
    ("cosine", '"x"', "'cosine': a number expected, got 'x'"),
    ("status", "5", "'status': text expected, got 5"),
])
def test_a_jsonl_field_of_the_wrong_type_is_refused_in_one_line(tmp_path: Path, pair: tuple[Path, Path],
                                                               field: str, value: str, why: str) -> None:
    # "p": "high" was an internal error half-way through the output (the TSV header already on
    # stdout); "status": 5 went through filter into a native JSON that report then refused
    good = tmp_path / "good.jsonl"
    assert invoke("align", str(pair[0]), str(pair[1]), "--presplit", "--mode", "parallel", "-q", "-o", str(good))[0] == 0
    rec = json.loads(good.read_text(encoding="utf-8").splitlines()[0])
    rec[field] = json.loads(value)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = invoke("filter", str(bad), "-f", "tsv")
    assert code == 2 and out == "" and one_error(err).endswith(f"bad.jsonl: line 1: {why}")


def test_json_nested_too_deeply_is_refused_in_one_line(tmp_path: Path) -> None:
    # a RecursionError from the JSON parser was an "internal error" (exit 1) in filter, report,
    # grep and eval, and a bare RecursionError from parallel.readers.read_pairs
    deep = "[" * 100_000 + "]" * 100_000
    native = tmp_path / "deep.json"
    native.write_text('{"format": "parallel-alignment", "x": ' + deep + "}", encoding="utf-8")
    lines = tmp_path / "deep.jsonl"
    lines.write_text(deep + "\n", encoding="utf-8")
    for args in (("filter", str(native)), ("report", str(native), "-o", str(tmp_path / "r.html")),
                 ("grep", "x", str(native)), ("filter", str(lines))):
        code, _, err = invoke(*args)
        assert code == 2 and "nested too deeply" in one_error(err), args
    from parallel.errors import InputError
    from parallel.readers import read_pairs

    with pytest.raises(InputError, match="line 1: JSON nested too deeply"):
        read_pairs(lines)
    assert not (tmp_path / "r.html").exists()


def test_a_vecalign_file_is_held_to_what_the_native_json_holds(tmp_path: Path) -> None:
    # filter read "[]:[]" and a sentence in two links, and wrote both back (exit 0)
    for body, why in (("[]:[]:0.1\n[0]:[0]:0.1\n", "line 1: no sentence on either side"),
                      ("[0]:[0]:0.1\n[0]:[1]:0.2\n", "line 2: source sentence 0 is in an earlier link too"),
                      ("[0]:[0]\n[1]:[1, 1]\n", "line 2: target sentence 1 is twice in this link")):
        bad = tmp_path / "bad.align"
        bad.write_text(body, encoding="utf-8")
        code, out, err = invoke("filter", str(bad))
        assert code == 2 and out == "" and why in one_error(err), body


@pytest.mark.parametrize(("text", "kind"), [('["x"]', "array"), ('{"a": 1}', "object"), ("true", "boolean"),
                                            ("3.5", "number")])
def test_a_jsonl_text_that_is_not_a_string_is_refused(tmp_path: Path, text: str, kind: str) -> None:
    # stop 46: str() wrote a JSON array, object or boolean out as its Python form ("['x']", "True")
    src = tmp_path / "t.jsonl"
    src.write_text('{"translation": {"ar": "مرحبا", "en": "Hello"}}\n{"translation": {"ar": "شكرا", "en": '
                   + text + "}}\n", encoding="utf-8")
    code, _, err = invoke("filter", str(src), "-f", "moses", "-o", str(tmp_path / "t"), "-q")
    assert code == 2 and f"line 2: the 'en' text is a JSON {kind}, not a string" in one_error(err)
    assert not list(tmp_path.glob("t.ar-en.*"))


def test_a_jsonl_null_text_is_an_empty_side(tmp_path: Path) -> None:
    # stop 46: a dump's null for a missing translation became the sentence "None"
    src = tmp_path / "t.jsonl"
    src.write_text('{"translation": {"ar": "مرحبا", "en": null}}\n{"translation": {"ar": "شكرا", "en": "Thanks"}}\n',
                   encoding="utf-8")
    assert invoke("filter", str(src), "-f", "moses", "-o", str(tmp_path / "t"), "-q")[0] == 0
    assert (tmp_path / "t.ar-en.en").read_text(encoding="utf-8") == "Thanks\n"  # pairs only: no empty side
    code, out, _ = invoke("filter", str(src), "-f", "tsv", "--keep-empty", "--no-header", "-q")
    assert code == 0 and [row.split("\t")[2:4] for row in out.splitlines()] == [["مرحبا", ""], ["شكرا", "Thanks"]]
    assert "None" not in out



def test_eval_says_it_reads_files_not_streams(tmp_path: Path) -> None:
    # stop 46: "-" was "no such file or folder", and a pipe (<(...)) "must both be files or folders"
    gold = tmp_path / "g.align"
    gold.write_text("[0]:[0]\n[1]:[]\n[2]:[1]\n", encoding="utf-8")
    code, _, err = invoke("eval", "-", str(gold))
    assert code == 2 and "-: eval reads files and folders, not standard input or a pipe" in one_error(err)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # never opened: refused before it is read
    code, _, err = invoke("eval", str(gold), str(fifo))
    assert code == 2 and "pipe: eval reads files and folders, not standard input or a pipe" in one_error(err)


def test_pairs_mined_from_several_files_keep_their_own_texts(tmp_path: Path, shared_bench: Path) -> None:
    # stop 46: each file numbers its lines from 0, so two rows of `mine A/ E/` shared ids; filter
    # and mt-eval looked the texts up by id, and a row got the text of the first row with its id
    # (filter wrote other sentences under the same origins; mt-eval of the file's own English
    # against itself read BLEU 51)
    par = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    for side, lang in (("A", "ar"), ("E", "en")):
        (tmp_path / side).mkdir()
        for doc, name in (("00", "a"), ("01", "b")):
            lines = (par / f"{doc}.{lang}").read_text(encoding="utf-8").splitlines()[:3]
            (tmp_path / side / f"{name}.{lang}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    mined = tmp_path / "p.tsv"
    code, _, err = invoke("mine", str(tmp_path / "A"), str(tmp_path / "E"), "-m", "use-m3", "-o", str(mined), "-q")
    assert code == 0, err
    head, *rows = [r.split("\t") for r in mined.read_text(encoding="utf-8").splitlines()]
    assert len({(r[0], r[1]) for r in rows}) < len(rows)  # ids shared across files: the case at hand
    cols = [head.index(c) for c in ("src_ids", "tgt_ids", "src", "tgt", "src_origin", "tgt_origin")]
    for fmt in ("tsv", "jsonl", "tmx"):
        out = tmp_path / f"q.{fmt}"
        code, _, err = invoke("filter", str(mined), "-o", str(out), "-q")
        assert code == 0, err
        back = tmp_path / f"back-{fmt}.tsv"
        assert invoke("filter", str(out), "-o", str(back), "-q")[0] == 0
        b_head, *b_rows = [r.split("\t") for r in back.read_text(encoding="utf-8").splitlines()]
        b_cols = [b_head.index(c) for c in ("src_ids", "tgt_ids", "src", "tgt", "src_origin", "tgt_origin")]
        assert [[r[c] for c in b_cols] for r in b_rows] == [[r[c] for c in cols] for r in rows], fmt
    hyp = tmp_path / "hyp.en"
    hyp.write_text("".join(r[head.index("tgt")] + "\n" for r in rows), encoding="utf-8")
    code, out, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(mined), "--metrics", "bleu", "--json", "-q")
    assert code == 0, err
    assert json.loads(out)["scores"][0]["score"] == pytest.approx(100.0)


def test_mine_refuses_to_write_into_an_input_folder(tmp_path: Path, shared_bench: Path) -> None:
    # stop 46: --work inside an input folder was refused, -o not: the pairs written there were read
    # as target sentences by the next `mine` over that folder (39 of its 54 "pairs")
    par = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    for side, lang in (("ia", "ar"), ("ie", "en")):
        (tmp_path / side).mkdir()
        shutil.copy(par / f"00.{lang}", tmp_path / side / f"00.{lang}")
    for out, extra in ((tmp_path / "ie" / "pairs.tsv", []), (tmp_path / "ia" / "pairs", ["-f", "moses"])):
        code, _, err = invoke("mine", str(tmp_path / "ia"), str(tmp_path / "ie"), "-m", "use-m3", "-o", str(out),
                              *extra, "-q")
        assert code == 2 and "is inside the input folder" in one_error(err)
    assert sorted(p.name for p in (tmp_path / "ie").iterdir()) == ["00.en"]
    assert sorted(p.name for p in (tmp_path / "ia").iterdir()) == ["00.ar"]
    code, _, err = invoke("mine", str(tmp_path / "ia"), str(tmp_path / "ie"), "-m", "use-m3", "-o",
                          str(tmp_path / "pairs.tsv"), "-q")
    assert code == 0, err


def test_hints_that_lead_somewhere(tmp_path: Path, shared_bench: Path) -> None:
    # stop 46: a run pair of two English files said "set src_lang and tgt_lang in the manifest to
    # align two texts in one language", and doing so failed with "both sides are 'en' in the
    # manifest"; mine given a pipe said "/dev/fd/63: no such file or folder"
    par = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    shutil.copy(par / "00.en", tmp_path / "a.en")
    shutil.copy(par / "01.en", tmp_path / "b.en")
    (tmp_path / "m.tsv").write_text("name\tsrc\ttgt\nx\ta.en\tb.en\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(tmp_path / "m.tsv"), "-o", str(tmp_path / "out")])
    assert res.exit_code != 0
    assert "run aligns two languages" in res.stderr and "in one language with align" in res.stderr, res.stderr
    assert "in the manifest to align two texts in one language" not in res.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # never opened: refused before it is read
    code, _, err = invoke("mine", str(fifo), str(tmp_path / "a.en"), "-o", str(tmp_path / "p.tsv"))
    assert code == 2 and "pipe: not a regular file (a pipe?)" in one_error(err)


def test_a_sentence_left_unmatched_in_a_joined_file_keeps_its_pairs_id(tmp_path: Path) -> None:
    """filter --keep-empty of run's _all.tsv (or of pairs mined from several files) listed the
    sentences its bar left unmatched with the reader's internal ids (past every earlier pair's) and
    no pair: rows "12", "17" where the pair has 8 sentences. They keep their own pair's id and name,
    as the links do, and the output reads back to itself."""
    sig = "model:use-m3|mode:comparable|max:auto|seg:presplit|src:ar|tgt:en|v:0.1.0"
    head = "pair\tsrc_ids\ttgt_ids\tsrc\ttgt\tscore\tp\n"
    rows = ["a\t0\t1\tجملة أولى.\tFirst one.\t0.5\t0.99", "b\t0\t0\tجملة ثانية.\tSecond one.\t0.5\t0.99",
            "b\t2\t3\tجملة ثالثة.\tThird one.\t0.5\t0.60"]
    joined = tmp_path / "_all.tsv"
    joined.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    Path(f"{joined}.sig").write_text(f"a\t{sig}\nb\t{sig}\n", encoding="utf-8")
    out = tmp_path / "kept.tsv"
    code, _, err = invoke("filter", str(joined), "--min-p", "0.9", "--keep-empty", "-o", str(out), "-q")
    assert code == 0, err
    got = [line.split("\t")[:3] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert got == [["a", "0", "1"], ["b", "0", "0"], ["b", "2", ""], ["b", "", "3"]]
    again = tmp_path / "again.tsv"
    code, _, err = invoke("filter", str(out), "--keep-empty", "-o", str(again), "-q")
    assert code == 0 and again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8"), err
    # mt-eval --sentence names each pair by its entry in the file, its run pair and its own ids
    hyp = tmp_path / "hyp.en"
    hyp.write_text("First one.\nSecond one.\nThird one.\n", encoding="utf-8")
    code, text, err = invoke("mt-eval", "--hyp", str(hyp), "--ref", str(joined), "--sentence", "-q")
    assert code == 0, err
    table = [line.split("\t")[:4] for line in text.split("\n\n")[0].splitlines()]
    assert table == [["entry", "pair", "src_ids", "tgt_ids"], ["0", "a", "0", "1"], ["1", "b", "0", "0"],
                     ["2", "b", "2", "3"]]


def test_a_mined_pairs_file_made_native_json_numbers_its_links_as_review_grep_and_report_do(
        tmp_path: Path, shared_bench: Path) -> None:
    """Stop 49: `filter mined.tsv -f json` kept mine's order (most probable pair first); grep and the
    report numbered the links in that order, the review app in text order, so "link 46" of grep was
    another pair in review, and the first review edit rewrote the file in text order, renumbering
    every link grep had given. The native JSON filter writes is in text order now."""
    from parallel.readers import read_alignment
    from parallel.review.store import ReviewStore

    m = shared_bench / "derived" / "ntrex128_ar_en" / "mining"
    mined, native = tmp_path / "mined.tsv", tmp_path / "mined.json"
    assert invoke("mine", str(m / "all.ar"), str(m / "all.en"), "-q", "-o", str(mined))[0] == 0
    rows = [ln.split("\t") for ln in mined.read_text(encoding="utf-8").splitlines()[1:]]
    assert [r[:2] for r in rows] != sorted((r[:2] for r in rows), key=lambda r: (int(r[0]), int(r[1])))
    assert invoke("filter", str(mined), "-f", "json", "-o", str(native), "-q")[0] == 0
    code, out, _ = invoke("grep", "-f", "tsv", "Indonesia", str(native))
    assert code == 0
    before = [ln.split("\t")[0] for ln in out.splitlines()[1:]]
    links = read_alignment(native).links
    assert [(k.src, k.tgt) for k in links] == sorted((k.src, k.tgt) for k in links)
    ReviewStore(native).apply("status", {"link": 0, "status": "accepted"})
    code, out, _ = invoke("grep", "-f", "tsv", "Indonesia", str(native))
    assert code == 0 and [ln.split("\t")[0] for ln in out.splitlines()[1:]] == before


def test_an_arabic_variety_or_a_three_letter_code_is_processed_as_its_language(tmp_path: Path) -> None:
    """Stop 49: `--src-lang arz` (Egyptian Arabic, which the identifier itself folds to ar) got the
    generic splitter, e5-small instead of use-m3 and left-to-right cells; `--src-lang ara` / `arb`
    were refused as unknown; Hebrew with vowel points was told as `hbo` and shown left to right."""
    from parallel.lang import identify, primary
    from parallel.report import is_rtl

    ar, en = tmp_path / "a.txt", tmp_path / "b.txt"
    ar.write_text(AR, encoding="utf-8")
    en.write_text(EN, encoding="utf-8")
    for code in ("arz", "ara", "arb", "ar-EG"):
        res = CliRunner().invoke(main, ["align", str(ar), str(en), "--src-lang", code, "-o", str(tmp_path / "o.json")])
        assert res.exit_code == 0, res.output
        sig = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["signature"]
        assert "model:use-m3" in sig and "seg:punkt-ar+" in sig and f"src:{code.lower()}" in sig, sig
        assert is_rtl(code) and primary(code) == "ar"
    pointed = "בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם וְאֵת הָאָרֶץ. וְהָאָרֶץ הָיְתָה תֹהוּ וָבֹהוּ. " * 3
    det = identify(pointed)
    assert det is not None and det.lang == "he" and is_rtl(det.lang) and is_rtl("hbo")
    assert primary("en-GB") == "en" and primary("zh_Hant") == "zh" and not is_rtl("en")


def test_a_translations_link_undone_in_a_joined_file_keeps_its_pair(tmp_path: Path) -> None:
    """filter --min-p --keep-empty of run's _all.tsv of translations undoes the links under the
    bar into 1-0 / 0-1 rows; those rows lost their pair (an empty first column) and took the
    reader's internal ids (past every earlier pair's), so eval refused the file ("PRED and GOLD
    must both be files or both be folders") though eval's own warning asks for --keep-empty. They
    keep their pair and its ids now, and the TSV and JSONL score alike."""
    sig = "model:use-m3|mode:parallel|max:auto|seg:presplit|src:ar|tgt:en|v:0.1.0"
    head = "pair\tsrc_ids\ttgt_ids\tsrc\ttgt\tscore\tp\n"
    rows = ["a\t0\t0\tجملة أولى.\tFirst one.\t0.5\t0.60", "a\t1\t1\tجملة ثانية.\tSecond one.\t0.5\t0.99",
            "b\t0\t0\tجملة ثالثة.\tThird one.\t0.5\t0.99", "b\t1\t1,2\tجملة رابعة.\tFourth. One.\t0.5\t0.50"]
    joined = tmp_path / "_all.tsv"
    joined.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    Path(f"{joined}.sig").write_text(f"a\t{sig}\nb\t{sig}\n", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.align").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    (gold / "b.align").write_text("[0]:[0]\n[1]:[1,2]\n", encoding="utf-8")
    scores = []
    for suffix in ("tsv", "jsonl"):
        out = tmp_path / f"kept.{suffix}"
        code, _, err = invoke("filter", str(joined), "--min-p", "0.9", "--keep-empty", "-o", str(out), "-q")
        assert code == 0, err
        if suffix == "tsv":
            got = [line.split("\t")[:3] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
            assert got == [["a", "0", ""], ["a", "", "0"], ["a", "1", "1"], ["b", "0", "0"], ["b", "1", ""],
                           ["b", "", "1"], ["b", "", "2"]]
        code, text, err = invoke("eval", str(out), str(gold))
        assert code == 0, err
        scores.append(text)
    assert "documents: 2" in scores[0] and "strict  P 0.2857  R 0.5000" in scores[0], scores[0]
    assert scores[0] == scores[1]
    # without --keep-empty eval warns, and names the documents that lost sentences (stop 57: it
    # said "GOLD names source sentence 1, PRED's links end at 0" of no document in particular)
    bare = tmp_path / "bare.tsv"
    code, _, err = invoke("filter", str(joined), "--min-p", "0.9", "-o", str(bare), "-q")
    assert code == 0, err
    code, _, err = invoke("eval", str(bare), str(gold))
    assert code == 0 and "leaves 5 sentence(s) (in 2 of its 2 documents: a, b) out of every link" in err, err
    assert "b: GOLD names source sentence 1, PRED's links end at 0" in err, err
