"""Sentence segmentation: hard cases in Arabic and English, paragraphs, registry, CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallel.cli import main
from parallel.data import Segment
from parallel.segment import (
    SPLITTERS,
    SplitterSpec,
    get_splitter,
    presplit,
    register_splitter,
    segment,
    split_paragraphs,
)

ROOT = Path(__file__).resolve().parents[1]


def sents(text: str, lang: str) -> list[str]:
    return [s.text for s in segment(text, lang)]


def check_offsets(text: str, segs: list[Segment]) -> None:
    pos = 0
    for i, s in enumerate(segs):
        assert s.index == i
        assert text[s.start:s.end] == s.text
        assert s.start >= pos
        assert text[pos:s.start].strip() == ""
        pos = s.end
    assert text[pos:].strip() == ""


EN_CASES = [
    ("Dr. Smith arrived. He sat down.", ["Dr. Smith arrived.", "He sat down."]),
    ("The U.S. economy grew 3.5 percent in Jan. last year.",
     ["The U.S. economy grew 3.5 percent in Jan. last year."]),
    ("He lives in the U.S. The company is in Washington, D.C. It grew.",
     ["He lives in the U.S.", "The company is in Washington, D.C.", "It grew."]),
    ("J.K. Rowling wrote it. No. 5 is next.", ["J.K. Rowling wrote it.", "No. 5 is next."]),
    # abbreviations of references and measures before a number end nothing; a short word does
    ("The church was built c. 1900 in Cairo. It is old.", ["The church was built c. 1900 in Cairo.", "It is old."]),
    ("It weighs appr. 5 kg, see vol. 2 of the report. Fine.",
     ["It weighs appr. 5 kg, see vol. 2 of the report.", "Fine."]),
    ("I saw him. 20 people were there.", ["I saw him.", "20 people were there."]),
    ("Mr. and Mrs. Brown met Prof. Lee at 5 p.m. on Monday.",
     ["Mr. and Mrs. Brown met Prof. Lee at 5 p.m. on Monday."]),
    ("Closed until Oct. President Widodo spoke on Oct. 5 in Palu.",
     ["Closed until Oct.", "President Widodo spoke on Oct. 5 in Palu."]),
    ("Prices rose 2.5% in 2019. Then they fell.", ["Prices rose 2.5% in 2019.", "Then they fell."]),
    ('"Why?" he asked. Nobody knew.', ['"Why?" he asked.', "Nobody knew."]),
    ("Why? he asked. Nobody knew.", ["Why? he asked.", "Nobody knew."]),
    ("— Will you come back? she asked. Then we left.", ["— Will you come back? she asked.", "Then we left."]),
    ("Who is to blame? The report said nothing.", ["Who is to blame?", "The report said nothing."]),
    ("It was a disaster! Officials said 12 people died.", ["It was a disaster!", "Officials said 12 people died."]),
    ("Can we win? Yes, according to polls.", ["Can we win?", "Yes, according to polls."]),
    ('"Are you ready?" CNN reported. Indonesia was hit.',
     ['"Are you ready?" CNN reported.', "Indonesia was hit."]),
    ('He said: "It is over." Then he left.', ['He said: "It is over."', "Then he left."]),
    ("He said: “It is over.” Then he left.", ["He said: “It is over.”", "Then he left."]),
    ("He said 'no.' Then he left.", ["He said 'no.'", "Then he left."]),
    ("(This is a note.) Next sentence.", ["(This is a note.)", "Next sentence."]),
    # noisy spacing from the seed article
    ("with China ’s experience, others need not “start from scratch \". Ge Xijian said so.",
     ["with China ’s experience, others need not “start from scratch \".", "Ge Xijian said so."]),
    ("It donated US $ 20 million to WHO. China will help.",
     ["It donated US $ 20 million to WHO.", "China will help."]),
    ('Zhang said: "We will act. China will help. "(End)',
     ['Zhang said: "We will act.', 'China will help. "', "(End)"]),
    ("Wait... what happened? Nothing!", ["Wait... what happened?", "Nothing!"]),
    ("It was called \"Snow White.\"\" Because it was late, it failed.",
     ["It was called \"Snow White.\"\"", "Because it was late, it failed."]),
    ("Senators Sens. Graham and Kennedy spoke, etc. The vote is on Tuesday.",
     ["Senators Sens. Graham and Kennedy spoke, etc.", "The vote is on Tuesday."]),
    ("Apple unveiled the iPhone. iPhone sales rose.", ["Apple unveiled the iPhone.", "iPhone sales rose."]),
    ("1. First item here. Second sentence.", ["1. First item here.", "Second sentence."]),
    ('"I am fine," he said. "But not great."', ['"I am fine," he said.', '"But not great."']),
    ("Apple Inc. said on Monday that it grew. It did.", ["Apple Inc. said on Monday that it grew.", "It did."]),
    # an abbreviation before a number that ends the sentence: the break is after the number only
    ("The results are clear (See Fig. 2.) It ended badly.", ["The results are clear (See Fig. 2.)", "It ended badly."]),
    ("He lives at No. 10. Then he left. See p. 5. Next one.",
     ["He lives at No. 10.", "Then he left.", "See p. 5.", "Next one."]),
    ("Very bad acting!!! I promise.", ["Very bad acting!!!", "I promise."]),
    # a title never ends a sentence, whatever word follows it; "Jr." may
    ("Dr. Who arrived. Dr. No is a film. Mr. This spoke.", ["Dr. Who arrived.", "Dr. No is a film.", "Mr. This spoke."]),
    ("It was Martin Luther King Jr. He spoke.", ["It was Martin Luther King Jr.", "He spoke."]),
    # the verbs of dialogue in fiction keep a reporting clause with its quotation
    ('"Perhaps!" Ahmad answered. They left.', ['"Perhaps!" Ahmad answered.', "They left."]),
    ('"Not now!" Sara whispered. The door opened.', ['"Not now!" Sara whispered.', "The door opened."]),
]

AR_CASES = [
    ("قال د. أحمد إن الوضع جيد. وأضاف أن الخطة ناجحة.",
     ["قال د. أحمد إن الوضع جيد.", "وأضاف أن الخطة ناجحة."]),
    ("ولد عام 1950 م. في القاهرة.", ["ولد عام 1950 م. في القاهرة."]),
    # a year, measure or currency abbreviation after a number ends the sentence unless a
    # preposition or particle goes on after it (Arabic has no capital to tell)
    ("ولد عام 1950 م. ونشأ في القاهرة.", ["ولد عام 1950 م.", "ونشأ في القاهرة."]),
    ("ولد عام ١٩٣٢ م. وتوفي عام ٢٠١٠ م. وله مؤلفات كثيرة.",
     ["ولد عام ١٩٣٢ م.", "وتوفي عام ٢٠١٠ م.", "وله مؤلفات كثيرة."]),
    ("توفي سنة 808 هـ. ودفن في القاهرة.", ["توفي سنة 808 هـ.", "ودفن في القاهرة."]),
    ("وتوفي في 5 رمضان 1440 هـ. الموافق 10 مايو 2019. ودفن في مكة.",    # the Gregorian date goes on
     ["وتوفي في 5 رمضان 1440 هـ. الموافق 10 مايو 2019.", "ودفن في مكة."]),
    ("بني المعبد نحو عام 1500 ق.م. واكتشفه علماء الآثار.", ["بني المعبد نحو عام 1500 ق.م.", "واكتشفه علماء الآثار."]),
    ("يبلغ طول النهر 6650 كم. ويمر عبر عشر دول.", ["يبلغ طول النهر 6650 كم.", "ويمر عبر عشر دول."]),
    ("بلغت الأرباح 500 مليون ر.س. وارتفعت الإيرادات.", ["بلغت الأرباح 500 مليون ر.س.", "وارتفعت الإيرادات."]),
    ("وقع ذلك عام 1950 م. حين كان صغيرا.", ["وقع ذلك عام 1950 م. حين كان صغيرا."]),
    # a single Arabic letter with its stop is an initial, listed or not
    ("كتب و. ب. ييتس قصائد كثيرة. وحصل على جائزة نوبل.", ["كتب و. ب. ييتس قصائد كثيرة.", "وحصل على جائزة نوبل."]),
    ("باعت روايات ج. ك. رولينغ ملايين النسخ.", ["باعت روايات ج. ك. رولينغ ملايين النسخ."]),
    # no space after the stop, after a number, a per cent sign or a closing quote or bracket
    ("انتهى عام 2010.وقال الوزير إن الوضع صعب.", ["انتهى عام 2010.", "وقال الوزير إن الوضع صعب."]),
    ("ارتفع بنسبة 2.5%.وأغلق المؤشر.", ["ارتفع بنسبة 2.5%.", "وأغلق المؤشر."]),
    ("قال «نعم».وأضاف أنه سعيد.", ["قال «نعم».", "وأضاف أنه سعيد."]),
    ("انتهت الحرب عام 1945م.ثم بدأ الإعمار.", ["انتهت الحرب عام 1945م.", "ثم بدأ الإعمار."]),
    ("التقى د.محمد بالوزير.", ["التقى د.محمد بالوزير."]),
    ("انظر ص. 15 من الكتاب، ج. 2 منه.", ["انظر ص. 15 من الكتاب، ج. 2 منه."]),
    ("بلغت النسبة 3.5 في المئة. وارتفعت إلى ٣٫٥ لاحقا.",
     ["بلغت النسبة 3.5 في المئة.", "وارتفعت إلى ٣٫٥ لاحقا."]),
    ("هل أنت مستعد؟ نعم، أنا مستعد! لنبدأ.", ["هل أنت مستعد؟", "نعم، أنا مستعد!", "لنبدأ."]),
    ("أولا، نبدأ؛ ثانيا: ننتهي، ثم نعود. انتهى.", ["أولا، نبدأ؛ ثانيا: ننتهي، ثم نعود.", "انتهى."]),
    ('ويتبادلوا النتائج." وفقًا لما ذكره شو نان بينغ، نائب الوزير، فإن العمل مستمر منذ أشهر.',
     ['ويتبادلوا النتائج."', "وفقًا لما ذكره شو نان بينغ، نائب الوزير، فإن العمل مستمر منذ أشهر."]),
    ('قال: "يجب أن نتعاون." وأضاف أن العمل مستمر.', ['قال: "يجب أن نتعاون."', "وأضاف أن العمل مستمر."]),
    ("قال: «يجب أن نتعاون.» وأضاف أن العمل مستمر.", ["قال: «يجب أن نتعاون.»", "وأضاف أن العمل مستمر."]),
    ("الفيروس الجديد (كوفيد-19) انتشر في العالم . وإن التعاون مهم.",
     ["الفيروس الجديد (كوفيد-19) انتشر في العالم .", "وإن التعاون مهم."]),
    ("التقى بمسؤولين من U.S. Army في واشنطن. ثم غادر إلى Dr. Smith في المساء.",
     ["التقى بمسؤولين من U.S. Army في واشنطن.", "ثم غادر إلى Dr. Smith في المساء."]),
    ("حدث ذلك في القرن الثالث ق.م. وقال المؤرخ إنه مهم.", ["حدث ذلك في القرن الثالث ق.م.", "وقال المؤرخ إنه مهم."]),
    ('سأل: "هل أنت السبب؟" قائلًا إنه لا يعرف شيئا عن الموضوع.',
     ['سأل: "هل أنت السبب؟" قائلًا إنه لا يعرف شيئا عن الموضوع.']),
    ('هتفوا "يوجد قرش في المياه!" كما أضاف هاميل. ونقل الطفل جوا.',
     ['هتفوا "يوجد قرش في المياه!" كما أضاف هاميل.', "ونقل الطفل جوا."]),
    # dialogue: a reporting verb with an object pronoun, a plural ending or a conjunction before
    # it keeps its clause with the quotation, as "قال" does; a tail that asks is a sentence
    ("— هل ستعود غداً؟ سألته. ثم خرجنا.", ["— هل ستعود غداً؟ سألته.", "ثم خرجنا."]),
    ("— ربما! أجابني وهو يبتسم. ثم صمت.", ["— ربما! أجابني وهو يبتسم.", "ثم صمت."]),
    ("«لن نعود!» قالوا جميعا. وانتهى الأمر.", ["«لن نعود!» قالوا جميعا.", "وانتهى الأمر."]),
    ('"لماذا؟" فسألتهُ أمي بصوت خافت. ثم خرجنا.', ['"لماذا؟" فسألتهُ أمي بصوت خافت.', "ثم خرجنا."]),
    ("هل كنتِ السبب؟ أتتذكرون كيف أجابت عن السؤال؟", ["هل كنتِ السبب؟", "أتتذكرون كيف أجابت عن السؤال؟"]),
    # stop 65: in prose (no quotation mark, no dialogue dash) a question is a sentence of its own,
    # whatever the next one says ("said", قال); فحسب "only" is no ف + حسب "according to"
    ("هل يتحسن الاقتصاد؟ قال الخبراء إنه يتحسن.", ["هل يتحسن الاقتصاد؟", "قال الخبراء إنه يتحسن."]),
    ("من المسؤول؟ ذكرت الصحيفة اسم الوزير.", ["من المسؤول؟", "ذكرت الصحيفة اسم الوزير."]),
    ("— أين كتابك؟ اتبع قلبك فحسب. ثم خرجنا.", ["— أين كتابك؟", "اتبع قلبك فحسب.", "ثم خرجنا."]),
    ("هل وصلت؟ وصلنا إلى البيت.", ["هل وصلت؟", "وصلنا إلى البيت."]),
    ("انتظرنا طويلا… جاء الخبر أخيرا.", ["انتظرنا طويلا…", "جاء الخبر أخيرا."]),
    ("انتظرنا طويلا... جاء الخبر أخيرا.", ["انتظرنا طويلا...", "جاء الخبر أخيرا."]),  # typed as three dots
    ("وصلت الأرقام إلى 3... 4 ملايين.", ["وصلت الأرقام إلى 3... 4 ملايين."]),
    # a word that never opens a sentence (أن "that", إلخ "etc.", a relative pronoun) goes on
    # after an ellipsis, as a lower-case word does in English
    ("كنت أظن... أن الأمر سهل، لكنني كنت مخطئا.", ["كنت أظن... أن الأمر سهل، لكنني كنت مخطئا."]),
    ("كنت أظن… أَنَّ الأمر سهل.", ["كنت أظن… أَنَّ الأمر سهل."]),
    ("تباع الفواكه والخضروات والأسماك... إلخ. ويأتي إليها الناس.",
     ["تباع الفواكه والخضروات والأسماك... إلخ.", "ويأتي إليها الناس."]),
    ("رأيت الرجل... الذي كان هنا أمس.", ["رأيت الرجل... الذي كان هنا أمس."]),
    ("انتشر الوباء.وقال الوزير إن الوضع صعب؟نعم.", ["انتشر الوباء.", "وقال الوزير إن الوضع صعب؟", "نعم."]),
    # a site's name with its domain written in Arabic ("الجزيرة.نت", .net) is no glued sentence end
    ("الدوحة - الجزيرة.نت - أعلنت قطر اليوم عن خطة جديدة.", ["الدوحة - الجزيرة.نت - أعلنت قطر اليوم عن خطة جديدة."]),
    ("قال موقع العربية.نت إن الاجتماع انتهى. وقالت مصادر لـالجزيرة.نت إن الاتفاق قريب. ونشر موقع مصراوي.كوم الخبر.",
     ["قال موقع العربية.نت إن الاجتماع انتهى.", "وقالت مصادر لـالجزيرة.نت إن الاتفاق قريب.",
      "ونشر موقع مصراوي.كوم الخبر."]),
    ("انتهى الأمر.نتائج الانتخابات ظهرت.", ["انتهى الأمر.", "نتائج الانتخابات ظهرت."]),  # a word, no domain
    ("أ. البند الأول. ثم الثاني.", ["أ. البند الأول.", "ثم الثاني."]),
    ('قال: "لقد انتهى الأمر". وأضاف أن الوضع صعب.', ['قال: "لقد انتهى الأمر".', "وأضاف أن الوضع صعب."]),
    ("انظر ص. 15. وأضاف أن الوضع صعب.", ["انظر ص. 15.", "وأضاف أن الوضع صعب."]),
    # fully vocalised text splits as the same text without its vowel marks: a sentence whose every
    # letter carries a mark ("نَعَمْ، فَهِمَهُ كُلَّهُ.") was taken for an enumerator like "1." and joined
    ("هَلْ فَهِمَ الدَّرْسَ؟ نَعَمْ، فَهِمَهُ كُلَّهُ. ثُمَّ عَادَ إِلَى البَيْتِ.",
     ["هَلْ فَهِمَ الدَّرْسَ؟", "نَعَمْ، فَهِمَهُ كُلَّهُ.", "ثُمَّ عَادَ إِلَى البَيْتِ."]),
    ("هَلْ فَهِمْتَ؟ نَعَمْ فَهِمْتُ.", ["هَلْ فَهِمْتَ؟", "نَعَمْ فَهِمْتُ."]),
    ("انتهى الاجتماعُ.ثُمَّ بدأ آخر.", ["انتهى الاجتماعُ.", "ثُمَّ بدأ آخر."]),
    ("قالـــــوا.ثم ذهبوا.", ["قالـــــوا.", "ثم ذهبوا."]),
    # an abbreviation of single letters before a number (P.O. Box) ends nothing
    ("راسلونا على ص. ب. ١٢٣ عمان. سنرد قريبا.", ["راسلونا على ص. ب. ١٢٣ عمان.", "سنرد قريبا."]),
    # a Latin abbreviation inside an Arabic sentence is part of a name: "إن" after it is "that"
    ("قال مسؤول في U.N. إن الوضع صعب.", ["قال مسؤول في U.N. إن الوضع صعب."]),
    ("قال السيد John Smith من شركة Apple Inc. إن الأرباح زادت. ثم غادر.",
     ["قال السيد John Smith من شركة Apple Inc. إن الأرباح زادت.", "ثم غادر."]),
]


def test_urdu_full_stop_ends_a_sentence() -> None:
    """U+06D4 is Urdu's full stop: six sentences came out as two."""
    text = "ہر شخص کو اپنی جان کا حق ہے۔ کیا آپ کل آئیں گے؟ میں نے ۲۰۲۳ میں لاہور کا سفر کیا۔"
    with pytest.warns(UserWarning):
        got = sents(text, "ur")
    assert got == ["ہر شخص کو اپنی جان کا حق ہے۔", "کیا آپ کل آئیں گے؟", "میں نے ۲۰۲۳ میں لاہور کا سفر کیا۔"]


def test_devanagari_danda_ends_a_sentence() -> None:
    """A Hindi text was one sentence (the generic splitter knew only '.', '?', '!')."""
    with pytest.warns(UserWarning):
        got = sents("मैं कॉफी पसंद करता हूँ। आकाश नीला है। वह घर गया।", "hi")
    assert got == ["मैं कॉफी पसंद करता हूँ।", "आकाश नीला है।", "वह घर गया।"]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_english_hard_cases(text: str, expected: list[str]) -> None:
    segs = segment(text, "en")
    assert [s.text for s in segs] == expected
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "expected"), AR_CASES)
def test_arabic_hard_cases(text: str, expected: list[str]) -> None:
    segs = segment(text, "ar")
    assert [s.text for s in segs] == expected
    check_offsets(text, segs)


def test_unbalanced_arabic_quote_stays_with_its_sentence() -> None:
    text = 'على الانترنت." كما أنشأنا مركزا. وتحقيق التلاحم الدقيق " قال تسنغ يى شين .'
    assert sents(text, "ar") == ['على الانترنت."', "كما أنشأنا مركزا.",
                                 'وتحقيق التلاحم الدقيق " قال تسنغ يى شين .']


@pytest.mark.parametrize(("text", "lang", "want"), [
    # a quotation opened in an earlier line closes after the full stop, and a comma goes on with
    # the sentence: no sentence starts with '"،' or '",'
    ('للبيع."، ويعتقد الخبراء أن رحيلها قد يكلف المؤسسة ملايين.', "ar",
     ['للبيع."، ويعتقد الخبراء أن رحيلها قد يكلف المؤسسة ملايين.']),
    ('The store is full of goods ready for sale.", and experts believe it may cost millions.', "en",
     ['The store is full of goods ready for sale.", and experts believe it may cost millions.']),
    ("It was ready for sale.”, the report said. Then he left.", "en",
     ["It was ready for sale.”, the report said.", "Then he left."]),
    # a quotation that opens the next sentence is still cut before
    ('He said: "We are ready." "Go!" she said.', "en", ['He said: "We are ready."', '"Go!" she said.']),
])
def test_closing_quote_then_comma_goes_on(text: str, lang: str, want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # a straight quote closes a quotation opened by a curly or angle quote: it stays with its
    # sentence instead of opening the next one
    ('He said “we are done. " Then he left.', "en", ['He said “we are done. "', "Then he left."]),
    ('« Oui. " Il est parti.', "fr", ['« Oui. "', "Il est parti."]),
    # and the quotation it closes is one: an ellipsis inside it does not cut it
    ('قال: “الأرقام مشجعة... الطريق ما زال طويلاً". ثم غادر.', "ar",
     ['قال: “الأرقام مشجعة... الطريق ما زال طويلاً".', "ثم غادر."]),
    # German „…“ is one quotation, not two opened: the straight quote after it opens the next one
    ('„Ja“, sagte er. " Nein. " Dann ging er.', "de", ["„Ja“, sagte er.", '" Nein. "', "Dann ging er."]),
    # a single guillemet ‹ … › closes as « … » does (› closed nothing: the quote after it was read
    # as closing ‹ and went with 'Il dit ‹ oui ›.')
    ('Il dit ‹ oui ›. " Non. " Puis il part.', "fr", ["Il dit ‹ oui ›.", '" Non. "', "Puis il part."]),
])
def test_mixed_double_quotes_pair_up(text: str, lang: str, want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


# Seed articles: every segment's first words, checked by reading the whole text.
SEED_EN_STARTS = [
    "(Fighting against New", "China News Agency,", "Zhang Yang, director", "Academicians such as",
    "Zhang Yang believes", "She further stated", "Share the whole", "Specifically, on the",
    "Connected with the", "It has high", "Accurate docking was", "Zhang Yang mentioned",
    "Bruce Elward, foreign", "Ge Xijian, director", '"WHO is the', "With regard to",
    "They paid close", "Diagnostic kits, protective", "In early February,", "Zhang Yang emphasized:",
    "China will work", "(End)",
]
SEED_AR_STARTS = [
    "عرض قادة وزارة", "الفيروسات لا تعرف", "في الاوقات الاولى", '"يجب على العلماء', "وفقًا لما ذكره",
    "وفي الخطوة التالية،", "وفي وقت سابق", "واليوم ، أصبح", '"تمسكا بمفهوم مجتمع', "قال تسنغ يى",
    "ووفقا لاحتياجات البلدان", "تنظم اللجنة الوطنية", "كما أنشأنا مركز", "لقد عقدنا ما",
    "يعتقد دنغ بوكينغ،", "في الوقت الحاضر،", "وإن التعاون الدولي", "ولا يمكن للبشرية",
]


SEED_EN_PARAS = [0, 1, 2, 3, 3, 4, 4, 5, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 7, 8, 8, 8]
SEED_AR_PARAS = [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4]


@pytest.mark.parametrize(("lang", "starts", "paras"),
                         [("en", SEED_EN_STARTS, SEED_EN_PARAS), ("ar", SEED_AR_STARTS, SEED_AR_PARAS)])
def test_seed_article_boundaries(seed_ar: Path, seed_en: Path, lang: str, starts: list[str],
                                 paras: list[int]) -> None:
    text = (seed_ar if lang == "ar" else seed_en).read_text(encoding="utf-8")
    segs = segment(text, lang)
    check_offsets(text, segs)
    assert [" ".join(s.text.split()[:3]) for s in segs] == starts
    assert [s.paragraph for s in segs] == paras
    if lang == "en":
        assert segs[-2].text.endswith('security. "') and segs[-1].text == "(End)"
        assert any(s.text.endswith("“start from scratch \".") for s in segs)
        assert any("capable countries. popular." in s.text for s in segs)
    else:
        assert segs[3].text.endswith('النتائج."')
        assert any("(كوفيد-19) مع العالم." in s.text for s in segs)
        assert segs[11].text.endswith('على الانترنت."')


def test_paragraphs_single_and_blank_lines() -> None:
    text = "First one. Second one.\nThird one.\n\n\nFourth one.\r\nFifth.  "
    segs = segment(text, "en")
    assert [(s.text, s.paragraph) for s in segs] == [
        ("First one.", 0), ("Second one.", 0), ("Third one.", 1), ("Fourth one.", 2), ("Fifth.", 3)]
    check_offsets(text, segs)


def test_soft_wrapped_lines_stay_in_one_paragraph() -> None:
    text = "This sentence is wrapped\nacross two lines. And a second one.\nNew paragraph here"
    segs = segment(text, "en")
    assert [(s.text, s.paragraph) for s in segs] == [
        ("This sentence is wrapped\nacross two lines.", 0), ("And a second one.", 0),
        ("New paragraph here", 1)]
    assert split_paragraphs(text) == [(0, 60), (61, len(text))]


def test_a_paragraph_separator_ends_a_paragraph_in_wrapped_text() -> None:
    """A text that wraps its lines with U+2028 and ends its paragraphs with U+2029 was read as
    one paragraph: the wrap reading joined every line, separators included."""
    lines = ["This sentence is long enough to be wrapped", "across two lines of the text.",
             "And the paragraph goes on with a second one", "that is wrapped as well, to the end."]
    para = "\u2028".join(lines)
    text = "\u2029".join([para] * 3)
    segs = segment(text, "en")
    check_offsets(text, segs)
    assert [s.paragraph for s in segs] == [0, 0, 1, 1, 2, 2]
    assert [b - a for a, b in split_paragraphs(text)] == [len(para)] * 3
    # a form feed ends a page, and its paragraph, as well
    assert [s.paragraph for s in segment(para + "\x0c" + para, "en")] == [0, 0, 1, 1]
    assert [s.paragraph for s in segment(text.replace("\u2029", "\u2028"), "en")] == [0] * 6


def test_empty_and_blank_text() -> None:
    assert segment("", "en") == []
    assert segment(" \n\t\n", "ar") == []


def test_unknown_language_warns_and_falls_back() -> None:
    with pytest.warns(UserWarning, match="no sentence splitter for language 'it'"):
        segs = segment("Buongiorno. Sto bene.", "it")
    assert [s.text for s in segs] == ["Buongiorno.", "Sto bene."]
    assert all(s.lang == "it" for s in segs)


def test_registry_adds_a_language_with_one_entry() -> None:
    assert "xx" not in SPLITTERS
    try:
        register_splitter("xx", SplitterSpec("punkt-xx", "en"))
        segs = segment("Dr. Jones came. He left.", "xx")  # no warning: registered
        assert [s.text for s in segs] == ["Dr. Jones came.", "He left."]
        assert get_splitter("xx").name == "punkt-xx"
    finally:
        SPLITTERS.pop("xx", None)
        get_splitter.cache_clear()


def test_presplit_keeps_lines() -> None:
    text = "one. two.\n\n  three\n"
    segs = presplit(text, "en")
    assert [s.text for s in segs] == ["one. two.", "", "three"]
    assert [s.index for s in segs] == [0, 1, 2]
    assert [text[s.start:s.end] for s in segs] == [s.text for s in segs]  # the sentence's span, not its line's


def test_deterministic() -> None:
    text = "Dr. Smith arrived. He sat down. قال د. أحمد إن الوضع جيد."
    assert segment(text, "en") == segment(text, "en")


def test_import_loads_no_nltk_package_init() -> None:
    code = ("import sys, parallel.segment as s; s.segment('A b. C d.', 'en'); "
            "print(any(m == 'nltk' or m.startswith('nltk.') for m in sys.modules), 'sklearn' in sys.modules); "
            "import nltk; print(hasattr(nltk, 'word_tokenize'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]


def test_shipped_parameters_are_built_from_the_lists() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_segmenter.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_cli_segment_jsonl_offsets(tmp_path: Path) -> None:
    text = "\ufeffقال د. أحمد إن الوضع جيد. وأضاف أن الخطة ناجحة.\nفقرة ثانية."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(path), "--lang", "ar", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    body = text[1:]
    assert [r["paragraph"] for r in rows] == [0, 0, 1]
    assert all(body[r["start"]:r["end"]] == r["text"] for r in rows)
    assert [r["index"] for r in rows] == [0, 1, 2]


def test_cli_segment_unknown_language_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("Buongiorno. Sto bene.", encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(path), "--lang", "it"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["Buongiorno.", "Sto bene."]
    assert "warning: no sentence splitter" in result.stderr


def _load_bench() -> object:
    spec = importlib.util.spec_from_file_location("segment_bench", ROOT / "bench" / "segment_bench.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.bench
@pytest.mark.parametrize(("lang", "target"), [("en", 0.99), ("ar", 0.98)])
def test_ntrex_boundary_f1(shared_bench: Path, lang: str, target: float) -> None:
    bench = _load_bench()
    docs = bench.build_documents(shared_bench / "ntrex128_arb_eng", lang, natural=True)  # type: ignore[attr-defined]
    m = bench.evaluate(lang, docs, 0)  # type: ignore[attr-defined]
    assert m["F1"] >= target



@pytest.mark.parametrize(("lang", "column"), [("ar", "newstest2019-ref.arb.txt"), ("en", "newstest2019-src.eng.txt")])
def test_hard_wrapped_text_gives_the_sentences_of_the_unwrapped_text(shared_bench: Path, lang: str,
                                                                     column: str) -> None:
    """Text cut at 70 columns (PDF, OCR, e-text) was split at every line in Arabic, which has no
    letter case to tell a wrapped line from a new one (54 pieces for 20 sentences), and in English
    where a wrapped line began with a capital. A short title line stays apart."""
    import textwrap

    lines = (shared_bench / "ntrex128_arb_eng" / column).read_text(encoding="utf-8").splitlines()
    paragraphs = [" ".join(lines[i:i + 4]) for i in range(0, 24, 4)]
    flat = sents("\n\n".join(paragraphs), lang)
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in paragraphs)
    assert len(wrapped.splitlines()) > 2 * len(paragraphs)
    assert [" ".join(x.split()) for x in sents(wrapped, lang)] == flat
    title = "Title of the piece" if lang == "en" else "عنوان المقال"
    assert sents(title + "\n" + wrapped, lang)[0] == title
    assert [" ".join(x.split()) for x in sents(title + "\n" + wrapped, lang)[1:]] == flat


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_lines_of_unpunctuated_verse_are_not_taken_for_a_wrapped_text(shared_bench: Path, lang: str) -> None:
    """A file of one unpunctuated sentence or verse a line (the Qur'an, poetry, subtitles) has long
    lines that do not end a sentence, like a hard-wrapped text; but most of them could have taken
    the next line's first word, which a wrapped line could not. Each line stays a sentence; the same
    sentences wrapped at 70 columns are still joined."""
    import textwrap

    column = "newstest2019-ref.arb.txt" if lang == "ar" else "newstest2019-src.eng.txt"
    lines = (shared_bench / "ntrex128_arb_eng" / column).read_text(encoding="utf-8").splitlines()
    verse = [x.rstrip(" .!?؟\"'”»") for x in lines[:40] if 40 <= len(x) <= 190][:24]
    assert len(verse) >= 12
    text = "\n".join(verse)
    from parallel.segment import wrap_width

    assert wrap_width(text.splitlines()) is None
    assert [" ".join(x.split()) for x in sents(text, lang)] == [" ".join(x.split()) for x in verse]
    wrapped = textwrap.fill(" ".join(x + "." for x in verse), 70)
    assert wrap_width(wrapped.splitlines()) is not None


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_lines_of_similar_length_some_without_a_stop_stay_sentences(shared_bench: Path, lang: str) -> None:
    """Stop 46: a file of one sentence a line where some sentences lack their final stop (common in
    Arabic web text) was taken for a hard-wrapped text when its lines were of similar length: half
    the long lines "open", and too few of them to test whether they could have taken the next
    word. Every line but one ran on into the next, so four sentences became two and the aligner
    made 1-2 links of 1-1 translations. A wrap also cuts where no sentence ends (on a preposition,
    in a hyphenated word, before a line in lower case); these lines never are."""
    column = "newstest2019-ref.arb.txt" if lang == "ar" else "newstest2019-src.eng.txt"
    lines = (shared_bench / "ntrex128_arb_eng" / column).read_text(encoding="utf-8").splitlines()
    picked = [x.strip() for x in lines[:200] if 60 <= len(x.strip()) <= 80 and x.strip()[-1] in ".؟?!"][:8]
    assert len(picked) == 8
    text = "\n".join(x.rstrip(".؟?!") if k % 2 == 0 else x for k, x in enumerate(picked))  # every other stop gone
    got = [" ".join(x.split()) for x in sents(text, lang)]
    assert len(got) == 8 and [x.rstrip(".؟?!") for x in got] == [x.rstrip(".؟?!") for x in picked]
    for n in (4, 6):
        assert len(sents("\n".join(text.splitlines()[:n]), lang)) == n


def test_list_items_of_a_wrapped_text_stay_apart() -> None:
    import textwrap

    body = ("The committee met on Monday to discuss the new rules for the members of the assembly, "
            "and it agreed on three points that the members will vote on next week in the chamber")
    items = ["- the name of the assembly and of its members in both languages of the country",
             "- the date of the vote, which the committee wants before the end of the year",
             "- the cost of the change, which nobody has put a figure on so far in the debate"]
    text = textwrap.fill(body, 70) + "\n" + "\n".join(items)
    got = sents(text, "en")
    assert got[-3:] == items


#: A heading and list items a line, without bullets or stops (a paste that lost its bullets), one of
#: them too long for its line: stop 50 (explore49-web §12)
_ITEMS = {
    "en": ["Main recommendations of the committee",
           "Bring the budget deficit down to less than five percent of output by the end of 2026",
           "Raise the share of private firms in total investment to at least sixty percent",
           "Improve the collection of taxes from the informal economy and from the small firms in the",
           "regions",
           "Strengthen the independence of the central bank and its targeting of inflation",
           "The committee published its report on Monday."],
    "ar": ["أهم توصيات اللجنة",
           "خفض عجز الموازنة إلى أقل من خمسة بالمئة من الناتج المحلي الإجمالي بحلول نهاية 2026",
           "رفع حصة الشركات الخاصة في إجمالي الاستثمارات إلى ستين بالمئة على الأقل من المجموع",
           "تحسين تحصيل الضرائب من الاقتصاد غير الرسمي والشركات الصغيرة والمتوسطة العاملة في",
           "المحافظات",
           "تعزيز استقلالية البنك المركزي وسياسة استهداف التضخم على المدى المتوسط والطويل",
           "ونشرت اللجنة تقريرها يوم الاثنين."],
}
#: Prose of several sentences a paragraph, to be hard-wrapped
_PROSE = {
    "en": [("The ministry published its quarterly report on Sunday. It says that the economy grew by "
            "three percent in the first quarter, after two percent a year earlier. Tourism and the "
            "money sent home by workers abroad drove most of the growth."),
           ("The ministry expects growth to pick up next year. Inflation has fallen for six months in "
            "a row, and the currency has been stable since the spring. Exports of gas to Europe rose as "
            "well.")],
    "ar": [("نشرت وزارة المالية تقريرها الفصلي يوم الأحد. ويقول التقرير إن الاقتصاد نما بنسبة ثلاثة "
            "بالمئة في الربع الأول، بعد اثنين بالمئة قبل عام. وقادت السياحة وتحويلات العاملين في الخارج "
            "معظم هذا النمو."),
           ("وتتوقع الوزارة أن يتسارع النمو في العام المقبل. فقد تراجع التضخم ستة أشهر متتالية، وظلت "
            "العملة مستقرة منذ الربيع. كما ارتفعت صادرات الغاز إلى أوروبا.")],
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_one_wrapped_line_does_not_make_a_file_hard_wrapped(lang: str) -> None:
    """Stop 50: a file of one list item a line, one of which ran onto a second line, was read as
    hard-wrapped throughout (one line cut on "in the" / "في" was enough): three items and the wrapped
    one became one sentence and the last item took the next sentence with it. Only that line runs on
    now; a text that is hard-wrapped is still read as one, in either script."""
    import textwrap

    from parallel.segment import wrap_width

    items = _ITEMS[lang]
    assert wrap_width(items) is None
    want = [*items[:3], items[3] + "\n" + items[4], *items[5:]]
    assert sents("\n".join(items), lang) == want
    prose = _PROSE[lang]
    flat = sents("\n\n".join(prose), lang)
    assert len(flat) == 6
    for width in (50, 72):  # (at 60 no Arabic line ends on a word no sentence ends on: not told)
        wrapped = "\n\n".join(textwrap.fill(p, width) for p in prose)
        assert len(wrapped.splitlines()) >= 6
        assert wrap_width(wrapped.splitlines()) is not None, width
        assert [" ".join(x.split()) for x in sents(wrapped, lang)] == flat, width


@pytest.mark.parametrize(("text", "want"), [
    # stop 50 (explore49-web §6, §13): a name ending in an abbreviation, then a word that opens sentences
    ("He moved to the U.S. Officials there welcomed him.", ["He moved to the U.S.", "Officials there welcomed him."]),
    ("The deal was signed by Apple Inc. Shares rose afterwards.",
     ["The deal was signed by Apple Inc.", "Shares rose afterwards."]),
    ("It was Martin Luther King Jr. Crowds gathered later.", ["It was Martin Luther King Jr.", "Crowds gathered later."]),
    # any other capitalised word belongs to the name, and a headline in title case is not cut
    ("The U.S. Senate voted. U.S. President Trump spoke.", ["The U.S. Senate voted.", "U.S. President Trump spoke."]),
    ("Read: U.S. Officials Deny Report on Trade.", ["Read: U.S. Officials Deny Report on Trade."]),
    ("U.S. officials said so.", ["U.S. officials said so."]),
    # an equation's number in brackets after its abbreviation, then the next sentence
    ("See also Fig. 4 and Eq. (5). Next sentence here.", ["See also Fig. 4 and Eq. (5).", "Next sentence here."]),
    ("As Eqs. (5) and (6) show, it holds. It ends.", ["As Eqs. (5) and (6) show, it holds.", "It ends."]),
])
def test_a_name_ending_in_an_abbreviation_ends_a_sentence_before_a_word_that_opens_one(text: str,
                                                                                    want: list[str]) -> None:
    assert sents(text, "en") == want


#: Stop 50 (explore49-lang §6): German, Spanish, Russian and French were cut with generic Punkt after
#: their titles, abbreviations and ordinals. Each language has its curated lists now.
OTHER_CASES = [
    ("de", "Dr. Müller kam am 3. Oktober z. B. mit Prof. Weber. Das war gut.",
     ["Dr. Müller kam am 3. Oktober z. B. mit Prof. Weber.", "Das war gut."]),
    ("de", ("Die Kosten betragen ca. 2 Mrd. Euro, d. h. rund 25 Euro pro Kopf. Am 1. Januar 2025 tritt es "
            "in Kraft. Infos unter Tel. 030 1234 bzw. in der Bahnhofstr. 12, s. S. 4 im 19. Jahrhundert."),
     ["Die Kosten betragen ca. 2 Mrd. Euro, d. h. rund 25 Euro pro Kopf.", "Am 1. Januar 2025 tritt es in Kraft.",
      "Infos unter Tel. 030 1234 bzw. in der Bahnhofstr. 12, s. S. 4 im 19. Jahrhundert."]),
    # a number and a sentence starter, a weak abbreviation before a capital: the sentence ends
    ("de", "Das Spiel endete am 12. Danach feierten alle. Es gab Äpfel, Birnen usw. Die Preise stiegen.",
     ["Das Spiel endete am 12.", "Danach feierten alle.", "Es gab Äpfel, Birnen usw.", "Die Preise stiegen."]),
    ("es", "El Sr. García y la Sra. López llegaron, etc. Luego el 1.º de mayo fueron a EE. UU. con el Dr. Pérez.",
     ["El Sr. García y la Sra. López llegaron, etc.", "Luego el 1.º de mayo fueron a EE. UU. con el Dr. Pérez."]),
    ("es", ("La reunión es en la Avda. de la Constitución, núm. 3. El Dr. Pérez irá (véase pág. 12). Viajó a "
            "EE. UU. El presidente lo confirmó a las 10 a. m. del lunes."),
     ["La reunión es en la Avda. de la Constitución, núm. 3.", "El Dr. Pérez irá (véase pág. 12).",
      "Viajó a EE. UU.", "El presidente lo confirmó a las 10 a. m. del lunes."]),
    ("ru", "Он живёт в г. Москва, т. е. в столице, и т. д. Поэт А. С. Пушкин родился там. Проф. Иванов пришёл.",
     ["Он живёт в г. Москва, т. е. в столице, и т. д.", "Поэт А. С. Пушкин родился там.", "Проф. Иванов пришёл."]),
    ("ru", ("Население составило 12,6 млн чел. Музей им. Пушкина открыт. Заседание пройдёт на ул. Ленина, д. 5. "
            "Подробнее см. стр. 12 доклада. Он родился в 1990 г. Он уехал."),
     ["Население составило 12,6 млн чел.", "Музей им. Пушкина открыт.", "Заседание пройдёт на ул. Ленина, д. 5.",
      "Подробнее см. стр. 12 доклада.", "Он родился в 1990 г.", "Он уехал."]),
    ("ru", "Это т.д. Всё.", ["Это т.д.", "Всё."]),
    ("fr", ("La ville fut fondée vers 250 av. J.-C. par les Parisii. Selon M. Le Pen, MM. Durand et Martin "
            "viendront à 15 h. 30, p. ex. au Louvre. Il mesure 8125 m. La montée est dure."),
     ["La ville fut fondée vers 250 av. J.-C. par les Parisii.",
      "Selon M. Le Pen, MM. Durand et Martin viendront à 15 h. 30, p. ex. au Louvre.", "Il mesure 8125 m.",
      "La montée est dure."]),
    ("fr", "Plusieurs pays (Allemagne, Italie, etc.) viendront. Voir le chap. 3 pour plus de détails.",
     ["Plusieurs pays (Allemagne, Italie, etc.) viendront.", "Voir le chap. 3 pour plus de détails."]),
]


@pytest.mark.parametrize(("lang", "text", "want"), OTHER_CASES)
def test_german_spanish_russian_and_french_abbreviations_titles_and_ordinals(lang: str, text: str,
                                                                            want: list[str]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no sentence splitter" warning: these have their own
        got = segment(text, lang)
    assert [s.text for s in got] == want
    check_offsets(text, got)
    assert get_splitter(lang).name == f"punkt-{lang}"
    assert get_splitter(f"{lang}-CH").name == f"punkt-{lang}"  # a regional tag too


def _detokenized(line: str) -> str:
    """A line of Text+Berg (tokenized: "wäre ." "( 8125 m )" "d' escalader") as running text."""
    import re

    s = " ".join(line.split())
    s = re.sub(r" ([.,;:!?)\]])", r"\1", s)
    s = re.sub(r"([(\[]) ", r"\1", s)
    s = re.sub(r"\b([dlLDjJnNsScCmMtTqu]{1,2}') ", r"\1", s)
    return s.replace("« ", "«").replace(" »", "»")


@pytest.mark.bench
@pytest.mark.parametrize(("lang", "target"), [("de", 0.985), ("fr", 0.971)])
def test_textberg_boundary_f1(shared_bench: Path, lang: str, target: float) -> None:
    """Text+Berg test0-6 (de 0.970 and fr 0.969 with generic Punkt; 0.991 and 0.973 with the lists,
    which were not made from it: most errors left are its own segmentation's, "8125 m. La" in one
    line, or lines cut before a closing quote), run together as paragraphs of 2-5 sentences as
    bench/segment_bench.py does NTREX."""
    bench = _load_bench()
    docs = []
    for k in range(7):
        lines = (shared_bench / "textberg_defr" / f"test{k}.{lang}").read_text(encoding="utf-8").splitlines()
        sents_k = [_detokenized(x) for x in lines if x.strip()]
        text, gold, i, c = "", set(), 0, k
        while i < len(sents_k):
            group = sents_k[i:i + bench.SIZES[c % len(bench.SIZES)]]  # type: ignore[attr-defined]
            for j, s in enumerate(group):
                if not bench.FINAL.search(s):  # type: ignore[attr-defined]
                    group = group[:j + 1]
                    break
            text += "\n\n" if text else ""
            for j, s in enumerate(group):
                text += (" " if j else "") + s
                if j < len(group) - 1:
                    gold.add(len(text))
            i, c = i + len(group), c + 1
        docs.append((text, gold, len(sents_k)))
    m = bench.evaluate(lang, docs, 0)  # type: ignore[attr-defined]
    assert m["F1"] >= target


def test_verse_numbers_of_the_quran_end_sentences() -> None:
    """Running text of the Qur'an has no full stops: a verse ends at its number, in ornate
    parentheses (either way round) or after the end-of-ayah sign, and the number stays with it."""
    verses = ["وَأَقِيمُواْ ٱلصَّلَوٰةَ وَءَاتُواْ ٱلزَّكَوٰةَ وَٱرۡكَعُواْ مَعَ ٱلرَّـٰكِعِينَ",
              "أَتَأۡمُرُونَ ٱلنَّاسَ بِٱلۡبِرِّ وَتَنسَوۡنَ أَنفُسَكُمۡ وَأَنتُمۡ تَتۡلُونَ ٱلۡكِتَٰبَۚ أَفَلَا تَعۡقِلُونَ",
              "وَٱسۡتَعِينُواْ بِٱلصَّبۡرِ وَٱلصَّلَوٰةِۚ وَإِنَّهَا لَكَبِيرَةٌ إِلَّا عَلَى ٱلۡخَٰشِعِينَ"]
    for mark in ("﴿{}﴾", "\ufd3e{}\ufd3f", "۝{}"):
        want = [f"{v} {mark.format(n)}" for v, n in zip(verses, ("٤٣", "٤٤", "٤٥"), strict=True)]
        assert [s.text for s in segment(" ".join(want), "ar")] == want
    # without the numbers the verses run on as one sentence, as before
    assert len(segment(" ".join(verses), "ar")) == 1


@pytest.mark.parametrize(("text", "lang", "want"), [
    # a quoted verse: its closing ornate parenthesis opened the next segment ("﴾ وهذه آية.");
    # texts write the pair either way round, and a space may come before it
    ("قال تعالى \ufd3fإنا أعطيناك الكوثر ۝١ فصل لربك وانحر ۝٢\ufd3e وهذه آية.", "ar",
     ["قال تعالى \ufd3fإنا أعطيناك الكوثر ۝١", "فصل لربك وانحر ۝٢\ufd3e", "وهذه آية."]),
    ("قال تعالى \ufd3eإنا أعطيناك الكوثر ۝١ فصل لربك وانحر ۝٢ \ufd3f وهذه آية.", "ar",
     ["قال تعالى \ufd3eإنا أعطيناك الكوثر ۝١", "فصل لربك وانحر ۝٢ \ufd3f", "وهذه آية."]),
    ("قال تعالى. \ufd3eإنا أعطيناك الكوثر\ufd3f وهذه آية.", "ar",  # an opening one opens
     ["قال تعالى.", "\ufd3eإنا أعطيناك الكوثر\ufd3f وهذه آية."]),
    # a list's first number was left at the end of its introduction ("The steps are: 1.")
    ("The steps are: 1. Open the box. 2. Read the manual.", "en",
     ["The steps are:", "1. Open the box.", "2. Read the manual."]),
    ("البنود هي: 1. الأول. 2. الثاني.", "ar", ["البنود هي:", "1. الأول.", "2. الثاني."]),
    ("Ratio: 3. That is all.", "en", ["Ratio: 3.", "That is all."]),  # a value, not a list
    # a short note broken at a word no sentence ends on ("ثم", "of the"): the line runs on (a lone
    # "ثم" was a sentence); a heading above a text still stands alone
    ("وناقشت الميزانية للعام المقبل. ثم\nوافقت على الخطة.", "ar",
     ["وناقشت الميزانية للعام المقبل.", "ثم\nوافقت على الخطة."]),
    ("The report of the\nUnited Nations was published.\nIt was long.", "en",
     ["The report of the\nUnited Nations was published.", "It was long."]),
    ("عنوان الخبر\nنص الخبر هنا.", "ar", ["عنوان الخبر", "نص الخبر هنا."]),
])
def test_verse_quotes_list_openers_and_open_line_ends(text: str, lang: str, want: list[str]) -> None:
    assert [s.text for s in segment(text, lang)] == want


@pytest.mark.parametrize(("text", "lang", "want"), [
    # an inline list's item number ended a sentence and stayed on it ("... الدعم؛ 2." / "رفع ...")
    ("تتضمن الخطة ثلاث خطوات: 1. خفض الدعم؛ 2. رفع الأجور؛ 3. بيع الحصص. ورحب صندوق النقد بها.", "ar",
     ["تتضمن الخطة ثلاث خطوات: 1. خفض الدعم؛ 2. رفع الأجور؛ 3. بيع الحصص.", "ورحب صندوق النقد بها."]),
    ("The plan has three steps: 1. Cut subsidies; 2. Raise wages; 3. Sell stakes. The IMF welcomed it.", "en",
     ["The plan has three steps: 1. Cut subsidies; 2. Raise wages; 3. Sell stakes.", "The IMF welcomed it."]),
    ("تتضمن الخطة خطوات هي ١. خفض الدعم و٢. رفع الأجور و٣. بيع الحصص. ورحب الصندوق بها.", "ar",
     ["تتضمن الخطة خطوات هي ١. خفض الدعم و٢. رفع الأجور و٣. بيع الحصص.", "ورحب الصندوق بها."]),
    ("We need: 1. money, 2. time and 3. luck. That is all.", "en",
     ["We need: 1. money, 2. time and 3. luck.", "That is all."]),
    # a sentence ending in a number, and lists whose items are sentences, are cut as before
    ("The law was passed in 2023. The minister welcomed it.", "en",
     ["The law was passed in 2023.", "The minister welcomed it."]),
    ("صدر القانون عام 2023. وقال الوزير إنه مهم.", "ar", ["صدر القانون عام 2023.", "وقال الوزير إنه مهم."]),
    ("The numbers were 3, 4, 5. Then we stopped.", "en", ["The numbers were 3, 4, 5.", "Then we stopped."]),
    ("Steps:\n1. Cut subsidies.\n2. Raise wages.\nThe IMF welcomed it.", "en",
     ["Steps:", "1. Cut subsidies.", "2. Raise wages.", "The IMF welcomed it."]),
])
def test_inline_list_numbers_end_no_sentence(text: str, lang: str, want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # a footnote mark after the stop opened the next sentence ("[1] The minister ..."), and a
    # superscript one hid the sentence end altogether
    ("Growth reached 3.5%.[1] The minister welcomed it.", "en", ["Growth reached 3.5%.[1]", "The minister welcomed it."]),
    ("It was adopted in 2023.[2][3] This was new.", "en", ["It was adopted in 2023.[2][3]", "This was new."]),
    ("بلغ النمو 3.5%.[1] ورحب الوزير بذلك.", "ar", ["بلغ النمو 3.5%.[1]", "ورحب الوزير بذلك."]),
    ("Relativity was proposed in 1905.¹ It changed physics.", "en",
     ["Relativity was proposed in 1905.¹", "It changed physics."]),
    # the word after the mark decides, as after a bare stop
    ("Growth reached 3.5%.[1] the minister welcomed it.", "en", ["Growth reached 3.5%.[1] the minister welcomed it."]),
])
def test_footnote_marks_stay_with_the_sentence_they_follow(tmp_path: Path, text: str, lang: str,
                                                             want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)
    path = tmp_path / "notes.txt"
    path.write_text(text + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(path), "--lang", lang, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == want and all(text[r["start"]:r["end"]] == r["text"] for r in rows)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # an ellipsis inside a quotation that closes later in the paragraph cut the quotation in two
    ("قال: «الأرقام مشجعة... لكن الطريق ما زال طويلاً». ثم غادر.", "ar",
     ["قال: «الأرقام مشجعة... لكن الطريق ما زال طويلاً».", "ثم غادر."]),
    ("قال: «الأرقام مشجعة… والطريق ما زال طويلاً». ثم غادر.", "ar",
     ["قال: «الأرقام مشجعة… والطريق ما زال طويلاً».", "ثم غادر."]),
    ('قال المدير: "سنبدأ غداً... نحن جاهزون". وانتهى الاجتماع.', "ar",
     ['قال المدير: "سنبدأ غداً... نحن جاهزون".', "وانتهى الاجتماع."]),
    # a conjunction (ثم, لكن, بل, أو), ربما or a و-word with the article goes on after an ellipsis,
    # as a lower-case "then" does in English; another word opens a sentence, as before
    ("انتظرت طويلاً... ثم رحلت.", "ar", ["انتظرت طويلاً... ثم رحلت."]),
    ("حاولنا… ولكنّ الوقت كان قد فات. ثم عدنا.", "ar", ["حاولنا… ولكنّ الوقت كان قد فات.", "ثم عدنا."]),
    ("سنبدأ غداً... ربما بعد غد.", "ar", ["سنبدأ غداً... ربما بعد غد."]),
    ("الوضع صعب... والحكومة ستتدخل.", "ar", ["الوضع صعب... والحكومة ستتدخل."]),
    ("الوضع صعب... وقال الوزير إن الحكومة ستتدخل.", "ar", ["الوضع صعب...", "وقال الوزير إن الحكومة ستتدخل."]),
    # a quotation not closed in the paragraph, or closed by the ellipsis, is cut as before
    ("قال: «الأرقام مشجعة... نحن متفائلون. ثم غادر.", "ar", ["قال: «الأرقام مشجعة...", "نحن متفائلون.", "ثم غادر."]),
    ("قال: «الأرقام مشجعة...». ثم غادر.", "ar", ["قال: «الأرقام مشجعة...».", "ثم غادر."]),
    # English reads the case of the next word, as before
    ("He paused … then continued.", "en", ["He paused … then continued."]),
    ('He said: "The figures... But we go on." He left.', "en",
     ['He said: "The figures...', 'But we go on."', "He left."]),
])
def test_an_arabic_ellipsis_in_a_quotation_or_before_a_conjunction_goes_on(text: str, lang: str,
                                                                            want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "want"), [
    # a clock time's ص./م. (a.m./p.m.) before a new sentence ended none, while "11 م." did
    ("بدأ الاجتماع الساعة 10:30 ص. وانتهى عند الظهر.", ["بدأ الاجتماع الساعة 10:30 ص.", "وانتهى عند الظهر."]),
    ("انتهى الحفل الساعة 11:00 م. وانتهت الليلة بسلام.", ["انتهى الحفل الساعة 11:00 م.", "وانتهت الليلة بسلام."]),
    ("بدأت الجلسة الساعة 9 ص. وانتهت الساعة 2 م.", ["بدأت الجلسة الساعة 9 ص.", "وانتهت الساعة 2 م."]),
    ("بدأت الجلسة الساعة ١٠:٣٠ ص. واستمرت ساعتين.", ["بدأت الجلسة الساعة ١٠:٣٠ ص.", "واستمرت ساعتين."]),
    ("انتهى الحفل الساعة 11 م. وانتهت الليلة بسلام.", ["انتهى الحفل الساعة 11 م.", "وانتهت الليلة بسلام."]),
    # a preposition goes on, as after "1950 م. في"; a letter of a dotted abbreviation too; an adverb
    # on the amount ("about", "only", "a year") as well
    ("بلغت الحصيلة ٣٫٥ مليون ر.س. تقريباً.", ["بلغت الحصيلة ٣٫٥ مليون ر.س. تقريباً."]),
    ("دفع 500 مليون ر.س. فقط. وانتهى الأمر.", ["دفع 500 مليون ر.س. فقط.", "وانتهى الأمر."]),
    ("بلغت الأرباح 500 مليون ر.س. سنويًا وهي نسبة جيدة.", ["بلغت الأرباح 500 مليون ر.س. سنويًا وهي نسبة جيدة."]),
    ("وصل الساعة 10:30 ص. في موعده.", ["وصل الساعة 10:30 ص. في موعده."]),
    ("العنوان: القاهرة 11511 ص. ب. 1234.", ["العنوان: القاهرة 11511 ص. ب. 1234."]),
])
def test_a_clock_time_with_its_abbreviation_ends_a_sentence_as_a_year_does(text: str, want: list[str]) -> None:
    segs = segment(text, "ar")
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "want"), [
    # titles of Arab-world English, and abbreviations that introduce what follows, cut before a name
    ("The opening was attended by Eng. Ahmed Hassan and others.", ["The opening was attended by Eng. Ahmed Hassan and others."]),
    ("He met Amb. Ahmed Hassan. The talks went well.", ["He met Amb. Ahmed Hassan.", "The talks went well."]),
    ("He met Sh. Mohammed and Atty. Gen. Smith.", ["He met Sh. Mohammed and Atty. Gen. Smith."]),
    ("He met Min. Sameh Shoukry in Cairo.", ["He met Min. Sameh Shoukry in Cairo."]),
    ("It was designed by Dr.-Ing. Ahmed Hassan.", ["It was designed by Dr.-Ing. Ahmed Hassan."]),
    ("He cited several sources, incl. Reuters and AP. None confirmed it.",
     ["He cited several sources, incl. Reuters and AP.", "None confirmed it."]),
    ("Major lenders, i.e. The World Bank and the IMF, agreed.", ["Major lenders, i.e. The World Bank and the IMF, agreed."]),
    # minutes in lower case, and "Eng." before a sentence starter, still end a sentence
    ("The match was stopped for 30 min. Police cleared the pitch.",
     ["The match was stopped for 30 min.", "Police cleared the pitch."]),
    ("He studied Civil Eng. He then joined the ministry.", ["He studied Civil Eng.", "He then joined the ministry."]),
    # "b." (bin) before a transliterated name whose apostrophe writes the ayn: hadith
    # translations split "Jabir b." from "'Abdullah (Allah be pleased with them) reported"
    ("Jabir b. 'Abdullah reported: We were with him. He said no.",
     ["Jabir b. 'Abdullah reported: We were with him.", "He said no."]),
    ("He met 'Abdullah b. ʿUmar at the gate. They talked.", ["He met 'Abdullah b. ʿUmar at the gate.", "They talked."]),
    # ... written with a curly quotation mark, which Punkt splits from the name (Muslim's English)
    ("‘Abd Allah b. ‘Umar wrote to him. He replied.", ["‘Abd Allah b. ‘Umar wrote to him.", "He replied."]),
    ("He transmitted the tradition of Abu Bakr b. ‘Ayyash. He said in it: Hear.",
     ["He transmitted the tradition of Abu Bakr b. ‘Ayyash.", "He said in it: Hear."]),
    ("The plan was B. 'Nothing else,' he said.", ["The plan was B.", "'Nothing else,' he said."]),
])
def test_titles_before_a_name_end_no_sentence(text: str, want: list[str]) -> None:
    segs = segment(text, "en")
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "want"), [
    # a.m./p.m. before a capitalised word that is no part of the time ended no sentence
    ("The blast happened at 9 a.m. Police sealed off the area.",
     ["The blast happened at 9 a.m.", "Police sealed off the area."]),
    ("The meeting was at 10:30 a.m. Officials did not comment.",
     ["The meeting was at 10:30 a.m.", "Officials did not comment."]),
    ("The meeting ends at 9 a.m. Mr. Jones will chair it.", ["The meeting ends at 9 a.m.", "Mr. Jones will chair it."]),
    # a weekday, month or time zone, a place before "time", or a time that opens its sentence goes on
    ("The meeting at 9 a.m. Eastern Time was delayed.", ["The meeting at 9 a.m. Eastern Time was delayed."]),
    ("It is scheduled for 7 p.m. ET tonight.", ["It is scheduled for 7 p.m. ET tonight."]),
    ("The shop opens at 9 a.m. Tuesday through Friday.", ["The shop opens at 9 a.m. Tuesday through Friday."]),
    ("Prayers start at 12:30 p.m. Mecca time on Friday.", ["Prayers start at 12:30 p.m. Mecca time on Friday."]),
    ("At 9 a.m. Mr. Jones arrived. He was late.", ["At 9 a.m. Mr. Jones arrived.", "He was late."]),
    ("Mr. and Mrs. Brown met Prof. Lee at 5 p.m. on Monday.", ["Mr. and Mrs. Brown met Prof. Lee at 5 p.m. on Monday."]),
])
def test_a_clock_time_before_a_capitalised_word_ends_a_sentence(text: str, want: list[str]) -> None:
    segs = segment(text, "en")
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # "?!" inside a URL's query cut the URL in two
    ("Source: https://example.com/search?q=what?!&lang=en The article was long.", "en",
     ["Source: https://example.com/search?q=what?!&lang=en The article was long."]),
    ("المصدر: https://example.com/search?q=what?!&lang=ar وقال التقرير إن الوضع صعب.", "ar",
     ["المصدر: https://example.com/search?q=what?!&lang=ar وقال التقرير إن الوضع صعب."]),
    # a stop or question mark after the URL, before white space, still ends a sentence
    ("Is it at https://example.com/faq? Yes.", "en", ["Is it at https://example.com/faq?", "Yes."]),
    ("Visit www.example.com. Then go.", "en", ["Visit www.example.com.", "Then go."]),
])
def test_no_sentence_ends_inside_a_url(text: str, lang: str, want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # a quotation's reporting clause with a dialogue verb of the English list's kind (laughed,
    # sighed) stays with it in Arabic, as in English
    ("«حقاً؟!» ضحكت. ثم خرجت.", "ar", ["«حقاً؟!» ضحكت.", "ثم خرجت."]),
    ('"هذا مستحيل!" تنهد الرجل. وعاد إلى بيته.', "ar", ['"هذا مستحيل!" تنهد الرجل.', "وعاد إلى بيته."]),
    ('"Really?!" she laughed. Then she left.', "en", ['"Really?!" she laughed.', "Then she left."]),
    # a long tail is a sentence of its own, as before
    ("«حقاً؟!» ضحكت الفتاة طويلاً وبدأت تبكي ثم خرجت من الغرفة.", "ar",
     ["«حقاً؟!»", "ضحكت الفتاة طويلاً وبدأت تبكي ثم خرجت من الغرفة."]),
])
def test_a_dialogue_verb_after_a_quotation_is_its_reporting_clause(text: str, lang: str, want: list[str]) -> None:
    segs = segment(text, lang)
    assert [s.text for s in segs] == want
    check_offsets(text, segs)


def test_verse_numbers_in_plain_parentheses_end_verses() -> None:
    """The Qur'an as often printed online, "... لِلۡمُؤۡمِنِينَ (١) ٱتَّبِعُواْ ...", was one sentence
    for a paragraph of verses (a linguist's prose test: strict F1 0.45-0.60 for such documents)."""
    verses = ["كِتَٰبٌ أُنزِلَ إِلَيۡكَ فَلَا يَكُن فِي صَدۡرِكَ حَرَجٞ مِّنۡهُ", "ٱتَّبِعُواْ مَآ أُنزِلَ إِلَيۡكُم مِّن رَّبِّكُمۡ",
             "وَكَم مِّن قَرۡيَةٍ أَهۡلَكۡنَٰهَا فَجَآءَهَا بَأۡسُنَا", "أَن قَالُوٓاْ إِنَّا كُنَّا ظَٰلِمِينَ"]
    for digits in ("0123456789", "٠١٢٣٤٥٦٧٨٩"):
        marked = [f"{v} ({digits[k + 1]})" for k, v in enumerate(verses)]
        text = " ".join(marked) + "\n"
        segs = segment(text, "ar")
        check_offsets(text, segs)
        assert [x.text for x in segs] == marked  # the last verse opens with أن, "that": cut all the same
    # numbers that are not verse numbers: footnote marks in prose with full stops, an inline
    # list (its numbers come before the items), numbers out of order, fewer than three
    for text in ["قال الكاتب (1) إن الأمر صعب. وأضاف (2) أن الحل قريب وختم حديثه (3)",
                 "اشترى (1) تفاحا و(2) برتقالا و(3) موزا",
                 f"{verses[0]} (3) {verses[1]} (1) {verses[2]} (2)",
                 f"{verses[0]} (1) {verses[1]} (2)"]:
        assert not any(x.text.endswith(")") and x.text != text for x in segment(text, "ar")[:-1]), text
    # a verse number in ornate parentheses ends its verse before أن as well (one of 960 was not cut)
    text = "إِذۡ أَوۡحَيۡنَآ إِلَىٰٓ أُمِّكَ مَا يُوحَىٰٓ ﴿٣٨﴾ أَنِ ٱقۡذِفِيهِ فِي ٱلتَّابُوتِ ﴿٣٩﴾"
    assert [x.text for x in segment(text, "ar")] == ["إِذۡ أَوۡحَيۡنَآ إِلَىٰٓ أُمِّكَ مَا يُوحَىٰٓ ﴿٣٨﴾",
                                                     "أَنِ ٱقۡذِفِيهِ فِي ٱلتَّابُوتِ ﴿٣٩﴾"]


def test_presplit_lines_lose_the_invisible_marks_around_them() -> None:
    # two files joined with `cat`: the second's byte-order mark stayed in its first sentence's text
    text = "\ufeffline one\n\u200fسطر\u200f \n  plain  \n"
    segs = presplit(text, "ar")
    assert [s.text for s in segs] == ["line one", "سطر", "plain"]
    # the sentence's own span, not its line's: the native JSON gives back text[start:end], and
    # filter/report/review/grep read that (they gave the BOM and the spaces back)
    assert [(s.start, s.end) for s in segs] == [(1, 9), (11, 14), (19, 24)]
    assert all(text[s.start:s.end] == s.text for s in segs)


def test_trimming_keeps_explicit_bidi_pairs_whole() -> None:
    """Stop 40: the invisible marks around a sentence are trimmed one by one, so a line
    ``RLE text PDF LRI x PDI`` became ``text PDF LRI x``: a PDF closing nothing and an isolate never
    closed, which runs on over the rest of a TSV row in a bidi-aware viewer. The pair the sentence
    holds half of comes back whole; a pair around the whole sentence still goes, and the text is
    still the original's slice."""
    from parallel.segment import presplit, segment

    def balanced(text: str) -> bool:
        depth = {"emb": 0, "iso": 0}
        for ch in text:
            kind = "emb" if ch in "\u202a\u202b\u202c\u202d\u202e" else "iso" if ch in "\u2066\u2067\u2068\u2069" else ""
            if not kind:
                continue
            if ch in "\u202c\u2069":
                if depth[kind] == 0:
                    return False
                depth[kind] -= 1
            else:
                depth[kind] += 1
        return depth == {"emb": 0, "iso": 0}

    line = "\u202bنص عربي\u202c\u2066x\u2069"
    [seg] = presplit(line + "\n", "ar")
    assert seg.text == line and balanced(seg.text)
    whole = "\u202b\u200fجملة أولى. جملة ثانية.\u202c"
    doc = "مرحبا \u202bبكم\u202c. \u2067وداعا\u2069. " + whole
    segs = segment(doc, "ar")
    assert [s.text for s in segs] == ["مرحبا \u202bبكم\u202c.", "\u2067وداعا\u2069.", "جملة أولى.", "جملة ثانية."]
    assert all(balanced(s.text) and doc[s.start:s.end] == s.text for s in segs)


def test_arabic_in_presentation_forms_is_segmented_as_its_letters() -> None:
    """Text copied out of a PDF writes each letter in its presentation form (ﺇﻧﻬﻢ): the segmenter
    reads it as its letters, so the same words cut at the same places (Punkt did not know the word
    after an ellipsis and kept NTREX's "... إنهم لا يهدفون" in one sentence with the one before),
    and the offsets still index the text as written."""
    import unicodedata

    from pairs_factory import presentation_forms

    text = ("إنهم متسمون بالود. إنهم صغار وفضوليون جدًا ... إنهم لا يهدفون إلى إيذائك. "
            "وقال \"يجب عليك التعبير عن احترامهم بقدر صحيح.\"\n\nلا أحد يعرف. ولا أحد يسأل.")
    shaped = presentation_forms(text)
    assert shaped != text
    letters = [s.text for s in segment(text, "ar")]
    forms = segment(shaped, "ar")
    assert len(letters) >= 5
    assert [unicodedata.normalize("NFKC", s.text) for s in forms] == letters
    assert all(shaped[s.start:s.end] == s.text for s in forms)


def test_a_long_run_without_spaces_is_cut_between_whole_characters() -> None:
    """The hard cut of a run with no space (at MAX_SENTENCE) split a family emoji at its joiners
    (a lone woman as a sentence, the joiners in no sentence) and a flag across two sentences."""
    from parallel.segment import MAX_SENTENCE

    family, flag = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466", "\U0001F1F8\U0001F1E6"
    # each unit, and the offsets inside it where a character that is read whole ends
    for unit, ends in ((family + flag, {0, 7}), (flag + family, {0, 2}), ("\u0627\u064e\u0644" + family, {0, 2, 3}),
                       ("e\u0301" + flag + flag, {0, 2, 4})):
        text = unit * (3 * MAX_SENTENCE // len(unit))
        segs = segment(text, "en")
        check_offsets(text, segs)
        assert len(segs) > 2 and sum(len(s.text) for s in segs) == len(text)  # nothing left in no sentence
        for s in segs:
            assert s.start % len(unit) in ends and s.end % len(unit) in ends, (unit, s.start, s.end)


ZH = ("国家统计局周二公布的数据显示，今年第一季度国内生产总值同比增长５．３％。消费对经济增长的贡献率达到７３％！"
      "专家认为，经济复苏的势头正在增强。\n\n与此同时，制造业投资增长了９．９％。高技术产业投资增速更快？"
      "国家发展改革委表示，将继续扩大有效投资。\n")
ZH_EN = ("Data released by the National Bureau of Statistics on Tuesday showed that GDP grew by 5.3% year on "
         "year in the first quarter. The contribution of consumption to economic growth reached 73%! Experts "
         "believe that the momentum of economic recovery is strengthening.\n\nMeanwhile, manufacturing "
         "investment grew by 9.9%. Did investment in high-tech industries grow even faster? The National "
         "Development and Reform Commission said it would continue to expand effective investment.\n")


@pytest.mark.filterwarnings("ignore:no sentence splitter for language:UserWarning")
def test_chinese_and_japanese_are_told_and_cut_at_their_full_stops(tmp_path: Path) -> None:
    """Stop 49: a Chinese file of paragraphs longer than 40 characters had no sample to tell its
    language from (runs of 41 characters without a space were left out as blobs: Chinese writes no
    spaces), so segment, align and run said "cannot tell its language"; given --lang zh, nothing cut
    at 。！？, which have no space after them, and every paragraph was one sentence."""
    from parallel.lang import identify
    from parallel.segment import segment as segment_text

    det = identify(ZH)
    assert det is not None and det.lang == "zh"
    blob = identify("Real words here. " + "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCB0ZXh0IG9mIHNvbWUgbGVuZ3Ro" * 40)
    assert blob is None or blob.lang != "zh"  # a run of 41+ characters of no such script is still left out
    zh = [s.text for s in segment_text(ZH, "zh")]  # no splitter of its own: the generic one, with a warning
    ja = [s.text for s in segment_text("気象庁は月曜日に発表した。平年より３日遅い。「本当？」と聞いた。\n", "ja")]
    assert zh[:3] == ["国家统计局周二公布的数据显示，今年第一季度国内生产总值同比增长５．３％。", "消费对经济增长的贡献率达到７３％！",
                      "专家认为，经济复苏的势头正在增强。"] and len(zh) == 6
    assert ja[:2] == ["気象庁は月曜日に発表した。", "平年より３日遅い。"]
    ar, en = tmp_path / "a.zh", tmp_path / "a.en"
    ar.write_text(ZH, encoding="utf-8")
    en.write_text(ZH_EN, encoding="utf-8")
    res = CliRunner().invoke(main, ["align", str(ar), str(en), "-f", "vecalign", "-q"])
    assert res.exit_code == 0, res.output
    assert [ln.rsplit(":", 1)[0] for ln in res.stdout.split("\n") if ln] == [f"[{i}]:[{i}]" for i in range(6)]


@pytest.mark.parametrize("lang, text, want", [
    # a quotation closed after its own full stop ended its sentence: what follows is no reporting clause
    ("en", 'He told Reuters: "The situation is under control." Witnesses reported heavy gunfire.',
     ['He told Reuters: "The situation is under control."', "Witnesses reported heavy gunfire."]),
    ("en", '"We will not negotiate under fire," he said. "The ball is in their court." The ministry said so.',
     ['"We will not negotiate under fire," he said.', '"The ball is in their court."', "The ministry said so."]),
    ("en", '"Are you ready?" CNN reported. Then it began.', ['"Are you ready?" CNN reported.', "Then it began."]),
    # abbreviations a number follows
    ("en", "He died in 1950 (b. 1890). His son survived him.", ["He died in 1950 (b. 1890).", "His son survived him."]),
    ("en", "This is affirmed in the Throne Verse (Q. 2:255). Commentators agree.",
     ["This is affirmed in the Throne Verse (Q. 2:255).", "Commentators agree."]),
    ("en", "Ibn Sina (d. 1037) wrote the Canon. Under Reg. 12 the permit lapses.",
     ["Ibn Sina (d. 1037) wrote the Canon.", "Under Reg. 12 the permit lapses."]),
    # a lower-case Roman numeral before a number: a sura or book and its verse in a reference (as
    # Muslim's English cites the Qur'an); an upper-case one ends a sentence
    ("en", 'Allah revealed this verse: "Do not offer prayer for any one of them" (ix. 84). He obeyed.',
     ['Allah revealed this verse: "Do not offer prayer for any one of them" (ix. 84).', "He obeyed."]),
    ("en", "He recited ii. 255 at night. Then xxiv. 35 was read.", ["He recited ii. 255 at night.", "Then xxiv. 35 was read."]),
    ("en", "It ended with World War II. 5 million had died.", ["It ended with World War II.", "5 million had died."]),
    # titles
    ("en", "Brig. Gen. Saleh spoke to reporters. The Rt. Hon. Member for Bristol objected.",
     ["Brig. Gen. Saleh spoke to reporters.", "The Rt. Hon. Member for Bristol objected."]),
    ("en", "He was appointed Asst. Secretary of State.", ["He was appointed Asst. Secretary of State."]),
    # a question or exclamation mark closing a title or slogan quoted inside an Arabic sentence
    ("ar", "ظهرت في برنامج «من سيربح المليون؟» الشهير. ثم غابت.",
     ["ظهرت في برنامج «من سيربح المليون؟» الشهير.", "ثم غابت."]),
    ("ar", "رفع المتظاهرون شعار «الشعب يريد إسقاط النظام!» في ميدان التحرير.",
     ["رفع المتظاهرون شعار «الشعب يريد إسقاط النظام!» في ميدان التحرير."]),
    ("ar", "وزعم المتهم أنه كان نائماً (!) وقت وقوع الجريمة.", ["وزعم المتهم أنه كان نائماً (!) وقت وقوع الجريمة."]),
    # ... but speech introduced by a colon, or a question of its own, may end one
    ("ar", 'سألته: "هل أنت متأكد؟" فأومأ برأسه.', ['سألته: "هل أنت متأكد؟"', "فأومأ برأسه."]),
    ("ar", "هل أنت متأكد؟ نعم أنا متأكد.", ["هل أنت متأكد؟", "نعم أنا متأكد."]),
    # words that are abbreviations only before a number
    ("en", "Did he agree? No. Ahmed refused outright. No. 5 is next.",
     ["Did he agree?", "No.", "Ahmed refused outright.", "No. 5 is next."]),
    ("en", "She studied art. Picasso was her hero. See Fig. 3 and Art. 12 of the charter.",
     ["She studied art.", "Picasso was her hero.", "See Fig. 3 and Art. 12 of the charter."]),
    # "and others" ends a list after its ellipsis; another و-word may open a sentence
    ("ar", "تنتج المنطقة القمح والشعير والذرة... وغيرها من الحبوب.", ["تنتج المنطقة القمح والشعير والذرة... وغيرها من الحبوب."]),
    ("ar", "انتظرنا طويلاً... وغيّر الوزير رأيه.", ["انتظرنا طويلاً...", "وغيّر الوزير رأيه."]),
    # "and so on", "and the like" close a list after its ellipsis too; "وما زال" opens a sentence
    ("ar", "اشترى الخبز والحليب والجبن... وما إلى ذلك. ثم عاد إلى البيت.",
     ["اشترى الخبز والحليب والجبن... وما إلى ذلك.", "ثم عاد إلى البيت."]),
    ("ar", "كتب الشعر والنثر... وما شابه ذلك من الفنون.", ["كتب الشعر والنثر... وما شابه ذلك من الفنون."]),
    ("ar", "جاء الأطباء والممرضون... ونحوهم.", ["جاء الأطباء والممرضون... ونحوهم."]),
    ("ar", "قرأ الكتب والمجلات... إلى آخره.", ["قرأ الكتب والمجلات... إلى آخره."]),
    ("ar", "قال إن الوضع صعب... وما زال الأمر كذلك.", ["قال إن الوضع صعب...", "وما زال الأمر كذلك."]),
    # an ellipsis typeset with spaces is one mark, read as "..." is
    ("en", "She waited . . . Then she left.", ["She waited . . .", "Then she left."]),
    ("en", "She waited . . . then she left.", ["She waited . . . then she left."]),
    ("en", "It was 5 . . . or 6. Nobody knew.", ["It was 5 . . . or 6.", "Nobody knew."]),
])
def test_quotations_abbreviations_and_titles_a_linguist_found_split_wrongly(lang: str, text: str,
                                                                            want: list[str]) -> None:
    """Stop 54's read of the splitter on realistic news, legal and literary text."""
    assert sents(text, lang) == want


@pytest.mark.parametrize("text, want", [
    # plurals of the parts a law cites end no sentence before their number ...
    ("See, e.g., Arts. 7-9 of the Convention and paras. 3-4 of the report.",
     ["See, e.g., Arts. 7-9 of the Convention and paras. 3-4 of the report."]),
    ("The rule applies under ss. 12-14 and cl. 4 of the Act, as in 90 Stat. 2541.",
     ["The rule applies under ss. 12-14 and cl. 4 of the Act, as in 90 Stat. 2541."]),
    # ... but are words at a sentence's end before a capitalised one
    ("Congress funds the arts. The paras. landed first.", ["Congress funds the arts.", "The paras. landed first."]),
    ("The state funds the arts. Museums are free.", ["The state funds the arts.", "Museums are free."]),
    # the abbreviations of United Nations and court citations
    ("The Assembly adopted G.A. Res. 217 A (III) in 1948. See U.N. Doc. A/45/40, Supp. No. 40.",
     ["The Assembly adopted G.A. Res. 217 A (III) in 1948.", "See U.N. Doc. A/45/40, Supp. No. 40."]),
    ("It is reported at 1155 U.N.T.S. 331 and in 42 U.S.C. 1983. Then the Court ruled.",
     ["It is reported at 1155 U.N.T.S. 331 and in 42 U.S.C. 1983.", "Then the Court ruled."]),
])
def test_legal_citations_end_no_sentence(text: str, want: list[str]) -> None:
    """Legal and official English cites articles, paragraphs, sections and resolutions by abbreviations
    Punkt otherwise reads as sentence ends (the hidden legal set's kind of text)."""
    assert sents(text, "en") == want


def test_an_overlong_sentence_is_cut_at_a_clause_mark_a_direction_mark_follows() -> None:
    """A sentence longer than max_chars is cut after its last clause mark (، , ; :) in the window;
    web Arabic writes the mark with a right-to-left mark after it ("،\u200f "), which the pattern did
    not allow, so such a sentence was cut at a mere space, inside the clause (stop 57; the clause
    step's own pattern had the same gap with "\u200f.\u200f", the full stop of hadith collections)."""
    from parallel.segment import segment

    head = "ذهب الرجل إلى السوق واشترى خبزا كثيرا لأهله وأصدقائه، ثم عاد إلى البيت مسرعا قبل المغرب"
    text = f"{head}،\u200f " + "وجلس مع أولاده يحدثهم عن رحلته الطويلة في البلاد البعيدة " * 2 + "."
    pieces = [s.text for s in segment(text, "ar", max_chars=len(head) + 40)]
    assert pieces[0] == f"{head}،", pieces  # the mark and the space stay between the two
    assert pieces[1].startswith("وجلس مع أولاده"), pieces


@pytest.mark.parametrize(("text", "want"), [
    # the doctor's title and a year's abbreviation written with the hadith collections' stop
    (("قال د\u200f.\u200f محمد العلي إن المشروع ناجح\u200f.\u200f ولد الفيلسوف عام 500 ق.م\u200f.\u200f في أثينا "
      "وعاش طويلا\u200f.\u200f"), 2),
    ("قال د\u200f. محمد العلي إن المشروع ناجح. وعاد إلى بيته.", 2),
    # a stop between direction marks, then the closing quote or bracket
    ("قال رسول الله ﷺ: «الدين النصيحة\u200f.\u200f» ثم سكت طويلا.", 2),
    ("قال رسول الله ﷺ: «الدين النصيحة.\u200f» ثم سكت طويلا.", 2),
    ("قال: «هل جاء\u200f؟\u200f» ثم سكت طويلا.", 2),
    ('قال: "الدين النصيحة\u200f.\u200f" ثم سكت طويلا.', 2),  # a straight quote closes it too
    # an abbreviation stretched with tatweel
    ("توفي سنة 256 هـــ. في سمرقند ودفن فيها.", 1),
    # a stop glued to the next word: ۔, or with a direction mark
    ("انتهى الاجتماع مساء أمس۔وقال الوزير إن النتائج جيدة.", 2),
    ("انتهى الاجتماع مساء أمس\u200f.وقال الوزير إن النتائج جيدة.", 2),
    # no-break spaces between every word
    ("ذهب الولد إلى المدرسة. كان متأخرا. غضب المعلم كثيرا. جلس الولد.".replace(" ", "\u00a0"), 4),
])
def test_arabic_as_the_web_and_pdfs_write_it_is_cut_as_the_plain_text(text: str, want: int) -> None:
    """Stop 57 (a helper's hunt for Arabic input that silently degrades results): Punkt read every
    invisible mark as a space, so "د\u200f." lost its abbreviation and a stop lost its closing
    quote; tatweel hid an abbreviation; a glued ۔ or a marked glued stop cut nothing; no-break
    spaces made a paragraph one word to Punkt. Each is cut as the same text written plainly."""
    import re

    from parallel.segment import segment

    got = segment(text, "ar")
    assert len(got) == want, [s.text for s in got]
    plain = re.sub("[\u200f\u200e]", "", text).replace("\u00a0", " ").replace("ـــ", "ـ").replace("۔", ".")
    assert len(segment(plain, "ar")) == want  # the same text written plainly: the same count
    assert all(text[s.start:s.end] == s.text for s in got)  # offsets still into the text as given
    assert not any(s.text[0] in "»\")" for s in got)  # a closing quote or bracket stays with its sentence
