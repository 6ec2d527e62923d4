"""``parallel-corpus eval PRED GOLD``: score alignments against gold."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

import click

from .options import quiet_option

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..evaluate import AlignLink, LinkFile, Texts

# Suffixes that name what a file holds, not which document: stripped from the end of a file
# name to get its document name (``07.gold.align`` -> ``07``, ``doc.1.align`` -> ``doc.1``).
_KNOWN_SUFFIXES = (".gold", ".align", ".vecalign", ".tsv", ".jsonl", ".json", ".tmx")


def _doc_key(path: Path, pattern: str = "*") -> str:
    """Document name of a file in a folder: its name without the literal end of ``pattern``
    (``test*.defr``: ``test0.defr`` -> ``test0``) and without known suffixes (``.gold``,
    ``.align``, ``.tsv`` ...), so names with dots (``doc.1``, from ``run``) stay whole."""
    name = path.name
    tail = re.split(r"[*?\]]", pattern)[-1]
    if tail and name.endswith(tail) and len(name) > len(tail):
        name = name[:-len(tail)]
    stripped = True
    while stripped:
        stripped = False
        for suffix in _KNOWN_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, stripped = name[:-len(suffix)], True
    return name


def _files(path: Path, pattern: str, what: str) -> dict[str, Path]:
    from ..errors import InputError

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    found = sorted(p for p in path.glob(pattern) if p.is_file() and not p.name.startswith("."))
    if not found:
        raise InputError(f"{path}: no {what} files matching {pattern!r} (see --glob/--gold-glob)")
    out: dict[str, Path] = {}
    for p in found:
        key = _doc_key(p, pattern)
        if key in out:
            raise InputError(f"{path}: two {what} files for document {key!r}: {out[key].name}, {p.name}")
        out[key] = p
    return out


def match_documents(pred: list[str], gold: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """``([(gold name, pred name)], gold names with no prediction, pred names with no gold)``.

    A name matches itself; failing that, a name that is the other one plus a dotted part
    (gold ``test0`` and ``test0.defr``), when exactly one such name is left."""
    from ..errors import InputError

    free = [k for k in pred if k not in set(gold)]
    matched: list[tuple[str, str]] = []
    missing: list[str] = []
    for g in sorted(gold):
        if g in pred:
            matched.append((g, g))
            continue
        cands = [k for k in free if k.startswith(g + ".") or g.startswith(k + ".")]
        if len(cands) > 1:
            raise InputError(f"gold document {g!r} matches several predicted ones: {', '.join(cands[:5])}")
        if cands:
            matched.append((g, cands[0]))
            free.remove(cands[0])
        else:
            missing.append(g)
    return matched, missing, sorted(free)


def _kind(path: Path) -> str:
    """``vecalign`` (alignment scores) or ``tsv`` (mining scores) for a GOLD file: Vecalign
    lines and exports of ``align`` (jsonl, tmx, json) give alignment scores, a TSV mining ones,
    unless its signature (``FILE.sig``) says it is a parallel alignment (``align``'s own TSV)."""
    from ..evaluate import link_format
    from ..io import read_text
    from ..readers import sidecar_mode

    kind = link_format(path)
    if kind == "tsv":
        return "vecalign" if sidecar_mode(path) == "parallel" else "tsv"
    if kind != "vecalign":
        return "vecalign"
    for line in read_text(path, allow_empty=True).splitlines():
        if line.strip() and not line.startswith("#"):
            return "vecalign" if line.lstrip().startswith("[") else "tsv"
    return "vecalign"


Links = list[tuple[tuple[int, ...], tuple[int, ...]]]


class Doc(NamedTuple):
    """One document to score: its name, the links, the gold file, and the files read."""

    name: str
    pred: Links
    gold: Links
    gold_path: Path
    pred_file: LinkFile
    pred_path: Path
    gold_file: LinkFile


def _one_doc(source: Path | LinkFile) -> tuple[LinkFile, Links]:
    """A document's file and links: already read, or a file in a folder, which holds one document
    (with the sizes of its documents where its native JSON is beside it: :func:`with_native_sizes`)."""
    from ..errors import InputError
    from ..evaluate import read_link_file, with_native_sizes

    lf = with_native_sizes(source, read_link_file(source)) if isinstance(source, Path) else source
    if len(lf.docs) > 1:
        raise InputError(f"{source}: joins {len(lf.docs)} pairs; give it as the file itself, not in a folder")
    return lf, next(iter(lf.docs.values()))


def _one_direction(path: Path) -> str | None:
    """The direction a joined file of ``run`` is named for (``_all.ar-en.tsv`` -> ``ar-en``): a
    manifest with pairs in both directions gets one such file each. None for any other name."""
    import re

    from ..corpus import COMBINED

    stem = COMBINED.rsplit(".", 1)[0]
    m = re.fullmatch(re.escape(stem) + r"\.([A-Za-z_]+-[A-Za-z_]+)\.(?:tsv|jsonl)", path.name)
    return m.group(1) if m else None


def documents(pred: Path, gold: Path, pattern: str, gold_pattern: str, quiet: bool) -> list[Doc]:
    """Every document to score (:class:`Doc`).

    PRED and GOLD are a file each (one document), folders of per-document files matched by
    name (:func:`match_documents`), or a file joining several pairs (``run``'s ``_all.tsv``,
    ``_all.jsonl``) whose ``pair`` names, and the pairs its ``.sig`` names (those that kept no
    row), match the other side's documents."""
    from ..errors import InputError
    from ..evaluate import read_link_file

    sides: list[dict[str, Path | LinkFile]] = []
    for path, pat, what in ((pred, pattern, "predicted"), (gold, gold_pattern, "gold")):
        if str(path) == "-" or (path.exists() and not path.is_dir() and not path.is_file()):
            # a file is read more than once (its format, then its links): a stream cannot be
            raise InputError(f"{path}: eval reads files and folders, not standard input or a pipe; save it "
                             "to a file first")
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            sides.append(dict(_files(path, pat, what)))
        else:
            lf = read_link_file(path)
            sides.append({k: lf.pair(k) for k in lf.docs})
    p_docs, g_docs = sides
    if pred.is_file() and gold.is_file() and (len(p_docs) == 1 or len(g_docs) == 1):
        if len(p_docs) != len(g_docs):
            many, many_docs, single = (pred, p_docs, gold) if len(p_docs) > 1 else (gold, g_docs, pred)
            names = ", ".join(list(many_docs)[:3]) + (" ..." if len(many_docs) > 3 else "")
            raise InputError(f"{many}: joins {len(many_docs)} pairs ({names}) but {single} is one "
                             "document; give a folder with a file per pair (NAME.gold.align) to score "
                             "each pair")
        from ..evaluate import with_native_sizes

        p_file, p_links = _one_doc(next(iter(p_docs.values())))
        g_file, g_links = _one_doc(next(iter(g_docs.values())))
        return [Doc("", p_links, g_links, gold, with_native_sizes(pred, p_file), pred,
                    with_native_sizes(gold, g_file))]
    for path, docs in ((pred, p_docs), (gold, g_docs)):
        if path.is_file() and "" in docs:
            raise InputError("PRED and GOLD must both be files or both be folders (or one a file "
                             "joining several pairs with a pair column, like run's _all.tsv)")
    matched, missing, extra = match_documents(list(p_docs), list(g_docs))
    if missing and pred.is_file() and _one_direction(pred) and matched:
        # run's _all.ar-en.tsv joins one direction's pairs: the gold of the others' is not its to score
        if not quiet:
            print(f"note: {pred} joins the {_one_direction(pred)} pairs only: {len(missing)} gold document(s) "
                  f"of other pairs not scored ({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})",
                  file=sys.stderr)
        missing = []
    if missing:
        joined = pred.is_file() and "" not in p_docs  # its rows name their pairs
        raise InputError(f"{pred}: no prediction for document(s) {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''}"
                         + ("; the file does not cover it: neither its rows nor its .sig name it (a pair that "
                            "kept no link has no rows in a file joining pairs, and run and filter name it in the "
                            ".sig beside the file); score the folder of per-pair files instead (eval OUT/ GOLD/, "
                            "as run writes them)" if joined else ""))
    if extra and not quiet:
        print(f"note: ignoring {len(extra)} predicted document(s) with no gold: {', '.join(extra[:5])}"
              f"{' ...' if len(extra) > 5 else ''}", file=sys.stderr)
    out = []
    for g, k in matched:
        pv, gv = p_docs[k], g_docs[g]
        p_file, p_links = _one_doc(pv)
        g_file, g_links = _one_doc(gv)
        out.append(Doc(g, p_links, g_links, gv if isinstance(gv, Path) else gold, p_file,
                       pv if isinstance(pv, Path) else pred, g_file))
    return out


def refuse_empty(path: Path) -> NoReturn:
    """InputError for a PRED file with no content (0 bytes, white space only) that no export of
    ours writes (what a failed run redirected into the file leaves), in the words every reader
    uses (``file is empty``). A file that has content but no links (a comparable alignment
    listing only unmatched sentences, a JSON alignment without links, a TSV header) is scored, and
    so is the empty file an export of zero pairs writes (0 bytes of JSONL, or of TSV with its
    ``.sig``: :func:`parallel.readers.zero_pairs_export`), as ``filter`` reads it."""
    from ..errors import InputError
    from ..io import read_text

    read_text(path)  # refuses it: "file is empty" or "file holds only white space"
    raise InputError(f"{path}: file is empty")  # it was when read (written to since)


def _fits(links: Links, sizes: tuple[int, int]) -> bool:
    """Whether every id of ``links`` names a sentence of documents of ``sizes`` sentences a side."""
    return all(max((i for link in links for i in link[side]), default=-1) < n for side, n in enumerate(sizes))


def _turned(links: Links) -> Links:
    return [(t, s) for s, t in links]


def _texts_agree(a: Texts, b: Texts) -> bool:
    """``a`` and ``b`` give some sentence in common and no sentence two texts (:func:`text_difference`)."""
    from ..evaluate import text_difference

    return any(a[side].keys() & b[side].keys() for side in (0, 1)) and text_difference(a, b) is None


def turned_evidence(d: Doc) -> str | None:
    """What says that GOLD, as it is scored, runs the other way round from PRED (its source
    sentences are PRED's target ones: a gold made en -> ar for an ar -> en alignment), or None:
    the two files name their languages the other way round; or carry sentence texts that differ
    as they are and agree the other way round; or one holds its documents (native JSON) and the
    other's ids fit them only the other way round. Languages named the same way round settle it:
    None."""
    from ..lang import primary

    p, g = d.pred_file, d.gold_file
    if p.langs and g.langs:
        pl, gl = (primary(p.langs[0]), primary(p.langs[1])), (primary(g.langs[0]), primary(g.langs[1]))
        if pl[0] != pl[1] and gl == (pl[1], pl[0]):
            return f"GOLD is {g.langs[0]} -> {g.langs[1]}, PRED {p.langs[0]} -> {p.langs[1]}"
        if pl[0] != pl[1] and gl == pl:
            return None
    pt, gt = p.doc_texts, g.doc_texts
    if pt is not None and gt is not None and not _texts_agree(gt, pt) and _texts_agree((gt[1], gt[0]), pt):
        return "GOLD's source sentences are PRED's target ones, and its target sentences PRED's source ones"
    for holder, name, links, other in ((p, "PRED", d.gold, "GOLD"), (g, "GOLD", d.pred, "PRED")):
        if holder.sizes and not _fits(links, holder.sizes) and _fits(_turned(links), holder.sizes):
            return (f"{other}'s sentence ids fit the {holder.sizes[0]} source and {holder.sizes[1]} target "
                    f"sentences {name} holds only read the other way round")
    return None


def _score_f1(docs: list[Doc], kind: str, turn: bool) -> float:
    """Strict F1 (mining F1 for a TSV GOLD) of PRED against GOLD, or against GOLD turned round."""
    from ..evaluate import PRF, align_counts, mining_scores

    total = PRF(0, 0, 0, 0)
    for d in docs:
        gold = _turned(d.gold) if turn else d.gold
        total = total + (mining_scores(d.pred, gold) if kind == "tsv" else align_counts(d.pred, gold, "drop").strict)
    return total.f1


def _two_languages(lf: LinkFile) -> bool:
    """Whether the file names two languages (not one language twice), which say its direction."""
    from ..lang import primary

    return lf.langs is not None and primary(lf.langs[0]) != primary(lf.langs[1])


def _last_ids(links: Links) -> tuple[int, int]:
    return (max((i for k in links for i in k[0]), default=-1), max((j for k in links for j in k[1]), default=-1))


def check_direction(docs: list[Doc], kind: str, swap: bool) -> bool:
    """Refuse a GOLD that runs the other way round from PRED, as it is scored (``--swap-gold``
    turns it), where the files say so (:func:`turned_evidence`), with the option that fixes it;
    where only the ids say so (scored the other way round, F1 0.5 or more and twice the figure,
    or better and PRED's last source and target ids are GOLD's last target and source ones),
    warn in one line and score it as asked. Returns whether that warning was said."""
    from ..errors import InputError

    fix = ("leave --swap-gold out" if swap else
           "pass --swap-gold to read its source ids as target ones and its target ids as source ones")
    said = "read with --swap-gold, GOLD" if swap else "GOLD"
    for d in docs:
        why = turned_evidence(d)
        if why:
            raise InputError(f"{d.gold_path}: {said} runs the other way round from PRED ({why}); {fix}")
    if any(_two_languages(d.pred_file) and _two_languages(d.gold_file) for d in docs):
        return False  # the files name their languages, and the same way round
    as_is, turned = _score_f1(docs, kind, False), _score_f1(docs, kind, True)
    tops = [(_last_ids(d.pred), _last_ids(d.gold)) for d in docs]
    ends = [pt == (gt[1], gt[0]) for pt, gt in tops if pt[0] != pt[1] and min(pt) >= 0]
    if not ((turned >= 0.5 and turned >= 2 * as_is) or (turned > as_is and ends and all(ends))):
        return False
    what = "mining F1" if kind == "tsv" else "strict F1"
    click.echo(f"parallel-corpus: warning: {docs[0].gold_path}{' ...' if len(docs) > 1 else ''}: {said} looks like "
               f"it runs the other way round from PRED (read so, {what} {turned:.4f}; as it is, {as_is:.4f}); "
               f"{fix}", err=True)
    return True


def _no_predictions(n_pred: int, what: str) -> str:
    """The line that explains figures of 0 where PRED holds no predicted link at all."""
    return f"PRED holds no predicted {what}: precision, recall and F1 are 0\n" if not n_pred else ""


def check_same_documents(d: Doc) -> None:
    """InputError when PRED and GOLD cannot align the same documents, either way round: one
    names a sentence the other's documents do not have (a native JSON holds its documents), both
    hold their documents and they differ in size, or both carry the sentence texts (json, jsonl,
    tmx, a TSV with its text columns) and a sentence has two. A file with neither (Vecalign, a
    TSV of ids) is checked by its ids only. A wrong file would be scored quietly otherwise."""
    from ..errors import InputError
    from ..evaluate import text_difference

    what = ("source", "target")
    sides = ((d.pred_path, d.pred_file, d.pred), (d.gold_path, d.gold_file, d.gold))
    for (path, lf, _), (other, _, links) in ((sides[0], sides[1]), (sides[1], sides[0])):
        if lf.sizes is None:
            continue
        holder = f"{path} (as its native JSON {lf.sizes_from} says)" if lf.sizes_from else str(path)
        for side, n in enumerate(lf.sizes):
            top = max((i for link in links for i in link[side]), default=-1)
            if top >= n:
                raise InputError(f"{other}: names {what[side]} sentence {top}, but {holder} holds "
                                 f"{n} {what[side]} sentences: not the alignment of the same documents")
    p_sizes, g_sizes = d.pred_file.sizes, d.gold_file.sizes
    if p_sizes is not None and g_sizes is not None and p_sizes != g_sizes:
        raise InputError(f"{d.gold_path} holds {g_sizes[0]} source and {g_sizes[1]} target sentences, "
                         f"{d.pred_path} {p_sizes[0]} and {p_sizes[1]}: not the alignment of the same documents")
    p_texts, g_texts = d.pred_file.doc_texts, d.gold_file.doc_texts
    differ = text_difference(g_texts, p_texts) if p_texts is not None and g_texts is not None else None
    if differ is not None:
        side, i, g, p = differ
        raise InputError(f"{d.gold_path}: {what[side]} sentence {i} is {_clip(g)}, but in {d.pred_path} it "
                         f"is {_clip(p)}: not the alignment of the same documents")


def _clip(text: str, n: int = 40) -> str:
    """``text`` quoted on one line, its first ``n`` characters."""
    return repr(text[:n] + ("..." if len(text) > n else ""))


def _past_the_end(a: Sequence[AlignLink], b: Sequence[AlignLink], a_name: str, b_name: str,
                  doc: str | None = None) -> list[str]:
    """For each side where ``a`` names a sentence past the last one ``b`` names (neither file
    holding its documents), what that says: ``GOLD names target sentence 74, PRED's links end at
    70``; ``doc``: the document's name first (``doc02: GOLD names ...``), where several are scored."""
    out = []
    for side, what in enumerate(("source", "target")):
        a_top = max((i for link in a for i in link[side]), default=-1)
        b_top = max((i for link in b for i in link[side]), default=-1)
        if a_top > b_top >= 0:
            out.append(f"{doc + ': ' if doc else ''}{a_name} names {what} sentence {a_top}, {b_name}'s links end at {b_top}")
    return out


def check_docs(docs: list[Doc], kind: str, null_policy: str, quiet: bool, turned: bool = False) -> int:
    """Checks and notes before scoring: a PRED putting a sentence in two links gets a warning
    (alignment scores: scored as the reference scorer scores it); a comparable PRED's unmatched entries are skipped (their count is
    returned); a parallel PRED without its 1-0 / 0-1 links (a default tsv/jsonl/tmx export, or
    a file filter made from one) under the reference policy gets a warning naming the fix; a TSV PRED without its .sig
    or Vecalign PRED (whose links cross) without its .sig whose entries have an empty side gets a note
    that it was read as parallel (docs/schema.md). PRED and GOLD
    that cannot align the same documents are refused (:func:`check_same_documents`). ``turned``:
    GOLD was said to run the other way round (:func:`check_direction`), which explains sentences
    past the other file's end and links missed better than lost 1-0/0-1 links do: those go unsaid."""
    from ..evaluate import check_one_link_per_sentence, null_link_gaps
    from ..readers import links_cross

    for d in docs:
        check_same_documents(d)
    unmatched = sum({d.pred_path: d.pred_file.unmatched for d in docs}.values())
    if kind != "vecalign":
        return unmatched
    for d in docs:
        broken = check_one_link_per_sentence(d.pred, f"{d.pred_path}{f' (pair {d.name})' if d.name else ''}")
        if broken:
            click.echo(f"parallel-corpus: warning: {broken}", err=True)
    parallel = [d for d in docs if not d.pred_file.comparable]

    def named(d: Doc) -> str | None:  # which document a warning is about, where there are several
        return d.name if len(docs) > 1 else None

    if null_policy == "reference" and not turned:
        # any format: a Vecalign or JSON file made by filter from a default export lacks them too
        # the links as the file wrote them: a rejected link's sentences, scored as 1-0 / 0-1 links,
        # are no sign that the export kept its own
        gaps = [null_link_gaps(d.pred_file.as_written(next(iter(d.pred_file.docs), "")), d.gold) for d in parallel]
        skipped, lost = sum(g[0] for g in gaps), sum(sum(g) for g in gaps)
        beyond = next((x for d in parallel for x in _past_the_end(d.gold, d.pred, "GOLD", "PRED", named(d))), "")
        where = [d.name for d, g in zip(parallel, gaps, strict=True) if sum(g)] if len(docs) > 1 else []
        in_docs = (f" (in {len(where)} of its {len(docs)} documents: {', '.join(where[:5])}"
                   f"{', ...' if len(where) > 5 else ''})") if where else ""
        if skipped:  # PRED's own numbering skips sentences: what an export without them leaves
            click.echo(f"parallel-corpus: warning: PRED has no 1-0/0-1 links and leaves {lost} sentence(s){in_docs} out "
                       "of every link (a tsv/jsonl/tmx export leaves them out unless --keep-empty, and so "
                       "does a file filter made from one), so the reference null policy scores it as "
                       "--null-policy drop; export with --keep-empty, or score align's own .align/.json"
                       + (f"; or the two were not made on the same sentences: {beyond}" if beyond else ""),
                       err=True)
        elif lost:  # only GOLD's sentences past PRED's end: other sentences, likelier than an export
            # that lost exactly its last ones (PRED's sizes unknown: a native JSON would have said)
            click.echo(f"parallel-corpus: warning: {beyond}: were the two made on the same sentences (GOLD of "
                       "another document, or of another segmentation)? GOLD's links past that count as missed; "
                       "or PRED is a tsv/jsonl/tmx export written without --keep-empty (or a file filter made "
                       "from one) that lost only its last 1-0/0-1 links: then score align's own .align/.json "
                       "(without 1-0/0-1 links PRED is scored as --null-policy drop)", err=True)
        said = bool(lost)
    else:
        said = False
    if not quiet and not turned:  # ids past the other file's end: a GOLD for part of the text, or other sentences
        for d in parallel:
            for x in _past_the_end(d.pred, d.gold, "PRED", "GOLD", named(d))[:1]:
                click.echo(f"parallel-corpus: warning: {x}: PRED's links past that count as wrong "
                           "(is GOLD for part of the document only, or made on other sentences?)", err=True)
            for x in ([] if said else _past_the_end(d.gold, d.pred, "GOLD", "PRED", named(d))[:1]):
                click.echo(f"parallel-corpus: warning: {x}: GOLD's links past that count as missed "
                           "(were the two made on the same sentences?)", err=True)
    # a Vecalign file without its .sig is the norm from other tools: said only where its links
    # cross, which no parallel alignment of ours does (a TSV's crossing links make it comparable)
    unsigned = [d for d in parallel if not d.pred_file.signed and any(not (s and t) for s, t in d.pred)
                and (d.pred_file.kind == "tsv" or (d.pred_file.kind == "vecalign" and links_cross(d.pred)))]
    if unsigned and not quiet:
        click.echo(f"note: {unsigned[0].pred_path} has no signature ({unsigned[0].pred_path}.sig): read as a "
                   "parallel alignment, its entries with an empty side as 1-0/0-1 links; if it is "
                   "comparable, put its .sig beside it", err=True)
    return unmatched


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("pred", type=click.Path(path_type=Path))
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "vecalign", "tsv"]), default="auto",
              show_default=True,
              help="vecalign: alignments ([0, 1]:[2]), strict/lax scores; tsv: mined id pairs, "
                   "precision/recall/F1; auto: from GOLD (Vecalign lines or a jsonl/tmx/json export: "
                   "vecalign; a TSV: tsv). PRED and GOLD may be Vecalign files or any export that "
                   "carries ids (tsv, jsonl, tmx, json), not Moses.")
@click.option("--glob", "pattern", default="*.align", show_default=True, metavar="PATTERN",
              help="Files to read in a PRED folder (and in GOLD unless --gold-glob).")
@click.option("--gold-glob", default=None, metavar="PATTERN", help="Files to read in a GOLD folder.")
@click.option("--null-policy", type=click.Choice(["reference", "drop"]), default="reference", show_default=True,
              help="Links with an empty side (1-0, 0-1). reference: predicted ones count in precision, "
                   "exactly as Vecalign's score.py (and Bertalign's eval.py) count them, so figures "
                   "compare with published ones; drop: left out of precision too (higher figures).")
@click.option("--swap-gold", is_flag=True,
              help="GOLD runs the other way round (made en -> ar for an ar -> en PRED): read its source "
                   "ids as target ones and its target ids as source ones. eval says when GOLD looks so.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@quiet_option
def command(pred: Path, gold: Path, fmt: str, pattern: str, gold_glob: str | None, null_policy: str,
            swap_gold: bool, as_json: bool, quiet: bool) -> None:
    """Score PRED against GOLD: strict and lax precision/recall/F1 (Vecalign format) or mining
    precision/recall/F1 (TSV id pairs).

    PRED and GOLD are files, or folders of per-document files matched by name without the
    suffixes .gold, .align, .tsv ... (``07.align`` scores against ``07.gold.align``, ``doc.1.align``
    against ``doc.1.gold.align``); counts are pooled over documents. A file joining several pairs
    (``run``'s ``_all.tsv`` / ``_all.jsonl``, or what ``filter`` writes from one) is scored pair
    by pair against a GOLD folder (``NAME.gold.align`` for each pair NAME); a pair that kept no
    link (nothing mined, or every link filtered out) has no rows but is named in the file's .sig,
    and scores as a pair that predicted nothing (its gold links missed).
    Predicted links with an empty side (1-0, 0-1) count in precision and gold ones are left out
    of recall, as Vecalign's score.py does (``--null-policy drop`` leaves them out of both).
    Links a reviewer rejected (``status`` rejected, in review) are no predictions: scored as
    ``filter --drop-rejected --keep-empty`` writes the file.
    A GOLD naming a sentence past the end of PRED's documents is refused where PRED knows their
    sizes: a native JSON, or any export with its alignment's native JSON beside it (run's
    ``NAME.align`` beside ``NAME.json``); elsewhere it is a warning.

    \b
    Examples:
      parallel-corpus eval out.align gold.align
      parallel-corpus eval predictions/ gold/ --gold-glob 'test*.defr'
      parallel-corpus eval mined.tsv all.gold.tsv --format tsv
      parallel-corpus eval mined.jsonl all.gold.tsv          # any export of `mine`
      parallel-corpus eval pair.jsonl 00.gold.align           # any export of `align`
      parallel-corpus eval out/_all.tsv gold/ --gold-glob '*.gold.align'
      parallel-corpus eval ar-en.align en-ar.gold.align --swap-gold
    """
    from ..errors import InputError
    from ..evaluate import PRF, AlignScores, align_counts, mining_scores, missing_null_links

    docs = documents(pred, gold, pattern, gold_glob or pattern, quiet)
    if swap_gold:
        docs = [d._replace(gold=_turned(d.gold), gold_file=d.gold_file.swapped()) for d in docs]
    for d in docs:
        if not d.gold:
            raise InputError(f"{d.gold_path}: GOLD holds no links (nothing to score against)")
    for d in docs:
        if d.pred_file.empty and not d.pred_file.zero_pairs:  # what a failed run leaves: no score of 0 for it
            refuse_empty(d.pred_path)
    # an export that kept no pair (filter --status accepted of an unreviewed file): scored, and said
    hollow = sorted({str(d.pred_path) for d in docs if d.pred_file.zero_pairs})
    kind = fmt if fmt != "auto" else _kind(docs[0].gold_path)
    turned = check_direction(docs, kind, swap_gold)
    unmatched = check_docs(docs, kind, null_policy, quiet, turned)
    skipped = (f"comparable PRED: {unmatched} unmatched sentence(s) ([i]:[] entries) skipped, "
               "not links\n") if unmatched else ""
    rejected = sum({d.pred_path: d.pred_file.rejected for d in docs}.values())
    if hollow:
        skipped += (f"PRED: {hollow[0]}{f' and {len(hollow) - 1} more' if len(hollow) > 1 else ''} empty (0 bytes): "
                    "an export that kept no pair, read as no predictions\n")
    if rejected:  # a reviewer's "this link is wrong": scored as filter --drop-rejected --keep-empty writes it
        skipped += (f"PRED: {rejected} link(s) rejected in review not counted as predicted "
                    + ("pairs\n" if kind == "tsv" else "links (in a parallel alignment their sentences count as "
                       "1-0/0-1 links)\n"))
    out = sys.stdout
    if kind == "tsv":
        if null_policy != "reference" and not quiet:  # asked for, and nothing it could change
            click.echo("note: --null-policy applies to alignment scores; mined pairs (a TSV GOLD) have no "
                       "1-0/0-1 links, so it changes nothing here", err=True)
        total = PRF(0, 0, 0, 0)
        for d in docs:
            total = total + mining_scores(d.pred, d.gold)
        if as_json:
            out.write(json.dumps({"documents": len(docs), "unmatched_skipped": unmatched,
                                  "rejected_skipped": rejected, "empty_files": len(hollow),
                                  "mining": total.as_dict()}, allow_nan=False) + "\n")
            return
        out.write(f"documents: {len(docs)}  predicted pairs: {total.n_pred}  gold pairs: {total.n_gold}\n")
        out.write(skipped + _no_predictions(total.n_pred, "pairs"))
        out.write(f"mining  P {total.precision:.4f}  R {total.recall:.4f}  F1 {total.f1:.4f}\n")
        return
    scores = AlignScores(PRF(0, 0, 0, 0), PRF(0, 0, 0, 0))
    for d in docs:
        scores = scores + align_counts(d.pred, d.gold, null_policy)
    # a parallel PRED without its 1-0/0-1 links (a tsv/jsonl/tmx export made without --keep-empty)
    # is scored, whatever the policy asked, as under drop: the figures say so, not only stderr
    lost = sum(missing_null_links(d.pred, d.gold) for d in docs if not d.pred_file.comparable) \
        if null_policy == "reference" and not turned else 0  # turned: GOLD's ids say nothing of PRED's
    if as_json:
        out.write(json.dumps({"documents": len(docs), "null_policy": null_policy,
                              "null_policy_in_effect": "drop" if lost else null_policy,
                              "sentences_in_no_link": lost, "unmatched_skipped": unmatched,
                              "rejected_skipped": rejected, "empty_files": len(hollow),
                              "strict": scores.strict.as_dict(), "lax": scores.lax.as_dict()},
                             allow_nan=False) + "\n")
        return
    st, lx = scores.strict, scores.lax
    policy = ("reference: predicted 1-0/0-1 links counted in precision" if null_policy == "reference"
              else "drop: links with an empty side left out of precision and recall")
    if lost:
        policy += (f"; but PRED leaves {lost} sentence(s) out of every link (no 1-0/0-1 links), "
                   "so in effect drop")
    out.write(f"documents: {len(docs)}  predicted links: {st.n_pred}  gold links: {st.n_gold}"
              f"  (null policy {policy})\n")
    out.write(skipped + _no_predictions(st.n_pred, "links"))
    out.write(f"strict  P {st.precision:.4f}  R {st.recall:.4f}  F1 {st.f1:.4f}\n")
    out.write(f"lax     P {lx.precision:.4f}  R {lx.recall:.4f}  F1 {lx.f1:.4f}\n")
