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
