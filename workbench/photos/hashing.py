"""Hash a folder of images: SHA-256, pHash and PDQ, robust to hostile files.

Owns reading images only; every file gets a row, and a file that cannot be read
gets an ``error`` instead of stopping the run. Matching hashes is ``index.py``'s job.
"""
from __future__ import annotations

import hashlib
import logging
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

HASH_COLUMNS = ("path", "sha256", "phash", "pdq", "pdq_quality", "width", "height", "error")
MAX_IMAGE_PIXELS = 64_000_000
"""Images larger than this (e.g. 8000 x 8000) are refused as possible decompression bombs."""
WORK_SIDE = 512
"""Both hashes are taken from a copy at most this many pixels a side: pHash shrinks to
32 x 32 and PDQ to 64 x 64 anyway, and hashing a 1024 x 768 photo gets ~5x faster for a
change of 0-2 bits (measured in benchmarks/bench_photos.py)."""


def working_copy(image):
    """RGB copy no larger than :data:`WORK_SIDE` a side (the image itself if already small)."""
    from PIL import Image

    image = image if image.mode == "RGB" else image.convert("RGB")
    if max(image.size) > WORK_SIDE:
        image = image.copy()
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.BILINEAR, reducing_gap=2.0)
    return image


def phash_hex(image) -> str:
    """64-bit DCT perceptual hash (imagehash.phash of the working copy) as 16 hex digits.

    Examples
    --------
    >>> from PIL import Image
    >>> phash_hex(Image.new("RGB", (100, 80), "white"))
    '8000000000000000'
    """
    import imagehash

    return str(imagehash.phash(working_copy(image)))


def pdq_hex(image) -> tuple[str, int]:
    """256-bit PDQ hash as 64 hex digits (bit 0 first, as ThreatExchange prints) and quality."""
    import pdqhash

    bits, quality = pdqhash.compute(np.asarray(working_copy(image)))
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_file(path: str | os.PathLike, known: frozenset[str] = frozenset()) -> dict:
    """Hash one file; never raises for bad input, returns a row with ``error`` set instead.

    Examples
    --------
    >>> import tempfile; from PIL import Image
    >>> folder = tempfile.mkdtemp(); Image.new("RGB", (64, 48), "red").save(f"{folder}/red.png")
    >>> row = hash_file(f"{folder}/red.png")
    >>> (row["width"], row["height"], len(row["phash"]), len(row["pdq"]), row["error"])
    (64, 48, 16, 64, None)
    """
    from PIL import Image

    row = dict.fromkeys(HASH_COLUMNS)
    row["path"] = str(path)
    try:
        row["sha256"] = _sha256(Path(path))
        if row["sha256"] in known:
            row["error"] = "skipped: already hashed"
            return row
        if os.path.getsize(path) == 0:
            row["error"] = "empty file"
            return row
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that; refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS
            try:
                with Image.open(path) as image:
                    row["width"], row["height"] = image.size
                    image.seek(0)  # first frame of GIF / animated WebP
                    image.draft("RGB", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at reduced scale
                    image.load()
                    rgb = working_copy(image)
            finally:
                Image.MAX_IMAGE_PIXELS = previous
        row["phash"] = phash_hex(rgb)
        row["pdq"], row["pdq_quality"] = pdq_hex(rgb)
    except Exception as error:  # noqa: BLE001 - any unreadable file becomes a row, by design
        row["error"] = f"{type(error).__name__}: {error}"[:300]
    return row


_KNOWN: frozenset[str] = frozenset()


def _set_known(known: frozenset[str]) -> None:
    """Worker initialiser: the set of already-hashed digests is sent once per process."""
    global _KNOWN
    _KNOWN = known


def _hash_many(paths: list[str]) -> list[dict]:
    return [hash_file(path, _KNOWN) for path in paths]


def hash_images(
    folder: str | os.PathLike,
    workers: int = 2,
    existing: pd.DataFrame | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Hash every file under ``folder`` (recursively) with SHA-256, pHash and PDQ.

    Parameters
    ----------
    folder : path
        Images (JPEG, PNG, WebP, GIF first frame, anything Pillow reads); other
        files get a row with ``error`` set.
    workers : int
        Processes; 1 hashes in this process.
    existing : DataFrame, optional
        An earlier result: files whose SHA-256 appears there are not decoded again,
        their earlier hashes are reused (resuming an interrupted run).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    DataFrame with columns path (relative to ``folder``, ``/``-separated), sha256,
    phash, pdq, pdq_quality, width, height, error; sorted by path.

    Examples
    --------
    >>> import tempfile; from PIL import Image
    >>> folder = tempfile.mkdtemp(); Image.new("L", (32, 32)).save(f"{folder}/a.png")
    >>> _ = open(f"{folder}/notes.jpg", "w").write("not an image")
    >>> table = hash_images(folder, workers=1, progress=False)
    >>> table["path"].tolist(), table["error"].isna().tolist()
    (['a.png', 'notes.jpg'], [True, False])
    """
    root = Path(folder)
    paths = sorted(str(p) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    known = frozenset()
    if existing is not None and len(existing):
        done = existing[existing["error"].isna()] if "error" in existing else existing
        known = frozenset(done["sha256"].dropna())
    # Batches amortise process start-up and pickling; small enough to keep the bar moving.
    size = max(1, min(64, len(paths) // (4 * max(workers, 1)) or 1))
    batches = [paths[k:k + size] for k in range(0, len(paths), size)]
    rows: list[dict] = []
    bar = tqdm(total=len(paths), unit="img", disable=not progress, desc="hashing images")
    if workers <= 1:
        for batch in batches:  # bounded: one batch at a time so the bar moves
            rows.extend(hash_file(path, known) for path in batch)
            bar.update(len(batch))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_set_known, initargs=(known,)) as pool:
            futures = [pool.submit(_hash_many, batch) for batch in batches]
            for future in futures:
                result = future.result()
                rows.extend(result)
                bar.update(len(result))
    bar.close()
    table = pd.DataFrame(rows, columns=list(HASH_COLUMNS))
    if known:
        reused = table["error"].eq("skipped: already hashed")
        earlier = (existing.drop_duplicates("sha256").set_index("sha256")
                   .reindex(table.loc[reused, "sha256"]))
        for column in ("phash", "pdq", "pdq_quality", "width", "height"):
            table.loc[reused, column] = earlier[column].to_numpy()
        table.loc[reused, "error"] = None
        logger.info("reused hashes of %d files already hashed", int(reused.sum()))
    table["path"] = [Path(p).relative_to(root).as_posix() for p in table["path"]]
    for column in ("path", "sha256", "phash", "pdq", "error"):
        table[column] = table[column].astype("str")
    table["pdq_quality"] = pd.to_numeric(table["pdq_quality"]).astype("Int64")
    table["width"] = pd.to_numeric(table["width"]).astype("Int64")
    table["height"] = pd.to_numeric(table["height"]).astype("Int64")
    n_errors = int(table["error"].notna().sum())
    if n_errors:
        logger.warning("%d of %d files could not be hashed; see the error column", n_errors, len(table))
    return table.sort_values("path", ignore_index=True)
