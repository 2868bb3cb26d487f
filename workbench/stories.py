"""Cluster stories: what each trend cluster is, in words an analyst can check.

Owns ``cluster_summary.csv``: size, distinguishing terms, the shared template with
its varying slots (as InfoShield does), cities, time span, entities and cases touched,
and week-over-week growth. It reads clusters; it never clusters.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

log = logging.getLogger(__name__)

TOKEN = re.compile(r"\S+")
NUMBER = re.compile(r"^(?:numtok|\W*\$?\d[\d.,:/-]*\w*\W*)$")
HTML_WORDS = {"br", "amp", "nbsp", "quot"}  # remnants of HTML in scraped ads
PLACEHOLDERS = {"emailtok": "{email}", "urltok": "{link}", "emojitok": "{emoji}"}


def _template(texts: list[str], cities: set[str], keep_share: float = 0.4) -> str:
    """The most typical text with its varying words replaced by slots ({number}, {city}, {…})."""
    docs = [[w for w in t.split() if w not in HTML_WORDS] for t in texts if t]
    docs = [d for d in docs if d]
    if not docs:
        return ""
    df: dict[str, int] = {}
    for tokens in docs:  # bounded: at most 200 sampled texts per cluster
        for tok in set(tokens):
            df[tok] = df.get(tok, 0) + 1
    need = keep_share * len(docs)
    # The most typical ad: the largest share of its words are the cluster's common words.
    best = max(docs, key=lambda toks: (sum(df[t] >= need for t in toks) / len(toks), -len(toks)))
    out = []
    for tok in best:
        if tok in PLACEHOLDERS:
            out.append(PLACEHOLDERS[tok])
        elif df[tok] >= need and not NUMBER.match(tok):
            out.append(tok)
        elif NUMBER.match(tok):
            out.append("{number}")
        elif tok.strip(".,!;:").lower() in cities:
            out.append("{city}")
        else:
            out.append("{…}")
    collapsed = re.sub(r"(?:\{[^}]+\}\s*){3,}", "{…} ", " ".join(out))
    collapsed = re.sub(r"(\{…\}\s*){2,}", "{…} ", collapsed)
    return collapsed[:400]


def cluster_summary(
    accounts: pd.DataFrame,
    clusters: pd.DataFrame,
    entities: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
    max_texts: int = 200,
    top_terms: int = 8,
    seed: int = 0,
    read_texts: int = 2000,
) -> pd.DataFrame:
    """One row per cluster (noise left out), largest first.

    Columns: cluster, n_accounts, n_entities, n_cases, cities, first_seen, last_seen,
    weekly_last, weekly_before, growth, top_terms, template. Counts and dates cover every
    ad; terms and the template are read from each cluster's first ``read_texts`` ads
    (``max_texts`` of them, drawn with ``seed``, for the template).
    """
    frame = clusters[["account_id", "cluster"]].merge(
        accounts[["account_id", "text", "city", "posted_at"]], on="account_id"
    )
    frame = frame[frame["cluster"] >= 0]
    # The words of a cluster are read from its first ``read_texts`` ads: enough for its
    # terms and template, and a million-ad run does not strip footers off every ad.
    reading = frame.groupby("cluster", sort=False).head(read_texts)
    if len(reading):  # stories read the ads without site footers and disclaimers
        from .textsim import boilerplate_shingles, strip_boilerplate  # noqa: PLC0415

        # Boilerplate here is what many clusters share (footers), not one big template.
        n_clusters = reading["cluster"].nunique()
        boiler = boilerplate_shingles(
            reading["text"], spread=reading["cluster"], min_spread=max(2, int(0.25 * n_clusters))
        )
        reading = reading.assign(text=strip_boilerplate(reading["text"], boiler).to_numpy())
    cols = [
        "cluster",
        "n_accounts",
        "n_entities",
        "n_cases",
        "cities",
        "first_seen",
        "last_seen",
        "weekly_last",
        "weekly_before",
        "growth",
        "top_terms",
        "template",
    ]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    if entities is not None:
        frame = frame.merge(entities, on="account_id", how="left")
    else:
        frame["entity_id"] = frame["account_id"]
    case_of = (
        leads.groupby("account_id")["case_id"].first()
        if leads is not None and len(leads)
        else pd.Series(dtype=str)
    )
    frame["case_id"] = frame["account_id"].map(case_of)
    g = frame.groupby("cluster")
    out = g.agg(
        n_accounts=("account_id", "size"),
        n_entities=("entity_id", "nunique"),
        n_cases=("case_id", "nunique"),
        first_seen=("posted_at", "min"),
        last_seen=("posted_at", "max"),
    )
    city_counts = (
        frame.groupby(["cluster", "city"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["cluster", "n"], ascending=[True, False])
    )
    out["cities"] = city_counts.groupby("cluster").apply(
        lambda c: (
            ", ".join(
                f"{city} ({n})" for city, n in zip(c["city"].head(4), c["n"].head(4), strict=True)
            )
            + (f" +{len(c) - 4} more" if len(c) > 4 else "")
        ),
        include_groups=False,
    )
    # Growth: ads in the last two weeks of the data against the two weeks before.
    end = frame["posted_at"].max()
    if pd.notna(end):
        recent = frame["posted_at"] > end - pd.Timedelta(days=14)
        before = (frame["posted_at"] <= end - pd.Timedelta(days=14)) & (
            frame["posted_at"] > end - pd.Timedelta(days=28)
        )
        out["weekly_last"] = (
            (frame[recent].groupby("cluster").size() / 2).reindex(out.index).fillna(0)
        )
        out["weekly_before"] = (
            (frame[before].groupby("cluster").size() / 2).reindex(out.index).fillna(0)
        )
    else:
        out["weekly_last"] = out["weekly_before"] = 0.0
    ratio = (out["weekly_last"] + 1) / (out["weekly_before"] + 1)
    out["growth"] = np.select([ratio >= 1.5, ratio <= 0.67], ["growing", "shrinking"], "steady")
    out["growth"] = (
        out["growth"]
        + " ("
        + out["weekly_before"].round(1).astype(str)
        + " → "
        + out["weekly_last"].round(1).astype(str)
        + " ads/week)"
    )
    # Distinguishing terms: class-based TF-IDF of each cluster's words against all clusters.
    read = reading.groupby("cluster")["text"]
    docs = read.apply(lambda t: " ".join(t.astype(str)))
    try:
        stop = list(
            ENGLISH_STOP_WORDS | {"numtok", "emojitok", "urltok", "emailtok", "br", "amp", "nbsp"}
        )
        vec = CountVectorizer(
            min_df=1,
            max_features=20000,
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z']+\b",
            stop_words=stop,
        )
        counts = vec.fit_transform(docs.to_numpy())
        tf = counts.multiply(1 / np.maximum(counts.sum(axis=1), 1)).tocsr()
        idf = np.log(1 + len(docs) / np.maximum((counts > 0).sum(axis=0).A1, 1))
        scores = tf.multiply(idf).tocsr()
        vocab = np.array(vec.get_feature_names_out())
        out["top_terms"] = [
            ", ".join(vocab[np.argsort(-scores[i].toarray().ravel())[:top_terms]])
            for i in range(len(docs))
        ]
    except ValueError:
        out["top_terms"] = ""
    cities = set(accounts["city"].dropna().astype(str).str.lower())
    rng = np.random.default_rng(seed)
    templates = {}
    for cluster, texts in read:  # one per cluster
        texts = texts.astype(str).to_numpy()
        if len(texts) > max_texts:
            texts = texts[rng.choice(len(texts), max_texts, replace=False)]
        templates[cluster] = _template(list(texts), cities)
    out["template"] = pd.Series(templates)
    out["first_seen"] = out["first_seen"].dt.strftime("%Y-%m-%d")
    out["last_seen"] = out["last_seen"].dt.strftime("%Y-%m-%d")
    return (
        out.reset_index()
        .sort_values(["n_accounts", "cluster"], ascending=[False, True])[cols]
        .reset_index(drop=True)
    )
