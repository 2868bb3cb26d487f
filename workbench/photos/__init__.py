"""Photos: image hashing, the Hamming index and near-duplicate groups.

Shared by ``link`` (accounts posting the same photo) and ``watch`` (known-case
photos resurfacing). Re-exports only; the work is in the submodules.
"""

from .bits import hamming, hex_to_uint64, parse_hex, uint64_to_hex
from .cases import cases_from_hashes
from .groups import PDQ_RADIUS, PHASH_RADIUS, PhotoGroups, group, photos_from_accounts
from .hashing import (
    MAX_IMAGE_PIXELS,
    hash_file,
    hash_image,
    hash_images,
    pdq_hex,
    phash_hex,
)
from .index import HammingIndex, plan_bands
from .match import query_variants, variant_words
from .trim import TrimConfig, border_box, trim_border
from .variants import CROP_VARIANTS, DIHEDRAL, PRESETS, REPOST_VARIANTS, VARIANTS

__all__ = [
    "CROP_VARIANTS",
    "DIHEDRAL",
    "PDQ_RADIUS",
    "PRESETS",
    "PHASH_RADIUS",
    "MAX_IMAGE_PIXELS",
    "REPOST_VARIANTS",
    "VARIANTS",
    "HammingIndex",
    "PhotoGroups",
    "TrimConfig",
    "border_box",
    "cases_from_hashes",
    "group",
    "hamming",
    "hash_file",
    "hash_image",
    "hash_images",
    "hex_to_uint64",
    "parse_hex",
    "pdq_hex",
    "phash_hex",
    "photos_from_accounts",
    "plan_bands",
    "query_variants",
    "trim_border",
    "uint64_to_hex",
    "variant_words",
]
