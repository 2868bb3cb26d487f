"""Photos with an EXIF orientation: ``pdq`` / ``phash`` are what ThreatExchange computes (the
stored pixels), the upright hashes sit beside them, and matching uses both.

The reference is ``pdqhash.compute`` (ThreatExchange's C++ PDQ) and ``imagehash.phash`` on
the full-size stored pixels, as python-threatexchange and HMA decode them (no EXIF turn).
"""

from __future__ import annotations

import imagehash
import numpy as np
import pdqhash
import pytest
from PIL import Image, ImageDraw

from workbench.photos import (
    HammingIndex,
    cases_from_hashes,
    hamming,
    hash_file,
    hash_images,
    parse_hex,
    query_variants,
    variant_words,
)
from workbench.photos.hashing import _UPRIGHT, HASH_COLUMNS, _pdq_bits_hex

PDQ_MATCH = 31  # ThreatExchange's threshold for a PDQ match


def photo(seed: int, size=(720, 540)) -> Image.Image:
    """A camera-like picture, not square and larger than WORK_SIDE, so turning it matters."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = (
        np.linspace(0, 1, w)[None, :, None] * rng.integers(0, 256, 3)
        + np.linspace(0, 60, h)[:, None, None]
    )
    image = Image.fromarray(np.clip(np.broadcast_to(ramp, (h, w, 3)), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w - 80)), int(rng.integers(0, h - 80))
        draw.ellipse(
            (x0, y0, x0 + int(rng.integers(60, w // 2)), y0 + int(rng.integers(60, h // 2))),
            fill=tuple(int(c) for c in rng.integers(0, 256, 3)),
        )
    pixels = np.asarray(image) + rng.normal(0, 5, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def save_with_orientation(image: Image.Image, path, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(path, quality=95, exif=exif)


def reference(path) -> tuple[str, str]:
    """(pdq, phash) of the file's stored pixels at full size, EXIF ignored."""
    with Image.open(path) as image:
        pixels = image.convert("RGB")
    return _pdq_bits_hex(pdqhash.compute(np.asarray(pixels))[0]), str(imagehash.phash(pixels))


def bits(a: str, b: str) -> int:
    width = 256 if len(a) == 64 else 64
    words, _ = parse_hex([a, b], bits=width)
    return int(hamming(words[0], words[1], bits=width))


@pytest.mark.parametrize("orientation", [3, 6, 8, 2, 5])
def test_main_hashes_are_of_the_stored_pixels(tmp_path, orientation):
    stored = photo(orientation)
    path = tmp_path / "phone.jpg"
    save_with_orientation(stored, path, orientation)
    row = hash_file(path)
    assert row["error"] is None and row["orientation"] == orientation
    pdq_ref, phash_ref = reference(path)
    assert bits(row["pdq"], pdq_ref) <= 16, (
        "within the working copy's few bits of ThreatExchange's hash"
    )
    assert bits(row["phash"], phash_ref) <= 6
    upright = stored.transpose(_UPRIGHT[orientation])
    upright.save(tmp_path / "upright.jpg", quality=95)
    pdq_up, phash_up = reference(tmp_path / "upright.jpg")
    assert bits(row["pdq_upright"], pdq_up) <= 16 and bits(row["phash_upright"], phash_up) <= 6
    assert bits(row["pdq_upright"], pdq_ref) > 2 * PDQ_MATCH, "the upright hash is another hash"


def test_no_upright_hash_without_a_turn(tmp_path):
    picture = photo(1, size=(300, 200))
    save_with_orientation(picture, tmp_path / "one.jpg", 1)
    picture.save(tmp_path / "none.png")
    save_with_orientation(picture, tmp_path / "hostile.jpg", 99)
    rows = {name: hash_file(tmp_path / name) for name in ("one.jpg", "none.png", "hostile.jpg")}
    assert rows["one.jpg"]["orientation"] == 1 and rows["none.png"]["orientation"] is None
    assert rows["hostile.jpg"]["error"] is None and rows["hostile.jpg"]["orientation"] is None
    assert all(row["pdq_upright"] is None and row["phash_upright"] is None for row in rows.values())


def test_matching_uses_both_hashes(tmp_path):
    """A partner's list holds the raw-pixel hash; a repost is the upright photo: both match."""
    stored = photo(7)
    (tmp_path / "case" / "ana").mkdir(parents=True)  # one folder per child: one case
    save_with_orientation(stored, tmp_path / "case" / "ana" / "phone.jpg", 6)
    save_with_orientation(photo(8), tmp_path / "case" / "ana" / "other.jpg", 1)
    table = hash_images(tmp_path / "case", workers=1, progress=False, variants=["mirror"])
    assert list(table.columns[: len(HASH_COLUMNS) - 1]) == list(HASH_COLUMNS[:-1])
    phone = table.set_index("path").loc["ana/phone.jpg"]
    # The case built from the folder carries both, so a watch finds either form.
    (case,) = cases_from_hashes(table).itertuples()
    assert phone["pdq"] in case.pdq_hashes and phone["pdq_upright"] in case.pdq_hashes
    assert phone["phash"] in case.image_hashes and phone["phash_upright"] in case.image_hashes
    # A repost of the photo as viewers see it, re-encoded without EXIF.
    (tmp_path / "repost").mkdir()
    stored.transpose(_UPRIGHT[6]).save(tmp_path / "repost" / "repost.jpg", quality=80)
    repost = hash_images(tmp_path / "repost", workers=1, progress=False)
    for kind, radius, words in (("phash", 8, 1), ("pdq", PDQ_MATCH, 4)):
        indexed = variant_words(table, kind, ["upright"])
        index = HammingIndex(
            indexed.reshape(-1, words) if words > 1 else indexed.reshape(-1), radius=radius
        )
        hits = query_variants(index, variant_words(repost, kind, []), per_item=2)
        assert hits["index_idx"].tolist() == [
            int(np.flatnonzero(table["path"] == "ana/phone.jpg")[0])
        ]
        assert hits["index_variant"].tolist() == [1], "found through the upright hash"
