"""``parallel-corpus eval PRED GOLD``: score alignments against gold."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import quiet_option


def _doc_key(path: Path) -> str:
    """Document id of a file: its name up to the first dot (``test0.defr`` -> ``test0``)."""
    return path.name.split(".", 1)[0]


def _files(path: Path, pattern: str, what: str) -> dict[str, Path]:
    from ..errors import InputError

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file():
        return {"": path}
    found = sorted(p for p in path.glob(pattern) if p.is_file() and not p.name.startswith("."))
    if not found:
        raise InputError(f"{path}: no {what} files matching {pattern!r} (see --glob/--gold-glob)")
    out: dict[str, Path] = {}
    for p in found:
        key = _doc_key(p)
        if key in out:
            raise InputError(f"{path}: two {what} files for document {key!r}: {out[key].name}, {p.name}")
        out[key] = p
    return out


def _kind(path: Path) -> str:
    from ..io import read_text

    for line in read_text(path, allow_empty=True).splitlines():
        if line.strip() and not line.startswith("#"):
            return "vecalign" if line.lstrip().startswith("[") else "tsv"
    return "vecalign"


def read_mined(path: Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Id pairs of a pairs file: TSV (``mine``/``align`` output or gold: the first two columns),
    or any other export of the pair schema (jsonl, tmx, json) read by :func:`read_pairs`."""
    from ..evaluate import read_pairs_tsv
    from ..export import SUFFIXES
    from ..readers import read_pairs

    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt in ("jsonl", "tmx", "json"):
        return [(k.src, k.tgt) for k in read_pairs(path, fmt).links]
    return read_pairs_tsv(path)


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("pred", type=click.Path(path_type=Path))
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "vecalign", "tsv"]), default="auto",
              show_default=True,
              help="vecalign: alignments ([0, 1]:[2]), strict/lax scores; tsv: mined id pairs "
                   "(PRED may be any export of mine or align: tsv, jsonl, tmx, json), "
                   "precision/recall/F1; auto: from the first gold line.")
@click.option("--glob", "pattern", default="*.align", show_default=True, metavar="PATTERN",
              help="Files to read in a PRED folder (and in GOLD unless --gold-glob).")
@click.option("--gold-glob", default=None, metavar="PATTERN", help="Files to read in a GOLD folder.")
@click.option("--null-policy", type=click.Choice(["reference", "drop"]), default="reference", show_default=True,
              help="Links with an empty side (1-0, 0-1). reference: predicted ones count in precision, "
                   "exactly as Vecalign's score.py (and Bertalign's eval.py) count them, so figures "
                   "compare with published ones; drop: left out of precision too (higher figures).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@quiet_option
def command(pred: Path, gold: Path, fmt: str, pattern: str, gold_glob: str | None, null_policy: str,
            as_json: bool, quiet: bool) -> None:
    """Score PRED against GOLD: strict and lax precision/recall/F1 (Vecalign format) or mining
    precision/recall/F1 (TSV id pairs).

    PRED and GOLD are files, or folders of per-document files matched by name up to the first
    dot (``07.align`` scores against ``07.gold.align``); counts are pooled over documents.
    Predicted links with an empty side (1-0, 0-1) count in precision and gold ones are left out
    of recall, as Vecalign's score.py does (``--null-policy drop`` leaves them out of both).

    \b
    Examples:
      parallel-corpus eval out.align gold.align
      parallel-corpus eval predictions/ ../shared/bench/textberg_defr --gold-glob 'test*.defr'
      parallel-corpus eval mined.tsv all.gold.tsv --format tsv
      parallel-corpus eval mined.jsonl all.gold.tsv          # any export of `mine`
    """
    from ..errors import InputError
    from ..evaluate import PRF, AlignScores, align_counts, mining_scores, read_pairs_tsv, read_vecalign

    pred_files = _files(pred, pattern, "predicted")
    gold_files = _files(gold, gold_glob or pattern, "gold")
    if "" in gold_files or "" in pred_files:
        if len(gold_files) != 1 or len(pred_files) != 1:
            raise InputError("PRED and GOLD must both be files or both be folders")
        pairs = [("", pred_files[next(iter(pred_files))], gold_files[next(iter(gold_files))])]
    else:
        missing = sorted(set(gold_files) - set(pred_files))
        if missing:
            raise InputError(f"{pred}: no prediction for document(s) {', '.join(missing[:5])}"
                             f"{' ...' if len(missing) > 5 else ''}")
        extra = sorted(set(pred_files) - set(gold_files))
        if extra and not quiet:
            print(f"note: ignoring {len(extra)} predicted file(s) with no gold: {', '.join(extra[:5])}",
                  file=sys.stderr)
        pairs = [(k, pred_files[k], gold_files[k]) for k in sorted(gold_files)]
    kind = fmt if fmt != "auto" else _kind(pairs[0][2])
    out = sys.stdout
    if kind == "tsv":
        total = PRF(0, 0, 0, 0)
        for _, p, g in pairs:
            total = total + mining_scores(read_mined(p), read_pairs_tsv(g))
        if as_json:
            out.write(json.dumps({"documents": len(pairs), "mining": total.as_dict()}) + "\n")
            return
        out.write(f"documents: {len(pairs)}  predicted pairs: {total.n_pred}  gold pairs: {total.n_gold}\n")
        out.write(f"mining  P {total.precision:.4f}  R {total.recall:.4f}  F1 {total.f1:.4f}\n")
        return
    scores = AlignScores(PRF(0, 0, 0, 0), PRF(0, 0, 0, 0))
    for _, p, g in pairs:
        scores = scores + align_counts(read_vecalign(p), read_vecalign(g), null_policy)
    if as_json:
        out.write(json.dumps({"documents": len(pairs), "null_policy": null_policy,
                              "strict": scores.strict.as_dict(), "lax": scores.lax.as_dict()}) + "\n")
        return
    st, lx = scores.strict, scores.lax
    policy = ("reference: predicted 1-0/0-1 links counted in precision" if null_policy == "reference"
              else "drop: links with an empty side left out of precision and recall")
    out.write(f"documents: {len(pairs)}  predicted links: {st.n_pred}  gold links: {st.n_gold}"
              f"  (null policy {policy})\n")
    out.write(f"strict  P {st.precision:.4f}  R {st.recall:.4f}  F1 {st.f1:.4f}\n")
    out.write(f"lax     P {lx.precision:.4f}  R {lx.recall:.4f}  F1 {lx.f1:.4f}\n")
