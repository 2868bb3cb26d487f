"""Find and cut a uniform border (added frame, letterbox, pad-to-square) before hashing.

Owns the border rule only; hashing the trimmed picture is ``hashing.py``'s job. A
repost with a frame hashes like a different picture (a 5% white frame matched 7% of
the time at the default pHash radius), so the frame is cut first. The rule is
conservative because cutting real content differently in two copies of one photo
would break matches that work today:

- a border line is one where at least ``min_share`` of pixels lie within
  ``tolerance`` levels of brightness and ``chroma_tolerance`` of colour (YCbCr) of the
  outermost line, and whose median brightness has not drifted from it, so camera
  noise and smooth skies do not pass while a JPEG-compressed flat frame does (JPEG
  keeps brightness and blurs colour); the run must end in an edge (a line mostly
  unlike the border within the next 8);
- an axis is cut only when both opposite sides carry such a border, of about the same
  depth (``max_asymmetry``): added frames, letterboxes and pad-to-square are
  symmetric, a flat wall or sky touching one edge is not;
- a side whose uniform run is deeper than ``max_side`` is content, not a frame, and
  its axis is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrimConfig:
    """When a uniform edge counts as a border (see the module docstring).

    Chosen on the synthetic photos of ``benchmarks/bench_photos.py`` (512-pixel working
    copies): white, black and coloured frames, also after JPEG q30-q75, are found to
    within one JPEG block (usually 0-2 lines); none of 120 photos x 18 repost forms
    without a frame was cut. Looser rules cut content differently in each copy and
    broke matches that worked: every RGB channel within 10 cut 9% of plain photos and
    16% after a contrast cut; without the drift and edge tests, smooth gradients were
    cut after a resize or contrast cut (2 of 120 photos).
    """

    tolerance: int = 5
    chroma_tolerance: int = 24
    min_share: float = 0.98
    max_side: float = 0.35
    max_asymmetry: float = 0.02


DEFAULT_TRIM = TrimConfig()
"""The rule :func:`~workbench.photos.hash_images` applies unless told otherwise."""


_BLOCK = 16  # lines tested at once: most pictures fail on the first line
_EDGE = 8  # lines after a run searched for the edge (JPEG ringing spans one 8 x 8 block)


def _run_length(lines: np.ndarray, config: TrimConfig) -> int:
    """Border lines from the edge inward; ``lines`` is (depth, length, YCbCr) uint8.

    0 unless the run of flat lines ends in an edge, so that a smooth gradient whose
    noise a resize or a contrast cut has smoothed away is not taken for a frame.
    """
    colour = np.median(lines[0], axis=0).round().astype(np.int16)
    limits = np.array([config.tolerance] + [config.chroma_tolerance] * (lines.shape[2] - 1))

    def share_close(block: np.ndarray) -> np.ndarray:
        return (np.abs(block.astype(np.int16) - colour) <= limits).all(axis=2).mean(axis=1)

    depth = len(lines)
    for start in range(0, len(lines), _BLOCK):  # bounded: depth / _BLOCK blocks, usually one
        block = lines[start : start + _BLOCK]
        # Flat: nearly every pixel close, and the line's brightness has not drifted.
        flat = (share_close(block) >= config.min_share) & (
            np.abs(np.median(block[..., 0], axis=1) - colour[0]) <= 1
        )
        if not flat.all():
            depth = start + int(np.argmin(flat))
            break
    if depth in (0, len(lines)):
        return depth
    # A frame ends in an edge: within one JPEG block a line is mostly something else.
    return depth if (share_close(lines[depth : depth + _EDGE]) <= 0.5).any() else 0


def _axis(first: int, second: int, limit: int, size: int, config: TrimConfig) -> tuple[int, int]:
    if first > limit or second > limit:  # too deep to be a frame: content
        return 0, 0
    if min(first, second) == 0 or abs(first - second) > max(config.max_asymmetry * size, 2):
        return 0, 0  # one-sided: content
    return first, second


def border_box(image, config: TrimConfig = DEFAULT_TRIM) -> tuple[int, int, int, int]:
    """The box inside a uniform border, as (left, top, right, bottom) for ``Image.crop``.

    Parameters
    ----------
    image : PIL.Image.Image
    config : TrimConfig

    Returns
    -------
    tuple of int
        The whole picture, ``(0, 0, width, height)``, when no border is found.

    Examples
    --------
    >>> from PIL import Image
    >>> photo = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    >>> border_box(Image.fromarray(np.pad(photo, ((5, 5), (8, 8), (0, 0)), constant_values=255)))
    (8, 5, 68, 45)
    >>> border_box(Image.fromarray(np.pad(photo, ((12, 0), (0, 0), (0, 0)))))  # one side only: kept
    (0, 0, 60, 52)
    """
    levels = np.asarray(image.convert("YCbCr"))
    height, width = levels.shape[:2]
    limit_h, limit_w = int(height * config.max_side), int(width * config.max_side)
    if min(limit_h, limit_w) < 1:
        return 0, 0, width, height
    depth = [
        _run_length(lines, config)
        for lines in (
            levels[: limit_h + 1],
            levels[::-1][: limit_h + 1],
            levels[:, : limit_w + 1].transpose(1, 0, 2),
            levels[:, ::-1][:, : limit_w + 1].transpose(1, 0, 2),
        )
    ]
    top, bottom = _axis(depth[0], depth[1], limit_h, height, config)
    left, right = _axis(depth[2], depth[3], limit_w, width, config)
    return left, top, width - right, height - bottom


def trim_border(image, config: TrimConfig = TrimConfig()):
    """Cut a uniform border off a PIL image; returns the image and the share of area cut.

    Examples
    --------
    >>> from PIL import Image, ImageOps
    >>> photo = Image.effect_noise((80, 60), 60).convert("RGB")
    >>> trimmed, share = trim_border(ImageOps.expand(photo, border=10, fill="white"))
    >>> trimmed.size, round(share, 2)
    ((80, 60), 0.4)
    """
    box = border_box(image, config)
    width, height = image.size
    if box == (0, 0, width, height):
        return image, 0.0
    kept = (box[2] - box[0]) * (box[3] - box[1])
    return image.crop(box), 1.0 - kept / (width * height)
