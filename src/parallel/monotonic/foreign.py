"""Lines one side of a translation holds in the other side's language, untranslated: an
advertisement in the source language printed in the translated edition, a caption, an address or
a list of names left as it was, an English abstract inside an Arabic article.

A multilingual encoder scores two sentences of one language higher than a sentence and its
translation (the same-language bias), so the search would take such a line into a link with
whatever source sentence is near it: Text+Berg's French edition prints a German advertisement
("die neuen Quattro-Interactive-Jacken von berghaus") after the article's last sentence, and the
German source's last two sentences took in four of its lines each; three sentences of another
article put into an NTREX translation in the other side's language (English into the Arabic,
Arabic into the English, 20 placements) were linked 6 times in 60 (:func:`untranslated`: once). A
line in the other side's language can only be a translation of a sentence there if it copies one
(a title, a reference, a quotation kept in both), so :func:`untranslated` flags the lines that
are plainly in the other side's language and copy nothing there, and the search leaves them
unlinked (1-0/0-1).

"Plainly": at least :data:`_MIN_WORDS` words, and either

* the sides are written in two scripts (Arabic and English): at least 90% of the line's letters
  are in the other side's script; or
* they share one (German and French): py3langid, asked to choose between the two sides'
  languages only, is at least :data:`_SURE` sure of the other side's. Not every line is asked
  (about 0.3 ms a line): only those with more of the other side's distinctive frequent words
  than of their own side's (:func:`_distinctive`: the document's own function words, "und",
  "die", "von" against "et", "le", "de"), and the lines next to a line found foreign, since such
  lines come in runs ("Funktionsjacken — Außenjacke GORE-TEX®-Taslan." has no function word).

"Copies nothing": under :data:`_COPY` of its character trigrams are found together in any one
line of the other side.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .. import lang as langs

#: Fewest words (two letters or more) a line needs before its language is read: a name, a place or
#: a short title says nothing.
_MIN_WORDS = 4
#: Where both languages use one script: how sure py3langid must be, between the two languages only.
_SURE = 0.99
#: Share of a line's character trigrams found in one line of the other side that makes it a copy.
_COPY = 0.5
#: A side's distinctive words: among its this many most frequent ...
_TOP = 100
#: ... those at least ten times rarer (per word of text) on the other side.
_RARER = 0.1
#: Lines either side of a foreign line that are asked too.
_RUN = 2
_WORDS = re.compile(r"[^\W\d_]{2,}")
_LETTERS = re.compile(r"[^\W\d_]")
_NON_WORD = re.compile(r"\W+")
#: The letters of a script, where a pattern is quicker than naming every letter (:func:`_share`).
_SCRIPT_LETTERS = {"ARABIC": langs._ARABIC, "LATIN": re.compile("[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")}
_SAMPLE = 3000  # characters read to name a side's language and script


def _share(text: str, script: str) -> float:
    """Share of ``text``'s letters written in ``script``."""
    letters = len(_LETTERS.findall(text))
    if not letters:
        return 0.0
    pattern = _SCRIPT_LETTERS.get(script)
    if pattern is not None:
        return len(pattern.findall(text)) / letters
    found, share = langs.script_of(text)
    return share if found == script else 0.0


def _side_script(lines: Sequence[str]) -> str | None:
    """The script of a side's text (:func:`parallel.lang.script_of`), told by two patterns where
    one script holds most letters (naming every letter costs more than the rest of this module)."""
    sample = langs.spread_sample("\n".join(lines), _SAMPLE // 3)
    letters = len(_LETTERS.findall(sample))
    for script, pattern in _SCRIPT_LETTERS.items():
        if letters and len(pattern.findall(sample)) >= 0.8 * letters:
            return script
    return langs.script_of(sample)[0]


def _trigrams(text: str) -> set[str]:
    x = _NON_WORD.sub(" ", text.lower())
    return {x[i:i + 3] for i in range(len(x) - 2)}


def _words(lines: Sequence[str]) -> list[list[str]]:
    return [[w.lower() for w in _WORDS.findall(langs.without_addresses(x))] for x in lines]


def _distinctive(mine: Counter[str], theirs: Counter[str]) -> set[str]:
    """Among the :data:`_TOP` most frequent words of ``mine``, those :data:`_RARER` as frequent
    (per word) in ``theirs``: the side's own function words, not the names both sides share."""
    n_mine, n_theirs = max(1, sum(mine.values())), max(1, sum(theirs.values()))
    return {w for w, c in mine.most_common(_TOP) if theirs[w] / n_theirs < _RARER * c / n_mine}


def _side_lang(lines: Sequence[str]) -> str | None:
    """The language of a side's text, None where it is unknown or only a guess (a short text)."""
    found = langs.identify(langs.spread_sample("\n".join(lines), _SAMPLE))
    return None if found is None or found.guess else langs.primary(found.lang)


def untranslated(side: Sequence[str], other: Sequence[str]) -> np.ndarray:
    """(len(side),) bool: the lines of ``side`` written in ``other``'s language that copy no line
    of ``other`` (see the module docstring). Where the two sides are in one language, or either
    language is unknown or only guessed (a short text), nothing is flagged."""
    return untranslated_pair(side, other)[0]


def untranslated_pair(src: Sequence[str], tgt: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`untranslated` of both sides, ``(src flags, tgt flags)``, each side's script, words
    and language read once."""
    outs = (np.zeros(len(src), bool), np.zeros(len(tgt), bool))
    if not src or not tgt:
        return outs
    s_script, t_script = _side_script(src), _side_script(tgt)
    if s_script is None or t_script is None:
        return outs
    if s_script != t_script:
        found = (_in_script(src, t_script), _in_script(tgt, s_script))
    else:
        found = _same_script(src, tgt)
    for out, side, other, flagged in ((outs[0], src, tgt, found[0]), (outs[1], tgt, src, found[1])):
        if not any(flagged):
            continue
        their_grams = [_trigrams(x) for x in other]
        for k in np.flatnonzero(flagged):
            grams = _trigrams(side[int(k)])
            out[k] = not any(len(grams & g) >= _COPY * len(grams) for g in their_grams)
    return outs


def _in_script(side: Sequence[str], script: str) -> list[bool]:
    """Which lines of ``side`` have :data:`_MIN_WORDS` words and 90% of their letters in
    ``script`` (the other side's, the two sides written in two scripts)."""
    hint = _SCRIPT_LETTERS.get(script)
    found = []
    for x in side:
        # most lines hold no letter of the other script at all: one quick search each
        if hint is not None and not hint.search(x):
            found.append(False)
            continue
        text = langs.without_addresses(x)
        found.append(len(_WORDS.findall(text)) >= _MIN_WORDS and _share(text, script) >= 0.9)
    return found


def _same_script(src: Sequence[str], tgt: Sequence[str]) -> tuple[list[bool], list[bool]]:
    """Which lines of each side py3langid finds in the other side's language (both sides in one
    script): those with more of the other side's distinctive words than of their own, and their
    neighbours in a run (see the module docstring)."""
    words = (_words(src), _words(tgt))
    counts = [Counter(w for ws in side for w in ws) for side in words]
    distinct = (_distinctive(counts[0], counts[1]), _distinctive(counts[1], counts[0]))
    long_enough = [[len(ws) >= _MIN_WORDS for ws in side] for side in words]
    asks = [[k for k, ws in enumerate(words[s]) if long_enough[s][k]
             and sum(w in distinct[1 - s] for w in ws) > sum(w in distinct[s] for w in ws)] for s in (0, 1)]
    found: tuple[list[bool], list[bool]] = ([False] * len(src), [False] * len(tgt))
    if not asks[0] and not asks[1]:
        return found
    s_lang, t_lang = _side_lang(src), _side_lang(tgt)
    ident = langs._identifier()
    if s_lang is None or t_lang is None or s_lang == t_lang or ident is None:
        return found
    for s, side in enumerate((src, tgt)):
        own, theirs = (s_lang, t_lang) if s == 0 else (t_lang, s_lang)
        ask, asked = asks[s], set()
        while ask:
            k = ask.pop()
            if k in asked or not 0 <= k < len(side) or not long_enough[s][k]:
                continue
            asked.add(k)
            text = langs.without_addresses(side[k])
            label = ident.classify(text)[0]
            if langs._FOLD.get(label, label) != theirs:
                continue  # most lines asked: their own language is the likeliest (one quick call)
            scores: dict[str, float] = {}
            for code, p in ident.rank(text):
                code = langs._FOLD.get(code, code)
                if code in (own, theirs):
                    scores[code] = scores.get(code, 0.0) + float(p)
            if scores.get(theirs, 0.0) >= _SURE * (scores.get(own, 0.0) + scores.get(theirs, 0.0)):
                found[s][k] = True
                ask += [k + d for d in range(-_RUN, _RUN + 1) if d]
    return found
