"""Small Alignments with hostile text, built straight from the dataclasses (no encoder), and Arabic
written in presentation forms as a PDF gives it (:func:`presentation_forms`)."""

from __future__ import annotations

import unicodedata

import numpy as np

from parallel.data import Alignment, Document, Link, Segment

# Tabs, newlines, CR, markup, quotes, RTL marks, emoji, control characters, empty segments,
# Arabic-Indic digits, line separators.
AR = [
    "مرحبا\tبالعالم <b> & \"اقتباس\" 'x'",
    "عقدنا ٣٠ اجتماعًا مع ١٠٠ دولة\u200f",
    "سطر\nجديد\r😀",
    "",
    "منظمة WHO و كوفيد-19 \x01ctl",
    "الأخير \u202bمضمّن\u202c",
]
EN = [
    "Hello\tworld <b> & \"quote\" 'x'",
    "We held 40 meetings with 150 countries",
    "new\nline\r😀",
    "WHO and COVID-19 \x01ctl",
    "extra ]]> </seg>",
    "last\u2028sep",
]


def make_doc(texts: list[str], lang: str, name: str | None = None, sep: str = "\n") -> Document:
    """The sentences joined by ``sep`` (one a line by default; a space makes running text), all in
    paragraph 0, with exact offsets; named ``doc.LANG`` unless ``name``."""
    segs, pos = [], 0
    for i, t in enumerate(texts):
        segs.append(Segment(t, lang, i, 0, pos, pos + len(t)))
        pos += len(t) + len(sep)
    return Document(sep.join(texts), lang, tuple(segs), name=name or f"doc.{lang}")


def parallel_links() -> list[Link]:
    return [Link((0,), (0,), 0.9), Link((1, 2), (1, 2), 0.5), Link((3,), (), 0.0),
            Link((4,), (3,), 0.7), Link((), (4,), 0.0), Link((5,), (5,), 0.8)]


def comparable_links() -> list[Link]:
    return [Link((0,), (0,), 1.2), Link((4,), (3,), 1.1), Link((1,), (1,), 1.07)]


def embeddings(n: int, m: int, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows (n, d) and (m, d); target i close to source i."""
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n, d))
    t = s[: m] + 0.3 * rng.normal(size=(m, d)) if m <= n else rng.normal(size=(m, d))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return s.astype(np.float32), t.astype(np.float32)


def make_alignment(mode: str = "parallel", *, evidence: bool = True) -> Alignment:
    links = parallel_links() if mode == "parallel" else comparable_links()
    al = Alignment(make_doc(AR, "ar"), make_doc(EN, "en"), links, mode,
                   f"model:test|mode:{mode}|max:2|src:ar|tgt:en|v:0.1.0")
    if not evidence:
        return al
    from parallel.evidence import annotate

    s, t = embeddings(len(AR), len(EN))
    return annotate(al, src_emb=s, tgt_emb=t)


def presentation_forms(text: str) -> str:
    """``text`` with each Arabic letter in the presentation form its place in the word calls for
    (isolated, initial, medial, final; لا as one ligature), as text copied out of a PDF is."""
    forms: dict[tuple[str, str], str] = {}
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]:
        tag, *parts = unicodedata.decomposition(chr(cp)).split() or [""]
        if tag.startswith("<") and parts:
            forms.setdefault(("".join(chr(int(x, 16)) for x in parts), tag.strip("<>")), chr(cp))

    def letter(c: str) -> bool:
        return "\u0620" <= c <= "\u064A"

    def joins_next(c: str) -> bool:  # the letters that join the letter after them
        return letter(c) and c not in "اأإآدذرزوؤةىء"

    out, i = [], 0
    while i < len(text):
        c = text[i]
        before = i > 0 and joins_next(text[i - 1])
        unit = text[i:i + 2] if text[i:i + 2] == "لا" else c
        after = unit == c and joins_next(c) and i + 1 < len(text) and letter(text[i + 1])
        form = {(False, False): "isolated", (False, True): "initial", (True, True): "medial",
                (True, False): "final"}[(before, after)]
        out.append(forms.get((unit, form), forms.get((unit, "isolated"), unit)) if letter(c) else c)
        i += len(unit)
    return "".join(out)


def further_down(al: Alignment, query: str, *, case: bool = False, word: bool = False) -> str:
    """What the pages' count of links adds after a search (``furtherDown`` in fold.js), from what
    `grep` finds: the pairs below the bar still listed (either sentence holds the search) and the
    unmatched sentences that hold it; ``""`` when there are none."""
    from parallel.concordance import concordance
    from parallel.data import unmatched
    from parallel.report import pending_below_bar

    hits = concordance(al, query, word=word, case_sensitive=case)
    held = {(h.side, h.sentence) for h in hits}
    free = unmatched(al)
    pairs = sum(("src", c["src"]) in held or ("tgt", c["tgt"]) in held for c in pending_below_bar(al))
    sentences = len(held & ({("src", i) for i in free["src"]} | {("tgt", j) for j in free["tgt"]}))
    parts = ([f"{pairs} pair{'' if pairs == 1 else 's'} below the bar"] if pairs else []) + (
        [f"{sentences} unmatched sentence{'' if sentences == 1 else 's'}"] if sentences else [])
    if not parts:
        return ""
    return f"; further down, {' and '.join(parts)} {'holds' if pairs + sentences == 1 else 'hold'} the search"
