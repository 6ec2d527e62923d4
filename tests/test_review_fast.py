"""The review app at book scale: an edit neither reads, checks nor encodes the whole file again,
a merge does not measure the whole documents again, an accept answers with the rows it changed
(and the page draws only those), and all of it saves the very bytes and p the whole-file path
saves. bench/review_bench.py prints the times."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from harness import patient_page
from pairs_factory import make_doc
from test_review import HOST, PORT, review_server, save

import parallel.evidence
import parallel.review.store as store_mod
from parallel.data import Alignment, Link
from parallel.evidence import annotate
from parallel.export import write_json
from parallel.readers import read_alignment
from parallel.review.store import JsonText, ReviewStore, fingerprint

N_SRC, N_TGT = 40, 46


class HashEncoder:
    """A stand-in encoder: 16-d unit vectors from a hash of the text (deterministic, no model),
    so neighbourhoods, coverage and contested cuts are not trivial."""

    name = "hash"

    def encode(self, texts: list[str]) -> Any:
        rows = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode("utf-8")).digest()[:4], "little")
            rows.append(np.random.default_rng(seed).normal(size=16))
        out = np.array(rows, dtype=np.float64).reshape(len(texts), 16)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def translation() -> Alignment:
    """A parallel alignment taken for a translation (p reads each link's place), with 1-1, 2-1,
    1-2 and 1-0 / 0-1 links, each pair with the p annotate gives it."""
    ar = [f"جملة عربية رقم {i} " + "كلمة " * (i % 5) for i in range(N_SRC)]
    en = [f"English sentence number {j} " + "word " * (j % 7) for j in range(N_TGT)]
    links, i, j, n = [], 0, 0, 0
    while i < N_SRC and j < N_TGT:
        shape = [(1, 1), (2, 1), (1, 2), (1, 1), (1, 0), (1, 1), (0, 1), (1, 2)][n % 8]
        a, b = min(shape[0], N_SRC - i), min(shape[1], N_TGT - j)
        links.append(Link(tuple(range(i, i + a)), tuple(range(j, j + b)), 0.5))
        i, j, n = i + a, j + b, n + 1
    links += [Link((x,), (), 0.0) for x in range(i, N_SRC)] + [Link((), (y,), 0.0) for y in range(j, N_TGT)]
    al = Alignment(make_doc(ar, "ar", "t.ar.txt"), make_doc(en, "en", "t.en.txt"), tuple(links), "parallel",
                   "model:hash|mode:parallel", info={"translation": True})
    enc = HashEncoder()
    emb = (np.asarray(enc.encode(list(al.src.sentences)), dtype=np.float32),
           np.asarray(enc.encode(list(al.tgt.sentences)), dtype=np.float32))
    return annotate(al, src_emb=emb[0], tgt_emb=emb[1], encoder=enc)


EDITS: list[tuple[str, dict[str, Any]]] = [
    ("status", {"link": 3, "status": "accepted"}), ("note", {"link": 4, "note": "look"}),
    ("merge", {"link": 7}), ("split", {"link": 7}), ("merge", {"link": 9}),
    ("relink", {"link": 12, "src": [14], "tgt": [14, 15]}), ("split", {"link": 15, "src_at": 1, "tgt_at": 0}),
    ("delete", {"link": 20}), ("relink", {"src": [30], "tgt": [36, 37]}), ("undo", {}), ("undo", {}),
    ("status", {"link": 2, "status": "rejected"}), ("merge", {"link": 0}),
]


def run_edits(path: Path) -> list[Alignment]:
    st = ReviewStore(path, encoder=lambda al: HashEncoder())
    out = []
    for op, args in EDITS:
        out.append(st.undo() if op == "undo" else st.apply(op, args))
    return out


def test_edits_save_the_bytes_and_p_of_the_whole_file_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file, its undo history and every p after status, note, merge, split, relink, delete and
    undo edits are those of the path that reads the file, measures the whole documents and the
    whole link list and encodes the whole file at each edit (as the store did before)."""
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast = save(translation(), tmp_path / "fast" / "t.json")
    slow = save(translation(), tmp_path / "slow" / "t.json")
    got = run_edits(fast)

    def whole_annotate(*a: Any, knn: Any = None, cover: Any = None, **k: Any) -> Alignment:
        return annotate(*a, **k)  # the documents' k-NN means and coverage measured again

    def write_whole(self: ReviewStore, al: Alignment) -> None:
        with open(self.path, "w", encoding="utf-8") as fh:
            write_json(al, fh)

    with monkeypatch.context() as m:
        m.setattr(parallel.evidence, "annotate", whole_annotate)
        m.setattr(store_mod, "_regap_near", lambda *a, **k: None)  # the place of every link measured
        m.setattr(ReviewStore, "load", lambda self: read_alignment(self.path))
        m.setattr(ReviewStore, "_write", write_whole)
        want = run_edits(slow)
    assert fast.read_bytes() == slow.read_bytes()
    assert (fast.with_name("t.json.history.jsonl").read_bytes()
            == slow.with_name("t.json.history.jsonl").read_bytes())
    assert [[k.features.get("p") for k in al.links] for al in got] == \
        [[k.features.get("p") for k in al.links] for al in want]
    # the edits did move p: a merge's link has one, and a neighbour's moved with its place
    assert any(k.features.get("edited") == "merge" and "p" in k.features for k in got[2].links)


def test_the_store_writes_the_bytes_write_json_writes(tmp_path: Path) -> None:
    for al in (translation(), read_alignment(save(translation(), tmp_path / "a.json"))):
        text = JsonText()
        ref = tmp_path / "ref.json"
        save(al, ref)
        assert text.text(al) == ref.read_text(encoding="utf-8")
        assert text.text(al) == ref.read_text(encoding="utf-8")  # from the links kept
        empty = Alignment(al.src, al.tgt, (), "comparable", al.signature)
        save(empty, ref)
        assert text.text(empty) == ref.read_text(encoding="utf-8")


def test_an_edit_neither_reads_nor_encodes_the_whole_file_again(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(translation(), tmp_path / "t.json")
    st = ReviewStore(path)
    st.apply("status", {"link": 1, "status": "accepted"})
    reads: list[str] = []
    encoded: list[int] = []
    whole: list[int] = []
    real_read, real_dict = read_alignment, store_mod.link_to_dict
    monkeypatch.setattr("parallel.readers.read_alignment", lambda p: reads.append(str(p)) or real_read(p))
    monkeypatch.setattr(store_mod, "link_to_dict", lambda k: encoded.append(1) or real_dict(k))
    monkeypatch.setattr("parallel.export.write_json", lambda *a, **k: whole.append(1))
    al = st.apply("status", {"link": 2, "status": "rejected"})
    st.apply("note", {"link": 3, "note": "x"})
    assert reads == [] and whole == []
    assert len(encoded) < len(al.links)  # the links the edits changed, not each of the file's
    assert read_alignment(path) == st.load() and fingerprint(st.load().links) == st.revs.of(st.load().links)
    assert al.links[2].features["status"] == "rejected"


def test_a_file_changed_outside_is_read_again(tmp_path: Path) -> None:
    """Another program's change is seen whatever its timestamps: the same size, the same mtime."""
    path = save(translation(), tmp_path / "t.json")
    st = ReviewStore(path)
    st.apply("note", {"link": 1, "note": "aaaa"})
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b'"note": "aaaa"', b'"note": "bbbb"'))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert st.load().links[1].features["note"] == "bbbb"
    old_rev = fingerprint(read_alignment(path).links)
    al = st.apply("status", {"link": 1, "status": "accepted"}, rev=old_rev)
    assert al.links[1].features == {**al.links[1].features, "note": "bbbb", "status": "accepted"}
    assert read_alignment(path).links[1].features["note"] == "bbbb"
    save(translation(), path)  # replaced whole: the edit above is gone, and so is its rev
    from parallel.review.store import ConflictError

    with pytest.raises(ConflictError):
        st.apply("status", {"link": 1, "status": "rejected"}, rev=fingerprint(al.links))
    assert "status" not in st.load().links[1].features


def test_a_merge_measures_the_documents_once_and_a_links_place_near_the_edit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import parallel.confidence
    import parallel.mine

    path = save(translation(), tmp_path / "t.json")
    st = ReviewStore(path, encoder=lambda al: HashEncoder())
    knn: list[int] = []
    cover: list[int] = []
    cuts: list[int] = []
    real_knn, real_cover, real_cut = parallel.mine.knn_means, parallel.confidence.coverage, parallel.confidence.contested
    monkeypatch.setattr(parallel.mine, "knn_means", lambda *a, **k: knn.append(1) or real_knn(*a, **k))
    monkeypatch.setattr(parallel.confidence, "coverage", lambda *a, **k: cover.append(1) or real_cover(*a, **k))
    monkeypatch.setattr(parallel.confidence, "contested",
                        lambda links, *a, **k: cuts.append(len(links)) or real_cut(links, *a, **k))
    for i in (5, 9, 20):
        st.apply("merge", {"link": i})
        st.apply("split", {"link": i})
    assert len(knn) == 1 and len(cover) == 1
    n = len(st.load().links)
    assert cuts and max(cuts) <= 6 < n


# ------------------------------------------------------------------ the delta protocol


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    pytest.importorskip("flask")
    from parallel.review.app import create_app

    path = save(translation(), tmp_path / "t.json")
    app = create_app(path, port=PORT, token="tok", embed=False)
    yield app.test_client(), path


def post(c: Any, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json=body, base_url=f"http://{HOST}", headers={"X-CSRF-Token": "tok"})


def state(c: Any) -> dict[str, Any]:
    return c.get("/api/state", base_url=f"http://{HOST}").get_json()  # type: ignore[no-any-return]


def test_an_accept_answers_with_the_rows_it_changed(client: tuple[Any, Path]) -> None:
    """With ``"delta": true`` an edit that keeps the number of links answers with the rows it
    changed (``delta``: start and rows), which spliced into the page's rows give the state a
    reload gives; without it, or when the number of links changes, the rows come whole."""
    c, _ = client
    s = state(c)
    rows = s["links"]
    r = post(c, "/api/op", {"op": "status", "args": {"link": 7, "status": "accepted"}, "rev": s["rev"]})
    rows, rev = r.get_json()["links"], r.get_json()["rev"]  # no delta asked: whole
    for op, args in (("status", {"link": 8, "status": "rejected"}), ("note", {"link": 10, "note": "n"}),
                     ("status", {"link": 0, "status": "accepted"})):
        r = post(c, "/api/op", {"op": op, "args": args, "rev": rev, "delta": True})
        got = r.get_json()
        assert r.status_code == 200 and "links" not in got
        d = got["delta"]
        assert d["start"] == max(0, args["link"] - 1) and len(d["links"]) <= 2  # the row before: its Merge ↓
        rows = rows[:d["start"]] + d["links"] + rows[d["start"] + len(d["links"]):]
        whole = state(c)
        assert rows == whole["links"]
        assert {k: v for k, v in got.items() if k not in ("delta", "unlinked", "at", "carried", "dropped", "rescored")} \
            == {k: v for k, v in whole.items() if k != "links"} | {"src": got["src"], "tgt": got["tgt"], "fold": None}
        rev = got["rev"]
    r = post(c, "/api/undo", {"rev": rev, "delta": True})  # an undo of a note: in place too
    assert "delta" in r.get_json() and r.get_json()["history"] == 3
    r = post(c, "/api/op", {"op": "merge", "args": {"link": 2}, "rev": r.get_json()["rev"], "delta": True})
    assert "delta" not in r.get_json() and r.get_json()["links"] == state(c)["links"]  # renumbered: whole
    r = post(c, "/api/op", {"op": "status", "args": {"link": 2, "status": "rejected"}, "rev": "stale",
                            "delta": True})
    assert r.status_code == 409


# ------------------------------------------------------------------ the page


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    with patient_page(tmp_path) as pg:
        yield pg


@pytest.mark.slow
def test_an_accept_draws_again_only_its_rows_in_a_real_browser(tmp_path: Path, page: Any) -> None:
    """A book's page drew every row again at each accept (a second and more): now the rows the
    reply changed are drawn again and the others stay the same elements; the focus stays on the
    row, the counts and Undo follow, the "show" menu still hands the focus on, and an edit that
    renumbers the rows still draws them all."""
    from playwright.sync_api import expect

    path = save(translation(), tmp_path / "t.json")
    shutil.copy(path, tmp_path / "t2.json")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with review_server(path) as url:
        page.goto(url)
        expect(page.locator("#L20")).to_be_visible()
        page.click("#L0 .c[dir=ltr]")
        page.keyboard.press("a")  # the first accept changes the legend: the page is drawn whole
        expect(page.locator("#status")).to_have_text("Saved: link 0 accepted")
        page.evaluate("window.probe = [document.getElementById('L1'), document.getElementById('L20')]")
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(page.locator("#status")).to_have_text("Saved: link 1 accepted")
        expect(page.locator("#L1 .badge.accepted")).to_be_visible()
        expect(page.locator("#L1 button[data-act=accept]")).to_have_text("Unaccept")
        expect(page.locator("#meta")).to_contain_text("2 accepted")
        expect(page.locator("#undo")).to_have_text("Undo (2)")
        assert page.evaluate("window.probe[1] === document.getElementById('L20')")  # not drawn again
        assert page.evaluate("window.probe[0] !== document.getElementById('L1')")   # drawn again
        assert page.evaluate("document.activeElement.id") == "L1"
        page.keyboard.press("u")  # the focus is where it was: the key reaches the same link
        expect(page.locator("#status")).to_have_text("Saved: link 1 unmarked")
        page.fill("#L3 input.note", "checked")
        page.press("#L3 input.note", "Enter")
        expect(page.locator("#status")).to_have_text("Saved: note on link 3")
        expect(page.locator("#L3 input.note")).to_have_value("checked")
        page.select_option("#show", "only-todo")
        page.click("#L5 .c[dir=ltr]")
        page.keyboard.press("a")
        expect(page.locator("#status")).to_have_text("Saved: link 5 accepted")
        expect(page.locator("#L5")).to_be_hidden()
        nxt = page.evaluate("document.activeElement.id")
        assert nxt.startswith("L") and int(nxt[1:]) > 5  # handed on to the next row shown
        assert page.evaluate("window.probe[1] === document.getElementById('L20')")
        page.select_option("#show", "")
        n = page.locator("#grid .r[data-i]").count()
        page.click("#L7 button[data-act=merge]")  # renumbers every row after it: drawn whole
        expect(page.locator("#status")).to_have_text("Saved: merged links 7 and 8")
        expect(page.locator("#grid .r[data-i]")).to_have_count(n - 1)
        assert page.evaluate("window.probe[1] !== document.getElementById('L20')")
        saved = read_alignment(path)
        assert [k.features.get("status") for k in saved.links[:6]] == ["accepted", None, None, None, None, "accepted"]
        assert saved.links[3].features["note"] == "checked"
        page.reload()  # what the page drew is what the file holds
        expect(page.locator("#L5 .badge.accepted")).to_be_visible()
        expect(page.locator("#L3 input.note")).to_have_value("checked")
    assert errors == []
