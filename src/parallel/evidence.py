"""Per-link evidence, computed once and carried in ``Link.features``.

Feature keys (a contract with the exporters, filters, report and review app):

================  =======  ==========================================================
key               type     meaning
================  =======  ==========================================================
``cosine``        float    cosine of the two sides' embeddings (absent for 0-n links)
``margin``        float    ratio margin (Artetxe & Schwenk 2019), k nearest neighbours
                           on both sides (absent for 0-n links)
``length_ratio``  float    source characters / target characters, Arabic diacritics
                           and tatweel not counted (target length floored at 1, so
                           ``1-0`` links get a large ratio and ``0-1`` links get 0)
``numbers``       str      ``agree`` / ``differ`` / ``none`` (no digits on either side);
                           a number in digits that the other side writes as words
                           agrees (:func:`numbers_agreement`)
``numbers_src``   str      the side's numbers, normalised, space separated (may be "")
``numbers_tgt``   str      idem for the target
``chrf``          float    chrF++ (0-100, sacrebleu) between the sides where they are
                           comparable; absent otherwise (see :func:`chrf_between`)
``p``             float    calibrated probability that the two sides say the same
                           thing (:mod:`parallel.confidence`); needs the embeddings;
                           absent for 0-n links
================  =======  ==========================================================

The link type is ``link.kind`` (``1-1``, ``2-1``, ``0-1`` ...), not a feature.
Features already on a link (e.g. the aligner's own ``cosine``/``margin``) are kept;
only missing ones are computed. Nothing here does I/O; sacrebleu is imported lazily.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np

from .data import Alignment, Link
from .normalize import LETTERS, MARKS, VERSE_NUMBER, length, presentation_forms_as_letters

#: Smallest neighbourhood mean a ratio margin divides by.
MARGIN_FLOOR = 0.05

FEATURES = ("cosine", "margin", "length_ratio", "numbers", "numbers_src", "numbers_tgt", "chrf", "p")
FLOAT_FEATURES = ("cosine", "margin", "length_ratio", "chrf", "p")
STRING_FEATURES = ("numbers", "numbers_src", "numbers_tgt")
MARGIN_K = 4

# ---------------------------------------------------------------- numbers

# Arabic-Indic (U+0660..0669) and Extended Arabic-Indic / Persian (U+06F0..06F9) digits,
# Arabic decimal (U+066B) and thousands (U+066C) separators.
_DIGITS = {**{0x0660 + d: str(d) for d in range(10)}, **{0x06F0 + d: str(d) for d in range(10)},
           0x066B: ".", 0x066C: ","}
# ... and full-width digits and separators, as Chinese and Japanese text writes them ("５．３", "１，０００")
_DIGITS |= {**{0xFF10 + d: str(d) for d in range(10)}, 0xFF0E: ".", 0xFF0C: ","}

# Scale words that multiply the number before them. English plurals ("thousands", "millions") are
# no scale: "In 2020 millions of people" says 2020 and no multiple of it. Arabic plurals (آلاف،
# ملايين ...) multiply ("3 آلاف" = 3000, "5.5 ملايين", "110 مليارات") except after a year ("في 2019
# ملايين السياح" = 2019), see :data:`_AR_PLURAL_SCALES`.
_SCALES = {
    "thousand": 3, "million": 6, "billion": 9, "trillion": 12,
    "ألف": 3, "الف": 3, "آلاف": 3, "ألاف": 3, "الاف": 3, "الآف": 3, "ألآف": 3, "مليون": 6, "ملايين": 6, "مليار": 9,
    "مليارات": 9, "بليون": 9, "بلايين": 9, "تريليون": 12, "تريليونات": 12, "ترليون": 12, "ترليونات": 12,
    # Persian and Urdu, in their letters and in Arabic ones ("۱۰ میلیون" = 10 million; لاکھ a lakh, کروڑ a crore)
    "میلیون": 6, "ميليون": 6, "میلیارد": 9, "ميليارد": 9, "هزار": 3, "لاکھ": 5, "لاكھ": 5, "کروڑ": 7, "كروڑ": 7,
}
#: Scale words as one regex alternation, longest first.
_SCALE_NAMES = "|".join(sorted(_SCALES, key=len, reverse=True))
_AR_PLURAL_SCALES = frozenset({"آلاف", "ألاف", "الاف", "الآف", "ألآف", "ملايين", "مليارات", "بلايين", "تريليونات", "ترليونات"})
# Money shorthand, counted only right after a currency sign or code: "$2.8bn", "£125m", "AED1.5bn".
_MONEY_SCALES = {"bn": 9, "mn": 6, "m": 6, "k": 3}
_CURRENCY_CODES = r"USD|EUR|GBP|AED|SAR|QAR|KWD|KD|BHD|OMR|JOD|EGP|CHF|JPY|CNY|INR|Rs|Dhs"
# Thousands grouped by spaces: by a no-break, narrow no-break or thin space (one group or more:
# "1 500"), or by plain spaces when there are two groups or more after a 1-3 digit head ("1 500 000";
# "1 500" and "2020 100" stay two numbers). A 4-digit head never starts a group: the scan has
# already taken it whole.
# (The first digit comes first and the lookbehind after it, so that the regex engine jumps from
# digit to digit: three times faster on running text.)
_NUMBER = re.compile(
    r"(\d(?<![\d.,]\d)(?:"
    r"\d{0,2}(?:[\u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,2})?(?!\d)"
    r"|\d{0,2}(?: \d{3}){2,}(?:[.,]\d{1,2})?(?!\d)"
    r"|\d*(?:[.,]\d+)*))"
    r"(?:\s*(" + _SCALE_NAMES + r")(?:ًا|اً|ا|ً)?\b"  # 20 ألفا
    r"|(bn|mn|m|k)\b)?",
    re.IGNORECASE,
)
_NUMBER_MARKS = {ord(c): None for c in MARKS if c != "\u06dd"}
# one pass: digits, marks, and the Persian keyboard's ی and ک as Arabic ي and ك (ملیون = مليون)
_PREPARE: dict[int, str | None] = {**_DIGITS, **_NUMBER_MARKS, 0x06CC: "\u064a", 0x06A9: "\u0643"}
_CURRENCY = re.compile(r"(?:[$£€¥]|(?<![A-Za-z])(?:" + _CURRENCY_CODES + r"))\s?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
# "12.500.000": dots between two or more groups of three digits are thousands separators
# ("12.500", a single group, stays a decimal)
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$")
_GROUP_SPACES = {ord(c): None for c in " \u00a0\u202f\u2009"}
#: Numbers with more digits than this are no quantity anyone translates (a serial, a hash, junk):
#: they are kept as written, never converted (Python refuses ``str(int)`` past ~4300 digits).
MAX_DIGITS = 40
_DECIMAL = Context(prec=MAX_DIGITS + 24)
# A number glued to a name or code: right after a run of Latin letters holding a capital, a hyphen
# between or not (COVID-19, H1N1, G20, F-16, MH370, Q3, ChAdOx1, HER2), or after an Arabic letter and
# a hyphen spaced on both sides or on neither (كوفيد-19, كوفيد - 19; "عند -70" is a number). Lower-case
# words are no code (1-of-4, 9am-5pm, top-10, mid-20s). Not a currency code (AED1.5bn, see
# _CURRENCY), not a year 1900-2099 (mid-2020, FY2020). A code's number is optional (see
# :func:`_scan`): "السعودية - 15 قتيلا" still agrees with "15 killed".
_CODE_BEFORE = re.compile(r"(?:[A-Za-z\u00C0-\u024F]*[A-Z][A-Za-z\u00C0-\u024F]*-?|[\u0621-\u064A\u0671-\u06D3](?:-| - ))$")
_CODE_CURRENCY = re.compile(r"(?<![A-Za-z])(?:" + _CURRENCY_CODES + r")$")
_YEAR = re.compile(r"(?:19|20)\d\d$")
# "2019-20", "2019–20", "2019/20": the second year of a range written with its last two digits
_YEAR_RANGE = re.compile(r"(?<![\d.,/-])((?:19|20)\d\d)[-–/]$")
_DATE_GOES_ON = re.compile(r"[-/.]\d")  # 2008/10/15, 2005-06-07: a date, no range
# A list marker opening the text: 1-3 digits, then ".", ")", "-" or "–" and a space before a word
# ("3. The committee", "2) Requests", "٣ - تعزيز"); "3 people", "3.5 million", "4. 1954" are no marker.
_LIST_MARKER = re.compile(r"\s*[(\[]?(\d{1,3})\s?[.)\]\-–]\s+(?=[^\W\d_])")
# What follows a percentage ("50%", "50 per cent", "50 بالمئة", "50 في المائة")
_PERCENT_AFTER = re.compile(r"\s?(?:%|٪|per\s?cent\b|percent\b|بالمئة|بالمائة|في المئة|في المائة)",
                            re.IGNORECASE)


def normalize_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits (and Arabic separators) as ASCII."""
    return text.translate(_DIGITS)


def _canonical(digits: str, scale: str | None, money: str | None = None) -> str:
    if len(digits) > MAX_DIGITS and sum(c.isdigit() for c in digits) > MAX_DIGITS:
        return digits  # absurdly long: as written (and no ValueError from str(int) on 4300 digits)
    digits = digits.translate(_GROUP_SPACES)
    if _DOT_THOUSANDS.match(digits):
        digits = digits.replace(".", "")
    if _THOUSANDS.match(digits) or (digits.count(",") > 1 and "." not in digits):
        digits = digits.replace(",", "")
    elif "," in digits and "." not in digits:
        digits = digits.replace(",", ".")          # 2,5 : a decimal comma
    else:
        digits = digits.replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # e.g. "1.2.3" (a version or a date): keep as written
        return digits
    if scale:
        value = value.scaleb(_SCALES[scale.lower()], _DECIMAL)
    elif money:
        value = value.scaleb(_MONEY_SCALES[money.lower()], _DECIMAL)
    if value == value.to_integral_value(context=_DECIMAL):
        return str(int(value))
    return format(value.normalize(_DECIMAL), "f")


def _prepare(text: str) -> str:
    """Digits as ASCII, marks and tatweel dropped (the end-of-ayah sign kept)."""
    return text if text.isascii() else text.translate(_PREPARE)


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[str, tuple[tuple[int, int, str, str, bool], ...]]:
    """:func:`scan_numbers` with each number's end too, and whether it is optional: ``(start, end,
    value, as written, optional)``. Optional: a list marker opening the text or the number of a
    code (COVID-19, G20): no quantity of the text, but it counts where the other side holds the
    same number (numbered paragraphs on both sides, "K2" / "K 2", "9. September" / "9 septembre";
    :func:`optional_numbers`). Cached: comparing two texts reads each several times (its numbers,
    its optional ones, its percentages), and mining compares a sentence with many partners."""
    text = _prepare(text)
    verses = [m.span() for m in VERSE_NUMBER.finditer(text)] if not text.isascii() else []
    marker = _LIST_MARKER.match(text)
    listed = marker.start(1) if marker else -1
    out = []
    for m in _NUMBER.finditer(text):
        start, digits = m.start(), m.group(1)
        optional = start == listed  # a list marker ("3. The committee ..."): it numbers the text
        if verses and any(a <= start < b for a, b in verses):
            # a verse number of the Qur'an (﴿١٢﴾, ۝١٢) marks the text: optional, as a list marker,
            # so that a translation numbering its verses ("(12) And ...") agrees
            optional = True
        if digits == "00" and start >= 2 and text[start - 1] == ":" and text[start - 2].isdigit():
            continue  # the minutes of a time on the hour (04:00): the other side says "at 4"
        if (start and _CODE_BEFORE.search(text, max(0, start - 12), start)
                and not _CODE_CURRENCY.search(text, max(0, start - 3), start) and not _YEAR.match(digits)):
            optional = True  # part of a name or code (COVID-19, G20, كوفيد-19): no quantity
        scale, money = m.group(2), m.group(3)
        written = _canonical(digits, None)
        if scale and scale in _AR_PLURAL_SCALES and _YEAR.match(written) and len(written) == 4:
            scale = None  # "في 2019 ملايين السياح": a year, then a plural that counts nothing of it
        if money and not _CURRENCY.search(text, max(0, start - 5), start):
            money = None
        value = _canonical(digits, scale, money) if scale or money else written
        if len(digits) == 2 and not scale and not money:
            year = _YEAR_RANGE.search(text, max(0, start - 7), start)
            if year and int(digits) > int(year.group(1)[2:]) and not _DATE_GOES_ON.match(text, m.end()):
                value = written = year.group(1)[:2] + digits  # 2019-20: 2019 and 2020
        out.append((start, m.end(), value, written, optional))
    return text, tuple(out)


def scan_numbers(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """``text`` with its digits normalised (:func:`normalize_digits`) and its marks and tatweel
    dropped (:data:`parallel.normalize.MARKS`, the end-of-ayah sign kept), and, for each number in it,
    ``(start, value, as written)``: its position in that text, its value as
    :func:`extract_numbers` gives it, and the digits before a scale word or money shorthand
    multiplied them (``1.5 million`` -> ``1500000``, ``1.5``)."""
    text, found = _scan(text)
    return text, [(start, value, written) for start, _, value, written, optional in found if not optional]


def extract_numbers(text: str) -> list[str]:
    """Numbers written with digits in ``text``, normalised, in order of appearance.

    Arabic-Indic/Persian digits become ASCII, thousands separators go (commas, the Arabic
    separator, dots between two or more groups of three digits: ``12.500.000``, and spaces:
    ``1 500 000``, see :data:`_NUMBER`), a scale word that follows (``20 million``, ``100 ألف``,
    ``20 ألفا``; an Arabic plural too, ``3 آلاف``, except after a year; never an English plural:
    ``2020 millions``) multiplies, and so does money shorthand after a currency sign or code
    (``$2.8bn``, ``£125m``, ``AED1.5bn``): ``"١٠٠ ألف"`` and ``"100,000"`` both give ``"100000"``.
    The short second year of a range is completed (``2019-20``, ``2019/20``: 2019 and 2020).

    Not numbers of the text: the minutes of a time on the hour (``04:00``), and, optional
    (:func:`optional_numbers`: they count only where the other side holds them too), a verse number
    of the Qur'an (``﴿١٢﴾``, ``۝١٢``), a list marker opening it (``3. The committee``, ``(58) When``,
    ``٣ - تعزيز``) and a number
    glued to a name or code (right after a run of Latin letters with a capital, a hyphen between or
    not: ``COVID-19``, ``G20``, ``F-16``, ``H1N1``; after an Arabic letter and a hyphen:
    ``كوفيد-19``) unless it is a year 1900-2099 (``mid-2020``) or follows a currency code
    (``AED1.5bn``).
    Numbers followed by letters (``10km``, ``1990s``, ``3rd``) and Arabic clitics glued to digits
    (``و12``, ``الـ19``) are numbers. A number of more than :data:`MAX_DIGITS` digits is kept as
    written.
    """
    return [value for _, _, value, _, optional in _scan(text)[1] if not optional]


def optional_numbers(text: str) -> set[str]:
    """The numbers of ``text`` that :func:`extract_numbers` leaves out as no quantity but that
    count where the other side holds the same number (:func:`with_optional`): a verse number of
    the Qur'an and a list marker opening the text (numbered paragraphs or verses on both sides,
    "﴿٥٨﴾" / "(58) When ..."; "9. September 1988" / "9 septembre 1988") and the
    number of a code ("K2" / "K 2", "COVID-19" / "كوفيد-19")."""
    return {value for _, _, value, _, optional in _scan(text)[1] if optional}


def with_optional(a: set[str], b: set[str], src: str, tgt: str) -> tuple[set[str], set[str]]:
    """The numbers ``a`` of ``src`` and ``b`` of ``tgt`` (:func:`extract_numbers`), each with the
    optional numbers of its text (:func:`optional_numbers`) that the other text holds too."""
    oa, ob = optional_numbers(src), optional_numbers(tgt)
    if not oa and not ob:
        return a, b
    return a | (oa & (b | ob)), b | (ob & (a | oa))


# ---------------------------------------------------------------- numbers written as words

# Word kinds: a number on its own; a unit (1, 2) that counts only inside a compound (twenty-one,
# الحادي عشر); a scale that multiplies the word number before it and stands alone too (hundred,
# ألف, مليون); an English scale that stands alone only after "a"/"one" (a million); an Arabic plural
# scale (multiplies 3 to 10 only); a decade (20 and 1920 ...); a fraction (counts against a
# percentage only).
_NUM, _UNIT, _SCALE, _ASCALE, _PLURAL, _DECADE, _FRAC = range(7)
_TENS = frozenset(range(20, 100, 10))


def _seq(words: str) -> list[str]:
    return words.split()


#: English number words (lower case) -> (kind, value). "one", "first" and "second" are left out
#: as numbers of their own (too common as no number: "one of", "first time", "a second look")
#: and count only inside a compound (twenty-one, twenty-first).
EN_NUMBER_WORDS: dict[str, tuple[int, int]] = {
    **{w: (_NUM, n) for n, w in enumerate(
        _seq("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
             "sixteen seventeen eighteen nineteen twenty"), start=2)},
    **{w: (_NUM, 10 * n) for n, w in enumerate(_seq("thirty forty fifty sixty seventy eighty ninety"),
                                                start=3)},
    **{w: (_NUM, n) for n, w in enumerate(
        _seq("third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"), start=3)},
    **{w: (_NUM, 10 * n) for n, w in enumerate(
        _seq("thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"), start=3)},
    **{w: (_DECADE, 10 * n) for n, w in enumerate(
        _seq("twenties thirties forties fifties sixties seventies eighties nineties"), start=2)},
    "dozen": (_NUM, 12), "hundredth": (_NUM, 100), "one": (_UNIT, 1), "first": (_UNIT, 1),
    "second": (_UNIT, 2), "hundred": (_SCALE, 100), "thousand": (_ASCALE, 10**3),
    "million": (_ASCALE, 10**6), "billion": (_ASCALE, 10**9), "trillion": (_ASCALE, 10**12),
    "half": (_FRAC, 50), "quarter": (_FRAC, 25),
}

#: Arabic nouns in the dual, which says "two" with no number word: يومين "2 days", جرعتين "2 doses",
#: بهدفين "by 2 goals". Only nouns whose plural is broken (أيام، أشهر، أشخاص) or ends in ات, so that the
#: ending ان / ين can be nothing but the dual (a sound masculine plural, لاعبين "players", is written
#: like a dual and is left out, as are ميلان "Milan" and ولدان "youths"), and only the full forms:
#: the construct state drops the ن and then reads as another word (يومي "daily", ساعتي "my watch").
_AR_DUAL_STEMS = (
    # time
    "يوم", "أسبوع", "شهر", "عام", "سنت", "ساعت", "دقيقت", "ثانيت", "ليلت", "عقد", "قرن", "موسم",
    # how often, how much
    "مرت", "جرعت", "درجت", "نقطت", "هدف", "متر", "كيلومتر", "كيلوغرام", "كيلوجرام", "لتر",
    "دولار", "جنيه",
    # who and what
    "شخص", "طفل", "رجل", "امرأت", "دولت", "حالت", "مرحلت", "جولت", "مبارات", "فريق", "حزب",
    "سيارت", "طائرت",
)
_AR_DUALS = tuple(stem + end for stem in _AR_DUAL_STEMS for end in ("ان", "ين"))

#: Arabic number words (as spelled; matched with hamza-alef, alef maqsura and ta marbuta folded,
#: :data:`parallel.normalize.LETTERS`) -> (kind, value). واحد، أول، ثاني (one, first, second) are
#: left out as numbers of their own and count inside a compound (الحادي عشر, الثاني عشر, واحد وعشرون).
AR_NUMBER_WORDS: dict[str, tuple[int, int]] = {
    **{w: (_NUM, 2) for w in ("اثنان", "اثنين", "اثنتان", "اثنتين")},
    **{w: (_UNIT, 2) for w in ("اثنا", "اثني", "اثنتا", "اثنتي", "ثاني", "ثانية")},
    **{w: (_UNIT, 1) for w in ("أحد", "إحدى", "واحد", "واحدة", "حادي", "حادية")},
    **{w: (_NUM, n) for n, pair in enumerate(
        (("ثلاث", "ثلاثة"), ("أربع", "أربعة"), ("خمس", "خمسة"), ("ست", "ستة"), ("سبع", "سبعة"),
         ("ثمان", "ثماني", "ثمانية"), ("تسع", "تسعة"), ("عشر", "عشرة")), start=3) for w in pair},
    **{w: (_NUM, n) for n, pair in enumerate(
        (("ثالث", "ثالثة"), ("رابع", "رابعة"), ("خامس", "خامسة"), ("سادس", "سادسة"), ("سابع", "سابعة"),
         ("ثامن", "ثامنة"), ("تاسع", "تاسعة"), ("عاشر", "عاشرة")), start=3) for w in pair},
    **{w: (_NUM, 10 * n) for n, stem in enumerate(
        ("عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"), start=2) for w in (stem + "ون", stem + "ين")},
    **{stem + "ين" + end: (_DECADE, 10 * n) for n, stem in enumerate(
        ("عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"), start=2) for end in ("يات", "ات")},
    # (مئتا, مئتين folded would read ميتا, ميتين: "dead"; only the spelling with alef)
    **{w: (_NUM, 200) for w in ("مائتان", "مائتين", "مائتا", "مائتي")},
    **{u + h: (_NUM, 100 * n) for n, u in enumerate(("ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"),
                                                    start=3) for h in ("مئة", "مائة")},
    **{w: (_NUM, 2000) for w in ("ألفان", "ألفين", "ألفي")},
    **{w: (_NUM, 2 * 10**6) for w in ("مليونان", "مليونين", "مليوني")},
    **{w: (_NUM, 2 * 10**9) for w in ("ملياران", "مليارين", "ملياري")},
    "مئة": (_SCALE, 100), "مائة": (_SCALE, 100), "ألف": (_SCALE, 10**3), "مليون": (_SCALE, 10**6),
    "مليار": (_SCALE, 10**9), "بليون": (_SCALE, 10**9),
    **{w: (_PLURAL, 10**_SCALES[w]) for w in _AR_PLURAL_SCALES},
    "نصف": (_FRAC, 50), "ربع": (_FRAC, 25),
    **{w: (_NUM, 2) for w in _AR_DUALS},
}
# Clitic prefixes stripped from an Arabic number word (and the accusative ending ا, tanween being a
# mark already dropped): وثلاثة، بخمسة، للثالث، والعشرين، خمسا. The hundreds take no ال: المئة is the
# "per cent" of "في المئة".
_AR_CLITICS = ("", "و", "ف", "ب", "ل", "ال", "وال", "بال", "لل")
_AR_FOLD = str.maketrans({k: v for k, v in LETTERS.items() if len(v) == 1})
_WORDS_PREPARE: dict[int, str | None] = {**_PREPARE, **_AR_FOLD}  # _prepare and _AR_FOLD in one pass
_AR_DUAL_SCALES = ("الفان", "الفين", "الفي", "مليونان", "مليونين", "مليوني", "ملياران", "مليارين", "ملياري")
# "the first (second) of" a month: الأول من أكتوبر, الثاني من مارس (one and two are no numbers alone)
_AR_FIRST_OF = re.compile(r"(?<![\u0621-\u064A])[وب]?(?:ال)?(أول|اول|ثاني)\s+من\s+([\u0621-\u064A]+)")
_AR_TEEN = frozenset({"عشر", "عشره"})
_AR_TENS_AFTER = frozenset({"و", "وال"})


def _ar_forms() -> dict[str, tuple[str, int, int]]:
    forms: dict[str, tuple[str, int, int]] = {}
    for word, (kind, value) in AR_NUMBER_WORDS.items():
        core = word.translate(_AR_FOLD)
        hundred = kind == _SCALE and value == 100
        for pre in _AR_CLITICS:
            if hundred and "ال" in pre:
                continue
            for end in ("", "ا"):
                forms.setdefault(pre + core + end, (pre, kind, value))
    # words spelled like a number: لست, ألست "I am not", الست "the lady", الاثنين "Monday"
    for word in ("لست", "الست", "والست", "بالست", "الاثنين", "والاثنين", "بالاثنين", "للاثنين"):
        forms.pop(word, None)
    return forms


_AR_FORMS = _ar_forms()
_EN_FORMS = {w: ("", kind, value) for w, (kind, value) in EN_NUMBER_WORDS.items()}
_AR_TOKEN = re.compile(r"[\u0621-\u064A\u0671-\u06D3]+")
_EN_TOKEN = re.compile(r"[a-z]+")


def _after_digit(text: str, start: int) -> bool:
    k = start - 1
    while k >= 0 and text[k] in " \u00a0\u202f\u2009":
        k -= 1
    return k >= 0 and text[k].isdigit()


def _word_values(text: str, token: re.Pattern[str], forms: dict[str, tuple[str, int, int]], arabic: bool,
                 plain: set[str], frac: set[str]) -> None:
    if forms.keys().isdisjoint(token.findall(text)):
        return  # no number word (most texts): no positions needed
    toks = [(m.start(), m.end(), m.group()) for m in token.finditer(text)]

    def nxt(i: int) -> tuple[str, int, int] | None:
        """The entry of token i + 1 when it follows token i with only a space or a hyphen between."""
        if i + 1 >= len(toks):
            return None
        return forms.get(toks[i + 1][2]) if _joined(text, toks, i) else None

    i = 0
    while i < len(toks):
        start, _, word = toks[i]
        ent = forms.get(word)
        value: int | None = None
        j, last_scale = i + 1, 0
        after = nxt(i)
        if not arabic and word in ("a", "one") and after and after[1] in (_SCALE, _ASCALE):
            value, j, last_scale = after[2], i + 2, after[2]             # a million, one thousand
        elif ent is None:
            i += 1
            continue
        else:
            _, kind, val = ent
            if kind in (_SCALE, _ASCALE, _PLURAL) and _after_digit(text, start):
                i += 1
                continue  # "3 million", "100 ألف": the scale of a number in digits
            if after and kind in (_NUM, _UNIT) and 1 <= val <= 9:
                a_pre, a_kind, a_val = after
                core = toks[i + 1][2][len(a_pre):]
                if arabic and not a_pre and core in _AR_TEEN and not (
                        word[len(ent[0]):] == "احد" and core == "عشره"):  # يوم الأحد عشرة أشخاص: Sunday, ten
                    value, j = 10 + val, i + 2                             # التاسع عشر، ثلاثة عشر
                elif arabic and a_pre in _AR_TENS_AFTER and a_kind == _NUM and a_val in _TENS:
                    value, j = a_val + val, i + 2                          # خمسة وعشرون، الحادي والعشرين
            if value is None and not arabic and kind == _NUM and val in _TENS and after \
                    and after[1] in (_NUM, _UNIT) and 1 <= after[2] <= 9:
                value, j = val + after[2], i + 2                           # twenty-five, seventy-fifth
            if value is None:
                if kind in (_NUM, _SCALE):
                    value = val
                    # a scale, or its dual (مليونان): "ونصف" after it adds half the scale
                    last_scale = val if kind == _SCALE else val // 2 if word.endswith(_AR_DUAL_SCALES) else 0
                elif kind == _FRAC and arabic and after and after[0] in ("", "ال") \
                        and after[1] in (_SCALE, _ASCALE) and after[2] >= 1000:
                    value, j = after[2] * val // 100, i + 2                 # نصف (ال)مليون، ربع مليون
                elif kind == _FRAC and not arabic and val == 50 and i + 2 < len(toks) \
                        and toks[i + 1][2] == "a" and forms.get(toks[i + 2][2], ("", -1, 0))[1] == _ASCALE:
                    value, j = forms[toks[i + 2][2]][2] // 2, i + 3          # half a million
                elif kind == _DECADE:
                    plain.update((str(val), str(1900 + val)))
                elif kind == _FRAC:
                    frac.add(str(val))
        while value is not None and j < len(toks):                        # three million, ثلاثة آلاف
            scale = nxt(j - 1)
            if not scale or scale[0] or not (scale[1] in (_SCALE, _ASCALE)
                                             or (scale[1] == _PLURAL and 3 <= value <= 10)):
                break  # (a scale with a clitic, ومليون, starts a number of its own)
            value, j, last_scale = value * scale[2], j + 1, scale[2]
        frac_after = nxt(j - 1) if value is not None and arabic and last_scale >= 1000 and j < len(toks) else None
        if value is not None and frac_after in (("و", _FRAC, 50), ("و", _FRAC, 25)):
            value, j = value + last_scale * frac_after[2] // 100, j + 1  # مليون ونصف، مليون وربع
        while value is not None and arabic and value >= 100 and j < len(toks):
            # Arabic adds the smaller parts after و: ألف وخمسمائة 1500, مائة وعشرون 120, ألفين وخمسمائة
            # 2500, مائة وخمسة وعشرون 125; each part under the last one's round place (1500: under 100)
            part = nxt(j - 1)
            zeros = len(str(value)) - len(str(value).rstrip("0"))
            if not part or part[0] != "و" or part[1] != _NUM or not 1 <= part[2] < 10**zeros:
                break
            add, j = part[2], j + 1
            tens = nxt(j - 1) if 1 <= add <= 9 and j < len(toks) else None
            if tens and tens[0] in _AR_TENS_AFTER and tens[1] == _NUM and tens[2] in _TENS and tens[2] < 10**zeros:
                add, j = add + tens[2], j + 1
            while j < len(toks):  # مليون وخمسمائة ألف: the part takes its own scale (500,000)
                scale = nxt(j - 1)
                if not scale or scale[0] or scale[1] not in (_SCALE, _PLURAL) or add * scale[2] >= 10**zeros:
                    break
                add, j = add * scale[2], j + 1
            value += add
        if value is not None and not arabic:
            value, j = _english_parts(text, toks, forms, value, j, last_scale)
        if value is not None:
            plain.add(str(value))
        i = j


def _english_parts(text: str, toks: list[tuple[int, int, str]], forms: dict[str, tuple[str, int, int]],
                   value: int, j: int, last_scale: int) -> tuple[int, int]:
    """``value`` (a number read up to token ``j``, its last scale ``last_scale``) with the smaller
    parts English adds after a scale, "and" between or not: one hundred (and) fifty 150, a hundred
    and one 101, two thousand five hundred 2500, three thousand and twenty-five 3025, each part
    under the scale before it; and a larger scale after them multiplies the whole: one hundred
    and fifty thousand 150000. Returns the value and the token after it."""

    def entry(k: int) -> tuple[str, int, int] | None:
        return forms.get(toks[k][2]) if k < len(toks) and _joined(text, toks, k - 1) else None

    while j < len(toks):
        while last_scale and j < len(toks):
            k = j + 1 if toks[j][2] == "and" and _joined(text, toks, j - 1) else j
            part = entry(k)
            if not part or part[1] not in (_NUM, _UNIT) or not 1 <= part[2] < last_scale:
                break
            add, k, scale_in = part[2], k + 1, 0
            unit = entry(k) if add in _TENS else None
            if unit and unit[1] in (_NUM, _UNIT) and 1 <= unit[2] <= 9:
                add, k = add + unit[2], k + 1                                  # and twenty-five
            while (scale := entry(k)) and scale[1] in (_SCALE, _ASCALE) and add * scale[2] < last_scale:
                add, k, scale_in = add * scale[2], k + 1, scale[2]             # two million five hundred
            value, j, last_scale = value + add, k, scale_in
        scale = entry(j)
        if not scale or scale[1] != _ASCALE or value >= scale[2]:
            break
        value, j, last_scale = value * scale[2], j + 1, scale[2]               # one hundred and fifty thousand
    return value, j


def _joined(text: str, toks: list[tuple[int, int, str]], i: int) -> bool:
    """Do tokens ``i`` and ``i + 1`` follow each other with only a space or a hyphen between?"""
    gap = text[toks[i][1]:toks[i + 1][0]]
    return 0 < len(gap) <= 3 and not gap.strip(" -\u00a0")


def number_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The numbers ``text`` writes as words (:data:`EN_NUMBER_WORDS`, :data:`AR_NUMBER_WORDS`), as
    :func:`extract_numbers` would write them in digits: ``(values, fractions)``, fractions being the
    percentages "half"/"quarter"/نصف/ربع stand for (50, 25), which count only against a percentage.

    Compounds give one number: English tens and a unit (``twenty-five``, ``seventy-fifth``), Arabic
    teens (``التاسع عشر`` 19, ``اثنا عشر`` 12) and a unit and ``و`` tens (``الخامسة والسبعون`` 75); a word
    number multiplies the scale words after it (``three million``, ``ثلاثة آلاف``, plurals after
    3 to 10 only); a scale word stands alone as its value (``ألف`` 1000, ``مليون``, ``hundred``; in
    English only after "a"/"one": ``a million``), except right after digits (``3 million`` is a
    number in digits). A decade gives both 90 and 1990 (``nineties``, ``التسعينيات``). Arabic words
    are matched after a clitic prefix (و، ف، ب، ل، ال، وال، بال، لل) and the accusative ا are stripped.
    """
    plain: set[str] = set()
    frac: set[str] = set()
    if not text.isascii():
        for m in _AR_FIRST_OF.finditer(text):  # في الأول من أكتوبر: the first day of a month
            if months("من " + m.group(2)):
                plain.add("1" if m.group(1) in ("أول", "اول") else "2")
        text = text.translate(_WORDS_PREPARE)
        _word_values(text, _AR_TOKEN, _AR_FORMS, True, plain, frac)
    _word_values(text.lower(), _EN_TOKEN, _EN_FORMS, False, plain, frac)
    return frozenset(plain), frozenset(frac)


def percentages(text: str) -> set[str]:
    """The numbers of ``text`` (as :func:`extract_numbers` gives them) written as a percentage
    (``50%``, ``50 per cent``, ``٥٠٪``, ``50 في المائة``)."""
    norm, found = _scan(text)
    return {value for _, end, value, _, optional in found if not optional and _PERCENT_AFTER.match(norm, end)}


def resolved_by_words(values: set[str], text: str, other: str) -> set[str]:
    """The numbers among ``values`` (numbers in digits of ``text`` with no digit partner in
    ``other``) that ``other`` writes as words (:func:`number_words`): "3 people" and "ثلاثة أشخاص",
    "the 1990s" and "التسعينيات", "50%" and "half". A word only ever resolves a number in digits of
    the other side: two sides without digits have no numbers to compare."""
    if not values:
        return set()
    words, fractions = number_words(other)
    found = values & words
    if fractions and values & fractions:
        found |= values & fractions & percentages(text)
    return found


# ---------------------------------------------------------------- digits that read two ways

#: Month names (English; Egyptian, Levantine and Maghrebi Arabic) -> month number.
AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "ايلول": 9,
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "جويليه": 7,
    "أوت": 8, "اوت": 8,
}
AR_MONTH_PAIRS = {(a, b): n for (a, bs), n in (
    (("كانون", ("الثاني", "ثاني")), 1), (("تشرين", ("الأول", "الاول", "أول", "اول")), 10),
    (("تشرين", ("الثاني", "ثاني")), 11), (("كانون", ("الأول", "الاول", "أول", "اول")), 12)) for b in bs}
# Arabic month names that are also common words or names: مارس "he practised", آب, أوت, ماي, جوان. They name a month
# only next to a number (12 مارس, مارس 2020) or after في / شهر / من / منذ / حتى.
_AR_MONTH_WORDS = frozenset({"مارس", "آب", "أوت", "اوت", "ماي", "جوان"})  # (Juan, Joan)
_AR_MONTH_BEFORE = re.compile(r"(?:(?<!\d)\d{1,2}|\bفي|\bشهر|\bمن|\bمنذ|\bحتى|\bأواخر|\bأوائل|\bمنتصف)\s*$")
EN_MONTHS = {m: i + 1 for i, m in enumerate((
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december"))}
EN_MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                  "sept": 9, "oct": 10, "nov": 11, "dec": 12})
# An English month name is capitalised (a "march" is no month); "May" and the abbreviations (Jan,
# Aug.) count only next to a number ("May 5", "5 Aug", "Jan. 5") or after "in".
_EN_MONTH = re.compile(r"\b([A-Z][a-z]+)\b(\.?)")
_NEXT_NUMBER = re.compile(r"\.?,?\s*\d")


@lru_cache(maxsize=4096)
def months(text: str) -> frozenset[int]:
    """The months ``text`` names (1-12): English names, capitalised ("May" and abbreviations such
    as "Jan." only next to a number or after "in"), and Egyptian, Levantine and Maghrebi Arabic
    names (after و، ب، ل too; كانون الثاني ...; مارس, آب, أوت, ماي only next to a number or after
    في / شهر / من: they are also common words)."""
    out = set()
    if not text.isascii() or re.search(r"[A-Z][a-z]", text):
        for m in _EN_MONTH.finditer(text):
            w = m.group(1).lower()
            if w not in EN_MONTHS:
                continue
            if w == "may" or len(w) <= 4 and w not in ("june", "july"):
                before = text[max(0, m.start() - 4):m.start()]
                if not (_NEXT_NUMBER.match(text, m.end(1)) or re.search(r"\d\s*$|\bin\s*$", before)):
                    continue
            out.add(EN_MONTHS[w])
    if text.isascii():
        return frozenset(out)
    words = [(m.start(), m.end(), m.group()) for m in _AR_TOKEN.finditer(text)]
    for a, (start, end, w) in enumerate(words):
        core = w[1:] if w.startswith(("و", "ب", "ل")) and w[1:] in AR_MONTHS else w
        if core in AR_MONTHS and not (core in _AR_MONTH_WORDS and core == w and not (
                _AR_MONTH_BEFORE.search(_prepare(text[max(0, start - 16):start]))
                or re.match(r"\s*[\d\u0660-\u0669]", text[end:end + 3]))):
            out.add(AR_MONTHS[core])
        if w[:1] in ("و", "ب", "ل") and w[1:] in ("كانون", "تشرين"):
            core = w[1:]
        if a + 1 < len(words) and (core, words[a + 1][2]) in AR_MONTH_PAIRS:
            out.add(AR_MONTH_PAIRS[(core, words[a + 1][2])])
    return frozenset(out)


# An hour: a number followed by minutes (16:30; on the hour the minutes are no number, see _scan),
# by a time of day (4 p.m., 4pm, ٤ مساءً, 9 صباحا) or by a time zone (1600 GMT), or after الساعة.
_AM = re.compile(r"\s?(?:a\.?\s?m\b\.?|(?:ال)?(?:صباح|فجر))", re.IGNORECASE)
_PM = re.compile(r"\s?(?:p\.?\s?m\b\.?|(?:ال)?(?:مساء|عصر|ظهر))", re.IGNORECASE)
_NIGHT = re.compile(r"\s?(?:ال)?ليل")
_MINUTES = re.compile(r":[0-5]\d(?!\d)")
_ZONE = re.compile(r"\s?(?:GMT|UTC|hrs\b|بتوقيت)")
_HOUR_BEFORE = re.compile(r"(?:الساعة|الساعه)\s?(?:ال)?$")
# A numeric date: day, month and year (11/4/2020, 11-04-2020, 11.04.2020) or year first (2020/04/11)
_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(?:(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d)"
                           r"|((?:19|20)\d\d)([/.-])(\d{1,2})\6(\d{1,2}))(?![\d/-]|[.,]\d)")
# Single group after a dot (20.000, 1.500): a decimal to an English reader, thousands to many Arabic
# and European writers; and an Arabic comma between digits with no space (7،5): a decimal comma
_DOT_GROUP = re.compile(r"\d{1,3}\.\d{3}$")
_AR_COMMA_DECIMAL = re.compile(r"(?<![\d.,،])(\d+)،(\d+)(?![\d.,،])")
# ... and two groups of three or more after the head (1،200،000: an Arabic keyboard types ، for
# the comma key): thousands
_AR_COMMA_GROUPS = re.compile(r"(?<![\d.,،])(\d{1,3})((?:،\d{3}){2,})(?![\d.,،])")
_SCALE_AFTER = re.compile(r"\s*(" + _SCALE_NAMES + r")(?:ًا|اً|ا|ً)?\b",
                          re.IGNORECASE)
# Money shorthand written with no currency sign: 1.5m people, 2bn (a reading: 10m may be metres)
_SHORT_SCALE = re.compile(r"(\d+(?:\.\d+)?)(bn|mn|m|k)", re.IGNORECASE)
# Two numbers a single space apart, the second of three digits (116 123, 1 500): one number grouped
# by a space (:data:`_NUMBER` reads it so only from two groups on, or with a no-break space)
_SPACED_GROUP = re.compile(r"(?<![\d.,])(\d{1,3}) (\d{3})(?![\d]|[.,]\d| \d{3}(?!\d))")
# A time written with a dot (5.30pm, 9.15 a.m., الساعة 10.30, 4.30 عصرا): hours and minutes
_DOT_TIME = re.compile(r"(?<![\d.,])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.,])")
# A sum of two scales, the second smaller: مليون و500 ألف (1,500,000), 3 ملايين و200 ألف, مليار و200 مليون
_SCALE_SUM = re.compile(r"(?:(?<![\d.,])(\d+(?:\.\d+)?)\s*)?(" + _SCALE_NAMES + r")(?:ًا|اً|ا|ً)?\s+و\s?"
                        r"(\d+(?:\.\d+)?)\s*(" + _SCALE_NAMES + r")")


def _clock(norm: str, start: int, end: int, value: str) -> frozenset[int]:
    """The hours of the day (0-23) a number at ``norm[start:end]`` may give, if it is a clock hour:
    one where a.m./p.m. or a time of day says which, both halves of the day where nothing does
    (16:30 is 16; 4:30 is 4 or 16), none for a number that is no hour."""
    if not value.isdigit():
        return frozenset()
    if len(value) == 4 and _ZONE.match(norm, end):  # 1600 GMT
        h = int(value[:2])
        return frozenset({h}) if h <= 23 and int(value[2:]) < 60 else frozenset()
    if len(value) > 2 or int(value) > 23:
        return frozenset()
    h = int(value)
    at = end + 3 if _MINUTES.match(norm, end) else end  # 9:30 a.m.: the time of day after the minutes
    if 1 <= h <= 12 and _AM.match(norm, at):
        return frozenset({h % 12})
    if 1 <= h <= 12 and _PM.match(norm, at):
        return frozenset({h % 12 + 12})
    if 1 <= h <= 12 and _NIGHT.match(norm, at):
        return frozenset({h % 12 + 12 if h >= 6 else h % 12})
    if _MINUTES.match(norm, end) or _ZONE.match(norm, end) or _HOUR_BEFORE.search(norm, max(0, start - 9), start):
        return frozenset({h, h + 12} if h < 12 else {0, 12} if h == 12 else {h})
    return frozenset()


@lru_cache(maxsize=4096)
def _readings(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Digits of ``text`` that a writer may mean another way than :func:`extract_numbers` reads
    them: ``(as read, the other reading)`` pairs. The other reading's plain values must all be
    found on the other side; of its values tagged ``h:`` (the hours of the day a clock time may
    be) one must be an hour the other side may mean; a value tagged ``m:`` is a month the other
    side must name (:func:`resolved_by_readings`)."""
    norm, found = _scan(text)
    out: list[tuple[frozenset[str], frozenset[str]]] = []
    arabic = not text.isascii() and bool(_AR_TOKEN.search(text))
    for start, end, value, written, optional in found:
        if optional:
            continue
        if value == written and _DOT_GROUP.fullmatch(norm[start:end]) and not _PERCENT_AFTER.match(norm, end):
            out.append((frozenset({value}), frozenset({str(int(norm[start:end].replace(".", "")))})))
        short = _SHORT_SCALE.fullmatch(norm[start:end]) if value == written else None
        if short:  # 1.5m people, 2bn pounds (British news; money shorthand with no currency sign)
            out.append((frozenset({value}), frozenset({_canonical(short.group(1), None, short.group(2))})))
        hours = _clock(norm, start, end, value)
        if hours:  # (the minutes of 16:30 are a number of their own; those of 1630 GMT are not)
            extra = {str(int(value[2:]))} if len(value) == 4 and int(value[2:]) else set()
            out.append((frozenset({value}), frozenset({f"h:{h}" for h in hours} | extra)))
    for m in _AR_COMMA_DECIMAL.finditer(norm):
        scale = _SCALE_AFTER.match(norm, m.end())
        word = scale.group(1) if scale else None
        read = frozenset({_canonical(m.group(1), None), _canonical(m.group(2), word)})
        if len(m.group(2)) == 3 and len(m.group(1)) <= 3:
            out.append((read, frozenset({_canonical(m.group(1) + m.group(2), word)})))  # 30،000: 30000
        else:
            out.append((read, frozenset({_canonical(f"{m.group(1)}.{m.group(2)}", word)})))  # 7،5 (مليار)
    for m in _AR_COMMA_GROUPS.finditer(norm):
        scale = _SCALE_AFTER.match(norm, m.end())
        groups = [m.group(1), *m.group(2).split("،")[1:]]
        read = frozenset(_canonical(g, scale.group(1) if scale and k == len(groups) - 1 else None)
                         for k, g in enumerate(groups))
        out.append((read, frozenset({_canonical("".join(groups), scale.group(1) if scale else None)})))
    for m in _SPACED_GROUP.finditer(norm):
        out.append((frozenset({str(int(m.group(1))), str(int(m.group(2)))}),
                    frozenset({str(int(m.group(1) + m.group(2)))})))  # 116 123, 1 500: one number
    for m in _DOT_TIME.finditer(norm):
        minutes = m.group(2)
        # the hour with its time of day after the minutes, or الساعة before it: else a decimal
        hours = _clock(norm, m.start(), m.end(), m.group(1))
        if hours:
            out.append((frozenset({_canonical(m.group(0), None)}),
                        frozenset({f"h:{x}" for x in hours} | ({str(int(minutes))} if int(minutes) else set()))))
    for m in _SCALE_SUM.finditer(norm):
        big, small = _SCALES[m.group(2).lower()], _SCALES[m.group(4).lower()]
        if small >= big:
            continue
        head = Decimal(m.group(1)) if m.group(1) else Decimal(1)
        total = head.scaleb(big, _DECIMAL) + Decimal(m.group(3)).scaleb(small, _DECIMAL)
        parts = [_canonical(m.group(3), m.group(4))] + ([_canonical(m.group(1), m.group(2))] if m.group(1) else [])
        out.append((frozenset(parts), frozenset({_canonical(str(total), None)})))
    for m in _NUMERIC_DATE.finditer(norm):
        whole = m.group()
        if m.group(1):
            # day/month/year; an English text may write month/day/year, an Arabic one does not
            day_month = [(m.group(1), m.group(3))] + ([] if arabic else [(m.group(3), m.group(1))])
            year = m.group(4)
        else:
            day_month = [(m.group(8), m.group(7))]
            year = m.group(5)
        for day, month in day_month:
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                if m.group(2) == "." or m.group(6) == ".":  # one token, kept as written
                    out.append((frozenset({whole}), frozenset({str(int(day)), f"m:{int(month)}", year})))
                else:
                    out.append((frozenset({str(int(month))}), frozenset({f"m:{int(month)}"})))
    return tuple(out)


@lru_cache(maxsize=4096)
def _hours(text: str) -> frozenset[str]:
    """Every hour of the day a clock time of ``text`` may mean, tagged ``h:``."""
    return frozenset(v for _, alt in _readings(text) for v in alt if v.startswith("h:"))


def resolved_by_readings(lone_a: set[str], src: str, a: set[str], lone_b: set[str], tgt: str,
                         b: set[str]) -> tuple[set[str], set[str]]:
    """The numbers among ``lone_a`` and ``lone_b`` (numbers of ``src`` / ``tgt`` with no partner on
    the other side; ``a``, ``b``: all their numbers) that digits written another way explain:
    ``(resolved in src, resolved in tgt)``. Each reading counts only where the other side holds
    all of it (:func:`_readings`):

    - a single group after a dot, 20.000 / 1.500: 20 as read, or 20000 (thousands, as many Arabic
      and European writers group them; not before a per cent sign);
    - an Arabic comma between two digits with no space: 7،5 is 7.5, 30،000 is 30000 (7،5 مليار too);
    - two numbers a single space apart, the second of three digits: 116 123, 1 500;
    - money shorthand with no currency sign: 1.5m people, 2bn (1500000, 2000000000);
    - a sum of scales: مليون و500 ألف is 1500000, 3 ملايين و200 ألف 3200000;
    - a clock time, 16:30 / 4:30 p.m. / 4.30pm, 16:00 / ٤ مساءً, 1600 GMT: an hour matches an hour
      of the other side that may be the same hour of the day (9 a.m. is not 21:00);
    - a numeric date, 11/4/2020, 2020/04/11, 11.04.2020: its month matches the month named on the
      other side (April, أبريل, نيسان; an Arabic date is day/month/year, an English one either).
    """
    res_a: set[str] = set()
    res_b: set[str] = set()
    for lone, text, other_all, other_text, res, res_other, lone_other in (
            (lone_a, src, b, tgt, res_a, res_b, lone_b), (lone_b, tgt, a, src, res_b, res_a, lone_a)):
        if not lone:
            continue
        readings = _readings(text)
        if not readings:
            continue
        have = set(other_all) | number_words(other_text)[0]  # 2bn / ملياري: words stand for digits here too
        hours = _hours(other_text) if any(v.startswith("h:") for _, alt in readings for v in alt) else frozenset()
        if any(v.startswith("m:") for _, alt in readings for v in alt):
            have |= {f"m:{m}" for m in months(other_text)}
        other_hours = _readings(other_text) if hours else ()
        for read, alt in readings:
            if not read & lone:
                continue
            clock = {v for v in alt if v.startswith("h:")}
            if not (alt - clock) <= have or (clock and not clock & hours):
                continue
            res |= read & lone
            # the other side's numbers this reading stands for (a month matched a month's name:
            # no number of the other side to resolve)
            res_other |= {v for v in alt if ":" not in v} & lone_other
            for o_read, o_alt in other_hours:
                if clock & o_alt:
                    res_other |= o_read & lone_other
    return res_a, res_b


def unmatched(a: set[str], b: set[str], src: str, tgt: str) -> tuple[set[str], set[str]]:
    """The numbers of ``a`` (of ``src``) and ``b`` (of ``tgt``) with no partner on the other side:
    not there in digits, nor written as words (:func:`resolved_by_words`), nor as digits written
    another way (:func:`resolved_by_readings`). Both :func:`numbers_agreement` and the confidence
    model's number features (:func:`parallel.confidence.text_evidence`) ask it."""
    lone_a = (a - b) - resolved_by_words(a - b, src, tgt)
    lone_b = (b - a) - resolved_by_words(b - a, tgt, src)
    res_a, res_b = resolved_by_readings(lone_a, src, a, lone_b, tgt, b)
    return lone_a - res_a, lone_b - res_b


def numbers_agreement(src: str, tgt: str) -> tuple[str, str, str]:
    """``(verdict, numbers_src, numbers_tgt)``; verdict is agree / differ / none.

    The sides agree when they hold the same *set* of numbers (repeats and order
    do not matter: translations reorder and repeat), a number in digits on one side with
    no digit partner counting as matched when the other side writes it as words
    (:func:`resolved_by_words`: "3 people" / "ثلاثة أشخاص"), and a list marker's or a code's
    number counting only where both sides hold it (:func:`with_optional`). ``none``: no digits
    on either side (words alone make no numbers). ``numbers_src``/``numbers_tgt`` list the digits
    only. Arabic in presentation forms (text copied out of a PDF) is read as its letters (``100
    ﺃﻟﻒ`` is 100000).
    """
    src, tgt = presentation_forms_as_letters(src), presentation_forms_as_letters(tgt)
    a, b = extract_numbers(src), extract_numbers(tgt)
    sa, sb = with_optional(set(a), set(b), src, tgt)
    a += sorted(sa - set(a), key=lambda v: (len(v), v))  # an optional number both sides hold
    b += sorted(sb - set(b), key=lambda v: (len(v), v))  # is listed too
    if not a and not b:
        verdict = "none"
    else:
        lone_a, lone_b = unmatched(sa, sb, src, tgt)
        verdict = "differ" if lone_a or lone_b else "agree"
    return verdict, " ".join(a), " ".join(b)


# ---------------------------------------------------------------- chrF++

_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_LETTER = re.compile(r"[^\W\d_]")
_TRANSFER = re.compile(r"[0-9A-Za-z\u00C0-\u024F][0-9A-Za-z\u00C0-\u024F'’.\-]*")


def chrf_scope(src: str, tgt: str) -> str:
    """What :func:`chrf_between` compared for these two sides: ``"text"`` (same script) or
    ``"names and digits"`` (two scripts: only what crosses them unchanged)."""
    return "text" if _is_latin(normalize_digits(src)) == _is_latin(normalize_digits(tgt)) else "names and digits"


def _is_latin(text: str) -> bool:
    letters = _LETTER.findall(text)
    return bool(letters) and sum(bool(_LATIN.match(c)) for c in letters) >= len(letters) / 2


@lru_cache(maxsize=1)
def _chrf() -> Any:
    from sacrebleu.metrics.chrf import CHRF

    return CHRF(word_order=2)


def chrf_between(src: str, tgt: str) -> float | None:
    """chrF++ (0-100) between the two sides, or None where they are not comparable.

    Same script on both sides (e.g. German-French): chrF++ of the target against
    the source. Different scripts (Arabic-English): chrF++ of the material that
    crosses scripts unchanged -- digits (normalised) and Latin-script tokens
    (names, acronyms, ``COVID-19``) -- the non-Latin side's tokens being the
    reference and the Latin side's digit or capitalised tokens the hypothesis.
    None when a side is empty or the non-Latin side carries no such material.
    """
    if not src.strip() or not tgt.strip():
        return None
    s, t = normalize_digits(src), normalize_digits(tgt)
    s_latin, t_latin = _is_latin(s), _is_latin(t)
    if s_latin == t_latin:
        return float(_chrf().sentence_score(t, [s]).score)
    other, latin = (t, s) if s_latin else (s, t)
    ref = " ".join(_TRANSFER.findall(other))
    hyp = " ".join(w for w in _TRANSFER.findall(latin) if w[0].isdigit() or w[0].isupper())
    if len(ref) < 2 or not hyp:
        return None
    return float(_chrf().sentence_score(hyp, [ref]).score)


# ---------------------------------------------------------------- embeddings


def _knn_mean(sim: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` largest values of each row of ``sim`` (r, c) -> (r,)."""
    if sim.shape[1] == 0:
        return np.zeros(sim.shape[0], dtype=np.float64)
    k = max(1, min(k, sim.shape[1]))
    part = -np.partition(-sim, k - 1, axis=1)[:, :k]
    return np.asarray(part.mean(axis=1), dtype=np.float64)


def _side_vectors(ids: Sequence[tuple[int, ...]], emb: np.ndarray, texts: list[str] | None,
                  encoder: Any) -> np.ndarray:
    """One unit vector (L, d) per link side: the sentence's own row for one sentence; for
    several, the encoding of the joined text when an encoder is given, else the
    re-normalised mean of the sentences' rows."""
    out = np.zeros((len(ids), emb.shape[1]), dtype=np.float32)
    multi = [n for n, side in enumerate(ids) if len(side) > 1]
    for n, side in enumerate(ids):
        if len(side) == 1:
            out[n] = emb[side[0]]
        elif len(side) > 1:
            out[n] = emb[list(side)].mean(axis=0)
    if multi and encoder is not None and texts is not None:
        out[multi] = np.asarray(encoder.encode([texts[n] for n in multi]), dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)


def embedding_features(links: Sequence[Link], src_emb: np.ndarray, tgt_emb: np.ndarray, *,
                       k: int = MARGIN_K, encoder: Any = None,
                       src_texts: list[str] | None = None,
                       tgt_texts: list[str] | None = None) -> list[dict[str, float]]:
    """``cosine`` and ``margin`` per link (empty dict for a link with an empty side).

    ``src_emb`` (n, d) and ``tgt_emb`` (m, d) are the documents' L2-normalised
    sentence embeddings. Margin is the ratio margin ``cos(x, y) / ((knn(x) +
    knn(y)) / 2)`` where ``knn(x)`` is the mean cosine of ``x`` with its ``k``
    nearest sentences of the other document. ``src_texts``/``tgt_texts`` (one per
    link) let ``encoder`` embed the joined text of many-sentence sides.
    """
    full = [n for n, link in enumerate(links) if link.src and link.tgt]
    result: list[dict[str, float]] = [{} for _ in links]
    if not full:
        return result
    sel = [links[n] for n in full]
    s_txt = [src_texts[n] for n in full] if src_texts is not None else None
    t_txt = [tgt_texts[n] for n in full] if tgt_texts is not None else None
    s_vec = _side_vectors([k_.src for k_ in sel], src_emb, s_txt, encoder)
    t_vec = _side_vectors([k_.tgt for k_ in sel], tgt_emb, t_txt, encoder)
    cos = np.einsum("ij,ij->i", s_vec.astype(np.float64), t_vec.astype(np.float64))
    fwd = np.concatenate([_knn_mean(s_vec[i:i + 1024] @ tgt_emb.T, k) for i in range(0, len(sel), 1024)])
    bwd = np.concatenate([_knn_mean(t_vec[i:i + 1024] @ src_emb.T, k) for i in range(0, len(sel), 1024)])
    # a sentence with no neighbour of any likeness (digits only, a symbol) has a neighbourhood mean near
    # or below 0: the ratio would explode (-47942 was seen); a floor keeps it within +-20
    denom = np.maximum((fwd + bwd) / 2, MARGIN_FLOOR)
    margin = cos / denom
    for pos, n in enumerate(full):
        result[n] = {"cosine": round(float(cos[pos]), 6), "margin": round(float(margin[pos]), 6)}
    return result


# ---------------------------------------------------------------- annotation


def text_features(src: str, tgt: str) -> dict[str, Any]:
    """The features that need only the two texts (length ratio, numbers, chrF++)."""
    verdict, n_src, n_tgt = numbers_agreement(src, tgt)
    feats: dict[str, Any] = {
        "length_ratio": round(length(src) / max(length(tgt), 1), 6),
        "numbers": verdict,
        "numbers_src": n_src,
        "numbers_tgt": n_tgt,
    }
    chrf = chrf_between(src, tgt)
    if chrf is not None:
        feats["chrf"] = round(chrf, 4)
    return feats


def annotate(al: Alignment, *, src_emb: np.ndarray | None = None, tgt_emb: np.ndarray | None = None,
             encoder: Any = None, k: int = MARGIN_K, gap: Sequence[bool] | None = None,
             contest: Sequence[float] | None = None, untranslated: Sequence[bool] | None = None,
             knn: tuple[np.ndarray, np.ndarray] | None = None, cover: float | None = None,
             explained: float | None = None) -> Alignment:
    """``al`` with every link's features completed (existing features win).

    Embedding features (cosine, margin) need ``src_emb`` (n, d) and ``tgt_emb``
    (m, d), the documents' sentence embeddings in order; without them only the
    text features are added. ``p`` of a parallel-mode alignment whose ``info["translation"]`` is
    set (the mode test took the texts for a translation) is the p of a link in a translation
    (:func:`parallel.confidence.in_translation`, which asks whether the link lies beside a 1-0 /
    0-1 link and how contested its cut is: ``gap`` and ``contest``, one value a link, else read
    from ``al.links`` in their order), else the p of the pair on its own. A link of a translation
    in a stretch that is no translation keeps its pair's own p (``untranslated``, one value a link;
    else, when ``gap`` is not given either, read from the pair p of ``al.links`` in their order:
    :func:`parallel.confidence.untranslated`; a caller that gives ``gap`` annotates some links of a
    longer list, whose neighbours this call does not see, and gives ``untranslated`` too or none is
    taken). ``knn`` and ``cover``: the documents' :func:`parallel.mine.knn_means` with ``k`` and
    their :func:`parallel.confidence.coverage`, when the caller keeps them (measured here when None).
    ``explained``: the share of the sentences a monotonic alignment explains, as the mode test
    measured it; a translation whose pairs are weak throughout on their own is said to be so
    (``info["warning"]``, :func:`parallel.confidence.weak_throughout`) only where it is low too.
    """
    links = list(al.links)
    src_texts = [al.src_text(link) for link in links]
    tgt_texts = [al.tgt_text(link) for link in links]
    emb: list[dict[str, float]] = [{} for _ in links]
    if src_emb is not None and tgt_emb is not None and len(src_emb) and len(tgt_emb):
        # a blank side (an empty line with --presplit) says nothing: no p (two blanks had p 0.9953)
        need_p = [n for n, link in enumerate(links) if link.src and link.tgt and "p" not in link.features
                  and src_texts[n].strip() and tgt_texts[n].strip()]
        if need_p:
            from .confidence import link_probabilities

            sel = [links[n] for n in need_p]
            s_vec = _side_vectors([lk.src for lk in sel], src_emb, [src_texts[n] for n in need_p], encoder)
            t_vec = _side_vectors([lk.tgt for lk in sel], tgt_emb, [tgt_texts[n] for n in need_p], encoder)
            ps = link_probabilities(s_vec, t_vec, src_emb, tgt_emb, [lk.src for lk in sel],
                                    [lk.tgt for lk in sel], [src_texts[n] for n in need_p],
                                    [tgt_texts[n] for n in need_p], encoder=encoder, k=k, knn=knn,
                                    cover=cover)
            if al.mode == "parallel" and al.info.get("translation"):
                # links forced in a translation are right far more often than their pairs alone say
                from .confidence import beside_gap, contested, in_translation, weak_throughout
                from .confidence import untranslated as no_translation

                near = beside_gap(links) if gap is None else np.asarray(gap, dtype=bool)
                cut = (contested(links, src_emb, tgt_emb, [length(x) for x in al.src.sentences],
                                 [length(x) for x in al.tgt.sentences])
                       if contest is None else np.asarray(contest, dtype=np.float64))
                # ... but not a stretch that is no translation (an untranslated preface): its own p
                off = (np.asarray(untranslated, dtype=bool)[need_p] if untranslated is not None
                       else no_translation(ps) if gap is None else np.zeros(len(need_p), dtype=bool))
                many = np.array([len(lk.src) > 1 < len(lk.tgt) for lk in sel], dtype=bool)
                pair_p = ps
                ps = np.where(off, ps, in_translation(ps, near[need_p], cut[need_p], many))
                if gap is None and "warning" not in al.info and weak_throughout(pair_p, explained):
                    order = ("" if explained is None else
                             f", nor do they stand out from the texts' random pairs (a monotonic alignment "
                             f"explains {explained:.0%} of the sentences)")
                    al = replace(al, info={**al.info, "warning": (
                        "no link of these texts looks like a translation on its own (even the better tenth "
                        f"of them are pairs of p under 0.05){order}: are these the "
                        "right documents? --mode comparable keeps only the pairs that say the same thing")})
            for n, p in zip(need_p, ps, strict=True):
                emb[n]["p"] = round(float(p), 4)
        need = [n for n, link in enumerate(links)
                if not ("cosine" in link.features and "margin" in link.features)]
        if need:
            got = embedding_features([links[n] for n in need], src_emb, tgt_emb, k=k, encoder=encoder,
                                     src_texts=[src_texts[n] for n in need],
                                     tgt_texts=[tgt_texts[n] for n in need])
            for n, feats in zip(need, got, strict=True):
                emb[n] = {**emb[n], **feats}
    out = []
    for n, link in enumerate(links):
        merged: dict[str, Any] = {**emb[n], **text_features(src_texts[n], tgt_texts[n])}
        merged.update(link.features)
        out.append(replace(link, features=merged))
    return replace(al, links=tuple(out))
