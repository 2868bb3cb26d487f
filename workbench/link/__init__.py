"""Evidence -> weighted pairs -> entities, with hubs judged by the data.

``compare`` picks candidate pairs and compares them, ``weights`` estimates how much each
comparison says on this dataset (Fellegi-Sunter: u on random pairs, m by EM), ``resolve``
groups accounts so that one wrong pair cannot merge two groups, ``explain`` writes every
link's waterfall of weights in words. ``hubs`` holds the identifier-only hub test that
the watch state uses for new batches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .compare import ID_FAMILIES, code_evidence, compare_pairs, cross_platform_handles, presence
from .config import LinkConfig
from .explain import data_hubs, pair_links
from .hubs import (
    KIND_WORDS,
    _IdTaker,
    _name_entities,
    explain_entity,
    find_hubs,
    identifier_evidence,
    is_hub,
)
from .resolve import cluster, components
from .weights import Weights, fit, pair_weights

log = logging.getLogger(__name__)


def evidence_piece(table: pd.DataFrame, scored: pd.DataFrame, n_values: int) -> np.ndarray:
    """The piece of evidence each pair rests on: the number of its strongest shared value, or a
    number of its own for a pair of similar ads (each pair of ads is its own piece)."""
    families = [*ID_FAMILIES, "photo"]
    x = np.column_stack([table[f"x_{f}"].to_numpy() for f in families])
    strength = np.where(x >= 0, scored[[f"w_{f}" for f in families]].to_numpy(), -np.inf)
    best = (
        x[np.arange(len(table)), strength.argmax(axis=1)]
        if len(table)
        else np.zeros(0, dtype=np.int64)
    )
    return np.where(best >= 0, best, n_values + np.arange(len(table)))


__all__ = [
    "KIND_WORDS",
    "LinkConfig",
    "Linkage",
    "Weights",
    "components",
    "explain_entity",
    "find_hubs",
    "identifier_evidence",
    "is_hub",
    "link_accounts",
]


@dataclass
class Linkage:
    """What linking found: entity per account, links with reasons, hubs, fitted weights."""

    entities: pd.DataFrame
    links: pd.DataFrame
    hubs: pd.DataFrame
    evidence: pd.DataFrame = field(repr=False, default=None)  # (account_id, kind, value) used
    weights: Weights | None = field(repr=False, default=None)


def attachment(links: pd.DataFrame, account_ids: pd.Series) -> np.ndarray:
    """Per account, the match probability of the strongest used link that holds it in its
    entity (1 for an account alone): how surely it belongs with the others."""
    used = links[links["used"].astype(bool)]
    best = (
        pd.concat(
            [
                used[["src", "weight"]].rename(columns={"src": "account_id"}),
                used[["dst", "weight"]].rename(columns={"dst": "account_id"}),
            ]
        )
        .groupby("account_id")["weight"]
        .max()
    )
    return best.reindex(account_ids).fillna(1.0).to_numpy()


def link_accounts(
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame,
    config: LinkConfig | None = None,
    photo_groups: pd.DataFrame | None = None,
    text_pairs: pd.DataFrame | None = None,
    text_signatures: np.ndarray | None = None,
) -> Linkage:
    """Resolve accounts into entities from identifiers, photo groups and text pairs.

    Every pair of accounts that shares an identifier (held by at most
    ``config.max_pair_accounts`` accounts), a near-duplicate photo or similar ad text is
    compared; each comparison weighs log2(m/u) bits with m and u estimated on this data,
    a shared value weighs less the more accounts hold it, and groups join only on
    evidence between the groups (``resolve.cluster``).

    Parameters
    ----------
    accounts : validated accounts (account_id, city, platform, posted_at, image_hashes ...)
    identifiers : the identifiers table from ``extract.extract_frame``
    photo_groups : (account_id, group_id, hash, distance, rep) near-duplicate photo groups
    text_pairs : (src, dst, similarity) near-duplicate ad text pairs
    text_signatures : the MinHash signatures the text pairs came from, one row per account
        in order; used to measure how similar unrelated ads are on this data

    Returns
    -------
    Linkage with ``entities`` (account_id, entity_id), ``links`` (a row per compared pair
    worth showing, with probability, weights and reason) and ``hubs``.
    """
    config = config or LinkConfig()
    index = pd.Index(accounts["account_id"])
    evidence = identifier_evidence(identifiers, photo_groups)
    evidence = pd.concat([evidence, cross_platform_handles(evidence)], ignore_index=True)
    coded = code_evidence(evidence, index)
    present = presence(accounts, coded, photo_groups, text_signatures, text_pairs is not None)
    table = compare_pairs(
        accounts,
        coded,
        photo_groups,
        text_pairs,
        config.max_pair_accounts,
        config.photo_radius,
        present,
    )
    weights = fit(
        accounts,
        coded,
        table,
        config.max_pair_accounts,
        config.photo_radius,
        present,
        text_signatures,
        config.u_pairs,
        config.seed,
    )
    scored = pair_weights(table, weights)
    by_identifier = np.zeros(len(table), dtype=bool)
    for family in ID_FAMILIES:
        by_identifier |= table[f"x_{family}"].to_numpy() >= 0
    stage = np.where(by_identifier, 0, np.where(table["x_photo"].to_numpy() >= 0, 1, 2))
    labels = cluster(
        len(index),
        table["i"].to_numpy(),
        table["j"].to_numpy(),
        scored["log_odds"].to_numpy(),
        config.merge_bits,
        config.strong_bits,
        config.small_group,
        stage=stage,
        piece=evidence_piece(table, scored, len(coded.k)),
    )
    ids = _IdTaker(index)
    entities = _name_entities(ids[np.arange(len(index))], labels)
    links = pair_links(table, scored, labels, coded, ids, weights)
    entities["link_probability"] = attachment(links, entities["account_id"])
    hubs = data_hubs(coded, labels, accounts, weights, config)
    used = evidence[evidence["kind"] != "xhandle"]
    if len(hubs):
        used = used[~is_hub(used, hubs)]
    return Linkage(
        entities=entities,
        links=links,
        hubs=hubs,
        evidence=used.reset_index(drop=True),
        weights=weights,
    )
