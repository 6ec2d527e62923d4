"""Arabic/English folding for *matching only* (search, concordance, dedup, cache keys).

Output text is never altered by the pipeline: folding produces a key to compare, not
a text to show. Every rule is local to one character, so

    fold(text, lang) == "".join(fold(ch, lang) for ch in text)

which lets callers (e.g. :mod:`parallel.concordance`) map a match in folded text back
to the original characters. A character folds to "" (dropped), to one character, or
(rarely, through case folding such as "ß" -> "ss") to several.

Rules (each can be switched off):

- ``marks``: Arabic harakat and tanwin (U+064B-U+065F), superscript alef (U+0670),
  Quranic annotation marks, tatweel (U+0640), the Arabic letter mark, zero-width
  characters (U+200B-U+200F) and bidi controls (U+202A-U+202E, U+2066-U+2069) are dropped; accents on non-Arabic letters are dropped
  (``café`` -> ``cafe``); Arabic letters with a built-in hamza or madda are left to ``letters``.
- ``letters``: alef variants (أ إ آ ٱ) -> ا, hamza on waw ؤ -> و, hamza on ya ئ -> ي,
  alef maqsura ى and Farsi ya ی -> ي, ta marbuta ة -> ه, Farsi keheh ک -> ك; Urdu's heh goal ہ
  (and ۂ ۃ) and heh doachashmee ھ -> ه. The zero-width non-joiner of Persian and Urdu (می‌شود) is
  dropped with the other zero-width characters (``marks``).
- ``digits``: Arabic-Indic (٠-٩) and extended Arabic-Indic (۰-۹) digits -> ASCII,
  Arabic decimal/thousands separators and percent sign -> ``. , %``.
- ``punct``: typographic apostrophes and quotes and hyphen/dash variants as the ASCII ones a
  keyboard types: ``’ ‘ ʼ ′`` -> ``'``, ``“ ” „ « » ″`` -> ``"``, U+2010-U+2013 and the minus
  sign U+2212 -> ``-`` (``China’s`` finds ``China's``, ``e‑mail`` finds ``e-mail``).
- ``case``: Unicode case folding (``str.casefold``).

``lang`` ("ar", "en" or anything else) is accepted for the API's sake; the rules are
chosen by script, so mixed text (English names inside Arabic) folds the same on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["DIGITS", "INVISIBLE", "INVISIBLE_TO_SPACE", "LETTERS", "MARKS", "PRESENTATION_ONE_TO_ONE",
           "PUNCT", "URDU_LETTERS", "VERSE_NUMBER", "arabic_letter_forms", "fold", "fold_tables", "fold_with_map",
           "for_embedding", "length", "presentation_forms_as_letters", "presentation_forms_one_to_one",
           "search_spelling", "standard_spelling", "strip_marks"]

#: A verse number of the Qur'an in running text: in ornate parentheses (``﴿١٢﴾``, either way
#: round) or after the end-of-ayah sign (``۝١٢``). It ends a verse (the segmenter) and is no number
#: of the text (the numbers evidence).
VERSE_NUMBER = re.compile(r"[\uFD3E\uFD3F]\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,3}\s*[\uFD3E\uFD3F]"
                          r"|\u06DD\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,3}")

#: Invisible marks (bidi controls, zero-width characters, the byte-order mark, ALM, and the soft
#: hyphen and word joiner of text copied out of a PDF or a web page): spacing to the segmenter (the
#: last two dropped inside a word), and no content in a file that holds nothing else.
INVISIBLE = ("\u200e\u200f\u200b\u200c\u200d\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u061c\ufeff"
             "\u00ad\u2060")
INVISIBLE_TO_SPACE = {ord(c): " " for c in INVISIBLE}

#: Characters dropped by the ``marks`` rule.
MARKS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]          # harakat, tanwin, shadda, sukun, ...
    + ["\u0670", "\u0640", "\u061C"]                 # superscript alef, tatweel, ALM
    + [chr(c) for c in range(0x0610, 0x061B)]        # honorifics / Quranic marks
    + [chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06E5, 0x06E6)]  # Quranic annotation
    + [chr(c) for c in range(0x200B, 0x2010)]        # zero-width space/joiners, LRM/RLM
    + [chr(c) for c in range(0x202A, 0x202F)]        # bidi embeddings and overrides (LRE ... RLO)
    + [chr(c) for c in range(0x2066, 0x206A)]        # bidi isolates (LRI, RLI, FSI, PDI)
    + ["\ufeff", "\u00ad", "\u2060"]                  # BOM, soft hyphen, word joiner
)

#: Letter variants folded by the ``letters`` rule.
LETTERS: dict[str, str] = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه", "ە": "ه",
}
#: Urdu's forms of heh, folded by the ``letters`` rule too, for search only (:func:`fold`,
#: :func:`fold_tables`; the numbers evidence reads :data:`LETTERS`): heh goal ہ, with hamza ۂ, its
#: ta marbuta ۃ, and heh doachashmee ھ (aspiration: بھی), each as ه, which Urdu typed on an
#: Arabic or Persian keyboard writes for them (ماهرین for ماہرین, بهی for بھی)
URDU_LETTERS: dict[str, str] = {"ہ": "ه", "ۂ": "ه", "ۃ": "ه", "ھ": "ه"}
_FOLD_LETTERS: dict[str, str] = {**LETTERS, **URDU_LETTERS}

#: Digits and number punctuation folded by the ``digits`` rule.
DIGITS: dict[str, str] = {
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    "\u066B": ".",   # Arabic decimal separator
    "\u066C": ",",   # Arabic thousands separator
    "\u066A": "%",   # Arabic percent sign
}

#: Typographic punctuation folded by the ``punct`` rule, each to one ASCII character. A search
#: applies it before NFKC too (:mod:`parallel.concordance`, ``fold.js``), which would take ``″``
#: as two primes.
PUNCT: dict[str, str] = {
    **dict.fromkeys("\u2019\u2018\u02BC\u2032", "'"),                   # ’ ‘ ʼ ′
    **dict.fromkeys("\u201C\u201D\u201E\u00AB\u00BB\u2033", '"'),     # “ ” „ « » ″
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-"),           # hyphens, figure/en dash, minus
}


def _is_arabic(ch: str) -> bool:
    cp = ord(ch)
    return 0x0600 <= cp <= 0x08FF or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF


@lru_cache(maxsize=8192)
def _fold_char(ch: str, marks: bool, letters: bool, digits: bool, punct: bool, case: bool) -> str:
    if marks and ch in MARKS:
        return ""
    if letters and ch in _FOLD_LETTERS:
        return _FOLD_LETTERS[ch]
    if digits and ch in DIGITS:
        return DIGITS[ch]
    if punct and ch in PUNCT:
        return PUNCT[ch]
    out = ch
    if marks and not ch.isascii() and not _is_arabic(ch):
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 or unicodedata.category(ch) == "Mn":
            out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
            if letters:
                out = "".join(_FOLD_LETTERS.get(c, c) for c in out)
    if case:
        out = out.casefold()
    return out


def fold(text: str, lang: str | None = None, *, marks: bool = True, letters: bool = True,
         digits: bool = True, punct: bool = True, case: bool = True) -> str:
    """Fold ``text`` for matching (see the module docstring for the rules).

    >>> fold("أَحْمَدُ في المدرسةِ ٢٠٢٤", "ar")
    'احمد في المدرسه 2024'
    >>> fold("Café ÉTÉ", "en")
    'cafe ete'
    """
    del lang  # rules are chosen by script
    if text.isascii():
        return text.casefold() if case else text
    return "".join(_fold_char(ch, marks, letters, digits, punct, case) for ch in text)


def fold_with_map(text: str, lang: str | None = None, **rules: bool) -> tuple[str, list[int]]:
    """``(folded, starts)``: ``folded[k]`` comes from ``text[starts[k]]``; ``starts[-1] == len(text)``.

    Use it to map a match found in folded text back to the original characters.
    """
    pieces: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        piece = fold(ch, lang, **rules)
        pieces.append(piece)
        starts.extend([i] * len(piece))
    starts.append(len(text))
    return "".join(pieces), starts


@lru_cache(maxsize=1)
def _casefold_table() -> tuple[tuple[str, str], ...]:
    """The characters whose case folding is not their lower case (ß -> ss, final ς -> σ, ſ -> s:
    297 of them): a browser has ``toLowerCase`` only."""
    chars = (chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    return tuple((c, c.casefold()) for c in chars if c.casefold() != c.lower())


def fold_tables() -> dict[str, object]:
    """The folding rules as data, for a page that searches in the browser the way ``grep`` does
    (the review app and the HTML report): ``marks`` (dropped characters, one string), ``letters``,
    ``digits`` and ``punct`` (character maps), and ``casefold`` (the case folding that is not
    the lower case). The page also takes compatibility forms as their letters (NFKC), drops the
    accents of non-Arabic letters and folds case, as :func:`fold` does; and reads the Qur'an's
    Uthmani spelling as the standard one as :func:`search_spelling` does, from ``uthmani`` (its
    patterns, vowels and the words that keep their dagger alef unwritten)."""
    return {"marks": "".join(sorted(MARKS)), "letters": dict(_FOLD_LETTERS), "digits": dict(DIGITS),
            "punct": dict(PUNCT), "casefold": dict(_casefold_table()),
            "uthmani": {"tatweel_hamza": _TATWEEL_HAMZA.pattern, "word": _WORD.pattern,
                        "hamza_alef": _HAMZA_ALEF.pattern, "marks": "".join(sorted(_MARK_CHARS)),
                        "kasra": _KASRA, "damma": _DAMMA, "fatha": _FATHA, "fathatan": _FATHATAN,
                        "unwritten": sorted(_DAGGER_UNWRITTEN)}}


# ----------------------------------------------------------------- the Qur'an's spelling

#: Characters only the Uthmani script of the Qur'an writes: alef wasla, the small waw, yeh, high
#: yeh and high noon; and a hamza on a tatweel. A modern text may hold a dagger alef too (هٰذا,
#: الرحمٰن): there it is read as in the Uthmani script and the rest of the text is left as it is.
_UTHMANI = frozenset("\u0671\u06E5\u06E6\u06E7\u06E8")
# vowel marks, Qur'anic signs and the tatweel they may sit on
_HARAKA = "[\u064B-\u0653\u0655-\u065F\u0610-\u061A\u06D6-\u06E4\u06EA-\u06ED\u0640]*"
# a hamza on a tatweel (شَيۡـٔٗا, يَسۡـَٔلُونَ, أَنۢبِـُٔونِي) with the letter before it and the vowels
# around it, which say the seat the standard spelling writes (شيئا, يسألون, أنبئوني)
_TATWEEL_HAMZA = re.compile("([\u0621-\u063F\u0641-\u064A]?)([\u064B-\u0653\u06E1\u06E2]*)\u0640"
                            "([\u064B-\u0653\u0657\u065E\u0670\u08F0-\u08F2]*)\u0654"
                            "([\u064B-\u0652\u0657\u065E\u06E1\u08F0-\u08F2]*)(ا?)")
_WORD = re.compile("[\u0621-\u065F\u0670-\u06EF]+")
#: Words the standard spelling also writes without the long alef the dagger alef stands for
#: (هذا not هاذا, ذلك, لكن, الله, إله, الرحمن, أولئك, هؤلاء), as their letters (the alefs of
#: :data:`LETTERS`, أ إ آ ٱ ..., read as ا).
_DAGGER_UNWRITTEN = frozenset((
    "ذلك", "ذلكم", "ذلكما", "هذا", "هذه", "هذان", "هذين", "هؤلاء", "هكذا", "لكن", "لكنه", "لكنها", "لكنهم",
    "لكنكم", "لكنا", "لكني", "لكنما", "الله", "اللهم", "اله", "الها", "الهه", "الهكم", "الهنا", "الهين",
    "الهك", "الرحمن", "رحمن", "اولئك", "اولئكم", "طه"))
_BARE = str.maketrans({k: v for k, v in LETTERS.items() if v == "ا"})
# the vowels, with the open tanwin of Qur'anic fonts (U+08F0-U+08F2, and the inverted damma and
# fatha with two dots some texts write for them)
_KASRA, _DAMMA, _FATHA = "\u0650\u064D\u08F2", "\u064F\u064C\u065E\u08F1", "\u064E\u064B\u0657\u08F0"
_FATHATAN = "\u064B\u0657\u08F0"
# the vocative يا and the attention ها written onto their word (يَٰٓأَيُّهَا, يَٰقَوۡمِ, هَٰٓأَنتُمۡ)
_VOCATIVE = re.compile("^((?:[وف]" + _HARAKA + ")?)ي" + _HARAKA + "\u0670" + _HARAKA + "(?=[\u0621-\u064A])")
_ATTENTION = re.compile("^((?:[وف]" + _HARAKA + ")?)ه" + _HARAKA + "\u0670" + _HARAKA + "(?=[أاآ])")
# ىٰ at the end of a word is ى (عَلَىٰ: على), inside it ا (مَوۡلَىٰهُمۡ: مولاهم); وٰة is اة (ٱلصَّلَوٰةَ)
_FINAL_YA_ALEF = re.compile("ى(" + _HARAKA + ")\u0670(?=" + _HARAKA + "$)")
_YA_ALEF = re.compile("ى(" + _HARAKA + ")\u0670")
_WAW_ALEF = re.compile("و(" + _HARAKA + ")\u0670(?=" + _HARAKA + "ة)")
_BEFORE_ALEF = re.compile("\u0670(?=" + _HARAKA + "[اآ])")  # no alef twice
# a hamza and a long a: ءَامَنُواْ, ٱلۡقُرۡءَانُ (not the alef of a tanwin: جُزۡءٗا is جزءا)
_HAMZA_ALEF = re.compile("[ءأ](" + _HARAKA + ")ا")


def _seat_of(m: re.Match[str]) -> tuple[str, bool]:
    """The seat a hamza on a tatweel (a :data:`_TATWEEL_HAMZA` match) takes, and whether the alef
    after it is a tanwin's, which is not written: ``آ`` for a hamza and a long a (بِـَٔايَٰتِنَا:
    بآياتنا); ئ after ي (سَيِّـَٔاتِ: سيئات); else as the stronger vowel of the hamza and the letter
    before it says (kasra ئ, damma ؤ, fatha أ), and the alef of a final tanwin after أ is not
    written (خَطَـٔٗا: خطأ). The hamza's vowel may be written before it or after it; a dagger alef
    with it is its long a (خَطِيٓـَٰٔتِكُمۡ: خطيئاتكم)."""
    letter, before, mid, after, alef = m.groups()
    vowels = before + mid + after
    tanwin = any(c in _FATHATAN for c in mid + after)
    if letter in ("ي", "ى"):
        return "ئ", False
    if (alef or "\u0670" in mid) and not tanwin:
        return "آ", False
    if any(c in _KASRA for c in vowels):
        return "ئ", False
    if any(c in _DAMMA for c in vowels):
        return "ؤ", False
    if any(c in _FATHA for c in vowels):
        return "أ", tanwin
    return "ئ", False


def _seat(m: re.Match[str]) -> str:
    """A hamza on a tatweel in the standard spelling, its seat and its long a (:func:`_seat_of`)."""
    letter, before, mid, after, alef = m.groups()
    seat, tanwin_alef = _seat_of(m)
    if seat == "آ":
        return letter + before + "آ" + after
    return letter + before + seat + ("ا" if "\u0670" in mid else "") + after + ("" if tanwin_alef else alef)


def _unwritten(word: str) -> bool:
    """Whether the standard spelling writes ``word`` without the alef of its dagger alef: one of
    :data:`_DAGGER_UNWRITTEN`, alone or after clitics (و، ف، ب، ل، ك: ولكن, فذلك, بالله, كذلك), the
    article's alef dropped after ل (لِلرَّحۡمَٰنِ: للرحمن, not للرحمان)."""
    bare = strip_marks(word).translate(_BARE)
    for k in range(3):
        rest = bare[k:]
        if all(c in "وفبلك" for c in bare[:k]) and (
                rest in _DAGGER_UNWRITTEN or (k and bare[k - 1:k] == "ل" and "ا" + rest in _DAGGER_UNWRITTEN)):
            return True
    return False


def _standard_word(word: str) -> str:
    if "\u0670" not in word:
        return word
    if _unwritten(word):
        return word.replace("\u0670", "")
    word = _VOCATIVE.sub(r"\1يا ", word)
    word = _ATTENTION.sub(r"\1ها ", word)
    word = _FINAL_YA_ALEF.sub(r"ى\1", word)
    word = _YA_ALEF.sub(r"ا\1", word)
    word = _WAW_ALEF.sub(r"ا\1", word)
    word = _BEFORE_ALEF.sub("", word)
    return word.replace("\u0670", "ا")


def standard_spelling(text: str) -> str:
    """The Qur'an's Uthmani script (``ٱلۡحَٰسِبِينَ``, ``مَوۡلَىٰهُمُ``, ``ٱلصَّلَوٰةَ``, ``يَٰٓأَبَتِ``) in the
    standard spelling of the same words (الحاسبين, مولاهم, الصلاة, يا أبت); any other text as it is.

    An encoder learnt Arabic from text in the standard spelling: the Uthmani forms, which it has
    rarely seen, are cut into other pieces (the bundled encoder, 1,000 verses against their
    translations: the nearest English line is the right one for 41% of the verses as written, 62%
    in the standard spelling). Alef wasla is alef; the dagger alef is the alef it
    stands for, except in the words the standard spelling also writes without it (هذا, ذلك, الله,
    الرحمن, ...) and on ى at the end of a word (على); a hamza on a tatweel takes the seat its
    vowels call for; ءا, أا and أٓ are آ; the small waw and yeh after a pronoun are dropped, the small
    high yeh and noon are the letters they stand for. Vowel marks are left for :func:`strip_marks`."""
    if text.isascii():
        return text
    uthmani = not _UTHMANI.isdisjoint(text) or ("\u0654" in text and "\u0640" in text)
    if not uthmani:
        return _WORD.sub(lambda m: _standard_word(m.group(0)), text) if "\u0670" in text else text
    # an alef with a madd sign (آ once composed, ا + U+0653) is a long a: the hamza of آ is written ءا
    text = _TATWEEL_HAMZA.sub(_seat, text.replace("آ", "ا\u0653"))
    text = _WORD.sub(lambda m: _standard_word(m.group(0)), text)
    text = _HAMZA_ALEF.sub(lambda m: m.group(0) if any(c in _FATHATAN for c in m.group(1)) else "آ" + m.group(1),
                           text).replace("أ\u0653", "آ")  # and ٱلۡأٓخِرَةِ
    return (text.replace("\u0671", "ا").replace("\u06E5", "").replace("\u06E6", "")
            .replace("\u06E7", "ي").replace("\u06E8", "ن"))



# what a dagger alef's letter is looked for across (_next_letter): the marks folding drops, and the
# open tanwin of Qur'anic fonts (U+08F0-U+08F2)
_MARK_CHARS = MARKS | frozenset("\u08F0\u08F1\u08F2")
_DROP = "\u0640"  # a tatweel: a character search folds away, written where a letter must go
#: The small waw and yeh (dropped) and the small high yeh and noon (the letters they stand for)
_SMALL_LETTERS = str.maketrans({"\u06E5": _DROP, "\u06E6": _DROP, "\u06E7": "ي", "\u06E8": "ن"})


def _next_letter(chars: list[str], k: int, step: int) -> int:
    """The index of the first character from ``k`` (going by ``step``) that is not a mark or a
    tatweel; -1 or len(chars) where there is none."""
    while 0 <= k < len(chars) and chars[k] in _MARK_CHARS:
        k += step
    return k


def search_spelling(text: str) -> str:
    """``text`` as :func:`standard_spelling` writes it, one character for one, so that search
    (:mod:`parallel.concordance`, the pages' ``fold.js``) finds ``الصلاة``, ``القرآن`` and ``الحاسبين``
    in the Uthmani ``ٱلصَّلَوٰةَ``, ``ٱلۡقُرۡءَانُ`` and ``ٱلۡحَٰسِبِينَ`` and can still point at the
    characters written. A dagger alef that stands for a written alef is ``ا``; one the standard
    spelling does not write (هذا, الله, على) is kept, which folding drops; the letter a dagger alef
    turns into alef (مولاهم, الصلاة) is ``ا``; a hamza on a tatweel takes the tatweel's place as the seat
    its vowels call for; a hamza before a long a (ءا, آ) and the small waw and yeh are a tatweel
    (dropped by folding), the small high yeh and noon the letters they stand for. The vocative
    يٰٓأيها has no space (a search's space between Arabic letters matches none). Folded,
    ``search_spelling(text)`` and ``standard_spelling(text)`` read the same but for that space."""
    if text.isascii():
        return text
    uthmani = not _UTHMANI.isdisjoint(text) or ("\u0654" in text and "\u0640" in text)
    if not uthmani and "\u0670" not in text:
        return text
    chars = list(text)
    if uthmani:
        for m in _TATWEEL_HAMZA.finditer(text):
            seat, tanwin_alef = _seat_of(m)
            # the tatweel takes the seat (the hamza of a long a: a hamza, dropped below with the
            # alef's rule); the hamza above it, folded away anyway, is a tatweel so that it is no
            # mark between a hamza and its long a (_HAMZA_ALEF) either
            chars[m.start(3) - 1], chars[m.start(4) - 1] = ("ء" if seat == "آ" else seat), _DROP
            if tanwin_alef and m.group(5):
                chars[m.start(5)] = _DROP  # the alef of a tanwin after أ: خطأ
    for m in _WORD.finditer(text):
        if "\u0670" in m.group(0) and not _unwritten(m.group(0)):
            _dagger_alefs(chars, m.start(), m.end())
    if uthmani:
        # a hamza before a long a, written or a dagger alef (سَوۡءَٰتِهِمَا: سوآتهما), after those
        for m in _HAMZA_ALEF.finditer("".join(chars)):
            if not any(c in _FATHATAN for c in m.group(1)):
                chars[m.start()] = _DROP
        return "".join(chars).translate(_SMALL_LETTERS)
    return "".join(chars)


def _dagger_alefs(chars: list[str], start: int, end: int) -> None:
    """The dagger alefs of the word ``chars[start:end]`` in place (:func:`search_spelling`)."""
    for k in range(start, end):
        if chars[k] != "\u0670":
            continue
        before, after = _next_letter(chars, k - 1, -1), _next_letter(chars, k + 1, 1)
        if before < start:
            continue  # a dagger alef on nothing
        final = after >= end
        if chars[before] == "ى":
            if not final:
                chars[before] = "ا"  # مَوۡلَىٰهُمۡ: مولاهم; at the end (عَلَىٰ) it is ى
        elif chars[before] == "و" and not final and chars[after] == "ة":
            chars[before] = "ا"  # ٱلصَّلَوٰةَ: الصلاة
        elif final or chars[after] not in "اآ":
            chars[k] = "ا"

# ------------------------------------------------------- Arabic typed with Persian letter forms

# letters of the Arabic script that Arabic does not write (Persian پ چ ژ گ, Urdu ٹ ڈ ڑ ں ھ ہ ے,
# Kurdish ۆ ێ ە, ...; not ی and ک, the two forms a Persian keyboard types for ي and ك) and the
# zero-width non-joiner Persian writes inside words (می‌شود)
_NOT_ARABIC_LETTERS = re.compile("[\u0672-\u06A8\u06AA-\u06CB\u06CD-\u06D5\u200C]")
# the commonest Persian words, none of them an Arabic word (است "is", را, از "from", که "that",
# یک "one", می, های, شد, بود, شود, کند, شده, هستند, نیست, هست)
_PERSIAN_WORDS = frozenset(("است", "را", "از", "که", "یک", "می", "های", "شد", "بود", "شود", "کند", "شده",
                            "هستند", "نیست", "هست"))
_PERSIAN_FORMS = str.maketrans("\u06CC\u06A9", "\u064A\u0643")


def arabic_letter_forms(text: str) -> str:
    """Arabic typed with the Persian forms of ya and kaf (ی, ک: a Persian keyboard, or text that
    passed through one) in the Arabic letters ي and ك; Persian, Urdu and any other text as it is.

    The encoders read the two forms as other letters: the bundled encoder's cosine between NTREX
    sentences and their translations falls from 0.71 to 0.60 with ی and ک written for ي, ى and ك,
    and the seed article's two true pairs are lost. A sentence is left as it is where it holds a
    letter Arabic does not write (پ چ ژ گ ٹ ے ...), a zero-width non-joiner, or one of the
    commonest Persian words (است, را, از, که, ...)."""
    if "\u06CC" not in text and "\u06A9" not in text:
        return text
    if _NOT_ARABIC_LETTERS.search(text) or not _PERSIAN_WORDS.isdisjoint(_WORD.findall(strip_marks(text))):
        return text
    return text.translate(_PERSIAN_FORMS)


# Arabic presentation forms A and B: each letter's shape at the start, middle or end of a word,
# and ligatures (ﻻ, ﷲ, ﷺ)
_PRESENTATION = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFE]+")


def presentation_forms_as_letters(text: str) -> str:
    """Arabic presentation forms, the shapes a letter takes in a word (ﻓﻲ ﺍﻟﺼﻴﻦ, as text copied
    out of a PDF often is) and ligatures (ﻻ, ﷲ), as the letters they stand for (NFKC, on those
    characters only: the rest of the text is left as it is)."""
    if text.isascii() or not _PRESENTATION.search(text):
        return text
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _one_letter(ch: str) -> str:
    read = [c for c in unicodedata.normalize("NFKC", ch) if not c.isspace()]
    return read[0] if read else ch


#: Each Arabic presentation form as one character, the first letter it stands for (ﺍ ا, ﻻ ل, ﹰ ً).
PRESENTATION_ONE_TO_ONE: dict[int, str] = {
    cp: _one_letter(chr(cp)) for cp in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF))
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)}


def presentation_forms_one_to_one(text: str) -> str:
    """``text`` with each Arabic presentation form as the first letter it stands for
    (:data:`PRESENTATION_ONE_TO_ONE`): a reading of the same length, for code that hands back
    offsets into the text as written (the segmenter); :func:`presentation_forms_as_letters` where
    the length does not matter."""
    if text.isascii() or not _PRESENTATION.search(text):
        return text
    return text.translate(PRESENTATION_ONE_TO_ONE)


_DIGIT_TABLE = str.maketrans(DIGITS)


def for_embedding(text: str) -> str:
    """What an encoder is given of ``text``: :func:`presentation_forms_as_letters`,
    :func:`arabic_letter_forms`, :func:`standard_spelling`, :func:`strip_marks`, and Arabic-Indic
    digits and number signs as ASCII (:data:`DIGITS`: ٢٠١٩ as 2019, ٣٫٥ as 3.5, ٢٥٪ as 25%), as the
    English side writes them: an Arabic sentence that writes its numbers the eastern way was
    0.03-0.06 less like its translation to USE v3 than the same sentence in Western digits."""
    out = strip_marks(standard_spelling(arabic_letter_forms(presentation_forms_as_letters(text))))
    return out if out.isascii() else out.translate(_DIGIT_TABLE)


def length(text: str) -> int:
    """Characters of ``text`` without Arabic diacritics, tatweel and invisible marks
    (:func:`strip_marks`): vocalised Arabic (the Qur'an, hadith, poetry, children's books) has
    nearly as many marks as letters, and the encoder is given the text without them. Every length
    the toolkit compares across languages (the aligner's length factor and Gale-Church deviation,
    a link's ``length_ratio``, the confidence model's ``len_dev``) counts this way, so the same
    text vocalised or not is equally long."""
    return len(strip_marks(text))


def strip_marks(text: str) -> str:
    """Drop Arabic diacritics, tatweel and invisible marks only (letters and case kept).

    The light normalisation an encoder can be given before embedding (the ``norm`` option of
    :func:`parallel.embed.get_encoder` uses it); vowel marks are rare in running text and
    unevenly handled by sub-word vocabularies.
    """
    if text.isascii():
        return text
    return "".join(ch for ch in text if ch not in MARKS)
