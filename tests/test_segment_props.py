"""Property tests: segmentation never loses, invents or reorders characters."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallel.segment import segment, split_paragraphs

# Pieces that exercise the rules: sentence ends, quotes, brackets, abbreviations,
# numbers, Arabic punctuation, bidi marks, odd white space.
PIECES = [
    ".", "?", "!", "…", "؟", "،", "؛", ":", '"', "'", "“", "”", "«", "»", "(", ")", "[", "]",
    " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u200f", "\u200e", "\u200b", "\ufeff", "\u2028",
    "Dr.", "U.S.", "No.", "Jan.", "p.m.", "J.", "etc.", "3.5", "٣٫٥", "2019.", "...", "..",
    "The", "he", "iPhone", "word", "said", "قال", "د.", "م.", "ق.م.", "وقال", "قائلًا", "كوفيد-19",
    "الصين", "النتائج.\"", "(End)", "China ’s", "US $ 20", "\"(", ".)", "?\"", "!'",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40).map(" ".join),
)
langs = st.sampled_from(["en", "ar", "de", "fr", "es", "ru"])


# (the soft hyphen and word joiner since stop 57: invisible inside a word, left out at a sentence's edge)
_INVISIBLE = set("\u200e\u200f\u200b\u200c\u200d\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u061c\ufeff"
                 "\u00ad\u2060")


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _INVISIBLE


def _check(text: str, lang: str, **limits: int) -> None:
    segs = segment(text, lang, **limits)
    if "max_chars" in limits:
        assert all(len(s.text) <= limits["max_chars"] for s in segs)
    pos = 0
    last_para = -1
    for i, s in enumerate(segs):
        assert s.index == i
        assert s.lang == lang
        assert 0 <= pos <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == s.text
        gap = text[pos:s.start]
        assert all(not _visible(ch) for ch in gap), repr(gap)
        assert s.text == s.text.strip()
        assert s.paragraph >= last_para
        last_para = s.paragraph
        pos = s.end
    rest = text[pos:]
    assert all(not ch.isalnum() for ch in rest) or not rest.strip()
    # joining segments and gaps gives the text back exactly
    rebuilt = ""
    cur = 0
    for s in segs:
        rebuilt += text[cur:s.start] + s.text
        cur = s.end
    assert rebuilt + text[cur:] == text
    # every non-space character is in exactly one segment
    covered = sum(len(s.text) for s in segs)
    assert covered <= len(text)
    assert "".join(ch for s in segs for ch in s.text if _visible(ch)) == "".join(ch for ch in text if _visible(ch))
    assert segment(text, lang, **limits) == segs  # deterministic


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, langs)
def test_segments_cover_text_exactly(text: str, lang: str) -> None:
    _check(text, lang)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_unknown_language_never_loses_text(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        segs = segment(text, "it")
    assert all(text[s.start:s.end] == s.text for s in segs)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_paragraphs_are_ordered_disjoint_and_non_blank(text: str) -> None:
    prev = 0
    for a, b in split_paragraphs(text):
        assert prev <= a < b <= len(text)
        assert text[a:b].strip()
        prev = b


def test_edge_inputs() -> None:
    for text in ["", " ", "\n\n\n", "word", "word.", ".", "...", "؟", "\u200f\u200e", "\ufeffHello.",
                 "no final punctuation at all in this line", "a" * 20000, ("Sentence one. " * 3000),
                 "مرحبا بكم. Hello there. مرحبا!", "\u200fقال: مرحبا.\u200f Next one.", '"""...!!!???'
                 ]:
        for lang in ("en", "ar"):
            _check(text, lang)
    assert [s.text for s in segment("word", "en")] == ["word"]
    assert [s.text for s in segment("no final punctuation here", "ar")] == ["no final punctuation here"]
    assert len(segment("Sentence one. " * 3000, "en")) == 3000


# Long runs without a sentence end (issue 16): cut at a clause mark, a space, or anywhere, with
# offsets still exact. Small limits make hypothesis's short texts exercise every cut.
long_texts = st.one_of(
    texts,
    st.lists(st.sampled_from(["word", " ", "،", ",", "ab" * 20, "\u0301", "é", "\n", ".", "الصين"]),
             max_size=120).map("".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=50, max_size=400),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_texts, langs, st.integers(2, 60), st.integers(4, 200))
def test_long_runs_are_cut_with_exact_offsets(text: str, lang: str, max_chars: int, piece: int) -> None:
    _check(text, lang, max_chars=max_chars, piece=piece)


def test_a_long_unpunctuated_line_is_cut_at_spaces() -> None:
    from parallel.segment import MAX_SENTENCE

    text = " ".join(f"word{i}" for i in range(5000))  # ~44,000 characters, no sentence end
    segs = segment(text, "en")
    assert len(segs) > 1 and all(len(s.text) <= MAX_SENTENCE for s in segs)
    assert all(not s.text.startswith(" ") and text[s.start:s.end] == s.text for s in segs)
    assert " ".join(s.text for s in segs) == text  # cut only at spaces
    b64 = "QUJD" * 3000
    segs = segment(b64, "en")
    assert "".join(s.text for s in segs) == b64 and max(len(s.text) for s in segs) <= MAX_SENTENCE
