"""A calibrated probability ``p`` that the two sides of a link say the same thing.

``p`` is a logistic model over the evidence a link carries: its cosine, ratio and distance
margins, how the partner ranks in both directions (rank and gap to the best competitor, mutual
best or not), the lengths, whether the numbers, dates and names (Latin-script tokens and Arabic
transliterations of English names) agree, and, for a combination of encoders, each member's own
cosine. Among links with ``p`` about 0.8, about 80% are right (on the held-out data described in
``resources/confidence/README.md``; figures in ``docs/calibration.md``).

The parameters are fitted by ``scripts/fit_confidence.py`` (numpy only) and shipped as
``resources/confidence/<encoder>.json``, one file per encoder (cosines of different encoders
live on different scales); an encoder without its own file uses ``use-m3``'s.

Mining (:func:`select`) keeps mutual best pairs by ``p`` in rounds: pairs at or above ``min_p``
are taken, their sentences leave the pool, ranks and gaps are recomputed among what is left, and
pairs that become mutual best are scored again; on a haystack the pairs left stay below the bar.
Rounds are greedy: on a text that is sentence-for-sentence an early false pair takes a sentence
that a true pair needed. There (about as many sentences on both sides, most of them paired by the
rounds: :func:`one_to_one`) a one-to-one assignment of maximum total margin over each sentence's
best candidates (:mod:`parallel.assignment`: sparse, exact, numpy and the standard
library only) completes the selection: its pairs with ``p >= min_p`` replace the rounds' pairs
they conflict with. Its pairs are a population of their own (a sentence may get a partner that is
not its best), so their ``p`` has its own recalibration (``Model.assign_knots_*``).

Nothing here does I/O except reading the shipped parameters (once, lazily).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .assignment import assign, candidates
from .evidence import EN_MONTHS as _EN_MONTHS
from .normalize import length
from .schema import DEFAULT_MIN_P  # the bar lives with the pair's fields: the commands read it without numpy

#: Bands for colouring links (report, review app): ``high`` p >= 0.9, ``mid`` 0.5 <= p < 0.9,
#: ``low`` p < 0.5.
BANDS = (("high", 0.9), ("mid", 0.5), ("low", 0.0))

P_MEANING = ("p: estimated probability that the two sides say the same thing (calibrated: among links "
             "with p near 0.8, about 8 in 10 are right)")

FEATURES = (
    "cos", "margin_ratio", "margin_dist", "gap_fwd", "gap_bwd", "rank_fwd", "rank_bwd", "mutual",
    "len_dev", "coverage", "num_agree", "num_differ", "num_one_side", "date_agree", "date_differ",
    "name_match", "name_miss", "latin_match", "latin_miss", "member_min", "member_gap", "entity_match",
    "entity_one_side", "log_size", "gap_size", "margin_size",
)

_RANK_CAP = 30
#: ``len_dev`` (the absolute log length ratio) is capped here, as the other features are: its
#: weight is fitted on pairs whose ratio stays within a few times, and unbounded it let a line of
#: 300,000 characters (only its beginning embedded, cosine 0.01 with its "partner") reach p 0.72.
#: e^2.5: one side 12 times the other, beyond every true pair of the training and held-out
#: scenarios (99.9% of them under 1.95, the largest 2.23), so the fitted model is unchanged there.
LEN_DEV_CAP = 2.5
HEDGED_WEIGHT = 0.25
#: Two sides contradict each other's numbers when each holds a number in digits the other has no
#: partner for (not a hedged pair, "nearly 30" / "more than 40", nor a scale word on one side only,
#: and not a number only one side gives: an omission) and such numbers are at least this share of
#: the two sides' numbers (``num_differ``) ...
NUMBERS_DISAGREE = 0.5
#: ... and then the pair does not say the same thing, however alike its sentences read: its ``p``
#: is at most this (:func:`contradicting`). Of the 454 NTREX translation pairs with digits, two
#: contradict so, both a translator's slip (300 ألف for 30,000; 1197 for 1,127), and none of
#: Tatoeba's; of the candidates mining meets in the training scenarios, 2 of 67 with such a share
#: are true. The additive model let the similarity outweigh the numbers: a translation with one
#: number changed (800 and 497 dead against 800 and 511) kept p 0.85.
NUMBERS_DISAGREE_P = 0.05
#: The collection size that ``log_size`` (and the gap and margin read with it) is capped at: the
#: largest collection of the fit (Tatoeba's 500 training lines a side; the pooled training haystacks
#: hold 477-570). A larger collection reads as this one, as ``len_dev`` is capped: the weights are
#: not extrapolated to the millions of sentences :mod:`parallel.bigmine` meets.
SIZE_CAP = 500


def neighbours(k: int, n: int, m: int) -> int:
    """The ``k`` of the k-nearest-neighbour means (the margins' denominators) that the confidence
    model reads, for a collection of ``n`` x ``m`` sentences: ``k`` up to :data:`SIZE_CAP`
    sentences on the shorter side, beyond it as many as keep the same share of that side
    (``floor(k * size / SIZE_CAP)``: 8 among 1,000). The model was fitted on collections of up to
    about 500 a side, where the 4 nearest neighbours are the closest 0.8% of the other side; among
    1,000 they are the closest 0.4%, nearer, so every margin is smaller than any the model was
    fitted on, and its p too low (stop 60: haystacks of 1,057 a side, F1 0.878 -> 0.893). Below
    625 a side (every collection of the fit) the neighbourhood is ``k``."""
    size = min(n, m)
    return max(k, k * size // SIZE_CAP) if size > SIZE_CAP else k


def model_knn_means(src_emb: np.ndarray, tgt_emb: np.ndarray, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The documents' k-nearest-neighbour means as the confidence model reads them:
    :func:`parallel.mine.knn_means` with :func:`neighbours` ``(k, n, m)`` neighbours."""
    from .mine import knn_means

    return knn_means(src_emb, tgt_emb, neighbours(k, len(src_emb), len(tgt_emb)))


def band(p: float | None) -> str:
    """``high`` / ``mid`` / ``low`` for a probability (``none`` when there is none)."""
    if p is None or not math.isfinite(p):
        return "none"
    for name, lo in BANDS:
        if p >= lo:
            return name
    return "low"


# ----------------------------------------------------------------------------- model

@dataclass(frozen=True)
class Model:
    """Standardised logistic regression: ``p = sigmoid(b + w . (x - mean) / scale)``,
    followed by an optional monotone recalibration (``knots_x`` -> ``knots_y``, piecewise linear on
    the logit)."""

    encoder: str
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()
    assign_knots_x: tuple[float, ...] = ()
    assign_knots_y: tuple[float, ...] = ()

    def logit(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        return np.asarray(self.intercept + z @ self.coef)

    def predict(self, x: np.ndarray, assigned: bool = False) -> np.ndarray:
        """``x`` (r, len(names)) -> p (r,) in [0, 1]. ``assigned``: the pairs come from the one-to-one
        assignment (:func:`score_assignment`), a population of its own (pairs that are not each
        other's best, with negative gaps), recalibrated by its own knots when the model has them."""
        if len(x) == 0:
            return np.zeros(0)
        s = self.logit(x)
        kx, ky = (self.assign_knots_x, self.assign_knots_y) if assigned and self.assign_knots_x else \
            (self.knots_x, self.knots_y)
        if kx:
            s = np.interp(s, kx, ky)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(s, -40, 40))))

    def to_json(self, info: dict[str, Any] | None = None) -> str:
        data = {"encoder": self.encoder, "features": list(self.names),
                "mean": [round(float(v), 6) for v in self.mean],
                "scale": [round(float(v), 6) for v in self.scale],
                "coef": [round(float(v), 6) for v in self.coef],
                "intercept": round(float(self.intercept), 6),
                "knots_x": [round(float(v), 6) for v in self.knots_x],
                "knots_y": [round(float(v), 6) for v in self.knots_y],
                "assign_knots_x": [round(float(v), 6) for v in self.assign_knots_x],
                "assign_knots_y": [round(float(v), 6) for v in self.assign_knots_y],
                "info": info or {}}
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"

    @staticmethod
    def from_json(text: str) -> Model:
        d = json.loads(text)
        return Model(d["encoder"], tuple(d["features"]), np.array(d["mean"]), np.array(d["scale"]),
                     np.array(d["coef"]), float(d["intercept"]), tuple(d.get("knots_x", ())),
                     tuple(d.get("knots_y", ())), tuple(d.get("assign_knots_x", ())),
                     tuple(d.get("assign_knots_y", ())))


def model_file(encoder: str) -> str:
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", encoder) + ".json"


@lru_cache(maxsize=8)
def load_model(encoder: str = "use-m3") -> Model:
    """The shipped model for ``encoder`` (``use-m3``'s when it has none of its own, with a note).

    A combination is the same encoder whatever the order of its members (the same cosines, and
    the member features are a min and a spread), so ``e5-small+use-m3`` gets the model of
    ``use-m3+e5-small``."""
    import itertools

    folder = resources.files("parallel") / "resources" / "confidence"
    parts = encoder.split("+")
    names = [model_file("+".join(order)) for order in itertools.permutations(parts)] if len(parts) <= 4 \
        else [model_file(encoder)]
    for name in names:
        f = folder / name
        if f.is_file():
            return Model.from_json(f.read_text(encoding="utf-8"))
    f = folder / model_file("use-m3")
    if not f.is_file():
        raise FileNotFoundError(f"no confidence model in {folder}")
    from .errors import NOTE

    note = NOTE.get()
    if note is not None:
        note(f"no confidence model was fitted for {encoder}: p uses use-m3's "
             "(the source repository's scripts/fit_confidence.py fits one; until then read p as a ranking, not a calibrated probability)")
    return Model.from_json(f.read_text(encoding="utf-8"))


def encoder_name(encoder: Any) -> str:
    """The registry name of an encoder object (``use-m3``, ``use-m3+e5-small``, ...) or of a name."""
    if isinstance(encoder, str):
        return encoder
    name = getattr(encoder, "name", None)
    return str(name) if name else "use-m3"


# ----------------------------------------------------------------------------- text evidence

_AR_WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'’\-]*")
_AR_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ك", "ف")


# Consonant skeletons for matching English names with their Arabic transliterations.
_AR_SKEL = {
    "ب": "b", "ت": "t", "ث": "s", "ج": "g", "ح": "", "خ": "k", "د": "d", "ذ": "z", "ر": "r", "ز": "s",
    "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "g", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "", "ة": "", "پ": "b", "ڤ": "f", "گ": "g", "چ": "s",
}
_EN_DIGRAPHS = (("sch", "s"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("kh", "k"), ("gh", "g"),
                ("ph", "f"), ("ck", "k"), ("dj", "g"), ("ts", "s"), ("tz", "s"), ("x", "ks"), ("qu", "k"))
_EN_SKEL = {"b": "b", "p": "b", "t": "t", "d": "d", "s": "s", "z": "s", "c": "k", "k": "k", "q": "k",
            "g": "g", "j": "g", "f": "f", "v": "f", "l": "l", "m": "m", "n": "n", "r": "r"}
_STOP_CAPS = {
    "the", "a", "an", "in", "on", "at", "for", "and", "but", "or", "of", "to", "this", "that", "these",
    "those", "it", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "its",
    "mr", "mrs", "ms", "dr", "there", "when", "if", "as", "after", "before", "while", "with", "by",
    "from", "what", "who", "how", "why", "where", "which", "is", "are", "was", "were", "do", "does",
    "did", "not", "no", "yes", "so", "all", "some", "one", "two", "also", "however", "according",
    # words that open a sentence (their capital is spelling) and contractions
    "more", "most", "many", "much", "maybe", "perhaps", "instead", "hundreds", "thousands", "dozens",
    "millions", "several", "both", "each", "every", "other", "others", "another", "now", "then", "here",
    "still", "yet", "even", "just", "only", "meanwhile", "earlier", "later", "today", "yesterday",
    "tomorrow", "last", "next", "first", "finally", "thus", "although", "though", "because", "since",
    "until", "unless", "whether", "despite", "during", "without", "within", "among", "between",
    "through", "over", "under", "about", "against", "around", "across", "once", "twice",
    "speaking", "asked", "told", "said", "says", "will", "would", "could", "should", "can", "may",
    "might", "must", "have", "has", "had", "been", "being", "be", "let", "please", "thank", "thanks",
    "it's", "i'm", "i've", "i'd", "i'll", "we're", "we've", "we'll", "they're", "they've", "you're",
    "you've", "he's", "she's", "that's", "there's", "what's", "let's", "don't", "didn't", "doesn't",
    "isn't", "wasn't", "aren't", "can't", "won't",
}

# Capitalised words that are titles, institutions, directions, days and other common nouns of names
# ("North Korea", "the Supreme Court", "Sunday"): Arabic translates them rather than writing their
# sound, so no transliteration finds them. A word here is found where the Arabic holds one of its
# translations (a word beginning with the stem, clitics aside), and otherwise counts neither as
# found nor as missing: a translation may render it another way or leave it out.
_TITLES: dict[str, tuple[str, ...]] = {
    "north": ("شمال",), "northern": ("شمال",), "south": ("جنوب",), "southern": ("جنوب",),
    "east": ("شرق",), "eastern": ("شرق",), "west": ("غرب",), "western": ("غرب",),
    "president": ("رئيس", "رئاس"), "presidential": ("رئاس",), "prime": ("رئيس",),
    "minister": ("وزير", "وزراء", "وزار"), "ministry": ("وزار",), "secretary": ("وزير", "أمين", "امين", "سكرتير"),
    "foreign": ("خارج",), "affairs": ("شؤون", "شئون"), "court": ("محكم",), "supreme": ("عليا", "أعلى", "اعلى"),
    "senate": ("شيوخ",), "senator": ("شيوخ", "سيناتور"), "house": ("مجلس", "بيت"), "white": ("أبيض", "ابيض", "بيض"),
    "representatives": ("نواب",), "committee": ("لجن",), "commission": ("لجن", "مفوضي"), "council": ("مجلس",),
    "national": ("وطني", "قومي"), "international": ("دولي",), "united": ("متحد",), "states": ("ولايات", "دول"),
    "state": ("ولاي", "دول"), "nations": ("أمم", "امم"), "kingdom": ("مملك",), "republic": ("جمهوري",),
    "party": ("حزب",), "army": ("جيش",), "navy": ("بحري",), "police": ("شرط",),
    "department": ("وزار", "قسم", "دائر", "إدار", "ادار"), "agency": ("وكال",), "organization": ("منظم",),
    "organisation": ("منظم",), "health": ("صحة", "صحي"), "world": ("عالم",), "global": ("عالم",),
    "cup": ("كأس", "كاس"), "league": ("دوري",), "university": ("جامع",), "school": ("مدرس",),
    "island": ("جزير",), "islands": ("جزر",), "city": ("مدين",), "county": ("مقاطع",), "security": ("أمن", "امن"),
    "union": ("اتحاد",), "central": ("مركزي",), "bank": ("بنك", "مصرف"), "office": ("مكتب",),
    "center": ("مركز",), "centre": ("مركز",), "development": ("تنمي",), "cooperation": ("تعاون",),
    "federal": ("فيدرالي", "اتحادي"), "justice": ("عدل",), "labour": ("عمال",), "labor": ("عمال", "عمل"),
    "conservative": ("محافظ",), "conservatives": ("محافظ",), "emergency": ("طوارئ",), "disaster": ("كارث",),
    "research": ("بحث", "أبحاث", "ابحاث"), "institute": ("معهد",), "foundation": ("مؤسس",),
    "forces": ("قوات",), "guard": ("حرس",), "coast": ("ساحل", "سواحل"), "river": ("نهر",), "sea": ("بحر",),
    "ocean": ("محيط",), "street": ("شارع",), "hospital": ("مستشف",), "church": ("كنيس",),
    "mosque": ("مسجد", "جامع"), "god": ("الله", "إله", "اله"), "general": ("جنرال",),
    "sunday": ("أحد", "احد"), "monday": ("اثنين", "إثنين"), "tuesday": ("ثلاثاء",), "wednesday": ("أربعاء", "اربعاء"),
    "thursday": ("خميس",), "friday": ("جمع",), "saturday": ("سبت",),
    "republican": ("جمهوري",), "democrat": ("ديمقراط", "ديموقراط"), "democratic": ("ديمقراط", "ديموقراط"),
}


def _squeeze(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def _en_skeleton(word: str) -> str:
    w = word.lower()
    w = re.sub(r"c(?=[eiy])", "s", w)
    for a, b in _EN_DIGRAPHS:
        w = w.replace(a, b)
    return _squeeze("".join(_EN_SKEL.get(c, "") for c in w))


def _ar_letters(text: str) -> set[str]:
    """Consonant skeletons of Arabic letters: as written, and with تش / تس read as one sound
    (the "ch" of Chinese, Zhong -> تشونغ; the "ts" or "z" of Zeng -> تسنغ), as the English
    skeleton reads ch, ts and tz."""
    readings = {text}
    for pair in ("تش", "تس"):  # each read as one sound on its own and together (ماساتشوستس)
        readings |= {r.replace(pair, pair[1]) for r in readings if pair in r}
    return {_squeeze("".join(_AR_SKEL.get(c, "") for c in r)) for r in readings}


def _without_clitics(word: str) -> tuple[str, ...]:
    """An Arabic word as written, and without each clitic of :data:`_AR_PREFIXES` it may carry
    (two letters or more left)."""
    return (word, *(word[len(pre):] for pre in _AR_PREFIXES if word.startswith(pre) and len(word) - len(pre) >= 2))


@lru_cache(maxsize=1 << 16)
def _ar_skeletons(word: str) -> frozenset[str]:
    """Consonant skeletons of an Arabic word, with and without its clitics and nisba or plural
    endings (cached: the same words come back in every candidate pair of a collection)."""
    out: set[str] = set()
    for core in _without_clitics(word):
        for suf in ("", "ي", "ية", "يين", "يون", "ون", "ين", "ها"):
            if core.endswith(suf) and len(core) - len(suf) >= 2:
                stem = core[:len(core) - len(suf)] if suf else core
                out |= _ar_letters(stem)
    return frozenset(s for s in out if s)


#: Longest Arabic word (letters) taken as one syllable of a name written in several words.
_SYLLABLE = 6


@lru_cache(maxsize=1 << 13)
def _ar_runs(ar: str) -> frozenset[str]:
    """Skeletons of runs of two or three adjacent short Arabic words read as one: Arabic writes a
    Chinese (or Korean, Vietnamese) given name syllable by syllable (Jinping -> جين بينغ, Keqiang
    -> كه تشيانغ), so the English name is the run's letters, not any one word's. Matched exactly
    only: a run is no word, and near matches among runs are chance."""
    words = _AR_WORD.findall(ar)
    out: set[str] = set()
    for k in range(len(words) - 1):
        for size in (2, 3):
            run = words[k:k + size]
            if len(run) == size and all(len(w) <= _SYLLABLE for w in run):
                for head in _ar_skeletons(run[0]) | _ar_letters(run[0]):
                    for tail in _ar_letters("".join(run[1:])):
                        out.add(_squeeze(head + tail))
    return frozenset(s for s in out if len(s) >= 3)


@lru_cache(maxsize=1 << 13)
def _ar_word_skeletons(ar: str) -> frozenset[str]:
    """Every skeleton of every Arabic word of ``ar`` (:func:`_ar_skeletons`), once per text."""
    out: set[str] = set()
    for w in _AR_WORD.findall(ar):
        out |= _ar_skeletons(w)
    return frozenset(out)


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 3:
        return False
    if abs(len(a) - len(b)) > 1:
        return False
    # edit distance <= 1
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1:] == short for k in range(len(long_)))


# A possessive ending: the name of "China's" is China.
_POSSESSIVE = re.compile(r"['’]s$")


def _compounds(en: str) -> dict[str, tuple[str, ...]]:
    """Each capitalised word of ``en`` -> the skeletons of the word joined with the capitalised word
    before and the one after it (a space between): Arabic writes some names of two words as one
    (New York: نيويورك), so "York" alone finds nothing."""
    words = [(m.start(), m.end(), _POSSESSIVE.sub("", m.group(0)).strip("'’-")) for m in _LATIN_WORD.finditer(en)]
    out: dict[str, tuple[str, ...]] = {}
    for (_, e0, a), (s1, _, b) in itertools.pairwise(words):
        if a[:1].isupper() and b[:1].isupper() and en[e0:s1] == " ":
            joined = _en_skeleton(a + b)
            out[b] = (*out.get(b, ()), joined)
            out[a] = (*out.get(a, ()), joined)
    return out


def _names(en: str) -> list[tuple[str, bool]]:
    """Capitalised English words that are likely names (not function words or short acronyms), each
    with whether it opens a sentence (first word, or after . ! ? : ;, quotes aside)."""
    out = []
    for m in _LATIN_WORD.finditer(en):
        w = _POSSESSIVE.sub("", m.group(0)).strip("'’-")
        if len(w) < 3 or not w[0].isupper() or w.lower() in _STOP_CAPS or w.lower() in _EN_MONTHS:
            continue
        if (w.isupper() and len(w) <= 5) or (w.endswith("s") and w[:-1].isupper() and len(w) <= 6):
            continue  # acronyms (and their plurals) are translated (WHO -> منظمة الصحة العالمية, MPs)
        before = en[max(0, m.start() - 40):m.start()].rstrip(" \t\"'“‘«(")  # not the whole text before it
        out.append((w, not before or before[-1] in ".!?:;"))
    return out


# English demonyms and adjectives of place (Chinese, Indonesian, Spanish, Iraqi): the Arabic
# side writes the place with a nisba suffix that is stripped there (الصينية -> صين).
_EN_DEMONYM = re.compile(r"(?:ese|ians?|ans?|ish|i)$")


def _ordinary_opener(word: str) -> bool:
    """A capitalised word opening a sentence that has the shape of an adverb or a participle
    (Specifically, Connected, Reportedly): its capital is spelling, it names nothing."""
    w = word.lower()
    return len(w) >= 6 and w.endswith(("ly", "ed"))


def _name_skeletons(word: str) -> set[str]:
    """Consonant skeletons of an English name and, for a demonym, of its stem."""
    out = {_en_skeleton(word)}
    stem = _EN_DEMONYM.sub("", word.lower())
    if len(stem) >= 3 and stem != word.lower():
        out.add(_en_skeleton(stem))
    return out


_PINYIN = re.compile(r"(?:x|q)(?=[iu])|zh|c(?=[aeiou])", re.IGNORECASE)


def _pinyin(word: str) -> set[str]:
    """The skeleton of a name read as pinyin, where x and q before i or u are the sh and ch
    sounds, zh is j and c is ts (Xinhua -> شينخوا, Keqiang -> كه تشيانغ); empty for a word without
    those letters. Matched exactly against runs of Arabic words only (:func:`_ar_runs`)."""
    if not _PINYIN.search(word):
        return set()
    read = _PINYIN.sub(lambda m: {"x": "sh", "q": "ch", "zh": "j", "c": "ts"}[m.group(0).lower()], word.lower())
    return {_en_skeleton(read)}


def _title_found(word: str, ar: str) -> bool | None:
    """For a word of :data:`_TITLES` (or its plural): whether the Arabic ``ar`` holds one of its
    translations; None for any other word."""
    w = word.lower()
    stems = _TITLES.get(w) or (_TITLES.get(w[:-1]) if w.endswith("s") else None)
    if stems is None:
        return None
    return any(core.startswith(stems) for core in _ar_cores(ar))


@lru_cache(maxsize=1 << 13)
def _ar_cores(ar: str) -> tuple[str, ...]:
    """The Arabic words of ``ar``, each as written and without each clitic it may carry."""
    return tuple(core for w in _AR_WORD.findall(ar) for core in _without_clitics(w))


# A bound or an approximation before a number ("more than 100", "nearly 30", "أكثر من 100"):
# two such numbers that differ need not contradict each other (reports of a count at different
# times, "more than 150" implies "more than 100"), so they count as half a disagreement.
_HEDGE = re.compile(
    r"(?:more than|over|at least|nearly|almost|about|around|approximately|roughly|some|up to|"
    r"أكثر من|اكثر من|ما يزيد عن|ما يزيد على|ما يقرب من|ما يقارب|قرابة|نحو|حوالي|حوالى|زهاء|"
    r"أزيد من|لا يقل عن)\s*$", re.IGNORECASE)


def numbers_split(text: str) -> tuple[set[str], set[str], dict[str, str]]:
    """The numbers of ``text`` (normalised as in :func:`parallel.evidence.extract_numbers`):
    ``(exact, hedged, written)``, hedged ones preceded by a bound or an approximation, and each
    number -> its digits as written, before a scale word multiplied them (``1.5 million`` ->
    ``1.5``). Only digits count here (list markers, codes such as COVID-19 ... are none, see
    :func:`parallel.evidence.extract_numbers`); :func:`text_evidence` matches the numbers left
    without a partner against the other side's number words."""
    from .evidence import scan_numbers

    text, found = scan_numbers(text)
    exact: set[str] = set()
    hedged: set[str] = set()
    written: dict[str, str] = {}
    for start, value, digits in found:
        (hedged if _HEDGE.search(text[max(0, start - 24):start]) else exact).add(value)
        written[value] = digits
    return exact, hedged, written


# Places and organisations that a translation names on both sides (English pattern, Arabic
# pattern); the Arabic side is matched after stripping a clitic prefix (و, ب, ل, ال ...).
_ENTITIES = (
    (r"chin(?:a|ese)", "الصين|صين"), (r"united states|u\.?s\.?a?\b|america(?:n|ns)?", "الولايات المتحدة|أمريك|امريك|أميرك"),
    (r"russia(?:n|ns)?", "روسي"), (r"britain|british|u\.?k\.?\b|united kingdom|england|english", "بريطاني|المملكة المتحدة|انجلتر|إنجلتر|إنكلتر"),
    (r"france|french", "فرنس"), (r"german(?:y|s)?", "ألماني|المانيا|الألمان"), (r"ital(?:y|ian)", "إيطالي|ايطالي"),
    (r"spain|spanish", "إسبان|اسبان"), (r"japan(?:ese)?", "الياب|ياباني"), (r"korea(?:n|ns)?", "كوري"),
    (r"india(?:n|ns)?", "الهند|هندي"), (r"iran(?:ian)?", "إيران|ايران"), (r"iraq(?:i)?", "العراق|عراقي"),
    (r"syria(?:n)?", "سوري"), (r"egypt(?:ian)?", "مصر"), (r"saudi", "السعودي"), (r"turk(?:ey|ish)", "تركي"),
    (r"israel(?:i)?", "إسرائيل|اسرائيل"), (r"palestin", "فلسطين"), (r"indonesia(?:n)?", "إندونيسي|اندونيسي"),
    (r"mexic(?:o|an)", "المكسيك|مكسيكي"), (r"canad(?:a|ian)", "كند"), (r"austral", "أسترالي|استرالي"),
    (r"brazil", "البرازيل|برازيلي"), (r"africa(?:n)?", "أفريقي|افريقي|إفريقي"), (r"europe(?:an)?|\beu\b", "أوروب|اوروب"),
    (r"asia(?:n)?", "آسي|اسيا"), (r"wuhan", "ووهان"), (r"hubei", "هوبي"), (r"beijing", "بكين"),
    (r"london", "لندن"), (r"paris", "باريس"), (r"washington", "واشنطن"), (r"moscow", "موسكو"),
    (r"\bwho\b|world health organi[sz]ation", "منظمة الصحة العالمية"), (r"united nations|\bun\b|\bu\.n\.", "الأمم المتحدة"),
    (r"covid|coronavirus", "كوفيد|كورونا"), (r"trump", "ترامب"), (r"obama", "أوباما|اوباما"),
    # places and peoples Arabic names in its own way (exonyms), for names not found by their sound
    (r"gree(?:ce|ks?)", "اليونان|يوناني"), (r"austria(?:n|ns)?", "النمسا|نمساوي"), (r"hungar(?:y|ian)", "المجر|مجري|هنغاري"),
    (r"netherlands|dutch|holland", "هولند"), (r"swi(?:ss|tzerland)", "سويسر"), (r"morocc(?:o|an)", "المغرب|مغربي"),
    (r"algeria(?:n)?", "الجزائر|جزائري"), (r"cypr(?:us|iot)", "قبرص"), (r"jerusalem", "القدس"),
    (r"pacific", "الهادئ|الهادي|الباسيفيك"), (r"mediterranean", "المتوسط"), (r"gulf", "الخليج"),
    (r"scot(?:land|tish|s)", "سكتلند|اسكتلند|إسكتلند|أسكتلند"), (r"ir(?:eland|ish)", "أيرلند|ايرلند|إيرلند"),
    (r"wel(?:sh|es)", "ويلز"), (r"arab(?:s|ic|ia|ian)?", "عرب"), (r"(?:islam|muslim)", "إسلام|اسلام|مسلم"),
    (r"christian", "مسيح"), (r"jew(?:s|ish)?", "يهود"),
)
_ENT_EN = [re.compile(r"(?<![A-Za-z])(?:" + e + ")", re.IGNORECASE) for e, _ in _ENTITIES]
_ENT_AR = [re.compile("(?:" + a + ")") for _, a in _ENTITIES]


def _exonym_found(word: str, ar: str) -> bool:
    """Whether ``word`` names a place or a people of :data:`_ENTITIES` (Germany, Greek, Beijing)
    that the Arabic ``ar`` names too, as Arabic writes it (ألمانيا, اليونان, بكين: no transliteration)."""
    return any(pe.match(word) and pa.search(ar) for pe, pa in zip(_ENT_EN, _ENT_AR, strict=True))


def entities(text: str, arabic: bool) -> set[int]:
    """Indices of the :data:`_ENTITIES` named in ``text``."""
    pats = _ENT_AR if arabic else _ENT_EN
    if arabic:
        return {n for n, p in enumerate(pats) if p.search(text)}
    return {n for n, p in enumerate(pats) if p.search(text) and not (n == 1 and re.search(r"\bUS\b|\bus\b", text) and not re.search(r"\bU\.?S\b", text))}


#: Characters of each text that :func:`text_evidence` reads: far more than any sentence holds (the
#: encoder reads 2,000), so that a "sentence" of megabytes (a file with no line break) costs
#: seconds, not minutes.
EVIDENCE_CHARS = 20_000


def text_evidence(src: str, tgt: str) -> list[float]:
    """Number, date, name and Latin-token agreement of two texts (any side may be Arabic).

    Numbers (:func:`numbers_split`): ``num_agree`` 1 when every number in digits of either side
    has a partner on the other, in digits or written as words
    (:func:`parallel.evidence.resolved_by_words`: "3 people" / "ثلاثة أشخاص"); else ``num_differ``,
    the share of the numbers left without one (a hedged pair or a scale word on one side only
    weighing :data:`HEDGED_WEIGHT`) when both sides have digits, or ``num_one_side`` (up to three
    numbers left, over 3) when one side has none.

    English names are also matched through their demonyms (Chinese -> الصين); a capitalised
    adverb or participle opening a sentence is no name (it counts neither as found nor as missing)."""
    from .evidence import months

    src, tgt = _as_read(src), _as_read(tgt)
    num_agree, num_differ, num_one, _ = _number_evidence(src, tgt)
    ma, mb = months(src), months(tgt)
    date_agree = float(bool(ma) and ma == mb)
    date_differ = float(bool(ma) and bool(mb) and not (ma & mb))
    ar, en = (src, tgt) if _AR_WORD.search(src) and not _AR_WORD.search(tgt) else (tgt, src)
    name_match = name_miss = latin_match = latin_miss = 0.0
    if _AR_WORD.search(ar) and not _AR_WORD.search(en):
        names = _names(en)
        if names:
            compounds = _compounds(en)
            skels = _ar_word_skeletons(ar)
            runs: frozenset[str] | None = None  # made when a name is not found word by word
            latin_ar = {w.lower() for w in _LATIN_WORD.findall(ar)}
            hit, miss = 0.0, 0
            # what each name's search found, (hit, missing), looked for once however often it is said
            seen: dict[str, tuple[float, bool]] = {}
            for nm, initial in names:
                if nm not in seen:
                    title = _title_found(nm, ar)
                    if title is not None:  # translated, not transliterated: found, or no evidence
                        seen[nm] = (float(title), False)
                    else:
                        own = _name_skeletons(nm)
                        found = nm.lower() in latin_ar or any(len(sk) >= 2 and any(_close(sk, s) for s in skels)
                                                              for sk in own)
                        if not found:
                            runs = _ar_runs(ar) if runs is None else runs
                            found = bool((own | _pinyin(nm)) & runs)
                        if not found:  # a place Arabic names its own way, or a name of two words written as one
                            found = _exonym_found(nm, ar) or any(_close(joined, s) for joined in compounds.get(nm, ())
                                                                 for s in skels)
                        # under two consonants (Ohio -> h): nothing to look for, neither found nor missing
                        seen[nm] = (1.0, False) if found else (0.0, max(len(sk) for sk in own) >= 2)
                found_, missing = seen[nm]
                hit += found_
                if missing and not (initial and _ordinary_opener(nm)):
                    miss += 1
            if hit + miss:
                name_match = hit / (hit + miss)
                name_miss = min(miss, 3) / 3
        latin = [w for w in _LATIN_WORD.findall(ar) if len(w) >= 2]
        if latin:
            en_low = en.lower()
            hit = sum(w.lower() in en_low for w in latin)
            latin_match = hit / len(latin)
            latin_miss = min(len(latin) - hit, 3) / 3
    ent_match = ent_one = 0.0
    if _AR_WORD.search(ar) and not _AR_WORD.search(en):
        ea_, ee_ = entities(ar, True), entities(en, False)
        if ea_ or ee_:
            ent_match = len(ea_ & ee_) / len(ea_ | ee_)
            ent_one = min(len(ea_ ^ ee_), 3) / 3
    return [num_agree, num_differ, num_one, date_agree, date_differ, name_match, name_miss,
            latin_match, latin_miss, ent_match, ent_one]


def _as_read(text: str) -> str:
    """``text`` as the evidence reads it: text copied out of a PDF writes Arabic letters in their
    presentation forms (ﺍﻟﺼﻴﻦ: الصين), read as letters; a "sentence" of megabytes (a file with no
    line breaks) is read as far as any sentence goes (:data:`EVIDENCE_CHARS`)."""
    from .normalize import presentation_forms_as_letters

    return presentation_forms_as_letters(text[:EVIDENCE_CHARS])


def _number_evidence(src: str, tgt: str) -> tuple[float, float, float, bool]:
    """``(num_agree, num_differ, num_one_side, contradict)`` of two texts as :func:`text_evidence`
    reads them (:func:`_as_read`);
    ``contradict``: each side holds a number the other has no partner for, neither hedged nor a
    scale word on one side only, and ``num_differ`` is at least :data:`NUMBERS_DISAGREE`."""
    from .evidence import unmatched, with_optional

    ea, ha, wa = numbers_split(src)
    eb, hb, wb = numbers_split(tgt)
    a, b = with_optional(ea | ha, eb | hb, src, tgt)  # a list marker or a code counts where both hold it
    if not a and not b:
        return 0.0, 0.0, 0.0, False
    # a number in digits with no digit partner is matched when the other side writes it as
    # words ("3 people" / "ثلاثة أشخاص") or its digits another way (20.000 / 20,000, 16:00 /
    # 4 p.m.); words alone make no numbers
    lone_a, lone_b = unmatched(a, b, src, tgt)
    if not lone_a and not lone_b:
        return 1.0, 0.0, 0.0, False
    if not (a and b):
        return 0.0, 0.0, min(len(lone_a or lone_b), 3) / 3, False
    # a number disagrees when it has no counterpart on the other side, unless it is a
    # hedged number and the other side has a hedged number too
    soft = (ha & lone_a) | (hb & lone_b) if ha & lone_a and hb & lone_b else set()
    # the same digits with a scale word on one side only (1.5 against 1.5 million): a
    # scale dropped or added in translation, half a disagreement like a hedged count
    as_written_a = {wa.get(v, v) for v in lone_a}
    as_written_b = {wb.get(v, v) for v in lone_b}
    soft |= {v for v in lone_a if wa.get(v, v) in as_written_b}
    soft |= {v for v in lone_b if wb.get(v, v) in as_written_a}
    num_differ = (len((lone_a | lone_b) - soft) + HEDGED_WEIGHT * len(soft)) / len(a | b)
    contradict = bool(lone_a - soft) and bool(lone_b - soft) and num_differ >= NUMBERS_DISAGREE
    return 0.0, num_differ, 0.0, contradict


_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")


def contradicting(p: np.ndarray, src_texts: Sequence[str], tgt_texts: Sequence[str]) -> np.ndarray:
    """``p`` (r,) of r pairs with the p of each pair whose numbers contradict each other
    (:func:`_number_evidence`) at most :data:`NUMBERS_DISAGREE_P`: "30 and 100" against "40 and
    150" is the same topic, not the same statement."""
    out = np.asarray(p, dtype=np.float64).copy()
    for n, (a, b) in enumerate(zip(src_texts, tgt_texts, strict=True)):
        if not (_DIGIT.search(a[:EVIDENCE_CHARS]) and _DIGIT.search(b[:EVIDENCE_CHARS])):
            continue  # a contradiction needs digits on both sides (most sentences have none)
        if _number_evidence(_as_read(a), _as_read(b))[3]:
            out[n] = min(out[n], NUMBERS_DISAGREE_P)
    return out


# ----------------------------------------------------------------------------- pair features

def feature_rows(cos: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray, gap_fwd: np.ndarray,
                 gap_bwd: np.ndarray, rank_fwd: np.ndarray, rank_bwd: np.ndarray,
                 src_texts: Sequence[str], tgt_texts: Sequence[str],
                 members: np.ndarray | None = None, coverage: float = 0.0, *, size: float) -> np.ndarray:
    """Feature matrix (r, len(FEATURES)) for r pairs.

    ``cos`` (r,) cosines; ``knn_src``/``knn_tgt`` (r,) mean cosine of each side's k nearest
    neighbours in the other document; ``gap_fwd`` (r,) distance margin of the pair minus the best
    margin of the source with any other target (positive: the target is the source's best),
    ``gap_bwd`` the same from the target; ``rank_*`` (r,) how many candidates beat the partner;
    ``members`` (r, e) each member encoder's cosine for a combination (else None);
    ``coverage`` the document pair's :func:`coverage`; ``size`` its shorter side's number of
    sentences (capped at :data:`SIZE_CAP`).

    What a gap or a margin means depends on how many candidates a sentence meets: among the ten
    sentences of a comparable document a neighbour whose partner was dropped stands out from the
    rest by as much as a translation does among a thousand (the k nearest neighbours are most of the
    document, the runner-up is one of few). ``log_size`` and the smaller gap and the distance margin
    each multiplied by it let the model read them by the collection's size.
    """
    r = len(cos)
    x = np.zeros((r, len(FEATURES)), dtype=np.float64)
    denom = (knn_src + knn_tgt) / 2
    x[:, 0] = cos
    x[:, 1] = cos / np.where(np.abs(denom) < 1e-6, 1e-6, denom)
    x[:, 1] = np.clip(x[:, 1], 0.0, 3.0)
    x[:, 2] = cos - denom
    x[:, 3] = np.clip(gap_fwd, -0.3, 0.3)
    x[:, 4] = np.clip(gap_bwd, -0.3, 0.3)
    x[:, 5] = np.log1p(np.minimum(rank_fwd, _RANK_CAP))
    x[:, 6] = np.log1p(np.minimum(rank_bwd, _RANK_CAP))
    x[:, 7] = (rank_fwd == 0) & (rank_bwd == 0)
    x[:, 9] = coverage
    for n in range(r):
        ls, lt = length(src_texts[n]), length(tgt_texts[n])  # Arabic marks not counted
        x[n, 8] = min(abs(math.log((lt + 8) / (ls + 8))), LEN_DEV_CAP)
        ev = text_evidence(src_texts[n], tgt_texts[n])
        x[n, 10:19] = ev[:9]
        # ev[9:] (places and organisations named on one side only): measured and left out, they
        # cost more on comparable documents than they gained on translations (docs/calibration.md)
    if members is not None and members.shape[1] >= 2:
        x[:, 19] = members.min(axis=1)
        x[:, 20] = members.max(axis=1) - members.min(axis=1)
    else:
        x[:, 19] = cos
    log_size = math.log(min(max(float(size), 1.0), SIZE_CAP))
    x[:, 23] = log_size
    x[:, 24] = np.minimum(x[:, 3], x[:, 4]) * log_size
    x[:, 25] = x[:, 2] * log_size
    return x


#: Output size of the encoders a combination can hold (``A+B`` concatenates their blocks).
MEMBER_DIMS = {"use-m3": 512, "e5-small": 384}


def member_cosines(encoder: Any, src_vecs: np.ndarray, tgt_vecs: np.ndarray) -> np.ndarray | None:
    """Each member's cosine (r, e) of paired rows of a combination's vectors (``use-m3+e5-small``:
    each member's block is a scaled unit vector, :class:`parallel.embed.Combined`), None for a
    single encoder or an unknown member."""
    parts = encoder_name(encoder).split("+")
    if len(parts) < 2 or any(p not in MEMBER_DIMS for p in parts):
        return None
    dims = [MEMBER_DIMS[p] for p in parts]
    if sum(dims) != src_vecs.shape[1]:
        return None
    out = np.zeros((len(src_vecs), len(dims)))
    a = 0
    for e, d in enumerate(dims):
        s, t = src_vecs[:, a:a + d].astype(np.float64), tgt_vecs[:, a:a + d].astype(np.float64)
        ns = np.maximum(np.linalg.norm(s, axis=1), 1e-12)
        nt = np.maximum(np.linalg.norm(t, axis=1), 1e-12)
        out[:, e] = np.einsum("ij,ij->i", s, t) / ns / nt
        a += d
    return out


# ----------------------------------------------------------------------------- mining by p

_BLOCK = 2_000_000  # similarity cells computed at once


def _side_best(a_emb: np.ndarray, b_emb: np.ndarray, knn_a: np.ndarray, knn_b: np.ndarray,
               rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among ``rows`` x ``cols`` (ids into a/b), by distance margin: each row's best column (an id)
    and the gap between its best and second-best margin (0.3 when there is one column).
    Memory bounded by blocks of rows."""
    best = np.full(len(rows), -1, dtype=np.int64)
    gap = np.full(len(rows), 0.3)
    if len(cols) == 0:
        return best, gap
    bt = b_emb[cols]
    kb = knn_b[cols]
    step = max(1, _BLOCK // len(cols))
    for a in range(0, len(rows), step):
        rr = rows[a:a + step]
        mar = (a_emb[rr] @ bt.T).astype(np.float64) - (knn_a[rr][:, None] + kb[None, :]) / 2
        arg = mar.argmax(axis=1)
        best[a:a + len(rr)] = cols[arg]
        if len(cols) > 1:
            top2 = -np.partition(-mar, 1, axis=1)[:, :2]
            gap[a:a + len(rr)] = top2.max(axis=1) - top2.min(axis=1)
    return best, gap


#: Gap (distance margin, best minus second best, both directions) of a "clear" mutual best pair.
COVERAGE_GAP = 0.05


def _coverage(f_best: np.ndarray, f_gap: np.ndarray, b_best: np.ndarray, b_gap: np.ndarray,
              rows: np.ndarray, cols: np.ndarray) -> float:
    col_pos = {int(j): n for n, j in enumerate(cols)}
    clear = 0
    for n, j in enumerate(f_best):
        if j >= 0:
            c = col_pos[int(j)]
            clear += int(b_best[c] == rows[n] and f_gap[n] >= COVERAGE_GAP and b_gap[c] >= COVERAGE_GAP)
    return clear / max(1, min(len(rows), len(cols)))


def coverage(src_emb: np.ndarray, tgt_emb: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray) -> float:
    """Share of the shorter side in a clear mutual best pair (both gaps >= :data:`COVERAGE_GAP`):
    about 0.8 for texts that are sentence-for-sentence, 0.3 for a few translations among many
    unrelated sentences. A document-level feature: it tells the model how common true pairs are."""
    rows, cols = np.arange(len(src_emb)), np.arange(len(tgt_emb))
    f_best, f_gap = _side_best(src_emb, tgt_emb, knn_src, knn_tgt, rows, cols)
    b_best, b_gap = _side_best(tgt_emb, src_emb, knn_tgt, knn_src, cols, rows)
    return _coverage(f_best, f_gap, b_best, b_gap, rows, cols)


@dataclass(frozen=True)
class Scored:
    """Candidate pairs of one round: ids, p and features (for training and inspection)."""

    src: np.ndarray
    tgt: np.ndarray
    p: np.ndarray
    x: np.ndarray
    round: int
    coverage: float = 0.0


def score_candidates(src_emb: np.ndarray, tgt_emb: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray,
                     rows: np.ndarray, cols: np.ndarray, src_sents: Sequence[str], tgt_sents: Sequence[str],
                     model: Model, *, encoder: Any = None, round_no: int = 0,
                     cover: float | None = None) -> Scored:
    """The mutual best pairs among ``rows`` x ``cols`` and their p (``cover``: the document
    pair's :func:`coverage`, measured here when None)."""
    f_best, f_gap = _side_best(src_emb, tgt_emb, knn_src, knn_tgt, rows, cols)
    b_best, b_gap = _side_best(tgt_emb, src_emb, knn_tgt, knn_src, cols, rows)
    if cover is None:
        cover = _coverage(f_best, f_gap, b_best, b_gap, rows, cols)
    col_pos = {int(j): n for n, j in enumerate(cols)}
    pos = [(n, col_pos[int(j)]) for n, j in enumerate(f_best)
           if j >= 0 and b_best[col_pos[int(j)]] == rows[n]]
    if not pos:
        e = np.zeros(0)
        return Scored(e.astype(np.int64), e.astype(np.int64), e, np.zeros((0, len(FEATURES))), round_no, cover)
    rp = np.array([a for a, _ in pos], dtype=np.int64)
    cp = np.array([b for _, b in pos], dtype=np.int64)
    pi, pj = rows[rp], cols[cp]
    s_vec, t_vec = src_emb[pi], tgt_emb[pj]
    cos = np.einsum("ij,ij->i", s_vec.astype(np.float64), t_vec.astype(np.float64))
    members = member_cosines(encoder, s_vec, t_vec) if encoder is not None else None
    zero = np.zeros(len(pi))
    s_txt, t_txt = [src_sents[i] for i in pi], [tgt_sents[j] for j in pj]
    x = feature_rows(cos, knn_src[pi], knn_tgt[pj], f_gap[rp], b_gap[cp], zero, zero, s_txt, t_txt, members, cover,
                     size=min(len(src_emb), len(tgt_emb)))
    return Scored(pi, pj, model.predict(x), x, round_no, cover)


def select(src_emb: np.ndarray, tgt_emb: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray,
           src_sents: Sequence[str], tgt_sents: Sequence[str], *, model: Model, min_p: float,
           encoder: Any = None, rounds: int = 4, keep_scored: bool = False, assignment: bool = True,
           settled: set[tuple[int, int]] | None = None,
           ) -> tuple[list[tuple[int, int, float, np.ndarray]], list[Scored]]:
    """Mutual best pairs with ``p >= min_p``, in rounds (see the module docstring) settled at
    :data:`DEFAULT_MIN_P` whatever ``min_p`` is (so ``p`` does not depend on it); on a document
    pair that looks sentence-for-sentence (:func:`one_to_one`) the one-to-one assignment's pairs
    with ``p >= min_p`` replace the pairs of the rounds they conflict with (``assignment=False``:
    the rounds only). ``settled`` (a set, filled in): the pairs settled at the default bar, before
    a lower ``min_p`` added pairs among the sentences they left. A pair whose numbers contradict
    each other (:func:`contradicting`) leaves with its p capped, after the rounds.

    Returns ``([(i, j, p, features)], scored rounds if keep_scored)``; the assignment's pairs, when
    it ran, are the last "round" (``Scored.round == -1``).
    """
    s_void, t_void = wordless(src_sents), wordless(tgt_sents)
    rows = np.arange(len(src_emb), dtype=np.int64)
    cols = np.arange(len(tgt_emb), dtype=np.int64)

    def usable(sc: Scored) -> np.ndarray:
        return usable_pairs(sc.src, sc.tgt, s_void, t_void, src_sents, tgt_sents)

    kept: list[tuple[int, int, float, np.ndarray]] = []
    history: list[Scored] = []
    cover: float | None = None

    def rounds_at(bar: float, first: int) -> None:
        nonlocal rows, cols, cover
        for r in range(first, first + rounds):
            if len(rows) == 0 or len(cols) == 0:
                break
            sc = score_candidates(src_emb, tgt_emb, knn_src, knn_tgt, rows, cols, src_sents, tgt_sents,
                                  model, encoder=encoder, round_no=r, cover=cover)
            cover = sc.coverage
            if keep_scored:
                history.append(sc)
            fit = usable(sc)
            take = (sc.p >= bar) & fit
            # a line without a letter refused its best partner: it leaves the pool, so that
            # partner may still meet its own
            gone_s = sc.src[~fit & s_void[sc.src]]
            gone_t = sc.tgt[~fit & t_void[sc.tgt]]
            if not take.any() and not len(gone_s) and not len(gone_t):
                break
            kept.extend(_pairs_of(sc, take))
            rows = np.setdiff1d(rows, np.concatenate([sc.src[take], gone_s]))
            cols = np.setdiff1d(cols, np.concatenate([sc.tgt[take], gone_t]))

    # The pool's structure (which pairs leave it in which round, whether the texts look
    # sentence-for-sentence, which pairs the assignment replaces) is settled at the default bar
    # whatever ``min_p`` is, so a pair's ``p`` does not depend on the bar asked for: a higher
    # ``min_p`` only filters, as ``filter --min-p`` would; a lower one adds the pairs that reach it
    # among the sentences left.
    rounds_at(DEFAULT_MIN_P, 0)
    assigned: Scored | None = None
    if assignment and one_to_one(len(src_emb), len(tgt_emb), len(kept)):
        assigned = score_assignment(src_emb, tgt_emb, knn_src, knn_tgt, src_sents, tgt_sents, model,
                                    encoder=encoder, cover=cover or 0.0)
        if keep_scored:
            history.append(assigned)
        fit = usable(assigned)
        kept = _replace(kept, _pairs_of(assigned, fit & (assigned.p >= DEFAULT_MIN_P)))
    if settled is not None:
        settled.update((t[0], t[1]) for t in kept)
    if min_p < DEFAULT_MIN_P:
        n_settled = len(kept)
        rows = np.setdiff1d(np.arange(len(src_emb), dtype=np.int64), np.array([t[0] for t in kept], dtype=np.int64))
        cols = np.setdiff1d(np.arange(len(tgt_emb), dtype=np.int64), np.array([t[1] for t in kept], dtype=np.int64))
        rounds_at(min_p, rounds)
        if assigned is not None:
            used_s, used_t = {t[0] for t in kept[:n_settled]}, {t[1] for t in kept[:n_settled]}
            weak = [t for t in _pairs_of(assigned, fit & (assigned.p >= min_p) & (assigned.p < DEFAULT_MIN_P))
                    if t[0] not in used_s and t[1] not in used_t]
            kept = kept[:n_settled] + _replace(kept[n_settled:], weak)
    # a pair whose numbers contradict each other says another thing: its p falls to
    # NUMBERS_DISAGREE_P after the rounds (which it took part in as the model scored it, so that the
    # pool, and the pairs the model is fitted on, stay those of its own p)
    capped = contradicting(np.array([t[2] for t in kept]), [src_sents[t[0]] for t in kept],
                           [tgt_sents[t[1]] for t in kept]) if kept else np.zeros(0)
    kept = [(i, j, float(q), x) for (i, j, _, x), q in zip(kept, capped, strict=True) if q >= min_p]
    kept.sort(key=lambda t: (t[0], t[1]))
    return kept, history


def wordless(texts: Sequence[str]) -> np.ndarray:
    """(n,) bool: which ``texts`` have no letter: rules, numbers, symbols, and blank lines (an empty
    line with ``--presplit``; two of them had p 1.0). When no text of the side has any
    characters, the texts were not given: nothing is judged."""
    if not any(t.strip() for t in texts):
        return np.zeros(len(texts), dtype=bool)
    return np.array([not any(ch.isalpha() for ch in t) for t in texts], dtype=bool)


def usable_pairs(src: np.ndarray, tgt: np.ndarray, s_void: np.ndarray, t_void: np.ndarray,
                 src_sents: Sequence[str], tgt_sents: Sequence[str]) -> np.ndarray:
    """Which pairs ``(src[k], tgt[k])`` may be kept: a line without a letter ("==========",
    "12345", "4. 1954 :") carries nothing but its numbers, and encoders put all such lines close
    together (p 0.94-0.999 whatever they hold), so it pairs only with a line that says its
    numbers (all of them, and it has some)."""
    from .evidence import extract_numbers

    ok: np.ndarray = ~(s_void[src] | t_void[tgt])
    for k in np.flatnonzero(~ok):
        a = set(extract_numbers(src_sents[int(src[k])]))
        b = set(extract_numbers(tgt_sents[int(tgt[k])]))
        ok[k] = bool(a and b) and (not s_void[src[k]] or a <= b) and (not t_void[tgt[k]] or b <= a)
    return ok


def _pairs_of(sc: Scored, take: np.ndarray) -> list[tuple[int, int, float, np.ndarray]]:
    return [(int(i), int(j), float(p), x)
            for i, j, p, x in zip(sc.src[take], sc.tgt[take], sc.p[take], sc.x[take], strict=True)]


def _replace(kept: list[tuple[int, int, float, np.ndarray]], won: list[tuple[int, int, float, np.ndarray]]
             ) -> list[tuple[int, int, float, np.ndarray]]:
    """``won`` and the pairs of ``kept`` that share no sentence with it."""
    used_s, used_t = {t[0] for t in won}, {t[1] for t in won}
    return won + [t for t in kept if t[0] not in used_s and t[1] not in used_t]


#: A document pair looks sentence-for-sentence when the rounds of mutual best pairs already pair
#: this share of the shorter side ...
ONE_TO_ONE_SHARE = 0.8
#: ... and the shorter side has at least this share of the longer side's sentences.
ONE_TO_ONE_SIZE = 0.9


def one_to_one(n: int, m: int, pairs: int) -> bool:
    """Whether ``n`` x ``m`` sentences with ``pairs`` pairs kept by the rounds look
    sentence-for-sentence: about as many sentences on both sides (:data:`ONE_TO_ONE_SIZE`) and
    most of them (:data:`ONE_TO_ONE_SHARE`) already paired. Haystacks, pools of documents with
    sentences of their own, and comparable documents pair far fewer (0.1-0.6 on the visible sets,
    docs/calibration.md); there the rounds' own one-to-one choice stands."""
    short, long_ = min(n, m), max(n, m)
    return short >= 2 and short >= ONE_TO_ONE_SIZE * long_ and pairs >= ONE_TO_ONE_SHARE * short


def score_assignment(src_emb: np.ndarray, tgt_emb: np.ndarray, knn_src: np.ndarray, knn_tgt: np.ndarray,
                     src_sents: Sequence[str], tgt_sents: Sequence[str], model: Model, *,
                     encoder: Any = None, cover: float = 0.0) -> Scored:
    """The one-to-one assignment of maximum total distance margin over each sentence's best
    candidates (:func:`parallel.assignment.candidates`, :func:`parallel.assignment.assign`) and the
    p of its pairs. A pair's gaps compare it with each side's best other margin over the whole other document:
    negative where the assignment gave a sentence another partner than its best."""
    cand = candidates(src_emb, tgt_emb, knn_src, knn_tgt)
    pairs = assign(len(src_emb), len(tgt_emb), cand.src, cand.tgt, cand.margin)
    pi = np.array([i for i, _ in pairs], dtype=np.int64)
    pj = np.array([j for _, j in pairs], dtype=np.int64)
    s_vec, t_vec = src_emb[pi], tgt_emb[pj]
    cos = np.einsum("ij,ij->i", s_vec.astype(np.float64), t_vec.astype(np.float64))
    gap_f, gap_b = cand.gaps(pi, pj, cos - (knn_src[pi] + knn_tgt[pj]) / 2)
    members = member_cosines(encoder, s_vec, t_vec) if encoder is not None else None
    zero = np.zeros(len(pi))
    s_txt, t_txt = [src_sents[i] for i in pi], [tgt_sents[j] for j in pj]
    x = feature_rows(cos, knn_src[pi], knn_tgt[pj], gap_f, gap_b, zero, zero, s_txt, t_txt, members, cover,
                     size=min(len(src_emb), len(tgt_emb)))
    return Scored(pi, pj, model.predict(x, assigned=True), x, -1, cover)


# ----------------------------------------------------------------------------- translations?

#: The parameters of :func:`in_translation` (``scripts/fit_parallel_p.py``).
TRANSLATION_FILE = "in-translation.json"


@lru_cache(maxsize=1)
def _translation_map() -> tuple[float, float, float, float, float]:
    """(intercept, slope, beside_gap, contested, many_to_many) of :func:`in_translation`; a file
    without the last terms (fitted before them) reads them as 0."""
    data = json.loads((resources.files("parallel") / "resources" / "confidence" / TRANSLATION_FILE)
                      .read_text(encoding="utf-8"))
    return (float(data["intercept"]), float(data["slope"]), float(data.get("beside_gap", 0.0)),
            float(data.get("contested", 0.0)), float(data.get("many_to_many", 0.0)))


def beside_gap(links: Sequence[Any]) -> np.ndarray:
    """(len(links),) bool: a link with sentences on both sides next to a 1-0 / 0-1 link, in the
    order of ``links`` (a parallel alignment's: the order of the texts)."""
    empty = np.array([not (lk.src and lk.tgt) for lk in links], dtype=bool)
    near = np.zeros(len(links), dtype=bool)
    near[1:] |= empty[:-1]
    near[:-1] |= empty[1:]
    return np.asarray(near & ~empty)


#: An other cut within this much of the chosen one (summed cosines of the two links) contests it.
CONTEST_SLACK = 0.1


def contested(links: Sequence[Any], src_emb: np.ndarray, tgt_emb: np.ndarray, src_len: Sequence[int],
              tgt_len: Sequence[int]) -> np.ndarray:
    """(len(links),) how contested each link's cut is, in the order of ``links`` (a parallel
    alignment's): for two neighbouring links with both sides, the cosines of their sides (length-
    weighted sums of the sentence vectors ``src_emb`` (n, d) / ``tgt_emb`` (m, d), lengths in
    characters) are summed for the cut chosen and for each cut one sentence over, on either side,
    that leaves both links a sentence there; the best other cut minus the chosen one, plus
    :data:`CONTEST_SLACK`, floored at 0, is the value of both links (the larger where a link has
    two neighbours). 0 where no neighbour can give or take a sentence (between 1-1 links, or beside
    a 1-0 / 0-1 link, which :func:`beside_gap` covers)."""
    s_vec, t_vec = np.asarray(src_emb, dtype=np.float64), np.asarray(tgt_emb, dtype=np.float64)
    s_w = np.asarray(src_len, dtype=np.float64) + 1.0
    t_w = np.asarray(tgt_len, dtype=np.float64) + 1.0

    def cos(src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        a = (s_vec[list(src)] * s_w[list(src), None]).sum(axis=0)
        b = (t_vec[list(tgt)] * t_w[list(tgt), None]).sum(axis=0)
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        return float(a @ b) / norm if norm > 0 else 0.0

    out = np.zeros(len(links))
    for i in range(len(links) - 1):
        a, b = links[i], links[i + 1]
        if not (a.src and a.tgt and b.src and b.tgt):
            continue
        cuts: list[float] = []
        for left, right, on_src in ((tuple(a.src), tuple(b.src), True), (tuple(a.tgt), tuple(b.tgt), False)):
            moved = ([(left[:-1], (left[-1],) + right)] if len(left) > 1 else []) + (
                [(left + (right[0],), right[1:])] if len(right) > 1 else [])
            for x, y in moved:
                cuts.append(cos(x, a.tgt) + cos(y, b.tgt) if on_src else cos(a.src, x) + cos(b.src, y))
        if cuts:
            value = max(max(cuts) - cos(a.src, a.tgt) - cos(b.src, b.tgt) + CONTEST_SLACK, 0.0)
            out[i], out[i + 1] = max(out[i], value), max(out[i + 1], value)
    return out


def in_translation(p: np.ndarray, gap: np.ndarray | None = None, contest: np.ndarray | None = None,
                   many: np.ndarray | None = None) -> np.ndarray:
    """The p of links that parallel mode forced in a document the mode test takes for a
    translation, from the p their pairs have on their own (``p``, as mining computes it), whether
    each lies beside a 1-0 / 0-1 link (``gap``, bool; see :func:`beside_gap`), how contested its
    cut is (``contest``, see :func:`contested`) and whether it holds several sentences on both
    sides (``many``, bool: a 2-2, 2-3 or 3-2 link).

    A pair's p answers "do these two sentences say the same thing?" with nothing else known: one
    candidate among many, as in mining. Inside a translation the aligner knows more: the link lies
    on a monotonic path between links that are right, and a freely rendered sentence (a literary or
    religious translation, a weaker encoder) is right far more often than its weak cosine alone
    says. On the Qur'an set (bench/quran_docs.py, never fitted on) the links of mean pair p 0.23 were
    90% right, and p < 0.2 ones 87%. But a translation rarely leaves a sentence out: a link beside
    one that did is often cut at the wrong place (the left-out sentence belongs to it), and such
    links were right 18-59% of the time on the visible sets where the others were 89-100%. And
    a one-to-many link whose neighbour would fit as well with a sentence moved across their cut
    is often cut at the wrong sentence (61% right where the other cut scores better). A link of
    several sentences on both sides is the aligner's least sure decision: two or three links
    joined, or cut elsewhere, would often be right instead (stop 51: 57% right on Text+Berg test,
    none of the 9 on the Qur'an, at a mean p of 0.88-0.95 before this term).
    ``logit(p') = intercept + slope x logit(p) + beside_gap x gap + contested x contest +
    many_to_many x many``, fitted by
    ``scripts/fit_parallel_p.py`` on the visible translation sets (NTREX merged, one-to-many and long
    links, Text+Berg test and dev, their one-to-many variants) with noise added to the vectors to
    stand in for freer translations; each link counted right when it is exactly a gold link."""
    a, b, c, d, e = _translation_map()
    s = _log_odds(p)
    g = np.zeros(len(s)) if gap is None else np.asarray(gap, dtype=np.float64)
    k = np.zeros(len(s)) if contest is None else np.asarray(contest, dtype=np.float64)
    w = np.zeros(len(s)) if many is None else np.asarray(many, dtype=np.float64)
    return np.asarray(1.0 / (1.0 + np.exp(-(a + b * s + c * g + d * k + e * w))))


#: A link is weak when its pair's own p is below this: on its own the pair says "not the same
#: sentence" (stop 51, docs/calibration.md).
UNTRANSLATED_WEAK = 0.05
_WEAK_LOG_ODDS = math.log(UNTRANSLATED_WEAK / (1.0 - UNTRANSLATED_WEAK))
#: A stretch: the links covered by windows of this many links in a row, most of them weak.
UNTRANSLATED_WINDOW = 8
#: The links just outside a stretch, on each side, that it is judged against; a side with fewer
#: than :data:`UNTRANSLATED_SIDE` (the start or end of the text) is not read.
UNTRANSLATED_FLANK = 20
UNTRANSLATED_SIDE = 5
#: A stretch is no translation when even its better links (this quantile of their pairs' log-odds)
#: lie :data:`UNTRANSLATED_DROP` below the median log-odds of each flank read.
UNTRANSLATED_QUANTILE = 0.9
UNTRANSLATED_DROP = 3.0


def untranslated(p: np.ndarray) -> np.ndarray:
    """(n,) bool: the links of a translation that lie in a stretch that is no translation, from
    their pairs' own p ``p`` (n,), the two-sided links in the order of the texts.

    A single weak link in a translation is most often a freely rendered sentence, and the map of
    :func:`in_translation` lifts it, rightly; but an untranslated stretch (an editor's introduction
    and a translator's preface before a book, a block only one side has) is forced into links too,
    and their pairs are all at the level of unrelated sentences. A stretch is the links covered by
    windows of :data:`UNTRANSLATED_WINDOW` links in a row most of which are weak (pair p under
    :data:`UNTRANSLATED_WEAK`), trimmed to weak links at both ends; it is taken when even its
    better links (the :data:`UNTRANSLATED_QUANTILE` quantile of its pairs' log-odds) lie
    :data:`UNTRANSLATED_DROP` below the median of the :data:`UNTRANSLATED_FLANK` links just outside
    it on each side (a side with fewer than :data:`UNTRANSLATED_SIDE` links is not read; with no side
    nothing is taken). Judged against its flanks, not the whole document's median: a book whose
    chapters change hands (news, then a free literary translation) has stretches of weak links that
    are right, and a free translation keeps some clearly good links among its weak ones, where an
    untranslated stretch has none (stop 51)."""
    s = _log_odds(p)
    n, w = len(s), UNTRANSLATED_WINDOW
    weak = s < _WEAK_LOG_ODDS
    out = np.zeros(n, dtype=bool)
    if n < w:
        return out
    count = np.concatenate([[0], np.cumsum(weak)])
    cover = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(count[w:] - count[:-w] > w / 2):
        cover[i:i + w] = True
    edges = np.flatnonzero(np.diff(np.concatenate([[0], cover.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        inside = a + np.flatnonzero(weak[a:b])
        a, b = int(inside[0]), int(inside[-1]) + 1
        sides = [x for x in (s[max(0, a - UNTRANSLATED_FLANK):a], s[b:b + UNTRANSLATED_FLANK])
                 if len(x) >= UNTRANSLATED_SIDE]
        level = float(np.quantile(s[a:b], UNTRANSLATED_QUANTILE))
        if sides and min(float(np.median(x)) for x in sides) - level >= UNTRANSLATED_DROP:
            out[a:b] = True
    return out


#: ... unless a monotonic alignment explains at least this share of the sentences (the mode test's
#: ``explained``: links whose cosine beats the document's own random pairs, a bar that follows the
#: encoder's scale where p does not). Of the 369 NTREX documents with another document's English,
#: 95% stay under 0.27 (the largest 0.54), the 11 the mode test takes for translations 0.00-0.24;
#: of the 57 benchmark translations (hadith, stop 59) whose links are weak throughout by p alone,
#: 56 explain 0.30 or more (one 0.10), so the bar lies between the two, not beyond either.
WEAK_EXPLAINED = 0.3


def weak_throughout(p: np.ndarray, explained: float | None = None) -> bool:
    """Whether a translation's links, from their pairs' own p ``p`` (n,), are weak throughout: at
    least :data:`UNTRANSLATED_SIDE` of them, and even their better ones (the
    :data:`UNTRANSLATED_QUANTILE` quantile) under :data:`UNTRANSLATED_WEAK`, while a monotonic
    alignment explains under :data:`WEAK_EXPLAINED` of the sentences (``explained``, the mode
    test's; None: not asked). Documents a crawl paired wrongly are: the 11 of 369 NTREX documents
    with another document's English that auto mode took for translations sit at the model's floor
    (p 0.011) and explain 0.00-0.24. A free translation's pairs can be as weak on their own: since
    the size refit (stop 58), the tenth best pair of 50 of the 115 hadith documents of the benches
    is under 0.05 (0.011-0.05; the Qur'an 0.47 or more, NTREX 0.95 or more), but its links
    stand out from the document's random pairs, so it explains 0.30 or more (one 0.10). A
    translation seen through a weak encoder (the benches' with noise of norm 1.5 on every vector)
    may be weak throughout too, so it is only said, and the links' p is left as it is."""
    if explained is not None and explained >= WEAK_EXPLAINED:
        return False
    s = _log_odds(p)
    return len(s) >= UNTRANSLATED_SIDE and float(np.quantile(s, UNTRANSLATED_QUANTILE)) < _WEAK_LOG_ODDS


def regap(p: np.ndarray, was: np.ndarray, now: np.ndarray, was_contest: np.ndarray | None = None,
          now_contest: np.ndarray | None = None) -> np.ndarray:
    """The :func:`in_translation` p of links whose place beside a 1-0 / 0-1 link (``was`` -> ``now``)
    or whose contested cut (``was_contest`` -> ``now_contest``, unchanged where not given) an edit
    next to them changed, without their pair's own p: the map's terms moved on the logit scale."""
    _, _, c, d, _ = _translation_map()
    shift = c * (np.asarray(now, dtype=np.float64) - np.asarray(was, dtype=np.float64))
    if was_contest is not None and now_contest is not None:
        shift = shift + d * (np.asarray(now_contest, dtype=np.float64) - np.asarray(was_contest, dtype=np.float64))
    return np.asarray(1.0 / (1.0 + np.exp(-(_log_odds(p) + shift))))


def _log_odds(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` of probabilities clipped to [1e-4, 1 - 1e-4] (the maps' scale)."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1.0 - 1e-4)
    return np.asarray(np.log(q / (1.0 - q)))


# ----------------------------------------------------------------------------- any link

def _row_step(m: int) -> int:
    """Rows of a block against ``m`` sentences in :func:`link_probabilities`: 512, fewer where
    512 x ``m`` would pass :data:`_BLOCK` cells, never under 16 (a single row goes through another
    BLAS routine, whose sums differ in the last bits from the rows computed together)."""
    return min(512, max(16, _BLOCK // max(m, 1)))


def _knn_mean(sim: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` largest values of each row of ``sim`` (b, m): (b,)."""
    kk = max(1, min(k, sim.shape[1]))
    return np.asarray(-np.partition(-sim, kk - 1, axis=1)[:, :kk].mean(axis=1))


def link_probabilities(src_vecs: np.ndarray, tgt_vecs: np.ndarray, src_emb: np.ndarray, tgt_emb: np.ndarray,
                       src_ids: Sequence[tuple[int, ...]], tgt_ids: Sequence[tuple[int, ...]],
                       src_texts: Sequence[str], tgt_texts: Sequence[str], *, encoder: Any = None,
                       k: int = 4, model: Model | None = None,
                       knn: tuple[np.ndarray, np.ndarray] | None = None,
                       cover: float | None = None, cap: bool = True) -> np.ndarray:
    """p (r,) for r links given their side vectors ``src_vecs``/``tgt_vecs`` (r, d) (one unit vector
    per side: a sentence's row, or the joined text's embedding), against the documents' sentence
    embeddings ``src_emb`` (n, d) / ``tgt_emb`` (m, d). Ranks and gaps compare each side with the
    other document's single sentences outside the link. ``k``: the neighbourhood at the model's
    fitted size (:func:`neighbours` reads it for these documents). ``knn``: the documents'
    :func:`model_knn_means` with ``k``, and ``cover`` their :func:`coverage`, when the caller
    has them already (the review app, which scores the links of each edit against the same
    documents, keeps both). ``cap=False``: the model's p, before :func:`contradicting` caps the
    links whose numbers contradict each other. The links are
    compared with the documents in blocks of rows (:func:`_row_step`): memory O((r + n + m) d +
    block x (n + m)), never r x m (200,000 one-word lines would need gigabytes)."""
    if len(src_vecs) == 0:
        return np.zeros(0)
    model = model or load_model(encoder_name(encoder))
    knn = model_knn_means(src_emb, tgt_emb, k) if knn is None else knn
    k = neighbours(k, len(src_emb), len(tgt_emb))
    kn_s, kn_t = knn
    sv = np.asarray(src_vecs, dtype=np.float64)
    tv = np.asarray(tgt_vecs, dtype=np.float64)
    se = np.asarray(src_emb, dtype=np.float64)
    te = np.asarray(tgt_emb, dtype=np.float64)
    cos = np.einsum("ij,ij->i", sv, tv)
    r = len(sv)
    ks, kt = np.zeros(r), np.zeros(r)
    rank_f = np.zeros(r)
    rank_b = np.zeros(r)
    gap_f = np.zeros(r)
    gap_b = np.zeros(r)
    step = _row_step(max(len(se), len(te)))
    for a in range(0, r, step):  # a block of links against every sentence: memory O(step x (n + m))
        b = min(a + step, r)
        sim_f, sim_b = sv[a:b] @ te.T, tv[a:b] @ se.T
        ks[a:b], kt[a:b] = _knn_mean(sim_f, k), _knn_mean(sim_b, k)
        mf = sim_f - (ks[a:b, None] + kn_t[None, :]) / 2
        mb = sim_b - (kt[a:b, None] + kn_s[None, :]) / 2
        del sim_f, sim_b
        for n in range(a, b):
            v = cos[n] - (ks[n] + kt[n]) / 2
            rf = mf[n - a]
            rf[list(tgt_ids[n])] = -np.inf
            rb = mb[n - a]
            rb[list(src_ids[n])] = -np.inf
            rank_f[n] = (rf > v).sum()
            rank_b[n] = (rb > v).sum()
            gap_f[n] = v - (rf.max() if np.isfinite(rf.max()) else v - 0.3)
            gap_b[n] = v - (rb.max() if np.isfinite(rb.max()) else v - 0.3)
    members = member_cosines(encoder, sv, tv) if encoder is not None else None
    x = feature_rows(cos, ks, kt, gap_f, gap_b, rank_f, rank_b, src_texts, tgt_texts, members,
                     coverage(src_emb, tgt_emb, kn_s, kn_t) if cover is None else cover,
                     size=min(len(se), len(te)))
    p = model.predict(x)
    return contradicting(p, src_texts, tgt_texts) if cap else p
