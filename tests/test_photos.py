"""Tests for workbench.photos: bits, the Hamming index, groups and image hashing."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageOps

from workbench.photos import (
    DIHEDRAL,
    REPOST_VARIANTS,
    HammingIndex,
    TrimConfig,
    border_box,
    group,
    hamming,
    hash_file,
    hash_image,
    hash_images,
    hex_to_uint64,
    parse_hex,
    photos_from_accounts,
    query_variants,
    uint64_to_hex,
    variant_words,
)


def clustered_hashes(n_bases: int, n: int, max_flips: int, words: int, seed: int) -> np.ndarray:
    """Random base hashes plus copies with a few flipped bits (and exact copies)."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 2**64 - 1, size=(n_bases, words), dtype=np.uint64, endpoint=True)
    out = bases[rng.integers(0, n_bases, n)].copy()
    for row in range(n):
        for bit in rng.integers(0, 64 * words, rng.integers(0, max_flips + 1)):
            out[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out[:, 0] if words == 1 else out


def brute_pairs(hashes: np.ndarray, radius: int) -> set[tuple[int, int]]:
    packed = hashes.reshape(len(hashes), -1)
    dist = np.bitwise_count(packed[:, None, :] ^ packed[None, :, :]).sum(axis=-1)
    i, j = np.nonzero(np.triu(dist <= radius, 1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_hex_round_trip_and_invalid():
    values = ["0123456789abcdef", "FFFFFFFFFFFFFFFF", "0000000000000000"]
    words = hex_to_uint64(values)
    assert uint64_to_hex(words).tolist() == [v.lower() for v in values]
    pdq = "0f" * 32
    assert uint64_to_hex(hex_to_uint64([pdq], bits=256)).tolist() == [pdq]
    _, valid = parse_hex(["abc", None, "g" * 16, " 0x00000000000000ff "])
    assert valid.tolist() == [False, False, False, True]
    with pytest.raises(ValueError, match="position 1"):
        hex_to_uint64(["0" * 16, "nothex"])


def test_hamming_matches_python_popcount():
    rng = np.random.default_rng(0)
    a, b = (
        rng.integers(0, 2**63, 100, dtype=np.uint64),
        rng.integers(0, 2**63, 100, dtype=np.uint64),
    )
    expected = [bin(int(x) ^ int(y)).count("1") for x, y in zip(a, b, strict=True)]
    assert hamming(a, b).tolist() == expected
    pdq_a, pdq_b = a[:96].reshape(24, 4), b[:96].reshape(24, 4)
    assert hamming(pdq_a, pdq_b, bits=256).tolist() == [
        sum(expected[4 * k : 4 * k + 4]) for k in range(24)
    ]


@pytest.mark.parametrize("radius", [0, 2, 6, 8, 12])
@pytest.mark.parametrize("n_bases", [20, 400])
def test_pairs_equal_brute_force_64(radius, n_bases):
    hashes = clustered_hashes(n_bases, 600, radius + 3, words=1, seed=radius)
    pairs = HammingIndex(hashes, radius).pairs()
    assert set(zip(pairs["i"], pairs["j"], strict=True)) == brute_pairs(hashes, radius)
    assert len(pairs) == len(set(zip(pairs["i"], pairs["j"], strict=True)))  # each pair once
    assert (pairs["distance"] == hamming(hashes[pairs["i"]], hashes[pairs["j"]])).all()


@pytest.mark.parametrize("radius", [10, 31])
def test_pairs_equal_brute_force_pdq(radius):
    hashes = clustered_hashes(30, 300, radius + 8, words=4, seed=radius)
    pairs = HammingIndex(hashes, radius).pairs()
    assert set(zip(pairs["i"], pairs["j"], strict=True)) == brute_pairs(hashes, radius)


def test_planner_keeps_pigeonhole_on_large_collections():
    # Plan as for a million hashes on a small sample: wide bands with per-band radius.
    index = HammingIndex(clustered_hashes(300, 2_000, 9, words=1, seed=5), 8)
    from workbench.photos.index import _BandTable, plan_bands

    plan = plan_bands(1_000_000, 1, 8)
    assert any(b.radius > 0 for b in plan) and sum(b.radius + 1 for b in plan) > 8
    index._tables[8] = [_BandTable(b, index.unique, index.max_bucket) for b in plan]
    pairs = index.pairs()
    assert set(zip(pairs["i"], pairs["j"], strict=True)) == brute_pairs(
        np.asarray(index.unique[index.inverse, 0]), 8
    )


@pytest.mark.parametrize("scan_pairs", [0, 1 << 30])  # banded probing, then the direct scan
def test_query_matches_brute_force(scan_pairs, monkeypatch):
    monkeypatch.setattr("workbench.photos.index._SCAN_PAIRS", scan_pairs)
    hashes = clustered_hashes(50, 800, 8, words=1, seed=1)
    queries = np.concatenate([hashes[:20], clustered_hashes(5, 5, 0, words=1, seed=99)])
    found = HammingIndex(hashes, 6).query(queries)
    dist = hamming(queries[:, None], hashes[None, :])
    qi, ii = np.nonzero(dist <= 6)
    assert set(zip(found["query_idx"], found["index_idx"], strict=True)) == set(
        zip(qi.tolist(), ii.tolist(), strict=True)
    )
    assert len(found) == len(qi)


def test_hub_protection_caps_copies_and_buckets():
    hub = np.full(50, 12345, dtype=np.uint64)
    others = clustered_hashes(10, 30, 2, words=1, seed=3)
    index = HammingIndex(np.concatenate([hub, others]), 4, max_copies=10)
    pairs = index.pairs()
    hub_pairs = pairs[(pairs["i"] < 50) & (pairs["j"] < 50)]
    assert len(hub_pairs) == 49  # a star, not 50 * 49 / 2
    assert index.hubs.query("kind == 'copies'")[["size", "hash"]].values.tolist() == [
        [50, "0000000000003039"]
    ]
    near = clustered_hashes(1, 200, 1, words=1, seed=4)  # ~50 distinct one-bit variants
    capped = HammingIndex(near, 4, max_bucket=5)
    assert (capped.hubs["kind"] == "bucket").any()
    found = capped.pairs()
    assert set(zip(found["i"], found["j"], strict=True)) < brute_pairs(near, 4)  # lost, not wrong


def test_group_connects_near_duplicates_across_accounts():
    base = hex_to_uint64(["f0f0f0f0f0f0f0f0", "0123456789abcdef"])
    photos = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3", "a4", "a5", "a5"],
            "hash": uint64_to_hex(
                np.array(
                    [
                        base[0],
                        base[0] ^ np.uint64(0b111),
                        base[0] ^ np.uint64(1 << 40),
                        base[1],
                        base[1] ^ np.uint64(0xFFFF),
                        base[1] ^ np.uint64(0xFFFF),
                    ]
                )
            ),
            "city": ["Houston", "Dallas", "Houston", "Miami", "Miami", "Miami"],
            "posted_at": [
                "2024-01-01",
                "2024-02-01",
                "2024-03-05",
                "2024-01-01",
                "2024-01-02",
                "2024-01-02",
            ],
        }
    )
    out = group(photos, radius=6)
    assert out.groups["n_accounts"].tolist() == [3]  # second pair is 16 bits apart; a5 alone
    top = out.groups.iloc[0]
    assert (
        top["accounts"] == "a1;a2;a3" and top["cities"] == "Dallas;Houston" and top["n_cities"] == 2
    )
    assert top["hash"] == "f0f0f0f0f0f0f0f0" and top["spread_bits"] == 3
    assert (
        str(top["first_seen"].date()) == "2024-01-01"
        and str(top["last_seen"].date()) == "2024-03-05"
    )
    assert sorted(out.members["account_id"]) == ["a1", "a2", "a3"]
    wider = group(photos, radius=16)
    assert wider.groups["n_accounts"].tolist() == [3, 2]


def test_group_truncates_account_lists_and_sorts_by_spread():
    photos = pd.DataFrame(
        {
            "account_id": [f"acc{k:03d}" for k in range(30)] + ["x", "y"],
            "hash": ["00000000000000ff"] * 30 + ["ffffffffffffff00"] * 2,
        }
    )
    out = group(photos, max_listed=5)
    assert out.groups["n_accounts"].tolist() == [30, 2]
    assert out.groups.loc[0, "accounts"].endswith("(+25 more)")


def test_photos_from_accounts_explodes_hash_lists():
    accounts = pd.DataFrame(
        {"account_id": ["a", "b"], "image_hashes": ["0F;  ff ;", ""], "city": ["X", "Y"]}
    )
    photos = photos_from_accounts(accounts)
    assert photos.values.tolist() == [["a", "X", "0f"], ["a", "X", "ff"]]


def _png_header_bomb(path, side=100_000):
    """A tiny PNG that claims to be side x side pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    shapes = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(shapes)
    draw.ellipse((40, 40, 200, 200), fill="red")
    draw.rectangle((180, 60, 300, 220), fill="blue")
    shapes.save(folder / "shapes.jpg", quality=90)
    shapes.resize((160, 120)).save(folder / "shapes_small.png")
    gradient = np.tile(np.linspace(0, 255, 256, dtype=np.uint8), (200, 1))
    Image.fromarray(gradient).save(folder / "gradient.webp")
    text = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(text).text((10, 40), "call me tonight", fill=0)
    text.save(folder / "sub" / "text.gif") if (folder / "sub").mkdir() is None else None
    Image.fromarray(rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)).save(folder / "noise.png")
    (folder / "zero.jpg").write_bytes(b"")
    full = (folder / "shapes.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(full[: len(full) // 2])
    (folder / "text_file.jpg").write_text("this is not a jpeg")
    _png_header_bomb(folder / "bomb.png")
    return folder


def test_hash_images_handles_good_and_hostile_files(image_folder):
    table = hash_images(image_folder, workers=2, progress=False)
    by_path = table.set_index("path")
    good = ["gradient.webp", "noise.png", "shapes.jpg", "shapes_small.png", "sub/text.gif"]
    bad = ["bomb.png", "text_file.jpg", "truncated.jpg", "zero.jpg"]
    assert sorted(table["path"]) == sorted(good + bad)
    assert by_path.loc[good, "error"].isna().all()
    assert by_path.loc[bad, "error"].notna().all()
    assert "DecompressionBomb" in by_path.loc["bomb.png", "error"]
    assert by_path.loc[good, "phash"].str.fullmatch("[0-9a-f]{16}").all()
    assert by_path.loc[good, "pdq"].str.fullmatch("[0-9a-f]{64}").all()
    assert by_path.loc["shapes.jpg", "width"] == 320
    assert table["sha256"].notna().all()
    resized = hex_to_uint64(by_path.loc[["shapes.jpg", "shapes_small.png"], "phash"])
    assert hamming(resized[0], resized[1]) <= 8  # the same picture, resized and re-encoded


def test_hash_images_resumes_from_existing(image_folder):
    first = hash_images(image_folder, workers=1, progress=False)
    again = hash_images(image_folder, workers=1, existing=first.iloc[:3], progress=False)
    pd.testing.assert_frame_equal(first, again)


def test_empty_inputs():
    empty = np.zeros(0, dtype=np.uint64)
    index = HammingIndex(empty, 6)
    assert len(index.pairs()) == 0 and len(index.query(np.array([1], dtype=np.uint64))) == 0
    out = group(pd.DataFrame({"account_id": [], "hash": []}))
    assert len(out.groups) == 0 and len(out.members) == 0


def test_group_pdq_hashes_and_invalid_rows():
    base = "ab" * 32
    near = "ab" * 31 + "ac"  # 3 bits apart
    photos = pd.DataFrame({"account_id": ["a", "b", "c"], "hash": [base, near, "not-a-hash"]})
    out = group(photos)
    assert out.groups["n_accounts"].tolist() == [2] and out.groups.loc[0, "spread_bits"] == 3


def test_hash_images_resume_in_parallel(image_folder):
    first = hash_images(image_folder, workers=1, progress=False)
    again = hash_images(image_folder, workers=2, existing=first, progress=False)
    pd.testing.assert_frame_equal(first, again)


# --- border trimming, variants and flip-aware matching -----------------------------------


def noisy_photo(seed: int, size=(240, 180)) -> Image.Image:
    """Shapes on a gradient with camera-like noise: edges that must never count as a border."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(0, 1, w)[None, :, None] * rng.integers(0, 256, 3) + 40
    image = Image.fromarray(np.clip(np.broadcast_to(ramp, (h, w, 3)), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        draw.ellipse(
            (x0, y0, x0 + int(rng.integers(30, w // 2)), y0 + int(rng.integers(30, h // 2))),
            fill=tuple(int(c) for c in rng.integers(0, 256, 3)),
        )
    pixels = np.asarray(image) + rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _jpeg_copy(image: Image.Image, quality: int) -> Image.Image:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


@pytest.mark.parametrize("fill", ["white", "black", (200, 30, 30)])
@pytest.mark.parametrize("quality", [None, 40])
def test_border_box_finds_added_frames(fill, quality):
    photo = noisy_photo(1)
    framed = ImageOps.expand(photo, border=(12, 20), fill=fill)  # 12 left/right, 20 top/bottom
    framed = _jpeg_copy(framed, quality) if quality else framed
    left, top, right, bottom = border_box(framed)
    expected = (12, 20, 12 + photo.width, 20 + photo.height)
    # JPEG ringing may leave up to one 8 x 8 block of frame; never cut into the photo.
    assert 0 <= expected[0] - left <= 8 and 0 <= expected[1] - top <= 8
    assert 0 <= right - expected[2] <= 8 and 0 <= bottom - expected[3] <= 8


def test_border_box_leaves_content_alone():
    photo = np.asarray(noisy_photo(2))
    whole = (0, 0, photo.shape[1], photo.shape[0])

    def box(pixels, config=None):
        return border_box(Image.fromarray(pixels), config or TrimConfig())

    assert box(photo) == whole
    assert (
        border_box(_jpeg_copy(Image.fromarray(photo), 20)) == whole
    )  # smoothed noise is not a frame
    sky = np.broadcast_to(np.linspace(90, 160, 180)[:, None, None], (180, 240, 3)).astype(np.uint8)
    assert box(np.ascontiguousarray(sky)) == whole  # every row flat, but drifting: a gradient
    wall = photo.copy()
    wall[:50] = (230, 230, 230)  # a flat wall along one edge only
    assert box(wall) == whole
    letterbox = np.pad(photo, ((230, 230), (0, 0), (0, 0)))  # bars deeper than max_side (35%)
    assert box(letterbox)[1] == 0
    assert box(np.full((50, 80, 3), 255, np.uint8)) == (0, 0, 80, 50)  # blank: nothing to keep
    lopsided = np.pad(photo, ((4, 30), (0, 0), (0, 0)), constant_values=255)
    assert box(lopsided)[1::2] == (0, lopsided.shape[0])
    assert box(lopsided, TrimConfig(max_asymmetry=0.2))[1::2] == (4, 4 + photo.shape[0])


def test_trimming_makes_framed_reposts_hash_alike():
    photo = noisy_photo(3)
    plain = hash_image(photo)
    for repost in (
        ImageOps.expand(photo, border=15, fill="white"),
        _jpeg_copy(ImageOps.pad(photo, (photo.width, photo.width), color="black"), 75),
    ):
        trimmed, untrimmed = hash_image(repost), hash_image(repost, trim=None)
        assert trimmed["trimmed"] > 0 and untrimmed["trimmed"] is None
        words = hex_to_uint64([plain["phash"], trimmed["phash"], untrimmed["phash"]])
        assert hamming(words[0], words[1]) <= 4 < hamming(words[0], words[2])
    assert plain["trimmed"] == 0.0


def test_dihedral_variants_equal_hashes_of_turned_pictures():
    photo = noisy_photo(4, size=(200, 200))
    row = hash_image(photo, variants=DIHEDRAL)
    turned = {
        "rot90": Image.Transpose.ROTATE_90,
        "rot180": Image.Transpose.ROTATE_180,
        "rot270": Image.Transpose.ROTATE_270,
        "flip": Image.Transpose.FLIP_TOP_BOTTOM,
        "mirror": Image.Transpose.FLIP_LEFT_RIGHT,
        "transpose": Image.Transpose.TRANSPOSE,
        "transverse": Image.Transpose.TRANSVERSE,
    }
    for name, method in turned.items():
        direct = hash_image(photo.transpose(method))
        assert row[f"phash_{name}"] == direct["phash"], name  # exact: a sign change of the DCT
        assert row[f"pdq_{name}"] == direct["pdq"], name
    with pytest.raises(ValueError, match="unknown hash variants"):
        hash_image(photo, variants=["sideways"])


def test_flip_aware_query_finds_mirrored_reposts(tmp_path):
    originals = [noisy_photo(10 + k) for k in range(6)]
    for k, photo in enumerate(originals):
        photo.save(tmp_path / f"orig{k}.png")
        _jpeg_copy(ImageOps.mirror(photo), 80).save(tmp_path / f"repost{k}.jpg", quality=95)
    table = hash_images(tmp_path, workers=1, progress=False, variants=["mirror"])
    assert {"phash_mirror", "pdq_mirror", "trimmed"} <= set(table.columns)
    orig, repost = (
        table[table["path"].str.startswith("orig")],
        table[table["path"].str.startswith("repost")],
    )
    index = HammingIndex(hex_to_uint64(orig["phash"]), 8)
    assert len(index.query(hex_to_uint64(repost["phash"]))) == 0  # plain search misses mirrors
    found = query_variants(index, variant_words(repost, "phash", ["mirror"]))
    assert found[["query_idx", "index_idx"]].values.tolist() == [[k, k] for k in range(6)]
    assert (found["query_variant"] == 1).all() and (found["distance"] <= 8).all()
    # The other way round: the variants indexed, plain hashes queried.
    per_item = variant_words(orig, "phash", ["mirror"])
    both = HammingIndex(per_item.reshape(-1), 8)
    back = query_variants(both, hex_to_uint64(repost["phash"]), per_item=2)
    assert back["index_idx"].tolist() == list(range(6)) and (back["index_variant"] == 1).all()
    pdq_index = HammingIndex(hex_to_uint64(orig["pdq"], bits=256), 31)
    pdq_found = query_variants(pdq_index, variant_words(repost, "pdq", ["mirror"]))
    assert pdq_found["index_idx"].tolist() == list(range(6))


def test_repost_variants_cover_crop_and_tilt():
    photo = noisy_photo(20, size=(320, 240))
    base = variant_words(pd.DataFrame([hash_image(photo, REPOST_VARIANTS)]), "phash")
    assert base.shape == (1, 1 + len(REPOST_VARIANTS))
    index = HammingIndex(base.reshape(-1), 8)
    w, h = photo.size
    cropped = photo.crop((w // 20, h // 20, w - w // 20, h - h // 20))
    tilted = photo.rotate(4, resample=Image.BICUBIC)
    for repost in (cropped, tilted):
        words = variant_words(pd.DataFrame([hash_image(repost, REPOST_VARIANTS)]), "phash")
        assert len(query_variants(index, words, per_item=base.shape[1])) == 1


def test_variant_words_fallback_and_missing_column():
    table = pd.DataFrame(
        {"pdq": ["0" * 64, "f" * 64], "pdq_quality": [100, 100], "pdq_mirror": ["1" * 64, None]}
    )
    words = variant_words(table, "pdq")
    assert words.shape == (2, 2, 4)
    assert (words[1, 1] == words[1, 0]).all()  # missing variant repeats the main hash
    with pytest.raises(KeyError, match="pdq_centre"):
        variant_words(table, "pdq", ["centre"])


def test_exif_orientation_is_kept_beside_the_stored_pixels(tmp_path):
    """The main hash is of the stored pixels (as ThreatExchange hashes them); the upright
    hash beside it matches the photo as viewers show it (tests/test_photos_exif.py has more)."""
    upright = noisy_photo(30, size=(240, 160))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone writes, plus "rotate 270"
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "phone.jpg", quality=95, exif=exif)
    upright.save(tmp_path / "upright.jpg", quality=95)
    stored.save(tmp_path / "stored.jpg", quality=95)
    phone, plain, raw = (
        hash_file(tmp_path / name) for name in ("phone.jpg", "upright.jpg", "stored.jpg")
    )
    assert phone["width"] == 160 and phone["orientation"] == 6 and plain["pdq_upright"] is None
    assert hamming(*hex_to_uint64([phone["phash_upright"], plain["phash"]])) <= 4
    assert hamming(*hex_to_uint64([phone["phash"], raw["phash"]])) <= 4


def test_hash_images_rehashes_tables_from_before_trimming(image_folder):
    first = hash_images(image_folder, workers=1, progress=False)
    old = first.drop(columns=["trimmed"]).assign(phash="0" * 16)  # an older table, other hashes
    again = hash_images(image_folder, workers=1, existing=old, progress=False)
    pd.testing.assert_frame_equal(first, again)
    with_mirror = hash_images(
        image_folder, workers=1, existing=first, progress=False, variants=["mirror"]
    )
    assert with_mirror["phash_mirror"].notna().sum() == first["error"].isna().sum()


# --- crop windows, caption cut, and photo folders as cases -------------------------------


def _captioned(image: Image.Image) -> Image.Image:
    framed = ImageOps.expand(image, border=image.width // 20, fill=(255, 255, 255))
    out = Image.new("RGB", (framed.width, framed.height + framed.height // 6), (255, 255, 255))
    out.paste(framed, (0, 0))
    ImageDraw.Draw(out).text((10, framed.height + 8), "new in town, call me", fill=(0, 0, 0))
    return out


REPOSTS = {
    "off-centre crop": lambda im: im.crop(
        (int(im.width * 0.09), 0, im.width, int(im.height * 0.93))
    ),
    "corner crop 10%": lambda im: im.crop((im.width // 10, im.height // 10, im.width, im.height)),
    "caption bar": _captioned,
}


@pytest.mark.parametrize("repost", list(REPOSTS))
def test_crop_windows_and_caption_cut_find_reposts_that_the_plain_hash_misses(repost):
    photos = [noisy_photo(40 + k, size=(360, 270)) for k in range(6)]
    indexed = pd.DataFrame([hash_image(p, REPOST_VARIANTS) for p in photos])
    # The repost carries its caption-cut hash too: only the side with the caption can cut it.
    queries = pd.DataFrame([hash_image(REPOSTS[repost](p), ["uncaptioned"]) for p in photos])
    plain = HammingIndex(hex_to_uint64(indexed["phash"]), 8).query(hex_to_uint64(queries["phash"]))
    words = variant_words(indexed, "phash")
    found = query_variants(
        HammingIndex(words.reshape(-1), 8), variant_words(queries, "phash"), per_item=words.shape[1]
    )
    # Every repost is found, as its own photo only; the plain hash finds fewer.
    assert (found["query_idx"] == found["index_idx"]).all()
    assert found["query_idx"].nunique() == len(photos) > plain["query_idx"].nunique()


def test_uncaptioned_leaves_a_plain_photo_nearly_whole():
    from workbench.photos.variants import uncaptioned

    photo = noisy_photo(50, size=(300, 200))
    kept = uncaptioned(photo).size  # a smooth gradient may lose a few lines: pHash does not notice
    assert kept[0] >= 0.97 * photo.width and kept[1] >= 0.97 * photo.height
    assert uncaptioned(_captioned(photo)).size[1] <= photo.height + photo.width // 20 + 2


def test_photo_folders_become_cases_that_catch_a_cropped_repost(tmp_path):
    from workbench import pipeline
    from workbench.photos import cases_from_hashes

    for k, child in enumerate(["child_a", "child_b"]):
        (tmp_path / child).mkdir()
        noisy_photo(60 + k, size=(360, 270)).save(tmp_path / child / "school.png")
    table = hash_images(tmp_path, workers=1, progress=False, variants=REPOST_VARIANTS)
    cases = cases_from_hashes(table)
    assert cases["case_id"].tolist() == ["P-child_a", "P-child_b"]
    assert (
        cases["kind"].eq("missing").all()
        and cases["image_hashes"].str.count(";").min() >= len(REPOST_VARIANTS) // 2
    )
    repost = REPOSTS["corner crop 10%"](
        noisy_photo(61, size=(360, 270))
    )  # child_b, cut and re-encoded
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "text": ["new here", "hello"],
            "image_hashes": [
                hash_image(_jpeg_copy(repost, 70))["phash"],
                hash_image(noisy_photo(99))["phash"],
            ],
        }
    )
    result = pipeline.run(
        accounts, cases, config=pipeline.RunConfig(run_trends=False, progress=False)
    )
    assert result.leads[["case_id", "account_id"]].values.tolist() == [["P-child_b", "A1"]]
