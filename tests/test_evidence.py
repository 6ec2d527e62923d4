"""Per-link evidence: numbers, length ratio, chrF++, cosine and margin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pairs_factory import AR, EN, embeddings, make_alignment, make_doc

from parallel.data import Alignment, Link
from parallel.evidence import (
    FEATURES,
    annotate,
    chrf_between,
    embedding_features,
    extract_numbers,
    normalize_digits,
    numbers_agreement,
    text_features,
)

# The seed pair's divergence: 30 meetings / 100 countries against 40 / 150.
SEED_AR = "لقد عقدنا ما يقرب من 30 اجتماعًا للتبادل الفني مع أكثر من 100 دولة ومنطقة من خلال الفيديو"
SEED_EN = ("held more than 40 remote video exchange meetings with more than 150 countries and more than "
           "10 international and regional organizations")


@pytest.mark.parametrize(("text", "numbers"), [
    ("no digits here", []),
    ("٣٠ اجتماعًا و١٠٠ دولة", ["30", "100"]),             # Arabic-Indic
    ("۳۰ جلسه و۱۵۰ کشور", ["30", "150"]),                  # Persian
    ("1,000,000 people", ["1000000"]),                     # thousands separators
    ("١٬٥٠٠ شخص", ["1500"]),                               # Arabic thousands separator
    ("٣٫٥ بالمئة", ["3.5"]),                                # Arabic decimal separator
    ("2,5 kg and 2.50 kg", ["2.5", "2.5"]),
    ("US $ 20 million", ["20000000"]),
    ("20 مليون دولار", ["20000000"]),
    ("أكثر من 100 ألف شخص", ["100000"]),
    ("COVID-19 in 2020", ["2020"]),                         # a number in a name is no quantity
    ("version 1.2.3", ["1.2.3"]),
    ("007", ["7"]),
    ("plus 20 ألفا و 77 ألفًا", ["20000", "77000"]),           # accusative forms of ألف
    ("$2.8bn and £125m", ["2800000000", "125000000"]),        # money shorthand
    ("the 100m race", ["100"]),                               # no currency sign: metres stay
    ("مَعَ ٱلرَّـٰكِعِينَ ﴿٤٣﴾", []),                             # a verse number of the Qur'an
    ("سَبۡعِينَ رَجُلٗا ۝١٥٥", []),                             # after the end-of-ayah sign
    ("قتل 30 شخصا \ufd3e٤٣\ufd3f", ["30"]),
    ("﴿٤٣﴾ قتل 30 شخصا ﴿٤٤﴾ 12 آخرون", ["30", "12"]),          # a number after a verse number counts
    ("شارك ٢٠ أَلْفَ شَخْصٍ", ["20000"]),                       # a vocalised scale word
    ("حضر ٥٠ ألــف متفرج", ["50000"]),                         # tatweel inside it
    ("٣ مِلْيُونَ دولار و٣ تريليونات و٧ بلايين و٢ ترليون", ["3000000", "3000000000000", "7000000000",
                                                          "2000000000000"]),
])
def test_extract_numbers(text: str, numbers: list[str]) -> None:
    assert extract_numbers(text) == numbers


def test_absurdly_long_numbers_are_kept_as_written() -> None:
    """More than MAX_DIGITS digits: as written, never converted (str(int) raised ValueError past
    ~4300 digits and killed ``align``)."""
    from parallel.evidence import MAX_DIGITS

    assert extract_numbers("1" * 5000) == ["1" * 5000]
    assert extract_numbers("1" * 4290 + " trillion") == ["1" * 4290]
    assert extract_numbers("0." + "0" * 5000 + "1 million") == ["0." + "0" * 5000 + "1"]
    assert numbers_agreement("9" * 5000, "9" * 5000)[0] == "agree"
    assert extract_numbers("1" * MAX_DIGITS + " million") == ["1" * MAX_DIGITS + "000000"]  # exact


@pytest.mark.parametrize(("text", "numbers"), [
    # names and codes: a number right after a Latin letter (a hyphen between or not), or after an
    # Arabic letter and a hyphen, is no quantity
    ("COVID-19 H1N1 G20 F-16 MH370 Q3 ChAdOx1 SARS-CoV-2 Covid-19", []),
    ("ارتفعت الإصابات بكوفيد-19 وكوفيد - 19", []),
    ("10km 5pm 1990s 3rd", ["10", "5", "1990", "3"]),          # followed by letters: numbers
    ("Article 12 and المادة 12", ["12", "12"]),
    ("الـ19 و12 ب5 ل3", ["19", "12", "5", "3"]),              # Arabic clitics glued to digits
    ("في منتصف عام 2020 أو mid-2020", ["2020", "2020"]),      # a year after a hyphen is a year
    ("عند -70 درجة", ["70"]),                                  # a minus sign, not a name's hyphen
    ("$2.8bn and AED1.5bn and GBP 3m", ["2800000000", "1500000000", "3000000"]),   # currency codes
    # plural scale words: never in English; in Arabic, except after a year
    ("In 2020 millions of people lost their jobs", ["2020"]),
    ("2019 thousands", ["2019"]),
    ("3 آلاف و10 ملايين و5 مليارات", ["3000", "10000000", "5000000000"]),
    ("في 2019 ملايين السياح و11 آلاف و2.5 ملايين", ["2019", "11000", "2500000"]),
    ("3.1 مليارات يورو (أي 3.6 مليارات دولار)، 110 مليارات متر", ["3100000000", "3600000000", "110000000000"]),
    ("20 million and 100 ألف", ["20000000", "100000"]),      # singular scales unchanged
    # dots between two or more groups of three digits separate thousands
    ("12.500.000 and 1.234.567", ["12500000", "1234567"]),
    ("12.500", ["12.5"]),
    # thousands grouped by spaces
    ("1 500 000 people", ["1500000"]),
    ("1\u00a0500 and 1\u202f500\u202f000 and 1\u2009500", ["1500", "1500000", "1500"]),
    ("1 500 people", ["1", "500"]),                           # one plain-space group: two numbers
    ("2020 100 people", ["2020", "100"]),                     # a 4-digit head starts no group
    # a year range with a short second year
    ("2019-20, 2019–20 and 2019/20", ["2019", "2020"] * 3),
    ("2016-30 and 2019-2020", ["2016", "2030", "2019", "2020"]),
    ("2019-18 and 1999-00 and 3/20", ["2019", "18", "1999", "0", "3", "20"]),
    # a list marker opening the text
    ("3. The committee met in 2020", ["2020"]),
    ("2) Requests the Secretary-General", []),
    ("(58) When the verses were recited", []),
    ("٣ - تعزيز التعاون الإقليمي", []),
    ("12 - تقرر أن تبقي المسألة قيد نظرها", []),
    ("3 people died", ["3"]),
    ("2020. The year", ["2020"]),
    ("4. 1954 :", ["4", "1954"]),                             # no word follows: no marker
    ("See 3. The committee", ["3"]),                          # not at the start
    # a lower-case word before a number makes no code; a date is no year range
    ("becoming 1-of-4 players, 9am-5pm, top-10", ["1", "4", "9", "5", "10"]),
    ("2008/10/15 and 2005-06-07", ["2008", "10", "15", "2005", "6", "7"]),
    ("In 2018 - 20 people died", ["2018", "20"]),
])
def test_extract_numbers_rules(text: str, numbers: list[str]) -> None:
    assert extract_numbers(text) == numbers


@pytest.mark.parametrize(("text", "values"), [
    ("two, twelve, twenty-five, ninety and the seventy-fifth session", {"2", "12", "25", "90", "75"}),
    ("a dozen, a hundred, a thousand, one million, three million, two billion",
     {"12", "100", "1000", "1000000", "3000000", "2000000000"}),
    ("the third, twentieth and nineteenth century, the twenty-first", {"3", "20", "19", "21"}),
    ("one of the first, a second look", set()),                   # one, first, second: no numbers
    ("thousands, millions, a million-strong 3 million", {"1000000"}),
    ("in the nineties", {"90", "1990"}),
    ("ثلاثة وخمسة بستة للثالث والعاشرة خمسا اثنين", {"3", "5", "6", "10", "2"}),
    ("القرن التاسع عشر والقرن الحادي والعشرين والقرن العشرين", {"19", "21", "20"}),
    ("الدورة الخامسة والسبعون، اثنا عشر، الثانية عشرة", {"75", "12"}),
    ("ثلاثة آلاف، عشرين ألف، مائتين، ألفين، مليوني، ملياري، ثلاثمائة",
     {"3000", "20000", "200", "2000", "2000000", "2000000000", "300"}),
    ("ألف ومليون", {"1000", "1000000"}),
    ("التسعينيات والثمانينات", {"90", "1990", "80", "1980"}),
    ("واحد أول الأول الأولى ثاني الثاني لست آلاف في المئة", set()),
    ("100 ألف و3 ملايين", set()),                                # scales of numbers in digits
    ("اربعه", {"4"}),                                             # hamza and ta marbuta folded
    # words spelled like numbers that are none: Monday, "dead", "aren't you", Sunday before ten
    ("وصل يوم الاثنين وعثر عليه ميتًا، ألستَ متعبًا؟", set()),
    ("يوم الأحد عشرة أشخاص", {"10"}),
    # and a half after a scale (or its dual); half before a scale
    ("مليون ونصف، ثلاثة آلاف ونصف، مليونين ونصف", {"1500000", "3500", "2500000"}),
    ("نصف مليون، بنصف مليار", {"500000", "500000000"}),
    ("ربع مليون، مليون وربع، half a million", {"250000", "1250000", "500000"}),
    ("في الأول من أكتوبر والثاني من مارس", {"1", "2"}),
    # stop 47: the smaller parts after و add up (1,500 troops were "1000" and "500": differ)
    ("ألف وخمسمائة جندي، ألفين وخمسمائة، ثلاثة آلاف وخمسمائة", {"1500", "2500", "3500"}),
    ("مائة وعشرون، مائة وخمسة وعشرون، ألف وثلاثة أشخاص", {"120", "125", "1003"}),
    ("مليون وخمسمائة ألف، مليون وثلاثمائة ألف وخمسون", {"1500000", "1300050"}),
    ("عشرة وخمسة، ألف شخص وخمسة أطفال", {"10", "5", "1000"}),       # no compound: under 100, or apart
    # a noun in the dual says two: يومين "2 days", الساعتين, جرعتان; a sound masculine plural is no dual
    ("لمدة يومين", {"2"}), ("خلال الساعتين الماضيتين", {"2"}), ("تلقى جرعتين", {"2"}), ("عامان", {"2"}),
    ("اللاعبين والمسلمين", set()), ("يومي السبت والأحد", set()), ("فاز ميلان", set()),
    # stop 65: English adds the smaller parts after a scale, "and" between or not (one hundred and
    # fifty was "100" and "50": a right translation of 150 read as differ), and a larger scale after
    # them multiplies the whole
    ("one hundred and fifty, a hundred and one, one hundred fifty", {"150", "101"}),
    ("two thousand five hundred, three thousand and twenty-five, nine hundred and ninety-nine",
     {"2500", "3025", "999"}),
    ("one hundred and fifty thousand, two million five hundred thousand", {"150000", "2500000"}),
    ("one thousand two hundred and thirty-four", {"1234"}),
    ("a hundred people and fifty dogs, two hundred and a half", {"100", "50", "200"}),  # apart: two numbers
])
def test_number_words(text: str, values: set[str]) -> None:
    from parallel.evidence import number_words

    assert number_words(text)[0] == values


@pytest.mark.parametrize(("src", "tgt", "verdict"), [
    (SEED_AR, SEED_EN, "differ"),
    ("قدمت المساعدات لـ ٨٩ دولة و٤ منظمات", "aid to 89 countries and 4 organisations", "agree"),
    ("4 منظمات و 89 دولة", "89 countries and 4 organisations", "agree"),     # order does not matter
    ("تبرعنا بمبلغ 20 مليون دولار", "donated US $ 20 million", "agree"),
    ("بمشاركة 100 ألف شخص", "watched by 100,000 people", "agree"),
    ("نشر ألف وخمسمائة جندي", "Some 1,500 troops were deployed", "agree"),
    ("مرحبا", "hello", "none"),
    ("قتل 150 شخصا", "one hundred and fifty people were killed", "agree"),
    ("في عام 2005", "in the year", "differ"),                              # a number on one side only
    # a time on the hour: its minutes are no number the other side leaves out
    ("وقع الانفجار في الساعة 4 صباحا", "The blast came at 04:00.", "agree"),
    ("في الساعة 4:30", "at 4:30 a.m.", "agree"),
    ("في الساعة 5", "at 4:00", "differ"),
    # a number in digits without a digit partner is matched by the other side's number words
    ("قتل ثلاثة أشخاص في الانفجار عام 2019.", "3 people were killed in the blast in 2019.", "agree"),
    ("قتل 3 أشخاص وأصيب 12 آخرون", "Three people were killed and 12 others wounded", "agree"),
    ("قتل 4 أشخاص وأصيب 12 آخرون", "Three people were killed and 12 others wounded", "differ"),
    ("شهدت البلاد نموا في التسعينيات", "The country grew in the 1990s", "agree"),
    ("في الثمانينات", "in the '80s", "agree"),
    ("بني القصر في القرن التاسع عشر", "The palace was built in the 19th century", "agree"),
    ("بني القصر في القرن 19", "The palace was built in the nineteenth century", "agree"),
    ("في الثالث من مارس 2020", "On March 3, 2020", "agree"),
    ("الدورة الخامسة والسبعون", "The 75th session", "agree"),
    ("بلغ عدد الضحايا ألف شخص", "The death toll reached 1,000", "agree"),
    ("ارتفع إلى 1 مليون حالة", "rose to a million cases", "agree"),
    ("بلغ عدد السكان ثلاثة ملايين نسمة", "The population reached 3 million", "agree"),
    ("خفض 50% من الموظفين", "Half of the staff were laid off", "agree"),
    ("توفي 25 بالمئة من المرضى", "A quarter of the patients died", "agree"),
    ("خفض 50 من الموظفين", "Half of the staff were laid off", "differ"),   # half: a percentage only
    ("ثلاثة", "three", "none"),                     # words alone make no numbers
    ("تتراوح فترة الحضانة بين يومين و14 يومًا", "The incubation period is 2 to 14 days", "agree"),  # a dual
    ("تعادل الفريقان بهدفين لكل منهما", "The teams drew 2-2", "agree"),
    ("تتراوح فترة الحضانة بين يومين و14 يومًا", "The incubation period is 3 to 14 days", "differ"),
    ("ارتفعت الإصابات بفيروس كورونا إلى 500.", "COVID-19 cases rose to 500.", "agree"),
    ("خلال الموسم 2019-2020", "During the 2019–20 season", "agree"),
    ("في عام 2020 فقد الملايين وظائفهم.", "In 2020 millions of people lost their jobs.", "agree"),
    ("بلغ عدد السكان 12.500.000 نسمة", "The population reached 12,500,000", "agree"),
    ("بمبلغ 1 500 000 دولار", "in the amount of $1,500,000", "agree"),
    ("3 - تعزيز التعاون الإقليمي في عام 2020.", "Strengthening regional cooperation in 2020.", "agree"),
    ("ارتفع العدد إلى مليون ونصف", "The number rose to 1.5 million", "agree"),
    # digits a writer means another way: the other side says which
    ("توفي 20.000 شخص", "20,000 people died", "agree"),              # a dot grouping thousands
    ("توفي 20.000 شخص", "20 people died", "agree"),                  # or a decimal point
    ("توفي 20.000 شخص", "2,000 people died", "differ"),
    ("أكثر من 30،000 كوري", "more than 30,000 Koreans", "agree"),     # an Arabic comma grouping
    ("ارتفعت بنسبة 7،5%", "rose by 7.5%", "agree"),                  # or a decimal comma
    ("ارتفعت بنسبة 7، 5%", "rose by 7.5%", "differ"),                # spaced: two numbers
    ("على الرقم 116123", "call 116 123", "agree"),                   # a space grouping
    ("في الساعة 16:00", "at 4 p.m.", "agree"),                       # 24- and 12-hour clocks
    ("عند 21:30", "at 9:30pm", "agree"),
    ("الساعة 16", "at 4 pm", "agree"),
    ("في الساعة 16:00", "at 5 p.m.", "differ"),
    ("عند 21:30", "9 people and 30 dogs", "differ"),                  # an hour matches an hour only
    ("هو 5:30 مساءً", "is 5.30pm", "agree"),                         # a time with a dot
    ("في 2020/04/11", "on 11 April 2020", "agree"),                  # a numeric date, a month named
    ("في 11/4/2020", "on April 11, 2020", "agree"),
    ("يوم 11.04.2020", "on 11 April 2020", "agree"),
    ("يوم 11.04.2020", "on 11 May 2020", "differ"),
    ("في 11/4/2020", "on 11 May 2020", "differ"),
    # an audit of the readings: what a translator writes, and what only looks alike
    ("مليون و500 ألف شخص", "1.5 million people", "agree"),              # a sum of scales
    ("3 ملايين و200 ألف", "3.2 million", "agree"),
    ("في الأول من أكتوبر", "on 1 October", "agree"),                     # the first of a month
    ("The shops opened at 9 a.m.", "افتتحت المتاجر الساعة 21:00", "differ"),  # a.m. is not 21:00
    ("9:30 a.m.", "الساعة 21:30", "differ"),
    ("وقع الانفجار الساعة 4 فجرا", "at 16:00", "differ"),
    ("الساعة 16:30", "at 4.30pm", "agree"),                              # a dotted time
    ("الساعة 10.30", "at 10:30", "agree"),
    ("at 1600 GMT", "الساعة 16:00 بتوقيت غرينتش", "agree"),
    ("في 5/1/2020", "on Jan. 5, 2020", "agree"),                         # an abbreviated month
    ("في 12/3/2021 خرج المتظاهرون", "On 12 April 2021 protesters staged a march", "differ"),
    ("On 12/3/2021 protesters gathered", "في 12 أبريل 2021 مارس المتظاهرون ضغوطا", "differ"),
    ("في 4/11/2020", "On 11 April 2020", "differ"),                      # Arabic dates are day/month
    ("On 4/11/2020", "في 11 أبريل 2020", "agree"),                       # English ones may not be
    ("في 1 تشرين الاول 2020", "On 1/10/2020", "agree"),
    ("نصف المليون وربع مليون", "500,000 and 250,000", "agree"),
    ("لجأ 500 ألف شخص", "half a million people fled", "agree"),
    ("استثمارات بقيمة 7،5 مليار دولار", "investments of 7.5 billion dollars", "agree"),
    ("وصل 30،000 شخص", "30 people came", "differ"),                      # three digits: thousands
    ("ارتفع 1.125%", "1,125 people", "differ"),                         # no thousands before %
    ("the 2.53 average", "المعدل 2.53", "agree"),                        # a decimal is no time
    ("نحو 1.5 مليون شخص", "about 1.5m people", "agree"),                # shorthand with no currency
    ("ملياري جنيه", "2bn pounds", "agree"),
    ("نحو 1.5 مليون شخص", "about 2.5m people", "differ"),
    # stop 57, Arabic as typed: Arabic commas grouping two or more thousands, a Persian keyboard's
    # letters in a scale word, the hamza of آلاف misspelt
    ("وصل 1،200،000 زائر", "1,200,000 visitors came", "agree"),
    ("وصل ١،٢٠٠،٠٠٠ زائر", "1,200,000 visitors came", "agree"),
    ("وصل 1،200،000 زائر", "1,300,000 visitors came", "differ"),
    ("بلغت التكلفة ١٢٠ ملیون دینار", "The cost was 120 million dinars", "agree"),
    ("بلغت التكلفة ١٢٠ ملیار دینار", "The cost was 120 million dinars", "differ"),
    ("وصل ٥ الآف لاجئ", "5,000 refugees arrived", "agree"),
    ("وصل ٥ ألآف لاجئ", "5,000 refugees arrived", "agree"),
])
def test_numbers_agreement(src: str, tgt: str, verdict: str) -> None:
    got, n_src, n_tgt = numbers_agreement(src, tgt)
    assert got == verdict
    assert n_src == " ".join(extract_numbers(src))
    assert n_tgt == " ".join(extract_numbers(tgt))


def test_seed_divergence_is_flagged_with_the_numbers() -> None:
    feats = text_features(SEED_AR, SEED_EN)
    assert feats["numbers"] == "differ"
    assert feats["numbers_src"] == "30 100"
    assert feats["numbers_tgt"] == "40 150 10"


def test_normalize_digits() -> None:
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


@pytest.mark.parametrize(("src", "tgt", "ratio"), [
    ("abcd", "ab", 2.0), ("ab", "abcd", 0.5), ("abc", "", 3.0), ("", "abc", 0.0),
])
def test_length_ratio(src: str, tgt: str, ratio: float) -> None:
    assert text_features(src, tgt)["length_ratio"] == pytest.approx(ratio)


def test_chrf_same_script_matches_sacrebleu() -> None:
    from sacrebleu.metrics import CHRF

    src, tgt = "Die Katze sitzt auf der Matte.", "Le chat est assis sur la Matte."
    assert chrf_between(src, tgt) == pytest.approx(CHRF(word_order=2).sentence_score(tgt, [src]).score)
    assert chrf_between(src, src) == pytest.approx(100.0)


def test_chrf_across_scripts_uses_shared_material() -> None:
    same = chrf_between("منظمة WHO و كوفيد-19", "the WHO and COVID-19")
    other = chrf_between("منظمة WHO و كوفيد-19", "the UNICEF and SARS-2")
    assert same is not None and other is not None
    assert same > other
    assert chrf_between("مرحبا بالعالم", "hello world") is None   # nothing crosses scripts
    assert chrf_between("", "hello") is None
    assert chrf_between("hello", "   ") is None


def test_embedding_features_cosine_and_margin() -> None:
    s, t = embeddings(5, 5)
    links = [Link((0,), (0,)), Link((1, 2), (1,)), Link((3,), ()), Link((4,), (4,))]
    got = embedding_features(links, s, t, k=2)
    sim = s.astype(np.float64) @ t.T.astype(np.float64)
    # 1-1: cosine of the rows; margin = cos / mean of the two k-NN means
    knn_s = np.sort(sim, axis=1)[:, ::-1][:, :2].mean(axis=1)
    knn_t = np.sort(sim, axis=0)[::-1, :][:2, :].mean(axis=0)
    for i in (0, 4):
        n = 0 if i == 0 else 3
        assert got[n]["cosine"] == pytest.approx(sim[i, i], abs=1e-5)
        assert got[n]["margin"] == pytest.approx(sim[i, i] / ((knn_s[i] + knn_t[i]) / 2), abs=1e-4)
    # 2-1: the re-normalised mean of the two source rows
    v = s[1] + s[2]
    v = v / np.linalg.norm(v)
    assert got[1]["cosine"] == pytest.approx(float(v @ t[1]), abs=1e-5)
    assert got[2] == {}  # empty side: no embedding evidence


def test_annotate_keeps_aligner_features_and_adds_the_rest() -> None:
    base = make_alignment("parallel", evidence=False)
    links = list(base.links)
    links[0] = Link(links[0].src, links[0].tgt, links[0].score, {"cosine": 0.123, "margin": 9.0, "x": 1})
    al = Alignment(base.src, base.tgt, links, base.mode, base.signature)
    s, t = embeddings(len(AR), len(EN))
    out = annotate(al, src_emb=s, tgt_emb=t)
    f0 = out.links[0].features
    assert f0["cosine"] == 0.123 and f0["margin"] == 9.0 and f0["x"] == 1
    assert {"length_ratio", "numbers", "numbers_src", "numbers_tgt"} <= set(f0)
    assert "cosine" in out.links[1].features
    assert "cosine" not in out.links[2].features  # 1-0
    assert out.links[1].features["numbers"] == "differ"  # ٣٠ / ١٠٠ against 40 / 150
    assert [k.src for k in out.links] == [k.src for k in al.links]
    assert out.signature == al.signature


def test_a_translation_keeps_the_pairs_p_of_a_stretch_that_is_no_translation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop 51: in a translation every link gets the p of a link in a translation, but a stretch of
    links far below its neighbours (an untranslated preface forced into links) keeps its pairs' own
    p. A caller that annotates some links of a longer list (the review app, which places them with
    ``gap``) says which lie in such a stretch; without it none is taken."""
    import parallel.confidence as cf

    n = 60
    pair = np.full(n, 0.9)
    pair[:20] = 0.0144  # the front matter: pairs at the level of unrelated sentences
    monkeypatch.setattr(cf, "link_probabilities", lambda s_vec, *a, **k: pair[: len(s_vec)].copy())
    links = [Link((i,), (i,), 1.0) for i in range(n)]
    al = Alignment(make_doc([f"sentence {i}" for i in range(n)], "ar"), make_doc([f"sentence {i}" for i in range(n)], "en"),
                   tuple(links), "parallel", "model:test|mode:parallel", info={"translation": True})
    s, t = embeddings(n, n)
    got = np.array([k.features["p"] for k in annotate(al, src_emb=s, tgt_emb=t).links])
    mapped = cf.in_translation(pair)
    assert got[:20] == pytest.approx(pair[:20], abs=1e-4) and got[20:] == pytest.approx(mapped[20:], abs=1e-4)
    assert mapped[0] > 0.7  # what the front matter read before
    placed = annotate(al, src_emb=s, tgt_emb=t, gap=[False] * n, contest=[0.0] * n)
    assert [k.features["p"] for k in placed.links] == pytest.approx(mapped, abs=1e-4)
    told = annotate(al, src_emb=s, tgt_emb=t, gap=[False] * n, contest=[0.0] * n, untranslated=[True] * 20 + [False] * 40)
    assert [k.features["p"] for k in told.links] == pytest.approx(got, abs=1e-4)


def test_a_link_of_several_sentences_on_both_sides_reads_a_lower_p_in_a_translation(monkeypatch: pytest.MonkeyPatch) -> None:
    """annotate tells the map which links hold several sentences on both sides (2-2, 2-3, 3-2):
    with the same pair p and the same place, a 2-2 link reads less than a 1-2 link."""
    import parallel.confidence as cf

    monkeypatch.setattr(cf, "link_probabilities", lambda s_vec, *a, **k: np.full(len(s_vec), 0.9))
    links = (Link((0,), (0,), 1.0), Link((1, 2), (1, 2), 1.0), Link((3,), (3, 4), 1.0), Link((4,), (5,), 1.0))
    al = Alignment(make_doc([f"sentence {i}" for i in range(5)], "ar"), make_doc([f"sentence {i}" for i in range(6)], "en"),
                   links, "parallel", "model:test|mode:parallel", info={"translation": True})
    s, t = embeddings(5, 6)
    got = [k.features["p"] for k in annotate(al, src_emb=s, tgt_emb=t, gap=[False] * 4, contest=[0.0] * 4).links]
    assert got[1] < got[2] - 0.1 and got[2] == got[0] == got[3]


def test_annotate_without_embeddings_adds_text_features_only() -> None:
    out = annotate(make_alignment("parallel", evidence=False))
    for link in out.links:
        assert "cosine" not in link.features
        assert "length_ratio" in link.features
        assert set(link.features) <= set(FEATURES)


def test_feature_types_are_plain() -> None:
    for link in make_alignment("parallel").links:
        for key, value in link.features.items():
            assert type(value) in (float, str), (key, value)


def test_make_doc_offsets() -> None:
    doc = make_doc(["ab", "", "c"], "en")
    assert [doc.text[s.start:s.end] for s in doc.segments] == ["ab", "", "c"]


def test_align_documents_carries_evidence(seed_ar: Path, seed_en: Path) -> None:
    from parallel.api import align_documents, read_document

    al = align_documents(read_document(seed_ar), read_document(seed_en), mode="comparable")
    assert al.links
    for link in al.links:
        f = link.features
        assert -1.0 <= f["cosine"] <= 1.0
        assert f["margin"] > 0
        assert f["length_ratio"] > 0
        assert f["numbers"] in ("agree", "differ", "none")
        assert f["numbers_src"] == " ".join(extract_numbers(al.src_text(link)))


def test_margin_stays_bounded_when_a_sentence_resembles_nothing() -> None:
    """A sentence unlike every sentence of the other side (digits only, a symbol) has a
    neighbourhood mean at or below 0; its ratio margin is bounded, not -47942."""
    from parallel.evidence import MARGIN_FLOOR

    t = np.eye(4, 8, dtype=np.float32)
    odd = -np.ones((1, 8), dtype=np.float32) / np.sqrt(8)  # negative cosine with every target
    s = np.vstack([t[:3], odd])
    got = embedding_features([Link((3,), (3,)), Link((0,), (0,))], s, t, k=2)
    assert got[0]["cosine"] < 0
    assert -1 / MARGIN_FLOOR <= got[0]["margin"] < 0
    assert got[1]["margin"] > 1


@pytest.mark.parametrize(("src", "tgt", "verdict"), [
    # a list marker's or a code's number counts where the other side holds it too
    ("9. September 1988 , bei Tagesanbruch", "Au petit matin du 9 septembre 1988", "agree"),
    ("1. Die Expeditionen", "1. Les expéditions", "agree"),
    ("K2 und Broad Peak", "le K 2 et le Broad Peak", "agree"),
    ("السعودية - 15 قتيلا في حادث", "Saudi Arabia: 15 killed in a crash", "agree"),
    # ... and is no number where it does not
    ("3. The committee met", "اجتمعت اللجنة", "none"),
    ("COVID-19 cases rose by 30", "ارتفعت حالات كورونا بنسبة 30", "agree"),
    # stop 51: a verse of the Qur'an with its printed number against a translation that numbers
    # its verses (91 of 94 links of a sura read "differ": the mark was dropped, "(58)" counted)
    ("أُوْلَٰٓئِكَ ٱلَّذِينَ أَنۡعَمَ ٱللَّهُ عَلَيۡهِم ﴿٥٨﴾", "(58) Those were the ones upon whom Allah bestowed favor", "agree"),
    ("أُوْلَٰٓئِكَ ٱلَّذِينَ أَنۡعَمَ ٱللَّهُ عَلَيۡهِم ﴿٥٨﴾", "Those were the ones upon whom Allah bestowed favor", "none"),
    ("أولئك الذين أنعم الله عليهم", "[58] Those were the ones upon whom Allah bestowed favor", "none"),
])
def test_optional_numbers_count_where_both_sides_hold_them(src: str, tgt: str, verdict: str) -> None:
    assert numbers_agreement(src, tgt)[0] == verdict
    assert numbers_agreement(tgt, src)[0] == verdict


@pytest.mark.parametrize(("src", "tgt"), [
    ("توفي 20.000 شخص", "20,000 people died"),
    ("في الساعة 16:00 يوم 2020/04/11", "at 4 p.m. on 11 April 2020"),
    ("أكثر من 30،000 كوري", "more than 30,000 Koreans"),
])
def test_numbers_written_another_way_agree_in_the_confidence_features(src: str, tgt: str) -> None:
    """The p model's number features read digits the same way as the numbers column."""
    from parallel.confidence import text_evidence

    num_agree, num_differ, num_one = text_evidence(src, tgt)[:3]
    assert (num_agree, num_differ, num_one) == (1.0, 0.0, 0.0)
    assert text_evidence(src, tgt.replace("20,000", "2,000").replace("4 p.m.", "5 p.m.")
                         .replace("30,000", "3,000"))[1] > 0


@pytest.mark.parametrize(("text", "found"), [
    ("In May 2020 and on Jan. 5", {5, 1}),
    ("May I ask? The march went on; a Dec ruling", set()),      # capitalised, abbreviations by a number
    ("في 12 مارس", {3}), ("مارس 2020", {3}), ("مارس المتظاهرون ضغوطا", set()),  # مارس: a verb too
    ("أبريل 2021 مارس المتظاهرون", {4}),                        # a year before is no day
    ("قال جوان بويج", set()), ("في جوان 2020", {6}),           # a name, or June in Maghrebi Arabic
    ("تشرين الاول وكانون ثاني", {10, 1}),
])
def test_months(text: str, found: set[int]) -> None:
    from parallel.evidence import months

    assert months(text) == found


def test_full_width_digits_and_persian_and_urdu_scale_words_are_read() -> None:
    """Stop 49: "５．３％" was read as 5 and 3, and "۱۰ میلیون" as 10, so correct translations were
    marked `differ` and --drop-number-mismatch dropped them."""
    from parallel.evidence import numbers_agreement

    assert numbers_agreement("增长５．３％。", "grew by 5.3%.")[0] == "agree"
    assert numbers_agreement("１，０００人", "1,000 people")[0] == "agree"
    assert numbers_agreement("۱۰ میلیون دوز واکسن", "10 million doses")[0] == "agree"
    assert numbers_agreement("۳ میلیارد دلار", "3 billion dollars")[0] == "agree"
    assert numbers_agreement("2 لاکھ افراد", "200,000 people")[0] == "agree"
    assert numbers_agreement("۱۰ میلیون دوز", "10 doses")[0] == "differ"
