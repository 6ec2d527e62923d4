"""`parallel-corpus mt-eval`: figures equal sacrebleu's own API on the same data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pairs_factory import make_doc
from sacrebleu.metrics import BLEU, CHRF, TER

from parallel.cli import main
from parallel.commands.cmd_mt_eval import default_tokenize
from parallel.data import Alignment, Link
from parallel.export import export

AR = ["ارتفعت أسعار النفط اليوم بعد قرار أوبك خفض الإنتاج.",
      "وقال وزير الطاقة إن القرار يهدف إلى استقرار السوق.",
      "ويتوقع المحللون أن تستمر الأسعار في الارتفاع خلال الأشهر المقبلة.",
      "جملة بلا ترجمة."]
EN = ["Oil prices rose today after OPEC decided to cut production.",
      "The energy minister said the decision aims to stabilise the market.",
      "Analysts expect prices to keep rising over the coming months."]
HYP_EN = ["Oil prices went up today after OPEC decided to cut output.",
          "The energy minister said the decision is meant to stabilise markets.",
          "Analysts expect prices to continue rising in the coming months.",
          ""]
HYP_AR = ["ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج.",
          "قال وزير الطاقة إن القرار يهدف إلى استقرار الأسواق.",
          "يتوقع المحللون استمرار ارتفاع الأسعار في الأشهر المقبلة.",
          ""]


def pairs(tmp_path: Path, name: str = "ref.tsv", *, keep_empty: bool = False) -> Path:
    links = [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8), Link((2,), (2,), 0.85), Link((3,), (), 0.0)]
    al = Alignment(make_doc(AR, "ar"), make_doc(EN, "en"), links, "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    path = tmp_path / name
    export(al, str(path), sidecar=True, keep_empty=keep_empty)
    return path


def hyp(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "hyp.txt"
    path.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["mt-eval", *args])
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize("ref_name", ["ref.tsv", "ref.jsonl", "ref.tmx", "ref.json", "ref.ar-en.ar"])
def test_ar_en_matches_sacrebleu(tmp_path: Path, ref_name: str) -> None:
    # Every training format leaves out the 1-0 link: 3 pairs, so the same 3 hypothesis lines
    # score against each; the native JSON holds it, and mt-eval skips it there.
    ref = pairs(tmp_path, ref_name)
    if ref_name.endswith(".ar"):
        ref = tmp_path / "ref.ar-en.ar"
    n = 4 if ref_name == "ref.json" else 3
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:n] + ["extra"])), "--ref", str(ref))
    assert code == 2 and f"{n + 1} lines" in err and f"{n} pairs" in err and "header" not in err
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:n])), "--ref", str(ref), "--json")
    assert code == 0, err
    doc = json.loads(out)
    hyps, refs = HYP_EN[:3], EN
    want = {
        "BLEU": BLEU(tokenize="13a").corpus_score(hyps, [refs]).score,
        "chrF2++": CHRF(word_order=2).corpus_score(hyps, [refs]).score,
        "TER": TER().corpus_score(hyps, [refs]).score,
    }
    got = {s["metric"]: s["score"] for s in doc["scores"]}
    assert got == pytest.approx(want, abs=1e-4)
    assert doc["tokenize"] == "13a" and doc["pairs"] == 3
    assert "tok:13a" in doc["scores"][0]["signature"]


def test_en_ar_text_output_with_signature(tmp_path: Path) -> None:
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_AR)), "--ref", str(pairs(tmp_path, keep_empty=True)),
                         "--direction", "en-ar")
    assert code == 0, err
    bleu = BLEU(tokenize="intl")
    score = bleu.corpus_score(HYP_AR[:3], [AR[:3]])
    lines = out.splitlines()
    assert lines[0] == score.format(signature=str(bleu.get_signature()))
    assert lines[0].startswith("BLEU|nrefs:1|") and "tok:intl" in lines[0]
    assert lines[1].startswith("chrF2++|") and lines[2].startswith("TER|")
    assert "1 with an empty side skipped" in err


def test_sentence_chrf(tmp_path: Path) -> None:
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(pairs(tmp_path)), "--sentence",
                         "--metrics", "chrf")
    assert code == 0, err
    rows = out.split("\n\n")[0].splitlines()
    assert rows[0] == "entry\tsrc_ids\ttgt_ids\tchrF++"
    chrf = CHRF(word_order=2)
    for row, h, r in zip(rows[1:], HYP_EN[:3], EN, strict=True):
        assert float(row.split("\t")[3]) == pytest.approx(chrf.sentence_score(h, [r]).score, abs=0.006)
    assert out.strip().splitlines()[-1].startswith("chrF2++|")


def test_tokenize_option_and_defaults(tmp_path: Path) -> None:
    assert default_tokenize("ar") == "intl"
    assert default_tokenize("en") == "13a"
    assert default_tokenize("zh") == "zh"
    # stop 49: intl read a Japanese sentence as a word or two: BLEU 0.00 for a near-perfect hypothesis
    import importlib.util

    mecab = importlib.util.find_spec("MeCab") is not None
    assert default_tokenize("ja") == ("ja-mecab" if mecab else "char")
    assert default_tokenize("th") == "char" and default_tokenize("arz") == "intl"
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(pairs(tmp_path)), "--tokenize",
                         "intl", "--metrics", "bleu", "--json")
    assert code == 0, err
    want = BLEU(tokenize="intl").corpus_score(HYP_EN[:3], [EN]).score
    assert json.loads(out)["scores"][0]["score"] == pytest.approx(want, abs=1e-4)


@pytest.mark.parametrize(("args", "message"), [
    (["--direction", "fr-en"], "--direction"),
    (["--metrics", "bleu,meteor"], "meteor"),
])
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN)), "--ref", str(pairs(tmp_path)), *args)
    assert code == 2
    assert message in err and err.startswith("parallel-corpus: error:")


def test_line_count_mismatch(tmp_path: Path) -> None:
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:2])), "--ref", str(pairs(tmp_path)))
    assert code == 2
    assert "2 lines" in err and "3 pairs" in err and "line n of HYP must translate pair n" in err
    # the TSV's header line cut along with the texts gets its own hint
    ref = pairs(tmp_path)
    code, _, err = run("--hyp", str(hyp(tmp_path, ["src", *HYP_EN[:3]])), "--ref", str(ref))
    assert code == 2 and "header" in err and "--no-header" in err


@pytest.mark.parametrize("tok", ["ja-mecab", "ko-mecab", "spm"])
def test_tokenizers_that_need_more_than_sacrebleu_fail_in_one_line(tmp_path: Path, tok: str) -> None:
    """Listed tokenizers whose extra packages or model downloads are missing here: one line naming
    the option and what it needs, never sacrebleu's multi-line install text as an internal error."""
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(pairs(tmp_path)), "--tokenize",
                         tok, "--metrics", "bleu")
    if code == 0:  # the extras are installed on this machine
        assert out.strip()
        return
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"parallel-corpus: error: --tokenize {tok}: ") and "internal error" not in err


def test_spm_error_is_one_line_without_sacrebleu_notice(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """sacrebleu logs "Tokenizer 'spm' has been changed to 'flores101'" (printed on stderr by
    logging's last-resort handler, before the error): silenced, so the error is the only line."""
    import logging

    with caplog.at_level(logging.DEBUG):
        code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(pairs(tmp_path)), "--tokenize",
                           "spm", "--metrics", "bleu")
    assert not [r for r in caplog.records if r.name.startswith("sacrebleu") and r.levelno >= logging.WARNING]
    assert "has been changed" not in err
    if code != 0:
        assert len(err.strip().splitlines()) == 1, err


def test_vecalign_reference_holds_no_text(tmp_path: Path) -> None:
    ref = pairs(tmp_path, "ref.vecalign")
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no text" in err and "Vecalign" in err, err


@pytest.mark.parametrize("ref_name", ["ref.tsv", "ref.jsonl", "ref.tmx", "ref.ar-en.ar"])
def test_comparable_keep_empty_export_takes_a_line_per_entry(tmp_path: Path, ref_name: str) -> None:
    """A comparable ``--keep-empty`` export lists its unmatched sentences among its pairs: a
    hypothesis made from every entry (``tail -n +2 FILE | cut -f3``) has a line per entry, and
    the unmatched ones, having no reference, are skipped like any empty side; a hypothesis of the
    links alone still scores too, with the same figures."""
    links = [Link((1,), (1,), 0.8), Link((0,), (0,), 0.9), Link((3,), (), 0.0), Link((), (2,), 0.0)]
    al = Alignment(make_doc(AR, "ar"), make_doc(EN, "en"), links, "comparable",
                   "model:t|mode:comparable|src:ar|tgt:en")
    export(al, str(tmp_path / ref_name.split(".")[0] if ref_name.endswith(".ar") else tmp_path / ref_name),
           "moses" if ref_name.endswith(".ar") else None, sidecar=True, keep_empty=True)
    ref = tmp_path / ref_name
    from parallel.readers import pairs_format, read_pairs

    back = read_pairs(ref, pairs_format(ref, None))
    entries = len(back.links) + len(back.info["unmatched_rows"])
    assert len(back.links) == 2 and entries == 5  # ar 2 and 3, en 2 are in no link
    # line n of the hypothesis translates entry n: the English of the Arabic of each entry
    by_src = {0: HYP_EN[0], 1: HYP_EN[1]}
    order = [(AR.index(back.src_text(k)),) for k in back.links]  # Moses holds no ids: by text
    lines, link_at = [], iter(order)
    for n in range(entries):
        if n in back.info["unmatched_rows"]:
            lines.append("no reference")
        else:
            lines.append(by_src[next(link_at)[0]])
    code, out, err = run("--hyp", str(hyp(tmp_path, lines)), "--ref", str(ref), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["pairs"] == 2 and doc["skipped"] == 3
    want = BLEU(tokenize="13a").corpus_score([by_src[s[0]] for s in order], [[EN[s[0]] for s in order]]).score
    assert {s["metric"]: s["score"] for s in doc["scores"]}["BLEU"] == pytest.approx(want, abs=1e-4)
    code, out2, err = run("--hyp", str(hyp(tmp_path, [by_src[s[0]] for s in order])), "--ref", str(ref), "--json")
    assert code == 0 and json.loads(out2)["scores"] == doc["scores"]
    code, _, err = run("--hyp", str(hyp(tmp_path, lines[:3])), "--ref", str(ref))
    assert code == 2 and "3 lines" in err


@pytest.mark.parametrize("ref_name", ["ref.tsv", "ref.jsonl", "ref.tmx"])
def test_a_hyphenated_language_code_splits_where_the_file_says(tmp_path: Path, ref_name: str) -> None:
    """align --tgt-lang en-GB: the file holds ar-en-gb pairs, and mt-eval split "ar-en-gb" at every
    hyphen and refused its own default ("use ar-en-gb or en-gb-ar")."""
    links = [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8), Link((2,), (2,), 0.85)]
    al = Alignment(make_doc(AR[:3], "ar"), make_doc(EN, "en-gb"), links, "parallel",
                   "model:t|mode:parallel|src:ar|tgt:en-gb")
    ref = tmp_path / ref_name
    export(al, str(ref), sidecar=True)
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref), "--metrics", "bleu", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["direction"] == "ar-en-gb" and doc["tokenize"] == "13a"
    assert doc["scores"][0]["score"] == pytest.approx(BLEU(tokenize="13a").corpus_score(HYP_EN[:3], [EN]).score,
                                                      abs=1e-4)
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_AR[:3])), "--ref", str(ref), "--metrics", "chrf",
                         "--direction", "en-gb-ar", "--json")
    assert code == 0, err
    assert json.loads(out)["scores"][0]["score"] == pytest.approx(
        CHRF(word_order=2).corpus_score(HYP_AR[:3], [AR[:3]]).score, abs=1e-4)
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref), "--direction", "ar-en")
    assert code == 2 and "use ar-en-gb or en-gb-ar" in err


def test_a_metric_named_twice_is_scored_once(tmp_path: Path) -> None:
    """--metrics bleu,chrf,BLEU printed the BLEU line twice."""
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(pairs(tmp_path)),
                         "--metrics", "bleu,chrf,BLEU", "--json")
    assert code == 0, err
    assert [s["metric"] for s in json.loads(out)["scores"]] == ["BLEU", "chrF2++"]


def test_the_note_names_the_reference_file_and_its_signature_apart(tmp_path: Path) -> None:
    """The note said "reference file: model:...|mode:..." (the signature where the file's name was)."""
    ref = pairs(tmp_path)
    result = CliRunner().invoke(main, ["mt-eval", "--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref),
                                       "--metrics", "bleu"])
    assert result.exit_code == 0, result.output
    note = next(x for x in result.stderr.splitlines() if "pairs scored" in x)
    assert f"; reference {ref}" in note and "reference file: model:" not in note


def test_tokenize_is_bleus_alone(tmp_path: Path) -> None:
    # --metrics chrf --tokenize intl: --json reported "tokenize": "intl" for a score it did not touch
    ref = pairs(tmp_path)
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref), "--json", "--metrics", "chrf",
                         "--tokenize", "intl")
    assert code == 0 and json.loads(out)["tokenize"] is None
    assert "--tokenize intl is not used" in err
    code, out, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", str(ref), "--json", "--metrics", "bleu,chrf",
                         "--tokenize", "intl")
    assert code == 0 and json.loads(out)["tokenize"] == "intl" and "not used" not in err


def test_one_language_on_both_sides_scores_against_the_target(tmp_path: Path) -> None:
    # stop 46: an en-en file (a paraphrase, a revision) could not be scored at all, and the error
    # said "use en-en or en-en" after refusing en-en
    src, tgt = ["Good morning.", "See you tomorrow."], ["Good morning!", "See you soon."]
    al = Alignment(make_doc(src, "en"), make_doc(tgt, "en"), [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)],
                   "parallel", "model:t|mode:parallel|src:en|tgt:en")
    ref = tmp_path / "p.tsv"
    export(al, str(ref), sidecar=True)
    h = hyp(tmp_path, ["Good morning!", "See you later."])
    for extra in ([], ["--direction", "en-en"]):
        code, out, err = run("--hyp", str(h), "--ref", str(ref), "--metrics", "chrf", "--json", *extra)
        assert code == 0, err
        want = CHRF(word_order=2).corpus_score(["Good morning!", "See you later."], [tgt]).score
        assert json.loads(out)["scores"][0]["score"] == pytest.approx(want, abs=1e-4)
    code, _, err = run("--hyp", str(h), "--ref", str(ref), "--direction", "en-ar")
    assert code == 2 and "leave --direction out" in err and "use en-en or en-en" not in err


def test_hypotheses_that_are_sentence_ids_are_said(tmp_path: Path) -> None:
    # stop 52: the --help recipe `tail -n +2 pairs.tsv | cut -f3` on run's _all.tsv (pair first)
    # gives its target ids; mt-eval scored "0", "1", "2" against the English: BLEU 0.00, not a word
    ref = pairs(tmp_path)
    for ids in (["0", "1", "2"], ["0", "1,2", "3"]):
        code, out, err = run("--hyp", str(hyp(tmp_path, ids)), "--ref", str(ref), "-q")
        assert code == 0 and "BLEU" in out
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("parallel-corpus: warning: 3 of 3 HYP lines look like "
                                                       "sentence ids"), err
        assert "filter FILE -f moses" in lines[0]
    # text, and a figure among the lines, says nothing; nor does a table of figures on both sides
    code, _, err = run("--hyp", str(hyp(tmp_path, [HYP_EN[0], "2020", HYP_EN[2]])), "--ref", str(ref), "-q")
    assert code == 0 and err == "", err
    figures = Alignment(make_doc(["١٠", "٢٠", "٣٠"], "ar"), make_doc(["10", "20", "30"], "en"),
                        [Link((i,), (i,), 0.9) for i in range(3)], "parallel", "model:t|mode:parallel|src:ar|tgt:en")
    export(figures, str(tmp_path / "figures.tsv"), sidecar=True)
    code, _, err = run("--hyp", str(hyp(tmp_path, ["10", "20", "30"])), "--ref", str(tmp_path / "figures.tsv"), "-q")
    assert code == 0 and err == "", err
    # the --help recipe takes the texts, whatever the TSV's columns
    help_text = run("--help")[1]
    assert "cut -f3 > src" not in help_text and "-f moses" in help_text and '$i=="src"' in help_text


def test_hypotheses_in_the_wrong_language_are_said(tmp_path: Path) -> None:
    """English hypotheses scored against the Arabic side (a file whose sides are the other way
    round, a Hugging Face JSONL whose key order made the default en-ar), or the untranslated source
    given as HYP, scored BLEU near 0 with exit 0 and no word (-q hid even the direction). A warning
    says it, -q or not; the right language says nothing."""
    ref = str(pairs(tmp_path))
    code, _, err = run("--hyp", str(hyp(tmp_path, HYP_EN[:3])), "--ref", ref, "--direction", "en-ar", "-q")
    assert code == 0 and "warning: HYP is in Latin script, the en side's, but the reference of en-ar is the " \
        "ar side: translations the other way (--direction ar-en)" in err, err
    code, _, err = run("--hyp", str(hyp(tmp_path, AR[:3])), "--ref", ref, "-q")  # the source, untranslated
    assert code == 0 and "HYP is in Arabic script, the ar side's" in err and "untranslated source" in err, err
    for lines, more in ((HYP_EN[:3], []), (HYP_AR[:3], ["--direction", "en-ar"])):
        code, _, err = run("--hyp", str(hyp(tmp_path, lines)), "--ref", ref, *more)
        assert code == 0 and "warning" not in err, err


def test_invisible_marks_at_the_edges_of_hypotheses_do_not_count(tmp_path: Path) -> None:
    """Arabic MT output often has a right-to-left mark around each line; the references never do
    (the segmenter leaves them out of every sentence), and sacrebleu took them for characters of
    the first and last word: a perfect translation scored BLEU 92. The marks inside a line stay."""
    ref = str(pairs(tmp_path))
    plain = run("--hyp", str(hyp(tmp_path, HYP_AR[:3])), "--ref", ref, "--direction", "en-ar", "--json")
    marked = run("--hyp", str(hyp(tmp_path, [f"\u200f{x}\u200f " for x in HYP_AR[:3]])), "--ref", ref,
                 "--direction", "en-ar", "--json")
    assert plain[0] == marked[0] == 0, marked[2]
    assert json.loads(marked[1])["scores"] == json.loads(plain[1])["scores"]
    perfect = run("--hyp", str(hyp(tmp_path, [f"\u200f{x}\u200f" for x in AR[:3]])), "--ref", ref,
                  "--direction", "en-ar", "--json", "--metrics", "bleu")
    assert json.loads(perfect[1])["scores"][0]["score"] == pytest.approx(100.0)
    from parallel.commands.cmd_mt_eval import without_edge_marks

    assert without_edge_marks("\u200fكلمة\u200f كلمة\u200f") == "كلمة\u200f كلمة"
    assert without_edge_marks("  leading and trailing spaces stay  ") == "  leading and trailing spaces stay  "


def test_marks_tatweel_and_presentation_forms_inside_lines_do_not_count(tmp_path: Path) -> None:
    """Stop 57: only the marks at a line's edges were left out. A perfect translation with a
    right-to-left mark before every word scored BLEU 0.8, one in a PDF's presentation forms 1.3, one
    stretched with tatweel 82; so did a clean HYP against such a reference. Both sides are now
    scored as a reader sees them (said on stderr, and in --json); --raw scores them as written.
    Vowel marks stay: a translation may choose them."""
    ref = str(pairs(tmp_path))
    forms = {"ل": "\ufedd", "م": "\ufee1", "ن": "\ufee5"}  # isolated presentation forms of three letters
    variants = {
        "marks": [" ".join("\u200f" + w for w in x.split()) for x in AR[:3]],
        # with the ligature ﻻ for لا (الارتفاع), which stands for two letters
        "forms": ["".join(forms.get(c, c) for c in x.replace("لا", "\ufefb")) for x in AR[:3]],
        "tatweel": [x.replace("ال", "الـــ") for x in AR[:3]],
    }
    for name, lines in variants.items():
        code, out, err = run("--hyp", str(hyp(tmp_path, lines)), "--ref", ref, "--direction", "en-ar", "--json",
                             "--metrics", "bleu,chrf")
        assert code == 0, err
        got = json.loads(out)
        assert [s["score"] for s in got["scores"]] == pytest.approx([100.0, 100.0]), name
        assert got["folded"] == {"hyp": 3, "reference": 0}, name
        assert "scored without them, the same way on both sides" in err, name
        code, out, _ = run("--hyp", str(hyp(tmp_path, lines)), "--ref", ref, "--direction", "en-ar", "--json",
                           "--metrics", "bleu", "--raw")
        assert code == 0 and json.loads(out)["scores"][0]["score"] < 90 and json.loads(out)["folded"] is None, name
    code, out, err = run("--hyp", str(hyp(tmp_path, AR[:3])), "--ref", ref, "--direction", "en-ar", "--json")
    assert code == 0 and json.loads(out)["folded"] == {"hyp": 0, "reference": 0} and "note" not in err
    vowelled = [x.replace("النفط", "النِّفط") for x in AR[:3]]
    code, out, _ = run("--hyp", str(hyp(tmp_path, vowelled)), "--ref", ref, "--direction", "en-ar", "--json",
                       "--metrics", "bleu")
    assert json.loads(out)["scores"][0]["score"] < 100
