"""Corpus-scale mining: chunked/FAISS search equals comparable mode; CLI, dedup, origins, reuse."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import parallel.bigmine as bm
from parallel.cli import main as cli
from parallel.mine import mine_detailed
from parallel.schema import tsv_columns

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n: int, m: int, pairs: int, d: int = 48, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Clustered unit vectors; target rows at random places are noisy copies of the first sources."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(24, d))
    src = centres[rng.integers(0, 24, n)] + rng.normal(size=(n, d)) * 0.9
    tgt = centres[rng.integers(0, 24, m)] + rng.normal(size=(m, d)) * 0.9
    tgt[rng.permutation(m)[:pairs]] = src[:pairs] + rng.normal(size=(pairs, d)) * 0.5
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    return src.astype(np.float32), tgt.astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return synthetic(1300, 1100, 600)


@pytest.fixture(scope="module")
def reference(data: tuple[np.ndarray, np.ndarray]) -> tuple[set[tuple[int, int]], float]:
    res = mine_detailed(*data, max_link=1, min_p=None)
    return {(lk.src[0], lk.tgt[0]) for lk in res.links}, res.threshold


@pytest.mark.parametrize("margin", ["distance", "ratio"])
def test_chunked_exact_mining_equals_comparable_mode(data: tuple[np.ndarray, np.ndarray], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, margin: str) -> None:
    monkeypatch.setattr(bm.exact, "BLOCK_CELLS", 300 * 300)  # many blocks inside each chunk
    res = bm.mine_arrays(*data, tmp_path, chunk_size=450, index="exact", margin=margin)
    ref = mine_detailed(*data, max_link=1, margin=margin, min_p=None)
    assert len(bm.VectorStore(tmp_path / "src").paths) == 3
    got = set(zip(res.src.tolist(), res.tgt.tolist(), strict=True))
    assert got == {(lk.src[0], lk.tgt[0]) for lk in ref.links}
    assert res.threshold == pytest.approx(ref.threshold, abs=1e-6)
    scores = {(lk.src[0], lk.tgt[0]): lk.score for lk in ref.links}
    for i, j, s in zip(res.src, res.tgt, res.score, strict=True):
        assert s == pytest.approx(scores[(int(i), int(j))], abs=1e-5)
    assert list(res.score) == sorted(res.score, reverse=True)


def test_exact_mining_by_p_equals_comparable_mode(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    from parallel.schema import DEFAULT_MIN_P

    res = bm.mine_arrays(*data, tmp_path, chunk_size=450, index="exact", min_p=DEFAULT_MIN_P)
    ref = mine_detailed(*data, max_link=1)  # comparable mode's default: kept by p
    probs = {(lk.src[0], lk.tgt[0]): lk.features["p"] for lk in ref.links}
    got = dict(zip(zip(res.src.tolist(), res.tgt.tolist(), strict=True), res.p.tolist(), strict=True))
    assert set(got) == set(probs) and len(got) > 100
    for pair, p in got.items():
        assert p == pytest.approx(probs[pair], abs=1e-4) and p >= DEFAULT_MIN_P
    assert list(res.p) == sorted(res.p, reverse=True)
    lower = bm.mine_arrays(*data, tmp_path / "b", chunk_size=450, index="exact", min_p=0.2)
    assert len(lower.src) > len(res.src)


def test_faiss_ivf_finds_the_same_pairs(data: tuple[np.ndarray, np.ndarray], tmp_path: Path,
                                        reference: tuple[set[tuple[int, int]], float]) -> None:
    pytest.importorskip("faiss")
    res = bm.mine_arrays(*data, tmp_path, chunk_size=500, index="ivf", candidates=32, nprobe=8)
    assert res.info["index"] == "ivf" and res.info["nlist"] > 1
    got = set(zip(res.src.tolist(), res.tgt.tolist(), strict=True))
    ref, thr = reference
    assert len(got & ref) >= 0.98 * len(ref)
    assert len(got - ref) <= 0.02 * len(ref)
    assert res.threshold == pytest.approx(thr, rel=0.05)


def two_stores(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> tuple[bm.VectorStore, bm.VectorStore]:
    """The fixture's sources as a store of two chunks, its targets as a store of one."""
    src_emb, tgt_emb = data
    return (bm.VectorStore.write(tmp_path / "s", [src_emb[:700], src_emb[700:]]),
            bm.VectorStore.write(tmp_path / "t", [tgt_emb]))


@pytest.mark.parametrize("codes", ["sq8", "flat"])
def test_ivf_neighbours_carry_exact_cosines_best_first(data: tuple[np.ndarray, np.ndarray], tmp_path: Path,
                                                       codes: str) -> None:
    pytest.importorskip("faiss")
    src_emb, tgt_emb = data
    src, tgt = two_stores(data, tmp_path)
    cent = bm.train_centroids(src, tgt, 16)
    cos, ids = bm.faiss_knn(tgt, src, 8, cent, nprobe=16, codes=codes)
    assert cos.shape == ids.shape == (len(src_emb), 8) and (ids >= 0).all()
    exact = np.einsum("qd,qkd->qk", src_emb, tgt_emb[ids])
    np.testing.assert_allclose(cos, exact, atol=1e-5)  # sq8 candidates are re-scored exactly
    assert (np.diff(cos, axis=1) <= 1e-6).all()
    # with every list probed, the best candidate is the true nearest neighbour
    true_best = np.argmax(src_emb @ tgt_emb.T, axis=1)
    assert (ids[:, 0] == true_best).mean() >= (0.99 if codes == "sq8" else 1.0)


def test_default_nprobe_keeps_the_scan_per_query_bounded() -> None:
    assert bm.default_nprobe(10_000) == bm.default_nprobe(100_000) == 32
    assert bm.default_nprobe(1_000_000) == 10
    assert bm.default_nprobe(10**8) == 8
    for n in (10_000, 100_000, 1_000_000):  # vectors scanned per query stay near SCAN_PER_QUERY
        assert bm.default_nprobe(n) * n / bm.ivf_lists(n) <= 1.1 * bm.SCAN_PER_QUERY


def test_auto_switches_to_ivf_above_the_cell_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert bm.choose_index(1000, 1000) == "exact"
    monkeypatch.setattr(bm.selection, "EXACT_MAX_CELLS", 10)
    assert bm.choose_index(1000, 1000) == "ivf"
    assert bm.choose_index(1000, 1000, "exact") == "exact"


def test_empty_side_mines_nothing(tmp_path: Path) -> None:
    src, _ = synthetic(20, 5, 0)
    res = bm.mine_arrays(src, np.zeros((0, src.shape[1]), dtype=np.float32), tmp_path)
    assert len(res.src) == 0


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seed_sentences() -> tuple[list[str], list[str]]:
    from parallel.api import read_document

    ar = read_document(ROOT / "corpus" / "covid-cooperation.ar.txt", "ar").sentences
    en = read_document(ROOT / "corpus" / "covid-cooperation.en.txt", "en").sentences
    return ar, en


def test_cli_mining_equals_comparable_mode_on_real_text(seed_sentences: tuple[list[str], list[str]],
                                                        tmp_path: Path) -> None:
    from parallel.embed import get_encoder

    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", ar[:8])
    (tmp_path / "ar2.txt").write_text("\n".join(ar[8:] + ar[:3]) + "\n", encoding="utf-8")  # duplicates
    tgt = write_lines(tmp_path / "en.txt", en + ["", en[0]])
    out = tmp_path / "pairs.tsv"
    res = CliRunner().invoke(cli, ["mine", "--src", str(src), "--src", str(tmp_path / "ar2.txt"),
                                   "--tgt", str(tgt), "-o", str(out), "--work", str(tmp_path / "w"),
                                   "--chunk-size", "7", "--header", "--min-p", "0.2"])
    assert res.exit_code == 0, res.output
    assert "unique sentences" in res.stderr
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    columns = list(tsv_columns({"src_origin", "tgt_origin"}))
    assert rows[0] == columns  # the pair schema align writes, origins last
    rows = rows[1:]
    enc = get_encoder("use-m3")
    ref = mine_detailed(enc.encode(ar), enc.encode(en), max_link=1, src_sents=ar, tgt_sents=en, min_p=0.2)
    assert ref.links
    assert {(r[2], r[3]) for r in rows} == {(ar[lk.src[0]], en[lk.tgt[0]]) for lk in ref.links}
    assert len({r[2] for r in rows}) == len(rows) and len({r[3] for r in rows}) == len(rows)
    # the sentences left without a pair are counted (deduplicated), not silently dropped
    left = re.search(r"without a pair: (\d+) of (\d+) source and (\d+) of (\d+) target", res.stderr)
    assert left, res.stderr
    assert [int(g) for g in left.groups()] == [len(set(ar)) - len(rows), len(set(ar)),
                                              len(set(en)) - len(rows), len(set(en))]
    want_margin = {ar[lk.src[0]]: lk.features["margin"] for lk in ref.links}
    probs = {(ar[lk.src[0]], en[lk.tgt[0]]): lk.features["p"] for lk in ref.links}
    for r in rows:   # origins point at the first occurrence; ids are its 0-based line number
        rec = dict(zip(columns, r, strict=True))
        fname, line = rec["src_origin"].rsplit(":", 1)
        assert Path(fname).read_text(encoding="utf-8").splitlines()[int(line) - 1] == rec["src"]
        assert int(rec["src_ids"]) == int(line) - 1
        assert float(rec["margin"]) == pytest.approx(want_margin[rec["src"]], abs=2e-4)  # ratio, a number
        assert float(rec["margin_distance"]) == pytest.approx(float(rec["score"]), abs=2e-4)
        assert float(rec["p"]) == pytest.approx(probs[(rec["src"], rec["tgt"])], abs=1e-4)
    # a second run reuses the stored embeddings
    chunks = sorted((tmp_path / "w" / "src").glob("emb_*.npy"))
    stamps = [p.stat().st_mtime_ns for p in chunks]
    res2 = CliRunner().invoke(cli, ["mine", "--src", str(src), "--src", str(tmp_path / "ar2.txt"),
                                    "--tgt", str(tgt), "-o", str(tmp_path / "again.tsv"),
                                    "--work", str(tmp_path / "w"), "--chunk-size", "7", "--header", "-q",
                                    "--min-p", "0.2"])
    assert res2.exit_code == 0 and res2.stderr == ""
    assert [p.stat().st_mtime_ns for p in chunks] == stamps
    assert (tmp_path / "again.tsv").read_bytes() == out.read_bytes()


def test_cli_folders_and_errors(seed_sentences: tuple[list[str], list[str]], tmp_path: Path) -> None:
    ar, en = seed_sentences
    (tmp_path / "ar").mkdir()
    (tmp_path / "en").mkdir()
    write_lines(tmp_path / "ar" / "1.txt", ar[:5])
    write_lines(tmp_path / "en" / "1.txt", en[:9])
    res = CliRunner().invoke(cli, ["mine", str(tmp_path / "ar"), str(tmp_path / "en"), "-q"])
    assert res.exit_code == 0, res.output
    assert all(len(line.split("\t")) == len(tsv_columns({"src_origin", "tgt_origin"}))
               for line in res.stdout.splitlines())
    bad = CliRunner().invoke(cli, ["mine", str(tmp_path / "ar"), str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "no such file" in bad.stderr
    three = CliRunner().invoke(cli, ["mine", "a", "b", "c"])
    assert three.exit_code == 2 and "two paths" in three.stderr


def test_cli_refuses_languages_the_script_contradicts(seed_sentences: tuple[list[str], list[str]],
                                                      tmp_path: Path) -> None:
    """--src-lang/--tgt-lang name the output's columns: swapped, every pair would be labelled
    wrongly (JSONL {"en": <Arabic>}), so mine refuses before any work, as align does;
    --force-lang keeps them."""
    ar, en = seed_sentences
    src, tgt = write_lines(tmp_path / "ar.txt", ar[:6]), write_lines(tmp_path / "en.txt", en[:6])
    out = tmp_path / "pairs.jsonl"
    args = ["mine", str(src), str(tgt), "--src-lang", "en", "--tgt-lang", "ar", "-o", str(out), "-q"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and not out.exists()
    assert "--src-lang en" in res.stderr and "arabic script" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    forced = CliRunner().invoke(cli, [*args, "--force-lang"])
    assert forced.exit_code == 0, forced.output
    right = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--src-lang", "ar", "--tgt-lang", "en", "-q"])
    assert right.exit_code == 0, right.output


@pytest.mark.parametrize("fmt", ["jsonl", "tmx", "moses"])
def test_one_language_on_both_sides_is_refused_before_any_work(seed_sentences: tuple[list[str], list[str]],
                                                               tmp_path: Path, fmt: str) -> None:
    """mine of two English collections to -f jsonl/tmx/moses embedded and searched both sides,
    then failed telling the user to give --src-lang and --tgt-lang, which they had given: refused
    before any work now, with a fix that helps; -f tsv mines them."""
    _, en = seed_sentences
    a, b = write_lines(tmp_path / "a.txt", en[:6]), write_lines(tmp_path / "b.txt", en[6:12])
    out = tmp_path / ("pairs" if fmt == "moses" else f"pairs.{fmt}")
    for given in (True, False):
        langs = ["--src-lang", "en", "--tgt-lang", "en"] if given else []
        res = CliRunner().invoke(cli, ["mine", str(a), str(b), *langs, "-f", fmt, "-o", str(out)])
        assert res.exit_code == 2, res.output
        assert len(res.stderr.strip().splitlines()) == 1 and "both sides are 'en'" in res.stderr, res.stderr
        assert "embedding" not in res.stderr  # nothing was embedded
        assert ("give --src-lang" in res.stderr) != given, res.stderr
        assert not list(tmp_path.glob("pairs*"))
    res = CliRunner().invoke(cli, ["mine", str(a), str(b), "--src-lang", "en", "--tgt-lang", "en", "-f", "tsv", "-q"])
    assert res.exit_code == 0, res.output

@pytest.mark.parametrize("margin", ["distance", "ratio"])
def test_corpus_scale_threshold_recipe_matches_comparable_mode(data: tuple[np.ndarray, np.ndarray],
                                                               tmp_path: Path, margin: str) -> None:
    """The recipe used above ROTATION_SIDE (not delegated) still gives comparable mode's threshold."""
    src = bm.VectorStore.write(tmp_path / "s", [data[0]])
    tgt = bm.VectorStore.write(tmp_path / "t", [data[1]])
    fw, bw = bm.exact_neighbours(src, tgt, k=4, margin=margin)
    z = bm.default_z_min()
    _, thr, _ = bm.calibrated_threshold(fw, bw, src, tgt, k=4, margin=margin, z_min=z, delegate=False)
    ref = mine_detailed(*data, max_link=1, margin=margin)
    assert thr == pytest.approx(ref.threshold, abs=1e-6)



@pytest.mark.parametrize("k", [1, 5, 40])
def test_coarse_assign_is_the_exact_top_k_best_first(k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm.ivf, "ASSIGN_ROWS", 64)  # many blocks, spread over the threads
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 24)).astype(np.float32)
    cent = rng.normal(size=(30, 24)).astype(np.float32)
    cent[7] = cent[3]  # a tie: the smaller list id comes first
    scores, lists = bm.coarse_assign(x, cent, k)
    kk = min(k, len(cent))
    assert scores.shape == lists.shape == (len(x), kk)
    full = x @ cent.T
    ref = np.lexsort((np.broadcast_to(np.arange(len(cent)), full.shape), -full), axis=1)[:, :kk]
    np.testing.assert_array_equal(lists, ref)
    np.testing.assert_allclose(scores, np.take_along_axis(full, ref, 1), rtol=1e-5, atol=1e-5)
    both = (lists == 3).any(axis=1) & (lists == 7).any(axis=1)
    assert both.any() == (k > 1)
    assert (np.argmax(lists[both] == 3, axis=1) < np.argmax(lists[both] == 7, axis=1)).all()
    assert (np.diff(scores, axis=1) <= 0).all()


def test_spherical_kmeans_finds_separated_clusters_deterministically() -> None:
    rng = np.random.default_rng(5)
    centres = np.linalg.qr(rng.normal(size=(32, 8)))[0].T  # 8 orthonormal directions
    labels = rng.integers(0, 8, 800)
    x = centres[labels] + rng.normal(size=(800, 32)) * 0.05
    x = np.concatenate([x, np.repeat(x[:1], 50, axis=0)])  # duplicates: lists may come up empty
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    cent = bm.spherical_kmeans(x, 8, niter=10, seed=1)
    assert cent.shape == (8, 32) and cent.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(cent, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(cent, bm.spherical_kmeans(x, 8, niter=10, seed=1))
    # every true direction has a centroid close to it
    assert (np.max(centres @ cent.T, axis=1) > 0.95).all()


def test_ivf_search_with_the_callers_assignments_equals_its_own(data: tuple[np.ndarray, np.ndarray],
                                                                tmp_path: Path) -> None:
    pytest.importorskip("faiss")
    src_emb, tgt_emb = data
    src, tgt = two_stores(data, tmp_path)
    cent = bm.train_centroids(src, tgt, 24)
    own = bm.faiss_knn(tgt, src, 8, cent, nprobe=6, chunk=300)
    given = bm.faiss_knn(tgt, src, 8, cent, nprobe=6, chunk=300,
                         base_lists=bm.assign_store(tgt, cent, 1)[1][:, 0],
                         query_lists=bm.assign_store(src, cent, 6, chunk=256))
    np.testing.assert_array_equal(own[1], given[1])
    np.testing.assert_array_equal(own[0], given[0])
    # probing 6 of 24 lists still finds most true nearest neighbours
    assert (own[1][:, 0] == np.argmax(src_emb @ tgt_emb.T, axis=1)).mean() > 0.9


def _mined(out: Path) -> list[dict[str, str]]:
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_lines_end_at_newline_only(seed_sentences: tuple[list[str], list[str]], tmp_path: Path) -> None:
    """A form feed, U+2028 or U+0085 inside a line does not cut it (str.splitlines did): ids and
    origins stay the line numbers an editor and `wc -l` give."""
    ar, en = seed_sentences
    odd = list(ar)
    for k, ch in ((1, "\x0c"), (3, "\u2028"), (5, "\x85")):
        odd[k] = odd[k].replace(" ", ch, 1)
    src = tmp_path / "ar.txt"
    src.write_text("\n".join(odd) + "\n", encoding="utf-8")
    tgt = write_lines(tmp_path / "en.txt", en)
    out = tmp_path / "m.tsv"
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "-o", str(out), "--min-p", "0.1", "-q"])
    assert res.exit_code == 0, res.output
    rows = _mined(out)
    assert rows
    for r in rows:
        line = int(r["src_origin"].rsplit(":", 1)[1])
        assert int(r["src_ids"]) == line - 1 < len(ar)
        assert r["src"].split()[-1] == ar[line - 1].split()[-1]


def test_min_p_filters_and_never_changes_p(tmp_path: Path, shared_bench: Path) -> None:
    """`mine --min-p X` keeps what `mine` keeps with p >= X, with the same p: the bar does not
    change the selection's structure (it used to: at a high bar the one-to-one assignment did not
    run, every p changed and pairs with p 0.999 were lost)."""
    d = shared_bench / "ntrex128_arb_eng"
    ar = (d / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()[:40]
    en = (d / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()[:40]
    src = write_lines(tmp_path / "ar.txt", ar)
    tgt = write_lines(tmp_path / "en.txt", en[::-1])
    runs = {}
    for bar in ("0.45", "0.99", "0.998"):
        out = tmp_path / f"m{bar}.tsv"
        res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "-o", str(out), "--min-p", bar, "-q",
                                       "-m", "use-m3"])
        assert res.exit_code == 0, res.output
        runs[bar] = {(r["src_ids"], r["tgt_ids"]): r["p"] for r in _mined(out)}
    base = runs["0.45"]
    assert sum(float(p) >= 0.998 for p in base.values()) >= 3
    for bar in ("0.99", "0.998"):
        # p is written to 4 decimals: a pair printed as exactly the bar may lie just under it
        edge = {k for k, p in base.items() if abs(float(p) - float(bar)) <= 5e-5}
        kept = {k: p for k, p in runs[bar].items() if k not in edge}
        assert kept == {k: p for k, p in base.items() if float(p) >= float(bar) and k not in edge}
        assert set(runs[bar]) <= set(base) and all(runs[bar][k] == base[k] for k in runs[bar])


def test_work_folder_notices_an_edit_that_keeps_size_and_time(seed_sentences: tuple[list[str], list[str]],
                                                              tmp_path: Path) -> None:
    import os

    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", ar)
    tgt = write_lines(tmp_path / "en.txt", en)
    args = ["mine", str(src), str(tgt), "--work", str(tmp_path / "w"), "--min-p", "0.1", "-q"]
    first = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "a.tsv")])
    assert first.exit_code == 0, first.output
    stat = src.stat()
    swapped = [ar[1], ar[0], *ar[2:]]   # same bytes, other order: same size
    write_lines(src, swapped)
    os.utime(src, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert src.stat().st_size == stat.st_size and src.stat().st_mtime_ns == stat.st_mtime_ns
    second = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b.tsv")])
    assert second.exit_code == 0, second.output
    for r in _mined(tmp_path / "b.tsv"):
        line = int(r["src_origin"].rsplit(":", 1)[1])
        assert swapped[line - 1] == r["src"]


def test_lines_without_a_letter_take_no_partner(seed_sentences: tuple[list[str], list[str]], tmp_path: Path) -> None:
    """Rules and bare numbers ("==========", "12345") were mined with p 0.94-0.999: encoders put
    every such line close to every other. A line without a letter pairs only with a line that
    says its numbers; these stay unmatched, in mine and in comparable mode."""
    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", [*ar, "==========", "12345"])
    tgt = write_lines(tmp_path / "en.txt", [*en, "----------", "98765"])
    out = tmp_path / "m.tsv"
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "-o", str(out), "--min-p", "0.05", "-q"])
    assert res.exit_code == 0, res.output
    rows = _mined(out)
    assert rows and all(any(ch.isalpha() for ch in r["src"] + r["tgt"]) for r in rows)
    assert not {r["src"] for r in rows} & {"==========", "12345"}
    res = CliRunner().invoke(cli, ["align", str(src), str(tgt), "--presplit", "--mode", "comparable",
                                   "--min-p", "0.05", "-o", str(tmp_path / "c.jsonl"), "-q", "--keep-empty"])
    assert res.exit_code == 0, res.output
    import json

    records = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    linked = [r for r in records if not r.get("unmatched")]
    assert linked and not any(r["translation"]["ar"] in ("==========", "12345") for r in linked)
    assert {"==========", "12345"} <= {r["translation"]["ar"] for r in records if r.get("unmatched")}


@pytest.mark.parametrize("damage", ["emb", "offsets"])
def test_a_damaged_work_folder_is_made_again(seed_sentences: tuple[list[str], list[str]], tmp_path: Path,
                                              damage: str) -> None:
    # stop 36: a chunk cut short (a full disk, a copy interrupted) or a garbled offsets.npy was
    # "internal error: ValueError: mmap length ..." on every rerun, the work never rebuilt
    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", ar)
    tgt = write_lines(tmp_path / "en.txt", en)
    args = ["mine", str(src), str(tgt), "--work", str(tmp_path / "w"), "--min-p", "0.1"]
    assert CliRunner().invoke(cli, [*args, "-q", "-o", str(tmp_path / "a.tsv")]).exit_code == 0
    if damage == "emb":
        victim = tmp_path / "w" / "src" / "emb_00000.npy"
        victim.write_bytes(victim.read_bytes()[:100])
    else:
        victim = tmp_path / "w" / "tgt" / "offsets.npy"
        victim.write_bytes(b"garbage\n")
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b.tsv")])
    assert res.exit_code == 0, res.output
    assert f"{victim.name} cannot be read" in res.stderr
    assert (tmp_path / "b.tsv").read_bytes() == (tmp_path / "a.tsv").read_bytes()


def test_work_files_changed_in_place_are_made_again(seed_sentences: tuple[list[str], list[str]],
                                                    tmp_path: Path) -> None:
    """A sign bit flipped in a chunk of vectors, or a same-length edit of texts.txt, kept every
    size and shape check: the next mine used the changed vectors (other pairs) or printed sentences
    that are in no input, with exit 0. Each work file's CRC is kept beside it: a changed chunk is
    embedded again alone, changed texts make the side again, and the output is the first run's."""
    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", ar)
    tgt = write_lines(tmp_path / "en.txt", en)
    args = ["mine", str(src), str(tgt), "--work", str(tmp_path / "w"), "--min-p", "0.1"]
    assert CliRunner().invoke(cli, [*args, "-q", "-o", str(tmp_path / "a.tsv")]).exit_code == 0
    chunk = tmp_path / "w" / "src" / "emb_00000.npy"
    data = bytearray(chunk.read_bytes())
    data[-1] ^= 0x80  # the sign of the last float: same size, same shape, still a float
    chunk.write_bytes(bytes(data))
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b.tsv")])
    assert res.exit_code == 0, res.output
    assert "emb_00000.npy is not as it was written; embedding it again" in res.stderr
    assert "embedding tgt" not in res.stderr  # the other side's work is kept
    assert (tmp_path / "b.tsv").read_bytes() == (tmp_path / "a.tsv").read_bytes()
    texts = tmp_path / "w" / "tgt" / "texts.txt"
    edited = texts.read_bytes()
    first = edited.index(b"e")  # one letter for another: the same length, offsets still fit
    texts.write_bytes(edited[:first] + b"a" + edited[first + 1:])
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "c.tsv")])
    assert res.exit_code == 0, res.output
    assert "texts.txt cannot be read; collecting and embedding this side again" in res.stderr
    assert (tmp_path / "c.tsv").read_bytes() == (tmp_path / "a.tsv").read_bytes()


def test_a_work_folder_inside_an_input_folder_is_not_read_as_input(seed_sentences: tuple[list[str], list[str]],
                                                                   tmp_path: Path) -> None:
    # stop 36: `mine ar en --work ar/work` worked once; the rerun took ar/work/src/texts.txt for an
    # input ("is an input of this command") after deleting the cached embeddings
    ar, en = seed_sentences
    (tmp_path / "ar").mkdir()
    (tmp_path / "en").mkdir()
    write_lines(tmp_path / "ar" / "a.txt", ar)
    write_lines(tmp_path / "en" / "a.txt", en)
    args = ["mine", str(tmp_path / "ar"), str(tmp_path / "en"), "--work", str(tmp_path / "ar" / "work"),
            "--min-p", "0.1", "-q"]
    outs = []
    for n in range(2):
        res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / f"{n}.tsv")])
        assert res.exit_code == 0, res.output
        outs.append((tmp_path / f"{n}.tsv").read_bytes())
    assert outs[0] == outs[1]
    # stop 55: the next mine over the folder without --work read the work folder's embeddings as
    # sentences ("ar/work/src/emb_00000.npy: looks like a binary file")
    res = CliRunner().invoke(cli, [*args[:3], "--min-p", "0.1", "-q", "-o", str(tmp_path / "2.tsv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "2.tsv").read_bytes() == outs[0]


def test_two_mines_on_one_work_folder_take_turns(seed_sentences: tuple[list[str], list[str]], tmp_path: Path) -> None:
    # stop 38: two mines on one --work folder (one writing TSV, another Moses) wrote the same chunk
    # files at once, and one failed ("internal error: ValueError: mmap length ..."); the second now
    # waits for the lock the first holds on the folder, then reuses its embeddings
    import fcntl
    import os
    import subprocess
    import sys

    ar, en = seed_sentences
    src = write_lines(tmp_path / "ar.txt", ar)
    tgt = write_lines(tmp_path / "en.txt", en)
    work = tmp_path / "w"
    args = ["mine", str(src), str(tgt), "--work", str(work), "--min-p", "0.1"]
    assert CliRunner().invoke(cli, [*args, "-q", "-o", str(tmp_path / "a.tsv")]).exit_code == 0
    fd = os.open(work, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another mine holds the folder
    with subprocess.Popen([sys.executable, "-m", "parallel", *args, "-o", str(tmp_path / "b.tsv")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            seen = []
            for line in proc.stderr:  # waits for the condition, not for a time
                seen.append(line)
                if "is in use by another mine" in line:
                    break
            assert any("is in use by another mine: waiting" in x for x in seen), "".join(seen)
            assert proc.poll() is None and not (tmp_path / "b.tsv").exists()
        finally:
            os.close(fd)  # the other mine is done
        rest = proc.stderr.read()
        assert proc.wait() == 0, rest
    assert (tmp_path / "b.tsv").read_bytes() == (tmp_path / "a.tsv").read_bytes()


def test_quiet_mine_keeps_its_workers_quiet(tmp_path: Path) -> None:
    # a spawned embedding worker starts without the command's note channel: under -q its "only the
    # beginning is embedded" note still went to stderr
    import subprocess

    (tmp_path / "a.en").write_text("word " * 1000 + "\nA short English sentence.\n", encoding="utf-8")
    (tmp_path / "b.ar").write_text("جملة عربية قصيرة.\nجملة أخرى.\n", encoding="utf-8")

    def mine(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "parallel", "mine", str(tmp_path / "a.en"), str(tmp_path / "b.ar"),
                               "-m", "use-m3", "--no-sig", "-o", str(tmp_path / "out.tsv"), *extra],
                              capture_output=True, text=True, timeout=600, check=False,
                              env={**os.environ, "PARALLEL_CACHE_DIR": str(tmp_path / "cache")})

    loud = mine("--work", str(tmp_path / "w1"))
    assert loud.returncode == 0 and "only their beginning is embedded" in loud.stderr
    quiet = mine("-q", "--work", str(tmp_path / "w2"))
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_work_folder_with_its_texts_cut_short_is_made_again(tmp_path: Path) -> None:
    # texts.txt emptied or cut in half (a full disk, a copy interrupted) went unseen: every pair
    # came out with an empty source side, exit 0, and so on every later run
    import subprocess

    bench = Path(__file__).resolve().parents[2] / "shared" / "bench" / "derived" / "ntrex128_ar_en" / "mining"
    if not bench.is_dir():
        pytest.skip("the bench data is not beside the repository (../shared)")
    work = tmp_path / "w"

    def mine(src: Path, out: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "parallel", "mine", str(src), str(bench / "all.en"), "-m", "use-m3",
                               "--work", str(work), "--no-sig", "-o", str(tmp_path / out)],
                              capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
                              env={**os.environ, "PARALLEL_CACHE_DIR": str(tmp_path / "cache")})

    first = mine(bench / "all.ar", "a.tsv")
    assert first.returncode == 0, first.stderr
    # the same file named another way (relative to the folder run from) reuses the folder
    (tmp_path / "in").symlink_to(bench)
    again = mine(Path("in") / "all.ar", "b.tsv")
    assert again.returncode == 0 and "embedding src" not in again.stderr, again.stderr
    texts = work / "src" / "texts.txt"
    texts.write_bytes(texts.read_bytes()[: texts.stat().st_size // 2])
    cut = mine(bench / "all.ar", "c.tsv")
    assert cut.returncode == 0 and "texts.txt cannot be read; collecting and embedding this side again" in cut.stderr
    assert (tmp_path / "c.tsv").read_bytes() == (tmp_path / "a.tsv").read_bytes()


def test_embedding_stopped_inside_a_chunk_resumes_from_its_last_piece(seed_sentences: tuple[list[str], list[str]],
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop 40: a chunk (50,000 sentences by default) was saved only once all its pieces were
    embedded, so a mine killed in the middle of one embedded it again from its first sentence: up
    to an hour with a slow encoder. Each piece is kept on disk until its chunk is saved; a restart
    embeds only the pieces it lacks, and the chunk holds the same vectors as a run never stopped."""
    from parallel.engines import get_engine

    monkeypatch.setattr(bm.embedding, "EMBED_PIECE", 4)
    ar, _ = seed_sentences
    sents = bm.collect_sentences([write_lines(tmp_path / "ar.txt", ar)], tmp_path / "w")
    whole = bm.embed_side(sents, tmp_path / "w", model="use-m3", chunk_size=1000, engine=get_engine("local"))
    expected = np.concatenate([np.load(p) for p in whole.paths])
    for p in (tmp_path / "w").glob("emb_*.npy"):
        p.unlink()

    class Stops:
        """The local engine, stopped (as by a kill) after ``after`` pieces; counts the pieces asked."""

        def __init__(self, after: int | None) -> None:
            self.after, self.asked, self.inner = after, 0, get_engine("local")

        def imap(self, fn, jobs):  # type: ignore[no-untyped-def]
            for n, item in enumerate(self.inner.imap(fn, jobs)):
                if self.after is not None and n == self.after:
                    raise KeyboardInterrupt
                self.asked += 1
                yield item

    pieces = -(-len(sents) // 4)
    assert pieces >= 4
    with pytest.raises(KeyboardInterrupt):
        bm.embed_side(sents, tmp_path / "w", model="use-m3", chunk_size=1000, engine=Stops(3))
    assert not list((tmp_path / "w").glob("emb_*.npy"))
    assert len(list((tmp_path / "w").glob("piece_*.npy"))) == 3
    again = Stops(None)
    store = bm.embed_side(sents, tmp_path / "w", model="use-m3", chunk_size=1000, engine=again)
    assert again.asked == pieces - 3
    assert not list((tmp_path / "w").glob("piece_*.npy"))   # gone once the chunk is saved
    assert np.array_equal(np.concatenate([np.load(p) for p in store.paths]), expected)


def test_an_output_in_the_work_folder_is_refused_before_any_work(seed_sentences: tuple[list[str], list[str]],
                                                                  tmp_path: Path) -> None:
    """`mine --work W -o W` embedded and searched everything, then failed ("is a directory", exit
    1); `-o W/src/texts.txt` replaced one of mine's own files and left W unusable."""
    ar, en = seed_sentences
    src, tgt = write_lines(tmp_path / "ar.txt", ar), write_lines(tmp_path / "en.txt", en)
    work = tmp_path / "w"
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--work", str(work), "-o", str(work), "-q"])
    assert res.exit_code == 2 and "is the --work folder" in res.stderr and not work.exists(), res.output
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--work", str(work), "-o", str(tmp_path / "p.tsv"), "-q"])
    assert res.exit_code == 0, res.output
    inside = min(p for p in work.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--work", str(work), "-o", str(inside), "-q"])
    assert res.exit_code == 2 and "inside the --work folder" in res.stderr, res.output
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == before


def test_another_k_says_p_is_off_its_calibration(seed_sentences: tuple[list[str], list[str]], tmp_path: Path) -> None:
    # -k 16 doubled the margins and moved which pairs --min-p keeps, in silence
    ar, en = seed_sentences
    src, tgt = write_lines(tmp_path / "ar.txt", ar), write_lines(tmp_path / "en.txt", en)
    for k, warned in (("4", False), ("8", True)):
        res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "-k", k, "-o", str(tmp_path / f"p{k}.tsv")])
        assert res.exit_code == 0, res.output
        assert ("fitted on margins over 4 neighbours" in res.stderr) is warned, res.stderr
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "-k", "8", "--z-min", "3", "-o", str(tmp_path / "z.tsv")])
    assert res.exit_code == 0 and "fitted on margins" not in res.stderr  # kept by margin, not p


def test_ivf_options_with_the_exact_index_say_they_are_unused(seed_sentences: tuple[list[str], list[str]],
                                                              tmp_path: Path) -> None:
    # --index exact --nprobe 7 --candidates 2 wrote the same bytes as the defaults, in silence
    ar, en = seed_sentences
    src, tgt = write_lines(tmp_path / "ar.txt", ar), write_lines(tmp_path / "en.txt", en)
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--index", "exact", "--nprobe", "7",
                                   "--candidates", "2", "-o", str(tmp_path / "a.tsv")])
    assert res.exit_code == 0 and "--nprobe and --candidates are not used" in res.stderr, res.output
    res = CliRunner().invoke(cli, ["mine", str(src), str(tgt), "--index", "exact", "-o", str(tmp_path / "b.tsv")])
    assert res.exit_code == 0 and "not used" not in res.stderr
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


def test_ivf_asks_for_no_more_candidates_than_there_are_sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    # stop 46: --candidates and -k were not capped at the collection's size with --index ivf
    # (--index exact was fine): 3 sentences a side with --candidates 1000000 took 8 GB and 16 s,
    # 10000000 was killed for lack of memory
    pytest.importorskip("faiss")
    from parallel.bigmine import ivf

    rng = np.random.default_rng(5)
    src = rng.standard_normal((3, 32)).astype(np.float32)
    tgt = (src[[2, 0, 1]] + 0.05 * rng.standard_normal((3, 32))).astype(np.float32)
    asked: list[tuple[int, int]] = []
    real = ivf.faiss_knn

    def spy(base: bm.VectorStore, queries: bm.VectorStore, kc: int, *a: object, **kw: object) -> object:
        asked.append((kc, len(base)))
        assert kc <= len(base), (kc, len(base))
        return real(base, queries, kc, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ivf, "faiss_knn", spy)
    wide = bm.mine_arrays(src, tgt, tmp_path / "w", index="ivf", candidates=10**9, k=10**9, min_p=0.0)
    assert asked and all(kc == n for kc, n in asked)
    small = bm.mine_arrays(src, tgt, tmp_path / "s", index="ivf", candidates=3, k=3, min_p=0.0)
    assert sorted(zip(wide.src.tolist(), wide.tgt.tolist(), strict=True)) == \
        sorted(zip(small.src.tolist(), small.tgt.tolist(), strict=True)) == [(0, 1), (1, 2), (2, 0)]


def test_every_export_of_mine_holds_the_same_values(tmp_path: Path, shared_bench: Path) -> None:
    """mine wrote raw floats: the TSV printed p 0.9973 where the JSONL held 0.99725 (read back as
    0.9972), so `filter --min-p 0.9973` kept 61 pairs from the TSV and 60 from the JSONL and TMX.
    Its values are rounded as align rounds them, and every export reads back the same."""
    from parallel.readers import pairs_format, read_pairs

    tat = shared_bench / "tatoeba_ara_eng"
    for name, lines in (("a.ar", "tatoeba.ara-eng.ara"), ("b.en", "tatoeba.ara-eng.eng")):
        text = (tat / lines).read_text(encoding="utf-8").splitlines()[:250]
        (tmp_path / name).write_text("\n".join(text) + "\n", encoding="utf-8")
    values = {}
    for fmt in ("tsv", "jsonl", "tmx"):
        out = tmp_path / f"m.{fmt}"
        res = CliRunner().invoke(cli, ["mine", str(tmp_path / "a.ar"), str(tmp_path / "b.en"), "-o", str(out),
                                       "--work", str(tmp_path / "work"), "-q"])
        assert res.exit_code == 0, res.output
        al = read_pairs(str(out), pairs_format(out, None))
        # a threshold compares at 4 places, the TSV's (docs/schema.md)
        values[fmt] = [(k.src, k.tgt, *(round(float(k.features[f]), 4) for f in ("p", "cosine", "z", "margin")))
                       for k in al.links]
    assert len(values["tsv"]) > 100 and values["tsv"] == values["jsonl"] == values["tmx"]


def test_a_symlinked_folder_is_read_as_a_symlinked_file_is(tmp_path: Path) -> None:
    """A folder linked into an input folder was skipped without a word (Path.rglob does not follow
    it), though a linked file was read; a link back up the tree is read once, and hidden files and
    folders stay out."""
    from parallel.bigmine.store import expand_inputs

    root, elsewhere = tmp_path / "ar", tmp_path / "elsewhere"
    (root / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "a.txt").write_text("أ\n", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("ب\n", encoding="utf-8")
    (elsewhere / "c.txt").write_text("ج\n", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "d.txt").write_text("د\n", encoding="utf-8")
    (root / "e.txt.swp").write_text("x\n", encoding="utf-8")
    (root / ".f.txt").write_text("x\n", encoding="utf-8")
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    (root / "sub" / "up").symlink_to(root, target_is_directory=True)  # a loop
    (root / "linkedfile.txt").symlink_to(elsewhere / "c.txt")
    got = [str(p.relative_to(root)) for p in expand_inputs([root])]
    assert got == ["a.txt", "e.txt.swp", "linked/c.txt", "linkedfile.txt", "sub/b.txt"]


def test_keep_empty_lists_every_sentence_left_without_a_pair(tmp_path: Path, shared_bench: Path) -> None:
    """Stop 55: mine said only how many sentences found no pair ("without a pair: 193 of 600"); the
    sentences themselves were nowhere, though comparable mode lists its unmatched ones (JSONL,
    report) and filter sends a user to "export it with --keep-empty". With --keep-empty they follow
    the pairs, one side empty, each input line once (duplicates once), with their FILE:LINE."""
    import json

    from parallel.readers import read_pairs

    ntrex = shared_bench / "ntrex128_arb_eng"
    ar = (ntrex / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()[:40]
    en = (ntrex / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()[20:60]
    (tmp_path / "a.ar").write_text("\n".join([*ar, ar[3]]) + "\n", encoding="utf-8")  # a duplicate line
    (tmp_path / "b.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    base = ["mine", str(tmp_path / "a.ar"), str(tmp_path / "b.en"), "--work", str(tmp_path / "w")]
    res = CliRunner().invoke(cli, [*base, "-o", str(tmp_path / "p.jsonl")])
    assert res.exit_code == 0, res.output
    assert "--keep-empty lists them" in res.stderr
    pairs = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert pairs and all(r["src_ids"] and r["tgt_ids"] for r in pairs)
    res = CliRunner().invoke(cli, [*base, "--keep-empty", "-o", str(tmp_path / "k.jsonl")])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in (tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[:len(pairs)] == pairs  # the pairs first, as without the option
    rest = rows[len(pairs):]
    assert rest and all(bool(r["src_ids"]) != bool(r["tgt_ids"]) and r["p"] is None for r in rest)
    # every line of each side once: in a pair or listed (the duplicate of line 3 is line 3)
    got_src = sorted(i for r in rows for i in r["src_ids"])
    got_tgt = sorted(j for r in rows for j in r["tgt_ids"])
    assert got_src == list(range(40)) and got_tgt == list(range(40))
    for r in rest:
        side, ids = ("ar", r["src_ids"]) if r["src_ids"] else ("en", r["tgt_ids"])
        origin = r["src_origin"] if side == "ar" else r["tgt_origin"]
        assert origin == f"{tmp_path / ('a.ar' if side == 'ar' else 'b.en')}:{ids[0] + 1}"
        assert r["translation"][side] == (ar if side == "ar" else en)[ids[0]]
        assert r["translation"]["en" if side == "ar" else "ar"] == ""
    # the TSV holds the same rows, and filter reads them back as the unmatched sentences
    res = CliRunner().invoke(cli, [*base, "--keep-empty", "-o", str(tmp_path / "k.tsv"), "-q"])
    assert res.exit_code == 0, res.output
    al = read_pairs(str(tmp_path / "k.tsv"), "tsv")
    assert len(al.links) == len(pairs)
    assert len(al.unmatched_src) == sum(bool(r["src_ids"]) for r in rest)
    assert len(al.unmatched_tgt) == sum(bool(r["tgt_ids"]) for r in rest)
    # filtered (here by no bar at all), the listed sentences keep their FILE:LINE (stop 57: a file
    # of one input a side lost them, and the README promises them)
    res = CliRunner().invoke(cli, ["filter", str(tmp_path / "k.jsonl"), "--keep-empty", "-o", str(tmp_path / "f.jsonl"),
                                   "-q"])
    assert res.exit_code == 0, res.output
    again = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    listed = [(r["src_ids"], r["tgt_ids"], r["src_origin"], r["tgt_origin"]) for r in again if not (r["src_ids"] and r["tgt_ids"])]
    assert sorted(listed) == sorted((r["src_ids"], r["tgt_ids"], r["src_origin"], r["tgt_origin"]) for r in rest)
