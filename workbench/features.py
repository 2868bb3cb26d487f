"""Numeric matrices for trends: text embedding, photo-hash bits and metadata.

Owns turning accounts into a dense matrix with weights an analyst can set. Needs no
download: TF-IDF on word and character n-grams, reduced with truncated SVD.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeatureConfig:
    """Weights and sizes of the account features.

    text_weight, photo_weight, meta_weight : relative weight of each block (0 drops it)
    text_dims : SVD dimensions of the text block
    max_fit_rows : fit TF-IDF and SVD on at most this many rows (sampled), transform all
    """

    text_weight: float = 1.0
    photo_weight: float = 0.3
    meta_weight: float = 0.2
    text_dims: int = 48
    max_features: int = 50_000
    max_fit_rows: int = 100_000
    char_ngrams: bool = False  # adds character 3-5 grams: robust to spelling games, about 5x slower
    top_cities: int = 50
    seed: int = 0


def word_tfidf(texts: pd.Series, min_df: int = 2, max_features: int = 50_000) -> sparse.csr_matrix:
    """TF-IDF of word 1-2 grams over the whole column at once (Arrow string kernels and numpy,
    no Python loop over texts): words are runs of letters, digits or ``_`` of two or more
    characters, lowercased; sublinear term frequency, smooth IDF, rows L2-normalised, as
    scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` computes them.

    Examples
    --------
    >>> m = word_tfidf(pd.Series(["new in town", "new in town now", "quiet room"]), min_df=2)
    >>> m.shape  # "new", "in", "town", "new in", "in town"
    (3, 5)
    """
    n = len(texts)
    arr = pa.array(texts.fillna("").astype(str).to_numpy(dtype=object), type=pa.large_string())
    tokens = pc.split_pattern_regex(pc.utf8_lower(arr), r"[^\p{L}\p{N}_]+")
    flat, parent = pc.list_flatten(tokens), pc.list_parent_indices(tokens)
    keep = pc.greater_equal(pc.utf8_length(flat), 2)
    flat, parent = flat.filter(keep), parent.filter(keep).to_numpy().astype(np.int64)
    if len(flat) == 0:
        return sparse.csr_matrix((n, 0), dtype=np.float32)
    encoded = flat.dictionary_encode()
    uni = encoded.indices.to_numpy().astype(np.int64)
    vocab_size = len(encoded.dictionary)
    same = parent[1:] == parent[:-1]
    bi = uni[:-1][same] * vocab_size + uni[1:][same]
    bi_codes, bi_terms = pd.factorize(bi, sort=False)
    term = np.concatenate([uni, vocab_size + bi_codes.astype(np.int64)])
    doc = np.concatenate([parent, parent[:-1][same]])
    n_terms = vocab_size + len(bi_terms)
    counts = sparse.csr_matrix((np.ones(len(term), np.float32), (doc, term)), shape=(n, n_terms))
    counts.sum_duplicates()  # term frequency per (text, term), by a counting sort
    df = np.bincount(counts.indices, minlength=n_terms)
    total = np.bincount(counts.indices, weights=counts.data, minlength=n_terms)
    candidates = np.flatnonzero(df >= min_df)
    if len(candidates) > max_features:  # the most frequent terms, ties broken by term order
        candidates = np.sort(
            candidates[np.argsort(-total[candidates], kind="stable")[:max_features]]
        )
    counts = counts[:, candidates]
    idf = (np.log((1 + n) / (1 + df[candidates])) + 1).astype(np.float32)
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    matrix = counts
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1 / np.where(norms == 0, 1, norms)).astype(np.float32) @ matrix


def text_embedding(texts: pd.Series, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """TF-IDF (word 1-2 grams, optionally char 3-5 grams) reduced by truncated SVD, rows L2-normalised.

    Examples
    --------
    >>> emb = text_embedding(pd.Series(["new in town call me", "new in town call now", "quiet room for rent"] * 5),
    ...                      FeatureConfig(text_dims=2))
    >>> emb.shape
    (15, 2)
    """
    texts = texts.fillna("").astype(str).str.slice(0, 2000)
    n = len(texts)
    if n == 0:
        return np.zeros((0, config.text_dims), dtype=np.float32)
    rng = np.random.default_rng(config.seed)
    fit_rows = (
        np.sort(rng.choice(n, config.max_fit_rows, replace=False))
        if n > config.max_fit_rows
        else slice(None)
    )
    blocks = [word_tfidf(texts, min_df=2, max_features=config.max_features)]
    if not blocks[0].shape[1]:
        blocks = []
    if config.char_ngrams:
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=2,
            max_features=config.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        try:
            if isinstance(fit_rows, slice):
                blocks.append(char.fit_transform(texts))
            else:
                char.fit(texts.iloc[fit_rows])
                blocks.append(char.transform(texts))
        except ValueError:  # empty vocabulary: every text blank or unique
            pass
    if not blocks:
        return np.zeros((n, config.text_dims), dtype=np.float32)
    matrix = sparse.hstack(blocks).tocsr()
    dims = max(1, min(config.text_dims, matrix.shape[1] - 1, n - 1))
    svd = TruncatedSVD(
        n_components=dims, random_state=config.seed, algorithm="randomized", n_iter=4
    )
    svd.fit(matrix[fit_rows] if not isinstance(fit_rows, slice) else matrix)
    emb = svd.transform(matrix).astype(np.float32)
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = emb / np.where(norms == 0, 1, norms)
    if emb.shape[1] < config.text_dims:
        emb = np.pad(emb, ((0, 0), (0, config.text_dims - emb.shape[1])))
    return emb


def photo_bits(hashes: pd.Series) -> np.ndarray:
    """64 columns of 0/1 from each account's first 16-hex photo hash (zeros when none)."""
    first = hashes.fillna("").astype(str).str.split(";").str[0].str.slice(0, 16)
    valid = first.str.fullmatch(r"[0-9a-f]{16}").to_numpy(dtype=bool)
    values = np.zeros(len(first), dtype=np.uint64)
    if valid.any():
        values[valid] = np.frombuffer(bytes.fromhex("".join(first[valid])), dtype=">u8").astype(
            np.uint64
        )
    bits = np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1)
    return (bits.astype(np.float32) - 0.5) * valid[:, None]


def metadata(accounts: pd.DataFrame, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """City and platform one-hot (top cities only) and hour of day on the circle."""
    city = accounts["city"].fillna("").astype(str).str.lower().str.strip()
    top = city.value_counts().index[: config.top_cities]
    city_hot = pd.get_dummies(pd.Categorical(city.where(city.isin(top), "other"))).to_numpy(
        np.float32
    )
    platform_hot = pd.get_dummies(
        pd.Categorical(accounts["platform"].fillna("").astype(str))
    ).to_numpy(np.float32)
    hour = pd.to_datetime(accounts["posted_at"], errors="coerce").dt.hour.fillna(0).to_numpy(float)
    clock = np.c_[np.sin(hour / 24 * 2 * np.pi), np.cos(hour / 24 * 2 * np.pi)].astype(np.float32)
    return np.hstack([city_hot, platform_hot, clock])


def account_features(accounts: pd.DataFrame, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """The weighted, horizontally stacked feature matrix for ``trends`` (float32)."""
    text = (
        (accounts["title"].fillna("") + " " + accounts["text"].fillna(""))
        if "title" in accounts
        else accounts["text"]
    )
    blocks = []
    if config.text_weight:
        blocks.append(config.text_weight * text_embedding(text, config))
    if config.photo_weight:
        bits = photo_bits(accounts["image_hashes"])
        blocks.append(config.photo_weight * bits / np.sqrt(16))
    if config.meta_weight:
        meta = metadata(accounts, config)
        blocks.append(config.meta_weight * meta / np.sqrt(max(1, meta.shape[1] // 4)))
    return (
        np.hstack(blocks).astype(np.float32) if blocks else np.zeros((len(accounts), 1), np.float32)
    )
