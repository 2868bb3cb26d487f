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
_RUN_TOKENS = ("numtok", "emojitok")
_TOKEN_CHUNK = 1 << 17  # ads tokenised at a time
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
    text = _placeholders(pc.fill_null(pa.array(texts.astype("str"), type=pa.large_string()), ""))
    # "713-555-0199" and "7135550199" are the same slot: one placeholder per run.
    for token in _RUN_TOKENS:
        text = pc.replace_substring_regex(text, rf"\b{token}(?: {token})+\b", token)
    return pd.Series(pc.utf8_trim_whitespace(text), index=texts.index, dtype="str")


def _placeholders(text: pa.Array) -> pa.Array:
    """NFKC, lowercase, placeholders, every other non-word run a space (runs not yet collapsed)."""
    text = pc.utf8_lower(pc.utf8_normalize(text, "NFKC"))
    for pattern, token in (
        (_EMAIL, " emailtok "),
        (_URL, " urltok "),
        (_EMOJI, " emojitok "),
        (r"\p{Nd}+", " numtok "),
        (_NON_WORD, " "),
    ):
        text = pc.replace_substring_regex(text, pattern, token)
    return text


def _mix(values: np.ndarray, inplace: bool = False) -> np.ndarray:
    """splitmix64 finaliser: a cheap, well-spread 64-bit hash of 64-bit values.

    Written with ``out=`` so a 50M-value column costs one scratch array, not five.
    """
    values = values if inplace else values.copy()
    scratch = np.empty_like(values)
    for shift, factor in ((30, _MIX), (27, np.uint64(0x94D049BB133111EB))):
        np.right_shift(values, np.uint64(shift), out=scratch)
        np.bitwise_xor(values, scratch, out=values)
        np.multiply(values, factor, out=values)
    np.right_shift(values, np.uint64(31), out=scratch)
    return np.bitwise_xor(values, scratch, out=values)


def _sorted_unique(values: np.ndarray, kind: str | None = None) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2.4's hash-based unique is ~50x slower on
    millions of distinct 64-bit codes (9.5 s against 0.13 s for 9M)."""
    values = np.sort(values, kind=kind)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _isin_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Membership of uint64 ``values`` in a small ``table``: a 64 Ki-entry filter on the top
    16 bits, then binary search for the few that pass (searching all of millions is 10x slower)."""
    table = _sorted_unique(np.asarray(table, dtype=np.uint64))
    found = np.zeros(len(values), dtype=bool)
    if not len(table):
        return found
    prefix = np.zeros(1 << 16, dtype=bool)
    prefix[table >> np.uint64(48)] = True
    maybe = np.flatnonzero(prefix[values >> np.uint64(48)])
    at = np.minimum(np.searchsorted(table, values[maybe]), len(table) - 1)
    found[maybe] = table[at] == values[maybe]
    return found


class _Tokens(NamedTuple):
    doc: np.ndarray  # text position of each token, ascending
    hash: np.ndarray  # uint64 hash of each token
    code: np.ndarray  # each token's position in ``vocab``
    vocab: pa.Array  # the distinct tokens


def _tokens(texts: pd.Series, normalise: bool = True) -> _Tokens:
    """Every token of every text, in order, with no Python object per token.

    With ``normalise``, the tokens are those of :func:`normalise_text` split on spaces,
    but each distinct raw word is normalised once: ads split on ASCII whitespace (which
    no placeholder pattern spans; other separators NFKC turns into spaces), the
    distinct words go through :func:`_placeholders`, and runs of ``numtok`` or
    ``emojitok`` collapse on the token stream. A million ads hold 48M words but under
    1M distinct ones, so this is 5x faster than normalising the ads themselves. (The
    only difference: an ad holding the literal word ``numtok`` glued to a non-ASCII
    letter, where the whole-ad regex sees an ASCII word boundary.)
    """
    text = pc.fill_null(pa.array(pd.Series(texts).astype("str"), type=pa.large_string()), "")
    # A chunk of ads at a time: a million ads split into 48M Arrow strings at once take 3 GiB.
    parts = [
        _chunk_tokens(text.slice(start, _TOKEN_CHUNK), normalise)
        for start in range(0, len(text), _TOKEN_CHUNK)
    ]
    vocab, where = _encode(
        pa.chunked_array([words for _, _, words in parts], type=pa.large_string())
    )
    first = np.cumsum([0] + [len(words) for _, _, words in parts])
    code = np.concatenate(
        [where[first[k] + local] for k, (_, local, _) in enumerate(parts)]
        or [np.zeros(0, np.int32)]
    )
    per_doc = np.concatenate([n for n, _, _ in parts] or [np.zeros(0, np.int64)])
    del parts
    doc = np.repeat(np.arange(len(per_doc), dtype=np.int64), per_doc)
    distinct = vocab.to_numpy(zero_copy_only=False).astype(object)
    return _Tokens(doc, pd.util.hash_array(distinct).astype(np.uint64)[code], code, vocab)


def _chunk_tokens(text: pa.Array, normalise: bool) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(tokens per text, token codes, distinct tokens) of a slice of texts; see :func:`_tokens`."""
    lists = (pc.ascii_split_whitespace if normalise else pc.utf8_split_whitespace)(text)
    per_doc = pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    vocab, code = _encode(pc.list_flatten(lists))
    del lists
    if normalise:
        pieces = pc.ascii_split_whitespace(_placeholders(vocab))
        vocab, piece_code = _encode(pc.list_flatten(pieces))
        owner = pc.list_parent_indices(pieces).to_numpy()
        real = pc.not_equal(pc.utf8_length(vocab), 0).to_numpy(zero_copy_only=False)[piece_code]
        n_pieces = np.bincount(owner[real], minlength=len(pieces))
        # Arrow's list take copies each occurrence's pieces in C++ (numpy repeats cost 4x more).
        piece_lists = pa.LargeListArray.from_arrays(
            pa.array(np.r_[0, np.cumsum(n_pieces)]), pa.array(piece_code[real].astype(np.int32))
        )
        cumulative = np.r_[0, np.cumsum(n_pieces[code])]
        code = piece_lists.take(pa.array(code)).flatten().to_numpy()
        ends = np.cumsum(per_doc)
        per_doc = cumulative[ends] - cumulative[ends - per_doc]
        # "713 555 0199" is one slot: a placeholder repeating the one before it in the same ad goes
        doc = np.repeat(np.arange(len(per_doc), dtype=np.int64), per_doc)
        drop = np.zeros(len(code), dtype=bool)
        for token in _RUN_TOKENS:  # bounded: two placeholders
            at = np.flatnonzero(code == pc.index(vocab, token).as_py())
            drop[at[1:][(np.diff(at) == 1) & (doc[at[1:]] == doc[at[:-1]])]] = True
        if drop.any():
            per_doc = np.bincount(doc[~drop], minlength=len(per_doc))
            code = code[~drop]
    else:
        real = pc.not_equal(pc.utf8_length(vocab), 0).to_numpy(zero_copy_only=False)[code]
        if not real.all():
            per_doc = np.bincount(
                np.repeat(np.arange(len(per_doc)), per_doc)[real], minlength=len(per_doc)
            )
            code = code[real]
    return per_doc, code, vocab


def _encode(words: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """(distinct words, code of each word)."""
    encoded = pc.dictionary_encode(words)
    if isinstance(encoded, pa.ChunkedArray):  # large corpora come back in chunks
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.large_string()))
        )
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)


def _shingle_starts(
    doc: np.ndarray, token_hash: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash of the k-gram starting at each token; which starts are real shingles.

    A text shorter than k words yields one shingle, all its words.
    """
    n = len(doc)
    # Token hashes are already well mixed: a polynomial over them plus one final mix suffices.
    value = token_hash.copy()
    same = np.empty(n, dtype=bool)
    for t in range(1, k):  # bounded by the shingle size
        np.multiply(value, _MIX, out=value)
        if n > t:  # the word t places on, when it is in the same text
            np.equal(doc[t:], doc[:-t], out=same[: n - t])
            np.add(value[: n - t], token_hash[t:], out=value[: n - t], where=same[: n - t])
    _mix(value, inplace=True)
    full = np.zeros(n, dtype=bool)
    if n >= k:
        np.equal(doc[k - 1 :], doc[: n - k + 1], out=full[: n - k + 1])
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
    doc, token_hash, _, _ = _tokens(texts, normalise)
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
    doc, shingle = table["doc"].to_numpy(), table["shingle"].to_numpy()
    if exclude is not None:
        drop = exclude["shingle"].to_numpy() if isinstance(exclude, pd.DataFrame) else exclude
        keep = ~_isin_sorted(shingle, np.asarray(drop, dtype=np.uint64))
        doc, shingle = doc[keep], shingle[keep]
    return _signatures(doc, shingle, len(texts), num_perm, seed)


def _signatures(
    doc: np.ndarray, shingle: np.ndarray, n_texts: int, num_perm: int, seed: int, chunk: int = 2048
) -> np.ndarray:
    """MinHash of (doc, shingle) rows sorted by doc; see :func:`minhash_signatures`.

    Works ``chunk`` texts at a time (~60k shingles, under 1 MiB) so each permutation's
    multiply-add-shift and ``np.minimum.reduceat`` stay in cache: 4x faster than whole-corpus
    passes at 100k ads.
    """
    signatures = np.full((n_texts, num_perm), EMPTY, dtype=np.uint32)
    if len(doc) == 0:
        return signatures
    folded = (shingle ^ (shingle >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    bounds = np.r_[starts, len(doc)]
    a, b = _permutations(num_perm, seed)
    for c0 in range(0, len(starts), chunk):  # bounded: memory chunks of texts
        c1 = min(c0 + chunk, len(starts))
        part = folded[bounds[c0] : bounds[c1]]
        local = starts[c0:c1] - bounds[c0]
        hashed, block = np.empty_like(part), np.empty((c1 - c0, num_perm), dtype=np.uint64)
        for p in range(num_perm):  # bounded by num_perm; each step is vectorised over the chunk
            np.multiply(part, a[p], out=hashed)
            np.add(hashed, b[p], out=hashed)
            block[:, p] = np.minimum.reduceat(hashed, local)
        # The top 32 bits of the minimum are the minimum of the top 32 bits (shifting is monotone).
        signatures[doc[starts[c0:c1]]] = block >> np.uint64(32)
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
    signatures: np.ndarray,
    bands: int = 16,
    rows: int | None = None,
    max_bucket: int = 200,
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
    live_rows = signatures if len(live) == n else signatures[live]
    found, hubs = [], []
    for band in range(bands):  # bounded by the number of bands
        key = _band_key(live_rows[:, band * rows : (band + 1) * rows])
        order = np.argsort(key)  # AVX-512 quicksort; bucket order does not matter
        sorted_key = key[order]
        start = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        size = np.diff(np.r_[start, len(order)])
        is_hub = size > max_bucket
        for s, z in zip(start[is_hub], size[is_hub], strict=True):  # bounded: hubs are few
            hubs.append({"band": band, "size": int(z), "members": np.sort(live[order[s : s + z]])})
        keep = (size > 1) & ~is_hub
        i, j = pairs_within_groups(live[order[np.repeat(keep, size)]], size[keep])
        found.append(_sorted_unique(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j)))
        if sum(map(len, found)) > max(_COMPACT_PAIRS, 2 * len(found[0])):
            # Similar texts share most bands: deduplicating now keeps memory near the answer.
            # Each piece is sorted, so a stable sort (timsort) only merges runs; compacting
            # when the pieces outgrow the merged whole keeps the merging linear overall.
            found = [_sorted_unique(np.concatenate(found), kind="stable")]
    code = (
        _sorted_unique(np.concatenate(found), kind="stable")
        if found
        else np.zeros(0, dtype=np.int64)
    )
    hub_table = pd.DataFrame(hubs, columns=["band", "size", "members"])
    if len(hub_table):
        logger.info("LSH: %d hub buckets over %d texts not expanded", len(hub_table), n)
    return CandidatePairs(code // n, code % n, hub_table)


def _band_key(block: np.ndarray) -> np.ndarray:
    """One uint64 per row, equal for equal rows: 32-bit values packed two to a word, words
    chained by :func:`_mix` (a band of 2 rows needs no hashing, 3 or 4 rows one mix)."""
    block = np.ascontiguousarray(block)  # one strided pass over the signatures, not one per row
    words = [
        block[:, c].astype(np.uint64) << np.uint64(32) | block[:, c + 1]
        if c + 1 < block.shape[1]
        else block[:, c].astype(np.uint64)
        for c in range(0, block.shape[1], 2)
    ]
    key = words[0]
    for word in words[1:]:  # bounded by rows / 2
        key = _mix(key, inplace=True) ^ word
    return key


def estimate_similarity(signatures: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of row pairs: the share of equal MinHash values.

    Examples
    --------
    >>> sig = minhash_signatures(pd.Series(["a b c d e f", "a b c d e f", "x y z"]))
    >>> estimate_similarity(sig, np.array([0, 0]), np.array([1, 2])).tolist()
    [1.0, 0.0]
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    width = max(signatures.shape[1], 1)
    out = np.empty(len(i), dtype=np.float64)
    step = max(1, (1 << 20) // width)  # ~4 MiB of gathered signatures per side
    for start in range(0, len(i), step):  # bounded: memory chunks
        a = np.take(signatures, i[start : start + step], axis=0)
        b = np.take(signatures, j[start : start + step], axis=0)
        equal = (a == b) & (a != EMPTY)
        out[start : start + step] = equal.sum(axis=1, dtype=np.int64)
    return out / width


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
    tokens = _tokens(texts)
    value, valid = _shingle_starts(tokens.doc, tokens.hash, k)
    return _boilerplate(tokens, value, valid, len(texts), spread, min_df, min_count, min_spread, k)


def _boilerplate(
    tokens: _Tokens,
    value: np.ndarray,
    valid: np.ndarray,
    n_docs: int,
    spread: pd.Series | None,
    min_df: float,
    min_count: int,
    min_spread: int,
    k: int,
) -> pd.DataFrame:
    """:func:`boilerplate_shingles` on tokens already hashed (see :func:`template_signatures`)."""
    doc = tokens.doc
    threshold = max(min_count, min_df * n_docs if min_df < 1 else min_df)
    # Document frequency is at most the count of occurrences, which is at most the count of
    # its sketch bucket (top 20 bits of the hash): one bincount rules out nearly every
    # shingle; the rows left (mostly the boilerplate itself) are counted exactly.
    bucket = value >> np.uint64(44)
    heavy = np.bincount(bucket[valid].astype(np.int64), minlength=1 << 20) >= threshold
    rows = np.flatnonzero(valid & heavy[bucket])
    inverse, candidates = pd.factorize(value[rows])  # few distinct values: a small hash table
    frequent_of = np.flatnonzero(np.bincount(inverse, minlength=len(candidates)) >= threshold)
    lookup = np.full(len(candidates), -1)
    lookup[frequent_of] = np.arange(len(frequent_of))
    code = lookup[inverse]
    rows, code = rows[code >= 0], code[code >= 0]
    frequent, n_frequent, where_doc = (
        candidates[frequent_of].astype(np.uint64),
        len(frequent_of),
        doc[rows],
    )
    # rows ascend, so keys of (text, shingle) are sorted by text already: a stable sort is cheap
    key = np.sort(where_doc * np.int64(max(n_frequent, 1)) + code, kind="stable")
    distinct = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    first = np.full(n_frequent, len(doc), dtype=np.int64)
    np.minimum.at(first, code, rows)
    found = pd.DataFrame(
        {
            "shingle": frequent,
            "df": np.bincount(distinct % max(n_frequent, 1), minlength=n_frequent),
            "pos": first,
            "n_spread": 0,
        }
    )
    keep = found["df"].to_numpy() >= threshold
    if spread is not None:
        where = pd.factorize(pd.Series(spread).reset_index(drop=True))[0][where_doc]
        named = where >= 0  # a missing city is no place
        width = np.int64(where.max() + 1 if len(where) else 1)
        pair = _sorted_unique(code[named] * width + where[named])
        found["n_spread"] = np.bincount(pair // width, minlength=n_frequent)
        keep &= found["n_spread"].to_numpy() >= min_spread
    found = found[keep].reset_index(drop=True)
    pos = found["pos"].to_numpy()
    same = [np.minimum(pos + t, len(doc) - 1) for t in range(k)]  # bounded by k
    parts = [
        np.where(
            doc[s] == doc[pos],
            tokens.vocab.take(pa.array(tokens.code[s])).to_numpy(zero_copy_only=False),
            "",
        )
        for s in same
    ]
    found["text"] = pd.Series(parts[0], dtype=object)
    for part in parts[1:]:
        found["text"] = (found["text"] + " " + pd.Series(part, dtype=object)).str.strip()
    found["df_share"] = found["df"] / max(n_docs, 1)
    found = found.sort_values(["df", "pos"], ascending=[False, True], ignore_index=True)
    logger.info("boilerplate: %d shingles in >= %d of %d texts", len(found), int(threshold), n_docs)
    return found[["shingle", "text", "df", "df_share", "n_spread"]]


def _covered(
    doc: np.ndarray, value: np.ndarray, valid: np.ndarray, boilerplate: np.ndarray, k: int
) -> np.ndarray:
    """Which tokens lie inside a boilerplate shingle."""
    flagged = valid & _isin_sorted(value, np.asarray(boilerplate, dtype=np.uint64))
    covered = flagged.copy()
    for t in range(1, k):  # bounded by k: a shingle starting t words earlier covers this word
        earlier = (
            np.r_[np.zeros(t, dtype=bool), flagged[:-t]]
            if len(flagged) > t
            else np.zeros_like(flagged)
        )
        same = (
            np.r_[np.zeros(t, dtype=bool), doc[t:] == doc[:-t]]
            if len(doc) > t
            else np.zeros_like(flagged)
        )
        covered |= earlier & same
    return covered


def strip_boilerplate(
    texts: pd.Series, boilerplate: pd.DataFrame, k: int = SHINGLE_SIZE
) -> pd.Series:
    """Normalised texts with every word covered by a boilerplate shingle removed.

    Examples
    --------
    >>> ads = pd.Series([f"ad {n} sweet girl {n} posted via sitex be safe" for n in "abcdefghij"])
    >>> footer = boilerplate_shingles(ads, min_df=0.5, min_count=2)
    >>> strip_boilerplate(ads, footer).iloc[0]
    'ad a sweet girl a'
    """
    doc, token_hash, code, vocab = _tokens(texts)
    value, valid = _shingle_starts(doc, token_hash, k)
    covered = _covered(doc, value, valid, boilerplate["shingle"].to_numpy(), k)
    kept_doc = doc[~covered]
    offsets = np.r_[0, np.cumsum(np.bincount(kept_doc, minlength=len(texts)))].astype(np.int64)
    kept_words = vocab.take(pa.array(code[~covered]))
    kept = pa.LargeListArray.from_arrays(pa.array(offsets), kept_words)
    joined = pc.binary_join(kept, pa.scalar(" ", type=pa.large_string()))
    return pd.Series(joined, index=pd.Series(texts).index, dtype="str")


def template_signatures(
    texts: pd.Series,
    spread: pd.Series | None = None,
    num_perm: int = 64,
    seed: int = 0,
    k: int = SHINGLE_SIZE,
    min_df: float = 0.05,
    min_count: int = 20,
    min_spread: int = 3,
) -> tuple[np.ndarray, pd.DataFrame]:
    """MinHash signatures of texts with their boilerplate removed, normalised and split once.

    Gives the signatures of ``minhash_signatures(strip_boilerplate(texts, boiler),
    normalise=False)`` with ``boiler = boilerplate_shingles(texts, ...)``, without
    normalising twice and re-joining and re-splitting a million ads (3x faster).

    Returns
    -------
    (signatures, boilerplate): as :func:`minhash_signatures` and :func:`boilerplate_shingles`.

    Examples
    --------
    >>> ads = pd.Series([f"ad {n} sweet girl {n} posted via sitex be safe" for n in "abcdefghij"])
    >>> sig, boiler = template_signatures(ads, min_df=0.5, min_count=2)
    >>> footer = boilerplate_shingles(ads, min_df=0.5, min_count=2)
    >>> bool((sig == minhash_signatures(strip_boilerplate(ads, footer), normalise=False)).all()), len(boiler)
    (True, 3)
    """
    tokens = _tokens(texts)
    value, valid = _shingle_starts(tokens.doc, tokens.hash, k)
    boiler = _boilerplate(
        tokens, value, valid, len(texts), spread, min_df, min_count, min_spread, k
    )
    kept = ~_covered(tokens.doc, value, valid, boiler["shingle"].to_numpy(), k)
    del value, valid  # a million ads hold 48M tokens: keep one copy of each array alive at a time
    doc, token_hash = tokens.doc[kept], tokens.hash[kept]
    del tokens, kept
    value, valid = _shingle_starts(doc, token_hash, k)
    del token_hash
    return _signatures(doc[valid], value[valid], len(texts), num_perm, seed), boiler
