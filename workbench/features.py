"""Numeric matrices for trends: text embedding, photo-hash bits and metadata.

Owns turning accounts into a dense matrix with weights an analyst can set. Needs no
download: TF-IDF on word and character n-grams, reduced with truncated SVD.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
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
    fit_rows = np.sort(rng.choice(n, config.max_fit_rows, replace=False)) if n > config.max_fit_rows else slice(None)
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=config.max_features, sublinear_tf=True,
                           dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=config.max_features,
                           sublinear_tf=True, dtype=np.float32)
    blocks = []
    for vec in (word, char) if config.char_ngrams else (word,):
        try:
            if isinstance(fit_rows, slice):
                blocks.append(vec.fit_transform(texts))  # one tokenising pass, not two
            else:
                vec.fit(texts.iloc[fit_rows])
                blocks.append(vec.transform(texts))
        except ValueError:  # empty vocabulary: every text blank or unique
            continue
    if not blocks:
        return np.zeros((n, config.text_dims), dtype=np.float32)
    matrix = sparse.hstack(blocks).tocsr()
    dims = max(1, min(config.text_dims, matrix.shape[1] - 1, n - 1))
    svd = TruncatedSVD(n_components=dims, random_state=config.seed, algorithm="randomized", n_iter=4)
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
        values[valid] = np.frombuffer(bytes.fromhex("".join(first[valid])), dtype=">u8").astype(np.uint64)
    bits = np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1)
    return (bits.astype(np.float32) - 0.5) * valid[:, None]


def metadata(accounts: pd.DataFrame, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """City and platform one-hot (top cities only) and hour of day on the circle."""
    city = accounts["city"].fillna("").astype(str).str.lower().str.strip()
    top = city.value_counts().index[: config.top_cities]
    city_hot = pd.get_dummies(pd.Categorical(city.where(city.isin(top), "other"))).to_numpy(np.float32)
    platform_hot = pd.get_dummies(pd.Categorical(accounts["platform"].fillna("").astype(str))).to_numpy(np.float32)
    hour = pd.to_datetime(accounts["posted_at"], errors="coerce").dt.hour.fillna(0).to_numpy(float)
    clock = np.c_[np.sin(hour / 24 * 2 * np.pi), np.cos(hour / 24 * 2 * np.pi)].astype(np.float32)
    return np.hstack([city_hot, platform_hot, clock])


def account_features(accounts: pd.DataFrame, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """The weighted, horizontally stacked feature matrix for ``trends`` (float32)."""
    text = (accounts["title"].fillna("") + " " + accounts["text"].fillna("")) if "title" in accounts else accounts["text"]
    blocks = []
    if config.text_weight:
        blocks.append(config.text_weight * text_embedding(text, config))
    if config.photo_weight:
        bits = photo_bits(accounts["image_hashes"])
        blocks.append(config.photo_weight * bits / np.sqrt(16))
    if config.meta_weight:
        meta = metadata(accounts, config)
        blocks.append(config.meta_weight * meta / np.sqrt(max(1, meta.shape[1] // 4)))
    return np.hstack(blocks).astype(np.float32) if blocks else np.zeros((len(accounts), 1), np.float32)
