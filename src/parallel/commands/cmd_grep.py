"""``parallel-corpus grep PATTERN ALIGNMENT``: a parallel concordance."""

from __future__ import annotations

import contextlib
import os
import sys
import unicodedata

import click

_WS = str.maketrans({c: " " for c in "\t\r\n\x0b\x0c\x85\u2028\u2029"})


def _flat(text: str) -> str:
    return text.translate(_WS)


def use_color(choice: str, stream: object) -> bool:
    """``--color`` resolved: ``auto`` colours a terminal unless ``NO_COLOR`` is set (no-color.org)
    or ``TERM=dumb``; ``always``/``never`` win over both."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text if not ch.isascii())


def isolate(text: str, on: bool) -> str:
    """``text`` between U+2068/U+2069 (first-strong isolate) when ``on`` and it holds right-to-left
    letters: in a bidi-aware terminal an Arabic snippet then cannot pull the tab-separated columns
    around it into its own order. Off for files and pipes, where the invisible characters would only
    get in the way of ``cut``, ``awk`` and search."""
    return f"\u2068{text}\u2069" if on and _has_rtl(text) else text


@click.command("grep", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("pattern")
@click.argument("alignment", type=click.Path(dir_okay=False))
@click.option("-E", "--regex", is_flag=True, help="PATTERN is a regular expression (Python syntax).")
@click.option("-w", "--word", is_flag=True, help="Match whole words only (an Arabic word may carry the proclitics و ف ب ك ل: -w الزكاة finds "
                   "والزكاة; the article is part of the word: -w جمعية does not find الجمعية, -E -w '(ال)?جمعية' finds "
                   "both), and whole numbers (-w 800 does not find 379,800).")
@click.option("-S/-i", "--case-sensitive/--ignore-case", default=False,
              help="Letter case must match (default: ignored; Arabic has no case, its folding always "
                   "applies).")
@click.option("-s", "--side", type=click.Choice(["src", "tgt", "both"]), default="both", show_default=True,
              help="Search the source side, the target side or both.")
@click.option("-c", "--count", "count_only", is_flag=True,
              help="Print only the counts (matches per side, sentences, links), as one line of -f's "
                   "format.")
@click.option("--width", type=click.IntRange(5, 500), default=40, show_default=True,
              help="Characters of context on each side of a match.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "tsv", "jsonl"]), default="text",
              show_default=True, help="text: aligned KWIC lines; tsv/jsonl: one hit per line for tools.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Highlight matches: auto = on a terminal unless NO_COLOR is set.")
@click.option("--no-color", is_flag=True, help="Same as --color never.")
@click.option("-n", "--max-hits", type=click.IntRange(1), default=None, help="Stop after this many hits.")
@click.option("--header/--no-header", default=True, show_default=True,
              help="-f tsv: a header line naming the columns.")
@click.option("-q", "--quiet", is_flag=True, help="No line on stderr when nothing matched.")
def command(pattern: str, alignment: str, regex: bool, word: bool, case_sensitive: bool, side: str,
            count_only: bool, width: int, fmt: str, color: str, no_color: bool, max_hits: int | None,
            header: bool, quiet: bool) -> int:
    """Find PATTERN in an alignment file (native JSON), with the aligned segment beside each hit.

    Matching ignores case (-S to respect it), and in Arabic the diacritics
    (harakat), tatweel and the alef/hamza variants (أ إ آ ا, ؤ/و, ئ/ى/ي, ة/ه);
    hits are shown as written. Exit status: 0 when something matched, 1 when
    nothing did (like grep), with a line on stderr saying what was searched
    where (-q: none).

    \b
    Output columns (text): link, side:sentence, left context «match» right
    context, then the aligned sentence(s) of the other side ("(unmatched)" if none).
    On a terminal, matches are in colour (--color, NO_COLOR) and Arabic columns
    are bidi-isolated (U+2068...U+2069) so they keep their place; in a file or
    pipe the text is plain.

    \b
    Examples:
      parallel-corpus grep "منظمة الصحة" pair.json
      parallel-corpus grep -s tgt -w -S WHO pair.json
      parallel-corpus grep -E "\\d+ (countries|دولة)" pair.json --count
      parallel-corpus grep الصين pair.json -f tsv | cut -f5,6
    """
    import json

    from ..concordance import TSV_COLUMNS, concordance, counts, counts_line, no_match_line
    from ..readers import read_alignment

    al = read_alignment(alignment)
    # in an ASCII locale (LC_ALL=C, PYTHONUTF8=0) an Arabic argument arrives as surrogates of its
    # UTF-8 bytes, and matched nothing; its bytes are UTF-8 (what else would a pattern be?)
    with contextlib.suppress(UnicodeError):
        pattern = os.fsencode(pattern).decode("utf-8")
    hits = concordance(al, pattern, regex=regex, side=side, word=word, case_sensitive=case_sensitive)
    if max_hits is not None:
        hits = hits[:max_hits]
    out = sys.stdout
    if count_only:
        c = counts(hits)
        if fmt == "jsonl":  # for tools, as the hits are (it printed the sentence for people)
            out.write(json.dumps({"src_lang": al.src.lang, "tgt_lang": al.tgt.lang, **c}) + "\n")
        elif fmt == "tsv":
            if header:
                out.write("\t".join(["src_lang", "tgt_lang", *c]) + "\n")
            out.write("\t".join([al.src.lang, al.tgt.lang, *map(str, c.values())]) + "\n")
        else:
            out.write(counts_line(c, al.src.lang, al.tgt.lang) + "\n")
        return 0 if hits else 1
    if not hits and not quiet:
        print(no_match_line(pattern, al, side=side, regex=regex, case_sensitive=case_sensitive), file=sys.stderr)
    if no_color:
        color = "never"
    colored = use_color(color, out)
    terminal = colored or bool(out.isatty())  # a person reads it: isolate Arabic runs
    on, off = ("\x1b[1;31m", "\x1b[0m") if colored else ("«", "»")
    if fmt == "tsv" and header:
        out.write("\t".join(TSV_COLUMNS) + "\n")
    for h in hits:
        link = "-" if h.link is None else str(h.link)
        other = ",".join(map(str, h.other_ids))
        if fmt == "jsonl":
            out.write(json.dumps({**h.to_dict(width)}, ensure_ascii=False, allow_nan=False) + "\n")
        elif fmt == "tsv":
            out.write("\t".join([link, h.lang, str(h.sentence), _flat(h.left(width)), _flat(h.match),
                                 _flat(h.right(width)), h.other_lang, other, _flat(h.other_text)]) + "\n")
        else:
            left = _flat(h.left(width))
            left = ("…" if h.start > width else "") + left
            right = _flat(h.right(width)) + ("…" if h.end + width < len(h.text) else "")
            text = _flat(h.other_text)
            if len(text) > 3 * width:
                text = text[:3 * width] + "…"
            aligned = (f"{h.other_lang}:{other} {text}" if h.other_ids
                       else "(unmatched)")
            kwic = isolate(f"{left}{on}{_flat(h.match)}{off}{right}", terminal)
            out.write(f"L{link}\t{h.lang}:{h.sentence}\t{kwic}\t{isolate(aligned, terminal)}\n")
    return 0 if hits else 1
