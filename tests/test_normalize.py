"""Arabic/English folding for matching (parallel.normalize)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parallel.normalize import DIGITS, LETTERS, MARKS, PUNCT, fold, fold_with_map, strip_marks

ARABIC_AND_LATIN = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ éÉßİ 0123,.") + list("ابتثجحخدذرسشصضطظعغفقكلمنهوي") + sorted(MARKS)[:12]
        + list(LETTERS) + list(DIGITS) + list(PUNCT) + ["ـ", "\u200f"]),
    max_size=40,
)


def test_diacritics_and_tatweel_are_dropped() -> None:
    assert fold("مُحَمَّدٌ", "ar") == "محمد"
    assert fold("جـــميل", "ar") == "جميل"
    assert fold("كتاب\u200f", "ar") == "كتاب"


def test_letter_variants_fold_to_one_form() -> None:
    forms = ["أحمد", "إحمد", "آحمد", "احمد"]
    assert {fold(f, "ar") for f in forms} == {"احمد"}
    assert fold("مدرسة", "ar") == fold("مدرسه", "ar")
    assert fold("على", "ar") == fold("علي", "ar")
    assert fold("مسؤول", "ar") == "مسوول"
    assert fold("رئيس", "ar") == "رييس"


def test_digits_become_ascii() -> None:
    assert fold("عام ٢٠٢٤ و۱۹۹۰", "ar") == "عام 2024 و1990"
    assert fold("٣٫٥٪", "ar") == "3.5%"


def test_english_case_and_accents() -> None:
    assert fold("Café ÉTÉ", "en") == "cafe ete"
    assert fold("Straße", "en") == "strasse"
    assert fold("PLAIN ascii", "en") == "plain ascii"


def test_rules_can_be_switched_off() -> None:
    text = "أَحمد ٣ ABC"
    assert fold(text, "ar", case=False) == "احمد 3 ABC"
    assert fold(text, "ar", digits=False) == "احمد ٣ abc"
    assert fold(text, "ar", letters=False).startswith("أحمد")
    assert fold(text, "ar", marks=False).startswith("اَحمد")


def test_strip_marks_keeps_letters_and_case() -> None:
    assert strip_marks("أَحْمَدُ Café ـ") == "أحمد Café "
    assert strip_marks("ascii only") == "ascii only"


@given(ARABIC_AND_LATIN)
def test_fold_is_character_local(text: str) -> None:
    assert fold(text, "ar") == "".join(fold(ch, "ar") for ch in text)


@given(ARABIC_AND_LATIN)
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text, "ar")
    assert fold(once, "ar") == once
    assert not (set(once) & MARKS)


@given(ARABIC_AND_LATIN)
def test_map_points_back_to_the_source(text: str) -> None:
    folded, starts = fold_with_map(text, "ar")
    assert folded == fold(text, "ar")
    assert len(starts) == len(folded) + 1 and starts[-1] == len(text)
    assert starts == sorted(starts)
    for k, ch in enumerate(folded):
        assert ch in fold(text[starts[k]], "ar")


def test_concordance_uses_this_module() -> None:
    from parallel import concordance

    assert concordance.fold_text("الْمَدْرَسَةُ", "ar") == fold("الْمَدْرَسَةُ", "ar")


def test_typographic_quotes_and_dashes_fold_to_what_a_keyboard_types() -> None:
    """A search typed with ' " - finds the text's ’ “ ‑ (and the other way round), as alef forms fold."""
    assert fold("China’s ‘art’ ʼ ′", "en") == "china's 'art' ' '"
    assert fold("“art” „x“ «حرية» ″", "en") == '"art" "x" "حريه" "'
    assert fold("e\u2010a e\u2011b e\u2012c e\u2013d \u22125", "en") == "e-a e-b e-c e-d -5"
    assert fold("China’s", "en", punct=False) == "china’s"
    from parallel.normalize import fold_tables

    assert all(len(v) == 1 for v in PUNCT.values())  # one character to one: offsets are kept
    assert fold_tables()["punct"] == PUNCT
