"""Photos: image hashing, the Hamming index and near-duplicate groups.

Shared by ``link`` (accounts posting the same photo) and ``watch`` (known-case
photos resurfacing). Re-exports only; the work is in the submodules.
"""
from .bits import hamming, hex_to_uint64, parse_hex, uint64_to_hex
from .groups import PDQ_RADIUS, PHASH_RADIUS, PhotoGroups, group, photos_from_accounts
from .hashing import MAX_IMAGE_PIXELS, hash_file, hash_images, pdq_hex, phash_hex
from .index import HammingIndex, plan_bands

__all__ = [
    "PDQ_RADIUS", "PHASH_RADIUS", "MAX_IMAGE_PIXELS", "HammingIndex", "PhotoGroups",
    "group", "hamming", "hash_file", "hash_images", "hex_to_uint64", "parse_hex",
    "pdq_hex", "phash_hex", "photos_from_accounts", "plan_bands", "uint64_to_hex",
]
