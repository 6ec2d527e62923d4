"""Parallel concordance: keyword in context on either side, the aligned segment beside it.

Matching runs on *folded* text (:func:`parallel.normalize.fold`: case, Arabic
diacritics, tatweel, alef/hamza variants, alef maqsura, Urdu heh, Arabic-Indic digits, typographic
quotes and dashes; a space between Arabic-script letters in a plain pattern matches none too; the
Qur'an's Uthmani spelling read as the standard one, :func:`parallel.normalize.search_spelling`), but
every hit is mapped back to the original characters, so contexts are shown
exactly as written. ``case_sensitive=True`` keeps every rule but case (Arabic has
no case, so it changes only Latin, Greek, Cyrillic... matches: ``WHO`` no longer
finds "who").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import normalize
from .data import Alignment, Document
from .errors import InputError

SIDES = ("src", "tgt", "both")
# Typographic quotes and dashes as ASCII before NFKC, which would take ``″`` as two primes
# (one character to one: offsets are kept).
_PUNCT = str.maketrans(normalize.PUNCT)


def _nfkc_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` with each character in NFKC form (Arabic presentation forms such as U+FEFB
    lam-alef become their letters, ``ﻻ`` -> ``لا``), and for each output character the index of
    the character it came from (plus ``len(text)`` at the end)."""
    if text.isascii():
        return text, list(range(len(text) + 1))
    text = text.translate(_PUNCT)
    if unicodedata.is_normalized("NFKC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch)
        out.append(n)
        where.extend([i] * len(n))
    where.append(len(text))
    return "".join(out), where


def fold_with_map(text: str, lang: str = "", *, case: bool = True) -> tuple[str, list[int]]:
    """``(folded, starts)``: ``folded[k]`` comes from ``text[starts[k]]``; ``starts[-1] == len(text)``.

    Compatibility forms are taken as what they stand for (NFKC, character by character, so each
    folded character still points at the one written), then :func:`parallel.normalize.fold_with_map`.
    ``case=False`` keeps letter case (every other folding rule applies).
    """
    nfkc, where = _nfkc_with_map(text)
    folded, starts = normalize.fold_with_map(normalize.search_spelling(nfkc), lang, case=case)
    return _one_space(folded, [where[k] for k in starts])


def _one_space(folded: str, starts: list[int]) -> tuple[str, list[int]]:
    """Every run of white space (a line break inside a sentence, two spaces, the spaces around a
    dropped Quranic pause mark) as one space, so that a space in a pattern matches it."""
    if not any(ch.isspace() for ch in folded):
        return folded, starts
    out: list[str] = []
    where: list[int] = []
    for ch, at in zip(folded, starts, strict=False):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        where.append(at)
    where.append(starts[-1])
    return "".join(out), where


def fold_text(text: str, lang: str = "", *, case: bool = True) -> str:
    """``text`` folded for matching: NFKC, then :func:`parallel.normalize.fold`, white space runs
    as one space."""
    nfkc = unicodedata.normalize("NFKC", text.translate(_PUNCT))
    folded = normalize.fold(normalize.search_spelling(nfkc), lang, case=case)
    return _one_space(folded, list(range(len(folded) + 1)))[0]


_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d*,?\d*\})[?+]?")
_CHAR_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2}))")


def _escaped_char(m: re.Match[str]) -> str:
    """The character a ``\\uXXXX``, ``\\UXXXXXXXX`` or ``\\xXX`` escape (a :data:`_CHAR_ESCAPE` match) names."""
    return chr(int(next(g for g in m.groups() if g), 16))


def _fold_regex(pattern: str, case: bool) -> str:
    """A regular expression over raw text as one over folded text: its syntax kept, each letter
    it names (typed, or as ``\\uXXXX``/``\\xXX``) folded as the text is. A character folding to
    nothing (a vowel mark, tatweel) goes with its quantifier (``عُ?قد`` is ``عقد``, not ``ع?قد``); one
    folding to several letters (ﻻ -> لا) is a group outside a class and refused inside one (the
    class would offer each letter alone); a range in a class is kept as written. Escaped, since
    NFKC can turn a character into syntax (a fullwidth bracket)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        m = _CHAR_ESCAPE.match(pattern, i)
        if m and _escaped_char(m).isascii():  # \x2e is a dot, not any character: kept as written
            out.append(m.group(0))
            i = m.end()
            continue
        if m:
            c = _escaped_char(m)
            i = m.end()
        elif c == "\\":  # an escape of syntax (\\., \\d, \\1): kept as written
            out.append(pattern[i:i + 2])
            i += 2
            continue
        elif c == "[":
            body, i = _fold_class(pattern, i, case)
            out.append(body)
            continue
        else:
            i += 1
        if c.isascii():
            out.append(c)
            continue
        folded = fold_text(c, case=case)
        if not folded:  # the mark's quantifier would fall on the letter before it
            q = _QUANTIFIER.match(pattern, i)
            i = q.end() if q else i
            continue
        out.append(re.escape(folded) if len(folded) == 1 else f"(?:{re.escape(folded)})")
    return "".join(out)


def _fold_class(pattern: str, i: int, case: bool) -> tuple[str, int]:
    """The character class opening at ``pattern[i]`` (``[``) folded (see :func:`_fold_regex`), and
    where the pattern goes on; an unterminated class is left as written, for ``re`` to refuse."""
    head = "[^" if pattern.startswith("[^", i) else "["
    j = i + len(head)
    items: list[tuple[str, str | None]] = []  # (as written, the character, or None: \\d and the like)
    while j < len(pattern) and not (pattern[j] == "]" and items):
        m = _CHAR_ESCAPE.match(pattern, j)
        if m:
            items.append((m.group(0), _escaped_char(m)))
            j = m.end()
        elif pattern[j] == "\\":
            items.append((pattern[j:j + 2], None))
            j += 2
        else:
            items.append((pattern[j], pattern[j]))
            j += 1
    if j >= len(pattern):
        return pattern[i:], len(pattern)
    body: list[str] = []
    k = 0
    while k < len(items):
        raw, ch = items[k]
        if k + 2 < len(items) and items[k + 1][0] == "-":  # a range: its ends are code points
            body.append(_fold_range(raw, ch, items[k + 2][0], items[k + 2][1], case))
            k += 3
            continue
        k += 1
        if ch is None or ch.isascii():
            body.append(raw)
            continue
        folded = fold_text(ch, case=case)
        if len(folded) > 1:
            raise InputError(f"bad regular expression {pattern!r}: {ch!r} reads as {folded!r} once folded, "
                             "several letters where a character class takes one; write (?:...|...)")
        body.append(re.escape(folded))
    if not "".join(body):
        raise InputError(f"pattern {pattern}: a character class of marks grep ignores "
                         "(tatweel, vowel marks and other diacritics are removed before matching): search "
                         "for the letters")
    return head + "".join(body) + "]", j + 1


#: Most code points a range of a character class is read over one by one (folded); a wider one
#: stays as written.
_RANGE_MAX = 4096


def _fold_range(raw_lo: str, lo: str | None, raw_hi: str, hi: str | None, case: bool) -> str:
    """A class range folded: the characters it holds, each folded, so that it means over the folded
    text what it meant over the raw one (``[٠-٩]``: the digits 0-9 once folded; ``[à-ü]``: the
    letters without their accents). A range of ASCII ends, one with an escape such as ``\\d`` at
    an end, or one wider than :data:`_RANGE_MAX` stays as written (``re`` refuses a reversed one)."""
    written = raw_lo + "-" + raw_hi
    if lo is None or hi is None or (lo.isascii() and hi.isascii()) or not 0 <= ord(hi) - ord(lo) <= _RANGE_MAX:
        return written
    kept: list[str] = []
    for cp in range(ord(lo), ord(hi) + 1):
        folded = fold_text(chr(cp), case=case)
        if len(folded) == 1 and folded not in kept:  # a mark folds to nothing, a ligature to several
            kept.append(folded)
    return "".join(re.escape(x) for x in kept)


_GROUPING = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
#: A number written with a full stop, a space or an apostrophe between its groups of three digits,
#: as the other languages write thousands (de/es/it 1.234.567, fr/ru 1 234 567 with a narrow
#: no-break space, which folding makes a space, de-CH 1'234'567); a full stop only where it is
#: twice or more (2.500 may be 2.5, and is searched as written)
_GROUPED = re.compile(r"(?<![0-9])(?<![0-9][.,' ])[0-9]{1,3}(?:(?:\.[0-9]{3}){2,}|(?: [0-9]{3})+|(?:'[0-9]{3})+)(?![0-9])")
_DIGIT_RUN = re.compile(r"[0-9]{4,}")
#: What may stand between the groups of a number's digits in the text: a comma, a full stop, a
#: space (any white space, once folded) or an apostrophe; the same one throughout the number
_SEPARATOR = "[,. ']?"
#: The letters of the Arabic script once folded (Arabic, Persian, Urdu, ...)
_AR_LETTERS = "\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9"
#: A space between two letters of the Arabic script in a folded pattern
_AR_GAP = re.compile(f"(?<=[{_AR_LETTERS}]) (?=[{_AR_LETTERS}])")
_AR_LETTER = re.compile(f"[{_AR_LETTERS}]")
_ZWNJ_RUN = re.compile("\u200c+")


def fold_plain(pattern: str, *, case: bool = True) -> str:
    """A plain pattern folded as the text is (:func:`fold_text`), except that a zero-width non-joiner
    between two letters of the Arabic script is a space (``سه‌شنبه`` as ``سه شنبه``), which
    :func:`literal_pattern` then matches with or without a space or non-joiner in the text."""
    pieces = [fold_text(p, case=case) for p in _ZWNJ_RUN.split(pattern)]
    out = pieces[0]
    for piece in pieces[1:]:
        joined = out and piece and _AR_LETTER.match(out[-1]) and _AR_LETTER.match(piece[0])
        out += (" " if joined else "") + piece
    return out


def _literal(text: str) -> str:
    """``text`` (folded, no number in it) as a regular expression that matches it, a space between
    two letters of the Arabic script matching a space or nothing: Persian and Urdu write a compound
    with a space, a zero-width non-joiner (dropped by folding) or neither (سه شنبه, سه‌شنبه, سهشنبه:
    Tuesday; می شود, می‌شود, میشود), and Arabic has such pairs too (عبد الله and عبدالله)."""
    return " ?".join(re.escape(part) for part in _AR_GAP.split(text))


def literal_pattern(folded: str) -> str:
    """The regular expression of a folded plain pattern: itself, except that a number of four
    digits or more matches it written with or without thousands separators, a comma, a full stop,
    a space or an apostrophe, the same one between all its groups (``1000`` finds ``1,000``,
    ``١٬٠٠٠``, which folds to ``1,000``, ``1.000``, ``1 000`` and ``1 000``; ``1234567`` finds
    ``1.234.567`` but not ``1,234.567``; ``1,000``, ``1 000``, ``1'000`` and ``1.000.000`` are read
    as the numbers they write, ``1.000`` as written), and a space between two Arabic-script letters
    matches a space or none (:func:`_literal`). The pages' search does the same (``numberPattern``
    in fold.js; a browser test holds the two to the same answers)."""
    plain = _GROUPED.sub(lambda m: re.sub("[. ']", "", m.group()), _GROUPING.sub("", folded))
    out: list[str] = []
    last = 0
    for n, m in enumerate(_DIGIT_RUN.finditer(plain)):  # number n's separator is the group sepN
        run = m.group()
        head = len(run) % 3 or 3
        parts = [run[:head]] + [run[k:k + 3] for k in range(head, len(run), 3)]
        number = f"{parts[0]}(?P<sep{n}>{_SEPARATOR}){parts[1]}" + "".join(f"(?P=sep{n}){p}" for p in parts[2:])
        out += [_literal(plain[last:m.start()]), number]
        last = m.end()
    out.append(_literal(plain[last:]))
    return "".join(out)


#: A group of a number's digits, in folded text, that a separator (:data:`_SEPARATOR`) joins to the
#: group before it: 1-3 digits (no digit before them), the separator, three digits (no digit after).
#: ``-w`` takes a number whole: a match may not start at such a group (``800`` in 379,800) ...
_NUMBER_START = ("(?:(?![0-9]{3}(?![0-9]))|"
                 + "".join(f"(?<!(?<![0-9])[0-9]{{{n}}}[,. '])" for n in (1, 2, 3)) + ")")
#: ... nor end before one (``379`` in 379,800, ``12`` in 12 000); a decimal is no group (``2019``
#: in 2019, or in 2019.5, is whole; the pages' find does the same: ``splitsNumber`` in fold.js)
_NUMBER_END = ("(?:(?![,. '][0-9]{3}(?![0-9]))|"
               + "".join(f"(?<!(?<![0-9])[0-9]{{{n}}})" for n in (1, 2, 3)) + ")")


def compile_pattern(pattern: str, *, regex: bool = False, word: bool = False,
                    case_sensitive: bool = False) -> re.Pattern[str]:
    """The pattern to run over folded text.

    A plain pattern is folded and matched literally; a regular expression keeps
    its syntax (only non-ASCII characters are folded) and matches case-insensitively
    unless ``case_sensitive``.
    """
    if not pattern:
        raise InputError("empty pattern")
    case = not case_sensitive
    if regex:
        body = _fold_regex(pattern, case)
        if not body.strip():  # only tatweel or marks: nothing left to look for
            raise InputError(f"pattern {pattern!r} is empty once diacritics are ignored")
    else:
        folded = fold_plain(pattern, case=case)
        if not folded.strip():
            raise InputError(f"pattern {pattern!r} is empty once diacritics are ignored")
        if _AR_LETTER.match(folded):
            return _compiled(_arabic_word(folded, word), pattern, case_sensitive)
        body = literal_pattern(folded)
        if word:  # a number whole: not the head or tail of one written with thousands separators
            body = rf"{_NUMBER_START}(?:{body}){_NUMBER_END}"
    if word:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    return _compiled(body, pattern, case_sensitive)


#: Where a whole Arabic word may start: at a word's start, or after the proclitics written onto it
#: (و ف, then ب ك ل: والزكاة, فبالله, وللرحمن); a lookbehind each, so the hit is the word itself.
_WORD_START_AR = r"(?:(?<!\w)|(?<=(?<!\w)[وفبكل])|(?<=(?<!\w)[وف][بكل]))"
#: ... and where the article's alef, dropped after the preposition ل, would start (للرحمن: ل + الرحمن)
_AFTER_LAM_AR = r"(?:(?<=(?<!\w)ل)|(?<=(?<!\w)[وف]ل))"


def _arabic_word(folded: str, word: bool) -> str:
    """The expression of a folded plain pattern that starts with an Arabic-script letter: with
    ``word``, a whole word that may carry the proclitics و ف ب ك ل (``-w الزكاة`` finds والزكاة, as
    a reader of Arabic expects: the words are written onto their conjunctions and prepositions);
    and, with or without ``word``, a pattern starting with the article ال also finds it after the
    preposition ل, which drops its alef (الرحمن finds للرحمن). The pages' find does the same
    (``holdsQuery`` in fold.js; a browser test holds the two to the same answers)."""
    body = literal_pattern(folded)
    after_lam = (literal_pattern("ل" + folded[2:]) if folded.startswith("ال") and len(folded) > 2
                 and not folded[2].isspace() else None)
    if word:
        out = f"{_WORD_START_AR}(?:{body})"
        if after_lam:
            out = f"(?:{out}|{_AFTER_LAM_AR}(?:{after_lam}))"
        return rf"{out}(?!\w){_NUMBER_END}"
    return f"(?:{body}|(?<=ل)(?:{after_lam}))" if after_lam else body


def _compiled(body: str, pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    try:
        return re.compile(body, 0 if case_sensitive else re.IGNORECASE)
    except (re.error, OverflowError) as exc:  # OverflowError: a repeat count like a{99999999999}
        raise InputError(f"bad regular expression {pattern!r}: {exc}") from None


@dataclass(frozen=True)
class Hit:
    """One match: where it is (side, sentence, characters in the sentence) and what it is aligned to."""

    side: str  # "src" / "tgt"
    lang: str
    sentence: int
    start: int  # character offsets in the sentence text (original characters)
    end: int
    text: str  # the whole sentence
    link: int | None  # index of the link holding the sentence, None if unmatched
    other_ids: tuple[int, ...]
    other_lang: str
    other_text: str

    @property
    def match(self) -> str:
        return self.text[self.start:self.end]

    def left(self, width: int) -> str:
        """Up to ``width`` characters before the match, from a whole letter (a context never
        opens on a vowel mark cut from its letter)."""
        a = max(0, self.start - width)
        while 0 < a < self.start and unicodedata.category(self.text[a]) in ("Mn", "Me"):
            a -= 1
        return self.text[a:self.start]

    def right(self, width: int) -> str:
        """Up to ``width`` characters after the match, with the marks of its last letter."""
        b = min(len(self.text), self.end + width)
        while b < len(self.text) and unicodedata.category(self.text[b]) in ("Mn", "Me"):
            b += 1
        return self.text[self.end:b]

    def to_dict(self, width: int = 40) -> dict[str, Any]:
        return {"side": self.side, "lang": self.lang, "sentence": self.sentence, "start": self.start,
                "end": self.end, "left": self.left(width), "match": self.match,
                "right": self.right(width), "link": self.link, "other_ids": list(self.other_ids),
                "other_lang": self.other_lang, "other": self.other_text}


def _search(text: str, lang: str, rx: re.Pattern[str], case: bool) -> Iterator[tuple[int, int]]:
    folded, starts = fold_with_map(text, lang, case=case)
    for m in rx.finditer(folded):
        if m.end() == m.start():
            continue
        a = starts[m.start()]
        b = starts[m.end() - 1] + 1
        # marks that follow the last matched letter belong to it (ignored when folding); a
        # non-joiner after it is the gap to the next part of a compound ("سه" in "سه‌شنبه")
        while b < len(text) and text[b] != "\u200c" and fold_text(text[b], lang) == "":
            b += 1
        yield a, b


def concordance(al: Alignment, pattern: str, *, regex: bool = False, side: str = "both",
                word: bool = False, case_sensitive: bool = False) -> list[Hit]:
    """Every match of ``pattern`` in the alignment's sentences, in document order (source first)."""
    if side not in SIDES:
        raise InputError(f"side must be one of {', '.join(SIDES)}")
    rx = compile_pattern(pattern, regex=regex, word=word, case_sensitive=case_sensitive)
    hits: list[Hit] = []
    plan: list[tuple[str, Document, Document]] = []
    if side in ("src", "both"):
        plan.append(("src", al.src, al.tgt))
    if side in ("tgt", "both"):
        plan.append(("tgt", al.tgt, al.src))
    for name, doc, other in plan:
        where: dict[int, int] = {}
        for n, link in enumerate(al.links):
            for i in (link.src if name == "src" else link.tgt):
                where.setdefault(i, n)
        for seg in doc.segments:
            found = list(_search(seg.text, doc.lang, rx, not case_sensitive))
            if not found:
                continue
            n_link = where.get(seg.index)
            if n_link is not None:
                link = al.links[n_link]
                other_ids = link.tgt if name == "src" else link.src
            else:
                other_ids = ()
            other_text = " ".join(other.segments[j].text for j in other_ids)
            for a, b in found:
                hits.append(Hit(name, doc.lang, seg.index, a, b, seg.text, n_link, tuple(other_ids),
                                other.lang, other_text))
    if not hits and regex:
        why = _why_nothing(rx, [seg.text for _, doc, _ in plan for seg in doc.segments])
        if why:
            raise InputError(f"pattern {pattern} {why}")
    return hits


def _why_nothing(rx: re.Pattern[str], texts: list[str]) -> str | None:
    """Why ``rx``, which found nothing in the folded ``texts``, still matches their raw text: it
    matches only marks that folding removes (tatweel, vowel marks), or only empty text (``^``,
    ``$``, ``\\b`` alone); None when it does not match the raw text either."""
    raw = [m for t in texts[:1000] for m in rx.finditer(t)]
    # a raw match that folding leaves empty is made of marks only; one that folds to letters is a
    # real difference (أ against [^ا]: folding makes it ا), and nothing matched
    if any(m.end() > m.start() and not fold_text(m.group(0)).strip() for m in raw):
        return ("matches only characters grep ignores (tatweel, vowel marks and other diacritics are "
                "removed before matching): search for the letters")
    if raw and all(m.end() == m.start() for m in raw):
        return "matches only empty text (such as ^, $ or \\b alone); a concordance needs characters to show"
    return None


def counts(hits: list[Hit]) -> dict[str, int]:
    """Number of matches per side, sentences and links with a match."""
    return {
        "matches": len(hits),
        "src": sum(h.side == "src" for h in hits),
        "tgt": sum(h.side == "tgt" for h in hits),
        "sentences": len({(h.side, h.sentence) for h in hits}),
        "links": len({h.link for h in hits if h.link is not None}),
        "unmatched": len({(h.side, h.sentence) for h in hits if h.link is None}),
    }


def _n(count: int, one: str, many: str | None = None) -> str:
    """``1 match``, ``2 matches``: a count with its noun in the right number."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counts_line(c: dict[str, int], src_lang: str, tgt_lang: str) -> str:
    """:func:`counts` as one line (``grep --count``), nouns in the right number:
    ``1 match (ar: 1, en: 0) in 1 sentence, 1 link``."""
    return (f"{_n(c['matches'], 'match', 'matches')} ({src_lang}: {c['src']}, {tgt_lang}: {c['tgt']}) "
            f"in {_n(c['sentences'], 'sentence')}, {_n(c['links'], 'link')}"
            + (f", {_n(c['unmatched'], 'unmatched sentence')}" if c["unmatched"] else ""))


def no_match_line(pattern: str, al: Alignment, *, side: str = "both", regex: bool = False,
                  case_sensitive: bool = False) -> str:
    """What a search that found nothing looked for (for standard error): the pattern as matched
    (folded), and where: ``no match for 'لا' (searched as 'لا', case ignored) in ar and en
    (12 + 10 sentences)``."""
    case = not case_sensitive
    searched = ("".join(c if c.isascii() else fold_text(c, case=case) for c in pattern) if regex
                else fold_text(pattern, case=case))
    sides = {"src": [al.src], "tgt": [al.tgt], "both": [al.src, al.tgt]}[side]
    where = " and ".join(d.lang for d in sides)
    sizes = " + ".join(str(len(d)) for d in sides)
    how = "regular expression" if regex else "text"
    return (f"no match for {pattern!r} ({how}, searched as {searched!r}, case "
            f"{'respected' if case_sensitive else 'ignored'}, Arabic marks and letter variants ignored) "
            f"in {where} ({sizes} sentences)")


#: The columns of ``grep -f tsv``, for its header line (``--header``/``--no-header``, as ``align``).
TSV_COLUMNS = ("link", "lang", "sentence", "left", "match", "right", "other_lang", "other_ids", "other")
