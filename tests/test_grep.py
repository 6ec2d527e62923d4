"""Parallel concordance: Arabic-aware folding, mapping back to the original text, the CLI."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import read_pty
from pairs_factory import make_doc

from parallel.cli import main
from parallel.concordance import compile_pattern, concordance, counts, fold_text, fold_with_map
from parallel.data import Alignment, Link
from parallel.errors import InputError
from parallel.export import write_json

AR = ["قالت مُنَظَّمَةُ الصِّحَّةِ العالمية إنّ الوضع خطير.",  # diacritics
      "وأضافت أن التعاون ضـــروري في أول وقت.",  # tatweel, hamza on alef
      "إلى اللقاء في المستشفى.",  # hamza below, alef maqsura
      "سُئل عن ١٢ مريضاً في المنظمة."]  # Arabic-Indic digits, hamza on ya
EN = ["The World Health Organization said the situation was serious.",
      "It added that cooperation was essential at the earliest time.",
      "Goodbye from the HOSPITAL.", "An unmatched English sentence about health."]


@pytest.fixture
def al() -> Alignment:
    links = (Link((0,), (0,), 0.9), Link((1,), (1,), 0.8), Link((2,), (2,), 0.7))
    return Alignment(make_doc(AR, "ar", sep=" "), make_doc(EN, "en", sep=" "), links, "comparable", "model:use-m3")


def test_folding_ignores_marks_and_variants() -> None:
    assert fold_text("مُنَظَّمَةُ", "ar") == fold_text("منظمه", "ar")
    assert fold_text("ضـــروري", "ar") == fold_text("ضروري", "ar")
    assert fold_text("أول إلى آخر", "ar") == fold_text("اول الي اخر", "ar")
    assert fold_text("سُئل", "ar") == fold_text("سيل", "ar")
    assert fold_text("١٢", "ar") == "12"
    assert fold_text("WHO", "en") == "who"
    # a soft hyphen or word joiner inside a word (text copied out of a PDF or a web page; stop 57:
    # grep found 1 of 4 occurrences of المستشفى in such a file)
    assert fold_text("المستش\u00adفى", "ar") == fold_text("المستشفى", "ar")
    assert fold_text("الوز\u2060ير", "ar") == fold_text("الوزير", "ar")
    assert fold_text("con\u00adtent", "en") == "content"


def test_fold_map_points_back_to_the_original() -> None:
    text = "مُنَظَّمَة"
    folded, starts = fold_with_map(text, "ar")
    assert len(starts) == len(folded) + 1 and starts[-1] == len(text)
    assert all(text[starts[k]] and fold_text(text[starts[k]]) == folded[k] for k in range(len(folded)))


#: Words of the Qur'an in its Uthmani script and in the standard spelling a reader types (a
#: verse holds an alef wasla ٱ somewhere, which says the text is Uthmani: hence ٱلَّذِينَ, ٱلشَّيۡطَٰنُ)
UTHMANI = [("ٱلصَّلَوٰةَ", "الصلاة"), ("ٱلزَّكَوٰةَ", "الزكاة"), ("ٱلۡقُرۡءَانُ", "القرآن"), ("ٱلۡحَٰسِبِينَ", "الحاسبين"),
           ("مَوۡلَىٰهُمُ", "مولاهم"), ("عَلَىٰ", "على"), ("هَٰذَا", "هذا"), ("ٱلرَّحۡمَٰنِ", "الرحمن"),
           ("يَٰٓأَيُّهَا", "يا أيها"), ("شَيۡـٔٗا", "شيئا"), ("خَطَـٔٗا", "خطأ"), ("ٱلۡـَٰٔنَ", "الآن"),
           ("بِـَٔايَٰتِنَا", "بآياتنا"), ("إِبۡرَٰهِـۧمَ", "إبراهيم"), ("ٱلَّذِينَ ءَامَنُواْ", "الذين آمنوا"),
           ("ٱلشَّيۡطَٰنُ سَوۡءَٰتِهِمَا", "الشيطان سوآتهما")]


@pytest.mark.parametrize("uthmani,standard", UTHMANI)
def test_the_qurans_uthmani_spelling_is_found_by_the_standard_one(uthmani: str, standard: str) -> None:
    """A linguist types الصلاة, not ٱلصَّلَوٰةَ (the Uthmani script writes a long a as a dagger alef, on
    a waw or an alef maqsura, and a hamza on a tatweel): search read both as one word, and the hit
    is the word as written. Before, الصلاة, القرآن, السماوات and شيئا found none of their 61, 50,
    183 and 76 verses in the Qur'an's Uthmani text."""
    from parallel.normalize import search_spelling

    assert len(search_spelling(uthmani)) == len(uthmani)  # one character for one: hits map back
    al = Alignment(make_doc([f"قال {uthmani} هنا"], "ar"), make_doc(["said"], "en"), (Link((0,), (0,), 0.9),),
                   "parallel", "model:use-m3")
    hits = concordance(al, standard, side="src", word=True)
    assert len(hits) == 1  # the word as written (less a final alef the standard spelling drops: خطأ)
    assert uthmani.startswith(hits[0].match) and len(hits[0].match) >= len(uthmani) - 1


def test_a_whole_arabic_word_may_carry_its_proclitics() -> None:
    """Stop 51: ``-w الزكاة`` found nothing in a sura whose two zakats are both وَٱلزَّكَوٰةِ, and
    الرحمن missed لِلرَّحۡمَٰنِ (the article's alef dropped after ل). A whole Arabic word may carry
    the proclitics و ف ب ك ل, and the hit is the word itself; a longer word is still not it."""
    text = "اقيموا الصلاة والزكاة وبالزكاة فالزكاة للزكاة الزكاةهم سالزكاة"
    hits = [m.group() for m in compile_pattern("الزكاة", word=True).finditer(fold_text(text))]
    assert hits == ["الزكاه"] * 3 + ["لزكاه"]  # و ف وب, and ل (the alef dropped); not -هم, not س-
    assert compile_pattern("الرحمن").search(fold_text("وَلِلرَّحۡمَٰنِ"))  # also without -w
    assert compile_pattern("الرحمن", word=True).search(fold_text("فللرحمن"))
    assert not compile_pattern("الرحمن", word=True).search(fold_text("باللرحمن"))
    assert not compile_pattern("الصحة", word=True).search(fold_text("بالصحةالعامة"))
    # Latin patterns keep the plain word boundary
    assert not compile_pattern("health", word=True).search(fold_text("whealth"))


def test_a_dagger_alef_the_standard_spelling_does_not_write_is_not_an_alef() -> None:
    """هٰذا and الرحمٰن are هذا and الرحمن, not هاذا; عَلَىٰ at the end of a word is على, not علا; and
    text without the Uthmani letters is left as it was."""
    from parallel.normalize import search_spelling

    assert fold_text("هَٰذَا") != fold_text("هاذا") and fold_text("هٰذا") == fold_text("هذا")
    assert fold_text("عَلَىٰ") != fold_text("علا")
    for text in AR + EN:
        assert search_spelling(text) == text


def test_typographic_quotes_and_dashes_match_the_keyboards(al: Alignment) -> None:
    """``China's`` finds ``China’s``, ``"art"`` finds ``“art”``, ``e-mail`` finds ``e‑mail`` (U+2011),
    ``1"`` finds ``1″`` (which NFKC would take as two primes), and each hit is the text as written."""
    en = ["China’s “art” by e\u2011mail.", "A 1″ gap, 5\u22123.", "Plain China's \"art\" by e-mail."]
    doc = make_doc(en, "en", sep=" ")
    al = Alignment(doc, doc, (Link((0,), (0,), 0.9),), "comparable", "model:use-m3")
    for pattern, written in [("China's", "China’s"), ('"art"', "“art”"), ("e-mail", "e\u2011mail"),
                             ('1"', "1″"), ("5-3", "5\u22123"), ("china’s", "China’s")]:
        hits = concordance(al, pattern, side="tgt")
        assert [h.match for h in hits if h.sentence != 2] == [written], pattern
        assert all(h.text[h.start:h.end] == h.match for h in hits)
        assert any(h.sentence == 2 for h in hits) or pattern in ('1"', "5-3")  # the ASCII text too
    assert fold_text("1″") == '1"'


def test_a_number_matches_with_or_without_thousands_separators() -> None:
    """``1000`` did not find ``1,000`` (nor ``١٬٠٠٠``), and ``1,000`` did not find ``1000``; a
    regular expression keeps its own meaning."""
    ar = ["تلقى ١٬٥٠٠٬٠٠٠ شخص اللقاح.", "بلغ العدد 1500000 في 2019."]
    en = ["1,500,000 people were vaccinated.", "In 2019, 2,019 and 1,2 were listed."]
    al = Alignment(make_doc(ar, "ar", sep=" "), make_doc(en, "en", sep=" "),
                   (Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)), "parallel", "model:use-m3")
    for pattern in ("1500000", "1,500,000", "١٥٠٠٠٠٠"):
        hits = concordance(al, pattern)
        assert [(h.side, h.sentence, h.match) for h in hits] == [
            ("src", 0, "١٬٥٠٠٬٠٠٠"), ("src", 1, "1500000"), ("tgt", 0, "1,500,000")], pattern
    assert [h.match for h in concordance(al, "2019", side="tgt")] == ["2019", "2,019"]
    assert [h.match for h in concordance(al, "2019", side="tgt", word=True)] == ["2019", "2,019"]
    assert [h.match for h in concordance(al, "1,2", side="tgt")] == ["1,2"]  # no thousands here
    assert concordance(al, "1500000", regex=True, side="tgt") == []  # a regex as written
    assert fold_text("1,500") == "1,500"  # the text's folding is unchanged


def test_hits_are_shown_as_written(al: Alignment) -> None:
    hits = concordance(al, "منظمة الصحة", side="src")
    assert len(hits) == 1
    h = hits[0]
    assert h.match == "مُنَظَّمَةُ الصِّحَّةِ"  # with its diacritics, the last mark included
    assert h.text[h.start:h.end] == h.match
    assert h.link == 0 and h.other_ids == (0,) and h.other_text == EN[0]
    assert h.left(100) == "قالت "


@pytest.mark.parametrize("pattern,sentence", [("ضروري", 1), ("اول", 1), ("الى", 2), ("سئل", 3),
                                              ("12", 3), ("منظمه", 0)])
def test_arabic_variants_match(al: Alignment, pattern: str, sentence: int) -> None:
    hits = concordance(al, pattern, side="src")
    assert [h.sentence for h in hits][:1] == [sentence]
    assert concordance(al, pattern, side="src", word=True)[0].sentence == sentence


def test_unmatched_sentences_have_no_aligned_side(al: Alignment) -> None:
    hits = concordance(al, "health", side="tgt")
    assert [(h.sentence, h.link) for h in hits] == [(0, 0), (3, None)]
    assert hits[1].other_text == "" and hits[1].other_ids == ()
    c = counts(hits)
    assert c == {"matches": 2, "src": 0, "tgt": 2, "sentences": 2, "links": 1, "unmatched": 1}


def test_regex_word_and_sides(al: Alignment) -> None:
    assert [h.match for h in concordance(al, r"\d+", regex=True)] == ["١٢"]
    assert {h.side for h in concordance(al, "the|في", regex=True)} == {"src", "tgt"}
    assert concordance(al, "hospital", side="src") == []
    assert [h.match for h in concordance(al, "hospital", side="tgt")] == ["HOSPITAL"]
    assert [h.match for h in concordance(al, "at", side="tgt", word=True)] == ["at"]
    assert len(concordance(al, "at", side="tgt")) > 1  # also inside words
    with pytest.raises(InputError):
        compile_pattern("(", regex=True)
    with pytest.raises(InputError):
        compile_pattern("\u064e\u064f")  # only diacritics


def _file(tmp_path: Path, al: Alignment) -> Path:
    p = tmp_path / "a.json"
    with open(p, "w", encoding="utf-8") as fh:
        write_json(al, fh)
    return p


def test_cli(tmp_path: Path, al: Alignment) -> None:
    path = _file(tmp_path, al)
    runner = CliRunner()
    res = runner.invoke(main, ["grep", "الصحة", str(path)])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("L0\tar:0\t")
    assert "«مُنَظَّمَةُ»" not in lines[0] and "«الصِّحَّةِ»" in lines[0] and EN[0][:40] in lines[0]
    res = runner.invoke(main, ["grep", "health", str(path), "--count"])
    assert res.exit_code == 0
    assert res.output.startswith("2 matches (ar: 0, en: 2) in 2 sentences, 1 link, 1 unmatched sentence\n")
    res = runner.invoke(main, ["grep", "-E", r"\d+", str(path), "-f", "jsonl"])
    rec = json.loads(res.output)
    assert rec["match"] == "١٢" and rec["link"] is None and rec["lang"] == "ar"
    res = runner.invoke(main, ["grep", "was", str(path), "-s", "tgt", "-f", "tsv"])
    rows = [ln.split("\t") for ln in res.stdout.splitlines()]
    assert rows[0] == ["link", "lang", "sentence", "left", "match", "right", "other_lang", "other_ids", "other"]
    assert [r[4] for r in rows[1:]] == ["was", "was"]
    res = runner.invoke(main, ["grep", "was", str(path), "-s", "tgt", "-f", "tsv", "--no-header"])
    assert [ln.split("\t")[4] for ln in res.stdout.splitlines()] == ["was", "was"]
    res = runner.invoke(main, ["grep", "nothing-like-this", str(path)])
    assert res.exit_code == 1 and res.stdout == ""   # it said nothing at all
    assert res.stderr.startswith("no match for 'nothing-like-this' (text, searched as 'nothing-like-this'")
    assert "in ar and en" in res.stderr and len(res.stderr.splitlines()) == 1
    res = runner.invoke(main, ["grep", "nothing-like-this", str(path), "-q"])
    assert res.exit_code == 1 and res.output == ""
    for empty_only in ("^", "$", r"\b"):  # matches, but never a character: said, not "0 matches"
        res = runner.invoke(main, ["grep", "-E", empty_only, str(path)])
        assert res.exit_code == 2 and "matches only empty text" in res.output, res.output
    res = runner.invoke(main, ["grep", "-E", "a*", str(path), "-s", "tgt", "--count"])
    assert res.exit_code == 0  # can match empty text, but also finds its letters
    # marks are folded away before matching: a pattern of marks only says so, not "empty text"
    res = runner.invoke(main, ["grep", "-E", "\u0640", str(path)])  # tatweel alone
    assert res.exit_code == 2 and "is empty once diacritics are ignored" in res.output, res.output
    res = runner.invoke(main, ["grep", "-E", r"[\u064B-\u0652]", str(path)])  # vowel marks, as a class
    # (stop 46: a range is read one character at a time, so this is known before the search)
    assert res.exit_code == 2 and "a character class of marks grep ignores" in res.output, res.output
    assert r"pattern [\u064B-\u0652]:" in res.output  # as typed, not doubled by repr
    res = runner.invoke(main, ["grep", "(", str(path), "-E"])
    assert res.exit_code == 2 and res.output.startswith("parallel-corpus: error: bad regular expression")
    res = runner.invoke(main, ["grep", "x", str(tmp_path / "missing.json")])
    assert res.exit_code == 2


def test_case_sensitive_mode(al: Alignment) -> None:
    assert [h.sentence for h in concordance(al, "hospital")] == [2]
    assert concordance(al, "hospital", case_sensitive=True) == []
    assert [h.match for h in concordance(al, "HOSPITAL", case_sensitive=True)] == ["HOSPITAL"]
    assert concordance(al, r"h\w+L", regex=True, case_sensitive=True) == []
    assert [h.match for h in concordance(al, r"H\w+L", regex=True, case_sensitive=True)] == ["HOSPITAL"]
    # Arabic folding (diacritics, hamza variants) still applies when case counts
    assert [h.sentence for h in concordance(al, "منظمة الصحة", case_sensitive=True)] == [0]
    assert [h.sentence for h in concordance(al, "الى", case_sensitive=True)] == [2]


def test_cli_case_sensitive_word(tmp_path: Path) -> None:
    en = ["Experts who went to Wuhan met WHO officials.", "The WHO said so."]
    al = Alignment(make_doc(["جملة.", "جملة أخرى."], "ar", sep=" "), make_doc(en, "en", sep=" "),
                   (Link((0,), (0,), 0.9), Link((1,), (1,), 0.8)), "parallel", "model:use-m3")
    path = _file(tmp_path, al)
    runner = CliRunner()
    res = runner.invoke(main, ["grep", "-w", "WHO", str(path), "-f", "tsv", "--no-header"])
    assert [ln.split("\t")[4] for ln in res.output.splitlines()] == ["who", "WHO", "WHO"]
    for flag in ("-S", "--case-sensitive"):
        res = runner.invoke(main, ["grep", "-w", flag, "WHO", str(path), "-f", "tsv", "--no-header"])
        assert res.exit_code == 0
        assert [ln.split("\t")[4] for ln in res.output.splitlines()] == ["WHO", "WHO"]
    res = runner.invoke(main, ["grep", "-S", "-w", "who", str(path), "-s", "tgt", "--count"])
    assert res.output.startswith("1 match (")


def test_plain_output_has_no_invisible_isolates_or_colour(tmp_path: Path, al: Alignment) -> None:
    """Into a file or pipe the text format is plain: no U+2068/U+2069, no escapes, «» marks."""
    path = _file(tmp_path, al)
    res = CliRunner().invoke(main, ["grep", "-E", ".", str(path), "-n", "5"])
    assert res.exit_code == 0 and res.output
    assert "\u2068" not in res.output and "\u2069" not in res.output and "\x1b[" not in res.output
    assert "«" in res.output
    res = CliRunner().invoke(main, ["grep", "الصحة", str(path), "--color", "always"])
    assert "\x1b[1;31m" in res.output and "«" not in res.output


def _run_on_a_terminal(args: list[str], env_update: dict[str, str]) -> str:
    """Run the CLI with stdout on a real pseudo-terminal; everything it printed."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {**os.environ, **env_update, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    if "NO_COLOR" not in env_update:
        env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "parallel", *args], stdout=slave,
                            stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = read_pty(master)
    os.close(master)
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    return out.decode("utf-8").replace("\r\n", "\n")


def test_terminal_colour_honours_no_color_and_isolates_only_arabic(tmp_path: Path, al: Alignment) -> None:
    path = str(_file(tmp_path, al))
    out = _run_on_a_terminal(["grep", "الصحة", path], {"TERM": "xterm"})
    line = out.splitlines()[0]
    assert "\x1b[1;31m" in line  # colour on a terminal
    kwic, aligned = line.split("\t")[2:4]
    assert kwic.startswith("\u2068") and kwic.endswith("\u2069")  # the Arabic run is isolated
    assert aligned == "en:0 " + EN[0]  # an English run is left alone
    out = _run_on_a_terminal(["grep", "الصحة", path], {"TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b[" not in out and "«الصِّحَّةِ»" in out and "\u2068" in out
    out = _run_on_a_terminal(["grep", "الصحة", path, "--color", "always"], {"TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b[1;31m" in out
    out = _run_on_a_terminal(["grep", "الصحة", path, "--color", "never"], {"TERM": "xterm"})
    assert "\x1b[" not in out


def test_presentation_forms_match_their_letters() -> None:
    """U+FEFB (lam-alef ligature) finds 'لا' and is found by it (NFKC on pattern and text), and the
    hit still points at the characters as written."""
    ar = ["قال ﻻ شيء هنا.", "قال لا شيء هنا."]
    al = Alignment(make_doc(ar, "ar", sep=" "), make_doc(["He said nothing.", "He said nothing."], "en", sep=" "),
                   (Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)), "parallel", "model:use-m3")
    for pattern in ("ﻻ", "لا"):
        hits = concordance(al, pattern, side="src", word=True)
        assert [(h.sentence, h.match) for h in hits] == [(0, "ﻻ"), (1, "لا")], pattern
    h = concordance(al, "ﻻ شيء", side="src")[0]
    assert (h.start, h.end, h.left(10), h.right(10)) == (4, 9, "قال ", " هنا.")
    assert [h.sentence for h in concordance(al, "ﻻ\\s", regex=True, side="src")] == [0, 1]


def test_counts_line_and_no_match_line_say_it_in_words(al: Alignment) -> None:
    from parallel.concordance import TSV_COLUMNS, counts_line, no_match_line

    one = counts(concordance(al, "منظمة الصحة", side="src"))
    assert counts_line(one, "ar", "en") == "1 match (ar: 1, en: 0) in 1 sentence, 1 link"
    two = counts(concordance(al, "health"))
    assert counts_line(two, "ar", "en") == ("2 matches (ar: 0, en: 2) in 2 sentences, 1 link, "
                                            "1 unmatched sentence")
    line = no_match_line("ﻻ", al)
    assert "searched as 'لا'" in line and "in ar and en (4 + 4 sentences)" in line
    assert no_match_line("X", al, side="tgt", case_sensitive=True).endswith("in en (4 sentences)")
    assert len(TSV_COLUMNS) == 9


def test_a_space_in_the_pattern_matches_any_run_of_white_space_and_bidi_controls_are_ignored() -> None:
    """A phrase over a line break inside a sentence, across two spaces, around a dropped Quranic
    pause mark or across bidi embeddings/isolates was never found."""
    ar = ["إن الاقتصاد الوطني\nسيتحسن كثيرا.", "وأضاف  الوزير أن البطالة ستنخفض.",
          "قال مدير \u202bالشركة\u202c إن \u2067Apple\u2069 ستفتتح فرعا.", "لَا رَيْبَ ۛ فِيهِ."]
    en = ["The national\neconomy will improve.", "The  minister added it.", "Apple will open.", "No doubt."]
    al = Alignment(make_doc(ar, "ar", sep=" "), make_doc(en, "en", sep=" "),
                   tuple(Link((k,), (k,), 0.9) for k in range(4)), "parallel", "model:use-m3")
    for pattern, side, sentence, written in (("الوطني سيتحسن", "src", 0, "الوطني\nسيتحسن"),
                                             ("national economy", "tgt", 0, "national\neconomy"),
                                             ("وأضاف الوزير", "src", 1, "وأضاف  الوزير"),
                                             ("The minister", "tgt", 1, "The  minister"),
                                             ("مدير الشركة", "src", 2, "مدير \u202bالشركة\u202c"),
                                             ("إن Apple", "src", 2, "إن \u2067Apple\u2069"),
                                             ("لا ريب فيه", "src", 3, "لَا رَيْبَ ۛ فِيهِ")):
        hits = concordance(al, pattern, side=side)
        assert [(h.sentence, h.match) for h in hits] == [(sentence, written)], pattern


def test_context_never_opens_on_a_vowel_mark() -> None:
    ar = ["ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ فِيهِ هُدًى لِّلْمُتَّقِينَ."]
    al = Alignment(make_doc(ar, "ar", sep=" "), make_doc(["That is the Book."], "en", sep=" "), (Link((0,), (0,), 0.9),),
                   "parallel", "model:use-m3")
    (h,) = concordance(al, "للمتقين", side="src")
    for width in range(1, 30):
        left = h.left(width)
        assert not left or unicodedata.category(left[0]) != "Mn", (width, left)
    h = concordance(al, "ريب", side="src")[0]
    for width in range(1, 30):
        after = h.end + len(h.right(width))   # the context ends with the marks of its last letter
        assert after == len(ar[0]) or unicodedata.category(ar[0][after]) != "Mn", width


@pytest.mark.parametrize(("pattern", "same_as"), [
    ("عُ?قد", "عقد"),          # a mark's quantifier goes with the mark, not onto the letter before it
    ("مُنَظَّمَة", "منظمة"),
    ("\\u0623", "أ"),           # a letter by its code folds as the typed letter does
    ("ﻻ+", "(?:لا)+"),         # a presentation form folding to two letters stays one unit
    ("[أب]ن", "[اب]ن"),
])
def test_a_regular_expression_means_over_folded_text_what_it_means_over_the_raw(pattern: str, same_as: str) -> None:
    # stop 36: each non-ASCII character was folded alone, so `عُ?قد` meant `ع?قد` (every قد),
    # `[ﻻ]` any ل or ا, and `\u0623` (أ) "matches only characters grep ignores"
    text = fold_text("عقد الاجتماع وقد قال إن المنظمة لا أمل لا لا ابن بن")
    got = [m.group() for m in compile_pattern(pattern, regex=True).finditer(text)]
    assert got and got == [m.group() for m in compile_pattern(same_as, regex=True).finditer(text)]
    assert got == [m.group() for m in re.finditer(fold_text(same_as), text)]


@pytest.mark.parametrize(("pattern", "message"), [
    ("[ﻻ]", "several letters where a character class takes one"),
    ("[\u064e\u064f]", "a character class of marks grep ignores"),
])
def test_a_class_grep_cannot_fold_is_refused(pattern: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compile_pattern(pattern, regex=True)


@pytest.mark.parametrize(("pattern", "raw", "want"), [
    ("[٠-٩]+", "وصل ٣٫٥ مليون زائر عام ٢٠٢٠.", ["3", "5", "2020"]),   # Arabic-Indic digits fold to 0-9
    ("[\\u0660-\\u0669]{4}", "عام ٢٠٢٠", ["2020"]),
    ("[أ-ب]عضاء", "أعضاء الجمعية", ["اعضاء"]),                          # a range of hamza letters
    ("caf[à-ü]", "un café", ["cafe"]),                                    # accented Latin folds
])
def test_a_class_range_means_over_folded_text_what_it_means_over_the_raw(pattern: str, raw: str,
                                                                        want: list[str]) -> None:
    # stop 46: a range was kept as written, so [٠-٩] looked for characters folded text never holds
    assert [m.group() for m in compile_pattern(pattern, regex=True).finditer(fold_text(raw))] == want


def test_a_class_that_folding_really_excludes_is_no_match_not_an_error(tmp_path: Path) -> None:
    # stop 46: [^ا]عضاء finds nothing in folded text (أ folds to ا), and grep said it "matches only
    # characters grep ignores" with exit 2, because the raw text's أ matched
    doc = Alignment(make_doc(["قال أعضاء الجمعية"], "ar"), make_doc(["Members said"], "en"), [Link((0,), (0,))],
                    "parallel", "model:t|mode:parallel")
    path = _file(tmp_path, doc)
    res = CliRunner().invoke(main, ["grep", "-E", "[^ا]عضاء", str(path)])
    assert res.exit_code == 1 and "matches only characters grep ignores" not in res.stderr, res.output
    res = CliRunner().invoke(main, ["grep", "-E", "ـ+", str(path)])  # a tatweel: still said so
    assert res.exit_code == 2 or "grep ignores" in res.stderr


def test_an_ascii_character_given_by_its_code_stays_a_literal() -> None:
    # stop 36 (review of the change): \x2e was decoded to "." and matched any character
    rx = compile_pattern(r"a\x2eb|\u0028c", regex=True)
    assert rx.search("a.b") and rx.search("(c") and not rx.search("axb")


def test_count_in_the_format_asked(tmp_path: Path, al: Alignment) -> None:
    # -c -f tsv / -f jsonl printed the sentence meant for people, not a line a tool reads
    path = _file(tmp_path, al)
    want = counts(concordance(al, "health"))
    res = CliRunner().invoke(main, ["grep", "health", str(path), "-c", "-f", "jsonl"])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"src_lang": al.src.lang, "tgt_lang": al.tgt.lang, **want}
    res = CliRunner().invoke(main, ["grep", "health", str(path), "-c", "-f", "tsv"])
    head, row = res.stdout.splitlines()
    assert dict(zip(head.split("\t"), row.split("\t"), strict=True)) == {
        "src_lang": al.src.lang, "tgt_lang": al.tgt.lang, **{k: str(v) for k, v in want.items()}}
    res = CliRunner().invoke(main, ["grep", "health", str(path), "-c"])
    assert res.stdout.startswith(f"{want['matches']} match")


def test_urdu_heh_and_the_persian_non_joiner_match_their_variants() -> None:
    """Stop 50 (explore49-lang §9): Urdu's heh goal and heh doachashmee (ماہرین, بھی) were not found
    from the Arabic heh a keyboard types (ماهرین, بهی), and a Persian compound written with a
    zero-width non-joiner (سه‌شنبه) was not found from the common spelling with a space (سه شنبه).
    Each hit is the text as written, non-joiner included."""
    ur = ["ماہرین کا کہنا ہے کہ یہ بھی ضروری ہے۔", "ماهرین نے کہا۔"]
    fa = ["روز سه‌شنبه اعلام کرد.", "روز سه شنبه اعلام کرد.", "روز سهشنبه اعلام کرد.", "عبدالله آمد."]
    al = Alignment(make_doc(ur + fa, "ur", sep=" "), make_doc(["Experts say."] * 6, "en", sep=" "),
                   tuple(Link((k,), (k,), 0.9) for k in range(6)), "parallel", "model:use-m3")

    def found(pattern: str, **kw: bool) -> list[tuple[int, str]]:
        hits = concordance(al, pattern, side="src", **kw)
        assert all(h.text[h.start:h.end] == h.match for h in hits)
        return [(h.sentence, h.match) for h in hits]

    assert found("ماهرین") == found("ماہرین") == [(0, "ماہرین"), (1, "ماهرین")]
    assert found("بهی") == [(0, "بھی")]
    assert found("کہنا ہے") == [(0, "کہنا ہے")]
    spellings = [(2, "سه\u200cشنبه"), (3, "سه شنبه"), (4, "سهشنبه")]
    assert found("سه شنبه") == found("سه\u200cشنبه") == spellings
    assert found("سه شنبه", word=True) == spellings
    assert found("سهشنبه") == [(2, "سه\u200cشنبه"), (4, "سهشنبه")]  # a space is not put in where none was typed
    assert found("عبد الله") == [(5, "عبدالله")]
    assert found("\u200cسه") == [(k, "سه") for k in (2, 3, 4)]  # a non-joiner at its ends is nothing, nor in a hit
    with pytest.raises(InputError):
        compile_pattern("\u200c")
    en = make_doc(["New York is big.", "Newyork is a typo."], "en", sep=" ")
    assert [h.sentence for h in concordance(Alignment(en, en, (), "comparable", "model:use-m3"), "new york",
                                            side="src")] == [0]  # a space between Latin letters stays one


def test_a_number_matches_with_the_thousands_separators_of_other_languages() -> None:
    """Stop 50 (explore49-lang §9, explore49-web §9): 2500 did not find the Spanish 2.500, nor 5000
    the French 5 000 (a narrow no-break space), nor 350000 the Arabic web's 350.000. A full stop, a
    space or an apostrophe between groups of three digits is a thousands separator as a comma is, the
    same one throughout a number (1,234.567 is no 1234567), and a decimal stays a decimal."""
    es = ["El plan cuesta 2.500 millones y 1.234.567 euros.", "Cuesta 3.5 o 35 o 3,5 euros."]
    fr = ["Il y a eu 5\u202f000 visiteurs et 12 000 billets, 1\u00a0234\u00a0567 au total.",
          "Soit 1,234.567 tonnes ou 1.234.567,89 euros, 1\u2019234\u2019567 en Suisse."]
    al = Alignment(make_doc(es, "es", sep=" "), make_doc(fr, "fr", sep=" "),
                   (Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)), "parallel", "model:use-m3")

    def found(pattern: str, **kw: bool) -> list[tuple[str, int, str]]:
        hits = concordance(al, pattern, **kw)
        assert all(h.text[h.start:h.end] == h.match for h in hits)
        return [(h.side, h.sentence, h.match) for h in hits]

    assert found("2500") == [("src", 0, "2.500")]
    assert found("5000") == [("tgt", 0, "5\u202f000")]
    assert found("12000") == found("12 000") == [("tgt", 0, "12 000")]
    million = [("src", 0, "1.234.567"), ("tgt", 0, "1\u00a0234\u00a0567"), ("tgt", 1, "1.234.567"),
               ("tgt", 1, "1\u2019234\u2019567")]
    for pattern in ("1234567", "1,234,567", "1.234.567", "1 234 567", "1\u202f234\u202f567", "1'234'567"):
        assert found(pattern) == million, pattern
    assert found("1234567", word=True) == million
    assert found("1234567,89") == [("tgt", 1, "1.234.567,89")]
    assert found("35") == [("src", 1, "35")]  # 3.5 and 3,5 are no 35
    assert found("3.5") == [("src", 1, "3.5")]
    assert found("2.500") == [("src", 0, "2.500")]  # one full stop: maybe 2.5, searched as written
    assert found("2019100") == [] and found("1000") == []


def test_a_whole_number_is_no_piece_of_a_number_grouped_in_thousands(tmp_path: Path) -> None:
    """Explore 52 §4: ``grep -w 800`` found the tail of "379,800" (and of "1,800"): a comma is no word
    character. As ``1000`` finds 1,000, a whole number is not the head or tail of one whose groups
    of three digits a comma, a full stop, a space or an apostrophe joins (Arabic's ٬ folds to a
    comma); a decimal is no group, and without ``-w`` a number is found inside another as ever."""
    en = ["An estimated population of 379,800 in 2017, and 800 in 1990.", "1,800 people; 800,000 doses.",
          "In 2019 500 people came, 12 000 in all; 2019.5 and 1.000,50 euros."]
    ar = ["بلغ عدد السكان ٣٧٩٬٨٠٠ نسمة ثم 800 فقط.", "عام ٢٠١٩ و١٢٬٨٠٠ زائر."]
    al = Alignment(make_doc(ar, "ar", sep=" "), make_doc(en, "en", sep=" "),
                   (Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)), "comparable", "model:use-m3")

    def found(pattern: str, word: bool = True) -> list[tuple[str, int, str]]:
        return [(h.side, h.sentence, h.match) for h in concordance(al, pattern, word=word)]

    assert found("800") == [("src", 0, "800"), ("tgt", 0, "800")]
    assert found("800", word=False) == [("src", 0, "٨٠٠"), ("src", 0, "800"), ("src", 1, "٨٠٠"), ("tgt", 0, "800"),
                                        ("tgt", 0, "800"), ("tgt", 1, "800"), ("tgt", 1, "800")]
    assert found("379") == [] and found("379800") == [("src", 0, "٣٧٩٬٨٠٠"), ("tgt", 0, "379,800")]
    assert found("12") == [] and found("12000") == [("tgt", 2, "12 000")]
    assert found("500") == [("tgt", 2, "500")]  # 2019 500 is no number: 2019 is no group of three
    assert found("2019") == [("src", 1, "٢٠١٩"), ("tgt", 2, "2019"), ("tgt", 2, "2019")]  # 2019.5 too
    assert found("1000") == [("tgt", 2, "1.000")]  # 1.000,50: a decimal follows, no group
    assert found("عام 12") == []
    path = tmp_path / "pop.json"
    with open(path, "w", encoding="utf-8") as fh:
        write_json(al, fh)
    res = CliRunner().invoke(main, ["grep", "-w", "800", str(path), "--no-color", "-f", "tsv", "--no-header"])
    assert res.exit_code == 0
    assert [line.split("\t")[4] for line in res.output.splitlines()] == ["800", "800"]  # no tail of 379,800


def test_an_arabic_pattern_is_found_in_an_ascii_locale() -> None:
    """With LC_ALL=C and PYTHONUTF8=0 an Arabic argument reaches Python as surrogates of its UTF-8
    bytes: grep said "no match" for a word the file holds 16 times."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    seed = Path(__file__).resolve().parents[1] / "align" / "covid-cooperation.json"
    env = {**os.environ, "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C", "LANG": "C"}
    res = subprocess.run([sys.executable, "-m", "parallel", "grep", "الصين", str(seed), "-c"], env=env,
                         capture_output=True, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode("utf-8").startswith("16 matches (ar: 16, en: 0)")
