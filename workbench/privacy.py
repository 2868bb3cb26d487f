"""Pseudonymise a run's outputs: identifiers become keyed hashes that still join.

Owns the pseudonym of an identifier, ``<kind>:hmac:<16 hex>`` =
``HMAC-SHA256(key, "<kind>:<value>")`` cut to 64 bits, and its application to every
table of a :class:`~workbench.pipeline.Result` (values, raw spans, reasons, ad text,
graph). The same key gives the same pseudonym in every file and every run; without
the key a pseudonym cannot be turned back. It computes nothing new about the data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import re

import networkx as nx
import pandas as pd

from .io import InputError

log = logging.getLogger(__name__)

PRIVATE_KINDS = (
    "phone",
    "email",
    "handle",
    "payment",
    "wallet",
    "url",
)  # a profile URL is a handle
FIELD_KINDS = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "phones": "phone",
    "emails": "email",
    "handles": "handle",
}
MASK = "\u2588"  # stands in for a found identifier while looking for more: no finder reads it
MAX_PASSES = 4  # the extractor reports one occurrence per value; repeats need another pass
_TOKEN = re.compile(r"[^\s,;()<>\"'\[\]]+")


def _key(key: bytes | str) -> bytes:
    data = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not data:
        raise InputError(
            "--pseudonymise", "the key is empty", "Give a long random secret and keep it safe."
        )
    return data


def pseudonym(kind: str, value: str, key: bytes | str) -> str:
    """The pseudonym of one identifier.

    Examples
    --------
    >>> pseudonym("phone", "+17134820193", "secret")
    'phone:hmac:929a28fddea971d6'
    >>> pseudonym("phone", "+17134820193", "secret") == pseudonym("phone", "+17134820193", b"secret")
    True
    """
    digest = hmac.new(
        _key(key), f"{kind}:{value}".encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()
    return f"{kind}:hmac:{digest[:16]}"


def pseudonymise_values(kinds: pd.Series, values: pd.Series, key: bytes | str) -> pd.Series:
    """``values`` with every private kind's value replaced by its pseudonym (others kept).

    Examples
    --------
    >>> out = pseudonymise_values(pd.Series(["phone", "image"]), pd.Series(["+17134820193", "00ff00ff00ff00ff"]), "k")
    >>> out[0].startswith("phone:hmac:"), out[1]
    (True, '00ff00ff00ff00ff')
    """
    out = values.astype(object).copy()
    private = kinds.isin(PRIVATE_KINDS).to_numpy() & values.notna().to_numpy()
    if not private.any():
        return out
    pairs = pd.Series(
        kinds[private].astype(str).to_numpy() + "\x1f" + values[private].astype(str).to_numpy()
    )
    codes, uniques = pd.factorize(pairs)
    # One HMAC per distinct identifier, not per row.
    names = [pseudonym(*pair.split("\x1f", 1), key) for pair in uniques]
    out[private] = [names[c] for c in codes]
    return out


def _known(key: bytes, *tables: pd.DataFrame | None) -> dict[str, str]:
    """value -> pseudonym for every private identifier in the (kind, value) tables."""
    parts = [
        t[["kind", "value"]]
        for t in tables
        if t is not None and len(t) and {"kind", "value"} <= set(t.columns)
    ]
    if not parts:
        return {}
    pairs = pd.concat(parts, ignore_index=True).dropna()
    pairs = pairs[pairs["kind"].isin(PRIVATE_KINDS)].drop_duplicates()
    return dict(
        zip(
            pairs["value"].astype(str),
            pseudonymise_values(pairs["kind"], pairs["value"], key),
            strict=True,
        )
    )


def replace_known(series: pd.Series, known: dict[str, str]) -> pd.Series:
    """Replace whole tokens that are known identifier values (reasons, summaries)."""
    if not known or series is None or not len(series):
        return series

    def swap(match: re.Match) -> str:
        token = match.group(0)
        if token in known:
            return known[token]
        bare = token.rstrip(".:!?")
        return known[bare] + token[len(bare) :] if bare in known else token

    codes, uniques = pd.factorize(series.astype(object).where(series.notna(), None))
    fixed = [
        _TOKEN.sub(swap, u) if isinstance(u, str) else u for u in uniques
    ]  # once per distinct cell
    out = pd.Series([fixed[c] if c >= 0 else None for c in codes], index=series.index, dtype=object)
    return out.where(series.notna(), series.astype(object))


def _splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    parts, at = [], 0
    for start, end, name in sorted(spans):
        if start < at:  # overlapping finds: the first one wins
            continue
        parts += [text[at:start], name]
        at = end
    return "".join(parts) + text[at:]


def redact_text(
    text: str,
    key: bytes | str,
    region: str = "US",
    spans: list[tuple[int, int, str, str]] | None = None,
) -> str:
    """``text`` with every private identifier (each occurrence) replaced by its pseudonym.

    ``spans`` (start, end, kind, value) already known from the identifiers table save
    the first extraction pass.

    Examples
    --------
    >>> redact_text("call 713 482 0193 or 713-482-0193", "k").count("phone:hmac:")
    2
    """
    from .extract import extract_identifiers  # noqa: PLC0415

    if not isinstance(text, str) or not text:
        return text
    found: list[tuple[int, int, str]] = []
    masked = text
    for start, end, kind, value in spans or []:
        if kind in PRIVATE_KINDS and 0 <= start < end <= len(text):
            found.append((start, end, pseudonym(kind, value, key)))
            masked = masked[:start] + MASK * (end - start) + masked[end:]
    for _ in range(MAX_PASSES):
        more = [i for i in extract_identifiers(masked, region=region) if i.kind in PRIVATE_KINDS]
        if not more:
            break
        for ident in more:
            found.append((ident.start, ident.end, pseudonym(ident.kind, ident.value, key)))
            masked = masked[: ident.start] + MASK * (ident.end - ident.start) + masked[ident.end :]
    return _splice(text, found)


def _redact_column(
    frame: pd.DataFrame,
    column: str,
    identifiers: pd.DataFrame | None,
    key: bytes,
    region: str,
    id_column: str,
) -> pd.Series:
    """A free-text column redacted cell by cell, seeded with the identifiers' spans."""
    values = frame[column]
    spans: dict = {}
    if identifiers is not None and len(identifiers):
        own = identifiers[
            (identifiers["source"] == column) & identifiers["kind"].isin(PRIVATE_KINDS)
        ]
        for ident in own.itertuples(index=False):  # bounded by the identifier rows of this column
            spans.setdefault(ident.account_id, []).append(
                (int(ident.start), int(ident.end), ident.kind, ident.value)
            )
    ids = frame[id_column].to_numpy()
    # Cells where the run's extraction found no private identifier are kept; the others get
    # their spans replaced and one more extraction for repeats (bounded by identifier rows).
    # Without an identifiers table (cases) every cell is read.
    out = [
        redact_text(v, key, region, spans.get(i))
        if isinstance(v, str) and v and (i in spans or identifiers is None)
        else v
        for i, v in zip(ids, values, strict=True)
    ]
    return pd.Series(out, index=values.index, dtype=object).where(
        values.notna(), values.astype(object)
    )


def _redact_free_text(
    series: pd.Series, key: bytes, region: str, known: dict[str, str]
) -> pd.Series:
    codes, uniques = pd.factorize(series.astype(object).where(series.notna(), None))
    fixed = [
        redact_text(u, key, region) for u in uniques
    ]  # once per distinct cell; small tables only
    out = pd.Series([fixed[c] if c >= 0 else None for c in codes], index=series.index, dtype=object)
    return replace_known(out.where(series.notna(), series.astype(object)), known)


def pseudonymise_accounts(
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame | None,
    key: bytes | str,
    region: str = "US",
    id_column: str = "account_id",
) -> pd.DataFrame:
    """Accounts (or cases) with identifiers in text, title, notes and contact fields pseudonymised."""
    key = _key(key)
    out = accounts.copy()
    for column in ("text", "title", "notes"):
        if column in out.columns:
            out[column] = _redact_column(out, column, identifiers, key, region, id_column)
    for column, kind in FIELD_KINDS.items():
        if column in out.columns:
            codes, cells = pd.factorize(out[column].astype(object).where(out[column].notna(), None))
            # A field is all identifier: each ';'-part the finders read becomes its pseudonyms, any
            # other part a pseudonym of the raw part, so nothing of it is left in clear.
            fixed = [
                ";".join(_field_part(p, kind, key, region) for p in c.split(";") if p.strip())
                for c in cells
            ]
            out[column] = pd.Series(
                [fixed[c] if c >= 0 else None for c in codes], index=out.index, dtype=object
            )
    return out


def _field_part(part: str, kind: str, key: bytes, region: str) -> str:
    redacted = redact_text(part.strip(), key, region)
    return redacted if "hmac:" in redacted else pseudonym(kind, part.strip(), key)


def _graph(graph: nx.Graph, key: bytes) -> nx.Graph:
    mapping, labels = {}, {}
    for node, data in graph.nodes(data=True):
        kind = data.get("type")
        if kind in PRIVATE_KINDS:
            value = (
                str(node).split(":", 1)[1]
                if str(node).startswith(f"{kind}:")
                else str(data.get("label", node))
            )
            name = pseudonym(kind, value, key)
            mapping[node] = f"{kind}:{name}"
            labels[f"{kind}:{name}"] = name
    renamed = nx.relabel_nodes(graph, mapping, copy=True)
    nx.set_node_attributes(renamed, labels, "label")
    return renamed


def _with_values(
    table: pd.DataFrame | None, key: bytes, known: dict[str, str], text_columns=()
) -> pd.DataFrame | None:
    if table is None:
        return None
    out = table.copy()
    if {"kind", "value"} <= set(out.columns):
        out["value"] = pseudonymise_values(out["kind"], out["value"], key)
    for column in text_columns:
        if column in out.columns:
            out[column] = replace_known(out[column], known)
    return out


def pseudonymise_result(result, key: bytes | str, region: str = "US"):
    """A new ``Result`` whose outputs show pseudonyms instead of phones, emails, handles,
    payment accounts, wallets and URLs: values, raw spans, reasons, ad text, graph. Pure.
    """
    key = _key(key)
    known = _known(key, result.identifiers, result.links, result.hubs, result.evidence)
    identifiers = result.identifiers.copy()
    identifiers["value"] = pseudonymise_values(identifiers["kind"], identifiers["value"], key)
    private = identifiers["kind"].isin(PRIVATE_KINDS)
    identifiers.loc[private, "raw"] = identifiers.loc[private, "value"]
    summary = result.entity_summary.copy()
    for column in summary.columns:
        if summary[column].dtype == object or isinstance(summary[column].dtype, pd.StringDtype):
            summary[column] = replace_known(summary[column], known)
    clusters = result.cluster_summary
    if clusters is not None:
        clusters = clusters.copy()
        for column in ("template", "top_terms", "story"):
            if column in clusters.columns:
                clusters[column] = _redact_free_text(clusters[column], key, region, known)
    cases = result.cases
    if cases is not None:
        cases = pseudonymise_accounts(cases, None, key, region, id_column="case_id")
    log.info("pseudonymised %d distinct identifiers", len(known))
    return dataclasses.replace(
        result,
        identifiers=identifiers,
        accounts=pseudonymise_accounts(result.accounts, result.identifiers, key, region),
        cases=cases,
        links=_with_values(result.links, key, known, ("reason",)),
        leads=_with_values(result.leads, key, known, ("reasons",)),
        hubs=_with_values(result.hubs, key, known, ("reason",)),
        evidence=_with_values(result.evidence, key, known),
        entity_summary=summary,
        cluster_summary=clusters,
        graph=_graph(result.graph, key),
    )


def pseudonymise_tables(
    key: bytes | str,
    identifiers: pd.DataFrame,
    links: pd.DataFrame,
    leads: pd.DataFrame,
    accounts: pd.DataFrame,
    region: str = "US",
) -> tuple[pd.DataFrame, ...]:
    """The same for the tables of a case package: (identifiers, links, leads, accounts)."""
    key = _key(key)
    known = _known(key, identifiers, links)
    out_identifiers = identifiers.copy()
    out_identifiers["value"] = pseudonymise_values(identifiers["kind"], identifiers["value"], key)
    private = out_identifiers["kind"].isin(PRIVATE_KINDS)
    if "raw" in out_identifiers.columns:
        out_identifiers.loc[private, "raw"] = out_identifiers.loc[private, "value"]
    return (
        out_identifiers,
        _with_values(links, key, known, ("reason",)),
        _with_values(leads, key, known, ("reasons",)),
        pseudonymise_accounts(accounts, identifiers, key, region),
    )
