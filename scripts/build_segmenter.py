#!/usr/bin/env python3
"""Rebuild the shipped Punkt parameters: ``src/parallel/resources/segment/punkt-LANG.json``.

Sources (curated by hand, in the same folder, one entry per line, ``#`` comments):

* ``LANG.abbrev.txt``   abbreviations (Punkt ``abbrev_types``, lower case, no final full stop)
* ``LANG.weak.txt``     *weak* abbreviations (months, ``etc``): also abbreviations, but a
  capitalised word after them starts a sentence (``until Oct. President ...``)
* ``LANG.starters.txt`` frequent sentence starters (Punkt ``sent_starters``); they also get an
  orthographic context "upper case at sentence start, lower case inside" so that Punkt's
  orthographic heuristic recognises them after initials.
* ``LANG.openers.txt``  capitalised words that open a sentence after a name ending in an
  abbreviation (``U.S. Officials said``): ``openers``, read by ``parallel.segment`` itself, not
  Punkt; LANG's own list only (the Arabic parameters do not take the English one).
* ``LANG.numbered.txt`` abbreviations that a number follows and that end no sentence there
  (``S. 12``, ``д. 5``): ``before_number``, read by ``parallel.segment``; LANG's own list only.
* ``LANG.titles.txt``   titles written with a capital before a name, never a sentence end before a
  capitalised word (``M. Le Pen``), case-sensitive: ``cased_titles``; LANG's own list only.

Dotted entries of ``LANG.weak.txt`` (``т.д``) are found by ``parallel.segment`` when written with
a space too (``т. д.``).

Arabic text contains Latin words (``U.S.``, ``Dr.``), so the Arabic parameters include the
English ones.

Optionally ``--train LANG FILE`` (repeatable) runs NLTK's ``PunktTrainer`` on plain text FILE and
merges what it learns (abbreviations, collocations, sentence starters, orthographic context) into
LANG's parameters. Only train on text you may redistribute the derived parameters of, and never on
the benchmark documents (``bench/segment_bench.py``) — that would only measure memorisation.
The shipped files were built without ``--train`` (see ``resources/segment/README.md``).

Usage::

    .venv/bin/python scripts/build_segmenter.py            # rebuild from the curated lists
    .venv/bin/python scripts/build_segmenter.py --check    # exit 1 if the shipped files are stale
    .venv/bin/python scripts/build_segmenter.py --train en my_public_domain_text.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RES = HERE.parent / "src" / "parallel" / "resources" / "segment"
LANGS = {"en": ["en"], "ar": ["ar", "en"],  # language -> lists merged into its parameters
         "de": ["de"], "fr": ["fr"], "es": ["es"], "ru": ["ru"]}
ORTHO_BEG_UC = 1 << 1
ORTHO_MID_LC = 1 << 5


def read_list(path: Path, *, lower: bool = True) -> list[str]:
    """Entries of a curated list (``#`` starts a comment line; blank lines skipped), in lower case
    unless ``lower`` is false."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = line.strip()
        if item and not item.startswith("#"):
            out.append(item.lower() if lower else item)
    return out


def build(lang: str, train_files: list[Path]) -> dict[str, object]:
    """Parameters of ``lang`` as a JSON-ready dict (sorted: byte-identical rebuilds)."""
    abbrev: set[str] = set()
    starters: set[str] = set()
    weak: set[str] = set()
    collocations: set[tuple[str, str]] = set()
    ortho: dict[str, int] = {}
    for src in LANGS[lang]:
        abbrev.update(a.rstrip(".") for a in read_list(RES / f"{src}.abbrev.txt"))
        starters.update(read_list(RES / f"{src}.starters.txt"))
        weak.update(a.rstrip(".") for a in read_list(RES / f"{src}.weak.txt"))
    abbrev |= weak
    openers = set(read_list(RES / f"{lang}.openers.txt"))
    numbered = {a.rstrip(".") for a in read_list(RES / f"{lang}.numbered.txt")}
    titles = {a.rstrip(".") for a in read_list(RES / f"{lang}.titles.txt", lower=False)}
    for word in starters:
        ortho[word] = ortho.get(word, 0) | ORTHO_BEG_UC | ORTHO_MID_LC
    if train_files:
        from nltk.tokenize.punkt import PunktTrainer  # full NLTK import is fine in a build script

        trainer = PunktTrainer()
        trainer.INCLUDE_ALL_COLLOCS = False
        for f in train_files:
            trainer.train(f.read_text(encoding="utf-8"), finalize=False)
        trainer.finalize_training()
        p = trainer.get_params()
        abbrev.update(p.abbrev_types)
        collocations.update(p.collocations)
        starters.update(p.sent_starters)
        for k, v in p.ortho_context.items():
            ortho[k] = ortho.get(k, 0) | v
    params: dict[str, object] = {
        "lang": lang,
        "built_by": "scripts/build_segmenter.py",
        "trained_on": [f.name for f in train_files],
        "abbrev_types": sorted(abbrev),
        "sent_starters": sorted(starters),
        "weak_abbrevs": sorted(weak),
        "collocations": sorted([list(c) for c in collocations]),
        "ortho_context": dict(sorted(ortho.items())),
    }
    for key, values in (("openers", openers), ("before_number", numbered), ("cased_titles", titles)):
        if values:  # (these keys only where a language has the list)
            params[key] = sorted(values)
    return params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the shipped files are up to date")
    ap.add_argument("--train", nargs=2, action="append", metavar=("LANG", "FILE"), default=[],
                    help="also train Punkt on FILE for LANG (repeatable)")
    args = ap.parse_args(argv)
    stale = []
    for lang in LANGS:
        files = [Path(f) for lg, f in args.train if lg == lang]
        text = json.dumps(build(lang, files), ensure_ascii=False, indent=1) + "\n"
        out = RES / f"punkt-{lang}.json"
        if args.check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                stale.append(out)
            continue
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(HERE.parent)}", file=sys.stderr)
    if stale:
        print("stale: " + ", ".join(str(s) for s in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
