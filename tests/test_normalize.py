"""Arabic/English folding for matching (parallel.normalize)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parallel.normalize import (
    DIGITS,
    LETTERS,
    MARKS,
    PUNCT,
    arabic_letter_forms,
    fold,
    fold_with_map,
    for_embedding,
    presentation_forms_as_letters,
    standard_spelling,
    strip_marks,
)

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


@pytest.mark.parametrize(("uthmani", "standard"), [
    # as the Qur'an's Uthmani script writes them (code points as in the text of pyislamsdk-quran)
    ("ثُمَّ رُدُّوٓاْ إِلَى ٱللَّهِ مَوۡلَىٰهُمُ ٱلۡحَقِّۚ أَلَا لَهُ ٱلۡحُكۡمُ وَهُوَ أَسۡرَعُ ٱلۡحَٰسِبِينَ",
     "ثم ردوا إلى الله مولاهم الحق ألا له الحكم وهو أسرع الحاسبين"),        # alef wasla, dagger alef, ىٰ
    ("ٱلَّذِينَ ءَامَنُواْ", "الذين آمنوا"), ("ٱللَّهُ جُزۡءٗا", "الله جزءا"),   # ءا, but not a tanwin's alef
    ("يَـٰٓأَيُّهَا", "يا أيها"), ("يَـٰٓأَبَتِ", "يا أبت"), ("يَٰقَوۡمِ", "يا قوم"),  # the vocative
    ("وَيَـٰٓـَٔادَمُ", "ويا آدم"), ("هَـٰٓأَنتُمۡ", "ها أنتم"),
    ("عَلَىٰ", "على"), ("وَلَٰكِن", "ولكن"), ("كَذَٰلِكَ", "كذلك"), ("أُوْلَـٰٓئِكَ", "أولئك"),  # no alef written
    ("ٱلرَّحۡمَٰنِ", "الرحمن"), ("إِلَٰهٞ", "إله"), ("هَـٰٓؤُلَا\u0653ءِ", "هؤلاء"),
    ("ٱلۡحَمۡدُ وَلِلرَّحۡمَٰنِ", "الحمد وللرحمن"),  # the article's alef dropped after ل (stop 51: للرحمان)
    ("ٱلصَّلَوٰةَ", "الصلاة"), ("ٱلسَّمَٰوَٰتِ", "السماوات"), ("ٱلۡمَلَـٰٓئِكَةِ", "الملائكة"),
    ("إِبۡرَٰهِـۧمَ", "إبراهيم"), ("ٱلنَّبِيِّـۧنَ", "النبيين"), ("بِهِۦ", "به"), ("ٱلۡأٓخِرَةُ", "الآخرة"),
    ("ٱلۡقُرۡءَانُ", "القرآن"), ("يَشَا\u0653ءُ", "يشاء"),
    ("ٱللَّهُ مَا يَشَ\u0622ءُ", "الله ما يشاء"),  # the same composed (NFC): a madd sign, no hamza
    # a hamza on a tatweel takes the seat its vowels call for
    ("۞يَسۡـَٔلُونَكَ", "يسألونك"), ("ٱلۡأَفۡـِٔدَةِ", "الأفئدة"), ("أَنۢبِـُٔونِي", "أنبئوني"),
    ("شَيۡـٔٗا", "شيئا"), ("سَيِّـَٔاتُ", "سيئات"), ("بِـَٔايَٰتِنَآ", "بآياتنا"), ("خَطَـٔٗاۚ", "خطأ"),
    ("مَسۡـُٔولٗا", "مسؤولا"), ("تَسۡتَـٔۡخِرُونَ", "تستأخرون"), ("خَطِيٓـَٰٔتِكُمۡۚ", "خطيئاتكم"),
    # the vowel written before the hamza, as other Qur'an texts do (Tanzil)
    ("يَسْـَٔلُونَكَ", "يسألونك"), ("مُسْـُٔولًا", "مسؤولا"),
])
def test_the_uthmani_script_in_the_standard_spelling(uthmani: str, standard: str) -> None:
    assert for_embedding(uthmani) == standard


@pytest.mark.parametrize(("typed", "arabic"), [
    # Tatoeba's own lines, typed with a Persian keyboard's ی and ک
    ("شکراً لك علی کل شيء.", "شكراً لك علي كل شيء."), ("لا ارید التدخل.", "لا اريد التدخل."),
    ("سأذهب إلی الشاطئ.", "سأذهب إلي الشاطئ."), ("کتاب", "كتاب"),
    ("فی وقت سابق ، عندما کانت معرکة الصین", "في وقت سابق ، عندما كانت معركة الصين"),
])
def test_arabic_typed_with_persian_letter_forms_is_embedded_in_arabic_letters(typed: str, arabic: str) -> None:
    assert arabic_letter_forms(typed) == arabic
    assert for_embedding(typed) == strip_marks(arabic)


@pytest.mark.parametrize("text", [
    "این یک جمله فارسی است.",         # Persian: its commonest words
    "امروز هوا خوب است",
    "کتاب را خواندم",
    "می\u200cشود",                    # a zero-width non-joiner inside a word
    "پدر کجاست",                       # a letter Arabic does not write
    "یہ ایک اردو جملہ ہے",            # Urdu
    "ذهب الولد إلى المدرسة", "ascii",  # no Persian form at all
])
def test_persian_and_urdu_keep_their_letters(text: str) -> None:
    assert arabic_letter_forms(text) is text


def test_presentation_forms_are_read_as_their_letters() -> None:
    assert presentation_forms_as_letters("ﻓﻲ ﺍﻟﺼﻴﻦ ﻻ ﷲ (PDF)") == "في الصين لا الله (PDF)"
    assert for_embedding("ﺷﻜﺮﺍ") == "شكرا"
    from parallel.evidence import numbers_agreement

    # the numbers evidence reads them too: a scale word, a number written as a word
    assert numbers_agreement("ﻗﺘﻞ 100 ﺃﻟﻒ", "100,000 killed")[0] == "agree"
    assert numbers_agreement("ﺛﻼﺛﺔ ﺃﺷﺨﺎﺹ ﻭ 7 ﺳﻴﺎﺭﺍﺕ", "3 people and 7 cars")[0] == "agree"
    for text in ("في الصين", "ascii", "ﬁ ½"):  # Latin ligatures and fractions are not Arabic forms
        assert presentation_forms_as_letters(text) is text


def test_text_in_the_standard_spelling_is_left_as_it_is() -> None:
    # alef wasla, the small waw and yeh and a hamza on a tatweel are what tell the Uthmani script
    for text in ("ذَهَبَ الوَلَدُ إلى المَدْرَسَةِ", "Café ـ", "سـؤال", "ascii", "قرءان"):
        assert standard_spelling(text) is text
    # a dagger alef in modern text is read as there, and nothing else is touched
    assert for_embedding("هٰذا الرحمٰن إسحٰق") == "هذا الرحمن إسحاق"
    assert for_embedding("هٰذا القرآن") == "هذا القرآن"  # and its آ stays a letter


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


def test_arabic_indic_digits_are_embedded_as_the_english_side_writes_them() -> None:
    """An Arabic sentence that writes its numbers the eastern way (٣٠ دولة، ٢٠١٩، ١٥٠٠ خبير) was
    0.83 -> 0.55 like its translation to USE v3 (NTREX's 426 sentences with numbers: mean cosine
    0.727 -> 0.650, P@1 0.993 -> 0.974): the encoder is given ASCII digits and number signs, as the
    English side writes them; what is shown and exported keeps the text as written."""
    from parallel.embed import get_encoder

    assert for_embedding("عقد في ٢٠١٩ بمشاركة ١٥٠٠ خبير، بنسبة ٢٥٪ و٣٫٥ مليون ۱۲") == \
        "عقد في 2019 بمشاركة 1500 خبير، بنسبة 25% و3.5 مليون 12"
    western = "قالت الحكومة إن 30 دولة شاركت في المؤتمر الذي عقد في 2019 بمشاركة 1500 خبير."
    eastern = "قالت الحكومة إن ٣٠ دولة شاركت في المؤتمر الذي عقد في ٢٠١٩ بمشاركة ١٥٠٠ خبير."
    en = "The government said 30 countries took part in the 2019 conference with 1,500 experts."
    v = get_encoder("use-m3", cache=False).encode([western, eastern, en])
    assert float(v[1] @ v[2]) == pytest.approx(float(v[0] @ v[2]), abs=1e-6) and float(v[0] @ v[2]) > 0.75


def test_urdu_heh_folds_as_the_arabic_heh_for_search_and_on_the_pages() -> None:
    """Stop 50: ہ ۂ ۃ ھ (Urdu) fold to ه, as ة and ۀ do, in grep and in the tables the report and the
    review app fold with; the numbers evidence's LETTERS are left as they were."""
    from parallel.normalize import LETTERS, URDU_LETTERS, fold_tables

    assert fold("ماہرین بھی ۂ ۃ", "ur") == fold("ماهرین بهی ه ه", "ur") == "ماهرين بهي ه ه"
    letters = fold_tables()["letters"]
    assert isinstance(letters, dict) and all(letters[k] == "ه" for k in "ہۂۃھ")
    assert not set(URDU_LETTERS) & set(LETTERS)
    assert fold("سه\u200cشنبه", "fa") == "سهشنبه"  # the non-joiner is dropped, as zero-width characters are
