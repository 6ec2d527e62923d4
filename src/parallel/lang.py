"""Language of a text: identified with py3langid (its model ships in the wheel, no network), and
language flags checked against the script the text is written in.

* :func:`identify` gives a :class:`Detection`: the language, a confidence, and whether the label
  is only a guess (short or mixed text, or py3langid missing: then the script and a few stop
  words decide, as before). Persian and Urdu are not called Arabic, Dutch and Turkish not English.
* :func:`check_lang` refuses a flag the text contradicts (``--src-lang en`` on Arabic script) and
  an unknown code, each in one line, unless the caller insists (``force``).

The model (about 1 s to load) is read on the first detection that needs it, never at import.
Text that is plainly Arabic (Arabic letters, none of the letters Persian and Urdu add) or
plainly English (at least 4% of its words are "the", "and", "that", "with", "which") is named
without it, so aligning an Arabic-English pair does not pay for the model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import NOTE, InputError

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'-]*")
_CODE = re.compile(r"^[a-z]{2,3}$")
#: A language code as it may name a file or fill a signature: ISO 639 letters, optional variant
#: subtags (``zh_Hant``, ``pt-br``); nothing that could be a path (``../x``).
LANG_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


#: Three-letter codes of languages this toolkit processes under their two-letter code: ISO 639-2/3
#: names of the same language (``ara``, ``eng``, ``fas``), the varieties of the Arabic macrolanguage
#: (Egyptian ``arz``, Moroccan ``ary``, Levantine ``apc`` ...: Arabic script, Arabic sentences, and
#: USE-m3 embeds them as Arabic), and ``hbo`` (what the identifier calls Hebrew with vowel points).
MACRO = {**{c: "ar" for c in ("ara", "arb", "arz", "ary", "apc", "ajp", "acm", "aeb", "arq", "afb", "ayl",
                              "acw", "acx", "aec", "ars", "abv", "shu", "ssh", "pga", "apd")},
         "eng": "en", "fas": "fa", "per": "fa", "pes": "fa", "prs": "fa", "heb": "he", "hbo": "he",
         "urd": "ur", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "rus": "ru",
         "zho": "zh", "chi": "zh", "cmn": "zh", "jpn": "ja", "tur": "tr", "ita": "it", "por": "pt"}


def code_of(tag: str) -> str:
    """A language code as this toolkit writes it everywhere (signatures, JSONL keys, file names,
    ``run``'s joined files): lower case, subtags joined by ``-`` (``AR`` -> ``ar``, ``en_GB`` and
    ``en-gb`` -> ``en-gb``), so that two spellings of one tag name one language; ``xml:lang``
    gets its BCP 47 case (:func:`bcp47`)."""
    return tag.strip().lower().replace("_", "-")


def primary(code: str) -> str:
    """The language subtag of a tag, lower case: ``en-GB``, ``en_gb`` -> ``en``, ``zh-Hant`` -> ``zh``;
    a three-letter code of a language processed under its two-letter one (:data:`MACRO`: ``arz``,
    ``ara`` -> ``ar``) gives that. Segmenters, encoders, script checks and the text direction go by
    it; the whole tag names the text (signature, ``xml:lang``)."""
    sub = re.split(r"[-_]", code, maxsplit=1)[0].lower()
    return MACRO.get(sub, sub)


def bcp47(code: str) -> str:
    """A language code as a BCP 47 tag (RFC 5646), as ``xml:lang`` wants it: subtags joined by
    hyphens in their conventional case, ``en_gb`` -> ``en-GB``, ``zh_hant`` -> ``zh-Hant``,
    ``sr-latn-rs`` -> ``sr-Latn-RS`` (a script titled, a region upper case, the rest lower case,
    everything after a singleton such as ``x-`` too)."""
    tags = re.split(r"[-_]", code)
    out = [tags[0].lower()]
    singleton = False
    for tag in tags[1:]:
        singleton = singleton or len(tag) == 1
        if not singleton and len(tag) == 4 and tag.isalpha():
            out.append(tag.title())
        elif not singleton and (len(tag) == 2 and tag.isalpha() or len(tag) == 3 and tag.isdigit()):
            out.append(tag.upper())
        else:
            out.append(tag.lower())
    return "-".join(out)

# A few very frequent words decide between languages written in Latin script (no py3langid).
_LATIN_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "with", "for", "was", "on", "are", "it"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "eine", "zu", "von", "sich"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "du", "que", "pour", "dans", "pas", "qui"},
    "es": {"el", "los", "las", "y", "que", "del", "por", "una", "con", "para", "es", "se", "como"},
    "it": {"il", "che", "di", "della", "per", "non", "sono", "gli", "una", "con", "del", "è", "nel"},
    "pt": {"o", "os", "que", "não", "uma", "com", "para", "do", "da", "em", "é", "dos", "das"},
}

# Unicode script (first word of a letter's name) -> the language named when only the script is known.
_SCRIPT_LANG = {"ARABIC": "ar", "CYRILLIC": "ru", "HEBREW": "he", "GREEK": "el", "DEVANAGARI": "hi",
                "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "THAI": "th"}

# The script each language is written in, for checking flags (languages written in several
# scripts, e.g. sr, ku, uz, are left out: no check).
_LANG_SCRIPTS: dict[str, set[str]] = {
    "ARABIC": {"ar", "fa", "ur", "ps", "ug", "sd", "ckb", "sdh", "ary", "arz", "ks"},
    "LATIN": {"en", "fr", "de", "es", "it", "pt", "nl", "tr", "af", "ca", "cs", "cy", "da", "et", "eu",
              "fi", "ga", "gl", "hr", "hu", "id", "is", "lt", "lv", "ms", "mt", "nb", "nn", "no", "pl",
              "ro", "sk", "sl", "sq", "sv", "sw", "tl", "vi", "az", "eo", "la", "lb", "fy", "ha", "so",
              "yo", "zu", "xh", "ig", "mg", "oc", "br", "gd", "fo", "tk", "qu", "jv", "wa", "vo"},
    "CYRILLIC": {"ru", "uk", "bg", "be", "mk", "kk", "ky", "mn", "tg", "tt", "ba"},
    "HEBREW": {"he", "yi"},
    "GREEK": {"el"},
    "DEVANAGARI": {"hi", "mr", "ne", "sa"},
    "HANGUL": {"ko"},
    "THAI": {"th"},
    "ARMENIAN": {"hy"},
    "GEORGIAN": {"ka"},
    "BENGALI": {"bn", "as"},
    "TAMIL": {"ta"},
    "ETHIOPIC": {"am"},
}
SCRIPT_OF = {lang: script for script, langs in _LANG_SCRIPTS.items() for lang in langs}
# py3langid labels folded into the code the rest of the toolkit uses: those of :data:`MACRO` (of its
# labels, the dialects of Arabic ary and arz, and hbo, Hebrew with vowel points), and varieties it
# tells apart that are processed as their language.
_FOLD = {**MACRO, "uzs": "uz", "gug": "gn", "wuu": "zh", "yue": "zh"}
# Sure enough to be stated as a fact; below it the label is reported as a guess.
SURE = 0.90
# Below this the identifier is not trusted over the stop-word heuristic on Latin text.
TRUST = 0.50



# Letters of Persian, Urdu and other languages written in Arabic script that Arabic does not use.
_NOT_ARABIC = re.compile("[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u06D2\u0679\u0688\u0691\u06BA\u06BE\u06C1\u06C0]")
_ENGLISH_MARKERS = {"the", "and", "that", "with", "which"}


@dataclass(frozen=True)
class Detection:
    """What :func:`identify` found: ``lang``, its ``confidence`` (0-1), the ``script`` of the
    letters, and ``guess`` (True when the label should not be taken as a fact)."""

    lang: str
    confidence: float
    script: str
    guess: bool


@cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, or None when it is not installed."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


#: Web addresses and e-mail addresses: Latin letters in any language's text, no evidence of it
_ADDRESS = re.compile(r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def without_addresses(text: str) -> str:
    """``text`` with its web and e-mail addresses blanked (their letters say nothing of the
    language: an Arabic sentence citing https://www.who.int/... is still Arabic)."""
    return _ADDRESS.sub(" ", text) if ("." in text and ("/" in text or "@" in text)) else text


def _named_letters(sample: str) -> int:
    """Letters of the words in ``sample`` that hold a capital letter and no Arabic: names, brands
    and acronyms (Apple, iPhone, iOS, TensorFlow, WHO) that Arabic text writes in Latin letters."""
    return sum(len(w) for w in _WORD.findall(sample) if not w.islower() and not _ARABIC.search(w))


def script_of(text: str) -> tuple[str | None, float]:
    """The dominant script of ``text``'s letters and its share of them (None: no letters); web and
    e-mail addresses do not count. Arabic that names products and companies in Latin letters
    ("أعلنت شركة Apple عن iPhone 15 Pro Max مع نظام iOS 17") is Arabic: where Arabic letters are
    at least half of the letters not in a capitalised word (a name), the text is Arabic, its share
    then counted without the names; the running words of a Latin-script language are lower case."""
    sample = without_addresses(text[:20000])
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None, 0.0
    arabic = len(_ARABIC.findall(sample))
    if arabic >= 0.5 * len(letters):
        return "ARABIC", arabic / len(letters)
    if arabic:
        rest = len(letters) - _named_letters(sample)
        if rest > 0 and arabic >= 0.5 * rest:
            return "ARABIC", min(1.0, arabic / rest)
    scripts: dict[str, int] = {}
    for c in letters[:5000]:
        name = unicodedata.name(c, "")
        script = name.split(" ")[0] if name else ""
        scripts[script] = scripts.get(script, 0) + 1
    top = max(scripts, key=lambda s: scripts[s])
    return top, scripts[top] / sum(scripts.values())


def _stopword_guess(sample: str) -> str:
    words = [w.lower() for w in _WORD.findall(sample)]
    counts = {lang: sum(w in stop for w in words) for lang, stop in _LATIN_STOPWORDS.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else "en"


#: No word of a language is this long: base64, hashes, URLs run together. Scripts written without
#: spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) make runs as long as their
#: sentences: a character of theirs breaks a run (a Chinese file of long paragraphs was all left out,
#: and "cannot tell its language")
_NO_SPACE_SCRIPTS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_BLOB = re.compile(f"[^\\s{_NO_SPACE_SCRIPTS}]{{41,}}")
_SAMPLE = 20000


def spread_sample(text: str, size: int = _SAMPLE) -> str:
    """Up to ``size`` characters of ``text`` for telling its language, spread over its lines.

    No line gives more than three times the typical (median) line's length, or its even share of
    ``size`` where that is more (a title and a subtitle above one long paragraph leave the
    paragraph its share), and runs of over 40 characters without a space (no word of any
    language) are left out. The first ``size`` characters would let one stray line speak for the
    document: 100,000 random letters pasted into an English article made it ``fuv`` (and sent it
    to the slow encoder), a base64 blob ``gcf``."""
    lines = [ln for ln in (_BLOB.sub(" ", x) for x in text[:50 * size].split("\n")) if ln.strip()]
    if not lines:
        return ""
    lengths = sorted(len(ln) for ln in lines)
    cap = max(3 * lengths[len(lengths) // 2], 200, size // len(lines))
    out: list[str] = []
    used = 0
    for ln in lines:
        part = ln[:min(cap, size - used)]
        out.append(part)
        used += len(part) + 1
        if used >= size:
            break
    return "\n".join(out)


def identify(text: str) -> Detection | None:
    """The language of ``text`` (None when it has no letters at all), read from
    :func:`spread_sample`. Compatibility forms are read as what they stand for (NFKC): Arabic
    presentation forms (PDF text) are Arabic letters, which the identifier knows (it called a
    short text of them Chinese)."""
    sample = without_addresses(unicodedata.normalize("NFKC", spread_sample(text)))
    script, _share = script_of(sample)
    if script is None:
        return None
    if script == "ARABIC":
        # the Latin words in Arabic text are names (script_of): the identifier reads the Arabic
        # (with iPhone, iOS and TensorFlow it called a news line Uzbek, 0.99 sure)
        sample = _LATIN_WORD.sub(" ", sample)
    plain = _plain_arabic_or_english(sample, script)
    if plain is not None:
        return plain
    ident = _identifier()
    if ident is None:  # no identifier: the script (and stop words for Latin) decide, as a guess
        lang = _stopword_guess(sample) if script == "LATIN" else _SCRIPT_LANG.get(script)
        return Detection(lang, 0.0, script, True) if lang else None
    scores: dict[str, float] = {}
    for label, p in ident.rank(sample):
        code = _FOLD.get(label, label)
        if code == "zxx" or SCRIPT_OF.get(code, script) != script:
            continue  # a language of another script: not a candidate for these letters
        scores[code] = scores.get(code, 0.0) + float(p)
    total = sum(scores.values())
    if not scores or total <= 0:
        lang = _stopword_guess(sample) if script == "LATIN" else _SCRIPT_LANG.get(script)
        return Detection(lang, 0.0, script, True) if lang else None
    best = max(scores, key=lambda k: scores[k])
    conf = scores[best] / total
    if script == "LATIN" and conf < TRUST:
        return Detection(_stopword_guess(sample), conf, script, True)
    return Detection(best, round(conf, 4), script, conf < SURE)


def _plain_arabic_or_english(sample: str, script: str) -> Detection | None:
    """Arabic or English named from the text alone, when it is long enough and plainly so (see the
    module docstring); None: ask the identifier."""
    if script == "ARABIC":
        arabic = len(_ARABIC.findall(sample))
        if arabic >= 200 and len(_NOT_ARABIC.findall(sample)) <= 0.002 * arabic:
            return Detection("ar", 0.99, script, False)
    elif script == "LATIN":
        words = [w.lower() for w in _WORD.findall(sample)]
        if len(words) >= 50 and sum(w in _ENGLISH_MARKERS for w in words) >= 0.04 * len(words):
            return Detection("en", 0.99, script, False)
    return None


def detect_lang(text: str, name: str | None = None) -> str | None:
    """ISO 639 code of ``text``'s language; a guessed label is said through
    :data:`parallel.errors.NOTE` (the CLI prints it on stderr; a library caller hears nothing)."""
    found = identify(text)
    if found is None:
        return None
    note = NOTE.get()
    if found.guess and note is not None:
        how = (f"confidence {found.confidence:.2f}" if found.confidence
               else f"from its {found.script.lower()} script")
        note(f"{name or 'text'}: language guessed as {found.lang!r} ({how}); pass it explicitly to be sure")
    return found.lang


def known_lang(lang: str) -> bool:
    """True for a code this toolkit or py3langid knows."""
    if lang in SCRIPT_OF or lang in _SCRIPT_LANG.values() or lang in _FOLD.values():
        return True
    ident = _identifier()
    return ident is not None and lang in set(ident.labels)


def check_code(lang: str, what: str, hint: str = "") -> None:
    """Refuse, in one line, a language flag that is no known ISO 639 code (``what``: the flag or
    the file it is for; ``hint``: appended to the message, e.g. how to keep it anyway). A tag with
    subtags (``en-gb``, ``pt_BR``, ``zh-Hant``) is checked by its language (:func:`primary`)."""
    if not _CODE.match(primary(lang)) or not LANG_CODE.fullmatch(lang):
        raise InputError(f"{what}: {lang!r} is not a language code (ISO 639, e.g. ar, en, fr){hint}")
    if not known_lang(primary(lang)):
        raise InputError(f"{what}: unknown language {lang!r} (ISO 639 codes: ar, en, fr, fa, ...){hint}")


def check_lang(lang: str, text: str, name: str | None = None, *, force: bool = False) -> None:
    """Refuse a language flag the text contradicts (its script is another language's) or an
    unknown code, in one line; ``force`` accepts it anyway."""
    if force:
        return
    what = name or "text"
    check_code(lang, what, "; pass --force-lang to use it anyway")
    expected = SCRIPT_OF.get(primary(lang))
    script, share = script_of(text)
    letters = sum(c.isalpha() for c in without_addresses(text[:20000]))
    if expected is None or script is None or script == expected or share < 0.6:
        _note_other_language(lang, text, what, letters)
        return
    if letters < 20:
        return  # too little text to contradict anyone
    looks = _SCRIPT_LANG.get(script)
    hint = f" (it looks like {looks!r})" if looks else ""
    raise InputError(f"{what}: language given as {lang!r}, but the text is written in "
                     f"{script.lower()} script{hint}; pass --force-lang to keep {lang!r}")


# words of four letters or more (marks dropped), and what their two ends say of the reading order
_AR_WORD = re.compile("[\u0621-\u064A\u0671]{4,}")


def check_reading_order(lang: str, text: str, name: str | None = None) -> None:
    """Refuse Arabic whose letters run backwards, as a PDF tool that writes text in display order
    leaves it (الصين as نيصلا). The article ال opens a fifth of Arabic words and لا ends a few
    (مثلا, قليلا): in 92 Arabic documents of the bench and the Qur'an, words opening with ال
    outnumber those ending in لا at least three to one, and the letters reversed, the other way
    round. Judged on 40 such words or more, in the first 200,000 characters."""
    if primary(lang) != "ar":
        return
    from .normalize import presentation_forms_as_letters, strip_marks

    # such a PDF tool often writes the shapes of the letters (presentation forms): read as letters
    words = _AR_WORD.findall(strip_marks(presentation_forms_as_letters(text[:200_000])))
    opens = sum(w[:2] in ("ال", "ٱل") for w in words)
    ends = sum(w[-2:] in ("لا", "لٱ") for w in words)
    if opens + ends >= 40 and ends > opens:
        raise InputError(f"{name or 'text'}: the Arabic reads backwards ({ends} words end in لا, {opens} "
                         "open with ال): its letters are in display order, as some PDF tools write "
                         "them; extract it again in reading order (e.g. pdftotext)")


def _note_other_language(lang: str, text: str, what: str, letters: int) -> None:
    """A flag in the right script but, by the identifier, for another language (``ar`` given for a
    Persian text): one note, not an error (the user may know better). Only where notes are heard
    (the CLI): the identifier's model is not loaded for library callers."""
    note = NOTE.get()
    if note is None or letters < 200:
        return
    found = identify(text)
    if found is None or found.guess or found.confidence < 0.99 or _FOLD.get(found.lang, found.lang) == primary(lang):
        return
    note(f"{what}: language given as {lang!r}, but the text looks like {found.lang!r} "
         f"(confidence {found.confidence:.2f})")
