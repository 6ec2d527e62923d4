"""One schema for an aligned pair, shared by every writer and reader.

``align``, ``run`` (per pair and ``_all.*``), ``mine`` and ``filter`` write the same fields,
in the same order, with the same types, and every command that takes pairs reads them back.

A pair is the flat record below. The TSV writes the fields as columns in this order (a
header line by default); JSONL writes ``src``/``tgt`` as the Hugging Face ``"translation":
{SRC_LANG: ..., TGT_LANG: ...}`` dict and every other field as a key, **always present**,
``null`` where a pair has no value, then ``unmatched`` and ``signature``; TMX writes the
fields a pair has as ``x-NAME`` props. :func:`jsonl_features` gives the JSONL schema as
``datasets.Features``.

=================  =========  ============================================================
field              type       meaning
=================  =========  ============================================================
src_ids, tgt_ids   int list   0-based sentence numbers (TSV: ``3,4``; empty for no side)
src, tgt           string     the texts (several sentences joined by a space)
score              float      the aligner's own confidence (higher is surer)
type               string     link type, ``1-1``, ``2-1``, ``0-1`` ...
cosine             float      cosine of the two sides' embeddings
margin             float      ratio margin (Artetxe & Schwenk), k nearest neighbours
length_ratio       float      source characters / target characters
numbers            string     ``agree`` / ``differ`` / ``none``
numbers_src/_tgt   string     each side's numbers, normalised, space separated
chrf               float      chrF++ between the sides where they are comparable (two scripts:
                              of the names and digits only)
p                  float      calibrated probability that the link is right, in [0, 1]
status             string     review decision: ``accepted`` / ``rejected`` (null: not reviewed)
edited             string     how a reviewer changed the link: ``merge``, ``split``, ``relink``;
                              what an edit left behind: ``trimmed``, ``gap``, ``unlinked``
note               string     the reviewer's note
margin_local       float      parallel mode: cosine minus the neighbours' mean
norm_cosine        float      parallel mode: cosine minus the random-pair mean
length_z           float      parallel mode: Gale-Church length z score
margin_distance    float      comparable mode and ``mine``: distance margin
z                  float      comparable mode and ``mine``: margin in null standard deviations
p_value            float      comparable mode: p-value of ``z`` under the null
join_gain, join_z  float      comparable mode: what joining a 2-1 link gained
pair               string     ``run``: the manifest pair the link comes from
src_origin,        string     ``mine``: ``FILE:LINE`` of the sentence's first occurrence
tgt_origin
=================  =========  ============================================================

In the TSV ``pair`` is the first column and ``src_origin``/``tgt_origin`` the last two, and
only where they apply (``run``'s ``_all.tsv``, ``mine``); every other column is always there.
"""

from __future__ import annotations

from typing import Any

#: Version of the pair schema (part of ``run``'s resume key: a new schema redoes the pairs).
SCHEMA_VERSION = 2

#: (name, type) of every field, in order; type is ``ids``, ``text``, ``float`` or ``string``.
FIELDS: tuple[tuple[str, str], ...] = (
    ("src_ids", "ids"), ("tgt_ids", "ids"), ("src", "text"), ("tgt", "text"),
    ("score", "float"), ("type", "string"),
    ("cosine", "float"), ("margin", "float"), ("length_ratio", "float"), ("numbers", "string"),
    ("numbers_src", "string"), ("numbers_tgt", "string"), ("chrf", "float"), ("p", "float"),
    ("status", "string"), ("edited", "string"), ("note", "string"),
    ("margin_local", "float"), ("norm_cosine", "float"), ("length_z", "float"),
    ("margin_distance", "float"), ("z", "float"), ("p_value", "float"), ("join_gain", "float"),
    ("join_z", "float"),
    ("pair", "string"), ("src_origin", "string"), ("tgt_origin", "string"),
)
TYPES: dict[str, str] = dict(FIELDS)

#: The fields of a link that are not its ids, texts, score and type: ``Link.features`` keys.
FEATURE_FIELDS = tuple(name for name, _ in FIELDS[6:])
FLOAT_FIELDS = tuple(name for name in FEATURE_FIELDS if TYPES[name] == "float")
STRING_FIELDS = tuple(name for name in FEATURE_FIELDS if TYPES[name] == "string")

#: Fields written as TSV columns only where some pair has them: ``pair`` first, the origins last.
LEADING_EXTRAS = ("pair",)
TRAILING_EXTRAS = ("src_origin", "tgt_origin")
#: The TSV columns every file has, in order.
TSV_CORE = tuple(name for name, _ in FIELDS if name not in LEADING_EXTRAS + TRAILING_EXTRAS)

#: Review decisions a person can record (``status``), and the values ``filter --status`` takes.
#: Default bar on ``p`` for keeping a mined pair (comparable mode, ``mine``): chosen on the visible
#: proxies for a precision of about 0.9 (see docs/calibration.md). Here, with the pair's fields,
#: so that the commands' options and help read it without importing the model (and numpy).
DEFAULT_MIN_P = 0.45

STATUSES = ("accepted", "rejected")
STATUS_CHOICES = ("accepted", "rejected", "edited", "unreviewed")


def tsv_columns(present: set[str] | frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The TSV columns for pairs whose features include the extras in ``present``."""
    lead = tuple(c for c in LEADING_EXTRAS if c in present)
    trail = tuple(c for c in TRAILING_EXTRAS if c in present)
    return lead + TSV_CORE + trail


def jsonl_keys() -> list[str]:
    """The keys of every JSONL record, in order."""
    return ["translation", "src_ids", "tgt_ids", "type", "score", *FEATURE_FIELDS, "unmatched", "signature"]


def jsonl_features(src_lang: str = "ar", tgt_lang: str = "en") -> Any:
    """The JSONL schema as ``datasets.Features`` (the ``datasets`` package is imported here).

    Load several JSONL files -- any mode, any command -- as one dataset with it::

        datasets.load_dataset("json", data_files=[...], features=jsonl_features("ar", "en"))
    """
    import datasets

    value = {"float": datasets.Value("float64"), "string": datasets.Value("string"),
             "text": datasets.Value("string"), "ids": datasets.List(datasets.Value("int64"))}
    feats: dict[str, Any] = {"translation": datasets.Translation(languages=[src_lang, tgt_lang])}
    for name in jsonl_keys()[1:-2]:
        feats[name] = value[TYPES[name]]
    feats["unmatched"] = datasets.Value("bool")
    feats["signature"] = datasets.Value("string")
    return datasets.Features(feats)


def read_csv_options() -> dict[str, Any]:
    """Options for ``pandas.read_csv`` and ``datasets.load_dataset("csv", ...)`` that read our TSV
    right: tab separated, no quoting (a segment may start with ``"``), a segment such as
    ``NA`` or ``null`` kept as text, empty float fields as NaN / None, ids and texts as strings::

        pandas.read_csv("pairs.tsv", **read_csv_options())
        datasets.load_dataset("csv", data_files="pairs.tsv", **read_csv_options())

    Spelled out: ``sep="\\t", quoting=csv.QUOTE_NONE, keep_default_na=False,
    na_values={float column: [""]}, converters={text column: str}``.
    """
    import csv

    return {"sep": "\t", "quoting": csv.QUOTE_NONE, "keep_default_na": False,
            "na_values": {c: [""] for c in ("score", *FLOAT_FIELDS)},
            "converters": {name: str for name, kind in FIELDS if kind in ("ids", "text", "string")}}


def is_number(value: Any) -> bool:
    """An int or a float as JSON gives them (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_whole(value: Any) -> bool:
    """A whole number as a caller of the API may give one: an int or numpy's (``np.int64(2)``, a
    notebook's loop variable), never a bool."""
    import numbers

    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_flag(value: Any) -> bool:
    """A yes/no value as a caller of the API may give one: a bool or numpy's (``np.True_``), not
    a string ("no" is a true string) nor a number."""
    import numpy as np

    return isinstance(value, (bool, np.bool_))


def is_probability(value: Any) -> bool:
    """A number from 0 to 1 as a caller of the API may give one (numpy's too), never a bool; NaN
    fails the range."""
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0.0 <= float(value) <= 1.0


def feature_type_error(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the feature ``name`` (a float field holding text, a string field
    holding a number ...), or None when it fits. ``null`` fits every field (no value); a
    number is an int or a float, never a bool; fields outside the schema take anything."""
    kind = TYPES.get(name)
    if value is None or kind is None:
        return None
    if kind == "float":
        if not is_number(value):
            return f"a number expected, got {value!r}"[:80]
        if name == "p" and not 0.0 <= value <= 1.0:  # filter --min-p would keep it whatever the bar
            return f"a probability (0 to 1) expected, got {value!r}"[:80]
    elif kind == "string" and not isinstance(value, str):
        return f"text expected, got {value!r}"[:80]
    elif name == "status" and value not in (*STATUSES, ""):  # filter --status would drop it in silence
        return f"{' or '.join(STATUSES)} expected, got {value!r}"[:80]
    return None


def person_made(link: Any) -> bool:
    """Whether a link with two sides was accepted or made by a reviewer (its ``p`` is still the
    model's): what a number filter says it removed, and what the legend explains."""
    return bool(link.src and link.tgt and review_state(link.features) & {"accepted", "edited"})


#: ``edited`` values of a link an edit left behind rather than made: what a relink left of a link
#: it took sentences from (``trimmed``), and a sentence left with no partner (``gap``, and
#: ``unlinked`` where a link was deleted)
LEFT_BEHIND = ("trimmed", "gap", "unlinked")


def review_state(features: Any, *, gap: bool = False) -> set[str]:
    """What ``filter --status`` matches for a link: its status (``accepted``/``rejected``, else
    ``unreviewed``), plus ``edited`` when a reviewer made it (merged, relinked, or split into it).
    What an edit left behind was changed by nobody's decision about it, and is no ``edited``
    link (``--status accepted,edited``, the training-data recipe, kept it): a link that only lost
    sentences to another one, a sentence left with no partner (:data:`LEFT_BEHIND`), and, where
    the link has an empty side (``gap``), a piece of a split (the sentences a split takes apart
    from the piece it keeps linked, or both of a 1-1 link's)."""
    status = features.get("status")
    out = {status if status in STATUSES else "unreviewed"}
    edited = features.get("edited")
    if edited and edited not in LEFT_BEHIND and not (gap and edited == "split"):
        out.add("edited")
    return out
