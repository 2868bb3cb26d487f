"""Benchmark photo hashing and the Hamming index; choose default match radii.

Prints, for pHash (64 bits) and PDQ (256 bits): the share of reposted copies still
matched at several radii, per transformation, against the false-match rate (FMR)
over every pair of different images, for each way of hashing (as before, border
trimmed, flip-aware, with the repost variants); then a summary at the default radii,
hashing throughput and index speed against 1M hashes.

    python benchmarks/bench_photos.py          # full: 120 images, 1M hashes, ~15 minutes
    python benchmarks/bench_photos.py --quick  # ~3 minutes
    python benchmarks/bench_photos.py --part roc  # only the ROC tables
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from workbench.photos import (
    DIHEDRAL,
    PDQ_RADIUS,
    PHASH_RADIUS,
    REPOST_VARIANTS,
    HammingIndex,
    hamming,
    hash_image,
    hash_images,
    query_variants,
)
from workbench.photos.bits import parse_hex

PHASH_RADII = (4, 6, 8, 10, 12, 14, 16)
PDQ_RADII = (16, 24, 31, 40, 48, 56, 64)
MAX_FMR = 0.001
HASHED_VARIANTS = tuple(dict.fromkeys((*DIHEDRAL, *REPOST_VARIANTS)))


def synthetic_photo(
    rng: np.random.Generator, size=(640, 480), flat_edge: bool = False
) -> Image.Image:
    """A photo-like picture: gradient background, shapes, a little texture and text.

    ``flat_edge`` paints a noise-free band of one colour along the top (a wall or a
    blown-out sky), the content a border trimmer must not cut inconsistently.
    """
    w, h = size
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    ramp = np.linspace(0, 1, h)[:, None, None]
    angle = rng.uniform(0, 1)
    ramp = ramp * (1 - angle) + np.linspace(0, 1, w)[None, :, None] * angle
    background = (top * (1 - ramp) + bottom * ramp).astype(np.uint8)
    image = Image.fromarray(np.broadcast_to(background, (h, w, 3)).copy())
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(3, 9)):
        x0, y0 = rng.integers(-w // 4, w), rng.integers(-h // 4, h)
        x1, y1 = x0 + rng.integers(w // 10, w // 2), y0 + rng.integers(h // 10, h // 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        kind = rng.integers(3)
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            points = [
                (int(x), int(y))
                for x, y in zip(rng.integers(0, w, 3), rng.integers(0, h, 3), strict=True)
            ]
            draw.polygon(points, fill=colour)
    draw.text(
        (int(rng.integers(0, w - 100)), int(rng.integers(0, h - 20))), "sample text", fill=(0, 0, 0)
    )
    pixels = np.clip(np.asarray(image) + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    if flat_edge:
        pixels[: int(h * rng.uniform(0.08, 0.3))] = rng.integers(0, 256, 3)
    return Image.fromarray(pixels)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _crop(image: Image.Image, share: float) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * share / 2), int(h * share / 2)
    return image.crop((dx, dy, w - dx, h - dy))


def _random_crop(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Cut 5-10% of width and of height, split at random between the two sides."""
    w, h = image.size
    cut_w, cut_h = int(w * rng.uniform(0.05, 0.10)), int(h * rng.uniform(0.05, 0.10))
    left, top = int(rng.integers(0, cut_w + 1)), int(rng.integers(0, cut_h + 1))
    return image.crop((left, top, w - (cut_w - left), h - (cut_h - top)))


def _watermark(image: Image.Image) -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    w, h = marked.size
    for k in range(3):
        draw.text(
            (w // 6, h // 4 + k * h // 5),
            "www.example-site.com  call 555-0100",
            fill=(255, 255, 255),
        )
    return marked


def _pad_square(image: Image.Image) -> Image.Image:
    side = max(image.size)
    out = Image.new("RGB", (side, side), (0, 0, 0))
    out.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return _jpeg(out, 80)


def _caption(image: Image.Image) -> Image.Image:
    """A white frame plus a caption bar under the picture, as meme-style reposts add."""
    framed = ImageOps.expand(image, border=image.width // 20, fill=(255, 255, 255))
    out = Image.new("RGB", (framed.width, framed.height + framed.height // 8), (255, 255, 255))
    out.paste(framed, (0, 0))
    ImageDraw.Draw(out).text(
        (10, framed.height + 10), "@someone_new  call 555-0100  new in town", fill=(0, 0, 0)
    )
    return _jpeg(out, 80)


TRANSFORMS = {
    "resize_50%": lambda im, rng: im.resize((im.width // 2, im.height // 2), Image.LANCZOS),
    "jpeg_q30": lambda im, rng: _jpeg(im, 30),
    "jpeg_q50": lambda im, rng: _jpeg(im, 50),
    "jpeg_q75": lambda im, rng: _jpeg(im, 75),
    "jpeg_q90": lambda im, rng: _jpeg(im, 90),
    "crop_5%": lambda im, rng: _crop(im, 0.05),
    "crop_10%": lambda im, rng: _crop(im, 0.10),
    "crop_5-10%_random": _random_crop,
    "crop_10%_corner": lambda im, rng: im.crop(
        (im.width // 10, im.height // 10, im.width, im.height)
    ),
    "brightness_+25%": lambda im, rng: ImageEnhance.Brightness(im).enhance(1.25),
    "contrast_-25%": lambda im, rng: ImageEnhance.Contrast(im).enhance(0.75),
    "rotate_2-5deg": lambda im, rng: im.rotate(
        float(rng.uniform(2, 5)), resample=Image.BICUBIC, expand=False
    ),
    "rotate_-2-5deg": lambda im, rng: im.rotate(
        -float(rng.uniform(2, 5)), resample=Image.BICUBIC, expand=False
    ),
    "mirror": lambda im, rng: ImageOps.mirror(im),
    "rotate_90": lambda im, rng: im.rotate(90, expand=True),
    "rotate_180": lambda im, rng: im.rotate(180),
    "border_5%": lambda im, rng: ImageOps.expand(im, border=im.width // 20, fill=(255, 255, 255)),
    "border_5%+jpeg75": lambda im, rng: _jpeg(
        ImageOps.expand(im, border=im.width // 20, fill=(255, 255, 255)), 75
    ),
    "pad_square_black": lambda im, rng: _pad_square(im),
    "border+caption": lambda im, rng: _caption(im),
    "watermark_text": lambda im, rng: _watermark(im),
    "combo_resize+jpeg50+crop5%": lambda im, rng: _jpeg(
        _crop(im, 0.05).resize((im.width * 3 // 4, im.height * 3 // 4)), 50
    ),
}
BASE_VARIANTS = ("mirror", "centre", "tilt_ccw", "tilt_cw")
WINDOWS = tuple(v for v in REPOST_VARIANTS if v not in BASE_VARIANTS)  # crop windows, caption cut
SCHEMES = {
    # name: blocks of (variants hashed for the query photo, variants for the indexed photo);
    # each block compares the query's main hash and its variants with the indexed photo's.
    "as before": None,
    "trimmed": [((), ())],
    "flip-aware": [(("mirror",), ())],
    "dihedral-aware": [(DIHEDRAL, ())],
    "mirror, centre, tilts": [(BASE_VARIANTS, BASE_VARIANTS)],
    # the crop windows only against the other photo's main hash: 55 pairs of hashes, not 400
    "repost variants": [(BASE_VARIANTS, BASE_VARIANTS), ((), WINDOWS), (WINDOWS, ())],
    "repost variants, all pairs": [(REPOST_VARIANTS, REPOST_VARIANTS)],
    # what the main hash would do if it always cut a caption band (compared only so)
    "caption cut as the main hash": "uncaptioned",
}
SHOWN = ("as before", "trimmed", "repost variants")


def hash_set(n_images: int, seed: int) -> pd.DataFrame:
    """Every transform of every synthetic photo, hashed as before (no trim) and with all variants."""
    rng = np.random.default_rng(seed)
    rows = []
    for image_id in range(n_images):  # benchmark: one image at a time by design
        original = synthetic_photo(rng, flat_edge=image_id % 4 == 3)
        for name, transform in {"original": lambda im, rng: im, **TRANSFORMS}.items():
            copy = transform(original, rng)
            before = hash_image(copy, trim=None)
            row = hash_image(copy, variants=HASHED_VARIANTS)
            rows.append(
                {
                    "image": image_id,
                    "flat_edge": image_id % 4 == 3,
                    "transform": name,
                    "phash_before": before["phash"],
                    "pdq_before": before["pdq"],
                    **row,
                }
            )
    return pd.DataFrame(rows)


def scheme_distances(hashes: pd.DataFrame, kind: str, scheme: str) -> np.ndarray:
    """(n_versions, n_originals): smallest distance over the scheme's pairs of hashes."""
    bits = 256 if kind == "pdq" else 64
    originals = hashes["transform"].eq("original").to_numpy()
    if SCHEMES[scheme] is None:
        pairs = {(f"{kind}_before", f"{kind}_before")}
    elif isinstance(SCHEMES[scheme], str):
        pairs = {(f"{kind}_{SCHEMES[scheme]}", f"{kind}_{SCHEMES[scheme]}")}
    else:
        pairs = {
            (kind if q == "" else f"{kind}_{q}", kind if i == "" else f"{kind}_{i}")
            for qs, js in SCHEMES[scheme]
            for q in ("", *qs)
            for i in ("", *js)
        }
    words = {c: parse_hex(hashes[c], bits=bits)[0] for pair in pairs for c in pair}
    best = None
    for qc, ic in sorted(pairs):  # bounded: at most 20 x 20 pairs of hash columns
        a, b = words[qc], words[ic][originals]
        d = (
            hamming(a[:, None], b[None, :], bits)
            if bits == 64
            else hamming(a[:, None, :], b[None, :, :], bits)
        )
        best = d if best is None else np.minimum(best, d)
    return best


def roc(hashes: pd.DataFrame, kind: str, scheme: str, radii) -> tuple[pd.DataFrame, np.ndarray]:
    """Match rate per transform and radius, then FMR; also the impostor distances."""
    dist = scheme_distances(hashes, kind, scheme)
    image = hashes["image"].to_numpy()
    same = image[:, None] == image[hashes["transform"].eq("original").to_numpy()][None, :]
    genuine, impostor = dist[same], dist[~same]  # one genuine distance per version, row order
    transform = hashes["transform"].to_numpy()
    table = pd.DataFrame(
        {f"<= {r}": [(genuine[transform == t] <= r).mean() for t in TRANSFORMS] for r in radii},
        index=list(TRANSFORMS),
    )
    table.loc["FMR (all pairs of different images)"] = [(impostor <= r).mean() for r in radii]
    return table, genuine


def print_roc(hashes: pd.DataFrame, radii_of: dict, chosen: dict) -> None:
    n_pairs = int(
        (
            hashes["image"].to_numpy()[:, None]
            != hashes.loc[hashes["transform"].eq("original"), "image"].to_numpy()[None, :]
        ).sum()
    )
    summary, flat_rows = {}, {}
    flat = hashes["flat_edge"].to_numpy()
    transform = hashes["transform"].to_numpy()
    for kind in ("phash", "pdq"):
        radius = chosen[kind]
        for scheme in SCHEMES:
            table, genuine = roc(hashes, kind, scheme, radii_of[kind])
            if scheme in SHOWN:
                print(
                    f"\n{kind}, {scheme}: share of reposted copies matched, then FMR over {n_pairs:,} "
                    f"pairs of different images"
                )
                print(table.to_string(formatters={c: _fmt for c in table.columns}))
                ok = [r for r in radii_of[kind] if table.loc[table.index[-1], f"<= {r}"] <= MAX_FMR]
                print(f"largest radius with FMR <= {MAX_FMR}: {max(ok) if ok else 'none'}")
            at = table[f"<= {radius}"]
            summary[(f"{kind} r={radius}", scheme)] = at
            if kind == "phash" and scheme in ("as before", "trimmed"):
                flat_rows[scheme] = pd.Series(
                    {t: (genuine[(transform == t) & flat] <= radius).mean() for t in TRANSFORMS}
                )
    print(
        f"\nphotos with a flat band along one edge (1 in 4; must not be trimmed), pHash r={chosen['phash']}:"
    )
    print(pd.DataFrame(flat_rows).T.to_string(float_format="{:.2f}".format))
    final = pd.DataFrame(summary)
    print(
        f"\nSUMMARY at the default radii (PHASH_RADIUS={chosen['phash']}, PDQ_RADIUS={chosen['pdq']}): "
        f"match rate per transformation, last row FMR; >= 0.95 at FMR <= {MAX_FMR} is the goal"
    )
    print(final.to_string(formatters={c: _fmt for c in final.columns}))


def _fmt(value: float) -> str:
    return f"{value:.3f}" if value >= 0.001 or value == 0 else f"{value:.0e}"


def chance_pairs(n: int, per_photo: int, radius: int) -> float:
    """Expected pairs of distinct photos within ``radius`` among n uniform random 64-bit hashes."""
    p = sum(comb(64, k) for k in range(radius + 1)) / 2**64
    return n * (n - 1) / 2 * per_photo**2 * p


def bench_hashing(n_images: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as folder:
        for k in range(n_images):
            synthetic_photo(rng, size=(1024, 768)).save(
                Path(folder) / f"img{k:04d}.jpg", quality=85
            )
        for workers, variants in ((1, ()), (2, ()), (2, ("mirror",)), (2, REPOST_VARIANTS)):
            start = time.perf_counter()
            table = hash_images(folder, workers=workers, progress=False, variants=variants)
            took = time.perf_counter() - start
            print(
                f"hash_images, {n_images} JPEGs 1024x768, workers={workers}, variants={list(variants)}: "
                f"{took:.1f} s, {n_images / took:.1f} images/s, errors={int(table['error'].notna().sum())}"
            )


def bench_index(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    n_clusters, per = n // 50, 10  # 20% of hashes in clusters of 10 near copies (<= 3 bits)
    base = hashes[:n_clusters]
    for k in range(1, per):
        flips = np.zeros(n_clusters, dtype=np.uint64)
        for _ in range(3):
            flips |= np.uint64(1) << rng.integers(0, 64, n_clusters).astype(np.uint64)
        hashes[k * n_clusters : (k + 1) * n_clusters] = base ^ flips
    print(
        f"\nHamming index on {n:,} 64-bit hashes (random, {n_clusters * per:,} in clusters of {per})"
    )
    for radius in (6, 8):  # all pairs at 10 bits take ~3 minutes on 1M
        start = time.perf_counter()
        index = HammingIndex(hashes, radius)
        built = time.perf_counter() - start
        start = time.perf_counter()
        pairs = index.pairs()
        took = time.perf_counter() - start
        print(
            f"  radius {radius}: build {built:.2f} s, all pairs {took:.2f} s -> {len(pairs):,} pairs"
        )
        queries = hashes[rng.integers(0, n, 1000)] ^ np.uint64(0b101)
        start = time.perf_counter()
        for q in queries[:100]:
            index.query(q[None])
        single = (time.perf_counter() - start) / 100
        start = time.perf_counter()
        batch = index.query(queries)
        batched = time.perf_counter() - start
        start = time.perf_counter()
        for q in queries[:100]:
            np.flatnonzero(np.bitwise_count(hashes ^ q) <= radius)
        brute = (time.perf_counter() - start) / 100
        print(
            f"    query one hash: index {single * 1e3:.2f} ms vs numpy scan {brute * 1e3:.2f} ms; "
            f"1,000 queries in one call: {batched:.2f} s ({1000 / batched:,.0f}/s; scan ~{brute * 1000:.1f} s), "
            f"{len(batch):,} hits"
        )
        if radius == PHASH_RADIUS:
            # Query photos with 5 hashes each (main + REPOST_VARIANTS) against photos with 5 each.
            photos = np.stack(
                [queries ^ np.uint64(k << 20) for k in range(1 + len(REPOST_VARIANTS))], axis=1
            )
            start = time.perf_counter()
            found = query_variants(index, photos, per_item=1 + len(REPOST_VARIANTS))
            took = time.perf_counter() - start
            print(
                f"    query_variants, 1,000 photos x {photos.shape[1]} hashes against {n // photos.shape[1]:,} "
                f"photos x {photos.shape[1]}: {took:.2f} s ({1000 / took:,.0f} photos/s), {len(found):,} photo pairs"
            )


def bench_pdq_index(n: int, seed: int, radius: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, (n, 4), dtype=np.uint64, endpoint=True)
    start = time.perf_counter()
    index = HammingIndex(hashes, radius)
    built = time.perf_counter() - start
    queries = hashes[rng.integers(0, n, 1000)] ^ np.uint64(0b1011)
    start = time.perf_counter()
    batch = index.query(queries)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for q in queries[:20]:
        np.flatnonzero(np.bitwise_count(hashes ^ q).sum(axis=1) <= radius)
    brute = (time.perf_counter() - start) / 20
    print(
        f"\nHamming index on {n:,} 256-bit PDQ hashes (random), radius {radius}: build {built:.2f} s; "
        f"1,000 queries in one call {batched:.2f} s ({1000 / batched:,.0f}/s) vs numpy scan "
        f"{brute * 1e3:.1f} ms per query (~{brute * 1000:.0f} s), {len(batch):,} hits"
    )


def roc_part(n_images: int, seed: int) -> None:
    start = time.perf_counter()
    hashes = hash_set(n_images, seed)
    print(
        f"hashed {n_images} images x {len(TRANSFORMS) + 1} versions (before, trimmed, "
        f"{len(HASHED_VARIANTS)} variants) in {time.perf_counter() - start:.1f} s"
    )
    print_roc(
        hashes, {"phash": PHASH_RADII, "pdq": PDQ_RADII}, {"phash": PHASH_RADIUS, "pdq": PDQ_RADIUS}
    )
    print(
        "\nexpected chance pairs among 1M photos with uniformly random 64-bit hashes, 1 hash per photo / "
        f"{1 + len(REPOST_VARIANTS)} (main + repost variants): "
        + ", ".join(
            f"r={r}: {chance_pairs(10**6, 1, r):,.0f} / {chance_pairs(10**6, 1 + len(REPOST_VARIANTS), r):,.0f}"
            for r in (6, 8, 10, 12)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, about a minute and a half"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--part",
        choices=["all", "roc", "speed"],
        default="all",
        help="only the ROC tables, or only hashing and index speed",
    )
    args = parser.parse_args()
    n_images = 32 if args.quick else 120
    pd.set_option("display.width", 250)
    if args.part != "speed":
        roc_part(n_images, args.seed)
    if args.part != "roc":
        bench_hashing(40 if args.quick else 120, args.seed)
        bench_index(100_000 if args.quick else 1_000_000, args.seed)
        bench_pdq_index(100_000 if args.quick else 1_000_000, args.seed, PDQ_RADIUS)


if __name__ == "__main__":
    main()
