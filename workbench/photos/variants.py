"""Which extra hashes of one photo cover the ways reposts change it, and how to make them.

Owns the variant names and the picture each stands for: the seven other orientations,
a centre crop, two small tilts, off-centre crop windows and a cut caption band. Hashing
the variant pictures is ``hashing.py``'s job; matching photos that carry several hashes
is ``match.py``'s. Every variant is one more chance of a false match:
``benchmarks/bench_photos.py`` measures both what each adds and what it costs.
"""

from __future__ import annotations

import numpy as np

DIHEDRAL = ("rot90", "rot180", "rot270", "flip", "mirror", "transpose", "transverse")
"""The seven other orientations (``pdqhash.compute_dihedral``'s order): rotations are
counter-clockwise (PIL's ``Image.Transpose.ROTATE_90``), ``flip`` is top-bottom,
``mirror`` left-right, ``transpose`` swaps x and y."""
CENTRE_SHARE = 0.9
"""``centre`` hashes the middle 90% of width and height (5% cut from each side)."""
TILT_DEGREES = 3.5
"""``tilt_ccw`` / ``tilt_cw`` hash the centre of the photo turned this far either way."""
CROP_CUT = 0.085
"""Crop windows cut this share of the width (height) from one side. A repost cut by 5-10%
of each axis, split any way between the two sides, lands within ~3% of one window, which
pHash tolerates; 0.06 left a 10% corner crop at 0.66 matched, 0.095 random crops at 0.975
(80 synthetic photos, ``.notes``-free: see ``benchmarks/bench_photos.py``)."""
_SIDES = {
    "n": (0.0, 0.0),
    "a": (CROP_CUT, 0.0),
    "b": (0.0, CROP_CUT),
    "c": ((1 - CENTRE_SHARE) / 2,) * 2,
}
"""Per axis: n nothing cut, a cut at the start (left / top), b at the end, c both (centre)."""
CROP_VARIANTS = tuple(
    f"crop_{x}{y}" for x in _SIDES for y in _SIDES if f"{x}{y}" not in ("nn", "cc")
)
"""``crop_<x><y>``: the window cut along x then y as in ``_SIDES`` (``crop_an`` cuts the left
8.5%, ``crop_ab`` the left and the bottom); ``nn`` is the photo and ``cc`` is ``centre``."""
CAPTION = "uncaptioned"
"""The photo with a mostly blank band along one edge cut (a frame plus a caption bar, a
meme or a site's banner): lines where 75% of pixels match the edge colour, one side at a
time. The border trim keeps such bands because they are one-sided."""
VARIANTS = (*DIHEDRAL, "centre", "tilt_ccw", "tilt_cw", *CROP_VARIANTS, CAPTION)
"""Every extra hash :func:`~workbench.photos.hash_image` can add, as ``phash_<name>`` and ``pdq_<name>``."""
REPOST_VARIANTS = ("mirror", "centre", "tilt_ccw", "tilt_cw", *CROP_VARIANTS, CAPTION)
"""The variants that cover common reposts: mirror, a crop of 5-10% anywhere, rotation of
2-5 degrees, a caption band."""
PRESETS = {"repost": REPOST_VARIANTS, "dihedral": DIHEDRAL, "crops": ("centre", *CROP_VARIANTS)}
"""Names the CLI's ``--variants`` accepts for a group of variants."""

_TRANSPOSE = {
    "rot90": 2,
    "rot180": 3,
    "rot270": 4,
    "flip": 1,
    "mirror": 0,
    "transpose": 5,
    "transverse": 6,
}
"""Variant name -> PIL ``Image.Transpose`` value."""
_SIGN = (-1.0) ** np.arange(8)
# A transform of the picture is a sign/transpose change of its DCT: reversing a row
# negates odd horizontal frequencies. Exact, so the 8 orientations cost one DCT.
DCT_VARIANT = {
    "rot90": lambda d: d.T * _SIGN[:, None],
    "rot180": lambda d: d * _SIGN[:, None] * _SIGN[None, :],
    "rot270": lambda d: d.T * _SIGN[None, :],
    "flip": lambda d: d * _SIGN[:, None],
    "mirror": lambda d: d * _SIGN[None, :],
    "transpose": lambda d: d.T,
    "transverse": lambda d: d.T * _SIGN[:, None] * _SIGN[None, :],
}
"""The 8 x 8 pHash DCT block of a turned picture, from the upright one's."""


def expand(names) -> list[str]:
    """Variant names with preset names (``repost``, ``dihedral``, ``crops``) spelled out, in order.

    Examples
    --------
    >>> expand(["mirror", "crops"])[:3]
    ['mirror', 'centre', 'crop_na']
    """
    return list(dict.fromkeys(v for name in names for v in PRESETS.get(name, (name,))))


def check(names) -> None:
    """Raise ValueError naming any unknown variant."""
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        raise ValueError(
            f"unknown hash variants {unknown}; choose from {list(VARIANTS)} "
            f"or a preset {list(PRESETS)}"
        )


def _window(image, x: str, y: str):
    width, height = image.size
    (left, right), (top, bottom) = _SIDES[x], _SIDES[y]
    return image.crop(
        (
            int(width * left),
            int(height * top),
            width - int(width * right),
            height - int(height * bottom),
        )
    )


def _blank_lines(lines: np.ndarray, share: float, limit: int) -> int:
    """Depth of a mostly blank band at the edge of ``lines`` (depth, length) grey, else 0.

    The band is the run of lines from the edge whose median is the edge's colour (text in
    a caption bar leaves most of each line blank; a picture, even a pale one, drifts
    away from it), kept when on average ``share`` of its pixels match that colour and the
    run ends before ``limit`` (a flat sky or wall to the limit is content).
    """
    part = lines[: limit + 1].astype(np.int16)
    colour = np.median(part[0])
    steady = np.abs(np.median(part, axis=1) - colour) <= 2
    depth = len(part) if steady.all() else int(np.argmin(steady))
    if depth < 2 or depth > limit:
        return 0
    close = (np.abs(part[:depth] - colour) <= 12).mean()
    return depth if close >= share else 0


def uncaptioned(image, share: float = 0.75, max_side: float = 0.35):
    """Cut a mostly blank band (caption bar, banner, frame) off each side independently.

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> photo = Image.effect_noise((160, 120), 60).convert("RGB")
    >>> meme = Image.new("RGB", (160, 140), "white"); meme.paste(photo, (0, 0))
    >>> ImageDraw.Draw(meme).text((4, 124), "new in town", fill="black")
    >>> uncaptioned(meme).size
    (160, 120)
    """
    grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    limit_h, limit_w = max(1, int(height * max_side)), max(1, int(width * max_side))
    top = _blank_lines(grey, share, limit_h)
    bottom = _blank_lines(grey[::-1], share, limit_h)
    left = _blank_lines(grey.T, share, limit_w)
    right = _blank_lines(grey.T[::-1], share, limit_w)
    return image.crop((left, top, width - right, height - bottom))


def picture(image, name: str):
    """The picture variant ``name`` (not a DIHEDRAL one) stands for, from the trimmed photo."""
    from PIL import Image

    if name == "centre":
        return _window(image, "c", "c")
    if name in ("tilt_ccw", "tilt_cw"):
        angle = TILT_DEGREES if name == "tilt_ccw" else -TILT_DEGREES
        return _window(image.rotate(angle, resample=Image.BILINEAR), "c", "c")
    if name == CAPTION:
        return uncaptioned(image)
    if name in CROP_VARIANTS:
        return _window(image, name[-2], name[-1])
    if name in DIHEDRAL:
        return image.transpose(_TRANSPOSE[name])
    raise ValueError(f"unknown hash variant {name!r}")
