"""``parallel-corpus mt-eval --hyp HYP --ref FILE``: sacrebleu BLEU, chrF++ and TER of a system's
translations of one side of an exported file against the other side."""

from __future__ import annotations

import json
import logging
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import click

from ..data import Alignment, Link
from ..normalize import INVISIBLE
from .options import note, quiet_option

METRICS = ("bleu", "chrf", "ter")
#: What --ref may be (a Vecalign file has no texts to score against)
REF_FORMATS = ("tsv", "jsonl", "tmx", "moses", "json")
# sacrebleu tokenizers; the SentencePiece ones (flores101/flores200/spm/spBLEU-1K) need the
# sentencepiece package AND download their model on first use: not available offline.
TOKENIZERS = ("13a", "intl", "zh", "char", "none", "ja-mecab", "ko-mecab", "flores101", "flores200", "spm",
              "spBLEU-1K")
_LATIN_LANGS = {"en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "fi", "pl", "cs", "sk",
                "ro", "hu", "tr", "id", "ms", "vi", "ca", "et", "lv", "lt", "sl", "hr", "sq", "sw", "tl"}


#: Languages written without spaces between words, and sacrebleu's word segmenter for them where
#: it has one (it needs MeCab, an optional install): else characters, as BLEU on them is reported
#: (``intl`` read a Japanese sentence as one or two words: BLEU 0.00 for a near-perfect hypothesis)
_NO_SPACES = {"ja": "ja-mecab", "ko": "ko-mecab", "th": None, "lo": None, "km": None, "my": None}


def default_tokenize(lang: str) -> str:
    """BLEU tokenizer for a target language: ``13a`` for Latin-script languages (sacrebleu's
    default, WMT practice), ``zh`` for Chinese, ``ja-mecab`` / ``ko-mecab`` for Japanese and Korean
    where MeCab is installed and ``char`` for them (and Thai, Lao, Khmer, Burmese) where it is not,
    else ``intl`` (Unicode punctuation and symbols split off -- works offline for Arabic;
    ``flores200`` would need a model download)."""
    import importlib.util

    from ..lang import primary

    base = primary(lang)
    if base == "zh":
        return "zh"
    if base in _NO_SPACES:
        mecab = _NO_SPACES[base]
        return mecab if mecab is not None and importlib.util.find_spec("MeCab") is not None else "char"
    return "13a" if base in _LATIN_LANGS else "intl"


def split_direction(direction: str, langs: tuple[str, str]) -> tuple[str, str] | None:
    """``direction`` as (source, target) when it names the file's two languages either way round,
    split where it matches them (a code may hold a hyphen: ``ar-en-gb`` is ar + en-gb); else None."""
    if langs[0] == langs[1]:
        return None
    for s, t in (langs, (langs[1], langs[0])):
        if direction == f"{s}-{t}":
            return s, t
    return None


@dataclass(frozen=True)
class MetricResult:
    name: str
    score: float
    signature: str
    line: str  # sacrebleu's own one-line form, signature included


def corpus_scores(hyps: list[str], refs: list[str], metrics: list[str], tokenize: str) -> list[MetricResult]:
    """Corpus-level sacrebleu scores of ``hyps`` against one reference each."""
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF
    from sacrebleu.metrics.ter import TER

    from ..errors import ParallelError

    out = []
    sacrelogger = logging.getLogger("sacrebleu")
    for name in metrics:
        level = sacrelogger.level
        try:
            metric: Any
            # sacrebleu's own deprecated calls (logger.warn) and its notices ("Tokenizer 'spm' has
            # been changed to 'flores101'"): not ours to show, and an error must stay one line
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                sacrelogger.setLevel(logging.ERROR)
                if name == "bleu":
                    metric = BLEU(tokenize=tokenize)
                elif name == "chrf":
                    metric = CHRF(word_order=2)
                else:
                    metric = TER()
                score = metric.corpus_score(hyps, [refs])
        except RuntimeError as exc:  # ja-mecab / ko-mecab without their extra packages
            raise ParallelError(f"--tokenize {tokenize}: {' '.join(str(exc).split())[:160]} "
                                "(or use char for a language written without spaces, intl for others)") from None
        except (ImportError, OSError, SystemExit) as exc:  # sacrebleu exits on some download errors
            raise ParallelError(f"--tokenize {tokenize}: {' '.join(str(exc).split())[:160]} "
                                "(the SentencePiece tokenizers need a model download; use intl "
                                "offline)") from None
        finally:
            sacrelogger.setLevel(level)
        sig = str(metric.get_signature())
        out.append(MetricResult(score.name, float(score.score), sig, score.format(signature=sig)))
    return out


def sentence_chrf(hyps: list[str], refs: list[str]) -> list[float]:
    """chrF++ of each hypothesis against its reference (sacrebleu ``CHRF(word_order=2)``)."""
    from sacrebleu.metrics.chrf import CHRF

    chrf = CHRF(word_order=2)
    return [float(chrf.sentence_score(h, [r]).score) for h, r in zip(hyps, refs, strict=True)]


#: What :func:`fold_for_scoring` leaves out: the invisible marks and tatweel
_UNSEEN = {ord(c): None for c in INVISIBLE + "\u0640"}


def fold_for_scoring(text: str) -> str:
    """``text`` as a reader sees it, for a metric: invisible marks (:data:`parallel.normalize.INVISIBLE`:
    direction marks, zero-width characters) and tatweel left out, Arabic presentation forms (a
    PDF's ﺇﻧﻬﻢ, the ligature ﻻ) as the letters they stand for
    (:func:`parallel.normalize.presentation_forms_as_letters`); vowel marks and digits kept (a
    translation may choose them)."""
    from ..normalize import presentation_forms_as_letters

    if text.isascii():
        return text
    return presentation_forms_as_letters(text).translate(_UNSEEN)


def _folded(rows: list[_Row]) -> tuple[list[_Row], tuple[int, int]]:
    """``rows`` with HYP and reference folded (:func:`fold_for_scoring`), and how many HYP and
    reference lines that changed."""
    out, n_h, n_r = [], 0, 0
    for entry, link, h, r in rows:
        fh, fr = fold_for_scoring(h), fold_for_scoring(r)
        n_h += fh != h
        n_r += fr != r
        out.append((entry, link, fh, fr))
    return out, (n_h, n_r)


def _hyp_lines(path: str) -> list[str]:
    """HYP's lines, each without the invisible marks at its edges (a right-to-left mark that Arabic
    MT post-processing puts around a line): the segmenter leaves them out of every sentence, so the
    references never have them, and sacrebleu counted them as characters of the first and last
    word (a perfect translation wrapped in RLMs scored BLEU 92)."""
    from ..io import read_text

    lines = read_text(path, allow_empty=True).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [without_edge_marks(ln.removesuffix("\r")) for ln in lines]


def without_edge_marks(line: str) -> str:
    """``line`` without the invisible marks (bidi controls, zero-width characters) at its two ends,
    and the white space between them, cut as the segmenter cuts the references
    (:func:`parallel.segment.edge_span`); the words and the marks inside are kept."""
    from ..normalize import INVISIBLE
    from ..segment import edge_span

    a, b = edge_span(line)
    if not any(c in INVISIBLE for c in line[:a] + line[b:]):
        return line  # white space alone at the edges: sacrebleu's to read, as before
    return line[a:b]


def wrong_script(hyps: list[str], parts: tuple[str, str], direction: str) -> str | None:
    """What to say where HYP is written in another script than the reference's language (English
    scored against Arabic: sacrebleu gives BLEU near 0 without a word): HYP in the source's script
    is a translation the other way (a file whose sides are the other way round; a Hugging Face
    JSONL whose key order made the default direction en-ar) or the source itself. None where HYP
    is in the reference's script, or where the two languages share one (no script tells them)."""
    from ..lang import SCRIPT_OF, primary, script_of

    src_script, ref_script = SCRIPT_OF.get(primary(parts[0])), SCRIPT_OF.get(primary(parts[1]))
    if ref_script is None or src_script == ref_script:
        return None
    got, share = script_of("\n".join(h for h in hyps[:2000] if h.strip()))
    if got is None or got == ref_script or share < 0.6:
        return None
    name = got.title()
    if got == src_script:
        flip = "-".join(reversed(direction.split("-", 1)))
        return (f"HYP is in {name} script, the {parts[0]} side's, but the reference of {direction} is the {parts[1]} "
                f"side: translations the other way (--direction {flip}), or the untranslated source? "
                "The scores below compare two languages")
    return f"HYP is in {name} script, but the reference of {direction} is {parts[1]}: the scores below mean nothing"


@click.command("mt-eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--hyp", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="System translations, one per line, line n for pair n of the reference file.")
@click.option("--ref", required=True, type=click.Path(dir_okay=False),
              help="Exported pairs (tsv, jsonl, tmx, moses, json); the target side of "
                   "--direction is the reference.")
@click.option("--from", "from_fmt", type=click.Choice(list(REF_FORMATS)),
              default=None, help="Format of --ref (default: from its name, else from its first line).")
@click.option("--metrics", default="bleu,chrf,ter", show_default=True,
              help="Comma-separated: bleu, chrf (chrF++), ter.")
@click.option("--direction", default=None, metavar="SRC-TGT",
              help="ar-en: HYP translates the Arabic side, the English side is the reference "
                   "(default: the file's source-target order).")
@click.option("--tokenize", type=click.Choice(TOKENIZERS), default=None,
              help="BLEU tokenizer (default: 13a for English and other Latin-script targets, intl for "
                   "Arabic and other scripts, zh for Chinese; ja-mecab / ko-mecab for Japanese and Korean "
                   "where MeCab is installed, else char, as for Thai, Lao, Khmer and Burmese).")
@click.option("--sentence", is_flag=True, help="Also print chrF++ of every pair.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--raw", is_flag=True,
              help="Score the texts as written: do not leave out the invisible marks, tatweel and "
                   "presentation forms that HYP and reference may hold (said on stderr when they do).")
@quiet_option
def command(hyp: str, ref: str, from_fmt: str | None, metrics: str, direction: str | None,
            tokenize: str | None, sentence: bool, as_json: bool, quiet: bool, raw: bool = False) -> None:
    """Score a system's translations against one side of an exported file with sacrebleu:
    corpus BLEU, chrF++ (chrF, word order 2) and TER, each with sacrebleu's signature.

    Pairs with an empty source or reference side are skipped (counted on stderr). HYP must
    have one line per pair of the file: translate the source side as the Moses export writes
    it (`filter FILE -f moses -o NAME` writes NAME.ar-en.ar, line n for pair n; every export
    format holds the same pairs), or take a TSV's `src` column by its name: its place depends
    on the file (run's `_all.tsv` has `pair` first, where `cut -f3` gives target ids). HYP or
    reference lines that are mostly sentence ids (`0`, `3,4`) while the other side is text are
    said on stderr: a column cut from the wrong place scores near 0 without a word.

    \b
    Examples:
      parallel-corpus filter pairs.tsv -f moses -o src -q ; my-mt < src.ar-en.ar > hyp.en
      awk -F'\\t' 'NR==1{for(i=1;i<=NF;i++)if($i=="src")c=i;next}{print $c}' pairs.tsv > src.ar
      parallel-corpus mt-eval --hyp hyp.en --ref pairs.tsv
      parallel-corpus mt-eval --hyp hyp.ar --ref pairs.jsonl --direction en-ar --sentence
    """
    from ..errors import InputError

    log = note(quiet)
    # each metric once, in the order first named ("bleu,bleu" printed BLEU twice)
    wanted = list(dict.fromkeys(m.strip().lower() for m in metrics.split(",") if m.strip()))
    bad = [m for m in wanted if m not in METRICS]
    if bad or not wanted:
        raise InputError(f"--metrics: unknown {', '.join(bad) or repr(metrics)}; choose from {', '.join(METRICS)}")
    al = _reference(ref, from_fmt)
    direction, parts, reverse = _direction(al, direction)
    rows, skipped = _scored_pairs(_hyp_lines(hyp), al, reverse, hyp, ref)
    folded = (0, 0)
    if not raw:
        rows, folded = _folded(rows)
        if any(folded) and log:
            log(f"note: {folded[0]} HYP and {folded[1]} reference lines hold invisible marks (direction marks, "
                "zero-width characters), tatweel or Arabic presentation forms (text copied out of a PDF), "
                "which no reader sees and sacrebleu counts as characters: scored without them, the same "
                "way on both sides (--raw scores them as written)")
    said = ids_not_text([r[2] for r in rows], [r[3] for r in rows]) or wrong_script([r[2] for r in rows], parts,
                                                                                     direction)
    if said:  # a warning, -q or not: the scores below mean nothing
        click.echo(f"parallel-corpus: warning: {said}", err=True)
    tok = tokenize or default_tokenize(parts[1])
    if "bleu" not in wanted and tokenize is not None and log:  # chrF and TER tokenize on their own
        log(f"--tokenize {tokenize} is not used: it is BLEU's tokenizer, and --metrics {','.join(wanted)} has no BLEU")
    results = corpus_scores([r[2] for r in rows], [r[3] for r in rows], wanted, tok)
    per_pair = sentence_chrf([r[2] for r in rows], [r[3] for r in rows]) if sentence else []
    if log:
        log(f"{direction}: {len(rows)} pairs scored" + (f", {skipped} with an empty side skipped" if skipped
                                                      else "") + f"; reference {ref}" + (f" (made by {_made_by(al.signature)})" if al.signature else ""))
    if as_json:
        _write_json(al, direction, rows, skipped, tok if "bleu" in wanted else None, results, per_pair, sentence,
                    None if raw else folded)
    else:
        _write_text(al, rows, results, per_pair, sentence)


_ID_LIST = re.compile(r"\s*\d+(?:\s*,\s*\d+)*\s*")


def _id_share(lines: list[str]) -> tuple[int, int]:
    """How many of the non-blank ``lines`` are a list of sentence ids (``0``, ``3,4``), of how many."""
    full = [ln for ln in lines if ln.strip()]
    return sum(1 for ln in full if _ID_LIST.fullmatch(ln)), len(full)


def ids_not_text(hyps: list[str], refs: list[str]) -> str | None:
    """What to say where most HYP lines (or most references) are lists of sentence ids (``0``,
    ``3,4``) while most of the other side is text: a column cut from the wrong place of a TSV
    (``cut -f3`` of ``run``'s ``_all.tsv``, whose first column is ``pair``, gives its target ids),
    which sacrebleu scores near 0 without a word. None otherwise (a table of figures on both sides
    is text that happens to be numbers)."""
    for what, lines, other in (("HYP", hyps, refs), ("reference", refs, hyps)):
        n, of = _id_share(lines)
        m, of_other = _id_share(other)
        if of and 2 * n > of and not 2 * m > of_other:
            return (f"{n} of {of} {what} lines look like sentence ids ({', '.join(repr(x) for x in lines[:2])} ...), "
                    f"not text: cut from an id column? (run's _all.tsv has pair first, so its src is column 4, "
                    f"not 3); take the texts by the header's column name, or from filter FILE -f moses -o NAME")
    return None


#: A scored pair: its 0-based entry in the file (line n of HYP), the link, the hypothesis, the reference.
_Row = tuple[int, Link, str, str]


def _reference(ref: str, from_fmt: str | None) -> Alignment:
    """The reference file read as an alignment (an export with the texts; a Vecalign file has none)."""
    from ..errors import InputError
    from ..readers import pairs_format, read_pairs

    ref_fmt = pairs_format(ref, from_fmt, choices=REF_FORMATS)
    if ref_fmt == "vecalign":
        raise InputError(f"{ref}: a Vecalign file holds sentence ids and scores but no text to score "
                         "against; give an export with the texts (tsv, jsonl, tmx, moses or json)")
    return read_pairs(ref, ref_fmt)


def _direction(al: Alignment, direction: str | None) -> tuple[str, tuple[str, str], bool]:
    """``direction`` checked against the file's languages (the file's own when None): the direction,
    its (source, reference) languages, and whether the file's sides are taken the other way round."""
    from ..errors import InputError

    langs = (al.src.lang, al.tgt.lang)
    same = f"{langs[0]}-{langs[1]}"
    if langs[0] == langs[1] and direction not in (None, same):
        # one language on both sides (a paraphrase, a revision): the target side is the reference,
        # and no direction names the other way round
        raise InputError(f"--direction {direction}: the file holds {same} pairs (one language on both sides), "
                         "scored against its target side; leave --direction out")
    direction = direction or same
    parts = langs if langs[0] == langs[1] else split_direction(direction, langs)
    if parts is None:
        raise InputError(f"--direction {direction}: the file holds {langs[0]}-{langs[1]} pairs; "
                         f"use {langs[0]}-{langs[1]} or {langs[1]}-{langs[0]}")
    return direction, parts, parts != langs


def _scored_pairs(hyps: list[str], al: Alignment, reverse: bool, hyp: str, ref: str) -> tuple[list[_Row], int]:
    """HYP's lines matched with the file's pairs (line n translates pair n; a HYP made from the
    pairs with text on both sides, or from a comparable ``--keep-empty`` export, is matched as it
    was made), and how many pairs are skipped for an empty side."""
    from ..errors import InputError

    links = list(al.links)
    unmatched = sorted(set(al.info.get("unmatched_rows") or ()))
    if unmatched and len(hyps) == len(links) + len(unmatched):
        # a comparable --keep-empty export: line n of HYP is entry n of the file, the unmatched
        # sentences included; having no reference, they are skipped like any empty side
        gone = set(unmatched)
        hyps = [h for n, h in enumerate(hyps) if n not in gone]
        entry = [n for n in range(len(links) + len(unmatched)) if n not in gone]
    else:
        unmatched = []
        entry = list(range(len(links)))
        both = [n for n, k in enumerate(links) if k.src and k.tgt]
        if len(hyps) != len(links) and len(hyps) == len(both) < len(links):
            # HYP made from a default tsv/jsonl/tmx/moses export (the pairs with text on both
            # sides) scored against a file that also lists the 1-0/0-1 links (the native JSON, a
            # --keep-empty export): line n of HYP is pair n of those
            links = [links[n] for n in both]
            entry = both
    if len(hyps) != len(links):
        if len(hyps) == len(links) + 1 and hyps and hyps[0] in ("src", "tgt"):
            hint = ("HYP starts with the TSV header line: leave it out (`tail -n +2`, or export with "
                    "--no-header), or take the source side from the Moses export (filter FILE -f moses -o NAME)")
        else:
            hint = ("line n of HYP must translate pair n: make HYP from the pairs of this very file "
                    "(every export of one alignment holds the same pairs, unless filtered differently or "
                    "written with --keep-empty)")
        raise InputError(f"{hyp} has {len(hyps)} lines but {ref} holds {len(links)} pairs; {hint}")
    rows = []
    for n, (h, link) in enumerate(zip(hyps, links, strict=True)):
        src_text, ref_text = al.src_text(link), al.tgt_text(link)
        if reverse:
            src_text, ref_text = ref_text, src_text
        if src_text.strip() and ref_text.strip():
            rows.append((entry[n], link, h, ref_text))  # the pair's line in the file
    if not rows:
        raise InputError(f"{ref}: no pair has text on both sides")
    return rows, len(links) - len(rows) + len(unmatched)


def _ids(al: Alignment, link: Link) -> tuple[list[int], list[int]] | None:
    """A pair's own sentence ids on both sides; None for a file without ids (Moses)."""
    from ..export import NO_IDS, own_ids

    if al.info.get(NO_IDS):
        return None
    return list(own_ids(al, link.src, link.features, 0)), list(own_ids(al, link.tgt, link.features, 1))


def _write_json(al: Alignment, direction: str, rows: list[_Row], skipped: int, tok: str | None,
                results: list[MetricResult], per_pair: list[float], sentence: bool,
                folded: tuple[int, int] | None = (0, 0)) -> None:
    joined = any(r[1].features.get("pair") is not None for r in rows)  # run's _all.*: the pairs named
    doc: dict[str, Any] = {
        "direction": direction, "pairs": len(rows), "skipped": skipped,
        "tokenize": tok,  # BLEU's; chrF and TER have their own
        "scores": [{"metric": r.name, "score": round(r.score, 4), "signature": r.signature}
                   for r in results],
        "reference_signature": al.signature,
        # the lines scored without invisible marks, tatweel, presentation forms; null: --raw
        "folded": None if folded is None else {"hyp": folded[0], "reference": folded[1]},
    }
    if sentence:  # a file without ids (Moses) has none to give: null
        doc["sentences"] = []
        for r, s in zip(rows, per_pair, strict=True):
            ids = _ids(al, r[1])
            doc["sentences"].append({"entry": r[0], **({"pair": r[1].features["pair"]} if joined else {}),
                                     "src_ids": None if ids is None else ids[0],
                                     "tgt_ids": None if ids is None else ids[1], "chrf": round(s, 4)})
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n")


def _write_text(al: Alignment, rows: list[_Row], results: list[MetricResult], per_pair: list[float],
                sentence: bool) -> None:
    out = sys.stdout
    joined = any(r[1].features.get("pair") is not None for r in rows)  # run's _all.*: the pairs named
    if sentence:  # entry: the pair's 0-based place in the file (line n of HYP); pair: run's pair name
        out.write("entry\t" + ("pair\t" if joined else "") + "src_ids\ttgt_ids\tchrF++\n")
        for r, s in zip(rows, per_pair, strict=True):
            ids = _ids(al, r[1])
            cols = ("", "") if ids is None else (",".join(map(str, ids[0])), ",".join(map(str, ids[1])))
            name = f"{r[1].features['pair']}\t" if joined else ""
            out.write(f"{r[0]}\t{name}{cols[0]}\t{cols[1]}\t{s:.2f}\n")
        out.write("\n")
    for res in results:
        out.write(res.line + "\n")


def _made_by(signature: str) -> str:
    """A signature as one line: a file joining pairs made differently (run's _all.tsv of a parallel
    and a comparable pair) has several, one per line (:func:`parallel.readers.mixed_signature`)."""
    sigs = [x for x in signature.splitlines() if x.strip()]
    return sigs[0] if len(sigs) <= 1 else f"{len(sigs)} signatures: " + "; ".join(sigs)
