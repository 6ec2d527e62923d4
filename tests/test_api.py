"""The Python API as a new user calls it: what it accepts, what it refuses in one line, and that it
writes what the CLI writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import parallel
from parallel.api import align_documents, min_p_undone
from parallel.embed import get_encoder
from parallel.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
AR = "ذهب الولد إلى المدرسة صباحا. كانت السماء ممطرة طوال اليوم. قرأ الطالب ثلاثة كتب."
EN = "The boy went to school in the morning. The sky was rainy all day. The student read three books."


@pytest.mark.parametrize(("src", "why"), [
    (ROOT / "corpus" / "covid-cooperation.ar.txt", "read_document(path)"),
    (AR.encode("utf-8"), "read_document(path)"),
    (None, "not NoneType"),
])
def test_align_refuses_what_is_not_a_text(src: object, why: str) -> None:
    """A Path (read_document takes paths, so it is a natural slip), bytes or None gave TypeError /
    AttributeError from deep inside; now an InputError that says what to pass."""
    with pytest.raises(InputError, match="give the text as a str or a Document") as exc:
        parallel.align(src, EN)  # type: ignore[arg-type]
    assert why in str(exc.value)


@pytest.mark.parametrize("max_link", [0, -1, 21, "x", 2.5, True])
def test_max_link_is_checked_as_the_cli_checks_it(max_link: object) -> None:
    """0 and -1 were taken as 1 and written into the signature as max:0 / max:-1."""
    with pytest.raises(InputError, match="max_link must be a whole number from 1 to 20"):
        parallel.align(AR, EN, max_link=max_link)  # type: ignore[arg-type]


def test_export_html_writes_the_report(tmp_path: Path) -> None:
    """al.export("x.html") wrote TSV rows (and x.html.sig) where the CLI writes the report."""
    al = parallel.align(AR, EN, mode="parallel", cache=tmp_path / "cache")
    al.export(tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html") and "\t" not in text.splitlines()[0]
    assert not (tmp_path / "r.html.sig").exists()
    al.export(tmp_path / "p.tsv")
    assert (tmp_path / "p.tsv.sig").exists()


def test_align_keeps_embeddings_in_the_cache(tmp_path: Path) -> None:
    """The README says embeddings are cached on disk; parallel.align never used the cache."""
    cache = tmp_path / "cache"
    parallel.align(AR, EN, mode="parallel", cache=cache)
    assert any(p.is_file() for p in cache.rglob("*"))


def test_encode_refuses_a_bare_string() -> None:
    """encode("a text") embedded the text character by character (one row per character)."""
    enc = get_encoder("use-m3", cache=False)
    with pytest.raises(InputError, match="encode takes a list of texts"):
        enc.encode(EN)  # type: ignore[arg-type]
    assert enc.encode([EN]).shape[0] == 1


def test_web_addresses_do_not_make_arabic_english() -> None:
    """Short Arabic lines citing web addresses were detected as English (the address's letters
    outnumber the Arabic ones), and --src-lang ar was refused as 'written in latin script'."""
    from parallel.lang import detect_lang

    lines = ("للمزيد انظر https://www.who.int/emergencies/diseases/novel-coronavirus-2019.\n"
             "التقرير الكامل على https://www.example.org/reports/annual-report-2024.pdf\n"
             "راسلونا على press.office@health-ministry.example.org\n")
    assert detect_lang(lines) == "ar"
    assert parallel.make_document(lines, presplit=True).lang == "ar"
    assert parallel.make_document(lines, "ar", presplit=True).lang == "ar"  # no "latin script" refusal
    assert parallel.make_document("See https://www.who.int/news/item/2020 for more.", "en").lang == "en"
    with pytest.raises(InputError, match="latin script"):  # real English text still contradicts ar
        parallel.make_document("This sentence is plainly written in English, see https://x.org/a.", "ar")


def test_arabic_in_presentation_forms_is_arabic() -> None:
    """A short text of Arabic presentation forms (PDF text) was labelled Chinese: signature src:zh,
    TMX xml:lang zh, the report's cells left-to-right."""
    from parallel.lang import detect_lang

    forms = "ﺫﻩﺏﺕ ﺇﻝﻯ ﺍﻝﻡﻙﺕﺏﺓ ﻭﺍﺵﺕﺭﻱﺕ ﻙﺕﺍﺏﺍ ﺝﺩﻱﺩﺍ ﻉﻥ ﺕﺍﺭﻱﺥ ﻡﺹﺭ. ﻭﻕﺭﺃﺕﻩ ﻑﻱ ﻱﻭﻡﻱﻥ."
    assert detect_lang(forms) == "ar"
    assert parallel.make_document(forms).lang == "ar"


def test_blank_lines_of_a_presplit_file_are_links_of_their_own(shared_bench: Path) -> None:
    """An empty line (kept, so that ids stay line numbers) is no sentence: it used to be joined to
    a neighbour (``[0, 1]:[0]`` for a sentence and the empty line after it), and blank lines on one
    side only doubled its count, which took the translation for one split finer. Each is now its
    own 1-0/0-1 link in its place, and the sentences are linked as without them."""
    from parallel.api import align, make_document

    root = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    ar = (root / "03.ar").read_text(encoding="utf-8").splitlines()
    en = (root / "03.en").read_text(encoding="utf-8").splitlines()
    plain = align(make_document("\n".join(ar), "ar", presplit=True), make_document("\n".join(en), "en", presplit=True),
                  mode="parallel")
    spaced_ar = [x for line in ar[:-1] for x in (line, "")] + ar[-1:]  # a blank line between the Arabic lines
    spaced_en = ["", *en]  # and one before the English
    spaced = align(make_document("\n".join(spaced_ar), "ar", presplit=True),
                   make_document("\n".join(spaced_en), "en", presplit=True), mode="parallel")
    blank = [((2 * i + 1,), ()) for i in range(len(ar) - 1)] + [((), (0,))]
    got = [(k.src, k.tgt) for k in spaced.links]
    assert sorted(p for p in got if p in blank) == sorted(blank)
    moved = [(tuple(i // 2 for i in s), tuple(j - 1 for j in t)) for s, t in got if (s, t) not in blank]
    assert moved == [(k.src, k.tgt) for k in plain.links]
    # in order on both sides, every unit in exactly one link
    assert [i for k in spaced.links for i in k.src] == list(range(len(spaced_ar)))
    assert [j for k in spaced.links for j in k.tgt] == list(range(len(spaced_en)))


def test_a_blank_line_inside_a_link_goes_into_it(shared_bench: Path) -> None:
    """Stop 40: English line 2 translates Arabic lines 2 and 4, with a blank line 3 between them.
    The link skipped the blank (``[2, 4]:[2]``) and the blank's own 1-0 link came after it: links
    out of order, and a "run" that is not one. The blank now goes into the link that spans it."""
    from parallel.api import align, make_document

    root = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    ar = (root / "01.ar").read_text(encoding="utf-8").splitlines()[:6]
    en = (root / "01.en").read_text(encoding="utf-8").splitlines()[:6]
    ar = ar[:3] + [""] + ar[3:]
    en = en[:2] + [en[2] + " " + en[3]] + en[4:]
    al = align(make_document("\n".join(ar), "ar", presplit=True), make_document("\n".join(en), "en", presplit=True),
               mode="parallel")
    got = [(k.src, k.tgt) for k in al.links]
    assert ((2, 3, 4), (2,)) in got
    # every unit in exactly one link, in order, each link a contiguous run
    assert [i for k in al.links for i in k.src] == list(range(len(ar)))
    assert [j for k in al.links for j in k.tgt] == list(range(len(en)))
    assert all(list(k.src) == list(range(k.src[0], k.src[0] + len(k.src))) for k in al.links if k.src)
    joined = al.src_text(next(k for k in al.links if k.src == (2, 3, 4)))
    assert joined == ar[2] + " " + ar[4]   # the blank adds no second space


def test_a_lone_surrogate_is_refused_when_the_document_is_made() -> None:
    """A str from the API can hold a lone surrogate, which no UTF-8 file can: it failed only at
    export, with a bare UnicodeEncodeError (TMX dropped it silently)."""
    from parallel.api import make_document
    from parallel.errors import InputError

    with pytest.raises(InputError, match=r"character 6 is a lone surrogate \(U\+D800\)"):
        make_document("Hello \ud800 world.", "en", name="text")
    assert make_document("Hello world.", "en").sentences == ["Hello world."]


def test_an_alignment_is_not_written_over_its_own_documents(tmp_path: Path) -> None:
    # stop 36: al.export("par.ar") turned the Arabic document into a TSV and al.report("par.en")
    # the English one into an HTML page, silently; the CLI refuses `-o par.ar`
    root = Path(__file__).resolve().parents[1] / "corpus"
    ar, en = tmp_path / "par.ar", tmp_path / "par.en"
    ar.write_bytes((root / "covid-cooperation.ar.txt").read_bytes()[:1500].rsplit(b"\n", 1)[0] + b"\n")
    en.write_bytes((root / "covid-cooperation.en.txt").read_bytes()[:1500].rsplit(b"\n", 1)[0] + b"\n")
    before = ar.read_bytes(), en.read_bytes()
    al = parallel.align_documents(parallel.read_document(str(ar)), parallel.read_document(str(en)))
    for write, target in ((al.export, ar), (al.report, en), (al.export, en.with_suffix(".en"))):
        with pytest.raises(InputError, match="is an input"):
            write(str(target))
    assert (ar.read_bytes(), en.read_bytes()) == before
    al.export(str(tmp_path / "ok.tsv"))  # any other name is written
    assert (tmp_path / "ok.tsv").is_file()


def test_an_alignment_pickles_and_deep_copies_without_run_imported(tmp_path: Path) -> None:
    # stop 38: pickle.dumps(al), copy.deepcopy(al) and a ProcessPoolExecutor returning alignments
    # failed ("cannot pickle 'mappingproxy' object") unless parallel.corpus, which only `run`
    # imports, had registered a reducer; a fresh interpreter shows it
    import subprocess
    import sys

    probe = (
        "import copy, pickle, sys\n"
        "from parallel.data import Alignment, Link\n"
        "from parallel.api import make_document\n"
        "src = make_document('a b c.\\nd e f.', 'en', presplit=True)\n"
        "tgt = make_document('x y z.\\nu v w.', 'en', presplit=True)\n"
        "al = Alignment(src, tgt, (Link((0,), (0,), 0.5, {'cosine': 0.5}), Link((1,), (1,), 0.4)), 'parallel',\n"
        "               'model:use-m3|mode:parallel', {'note': 'x'})\n"
        "back = pickle.loads(pickle.dumps(al))\n"
        "assert back == al and dict(back.links[0].features) == {'cosine': 0.5} and dict(back.info) == {'note': 'x'}\n"
        "again = copy.deepcopy(al)\n"
        "assert again == al and dict(again.links[0].features) == {'cosine': 0.5}\n"
        "try:\n"
        "    again.links[0].features['cosine'] = 1\n"
        "except TypeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('features became writable')\n"
        "assert 'parallel.corpus' not in sys.modules\n"
        "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_language_codes_are_read_as_the_command_line_reads_them(tmp_path: Path) -> None:
    # stop 38: src_lang="AR" gave src:AR in the signature, JSONL keys "AR" and Moses files
    # NAME.AR-EN.AR where the command line writes ar; with force_lang, "../evil" reached the signature
    ar = "ارتفعت أسعار النفط اليوم.\nوقال الوزير إن القرار مهم."
    en = "Oil prices rose today.\nThe minister said the decision is important."
    al = parallel.align(ar, en, src_lang="AR", tgt_lang="En", presplit=True, mode="parallel")
    assert (al.src.lang, al.tgt.lang) == ("ar", "en") and "|src:ar|tgt:en|" in al.signature
    al.export(tmp_path / "x.jsonl")
    assert '"ar":' in (tmp_path / "x.jsonl").read_text(encoding="utf-8")
    for bad in ("../evil", "ar\nx", "a"):
        with pytest.raises(InputError, match="is not a language code"):
            parallel.align(ar, en, src_lang=bad, tgt_lang="en", force_lang=True, presplit=True)


def test_a_misspelt_export_or_report_option_is_refused(tmp_path: Path) -> None:
    # stop 38: al.export(..., keep_emtpy=True, heder=False) ignored both in silence, and
    # al.report(..., bogus=1) was a TypeError from deep inside the report writer
    al = parallel.align("ارتفعت أسعار النفط اليوم.", "Oil prices rose today.", presplit=True, mode="parallel")
    with pytest.raises(InputError, match="export: unknown options keep_emtpy, heder"):
        al.export(tmp_path / "x.tsv", keep_emtpy=True, heder=False)
    with pytest.raises(InputError, match="report: unknown option bogus"):
        al.report(tmp_path / "x.html", bogus=1)
    with pytest.raises(InputError, match="report: unknown option bogus"):
        al.export(tmp_path / "y.html", bogus=1)
    assert not list(tmp_path.iterdir())
    al.export(tmp_path / "x.tsv", keep_empty=True, header=False)
    assert (tmp_path / "x.tsv").read_text(encoding="utf-8").startswith("0\t0\t")


def test_report_options_and_paths_of_the_wrong_kind_are_refused_in_one_line(tmp_path: Path) -> None:
    # stop 46: al.report(..., title=5) was an AttributeError from html.escape, read_alignment(5) a
    # TypeError from pathlib, and al.report("r.tsv") wrote a page a TSV reader then read as garbage
    from parallel.readers import read_alignment

    al = parallel.align("ارتفعت أسعار النفط اليوم.", "Oil prices rose today.", presplit=True, mode="parallel")
    with pytest.raises(InputError, match="report: title must be a str, not int"):
        al.report(tmp_path / "x.html", title=5)
    with pytest.raises(InputError, match="report: matrix must be True or False"):
        al.report(tmp_path / "x.html", matrix="no")
    with pytest.raises(InputError, match="r.tsv: report writes an HTML page, but the name says tsv"):
        al.report(tmp_path / "r.tsv", matrix=False)
    with pytest.raises(InputError, match="read_alignment: a file path"):
        read_alignment(5)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())
    al.report(tmp_path / "x.html", matrix=False, title="ok")
    assert "<title>ok</title>" in (tmp_path / "x.html").read_text(encoding="utf-8")


def test_yes_no_options_and_the_report_encoder_are_checked(tmp_path: Path) -> None:
    # stop 48: keep_empty="no" was read as true (every one-sided row written into a training
    # TSV), header="no" wrote the header, presplit="yes" was taken; report(encoder="bogus") wrote
    # a page without its matrix in silence and encoder=5 was an AttributeError inside report.py
    from parallel.report import similarity_matrix

    al = parallel.align("ارتفعت أسعار النفط اليوم.", "Oil prices rose today.", presplit=True, mode="parallel")
    for opt in ("keep_empty", "header", "evidence", "sidecar"):
        with pytest.raises(InputError, match=f"export: {opt} must be True or False, not 'no'"):
            al.export(tmp_path / "x.tsv", **{opt: "no"})
    for opt in ("presplit", "verbose", "force_lang"):
        with pytest.raises(InputError, match=f"{opt} must be True or False, not 'yes'"):
            parallel.align("a", "b", **{opt: "yes"})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown model 'bogus'"):
        al.report(tmp_path / "r.html", encoder="bogus")
    with pytest.raises(InputError, match="report: encoder must be a model name or an encoder"):
        al.report(tmp_path / "r.html", encoder=5)
    with pytest.raises(InputError, match="encoder must be a model name or an encoder"):
        similarity_matrix(al, encoder=5)
    assert not list(tmp_path.iterdir())
    al.export(tmp_path / "x.tsv", keep_empty=np.bool_(True), header=False)  # numpy's bool is a bool
    al.export(tmp_path / "y.tsv", fmt="TSV")  # as a .TSV suffix is read
    assert (tmp_path / "y.tsv").read_text(encoding="utf-8").startswith("src_ids\t")
    al.report(tmp_path / "r.html", encoder="use-m3")
    assert "Similarity matrix not available" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_language_errors_name_the_python_keywords() -> None:
    # stop 46: parallel.align said "pass both --src-lang and --tgt-lang" and "pass --force-lang",
    # options a Python caller does not have
    with pytest.raises(InputError, match="pass both src_lang= and tgt_lang= to align") as err:
        parallel.align("Hello there my friend.", "Good morning to you.")
    assert "--" not in str(err.value)
    # (stop 49: "ara" is Arabic's ISO 639-2 code now, processed as ar; "xx" is no language)
    with pytest.raises(InputError, match="pass force_lang=True to use it anyway"):
        parallel.align("Hello there my friend.", "Good morning to you.", src_lang="xx")


def test_numpy_numbers_are_numbers() -> None:
    # stop 38: max_link=np.int64(2), min_p=np.float32(0.3) and nearest(k=np.int64(2)) were refused
    # ("must be a whole number from 1 to 20, not np.int64(2)"): a notebook's loop variables
    import numpy as np

    ar = "ارتفعت أسعار النفط اليوم.\nوقال الوزير إن القرار مهم."
    en = "Oil prices rose today.\nThe minister said the decision is important."
    want = parallel.align(ar, en, presplit=True, mode="parallel", max_link=2)
    got = parallel.align(ar, en, presplit=True, mode="parallel", max_link=np.int64(2))
    assert [(k.src, k.tgt) for k in got.links] == [(k.src, k.tgt) for k in want.links]
    assert "max:2" in got.signature
    low = parallel.align(ar, en, presplit=True, mode="comparable", min_p=np.float32(0.25))
    assert low.mode == "comparable"
    enc = get_encoder("use-m3")
    a, b = enc.encode(ar.splitlines()), enc.encode(en.splitlines())
    from parallel.embed import nearest

    for got_side, want_side in zip(nearest(a, b, k=np.int64(1)), nearest(a, b, k=1), strict=True):
        assert np.array_equal(got_side, want_side)
    with pytest.raises(InputError, match="max_link must be a whole number"):
        parallel.align(ar, en, presplit=True, max_link=np.float64(2.0))


def test_user_mistakes_in_the_api_are_one_line_errors() -> None:
    # stop 38: raw numpy/threadpoolctl errors for ragged vectors, text as vectors, threads="2",
    # encode([None]); and a hand-made link with a negative id was exported with the last sentence
    from parallel.data import Alignment, Link
    from parallel.embed import nearest

    for bad in ([[1.0, 2.0], [3.0]], [["a", "b"]]):
        with pytest.raises(InputError, match="src_emb: a 2-D array of numbers"):
            nearest(bad, [[1.0, 2.0]])
    for threads in ("2", 1.5, True):
        with pytest.raises(InputError, match="threads must be a whole number"):
            get_encoder("use-m3", threads=threads)
    with pytest.raises(InputError, match="cache: None, False, True or a directory"):
        get_encoder("use-m3", cache=3)
    with pytest.raises(InputError, match="text 1 is NoneType"):
        get_encoder("use-m3").encode(["ok", None])
    al = parallel.align("ارتفعت أسعار النفط اليوم.", "Oil prices rose today.", presplit=True, mode="parallel")
    for link in (Link((-1,), (0,)), Link((0,), (1,))):
        with pytest.raises(InputError, match="names a sentence the documents do not have"):
            Alignment(al.src, al.tgt, (link,), "parallel", al.signature)


def test_text_options_with_documents_are_not_ignored() -> None:
    # stop 38: align(Document, Document, src_lang=..., presplit=True) ignored both in silence
    from parallel.api import make_document

    src = make_document("ارتفعت أسعار النفط اليوم.", "ar")
    tgt = make_document("Oil prices rose today.", "en")
    with pytest.raises(InputError, match="src_lang='fr', but src is a Document in 'ar'"):
        parallel.align(src, tgt, src_lang="fr")
    with pytest.raises(InputError, match="presplit applies to text, and tgt is a Document"):
        parallel.align("ارتفعت أسعار النفط اليوم.", tgt, presplit=True)
    assert parallel.align(src, tgt, src_lang="AR", tgt_lang="en", mode="parallel").links  # what it is: fine


@pytest.mark.bench
def test_a_wrongly_paired_document_taken_for_a_translation_is_said_to_be_one(shared_bench: Path, repo_module: Any
                                                                               ) -> None:
    """NTREX document 27's Arabic with document 18's English share nothing, but auto mode takes
    them for a translation (their few likely pairs fall in order); every link then reads the p of
    a link in a translation (0.6-0.9). Their links' own pair p are weak throughout, where a
    translation's, even a free one's, are not: the alignment says so (stderr, the report, `run`'s
    summary). The document with its own English says nothing."""
    docs = repo_module("scripts", "confidence_data").ntrex_docs()
    wrong = parallel.align("\n".join(docs[27][0]), "\n".join(docs[18][1]), presplit=True)
    assert wrong.mode == "parallel" and wrong.info.get("translation")
    assert "no link of these texts looks like a translation" in wrong.info["warning"]
    right = parallel.align("\n".join(docs[27][0]), "\n".join(docs[27][1]), presplit=True)
    assert "warning" not in right.info


def test_min_p_in_parallel_mode_undoes_links_as_the_command_line_does(shared_bench: Path, tmp_path: Path) -> None:
    """`align --min-p 0.99 --mode parallel` undoes the links under the bar (their sentences 1-0/0-1);
    `parallel.align(..., mode="parallel", min_p=0.99)` kept them all, so the API and the command
    line wrote different files for the same call. Both write the same bytes now."""
    from click.testing import CliRunner

    from parallel.cli import main

    d = shared_bench / "derived" / "ntrex128_ar_en" / "parallel"
    ar, en = (d / "00.ar").read_text(encoding="utf-8"), (d / "00.en").read_text(encoding="utf-8")
    al = parallel.align(ar, en, src_lang="ar", tgt_lang="en", presplit=True, mode="parallel", min_p=0.99)
    kept = [k for k in al.links if k.src and k.tgt]
    assert kept and all(k.features["p"] >= 0.99 for k in kept) and len(kept) < len(al.links)
    assert sorted(i for k in al.links for i in k.src) == list(range(len(al.src)))  # every sentence once
    assert al.signature.endswith("|filter:min-p=0.99")
    # the undoing is align_documents' own (run takes it there too), and says how many it undid
    s = parallel.make_document(ar, "ar", presplit=True)
    t = parallel.make_document(en, "en", presplit=True)
    direct = align_documents(s, t, mode="parallel", min_p=0.99)
    assert direct.links == al.links
    whole = align_documents(s, t, mode="parallel")
    pairs = [k for k in whole.links if k.src and k.tgt]
    assert min_p_undone(direct) == (sum(k.features["p"] < 0.99 for k in pairs), len(pairs))
    assert min_p_undone(whole) is None
    al.export(str(tmp_path / "api.tsv"))
    res = CliRunner().invoke(main, ["align", str(d / "00.ar"), str(d / "00.en"), "--presplit", "--mode", "parallel",
                                    "--src-lang", "ar", "--tgt-lang", "en", "--min-p", "0.99", "-o",
                                    str(tmp_path / "cli.tsv"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "api.tsv").read_bytes() == (tmp_path / "cli.tsv").read_bytes()


def test_a_path_for_a_text_and_a_text_for_a_path_are_said(tmp_path: Path) -> None:
    """`align(ar_text, "doc.en.txt")` aligned the file's name as a one-sentence English text;
    `read_document(text)` raised OSError "File name too long" from deep inside; make_document took
    presplit="no" and force_lang="no" as true. Each is a one-line InputError now."""
    doc = tmp_path / "doc.en.txt"
    doc.write_text("The boy went to school.\n", encoding="utf-8")
    ar = "ذهب الولد إلى المدرسة. كانت السماء ممطرة."
    with pytest.raises(InputError, match="target: '.*doc.en.txt' is the name of a file, not its text: read it"):
        parallel.align(ar, str(doc))
    with pytest.raises(InputError, match="text: '.*doc.en.txt' is the name of a file"):
        parallel.make_document(str(doc))
    with pytest.raises(InputError, match="read_document takes a file path, and this is text"):
        parallel.read_document(ar * 200)
    with pytest.raises(InputError, match="read_document takes a file path, and this is text"):
        parallel.read_document("first line\nsecond line")
    for flag in ("presplit", "force_lang"):
        with pytest.raises(InputError, match=f"{flag} must be True or False, not 'no'"):
            parallel.make_document(ar, "ar", **{flag: "no"})
    assert parallel.read_document(doc).sentences == ["The boy went to school."]  # a path still reads
    assert parallel.make_document("doc.en.txt is a name we talk about.", "en").sentences  # text stays text


def test_wrong_types_at_the_link_and_retrieval_calls_say_what_is_needed() -> None:
    """nearest(one_to_one="no") was read as True (align refuses presplit="no"), and
    al.src_text(0) was an AttributeError from inside: both one clear InputError now."""
    from parallel.embed import nearest

    a = np.eye(3, dtype=np.float32)
    for flag in ("one_to_one", "center"):
        with pytest.raises(InputError, match=f"{flag} must be True or False, not 'no'"):
            nearest(a, a, **{flag: "no"})
    assert [x.tolist() for x in nearest(a, a, one_to_one=np.True_)] == [[0, 1, 2], [0, 1, 2]]
    al = parallel.align("ذهب الولد إلى المدرسة.", "The boy went to school.", model="use-m3", cache=False)
    for call in (al.src_text, al.tgt_text):
        with pytest.raises(InputError, match=r"a Link of the alignment is needed, not int \(al.links\[0\] is link 0\)"):
            call(0)  # type: ignore[arg-type]
    assert al.src_text(al.links[0]) == "ذهب الولد إلى المدرسة." and al.tgt_text(al.links[0]) == "The boy went to school."


class _Recording:
    """The bundled encoder, recording every text that reaches it."""

    def __init__(self) -> None:
        self.inner = get_encoder("use-m3", cache=False)
        self.name = self.inner.name
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.inner.encode(texts)


@pytest.mark.parametrize("kind", ["onemany", "merged"])
def test_one_alignment_embeds_each_text_once(shared_bench: Path, kind: str) -> None:
    """The search embeds the joined sides of the links it chooses, and the evidence embedded them
    again, and twice over (once for p, once for cosine and margin): on Text+Berg test 99% of the
    evidence's texts had been embedded by the search, on the hadith documents the evidence took 0.66x
    the time of embedding each sentence once (0.31x now). Every text now reaches the encoder once in
    one alignment, and every link still gets its evidence."""
    from parallel.api import make_document

    root = shared_bench / "derived" / "ntrex128_ar_en" / kind
    ar, en = ((root / f"00.{x}").read_text(encoding="utf-8") for x in ("ar", "en"))
    enc = _Recording()
    al = align_documents(make_document(ar, "ar", presplit=True), make_document(en, "en", presplit=True),
                         mode="parallel", model=enc)
    asked_twice = sorted({t for t in enc.texts if enc.texts.count(t) > 1})
    assert asked_twice == []
    joined = [text for k in al.links if k.src and k.tgt
              for ids, text in ((k.src, al.src_text(k)), (k.tgt, al.tgt_text(k))) if len(ids) > 1]
    assert joined and all(enc.texts.count(text) == 1 for text in joined)  # what the evidence reads, embedded once
    assert all({"p", "cosine", "margin"} <= k.features.keys() for k in al.links if k.src and k.tgt)
    # a second alignment embeds everything again: nothing is kept across documents
    again = _Recording()
    align_documents(make_document(ar, "ar", presplit=True), make_document(en, "en", presplit=True),
                    mode="parallel", model=again)
    assert again.texts == enc.texts
