"""Benchmark photo hashing and the Hamming index; choose default match radii.

Prints, for pHash (64 bits) and PDQ (256 bits): the share of reposted copies still
matched at several radii, per transformation, against the false-match rate (FMR)
between different images; then hashing throughput and index speed.

    python benchmarks/bench_photos.py          # full: 200 images, 1M hashes
    python benchmarks/bench_photos.py --quick  # ~1 minute
"""
from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from workbench.photos import HammingIndex, hamming, hash_images, hex_to_uint64, pdq_hex, phash_hex

PHASH_RADII = (4, 6, 8, 10, 12, 14, 16, 18, 20)
PDQ_RADII = (16, 24, 31, 40, 48, 56, 64, 70)


def synthetic_photo(rng: np.random.Generator, size=(640, 480)) -> Image.Image:
    """A photo-like picture: gradient background, shapes, a little texture and text."""
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
            points = [(int(x), int(y)) for x, y in zip(rng.integers(0, w, 3), rng.integers(0, h, 3), strict=True)]
            draw.polygon(points, fill=colour)
    draw.text((int(rng.integers(0, w - 100)), int(rng.integers(0, h - 20))), "sample text", fill=(0, 0, 0))
    noise = rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _crop(image: Image.Image, share: float) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * share / 2), int(h * share / 2)
    return image.crop((dx, dy, w - dx, h - dy))


def _watermark(image: Image.Image) -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    w, h = marked.size
    for k in range(3):
        draw.text((w // 6, h // 4 + k * h // 5), "www.example-site.com  call 555-0100", fill=(255, 255, 255))
    return marked


TRANSFORMS = {
    "resize_50%": lambda im, rng: im.resize((im.width // 2, im.height // 2), Image.LANCZOS),
    "jpeg_q30": lambda im, rng: _jpeg(im, 30),
    "jpeg_q50": lambda im, rng: _jpeg(im, 50),
    "jpeg_q75": lambda im, rng: _jpeg(im, 75),
    "jpeg_q90": lambda im, rng: _jpeg(im, 90),
    "crop_5%": lambda im, rng: _crop(im, 0.05),
    "crop_10%": lambda im, rng: _crop(im, 0.10),
    "brightness_+25%": lambda im, rng: ImageEnhance.Brightness(im).enhance(1.25),
    "contrast_-25%": lambda im, rng: ImageEnhance.Contrast(im).enhance(0.75),
    "rotate_2-5deg": lambda im, rng: im.rotate(float(rng.uniform(2, 5)), resample=Image.BICUBIC, expand=False),
    "mirror": lambda im, rng: ImageOps.mirror(im),
    "border_5%": lambda im, rng: ImageOps.expand(im, border=im.width // 20, fill=(255, 255, 255)),
    "watermark_text": lambda im, rng: _watermark(im),
    "combo_resize+jpeg50+crop5%": lambda im, rng: _jpeg(_crop(im, 0.05).resize((im.width * 3 // 4, im.height * 3 // 4)), 50),
}


def hash_set(n_images: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for image_id in range(n_images):  # benchmark: one image at a time by design
        original = synthetic_photo(rng)
        for name, transform in {"original": lambda im, rng: im, **TRANSFORMS}.items():
            copy = transform(original, rng)
            pdq, quality = pdq_hex(copy)
            rows.append({"image": image_id, "transform": name, "phash": phash_hex(copy), "pdq": pdq,
                         "pdq_quality": quality})
    return pd.DataFrame(rows)


def roc_tables(hashes: pd.DataFrame, column: str, bits: int, radii: tuple[int, ...]):
    words = hex_to_uint64(hashes[column], bits=bits)
    originals = hashes["transform"].eq("original").to_numpy()
    image = hashes["image"].to_numpy()
    orig_words = words[originals]
    orig_of = {img: k for k, img in enumerate(image[originals])}
    index = np.array([orig_of[i] for i in image])
    match = hamming(words, orig_words[index], bits=bits)
    # False matches: every original against every copy of every *other* image.
    if bits == 64:
        cross = hamming(orig_words[:, None], words[None, :], bits=64)
    else:
        cross = hamming(orig_words[:, None, :], words[None, :, :], bits=256)
    other = image[None, :] != image[originals][:, None]
    impostor = cross[other]
    table = {f"<= {r}": [] for r in radii}
    names = [t for t in TRANSFORMS]
    for r in radii:
        for name in names:
            table[f"<= {r}"].append((match[hashes["transform"].to_numpy() == name] <= r).mean())
    frame = pd.DataFrame(table, index=names)
    return frame, impostor, match


def choose_radius(impostor: np.ndarray, radii, max_fmr: float = 0.001) -> int:
    ok = [r for r in radii if (impostor <= r).mean() <= max_fmr]
    return max(ok) if ok else min(radii)


def bench_hashing(n_images: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as folder:
        for k in range(n_images):
            synthetic_photo(rng, size=(1024, 768)).save(Path(folder) / f"img{k:04d}.jpg", quality=85)
        for workers in (1, 2):
            start = time.perf_counter()
            table = hash_images(folder, workers=workers, progress=False)
            took = time.perf_counter() - start
            print(f"hash_images, {n_images} JPEGs 1024x768, workers={workers}: {took:.1f} s, "
                  f"{n_images / took:.1f} images/s, errors={int(table['error'].notna().sum())}")


def bench_index(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    n_clusters, per = n // 50, 10  # 20% of hashes in clusters of 10 near copies (<= 3 bits)
    base = hashes[:n_clusters]
    for k in range(1, per):
        flips = np.zeros(n_clusters, dtype=np.uint64)
        for _ in range(3):
            flips |= np.uint64(1) << rng.integers(0, 64, n_clusters).astype(np.uint64)
        hashes[k * n_clusters:(k + 1) * n_clusters] = base ^ flips
    print(f"\nHamming index on {n:,} 64-bit hashes (random, {n_clusters * per:,} in clusters of {per})")
    for radius in (6, 8):
        start = time.perf_counter()
        index = HammingIndex(hashes, radius)
        built = time.perf_counter() - start
        start = time.perf_counter()
        pairs = index.pairs()
        took = time.perf_counter() - start
        print(f"  radius {radius}: build {built:.2f} s, all pairs {took:.2f} s -> {len(pairs):,} pairs")
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
        print(f"    query one hash: index {single * 1e3:.2f} ms vs numpy scan {brute * 1e3:.2f} ms; "
              f"1,000 queries in one call: {batched:.2f} s (scan ~{brute * 1000:.1f} s), {len(batch):,} hits")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n_images = 60 if args.quick else 200
    pd.set_option("display.width", 200)
    pd.set_option("display.float_format", "{:.3f}".format)
    start = time.perf_counter()
    hashes = hash_set(n_images, args.seed)
    print(f"hashed {n_images} images x {len(TRANSFORMS) + 1} versions in {time.perf_counter() - start:.1f} s")
    for column, bits, radii in (("phash", 64, PHASH_RADII), ("pdq", 256, PDQ_RADII)):
        table, impostor, _ = roc_tables(hashes, column, bits, radii)
        print(f"\n{column}: share of reposted copies matched at each radius (Hamming distance to the "
              f"original), then false matches over {len(impostor):,} pairs of different images")
        print(table.to_string())
        false = pd.DataFrame({f"<= {r}": [int((impostor <= r).sum()), (impostor <= r).mean()] for r in radii},
                             index=["false matches", "false-match rate"])
        print(false.to_string(float_format="{:.2e}".format))
        print(f"closest pair of different images: {impostor.min()} bits; largest radius with "
              f"FMR <= 0.001: {choose_radius(impostor, radii)}")
    # Chance pairs among n uniformly random 64-bit hashes: what a radius costs at scale.
    from math import comb
    print("\nexpected chance pairs among 1M uniformly random 64-bit hashes: " + ", ".join(
        f"r={r}: {sum(comb(64, k) for k in range(r + 1)) / 2**64 * 5e11:,.0f}" for r in (6, 8, 10, 12, 16)))
    bench_hashing(40 if args.quick else 200, args.seed)
    bench_index(100_000 if args.quick else 1_000_000, args.seed)


if __name__ == "__main__":
    main()
