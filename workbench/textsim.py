"""Near-duplicate text: normalisation, word shingles, MinHash, LSH and boilerplate.

Shared by ``link`` (accounts posting the same ad template) and ``watch`` (a known
case's ad text resurfacing). Owns similarity mechanics only, never the decision of
what a similar text means. Everything is vectorised over the whole corpus with
numpy/pandas; the only Python loops are over permutations and LSH bands.

Shingles are word 3-grams after :func:`normalise_text`. Character 5-grams are
more robust to typos but give ~6x more shingles per ad (a 150-character ad has
~146 of them against ~25 word 3-grams), which is what decides whether a million
ads hash in seconds or minutes; obfuscated identifiers are ``extract``'s job, and
normalisation already folds digits, URLs, emails and emoji into placeholder
tokens, so template ads whose slots differ still share most word 3-grams.
"""
from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 3
EMPTY = np.uint32(np.iinfo(np.uint32).max)
"""Signature value of a text with no shingles; such rows never become candidates."""

# RE2 syntax (pyarrow): \p{..} classes so non-Latin letters and digits are handled.
_EMAIL = r"[\p{L}\p{N}_.+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+"
_URL = r"(?:https?://|www\.)\S+|\b[\p{L}\p{N}-]+\.(?:com|net|org|info|biz|io|co|me|ly|xxx|us)\b(?:/\S*)?"
_EMOJI = r"[\x{2600}-\x{27BF}\x{1F000}-\x{1FAFF}\x{FE0F}\x{200D}]+"
_NON_WORD = r"[^\p{L}\p{M}\p{N}]+"
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_COMPACT_PAIRS = 1 << 25  # candidate codes held before deduplicating (256 MiB)


def normalise_text(texts: pd.Series) -> pd.Series:
    """Lowercase, NFKC, placeholders for URLs/emails/numbers/emoji, punctuation dropped.

    Placeholders (``urltok``, ``emailtok``, ``numtok``, ``emojitok``) keep the shape of an
    ad template while its slot values (phone, price, age, link) vary between posts.
    Runs in Arrow's C++ string kernels, so a million ads take seconds.

    Examples
    --------
    >>> normalise_text(pd.Series(["Ｈｉ!! I'm Jade, 22 yo 😘😘 call 713-555-0199 www.x.com/jade"])).iloc[0]
    'hi i m jade numtok yo emojitok call numtok urltok'
    """
    texts = pd.Series(texts)
    text = pc.fill_null(pa.array(texts.astype("str"), type=pa.large_string()), "")
    text = pc.utf8_lower(pc.utf8_normalize(text, "NFKC"))
    for pattern, token in ((_EMAIL, " emailtok "), (_URL, " urltok "), (_EMOJI, " emojitok "),
                           (r"\p{Nd}+", " numtok "), (_NON_WORD, " ")):
        text = pc.replace_substring_regex(text, pattern, token)
    # "713-555-0199" and "7135550199" are the same slot: one placeholder per run.
    for token in ("numtok", "emojitok"):
        text = pc.replace_substring_regex(text, rf"\b{token}(?: {token})+\b", token)
    return pd.Series(pc.utf8_trim_whitespace(text), index=texts.index, dtype="str")


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a cheap, well-spread 64-bit hash of 64-bit values."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _tokens(normalised: pd.Series) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(document position, token hash, token) of every token of every text, in order.

    Splitting and hashing stay in Arrow: tokens are dictionary-encoded and only the
    distinct ones are hashed, so no Python object is made per token.
    """
    text = pc.fill_null(pa.array(pd.Series(normalised).astype("str"), type=pa.large_string()), "")
    lists = pc.utf8_split_whitespace(text)
    doc = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    words = pc.list_flatten(lists)
    nonempty = pc.not_equal(pc.utf8_length(words), 0).to_numpy(zero_copy_only=False)
    if not nonempty.all():
        doc, words = doc[nonempty], words.filter(pa.array(nonempty))
    encoded = pc.dictionary_encode(words).combine_chunks() if isinstance(words, pa.ChunkedArray) \
        else pc.dictionary_encode(words)
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    token_hash = pd.util.hash_array(distinct)[encoded.indices.to_numpy(zero_copy_only=False)]
    return doc, token_hash.astype(np.uint64), words


def _shingle_starts(doc: np.ndarray, token_hash: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of the k-gram starting at each token; which starts are real shingles.

    A text shorter than k words yields one shingle, all its words.
    """
    n = len(doc)
    padded_doc = np.concatenate([doc, np.full(k, -1)])
    padded_hash = np.concatenate([token_hash, np.zeros(k, dtype=np.uint64)])
    # Token hashes are already well mixed: a polynomial over them plus one final mix suffices.
    value = token_hash.copy()
    for t in range(1, k):  # bounded by the shingle size
        np.multiply(value, _MIX, out=value)
        np.add(value, np.where(padded_doc[t:t + n] == doc, padded_hash[t:t + n], np.uint64(0)), out=value)
    value = _mix(value)
    full = padded_doc[k - 1:k - 1 + n] == doc
    first = np.r_[True, doc[1:] != doc[:-1]] if n else np.zeros(0, dtype=bool)
    return value, full | (first & ~full)


def shingles(texts: pd.Series, k: int = SHINGLE_SIZE, normalise: bool = True) -> pd.DataFrame:
    """Word k-gram shingles of each text as 64-bit hashes.

    Returns
    -------
    DataFrame with columns ``doc`` (row position in ``texts``) and ``shingle`` (uint64),
    one row per shingle occurrence, in text order.

    Examples
    --------
    >>> shingles(pd.Series(["a b c d", "a b", ""])).groupby("doc").size().tolist()
    [2, 1]
    """
    normalised = normalise_text(texts) if normalise else texts
    doc, token_hash, _ = _tokens(normalised)
    value, valid = _shingle_starts(doc, token_hash, k)
    return pd.DataFrame({"doc": doc[valid], "shingle": value[valid]})


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)
    return a, b


def minhash_signatures(
    texts: pd.Series,
    num_perm: int = 64,
    seed: int = 0,
    k: int = SHINGLE_SIZE,
    exclude: pd.DataFrame | np.ndarray | None = None,
    normalise: bool = True,
) -> np.ndarray:
    """MinHash signatures of word k-gram sets, vectorised over all texts.

    Each permutation is a multiply-add-shift hash of the 32-bit folded shingle
    (Dietzfelbinger et al., 2-universal); the per-text minimum is one
    ``np.minimum.reduceat`` over the exploded shingles.

    Parameters
    ----------
    texts : Series of str
    num_perm : int
        Signature length; the Jaccard estimate's standard error is ~sqrt(J(1-J)/num_perm).
    seed : int
        Chooses the permutations; equal seeds give equal signatures.
    k : int
        Words per shingle.
    exclude : DataFrame with a ``shingle`` column, or array of uint64, optional
        Shingles to ignore, e.g. from :func:`boilerplate_shingles`.
    normalise : bool
        Apply :func:`normalise_text` first.

    Returns
    -------
    ndarray of uint32, shape (len(texts), num_perm); rows of texts with no shingles
    are all :data:`EMPTY`.

    Examples
    --------
    >>> sig = minhash_signatures(pd.Series(["new in town call me", "new in town call me now", ""]))
    >>> sig.shape, bool((sig[2] == EMPTY).all())
    ((3, 64), True)
    """
    table = shingles(texts, k=k, normalise=normalise)
    if exclude is not None:
        drop = exclude["shingle"].to_numpy() if isinstance(exclude, pd.DataFrame) else exclude
        table = table[~np.isin(table["shingle"].to_numpy(), np.asarray(drop, dtype=np.uint64))]
    doc = table["doc"].to_numpy()
    folded = table["shingle"].to_numpy()
    folded = (folded ^ (folded >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    signatures = np.full((len(texts), num_perm), EMPTY, dtype=np.uint32)
    if len(doc) == 0:
        return signatures
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    a, b = _permutations(num_perm, seed)
    rows, hashed = doc[starts], np.empty_like(folded)
    for p in range(num_perm):  # bounded by num_perm; each step is vectorised over all shingles
        np.multiply(folded, a[p], out=hashed)
        np.add(hashed, b[p], out=hashed)
        np.right_shift(hashed, np.uint64(32), out=hashed)
        signatures[rows, p] = np.minimum.reduceat(hashed, starts)
    return signatures


class CandidatePairs(NamedTuple):
    """Result of :func:`lsh_pairs`: candidate row pairs ``i < j`` and the hub buckets."""

    i: np.ndarray
    j: np.ndarray
    hubs: pd.DataFrame


def pairs_within_groups(members: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All unordered pairs inside consecutive groups of ``members`` (group k has sizes[k]).

    Examples
    --------
    >>> i, j = pairs_within_groups(np.array([7, 8, 9, 4, 5]), np.array([3, 2]))
    >>> list(zip(i.tolist(), j.tolist()))
    [(7, 8), (7, 9), (8, 9), (4, 5)]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    group_start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(len(members)) - group_start
    after = np.repeat(sizes, sizes) - rank - 1
    left = np.repeat(np.arange(len(members)), after)
    first_partner = np.repeat(np.arange(len(members)) + 1, after)
    partner = first_partner + np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after)
    return members[left], members[partner]


def lsh_pairs(
    signatures: np.ndarray, bands: int = 16, rows: int | None = None, max_bucket: int = 200,
) -> CandidatePairs:
    """Candidate near-duplicate pairs by MinHash banding (a pair shares a whole band).

    With b bands of r rows, a pair of Jaccard J becomes a candidate with probability
    ``1 - (1 - J**r)**b``; the default 16 x 4 crosses 50% near J = 0.5.

    Parameters
    ----------
    signatures : ndarray (n, num_perm)
    bands, rows : int
        ``bands * rows`` must not exceed num_perm; rows defaults to num_perm // bands.
    max_bucket : int
        A bucket with more texts than this is not expanded into pairs (its pairs grow
        quadratically); it is returned in ``hubs`` (band, size, members) instead.

    Returns
    -------
    CandidatePairs
        ``i``, ``j`` (row positions, i < j, each pair once) and ``hubs``.

    Examples
    --------
    >>> sig = minhash_signatures(pd.Series(["a b c d e f", "a b c d e f", "x y z"]))
    >>> i, j, hubs = lsh_pairs(sig)
    >>> list(zip(i.tolist(), j.tolist())), len(hubs)
    ([(0, 1)], 0)
    """
    n, num_perm = signatures.shape
    rows = num_perm // bands if rows is None else rows
    if bands * rows > num_perm:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {num_perm}")
    live = np.flatnonzero(~(signatures == EMPTY).all(axis=1))
    found, hubs = [], []
    for band in range(bands):  # bounded by the number of bands
        block = signatures[live, band * rows:(band + 1) * rows].astype(np.uint64)
        key = np.full(len(live), np.uint64(band), dtype=np.uint64)
        for column in block.T:
            key = _mix(key ^ column)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        start = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        size = np.diff(np.r_[start, len(order)])
        is_hub = size > max_bucket
        for s, z in zip(start[is_hub], size[is_hub], strict=True):  # bounded: hubs are few
            hubs.append({"band": band, "size": int(z), "members": live[order[s:s + z]]})
        keep = (size > 1) & ~is_hub
        take = np.repeat(start[keep], size[keep]) + np.arange(size[keep].sum()) - np.repeat(
            np.cumsum(size[keep]) - size[keep], size[keep])
        i, j = pairs_within_groups(live[order[take]], size[keep])
        found.append(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
        if sum(map(len, found)) > _COMPACT_PAIRS:
            # Similar texts share most bands: deduplicating now keeps memory near the answer.
            found = [np.unique(np.concatenate(found))]
    code = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    hub_table = pd.DataFrame(hubs, columns=["band", "size", "members"])
    if len(hub_table):
        logger.info("LSH: %d hub buckets over %d texts not expanded", len(hub_table), n)
    return CandidatePairs(code // n, code % n, hub_table)


def estimate_similarity(signatures: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of row pairs: the share of equal MinHash values.

    Examples
    --------
    >>> sig = minhash_signatures(pd.Series(["a b c d e f", "a b c d e f", "x y z"]))
    >>> estimate_similarity(sig, np.array([0, 0]), np.array([1, 2])).tolist()
    [1.0, 0.0]
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    out = np.empty(len(i), dtype=np.float64)
    step = max(1, (1 << 24) // max(signatures.shape[1], 1))
    for start in range(0, len(i), step):  # bounded: memory chunks
        a, b = signatures[i[start:start + step]], signatures[j[start:start + step]]
        equal = (a == b) & (a != EMPTY)
        out[start:start + step] = equal.mean(axis=1)
    return out


def boilerplate_shingles(
    texts: pd.Series,
    min_df: float = 0.05,
    min_count: int = 20,
    spread: pd.Series | None = None,
    min_spread: int = 3,
    k: int = SHINGLE_SIZE,
) -> pd.DataFrame:
    """Shingles that occur in too many texts to say anything about who wrote them.

    Site footers ("posted via XYZ, support line numtok, be safe"), disclaimers and
    stock phrases appear across many unrelated posters; left in, they make every
    ad of a site look alike. An operator's own template is rarely in more than a
    few percent of a corpus; ``spread`` (city or platform) separates the two further.

    Parameters
    ----------
    texts : Series of str
    min_df : float
        Share of texts (below 1) or count (1 or more) a shingle must reach.
    min_count : int
        Absolute floor on the document frequency, so small corpora flag nothing by chance.
    spread : Series, optional
        A grouping per text (city, platform), aligned with ``texts``; when given, a
        shingle must also occur under at least ``min_spread`` distinct values.
    k : int
        Words per shingle (match :func:`minhash_signatures`).

    Returns
    -------
    DataFrame with columns shingle (uint64), text (its words), df, df_share, n_spread;
    most frequent first. Pass it to :func:`strip_boilerplate` or as ``exclude``.

    Examples
    --------
    >>> ads = pd.Series([f"ad {n} sweet girl {n} posted via sitex be safe" for n in "abcdefghij"])
    >>> boilerplate_shingles(ads, min_df=0.5, min_count=2)["text"].tolist()
    ['posted via sitex', 'via sitex be', 'sitex be safe']
    """
    doc, token_hash, words = _tokens(normalise_text(texts))
    value, valid = _shingle_starts(doc, token_hash, k)
    starts = np.flatnonzero(valid)
    table = pd.DataFrame({"doc": doc[starts], "shingle": value[starts], "pos": starts})
    table = table.drop_duplicates(["doc", "shingle"])
    n_docs = len(texts)
    threshold = max(min_count, min_df * n_docs if min_df < 1 else min_df)
    counts = table.groupby("shingle").agg(df=("doc", "size"), pos=("pos", "first"))
    if spread is not None:
        where = pd.Series(spread).reset_index(drop=True).to_numpy()[table["doc"].to_numpy()]
        counts["n_spread"] = table.assign(where=where).groupby("shingle")["where"].nunique()
    else:
        counts["n_spread"] = 0
    keep = counts["df"] >= threshold
    if spread is not None:
        keep &= counts["n_spread"] >= min_spread
    found = counts[keep].reset_index()
    pos = found["pos"].to_numpy()
    same = [np.minimum(pos + t, len(doc) - 1) for t in range(k)]  # bounded by k
    parts = [np.where(doc[s] == doc[pos], words.take(pa.array(s)).to_numpy(zero_copy_only=False), "")
             for s in same]
    found["text"] = pd.Series(parts[0], dtype=object)
    for part in parts[1:]:
        found["text"] = (found["text"] + " " + pd.Series(part, dtype=object)).str.strip()
    found["df_share"] = found["df"] / max(n_docs, 1)
    found = found.sort_values(["df", "pos"], ascending=[False, True], ignore_index=True)
    logger.info("boilerplate: %d shingles in >= %d of %d texts", len(found), int(threshold), n_docs)
    return found[["shingle", "text", "df", "df_share", "n_spread"]]


def strip_boilerplate(texts: pd.Series, boilerplate: pd.DataFrame, k: int = SHINGLE_SIZE) -> pd.Series:
    """Normalised texts with every word covered by a boilerplate shingle removed.

    Examples
    --------
    >>> ads = pd.Series([f"ad {n} sweet girl {n} posted via sitex be safe" for n in "abcdefghij"])
    >>> footer = boilerplate_shingles(ads, min_df=0.5, min_count=2)
    >>> strip_boilerplate(ads, footer).iloc[0]
    'ad a sweet girl a'
    """
    doc, token_hash, words = _tokens(normalise_text(texts))
    value, valid = _shingle_starts(doc, token_hash, k)
    flagged = valid & np.isin(value, boilerplate["shingle"].to_numpy().astype(np.uint64))
    covered = flagged.copy()
    for t in range(1, k):  # bounded by k: a shingle starting t words earlier covers this word
        earlier = np.r_[np.zeros(t, dtype=bool), flagged[:-t]] if len(flagged) > t else np.zeros_like(flagged)
        same = np.r_[np.zeros(t, dtype=bool), doc[t:] == doc[:-t]] if len(doc) > t else np.zeros_like(flagged)
        covered |= earlier & same
    kept_doc = doc[~covered]
    offsets = np.r_[0, np.cumsum(np.bincount(kept_doc, minlength=len(texts)))].astype(np.int64)
    kept_words = words.filter(pa.array(~covered))
    if isinstance(kept_words, pa.ChunkedArray):  # large corpora come back in chunks
        kept_words = kept_words.combine_chunks()
    kept = pa.LargeListArray.from_arrays(pa.array(offsets), kept_words)
    joined = pc.binary_join(kept, pa.scalar(" ", type=pa.large_string()))
    return pd.Series(joined, index=pd.Series(texts).index, dtype="str")
