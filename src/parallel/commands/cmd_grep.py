"""``parallel-corpus grep PATTERN ALIGNMENT``: a parallel concordance."""

from __future__ import annotations

import sys

import click

_WS = str.maketrans({c: " " for c in "\t\r\n\x0b\x0c\x85\u2028\u2029"})


def _flat(text: str) -> str:
    return text.translate(_WS)


@click.command("grep", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("pattern")
@click.argument("alignment", type=click.Path(dir_okay=False))
@click.option("-E", "--regex", is_flag=True, help="PATTERN is a regular expression (Python syntax).")
@click.option("-w", "--word", is_flag=True, help="Match whole words only.")
@click.option("-s", "--side", type=click.Choice(["src", "tgt", "both"]), default="both", show_default=True,
              help="Search the source side, the target side or both.")
@click.option("-c", "--count", "count_only", is_flag=True,
              help="Print only the counts (matches per side, sentences, links).")
@click.option("--width", type=click.IntRange(5, 500), default=40, show_default=True,
              help="Characters of context on each side of a match.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "tsv", "jsonl"]), default="text",
              show_default=True, help="text: aligned KWIC lines; tsv/jsonl: one hit per line for tools.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: when a terminal).")
@click.option("-n", "--max-hits", type=click.IntRange(1), default=None, help="Stop after this many hits.")
def command(pattern: str, alignment: str, regex: bool, word: bool, side: str, count_only: bool,
            width: int, fmt: str, color: bool | None, max_hits: int | None) -> int:
    """Find PATTERN in an alignment file (native JSON), with the aligned segment beside each hit.

    Matching ignores case, and in Arabic the diacritics (harakat), tatweel and
    the alef/hamza variants (أ إ آ ا, ؤ/و, ئ/ى/ي, ة/ه); hits are shown as written.
    Exit status: 0 when something matched, 1 when nothing did (like grep).

    \b
    Output columns (text): link, side:sentence, left context «match» right
    context, then the aligned sentence(s) of the other side ("(unmatched)" if none).

    \b
    Examples:
      parallel-corpus grep "منظمة الصحة" pair.json
      parallel-corpus grep -s tgt -w WHO pair.json
      parallel-corpus grep -E "\\d+ (countries|دولة)" pair.json --count
      parallel-corpus grep الصين pair.json -f tsv | cut -f5,6
    """
    import json

    from ..concordance import concordance, counts
    from ..readers import read_alignment

    al = read_alignment(alignment)
    hits = concordance(al, pattern, regex=regex, side=side, word=word)
    if max_hits is not None:
        hits = hits[:max_hits]
    out = sys.stdout
    if count_only:
        c = counts(hits)
        out.write(f"{c['matches']} matches ({al.src.lang}: {c['src']}, {al.tgt.lang}: {c['tgt']}) "
                  f"in {c['sentences']} sentences, {c['links']} links"
                  + (f", {c['unmatched']} unmatched sentences" if c["unmatched"] else "") + "\n")
        return 0 if hits else 1
    if color is None:
        color = out.isatty()
    on, off = ("\x1b[1;31m", "\x1b[0m") if color else ("«", "»")
    for h in hits:
        link = "-" if h.link is None else str(h.link)
        other = ",".join(map(str, h.other_ids))
        if fmt == "jsonl":
            out.write(json.dumps({**h.to_dict(width)}, ensure_ascii=False) + "\n")
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
            # U+2068/U+2069 isolate each text run so a right-to-left snippet cannot
            # reorder the columns around it in a bidi-aware terminal.
            out.write(f"L{link}\t{h.lang}:{h.sentence}\t\u2068{left}{on}{_flat(h.match)}{off}{right}\u2069"
                      f"\t\u2068{aligned}\u2069\n")
    return 0 if hits else 1
