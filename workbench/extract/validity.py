"""Phone-number validity: digit strings to E.164, placeholders refused.

Owns the validation half of the phone scanner (the scanning half is `phones` and
`phonerun`). North American numbers are checked against `phonenumbers`' own
metadata with one combined regular expression per (region, length), which gives
the library's answer about 20x faster than parsing (every new number in a column
is checked, so this matters); other numbers go through `phonenumbers.parse`.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import PhoneMetadata

# The number types `phonenumbers` tries, in its own order; a number is valid for a
# region when it matches the general description and at least one of these.
MIN_DIGITS, MAX_DIGITS = 10, 15
# Fewest digits a number can be written with: national numbers of 8 digits exist (Denmark,
# Singapore) and Spain's, New Zealand's and Israel's 9-digit ones are common in ads. Shorter
# spans than MIN_DIGITS are validated in the account's region only (never in North America).
MIN_WRITTEN = 8
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


def _fits(desc, length: int) -> bool:
    """Could ``desc`` match a number of ``length`` digits (its length list allows it)?"""
    return (
        desc is not None
        and bool(desc.national_number_pattern)
        and (not desc.possible_length or length in desc.possible_length)
    )


@functools.cache
def _pattern(region: str, length: int) -> re.Pattern | None:
    """General description AND any number type, for national numbers of ``length``."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or not _fits(metadata.general_desc, length):
        return None
    types = [getattr(metadata, name) for name in _TYPES]
    alternatives = [f"(?:{d.national_number_pattern})" for d in types if _fits(d, length)]
    if not alternatives:
        return None
    general = metadata.general_desc.national_number_pattern
    return re.compile(rf"(?=(?:{general})\Z)(?:{'|'.join(alternatives)})")


def valid_for_region(national: str, region: str) -> bool:
    """Is the national number (ASCII digits) valid in ``region``?

    Same answer as ``phonenumbers.is_valid_number_for_region`` for a number whose
    country code is the region's.

    Examples
    --------
    >>> valid_for_region("7134820193", "US"), valid_for_region("7131820193", "US")
    (True, False)
    >>> valid_for_region("4165550123", "CA"), valid_for_region("7400123456", "GB")
    (True, True)
    """
    pattern = _pattern(region, len(national))
    return pattern is not None and pattern.fullmatch(national) is not None


@functools.cache
def _nanp_regions() -> tuple[tuple[str, re.Pattern | None], ...]:
    """NANP regions in `phonenumbers`' order, with their leading-digits pattern if any."""
    regions = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is not None:
            lead = metadata.leading_digits
            regions.append((region, re.compile(lead) if lead is not None else None))
    return tuple(regions)


def nanp_valid(national: str) -> bool:
    """Is the 10-digit North American number valid (``phonenumbers.is_valid_number``)?

    Walks the NANP regions as `phonenumbers` does: the first region whose leading
    digits match, or that validates the number, decides.

    Examples
    --------
    >>> nanp_valid("7134820193"), nanp_valid("2462345678"), nanp_valid("7131820193")
    (True, True, False)
    """
    if valid_for_region(national, "US"):  # the first region in the list: the common case
        return True
    for region, lead in _nanp_regions():
        if lead is not None:
            if lead.match(national):
                return valid_for_region(national, region)
        elif valid_for_region(national, region):
            return True
    return False


_ASCENDING = "0123456789012345678901"
_DESCENDING = "9876543210987654321098"


def is_placeholder(national: str, nanp: bool = True) -> bool:
    """True for numbers people write when they mean "no number".

    One digit repeated, or a straight run (1234567890); for North American numbers
    (``nanp``) also 555-0100..0199, reserved for fiction. Numbers with repeated or
    sequential stretches are real ("07777 778888", "212-333-3344").

    Examples
    --------
    >>> is_placeholder("1234567890"), is_placeholder("7135550123"), is_placeholder("7134820193")
    (True, True, False)
    >>> is_placeholder("7777778888"), is_placeholder("2125550123", nanp=False)
    (False, False)
    """
    if len(set(national)) == 1 or national in _ASCENDING or national in _DESCENDING:
        return True
    # 555-0100..0199 is reserved for fiction in the North American plan (only there).
    return nanp and len(national) == 10 and national[3:6] == "555" and national[6:8] == "01"


def _valid(number: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if is_placeholder(str(parsed.national_number), nanp=parsed.country_code == 1):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_e164(
    digits: str, region: str = "US", plus: bool = False, bare_cc: bool = False
) -> str | None:
    """Validate an ASCII digit string as a phone number and return it in E.164.

    Parameters
    ----------
    digits : str
        ASCII digits only.
    region : str
        Region assumed for numbers written without a country code; ``"GB/US"`` reads
        them in GB, then in US (any number of regions).
    plus : bool
        The digits were written after a '+' (so they start with a country code).
    bare_cc : bool
        The digits start with a country code written as its own group ("44 7911 ...").

    Examples
    --------
    >>> to_e164("7134820193"), to_e164("447911123456", plus=True)
    ('+17134820193', '+447911123456')
    >>> to_e164("07911123456", "GB"), to_e164("07911123456", "US"), to_e164("0044 7911123456".replace(" ", ""))
    ('+447911123456', None, '+447911123456')
    >>> to_e164("612345678", "ES"), to_e164("15512345678", "MX")
    ('+34612345678', '+525512345678')
    """
    key = (digits, region, plus, bare_cc)
    value = _E164.get(key, _UNSEEN)
    if value is _UNSEEN:
        if len(_E164) >= _CACHE_MAX:
            _E164.clear()
        value = _E164[key] = _to_e164(digits, region, plus, bare_cc)
    return value


# Numbers repeat across ads: validations are cached (a plain dict of plain tuples and
# strings, which the garbage collector does not walk entry by entry; cleared when full).
_E164: dict[tuple[str, str, bool, bool], str | None] = {}
_UNSEEN = object()
_CACHE_MAX = 200_000


# Regions whose national numbers are written with their trunk '0' (so ten digits
# without it are more likely a North American number than a local one).
TRUNK_WRITTEN = frozenset("GB TH IL NZ AU DE FR NL IE ZA".split())
# Trunk prefixes some countries' ads still write before a mobile number, which
# `phonenumbers` no longer reads: Mexico's retired "044"/"045" and mobile '1'.
_OLD_PREFIXES = {"MX": ("044", "045", "1")}


def _to_e164(digits: str, region: str, plus: bool, bare_cc: bool) -> str | None:
    if "/" in region:  # "GB/US": the account's region, then the others in order
        order = region.split("/")
        if plus:
            return _to_e164(digits, order[0], plus, bare_cc)
        if (order[0] in TRUNK_WRITTEN and digits[:1] != "0" and len(digits) == 10) or (
            len(digits) == 11 and digits[0] == "1"
        ):
            # Ten digits without the trunk '0' its own numbers are written with, or '1' and
            # ten digits: a North American number of the other regions first ("713-482-0193"
            # in a London ad, "1 888 801 0076" in a Mexican one).
            order.sort(key=lambda r: r not in ("US", "CA"))
        for one in order:
            value = _to_e164(digits, one, plus, bare_cc)
            if value is not None:
                return value
        return None
    if not MIN_WRITTEN <= len(digits) <= MAX_DIGITS + 3 or not digits.isascii():
        return None
    if plus:
        if len(digits) == 11 and digits[0] == "1" and digits[1] not in "01":
            # "+1" and ten digits: what parsing and `is_valid_number` would say, faster.
            national = digits[1:]
            return "+" + digits if nanp_valid(national) and not is_placeholder(national) else None
        return _international(digits, region)
    if digits.startswith("00") and digits[2] != "0":
        # "0044 ...": the international prefix of most of the world, in any region's ads
        # (no national number starts with it, North America's included).
        return _international(digits[2:], region)
    nanp = region in _NANP
    if nanp and (len(digits) == 10 or len(digits) == 11 and digits[0] == "1"):
        return _nanp(digits[-10:]) if region in ("US", "CA") else _valid(digits, region)
    if nanp and not digits.startswith("011"):
        value = None  # too long or short for a national number and no international prefix
    elif len(digits) < MIN_DIGITS and not _short_ok(region, len(digits)):
        value = None  # no national number of the region is this short: no parsing
    elif region in TRUNK_WRITTEN and digits[0] != "0" and not bare_cc:
        value = (
            None  # its national numbers are written with their '0' ("100/180/280" is no FR number)
        )
    else:
        value = _valid(digits, region)
    if value is None:
        for prefix in _OLD_PREFIXES.get(region, ()):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= MIN_WRITTEN:
                value = _valid(digits[len(prefix) :], region)
                if value is not None:
                    break
    # No other region is tried: a national number that is not the account's region's
    # is not given a country code it never showed (0800 is not +44 in a US ad).
    if value is None and bare_cc:
        value = _international(digits, region)
    return value


_NANP = NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


@functools.cache
def _short_ok(region: str, length: int) -> bool:
    """Could a national number of ``region`` be written with ``length`` (< 10) digits,
    trunk prefix included? Read from the region's metadata (possible lengths)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return False
    lengths = set(metadata.general_desc.possible_length or ())
    prefix = len(metadata.national_prefix or "")
    return length in lengths or (prefix and length - prefix in lengths)


def _nanp(national: str) -> str | None:
    """A North American number: shape check, then the metadata check without parsing
    (``phonenumbers.parse`` is the slow half of validation)."""
    if national[0] in "01" or national[3] in "01":
        return None
    ok = nanp_valid(national) or valid_for_region(national, "CA")
    return "+1" + national if ok and not is_placeholder(national) else None


def _international(digits: str, region: str) -> str | None:
    value = _valid("+" + digits, region)
    if value is None and digits.startswith("521") and len(digits) == 13:
        value = _valid("+52" + digits[3:], region)  # Mexico's retired mobile '1'
    return value
