"""Sentence segmentation with character offsets, built on NLTK's Punkt.

Pipeline for one text::

    text ─► paragraphs (line breaks) ─► Punkt candidate breaks (per language
    parameters shipped in ``resources/segment/punkt-LANG.json``) ─► closing
    quotes/brackets and footnote marks (``.[1]``, ``.¹``) moved onto the sentence
    they close ─► breaks vetoed before
    a lower-case word or a comma, after a bare enumerator (``1.``) or an inline
    list's item number (``: 1. Cut subsidies; 2. Raise wages``), after an Arabic
    ellipsis inside a quotation or before a conjunction (``«مشجعة... لكن الطريق»``),
    and before a quotation's short reporting clause (``"Ready?" CNN reported.``) ─►
    segments (offsets into ``text``)

Every segment satisfies ``seg.text == text[seg.start:seg.end]``; the text
between segments is white space only, so joining segments and gaps gives
back the input exactly.

Splitters are registered per language in :data:`SPLITTERS`; adding a language
is one :func:`register_splitter` call (a Punkt parameter file is optional).
An unknown language falls back to a generic Punkt splitter with a warning.

NLTK's package ``__init__`` imports scikit-learn and takes 1-2 s; Punkt itself
needs only a handful of small modules, so :func:`_punkt` loads just those
(see there). Parameters are read lazily, once per language.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import re
import sys
import threading
import types
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

from .data import Segment
from .lang import primary
from .normalize import INVISIBLE, INVISIBLE_TO_SPACE, VERSE_NUMBER, presentation_forms_one_to_one, strip_marks

__all__ = ["SPLITTERS", "Splitter", "SplitterSpec", "get_splitter", "presplit", "register_splitter",
           "segment", "split_paragraphs"]

RESOURCE_DIR = "resources/segment"

# Punkt's orthographic-context flags (nltk.tokenize.punkt._ORTHO_*).
ORTHO_BEG_UC = 1 << 1
ORTHO_MID_LC = 1 << 5

# Characters that end a sentence (candidates; Punkt and the rules below decide).
SENT_END = (".", "?", "!", "…", "؟", "۔", "।", "॥")  # Arabic question mark, Urdu full stop; Devanagari danda, double danda
# Sentence-internal punctuation: never a sentence end, and a candidate break
# directly followed by one of these is not a break.
INTERNAL = ",;:،؛"
# Always-closing punctuation that stays with the sentence it follows.
_CLOSERS = ")]}”’»›"
#: Chinese and Japanese sentence ends (ideographic full stop, full-width ! and ?), with the closing
#: quotes and brackets after them: those scripts put no space after a sentence, so Punkt, which
#: needs one, never cut there ("...增长５．３％。消费...", "...と発表した。平年より...")
_CJK_END = re.compile("[。！？]+[」』”’）)]*(?=[^」』”’）)])")
#: Ornate parentheses around a quoted verse (﴿ ... ﴾): texts write them either way round, so one
#: closes where it ends a word (text before it, white space or the end after it)
_ORNATE = "\ufd3e\ufd3f"
_OPEN_DQ = "“«„‹"
_QUOTES = "\"'“‘«‹„"
_CLOSE_DQ = "”»›"
_DOUBLE_QUOTE = re.compile(f'[{_OPEN_DQ}{_CLOSE_DQ}"]')
# Invisible marks (bidi controls, zero-width) treated like spacing between sentences.
_BIDI = INVISIBLE
_BIDI_TO_SPACE = INVISIBLE_TO_SPACE
#: What Punkt reads as a space: the invisible marks, and the no-break spaces a text may use
#: between every word (Punkt's word pattern takes them for letters: "school.\u00a0He" was one word)
_TO_PUNKT_SPACE = {**_BIDI_TO_SPACE, 0x00A0: " ", 0x202F: " ", 0x2007: " "}
_LEAD = " \t\r\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000" + _BIDI

_DOTTED = re.compile(r"^(?:[^\W\d_]{1,2}\.)+[^\W\d_]{0,2}\.?$")
_AR_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
#: Vowel marks, Quranic marks and tatweel that sit between the letters of a vocalised word (not
#: word characters to ``re``); combining accents of decomposed Latin text too.
_IN_WORD = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0640"
#: The generic web domains written in Arabic letters, as news sites spell their names
#: ("الجزيرة.نت", "مصراوي.كوم"): .net, .com, .org, .info
_AR_DOMAINS = ("نت", "كوم", "أورج", "اورج", "أورغ", "اورغ", "إنفو", "انفو")
#: A full stop (or the Urdu-style ۔), question or exclamation mark glued between two Arabic words
#: ("الوباء.وقال"; direction marks around it allowed: "أمس\u200f.وقال"), each
#: of at least two letters, vowel marks or not ("الاجتماعُ.ثُمَّ"); not a full stop before a domain
#: ending that ends the word ("الجزيرة.نت - أعلنت": a site's name)
_GLUED_AR = re.compile(f"[{_AR_LETTER}][{_IN_WORD}]*[{_AR_LETTER}][{_IN_WORD}]*[{_BIDI}]*"
                       f"(\\.(?!(?:{'|'.join(_AR_DOMAINS)})(?![\\w{_IN_WORD}]))|[؟!۔])"
                       f"(?=[{_BIDI}]*[{_AR_LETTER}][{_IN_WORD}]*[{_AR_LETTER}])")
#: The same after a number, a year or measure glued to its number, a per cent sign or a closing
#: bracket or quote ("عام 2010.وقال", "1945م.ثم", "2.5%.وأغلق", "(...).وأكدت", "«...».وأضاف"); not
#: after a single letter ("د.محمد": the doctor's title glued to the name)
_GLUED_AFTER = re.compile(f"(?:[0-9\u0660-\u0669][{_AR_LETTER}]{{0,2}}|[%\u066a)\\]»”\"])([.؟!])"
                          f"(?=[{_AR_LETTER}][{_IN_WORD}]*[{_AR_LETTER}])")
#: Words that go on after a year or measure written with its abbreviation ("ولد عام 1950 م. في
#: القاهرة"): prepositions and particles. Any other Arabic word after "<number> م." starts a new
#: sentence ("ولد عام 1950 م. ونشأ في ..."): a stop after a year is far more often the sentence's
#: end than the abbreviation's (which is mostly written without one), and Arabic has no capital
#: letter to tell them apart.
_AFTER_UNIT_GOES_ON = ("في", "من", "إلى", "الى", "على", "عن", "حتى", "بعد", "قبل", "حين", "عندما", "حيث",
                       "أي", "اي", "إذ", "اذ", "بين", "منذ", "خلال", "مع", "أو", "او", "و", "أم", "ل", "ب",
                       # a Hijri date then its Gregorian one: "1440 هـ. الموافق 10 مايو 2019"
                       "الموافق", "الموافقة", "الموافقين",
                       # an adverb on the amount ("٣٫٥ مليون ر.س. تقريباً.", "500 ريال فقط"): about,
                       # only, a year, a month, a day; each with its tanween written either way or not
                       *(w + end for w in ("تقريب", "سنوي", "شهري", "يومي") for end in ("اً", "ًا", "ا")), "فقط")
#: A year, measure or currency abbreviation after a number, with its stop ("1932 م.", "808 هـ.",
#: "1500 ق.م.", "6650 كم.", "500 مليون ر.س."), or a clock time's ص./م. (صباحاً/مساءً, a.m./p.m.:
#: "10:30 ص.", "9 ص.", "11:00 م.", as "11 م." already was), then an Arabic word that does not go on
#: and is no letter of a dotted abbreviation ("11511 ص. ب. 1234": a postal code, then P.O. Box)
_UNIT_END = re.compile(
    "(?<![^\\s(])[0-9\u0660-\u0669][0-9\u0660-\u0669,.\u066b\u066c]*(?::[0-9\u0660-\u0669]{2})?"
    "(?:\\s+(?:ألف|مليون|مليار|ملايين))?"
    "\\s*(?:م|ص|هـ|ه|ق\\.\\s?م|كم|سم|مم|كغ|كجم|ر\\.س|د\\.إ|د\\.ك|ج\\.م)\\."
    f"(?=\\s+(?!(?:{'|'.join(_AFTER_UNIT_GOES_ON)})(?![{_AR_LETTER}{_IN_WORD}]))(?![{_AR_LETTER}]\\.)[{_AR_LETTER}])")
#: A clock time with a.m./p.m. ("at 9 a.m.", "10:30 p.m.") then a capitalised word: the sentence ends
#: there ("at 9 a.m. Police sealed off the area"), unless that word belongs to the time
#: (:data:`_AFTER_CLOCK`, "X time") or the time opens the sentence (:data:`_FRONTED_TIME`)
_CLOCK_END = re.compile(r"(?<![\w.:])[0-9]{1,2}(?:[:.][0-9]{2})?\s?[AaPp]\.[Mm]\.(?=\s+[A-Z])")
#: Capitalised words that go on after a clock time: weekdays, months and time zones ("9 a.m. Tuesday",
#: "5 a.m. Eastern time", "7 p.m. ET tonight", "a.m. GMT"); a word before "time" ("Cairo time") too
_AFTER_CLOCK = frozenset([
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Eastern", "Central", "Mountain", "Pacific", "Atlantic", "Greenwich", "Universal", "Coordinated",
    "GMT", "UTC", "ET", "CT", "MT", "PT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AST",
    "ADT", "BST", "CET", "CEST", "EET", "EEST", "WET", "GST", "IST", "JST", "KST", "MSK", "AEST", "AEDT"])
#: A sentence opened by its time, whose clause comes after it ("At 9 a.m. Mr. Jones arrived",
#: "Shortly after 7 p.m. Police ..."): a capitalised preposition and at most two words before the number
_FRONTED_TIME = re.compile(r"(?:^|[.?!…][\"'”’)\]]*\s+)(?:At|By|Until|Till|From|Before|After|Since|Around|About|"
                           r"Shortly|Just|Starting|Beginning|Between)(?:\s+\S+){0,2}\s*$")
#: One Arabic letter and a stop: an initial of a name ("و. ب. ييتس", "ف. س. نايبول"), never a
#: sentence end of its own (a break after it only before a sentence starter, as after "د.")
_AR_INITIAL = re.compile(f"^[{_AR_LETTER}]\\.$")
#: A word of at least two letters, vowel marks between them or not
_WORDLIKE = re.compile(f"[^\\W\\d_][{_IN_WORD}]*[^\\W\\d_]")
#: A list's first item number left at the end of its introduction ("The steps are: 1.", "البنود هي: 1.")
_LIST_OPENER = re.compile(r"[:;؛：]\s+(\(?[1١][.)])$")
#: A short list number and its stop ("1.", "١٢.", "و٣."): one or two digits, Western or
#: Arabic-Indic, after white space, an opening bracket, a clause mark or the paragraph's start, the
#: conjunction و glued to it or not; white space after the stop
_LIST_NUMBER = re.compile(r"(?<![^\s(:;؛,،：])(?P<and>و)?\(?(?P<n>[0-9]{1,2}|[\u0660-\u0669]{1,2}|[\u06f0-\u06f9]{1,2})"
                          r"\.(?=\s)")
#: What joins an item of an inline list to the one before it: a clause mark, "and", "or", "و", "أو"
_LIST_JOIN = re.compile(r"(?:[,;:،؛：]|(?<!\w)(?:and|or|و|أو|او))\s*\(?$")
#: Footnote marks: numbers in square brackets ("[1]", "[2][3]", "[١]") or superscript digits ("¹²")
_FOOTNOTE = re.compile(r"(?:\[[0-9\u0660-\u0669]{1,3}\])+|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+")
#: A footnote mark glued after a sentence end ("3.5%.[1] The", "in 1905.¹ It"), white space or the
#: end after it: it belongs to the sentence it follows
_FOOTNOTE_AFTER_END = re.compile(rf"(?<=[{re.escape(''.join(SENT_END))}\"'”’»)\]])(?:{_FOOTNOTE.pattern})(?=\s|$)")
#: A URL or a bare web address, to the next white space ("https://example.com/search?q=what?!&lang=en",
#: "www.example.com/faq"): no sentence ends inside one, whatever "?", "!" or "." it holds
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)\S+")
#: An ellipsis ending where a candidate break is ("...", "…", "....")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[.…]*$")
#: An ellipsis typeset with spaces (". . .", ". . . ." at a sentence's end): Punkt reads its first
#: dot as a full stop and cuts "She waited ." from ". . Then she left."
_SPACED_ELLIPSIS = re.compile(r"\.(?: \.){2,}")


def _dots_last(m: re.Match[str]) -> str:
    """A spaced ellipsis as Punkt reads a plain one, same length (offsets unchanged): its spaces
    first, then its dots (". . ." -> "  ..."), so that a break after it falls where it ends."""
    dots = m.group().count(".")
    return " " * (len(m.group()) - dots) + "." * dots
_CAMEL = re.compile(r"^[a-z]+[A-Z]")
_WORD_AFTER = re.compile(r"\S+")
_LINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85")
#: Line breaks that end a paragraph whatever the lines around them (a text that wraps its lines
#: with U+2028 and ends its paragraphs with U+2029 was one paragraph; a form feed ends a page).
_PARAGRAPH_BREAKS = frozenset("\u2029\x0c\x1c\x1d\x1e")

_lock = threading.Lock()

#: Longest sentence kept whole (characters). A longer run without a sentence end (a minified
#: file, base64, an OCR dump) is cut at its last clause mark or space before this length.
MAX_SENTENCE = 2000
#: Punkt sees a paragraph at most this long at a time: a longer one is cut first at a likely
#: sentence end (else a space) so the work per paragraph stays bounded.
PIECE = 20000
#: A word in Arabic script (no letter case: Punkt's orthographic rules cannot read it).
_ARABIC_START = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
#: An abbreviation that a number follows, never a sentence end there: the Latin ones of references
#: and measures (c. 1900, ca. 30, appr. 5, vol. 2, pp. 14, fig. 3) or one Arabic letter (ص. ب. ١٢٣);
#: not any short word ("I saw him. 20 people came.")
_SHORT_BEFORE_NUMBER = re.compile(r"^(?:(?:c|ca|cca|approx|appr|vol|vols|pp|p|ch|chap|fig|figs|nr|nos|art|"
                                  r"sec|para|paras|cf|col|cols|ll|"
                                  # born, died, reigned, Qur'an, section(s), note, part, psalm, regulation:
                                  # "(b. 1890)", "(d. 1037)", "(Q. 2:255)", "s. 12", "n. 5", "Reg. 12"
                                  r"b|d|r|q|s|ss|n|nn|fn|pt|ps|reg|regs|sch)|[\u0621-\u064a])\.$", re.IGNORECASE)
#: A lower-case Roman numeral with its stop before a number: a book, sura or chapter and its verse
#: or page in a reference ("(ix. 84)", "ii. 255", "vol. iii. 12"), never a sentence end there;
#: matched case-sensitively, since an upper-case one ends sentences ("World War II. 5 million ...")
_ROMAN_BEFORE_NUMBER = re.compile(r"^(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})\.$")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Titles stand before a name, never at the end of a sentence: "Dr. Who", "Mr. This" must not
# split however often the next word starts sentences (Punkt's orthographic heuristic). Not
# "Jr."/"Sr." or "St.", which end sentences ("... King Jr. He", "... Main St. Then").
# So do the titles of Arab-world English ("Amb. The", "Sh. The": ambassador, sheikh; not "Eng.",
# which is also "English"/"Engineering" at a sentence end), and the abbreviations that introduce
# what follows them ("i.e. The World Bank", "incl. Reuters", "e.g. Cairo").
_TITLES = frozenset({"mr", "mrs", "ms", "messrs", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt",
                     "capt", "sgt", "rev", "hon", "mme", "mlle", "amb", "sh", "atty",
                     "brig", "rt", "asst", "dep", "pte", "msgr", "cllr", "revd",
                     "e.g", "i.e", "viz", "incl"})
#: Titles only when written with a capital, before a capitalised name ("Min. Ahmed Hassan":
#: minister); in lower case they are other abbreviations that end sentences ("after 30 min. Police
#: ..."), so they are no abbreviation in the shipped lists. Matched case-sensitively, stop dropped.
_CASED_TITLES = frozenset({"Min"})
#: A number that may be an ordinal, with its stop: one to three digits ("3.", "19.", "100.")
_ORDINAL = re.compile(r"^[0-9]{1,3}\.$")
#: A lower-case letter and its stop before a transliterated Arabic name opening with an apostrophe
#: for its ayn or hamza ("Jabir b. 'Abdullah", "Salim b. ʿUmar"): the "b." of "bin", no sentence end
#: (before a name opening with a letter, "b. Zaid", Punkt already reads an initial)
_LOWER_INITIAL = re.compile(r"^[a-z]\.$")
#: The marks written for that ayn or hamza: the name opens with one (:data:`_AYN_NAME`), or one
#: stands alone where Punkt reads a curly one as a quotation mark and splits it from the name
#: ("Jabir b. ‘Abd Allah": the tokens "b.", "‘", "Abd")
_AYN_MARKS = frozenset("'ʿʾ‘’")
_AYN_NAME = re.compile("^[" + "".join(sorted(_AYN_MARKS)) + "][A-Z]")
#: What a mark of :data:`_BIDI` that Punkt does not read stands before: punctuation and closing
#: quotes or brackets; with a tatweel after a tatweel, a soft hyphen and a word joiner, what
#: :func:`_kept_for_punkt` leaves out
_DROP_BEFORE = ".!?؟…,;:،؛۔\"'”’»)]"
_PUNKT_DROPS = re.compile(f"[{_BIDI}]+(?=[{re.escape(_DROP_BEFORE)}])|(?<=\u0640)\u0640+|[\u00ad\u2060]")


def _kept_for_punkt(para: str) -> list[int] | None:
    """The offsets of ``para`` that Punkt reads, None for all of them: an invisible mark whose next
    visible character is punctuation or a closing quote or bracket is left out, as is a tatweel
    after a tatweel and a soft hyphen or word joiner (every other mark Punkt reads as a space, as
    before)."""
    drops = [m.span() for m in _PUNKT_DROPS.finditer(para)]
    if not drops:
        return None
    kept: list[int] = []
    at = 0
    for a, b in drops:
        kept.extend(range(at, a))
        at = b
    kept.extend(range(at, len(para)))
    return kept


# a closing quote or bracket, or an invisible direction mark (web Arabic writes "،\u200f " and
# "\u200f.\u200f "), may stand between the mark and the space
_LIKELY_END = re.compile(r"[.?!…؟][\"'”’»)\]" + _BIDI + r"]*\s+(?![a-z])")
_CLAUSE_END = re.compile(r"[,;:،؛][\"'”’»)\]" + _BIDI + r"]*\s+")


# ---------------------------------------------------------------------------
# Loading Punkt without NLTK's heavy package __init__


@lru_cache(maxsize=1)
def _punkt() -> Any:
    """The ``nltk.tokenize.punkt`` module, loaded without running ``nltk/__init__``.

    ``import nltk`` pulls in scikit-learn, parsers and corpora (1-2 s cold);
    Punkt needs only ``nltk.{internals,pathsec,picklesec,probability,redos,
    tabdata,termsec,tokenize.api,tokenize.util}``. If NLTK is already imported
    the real module is used. Otherwise empty package stubs stand in for
    ``nltk`` and ``nltk.tokenize`` while the submodules load, and every module
    added under ``nltk`` is then removed again from ``sys.modules`` so that a
    later ``import nltk`` anywhere else gets the complete, normal package.
    """
    if "nltk" in sys.modules and not getattr(sys.modules["nltk"], "_parallel_stub", False):
        return importlib.import_module("nltk.tokenize.punkt")
    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - nltk is a dependency
        return importlib.import_module("nltk.tokenize.punkt")
    root = list(spec.submodule_search_locations)
    with _lock:
        before = set(sys.modules)
        try:
            pkg = types.ModuleType("nltk")
            pkg.__path__ = root
            pkg.__dict__["_parallel_stub"] = True
            sub = types.ModuleType("nltk.tokenize")
            sub.__path__ = [f"{p}/tokenize" for p in root]
            sys.modules["nltk"] = pkg
            sys.modules["nltk.tokenize"] = sub
            module = importlib.import_module("nltk.tokenize.punkt")
        finally:
            for name in set(sys.modules) - before:
                if name == "nltk" or name.startswith("nltk."):
                    del sys.modules[name]
    return module


# ---------------------------------------------------------------------------
# Punkt subclasses


def _make_classes() -> tuple[type, type]:
    """Build the language-vars and tokenizer subclasses (needs the Punkt module)."""
    punkt = _punkt()

    class LangVars(punkt.PunktLanguageVars):  # type: ignore[misc, name-defined]
        """Punkt language variables for Arabic and English news text.

        Sentence ends: ``.`` ``?`` ``!`` ``…`` ``؟``; the Arabic comma and
        semicolon are word-external punctuation (never sentence ends).
        """

        sent_end_chars = SENT_END
        internal_punctuation = INTERNAL
        _re_word_start = r"[^\(\"\`{\[:;&\#\*@\)}\]\-,،؛«»“”‘’]"

        @property
        def _re_non_word_chars(self) -> str:
            extra = re.escape("".join(sorted(set(SENT_END) - {"."})) + "،؛")
            return r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb" + extra + "])"

    class Tokenizer(punkt.PunktSentenceTokenizer):  # type: ignore[misc, name-defined]
        """Punkt with two additions.

        * Dotted acronyms of letters (``U.S.``, ``J.K.``, ``ق.م.``) count as
          abbreviations even when not listed.
        * A *weak* abbreviation (``Oct.``, ``etc.``: usually followed by a number or at the
          end of a sentence) followed by a capitalised word ends the sentence.
        * After an abbreviation or initial, an *uncased* (e.g. Arabic) word
          from ``sent_starters`` starts a sentence (Punkt's own rule needs an
          upper-case first letter, which Arabic does not have).
        * A language's titles as written (``cased_titles``: French ``M.``) end no sentence before
          a capitalised word; its abbreviations before a number (``before_number``: ``S. 12``,
          ``д. 5``) none before a number; and, where :attr:`ordinals` is set (German), a number of
          one to three digits with its stop none before a capitalised word that is no sentence
          starter (``am 3. Oktober``).
        * A lower-case letter and its stop (``b.``, "bin") ends no sentence before a transliterated
          Arabic name that opens with an apostrophe for its ayn (``Jabir b. 'Abdullah``).
        """

        def _first_pass_annotation(self, aug_tok: Any) -> None:
            super()._first_pass_annotation(aug_tok)
            if aug_tok.sentbreak and aug_tok.period_final and _DOTTED.match(aug_tok.tok) \
                    and aug_tok.tok.count(".") >= 2:
                aug_tok.sentbreak = False
                aug_tok.abbr = True
            if aug_tok.sentbreak and aug_tok.period_final and _AR_INITIAL.match(aug_tok.tok):
                aug_tok.sentbreak = False
                aug_tok.abbr = True

        #: a number of one to three digits and its stop before a capitalised word that is no sentence
        #: starter is an ordinal ("am 3. Oktober", "im 19. Jahrhundert"): German, not English
        ordinals = False

        def _second_pass_annotation(self, aug_tok1: Any, aug_tok2: Any) -> str | None:
            reason: str | None = super()._second_pass_annotation(aug_tok1, aug_tok2)
            if (aug_tok2 is not None and aug_tok1.sentbreak and aug_tok1.abbr and aug_tok1.period_final
                    and aug_tok1.type_no_period in _TITLES and aug_tok2.first_upper):
                aug_tok1.sentbreak = False
                return "title before a capitalised word"
            if (aug_tok2 is not None and aug_tok1.period_final and aug_tok2.first_upper
                    and aug_tok1.tok[:-1] in self._params.cased_titles):
                aug_tok1.sentbreak = False  # "M. Le Pen": whatever word follows the title
                aug_tok1.abbr = True
                return "title (as written) before a capitalised word"
            if (self.ordinals and aug_tok2 is not None and aug_tok1.sentbreak and aug_tok1.period_final
                    and _ORDINAL.match(aug_tok1.tok) and aug_tok2.first_upper
                    and aug_tok2.type_no_sentperiod not in self._params.sent_starters):
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True
                return "ordinal before a capitalised word"
            if (aug_tok2 is not None and aug_tok1.sentbreak and aug_tok1.period_final
                    and aug_tok1.tok[:-1] in _CASED_TITLES and aug_tok2.first_upper
                    and aug_tok2.type_no_sentperiod not in self._params.sent_starters):
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True
                return "capitalised title before a name"
            if (aug_tok2 is not None and aug_tok1.sentbreak and aug_tok1.period_final
                    and _LOWER_INITIAL.match(aug_tok1.tok)
                    and (_AYN_NAME.match(aug_tok2.tok) or aug_tok2.tok in _AYN_MARKS)):
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True
                return "lower-case initial before a name opening with an ayn"
            weak: set[str] = getattr(self._params, "weak_abbrevs", set())
            if (aug_tok2 is not None and aug_tok1.abbr and not aug_tok1.sentbreak
                    and aug_tok1.type_no_period in weak and aug_tok2.first_upper):
                aug_tok1.sentbreak = True
                return "weak abbreviation before a capitalised word"
            if (aug_tok2 is not None and aug_tok1.sentbreak and aug_tok1.period_final
                    and (_SHORT_BEFORE_NUMBER.match(aug_tok1.tok)
                         or _ROMAN_BEFORE_NUMBER.match(aug_tok1.tok)
                         or aug_tok1.tok[:-1].lower() in self._params.before_number
                         or aug_tok1.tok[:-1].lower().endswith(self._params.before_number_ends or "\0"))
                    and aug_tok2.tok[:1].isdigit()):
                aug_tok1.sentbreak = False
                aug_tok1.abbr = True
                return "short abbreviation before a number"
            if (aug_tok2 is not None and aug_tok1.period_final and aug_tok1.abbr
                    and not aug_tok1.sentbreak and not aug_tok2.first_upper
                    and not aug_tok2.first_lower
                    and aug_tok2.type_no_sentperiod in self._params.sent_starters
                    and not _LATIN_LETTER.search(aug_tok1.tok)):
                # (a Latin abbreviation inside Arabic text is part of a name: "في U.N. إن ...",
                # "Apple Inc. إن ...": the Arabic sentence goes on after it)
                aug_tok1.sentbreak = True
                return "uncased sentence starter after abbreviation"
            if (aug_tok2 is not None and aug_tok1.ellipsis and not aug_tok1.sentbreak
                    and _ARABIC_START.match(aug_tok2.tok)):
                # "..." as "…" (a sentence end): Punkt's rule for an ellipsis reads the case of
                # the next word, which Arabic does not have, so "..." never ended a sentence there
                aug_tok1.sentbreak = True
                return "ellipsis before an Arabic word, as …"
            return reason

        def _slices_from_text(self, text: str) -> Iterator[slice]:
            # Punkt's own version asks whether the context of a candidate end (the word, its
            # stop and what follows: "Fig. 2.)") holds *any* break, so the break after "2." was
            # taken as one after "Fig.". The decision that counts is the candidate's own: a
            # break on a token of the word and its stop, with the context going on after it.
            last_break = 0
            for match, context in self._match_potential_end_contexts(text):
                own = context[:len(context) - len(match.group("after_tok"))]
                n_own = len(list(self._tokenize_words(own)))
                toks = list(self._annotate_tokens(self._tokenize_words(context)))
                if len(toks) > n_own and any(tok.sentbreak for tok in toks[:n_own]):
                    yield slice(last_break, match.end())
                    last_break = match.start("next_tok") if match.group("next_tok") else match.end()
            yield slice(last_break, len(text.rstrip()))

    return LangVars, Tokenizer


@lru_cache(maxsize=1)
def _classes() -> tuple[type, type]:
    return _make_classes()


def load_parameters(name: str | None) -> Any:
    """``PunktParameters`` from ``resources/segment/punkt-NAME.json`` (empty for ``None``)."""
    punkt = _punkt()
    params = punkt.PunktParameters()
    params.openers = params.before_number = params.cased_titles = frozenset()
    params.before_number_ends = ()
    params.weak_abbrevs = set()
    if name is None:
        return params
    path = resources.files("parallel").joinpath(f"{RESOURCE_DIR}/punkt-{name}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    params.abbrev_types = set(data.get("abbrev_types", []))
    params.sent_starters = set(data.get("sent_starters", []))
    params.collocations = {tuple(c) for c in data.get("collocations", [])}
    ortho: defaultdict[str, int] = defaultdict(int)
    ortho.update({str(k): int(v) for k, v in data.get("ortho_context", {}).items()})
    params.ortho_context = ortho
    params.weak_abbrevs = set(data.get("weak_abbrevs", []))
    params.openers = frozenset(data.get("openers", []))
    params.before_number = frozenset(data.get("before_number", []))
    params.before_number_ends = tuple(x[1:] for x in sorted(params.before_number) if x.startswith("-"))
    params.cased_titles = frozenset(data.get("cased_titles", []))
    return params


# ---------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class SplitterSpec:
    """How to build a splitter: Punkt parameter file (``None``: empty) and options.

    ``lowercase_veto``: a candidate break followed by a lower-case Latin word
    (not ``iPhone``-like) is no break (``"Why?" he asked``).
    """

    name: str
    params: str | None
    lowercase_veto: bool = True
    #: a short sentence (at most ``tail_words`` words) right after a quotation that ends
    #: in ``?``/``!``/a closing quote, containing one of these words, is the quote's
    #: reporting clause and stays with it (``"Are you ready?" CNN reported.``).
    reporting_words: frozenset[str] = frozenset()
    tail_words: int = 6
    #: a tail starting with one of these words may be a little longer (``tail_words + 3``):
    #: ``حسبما أفاد السيد ألبنس`` "as Mr Albence said".
    attribution_starts: frozenset[str] = frozenset()
    #: a sentence starting with one of these words continues the previous one whatever
    #: its length (Arabic ``قائلًا`` "saying", ``مضيفًا`` "adding").
    continuation_prefixes: tuple[str, ...] = ()
    #: also break at a full stop / question mark glued between two Arabic words.
    glued_breaks: bool = False
    #: also break after a verse number of the Qur'an (``﴿١٢﴾``, ``۝١٢``).
    verse_ends: bool = False
    #: also break after a year, measure or currency abbreviation that follows a number
    #: (``1950 م.``, ``808 هـ.``) unless a preposition or particle goes on after it.
    unit_ends: bool = False
    #: also break after a clock time's a.m./p.m. before a capitalised word that is no part of the
    #: time (:func:`clock_ends`: "at 9 a.m. Police sealed off the area").
    clock_ends: bool = False
    #: a number of one to three digits with its stop before a capitalised word that is no sentence
    #: starter is an ordinal, no sentence end ("am 3. Oktober", "im 19. Jahrhundert": German).
    ordinals: bool = False
    #: words that never open a sentence: a break before one is none ("كنت أظن... أن الأمر سهل",
    #: "والأسماك... إلخ."), as a lower-case word vetoes one in English.
    never_first: frozenset[str] = frozenset()
    #: a word (vowel marks dropped) that goes on a sentence after an ellipsis, though it may open
    #: one after a full stop: a conjunction ("انتظرنا طويلاً... ثم جاء الخبر"), as a lower-case
    #: "then" goes on after "He paused …" in English. Matched at the word's start.
    after_ellipsis: re.Pattern[str] | None = None
    #: a quotation that closes after its own full stop ended a sentence: what follows is no
    #: reporting clause of it (English writes that quotation with a comma, ``"...," he said``):
    #: ``He told Reuters: "It is under control." Witnesses reported gunfire.`` is two sentences.
    stop_in_quote_ends: bool = False
    #: a question or exclamation mark that closes a quotation or a bracket inside a sentence is no
    #: sentence end: a title, slogan or name quoted after a word, not introduced by a colon
    #: (``برنامج «من سيربح المليون؟» الشهير``), and the editorial ``(!)`` / ``(؟)``. Arabic has no
    #: letter case to veto the break, as a lower-case word does in English.
    quoted_marks_go_on: bool = False


_EN_REPORTING = frozenset(["said", "says", "added", "adds", "asked", "asks", "told", "tells", "reported", "reports", "wrote", "writes", "explained", "continued", "replied", "replies", "insisted", "noted", "stated", "recalled", "tweeted", "announced", "warned", "concluded", "joked", "admitted", "claimed", "argued", "shouted", "exclaimed", "cried", "laughed", "according",
                           # the verbs of dialogue in fiction ("Perhaps!" Ahmad answered.)
                           "answered", "answers", "whispered", "whispers", "murmured", "muttered", "yelled",
                           "screamed", "sighed", "responded", "retorted", "remarked"])
_AR_REPORTING = frozenset(["تساءل", "تساءلت", "وتساءل", "وتساءلت", "سأل", "سألت", "قال", "قالت", "يقول", "تقول", "وقال", "وقالت", "أضاف", "أضافت", "وأضاف", "وأضافت", "حسب", "حسبما", "بحسب", "وبحسب", "وفقا", "وفقًا", "وفقاً", "طبقا", "أفاد", "أفادت", "ذكر", "ذكرت", "أوضح", "أوضحت", "أكد", "أكدت", "صرح", "صرحت",
                           # dialogue in fiction ("— ربما! أجاب وهو يبتسم."); each also with an object
                           # pronoun or a plural ending and after و/ف (:func:`_is_reporting`: سألته, أجابني, قالوا)
                           "أجاب", "أجابت", "أجبت", "رد", "ردت", "رددت", "قلت", "همس", "همست", "صاح", "صاحت",
                           "صحت", "صرخ", "صرخت", "هتف", "هتفت", "تمتم", "تمتمت", "علق", "علقت", "سألنا",
                           "قلنا", "ردد", "يسأل", "تسأل",
                           # the Arabic of the English list's other dialogue verbs ("Really?!" she
                           # laughed / «حقاً؟!» ضحكت): laughed, smiled, sighed, joked, went on, added,
                           # admitted, warned, pointed out
                           "ضحك", "ضحكت", "ابتسم", "ابتسمت", "تنهد", "تنهدت", "مازح", "مازحت",
                           "استطرد", "استطردت", "تابع", "تابعت", "أردف", "أردفت", "اعترف", "اعترفت",
                           "حذر", "حذرت", "أشار", "أشارت"]) | _EN_REPORTING
#: what a reporting verb may carry after its stem: an object pronoun ("سألته" "she asked him", "أجابني"),
#: a plural or dual ending ("قالوا", "قالا"); longest first
_AR_VERB_ENDINGS = ("هما", "كما", "هم", "هن", "ها", "ني", "نا", "كم", "وا", "ه", "ك", "ا")

# "that": a clause with one ("He added that ...", "وأضاف أن ...") is a sentence of its own.
_COMPLEMENTIZERS = frozenset({"that", "أن", "إن", "بأن"})
#: Arabic words that go on a sentence and never open one: the complementiser أن ("that", unlike
#: إن, which opens sentences), "etc." and the relative pronouns
_AR_NEVER_FIRST = frozenset({"أن", "إلخ", "الخ", "الذي", "التي", "الذين", "اللذان", "اللتان", "اللذين",
                             "اللتين", "اللاتي", "اللواتي", "اللائي"})
#: What goes on after an ellipsis in Arabic ("مشجعة... لكن الطريق طويل", "غداً... ربما بعد غد"): the
#: coordinating conjunctions ثم "then", لكن/لكنّ "but" (ولكن, لكنه, لكنني), بل "rather", أو/أم "or",
#: and ربما "perhaps", a hedge on what the pause left open; each also after the conjunction و; and a
#: noun with و and the article ("… والطريق ما زال طويلاً": "and the road"), the one و-word whose و is
#: surely the conjunction (و opens roots too: وزير, وصل). Not any other و-word ("... وقال الوزير"):
#: Arabic writers mark a sentence end with "..." too, and Arabic has no capital to tell them apart.
#: And what ends a list after its ellipsis, "and others" with its pronoun ("القمح والشعير والذرة...
#: وغيرها من الحبوب", "... وسواها"; bare وغير may be the verb غيّر "changed"), "and so on" ("...
#: وما إلى ذلك", "... إلى آخره") and "and the like" ("... وما شابه ذلك", "... ونحو ذلك", "... ونحوها").
_AR_AFTER_ELLIPSIS = re.compile(f"(?:و?(?:ثم|لكن|بل|أو|او|أم|ربما)(?![{_AR_LETTER}])|و?لكن[{_AR_LETTER}]{{1,3}}"
                                f"(?![{_AR_LETTER}])|وال[{_AR_LETTER}]{{3,}}"
                                f"|و(?:غير|سوا|نحو)(?:ها|ه|هم|هما|هن)(?![{_AR_LETTER}])"
                                f"|وما\\s+(?:[إا]لى\\s+(?:ذلك|آخره|اخره)|شابه|يشبه)(?![{_AR_LETTER}])"
                                f"|ونحو\\s+ذلك(?![{_AR_LETTER}])|[إا]لى\\s+(?:آخره|اخره)(?![{_AR_LETTER}]))")
_AR_CONTINUATION = ("قائل", "مضيف", "مشير", "موضح", "مؤكد", "متسائل")


#: What opens a line of dialogue written without quotation marks (a dash, then the speech).
_DIALOGUE_DASHES = ("—", "–", "―", "- ")
#: Words that read as a conjunction and a reporting word but are none: فحسب "only" (not ف + حسب
#: "according to").
_NOT_REPORTING = frozenset({"فحسب"})


def _is_reporting(word: str, reporting: frozenset[str]) -> bool:
    """``word`` is one of ``reporting``, or an Arabic form of one: vowel marks dropped, a
    conjunction و/ف before it and an object pronoun or plural ending after it taken off
    (``فسألته`` -> ``سألت``, ``أجابني`` -> ``أجاب``, ``قالوا`` -> ``قال``). A word that only looks like
    such a form (``ردها`` "her reply") matches too, but it is asked only of a short tail right after
    a quotation or a question, where such a tail is a reporting clause."""
    w = word.lower()
    if w in reporting:
        return True
    if not _ARABIC_START.search(w):
        return False
    w = strip_marks(w)
    if w in _NOT_REPORTING:
        return False
    stems = {w, w[1:]} if len(w) > 3 and w[0] in "وف" else {w}
    for stem in list(stems):
        for end in _AR_VERB_ENDINGS:
            if stem.endswith(end) and len(stem) - len(end) >= 3:
                stems.add(stem[:-len(end)])
    return not stems.isdisjoint(reporting)


SPLITTERS: dict[str, SplitterSpec] = {
    "en": SplitterSpec("punkt-en", "en", reporting_words=_EN_REPORTING, clock_ends=True, stop_in_quote_ends=True),
    "ar": SplitterSpec("punkt-ar", "ar", reporting_words=_AR_REPORTING, tail_words=5,
                       continuation_prefixes=_AR_CONTINUATION,
                       glued_breaks=True, verse_ends=True, unit_ends=True, never_first=_AR_NEVER_FIRST,
                       quoted_marks_go_on=True,
                       after_ellipsis=_AR_AFTER_ELLIPSIS,
                       attribution_starts=frozenset(["حسب", "حسبما", "بحسب", "وبحسب", "وحسب", "وذلك"])),
    # abbreviations, titles, dates and numbers curated by hand (resources/segment/LANG.*.txt)
    "de": SplitterSpec("punkt-de", "de", ordinals=True),
    "fr": SplitterSpec("punkt-fr", "fr"),
    "es": SplitterSpec("punkt-es", "es"),
    "ru": SplitterSpec("punkt-ru", "ru"),
}
GENERIC = SplitterSpec("punkt-generic", None)


def register_splitter(lang: str, spec: SplitterSpec) -> None:
    """Add or replace the splitter for ``lang`` (one entry per language)."""
    SPLITTERS[lang] = spec
    get_splitter.cache_clear()


class Splitter:
    """Sentence splitter for one language; see the module docstring."""

    def __init__(self, spec: SplitterSpec) -> None:
        lang_vars_cls, tok_cls = _classes()
        self.spec = spec
        self.name = spec.name
        params = load_parameters(spec.params)
        self._tok = tok_cls(params, lang_vars=lang_vars_cls())
        self._tok.ordinals = spec.ordinals
        self._openers: frozenset[str] = params.openers
        self._spaced_weak = spaced_abbreviations(params.weak_abbrevs)

    # -- breaks inside one paragraph ------------------------------------------------
    def breaks(self, para: str) -> list[int]:
        """Sentence-break offsets in ``para`` (one paragraph; soft-wrapped lines included).

        Each offset is where a sentence ends (after its closing quotes or
        brackets); white space after it belongs to the gap.
        """
        # Arabic in presentation forms (copied out of a PDF: ﺇﻧﻬﻢ) is read as its letters, one
        # character for one (إنهم), so that Punkt and the word lists know its words
        para = presentation_forms_one_to_one(para)
        # Punkt sees invisible bidi/zero-width marks, and footnote marks after a sentence end ("3.5%.[1]
        # The", "1905.¹ It"), as spaces (same length: offsets unchanged): it reads the word that
        # follows, and a break there is then moved over the mark (:func:`_extend_over_closers`).
        # But a mark before punctuation (web Arabic writes a full stop as U+200F . U+200F, and "د\u200f."
        # is the doctor's title) is left out of what Punkt reads, and so is a run of tatweel after
        # the first ("هـــ." is the abbreviation "هـ."): as a space it cut "د" from its stop and a
        # stop from the closing quote after it ("النصيحة\u200f.\u200f»"); `kept` maps back
        kept = _kept_for_punkt(para)

        def punkt_view(text: str) -> str:
            out = _FOOTNOTE_AFTER_END.sub(lambda m: " " * len(m.group()), text.translate(_TO_PUNKT_SPACE))
            return _SPACED_ELLIPSIS.sub(_dots_last, out)

        plain = punkt_view(para)  # the paragraph's own offsets (the ellipsis check below reads it)
        seen = plain if kept is None else punkt_view(_PUNKT_DROPS.sub("", para))
        spans = list(self._tok.span_tokenize(seen, realign_boundaries=False))
        cands = [end if kept is None else kept[end - 1] + 1 for _, end in spans[:-1]]
        if self.spec.glued_breaks:  # "الوباء.وقال": no space after the full stop
            cands = sorted(set(cands) | {m.end(1) for m in _GLUED_AR.finditer(para)}
                           | {m.end(1) for m in _GLUED_AFTER.finditer(para)})
        if self.spec.unit_ends:  # "ولد عام 1950 م. ونشأ ...": the year ends the sentence
            cands = sorted(set(cands) | {m.end() for m in _UNIT_END.finditer(para)})
        if self.spec.clock_ends:  # "at 9 a.m. Police sealed off the area"
            cands = sorted(set(cands) | clock_ends(para))
        if self._openers:  # "moved to the U.S. Officials there welcomed him"
            cands = sorted(set(cands) | name_ends(para, self._openers))
        if self._spaced_weak is not None:  # "... и т. д. Поэт ...": Punkt reads "д." as an initial
            cands = sorted(set(cands) | {m.end() for m in self._spaced_weak.finditer(para)})
        if _CJK_END.search(para):  # "...增长５．３％。消费...": no space after an ideographic full stop
            cands = sorted(set(cands) | {m.end() for m in _CJK_END.finditer(para)})
        verses: set[int] = set()
        if self.spec.verse_ends:  # "... ٱلۡعَٰلَمِينَ ﴿٢﴾ ٱلرَّحۡمَٰنِ": a verse ends at its number
            verses = {m.end() for m in VERSE_NUMBER.finditer(para)} | numbered_verse_ends(para)
            cands = sorted(set(cands) | verses)
        if not cands:
            return []
        quote_open, quotes = _double_quotes(para)
        urls = [m.span() for m in _URL.finditer(para)]
        list_numbers = inline_list_numbers(para)
        out: list[int] = []
        verse_cuts: set[int] = set()
        n = len(para)
        for b in cands:
            verse = b in verses
            stop = b
            b = _extend_over_closers(para, b, quote_open)
            if out and b <= out[-1]:
                continue
            if any(u < b < v for u, v in urls):
                continue  # "search?q=what?!&lang=en": inside a URL (its end, before white space, may end one)
            if verse and para[b:].strip():
                out.append(b)  # a verse ends at its number, whatever word opens the next one
                verse_cuts.add(b)
                continue
            if self.spec.quoted_marks_go_on and quoted_mark_goes_on(para, b, quotes):
                continue  # "برنامج «من سيربح المليون؟» الشهير", "كان نائماً (!) وقت": the sentence goes on
            if not _WORDLIKE.search(para, out[-1] if out else 0, b):
                continue  # "1." / "(b)" / "أ." alone is an enumerator, not a sentence
            if b in list_numbers:
                continue  # "... الدعم؛ 2. رفع ...": the number of an inline list's item, no sentence end
            item = _LIST_OPENER.search(para, out[-1] if out else 0, b)
            if item is not None:
                b = item.start(1)  # "The steps are: 1. Open ...": the number opens the next sentence
            # what follows: skip spacing
            j = b
            while j < n and (para[j].isspace() or para[j] in _BIDI):
                j += 1
            if j >= n:
                continue
            rest = para[j:]
            if not any(ch.isalnum() for ch in rest):
                continue  # only punctuation left: keep it with this sentence
            first = para[j]
            if first in INTERNAL or first in _CLOSERS:
                continue
            k = j
            while k < n and para[k] in _QUOTES:
                k += 1
            if k > j and k < n and para[k] in INTERNAL:
                continue  # 'للبيع."، ويعتقد' / 'sale.", and': the quote closes, the sentence goes on
            if self.spec.lowercase_veto and _starts_lowercase_word(para, j):
                continue
            if _ELLIPSIS_END.search(plain, 0, stop) and self._goes_on_after_ellipsis(para, stop, b, j, quotes):
                continue
            if self.spec.never_first:
                word = _WORD_AFTER.match(para, j)
                if word is not None and strip_marks(word.group().strip(".،,:؛!؟?\"'«»“”")) in self.spec.never_first:
                    continue  # "كنت أظن... أن الأمر سهل": the sentence goes on
            out.append(b)
        return self._attach_reporting_clauses(para, out, verse_cuts)

    def _goes_on_after_ellipsis(self, para: str, stop: int, b: int, j: int, quotes: list[tuple[int, int]]) -> bool:
        """Whether the sentence goes on over the ellipsis ending at ``stop`` (break at ``b``, the next
        word at ``j``): the word has no letter case (English reads the case: "He paused … then
        continued") and the ellipsis is inside a quotation that closes later in the paragraph
        (``«الأرقام مشجعة... لكن الطريق طويل».``: a quotation is not cut), or the word is one that
        goes on after an ellipsis (:attr:`SplitterSpec.after_ellipsis`)."""
        word = _WORD_AFTER.match(para, j)
        if word is None:
            return False
        text = word.group().lstrip("\"'“‘«(")
        if not text or not text[0].isalpha() or text[0].isupper() or text[0].islower():
            return False
        if any(o < stop and b <= c for o, c in quotes):
            return True
        pattern = self.spec.after_ellipsis
        if pattern is None:
            return False
        start = word.end() - len(text)  # the word's first letter; the pattern may read a few words on
        return pattern.match(strip_marks(para[start:start + 40])) is not None

    def _attach_reporting_clauses(self, para: str, cuts: list[int], verses: set[int] | None = None) -> list[int]:
        """Drop breaks between a quotation and its short reporting clause (never a verse's end:
        ``verses``, the cuts made at a verse number)."""
        spec = self.spec
        if not cuts or not (spec.reporting_words or spec.continuation_prefixes):
            return cuts
        keep: list[int] = []
        bounds = [*cuts, len(para)]
        for b, nxt in zip(cuts, bounds[1:]):
            if verses and b in verses:
                keep.append(b)
                continue
            tail = para[b:nxt].strip(_LEAD + "\n")
            words = [w.strip(".,:;،؛!?؟\"'“”«»()") for w in tail.split()]
            words = [w for w in words if w]
            if words and spec.continuation_prefixes and words[0].startswith(spec.continuation_prefixes):
                continue
            last = para[b - 1]
            # a question or exclamation ends a quotation only in dialogue: a line that opens with a
            # dash ("— هل ستعود غداً؟ سألته."), or a tail that goes on in lower case ("Why? he
            # asked."); in prose the next sentence may well say "said" ("Who is to blame? The
            # report said nothing.")
            after_quote = last in "\"'”’»" or (last in "?!؟" and (
                para[keep[-1] if keep else 0:b].lstrip(_LEAD + "\n").startswith(_DIALOGUE_DASHES)
                or (tail[:1].isalpha() and tail[:1].islower())))
            if spec.stop_in_quote_ends and last in "\"'”’" and b >= 2 and para[b - 2] == ".":
                after_quote = False
            limit = spec.tail_words + (3 if words and words[0] in spec.attribution_starts else 0)
            # a tail that asks or exclaims is a sentence of its own ("هل ...؟ أتتذكرون كيف أجابت؟")
            asks = tail.rstrip("\"'”’»)").endswith(("?", "!", "؟"))
            if (after_quote and not asks and 0 < len(words) <= limit and not any(q in tail for q in "\"“”«»")
                    and any(_is_reporting(w, spec.reporting_words) for w in words)
                    and not any(w.lower() in _COMPLEMENTIZERS for w in words)):
                continue
            keep.append(b)
        return keep

    def split(self, text: str, lang: str, max_chars: int = MAX_SENTENCE, piece: int = PIECE) -> list[Segment]:
        """Segments of ``text`` (paragraph index and offsets into ``text``); none longer than
        ``max_chars`` (see :func:`cut_long`)."""
        out: list[Segment] = []
        for para_index, (p_start, p_end) in enumerate(split_paragraphs(text)):
            para = text[p_start:p_end]
            breaks: list[int] = []
            for a, b in _pieces(para, piece):
                breaks += [a + x for x in self.breaks(para[a:b])]
                breaks.append(b)
            cuts = [0, *breaks[:-1], len(para)]
            for a, b in itertools.pairwise(cuts):
                s, e = _strip_span(para, a, b)
                for s2, e2 in cut_long(para, s, e, max_chars):
                    out.append(Segment(text[p_start + s2:p_start + e2], lang, len(out), para_index,
                                       p_start + s2, p_start + e2))
        return out


#: the openers of the brackets and single guillemets :func:`quoted_mark_goes_on` pairs itself (the
#: double quotations come paired from :func:`_double_quotes`)
_BRACKET_OPENER = {")": "(", "›": "‹"}
#: a quoted title or slogan inside a sentence is short; a longer quotation is speech
_QUOTED_TITLE_WORDS = 8
_TRAILING_MARKS = re.compile(f"[{_IN_WORD}]+$")


def quoted_mark_goes_on(para: str, b: int, quotes: Sequence[tuple[int, int]]) -> bool:
    """Whether the question or exclamation mark that closes a quotation or a bracket just before
    ``b`` (``؟»``, ``!"``, ``(!)``) goes on with the sentence: a bracket that holds marks only (the
    editorial ``(!)``), or a short quotation (at most :data:`_QUOTED_TITLE_WORDS` words) quoted right
    after a word, not introduced by a colon: a title, slogan or name (``برنامج «من سيربح المليون؟»
    الشهير``, ``شعار «الشعب يريد إسقاط النظام!» في ميدان التحرير``). Speech is introduced by a colon
    (``سألته: "هل أنت متأكد؟" فأومأ``) and may end the sentence. ``quotes``: the double quotations
    of ``para`` as (opening, closing) offsets (:func:`_double_quotes`)."""
    if b < 2 or para[b - 2] not in "?!؟":
        return False
    close = para[b - 1]
    if close in _BRACKET_OPENER:
        o = para.rfind(_BRACKET_OPENER[close], 0, b - 1)
    else:
        o = next((a for a, c in quotes if c == b - 1), -1)
    if o < 0:
        return False
    inside = para[o + 1:b - 2]
    if not any(ch.isalnum() for ch in inside):
        return close == ")"  # "(!)", "(؟!)"
    if close == ")" or len(inside.split()) > _QUOTED_TITLE_WORDS:
        return False
    before = _TRAILING_MARKS.sub("", para[:o].rstrip())
    return bool(before) and before[-1].isalpha()


def clock_ends(para: str) -> set[int]:
    """The ends of the clock times in ``para`` whose a.m./p.m. ends a sentence: a capitalised word
    follows that is no part of the time (a weekday, month or time zone, or a place before "time":
    "9 a.m. Cairo time"), and the time does not open its sentence ("At 9 a.m. Mr. Jones arrived").
    Lower-case words after it are left to the usual veto ("at 9 a.m. on Monday")."""
    out: set[int] = set()
    for m in _CLOCK_END.finditer(para):
        words = para[m.end():m.end() + 40].split()
        head = re.match(r"[A-Za-z]+", words[0]) if words else None
        if head is None or head.group() in _AFTER_CLOCK:
            continue
        if len(words) > 1 and words[0].isalpha() and words[1].rstrip(".,;:").lower() == "time":
            continue
        if _FRONTED_TIME.search(para, 0, m.start()):
            continue
        out.add(m.end())
    return out


#: A name that ends in an abbreviation (a dotted acronym: U.S., U.K., U.N.; a company's or person's
#: final abbreviation: Inc., Corp., Jr.), then a capitalised word and a word in lower case
_NAME_END = re.compile(r"(?<![\w.])(?:(?:[A-Z]\.){2,}|(?:Inc|Corp|Co|Ltd|LLC|Plc|PLC|Jr|Sr|Bros)\.)"
                       r"(?=\s+([A-Z][a-z]+)\s+[a-z])")


def name_ends(para: str, openers: frozenset[str]) -> set[int]:
    """The ends of the names in ``para`` that end a sentence: a dotted acronym or a company's or
    person's final abbreviation before a capitalised word of ``openers`` that a lower-case word
    follows ("He moved to the U.S. Officials there welcomed him", "... of Apple Inc. Shares rose").
    Any other capitalised word after such a name is read as part of it (the U.S. Senate, U.S.
    President Trump), as Punkt reads it; a sentence starter ("U.S. The ...") Punkt cuts itself."""
    return {m.end() for m in _NAME_END.finditer(para) if m.group(1).lower() in openers}


def spaced_abbreviations(weak: set[str]) -> re.Pattern[str] | None:
    """The weak abbreviations of several letters (``т.д``, ``т.п``) written with a space between
    them (``т. д.``), before a capitalised word: Punkt reads the last letter as an initial, which
    a name follows, and never cuts there ("... и т. д. Поэт ..."); written without the space they
    are one token, and Punkt's weak rule cuts. None when there is none (English, Arabic)."""
    dotted = sorted((w for w in weak if "." in w.strip(".")), key=len, reverse=True)
    if not dotted:
        return None
    alternatives = "|".join(r"\.\s?".join(re.escape(part) for part in w.split(".")) for w in dotted)
    # (a word in lower case after it is no break: the splitter's lower-case veto)
    return re.compile(f"(?<![^\\W\\d_])(?:{alternatives})\\.(?=\\s+[\"'«„“(]?[^\\W\\d_])", re.IGNORECASE)


def inline_list_numbers(para: str) -> set[int]:
    """The ends of the item numbers of inline lists in ``para`` (just after their stop), which end
    no sentence: ``"steps: 1. Cut subsidies; 2. Raise wages; 3. Sell stakes."``,
    ``"خطوات هي ١. خفض الدعم و٢. رفع الأجور"``. A number ``n`` > 1 is one when the list number
    before it is ``n - 1`` and a clause mark, "and", "or" or "و" joins it to that item; a ``1`` is
    one when the next list number is such a ``2``. A list whose items are sentences
    (``"1. Open the box. 2. Read the manual."``) is cut before each number instead, and a sentence
    ending in a number ("in 2023.", "were 3, 4, 5.") has no run of list numbers."""
    if "." not in para:
        return set()
    found = [(m, int(m.group("n"))) for m in _LIST_NUMBER.finditer(para)]
    if len(found) < 2:
        return set()

    def joined(m: re.Match[str]) -> bool:
        return bool(m.group("and")) or _LIST_JOIN.search(para, max(0, m.start() - 6), m.start()) is not None

    out: set[int] = set()
    for (m1, n1), (m2, n2) in itertools.pairwise(found):
        if n2 == n1 + 1 and joined(m2):
            out.add(m2.end())
            if n1 == 1:
                out.add(m1.end())
    return out


#: A verse number in plain parentheses, as the Qur'an is often printed online: "... ٱلۡعَٰلَمِينَ (٢)".
_PAREN_NUMBER = re.compile(r"\(\s*([0-9\u0660-\u0669\u06F0-\u06F9]{1,3})\s*\)")
#: Fewest such numbers in a paragraph before they are read as verse numbers.
_VERSES_MIN = 3


def numbered_verse_ends(para: str) -> set[int]:
    """The ends of verse numbers written in plain parentheses, ``(١)`` or ``(1)``: at least
    :data:`_VERSES_MIN` of them in ``para``, numbered one after another, the last ending the
    paragraph (a verse is followed by its number), and no full stop anywhere from the first to the
    last (verse text has none). Footnote marks and inline lists fail one of these: a list's
    numbers come before its items, and prose around footnote marks ends its sentences with stops."""
    found = list(_PAREN_NUMBER.finditer(para))
    if len(found) < _VERSES_MIN or para[found[-1].end():].strip(_LEAD + "\n"):
        return set()
    values = [int(m.group(1)) for m in found]
    if any(b != a + 1 for a, b in itertools.pairwise(values)):
        return set()
    if any(ch in ".\u06d4" for ch in para[found[0].start():found[-1].end()]):
        return set()
    return {m.end() for m in found}


def _last_cut(s: str, lo: int, hi: int, pattern: re.Pattern[str]) -> int | None:
    """End of the last ``pattern`` match that ends within ``(lo, hi]`` (the gap stays after it)."""
    best = None
    for m in pattern.finditer(s, lo, hi):
        best = m.end()
    return best


def _regional(ch: str) -> bool:
    return "\U0001F1E6" <= ch <= "\U0001F1FF"


def _cuttable(s: str, j: int) -> bool:
    """Whether a cut between ``s[j - 1]`` and ``s[j]`` leaves every character whole as it is read:
    not before a combining mark, a joiner, a variation selector, a skin tone or an emoji tag, not
    after a joiner (👨‍👩‍👧 is one family), not inside a flag's pair of regional indicators."""
    ch, before = s[j], s[j - 1]
    if (unicodedata.combining(ch) or ch in "\u200c\u200d\ufe0e\ufe0f" or unicodedata.category(ch) in ("Mn", "Me")
            or before in "\u200c\u200d" or "\U0001F3FB" <= ch <= "\U0001F3FF" or "\U000E0020" <= ch <= "\U000E007F"):
        return False
    if _regional(ch) and _regional(before):
        run = 0
        while j - 1 - run >= 0 and _regional(s[j - 1 - run]):
            run += 1
        return run % 2 == 0
    return True


def _safe_hard_cut(s: str, at: int, lo: int) -> int:
    """``at`` moved back so that no character is cut from what it is read with (:func:`_cuttable`:
    a base letter and its marks, an emoji sequence, a flag)."""
    j = at
    while j > lo + 1 and not _cuttable(s, j):
        j -= 1
    return j


def _pieces(para: str, piece: int) -> list[tuple[int, int]]:
    """``para`` cut into spans of at most ``piece`` characters, each ending at a likely sentence
    end (else after a space, else anywhere) in its second half; one span when it is short."""
    spans: list[tuple[int, int]] = []
    a = 0
    n = len(para)
    while n - a > piece:
        lo, hi = a + piece // 2, a + piece
        b = _last_cut(para, lo, hi, _LIKELY_END) or _last_cut(para, lo, hi, _SPACE_RUN)
        if b is None or b <= a:
            b = _safe_hard_cut(para, hi, lo)
        spans.append((a, b))
        a = b
    spans.append((a, n))
    return spans


_SPACE_RUN = re.compile(r"\s+")


def cut_long(s: str, a: int, b: int, max_chars: int) -> list[tuple[int, int]]:
    """The span ``s[a:b]`` as pieces of at most ``max_chars`` characters (stripped, exact
    offsets): cut after the last clause mark (``,;:،؛``) in the second half of each window, else
    at its last space, else (no space at all: base64, minified code) at ``max_chars``."""
    out: list[tuple[int, int]] = []
    while b - a > max_chars:
        lo, hi = a + max_chars // 2, a + max_chars
        cut = _last_cut(s, lo, hi, _CLAUSE_END) or _last_cut(s, lo, hi, _SPACE_RUN)
        if cut is None or cut <= a:
            cut = _safe_hard_cut(s, hi, lo)
        x, y = _strip_span(s, a, cut)
        if x < y:
            out.append((x, y))
        a, _ = _strip_span(s, cut, b)
    if a < b:
        x, y = _strip_span(s, a, b)
        if x < y:
            out.append((x, y))
    return out


def edge_span(text: str) -> tuple[int, int]:
    """Where ``text`` starts and ends once the white space and invisible marks around it are left
    out, as every sentence the segmenter makes is cut (an opener or closer a pair inside still
    needs is kept: :func:`_balanced`)."""
    return _strip_span(text, 0, len(text))


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    lo, hi = a, b
    while a < b and (s[a].isspace() or s[a] in _BIDI):
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in _BIDI):
        b -= 1
    return _balanced(s, lo, hi, a, b)


# Explicit bidi formatting comes in pairs: an embedding or override (LRE, RLE, LRO, RLO) closed by
# PDF, an isolate (LRI, RLI, FSI) closed by PDI.
_BIDI_OPEN = {"\u202a": 0, "\u202b": 0, "\u202d": 0, "\u202e": 0, "\u2066": 1, "\u2067": 1, "\u2068": 1}
_BIDI_CLOSE = {"\u202c": 0, "\u2069": 1}


def _balanced(s: str, lo: int, hi: int, a: int, b: int) -> tuple[int, int]:
    """``s[a:b]`` (trimmed of white space and invisible marks within ``s[lo:hi]``) widened to take
    back the opener or closer that the trimming cut from a pair the sentence still holds half of:
    ``RLE text PDF LRI x PDI`` trimmed to ``text PDF LRI x`` left a PDF without its embedding and
    an isolate never closed, which runs on over the rest of a TSV row in a bidi-aware viewer."""
    if not any(ch in _BIDI_OPEN or ch in _BIDI_CLOSE for ch in s[a:b]):
        return a, b
    depth = [0, 0]
    unopened = [0, 0]
    for ch in s[a:b]:
        if ch in _BIDI_OPEN:
            depth[_BIDI_OPEN[ch]] += 1
        elif ch in _BIDI_CLOSE:
            kind = _BIDI_CLOSE[ch]
            if depth[kind]:
                depth[kind] -= 1
            else:
                unopened[kind] += 1
    for kind in (0, 1):
        need, x = unopened[kind], a  # openers cut from the front, nearest first
        while need and x > lo:
            x -= 1
            if _BIDI_OPEN.get(s[x]) == kind:
                need -= 1
                a = x
        need, y = depth[kind], b  # closers cut from the end
        while need and y < hi:
            if _BIDI_CLOSE.get(s[y]) == kind:
                need -= 1
                b = y + 1
            y += 1
    return a, b


def _starts_lowercase_word(s: str, j: int) -> bool:
    """True if the word at ``s[j]`` (after opening punctuation) starts with a lower-case letter."""
    m = _WORD_AFTER.match(s, j)
    if not m:
        return False
    word = m.group().lstrip("\"'“‘«(")
    if not word or not word[0].islower():
        return False
    return not _CAMEL.match(word)


class _DoubleQuotes(NamedTuple):
    """What :func:`_double_quotes` reads of a paragraph's double quotes."""

    #: for every straight ``"``: is a quotation open just before it (then it closes one)?
    open_before: dict[int, bool]
    #: ``(open, close)`` offsets of every quotation closed in the paragraph
    spans: list[tuple[int, int]]


def _double_quotes(s: str) -> _DoubleQuotes:
    """The double quotations of ``s`` (``«…»``, ``“…”``, ``„…“``, ``"…"``, mixed ``“…"``), read
    with one stack: ``”`` and ``»`` close the innermost open quotation; ``“`` closes an open
    ``„`` (German ``„Ja“``), else opens; ``«``, ``„`` and ``‹`` open; a straight ``"`` closes the
    innermost open quotation, whatever opened it (``He said “we are done. " Then``, ``« Oui. "
    Il``), and otherwise opens one unless it is typographically closing (glued to the preceding
    character and followed by space or the end). A quotation not closed in ``s`` has no span.
    """
    open_before: dict[int, bool] = {}
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    n = len(s)
    for m in _DOUBLE_QUOTE.finditer(s):
        i, ch = m.start(), m.group()
        if ch == '"':
            open_before[i] = bool(stack)
        if stack and (ch == '"' or ch in _CLOSE_DQ or (ch == "“" and s[stack[-1]] == "„")):
            spans.append((stack.pop(), i))
        elif ch in _OPEN_DQ:
            stack.append(i)
        elif ch == '"':
            glued_before = i > 0 and not s[i - 1].isspace()
            free_after = i + 1 >= n or s[i + 1].isspace()
            if not (glued_before and free_after):
                stack.append(i)
    return _DoubleQuotes(open_before, spans)


def _extend_over_closers(s: str, b: int, quote_open: dict[int, bool]) -> int:
    """Move break ``b`` past punctuation that closes the sentence ending at ``b``.

    Closing brackets and quotes (``)`` ``]`` ``”`` ``»`` ``’``), further
    sentence-end marks, footnote marks (``.[1]``, ``.¹``), a straight ``"`` that closes an open quote (even after
    a space: ``scratch ". Next``-style noise), or a straight ``"``/``'`` glued
    to the sentence end and followed by space.
    """
    n = len(s)

    def closes_verse(k: int) -> bool:  # an ornate parenthesis that ends a quoted verse
        return s[k] in _ORNATE and (k + 1 >= n or s[k + 1].isspace() or s[k + 1] in SENT_END or s[k + 1] in INTERNAL)

    while b < n:
        ch = s[b]
        if ch in _CLOSERS or ch in SENT_END or closes_verse(b):
            b += 1
            continue
        if ch in _BIDI:  # "النصيحة.\u200f»": a direction mark between the stop and its closer
            k = b
            while k < n and s[k] in _BIDI:
                k += 1
            if k < n and (s[k] in _CLOSERS or s[k] in SENT_END or s[k] in _QUOTES):
                b = k  # (a straight quote is then taken as the closer it may be, below)
                continue
        note = _FOOTNOTE_AFTER_END.match(s, b) if b > 0 else None
        if note is not None:
            b = note.end()  # "3.5%.[1] The": the footnote mark stays with its sentence
            continue
        if ch.isspace() and b + 1 < n and closes_verse(b + 1):
            b += 2  # "… ۝٢ ﴾ وهذه": the verse's number, then its closing parenthesis
            continue
        if ch in _QUOTES:
            glued = b > 0 and not s[b - 1].isspace()
            free_after = (b + 1 >= n or s[b + 1].isspace() or s[b + 1] in _CLOSERS
                          or s[b + 1] in SENT_END or s[b + 1] in _QUOTES)
            if (ch == '"' and quote_open.get(b, False)) or (glued and free_after):
                b += 1
                continue
            break
        if ch.isspace() and b + 1 < n and s[b + 1] == '"' and quote_open.get(b + 1, False):
            # "… scratch. "" with a space before the closing straight quote
            k = b + 2
            if k >= n or s[k].isspace() or not s[k].isalnum():
                b += 2
                continue
        break
    return b


@cache
def get_splitter(lang: str) -> Splitter:
    """The (cached) splitter for ``lang``; generic Punkt with a warning when unknown."""
    spec = SPLITTERS.get(primary(lang))
    if spec is None:
        return Splitter(GENERIC)
    return Splitter(spec)


def splitter_name(lang: str) -> str:
    """Name of the splitter used for ``lang`` (``punkt-en``, ``punkt-generic``; ``en-GB``: ``punkt-en``)."""
    spec = SPLITTERS.get(primary(lang))
    return spec.name if spec else GENERIC.name


# ---------------------------------------------------------------------------
# Paragraphs


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: non-blank runs of lines.

    A line break ends a paragraph (blank lines or not), except a soft wrap:
    inside a block, a line that does not end a sentence followed by a line
    starting with a lower-case Latin letter continues the same paragraph; and in
    a hard-wrapped text (:func:`wrap_width`) a line as long as the wrap (at least
    :data:`WRAP_SHARE` of it) continues into the next one whatever its script:
    Arabic has no letter case to tell a wrapped line from a new one.
    """
    lines: list[tuple[int, int]] = []
    ends_paragraph: set[int] = set()  # lines ended by a paragraph separator, as by a blank line
    pos = 0
    for m in _LINE.finditer(text):
        if m.group() in _PARAGRAPH_BREAKS:
            ends_paragraph.add(len(lines))
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(text)))
    width = wrap_width([text[a:b] for a, b in lines])
    paras: list[tuple[int, int]] = []
    prev_blank = True
    prev_len = 0
    for k, (a, b) in enumerate(lines):
        line = text[a:b]
        body = line.strip(_LEAD + "\n")
        if not body.strip() or k - 1 in ends_paragraph:
            prev_blank = True
        if not body.strip():
            continue
        wrapped = width is not None and prev_len >= WRAP_SHARE * width and not _ITEM.match(body)
        if paras and not prev_blank and (wrapped or _soft_wrap(text[paras[-1][0]:paras[-1][1]], body)):
            paras[-1] = (paras[-1][0], b)
        else:
            paras.append((a, b))
        prev_blank = False
        prev_len = len(body.strip())
    return paras


#: A line at least this share of the wrap width runs on into the next (hard-wrapped text).
WRAP_SHARE = 0.6
#: A wrapped line plus the next line's first word exceeds this share of the width ...
FULL_SLACK = 0.85
#: ... for at least this share of the long open lines, else the lines were not wrapped (verse).
FULL_SHARE = 0.8
#: A text is wrapped when at least this share of its long open lines show where they were cut (a
#: line in lower case after them, a preposition or a hyphen at their end: 0.64-1.0 of them in
#: English news wrapped at 40-120 columns, 0-0.4 in Arabic, which has no letter case) ...
CUT_SHARE = 0.5
#: ... or when, some line showing it, at least this share of its long lines hold a sentence end
#: inside them (:data:`_INNER_END`; 0.12-0.6 of the long lines of news wrapped at 40-120 columns,
#: Arabic or English; about 0.01 of the lines of NTREX-128, one sentence a line)
INNER_SHARE = 0.07
#: A sentence end inside a line: the stop after a word of three letters or more, an Arabic one of two
#: or a number of two digits or more (not an initial or "Dr."), closing quotes or brackets before
#: or after it, then white space and more text
_INNER_END = re.compile(f"(?:[^\\W\\d_]{{3,}}|[{_AR_LETTER}]{{2}}|[0-9]{{2,}})[\"'”’»)\\]]*[.?!؟…][\"'”’»)\\]]*\\s+\\S")
# A line opening with a list marker starts an item, wrapped text or not: "- ", "• ", "3. ", "b) ", "٣- ".
_ITEM = re.compile(r"^(?:[-–—•*·▪●]|\(?[0-9\u0660-\u0669]{1,3}[.)\-]|\(?[A-Za-z\u0621-\u064A][.)])\s")


def _ends_sentence(line: str) -> bool:
    tail = line.rstrip()
    return not tail or tail[-1] in SENT_END or tail[-1] in _CLOSERS or tail[-1] in "\":"


def wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped text was cut at (PDF, OCR, e-text: lines of about 40-200
    characters that mostly stop mid-sentence), or None. Its 90th-percentile line length is the
    width; the text is hard-wrapped when at least half of its lines that long (at least
    :data:`WRAP_SHARE` of it) do not end a sentence, and most of those (:data:`FULL_SHARE`) could
    not have taken the next line's first word (wrapping cuts where a word does not fit; lines of
    verse, or of one unpunctuated sentence each, often could), and some of them were cut where no
    sentence can end (on a preposition or an article, in a hyphenated word, before a line in lower
    case): a share of them (:data:`CUT_SHARE`), or, at least one, in a text whose sentences end
    inside its lines (:data:`INNER_SHARE`). A text of one sentence or one paragraph a line ends its
    lines at sentence ends, one of its lines that runs onto the next does not make the others
    wrapped, and a short line (a heading, a list item) is no wrap."""
    bodies = [ln.strip() for ln in lines if ln.strip()]
    if len(bodies) < 4:
        return None
    lengths = sorted(len(b) for b in bodies)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not 40 <= width <= 200:
        return None
    long = [b for b in bodies if len(b) >= WRAP_SHARE * width]
    open_ = [b for b in long if not _ends_sentence(b)]
    if not (len(long) >= 3 and 2 * len(open_) >= len(long)):
        return None
    # a wrapped line was cut because the next word did not fit: most long open lines followed by a
    # line could not have taken that line's first word (FULL_SLACK allows for proportional fonts).
    # A file of one verse or one unpunctuated sentence a line has many that could
    stripped = [ln.strip() for ln in lines]
    open_pairs = [(a, b) for a, b in itertools.pairwise(stripped)
                  if b and len(a) >= WRAP_SHARE * width and not _ends_sentence(a)]
    full = [len(a) + 1 + len(b.split()[0]) > FULL_SLACK * width for a, b in open_pairs]
    if len(full) >= 3 and sum(full) < FULL_SHARE * len(full):
        return None
    # and some line must have been cut where no sentence ends: on a word no sentence ends on or
    # before a line that opens in lower case (a soft wrap), or in a hyphenated word. A file of one
    # sentence a line whose sentences lack their final stop (common in Arabic web text) has open
    # lines of similar length too, and nothing else: each of its lines is a sentence, never cut
    cut = sum(_soft_wrap(a, b) or a.endswith("-") for a, b in open_pairs)
    if not cut:
        return None
    # one such line is not enough: a file of one sentence or list item a line of which one item
    # ran onto a second line ("... in the" / "provinces") has one, and the wrap reading would join
    # all its items. In a wrapped text many lines show the cut (most in a cased script, where the
    # next line opens in lower case), or else its sentences end inside its lines, which the lines
    # of a sentence or item each do not
    if cut >= CUT_SHARE * len(open_pairs):
        return width
    inner = sum(_INNER_END.search(b) is not None for b in long)
    return width if inner >= INNER_SHARE * len(long) else None


#: Words no sentence ends on (prepositions, conjunctions, relatives, particles): a line ending on
#: one runs on into the next, whatever the next line starts with ("وناقشت الميزانية للعام المقبل. ثم"
#: / "وافقت على الخطة."). Arabic has no letter case to tell a wrapped line from a new one, and a
#: short note is too short for the wrap width to be measured (:func:`wrap_width`).
_OPEN_ENDS = frozenset([
    "في", "من", "إلى", "الى", "على", "عن", "مع", "ثم", "أو", "او", "أم", "لكن", "بل", "حتى", "كي", "لكي",
    "الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي", "اللاتي", "أن", "إن", "لن", "لم", "قد", "بين",
    "عند", "نحو", "منذ", "خلال", "حول", "ضد", "دون", "ضمن",
    "the", "a", "an", "of", "to", "and", "or", "with", "by", "from"])


def _soft_wrap(prev: str, line: str) -> bool:
    if _ends_sentence(prev):
        return False
    words = prev.split()
    if words and words[-1].lower() in _OPEN_ENDS:
        return True
    return line[0].isascii() and line[0].islower()


# ---------------------------------------------------------------------------
# Public API


def segment(text: str, lang: str, *, max_chars: int = MAX_SENTENCE, piece: int = PIECE) -> list[Segment]:
    """Split ``text`` into sentences; offsets index into ``text``.

    ``text[seg.start:seg.end] == seg.text`` for every segment; segments are in
    order, numbered from 0, and carry the index of their paragraph (a block of
    text between line breaks, counted from 0 over non-blank blocks).
    An unknown ``lang`` uses a generic Punkt splitter and warns. No segment is longer than
    ``max_chars``: a longer run is cut at a clause mark or space (see :func:`cut_long`), and
    Punkt reads a paragraph ``piece`` characters at a time, so time and memory stay linear.
    """
    if primary(lang) not in SPLITTERS:
        warnings.warn(f"no sentence splitter for language {lang!r}; using generic Punkt rules",
                      stacklevel=2)
    if not text.strip():
        return []
    return get_splitter(lang).split(text, lang, max_chars=max(2, max_chars), piece=max(4, piece))


def presplit(text: str, lang: str) -> list[Segment]:
    """One sentence per line: every line is a segment, blank lines included.

    Line ``n`` of the file is segment ``n`` so indices match gold files.
    """
    out: list[Segment] = []
    pos = 0
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines):
        body = line.removesuffix("\r")
        # white space and the invisible marks around it (a byte-order mark where two files were
        # joined with cat, a stray RLM) are no part of the sentence, nor of its span in the text:
        # the native JSON gives back text[start:end], which must be the sentence every export wrote
        lo, hi = _strip_span(body, 0, len(body))
        out.append(Segment(body[lo:hi], lang, i, i, pos + lo, pos + hi))
        pos += len(line) + 1
    return out


def iter_sentences(text: str, lang: str) -> Iterator[str]:
    """Convenience: the sentence strings of :func:`segment`."""
    for seg in segment(text, lang):
        yield seg.text
