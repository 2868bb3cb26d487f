"""Hash a folder of images: SHA-256, pHash and PDQ, robust to hostile files.

Owns reading images only; every file gets a row, and a file that cannot be read
gets an ``error`` instead of stopping the run. ``phash`` and ``pdq`` hash the stored
pixels, EXIF orientation ignored, as ThreatExchange, python-threatexchange and HMA do, so
hash lists exchange with partners; where EXIF turns the photo, ``phash_upright`` and
``pdq_upright`` hash it as viewers show it, and matching uses both (``match.py``). A
uniform border is cut before hashing (``trim.py``); on request, extra hashes of the same
photo mirrored, rotated, centre-cropped or tilted are written too, so that a later plain
Hamming search finds reposts in those forms. Matching hashes is ``index.py``'s job.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .trim import DEFAULT_TRIM, TrimConfig, trim_border
from .variants import DCT_VARIANT, DIHEDRAL, VARIANTS, check, picture

logger = logging.getLogger(__name__)

HASH_COLUMNS = (
    "path",
    "sha256",
    "phash",
    "pdq",
    "pdq_quality",
    "width",
    "height",
    "trimmed",
    "orientation",
    "phash_upright",
    "pdq_upright",
    "error",
)
"""Every table has these; ``orientation`` is the EXIF tag (1-8, empty when absent or invalid), the
``_upright`` hashes are empty unless EXIF turns or mirrors the stored pixels (2-8)."""
MAX_IMAGE_PIXELS = 64_000_000
"""Images larger than this (e.g. 8000 x 8000) are refused as possible decompression bombs."""
WORK_SIDE = 512
"""Both hashes are taken from a copy at most this many pixels a side: pHash shrinks to
32 x 32 and PDQ to 64 x 64 anyway, and hashing a 1024 x 768 photo gets ~5x faster. The
price is a few PDQ bits, not 0-2: against ThreatExchange's reference hashes of its test
photos 4-12 bits were measured where the copy differs from the full size (every one within
the 31-bit match threshold), and on 36 synthetic 1024 x 768 JPEGs a median 3 and at most
10 bits from ``pdqhash`` of the full-size pixels (``tests/test_photos_exif.py`` draws such
photos). JPEG decoding at reduced scale (``draft``) is part of that difference."""


def working_copy(image):
    """RGB copy no larger than :data:`WORK_SIDE` a side (the image itself if already small)."""
    from PIL import Image

    image = image if image.mode == "RGB" else image.convert("RGB")
    if max(image.size) > WORK_SIDE:
        image = image.copy()
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.BILINEAR, reducing_gap=2.0)
    return image


def _phash_dct(image) -> np.ndarray:
    """The 8 x 8 low-frequency DCT block that imagehash.phash thresholds (same steps)."""
    import scipy.fftpack
    from PIL import Image

    pixels = np.asarray(image.convert("L").resize((32, 32), Image.LANCZOS))
    return scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]


def _phash_from_dct(block: np.ndarray) -> str:
    return np.packbits((block > np.median(block)).ravel()).tobytes().hex()


def _pdq_bits_hex(bits) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def phash_hex(image) -> str:
    """64-bit DCT perceptual hash (imagehash.phash of the working copy) as 16 hex digits.

    Examples
    --------
    >>> from PIL import Image
    >>> phash_hex(Image.new("RGB", (100, 80), "white"))
    '8000000000000000'
    """
    return _phash_from_dct(_phash_dct(working_copy(image)))


def pdq_hex(image) -> tuple[str, int]:
    """256-bit PDQ hash as 64 hex digits, and its quality.

    The hex is ThreatExchange's canonical form (``Hash256::format``): most significant
    first, so the first digit holds ThreatExchange's bits 255-252 and the last bits 3-0.
    ``pdqhash.compute`` returns the bits in that order (bit 255 first) and they are packed
    8 to a byte, first bit high. The image's own pixels are hashed; EXIF is not read here.

    Examples
    --------
    >>> from PIL import Image
    >>> hexa, quality = pdq_hex(Image.new("RGB", (64, 64), "white"))
    >>> len(hexa), quality
    (64, 0)
    """
    import pdqhash

    bits, quality = pdqhash.compute(np.asarray(working_copy(image)))
    return _pdq_bits_hex(bits), int(quality)


def hash_image(image, variants: Sequence[str] = (), trim: TrimConfig | None = DEFAULT_TRIM) -> dict:
    """pHash and PDQ of one decoded picture, after cutting its border, plus any variants.

    Parameters
    ----------
    image : PIL.Image.Image
    variants : sequence of str
        Names from :data:`VARIANTS`; each adds ``phash_<name>`` and ``pdq_<name>``.
    trim : TrimConfig or None
        Border rule; None hashes the picture as it is.

    Returns
    -------
    dict with phash, pdq, pdq_quality, trimmed (share of the area cut as border, or
    None when ``trim`` is None) and the variant hashes.

    Examples
    --------
    >>> from PIL import Image, ImageOps
    >>> photo = Image.effect_noise((96, 64), 50).convert("RGB")
    >>> plain, framed = hash_image(photo), hash_image(ImageOps.expand(photo, 24, "white"))
    >>> plain["phash"] == framed["phash"], round(framed["trimmed"], 2)
    (True, 0.62)
    >>> sorted(hash_image(photo, variants=["mirror"]))
    ['pdq', 'pdq_mirror', 'pdq_quality', 'phash', 'phash_mirror', 'trimmed']
    """
    import pdqhash

    check(variants)
    rgb, trimmed = working_copy(image), None
    if trim is not None:
        rgb, trimmed = trim_border(rgb, trim)
    block = _phash_dct(rgb)
    row = {"phash": _phash_from_dct(block), "trimmed": trimmed}
    bits, quality = pdqhash.compute(np.asarray(rgb))
    row["pdq"], row["pdq_quality"] = _pdq_bits_hex(bits), int(quality)
    for name in variants:  # bounded: at most len(VARIANTS)
        part = picture(rgb, name)
        # An orientation's pHash comes exactly from the upright DCT. PDQ hashes the turned
        # pixels: pdqhash.compute_dihedral's 64 x 64 downsampling is not symmetric, so its
        # hashes are 12-46 bits off those of the turned picture (tests).
        dct = DCT_VARIANT[name](block) if name in DIHEDRAL else _phash_dct(part)
        row[f"phash_{name}"] = _phash_from_dct(dct)
        row[f"pdq_{name}"] = _pdq_bits_hex(pdqhash.compute(np.asarray(part))[0])
    return row


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_UPRIGHT = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}
"""EXIF orientation -> PIL ``Image.Transpose`` value that makes the picture upright
(the table of ``PIL.ImageOps.exif_transpose``)."""


def _columns(variants: Sequence[str]) -> list[str]:
    extra = [f"{kind}_{name}" for name in VARIANTS if name in variants for kind in ("phash", "pdq")]
    return [*HASH_COLUMNS[:-1], *extra, HASH_COLUMNS[-1]]


def hash_file(
    path: str | os.PathLike,
    known: frozenset[str] = frozenset(),
    variants: Sequence[str] = (),
    trim: TrimConfig | None = DEFAULT_TRIM,
) -> dict:
    """Hash one file; never raises for bad input, returns a row with ``error`` set instead.

    ``phash`` and ``pdq`` hash the stored pixels, EXIF orientation ignored, as ThreatExchange's
    PDQ and python-threatexchange do. When EXIF turns or mirrors the photo (orientation 2-8),
    ``phash_upright`` and ``pdq_upright`` hash it upright, as viewers show it and platforms
    that re-encode it post it, and the variants are of the upright photo. ``variants`` and
    ``trim`` are as in :func:`hash_image`.

    Examples
    --------
    >>> import tempfile; from PIL import Image
    >>> folder = tempfile.mkdtemp(); Image.new("RGB", (64, 48), "red").save(f"{folder}/red.png")
    >>> row = hash_file(f"{folder}/red.png")
    >>> (row["width"], row["height"], len(row["phash"]), len(row["pdq"]), row["pdq_upright"], row["error"])
    (64, 48, 16, 64, None, None)
    """
    from PIL import Image

    row = dict.fromkeys(_columns(variants))
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
                    orientation = image.getexif().get(0x0112)  # EXIF: 1 is upright
            finally:
                Image.MAX_IMAGE_PIXELS = previous
        # A hostile tag (a string, a tuple, 99) is no orientation, not an unreadable file.
        orientation = (
            orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None
        )
        row["orientation"] = orientation
        if orientation in _UPRIGHT:  # the stored pixels are not the photo as viewers show it
            upright = hash_image(rgb.transpose(_UPRIGHT[orientation]), variants, trim)
            upright["phash_upright"], upright["pdq_upright"] = (
                upright.pop("phash"),
                upright.pop("pdq"),
            )
            row.update(upright)
            stored = hash_image(rgb, (), trim)
            row.update(
                phash=stored["phash"],
                pdq=stored["pdq"],
                pdq_quality=stored["pdq_quality"],
                trimmed=stored["trimmed"],
            )
        else:
            row.update(hash_image(rgb, variants, trim))
    except Exception as error:  # noqa: BLE001 - any unreadable file becomes a row, by design
        row["error"] = f"{type(error).__name__}: {error}"[:300]
    return row


_OPTIONS: tuple[frozenset[str], tuple[str, ...], TrimConfig | None] = (
    frozenset(),
    (),
    DEFAULT_TRIM,
)


def _set_options(known: frozenset[str], variants: tuple[str, ...], trim: TrimConfig | None) -> None:
    """Worker initialiser: the already-hashed digests and options are sent once per process."""
    global _OPTIONS
    _OPTIONS = (known, variants, trim)


def _hash_many(paths: list[str]) -> list[dict]:
    known, variants, trim = _OPTIONS
    return [hash_file(path, known, variants, trim) for path in paths]


def _reusable(existing: pd.DataFrame | None, columns: list[str]) -> frozenset[str]:
    """Digests whose earlier row carries every column this run writes (else hash again)."""
    if existing is None or not len(existing):
        return frozenset()
    missing = sorted(set(columns) - set(existing.columns) - {"path", "error"})
    if missing:
        logger.info(
            "earlier table lacks %s (older version or other options): hashing all files again",
            missing,
        )
        return frozenset()
    done = existing[existing["error"].isna()] if "error" in existing else existing
    return frozenset(done["sha256"].dropna())


def hash_images(
    folder: str | os.PathLike,
    workers: int = 2,
    existing: pd.DataFrame | None = None,
    progress: bool = True,
    variants: Sequence[str] = (),
    trim: TrimConfig | None = DEFAULT_TRIM,
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
        their earlier hashes are reused (resuming an interrupted run). Ignored when it
        lacks a column this run writes (a table from before border trimming, or
        without the requested variants).
    progress : bool
        Show a tqdm progress bar.
    variants : sequence of str
        Extra hashes per photo, names from :data:`VARIANTS` (e.g.
        :data:`REPOST_VARIANTS`); each adds columns ``phash_<name>`` and ``pdq_<name>``.
    trim : TrimConfig or None
        Border rule (see :mod:`workbench.photos.trim`); None hashes pictures as they are.

    Returns
    -------
    DataFrame with columns path (relative to ``folder``, ``/``-separated), sha256,
    phash, pdq (of the stored pixels, as ThreatExchange hashes them), pdq_quality, width,
    height (stored), trimmed (share of the picture cut as a border: 0 when none, empty
    with ``trim=None``), orientation (EXIF), phash_upright and pdq_upright (the photo
    turned as EXIF says; empty when it does not turn it), the variant columns, error;
    sorted by path.

    Examples
    --------
    >>> import tempfile; from PIL import Image
    >>> folder = tempfile.mkdtemp(); Image.new("L", (32, 32)).save(f"{folder}/a.png")
    >>> _ = open(f"{folder}/notes.jpg", "w").write("not an image")
    >>> table = hash_images(folder, workers=1, progress=False, variants=["mirror"])
    >>> table["path"].tolist(), table["error"].isna().tolist()
    (['a.png', 'notes.jpg'], [True, False])
    >>> [c for c in table.columns if c.endswith("mirror")]
    ['phash_mirror', 'pdq_mirror']
    """
    variants = tuple(dict.fromkeys(variants))
    check(variants)
    columns = _columns(variants)
    root = Path(folder)
    paths = sorted(str(p) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    known = _reusable(existing, columns)
    # Batches amortise process start-up and pickling; small enough to keep the bar moving.
    size = max(1, min(64, len(paths) // (4 * max(workers, 1)) or 1))
    batches = [paths[k : k + size] for k in range(0, len(paths), size)]
    rows: list[dict] = []
    bar = tqdm(total=len(paths), unit="img", disable=not progress, desc="hashing images")
    if workers <= 1:
        for batch in batches:  # bounded: one batch at a time so the bar moves
            rows.extend(hash_file(path, known, variants, trim) for path in batch)
            bar.update(len(batch))
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_set_options, initargs=(known, variants, trim)
        ) as pool:
            futures = [pool.submit(_hash_many, batch) for batch in batches]
            for future in futures:
                result = future.result()
                rows.extend(result)
                bar.update(len(result))
    bar.close()
    table = pd.DataFrame(rows, columns=columns)
    if known:
        reused = table["error"].eq("skipped: already hashed")
        earlier = (
            existing.drop_duplicates("sha256")
            .set_index("sha256")
            .reindex(table.loc[reused, "sha256"])
        )
        for column in columns[2:-1]:
            table.loc[reused, column] = earlier[column].to_numpy()
        table.loc[reused, "error"] = None
        logger.info("reused hashes of %d files already hashed", int(reused.sum()))
    table["path"] = [Path(p).relative_to(root).as_posix() for p in table["path"]]
    for column in ("path", "sha256", "phash", "pdq", *columns[9:-1], "error"):
        table[column] = table[column].astype("str")
    for column in ("pdq_quality", "width", "height", "orientation"):
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    table["trimmed"] = pd.to_numeric(table["trimmed"]).astype("Float64").round(4)
    n_errors = int(table["error"].notna().sum())
    if n_errors:
        logger.warning(
            "%d of %d files could not be hashed; see the error column", n_errors, len(table)
        )
    n_trimmed = int(table["trimmed"].gt(0).sum())
    if n_trimmed:
        logger.info(
            "cut a uniform border off %d of %d pictures before hashing", n_trimmed, len(table)
        )
    return table.sort_values("path", ignore_index=True)
