"""Tests for workbench.textsim: normalisation, MinHash, LSH and boilerplate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.textsim import (
    EMPTY,
    boilerplate_shingles,
    estimate_similarity,
    lsh_pairs,
    minhash_signatures,
    normalise_text,
    shingles,
    strip_boilerplate,
)

TEMPLATES = [
    "hey gentlemen my name is {name} im {age} and new in {city} sweet petite and ready to "
    "make your night special incall outcall available call or text {phone} no blocked calls",
    "{name} here just arrived in {city} for a few days only {age} years young real pics "
    "guaranteed text me at {phone} to set up a time serious gentlemen only",
    "brand new girl in town {city} visiting {age} yo {name} very discreet and friendly "
    "hablo espanol text {phone} between 10am and midnight",
]
NAMES = ["jade", "mia", "lola", "kira", "ruby", "skye", "nina", "tess"]
CITIES = ["houston", "dallas", "miami", "atlanta", "denver", "reno"]
UNRELATED = [
    "selling my used road bike in great condition barely ridden comes with a helmet and lock",
    "looking for a roommate to share a two bedroom apartment close to campus utilities included",
    "lost cat near the park answers to whiskers grey tabby with a white chest reward offered",
    "professional house cleaning weekly or monthly rates references available on request",
    "vintage record collection for sale mostly jazz and soul from the sixties and seventies",
    "math tutoring for high school students algebra geometry and calculus evenings and weekends",
]


def template_corpus(seed: int = 0, copies: int = 6) -> tuple[pd.Series, np.ndarray]:
    rng = np.random.default_rng(seed)
    texts, template = [], []
    for t, pattern in enumerate(TEMPLATES):
        for _ in range(copies):
            texts.append(
                pattern.format(
                    name=rng.choice(NAMES),
                    city=rng.choice(CITIES),
                    age=rng.integers(19, 30),
                    phone=f"({rng.integers(200, 999)}) {rng.integers(200, 999)}-{rng.integers(1000, 9999)}",
                )
            )
            template.append(t)
    texts += UNRELATED
    template += [-1 - k for k in range(len(UNRELATED))]
    return pd.Series(texts), np.array(template)


def exact_jaccard(texts: pd.Series, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    table = shingles(texts)
    sets = table.groupby("doc")["shingle"].agg(set).reindex(range(len(texts)), fill_value=set())
    return np.array(
        [len(sets[a] & sets[b]) / max(len(sets[a] | sets[b]), 1) for a, b in zip(i, j, strict=True)]
    )


def test_normalise_text_placeholders_and_unicode():
    out = normalise_text(
        pd.Series(
            [
                "CALL ME 📞 ７１３-555-0199!!",
                "mail: Jade.X@Gmail.com or https://t.co/abc?x=1",
                None,
                "  ",
            ]
        )
    )
    assert out.tolist() == ["call me emojitok numtok", "mail emailtok or urltok", "", ""]
    assert (normalise_text(pd.Series(["a"], index=[7])).index == [7]).all()


def test_short_and_empty_texts():
    table = shingles(pd.Series(["one", "two words", "", None, "a b c d"]))
    assert table.groupby("doc").size().to_dict() == {0: 1, 1: 1, 4: 2}
    sig = minhash_signatures(pd.Series(["", "hello there friend"]))
    assert (sig[0] == EMPTY).all() and not (sig[1] == EMPTY).any()
    assert len(lsh_pairs(minhash_signatures(pd.Series(["", "", ""]))).i) == 0  # empties never pair


def test_templates_with_different_slots_are_found_and_estimates_are_close():
    texts, template = template_corpus()
    sig = minhash_signatures(texts, num_perm=128, seed=1)
    i, j, hubs = lsh_pairs(sig, bands=32, rows=4)
    assert len(hubs) == 0
    same = template[i] == template[j]
    assert same.all(), "no pair across templates or with unrelated texts"
    n_true = sum(c * (c - 1) // 2 for c in np.bincount(template[template >= 0]))
    assert same.sum() >= 0.9 * n_true
    estimate = estimate_similarity(sig, i, j)
    exact = exact_jaccard(texts, i, j)
    assert np.abs(estimate - exact).mean() < 0.05
    assert np.abs(estimate - exact).max() < 0.2


def test_unrelated_texts_have_low_similarity():
    texts, template = template_corpus()
    sig = minhash_signatures(texts)
    unrelated = np.flatnonzero(template < 0)
    i, j = np.triu_indices(len(unrelated), 1)
    assert estimate_similarity(sig, unrelated[i], unrelated[j]).max() < 0.1


def test_determinism_with_seed():
    texts, _ = template_corpus()
    a = minhash_signatures(texts, seed=3)
    assert np.array_equal(a, minhash_signatures(texts, seed=3))
    assert not np.array_equal(a, minhash_signatures(texts, seed=4))
    assert np.array_equal(lsh_pairs(a).i, lsh_pairs(minhash_signatures(texts, seed=3)).i)


def test_hub_buckets_are_reported_not_expanded():
    texts = pd.Series(
        ["the very same spam text posted again and again"] * 50 + ["something else entirely here"]
    )
    i, j, hubs = lsh_pairs(minhash_signatures(texts), max_bucket=10)
    assert len(i) == 0
    assert len(hubs) == 16 and (hubs["size"] == 50).all()
    assert sorted(hubs.loc[0, "members"]) == list(range(50))


def test_footer_is_detected_and_stripped():
    texts, template = template_corpus(copies=10)
    footer = " Posted via EscortSiteX — support line 1-800-555-0100 — be safe, report abuse"
    rng = np.random.default_rng(0)
    with_footer = rng.random(len(texts)) < 0.6
    platforms = pd.Series(rng.choice(["site_a", "site_b", "site_c", "site_d"], len(texts)))
    dirty = texts.where(~with_footer, texts + footer)
    found = boilerplate_shingles(dirty, min_df=0.3, min_count=5, spread=platforms)
    words = " ".join(found["text"])
    assert "escortsitex" in words and "report abuse" in words
    assert not any(name in words for name in ("gentlemen", "petite", "espanol", "bike"))
    stripped = strip_boilerplate(dirty, found)
    assert not stripped.str.contains("escortsitex|report abuse").any()
    assert stripped[~with_footer].tolist() == normalise_text(texts[~with_footer]).tolist()
    # The footer alone makes unrelated ads look alike; excluding it removes that.
    both = np.flatnonzero(with_footer & (template < 0))[:2]
    if len(both) == 2:
        raw = estimate_similarity(minhash_signatures(dirty), both[:1], both[1:])
        clean = estimate_similarity(minhash_signatures(dirty, exclude=found), both[:1], both[1:])
        assert raw[0] > 0.2 and clean[0] < 0.1


def test_spread_guard_keeps_single_platform_templates():
    texts, _ = template_corpus(copies=10)
    platforms = pd.Series(["only_site"] * len(texts))
    assert len(boilerplate_shingles(texts, min_df=0.1, min_count=5, spread=platforms)) == 0
    assert (
        len(boilerplate_shingles(texts, min_df=0.1, min_count=5)) > 0
    )  # without it, templates count


def test_strip_boilerplate_on_chunked_arrow_strings():
    """Large corpora arrive as chunked Arrow arrays (seen at 100k ads)."""
    import pyarrow as pa

    from workbench.textsim import boilerplate_shingles, strip_boilerplate

    ads = [f"ad {n} sweet girl {n} posted via sitex be safe" for n in "abcdefghij"]
    chunked = pa.chunked_array([ads[:5], ads[5:]], type=pa.large_string())
    texts = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    footer = boilerplate_shingles(texts, min_df=0.5, min_count=2)
    assert strip_boilerplate(texts, footer).tolist()[0] == "ad a sweet girl a"


def test_tokens_match_normalised_text_split():
    """Ads are split first and each distinct word normalised once: the same tokens as
    normalising whole ads, also for NFKC spaces, combining marks, emoji runs and numbers."""
    from workbench.textsim import _tokens

    rng = np.random.default_rng(0)
    alphabet = list("ab c1 2.-@_+/:\n\t") + [
        "\u00a0",
        "\u3000",
        "\u00a8",
        "\u0301",
        "😘",
        "\ufe0f",
        "\u200d",
        "７",
        "Ａ",
        "ﬁ",
        "www.",
        "http://",
        ".com",
        "x@y.io",
        "\u0660",
        "ß",
    ]
    texts = pd.Series(
        ["".join(rng.choice(alphabet, rng.integers(0, 40))) for _ in range(3000)]
        + [None, "", "call 713 555 0199 or 713-555-0199 😘😘 😘"]
    )
    tokens = _tokens(texts)
    words = tokens.vocab.take(tokens.code).to_pylist()
    expected = [
        (doc, word) for doc, text in enumerate(normalise_text(texts)) for word in text.split()
    ]
    assert list(zip(tokens.doc.tolist(), words, strict=True)) == expected


def test_template_signatures_equal_the_three_step_path():
    texts, _ = template_corpus(copies=10)
    footer = " Posted via EscortSiteX — support line 1-800-555-0100 — be safe, report abuse"
    rng = np.random.default_rng(1)
    dirty = texts.where(rng.random(len(texts)) > 0.6, texts + footer)
    spread = pd.Series(rng.choice(["a", "b", "c", "d", None], len(texts)))
    from workbench.textsim import template_signatures

    sig, boiler = template_signatures(
        dirty, spread=spread, num_perm=128, seed=2, min_df=0.3, min_count=5
    )
    expected_boiler = boilerplate_shingles(dirty, min_df=0.3, min_count=5, spread=spread)
    assert boiler.equals(expected_boiler) and len(boiler) > 0
    cleaned = strip_boilerplate(dirty, expected_boiler)
    assert np.array_equal(sig, minhash_signatures(cleaned, num_perm=128, seed=2, normalise=False))


def test_signature_chunks_and_byte_filter_change_nothing():
    from workbench.textpairs import _byte_filter, signature_pairs
    from workbench.textsim import _signatures

    table = shingles(pd.Series([f"w{i % 7} w{i % 11} w{i % 13} w{i % 5} w{i}" for i in range(500)]))
    doc, value = table["doc"].to_numpy(), table["shingle"].to_numpy()
    assert np.array_equal(
        _signatures(doc, value, 500, 64, 0, chunk=7), _signatures(doc, value, 500, 64, 0)
    )
    sig = _signatures(doc, value, 500, 64, 0)
    i, j = np.triu_indices(500, 1)
    exact = estimate_similarity(sig, i, j)
    for threshold in (0.1, 0.3, 0.5):
        kept_i, kept_j = _byte_filter(sig, i, j, threshold)
        assert set(zip(kept_i.tolist(), kept_j.tolist(), strict=True)) >= set(
            zip(i[exact >= threshold].tolist(), j[exact >= threshold].tolist(), strict=True)
        )
    pairs = signature_pairs(sig, threshold=0.3, bands=21)
    assert (pairs["similarity"] >= 0.3).all() and (pairs["i"] < pairs["j"]).all()


def test_lsh_keys_for_three_row_bands_bucket_equal_rows_only():
    sig = np.array([[1, 2, 3, 9], [1, 2, 3, 8], [1, 2, 4, 9], [2, 1, 3, 9]], dtype=np.uint32)
    i, j, _ = lsh_pairs(sig, bands=1, rows=3)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]
