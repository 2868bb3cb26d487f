"""Identifiers from messy ad text and structured fields.

`extract_identifiers` finds phones, emails, handles, payment accounts, crypto
wallets and URLs in one text, undoing common obfuscations; `extract_frame` builds
the identifiers table of a whole accounts table; the `normalise_*` functions turn a
single field value or search term into the same normalised form.
"""

from .core import extract_identifiers, field_identifiers, handle_kind, normalise_handle
from .emails import normalise_email
from .frame import extract_frame
from .handles import normalise_url
from .identifier import Identifier
from .phones import normalise_phone

__all__ = [
    "Identifier",
    "extract_identifiers",
    "extract_frame",
    "field_identifiers",
    "handle_kind",
    "normalise_phone",
    "normalise_email",
    "normalise_handle",
    "normalise_url",
]
