"""Evaluator: strict/lax P/R/F1 (Vecalign definitions) and mining P/R/F1, against hand-computed figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallel.cli import main as cli
from parallel.errors import InputError
from parallel.evaluate import (
    PRF,
    align_counts,
    align_scores,
    mining_scores,
    parse_pairs_tsv,
    parse_vecalign,
    read_vecalign,
)

GOLD = "[0]:[0]\n[1]:[1, 2]\n[2, 3]:[3]\n[4]:[]\n[]:[4]\n[5]:[5]\n"
PRED = "[0]:[0]:0.9\n[1]:[1]:0.5\n[]:[2]:0.0\n[2, 3]:[3]:0.7\n[4]:[4]:0.1\n[5]:[5]:0.8\n"
# By hand, reference policy (Vecalign's score.py): precision over all 6 predicted links, the
# predicted 0-1 link []:[2] included (gold has no []:[2], so it is a miss, strict and lax);
# recall over the 4 gold links with both sides non-empty.
# strict hits: [0]:[0], [2,3]:[3], [5]:[5] -> P 3/6, R 3/4
# lax: pred [1]:[1] shares 1 and 1 with gold [1]:[1,2]; pred [4]:[4] shares source 4 only with
#      gold [4]:[] (no target) -> P 4/6; every gold link shares ids with a predicted one -> R 4/4
# With the drop policy the predicted []:[2] leaves precision too: P 3/5 strict, 4/5 lax.


def test_parse_vecalign_reads_ids_scores_and_empty_sides() -> None:
    links = parse_vecalign(PRED)
    assert links[1] == ((1,), (1,))
    assert links[2] == ((), (2,))
    assert links[3] == ((2, 3), (3,))
    assert parse_vecalign("\n# comment\n[0]:[0]\n") == [((0,), (0,))]


def test_parse_vecalign_rejects_garbage() -> None:
    with pytest.raises(InputError, match="not a Vecalign"):
        parse_vecalign("[0]:[0]\nhello\n", "x.align")
    with pytest.raises(InputError, match="bad sentence ids"):
        parse_vecalign("[0,,1]:[1]\n")


def test_reference_policy_counts_predicted_null_links_in_precision() -> None:
    sc = align_counts(parse_vecalign(PRED), parse_vecalign(GOLD))
    assert (sc.strict.tp_pred, sc.strict.n_pred, sc.strict.tp_gold, sc.strict.n_gold) == (3, 6, 3, 4)
    assert sc.strict.precision == pytest.approx(0.5)
    assert sc.strict.recall == pytest.approx(0.75)
    assert sc.lax.precision == pytest.approx(4 / 6)
    assert sc.lax.recall == pytest.approx(1.0)
    # a predicted null link that gold has too is a hit
    hit = align_counts(parse_vecalign("[0]:[0]\n[1]:[]\n"), parse_vecalign("[0]:[0]\n[1]:[]\n"))
    assert hit.strict.precision == 1.0 and hit.strict.n_pred == 2 and hit.strict.n_gold == 1


def test_drop_policy_matches_hand_computed_figures() -> None:
    sc = align_counts(parse_vecalign(PRED), parse_vecalign(GOLD), null_policy="drop")
    assert (sc.strict.tp_pred, sc.strict.n_pred, sc.strict.tp_gold, sc.strict.n_gold) == (3, 5, 3, 4)
    assert sc.strict.precision == pytest.approx(0.6)
    assert sc.strict.recall == pytest.approx(0.75)
    assert sc.strict.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert sc.lax.precision == pytest.approx(0.8)
    assert sc.lax.recall == pytest.approx(1.0)
    assert sc.lax.f1 == pytest.approx(2 * 0.8 / 1.8)


def test_counts_are_pooled_over_documents_not_averaged() -> None:
    perfect = parse_vecalign("[0]:[0]\n")
    pooled = align_scores([parse_vecalign(PRED), perfect], [parse_vecalign(GOLD), perfect])
    # strict: 4 hits of 7 predicted, 4 of 5 gold (an average of per-document figures would differ)
    assert pooled.strict.precision == pytest.approx(4 / 7)
    assert pooled.strict.recall == pytest.approx(4 / 5)
    pooled = align_scores([parse_vecalign(PRED), perfect], [parse_vecalign(GOLD), perfect], "drop")
    assert pooled.strict.precision == pytest.approx(4 / 6)
    assert pooled.strict.recall == pytest.approx(4 / 5)
    with pytest.raises(InputError):
        align_scores([perfect], [])


def test_identical_and_empty_alignments() -> None:
    g = parse_vecalign(GOLD)
    sc = align_counts(g, g)
    assert sc.strict.f1 == 1.0 and sc.lax.f1 == 1.0
    empty = align_counts([], g)
    assert empty.strict.precision == 0.0 and empty.strict.recall == 0.0 and empty.strict.f1 == 0.0


def test_mining_scores_by_hand() -> None:
    s = mining_scores([(0, 1), (2, 3), (4, 4)], [(0, 1), (2, 3), (5, 5), (6, 6)])
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(4 / 7)
    # a link with two target ids counts as two pairs; duplicates count once
    s2 = mining_scores([((0,), (1, 2)), (0, 1)], [(0, 1), (0, 2), (3, 3)])
    assert (s2.tp_pred, s2.n_pred, s2.n_gold) == (2, 2, 3)
    assert PRF(0, 0, 0, 0).f1 == 0.0


def test_parse_pairs_tsv_header_and_lists() -> None:
    pairs = parse_pairs_tsv("src_ids\ttgt_ids\tsrc\n0\t5\ta\n3,4\t7\tb\n")
    assert pairs == [((0,), (5,)), ((3, 4), (7,))]
    with pytest.raises(InputError):
        parse_pairs_tsv("0 5\n")


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_eval_says_when_one_file_names_sentences_past_the_other(tmp_path: Path) -> None:
    """A GOLD made on other sentences, or for part of the document only, was scored without a
    word (F1 0.13, or P 0.05), or with the blame put on PRED's missing 1-0/0-1 links only."""
    pred = _write(tmp_path, "p.align", "[0]:[0]\n[1]:[1]\n[2]:[2, 3]\n[3]:[]\n")
    part = _write(tmp_path, "part.align", "[0]:[0]\n[1]:[1]\n")
    res = CliRunner().invoke(cli, ["eval", str(pred), str(part)])
    assert res.exit_code == 0, res.output
    assert "PRED names source sentence 3, GOLD's links end at 1" in res.stderr
    assert "part of the document only" in res.stderr
    longer = _write(tmp_path, "longer.align", "[0]:[0]\n[1]:[1]\n[2]:[2, 3]\n[3]:[4, 5]\n[4]:[]\n")
    res = CliRunner().invoke(cli, ["eval", str(pred), str(longer)])
    assert res.exit_code == 0, res.output
    assert "GOLD names source sentence 4, PRED's links end at 3" in res.stderr
    # PRED without null links whose numbering skips no sentence: GOLD past its end is said first as
    # what it likeliest is (stop 52: the warning blamed the export format first), the lost links after
    bare = _write(tmp_path, "bare.align", "[0]:[0]\n[1]:[1]\n[2]:[2, 3]\n")
    res = CliRunner().invoke(cli, ["eval", str(bare), str(longer)])
    assert res.stderr.startswith("parallel-corpus: warning: GOLD names source sentence 4, PRED's links end at 2: "
                                 "were the two made on the same sentences"), res.stderr
    assert "written without --keep-empty" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    # one that skips sentences (an export without its 1-0/0-1 links) is said as it was
    gappy = _write(tmp_path, "gappy.align", "[0]:[0]\n[2]:[2, 3]\n")
    res = CliRunner().invoke(cli, ["eval", str(gappy), str(longer)])
    assert "PRED has no 1-0/0-1 links" in res.stderr
    assert "not made on the same sentences: GOLD names source sentence 4, PRED's links end at 2" in res.stderr
    # the same files: nothing said
    res = CliRunner().invoke(cli, ["eval", str(pred), str(pred)])
    assert res.exit_code == 0 and res.stderr == "", res.stderr
    res = CliRunner().invoke(cli, ["eval", "-q", str(pred), str(part)])
    assert res.stderr == ""


def test_cli_eval_files_and_folders(tmp_path: Path) -> None:
    pred = _write(tmp_path / "pred", "a.align", PRED)
    gold = _write(tmp_path / "gold", "a.gold.align", GOLD)
    res = CliRunner().invoke(cli, ["eval", str(pred), str(gold)])
    assert res.exit_code == 0, res.output
    assert "null policy reference" in res.output
    assert "strict  P 0.5000  R 0.7500  F1 0.6000" in res.output
    assert "lax     P 0.6667  R 1.0000  F1 0.8000" in res.output
    res = CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--null-policy", "drop"])
    assert res.exit_code == 0, res.output
    assert "null policy drop" in res.output
    assert "strict  P 0.6000  R 0.7500  F1 0.6667" in res.output
    assert "lax     P 0.8000  R 1.0000  F1 0.8889" in res.output
    _write(tmp_path / "pred", "b.align", "[0]:[0]\n")
    _write(tmp_path / "gold", "b.gold.align", "[0]:[0]\n")
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "pred"), str(tmp_path / "gold"), "--json"])
    assert res.exit_code == 0, res.output
    figures = json.loads(res.output)
    assert figures["documents"] == 2 and figures["null_policy"] == "reference"
    assert figures["strict"]["precision"] == pytest.approx(4 / 7)


def test_cli_eval_mining_tsv(tmp_path: Path) -> None:
    pred = _write(tmp_path, "p.tsv", "0\t1\n2\t3\n4\t4\n")
    gold = _write(tmp_path, "g.tsv", "0\t1\n2\t3\n5\t5\n6\t6\n")
    res = CliRunner().invoke(cli, ["eval", str(pred), str(gold)])
    assert res.exit_code == 0, res.output
    assert "mining  P 0.6667  R 0.5000  F1 0.5714" in res.output
    assert "null-policy" not in res.stderr
    # the policy asked for mining pairs was ignored in silence
    res = CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--null-policy", "drop"])
    assert res.exit_code == 0 and "mining  P 0.6667" in res.stdout
    assert "--null-policy applies to alignment scores" in res.stderr


def test_cli_eval_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold", "a.gold.align", GOLD)
    _write(tmp_path / "gold", "b.gold.align", GOLD)
    _write(tmp_path / "pred", "a.align", PRED)
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "pred"), str(tmp_path / "gold")])
    assert res.exit_code == 2 and "no prediction for document(s) b" in res.output
    bad = _write(tmp_path, "bad.align", "not an alignment\n")
    res = CliRunner().invoke(cli, ["eval", str(bad), str(gold)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "missing.align"), str(gold)])
    assert res.exit_code == 2
    # a negative id names no sentence: refused in a TSV and in a Vecalign file, as pred or as gold
    neg = _write(tmp_path, "neg.tsv", "src_ids\ttgt_ids\n-3\t0\n1\t1\n")
    for args in ([str(neg), str(gold)], [str(gold), str(neg)]):
        res = CliRunner().invoke(cli, ["eval", *args])
        assert res.exit_code == 2 and "neg.tsv:2: negative sentence id -3" in res.output, res.output
    res = CliRunner().invoke(cli, ["eval", str(_write(tmp_path, "neg.align", "[0]:[-1]\n")), str(gold)])
    assert res.exit_code == 2 and "not a Vecalign alignment line" in res.output


def test_textberg_gold_reads_and_scores_perfectly(shared_bench: Path) -> None:
    gold = [read_vecalign(shared_bench / "textberg_defr" / f"test{k}.defr") for k in range(7)]
    sc = align_scores(gold, gold)
    assert sc.strict.f1 == 1.0
    assert sc.strict.n_gold == sum(1 for doc in gold for s, t in doc if s and t)


def _perturbed(gold: list[tuple[tuple[int, ...], tuple[int, ...]]], seed: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """A prediction that differs from ``gold`` in every way the policies treat differently:
    merged neighbours, split links, links dropped to 1-0/0-1, spurious null links."""
    import random

    rng = random.Random(seed)
    out: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    k = 0
    while k < len(gold):
        s, t = gold[k]
        r = rng.random()
        if r < 0.1 and k + 1 < len(gold):  # merge with the next link
            s2, t2 = gold[k + 1]
            out.append((s + s2, t + t2))
            k += 2
            continue
        if r < 0.2 and s and t:  # unaligned on both sides
            out.extend([(s, ()), ((), t)])
        elif r < 0.3 and len(s) > 1:  # split the source
            out.extend([(s[:1], t), (s[1:], ())])
        else:
            out.append((s, t))
        k += 1
    return out


def test_same_digits_as_vecalign_score_py(shared_bench: Path) -> None:
    """Vecalign's reference scorer (``score.py``, shipped by the sentalign package) and ours give
    the same figures on real gold with real-looking errors, under the reference policy; the two
    policies differ on these files."""
    score = pytest.importorskip("sentalign.score")
    golds = [read_vecalign(shared_bench / "textberg_defr" / f"test{k}.defr") for k in range(7)]
    preds = [_perturbed(g, seed) for seed, g in enumerate(golds)]
    ref = score.score_multiple(gold_list=[[list(map(list, x)) for x in g] for g in golds],
                               test_list=[[list(map(list, x)) for x in p] for p in preds])
    ours = align_scores(preds, golds)
    assert ours.strict.precision == pytest.approx(ref["precision_strict"], abs=1e-12)
    assert ours.strict.recall == pytest.approx(ref["recall_strict"], abs=1e-12)
    assert ours.strict.f1 == pytest.approx(ref["f1_strict"], abs=1e-12)
    assert ours.lax.precision == pytest.approx(ref["precision_lax"], abs=1e-12)
    assert ours.lax.recall == pytest.approx(ref["recall_lax"], abs=1e-12)
    assert ours.lax.f1 == pytest.approx(ref["f1_lax"], abs=1e-12)
    dropped = align_scores(preds, golds, "drop")
    assert dropped.strict.precision > ours.strict.precision + 0.01


# ------------------------------------------------------------- PRED and GOLD as exports of align


def _pair(links: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> object:
    """An Alignment of 6 x 6 sentences with these links (texts on every sentence)."""
    from pairs_factory import make_doc

    from parallel.data import Alignment, Link

    return Alignment(make_doc([f"ع{i}" for i in range(6)], "ar"), make_doc([f"e{i}" for i in range(6)], "en"),
                     tuple(Link(s, t, 0.5) for s, t in links), "parallel",
                     "model:t|mode:parallel|src:ar|tgt:en")


A_GOLD = [((0,), (0,)), ((1,), (1, 2)), ((2, 3), (3,)), ((4,), (4,)), ((5,), (5,))]
A_PRED = [((0,), (0,)), ((1,), (1,)), ((2, 3), (3,)), ((4,), (4,)), ((5,), (5,))]
B_GOLD = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
B_PRED = [((0, 1), (0,)), ((2,), (1,)), ((3,), (2,))]


def _figures(res: object) -> dict[str, object]:
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out: dict[str, object] = json.loads(res.stdout)  # type: ignore[attr-defined]
    return out


def _error_line(res: object) -> str:
    lines = res.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert res.exit_code == 2 and len(lines) == 1, res.output  # type: ignore[attr-defined]
    assert lines[0].startswith("parallel-corpus: error:")
    return lines[0]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "tsv", "tmx"])
def test_eval_reads_any_export_of_align(tmp_path: Path, fmt: str) -> None:
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / f"pred.{fmt}"), sidecar=True)  # type: ignore[arg-type]
    export(_pair(A_GOLD), str(tmp_path / "gold.align"), sidecar=True)  # type: ignore[arg-type]
    want = align_counts(A_PRED, A_GOLD)
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / f"pred.{fmt}"), str(tmp_path / "gold.align"),
                                            "--json"]))
    assert got["strict"] == want.strict.as_dict() and got["lax"] == want.lax.as_dict()
    # GOLD an export too: scored as an alignment
    export(_pair(A_GOLD), str(tmp_path / f"gold.{fmt}"), sidecar=True)  # type: ignore[arg-type]
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / f"pred.{fmt}"), str(tmp_path / f"gold.{fmt}"),
                                            "--json", "--format", "vecalign"]))
    assert got["strict"] == want.strict.as_dict()


def test_eval_same_export_twice_and_moses_refused(tmp_path: Path) -> None:
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / "p.jsonl"))  # type: ignore[arg-type]
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.jsonl"), str(tmp_path / "p.jsonl"), "--json"]))
    assert got["strict"]["f1"] == 1.0  # type: ignore[index]
    export(_pair(A_PRED), str(tmp_path / "p"), "moses")  # type: ignore[arg-type]
    _write(tmp_path, "g.align", "[0]:[0]\n")
    assert "Moses" in _error_line(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.ar-en.ar"),
                                                           str(tmp_path / "g.align")]))


def test_eval_refuses_a_tsv_made_from_moses_as_its_jsonl_twin(tmp_path: Path) -> None:
    # filter turns a Moses pair into any export: its rows carry the texts and no ids, and a TSV
    # of them was scored 0.0000 with exit 0 while the same pairs as JSONL were refused
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / "p"), "moses")  # type: ignore[arg-type]
    gold = _write(tmp_path, "g.align", "[0]:[0]\n")
    gold_tsv = _write(tmp_path, "g.tsv", "0\t0\n")
    for fmt in ("tsv", "jsonl"):
        res = CliRunner().invoke(cli, ["filter", str(tmp_path / "p.ar-en.ar"), "-o", str(tmp_path / f"r.{fmt}"), "-q"])
        assert res.exit_code == 0, res.output
        for g in (gold, gold_tsv):
            res = CliRunner().invoke(cli, ["eval", str(tmp_path / f"r.{fmt}"), str(g)])
            assert res.exit_code == 2 and "no sentence ids" in _error_line(res), (fmt, g, res.output)
    # one row without ids among rows with them: named, not scored as a link
    pred = _write(tmp_path, "m.tsv", "src_ids\ttgt_ids\tsrc\ttgt\n0\t0\ta\tb\n\t\tc\td\n1\t1\te\tf\n")
    assert "line 3: no sentence ids" in _error_line(CliRunner().invoke(cli, ["eval", str(pred), str(gold)]))


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_eval_gold_without_links_is_an_error(tmp_path: Path, text: str) -> None:
    gold = _write(tmp_path, "g.align", text)
    for pred in (_write(tmp_path, "p.align", PRED), _write(tmp_path, "e.align", "")):
        assert "GOLD holds no links" in _error_line(CliRunner().invoke(cli, ["eval", str(pred), str(gold)]))


def _joined(tmp_path: Path) -> tuple[Path, Path]:
    """``run``'s ``_all.tsv`` and ``_all.jsonl`` for pairs ``a`` and ``b`` (each from 0)."""
    from parallel.export import export

    tsv, jsonl = tmp_path / "_all.tsv", tmp_path / "_all.jsonl"
    tsv_lines: list[str] = []
    jsonl_text = ""
    for name, links in (("a", A_PRED), ("b", B_PRED)):
        export(_pair(links), str(tmp_path / f"{name}.tsv"), sidecar=True)  # type: ignore[arg-type]
        export(_pair(links), str(tmp_path / f"{name}.jsonl"), pair=name)  # type: ignore[arg-type]
        rows = (tmp_path / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        tsv_lines += ([f"pair\t{rows[0]}"] if not tsv_lines else []) + [f"{name}\t{r}" for r in rows[1:]]
        jsonl_text += (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8")
    tsv.write_text("\n".join(tsv_lines) + "\n", encoding="utf-8")
    jsonl.write_text(jsonl_text, encoding="utf-8")
    return tsv, jsonl


def test_eval_scores_run_all_pair_by_pair(tmp_path: Path) -> None:
    from parallel.export import export

    tsv, jsonl = _joined(tmp_path)
    gold = tmp_path / "gold"
    gold.mkdir()
    export(_pair(A_GOLD), str(gold / "a.gold.align"))  # type: ignore[arg-type]
    export(_pair(B_GOLD), str(gold / "b.gold.align"))  # type: ignore[arg-type]
    want = align_counts(A_PRED, A_GOLD) + align_counts(B_PRED, B_GOLD)
    for pred in (tsv, jsonl):
        got = _figures(CliRunner().invoke(cli, ["eval", str(pred), str(gold), "--json"]))
        assert got["documents"] == 2
        assert got["strict"] == want.strict.as_dict() and got["lax"] == want.lax.as_dict(), pred
    # one GOLD file for several pairs: refused, not pooled
    assert "joins 2 pairs" in _error_line(CliRunner().invoke(cli, ["eval", str(tsv), str(gold / "a.gold.align")]))


def test_a_pair_filtered_to_no_row_is_still_scored_from_the_joined_file(tmp_path: Path) -> None:
    """Stop 52: ``filter _all.tsv --min-p 0.9 -o x.tsv`` left out of ``x.tsv.sig`` the pairs it
    removed every row of, and a JSONL had nothing to name them in, so ``eval x.tsv GOLD/``
    refused the file ("no prediction for document(s) b"). Such a pair is named in the sidecar
    (tsv and jsonl alike) and scores as a pair that predicted nothing: its gold links missed."""
    from dataclasses import replace

    from parallel.export import export

    joined_tsv, joined_jsonl = tmp_path / "all.tsv", tmp_path / "all.jsonl"
    lines: list[str] = []
    records = ""
    for name, links, score in (("a", A_PRED, 0.9), ("b", B_PRED, 0.2)):
        al = _pair(links)
        al = replace(al, links=tuple(replace(k, score=score) for k in al.links))  # type: ignore[attr-defined]
        export(al, str(tmp_path / f"{name}.tsv"), sidecar=True)
        export(al, str(tmp_path / f"{name}.jsonl"), pair=name)
        rows = (tmp_path / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        lines += ([f"pair\t{rows[0]}"] if not lines else []) + [f"{name}\t{r}" for r in rows[1:]]
        records += (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8")
    joined_tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "all.tsv.sig").write_text("model:t|mode:parallel|src:ar|tgt:en\n", encoding="utf-8")
    joined_jsonl.write_text(records, encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    export(_pair(A_GOLD), str(gold / "a.gold.align"))  # type: ignore[arg-type]
    export(_pair(B_GOLD), str(gold / "b.gold.align"))  # type: ignore[arg-type]
    want = align_counts(A_PRED, A_GOLD) + align_counts([], B_GOLD)
    for source in (joined_tsv, joined_jsonl):
        for fmt in ("tsv", "jsonl"):
            kept = tmp_path / f"kept.{fmt}"
            res = CliRunner().invoke(cli, ["filter", str(source), "--min-score", "0.5", "-o", str(kept), "-q"])
            assert res.exit_code == 0, res.output
            assert "\tb\t" not in kept.read_text(encoding="utf-8") and '"pair": "b"' not in kept.read_text(
                encoding="utf-8")
            sig = (tmp_path / f"kept.{fmt}.sig").read_text(encoding="utf-8").splitlines()
            assert sig == [f"{n}\tmodel:t|mode:parallel|src:ar|tgt:en|filter:min-score=0.5" for n in "ab"], sig
            got = _figures(CliRunner().invoke(cli, ["eval", str(kept), str(gold), "--json"]))
            assert got["documents"] == 2, (source, fmt)
            assert got["strict"] == want.strict.as_dict() and got["lax"] == want.lax.as_dict(), (source, fmt)
            # filtered again, or converted, the pair stays covered
            again = tmp_path / f"again.{fmt}"
            assert CliRunner().invoke(cli, ["filter", str(kept), "-o", str(again), "-q"]).exit_code == 0
            assert _figures(CliRunner().invoke(cli, ["eval", str(again), str(gold), "--json"]))["documents"] == 2
    # a pair no file covered is refused, in one line, as before
    export(_pair(B_GOLD), str(gold / "c.gold.align"))  # type: ignore[arg-type]
    line = _error_line(CliRunner().invoke(cli, ["eval", str(tmp_path / "kept.jsonl"), str(gold)]))
    assert "no prediction for document(s) c; the file does not cover it" in line
    # every pair has a record again: the sidecar of the earlier write is gone, not left to name pairs
    assert CliRunner().invoke(cli, ["filter", str(joined_jsonl), "-o", str(tmp_path / "kept.jsonl")]).exit_code == 0
    assert not (tmp_path / "kept.jsonl.sig").exists()


def test_eval_reads_each_pair_of_a_mixed_run_file_in_its_own_mode(tmp_path: Path) -> None:
    """``run``'s ``_all.jsonl`` joining a comparable pair (its unmatched sentences listed) and a
    parallel one (with a 1-0 link): each record's own signature says its pair's mode, so the
    parallel pair's 1-0 link stays a link (counted in precision, as in its own file) whatever
    mode the first record has, and the comparable pair's unmatched sentences are no links."""
    from dataclasses import replace

    from parallel.export import export

    comparable = replace(_pair([((0,), (2,)), ((2,), (0,))]), mode="comparable",  # type: ignore[type-var]
                         signature="model:t|mode:comparable|src:ar|tgt:en")
    b_pred = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,))]
    parallel = _pair(b_pred)
    joined = tmp_path / "_all.jsonl"
    text = ""
    for name, al in (("a", comparable), ("b", parallel)):
        export(al, str(tmp_path / f"{name}.jsonl"), keep_empty=True, pair=name)  # type: ignore[arg-type]
        export(al, str(tmp_path / f"{name}.align"))  # type: ignore[arg-type]
        text += (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8")
    joined.write_text(text, encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    _write(gold, "a.gold.align", "[0]:[2]\n[2]:[0]\n")
    export(_pair(B_GOLD), str(gold / "b.gold.align"))  # type: ignore[arg-type]
    own = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "b.align"), str(gold / "b.gold.align"), "--json"]))
    want = align_counts(b_pred, B_GOLD)
    assert own["strict"] == want.strict.as_dict()
    res = CliRunner().invoke(cli, ["eval", str(joined), str(gold), "--json"])
    got = _figures(res)
    both = align_counts([((0,), (2,)), ((2,), (0,))], [((0,), (2,)), ((2,), (0,))]) + want
    assert got["documents"] == 2 and got["strict"] == both.strict.as_dict(), got


def test_eval_refuses_a_gold_naming_sentences_the_json_pred_does_not_have(tmp_path: Path) -> None:
    """A native JSON PRED knows its documents (6 x 6 sentences here): a GOLD naming sentence 7 is
    the gold of other documents, refused instead of scored quietly; the right gold scores."""
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / "p.json"))  # type: ignore[arg-type]
    ok = _write(tmp_path, "a.gold.align", "[0]:[0]\n[1]:[1, 2]\n[2, 3]:[3]\n[4]:[4]\n[5]:[5]\n")
    assert _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.json"), str(ok), "--json"]))["documents"] == 1
    for text, what in (("[0]:[0]\n[7]:[1]\n", "source sentence 7"), ("[0]:[0]\n[1]:[6]\n", "target sentence 6")):
        bad = _write(tmp_path, "other.gold.align", text)
        line = _error_line(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.json"), str(bad)]))
        assert f"names {what}" in line and "holds 6" in line, line


def test_eval_refuses_a_gold_past_the_end_of_a_pred_whose_native_json_is_beside_it(tmp_path: Path) -> None:
    """Stop 52: ``eval out/d00.align err/oob.align`` (GOLD naming source sentence 99 of a 13-sentence
    document) exited 0 with scores, and its warning blamed the export format first. A Vecalign or
    TSV file does not hold its documents' sizes (its .sig says how it was made), but run and
    ``align -f json`` write the alignment's native JSON beside it: with the same signature and
    links, its sizes are PRED's, and a GOLD id past them is an error naming the id and the size.
    Where nothing says PRED's sizes, the warning says first that the two may not be made on the
    same sentences."""
    from dataclasses import replace

    from parallel.export import export

    al = _pair(A_GOLD)  # every sentence in a link
    for fmt in ("align", "tsv", "jsonl"):
        export(al, str(tmp_path / f"p.{fmt}"), sidecar=True)  # type: ignore[arg-type]
    export(al, str(tmp_path / "p.json"))  # type: ignore[arg-type]
    ok = _write(tmp_path, "ok.gold.align", "[0]:[0]\n[1]:[1, 2]\n[2, 3]:[3]\n[4]:[4]\n[5]:[5]\n")
    part = _write(tmp_path, "part.gold.align", "[0]:[0]\n[1]:[1, 2]\n")  # a gold of part of it: fine
    bad = _write(tmp_path, "oob.gold.align", "[0]:[0]\n[9]:[9]\n")
    for fmt in ("align", "tsv", "jsonl"):
        pred = str(tmp_path / f"p.{fmt}")
        for gold in (ok, part):
            assert _figures(CliRunner().invoke(cli, ["eval", pred, str(gold), "--json"]))["documents"] == 1
        line = _error_line(CliRunner().invoke(cli, ["eval", pred, str(bad)]))
        assert f"{bad}: names source sentence 9, but {pred} (as its native JSON {tmp_path / 'p.json'} says) " \
               "holds 6 source sentences" in line, line
    # in a folder, as run writes them
    import shutil

    run, golds = tmp_path / "run", tmp_path / "gold"
    run.mkdir()
    golds.mkdir()
    for name in ("p.align", "p.align.sig", "p.json"):
        shutil.copy(tmp_path / name, run / name)
    shutil.copy(bad, golds / "p.gold.align")
    assert "names source sentence 9" in _error_line(CliRunner().invoke(cli, ["eval", str(run), str(golds)]))
    # a native JSON of another alignment beside it (other links, or another signature) says nothing of PRED
    for other in (_pair(A_PRED), replace(al, signature="model:t|mode:parallel|src:ar|tgt:en|max:2")):  # type: ignore[type-var]
        export(other, str(tmp_path / "p.json"))  # type: ignore[arg-type]
        res = CliRunner().invoke(cli, ["eval", str(tmp_path / "p.align"), str(bad)])
        assert res.exit_code == 0, res.output
        warning = res.stderr.strip().splitlines()
        assert len(warning) == 1 and warning[0].startswith(
            "parallel-corpus: warning: GOLD names source sentence 9, PRED's links end at 5: were the two made on "
            "the same sentences"), res.stderr


def test_eval_folder_names_with_dots(tmp_path: Path) -> None:
    """``run`` takes pair names with dots: ``doc.1.align`` scores against ``doc.1.gold.align``."""
    for name in ("doc.1", "doc.2"):
        _write(tmp_path / "pred", f"{name}.align", PRED)
        _write(tmp_path / "gold", f"{name}.gold.align", GOLD)
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "pred"), str(tmp_path / "gold"), "--json"]))
    assert got["documents"] == 2 and got["strict"]["precision"] == 0.5  # type: ignore[index]
    # Text+Berg style: gold test0.defr (--gold-glob 'test*.defr'), predictions test0.align or test0.defr.align
    for pred_name in ("test0.align", "test0.defr.align"):
        _write(tmp_path / f"p-{pred_name}", pred_name, PRED)
        _write(tmp_path / "tb", "test0.defr", GOLD)
        got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / f"p-{pred_name}"), str(tmp_path / "tb"),
                                                "--gold-glob", "test*.defr", "--json"]))
        assert got["documents"] == 1 and got["strict"]["precision"] == 0.5  # type: ignore[index]


# ------------------------------------------------------------- one alignment, one score, any export


def _comparable(links: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> object:
    """A comparable Alignment of 6 x 6 sentences with these (crossing) mined links."""
    from pairs_factory import make_doc

    from parallel.data import Alignment, Link

    return Alignment(make_doc([f"ع{i}" for i in range(6)], "ar"), make_doc([f"e{i}" for i in range(6)], "en"),
                     tuple(Link(s, t, 1.1) for s, t in links), "comparable",
                     "model:t|mode:comparable(auto)|src:ar|tgt:en")


C_LINKS = [((1,), (4,)), ((3,), (0,))]


@pytest.mark.parametrize("name", ["p.align", "p.tsv", "p.jsonl", "p.tmx"])
def test_eval_comparable_unmatched_entries_are_not_links(tmp_path: Path, name: str) -> None:
    """The Vecalign file and a --keep-empty export list a comparable alignment's unmatched
    sentences as [i]:[]: eval skips them (and says so), so every export scores as the .json."""
    from parallel.export import export

    al = _comparable(C_LINKS)
    export(al, str(tmp_path / "p.json"))  # type: ignore[arg-type]
    export(al, str(tmp_path / name), sidecar=True, keep_empty=True)  # type: ignore[arg-type]
    gold = _write(tmp_path, "g.align", "[1]:[4]\n[3]:[0]\n")
    want = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.json"), str(gold), "--json"]))
    assert want["strict"]["precision"] == 1.0  # type: ignore[index]
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / name), str(gold), "--json"]))
    assert got["strict"] == want["strict"] and got["lax"] == want["lax"]
    assert got["unmatched_skipped"] == 8
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / name), str(gold)])
    assert "8 unmatched sentence(s) ([i]:[] entries) skipped, not links" in res.stdout


def test_eval_warns_when_a_parallel_export_lost_its_null_links(tmp_path: Path) -> None:
    """A default tsv/jsonl/tmx export leaves 1-0/0-1 links out, so under the reference policy it
    would silently score as --null-policy drop: one warning line naming the fix."""
    from parallel.export import export

    links = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((), (2,)), ((3,), (3,)), ((4,), (4,)), ((5,), (5,))]
    al = _pair(links)
    gold = _write(tmp_path, "g.align", "[0]:[0]\n[1]:[]\n[2]:[1]\n[]:[2]\n[3]:[3]\n[4]:[4]\n[5]:[5]\n")
    export(al, str(tmp_path / "p.align"))  # type: ignore[arg-type]
    want = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "p.align"), str(gold), "--json"]))
    for fmt in ("tsv", "jsonl", "tmx"):
        export(al, str(tmp_path / f"k.{fmt}"), sidecar=True, keep_empty=True)  # type: ignore[arg-type]
        res = CliRunner().invoke(cli, ["eval", str(tmp_path / f"k.{fmt}"), str(gold), "--json"])
        assert _figures(res)["strict"] == want["strict"] and "warning" not in res.stderr
        assert _figures(res)["null_policy_in_effect"] == "reference"
        export(al, str(tmp_path / f"d.{fmt}"), sidecar=True)  # type: ignore[arg-type]
        res = CliRunner().invoke(cli, ["eval", str(tmp_path / f"d.{fmt}"), str(gold), "--json"])
        assert _figures(res)["strict"] != want["strict"]
        # the figures themselves say how they were scored (a table built from --json kept the
        # higher figure under "reference")
        assert _figures(res)["null_policy_in_effect"] == "drop" and _figures(res)["sentences_in_no_link"] > 0
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("parallel-corpus: warning:"), res.stderr
        assert "--keep-empty" in lines[0] and ".align/.json" in lines[0]
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "p.align"), str(gold)])
    assert "warning" not in res.stderr


def test_eval_scores_a_sentence_in_two_links_as_the_reference_scorer_and_refuses_a_bad_score(
        tmp_path: Path) -> None:
    # such a file was refused; Vecalign's score.py scores it (its links as a set), and eval must
    # give the same digits on the same files: it scores it too, with a warning
    gold = _write(tmp_path, "g.align", "[0]:[0]\n[1]:[1]\n")
    overlap = _write(tmp_path, "o.align", "[0]:[0]\n[0]:[1]\n[1]:[1]\n")
    res = CliRunner().invoke(cli, ["eval", str(overlap), str(gold), "--json"])
    assert res.exit_code == 0
    strict = _figures(res)["strict"]
    assert (strict["tp_pred"], strict["n_pred"], strict["tp_gold"], strict["n_gold"]) == (2, 3, 2, 2)  # type: ignore[index]
    assert strict["f1"] == pytest.approx(0.8)  # type: ignore[index]
    warning = res.stderr.strip().splitlines()
    assert len(warning) == 1 and "source sentence 0 of link [0]:[1] is also in [0]:[0]" in warning[0]
    dup = _write(tmp_path, "dup.align", "[0]:[0]\n[0]:[0]\n[1]:[1]\n")  # a repeated link counts once
    res = CliRunner().invoke(cli, ["eval", str(dup), str(gold), "--json"])
    assert _figures(res)["strict"]["f1"] == 1.0 and "warning" in res.stderr  # type: ignore[index]
    twice = _write(tmp_path, "twice.align", "[0]:[0, 0]\n")
    assert "target sentence 0 of link [0]:[0, 0] is twice in it" in CliRunner().invoke(
        cli, ["eval", str(twice), str(gold)]).stderr
    bad = _write(tmp_path, "bad.align", "[0]:[0]:abc\n")
    assert "'abc' is not a number" in _error_line(CliRunner().invoke(cli, ["eval", str(bad), str(gold)]))


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_eval_refuses_mined_pairs_from_several_files(tmp_path: Path, shared_bench: Path, fmt: str) -> None:
    """`mine` on folders numbers each file's lines from 0: eval merged 40 pairs of two files into
    20 and scored them P=R=1 against a 20-pair gold. Now a one-line error; one file pair scores."""
    d = shared_bench / "ntrex128_arb_eng"
    ar = (d / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()[:20]
    en = (d / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()[:20]
    for side, lines in (("ar", ar), ("en", en)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "1.txt").write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
        (tmp_path / side / "2.txt").write_text("\n".join(lines[10:]) + "\n", encoding="utf-8")
    gold = tmp_path / "gold.tsv"
    gold.write_text("".join(f"{i}\t{i}\n" for i in range(10)), encoding="utf-8")
    out = tmp_path / f"m.{fmt}"
    res = CliRunner().invoke(cli, ["mine", str(tmp_path / "ar"), str(tmp_path / "en"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["eval", str(out), str(gold)])
    assert res.exit_code == 2 and "come from 2 src files" in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1
    one = tmp_path / f"one.{fmt}"
    res = CliRunner().invoke(cli, ["mine", str(tmp_path / "ar" / "1.txt"), str(tmp_path / "en" / "1.txt"),
                                   "-o", str(one), "-q"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["eval", str(one), str(gold)])
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------- a PRED with no content, a number that is none


@pytest.mark.parametrize(("name", "text", "message"), [
    ("p.align", "", "file is empty"), ("p.tsv", "", "file is empty"),  # no export writes these (a tsv: no .sig)
    *((name, " \n\n\t\n", "file holds only white space") for name in ("p.align", "p.tsv", "p.jsonl"))])
def test_eval_refuses_an_empty_pred(tmp_path: Path, name: str, text: str, message: str) -> None:
    """An empty PRED (what a failed run leaves) scored F1 0.0000 and exited 0 (with a warning that
    it left every sentence out): refused now, as every command refuses an empty input, and as eval
    refuses an empty GOLD (which, both being empty, is said first). The empty file an export of
    zero pairs writes is scored (next test)."""
    gold = _write(tmp_path, "g.align", "[0]:[0]\n[1]:[1]\n")
    pred = _write(tmp_path, name, text)
    res = CliRunner().invoke(cli, ["eval", str(pred), str(gold)])
    assert _error_line(res) == f"parallel-corpus: error: {pred}: {message}" and res.stdout == ""
    # one empty document in a PRED folder is refused too
    _write(tmp_path / "pred", "a.align", "[0]:[0]\n")
    _write(tmp_path / "pred", "b.align", text)
    _write(tmp_path / "gold", "a.gold.align", "[0]:[0]\n")
    _write(tmp_path / "gold", "b.gold.align", "[0]:[0]\n")
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "pred"), str(tmp_path / "gold")])
    assert _error_line(res) == f"parallel-corpus: error: {tmp_path / 'pred' / 'b.align'}: {message}"
    res = CliRunner().invoke(cli, ["eval", str(pred), str(_write(tmp_path, "e.align", ""))])
    assert "GOLD holds no links" in _error_line(res)


def test_eval_scores_the_empty_file_an_export_of_zero_pairs_writes(tmp_path: Path) -> None:
    """filter keeping nothing (--status accepted on a file nobody reviewed) writes a 0-byte JSONL
    (JSON Lines has no header) and, with --no-header, a 0-byte TSV beside its .sig. eval refused
    both as "file is empty" (what a failed run leaves), and filter refused its own TSV, while a
    TSV with its header scored 0 in silence. Now each is read as zero pairs by both commands,
    and eval says why every figure is 0; a 0-byte file no export writes is still refused."""
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / "p.json"))  # type: ignore[arg-type]
    gold = _write(tmp_path, "g.align", "".join(f"[{i}]:[{i}]\n" for i in range(6)))
    made = {"k.jsonl": [], "k.tsv": ["--no-header"], "h.tsv": []}
    for name, opts in made.items():
        res = CliRunner().invoke(cli, ["filter", str(tmp_path / "p.json"), "--status", "accepted", *opts,
                                       "-o", str(tmp_path / name)])
        assert res.exit_code == 0 and "filters kept 0 of 5 links" in res.stderr, res.output
    assert (tmp_path / "k.jsonl").read_bytes() == b"" and (tmp_path / "k.tsv").read_bytes() == b""
    assert (tmp_path / "k.tsv.sig").is_file()
    for name in made:
        pred = str(tmp_path / name)
        res = CliRunner().invoke(cli, ["eval", pred, str(gold)])
        assert res.exit_code == 0 and res.stderr == "", res.output  # nothing about lost 1-0/0-1 links
        lines = res.stdout.splitlines()
        assert lines[0].startswith("documents: 1  predicted links: 0  gold links: 6"), lines
        assert "PRED holds no predicted links: precision, recall and F1 are 0" in lines, lines
        assert (f"PRED: {pred} empty (0 bytes): an export that kept no pair, read as no predictions" in lines) == \
            (name != "h.tsv"), lines
        got = _figures(CliRunner().invoke(cli, ["eval", pred, str(gold), "--json"]))
        assert got["strict"]["n_pred"] == 0 and got["strict"]["f1"] == 0.0  # type: ignore[index]
        assert got["empty_files"] == (name != "h.tsv")
        # filter reads what it wrote, as zero pairs
        res = CliRunner().invoke(cli, ["filter", pred, "-o", str(tmp_path / f"again.{name}")])
        assert res.exit_code == 0, res.output
    # mining scores too (a TSV GOLD of id pairs)
    pairs = _write(tmp_path, "g.tsv", "0\t0\n1\t1\n")
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "k.jsonl"), str(pairs)])
    assert res.exit_code == 0 and "PRED holds no predicted pairs: precision, recall and F1 are 0" in res.stdout
    # the same 0 bytes without the .sig no export of ours writes (--no-header keeps it): refused
    (tmp_path / "k.tsv.sig").unlink()
    assert _error_line(CliRunner().invoke(cli, ["eval", str(tmp_path / "k.tsv"), str(gold)])).endswith(
        "k.tsv: file is empty")
    assert _error_line(CliRunner().invoke(cli, ["filter", str(tmp_path / "k.tsv")])).endswith("k.tsv: file is empty")


def test_eval_scores_a_pred_with_content_but_no_links(tmp_path: Path) -> None:
    """Not empty, only without links: a comparable alignment that matched nothing (its Vecalign
    file lists only [i]:[] entries), a native JSON alignment without links, a TSV header."""
    from parallel.export import export

    gold = _write(tmp_path, "g.align", "[0]:[0]\n[1]:[1]\n")
    nothing = _comparable([])
    export(nothing, str(tmp_path / "c.align"), sidecar=True)  # type: ignore[arg-type]
    assert (tmp_path / "c.align").read_text(encoding="utf-8").startswith("[0]:[]")
    export(nothing, str(tmp_path / "c.json"))  # type: ignore[arg-type]
    export(_pair([]), str(tmp_path / "p.json"))  # type: ignore[arg-type]
    export(_pair([]), str(tmp_path / "p.tsv"), sidecar=True)  # type: ignore[arg-type]
    for name in ("c.align", "c.json", "p.json", "p.tsv"):
        got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / name), str(gold), "--json"]))
        assert got["strict"]["n_pred"] == 0 and got["strict"]["f1"] == 0.0, name  # type: ignore[index]


def _with_cell(tmp_path: Path, name: str, column: str, value: str) -> Path:
    """``align``'s TSV export of A_PRED with one cell of its second pair (line 3) replaced."""
    from parallel.export import export

    path = tmp_path / name
    export(_pair(A_PRED), str(path), sidecar=True)  # type: ignore[arg-type]
    lines = path.read_text(encoding="utf-8").split("\n")
    cols = lines[0].split("\t")
    row = lines[2].split("\t")
    row[cols.index(column)] = value
    lines[2] = "\t".join(row)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_eval_refuses_nan_and_inf_as_every_reader_does(tmp_path: Path) -> None:
    """docs/schema.md: every reader refuses a number that is not finite. filter, mt-eval and report
    did; eval read TSV and Vecalign files itself, the ids only, and scored such files (exit 0)."""
    gold = _write(tmp_path, "g.align", "".join(f"[{i}]:[{i}]\n" for i in range(6)))
    headerless = _with_cell(tmp_path, "h.tsv", "z", "-inf")
    headerless.write_text(headerless.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    cases = [(_with_cell(tmp_path, "nan.tsv", "score", "nan"), "line 3: score 'nan' is not a finite number"),
             (_with_cell(tmp_path, "inf.tsv", "p", "inf"), "line 3: p 'inf' is not a finite number"),
             (headerless, "line 2: z '-inf' is not a finite number"),
             (_write(tmp_path, "nan.align", "[0]:[0]:nan\n[1]:[1]:0.5\n"),
              "line 1: score 'nan' is not a finite number")]
    for path, message in cases:
        want = f"parallel-corpus: error: {path}: {message}"
        for args in ([str(path), str(gold)], [str(gold), str(path)]):  # as PRED and as GOLD
            assert _error_line(CliRunner().invoke(cli, ["eval", *args])) == want
        # word for word what filter says
        out = tmp_path / f"out{path.suffix}"
        assert _error_line(CliRunner().invoke(cli, ["filter", str(path), "-o", str(out)])) == want
    with pytest.raises(InputError, match="score 'inf' is not a finite number"):
        parse_vecalign("[0]:[0]:inf\n", "x.align")
    with pytest.raises(InputError, match="cosine 'NaN' is not a finite number"):
        parse_pairs_tsv("src_ids\ttgt_ids\tcosine\n0\t0\tNaN\n", "x.tsv")
    # finite numbers, empty cells and a TSV that is not of the pair schema read as before
    assert parse_pairs_tsv("src_ids\ttgt_ids\tscore\tp\n0\t0\t0.5\t\n") == [((0,), (0,))]
    assert parse_pairs_tsv("0\t0\tnan\n") == [((0,), (0,))]


def test_eval_reads_a_tsv_whose_text_holds_a_line_separator(tmp_path: Path) -> None:
    """eval split TSV rows with str.splitlines(), so a text cell holding U+2028 (or U+0085) broke
    its row ("bad sentence ids"), while filter, which splits on LF only, read the file."""
    (tmp_path / "p.tsv").write_text("src_ids\ttgt_ids\tsrc\ttgt\n0\t0\tنص\u2028ثان\tone\u0085two\n1\t1\tب\tb\n",
                                    encoding="utf-8")
    (tmp_path / "g.align").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "p.tsv"), str(tmp_path / "g.align")])
    assert res.exit_code == 0, res.output
    assert "strict" in res.output and "1.0000" in res.output


# ------------------------------------------------------------- PRED and GOLD of other documents, either way round


def _docs(links: list[tuple[tuple[int, ...], tuple[int, ...]]], src: list[str], tgt: list[str]) -> object:
    """An Alignment of these sentences with these links."""
    from pairs_factory import make_doc

    from parallel.data import Alignment, Link

    return Alignment(make_doc(src, "ar"), make_doc(tgt, "en"), tuple(Link(s, t, 0.5) for s, t in links),
                     "parallel", "model:t|mode:parallel|src:ar|tgt:en")


def test_eval_refuses_a_pred_naming_sentences_the_gold_does_not_have(tmp_path: Path) -> None:
    """The check went one way only: a small GOLD (1 x 1 sentences) against a bigger PRED was
    scored, exit 0. Now refused either way round, where either file holds its documents."""
    from parallel.export import export

    export(_pair(A_PRED), str(tmp_path / "big.json"))  # type: ignore[arg-type]
    export(_docs([((0,), (0,))], ["مرحبا"], ["Hello"]), str(tmp_path / "small.json"))  # type: ignore[arg-type]
    big, small = str(tmp_path / "big.json"), str(tmp_path / "small.json")
    for args in ([big, small], [small, big]):
        line = _error_line(CliRunner().invoke(cli, ["eval", *args]))
        assert f"{big}: names source sentence 5, but {small} holds 1 source sentences" in line, line
        assert line.endswith("not the alignment of the same documents")
    # a Vecalign PRED (no texts: its ids are all there is to check) naming sentence 7 of a 6 x 6 GOLD
    export(_pair(A_GOLD), str(tmp_path / "g.json"))  # type: ignore[arg-type]
    bad = _write(tmp_path, "p.align", "[0]:[0]\n[7]:[1]\n")
    line = _error_line(CliRunner().invoke(cli, ["eval", str(bad), str(tmp_path / "g.json")]))
    assert f"{bad}: names source sentence 7, but {tmp_path / 'g.json'} holds 6" in line, line


def test_eval_still_scores_the_same_documents_either_way_round(tmp_path: Path) -> None:
    """Not refused: a PRED leaving out its last sentences (a deletion), a GOLD with 1-0 / 0-1
    links, the same documents aligned differently, any export against the native JSON."""
    from parallel.export import export

    gold_links = [((0,), (0,)), ((1,), ()), ((2,), (1, 2)), ((3, 4), (3,)), ((), (4,)), ((5,), (5,))]
    export(_pair(gold_links), str(tmp_path / "g.json"))  # type: ignore[arg-type]
    export(_pair(gold_links[:-1]), str(tmp_path / "cut.align"))  # type: ignore[arg-type]
    export(_pair(A_PRED), str(tmp_path / "other.json"))  # type: ignore[arg-type]
    for fmt in ("align", "tsv", "jsonl", "tmx"):
        export(_pair(A_PRED), str(tmp_path / f"p.{fmt}"), sidecar=True)  # type: ignore[arg-type]
    g = str(tmp_path / "g.json")
    for pred in ("cut.align", "other.json", "p.align", "p.tsv", "p.jsonl", "p.tmx"):
        for args in ([str(tmp_path / pred), g], [g, str(tmp_path / pred), "--format", "vecalign"]):
            assert _figures(CliRunner().invoke(cli, ["eval", *args, "--json"]))["documents"] == 1, args


def test_eval_refuses_documents_of_other_sizes_or_texts(tmp_path: Path) -> None:
    """Two native JSON files of other sizes, or of the same sizes but other sentence texts (and
    any exports carrying texts) were scored as one alignment's: refused; the formats' changes to
    a text (a TSV cell's tab becomes a space) do not count."""
    from parallel.export import export

    src, tgt = [f"ع{i}" for i in range(6)], [f"e{i}" for i in range(6)]
    export(_docs(A_GOLD, src, tgt), str(tmp_path / "g.json"))  # type: ignore[arg-type]
    export(_docs(A_PRED, src, [*tgt, "e6"]), str(tmp_path / "longer.json"))  # type: ignore[arg-type]
    g = str(tmp_path / "g.json")
    line = _error_line(CliRunner().invoke(cli, ["eval", str(tmp_path / "longer.json"), g]))
    assert f"{g} holds 6 source and 6 target sentences, {tmp_path / 'longer.json'} 6 and 7" in line, line
    other = _docs(A_PRED, src, [*tgt[:4], "another", "e5"])
    for fmt in ("json", "jsonl", "tsv", "tmx"):
        export(other, str(tmp_path / f"o.{fmt}"), sidecar=True)  # type: ignore[arg-type]
        export(_docs(A_GOLD, src, tgt), str(tmp_path / f"g.{fmt}"), sidecar=True)  # type: ignore[arg-type]
        for args in ([str(tmp_path / f"o.{fmt}"), g], [str(tmp_path / f"o.{fmt}"), str(tmp_path / f"g.{fmt}")]):
            line = _error_line(CliRunner().invoke(cli, ["eval", *args, "--format", "vecalign"]))
            assert "target sentence 4 is 'e4', but in" in line and "it is 'another'" in line, line
    tabbed = _docs(A_PRED, src, [*tgt[:4], "e\t4", "e5"])
    export(tabbed, str(tmp_path / "t.json"))  # type: ignore[arg-type]
    export(tabbed, str(tmp_path / "t.tsv"), sidecar=True)  # type: ignore[arg-type]
    assert "e 4" in (tmp_path / "t.tsv").read_text(encoding="utf-8")
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "t.tsv"), str(tmp_path / "t.json"), "--json"]))
    assert got["strict"]["f1"] == 1.0  # type: ignore[index]


def test_eval_refuses_a_tsv_without_the_id_columns(tmp_path: Path) -> None:
    """A TSV whose header names no src_ids / tgt_ids had its header skipped and its columns read
    as ids, and was scored (exit 0), while filter refused it. Refused now, as PRED and as GOLD;
    a header naming them is read by name, a headerless file of ids as before."""
    gold = _write(tmp_path, "g.align", "[0]:[0]\n[1]:[1]\n")
    for name, text, missing in (("abc.tsv", "a\tb\tc\n1\t2\t3\n", "columns src_ids and tgt_ids"),
                                ("half.tsv", "src_ids\tids\n0\t0\n", "column tgt_ids")):
        bad = _write(tmp_path, name, text)
        for args in ([str(bad), str(gold)], [str(gold), str(bad)]):
            line = _error_line(CliRunner().invoke(cli, ["eval", *args]))
            assert line.startswith(f"parallel-corpus: error: {bad}:1: header ") and f"has no {missing}" in line
            assert "src_ids and tgt_ids" in line, line
        with pytest.raises(InputError, match="src_ids and tgt_ids"):
            parse_pairs_tsv(text)
    moved = _write(tmp_path, "moved.tsv", "tgt_ids\tsrc_ids\tsrc\n1\t0\tx\n0\t1\ty\n")
    assert parse_pairs_tsv(moved.read_text(encoding="utf-8")) == [((0,), (1,)), ((1,), (0,))]
    crossed = _write(tmp_path, "c.align", "[0]:[1]\n[1]:[0]\n")
    got = _figures(CliRunner().invoke(cli, ["eval", str(moved), str(crossed), "--json"]))
    assert got["strict"]["f1"] == 1.0  # type: ignore[index]
    got = _figures(CliRunner().invoke(cli, ["eval", str(_write(tmp_path, "ids.tsv", "0\t0\n1\t1\n")), str(gold),
                                            "--json"]))
    assert got["strict"]["f1"] == 1.0  # type: ignore[index]


def test_missing_null_links_counts_without_listing_the_ids(tmp_path: Path) -> None:
    # stop 36: a stray id (a typo, 10**12) built set(range(10**12 + 1)): eval took 11 GB for an id
    # of 10**8 and was killed for a 20-digit one. Counted now, under a 2 GB address-space cap.
    import subprocess
    import sys

    from parallel.evaluate import missing_null_links

    gold = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), ())]
    assert missing_null_links([((0,), (0,)), ((2,), (2,))], gold) == 2 + 1  # src 1 and 3, tgt 1
    assert missing_null_links([((0,), (0,)), ((1,), ())], gold) == 0  # written with its null links
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30));"
            "from parallel.evaluate import missing_null_links as m;"
            "print(m([((0,), (0,)), ((10**12,), (1,))], [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]))")
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-500:]
    assert int(res.stdout) == 10**12 - 1 + 1  # the ids under 10**12 but 0, and gold's target 2


@pytest.mark.parametrize("mode, gold_name", [("parallel", "parallel/00.gold.align"), ("comparable", "comparable/06.gold.tsv")])
def test_eval_does_not_count_links_a_reviewer_rejected(tmp_path: Path, shared_bench: Path, mode: str,
                                                       gold_name: str) -> None:
    """A rejected link is no prediction, in every export: eval scores the file as
    filter --drop-rejected --keep-empty writes it, and says how many it left out."""
    from parallel.review.store import ReviewStore

    d = shared_bench / "derived" / "ntrex128_ar_en"
    doc = gold_name.split("/")[0] + "/" + gold_name.split("/")[1].split(".")[0]
    gold = str(d / gold_name)
    aligned = tmp_path / "a.json"
    res = CliRunner().invoke(cli, ["align", str(d / f"{doc}.ar"), str(d / f"{doc}.en"), "--presplit", "--mode", mode,
                                   "-f", "json", "-o", str(aligned), "-q"])
    assert res.exit_code == 0, res.output
    before = json.loads(CliRunner().invoke(cli, ["eval", str(aligned), gold, "--json"]).output)
    ReviewStore(aligned).apply("status", {"link": 1, "status": "rejected"})
    dropped = tmp_path / "dropped.json"
    res = CliRunner().invoke(cli, ["filter", str(aligned), "--drop-rejected", "--keep-empty", "-f", "json",
                                   "-o", str(dropped), "-q"])
    assert res.exit_code == 0, res.output
    want = json.loads(CliRunner().invoke(cli, ["eval", str(dropped), gold, "--json"]).output)
    assert want.pop("rejected_skipped") == before.pop("rejected_skipped") == 0
    assert want["strict" if mode == "parallel" else "mining"] != before["strict" if mode == "parallel" else "mining"]
    for fmt in ("json", "tsv", "jsonl", "tmx", "align"):
        path = aligned if fmt == "json" else tmp_path / f"a.{fmt}"
        if fmt != "json":
            res = CliRunner().invoke(cli, ["filter", str(aligned), "--keep-empty", "-o", str(path)])
            assert res.exit_code == 0, res.output
            # a Vecalign file holds no status: the rejected link is written as its sentences
            # unlinked, and filter says so (stop 54: it was written as a link, and scored as one)
            assert ("1 link(s) rejected in review are written as their sentences unlinked" in res.output) \
                == (fmt == "align"), fmt
        res = CliRunner().invoke(cli, ["eval", str(path), gold, "--json"])
        got = json.loads(res.output)
        assert got.pop("rejected_skipped") == (0 if fmt == "align" else 1), fmt
        assert got == want | {"unmatched_skipped": got["unmatched_skipped"]}, fmt
        res = CliRunner().invoke(cli, ["eval", str(path), gold])
        assert ("1 link(s) rejected in review not counted" in res.output) == (fmt != "align"), fmt


# ------------------------------------------------------------- a GOLD made the other way round


def _one_way(links: list[tuple[tuple[int, ...], tuple[int, ...]]], turned: bool = False) -> object:
    """An ar -> en Alignment of 3 x 5 sentences with these links, or (``turned``) the same
    documents and links en -> ar: what a gold made in the other direction holds."""
    from pairs_factory import make_doc

    from parallel.data import Alignment, Link

    ar, en = make_doc([f"ع{i}" for i in range(3)], "ar"), make_doc([f"e{i}" for i in range(5)], "en")
    if turned:
        return Alignment(en, ar, tuple(Link(t, s, 0.5) for s, t in links), "parallel",
                         "model:t|mode:parallel|src:en|tgt:ar")
    return Alignment(ar, en, tuple(Link(s, t, 0.5) for s, t in links), "parallel",
                     "model:t|mode:parallel|src:ar|tgt:en")


ONE_TO_MANY = [((0,), (0, 1)), ((1,), (2,)), ((2,), (3, 4))]


def test_eval_says_a_gold_runs_the_other_way_round_and_swap_gold_reads_it_so(tmp_path: Path) -> None:
    """A GOLD made en -> ar for an ar -> en PRED was refused as "not the alignment of the same
    documents", or scored F1 0 with advice about lost 1-0/0-1 links (export with --keep-empty) and
    sentences past GOLD's end. eval now says the GOLD runs the other way round, from what tells it
    (the files' languages, their sentence texts, the sentences one of them holds, or only the ids), and --swap-gold reads
    it so; --swap-gold where GOLD already runs as PRED does is refused the same way."""
    from parallel.export import export

    export(_one_way(ONE_TO_MANY), str(tmp_path / "p.json"))  # type: ignore[arg-type]
    for fmt in ("align", "tsv"):  # without their .sig: no languages named
        export(_one_way(ONE_TO_MANY), str(tmp_path / f"p.{fmt}"), sidecar=False)  # type: ignore[arg-type]
    for fmt in ("json", "jsonl", "tmx", "align", "tsv"):
        export(_one_way(ONE_TO_MANY, turned=True), str(tmp_path / f"g.{fmt}"), sidecar=True)  # type: ignore[arg-type]
    (tmp_path / "g.align.sig").rename(tmp_path / "named.align.sig")  # g.align: ids only, as made by hand
    (tmp_path / "named.align").write_bytes((tmp_path / "g.align").read_bytes())
    fix = "pass --swap-gold to read its source ids as target ones and its target ids as source ones"
    p, p_ids, p_texts = (str(tmp_path / f"p.{fmt}") for fmt in ("json", "align", "tsv"))
    langs = "GOLD is en -> ar, PRED ar -> en"
    texts = "GOLD's source sentences are PRED's target ones, and its target sentences PRED's source ones"
    fits = "{}'s sentence ids fit the {} source and {} target sentences {} holds only read the other way round"
    cases = [(p, "g.json", langs), (p, "g.jsonl", langs), (p, "g.tmx", langs), (p, "g.tsv", langs),
             (p, "named.align", langs), (p_texts, "g.json", texts),
             (p_ids, "g.json", fits.format("PRED", 5, 3, "GOLD")), (p, "g.align", fits.format("GOLD", 3, 5, "PRED"))]
    for pred, name, why in cases:
        gold = str(tmp_path / name)
        line = _error_line(CliRunner().invoke(cli, ["eval", pred, gold]))
        assert line == f"parallel-corpus: error: {gold}: GOLD runs the other way round from PRED ({why}); {fix}", line
        got = _figures(CliRunner().invoke(cli, ["eval", pred, gold, "--swap-gold", "--json"]))
        assert got["strict"]["f1"] == 1.0 and got["lax"]["f1"] == 1.0, name  # type: ignore[index]
    # Vecalign files without .sig (ids only): a warning, the figures as asked, and no advice about
    # lost 1-0/0-1 links or sentences past the other file's end
    res = CliRunner().invoke(cli, ["eval", p_ids, str(tmp_path / "g.align")])
    assert res.exit_code == 0, res.output
    said = (f"parallel-corpus: warning: {tmp_path / 'g.align'}: GOLD looks like it runs the other way round from "
            f"PRED (read so, strict F1 1.0000; as it is, 0.0000); {fix}")
    assert res.stderr.splitlines() == [said], res.stderr
    assert "strict  P 0.0000  R 0.0000  F1 0.0000" in res.stdout and "in effect drop" not in res.stdout
    res = CliRunner().invoke(cli, ["eval", p_ids, str(tmp_path / "g.align"), "--swap-gold"])
    assert res.exit_code == 0 and res.stderr == "" and "strict  P 1.0000  R 1.0000  F1 1.0000" in res.stdout
    # mined id pairs (a TSV GOLD) the other way round
    _write(tmp_path, "mined.tsv", "0\t3\n1\t0\n2\t4\n")
    _write(tmp_path, "pairs.gold.tsv", "3\t0\n0\t1\n4\t2\n")
    res = CliRunner().invoke(cli, ["eval", str(tmp_path / "mined.tsv"), str(tmp_path / "pairs.gold.tsv")])
    assert res.exit_code == 0 and "(read so, mining F1 1.0000; as it is, 0.0000); pass --swap-gold" in res.stderr
    got = _figures(CliRunner().invoke(cli, ["eval", str(tmp_path / "mined.tsv"), str(tmp_path / "pairs.gold.tsv"),
                                            "--swap-gold", "--json"]))
    assert got["mining"]["f1"] == 1.0  # type: ignore[index]
    # --swap-gold on a GOLD that runs as PRED does
    export(_one_way(ONE_TO_MANY), str(tmp_path / "same.jsonl"))  # type: ignore[arg-type]
    line = _error_line(CliRunner().invoke(cli, ["eval", p, str(tmp_path / "same.jsonl"), "--swap-gold"]))
    assert line.endswith("read with --swap-gold, GOLD runs the other way round from PRED (GOLD is en -> ar, "
                         "PRED ar -> en); leave --swap-gold out"), line
    res = CliRunner().invoke(cli, ["eval", p_ids, p_ids, "--swap-gold"])
    assert res.exit_code == 0 and "leave --swap-gold out" in res.stderr
    # the same documents the same way round, and a square alignment either way: nothing said
    for args in ([p, str(tmp_path / "same.jsonl")], [p_ids, p_ids]):
        res = CliRunner().invoke(cli, ["eval", *args])
        assert res.exit_code == 0 and res.stderr == "", res.output
    square = _write(tmp_path, "sq.align", "[0]:[0]\n[1]:[1]\n[2]:[2]\n")
    res = CliRunner().invoke(cli, ["eval", str(square), str(square), "--swap-gold"])
    assert res.exit_code == 0 and res.stderr == "", res.output
