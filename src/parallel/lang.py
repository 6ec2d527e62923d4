"""Language detection from the script of a text (no network, no model)."""

from __future__ import annotations

import re
import unicodedata

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# A few very frequent words decide between languages written in Latin script.
_LATIN_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "with", "for", "was", "on", "are", "it"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "eine", "zu", "von", "sich"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "du", "que", "pour", "dans", "pas", "qui"},
    "es": {"el", "los", "las", "y", "que", "del", "por", "una", "con", "para", "es", "se", "como"},
    "it": {"il", "che", "di", "della", "per", "non", "sono", "gli", "una", "con", "del", "è", "nel"},
    "pt": {"o", "os", "que", "não", "uma", "com", "para", "do", "da", "em", "é", "dos", "das"},
}

_SCRIPT_LANG = {"CYRILLIC": "ru", "HEBREW": "he", "GREEK": "el", "DEVANAGARI": "hi",
                "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "THAI": "th"}


def detect_lang(text: str) -> str | None:
    """ISO 639-1 code guessed from the dominant script (and stop words for Latin)."""
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    arabic = len(_ARABIC.findall(sample))
    if arabic >= 0.5 * len(letters):
        return "ar"
    scripts: dict[str, int] = {}
    for c in letters[:5000]:
        name = unicodedata.name(c, "")
        script = name.split(" ")[0] if name else ""
        scripts[script] = scripts.get(script, 0) + 1
    top = max(scripts, key=lambda s: scripts[s])
    if top != "LATIN":
        return _SCRIPT_LANG.get(top)
    words = [w.lower() for w in _WORD.findall(sample)]
    counts = {lang: sum(w in stop for w in words) for lang, stop in _LATIN_STOPWORDS.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else "en"
