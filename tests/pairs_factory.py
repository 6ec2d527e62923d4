"""Small Alignments with hostile text, built straight from the dataclasses (no encoder)."""

from __future__ import annotations

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
