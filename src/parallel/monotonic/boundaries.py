"""What the text says about where a link may start or end, from the sentences alone.

:func:`clauses` splits a sentence at clause ends (and, for Arabic, before a clause-opening و/ف);
:func:`weak_boundaries` flags sentence boundaries that are likely not real ones (``:``/``;``/comma
before, lower case after); :func:`scraps` flags debris ("V", "1.") that never joins a
multi-sentence link; :func:`tails` flags closing quotes and marks left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import islice

import numpy as np

from ..normalize import INVISIBLE

# every length the aligner reads (link length factor, Gale-Church deviation, first-pass calibration,
# span budget) counts characters without Arabic marks: vocalised text is as long as unvocalised
from ..normalize import length as chars

# Clause-ending punctuation; with the pause marks of Uthmani script (the Qur'an's only punctuation,
# set on the last word of a phrase where a reader may stop: ۖ stop allowed, continuing better; ۗ
# stopping better; ۘ stop required; ۚ stop allowed), not the marks that forbid a stop (ۙ) or pair
# two places of which one is to be chosen (ۛ); closing quotes and invisible direction marks may
# stand between the mark and the space (web Arabic often writes a full stop as U+200F . U+200F)
_CLAUSE_END = re.compile(r"(?<=[.!?؟;؛:،,…\u06D6\u06D7\u06D8\u06DA])[\"'»”’)\]" + INVISIBLE + r"]*\s+")
_MIN_CLAUSE = 12  # characters: a shorter piece ("1.", "he said,") joins its neighbour
# vowel marks, tatweel and Quranic marks between letters (the Arabic marks of normalize.MARKS;
# not its invisible bidi and zero-width ones)
_MARKS = "[\u064B-\u065F\u0670\u0640\u0610-\u061A\u06D6-\u06E4\u06E7-\u06ED]*"
_LETTER = "[\u0621-\u064A\u0671-\u06D3]"


def _marked(word: str) -> str:
    """A pattern matching ``word`` with or without vowel marks between its letters (an alef also
    as written with a madda or a wasla: Uthmani script writes فَلَمَّآ)."""
    return _MARKS.join("[اآٱ]" if ch == "ا" else re.escape(ch) for ch in word) + _MARKS


# The sequential conjunction ف ("so", "then", written on the next word, as و is) opens a clause in
# narrative Arabic where English starts a new sentence ("So We saved him", "Then when ...").
# Unlike و, many words begin with the letter ف (في "in", فقط "only", فريق "team", names: فالدو),
# so it cuts only before the conjunction with a particle or a verb that cannot be read otherwise
# (فلما "then when", فقال "so he said", فإن, فقد, ...), or before ف with a hamza or an alef wasla
# and three more letters (فأنجيناه "so We saved him", فٱليوم "so today").
_FA_WORDS = ("فلما", "فقال", "فقالت", "فقالوا", "فقلنا", "فقلت", "فإن", "فإنه", "فإنها", "فإنهم", "فإنا",
             "فإذا", "فلم", "فلن", "فقد", "فلقد", "فكان", "فكانت", "فكانوا", "فهو", "فهي", "فما", "فمن",
             "فلا", "فليس", "فأما", "فبينما", "فعند", "فحين", "فلعل")
_FA = ("(?:" + "|".join(_marked(w) for w in sorted(_FA_WORDS, key=len, reverse=True)) + f")(?!{_MARKS}{_LETTER})"
       f"|ف{_MARKS}[أإٱ]{_MARKS}(?:{_LETTER}{_MARKS}){{3}}")
# The sequential conjunction ثم ("then", a word of its own) opens the next event of a narrative,
# which English starts as a sentence of its own ("Then he stood up and prayed"); not the words
# that begin with its letters (ثمن "price", ثمانية "eight", ثمار "fruits"), nor the ثم of من ثم
# ("hence", a connective inside the clause).
_THUMMA = _marked("ثم") + f"(?!{_MARKS}{_LETTER})"
_NOT_HENCE = "(?<!\\s)(?<!من)(?<!مِن)(?<!مِنْ)"
# Arabic prose chains its clauses with the conjunction و ("and", written on the next word) where
# English starts a new sentence: a word opening with و may start a clause (in vocalised text the
# و carries a vowel mark, وَقَالَ, and the next letter may be an alef wasla, وَٱلَّذِينَ), and so
# may the conjunction ف and ثم above ...
# (not the و of وسلم in the eulogy صلى الله عليه وسلم, "God bless him and grant him peace": one
# phrase, which English gives as one sign, ﷺ)
_EULOGY = _marked("وسلم") + f"(?!{_LETTER})"
_WAW = re.compile(f"\\s+(?!{_EULOGY})(?=و{_MARKS}{_LETTER}|{_FA})|{_NOT_HENCE}\\s+(?={_THUMMA})")
# ... once the clause before it has this many characters, Arabic marks not counted (so that a noun
# that merely begins with the letter, وزير "minister", does not cut a short phrase)
_MIN_WAW_CLAUSE = 40


def _waw_clauses(part: str) -> list[str]:
    """``part`` cut before words opening with the conjunction و or ف and before ثم, each piece but the last at least
    ``_MIN_WAW_CLAUSE`` characters."""
    out: list[str] = []
    acc = ""
    for piece in _WAW.split(part):
        if acc and chars(acc) >= _MIN_WAW_CLAUSE:
            out.append(acc)
            acc = piece
        else:
            acc = f"{acc} {piece}" if acc else piece
    return [*out, acc] if acc else out


# A chain of transmitters (isnad) opens a hadith, and many a report of classical Arabic prose:
# "حدثنا قتيبة، حدثنا حماد بن زيد، عن ثابت، عن أبي قتادة، عن النبي قال ...", each link a word of
# transmission and a name, cut off by a comma. A translation renders the chain as "Narrated Abu
# Qatadah:" or leaves it out; aligned as clauses of their own, its names went to whatever
# neighbouring sentence names people ("There are narrations on this topic from Ibn Abbas, ...",
# the end of the hadith before) and shifted the links after them. A link of the chain joins the
# clause after it, so the chain stays with the words it introduces.
_CHAIN_WORDS = ("حدثنا", "وحدثنا", "حدثني", "وحدثني", "أخبرنا", "وأخبرنا", "أخبرني", "وأخبرني", "أنبأنا",
                "عن", "وعن", "سمعت", "قال حدثنا", "قالا حدثنا", "قالوا حدثنا", "قال أخبرنا")
_CHAIN = re.compile("^(?:" + "|".join(_marked(w) for w in sorted(_CHAIN_WORDS, key=len, reverse=True)) + r")\s")
#: Words of one link at most: the word of transmission and a name of up to five (أبو بكر بن أبي شيبة).
_CHAIN_LINK_WORDS = 6


def _chain_link(part: str) -> bool:
    """Whether the clause ``part`` is one link of a chain of transmitters (``حدثنا قتيبة،``,
    ``عن أبي قتادة،``): a word of transmission and a name, no more."""
    return bool(_CHAIN.match(part.strip())) and len(part.split()) <= _CHAIN_LINK_WORDS


def unchained(clause: str) -> str:
    """``clause`` without the links of a chain of transmitters it opens with (:func:`_chain_link`)
    but the last, the one a translation names ("Narrated Anas:"); ``clause`` itself when it opens
    with fewer than two.

    >>> unchained("حدثنا قتيبة، حدثنا حماد بن زيد، عن ثابت، عن أنس، أن النبي قال لا تشربوا")
    'عن أنس، أن النبي قال لا تشربوا'
    """
    parts = [p for p in _CLAUSE_END.split(clause.strip()) if p]
    k = 0
    while k + 1 < len(parts) and _chain_link(parts[k]) and _chain_link(parts[k + 1]):
        k += 1
    return " ".join(parts[k:]) if k else clause


def clauses(text: str, waw: bool = False) -> list[str]:
    """The clauses of ``text``: split after ``. ! ? ; : ،`` or a comma, and with ``waw`` (the clause
    step, :func:`align_by_clauses`) in Arabic before a word opening with the conjunction و (or with
    the conjunction ف where it cannot be read otherwise: :data:`_FA_WORDS`; or before ثم, "then")
    once the clause before
    has ``_MIN_WAW_CLAUSE`` characters; a piece shorter than ``_MIN_CLAUSE``
    characters joins its neighbour, and a link of a chain of transmitters (:func:`_chain_link`)
    the piece after it (one piece: ``[text]``).

    >>> clauses("It could mean the end. Mother-of-three Willoughby set up Truly, with her friend Capp.")
    ['It could mean the end.', 'Mother-of-three Willoughby set up Truly,', 'with her friend Capp.']
    >>> clauses("It could mean the end. Mother-of-three Willoughby set up Truly, with Capp.")  # too short: joined
    ['It could mean the end.', 'Mother-of-three Willoughby set up Truly, with Capp.']
    """
    parts = [p for p in _CLAUSE_END.split(text.strip()) if p]
    if waw:
        parts = [q for p in parts for q in _waw_clauses(p)]
    merged: list[str] = []
    chained = False  # the piece before was a link of a chain of transmitters
    for part in parts:
        if merged and (chars(merged[-1]) < _MIN_CLAUSE or chained):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
        chained = _chain_link(part)
    if len(merged) > 1 and chars(merged[-1]) < _MIN_CLAUSE:
        merged[-2:] = [f"{merged[-2]} {merged[-1]}"]
    return merged or [text]


def clause_edges(text: str) -> tuple[str, str] | None:
    """The opening and closing clause of ``text`` (see :func:`clauses`), or None when it has fewer
    than two clauses of at least ``_MIN_CLAUSE`` characters.

    >>> clause_edges("It could mean the end. Mother-of-three Willoughby set up Truly, with her friend Capp.")
    ('It could mean the end.', 'with her friend Capp.')
    """
    parts = clauses(text)
    if len(parts) < 2:
        return None
    return parts[0], parts[-1]


_WEAK_END = tuple(":;,،؛-–—(")
_COMMAS = (",", "،")
# closing punctuation only ("!", "» .", ")"): the end of the sentence before, split off by a tokenizer
_CLOSE = "!?؟»”’\"')\\]"
_TAIL = re.compile(rf"^[{_CLOSE}.…\s]*[{_CLOSE}][{_CLOSE}.…\s]*$")


def tails(sents: Sequence[str]) -> np.ndarray:
    """(n,) bool: sentences made only of closing punctuation ("!", "» .", ")"): the end of the
    sentence before them, split off. A tail may join a multi-sentence link only as its last
    sentence, and the boundary before it is weak (:func:`weak_boundaries`)."""
    return np.array([bool(_TAIL.match(x)) for x in sents], dtype=bool)


def weak_boundaries(sents: Sequence[str], tail: np.ndarray | None = None,
                    cut: np.ndarray | None = None) -> np.ndarray:
    """(n,) bool: ``out[k]`` is True when the boundary before sentence ``k`` is weak - the previous
    sentence ends in ``:``, ``;``, a comma or a dash, sentence ``k`` starts in lower case, or
    sentence ``k`` is a tail (:func:`tails`) - so the two are likely one sentence of the other
    language. ``tail``: :func:`tails` of ``sents`` when the caller has it.

    A comma followed by a capital is not weak: no segmenter cuts after a comma, so the line break
    is the document's own, and the capital says a new unit starts there - a preamble's "Whereas
    ...," paragraphs, a list's items, an address, a verse. ``cut`` (n,) bool marks the boundaries
    that are this module's own cuts inside one sentence (:func:`clauses`): there a comma is weak
    whatever follows."""
    out = np.zeros(len(sents), bool)
    tail = tails(sents) if tail is None else tail
    for k in range(1, len(sents)):
        prev, cur = sents[k - 1].rstrip(), sents[k].lstrip()
        new_unit = (prev.endswith(_COMMAS) and bool(cur) and cur[0].isupper()
                    and not (cut is not None and cut[k]))
        out[k] = (bool(prev) and prev.endswith(_WEAK_END) and not new_unit
                  or (bool(cur) and cur[0].islower()) or bool(tail[k]))
    return out


_MARKER = re.compile(r"^(?:[(\[]?\d+[.)\]:]?|[(\[]?(?:[A-Za-z]{1,4}|[\u0600-\u06FF]{1,2})[.)\]:])$")


def scraps(sents: Sequence[str], tail: np.ndarray | None = None) -> np.ndarray:
    """(n,) bool: sentences that carry no text - fewer than 3 letters or digits, like OCR debris
    ("V", ".-^ !") - unless they look like a list marker ("1.", "(a)", "iv)"), which a translation
    keeps, or are a tail of closing punctuation (:func:`tails`). A scrap is never joined into a
    multi-sentence link: it is aligned 1-1 or left out. ``tail``: :func:`tails` of ``sents`` when
    the caller has it."""
    out = np.zeros(len(sents), bool)
    tail = tails(sents) if tail is None else tail
    for k, x in enumerate(sents):
        x = x.strip()
        if tail[k]:
            continue
        # count letters and digits only up to 3: a real sentence is decided after a few characters
        if len(list(islice(filter(str.isalnum, x), 3))) < 3 and not _MARKER.match(x.replace(" ", "")):
            out[k] = True
    return out
