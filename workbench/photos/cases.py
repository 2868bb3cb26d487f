"""Turn a table of hashed photos into case rows, one case per folder of photos.

Owns the step from ``hash-images`` output to the contract's ``cases`` table: a folder of
photos of one missing child (or one known subject) becomes one case whose
``image_hashes`` / ``pdq_hashes`` hold every photo's hash and every variant hash, so the
resurfacing watch finds mirrored, cropped, tilted or captioned reposts without anyone
copying hashes by hand.
"""

from __future__ import annotations

import logging

import pandas as pd

logger = logging.getLogger(__name__)


def _hash_list(table: pd.DataFrame, kind: str) -> pd.Series:
    """Per row, the main hash then its variant hashes, distinct, as one ``;`` list."""
    columns = [
        kind,
        *(c for c in table.columns if c.startswith(f"{kind}_") and c != f"{kind}_quality"),
    ]
    stacked = table[columns].astype("string").stack()
    stacked = stacked[stacked.str.fullmatch(r"[0-9a-f]+").fillna(False)]
    return stacked.groupby(level=0, sort=False).agg(lambda v: ";".join(dict.fromkeys(v)))


def cases_from_hashes(
    table: pd.DataFrame, kind: str = "missing", prefix: str = "P"
) -> pd.DataFrame:
    """One case per folder of photos (a photo at the top level is a case of its own).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`~workbench.photos.hash_images` (rows with ``error`` are skipped),
        with or without variant columns.
    kind : {"missing", "subject"}
        The contract's case kind.
    prefix : str
        Case ids are ``<prefix>-<folder>``.

    Returns
    -------
    DataFrame with the contract's case columns case_id, kind, image_hashes, pdq_hashes,
    notes (which files the hashes came from), one row per folder, sorted by case_id.

    Examples
    --------
    >>> table = pd.DataFrame({"path": ["ana/1.jpg", "ana/2.jpg", "bo.png"], "error": [None] * 3,
    ...                       "phash": ["00000000000000ff", "0f0f0f0f0f0f0f0f", "ffffffffffffffff"],
    ...                       "phash_mirror": ["ff00000000000000", None, "ffffffffffffffff"],
    ...                       "pdq": ["0" * 64, "1" * 64, "2" * 64]})
    >>> cases = cases_from_hashes(table)
    >>> cases[["case_id", "kind", "image_hashes"]].values.tolist()
    [['P-ana', 'missing', '00000000000000ff;ff00000000000000;0f0f0f0f0f0f0f0f'], ['P-bo', 'missing', 'ffffffffffffffff']]
    """
    if kind not in ("missing", "subject"):
        raise ValueError(f"kind must be 'missing' or 'subject', not {kind!r}")
    ok = table[table["error"].isna() | table["error"].eq("")] if "error" in table else table
    skipped = len(table) - len(ok)
    if skipped:
        logger.warning(
            "%d files were not hashed (error column) and are left out of the cases", skipped
        )
    path = ok["path"].astype("string")
    folder = path.str.rpartition("/")[0].where(
        path.str.contains("/", regex=False), path.str.rpartition(".")[0]
    )
    folder = folder.where(folder.ne(""), path)
    rows = pd.DataFrame({"case_id": prefix + "-" + folder, "path": path}, index=ok.index)
    rows["image_hashes"] = _hash_list(ok, "phash") if "phash" in ok else pd.NA
    rows["pdq_hashes"] = _hash_list(ok, "pdq") if "pdq" in ok else pd.NA

    def joined(values: pd.Series) -> str:
        return ";".join(dict.fromkeys(h for v in values.dropna() for h in v.split(";")))

    # A Python join per case: bounded by the number of folders, not of photos.
    cases = rows.groupby("case_id", sort=True).agg(
        image_hashes=("image_hashes", joined),
        pdq_hashes=("pdq_hashes", joined),
        notes=("path", lambda p: "photos: " + ", ".join(p)),
    )
    cases.insert(0, "kind", kind)
    return cases.reset_index()
