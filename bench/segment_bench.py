#!/usr/bin/env python3
"""Sentence-boundary precision / recall / F1 of ``parallel.segment`` on NTREX-128 documents.

NTREX-128 (``../shared/bench/ntrex128_arb_eng``, CC BY-SA 4.0) has one sentence per line and a
document id per line. Each document is rebuilt as running text: its first line (the headline) is a
paragraph of its own, the other sentences are joined with a space into paragraphs of 2-5
sentences (sizes cycle deterministically), paragraphs separated by a blank line (English) or a
single newline (Arabic, like the seed article). The text is re-split and scored on the sentence
boundaries *inside* paragraphs (paragraph ends are given away by the line breaks and are not
counted). A predicted boundary is a hit when a segment ends at the gold sentence end (white space
between sentences ignored).

Nothing in the segmenter was trained or tuned on these documents' text; the curated lists live in
``src/parallel/resources/segment``.

Usage::

    .venv/bin/python bench/segment_bench.py [--bench-dir DIR] [--show N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "bench" / "ntrex128_arb_eng"
FILES = {"en": "newstest2019-src.eng.txt", "ar": "newstest2019-ref.arb.txt"}
SIZES = (3, 2, 4, 5, 3, 2)
END_PUNCT = tuple(".?!؟…\"'”’»)")
FINAL = re.compile(r"[.?!؟…][\"'”’»)\]]*$")


def build_documents(bench: Path, lang: str, natural: bool = False) -> list[tuple[str, set[int], int]]:
    """Documents as (text, gold in-paragraph boundary offsets, n sentences).

    ``natural``: a gold sentence without sentence-final punctuation (a headline,
    sub-heading, caption or list item, or a translator's dropped full stop) ends its
    paragraph, as such lines do in real documents; otherwise paragraphs are formed
    blindly and such boundaries are unrecoverable by any splitter.
    """
    ids = (bench / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    lines = (bench / FILES[lang]).read_text(encoding="utf-8").splitlines()
    docs: OrderedDict[str, list[str]] = OrderedDict()
    for doc_id, line in zip(ids, lines):
        docs.setdefault(doc_id.split("\t")[0], []).append(line.strip())
    sep = "\n\n" if lang == "en" else "\n"
    out = []
    for k, sents in enumerate(docs.values()):
        sents = [s for s in sents if s]
        paras = [[sents[0]]]
        i, c = 1, k
        while i < len(sents):
            size = SIZES[c % len(SIZES)]
            group = sents[i:i + size]
            if natural:
                for j, sent in enumerate(group):
                    if not FINAL.search(sent):
                        group = group[:j + 1]
                        break
            paras.append(group)
            i += len(group)
            c += 1
        text = ""
        gold: set[int] = set()
        for p, para in enumerate(paras):
            if p:
                text += sep
            for j, s in enumerate(para):
                if j:
                    text += " "
                text += s
                if j < len(para) - 1:
                    gold.add(len(text))
        out.append((text, gold, len(sents)))
    return out


def evaluate(lang: str, docs: list[tuple[str, set[int], int]], show: int) -> dict[str, float]:
    from parallel.segment import segment, split_paragraphs

    tp = fp = fn = 0
    unpunct = 0
    shown = 0
    t0 = time.perf_counter()
    for text, gold, _ in docs:
        segs = segment(text, lang)
        para_ends = {b for _, b in split_paragraphs(text)}
        pred = {s.end for s in segs} - para_ends
        unpunct += sum(1 for g in gold if not text[:g].rstrip().endswith(END_PUNCT))
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        for kind, pos_set in (("FP", pred - gold), ("FN", gold - pred)):
            for pos in sorted(pos_set):
                if shown < show:
                    print(f"  {lang} {kind}: …{text[max(0, pos - 60):pos]!r} | {text[pos:pos + 40]!r}…")
                    shown += 1
    secs = time.perf_counter() - t0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": p, "R": r, "F1": f, "tp": tp, "fp": fp, "fn": fn, "unpunct": unpunct, "secs": secs,
            "chars": sum(len(t) for t, _, _ in docs)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--show", type=int, default=0, help="print up to N errors per language and table")
    args = ap.parse_args(argv)
    if not (args.bench_dir / "DOCUMENT_IDS.tsv").exists():
        print(f"no benchmark data at {args.bench_dir}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    from parallel.segment import get_splitter

    get_splitter("en")
    get_splitter("ar")
    print(f"load (Punkt + both parameter files): {time.perf_counter() - t0:.3f} s")
    for natural, title in ((True, "natural paragraphs: a sentence without final punctuation ends its paragraph"),
                           (False, "blind paragraphs: 2-5 sentences whatever their punctuation")):
        print(f"\nNTREX-128 newstest2019, 123 documents, boundaries inside paragraphs; {title}")
        print(f"{'lang':4} {'P':>7} {'R':>7} {'F1':>7} {'tp':>5} {'fp':>4} {'fn':>4}  gold-unpunctuated  time")
        for lang in ("en", "ar"):
            docs = build_documents(args.bench_dir, lang, natural)
            m = evaluate(lang, docs, args.show)
            print(f"{lang:4} {m['P']:7.4f} {m['R']:7.4f} {m['F1']:7.4f} {m['tp']:5d} {m['fp']:4d} {m['fn']:4d}"
                  f"  {m['unpunct']:17d}  {m['secs']:.3f} s"
                  f" ({m['chars'] / max(m['secs'], 1e-9) / 1e6:.2f} M chars/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
